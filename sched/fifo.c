/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fifo: no QoS, the baseline every other kind is measured against.
 *
 * Push mode: one queue of the root's limit for every leaf, tail drop (the
 * limit counts mbufs: a packet as many as its segments), served in arrival
 * order. A head packet whose port has no room blocks the queue
 * (head-of-line blocking, as a plain queue in front of several vrings does:
 * that is the behaviour the other kinds exist to avoid).
 *
 * Pull mode: the woken leaves in a round robin, up to max_pkts each turn,
 * which is what OVS does with its rx queues.
 *
 * The class tree only names leaves and ports; rates are ignored. So there is
 * no carry(): a fifo has no token state, and its queue moves to the qdisc
 * that replaces it by drain().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "fifo.h"

static void free_bulk(struct rte_mbuf **pkts, uint32_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
}

int vqos_fifo_init(struct vqos_fifo *f, const struct vqos_sched_params *p,
		   struct vqos_sched_error *err)
{
	int rc = vqos_sched_tree_build(p, &f->tree, err);
	const struct vqos_sched_class_params *root;

	if (rc < 0)
		return rc;
	root = &p->classes[f->tree.root];
	f->n = p->n_classes;
	f->n_ports = p->n_ports;
	f->limit = root->limit ? root->limit : VQOS_SCHED_LIMIT_DEFAULT;
	f->mask = (uint32_t)rte_align32pow2(f->limit) - 1;
	f->woken = VQOS_SCHED_NONE;
	f->free_pkts = p->free_pkts ? p->free_pkts : free_bulk;
	f->cl = calloc(f->n, sizeof(*f->cl));
	f->room = malloc(p->n_ports * sizeof(*f->room));
	f->params = malloc(f->n * sizeof(*f->params));
	if (p->mode == VQOS_SCHED_PUSH) {
		f->ring = malloc(((size_t)f->mask + 1) * sizeof(*f->ring));
		f->ring_leaf = malloc(((size_t)f->mask + 1) * sizeof(*f->ring_leaf));
		f->ring_len = malloc(((size_t)f->mask + 1) * sizeof(*f->ring_len));
		f->ring_segs = malloc(((size_t)f->mask + 1) * sizeof(*f->ring_segs));
	}
	if (!f->cl || !f->room || !f->params ||
	    (p->mode == VQOS_SCHED_PUSH &&
	     (!f->ring || !f->ring_leaf || !f->ring_len || !f->ring_segs))) {
		vqos_sched_fail(err, NULL, UINT32_MAX, "out of memory");
		return -ENOMEM;
	}
	memcpy(f->params, p->classes, f->n * sizeof(*f->params));
	for (uint32_t i = 0; i < p->n_ports; i++)
		f->room[i] = UINT32_MAX;
	for (uint32_t i = 0; i < f->n; i++) {
		f->cl[i].parent = f->tree.parent[i];
		f->cl[i].port = p->classes[i].port;
		f->cl[i].leaf = f->tree.n_children[i] == 0;
	}
	return 0;
}

void vqos_fifo_fini(struct vqos_fifo *f)
{
	for (; f->ring != NULL && f->count > 0; f->count--, f->head = (f->head + 1) & f->mask)
		f->free_pkts(&f->ring[f->head], 1);
	free(f->ring);
	free(f->ring_leaf);
	free(f->ring_len);
	free(f->ring_segs);
	free(f->cl);
	free(f->room);
	free(f->params);
	vqos_sched_tree_free(&f->tree);
}

static void fifo_destroy(struct vqos_qdisc *q)
{
	if (q == NULL)
		return;
	vqos_fifo_fini((struct vqos_fifo *)q);
	free(q);
}

static int fifo_create(const struct vqos_sched_params *p, struct vqos_qdisc **out,
		       struct vqos_sched_error *err)
{
	struct vqos_fifo *f;
	int rc = vqos_sched_refuse_cycles(p, "fifo", err);

	if (rc < 0)
		return rc;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->base.ops = &vqos_fifo_ops;
	rc = vqos_fifo_init(f, p, err);
	if (rc < 0) {
		fifo_destroy(&f->base);
		return rc;
	}
	*out = &f->base;
	return 0;
}

/* Count @p pkts packets of @p bytes sent by @p leaf on it and its ancestors. */
static void count_sent(struct vqos_fifo *f, uint32_t leaf, uint64_t pkts, uint64_t bytes)
{
	for (uint32_t c = leaf; c != VQOS_SCHED_NONE; c = f->cl[c].parent) {
		f->cl[c].packets += pkts;
		f->cl[c].bytes += bytes;
	}
}

uint32_t vqos_fifo_enqueue(struct vqos_qdisc *q, uint32_t leaf, struct rte_mbuf **pkts, uint32_t n,
			   uint64_t now)
{
	struct vqos_fifo *f = (struct vqos_fifo *)q;
	uint32_t kept = 0, segs0 = f->segs;

	q->kept_segs = 0;
	if (leaf >= f->n || f->ring == NULL || !f->cl[leaf].leaf)
		return 0;
	/* a packet takes as much of the limit as it has segments; one that does
	 * not fit is dropped, a smaller one after it may fit (htb's rule) */
	for (uint32_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t slot;

		if ((uint64_t)f->segs + m->nb_segs > f->limit)
			continue;
		slot = (f->head + f->count++) & f->mask;
		f->ring[slot] = m;
		f->ring_leaf[slot] = leaf;
		f->ring_len[slot] = rte_pktmbuf_pkt_len(m);
		f->ring_segs[slot] = m->nb_segs;
		f->segs += m->nb_segs;
		f->cl[leaf].backlog_pkts++;
		f->cl[leaf].backlog_bytes += f->ring_len[slot];
		pkts[i] = pkts[kept];
		pkts[kept++] = m;
	}
	f->cl[leaf].drops += n - kept;
	q->kept_segs = f->segs - segs0;
	return kept;
}

uint32_t vqos_fifo_dequeue(struct vqos_qdisc *q, uint64_t now, struct rte_mbuf **pkts,
			   uint32_t *leaves, uint32_t n)
{
	struct vqos_fifo *f = (struct vqos_fifo *)q;
	uint32_t out = 0;

	while (out < n && f->count > 0) {
		uint32_t leaf = f->ring_leaf[f->head];
		struct fifo_class *k = &f->cl[leaf];
		struct rte_mbuf *m = f->ring[f->head];
		uint32_t len = f->ring_len[f->head];

		/* the caller reads it next (to copy it into a vring) */
		rte_prefetch0(m);
		if (f->room[k->port] == 0)
			break;
		if (f->room[k->port] != UINT32_MAX)
			f->room[k->port]--;
		f->segs -= f->ring_segs[f->head];
		f->head = (f->head + 1) & f->mask;
		f->count--;
		k->backlog_pkts--;
		k->backlog_bytes -= len;
		count_sent(f, leaf, 1, len);
		if (leaves != NULL)
			leaves[out] = leaf;
		pkts[out++] = m;
	}
	return out;
}

/* The queue in arrival order, ignoring rooms: for the qdisc replacing it. */
uint32_t vqos_fifo_drain(struct vqos_qdisc *q, struct rte_mbuf **pkts, uint32_t *leaves, uint32_t n)
{
	struct vqos_fifo *f = (struct vqos_fifo *)q;
	uint32_t out = 0;

	for (; out < n && f->count > 0; out++, f->head = (f->head + 1) & f->mask, f->count--) {
		struct fifo_class *k = &f->cl[f->ring_leaf[f->head]];

		k->backlog_pkts--;
		k->backlog_bytes -= f->ring_len[f->head];
		f->segs -= f->ring_segs[f->head];
		leaves[out] = f->ring_leaf[f->head];
		pkts[out] = f->ring[f->head];
	}
	return out;
}

void vqos_fifo_set_room(struct vqos_qdisc *q, uint32_t port, uint32_t room)
{
	struct vqos_fifo *f = (struct vqos_fifo *)q;

	if (port < f->n_ports)
		f->room[port] = room;
}

/* The woken leaves form a ring through next_woken; f->woken is its tail, the
 * leaf served last, so the next one is the tail's next and a newly woken leaf
 * goes in behind the tail, at the end of the round. */
void vqos_fifo_wake(struct vqos_qdisc *q, uint32_t leaf)
{
	struct vqos_fifo *f = (struct vqos_fifo *)q;
	struct fifo_class *k;

	if (leaf >= f->n || !f->cl[leaf].leaf || f->cl[leaf].woken)
		return;
	k = &f->cl[leaf];
	k->woken = 1;
	if (f->woken == VQOS_SCHED_NONE) {
		k->next_woken = leaf;
	} else {
		k->next_woken = f->cl[f->woken].next_woken;
		f->cl[f->woken].next_woken = leaf;
	}
	f->woken = leaf;
}

/* No rates: anything that waits goes at once, unless it waits for room
 * (push: the head blocks the queue; pull: every woken leaf's port). */
uint64_t vqos_fifo_next_event(const struct vqos_qdisc *q, uint64_t now)
{
	const struct vqos_fifo *f = (const struct vqos_fifo *)q;
	uint32_t tail = f->woken, c;

	if (f->ring != NULL)
		return f->count > 0 && f->room[f->cl[f->ring_leaf[f->head]].port] > 0 ? now
										      : UINT64_MAX;
	if (tail == VQOS_SCHED_NONE)
		return UINT64_MAX;
	c = tail;
	do {
		c = f->cl[c].next_woken;
		if (f->room[f->cl[c].port] > 0)
			return now;
	} while (c != tail);
	return UINT64_MAX;
}

int vqos_fifo_grant(struct vqos_qdisc *q, uint64_t now, uint32_t max_pkts,
		    struct vqos_sched_grant *g)
{
	struct vqos_fifo *f = (struct vqos_fifo *)q;
	uint32_t tail = f->woken;

	if (tail == VQOS_SCHED_NONE || max_pkts == 0)
		return 0;
	do {
		uint32_t c = f->cl[tail].next_woken, room = f->room[f->cl[c].port];

		if (room > 0) {
			/* leaves without room keep their place for the next round */
			f->woken = tail;
			g->leaf = c;
			g->port = f->cl[c].port;
			g->pkts = room < max_pkts ? room : max_pkts;
			g->bytes = UINT64_MAX;
			g->lender = c;
			return 1;
		}
		tail = c;
	} while (tail != f->woken);
	return 0;
}

void vqos_fifo_charge_count(struct vqos_qdisc *q, const struct vqos_sched_grant *g, uint32_t pkts,
			    uint64_t bytes, uint64_t now, bool more)
{
	struct vqos_fifo *f = (struct vqos_fifo *)q;
	uint32_t *room = &f->room[g->port], prev = f->woken, leaf = g->leaf;

	count_sent(f, leaf, pkts, bytes);
	if (*room != UINT32_MAX)
		*room -= pkts < *room ? pkts : *room;
	if (!f->cl[leaf].woken)
		return;
	/* a wake() since the grant may have put a leaf in front of it */
	while (f->cl[prev].next_woken != leaf)
		prev = f->cl[prev].next_woken;
	if (more) {
		f->woken = leaf;
		return;
	}
	f->cl[leaf].woken = 0;
	if (prev == leaf) {
		f->woken = VQOS_SCHED_NONE;
		return;
	}
	f->cl[prev].next_woken = f->cl[leaf].next_woken;
	f->woken = prev;
}

static uint32_t fifo_charge(struct vqos_qdisc *q, const struct vqos_sched_grant *g,
			    struct rte_mbuf **pkts, uint32_t n, uint64_t now, bool more)
{
	uint64_t bytes = 0;

	for (uint32_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	vqos_fifo_charge_count(q, g, n, bytes, now, more);
	return n;
}

/* Only the root's limit means anything to a fifo; the ring is sized at create. */
static int fifo_change(struct vqos_qdisc *q, const struct vqos_sched_class_params *c, uint64_t now,
		       struct vqos_sched_error *err)
{
	struct vqos_fifo *f = (struct vqos_fifo *)q;
	uint32_t i = vqos_sched_tree_find(&f->tree, c->id);
	struct vqos_sched_params one = { .classes = c, .n_classes = 1 };

	if (i == VQOS_SCHED_NONE)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "no class with id %u", c->id);
	if (vqos_sched_refuse_cycles(&one, "fifo", err) < 0)
		return -EINVAL;
	if (c->parent != f->params[i].parent || c->port != f->params[i].port)
		return vqos_sched_fail(err, f->params, i, "parent and port cannot change");
	if (i == f->tree.root && c->limit > f->mask + 1)
		return vqos_sched_fail(err, f->params, i, "limit above %u needs a new qdisc",
				       f->mask + 1);
	f->params[i] = *c;
	if (i == f->tree.root)
		f->limit = c->limit ? c->limit : VQOS_SCHED_LIMIT_DEFAULT;
	return 0;
}

int vqos_fifo_stats(struct vqos_qdisc *q, uint32_t index, uint64_t now,
		    struct vqos_sched_class_stats *st)
{
	struct vqos_fifo *f = (struct vqos_fifo *)q;
	const struct fifo_class *k;

	if (index >= f->n)
		return -ENOENT;
	k = &f->cl[index];
	memset(st, 0, sizeof(*st));
	st->bytes = k->bytes;
	st->packets = k->packets;
	st->drops = k->drops;
	st->backlog_pkts = k->backlog_pkts;
	st->backlog_bytes = k->backlog_bytes;
	memcpy(st->colour, k->colour, sizeof(st->colour));
	return 0;
}

const struct vqos_sched_ops vqos_fifo_ops = {
	.name = "fifo",
	.create = fifo_create,
	.destroy = fifo_destroy,
	.enqueue = vqos_fifo_enqueue,
	.dequeue = vqos_fifo_dequeue,
	.set_room = vqos_fifo_set_room,
	.wake = vqos_fifo_wake,
	.grant = vqos_fifo_grant,
	.charge = fifo_charge,
	.charge_count = vqos_fifo_charge_count,
	.change = fifo_change,
	.stats = vqos_fifo_stats,
	.drain = vqos_fifo_drain,
	.next_event = vqos_fifo_next_event,
};
