/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sched: the class tree on DPDK's librte_sched.
 *
 * librte_sched has a fixed hierarchy: port, subport, pipe, traffic class,
 * queue. A tree maps onto it as
 *
 *     root               -> port (rate = root's ceil)
 *     inner class        -> subport (its ceil, cburst)      [trees of depth 2]
 *     leaf               -> pipe (its ceil, cburst), queue 0 of the
 *                           best-effort traffic class (TC 12)
 *     leaf limit         -> enforced by vqos, in mbufs like every kind's
 *                           (a packet counts its segments); queue size: the
 *                           largest limit + 1, to a power of 2 (librte_sched
 *                           22.11 does not free the packets of a full queue
 *                           when the port is freed, so no queue may fill)
 *     leaf aqm           -> the subport's RED or PIE
 *
 * librte_sched has no guarantee below the port: best-effort pipes of a
 * subport take turns (max-min fair up to their rates), subports take turns.
 * Prio would map to its strict traffic classes 0..11, but a pipe in TC 0
 * beside a best-effort pipe stopped all dequeuing in our DPDK 22.11 tests;
 * until that is understood vqos maps one prio. Its
 * best-effort oversubscription weights (tc_ov_weight) did not change the split
 * in our measurements with DPDK 22.11 (pipes weighted 1:2 got equal shares at
 * 10 Mbit/s and at 1 Gbit/s), so vqos does not rely on them. Only the trees on
 * which those rules give HTB's answer are taken; the others are refused with
 * the rule they break:
 *   - depth 1 or 2, every leaf at the same depth;
 *   - no packet rates (librte_sched counts bytes);
 *   - one prio for every leaf (see above);
 *   - a subport must be a plain cap, rate = ceil: subports take equal turns;
 *   - the best-effort leaves of one subport that borrow (rate < ceil) have
 *     one rate and one quantum, and its capped ones (rate = ceil) no more
 *     than that rate: then HTB's "rate, then an equal part of the spare, up
 *     to ceil" is the max-min fair split librte_sched's turns give;
 *   - one port: librte_sched dequeues in its own order and cannot hold back
 *     a full port's packets, and the data path makes one instance per lcore
 *     for all of its ports, so policy/ refuses a sched tree on two ports.
 *
 * librte_sched reads the TSC itself: `now` is ignored, and tests of this kind
 * run on real time with EAL. It frees the packets it drops, so enqueue()
 * returns n (the drops show in the counters). It says how many it queued,
 * not which: to count the mbufs of what it queued, a burst with a chained
 * packet is handed to it one packet at a time (a burst of single-segment
 * packets, the usual, whole). RED and PIE see librte_sched's queue lengths,
 * in packets: with chained packets they start dropping later than the same
 * number of mbufs would make them. Push mode only: it needs the
 * packets. change() adds a pipe profile and moves the pipe to it, at run time.
 * No drain(): librte_sched hands packets out only through its shaper. No
 * carry(): librte_sched keeps its token buckets and credits inside the port
 * and has no call to set them, so a replacing port starts full.
 *
 * Counters: stats() runs on control and telemetry threads while the lcore
 * runs the qdisc, so it only loads what the lcore stores. librte_sched's own
 * counter reads clear what they read, which a reader must not do; vqos never
 * calls them. It needs no harvest either: rte_sched_port_enqueue() returns
 * how many packets it queued and frees the ones RED or PIE dropped, so the
 * lcore counts those drops as it enqueues, exactly, in the leaf's counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_sched.h>

#include "tree.h"

/* Pipe profiles change() may add beyond those of create. */
#define SR_SPARE_PROFILES 256
#define SR_MTU		  1518
/*
 * Traffic-class credit period. The TC rates equal the pipe's and subport's
 * own (the token buckets shape), so TC credits only matter for what they
 * cost: librte_sched restarts a period when a grinder next visits, not when
 * the last one ended, and the order of visits within a period skews shares.
 * With 10 ms periods two equal pipes got 3.8 and 4.8 Mbit/s of 9; with 100 ms
 * they got 4.5 and 4.46 (tests/sched/test_sched_rte.c).
 */
#define SR_TC_PERIOD_MS 100

/*
 * A leaf's place and counters. The counters have one writer, the lcore, which
 * stores them with SR_COUNT(); stats() loads them relaxed from any thread
 * (dp: rw, ctl: ro). A reader sees each one whole, not all of them at one
 * instant.
 */
struct sr_leaf {
	uint32_t subport, pipe, tc;
	uint32_t limit; /* mbufs */
	uint32_t qlen;	/* packets queued (by our count) */
	uint32_t segs;	/* mbufs queued, by our count (dp only) */
	uint64_t bytes, packets;
	uint64_t drops; /* at our limit and by RED/PIE */
};

struct vqos_sched_rte {
	struct vqos_qdisc base;
	struct rte_sched_port *port;
	uint32_t n, n_subports, n_pipes, pipe_log2;
	uint32_t room;
	uint32_t queued;      /* packets librte_sched holds (lcore only) */
	int32_t n_profiles;   /* pipe profiles per subport so far */
	uint32_t *leaf_of;    /* [subport << pipe_log2 | pipe] -> class index */
	uint32_t *subport_of; /* per class: its subport (inner) or VQOS_SCHED_NONE */
	struct sr_leaf *leaf; /* per class */
	uint32_t leaf_depth;  /* 1: the root is the one subport; 2: its children are */
	bool pie;	      /* PIE needs every traffic class's queue */
	uint16_t qsize[RTE_SCHED_TRAFFIC_CLASSES_PER_PIPE];
	struct rte_sched_pipe_params *profiles; /* every profile added, for change() */
	struct vqos_sched_class_params *params;
	struct vqos_sched_tree tree;
};

/* Add @p v to a counter of the lcore's: its only writer, so the plain load
 * is its own last value, and the relaxed store publishes the sum whole. */
#define SR_COUNT(field, v) __atomic_store_n(&(field), (field) + (v), __ATOMIC_RELAXED)

/* librte_sched checks credits only when a grinder visits the pipe: a bucket
 * of 10 ms (not tc's 1 ms) keeps it from losing rate between visits. */
static uint64_t burst_or(uint64_t burst, uint64_t rate_bps)
{
	return burst ? burst : rate_bps / 800 + SR_MTU;
}

/* librte_sched wants every period to carry at least one MTU. */
static uint64_t period_ms(uint64_t rate_bps)
{
	uint64_t need = (uint64_t)SR_MTU * 8 * 1000 / (rate_bps ? rate_bps : 1) + 1;

	return need > SR_TC_PERIOD_MS ? need : SR_TC_PERIOD_MS;
}

/* The rules of the file comment, one `if` each. */
static int sr_check(struct vqos_sched_rte *s, const struct vqos_sched_params *p,
		    struct vqos_sched_error *err)
{
	const struct vqos_sched_class_params *c = p->classes;
	const struct vqos_sched_tree *t = &s->tree;
	uint32_t *first_be, first_leaf = VQOS_SCHED_NONE;
	int rc = 0;

	/* one instance per port: see the file comment */
	if (p->n_ports != 1)
		return vqos_sched_fail(err, NULL, UINT32_MAX,
				       "sched serves one port (one instance per port)");
	/* librte_sched needs the packets */
	if (p->mode != VQOS_SCHED_PUSH)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "sched works in push mode only");
	for (uint32_t i = 0; i < t->n; i++) {
		if (c[i].rate_pps || c[i].ceil_pps)
			return vqos_sched_fail(err, c, i, "librte_sched shapes bytes, not packets");
		/* see the file comment: one prio, best effort */
		if (t->n_children[i] == 0 && first_leaf == VQOS_SCHED_NONE)
			first_leaf = i;
		if (t->n_children[i] == 0 && c[i].prio != c[first_leaf].prio)
			return vqos_sched_fail(err, c, i,
					       "prio %u beside prio %u: vqos maps one prio onto "
					       "librte_sched (best effort)",
					       c[i].prio, c[first_leaf].prio);
		if (t->n_children[i] == 0 && s->leaf_depth == 0)
			s->leaf_depth = t->depth[i];
	}
	/* per subport: its first best-effort leaf that borrows (rate < ceil) */
	first_be = malloc(t->n * sizeof(*first_be));
	if (first_be == NULL)
		return -ENOMEM;
	memset(first_be, 0xff, t->n * sizeof(*first_be));
	for (uint32_t i = 0; i < t->n; i++)
		if (t->n_children[i] == 0 && vqos_sched_ceil_bps(&c[i]) != c[i].rate_bps &&
		    first_be[t->parent[i]] == VQOS_SCHED_NONE)
			first_be[t->parent[i]] = i;
	for (uint32_t i = 0; rc == 0 && i < t->n; i++) {
		bool leaf = t->n_children[i] == 0;
		uint32_t par = t->parent[i], f = par != VQOS_SCHED_NONE ? first_be[par] : 0;
		bool cap = vqos_sched_ceil_bps(&c[i]) == c[i].rate_bps;

		/* port, subport, pipe: nothing deeper, and pipes at one level */
		if (leaf &&
		    (t->depth[i] != s->leaf_depth || s->leaf_depth == 0 || s->leaf_depth > 2))
			rc = vqos_sched_fail(err, c, i,
					     "leaf at depth %u: librte_sched needs every leaf at "
					     "depth 1 or every leaf at depth 2",
					     t->depth[i]);
		/* subports take equal turns: no borrowing between them */
		else if (i != t->root && !leaf && !cap)
			rc = vqos_sched_fail(
				err, c, i,
				"a subport must have rate = ceil on librte_sched (only "
				"leaves borrow)");
		/* a pipe or subport faster than what holds it: librte_sched refuses it */
		else if (i != t->root && vqos_sched_ceil_bps(&c[i]) > vqos_sched_ceil_bps(&c[par]))
			rc = vqos_sched_fail(err, c, i, "ceil above its parent's ceil");
		else if (!leaf || f == VQOS_SCHED_NONE)
			continue;
		/* equal turns give HTB's split only to equal borrowers, and leave
		 * a cap its rate only if it is no more than theirs */
		else if (!cap && (c[i].rate_bps != c[f].rate_bps ||
				  vqos_sched_quantum(&c[i]) != vqos_sched_quantum(&c[f])))
			rc = vqos_sched_fail(err, c, i,
					     "rate or quantum differs from \"%.*s\": best-effort "
					     "pipes of a subport take equal turns on librte_sched",
					     VQOS_SCHED_NAME_MAX, c[f].name);
		else if (cap && c[i].rate_bps > c[f].rate_bps)
			rc = vqos_sched_fail(
				err, c, i,
				"a best-effort cap above the rate of \"%.*s\", which "
				"borrows, would lose to it in librte_sched's equal turns",
				VQOS_SCHED_NAME_MAX, c[f].name);
	}
	free(first_be);
	return rc;
}

static void sr_pipe_profile(const struct vqos_sched_class_params *c, const uint16_t *qsize,
			    struct rte_sched_pipe_params *pp)
{
	uint64_t ceil = vqos_sched_ceil_bps(c);

	memset(pp, 0, sizeof(*pp));
	pp->tb_rate = ceil / 8;
	pp->tb_size = burst_or(c->cburst, ceil);
	pp->tc_period = period_ms(ceil);
	for (unsigned t = 0; t < RTE_SCHED_TRAFFIC_CLASSES_PER_PIPE; t++)
		pp->tc_rate[t] = qsize[t] ? pp->tb_rate : 0;
	pp->tc_ov_weight = 1; /* equal turns: see the file comment */
	for (unsigned q = 0; q < RTE_SCHED_BE_QUEUES_PER_PIPE; q++)
		pp->wrr_weights[q] = 1;
}

static void sr_destroy(struct vqos_qdisc *q)
{
	struct vqos_sched_rte *s = (struct vqos_sched_rte *)q;

	if (s == NULL)
		return;
	rte_sched_port_free(s->port);
	free(s->leaf_of);
	free(s->subport_of);
	free(s->leaf);
	free(s->profiles);
	free(s->params);
	vqos_sched_tree_free(&s->tree);
	free(s);
}

/* Congestion management, from the leaves' aqm: one scheme per port. */
static int sr_cman(const struct vqos_sched_class_params *c, const struct vqos_sched_tree *t,
		   struct rte_sched_cman_params *cm, bool *on, struct vqos_sched_error *err)
{
	uint8_t mode = VQOS_AQM_TAIL;

	for (uint32_t i = 0; i < t->n; i++) {
		if (t->n_children[i] != 0 || c[i].aqm == VQOS_AQM_TAIL)
			continue;
		/* librte_sched runs one scheme per subport */
		if (mode != VQOS_AQM_TAIL && c[i].aqm != mode)
			return vqos_sched_fail(err, c, i, "RED and PIE cannot mix on librte_sched");
		if (c[i].aqm > VQOS_AQM_PIE)
			return vqos_sched_fail(err, c, i, "unknown aqm %u", c[i].aqm);
		mode = c[i].aqm;
	}
	memset(cm, 0, sizeof(*cm));
	*on = mode != VQOS_AQM_TAIL;
	cm->cman_mode = mode == VQOS_AQM_PIE ? RTE_SCHED_CMAN_PIE : RTE_SCHED_CMAN_RED;
	return 0;
}

/* RED from a quarter to half of the queue, earlier for worse colours; PIE
 * with librte_sched's example values (15 ms target) and the queue as tail. */
static void sr_cman_thresholds(const struct vqos_sched_rte *s, struct rte_sched_cman_params *cm)
{
	for (unsigned tc = 0; tc < RTE_SCHED_TRAFFIC_CLASSES_PER_PIPE; tc++) {
		uint16_t qs = s->qsize[tc];

		if (cm->cman_mode == RTE_SCHED_CMAN_PIE) {
			cm->pie_params[tc] = (struct rte_pie_params){ .qdelay_ref = 15,
								      .dp_update_interval = 15,
								      .max_burst = 150,
								      .tailq_th = qs };
			continue;
		}
		for (unsigned col = 0; qs >= 8 && col < RTE_COLORS; col++)
			cm->red_params[tc][col] = (struct rte_red_params){
				.min_th = (uint16_t)(qs / 4 / (col + 1)),
				.max_th = (uint16_t)(qs / 2 / (col + 1)),
				.maxp_inv = 10,
				.wq_log2 = 9,
			};
	}
}

/* Class -> subport, queue sizes and the widest pipe fan-out. */
static void sr_shape(struct vqos_sched_rte *s, const struct vqos_sched_class_params *c,
		     uint32_t *max_pipes)
{
	const struct vqos_sched_tree *t = &s->tree;
	uint32_t limit = 0;

	*max_pipes = 1;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t lim = c[i].limit ? c[i].limit : VQOS_SCHED_LIMIT_DEFAULT;

		s->subport_of[i] = VQOS_SCHED_NONE;
		if (t->n_children[i] == 0) {
			limit = lim > limit ? lim : limit;
			s->qsize[RTE_SCHED_TRAFFIC_CLASS_BE] = 1;
		} else if (t->depth[i] + 1u == s->leaf_depth) {
			s->subport_of[i] = s->n_subports++;
			if (t->n_children[i] > *max_pipes)
				*max_pipes = t->n_children[i];
		}
	}
	limit = rte_align32pow2(limit > 32767 ? 32768 : limit + 1);
	s->qsize[RTE_SCHED_TRAFFIC_CLASS_BE] = 1;
	for (unsigned tc = 0; tc < RTE_SCHED_TRAFFIC_CLASSES_PER_PIPE; tc++)
		s->qsize[tc] = s->qsize[tc] || s->pie ? (uint16_t)limit : 0;
	s->n_pipes = rte_align32pow2(*max_pipes);
	s->pipe_log2 = (uint32_t)__builtin_ctz(s->n_pipes);
	s->n_subports = rte_align32pow2(s->n_subports);
}

/* A subport's profile: its ceil and cburst. */
static void sr_subport_profile(const struct vqos_sched_class_params *c,
			       struct rte_sched_subport_profile_params *sp)
{
	uint64_t ceil = vqos_sched_ceil_bps(c);

	memset(sp, 0, sizeof(*sp));
	sp->tb_rate = ceil / 8;
	sp->tb_size = burst_or(c->cburst, ceil);
	sp->tc_period = period_ms(ceil);
	for (unsigned tc = 0; tc < RTE_SCHED_TRAFFIC_CLASSES_PER_PIPE; tc++)
		sp->tc_rate[tc] = ceil / 8;
}

/* Subports and their pipes, all of them: librte_sched walks every one.
 * librte_sched frees the port itself on some of its errors, so after a
 * failed subport or pipe call the port is forgotten (leaked, not freed
 * twice); the checks above keep those calls from failing. */
static int sr_build(struct vqos_sched_rte *s, const struct vqos_sched_params *p,
		    struct vqos_sched_error *err)
{
	const struct vqos_sched_class_params *c = p->classes;
	const struct vqos_sched_tree *t = &s->tree;
	struct rte_sched_subport_profile_params *sprof;
	struct rte_sched_subport_params sp;
	struct rte_sched_cman_params cm;
	struct rte_sched_port_params pp;
	uint32_t *next_pipe, max_pipes;
	bool cman_on = false;
	int rc;

	rc = sr_cman(c, t, &cm, &cman_on, err);
	if (rc < 0)
		return rc;
	s->pie = cman_on && cm.cman_mode == RTE_SCHED_CMAN_PIE;
	sr_shape(s, c, &max_pipes);
	sr_cman_thresholds(s, &cm);
	sprof = calloc(s->n_subports, sizeof(*sprof));
	next_pipe = calloc(s->n_subports, sizeof(*next_pipe));
	s->profiles = calloc(t->n + 1 + SR_SPARE_PROFILES, sizeof(*s->profiles));
	s->leaf_of = malloc(((size_t)s->n_subports << s->pipe_log2) * sizeof(*s->leaf_of));
	if (!sprof || !next_pipe || !s->profiles || !s->leaf_of) {
		rc = -ENOMEM;
		goto out;
	}
	memset(s->leaf_of, 0xff, ((size_t)s->n_subports << s->pipe_log2) * sizeof(*s->leaf_of));
	for (uint32_t i = 0; i < t->n; i++)
		if (s->subport_of[i] != VQOS_SCHED_NONE)
			sr_subport_profile(&c[i], &sprof[s->subport_of[i]]);
	/* unused subports (up to a power of 2) idle on the first one's profile */
	for (uint32_t sub = 0; sub < s->n_subports; sub++)
		if (sprof[sub].tb_rate == 0)
			sprof[sub] = sprof[0];
	/* profile 0 is the idle pipes'; leaf i uses profile i + 1; inner
	 * classes' slots hold idle copies, since every profile is checked */
	sr_pipe_profile(&c[t->root], s->qsize, &s->profiles[0]);
	s->profiles[0].tb_rate = s->profiles[0].tb_rate / s->n_pipes + 1;
	for (unsigned tc = 0; tc < RTE_SCHED_TRAFFIC_CLASSES_PER_PIPE; tc++)
		s->profiles[0].tc_rate[tc] = s->qsize[tc] ? s->profiles[0].tb_rate : 0;
	for (uint32_t i = 0; i < t->n; i++) {
		s->profiles[i + 1] = s->profiles[0];
		if (t->n_children[i] == 0)
			sr_pipe_profile(&c[i], s->qsize, &s->profiles[i + 1]);
	}
	s->n_profiles = (int32_t)(t->n + 1);

	memset(&pp, 0, sizeof(pp));
	pp.name = "vqos_sched";
	pp.socket = (int)rte_socket_id() < 0 ? 0 : (int)rte_socket_id();
	pp.rate = vqos_sched_ceil_bps(&c[t->root]) / 8;
	pp.mtu = SR_MTU;
	pp.frame_overhead = 0; /* shares are counted on pkt_len, as htb does */
	pp.n_subports_per_port = s->n_subports;
	pp.subport_profiles = sprof;
	pp.n_subport_profiles = s->n_subports;
	pp.n_max_subport_profiles = s->n_subports;
	pp.n_pipes_per_subport = s->n_pipes;
	s->port = rte_sched_port_config(&pp);
	if (s->port == NULL) {
		rc = vqos_sched_fail(err, NULL, UINT32_MAX, "rte_sched_port_config failed");
		goto out;
	}
	memset(&sp, 0, sizeof(sp));
	sp.n_pipes_per_subport_enabled = s->n_pipes;
	memcpy(sp.qsize, s->qsize, sizeof(sp.qsize));
	sp.pipe_profiles = s->profiles;
	sp.n_pipe_profiles = t->n + 1;
	sp.n_max_pipe_profiles = t->n + 1 + SR_SPARE_PROFILES;
	sp.cman_params = cman_on ? &cm : NULL;
	for (uint32_t sub = 0; rc == 0 && sub < s->n_subports; sub++) {
		rc = rte_sched_subport_config(s->port, sub, &sp, sub);
		if (rc == 0)
			rc = rte_sched_subport_tc_ov_config(s->port, sub, true);
		for (uint32_t pipe = 0; rc == 0 && pipe < s->n_pipes; pipe++)
			rc = rte_sched_pipe_config(s->port, sub, pipe, 0);
	}
	for (uint32_t i = 0; rc == 0 && i < t->n; i++) {
		struct sr_leaf *l = &s->leaf[i];

		if (t->n_children[i] != 0)
			continue;
		l->subport = s->subport_of[t->parent[i]];
		l->pipe = next_pipe[l->subport]++;
		l->tc = RTE_SCHED_TRAFFIC_CLASS_BE;
		l->limit = c[i].limit ? c[i].limit : VQOS_SCHED_LIMIT_DEFAULT;
		s->leaf_of[l->subport << s->pipe_log2 | l->pipe] = i;
		rc = rte_sched_pipe_config(s->port, l->subport, l->pipe, (int32_t)i + 1);
	}
	if (rc != 0) {
		s->port = NULL;
		rc = vqos_sched_fail(err, NULL, UINT32_MAX, "librte_sched refused the mapping (%d)",
				     rc);
	}
out:
	free(sprof);
	free(next_pipe);
	return rc;
}

static int sr_create(const struct vqos_sched_params *p, struct vqos_qdisc **out,
		     struct vqos_sched_error *err)
{
	struct vqos_sched_rte *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return -ENOMEM;
	if (err != NULL)
		err->msg[0] = '\0';
	s->base.ops = &vqos_sched_rte_ops;
	s->room = UINT32_MAX;
	rc = vqos_sched_tree_build(p, &s->tree, err);
	if (rc == 0)
		rc = vqos_sched_refuse_cycles(p, "sched (librte_sched)", err);
	if (rc == 0)
		rc = vqos_sched_check_rates(p, &s->tree, err);
	if (rc == 0)
		rc = sr_check(s, p, err);
	if (rc == 0) {
		s->n = p->n_classes;
		s->leaf = calloc(s->n, sizeof(*s->leaf));
		s->subport_of = calloc(s->n, sizeof(*s->subport_of));
		s->params = malloc(s->n * sizeof(*s->params));
		rc = s->leaf && s->subport_of && s->params ? 0 : -ENOMEM;
	}
	if (rc == 0) {
		memcpy(s->params, p->classes, s->n * sizeof(*s->params));
		rc = sr_build(s, p, err);
	}
	if (rc < 0) {
		sr_destroy(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

static uint32_t sr_enqueue(struct vqos_qdisc *q, uint32_t leaf, struct rte_mbuf **pkts, uint32_t n,
			   uint64_t now)
{
	struct vqos_sched_rte *s = (struct vqos_sched_rte *)q;
	uint32_t fit = 0, kept = 0, fit_segs = 0, segs = 0;
	bool chained = false;
	struct sr_leaf *l;

	q->kept_segs = 0;
	if (leaf >= s->n || s->tree.n_children[leaf] != 0)
		return 0;
	l = &s->leaf[leaf];
	/* our limit, in mbufs as htb's: what fits in front, the rest behind */
	for (uint32_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if ((uint64_t)l->segs + fit_segs + m->nb_segs > l->limit)
			continue;
		fit_segs += m->nb_segs;
		chained |= m->nb_segs > 1;
		rte_sched_port_pkt_write(s->port, m, l->subport, l->pipe, l->tc, 0,
					 RTE_COLOR_GREEN);
		pkts[i] = pkts[fit];
		pkts[fit++] = m;
	}
	/* RED and PIE drops are freed by librte_sched, which says how many it
	 * kept but not which: one at a time when their segments differ */
	if (!chained) {
		kept = (uint32_t)rte_sched_port_enqueue(s->port, pkts, fit);
		segs = kept;
	}
	for (uint32_t i = 0; chained && i < fit; i++) {
		uint16_t nb_segs = pkts[i]->nb_segs;

		if (rte_sched_port_enqueue(s->port, &pkts[i], 1) == 1) {
			kept++;
			segs += nb_segs;
		}
	}
	l->segs += segs;
	q->kept_segs = segs;
	SR_COUNT(l->qlen, kept);
	s->queued += kept;
	SR_COUNT(l->drops, n - kept);
	rte_pktmbuf_free_bulk(pkts + fit, n - fit);
	return n;
}

static uint32_t sr_dequeue(struct vqos_qdisc *q, uint64_t now, struct rte_mbuf **pkts,
			   uint32_t *leaves, uint32_t n)
{
	struct vqos_sched_rte *s = (struct vqos_sched_rte *)q;
	int got;

	if (n > s->room)
		n = s->room;
	got = rte_sched_port_dequeue(s->port, pkts, n);
	for (int i = 0; i < got; i++) {
		uint32_t sub, pipe, tc, queue, leaf;

		rte_sched_port_pkt_read_tree_path(s->port, pkts[i], &sub, &pipe, &tc, &queue);
		leaf = s->leaf_of[sub << s->pipe_log2 | pipe];
		SR_COUNT(s->leaf[leaf].packets, 1);
		SR_COUNT(s->leaf[leaf].qlen, -1);
		s->leaf[leaf].segs -= pkts[i]->nb_segs;
		SR_COUNT(s->leaf[leaf].bytes, rte_pktmbuf_pkt_len(pkts[i]));
		if (leaves != NULL)
			leaves[i] = leaf;
	}
	if (s->room != UINT32_MAX)
		s->room -= (uint32_t)got;
	s->queued -= (uint32_t)got;
	return (uint32_t)got;
}

/* librte_sched does not say when its token buckets refill: while it holds
 * packets for a port with room, the data path polls. */
static uint64_t sr_next_event(const struct vqos_qdisc *q, uint64_t now)
{
	const struct vqos_sched_rte *s = (const struct vqos_sched_rte *)q;

	return s->queued > 0 && s->room > 0 ? now : UINT64_MAX;
}

static void sr_set_room(struct vqos_qdisc *q, uint32_t port, uint32_t room)
{
	struct vqos_sched_rte *s = (struct vqos_sched_rte *)q;

	if (port == 0)
		s->room = room;
}

/* Pull mode is refused at create: these only keep the table complete. */
static void sr_wake(struct vqos_qdisc *q, uint32_t leaf)
{
}

static int sr_grant(struct vqos_qdisc *q, uint64_t now, uint32_t max_pkts,
		    struct vqos_sched_grant *g)
{
	return 0;
}

static uint32_t sr_charge(struct vqos_qdisc *q, const struct vqos_sched_grant *g,
			  struct rte_mbuf **pkts, uint32_t n, uint64_t now, bool more)
{
	return n;
}

static void sr_charge_count(struct vqos_qdisc *q, const struct vqos_sched_grant *g, uint32_t pkts,
			    uint64_t bytes, uint64_t now, bool more)
{
}

/* The profile id of @p pp for @p subport: an equal one already added, else a
 * new one. librte_sched refuses a duplicate, and frees the port when it does. */
static int sr_profile_id(struct vqos_sched_rte *s, uint32_t subport,
			 const struct rte_sched_pipe_params *pp, uint32_t *id)
{
	int rc;

	for (int32_t k = 0; k < s->n_profiles; k++) {
		if (memcmp(&s->profiles[k], pp, sizeof(*pp)) == 0) {
			*id = (uint32_t)k;
			return 0;
		}
	}
	if (s->n_profiles >= (int32_t)(s->tree.n + 1 + SR_SPARE_PROFILES))
		return -ENOSPC;
	/* every subport gets every profile, so that ids agree */
	for (uint32_t sub = 0; sub < s->n_subports; sub++) {
		rc = rte_sched_subport_pipe_profile_add(s->port, sub,
							(struct rte_sched_pipe_params *)pp, id);
		if (rc != 0) {
			s->port = NULL;
			return rc;
		}
	}
	s->profiles[s->n_profiles++] = *pp;
	return 0;
}

/* A leaf's rate, ceil and cburst, at run time: a pipe profile. */
static int sr_change(struct vqos_qdisc *q, const struct vqos_sched_class_params *c, uint64_t now,
		     struct vqos_sched_error *err)
{
	struct vqos_sched_rte *s = (struct vqos_sched_rte *)q;
	struct vqos_sched_params p = {
		.clock_hz = 1, .n_ports = 1, .classes = s->params, .n_classes = s->n
	};
	struct vqos_sched_rte check = { 0 };
	struct vqos_sched_class_params old;
	struct rte_sched_pipe_params pp;
	uint32_t i = vqos_sched_tree_find(&s->tree, c->id), profile;
	int rc;

	if (i == VQOS_SCHED_NONE)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "no class with id %u", c->id);
	/* a leaf's pipe keeps its place; subports are set at create */
	if (s->port == NULL || s->tree.n_children[i] != 0 || c->parent != s->params[i].parent ||
	    c->prio != s->params[i].prio)
		return vqos_sched_fail(err, s->params, i,
				       "only a leaf's rate, ceil and cburst change at run time");
	old = s->params[i];
	s->params[i] = *c;
	rc = vqos_sched_tree_build(&p, &check.tree, err);
	if (rc == 0)
		rc = vqos_sched_refuse_cycles(&p, "sched (librte_sched)", err);
	if (rc == 0)
		rc = vqos_sched_check_rates(&p, &check.tree, err);
	if (rc == 0)
		rc = sr_check(&check, &p, err);
	vqos_sched_tree_free(&check.tree);
	if (rc < 0) {
		s->params[i] = old;
		return rc;
	}
	sr_pipe_profile(c, s->qsize, &pp);
	rc = sr_profile_id(s, s->leaf[i].subport, &pp, &profile);
	if (rc == 0)
		rc = rte_sched_pipe_config(s->port, s->leaf[i].subport, s->leaf[i].pipe,
					   (int32_t)profile);
	if (rc != 0) {
		s->params[i] = old;
		return vqos_sched_fail(err, s->params, i, "librte_sched refused the profile (%d)",
				       rc);
	}
	return 0;
}

/* Add the counters of leaf @p l to @p st; loads only, see "Counters" in the
 * file comment. */
static void sr_load(const struct sr_leaf *l, struct vqos_sched_class_stats *st)
{
	st->bytes += __atomic_load_n(&l->bytes, __ATOMIC_RELAXED);
	st->packets += __atomic_load_n(&l->packets, __ATOMIC_RELAXED);
	st->drops += __atomic_load_n(&l->drops, __ATOMIC_RELAXED);
}

static int sr_stats(struct vqos_qdisc *q, uint32_t index, uint64_t now,
		    struct vqos_sched_class_stats *st)
{
	const struct vqos_sched_rte *s = (const struct vqos_sched_rte *)q;
	const struct vqos_sched_tree *t = &s->tree;

	if (index >= s->n)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	if (t->n_children[index] == 0) {
		sr_load(&s->leaf[index], st);
		st->backlog_pkts = __atomic_load_n(&s->leaf[index].qlen, __ATOMIC_RELAXED);
		return 0;
	}
	/* inner classes: the sum of their leaves */
	for (uint32_t k = 0; k < s->n; k++)
		for (uint32_t a = t->parent[k]; t->n_children[k] == 0 && a != VQOS_SCHED_NONE;
		     a = t->parent[a])
			if (a == index)
				sr_load(&s->leaf[k], st);
	return 0;
}

const struct vqos_sched_ops vqos_sched_rte_ops = {
	.name = "sched",
	.create = sr_create,
	.destroy = sr_destroy,
	.enqueue = sr_enqueue,
	.dequeue = sr_dequeue,
	.set_room = sr_set_room,
	.wake = sr_wake,
	.grant = sr_grant,
	.charge = sr_charge,
	.charge_count = sr_charge_count,
	.change = sr_change,
	.stats = sr_stats,
	.next_event = sr_next_event,
};
