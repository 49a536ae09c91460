/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vqos-gen's back-off (--backoff-us): how long the poll loop sleeps when a
 * port's vring is full.
 *
 * A port whose tx_burst took fewer frames than it offered has a full vring:
 * offering the rest again at once only burns the CPU until the vhost side
 * dequeues. With --backoff-us N the loop sleeps instead, when no port has
 * anything else to do, but never past the next thing that has a time: the
 * next frame of a paced port, the next rx poll of a port under
 * --rx-delay-us, the end of sending. So the sleep is
 *
 *     min(N us, until - now), nothing when until <= now,
 *
 * with `until` the earliest of those times. These are the two sums behind it,
 * pure arithmetic on TSC cycles with no DPDK in them, so that
 * tests/tools/test_gen_backoff.c checks them alone.
 */
#ifndef VQOS_GEN_BACKOFF_H
#define VQOS_GEN_BACKOFF_H

#include <stdint.h>

/** --backoff-us at most: see vqos-gen.c on the receive side. */
#define VQOS_GEN_BACKOFF_MAX_US 1000

/**
 * The first TSC at which a token bucket holds @p cost: it held @p credit at
 * @p last_tsc and gains @p rate a cycle (vqos-gen.c's sender_refill, whose
 * credit is in rate units x cycles). @p last_tsc when it already does;
 * UINT64_MAX when it never will (@p rate 0) or past the end of the TSC. The
 * bucket's cap is not looked at: vqos-gen's holds at least two bursts of its
 * dearest frame, so any one frame's cost fits under it.
 */
static inline uint64_t vqos_gen_credit_ready_tsc(uint64_t credit, uint64_t last_tsc, uint64_t rate,
						 uint64_t cost)
{
	uint64_t need;

	if (credit >= cost)
		return last_tsc;
	if (rate == 0)
		return UINT64_MAX;
	/* Whole cycles: at ready - 1 the bucket is still short of the cost. */
	need = (cost - credit - 1) / rate + 1;
	return need > UINT64_MAX - last_tsc ? UINT64_MAX : last_tsc + need;
}

/**
 * Cycles to sleep at @p now for a back-off of @p backoff cycles when the
 * next thing to do is at @p until: min(@p backoff, @p until - @p now), 0 when
 * @p until is not after @p now (there is work now: no sleep).
 */
static inline uint64_t vqos_gen_backoff_cycles(uint64_t backoff, uint64_t now, uint64_t until)
{
	if (until <= now)
		return 0;
	return until - now < backoff ? until - now : backoff;
}

#endif /* VQOS_GEN_BACKOFF_H */
