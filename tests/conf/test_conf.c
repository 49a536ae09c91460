/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of conf/conf.c: good files load into the expected structs; every bad
 * input is refused with -EINVAL (or an errno for I/O), a message naming the
 * exact file, line and key, and no struct.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/vqos_conf.h"
#include "conf_test.h"

#ifndef VQOS_SOURCE_DIR
#error "VQOS_SOURCE_DIR must name the source tree"
#endif

/* A valid port group, on one line. */
#define PORT(n)                                                                                    \
	"{ name = \"c" #n "\"; socket = \"/run/c" #n ".sock\"; uplink = \"net_null" #n "\"; }"

static char *read_whole(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* ---- good input ---- */

static void test_default(void **state)
{
	struct vqos_conf *conf = load_ok(vqos_conf_default_text());
	int i;

	assert_string_equal(conf->ctl_socket, "/run/vqos/vqosd.sock");
	assert_string_equal(conf->ctl_socket, VQOS_CONF_DEFAULT_CTL_SOCKET);
	assert_int_equal(conf->n_ports, 2);
	assert_string_equal(conf->ports[0].name, "c1");
	assert_string_equal(conf->ports[0].socket, "/run/vqos/c1.sock");
	assert_false(conf->ports[0].client);
	assert_string_equal(conf->ports[0].uplink, "net_vhost_c1,iface=/run/vqos/uplink-c1.sock");
	assert_string_equal(conf->ports[1].name, "c2");
	assert_string_equal(conf->ports[1].socket, "/run/vqos/c2.sock");
	assert_false(conf->ports[1].client);
	assert_string_equal(conf->ports[1].uplink, "net_vhost_c2,iface=/run/vqos/uplink-c2.sock");
	/* tx shaped by htb: a leaf a port under a root with room for both ceilings
	 * (the demo, scripts/demo.sh, shows each container held to its ceiling) */
	assert_string_equal(conf->tx.qdisc, "htb");
	assert_int_equal(conf->tx.n_classes, 3);
	assert_string_equal(conf->tx.classes[0].name, "root");
	assert_int_equal(conf->tx.classes[0].rate_bps, 100000000);
	for (i = 1; i < 3; i++) {
		assert_string_equal(conf->tx.classes[i].parent, "root");
		assert_string_equal(conf->tx.classes[i].port, conf->ports[i - 1].name);
		assert_true(conf->tx.classes[i].rate_bps < conf->tx.classes[i].ceil_bps);
	}
	assert_true(conf->tx.classes[1].ceil_bps + conf->tx.classes[2].ceil_bps <=
		    conf->tx.classes[0].rate_bps);
	assert_int_equal(conf->rx.n_classes, 0);
	/* no hugepages, own prefix, control on CPU 0 and data path on CPU 1 */
	assert_true(conf->eal_argc >= 6);
	assert_string_equal(conf->eal_argv[0], "--no-huge");
	for (i = 0; i < conf->eal_argc - 1; i++) {
		if (strcmp(conf->eal_argv[i], "--lcores") == 0)
			assert_string_equal(conf->eal_argv[i + 1], "0@0,1@1");
		if (strcmp(conf->eal_argv[i], "--file-prefix") == 0)
			assert_string_equal(conf->eal_argv[i + 1], "vqosd");
	}
	vqos_conf_free(conf);
}

/* The embedded text is conf/default.conf, byte for byte. */
static void test_default_is_the_file(void **state)
{
	char *text = read_whole(VQOS_SOURCE_DIR "/conf/default.conf");

	assert_string_equal(vqos_conf_default_text(), text);
	free(text);
}

/* Only ports: eal is the default's, the control socket the default one. */
static void test_minimal(void **state)
{
	struct vqos_conf *def = load_ok(vqos_conf_default_text());
	struct vqos_conf *conf = load_ok("ports = ( " PORT(1) " );\n");
	int i;

	assert_int_equal(conf->eal_argc, def->eal_argc);
	for (i = 0; i < conf->eal_argc; i++)
		assert_string_equal(conf->eal_argv[i], def->eal_argv[i]);
	assert_string_equal(conf->ctl_socket, VQOS_CONF_DEFAULT_CTL_SOCKET);
	assert_int_equal(conf->n_ports, 1);
	assert_string_equal(conf->ports[0].name, "c1");
	assert_string_equal(conf->ports[0].socket, "/run/c1.sock");
	assert_string_equal(conf->ports[0].uplink, "net_null1");
	assert_false(conf->ports[0].client);
	vqos_conf_free(conf);
	vqos_conf_free(def);
}

static void test_full(void **state)
{
	struct vqos_conf *conf =
		load_ok("# every key\n"
			"eal = [ \"--no-huge\", \"-m\", \"256\" ];\n"
			"control = { socket = \"/tmp/ctl.sock\"; };\n"
			"ports = (\n"
			"  { name = \"web-1.a_b\"; socket = \"/run/w.sock\"; mode = \"client\";\n"
			"    uplink = \"net_virtio_user0,path=/run/ovs/vhu0\"; },\n"
			"  { name = \"db\"; socket = \"/run/d.sock\"; mode = \"server\";\n"
			"    uplink = \"net_virtio_user1,path=/run/ovs/vhu1\"; }\n"
			");\n");

	assert_int_equal(conf->eal_argc, 3);
	assert_string_equal(conf->eal_argv[0], "--no-huge");
	assert_string_equal(conf->eal_argv[1], "-m");
	assert_string_equal(conf->eal_argv[2], "256");
	assert_string_equal(conf->ctl_socket, "/tmp/ctl.sock");
	assert_int_equal(conf->n_ports, 2);
	assert_string_equal(conf->ports[0].name, "web-1.a_b");
	assert_true(conf->ports[0].client);
	assert_string_equal(conf->ports[0].uplink, "net_virtio_user0,path=/run/ovs/vhu0");
	assert_string_equal(conf->ports[1].name, "db");
	assert_false(conf->ports[1].client);
	vqos_conf_free(conf);
}

/* eal may be a list too, and may be empty (EAL's own defaults). */
static void test_eal_forms(void **state)
{
	struct vqos_conf *conf = load_ok("eal = ( \"--no-pci\", \"-l\", \"0\" );\n"
					 "ports = ( " PORT(1) " );\n");

	assert_int_equal(conf->eal_argc, 3);
	assert_string_equal(conf->eal_argv[1], "-l");
	vqos_conf_free(conf);
	conf = load_ok("eal = [];\nports = ( " PORT(1) " );\n");
	assert_int_equal(conf->eal_argc, 0);
	vqos_conf_free(conf);
	conf = load_ok("eal = ();\nports = ( " PORT(1) " );\n");
	assert_int_equal(conf->eal_argc, 0);
	vqos_conf_free(conf);
}

/* Text with @p n strings "a" of eal, or a port with fields of given lengths. */
static char *eal_text(int n)
{
	size_t len = 64 + (size_t)n * 6 + 200;
	char *text = malloc(len);
	size_t pos;
	int i;

	assert_non_null(text);
	pos = (size_t)snprintf(text, len, "eal = [");
	for (i = 0; i < n; i++)
		pos += (size_t)snprintf(text + pos, len - pos, "%s\"a\"", i > 0 ? ", " : "");
	snprintf(text + pos, len - pos, "];\nports = ( " PORT(1) " );\n");
	return text;
}

static char *port_text(size_t name_len, size_t socket_len, size_t uplink_len)
{
	char *name = malloc(name_len + 1), *socket = malloc(socket_len + 1);
	char *uplink = malloc(uplink_len + 1);
	size_t len = name_len + socket_len + uplink_len + 200;
	char *text = malloc(len);

	assert_true(name && socket && uplink && text);
	memset(name, 'n', name_len);
	name[name_len] = '\0';
	memset(socket, 's', socket_len);
	socket[0] = '/';
	socket[socket_len] = '\0';
	memset(uplink, 'u', uplink_len);
	uplink[uplink_len] = '\0';
	snprintf(text, len,
		 "ports = (\n  { name = \"%s\";\n socket = \"%s\";\n uplink = \"%s\"; }\n);\n",
		 name, socket, uplink);
	free(name);
	free(socket);
	free(uplink);
	return text;
}

/* Each limit: the longest that fits loads, one more is refused. */
static void test_limits(void **state)
{
	struct vqos_conf *conf;
	char *text;

	text = eal_text(VQOS_CONF_EAL_MAX);
	conf = load_ok(text);
	assert_int_equal(conf->eal_argc, VQOS_CONF_EAL_MAX);
	vqos_conf_free(conf);
	free(text);
	text = eal_text(VQOS_CONF_EAL_MAX + 1);
	expect_error(text, "t.conf:1: key 'eal': 65 arguments, at most 64");
	free(text);

	text = port_text(VQOS_CONF_NAME_MAX - 1, VQOS_CONF_PATH_MAX - 1, VQOS_CONF_DEVARGS_MAX - 1);
	conf = load_ok(text);
	assert_int_equal(strlen(conf->ports[0].name), VQOS_CONF_NAME_MAX - 1);
	assert_int_equal(strlen(conf->ports[0].socket), VQOS_CONF_PATH_MAX - 1);
	assert_int_equal(strlen(conf->ports[0].uplink), VQOS_CONF_DEVARGS_MAX - 1);
	vqos_conf_free(conf);
	free(text);
	text = port_text(VQOS_CONF_NAME_MAX, 10, 10);
	expect_error(text, "t.conf:2: key 'ports.[0].name': longer than 31 characters");
	free(text);
	text = port_text(10, VQOS_CONF_PATH_MAX, 10);
	expect_error(text, "t.conf:3: key 'ports.[0].socket': longer than 107 characters");
	free(text);
	text = port_text(10, 10, VQOS_CONF_DEVARGS_MAX);
	expect_error(text, "t.conf:4: key 'ports.[0].uplink': longer than 511 characters");
	free(text);
}

/* ---- bad input: every message names file, line and key ---- */

static void test_unknown_keys(void **state)
{
	static const struct bad_case cases[] = {
		/* top level */
		{ "ports = ( " PORT(1) " );\n"
				       "lcore = 1;\n",
		  "t.conf:2: key 'lcore': unknown key (known here: eal, control, datapath, ports, "
		  "tx, rx)" },
		/* in control */
		{ "control = {\n"
		  "  sockett = \"/x.sock\";\n"
		  "};\n"
		  "ports = ( " PORT(1) " );\n",
		  "t.conf:2: key 'control.sockett': unknown key (known here: socket, owner, group, "
		  "mode, admin)" },
		/* in a port */
		{ "ports = (\n"
		  "  " PORT(1) ",\n"
			       "  { name = \"c2\"; socket = \"/run/c2.sock\"; uplink = "
			       "\"net_null2\";\n"
			       "    queues = 2; }\n"
			       ");\n",
		  "t.conf:4: key 'ports.[1].queues': unknown key "
		  "(known here: name, socket, mode, uplink, mac, cost)" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

/* datapath.sleep_max: a time as tc writes it, at most 10 ms; unset stays
 * unset (vqosd's default); the dump gives back the same time. */
static void test_sleep_max(void **state)
{
	static const struct {
		const char *text;
		uint64_t us;
	} ok[] = { { "\"0\"", 0 },	  { "\"200\"", 200 },	 { "\"500us\"", 500 },
		   { "\"1.5ms\"", 1500 }, { "\"10ms\"", 10000 }, { "\"0.01s\"", 10000 } };
	static const struct bad_case bad[] = {
		{ "datapath = { sleep_max = \"20ms\"; };\nports = ( " PORT(1) " );\n",
		  "t.conf:1: key 'datapath.sleep_max': '20ms' is over 10ms, the most an lcore may "
		  "sleep" },
		{ "datapath = { sleep_max = \"5 min\"; };\nports = ( " PORT(1) " );\n",
		  "t.conf:1: key 'datapath.sleep_max': '5 min' is not a time such as \"500us\" or "
		  "\"1ms\"" },
		{ "datapath = {\n sleep = \"5us\"; };\nports = ( " PORT(1) " );\n",
		  "t.conf:2: key 'datapath.sleep': unknown key (known here: sleep_max)" },
	};
	struct vqos_conf *conf = load_ok("ports = ( " PORT(1) " );\n"), *again;
	char text[256], *dump = NULL;

	assert_true(conf->sleep_max_us == VQOS_CONF_SLEEP_MAX_UNSET);
	assert_int_equal(vqos_conf_dump(conf, &dump), 0);
	assert_null(strstr(dump, "datapath"));
	free(dump);
	vqos_conf_free(conf);
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(text, sizeof(text),
			 "datapath = { sleep_max = %s; };\nports = ( " PORT(1) " );\n", ok[i].text);
		conf = load_ok(text);
		assert_int_equal(conf->sleep_max_us, ok[i].us);
		assert_int_equal(vqos_conf_dump(conf, &dump), 0);
		again = load_ok(dump);
		assert_int_equal(again->sleep_max_us, ok[i].us);
		free(dump);
		vqos_conf_free(again);
		vqos_conf_free(conf);
	}
	expect_errors(bad, ARRAY_SIZE(bad));
}

static void test_wrong_types(void **state)
{
	static const struct bad_case cases[] = {
		{ "ports = (\n"
		  "  { name = 3; socket = \"/run/c1.sock\"; uplink = \"net_null0\"; }\n"
		  ");\n",
		  "t.conf:2: key 'ports.[0].name': expected a string, got an integer" },
		{ "eal = \"--no-huge\";\nports = ( " PORT(1) " );\n",
		  "t.conf:1: key 'eal': expected an array of strings, got a string" },
		{ "eal = { a = 1; };\nports = ( " PORT(1) " );\n",
		  "t.conf:1: key 'eal': expected an array of strings, got a group" },
		{ "eal = [ 1, 2 ];\nports = ( " PORT(1) " );\n",
		  "t.conf:1: key 'eal.[0]': expected a string, got an integer" },
		{ "eal = ( \"-l\",\n 0.5 );\nports = ( " PORT(1) " );\n",
		  "t.conf:2: key 'eal.[1]': expected a string, got a float" },
		{ "eal = [ \"\" ];\nports = ( " PORT(1) " );\n", "t.conf:1: key 'eal.[0]': empty" },
		{ "control = \"/run/x.sock\";\nports = ( " PORT(1) " );\n",
		  "t.conf:1: key 'control': expected a group, got a string" },
		{ "control = { socket = 5; };\nports = ( " PORT(1) " );\n",
		  "t.conf:1: key 'control.socket': expected a string, got an integer" },
		{ "ports = { name = \"c1\"; };\n", "t.conf:1: key 'ports': expected a list of "
						   "groups ( { ... }, ... ), got a group" },
		{ "ports = {};\n", "t.conf:1: key 'ports': expected a list of groups ( { ... }, "
				   "... ), got a group" },
		{ "ports = [ \"c1\" ];\n", "t.conf:1: key 'ports': expected a list of groups ( { "
					   "... }, ... ), got an array" },
		{ "ports = \"c1\";\n", "t.conf:1: key 'ports': expected a list of groups ( { ... "
				       "}, ... ), got a string" },
		{ "ports = (\n " PORT(1) ",\n \"c2\" );\n",
		  "t.conf:3: key 'ports.[1]': expected a group, got a string" },
		{ "ports = (\n { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"u\";\n"
		  "   mode = true; } );\n",
		  "t.conf:3: key 'ports.[0].mode': expected a string, got a boolean" },
		{ "ports = (\n { name = \"c1\"; socket = [ \"/a\" ]; uplink = \"u\"; } );\n",
		  "t.conf:2: key 'ports.[0].socket': expected a string, got an array" },
		{ "ports = (\n { name = \"c1\"; socket = \"/a\"; uplink = ( \"u\" ); } );\n",
		  "t.conf:2: key 'ports.[0].uplink': expected a string, got a list" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

static void test_no_ports(void **state)
{
	static const struct bad_case cases[] = {
		{ "", "t.conf: key 'ports': no ports: at least one port is required" },
		{ "eal = [];\ncontrol = { socket = \"/run/c.sock\"; };\n",
		  "t.conf: key 'ports': no ports: at least one port is required" },
		{ "eal = [];\n\nports = ();\n",
		  "t.conf:3: key 'ports': no ports: the list is empty" },
		{ "ports = [];\n", "t.conf:1: key 'ports': no ports: the list is empty" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

static void test_missing_port_keys(void **state)
{
	static const struct bad_case cases[] = {
		{ "ports = (\n  " PORT(
			  1) ",\n  { socket = \"/run/c2.sock\"; uplink = \"u2\"; }\n);\n",
		  "t.conf:3: key 'ports.[1].name': missing: every port needs one" },
		{ "ports = (\n  { name = \"c1\";\n    uplink = \"u1\"; }\n);\n",
		  "t.conf:2: key 'ports.[0].socket': missing: every port needs one" },
		{ "ports = (\n  {\n    name = \"c1\";\n    socket = \"/run/c1.sock\";\n  }\n);\n",
		  "t.conf:2: key 'ports.[0].uplink': missing: every port needs one" },
		{ "ports = ( {} );\n",
		  "t.conf:1: key 'ports.[0].name': missing: every port needs one" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

/* Ports that each give a mac share an uplink; the macs survive a dump. */
static void test_shared_uplink(void **state)
{
	struct vqos_conf *c =
		load_ok("ports = (\n"
			"  { name = \"c1\"; socket = \"/run/a.sock\"; uplink = \"ua\";\n"
			"    mac = \"02:00:00:00:00:01\"; },\n"
			"  { name = \"c2\"; socket = \"/run/b.sock\"; uplink = \"ua\";\n"
			"    mac = \"0a:BC:00:00:00:02\"; },\n"
			"  { name = \"c3\"; socket = \"/run/c.sock\"; uplink = \"ub\"; }\n"
			");\n");
	struct vqos_conf *again;
	char *text = NULL, err[256];

	assert_int_equal(c->n_ports, 3);
	assert_string_equal(c->ports[0].mac, "02:00:00:00:00:01");
	assert_string_equal(c->ports[1].mac, "0a:BC:00:00:00:02");
	assert_string_equal(c->ports[2].mac, "");
	assert_int_equal(vqos_conf_dump(c, &text), 0);
	assert_int_equal(vqos_conf_load_string(text, "dump", &again, err, sizeof(err)), 0);
	assert_string_equal(again->ports[1].mac, "0a:BC:00:00:00:02");
	assert_string_equal(again->ports[2].mac, "");
	assert_true(vqos_conf_mac_valid("02:00:00:00:00:01"));
	assert_false(vqos_conf_mac_valid("01:00:5e:00:00:01"));
	assert_false(vqos_conf_mac_valid("02:00:00:00:00:0g"));
	assert_false(vqos_conf_mac_valid(""));
	free(text);
	vqos_conf_free(again);
	vqos_conf_free(c);
}

static void test_duplicates(void **state)
{
	static const struct bad_case cases[] = {
		{ "ports = (\n"
		  "  { name = \"c1\"; socket = \"/run/a.sock\"; uplink = \"ua\"; },\n"
		  "  { name = \"c2\"; socket = \"/run/b.sock\"; uplink = \"ub\"; },\n"
		  "  { name = \"c1\"; socket = \"/run/c.sock\"; uplink = \"uc\"; }\n"
		  ");\n",
		  "t.conf:4: key 'ports.[2].name': 'c1' is already used by ports.[0] (line 2)" },
		{ "ports = (\n"
		  "  { name = \"c1\"; socket = \"/run/a.sock\"; uplink = \"ua\"; },\n"
		  "  { name = \"c2\";\n"
		  "    socket = \"/run/a.sock\"; uplink = \"ub\"; }\n"
		  ");\n",
		  "t.conf:4: key 'ports.[1].socket': '/run/a.sock' is already used by ports.[0] "
		  "(line 2)" },
		{ "ports = (\n"
		  "  { name = \"c1\"; socket = \"/run/a.sock\"; uplink = \"ua\"; },\n"
		  "  { name = \"c2\"; socket = \"/run/b.sock\";\n"
		  "    uplink = \"ua\"; }\n"
		  ");\n",
		  "t.conf:4: key 'ports.[1].uplink': 'ua' is already used by ports.[0] (line 2): "
		  "ports that share an uplink each need a mac" },
		/* shared, but one of them has no mac */
		{ "ports = (\n"
		  "  { name = \"c1\"; socket = \"/run/a.sock\"; uplink = \"ua\"; },\n"
		  "  { name = \"c2\"; socket = \"/run/b.sock\";\n"
		  "    uplink = \"ua\"; mac = \"02:00:00:00:00:02\"; }\n"
		  ");\n",
		  "t.conf:4: key 'ports.[1].uplink': 'ua' is already used by ports.[0] (line 2): "
		  "ports that share an uplink each need a mac" },
		/* two ports, one mac */
		{ "ports = (\n"
		  "  { name = \"c1\"; socket = \"/run/a.sock\"; uplink = \"ua\"; mac = "
		  "\"02:00:00:00:00:01\"; },\n"
		  "  { name = \"c2\"; socket = \"/run/b.sock\";\n"
		  "    uplink = \"ua\"; mac = \"02:00:00:00:00:01\"; }\n"
		  ");\n",
		  "t.conf:4: key 'ports.[1].mac': '02:00:00:00:00:01' is already used by ports.[0] "
		  "(line 2)" },
		/* in another case: the same six bytes to the data path */
		{ "ports = (\n"
		  "  { name = \"c1\"; socket = \"/run/a.sock\"; uplink = \"ua\"; mac = "
		  "\"0a:bc:00:00:00:01\"; },\n"
		  "  { name = \"c2\"; socket = \"/run/b.sock\";\n"
		  "    uplink = \"ua\"; mac = \"0A:BC:00:00:00:01\"; }\n"
		  ");\n",
		  "t.conf:4: key 'ports.[1].mac': '0A:BC:00:00:00:01' is already used by ports.[0] "
		  "(line 2)" },
		/* a port socket that is the control socket, whichever comes first */
		{ "ports = (\n"
		  "  { name = \"c1\"; socket = \"/run/vqos/vqosd.sock\"; uplink = \"u\"; }\n"
		  ");\n",
		  "t.conf:2: key 'ports.[0].socket': '/run/vqos/vqosd.sock' is the control "
		  "socket" },
		{ "ports = (\n"
		  "  { name = \"c1\"; socket = \"/run/c.sock\"; uplink = \"u\"; }\n"
		  ");\n"
		  "control = { socket = \"/run/c.sock\"; };\n",
		  "t.conf:2: key 'ports.[0].socket': '/run/c.sock' is the control socket" },
		/* the same key twice in one group is libconfig's own error */
		{ "ports = (\n"
		  "  { name = \"c1\"; socket = \"/a\";\n"
		  "    name = \"c2\"; uplink = \"u\"; }\n"
		  ");\n",
		  "t.conf:3: duplicate setting name" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

static void test_bad_values(void **state)
{
	static const struct bad_case cases[] = {
		{ "ports = (\n { name = \"c1\"; socket = \"/a\"; uplink = \"u\";\n"
		  " mode = \"serve\"; }\n);\n",
		  "t.conf:3: key 'ports.[0].mode': 'serve' is neither \"server\" nor \"client\"" },
		{ "ports = (\n { name = \"c1\"; socket = \"/a\"; uplink = \"u\"; mode = \"\"; "
		  "}\n);\n",
		  "t.conf:2: key 'ports.[0].mode': empty" },
		{ "ports = (\n { name = \"c1\"; socket = \"/a\"; uplink = \"u\"; mac = "
		  "\"02:00:00:00:01\"; }\n);\n",
		  "t.conf:2: key 'ports.[0].mac': '02:00:00:00:01' is not a unicast MAC address "
		  "such "
		  "as \"02:00:00:00:00:01\"" },
		{ "ports = (\n { name = \"c1\"; socket = \"/a\"; uplink = \"u\"; mac = "
		  "\"03:00:00:00:00:01\"; }\n);\n",
		  "t.conf:2: key 'ports.[0].mac': '03:00:00:00:00:01' is not a unicast MAC address "
		  "such "
		  "as \"02:00:00:00:00:01\"" },
		{ "ports = (\n { name = \"c1\"; socket = \"/a\"; uplink = \"u\"; mac = "
		  "\"02-00-00-00-00-01\"; }\n);\n",
		  "t.conf:2: key 'ports.[0].mac': '02-00-00-00-00-01' is not a unicast MAC address "
		  "such "
		  "as \"02:00:00:00:00:01\"" },
		{ "ports = (\n { name = \"c 1\"; socket = \"/a\"; uplink = \"u\"; }\n);\n",
		  "t.conf:2: key 'ports.[0].name': 'c 1' has a character outside [A-Za-z0-9_.-]" },
		{ "ports = (\n { name = \"c/1\"; socket = \"/a\"; uplink = \"u\"; }\n);\n",
		  "t.conf:2: key 'ports.[0].name': 'c/1' has a character outside [A-Za-z0-9_.-]" },
		{ "ports = (\n { name = \"\"; socket = \"/a\"; uplink = \"u\"; }\n);\n",
		  "t.conf:2: key 'ports.[0].name': empty" },
		{ "ports = (\n { name = \"c1\"; socket = \"run/c1.sock\"; uplink = \"u\"; }\n);\n",
		  "t.conf:2: key 'ports.[0].socket': 'run/c1.sock' is not an absolute path" },
		{ "ports = (\n { name = \"c1\"; socket = \"/a\"; uplink = \"\"; }\n);\n",
		  "t.conf:2: key 'ports.[0].uplink': empty" },
		{ "control = { socket = \"vqosd.sock\"; };\nports = ( " PORT(1) " );\n",
		  "t.conf:1: key 'control.socket': 'vqosd.sock' is not an absolute path" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

/* A class group with @p x in it, on line 3. */
#define CLASS_WITH(x)                                                                              \
	"ports = ( " PORT(1) " );\n"                                                               \
			     "tx = { classes = (\n"                                                \
			     "  { name = \"root\"; # 4294967296, \"0x100000000\"\n  " x            \
			     " } ); };\n"

/*
 * An integer is the value the file writes, or refused: libconfig 1.5 keeps
 * the low 32 bits of one written without L, so "limit = 4294967396;" read
 * as 100 and was taken; and any version clamps one beyond 64 bits.
 */
static void test_integers_as_written(void **state)
{
	static const struct bad_case cases[] = {
		{ CLASS_WITH("limit = 4294967396;"),
		  "t.conf:4: key 'tx.classes.[0].limit': 4294967396 does not fit 32 bits, and "
		  "libconfig reads it as 100: write 4294967396L" },
		{ CLASS_WITH("prio = 1; burst = 4294967296; prio2 = 3;"),
		  "t.conf:4: key 'tx.classes.[0].burst': 4294967296 does not fit 32 bits, and "
		  "libconfig reads it as 0: write 4294967296L" },
		{ CLASS_WITH("quantum = 2147483648;"),
		  "t.conf:4: key 'tx.classes.[0].quantum': 2147483648 does not fit 32 bits, and "
		  "libconfig reads it as -2147483648: write 2147483648L" },
		{ CLASS_WITH("limit = 0x100000064;"),
		  "t.conf:4: key 'tx.classes.[0].limit': 0x100000064 does not fit 32 bits, and "
		  "libconfig reads it as 100: write 0x100000064L" },
		{ CLASS_WITH("limit = 0xffffffff;"),
		  "t.conf:4: key 'tx.classes.[0].limit': 0xffffffff does not fit 32 bits, and "
		  "libconfig reads it as -1: write 0xffffffffL" },
		{ CLASS_WITH("limit = 18446744073709551616L;"),
		  "t.conf:4: key 'tx.classes.[0].limit': 18446744073709551616L is beyond the "
		  "64-bit "
		  "integers libconfig reads" },
		{ CLASS_WITH("limit = -9223372036854775809;"),
		  "t.conf:4: key 'tx.classes.[0].limit': -9223372036854775809 is beyond the 64-bit "
		  "integers libconfig reads" },
		/* the literals of strings, comments and floats are not integers */
		{ "eal = [ \"5000000000\" ]; /* 5000000000 */ x = 1.5e10; y = 5000000000;\n"
		  "ports = ( " PORT(1) " );\n",
		  "t.conf:1: key 'y': 5000000000 does not fit 32 bits, and libconfig reads it as "
		  "705032704: write 5000000000L" },
	};
	struct vqos_conf *conf;
	char *text;

	expect_errors(cases, ARRAY_SIZE(cases));
	/* with L they are what they say */
	conf = load_ok(CLASS_WITH("limit = 4294967396L; burst = 0x100000000L; prio = 7; "
				  "quantum = 2147483647;"));
	assert_int_equal(conf->tx.classes[0].limit, 4294967396ULL);
	assert_int_equal(conf->tx.classes[0].burst, 4294967296ULL);
	assert_int_equal(conf->tx.classes[0].prio, 7);
	assert_int_equal(conf->tx.classes[0].quantum, 2147483647);
	vqos_conf_free(conf);
	/* the text may end right after a number: nothing past its NUL is read */
	text = strdup("ports = ( " PORT(1) " ); y = 5");
	assert_non_null(text);
	expect_error(text, "t.conf:1: key 'y': unknown key (known here: eal, control, datapath, "
			   "ports, tx, "
			   "rx)");
	free(text);
	conf = load_ok(CLASS_WITH("limit = +00012LL; quantum = 0x7fffffff; burst = "
				  "9223372036854775807L;"));
	assert_int_equal(conf->tx.classes[0].limit, 12);
	assert_int_equal(conf->tx.classes[0].quantum, 0x7fffffff);
	assert_int_equal(conf->tx.classes[0].burst, INT64_MAX);
	vqos_conf_free(conf);
}

static void test_syntax_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ "ports = (\n  { name = \"c1\" }\n;\n", "t.conf:3: syntax error" },
		{ "ports = ( " PORT(1) " );\n\nx = \"unterminated\n", "t.conf:4: syntax error" },
		{ "ports = ( " PORT(1) " );\neal = [ \"a\",, \"b\" ];\n",
		  "t.conf:2: syntax error" },
		{ "eal = [ \"a\", 1 ];\n", "t.conf:1: mismatched element type in array" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

static void test_api_edges(void **state)
{
	struct vqos_conf *conf = NULL;
	char err[16];

	/* free(NULL) does nothing */
	vqos_conf_free(NULL);
	/* no error buffer: still refused */
	assert_int_equal(vqos_conf_load_string("", "t.conf", &conf, NULL, 0), -EINVAL);
	assert_null(conf);
	/* a short buffer is truncated, not overrun */
	assert_int_equal(vqos_conf_load_string("x = 1;", "t.conf", &conf, err, sizeof(err)),
			 -EINVAL);
	assert_null(conf);
	assert_string_equal(err, "t.conf:1: key '");
	/* no name: "<string>" stands for it */
	assert_int_equal(vqos_conf_load_string("x = 1;", NULL, &conf, err, sizeof(err)), -EINVAL);
	assert_null(conf);
	assert_string_equal(err, "<string>:1: key");
	assert_int_equal(vqos_conf_load_string(NULL, "t", &conf, NULL, 0), -EINVAL);
	assert_int_equal(vqos_conf_load_string("", "t", NULL, NULL, 0), -EINVAL);
	assert_int_equal(vqos_conf_load_file(NULL, &conf, NULL, 0), -EINVAL);
	assert_null(conf);
}

/* ---- files on disk ---- */

struct tmp {
	char dir[64];
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/vqos-test-conf-XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	struct dirent *e;
	DIR *d = opendir(t->dir);

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", t->dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void test_file(void **state)
{
	struct tmp *t = *state;
	struct vqos_conf *conf = NULL;
	char path[PATH_MAX];
	char err[512] = "";

	snprintf(path, sizeof(path), "%s/vqosd.conf", t->dir);
	write_file(path, "# from disk\n"
			 "control = { socket = \"/run/t/ctl.sock\"; };\n"
			 "ports = (\n"
			 "  { name = \"disk\"; socket = \"/run/t/disk.sock\"; mode "
			 "= \"client\";\n"
			 "    uplink = \"net_tap0,iface=vqos0\"; }\n"
			 ");\n");
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), 0);
	assert_non_null(conf);
	assert_string_equal(conf->ctl_socket, "/run/t/ctl.sock");
	assert_int_equal(conf->n_ports, 1);
	assert_string_equal(conf->ports[0].name, "disk");
	assert_true(conf->ports[0].client);
	vqos_conf_free(conf);
}

static void test_file_errors(void **state)
{
	struct tmp *t = *state;
	struct vqos_conf *conf = NULL;
	char path[PATH_MAX];
	char want[PATH_MAX + 128];
	char err[PATH_MAX + 128] = "";

	/* the message names the file's path */
	snprintf(path, sizeof(path), "%s/bad.conf", t->dir);
	write_file(path, "ports = (\n  { name = \"c1\"; socket = \"/a\";\n    "
			 "uplink = 7; }\n);\n");
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), -EINVAL);
	assert_null(conf);
	snprintf(want, sizeof(want),
		 "%s:3: key 'ports.[0].uplink': expected a string, got an integer", path);
	assert_string_equal(err, want);

	write_file(path, "ports = (\n  { name = \"c1\"; socket = \"/a\"; uplink = "
			 "\"u\"; }\n\n");
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), -EINVAL);
	assert_null(conf);
	snprintf(want, sizeof(want), "%s:4: syntax error", path);
	assert_string_equal(err, want);

	/* I/O errors keep their errno */
	snprintf(path, sizeof(path), "%s/absent.conf", t->dir);
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), -ENOENT);
	assert_null(conf);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	assert_int_equal(vqos_conf_load_file(t->dir, &conf, err, sizeof(err)), -EISDIR);
	assert_null(conf);
	snprintf(want, sizeof(want), "%s: Is a directory", t->dir);
	assert_string_equal(err, want);
}

/* @include is relative to the including file, and errors name the included one. */
static void test_file_include(void **state)
{
	struct tmp *t = *state;
	struct vqos_conf *conf = NULL;
	char path[PATH_MAX], inc[PATH_MAX];
	char want[PATH_MAX + 128];
	char err[PATH_MAX + 128] = "";

	snprintf(path, sizeof(path), "%s/main.conf", t->dir);
	snprintf(inc, sizeof(inc), "%s/ports.inc", t->dir);
	write_file(path, "eal = [ \"--no-pci\" ];\n@include \"ports.inc\"\n");
	write_file(inc, "ports = ( " PORT(1) ", " PORT(2) " );\n");
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), 0);
	assert_int_equal(conf->n_ports, 2);
	assert_string_equal(conf->ports[1].name, "c2");
	vqos_conf_free(conf);
	conf = NULL;

	write_file(inc, "ports = (\n  { name = \"c1\"; socket = \"/a\"; uplink = "
			"\"u\"; bogus = 1; "
			"}\n);\n");
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), -EINVAL);
	assert_null(conf);
	snprintf(want, sizeof(want),
		 "%s:2: key 'ports.[0].bogus': unknown key (known here: name, "
		 "socket, mode, uplink, mac, cost)",
		 inc);
	assert_string_equal(err, want);

	write_file(inc, "\nports = ( " PORT(1) " ;\n");
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), -EINVAL);
	assert_null(conf);
	snprintf(want, sizeof(want), "%s:2: syntax error", inc);
	assert_string_equal(err, want);

	/* an included file's integers are compared with its own text */
	write_file(path, "x = 1;\n@include \"ports.inc\"\ny = 2; z = 4294967297;\n");
	write_file(inc, "a = 3;\n\nports = ( " PORT(1) " );\nb = 4294967296;\n");
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:4: key 'b': 4294967296 does not fit 32 bits, and libconfig reads it as 0: "
		 "write 4294967296L",
		 inc);
	assert_string_equal(err, want);
	write_file(inc, "a = 3;\n\nports = ( " PORT(1) " );\nb = 4294967296L;\n");
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:3: key 'z': 4294967297 does not fit 32 bits, and libconfig reads it as 1: "
		 "write 4294967297L",
		 path);
	assert_string_equal(err, want);
}

/* A file is read whole: nothing after a NUL byte may go unread. */
static void test_file_nul(void **state)
{
	struct tmp *t = *state;
	struct vqos_conf *conf = NULL;
	char path[PATH_MAX], want[PATH_MAX + 64], err[PATH_MAX + 64] = "";
	static const char text[] = "ports = ( " PORT(1) " );\n\0limit = 4294967296;\n";
	FILE *f;

	snprintf(path, sizeof(path), "%s/nul.conf", t->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(vqos_conf_load_file(path, &conf, err, sizeof(err)), -EINVAL);
	assert_null(conf);
	snprintf(want, sizeof(want), "%s: a NUL byte: not a text file", path);
	assert_string_equal(err, want);
}

/* Every shipped file loads: conf/default.conf and conf/examples/\*.conf. */
static void test_shipped_files(void **state)
{
	const char *dir = VQOS_SOURCE_DIR "/conf/examples";
	struct dirent *e;
	int loaded = 0;
	DIR *d;

	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct vqos_conf *conf = NULL;
		char path[PATH_MAX];
		char err[512] = "";

		if (n < 5 || strcmp(e->d_name + n - 5, ".conf") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		print_message("loading %s\n", path);
		if (vqos_conf_load_file(path, &conf, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_true(conf->n_ports >= 1);
		vqos_conf_free(conf);
		loaded++;
	}
	closedir(d);
	assert_true(loaded >= 2);

	{
		struct vqos_conf *conf = NULL;
		char err[512] = "";

		if (vqos_conf_load_file(VQOS_SOURCE_DIR "/conf/default.conf", &conf, err,
					sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(conf->n_ports, 2);
		vqos_conf_free(conf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_default_is_the_file),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_eal_forms),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_sleep_max),
		cmocka_unit_test(test_no_ports),
		cmocka_unit_test(test_missing_port_keys),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_integers_as_written),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_api_edges),
		cmocka_unit_test_setup_teardown(test_file, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_file_errors, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_file_include, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_file_nul, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_shipped_files),
		cmocka_unit_test(test_shared_uplink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
