/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "sim.h"

#define POOL 65536

static struct rte_mbuf pool[POOL];
static struct rte_mbuf *free_stack[POOL];
static uint32_t n_free;
static int pool_ready;

static void pool_init(void)
{
	for (uint32_t i = 0; i < POOL; i++)
		free_stack[i] = &pool[POOL - 1 - i];
	n_free = POOL;
	pool_ready = 1;
}

struct rte_mbuf *sim_mbuf(uint32_t len, uint32_t seq)
{
	struct rte_mbuf *m;

	if (!pool_ready)
		pool_init();
	if (n_free == 0) {
		fprintf(stderr, "sim: mbuf pool empty\n");
		abort();
	}
	m = free_stack[--n_free];
	memset(m, 0, sizeof(*m));
	m->pkt_len = len;
	m->data_len = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
	m->nb_segs = 1;
	m->hash.usr = seq;
	return m;
}

struct rte_mbuf *sim_chain(uint32_t len, uint32_t segs, uint32_t seq)
{
	struct rte_mbuf *head = sim_mbuf(len, seq), *last = head;

	head->nb_segs = (uint16_t)segs;
	head->data_len = (uint16_t)(len / segs);
	for (uint32_t i = 1; i < segs; i++) {
		last->next = sim_mbuf(len / segs, seq);
		last = last->next;
	}
	last->data_len = (uint16_t)(len - (segs - 1) * (len / segs));
	return head;
}

void sim_free(struct rte_mbuf **pkts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (struct rte_mbuf *m = pkts[i], *next; m != NULL; m = next) {
			next = m->next;
			free_stack[n_free++] = m;
		}
}

uint32_t sim_mbufs_out(void)
{
	return pool_ready ? POOL - n_free : 0;
}

struct vqos_sched_class_params sim_class(uint32_t id, uint32_t parent, const char *name,
					 double rate_mbit, double ceil_mbit)
{
	struct vqos_sched_class_params c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.parent = parent;
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.rate_bps = (uint64_t)(rate_mbit * MBIT);
	c.ceil_bps = (uint64_t)(ceil_mbit * MBIT);
	return c;
}

struct vqos_sched_params sim_params(const struct vqos_sched_class_params *c, uint32_t n,
				    uint8_t mode)
{
	struct vqos_sched_params p;

	memset(&p, 0, sizeof(p));
	p.clock_hz = SIM_HZ;
	p.mode = mode;
	p.n_ports = 1;
	p.classes = c;
	p.n_classes = n;
	p.free_pkts = sim_free;
	return p;
}

static struct sim_flow *flow_of(struct sim_flow *f, unsigned n, uint32_t leaf)
{
	for (unsigned i = 0; i < n; i++)
		if (f[i].leaf == leaf)
			return &f[i];
	return NULL;
}

/* Bytes offered to @p f in one step. */
static void offer(struct sim_flow *f, uint64_t step)
{
	f->credit += f->offered_mbit * MBIT / 8.0 * (double)step / (double)SIM_HZ;
}

void sim_push(struct vqos_qdisc *q, struct sim_flow *f, unsigned n_flows, uint64_t step,
	      uint64_t start, uint64_t measure_from, uint64_t end)
{
	struct rte_mbuf *pkts[64];
	uint32_t leaves[64];

	for (uint64_t now = start; now < end; now += step) {
		for (unsigned i = 0; i < n_flows; i++) {
			struct vqos_sched_class_stats st;
			uint32_t want = 0;

			if (f[i].offered_mbit == 0) {
				q->ops->stats(q, f[i].leaf, now, &st);
				want = st.backlog_pkts < 64 ? 64 - st.backlog_pkts : 0;
			} else {
				offer(&f[i], step);
				for (; f[i].credit >= f[i].size && want < 64; want++)
					f[i].credit -= f[i].size;
			}
			for (uint32_t k = 0; k < want; k++) {
				struct rte_mbuf *m = sim_mbuf(f[i].size, ++f[i].seq);

				if (vqos_sched_enqueue(q, f[i].leaf, &m, 1, now) == 0)
					sim_free(&m, 1);
			}
		}
		for (;;) {
			uint32_t n = vqos_sched_dequeue(q, now, pkts, leaves, 64);

			if (n == 0)
				break;
			for (uint32_t k = 0; k < n; k++) {
				struct sim_flow *fl = flow_of(f, n_flows, leaves[k]);

				if (fl->last_seq_out >= pkts[k]->hash.usr)
					fl->reorders++;
				fl->last_seq_out = pkts[k]->hash.usr;
				if (now >= measure_from) {
					fl->bytes += rte_pktmbuf_pkt_len(pkts[k]);
					fl->pkts++;
				}
			}
			sim_free(pkts, n);
		}
	}
}

/* Pull, one moment: offer each flow its load of the last @p dt ticks, wake
 * the leaves with backlog, then grant and charge until no grant. Returns
 * whether anything was granted. */
static bool pull_at(struct vqos_qdisc *q, struct sim_flow *f, unsigned n_flows, uint64_t now,
		    uint64_t dt, uint64_t measure_from)
{
	struct vqos_sched_grant g;
	bool granted = false;

	for (unsigned i = 0; i < n_flows; i++) {
		if (f[i].offered_mbit != 0)
			offer(&f[i], dt);
		if (f[i].offered_mbit == 0 || f[i].credit >= f[i].size)
			vqos_sched_wake(q, f[i].leaf);
	}
	while (vqos_sched_grant(q, now, 32, &g)) {
		struct sim_flow *fl = flow_of(f, n_flows, g.leaf);
		uint64_t n = sim_grant_pkts(&g, fl->size);
		bool more = true;

		granted = true;
		if (fl->offered_mbit != 0) {
			uint64_t queued = (uint64_t)(fl->credit / fl->size);

			if (n >= queued) {
				n = queued;
				more = false;
			}
			fl->credit -= (double)(n * fl->size);
		}
		q->ops->charge_count(q, &g, (uint32_t)n, n * fl->size, now, more);
		if (now >= measure_from) {
			fl->bytes += n * fl->size;
			fl->pkts += n;
		}
	}
	return granted;
}

void sim_pull(struct vqos_qdisc *q, struct sim_flow *f, unsigned n_flows, uint64_t step,
	      uint64_t start, uint64_t measure_from, uint64_t end)
{
	for (uint64_t now = start; now < end; now += step)
		pull_at(q, f, n_flows, now, step, measure_from);
}

/* Ticks until flow @p f has a whole packet in its virtual vring. */
static uint64_t arrival_in(const struct sim_flow *f)
{
	double bytes_per_tick = f->offered_mbit * MBIT / 8.0 / (double)SIM_HZ;

	if (f->credit >= f->size)
		return 0;
	return (uint64_t)ceil(((double)f->size - f->credit) / bytes_per_tick);
}

void sim_pull_events(struct vqos_qdisc *q, struct sim_flow *f, unsigned n_flows, uint64_t start,
		     uint64_t measure_from, uint64_t end, struct sim_wakes *w)
{
	struct vqos_sched_grant g;
	uint64_t now = start, last = start;

	memset(w, 0, sizeof(*w));
	while (now < end) {
		bool granted = pull_at(q, f, n_flows, now, now - last, measure_from);
		uint64_t next;

		last = now;
		w->wakes++;
		w->empty += !granted;
		/* the qdisc's next event, or a vring that fills (a kick) */
		next = vqos_sched_next_event(q, now);
		if (next <= now)
			w->early++; /* it could not tell: a poll */
		if (next != UINT64_MAX && next > now + 1 && vqos_sched_grant(q, next - 1, 32, &g))
			w->late++; /* something could have gone before it */
		for (unsigned i = 0; i < n_flows; i++) {
			uint64_t a;

			if (f[i].offered_mbit == 0 || f[i].credit >= f[i].size)
				continue; /* woken already: no kick */
			a = now + arrival_in(&f[i]);
			if (a < next)
				next = a;
		}
		now = next > now ? next : now + 1;
	}
}

uint64_t sim_grant_pkts(const struct vqos_sched_grant *g, uint32_t size)
{
	uint64_t n = g->bytes / size + (g->bytes % size != 0);

	return n < g->pkts ? n : g->pkts;
}

bool sim_refused(const struct vqos_sched_ops *ops, const struct vqos_sched_class_params *c,
		 uint32_t n, const char *who, const char *why)
{
	struct vqos_sched_params p = sim_params(c, n, VQOS_SCHED_PUSH);
	struct vqos_sched_error err = { 0 };
	struct vqos_qdisc *q = NULL;
	int rc = ops->create(&p, &q, &err);

	printf("  %s: %s\n", ops->name, err.msg);
	if (q != NULL)
		vqos_sched_destroy(q);
	return rc == -EINVAL && q == NULL && strstr(err.msg, who) && strstr(err.msg, why);
}

uint32_t sim_drain_check(struct vqos_qdisc *q)
{
	struct rte_mbuf *pkts[4];
	uint32_t leaves[4], last[4] = { 0 }, total = 0, n;

	for (uint32_t i = 1; i <= 10; i++) {
		for (uint32_t leaf = 1; leaf <= 3; leaf++) {
			struct rte_mbuf *m = sim_mbuf(100, i);

			if (vqos_sched_enqueue(q, leaf, &m, 1, 0) != 1)
				sim_free(&m, 1);
		}
	}
	while ((n = q->ops->drain(q, pkts, leaves, 4)) > 0) {
		for (uint32_t i = 0; i < n; i++) {
			/* each leaf's packets in the order they came */
			if (leaves[i] < 1 || leaves[i] > 3 ||
			    pkts[i]->hash.usr != last[leaves[i]] + 1)
				return UINT32_MAX;
			last[leaves[i]] = pkts[i]->hash.usr;
		}
		sim_free(pkts, n);
		total += n;
	}
	/* nothing left to dequeue */
	if (vqos_sched_dequeue(q, SIM_S, pkts, leaves, 4) != 0)
		return UINT32_MAX;
	return total;
}

double sim_mbit(const struct sim_flow *f, uint64_t ticks)
{
	return (double)f->bytes * 8.0 / ((double)ticks / (double)SIM_HZ) / MBIT;
}
