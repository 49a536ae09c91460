/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data-path loop. Each pass serves every port of the lcore's state, tx
 * then rx, and ends at a QSBR quiescent point: there the lcore holds no
 * reference to a state or a vhost device id, which is what lets the control
 * side swap the state, and librte_vhost tear a device down, without a lock.
 *
 *  tx:  for each port:  retry its held packets into the uplink
 *                       if its vring has packets and it holds none: wake its leaf
 *       while the qdisc grants (leaf L of port P may send n packets, b bytes):
 *                       dequeue <= n from P's vring, charge what was taken,
 *                       give it to P's uplink, hold what the uplink refused
 *  rx:  for each port:  receive a burst from its uplink, enqueue on its leaf;
 *                       retry its held packets into its vring;
 *                       tell the qdisc how many free entries its vring has
 *       dequeue from the qdisc in HTB order, give each packet to its port's
 *       vring, hold (in order) what a vring refused
 *
 * A port that holds packets is out of its direction's schedule (tx: its leaf
 * is charged with more == false and not woken again; rx: its room is 0), so
 * held packets always leave before younger ones of the same port.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_vhost.h>

#include "classify.h"
#include "dp_priv.h"

/* Grants served per pass, so rx is polled even when tx is busy. */
#define TX_GRANTS_PER_PASS 64
/* A woken port's vring backlog is read once in this many passes (+1). */
#define BACKLOG_SAMPLE_MASK 63
/* Bursts dequeued from the rx qdisc per pass. */
#define RX_BURSTS_PER_PASS 8

#define STAT_ADD VQOS_STAT_ADD

unsigned int vqos_burst_free(struct vqos_burst *b)
{
	unsigned int n = b->n - b->head;

	if (n > 0)
		rte_pktmbuf_free_bulk(&b->pkts[b->head], n);
	b->head = b->n = 0;
	return n;
}

static inline bool burst_empty(const struct vqos_burst *b)
{
	return b->head == b->n;
}

/* Append pkts[0..n) to a held burst (compacting it first). */
static inline void burst_hold(struct vqos_burst *b, struct rte_mbuf **pkts, uint16_t n)
{
	if (b->head > 0) {
		memmove(b->pkts, &b->pkts[b->head], (b->n - b->head) * sizeof(b->pkts[0]));
		b->n -= b->head;
		b->head = 0;
	}
	memcpy(&b->pkts[b->n], pkts, n * sizeof(pkts[0]));
	b->n += n;
}

static inline uint64_t sum_len(struct rte_mbuf *const *pkts, uint16_t n)
{
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	return bytes;
}

/* The uplink refused pkts[0..n): its link is down (no peer, OVS's port gone)
 * and has been for the data path's hold time? Then they are dropped and
 * counted, and the port goes on at its classes' rate as if the link took
 * them, as a NIC with its link down does. Returns how many were dropped:
 * 0 while the link is up (a full uplink is backpressure, never a drop) or
 * within the hold (a peer that restarts loses nothing). Packets refused
 * are counted (uplink_full) the first time only, not at each @p retry. */
static uint16_t uplink_refused(struct vqos_port *p, struct rte_mbuf **pkts, uint16_t n,
			       uint64_t now, bool retry)
{
	struct vqos_dp_dir_stats *st = &p->stats[VQOS_DIR_TX];

	if (__atomic_load_n(&p->up->link_up, __ATOMIC_RELAXED)) {
		p->tx_down_since = 0;
		if (!retry)
			STAT_ADD(st->uplink_full, n);
		return 0;
	}
	if (p->tx_down_since == 0) {
		p->tx_down_since = now | 1; /* 0 means "link up" */
		return 0;
	}
	if (now - p->tx_down_since < __atomic_load_n(&p->dp->hold_cycles, __ATOMIC_RELAXED))
		return 0;
	rte_pktmbuf_free_bulk(pkts, n);
	STAT_ADD(st->link_down, n);
	return n;
}

/* Give pkts[0..n) to a multi-queue uplink, each run of packets of one tx
 * queue (their tag) to that queue, in order, up to the first packet a queue
 * refuses: what follows it is held with it, so no queue's packets overtake
 * each other. Returns how many it took. */
static uint16_t uplink_give_queues(const struct vqos_uplink *up, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i = 0;

	while (i < n) {
		uint8_t q = *vqos_mbuf_queue(pkts[i]);
		uint16_t end = i + 1, sent;

		while (end < n && *vqos_mbuf_queue(pkts[end]) == q)
			end++;
		sent = rte_eth_tx_burst(up->eth, q, &pkts[i], end - i);
		i += sent;
		if (i < end)
			break;
	}
	return i;
}

/* Give pkts[0..n) to the uplink (again, if @p retry: they were held),
 * counting what it took; returns how many left the port's hands: taken, or
 * dropped by uplink_refused(). */
static inline uint16_t uplink_give(struct vqos_port *p, struct rte_mbuf **pkts, uint16_t n,
				   uint64_t now, bool retry)
{
	struct vqos_dp_dir_stats *st = &p->stats[VQOS_DIR_TX];
	const struct vqos_uplink *up = p->up;
	uint32_t len[VQOS_PEND_MAX];
	uint64_t bytes = 0;
	uint16_t i, sent;

	/* closed while the control thread reconnects it: its link is down */
	if (unlikely(!__atomic_load_n(&up->attached, __ATOMIC_ACQUIRE)))
		return uplink_refused(p, pkts, n, now, retry);
	/* The uplink owns what it took: read lengths before handing over. */
	for (i = 0; i < n; i++)
		len[i] = rte_pktmbuf_pkt_len(pkts[i]);
	sent = up->n_queues > 1 ? uplink_give_queues(up, pkts, n)
				: rte_eth_tx_burst(up->eth, 0, pkts, n);
	for (i = 0; i < sent; i++)
		bytes += len[i];
	STAT_ADD(st->packets, sent);
	STAT_ADD(st->bytes, bytes);
	if (likely(sent == n)) {
		p->tx_down_since = 0; /* it takes packets: whatever its link says */
		return n;
	}
	return sent + uplink_refused(p, &pkts[sent], n - sent, now, retry);
}

/* The rx vrings of @p p that frames from its uplink go to: the first of its
 * enabled ones, one per uplink queue (uplink queue u goes to the (u mod
 * n)th), all of them where the uplink has more queues. */
static inline unsigned int rx_targets(const struct vqos_port *p)
{
	return RTE_MIN((unsigned int)p->n_rxq, (unsigned int)p->up->n_queues);
}

/* The rx vring (vhost queue) of frame @p m for port @p p, of @p n targets. */
static inline uint16_t rx_vring(const struct vqos_port *p, struct rte_mbuf *m, unsigned int n)
{
	return n > 1 ? p->rxq[*vqos_mbuf_queue(m) % n] : p->rxq[0];
}

/* Give pkts[0..n) to the container's rx vrings, each run of frames of one
 * vring to it, in order, up to the first frame a vring refused (what follows
 * is held with it, so no queue's frames overtake each other); returns how
 * many they took. */
static inline uint16_t vring_give(struct vqos_port *p, int vid, struct rte_mbuf **pkts, uint16_t n)
{
	struct vqos_dp_dir_stats *st = &p->stats[VQOS_DIR_RX];
	unsigned int targets = rx_targets(p);
	uint16_t done = 0;

	if (unlikely(targets == 0)) {
		/* it enabled no rx vring (yet): nothing can go in */
		STAT_ADD(st->vring_full, 1);
		return 0;
	}
	while (done < n) {
		uint16_t vq = rx_vring(p, pkts[done], targets), end = done + 1, took;

		while (targets > 1 && end < n && rx_vring(p, pkts[end], targets) == vq)
			end++;
		if (targets == 1)
			end = n;
		took = rte_vhost_enqueue_burst(vid, vq, &pkts[done], end - done);
		/* enqueue copies into the vring: the mbufs are still ours to free. */
		if (took > 0) {
			STAT_ADD(st->packets, took);
			STAT_ADD(st->bytes, sum_len(&pkts[done], took));
			rte_pktmbuf_free_bulk(&pkts[done], took);
		}
		done += took;
		if (done < end) {
			p->rx_full |= 1u << vq;
			break;
		}
	}
	if (done < n)
		STAT_ADD(st->vring_full, 1);
	return done;
}

/* The data path's view of @p p's enabled vrings (txq[], rxq[]), read again
 * when they, or its device @p vid, changed. The vrings of pair 0 were told
 * not to kick when the device came (port.c); the others are told here as
 * they first appear. */
static void port_queues(struct vqos_port *p, int vid)
{
	uint32_t on = __atomic_load_n(&p->vrings_on, __ATOMIC_ACQUIRE), fresh;

	if (likely(on == p->vrings_seen && vid == p->vrings_vid))
		return;
	fresh = vid == p->vrings_vid ? on & ~p->vrings_seen : on;
	p->vrings_seen = on;
	p->vrings_vid = vid;
	p->n_txq = p->n_rxq = 0;
	for (uint16_t q = 0; q < VQOS_VHOST_VRINGS; q++) {
		if (!(on & 1u << q)) {
			if (vid == p->kick_vid)
				p->kick_fd[q] = -1; /* disabled: asked again if it comes back */
			continue;
		}
		if (q & 1)
			p->txq[p->n_txq++] = (uint8_t)q;
		else
			p->rxq[p->n_rxq++] = (uint8_t)q;
		if (q >= 2 && (fresh & 1u << q))
			rte_vhost_enable_guest_notification(vid, q, 0);
	}
	if (p->tx_next >= p->n_txq)
		p->tx_next = 0;
}

/* Packets waiting in @p p's tx vrings. */
static inline uint32_t tx_backlog(const struct vqos_port *p, int vid)
{
	uint32_t backlog = 0;

	for (unsigned int k = 0; k < p->n_txq; k++)
		backlog += vqos_vring_waiting(vid, p->txq[k]);
	return backlog;
}

/* Up to @p want packets from @p p's tx vrings into @p pkts: from each in turn
 * from the one where the last grant stopped (round robin), each packet
 * tagged, where the uplink has several queues, with the uplink tx queue its
 * vring's packets go to (pair q: queue q mod the uplink's queues). */
static uint16_t tx_dequeue(struct vqos_port *p, int vid, struct rte_mbuf **pkts, uint16_t want)
{
	unsigned int nq = p->n_txq, upq = p->up->n_queues, start = p->tx_next;
	uint16_t n = 0;

	if (likely(nq == 1 && upq == 1))
		return rte_vhost_dequeue_burst(vid, p->txq[0], p->pool, pkts, want);
	for (unsigned int k = 0; k < nq && n < want; k++) {
		unsigned int j = (start + k) % nq;
		uint16_t got = rte_vhost_dequeue_burst(vid, p->txq[j], p->pool, &pkts[n], want - n);
		uint8_t tag = (uint8_t)((p->txq[j] >> 1) % upq);

		for (uint16_t i = 0; i < got; i++)
			*vqos_mbuf_queue(pkts[n + i]) = tag;
		n += got;
		if (n == want) {
			p->tx_next = (uint8_t)((j + 1) % nq); /* it stopped here */
			return n;
		}
	}
	if (nq > 0)
		p->tx_next = (uint8_t)((start + 1) % nq);
	return n;
}

static unsigned int tx_pass(struct vqos_dp_state *st, uint64_t now, uint64_t pass)
{
	struct vqos_qdisc *q = st->q[VQOS_DIR_TX];
	struct rte_mbuf *pkts[VQOS_DP_BURST];
	struct vqos_sched_grant g;
	unsigned int i, moved = 0, grants = 0;

	for (i = 0; i < st->n; i++) {
		struct vqos_port *p = st->port[i];
		struct vqos_burst *b = &p->tx_pend;
		int vid = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);
		uint32_t backlog;

		if (!burst_empty(b)) {
			uint16_t sent =
				uplink_give(p, &b->pkts[b->head], b->n - b->head, now, true);

			b->head += sent;
			moved += sent;
			st->polled |= sent > 0; /* the uplink took some again */
			if (!burst_empty(b))
				continue;
		}
		if (vid < 0)
			continue;
		port_queues(p, vid);
		if (p->tx_woken && (pass & BACKLOG_SAMPLE_MASK) != 0)
			continue;
		/* an idle port is looked at every pass, a woken one now and then:
		 * the backlog counter says how much waits in its vrings */
		backlog = tx_backlog(p, vid);
		__atomic_store_n(&p->stats[VQOS_DIR_TX].backlog, backlog, __ATOMIC_RELAXED);
		if (backlog >= VQOS_DP_BURST)
			STAT_ADD(p->stats[VQOS_DIR_TX].backlogged, 1);
		if (backlog > 0 && !p->tx_woken) {
			vqos_sched_wake(q, st->leaf[VQOS_DIR_TX][i]);
			p->tx_woken = true;
		}
	}
	while (grants++ < TX_GRANTS_PER_PASS && vqos_sched_grant(q, now, VQOS_DP_BURST, &g)) {
		struct vqos_port *p = st->port[g.port];
		struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_TX];
		int vid = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);
		uint16_t n = 0, kept, sent;
		bool more;

		if (vid >= 0 && burst_empty(&p->tx_pend)) {
			port_queues(p, vid);
			n = tx_dequeue(p, vid, pkts, (uint16_t)g.pkts);
		}
		/* A full grant's worth suggests more is waiting; if not, the next
		 * grant takes nothing and the leaf leaves the schedule then. */
		more = n > 0 && n == g.pkts;
		kept = (uint16_t)vqos_sched_charge(q, &g, pkts, n, now, more);
		if (!more)
			p->tx_woken = false;
		if (n == 0)
			continue;
		STAT_ADD(s->offered, n);
		if (kept < n) {
			STAT_ADD(s->drops, n - kept);
			rte_pktmbuf_free_bulk(&pkts[kept], n - kept);
		}
		sent = uplink_give(p, pkts, kept, now, false);
		moved += sent;
		if (sent < kept) {
			/* Out of the schedule until the uplink took them all: a
			 * charge of nothing, which only parks the leaf (the grant
			 * was charged once, above). */
			burst_hold(&p->tx_pend, &pkts[sent], kept - sent);
			if (more) {
				vqos_sched_charge(q, &g, NULL, 0, now, false);
				p->tx_woken = false;
			}
		}
	}
	return moved;
}

/* The rx leaf of frame @p m for port @p i. */
static inline uint32_t rx_leaf(const struct vqos_dp_state *st, unsigned int i,
			       const struct rte_mbuf *m)
{
	return st->cls != NULL ? vqos_classify(&st->cls[i], m) : st->leaf[VQOS_DIR_RX][i];
}

/*
 * Admission to the uplink's mbufs (admit.h): of pkts[0..*n), the frames
 * port @p p may queue stay, in order, in pkts[0..*n) and are counted as
 * held; the others are dropped and counted. Returns the segments admitted:
 * the caller gives back what its qdisc did not keep (rx_queued()).
 */
static inline uint32_t rx_admit(struct vqos_port *p, struct rte_mbuf **pkts, uint16_t *n)
{
	struct vqos_admit *a = &p->up->admit;
	uint32_t segs = 0;
	uint16_t i, kept = 0;

	for (i = 0; i < *n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (vqos_admit_ok(a, p->rx_held, m->nb_segs)) {
			vqos_admit_add(a, &p->rx_held, m->nb_segs);
			segs += m->nb_segs;
			pkts[kept++] = m;
		} else {
			rte_pktmbuf_free(m);
		}
	}
	if (kept < *n) {
		STAT_ADD(p->stats[VQOS_DIR_RX].admit_drops, *n - kept);
		STAT_ADD(p->stats[VQOS_DIR_RX].drops, *n - kept);
	}
	*n = kept;
	return segs;
}

/* Port @p p's qdisc queued @p queued of the @p admitted segments
 * rx_admit() counted: the rest (tail drops, AQM) it holds no more. */
static inline void rx_queued(struct vqos_port *p, uint32_t admitted, uint32_t queued)
{
	if (queued < admitted)
		vqos_admit_sub(&p->up->admit, &p->rx_held, admitted - queued);
}

/* Packets pkts[0..n) of port @p p left its rx qdisc. */
static inline void rx_left(struct vqos_port *p, struct rte_mbuf *const *pkts, uint32_t n)
{
	uint32_t segs = 0;

	for (uint32_t i = 0; i < n; i++)
		segs += pkts[i]->nb_segs;
	vqos_admit_sub(&p->up->admit, &p->rx_held, segs);
}

/* Frames @p pkts[0..n) from the uplink for port @p i: into its leaves. */
static void rx_take(struct vqos_dp_state *st, unsigned int i, struct rte_mbuf **pkts, uint16_t n,
		    uint64_t now)
{
	struct vqos_qdisc *q = st->q[VQOS_DIR_RX];
	struct vqos_port *p = st->port[i];
	struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_RX];
	struct vqos_classify_run runs[VQOS_DP_BURST];
	uint32_t n_runs, kept = 0, admitted, queued = 0;

	STAT_ADD(s->offered, n);
	p->rx_got = true;
	if (__atomic_load_n(&p->vid, __ATOMIC_ACQUIRE) < 0) {
		STAT_ADD(s->drops, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	admitted = rx_admit(p, pkts, &n);
	if (n == 0)
		return;
	if (st->cls == NULL || st->cls[i].rules == 0) {
		kept = vqos_sched_enqueue(q, st->leaf[VQOS_DIR_RX][i], pkts, n, now);
		rx_queued(p, admitted, q->kept_segs);
		if (kept < n) {
			STAT_ADD(s->drops, n - kept);
			rte_pktmbuf_free_bulk(&pkts[kept], n - kept);
		}
		return;
	}
	/* classified: each leaf's run, in order; what a full queue refused dies */
	n_runs = vqos_classify_burst(&st->cls[i], pkts, n, runs);
	for (uint32_t r = 0; r < n_runs; r++) {
		struct rte_mbuf **run = &pkts[runs[r].start];

		kept = vqos_sched_enqueue(q, runs[r].leaf, run, runs[r].n, now);
		queued += q->kept_segs;
		if (kept < runs[r].n) {
			STAT_ADD(s->drops, runs[r].n - kept);
			rte_pktmbuf_free_bulk(&run[kept], runs[r].n - kept);
		}
	}
	rx_queued(p, admitted, queued);
}

/*
 * A burst from uplink @p u, shared by several ports: each frame to the port
 * whose container MAC it is sent to (runs of one port's frames together),
 * a broadcast or multicast frame to every port of the uplink (one mbuf,
 * its reference count raised), a frame for no port dropped and counted.
 */
static void rx_demux(struct vqos_dp_state *st, const struct vqos_dp_uplink *u,
		     struct rte_mbuf **pkts, uint16_t n, uint64_t now,
		     struct vqos_dp_lcore_stats *ls)
{
	uint16_t j = 0;

	while (j < n) {
		const uint8_t *dst = rte_pktmbuf_mtod(pkts[j], const uint8_t *);
		uint32_t port = UINT32_MAX, lo = 0, hi = u->n;
		uint64_t key;
		uint16_t end;

		if (unlikely(rte_pktmbuf_data_len(pkts[j]) < RTE_ETHER_ADDR_LEN)) {
			STAT_ADD(ls->unknown_dst, 1);
			rte_pktmbuf_free(pkts[j++]);
			continue;
		}
		if (unlikely(dst[0] & 1)) {
			/* group address: every port of the uplink gets it, each freeing
			 * it once, so every segment's count goes up, not the first's only */
			rte_pktmbuf_refcnt_update(pkts[j], (int16_t)(u->n - 1));
			for (uint32_t k = 0; k < u->n; k++)
				rx_take(st, u->port[k], &pkts[j], 1, now);
			j++;
			continue;
		}
		key = vqos_dp_mac_key(dst);
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;

			if (u->mac[mid] < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < u->n && u->mac[lo] == key)
			port = u->mac_port[lo];
		if (port == UINT32_MAX) {
			STAT_ADD(ls->unknown_dst, 1);
			rte_pktmbuf_free(pkts[j++]);
			continue;
		}
		/* the following frames to the same MAC go with it */
		for (end = j + 1; end < n; end++) {
			const uint8_t *d2 = rte_pktmbuf_mtod(pkts[end], const uint8_t *);

			if (rte_pktmbuf_data_len(pkts[end]) < RTE_ETHER_ADDR_LEN ||
			    vqos_dp_mac_key(d2) != key)
				break;
		}
		rx_take(st, port, &pkts[j], end - j, now);
		j = end;
	}
}

/* Room in @p p's rx vrings for frames from its uplink: the least of its
 * target vrings' (whichever vring the qdisc's next frames go to, they fit);
 * the full ones are noted (rx_full) for dp_sleep.c to ask them to kick. */
static uint16_t vring_room(struct vqos_port *p, int vid)
{
	unsigned int targets = rx_targets(p);
	uint16_t room = UINT16_MAX;

	if (unlikely(targets == 0))
		return 0;
	for (unsigned int k = 0; k < targets; k++) {
		uint16_t r = rte_vhost_avail_entries(vid, p->rxq[k]);

		if (r == 0)
			p->rx_full |= 1u << p->rxq[k];
		room = RTE_MIN(room, r);
	}
	return room;
}

static unsigned int rx_pass(struct vqos_dp_state *st, uint64_t now, struct vqos_dp_lcore_stats *ls)
{
	struct vqos_qdisc *q = st->q[VQOS_DIR_RX];
	struct rte_mbuf *pkts[VQOS_DP_BURST];
	uint32_t leaves[VQOS_DP_BURST];
	unsigned int i, k, moved = 0;

	for (i = 0; i < st->n_up; i++) {
		const struct vqos_dp_uplink *u = &st->up[i];
		uint16_t n;

		if (unlikely(!__atomic_load_n(&u->up->attached, __ATOMIC_ACQUIRE)))
			continue; /* closed while the control thread reconnects it */
		for (uint16_t qi = 0; qi < u->up->n_queues; qi++) {
			n = rte_eth_rx_burst(u->up->eth, qi, pkts, VQOS_DP_BURST);
			if (n == 0)
				continue;
			st->polled = true;
			/* the container rx queue they go to keeps to this one's */
			if (u->up->n_queues > 1)
				for (uint16_t j = 0; j < n; j++)
					*vqos_mbuf_queue(pkts[j]) = (uint8_t)qi;
			if (u->n == 1)
				rx_take(st, u->port[0], pkts, n, now);
			else
				rx_demux(st, u, pkts, n, now, ls);
		}
	}
	for (i = 0; i < st->n; i++) {
		struct vqos_port *p = st->port[i];
		struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_RX];
		struct vqos_burst *b = &p->rx_pend;
		int vid = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);
		bool got = p->rx_got;
		uint16_t room;

		p->rx_got = false;
		p->rx_full = 0;
		if (vid < 0) {
			/* Gone: what is held or queued for it has nowhere to go. Let the
			 * qdisc release its queue, to be dropped below, so that it
			 * blocks nobody (a fifo serves all ports from one queue). */
			STAT_ADD(s->drops, vqos_burst_free(b));
			vqos_sched_set_room(q, i, UINT32_MAX);
			p->rx_blocked = false;
			continue;
		}
		if (!burst_empty(b)) {
			uint16_t done = vring_give(p, vid, &b->pkts[b->head], b->n - b->head);

			b->head += done;
			moved += done;
		}
		port_queues(p, vid);
		room = burst_empty(b) ? vring_room(p, vid) : 0;
		/* packets came for it and its vring takes none: the container is slow */
		if (room == 0 && got)
			STAT_ADD(s->vring_full, 1);
		p->rx_blocked = room == 0;
		vqos_sched_set_room(q, i, room);
	}
	for (k = 0; k < RX_BURSTS_PER_PASS; k++) {
		uint32_t n = vqos_sched_dequeue(q, now, pkts, leaves, VQOS_DP_BURST);
		uint32_t j = 0;

		if (n == 0)
			break;
		/* Runs of one port's packets go to its vring together. */
		while (j < n) {
			uint32_t port = st->rx_port_of[leaves[j]], end = j + 1;
			struct vqos_port *p;
			int vid;
			uint16_t done = 0;

			while (end < n && st->rx_port_of[leaves[end]] == port)
				end++;
			p = st->port[port];
			rx_left(p, &pkts[j], end - j);
			vid = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);
			if (vid < 0) {
				STAT_ADD(p->stats[VQOS_DIR_RX].drops, end - j);
				rte_pktmbuf_free_bulk(&pkts[j], end - j);
				j = end;
				continue;
			}
			if (burst_empty(&p->rx_pend))
				done = vring_give(p, vid, &pkts[j], (uint16_t)(end - j));
			moved += done;
			if (done < end - j) {
				burst_hold(&p->rx_pend, &pkts[j + done],
					   (uint16_t)(end - j - done));
				vqos_sched_set_room(q, port, 0);
				p->rx_blocked = true;
			}
			j = end;
		}
	}
	return moved;
}

/* Index in @p st of @p port, or st->n. */
static unsigned int port_index(const struct vqos_dp_state *st, const struct vqos_port *port)
{
	unsigned int i;

	for (i = 0; i < st->n && st->port[i] != port; i++)
		;
	return i;
}

/*
 * Move what @p old's rx qdisc still queues into @p st's, each packet to the
 * leaf of its port in @p st, in order; what has no place there is dropped
 * and counted. The classes of a rebuilt qdisc take over the tokens, debts
 * and deficits of their namesakes (vqos_sched_carry()), so a change under
 * load gives no burst extra and forgets no debt. Runs once per state, before
 * the data path first uses it (or on the control thread when no data path
 * runs), so a change of the tree loses no packet that a queue of the new
 * tree can hold.
 */
static void migrate(struct vqos_dp_state *old, struct vqos_dp_state *st, uint64_t now)
{
	struct vqos_qdisc *from = old->q[VQOS_DIR_RX], *to = st->q[VQOS_DIR_RX];
	struct rte_mbuf *pkts[VQOS_DP_BURST];
	uint32_t leaves[VQOS_DP_BURST], n, i;
	struct vqos_sched_class_stats cs;

	if (!st->kept[VQOS_DIR_TX])
		for (i = 0; i < st->n; i++)
			st->port[i]->tx_woken = false; /* the new tx qdisc has not been told */
	for (int d = 0; d < VQOS_DIR_N; d++)
		if (!st->kept[d])
			vqos_sched_carry(st->q[d], old->q[d], now);
	if (from == to || from == NULL)
		return;
	if (from->ops->drain == NULL) {
		/* the kind keeps its queues: they go with it, counted per port
		 * (and held no more: the control side frees them with it) */
		for (i = 0; i < old->n; i++) {
			struct vqos_port *p = old->port[i];

			if (from->ops->stats(from, old->leaf[VQOS_DIR_RX][i], now, &cs) == 0)
				STAT_ADD(p->stats[VQOS_DIR_RX].drops, cs.backlog_pkts);
			vqos_admit_sub(&p->up->admit, &p->rx_held, p->rx_held);
		}
		return;
	}
	while ((n = from->ops->drain(from, pkts, leaves, VQOS_DP_BURST)) > 0) {
		for (i = 0; i < n; i++) {
			struct vqos_port *p = old->port[old->rx_port_of[leaves[i]]];
			unsigned int j = port_index(st, p);

			/* out of one queue, maybe into another: held as before if so */
			rx_left(p, &pkts[i], 1);
			if (j == st->n || to == NULL ||
			    vqos_sched_enqueue(to, rx_leaf(st, j, pkts[i]), &pkts[i], 1, now) !=
				    1) {
				STAT_ADD(p->stats[VQOS_DIR_RX].drops, 1);
				rte_pktmbuf_free(pkts[i]);
			} else {
				vqos_admit_add(&p->up->admit, &p->rx_held, to->kept_segs);
			}
		}
	}
}

void vqos_dp_adopt(struct vqos_dp_state *st, uint64_t now)
{
	struct vqos_dp_state *old = __atomic_load_n(&st->prev, __ATOMIC_ACQUIRE);

	if (old != NULL)
		migrate(old, st, now);
	__atomic_store_n(&st->adopted, true, __ATOMIC_RELEASE);
}

/* One pass over @p st at @p now: adopt it the first time, then tx and rx.
 * Returns the packets moved. (The tests that #include this file drive the
 * loop one pass at a time through it.) */
static inline unsigned int state_pass(struct vqos_dp_state *st, struct vqos_dp_lcore_stats *ls,
				      uint64_t now)
{
	unsigned int moved = 0;

	if (!__atomic_load_n(&st->adopted, __ATOMIC_RELAXED))
		vqos_dp_adopt(st, now);
	if (st->n > 0) {
		moved = tx_pass(st, now, ls->passes);
		moved += rx_pass(st, now, ls);
	}
	return moved;
}

/* After a pass at @p now that moved nothing: sleep until the state has
 * something to do (dp_sleep.c), napping *nap cycles at most for what is only
 * polled, the nap doubling up to the lcore's sleep_max. Returns the time
 * after it, or @p now if the lcore should not sleep. */
static uint64_t idle(struct vqos_dp *dp, struct vqos_dp_shard *sh, struct vqos_dp_state *st,
		     unsigned int tid, uint64_t now, uint64_t *nap)
{
	uint64_t max = __atomic_load_n(&dp->sleep_max_cycles, __ATOMIC_RELAXED);
	uint64_t until, slept;

	if (max == 0)
		return now;
	if (*nap > max)
		*nap = max;
	until = st != NULL ? vqos_dp_wake_time(st, now, *nap) : now + *nap;
	if (until <= now + dp->nap_min_cycles / 2)
		return now; /* too soon to be worth a sleep */
	slept = vqos_dp_sleep(dp, sh, st, tid, now, until);
	if (slept == 0)
		return now;
	*nap = *nap * 2 < max ? *nap * 2 : max;
	return now + slept;
}

/* The thread's involuntary context switches so far, or -1 if unknown. */
static long involuntary_switches(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_nivcsw : -1;
}

/* Whether the thread lost its CPU (the kernel switched it out) since
 * @p seen, which becomes now. Asked only after a long pass: a pass
 * over 16 busy ports can take 100 us of work without losing the CPU,
 * and a switch taken in a short pass is one the thread came back from
 * quickly. Where the count is unknown, a long pass is taken as lost. */
static bool lost_cpu(long *seen)
{
	long now = involuntary_switches();
	bool lost = now < 0 || *seen < 0 || now > *seen;

	*seen = now;
	return lost;
}

int vqos_dp_run(void *arg)
{
	struct vqos_dp *dp = arg;
	unsigned int tid = rte_lcore_id(), k = 0;
	struct vqos_dp_shard *sh;
	struct vqos_dp_lcore_stats *ls;
	struct vqos_dp_state *st;
	uint64_t t0, t1, stall = dp->hz / 10000; /* 100 us */
	uint64_t nap = dp->nap_min_cycles;
	unsigned int moved, i;
	long preempted = involuntary_switches();

	while (k < dp->n_shards && dp->shard[k].lcore != tid)
		k++;
	if (k == dp->n_shards)
		return -EINVAL; /* not one of ours */
	sh = &dp->shard[k];
	ls = &sh->lstats;
	__atomic_store_n(&sh->tid, rte_gettid(), __ATOMIC_RELEASE);
	/* a sleep until a class's tokens arrive should not be 50 us late */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	rte_rcu_qsbr_thread_register(dp->qsbr, tid);
	rte_rcu_qsbr_thread_online(dp->qsbr, tid);
	__atomic_store_n(&sh->running, true, __ATOMIC_RELEASE);
	t0 = rte_rdtsc();
	while (!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED)) {
		st = __atomic_load_n(&sh->state, __ATOMIC_ACQUIRE);
		moved = 0;
		if (st != NULL) {
			st->polled = false;
			moved = state_pass(st, ls, t0);
			vqos_dp_share_tick(dp, st, k, t0);
		}
		rte_rcu_qsbr_quiescent(dp->qsbr, tid);
		t1 = rte_rdtsc();
		if (t1 - t0 > stall && lost_cpu(&preempted)) {
			STAT_ADD(ls->stall_cycles, t1 - t0);
			STAT_ADD(ls->packets, moved);
		} else if (moved > 0) {
			STAT_ADD(ls->busy_cycles, t1 - t0);
			STAT_ADD(ls->packets, moved);
			STAT_ADD(ls->busy_packets, moved);
		} else {
			STAT_ADD(ls->idle_cycles, t1 - t0);
		}
		STAT_ADD(ls->passes, 1);
		/* frames came in, or went out (a reply may come back on the
		 * uplink, which is only polled): look often again */
		if (moved > 0 || (st != NULL && st->polled))
			nap = dp->nap_min_cycles;
		t0 = moved > 0 ? t1 : idle(dp, sh, st, tid, t1, &nap);
	}
	/* Still online: no state can be freed under us while we let go of mbufs. */
	st = __atomic_load_n(&sh->state, __ATOMIC_ACQUIRE);
	for (i = 0; st != NULL && i < st->n; i++) {
		vqos_burst_free(&st->port[i]->tx_pend);
		STAT_ADD(st->port[i]->stats[VQOS_DIR_RX].drops,
			 vqos_burst_free(&st->port[i]->rx_pend));
	}
	rte_rcu_qsbr_thread_offline(dp->qsbr, tid);
	rte_rcu_qsbr_thread_unregister(dp->qsbr, tid);
	__atomic_store_n(&sh->running, false, __ATOMIC_RELEASE);
	return 0;
}

void vqos_dp_stop(struct vqos_dp *dp)
{
	__atomic_store_n(&dp->stop, true, __ATOMIC_RELAXED);
	for (unsigned int k = 0; k < dp->n_shards; k++)
		vqos_dp_ring(&dp->shard[k]);
}

void vqos_dp_synchronize(struct vqos_dp *dp)
{
	rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
}
