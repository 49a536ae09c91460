/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dump/re-read round trip, as a property over every key of the file.
 *
 * vqosd writes its running state back as the file's text (`config dump`:
 * vqos_conf_dump() and vqos_policy_dump() of each direction) and reads it
 * again on later changes, so a value that comes back different breaks every
 * change after it (as `limit 2147483648` did: dumped without L, read back
 * negative). For random configurations that the checks accept
 * (roundtrip_gen.c: every key of conf/README.md, each value across its
 * range, in any form the reader takes), this test asserts:
 *
 *   1. the text loads into exactly the values it says (the model);
 *   2. both directions build (the checks accept it);
 *   3. the dump loads and builds into a configuration and policies equal
 *      field by field (conf: eal, control, ports; policies: kind, classes as
 *      written, sched parameters, leaves, classification tables);
 *   4. dumping that gives the same text, byte for byte.
 *
 * Then one value at a time is replaced by a value at or beyond the edge of
 * what the checks accept (0, 2^31 - 1, 2^31, 2^32 - 1, 2^32, 2^63 - 1,
 * 2^64 - 1, the kind's own bounds, a key's own: 10ms of sleep, a cost's,
 * a cycle bucket's; texts that are not values, rates of another kind):
 * accepted, it must round-trip as above; refused, the message must name the
 * file, the line and the key (a port's cost is checked as a whole: its
 * group's key and the member's name). A table pins the edges themselves.
 *
 * Not round-tripped, on purpose: the line of a class (the dump has lines
 * of its own), and a direction without a group, whose qdisc reads as "" and
 * dumps as the htb it runs (both mean the default htb tree).
 *
 * Runs are reproducible: VQOS_SEED (default 1) seeds the generator and
 * VQOS_ROUNDS (default 400) says how many configurations each test makes;
 * a failure prints the seed of its configuration and its text.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/vqos_conf.h"
#include "policy/vqos_policy.h"
#include "roundtrip_gen.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct vqos_conf *dflt;
static uint64_t base_seed = 1;
static unsigned int rounds = 400;

/* ---- field by field ---- */

/* "what differs" into @p why; returns true when something does. */
static bool __attribute__((format(printf, 3, 4)))
differs(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return true;
}

#define SAME_NUM(a, b, what, ...)                                                                  \
	do {                                                                                       \
		if ((uint64_t)(a) != (uint64_t)(b))                                                \
			return differs(why, len, what ": %" PRIu64 " against %" PRIu64,            \
				       ##__VA_ARGS__, (uint64_t)(a), (uint64_t)(b));               \
	} while (0)
#define SAME_STR(a, b, what, ...)                                                                  \
	do {                                                                                       \
		if (strcmp((a), (b)) != 0)                                                         \
			return differs(why, len, what ": '%s' against '%s'", ##__VA_ARGS__, (a),   \
				       (b));                                                       \
	} while (0)

/* Every field of two classes as written, but the line. */
static bool class_differs(const struct vqos_conf_class *a, const struct vqos_conf_class *b,
			  char *why, size_t len)
{
	SAME_STR(a->name, b->name, "class name");
	SAME_STR(a->parent, b->parent, "class %s parent", a->name);
	SAME_STR(a->port, b->port, "class %s port", a->name);
	SAME_NUM(a->set, b->set, "class %s set", a->name);
	SAME_NUM(a->rate_bps, b->rate_bps, "class %s rate", a->name);
	SAME_NUM(a->ceil_bps, b->ceil_bps, "class %s ceil", a->name);
	SAME_NUM(a->rate_pps, b->rate_pps, "class %s pps", a->name);
	SAME_NUM(a->ceil_pps, b->ceil_pps, "class %s cpps", a->name);
	SAME_NUM(a->burst, b->burst, "class %s burst", a->name);
	SAME_NUM(a->cburst, b->cburst, "class %s cburst", a->name);
	SAME_NUM(a->quantum, b->quantum, "class %s quantum", a->name);
	SAME_NUM(a->limit, b->limit, "class %s limit", a->name);
	SAME_NUM(a->prio, b->prio, "class %s prio", a->name);
	SAME_NUM(a->meter, b->meter, "class %s meter", a->name);
	SAME_NUM(a->aqm, b->aqm, "class %s aqm", a->name);
	SAME_NUM(a->overcommit, b->overcommit, "class %s overcommit", a->name);
	SAME_NUM(a->mark, b->mark, "class %s mark", a->name);
	SAME_NUM(a->match.pcp, b->match.pcp, "class %s match pcp", a->name);
	SAME_NUM(a->match.dscp, b->match.dscp, "class %s match dscp", a->name);
	SAME_NUM(a->rate_cps, b->rate_cps, "class %s cps", a->name);
	SAME_NUM(a->ceil_cps, b->ceil_cps, "class %s ccps", a->name);
	return false;
}

/* eal, control and ports; with @p dirs, each direction's qdisc and classes. */
static bool conf_differs(const struct vqos_conf *a, const struct vqos_conf *b, bool dirs, char *why,
			 size_t len)
{
	SAME_NUM(a->eal_argc, b->eal_argc, "eal count");
	for (int i = 0; i < a->eal_argc; i++)
		SAME_STR(a->eal_argv[i], b->eal_argv[i], "eal.[%d]", i);
	SAME_STR(a->ctl_socket, b->ctl_socket, "control.socket");
	SAME_STR(a->ctl_owner, b->ctl_owner, "control.owner");
	SAME_STR(a->ctl_group, b->ctl_group, "control.group");
	SAME_STR(a->ctl_admin, b->ctl_admin, "control.admin");
	SAME_NUM(a->ctl_mode, b->ctl_mode, "control.mode");
	SAME_NUM(a->sleep_max_us, b->sleep_max_us, "datapath.sleep_max");
	SAME_NUM(a->n_ports, b->n_ports, "number of ports");
	for (size_t i = 0; i < a->n_ports; i++) {
		const struct vqos_conf_port *p = &a->ports[i], *q = &b->ports[i];

		SAME_STR(p->name, q->name, "ports.[%zu].name", i);
		SAME_STR(p->socket, q->socket, "ports.[%zu].socket", i);
		SAME_NUM(p->client, q->client, "ports.[%zu].mode", i);
		SAME_STR(p->uplink, q->uplink, "ports.[%zu].uplink", i);
		SAME_STR(p->mac, q->mac, "ports.[%zu].mac", i);
		SAME_NUM(p->cost.set, q->cost.set, "ports.[%zu].cost", i);
		SAME_NUM(p->cost.packet, q->cost.packet, "ports.[%zu].cost.packet", i);
		SAME_NUM(p->cost.byte, q->cost.byte, "ports.[%zu].cost.byte (1/1024 cycles)", i);
	}
	for (int d = 0; dirs && d < 2; d++) {
		const struct vqos_conf_dir *x = d ? &a->rx : &a->tx, *y = d ? &b->rx : &b->tx;

		SAME_STR(x->qdisc, y->qdisc, "%s.qdisc", d ? "rx" : "tx");
		SAME_NUM(x->n_classes, y->n_classes, "%s classes", d ? "rx" : "tx");
		for (size_t i = 0; i < x->n_classes; i++)
			if (class_differs(&x->classes[i], &y->classes[i], why, len))
				return true;
	}
	return false;
}

/* Two policies of one direction: what was written, and what the data path gets. */
static bool policy_differs(const struct vqos_policy *a, const struct vqos_policy *b, char *why,
			   size_t len)
{
	const struct vqos_sched_params *x = vqos_policy_params(a), *y = vqos_policy_params(b);
	const struct vqos_sched_classify *ca = vqos_policy_classify(a),
					 *cb = vqos_policy_classify(b);

	SAME_STR(vqos_policy_ops(a)->name, vqos_policy_ops(b)->name, "qdisc");
	SAME_NUM(vqos_policy_is_default(a), vqos_policy_is_default(b), "default tree");
	SAME_NUM(x->n_classes, y->n_classes, "number of classes");
	SAME_NUM(x->mode, y->mode, "mode");
	SAME_NUM(x->allow_overcommit, y->allow_overcommit, "allow_overcommit");
	SAME_NUM(x->n_ports, y->n_ports, "n_ports");
	for (uint32_t i = 0; i < x->n_classes; i++) {
		const struct vqos_sched_class_params *k = &x->classes[i], *l = &y->classes[i];

		if (class_differs(vqos_policy_class(a, i), vqos_policy_class(b, i), why, len))
			return true;
		SAME_STR(k->name, l->name, "params %u name", i);
		SAME_NUM(k->id, l->id, "params %s id", k->name);
		SAME_NUM(k->parent, l->parent, "params %s parent", k->name);
		SAME_NUM(k->rate_bps, l->rate_bps, "params %s rate_bps", k->name);
		SAME_NUM(k->ceil_bps, l->ceil_bps, "params %s ceil_bps", k->name);
		SAME_NUM(k->rate_pps, l->rate_pps, "params %s rate_pps", k->name);
		SAME_NUM(k->ceil_pps, l->ceil_pps, "params %s ceil_pps", k->name);
		SAME_NUM(k->rate_cps, l->rate_cps, "params %s rate_cps", k->name);
		SAME_NUM(k->ceil_cps, l->ceil_cps, "params %s ceil_cps", k->name);
		SAME_NUM(k->burst_cyc, l->burst_cyc, "params %s burst_cyc", k->name);
		SAME_NUM(k->cburst_cyc, l->cburst_cyc, "params %s cburst_cyc", k->name);
		SAME_NUM(k->cost_pkt, l->cost_pkt, "params %s cost_pkt", k->name);
		SAME_NUM(k->cost_byte, l->cost_byte, "params %s cost_byte", k->name);
		SAME_NUM(k->burst, l->burst, "params %s burst", k->name);
		SAME_NUM(k->cburst, l->cburst, "params %s cburst", k->name);
		SAME_NUM(k->burst_pkts, l->burst_pkts, "params %s burst_pkts", k->name);
		SAME_NUM(k->cburst_pkts, l->cburst_pkts, "params %s cburst_pkts", k->name);
		SAME_NUM(k->prio, l->prio, "params %s prio", k->name);
		SAME_NUM(k->meter, l->meter, "params %s meter", k->name);
		SAME_NUM(k->mark, l->mark, "params %s mark", k->name);
		SAME_NUM(k->aqm, l->aqm, "params %s aqm", k->name);
		SAME_NUM(k->quantum, l->quantum, "params %s quantum", k->name);
		SAME_NUM(k->limit, l->limit, "params %s limit", k->name);
		SAME_NUM(k->port, l->port, "params %s port", k->name);
	}
	for (uint32_t p = 0; p < x->n_ports; p++) {
		const struct vqos_sched_classify_port *r = &ca->ports[p], *s = &cb->ports[p];

		SAME_NUM(vqos_policy_leaf_of_port(a)[p], vqos_policy_leaf_of_port(b)[p],
			 "leaf of port %u", p);
		SAME_NUM(r->default_leaf, s->default_leaf, "port %u default leaf", p);
		SAME_NUM(r->rules, s->rules, "port %u rules", p);
		for (int v = 0; v < 8; v++)
			SAME_NUM(r->pcp_leaf[v], s->pcp_leaf[v], "port %u pcp %d", p, v);
		for (int v = 0; v < 64; v++)
			SAME_NUM(r->dscp_leaf[v], s->dscp_leaf[v], "port %u dscp %d", p, v);
	}
	return false;
}

/* ---- one text ---- */

/*
 * cmocka cuts long messages: a failure writes its text (and dump) to
 * roundtrip-failed.conf (and roundtrip-failed.dump) in the working
 * directory, and names the seed that makes it again.
 */
static void keep(const char *text, const char *suffix)
{
	char name[64];
	FILE *f;

	snprintf(name, sizeof(name), "roundtrip-failed.%s", suffix);
	f = fopen(name, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

#define FAIL(text, dumped, fmt, ...)                                                               \
	do {                                                                                       \
		keep(text, "conf");                                                                \
		if ((dumped) != NULL)                                                              \
			keep(dumped, "dump");                                                      \
		fail_msg(fmt " (the text is in roundtrip-failed.conf%s)", ##__VA_ARGS__,           \
			 (dumped) != NULL ? ", its dump in roundtrip-failed.dump" : "");           \
	} while (0)

/* A configuration loaded, its two policies, and its dump. */
struct state {
	struct vqos_conf *conf;
	struct vqos_policy *p[2];
	char *dump;
};

static void state_free(struct state *s)
{
	vqos_conf_free(s->conf);
	vqos_policy_free(s->p[0]);
	vqos_policy_free(s->p[1]);
	free(s->dump);
	memset(s, 0, sizeof(*s));
}

/* Load @p text and build both directions: 0, or -1 with the message in
 * @p err and @p at_build saying whether conf/ took it. */
static int load(const char *text, const char *name, struct state *s, char *err, size_t errlen,
		bool *at_build)
{
	memset(s, 0, sizeof(*s));
	*at_build = false;
	if (vqos_conf_load_string(text, name, &s->conf, err, errlen) != 0)
		return -1;
	*at_build = true;
	for (int d = 0; d < 2; d++) {
		if (vqos_policy_build(s->conf, (enum vqos_policy_dir)d, &s->p[d], err, errlen) !=
		    0) {
			state_free(s);
			return -1;
		}
	}
	return 0;
}

/* The whole file's dump: conf's part, then each direction's tree. */
static char *dump(const struct state *s)
{
	char *part[3], *text;
	size_t n = 1;

	assert_int_equal(vqos_conf_dump(s->conf, &part[0]), 0);
	assert_int_equal(vqos_policy_dump(s->p[0], &part[1]), 0);
	assert_int_equal(vqos_policy_dump(s->p[1], &part[2]), 0);
	for (int i = 0; i < 3; i++)
		n += strlen(part[i]);
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "%s%s%s", part[0], part[1], part[2]);
	for (int i = 0; i < 3; i++)
		free(part[i]);
	return text;
}

/* Whether the conf read from a dump says what @p a says: the directions
 * as they run (no group reads as "", and dumps as the htb it is). */
static bool dirs_differ(const struct vqos_conf *a, const struct vqos_conf *b, char *why, size_t len)
{
	for (int d = 0; d < 2; d++) {
		const struct vqos_conf_dir *x = d ? &a->rx : &a->tx, *y = d ? &b->rx : &b->tx;

		SAME_STR(x->qdisc[0] != '\0' ? x->qdisc : "htb", y->qdisc, "%s.qdisc",
			 d ? "rx" : "tx");
		SAME_NUM(x->n_classes, y->n_classes, "%s classes", d ? "rx" : "tx");
		for (size_t i = 0; i < x->n_classes; i++)
			if (class_differs(&x->classes[i], &y->classes[i], why, len))
				return true;
	}
	return false;
}

/* Steps 3 and 4 of the file comment, from a loaded and built @p a. */
static void round_trip(struct state *a, uint64_t seed, const char *text)
{
	struct state b, c;
	char err[512] = "", why[512] = "";
	bool at_build;

	a->dump = dump(a);
	if (load(a->dump, "dump", &b, err, sizeof(err), &at_build) != 0)
		FAIL(text, a->dump, "seed %" PRIu64 ": the dump is refused: %s", seed, err);
	if (conf_differs(a->conf, b.conf, false, why, sizeof(why)) ||
	    dirs_differ(a->conf, b.conf, why, sizeof(why)) ||
	    policy_differs(a->p[0], b.p[0], why, sizeof(why)) ||
	    policy_differs(a->p[1], b.p[1], why, sizeof(why)))
		FAIL(text, a->dump, "seed %" PRIu64 ": dumped and read again, %s", seed, why);
	b.dump = dump(&b);
	if (strcmp(a->dump, b.dump) != 0)
		FAIL(a->dump, b.dump, "seed %" PRIu64 ": the second dump differs", seed);
	/* and the dump is a file like any other: it loads as such */
	assert_int_equal(load(b.dump, "t.conf", &c, err, sizeof(err), &at_build), 0);
	state_free(&c);
	state_free(&b);
}

/* ---- the property ---- */

/* Configurations made, by direction and kind: [dir][0] no group, [1] a
 * default tree, [2 + k] a tree of kinds[k]. */
static const char *const kinds[] = { "htb", "police", "fifo", "sched" };
static unsigned int made[2][2 + 4];
/* and with a sleep_max, with ports with a cost, with cps or ccps */
static unsigned int made_sleep, made_cost, made_cycles;

static void count_kinds(const struct vqos_conf *m)
{
	bool cost = false, cycles = false;

	for (int d = 0; d < 2; d++) {
		const struct vqos_conf_dir *dir = d ? &m->rx : &m->tx;
		size_t k = 0;

		while (dir->n_classes > 0 && strcmp(kinds[k], dir->qdisc) != 0)
			k++;
		made[d][dir->qdisc[0] == '\0' ? 0 : dir->n_classes == 0 ? 1 : 2 + k]++;
		for (size_t i = 0; i < dir->n_classes; i++)
			cycles |= dir->classes[i].rate_cps != 0 || dir->classes[i].ceil_cps != 0;
	}
	for (size_t i = 0; i < m->n_ports; i++)
		cost |= m->ports[i].cost.set;
	made_sleep += m->sleep_max_us != VQOS_CONF_SLEEP_MAX_UNSET;
	made_cost += cost;
	made_cycles += cycles;
}

static void check_round_trip(uint64_t seed)
{
	struct rt_rng r = { seed };
	struct vqos_conf *m = rt_gen(&r, dflt);
	char *text = rt_emit(m, dflt, &r, NULL);
	char err[512] = "", why[512] = "";
	struct state a;
	bool at_build;

	if (load(text, "t.conf", &a, err, sizeof(err), &at_build) != 0)
		FAIL(text, NULL, "seed %" PRIu64 ": refused: %s", seed, err);
	if (conf_differs(m, a.conf, true, why, sizeof(why)))
		FAIL(text, NULL, "seed %" PRIu64 ": the text says another %s", seed, why);
	count_kinds(m);
	round_trip(&a, seed, text);
	state_free(&a);
	vqos_conf_free(m);
	free(text);
}

/* Random configurations, every key in every form: the four steps, with
 * every kind in each direction it works in (sched: rx only). */
static void test_round_trip(void **state)
{
	for (unsigned int i = 0; i < rounds; i++)
		check_round_trip(base_seed * 1000003 + i);
	for (int d = 0; d < 2; d++) {
		print_message("%s: %u without group, %u default trees, htb %u, police %u, fifo %u, "
			      "sched %u\n",
			      d ? "rx" : "tx", made[d][0], made[d][1], made[d][2], made[d][3],
			      made[d][4], made[d][5]);
		for (int k = 0; k < 2 + 3 + d; k++)
			assert_true(rounds < 100 || made[d][k] > 0);
	}
	print_message("%u with datapath.sleep_max, %u with ports' costs, %u with cycle rates\n",
		      made_sleep, made_cost, made_cycles);
	assert_true(rounds < 100 || (made_sleep > 0 && made_cost > 0 && made_cycles > 0));
}

/* ---- one value at the edge ---- */

/* What a key is called in messages of the tree checks. */
static const char *key_word(const char *key)
{
	const char *dot = strchr(key, '.');

	return dot != NULL ? dot + 1 : key;
}

/* Whether a message of the tree checks names a line of t.conf and @p key:
 * "class 'NAME' (t.conf:LINE): ...", "t.conf:LINE: tx: ...". */
static bool names_line_and_key(const char *err, const char *key)
{
	const char *at = strstr(err, "t.conf:");

	return at != NULL && at[7] >= '1' && at[7] <= '9' && strstr(err, key) != NULL;
}

/*
 * Whether @p err refuses member @p mu of a port's cost as conf/ does: on the
 * group, "t.conf:LINE: key 'ports.[i].cost': packet: ..." (cost.c checks
 * the two together, as vqosctl's `port cost` words), or "...: a cost of 0
 * cycles per packet and ..." when neither charges anything.
 */
static bool names_cost_member(const char *err, const struct rt_mutation *mu)
{
	const char *member = strrchr(mu->path, '.');
	char want[256];
	size_t n;

	if (strncmp(mu->key, "ports.cost.", 11) != 0 || member == NULL)
		return false;
	n = (size_t)snprintf(want, sizeof(want), "t.conf:%u: key '%.*s': ", mu->line,
			     (int)(member - mu->path), mu->path);
	if (strncmp(err, want, n) != 0)
		return false;
	snprintf(want, sizeof(want), "%s: ", member + 1);
	return strncmp(err + n, want, strlen(want)) == 0 ||
	       strncmp(err + n, "a cost of 0 cycles per packet", 29) == 0;
}

/*
 * One mutated text: accepted, the four steps with the value in the model;
 * refused by conf/, "t.conf:LINE: key 'PATH': ..." of the mutated setting;
 * refused by the tree checks, "class 'NAME' (t.conf:LINE): ..." naming the
 * key ("t.conf:LINE: DIR: ..." for a rule of the qdisc kind). Returns 1
 * (taken), -1 (refused) or 0 (the configuration has no such key).
 */
static int check_mutation(uint64_t seed, struct rt_mutation *mu)
{
	struct rt_rng r = { seed };
	struct vqos_conf *m = rt_gen(&r, dflt);
	unsigned int n = rt_count(m, mu->key);
	char err[512] = "", why[512] = "", want[256], shown[64];
	struct state a;
	bool at_build;
	char *text;

	if (n == 0) {
		vqos_conf_free(m);
		return 0;
	}
	mu->occ = (unsigned int)rt_below(&r, n);
	text = rt_emit(m, dflt, &r, mu);
	if (mu->text != NULL)
		snprintf(shown, sizeof(shown), "%s", mu->text);
	else
		snprintf(shown, sizeof(shown), "%" PRIu64 "%s", mu->value,
			 mu->plain ? " (plain)" : "");
	if (!mu->applied)
		FAIL(text, NULL, "seed %" PRIu64 ": %s #%u was not written", seed, mu->key,
		     mu->occ);
	if (load(text, "t.conf", &a, err, sizeof(err), &at_build) != 0) {
		snprintf(want, sizeof(want), "t.conf:%u: key '%s': ", mu->line, mu->path);
		/* libconfig's own refusal of a text (an integer in an array of
		 * strings) comes before any key is read: it names the line only */
		if (!at_build && mu->text != NULL && strstr(err, ": key '") == NULL)
			want[strlen(want) - strlen(mu->path) - 8] = '\0';
		if (!at_build && strncmp(err, want, strlen(want)) != 0 &&
		    !names_cost_member(err, mu))
			FAIL(text, NULL,
			     "seed %" PRIu64 ": %s = %s: refused with '%s', not '%s...'", seed,
			     mu->key, shown, err, want);
		if (at_build && !names_line_and_key(err, key_word(mu->key)))
			FAIL(text, NULL,
			     "seed %" PRIu64
			     ": %s = %s (line %u): '%s' names no line or not the key",
			     seed, mu->key, shown, mu->line, err);
	} else {
		if (mu->must_refuse)
			FAIL(text, NULL, "seed %" PRIu64 ": %s = %s is taken", seed, mu->key,
			     shown);
		if (conf_differs(m, a.conf, true, why, sizeof(why)))
			FAIL(text, NULL, "seed %" PRIu64 ": %s = %s taken as another %s", seed,
			     mu->key, shown, why);
		round_trip(&a, seed, text);
		state_free(&a);
	}
	vqos_conf_free(m);
	free(text);
	return err[0] != '\0' ? -1 : 1;
}

#define P31 0x80000000ULL
#define P32 0x100000000ULL
#define P63 0x8000000000000000ULL

/* Numbers at the edges of what some key takes, and just beyond. */
static const uint64_t edges[] = {
	0,
	1,
	2,
	7,
	8,
	31,
	32,
	1023,
	1024,
	1600,
	4095,
	4096,
	4097,
	07777,
	010000,
	65535,
	65536,
	(256u << 20) - 1,
	256u << 20,
	(256u << 20) + 1,
	P31 - 1,
	P31,
	P32 - 1,
	P32,
	P32 + 100,
	P32 + P31 - 1,
	1ULL << 53,
	1ULL << 62,
	P63 - 1,
	P63,
	UINT64_MAX - 1,
	UINT64_MAX,
};

/* Numbers at the edges of one key's own bounds (conf/README.md). */
static const uint64_t sleep_edges[] = { 999, 1000, 1001, 9999, 10000, 10001, 1000000 };
static const uint64_t packet_edges[] = { 900, 999999, 1000000, 1000001 };
/* in 1/1024 cycles: 0.45 cycles, a cycle, 1000 and beyond */
static const uint64_t byte_edges[] = { 461, 1023, 1025, 1023999, 1024000, 1024001, 1025024 };
/* a 3 GHz core, and around the most a cycle bucket holds at the dearest cost */
static const uint64_t cps_edges[] = { 999999999,  1000000000, 3000000000,
				      6000000000, 6500000000, 1000000000000 };

/* One key of the file: its kind, texts that are no value of it, and
 * numbers at its own edges beside the common ones. */
struct key_case {
	const char *key;
	enum rt_kind kind;
	const char *const *bad;
	const uint64_t *extra;
	size_t n_extra;
};

#define EXTRA(a) a, ARRAY_SIZE(a)

static const char *const bad_bps[] = { "\"18446744073709551616\"",
				       "\"18446744073709551616bit\"",
				       "\"10kpps\"",
				       "\"1gcps\"",
				       "\"-1\"",
				       "\"1e3\"",
				       "\"\"",
				       "\"1.5.5mbit\"",
				       "\"5 mbit\"",
				       "\"0x10\"",
				       "\"10%\"",
				       "5",
				       "1.5",
				       NULL };
static const char *const bad_pps[] = { "\"100mbit\"", "\"5\"",	  "\"18446744073709551616pps\"",
				       "\"1tpps\"",   "\"kpps\"", "\"1mcps\"",
				       "5",	      NULL };
/* cycle rates: a rate of another kind is refused naming the key */
static const char *const bad_cps[] = { "\"10mbit\"",
				       "\"100kpps\"",
				       "\"5\"",
				       "\"5bps\"",
				       "\"1tcps\"",
				       "\"kcps\"",
				       "\"-1cps\"",
				       "\"1e9cps\"",
				       "\"5 gcps\"",
				       "\"18446744073709551616cps\"",
				       "\"18446744073709551.616kcps\"",
				       "5",
				       NULL };
static const char *const bad_time[] = {
	"\"10 ms\"", "\"-1\"",	    "\"1e3\"",	    "\"\"",
	"\"ms\"",    "\"10mbit\"",  "\"1.5.5ms\"",  "\"18446744073709551616\"",
	"\"0x10\"",  "\"10001us\"", "\"10.001ms\"", "\"0.010001s\"",
	"\"1min\"",  "500",	    "true",	    NULL
};
static const char *const bad_packet[] = { "1.5",
					  "900.0",
					  "\"900\"",
					  "-1",
					  "1000001",
					  "1e3",
					  "true",
					  "18446744073709551616",
					  "0x10000000000000000",
					  NULL };
static const char *const bad_byte[] = { "\"0.45\"",
					"-0.5",
					"-1",
					"1000.001",
					"1e4",
					"1001",
					"1000.0009765625",
					"true",
					"0x3e9",
					"18446744073709551616",
					NULL };
static const char *const bad_size[] = { "\"18446744073709551616\"",
					"\"1.5.5k\"",
					"\"-5\"",
					"\"5 k\"",
					"\"5kpps\"",
					"1.5",
					"-5",
					"true",
					NULL };
static const char *const bad_int[] = { "1.0",
				       "\"5\"",
				       "-1",
				       "true",
				       "18446744073709551616",
				       "99999999999999999999L",
				       "0xfffffffffffffffff",
				       NULL };
static const char *const bad_bool[] = { "1", "\"true\"", "\"yes\"", NULL };
static const char *const bad_meter[] = { "\"SRTCM\"", "\"\"", "\"trtcm \"", "1", NULL };
static const char *const bad_aqm[] = { "\"RED\"", "\"wred\"", "\"\"", NULL };
static const char *const bad_match[] = {
	"\"pcp 8\"", "\"dscp 64\"",   "\"pcp 5, pcp 5\"", "\"dscp 40-32\"", "\"pcp 0005\"", "\"\"",
	"\"pcp5\"",  "\"pcp 1 - 2\"", "\"tos 3\"",	  "\"pcp 1,\"",	    "\"NONE\"",	    "5",
	NULL
};
static const char *const bad_name[] = { "\"a b\"", "\"\"", "\"a/b\"", "\"\xc3\xa9\"", "5", NULL };
static const char *const bad_path[] = { "\"relative/x\"", "\"\"", "5", NULL };
static const char *const bad_string[] = { "\"\"", "5", "[ \"a\" ]", NULL };
static const char *const bad_mode[] = { "\"8\"", "\"-1\"", "\"0x1\"",	"\" 660\"",
					"\"\"",	 "660",	   "\"77777\"", NULL };
static const char *const bad_pmode[] = { "\"Server\"", "\"\"", "1", NULL };
static const char *const bad_mac[] = { "\"03:00:00:00:00:01\"",
				       "\"02:00:00:00:00\"",
				       "\"02-00-00-00-00-01\"",
				       "\"02:00:00:00:00:0g\"",
				       "\"02:00:00:00:00:001\"",
				       "\"\"",
				       NULL };
static const char *const bad_qdisc[] = { "\"HTB\"", "\"htb2\"", "\"\"", "1", NULL };
static const char *const bad_eal_arg[] = { "\"\"", "1", "true", NULL };

/* Every key the file takes (test_keys checks this against the reader's). */
static const struct key_case keys[] = {
	{ "eal", RT_EAL, NULL, NULL, 0 },
	{ "eal.[]", RT_STRING, bad_eal_arg, NULL, 0 },
	{ "control.socket", RT_PATH, bad_path, NULL, 0 },
	{ "control.owner", RT_STRING, bad_string, NULL, 0 },
	{ "control.group", RT_STRING, bad_string, NULL, 0 },
	{ "control.mode", RT_MODE, bad_mode, NULL, 0 },
	{ "control.admin", RT_STRING, bad_string, NULL, 0 },
	{ "datapath.sleep_max", RT_TIME, bad_time, EXTRA(sleep_edges) },
	{ "ports.name", RT_NAME, bad_name, NULL, 0 },
	{ "ports.socket", RT_PATH, bad_path, NULL, 0 },
	{ "ports.mode", RT_PMODE, bad_pmode, NULL, 0 },
	{ "ports.uplink", RT_STRING, bad_string, NULL, 0 },
	{ "ports.mac", RT_MAC, bad_mac, NULL, 0 },
	{ "ports.cost.packet", RT_INT, bad_packet, EXTRA(packet_edges) },
	{ "ports.cost.byte", RT_CBYTE, bad_byte, EXTRA(byte_edges) },
	{ "qdisc", RT_QDISC, bad_qdisc, NULL, 0 },
	{ "name", RT_NAME, bad_name, NULL, 0 },
	{ "parent", RT_NAME, bad_name, NULL, 0 },
	{ "port", RT_NAME, bad_name, NULL, 0 },
	{ "rate", RT_BPS, bad_bps, NULL, 0 },
	{ "ceil", RT_BPS, bad_bps, NULL, 0 },
	{ "burst", RT_SIZE, bad_size, NULL, 0 },
	{ "cburst", RT_SIZE, bad_size, NULL, 0 },
	{ "prio", RT_INT, bad_int, NULL, 0 },
	{ "quantum", RT_SIZE, bad_size, NULL, 0 },
	{ "pps", RT_PPS, bad_pps, NULL, 0 },
	{ "cpps", RT_PPS, bad_pps, NULL, 0 },
	{ "limit", RT_INT, bad_int, NULL, 0 },
	{ "overcommit", RT_BOOL, bad_bool, NULL, 0 },
	{ "meter", RT_METER, bad_meter, NULL, 0 },
	{ "mark", RT_BOOL, bad_bool, NULL, 0 },
	{ "aqm", RT_AQM, bad_aqm, NULL, 0 },
	{ "match", RT_MATCH, bad_match, NULL, 0 },
	{ "cps", RT_CPS, bad_cps, EXTRA(cps_edges) },
	{ "ccps", RT_CPS, bad_cps, EXTRA(cps_edges) },
};

/* Candidate @p i of key @p k into @p mu; false when there is none. */
static bool candidate(const struct key_case *k, unsigned int i, struct rt_rng *r,
		      struct rt_mutation *mu)
{
	static const uint64_t lengths[] = { 0, 1, 31, 32, 107, 108, 511, 512, 4095 };
	size_t n_bad = 0;

	while (k->bad != NULL && k->bad[n_bad] != NULL)
		n_bad++;
	memset(mu, 0, sizeof(*mu));
	mu->key = k->key;
	mu->kind = k->kind;
	mu->plain = rt_coin(r, 50);
	if (i < n_bad) {
		mu->text = k->bad[i];
		return true;
	}
	i -= (unsigned int)n_bad;
	switch (k->kind) {
	case RT_NAME:
	case RT_PATH:
	case RT_STRING:
		/* names only too long: a valid one would break the references */
		if (k->kind == RT_NAME)
			return i == 0 ? (mu->value = 32, true) : false;
		if (strcmp(k->key, "eal.[]") == 0)
			return false;
		if (i >= ARRAY_SIZE(lengths))
			return false;
		mu->value = lengths[i];
		return true;
	case RT_EAL:
		return i < 4 ? (mu->value = (uint64_t[]){ 0, 1, 64, 65 }[i], true) : false;
	case RT_BOOL:
	case RT_PMODE:
		return i < 2 ? (mu->value = i, true) : false;
	case RT_METER:
	case RT_AQM:
		return i < 3 ? (mu->value = i, true) : false;
	case RT_MATCH:
	case RT_MAC:
	case RT_QDISC:
		return false;
	default:
		/* the edges, the key's own, and random values (half as many as
		 * edges: test_round_trip spreads random ones over every key) */
		if (i < ARRAY_SIZE(edges)) {
			mu->value = edges[i];
			return true;
		}
		i -= (unsigned int)ARRAY_SIZE(edges);
		if (i < k->n_extra) {
			mu->value = k->extra[i];
			return true;
		}
		if (i - k->n_extra >= ARRAY_SIZE(edges) / 2)
			return false;
		mu->value = rt_spread(r, 0, UINT64_MAX);
		return true;
	}
}

/*
 * Every key, every edge value and bad text, in a few random configurations
 * each. Every key must have been written, and refused at least once; one
 * that takes a number must also have taken some.
 */
static void test_edges(void **state)
{
	unsigned int per = rounds / 100 + 2;
	struct rt_rng r = { base_seed };

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		unsigned int taken = 0, refused = 0;
		struct rt_mutation mu;

		for (unsigned int i = 0; candidate(&keys[k], i, &r, &mu); i++) {
			/* configurations until @p per of them have the key */
			for (unsigned int j = 0, tries = 0; j < per && tries < 100 * per; tries++) {
				struct rt_mutation copy = mu;
				int rc = check_mutation(rt_next(&r), &copy);

				taken += rc > 0;
				refused += rc < 0;
				j += rc != 0;
			}
		}
		print_message("%-16s %4u taken, %4u refused\n", keys[k].key, taken, refused);
		assert_true(refused > 0);
		if (keys[k].kind == RT_BPS || keys[k].kind == RT_PPS || keys[k].kind == RT_SIZE ||
		    keys[k].kind == RT_INT || keys[k].kind == RT_MODE || keys[k].kind == RT_CPS ||
		    keys[k].kind == RT_TIME || keys[k].kind == RT_CBYTE)
			assert_true(taken > 0);
	}
}

/* ---- the edges themselves ---- */

/* A tree of one leaf on one port (P more of the port), in direction DIR
 * with qdisc KIND; the leaf's line is 4 and X is more of it. */
#define LEAF_ON(p, dir, kind, x)                                                                   \
	"ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"u1\"; " p " } );\n" dir  \
	" = { qdisc = \"" kind "\"; classes = (\n"                                                 \
	"\t{ name = \"root\"; rate = \"10gbit\"; overcommit = true; },\n"                          \
	"\t{ name = \"l\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; " x " }\n"          \
	"); };\n"
#define ONE_LEAF(dir, kind, x) LEAF_ON("", dir, kind, x)
/* The same on a port that costs the most cycles there are. */
#define DEAR_LEAF(dir, kind, x) LEAF_ON("cost = { packet = 1000000; byte = 1000; };", dir, kind, x)
/* A port and datapath's group with X. */
#define DATAPATH(x)                                                                                \
	"ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"u1\"; } );\n"            \
	"datapath = { " x " };\n"
/* A port with cost X. */
#define COST(x)                                                                                    \
	"ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"u1\";\n"                 \
	"  cost = { " x " }; } );\n"
/* Cycle rates of a root (line 3) and its one leaf (line 4) on a port with a cost. */
#define CYCLES(root, leaf)                                                                         \
	"ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"u1\"; "                  \
	"cost = { packet = 900; byte = 0.45; }; } );\n"                                            \
	"tx = { classes = (\n"                                                                     \
	"\t{ name = \"root\"; " root " },\n"                                                       \
	"\t{ name = \"l\"; parent = \"root\"; port = \"c1\"; " leaf " }\n"                         \
	"); };\n"

struct edge_case {
	const char *text;
	/* NULL: accepted; else the message */
	const char *err;
};

static const struct edge_case edge_cases[] = {
	{ ONE_LEAF("tx", "htb", "prio = 7;"), NULL },
	{ ONE_LEAF("tx", "htb", "prio = 8;"), "class 'l' (t.conf:4): prio 8 is over 7" },
	{ ONE_LEAF("tx", "htb", "limit = 4294967295L;"), NULL },
	{ ONE_LEAF("tx", "htb", "limit = 0xffffffffL;"), NULL },
	{ ONE_LEAF("tx", "htb", "limit = 4294967296L;"),
	  "class 'l' (t.conf:4): limit 4294967296 is not 1..4294967295" },
	{ ONE_LEAF("tx", "htb", "limit = 0;"),
	  "class 'l' (t.conf:4): limit 0 is not 1..4294967295" },
	{ ONE_LEAF("rx", "htb", "limit = 4096;"), NULL },
	{ ONE_LEAF("rx", "htb", "limit = 4097;"),
	  "class 'l' (t.conf:4): the rx leaves of port 'c1' would queue up to 4097 mbufs, over "
	  "the 4096 a port may hold: lower their limits" },
	{ ONE_LEAF("tx", "htb", "quantum = 4294967295L;"), NULL },
	/* libconfig 1.5 keeps the low 32 bits of an integer without L */
	{ ONE_LEAF("tx", "htb", "quantum = 4294967295;"),
	  "t.conf:4: key 'tx.classes.[1].quantum': 4294967295 does not fit 32 bits, and libconfig "
	  "reads it as -1: write 4294967295L" },
	{ ONE_LEAF("tx", "htb", "limit = 4294967396;"),
	  "t.conf:4: key 'tx.classes.[1].limit': 4294967396 does not fit 32 bits, and libconfig "
	  "reads it as 100: write 4294967396L" },
	{ ONE_LEAF("tx", "htb", "limit = 0x100000064;"),
	  "t.conf:4: key 'tx.classes.[1].limit': 0x100000064 does not fit 32 bits, and libconfig "
	  "reads it as 100: write 0x100000064L" },
	{ ONE_LEAF("tx", "htb", "burst = 18446744073709551616L;"),
	  "t.conf:4: key 'tx.classes.[1].burst': 18446744073709551616L is beyond the 64-bit "
	  "integers libconfig reads" },
	{ ONE_LEAF("tx", "htb", "quantum = \"4294967296\";"),
	  "class 'l' (t.conf:4): quantum 4294967296 is not 1..4294967295 bytes" },
	{ ONE_LEAF("tx", "htb", "quantum = 0;"), "class 'l' (t.conf:4): quantum 0 is not "
						 "1..4294967295 bytes" },
	{ ONE_LEAF("tx", "police", "burst = \"256m\"; cburst = 268435456;"), NULL },
	{ ONE_LEAF("tx", "police", "burst = 268435457;"),
	  "class 'l' (t.conf:4): burst 268435457 bytes is over 268435456" },
	{ ONE_LEAF("tx", "fifo",
		   "ceil = \"18446744073709551615bit\"; cpps = "
		   "\"18446744073709551615pps\";"),
	  NULL },
	{ ONE_LEAF("tx", "htb", "ceil = \"1mbit\"; pps = \"1pps\"; cpps = \"1pps\";"), NULL },
	{ ONE_LEAF("tx", "htb", "ceil = \"999999bit\";"),
	  "class 'l' (t.conf:4): ceil 999999bit is below rate 1mbit" },
	/* a kind refused for its direction: at the qdisc key's line */
	{ ONE_LEAF("tx", "sched", ""),
	  "t.conf:2: tx: qdisc sched works on rx only (it needs the packets)" },
	{ ONE_LEAF("rx", "sched", "aqm = \"pie\";"), NULL },
	{ "ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"u1\"; } );\n"
	  "rx = {\n qdisc = \"police\"; };\n",
	  "t.conf:3: rx: qdisc police needs classes (only htb and fifo have a default tree)" },
	{ "control = { mode = \"7777\"; owner = \"\\x01\\\"\\\\\"; };\n"
	  "ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"u1\"; "
	  "mac = \"0A:bc:00:00:00:01\"; } );\n",
	  NULL },
	{ "control = { mode = \"10000\"; };\n"
	  "ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"u1\"; } );\n",
	  "t.conf:1: key 'control.mode': '10000' is not an octal mode such as \"0660\"" },
	/* datapath.sleep_max: 0 (polling) to 10ms, a fraction of a us truncated */
	{ DATAPATH("sleep_max = \"0\";"), NULL },
	{ DATAPATH("sleep_max = \"10ms\";"), NULL },
	{ DATAPATH("sleep_max = \"10000\";"), NULL },
	{ DATAPATH("sleep_max = \"10.0009ms\";"), NULL },
	{ DATAPATH("sleep_max = \"0.0000009s\";"), NULL },
	{ DATAPATH(""), NULL },
	{ DATAPATH("sleep_max = \"10001us\";"),
	  "t.conf:2: key 'datapath.sleep_max': '10001us' is over 10ms, the most an lcore may "
	  "sleep" },
	{ DATAPATH("sleep_max = \"0.010001s\";"),
	  "t.conf:2: key 'datapath.sleep_max': '0.010001s' is over 10ms, the most an lcore may "
	  "sleep" },
	{ DATAPATH("sleep_max = \"18446744073709551616us\";"),
	  "t.conf:2: key 'datapath.sleep_max': '18446744073709551616us' is not a time such as "
	  "\"500us\" or \"1ms\"" },
	{ DATAPATH("sleep_max = 500;"),
	  "t.conf:2: key 'datapath.sleep_max': expected a string, got an integer" },
	/* a port's cost: packet 0..1000000, byte 0..1000 to the nearest 1/1024 */
	{ COST("packet = 1000000; byte = 1000;"), NULL },
	{ COST("byte = 1000.0;"), NULL },
	{ COST("byte = 0.00048828125;"), NULL }, /* 1/2048: rounds up to 1/1024 */
	{ COST("packet = 1; byte = 0.00048828124;"), NULL },
	{ COST("packet = 0; byte = 0.00048828124;"),
	  "t.conf:2: key 'ports.[0].cost': a cost of 0 cycles per packet and under 1/2048 cycle "
	  "per byte charges nothing: give packet, byte or both" },
	{ COST("packet = 1000001;"),
	  "t.conf:2: key 'ports.[0].cost': packet: '1000001' is not a whole number of cycles "
	  "from 0 to 1000000" },
	{ COST("byte = 1000.0009765625;"),
	  "t.conf:2: key 'ports.[0].cost': byte: '1000.0009765625' is not a number of cycles "
	  "from 0 to 1000 (e.g. 0.45)" },
	/* cps and ccps: cycles, htb only, leaves on ports with a cost */
	{ CYCLES("cps = \"1gcps\";", "cps = \"1gcps\"; ccps = \"1gcps\";"), NULL },
	{ CYCLES("cps = \"1gcps\";", "cps = \"1000000001cps\";"),
	  "class 'root' (t.conf:3): its children's cps add up to 1000000001cps, over its cps 1gcps "
	  "(set overcommit = true to allow)" },
	{ CYCLES("cps = \"1gcps\"; overcommit = true;", "cps = \"1000000001cps\";"), NULL },
	{ CYCLES("rate = \"1gbit\"; ccps = \"1mcps\";", "pps = \"1kpps\";"), NULL },
	{ CYCLES("rate = \"1gbit\";", "cps = \"2mcps\"; ccps = \"1999999cps\";"),
	  "class 'l' (t.conf:4): ccps 1999999cps is below cps 2mcps" },
	{ CYCLES("rate = \"1gbit\";", "cps = \"10mbit\";"),
	  "t.conf:4: key 'tx.classes.[1].cps': '10mbit' is a bit rate: cps and ccps take cycles "
	  "(use rate, ceil)" },
	{ CYCLES("rate = \"1gbit\";", "ccps = \"5kpps\"; rate = \"1mbit\";"),
	  "t.conf:4: key 'tx.classes.[1].ccps': '5kpps' is a packet rate: cps and ccps take cycles "
	  "(use pps, cpps)" },
	{ CYCLES("rate = \"1gcps\";", "rate = \"1mbit\";"),
	  "t.conf:3: key 'tx.classes.[0].rate': '1gcps' is a cycle rate: rate and ceil take bits "
	  "(use cps, ccps)" },
	{ CYCLES("pps = \"1mcps\";", "rate = \"1mbit\";"),
	  "t.conf:3: key 'tx.classes.[0].pps': '1mcps' is a cycle rate: pps and cpps take packets "
	  "(use cps, ccps)" },
	{ DEAR_LEAF("tx", "police", "cps = \"1mcps\";"),
	  "class 'l' (t.conf:4): cps is for qdisc htb, not police" },
	{ DEAR_LEAF("rx", "sched", "ccps = \"1mcps\";"),
	  "class 'l' (t.conf:4): ccps is for qdisc htb, not sched" },
	{ DEAR_LEAF("tx", "fifo", "cps = \"0cps\";"),
	  "class 'l' (t.conf:4): cps is for qdisc htb, not fifo" },
	{ ONE_LEAF("tx", "htb", "cps = \"0cps\";"), NULL },
	{ ONE_LEAF("tx", "htb", "ccps = \"1mcps\";"),
	  "class 'l' (t.conf:4): ccps: its leaf 'l' is on port 'c1', which has no cost model: give "
	  "the port cost = { packet = N; byte = N; } (or vqosctl port cost c1 packet N byte N)" },
	/* the generator's CPS_MAX: every cost builds below it */
	{ DEAR_LEAF("tx", "htb", "cps = \"6gcps\";"), NULL },
	{ DEAR_LEAF("tx", "htb", "cps = \"6500mcps\";"),
	  "class 'l' (t.conf:4): qdisc htb refuses it: cps too high for a bucket at this clock (or "
	  "its burst)" },
};

static void test_edge_cases(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(edge_cases); i++) {
		char err[512] = "";
		struct state a;
		bool at_build;
		int rc = load(edge_cases[i].text, "t.conf", &a, err, sizeof(err), &at_build);

		if (edge_cases[i].err == NULL) {
			if (rc != 0)
				FAIL(edge_cases[i].text, NULL, "edge %zu: refused: %s", i, err);
			round_trip(&a, 0, edge_cases[i].text);
			state_free(&a);
		} else {
			if (rc == 0)
				fail_msg("%s: accepted", edge_cases[i].text);
			assert_string_equal(err, edge_cases[i].err);
		}
	}
}

/* ---- every key ---- */

/* The keys the reader knows at a level, from its unknown-key message. */
static void known_keys(const char *text, char *out, size_t len)
{
	struct vqos_conf *conf = NULL;
	char err[512] = "";
	const char *k;

	assert_int_equal(vqos_conf_load_string(text, "t.conf", &conf, err, sizeof(err)), -EINVAL);
	k = strstr(err, "(known here: ");
	assert_non_null(k);
	snprintf(out, len, "%s", k + strlen("(known here: "));
	assert_true(strlen(out) > 0);
	out[strlen(out) - 1] = '\0';
}

/* This test's key table is the reader's, level by level: a key added to
 * the file without a case here fails. */
static void test_keys(void **state)
{
	static const struct {
		const char *text;
		const char *prefix;
	} levels[] = {
		{ "x = 1;", "" },
		{ "control = { x = 1; };", "control." },
		{ "ports = ( { x = 1; } );", "ports." },
		{ "tx = { x = 1; };", "" },
		{ "tx = { classes = ( { x = 1; } ); };", "" },
		{ "datapath = { x = 1; };", "datapath." },
		{ "ports = ( { cost = { x = 1; }; } );", "ports.cost." },
	};
	char mine[1024] = "";

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		snprintf(mine + strlen(mine), sizeof(mine) - strlen(mine), "|%s|", keys[i].key);
	for (size_t l = 0; l < ARRAY_SIZE(levels); l++) {
		char known[512], *save = NULL;

		known_keys(levels[l].text, known, sizeof(known));
		for (char *k = strtok_r(known, ", ", &save); k != NULL;
		     k = strtok_r(NULL, ", ", &save)) {
			char want[64];

			/* groups whose keys are checked one level down */
			if (l == 0 &&
			    (!strcmp(k, "control") || !strcmp(k, "ports") || !strcmp(k, "tx") ||
			     !strcmp(k, "rx") || !strcmp(k, "datapath")))
				continue;
			if (l == 2 && !strcmp(k, "cost"))
				continue;
			if (l == 3 && !strcmp(k, "classes"))
				continue;
			snprintf(want, sizeof(want), "|%s%s|", levels[l].prefix, k);
			if (strstr(mine, want) == NULL)
				fail_msg("key '%s%s' has no case here", levels[l].prefix, k);
		}
	}
}

static int setup(void **state)
{
	const char *seed = getenv("VQOS_SEED"), *n = getenv("VQOS_ROUNDS");
	char err[256];

	if (seed != NULL)
		base_seed = strtoull(seed, NULL, 0);
	if (n != NULL)
		rounds = (unsigned int)strtoul(n, NULL, 0);
	print_message("VQOS_SEED=%" PRIu64 " VQOS_ROUNDS=%u\n", base_seed, rounds);
	return vqos_conf_load_string(vqos_conf_default_text(), "default", &dflt, err, sizeof(err));
}

static int teardown(void **state)
{
	vqos_conf_free(dflt);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
