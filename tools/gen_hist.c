/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-gen's latency histogram: reading it (recording is inline in
 * gen_hist.h). See the header for the bucket layout and its error bound.
 */
#include <math.h>

#include "gen_hist.h"

#define EXACT (2u << VQOS_GEN_HIST_SUB_BITS)
#define SUB   (1u << VQOS_GEN_HIST_SUB_BITS)

/* The bucket's shift: its width is 1 << shift. */
static uint32_t bucket_shift(uint32_t i)
{
	return i < EXACT ? 0 : (i - EXACT) / SUB + 1;
}

uint64_t vqos_gen_hist_low(uint32_t i)
{
	if (i < EXACT)
		return i;
	return (uint64_t)((i - EXACT) % SUB + SUB) << bucket_shift(i);
}

uint64_t vqos_gen_hist_width(uint32_t i)
{
	return 1ull << bucket_shift(i);
}

double vqos_gen_hist_quantile(const struct vqos_gen_hist *h, double q)
{
	uint64_t rank, seen = 0;
	double mid;
	uint32_t i;

	if (h->count == 0)
		return 0.0;
	/* The rank of the sample asked for, 1..count. */
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (i = 0; i < VQOS_GEN_HIST_BUCKETS - 1; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	/* Bucket width 1 holds one value; wider ones are represented by their middle. */
	mid = (double)vqos_gen_hist_low(i) + (double)(vqos_gen_hist_width(i) - 1) / 2.0;
	if (mid < (double)h->min)
		return (double)h->min;
	if (mid > (double)h->max)
		return (double)h->max;
	return mid;
}
