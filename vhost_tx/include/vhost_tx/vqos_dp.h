/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vhost_tx: vqosd's data path.
 *
 * A port joins a container's vhost-user socket (vqosd is the vhost backend,
 * through librte_vhost) to the port's uplink, any DPDK ethdev given by devargs
 * (normally virtio_user to an OVS vhost-user port). Directions are named from
 * the container's side:
 *
 *      container                 vqosd                          uplink (OVS)
 *   tx vring  --dequeue-->  tx pending burst  --eth_tx_burst-->  ethdev txq
 *   rx vring  <--enqueue--  rx pending burst  <--eth_rx_burst--  ethdev rxq
 *
 * Ports are sharded over one or more data-path lcores: each lcore polls the
 * ports it owns, both directions, in bursts, and each direction goes through
 * that lcore's qdisc for the direction (sched/), whose class tree has one
 * root for all the lcore's ports (the control side gives each lcore its part
 * of the whole tree: see vqos_policy_part()). Lcores share nothing but the
 * QSBR variable and, for a class split between them, its shares (lock-free
 * words, vqos_share: the parts lend to each other, see vqos_dp_tree.whole);
 * a port belongs to one lcore for its whole life:
 *
 *   tx, pull mode: the backlog stays in the containers' vrings. A container
 *     whose vring has packets is woken in the qdisc; the qdisc grants leaves,
 *     in HTB order, how much they may send now; vqosd dequeues only that from
 *     the vring and charges what it took. A container over its rate is thus
 *     backpressured in its own vring and vqosd drops nothing on tx (but what
 *     a police qdisc colours red). What the uplink does not take is kept and
 *     retried; the port leaves the schedule until it is gone.
 *   rx, push mode: packets from the uplink are enqueued into their port's
 *     leaf (tail drop, counted); the qdisc is told how many free entries each
 *     container's rx vring has and releases no more than that, so a slow
 *     container backs up its own queue, not everyone's. What the vring still
 *     refuses is kept, in order, and retried before anything else for it.
 *
 * Packets from the uplink for a container that is not connected are dropped
 * and counted.
 *
 * Containers come and go at any time. librte_vhost tells us on its own thread
 * (new_device / destroy_device); the port's vhost id is published to the data
 * path with an atomic store, and destroy_device waits, with librte_rcu's QSBR,
 * until every data-path lcore has passed a quiescent point, so it returns only
 * when no lcore can still touch the device. The set of ports and the qdiscs
 * reach the data path the same way: built whole off the data path, published
 * by one atomic pointer swap, the old set freed after a quiescent point. The
 * data path never blocks, never allocates memory other than mbufs, and shares
 * no lock with control code.
 *
 * Counters are written by the one lcore that owns a port and read by anyone
 * with relaxed atomic loads; qdisc class counters are read while the lcore
 * runs (the qdiscs' stats() only read).
 */
#ifndef VQOS_DP_H
#define VQOS_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "sched/vqos_sched.h"

/** Packets per burst, in both directions. */
#define VQOS_DP_BURST 32

/** Directions, named from the container's side. */
enum vqos_dir {
	VQOS_DIR_TX = 0, /**< from the container, towards the uplink (pull) */
	VQOS_DIR_RX = 1, /**< from the uplink, to the container (push) */
	VQOS_DIR_N = 2,
};

/** Counters of one direction of one port. dp: wo (owning lcore), ctl: ro. */
struct vqos_dp_dir_stats {
	/** Packets taken from the source: dequeued from the container's vring
	 *  (tx) or received from the uplink (rx). */
	uint64_t offered;
	/** Packets delivered: to the uplink (tx) or into the container's vring (rx). */
	uint64_t packets;
	/** Bytes of those packets (L2 frame, no FCS). */
	uint64_t bytes;
	/** Packets dropped by vqosd: police red, queue full, no container. */
	uint64_t drops;
	/** tx: packets the uplink refused (OVS is full), held and given again:
	 *  each counted once, however many times it is given. */
	uint64_t uplink_full;
	/** tx: packets dropped because the uplink's link was down for longer than
	 *  the hold (vqos_dp_set_uplink_hold()); not counted in drops. */
	uint64_t link_down;
	/** rx: times the container's vring had no room: a refused copy, or no free
	 *  entry in a pass that brought it packets. */
	uint64_t vring_full;
	/** tx: packets waiting in the container's tx vring, at the last look. */
	uint64_t backlog;
	/** tx: looks at the vring that found at least a burst waiting. */
	uint64_t backlogged;
};

/** Where one data-path lcore spends its cycles, like OVS's pmd-stats-show. */
struct vqos_dp_lcore_stats {
	uint64_t busy_cycles; /**< TSC cycles of passes that moved packets */
	uint64_t idle_cycles; /**< TSC cycles of passes that moved none */
	/** TSC cycles of passes that took over 100 us and in which the kernel
	 *  switched the thread out (getrusage's involuntary switches): the
	 *  lcore lost its CPU to another thread, counted here instead of busy
	 *  or idle. A pass that is long only for its work (many busy ports) is
	 *  busy. */
	uint64_t stall_cycles;
	/** Nanoseconds the lcore's thread was ready to run and waited for a CPU
	 *  (the kernel's schedstat run_delay): the CPU it lost, whatever the
	 *  length of its passes. 0 where schedstat cannot be read. */
	uint64_t waited_ns;
	uint64_t packets; /**< packets moved, both directions */
	/** packets moved in busy passes (not stalled ones): busy_cycles' packets */
	uint64_t busy_packets;
	/** frames from a shared uplink sent to no port's MAC (dropped) */
	uint64_t unknown_dst;
	uint64_t passes; /**< loop iterations */
	/** TSC cycles the lcore slept, its CPU given up (vqos_dp_set_sleep_max()) */
	uint64_t sleep_cycles;
	uint64_t sleeps; /**< times it slept */
	uint64_t kicks;	 /**< containers' kicks that woke it (or came while it slept) */
};

/**
 * A counter of struct vqos_dp_dir_stats or struct vqos_dp_lcore_stats, by
 * name, as DPDK's xstats name theirs: the daemon shows each under its name
 * (ctl's counter of the same name; none: not shown). A new counter is a field
 * above, a row in its table (vhost_tx/stats.c), and its load in
 * vqos_port_get_info() or vqos_dp_lcore_stats().
 */
struct vqos_dp_stat {
	const char *name; /**< the field's name */
	size_t offset;	  /**< of its uint64_t in the struct */
};

/** The counters of struct vqos_dp_dir_stats; ends with a NULL name. */
extern const struct vqos_dp_stat vqos_dp_dir_stats_names[];
/** The counters of struct vqos_dp_lcore_stats; ends with a NULL name. */
extern const struct vqos_dp_stat vqos_dp_lcore_stats_names[];

/** One direction's class tree as the data path is given it. */
struct vqos_dp_tree {
	/** The qdisc kind. */
	const struct vqos_sched_ops *ops;
	/** A tree the control plane validated. classes[].port indexes the
	 *  ports given with it; clock_hz and mode are set by the data path. */
	const struct vqos_sched_params *params;
	/** [n_ports]: index in params->classes of the leaf of each port. */
	const uint32_t *leaf_of_port;
	/** rx only, may be NULL (every frame to its port's leaf): one row per
	 *  port, copied. */
	const struct vqos_sched_classify *classify;
	/** Keep the running qdisc of this direction, with its queues and
	 *  tokens (the ports must be the same); ops, params, leaf_of_port
	 *  and classify are then unused. */
	bool keep;
	/** The whole tree the lcores' parts were cut from (the same for every
	 *  part), or NULL. Given, a class that has parts on several lcores (the
	 *  same id in their params, their rates its share) lends across them:
	 *  the lcores move its shares to where the demand is, every
	 *  VQOS_SHARE_PERIOD_MS or so (vqos_share; htb only, which can retune
	 *  a class in place). NULL: each part keeps the share it was built with. */
	const struct vqos_sched_params *whole;
};

/** How a port is set up. */
struct vqos_port_params {
	const char *name;   /**< unique port name */
	const char *socket; /**< container's vhost-user socket path */
	bool client;	    /**< vqosd connects to the socket (else listens on it) */
	/** uplink ethdev devargs; ports that give the same string share the
	 *  uplink (then each needs @p mac, and all poll it from one lcore) */
	const char *uplink;
	/** its container's MAC, "02:00:00:00:00:01" (NULL: none); frames from
	 *  a shared uplink go to the port whose MAC they are sent to */
	const char *mac;
	/** Ports the uplink's mbufs are sized for, when this port opens it: 1,
	 *  or for a shared uplink the ports that will share it (a port that
	 *  joins it beyond that is refused). Ignored when the uplink is open. */
	unsigned int uplink_ports;
	struct vqos_dp *dp; /**< the data path that will poll the port */
	unsigned int shard; /**< the lcore of @p dp that will (< vqos_dp_n_lcores()) */
};

/** Packets a port may hold back in one direction (a partial give). */
#define VQOS_DP_PEND_MAX (2 * VQOS_DP_BURST)

/**
 * mbufs: every uplink has a pool of its own, for both directions of its
 * ports, sized for what they can hold at most: its rx ring, and per port a
 * dequeue in flight, what the port holds back (VQOS_DP_PEND_MAX each way),
 * the uplink's tx ring and its rx queues (VQOS_SCHED_PORT_BACKLOG_MAX
 * mbufs: the qdiscs count each packet's segments). So a slow container
 * fills its own and never takes another's, and a port added at run time
 * brings its uplink's pool with it. The rings and the rx queues are bounded
 * in mbufs; a burst received, a dequeue in flight and what a port holds
 * back are bounded in packets (VQOS_DP_BURST, VQOS_DP_PEND_MAX), one mbuf
 * each for frames that fit one (2 KB of data), more for chained frames: a
 * port holds 32 + 2 x 64 such packets at most, so with 9000-byte frames (5
 * mbufs each) up to 640 mbufs more than its pool counts for it.
 */
#define VQOS_DP_UPLINK_RING 512

/**
 * The mbufs of every uplink pool closed so far: @p avail back in their pool
 * when it closed, of @p size. A pool closed with mbufs missing is not freed
 * (they may still be in use): vqosd reports them at exit.
 */
void vqos_port_pools_closed(unsigned int *avail, unsigned int *size);

struct vqos_port;
struct vqos_dp;

/** A snapshot of a port, for the control plane. */
struct vqos_port_info {
	const char *name;			  /**< port name (owned by the port) */
	const char *socket;			  /**< container socket path (owned by the port) */
	bool client;				  /**< vqosd is the vhost-user client */
	const char *uplink;			  /**< uplink devargs (owned by the port) */
	bool connected;				  /**< a container is attached */
	bool uplink_up;				  /**< the uplink ethdev reports link up */
	unsigned int queues;			  /**< queue pairs the container enabled */
	unsigned int uplink_queues;		  /**< queue pairs of the uplink */
	unsigned int shard;			  /**< index of the lcore that polls it */
	struct vqos_dp_dir_stats dir[VQOS_DIR_N]; /**< per direction */
};

/**
 * Create the data path; @p lcores[0..n) are the lcores that will each run
 * vqos_dp_run() (lcore k serves shard k). It serves no port until
 * vqos_dp_publish().
 * @return NULL on error (rte_errno set).
 */
struct vqos_dp *vqos_dp_create(const unsigned int *lcores, unsigned int n);

/** Number of data-path lcores (shards) of @p dp. */
unsigned int vqos_dp_n_lcores(const struct vqos_dp *dp);

/** The lcore id of shard @p k. */
unsigned int vqos_dp_lcore(const struct vqos_dp *dp, unsigned int k);

/** Free a data path that is not running, and its qdiscs; NULL does nothing. */
void vqos_dp_free(struct vqos_dp *dp);

/** Free the qdiscs of a data path that is not running (what they queue goes
 *  back to its pools) and leave it serving nothing: before its ports close,
 *  so that their uplinks' pools are whole when they do. NULL does nothing. */
void vqos_dp_clear(struct vqos_dp *dp);

/**
 * A data-path lcore's main loop (an lcore_function_t taking the dp, launched
 * on every lcore given to vqos_dp_create()): polls the ports of its shard
 * until vqos_dp_stop(), then releases every mbuf it holds.
 */
int vqos_dp_run(void *dp);

/** Ask the loop to end; returns at once. Safe from any thread. */
void vqos_dp_stop(struct vqos_dp *dp);

/** Default of vqos_dp_set_uplink_hold(), microseconds. */
#define VQOS_DP_UPLINK_HOLD_US_DEFAULT 100000

/**
 * How long tx holds a container's packets for an uplink whose link is down
 * (no peer, or OVS's port gone), microseconds. Past that, what the uplink
 * refuses is dropped and counted (`link_down`), as a NIC or OVS drops on a
 * link that is down, so the container is neither held forever nor sees
 * its traffic vanish on a peer's brief restart. While the link is up,
 * refusals are backpressure and nothing is ever dropped. Takes effect at
 * once; call before the loops run or at any time (a relaxed store).
 */
void vqos_dp_set_uplink_hold(struct vqos_dp *dp, uint64_t us);

/** Default of vqos_dp_set_sleep_max(), microseconds. A sleep and its wake
 *  cost the lcore's thread 18-20 us of CPU in the kernel on a virtual
 *  machine (measured with ppoll and clock_nanosleep alike) and, with its
 *  pass, 30-50 us in the sanitized test build: an idle lcore that wakes
 *  every 2 ms used 1.5-2.3% of a CPU there (test_sleep), every 4 ms about
 *  half that. The price is that the first frame from an uplink after a
 *  quiet spell may wait up to this long (containers' frames wake it at
 *  once). */
#define VQOS_DP_SLEEP_MAX_US_DEFAULT 4000
/** Largest vqos_dp_set_sleep_max(), microseconds (OVS's pmd-maxsleep's). */
#define VQOS_DP_SLEEP_MAX_US_MAX 10000

/**
 * The longest a data-path lcore sleeps when a pass found nothing to do,
 * microseconds; 0: it never sleeps (it polls, as a DPDK PMD does). A lcore
 * that sleeps wakes when a shaped class gets its tokens, when a container
 * sends or makes room (its vring's kick), and otherwise after a nap that
 * doubles while nothing comes, up to this: the longest a frame from an
 * uplink waits for an idle lcore. Takes effect at the next sleep; any
 * thread; at most VQOS_DP_SLEEP_MAX_US_MAX (larger is cut to it).
 */
void vqos_dp_set_sleep_max(struct vqos_dp *dp, uint64_t us);

/** The current vqos_dp_set_sleep_max(), microseconds. */
uint64_t vqos_dp_sleep_max(const struct vqos_dp *dp);

/** What one data-path lcore is to serve. */
struct vqos_dp_part {
	/** Its ports, each opened with this shard. */
	struct vqos_port *const *ports;
	unsigned int n_ports;
	/** Per direction (enum vqos_dir): its part of the tree. */
	struct vqos_dp_tree tree[VQOS_DIR_N];
};

/**
 * Make each lcore k of @p dp serve @p parts[k] (vqos_dp_n_lcores() parts)
 * with one qdisc per direction built from its trees. Builds everything
 * first: on error nothing changes and @p err says why. Then swaps it in:
 * each lcore, as it first takes its new set, moves its old rx queues into
 * the new qdisc (kinds without a drain op: dropped and counted), and this
 * returns once no lcore uses an old set, whose qdiscs are then destroyed.
 * A port stays on the lcore it was opened for. Control thread only.
 * @param took_us if not NULL, microseconds from the call until every
 *                lcore ran its new set (building them included)
 * @return 0 or a negative errno
 */
int vqos_dp_publish(struct vqos_dp *dp, const struct vqos_dp_part *parts, double *took_us,
		    char *err, size_t errlen);

/**
 * Counters of class @p index of lcore @p k's qdisc of direction @p dir
 * (an index in that lcore's part). @return 0 or -ENOENT.
 */
int vqos_dp_class_stats(const struct vqos_dp *dp, unsigned int k, enum vqos_dir dir, uint32_t index,
			struct vqos_sched_class_stats *out);

/** Cycle counters of data-path lcore (shard) @p k. */
void vqos_dp_lcore_stats(const struct vqos_dp *dp, unsigned int k, struct vqos_dp_lcore_stats *out);

/**
 * Open a port: probe and start its uplink and register its vhost-user
 * socket. It carries traffic once published with vqos_dp_publish().
 * @param err receives a message naming what failed
 * @return 0 or a negative errno
 */
int vqos_port_open(const struct vqos_port_params *params, struct vqos_port **out, char *err,
		   size_t errlen);

/**
 * Close a port that no published set holds any more: unregister its socket
 * (which is removed in server mode), free what it holds and close its uplink.
 * NULL does nothing.
 */
void vqos_port_close(struct vqos_port *port);

/** Index of the data-path lcore (shard) that polls @p port. */
unsigned int vqos_port_shard(const struct vqos_port *port);

/**
 * The shard of the open uplink @p devargs, whose ports a new port giving the
 * same devargs joins (ports sharing an uplink are polled by one lcore);
 * -1 when no open port uses it.
 */
int vqos_uplink_shard(const char *devargs);

/**
 * Reconnect lost uplinks. A net_virtio_user uplink that connects to its peer
 * (no server=1) is never connected again by DPDK once the peer is gone: the
 * control thread calls this every time it wakes, and it closes such an
 * uplink (its ports' tx is then held for the hold time, then dropped and
 * counted as link_down), then probes it again, at growing intervals up to
 * 0.5 s, until the peer is back; on the same mbuf pool, every port of the
 * uplink kept as it was. Control thread only.
 * @return milliseconds until it wants to be called again, or -1.
 */
int vqos_uplinks_tend(uint64_t now_ns);

/** Fill @p info with the port's state and counters. */
void vqos_port_get_info(const struct vqos_port *port, struct vqos_port_info *info);

#endif /* VQOS_DP_H */
