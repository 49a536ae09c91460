/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * police: a librte_meter meter per leaf in front of a fifo, what OVS-DPDK
 * offers as its policers.
 *
 * Every packet of a leaf is coloured by the leaf's meter, colour blind:
 * srTCM (RFC 2697), trTCM (RFC 2698) or RFC 4115's trTCM. Red packets are
 * dropped, or, when the leaf says mark, kept with the colour written into the
 * mbuf's sched field (rte_mbuf_sched_color_set) for a later hop to act on.
 * Green and yellow packets pass. Nothing is shaped: conforming packets go on
 * at once (push: through the fifo; pull: right after charge()).
 *
 * Parameters, in the class's own fields (bits per second, bytes):
 *   srTCM:    CIR = rate, CBS = burst, EBS = cburst (0: no yellow)
 *   trTCM:    CIR = rate, CBS = burst, PIR = ceil (0: rate), PBS = cburst (0: burst)
 *   RFC 4115: CIR = rate, CBS = burst, EIR = ceil (0: no excess), EBS = cburst
 *
 * librte_meter counts time in TSC cycles of rte_get_tsc_hz(); `now` is
 * converted from the caller's clock_hz when the two differ. The meters'
 * clocks start at the first packet, not at create, so a caller's clock may
 * start anywhere.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_meter.h>

#include "fifo.h"

struct police_meter {
	union {
		struct rte_meter_srtcm sr;
		struct rte_meter_trtcm tr;
		struct rte_meter_trtcm_rfc4115 rfc;
	} m;
	union {
		struct rte_meter_srtcm_profile sr;
		struct rte_meter_trtcm_profile tr;
		struct rte_meter_trtcm_rfc4115_profile rfc;
	} p;
	uint8_t alg;
	uint8_t mark;
	uint8_t started;
};

struct vqos_police {
	struct vqos_fifo fifo; /* first: the fifo ops work on a police qdisc */
	uint64_t clock_hz, tsc_hz;
	struct police_meter *meter; /* per class; used by leaves */
};

static uint64_t burst_or(uint64_t burst, uint64_t rate_bps)
{
	return burst ? burst : rate_bps / 8000 + 1600;
}

/* Profile of leaf @p i from its params. */
static int police_profile(struct vqos_police *p, uint32_t i,
			  const struct vqos_sched_class_params *c, struct vqos_sched_error *err)
{
	struct police_meter *pm = &p->meter[i];
	uint64_t cir = c->rate_bps / 8, cbs = burst_or(c->burst, c->rate_bps);
	int rc = -EINVAL;

	/* the committed rate is what the policer enforces */
	if (c->rate_bps == 0)
		return vqos_sched_fail(err, p->fifo.params, i, "zero rate (the policer's CIR)");
	pm->alg = c->meter;
	pm->mark = c->mark;
	pm->started = 0;
	switch (c->meter) {
	case VQOS_METER_SRTCM: {
		struct rte_meter_srtcm_params sp = { .cir = cir, .cbs = cbs, .ebs = c->cburst };

		rc = rte_meter_srtcm_profile_config(&pm->p.sr, &sp);
		if (rc == 0)
			rc = rte_meter_srtcm_config(&pm->m.sr, &pm->p.sr);
		break;
	}
	case VQOS_METER_TRTCM: {
		struct rte_meter_trtcm_params tp = {
			.cir = cir,
			.pir = vqos_sched_ceil_bps(c) / 8,
			.cbs = cbs,
			.pbs = c->cburst ? c->cburst : cbs,
		};

		/* RFC 2698: PIR >= CIR */
		if (c->ceil_bps != 0 && c->ceil_bps < c->rate_bps)
			return vqos_sched_fail(err, p->fifo.params, i,
					       "ceil (PIR) %llu bit/s below rate (CIR) %llu bit/s",
					       (unsigned long long)c->ceil_bps,
					       (unsigned long long)c->rate_bps);
		rc = rte_meter_trtcm_profile_config(&pm->p.tr, &tp);
		if (rc == 0)
			rc = rte_meter_trtcm_config(&pm->m.tr, &pm->p.tr);
		break;
	}
	case VQOS_METER_RFC4115: {
		struct rte_meter_trtcm_rfc4115_params rp = {
			.cir = cir, .eir = c->ceil_bps / 8, .cbs = cbs, .ebs = c->cburst
		};

		/* RFC 4115: an excess rate needs an excess bucket */
		if (c->ceil_bps != 0 && c->cburst == 0)
			return vqos_sched_fail(err, p->fifo.params, i,
					       "ceil (EIR) needs cburst (EBS)");
		rc = rte_meter_trtcm_rfc4115_profile_config(&pm->p.rfc, &rp);
		if (rc == 0)
			rc = rte_meter_trtcm_rfc4115_config(&pm->m.rfc, &pm->p.rfc);
		break;
	}
	default:
		return vqos_sched_fail(err, p->fifo.params, i, "unknown meter %u", c->meter);
	}
	if (rc != 0)
		return vqos_sched_fail(err, p->fifo.params, i, "librte_meter refused it (%d)", rc);
	return 0;
}

static void police_destroy(struct vqos_qdisc *q)
{
	struct vqos_police *p = (struct vqos_police *)q;

	if (p == NULL)
		return;
	vqos_fifo_fini(&p->fifo);
	free(p->meter);
	free(p);
}

static int police_create(const struct vqos_sched_params *prm, struct vqos_qdisc **out,
			 struct vqos_sched_error *err)
{
	struct vqos_police *p;
	int rc = vqos_sched_refuse_cycles(prm, "police", err);

	if (rc < 0)
		return rc;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->fifo.base.ops = &vqos_police_ops;
	p->clock_hz = prm->clock_hz;
	p->tsc_hz = rte_get_tsc_hz();
	rc = vqos_fifo_init(&p->fifo, prm, err);
	/* the meters count time in TSC cycles */
	if (rc == 0 && p->tsc_hz == 0)
		rc = vqos_sched_fail(err, NULL, UINT32_MAX, "rte_get_tsc_hz() is 0: no EAL");
	if (rc == 0) {
		p->meter = calloc(prm->n_classes, sizeof(*p->meter));
		if (p->meter == NULL)
			rc = -ENOMEM;
	}
	for (uint32_t i = 0; rc == 0 && i < prm->n_classes; i++)
		if (p->fifo.cl[i].leaf)
			rc = police_profile(p, i, &prm->classes[i], err);
	if (rc < 0) {
		police_destroy(&p->fifo.base);
		return rc;
	}
	*out = &p->fifo.base;
	return 0;
}

static uint64_t meter_time(const struct vqos_police *p, uint64_t now)
{
	if (p->clock_hz == p->tsc_hz)
		return now;
	return (uint64_t)((unsigned __int128)now * p->tsc_hz / p->clock_hz);
}

static enum rte_color meter(struct police_meter *pm, uint64_t t, uint32_t len)
{
	/* librte_meter starts its clocks at config time, from the TSC */
	switch (pm->alg) {
	case VQOS_METER_SRTCM:
		if (!pm->started)
			pm->m.sr.time = t;
		pm->started = 1;
		return rte_meter_srtcm_color_blind_check(&pm->m.sr, &pm->p.sr, t, len);
	case VQOS_METER_TRTCM:
		if (!pm->started)
			pm->m.tr.time_tc = pm->m.tr.time_tp = t;
		pm->started = 1;
		return rte_meter_trtcm_color_blind_check(&pm->m.tr, &pm->p.tr, t, len);
	default:
		if (!pm->started)
			pm->m.rfc.time_tc = pm->m.rfc.time_te = t;
		pm->started = 1;
		return rte_meter_trtcm_rfc4115_color_blind_check(&pm->m.rfc, &pm->p.rfc, t, len);
	}
}

/*
 * Colour pkts[0..n) of @p leaf; the red ones that are dropped move to the
 * end, the others keep their order. Returns how many go on.
 */
static uint32_t police_filter(struct vqos_police *p, uint32_t leaf, struct rte_mbuf **pkts,
			      uint32_t n, uint64_t now)
{
	struct police_meter *pm = &p->meter[leaf];
	struct fifo_class *k = &p->fifo.cl[leaf];
	uint64_t t = meter_time(p, now);
	uint32_t kept = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum rte_color c = meter(pm, t, rte_pktmbuf_pkt_len(m));

		k->colour[c]++;
		if (pm->mark)
			rte_mbuf_sched_color_set(m, (uint8_t)c);
		if (c == RTE_COLOR_RED && !pm->mark) {
			k->drops++;
			continue;
		}
		pkts[i] = pkts[kept];
		pkts[kept++] = m;
	}
	return kept;
}

static uint32_t police_enqueue(struct vqos_qdisc *q, uint32_t leaf, struct rte_mbuf **pkts,
			       uint32_t n, uint64_t now)
{
	struct vqos_police *p = (struct vqos_police *)q;

	q->kept_segs = 0;
	if (leaf >= p->fifo.n || !p->fifo.cl[leaf].leaf)
		return 0;
	return vqos_fifo_enqueue(q, leaf, pkts, police_filter(p, leaf, pkts, n, now), now);
}

static uint32_t police_charge(struct vqos_qdisc *q, const struct vqos_sched_grant *g,
			      struct rte_mbuf **pkts, uint32_t n, uint64_t now, bool more)
{
	struct vqos_police *p = (struct vqos_police *)q;
	uint32_t kept = police_filter(p, g->leaf, pkts, n, now);
	uint64_t bytes = 0;

	for (uint32_t i = 0; i < kept; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	vqos_fifo_charge_count(q, g, kept, bytes, now, more);
	return kept;
}

/* Without the packets, meter @p pkts packets of the mean size; none can be
 * dropped here, so a data path that polices uses charge(). */
static void police_charge_count(struct vqos_qdisc *q, const struct vqos_sched_grant *g,
				uint32_t pkts, uint64_t bytes, uint64_t now, bool more)
{
	struct vqos_police *p = (struct vqos_police *)q;
	uint64_t t = meter_time(p, now);

	for (uint32_t i = 0; i < pkts; i++)
		p->fifo.cl[g->leaf]
			.colour[meter(&p->meter[g->leaf], t, (uint32_t)(bytes / pkts))]++;
	vqos_fifo_charge_count(q, g, pkts, bytes, now, more);
}

static int police_change(struct vqos_qdisc *q, const struct vqos_sched_class_params *c,
			 uint64_t now, struct vqos_sched_error *err)
{
	struct vqos_police *p = (struct vqos_police *)q;
	uint32_t i = vqos_sched_tree_find(&p->fifo.tree, c->id);
	struct vqos_sched_params one = { .classes = c, .n_classes = 1 };
	struct police_meter saved;
	int rc;

	if (i == VQOS_SCHED_NONE)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "no class with id %u", c->id);
	if (vqos_sched_refuse_cycles(&one, "police", err) < 0)
		return -EINVAL;
	if (c->parent != p->fifo.params[i].parent || c->port != p->fifo.params[i].port)
		return vqos_sched_fail(err, p->fifo.params, i, "parent and port cannot change");
	if (!p->fifo.cl[i].leaf)
		return 0;
	saved = p->meter[i];
	rc = police_profile(p, i, c, err);
	if (rc < 0) {
		p->meter[i] = saved;
		return rc;
	}
	p->fifo.params[i] = *c;
	return 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * Each leaf of @p q whose id @p fromq also has takes over that leaf's meter:
 * its buckets and the times they were last filled, so the next packet is
 * metered as if only the parameters had changed. A bucket over its new size
 * is cut to it here: left to librte_meter's next refill, srTCM's C would
 * spill the excess into E. A meter of another algorithm has other buckets
 * and starts afresh. Meters count time in TSC cycles, so `now` is not needed.
 */
static void police_carry(struct vqos_qdisc *q, const struct vqos_qdisc *fromq, uint64_t now)
{
	struct vqos_police *p = (struct vqos_police *)q;
	const struct vqos_police *from = (const struct vqos_police *)fromq;

	for (uint32_t i = 0; i < p->fifo.n; i++) {
		uint32_t j = vqos_sched_tree_find(&from->fifo.tree, p->fifo.params[i].id);
		struct police_meter *pm = &p->meter[i];
		const struct police_meter *old;

		if (!p->fifo.cl[i].leaf || j == VQOS_SCHED_NONE || !from->fifo.cl[j].leaf)
			continue;
		old = &from->meter[j];
		if (!old->started || old->alg != pm->alg)
			continue;
		pm->m = old->m;
		pm->started = 1;
		switch (pm->alg) {
		case VQOS_METER_SRTCM:
			pm->m.sr.tc = min_u64(pm->m.sr.tc, pm->p.sr.cbs);
			pm->m.sr.te = min_u64(pm->m.sr.te, pm->p.sr.ebs);
			break;
		case VQOS_METER_TRTCM:
			pm->m.tr.tc = min_u64(pm->m.tr.tc, pm->p.tr.cbs);
			pm->m.tr.tp = min_u64(pm->m.tr.tp, pm->p.tr.pbs);
			break;
		default:
			pm->m.rfc.tc = min_u64(pm->m.rfc.tc, pm->p.rfc.cbs);
			pm->m.rfc.te = min_u64(pm->m.rfc.te, pm->p.rfc.ebs);
			break;
		}
	}
}

const struct vqos_sched_ops vqos_police_ops = {
	.name = "police",
	.create = police_create,
	.destroy = police_destroy,
	.enqueue = police_enqueue,
	.dequeue = vqos_fifo_dequeue,
	.set_room = vqos_fifo_set_room,
	.wake = vqos_fifo_wake,
	.grant = vqos_fifo_grant,
	.charge = police_charge,
	.charge_count = police_charge_count,
	.change = police_change,
	.stats = vqos_fifo_stats,
	.drain = vqos_fifo_drain,
	.carry = police_carry,
	.next_event = vqos_fifo_next_event,
};
