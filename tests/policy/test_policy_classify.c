/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the rx classification of policy/: the rules on match (rx leaves
 * only, one default leaf per port, no value twice on a port) with their
 * exact messages, the table vqos_policy_classify() builds (and that of a
 * part), the default leaf as the port's leaf, the diff of a match change,
 * and the match through dump and back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "policy_test.h"

uint64_t rte_get_tsc_hz(void);

uint64_t rte_get_tsc_hz(void)
{
	return 2000000000ULL;
}

#define NONE	    VQOS_SCHED_CLASSIFY_NONE
#define RX(classes) PORTS3 "rx = { classes = (\n" classes "); };\n"
#define TX(classes) PORTS3 "tx = { classes = (\n" classes "); };\n"
/* root on line 5, a default leaf per port on lines 6 to 8 */
#define ROOT "{ name = \"root\"; rate = \"100mbit\"; },\n"
#define LEAVES                                                                                     \
	"{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; },\n"                \
	"{ name = \"l2\"; parent = \"root\"; port = \"c2\"; rate = \"1mbit\"; },\n"                \
	"{ name = \"l3\"; parent = \"root\"; port = \"c3\"; rate = \"1mbit\"; },\n"
/* a leaf of port P with match M */
#define MATCHED(name, p, m)                                                                        \
	"{ name = \"" name "\"; parent = \"root\"; port = \"" p                                    \
	"\"; rate = \"1mbit\"; match = \"" m "\"; },\n"

static void test_refused(void **state)
{
	static const struct {
		const char *text;
		enum vqos_policy_dir dir;
		const char *msg;
	} cases[] = {
		/* tx cannot pick packets out of a vring */
		{ TX(ROOT LEAVES MATCHED("v", "c1", "pcp 5")), VQOS_POLICY_TX,
		  "class 'v' (t.conf:9): match: tx is pull mode: vqosd dequeues a container's "
		  "vring in order and cannot pick packets by class; classify on rx only" },
		{ TX("{ name = \"root\"; rate = \"100mbit\"; match = \"dscp 1\"; },\n" LEAVES),
		  VQOS_POLICY_TX,
		  "class 'root' (t.conf:5): match: tx is pull mode: vqosd dequeues a container's "
		  "vring in order and cannot pick packets by class; classify on rx only" },
		/* frames are queued at leaves */
		{ RX(ROOT
		     "{ name = \"t\"; parent = \"root\"; rate = \"10mbit\"; match = \"pcp 1\"; "
		     "},\n" LEAVES
		     "{ name = \"x\"; parent = \"t\"; port = \"c1\"; rate = \"1mbit\"; "
		     "match = \"pcp 2\"; },\n"),
		  VQOS_POLICY_RX,
		  "class 't' (t.conf:6): has children, so no match (a match belongs on a leaf)" },
		/* what matches nothing must have a leaf */
		{ RX(ROOT MATCHED("v", "c1", "pcp 5")
			     MATCHED("w", "c1", "dscp 46") "{ name = \"l2\"; parent = \"root\"; "
							   "port = \"c2\"; rate = \"1mbit\"; "
							   "},\n"
							   "{ name = \"l3\"; parent = \"root\"; "
							   "port = \"c3\"; rate = \"1mbit\"; "
							   "},\n"),
		  VQOS_POLICY_RX,
		  "class 'v' (t.conf:6): port 'c1' has no default leaf: one of its leaves must "
		  "have no match (frames that match none go there)" },
		/* a second leaf without match would never see a frame */
		{ RX(ROOT LEAVES "{ name = \"x\"; parent = \"root\"; port = \"c2\"; rate = "
				 "\"1mbit\"; },\n"),
		  VQOS_POLICY_RX,
		  "class 'x' (t.conf:9): port 'c2' already has its default leaf 'l2' (the one "
		  "without match): give this one a match" },
		/* one value, one leaf per port */
		{ RX(ROOT LEAVES MATCHED("v", "c1", "pcp 4-7")
			     MATCHED("w", "c1", "dscp 10, pcp 6")),
		  VQOS_POLICY_RX,
		  "class 'w' (t.conf:10): match: pcp 6 already goes to leaf 'v' of port 'c1'" },
		{ RX(ROOT LEAVES MATCHED("v", "c1", "dscp 46") MATCHED("u", "c1", "pcp 1")
			     MATCHED("w", "c1", "dscp 32-47")),
		  VQOS_POLICY_RX,
		  "class 'w' (t.conf:11): match: dscp 46 already goes to leaf 'v' of port 'c1'" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		print_message("case %zu: %s\n", i, cases[i].msg);
		build_refused(cases[i].text, cases[i].dir, cases[i].msg);
	}
}

/* The same value on two ports, the default leaf after the matched ones. */
static const char two_ports[] = RX(ROOT MATCHED("v1", "c1", "dscp 46, pcp 5") MATCHED(
	"s1", "c1",
	"dscp 24-30, pcp 3") "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; "
			     "},\n"
			     "{ name = \"l2\"; parent = \"root\"; port = \"c2\"; rate = \"1mbit\"; "
			     "},\n" MATCHED("v2", "c2",
					    "pcp 5") "{ name = \"l3\"; parent = \"root\"; port = "
						     "\"c3\"; rate = \"1mbit\"; },\n");

static void test_table(void **state)
{
	struct vqos_policy *p = build_ok(two_ports, VQOS_POLICY_RX);
	const struct vqos_sched_classify *t = vqos_policy_classify(p);
	const struct vqos_sched_classify_port *r;

	/* classes: root 0, v1 1, s1 2, l1 3, l2 4, v2 5, l3 6 */
	assert_int_equal(t->n_ports, 3);
	/* the port's leaf is its default, not its first */
	assert_int_equal(vqos_policy_port_leaf(p, 0), 3);
	assert_int_equal(vqos_policy_leaf_of_port(p)[0], 3);
	assert_int_equal(vqos_policy_leaf_of_port(p)[1], 4);

	r = &t->ports[0];
	assert_int_equal(r->default_leaf, 3);
	assert_int_equal(r->rules, VQOS_SCHED_CLASSIFY_PCP | VQOS_SCHED_CLASSIFY_DSCP);
	for (unsigned int v = 0; v < 8; v++)
		assert_int_equal(r->pcp_leaf[v], v == 5 ? 1 : v == 3 ? 2 : NONE);
	for (unsigned int v = 0; v < 64; v++)
		assert_int_equal(r->dscp_leaf[v], v == 46 ? 1 : v >= 24 && v <= 30 ? 2 : NONE);

	r = &t->ports[1];
	assert_int_equal(r->default_leaf, 4);
	assert_int_equal(r->rules, VQOS_SCHED_CLASSIFY_PCP);
	for (unsigned int v = 0; v < 8; v++)
		assert_int_equal(r->pcp_leaf[v], v == 5 ? 5 : NONE);
	for (unsigned int v = 0; v < 64; v++)
		assert_int_equal(r->dscp_leaf[v], NONE);

	/* a port without rules: one branch on the data path */
	r = &t->ports[2];
	assert_int_equal(r->default_leaf, 6);
	assert_int_equal(r->rules, 0);
	/* rows are cache-line aligned */
	assert_int_equal((uintptr_t)t->ports % 64, 0);
	assert_int_equal(sizeof(*t->ports) % 64, 0);
	vqos_policy_free(p);

	/* tx and the default tree: no rules, the one leaf of each port */
	p = build_ok(TX(ROOT LEAVES), VQOS_POLICY_TX);
	t = vqos_policy_classify(p);
	for (uint32_t k = 0; k < 3; k++) {
		assert_int_equal(t->ports[k].rules, 0);
		assert_int_equal(t->ports[k].default_leaf, k + 1);
	}
	vqos_policy_free(p);
	p = build_ok(PORTS3, VQOS_POLICY_RX);
	t = vqos_policy_classify(p);
	assert_int_equal(t->n_ports, 3);
	assert_int_equal(t->ports[2].rules, 0);
	assert_int_equal(t->ports[2].default_leaf, 3);
	vqos_policy_free(p);
}

/* A match "none" is no match: the leaf is its port's default. */
static void test_none(void **state)
{
	struct vqos_policy *p = build_ok(
		RX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; "
			"match = \"none\"; },\n" MATCHED("v", "c1", "pcp 1")
				MATCHED("l2", "c2", "none") MATCHED("l3", "c3", "none")),
		VQOS_POLICY_RX);

	assert_int_equal(vqos_policy_port_leaf(p, 0), 1);
	assert_int_equal(vqos_policy_classify(p)->ports[0].pcp_leaf[1], 2);
	assert_int_equal(vqos_policy_port_leaf(p, 1), 3);
	vqos_policy_free(p);
}

/* The part of some ports: their rows, leaves numbered in the part. */
static void test_part(void **state)
{
	struct vqos_policy *p = build_ok(two_ports, VQOS_POLICY_RX);
	struct vqos_policy_slice s = { 0 };
	struct vqos_sched_classify t = { 0 };

	/* port c2 alone: root 0, l2 1, v2 2 */
	assert_int_equal(vqos_policy_slice(p, 1, &s), 0);
	assert_int_equal(vqos_policy_classify_part(p, &s, &t), 0);
	assert_int_equal(t.n_ports, 1);
	assert_int_equal(t.ports[0].default_leaf, 1);
	assert_int_equal(t.ports[0].rules, VQOS_SCHED_CLASSIFY_PCP);
	assert_int_equal(t.ports[0].pcp_leaf[5], 2);
	assert_int_equal(t.ports[0].pcp_leaf[3], NONE);
	assert_int_equal(t.ports[0].dscp_leaf[46], NONE);
	vqos_policy_classify_fini(&t);
	vqos_policy_slice_fini(&s);

	/* port c1 alone: root 0, v1 1, s1 2, l1 3 */
	assert_int_equal(vqos_policy_slice(p, 0, &s), 0);
	assert_int_equal(vqos_policy_classify_part(p, &s, &t), 0);
	assert_int_equal(t.ports[0].default_leaf, 3);
	assert_int_equal(t.ports[0].pcp_leaf[5], 1);
	assert_int_equal(t.ports[0].dscp_leaf[27], 2);
	vqos_policy_classify_fini(&t);
	vqos_policy_classify_fini(&t);
	vqos_policy_slice_fini(&s);

	/* an lcore's part, c3 then c1: root 0, v1 1, s1 2, l1 3, l3 4 */
	{
		const uint32_t ports[] = { 2, 0 };

		assert_int_equal(vqos_policy_part(p, ports, 2, &s), 0);
		assert_int_equal(vqos_policy_classify_part(p, &s, &t), 0);
		assert_int_equal(t.n_ports, 2);
		assert_int_equal(t.ports[0].rules, 0);
		assert_int_equal(t.ports[0].default_leaf, 4);
		assert_int_equal(t.ports[1].default_leaf, 3);
		assert_int_equal(t.ports[1].pcp_leaf[5], 1);
		assert_int_equal(t.ports[1].pcp_leaf[3], 2);
		assert_int_equal(t.ports[1].dscp_leaf[46], 1);
		assert_int_equal(t.ports[1].dscp_leaf[30], 2);
		assert_int_equal(t.ports[1].dscp_leaf[31], NONE);
		/* the defaults are the part's leaf_of_port */
		for (uint32_t k = 0; k < 2; k++)
			assert_int_equal(t.ports[k].default_leaf, s.leaf_of_port[k]);
		vqos_policy_classify_fini(&t);
		vqos_policy_slice_fini(&s);
	}
	assert_int_equal(vqos_policy_classify_part(p, NULL, &t), -EINVAL);
	vqos_policy_free(p);
}

/* vqosctl's `class change rx name NAME KEY VALUE` on @p p: 0 or its refusal in @p err. */
static int change(const struct vqos_policy *p, const char *name, const char *key, const char *value,
		  struct vqos_policy **out, char *err, size_t errlen)
{
	struct vqos_conf_class c = words("name", name, key, value, NULL);

	return vqos_policy_edit(p, VQOS_POLICY_CHANGE, &c, out, err, errlen);
}

/* A match is no qdisc parameter: a change needs the new table only. */
static void test_diff(void **state)
{
	struct vqos_policy *a = build_ok(two_ports, VQOS_POLICY_RX), *b, *c;
	struct vqos_policy_diff *d = NULL;
	char err[256];

	assert_int_equal(change(a, "v2", "match", "pcp 5-6", &b, err, sizeof(err)), 0);
	assert_int_equal(vqos_policy_diff(a, b, &d), 0);
	assert_true(d->changed);
	assert_false(d->structural);
	assert_true(d->classify);
	assert_int_equal(d->classes[5].change, VQOS_POLICY_CHANGED);
	assert_int_equal(d->classes[5].fields, VQOS_CONF_CLASS_MATCH);
	vqos_policy_diff_free(d);
	assert_int_equal(vqos_policy_classify(b)->ports[1].pcp_leaf[6], 5);
	vqos_policy_free(b);

	/* a rate changes no table */
	assert_int_equal(change(a, "v2", "rate", "2mbit", &c, err, sizeof(err)), 0);
	assert_int_equal(vqos_policy_diff(a, c, &d), 0);
	assert_true(d->changed);
	assert_false(d->classify);
	vqos_policy_diff_free(d);
	vqos_policy_free(c);

	/* one edit at a time keeps one default leaf per port ... */
	assert_int_equal(change(a, "v2", "match", "none", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "class 'v2': port 'c2' already has its default leaf 'l2' (the "
				 "one without match): give this one a match");
	assert_int_equal(change(a, "l2", "match", "dscp 1", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "class 'l2': port 'c2' has no default leaf: one of its leaves "
				 "must have no match (frames that match none go there)");
	/* ... so a file moves it: l2 gets a match, v2 loses its own */
	b = build_ok(
		RX(ROOT MATCHED("v1", "c1", "dscp 46, pcp 5") MATCHED(
			"s1", "c1", "dscp 24-30, pcp 3") "{ name = \"l1\"; parent = \"root\"; "
							 "port = \"c1\"; rate = \"1mbit\"; "
							 "},\n" MATCHED("l2", "c2",
									"dscp 1") "{ name = "
										  "\"v2\"; parent "
										  "= \"root\"; "
										  "port = \"c2\"; "
										  "rate = "
										  "\"1mbit\"; },\n"
										  "{ name = "
										  "\"l3\"; parent "
										  "= \"root\"; "
										  "port = \"c3\"; "
										  "rate = "
										  "\"1mbit\"; "
										  "},\n"),
		VQOS_POLICY_RX);
	assert_int_equal(vqos_policy_port_leaf(b, 1), 5);
	assert_int_equal(vqos_policy_classify(b)->ports[1].default_leaf, 5);
	assert_int_equal(vqos_policy_classify(b)->ports[1].dscp_leaf[1], 4);
	assert_int_equal(vqos_policy_classify(b)->ports[1].pcp_leaf[5], NONE);
	assert_int_equal(vqos_policy_diff(a, b, &d), 0);
	assert_false(d->structural);
	assert_true(d->classify);
	assert_int_equal(d->classes[4].fields, VQOS_CONF_CLASS_MATCH);
	assert_int_equal(d->classes[5].fields, VQOS_CONF_CLASS_MATCH);
	vqos_policy_diff_free(d);
	vqos_policy_free(a);
	vqos_policy_free(b);
}

/* Dump writes the match canonically; it loads back into the same policy. */
static void test_dump(void **state)
{
	struct vqos_policy *p = build_ok(two_ports, VQOS_POLICY_RX), *q;
	struct vqos_policy_diff *d = NULL;
	char *text, *again, *whole;

	assert_int_equal(vqos_policy_dump(p, &text), 0);
	assert_non_null(strstr(text, "{ name = \"v1\"; parent = \"root\"; port = \"c1\"; rate = "
				     "\"1mbit\"; match = \"pcp 5, dscp 46\"; }"));
	assert_non_null(strstr(text, " match = \"pcp 3, dscp 24-30\"; }"));
	whole = malloc(strlen(PORTS3) + strlen(text) + 1);
	assert_non_null(whole);
	strcpy(whole, PORTS3);
	strcat(whole, text);
	q = build_ok(whole, VQOS_POLICY_RX);
	assert_int_equal(vqos_policy_diff(p, q, &d), 0);
	assert_false(d->changed);
	assert_false(d->classify);
	vqos_policy_diff_free(d);
	assert_int_equal(vqos_policy_dump(q, &again), 0);
	assert_string_equal(again, text);
	free(again);
	free(whole);
	free(text);
	vqos_policy_free(q);
	vqos_policy_free(p);
}

/* The shipped example: pbx's three leaves, web's one. */
static void test_example(void **state)
{
	const char *path = VQOS_SOURCE_DIR "/conf/examples/classify.conf";
	struct vqos_conf *conf = NULL;
	struct vqos_policy *p = NULL;
	const struct vqos_sched_classify_port *r;
	char err[512] = "";

	if (vqos_conf_load_file(path, &conf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	if (vqos_policy_build(conf, VQOS_POLICY_RX, &p, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	r = &vqos_policy_classify(p)->ports[0];
	assert_int_equal(r->default_leaf, vqos_policy_find(p, "pbx"));
	assert_int_equal(r->pcp_leaf[5], vqos_policy_find(p, "pbx-voice"));
	assert_int_equal(r->dscp_leaf[46], vqos_policy_find(p, "pbx-voice"));
	assert_int_equal(r->dscp_leaf[26], vqos_policy_find(p, "pbx-sig"));
	assert_int_equal(r->pcp_leaf[0], NONE);
	assert_int_equal(vqos_policy_classify(p)->ports[1].rules, 0);
	vqos_policy_free(p);
	vqos_conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused), cmocka_unit_test(test_table),
		cmocka_unit_test(test_none),	cmocka_unit_test(test_part),
		cmocka_unit_test(test_diff),	cmocka_unit_test(test_dump),
		cmocka_unit_test(test_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
