/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helpers for sched/: mbufs without EAL (a calloc'ed array, no mempool),
 * class-tree builders and a simulated clock that offers load to a qdisc and
 * counts what each leaf got.
 */
#ifndef VQOS_TEST_SCHED_SIM_H
#define VQOS_TEST_SCHED_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/vqos_sched.h"

/** Ticks per second of the simulated clock: nanoseconds. */
#define SIM_HZ 1000000000ull
#define SIM_MS 1000000ull
#define SIM_S  SIM_HZ
#define MBIT   1000000ull

/** Take a free mbuf of @p len bytes, its sequence number in hash.usr. */
struct rte_mbuf *sim_mbuf(uint32_t len, uint32_t seq);
/** A packet of @p len bytes in @p segs chained mbufs (nb_segs = @p segs, as a
 *  9000-byte frame from an uplink in 2 KB mbufs), its sequence number in
 *  hash.usr. */
struct rte_mbuf *sim_chain(uint32_t len, uint32_t segs, uint32_t seq);
/** Give packets back, every segment (also the qdisc's free_pkts for the tests). */
void sim_free(struct rte_mbuf **pkts, uint32_t n);
/** mbufs currently out of the pool, segments counted (leak check). */
uint32_t sim_mbufs_out(void);

/** A class: id, parent id, rate and ceil in Mbit/s. */
struct vqos_sched_class_params sim_class(uint32_t id, uint32_t parent, const char *name,
					 double rate_mbit, double ceil_mbit);

/** Default params for @p n classes on a nanosecond clock. */
struct vqos_sched_params sim_params(const struct vqos_sched_class_params *c, uint32_t n,
				    uint8_t mode);

/** Load offered to one leaf. */
struct sim_flow {
	uint32_t leaf;	     /**< class index */
	double offered_mbit; /**< offered load, Mbit/s; 0: always backlogged */
	uint32_t size;	     /**< packet size, bytes */
	/* results, over the measured window */
	uint64_t bytes;
	uint64_t pkts;
	/* state */
	double credit;
	uint32_t seq;
	uint32_t last_seq_out;
	uint32_t reorders;
};

/**
 * Push mode: from @p start, every @p step ticks offer each flow its load (enqueue), then
 * dequeue until the qdisc releases nothing. Counts what leaves in
 * [measure_from, end). Returns nothing; fills the flows.
 */
void sim_push(struct vqos_qdisc *q, struct sim_flow *f, unsigned n_flows, uint64_t step,
	      uint64_t start, uint64_t measure_from, uint64_t end);

/**
 * Pull mode: flows with offered 0 are always backlogged; the others fill a
 * virtual vring. Every @p step: wake the leaves with backlog, then grant and
 * charge (counts only) until no grant.
 */
void sim_pull(struct vqos_qdisc *q, struct sim_flow *f, unsigned n_flows, uint64_t step,
	      uint64_t start, uint64_t measure_from, uint64_t end);

/** How an event-driven run went. */
struct sim_wakes {
	uint64_t wakes; /**< times the loop woke */
	uint64_t empty; /**< wakes that granted nothing */
	uint64_t early; /**< next_event() said "now": the loop would have polled */
	uint64_t late;	/**< a grant succeeded a tick before next_event() said */
};

/**
 * Pull mode as a sleeping data path runs it: no fixed step; after serving
 * everything grantable at `now`, jump to the qdisc's next_event() or to the
 * first time a flow whose vring was empty gets a packet (its kick),
 * whichever is first. Flows as in sim_pull(). Fills @p w.
 */
void sim_pull_events(struct vqos_qdisc *q, struct sim_flow *f, unsigned n_flows, uint64_t start,
		     uint64_t measure_from, uint64_t end, struct sim_wakes *w);

/** Packets of @p size bytes a caller takes under @p g (HTB's overdraw rule). */
uint64_t sim_grant_pkts(const struct vqos_sched_grant *g, uint32_t size);

/** Measured rate of a flow over a window of @p ticks, Mbit/s. */
double sim_mbit(const struct sim_flow *f, uint64_t ticks);

/**
 * True if @p ops refuses the tree @p c[0..n) with -EINVAL, builds nothing,
 * and says @p why about class @p who (strings the message must contain).
 */
bool sim_refused(const struct vqos_sched_ops *ops, const struct vqos_sched_class_params *c,
		 uint32_t n, const char *who, const char *why);

/**
 * Queue 10 packets on each of leaves 1..3 of @p q (push mode), drain it 4 at
 * a time, and check that every packet comes back once, each leaf's in order,
 * and that nothing is left. Returns the number of packets drained.
 */
uint32_t sim_drain_check(struct vqos_qdisc *q);

/** Most classes and flows of a worked example. */
#define SIM_EXAMPLE_CLASSES 8
#define SIM_EXAMPLE_FLOWS   4

/** A worked example: a tree, the load offered, the shares HTB's rules give. */
struct sim_example {
	const char *name;
	struct vqos_sched_class_params classes[SIM_EXAMPLE_CLASSES];
	uint32_t n_classes;
	struct sim_flow flows[SIM_EXAMPLE_FLOWS];
	unsigned n_flows;
	/** Expected rate of each flow, Mbit/s. */
	double want_mbit[SIM_EXAMPLE_FLOWS];
	/** librte_sched takes the tree (see sched/sched_rte.c) and gives the same
	 *  shares; the others it refuses. */
	bool sched_maps;
};

extern const struct sim_example sim_examples[];
extern const unsigned sim_n_examples;

/** The example called @p name (aborts if there is none). */
const struct sim_example *sim_example(const char *name);

#endif
