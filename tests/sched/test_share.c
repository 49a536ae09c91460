/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sched/share.c: a split class's shares follow demand.
 *
 * First vqos_share_compute() alone, on worked examples. Then a simulated
 * split on a nanosecond clock: the root (60 Mbit/s) of two htb qdiscs, as
 * two data-path lcores run it, a leaf under each part (a: rate 20, b: rate
 * 40, both ceil 60 Mbit/s, always backlogged while on); each part reports
 * every millisecond, part 0 leads, each takes and applies its share (part 1
 * late: as an lcore that sleeps 3 ms); b's container stalls 10 ms once,
 * which moves nothing. Checked at every step: the shares
 * in effect add up to at most the class's, rate and ceiling; and in every
 * 10 ms window the bytes sent add up to at most the class's rate x 10 ms
 * plus the parts' bursts; and that a busy part gets the class's ceiling
 * within 1% at most 50 ms after the other went idle. Last, test_lcores's
 * split after its change (12 / 48, each leaf's rate under its part's share)
 * with both busy, the lcores apart or taking turns on one CPU, one part's
 * container stalling: the static split holds, and is back after the stall.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"

#define FLOOR_BPS (60 * MBIT / VQOS_SHARE_FLOOR_DIV)

static struct vqos_sched_rates bps(uint64_t rate, uint64_t ceil)
{
	struct vqos_sched_rates r;

	memset(&r, 0, sizeof(r));
	r.rate[VQOS_SCHED_BPS] = rate;
	r.ceil[VQOS_SCHED_BPS] = ceil;
	return r;
}

static struct vqos_share_demand want(bool pressed, double used_bps)
{
	struct vqos_share_demand d;

	memset(&d, 0, sizeof(d));
	d.pressed = pressed;
	d.used[VQOS_SCHED_BPS] = used_bps;
	return d;
}

static void check_sums(const struct vqos_sched_rates *whole, const struct vqos_sched_rates *out,
		       uint32_t n)
{
	for (unsigned u = 0; u < VQOS_SCHED_UNITS; u++) {
		uint64_t r = 0, c = 0;

		for (uint32_t k = 0; k < n; k++) {
			r += out[k].rate[u];
			c += out[k].ceil[u];
			assert_true(out[k].rate[u] <= out[k].ceil[u]);
		}
		assert_true(r <= whole->rate[u]);
		assert_true(c <= whole->ceil[u]);
	}
}

/* Both pressed: the static split; one idle: it keeps its floor, the other
 * the rest; one using part of its share: that plus a quarter. */
static void test_compute(void **state)
{
	struct vqos_sched_rates whole = bps(60 * MBIT, 60 * MBIT);
	struct vqos_sched_rates w[2] = { bps(20 * MBIT, 20 * MBIT), bps(40 * MBIT, 40 * MBIT) };
	struct vqos_share_demand d[2] = { want(true, 20e6), want(true, 40e6) };
	struct vqos_sched_rates out[2];

	(void)state;
	vqos_share_compute(&whole, w, d, 2, out);
	check_sums(&whole, out, 2);
	assert_true(llabs((long long)out[0].ceil[0] - (long long)(20 * MBIT)) <= 1);
	assert_true(llabs((long long)out[1].ceil[0] - (long long)(40 * MBIT)) <= 1);

	d[1] = want(false, 0);
	vqos_share_compute(&whole, w, d, 2, out);
	check_sums(&whole, out, 2);
	assert_int_equal(out[1].ceil[0], FLOOR_BPS);
	assert_int_equal(out[1].rate[0], FLOOR_BPS);
	assert_int_equal(out[0].ceil[0], 60 * MBIT - FLOOR_BPS);

	/* b sends 10 of its 40: it gets 12.5, a the other 47.5 */
	d[1] = want(false, 10e6);
	vqos_share_compute(&whole, w, d, 2, out);
	check_sums(&whole, out, 2);
	assert_true(llabs((long long)out[1].ceil[0] - 12500000) <= 1);
	assert_true(llabs((long long)out[0].ceil[0] - 47500000) <= 1);

	/* nobody pressed, nothing used: each its floor, the spare by weight */
	d[0] = want(false, 0);
	d[1] = want(false, 0);
	vqos_share_compute(&whole, w, d, 2, out);
	check_sums(&whole, out, 2);
	assert_true(llabs((long long)out[0].ceil[0] -
			  (long long)(FLOOR_BPS + (60 * MBIT - 2 * FLOOR_BPS) / 3)) <= 2);
	assert_true(out[0].ceil[0] + out[1].ceil[0] >= 60 * MBIT - 2);
}

/* Three parts, rate below ceil, a unit the class has no rate in, and a
 * pressed part whose fair share another does not fill. */
static void test_compute_three(void **state)
{
	struct vqos_sched_rates whole = bps(30 * MBIT, 90 * MBIT);
	struct vqos_sched_rates w[3] = { bps(10 * MBIT, 30 * MBIT), bps(10 * MBIT, 30 * MBIT),
					 bps(10 * MBIT, 30 * MBIT) };
	struct vqos_share_demand d[3] = { want(true, 0), want(true, 0), want(false, 8e6) };
	struct vqos_sched_rates out[3];

	(void)state;
	vqos_share_compute(&whole, w, d, 3, out);
	check_sums(&whole, out, 3);
	assert_true(llabs((long long)out[2].ceil[0] - 10000000) <= 1);
	assert_true(llabs((long long)out[0].ceil[0] - 40000000) <= 1);
	assert_true(llabs((long long)out[1].ceil[0] - 40000000) <= 1);
	/* the guarantee follows the ceiling: 30 x 40/90 */
	assert_true(llabs((long long)out[0].rate[0] - 13333333) <= 1);
	for (uint32_t k = 0; k < 3; k++) {
		assert_int_equal(out[k].ceil[VQOS_SCHED_PPS], 0);
		assert_int_equal(out[k].rate[VQOS_SCHED_CPS], 0);
	}
	/* too small to give each part a floor: the split as it was */
	whole = bps(2, 2);
	w[0] = bps(1, 1);
	w[1] = bps(1, 1);
	w[2] = bps(1, 1);
	vqos_share_compute(&whole, w, d, 3, out);
	for (uint32_t k = 0; k < 3; k++)
		assert_int_equal(out[k].ceil[0], 1);
}

/* Bad params are refused. */
static void test_create(void **state)
{
	struct vqos_sched_rates w[2] = { bps(1, 1), bps(1, 1) };
	struct vqos_share_params p = { .n_parts = 1, .whole = bps(2, 2), .parts = w, .hz = SIM_HZ };

	(void)state;
	assert_null(vqos_share_create(&p));
	p.n_parts = VQOS_SHARE_PARTS_MAX + 1;
	assert_null(vqos_share_create(&p));
	p.n_parts = 2;
	p.hz = 0;
	assert_null(vqos_share_create(&p));
	assert_null(vqos_share_create(NULL));
	vqos_share_free(NULL);
}

/* ---- the simulated split ---- */

#define STEP	(50 * 1000ull) /* ns */
#define END	(800 * SIM_MS)
#define N_STEPS (END / STEP)
#define WINDOW	(10 * SIM_MS / STEP) /* steps in 10 ms */
#define SIZE	1000u		     /* bytes a packet */
#define BURST	8000u		     /* the root's burst and cburst, bytes */

struct part {
	struct vqos_qdisc *q; /* root part (0) and its leaf (1) */
	struct vqos_sched_rates applied;
	uint64_t gen;
	uint64_t take_every; /* ns between its looks at its share */
	uint64_t next_take;
};

static uint64_t sent[2][N_STEPS]; /* bytes each part sent in each step */

/* A part: the root at @p root_mbit, its leaf at @p rate_mbit (ceil 60); the
 * root's burst and cburst @p root_burst bytes, the leaf's @p leaf_burst (0:
 * the default). */
static struct vqos_qdisc *make_part(double root_mbit, double rate_mbit, uint32_t root_burst,
				    uint32_t leaf_burst)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", root_mbit, 0),
		sim_class(2, 1, "leaf", rate_mbit, 60),
	};
	struct vqos_sched_params p;
	struct vqos_sched_error err;
	struct vqos_qdisc *q = NULL;

	c[0].burst = c[0].cburst = root_burst;
	if (leaf_burst != 0)
		c[1].burst = c[1].cburst = leaf_burst;
	p = sim_params(c, 2, VQOS_SCHED_PULL);
	if (vqos_htb_ops.create(&p, &q, &err) != 0)
		fail_msg("create: %s", err.msg);
	return q;
}

/* Whether part @p k's leaf has packets at @p now. */
static bool busy(uint32_t k, uint64_t now)
{
	uint64_t ms = now / SIM_MS;

	/* 0-200 both (but b stalls 10 ms at 100), 200-400 a alone, 400-600
	 * both, 600-800 b alone */
	if (k == 0)
		return ms < 600;
	return (ms < 200 && (ms < 100 || ms >= 110)) || ms >= 400;
}

/* Its backlogged leaf sends what @p q grants at @p now; bytes sent. */
static uint64_t send_granted(struct vqos_qdisc *q, uint64_t now)
{
	struct vqos_sched_grant g;
	uint64_t bytes = 0;

	vqos_sched_wake(q, 1);
	while (vqos_sched_grant(q, now, VQOS_SCHED_BATCH, &g)) {
		/* as a vring: whole packets while under the byte budget */
		uint64_t n = (g.bytes + SIZE - 1) / SIZE;

		if (n > g.pkts)
			n = g.pkts;
		q->ops->charge_count(q, &g, (uint32_t)n, n * SIZE, now, true);
		bytes += n * SIZE;
	}
	return bytes;
}

/* Part @p k sends what its qdisc grants at @p now; bytes sent. */
static uint64_t serve(struct part *p, uint32_t k, uint64_t now)
{
	return busy(k, now) ? send_granted(p->q, now) : 0;
}

static double mbit(uint32_t k, uint64_t from_ms, uint64_t to_ms)
{
	uint64_t bytes = 0;

	for (uint64_t i = from_ms * SIM_MS / STEP; i < to_ms * SIM_MS / STEP; i++)
		bytes += sent[k][i];
	return (double)bytes * 8 / ((double)(to_ms - from_ms) / 1000) / 1e6;
}

static void test_split(void **state)
{
	struct vqos_sched_rates w[2] = { bps(20 * MBIT, 20 * MBIT), bps(40 * MBIT, 40 * MBIT) };
	struct vqos_share_params sp = {
		.n_parts = 2, .whole = bps(60 * MBIT, 60 * MBIT), .parts = w, .hz = SIM_HZ
	};
	struct vqos_share *s = vqos_share_create(&sp);
	struct part parts[2] = {
		{ .q = make_part(20, 20, BURST, 0), .applied = w[0], .take_every = 0 },
		{ .q = make_part(40, 40, BURST, 0), .applied = w[1], .take_every = 3 * SIM_MS },
	};
	uint64_t most = 0, allowed = 60 * MBIT / 8 / 100 + 2 * (BURST + SIZE);
	uint64_t a_full_at = 0, moves = 0;

	(void)state;
	assert_non_null(s);
	for (uint64_t i = 0; i < N_STEPS; i++) {
		uint64_t now = i * STEP;

		for (uint32_t k = 0; k < 2; k++) {
			struct part *p = &parts[k];
			struct vqos_sched_class_stats cs;
			struct vqos_sched_rates r;

			if (now % SIM_MS == 0) {
				assert_int_equal(p->q->ops->stats(p->q, 0, now, &cs), 0);
				vqos_share_report(s, k, now, cs.bytes, cs.packets, cs.ceil_short,
						  cs.ceil_debt);
				if (k == 0 && vqos_share_step(s) != 0)
					moves++;
			}
			if (now >= p->next_take && vqos_share_take(s, k, &p->gen, &r)) {
				assert_int_equal(p->q->ops->retune(p->q, 0, &r, now), 0);
				p->applied = r;
				vqos_share_ack(s, k, p->gen);
				/* the floor: a part never goes below it */
				assert_true(r.ceil[0] >= FLOOR_BPS && r.rate[0] >= FLOOR_BPS);
			}
			if (now >= p->next_take)
				p->next_take = now + p->take_every;
			sent[k][i] = serve(p, k, now);
		}
		/* what is in effect never adds up to more than the class */
		assert_true(parts[0].applied.ceil[0] + parts[1].applied.ceil[0] <= 60 * MBIT);
		assert_true(parts[0].applied.rate[0] + parts[1].applied.rate[0] <= 60 * MBIT);
		/* a stall shorter than the hold moves nothing */
		if (now >= 100 * SIM_MS && now < 150 * SIM_MS)
			assert_true(parts[1].applied.ceil[0] == 40 * MBIT);
		if (a_full_at == 0 && now >= 200 * SIM_MS &&
		    parts[0].applied.ceil[0] >= 60 * MBIT * 99 / 100)
			a_full_at = now;
		/* the last 10 ms sent, both parts */
		if (i + 1 >= WINDOW) {
			uint64_t sum = 0;

			for (uint64_t j = i + 1 - WINDOW; j <= i; j++)
				sum += sent[0][j] + sent[1][j];
			most = sum > most ? sum : most;
			assert_true(sum <= allowed);
		}
	}
	print_message("  both: a %.2f b %.2f; b idle: a %.2f; both: a %.2f b %.2f; a idle: b %.2f "
		      "Mbit/s\n",
		      mbit(0, 130, 200), mbit(1, 130, 200), mbit(0, 250, 400), mbit(0, 500, 600),
		      mbit(1, 500, 600), mbit(1, 650, 800));
	print_message("  a had 99%% of the ceiling %.1f ms after b went idle; most in 10 ms %lu "
		      "bytes (allowed %lu); %lu moves\n",
		      (double)(a_full_at - 200 * SIM_MS) / SIM_MS, (unsigned long)most,
		      (unsigned long)allowed, (unsigned long)moves);
	/* both busy: the static split, 20 and 40 (HTB's rates) */
	assert_true(fabs(mbit(0, 130, 200) - 20) < 0.4);
	assert_true(fabs(mbit(1, 130, 200) - 40) < 0.8);
	/* b idle: a has the ceiling within 1%, 50 ms after at most */
	assert_true(a_full_at != 0 && a_full_at <= 250 * SIM_MS);
	assert_true(mbit(0, 250, 400) >= 60 * 0.99 && mbit(0, 250, 400) <= 60.3);
	/* b back: the static split again within 50 ms */
	assert_true(fabs(mbit(0, 450, 600) - 20) < 0.4);
	assert_true(fabs(mbit(1, 450, 600) - 40) < 0.8);
	/* a idle: b has the ceiling */
	assert_true(mbit(1, 650, 800) >= 60 * 0.99 && mbit(1, 650, 800) <= 60.3);
	vqos_sched_destroy(parts[0].q);
	vqos_sched_destroy(parts[1].q);
	vqos_share_free(s);
}

/* A share of a 60 Mbit/s class split @p a_mbit / @p b_mbit (rate = ceil). */
static struct vqos_share *split_60(uint64_t a_mbit, uint64_t b_mbit)
{
	struct vqos_sched_rates w[2] = { bps(a_mbit * MBIT, a_mbit * MBIT),
					 bps(b_mbit * MBIT, b_mbit * MBIT) };
	struct vqos_share_params sp = {
		.n_parts = 2, .whole = bps(60 * MBIT, 60 * MBIT), .parts = w, .hz = SIM_HZ
	};

	return vqos_share_create(&sp);
}

/* A move waits for the parts that lose to take their lowered share: the
 * gaining part is given nothing more until then. */
static void test_two_phase(void **state)
{
	struct vqos_share *s = split_60(20, 40);
	struct vqos_sched_rates r;
	uint64_t gen[2] = { 0, 0 }, mask;

	(void)state;
	assert_non_null(s);
	/* nothing moves before every part took its first share */
	assert_true(vqos_share_take(s, 0, &gen[0], &r));
	vqos_share_ack(s, 0, gen[0]);
	vqos_share_report(s, 0, 0, 0, 0, true, false);
	vqos_share_report(s, 1, 0, 0, 0, false, false);
	assert_int_equal(vqos_share_step(s), 0);
	assert_true(vqos_share_take(s, 1, &gen[1], &r));
	assert_int_equal(r.ceil[0], 40 * MBIT);
	vqos_share_ack(s, 1, gen[1]);
	/* a pressed, b idle for 20 ms: b is lowered first */
	vqos_share_report(s, 0, 20 * SIM_MS, 50000, 50, true, false);
	vqos_share_report(s, 1, 20 * SIM_MS, 0, 0, false, false);
	mask = vqos_share_step(s);
	assert_int_equal(mask, 2);
	assert_false(vqos_share_take(s, 0, &gen[0], &r));
	/* until b acks, a gets nothing more, however often asked */
	assert_int_equal(vqos_share_step(s), 0);
	assert_int_equal(vqos_share_step(s), 0);
	assert_false(vqos_share_take(s, 0, &gen[0], &r));
	assert_true(vqos_share_take(s, 1, &gen[1], &r));
	assert_int_equal(r.ceil[0], FLOOR_BPS);
	vqos_share_ack(s, 1, gen[1]);
	assert_int_equal(vqos_share_step(s), 1);
	assert_true(vqos_share_take(s, 0, &gen[0], &r));
	assert_int_equal(r.ceil[0], 60 * MBIT - FLOOR_BPS);
	vqos_share_get(s, 1, &r);
	assert_int_equal(r.ceil[0], FLOOR_BPS);
	vqos_share_free(s);
}

/* ---- a leaf whose rate is under its part's share ---- */

#define BR_END	    (1000 * SIM_MS)
#define BR_STEPS    (BR_END / STEP)
#define BR_BURST    750000u /* bytes: every bucket, as test_lcores has them */
#define BR_STALL_AT 300	    /* ms */

static uint64_t br_sent[2][BR_STEPS];

static double br_mbit(uint32_t k, uint64_t from_ms, uint64_t to_ms)
{
	uint64_t bytes = 0;

	for (uint64_t i = from_ms * SIM_MS / STEP; i < to_ms * SIM_MS / STEP; i++)
		bytes += br_sent[k][i];
	return (double)bytes * 8 / ((double)(to_ms - from_ms) / 1000) / 1e6;
}

/*
 * test_lcores after its class change: the root (60 Mbit/s) split 12 / 48 by
 * the leaves' rates, a's leaf rate 10 under its part's 12 and b's 40 under
 * its 48, so each leaf borrows from its part; both backlogged, every bucket
 * 750 KB deep. Part @p who's container stalls @p stall_ms from BR_STALL_AT
 * (its part goes down to the floor when that is longer than the hold);
 * @p slice_ms: the two lcores share one CPU, each runs @p slice_ms, then
 * waits as long (0: each has its own). What each part sent from 480 ms to
 * the end (whole turns) into @p mbit (Mbit/s).
 */
static void borrow_run(uint64_t slice_ms, uint32_t who, uint64_t stall_ms, double mbit[2])
{
	struct vqos_sched_rates w[2] = { bps(12 * MBIT, 12 * MBIT), bps(48 * MBIT, 48 * MBIT) };
	struct vqos_share_params sp = {
		.n_parts = 2, .whole = bps(60 * MBIT, 60 * MBIT), .parts = w, .hz = SIM_HZ
	};
	struct vqos_share *s = vqos_share_create(&sp);
	struct part parts[2] = {
		{ .q = make_part(12, 10, BR_BURST, BR_BURST), .applied = w[0] },
		{ .q = make_part(48, 40, BR_BURST, BR_BURST), .applied = w[1] },
	};
	uint64_t next_report[2] = { 0, 0 };

	assert_non_null(s);
	for (uint64_t i = 0; i < BR_STEPS; i++) {
		uint64_t now = i * STEP, ms = now / SIM_MS;

		for (uint32_t k = 0; k < 2; k++) {
			struct part *p = &parts[k];
			struct vqos_sched_class_stats cs;
			struct vqos_sched_rates r;

			br_sent[k][i] = 0;
			/* off the CPU while the other lcore runs */
			if (slice_ms != 0 && ms / slice_ms % 2 != k)
				continue;
			if (k != who || ms < BR_STALL_AT || ms >= BR_STALL_AT + stall_ms)
				br_sent[k][i] = send_granted(p->q, now);
			/* as dp_share.c: report (and lead), then take */
			if (now >= next_report[k]) {
				next_report[k] = now + SIM_MS;
				assert_int_equal(p->q->ops->stats(p->q, 0, now, &cs), 0);
				vqos_share_report(s, k, now, cs.bytes, cs.packets, cs.ceil_short,
						  cs.ceil_debt);
				if (k == 0)
					vqos_share_step(s);
			}
			if (vqos_share_take(s, k, &p->gen, &r)) {
				assert_int_equal(p->q->ops->retune(p->q, 0, &r, now), 0);
				p->applied = r;
				vqos_share_ack(s, k, p->gen);
			}
		}
		assert_true(parts[0].applied.ceil[0] + parts[1].applied.ceil[0] <= 60 * MBIT);
	}
	mbit[0] = br_mbit(0, 480, 1000);
	mbit[1] = br_mbit(1, 480, 1000);
	vqos_sched_destroy(parts[0].q);
	vqos_sched_destroy(parts[1].q);
	vqos_share_free(s);
}

/* Both busy, the static split holds, however the lcores share the CPU; and
 * it is back 60 ms after a stall that took a part's share away: a part
 * given its share back is judged by what it sent under the little it had
 * (not by its raise, against which it read idle and fell back). */
static void test_borrow_from_part(void **state)
{
	static const uint64_t slices[] = { 0, 4, 10 }, stalls[] = { 0, 30, 120 };

	(void)state;
	for (uint32_t who = 0; who < 2; who++)
		for (unsigned i = 0; i < 3; i++)
			for (unsigned j = 0; j < 3; j++) {
				double m[2];

				borrow_run(slices[i], who, stalls[j], m);
				print_message("  lcores %s %lu ms, %s stalls %lu ms: a %.2f b "
					      "%.2f Mbit/s\n",
					      slices[i] ? "take turns of" : "apart,",
					      (unsigned long)slices[i], who ? "b" : "a",
					      (unsigned long)stalls[j], m[0], m[1]);
				assert_true(fabs(m[0] - 12) < 12 * 0.01);
				assert_true(fabs(m[1] - 48) < 48 * 0.01);
			}
}

/*
 * Right after a change (a new share, the qdiscs rebuilt with their counters
 * at 0 and their tokens carried), as test_lcores saw it: a's part, busy but
 * with its ceil bucket in debt (a grant's overshoot, carried), sends nothing
 * for its first reports, while b's is pressed. a is not idle: nothing moves
 * before the parts' reports cover a usage window, and a part in debt is
 * pressed whatever it sent (its ceiling holds it back). Before, a went to the
 * floor after 2 ms, and at the floor's rate took seconds to repay its debt
 * and show that it wanted more.
 */
static void test_debt_is_pressed(void **state)
{
	struct vqos_share *s = split_60(12, 48);
	struct vqos_sched_rates r;
	uint64_t gen[2] = { 0, 0 }, t;

	(void)state;
	assert_non_null(s);
	for (uint32_t k = 0; k < 2; k++) {
		assert_true(vqos_share_take(s, k, &gen[k], &r));
		vqos_share_ack(s, k, gen[k]);
	}
	/* 3 ms of reports: too few to tell, nothing moves */
	for (t = 0; t <= 2; t++) {
		vqos_share_report(s, 0, t * SIM_MS, 0, 0, true, true);
		vqos_share_report(s, 1, t * SIM_MS, t * 6000, t * 6, true, false);
		assert_int_equal(vqos_share_step(s), 0);
	}
	/* a whole window of it: a in debt is pressed, the static split holds */
	for (; t <= 30; t++) {
		vqos_share_report(s, 0, t * SIM_MS, 0, 0, true, true);
		vqos_share_report(s, 1, t * SIM_MS, t * 6000, t * 6, true, false);
		assert_int_equal(vqos_share_step(s), 0);
	}
	vqos_share_get(s, 0, &r);
	assert_int_equal(r.ceil[0], 12 * MBIT);
	/* out of debt and still sending nothing past the hold: idle, to the floor */
	for (; t <= 60; t++) {
		vqos_share_report(s, 0, t * SIM_MS, 0, 0, true, false);
		vqos_share_report(s, 1, t * SIM_MS, t * 6000, t * 6, true, false);
		if (vqos_share_step(s) != 0)
			break;
	}
	assert_int_equal(t, 50); /* the last debt at 30, held 20 ms */
	assert_true(vqos_share_take(s, 0, &gen[0], &r));
	assert_int_equal(r.ceil[0], FLOOR_BPS);
	vqos_share_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compute),		cmocka_unit_test(test_compute_three),
		cmocka_unit_test(test_create),		cmocka_unit_test(test_two_phase),
		cmocka_unit_test(test_split),		cmocka_unit_test(test_borrow_from_part),
		cmocka_unit_test(test_debt_is_pressed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
