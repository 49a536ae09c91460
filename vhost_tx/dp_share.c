/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Borrowing across lcores, the data path's side. A class whose leaves are on
 * several lcores runs as one part per lcore (vqos_policy_part()'s split); a
 * vqos_share (sched/share.c) moves the parts' shares to where the demand is.
 * Each lcore, after a pass:
 *
 *   - takes the share published for each of its parts, when it moved, and
 *     applies it to its own qdisc (ops->retune: tokens kept), then says so;
 *   - every share period (VQOS_SHARE_PERIOD_MS), reports its parts'
 *     counters; and if it leads a board (the lowest lcore with a part of a
 *     split class), steps each share and rings the lcores whose share moved,
 *     so a sleeping one takes it at once.
 *
 * Why the data lcores and not the control thread: every lcore wakes at least
 * every sleep_max (4 ms by default, 10 at most) and a busy one runs passes of
 * microseconds, while vqosd's control thread may be held for a second by a
 * port being added; a step is a few hundred nanoseconds per split class, and
 * the words it shares with the other lcores are atomics, one writer each, no
 * lock. Only the lcore that owns a qdisc ever writes it.
 */
#include <rte_common.h>

#include "dp_priv.h"

void vqos_dp_share_tick(struct vqos_dp *dp, struct vqos_dp_state *st, unsigned int k, uint64_t now)
{
	struct vqos_sched_class_stats cs;
	struct vqos_sched_rates r;
	unsigned int i;

	if (likely(st->n_shares == 0))
		return;
	if (now >= st->share_next) {
		st->share_next = now + dp->share_period_cycles;
		for (i = 0; i < st->n_shares; i++) {
			struct vqos_dp_part_share *ps = &st->shares[i];
			struct vqos_qdisc *q = st->q[ps->dir];

			if (q->ops->stats(q, ps->cls, now, &cs) == 0)
				vqos_share_report(ps->share, ps->part, now, cs.bytes, cs.packets,
						  cs.ceil_short, cs.ceil_debt);
		}
		for (int d = 0; d < VQOS_DIR_N; d++) {
			const struct vqos_dp_board *b = st->lead[d];

			for (i = 0; b != NULL && i < b->n; i++) {
				const struct vqos_dp_split *sp = &b->cl[i];
				uint64_t moved = vqos_share_step(sp->share);

				for (uint32_t p = 0; moved != 0 && p < sp->n; p++)
					if ((moved >> p & 1) && sp->shard[p] != k)
						vqos_dp_ring(&dp->shard[sp->shard[p]]);
			}
		}
	}
	for (i = 0; i < st->n_shares; i++) {
		struct vqos_dp_part_share *ps = &st->shares[i];
		struct vqos_qdisc *q = st->q[ps->dir];

		if (!vqos_share_take(ps->share, ps->part, &ps->gen, &r))
			continue;
		/* a share that does not fit keeps the old (a raise: the
		 * sum holds); a lowered one always fits */
		q->ops->retune(q, ps->cls, &r, now);
		vqos_share_ack(ps->share, ps->part, ps->gen);
	}
}
