/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of tools/gen_backoff.h: how long vqos-gen's poll loop sleeps when a
 * vring is full (--backoff-us). The sleep is the back-off, cut short by the
 * next thing that has a time; the next paced frame's time is the first TSC at
 * which the token bucket, refilled as vqos-gen.c's sender_refill does, pays
 * for it, exactly: not a cycle early (the frame would not be sent yet) nor
 * late (the sleep would oversleep the schedule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gen_backoff.h"

/* The credit sender_refill() gives at @p now, without its cap. */
static unsigned __int128 credit_at(uint64_t credit, uint64_t last, uint64_t rate, uint64_t now)
{
	return (unsigned __int128)(now - last) * rate + credit;
}

/* ready is the first TSC from @p last on at which the bucket pays @p cost. */
static void check_ready(uint64_t credit, uint64_t last, uint64_t rate, uint64_t cost)
{
	uint64_t ready = vqos_gen_credit_ready_tsc(credit, last, rate, cost);

	assert_true(ready >= last);
	assert_true(credit_at(credit, last, rate, ready) >= cost);
	if (ready > last)
		assert_true(credit_at(credit, last, rate, ready - 1) < cost);
}

/* Credit that already pays: the frame is due now (at the last refill). */
static void test_ready_when_paid(void **state)
{
	assert_int_equal(vqos_gen_credit_ready_tsc(100, 5000, 7, 100), 5000);
	assert_int_equal(vqos_gen_credit_ready_tsc(101, 5000, 7, 100), 5000);
	assert_int_equal(vqos_gen_credit_ready_tsc(0, 5000, 7, 0), 5000);
}

/* Exact sums: whole cycles, rounded up. */
static void test_ready_rounds_up(void **state)
{
	/* 10 short, 5 a cycle: 2 cycles; 11 short: 3 cycles. */
	assert_int_equal(vqos_gen_credit_ready_tsc(90, 1000, 5, 100), 1002);
	assert_int_equal(vqos_gen_credit_ready_tsc(89, 1000, 5, 100), 1003);
	/* Short by less than a cycle's worth: the next cycle. */
	assert_int_equal(vqos_gen_credit_ready_tsc(99, 1000, 5, 100), 1001);
}

/*
 * vqos-gen's figures on a 2.5 GHz TSC: 100 kpps (a frame costs hz, a cycle
 * adds 100000: 25000 cycles = 10 us a frame) and 1 Mbit/s of 1500-byte frames
 * (cost 8 * hz * 1500, 1e6 a cycle: 30000000 cycles = 12 ms a frame).
 */
static void test_ready_vqos_gen_rates(void **state)
{
	const uint64_t hz = 2500000000ull;

	assert_int_equal(vqos_gen_credit_ready_tsc(0, 0, 100000, hz), 25000);
	assert_int_equal(vqos_gen_credit_ready_tsc(hz / 2, 0, 100000, hz), 12500);
	assert_int_equal(vqos_gen_credit_ready_tsc(0, 1ull << 40, 1000000, 8 * hz * 1500),
			 (1ull << 40) + 30000000);
	check_ready(0, 0, 100000, hz);
	check_ready(12345, 777, 100000, hz);
	check_ready(1, 1ull << 50, 1000000, 8 * hz * 1500);
	check_ready(3, 0, 1, 8 * hz * 60); /* 1 bit/s: 1.44e12 cycles */
}

/* Many cases against the bucket's own sum (a fixed-seed splitmix64). */
static void test_ready_exhaustive(void **state)
{
	uint64_t seed = 42, z;
	int n;

	for (n = 0; n < 100000; n++) {
		uint64_t v[4];
		int k;

		for (k = 0; k < 4; k++) {
			z = (seed += 0x9E3779B97F4A7C15ull);
			z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
			z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
			v[k] = z ^ (z >> 31);
		}
		/* credit < 2^40, last < 2^60, rate 1..2^37, cost < 2^50 */
		check_ready(v[0] >> 24, v[1] >> 4, 1 + (v[2] >> 27), v[3] >> 14);
	}
}

/* No rate: never; past the end of the TSC: the end, not a wrap to the past. */
static void test_ready_never(void **state)
{
	assert_int_equal(vqos_gen_credit_ready_tsc(0, 100, 0, 1), UINT64_MAX);
	assert_int_equal(vqos_gen_credit_ready_tsc(0, UINT64_MAX - 10, 1, 1000), UINT64_MAX);
	assert_int_equal(vqos_gen_credit_ready_tsc(0, UINT64_MAX - 10, 1, 10), UINT64_MAX);
	assert_int_equal(vqos_gen_credit_ready_tsc(0, UINT64_MAX - 10, 1, 9), UINT64_MAX - 1);
}

/* The sleep: the back-off, or less when something is due sooner; none when it is due now. */
static void test_backoff_cycles(void **state)
{
	/* Nothing due before the back-off ends: all of it. */
	assert_int_equal(vqos_gen_backoff_cycles(1000, 5000, 7000), 1000);
	assert_int_equal(vqos_gen_backoff_cycles(1000, 5000, UINT64_MAX), 1000);
	/* Due exactly when it ends. */
	assert_int_equal(vqos_gen_backoff_cycles(1000, 5000, 6000), 1000);
	/* A paced frame (or rx poll) due sooner: until then, not past it. */
	assert_int_equal(vqos_gen_backoff_cycles(1000, 5000, 5300), 300);
	assert_int_equal(vqos_gen_backoff_cycles(1000, 5000, 5001), 1);
	/* Due now or overdue: no sleep. */
	assert_int_equal(vqos_gen_backoff_cycles(1000, 5000, 5000), 0);
	assert_int_equal(vqos_gen_backoff_cycles(1000, 5000, 10), 0);
	/* No back-off (--backoff-us 0): never a sleep. */
	assert_int_equal(vqos_gen_backoff_cycles(0, 5000, UINT64_MAX), 0);
	assert_int_equal(vqos_gen_backoff_cycles(0, 5000, 6000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_when_paid),
		cmocka_unit_test(test_ready_rounds_up),
		cmocka_unit_test(test_ready_vqos_gen_rates),
		cmocka_unit_test(test_ready_exhaustive),
		cmocka_unit_test(test_ready_never),
		cmocka_unit_test(test_backoff_cycles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
