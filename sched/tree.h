/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to sched/: the shape of a validated class tree, shared by the kinds.
 */
#ifndef VQOS_SCHED_TREE_H
#define VQOS_SCHED_TREE_H

#include <stdint.h>

#include "sched/vqos_sched.h"

/** Marks "no class" in index fields. */
#define VQOS_SCHED_NONE UINT32_MAX

/** A tree as indices: built by vqos_sched_tree_build(), freed by vqos_sched_tree_free(). */
struct vqos_sched_tree {
	/** Number of classes. */
	uint32_t n;
	/** Index of the root. */
	uint32_t root;
	/** Parent index per class, VQOS_SCHED_NONE for the root. */
	uint32_t *parent;
	/** Depth per class, root 0. */
	uint8_t *depth;
	/** Number of children per class (0: a leaf). */
	uint32_t *n_children;
	/** (id, index) pairs sorted by id, for vqos_sched_tree_find(). */
	uint64_t *by_id;
};

/** Check the rules every kind shares and build @p t. Returns 0 or -EINVAL/-ENOMEM. */
int vqos_sched_tree_build(const struct vqos_sched_params *p, struct vqos_sched_tree *t,
			  struct vqos_sched_error *err);

/** Free what vqos_sched_tree_build() allocated. */
void vqos_sched_tree_free(struct vqos_sched_tree *t);

/** Index of the class with id @p id, or VQOS_SCHED_NONE. */
uint32_t vqos_sched_tree_find(const struct vqos_sched_tree *t, uint32_t id);

/** Fill @p err: class @p idx of @p classes (UINT32_MAX: none), then the message. */
int vqos_sched_fail(struct vqos_sched_error *err, const struct vqos_sched_class_params *classes,
		    uint32_t idx, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/**
 * The rate rules of the shaping kinds (htb, sched): every class has a rate in
 * bits, packets or cycles, ceil >= rate, bursts within VQOS_SCHED_BURST_MAX,
 * costs within their bounds, every leaf below a class with a cycle rate has
 * a cost model, and, unless p->allow_overcommit, the children's rates fit
 * their parent's.
 */
int vqos_sched_check_rates(const struct vqos_sched_params *p, const struct vqos_sched_tree *t,
			   struct vqos_sched_error *err);

/** Effective ceil of class @p c in bits per second (ceil_bps or rate_bps). */
static inline uint64_t vqos_sched_ceil_bps(const struct vqos_sched_class_params *c)
{
	return c->ceil_bps ? c->ceil_bps : c->rate_bps;
}

/** Effective ceil of class @p c in packets per second. */
static inline uint64_t vqos_sched_ceil_pps(const struct vqos_sched_class_params *c)
{
	return c->ceil_pps ? c->ceil_pps : c->rate_pps;
}

/** Effective ceil of class @p c in cycles per second. */
static inline uint64_t vqos_sched_ceil_cps(const struct vqos_sched_class_params *c)
{
	return c->ceil_cps ? c->ceil_cps : c->rate_cps;
}

/**
 * For the kinds without cycle buckets: refuse a tree in which a class has
 * rate_cps or ceil_cps, naming the class and @p kind. Returns 0 or -EINVAL.
 */
int vqos_sched_refuse_cycles(const struct vqos_sched_params *p, const char *kind,
			     struct vqos_sched_error *err);

/** DRR quantum of class @p c, bytes: its own, or rate / 10 bytes clamped to
 * 1600..200000, as tc's r2q does. */
static inline uint32_t vqos_sched_quantum(const struct vqos_sched_class_params *c)
{
	uint64_t q = c->rate_bps / 80;

	if (c->quantum)
		return c->quantum;
	return (uint32_t)(q < 1600 ? 1600 : q > 200000 ? 200000 : q);
}

#endif /* VQOS_SCHED_TREE_H */
