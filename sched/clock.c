/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TSC's frequency, measured. Where the CPU does not state it (AMD CPUs,
 * most virtual machines), DPDK 22.11's rte_get_tsc_hz() is a 100 ms
 * measurement rounded to the nearest 10 MHz: a 2596.144 MHz TSC becomes
 * 2600 MHz. Token buckets count units x clock_hz, so a clock 0.15% fast
 * makes every rate 0.15% slow.
 */
#include <errno.h>
#include <time.h>

#include <rte_cycles.h>

#include "sched/vqos_sched.h"

/* A TSC reading and the CLOCK_MONOTONIC_RAW time of it (ns): of a few tries,
 * the one whose two TSC reads bracket the clock's read most closely. */
static void tsc_at(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 8; i++) {
		struct timespec ts;
		uint64_t a = rte_rdtsc(), b;

		clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
		b = rte_rdtsc();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		}
	}
}

uint64_t vqos_sched_tsc_hz(uint32_t ms)
{
	struct timespec d = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	uint64_t eal = rte_get_tsc_hz(), c0 = 0, n0 = 0, c1 = 0, n1 = 0, hz;

	tsc_at(&c0, &n0);
	while (nanosleep(&d, &d) != 0 && errno == EINTR)
		;
	tsc_at(&c1, &n1);
	if (n1 <= n0 || c1 <= c0)
		return eal;
	hz = (uint64_t)((unsigned __int128)(c1 - c0) * 1000000000u / (n1 - n0));
	/* more than 1% from EAL's: a clock that jumped, not a better figure */
	return hz > eal + eal / 100 || hz < eal - eal / 100 ? eal : hz;
}
