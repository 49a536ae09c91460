/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * sched: vqos's qdiscs behind one ops table.
 *
 * A qdisc is built from a class tree (struct vqos_sched_params: an array of
 * classes, each naming its parent by id) and then only ever seen by the data
 * path through struct vqos_sched_ops. Four kinds exist, looked up by name with
 * vqos_sched_ops_find():
 *
 *  - "htb":    vqos's own hierarchical token bucket, Linux HTB's semantics
 *              (rate, ceil, burst, cburst, prio, quantum, borrowing from the
 *              nearest ancestor with spare) plus packet-per-second limits
 *              and cycle-per-second limits (see "Cycles" below);
 *  - "sched":  the same tree mapped onto DPDK librte_sched (port, subport,
 *              pipe), with RED or PIE, where librte_sched gives HTB's
 *              shares; other trees are refused with the rule they break
 *              (sched/sched_rte.c). Push mode, one port per instance;
 *  - "police": librte_meter srTCM (RFC 2697), trTCM (RFC 2698) or RFC 4115 per
 *              leaf: red packets are dropped (or only marked);
 *  - "fifo":   one queue, no QoS: the baseline.
 *
 * Nothing here knows vhost, sockets or files, and no qdisc reads a clock of its
 * own (except "sched", whose library reads the TSC itself): every call takes
 * `now`, in ticks of a clock whose frequency the caller gives once
 * (vqos_sched_params.clock_hz). The data path passes rte_rdtsc() with
 * clock_hz = rte_get_tsc_hz(); the unit tests pass a simulated clock in
 * nanoseconds with clock_hz = 1e9, so they are exact and need no EAL.
 *
 * Classes are named on the data path by their index in the params' class
 * array (0 .. n_classes-1), never by id: the caller built that array and keeps
 * the mapping (leaf index -> port). Ids and names are for people and messages.
 *
 * Two ways to feed a qdisc
 * ------------------------
 *
 * Push (the rx direction, OVS -> container). The data path classifies the
 * packets it received from a port's uplink to a leaf and pushes them:
 *
 *     kept = vqos_sched_enqueue(q, leaf, pkts, n, now);
 *     rte_pktmbuf_free_bulk(pkts + kept, n - kept);      // tail-dropped
 *
 * then, for the ports it serves, it tells the qdisc how much room each port's
 * rx vring has and takes what the scheduler releases, in HTB order:
 *
 *     vqos_sched_set_room(q, port, free_entries_of_vring(port));
 *     n = vqos_sched_dequeue(q, now, pkts, leaves, 32);
 *     // pkts[i] goes to the vring of the port of leaves[i]
 *
 * A leaf whose port has no room is parked (its queue waits, nobody else's
 * does) until set_room() gives that port room again, so a slow container backs
 * up its own queue only. The room defaults to unlimited.
 *
 * Queue limits count mbufs, not packets: a queued packet takes as many of
 * its leaf's limit as it has segments (rte_mbuf nb_segs), one for a frame
 * that fits one mbuf, five for a 9000-byte frame in 2 KB mbufs. So a port's
 * queues hold at most the mbufs their limits say (VQOS_SCHED_PORT_BACKLOG_MAX
 * in all), whatever the frames; enqueue() says how many it kept
 * (vqos_qdisc.kept_segs), for a caller that shares mbufs between ports. A packet
 * that does not fit is dropped; a smaller one after it in the burst may
 * still be kept. The room of set_room() counts packets (vring entries).
 *
 * Pull (the tx direction, container -> OVS). The backlog stays in the
 * container's vring: vqos never holds, and so never drops, a packet there.
 * A pull-mode leaf is one vring. The scheduler only says who may send how
 * much now, and is charged for what was actually taken:
 *
 *     vqos_sched_wake(q, leaf);        // vring of an idle leaf has packets
 *     while (vqos_sched_grant(q, now, 32, &g)) {
 *             n = rte_vhost_dequeue_burst(vid_of(g.leaf), ..., g.pkts);
 *             // optional: stop early once the bytes taken reach g.bytes
 *             n = vqos_sched_charge(q, &g, pkts, n, now, n == g.pkts);
 *             send pkts[0..n) to the uplink; free pkts[n..) (police drops)
 *     }
 *
 * grant() picks the next leaf in HTB order among the leaves known to be
 * backlogged (woken and not since charged with more == false). It grants at
 * most g.pkts packets and a byte budget g.bytes: as in HTB, a packet may
 * start while the bytes taken before it are below g.bytes, so the last one
 * may overshoot. A caller that cannot stop at a byte boundary (a vring gives
 * whole bursts) overshoots by at most its burst; the overshoot is charged as
 * debt (negative tokens) and repaid before the class sends again, so the
 * long-run rates stay exact and only the peak grows by one burst.
 * charge() with more == false says the vring ran dry: the leaf leaves the
 * schedule until the next wake(), so an idle container never takes a share
 * (n may be 0 and pkts NULL then). Kinds: htb as above; fifo grants the
 * woken vrings in turn, g.pkts each, no byte limit (OVS's round robin);
 * police grants like fifo and its charge() meters the packets taken and
 * moves the red ones behind the others to be freed; sched refuses pull.
 *
 * One tree, many ports: the shared root
 * -------------------------------------
 *
 * A tree serves any number of ports: each leaf names its port
 * (vqos_sched_class_params.port). For tx this is what the design needs: the
 * root's budget guards the OVS PMD cores that every container shares, so the
 * leaves of all containers must hang under one root and one qdisc instance,
 * and the data path asks that instance "who next?" (grant) instead of polling
 * ports in a fixed order: borrowing is then split by prio and quantum across
 * containers, which per-port polling cannot do. For rx the same instance
 * model holds, with the per-port room above instead of a per-port dequeue: a
 * per-port dequeue on a shared tree would hand the spare to whichever port is
 * polled first. To serve one port alone from a shared tree, set the room of
 * the others to 0 (their leaves are parked, which costs a pass over their
 * leaves when room comes back). A deployment that wants per-port isolation
 * instead builds one instance per port (root = that port's share) and
 * dequeues it with n = the vring's free entries; "sched" only works that way.
 * One instance is used by one lcore at a time; nothing here is thread-safe,
 * except that stats() only reads.
 *
 * Cycles: a third unit beside bits and packets
 * --------------------------------------------
 *
 * Bits and packets misjudge what a packet costs the shared OVS PMD core: its
 * cost depends on its size (copies) and its path. htb can also limit a class
 * in cycles of that core per second (rate_cps, ceil_cps): every packet is
 * charged cost_pkt + cost_byte x len cycles, the cost model of the port of
 * its leaf (the leaf's cost_pkt and cost_byte, cost_byte in
 * 1/VQOS_SCHED_COST_BYTE_ONE cycles so that everything stays integer), on
 * every class of its path that has a cycles bucket, with HTB's rules as for
 * bits and packets. The caller already passes bytes and packets to charge()
 * and charge_count(): the cycles come from them. A grant's packet and byte
 * budgets are sized so that no packet starts on a negative cycles bucket
 * (the budget split by the leaf's mean packet length), and next_event()
 * names the tick a class's cycles return. A model is OVS's own
 * per-packet and per-byte cost, calibrated from its pmd-stats (vqosctl cost
 * calibrate). Only htb has cycles buckets; the other kinds refuse a tree
 * with a cycle rate.
 *
 * Changes: change() edits one class of a running qdisc after validating the
 * whole tree with the change applied; the caller runs it on the lcore that
 * owns the qdisc, between bursts. Structural changes (a new parent, a new
 * class) need a new qdisc. A new qdisc starts with full buckets, so the one
 * that replaces a running qdisc first takes over its classes' token state
 * with carry(), on the lcore, as of the swap: a class that was out of tokens
 * stays out, and a change under load gives no extra burst.
 */
#ifndef VQOS_SCHED_H
#define VQOS_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;

/** Deepest tree: the root is at depth 0, a leaf at most at depth 7. */
#define VQOS_SCHED_DEPTH_MAX 8
/** Most classes in one tree, root and inner classes included: 65536 leaves
 *  and 4096 more. */
#define VQOS_SCHED_CLASSES_MAX (65536 + 4096)
/** Number of priorities; 0 is served first. */
#define VQOS_SCHED_PRIO_MAX 8
/** Longest class name, including the NUL. */
#define VQOS_SCHED_NAME_MAX 32
/** Parent id of the root class. */
#define VQOS_SCHED_NO_PARENT UINT32_MAX
/** Largest burst or cburst, bytes; larger ones would overflow the buckets. */
#define VQOS_SCHED_BURST_MAX (256u << 20)
/** Most packets a data path takes from a leaf at once (a grant or a dequeue). */
#define VQOS_SCHED_BATCH 32u
/** A full-size frame, bytes, as the default bursts count it. */
#define VQOS_SCHED_FRAME_BYTES 1600u
/** Longest a default burst's padding lasts at its bucket's rate, ms. */
#define VQOS_SCHED_PAD_MS 10u
/** Fixed point of a cost per byte: cost_byte counts 1/1024 cycles. */
#define VQOS_SCHED_COST_BYTE_ONE 1024u
/** Largest cost per packet, cycles (a millisecond of a 1 GHz core). */
#define VQOS_SCHED_COST_PKT_MAX 1000000u
/** Largest cost per byte, 1/VQOS_SCHED_COST_BYTE_ONE cycles (1000 cycles). */
#define VQOS_SCHED_COST_BYTE_MAX (1000u * VQOS_SCHED_COST_BYTE_ONE)
/** Default leaf queue limit, mbufs (push mode; a packet counts its segments). */
#define VQOS_SCHED_LIMIT_DEFAULT 1024
/** Most mbufs the queues of one port's leaves may hold in all (push mode; a
 *  packet counts its segments): what vqosd lets a port take of its
 *  uplink's shared mbufs when they have room (a slow container takes its
 *  share of them, never another's). With fifo and police, the one queue's
 *  limit. */
#define VQOS_SCHED_PORT_BACKLOG_MAX 4096

/** How a qdisc is fed; see the file comment. */
enum vqos_sched_mode {
	VQOS_SCHED_PUSH = 0, /**< packets are enqueued into leaf queues (rx) */
	VQOS_SCHED_PULL = 1, /**< backlog lives outside, in the vrings (tx) */
};

/** The meter of a "police" leaf. */
enum vqos_sched_meter {
	VQOS_METER_SRTCM = 0,	/**< RFC 2697: CIR=rate, CBS=burst, EBS=cburst */
	VQOS_METER_TRTCM = 1,	/**< RFC 2698: CIR=rate, CBS=burst, PIR=ceil, PBS=cburst */
	VQOS_METER_RFC4115 = 2, /**< RFC 4115: CIR=rate, CBS=burst, EIR=ceil, EBS=cburst */
};

/** Active queue management of a "sched" leaf. */
enum vqos_sched_aqm {
	VQOS_AQM_TAIL = 0, /**< tail drop at the queue limit */
	VQOS_AQM_RED = 1,  /**< (W)RED, librte_sched's defaults scaled to the limit */
	VQOS_AQM_PIE = 2,  /**< PIE, librte_sched's defaults */
};

/**
 * One class of a tree, as the control plane validated it. Zero means "not
 * set" for every optional field, so a zeroed struct plus id, parent and a
 * rate is a valid class.
 */
struct vqos_sched_class_params {
	/** Unique id (tc's handle); used in messages and by change(). */
	uint32_t id;
	/** Id of the parent class, VQOS_SCHED_NO_PARENT for the root. */
	uint32_t parent;
	/** Name for messages and counters; may be empty. */
	char name[VQOS_SCHED_NAME_MAX];
	/** Guaranteed rate, bits per second (0: no guarantee in bits). */
	uint64_t rate_bps;
	/** Ceiling, bits per second (0: same as rate_bps). */
	uint64_t ceil_bps;
	/** Guaranteed rate, packets per second (0: no guarantee in packets). */
	uint64_t rate_pps;
	/** Ceiling, packets per second (0: same as rate_pps). */
	uint64_t ceil_pps;
	/** Bytes that may be sent at once at rate (0: htb: vqos_sched_default_burst()
	 *  of the rate; police: 1 ms of rate + 1600). */
	uint32_t burst;
	/** Bytes that may be sent at once at ceil (0: htb: vqos_sched_default_burst()
	 *  of the ceil; sched: 10 ms of ceil + 1518; police: see sched/police.c). */
	uint32_t cburst;
	/** Packets that may be sent at once at rate_pps (0: vqos_sched_default_burst()). */
	uint32_t burst_pkts;
	/** Packets that may be sent at once at ceil_pps (0: vqos_sched_default_burst()). */
	uint32_t cburst_pkts;
	/** Priority 0..7, 0 served first (leaves; inner classes ignore it). */
	uint8_t prio;
	/** Meter of a "police" leaf. */
	uint8_t meter;
	/** "police": true marks red packets (mbuf sched colour) instead of dropping. */
	bool mark;
	/** "sched": enum vqos_sched_aqm. */
	uint8_t aqm;
	/** Share of the spare among classes of one prio, bytes (0: rate / 10
	 *  bytes, clamped to 1600..200000, as tc's r2q). */
	uint32_t quantum;
	/** Leaf queue limit, mbufs: a queued packet counts its segments (push
	 *  mode; 0: VQOS_SCHED_LIMIT_DEFAULT). */
	uint32_t limit;
	/** Port (container) a leaf is bound to, < vqos_sched_params.n_ports. */
	uint32_t port;
	/** Guaranteed rate, cycles per second (0: no guarantee in cycles); htb only. */
	uint64_t rate_cps;
	/** Ceiling, cycles per second (0: same as rate_cps); htb only. */
	uint64_t ceil_cps;
	/** Cycles that may be spent at once at rate_cps (0: vqos_sched_default_burst()
	 *  of the rate, a frame being vqos_sched_cost_frame() of the costliest
	 *  leaf below). */
	uint32_t burst_cyc;
	/** Cycles that may be spent at once at ceil_cps (0: as burst_cyc, of the ceil). */
	uint32_t cburst_cyc;
	/** Leaf: cycles a packet costs, whatever its size (its port's model);
	 *  at most VQOS_SCHED_COST_PKT_MAX. */
	uint32_t cost_pkt;
	/** Leaf: cycles a byte costs, in 1/VQOS_SCHED_COST_BYTE_ONE cycles; at
	 *  most VQOS_SCHED_COST_BYTE_MAX. Every leaf below a class with a cycle
	 *  rate needs cost_pkt or cost_byte (or both). */
	uint32_t cost_byte;
};

/** A whole tree and how the qdisc will be used. */
struct vqos_sched_params {
	/** Frequency of the `now` argument of every call, ticks per second. */
	uint64_t clock_hz;
	/** enum vqos_sched_mode. */
	uint8_t mode;
	/** Accept children whose guarantees add up to more than their parent's. */
	bool allow_overcommit;
	/** Number of ports the leaves are bound to (at least 1). */
	uint32_t n_ports;
	/** Classes, any order; exactly one has parent VQOS_SCHED_NO_PARENT. */
	const struct vqos_sched_class_params *classes;
	/** Number of entries of classes, 1..VQOS_SCHED_CLASSES_MAX. */
	uint32_t n_classes;
	/** Frees the packets still queued when the qdisc is destroyed (NULL:
	 *  rte_pktmbuf_free_bulk); tests whose mbufs are not from a mempool set it. */
	void (*free_pkts)(struct rte_mbuf **pkts, uint32_t n);
};

/** Why a tree was refused. */
struct vqos_sched_error {
	/** Index of the class at fault, or UINT32_MAX when no class is. */
	uint32_t class_index;
	/** "class \"name\" (id N): reason", NUL-terminated. */
	char msg[192];
};

/** Counters of one class, as `tc -s class show` prints them. */
struct vqos_sched_class_stats {
	/** Bytes sent through this class. */
	uint64_t bytes;
	/** Packets sent through this class. */
	uint64_t packets;
	/** Packets dropped: queue full, police red, AQM. */
	uint64_t drops;
	/** Times the class ran out of rate or ceil tokens (left "can send"),
	 *  borrowing included, as tc counts them. */
	uint64_t overlimits;
	/** Times the class reached its ceil: it could neither send nor borrow
	 *  (htb's "can't send"), so that whatever waits under it is held by
	 *  the policy. Borrowing is not a hit. */
	uint64_t ceil_hits;
	/** Packets this class sent on its own rate: to itself or lent to descendants. */
	uint64_t lends;
	/** Packets this class sent with tokens borrowed from an ancestor. */
	uint64_t borrows;
	/** Packets waiting in the leaf queue (push mode; 0 for inner classes). */
	uint32_t backlog_pkts;
	/** Bytes waiting in the leaf queue. */
	uint64_t backlog_bytes;
	/** Tokens of the rate bucket now, bytes (negative: debt; 0 if no bps rate). */
	int64_t tokens;
	/** Tokens of the ceil bucket now, bytes. */
	int64_t ctokens;
	/** Tokens of the packet rate bucket now, packets. */
	int64_t ptokens;
	/** Tokens of the packet ceil bucket now, packets. */
	int64_t pctokens;
	/** "police": packets coloured green, yellow, red. */
	uint64_t colour[3];
	/** Tokens of the cycles rate bucket now, cycles (0 if no cps rate). */
	int64_t cyc_tokens;
	/** Tokens of the cycles ceil bucket now, cycles. */
	int64_t cyc_ctokens;
	/** htb: some ceil bucket of the class holds less than half its depth
	 *  now: the class spends its ceiling about as fast as it comes (a split
	 *  class's part that wants more than its share; see vqos_share). */
	bool ceil_short;
	/** htb: some ceil bucket of the class is below 0 now: its ceiling holds
	 *  it back this moment (it sent more than its ceiling let it, a grant's
	 *  overshoot, and waits for the debt to be repaid). */
	bool ceil_debt;
};

/** The units a class is shaped in: bits, packets and cycles per second. */
enum vqos_sched_unit {
	VQOS_SCHED_BPS = 0, /**< bits per second */
	VQOS_SCHED_PPS = 1, /**< packets per second */
	VQOS_SCHED_CPS = 2, /**< cycles (of the OVS core) per second */
	VQOS_SCHED_UNITS = 3,
};

/** A class's guarantees and ceilings in each unit (0: none in that unit). */
struct vqos_sched_rates {
	uint64_t rate[VQOS_SCHED_UNITS]; /**< rate_bps, rate_pps, rate_cps */
	/** ceilings as in effect: ceil_bps, or rate_bps when no ceil is given, ... */
	uint64_t ceil[VQOS_SCHED_UNITS];
};

/** The rates of @p c, its ceilings as in effect (a ceil not given is the rate). */
void vqos_sched_rates_of(const struct vqos_sched_class_params *c, struct vqos_sched_rates *out);

/** What a pull-mode leaf may send now; filled by grant(). */
struct vqos_sched_grant {
	/** Index of the leaf (its vring) to take from. */
	uint32_t leaf;
	/** Port of that leaf. */
	uint32_t port;
	/** Most packets to take. */
	uint32_t pkts;
	/** Byte budget: take a packet while the bytes taken before it are below this. */
	uint64_t bytes;
	/** Opaque to the caller: the class that lends these tokens. */
	uint32_t lender;
};

/** A qdisc instance; each kind embeds this first. */
struct vqos_qdisc {
	/** Its kind. */
	const struct vqos_sched_ops *ops;
	/** Push: mbufs (segments) the last enqueue() queued, whatever it
	 *  dropped (tail, and "sched"'s RED and PIE, which the caller cannot
	 *  see): what the caller's count of a port's queued mbufs grows by.
	 *  Written by enqueue(), read by its caller right after. */
	uint32_t kept_segs;
};

/**
 * The ops table every qdisc kind implements. Fast-path members return counts,
 * never errors; control members return 0 or a negative errno.
 */
struct vqos_sched_ops {
	/** Kind name: "htb", "sched", "police", "fifo". */
	const char *name;
	/** Validate @p p and build a qdisc. On error *out is untouched, nothing
	 *  is allocated and @p err names the class. */
	int (*create)(const struct vqos_sched_params *p, struct vqos_qdisc **out,
		      struct vqos_sched_error *err);
	/** Free the qdisc; queued mbufs are freed with rte_pktmbuf_free. NULL is a no-op. */
	void (*destroy)(struct vqos_qdisc *q);
	/** Push: queue pkts[0..n) on leaf @p leaf, each if its segments fit in
	 *  what the limit leaves (see "Queue limits count mbufs" above). Returns
	 *  how many were kept, in order in pkts[0..kept); the dropped ones are
	 *  moved to pkts[kept..n) for the caller to free. Except "sched":
	 *  librte_sched frees its drops itself, and this returns n. */
	uint32_t (*enqueue)(struct vqos_qdisc *q, uint32_t leaf, struct rte_mbuf **pkts, uint32_t n,
			    uint64_t now);
	/** Push: release up to @p n packets in schedule order; leaves[i] (if
	 *  @p leaves is not NULL) receives the leaf of pkts[i]. */
	uint32_t (*dequeue)(struct vqos_qdisc *q, uint64_t now, struct rte_mbuf **pkts,
			    uint32_t *leaves, uint32_t n);
	/** Push: @p room more packets may go to @p port (UINT32_MAX: no limit). */
	void (*set_room)(struct vqos_qdisc *q, uint32_t port, uint32_t room);
	/** Pull: the vring of @p leaf has packets; put the leaf in the schedule. */
	void (*wake)(struct vqos_qdisc *q, uint32_t leaf);
	/** Pull: pick the next leaf that may send and how much (at most
	 *  @p max_pkts packets). Returns 1 with @p g filled, 0 if no leaf may send now. */
	int (*grant)(struct vqos_qdisc *q, uint64_t now, uint32_t max_pkts,
		     struct vqos_sched_grant *g);
	/** Pull: charge the packets taken under @p g. Returns how many may go on;
	 *  the others (police red) are moved to pkts[kept..n) for the caller to
	 *  free. @p more: the vring still has packets. Charging nothing (n == 0)
	 *  accounts nothing: with @p more false it only takes the leaf out of
	 *  the schedule (the vring was empty, or the port cannot send now). */
	uint32_t (*charge)(struct vqos_qdisc *q, const struct vqos_sched_grant *g,
			   struct rte_mbuf **pkts, uint32_t n, uint64_t now, bool more);
	/** Pull, counts only: as charge() when the caller has no mbufs to show,
	 *  @p bytes in total. police meters @p pkts packets of the mean size but
	 *  cannot drop any here: a data path that polices calls charge(). */
	void (*charge_count)(struct vqos_qdisc *q, const struct vqos_sched_grant *g, uint32_t pkts,
			     uint64_t bytes, uint64_t now, bool more);
	/** Replace the parameters of the class with id @p c->id (same parent). */
	int (*change)(struct vqos_qdisc *q, const struct vqos_sched_class_params *c, uint64_t now,
		      struct vqos_sched_error *err);
	/** Read the counters of class @p index as of @p now. Control and
	 *  telemetry threads call it while the lcore runs the qdisc, so it
	 *  writes nothing, not even state of a library it wraps. */
	int (*stats)(struct vqos_qdisc *q, uint32_t index, uint64_t now,
		     struct vqos_sched_class_stats *out);
	/** Push, optional (NULL: the kind cannot): hand back up to @p n queued
	 *  packets without regard to rates, each leaf's in order, leaves[i]
	 *  receiving the leaf of pkts[i]; 0 once empty. The data path moves a
	 *  replaced qdisc's queues into its successor with it. */
	uint32_t (*drain)(struct vqos_qdisc *q, struct rte_mbuf **pkts, uint32_t *leaves,
			  uint32_t n);
	/** Optional (NULL: the kind has no state to carry). @p to replaces
	 *  @p from: both of this kind, built with the same clock_hz. Called on
	 *  the data-path lcore that runs them, before @p to first grants or
	 *  dequeues (packets moved into it by enqueue or drain may be there).
	 *  Every class of @p to whose id (vqos_sched_class_params.id) is also in
	 *  @p from takes over @p from's class's state as of @p now: the tokens
	 *  and debts of its buckets, each clamped to the new bucket's depth and
	 *  deepest debt, with the time they were brought up to; its DRR
	 *  deficits, at most its new quantum; police: its meter's buckets, at
	 *  most the new burst sizes. Classes new in @p to keep full buckets;
	 *  counters are not carried. @p from is only read and may be freed
	 *  afterwards. */
	void (*carry)(struct vqos_qdisc *to, const struct vqos_qdisc *from, uint64_t now);
	/** Optional (NULL: the caller polls). After a dequeue() or grant() at
	 *  @p now that released nothing, the earliest tick at which one might
	 *  release something for want of which it did not at @p now: the time
	 *  a blocking bucket on a backlogged leaf's path refills (early is
	 *  allowed, late never is). UINT64_MAX when nothing waits for time:
	 *  push, no packet is queued, or every queued one waits for its port's
	 *  room; pull, no leaf is woken. Room and wakes come from the caller,
	 *  who knows when they change. @p now (or any tick before it) when the
	 *  kind cannot tell, or when something could be released at once. The
	 *  data path sleeps until then. Reads only. */
	uint64_t (*next_event)(const struct vqos_qdisc *q, uint64_t now);
	/** Optional (NULL: the kind cannot; only htb can). Give class @p index
	 *  the rates and ceilings @p r (a split class's share, vqos_share):
	 *  its buckets keep their tokens, clamped to their new depths (a burst
	 *  set at create stays; a default burst follows the new rate), its
	 *  quantum and everything else stay as built. No check, no allocation:
	 *  the caller only ever gives less than what was checked whole. Runs on
	 *  the lcore that owns the qdisc, between grants. A unit the class has
	 *  no rate in stays without one; a unit it has one in needs a non-zero
	 *  rate in @p r. Returns 0, or -ERANGE (a bucket would not fit 63 bits:
	 *  the class keeps its old rates). */
	int (*retune)(struct vqos_qdisc *q, uint32_t index, const struct vqos_sched_rates *r,
		      uint64_t now);
};

/** The kinds, NULL-terminated. */
extern const struct vqos_sched_ops *const vqos_sched_kinds[];
/** The htb kind. */
extern const struct vqos_sched_ops vqos_htb_ops;
/** The fifo kind. */
extern const struct vqos_sched_ops vqos_fifo_ops;
/** The police kind. */
extern const struct vqos_sched_ops vqos_police_ops;
/** The sched kind (librte_sched). */
extern const struct vqos_sched_ops vqos_sched_rte_ops;

/** The kind called @p name, or NULL. */
const struct vqos_sched_ops *vqos_sched_ops_find(const char *name);

/**
 * Check a tree against the rules every kind shares: 1..65536 classes, unique
 * ids, one root, known parents, depth at most 8, prio 0..7, leaf port below
 * n_ports, clock_hz set. Kinds add their own rules. Returns 0 or -EINVAL.
 */
int vqos_sched_check_tree(const struct vqos_sched_params *p, struct vqos_sched_error *err);

/** See vqos_sched_ops.carry. Does nothing unless @p to and @p from are two
 *  qdiscs of one kind that carries (a qdisc kept across a change is one). */
static inline void vqos_sched_carry(struct vqos_qdisc *to, const struct vqos_qdisc *from,
				    uint64_t now)
{
	if (to != NULL && from != NULL && to != from && to->ops == from->ops &&
	    to->ops->carry != NULL)
		to->ops->carry(to, from, now);
}

/**
 * htb's default depth of a bucket of @p rate units (bytes or packets) per
 * second: tc's 1 ms of it, plus a padding for the data path's batches. A
 * grant hands a leaf up to VQOS_SCHED_BATCH packets, which a vring gives
 * whole, so a bucket much shallower than a batch turns grants into debt and a
 * stalled lcore into tokens lost at the cap. But the padding is also a burst
 * above the rate, paid for by the other classes when the parent is saturated,
 * and a batch of full frames is long at a low rate (51 KB is half a second of
 * 0.8 Mbit/s). So the padding is VQOS_SCHED_PAD_MS of @p rate, at least one
 * frame (a class can always send one) and at most a batch of them.
 *
 * @param rate   units per second: rate or ceil, bytes or packets
 * @param frame  a full-size frame in those units: VQOS_SCHED_FRAME_BYTES, 1, or
 *               vqos_sched_cost_frame() for cycles
 * @return the depth, at most VQOS_SCHED_BURST_MAX
 */
uint32_t vqos_sched_default_burst(uint64_t rate, uint64_t frame);

/** How long vqos_sched_tsc_hz() measures, ms, where vqosd calls it. */
#define VQOS_SCHED_TSC_MEASURE_MS 50u

/**
 * The TSC's frequency, measured against CLOCK_MONOTONIC_RAW over @p ms
 * milliseconds (sched/clock.c): within a few parts per million, where
 * rte_get_tsc_hz() may be rounded to 10 MHz (0.2% at worst). Falls back to
 * rte_get_tsc_hz() if the two differ by more than 1%. Every qdisc's
 * clock_hz should be this; librte_meter and librte_sched (police, sched)
 * count with rte_get_tsc_hz() themselves.
 */
uint64_t vqos_sched_tsc_hz(uint32_t ms);

/**
 * Cycles a full-size frame (VQOS_SCHED_FRAME_BYTES) costs under a model of
 * @p cost_pkt cycles per packet and @p cost_byte 1/VQOS_SCHED_COST_BYTE_ONE
 * cycles per byte, rounded up: what htb's cycle buckets count as "a frame"
 * for their default bursts, as the byte buckets count VQOS_SCHED_FRAME_BYTES.
 */
static inline uint64_t vqos_sched_cost_frame(uint32_t cost_pkt, uint32_t cost_byte)
{
	return cost_pkt + ((uint64_t)cost_byte * VQOS_SCHED_FRAME_BYTES + VQOS_SCHED_COST_BYTE_ONE -
			   1) / VQOS_SCHED_COST_BYTE_ONE;
}

/** Free any qdisc; NULL does nothing. */
static inline void vqos_sched_destroy(struct vqos_qdisc *q)
{
	if (q != NULL)
		q->ops->destroy(q);
}

/* ---------------------------------------------------------------------
 * Classification: which leaf of its port a received (rx) frame goes to.
 * Plain data, built by policy/ off the data path (vqos_policy_classify())
 * and read by the data path's classifier (vhost_tx/classify.h).
 * --------------------------------------------------------------------- */

/** No rule for this value: an entry of pcp_leaf or dscp_leaf. */
#define VQOS_SCHED_CLASSIFY_NONE UINT32_MAX
/** vqos_sched_classify_port.rules: some value of pcp_leaf has a leaf. */
#define VQOS_SCHED_CLASSIFY_PCP 1u
/** vqos_sched_classify_port.rules: some value of dscp_leaf has a leaf. */
#define VQOS_SCHED_CLASSIFY_DSCP 2u

/**
 * One port's rules. A frame with an 802.1Q or 802.1ad outer tag goes to
 * pcp_leaf[its PCP] if that is a leaf; else an IPv4 or IPv6 frame (after up
 * to two tags) to dscp_leaf[its DSCP] if that is a leaf; else, and for
 * every frame of a port without rules, to default_leaf. Leaves are indices
 * in the class array of the qdisc the table was built for. The first 40
 * bytes (all a frame without a tag, or one matched on its PCP, reads) share
 * one cache line; the struct is cache-line aligned, so a copy of rows goes
 * in memory aligned to 64 bytes (aligned_alloc(), rte_malloc()).
 */
struct vqos_sched_classify_port {
	/** Where unmatched frames go: the port's leaf without a match. */
	_Alignas(64) uint32_t default_leaf;
	/** VQOS_SCHED_CLASSIFY_PCP | _DSCP bits; 0: every frame to default_leaf. */
	uint32_t rules;
	/** Leaf of each PCP value 0..7, or VQOS_SCHED_CLASSIFY_NONE. */
	uint32_t pcp_leaf[8];
	/** Leaf of each DSCP value 0..63, or VQOS_SCHED_CLASSIFY_NONE. */
	uint32_t dscp_leaf[64];
};

/** The rules of every port of a tree (or of a part of one). */
struct vqos_sched_classify {
	/** Number of entries of ports: the tree's n_ports. */
	uint32_t n_ports;
	/** [n_ports], indexed like the tree's ports. */
	struct vqos_sched_classify_port *ports;
};

/* ---------------------------------------------------------------------
 * Sharing a split class between qdisc instances (sched/share.c).
 *
 * A class whose leaves are served by several qdisc instances (one per
 * data-path lcore) is split: each instance runs a part of it, with a share
 * of its rates and ceilings. A vqos_share moves those shares to where the
 * demand is, so that together the parts borrow as the one class would:
 *
 *  - each part's owner reports its part's counters now and then
 *    (vqos_share_report(): bytes and packets sent, and whether a ceil
 *    bucket of the part runs short or is in debt,
 *    vqos_sched_class_stats.ceil_short and ceil_debt);
 *  - one thread, the leader, calls vqos_share_step() every few ms: from
 *    the reports it computes new shares (vqos_share_compute()) and
 *    publishes them;
 *  - each owner takes its part's new share (vqos_share_take()), applies it
 *    to its own qdisc (vqos_sched_ops.retune) and acknowledges it
 *    (vqos_share_ack()).
 *
 * The shares of every unit add up to at most the class's rate and ceiling
 * at every instant, also while they move: a move first publishes the parts
 * that lose (each value lowered to its new one), and only once every part
 * acknowledged that, the parts that gain. Until then the old and the new
 * values mix, and either way the sum holds. Each part keeps a floor of
 * 1/1024 of the class's ceiling (at least 1 unit/s) and its burst, so that
 * a part that gets demand again sends at once and is noticed at the next
 * step. Nothing here blocks or allocates after vqos_share_create(): the
 * words the threads share are atomics (one writer each), read under a
 * sequence count that a reader skips rather than waits for.
 * --------------------------------------------------------------------- */

/** Most parts a class may be split into and still share. */
#define VQOS_SHARE_PARTS_MAX 64
/** How often parts report and the leader steps, milliseconds. */
#define VQOS_SHARE_PERIOD_MS 1
/** Floor of each part, as a fraction of the class's ceiling: 1/this. */
#define VQOS_SHARE_FLOOR_DIV 1024

/** A split class: its whole rates and its parts' starting (static) shares. */
struct vqos_share_params {
	/** Parts, 2..VQOS_SHARE_PARTS_MAX. */
	uint32_t n_parts;
	/** The class's rates and ceilings. */
	struct vqos_sched_rates whole;
	/** [n_parts]: each part's static share (vqos_policy_part()'s split,
	 *  by its leaves' rates), what it starts with; the ceilings are also
	 *  the weights by which parts that all want more share the class. */
	const struct vqos_sched_rates *parts;
	/** Ticks per second of every `now` given. */
	uint64_t hz;
};

/** What one part wants, as vqos_share_compute() reads it. */
struct vqos_share_demand {
	/** It would send more: a ceil bucket of the part runs short while it
	 *  sends at least half its share (the least it ran while it sent
	 *  that), or a ceil bucket is in debt (vqos_share_step() holds this
	 *  20 ms). */
	bool pressed;
	/** What it sent lately, per unit per second (cycles: estimated from
	 *  the others, as a share of its cycles ceiling). */
	double used[VQOS_SCHED_UNITS];
};

/**
 * The shares of @p n parts of a class of rates @p whole, whose static shares
 * are @p weight[0..n), that want @p d[0..n): into @p out[0..n). Per unit with
 * a ceiling C: each part gets a floor (C / VQOS_SHARE_FLOOR_DIV, at least 1),
 * a part not pressed what it used plus a quarter (its usage may grow before
 * the next step), the pressed parts the rest in the proportion of their
 * weights (max-min fair by weight: a pressed part's fair share that it would
 * not fill goes on to the others), and what nobody wants goes to every part
 * by weight. Each part's rate is the class's rate scaled as its ceiling. The
 * ceilings add up to at most C and the rates to at most the class's rate.
 * Pure: no state, no clock.
 */
void vqos_share_compute(const struct vqos_sched_rates *whole, const struct vqos_sched_rates *weight,
			const struct vqos_share_demand *d, uint32_t n,
			struct vqos_sched_rates *out);

struct vqos_share;

/** A share for @p p; NULL on bad params (n_parts out of range, hz 0) or
 *  no memory. Its parts start at their static shares. Off the data path. */
struct vqos_share *vqos_share_create(const struct vqos_share_params *p);

/** Free it; NULL does nothing. Once no thread uses it. */
void vqos_share_free(struct vqos_share *s);

/** Owner of part @p part: its class's counters at @p now (cumulative bytes
 *  and packets, and vqos_sched_class_stats.ceil_short and ceil_debt).
 *  Never blocks. */
void vqos_share_report(struct vqos_share *s, uint32_t part, uint64_t now, uint64_t bytes,
		       uint64_t packets, bool ceil_short, bool ceil_debt);

/**
 * Owner of part @p part: the part's share, if it moved since the one of
 * generation *@p gen (0 before the first): fills @p out, sets *@p gen and
 * returns true. False when nothing moved, or while the leader writes it
 * (the next call sees it). Never blocks.
 */
bool vqos_share_take(struct vqos_share *s, uint32_t part, uint64_t *gen,
		     struct vqos_sched_rates *out);

/** Owner of part @p part: the share of generation @p gen is in effect. */
void vqos_share_ack(struct vqos_share *s, uint32_t part, uint64_t gen);

/**
 * The leader (one thread at a time): look at the reports and move
 * the shares. Returns the parts whose share it published (bit p for part p),
 * whose owners should take it soon (a sleeping owner is worth a wake-up): 0
 * when nothing moved, or while a move waits for parts to acknowledge their
 * lowered shares. Never blocks, never allocates.
 */
uint64_t vqos_share_step(struct vqos_share *s);

/** Anyone: the share part @p part has been given last (not necessarily in
 *  effect yet). */
void vqos_share_get(const struct vqos_share *s, uint32_t part, struct vqos_sched_rates *out);

/* ---------------------------------------------------------------------
 * Fast path: the calls the data path makes per burst, and the token bucket
 * every shaping kind is built of.
 * --------------------------------------------------------------------- */

/** See vqos_sched_ops.enqueue. */
static inline uint32_t vqos_sched_enqueue(struct vqos_qdisc *q, uint32_t leaf,
					  struct rte_mbuf **pkts, uint32_t n, uint64_t now)
{
	return q->ops->enqueue(q, leaf, pkts, n, now);
}

/** See vqos_sched_ops.dequeue. */
static inline uint32_t vqos_sched_dequeue(struct vqos_qdisc *q, uint64_t now,
					  struct rte_mbuf **pkts, uint32_t *leaves, uint32_t n)
{
	return q->ops->dequeue(q, now, pkts, leaves, n);
}

/** See vqos_sched_ops.set_room. */
static inline void vqos_sched_set_room(struct vqos_qdisc *q, uint32_t port, uint32_t room)
{
	q->ops->set_room(q, port, room);
}

/** See vqos_sched_ops.wake. */
static inline void vqos_sched_wake(struct vqos_qdisc *q, uint32_t leaf)
{
	q->ops->wake(q, leaf);
}

/** See vqos_sched_ops.grant. */
static inline int vqos_sched_grant(struct vqos_qdisc *q, uint64_t now, uint32_t max_pkts,
				   struct vqos_sched_grant *g)
{
	return q->ops->grant(q, now, max_pkts, g);
}

/** See vqos_sched_ops.next_event; @p now for a kind without it. */
static inline uint64_t vqos_sched_next_event(const struct vqos_qdisc *q, uint64_t now)
{
	return q->ops->next_event != NULL ? q->ops->next_event(q, now) : now;
}

/** See vqos_sched_ops.charge. */
static inline uint32_t vqos_sched_charge(struct vqos_qdisc *q, const struct vqos_sched_grant *g,
					 struct rte_mbuf **pkts, uint32_t n, uint64_t now,
					 bool more)
{
	return q->ops->charge(q, g, pkts, n, now, more);
}

/**
 * A token bucket counted in units x clock_hz: a tick adds `rate` (units per
 * second) and a unit (a byte, a packet or a cycle) costs clock_hz. This is rte_meter's
 * "whole periods" idea with a period of one tick and the units scaled so that
 * no division happens and nothing is rounded: over any time the bucket
 * accrues exactly rate x seconds. The bucket may go into debt down to `min`
 * (a packet may start while tokens >= 0 and overdraw, as in HTB).
 */
struct vqos_tb {
	/** Units per second; 0: this bucket does not exist. */
	uint64_t rate;
	/** Depth: burst x clock_hz. */
	int64_t max;
	/** Deepest debt, negative. */
	int64_t min;
	/** Ticks to refill from min to max; longer gaps are cut here. */
	uint64_t fill;
	/** Tokens as of the owner's last update time. */
	int64_t tokens;
};

/** Tokens after @p dt more ticks, without changing the bucket. */
static inline int64_t vqos_tb_peek(const struct vqos_tb *tb, uint64_t dt)
{
	int64_t t;

	if (dt >= tb->fill)
		return tb->max;
	/* dt < fill, so dt * rate < max - min + rate: no overflow */
	t = tb->tokens + (int64_t)(dt * tb->rate);
	return t > tb->max ? tb->max : t;
}

/** Take @p units (bytes, packets or cycles) from the bucket, down to its min. */
static inline void vqos_tb_take(struct vqos_tb *tb, uint64_t units, uint64_t hz)
{
	uint64_t span = (uint64_t)(tb->tokens - tb->min);

	if (units > span / hz)
		tb->tokens = tb->min;
	else
		tb->tokens -= (int64_t)(units * hz);
}

/**
 * Set up a bucket for @p rate units per second, @p depth units deep, full,
 * that may owe up to @p depth + @p debt units. Returns 0, or -ERANGE if the
 * bucket does not fit 63 bits at @p hz ticks per second.
 */
int vqos_tb_init(struct vqos_tb *tb, uint64_t rate, uint64_t depth, uint64_t debt, uint64_t hz);

#endif /* VQOS_SCHED_H */
