/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl/proto.c and ctl/commands.c: the wire format and the command table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/vqos_ctl.h"

static int parse(const char *s, struct vqos_ctl_request *req, char *err)
{
	return vqos_ctl_request_parse(s, strlen(s), req, err, 256);
}

static void test_encode_parse_round_trip(void **state)
{
	const char *argv[] = { "port", "show", "c1" };
	struct vqos_ctl_request req;
	char err[256];
	char *line = vqos_ctl_request_encode(3, argv, true);

	assert_non_null(line);
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_int_equal(parse(line, &req, err), 0);
	assert_int_equal(req.argc, 3);
	assert_string_equal(req.argv[0], "port");
	assert_string_equal(req.argv[2], "c1");
	assert_true(req.stats);
	vqos_ctl_request_release(&req);
	free(line);
}

static void test_bad_requests(void **state)
{
	static const struct {
		const char *text;
		int ret;
		const char *msg;
	} cases[] = {
		{ "not json", -EINVAL, "not JSON" },
		{ "[1,2]", -EINVAL, "not a JSON object" },
		{ "{\"argv\":[\"version\"]}", -EINVAL, "no integer \"vqos\"" },
		{ "{\"vqos\":\"1\",\"argv\":[\"version\"]}", -EINVAL, "no integer \"vqos\"" },
		{ "{\"vqos\":2,\"argv\":[\"version\"]}", -EPROTO, "version 2 is not supported" },
		{ "{\"vqos\":1}", -EINVAL, "no \"argv\"" },
		{ "{\"vqos\":1,\"argv\":[]}", -EINVAL, "no \"argv\"" },
		{ "{\"vqos\":1,\"argv\":\"port show\"}", -EINVAL, "no \"argv\"" },
		{ "{\"vqos\":1,\"argv\":[\"port\",7]}", -EINVAL, "argv[1] is not a string" },
		{ "{\"vqos\":1,\"argv\":[\"x\"],\"stats\":1}", -EINVAL,
		  "\"stats\" is not a boolean" },
		{ "{\"vqos\":1,\"vqos\":1,\"argv\":[\"x\"]}", -EINVAL, "not JSON" },
	};
	struct vqos_ctl_request req;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(cases[i].text, &req, err), cases[i].ret);
		assert_non_null(strstr(err, cases[i].msg));
		assert_null(req.json);
	}
}

static void test_too_many_words_and_too_big(void **state)
{
	struct vqos_ctl_request req;
	char err[256];
	char *big = malloc(VQOS_CTL_MAX_REQUEST + 2);
	const char *argv[VQOS_CTL_MAX_ARGS + 1];
	char *line;
	int i;

	for (i = 0; i <= VQOS_CTL_MAX_ARGS; i++)
		argv[i] = "w";
	assert_null(vqos_ctl_request_encode(VQOS_CTL_MAX_ARGS + 1, argv, false));
	line = vqos_ctl_request_encode(VQOS_CTL_MAX_ARGS, argv, false);
	assert_int_equal(parse(line, &req, err), 0);
	vqos_ctl_request_release(&req);
	free(line);

	memset(big, ' ', VQOS_CTL_MAX_REQUEST + 1);
	assert_int_equal(vqos_ctl_request_parse(big, VQOS_CTL_MAX_REQUEST + 1, &req, err, 256),
			 -E2BIG);
	assert_non_null(strstr(err, "limit"));
	free(big);
}

static void fake_ports(void *aux, void (*cb)(void *arg, const struct vqos_ctl_port *port),
		       void *arg)
{
	struct vqos_ctl_port p = { .name = "c1",
				   .socket = "/s/c1",
				   .uplink = "net_null0",
				   .connected = true,
				   .uplink_up = true,
				   .queues = 3,
				   .uplink_queues = 1 };

	p.tx.packets = 10;
	p.tx.shaped = 4;
	p.tx.bytes = 640;
	p.rx.drops = 3;
	cb(arg, &p);
	p = (struct vqos_ctl_port){
		.name = "c2", .socket = "/s/c2", .uplink = "net_null1", .client = true
	};
	cb(arg, &p);
}

static void fake_lcores(void *aux, void (*cb)(void *arg, const struct vqos_ctl_lcore *lcore),
			void *arg)
{
	/* 10 packets moved in a stalled pass: their cycles are not theirs */
	struct vqos_ctl_lcore l = { .lcore = 1,
				    .n_ports = 2,
				    .busy_cycles = 300,
				    .idle_cycles = 50,
				    .stall_cycles = 50,
				    .packets = 40,
				    .busy_packets = 30,
				    .waited_ns = 7,
				    .hz = 1000 };

	cb(arg, &l);
}

/* tx: one leaf, c1's; rx: none */
static void fake_classes(void *aux, int dir, void (*cb)(void *arg, const struct vqos_ctl_class *c),
			 void *arg)
{
	if (dir == 0)
		cb(arg, &(struct vqos_ctl_class){ .kind = "htb",
						  .name = "c1",
						  .port = "c1",
						  .bytes = 640,
						  .packets = 10 });
}

/* What `port cost` handed the daemon last. */
static struct vqos_conf_cost last_cost;
static char last_cost_port[32];

static int fake_port_cost(void *aux, const char *name, const struct vqos_conf_cost *cost,
			  struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	if (strcmp(name, "c1") != 0 && strcmp(name, "c2") != 0) {
		snprintf(err, errlen, "port cost: no port named '%s'", name);
		return -ENOENT;
	}
	snprintf(last_cost_port, sizeof(last_cost_port), "%s", name);
	last_cost = *cost;
	out->changed = true;
	snprintf(out->note, sizeof(out->note), "port %s: cost", name);
	return 0;
}

/* What `port add` handed the daemon last. */
static struct vqos_ctl_port_add last_add;

static int fake_port_add(void *aux, const struct vqos_ctl_port_add *add,
			 struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	last_add = *add;
	out->changed = true;
	return 0;
}

static const struct vqos_ctl_ops ops = { .port_foreach = fake_ports,
					 .class_foreach = fake_classes,
					 .lcore_foreach = fake_lcores,
					 .port_cost = fake_port_cost,
					 .port_add = fake_port_add };
static const struct vqos_ctl_env env = { .ops = &ops };

static int run(const char *text, json_t **result, char *err)
{
	struct vqos_ctl_request req;
	int ret = parse(text, &req, err);

	assert_int_equal(ret, 0);
	ret = vqos_ctl_dispatch(&env, &req, result, err, 256);
	vqos_ctl_request_release(&req);
	return ret;
}

/* @p words, from an admin: the status, and the reply's result freed. */
static int run_admin(int argc, const char *const *words, char *err)
{
	struct vqos_ctl_request req = { .argc = argc, .may_write = true };
	json_t *result = NULL;
	int ret;

	memcpy(req.argv, words, (size_t)argc * sizeof(*words));
	ret = vqos_ctl_dispatch(&env, &req, &result, err, 256);
	json_decref(result);
	return ret;
}

/* port add NAME ... [tx CLASS...] [rx CLASS...]: each group a leaf of the
 * new port, its name the port's unless given; bad words named. */
static void test_port_add_leaves(void **state)
{
	const char *two[] = { "port",
			      "add",
			      "web",
			      "socket",
			      "/run/vqos/web.sock",
			      "uplink",
			      "net_virtio_user3,path=/run/vqos/o.sock,server=1",
			      "mac",
			      "02:00:00:00:00:07",
			      "tx",
			      "parent",
			      "root",
			      "rate",
			      "10mbit",
			      "ceil",
			      "20mbit",
			      "prio",
			      "2",
			      "rx",
			      "parent",
			      "root",
			      "rate",
			      "5mbit",
			      "rx",
			      "name",
			      "web-voice",
			      "parent",
			      "root",
			      "pps",
			      "1kpps",
			      "match",
			      "dscp 46" };
	const char *plain[] = {
		"port", "add", "c3", "socket", "/s", "uplink", "net_vhost3,iface=/u"
	};
	static const struct {
		int argc;
		const char *argv[12];
		const char *msg;
	} bad[] = {
		{ 11,
		  { "port", "add", "w", "socket", "/s", "uplink", "u", "tx", "port", "c1", "rate" },
		  "port add: tx class: 'port' is implied (the port being added)" },
		{ 10,
		  { "port", "add", "w", "socket", "/s", "uplink", "u", "tx", "rate", "5kpps" },
		  "port add: tx class: rate: '5kpps' is a packet rate: rate and ceil take bits "
		  "(use pps, cpps)" },
		{ 9,
		  { "port", "add", "w", "socket", "/s", "uplink", "u", "rx", "rx" },
		  "port add: rx class 'w' given twice (name each leaf of a direction)" },
		{ 9,
		  { "port", "add", "w", "socket", "/s", "uplink", "u", "tx", "prio" },
		  "port add: tx class: prio: no value" },
		{ 9,
		  { "port", "add", "w", "socket", "/s", "tx", "rate", "1mbit", "uplink" },
		  "port add: tx class: uplink: no value" },
		{ 8,
		  { "port", "add", "w", "socket", "/s", "tx", "rate", "1mbit" },
		  "port add: usage: port add NAME socket PATH uplink DEVARGS [mode server|client] "
		  "[mac MAC] [tx CLASS...] [rx CLASS...]" },
	};
	char err[256];

	if (run_admin((int)(sizeof(two) / sizeof(two[0])), two, err) != 0)
		fail_msg("%s", err);
	assert_string_equal(last_add.port.name, "web");
	assert_string_equal(last_add.port.mac, "02:00:00:00:00:07");
	assert_int_equal(last_add.n_leaves[0], 1);
	assert_int_equal(last_add.n_leaves[1], 2);
	assert_string_equal(last_add.leaf[0][0].name, "web");
	assert_string_equal(last_add.leaf[0][0].port, "web");
	assert_true(last_add.leaf[0][0].set & VQOS_CONF_CLASS_PORT); /* a dump says it */
	assert_string_equal(last_add.leaf[0][0].parent, "root");
	assert_int_equal(last_add.leaf[0][0].rate_bps, 10000000);
	assert_int_equal(last_add.leaf[0][0].ceil_bps, 20000000);
	assert_int_equal(last_add.leaf[0][0].prio, 2);
	assert_string_equal(last_add.leaf[1][0].name, "web");
	assert_int_equal(last_add.leaf[1][0].rate_bps, 5000000);
	assert_string_equal(last_add.leaf[1][1].name, "web-voice");
	assert_string_equal(last_add.leaf[1][1].port, "web");
	assert_int_equal(last_add.leaf[1][1].rate_pps, 1000);
	assert_int_equal(last_add.leaf[1][1].match.dscp, 1ull << 46);

	assert_int_equal(run_admin(7, plain, err), 0);
	assert_int_equal(last_add.n_leaves[0] + last_add.n_leaves[1], 0);
	assert_string_equal(last_add.port.uplink, "net_vhost3,iface=/u");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run_admin(bad[i].argc, bad[i].argv, err), -EINVAL);
		assert_string_equal(err, bad[i].msg);
	}
}

/* port cost NAME [packet A] [byte B] | NAME none: the words in any order,
 * each once, checked as the file's cost group is. */
static void test_port_cost(void **state)
{
	static const struct {
		int argc;
		const char *argv[7];
		const char *msg;
	} bad[] = {
		{ 5,
		  { "port", "cost", "c1", "packet", "900.5" },
		  "port cost c1: packet: '900.5' is not a whole number of cycles from 0 to "
		  "1000000" },
		{ 5,
		  { "port", "cost", "c1", "byte", "lots" },
		  "port cost c1: byte: 'lots' is not a number of cycles from 0 to 1000 (e.g. "
		  "0.45)" },
		{ 7,
		  { "port", "cost", "c1", "packet", "1", "packet", "2" },
		  "port cost: unexpected 'packet'; usage: port cost NAME [packet CYCLES] [byte "
		  "CYCLES] | NAME none" },
		{ 6,
		  { "port", "cost", "c1", "packet", "1", "byte" },
		  "port cost: unexpected 'byte'; usage: port cost NAME [packet CYCLES] [byte "
		  "CYCLES] | NAME none" },
		{ 4,
		  { "port", "cost", "c1", "free" },
		  "port cost: unexpected 'free'; usage: port cost NAME [packet CYCLES] [byte "
		  "CYCLES] | NAME none" },
		{ 5,
		  { "port", "cost", "c1", "packet", "0" },
		  "port cost c1: a cost of 0 cycles per packet and 0 per byte charges nothing: "
		  "give packet, byte or both" },
		{ 5, { "port", "cost", "c9", "packet", "1" }, "port cost: no port named 'c9'" },
	};
	const char *set[] = { "port", "cost", "c2", "byte", "0.45", "packet", "900" };
	const char *none[] = { "port", "cost", "c1", "none" };
	char err[256];

	assert_int_equal(run_admin(7, set, err), 0);
	assert_string_equal(last_cost_port, "c2");
	assert_true(last_cost.set);
	assert_int_equal(last_cost.packet, 900);
	assert_int_equal(last_cost.byte, 461);
	assert_int_equal(run_admin(4, none, err), 0);
	assert_string_equal(last_cost_port, "c1");
	assert_false(last_cost.set);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(run_admin(bad[i].argc, bad[i].argv, err), 0);
		assert_string_equal(err, bad[i].msg);
	}
}

static void test_port_show(void **state)
{
	json_t *r, *row;
	char err[256];

	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"port\",\"show\"]}", &r, err), 0);
	assert_int_equal(json_array_size(r), 2);
	row = json_array_get(r, 0);
	assert_string_equal(json_string_value(json_object_get(row, "name")), "c1");
	assert_true(json_is_true(json_object_get(row, "connected")));
	assert_true(json_is_true(json_object_get(row, "uplink_up")));
	assert_int_equal(json_integer_value(json_object_get(row, "queues")), 3);
	assert_int_equal(json_integer_value(json_object_get(row, "uplink_queues")), 1);
	assert_string_equal(json_string_value(json_object_get(row, "mode")), "server");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(row, "tx"), "bytes")),
			 640);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(row, "rx"), "drops")),
			 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(row, "tx"), "shaped")),
			 4);
	row = json_array_get(r, 1);
	assert_string_equal(json_string_value(json_object_get(row, "mode")), "client");
	json_decref(r);

	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"port\",\"show\",\"c2\"]}", &r, err), 0);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
}

static void test_dispatch_errors(void **state)
{
	json_t *r;
	char err[256];

	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"port\",\"show\",\"nope\"]}", &r, err),
			 -ENOENT);
	assert_non_null(strstr(err, "no port named 'nope'"));
	assert_null(r);
	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"frobnicate\"]}", &r, err), -EOPNOTSUPP);
	assert_non_null(strstr(err, "unknown command 'frobnicate'"));
	/* "port" alone matches no row: "port show" needs both words. */
	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"port\"]}", &r, err), -EOPNOTSUPP);
	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"port\",\"show\",\"a\",\"b\"]}", &r, err),
			 -EINVAL);
	assert_non_null(strstr(err, "port show: too many arguments"));
	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"version\",\"x\"]}", &r, err), -EINVAL);
}

static void test_builtins(void **state)
{
	json_t *r;
	char err[256];

	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"version\"]}", &r, err), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "protocol")), VQOS_CTL_VERSION);
	json_decref(r);
	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"list-commands\"]}", &r, err), 0);
	assert_true(json_array_size(r) >= 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 0), "command")),
			    "port show");
	json_decref(r);
}

static void test_lcore_show(void **state)
{
	json_t *r, *row;
	char err[256];

	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"lcore\",\"show\"]}", &r, err), 0);
	row = json_array_get(r, 0);
	assert_int_equal(json_integer_value(json_object_get(row, "lcore")), 1);
	assert_true(json_real_value(json_object_get(row, "busy_pct")) == 75.0);
	assert_true(json_real_value(json_object_get(row, "cycles_per_packet")) == 10.0);
	assert_true(json_real_value(json_object_get(row, "stall_pct")) == 12.5);
	assert_int_equal(json_integer_value(json_object_get(row, "waited_ns")), 7);
	json_decref(r);
}

static void test_prometheus(void **state)
{
	json_t *r;
	char err[256];
	const char *text;

	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"stats\",\"--prometheus\"]}", &r, err), 0);
	text = json_string_value(r);
	assert_non_null(text);
	assert_non_null(strstr(text, "# TYPE vqos_port_packets_total counter\n"));
	assert_non_null(strstr(text, "vqos_port_packets_total{port=\"c1\",dir=\"tx\"} 10\n"));
	assert_non_null(strstr(text, "vqos_port_shaped_total{port=\"c1\",dir=\"tx\"} 4\n"));
	assert_non_null(strstr(text, "vqos_port_drops_total{port=\"c1\",dir=\"rx\"} 3\n"));
	assert_non_null(strstr(text, "# TYPE vqos_port_backlog_packets gauge\n"));
	assert_non_null(strstr(text, "vqos_lcore_cycles_total{lcore=\"1\",state=\"busy\"} 300\n"));
	/* nanoseconds in seconds, exactly */
	assert_non_null(
		strstr(text, "vqos_lcore_cpu_wait_seconds_total{lcore=\"1\"} 0.000000007\n"));
	assert_non_null(strstr(text, "vqos_port_connected{port=\"c1\"} 1\n"));
	assert_non_null(strstr(text, "vqos_port_connected{port=\"c2\"} 0\n"));
	assert_non_null(strstr(
		text,
		"vqos_class_bytes_total{dir=\"tx\",class=\"c1\",parent=\"\",port=\"c1\"} 640\n"));
	json_decref(r);
	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"stats\",\"--csv\"]}", &r, err), -EINVAL);
	assert_non_null(strstr(err, "stats: unknown format '--csv'"));
	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"stats\"]}", &r, err), -EINVAL);
}

static void test_bottleneck_needs_a_sample(void **state)
{
	json_t *r;
	char err[256];

	assert_int_equal(run("{\"vqos\":1,\"argv\":[\"bottleneck\"]}", &r, err), -EAGAIN);
	assert_non_null(strstr(err, "no sample yet"));
}

static void test_reply_encode(void **state)
{
	char *ok = vqos_ctl_reply_encode(0, NULL, json_pack("{s:i}", "x", 1));
	char *bad = vqos_ctl_reply_encode(-EINVAL, "nope", NULL);

	assert_string_equal(ok, "{\"vqos\":1,\"status\":0,\"result\":{\"x\":1}}\n");
	assert_string_equal(bad, "{\"vqos\":1,\"status\":-22,\"error\":\"nope\"}\n");
	free(ok);
	free(bad);
}

/* An error text cut inside a UTF-8 character (snprintf of a long non-ASCII
 * name) still gets an answer, cut at the last whole character; so does one
 * that is not UTF-8 at all. Before, the reply could not be encoded and the
 * server closed without one. */
static void test_reply_error_cut_utf8(void **state)
{
	/* "port é, é: no such port" cut after the first byte of the second é,
	 * then after each byte of a 4-byte character */
	static const char *const cut[] = { "port \xc3\xa9, \xc3", "x\xf0\x9f", "x\xf0\x9f\x98",
					   "x\xe2\x82" };
	static const char *const want[] = { "port \xc3\xa9, ", "x", "x", "x" };
	char *line;
	json_t *j;

	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		line = vqos_ctl_reply_encode(-ENOENT, cut[i], NULL);
		assert_non_null(line);
		j = json_loads(line, 0, NULL);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "error")), want[i]);
		json_decref(j);
		free(line);
	}
	line = vqos_ctl_reply_encode(-EINVAL, "bad \xff byte", NULL);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"status\":-22"));
	free(line);
	/* a whole 4-byte character at the end is kept */
	line = vqos_ctl_reply_encode(-EINVAL, "x\xf0\x9f\x98\x80", NULL);
	j = json_loads(line, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "error")), "x\xf0\x9f\x98\x80");
	json_decref(j);
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_parse_round_trip),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_too_many_words_and_too_big),
		cmocka_unit_test(test_port_show),
		cmocka_unit_test(test_dispatch_errors),
		cmocka_unit_test(test_port_cost),
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_lcore_show),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_port_add_leaves),
		cmocka_unit_test(test_bottleneck_needs_a_sample),
		cmocka_unit_test(test_reply_encode),
		cmocka_unit_test(test_reply_error_cut_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
