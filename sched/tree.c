/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Class trees: the checks every kind shares, the kinds' registry, and the
 * token bucket's set-up.
 *
 * A tree arrives as a flat array whose classes name their parent by id. It is
 * checked as a whole before any kind allocates anything, so a refused tree
 * leaves nothing behind, and every message names the class at fault.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

const struct vqos_sched_ops *const vqos_sched_kinds[] = {
	&vqos_htb_ops, &vqos_sched_rte_ops, &vqos_police_ops, &vqos_fifo_ops, NULL,
};

const struct vqos_sched_ops *vqos_sched_ops_find(const char *name)
{
	for (size_t i = 0; vqos_sched_kinds[i] != NULL; i++)
		if (strcmp(vqos_sched_kinds[i]->name, name) == 0)
			return vqos_sched_kinds[i];
	return NULL;
}

int vqos_sched_fail(struct vqos_sched_error *err, const struct vqos_sched_class_params *classes,
		    uint32_t idx, const char *fmt, ...)
{
	va_list ap;
	int off = 0;

	if (err == NULL)
		return -EINVAL;
	err->class_index = idx;
	if (idx != UINT32_MAX)
		off = snprintf(err->msg, sizeof(err->msg),
			       "class \"%.*s\" (id %u): ", VQOS_SCHED_NAME_MAX, classes[idx].name,
			       classes[idx].id);
	va_start(ap, fmt);
	vsnprintf(err->msg + off, sizeof(err->msg) - (size_t)off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t vqos_sched_tree_find(const struct vqos_sched_tree *t, uint32_t id)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint32_t mid_id = (uint32_t)(t->by_id[mid] >> 32);

		if (mid_id == id)
			return (uint32_t)t->by_id[mid];
		if (mid_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return VQOS_SCHED_NONE;
}

void vqos_sched_tree_free(struct vqos_sched_tree *t)
{
	free(t->parent);
	free(t->depth);
	free(t->n_children);
	free(t->by_id);
	memset(t, 0, sizeof(*t));
}

/* Parents by index and the root; the ids are unique when this runs. */
static int link_parents(const struct vqos_sched_params *p, struct vqos_sched_tree *t,
			struct vqos_sched_error *err)
{
	const struct vqos_sched_class_params *c = p->classes;

	t->root = VQOS_SCHED_NONE;
	for (uint32_t i = 0; i < t->n; i++) {
		/* prio selects one of 8 rows */
		if (c[i].prio >= VQOS_SCHED_PRIO_MAX)
			return vqos_sched_fail(err, c, i, "prio %u over %u", c[i].prio,
					       VQOS_SCHED_PRIO_MAX - 1);
		if (c[i].parent == VQOS_SCHED_NO_PARENT) {
			/* one root: it holds the budget of what the tree guards */
			if (t->root != VQOS_SCHED_NONE)
				return vqos_sched_fail(err, c, i,
						       "a second root (the first is id %u)",
						       c[t->root].id);
			t->root = i;
			t->parent[i] = VQOS_SCHED_NONE;
			continue;
		}
		t->parent[i] = vqos_sched_tree_find(t, c[i].parent);
		/* the parent must be in the tree */
		if (t->parent[i] == VQOS_SCHED_NONE)
			return vqos_sched_fail(err, c, i, "unknown parent id %u", c[i].parent);
		t->n_children[t->parent[i]]++;
	}
	/* a tree without a root is a cycle somewhere */
	if (t->root == VQOS_SCHED_NONE)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "no root class (parent none)");
	return 0;
}

int vqos_sched_tree_build(const struct vqos_sched_params *p, struct vqos_sched_tree *t,
			  struct vqos_sched_error *err)
{
	const struct vqos_sched_class_params *c = p->classes;
	int rc;

	memset(t, 0, sizeof(*t));
	/* the clock converts every rate */
	if (p->clock_hz == 0)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "clock_hz is 0");
	if (p->mode != VQOS_SCHED_PUSH && p->mode != VQOS_SCHED_PULL)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "unknown mode %u", p->mode);
	if (p->n_ports == 0)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "n_ports is 0");
	if (p->classes == NULL || p->n_classes == 0 || p->n_classes > VQOS_SCHED_CLASSES_MAX)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "%u classes: 1 to %u allowed",
				       p->n_classes, VQOS_SCHED_CLASSES_MAX);
	t->n = p->n_classes;
	t->parent = calloc(t->n, sizeof(*t->parent));
	t->depth = calloc(t->n, sizeof(*t->depth));
	t->n_children = calloc(t->n, sizeof(*t->n_children));
	t->by_id = calloc(t->n, sizeof(*t->by_id));
	if (!t->parent || !t->depth || !t->n_children || !t->by_id) {
		vqos_sched_fail(err, NULL, UINT32_MAX, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < t->n; i++)
		t->by_id[i] = (uint64_t)c[i].id << 32 | i;
	qsort(t->by_id, t->n, sizeof(*t->by_id), cmp_u64);
	for (uint32_t i = 1; i < t->n; i++) {
		/* ids name classes in messages and in change() */
		if (t->by_id[i] >> 32 == t->by_id[i - 1] >> 32) {
			rc = vqos_sched_fail(err, c, (uint32_t)t->by_id[i], "duplicate id");
			goto fail;
		}
	}
	rc = link_parents(p, t, err);
	if (rc < 0)
		goto fail;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t d = 0;

		for (uint32_t a = t->parent[i]; a != VQOS_SCHED_NONE; a = t->parent[a]) {
			/* rows and paths are sized for 8 levels; a cycle never ends */
			if (++d >= VQOS_SCHED_DEPTH_MAX) {
				rc = vqos_sched_fail(err, c, i, "depth over %u (or a parent cycle)",
						     VQOS_SCHED_DEPTH_MAX);
				goto fail;
			}
		}
		t->depth[i] = (uint8_t)d;
	}
	for (uint32_t i = 0; i < t->n; i++) {
		/* a leaf feeds one port's vring */
		if (t->n_children[i] == 0 && c[i].port >= p->n_ports) {
			rc = vqos_sched_fail(err, c, i, "port %u, only %u ports", c[i].port,
					     p->n_ports);
			goto fail;
		}
	}
	return 0;
fail:
	vqos_sched_tree_free(t);
	return rc;
}

int vqos_sched_check_tree(const struct vqos_sched_params *p, struct vqos_sched_error *err)
{
	struct vqos_sched_tree t;
	int rc = vqos_sched_tree_build(p, &t, err);

	if (rc == 0)
		vqos_sched_tree_free(&t);
	return rc;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* The units of a class's rates. */
enum unit { U_BPS, U_PPS, U_CPS };

static uint64_t rate_in(const struct vqos_sched_class_params *c, enum unit u)
{
	return u == U_BPS ? c->rate_bps : u == U_PPS ? c->rate_pps : c->rate_cps;
}

/* Children's guarantees in one unit against their parents'. */
static int check_sums(const struct vqos_sched_params *p, const struct vqos_sched_tree *t,
		      uint64_t *sum, enum unit u, struct vqos_sched_error *err)
{
	static const char *const names[] = { "bit/s", "pkt/s", "cycles/s" };
	const struct vqos_sched_class_params *c = p->classes;

	memset(sum, 0, t->n * sizeof(*sum));
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t par = t->parent[i];
		uint64_t mine = rate_in(&c[i], u);
		uint64_t theirs;

		if (par == VQOS_SCHED_NONE)
			continue;
		theirs = rate_in(&c[par], u);
		sum[par] = add_sat(sum[par], mine);
		/* a guarantee is only one if the parent can pay it */
		if (theirs != 0 && sum[par] > theirs && !p->allow_overcommit)
			return vqos_sched_fail(
				err, c, i,
				"children of \"%.*s\" (id %u) are guaranteed %llu %s, "
				"over its rate %llu",
				VQOS_SCHED_NAME_MAX, c[par].name, c[par].id,
				(unsigned long long)sum[par], names[u], (unsigned long long)theirs);
	}
	return 0;
}

/*
 * A leaf below a class with a cycle rate must say what its packets cost:
 * one that costs nothing would pass the cycle buckets for free. The message
 * names the nearest such class and the leaf.
 */
static int check_costs(const struct vqos_sched_params *p, const struct vqos_sched_tree *t,
		       struct vqos_sched_error *err)
{
	const struct vqos_sched_class_params *c = p->classes;

	for (uint32_t i = 0; i < t->n; i++) {
		/* a cost model is a count of cycles, bounded so buckets stay in 63 bits */
		if (c[i].cost_pkt > VQOS_SCHED_COST_PKT_MAX ||
		    c[i].cost_byte > VQOS_SCHED_COST_BYTE_MAX)
			return vqos_sched_fail(err, c, i,
					       "cost %u cycles/packet + %u/%u cycles/byte is over "
					       "%u + %u/%u",
					       c[i].cost_pkt, c[i].cost_byte,
					       VQOS_SCHED_COST_BYTE_ONE, VQOS_SCHED_COST_PKT_MAX,
					       VQOS_SCHED_COST_BYTE_MAX, VQOS_SCHED_COST_BYTE_ONE);
		if (t->n_children[i] != 0 || c[i].cost_pkt != 0 || c[i].cost_byte != 0)
			continue;
		if (c[i].rate_cps != 0 || c[i].ceil_cps != 0)
			return vqos_sched_fail(err, c, i,
					       "a cycle rate but no cost (cost_pkt, cost_byte)");
		for (uint32_t a = t->parent[i]; a != VQOS_SCHED_NONE; a = t->parent[a])
			if (c[a].rate_cps != 0 || c[a].ceil_cps != 0)
				return vqos_sched_fail(
					err, c, a,
					"a cycle rate, but leaf \"%.*s\" (id %u) below it has no "
					"cost (cost_pkt, cost_byte)",
					VQOS_SCHED_NAME_MAX, c[i].name, c[i].id);
	}
	return 0;
}

int vqos_sched_refuse_cycles(const struct vqos_sched_params *p, const char *kind,
			     struct vqos_sched_error *err)
{
	for (uint32_t i = 0; i < p->n_classes; i++)
		/* only htb has cycle buckets: a limit the kind would ignore is refused */
		if (p->classes[i].rate_cps != 0 || p->classes[i].ceil_cps != 0)
			return vqos_sched_fail(err, p->classes, i,
					       "%s has no cycle rates (cps, ccps): use htb", kind);
	return 0;
}

int vqos_sched_check_rates(const struct vqos_sched_params *p, const struct vqos_sched_tree *t,
			   struct vqos_sched_error *err)
{
	const struct vqos_sched_class_params *c = p->classes;
	uint64_t *sum;
	int rc;

	for (uint32_t i = 0; i < t->n; i++) {
		/* a class without a rate could never send on its own */
		if (c[i].rate_bps == 0 && c[i].rate_pps == 0 && c[i].rate_cps == 0)
			return vqos_sched_fail(err, c, i,
					       "zero rate (give bit/s, pkt/s or cycles/s)");
		/* ceil is the most a class may reach by borrowing */
		if (c[i].ceil_bps != 0 && c[i].ceil_bps < c[i].rate_bps)
			return vqos_sched_fail(err, c, i, "ceil %llu bit/s below rate %llu bit/s",
					       (unsigned long long)c[i].ceil_bps,
					       (unsigned long long)c[i].rate_bps);
		if (c[i].ceil_pps != 0 && c[i].ceil_pps < c[i].rate_pps)
			return vqos_sched_fail(err, c, i, "ceil %llu pkt/s below rate %llu pkt/s",
					       (unsigned long long)c[i].ceil_pps,
					       (unsigned long long)c[i].rate_pps);
		if (c[i].ceil_cps != 0 && c[i].ceil_cps < c[i].rate_cps)
			return vqos_sched_fail(err, c, i,
					       "ceil %llu cycles/s below rate %llu cycles/s",
					       (unsigned long long)c[i].ceil_cps,
					       (unsigned long long)c[i].rate_cps);
		/* buckets count bytes x clock_hz in 63 bits */
		if (c[i].burst > VQOS_SCHED_BURST_MAX || c[i].cburst > VQOS_SCHED_BURST_MAX ||
		    c[i].burst_pkts > VQOS_SCHED_BURST_MAX ||
		    c[i].cburst_pkts > VQOS_SCHED_BURST_MAX ||
		    c[i].burst_cyc > VQOS_SCHED_BURST_MAX || c[i].cburst_cyc > VQOS_SCHED_BURST_MAX)
			return vqos_sched_fail(err, c, i, "burst over %u", VQOS_SCHED_BURST_MAX);
	}
	rc = check_costs(p, t, err);
	if (rc < 0)
		return rc;
	sum = malloc(t->n * sizeof(*sum));
	if (sum == NULL)
		return -ENOMEM;
	for (enum unit u = U_BPS; rc == 0 && u <= U_CPS; u++)
		rc = check_sums(p, t, sum, u, err);
	free(sum);
	return rc;
}

int vqos_tb_init(struct vqos_tb *tb, uint64_t rate, uint64_t depth, uint64_t debt, uint64_t hz)
{
	__int128 max = (__int128)depth * hz, min = -(__int128)(depth + debt) * hz;

	memset(tb, 0, sizeof(*tb));
	if (rate == 0)
		return 0;
	/* max - min + rate must stay below 2^63 for vqos_tb_peek */
	if (max - min + rate > INT64_MAX / 2)
		return -ERANGE;
	tb->rate = rate;
	tb->max = (int64_t)max;
	tb->min = (int64_t)min;
	tb->fill = (uint64_t)((max - min + rate - 1) / rate);
	tb->tokens = tb->max;
	return 0;
}

uint32_t vqos_sched_default_burst(uint64_t rate, uint64_t frame)
{
	uint64_t pad = rate * VQOS_SCHED_PAD_MS / 1000, b;

	if (pad < frame)
		pad = frame;
	if (pad > VQOS_SCHED_BATCH * frame)
		pad = VQOS_SCHED_BATCH * frame;
	b = rate / 1000 + pad;
	return b > VQOS_SCHED_BURST_MAX ? VQOS_SCHED_BURST_MAX : (uint32_t)b;
}

void vqos_sched_rates_of(const struct vqos_sched_class_params *c, struct vqos_sched_rates *out)
{
	out->rate[VQOS_SCHED_BPS] = c->rate_bps;
	out->rate[VQOS_SCHED_PPS] = c->rate_pps;
	out->rate[VQOS_SCHED_CPS] = c->rate_cps;
	out->ceil[VQOS_SCHED_BPS] = vqos_sched_ceil_bps(c);
	out->ceil[VQOS_SCHED_PPS] = vqos_sched_ceil_pps(c);
	out->ceil[VQOS_SCHED_CPS] = vqos_sched_ceil_cps(c);
}
