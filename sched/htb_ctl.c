/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * htb's control: building a qdisc from a checked tree, changing a class,
 * reading counters, freeing. Off the fast path; sched/htb.c has that.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "htb.h"

/* @p set if set, else htb's default for a bucket of @p rate units a second. */
static uint64_t burst_of(uint32_t set, uint64_t rate, uint64_t frame)
{
	return set ? set : vqos_sched_default_burst(rate, frame);
}

/* Buckets and read-mostly fields of class @p i from @p c; tokens start full. */
static int setup_class(struct vqos_htb *q, uint32_t i, const struct vqos_sched_class_params *c,
		       struct vqos_sched_error *err)
{
	struct htb_class *k = &q->cl[i];
	uint64_t ceil_bps = vqos_sched_ceil_bps(c), ceil_pps = vqos_sched_ceil_pps(c);
	uint64_t burst = burst_of(c->burst, c->rate_bps / 8, VQOS_SCHED_FRAME_BYTES);
	uint64_t cburst = burst_of(c->cburst, ceil_bps / 8, VQOS_SCHED_FRAME_BYTES);
	uint64_t pburst = burst_of(c->burst_pkts, c->rate_pps, 1);
	uint64_t pcburst = burst_of(c->cburst_pkts, ceil_pps, 1);
	uint64_t ceil_cps = vqos_sched_ceil_cps(c);
	uint64_t cyburst = burst_of(c->burst_cyc, c->rate_cps, k->cyc_frame);
	uint64_t cycburst = burst_of(c->cburst_cyc, ceil_cps, k->cyc_frame);

	/* a deep bucket at a huge rate may not fit 63 bits at this clock: the
	 * message names the keys of the bucket (a ceil or cpps not given is
	 * the rate's or the pps') */
	if (vqos_tb_init(&k->tb[TB_RATE], c->rate_bps, burst * 8, HTB_DEBT_BYTES * 8, q->hz))
		return vqos_sched_fail(err, q->params, i,
				       "burst too large for the rate at this clock; set burst");
	if (vqos_tb_init(&k->tb[TB_CEIL], ceil_bps, cburst * 8, HTB_DEBT_BYTES * 8, q->hz))
		return vqos_sched_fail(err, q->params, i,
				       "cburst too large for the ceil%s at this clock; set cburst",
				       c->ceil_bps ? "" : " (the rate: no ceil given)");
	if (vqos_tb_init(&k->tb[TB_PRATE], c->rate_pps, pburst, HTB_DEBT_PKTS, q->hz))
		return vqos_sched_fail(err, q->params, i,
				       "pps too high for a bucket at this clock");
	if (vqos_tb_init(&k->tb[TB_PCEIL], ceil_pps, pcburst, HTB_DEBT_PKTS, q->hz))
		return vqos_sched_fail(err, q->params, i,
				       "cpps%s too high for a bucket at this clock",
				       c->ceil_pps ? "" : " (the pps: no cpps given)");
	/* the same for cycles: a frame's cycles deep, a vring burst's debt */
	if (vqos_tb_init(&k->tb[TB_CRATE], c->rate_cps, cyburst, k->cyc_debt, q->hz))
		return vqos_sched_fail(err, q->params, i,
				       "cps too high for a bucket at this clock (or its burst)");
	if (vqos_tb_init(&k->tb[TB_CCEIL], ceil_cps, cycburst, k->cyc_debt, q->hz))
		return vqos_sched_fail(err, q->params, i,
				       "ccps%s too high for a bucket at this clock (or its burst)",
				       c->ceil_cps ? "" : " (the cps: no ccps given)");
	k->back_floor[TB_RATE] = (int64_t)HTB_BACK_BYTES * 8 * (int64_t)q->hz;
	/* below 12 Mbit/s a frame is more than 1 ms of the rate: what a
	 * class waits for (and then sends at once) is at most that, so every
	 * 1 s window carries the rate to within 0.1% and a frame */
	if (c->rate_bps / 1000 < (uint64_t)HTB_BACK_BYTES * 8)
		k->back_floor[TB_RATE] = (int64_t)(c->rate_bps / 1000 * q->hz);
	if (k->back_floor[TB_RATE] > k->tb[TB_RATE].max / 2)
		k->back_floor[TB_RATE] = k->tb[TB_RATE].max / 2;
	k->back_floor[TB_PRATE] = (int64_t)q->hz;
	if (k->back_floor[TB_PRATE] > k->tb[TB_PRATE].max / 2)
		k->back_floor[TB_PRATE] = k->tb[TB_PRATE].max / 2;
	/* a frame is at most 2.6e6 cycles (the costs' bounds): x hz fits */
	k->back_floor[TB_CRATE] = (int64_t)(k->cyc_frame * q->hz);
	if (k->back_floor[TB_CRATE] > k->tb[TB_CRATE].max / 2)
		k->back_floor[TB_CRATE] = k->tb[TB_CRATE].max / 2;
	k->cost_pkt = c->cost_pkt;
	k->cost_byte = c->cost_byte;
	k->prio = c->prio;
	k->port = c->port;
	k->quantum = vqos_sched_quantum(c);
	k->limit = c->limit ? c->limit : VQOS_SCHED_LIMIT_DEFAULT;
	return 0;
}

/* The tokens of @p old's buckets @p dt ticks after its t_c, into @p k's,
 * within each new bucket's depth and deepest debt; a bucket @p old did not
 * have starts full. Both classes count units x the same clock_hz. */
static void carry_tokens(struct htb_class *k, const struct htb_class *old, uint64_t dt)
{
	for (unsigned b = 0; b < TB_N; b++) {
		int64_t t = old->tb[b].rate ? vqos_tb_peek(&old->tb[b], dt) : k->tb[b].max;

		k->tb[b].tokens = t > k->tb[b].max ? k->tb[b].max : t;
		if (k->tb[b].tokens < k->tb[b].min)
			k->tb[b].tokens = k->tb[b].min;
	}
}

/*
 * What a full-size frame and a bucket's debt cost in cycles, per class: under
 * its own model for a leaf, under the costliest of its leaves' for an inner
 * class (its cycle buckets count every leaf's packets). Costs were checked.
 */
static void cycle_sizes(struct vqos_htb *q, const struct vqos_sched_params *p)
{
	for (uint32_t i = 0; i < q->n; i++) {
		const struct vqos_sched_class_params *c = &p->classes[i];
		uint64_t frame = vqos_sched_cost_frame(c->cost_pkt, c->cost_byte);
		uint64_t debt =
			(uint64_t)HTB_DEBT_PKTS * c->cost_pkt +
			((uint64_t)HTB_DEBT_BYTES * c->cost_byte + VQOS_SCHED_COST_BYTE_ONE - 1) /
				VQOS_SCHED_COST_BYTE_ONE;

		if (q->tree.n_children[i] != 0)
			continue;
		for (uint32_t a = i; a != VQOS_SCHED_NONE; a = q->tree.parent[a]) {
			struct htb_class *k = &q->cl[a];

			k->cyc_frame = frame > k->cyc_frame ? frame : k->cyc_frame;
			k->cyc_debt = debt > k->cyc_debt ? debt : k->cyc_debt;
		}
	}
}

static void htb_destroy(struct vqos_qdisc *qd)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;

	if (q == NULL)
		return;
	for (uint32_t i = 0; q->cl != NULL && i < q->n; i++) {
		struct htb_class *k = &q->cl[i];

		for (; k->ring != NULL && k->count > 0;
		     k->count--, k->head = (k->head + 1) & k->mask)
			q->free_pkts(&k->ring[k->head].m, 1);
		free(k->ring);
	}
	free(q->cl);
	free(q->heap);
	free(q->room);
	free(q->parked);
	free(q->params);
	vqos_sched_tree_free(&q->tree);
	free(q);
}

static void free_bulk(struct rte_mbuf **pkts, uint32_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
}

static int htb_alloc(struct vqos_htb *q, const struct vqos_sched_params *p)
{
	q->cl = calloc(q->n, sizeof(*q->cl));
	q->heap = calloc(q->n, sizeof(*q->heap));
	q->room = malloc(p->n_ports * sizeof(*q->room));
	q->parked = malloc(p->n_ports * sizeof(*q->parked));
	q->params = malloc(q->n * sizeof(*q->params));
	if (!q->cl || !q->heap || !q->room || !q->parked || !q->params)
		return -ENOMEM;
	memcpy(q->params, p->classes, q->n * sizeof(*q->params));
	for (uint32_t i = 0; i < p->n_ports; i++) {
		q->room[i] = UINT32_MAX;
		q->parked[i] = VQOS_SCHED_NONE;
	}
	return 0;
}

static int htb_create(const struct vqos_sched_params *p, struct vqos_qdisc **out,
		      struct vqos_sched_error *err)
{
	struct vqos_htb *q = calloc(1, sizeof(*q));
	int rc;

	if (q == NULL)
		return -ENOMEM;
	q->base.ops = &vqos_htb_ops;
	q->hz = p->clock_hz;
	q->n = p->n_classes;
	q->n_ports = p->n_ports;
	q->free_pkts = p->free_pkts ? p->free_pkts : free_bulk;
	rc = vqos_sched_tree_build(p, &q->tree, err);
	if (rc == 0)
		rc = vqos_sched_check_rates(p, &q->tree, err);
	if (rc == 0 && htb_alloc(q, p) < 0) {
		vqos_sched_fail(err, NULL, UINT32_MAX, "out of memory");
		rc = -ENOMEM;
	}
	if (rc == 0)
		cycle_sizes(q, p);
	for (unsigned l = 0; l < VQOS_SCHED_DEPTH_MAX; l++)
		for (unsigned j = 0; j < VQOS_SCHED_PRIO_MAX; j++)
			q->row[l][j].cur = q->row[l][j].holder = VQOS_SCHED_NONE;
	for (uint32_t i = 0; rc == 0 && i < q->n; i++) {
		struct htb_class *k = &q->cl[i];

		k->parent = q->tree.parent[i];
		k->leaf = q->tree.n_children[i] == 0;
		k->level = k->leaf ? 0 : (uint8_t)(VQOS_SCHED_DEPTH_MAX - 1 - q->tree.depth[i]);
		k->mode = HTB_CAN;
		k->heap_pos = VQOS_SCHED_NONE;
		for (unsigned j = 0; j < VQOS_SCHED_PRIO_MAX; j++)
			k->feed[j].cur = k->feed[j].holder = VQOS_SCHED_NONE;
		rc = setup_class(q, i, &p->classes[i], err);
		for (unsigned j = 0; j < VQOS_SCHED_PRIO_MAX; j++)
			k->deficit_row[j] = k->deficit_feed[j] = k->quantum;
		if (rc == 0 && k->leaf && p->mode == VQOS_SCHED_PUSH) {
			k->mask = (uint32_t)rte_align32pow2(k->limit) - 1;
			k->ring = malloc(((size_t)k->mask + 1) * sizeof(*k->ring));
			if (k->ring == NULL)
				rc = -ENOMEM;
		}
	}
	if (rc < 0) {
		htb_destroy(&q->base);
		return rc;
	}
	q->root = VQOS_SCHED_NONE;
	for (uint32_t i = 0; i < q->n; i++) {
		if (q->cl[i].parent != VQOS_SCHED_NONE)
			continue;
		if (q->root != VQOS_SCHED_NONE) {
			q->root = VQOS_SCHED_NONE; /* several roots */
			break;
		}
		q->root = i;
	}
	*out = &q->base;
	return 0;
}

static int htb_change(struct vqos_qdisc *qd, const struct vqos_sched_class_params *c, uint64_t now,
		      struct vqos_sched_error *err)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	struct vqos_sched_params p = {
		.clock_hz = q->hz,
		.n_ports = q->n_ports,
		.classes = q->params,
		.n_classes = q->n,
	};
	struct vqos_sched_class_params old;
	struct vqos_sched_tree t;
	struct htb_class *k, saved;
	uint32_t i = vqos_sched_tree_find(&q->tree, c->id);
	int rc;

	if (i == VQOS_SCHED_NONE)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "no class with id %u", c->id);
	/* the rings and the heap are sized for this tree's shape */
	if (c->parent != q->params[i].parent || c->port != q->params[i].port)
		return vqos_sched_fail(err, q->params, i, "parent and port cannot change");
	/* the cycle buckets of the whole path are sized for the leaves' models */
	if (c->cost_pkt != q->params[i].cost_pkt || c->cost_byte != q->params[i].cost_byte)
		return vqos_sched_fail(err, q->params, i,
				       "cost_pkt and cost_byte cannot change (a new qdisc)");
	k = &q->cl[i];
	old = q->params[i];
	q->params[i] = *c;
	rc = vqos_sched_tree_build(&p, &t, err);
	if (rc == 0) {
		rc = vqos_sched_check_rates(&p, &t, err);
		vqos_sched_tree_free(&t);
	}
	/* a leaf's queue is sized at create */
	if (rc == 0 && k->leaf && k->ring != NULL && c->limit > k->mask + 1)
		rc = vqos_sched_fail(err, q->params, i, "limit above %u needs a new qdisc",
				     k->mask + 1);
	vqos_htb_update(k, now);
	saved = *k;
	if (rc == 0)
		rc = setup_class(q, i, c, err);
	if (rc < 0) {
		q->params[i] = old;
		*k = saved;
		return rc;
	}
	/* keep the tokens the class had (saved is as of now); its buckets
	 * refill at the new rates from here, so an old block may be too late */
	carry_tokens(k, &saved, 0);
	k->blocked_until = 0;
	if (k->leaf && k->want && k->prio != saved.prio) {
		k->prio = saved.prio;
		vqos_htb_leaf_off(q, i);
		k->prio = c->prio;
		vqos_htb_leaf_on(q, i);
	}
	vqos_htb_set_mode(q, i, vqos_htb_mode(k));
	return 0;
}

/*
 * A split class's share moved (vqos_share): new rates and ceilings for class
 * @p i, on the lcore, between grants. As change() but without the checks
 * (the shares never add up to more than the class's, which was checked whole)
 * and without allocating: the buckets are set up again for the new rates and
 * keep their tokens; the quantum stays as built, so the DRR weights of the
 * class's siblings on this lcore do not move with the share.
 */
static int htb_retune(struct vqos_qdisc *qd, uint32_t i, const struct vqos_sched_rates *r,
		      uint64_t now)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	struct vqos_sched_class_params c;
	struct htb_class *k, saved;

	if (i >= q->n)
		return -ENOENT;
	k = &q->cl[i];
	c = q->params[i];
	/* a unit without a rate stays without (a bucket of rate 0 is none) */
	c.rate_bps = c.rate_bps ? r->rate[VQOS_SCHED_BPS] : 0;
	c.rate_pps = c.rate_pps ? r->rate[VQOS_SCHED_PPS] : 0;
	c.rate_cps = c.rate_cps ? r->rate[VQOS_SCHED_CPS] : 0;
	c.ceil_bps = vqos_sched_ceil_bps(&q->params[i]) ? r->ceil[VQOS_SCHED_BPS] : 0;
	c.ceil_pps = vqos_sched_ceil_pps(&q->params[i]) ? r->ceil[VQOS_SCHED_PPS] : 0;
	c.ceil_cps = vqos_sched_ceil_cps(&q->params[i]) ? r->ceil[VQOS_SCHED_CPS] : 0;
	vqos_htb_update(k, now);
	saved = *k;
	if (setup_class(q, i, &c, NULL) < 0) {
		*k = saved;
		return -ERANGE;
	}
	k->quantum = saved.quantum;
	q->params[i] = c;
	carry_tokens(k, &saved, 0);
	/* a block found at the old rates may end later than it now does */
	k->blocked_until = 0;
	/* the same mode too: its wake in the heap moves with the rates */
	vqos_htb_set_mode(q, i, vqos_htb_mode(k));
	return 0;
}

/*
 * The token state of @p fromd's classes into the classes of @p qd that have
 * their ids, as of @p now (see vqos_sched_ops.carry). DRR turns are not
 * carried, only what is left of them: the rings are rebuilt as leaves join.
 */
static void htb_carry(struct vqos_qdisc *qd, const struct vqos_qdisc *fromd, uint64_t now)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	const struct vqos_htb *from = (const struct vqos_htb *)fromd;

	/* tokens count units x clock_hz: another clock's are another unit */
	if (q->hz != from->hz)
		return;
	for (uint32_t i = 0; i < q->n; i++) {
		uint32_t j = vqos_sched_tree_find(&from->tree, q->params[i].id);
		struct htb_class *k = &q->cl[i];
		const struct htb_class *old;
		uint64_t t, overlimits = k->overlimits, ceil_hits = k->ceil_hits;
		uint8_t at = k->mode, m;

		if (j == VQOS_SCHED_NONE)
			continue;
		old = &from->cl[j];
		t = now > old->t_c ? now : old->t_c;
		carry_tokens(k, old, t - old->t_c);
		k->t_c = t;
		for (unsigned p = 0; p < VQOS_SCHED_PRIO_MAX; p++) {
			k->deficit_row[p] = old->deficit_row[p];
			k->deficit_feed[p] = old->deficit_feed[p];
			if (k->deficit_row[p] > k->quantum)
				k->deficit_row[p] = k->quantum;
			if (k->deficit_feed[p] > k->quantum)
				k->deficit_feed[p] = k->quantum;
		}
		/* what the leaf owes of a cycle, and the length it splits by */
		k->cyc_rem = old->cyc_rem;
		k->mean_len = old->mean_len;
		/* the way back to CAN depends on the mode it comes from */
		k->mode = old->mode;
		m = vqos_htb_mode(k);
		k->mode = at;
		vqos_htb_set_mode(q, i, m);
		/* an overlimit or ceil hit carried over is not a new one */
		k->overlimits = overlimits;
		k->ceil_hits = ceil_hits;
	}
}

static int htb_stats(struct vqos_qdisc *qd, uint32_t index, uint64_t now,
		     struct vqos_sched_class_stats *st)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	const struct htb_class *k;
	uint64_t dt;

	if (index >= q->n)
		return -ENOENT;
	k = &q->cl[index];
	dt = now > k->t_c ? now - k->t_c : 0;
	memset(st, 0, sizeof(*st));
	st->bytes = k->bytes;
	st->packets = k->packets;
	st->drops = k->drops;
	st->overlimits = k->overlimits;
	st->ceil_hits = k->ceil_hits;
	st->lends = k->lends;
	st->borrows = k->borrows;
	st->backlog_pkts = k->count;
	st->backlog_bytes = k->backlog_bytes;
	if (k->tb[TB_RATE].rate)
		st->tokens = vqos_tb_peek(&k->tb[TB_RATE], dt) / (int64_t)(8 * q->hz);
	if (k->tb[TB_CEIL].rate)
		st->ctokens = vqos_tb_peek(&k->tb[TB_CEIL], dt) / (int64_t)(8 * q->hz);
	if (k->tb[TB_PRATE].rate)
		st->ptokens = vqos_tb_peek(&k->tb[TB_PRATE], dt) / (int64_t)q->hz;
	if (k->tb[TB_PCEIL].rate)
		st->pctokens = vqos_tb_peek(&k->tb[TB_PCEIL], dt) / (int64_t)q->hz;
	if (k->tb[TB_CRATE].rate)
		st->cyc_tokens = vqos_tb_peek(&k->tb[TB_CRATE], dt) / (int64_t)q->hz;
	if (k->tb[TB_CCEIL].rate)
		st->cyc_ctokens = vqos_tb_peek(&k->tb[TB_CCEIL], dt) / (int64_t)q->hz;
	for (unsigned b = TB_CEIL; b < TB_N; b += 2) {
		int64_t t = k->tb[b].rate ? vqos_tb_peek(&k->tb[b], dt) : 0;

		st->ceil_short |= k->tb[b].rate && t < k->tb[b].max / 2;
		st->ceil_debt |= k->tb[b].rate && t < 0;
	}
	return 0;
}

const struct vqos_sched_ops vqos_htb_ops = {
	.name = "htb",
	.create = htb_create,
	.destroy = htb_destroy,
	.enqueue = vqos_htb_enqueue,
	.dequeue = vqos_htb_dequeue,
	.set_room = vqos_htb_set_room,
	.wake = vqos_htb_wake,
	.grant = vqos_htb_grant,
	.charge = vqos_htb_charge,
	.charge_count = vqos_htb_charge_count,
	.change = htb_change,
	.stats = htb_stats,
	.drain = vqos_htb_drain,
	.carry = htb_carry,
	.next_event = vqos_htb_next_event,
	.retune = htb_retune,
};
