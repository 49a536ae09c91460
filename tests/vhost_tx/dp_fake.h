/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fakes for the data path's unit test (test_dp.c, whose opening comment says
 * how they get in): frames that say which they are and whether they are
 * whole, a mempool in which every mbuf must end up exactly once, containers
 * (librte_vhost's calls, wrapped at link time) and uplinks (entries of
 * rte_eth_fp_ops).
 */
#ifndef VQOS_TEST_DP_FAKE_H
#define VQOS_TEST_DP_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

/** Frames a fake container's vring or a fake uplink's queue holds. */
#define FAKE_MAX 512
/** Fake containers: vids 0 .. FAKE_DEVS - 1. */
#define FAKE_DEVS 4
/** mbufs in the pool: more than any test holds, and not a power of two
 *  minus one, so that the pool's ring has room for an mbuf freed twice and
 *  its count shows it. */
#define FAKE_POOL_SIZE 1000
/** Port ids of the fake uplinks: ids no device has (EAL runs with --no-pci
 *  and no --vdev). */
#define FAKE_ETH0 (RTE_MAX_ETHPORTS - 1)
#define FAKE_ETH1 (RTE_MAX_ETHPORTS - 2)

/** The mbufs of a test (no per-lcore cache: its count is exact). */
extern struct rte_mempool *fake_pool;

/** Length of frame @p seq: they differ, so byte counters say which were counted. */
uint16_t frame_len(uint32_t seq);

/** A frame to @p dst, sequence number @p seq, in @p n_segs chained mbufs of
 *  fake_pool. */
struct rte_mbuf *frame_mbuf(const uint8_t *dst, uint32_t seq, uint16_t len, unsigned int n_segs);

/**
 * The sequence number of the frame in @p m, or UINT32_MAX if it is not a
 * whole frame of the test: its segments, followed as a vring copy follows
 * them (m->next until NULL), must hold pkt_len bytes, its own length and
 * its pattern. A chain cut short (a segment freed under it) is not whole.
 */
uint32_t frame_seq(const struct rte_mbuf *m);

/**
 * Fail unless every mbuf is back in fake_pool, exactly once: its count is
 * its size, and emptying it gives FAKE_POOL_SIZE different mbufs (an mbuf
 * freed twice sits in its ring twice).
 */
void pool_all_back(void);

/** Queue pairs of a fake container, and queues of a fake uplink. */
#define FAKE_QP 4

/** One container's vrings of queue pair 0, seen from vqosd (vid = index in
 *  fake_dev[]); fake_qp[vid][q] is pair q (fake_qp[vid][0] is fake_dev[vid]). */
struct fake_dev {
	/** tx vring (container -> vqosd): sequence numbers of the frames it
	 *  queued, [tx_head, tx_n) not yet dequeued */
	uint32_t tx_seq[FAKE_MAX];
	unsigned int tx_head, tx_n;
	unsigned int dequeues; /**< calls of dequeue_burst */
	/** rx_queue_count answers as DPDK 22.11 does once the avail index
	 *  wrapped and the used one not yet: the count - 65536, as uint32_t */
	bool count_wraps;
	/* rx vring (vqosd -> container) */
	unsigned int rx_room; /**< copies enqueue_burst still takes */
	int avail;	      /**< what avail_entries says; -1: rx_room */
	/** the frames copied in, in order; UINT32_MAX for a copy of a frame
	 *  that was not whole */
	uint32_t rx_seq[FAKE_MAX];
	unsigned int rx_n;
};

extern struct fake_dev fake_dev[FAKE_DEVS];

/** The kick fd (an eventfd) of vring @p q of container @p vid, as
 *  rte_vhost_get_vhost_vring() gives it, and whether that vring was told
 *  to kick (rte_vhost_enable_guest_notification). */
int fake_kick_fd(int vid, unsigned int q);
bool fake_kick_on(int vid, unsigned int q);

/** Queue pair @p q of container @p vid. */
struct fake_dev *fake_qp(int vid, unsigned int q);

/** Container @p vid queues frames first .. first + n - 1 on its tx vring. */
void dev_send(int vid, uint32_t first, unsigned int n);

/** ... on the tx vring of its queue pair @p q. */
void dev_send_q(int vid, unsigned int q, uint32_t first, unsigned int n);

/** A queue of a fake uplink (its rte_eth_fp_ops queue data). */
struct fake_upq {
	struct fake_uplink *u;
	uint16_t q;
	/** tx: most packets one call takes on this queue (UINT16_MAX default) */
	uint16_t take;
	/** rx: frames it will hand out, [rx_head, rx_n) (queues 1..: queue 0's
	 *  are the uplink's rxq) */
	struct rte_mbuf *rxq[FAKE_MAX];
	unsigned int rx_head, rx_n;
};

/** An uplink, as its entry of rte_eth_fp_ops serves it. */
struct fake_uplink {
	uint16_t eth;
	/** tx: most packets one call takes; 0: the uplink is full */
	uint16_t take;
	unsigned int tx_calls;
	/** what it took, in order (UINT32_MAX: not whole); it frees them */
	uint32_t sent_seq[FAKE_MAX];
	uint16_t sent_q[FAKE_MAX]; /**< the tx queue each went out on */
	unsigned int n_sent;
	uint64_t sent_bytes;
	/** rx: frames it will hand out, [rx_head, rx_n) */
	struct rte_mbuf *rxq[FAKE_MAX];
	unsigned int rx_head, rx_n;
	/* its queues, and the queue data and callback arrays rte_eth_fp_ops
	 * points to */
	struct fake_upq upq[FAKE_QP];
	void *qdata[FAKE_QP];
	void *clbk[FAKE_QP];
	struct rte_eth_fp_ops saved;
};

/** The uplinks of port ids FAKE_ETH0 and FAKE_ETH1. */
extern struct fake_uplink fake_up[2];

/** Uplink @p u receives a frame for @p dst (n_segs segments). */
void uplink_recv(struct fake_uplink *u, const uint8_t *dst, uint32_t seq, unsigned int n_segs);

/** ... frames first .. first + n - 1, all for @p dst. */
void uplink_recv_n(struct fake_uplink *u, const uint8_t *dst, uint32_t first, unsigned int n);

/** ... on its rx queue @p q. */
void uplink_recv_q(struct fake_uplink *u, unsigned int q, const uint8_t *dst, uint32_t first,
		   unsigned int n);

/** Start EAL, without hugepages or devices, with a file prefix of its own. */
int fake_eal_up(const char *prog);

/** Stop EAL and remove its (empty) runtime directory. */
void fake_eal_down(void);

/** A new pool, containers with room and nothing queued, uplinks that take
 *  everything, plugged into rte_eth_fp_ops. 0 or -1. */
int fake_setup(void);

/** Free what the uplinks still queue, unplug them, free the pool. */
void fake_teardown(void);

#endif
