/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admission of received frames to an uplink's mbufs: a reserve per port and
 * a region the ports of the uplink share, with a dynamic threshold
 * (Choudhury and Hahne, "Dynamic queue length thresholds for shared-memory
 * packet switches", 1998), as switches share their packet buffers.
 *
 * Every port of an uplink takes its rx mbufs from the uplink's pool, and a
 * container that stops reading its rx vring backs up its own queues in
 * vqosd. The pool holds, per port, what tx needs and a small rx reserve,
 * and one shared region for the rest (port.c sizes it). A port's rx queues
 * (what its leaves hold, in mbufs: a packet counts its segments) may always
 * hold up to the reserve; beyond it, its excess may grow only while that
 * excess is below ALPHA x the shared region's free mbufs:
 *
 *     held + segs <= reserve                      -> admitted
 *     excess(held) < ALPHA x (shared - used)
 *       and what it adds to used fits what is free  -> admitted
 *     otherwise                                   -> refused (dropped, counted)
 *
 * where used is the sum of every port's excess. With ALPHA = 1 a port alone
 * takes at most about half the region (e < S - e), and k ports that all
 * back up about S / (k + 1) each, leaving as much free for a port that
 * starts receiving: no port can take another's mbufs, and an idle uplink
 * lends a busy port most of them. used never exceeds shared, so the rx
 * queues of an uplink's ports hold at most ports x reserve + shared mbufs.
 *
 * ALPHA is 1 (a shift of 0): a larger one lends a lone port more of the
 * region and leaves less for the next one to start; a smaller one wastes
 * more of it when one port is busy.
 *
 * Pure arithmetic, no DPDK: the data path keeps the counts (a port's held,
 * an uplink's used), written only by the lcore that polls the uplink.
 */
#ifndef VQOS_ADMIT_H
#define VQOS_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

/* log2 of ALPHA, the dynamic threshold's factor. */
#define VQOS_ADMIT_ALPHA_LOG2 0

/* One uplink's shared region. reserve and shared are set before its ports
 * run; used is the data path's. */
struct vqos_admit {
	uint32_t reserve; /* rx mbufs each port may always hold */
	uint32_t shared;  /* mbufs the ports share beyond their reserves */
	uint32_t used;	  /* of shared, held beyond reserves (dp: wo, ctl: ro) */
};

/* What a port that holds @p held mbufs holds beyond its reserve. */
static inline uint32_t vqos_admit_excess(const struct vqos_admit *a, uint32_t held)
{
	return held > a->reserve ? held - a->reserve : 0;
}

/* May a port that holds @p held mbufs take a packet of @p segs more? */
static inline bool vqos_admit_ok(const struct vqos_admit *a, uint32_t held, uint32_t segs)
{
	uint32_t e = vqos_admit_excess(a, held);
	uint64_t grow = (uint64_t)vqos_admit_excess(a, held + segs) - e;
	uint64_t free = a->shared - a->used;

	if (grow == 0)
		return true; /* within its reserve */
	return (uint64_t)e < free << VQOS_ADMIT_ALPHA_LOG2 && grow <= free;
}

/* A port that held *@p held mbufs queued @p segs more. */
static inline void vqos_admit_add(struct vqos_admit *a, uint32_t *held, uint32_t segs)
{
	a->used += vqos_admit_excess(a, *held + segs) - vqos_admit_excess(a, *held);
	*held += segs;
}

/* A port that held *@p held mbufs let @p segs of them go (more than it
 * holds counts as all). */
static inline void vqos_admit_sub(struct vqos_admit *a, uint32_t *held, uint32_t segs)
{
	uint32_t after = segs < *held ? *held - segs : 0;

	a->used -= vqos_admit_excess(a, *held) - vqos_admit_excess(a, after);
	*held = after;
}

#endif /* VQOS_ADMIT_H */
