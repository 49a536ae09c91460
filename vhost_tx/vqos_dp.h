/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vhost_tx: vqosd's data path.
 *
 * A port joins a container's vhost-user socket (vqosd is the vhost backend,
 * through librte_vhost) to the port's uplink, any DPDK ethdev given by devargs
 * (normally virtio_user to an OVS vhost-user port). Directions are named from
 * the container's side:
 *
 *      container                 vqosd                          uplink (OVS)
 *   tx vring  --dequeue-->  tx pending burst  --eth_tx_burst-->  ethdev txq
 *   rx vring  <--enqueue--  rx pending burst  <--eth_rx_burst--  ethdev rxq
 *
 * One data-path lcore polls every port it owns, both directions, in bursts.
 * Nothing is dropped silently: what the uplink does not take stays in the
 * port's tx pending burst and is retried, and the container's tx vring is not
 * read again until that burst is gone (the container sees backpressure in its
 * own vring); what the container's rx vring has no room for stays in the rx
 * pending burst and the uplink is not read until it is gone. Packets from the
 * uplink for a container that is not connected are dropped and counted.
 *
 * Containers come and go at any time. librte_vhost tells us on its own thread
 * (new_device / destroy_device); the port's vhost id is published to the data
 * path with an atomic store, and destroy_device waits, with librte_rcu's QSBR,
 * until every data-path lcore has passed a quiescent point, so it returns only
 * when no lcore can still touch the device. The data path never blocks, never
 * allocates memory other than mbufs, and shares no lock with control code.
 *
 * Counters are written by the one lcore that owns a port and read by anyone
 * with relaxed atomic loads.
 */
#ifndef VQOS_DP_H
#define VQOS_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

/** Packets per burst, in both directions. */
#define VQOS_DP_BURST 32

/** Counters of one direction of one port. dp: wo (owning lcore), ctl: ro. */
struct vqos_dp_dir_stats {
	uint64_t packets; /**< packets delivered (to the uplink for tx, to the container for rx) */
	uint64_t bytes;	  /**< bytes of those packets (L2 frame, no FCS) */
	uint64_t drops;	  /**< packets dropped by vqosd */
};

/** How a port is set up. */
struct vqos_port_params {
	const char *name;	  /**< unique port name */
	const char *socket;	  /**< container's vhost-user socket path */
	bool client;		  /**< vqosd connects to the socket (else listens on it) */
	const char *uplink;	  /**< uplink ethdev devargs */
	struct rte_mempool *pool; /**< mbufs for both directions */
	struct vqos_dp *dp;	  /**< the data path that will poll the port */
};

struct vqos_port;
struct vqos_dp;

/** A snapshot of a port, for the control plane. */
struct vqos_port_info {
	const char *name;	     /**< port name (owned by the port) */
	const char *socket;	     /**< container socket path (owned by the port) */
	bool client;		     /**< vqosd is the vhost-user client */
	const char *uplink;	     /**< uplink devargs (owned by the port) */
	bool connected;		     /**< a container is attached */
	bool uplink_up;		     /**< the uplink ethdev reports link up */
	struct vqos_dp_dir_stats tx; /**< container -> uplink */
	struct vqos_dp_dir_stats rx; /**< uplink -> container */
};

/**
 * Create the data path; @p lcore is the lcore that will run vqos_dp_run().
 * @return NULL on error (rte_errno set).
 */
struct vqos_dp *vqos_dp_create(unsigned int lcore);

/** Free a data path that is not running; NULL does nothing. */
void vqos_dp_free(struct vqos_dp *dp);

/**
 * The data-path lcore's main loop (an lcore_function_t taking the dp): polls
 * every port until vqos_dp_stop(), then releases every mbuf it holds.
 */
int vqos_dp_run(void *dp);

/** Ask the loop to end; returns at once. Safe from any thread. */
void vqos_dp_stop(struct vqos_dp *dp);

/**
 * Open a port: probe and start its uplink, register its vhost-user socket
 * and add it to @p params->dp. Call from the control thread.
 * @param err receives a message naming what failed
 * @return 0 or a negative errno
 */
int vqos_port_open(const struct vqos_port_params *params, struct vqos_port **out, char *err,
		   size_t errlen);

/**
 * Close a port: take it off the data path (waiting for a quiescent point),
 * unregister its socket (which is removed in server mode), free what it holds
 * and close its uplink. NULL does nothing.
 */
void vqos_port_close(struct vqos_port *port);

/** Fill @p info with the port's state and counters. */
void vqos_port_get_info(const struct vqos_port *port, struct vqos_port_info *info);

#endif /* VQOS_DP_H */
