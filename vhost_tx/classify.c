/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A burst from the uplink, grouped by the rx leaf of each frame.
 *
 * A qdisc takes packets a leaf at a time (vqos_sched_enqueue()), so a burst
 * whose frames go to several leaves is reordered into one group per leaf.
 * Only the order between leaves changes, which the qdisc decides anyway: each
 * leaf's frames keep the order they arrived in. With a burst of b frames
 * and k leaves it costs b lookups and b * k compares, on the stack: k is a
 * port's leaves, a handful, and a port without rules costs one branch.
 */
#include <string.h>

#include "classify.h"

_Static_assert(VQOS_CLASSIFY_BURST_MAX <= 64, "group() keeps one bit per packet in 64 bits");

/* Group pkts[0..n), n <= VQOS_CLASSIFY_BURST_MAX, into runs; returns their number. */
static uint32_t group(const struct vqos_sched_classify_port *r, struct rte_mbuf **pkts, uint32_t n,
		      uint32_t first, struct vqos_classify_run *runs)
{
	struct rte_mbuf *in[VQOS_CLASSIFY_BURST_MAX];
	uint32_t leaf[VQOS_CLASSIFY_BURST_MAX];
	/* bit i: in[i] is not in a run yet */
	uint64_t left = n == 64 ? ~0ULL : (1ULL << n) - 1;
	uint32_t n_runs = 0, at = 0;

	for (uint32_t i = 0; i < n; i++)
		leaf[i] = vqos_classify(r, pkts[i]);
	memcpy(in, pkts, n * sizeof(*in));
	/* the first frame left opens its leaf's run, which takes all that leaf's frames */
	while (left != 0) {
		struct vqos_classify_run *run = &runs[n_runs++];
		uint32_t l = leaf[__builtin_ctzll(left)];

		run->leaf = l;
		run->start = first + at;
		for (uint64_t m = left; m != 0; m &= m - 1) {
			uint32_t j = (uint32_t)__builtin_ctzll(m);

			if (leaf[j] != l)
				continue;
			pkts[at++] = in[j];
			left &= ~(1ULL << j);
		}
		run->n = first + at - run->start;
	}
	return n_runs;
}

uint32_t vqos_classify_burst(const struct vqos_sched_classify_port *r, struct rte_mbuf **pkts,
			     uint32_t n, struct vqos_classify_run *runs)
{
	uint32_t n_runs = 0;

	if (n == 0)
		return 0;
	if (likely(r->rules == 0)) {
		runs[0] = (struct vqos_classify_run){ r->default_leaf, 0, n };
		return 1;
	}
	for (uint32_t done = 0; done < n;) {
		uint32_t k =
			n - done < VQOS_CLASSIFY_BURST_MAX ? n - done : VQOS_CLASSIFY_BURST_MAX;

		n_runs += group(r, pkts + done, k, done, runs + n_runs);
		done += k;
	}
	return n_runs;
}
