/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-gen's ethdevs: find them, set each up for its frame sizes, wait for
 * their links, and take them down cleanly.
 *
 * Any vdev must work, so every feature is asked only where dev_info offers it:
 * the MTU is raised to 9000 (or the port's maximum) so that a sink receives
 * the jumbo frames of a peer whatever its own --size, and rx scatter is turned
 * on where offered so that receive buffers stay as small as 2 KiB or --size;
 * without scatter they are made big enough for the largest frame instead.
 *
 * Two pools a port: the tx pool holds only frames that we build (data room >=
 * the largest --size, zeroed once, see gen_pkt.c); the rx pool holds what the
 * port receives.
 *
 * Tear-down order matters for the vhost peer: stop, then close (virtio_user
 * closes its vhost-user socket, net_vhost unregisters its driver), so that the
 * peer sees a clean disconnect; the pools are freed after the port let go of
 * its mbufs.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mempool.h>

#include "gen.h"

#define NB_RXD	     1024
#define NB_TXD	     1024
#define POOL_CACHE   256
#define MTU_WANTED   9000
#define RX_DATA_ROOM 2048

/* The ethdev of --vdev @p vdev (its name is the part before the first comma). */
static int vdev_port(const char *vdev, uint16_t *port_id)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	size_t n = strcspn(vdev, ",");

	if (n >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, vdev, n);
	name[n] = '\0';
	return rte_eth_dev_get_port_by_name(name, port_id);
}

/*
 * Probe again, until the deadline, every --vdev that made no ethdev: a
 * virtio_user whose vhost-user server is not listening yet fails its probe.
 * Quietly: each try logs. A vdev that is there but is no ethdev (-EEXIST)
 * stops being tried. @return the name of one still missing, or NULL
 */
static const char *probe_missing(const char *const *vdevs, int nb_vdevs, uint64_t deadline_tsc,
				 volatile int *stop)
{
	uint32_t log_level = (uint32_t)rte_log_get_global_level();
	bool gave_up[RTE_MAX_ETHPORTS] = { false };
	const char *missing = NULL;
	bool said = false;
	uint16_t id;
	int i;

	for (;;) {
		missing = NULL;
		for (i = 0; i < nb_vdevs && i < RTE_MAX_ETHPORTS; i++)
			if (!gave_up[i] && vdev_port(vdevs[i], &id) != 0)
				missing = vdevs[i];
		if (missing == NULL || rte_rdtsc() >= deadline_tsc || *stop)
			break;
		if (!said)
			fprintf(stderr,
				"vqos-gen: no ethdev yet for %s; probing it again until "
				"link wait ends\n",
				missing);
		said = true;
		rte_log_set_global_level(RTE_LOG_EMERG);
		usleep(100 * 1000);
		for (i = 0; i < nb_vdevs && i < RTE_MAX_ETHPORTS; i++)
			if (!gave_up[i] && vdev_port(vdevs[i], &id) != 0 &&
			    rte_dev_probe(vdevs[i]) == -EEXIST)
				gave_up[i] = true;
	}
	rte_log_set_global_level(log_level);
	return missing;
}

int vqos_gen_port_find(struct vqos_gen_port *p, const char *const *vdevs, int nb_vdevs,
		       uint64_t deadline_tsc, volatile int *stop)
{
	uint16_t ids[RTE_MAX_ETHPORTS], id;
	bool server[RTE_MAX_ETHPORTS] = { false };
	const char *missing;
	int i, n = 0, k;

	missing = probe_missing(vdevs, nb_vdevs, deadline_tsc, stop);
	if (missing != NULL) {
		fprintf(stderr,
			"vqos-gen: %s: not probed within --wait-link (no vhost-user server?)\n",
			missing);
		return -ENODEV;
	}
	/* Ethdev I is the I-th --vdev, so that --port I means what the command line says. */
	for (i = 0; i < nb_vdevs && n < RTE_MAX_ETHPORTS; i++)
		if (vdev_port(vdevs[i], &id) == 0) {
			server[n] = strncmp(vdevs[i], "net_virtio_user", 15) == 0 &&
				    strstr(vdevs[i], ",server=1") != NULL;
			ids[n++] = id;
		}
	RTE_ETH_FOREACH_DEV (id) {
		for (k = 0; k < n && ids[k] != id; k++)
			;
		if (k == n && n < RTE_MAX_ETHPORTS)
			ids[n++] = id;
	}
	if (n == 0) {
		fprintf(stderr, "vqos-gen: the EAL arguments created no ethdev (e.g. --vdev "
				"net_virtio_user0,path=SOCK)\n");
		return -ENODEV;
	}
	for (i = 0; i < n; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].port_id = ids[i];
		p[i].server = server[i];
		if (rte_eth_dev_get_name_by_port(ids[i], p[i].name) != 0)
			snprintf(p[i].name, sizeof(p[i].name), "port%u", ids[i]);
		if (rte_eth_macaddr_get(ids[i], &p[i].mac) != 0)
			memset(&p[i].mac, 0, sizeof(p[i].mac));
	}
	return n;
}

/* The MTU to ask for: MTU_WANTED where the port allows it, else its most. */
static uint16_t pick_mtu(const struct rte_eth_dev_info *di)
{
	uint32_t overhead = RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
	uint32_t mtu = MTU_WANTED;

	/* Same overhead rule as ethdev's own MTU checks. */
	if (di->max_mtu != UINT16_MAX && di->max_rx_pktlen > di->max_mtu)
		overhead = di->max_rx_pktlen - di->max_mtu;
	mtu = RTE_MIN(mtu, (uint32_t)di->max_mtu);
	if (di->max_rx_pktlen < mtu + overhead)
		mtu = di->max_rx_pktlen > overhead ? di->max_rx_pktlen - overhead : 0;
	if (mtu < di->min_mtu || mtu < RTE_ETHER_MIN_MTU)
		return 0; /* let the port keep its default */
	return (uint16_t)mtu;
}

static struct rte_mempool *make_pool(const char *what, uint16_t port_id, uint32_t n,
				     uint32_t data_room, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;

	snprintf(name, sizeof(name), "%s%u", what, port_id);
	mp = rte_pktmbuf_pool_create(name, n, POOL_CACHE, 0,
				     (uint16_t)(data_room + RTE_PKTMBUF_HEADROOM), socket);
	if (mp == NULL)
		fprintf(stderr, "vqos-gen: cannot make mbuf pool %s (%u x %u bytes): %s\n", name, n,
			data_room, rte_strerror(rte_errno));
	return mp;
}

int vqos_gen_port_setup(struct vqos_gen_port *p, uint32_t size)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info di;
	uint16_t nb_rxd = NB_RXD, nb_txd = NB_TXD;
	uint32_t rx_room;
	int socket, rc;

	rc = rte_eth_dev_info_get(p->port_id, &di);
	if (rc != 0) {
		fprintf(stderr, "vqos-gen: %s: dev_info: %s\n", p->name, strerror(-rc));
		return rc;
	}
	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = pick_mtu(&di);
	/* A virtio_user port in server mode (server=1) takes its peer's next
	 * connection, after a vqosd restart, only from its link-change interrupt
	 * handler (or a read of its link, which must not race that handler from
	 * another thread). Other ports keep polled links: a virtio_user client
	 * with the interrupt on lost a vring's worth as it connected. */
	if (p->server && di.dev_flags != NULL && (*di.dev_flags & RTE_ETH_DEV_INTR_LSC))
		conf.intr_conf.lsc = 1;
	if (di.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		p->rx_scatter = true;
	}
	if (p->queues == 0)
		p->queues = 1;
	rc = rte_eth_dev_configure(p->port_id, p->queues, p->queues, &conf);
	if (rc != 0 && conf.rxmode.mtu != 0) {
		/* Some PMDs refuse an MTU that dev_info allows: keep the default. */
		conf.rxmode.mtu = 0;
		rc = rte_eth_dev_configure(p->port_id, p->queues, p->queues, &conf);
	}
	if (rc != 0) {
		fprintf(stderr, "vqos-gen: %s: configure: %s\n", p->name, strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_get_mtu(p->port_id, &p->mtu) != 0)
		p->mtu = RTE_ETHER_MTU;
	if (size > (uint32_t)p->mtu + RTE_ETHER_HDR_LEN)
		fprintf(stderr, "vqos-gen: %s: warning: --size %u is above the port's MTU %u\n",
			p->name, size, p->mtu);
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		fprintf(stderr, "vqos-gen: %s: descriptors: %s\n", p->name, strerror(-rc));
		return rc;
	}

	/*
	 * A peer likely sends frames of our size back: one buffer each keeps a
	 * virtio rx ring (one descriptor per buffer) from filling five times as
	 * fast with jumbo frames. Without scatter one buffer must hold the largest
	 * frame the MTU lets in.
	 */
	rx_room = RTE_MAX((uint32_t)RX_DATA_ROOM, size);
	if (!p->rx_scatter)
		rx_room = RTE_MAX(rx_room, (uint32_t)p->mtu + RTE_ETHER_HDR_LEN +
						   RTE_ETHER_CRC_LEN + 2 * RTE_VLAN_HLEN);
	rx_room = RTE_MAX(rx_room, di.min_rx_bufsize);
	/* Rings + bursts in flight (up to 5 segments a jumbo frame) + cache. */
	p->rx_pool = make_pool("gen_rx", p->port_id,
			       2u * nb_rxd * p->queues + 8u * VQOS_GEN_BURST * 5 + 2 * POOL_CACHE,
			       rx_room, socket);
	/* Rings + the burst we hold + cache. */
	p->tx_pool = make_pool("gen_tx", p->port_id,
			       2u * nb_txd * p->queues + 4u * VQOS_GEN_BURST + 2 * POOL_CACHE,
			       RTE_MAX(size, (uint32_t)RX_DATA_ROOM), socket);
	if (p->rx_pool == NULL || p->tx_pool == NULL)
		return -ENOMEM;
	rte_mempool_obj_iter(p->tx_pool, vqos_gen_mbuf_zero, NULL);

	for (uint16_t q = 0; rc == 0 && q < p->queues; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, (unsigned int)socket, NULL,
					    p->rx_pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd, (unsigned int)socket,
						    NULL);
	}
	if (rc != 0) {
		fprintf(stderr, "vqos-gen: %s: queue setup: %s\n", p->name, strerror(-rc));
		return rc;
	}
	/* Frames addressed to other MACs must be counted too; not every PMD can. */
	(void)rte_eth_promiscuous_enable(p->port_id);
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0) {
		fprintf(stderr, "vqos-gen: %s: start: %s\n", p->name, strerror(-rc));
		return rc;
	}
	p->started = true;
	return 0;
}

int vqos_gen_port_wait_link(const struct vqos_gen_port *p, uint64_t deadline_tsc,
			    volatile int *stop)
{
	struct rte_eth_link link;

	for (;;) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(p->port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
		if (*stop)
			return -EINTR;
		if (rte_rdtsc() >= deadline_tsc)
			return -ETIMEDOUT;
		/* Short: a vhost peer may start sending as soon as its link is up. */
		usleep(1000);
	}
}

void vqos_gen_port_close(struct vqos_gen_port *p)
{
	if (p->started) {
		(void)rte_eth_dev_stop(p->port_id);
		p->started = false;
	}
	if (rte_eth_dev_is_valid_port(p->port_id))
		(void)rte_eth_dev_close(p->port_id);
	rte_mempool_free(p->tx_pool);
	rte_mempool_free(p->rx_pool);
	p->tx_pool = NULL;
	p->rx_pool = NULL;
}
