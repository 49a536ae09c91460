/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data-path loop. Each pass polls every port of the lcore's port set, tx
 * then rx, and ends at a QSBR quiescent point: there the lcore holds no
 * reference to a port set or a vhost device id, which is what lets the
 * control side swap the set, and librte_vhost tear a device down, without a
 * lock on the data path.
 *
 * Per direction the port keeps one pending burst. A burst is taken from the
 * source only when the previous one was given away entirely, so when the
 * sink is slow the source is simply not read: the backlog stays in the
 * container's tx vring (tx) or in the uplink's rx queue (rx), where the
 * container or OVS see it, and vqosd drops nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_vhost.h>

#include "vhost_tx/dp_priv.h"

static inline void stats_add(struct vqos_dp_dir_stats *s, uint64_t pkts, uint64_t bytes)
{
	/* Single writer: a relaxed load-add-store is enough for readers to see whole values. */
	__atomic_store_n(&s->packets, s->packets + pkts, __ATOMIC_RELAXED);
	__atomic_store_n(&s->bytes, s->bytes + bytes, __ATOMIC_RELAXED);
}

static inline void stats_drop(struct vqos_dp_dir_stats *s, uint64_t pkts)
{
	__atomic_store_n(&s->drops, s->drops + pkts, __ATOMIC_RELAXED);
}

unsigned int vqos_burst_free(struct vqos_burst *b)
{
	unsigned int n = b->n - b->head;

	if (n > 0)
		rte_pktmbuf_free_bulk(&b->pkts[b->head], n);
	b->head = b->n = 0;
	return n;
}

/* Give up to the whole pending burst to the uplink; what it does not take stays. */
static inline void poll_tx(struct vqos_port *p, int vid)
{
	struct vqos_burst *b = &p->tx_pend;
	uint32_t len[VQOS_DP_BURST];
	uint64_t bytes = 0;
	uint16_t i, sent;

	if (b->head == b->n) {
		if (vid < 0)
			return;
		b->head = 0;
		b->n = rte_vhost_dequeue_burst(vid, VQOS_VHOST_TXQ, p->pool, b->pkts,
					       VQOS_DP_BURST);
		if (b->n == 0)
			return;
	}
	/* The uplink owns what it took: read lengths before handing over. */
	for (i = b->head; i < b->n; i++)
		len[i] = rte_pktmbuf_pkt_len(b->pkts[i]);
	sent = rte_eth_tx_burst(p->uplink_port, 0, &b->pkts[b->head], b->n - b->head);
	for (i = b->head; i < b->head + sent; i++)
		bytes += len[i];
	b->head += sent;
	if (sent > 0)
		stats_add(&p->tx_stats, sent, bytes);
}

/* Copy the pending burst into the container's rx vring as far as it has room. */
static inline void poll_rx(struct vqos_port *p, int vid)
{
	struct vqos_burst *b = &p->rx_pend;
	uint64_t bytes = 0;
	uint16_t i, done;

	if (b->head == b->n) {
		b->head = 0;
		b->n = rte_eth_rx_burst(p->uplink_port, 0, b->pkts, VQOS_DP_BURST);
		if (b->n == 0)
			return;
	}
	if (vid < 0) {
		/* No container: nobody to hold these for. */
		stats_drop(&p->rx_stats, vqos_burst_free(b));
		return;
	}
	done = rte_vhost_enqueue_burst(vid, VQOS_VHOST_RXQ, &b->pkts[b->head], b->n - b->head);
	if (done == 0)
		return;
	/* enqueue copies into the vring: the mbufs are still ours to free. */
	for (i = b->head; i < b->head + done; i++)
		bytes += rte_pktmbuf_pkt_len(b->pkts[i]);
	rte_pktmbuf_free_bulk(&b->pkts[b->head], done);
	b->head += done;
	stats_add(&p->rx_stats, done, bytes);
}

int vqos_dp_run(void *arg)
{
	struct vqos_dp *dp = arg;
	const struct vqos_dp_ports *ps;
	unsigned int tid = rte_lcore_id();
	unsigned int i;

	rte_rcu_qsbr_thread_register(dp->qsbr, tid);
	rte_rcu_qsbr_thread_online(dp->qsbr, tid);
	while (!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED)) {
		ps = __atomic_load_n(&dp->ports, __ATOMIC_ACQUIRE);
		for (i = 0; i < ps->n; i++) {
			struct vqos_port *p = ps->port[i];
			int vid = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);

			poll_tx(p, vid);
			poll_rx(p, vid);
		}
		rte_rcu_qsbr_quiescent(dp->qsbr, tid);
	}
	/* Still online: no port can be freed under us while we let go of mbufs. */
	ps = __atomic_load_n(&dp->ports, __ATOMIC_ACQUIRE);
	for (i = 0; i < ps->n; i++) {
		vqos_burst_free(&ps->port[i]->tx_pend);
		stats_drop(&ps->port[i]->rx_stats, vqos_burst_free(&ps->port[i]->rx_pend));
	}
	rte_rcu_qsbr_thread_offline(dp->qsbr, tid);
	rte_rcu_qsbr_thread_unregister(dp->qsbr, tid);
	return 0;
}

void vqos_dp_stop(struct vqos_dp *dp)
{
	__atomic_store_n(&dp->stop, true, __ATOMIC_RELAXED);
}

void vqos_dp_synchronize(struct vqos_dp *dp)
{
	rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
}

static struct vqos_dp_ports *ports_alloc(unsigned int n)
{
	struct vqos_dp_ports *ps = calloc(1, sizeof(*ps) + n * sizeof(ps->port[0]));

	if (ps != NULL)
		ps->n = n;
	return ps;
}

/* Publish @p next in place of the current set, and free the old one once unused. */
static void ports_swap(struct vqos_dp *dp, struct vqos_dp_ports *next)
{
	struct vqos_dp_ports *old = __atomic_exchange_n(&dp->ports, next, __ATOMIC_ACQ_REL);

	vqos_dp_synchronize(dp);
	free(old);
}

int vqos_dp_add_port(struct vqos_dp *dp, struct vqos_port *port)
{
	const struct vqos_dp_ports *cur = dp->ports;
	struct vqos_dp_ports *next = ports_alloc(cur->n + 1);

	if (next == NULL)
		return -ENOMEM;
	memcpy(next->port, cur->port, cur->n * sizeof(cur->port[0]));
	next->port[cur->n] = port;
	ports_swap(dp, next);
	return 0;
}

void vqos_dp_del_port(struct vqos_dp *dp, struct vqos_port *port)
{
	const struct vqos_dp_ports *cur = dp->ports;
	struct vqos_dp_ports *next = ports_alloc(cur->n);
	unsigned int i, n = 0;

	if (next == NULL) {
		/* No memory for a new set: withdraw the port in place. A pass that
		 * runs meanwhile may poll the last port twice, which is harmless. */
		struct vqos_dp_ports *in = dp->ports;

		for (i = 0; i < in->n; i++)
			if (in->port[i] == port) {
				__atomic_store_n(&in->port[i], in->port[in->n - 1],
						 __ATOMIC_RELEASE);
				__atomic_store_n(&in->n, in->n - 1, __ATOMIC_RELEASE);
				break;
			}
		vqos_dp_synchronize(dp);
		return;
	}
	for (i = 0; i < cur->n; i++)
		if (cur->port[i] != port)
			next->port[n++] = cur->port[i];
	next->n = n;
	ports_swap(dp, next);
}

struct vqos_dp *vqos_dp_create(unsigned int lcore)
{
	struct vqos_dp *dp = calloc(1, sizeof(*dp));
	size_t sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);

	if (dp == NULL)
		goto fail;
	dp->lcore = lcore;
	dp->ports = ports_alloc(0);
	dp->qsbr = rte_zmalloc("vqos_dp_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (dp->ports == NULL || dp->qsbr == NULL)
		goto fail;
	if (rte_rcu_qsbr_init(dp->qsbr, RTE_MAX_LCORE) != 0)
		goto fail;
	return dp;
fail:
	vqos_dp_free(dp);
	rte_errno = ENOMEM;
	return NULL;
}

void vqos_dp_free(struct vqos_dp *dp)
{
	if (dp == NULL)
		return;
	rte_free(dp->qsbr);
	free(dp->ports);
	free(dp);
}
