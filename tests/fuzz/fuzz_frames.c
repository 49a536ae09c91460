/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: what an uplink's peer sends, as vqosd's data path takes
 * it. Three ports share one uplink (by MAC); c1's rx has leaves by PCP and
 * DSCP. The input is a program of steps:
 *
 *   frame:  a destination (c1, c2, c3, broadcast, multicast, nobody), 1 to 4
 *           segments, and the frame's bytes after the destination MAC as the
 *           input gives them (tags, EtherTypes, IP headers, DSCP: anything,
 *           short frames too) -> the fake uplink's rx queue
 *   room:   how many copies a container's rx vring takes now
 *   pass:   one pass of the data-path loop (tx and rx), the clock 10 us on
 *   send:   a container queues frames in its tx vring; the uplink takes
 *           some number of packets per call
 *
 * After the program every vring takes everything and the loop runs until
 * nothing moves; then the containers go away. Whatever the input, nothing
 * crashes or leaks (ASan, UBSan), every mbuf is back in the pool, each
 * once (pool_all_back()), and the rx admission counts are back to 0.
 *
 * The data path is the one vqosd runs: dp.c is #included and the fakes of
 * tests/vhost_tx (dp_fake.c: librte_vhost wrapped at link time, the uplink
 * an entry of rte_eth_fp_ops) stand for the containers and the uplink.
 * Their checks are cmocka's: one that fails exits, which libFuzzer reports.
 */
#define _GNU_SOURCE /* vhost_tx/dp.c, included below, asks RUSAGE_THREAD */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp.c"

#include "dp_fake.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_PORTS 3
/* Frames one input may inject, so that the fakes' records never fill. */
#define MAX_FRAMES 200

static const uint8_t mac[N_PORTS][6] = { { 0x02, 0, 0, 0, 0, 0x01 },
					 { 0x02, 0, 0, 0, 0, 0x02 },
					 { 0x02, 0, 0, 0, 0, 0x03 } };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t nobody[6] = { 0x02, 0, 0, 0, 0, 0x99 };

static struct vqos_dp *dp;
static uint64_t clock_ns;
/* port.c's view of the shared fake uplink: attached, link up */
static struct vqos_uplink uplink;

static uint64_t fuzz_clock(void)
{
	return clock_ns;
}

/* The input, read a byte (or a run) at a time; 0 once it is used up. */
struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

/* Frame bytes @p len long: the destination, then input bytes (zeros once
 * the input is used up), in @p n_segs segments. */
static struct rte_mbuf *frame(struct input *in, const uint8_t *dst, uint16_t len,
			      unsigned int n_segs)
{
	struct rte_mbuf *head = NULL;
	uint16_t off = 0;

	for (unsigned int s = 0; s < n_segs; s++) {
		uint16_t part = (uint16_t)(s + 1 < n_segs ? len / n_segs : len - off);
		struct rte_mbuf *m = rte_pktmbuf_alloc(fake_pool);
		uint8_t *d;

		if (m == NULL)
			abort();
		d = (uint8_t *)rte_pktmbuf_append(m, part);
		if (d == NULL)
			abort();
		for (uint16_t i = 0; i < part; i++, off++)
			d[i] = off < 6 ? dst[off] : byte(in);
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0)
			abort();
	}
	return head;
}

/* c1: a default leaf and leaves for PCP 5 and DSCP 46; c2, c3: one each. */
static void publish(struct vqos_port *const *list)
{
	static struct vqos_sched_class_params c[2 + N_PORTS + 1];
	static struct vqos_sched_classify_port rows[N_PORTS] __rte_cache_aligned;
	struct vqos_sched_classify cls = { .n_ports = N_PORTS, .ports = rows };
	struct vqos_sched_params prm = { .n_ports = N_PORTS, .classes = c };
	/* tx: one leaf a port, the first classes */
	struct vqos_sched_params prm_tx = { .n_ports = N_PORTS,
					    .classes = c,
					    .n_classes = 1 + N_PORTS };
	uint32_t leaf_of_port[N_PORTS], k = 0;
	struct vqos_dp_part part = { .ports = list, .n_ports = N_PORTS };
	char err[256];

	memset(c, 0, sizeof(c));
	memset(rows, 0, sizeof(rows));
	c[k++] = (struct vqos_sched_class_params){ .id = 1,
						   .parent = VQOS_SCHED_NO_PARENT,
						   .rate_bps = 10000000000ull };
	for (uint32_t i = 0; i < N_PORTS; i++, k++) {
		c[k] = (struct vqos_sched_class_params){
			.id = 10 + i, .parent = 1, .rate_bps = 1000000000ull, .limit = 64, .port = i
		};
		leaf_of_port[i] = k;
		rows[i].default_leaf = k;
		for (int v = 0; v < 8; v++)
			rows[i].pcp_leaf[v] = VQOS_SCHED_CLASSIFY_NONE;
		for (int v = 0; v < 64; v++)
			rows[i].dscp_leaf[v] = VQOS_SCHED_CLASSIFY_NONE;
	}
	/* c1's classified leaves, shaped hard so that their queues fill */
	c[k] = (struct vqos_sched_class_params){
		.id = 20, .parent = 1, .rate_bps = 1000000, .limit = 16, .port = 0
	};
	rows[0].pcp_leaf[5] = k++;
	c[k] = (struct vqos_sched_class_params){
		.id = 21, .parent = 1, .rate_bps = 2000000, .limit = 16, .port = 0
	};
	rows[0].dscp_leaf[46] = k++;
	rows[0].rules = VQOS_SCHED_CLASSIFY_PCP | VQOS_SCHED_CLASSIFY_DSCP;
	prm.n_classes = k;
	part.tree[VQOS_DIR_TX] = (struct vqos_dp_tree){ .ops = &vqos_htb_ops,
							.params = &prm_tx,
							.leaf_of_port = leaf_of_port };
	part.tree[VQOS_DIR_RX] = (struct vqos_dp_tree){
		.ops = &vqos_htb_ops, .params = &prm, .leaf_of_port = leaf_of_port, .classify = &cls
	};
	if (vqos_dp_publish(dp, &part, NULL, err, sizeof(err)) != 0)
		abort();
}

static unsigned int pass(void)
{
	struct vqos_dp_shard *sh = &dp->shard[0];
	unsigned int moved = state_pass(sh->state, &sh->lstats, clock_ns);

	sh->lstats.passes++;
	clock_ns += 10000;
	return moved;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return fake_eal_up("fuzz_frames");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct vqos_port *ports[N_PORTS];
	unsigned int lcore = 0, frames = 0, sent = 0;

	if (fake_setup() < 0 || (dp = vqos_dp_create(&lcore, 1)) == NULL)
		abort();
	dp->hz = 1000000000;
	dp->clock = fuzz_clock;
	clock_ns = 1000000000;
	/* one queue pair; mbufs admitted as a shared uplink's are (admit.h),
	 * small enough that frames for stuck containers are refused */
	uplink = (struct vqos_uplink){ .eth = FAKE_ETH0,
				       .attached = true,
				       .link_up = true,
				       .dp = dp,
				       .n_queues = 1,
				       .admit = { .reserve = 16, .shared = 64 } };
	for (unsigned int i = 0; i < N_PORTS; i++) {
		struct vqos_port *p = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*p));

		memset(p, 0, sizeof(*p));
		p->up = &uplink;
		p->has_mac = true;
		p->mac = vqos_dp_mac_key(mac[i]);
		p->pool = fake_pool;
		p->dp = dp;
		p->vid = (int)i;
		p->vrings_on = 1u << VQOS_VHOST_TXQ | 1u << VQOS_VHOST_RXQ;
		vqos_port_dp_reset(p);
		ports[i] = p;
	}
	publish(ports);
	while (in.n > 0) {
		uint8_t op = byte(&in);

		switch (op & 3) {
		case 0: { /* a frame from the uplink */
			static const uint8_t *const dsts[] = { mac[0], mac[1], mac[2],
							       bcast,  mcast,  nobody };
			const uint8_t *dst = dsts[(op >> 2) % 6];
			unsigned int n_segs = 1 + ((op >> 5) & 3);
			uint16_t len = (uint16_t)(byte(&in) | (byte(&in) & 0x7) << 8);

			if (frames++ >= MAX_FRAMES)
				break;
			len = len < n_segs ? (uint16_t)n_segs : len; /* no empty segment */
			if (fake_up[0].rx_n < FAKE_MAX)
				fake_up[0].rxq[fake_up[0].rx_n++] = frame(&in, dst, len, n_segs);
			break;
		}
		case 1: /* a container's rx vring takes this many now */
			fake_dev[(op >> 2) % N_PORTS].rx_room = byte(&in);
			break;
		case 2:
			pass();
			break;
		case 3: { /* a container sends; the uplink takes this many a call */
			unsigned int n = byte(&in) % 40;

			if (sent + n < MAX_FRAMES)
				dev_send((op >> 2) % N_PORTS, sent, n);
			sent += n;
			fake_up[0].take = byte(&in) % 48;
			break;
		}
		}
	}
	/* everything goes where it can: every vring and the uplink take all */
	for (unsigned int i = 0; i < N_PORTS; i++)
		fake_dev[i].rx_room = FAKE_MAX;
	fake_up[0].take = UINT16_MAX;
	for (unsigned int k = 0; k < 1000 && (pass() > 0 || k < 200); k++)
		;
	/* then the containers go: what is still queued is dropped */
	for (unsigned int i = 0; i < N_PORTS; i++)
		ports[i]->vid = -1;
	pass();
	pass();
	/* nothing is held any more: the admission counts are back to nothing */
	for (unsigned int i = 0; i < N_PORTS; i++)
		assert_int_equal(ports[i]->rx_held, 0);
	assert_int_equal(uplink.admit.used, 0);
	vqos_dp_free(dp);
	dp = NULL;
	for (unsigned int i = 0; i < N_PORTS; i++) {
		vqos_burst_free(&ports[i]->tx_pend);
		vqos_burst_free(&ports[i]->rx_pend);
		free(ports[i]);
	}
	pool_all_back();
	fake_teardown();
	return 0;
}
