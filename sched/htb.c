/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * htb: vqos's hierarchical token bucket.
 *
 * The semantics are Linux HTB's. Every class has a rate bucket (its guarantee)
 * and a ceil bucket (its limit), in bits and/or in packets. From its buckets a
 * class is in one of three modes:
 *
 *   CAN   every rate and ceil bucket >= 0: it may send on its own rate;
 *   MAY   a rate bucket < 0, every ceil bucket >= 0: it may only borrow;
 *   CANT  a ceil bucket < 0: it may not send at all.
 *
 * Levels: a leaf is level 0; an inner class at depth d is level 7 - d (the
 * root is 7). A backlogged leaf is "active" at its prio. An active class in
 * CAN sits in the row of its level and prio; an active class in MAY sits in
 * its parent's feed of that prio, which makes the parent active at that prio,
 * and so on up. A class in CANT sits nowhere. So a leaf is reachable from a
 * row at level L exactly when the class at level L on its path lends
 * (CAN) and every class below it borrows (MAY): that class is its lender.
 *
 *     row[L][prio]:  X (CAN) ...               lender at level L
 *                    |feed[prio]
 *                    Y (MAY) ...               borrows from X
 *                    |feed[prio]
 *                    leaf (MAY, backlogged)
 *
 * Dequeue scans rows from level 0 up and, within a level, prio 0 up: a class
 * first sends within its own rate, then borrows from the nearest ancestor with
 * spare, lowest prio first. Each row and feed is a ring served in deficit
 * round robin by quantum, at every level (Linux only weighs the bottom one).
 * A packet is charged to the ceil buckets of every class on its path and to
 * the rate buckets of the lender and the classes above it; classes below the
 * lender count a borrow. A class above the lender must still have ceil
 * tokens: the ceiling of every ancestor holds even when guarantees are
 * overcommitted (Linux does not check this).
 *
 * Modes only get worse by charging and only get better with time. A class not
 * in CAN waits in a min-heap keyed by the tick at which its binding bucket
 * returns to zero; every call first pops what is due. A key can be early (the
 * class was charged again since) but never late, so a late wake is harmless
 * and a missed one impossible.
 *
 * As in HTB a packet may start while tokens >= 0 and overdraw the bucket; the
 * debt is repaid before the class sends again, so long-run rates are exact.
 * Several packets of one leaf go in one grant: its size is the most that
 * keeps every bucket on the path non-negative before the last packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "sched/tree.h"

/* A bucket's debt beyond its burst: room for one overshooting vring burst. */
#define HTB_DEBT_BYTES (512u << 10)
#define HTB_DEBT_PKTS  256u

enum { TB_RATE, TB_CEIL, TB_PRATE, TB_PCEIL, TB_N };
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

/* A queued packet and its length, side by side: dequeue touches no mbuf and
 * one cache line holds four packets. */
struct htb_slot {
	struct rte_mbuf *m;
	uint64_t len;
};

struct htb_class {
	/* read-mostly: set by create and change() */
	uint32_t parent;
	uint8_t level;
	uint8_t prio;
	uint8_t leaf;
	uint32_t quantum;
	uint32_t port;
	uint32_t limit;

	/* written by every grant through this class */
	uint8_t mode;
	uint8_t want;	/* prios this class is active at */
	uint8_t active; /* leaf: has packets (push) or was woken (pull) */
	uint8_t parked; /* leaf: active but its port has no room */
	uint32_t heap_pos;
	uint32_t next_parked;
	uint64_t t_c; /* tick the buckets were last brought up to */
	struct vqos_tb tb[TB_N];
	/* DRR deficits, bytes: in the row of its level and in its parent's feed,
	 * apart, or own-rate turns would reset borrowing turns */
	int64_t deficit_row[VQOS_SCHED_PRIO_MAX];
	int64_t deficit_feed[VQOS_SCHED_PRIO_MAX];
	struct htb_link link[VQOS_SCHED_PRIO_MAX];
	struct htb_ring feed[VQOS_SCHED_PRIO_MAX]; /* inner: its children that borrow */

	/* leaf queue, push mode */
	struct htb_slot *ring;
	uint32_t head, count, mask;
	uint64_t backlog_bytes;

	uint64_t bytes, packets, drops, overlimits, lends, borrows;
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
	uint32_t n_ports;
	uint32_t *room;
	uint32_t *parked;			/* per port: first parked leaf */
	struct vqos_sched_class_params *params; /* copy, for change() */
	struct vqos_sched_tree tree;
	void (*free_pkts)(struct rte_mbuf **pkts, uint32_t n);
};

/* ---- event heap ---- */

static void heap_place(struct vqos_htb *q, uint32_t i, struct htb_event e)
{
	q->heap[i] = e;
	q->cl[e.cls].heap_pos = i;
}

static void heap_sift(struct vqos_htb *q, uint32_t i)
{
	struct htb_event e = q->heap[i];

	while (i > 0 && q->heap[(i - 1) / 2].key > e.key) {
		heap_place(q, i, q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= q->n_heap)
			break;
		if (c + 1 < q->n_heap && q->heap[c + 1].key < q->heap[c].key)
			c++;
		if (q->heap[c].key >= e.key)
			break;
		heap_place(q, i, q->heap[c]);
		i = c;
	}
	heap_place(q, i, e);
}

static void heap_set(struct vqos_htb *q, uint32_t c, uint64_t key)
{
	uint32_t i = q->cl[c].heap_pos;

	if (i == VQOS_SCHED_NONE)
		i = q->n_heap++;
	q->heap[i] = (struct htb_event){ .key = key, .cls = c };
	heap_sift(q, i);
}

static void heap_del(struct vqos_htb *q, uint32_t c)
{
	uint32_t i = q->cl[c].heap_pos;

	if (i == VQOS_SCHED_NONE)
		return;
	q->cl[c].heap_pos = VQOS_SCHED_NONE;
	if (i == --q->n_heap)
		return;
	q->heap[i] = q->heap[q->n_heap];
	heap_sift(q, i);
}

/* ---- rings: circular lists whose cur is the class served next ---- */

static void ring_add(struct vqos_htb *q, struct htb_ring *r, uint32_t c, unsigned p)
{
	struct htb_link *l = &q->cl[c].link[p];

	if (r->cur == VQOS_SCHED_NONE) {
		l->prev = l->next = c;
		r->cur = c;
		return;
	}
	/* at the tail: it waits for its turn */
	l->next = r->cur;
	l->prev = q->cl[r->cur].link[p].prev;
	q->cl[l->prev].link[p].next = c;
	q->cl[r->cur].link[p].prev = c;
}

static void ring_del(struct vqos_htb *q, struct htb_ring *r, uint32_t c, unsigned p)
{
	struct htb_link *l = &q->cl[c].link[p];

	if (l->next == c) {
		r->cur = VQOS_SCHED_NONE;
		return;
	}
	q->cl[l->prev].link[p].next = l->next;
	q->cl[l->next].link[p].prev = l->prev;
	if (r->cur == c)
		r->cur = l->next;
}

/* Put @p c back in @p r; the holder takes its turn back. */
static void ring_join(struct vqos_htb *q, struct htb_ring *r, uint32_t c, unsigned p)
{
	ring_add(q, r, c, p);
	if (r->holder == c)
		r->cur = c;
}

/* End the turn of @p c, which is served in @p r: the next one holds it. */
static void ring_next(struct vqos_htb *q, struct htb_ring *r, uint32_t c, unsigned p)
{
	if (r->cur == c)
		r->cur = q->cl[c].link[p].next;
	r->holder = r->cur;
}

/* ---- modes and where an active class sits ---- */

static void attach(struct vqos_htb *q, uint32_t c, unsigned p)
{
	for (;;) {
		struct htb_class *k = &q->cl[c];
		bool was_empty;

		if (k->mode == HTB_CAN) {
			ring_join(q, &q->row[k->level][p], c, p);
			q->row_mask[k->level] |= 1u << p;
			q->level_mask |= 1u << k->level;
			return;
		}
		if (k->mode != HTB_MAY || k->parent == VQOS_SCHED_NONE)
			return;
		was_empty = q->cl[k->parent].feed[p].cur == VQOS_SCHED_NONE;
		ring_join(q, &q->cl[k->parent].feed[p], c, p);
		if (!was_empty)
			return;
		/* the parent just became active at p */
		q->cl[k->parent].want |= 1u << p;
		c = k->parent;
	}
}

static void detach(struct vqos_htb *q, uint32_t c, unsigned p)
{
	for (;;) {
		struct htb_class *k = &q->cl[c];

		if (k->mode == HTB_CAN) {
			ring_del(q, &q->row[k->level][p], c, p);
			if (q->row[k->level][p].cur == VQOS_SCHED_NONE) {
				q->row_mask[k->level] &= ~(1u << p);
				if (q->row_mask[k->level] == 0)
					q->level_mask &= ~(1u << k->level);
			}
			return;
		}
		if (k->mode != HTB_MAY || k->parent == VQOS_SCHED_NONE)
			return;
		ring_del(q, &q->cl[k->parent].feed[p], c, p);
		if (q->cl[k->parent].feed[p].cur != VQOS_SCHED_NONE)
			return;
		q->cl[k->parent].want &= ~(1u << p);
		c = k->parent;
	}
}

static bool tb_negative(const struct vqos_tb *tb)
{
	return tb->rate != 0 && tb->tokens < 0;
}

static uint8_t mode_of(const struct htb_class *k)
{
	if (tb_negative(&k->tb[TB_CEIL]) || tb_negative(&k->tb[TB_PCEIL]))
		return HTB_CANT;
	if (tb_negative(&k->tb[TB_RATE]) || tb_negative(&k->tb[TB_PRATE]))
		return HTB_MAY;
	return HTB_CAN;
}

/* The tick at which the buckets that hold @p k in its mode are all >= 0. */
static uint64_t wake_of(const struct htb_class *k)
{
	unsigned first = k->mode == HTB_CANT ? TB_CEIL : TB_RATE;
	uint64_t w = k->t_c;

	for (unsigned b = first; b < TB_N; b += 2) {
		const struct vqos_tb *tb = &k->tb[b];

		if (tb_negative(tb)) {
			uint64_t need = ((uint64_t)-tb->tokens + tb->rate - 1) / tb->rate;

			if (k->t_c + need > w)
				w = k->t_c + need;
		}
	}
	return w;
}

/* Move @p c to mode @p m: out of its old place, into its new one, and into
 * the heap unless it can send. */
static void set_mode(struct vqos_htb *q, uint32_t c, uint8_t m)
{
	struct htb_class *k = &q->cl[c];

	if (m != k->mode) {
		for (unsigned p = 0; p < VQOS_SCHED_PRIO_MAX; p++)
			if (k->want & (1u << p))
				detach(q, c, p);
		if (k->mode == HTB_CAN)
			k->overlimits++;
		k->mode = m;
		for (unsigned p = 0; p < VQOS_SCHED_PRIO_MAX; p++)
			if (k->want & (1u << p))
				attach(q, c, p);
	}
	if (m == HTB_CAN)
		heap_del(q, c);
	else
		heap_set(q, c, wake_of(k));
}

static void update(struct htb_class *k, uint64_t now)
{
	uint64_t dt = now > k->t_c ? now - k->t_c : 0;

	for (unsigned b = 0; b < TB_N; b++)
		if (k->tb[b].rate != 0)
			k->tb[b].tokens = vqos_tb_peek(&k->tb[b], dt);
	if (now > k->t_c)
		k->t_c = now;
}

static void run_events(struct vqos_htb *q, uint64_t now)
{
	while (q->n_heap > 0 && q->heap[0].key <= now) {
		uint32_t c = q->heap[0].cls;

		update(&q->cl[c], now);
		set_mode(q, c, mode_of(&q->cl[c]));
	}
}

/* ---- leaves in and out of the schedule ---- */

static void leaf_on(struct vqos_htb *q, uint32_t c)
{
	struct htb_class *k = &q->cl[c];

	k->active = 1;
	if (k->parked || k->want)
		return;
	k->want = 1u << k->prio;
	attach(q, c, k->prio);
}

static void leaf_off(struct vqos_htb *q, uint32_t c)
{
	struct htb_class *k = &q->cl[c];

	k->active = 0;
	if (!k->want)
		return;
	detach(q, c, k->prio);
	k->want = 0;
}

static void park(struct vqos_htb *q, uint32_t c)
{
	struct htb_class *k = &q->cl[c];

	leaf_off(q, c);
	k->active = 1;
	k->parked = 1;
	k->next_parked = q->parked[k->port];
	q->parked[k->port] = c;
}

static void htb_set_room(struct vqos_qdisc *qd, uint32_t port, uint32_t room)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	uint32_t c;

	if (port >= q->n_ports)
		return;
	q->room[port] = room;
	if (room == 0)
		return;
	for (c = q->parked[port]; c != VQOS_SCHED_NONE; c = q->cl[c].next_parked) {
		q->cl[c].parked = 0;
		leaf_on(q, c);
	}
	q->parked[port] = VQOS_SCHED_NONE;
}

/* ---- picking a leaf and sizing its grant ---- */

static void clip(uint64_t *limit, int64_t tokens, uint64_t cost)
{
	uint64_t may = (uint64_t)tokens / cost + 1;

	if (may < *limit)
		*limit = may;
}

/*
 * How much @p leaf may send now through @p lender, into @p g. Every ceil on
 * the path and the lender's rate must have tokens; the DRR deficits of the
 * rings between the lender and the leaf bound the bytes when a ring has
 * company. Returns false when a class above the lender is over its ceil.
 */
static bool size_grant(struct vqos_htb *q, uint32_t leaf, uint32_t lender, uint64_t now,
		       uint32_t max_pkts, struct vqos_sched_grant *g)
{
	unsigned p = q->cl[leaf].prio;
	uint64_t pkts = max_pkts, bytes = UINT64_MAX, hz = q->hz;
	bool below = true;

	for (uint32_t c = leaf; c != VQOS_SCHED_NONE; c = q->cl[c].parent) {
		const struct htb_class *k = &q->cl[c];
		uint64_t dt = now > k->t_c ? now - k->t_c : 0;

		for (unsigned b = c == lender ? TB_RATE : TB_CEIL; b < TB_N; b++) {
			int64_t t;

			if (k->tb[b].rate == 0 || (b != TB_CEIL && b != TB_PCEIL && c != lender))
				continue;
			t = vqos_tb_peek(&k->tb[b], dt);
			if (t < 0)
				return false;
			if (b == TB_RATE || b == TB_CEIL)
				clip(&bytes, t, 8 * hz);
			else
				clip(&pkts, t, hz);
		}
		if (below && k->link[p].next != c) {
			int64_t d = c == lender ? k->deficit_row[p] : k->deficit_feed[p];

			clip(&bytes, d > 0 ? d : 0, 1);
		}
		if (c == lender)
			below = false;
	}
	if (pkts > q->room[q->cl[leaf].port])
		pkts = q->room[q->cl[leaf].port];
	g->leaf = leaf;
	g->port = q->cl[leaf].port;
	g->lender = lender;
	g->pkts = (uint32_t)pkts;
	g->bytes = bytes;
	return true;
}

/*
 * Serve one row: its current class and the leaf its feeds lead to. A class
 * whose ancestors are over their ceil is passed over for this round. Returns
 * 1 with @p g filled, 0 if nobody in the row may send, -1 if a leaf was
 * parked for want of room (the rows changed: start again).
 */
static int serve_row(struct vqos_htb *q, unsigned lvl, unsigned p, uint64_t now, uint32_t max_pkts,
		     struct vqos_sched_grant *g)
{
	uint32_t start = q->row[lvl][p].cur, x = start;

	do {
		uint32_t leaf = x;

		while (!q->cl[leaf].leaf)
			leaf = q->cl[leaf].feed[p].cur;
		if (q->room[q->cl[leaf].port] == 0) {
			park(q, leaf);
			return -1;
		}
		if (size_grant(q, leaf, x, now, max_pkts, g))
			return 1;
		x = q->row[lvl][p].cur = q->cl[x].link[p].next;
	} while (x != start);
	return 0;
}

static int pick(struct vqos_htb *q, uint64_t now, uint32_t max_pkts, struct vqos_sched_grant *g)
{
again:
	for (unsigned lm = q->level_mask; lm != 0; lm &= lm - 1) {
		unsigned lvl = (unsigned)__builtin_ctz(lm);

		for (unsigned pm = q->row_mask[lvl]; pm != 0; pm &= pm - 1) {
			int rc = serve_row(q, lvl, (unsigned)__builtin_ctz(pm), now, max_pkts, g);

			if (rc < 0)
				goto again;
			if (rc > 0)
				return 1;
		}
	}
	return 0;
}

/* Charge what was sent under @p g: DRR first (the rings are still as pick()
 * saw them), then the buckets, whose mode changes move classes around. */
static void account(struct vqos_htb *q, const struct vqos_sched_grant *g, uint64_t pkts,
		    uint64_t bytes, uint64_t now)
{
	uint32_t lender = g->lender;
	unsigned p = q->cl[g->leaf].prio, lvl = q->cl[lender].level;

	for (uint32_t c = g->leaf;; c = q->cl[c].parent) {
		struct htb_class *k = &q->cl[c];
		int64_t *deficit = c == lender ? &k->deficit_row[p] : &k->deficit_feed[p];

		/* alone in its ring, a class has nobody to take turns with */
		if (k->link[p].next == c)
			*deficit = k->quantum;
		else
			*deficit -= (int64_t)bytes;
		if (*deficit < 0) {
			struct htb_ring *r =
				c == lender ? &q->row[lvl][p] : &q->cl[k->parent].feed[p];

			*deficit += k->quantum;
			ring_next(q, r, c, p);
		}
		if (c == lender)
			break;
	}
	for (uint32_t c = g->leaf; c != VQOS_SCHED_NONE; c = q->cl[c].parent) {
		struct htb_class *k = &q->cl[c];
		uint8_t m;

		update(k, now);
		vqos_tb_take(&k->tb[TB_CEIL], bytes * 8, q->hz);
		vqos_tb_take(&k->tb[TB_PCEIL], pkts, q->hz);
		if (k->level >= lvl) {
			vqos_tb_take(&k->tb[TB_RATE], bytes * 8, q->hz);
			vqos_tb_take(&k->tb[TB_PRATE], pkts, q->hz);
		} else {
			k->borrows += pkts;
		}
		if (c == lender)
			k->lends += pkts;
		k->bytes += bytes;
		k->packets += pkts;
		m = mode_of(k);
		if (m != k->mode)
			set_mode(q, c, m);
	}
	if (q->room[g->port] != UINT32_MAX)
		q->room[g->port] -= pkts < q->room[g->port] ? (uint32_t)pkts : q->room[g->port];
}

/* ---- push mode ---- */

static uint32_t htb_enqueue(struct vqos_qdisc *qd, uint32_t leaf, struct rte_mbuf **pkts,
			    uint32_t n, uint64_t now)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	struct htb_class *k;
	uint32_t kept;

	/* only a push-mode leaf has a queue */
	if (leaf >= q->n || q->cl[leaf].ring == NULL)
		return 0;
	k = &q->cl[leaf];
	kept = k->limit - k->count;
	if (kept > n)
		kept = n;
	/* tail drop: once full, the rest of the burst finds it full */
	for (uint32_t i = 0; i < kept; i++) {
		uint32_t slot = (k->head + k->count++) & k->mask;

		k->ring[slot].m = pkts[i];
		k->ring[slot].len = rte_pktmbuf_pkt_len(pkts[i]);
		k->backlog_bytes += k->ring[slot].len;
	}
	k->drops += n - kept;
	if (k->count > 0 && !k->active)
		leaf_on(q, leaf);
	return kept;
}

static uint32_t htb_dequeue(struct vqos_qdisc *qd, uint64_t now, struct rte_mbuf **pkts,
			    uint32_t *leaves, uint32_t n)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	struct vqos_sched_grant g;
	uint32_t out = 0;

	run_events(q, now);
	while (out < n && pick(q, now, n - out, &g)) {
		struct htb_class *k = &q->cl[g.leaf];
		uint64_t bytes = 0;
		uint32_t taken = 0;

		while (taken < g.pkts && bytes < g.bytes && k->count > 0) {
			struct rte_mbuf *m = k->ring[k->head].m;
			uint64_t len = k->ring[k->head].len;

			/* the caller reads it next (to copy it into a vring) */
			rte_prefetch0(m);

			k->head = (k->head + 1) & k->mask;
			k->count--;
			bytes += len;
			if (leaves != NULL)
				leaves[out] = g.leaf;
			pkts[out++] = m;
			taken++;
		}
		k->backlog_bytes -= bytes;
		account(q, &g, taken, bytes, now);
		if (k->count == 0)
			leaf_off(q, g.leaf);
	}
	return out;
}

/* ---- pull mode ---- */

static void htb_wake(struct vqos_qdisc *qd, uint32_t leaf)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;

	if (leaf < q->n && q->cl[leaf].leaf && !q->cl[leaf].active)
		leaf_on(q, leaf);
}

static int htb_grant(struct vqos_qdisc *qd, uint64_t now, uint32_t max_pkts,
		     struct vqos_sched_grant *g)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;

	if (max_pkts == 0)
		return 0;
	run_events(q, now);
	return pick(q, now, max_pkts, g);
}

static void htb_charge_count(struct vqos_qdisc *qd, const struct vqos_sched_grant *g, uint32_t pkts,
			     uint64_t bytes, uint64_t now, bool more)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;

	account(q, g, pkts, bytes, now);
	if (!more)
		leaf_off(q, g->leaf);
}

static uint32_t htb_charge(struct vqos_qdisc *qd, const struct vqos_sched_grant *g,
			   struct rte_mbuf **pkts, uint32_t n, uint64_t now, bool more)
{
	uint64_t bytes = 0;

	for (uint32_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	htb_charge_count(qd, g, n, bytes, now, more);
	return n;
}

/* ---- control: create, change, stats, destroy ---- */

static uint64_t default_burst(uint64_t rate, uint64_t per_ms_div, uint64_t extra)
{
	return rate / per_ms_div + extra;
}

/* Buckets and read-mostly fields of class @p i from @p c; tokens start full. */
static int setup_class(struct vqos_htb *q, uint32_t i, const struct vqos_sched_class_params *c,
		       struct vqos_sched_error *err)
{
	struct htb_class *k = &q->cl[i];
	uint64_t ceil_bps = vqos_sched_ceil_bps(c), ceil_pps = vqos_sched_ceil_pps(c);
	uint64_t burst = c->burst ? c->burst : default_burst(c->rate_bps, 8000, 1600);
	uint64_t cburst = c->cburst ? c->cburst : default_burst(ceil_bps, 8000, 1600);
	uint64_t pburst = c->burst_pkts ? c->burst_pkts : default_burst(c->rate_pps, 1000, 1);
	uint64_t pcburst = c->cburst_pkts ? c->cburst_pkts : default_burst(ceil_pps, 1000, 1);

	/* 1 ms of a huge rate may exceed what the buckets hold */
	if (burst > VQOS_SCHED_BURST_MAX || cburst > VQOS_SCHED_BURST_MAX ||
	    vqos_tb_init(&k->tb[TB_RATE], c->rate_bps, burst * 8, HTB_DEBT_BYTES * 8, q->hz) ||
	    vqos_tb_init(&k->tb[TB_CEIL], ceil_bps, cburst * 8, HTB_DEBT_BYTES * 8, q->hz) ||
	    vqos_tb_init(&k->tb[TB_PRATE], c->rate_pps, pburst, HTB_DEBT_PKTS, q->hz) ||
	    vqos_tb_init(&k->tb[TB_PCEIL], ceil_pps, pcburst, HTB_DEBT_PKTS, q->hz))
		return vqos_sched_fail(err, q->params, i,
				       "burst too large for the rate at this clock; set burst");
	k->prio = c->prio;
	k->port = c->port;
	k->quantum = vqos_sched_quantum(c);
	k->limit = c->limit ? c->limit : VQOS_SCHED_LIMIT_DEFAULT;
	return 0;
}

static void htb_destroy(struct vqos_qdisc *qd)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;

	if (q == NULL)
		return;
	for (uint32_t i = 0; q->cl != NULL && i < q->n; i++) {
		struct htb_class *k = &q->cl[i];

		for (; k->ring != NULL && k->count > 0;
		     k->count--, k->head = (k->head + 1) & k->mask)
			q->free_pkts(&k->ring[k->head].m, 1);
		free(k->ring);
	}
	free(q->cl);
	free(q->heap);
	free(q->room);
	free(q->parked);
	free(q->params);
	vqos_sched_tree_free(&q->tree);
	free(q);
}

static void free_bulk(struct rte_mbuf **pkts, uint32_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
}

static int htb_alloc(struct vqos_htb *q, const struct vqos_sched_params *p)
{
	q->cl = calloc(q->n, sizeof(*q->cl));
	q->heap = calloc(q->n, sizeof(*q->heap));
	q->room = malloc(p->n_ports * sizeof(*q->room));
	q->parked = malloc(p->n_ports * sizeof(*q->parked));
	q->params = malloc(q->n * sizeof(*q->params));
	if (!q->cl || !q->heap || !q->room || !q->parked || !q->params)
		return -ENOMEM;
	memcpy(q->params, p->classes, q->n * sizeof(*q->params));
	for (uint32_t i = 0; i < p->n_ports; i++) {
		q->room[i] = UINT32_MAX;
		q->parked[i] = VQOS_SCHED_NONE;
	}
	return 0;
}

static int htb_create(const struct vqos_sched_params *p, struct vqos_qdisc **out,
		      struct vqos_sched_error *err)
{
	struct vqos_htb *q = calloc(1, sizeof(*q));
	int rc;

	if (q == NULL)
		return -ENOMEM;
	q->base.ops = &vqos_htb_ops;
	q->hz = p->clock_hz;
	q->n = p->n_classes;
	q->n_ports = p->n_ports;
	q->free_pkts = p->free_pkts ? p->free_pkts : free_bulk;
	rc = vqos_sched_tree_build(p, &q->tree, err);
	if (rc == 0)
		rc = vqos_sched_check_rates(p, &q->tree, err);
	if (rc == 0 && htb_alloc(q, p) < 0) {
		vqos_sched_fail(err, NULL, UINT32_MAX, "out of memory");
		rc = -ENOMEM;
	}
	for (unsigned l = 0; l < VQOS_SCHED_DEPTH_MAX; l++)
		for (unsigned j = 0; j < VQOS_SCHED_PRIO_MAX; j++)
			q->row[l][j].cur = q->row[l][j].holder = VQOS_SCHED_NONE;
	for (uint32_t i = 0; rc == 0 && i < q->n; i++) {
		struct htb_class *k = &q->cl[i];

		k->parent = q->tree.parent[i];
		k->leaf = q->tree.n_children[i] == 0;
		k->level = k->leaf ? 0 : (uint8_t)(VQOS_SCHED_DEPTH_MAX - 1 - q->tree.depth[i]);
		k->mode = HTB_CAN;
		k->heap_pos = VQOS_SCHED_NONE;
		for (unsigned j = 0; j < VQOS_SCHED_PRIO_MAX; j++)
			k->feed[j].cur = k->feed[j].holder = VQOS_SCHED_NONE;
		rc = setup_class(q, i, &p->classes[i], err);
		for (unsigned j = 0; j < VQOS_SCHED_PRIO_MAX; j++)
			k->deficit_row[j] = k->deficit_feed[j] = k->quantum;
		if (rc == 0 && k->leaf && p->mode == VQOS_SCHED_PUSH) {
			k->mask = (uint32_t)rte_align32pow2(k->limit) - 1;
			k->ring = malloc(((size_t)k->mask + 1) * sizeof(*k->ring));
			if (k->ring == NULL)
				rc = -ENOMEM;
		}
	}
	if (rc < 0) {
		htb_destroy(&q->base);
		return rc;
	}
	*out = &q->base;
	return 0;
}

static int htb_change(struct vqos_qdisc *qd, const struct vqos_sched_class_params *c, uint64_t now,
		      struct vqos_sched_error *err)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	struct vqos_sched_params p = {
		.clock_hz = q->hz,
		.n_ports = q->n_ports,
		.classes = q->params,
		.n_classes = q->n,
	};
	struct vqos_sched_class_params old;
	struct vqos_sched_tree t;
	struct htb_class *k, saved;
	uint32_t i = vqos_sched_tree_find(&q->tree, c->id);
	int rc;

	if (i == VQOS_SCHED_NONE)
		return vqos_sched_fail(err, NULL, UINT32_MAX, "no class with id %u", c->id);
	/* the rings and the heap are sized for this tree's shape */
	if (c->parent != q->params[i].parent || c->port != q->params[i].port)
		return vqos_sched_fail(err, q->params, i, "parent and port cannot change");
	k = &q->cl[i];
	old = q->params[i];
	q->params[i] = *c;
	rc = vqos_sched_tree_build(&p, &t, err);
	if (rc == 0) {
		rc = vqos_sched_check_rates(&p, &t, err);
		vqos_sched_tree_free(&t);
	}
	/* a leaf's queue is sized at create */
	if (rc == 0 && k->leaf && k->ring != NULL && c->limit > k->mask + 1)
		rc = vqos_sched_fail(err, q->params, i, "limit above %u needs a new qdisc",
				     k->mask + 1);
	update(k, now);
	saved = *k;
	if (rc == 0)
		rc = setup_class(q, i, c, err);
	if (rc < 0) {
		q->params[i] = old;
		*k = saved;
		return rc;
	}
	for (unsigned b = 0; b < TB_N; b++) {
		/* keep the tokens the class had, within the new depth */
		int64_t t0 = saved.tb[b].rate ? saved.tb[b].tokens : k->tb[b].max;

		k->tb[b].tokens = t0 > k->tb[b].max   ? k->tb[b].max
				  : t0 < k->tb[b].min ? k->tb[b].min
						      : t0;
	}
	if (k->leaf && k->want && k->prio != saved.prio) {
		k->prio = saved.prio;
		leaf_off(q, i);
		k->prio = c->prio;
		leaf_on(q, i);
	}
	set_mode(q, i, mode_of(k));
	return 0;
}

static int htb_stats(struct vqos_qdisc *qd, uint32_t index, uint64_t now,
		     struct vqos_sched_class_stats *st)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	const struct htb_class *k;
	uint64_t dt;

	if (index >= q->n)
		return -ENOENT;
	k = &q->cl[index];
	dt = now > k->t_c ? now - k->t_c : 0;
	memset(st, 0, sizeof(*st));
	st->bytes = k->bytes;
	st->packets = k->packets;
	st->drops = k->drops;
	st->overlimits = k->overlimits;
	st->lends = k->lends;
	st->borrows = k->borrows;
	st->backlog_pkts = k->count;
	st->backlog_bytes = k->backlog_bytes;
	if (k->tb[TB_RATE].rate)
		st->tokens = vqos_tb_peek(&k->tb[TB_RATE], dt) / (int64_t)(8 * q->hz);
	if (k->tb[TB_CEIL].rate)
		st->ctokens = vqos_tb_peek(&k->tb[TB_CEIL], dt) / (int64_t)(8 * q->hz);
	if (k->tb[TB_PRATE].rate)
		st->ptokens = vqos_tb_peek(&k->tb[TB_PRATE], dt) / (int64_t)q->hz;
	if (k->tb[TB_PCEIL].rate)
		st->pctokens = vqos_tb_peek(&k->tb[TB_PCEIL], dt) / (int64_t)q->hz;
	return 0;
}

const struct vqos_sched_ops vqos_htb_ops = {
	.name = "htb",
	.create = htb_create,
	.destroy = htb_destroy,
	.enqueue = htb_enqueue,
	.dequeue = htb_dequeue,
	.set_room = htb_set_room,
	.wake = htb_wake,
	.grant = htb_grant,
	.charge = htb_charge,
	.charge_count = htb_charge_count,
	.change = htb_change,
	.stats = htb_stats,
};
