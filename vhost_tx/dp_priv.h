/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to vhost_tx: the structs that the data-path loop (dp.c) and the
 * port control code (port.c) share. Nothing outside vhost_tx includes this.
 */
#ifndef VQOS_DP_PRIV_H
#define VQOS_DP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "vhost_tx/vqos_dp.h"

/* vhost queue indices of queue pair 0, seen from the vhost backend. */
#define VQOS_VHOST_RXQ 0 /* to the container */
#define VQOS_VHOST_TXQ 1 /* from the container */

/* A burst held by the data path between a take and a give that may be partial. */
struct vqos_burst {
	uint16_t head;			      /* first packet not yet given */
	uint16_t n;			      /* packets taken */
	struct rte_mbuf *pkts[VQOS_DP_BURST]; /* [head, n) still ours */
};

struct vqos_port {
	/* Read-mostly: set at open, read by the data path. */
	char *name;
	char *socket;
	char *uplink;
	bool client;
	uint16_t uplink_port; /* ethdev port id of the uplink */
	struct rte_mempool *pool;
	struct vqos_dp *dp;

	/* vhost device id of the attached container, -1 when none.
	 * Written by librte_vhost's thread (ctl side), read by the data path. */
	int vid __rte_cache_aligned;

	/* Data path only, on their own cache lines. */
	struct vqos_burst tx_pend __rte_cache_aligned;	       /* container -> uplink */
	struct vqos_burst rx_pend;			       /* uplink -> container */
	struct vqos_dp_dir_stats tx_stats __rte_cache_aligned; /* dp: wo, ctl: ro */
	struct vqos_dp_dir_stats rx_stats;		       /* dp: wo, ctl: ro */
};

/* The set of ports one data path polls; replaced whole, never edited. */
struct vqos_dp_ports {
	unsigned int n;
	struct vqos_port *port[];
};

struct vqos_dp {
	unsigned int lcore;	     /* lcore that runs the loop */
	struct rte_rcu_qsbr *qsbr;   /* the loop's quiescent points */
	struct vqos_dp_ports *ports; /* dp: ro (atomic), ctl: wo (atomic swap) */
	bool stop;		     /* dp: ro, ctl: wo */
};

/* Publish @p port on @p dp (ctl thread). */
int vqos_dp_add_port(struct vqos_dp *dp, struct vqos_port *port);
/* Withdraw @p port from @p dp; returns once no lcore can touch it (ctl thread). */
void vqos_dp_del_port(struct vqos_dp *dp, struct vqos_port *port);
/* Wait until every lcore of @p dp passed a quiescent point (any non-dp thread). */
void vqos_dp_synchronize(struct vqos_dp *dp);
/* Free the packets of a burst, returning how many there were. */
unsigned int vqos_burst_free(struct vqos_burst *b);

#endif /* VQOS_DP_PRIV_H */
