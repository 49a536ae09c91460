/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cycles in the configuration: the cycle-rate units (cps, kcps, mcps, gcps),
 * a class's cps and ccps, a port's cost model (`cost = { packet = 900;
 * byte = 0.45; }` and vqosctl's words), and their dump, which must read back
 * into identical values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/vqos_units.h"
#include "conf_test.h"

#define PORT_HEAD "ports = ( { name = \"c1\"; socket = \"/s1\"; uplink = \"u1\"; "
#define PORT_TAIL " } );\n"

static void test_units(void **state)
{
	static const struct {
		const char *text;
		uint64_t value;
		const char *shown;
	} ok[] = {
		{ "900cps", 900, "900cps" },	       { "1.5kcps", 1500, "1500cps" },
		{ "500mcps", 500000000, "500Mcps" },   { "3GCPS", 3000000000ull, "3Gcps" },
		{ "1234567cps", 1234567, "1235Kcps" },
	};
	enum vqos_rate_kind kind;
	uint64_t v;
	char buf[32];

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(vqos_parse_rate(ok[i].text, &v, &kind), 0);
		assert_int_equal(v, ok[i].value);
		assert_int_equal(kind, VQOS_RATE_CPS);
		vqos_format_rate(buf, sizeof(buf), v, VQOS_RATE_CPS);
		assert_string_equal(buf, ok[i].shown);
	}
	/* no tera: tcps is no unit */
	assert_int_equal(vqos_parse_rate("1tcps", &v, &kind), -EINVAL);
	vqos_format_rate(buf, sizeof(buf), 5000000000000ull, VQOS_RATE_CPS);
	assert_string_equal(buf, "5000Gcps");
}

/* cps and ccps take cycle rates; the other rate keys refuse them, naming
 * the key and the keys that take them. */
static void test_class_keys(void **state)
{
	static const struct {
		const char *key, *value, *msg;
	} bad[] = {
		{ "cps", "10mbit",
		  "'10mbit' is a bit rate: cps and ccps take cycles (use rate, ceil)" },
		{ "ccps", "10kpps",
		  "'10kpps' is a packet rate: cps and ccps take cycles (use pps, cpps)" },
		{ "rate", "1gcps",
		  "'1gcps' is a cycle rate: rate and ceil take bits (use cps, ccps)" },
		{ "cpps", "1gcps",
		  "'1gcps' is a cycle rate: pps and cpps take packets (use cps, ccps)" },
		{ "cps", "fast", "'fast' is not a rate (e.g. \"500mcps\")" },
	};
	struct vqos_conf_class c = { 0 };
	char err[256];

	assert_int_equal(vqos_conf_class_set(&c, "cps", "1.5gcps", err, sizeof(err)), 0);
	assert_int_equal(vqos_conf_class_set(&c, "ccps", "2gcps", err, sizeof(err)), 0);
	assert_int_equal(c.rate_cps, 1500000000);
	assert_int_equal(c.ceil_cps, 2000000000);
	assert_int_equal(c.set, VQOS_CONF_CLASS_CPS | VQOS_CONF_CLASS_CCPS);
	assert_string_equal(vqos_conf_class_field_name(VQOS_CONF_CLASS_CPS), "cps");
	assert_string_equal(vqos_conf_class_field_name(VQOS_CONF_CLASS_CCPS), "ccps");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(
			vqos_conf_class_set(&c, bad[i].key, bad[i].value, err, sizeof(err)),
			-EINVAL);
		assert_string_equal(err, bad[i].msg);
	}
	/* untouched by the refusals */
	assert_int_equal(c.rate_cps, 1500000000);
	/* the file goes the same way, with the key's place */
	expect_error(PORT_HEAD PORT_TAIL "tx = { classes = ( { name = \"r\";\n cps = \"1mbit\"; } "
					 "); };\n",
		     "t.conf:3: key 'tx.classes.[0].cps': '1mbit' is a bit rate: cps and ccps "
		     "take cycles (use rate, ceil)");
}

/* A port's cost: packet whole cycles, byte to the nearest 1/1024 cycle. */
static void test_port_cost(void **state)
{
	struct vqos_conf *conf =
		load_ok(PORT_HEAD "cost = { packet = 900; byte = 0.45; };" PORT_TAIL);
	const struct vqos_conf_cost *c = &conf->ports[0].cost;

	assert_true(c->set);
	assert_int_equal(c->packet, 900);
	assert_int_equal(c->byte, 461); /* 0.45 x 1024 = 460.8 */
	vqos_conf_free(conf);
	/* either part alone; byte as an integer; 64-bit integers */
	conf = load_ok(PORT_HEAD "cost = { byte = 2; };" PORT_TAIL);
	assert_true(conf->ports[0].cost.set);
	assert_int_equal(conf->ports[0].cost.packet, 0);
	assert_int_equal(conf->ports[0].cost.byte, 2048);
	vqos_conf_free(conf);
	conf = load_ok(PORT_HEAD "cost = { packet = 1200L; };" PORT_TAIL);
	assert_int_equal(conf->ports[0].cost.packet, 1200);
	assert_int_equal(conf->ports[0].cost.byte, 0);
	vqos_conf_free(conf);
	/* no cost: none */
	conf = load_ok(PORT_HEAD PORT_TAIL);
	assert_false(conf->ports[0].cost.set);
	vqos_conf_free(conf);
}

static void test_port_cost_errors(void **state)
{
	static const struct bad_case bad[] = {
		{ PORT_HEAD "cost = 900;" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost': expected a group, got an integer" },
		{ PORT_HEAD "cost = { packets = 900; };" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost.packets': unknown key (known here: packet, "
		  "byte)" },
		{ PORT_HEAD "cost = { packet = 900.5; };" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost.packet': expected an integer, got a float" },
		{ PORT_HEAD "cost = { byte = \"0.45\"; };" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost.byte': expected a number, got a string" },
		{ PORT_HEAD "cost = { packet = -1; };" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost': packet: '-1' is not a whole number of cycles "
		  "from 0 to 1000000" },
		{ PORT_HEAD "cost = { packet = 1000001; };" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost': packet: '1000001' is not a whole number of "
		  "cycles from 0 to 1000000" },
		{ PORT_HEAD "cost = { byte = -0.5; };" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost': byte: '-0.5' is not a number of cycles from 0 "
		  "to 1000 (e.g. 0.45)" },
		{ PORT_HEAD "cost = { byte = 1000.5; };" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost': byte: '1000.5' is not a number of cycles from "
		  "0 to 1000 (e.g. 0.45)" },
		{ PORT_HEAD "cost = { };" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost': a cost of 0 cycles per packet and 0 per byte "
		  "charges nothing: give packet, byte or both" },
		{ PORT_HEAD "cost = { packet = 0; byte = 0.0001; };" PORT_TAIL,
		  "t.conf:1: key 'ports.[0].cost': a cost of 0 cycles per packet and under 1/2048 "
		  "cycle per byte charges nothing: give packet, byte or both" },
	};

	expect_errors(bad, ARRAY_SIZE(bad));
}

/* vqosctl's words: the same rules, the same messages. */
static void test_cost_words(void **state)
{
	struct vqos_conf_cost c = { 0 };
	char err[256];

	assert_int_equal(vqos_conf_cost_parse("900", "0.45", &c, err, sizeof(err)), 0);
	assert_true(c.set);
	assert_int_equal(c.packet, 900);
	assert_int_equal(c.byte, 461);
	assert_int_equal(vqos_conf_cost_parse("900", "+1", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "byte: '+1' is not a number of cycles from 0 to 1000 (e.g. 0.45)");
	assert_int_equal(vqos_conf_cost_parse("9e2", NULL, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "packet: '9e2' is not a whole number of cycles from 0 to 1000000");
	assert_int_equal(vqos_conf_cost_parse(NULL, "inf", &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(vqos_conf_cost_parse(NULL, "0x10", &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(vqos_conf_cost_parse(NULL, " 1", &c, err, sizeof(err)), -EINVAL);
	/* untouched by the refusals */
	assert_int_equal(c.byte, 461);
	assert_int_equal(vqos_conf_cost_parse(NULL, "1e-3", &c, err, sizeof(err)), 0);
	assert_int_equal(c.byte, 1); /* 1.024 */
}

/* Every cost per byte is written exactly, and reads back to itself, as
 * vqosctl's words and as the file's float. */
static void test_byte_format(void **state)
{
	static const struct {
		uint32_t byte;
		const char *text;
	} cases[] = {
		{ 461, "0.4501953125" }, { 2048, "2.0" },	{ 512, "0.5" },
		{ 1, "0.0009765625" },	 { 1024000, "1000.0" }, { 1023, "0.9990234375" },
	};
	char buf[VQOS_CONF_COST_TEXT_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		vqos_conf_cost_byte_format(cases[i].byte, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
	for (uint32_t b = 1; b <= VQOS_CONF_COST_BYTE_MAX * VQOS_CONF_COST_BYTE_ONE; b += 997) {
		struct vqos_conf_cost c;
		char text[256];
		struct vqos_conf *conf;

		vqos_conf_cost_byte_format(b, buf, sizeof(buf));
		assert_int_equal(vqos_conf_cost_parse("1", buf, &c, NULL, 0), 0);
		assert_int_equal(c.byte, b);
		snprintf(text, sizeof(text),
			 PORT_HEAD "cost = { packet = 1; byte = %s; };" PORT_TAIL, buf);
		conf = load_ok(text);
		assert_int_equal(conf->ports[0].cost.byte, b);
		vqos_conf_free(conf);
	}
}

/* The dump writes every port's model, and the re-read has identical values. */
static void test_dump(void **state)
{
	struct vqos_conf *a =
		load_ok("ports = ( { name = \"c1\"; socket = \"/s1\"; uplink = \"u1\";\n"
			"            cost = { packet = 900; byte = 0.45; }; },\n"
			"          { name = \"c2\"; socket = \"/s2\"; uplink = \"u2\"; },\n"
			"          { name = \"c3\"; socket = \"/s3\"; uplink = \"u3\";\n"
			"            cost = { packet = 0; byte = 1000; }; } );\n"
			"tx = { classes = ( { name = \"r\"; cps = \"2gcps\"; ccps = \"2500mcps\"; "
			"} ); };\n");
	struct vqos_conf *b;
	char *text = NULL, *again = NULL;

	assert_int_equal(a->tx.classes[0].rate_cps, 2000000000);
	assert_int_equal(a->tx.classes[0].ceil_cps, 2500000000);
	assert_int_equal(vqos_conf_dump(a, &text), 0);
	assert_non_null(strstr(text, "\t  uplink = \"u1\";\n\t  cost = { packet = 900; byte = "
				     "0.4501953125; }; },\n"));
	assert_non_null(strstr(text, "\t  uplink = \"u2\"; },\n"));
	assert_non_null(strstr(text, "cost = { packet = 0; byte = 1000.0; }; }\n"));
	b = load_ok(text);
	assert_int_equal(b->n_ports, 3);
	for (size_t i = 0; i < 3; i++)
		assert_memory_equal(&a->ports[i].cost, &b->ports[i].cost, sizeof(a->ports[i].cost));
	/* and dumps again to the same text */
	assert_int_equal(vqos_conf_dump(b, &again), 0);
	assert_string_equal(text, again);
	free(text);
	free(again);
	vqos_conf_free(a);
	vqos_conf_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),	   cmocka_unit_test(test_class_keys),
		cmocka_unit_test(test_port_cost),  cmocka_unit_test(test_port_cost_errors),
		cmocka_unit_test(test_cost_words), cmocka_unit_test(test_byte_format),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
