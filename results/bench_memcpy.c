/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_memcpy: TSC cycles one copy of N bytes takes on this machine, with
 * rte_memcpy (what librte_vhost copies payload with) and libc memcpy, so that
 * a path's cycles per byte can be read as copies per packet
 * (results/copies/).
 *
 * Each copy goes from one buffer of a ring of source buffers to one of a ring
 * of destination buffers, 2 KiB-aligned plus 128 bytes (an mbuf's headroom),
 * as vhost copies between a guest's buffer and an mbuf. Three working sets:
 * "hot", 8 pairs (everything in L1/L2: the source was just written, as a
 * generator's frame is), "l3", 256 pairs (8 MiB: a vring's worth of buffers,
 * beyond this machine's 1 MiB L2, within its 32 MiB L3), and "cold", pairs
 * spread over 256 MiB, more than the last-level cache (source and
 * destination come from memory). Each size is
 * timed for at least 20 ms of TSC, three times, and the fastest is kept
 * (the machine is shared).
 *
 * Usage: bench_memcpy [OUT.csv] — prints and writes
 * "set,func,bytes,cycles_per_copy,tsc_hz" rows. It prints figures and asserts
 * nothing. It is a plain program (no EAL): rte_memcpy is inline.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_memcpy.h>

#define SLOT	 16384u /* bytes from one buffer to the next: above the 9000 copied */
#define HEADROOM 128u

static const unsigned int sizes[] = { 64, 128, 256, 512, 1024, 1500, 2048, 4000, 6000, 9000 };

struct set {
	const char *name;
	unsigned int pairs;
};

static const struct set sets[] = { { "hot", 8 }, { "l3", 256 }, { "cold", 8192 } };

/* A compiler barrier on the destination, so the copies are not dropped. */
static void touch(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* Cycles per copy of @len bytes over @pairs buffers of @src and @dst. */
static double time_copies(int use_rte, uint8_t *src, uint8_t *dst, unsigned int pairs,
			  unsigned int len, uint64_t hz)
{
	uint64_t min_cycles = hz / 50, n = 0, t0, t1;
	unsigned int i = 0;

	t0 = rte_rdtsc_precise();
	do {
		for (int k = 0; k < 64; k++) {
			uint8_t *d = dst + (size_t)i * SLOT + HEADROOM;
			const uint8_t *s = src + (size_t)i * SLOT + HEADROOM;

			if (use_rte)
				rte_memcpy(d, s, len);
			else
				memcpy(d, s, len);
			touch(d);
			/* a stride that is not a power of two: no set conflicts */
			i += 7;
			if (i >= pairs)
				i -= pairs;
		}
		n += 64;
		t1 = rte_rdtsc_precise();
	} while (t1 - t0 < min_cycles);
	return (double)(t1 - t0) / (double)n;
}

/* The TSC's rate: its ticks over 200 ms of CLOCK_MONOTONIC. */
static uint64_t tsc_hz(void)
{
	struct timespec a, b;
	uint64_t c0, c1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	c0 = rte_rdtsc_precise();
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 200000000L);
	c1 = rte_rdtsc_precise();
	return (uint64_t)((double)(c1 - c0) * 1e9 /
			  (double)((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec)));
}

int main(int argc, char **argv)
{
	const char *out = argc > 1 ? argv[1] : NULL;
	unsigned int max_pairs = sets[sizeof(sets) / sizeof(sets[0]) - 1].pairs;
	size_t bytes = (size_t)max_pairs * SLOT;
	uint8_t *src, *dst;
	FILE *f = NULL;
	uint64_t hz;

	if (argc > 2 || (out != NULL && out[0] == '-')) {
		fprintf(stderr, "usage: bench_memcpy [OUT.csv]\n");
		return 2;
	}
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		perror(out);
		return 1;
	}
	src = aligned_alloc(4096, bytes);
	dst = aligned_alloc(4096, bytes);
	if (src == NULL || dst == NULL) {
		fprintf(stderr, "bench_memcpy: cannot allocate 2 x %zu bytes\n", bytes);
		free(src);
		free(dst);
		if (f != NULL)
			fclose(f);
		return 1;
	}
	memset(src, 0x5a, bytes);
	memset(dst, 0, bytes);
	hz = tsc_hz();
	printf("set,func,bytes,cycles_per_copy,tsc_hz\n");
	if (f != NULL)
		fprintf(f, "set,func,bytes,cycles_per_copy,tsc_hz\n");
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		for (int use_rte = 1; use_rte >= 0; use_rte--) {
			for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
				double best = 1e18;

				for (int r = 0; r < 3; r++) {
					double c = time_copies(use_rte, src, dst, sets[s].pairs,
							       sizes[z], hz);
					best = c < best ? c : best;
				}
				printf("%s,%s,%u,%.1f,%" PRIu64 "\n", sets[s].name,
				       use_rte ? "rte_memcpy" : "memcpy", sizes[z], best, hz);
				if (f != NULL)
					fprintf(f, "%s,%s,%u,%.1f,%" PRIu64 "\n", sets[s].name,
						use_rte ? "rte_memcpy" : "memcpy", sizes[z], best,
						hz);
			}
		}
	}
	if (f != NULL)
		fclose(f);
	free(src);
	free(dst);
	return 0;
}
