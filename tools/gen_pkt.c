/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-gen frames: building them from a template, and counting what comes
 * back.
 *
 * Transmit: the Ethernet, IPv4 and UDP headers are the same in every frame but
 * for the UDP source port (the flow), so they are built once; a frame is the
 * template copied into a tx mbuf, the source port set and the vqos-gen header
 * written. The IPv4 checksum does not cover UDP, so it is computed once; the
 * UDP checksum is 0 ("none", valid in IPv4). The tx pool's data rooms were
 * zeroed when the pool was made and hold nothing but our own frames, so the
 * payload after the header is zeros without writing it for every frame.
 *
 * Receive: a frame counts as "rx" when it is IPv4/UDP and its payload starts
 * with the magic; anything else is "foreign". Each sender (generator id) has a
 * stream slot in a small open-addressing table keyed by id, which remembers
 * the highest sequence number seen; a frame with a lower one is "reordered".
 * Headers are read with rte_pktmbuf_read(), so chained mbufs (jumbo frames on
 * a port with rx scatter) are parsed the same way as single ones.
 */
#include <string.h>

#include <rte_mempool.h>

#include "tools/gen.h"

#define IPV4_SRC 0xC6120001u /* 198.18.0.1 */
#define IPV4_DST 0xC6120002u /* 198.18.0.2 */

void vqos_gen_tmpl_init(struct vqos_gen_tmpl *t, const struct vqos_gen_opts *o,
			const struct rte_ether_addr *src)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)t->l4;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint32_t l3_len = o->size - (uint32_t)sizeof(*eth);

	memset(t, 0, sizeof(*t));
	t->size = o->size;
	t->id = o->id;
	t->flows = o->flows;
	t->with_tsc = o->size - VQOS_GEN_L4_PAYLOAD_OFF >= sizeof(struct vqos_gen_hdr);

	rte_ether_addr_copy(src, &eth->src_addr);
	if (o->have_dst_mac)
		rte_ether_addr_copy(&o->dst_mac, &eth->dst_addr);
	else
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)l3_len);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(IPV4_SRC);
	ip->dst_addr = rte_cpu_to_be_32(IPV4_DST);
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	udp->src_port = rte_cpu_to_be_16(VQOS_GEN_UDP_SRC_BASE);
	udp->dst_port = rte_cpu_to_be_16(VQOS_GEN_UDP_DST);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(l3_len - sizeof(*ip)));
	udp->dgram_cksum = 0;
}

void vqos_gen_mbuf_zero(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct rte_mbuf *m = obj;

	memset(m->buf_addr, 0, m->buf_len);
}

void vqos_gen_fill(const struct vqos_gen_tmpl *t, struct rte_mbuf *m, uint64_t seq, uint64_t tsc)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_udp_hdr *udp;
	struct vqos_gen_hdr *h;

	memcpy(p, t->l4, sizeof(t->l4));
	if (t->flows > 1) {
		udp = (struct rte_udp_hdr *)(p + VQOS_GEN_L4_PAYLOAD_OFF - sizeof(*udp));
		udp->src_port =
			rte_cpu_to_be_16((uint16_t)(VQOS_GEN_UDP_SRC_BASE + seq % t->flows));
	}
	h = (struct vqos_gen_hdr *)(p + VQOS_GEN_L4_PAYLOAD_OFF);
	h->magic = rte_cpu_to_be_32(VQOS_GEN_MAGIC);
	h->id = rte_cpu_to_be_32(t->id);
	h->seq = rte_cpu_to_be_64(seq);
	if (t->with_tsc)
		h->tsc = rte_cpu_to_be_64(tsc);
	m->data_len = (uint16_t)t->size;
	m->pkt_len = t->size;
}

/* The stream slot of @p id, made on first sight; NULL when the table is full. */
static struct vqos_gen_stream *stream_get(struct vqos_gen_rx *rx, uint32_t id)
{
	uint32_t i = (id * 2654435761u) & (VQOS_GEN_STREAMS - 1);
	uint32_t n;

	for (n = 0; n < VQOS_GEN_STREAMS; n++, i = (i + 1) & (VQOS_GEN_STREAMS - 1)) {
		struct vqos_gen_stream *s = &rx->streams[i];

		if (s->used && s->id == id)
			return s;
		if (!s->used) {
			/* Keep a free slot so that lookups of unknown ids end. */
			if (rx->nb_streams + 1 >= VQOS_GEN_STREAMS)
				return NULL;
			s->used = true;
			s->id = id;
			rx->nb_streams++;
			return s;
		}
	}
	return NULL;
}

/*
 * Find the vqos-gen header of @p m and copy it to @p h.
 * @return the bytes of header present (VQOS_GEN_HDR_SHORT or sizeof(*h)), or
 *         0 when the frame is not a vqos-gen frame
 */
static size_t find_hdr(const struct rte_mbuf *m, struct vqos_gen_hdr *h)
{
	union {
		struct rte_ether_hdr eth;
		struct rte_ipv4_hdr ip;
		struct rte_udp_hdr udp;
		struct vqos_gen_hdr gen;
	} buf;
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	const struct vqos_gen_hdr *g;
	uint32_t off, payload;

	eth = rte_pktmbuf_read(m, 0, sizeof(*eth), &buf);
	if (eth == NULL || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return 0;
	off = sizeof(*eth);
	ip = rte_pktmbuf_read(m, off, sizeof(*ip), &buf);
	if (ip == NULL || (ip->version_ihl >> 4) != 4 || ip->next_proto_id != IPPROTO_UDP ||
	    (rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0)
		return 0;
	off += (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	udp = rte_pktmbuf_read(m, off, sizeof(*udp), &buf);
	if (udp == NULL)
		return 0;
	off += sizeof(*udp);
	if (rte_be_to_cpu_16(udp->dgram_len) < sizeof(*udp) || m->pkt_len < off)
		return 0;
	/* The payload is what UDP says, cut to what the frame holds. */
	payload = RTE_MIN(rte_be_to_cpu_16(udp->dgram_len) - (uint32_t)sizeof(*udp),
			  m->pkt_len - off);
	if (payload < VQOS_GEN_HDR_SHORT)
		return 0;
	payload = RTE_MIN(payload, (uint32_t)sizeof(*h));
	g = rte_pktmbuf_read(m, off, payload, &buf);
	if (g == NULL || g->magic != rte_cpu_to_be_32(VQOS_GEN_MAGIC))
		return 0;
	memcpy(h, g, payload);
	return payload;
}

void vqos_gen_rx_account(struct vqos_gen_rx *rx, const struct rte_mbuf *m, uint64_t now)
{
	struct vqos_gen_stream *s;
	struct vqos_gen_hdr h;
	uint64_t seq, lat;
	size_t n;

	n = find_hdr(m, &h);
	if (n == 0) {
		rx->foreign++;
		rx->foreign_bytes += m->pkt_len;
		return;
	}
	rx->packets++;
	rx->bytes += m->pkt_len;
	if (n == sizeof(h)) {
		/* One-way delay; meaningful because every sender runs on this host. */
		lat = now - rte_be_to_cpu_64(h.tsc);
		if ((int64_t)lat >= 0) {
			rx->lat_samples++;
			rx->lat_sum += lat;
			if (rx->lat_samples == 1 || lat < rx->lat_min)
				rx->lat_min = lat;
			if (lat > rx->lat_max)
				rx->lat_max = lat;
		}
	}
	s = stream_get(rx, rte_be_to_cpu_32(h.id));
	if (s == NULL) {
		rx->untracked++;
		return;
	}
	seq = rte_be_to_cpu_64(h.seq);
	if (s->packets > 0 && seq < s->max_seq) {
		s->reordered++;
		rx->reordered++;
	} else {
		s->max_seq = seq;
	}
	s->packets++;
}
