/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path's passes (vhost_tx/dp.c: tx_pass, rx_pass, rx_demux and the
 * migration of vqos_dp_adopt) on fake containers and fake uplinks, driven by
 * a clock the test moves: held bursts and their retry, lossless tx
 * backpressure, rx into a vring with little room, demultiplexing a shared
 * uplink by MAC (broadcast reference counts included), rx queues moved to a
 * new state, a container that goes away. Every test ends with every mbuf
 * back in its pool, exactly once.
 *
 * How the fakes get in, with dp.c unchanged:
 *
 *  - dp.c is #included below: the test calls its static passes the way
 *    vqos_dp_run() does (see pass()), and runs the very code vqosd runs.
 *    A header giving the passes external linkage would do as well, but
 *    would change vqosd's build for a test; this changes nothing there.
 *    States are built by dp_state.c, with vqos_dp_create() and
 *    vqos_dp_publish() as vqosd builds them, real htb and fifo qdiscs
 *    included; the test sets the dp's clock rate to 1e9 before publishing,
 *    so every qdisc runs on the test's nanosecond clock.
 *  - librte_vhost's calls are wrapped at link time (-Wl,--wrap=...): one
 *    fake container per vid (struct fake_dev, dp_fake.c).
 *  - rte_eth_rx_burst() and rte_eth_tx_burst() are static inline, so no link
 *    seam reaches them, and a hook in dp.c would sit in the fast path. They
 *    call through rte_eth_fp_ops[port id]: the test fills that entry of two
 *    port ids no device uses with its own burst functions and queue data, as
 *    a driver's start does (struct fake_uplink), and restores it after.
 *    Nothing is probed.
 *  - mbufs come from a real mempool, without a per-lcore cache so that its
 *    count is exact, a new one per test: dp.c frees into m->pool, and
 *    "every mbuf back exactly once" is checked by emptying the pool and
 *    looking for the same mbuf twice (pool_all_back()). So this binary
 *    starts EAL, without hugepages or devices (--no-huge -m 64 --no-pci
 *    --no-shconf --no-telemetry, a --file-prefix of its own, whose empty
 *    runtime directory it removes), which needs nothing of the machine and
 *    runs under ASan.
 *
 * Frames carry their sequence number and length and a pattern made from
 * both, checked wherever a fake takes a copy, so a frame that arrives is
 * known to be whole and which one it is.
 */
#define _GNU_SOURCE /* vhost_tx/dp.c, included below, asks RUSAGE_THREAD */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp.c"

#include "dp_fake.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Containers' MACs (in an order that is not the ports'), and others. */
static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x03 };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC_C[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_NOBODY[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint8_t MAC_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MAC_MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

#define MAX_PORTS FAKE_DEVS

static struct vqos_dp *dp;
static uint64_t clock_ns; /* the injected clock */
static struct vqos_port *ports[MAX_PORTS];
/* port.c's view of the fake uplinks: attached, link up */
static struct vqos_uplink uplinks[RTE_MAX_ETHPORTS];

/* ---------------------------------------------------------------------
 * Ports, trees, states and passes
 * --------------------------------------------------------------------- */

static struct vqos_port *port_new(unsigned int i, uint16_t eth, int vid, const uint8_t *mac)
{
	struct vqos_port *p = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*p));
	char name[16];

	assert_non_null(p);
	memset(p, 0, sizeof(*p));
	snprintf(name, sizeof(name), "c%u", i);
	p->name = strdup(name);
	uplinks[eth].eth = eth;
	uplinks[eth].attached = true;
	uplinks[eth].link_up = true;
	uplinks[eth].dp = dp;
	/* a reserve no test fills: admission refuses nothing unless a test
	 * sets a smaller one (test_rx_admit) */
	uplinks[eth].admit = (struct vqos_admit){ .reserve = FAKE_POOL_SIZE };
	p->up = &uplinks[eth];
	p->has_mac = mac != NULL;
	p->mac = mac != NULL ? vqos_dp_mac_key(mac) : 0;
	p->pool = fake_pool;
	p->dp = dp;
	p->shard = 0;
	p->vid = vid;
	/* one queue pair, on a single-queue uplink, unless a test says more */
	uplinks[eth].n_queues = 1;
	p->vrings_on = 1u << VQOS_VHOST_TXQ | 1u << VQOS_VHOST_RXQ;
	vqos_port_dp_reset(p);
	ports[i] = p;
	return p;
}

/* A class tree for @p n ports: a root of 10 Gbit/s and a leaf of 1 Gbit/s
 * (ceil 10) per port, in the order of the ports; with @p tenant, the leaves
 * under an inner class, so that their indices are not those of a flat tree.
 * Nothing here is ever shaped: the tests see the data path, not the rates. */
struct tree {
	struct vqos_sched_class_params c[2 + MAX_PORTS];
	struct vqos_sched_params p;
	uint32_t leaf[MAX_PORTS];
};

static void tree_make(struct tree *t, unsigned int n, bool tenant)
{
	uint32_t parent = tenant ? 2 : 1, k = 0;

	memset(t, 0, sizeof(*t));
	t->c[k] = (struct vqos_sched_class_params){ .id = 1,
						    .parent = VQOS_SCHED_NO_PARENT,
						    .rate_bps = 10000000000ull };
	k++;
	if (tenant) {
		t->c[k] = (struct vqos_sched_class_params){
			.id = 2, .parent = 1, .rate_bps = 5000000000ull, .ceil_bps = 10000000000ull
		};
		k++;
	}
	for (unsigned int i = 0; i < n; i++, k++) {
		t->c[k] = (struct vqos_sched_class_params){ .id = 10 + i,
							    .parent = parent,
							    .rate_bps = 1000000000ull,
							    .ceil_bps = 10000000000ull,
							    .port = i };
		t->leaf[i] = k;
	}
	t->p.n_ports = n;
	t->p.classes = t->c;
	t->p.n_classes = k;
}

/* Publish a state of @p n ports (lcore 0's part), as vqosd does. */
static void publish(struct vqos_port *const *list, unsigned int n, const struct vqos_sched_ops *tx,
		    const struct vqos_sched_ops *rx, bool rx_tenant)
{
	struct tree t[VQOS_DIR_N];
	struct vqos_dp_part part = { .ports = list, .n_ports = n };
	char err[256];

	tree_make(&t[VQOS_DIR_TX], n, false);
	tree_make(&t[VQOS_DIR_RX], n, rx_tenant);
	part.tree[VQOS_DIR_TX] = (struct vqos_dp_tree){ .ops = tx,
							.params = &t[VQOS_DIR_TX].p,
							.leaf_of_port = t[VQOS_DIR_TX].leaf };
	part.tree[VQOS_DIR_RX] = (struct vqos_dp_tree){ .ops = rx,
							.params = &t[VQOS_DIR_RX].p,
							.leaf_of_port = t[VQOS_DIR_RX].leaf };
	if (vqos_dp_publish(dp, &part, NULL, err, sizeof(err)) != 0)
		fail_msg("publish: %s", err);
}

static struct vqos_dp_state *cur_state(void)
{
	return dp->shard[0].state;
}

/* One pass of the loop of vqos_dp_run(), at the injected clock, which then
 * moves on by 10 us. Returns the packets moved. */
static unsigned int pass(void)
{
	struct vqos_dp_shard *sh = &dp->shard[0];
	unsigned int moved = state_pass(sh->state, &sh->lstats, clock_ns);

	sh->lstats.passes++;
	clock_ns += 10000;
	return moved;
}

static void passes(unsigned int n)
{
	while (n-- > 0)
		pass();
}

/* Packets waiting in rx class @p leaf of the running state. */
static uint32_t rx_backlog(uint32_t leaf)
{
	struct vqos_sched_class_stats cs;

	assert_int_equal(vqos_dp_class_stats(dp, 0, VQOS_DIR_RX, leaf, &cs), 0);
	return cs.backlog_pkts;
}

/* The leaf of the first port in tree_make()'s flat tree. */
#define LEAF0 1

/* Packets a port holds in @p b. */
static unsigned int held(const struct vqos_burst *b)
{
	return b->n - b->head;
}

static uint64_t bytes_of(uint32_t first, unsigned int n)
{
	uint64_t b = 0;

	for (unsigned int i = 0; i < n; i++)
		b += frame_len(first + i);
	return b;
}

/* seq[0..n) is first, first + 1, ... */
static void assert_seqs(const uint32_t *seq, unsigned int n, uint32_t first)
{
	for (unsigned int i = 0; i < n; i++)
		if (seq[i] != first + i)
			fail_msg("frame %u is %u, not %u", i, seq[i], first + i);
}

static void assert_list(const uint32_t *seq, unsigned int n, const uint32_t *want,
			unsigned int n_want)
{
	assert_int_equal(n, n_want);
	for (unsigned int i = 0; i < n; i++)
		if (seq[i] != want[i])
			fail_msg("frame %u is %u, not %u", i, seq[i], want[i]);
}

static uint64_t test_clock(void)
{
	return clock_ns;
}

static int setup(void **unused)
{
	unsigned int lcore = 0;

	if (fake_setup() < 0)
		return -1;
	dp = vqos_dp_create(&lcore, 1);
	if (dp == NULL)
		return -1;
	dp->hz = 1000000000; /* the qdiscs' clock: the test's, in ns */
	dp->clock = test_clock;
	clock_ns = 1000000000;
	return 0;
}

/* Frees what a failed test left, then the data path and the pool. */
static int teardown(void **unused)
{
	for (unsigned int i = 0; i < MAX_PORTS; i++) {
		if (ports[i] == NULL)
			continue;
		vqos_burst_free(&ports[i]->tx_pend);
		vqos_burst_free(&ports[i]->rx_pend);
	}
	vqos_dp_free(dp); /* and the qdiscs, with what they queue */
	dp = NULL;
	for (unsigned int i = 0; i < MAX_PORTS; i++) {
		if (ports[i] == NULL)
			continue;
		free(ports[i]->name);
		free(ports[i]);
		ports[i] = NULL;
	}
	fake_teardown();
	return 0;
}

/* One port (vid 0, on FAKE_ETH0) alone in a state whose qdiscs, both ways, are of
 * the kind the test runs with. */
static struct vqos_port *one_port(void **state)
{
	struct vqos_port *p = port_new(0, FAKE_ETH0, 0, NULL);

	publish(&p, 1, *state, *state, false);
	return p;
}

/* The uplink took the container's frames 0 .. n - 1, in order and whole,
 * counted so, none dropped; every mbuf is back. */
static void tx_all_in_order(const struct vqos_port *p, unsigned int n)
{
	const struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_TX];

	assert_int_equal(fake_up[0].n_sent, n);
	assert_seqs(fake_up[0].sent_seq, n, 0);
	assert_int_equal(fake_up[0].sent_bytes, bytes_of(0, n));
	assert_int_equal(s->offered, n);
	assert_int_equal(s->packets, n);
	assert_int_equal(s->bytes, bytes_of(0, n));
	assert_int_equal(s->drops, 0);
	pool_all_back();
}

/* The container's rx vring got the uplink's frames 0 .. n - 1, in order and
 * whole, counted so, none dropped; every mbuf is back. */
static void rx_all_in_order(const struct vqos_port *p, unsigned int n)
{
	const struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_RX];

	assert_int_equal(fake_dev[0].rx_n, n);
	assert_seqs(fake_dev[0].rx_seq, n, 0);
	assert_int_equal(s->offered, n);
	assert_int_equal(s->packets, n);
	assert_int_equal(s->bytes, bytes_of(0, n));
	assert_int_equal(s->drops, 0);
	pool_all_back();
}

/* ---------------------------------------------------------------------
 * tx
 * --------------------------------------------------------------------- */

/* The vring's backlog as DPDK 22.11 reads it after its avail index wrapped
 * (the count minus 65536): the port's backlog is still the 10 waiting, and
 * they go out. */
static void test_tx_backlog_index_wrap(void **state)
{
	struct vqos_port *p = one_port(state);

	fake_dev[0].count_wraps = true;
	dev_send(0, 0, 10);
	assert_int_equal(pass(), 10);
	assert_int_equal(p->stats[VQOS_DIR_TX].backlog, 10);
	assert_int_equal(p->stats[VQOS_DIR_TX].backlogged, 0);
	assert_int_equal(p->stats[VQOS_DIR_TX].packets, 10);
	fake_dev[0].count_wraps = false;
}

/* The uplink takes 10 of a burst of 32: the other 22 are held, in order, and
 * leave first on the next passes; the vring is not read while any is held,
 * so no younger packet overtakes them. */
static void test_tx_held_retry(void **state)
{
	struct vqos_port *p = one_port(state);
	struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_TX];

	dev_send(0, 0, 64);
	fake_up[0].take = 10;

	/* woken, granted 32, dequeued 32; 10 sent, 22 held */
	assert_int_equal(pass(), 10);
	assert_int_equal(fake_up[0].n_sent, 10);
	assert_int_equal(held(&p->tx_pend), 22);
	assert_int_equal(fake_dev[0].tx_n - fake_dev[0].tx_head, 32);
	assert_int_equal(s->offered, 32);
	assert_int_equal(s->packets, 10);
	assert_int_equal(s->bytes, bytes_of(0, 10));
	assert_int_equal(s->uplink_full, 22);
	assert_int_equal(s->backlog, 64);
	assert_int_equal(s->backlogged, 1);
	assert_false(p->tx_woken);

	/* the held ones first, 10 more; the vring is not dequeued, though
	 * the container queues more */
	dev_send(0, 64, 8);
	assert_int_equal(pass(), 10);
	assert_int_equal(fake_up[0].n_sent, 20);
	assert_int_equal(held(&p->tx_pend), 12);
	assert_int_equal(fake_dev[0].dequeues, 1);
	assert_int_equal(s->offered, 32);
	assert_int_equal(s->uplink_full, 22); /* refused again: counted once */

	/* room: the last 12 held, then the vring: 32, then 8, short of the
	 * grant, which takes the leaf out of the schedule */
	fake_up[0].take = 32;
	assert_int_equal(pass(), 12 + 32 + 8);
	assert_int_equal(held(&p->tx_pend), 0);
	assert_int_equal(fake_dev[0].tx_n - fake_dev[0].tx_head, 0);
	assert_int_equal(fake_dev[0].dequeues, 3);
	assert_false(p->tx_woken);
	assert_int_equal(s->backlogged, 2);
	assert_int_equal(pass(), 0);
	assert_int_equal(fake_dev[0].dequeues, 3);

	assert_int_equal(s->uplink_full, 22);
	tx_all_in_order(p, 72);
}

/* An uplink that takes nothing for 200 passes: vqosd holds one burst, does
 * not read the container's vring again (its backlog waits there), and drops
 * nothing; then everything leaves, in order. */
static void test_tx_uplink_full_lossless(void **state)
{
	struct vqos_port *p = one_port(state);
	struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_TX];

	dev_send(0, 0, 100);
	fake_up[0].take = 0;

	passes(200);
	assert_int_equal(fake_dev[0].dequeues, 1);
	assert_int_equal(fake_dev[0].tx_n - fake_dev[0].tx_head, 68);
	assert_int_equal(held(&p->tx_pend), 32);
	assert_int_equal(fake_up[0].n_sent, 0);
	assert_int_equal(fake_up[0].tx_calls, 200);
	assert_int_equal(s->offered, 32);
	assert_int_equal(s->packets, 0);
	assert_int_equal(s->uplink_full, 32); /* each refused packet once */
	assert_int_equal(s->drops, 0);
	assert_int_equal(s->backlog, 100); /* as last seen: not looked at since */

	fake_up[0].take = UINT16_MAX;
	assert_int_equal(pass(), 100);
	assert_int_equal(pass(), 0);
	assert_int_equal(s->uplink_full, 32);
	tx_all_in_order(p, 100);
}

/* One port whose tx leaf (under a root of the same) may send @p bps, with
 * buckets of @p burst bytes; rx the flat tree. A new qdisc each time. */
static void publish_tx_rate(struct vqos_port *p, uint64_t bps, uint32_t burst)
{
	const struct vqos_sched_class_params tx[2] = {
		{ .id = 1,
		  .parent = VQOS_SCHED_NO_PARENT,
		  .rate_bps = bps,
		  .burst = burst,
		  .cburst = burst },
		{ .id = 10,
		  .parent = 1,
		  .rate_bps = bps,
		  .ceil_bps = bps,
		  .burst = burst,
		  .cburst = burst,
		  .port = 0 },
	};
	struct vqos_sched_params tp = { .n_ports = 1, .classes = tx, .n_classes = 2 };
	uint32_t tx_leaf = 1;
	struct vqos_dp_part part = { .ports = &p, .n_ports = 1 };
	struct tree rx;
	char err[256];

	tree_make(&rx, 1, false);
	part.tree[VQOS_DIR_TX] = (struct vqos_dp_tree){ .ops = &vqos_htb_ops,
							.params = &tp,
							.leaf_of_port = &tx_leaf };
	part.tree[VQOS_DIR_RX] = (struct vqos_dp_tree){ .ops = &vqos_htb_ops,
							.params = &rx.p,
							.leaf_of_port = rx.leaf };
	if (vqos_dp_publish(dp, &part, NULL, err, sizeof(err)) != 0)
		fail_msg("publish: %s", err);
}

/*
 * A change of a class under load (8 to 16 Mbit/s, buckets of 2 KB to 20 KB)
 * rebuilds the qdisc; its class takes over the old one's empty buckets, so
 * the first pass after the change sends what 10 us at the new rate allow
 * (a frame, whose bytes become debt), not a whole 20 KB burst, and the next
 * 10 ms send 10 ms of the new rate. Before vqos_sched_carry() the new qdisc
 * started with full buckets: a burst extra at every change.
 */
static void test_tx_change_carries_tokens(void **unused)
{
	struct vqos_port *p = port_new(0, FAKE_ETH0, 0, NULL);
	uint64_t b0, b1;

	publish_tx_rate(p, 8000000, 2000);
	dev_send(0, 0, FAKE_MAX);
	passes(1000); /* 10 ms at 1 byte a us: the bucket is long empty */
	b0 = fake_up[0].sent_bytes;
	assert_true(b0 >= 10000 && b0 <= 12000 + 120);

	publish_tx_rate(p, 16000000, 20000);
	pass();
	b1 = fake_up[0].sent_bytes;
	print_message("first pass after the change: %llu bytes\n", (unsigned long long)(b1 - b0));
	assert_true(b1 - b0 <= 120); /* one frame at most, not 20 KB */
	passes(1000);
	print_message("next 10 ms: %llu bytes\n", (unsigned long long)(fake_up[0].sent_bytes - b1));
	/* 10 ms at 2 bytes a us, give or take a frame at each end; and a class
	 * out of CAN sends again once it holds a full-size frame's tokens (htb's
	 * back floor, 1518 bytes), which the window's end may still hold */
	assert_true(fake_up[0].sent_bytes - b1 >= 20000 - 1518 - 240 &&
		    fake_up[0].sent_bytes - b1 <= 20000 + 240);
	assert_int_equal(p->stats[VQOS_DIR_TX].drops, 0);
	pool_all_back();
}

/*
 * Borrowing across lcores (dp_share.c): a root of 2 Mbit/s split between two
 * lcores, 1 and 1, a leaf of ceil 2 Mbit/s under each part. Only lcore 0's
 * container sends: its part is pressed, lcore 1's idle, and the passes'
 * ticks move the root's share to lcore 0, which then sends the whole root's
 * 2 Mbit/s, not its 1. Both lcores' passes run in turn on the test's clock.
 */
static void test_tx_lends_across_lcores(void **unused)
{
	const struct vqos_sched_class_params whole_c[3] = {
		{ .id = 1,
		  .parent = VQOS_SCHED_NO_PARENT,
		  .rate_bps = 2000000,
		  .burst = 2000,
		  .cburst = 2000 },
		{ .id = 10, .parent = 1, .rate_bps = 1000000, .ceil_bps = 2000000, .port = 0 },
		{ .id = 11, .parent = 1, .rate_bps = 1000000, .ceil_bps = 2000000, .port = 1 },
	};
	struct vqos_sched_class_params part_c[2][2];
	struct vqos_sched_params whole = { .n_ports = 2, .classes = whole_c, .n_classes = 3 };
	struct vqos_sched_params pp[2];
	struct vqos_dp_part parts[2];
	struct vqos_port *p[2];
	unsigned int lcores[2] = { 0, 1 };
	uint32_t leaf = 1;
	struct vqos_sched_rates r;
	uint64_t b0;
	char err[256];

	vqos_dp_free(dp);
	dp = vqos_dp_create(lcores, 2);
	assert_non_null(dp);
	dp->hz = 1000000000;
	dp->clock = test_clock;
	dp->share_period_cycles = VQOS_SHARE_PERIOD_MS * 1000000ull;
	p[0] = port_new(0, FAKE_ETH0, 0, NULL);
	p[1] = port_new(1, FAKE_ETH1, 1, NULL);
	p[1]->shard = 1;
	for (unsigned int k = 0; k < 2; k++) {
		/* each part: the root at half, its own leaf (port 0 of the part) */
		part_c[k][0] = whole_c[0];
		part_c[k][0].rate_bps = 1000000;
		part_c[k][1] = whole_c[1 + k];
		part_c[k][1].port = 0;
		pp[k] = (struct vqos_sched_params){
			.n_ports = 1, .classes = part_c[k], .n_classes = 2, .allow_overcommit = true
		};
		parts[k] = (struct vqos_dp_part){ .ports = &p[k], .n_ports = 1 };
		for (int d = 0; d < VQOS_DIR_N; d++)
			parts[k].tree[d] = (struct vqos_dp_tree){ .ops = &vqos_htb_ops,
								  .params = &pp[k],
								  .leaf_of_port = &leaf,
								  .whole = &whole };
	}
	if (vqos_dp_publish(dp, parts, NULL, err, sizeof(err)) != 0)
		fail_msg("publish: %s", err);
	/* the root of each direction is split: one share, led by lcore 0 */
	for (int d = 0; d < VQOS_DIR_N; d++) {
		assert_non_null(dp->board[d]);
		assert_int_equal(dp->board[d]->n, 1);
		assert_int_equal(dp->board[d]->leader, 0);
	}
	assert_int_equal(dp->shard[0].state->n_shares, 2);
	assert_int_equal(dp->shard[1].state->n_shares, 2);
	assert_non_null(dp->shard[0].state->lead[VQOS_DIR_TX]);
	assert_null(dp->shard[1].state->lead[VQOS_DIR_TX]);

	dev_send(0, 0, FAKE_MAX);
	for (unsigned int i = 0; i < 3000; i++) { /* 30 ms */
		for (unsigned int k = 0; k < 2; k++) {
			struct vqos_dp_shard *sh = &dp->shard[k];

			state_pass(sh->state, &sh->lstats, clock_ns);
			vqos_dp_share_tick(dp, sh->state, k, clock_ns);
		}
		clock_ns += 10000;
	}
	b0 = fake_up[0].sent_bytes;
	for (unsigned int i = 0; i < 10000; i++) { /* 100 ms */
		for (unsigned int k = 0; k < 2; k++) {
			struct vqos_dp_shard *sh = &dp->shard[k];

			state_pass(sh->state, &sh->lstats, clock_ns);
			vqos_dp_share_tick(dp, sh->state, k, clock_ns);
		}
		clock_ns += 10000;
	}
	print_message("lcore 0 alone: %.3f Mbit/s of the root's 2\n",
		      (double)(fake_up[0].sent_bytes - b0) * 8 / 0.1 / 1e6);
	/* lcore 0's part took the root's share less lcore 1's floor (1/1024) */
	vqos_share_get(dp->board[VQOS_DIR_TX]->cl[0].share, 0, &r);
	assert_true(r.ceil[VQOS_SCHED_BPS] >= 2000000 * 99 / 100);
	assert_true(dp->shard[0].state->shares[0].gen > 1);
	vqos_share_get(dp->board[VQOS_DIR_TX]->cl[0].share, 1, &r);
	assert_int_equal(r.ceil[VQOS_SCHED_BPS], 2000000 / VQOS_SHARE_FLOOR_DIV);
	/* and sent well above its 1 Mbit/s, at most the root's 2 Mbit/s x
	 * 100 ms plus the bucket and a batch's overshoot (32 x 120 bytes) */
	assert_true(fake_up[0].sent_bytes - b0 >= 25000 * 3 / 4);
	assert_true(fake_up[0].sent_bytes - b0 <= 25000 + 2000 + 32 * 120);
	assert_int_equal(fake_up[1].n_sent, 0);
	vqos_burst_free(&p[0]->tx_pend);
	vqos_dp_clear(dp);
	pool_all_back();
}

/* ---------------------------------------------------------------------
 * rx
 * --------------------------------------------------------------------- */

/* A vring with room for 5 of 20: 5 go in; the qdisc keeps the other 15 and
 * those that come while the vring is full; when room comes back all go in,
 * in order. */
static void test_rx_room(void **state)
{
	struct vqos_port *p = one_port(state);
	struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_RX];

	uplink_recv_n(&fake_up[0], MAC_A, 0, 20);
	fake_dev[0].rx_room = 5;

	assert_int_equal(pass(), 5);
	assert_int_equal(fake_dev[0].rx_n, 5);
	assert_int_equal(rx_backlog(LEAF0), 15);
	assert_int_equal(held(&p->rx_pend), 0);
	assert_int_equal(s->offered, 20);
	assert_int_equal(s->packets, 5);
	assert_int_equal(s->vring_full, 0); /* it took all it was given */

	/* a full vring and nothing new: no pass counts it */
	assert_int_equal(pass(), 0);
	assert_int_equal(s->vring_full, 0);
	/* frames come while it is full: counted once, and queued */
	uplink_recv_n(&fake_up[0], MAC_A, 20, 3);
	assert_int_equal(pass(), 0);
	assert_int_equal(s->vring_full, 1);
	assert_int_equal(rx_backlog(LEAF0), 18);

	fake_dev[0].rx_room = 100;
	assert_int_equal(pass(), 18);
	assert_int_equal(rx_backlog(LEAF0), 0);
	assert_int_equal(s->vring_full, 1);
	rx_all_in_order(p, 23);
}

/* A vring that says it has 32 free entries but takes 5: the 27 the qdisc
 * released are held by the port, in order, retried first on the next
 * passes, and nothing queued behind them overtakes them. */
static void test_rx_refused_held(void **state)
{
	struct vqos_port *p = one_port(state);
	struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_RX];

	uplink_recv_n(&fake_up[0], MAC_A, 0, 40);
	fake_dev[0].avail = 32;
	fake_dev[0].rx_room = 5;

	/* a burst of 32 received and released; 5 copied, 27 held */
	assert_int_equal(pass(), 5);
	assert_int_equal(held(&p->rx_pend), 27);
	assert_int_equal(s->vring_full, 1);

	/* the other 8 arrive and queue; 10 held ones go in; the vring refused
	 * the rest (counted) and took none of a pass that brought it frames
	 * (counted again) */
	fake_dev[0].rx_room = 10;
	assert_int_equal(pass(), 10);
	assert_int_equal(held(&p->rx_pend), 17);
	assert_int_equal(rx_backlog(LEAF0), 8);
	assert_int_equal(s->vring_full, 3);

	/* room: the 17 held, then the 8 queued */
	fake_dev[0].avail = -1;
	fake_dev[0].rx_room = 100;
	assert_int_equal(pass(), 25);
	assert_int_equal(held(&p->rx_pend), 0);
	assert_int_equal(s->vring_full, 3);
	rx_all_in_order(p, 40);
}

/* The same vring, saying it has 200 free entries, with 96 frames queued for
 * it: once it refuses a copy, the qdisc releases nothing more for it in that
 * pass, so what the port holds stays within one burst (the held burst has
 * room for VQOS_PEND_MAX). */
static void test_rx_refused_stops_release(void **state)
{
	struct vqos_port *p = one_port(state);
	struct vqos_dp_dir_stats *s = &p->stats[VQOS_DIR_RX];

	uplink_recv_n(&fake_up[0], MAC_A, 0, 96);
	fake_dev[0].rx_room = 0;
	passes(3);
	assert_int_equal(rx_backlog(LEAF0), 96);
	assert_int_equal(s->vring_full, 3);

	fake_dev[0].avail = 200;
	fake_dev[0].rx_room = 5;
	assert_int_equal(pass(), 5);
	assert_int_equal(held(&p->rx_pend), 27);
	assert_int_equal(rx_backlog(LEAF0), 64);
	assert_int_equal(s->vring_full, 4);

	fake_dev[0].avail = -1;
	fake_dev[0].rx_room = 200;
	assert_int_equal(pass(), 91);
	assert_int_equal(s->vring_full, 4);
	rx_all_in_order(p, 96);
}

/* ---------------------------------------------------------------------
 * A shared uplink
 * --------------------------------------------------------------------- */

/* Three ports on one uplink, given in an order that is not their MACs'. */
static void shared_three(void)
{
	struct vqos_port *list[3] = {
		port_new(0, FAKE_ETH0, 0, MAC_A),
		port_new(1, FAKE_ETH0, 1, MAC_B),
		port_new(2, FAKE_ETH0, 2, MAC_C),
	};

	publish(list, 3, &vqos_htb_ops, &vqos_htb_ops, false);
	assert_int_equal(cur_state()->n_up, 1);
	assert_int_equal(cur_state()->up[0].n, 3);
}

/* Unicast to the port of its MAC (runs of one MAC and a frame of two
 * segments among them), broadcast and multicast to every port (one mbuf,
 * freed once by each), unknown MACs and a runt dropped and counted. */
static void test_demux(void **unused)
{
	struct vqos_dp_lcore_stats *ls;
	struct rte_mbuf *runt;
	static const uint32_t want_a[] = { 2, 3, 6, 7 }, want_b[] = { 0, 1, 3, 7, 8, 9 },
			      want_c[] = { 3, 4, 7 };

	shared_three();
	ls = &dp->shard[0].lstats;
	uplink_recv(&fake_up[0], MAC_B, 0, 1);
	uplink_recv(&fake_up[0], MAC_B, 1, 1);
	uplink_recv(&fake_up[0], MAC_A, 2, 1);
	uplink_recv(&fake_up[0], MAC_BCAST, 3, 1);
	uplink_recv(&fake_up[0], MAC_C, 4, 1);
	uplink_recv(&fake_up[0], MAC_NOBODY, 5, 1);
	uplink_recv(&fake_up[0], MAC_A, 6, 1);
	uplink_recv(&fake_up[0], MAC_MCAST, 7, 1);
	uplink_recv(&fake_up[0], MAC_B, 8, 1);
	uplink_recv(&fake_up[0], MAC_B, 9, 2);
	/* 4 bytes: not even a destination MAC */
	runt = rte_pktmbuf_alloc(fake_pool);
	assert_non_null(runt);
	memset(rte_pktmbuf_append(runt, 4), 0x02, 4);
	fake_up[0].rxq[fake_up[0].rx_n++] = runt;

	assert_int_equal(pass(), 4 + 6 + 3);
	assert_list(fake_dev[0].rx_seq, fake_dev[0].rx_n, want_a, ARRAY_SIZE(want_a));
	assert_list(fake_dev[1].rx_seq, fake_dev[1].rx_n, want_b, ARRAY_SIZE(want_b));
	assert_list(fake_dev[2].rx_seq, fake_dev[2].rx_n, want_c, ARRAY_SIZE(want_c));
	assert_int_equal(ls->unknown_dst, 2);
	assert_int_equal(ports[0]->stats[VQOS_DIR_RX].offered, 4);
	assert_int_equal(ports[1]->stats[VQOS_DIR_RX].offered, 6);
	assert_int_equal(ports[2]->stats[VQOS_DIR_RX].offered, 3);
	assert_int_equal(ports[0]->stats[VQOS_DIR_RX].bytes,
			 frame_len(2) + frame_len(3) + frame_len(6) + frame_len(7));
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(ports[i]->stats[VQOS_DIR_RX].packets, fake_dev[i].rx_n);
		assert_int_equal(ports[i]->stats[VQOS_DIR_RX].drops, 0);
	}
	pool_all_back();
}

/*
 * A broadcast frame of three segments to three ports: each gets it whole,
 * and each segment goes back to the pool once, after the last port.
 *
 * The bug it caught: rx_demux raised the reference count of the first
 * segment only (rte_mbuf_refcnt_update), while freeing a frame walks every
 * segment of its chain, so the first port to free the frame returned
 * segments 2 and 3 to the pool while the other ports still held it: they
 * copied a frame cut short, and the pool ended with 1002 mbufs for 1000.
 */
static void test_demux_broadcast_multiseg(void **unused)
{
	shared_three();
	uplink_recv(&fake_up[0], MAC_BCAST, 7, 3);
	assert_int_equal(fake_up[0].rxq[0]->nb_segs, 3);

	assert_int_equal(pass(), 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(fake_dev[i].rx_n, 1);
		if (fake_dev[i].rx_seq[0] != 7)
			fail_msg("c%u copied the broadcast frame cut short: its later segments "
				 "were freed by a port before it",
				 i);
		assert_int_equal(ports[i]->stats[VQOS_DIR_RX].bytes, frame_len(7));
	}
	pool_all_back();
}

/* A port of a shared uplink whose container is gone: its unicast frames and
 * its reference to a broadcast frame are dropped and counted, the other ports
 * get the broadcast, and its mbuf goes back to the pool once. */
static void test_demux_gone_port(void **unused)
{
	static const uint32_t want_a[] = { 1, 2 }, want_c[] = { 1 };

	shared_three();
	__atomic_store_n(&ports[1]->vid, -1, __ATOMIC_RELEASE);
	uplink_recv(&fake_up[0], MAC_B, 0, 1);
	uplink_recv(&fake_up[0], MAC_BCAST, 1, 1);
	uplink_recv(&fake_up[0], MAC_A, 2, 1);

	assert_int_equal(pass(), 3);
	assert_list(fake_dev[0].rx_seq, fake_dev[0].rx_n, want_a, ARRAY_SIZE(want_a));
	assert_list(fake_dev[2].rx_seq, fake_dev[2].rx_n, want_c, ARRAY_SIZE(want_c));
	assert_int_equal(fake_dev[1].rx_n, 0);
	assert_int_equal(ports[1]->stats[VQOS_DIR_RX].offered, 2);
	assert_int_equal(ports[1]->stats[VQOS_DIR_RX].drops, 2);
	assert_int_equal(ports[1]->stats[VQOS_DIR_RX].packets, 0);
	assert_int_equal(dp->shard[0].lstats.unknown_dst, 0);
	pool_all_back();
}

/* Container @p i reads its rx vring: it gets the @p n frames its port held,
 * @p first and on, and the port holds none. */
static void rx_reads(unsigned int i, unsigned int n, uint32_t first)
{
	fake_dev[i].rx_room = FAKE_MAX;
	passes(2);
	assert_int_equal(fake_dev[i].rx_n, n);
	assert_seqs(fake_dev[i].rx_seq, n, first);
	assert_int_equal(ports[i]->rx_held, 0);
}

/*
 * Admission to a shared uplink's mbufs (admit.h), reserve 4 and a shared
 * region of 60: A's container takes nothing, so A keeps its reserve and
 * half the region (30), and what comes beyond is dropped and counted as
 * admit_drops. B, stuck too, then gets half of what is left (15). C, whose
 * container reads, still gets every frame. When B's, then A's, containers
 * read, everything they held is delivered and every count is back to 0.
 */
static void test_rx_admit(void **unused)
{
	struct vqos_admit *a = &uplinks[FAKE_ETH0].admit;
	struct vqos_dp_dir_stats *sa, *sb, *sc;

	shared_three();
	sa = &ports[0]->stats[VQOS_DIR_RX];
	sb = &ports[1]->stats[VQOS_DIR_RX];
	sc = &ports[2]->stats[VQOS_DIR_RX];
	*a = (struct vqos_admit){ .reserve = 4, .shared = 60 };
	fake_dev[0].rx_room = fake_dev[1].rx_room = 0;

	uplink_recv_n(&fake_up[0], MAC_A, 0, 100);
	passes(10);
	assert_int_equal(ports[0]->rx_held, 4 + 30);
	assert_int_equal(a->used, 30);
	assert_int_equal(sa->admit_drops, 66);
	assert_int_equal(sa->drops, 66);

	uplink_recv_n(&fake_up[0], MAC_B, 100, 50);
	passes(10);
	assert_int_equal(ports[1]->rx_held, 4 + 15);
	assert_int_equal(a->used, 45);
	assert_int_equal(sb->admit_drops, 31);

	uplink_recv_n(&fake_up[0], MAC_C, 200, 10);
	passes(2);
	assert_int_equal(fake_dev[2].rx_n, 10);
	assert_seqs(fake_dev[2].rx_seq, 10, 200);
	assert_int_equal(sc->drops, 0);
	assert_int_equal(ports[2]->rx_held, 0);
	assert_int_equal(a->used, 45);

	rx_reads(1, 19, 100);
	assert_int_equal(a->used, 30);
	rx_reads(0, 34, 0);
	assert_int_equal(a->used, 0);
	assert_int_equal(sa->offered, 100);
	assert_int_equal(sa->packets + sa->drops, 100);
	pool_all_back();
}

/* ---------------------------------------------------------------------
 * A new state: rx queues move (vqos_dp_adopt)
 * --------------------------------------------------------------------- */

/*
 * Two ports, each on its uplink, whose containers take nothing: their frames
 * wait in the rx fifo. A new state with the ports in the other order and an
 * htb tree of another shape takes them over, in order, and later frames
 * queue behind them. A third state without port 0: its queued frames are
 * dropped and counted on it, port 1's move again.
 */
static void test_migrate(void **unused)
{
	struct vqos_port *p0 = port_new(0, FAKE_ETH0, 0, NULL),
			 *p1 = port_new(1, FAKE_ETH1, 1, NULL);
	struct vqos_port *list_a[2] = { p0, p1 }, *list_b[2] = { p1, p0 };
	struct vqos_dp_dir_stats *s0 = &p0->stats[VQOS_DIR_RX], *s1 = &p1->stats[VQOS_DIR_RX];

	publish(list_a, 2, &vqos_htb_ops, &vqos_fifo_ops, false);
	fake_dev[0].rx_room = fake_dev[1].rx_room = 0;
	uplink_recv_n(&fake_up[0], MAC_A, 0, 10);
	uplink_recv_n(&fake_up[1], MAC_A, 100, 10);
	assert_int_equal(pass(), 0);
	assert_int_equal(rx_backlog(1), 10);
	assert_int_equal(rx_backlog(2), 10);

	/* B: p1 is port 0 and p0 port 1; leaves 2 and 3 under a tenant */
	publish(list_b, 2, &vqos_htb_ops, &vqos_htb_ops, true);
	assert_true(cur_state()->adopted);
	assert_int_equal(rx_backlog(2), 10); /* p1 */
	assert_int_equal(rx_backlog(3), 10); /* p0 */
	assert_int_equal(s0->drops + s1->drops, 0);
	/* moved, not let go: still held by their ports */
	assert_int_equal(p0->rx_held, 10);
	assert_int_equal(p1->rx_held, 10);

	uplink_recv_n(&fake_up[0], MAC_A, 10, 5);
	uplink_recv_n(&fake_up[1], MAC_A, 110, 5);
	fake_dev[0].rx_room = fake_dev[1].rx_room = 100;
	assert_int_equal(pass(), 30);
	assert_int_equal(fake_dev[0].rx_n, 15);
	assert_seqs(fake_dev[0].rx_seq, 15, 0);
	assert_int_equal(fake_dev[1].rx_n, 15);
	assert_seqs(fake_dev[1].rx_seq, 15, 100);

	/* C: without p0 */
	fake_dev[0].rx_room = fake_dev[1].rx_room = 0;
	uplink_recv_n(&fake_up[0], MAC_A, 20, 5);
	uplink_recv_n(&fake_up[1], MAC_A, 120, 5);
	assert_int_equal(pass(), 0);
	publish(&p1, 1, &vqos_htb_ops, &vqos_htb_ops, false);
	assert_int_equal(s0->drops, 5);
	assert_int_equal(s1->drops, 0);
	assert_int_equal(rx_backlog(1), 5);
	assert_int_equal(p0->rx_held, 0); /* dropped: held no more */
	assert_int_equal(p1->rx_held, 5);
	fake_dev[1].rx_room = 100;
	assert_int_equal(pass(), 5);
	assert_int_equal(fake_dev[1].rx_n, 20);
	assert_seqs(fake_dev[1].rx_seq + 15, 5, 120);

	assert_int_equal(s0->offered, 20);
	assert_int_equal(s0->packets, 15);
	assert_int_equal(s1->offered, 20);
	assert_int_equal(s1->packets, 20);
	assert_int_equal(s1->bytes, bytes_of(100, 15) + bytes_of(120, 5));
	pool_all_back();
}

/*
 * The check vqosd runs on a pool as it closes: one mbuf freed twice while
 * another is still out leaves the free count at the pool's size, which a
 * count alone takes for whole (what happened with multi-segment
 * broadcasts); vqos_pool_distinct() counts each mbuf once and finds one
 * missing, also when mbufs sit in an lcore's cache.
 */
static void test_pool_double_free_seen(void **unused)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("test_dp_dbl", 64, 8, 0, 256, 0);
	struct rte_mbuf *a, *b, *m[8];

	assert_non_null(mp);
	assert_int_equal(vqos_pool_distinct(mp), 64);
	/* through this lcore's cache, and back: still whole */
	assert_int_equal(rte_pktmbuf_alloc_bulk(mp, m, 8), 0);
	rte_pktmbuf_free_bulk(m, 8);
	assert_int_equal(vqos_pool_distinct(mp), 64);
	a = rte_pktmbuf_alloc(mp);
	b = rte_pktmbuf_alloc(mp);
	assert_non_null(a);
	assert_non_null(b);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(a); /* a second time: a is in the pool twice */
	assert_int_equal(rte_mempool_avail_count(mp), 64);
	assert_int_equal(vqos_pool_distinct(mp), 63);
	rte_mempool_free(mp);
	(void)b; /* its memory went with the pool */
}

/* ---------------------------------------------------------------------
 * A container that goes away
 * --------------------------------------------------------------------- */

/*
 * A port holding packets both ways when its container goes (vid -1): the rx
 * frames it held, those its leaf queued and those that still arrive are
 * dropped and counted; the tx packets already taken from the container still
 * go to the uplink; its vring is not touched again.
 */
static void test_disconnected(void **state)
{
	struct vqos_port *p = one_port(state);
	struct vqos_dp_dir_stats *tx = &p->stats[VQOS_DIR_TX], *rx = &p->stats[VQOS_DIR_RX];

	dev_send(0, 0, 40);
	fake_up[0].take = 10;
	uplink_recv_n(&fake_up[0], MAC_A, 100, 30);
	fake_dev[0].avail = 20;
	fake_dev[0].rx_room = 5;

	/* tx: 10 sent, 22 held; rx: 20 released, 5 copied, 15 held, 10 queued */
	assert_int_equal(pass(), 10 + 5);
	assert_int_equal(held(&p->tx_pend), 22);
	assert_int_equal(held(&p->rx_pend), 15);
	assert_int_equal(rx_backlog(LEAF0), 10);

	__atomic_store_n(&p->vid, -1, __ATOMIC_RELEASE);
	uplink_recv_n(&fake_up[0], MAC_A, 130, 7);
	assert_int_equal(pass(), 10);
	assert_int_equal(rx->drops, 7 + 15 + 10);
	assert_int_equal(held(&p->rx_pend), 0);
	assert_int_equal(rx_backlog(LEAF0), 0);
	assert_int_equal(rx->offered, 37);
	assert_int_equal(rx->packets, 5);

	fake_up[0].take = UINT16_MAX;
	assert_int_equal(pass(), 12);
	assert_int_equal(pass(), 0);
	assert_int_equal(fake_up[0].n_sent, 32);
	assert_seqs(fake_up[0].sent_seq, 32, 0);
	assert_int_equal(tx->packets, 32);
	assert_int_equal(tx->drops, 0);
	assert_int_equal(fake_dev[0].dequeues, 1);
	assert_int_equal(fake_dev[0].tx_n - fake_dev[0].tx_head, 8); /* still in its vring */
	assert_int_equal(fake_dev[0].rx_n, 5);
	pool_all_back();
}

/* ---------------------------------------------------------------------
 * main: EAL without hugepages or devices
 * --------------------------------------------------------------------- */

/* ---------------------------------------------------------------------
 * Multi-queue ports
 * --------------------------------------------------------------------- */

/* One port (vid 0, on FAKE_ETH0) whose container enabled @p pairs queue
 * pairs, on an uplink of @p up_queues queues. */
static struct vqos_port *mq_port(void **state, unsigned int pairs, uint16_t up_queues)
{
	struct vqos_port *p = port_new(0, FAKE_ETH0, 0, NULL);

	p->vrings_on = (1u << (2 * pairs)) - 1;
	uplinks[FAKE_ETH0].n_queues = up_queues;
	publish(&p, 1, *state, *state, false);
	return p;
}

/* Container queue q sends frames q * 1000 + 0 .. n - 1. */
static void mq_send(unsigned int pairs, unsigned int n)
{
	for (unsigned int q = 0; q < pairs; q++)
		dev_send_q(0, q, q * 1000, n);
}

/* What the uplink sent, split by the container queue its frames came from
 * (seq / 1000): each in order, all n of each; with @p up_queues > 0, each
 * on uplink queue q mod up_queues. */
static void mq_sent_per_queue(unsigned int pairs, unsigned int n, unsigned int up_queues)
{
	unsigned int next[FAKE_QP] = { 0 };
	const struct fake_uplink *u = &fake_up[0];

	assert_int_equal(u->n_sent, pairs * n);
	for (unsigned int i = 0; i < u->n_sent; i++) {
		uint32_t seq = u->sent_seq[i], q = seq / 1000;

		assert_true(seq != UINT32_MAX);
		assert_in_range(q, 0, pairs - 1);
		if (seq != q * 1000 + next[q])
			fail_msg("frame %u from container queue %u is %u, not %u", i, q, seq,
				 q * 1000 + next[q]);
		next[q]++;
		if (up_queues > 0)
			assert_int_equal(u->sent_q[i], q % up_queues);
	}
}

/* Four container queues, four uplink queues: every queue is read (round
 * robin: the first grants take from each in turn, not from queue 0 until it
 * is dry), queue q's frames go out on uplink queue q, in order; the backlog
 * is the sum of the queues'. */
static void test_mq_tx(void **state)
{
	struct vqos_port *p = mq_port(state, 4, 4);

	mq_send(4, 40);
	pass();
	assert_int_equal(p->stats[VQOS_DIR_TX].backlog, 160);
	passes(10);
	/* grants of 32: the first from queue 0, the next from queue 1 where
	 * that one stopped, ... */
	for (unsigned int g = 0; g < 4; g++)
		for (unsigned int i = 0; i < 32; i++)
			assert_int_equal(fake_up[0].sent_seq[32 * g + i], g * 1000 + i);
	mq_sent_per_queue(4, 40, 4);
	assert_int_equal(p->stats[VQOS_DIR_TX].packets, 160);
	pool_all_back();
}

/* Four container queues, a single-queue uplink: all on its queue 0, each
 * container queue's frames in order; three queues on two uplink queues:
 * q mod 2. */
static void test_mq_tx_fewer_uplink_queues(void **state)
{
	mq_port(state, 4, 1);
	mq_send(4, 40);
	passes(10);
	mq_sent_per_queue(4, 40, 1);
	pool_all_back();
	teardown(NULL);

	setup(NULL);
	mq_port(state, 3, 2);
	mq_send(3, 50);
	passes(10);
	mq_sent_per_queue(3, 50, 2);
	pool_all_back();
}

/* Uplink queue 2 takes nothing: what it refused is held with what follows
 * it; no container queue's frames overtake each other, none is lost, and
 * the port reads no vring while it holds. Then it takes again. */
static void test_mq_tx_held(void **state)
{
	struct vqos_port *p = mq_port(state, 4, 4);
	unsigned int dq;

	mq_send(4, 40);
	fake_up[0].upq[2].take = 0;
	passes(8);
	assert_true(held(&p->tx_pend) > 0);
	dq = fake_dev[0].dequeues + fake_qp(0, 1)->dequeues + fake_qp(0, 2)->dequeues +
	     fake_qp(0, 3)->dequeues;
	passes(20);
	assert_int_equal(fake_dev[0].dequeues + fake_qp(0, 1)->dequeues + fake_qp(0, 2)->dequeues +
				 fake_qp(0, 3)->dequeues,
			 dq);
	for (unsigned int i = 0; i < fake_up[0].n_sent; i++)
		assert_int_not_equal(fake_up[0].sent_seq[i] / 1000, 2);
	assert_int_equal(p->stats[VQOS_DIR_TX].drops, 0);
	fake_up[0].upq[2].take = UINT16_MAX;
	passes(20);
	assert_int_equal(held(&p->tx_pend), 0);
	mq_sent_per_queue(4, 40, 4);
	pool_all_back();
}

/* A container that enables queue pairs after it came, and disables one: the
 * data path reads what is enabled, and only that. */
static void test_mq_tx_enable_later(void **state)
{
	struct vqos_port *p = mq_port(state, 1, 4);

	dev_send_q(0, 0, 0, 10);
	dev_send_q(0, 1, 1000, 10);
	passes(4);
	assert_int_equal(fake_up[0].n_sent, 10);
	assert_int_equal(p->n_txq, 1);
	__atomic_fetch_or(&p->vrings_on, 3u << 2, __ATOMIC_RELEASE);
	passes(4);
	assert_int_equal(p->n_txq, 2);
	mq_sent_per_queue(2, 10, 4);
	/* pair 1 goes: its frames stay in its vring */
	__atomic_fetch_and(&p->vrings_on, ~(3u << 2), __ATOMIC_RELEASE);
	dev_send_q(0, 1, 1010, 5);
	passes(4);
	assert_int_equal(fake_up[0].n_sent, 20);
	assert_int_equal(p->n_txq, 1);
	assert_int_equal(p->n_rxq, 1);
	pool_all_back();
}

/* Uplink queue u's frames go to container rx queue u mod its rx queues, in
 * order: four to four, four to two, and a single-queue uplink to queue 0. */
static void test_mq_rx(void **state)
{
	static const struct {
		unsigned int pairs, up_queues;
	} cases[] = { { 4, 4 }, { 2, 4 }, { 4, 1 } };

	for (unsigned int c = 0; c < ARRAY_SIZE(cases); c++) {
		unsigned int pairs = cases[c].pairs, upq = cases[c].up_queues;
		struct vqos_port *p;

		if (c > 0) {
			teardown(NULL);
			setup(NULL);
		}
		p = mq_port(state, pairs, (uint16_t)upq);
		for (unsigned int u = 0; u < upq; u++)
			uplink_recv_q(&fake_up[0], u, MAC_A, u * 1000, 30);
		passes(10);
		assert_int_equal(p->stats[VQOS_DIR_RX].packets, 30 * upq);
		for (unsigned int q = 0; q < pairs; q++) {
			const struct fake_dev *d = fake_qp(0, q);
			unsigned int k = 0;

			/* the uplink queues q, q + pairs, ... each in order */
			for (unsigned int u = q; u < upq; u += pairs) {
				unsigned int next = 0;

				for (unsigned int i = 0; i < d->rx_n; i++)
					if (d->rx_seq[i] / 1000 == u) {
						assert_int_equal(d->rx_seq[i], u * 1000 + next);
						next++;
					}
				assert_int_equal(next, 30);
				k += next;
			}
			assert_int_equal(d->rx_n, k);
		}
		pool_all_back();
	}
}

/* One container rx queue has no room: the port is given none by the qdisc
 * (the room is its fullest queue's), so nothing is lost or held; when it
 * has room again, every queue gets its frames in order. A queue that takes
 * fewer than it said holds the port's frames, in order. */
static void test_mq_rx_room(void **state)
{
	struct vqos_port *p = mq_port(state, 4, 4);

	fake_qp(0, 3)->rx_room = 0;
	for (unsigned int u = 0; u < 4; u++)
		uplink_recv_q(&fake_up[0], u, MAC_A, u * 1000, 20);
	assert_int_equal(pass(), 0);
	assert_true(p->rx_blocked);
	assert_int_equal(p->rx_full, 1u << 6);
	assert_int_equal(rx_backlog(LEAF0), 80);
	/* it says 8 but takes 3: the rest is held, in order */
	fake_qp(0, 3)->avail = 8;
	fake_qp(0, 3)->rx_room = 3;
	passes(12);
	assert_true(held(&p->rx_pend) > 0);
	assert_int_equal(p->stats[VQOS_DIR_RX].drops, 0);
	fake_qp(0, 3)->avail = -1;
	fake_qp(0, 3)->rx_room = FAKE_MAX;
	passes(10);
	assert_int_equal(held(&p->rx_pend), 0);
	for (unsigned int q = 0; q < 4; q++) {
		assert_int_equal(fake_qp(0, q)->rx_n, 20);
		assert_seqs(fake_qp(0, q)->rx_seq, 20, q * 1000);
	}
	pool_all_back();
}

/* The vrings vqos_dp_arm() asked to kick, as a mask of vhost queue indices;
 * each with its own fd in the poll set, after the doorbell. */
static uint32_t armed_mask(const struct vqos_dp_state *st, int n)
{
	uint32_t mask = 0;

	assert_int_equal(st->pfd[0].fd, dp->shard[0].doorbell);
	assert_int_equal((int)st->n_armed, n - 1);
	for (unsigned int k = 0; k < st->n_armed; k++) {
		const struct vqos_dp_armed *a = &st->armed[k];

		assert_int_equal(a->vid, 0);
		assert_int_equal(st->pfd[k + 1].fd, fake_kick_fd(0, a->q));
		assert_true(fake_kick_on(0, a->q));
		mask |= 1u << a->q;
	}
	return mask;
}

/* An idle lcore with a 4-queue port asks every tx vring to kick (a container
 * may send on any), and the rx vring that had no room once frames wait for
 * it; a vring with work when it is armed keeps the lcore awake; the vrings
 * of pairs 1.. are told not to kick as they first appear. */
static void test_mq_sleep_arms_every_queue(void **state)
{
	struct vqos_port *p = mq_port(state, 4, 4);
	struct vqos_dp_state *st;

	pass();
	st = cur_state();
	for (unsigned int q = 2; q < 8; q++)
		assert_false(fake_kick_on(0, q));
	assert_int_equal(armed_mask(st, vqos_dp_arm(st, dp->shard[0].doorbell)),
			 1u << 1 | 1u << 3 | 1u << 5 | 1u << 7);

	/* rx queue 2 (vring 4) is full and frames come for it */
	fake_qp(0, 2)->rx_room = 0;
	uplink_recv_q(&fake_up[0], 2, MAC_A, 0, 5);
	pass();
	assert_true(p->rx_blocked);
	assert_int_equal(armed_mask(st, vqos_dp_arm(st, dp->shard[0].doorbell)),
			 1u << 1 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 7);

	/* freshly armed with work in it (the container sent before it was
	 * asked to kick): not a time to sleep */
	for (unsigned int q = 0; q < VQOS_VHOST_VRINGS; q++)
		p->kick_fd[q] = -1;
	dev_send_q(0, 3, 3000, 1);
	assert_int_equal(vqos_dp_arm(st, dp->shard[0].doorbell), -EAGAIN);
	fake_qp(0, 2)->rx_room = FAKE_MAX;
	passes(3);
	assert_int_equal(fake_qp(0, 2)->rx_n, 5);
	assert_int_equal(fake_up[0].n_sent, 1);
	pool_all_back();
}

static int eal_up(void **unused)
{
	return fake_eal_up("test_dp");
}

static int eal_down(void **unused)
{
	fake_eal_down();
	return 0;
}

/* A test whose ports' qdiscs, both directions, are vqos_<kind>_ops. */
#define WITH_KIND(f, kind)                                                                         \
	{                                                                                          \
		.name = #f "(" #kind ")", .test_func = f, .setup_func = setup,                     \
		.teardown_func = teardown, .initial_state = (void *)&vqos_##kind##_ops             \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_KIND(test_tx_held_retry, htb),
		WITH_KIND(test_tx_held_retry, fifo),
		WITH_KIND(test_tx_uplink_full_lossless, htb),
		WITH_KIND(test_tx_uplink_full_lossless, fifo),
		WITH_KIND(test_rx_room, htb),
		WITH_KIND(test_rx_room, fifo),
		WITH_KIND(test_rx_refused_held, htb),
		WITH_KIND(test_rx_refused_held, fifo),
		WITH_KIND(test_rx_refused_stops_release, htb),
		WITH_KIND(test_rx_refused_stops_release, fifo),
		WITH_KIND(test_tx_backlog_index_wrap, fifo),
		cmocka_unit_test_setup_teardown(test_demux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_demux_gone_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_demux_broadcast_multiseg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_admit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_change_carries_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_lends_across_lcores, setup, teardown),
		cmocka_unit_test(test_pool_double_free_seen),
		WITH_KIND(test_disconnected, htb),
		WITH_KIND(test_disconnected, fifo),
		WITH_KIND(test_mq_tx, htb),
		WITH_KIND(test_mq_tx, fifo),
		WITH_KIND(test_mq_tx_fewer_uplink_queues, htb),
		WITH_KIND(test_mq_tx_held, htb),
		WITH_KIND(test_mq_tx_held, fifo),
		WITH_KIND(test_mq_tx_enable_later, htb),
		WITH_KIND(test_mq_rx, htb),
		WITH_KIND(test_mq_rx, fifo),
		WITH_KIND(test_mq_rx_room, htb),
		WITH_KIND(test_mq_rx_room, fifo),
		WITH_KIND(test_mq_sleep_arms_every_queue, htb),
	};

	return cmocka_run_group_tests(tests, eal_up, eal_down);
}
