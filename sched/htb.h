/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to sched/: htb's runtime structures, shared by its fast path
 * (htb.c) and its control (htb_ctl.c). sched/htb.c explains the algorithm.
 */
#ifndef VQOS_SCHED_HTB_H
#define VQOS_SCHED_HTB_H

#include <stdbool.h>
#include <stdint.h>

#include "tree.h"

/* A bucket's debt beyond its burst: room for one overshooting vring burst.
 * A cycles bucket's is what HTB_DEBT_PKTS packets and HTB_DEBT_BYTES bytes
 * cost under the costliest model below it. */
#define HTB_DEBT_BYTES (512u << 10)
#define HTB_DEBT_PKTS  256u
/* What a class below its rate earns before it sends on its own rate again. */
#define HTB_BACK_BYTES 1518u

/* Rate buckets are even, ceil buckets odd: bits, packets, cycles. */
enum { TB_RATE, TB_CEIL, TB_PRATE, TB_PCEIL, TB_CRATE, TB_CCEIL, TB_N };
enum { HTB_CANT, HTB_MAY, HTB_CAN };

struct htb_link {
	uint32_t prev, next;
};

/*
 * A ring of classes served in turn: a row, or a feed. The holder is the
 * class whose turn it is; cur is who is served: the holder, or, while the
 * holder is out of the ring (it switched to its own rate for a packet), the
 * next one filling in. The holder gets its turn back when it returns.
 * Without this a class that keeps switching between its own rate and
 * borrowing would lose its turn at every switch; with a plain "resume" flag
 * a filler would steal turns.
 */
struct htb_ring {
	uint32_t cur;
	uint32_t holder;
};

/* A queued packet, its length and its mbufs (segments), side by side:
 * dequeue touches no mbuf and one cache line holds four packets. */
struct htb_slot {
	struct rte_mbuf *m;
	uint32_t len;
	uint32_t segs;
};

struct htb_class {
	/*
	 * One lcore uses a qdisc, so the layout is for its cache only: what a
	 * grant reads of a leaf first (its place, its queue, its mode) fills the
	 * first line, so serving a leaf whose state went cold costs one miss
	 * there, then the buckets, then the rest.
	 */
	uint32_t parent;
	uint8_t level;
	uint8_t prio;
	uint8_t leaf;
	uint8_t mode;
	uint32_t port;
	uint8_t want;	       /* prios this class is active at */
	uint8_t active;	       /* leaf: has packets (push) or was woken (pull) */
	uint8_t parked;	       /* leaf: active but its port has no room */
	struct htb_slot *ring; /* leaf queue, push mode */
	uint32_t head, count, mask;
	uint32_t heap_pos;
	uint64_t t_c; /* tick the buckets were last brought up to */
	/* a ceil bucket was found short at a grant through this class: none
	 * passes it before this tick (a hint that may be early, never late:
	 * only a grant through the class charges it, and a change resets it) */
	uint64_t blocked_until;
	uint32_t quantum;
	uint32_t limit; /* leaf queue limit, mbufs */
	uint32_t segs;	/* mbufs queued: each packet's segments */
	uint32_t next_parked;
	struct vqos_tb tb[TB_N];
	/* rate buckets: the tokens a class out of CAN needs to get back (one
	 * frame, or 1 ms of the rate if less, one packet or a frame's cycles;
	 * at most half the bucket; 0 for ceil buckets) */
	int64_t back_floor[TB_N];
	/* leaf: its port's cost model (cost_byte in 1/VQOS_SCHED_COST_BYTE_ONE
	 * cycles), what charging left of a cycle (same unit), and the mean
	 * packet length by which a grant splits a cycles budget and counts
	 * the packets its bytes hold */
	uint32_t cost_pkt, cost_byte;
	uint32_t cyc_rem;
	uint32_t mean_len;
	/* cycles of a full-size frame and of a bucket's debt under the
	 * costliest model of the leaves below (the class itself for a leaf) */
	uint64_t cyc_frame, cyc_debt;
	/* DRR deficits, bytes: in the row of its level and in its parent's feed,
	 * apart, or own-rate turns would reset borrowing turns */
	int64_t deficit_row[VQOS_SCHED_PRIO_MAX];
	int64_t deficit_feed[VQOS_SCHED_PRIO_MAX];
	struct htb_link link[VQOS_SCHED_PRIO_MAX];
	struct htb_ring feed[VQOS_SCHED_PRIO_MAX]; /* inner: its children that borrow */
	uint64_t backlog_bytes;
	uint64_t bytes, packets, drops, overlimits, lends, borrows;
	uint64_t ceil_hits; /* entries into HTB_CANT: at its ceil, can't borrow */
};

struct htb_event {
	uint64_t key;
	uint32_t cls;
};

struct vqos_htb {
	struct vqos_qdisc base;
	uint64_t hz;
	uint32_t n;
	struct htb_class *cl;
	uint8_t level_mask;			/* levels with a non-empty row */
	uint8_t row_mask[VQOS_SCHED_DEPTH_MAX]; /* prios with a non-empty row */
	struct htb_ring row[VQOS_SCHED_DEPTH_MAX][VQOS_SCHED_PRIO_MAX];
	struct htb_event *heap;
	uint32_t n_heap;
	uint32_t n_want; /* leaves in the schedule: backlogged (or woken), not parked */
	uint32_t n_ports;
	uint32_t *room;
	uint32_t *parked;			/* per port: first parked leaf */
	struct vqos_sched_class_params *params; /* copy, for change() */
	struct vqos_sched_tree tree;
	void (*free_pkts)(struct rte_mbuf **pkts, uint32_t n);
	uint32_t drain_pos; /* drain(): the class it empties next */
	uint32_t root;	    /* the one class without a parent; NONE if several */
	uint64_t looks;	    /* grants sized, given or not (tests and benches) */
	uint64_t visits;    /* classes pick() looked at in rows (tests and benches) */
	uint64_t heap_ops;  /* heap insertions, moves and removals (tests and benches) */
};

/* Bring the buckets of @p k up to @p now. */
void vqos_htb_update(struct htb_class *k, uint64_t now);
/* The mode the buckets of @p k put it in. */
uint8_t vqos_htb_mode(const struct htb_class *k);
/* Move class @p c to mode @p m (and in or out of the event heap). */
void vqos_htb_set_mode(struct vqos_htb *q, uint32_t c, uint8_t m);
/* Put leaf @p c in the schedule (it has packets, or was woken). */
void vqos_htb_leaf_on(struct vqos_htb *q, uint32_t c);
/* Take leaf @p c out of the schedule. */
void vqos_htb_leaf_off(struct vqos_htb *q, uint32_t c);

/* The fast-path members of vqos_htb_ops; see struct vqos_sched_ops. */
uint32_t vqos_htb_enqueue(struct vqos_qdisc *qd, uint32_t leaf, struct rte_mbuf **pkts, uint32_t n,
			  uint64_t now);
uint32_t vqos_htb_dequeue(struct vqos_qdisc *qd, uint64_t now, struct rte_mbuf **pkts,
			  uint32_t *leaves, uint32_t n);
void vqos_htb_set_room(struct vqos_qdisc *qd, uint32_t port, uint32_t room);
uint32_t vqos_htb_drain(struct vqos_qdisc *qd, struct rte_mbuf **pkts, uint32_t *leaves,
			uint32_t n);
void vqos_htb_wake(struct vqos_qdisc *qd, uint32_t leaf);
uint64_t vqos_htb_next_event(const struct vqos_qdisc *qd, uint64_t now);
int vqos_htb_grant(struct vqos_qdisc *qd, uint64_t now, uint32_t max_pkts,
		   struct vqos_sched_grant *g);
void vqos_htb_charge_count(struct vqos_qdisc *qd, const struct vqos_sched_grant *g, uint32_t pkts,
			   uint64_t bytes, uint64_t now, bool more);
uint32_t vqos_htb_charge(struct vqos_qdisc *qd, const struct vqos_sched_grant *g,
			 struct rte_mbuf **pkts, uint32_t n, uint64_t now, bool more);

#endif /* VQOS_SCHED_HTB_H */
