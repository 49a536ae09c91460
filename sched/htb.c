/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * htb: vqos's hierarchical token bucket.
 *
 * The semantics are Linux HTB's. Every class has a rate bucket (its guarantee)
 * and a ceil bucket (its limit), in bits, in packets and/or in cycles of the
 * OVS core (see below). From its buckets a class is in one of three modes:
 *
 *   CAN   every rate and ceil bucket >= 0: it may send on its own rate;
 *   MAY   a rate bucket < 0, every ceil bucket >= 0: it may only borrow;
 *   CANT  a ceil bucket < 0: it may not send at all.
 *
 * One difference from Linux: a class that fell below its rate returns to
 * CAN when its rate buckets hold one full-size frame (or 1 ms of its rate,
 * if less: what it then sends at once stays within 0.1% of a second's; or
 * one packet), not a single token. A class sending small packets above its rate would otherwise
 * switch between its own rate and borrowing at every packet it earns, and a
 * switch moves it between a row and a feed and through the heap; this way it
 * sends a frame's worth per switch. Rates and bursts are unchanged; own-rate
 * packets may wait one frame's time at the class's rate, while it may borrow.
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
 * keeps every bucket on the path non-negative before the last packet. A
 * grant's packet count is held to what its bytes hold in packets of the
 * leaf's mean length (mean_len, below), as the tx data path takes packets
 * before it knows their sizes: a grant overdraws by about a packet, not by
 * a burst, and every 1 s window carries the rate to within a few packets.
 *
 * Cycles. A packet costs cost_pkt + cost_byte x len cycles, the model of its
 * leaf; cost_byte counts 1/1024 cycles, and what a charge leaves of a cycle
 * is kept on the leaf (cyc_rem) and added to its next, so the cycles charged
 * over any run are exactly the model's, to the cycle. A batch's cycles go to
 * the cycle buckets of the path as its bytes go to the bit buckets. A grant
 * has a packet and a byte budget only, so a cycles budget of T is split
 * between them in the proportion a packet of the leaf's mean length (mean_len:
 * its first charge's, then halfway to each next one's; a full-size frame
 * before any) spends: P - 1 = T / (a + b s) packets and
 * B - 1 = T s / (a + b s) bytes, whence (P - 1) a + (B - 1) b <= T whatever
 * the sizes: no packet starts once the cycles bucket would be negative, and
 * packets of the mean length get all of T.
 *
 * This file is the fast path; building, changing, counters and freeing are
 * in htb_ctl.c, the structures in htb.h.
 */
#include <rte_mbuf.h>

#include "htb.h"

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

	q->heap_ops++;
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
	q->heap_ops++;
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

/* The tokens rate bucket @p b of @p k needs for CAN: none while it is in
 * CAN, back_floor[b] to return (see struct htb_class). */
static int64_t rate_floor(const struct htb_class *k, unsigned b)
{
	return k->mode == HTB_CAN ? 0 : k->back_floor[b];
}

static bool rate_short(const struct htb_class *k, unsigned b)
{
	return k->tb[b].rate != 0 && k->tb[b].tokens < rate_floor(k, b);
}

uint8_t vqos_htb_mode(const struct htb_class *k)
{
	if (tb_negative(&k->tb[TB_CEIL]) || tb_negative(&k->tb[TB_PCEIL]) ||
	    tb_negative(&k->tb[TB_CCEIL]))
		return HTB_CANT;
	if (rate_short(k, TB_RATE) || rate_short(k, TB_PRATE) || rate_short(k, TB_CRATE))
		return HTB_MAY;
	return HTB_CAN;
}

/* The tick at which the buckets that hold @p k in its mode reach their
 * floors: 0 for ceil buckets, rate_floor() for rate buckets. */
static uint64_t wake_of(const struct htb_class *k)
{
	unsigned first = k->mode == HTB_CANT ? TB_CEIL : TB_RATE;
	uint64_t w = k->t_c;

	for (unsigned b = first; b < TB_N; b += 2) {
		const struct vqos_tb *tb = &k->tb[b];
		int64_t floor = first == TB_CEIL ? 0 : rate_floor(k, b);

		if (tb->rate != 0 && tb->tokens < floor) {
			uint64_t need = ((uint64_t)(floor - tb->tokens) + tb->rate - 1) / tb->rate;

			if (k->t_c + need > w)
				w = k->t_c + need;
		}
	}
	return w;
}

/* Move @p c to mode @p m: out of its old place, into its new one, and into
 * the heap unless it can send. */
void vqos_htb_set_mode(struct vqos_htb *q, uint32_t c, uint8_t m)
{
	struct htb_class *k = &q->cl[c];

	if (m != k->mode) {
		for (unsigned p = 0; p < VQOS_SCHED_PRIO_MAX; p++)
			if (k->want & (1u << p))
				detach(q, c, p);
		if (k->mode == HTB_CAN)
			k->overlimits++;
		if (m == HTB_CANT)
			k->ceil_hits++;
		k->mode = m;
		for (unsigned p = 0; p < VQOS_SCHED_PRIO_MAX; p++)
			if (k->want & (1u << p))
				attach(q, c, p);
	}
	if (m == HTB_CAN) {
		heap_del(q, c);
		return;
	}
	heap_set(q, c, wake_of(k));
	/* over its ceil: no grant passes it before its wake (exact here, so
	 * the grant that took its last tokens is the last one through it) */
	if (m == HTB_CANT)
		k->blocked_until = q->heap[k->heap_pos].key;
}

void vqos_htb_update(struct htb_class *k, uint64_t now)
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

		vqos_htb_update(&q->cl[c], now);
		vqos_htb_set_mode(q, c, vqos_htb_mode(&q->cl[c]));
	}
}

/* ---- leaves in and out of the schedule ---- */

void vqos_htb_leaf_on(struct vqos_htb *q, uint32_t c)
{
	struct htb_class *k = &q->cl[c];

	k->active = 1;
	if (k->parked || k->want)
		return;
	k->want = 1u << k->prio;
	q->n_want++;
	attach(q, c, k->prio);
}

void vqos_htb_leaf_off(struct vqos_htb *q, uint32_t c)
{
	struct htb_class *k = &q->cl[c];

	k->active = 0;
	if (!k->want)
		return;
	detach(q, c, k->prio);
	k->want = 0;
	q->n_want--;
}

static void park(struct vqos_htb *q, uint32_t c)
{
	struct htb_class *k = &q->cl[c];

	vqos_htb_leaf_off(q, c);
	k->active = 1;
	k->parked = 1;
	k->next_parked = q->parked[k->port];
	q->parked[k->port] = c;
}

void vqos_htb_set_room(struct vqos_qdisc *qd, uint32_t port, uint32_t room)
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
		vqos_htb_leaf_on(q, c);
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
 * A cycles bucket with @p tokens >= 0 (cycles x @p hz) bounds the packets and
 * bytes of a grant to @p leaf: the budget, less what the leaf owes of a
 * cycle, split by its mean length (see the file comment).
 */
static void clip_cycles(uint64_t *pkts, uint64_t *bytes, int64_t tokens, uint64_t hz,
			const struct htb_class *leaf)
{
	unsigned __int128 t = (unsigned __int128)tokens * VQOS_SCHED_COST_BYTE_ONE / hz;
	uint64_t a = (uint64_t)leaf->cost_pkt * VQOS_SCHED_COST_BYTE_ONE, b = leaf->cost_byte;
	uint64_t s = leaf->mean_len ? leaf->mean_len : VQOS_SCHED_FRAME_BYTES, c = a + b * s;

	t = t > leaf->cyc_rem ? t - leaf->cyc_rem : 0;
	/* a leaf without a model is refused under a cycle rate: never here */
	if (a == 0 && b == 0)
		return;
	if (b == 0)
		clip(pkts, t / a > INT64_MAX ? INT64_MAX : (int64_t)(t / a), 1);
	else if (a == 0)
		clip(bytes, t / b > INT64_MAX ? INT64_MAX : (int64_t)(t / b), 1);
	else {
		unsigned __int128 bt = t * s / c;

		clip(pkts, t / c > INT64_MAX ? INT64_MAX : (int64_t)(t / c), 1);
		clip(bytes, bt > INT64_MAX ? INT64_MAX : (int64_t)bt, 1);
	}
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

	q->looks++;
	for (uint32_t c = leaf; c != VQOS_SCHED_NONE; c = q->cl[c].parent) {
		const struct htb_class *k = &q->cl[c];
		uint64_t dt = now > k->t_c ? now - k->t_c : 0;

		for (unsigned b = c == lender ? TB_RATE : TB_CEIL; b < TB_N; b++) {
			int64_t t;

			/* rate buckets (even) count for the lender only */
			if (k->tb[b].rate == 0 || ((b & 1) == 0 && c != lender))
				continue;
			t = vqos_tb_peek(&k->tb[b], dt);
			if (t < 0) {
				/* a ceil blocks every grant through the class until
				 * it is back at 0 (a lender's rate only this one) */
				if (b & 1)
					q->cl[c].blocked_until =
						now +
						((uint64_t)-t + k->tb[b].rate - 1) / k->tb[b].rate;
				return false;
			}
			if (b == TB_RATE || b == TB_CEIL)
				clip(&bytes, t, 8 * hz);
			else if (b == TB_PRATE || b == TB_PCEIL)
				clip(&pkts, t, hz);
			else
				clip_cycles(&pkts, &bytes, t, hz, &q->cl[leaf]);
		}
		if (below && k->link[p].next != c) {
			int64_t d = c == lender ? k->deficit_row[p] : k->deficit_feed[p];

			clip(&bytes, d > 0 ? d : 0, 1);
		}
		if (c == lender)
			below = false;
	}
	/* The tx data path takes up to pkts frames from a vring before it
	 * knows their bytes: in frames of the leaf's mean length, no more than
	 * the byte budget holds. Otherwise a class of small frames would go
	 * out a full burst at a time (32 frames of 64 B are 16 ms of 1 Mbit/s,
	 * 1.6% of a second's frames) however few bytes the bucket had. */
	if (bytes != UINT64_MAX) {
		uint64_t s = q->cl[leaf].mean_len ? q->cl[leaf].mean_len : VQOS_SCHED_FRAME_BYTES;
		uint64_t fit = bytes / s + (bytes % s != 0);

		if (fit < pkts)
			pkts = fit;
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

/* Whether a grant through @p c and its ancestors is blocked at @p now by a
 * ceil found short (blocked_until): a few loads, not size_grant()'s peeks. */
static bool path_blocked(const struct vqos_htb *q, uint32_t c, uint64_t now)
{
	for (; c != VQOS_SCHED_NONE; c = q->cl[c].parent)
		if (q->cl[c].blocked_until > now)
			return true;
	return false;
}

/* Whether the root's ceil is known short at @p now: every grant passes it. */
static bool root_blocked(const struct vqos_htb *q, uint64_t now)
{
	return q->root != VQOS_SCHED_NONE && q->cl[q->root].blocked_until > now;
}

/* serve_row(): the root's ceil is short, nobody may send */
#define ROW_STOP (-2)

/*
 * Serve one row: its current class and the leaf its feeds lead to. A class
 * whose ancestors are over their ceil is passed over for this round, and
 * without sizing a grant while a ceil on its path is known short. Returns
 * 1 with @p g filled, 0 if nobody in the row may send, -1 if a leaf was
 * parked for want of room (the rows changed: start again), ROW_STOP as soon
 * as the root's ceil is found short: the rest of the row, every class of it
 * behind the root, is not looked at (it was, one by one, a walk of every
 * ready leaf per dequeue with the root at its ceiling).
 */
static int serve_row(struct vqos_htb *q, unsigned lvl, unsigned p, uint64_t now, uint32_t max_pkts,
		     struct vqos_sched_grant *g)
{
	uint32_t start = q->row[lvl][p].cur, x = start;

	do {
		uint32_t leaf = x;

		if (root_blocked(q, now))
			return ROW_STOP;
		q->visits++;
		if (path_blocked(q, x, now)) {
			x = q->row[lvl][p].cur = q->cl[x].link[p].next;
			continue;
		}
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
	/* every grant passes the root's ceil: while it is short, nobody may
	 * send, and no row needs a look (a parent at its ceiling costs one
	 * look per class of its rows; this, one per call) */
	if (root_blocked(q, now))
		return 0;
again:
	for (unsigned lm = q->level_mask; lm != 0; lm &= lm - 1) {
		unsigned lvl = (unsigned)__builtin_ctz(lm);

		for (unsigned pm = q->row_mask[lvl]; pm != 0; pm &= pm - 1) {
			int rc = serve_row(q, lvl, (unsigned)__builtin_ctz(pm), now, max_pkts, g);

			if (rc == ROW_STOP)
				return 0;
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
	struct htb_class *leaf = &q->cl[g->leaf];
	unsigned p = leaf->prio, lvl = q->cl[lender].level;
	uint64_t cyc = 0;

	/* the leaf's model, to the 1/1024 cycle: the fraction waits for its next */
	if (leaf->cost_pkt != 0 || leaf->cost_byte != 0) {
		uint64_t frac = leaf->cyc_rem + leaf->cost_byte * bytes;

		cyc = pkts * leaf->cost_pkt + frac / VQOS_SCHED_COST_BYTE_ONE;
		leaf->cyc_rem = (uint32_t)(frac % VQOS_SCHED_COST_BYTE_ONE);
	}
	/* a grant splits a cycles budget and sizes its packets by this (see
	 * the file comment and size_grant()) */
	if (pkts != 0)
		leaf->mean_len = leaf->mean_len == 0
					 ? (uint32_t)(bytes / pkts)
					 : (uint32_t)((leaf->mean_len + bytes / pkts + 1) / 2);

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

		vqos_htb_update(k, now);
		vqos_tb_take(&k->tb[TB_CEIL], bytes * 8, q->hz);
		vqos_tb_take(&k->tb[TB_PCEIL], pkts, q->hz);
		vqos_tb_take(&k->tb[TB_CCEIL], cyc, q->hz);
		if (k->level >= lvl) {
			vqos_tb_take(&k->tb[TB_RATE], bytes * 8, q->hz);
			vqos_tb_take(&k->tb[TB_PRATE], pkts, q->hz);
			vqos_tb_take(&k->tb[TB_CRATE], cyc, q->hz);
		} else {
			k->borrows += pkts;
		}
		if (c == lender)
			k->lends += pkts;
		k->bytes += bytes;
		k->packets += pkts;
		m = vqos_htb_mode(k);
		if (m != k->mode)
			vqos_htb_set_mode(q, c, m);
	}
	if (q->room[g->port] != UINT32_MAX)
		q->room[g->port] -= pkts < q->room[g->port] ? (uint32_t)pkts : q->room[g->port];
}

/* ---- push mode ---- */

uint32_t vqos_htb_enqueue(struct vqos_qdisc *qd, uint32_t leaf, struct rte_mbuf **pkts, uint32_t n,
			  uint64_t now)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	struct htb_class *k;
	uint32_t kept = 0, segs0;

	qd->kept_segs = 0;
	/* only a push-mode leaf has a queue */
	if (leaf >= q->n || q->cl[leaf].ring == NULL)
		return 0;
	k = &q->cl[leaf];
	segs0 = k->segs;
	/*
	 * Tail drop by mbufs: a packet takes as much of the limit as it has
	 * segments (a chained jumbo frame several), so the queue never holds
	 * more mbufs than its limit, whatever the frames. One that does not fit
	 * is dropped; a smaller one after it may fit. Packets <= mbufs <= limit
	 * <= the ring's size.
	 */
	for (uint32_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t slot;

		if ((uint64_t)k->segs + m->nb_segs > k->limit)
			continue;
		slot = (k->head + k->count++) & k->mask;
		k->ring[slot].m = m;
		k->ring[slot].len = rte_pktmbuf_pkt_len(m);
		k->ring[slot].segs = m->nb_segs;
		k->segs += m->nb_segs;
		k->backlog_bytes += k->ring[slot].len;
		/* the kept in order in front, the dropped behind them */
		pkts[i] = pkts[kept];
		pkts[kept++] = m;
	}
	k->drops += n - kept;
	qd->kept_segs = k->segs - segs0;
	if (k->count > 0 && !k->active)
		vqos_htb_leaf_on(q, leaf);
	return kept;
}

uint32_t vqos_htb_dequeue(struct vqos_qdisc *qd, uint64_t now, struct rte_mbuf **pkts,
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

			k->segs -= k->ring[k->head].segs;
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
			vqos_htb_leaf_off(q, g.leaf);
	}
	return out;
}

/* Hand back what the leaves queue, leaf by leaf from a cursor, ignoring
 * rates: the data path moves it into the qdisc that replaces this one. */
uint32_t vqos_htb_drain(struct vqos_qdisc *qd, struct rte_mbuf **pkts, uint32_t *leaves, uint32_t n)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;
	uint32_t out = 0;

	for (; out < n && q->drain_pos < q->n; q->drain_pos++) {
		struct htb_class *k = &q->cl[q->drain_pos];

		while (out < n && k->count > 0) {
			k->backlog_bytes -= k->ring[k->head].len;
			k->segs -= k->ring[k->head].segs;
			leaves[out] = q->drain_pos;
			pkts[out++] = k->ring[k->head].m;
			k->head = (k->head + 1) & k->mask;
			k->count--;
		}
		if (k->count > 0)
			break;
		if (k->active && k->ring != NULL)
			vqos_htb_leaf_off(q, q->drain_pos);
	}
	return out;
}

/* ---- pull mode ---- */

void vqos_htb_wake(struct vqos_qdisc *qd, uint32_t leaf)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;

	if (leaf < q->n && q->cl[leaf].leaf && !q->cl[leaf].active)
		vqos_htb_leaf_on(q, leaf);
}

/* A leaf in the schedule that could not send waits for a bucket on its path,
 * and every class not in CAN is in the heap: its top is the first time a mode
 * can get better. It may be a class no waiting leaf needs (early, harmless). */
uint64_t vqos_htb_next_event(const struct vqos_qdisc *qd, uint64_t now)
{
	const struct vqos_htb *q = (const struct vqos_htb *)qd;

	if (q->n_want == 0)
		return UINT64_MAX;
	return q->n_heap > 0 ? q->heap[0].key : now;
}

int vqos_htb_grant(struct vqos_qdisc *qd, uint64_t now, uint32_t max_pkts,
		   struct vqos_sched_grant *g)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;

	if (max_pkts == 0)
		return 0;
	run_events(q, now);
	return pick(q, now, max_pkts, g);
}

void vqos_htb_charge_count(struct vqos_qdisc *qd, const struct vqos_sched_grant *g, uint32_t pkts,
			   uint64_t bytes, uint64_t now, bool more)
{
	struct vqos_htb *q = (struct vqos_htb *)qd;

	/* nothing taken: no deficit, token or counter moves (see vqos_sched_ops) */
	if (pkts != 0 || bytes != 0)
		account(q, g, pkts, bytes, now);
	if (!more)
		vqos_htb_leaf_off(q, g->leaf);
}

uint32_t vqos_htb_charge(struct vqos_qdisc *qd, const struct vqos_sched_grant *g,
			 struct rte_mbuf **pkts, uint32_t n, uint64_t now, bool more)
{
	uint64_t bytes = 0;

	for (uint32_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	vqos_htb_charge_count(qd, g, n, bytes, now, more);
	return n;
}
