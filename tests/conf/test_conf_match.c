/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of conf/match.c and of the class key `match`: the texts that read
 * into sets of PCP and DSCP values, every text that is refused (with the
 * exact message, alone, from vqosctl's words and from a file), and the
 * canonical text written back, which reads into an equal struct.
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

/* Bits lo..hi of a 64-bit set. */
static uint64_t span(unsigned int lo, unsigned int hi)
{
	uint64_t s = 0;

	for (unsigned int v = lo; v <= hi; v++)
		s |= 1ULL << v;
	return s;
}

static struct vqos_conf_match parse_ok(const char *text)
{
	struct vqos_conf_match m = { 0 };
	char err[192] = "";

	if (vqos_conf_match_parse(text, &m, err, sizeof(err)) != 0)
		fail_msg("'%s': %s", text, err);
	return m;
}

static void test_parse(void **state)
{
	static const struct {
		const char *text;
		uint8_t pcp;
		uint64_t dscp;
		const char *canonical;
	} cases[] = {
		{ "pcp 5", 1u << 5, 0, "pcp 5" },
		{ "pcp 4-7", 0xf0, 0, "pcp 4-7" },
		{ "pcp 0-7", 0xff, 0, "pcp 0-7" },
		{ "dscp 46", 0, 1ULL << 46, "dscp 46" },
		{ "dscp 32-47", 0, 0xffffULL << 32, "dscp 32-47" },
		{ "dscp 0-63", 0, ~0ULL, "dscp 0-63" },
		{ "dscp 63", 0, 1ULL << 63, "dscp 63" },
		{ "dscp 46, pcp 5", 1u << 5, 1ULL << 46, "pcp 5, dscp 46" },
		/* blanks around words and commas; runs written as ranges */
		{ "  pcp\t1 ,pcp 2,  dscp 10-11 , dscp 12 ", 0x06, 0x7ULL << 10,
		  "pcp 1-2, dscp 10-12" },
		{ "dscp 1, dscp 3, dscp 5-6", 0, 0x6aULL, "dscp 1, dscp 3, dscp 5-6" },
		{ "pcp 3-3", 1u << 3, 0, "pcp 3" },
		{ "pcp 07", 1u << 7, 0, "pcp 7" },
		{ "none", 0, 0, "none" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vqos_conf_match m = parse_ok(cases[i].text), back;
		char text[VQOS_CONF_MATCH_TEXT_MAX];

		assert_int_equal(m.pcp, cases[i].pcp);
		assert_int_equal(m.dscp, cases[i].dscp);
		vqos_conf_match_format(&m, text, sizeof(text));
		assert_string_equal(text, cases[i].canonical);
		back = parse_ok(text);
		assert_int_equal(back.pcp, m.pcp);
		assert_int_equal(back.dscp, m.dscp);
	}
}

/* The longest text there is (every other value) fits and reads back. */
static void test_format_longest(void **state)
{
	struct vqos_conf_match m = { 0x55, 0x5555555555555555ULL }, back;
	char text[VQOS_CONF_MATCH_TEXT_MAX], small[12];

	vqos_conf_match_format(&m, text, sizeof(text));
	assert_true(strlen(text) < sizeof(text) - 1);
	assert_memory_equal(text, "pcp 0, pcp 2, pcp 4, pcp 6, dscp 0, dscp 2, ", 44);
	back = parse_ok(text);
	assert_int_equal(back.pcp, m.pcp);
	assert_int_equal(back.dscp, m.dscp);
	/* a short buffer truncates, as snprintf */
	vqos_conf_match_format(&m, small, sizeof(small));
	assert_string_equal(small, "pcp 0, pcp ");
	m = (struct vqos_conf_match){ 0, span(0, 63) };
	vqos_conf_match_format(&m, text, sizeof(text));
	assert_string_equal(text, "dscp 0-63");
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "", "empty: give \"pcp N[-M]\" or \"dscp N[-M]\" items, comma-separated" },
		{ "  ", "empty: give \"pcp N[-M]\" or \"dscp N[-M]\" items, comma-separated" },
		{ "pcp 8", "'pcp 8': pcp values are 0..7" },
		{ "pcp 4-9", "'pcp 4-9': pcp values are 0..7" },
		{ "dscp 64", "'dscp 64': dscp values are 0..63" },
		{ "dscp 0-100", "'dscp 0-100': dscp values are 0..63" },
		{ "dscp 1000",
		  "'dscp 1000' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "dscp 40-32", "'dscp 40-32': the range is empty (low value first)" },
		{ "pcp 4-7, pcp 5", "'pcp 5': pcp 5 is given twice" },
		{ "dscp 10-20, dscp 0-12", "'dscp 0-12': dscp 10 is given twice" },
		{ "tos 3", "'tos 3' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "PCP 3", "'PCP 3' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "pcp", "'pcp' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "pcp5", "'pcp5' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "pcp -1", "'pcp -1' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "pcp 1-", "'pcp 1-' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "pcp 1 2",
		  "'pcp 1 2' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "pcp 1 - 2",
		  "'pcp 1 - 2' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "dscp 0x10",
		  "'dscp 0x10' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "dscp 46, 47", "'47' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "dscp 46; pcp 5",
		  "'dscp 46; pcp 5' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
		{ "pcp 5,", "an empty item between commas" },
		{ ", pcp 5", "an empty item between commas" },
		{ "pcp 5,, dscp 1", "an empty item between commas" },
		{ "None", "'None' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vqos_conf_match m = { 0x11, 0x22 };
		char err[192] = "";

		print_message("case '%s'\n", cases[i].text);
		assert_int_equal(vqos_conf_match_parse(cases[i].text, &m, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, cases[i].msg);
		/* untouched on error */
		assert_int_equal(m.pcp, 0x11);
		assert_int_equal(m.dscp, 0x22);
	}
	assert_int_equal(vqos_conf_match_parse(NULL, NULL, NULL, 0), -EINVAL);
}

/* The key in a file: the class's match and its bit; refusals name the key. */
static void test_file(void **state)
{
	struct vqos_conf *conf = load_ok(
		PORTS "rx = { classes = (\n"
		      "  { name = \"root\"; rate = \"1gbit\"; },\n"
		      "  { name = \"c1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; },\n"
		      "  { name = \"voice\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\";\n"
		      "    match = \"dscp 46, pcp 5\"; }\n"
		      "); };\n");
	const struct vqos_conf_class *c = &conf->rx.classes[2];

	assert_int_equal(c->set, VQOS_CONF_CLASS_PARENT | VQOS_CONF_CLASS_PORT |
					 VQOS_CONF_CLASS_RATE | VQOS_CONF_CLASS_MATCH);
	assert_int_equal(c->match.pcp, 1u << 5);
	assert_int_equal(c->match.dscp, 1ULL << 46);
	assert_int_equal(c->line, 6);
	/* a class without the key has no match and no bit */
	assert_int_equal(conf->rx.classes[1].match.pcp, 0);
	assert_int_equal(conf->rx.classes[1].match.dscp, 0);
	assert_false(conf->rx.classes[1].set & VQOS_CONF_CLASS_MATCH);
	assert_string_equal(vqos_conf_class_field_name(VQOS_CONF_CLASS_MATCH), "match");
	vqos_conf_free(conf);

	static const struct bad_case cases[] = {
		{ PORTS "rx = { classes = (\n { name = \"r\";\n match = \"pcp 8\"; } ); };\n",
		  "t.conf:5: key 'rx.classes.[0].match': 'pcp 8': pcp values are 0..7" },
		{ PORTS "rx = { classes = (\n { name = \"r\"; match = 5; } ); };\n",
		  "t.conf:4: key 'rx.classes.[0].match': expected a string, got an integer" },
		{ PORTS "rx = { classes = (\n { name = \"r\"; match = \"\"; } ); };\n",
		  "t.conf:4: key 'rx.classes.[0].match': empty: give \"pcp N[-M]\" or \"dscp "
		  "N[-M]\" items, comma-separated" },
		{ PORTS
		  "rx = { classes = (\n { name = \"r\";\n match = \"dscp 46 pcp 5\"; } ); };\n",
		  "t.conf:5: key 'rx.classes.[0].match': 'dscp 46 pcp 5' is not \"pcp N\", \"pcp "
		  "N-M\", \"dscp N\" or \"dscp N-M\"" },
	};

	expect_errors(cases, ARRAY_SIZE(cases));
}

/* vqosctl's words: the same key and texts; change merges the match. */
static void test_words(void **state)
{
	const char *argv[] = { "name", "v", "match", "pcp 4-7, dscp 46" };
	const char *bad[] = { "name", "v", "match", "pcp 9" };
	struct vqos_conf_class c, none = { 0 };
	char err[192] = "";

	assert_int_equal(vqos_conf_class_from_words(4, argv, &c, err, sizeof(err)), 0);
	assert_int_equal(c.match.pcp, 0xf0);
	assert_int_equal(c.match.dscp, 1ULL << 46);
	assert_int_equal(c.set, VQOS_CONF_CLASS_MATCH);
	assert_int_equal(vqos_conf_class_from_words(4, bad, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "match: 'pcp 9': pcp values are 0..7");
	/* `class change ... match none` takes the match away */
	assert_int_equal(vqos_conf_class_set(&none, "match", "none", err, sizeof(err)), 0);
	vqos_conf_class_merge(&c, &none);
	assert_int_equal(c.match.pcp, 0);
	assert_int_equal(c.match.dscp, 0);
	assert_true(c.set & VQOS_CONF_CLASS_MATCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	     cmocka_unit_test(test_format_longest),
		cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_file),
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
