/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What vqosctl prints, byte for byte: port show, class show, lcore show and
 * bottleneck as -j prints them and as text, and stats --prometheus, from
 * counters staged
 * by hand, against the files of tests/ctl/output/. Scripts (results/) and the
 * integration tests parse these outputs: a change to one of those files is a
 * change of vqos's interface, to be made on purpose. With VQOS_OUTPUT_WRITE
 * set in the environment the test writes the files instead of comparing.
 */
#define _GNU_SOURCE /* open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/vqos_ctl.h"
#include "golden.h"
#include "vqosctl_print.h"

/* Counters are multiplied by this, so that two samples differ. */
static uint64_t scale = 1;

static void fake_ports(void *aux, void (*cb)(void *arg, const struct vqos_ctl_port *port),
		       void *arg)
{
	struct vqos_ctl_port p = {
		.name = "c1",
		.socket = "/run/vqos/c1.sock",
		.uplink = "net_virtio_user0,path=/run/ovs/vhu-c1",
		.connected = true,
		.uplink_up = true,
		.queues = 4,
		.uplink_queues = 2,
		.lcore = 1,
		.cost = { .set = true, .packet = 900, .byte = 461 },
	};

	/* every counter its own value: tx 1001, 1002, ...; rx 2001, ... */
	for (int d = 0; d < 2; d++) {
		struct vqos_ctl_dir *c = d ? &p.rx : &p.tx;
		uint64_t base = scale * (d ? 2000 : 1000);

		*c = (struct vqos_ctl_dir){ .offered = base + 1 * scale,
					    .packets = base + 2 * scale,
					    .bytes = base + 3 * scale,
					    .drops = base + 4 * scale,
					    .shaped = base + 5 * scale,
					    .backlog = base + 6 * scale,
					    .uplink_full = base + 7 * scale,
					    .vring_full = base + 8 * scale,
					    .backlogged = base + 9 * scale,
					    .link_down = base + 10 * scale };
	}
	cb(arg, &p);
	p = (struct vqos_ctl_port){ .name = "c2",
				    .socket = "/run/vqos/c2.sock",
				    .uplink = "net_null0",
				    .client = true,
				    .uplink_queues = 1,
				    .lcore = 2 };
	cb(arg, &p);
}

static void fake_lcores(void *aux, void (*cb)(void *arg, const struct vqos_ctl_lcore *lcore),
			void *arg)
{
	struct vqos_ctl_lcore l = { .lcore = 1,
				    .n_ports = 1,
				    .busy_cycles = scale * 300,
				    .idle_cycles = scale * 50,
				    .stall_cycles = scale * 50,
				    .waited_ns = scale * 7,
				    .packets = scale * 40,
				    .busy_packets = scale * 30,
				    .unknown_dst = scale * 5,
				    .sleep_cycles = scale * 400,
				    .sleeps = scale * 9,
				    .kicks = scale * 3,
				    .hz = 1000 };

	cb(arg, &l);
	/* an lcore that never ran: no division by zero */
	l = (struct vqos_ctl_lcore){ .lcore = 2, .n_ports = 1, .hz = 1000 };
	cb(arg, &l);
}

/* tx: a root limited in bits and cycles over c1 (cycles, with a debt) and
 * c2 (packets); rx: one class of a police tree. */
static void fake_classes(void *aux, int dir, void (*cb)(void *arg, const struct vqos_ctl_class *c),
			 void *arg)
{
	struct vqos_ctl_class c = { .kind = "htb",
				    .name = "root",
				    .rate_bps = 10000000000ull,
				    .ceil_bps = 10000000000ull,
				    .rate_cps = 2000000000,
				    .ceil_cps = 3000000000ull,
				    .burst = 1301200,
				    .cburst = 1301200,
				    .quantum = 200000,
				    .bytes = 3000000,
				    .packets = 3000,
				    .lends = 2500,
				    .tokens = 1000,
				    .ctokens = 2000,
				    .cyc_tokens = 40000,
				    .cyc_ctokens = 50000 };

	if (dir == 1) {
		cb(arg, &(struct vqos_ctl_class){ .kind = "police",
						  .name = "c1",
						  .port = "c1",
						  .rate_bps = 1000000,
						  .ceil_bps = 1000000,
						  .drops = 7 });
		return;
	}
	cb(arg, &c);
	c = (struct vqos_ctl_class){ .kind = "htb",
				     .name = "c1",
				     .parent = "root",
				     .port = "c1",
				     .depth = 1,
				     .rate_cps = 1000000000,
				     .ceil_cps = 3000000000ull,
				     .prio = 1,
				     .quantum = 1600,
				     .bytes = 2000000,
				     .packets = 2000,
				     .overlimits = 4,
				     .borrows = 500,
				     .cyc_tokens = -1234,
				     .cyc_ctokens = 5678 };
	cb(arg, &c);
	c = (struct vqos_ctl_class){ .kind = "htb",
				     .name = "c2",
				     .parent = "root",
				     .port = "c2",
				     .depth = 1,
				     .rate_pps = 10000,
				     .ceil_pps = 20000,
				     .quantum = 1600,
				     .bytes = 1000000,
				     .packets = 1000 };
	cb(arg, &c);
}

static const struct vqos_ctl_ops ops = { .port_foreach = fake_ports,
					 .class_foreach = fake_classes,
					 .lcore_foreach = fake_lcores };
static const struct vqos_ctl_env env = { .ops = &ops };

/* Compare @p text with tests/ctl/output/@p name (or write it there). */
static void check(const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/ctl/output/%s", VQOS_SOURCE_DIR, name);
	golden_check(path, text);
}

/* What vqosctl prints for the reply @p result to @p argv: its JSON with -j,
 * else its text (with -s when @p stats). */
static void check_output(const char *name, const json_t *result, bool json, int argc,
			 const char *const *argv, bool stats)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (json) {
		assert_int_equal(json_dumpf(result, f, JSON_INDENT(2) | JSON_ENCODE_ANY), 0);
		fputc('\n', f);
	} else {
		assert_int_equal(vqosctl_print(f, argc, argv, stats, result), 0);
	}
	assert_int_equal(fclose(f), 0);
	check(name, text);
	free(text);
}

/* The reply to @p argv, dispatched as the server does. */
static json_t *reply(int argc, const char *const *argv)
{
	struct vqos_ctl_request req = { .argc = argc };
	json_t *result;
	char err[256];

	memcpy(req.argv, argv, (size_t)argc * sizeof(*argv));
	assert_int_equal(vqos_ctl_dispatch(&env, &req, &result, err, sizeof(err)), 0);
	return result;
}

static void test_port_show(void **state)
{
	const char *argv[] = { "port", "show" };
	json_t *r = reply(2, argv);

	check_output("port_show.json", r, true, 2, argv, false);
	check_output("port_show.txt", r, false, 2, argv, false);
	check_output("port_show_s.txt", r, false, 2, argv, true);
	json_decref(r);
}

static void test_class_show(void **state)
{
	const char *argv[] = { "class", "show" };
	json_t *r = reply(2, argv);

	check_output("class_show.json", r, true, 2, argv, false);
	check_output("class_show.txt", r, false, 2, argv, false);
	check_output("class_show_s.txt", r, false, 2, argv, true);
	json_decref(r);
}

static void test_lcore_show(void **state)
{
	const char *argv[] = { "lcore", "show" };
	json_t *r = reply(2, argv);

	check_output("lcore_show.json", r, true, 2, argv, false);
	check_output("lcore_show.txt", r, false, 2, argv, false);
	json_decref(r);
}

static void test_prometheus(void **state)
{
	const char *argv[] = { "stats", "--prometheus" };
	json_t *r = reply(2, argv);

	check_output("stats_prometheus.txt", r, false, 2, argv, false);
	json_decref(r);
}

static void test_bottleneck(void **state)
{
	const char *argv[] = { "bottleneck" };
	json_t *pa, *la, *pb, *lb, *r;

	scale = 1;
	pa = vqos_ctl_ports_json(&ops);
	la = vqos_ctl_lcores_json(&ops);
	scale = 3;
	pb = vqos_ctl_ports_json(&ops);
	lb = vqos_ctl_lcores_json(&ops);
	scale = 1;
	r = vqos_ctl_bottleneck(pa, la, pb, lb, 2.0);
	check_output("bottleneck.json", r, true, 1, argv, false);
	check_output("bottleneck.txt", r, false, 1, argv, false);
	json_decref(pa);
	json_decref(la);
	json_decref(pb);
	json_decref(lb);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_show),  cmocka_unit_test(test_class_show),
		cmocka_unit_test(test_lcore_show), cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_bottleneck),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
