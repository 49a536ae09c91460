/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vqos-gen internals: a DPDK app that plays containers, one per ethdev.
 *
 * Every ethdev that its EAL arguments create is one virtual container, and all
 * of them are polled by the one lcore: each sends UDP frames of its own size
 * (or weighted mix of sizes) at its own offered rate, receives and counts what
 * comes back, with its own counters, sequence tracking and latency histogram.
 * The figures are printed as one JSON object when the run ends. Counts must be
 * exact, so the generator never loses a packet of its own: what tx_burst does
 * not take is kept and offered again, and only what the port accepted is
 * counted as sent. Nothing is allocated per packet.
 *
 * Frame layout (all fields in network byte order):
 *
 *     Ethernet (src = port MAC, dst = broadcast or --dst-mac, type IPv4,
 *               or 802.1Q with --vlan: TPID 0x8100, PCP, VID, then IPv4)
 *     IPv4     (198.18.0.1 -> 198.18.0.2, RFC 2544 benchmark range, ttl 64,
 *               TOS = --dscp << 2)
 *     UDP      (src port = 1024 + flow, dst port 5678, checksum 0 = none)
 *     payload  vqos_gen_hdr, then zeros up to the frame size
 *
 * The files: gen_opts.c (command line), gen_pkt.c (frame building and receive
 * accounting), gen_hist.c (latency histogram), gen_port.c (ethdev set-up, link
 * wait, tear-down), gen_report.c (progress lines and the JSON report),
 * gen_backoff.h (how long a full vring makes the loop sleep), vqos-gen.c (main
 * and the poll loop).
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
#include "gen_backoff.h"
#include "gen_hist.h"

/** 'VQSG': first word of every vqos-gen payload. */
#define VQOS_GEN_MAGIC 0x564F5347u
/** Packets per rx_burst and largest tx burst. */
#define VQOS_GEN_BURST 32
/** Smallest and largest frame, bytes without FCS. */
#define VQOS_GEN_SIZE_MIN 60
#define VQOS_GEN_SIZE_MAX 9000
/** Smallest frame with an 802.1Q tag: room for the payload header without timestamp. */
#define VQOS_GEN_SIZE_MIN_VLAN 64
/** Bytes of Ethernet + IPv4 + UDP headers in front of the payload (untagged). */
#define VQOS_GEN_L4_PAYLOAD_OFF                                                                    \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
/** The same with an 802.1Q tag. */
#define VQOS_GEN_L4_PAYLOAD_OFF_MAX (VQOS_GEN_L4_PAYLOAD_OFF + sizeof(struct rte_vlan_hdr))
/** First UDP source port; flow f uses VQOS_GEN_UDP_SRC_BASE + f. */
#define VQOS_GEN_UDP_SRC_BASE 1024
#define VQOS_GEN_UDP_DST      5678
/** Entries of a --size mix, and the most frames in one round of it (sum of weights). */
#define VQOS_GEN_MIX_MAX   16
#define VQOS_GEN_CYCLE_MAX 4096
/** Default ids of several ports: pid + index * this (pids are below 2^22). */
#define VQOS_GEN_ID_PORT_STRIDE (1u << 22)

/**
 * Payload header. A frame whose UDP payload is shorter than 24 bytes (60..65
 * bytes untagged, 64..69 tagged) carries magic, id and seq only: the
 * timestamp is present exactly when the UDP payload is at least
 * sizeof(struct vqos_gen_hdr) long.
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

/** --size: one frame length, or sizes sent in a weighted round robin. */
struct vqos_gen_mix {
	const char *str;		   /**< --size as given */
	uint32_t n;			   /**< entries; 1 for a plain N */
	uint16_t size[VQOS_GEN_MIX_MAX];   /**< frame length, bytes without FCS */
	uint16_t weight[VQOS_GEN_MIX_MAX]; /**< frames of this size per round */
	uint32_t total;			   /**< sum of the weights: frames per round */
	uint32_t smallest;		   /**< shortest size */
	uint32_t largest;		   /**< longest size */
};

/** Most queue pairs of a port (--queues). */
#define VQOS_GEN_QUEUES_MAX 8

/** The options of one port (one virtual container). */
struct vqos_gen_port_opts {
	struct vqos_gen_mix mix;	   /**< --size */
	const char *rate_str;		   /**< --rate as given */
	enum vqos_gen_rate_mode rate_mode; /**< what rate measures */
	uint64_t rate;			   /**< packets/s or bits/s (PPS, BPS modes) */
	uint64_t count;			   /**< stop sending after this many packets; 0: no limit */
	uint32_t flows;			   /**< distinct UDP source ports */
	uint32_t rx_delay_us;		   /**< rx pause after every received burst */
	uint32_t id;			   /**< generator id written in every frame */
	bool have_id;			   /**< --id given for this port itself */
	uint8_t dscp;			   /**< IPv4 DSCP, 0..63 */
	bool have_vlan;			   /**< frames carry an 802.1Q tag */
	uint16_t vlan_id;		   /**< its VID, 0..4095 */
	uint8_t vlan_pcp;		   /**< its PCP, 0..7 */
	bool have_dst_mac;		   /**< dst_mac given; otherwise broadcast */
	struct rte_ether_addr dst_mac;	   /**< destination MAC of every frame */
};

/** The command line after "--". */
struct vqos_gen_opts {
	double duration_s;   /**< seconds of sending (and receiving) */
	double delay_s;	     /**< seconds of receiving only, after link up, before sending */
	double linger_s;     /**< seconds of receiving after sending ends */
	double wait_link_s;  /**< seconds to wait for link up */
	uint32_t idle_us;    /**< sleep when an iteration did nothing; 0: busy poll */
	uint32_t backoff_us; /**< most sleep when a vring is full; 0: retry at once */
	uint16_t queues;     /**< rx and tx queues of every port, 1..VQOS_GEN_QUEUES_MAX */
	bool quiet;	     /**< no progress lines */
	int max_port;	     /**< highest --port index given; -1: none */
	/** Options of ethdev i: the global ones, then those after --port i. */
	struct vqos_gen_port_opts port[RTE_MAX_ETHPORTS];
};

/**
 * Parse the options after "--" (or `vqos-gen --version` alone, which has no
 * EAL arguments). @p argv[0] is the program name.
 * @return 0, 1 when --help or --version was printed, or -EINVAL after a
 *         message on stderr
 */
int vqos_gen_parse_opts(int argc, char **argv, struct vqos_gen_opts *o);

/** Print the usage text to @p f. */
void vqos_gen_usage(FILE *f, const char *prog);

/* ---- frames (gen_pkt.c) ---- */

/** The headers of frames of one size, built once. */
struct vqos_gen_tmpl_size {
	uint8_t hdr[VQOS_GEN_L4_PAYLOAD_OFF_MAX]; /**< Ethernet [+ 802.1Q] + IPv4 + UDP */
	uint16_t size;				  /**< frame length, bytes */
	bool with_tsc;				  /**< frame has room for the timestamp */
};

/** Everything a port's frames are built from. */
struct vqos_gen_tmpl {
	struct vqos_gen_tmpl_size sz[VQOS_GEN_MIX_MAX]; /**< one per --size entry */
	uint8_t cycle[VQOS_GEN_CYCLE_MAX];		/**< entry of each frame of a round */
	uint32_t cycle_len;				/**< frames per round */
	uint16_t hdr_len;				/**< bytes in front of the payload */
	uint32_t id;					/**< generator id */
	uint32_t flows;					/**< number of UDP source ports */
};

/** Build the templates and the round of sizes of @p o's frames from @p src. */
void vqos_gen_tmpl_init(struct vqos_gen_tmpl *t, const struct vqos_gen_port_opts *o,
			const struct rte_ether_addr *src);

/**
 * rte_mempool_obj_iter() callback: zero the data room of a fresh tx mbuf so
 * that the payload after the header is zeros, not stale memory.
 */
void vqos_gen_mbuf_zero(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx);

/** Make @p m frame number @p seq from template entry @p e (single segment, room >= size). */
/** Write generator id @p id into frame @p m of template @p t (built by
 *  vqos_gen_fill()): each tx queue of a port is a stream of its own. */
void vqos_gen_set_id(const struct vqos_gen_tmpl *t, struct rte_mbuf *m, uint32_t id);

void vqos_gen_fill(const struct vqos_gen_tmpl *t, const struct vqos_gen_tmpl_size *e,
		   struct rte_mbuf *m, uint64_t seq, uint64_t tsc);

/* ---- receive accounting (gen_pkt.c) ---- */

/** Sequence state of one sender seen by this receiver. */
struct vqos_gen_stream {
	uint32_t id;	    /**< generator id */
	bool used;	    /**< slot holds a stream */
	bool tagged;	    /**< its last frame had an 802.1Q tag */
	uint8_t dscp;	    /**< DSCP of its last frame */
	uint16_t tci;	    /**< 802.1Q TCI (PCP, DEI, VID) of its last frame */
	uint64_t packets;   /**< frames received */
	uint64_t bytes;	    /**< their bytes */
	uint64_t max_seq;   /**< highest seq seen */
	uint64_t reordered; /**< frames whose seq was lower than max_seq */
};

/** Slots of the stream table (open addressing; a power of two). */
#define VQOS_GEN_STREAMS 1024

/** Everything counted on receive by one port. */
struct vqos_gen_rx {
	uint64_t packets;		 /**< frames with the vqos-gen magic */
	uint64_t bytes;			 /**< their bytes (pkt_len, no FCS) */
	uint64_t tagged;		 /**< those with an 802.1Q tag */
	uint64_t foreign;		 /**< other frames */
	uint64_t foreign_bytes;		 /**< their bytes */
	uint64_t reordered;		 /**< sum of the streams' reordered */
	uint64_t untracked;		 /**< vqos-gen frames of streams that did not fit */
	uint64_t first_tsc;		 /**< TSC of the first burst with frames; 0: none yet */
	uint64_t last_tsc;		 /**< TSC of the last burst with frames */
	uint32_t nb_streams;		 /**< used slots */
	struct vqos_gen_stream *streams; /**< VQOS_GEN_STREAMS slots */
	struct vqos_gen_hist *lat;	 /**< now - frame TSC, in TSC cycles */
};

/** Count one received frame @p m, received at @p now (TSC). Does not free it. */
void vqos_gen_rx_account(struct vqos_gen_rx *rx, const struct rte_mbuf *m, uint64_t now);

/* ---- the ports (gen_port.c) ---- */

/** One ethdev and its pools. */
struct vqos_gen_port {
	uint16_t port_id;	     /**< the ethdev */
	char name[64];		     /**< its name, e.g. net_virtio_user0 */
	struct rte_ether_addr mac;   /**< its MAC */
	uint16_t mtu;		     /**< MTU configured */
	bool rx_scatter;	     /**< chained rx mbufs enabled */
	struct rte_mempool *tx_pool; /**< frames we build; data room >= largest size */
	struct rte_mempool *rx_pool; /**< receive buffers */
	bool started;		     /**< rte_eth_dev_start succeeded */
	uint16_t queues;	     /**< rx and tx queue pairs (set before setup) */
	/** a virtio_user in server mode (server=1): link changes by interrupt,
	 *  where it takes its peer's next connection after a vqosd restart */
	bool server;
};

/**
 * Find the ethdevs that the EAL arguments created, in the order of their
 * --vdev arguments (@p vdevs; ethdevs of no --vdev follow in port id order).
 * A --vdev that made no ethdev yet (a virtio_user whose vhost-user server is
 * not listening yet) is probed again until @p deadline_tsc.
 * @return the number of ports filled in @p p (at most RTE_MAX_ETHPORTS), or a
 *         negative errno after a message on stderr
 */
int vqos_gen_port_find(struct vqos_gen_port *p, const char *const *vdevs, int nb_vdevs,
		       uint64_t deadline_tsc, volatile int *stop);

/** Configure, set up queues and pools for frames of up to @p size bytes, and start. */
int vqos_gen_port_setup(struct vqos_gen_port *p, uint32_t size);

/**
 * Wait until the link is up, @p deadline_tsc passes or *@p stop is set.
 * @return 0 when up, -ETIMEDOUT or -EINTR
 */
int vqos_gen_port_wait_link(const struct vqos_gen_port *p, uint64_t deadline_tsc,
			    volatile int *stop);

/** Stop and close the port, free the pools. Safe on a partly set up port. */
void vqos_gen_port_close(struct vqos_gen_port *p);

/* ---- one virtual container (vqos-gen.c runs it, gen_report.c reports it) ---- */

/** Everything counted on transmit. */
struct vqos_gen_tx {
	uint64_t packets;	/**< frames the port accepted */
	uint64_t bytes;		/**< their bytes (size each, no FCS) */
	uint64_t backpressure;	/**< tx_burst calls that took fewer than offered */
	uint64_t retry_packets; /**< frames refused by a tx_burst call (offered again) */
	uint64_t unsent;	/**< frames built but still refused when sending ended */
	uint64_t alloc_failed;	/**< bursts not built for want of mbufs */
	uint64_t backoffs;	/**< --backoff-us sleeps taken while this port's vring was full */
	uint64_t backoff_tsc;	/**< TSC cycles slept in them */
	uint64_t start_tsc;	/**< sending began */
	uint64_t end_tsc;	/**< sending ended; 0 while sending */
};

/** The sending state of one port. */
struct vqos_gen_sender {
	uint64_t generated;		       /**< frames built: the next seq */
	uint32_t cycle_pos;		       /**< next frame's place in the round of sizes */
	uint16_t pend_off;		       /**< first frame in hand not accepted */
	uint16_t pend_n;		       /**< how many not accepted */
	struct rte_mbuf *pend[VQOS_GEN_BURST]; /**< built, not yet accepted */
	uint16_t pend_len[VQOS_GEN_BURST];     /**< their lengths */
	uint64_t credit;		       /**< rate units x cycles */
	uint64_t cap;			       /**< most credit */
	uint64_t cost_per_byte;		       /**< credit a byte takes (bit/s: 8 hz) */
	uint64_t cost_per_frame;	       /**< credit a frame takes (pps: hz) */
	uint64_t last_tsc;		       /**< credit last added */
	bool done;			       /**< --count reached or sending ended */
	uint16_t txq;			       /**< the tx queue of the burst in hand */
};

/** One virtual container: an ethdev, its options, frames, state and counters. */
struct vqos_gen_ct {
	const struct vqos_gen_port_opts *opts; /**< its options */
	struct vqos_gen_port port;	       /**< its ethdev */
	struct vqos_gen_tmpl tmpl;	       /**< its frames */
	struct vqos_gen_sender snd;	       /**< sending state */
	struct vqos_gen_tx tx;		       /**< sent */
	struct vqos_gen_rx rx;		       /**< received */
	uint64_t rx_next_tsc;		       /**< --rx-delay-us: rx not polled before */
	double link_wait_s;		       /**< from EAL init to its link up */
	struct rte_eth_stats port_stats;       /**< the ethdev's own counters at the end */
	uint64_t prog_tx;		       /**< tx packets at the last progress line */
	uint64_t prog_tx_bytes;		       /**< tx bytes then */
	uint64_t prog_rx;		       /**< rx frames (ours and foreign) then */
	uint64_t prog_rx_bytes;		       /**< rx bytes (ours and foreign) then */
};

/* ---- report (gen_report.c) ---- */

/** The run: its containers and clocks. */
struct vqos_gen_run {
	const struct vqos_gen_opts *opts;
	struct vqos_gen_ct *ct; /**< the containers, in ethdev order */
	uint16_t nb_ct;		/**< how many */
	uint64_t hz;		/**< TSC cycles per second */
	uint64_t start_tsc;	/**< every link up: the run begins */
	uint64_t end_tsc;	/**< the run ended */
	bool interrupted;	/**< ended early by SIGINT/SIGTERM */
	uint64_t prog_tsc;	/**< last progress line */
	/** --backoff-us sleeps of the process: one sleep serves every port whose
	 *  vring was full, so these are not the sums of the ports' */
	uint64_t backoffs;
	uint64_t backoff_tsc; /**< TSC cycles slept in them */
};

/** One progress line on stderr: rates since the previous call. */
void vqos_gen_progress(struct vqos_gen_run *r, uint64_t now);

/** Print the JSON report on stdout. @return 0 or -ENOMEM/-EIO */
int vqos_gen_report(const struct vqos_gen_run *r);

#endif /* VQOS_GEN_H */
