/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vqos-gen internals: a DPDK app that plays one container.
 *
 * It sends UDP frames of one size at one offered rate for a given time on the
 * single ethdev that its EAL arguments create, receives and counts what comes
 * back, and prints its figures as one JSON object when it ends. Counts must be
 * exact, so the generator never loses a packet of its own: what tx_burst does
 * not take is kept and offered again, and only what the port accepted is
 * counted as sent.
 *
 * Frame layout (all fields in network byte order):
 *
 *     Ethernet (src = port MAC, dst = broadcast or --dst-mac, type IPv4)
 *     IPv4     (198.18.0.1 -> 198.18.0.2, RFC 2544 benchmark range, ttl 64)
 *     UDP      (src port = 1024 + flow, dst port 5678, checksum 0 = none)
 *     payload  vqos_gen_hdr, then zeros up to the frame size
 *
 * The files: gen_opts.c (command line), gen_pkt.c (frame building and receive
 * accounting), gen_port.c (ethdev set-up, link wait, tear-down), gen_report.c
 * (progress lines and the JSON report), vqos-gen.c (main and the poll loop).
 */
#ifndef VQOS_GEN_H
#define VQOS_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "conf/vqos_units.h"

/** 'VQSG': first word of every vqos-gen payload. */
#define VQOS_GEN_MAGIC 0x564F5347u
/** Packets per rx_burst and largest tx burst. */
#define VQOS_GEN_BURST 32
/** Smallest and largest frame, bytes without FCS. */
#define VQOS_GEN_SIZE_MIN 60
#define VQOS_GEN_SIZE_MAX 9000
/** Bytes of Ethernet + IPv4 + UDP headers in front of the payload. */
#define VQOS_GEN_L4_PAYLOAD_OFF                                                                    \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
/** First UDP source port; flow f uses VQOS_GEN_UDP_SRC_BASE + f. */
#define VQOS_GEN_UDP_SRC_BASE 1024
#define VQOS_GEN_UDP_DST      5678

/**
 * Payload header. A frame shorter than 66 bytes (the header does not fit in
 * 60..65-byte frames) carries magic, id and seq only: the timestamp is present
 * exactly when the UDP payload is at least sizeof(struct vqos_gen_hdr) long.
 */
struct vqos_gen_hdr {
	rte_be32_t magic; /**< VQOS_GEN_MAGIC */
	rte_be32_t id;	  /**< generator id (--id) */
	rte_be64_t seq;	  /**< 0, 1, 2... per generator, in sending order */
	rte_be64_t tsc;	  /**< rte_rdtsc() of the sender when the frame was built */
} __attribute__((packed));

/** Payload bytes that carry a header without its timestamp. */
#define VQOS_GEN_HDR_SHORT offsetof(struct vqos_gen_hdr, tsc)

/** What --rate asks for. */
enum vqos_gen_rate_mode {
	VQOS_GEN_RATE_MAX,  /**< as fast as the port takes */
	VQOS_GEN_RATE_NONE, /**< send nothing: a sink */
	VQOS_GEN_RATE_PPS,  /**< rate in packets per second */
	VQOS_GEN_RATE_BPS,  /**< rate in bits per second of frame bytes */
};

/** The command line after "--". */
struct vqos_gen_opts {
	uint32_t size;			   /**< frame length, bytes without FCS */
	const char *rate_str;		   /**< --rate as given */
	enum vqos_gen_rate_mode rate_mode; /**< what rate measures */
	uint64_t rate;			   /**< packets/s or bits/s (PPS, BPS modes) */
	double duration_s;		   /**< seconds of sending (and receiving) */
	uint64_t count;			   /**< stop sending after this many packets; 0: no limit */
	double delay_s;	      /**< seconds of receiving only, after link up, before sending */
	double linger_s;      /**< seconds of receiving after sending ends */
	double wait_link_s;   /**< seconds to wait for link up */
	uint32_t flows;	      /**< distinct UDP source ports */
	uint32_t idle_us;     /**< sleep when an iteration did nothing; 0: busy poll */
	uint32_t rx_delay_us; /**< sleep after every received burst: a slow container */
	uint32_t id;	      /**< generator id written in every frame */
	bool quiet;	      /**< no progress lines */
	bool have_dst_mac;    /**< dst_mac given; otherwise broadcast */
	struct rte_ether_addr dst_mac; /**< destination MAC of every frame */
};

/**
 * Parse the options after "--". @p argv[0] is the program name.
 * @return 0, 1 when --help was printed, or -EINVAL after a message on stderr
 */
int vqos_gen_parse_opts(int argc, char **argv, struct vqos_gen_opts *o);

/** Print the usage text to @p f. */
void vqos_gen_usage(FILE *f, const char *prog);

/* ---- frames (gen_pkt.c) ---- */

/** The headers every frame starts with, built once. */
struct vqos_gen_tmpl {
	uint8_t l4[VQOS_GEN_L4_PAYLOAD_OFF]; /**< Ethernet + IPv4 + UDP headers */
	uint32_t size;			     /**< frame length, bytes */
	uint32_t id;			     /**< generator id */
	uint32_t flows;			     /**< number of UDP source ports */
	bool with_tsc;			     /**< frame has room for the timestamp */
};

/** Build the template for frames of @p o->size bytes from @p src. */
void vqos_gen_tmpl_init(struct vqos_gen_tmpl *t, const struct vqos_gen_opts *o,
			const struct rte_ether_addr *src);

/**
 * rte_mempool_obj_iter() callback: zero the data room of a fresh tx mbuf so
 * that the payload after the header is zeros, not stale memory.
 */
void vqos_gen_mbuf_zero(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx);

/** Make @p m frame number @p seq (single segment, data room >= size). */
void vqos_gen_fill(const struct vqos_gen_tmpl *t, struct rte_mbuf *m, uint64_t seq, uint64_t tsc);

/* ---- receive accounting (gen_pkt.c) ---- */

/** Sequence state of one sender seen by this receiver. */
struct vqos_gen_stream {
	uint32_t id;	    /**< generator id */
	bool used;	    /**< slot holds a stream */
	uint64_t packets;   /**< frames received */
	uint64_t max_seq;   /**< highest seq seen */
	uint64_t reordered; /**< frames whose seq was lower than max_seq */
};

/** Slots of the stream table (open addressing; a power of two). */
#define VQOS_GEN_STREAMS 1024

/** Everything counted on receive. */
struct vqos_gen_rx {
	uint64_t packets;		 /**< frames with the vqos-gen magic */
	uint64_t bytes;			 /**< their bytes (pkt_len, no FCS) */
	uint64_t foreign;		 /**< other frames */
	uint64_t foreign_bytes;		 /**< their bytes */
	uint64_t reordered;		 /**< sum of the streams' reordered */
	uint64_t untracked;		 /**< vqos-gen frames of streams that did not fit */
	uint64_t first_tsc;		 /**< TSC of the first burst with frames; 0: none yet */
	uint64_t last_tsc;		 /**< TSC of the last burst with frames */
	uint64_t lat_samples;		 /**< frames with a timestamp */
	uint64_t lat_sum;		 /**< sum of now - timestamp, TSC cycles */
	uint64_t lat_min;		 /**< smallest, TSC cycles */
	uint64_t lat_max;		 /**< largest, TSC cycles */
	uint32_t nb_streams;		 /**< used slots */
	struct vqos_gen_stream *streams; /**< VQOS_GEN_STREAMS slots */
};

/** Count one received frame @p m, received at @p now (TSC). Does not free it. */
void vqos_gen_rx_account(struct vqos_gen_rx *rx, const struct rte_mbuf *m, uint64_t now);

/* ---- the port (gen_port.c) ---- */

/** The ethdev and its pools. */
struct vqos_gen_port {
	uint16_t port_id;	     /**< the one ethdev */
	char name[64];		     /**< its name, e.g. net_virtio_user0 */
	struct rte_ether_addr mac;   /**< its MAC */
	uint16_t mtu;		     /**< MTU configured */
	bool rx_scatter;	     /**< chained rx mbufs enabled */
	struct rte_mempool *tx_pool; /**< frames we build; data room >= size */
	struct rte_mempool *rx_pool; /**< receive buffers */
	bool started;		     /**< rte_eth_dev_start succeeded */
};

/**
 * Find the one ethdev that the EAL arguments created. When there is none yet
 * and exactly one --vdev was given (e.g. a virtio_user whose vhost-user server
 * is not listening yet), probe it again until @p deadline_tsc.
 * @param vdev the --vdev argument, or NULL
 * @return 0 or a negative errno after a message on stderr
 */
int vqos_gen_port_find(struct vqos_gen_port *p, const char *vdev, uint64_t deadline_tsc,
		       volatile int *stop);

/** Configure, set up queues and pools for frames of @p size bytes, and start. */
int vqos_gen_port_setup(struct vqos_gen_port *p, uint32_t size);

/**
 * Wait until the link is up, @p deadline_tsc passes or *@p stop is set.
 * @return 0 when up, -ETIMEDOUT or -EINTR
 */
int vqos_gen_port_wait_link(const struct vqos_gen_port *p, uint64_t deadline_tsc,
			    volatile int *stop);

/** Stop and close the port, free the pools. Safe on a partly set up port. */
void vqos_gen_port_close(struct vqos_gen_port *p);

/* ---- report (gen_report.c) ---- */

/** Everything counted on transmit. */
struct vqos_gen_tx {
	uint64_t packets;	/**< frames the port accepted */
	uint64_t bytes;		/**< their bytes (size each, no FCS) */
	uint64_t backpressure;	/**< tx_burst calls that took fewer than offered */
	uint64_t retry_packets; /**< frames refused by a tx_burst call (offered again) */
	uint64_t unsent;	/**< frames built but still refused when sending ended */
	uint64_t alloc_failed;	/**< bursts not built for want of mbufs */
	uint64_t start_tsc;	/**< sending began */
	uint64_t end_tsc;	/**< sending ended; 0 while sending */
};

/** What the report needs besides the counters. */
struct vqos_gen_run {
	const struct vqos_gen_opts *opts;
	const struct vqos_gen_port *port;
	const struct vqos_gen_tx *tx;
	const struct vqos_gen_rx *rx;
	uint64_t hz;			 /**< TSC cycles per second */
	double link_wait_s;		 /**< time spent waiting for link up */
	uint64_t start_tsc;		 /**< link up: the run begins */
	uint64_t end_tsc;		 /**< the run ended */
	bool interrupted;		 /**< ended early by SIGINT/SIGTERM */
	struct rte_eth_stats port_stats; /**< the ethdev's own counters at the end */
	uint64_t prog_tsc;		 /**< last progress line */
	uint64_t prog_tx;		 /**< tx packets then */
	uint64_t prog_rx;		 /**< rx frames (ours and foreign) then */
};

/** One progress line on stderr: rates since the previous call. */
void vqos_gen_progress(struct vqos_gen_run *r, uint64_t now);

/** Print the JSON report on stdout. @return 0 or -ENOMEM/-EIO */
int vqos_gen_report(const struct vqos_gen_run *r);

#endif /* VQOS_GEN_H */
