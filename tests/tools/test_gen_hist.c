/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of tools/gen_hist.c: vqos-gen's latency histogram. The buckets must
 * tile the value range without gaps, and every percentile must be within 1 %
 * of the exact one (the value of rank ceil(q * n) in the sorted samples).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen_hist.h"

#define N_SAMPLES 200000

static const double quantiles[] = { 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0 };

/* A fixed-seed generator (splitmix64): the same samples on every run. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct vqos_gen_hist *hist_new(void)
{
	struct vqos_gen_hist *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	return h;
}

/* Record @p v, then compare every quantile with the exact one. */
static void check_quantiles(const char *what, uint64_t *v, size_t n, double tolerance)
{
	struct vqos_gen_hist *h = hist_new();
	double prev = 0;
	size_t i, k;

	for (i = 0; i < n; i++)
		vqos_gen_hist_add(h, v[i]);
	qsort(v, n, sizeof(*v), cmp_u64);
	assert_int_equal(h->count, n);
	assert_int_equal(h->min, v[0]);
	assert_int_equal(h->max, v[n - 1]);
	for (k = 0; k < sizeof(quantiles) / sizeof(quantiles[0]); k++) {
		size_t rank = (size_t)ceil(quantiles[k] * (double)n);
		double exact = (double)v[(rank < 1 ? 1 : rank) - 1];
		double got = vqos_gen_hist_quantile(h, quantiles[k]);

		print_message("%s q=%g exact %.0f got %.1f\n", what, quantiles[k], exact, got);
		assert_true(fabs(got - exact) <= tolerance * exact);
		assert_true(got >= prev);
		prev = got;
	}
	free(h);
}

/* Buckets are contiguous, each holds what index() puts in it, none wider than 1/128. */
static void test_buckets_tile(void **state)
{
	uint64_t seed = 1;
	uint32_t i;
	int n;

	assert_int_equal(vqos_gen_hist_low(0), 0);
	for (i = 0; i + 1 < VQOS_GEN_HIST_BUCKETS; i++) {
		uint64_t lo = vqos_gen_hist_low(i), w = vqos_gen_hist_width(i);

		assert_int_equal(vqos_gen_hist_low(i + 1), lo + w);
		assert_int_equal(vqos_gen_hist_index(lo), i);
		assert_int_equal(vqos_gen_hist_index(lo + w - 1), i);
		if (i >= 256)
			assert_true(w * 128 <= lo);
	}
	/* The last bucket starts below 2^40 and takes everything above. */
	assert_true(vqos_gen_hist_low(VQOS_GEN_HIST_BUCKETS - 1) < (1ull << 40));
	assert_int_equal(vqos_gen_hist_index((1ull << 40) - 1), VQOS_GEN_HIST_BUCKETS - 1);
	assert_int_equal(vqos_gen_hist_index(UINT64_MAX), VQOS_GEN_HIST_BUCKETS - 1);
	for (n = 0; n < 100000; n++) {
		uint64_t v = next_rand(&seed) >> (next_rand(&seed) % 64);

		i = vqos_gen_hist_index(v);
		if (v < (1ull << 40)) {
			assert_true(vqos_gen_hist_low(i) <= v);
			assert_true(v - vqos_gen_hist_low(i) < vqos_gen_hist_width(i));
		}
	}
}

/* Below 256 every value has its own bucket: percentiles are exact. */
static void test_small_values_exact(void **state)
{
	uint64_t v[256 * 3];
	size_t i;

	for (i = 0; i < 256 * 3; i++)
		v[i] = i % 256;
	check_quantiles("0..255", v, 256 * 3, 0.0);
}

/* N_SAMPLES samples of @p sample from @p seed, every quantile within 1 %. */
static void check_distribution(const char *what, uint64_t (*sample)(uint64_t *), uint64_t seed)
{
	uint64_t *v = malloc(N_SAMPLES * sizeof(*v));
	size_t i;

	assert_non_null(v);
	for (i = 0; i < N_SAMPLES; i++)
		v[i] = sample(&seed);
	check_quantiles(what, v, N_SAMPLES, 0.01);
	free(v);
}

/* Uniform over 1 ns .. 1 s (in ns): every octave is used. */
static uint64_t uniform_wide(uint64_t *seed)
{
	return 1 + next_rand(seed) % 1000000000ull;
}

/* Log-uniform from 100 cycles to 3e9 cycles (1 s at 3 GHz): heavy tail. */
static uint64_t log_uniform(uint64_t *seed)
{
	double u = (double)(next_rand(seed) >> 11) / 9007199254740992.0;

	return (uint64_t)(100.0 * pow(3e7, u));
}

/* What vqos-gen sees: most samples near 20 us at 3 GHz, 0.1 % of 10 ms stalls. */
static uint64_t latency_like(uint64_t *seed)
{
	uint64_t r = next_rand(seed);

	return r % 1000 == 0 ? 30000000 + (r >> 20) % 3000000 : 60000 + r % 5000;
}

static void test_uniform_wide(void **state)
{
	check_distribution("uniform 1..1e9", uniform_wide, 7);
}

static void test_log_uniform(void **state)
{
	check_distribution("log-uniform 1e2..3e9", log_uniform, 11);
}

static void test_latency_like(void **state)
{
	check_distribution("latency-like", latency_like, 3);
}

/* One sample: every percentile is that sample; none: all 0. */
static void test_one_and_none(void **state)
{
	struct vqos_gen_hist *h = hist_new();

	assert_true(vqos_gen_hist_quantile(h, 0.5) == 0.0);
	vqos_gen_hist_add(h, 123456789);
	assert_true(vqos_gen_hist_quantile(h, 0.5) == 123456789.0);
	assert_true(vqos_gen_hist_quantile(h, 0.999) == 123456789.0);
	assert_int_equal(h->min, 123456789);
	assert_int_equal(h->max, 123456789);
	free(h);
}

/* Values past 2^40 land in the last bucket; the reported max stays exact. */
static void test_over_range(void **state)
{
	struct vqos_gen_hist *h = hist_new();

	vqos_gen_hist_add(h, 1000);
	vqos_gen_hist_add(h, 1ull << 50);
	assert_int_equal(h->buckets[VQOS_GEN_HIST_BUCKETS - 1], 1);
	assert_int_equal(h->max, 1ull << 50);
	assert_true(vqos_gen_hist_quantile(h, 1.0) <= (double)(1ull << 50));
	assert_true(vqos_gen_hist_quantile(h, 1.0) >=
		    (double)vqos_gen_hist_low(VQOS_GEN_HIST_BUCKETS - 1));
	/* 1000 shares a bucket of width 4: within 1 % still. */
	assert_true(fabs(vqos_gen_hist_quantile(h, 0.5) - 1000.0) <= 10.0);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_tile), cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_uniform_wide), cmocka_unit_test(test_log_uniform),
		cmocka_unit_test(test_latency_like), cmocka_unit_test(test_one_and_none),
		cmocka_unit_test(test_over_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
