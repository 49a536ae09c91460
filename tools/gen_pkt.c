/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-gen frames: building them from templates, and counting what comes
 * back.
 *
 * Transmit: the Ethernet, 802.1Q, IPv4 and UDP headers of frames of one size
 * are the same in every frame but for the UDP source port (the flow), so they
 * are built once per size of the --size mix; a frame is the template copied
 * into a tx mbuf, the source port set and the vqos-gen header written. The
 * IPv4 checksum does not cover UDP, so it is computed once per size; the UDP
 * checksum is 0 ("none", valid in IPv4). The tx pool's data rooms were zeroed
 * when the pool was made and hold nothing but our own frames, so the payload
 * after the header is zeros without writing it for every frame.
 *
 * A mix is sent as a smooth weighted round robin (the one nginx uses): a round
 * of `total` frames holds exactly `weight` frames of each size, spread out
 * rather than in runs, and every round is the same. The round is spelled out
 * once into tmpl->cycle, so that frame k of a port is always the same size:
 * byte counts are exact and the same on every run.
 *
 * Receive: a frame counts as "rx" when it is IPv4/UDP (under up to two VLAN
 * tags) and its payload starts with the magic; anything else is "foreign".
 * Each sender (generator id) has a stream slot in a small open-addressing
 * table keyed by id, which remembers the highest sequence number seen; a frame
 * with a lower one is "reordered". Headers are read with rte_pktmbuf_read(), so
 * chained mbufs (jumbo frames on a port with rx scatter) are parsed the same
 * way as single ones.
 */
#include <string.h>

#include <rte_mempool.h>

#include "gen.h"

#define IPV4_SRC 0xC6120001u /* 198.18.0.1 */
#define IPV4_DST 0xC6120002u /* 198.18.0.2 */

/* The headers of frames of @p size bytes, after hdr_len bytes of Ethernet [+ tag]. */
static void tmpl_size_init(struct vqos_gen_tmpl_size *e, const struct vqos_gen_port_opts *o,
			   const struct rte_ether_addr *src, uint16_t size)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)e->hdr;
	struct rte_vlan_hdr *vlan = (struct rte_vlan_hdr *)(eth + 1);
	struct rte_ipv4_hdr *ip =
		(struct rte_ipv4_hdr *)(o->have_vlan ? (void *)(vlan + 1) : (void *)(eth + 1));
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint32_t l2_len = (uint32_t)((uint8_t *)ip - e->hdr);
	uint32_t l3_len = size - l2_len;

	memset(e, 0, sizeof(*e));
	e->size = size;
	e->with_tsc = size - l2_len - sizeof(*ip) - sizeof(*udp) >= sizeof(struct vqos_gen_hdr);

	rte_ether_addr_copy(src, &eth->src_addr);
	if (o->have_dst_mac)
		rte_ether_addr_copy(&o->dst_mac, &eth->dst_addr);
	else
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	if (o->have_vlan) {
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vlan->vlan_tci = rte_cpu_to_be_16((uint16_t)(o->vlan_pcp << 13 | o->vlan_id));
		vlan->eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	} else {
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	}

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = (uint8_t)(o->dscp << 2);
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

void vqos_gen_tmpl_init(struct vqos_gen_tmpl *t, const struct vqos_gen_port_opts *o,
			const struct rte_ether_addr *src)
{
	const struct vqos_gen_mix *m = &o->mix;
	int64_t cur[VQOS_GEN_MIX_MAX] = { 0 };
	uint32_t i, k, best;

	memset(t, 0, sizeof(*t));
	t->id = o->id;
	t->flows = o->flows;
	t->hdr_len = (uint16_t)(VQOS_GEN_L4_PAYLOAD_OFF +
				(o->have_vlan ? sizeof(struct rte_vlan_hdr) : 0));
	for (i = 0; i < m->n; i++)
		tmpl_size_init(&t->sz[i], o, src, m->size[i]);
	/* Smooth weighted round robin: entry i is picked weight[i] times a round. */
	t->cycle_len = m->total;
	for (k = 0; k < m->total; k++) {
		best = 0;
		for (i = 0; i < m->n; i++) {
			cur[i] += m->weight[i];
			if (cur[i] > cur[best])
				best = i;
		}
		cur[best] -= m->total;
		t->cycle[k] = (uint8_t)best;
	}
}

void vqos_gen_mbuf_zero(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct rte_mbuf *m = obj;

	memset(m->buf_addr, 0, m->buf_len);
}

void vqos_gen_set_id(const struct vqos_gen_tmpl *t, struct rte_mbuf *m, uint32_t id)
{
	struct vqos_gen_hdr *h =
		(struct vqos_gen_hdr *)(rte_pktmbuf_mtod(m, uint8_t *) + t->hdr_len);

	h->id = rte_cpu_to_be_32(id);
}

void vqos_gen_fill(const struct vqos_gen_tmpl *t, const struct vqos_gen_tmpl_size *e,
		   struct rte_mbuf *m, uint64_t seq, uint64_t tsc)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_udp_hdr *udp;
	struct vqos_gen_hdr *h;

	memcpy(p, e->hdr, t->hdr_len);
	if (t->flows > 1) {
		udp = (struct rte_udp_hdr *)(p + t->hdr_len - sizeof(*udp));
		udp->src_port =
			rte_cpu_to_be_16((uint16_t)(VQOS_GEN_UDP_SRC_BASE + seq % t->flows));
	}
	h = (struct vqos_gen_hdr *)(p + t->hdr_len);
	h->magic = rte_cpu_to_be_32(VQOS_GEN_MAGIC);
	h->id = rte_cpu_to_be_32(t->id);
	h->seq = rte_cpu_to_be_64(seq);
	/*
	 * The headers of a port's frames lie at the same offsets whatever the
	 * size, so an mbuf that held a longer frame of the mix has zeros after
	 * them still; a frame too short for the timestamp ends before it.
	 */
	if (e->with_tsc)
		h->tsc = rte_cpu_to_be_64(tsc);
	m->data_len = e->size;
	m->pkt_len = e->size;
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

/* What the headers of a received vqos-gen frame say. */
struct rx_info {
	struct vqos_gen_hdr h; /* the payload header */
	size_t hdr_len;	       /* bytes of it present: VQOS_GEN_HDR_SHORT or sizeof(h) */
	bool tagged;	       /* an 802.1Q (or 802.1ad) tag */
	uint16_t tci;	       /* the outer tag's TCI */
	uint8_t dscp;	       /* IPv4 DSCP */
};

/*
 * Find the vqos-gen header of @p m and what its headers say.
 * @return false when the frame is not a vqos-gen frame
 */
static bool find_hdr(const struct rte_mbuf *m, struct rx_info *ri)
{
	union {
		struct rte_ether_hdr eth;
		struct rte_vlan_hdr vlan;
		struct rte_ipv4_hdr ip;
		struct rte_udp_hdr udp;
		struct vqos_gen_hdr gen;
	} buf;
	const struct rte_ether_hdr *eth;
	const struct rte_vlan_hdr *vlan;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	const struct vqos_gen_hdr *g;
	uint32_t off, payload;
	uint16_t type;
	int tags;

	eth = rte_pktmbuf_read(m, 0, sizeof(*eth), &buf);
	if (eth == NULL)
		return false;
	type = eth->ether_type;
	off = sizeof(*eth);
	ri->tagged = false;
	/* Up to two tags (802.1ad outer, 802.1Q inner); the outer one is reported. */
	for (tags = 0; tags < 2 && (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
				    type == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ));
	     tags++) {
		vlan = rte_pktmbuf_read(m, off, sizeof(*vlan), &buf);
		if (vlan == NULL)
			return false;
		if (!ri->tagged)
			ri->tci = rte_be_to_cpu_16(vlan->vlan_tci);
		ri->tagged = true;
		type = vlan->eth_proto;
		off += sizeof(*vlan);
	}
	if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return false;
	ip = rte_pktmbuf_read(m, off, sizeof(*ip), &buf);
	if (ip == NULL || (ip->version_ihl >> 4) != 4 || ip->next_proto_id != IPPROTO_UDP ||
	    (rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0)
		return false;
	ri->dscp = ip->type_of_service >> 2;
	off += (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	udp = rte_pktmbuf_read(m, off, sizeof(*udp), &buf);
	if (udp == NULL)
		return false;
	off += sizeof(*udp);
	if (rte_be_to_cpu_16(udp->dgram_len) < sizeof(*udp) || m->pkt_len < off)
		return false;
	/* The payload is what UDP says, cut to what the frame holds. */
	payload = RTE_MIN(rte_be_to_cpu_16(udp->dgram_len) - (uint32_t)sizeof(*udp),
			  m->pkt_len - off);
	if (payload < VQOS_GEN_HDR_SHORT)
		return false;
	payload = RTE_MIN(payload, (uint32_t)sizeof(ri->h));
	g = rte_pktmbuf_read(m, off, payload, &buf);
	if (g == NULL || g->magic != rte_cpu_to_be_32(VQOS_GEN_MAGIC))
		return false;
	memcpy(&ri->h, g, payload);
	ri->hdr_len = payload;
	return true;
}

void vqos_gen_rx_account(struct vqos_gen_rx *rx, const struct rte_mbuf *m, uint64_t now)
{
	struct vqos_gen_stream *s;
	struct rx_info ri;
	uint64_t seq, lat;

	if (!find_hdr(m, &ri)) {
		rx->foreign++;
		rx->foreign_bytes += m->pkt_len;
		return;
	}
	rx->packets++;
	rx->bytes += m->pkt_len;
	rx->tagged += ri.tagged;
	if (ri.hdr_len == sizeof(ri.h)) {
		/* One-way delay; meaningful because every sender runs on this host. */
		lat = now - rte_be_to_cpu_64(ri.h.tsc);
		if ((int64_t)lat >= 0)
			vqos_gen_hist_add(rx->lat, lat);
	}
	s = stream_get(rx, rte_be_to_cpu_32(ri.h.id));
	if (s == NULL) {
		rx->untracked++;
		return;
	}
	seq = rte_be_to_cpu_64(ri.h.seq);
	if (s->packets > 0 && seq < s->max_seq) {
		s->reordered++;
		rx->reordered++;
	} else {
		s->max_seq = seq;
	}
	s->packets++;
	s->bytes += m->pkt_len;
	s->tagged = ri.tagged;
	s->tci = ri.tagged ? ri.tci : 0;
	s->dscp = ri.dscp;
}
