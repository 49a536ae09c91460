/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the class-tree keys of conf/conf.c and of conf/class.c: the tx and
 * rx groups, every class key, the control socket's owner, group and mode.
 * Good text loads into the expected intent; bad text is refused with the
 * exact "FILE:LINE: key '...': what" message and no struct.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/vqos_conf.h"
#include "conf_test.h"

#define PORTS                                                                                      \
	"ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"net_null1\"; },\n"       \
	"          { name = \"c2\"; socket = \"/run/c2.sock\"; uplink = \"net_null2\"; } );\n"

/* No tx or rx group: no tree; the control socket's defaults. */
static void test_defaults(void **state)
{
	struct vqos_conf *conf = load_ok(PORTS);

	assert_string_equal(conf->tx.qdisc, "");
	assert_int_equal(conf->tx.n_classes, 0);
	assert_null(conf->tx.classes);
	assert_string_equal(conf->rx.qdisc, "");
	assert_string_equal(conf->ctl_owner, "root");
	assert_string_equal(conf->ctl_group, "root");
	assert_int_equal(conf->ctl_mode, 0660);
	assert_string_equal(conf->file, "t.conf");
	vqos_conf_free(conf);

	/* a direction without qdisc is htb, without classes has none */
	conf = load_ok(PORTS "tx = { };\nrx = { qdisc = \"fifo\"; classes = (); };\n");
	assert_string_equal(conf->tx.qdisc, "htb");
	assert_int_equal(conf->tx.n_classes, 0);
	assert_string_equal(conf->rx.qdisc, "fifo");
	assert_int_equal(conf->rx.n_classes, 0);
	vqos_conf_free(conf);
}

static void test_control(void **state)
{
	struct vqos_conf *conf = load_ok(
		"control = { socket = \"/tmp/v.sock\"; owner = \"vqos\";\n"
		"  group = \"netdev\"; mode = \"0640\"; admin = \"vqos-admin\"; };\n" PORTS);

	assert_string_equal(conf->ctl_owner, "vqos");
	assert_string_equal(conf->ctl_group, "netdev");
	assert_int_equal(conf->ctl_mode, 0640);
	assert_string_equal(conf->ctl_admin, "vqos-admin");
	vqos_conf_free(conf);
	conf = load_ok("control = { mode = \"600\"; };\n" PORTS);
	assert_int_equal(conf->ctl_mode, 0600);
	assert_string_equal(conf->ctl_admin, "root");
	vqos_conf_free(conf);
}

static void test_control_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ "control = { mode = \"0980\"; };\n" PORTS,
		  "t.conf:1: key 'control.mode': '0980' is not an octal mode such as \"0660\"" },
		{ "control = { mode = \"-1\"; };\n" PORTS,
		  "t.conf:1: key 'control.mode': '-1' is not an octal mode such as \"0660\"" },
		{ "control = { mode = \"17777\"; };\n" PORTS,
		  "t.conf:1: key 'control.mode': '17777' is not an octal mode such as \"0660\"" },
		{ "control = { mode = 0660; };\n" PORTS,
		  "t.conf:1: key 'control.mode': expected a string, got an integer" },
		{ "control = { owner = \"\"; };\n" PORTS, "t.conf:1: key 'control.owner': empty" },
		{ "control = { group = 0; };\n" PORTS,
		  "t.conf:1: key 'control.group': expected a string, got an integer" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

/* Every key of a class, in both directions. */
static void test_every_key(void **state)
{
	static const char text[] = PORTS
		"tx = { qdisc = \"htb\"; classes = (\n"
		"  { name = \"root\"; rate = \"10gbit\"; },\n"
		"  { name = \"t1\"; parent = \"root\"; rate = \"4gbit\"; ceil = \"10gbit\";\n"
		"    overcommit = false; },\n"
		"  { name = \"c1\"; parent = \"t1\"; port = \"c1\"; rate = \"1gbit\";\n"
		"    ceil = \"5gbit\"; burst = \"64k\"; cburst = 65536; prio = 1;\n"
		"    quantum = \"3000\"; pps = \"100kpps\"; cpps = \"500kpps\"; limit = 1024; }\n"
		"); };\n"
		"rx = { qdisc = \"police\"; classes = (\n"
		"  { name = \"r\"; rate = \"1mbit\"; overcommit = true; },\n"
		"  { name = \"p\"; parent = \"r\"; port = \"c2\"; rate = \"8kbps\";\n"
		"    meter = \"trtcm\"; mark = true; aqm = \"pie\"; }\n"
		"); };\n";
	struct vqos_conf *conf = load_ok(text);
	const struct vqos_conf_class *c;

	assert_string_equal(conf->tx.qdisc, "htb");
	assert_int_equal(conf->tx.n_classes, 3);
	c = &conf->tx.classes[0];
	assert_string_equal(c->name, "root");
	assert_string_equal(c->parent, "");
	assert_int_equal(c->rate_bps, 10000000000ULL);
	assert_int_equal(c->set, VQOS_CONF_CLASS_RATE);
	assert_int_equal(c->line, 4);
	c = &conf->tx.classes[1];
	assert_string_equal(c->parent, "root");
	assert_int_equal(c->ceil_bps, 10000000000ULL);
	assert_false(c->overcommit);
	assert_int_equal(c->set, VQOS_CONF_CLASS_PARENT | VQOS_CONF_CLASS_RATE |
					 VQOS_CONF_CLASS_CEIL | VQOS_CONF_CLASS_OVERCOMMIT);
	assert_int_equal(c->line, 5);
	c = &conf->tx.classes[2];
	assert_string_equal(c->port, "c1");
	assert_int_equal(c->rate_bps, 1000000000ULL);
	assert_int_equal(c->ceil_bps, 5000000000ULL);
	assert_int_equal(c->burst, 65536);
	assert_int_equal(c->cburst, 65536);
	assert_int_equal(c->prio, 1);
	assert_int_equal(c->quantum, 3000);
	assert_int_equal(c->rate_pps, 100000);
	assert_int_equal(c->ceil_pps, 500000);
	assert_int_equal(c->limit, 1024);
	assert_int_equal(c->set, VQOS_CONF_CLASS_PARENT | VQOS_CONF_CLASS_PORT |
					 VQOS_CONF_CLASS_RATE | VQOS_CONF_CLASS_CEIL |
					 VQOS_CONF_CLASS_BURST | VQOS_CONF_CLASS_CBURST |
					 VQOS_CONF_CLASS_PRIO | VQOS_CONF_CLASS_QUANTUM |
					 VQOS_CONF_CLASS_PPS | VQOS_CONF_CLASS_CPPS |
					 VQOS_CONF_CLASS_LIMIT);
	assert_int_equal(c->line, 7);

	assert_string_equal(conf->rx.qdisc, "police");
	assert_int_equal(conf->rx.n_classes, 2);
	assert_true(conf->rx.classes[0].overcommit);
	c = &conf->rx.classes[1];
	assert_int_equal(c->rate_bps, 64000);
	assert_int_equal(c->meter, VQOS_CONF_METER_TRTCM);
	assert_true(c->mark);
	assert_int_equal(c->aqm, VQOS_CONF_AQM_PIE);
	assert_int_equal(c->set, VQOS_CONF_CLASS_PARENT | VQOS_CONF_CLASS_PORT |
					 VQOS_CONF_CLASS_RATE | VQOS_CONF_CLASS_METER |
					 VQOS_CONF_CLASS_MARK | VQOS_CONF_CLASS_AQM);
	vqos_conf_free(conf);
}

static void test_class_errors(void **state)
{
	static const struct bad_case cases[] = {
		/* a packet rate where bits are meant, and the reverse */
		{ PORTS "tx = { classes = (\n { name = \"r\";\n rate = \"10kpps\"; } ); };\n",
		  "t.conf:5: key 'tx.classes.[0].rate': '10kpps' is a packet rate: rate and ceil "
		  "take bits (use pps, cpps)" },
		{ PORTS "tx = { classes = (\n { name = \"r\"; rate = \"1mbit\"; },\n"
			"{ name = \"x\"; ceil = \"2mpps\"; } ); };\n",
		  "t.conf:5: key 'tx.classes.[1].ceil': '2mpps' is a packet rate: rate and ceil "
		  "take bits (use pps, cpps)" },
		{ PORTS "rx = { classes = ( { name = \"r\"; pps = \"10mbit\"; } ); };\n",
		  "t.conf:3: key 'rx.classes.[0].pps': '10mbit' is a bit rate: pps and cpps take "
		  "packets (use rate, ceil)" },
		{ PORTS "rx = { classes = ( { name = \"r\"; cpps = \"fast\"; } ); };\n",
		  "t.conf:3: key 'rx.classes.[0].cpps': 'fast' is not a rate (e.g. \"100kpps\")" },
		{ PORTS "rx = { classes = ( { name = \"r\"; rate = \"1 mbit\"; } ); };\n",
		  "t.conf:3: key 'rx.classes.[0].rate': '1 mbit' is not a rate (e.g. \"10mbit\")" },
		/* unknown keys, in a class and in a direction */
		{ PORTS "tx = { classes = (\n { name = \"r\";\n  weight = 3; } ); };\n",
		  "t.conf:5: key 'tx.classes.[0].weight': unknown key (known here: name, parent, "
		  "port, rate, ceil, burst, cburst, prio, quantum, pps, cpps, limit, overcommit, "
		  "meter, mark, aqm, match, cps, ccps)" },
		{ PORTS "tx = {\n kind = \"htb\"; };\n",
		  "t.conf:4: key 'tx.kind': unknown key (known here: qdisc, classes)" },
		/* wrong types */
		{ PORTS "tx = \"htb\";\n", "t.conf:3: key 'tx': expected a group, got a string" },
		{ PORTS "tx = { classes = { name = \"r\"; }; };\n",
		  "t.conf:3: key 'tx.classes': expected a list of groups ( { ... }, ... ), got a "
		  "group" },
		{ PORTS "tx = { classes = ( \"r\" ); };\n",
		  "t.conf:3: key 'tx.classes.[0]': expected a group, got a string" },
		{ PORTS "tx = { classes = ( { name = \"r\"; rate = 1000000; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].rate': expected a string, got an integer" },
		{ PORTS "tx = { classes = ( { name = \"r\"; prio = \"1\"; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].prio': expected an integer, got a string" },
		{ PORTS "tx = { classes = ( { name = \"r\"; limit = 1.5; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].limit': expected an integer, got a float" },
		{ PORTS "tx = { classes = ( { name = \"r\"; burst = true; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].burst': expected a string or an integer, got a "
		  "boolean" },
		{ PORTS "tx = { classes = ( { name = \"r\"; overcommit = \"yes\"; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].overcommit': expected a boolean, got a string" },
		{ PORTS "tx = { classes = ( { name = \"r\"; mark = 1; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].mark': expected a boolean, got an integer" },
		{ PORTS "tx = { qdisc = 1; };\n",
		  "t.conf:3: key 'tx.qdisc': expected a string, got an integer" },
		/* bad values */
		{ PORTS "tx = { qdisc = \"cbq\"; };\n",
		  "t.conf:3: key 'tx.qdisc': 'cbq' is not a qdisc (\"htb\", \"sched\", \"police\" "
		  "or \"fifo\")" },
		{ PORTS "tx = { classes = ( { name = \"r\"; prio = -1; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].prio': -1 is negative" },
		{ PORTS "tx = { classes = ( { name = \"r\"; burst = \"64q\"; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].burst': '64q' is not a size (e.g. \"64k\")" },
		{ PORTS "tx = { classes = ( { name = \"r\"; meter = \"srtcm2\"; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].meter': 'srtcm2' is not \"srtcm\", \"trtcm\" or "
		  "\"rfc4115\"" },
		{ PORTS "tx = { classes = ( { name = \"r\"; aqm = \"codel\"; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].aqm': 'codel' is not \"tail\", \"red\" or "
		  "\"pie\"" },
		{ PORTS "tx = { classes = ( { name = \"a b\"; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].name': 'a b' has a character outside "
		  "[A-Za-z0-9_.-]" },
		{ PORTS "tx = { classes = ( { name = \"r\"; parent = \"\"; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].parent': empty" },
		{ PORTS "tx = { classes = ( { name = \"r\"; port = "
			"\"0123456789012345678901234567890123\"; } ); };\n",
		  "t.conf:3: key 'tx.classes.[0].port': '0123456789012345678901234567890123' is "
		  "longer than 31 characters" },
		/* the name is required */
		{ PORTS "tx = { classes = (\n { rate = \"1mbit\"; } ); };\n",
		  "t.conf:4: key 'tx.classes.[0].name': missing: every class needs one" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

/* vqosctl's path: one key and its text at a time. */
static void test_class_set(void **state)
{
	struct vqos_conf_class c = { 0 };
	char err[192] = "";

	assert_int_equal(vqos_conf_class_set(&c, "name", "c1", err, sizeof(err)), 0);
	assert_int_equal(vqos_conf_class_set(&c, "rate", "1.5mbit", err, sizeof(err)), 0);
	assert_int_equal(vqos_conf_class_set(&c, "prio", "7", err, sizeof(err)), 0);
	assert_int_equal(vqos_conf_class_set(&c, "overcommit", "true", err, sizeof(err)), 0);
	assert_string_equal(c.name, "c1");
	assert_int_equal(c.rate_bps, 1500000);
	assert_int_equal(c.prio, 7);
	assert_true(c.overcommit);
	assert_int_equal(c.set,
			 VQOS_CONF_CLASS_RATE | VQOS_CONF_CLASS_PRIO | VQOS_CONF_CLASS_OVERCOMMIT);

	/* refused values leave the class as it was */
	assert_int_equal(vqos_conf_class_set(&c, "rate", "5kpps", err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "'5kpps' is a packet rate: rate and ceil take bits (use pps, cpps)");
	assert_int_equal(c.rate_bps, 1500000);
	assert_int_equal(vqos_conf_class_set(&c, "prio", "1x", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'1x' is not a whole number");
	assert_int_equal(vqos_conf_class_set(&c, "prio", "-1", err, sizeof(err)), -EINVAL);
	assert_int_equal(vqos_conf_class_set(&c, "limit", "99999999999999999999", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(vqos_conf_class_set(&c, "mark", "yes", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'yes' is neither true nor false");
	assert_int_equal(vqos_conf_class_set(&c, "weight", "1", err, sizeof(err)), -ENOENT);
	assert_int_equal(vqos_conf_class_set(NULL, "rate", "1", err, sizeof(err)), -EINVAL);
	assert_int_equal(c.prio, 7);
	assert_false(c.mark);

	assert_string_equal(vqos_conf_class_field_name(VQOS_CONF_CLASS_CPPS), "cpps");
	assert_null(vqos_conf_class_field_name(0));
	assert_null(vqos_conf_class_field_name(1u << 31));
}

/* vqosctl's words, all at once: the word at fault is named. */
static void test_class_words(void **state)
{
	static const char *const good[] = { "name", "c1",    "parent", "t1",	"port", "c1",
					    "rate", "1mbit", "ceil",   "2mbit", "pps",	"10kpps" };
	struct vqos_conf_class c = { 0 };
	char err[192] = "";
	struct {
		int argc;
		const char *argv[6];
		const char *msg;
	} bad[] = {
		{ 3, { "name", "c1", "prio" }, "prio: no value" },
		{ 4,
		  { "name", "c1", "rate", "5kpps" },
		  "rate: '5kpps' is a packet rate: rate and ceil take bits (use pps, cpps)" },
		{ 6, { "name", "c1", "rate", "1mbit", "rate", "2mbit" }, "rate: given twice" },
		{ 4,
		  { "name", "c1", "weight", "1" },
		  "weight: unknown key (known here: name, parent, port, rate, ceil, burst, cburst, "
		  "prio, quantum, pps, cpps, limit, overcommit, meter, mark, aqm, match, cps, "
		  "ccps)" },
		{ 2, { "rate", "1mbit" }, "name: missing" },
		{ 2, { "name", "a/b" }, "name: 'a/b' has a character outside [A-Za-z0-9_.-]" },
		{ 0, { NULL }, "name: missing" },
	};

	assert_int_equal(vqos_conf_class_from_words(12, good, &c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "c1");
	assert_string_equal(c.parent, "t1");
	assert_int_equal(c.ceil_bps, 2000000);
	assert_int_equal(c.rate_pps, 10000);
	assert_int_equal(c.set, VQOS_CONF_CLASS_PARENT | VQOS_CONF_CLASS_PORT |
					VQOS_CONF_CLASS_RATE | VQOS_CONF_CLASS_CEIL |
					VQOS_CONF_CLASS_PPS);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(
			vqos_conf_class_from_words(bad[i].argc, bad[i].argv, &c, err, sizeof(err)),
			-EINVAL);
		assert_string_equal(err, bad[i].msg);
		/* untouched */
		assert_string_equal(c.name, "c1");
	}
	assert_int_equal(vqos_conf_class_from_words(2, good, NULL, err, sizeof(err)), -EINVAL);
}

/* vqos_conf_dump() writes what loads back into an equal struct. */
static void test_dump(void **state)
{
	struct vqos_conf *a = load_ok(
		"eal = [ \"--no-huge\", \"a \\\"quoted\\\" \\\\ arg\", \"tab\\there\" ];\n"
		"control = { socket = \"/tmp/v.sock\"; owner = \"vqos\"; mode = \"0600\"; };\n"
		"ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; mode = \"client\";\n"
		"            uplink = \"net_virtio_user0,path=/run/ovs/vhu0\"; },\n"
		"          { name = \"c2\"; socket = \"/run/c2.sock\"; uplink = \"net_null2\"; } "
		");\n"
		"tx = { classes = ( { name = \"root\"; rate = \"1mbit\"; } ); };\n");
	struct vqos_conf *b;
	char *text = NULL;

	assert_string_equal(a->eal_argv[1], "a \"quoted\" \\ arg");
	assert_string_equal(a->eal_argv[2], "tab\there");
	assert_int_equal(vqos_conf_dump(a, &text), 0);
	assert_string_equal(
		text, "eal = [ \"--no-huge\", \"a \\\"quoted\\\" \\\\ arg\", \"tab\\x09here\" ];\n"
		      "\n"
		      "control = {\n"
		      "\tsocket = \"/tmp/v.sock\";\n"
		      "\towner = \"vqos\";\n"
		      "\tgroup = \"root\";\n"
		      "\tmode = \"0600\";\n"
		      "\tadmin = \"root\";\n"
		      "};\n"
		      "\n"
		      "ports = (\n"
		      "\t{ name = \"c1\"; socket = \"/run/c1.sock\"; mode = \"client\";\n"
		      "\t  uplink = \"net_virtio_user0,path=/run/ovs/vhu0\"; },\n"
		      "\t{ name = \"c2\"; socket = \"/run/c2.sock\"; mode = \"server\";\n"
		      "\t  uplink = \"net_null2\"; }\n"
		      ");\n");
	b = load_ok(text);
	assert_int_equal(b->eal_argc, 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(a->eal_argv[i], b->eal_argv[i]);
	assert_string_equal(b->ctl_socket, "/tmp/v.sock");
	assert_string_equal(b->ctl_owner, "vqos");
	assert_int_equal(b->ctl_mode, 0600);
	assert_int_equal(b->n_ports, 2);
	assert_memory_equal(a->ports, b->ports, 2 * sizeof(*a->ports));
	/* the trees are policy's to write */
	assert_int_equal(b->tx.n_classes, 0);
	free(text);
	vqos_conf_free(b);
	vqos_conf_free(a);

	/* no eal arguments at all */
	a = load_ok("eal = [];\nports = ( { name = \"c\"; socket = \"/c\"; uplink = \"n\"; } );\n");
	assert_int_equal(vqos_conf_dump(a, &text), 0);
	assert_memory_equal(text, "eal = [];\n", 10);
	b = load_ok(text);
	assert_int_equal(b->eal_argc, 0);
	free(text);
	vqos_conf_free(b);
	vqos_conf_free(a);
	assert_int_equal(vqos_conf_dump(NULL, &text), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),       cmocka_unit_test(test_control),
		cmocka_unit_test(test_control_errors), cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_class_errors),   cmocka_unit_test(test_class_set),
		cmocka_unit_test(test_class_words),    cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
