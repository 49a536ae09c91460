/* SPDX-License-Identifier: BSD-3-Clause */
/* Fakes for test_dp.c: see dp_fake.h. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_vhost.h>

#include "dp_fake.h"
#include "dp_priv.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct rte_mempool *fake_pool;
struct fake_dev fake_dev[FAKE_DEVS];
/* queue pairs 1.. of each container */
static struct fake_dev fake_more[FAKE_DEVS][FAKE_QP - 1];
struct fake_uplink fake_up[2];

/* Where the frames of the containers' tx vrings are sent. */
static const uint8_t tx_dst[6] = { 0x02, 0, 0, 0, 0, 0x99 };

/* ---------------------------------------------------------------------
 * Frames and the pool
 * --------------------------------------------------------------------- */

#define FRAME_MAX 2048
/* dst, src, type, sequence number (4 bytes), length (2 bytes) */
#define FRAME_HDR 20

uint16_t frame_len(uint32_t seq)
{
	return (uint16_t)(60 + (seq % 7) * 10);
}

static void frame_write(uint8_t *p, const uint8_t *dst, uint32_t seq, uint16_t len)
{
	memcpy(p, dst, 6);
	memset(p + 6, 0x02, 6);
	p[12] = 0x88; /* local experimental EtherType */
	p[13] = 0xb5;
	memcpy(p + 14, &seq, sizeof(seq));
	memcpy(p + 18, &len, sizeof(len));
	for (uint16_t i = FRAME_HDR; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
}

uint32_t frame_seq(const struct rte_mbuf *m)
{
	uint8_t buf[FRAME_MAX];
	uint32_t len = 0, seq;
	uint16_t want;

	for (const struct rte_mbuf *s = m; s != NULL; s = s->next) {
		if (len + s->data_len > sizeof(buf))
			return UINT32_MAX;
		memcpy(buf + len, rte_pktmbuf_mtod(s, const uint8_t *), s->data_len);
		len += s->data_len;
	}
	if (len != rte_pktmbuf_pkt_len(m) || len < FRAME_HDR)
		return UINT32_MAX;
	memcpy(&seq, buf + 14, sizeof(seq));
	memcpy(&want, buf + 18, sizeof(want));
	if (want != len)
		return UINT32_MAX;
	for (uint16_t i = FRAME_HDR; i < len; i++)
		if (buf[i] != (uint8_t)(seq * 7 + i))
			return UINT32_MAX;
	return seq;
}

struct rte_mbuf *frame_mbuf(const uint8_t *dst, uint32_t seq, uint16_t len, unsigned int n_segs)
{
	uint8_t buf[FRAME_MAX];
	struct rte_mbuf *head = NULL;
	uint16_t off = 0;

	frame_write(buf, dst, seq, len);
	for (unsigned int s = 0; s < n_segs; s++) {
		uint16_t part =
			(uint16_t)(s + 1 < n_segs ? len / n_segs : (unsigned int)(len - off));
		struct rte_mbuf *m = rte_pktmbuf_alloc(fake_pool);
		char *d;

		assert_non_null(m);
		d = rte_pktmbuf_append(m, part);
		assert_non_null(d);
		memcpy(d, buf + off, part);
		off += part;
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
	}
	return head;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

void pool_all_back(void)
{
	void *objs[FAKE_POOL_SIZE + 64];
	unsigned int avail = rte_mempool_avail_count(fake_pool), n = 0, twice = 0;

	while (n < ARRAY_SIZE(objs) && rte_mempool_get(fake_pool, &objs[n]) == 0)
		n++;
	qsort(objs, n, sizeof(objs[0]), cmp_ptr);
	for (unsigned int i = 1; i < n; i++)
		twice += objs[i] == objs[i - 1];
	rte_mempool_put_bulk(fake_pool, objs, n);
	if (avail != FAKE_POOL_SIZE || n != FAKE_POOL_SIZE || twice != 0)
		fail_msg("pool: count %u, %u mbufs in it, %u of them more than once; size %u",
			 avail, n, twice, FAKE_POOL_SIZE);
}

/* ---------------------------------------------------------------------
 * The fake container: librte_vhost's calls, wrapped
 * --------------------------------------------------------------------- */

uint16_t __wrap_rte_vhost_dequeue_burst(int vid, uint16_t queue_id, struct rte_mempool *mp,
					struct rte_mbuf **pkts, uint16_t count);
uint16_t __wrap_rte_vhost_enqueue_burst(int vid, uint16_t queue_id, struct rte_mbuf **pkts,
					uint16_t count);
uint32_t __wrap_rte_vhost_rx_queue_count(int vid, uint16_t qid);
uint16_t __wrap_rte_vhost_avail_entries(int vid, uint16_t queue_id);

struct fake_dev *fake_qp(int vid, unsigned int q)
{
	assert_in_range(vid, 0, FAKE_DEVS - 1);
	assert_in_range(q, 0, FAKE_QP - 1);
	return q == 0 ? &fake_dev[vid] : &fake_more[vid][q - 1];
}

/* The queue pair of vhost queue @p qid of @p vid, whose direction must be
 * @p tx (odd queue ids) or rx (even). */
static struct fake_dev *dev_of(int vid, uint16_t qid, bool tx)
{
	assert_int_equal(qid & 1, tx);
	return fake_qp(vid, qid / 2);
}

int __wrap_rte_vhost_enable_guest_notification(int vid, uint16_t queue_id, int enable);
int __wrap_rte_vhost_get_vhost_vring(int vid, uint16_t vring_idx, struct rte_vhost_vring *vring);

/* Each vring's kick eventfd (made when first asked), and its notification
 * switch. */
static int kick_fds[FAKE_DEVS][2 * FAKE_QP];
static bool kick_ons[FAKE_DEVS][2 * FAKE_QP];

int fake_kick_fd(int vid, unsigned int q)
{
	assert_in_range(vid, 0, FAKE_DEVS - 1);
	assert_in_range(q, 0, 2 * FAKE_QP - 1);
	if (kick_fds[vid][q] < 0)
		kick_fds[vid][q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(kick_fds[vid][q] >= 0);
	return kick_fds[vid][q];
}

bool fake_kick_on(int vid, unsigned int q)
{
	return kick_ons[vid][q];
}

/* The data path asks kicks while it sleeps (dp_sleep.c), and none after. */
int __wrap_rte_vhost_enable_guest_notification(int vid, uint16_t queue_id, int enable)
{
	assert_in_range(vid, 0, FAKE_DEVS - 1);
	assert_in_range(queue_id, 0, 2 * FAKE_QP - 1);
	kick_ons[vid][queue_id] = enable != 0;
	return 0;
}

int __wrap_rte_vhost_get_vhost_vring(int vid, uint16_t vring_idx, struct rte_vhost_vring *vring)
{
	memset(vring, 0, sizeof(*vring));
	vring->kickfd = fake_kick_fd(vid, vring_idx);
	vring->callfd = -1;
	return 0;
}

/* Copies frames out of the tx vring into new mbufs of @p mp, as the real one. */
uint16_t __wrap_rte_vhost_dequeue_burst(int vid, uint16_t queue_id, struct rte_mempool *mp,
					struct rte_mbuf **pkts, uint16_t count)
{
	struct fake_dev *d = dev_of(vid, queue_id, true);
	uint16_t n = 0;

	assert_ptr_equal(mp, fake_pool);
	d->dequeues++;
	for (; n < count && d->tx_head < d->tx_n; n++, d->tx_head++) {
		uint32_t seq = d->tx_seq[d->tx_head];
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		char *p;

		if (m == NULL)
			break;
		p = rte_pktmbuf_append(m, frame_len(seq));
		frame_write((uint8_t *)p, tx_dst, seq, frame_len(seq));
		pkts[n] = m;
	}
	return n;
}

/* Copies up to rx_room frames into the rx vring; the mbufs stay the caller's. */
uint16_t __wrap_rte_vhost_enqueue_burst(int vid, uint16_t queue_id, struct rte_mbuf **pkts,
					uint16_t count)
{
	struct fake_dev *d = dev_of(vid, queue_id, false);
	uint16_t n = count < d->rx_room ? count : (uint16_t)d->rx_room;

	for (uint16_t i = 0; i < n; i++) {
		assert_true(d->rx_n < FAKE_MAX);
		d->rx_seq[d->rx_n++] = frame_seq(pkts[i]); /* UINT32_MAX: not whole */
	}
	d->rx_room -= n;
	return n;
}

uint32_t __wrap_rte_vhost_rx_queue_count(int vid, uint16_t qid)
{
	struct fake_dev *d = dev_of(vid, qid, true);
	int n = (int)(d->tx_n - d->tx_head);

	return d->count_wraps ? (uint32_t)(n - 65536) : (uint32_t)n;
}

uint16_t __wrap_rte_vhost_avail_entries(int vid, uint16_t queue_id)
{
	struct fake_dev *d = dev_of(vid, queue_id, false);

	return (uint16_t)(d->avail >= 0 ? (unsigned int)d->avail : d->rx_room);
}

void dev_send(int vid, uint32_t first, unsigned int n)
{
	dev_send_q(vid, 0, first, n);
}

void dev_send_q(int vid, unsigned int q, uint32_t first, unsigned int n)
{
	struct fake_dev *d = fake_qp(vid, q);

	for (unsigned int i = 0; i < n; i++) {
		assert_true(d->tx_n < FAKE_MAX);
		d->tx_seq[d->tx_n++] = first + i;
	}
}

/* ---------------------------------------------------------------------
 * The fake uplink: an entry of rte_eth_fp_ops
 * --------------------------------------------------------------------- */

/* Takes up to `take` packets, checks and records them, and frees them as a
 * driver does once they are sent. */
static uint16_t fake_tx(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_upq *fq = txq;
	struct fake_uplink *u = fq->u;
	uint16_t took = RTE_MIN(n, RTE_MIN(u->take, fq->take));

	u->tx_calls++;
	for (uint16_t i = 0; i < took; i++) {
		assert_true(u->n_sent < FAKE_MAX);
		u->sent_q[u->n_sent] = fq->q;
		u->sent_seq[u->n_sent++] = frame_seq(pkts[i]); /* UINT32_MAX: not whole */
		u->sent_bytes += rte_pktmbuf_pkt_len(pkts[i]);
		rte_pktmbuf_free(pkts[i]);
	}
	return took;
}

static uint16_t fake_rx(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_upq *fq = rxq;
	struct fake_uplink *u = fq->u;
	uint16_t got = 0;

	if (fq->q > 0) {
		while (got < n && fq->rx_head < fq->rx_n)
			pkts[got++] = fq->rxq[fq->rx_head++];
		return got;
	}
	while (got < n && u->rx_head < u->rx_n)
		pkts[got++] = u->rxq[u->rx_head++];
	return got;
}

static void uplink_plug(struct fake_uplink *u, uint16_t eth)
{
	struct rte_eth_fp_ops *o = &rte_eth_fp_ops[eth];

	memset(u, 0, sizeof(*u));
	u->eth = eth;
	u->take = UINT16_MAX;
	for (uint16_t q = 0; q < FAKE_QP; q++) {
		u->upq[q] = (struct fake_upq){ .u = u, .q = q, .take = UINT16_MAX };
		u->qdata[q] = &u->upq[q];
	}
	u->saved = *o;
	o->rx_pkt_burst = fake_rx;
	o->rxq.data = u->qdata;
	o->rxq.clbk = u->clbk;
	o->tx_pkt_burst = fake_tx;
	o->txq.data = u->qdata;
	o->txq.clbk = u->clbk;
}

static void uplink_unplug(struct fake_uplink *u)
{
	while (u->rx_head < u->rx_n)
		rte_pktmbuf_free(u->rxq[u->rx_head++]);
	for (unsigned int q = 1; q < FAKE_QP; q++)
		while (u->upq[q].rx_head < u->upq[q].rx_n)
			rte_pktmbuf_free(u->upq[q].rxq[u->upq[q].rx_head++]);
	rte_eth_fp_ops[u->eth] = u->saved;
}

void uplink_recv(struct fake_uplink *u, const uint8_t *dst, uint32_t seq, unsigned int n_segs)
{
	assert_true(u->rx_n < FAKE_MAX);
	u->rxq[u->rx_n++] = frame_mbuf(dst, seq, frame_len(seq), n_segs);
}

void uplink_recv_n(struct fake_uplink *u, const uint8_t *dst, uint32_t first, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		uplink_recv(u, dst, first + i, 1);
}

void uplink_recv_q(struct fake_uplink *u, unsigned int q, const uint8_t *dst, uint32_t first,
		   unsigned int n)
{
	struct fake_upq *fq = &u->upq[q];

	if (q == 0) {
		uplink_recv_n(u, dst, first, n);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		assert_true(fq->rx_n < FAKE_MAX);
		fq->rxq[fq->rx_n++] = frame_mbuf(dst, first + i, frame_len(first + i), 1);
	}
}

/* ---------------------------------------------------------------------
 * EAL and the fixture
 * --------------------------------------------------------------------- */

int fake_eal_up(const char *prog)
{
	char name[64], prefix[64];
	char *argv[] = {
		name,
		"--no-huge",
		"-m",
		"64",
		"--no-pci",
		"--no-shconf",
		"--no-telemetry",
		"-l",
		"0",
		"--log-level=error",
		"--file-prefix",
		prefix,
		NULL,
	};

	snprintf(name, sizeof(name), "%s", prog);
	snprintf(prefix, sizeof(prefix), "%s_%d", prog, (int)getpid());
	return rte_eal_init((int)ARRAY_SIZE(argv) - 1, argv) < 0 ? -1 : 0;
}

/* EAL leaves its runtime directory (empty with --no-shconf): ours, by prefix. */
void fake_eal_down(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

int fake_setup(void)
{
	static unsigned int n_pools;
	char name[32];

	snprintf(name, sizeof(name), "fake_%u", n_pools++);
	fake_pool = rte_pktmbuf_pool_create(name, FAKE_POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	if (fake_pool == NULL)
		return -1;
	for (int i = 0; i < FAKE_DEVS; i++)
		for (unsigned int q = 0; q < 2 * FAKE_QP; q++) {
			kick_fds[i][q] = -1;
			kick_ons[i][q] = true; /* as a vring starts: it kicks */
		}
	memset(fake_dev, 0, sizeof(fake_dev));
	memset(fake_more, 0, sizeof(fake_more));
	for (int i = 0; i < FAKE_DEVS; i++)
		for (unsigned int q = 0; q < FAKE_QP; q++) {
			fake_qp(i, q)->rx_room = FAKE_MAX;
			fake_qp(i, q)->avail = -1;
		}
	uplink_plug(&fake_up[0], FAKE_ETH0);
	uplink_plug(&fake_up[1], FAKE_ETH1);
	return 0;
}

void fake_teardown(void)
{
	uplink_unplug(&fake_up[0]);
	uplink_unplug(&fake_up[1]);
	for (int i = 0; i < FAKE_DEVS; i++)
		for (unsigned int q = 0; q < 2 * FAKE_QP; q++)
			if (kick_fds[i][q] >= 0) {
				close(kick_fds[i][q]);
				kick_fds[i][q] = -1;
			}
	rte_mempool_free(fake_pool);
	fake_pool = NULL;
}
