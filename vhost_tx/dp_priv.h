/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to vhost_tx: the structs that the data-path loop (dp.c) and the
 * port control code (port.c) share. Nothing outside vhost_tx includes this.
 */
#ifndef VQOS_DP_PRIV_H
#define VQOS_DP_PRIV_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_rcu_qsbr.h>
#include <rte_vhost.h>

#include "admit.h"
#include "sched/vqos_sched.h"
#include "vhost_tx/vqos_dp.h"

/* vhost queue indices of queue pair 0, seen from the vhost backend. */
#define VQOS_VHOST_RXQ 0 /* to the container */
#define VQOS_VHOST_TXQ 1 /* from the container */
/* Queue pairs of a container (VIRTIO_NET_F_MQ) a port serves at most: pair q
 * is vhost queue 2q (rx, to the container) and 2q + 1 (tx, from it). */
#define VQOS_VHOST_QP_MAX 8
#define VQOS_VHOST_VRINGS (2 * VQOS_VHOST_QP_MAX)
/* Queue pairs an uplink is configured with at most (its devargs' queues=). */
#define VQOS_UPLINK_QP_MAX 8

/* The mbuf dynamic field (vqos_dp_create() registers it) that says which
 * queue a packet keeps to: tx, the uplink tx queue it goes to; rx, the
 * uplink rx queue it came from. Written only where the uplink has several
 * queues, and read only there. */
extern int vqos_dp_queue_field;
static inline uint8_t *vqos_mbuf_queue(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, vqos_dp_queue_field, uint8_t *);
}

/* Packets a port may hold between a take and a give that may be partial:
 * one dequeue of the scheduler can hand a port a whole burst. */
#define VQOS_PEND_MAX VQOS_DP_PEND_MAX

/* Packets taken from a source and not yet given to their sink, in order. */
struct vqos_burst {
	uint16_t head;			      /* first packet not yet given */
	uint16_t n;			      /* end of the packets held */
	struct rte_mbuf *pkts[VQOS_PEND_MAX]; /* [head, n) still ours */
};

/* An uplink ethdev and the ports that use it: one, or several that share it
 * (frames from it go to the port whose container MAC they are sent to).
 * Control threads only (port.c's registry). */
struct vqos_uplink {
	char *devargs;		  /* as the ports name it */
	unsigned int refs;	  /* ports that use it */
	unsigned int capacity;	  /* ports its pool is sized for */
	struct rte_mempool *pool; /* mbufs of its ports, both directions */
	/* Its ports' rx reserve and shared region (admit.h): sized with the
	 * pool; used written by the lcore that polls it. */
	struct vqos_admit admit;
	unsigned int shard; /* the lcore that polls it: all its ports' */
	/* Its link, as its last LSC event said (port.c's on_link_change): while
	 * it is down, what the uplink refuses is held for the data path's hold
	 * time, then dropped. Written by the thread that raises the event, read
	 * by the data path and the control side. */
	bool link_up;
	/* Queue pairs its ethdev is configured with (1 .. VQOS_UPLINK_QP_MAX,
	 * its devargs' queues=): set before it is attached, then read-only. */
	uint16_t n_queues;
	/* Its ethdev, read by the data path only while attached (acquire). A
	 * virtio_user uplink that connected to its peer cannot connect again
	 * once the peer is gone: the control thread detaches it (the data path
	 * then treats it as a link down), closes it and probes it again until
	 * the peer is back (vqos_uplinks_tend()); eth may then be another id. */
	uint16_t eth;
	bool attached;
	/* Control thread: the link went down on an uplink that cannot reconnect
	 * (set by the LSC handler, taken by vqos_uplinks_tend()) */
	bool lost;
	uint64_t lost_ns;  /* when the control thread saw it lost */
	uint64_t retry_ns; /* next look at its peer while detached */
	uint64_t said_ns;  /* the last failed probe logged */
	struct vqos_dp *dp;
};

struct vqos_port {
	/* Read-mostly: set at open, read by the data path. */
	char *name;
	char *socket;
	char *uplink;
	bool client;
	unsigned int uplink_ports; /* ports its uplink is sized for, if it opens it */
	int refused_vid;	   /* the last second connection refused (logged once) */
	struct vqos_uplink *up;	   /* its uplink, shared or its own */
	uint64_t mac;		   /* its container's MAC (vqos_dp_mac_key()), if has_mac */
	bool has_mac;
	struct rte_mempool *pool;
	struct vqos_dp *dp;
	unsigned int shard; /* the data-path lcore (shard of dp) that polls it */

	/* vhost device id of the attached container, -1 when none.
	 * Written by librte_vhost's thread (ctl side), read by the data path. */
	int vid __rte_cache_aligned;
	/* The vrings its container enabled (bit i: vhost queue i, the first
	 * VQOS_VHOST_VRINGS), as librte_vhost's vring_state_changed says;
	 * written by that thread, read by the data path. */
	uint32_t vrings_on;

	/* Data path only, on their own cache lines. */
	bool tx_woken; /* its tx leaf is in the schedule */
	/* TSC of the first refusal by its uplink with the link down, 0 while the
	 * link is up: after the hold, tx drops instead of holding. */
	uint64_t tx_down_since;
	bool rx_got;	 /* frames came for it this pass */
	bool rx_blocked; /* its rx vring had no room (or refused some) this pass */
	/* mbufs its rx leaves hold (a packet its segments), the count its
	 * uplink's admission (admit.h) weighs; dp: wo, ctl: ro */
	uint32_t rx_held;
	/* Its enabled vrings as the data path last read them (vrings_seen, for
	 * device vrings_vid): the vhost queue indices of the tx and rx ones,
	 * ascending; tx_next: the one of txq[] the next grant starts at
	 * (round robin); rx_full: rx vrings that had no room at the last look. */
	uint32_t vrings_seen;
	int vrings_vid;
	uint8_t n_txq, n_rxq, tx_next;
	uint8_t txq[VQOS_VHOST_QP_MAX], rxq[VQOS_VHOST_QP_MAX];
	uint32_t rx_full;
	/* dp_sleep.c: the kick fds of device kick_vid's vrings we asked to kick
	 * (by vhost queue index), -1 when not asked */
	int kick_vid;
	int kick_fd[VQOS_VHOST_VRINGS];
	struct vqos_burst tx_pend __rte_cache_aligned;			/* container -> uplink */
	struct vqos_burst rx_pend;					/* qdisc -> container */
	struct vqos_dp_dir_stats stats[VQOS_DIR_N] __rte_cache_aligned; /* dp: wo, ctl: ro */
};

/*
 * What one data-path lcore serves: its ports and, per direction, the qdisc whose
 * port numbers are indices into port[]. Built whole by the control side,
 * published by an atomic pointer swap, never edited after (the qdiscs
 * themselves are driven by the data-path lcore only).
 */
/* An uplink as one lcore's state polls it. */
struct vqos_dp_uplink {
	struct vqos_uplink *up;
	uint32_t n;	    /* ports of the state on it */
	uint32_t *port;	    /* [n]: their indices in the state's port[] */
	uint64_t *mac;	    /* [n], n > 1: their containers' MACs, sorted */
	uint32_t *mac_port; /* [n]: index in port[] of the port of mac[k] */
};

struct vqos_dp_state {
	unsigned int n;		   /* ports */
	struct vqos_port **port;   /* [n] */
	unsigned int n_up;	   /* distinct uplinks of the ports */
	struct vqos_dp_uplink *up; /* [n_up] */
	/* [n], 64-byte aligned, or NULL when no port classifies: the rx
	 * classification row of each port (leaves of q[VQOS_DIR_RX]) */
	struct vqos_sched_classify_port *cls;
	struct vqos_qdisc *q[VQOS_DIR_N]; /* per direction */
	uint32_t *leaf[VQOS_DIR_N];	  /* [n]: the leaf of port i */
	uint32_t n_classes[VQOS_DIR_N];	  /* classes of each qdisc */
	uint32_t *rx_port_of;		  /* [rx classes]: port of a leaf */
	bool kept[VQOS_DIR_N];		  /* the qdisc is the one of the state before */
	/* The state this one replaces, whose rx queues move into this one when
	 * the data path adopts it; ctl: wo before publishing, dp: ro. */
	struct vqos_dp_state *prev;
	bool adopted; /* dp: wo (once it moved prev's queues), ctl: ro */
	bool polled;  /* dp only: the last pass got frames from an uplink, or one
		       * took held packets again: what naps wait for came */
	/* dp only: the vrings asked to kick while the lcore sleeps (dp_sleep.c),
	 * [VQOS_VHOST_VRINGS n], and what it polls then: the doorbell, then
	 * their fds, [VQOS_VHOST_VRINGS n + 1] */
	struct vqos_dp_armed *armed;
	unsigned int n_armed;
	struct pollfd *pfd;
	/* The parts of split classes this lcore runs, [n_shares], and the
	 * boards whose shares it steps (it leads them), per direction, or
	 * NULL; share_next: dp only, when it next reports and steps, TSC. */
	struct vqos_dp_part_share *shares;
	unsigned int n_shares;
	struct vqos_dp_board *lead[VQOS_DIR_N];
	uint64_t share_next;
};

/* A class of one direction's tree that is split between lcores, and where
 * its parts are. */
struct vqos_dp_split {
	struct vqos_share *share; /* its shares; part p is on shard[p] */
	uint32_t n;		  /* parts */
	unsigned int *shard;	  /* [n]: the lcore (shard) of each part */
	uint32_t *cls;		  /* [n]: its class index in that lcore's qdisc */
};

/* Every split class of one direction's tree, as published together
 * (dp_state.c builds and frees it; control only but for the shares). */
struct vqos_dp_board {
	unsigned int n;		  /* split classes */
	struct vqos_dp_split *cl; /* [n] */
	unsigned int leader;	  /* the shard that steps every share */
};

/* A part of a split class that one lcore runs (dp_share.c). */
struct vqos_dp_part_share {
	struct vqos_share *share;
	uint32_t part; /* its number in the share */
	uint32_t cls;  /* its class in the lcore's qdisc */
	uint8_t dir;
	uint64_t gen; /* dp only: the share's publication in effect */
};

/* A vring asked to kick while its lcore sleeps. */
struct vqos_dp_armed {
	uint32_t port; /* index in the state */
	int vid;       /* the device armed */
	uint16_t q;    /* its vhost queue index */
};

/* One data-path lcore and the ports it serves. */
struct vqos_dp_shard {
	unsigned int lcore;	     /* lcore that runs the loop for it */
	int tid;		     /* its thread's Linux id, 0 until it runs; dp: wo */
	struct vqos_dp_state *state; /* dp: ro (atomic), ctl: wo (atomic swap) */
	bool running;		     /* dp: wo (while in vqos_dp_run), ctl: ro */
	int doorbell;		     /* eventfd: rung to wake it (publish, stop) */
	struct vqos_dp_lcore_stats lstats __rte_cache_aligned; /* dp: wo, ctl: ro */
} __rte_cache_aligned;

struct vqos_dp {
	uint64_t hz; /* TSC frequency: the qdiscs' clock */
	/* That clock, read by the control side when it adopts a state no loop
	 * runs (rte_rdtsc; a test injects its own, with its hz). */
	uint64_t (*clock)(void);
	uint64_t hold_cycles;	   /* tx held this long for an uplink whose link is down */
	uint64_t sleep_max_cycles; /* longest nap (0: never sleep); ctl: wo, dp: ro */
	uint64_t nap_min_cycles;   /* VQOS_DP_NAP_MIN_NS */
	struct rte_rcu_qsbr *qsbr; /* every loop's quiescent points */
	/* The split classes of the running trees, per direction (NULL: none);
	 * ctl: wo (at publish), dp: through the states only. */
	struct vqos_dp_board *board[VQOS_DIR_N];
	uint64_t share_period_cycles; /* VQOS_SHARE_PERIOD_MS */
	bool stop;		      /* dp: ro, ctl: wo */
	unsigned int n_shards;
	struct vqos_dp_shard shard[]; /* [n_shards] */
};

/* A MAC address (6 bytes) as a number: sorts and compares like the bytes. */
static inline uint64_t vqos_dp_mac_key(const uint8_t *a)
{
	return (uint64_t)a[0] << 40 | (uint64_t)a[1] << 32 | (uint64_t)a[2] << 24 |
	       (uint64_t)a[3] << 16 | (uint64_t)a[4] << 8 | (uint64_t)a[5];
}

/* First use of @p st by the data path (or, when no loop runs, by the
 * publisher): move what the state it replaces still queues into it. */
void vqos_dp_adopt(struct vqos_dp_state *st, uint64_t now);

/* Wait until every lcore of @p dp passed a quiescent point (any non-dp thread). */
void vqos_dp_synchronize(struct vqos_dp *dp);
/* The mbufs of @p mp that are back in it, each counted once (pool.c): the
 * pool is whole when that is its size. Only when nothing uses @p mp. */
unsigned int vqos_pool_distinct(struct rte_mempool *mp);
/* Single writer: a relaxed load-add-store lets readers see whole values. */
#define VQOS_STAT_ADD(field, v) __atomic_store_n(&(field), (field) + (v), __ATOMIC_RELAXED)

/* The shortest nap, ns: a sleep's own cost is about a microsecond. */
#define VQOS_DP_NAP_MIN_NS 2000

/* dp_sleep.c: when a state with nothing to do now should look again, TSC:
 * its qdiscs' next events, or @p now + @p nap for what is only polled. */
uint64_t vqos_dp_wake_time(const struct vqos_dp_state *st, uint64_t now, uint64_t nap);
/* Ask the vrings of @p st that may wake its lcore to kick (and fill st->pfd,
 * the @p doorbell first); returns how many fds to poll, or -EAGAIN when a
 * vring has work already (nothing is left armed then). */
int vqos_dp_arm(struct vqos_dp_state *st, int doorbell);
/* Wake the lcore of @p sh if it sleeps (any thread). */
void vqos_dp_ring(struct vqos_dp_shard *sh);
/* Sleep from @p now until @p until (TSC), a kick or the doorbell, offline in
 * QSBR; returns the cycles slept (0: work came before it could). */
uint64_t vqos_dp_sleep(struct vqos_dp *dp, struct vqos_dp_shard *sh, struct vqos_dp_state *st,
		       unsigned int tid, uint64_t now, uint64_t until);

/* dp_share.c: after a pass of @p st on shard @p k at @p now: take the
 * shares published for its parts of split classes, and every share period
 * report its parts' counters and step the shares it leads. */
void vqos_dp_share_tick(struct vqos_dp *dp, struct vqos_dp_state *st, unsigned int k, uint64_t now);

/* Packets waiting in tx vring @p q of device @p vid. DPDK 22.11's
 * rte_vhost_rx_queue_count() subtracts two 16-bit ring indices in int and
 * returns the difference as uint32_t, so once the avail index wraps past
 * 65535 before the used one it reads ~4.29e9 (seen in results/accuracy);
 * a vring holds at most 32768 entries, so the count is that difference
 * modulo 2^16. */
static inline uint16_t vqos_vring_waiting(int vid, uint16_t q)
{
	return (uint16_t)rte_vhost_rx_queue_count(vid, q);
}

/* A port's data-path view before any device: no vrings read yet, no kick
 * asked of any (port.c at open, and the tests' ports). */
static inline void vqos_port_dp_reset(struct vqos_port *p)
{
	p->kick_vid = -1;
	p->vrings_vid = -1;
	for (unsigned int q = 0; q < VQOS_VHOST_VRINGS; q++)
		p->kick_fd[q] = -1;
}

/* Free the packets of a burst, returning how many there were. */
unsigned int vqos_burst_free(struct vqos_burst *b);

#endif /* VQOS_DP_PRIV_H */
