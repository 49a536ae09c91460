/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vqos-gen's latency histogram: fixed size, log-linear buckets, no allocation
 * per sample, percentiles within 1 % of the true value.
 *
 * The buckets are those of an HDR histogram with 7 bits of precision. Values
 * below 256 have a bucket each (exact). Above, every power of two [2^m,
 * 2^(m+1)) is cut into 128 buckets of width 2^(m-7): a bucket is never wider
 * than 1/128 of its lower bound, so the bucket's midpoint is within 0.4 % of
 * any value in it. Values are recorded in whatever unit the caller likes
 * (vqos-gen records TSC cycles); they go up to 2^VQOS_GEN_HIST_MAX_BITS - 1
 * (over 100 s at 10 GHz), larger ones are counted in the last bucket.
 *
 * A percentile is the midpoint of the bucket that holds the sample of rank
 * ceil(q * count), clamped to the exact minimum and maximum, so that
 * min <= p50 <= p99 <= p999 <= max always holds.
 *
 * No DPDK here: unit-tested without EAL (tests/tools/test_gen_hist.c).
 */
#ifndef VQOS_GEN_HIST_H
#define VQOS_GEN_HIST_H

#include <stdint.h>

/** Bits of precision: 2^7 = 128 buckets per power of two. */
#define VQOS_GEN_HIST_SUB_BITS 7
/** Values up to 2^40 - 1 have their own bucket. */
#define VQOS_GEN_HIST_MAX_BITS 40
/** Exact buckets below 2^(SUB_BITS + 1), then 128 per power of two up to MAX_BITS. */
#define VQOS_GEN_HIST_BUCKETS                                                                      \
	((2u << VQOS_GEN_HIST_SUB_BITS) +                                                          \
	 (VQOS_GEN_HIST_MAX_BITS - VQOS_GEN_HIST_SUB_BITS - 1) * (1u << VQOS_GEN_HIST_SUB_BITS))

/** One histogram: counts, and the exact extremes and sum beside them. */
struct vqos_gen_hist {
	uint64_t count;				 /**< samples */
	uint64_t sum;				 /**< sum of the samples */
	uint64_t min;				 /**< smallest sample; 0 when none */
	uint64_t max;				 /**< largest sample */
	uint64_t buckets[VQOS_GEN_HIST_BUCKETS]; /**< samples per bucket */
};

/** The bucket of value @p v. */
static inline uint32_t vqos_gen_hist_index(uint64_t v)
{
	uint32_t msb, shift;

	if (v < (2u << VQOS_GEN_HIST_SUB_BITS))
		return (uint32_t)v;
	if (v >> VQOS_GEN_HIST_MAX_BITS)
		return VQOS_GEN_HIST_BUCKETS - 1;
	msb = 63u - (uint32_t)__builtin_clzll(v);
	shift = msb - VQOS_GEN_HIST_SUB_BITS;
	/* (v >> shift) is in [128, 256): its low 7 bits pick the bucket of the octave. */
	return (2u << VQOS_GEN_HIST_SUB_BITS) + (shift - 1) * (1u << VQOS_GEN_HIST_SUB_BITS) +
	       (uint32_t)((v >> shift) - (1u << VQOS_GEN_HIST_SUB_BITS));
}

/** Record one sample. */
static inline void vqos_gen_hist_add(struct vqos_gen_hist *h, uint64_t v)
{
	h->buckets[vqos_gen_hist_index(v)]++;
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

/** Smallest value of bucket @p i. */
uint64_t vqos_gen_hist_low(uint32_t i);

/** Values in bucket @p i: 1 below 256, 2^(octave - 7) above. */
uint64_t vqos_gen_hist_width(uint32_t i);

/**
 * The @p q quantile (0 < q <= 1; 0.5 is the median, 0.999 the 99.9th
 * percentile) as the midpoint of its bucket, clamped to [min, max].
 * @return 0 when the histogram holds no sample
 */
double vqos_gen_hist_quantile(const struct vqos_gen_hist *h, double q);

#endif /* VQOS_GEN_HIST_H */
