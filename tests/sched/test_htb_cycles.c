/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * htb's third unit, cycles of the OVS core per second, on the simulated
 * nanosecond clock (tests/sched/sim.h): exact, no EAL.
 *
 * Every leaf here has the model A = 900 cycles per packet, B = 461/1024
 * cycles per byte (0.4501953125, what `cost = { packet = 900; byte = 0.45; }`
 * gives), so a packet of L bytes costs 900 + 0.45 L cycles: 928.8 at 64
 * bytes, 1575.3 at 1500. A class of R cycles/s sends R / cost(L) packets/s.
 * test_htb.c has the bit and packet rates; this file is the cycles on top.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "sim.h"
#include "htb_test.h"

#define COST_A 900u
#define COST_B 461u

/* Cycles of a packet of @p len bytes under the model, exactly. */
static double cost_of(uint32_t len)
{
	return COST_A + (double)COST_B * len / VQOS_SCHED_COST_BYTE_ONE;
}

/* A class of @p rate_cps, ceil @p ceil_cps (0: the rate), with the model
 * (only leaves use it; inner classes keep it too, harmlessly). */
static struct vqos_sched_class_params cyc_class(uint32_t id, uint32_t parent, const char *name,
						uint64_t rate_cps, uint64_t ceil_cps)
{
	struct vqos_sched_class_params c = sim_class(id, parent, name, 0, 0);

	c.rate_cps = rate_cps;
	c.ceil_cps = ceil_cps;
	c.cost_pkt = COST_A;
	c.cost_byte = COST_B;
	return c;
}

/* Into @p c: a root of 100 Gbit/s that limits nothing, over a leaf "a" of
 * @p rate_cps, ceil @p ceil_cps, bursts @p burst cycles (0: the default). */
static void over_bits_root(struct vqos_sched_class_params c[2], uint64_t rate_cps,
			   uint64_t ceil_cps, uint32_t burst)
{
	c[0] = sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100000, 0);
	c[1] = cyc_class(2, 1, "a", rate_cps, ceil_cps);
	c[1].burst_cyc = c[1].cburst_cyc = burst;
}

static void expect_pps(const char *what, double got, double want, double tol)
{
	print_message("  %s: %.1f pkt/s, the model says %.1f (%+.4f%%)\n", what, got, want,
		      (got / want - 1) * 100);
	assert_true(fabs(got / want - 1) <= tol);
}

/* ---- the charge ---- */

/* Cycles charged are the model's to the cycle: 1024 packets of one byte at
 * 1 cycle + 1/1024 cycle per byte cost 1025 cycles, though no single charge
 * reaches a whole cycle of bytes; 10 packets of 1500 bytes in one batch cost
 * 10 x 900 + floor(461 x 15000 / 1024) = 15752 cycles, and the 952/1024 of a
 * cycle left over goes with the next charge. */
static void test_charge_exact(void **state)
{
	struct vqos_sched_class_params c[2];
	struct vqos_sched_class_stats before, after;
	struct vqos_sched_grant g;
	struct vqos_qdisc *q;

	over_bits_root(c, 1000000, 0, 100000);
	c[1].cost_pkt = 1;
	c[1].cost_byte = 1;
	q = make(c, 2, VQOS_SCHED_PULL);
	vqos_sched_wake(q, 1);
	q->ops->stats(q, 1, 0, &before);
	assert_int_equal(before.cyc_tokens, 100000);
	for (int i = 0; i < 1024; i++) {
		assert_int_equal(vqos_sched_grant(q, 0, 1, &g), 1);
		q->ops->charge_count(q, &g, 1, 1, 0, true);
	}
	q->ops->stats(q, 1, 0, &after);
	assert_int_equal(before.cyc_tokens - after.cyc_tokens, 1025);
	assert_int_equal(before.cyc_ctokens - after.cyc_ctokens, 1025);
	destroy(q);

	c[1].cost_pkt = COST_A;
	c[1].cost_byte = COST_B;
	q = make(c, 2, VQOS_SCHED_PULL);
	vqos_sched_wake(q, 1);
	assert_int_equal(vqos_sched_grant(q, 0, 32, &g), 1);
	q->ops->charge_count(q, &g, 10, 15000, 0, true);
	q->ops->stats(q, 1, 0, &after);
	assert_int_equal(100000 - after.cyc_tokens, 9000 + 461 * 15000 / 1024);
	/* a packet of 3 bytes: 900 + 1383/1024 cycles, and with the 952/1024
	 * left over 902, not 901 */
	assert_int_equal(vqos_sched_grant(q, 0, 32, &g), 1);
	q->ops->charge_count(q, &g, 1, 3, 0, true);
	q->ops->stats(q, 1, 0, &before);
	assert_int_equal(after.cyc_tokens - before.cyc_tokens, 902);
	destroy(q);
}

/* A grant never lets a packet start on a negative cycles bucket, whatever
 * the sizes: (pkts - 1) A + (bytes - 1) B stays within the tokens; and
 * packets of the leaf's mean length spend the whole budget. */
static void test_grant_sizing(void **state)
{
	static const uint32_t sizes[] = { 64, 1500, 9000 };
	struct vqos_sched_class_params c[2];

	over_bits_root(c, 10000000, 0, 200000);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct vqos_qdisc *q = make(c, 2, VQOS_SCHED_PULL);
		struct vqos_sched_class_stats st;
		struct vqos_sched_grant g;
		uint64_t n;

		vqos_sched_wake(q, 1);
		/* one packet teaches the leaf its length */
		assert_int_equal(vqos_sched_grant(q, 0, UINT32_MAX, &g), 1);
		q->ops->charge_count(q, &g, 1, sizes[s], 0, true);
		q->ops->stats(q, 1, 0, &st);
		assert_int_equal(vqos_sched_grant(q, 0, UINT32_MAX, &g), 1);
		print_message("  %u B: %lld cycles: grant %u pkts, %llu bytes\n", sizes[s],
			      (long long)st.cyc_tokens, g.pkts, (unsigned long long)g.bytes);
		assert_true((uint64_t)(g.pkts - 1) * COST_A * 1024 + (g.bytes - 1) * COST_B <=
			    (uint64_t)st.cyc_tokens * 1024);
		/* of the mean length: as many as the tokens pay for, plus the
		 * one that starts on the last of them */
		n = sim_grant_pkts(&g, sizes[s]);
		assert_true(fabs((double)n -
				 (floor((double)st.cyc_tokens / cost_of(sizes[s])) + 1)) <= 1);
		destroy(q);
	}
}

/* ---- rates ---- */

/* One class of @p rate_cps alone, pull mode, a grant per millisecond for 10
 * simulated seconds, charging what the grant allows (as test_htb.c's
 * accuracy sweep, from the second grant on). Packets per second. */
static double measure_pps(uint64_t rate_cps, uint32_t size)
{
	struct vqos_sched_class_params c[2] = {
		cyc_class(1, VQOS_SCHED_NO_PARENT, "root", rate_cps, 0),
		cyc_class(2, 1, "a", rate_cps, 0),
	};
	struct vqos_qdisc *q = make(c, 2, VQOS_SCHED_PULL);
	uint64_t first = UINT64_MAX, last = 0, pkts = 0;
	struct vqos_sched_grant g;

	vqos_sched_wake(q, 1);
	for (uint64_t now = 0; now < 10 * SIM_S; now += SIM_MS) {
		while (vqos_sched_grant(q, now, UINT32_MAX, &g)) {
			uint64_t n = sim_grant_pkts(&g, size);

			q->ops->charge_count(q, &g, (uint32_t)n, n * size, now, true);
			if (first == UINT64_MAX) {
				first = now;
				continue;
			}
			pkts += n;
			last = now;
		}
	}
	destroy(q);
	return (double)pkts / ((double)(last - first) / SIM_HZ);
}

/* 1 M to 1 G cycles/s, 64 and 1500 bytes: the packet rates the model
 * predicts, within 0.5%; 64-byte frames go 1.7 times as fast. */
static void test_rate_by_size(void **state)
{
	static const uint32_t sizes[] = { 64, 1500 };

	for (uint64_t rate = 1000000; rate <= 1000000000; rate *= 10)
		for (size_t s = 0; s < 2; s++) {
			char what[64];

			snprintf(what, sizeof(what), "%llu cycles/s, %u B",
				 (unsigned long long)rate, sizes[s]);
			expect_pps(what, measure_pps(rate, sizes[s]),
				   (double)rate / cost_of(sizes[s]), 0.005);
		}
}

/* The same through enqueue and dequeue (push mode, real mbufs). */
static void test_rate_push(void **state)
{
	static const uint32_t sizes[] = { 64, 1500 };

	for (size_t s = 0; s < 2; s++) {
		struct vqos_sched_class_params c[2] = {
			cyc_class(1, VQOS_SCHED_NO_PARENT, "root", 20000000, 0),
			cyc_class(2, 1, "a", 20000000, 0),
		};
		struct sim_flow f = { .leaf = 1, .size = sizes[s] };
		struct vqos_qdisc *q = make(c, 2, VQOS_SCHED_PUSH);

		sim_push(q, &f, 1, 100000, 0, SIM_S, 6 * SIM_S);
		expect_pps(sizes[s] == 64 ? "push, 64 B" : "push, 1500 B", (double)f.pkts / 5,
			   20e6 / cost_of(sizes[s]), 0.005);
		assert_int_equal(f.reorders, 0);
		destroy(q);
	}
}

/*
 * Two leaves of equal cycle rates, R/2 each (ceil R), under a root of R
 * cycles/s, one sending 64-byte and one 1500-byte frames, both backlogged:
 * each gets R/2 cycles, so packet rates in the model's ratio (1.696), bit
 * rates 13.9 times apart. Then the 1500-byte leaf idles and the other
 * borrows the root's cycles: R / cost(64).
 */
static void two_leaves(uint8_t mode)
{
	const uint64_t r = 100000000;
	struct vqos_sched_class_params c[3] = {
		cyc_class(1, VQOS_SCHED_NO_PARENT, "root", r, 0),
		cyc_class(2, 1, "small", r / 2, r),
		cyc_class(3, 1, "large", r / 2, r),
	};
	struct sim_flow f[2] = { { .leaf = 1, .size = 64 }, { .leaf = 2, .size = 1500 } };
	struct vqos_qdisc *q;
	double small, large;

	/* push mode offers at most 64 packets a step: steps of 50 us */
	q = make(c, 3, mode);
	if (mode == VQOS_SCHED_PUSH)
		sim_push(q, f, 2, 50000, 0, SIM_S, 3 * SIM_S);
	else
		sim_pull(q, f, 2, 100000, 0, SIM_S, 3 * SIM_S);
	small = (double)f[0].pkts / 2;
	large = (double)f[1].pkts / 2;
	expect_pps("64 B leaf", small, r / 2 / cost_of(64), 0.005);
	expect_pps("1500 B leaf", large, r / 2 / cost_of(1500), 0.005);
	print_message("  packets %.4f : 1 (the model: %.4f), bits %.2f : 1\n", small / large,
		      cost_of(1500) / cost_of(64), (double)f[1].bytes / (double)f[0].bytes);
	assert_true(fabs(small / large / (cost_of(1500) / cost_of(64)) - 1) < 0.005);
	/* the cycles each caused are equal */
	assert_true(fabs(small * cost_of(64) / (large * cost_of(1500)) - 1) < 0.005);
	destroy(q);

	/* alone, the small one borrows the root's whole rate */
	f[0] = (struct sim_flow){ .leaf = 1, .size = 64 };
	q = make(c, 3, mode);
	if (mode == VQOS_SCHED_PUSH)
		sim_push(q, f, 1, 50000, 0, SIM_S, 3 * SIM_S);
	else
		sim_pull(q, f, 1, 100000, 0, SIM_S, 3 * SIM_S);
	expect_pps("64 B leaf alone", (double)f[0].pkts / 2, r / cost_of(64), 0.005);
	destroy(q);
}

static void test_two_leaves_pull(void **state)
{
	two_leaves(VQOS_SCHED_PULL);
}

static void test_two_leaves_push(void **state)
{
	two_leaves(VQOS_SCHED_PUSH);
}

/*
 * One class limited in bits (200 Mbit/s), packets (40 kpps) and cycles (40 M
 * cycles/s) at once, under a root that limits nothing: whichever allows the
 * fewest packets of the size offered holds it. 64 B: packets (cycles would
 * allow 43.1 k); 700 B: cycles (32.9 k; bits 35.7 k); 1500 B: bits (16.7 k).
 */
static void test_tightest_limit(void **state)
{
	static const uint32_t sizes[] = { 64, 700, 1500 };

	for (size_t s = 0; s < 3; s++) {
		for (uint8_t mode = VQOS_SCHED_PUSH; mode <= VQOS_SCHED_PULL; mode++) {
			struct vqos_sched_class_params c[2] = {
				sim_class(1, VQOS_SCHED_NO_PARENT, "root", 10000, 0),
				cyc_class(2, 1, "a", 40000000, 0),
			};
			struct sim_flow f = { .leaf = 1, .size = sizes[s] };
			double by_bits = 200e6 / 8 / sizes[s], by_cyc = 40e6 / cost_of(sizes[s]);
			double want = fmin(fmin(by_bits, 40000), by_cyc);
			struct vqos_qdisc *q;
			char what[64];

			c[1].rate_bps = 200 * MBIT;
			c[1].rate_pps = 40000;
			q = make(c, 2, mode);
			if (mode == VQOS_SCHED_PUSH)
				sim_push(q, &f, 1, 100000, 0, SIM_S, 4 * SIM_S);
			else
				sim_pull(q, &f, 1, 100000, 0, SIM_S, 4 * SIM_S);
			snprintf(what, sizeof(what), "%s, %u B (held by %s)",
				 mode == VQOS_SCHED_PUSH ? "push" : "pull", sizes[s],
				 want == by_cyc	   ? "cycles"
				 : want == by_bits ? "bits"
						   : "packets");
			expect_pps(what, (double)f.pkts / 3, want, 0.005);
			destroy(q);
		}
	}
}

/* ---- next_event: a class waiting for cycles wakes when they arrive ---- */

/* Woken only at next_event() or a flow's kick: the rates stay exact, no
 * wake is late, and the loop never polls; the second case borrows. */
static void test_next_event(void **state)
{
	static const uint32_t sizes[] = { 64, 1500 };

	for (uint64_t rate = 10000000; rate <= 1000000000; rate *= 100) {
		for (size_t s = 0; s < 2; s++) {
			struct vqos_sched_class_params c[2] = {
				cyc_class(1, VQOS_SCHED_NO_PARENT, "root", rate, 0),
				cyc_class(2, 1, "a", rate / 4, rate),
			};
			struct sim_flow f = { .leaf = 1, .size = sizes[s] };
			struct vqos_qdisc *q = make(c, 2, VQOS_SCHED_PULL);
			struct sim_wakes w;
			char what[64];

			sim_pull_events(q, &f, 1, 0, SIM_S, 3 * SIM_S, &w);
			snprintf(what, sizeof(what), "%llu cycles/s, %u B, %llu wakes",
				 (unsigned long long)rate, sizes[s], (unsigned long long)w.wakes);
			expect_pps(what, (double)f.pkts / 2, (double)rate / cost_of(sizes[s]),
				   0.005);
			assert_int_equal(w.late, 0);
			assert_int_equal(w.early, 0);
			destroy(q);
		}
	}
}

/* Out of cycles: next_event() names the tick the cycles ceil is back to
 * zero, and not a tick later: nothing goes at next - 1, something at next. */
static void test_next_event_exact(void **state)
{
	struct vqos_sched_class_params c[2];
	struct vqos_sched_class_stats st;
	struct vqos_sched_grant g;
	struct vqos_qdisc *q;
	uint64_t next;

	over_bits_root(c, 1000000, 0, 0);
	q = make(c, 2, VQOS_SCHED_PULL);
	vqos_sched_wake(q, 1);
	while (vqos_sched_grant(q, 0, 32, &g))
		q->ops->charge_count(q, &g, g.pkts, (uint64_t)g.pkts * 1500, 0, true);
	q->ops->stats(q, 1, 0, &st);
	assert_true(st.cyc_ctokens < 0);
	next = vqos_sched_next_event(q, 0);
	/* -tokens cycles at 1 M cycles/s: 1 us a cycle */
	print_message("  %lld cycles of debt: next event at %llu ns\n", (long long)st.cyc_ctokens,
		      (unsigned long long)next);
	assert_true(next != UINT64_MAX && next > 0);
	assert_int_equal(vqos_sched_grant(q, next - 1, 32, &g), 0);
	assert_int_equal(vqos_sched_grant(q, next, 32, &g), 1);
	destroy(q);
}

/* ---- change and carry keep the cycles tokens ---- */

/* A overdraws its cycles by a batch past its grant; change() to a higher
 * ceil keeps that debt, and so does a new qdisc that carries from it: A
 * sends again only once the debt is repaid at the new ceil. */
static void test_change_and_carry(void **state)
{
	struct vqos_sched_class_params c[2];
	struct vqos_sched_class_stats st;
	struct vqos_sched_grant g;
	struct vqos_qdisc *q, *next;
	struct vqos_sched_error err;
	int64_t debt;

	over_bits_root(c, 1000000, 1000000, 10000);
	q = make(c, 2, VQOS_SCHED_PULL);
	vqos_sched_wake(q, 1);
	assert_int_equal(vqos_sched_grant(q, 0, 32, &g), 1);
	/* 40 frames of 1500 bytes: 63011 cycles against 10000 */
	q->ops->charge_count(q, &g, 40, 60000, 0, true);
	q->ops->stats(q, 1, 0, &st);
	debt = st.cyc_ctokens;
	assert_int_equal(debt, 10000 - (40 * 900 + 461 * 60000 / 1024));
	assert_int_equal(st.cyc_tokens, debt);
	/* a ceil of 2 M cycles/s keeps the tokens as they are */
	c[1].ceil_cps = 2000000;
	assert_int_equal(q->ops->change(q, &c[1], 0, &err), 0);
	q->ops->stats(q, 1, 0, &st);
	assert_int_equal(st.cyc_ctokens, debt);
	/* a new qdisc of ceil 4 M takes the debt over: repaid in -debt / 4 us */
	c[1].ceil_cps = 4000000;
	next = make(c, 2, VQOS_SCHED_PULL);
	vqos_sched_carry(next, q, 0);
	next->ops->stats(next, 1, 0, &st);
	assert_int_equal(st.cyc_ctokens, debt);
	assert_int_equal(st.cyc_tokens, debt);
	vqos_sched_wake(next, 1);
	assert_int_equal(vqos_sched_grant(next, (uint64_t)(-debt) * 250 - 1, 32, &g), 0);
	assert_int_equal(vqos_sched_grant(next, (uint64_t)(-debt) * 250, 32, &g), 1);
	/* the model cannot change under a running qdisc */
	c[1].cost_pkt = 901;
	assert_int_equal(q->ops->change(q, &c[1], 0, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "cost"));
	destroy(next);
	destroy(q);
}

/* ---- trees refused ---- */

static void test_refused(void **state)
{
	struct vqos_sched_class_params c[3] = {
		cyc_class(1, VQOS_SCHED_NO_PARENT, "root", 1000000000, 0),
		cyc_class(2, 1, "a", 600000000, 0),
		cyc_class(3, 1, "b", 300000000, 0),
	};

	/* a bucket that does not fit 63 bits at the clock (vqos_tb_init's
	 * -ERANGE) names the key at fault */
	c[0].rate_cps = 5000000000000000000ull;
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"root\"", "cps too high"));
	c[0].rate_cps = 1000000000;
	c[0].ceil_cps = 5000000000000000000ull;
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"root\"", "ccps too high"));
	c[0].ceil_cps = 0;
	/* ceil below rate, children over their parent */
	c[2].ceil_cps = 200000000;
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"b\"", "below rate"));
	c[2].ceil_cps = 0;
	c[2].rate_cps = 500000000;
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"b\"", "cycles/s, over its rate"));
	c[2].rate_cps = 300000000;
	/* a leaf that costs nothing with a cycle rate, or below one */
	c[2].cost_pkt = c[2].cost_byte = 0;
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"b\"", "no cost"));
	c[2].rate_cps = 0;
	c[2].rate_bps = MBIT;
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"root\"", "leaf \"b\""));
	c[2].rate_cps = 300000000;
	c[2].rate_bps = 0;
	c[2].cost_byte = VQOS_SCHED_COST_BYTE_MAX + 1;
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"b\"", "cost"));
	c[2].cost_byte = COST_B;
	/* only htb has cycle buckets */
	assert_true(sim_refused(&vqos_fifo_ops, c, 3, "\"root\"", "fifo has no cycle rates"));
	assert_true(sim_refused(&vqos_police_ops, c, 3, "\"root\"", "police has no cycle rates"));
	assert_true(sim_refused(&vqos_sched_rte_ops, c, 3, "\"root\"", "no cycle rates"));
	/* a cycle rate alone is a rate */
	vqos_sched_destroy(make(c, 3, VQOS_SCHED_PUSH));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_charge_exact, setup),
		cmocka_unit_test_setup(test_grant_sizing, setup),
		cmocka_unit_test_setup(test_rate_by_size, setup),
		cmocka_unit_test_setup(test_rate_push, setup),
		cmocka_unit_test_setup(test_two_leaves_pull, setup),
		cmocka_unit_test_setup(test_two_leaves_push, setup),
		cmocka_unit_test_setup(test_tightest_limit, setup),
		cmocka_unit_test_setup(test_next_event, setup),
		cmocka_unit_test_setup(test_next_event_exact, setup),
		cmocka_unit_test_setup(test_change_and_carry, setup),
		cmocka_unit_test_setup(test_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
