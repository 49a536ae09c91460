/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of policy/diff.c and policy/edit.c: the diff of two policies (what
 * changed, and whether the data path must rebuild), vqosctl's class verbs
 * and their refusals (which never change the running policy), and the dump
 * back to the file's text, round trip included.
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

/* root (line 5) and one 1 mbit leaf per port, l1 l2 l3 (lines 6 to 8) */
#define TREE                                                                                       \
	"{ name = \"root\"; rate = \"10mbit\"; },\n"                                               \
	"{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; },\n"                \
	"{ name = \"l2\"; parent = \"root\"; port = \"c2\"; rate = \"1mbit\"; },\n"                \
	"{ name = \"l3\"; parent = \"root\"; port = \"c3\"; rate = \"1mbit\"; }\n"
#define TX(classes) PORTS3 "tx = { classes = (\n" classes "); };\n"
#define RX(classes) PORTS3 "rx = { classes = (\n" classes "); };\n"

static struct vqos_policy_diff *diff_ok(const struct vqos_policy *a, const struct vqos_policy *b)
{
	struct vqos_policy_diff *d = NULL;

	assert_int_equal(vqos_policy_diff(a, b, &d), 0);
	assert_non_null(d);
	return d;
}

/* Whether @p a and @p b are the same tree to the data path. */
static bool same(const struct vqos_policy *a, const struct vqos_policy *b)
{
	struct vqos_policy_diff *d = diff_ok(a, b);
	bool changed = d->changed;

	vqos_policy_diff_free(d);
	return !changed;
}

static void test_diff_nothing(void **state)
{
	struct vqos_policy *a = build_ok(TX(TREE), VQOS_POLICY_TX);
	/* the same tree in other words: ceil written out as the rate */
	struct vqos_policy *b = build_ok(
		TX("{ name = \"root\"; rate = \"10000kbit\"; ceil = \"10mbit\"; },\n"
		   "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; },\n"
		   "{ name = \"l2\"; parent = \"root\"; port = \"c2\"; rate = \"1mbit\"; },\n"
		   "{ name = \"l3\"; parent = \"root\"; port = \"c3\"; rate = \"125kbps\"; }\n"),
		VQOS_POLICY_TX);
	struct vqos_policy_diff *d = diff_ok(a, b);

	assert_false(d->changed);
	assert_false(d->structural);
	assert_string_equal(d->why, "");
	assert_int_equal(d->n_classes, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(d->classes[i].change, VQOS_POLICY_UNCHANGED);
		assert_int_equal(d->classes[i].old_index, i);
		assert_int_equal(d->classes[i].new_index, i);
	}
	vqos_policy_diff_free(d);
	vqos_policy_diff_free(NULL);
	vqos_policy_free(a);
	vqos_policy_free(b);
}

static void test_diff_rate(void **state)
{
	struct vqos_policy *a = build_ok(TX(TREE), VQOS_POLICY_TX);
	struct vqos_policy *b = build_ok(
		TX("{ name = \"root\"; rate = \"10mbit\"; },\n"
		   "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; },\n"
		   "{ name = \"l2\"; parent = \"root\"; port = \"c2\"; rate = \"2mbit\"; prio = 3; "
		   "},\n"
		   "{ name = \"l3\"; parent = \"root\"; port = \"c3\"; rate = \"1mbit\"; }\n"),
		VQOS_POLICY_TX);
	struct vqos_policy_diff *d = diff_ok(a, b);

	assert_true(d->changed);
	assert_false(d->structural);
	assert_int_equal(d->classes[2].change, VQOS_POLICY_CHANGED);
	assert_string_equal(d->classes[2].name, "l2");
	/* ceil follows the rate it defaults to, and the default bursts both */
	assert_int_equal(d->classes[2].fields,
			 VQOS_CONF_CLASS_RATE | VQOS_CONF_CLASS_CEIL | VQOS_CONF_CLASS_BURST |
				 VQOS_CONF_CLASS_CBURST | VQOS_CONF_CLASS_PRIO);
	assert_int_equal(d->classes[1].change, VQOS_POLICY_UNCHANGED);
	/* what change() needs: the same id in both */
	assert_int_equal(vqos_policy_params(a)->classes[2].id,
			 vqos_policy_params(b)->classes[2].id);
	vqos_policy_diff_free(d);
	vqos_policy_free(a);
	vqos_policy_free(b);
}

static void test_diff_structural(void **state)
{
	struct vqos_policy *a = build_ok(RX(TREE), VQOS_POLICY_RX);
	struct vqos_policy *added = build_ok(
		RX(TREE ",{ name = \"x\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\";"
			" match = \"pcp 5\"; }\n"),
		VQOS_POLICY_RX);
	struct vqos_policy *moved = build_ok(
		RX("{ name = \"root\"; rate = \"10mbit\"; },\n"
		   "{ name = \"l1\"; parent = \"root\"; port = \"c2\"; rate = \"1mbit\"; },\n"
		   "{ name = \"l2\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; },\n"
		   "{ name = \"l3\"; parent = \"root\"; port = \"c3\"; rate = \"1mbit\"; }\n"),
		VQOS_POLICY_RX);
	struct vqos_policy *fifo = build_ok(PORTS3 "rx = { qdisc = \"fifo\"; };\n", VQOS_POLICY_RX);
	struct vqos_policy *tx = build_ok(TX(TREE), VQOS_POLICY_TX);
	struct vqos_policy_diff *d = diff_ok(a, added);

	assert_true(d->structural);
	assert_string_equal(d->why, "class 'x' added");
	assert_int_equal(d->n_classes, 5);
	assert_int_equal(d->classes[4].change, VQOS_POLICY_ADDED);
	assert_int_equal(d->classes[4].old_index, VQOS_POLICY_NONE);
	vqos_policy_diff_free(d);

	d = diff_ok(added, a);
	assert_true(d->structural);
	assert_string_equal(d->why, "class 'x' removed");
	assert_int_equal(d->classes[4].change, VQOS_POLICY_REMOVED);
	assert_int_equal(d->classes[4].old_index, 4);
	assert_int_equal(d->classes[4].new_index, VQOS_POLICY_NONE);
	vqos_policy_diff_free(d);

	d = diff_ok(a, moved);
	assert_true(d->structural);
	assert_string_equal(d->why, "class 'l1': port changed");
	assert_int_equal(d->classes[1].fields, VQOS_CONF_CLASS_PORT);
	vqos_policy_diff_free(d);

	d = diff_ok(a, fifo);
	assert_true(d->structural);
	assert_string_equal(d->why, "qdisc fifo instead of htb");
	vqos_policy_diff_free(d);

	/* only one direction's trees compare */
	assert_int_equal(vqos_policy_diff(a, tx, &d), -EINVAL);
	assert_int_equal(vqos_policy_diff(NULL, a, &d), -EINVAL);
	vqos_policy_free(a);
	vqos_policy_free(added);
	vqos_policy_free(moved);
	vqos_policy_free(fifo);
	vqos_policy_free(tx);
}

/* A reload that adds a port changes the default tree's shape. */
static void test_diff_ports(void **state)
{
	struct vqos_policy *a = build_ok(PORTS3, VQOS_POLICY_TX);
	struct vqos_policy *b = build_ok(
		"ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"n1\"; } );\n",
		VQOS_POLICY_TX);
	struct vqos_policy_diff *d = diff_ok(a, b);

	assert_true(d->structural);
	assert_string_equal(d->why, "the ports changed");
	vqos_policy_diff_free(d);
	vqos_policy_free(a);
	vqos_policy_free(b);
}

/* Edit @p cur; it must be refused with @p rc and @p msg, and @p cur unchanged. */
static void edit_refused(const struct vqos_policy *cur, enum vqos_policy_verb verb,
			 struct vqos_conf_class c, int rc, const char *msg)
{
	struct vqos_policy *out = NULL;
	char err[256] = "";
	char *before, *after;

	assert_int_equal(vqos_policy_dump(cur, &before), 0);
	assert_int_equal(vqos_policy_edit(cur, verb, &c, &out, err, sizeof(err)), rc);
	assert_null(out);
	assert_string_equal(err, msg);
	assert_int_equal(vqos_policy_dump(cur, &after), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static struct vqos_policy *edit_ok(const struct vqos_policy *cur, enum vqos_policy_verb verb,
				   struct vqos_conf_class c)
{
	struct vqos_policy *out = NULL;
	char err[256] = "";

	if (vqos_policy_edit(cur, verb, &c, &out, err, sizeof(err)) != 0)
		fail_msg("edit: %s", err);
	assert_non_null(out);
	return out;
}

static void test_edit_verbs(void **state)
{
	struct vqos_policy *cur = build_ok(RX(TREE), VQOS_POLICY_RX);
	struct vqos_policy *p, *q;
	struct vqos_policy_diff *d;
	enum vqos_policy_verb v;

	/* add: a new leaf of c1 (rx takes several, each but the default with a match) */
	p = edit_ok(cur, VQOS_POLICY_ADD,
		    words("name", "x", "parent", "root", "port", "c1", "rate", "2mbit", "match",
			  "pcp 5", NULL));
	assert_int_equal(vqos_policy_n_classes(p), 5);
	assert_int_equal(vqos_policy_class(p, 4)->line, 0);
	assert_int_equal(vqos_policy_n_classes(cur), 4);
	/* change: the words given replace those fields, the others stay */
	q = edit_ok(p, VQOS_POLICY_CHANGE, words("name", "x", "ceil", "5mbit", NULL));
	assert_int_equal(vqos_policy_params(q)->classes[4].rate_bps, 2000000);
	assert_int_equal(vqos_policy_params(q)->classes[4].ceil_bps, 5000000);
	d = diff_ok(p, q);
	assert_true(d->changed);
	assert_false(d->structural);
	/* the default cburst follows the ceil */
	assert_int_equal(d->classes[4].fields, VQOS_CONF_CLASS_CEIL | VQOS_CONF_CLASS_CBURST);
	vqos_policy_diff_free(d);
	vqos_policy_free(p);
	/* replace: a change when the name exists ... */
	p = edit_ok(q, VQOS_POLICY_REPLACE, words("name", "x", "prio", "2", NULL));
	assert_int_equal(vqos_policy_params(p)->classes[4].prio, 2);
	assert_int_equal(vqos_policy_params(p)->classes[4].ceil_bps, 5000000);
	vqos_policy_free(q);
	/* ... and an add when it does not */
	q = edit_ok(p, VQOS_POLICY_REPLACE,
		    words("name", "y", "parent", "root", "port", "c2", "rate", "1mbit", "match",
			  "dscp 46", NULL));
	assert_int_equal(vqos_policy_n_classes(q), 6);
	vqos_policy_free(p);
	/* del: a leaf without children */
	p = edit_ok(q, VQOS_POLICY_DEL, words("name", "x", NULL));
	assert_int_equal(vqos_policy_n_classes(p), 5);
	assert_int_equal(vqos_policy_find(p, "x"), VQOS_POLICY_NONE);
	assert_int_equal(vqos_policy_find(p, "y"), 4);
	vqos_policy_free(q);
	q = edit_ok(p, VQOS_POLICY_DEL, words("name", "y", NULL));
	/* back where it started */
	assert_true(same(cur, q));
	vqos_policy_free(p);
	vqos_policy_free(q);

	assert_int_equal(vqos_policy_verb_parse("replace", &v), 0);
	assert_int_equal(v, VQOS_POLICY_REPLACE);
	assert_int_equal(vqos_policy_verb_parse("del", &v), 0);
	assert_int_equal(v, VQOS_POLICY_DEL);
	assert_int_equal(vqos_policy_verb_parse("delete", &v), -EINVAL);
	assert_int_equal(vqos_policy_verb_parse(NULL, &v), -EINVAL);
	vqos_policy_free(cur);
}

/* Every refusal names the class and the word, and changes nothing. */
static void test_edit_refused(void **state)
{
	struct vqos_policy *tx = build_ok(TX(TREE), VQOS_POLICY_TX);
	struct vqos_policy *p;

	edit_refused(tx, VQOS_POLICY_ADD, words("name", "l1", "rate", "1mbit", NULL), -EEXIST,
		     "class 'l1': already exists (use change or replace)");
	edit_refused(tx, VQOS_POLICY_CHANGE, words("name", "zz", "rate", "1mbit", NULL), -ENOENT,
		     "class 'zz': does not exist (use add or replace)");
	edit_refused(tx, VQOS_POLICY_DEL, words("name", "zz", NULL), -ENOENT,
		     "class 'zz': does not exist");
	edit_refused(tx, VQOS_POLICY_DEL, words("name", "root", NULL), -ENOTEMPTY,
		     "class 'root': has children (delete them first)");
	/* the whole resulting tree is checked */
	edit_refused(tx, VQOS_POLICY_DEL, words("name", "l3", NULL), -EINVAL,
		     "tx: port 'c3' has no leaf class");
	edit_refused(tx, VQOS_POLICY_ADD,
		     words("name", "x", "parent", "root", "port", "c1", "rate", "1mbit", NULL),
		     -EINVAL,
		     "class 'x': port 'c1' already has leaf 'l1' (tx takes one leaf per port)");
	edit_refused(tx, VQOS_POLICY_CHANGE, words("name", "l1", "ceil", "500kbit", NULL), -EINVAL,
		     "class 'l1': ceil 500kbit is below rate 1mbit");
	edit_refused(tx, VQOS_POLICY_CHANGE, words("name", "l1", "parent", "l2", NULL), -EINVAL,
		     "class 'l2' (t.conf:7): has children, so no port (port 'c2' belongs on a "
		     "leaf)");
	edit_refused(tx, VQOS_POLICY_CHANGE, words("name", "l1", "prio", "8", NULL), -EINVAL,
		     "class 'l1': prio 8 is over 7");
	/* admission control: the root cannot pay 9 + 1 + 1 mbit ... */
	edit_refused(tx, VQOS_POLICY_CHANGE, words("name", "l1", "rate", "9mbit", NULL), -EINVAL,
		     "class 'root' (t.conf:5): its children's rates add up to 11mbit, over its "
		     "rate 10mbit (set overcommit = true to allow)");
	/* ... unless it says it may promise more than it has */
	p = edit_ok(tx, VQOS_POLICY_CHANGE, words("name", "root", "overcommit", "true", NULL));
	{
		struct vqos_policy *q =
			edit_ok(p, VQOS_POLICY_CHANGE, words("name", "l1", "rate", "9mbit", NULL));
		struct vqos_policy_diff *d = diff_ok(tx, p);

		/* overcommit is the tree's allow_overcommit: a new qdisc */
		assert_true(d->structural);
		assert_string_equal(d->why, "class 'root': overcommit changed");
		vqos_policy_diff_free(d);
		vqos_policy_free(q);
	}
	vqos_policy_free(p);
	{
		struct vqos_conf_class c = { 0 };
		struct vqos_policy *out = NULL;
		char err[128];

		assert_int_equal(vqos_policy_edit(tx, VQOS_POLICY_ADD, &c, &out, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "a class needs a name");
		assert_int_equal(vqos_policy_edit(NULL, VQOS_POLICY_ADD, &c, &out, NULL, 0),
				 -EINVAL);
	}
	vqos_policy_free(tx);
}

/* Edits of the default tree make it an ordinary fifo tree. */
static void test_edit_default(void **state)
{
	struct vqos_policy *def = build_ok(PORTS3 "rx = { qdisc = \"fifo\"; };\n", VQOS_POLICY_RX);
	struct vqos_policy *p =
		edit_ok(def, VQOS_POLICY_ADD,
			words("name", "x", "parent", "root", "port", "c1", "match", "pcp 1", NULL));

	assert_false(vqos_policy_is_default(p));
	assert_string_equal(vqos_policy_ops(p)->name, "fifo");
	vqos_policy_free(p);
	vqos_policy_free(def);
	/* the htb default: a new class needs a rate like any htb class */
	def = build_ok(PORTS3, VQOS_POLICY_RX);
	p = edit_ok(def, VQOS_POLICY_ADD,
		    words("name", "x", "parent", "root", "port", "c1", "rate", "2mbit", "match",
			  "pcp 1", NULL));
	assert_false(vqos_policy_is_default(p));
	assert_string_equal(vqos_policy_ops(p)->name, "htb");
	vqos_policy_free(p);
	vqos_policy_free(def);
}

/* Dump, load, build: the same policy. */
static void round_trip(const char *ports, const struct vqos_policy *p)
{
	char *dump = NULL, *text;
	struct vqos_policy *back;
	size_t len;

	assert_int_equal(vqos_policy_dump(p, &dump), 0);
	len = strlen(ports) + strlen(dump) + 1;
	text = malloc(len);
	assert_non_null(text);
	snprintf(text, len, "%s%s", ports, dump);
	back = build_ok(text, vqos_policy_direction(p));
	assert_true(same(p, back));
	assert_int_equal(vqos_policy_is_default(back), vqos_policy_is_default(p));
	vqos_policy_free(back);
	free(text);
	free(dump);
}

/*
 * Every key at the largest value the checks take, set as vqosctl sets it,
 * dumps to a text that loads back into the same tree: limit 2^32 - 1 in tx
 * (rx bounds a port's queues) was dumped without libconfig's L and came
 * back negative, so every later port add, port del or qdisc replace failed.
 */
static void test_dump_extremes(void **state)
{
	struct vqos_policy *p = build_ok(TX(TREE), VQOS_POLICY_TX), *q, *r;
	struct vqos_policy *rx = build_ok(RX(TREE), VQOS_POLICY_RX), *rq;

	q = edit_ok(p, VQOS_POLICY_CHANGE,
		    words("name", "l1", "limit", "4294967295", "quantum", "4294967295", "prio", "7",
			  "ceil", "100gbit", "cpps", "1gpps", NULL));
	round_trip(PORTS3, q);
	r = edit_ok(q, VQOS_POLICY_CHANGE, words("name", "l2", "limit", "2147483648", NULL));
	round_trip(PORTS3, r);
	rq = edit_ok(rx, VQOS_POLICY_CHANGE, words("name", "l1", "limit", "4000", NULL));
	round_trip(PORTS3, rq);
	vqos_policy_free(p);
	vqos_policy_free(q);
	vqos_policy_free(r);
	vqos_policy_free(rx);
	vqos_policy_free(rq);
}

static void test_dump(void **state)
{
	struct vqos_policy *p = build_ok(
		TX("{ name = \"root\"; rate = \"10gbit\"; pps = \"3mpps\"; overcommit = true; },\n"
		   "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1234567bit\";\n"
		   "  ceil = \"1.5gbit\"; burst = \"64k\"; cburst = 1000; prio = 1; quantum = "
		   "3000;\n"
		   "  pps = \"1500pps\"; cpps = \"2mpps\"; limit = 512; },\n"
		   "{ name = \"l2\"; parent = \"root\"; port = \"c2\"; rate = \"1kbps\"; },\n"
		   "{ name = \"l3\"; parent = \"root\"; port = \"c3\"; rate = \"1mbit\"; }\n"),
		VQOS_POLICY_TX);
	struct vqos_policy *def = build_ok(PORTS3, VQOS_POLICY_RX);
	struct vqos_policy *police = build_ok(
		PORTS3
		"rx = { qdisc = \"police\"; classes = (\n"
		"{ name = \"root\"; },\n"
		"{ name = \"a\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; ceil = "
		"\"2mbit\"; meter = \"rfc4115\"; cburst = \"8k\"; mark = false; },\n"
		"{ name = \"b\"; parent = \"root\"; port = \"c2\"; rate = \"1mbit\"; },\n"
		"{ name = \"c\"; parent = \"root\"; port = \"c3\"; rate = \"1mbit\"; }); };\n",
		VQOS_POLICY_RX);
	char *text = NULL;

	assert_int_equal(vqos_policy_dump(p, &text), 0);
	assert_string_equal(
		text,
		"tx = {\n"
		"\tqdisc = \"htb\";\n"
		"\tclasses = (\n"
		"\t\t{ name = \"root\"; rate = \"10gbit\"; pps = \"3mpps\"; overcommit = true; },\n"
		"\t\t{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1234567bit\"; "
		"ceil = "
		"\"1500mbit\"; burst = \"64Kb\"; cburst = \"1000b\"; prio = 1; quantum = "
		"\"3000b\"; "
		"pps = \"1500pps\"; cpps = \"2mpps\"; limit = 512; },\n"
		"\t\t{ name = \"l2\"; parent = \"root\"; port = \"c2\"; rate = \"8kbit\"; },\n"
		"\t\t{ name = \"l3\"; parent = \"root\"; port = \"c3\"; rate = \"1mbit\"; }\n"
		"\t);\n"
		"};\n");
	free(text);
	assert_int_equal(vqos_policy_dump(def, &text), 0);
	assert_string_equal(text, "rx = {\n\tqdisc = \"htb\";\n};\n");
	free(text);
	assert_int_equal(vqos_policy_dump(NULL, &text), -EINVAL);

	round_trip(PORTS3, p);
	round_trip(PORTS3, def);
	round_trip(PORTS3, police);
	{
		struct vqos_policy *e =
			edit_ok(p, VQOS_POLICY_CHANGE,
				words("name", "l2", "burst", "32k", "rate", "2mbit", NULL));

		round_trip(PORTS3, e);
		vqos_policy_free(e);
	}
	vqos_policy_free(p);
	vqos_policy_free(def);
	vqos_policy_free(police);
}

/* The whole file: conf's part, then each direction's tree; every example. */
static void test_dump_whole_file(void **state)
{
	static const char *const files[] = { "tenants.conf", "ovs.conf", "one-container.conf",
					     "classify.conf", "cycles.conf" };

	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		struct vqos_conf *conf = NULL, *back = NULL;
		struct vqos_policy *p[2], *q[2];
		char *parts[3], *text;
		char path[512], err[512] = "";
		size_t len = 1;

		snprintf(path, sizeof(path), "%s/conf/examples/%s", VQOS_SOURCE_DIR, files[f]);
		if (vqos_conf_load_file(path, &conf, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(vqos_conf_dump(conf, &parts[0]), 0);
		for (int d = 0; d < 2; d++) {
			assert_int_equal(vqos_policy_build(conf, (enum vqos_policy_dir)d, &p[d],
							   err, sizeof(err)),
					 0);
			assert_int_equal(vqos_policy_dump(p[d], &parts[d + 1]), 0);
		}
		for (int i = 0; i < 3; i++)
			len += strlen(parts[i]);
		text = malloc(len);
		assert_non_null(text);
		snprintf(text, len, "%s%s%s", parts[0], parts[1], parts[2]);
		if (vqos_conf_load_string(text, "dump", &back, err, sizeof(err)) != 0)
			fail_msg("%s\n%s", err, text);
		assert_int_equal(back->n_ports, conf->n_ports);
		for (int d = 0; d < 2; d++) {
			assert_int_equal(vqos_policy_build(back, (enum vqos_policy_dir)d, &q[d],
							   err, sizeof(err)),
					 0);
			assert_true(same(p[d], q[d]));
			vqos_policy_free(p[d]);
			vqos_policy_free(q[d]);
		}
		for (int i = 0; i < 3; i++)
			free(parts[i]);
		free(text);
		vqos_conf_free(back);
		vqos_conf_free(conf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_nothing),	cmocka_unit_test(test_diff_rate),
		cmocka_unit_test(test_diff_structural), cmocka_unit_test(test_diff_ports),
		cmocka_unit_test(test_edit_verbs),	cmocka_unit_test(test_edit_refused),
		cmocka_unit_test(test_edit_default),	cmocka_unit_test(test_dump),
		cmocka_unit_test(test_dump_extremes),	cmocka_unit_test(test_dump_whole_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
