/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to sched/: the fifo kind's object, which the police kind extends
 * (a police qdisc is a fifo whose enqueue and charge meter first).
 */
#ifndef VQOS_SCHED_FIFO_H
#define VQOS_SCHED_FIFO_H

#include <stdint.h>

#include "tree.h"

/** Counters of one class of a fifo. */
struct fifo_class {
	uint64_t bytes, packets, drops, colour[3];
	uint32_t backlog_pkts;
	uint64_t backlog_bytes;
	uint32_t parent;
	uint32_t port;
	uint32_t next_woken; /* pull: ring of woken leaves */
	uint8_t leaf;
	uint8_t woken;
};

/** One queue for every leaf, or, in pull mode, a round robin of vrings. */
struct vqos_fifo {
	struct vqos_qdisc base;
	struct rte_mbuf **ring;
	uint32_t *ring_leaf;
	uint32_t *ring_len;  /* pkt_len of each queued mbuf: dequeue touches no mbuf */
	uint16_t *ring_segs; /* and its nb_segs */
	uint32_t head, count, mask, limit;
	uint32_t segs; /* mbufs queued, which limit bounds */
	uint32_t n, n_ports;
	uint32_t woken; /* pull: the woken leaf served next, or VQOS_SCHED_NONE */
	uint32_t *room;
	struct fifo_class *cl;
	struct vqos_sched_class_params *params; /* copy, for change() */
	struct vqos_sched_tree tree;
	void (*free_pkts)(struct rte_mbuf **pkts, uint32_t n);
};

/** Build @p f (already zeroed, base.ops set by the caller) from a checked tree. */
int vqos_fifo_init(struct vqos_fifo *f, const struct vqos_sched_params *p,
		   struct vqos_sched_error *err);
/** Free what vqos_fifo_init() allocated and the queued packets. */
void vqos_fifo_fini(struct vqos_fifo *f);

/* The fifo ops, reused by police. */
uint32_t vqos_fifo_enqueue(struct vqos_qdisc *q, uint32_t leaf, struct rte_mbuf **pkts, uint32_t n,
			   uint64_t now);
uint32_t vqos_fifo_dequeue(struct vqos_qdisc *q, uint64_t now, struct rte_mbuf **pkts,
			   uint32_t *leaves, uint32_t n);
void vqos_fifo_set_room(struct vqos_qdisc *q, uint32_t port, uint32_t room);
uint32_t vqos_fifo_drain(struct vqos_qdisc *q, struct rte_mbuf **pkts, uint32_t *leaves,
			 uint32_t n);
void vqos_fifo_wake(struct vqos_qdisc *q, uint32_t leaf);
uint64_t vqos_fifo_next_event(const struct vqos_qdisc *q, uint64_t now);
int vqos_fifo_grant(struct vqos_qdisc *q, uint64_t now, uint32_t max_pkts,
		    struct vqos_sched_grant *g);
void vqos_fifo_charge_count(struct vqos_qdisc *q, const struct vqos_sched_grant *g, uint32_t pkts,
			    uint64_t bytes, uint64_t now, bool more);
int vqos_fifo_stats(struct vqos_qdisc *q, uint32_t index, uint64_t now,
		    struct vqos_sched_class_stats *out);

#endif /* VQOS_SCHED_FIFO_H */
