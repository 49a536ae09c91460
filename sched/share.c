/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sharing a split class between qdisc instances: the shares follow demand.
 *
 * A class whose leaves are served by several data-path lcores runs as one
 * part per lcore, each with a share of the class's rates and ceilings
 * (policy/slice.c's static split, by the leaves' rates). Left static, what
 * one part does not use is lost to the others. Here the shares move to where
 * the demand is, every VQOS_SHARE_PERIOD_MS or so, without a lock and without
 * republishing the tree:
 *
 *   owner of part p (its lcore)          leader (one lcore)
 *   -------------------------            ------------------
 *   report(bytes, packets, pressed) ---> history of each part's reports
 *                                        compute: usage -> new shares
 *   take(share) <------------------------ publish: losers first,
 *   retune its class, ack(gen) --------->   gainers once all acked
 *
 * Demand. A part is *pressed* when a ceil bucket of it holds under half its
 * depth while it sends at least half its share: it spends its share as fast
 * as it comes, so it would send more (an idle part with an empty bucket is
 * not pressed). Its share there is the least it ran (acked) over the reports
 * its usage is measured from, not what it was just given: a part raised from
 * a little share has sent only that little, and read against its raise it
 * would look idle and fall back to its usage, climbing back a quarter a step.
 * A part with a ceil bucket in debt (below 0) is pressed whatever it sent:
 * its ceiling holds it back this moment (a grant overshot it); read as idle
 * it would go to the floor and repay its debt at the floor's rate, seconds
 * in which it can send nothing and so never shows that it wants more. And
 * nothing moves before every part's reports cover USAGE_WINDOW_MS: a new
 * share (a change rebuilt the qdiscs, their counters at 0) would otherwise
 * judge a part by its first millisecond or two. It stays pressed HOLD_MS after the last report that said so,
 * so a container whose sender loses the CPU for a moment keeps its share, as
 * its bucket keeps its burst. A part that is not pressed is given what it used over the last
 * USAGE_WINDOW_MS plus a quarter (room to grow before the next step; a part
 * that grows past that empties its bucket, becomes pressed and is given more
 * at the next step). Each part keeps a floor of 1/VQOS_SHARE_FLOOR_DIV of the
 * class's ceiling (at least 1 unit/s), and its buckets keep their depth, so
 * a part whose demand comes back sends what its bucket holds at once and is
 * pressed at the next step. The pressed parts share the rest in the
 * proportion of their static shares, max-min fair (a part's fair share it
 * would not fill goes on to the others): all parts pressed gives exactly the
 * static split, which is what HTB's rules give the leaves of one class when
 * all of them are busy (guarantees first, the spare by quantum, the quanta
 * following the rates). What nobody wants goes to every part by weight, so
 * the shares always add up to the class.
 *
 * Invariant: for each of the six values (rate and ceiling in bits, packets,
 * cycles per second) the parts' shares in effect add up to at most the
 * class's, at every instant. The leader never publishes while a part has not
 * acknowledged what it was last given, and a move is two publications: first
 * every value that goes down (the others stay), then, once every part
 * acknowledged, every value that goes up. While the first is being taken,
 * each part runs its old share or its lowered one, both at most the old
 * share, whose sum holds; while the second is, each part runs its lowered or
 * its new share, both at most the new share, whose sum holds.
 *
 * Memory: each part's words are written by one thread only (the owner its
 * report and ack, the leader its share), read under a sequence count: odd
 * while written; a reader that sees it move skips and looks again at its next
 * call, so nobody waits for anybody.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sched/vqos_sched.h"

/* Usage is measured over the reports of about this long. */
#define USAGE_WINDOW_MS 10
/* A part seen pressed stays so this long: a container that stalls for less
 * (its sender lost the CPU) keeps its share, as its bucket keeps its burst. */
#define HOLD_MS 20
/* Pressed means short of ceil tokens while sending at least this part of
 * its share: a part that went idle with an empty bucket is not pressed. */
#define PRESSED_USE 0.5
/* Reports kept per part: a window's worth at one report a millisecond. */
#define HIST 16
/* A share moves only when a ceiling moves by more than 1/this of the class's. */
#define MOVE_DIV 512

/* A part's share: leader: wo, owner: ro. Its own cache line. */
struct share_words {
	_Alignas(64) uint64_t seq; /* odd while the leader writes */
	uint64_t gen;		   /* publication that last wrote it */
	uint64_t rate[VQOS_SCHED_UNITS];
	uint64_t ceil[VQOS_SCHED_UNITS];
};

/* A part's report and ack: owner: wo, leader: ro. Its own cache line. */
struct share_report {
	_Alignas(64) uint64_t seq; /* odd while the owner writes */
	uint64_t now, bytes, packets;
	uint64_t pressed; /* bit 0: a ceil bucket short, bit 1: in debt */
	uint64_t ack;	  /* the publication in effect */
};

/* The leader's history of a part's reports, a ring. */
struct share_hist {
	uint64_t t[HIST], bytes[HIST], packets[HIST];
	/* the ceilings (bit/s, pkt/s) the part ran when it sent each report,
	 * as far as the leader knows: what it acked */
	uint64_t ceil[HIST][2];
	uint64_t eff[2];       /* the ceilings of the part's newest ack */
	uint32_t n, head;      /* head: the newest */
	bool pressed;	       /* in the newest report: a ceil bucket short */
	bool debt;	       /* in the newest report: a ceil bucket below 0 */
	uint64_t pressed_till; /* held pressed until then (report time) */
};

struct vqos_share {
	uint32_t n;
	uint64_t hz;
	struct vqos_sched_rates whole;
	/* leader only */
	bool raising;			  /* lowered shares published, raises wait for acks */
	uint64_t gen;			  /* last publication */
	struct vqos_sched_rates *weight;  /* [n]: static shares */
	struct vqos_sched_rates *cur;	  /* [n]: what each part was given last */
	struct vqos_sched_rates *target;  /* [n]: where a move goes */
	struct vqos_share_demand *demand; /* [n]: scratch */
	uint64_t *given;		  /* [n]: publication each part was given last */
	struct share_hist *hist;	  /* [n] */
	/* shared */
	struct share_words *words;   /* [n] */
	struct share_report *report; /* [n] */
};

/* ---- the computation ---- */

/* Max-min fair by weight: who wants less than a fair share of what is left
 * gets what it wants, the others share the rest by weight (@p give[0..n),
 * at most @p avail in all); returns what nobody wanted. */
static double water_fill(double avail, const double *w, const double *want, uint32_t n,
			 double *give)
{
	bool open[VQOS_SHARE_PARTS_MAX];
	uint32_t k, n_open = n;

	for (k = 0; k < n; k++) {
		open[k] = true;
		give[k] = 0;
	}
	while (n_open > 0) {
		double w_open = 0, round = avail;
		bool capped = false;

		for (k = 0; k < n; k++)
			w_open += open[k] ? w[k] : 0;
		for (k = 0; k < n; k++) {
			if (!open[k] || want[k] > round * w[k] / w_open)
				continue;
			give[k] = want[k];
			avail -= want[k];
			open[k] = false;
			n_open--;
			capped = true;
		}
		if (capped)
			continue;
		for (k = 0; k < n; k++)
			if (open[k])
				give[k] = avail * w[k] / w_open;
		return 0;
	}
	return avail;
}

/* One unit: ceilings of class ceiling @p c and rates of class rate @p r. */
static void fill_unit(uint64_t c, uint64_t r, const struct vqos_sched_rates *weight,
		      const struct vqos_share_demand *d, uint32_t n, unsigned u,
		      struct vqos_sched_rates *out)
{
	double w[VQOS_SHARE_PARTS_MAX], want[VQOS_SHARE_PARTS_MAX], give[VQOS_SHARE_PARTS_MAX];
	double left, w_all = 0, lack = 0, above = 0;
	uint64_t floor = c / VQOS_SHARE_FLOOR_DIV, sum = 0;
	uint32_t k;

	if (floor == 0)
		floor = 1;
	/* too small a class to give every part a unit (and a rate): as split */
	if (c < (uint64_t)n * floor || (r != 0 && r < n)) {
		for (k = 0; k < n; k++) {
			out[k].ceil[u] = weight[k].ceil[u];
			out[k].rate[u] = weight[k].rate[u];
		}
		return;
	}
	for (k = 0; k < n; k++)
		w_all += (double)weight[k].ceil[u];
	for (k = 0; k < n; k++) {
		w[k] = w_all > 0 ? (double)weight[k].ceil[u] : 1;
		want[k] = d[k].pressed ? INFINITY : d[k].used[u] * 1.25;
		if (want[k] < (double)floor)
			want[k] = (double)floor;
	}
	if (w_all == 0)
		w_all = n;
	left = water_fill((double)c, w, want, n, give);
	/* what nobody wants: everybody's, by weight */
	for (k = 0; k < n && left > 0; k++)
		give[k] += left * w[k] / w_all;
	/* a pressed part of little weight still has its floor, from the others */
	for (k = 0; k < n; k++) {
		if (give[k] < (double)floor) {
			lack += (double)floor - give[k];
			give[k] = (double)floor;
		} else {
			above += give[k] - (double)floor;
		}
	}
	for (k = 0; k < n && lack > 0; k++)
		if (give[k] > (double)floor)
			give[k] -= lack * (give[k] - (double)floor) / above;
	for (k = 0; k < n; k++) {
		out[k].ceil[u] = give[k] >= (double)c ? c : (uint64_t)give[k];
		if (out[k].ceil[u] < floor)
			out[k].ceil[u] = floor;
		sum += out[k].ceil[u];
	}
	/* rounding of doubles: never above the class */
	while (sum > c) {
		uint32_t big = 0;
		uint64_t cut;

		for (k = 1; k < n; k++)
			if (out[k].ceil[u] > out[big].ceil[u])
				big = k;
		cut = sum - c < out[big].ceil[u] - floor ? sum - c : out[big].ceil[u] - floor;
		if (cut == 0)
			break;
		out[big].ceil[u] -= cut;
		sum -= cut;
	}
	/* the rate follows the ceiling: sum <= r since sum of ceilings <= c */
	for (k = 0; k < n; k++) {
		unsigned __int128 x = (unsigned __int128)r * out[k].ceil[u] / c;

		out[k].rate[u] = r == 0 ? 0 : x > 0 ? (uint64_t)x : 1;
	}
}

void vqos_share_compute(const struct vqos_sched_rates *whole, const struct vqos_sched_rates *weight,
			const struct vqos_share_demand *d, uint32_t n, struct vqos_sched_rates *out)
{
	for (unsigned u = 0; u < VQOS_SCHED_UNITS; u++) {
		if (whole->ceil[u] == 0) {
			for (uint32_t k = 0; k < n; k++)
				out[k].rate[u] = out[k].ceil[u] = 0;
			continue;
		}
		fill_unit(whole->ceil[u], whole->rate[u], weight, d, n, u, out);
	}
}

/* ---- the shared words ---- */

struct vqos_share *vqos_share_create(const struct vqos_share_params *p)
{
	struct vqos_share *s;
	uint32_t n;

	if (p == NULL || p->parts == NULL || p->n_parts < 2 || p->n_parts > VQOS_SHARE_PARTS_MAX ||
	    p->hz == 0)
		return NULL;
	n = p->n_parts;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->n = n;
	s->hz = p->hz;
	s->whole = p->whole;
	s->weight = calloc(n, sizeof(*s->weight));
	s->cur = calloc(n, sizeof(*s->cur));
	s->target = calloc(n, sizeof(*s->target));
	s->demand = calloc(n, sizeof(*s->demand));
	s->given = calloc(n, sizeof(*s->given));
	s->hist = calloc(n, sizeof(*s->hist));
	s->words = aligned_alloc(64, n * sizeof(*s->words));
	s->report = aligned_alloc(64, n * sizeof(*s->report));
	if (!s->weight || !s->cur || !s->target || !s->demand || !s->given || !s->hist ||
	    !s->words || !s->report) {
		vqos_share_free(s);
		return NULL;
	}
	memset(s->words, 0, n * sizeof(*s->words));
	memset(s->report, 0, n * sizeof(*s->report));
	memcpy(s->weight, p->parts, n * sizeof(*s->weight));
	memcpy(s->cur, p->parts, n * sizeof(*s->cur));
	/* publication 1: the static split, which the parts were built with */
	s->gen = 1;
	for (uint32_t k = 0; k < n; k++) {
		s->words[k].gen = 1;
		memcpy(s->words[k].rate, p->parts[k].rate, sizeof(s->words[k].rate));
		memcpy(s->words[k].ceil, p->parts[k].ceil, sizeof(s->words[k].ceil));
		s->given[k] = 1;
		s->hist[k].eff[0] = p->parts[k].ceil[VQOS_SCHED_BPS];
		s->hist[k].eff[1] = p->parts[k].ceil[VQOS_SCHED_PPS];
	}
	return s;
}

void vqos_share_free(struct vqos_share *s)
{
	if (s == NULL)
		return;
	free(s->weight);
	free(s->cur);
	free(s->target);
	free(s->demand);
	free(s->given);
	free(s->hist);
	free(s->words);
	free(s->report);
	free(s);
}

void vqos_share_report(struct vqos_share *s, uint32_t part, uint64_t now, uint64_t bytes,
		       uint64_t packets, bool ceil_short, bool ceil_debt)
{
	struct share_report *r = &s->report[part];
	uint64_t seq = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&r->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&r->now, now, __ATOMIC_RELAXED);
	__atomic_store_n(&r->bytes, bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&r->packets, packets, __ATOMIC_RELAXED);
	__atomic_store_n(&r->pressed, (uint64_t)ceil_short | (uint64_t)ceil_debt << 1,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&r->seq, seq + 2, __ATOMIC_RELEASE);
}

bool vqos_share_take(struct vqos_share *s, uint32_t part, uint64_t *gen,
		     struct vqos_sched_rates *out)
{
	struct share_words *w = &s->words[part];
	uint64_t seq = __atomic_load_n(&w->seq, __ATOMIC_ACQUIRE), g;
	struct vqos_sched_rates r;

	if (seq & 1)
		return false;
	g = __atomic_load_n(&w->gen, __ATOMIC_RELAXED);
	if (g == *gen)
		return false;
	for (unsigned u = 0; u < VQOS_SCHED_UNITS; u++) {
		r.rate[u] = __atomic_load_n(&w->rate[u], __ATOMIC_RELAXED);
		r.ceil[u] = __atomic_load_n(&w->ceil[u], __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&w->seq, __ATOMIC_RELAXED) != seq)
		return false;
	*out = r;
	*gen = g;
	return true;
}

void vqos_share_ack(struct vqos_share *s, uint32_t part, uint64_t gen)
{
	__atomic_store_n(&s->report[part].ack, gen, __ATOMIC_RELEASE);
}

void vqos_share_get(const struct vqos_share *s, uint32_t part, struct vqos_sched_rates *out)
{
	const struct share_words *w = &s->words[part];

	for (unsigned u = 0; u < VQOS_SCHED_UNITS; u++) {
		out->rate[u] = __atomic_load_n(&w->rate[u], __ATOMIC_RELAXED);
		out->ceil[u] = __atomic_load_n(&w->ceil[u], __ATOMIC_RELAXED);
	}
}

/* Leader: give part @p k @p r in publication s->gen. */
static void publish(struct vqos_share *s, uint32_t k, const struct vqos_sched_rates *r)
{
	struct share_words *w = &s->words[k];
	uint64_t seq = w->seq;

	__atomic_store_n(&w->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&w->gen, s->gen, __ATOMIC_RELAXED);
	for (unsigned u = 0; u < VQOS_SCHED_UNITS; u++) {
		__atomic_store_n(&w->rate[u], r->rate[u], __ATOMIC_RELAXED);
		__atomic_store_n(&w->ceil[u], r->ceil[u], __ATOMIC_RELAXED);
	}
	__atomic_store_n(&w->seq, seq + 2, __ATOMIC_RELEASE);
	s->cur[k] = *r;
	s->given[k] = s->gen;
}

/* Leader: part @p k's newest report into its history (when it is new). */
static void gather(struct vqos_share *s, uint32_t k)
{
	const struct share_report *r = &s->report[k];
	struct share_hist *h = &s->hist[k];
	uint64_t seq = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE), t, b, p, pr;

	if (seq & 1)
		return;
	t = __atomic_load_n(&r->now, __ATOMIC_RELAXED);
	b = __atomic_load_n(&r->bytes, __ATOMIC_RELAXED);
	p = __atomic_load_n(&r->packets, __ATOMIC_RELAXED);
	pr = __atomic_load_n(&r->pressed, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&r->seq, __ATOMIC_RELAXED) != seq || seq == 0)
		return;
	if (h->n > 0 && t <= h->t[h->head])
		return;
	/* the part reports before it takes a share, so what it acked by now
	 * it ran at most since this report: the usage so far was the older */
	h->head = (h->head + 1) % HIST;
	h->t[h->head] = t;
	h->bytes[h->head] = b;
	h->packets[h->head] = p;
	h->ceil[h->head][0] = h->eff[0];
	h->ceil[h->head][1] = h->eff[1];
	if (__atomic_load_n(&r->ack, __ATOMIC_ACQUIRE) >= s->given[k]) {
		h->eff[0] = s->cur[k].ceil[VQOS_SCHED_BPS];
		h->eff[1] = s->cur[k].ceil[VQOS_SCHED_PPS];
	}
	h->pressed = (pr & 1) != 0;
	h->debt = (pr & 2) != 0;
	if (h->n < HIST)
		h->n++;
}

/* Leader: part @p k's demand from its history; false while it has too few
 * reports to tell. */
static bool demand_of(struct vqos_share *s, uint32_t k, struct vqos_share_demand *d)
{
	struct share_hist *h = &s->hist[k];
	const struct vqos_sched_rates *cur = &s->cur[k];
	uint64_t window = s->hz / 1000 * USAGE_WINDOW_MS;
	uint32_t i = h->head, back = 0;
	uint64_t ran[2] = { h->ceil[h->head][0], h->ceil[h->head][1] };
	double dt, ratio = 0;

	/* too few reports yet to tell: less than a window from the oldest */
	if (h->n < 2 || h->t[h->head] - h->t[(h->head + HIST + 1 - h->n) % HIST] < window)
		return false;
	/* back to the newest report at least a window before the newest one;
	 * the least the part ran in that time, each unit */
	while (back + 1 < h->n && h->t[h->head] - h->t[i] < window) {
		for (unsigned u = 0; u < 2; u++)
			if (h->ceil[i][u] < ran[u])
				ran[u] = h->ceil[i][u];
		i = (i + HIST - 1) % HIST;
		back++;
	}
	dt = (double)(h->t[h->head] - h->t[i]) / (double)s->hz;
	d->used[VQOS_SCHED_BPS] = (double)(h->bytes[h->head] - h->bytes[i]) * 8 / dt;
	d->used[VQOS_SCHED_PPS] = (double)(h->packets[h->head] - h->packets[i]) / dt;
	/* cycles are not counted per class: they go as the bits or packets do */
	for (unsigned u = VQOS_SCHED_BPS; u <= VQOS_SCHED_PPS; u++)
		if (cur->ceil[u] != 0 && d->used[u] / (double)cur->ceil[u] > ratio)
			ratio = d->used[u] / (double)cur->ceil[u];
	d->used[VQOS_SCHED_CPS] = ratio * (double)cur->ceil[VQOS_SCHED_CPS];
	/* pressed: against the share the part had while it sent what it
	 * did, not one just given (a part raised from a little share would
	 * read idle against its raise, and fall back to its usage) */
	for (unsigned u = 0; u < 2; u++)
		if (ran[u] != 0 && d->used[u] / (double)ran[u] > ratio)
			ratio = d->used[u] / (double)ran[u];
	if (h->debt || (h->pressed && ratio >= PRESSED_USE))
		h->pressed_till = h->t[h->head] + s->hz / 1000 * HOLD_MS;
	d->pressed = h->t[h->head] < h->pressed_till;
	return true;
}

/* Whether @p next differs enough from what the parts have to publish it. */
static bool moved(const struct vqos_share *s, const struct vqos_sched_rates *next)
{
	for (uint32_t k = 0; k < s->n; k++)
		for (unsigned u = 0; u < VQOS_SCHED_UNITS; u++) {
			uint64_t a = s->cur[k].ceil[u], b = next[k].ceil[u];
			uint64_t d = a > b ? a - b : b - a;

			if (d > s->whole.ceil[u] / MOVE_DIV)
				return true;
		}
	return false;
}

/* Leader: every part to its target, in a new publication; the parts given. */
static uint64_t publish_targets(struct vqos_share *s)
{
	uint64_t mask = 0;

	s->gen++;
	for (uint32_t k = 0; k < s->n; k++) {
		if (memcmp(&s->cur[k], &s->target[k], sizeof(s->target[k])) == 0)
			continue;
		publish(s, k, &s->target[k]);
		mask |= 1ull << k;
	}
	s->raising = false;
	return mask;
}

uint64_t vqos_share_step(struct vqos_share *s)
{
	uint64_t mask = 0;
	bool up = false;

	for (uint32_t k = 0; k < s->n; k++)
		gather(s, k);
	/* nothing new while a part runs what it was given before */
	for (uint32_t k = 0; k < s->n; k++)
		if (__atomic_load_n(&s->report[k].ack, __ATOMIC_ACQUIRE) < s->given[k])
			return 0;
	/* every part runs its lowered share: the gains may go */
	if (s->raising)
		return publish_targets(s);
	for (uint32_t k = 0; k < s->n; k++)
		if (!demand_of(s, k, &s->demand[k]))
			return 0;
	vqos_share_compute(&s->whole, s->weight, s->demand, s->n, s->target);
	if (!moved(s, s->target))
		return 0;
	/* first what goes down, each value to the lower of old and new */
	s->gen++;
	for (uint32_t k = 0; k < s->n; k++) {
		struct vqos_sched_rates low = s->cur[k];
		bool down = false;

		for (unsigned u = 0; u < VQOS_SCHED_UNITS; u++) {
			down |= s->target[k].rate[u] < low.rate[u] ||
				s->target[k].ceil[u] < low.ceil[u];
			up |= s->target[k].rate[u] > low.rate[u] ||
			      s->target[k].ceil[u] > low.ceil[u];
			if (s->target[k].rate[u] < low.rate[u])
				low.rate[u] = s->target[k].rate[u];
			if (s->target[k].ceil[u] < low.ceil[u])
				low.ceil[u] = s->target[k].ceil[u];
		}
		if (!down)
			continue;
		publish(s, k, &low);
		mask |= 1ull << k;
	}
	s->raising = up;
	/* nothing went down (every part acked): the gains go at once */
	if (mask == 0 && up)
		return publish_targets(s);
	return mask;
}
