/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cycles in policy/: cps and ccps checked against the tree (htb only, ccps
 * >= cps, admission, a cost model on every port a cycle rate leads to), the
 * leaves' cost models and the default cycle bursts in the sched params, cps
 * split between lcores like pps, edits, diffs (a cost change rebuilds), and
 * the dump that loads back into the same tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "policy_test.h"

/* Ports c1 (900 + 0.45/B), c2 (1500 + 0.125/B) and c3 (no model). */
#define PORTS_COST                                                                                 \
	"ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"net_null1\";\n"          \
	"            cost = { packet = 900; byte = 0.45; }; },\n"                                  \
	"          { name = \"c2\"; socket = \"/run/c2.sock\"; uplink = \"net_null2\";\n"          \
	"            cost = { packet = 1500; byte = 0.125; }; },\n"                                \
	"          { name = \"c3\"; socket = \"/run/c3.sock\"; uplink = \"net_null3\"; } );\n"

/* Lines 6..: a root of 10 Gbit/s over t (1 G cycles/s, ccps 2 G) over c1
 * and c2, and c3 beside t in bits only. */
static const char tree[] = PORTS_COST
	"tx = { qdisc = \"htb\"; classes = (\n"
	"  { name = \"root\"; rate = \"10gbit\"; },\n"
	"  { name = \"t\"; parent = \"root\"; cps = \"1gcps\"; ccps = \"2gcps\"; },\n"
	"  { name = \"a\"; parent = \"t\"; port = \"c1\"; cps = \"600mcps\"; },\n"
	"  { name = \"b\"; parent = \"t\"; port = \"c2\"; cps = \"400mcps\"; ccps = \"1gcps\"; },\n"
	"  { name = \"c\"; parent = \"root\"; port = \"c3\"; rate = \"1gbit\"; },\n"
	"); };\n";

static void test_params(void **state)
{
	struct vqos_policy *p = build_ok(tree, VQOS_POLICY_TX);
	const struct vqos_sched_params *prm = vqos_policy_params(p);
	const struct vqos_sched_class_params *c = prm->classes;
	uint64_t frame_a = vqos_sched_cost_frame(900, 461),
		 frame_b = vqos_sched_cost_frame(1500, 128);

	assert_int_equal(c[0].ceil_cps, 0);
	assert_int_equal(c[1].rate_cps, 1000000000);
	assert_int_equal(c[2].rate_cps, 600000000);
	assert_int_equal(c[3].ceil_cps, 1000000000);
	/* the leaves below a cycle rate carry their port's model, c none */
	assert_int_equal(c[2].cost_pkt, 900);
	assert_int_equal(c[2].cost_byte, 461);
	assert_int_equal(c[3].cost_pkt, 1500);
	assert_int_equal(c[3].cost_byte, 128);
	assert_int_equal(c[4].cost_pkt, 0);
	assert_int_equal(c[4].cost_byte, 0);
	/* default cycle bursts, in frames of the costliest model below */
	assert_true(frame_a < frame_b);
	assert_int_equal(c[2].burst_cyc, vqos_sched_default_burst(600000000, frame_a));
	assert_int_equal(c[3].cburst_cyc, vqos_sched_default_burst(1000000000, frame_b));
	assert_int_equal(c[1].burst_cyc, vqos_sched_default_burst(1000000000, frame_b));
	assert_int_equal(c[1].cburst_cyc, vqos_sched_default_burst(2000000000, frame_b));
	assert_int_equal(c[0].cburst_cyc, 0);
	assert_int_equal(c[4].burst_cyc, 0);
	vqos_policy_free(p);
}

static void test_rules(void **state)
{
	char *over;

	/* a cycle rate above a port without a model, named with the port */
	build_refused(PORTS_COST
		      "tx = { classes = (\n"
		      "  { name = \"root\"; rate = \"10gbit\"; ccps = \"2gcps\"; },\n"
		      "  { name = \"a\"; parent = \"root\"; port = \"c1\"; rate = \"1gbit\"; },\n"
		      "  { name = \"b\"; parent = \"root\"; port = \"c2\"; rate = \"1gbit\"; },\n"
		      "  { name = \"c\"; parent = \"root\"; port = \"c3\"; rate = \"1gbit\"; },\n"
		      "); };\n",
		      VQOS_POLICY_TX,
		      "class 'root' (t.conf:7): ccps: its leaf 'c' is on port 'c3', which has no "
		      "cost model: give the port cost = { packet = N; byte = N; } (or vqosctl "
		      "port cost c3 packet N byte N)");
	/* only htb has cycle buckets */
	build_refused(PORT1 "rx = { qdisc = \"sched\"; classes = (\n"
			    "  { name = \"root\"; rate = \"10gbit\"; },\n"
			    "  { name = \"a\"; parent = \"root\"; port = \"c1\"; rate = \"1gbit\"; "
			    "cps = \"1gcps\"; },\n"
			    "); };\n",
		      VQOS_POLICY_RX, "class 'a' (t.conf:4): cps is for qdisc htb, not sched");
	build_refused(PORTS_COST "tx = { qdisc = \"fifo\"; classes = (\n"
				 "  { name = \"root\"; ccps = \"1gcps\"; },\n"
				 "  { name = \"a\"; parent = \"root\"; port = \"c1\"; },\n"
				 "  { name = \"b\"; parent = \"root\"; port = \"c2\"; },\n"
				 "  { name = \"c\"; parent = \"root\"; port = \"c3\"; },\n"
				 "); };\n",
		      VQOS_POLICY_TX, "class 'root' (t.conf:7): ccps is for qdisc htb, not fifo");
	/* ccps >= cps; a cycle rate alone is a rate; admission in cycles */
	build_refused(PORT1
		      "tx = { classes = (\n"
		      "  { name = \"root\"; cps = \"2gcps\"; ccps = \"1gcps\"; },\n"
		      "  { name = \"a\"; parent = \"root\"; port = \"c1\"; rate = \"1gbit\"; },\n"
		      "); };\n",
		      VQOS_POLICY_TX, "class 'root' (t.conf:3): ccps 1gcps is below cps 2gcps");
	/* t's children: 600 M + 500 M cycles/s over its 1 G, unless it overcommits */
	over = strdup(tree);
	assert_non_null(over);
	memcpy(strstr(over, "\"400mcps\""), "\"500mcps\"", 9);
	build_refused(over, VQOS_POLICY_TX,
		      "class 't' (t.conf:8): its children's cps add up to 1100mcps, over its cps "
		      "1gcps (set overcommit = true to allow)");
	memcpy(strstr(over, "ccps = \"2gcps\";"), "overcommit=true;", 16);
	vqos_policy_free(build_ok(over, VQOS_POLICY_TX));
	free(over);
}

/* A class split between lcores gets its share of cps by its leaves' cps. */
static void test_part(void **state)
{
	struct vqos_policy *p = build_ok(tree, VQOS_POLICY_TX);
	const uint32_t first[] = { 0 }, rest[] = { 1, 2 };
	struct vqos_policy_slice x = { 0 }, y = { 0 };

	assert_int_equal(vqos_policy_part(p, first, 1, &x), 0);
	assert_int_equal(vqos_policy_part(p, rest, 2, &y), 0);
	/* t: 1 G over a 600 M (x) and b 400 M (y); ccps by the same share */
	assert_true(x.classes[1].rate_cps == 600000000);
	assert_true(x.classes[1].ceil_cps == 1200000000);
	assert_true(y.classes[1].rate_cps == 400000000);
	assert_true(y.classes[1].ceil_cps == 800000000);
	assert_true(x.classes[0].rate_cps == 0);
	/* leaves go whole, with their models */
	assert_true(x.classes[2].rate_cps == 600000000);
	assert_int_equal(x.classes[2].cost_pkt, 900);
	vqos_policy_slice_fini(&x);
	vqos_policy_slice_fini(&y);
	vqos_policy_free(p);
}

/* cps changes like any rate (change() does it); a new model is a new qdisc. */
static void test_diff(void **state)
{
	struct vqos_policy *a = build_ok(tree, VQOS_POLICY_TX), *b = NULL;
	struct vqos_conf_class c = words("name", "a", "cps", "500mcps", NULL);
	struct vqos_policy_diff *d = NULL;
	struct vqos_conf *conf;
	char err[256];

	assert_int_equal(vqos_policy_edit(a, VQOS_POLICY_CHANGE, &c, &b, err, sizeof(err)), 0);
	assert_int_equal(vqos_policy_diff(a, b, &d), 0);
	assert_true(d->changed);
	assert_false(d->structural);
	/* its ccps is its cps, and its default bursts follow them */
	assert_int_equal(d->classes[2].fields, VQOS_CONF_CLASS_CPS | VQOS_CONF_CLASS_CCPS |
						       VQOS_CONF_CLASS_BURST |
						       VQOS_CONF_CLASS_CBURST);
	vqos_policy_diff_free(d);
	vqos_policy_free(b);
	/* c's port has no model: a cycle rate on c is refused */
	c = words("name", "c", "ccps", "1gcps", NULL);
	assert_int_equal(vqos_policy_edit(a, VQOS_POLICY_CHANGE, &c, &b, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "class 'c': ccps: its leaf 'c' is on port 'c3', which has no "
				 "cost model: give the port cost = { packet = N; byte = N; } (or "
				 "vqosctl port cost c3 packet N byte N)");
	/* another model on c1: rebuilt */
	conf = conf_ok(tree);
	conf->ports[0].cost.packet = 901;
	assert_int_equal(vqos_policy_build(conf, VQOS_POLICY_TX, &b, err, sizeof(err)), 0);
	assert_int_equal(vqos_policy_diff(a, b, &d), 0);
	assert_true(d->structural);
	assert_string_equal(d->why, "class 'a': the cost model of its packets changed");
	assert_int_equal(d->classes[2].change, VQOS_POLICY_CHANGED);
	vqos_policy_diff_free(d);
	vqos_policy_free(b);
	/* another model on c3, whose leaf no cycle rate leads to: nothing changes */
	conf->ports[0].cost.packet = 900;
	conf->ports[2].cost = (struct vqos_conf_cost){ .set = true, .packet = 5 };
	assert_int_equal(vqos_policy_build(conf, VQOS_POLICY_TX, &b, err, sizeof(err)), 0);
	assert_int_equal(vqos_policy_diff(a, b, &d), 0);
	assert_false(d->changed);
	vqos_policy_diff_free(d);
	vqos_policy_free(b);
	vqos_conf_free(conf);
	vqos_policy_free(a);
}

/* The dump writes cps and ccps exactly and loads back into the same tree. */
static void test_dump(void **state)
{
	struct vqos_policy *a = build_ok(tree, VQOS_POLICY_TX), *b;
	struct vqos_policy_diff *d = NULL;
	char *text = NULL, *file;
	size_t len;

	assert_int_equal(vqos_policy_dump(a, &text), 0);
	assert_non_null(strstr(text, "{ name = \"b\"; parent = \"t\"; port = \"c2\"; cps = "
				     "\"400mcps\"; ccps = \"1gcps\"; }"));
	len = strlen(PORTS_COST) + strlen(text) + 1;
	file = malloc(len);
	assert_non_null(file);
	snprintf(file, len, "%s%s", PORTS_COST, text);
	b = build_ok(file, VQOS_POLICY_TX);
	assert_int_equal(vqos_policy_diff(a, b, &d), 0);
	assert_false(d->changed);
	assert_memory_equal(vqos_policy_params(a)->classes, vqos_policy_params(b)->classes,
			    5 * sizeof(struct vqos_sched_class_params));
	vqos_policy_diff_free(d);
	vqos_policy_free(b);
	free(file);
	free(text);
	vqos_policy_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params), cmocka_unit_test(test_rules),
		cmocka_unit_test(test_part),   cmocka_unit_test(test_diff),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
