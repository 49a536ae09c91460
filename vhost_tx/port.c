/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: the control side of the data path. Opening a port probes its uplink
 * ethdev from devargs, starts it, registers the container's vhost-user socket
 * with librte_vhost and publishes the port on its data path. librte_vhost
 * calls new_device/destroy_device on its own thread with only a vhost id; the
 * port is found by socket path in a registry that only control threads use
 * (its mutex is never taken by the data path).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_mempool.h>
#include <rte_vhost.h>

#include "dp_priv.h"

/* vqosd's messages about ports and uplinks, under their own DPDK log type
 * (--log-level vqosd.port:LEVEL); the daemon's own are "vqosd". */
RTE_LOG_REGISTER_IMPL(vqos_logtype_port, "vqosd.port", NOTICE);
#define PORT_LOG(level, fmt, ...)                                                                  \
	rte_log(RTE_LOG_##level, vqos_logtype_port, "vqosd: " fmt, ##__VA_ARGS__)

#define UPLINK_RING_SIZE VQOS_DP_UPLINK_RING
/* Per-lcore cache of an uplink's pool: mbufs there are free but not in the
 * pool's ring. It is what keeps the data path's mbufs warm: the ring is
 * FIFO, so with a cache no bigger than a burst (32 until results/datapath
 * measured it) every burst's mbufs went through the ring and the lcore
 * cycled through the whole pool (~11 MB a port), missing the cache on each;
 * with a cache of several bursts the same few hundred come back LIFO. A
 * cache holds up to 1.5x its size (DPDK's flush threshold): the pool has
 * that much more per lcore that touches it. */
#define POOL_CACHE	256
#define POOL_CACHE_HELD (POOL_CACHE * 3 / 2)

/* Every open port, for librte_vhost's callbacks. Control threads only. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vqos_port **registry;
static size_t registry_n;

static struct vqos_port *registry_find_vid(int vid)
{
	char path[PATH_MAX];
	size_t i;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) != 0)
		return NULL;
	for (i = 0; i < registry_n; i++)
		if (strcmp(registry[i]->socket, path) == 0)
			return registry[i];
	return NULL;
}

static int registry_add(struct vqos_port *port)
{
	struct vqos_port **r;

	pthread_mutex_lock(&registry_lock);
	r = realloc(registry, (registry_n + 1) * sizeof(*r));
	if (r != NULL) {
		registry = r;
		registry[registry_n++] = port;
	}
	pthread_mutex_unlock(&registry_lock);
	return r != NULL ? 0 : -ENOMEM;
}

static void registry_del(struct vqos_port *port)
{
	size_t i;

	pthread_mutex_lock(&registry_lock);
	for (i = 0; i < registry_n; i++)
		if (registry[i] == port) {
			registry[i] = registry[--registry_n];
			break;
		}
	if (registry_n == 0) {
		free(registry);
		registry = NULL;
	}
	pthread_mutex_unlock(&registry_lock);
}

/*
 * A port serves one container. A second connection on its socket (vhost-user
 * servers accept several) is refused: librte_vhost does not run a device
 * whose new_device failed, and never calls destroy_device for it, so the
 * container already there keeps its port, and its vid, untouched. Taking the
 * newcomer would hand the port to whoever connects, and the first one's
 * teardown would then skip the data path's synchronize.
 */
static int on_new_device(int vid)
{
	struct vqos_port *port;
	int cur = -1;

	pthread_mutex_lock(&registry_lock);
	port = registry_find_vid(vid);
	if (port != NULL) {
		cur = __atomic_load_n(&port->vid, __ATOMIC_RELAXED);
		if (cur < 0) {
			/* It kicks only when its lcore sleeps and asks it to
			 * (dp_sleep.c): a container that sends never pays a
			 * syscall per burst. Then the lcore is told of it. */
			rte_vhost_enable_guest_notification(vid, VQOS_VHOST_TXQ, 0);
			rte_vhost_enable_guest_notification(vid, VQOS_VHOST_RXQ, 0);
			/* pair 0 is ready when librte_vhost calls this; the others
			 * come and go as vring_state_changed says */
			__atomic_fetch_or(&port->vrings_on,
					  1u << VQOS_VHOST_TXQ | 1u << VQOS_VHOST_RXQ,
					  __ATOMIC_RELEASE);
			__atomic_store_n(&port->vid, vid, __ATOMIC_RELEASE);
			vqos_dp_ring(&port->dp->shard[port->shard]);
			PORT_LOG(NOTICE, "port %s: container connected (vid %d)\n", port->name,
				 vid);
		} else if (port->refused_vid != vid) {
			/* librte_vhost asks again after each message: say it once */
			port->refused_vid = vid;
			PORT_LOG(WARNING,
				 "port %s: a second container connected (vid %d) while vid %d is "
				 "served: refused\n",
				 port->name, vid, cur);
		}
	}
	pthread_mutex_unlock(&registry_lock);
	return port != NULL && cur < 0 ? 0 : -1;
}

static void on_destroy_device(int vid)
{
	struct vqos_port *port;

	pthread_mutex_lock(&registry_lock);
	port = registry_find_vid(vid);
	if (port != NULL && __atomic_load_n(&port->vid, __ATOMIC_RELAXED) == vid) {
		__atomic_store_n(&port->vid, -1, __ATOMIC_RELEASE);
		/* librte_vhost frees the device when we return: no lcore may still use it. */
		vqos_dp_synchronize(port->dp);
		__atomic_store_n(&port->vrings_on, 0, __ATOMIC_RELEASE);
		PORT_LOG(NOTICE, "port %s: container disconnected\n", port->name);
	}
	pthread_mutex_unlock(&registry_lock);
}

/*
 * A vring of a container was enabled or disabled: a container with several
 * queue pairs (VIRTIO_NET_F_MQ) enables those it uses. The data path serves
 * the enabled ones (of the first VQOS_VHOST_QP_MAX pairs): it reads the set
 * each pass. Only the device the port serves, or the one that is about to
 * be (before its new_device), may set it.
 */
static int on_vring_state_changed(int vid, uint16_t queue_id, int enable)
{
	struct vqos_port *port;

	pthread_mutex_lock(&registry_lock);
	port = registry_find_vid(vid);
	if (port != NULL) {
		int cur = __atomic_load_n(&port->vid, __ATOMIC_RELAXED);

		if (cur >= 0 && cur != vid) {
			/* the refused second connection: not ours */
		} else if (queue_id >= VQOS_VHOST_VRINGS) {
			if (enable)
				PORT_LOG(WARNING,
					 "port %s: the container enabled vring %u: only the first "
					 "%u queue pairs are served\n",
					 port->name, queue_id, VQOS_VHOST_QP_MAX);
		} else if (enable) {
			__atomic_fetch_or(&port->vrings_on, 1u << queue_id, __ATOMIC_RELEASE);
		} else {
			__atomic_fetch_and(&port->vrings_on, ~(1u << queue_id), __ATOMIC_RELEASE);
		}
		/* its lcore may sleep with the vrings it knew armed */
		vqos_dp_ring(&port->dp->shard[port->shard]);
	}
	pthread_mutex_unlock(&registry_lock);
	return 0;
}

static const struct rte_vhost_device_ops vhost_ops = {
	.new_device = on_new_device,
	.destroy_device = on_destroy_device,
	.vring_state_changed = on_vring_state_changed,
};

/* In server mode a socket file left by a dead vqosd would make bind() fail:
 * remove it, unless something still listens there. */
static int clear_stale_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, live;

	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "socket %s: exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	if (live) {
		snprintf(err, errlen, "socket %s: in use by another process", path);
		return -EADDRINUSE;
	}
	return unlink(path) == 0 ? 0 : -errno;
}

/* The value of @p key (",path=") in @p devargs, in @p out; false if none. */
static bool devargs_value(const char *devargs, const char *key, char *out, size_t outlen)
{
	const char *v = strstr(devargs, key);
	size_t n;

	if (v == NULL)
		return false;
	v += strlen(key);
	n = strcspn(v, ",");
	if (n == 0 || n >= outlen)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

/* The queue pairs @p devargs asks for (queues=N, 1 without), or 0 when N is
 * not a number from 1 to VQOS_UPLINK_QP_MAX. */
static unsigned int devargs_queues(const char *devargs)
{
	char v[16], *end;
	unsigned long n;

	if (strstr(devargs, ",queues=") == NULL)
		return 1;
	if (!devargs_value(devargs, ",queues=", v, sizeof(v)))
		return 0;
	n = strtoul(v, &end, 10);
	return *end == '\0' && n >= 1 && n <= VQOS_UPLINK_QP_MAX ? (unsigned int)n : 0;
}

/* An uplink that listens on a socket of its own, net_vhost (iface=) unless
 * client=1, net_virtio_user (path=) with server=1: a vqosd that died left
 * it behind, so clear a stale one as for container sockets. Other
 * drivers' files are theirs. */
static int clear_stale_uplink_socket(const char *devargs, char *err, size_t errlen)
{
	char path[PATH_MAX];
	const char *key;

	if (strncmp(devargs, "net_vhost", strlen("net_vhost")) == 0 &&
	    strstr(devargs, ",client=1") == NULL)
		key = ",iface=";
	else if (strncmp(devargs, "net_virtio_user", strlen("net_virtio_user")) == 0 &&
		 strstr(devargs, ",server=1") != NULL)
		key = ",path=";
	else
		return 0;
	if (!devargs_value(devargs, key, path, sizeof(path)))
		return 0;
	return clear_stale_socket(path, err, errlen);
}

/* Whether something listens on the socket @p devargs' path= names: a probe
 * of a virtio_user uplink that connects would fail (and log) without. */
static bool peer_listens(const char *devargs)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char path[sizeof(sun.sun_path)];
	bool ok;
	int fd;

	if (!devargs_value(devargs, ",path=", path, sizeof(path)) || access(path, F_OK) != 0)
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	memcpy(sun.sun_path, path, sizeof(path));
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

/* Open uplinks, shared by the ports that name the same devargs. Control
 * threads only, under registry_lock. */
static struct vqos_uplink **uplinks;
static size_t uplinks_n;
/* Pools closed so far (vqos_port_pools_closed), and names for new ones. */
static unsigned int pools_avail, pools_size, pools_made;

/* What one port of an uplink holds as its own, both directions (see
 * VQOS_DP_UPLINK_RING in vqos_dp.h): a dequeue in flight and what it holds
 * back each way, counted in packets (an mbuf each unless frames are
 * chained), and its rx reserve (admit.h). Its rx queues beyond that take
 * from the uplink's shared region. */
#define PORT_OWN_MBUFS (VQOS_DP_BURST + 2 * VQOS_DP_PEND_MAX + VQOS_DP_RX_RESERVE)

/* The shared region of an uplink of @p ports ports, mbufs. */
static unsigned int pool_shared(unsigned int ports)
{
	unsigned int n = ports * VQOS_DP_SHARED_PER_PORT;

	return n > VQOS_DP_SHARED_MIN ? n : VQOS_DP_SHARED_MIN;
}

/* Mbufs the AF_XDP PMD keeps on its socket's fill ring (DPDK 22.11: twice
 * its 2048-entry default ring, in the unaligned-chunk mode it uses): taken
 * from the uplink's pool for as long as the device is open, and not put back
 * when it closes (the socket, its UMEM and its rings go with it). */
#define AF_XDP_FILL_MBUFS 4096

/* Does @devargs name an AF_XDP uplink (DPDK's net_af_xdp on a kernel
 * interface)? */
static bool uplink_is_af_xdp(const char *devargs)
{
	return strncmp(devargs, "net_af_xdp", strlen("net_af_xdp")) == 0;
}

/* An mbuf pool whose objects lie back to back. The AF_XDP PMD registers the
 * pool it receives into as the socket's UMEM, from its first object for
 * (objects x object size) bytes, and hands the kernel mbufs by their offset
 * there; rte_pktmbuf_pool_create() keeps each object within a page, which
 * on 4 KiB pages (--no-huge) leaves gaps. With such a pool under --no-huge
 * the kernel refused most frames vqosd sent (tx_invalid_descs) and a steady
 * flow in stopped with the fill ring empty; with this one neither was seen
 * (results/afxdp). Objects may cross pages here, which only a device that
 * DMAs by physical address would mind. */
static struct rte_mempool *pool_create_packed(const char *name, unsigned int n)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE,
	};
	struct rte_mempool *mp;

	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE,
				      POOL_CACHE, sizeof(priv), (int)rte_socket_id(),
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL) != 0) {
		rte_mempool_free(mp);
		return NULL;
	}
	rte_pktmbuf_pool_init(mp, &priv);
	if (rte_mempool_populate_default(mp) < 0) {
		rte_mempool_free(mp);
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

/* A pool for uplink @p up of up->capacity ports and up->n_queues queue
 * pairs, its admission set for them: its rx rings and a burst received, its
 * tx rings (once, whoever fills them), what each port holds as its own, the
 * shared region, and the lcores' caches. */
static struct rte_mempool *pool_create(struct vqos_uplink *up, const struct vqos_dp *dp)
{
	unsigned int shared = pool_shared(up->capacity);
	unsigned int n = 2 * up->n_queues * UPLINK_RING_SIZE + VQOS_DP_BURST +
			 up->capacity * PORT_OWN_MBUFS + shared +
			 (vqos_dp_n_lcores(dp) + 1) * POOL_CACHE_HELD;
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;

	snprintf(name, sizeof(name), "vqos_up%u", pools_made++);
	if (uplink_is_af_xdp(up->devargs))
		mp = pool_create_packed(name, n + AF_XDP_FILL_MBUFS);
	else
		mp = rte_pktmbuf_pool_create(name, n, POOL_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     (int)rte_socket_id());
	if (mp == NULL)
		return NULL;
	up->admit = (struct vqos_admit){ .reserve = VQOS_DP_RX_RESERVE, .shared = shared };
	PORT_LOG(NOTICE,
		 "uplink '%s': %u mbufs (%zu KiB) for %u port(s), %u mbufs a port: each "
		 "port's own %u (rx reserve %u), shared %u\n",
		 up->devargs, mp->size,
		 (size_t)mp->size * (mp->header_size + mp->elt_size + mp->trailer_size) / 1024,
		 up->capacity, (mp->size + up->capacity - 1) / up->capacity, PORT_OWN_MBUFS,
		 VQOS_DP_RX_RESERVE, shared);
	return mp;
}

/* Free an uplink's pool once its mbufs are all back, each once; tally
 * them. A free count alone misses an mbuf freed twice (vqos_pool_distinct). */
static void pool_close(struct rte_mempool *mp, const char *devargs)
{
	unsigned int avail = rte_mempool_avail_count(mp), size = mp->size;
	unsigned int back = vqos_pool_distinct(mp);

	/* Its device is closed: what an AF_XDP PMD kept on its fill ring is no
	 * one's now, and no mbuf is freed twice if every free one is distinct. */
	if (uplink_is_af_xdp(devargs) && back == avail && size - avail <= AF_XDP_FILL_MBUFS) {
		if (avail != size)
			PORT_LOG(INFO,
				 "mbuf pool %s: %u mbufs kept by the AF_XDP driver at close\n",
				 mp->name, size - avail);
		back = size;
		avail = size;
	}
	pools_avail += back;
	pools_size += size;
	if (back != size || avail != size) {
		/* freeing it would hand memory still in use back to the heap */
		PORT_LOG(ERR,
			 "mbuf pool %s: %u mbufs free at close, %u distinct, of %u%s: not freed\n",
			 mp->name, avail, back, size, avail > back ? " (some freed twice)" : "");
		return;
	}
	rte_mempool_free(mp);
}

void vqos_port_pools_closed(unsigned int *avail, unsigned int *size)
{
	pthread_mutex_lock(&registry_lock);
	*avail = pools_avail;
	*size = pools_size;
	pthread_mutex_unlock(&registry_lock);
}

static struct vqos_uplink *uplink_find(const char *devargs)
{
	for (size_t i = 0; i < uplinks_n; i++)
		if (strcmp(uplinks[i]->devargs, devargs) == 0)
			return uplinks[i];
	return NULL;
}

/* A virtio_user uplink that connects to its peer (no server=1): when the
 * peer goes, DPDK's virtio_user never connects again. */
static bool uplink_reconnects(const struct vqos_uplink *up)
{
	return strncmp(up->devargs, "net_virtio_user", strlen("net_virtio_user")) != 0 ||
	       strstr(up->devargs, ",server=1") != NULL;
}

/*
 * An uplink's link changed (LSC event: net_vhost raises it from librte_vhost's
 * thread as its peer comes and goes, virtio_user from EAL's interrupt thread,
 * whose handler is also where a server=1 uplink takes its peer's next
 * connection). The link is read here, on that thread: reading it from
 * another, while the driver handles the change, races the driver. An
 * uplink that cannot come back by itself is marked lost, for the control
 * thread to reconnect (vqos_uplinks_tend()).
 */
static int on_link_change(uint16_t eth, enum rte_eth_event_type event, void *arg, void *ret)
{
	struct vqos_uplink *up = arg;
	struct rte_eth_link link;
	bool now_up =
		rte_eth_link_get_nowait(eth, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;

	if (!now_up && __atomic_load_n(&up->link_up, __ATOMIC_RELAXED) && !uplink_reconnects(up))
		__atomic_store_n(&up->lost, true, __ATOMIC_RELEASE);
	__atomic_store_n(&up->link_up, now_up, __ATOMIC_RELAXED);
	return 0;
}

int vqos_uplink_shard(const char *devargs)
{
	struct vqos_uplink *up;
	int shard;

	pthread_mutex_lock(&registry_lock);
	up = uplink_find(devargs);
	shard = up != NULL ? (int)up->shard : -1;
	pthread_mutex_unlock(&registry_lock);
	return shard;
}

/* Probe, configure and start @p up's ethdev from its devargs, on its pool;
 * sets up->eth. */
static int uplink_start(struct vqos_uplink *up, char *err, size_t errlen)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t n = strcspn(up->devargs, ",");
	int socket_id, ret;

	up->eth = RTE_MAX_ETHPORTS;
	if (n == 0 || n >= sizeof(name)) {
		snprintf(err, errlen, "uplink '%s': no device name before ','", up->devargs);
		return -EINVAL;
	}
	memcpy(name, up->devargs, n);
	name[n] = '\0';
	ret = clear_stale_uplink_socket(up->devargs, err, errlen);
	if (ret < 0)
		return ret;
	ret = rte_dev_probe(up->devargs);
	if (ret < 0) {
		/* Drivers return -1 as often as an errno: the EAL log has the reason. */
		snprintf(err, errlen,
			 "uplink '%s': cannot probe the device (error %d, see the log)",
			 up->devargs, ret);
		return ret;
	}
	ret = rte_eth_dev_get_port_by_name(name, &up->eth);
	if (ret < 0) {
		up->eth = RTE_MAX_ETHPORTS;
		snprintf(err, errlen, "uplink '%s': no ethdev named %s", up->devargs, name);
		return ret;
	}
	socket_id = rte_eth_dev_socket_id(up->eth);
	if (socket_id < 0)
		socket_id = (int)rte_socket_id();
	/* link changes by interrupt where the driver has them (on_link_change) */
	if (rte_eth_dev_info_get(up->eth, &info) == 0 && info.dev_flags != NULL &&
	    (*info.dev_flags & RTE_ETH_DEV_INTR_LSC))
		conf.intr_conf.lsc = 1;
	if (up->n_queues > 1 && rte_eth_dev_info_get(up->eth, &info) == 0 &&
	    (info.max_rx_queues < up->n_queues || info.max_tx_queues < up->n_queues)) {
		snprintf(err, errlen,
			 "uplink '%s': queues=%u, and the device has %u rx and %u tx queues",
			 up->devargs, up->n_queues, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	ret = rte_eth_dev_configure(up->eth, up->n_queues, up->n_queues, &conf);
	for (uint16_t q = 0; ret == 0 && q < up->n_queues; q++) {
		ret = rte_eth_rx_queue_setup(up->eth, q, UPLINK_RING_SIZE, socket_id, NULL,
					     up->pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(up->eth, q, UPLINK_RING_SIZE, socket_id, NULL);
	}
	if (ret == 0)
		ret = rte_eth_dev_start(up->eth);
	if (ret < 0) {
		snprintf(err, errlen, "uplink '%s': cannot start: %s", up->devargs, strerror(-ret));
		return ret;
	}
	return 0;
}

static void uplink_stop(uint16_t eth)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	if (rte_eth_dev_info_get(eth, &info) == 0)
		dev = info.device;
	rte_eth_dev_stop(eth);
	rte_eth_dev_close(eth);
	if (dev != NULL)
		rte_dev_remove(dev);
}

/* Hand @p up's started ethdev to the data path, its link as it is now. */
static void uplink_attach(struct vqos_uplink *up)
{
	__atomic_store_n(&up->lost, false, __ATOMIC_RELAXED);
	rte_eth_dev_callback_register(up->eth, RTE_ETH_EVENT_INTR_LSC, on_link_change, up);
	on_link_change(up->eth, RTE_ETH_EVENT_INTR_LSC, up, NULL);
	__atomic_store_n(&up->attached, true, __ATOMIC_RELEASE);
}

/* Take @p up's ethdev from the data path (which treats it as a link down
 * from then on: held, then dropped and counted), and close it. */
static void uplink_detach(struct vqos_uplink *up)
{
	__atomic_store_n(&up->attached, false, __ATOMIC_RELEASE);
	/* no data-path lcore is inside a burst on it from here on */
	vqos_dp_synchronize(up->dp);
	/* -EAGAIN while it runs: wait for it to end */
	while (rte_eth_dev_callback_unregister(up->eth, RTE_ETH_EVENT_INTR_LSC, on_link_change,
					       up) == -EAGAIN)
		rte_pause();
	uplink_stop(up->eth);
	up->eth = RTE_MAX_ETHPORTS;
}

/* A lost uplink is closed this long after the control thread saw it lost:
 * the driver finishes its own disconnect first (virtio_user does it in an
 * EAL alarm raised with the LSC event). */
#define UPLINK_SETTLE_NS (20 * 1000 * 1000ull)
/* A closed uplink is probed when its peer listens again, which is looked
 * at this often (a connect() to its socket: no probe, no log, until then). */
#define UPLINK_RETRY_NS (50 * 1000 * 1000ull)

static uint64_t tend_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int vqos_uplinks_tend(uint64_t now_ns)
{
	uint64_t next = UINT64_MAX;
	char err[512];

	pthread_mutex_lock(&registry_lock);
	for (size_t i = 0; i < uplinks_n; i++) {
		struct vqos_uplink *up = uplinks[i];

		if (__atomic_load_n(&up->attached, __ATOMIC_RELAXED)) {
			if (!__atomic_load_n(&up->lost, __ATOMIC_ACQUIRE))
				continue;
			if (up->lost_ns == 0)
				up->lost_ns = now_ns;
			if (now_ns - up->lost_ns < UPLINK_SETTLE_NS) {
				next = RTE_MIN(next, up->lost_ns + UPLINK_SETTLE_NS);
				continue;
			}
			PORT_LOG(WARNING,
				 "uplink '%s': its peer went away; closed, and probed again until "
				 "the peer is back (its ports' tx held, then dropped: link_down)\n",
				 up->devargs);
			uplink_detach(up);
			up->retry_ns = now_ns;
			up->said_ns = 0;
		}
		if (now_ns < up->retry_ns) {
			next = RTE_MIN(next, up->retry_ns);
			continue;
		}
		up->retry_ns = now_ns + UPLINK_RETRY_NS;
		next = RTE_MIN(next, up->retry_ns);
		if (!peer_listens(up->devargs))
			continue;
		if (uplink_start(up, err, sizeof(err)) == 0) {
			uint64_t took = tend_clock_ns() - now_ns;

			uplink_attach(up);
			PORT_LOG(NOTICE,
				 "uplink '%s': connected again, %.3f s after its peer went away "
				 "(the probe took %.3f s)\n",
				 up->devargs, (double)(now_ns - up->lost_ns) / 1e9,
				 (double)took / 1e9);
			up->lost_ns = 0;
			continue;
		}
		if (up->eth != RTE_MAX_ETHPORTS)
			uplink_stop(up->eth); /* probed, did not start */
		up->eth = RTE_MAX_ETHPORTS;
		/* a peer that listens and fails each probe: said once a second */
		if (now_ns - up->said_ns >= 1000000000ull) {
			PORT_LOG(WARNING, "%s; probed again while its peer listens\n", err);
			up->said_ns = now_ns;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	if (next == UINT64_MAX)
		return -1;
	return (int)RTE_MIN((next - RTE_MIN(next, now_ns) + 999999) / 1000000, (uint64_t)INT_MAX);
}

/* Join the port's uplink, opening it if no port uses it yet. */
static int uplink_open(struct vqos_port *port, char *err, size_t errlen)
{
	struct vqos_uplink *up, **r;
	int ret = 0;

	pthread_mutex_lock(&registry_lock);
	up = uplink_find(port->uplink);
	if (up != NULL) {
		/* shared: every port on it polled from one lcore, each known by MAC */
		if (up->shard != port->shard) {
			snprintf(err, errlen,
				 "uplink '%s': shared with a port on another data-path lcore",
				 port->uplink);
			ret = -EINVAL;
		} else if (!port->has_mac) {
			snprintf(err, errlen,
				 "uplink '%s': shared with another port: give each a mac",
				 port->uplink);
			ret = -EINVAL;
		} else if (up->refs >= up->capacity) {
			/* its pool holds the reserves of the ports it was opened for */
			snprintf(err, errlen,
				 "uplink '%s': its mbufs are sized for the %u port(s) that shared "
				 "it when it opened; add this port to the file with the others "
				 "and restart vqosd",
				 port->uplink, up->capacity);
			ret = -ENOSPC;
		} else {
			up->refs++;
			port->up = up;
			port->pool = up->pool;
		}
		goto out;
	}
	up = calloc(1, sizeof(*up));
	r = realloc(uplinks, (uplinks_n + 1) * sizeof(*r));
	if (r != NULL)
		uplinks = r;
	if (up == NULL || r == NULL || (up->devargs = strdup(port->uplink)) == NULL) {
		free(up);
		snprintf(err, errlen, "uplink '%s': out of memory", port->uplink);
		ret = -ENOMEM;
		goto out;
	}
	up->capacity = port->uplink_ports > 0 ? port->uplink_ports : 1;
	up->n_queues = (uint16_t)devargs_queues(port->uplink);
	if (up->n_queues == 0) {
		snprintf(err, errlen, "uplink '%s': queues= must be a number from 1 to %u",
			 port->uplink, VQOS_UPLINK_QP_MAX);
		free(up->devargs);
		free(up);
		ret = -EINVAL;
		goto out;
	}
	up->pool = pool_create(up, port->dp);
	if (up->pool == NULL) {
		snprintf(err, errlen, "uplink '%s': no memory for the mbufs of %u port(s): %s",
			 port->uplink, up->capacity, rte_strerror(rte_errno));
		free(up->devargs);
		free(up);
		ret = -ENOMEM;
		goto out;
	}
	port->pool = up->pool;
	up->dp = port->dp;
	ret = uplink_start(up, err, errlen);
	if (ret < 0) {
		if (up->eth != RTE_MAX_ETHPORTS)
			uplink_stop(up->eth);
		pool_close(up->pool, up->devargs);
		port->pool = NULL;
		free(up->devargs);
		free(up);
		goto out;
	}
	up->refs = 1;
	uplink_attach(up);
	up->shard = port->shard;
	uplinks[uplinks_n++] = up;
	port->up = up;
out:
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

/* Leave the port's uplink, closing it when the last port leaves. */
static void uplink_close(struct vqos_port *port)
{
	struct vqos_uplink *up = port->up;

	if (up == NULL)
		return;
	pthread_mutex_lock(&registry_lock);
	if (--up->refs == 0) {
		if (__atomic_load_n(&up->attached, __ATOMIC_RELAXED))
			uplink_detach(up); /* its ports are out of the data path already */
		pool_close(up->pool, up->devargs);
		for (size_t i = 0; i < uplinks_n; i++)
			if (uplinks[i] == up) {
				uplinks[i] = uplinks[--uplinks_n];
				break;
			}
		if (uplinks_n == 0) {
			free(uplinks);
			uplinks = NULL;
		}
		free(up->devargs);
		free(up);
	}
	pthread_mutex_unlock(&registry_lock);
	port->up = NULL;
}

/*
 * Offloads vqosd does not carry, so never offered to a container (as OVS
 * does without userspace TSO): a frame it takes from a container goes to
 * an uplink configured with no offload, and a container that negotiated
 * checksum or segmentation offload would hand over frames with a partial
 * checksum, or 64 KB segments, that nobody completes. Frames to a container
 * come from an uplink that computed everything, so its GUEST_ offloads
 * would never be used either.
 */
#define VQOS_VHOST_OFFLOADS                                                                        \
	((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_HOST_TSO4) |                          \
	 (1ULL << VIRTIO_NET_F_HOST_TSO6) | (1ULL << VIRTIO_NET_F_HOST_ECN) |                      \
	 (1ULL << VIRTIO_NET_F_HOST_UFO) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |                     \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |                   \
	 (1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO))

static int vhost_open(struct vqos_port *port, char *err, size_t errlen)
{
	uint64_t flags = port->client ? RTE_VHOST_USER_CLIENT : 0;
	int ret;

	if (!port->client) {
		ret = clear_stale_socket(port->socket, err, errlen);
		if (ret < 0)
			return ret;
	}
	if (rte_vhost_driver_register(port->socket, flags) != 0) {
		snprintf(err, errlen, "socket %s: cannot register with librte_vhost", port->socket);
		return -EINVAL;
	}
	if (rte_vhost_driver_disable_features(port->socket, VQOS_VHOST_OFFLOADS) != 0 ||
	    rte_vhost_driver_callback_register(port->socket, &vhost_ops) != 0 ||
	    rte_vhost_driver_start(port->socket) != 0) {
		rte_vhost_driver_unregister(port->socket);
		snprintf(err, errlen, "socket %s: cannot start the vhost-user %s", port->socket,
			 port->client ? "client" : "server");
		return -EINVAL;
	}
	return 0;
}

static void port_free(struct vqos_port *port)
{
	free(port->name);
	free(port->socket);
	free(port->uplink);
	rte_free(port);
}

int vqos_port_open(const struct vqos_port_params *params, struct vqos_port **out, char *err,
		   size_t errlen)
{
	struct vqos_port *port;
	int ret;

	*out = NULL;
	if (params->shard >= vqos_dp_n_lcores(params->dp)) {
		snprintf(err, errlen, "port %s: no data-path lcore %u", params->name,
			 params->shard);
		return -EINVAL;
	}
	port = rte_zmalloc("vqos_port", sizeof(*port), RTE_CACHE_LINE_SIZE);
	if (port == NULL) {
		snprintf(err, errlen, "port %s: out of memory", params->name);
		return -ENOMEM;
	}
	port->name = strdup(params->name);
	port->socket = strdup(params->socket);
	port->uplink = strdup(params->uplink);
	port->client = params->client;
	port->uplink_ports = params->uplink_ports;
	port->dp = params->dp;
	port->shard = params->shard;
	port->vid = -1;
	port->refused_vid = -1;
	vqos_port_dp_reset(port);
	if (params->mac != NULL) {
		struct rte_ether_addr ea;

		if (rte_ether_unformat_addr(params->mac, &ea) != 0) {
			port_free(port);
			snprintf(err, errlen, "port %s: mac '%s' is not a MAC address",
				 params->name, params->mac);
			return -EINVAL;
		}
		port->mac = vqos_dp_mac_key(ea.addr_bytes);
		port->has_mac = true;
	}
	if (port->name == NULL || port->socket == NULL || port->uplink == NULL) {
		port_free(port);
		snprintf(err, errlen, "port %s: out of memory", params->name);
		return -ENOMEM;
	}
	ret = uplink_open(port, err, errlen);
	if (ret < 0)
		goto fail_uplink;
	ret = registry_add(port);
	if (ret < 0)
		goto fail_uplink;
	ret = vhost_open(port, err, errlen);
	if (ret < 0)
		goto fail_registry;
	*out = port;
	return 0;

fail_registry:
	registry_del(port);
fail_uplink:
	uplink_close(port);
	port_free(port);
	return ret;
}

void vqos_port_close(struct vqos_port *port)
{
	if (port == NULL)
		return;
	/* Disconnects the container (destroy_device runs) and, as a server,
	 * removes the socket file. */
	rte_vhost_driver_unregister(port->socket);
	registry_del(port);
	vqos_burst_free(&port->tx_pend);
	vqos_burst_free(&port->rx_pend);
	uplink_close(port);
	port_free(port);
}

unsigned int vqos_port_shard(const struct vqos_port *port)
{
	return port->shard;
}

void vqos_port_get_info(const struct vqos_port *port, struct vqos_port_info *info)
{

	info->name = port->name;
	info->socket = port->socket;
	info->client = port->client;
	info->uplink = port->uplink;
	info->shard = port->shard;
	info->connected = __atomic_load_n(&port->vid, __ATOMIC_ACQUIRE) >= 0;
	info->uplink_up = port->up != NULL && __atomic_load_n(&port->up->link_up, __ATOMIC_RELAXED);
	info->uplink_queues = port->up != NULL ? port->up->n_queues : 0;
	info->queues = 0;
	if (info->connected) {
		uint32_t on = __atomic_load_n(&port->vrings_on, __ATOMIC_ACQUIRE);

		for (unsigned int q = 0; q < VQOS_VHOST_QP_MAX; q++)
			info->queues += (on >> (2 * q) & 3) != 0;
	}
	/* whole values of each counter, by the table (the data path writes them) */
	for (int d = 0; d < VQOS_DIR_N; d++)
		for (const struct vqos_dp_stat *t = vqos_dp_dir_stats_names; t->name != NULL; t++)
			*(uint64_t *)((char *)&info->dir[d] + t->offset) = __atomic_load_n(
				(const uint64_t *)((const char *)&port->stats[d] + t->offset),
				__ATOMIC_RELAXED);
}
