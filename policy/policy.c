/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A direction's intent, checked as a whole, into sched/ parameters.
 *
 * policy_make() is the one door: the file's classes (vqos_policy_build) and
 * a running policy with one vqosctl edit applied (vqos_policy_edit) both go
 * through it, so both meet the same rules with the same messages. It works
 * in passes over the flat class array, each pass relying on the ones before:
 *
 *   names     sorted by name: duplicates, and parent lookup by bsearch
 *   shape     one root, parents exist, no cycle, at most 8 levels (one walk
 *             up from each class, memoised, so O(n))
 *   ports     leaves have a port of the configuration, inner classes none;
 *             the leaf of each port (tx: exactly one; rx: one without a
 *             match, its default, and any with matches that do not
 *             overlap); matches on rx leaves only; sched: one port
 *   values    per class: ranges, kind-specific keys, rate <= ceil
 *   costs     a class with a cycle rate leads only to ports with a cost model
 *   admission per parent: children's rates fit its rate unless overcommit
 *   sched     ids from names, sched params, then the kind's own create()
 *
 * Nothing is allocated for the result until every pass has passed, and the
 * first refusal ends the check, naming the class: the user fixes one thing
 * at a time, as with a compiler that stops at the first error.
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_priv.h"

/** Most levels of a tree, the root's included. */
#define LEVELS_MAX VQOS_SCHED_DEPTH_MAX

/* conf/ reads the cost models sched/ charges: one fixed point, one set of bounds */
_Static_assert(VQOS_CONF_COST_BYTE_ONE == VQOS_SCHED_COST_BYTE_ONE, "cost per byte's unit");
_Static_assert(VQOS_CONF_COST_PKT_MAX == VQOS_SCHED_COST_PKT_MAX, "cost per packet's bound");
_Static_assert((uint64_t)VQOS_CONF_COST_BYTE_MAX *VQOS_CONF_COST_BYTE_ONE ==
		       VQOS_SCHED_COST_BYTE_MAX,
	       "cost per byte's bound");

/** A check in progress: the source, the scratch arrays, the message buffer. */
struct check {
	const struct policy_src *src;
	char *err;
	size_t errlen;
	/* class indices sorted by name */
	uint32_t *by_name;
	/* parent index per class, VQOS_POLICY_NONE for the root */
	uint32_t *parent;
	uint32_t *n_children;
	/* port index per class (leaves), VQOS_POLICY_NONE for inner classes */
	uint32_t *port;
	/* leaf index per port */
	uint32_t *port_leaf;
	/* the kind's rules */
	bool shaping, police;
	/* queue limit per class as the qdisc gets it (rx: defaults filled in) */
	uint32_t *limit;
};

const char *policy_dir_name(enum vqos_policy_dir dir)
{
	return dir == VQOS_POLICY_TX ? "tx" : "rx";
}

void policy_format_rate(char *buf, size_t len, uint64_t v, enum vqos_rate_kind kind)
{
	static const char *const bit_units[] = { "bit", "kbit", "mbit", "gbit", "tbit" };
	static const char *const pps_units[] = { "pps", "kpps", "mpps", "gpps" };
	static const char *const cps_units[] = { "cps", "kcps", "mcps", "gcps" };
	const char *const *units = kind == VQOS_RATE_PPS   ? pps_units
				   : kind == VQOS_RATE_CPS ? cps_units
							   : bit_units;
	size_t u = 0, max = kind == VQOS_RATE_BPS ? 4 : 3;

	/* exact, so that the text parses back to the same number */
	while (u < max && v != 0 && v % 1000 == 0) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)v, units[u]);
}

/* Write @p fmt after the @p prefix already in x->err (when it fits). */
static int __attribute__((format(printf, 3, 0)))
vfail(struct check *x, int prefix, const char *fmt, va_list ap)
{
	if (prefix >= 0 && (size_t)prefix < x->errlen)
		vsnprintf(x->err + prefix, x->errlen - (size_t)prefix, fmt, ap);
	return -EINVAL;
}

/* "FILE: tx: what" (or "tx: what" for an edit), for a rule of the whole
 * direction; "FILE:LINE: tx: what" with @p line, the qdisc key's. */
static int __attribute__((format(printf, 3, 0)))
vdir_fail(struct check *x, unsigned int line, const char *fmt, va_list ap)
{
	bool file = x->src->from_file && x->src->file != NULL;
	char at[16] = "";

	if (x->err == NULL || x->errlen == 0)
		return -EINVAL;
	if (file && line > 0)
		snprintf(at, sizeof(at), ":%u", line);
	return vfail(x,
		     snprintf(x->err, x->errlen, "%s%s%s%s: ", file ? x->src->file : "", at,
			      file ? ": " : "", policy_dir_name(x->src->dir)),
		     fmt, ap);
}

static int __attribute__((format(printf, 2, 3))) dir_fail(struct check *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdir_fail(x, 0, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A rule of the qdisc kind: at the line of the qdisc key. */
static int __attribute__((format(printf, 2, 3))) qdisc_fail(struct check *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdir_fail(x, x->src->line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "class 'c1' (FILE:LINE): what", or "class 'c1': what" for a vqosctl class. */
static int __attribute__((format(printf, 3, 4)))
class_fail(struct check *x, uint32_t i, const char *fmt, ...)
{
	const struct vqos_conf_class *c = &x->src->intent[i];
	va_list ap;
	int off;

	if (x->err == NULL || x->errlen == 0)
		return -EINVAL;
	if (c->line > 0 && x->src->file != NULL)
		off = snprintf(x->err, x->errlen, "class '%s' (%s:%u): ", c->name, x->src->file,
			       c->line);
	else
		off = snprintf(x->err, x->errlen, "class '%s': ", c->name);
	va_start(ap, fmt);
	vfail(x, off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Class indices by name; @p ctx is the class array. */
static int cmp_by_name(const void *a, const void *b, void *ctx)
{
	const struct vqos_conf_class *c = ctx;

	return strcmp(c[*(const uint32_t *)a].name, c[*(const uint32_t *)b].name);
}

/* Index of class @p name among @p c by its sorted index @p by_name, or NONE. */
static uint32_t bsearch_name(const struct vqos_conf_class *c, const uint32_t *by_name, size_t n,
			     const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = strcmp(name, c[by_name[mid]].name);

		if (d == 0)
			return by_name[mid];
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return VQOS_POLICY_NONE;
}

static uint32_t find_name(const struct check *x, const char *name)
{
	return bsearch_name(x->src->intent, x->by_name, x->src->n, name);
}

static int check_names(struct check *x)
{
	const struct vqos_conf_class *c = x->src->intent;
	size_t n = x->src->n;

	for (uint32_t i = 0; i < n; i++)
		x->by_name[i] = i;
	qsort_r(x->by_name, n, sizeof(*x->by_name), cmp_by_name, (void *)c);
	for (size_t k = 1; k < n; k++) {
		uint32_t a = x->by_name[k - 1], b = x->by_name[k];
		uint32_t later = a > b ? a : b, first = a > b ? b : a;

		/* a name is how vqosctl, the counters and the parents refer to a class */
		if (strcmp(c[a].name, c[b].name) != 0)
			continue;
		if (c[first].line > 0)
			return class_fail(x, later, "the name is already used at line %u",
					  c[first].line);
		return class_fail(x, later, "the name is already used");
	}
	return 0;
}

/* Parents by index, the root, and no cycle nor more than 8 levels. */
static int check_shape(struct check *x)
{
	const struct vqos_conf_class *c = x->src->intent;
	uint32_t n = (uint32_t)x->src->n, root = VQOS_POLICY_NONE;
	uint8_t *state = NULL; /* 0: not seen, 1: on the walk, 2: level known */
	uint32_t *level = NULL, *path = NULL;
	int rc = 0;

	for (uint32_t i = 0; i < n; i++) {
		x->parent[i] = VQOS_POLICY_NONE;
		if (c[i].parent[0] == '\0') {
			/* one root: it holds the budget of what the tree guards */
			if (root != VQOS_POLICY_NONE)
				return class_fail(x, i,
						  "a second root (the first is '%s'): give it "
						  "a parent",
						  c[root].name);
			root = i;
			continue;
		}
		x->parent[i] = find_name(x, c[i].parent);
		/* the parent must be in the tree */
		if (x->parent[i] == VQOS_POLICY_NONE)
			return class_fail(x, i, "parent '%s' does not exist", c[i].parent);
		x->n_children[x->parent[i]]++;
	}
	/* without a root, every class is somebody's child: a cycle */
	if (root == VQOS_POLICY_NONE)
		return dir_fail(x, "no root class (one class must have no parent)");
	state = calloc(n, 1);
	level = calloc(n, sizeof(*level));
	path = calloc(n, sizeof(*path));
	if (state == NULL || level == NULL || path == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		uint32_t len = 0, j = i, d;

		while (j != VQOS_POLICY_NONE && state[j] == 0) {
			state[j] = 1;
			path[len++] = j;
			j = x->parent[j];
		}
		/* a walk that meets itself never reaches the root */
		if (j != VQOS_POLICY_NONE && state[j] == 1) {
			rc = class_fail(x, j, "is its own ancestor (parent '%s' leads back to it)",
					c[j].parent);
			break;
		}
		d = j == VQOS_POLICY_NONE ? 0 : level[j];
		while (len > 0) {
			j = path[--len];
			level[j] = ++d;
			state[j] = 2;
			/* sched's rows and paths are sized for 8 levels */
			if (d > LEVELS_MAX && rc == 0)
				rc = class_fail(x, j,
						"is at level %u: a tree has at most %u levels", d,
						LEVELS_MAX);
		}
	}
out:
	free(state);
	free(level);
	free(path);
	return rc;
}

static uint32_t find_port(const struct policy_src *src, const char *name)
{
	for (uint32_t p = 0; p < src->n_ports; p++)
		if (strcmp(src->ports[p], name) == 0)
			return p;
	return VQOS_POLICY_NONE;
}

/* Whether class @p c takes frames by a match (an rx leaf that is not its port's default). */
static bool has_match(const struct vqos_conf_class *c)
{
	return (c->set & VQOS_CONF_CLASS_MATCH) && (c->match.pcp != 0 || c->match.dscp != 0);
}

/*
 * No value of a port's matches goes to two of its leaves: the data path
 * looks a value up in one table per port, so two leaves cannot share it.
 */
static int check_overlap(struct check *x)
{
	const struct vqos_conf_class *c = x->src->intent;
	struct vqos_conf_match *seen = calloc(x->src->n_ports, sizeof(*seen));
	int rc = 0;

	if (seen == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < x->src->n && rc == 0; i++) {
		struct vqos_conf_match *s = has_match(&c[i]) ? &seen[x->port[i]] : NULL;
		uint64_t pcp, dscp;
		uint32_t j = 0;

		if (s == NULL)
			continue;
		pcp = s->pcp & c[i].match.pcp;
		dscp = s->dscp & c[i].match.dscp;
		s->pcp |= c[i].match.pcp;
		s->dscp |= c[i].match.dscp;
		if (pcp == 0 && dscp == 0)
			continue;
		/* the earlier leaf of the port that has the value */
		while (x->port[j] != x->port[i] || !has_match(&c[j]) ||
		       ((c[j].match.pcp & pcp) == 0 && (c[j].match.dscp & dscp) == 0))
			j++;
		pcp &= c[j].match.pcp;
		dscp &= c[j].match.dscp;
		rc = class_fail(x, i, "match: %s %d already goes to leaf '%s' of port '%s'",
				pcp ? "pcp" : "dscp", __builtin_ctzll(pcp ? pcp : dscp), c[j].name,
				c[i].port);
	}
	free(seen);
	return rc;
}

/*
 * Leaves on ports of the configuration; the leaf of each port. In rx a port
 * may have several leaves: exactly one without a match (its default leaf,
 * port_leaf), where the frames its matches leave go.
 */
static int check_ports(struct check *x)
{
	const struct policy_src *src = x->src;
	const struct vqos_conf_class *c = src->intent;

	for (uint32_t p = 0; p < src->n_ports; p++)
		x->port_leaf[p] = VQOS_POLICY_NONE;
	for (uint32_t i = 0; i < src->n; i++) {
		uint32_t p;

		x->port[i] = VQOS_POLICY_NONE;
		/* tx leaves are vrings, dequeued whole: nothing to pick by */
		if (has_match(&c[i]) && src->dir == VQOS_POLICY_TX)
			return class_fail(x, i,
					  "match: tx is pull mode: vqosd dequeues a container's "
					  "vring in order and cannot pick packets by class; "
					  "classify on rx only");
		if (x->n_children[i] > 0) {
			/* traffic enters and leaves a tree at its leaves only */
			if (c[i].port[0] != '\0')
				return class_fail(x, i,
						  "has children, so no port (port '%s' belongs "
						  "on a leaf)",
						  c[i].port);
			if (has_match(&c[i]))
				return class_fail(x, i,
						  "has children, so no match (a match belongs on "
						  "a leaf)");
			continue;
		}
		/* a leaf is a port's queue */
		if (c[i].port[0] == '\0')
			return class_fail(x, i, "is a leaf without a port");
		p = find_port(src, c[i].port);
		if (p == VQOS_POLICY_NONE)
			return class_fail(x, i, "port '%s' does not exist", c[i].port);
		x->port[i] = p;
		if (has_match(&c[i]))
			continue;
		if (x->port_leaf[p] == VQOS_POLICY_NONE) {
			x->port_leaf[p] = i;
			continue;
		}
		/* a tx leaf is the port's vring, and a vring is one queue */
		if (src->dir == VQOS_POLICY_TX)
			return class_fail(x, i,
					  "port '%s' already has leaf '%s' (tx takes one leaf per "
					  "port)",
					  c[i].port, c[x->port_leaf[p]].name);
		/* nothing would ever reach a second leaf without a match */
		return class_fail(x, i,
				  "port '%s' already has its default leaf '%s' (the one without "
				  "match): give this one a match",
				  c[i].port, c[x->port_leaf[p]].name);
	}
	for (uint32_t p = 0; p < src->n_ports; p++) {
		if (x->port_leaf[p] != VQOS_POLICY_NONE)
			continue;
		/* what matches nothing must still have a way through */
		for (uint32_t i = 0; i < src->n; i++)
			if (x->port[i] == p)
				return class_fail(
					x, i,
					"port '%s' has no default leaf: one of its leaves "
					"must have no match (frames that match none go "
					"there)",
					src->ports[p]);
		/* a port without a leaf would have no way through */
		return dir_fail(x, "port '%s' has no leaf class", src->ports[p]);
	}
	return check_overlap(x);
}

/*
 * What one port's rx queues may hold in all, VQOS_SCHED_PORT_BACKLOG_MAX
 * mbufs: what a port may take of its uplink's mbufs when their shared region
 * has room, not what is set aside for it. vhost_tx admits a port's frames
 * beyond a small reserve only while what it holds beyond it is below what
 * the region has free, so a slow container takes its share and no other
 * port's (vhost_tx/admit.h). Limits count mbufs (a queued packet counts its
 * segments), so this holds for chained jumbo frames as for small ones. The
 * leaves of a port with a limit may add up to that; each leaf without one
 * gets VQOS_SCHED_LIMIT_DEFAULT, or its share of what the others leave, if
 * less. fifo and police queue every port's frames in one queue, of the
 * root's limit. tx queues nothing (its packets wait in the containers'
 * vrings): its limits are kept as given.
 */
/* The least queue a leaf without a limit gets: one data-path burst. */
#define LEAF_QUEUE_MIN 32

static int check_backlog(struct check *x)
{
	const struct policy_src *src = x->src;
	const struct vqos_conf_class *c = src->intent;
	uint64_t *set_sum = calloc(src->n_ports ? src->n_ports : 1, sizeof(*set_sum));
	uint32_t *unset = calloc(src->n_ports ? src->n_ports : 1, sizeof(*unset));
	bool one_queue = strcmp(src->kind, "fifo") == 0 || x->police;
	int rc = 0;

	if (set_sum == NULL || unset == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < src->n; i++) {
		x->limit[i] = (c[i].set & VQOS_CONF_CLASS_LIMIT) ? (uint32_t)c[i].limit : 0;
		if (src->dir != VQOS_POLICY_RX)
			continue;
		if (one_queue) {
			if (x->parent[i] == VQOS_POLICY_NONE &&
			    x->limit[i] > VQOS_SCHED_PORT_BACKLOG_MAX)
				rc = class_fail(x, i,
						"limit %u is over the %u mbufs the queue of a "
						"%s qdisc may hold",
						x->limit[i], VQOS_SCHED_PORT_BACKLOG_MAX,
						src->kind);
			continue;
		}
		if (x->port[i] == VQOS_POLICY_NONE)
			continue;
		if (x->limit[i] == 0)
			unset[x->port[i]]++;
		else
			set_sum[x->port[i]] += x->limit[i];
	}
	for (uint32_t i = 0; rc == 0 && !one_queue && src->dir == VQOS_POLICY_RX && i < src->n;
	     i++) {
		uint32_t p = x->port[i];
		uint64_t left;

		if (p == VQOS_POLICY_NONE)
			continue;
		/* a leaf without a limit needs room for one burst at least */
		if (set_sum[p] + (uint64_t)unset[p] * LEAF_QUEUE_MIN >
		    VQOS_SCHED_PORT_BACKLOG_MAX) {
			rc = class_fail(x, i,
					"the rx leaves of port '%s' would queue up to %llu mbufs, "
					"over the %u a port may hold: lower their limits",
					src->ports[p],
					(unsigned long long)(set_sum[p] +
							     (uint64_t)unset[p] * LEAF_QUEUE_MIN),
					VQOS_SCHED_PORT_BACKLOG_MAX);
			break;
		}
		if (x->limit[i] != 0)
			continue;
		left = (VQOS_SCHED_PORT_BACKLOG_MAX - set_sum[p]) / unset[p];
		x->limit[i] =
			left < VQOS_SCHED_LIMIT_DEFAULT ? (uint32_t)left : VQOS_SCHED_LIMIT_DEFAULT;
	}
out:
	free(set_sum);
	free(unset);
	return rc;
}

/* Most ports a message lists. */
#define LISTED_PORTS 4

/*
 * librte_sched serves one port: it dequeues in its own order and cannot hold
 * back the packets of one container whose vring is full (htb parks that
 * leaf), and vqosd runs one instance per data-path lcore for all of that
 * lcore's ports. A sched tree is one port's; the message names the first
 * leaf on a second port and the ports with leaves (the first few of them).
 */
static int check_sched_ports(struct check *x)
{
	const struct policy_src *src = x->src;
	char list[LISTED_PORTS * (VQOS_CONF_NAME_MAX + 4) + 24];
	uint32_t first = VQOS_POLICY_NONE, i, listed = 0;
	size_t at = 0;

	for (i = 0; i < src->n; i++) {
		if (x->port[i] == VQOS_POLICY_NONE)
			continue;
		if (first == VQOS_POLICY_NONE)
			first = i;
		else if (x->port[i] != x->port[first])
			break;
	}
	if (i == src->n)
		return 0;
	/* the buffer holds LISTED_PORTS names and the count of the others */
	for (uint32_t p = 0; p < src->n_ports; p++) {
		if (x->port_leaf[p] == VQOS_POLICY_NONE || listed++ >= LISTED_PORTS)
			continue;
		at += (size_t)snprintf(list + at, sizeof(list) - at, "%s'%.*s'",
				       listed > 1 ? ", " : "", VQOS_CONF_NAME_MAX, src->ports[p]);
	}
	if (listed > LISTED_PORTS)
		snprintf(list + at, sizeof(list) - at, " and %u more", listed - LISTED_PORTS);
	return class_fail(x, i,
			  "qdisc sched serves one port per vqosd (librte_sched cannot hold back "
			  "one container's packets); this tree has leaves on ports %s: use htb",
			  list);
}

/* One class's values, on their own and against the kind. */
static int check_values(struct check *x, uint32_t i)
{
	const struct vqos_conf_class *c = &x->src->intent[i];
	const char *kind = x->src->kind;
	char a[32], b[32];

	if (c->prio >= VQOS_SCHED_PRIO_MAX)
		return class_fail(x, i, "prio %u is over %u", c->prio, VQOS_SCHED_PRIO_MAX - 1);
	/* 0 would mean "the default" to sched: say it rather than guess */
	if ((c->set & VQOS_CONF_CLASS_LIMIT) && (c->limit == 0 || c->limit > UINT32_MAX))
		return class_fail(x, i, "limit %llu is not 1..%u", (unsigned long long)c->limit,
				  UINT32_MAX);
	if ((c->set & VQOS_CONF_CLASS_QUANTUM) && (c->quantum == 0 || c->quantum > UINT32_MAX))
		return class_fail(x, i, "quantum %llu is not 1..%u bytes",
				  (unsigned long long)c->quantum, UINT32_MAX);
	/* buckets count bytes x clock in 63 bits */
	if (c->burst > VQOS_SCHED_BURST_MAX || c->cburst > VQOS_SCHED_BURST_MAX)
		return class_fail(x, i, "%s %llu bytes is over %u",
				  c->burst > c->cburst ? "burst" : "cburst",
				  (unsigned long long)(c->burst > c->cburst ? c->burst : c->cburst),
				  VQOS_SCHED_BURST_MAX);
	if ((c->set & (VQOS_CONF_CLASS_METER | VQOS_CONF_CLASS_MARK)) && !x->police)
		return class_fail(x, i, "%s is for qdisc police, not %s",
				  c->set & VQOS_CONF_CLASS_METER ? "meter" : "mark", kind);
	if ((c->set & VQOS_CONF_CLASS_AQM) && strcmp(kind, "sched") != 0)
		return class_fail(x, i, "aqm is for qdisc sched, not %s", kind);
	/* only htb has cycle buckets; the others would ignore the limit */
	if ((c->set & (VQOS_CONF_CLASS_CPS | VQOS_CONF_CLASS_CCPS)) && strcmp(kind, "htb") != 0)
		return class_fail(x, i, "%s is for qdisc htb, not %s",
				  c->set & VQOS_CONF_CLASS_CPS ? "cps" : "ccps", kind);
	/* a policer's committed rate is what it enforces */
	if (x->police && x->n_children[i] == 0 && c->rate_bps == 0)
		return class_fail(x, i, "no rate: a police leaf needs one (the meter's CIR)");
	if (!x->shaping && !x->police)
		return 0;
	/* a class without a rate could never send on its own */
	if (x->shaping && c->rate_bps == 0 && c->rate_pps == 0 && c->rate_cps == 0)
		return class_fail(x, i, "no rate: give rate, pps or cps (or several)");
	/* ceil is the most a class may reach by borrowing */
	if ((c->set & VQOS_CONF_CLASS_CEIL) && c->ceil_bps < c->rate_bps) {
		policy_format_rate(a, sizeof(a), c->ceil_bps, VQOS_RATE_BPS);
		policy_format_rate(b, sizeof(b), c->rate_bps, VQOS_RATE_BPS);
		return class_fail(x, i, "ceil %s is below rate %s", a, b);
	}
	if ((c->set & VQOS_CONF_CLASS_CPPS) && c->ceil_pps < c->rate_pps) {
		policy_format_rate(a, sizeof(a), c->ceil_pps, VQOS_RATE_PPS);
		policy_format_rate(b, sizeof(b), c->rate_pps, VQOS_RATE_PPS);
		return class_fail(x, i, "cpps %s is below pps %s", a, b);
	}
	if ((c->set & VQOS_CONF_CLASS_CCPS) && c->ceil_cps < c->rate_cps) {
		policy_format_rate(a, sizeof(a), c->ceil_cps, VQOS_RATE_CPS);
		policy_format_rate(b, sizeof(b), c->rate_cps, VQOS_RATE_CPS);
		return class_fail(x, i, "ccps %s is below cps %s", a, b);
	}
	return 0;
}

/* Whether class @p i or one of its ancestors has a cycle rate. */
static bool cycles_on_path(const struct check *x, uint32_t i)
{
	const struct vqos_conf_class *c = x->src->intent;

	for (; i != VQOS_POLICY_NONE; i = x->parent[i])
		if (c[i].rate_cps != 0 || c[i].ceil_cps != 0)
			return true;
	return false;
}

static bool port_has_cost(const struct policy_src *src, uint32_t port)
{
	return src->costs != NULL && src->costs[port].set;
}

/*
 * A packet is charged cycles by its port's cost model: a class with a cycle
 * rate (cps, ccps) may lead only to leaves on ports that have one. The
 * message names the class nearest the leaf that has a cycle rate, and the
 * port without a model.
 */
static int check_costs(struct check *x)
{
	const struct vqos_conf_class *c = x->src->intent;

	for (uint32_t i = 0; i < x->src->n; i++) {
		uint32_t p = x->port[i];

		if (p == VQOS_POLICY_NONE || port_has_cost(x->src, p))
			continue;
		for (uint32_t a = i; a != VQOS_POLICY_NONE; a = x->parent[a])
			if (c[a].rate_cps != 0 || c[a].ceil_cps != 0)
				return class_fail(
					x, a,
					"%s: its leaf '%s' is on port '%s', which has no cost "
					"model: give the port cost = { packet = N; byte = N; } "
					"(or vqosctl port cost %s packet N byte N)",
					c[a].rate_cps != 0 ? "cps" : "ccps", c[i].name,
					x->src->ports[p], x->src->ports[p]);
	}
	return 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/*
 * Admission control: a guarantee is only one if the parent can pay it. The
 * children's rates must add up to at most the parent's, per unit; a parent
 * with no rate in a unit promises nothing in it, and one with overcommit set
 * lets its children be promised more than it has.
 */
static int check_admission(struct check *x)
{
	const struct vqos_conf_class *c = x->src->intent;
	uint32_t n = (uint32_t)x->src->n;
	static const char *const many[] = { "rates", "pps", "cps" },
				 *one[] = { "rate", "pps", "cps" };
	uint64_t *sum = calloc(3 * (size_t)n, sizeof(*sum));
	int rc = 0;

	if (sum == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = x->parent[i];

		if (p == VQOS_POLICY_NONE)
			continue;
		sum[3 * p] = add_sat(sum[3 * p], c[i].rate_bps);
		sum[3 * p + 1] = add_sat(sum[3 * p + 1], c[i].rate_pps);
		sum[3 * p + 2] = add_sat(sum[3 * p + 2], c[i].rate_cps);
	}
	for (uint32_t p = 0; p < n && rc == 0; p++) {
		char a[32], b[32];

		if (c[p].overcommit || x->n_children[p] == 0)
			continue;
		for (enum vqos_rate_kind u = VQOS_RATE_BPS; u <= VQOS_RATE_CPS && rc == 0; u++) {
			uint64_t mine = u == VQOS_RATE_BPS   ? c[p].rate_bps
					: u == VQOS_RATE_PPS ? c[p].rate_pps
							     : c[p].rate_cps;

			if (mine == 0 || sum[3 * p + u] <= mine)
				continue;
			policy_format_rate(a, sizeof(a), sum[3 * p + u], u);
			policy_format_rate(b, sizeof(b), mine, u);
			rc = class_fail(x, p,
					"its children's %s add up to %s, over its %s %s (set "
					"overcommit = true to allow)",
					many[u], a, one[u], b);
		}
	}
	free(sum);
	return rc;
}

/* FNV-1a: a class's id follows its name across reloads and edits. */
static uint32_t name_id(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h == VQOS_SCHED_NO_PARENT ? 0 : h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Ids from names; the rare collision moves the later class to the next free id. */
static int assign_ids(struct vqos_sched_class_params *k, uint32_t n)
{
	uint64_t *pairs = malloc(n * sizeof(*pairs));
	bool again = true;

	if (pairs == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		k[i].id = name_id(k[i].name);
	while (again) {
		again = false;
		for (uint32_t i = 0; i < n; i++)
			pairs[i] = (uint64_t)k[i].id << 32 | i;
		qsort(pairs, n, sizeof(*pairs), cmp_u64);
		for (uint32_t i = 1; i < n; i++) {
			uint32_t *id = &k[(uint32_t)pairs[i]].id;

			if (pairs[i] >> 32 != pairs[i - 1] >> 32)
				continue;
			*id = *id + 1 == VQOS_SCHED_NO_PARENT ? 0 : *id + 1;
			again = true;
		}
	}
	free(pairs);
	return 0;
}

/*
 * The cycles side of sched's view (htb only): each leaf below a class with a
 * cycle rate gets its port's cost model; each class, the cycles of a
 * full-size frame under the costliest model of its leaves (@p frame, which
 * its default cycle bursts count in, as htb computes it).
 */
static void fill_costs(const struct check *x, struct vqos_sched_class_params *k, uint64_t *frame)
{
	for (uint32_t i = 0; i < x->src->n; i++) {
		const struct vqos_conf_cost *cost;
		uint64_t f;

		if (x->port[i] == VQOS_POLICY_NONE || !cycles_on_path(x, i))
			continue;
		/* check_costs() saw to it that the port has a model */
		cost = &x->src->costs[x->port[i]];
		k[i].cost_pkt = cost->packet;
		k[i].cost_byte = cost->byte;
		f = vqos_sched_cost_frame(cost->packet, cost->byte);
		for (uint32_t a = i; a != VQOS_POLICY_NONE; a = x->parent[a])
			frame[a] = f > frame[a] ? f : frame[a];
	}
}

/*
 * sched's view of the classes. An htb class without burst (cburst, packet
 * and cycle bursts) gets htb's default, vqos_sched_default_burst(): 1 ms at
 * the rate (ceil) plus a padding for the data path's batches, at most 10 ms
 * of it. It is written out here so that `class show` prints it and a change
 * of the rate it follows shows in a diff.
 */
static void fill_params(const struct check *x, struct vqos_sched_class_params *k, uint64_t *frame)
{
	const struct vqos_conf_class *c = x->src->intent;
	bool htb = strcmp(x->src->kind, "htb") == 0;

	if (htb)
		fill_costs(x, k, frame);
	for (uint32_t i = 0; i < x->src->n; i++) {
		uint64_t bps = c[i].ceil_bps ? c[i].ceil_bps : c[i].rate_bps;
		uint64_t pps = c[i].ceil_pps ? c[i].ceil_pps : c[i].rate_pps;
		uint64_t cps = c[i].ceil_cps ? c[i].ceil_cps : c[i].rate_cps;

		snprintf(k[i].name, sizeof(k[i].name), "%s", c[i].name);
		k[i].rate_bps = c[i].rate_bps;
		k[i].ceil_bps = c[i].ceil_bps;
		k[i].rate_pps = c[i].rate_pps;
		k[i].ceil_pps = c[i].ceil_pps;
		k[i].rate_cps = c[i].rate_cps;
		k[i].ceil_cps = c[i].ceil_cps;
		k[i].burst = (uint32_t)c[i].burst;
		k[i].cburst = (uint32_t)c[i].cburst;
		k[i].prio = (uint8_t)c[i].prio;
		k[i].meter = (uint8_t)c[i].meter;
		k[i].mark = c[i].mark;
		k[i].aqm = (uint8_t)c[i].aqm;
		k[i].quantum = (uint32_t)c[i].quantum;
		k[i].limit = x->limit[i];
		k[i].port = x->port[i] == VQOS_POLICY_NONE ? 0 : x->port[i];
		if (!htb)
			continue;
		if (!(c[i].set & VQOS_CONF_CLASS_BURST) && k[i].rate_bps)
			k[i].burst =
				vqos_sched_default_burst(k[i].rate_bps / 8, VQOS_SCHED_FRAME_BYTES);
		if (!(c[i].set & VQOS_CONF_CLASS_CBURST) && bps)
			k[i].cburst = vqos_sched_default_burst(bps / 8, VQOS_SCHED_FRAME_BYTES);
		if (k[i].rate_pps)
			k[i].burst_pkts = vqos_sched_default_burst(k[i].rate_pps, 1);
		if (pps)
			k[i].cburst_pkts = vqos_sched_default_burst(pps, 1);
		if (k[i].rate_cps)
			k[i].burst_cyc = vqos_sched_default_burst(k[i].rate_cps, frame[i]);
		if (cps)
			k[i].cburst_cyc = vqos_sched_default_burst(cps, frame[i]);
	}
}

/* The kind's own rules: create() at a fast clock, and free. Two kinds build
 * with EAL's help, which a file checked before EAL starts (vqosd at start,
 * since EAL's arguments are in the file) does not have: librte_sched in EAL
 * memory, police's librte_meter profiles from the TSC's frequency. They are
 * held to the shared rules here, and to their own when the data path builds
 * them (a refusal there stops vqosd at start, or refuses the change). */
static int check_kind(struct check *x, const struct vqos_policy *p)
{
	struct vqos_sched_params prm = p->params;
	struct vqos_sched_error se = { .class_index = UINT32_MAX };
	struct vqos_qdisc *q = NULL;
	const char *why;
	int rc;

	prm.clock_hz = VQOS_POLICY_CHECK_HZ;
	if (strcmp(p->ops->name, "sched") == 0 || strcmp(p->ops->name, "police") == 0)
		rc = vqos_sched_check_tree(&prm, &se);
	else
		rc = p->ops->create(&prm, &q, &se);
	if (rc == 0) {
		vqos_sched_destroy(q);
		return 0;
	}
	if (rc != -EINVAL)
		return rc;
	/* sched's message opens with its own "class \"name\" (id N): " */
	why = se.msg;
	if (se.class_index < x->src->n && strstr(why, "): ") != NULL)
		why = strstr(why, "): ") + 3;
	if (se.class_index < x->src->n)
		return class_fail(x, se.class_index, "qdisc %s refuses it: %s", p->ops->name, why);
	return dir_fail(x, "qdisc %s refuses the tree: %s", p->ops->name, why);
}

void vqos_policy_free(struct vqos_policy *p)
{
	if (p == NULL)
		return;
	free(p->file);
	free(p->ports);
	free(p->costs);
	free(p->intent);
	free(p->classes);
	free(p->port_leaf);
	free(p->by_name);
	vqos_policy_classify_fini(&p->classify);
	free(p);
}

/* The policy of a checked source, still to be checked by its kind. */
static int make(struct check *x, struct vqos_policy **out)
{
	const struct policy_src *src = x->src;
	struct vqos_policy *p = calloc(1, sizeof(*p));
	uint32_t n = (uint32_t)src->n;
	uint64_t *frame = calloc(n, sizeof(*frame));
	bool overcommit = false;
	int rc = -ENOMEM;

	if (p == NULL || frame == NULL) {
		free(p);
		free(frame);
		return -ENOMEM;
	}
	p->dir = src->dir;
	p->ops = vqos_sched_ops_find(src->kind);
	p->is_default = src->is_default;
	p->n = n;
	p->n_ports = src->n_ports;
	p->file = src->file != NULL ? strdup(src->file) : NULL;
	p->ports = malloc(src->n_ports * sizeof(*p->ports));
	p->costs = calloc(src->n_ports, sizeof(*p->costs));
	p->intent = malloc(n * sizeof(*p->intent));
	p->classes = calloc(n, sizeof(*p->classes));
	p->port_leaf = malloc(src->n_ports * sizeof(*p->port_leaf));
	p->by_name = malloc(n * sizeof(*p->by_name));
	if ((src->file != NULL && p->file == NULL) || !p->ports || !p->costs || !p->intent ||
	    !p->classes || !p->port_leaf || !p->by_name)
		goto fail;
	memcpy(p->by_name, x->by_name, n * sizeof(*p->by_name));
	memcpy(p->ports, src->ports, src->n_ports * sizeof(*p->ports));
	if (src->costs != NULL)
		memcpy(p->costs, src->costs, src->n_ports * sizeof(*p->costs));
	memcpy(p->intent, src->intent, n * sizeof(*p->intent));
	memcpy(p->port_leaf, x->port_leaf, src->n_ports * sizeof(*p->port_leaf));
	fill_params(x, p->classes, frame);
	rc = assign_ids(p->classes, n);
	if (rc < 0)
		goto fail;
	for (uint32_t i = 0; i < n; i++) {
		p->classes[i].parent = x->parent[i] == VQOS_POLICY_NONE
					       ? VQOS_SCHED_NO_PARENT
					       : p->classes[x->parent[i]].id;
		overcommit |= src->intent[i].overcommit;
	}
	p->params.mode = src->dir == VQOS_POLICY_TX ? VQOS_SCHED_PULL : VQOS_SCHED_PUSH;
	p->params.allow_overcommit = overcommit;
	p->params.n_ports = src->n_ports;
	p->params.classes = p->classes;
	p->params.n_classes = n;
	rc = policy_classify_build(p);
	if (rc < 0)
		goto fail;
	rc = check_kind(x, p);
	if (rc < 0)
		goto fail;
	free(frame);
	*out = p;
	return 0;
fail:
	free(frame);
	vqos_policy_free(p);
	return rc;
}

/* The rules of the whole direction, before any class. */
static int check_dir(struct check *x)
{
	const struct policy_src *src = x->src;
	const struct vqos_sched_ops *ops = vqos_sched_ops_find(src->kind);

	if (ops == NULL)
		return dir_fail(x, "'%s' is not a qdisc", src->kind);
	/* librte_sched holds the packets: it cannot leave them in the vrings */
	if (strcmp(src->kind, "sched") == 0 && src->dir == VQOS_POLICY_TX)
		return qdisc_fail(x, "qdisc sched works on rx only (it needs the packets)");
	if (src->n == 0)
		return qdisc_fail(x,
				  "qdisc %s needs classes (only htb and fifo have a default tree)",
				  src->kind);
	if (src->n > VQOS_SCHED_CLASSES_MAX)
		return dir_fail(x, "%zu classes, at most %u", src->n, VQOS_SCHED_CLASSES_MAX);
	if (src->n_ports == 0)
		return dir_fail(x, "no ports");
	x->shaping = strcmp(src->kind, "htb") == 0 || strcmp(src->kind, "sched") == 0;
	x->police = strcmp(src->kind, "police") == 0;
	return 0;
}

int policy_make(const struct policy_src *src, struct vqos_policy **out, char *err, size_t errlen)
{
	struct check x = { .src = src, .err = err, .errlen = errlen };
	size_t n = src->n;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	rc = check_dir(&x);
	if (rc < 0)
		return rc;
	x.by_name = malloc(n * sizeof(*x.by_name));
	x.parent = malloc(n * sizeof(*x.parent));
	x.n_children = calloc(n, sizeof(*x.n_children));
	x.port = malloc(n * sizeof(*x.port));
	x.port_leaf = malloc(src->n_ports * sizeof(*x.port_leaf));
	x.limit = malloc(n * sizeof(*x.limit));
	rc = x.by_name && x.parent && x.n_children && x.port && x.port_leaf && x.limit ? 0
										       : -ENOMEM;
	if (rc == 0)
		rc = check_names(&x);
	if (rc == 0)
		rc = check_shape(&x);
	if (rc == 0)
		rc = check_ports(&x);
	if (rc == 0 && strcmp(src->kind, "sched") == 0)
		rc = check_sched_ports(&x);
	for (uint32_t i = 0; rc == 0 && i < n; i++)
		rc = check_values(&x, i);
	if (rc == 0)
		rc = check_costs(&x);
	if (rc == 0)
		rc = check_backlog(&x);
	if (rc == 0 && x.shaping)
		rc = check_admission(&x);
	if (rc == 0)
		rc = make(&x, out);
	if (rc == -ENOMEM && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: out of memory", policy_dir_name(src->dir));
	free(x.by_name);
	free(x.parent);
	free(x.n_children);
	free(x.port);
	free(x.port_leaf);
	free(x.limit);
	return rc;
}

/*
 * The default tree: a root and one leaf per port, named after it. For htb
 * (a direction without a tree) every class has VQOS_POLICY_UNSHAPED_BPS, so
 * nothing is ever shaped but each port keeps its own queue: with fifo's one
 * queue, a container whose rx vring is full (or that died) blocks all others.
 */
static struct vqos_conf_class *default_classes(const vqos_policy_port_name *ports, uint32_t n,
					       bool htb)
{
	struct vqos_conf_class *c = calloc((size_t)n + 1, sizeof(*c));

	if (c == NULL)
		return NULL;
	snprintf(c[0].name, sizeof(c[0].name), "root");
	if (htb) {
		c[0].rate_bps = VQOS_POLICY_UNSHAPED_BPS;
		c[0].overcommit = true;
		c[0].set = VQOS_CONF_CLASS_RATE | VQOS_CONF_CLASS_OVERCOMMIT;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct vqos_conf_class *leaf = &c[i + 1];

		/* a port called "root" must not take the root's name */
		snprintf(leaf->name, sizeof(leaf->name), "%s%s", ports[i],
			 strcmp(ports[i], "root") == 0 ? "_" : "");
		snprintf(leaf->parent, sizeof(leaf->parent), "root");
		snprintf(leaf->port, sizeof(leaf->port), "%s", ports[i]);
		leaf->set = VQOS_CONF_CLASS_PARENT | VQOS_CONF_CLASS_PORT;
		if (htb) {
			leaf->rate_bps = VQOS_POLICY_UNSHAPED_BPS;
			leaf->set |= VQOS_CONF_CLASS_RATE;
		}
	}
	return c;
}

int vqos_policy_build(const struct vqos_conf *conf, enum vqos_policy_dir dir,
		      struct vqos_policy **out, char *err, size_t errlen)
{
	const struct vqos_conf_dir *d;
	struct policy_src src = { .dir = dir };
	struct vqos_conf_cost *costs;
	vqos_policy_port_name *ports;
	struct vqos_conf_class *def = NULL;
	int rc;

	if (conf == NULL || out == NULL || (dir != VQOS_POLICY_TX && dir != VQOS_POLICY_RX)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no configuration, output or direction");
		return -EINVAL;
	}
	d = dir == VQOS_POLICY_TX ? &conf->tx : &conf->rx;
	ports = calloc(conf->n_ports ? conf->n_ports : 1, sizeof(*ports));
	costs = calloc(conf->n_ports ? conf->n_ports : 1, sizeof(*costs));
	if (ports == NULL || costs == NULL) {
		free(ports);
		free(costs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < conf->n_ports; i++) {
		memcpy(ports[i], conf->ports[i].name, sizeof(ports[i]));
		costs[i] = conf->ports[i].cost;
	}
	src.kind = d->qdisc[0] != '\0' ? d->qdisc : "htb";
	src.file = conf->file;
	src.from_file = true;
	src.line = d->line;
	src.ports = (const vqos_policy_port_name *)ports;
	src.n_ports = (uint32_t)conf->n_ports;
	src.costs = costs;
	src.intent = d->classes;
	src.n = d->n_classes;
	/* no tree (no group, or htb or fifo without classes): one shape all the same */
	if (d->n_classes == 0 && (strcmp(src.kind, "fifo") == 0 || strcmp(src.kind, "htb") == 0)) {
		def = default_classes(src.ports, src.n_ports, strcmp(src.kind, "htb") == 0);
		if (def == NULL) {
			free(ports);
			free(costs);
			return -ENOMEM;
		}
		src.intent = def;
		src.n = (size_t)src.n_ports + 1;
		src.is_default = true;
	}
	rc = policy_make(&src, out, err, errlen);
	free(def);
	free(ports);
	free(costs);
	return rc;
}

enum vqos_policy_dir vqos_policy_direction(const struct vqos_policy *p)
{
	return p->dir;
}

const struct vqos_sched_ops *vqos_policy_ops(const struct vqos_policy *p)
{
	return p->ops;
}

const struct vqos_sched_params *vqos_policy_params(const struct vqos_policy *p)
{
	return &p->params;
}

uint32_t vqos_policy_n_classes(const struct vqos_policy *p)
{
	return p->n;
}

const struct vqos_conf_class *vqos_policy_class(const struct vqos_policy *p, uint32_t index)
{
	return index < p->n ? &p->intent[index] : NULL;
}

uint32_t vqos_policy_find(const struct vqos_policy *p, const char *name)
{
	return bsearch_name(p->intent, p->by_name, p->n, name);
}

uint32_t vqos_policy_port_leaf(const struct vqos_policy *p, uint32_t port)
{
	return port < p->n_ports ? p->port_leaf[port] : VQOS_POLICY_NONE;
}

const uint32_t *vqos_policy_leaf_of_port(const struct vqos_policy *p)
{
	return p->port_leaf;
}

bool vqos_policy_is_default(const struct vqos_policy *p)
{
	return p->is_default;
}
