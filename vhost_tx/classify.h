/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vhost_tx: which rx leaf of its port a frame from the uplink goes to.
 *
 * policy/ turns the rx tree's `match` keys into one row of a table per port
 * (struct vqos_sched_classify_port, sched/vqos_sched.h; built off the data
 * path by vqos_policy_classify() or vqos_policy_classify_part()). Here the
 * data path looks a frame up in its port's row:
 *
 *   rules == 0            -> default_leaf (one branch: no byte is read)
 *   outer tag 8100/88a8   -> pcp_leaf[PCP] if it is a leaf
 *   IPv4 / IPv6, behind
 *   0, 1 or 2 tags        -> dscp_leaf[DSCP] if it is a leaf
 *   anything else         -> default_leaf
 *
 * Only the first segment is read, at most its first 24 bytes (two tags and
 * the first two bytes of the IP header), each read checked against the
 * segment's data_len: a frame too short for what it claims to be goes to the
 * default leaf. Nothing is allocated or written but the caller's arrays.
 */
#ifndef VQOS_CLASSIFY_H
#define VQOS_CLASSIFY_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "sched/vqos_sched.h"

/** Most packets vqos_classify_burst() groups at once. */
#define VQOS_CLASSIFY_BURST_MAX 64

/** Packets of one leaf, next to each other in a burst. */
struct vqos_classify_run {
	/** The leaf (an index in the qdisc's classes). */
	uint32_t leaf;
	/** Index of its first packet in the burst. */
	uint32_t start;
	/** Number of its packets. */
	uint32_t n;
};

/* ---------------------------------------------------------------------
 * Fast path
 * --------------------------------------------------------------------- */

/** Big-endian 16 bits at @p p. */
static inline uint16_t vqos_classify_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/** Whether EtherType @p type is a VLAN tag (802.1Q or 802.1ad). */
static inline int vqos_classify_is_vlan(uint16_t type)
{
	return type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ;
}

/**
 * The leaf of frame @p m in port row @p r: see the file comment. Returns a
 * leaf index, never VQOS_SCHED_CLASSIFY_NONE (given a row whose
 * default_leaf is a leaf, as policy/ builds them).
 */
static inline uint32_t vqos_classify(const struct vqos_sched_classify_port *r,
				     const struct rte_mbuf *m)
{
	const uint8_t *p;
	uint32_t len, off = 14, leaf;
	uint16_t type;
	unsigned int dscp;

	if (likely(r->rules == 0))
		return r->default_leaf;
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	len = m->data_len;
	if (unlikely(len < 14))
		return r->default_leaf;
	type = vqos_classify_be16(p + 12);
	if (vqos_classify_is_vlan(type)) {
		if (unlikely(len < 18))
			return r->default_leaf;
		/* PCP: the top 3 bits of the outer tag's TCI */
		if (r->rules & VQOS_SCHED_CLASSIFY_PCP) {
			leaf = r->pcp_leaf[p[14] >> 5];
			if (leaf != VQOS_SCHED_CLASSIFY_NONE)
				return leaf;
		}
		type = vqos_classify_be16(p + 16);
		off = 18;
		if (vqos_classify_is_vlan(type)) {
			if (unlikely(len < 22))
				return r->default_leaf;
			type = vqos_classify_be16(p + 20);
			off = 22;
		}
	}
	if (!(r->rules & VQOS_SCHED_CLASSIFY_DSCP) || len < off + 2)
		return r->default_leaf;
	/* DSCP: the top 6 bits of IPv4's ToS byte, of IPv6's traffic class */
	if (type == RTE_ETHER_TYPE_IPV4 && p[off] >> 4 == 4)
		dscp = p[off + 1] >> 2;
	else if (type == RTE_ETHER_TYPE_IPV6 && p[off] >> 4 == 6)
		dscp = (unsigned int)(p[off] & 0x0f) << 2 | p[off + 1] >> 6;
	else
		return r->default_leaf;
	leaf = r->dscp_leaf[dscp];
	return leaf != VQOS_SCHED_CLASSIFY_NONE ? leaf : r->default_leaf;
}

/**
 * Group a burst by leaf for vqos_sched_enqueue(): reorder @p pkts[0..n) so
 * that the packets of each leaf are next to each other, in their order of
 * arrival, and describe the groups in @p runs, in the order of their first
 * packet. A burst of more than VQOS_CLASSIFY_BURST_MAX packets is grouped
 * in pieces of that many, so a leaf may then have more than one run; the
 * order of each leaf's packets is kept all the same. A port without rules
 * gives one run and leaves @p pkts as they are.
 *
 * @param r     the port's row
 * @param pkts  the burst, reordered in place
 * @param n     its size
 * @param runs  receives the runs: room for @p n of them
 * @return the number of runs
 */
uint32_t vqos_classify_burst(const struct vqos_sched_classify_port *r, struct rte_mbuf **pkts,
			     uint32_t n, struct vqos_classify_run *runs);

#endif /* VQOS_CLASSIFY_H */
