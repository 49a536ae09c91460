/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosd: reads the configuration, starts EAL, opens the ports on one
 * data-path lcore, serves the control socket on the main lcore, and on
 * SIGINT/SIGTERM stops the data path, closes every port (their sockets are
 * removed) and checks that every mbuf came back to its pool.
 *
 *   main lcore:  control socket (vqosctl) <-> ctl/ <-> this file
 *   worker lcore: vhost_tx/'s poll loop over all ports
 *   vhost thread (librte_vhost's): container connects and disconnects
 *
 * This is the only file that knows every module.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "conf/vqos_conf.h"
#include "ctl/vqos_ctl.h"
#include "policy/vqos_policy.h"
#include "vhost_tx/vqos_dp.h"

/* mbufs per port: both uplink rings, both vrings' worth, the pending bursts. */
#define MBUFS_PER_PORT 2048
#define MBUF_CACHE     256

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct vqosd {
	struct vqos_conf *conf;
	struct rte_mempool *pool;
	struct vqos_dp *dp;
	unsigned int dp_lcore;
	struct vqos_port **ports;
	size_t n_ports;
	struct vqos_ctl_server *ctl;
	/* Per direction: the class tree the data path runs. */
	struct vqos_policy *pol[VQOS_DIR_N];
};

/* Both directions' class trees from the configuration, validated before
 * anything starts: a bad tree stops vqosd with the class and line at fault. */
static int build_policies(struct vqosd *d)
{
	char err[1024];
	int ret;

	for (int dir = 0; dir < VQOS_DIR_N; dir++) {
		ret = vqos_policy_build(d->conf, (enum vqos_policy_dir)dir, &d->pol[dir], err,
					sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "vqosd: %s\n", ret == -ENOMEM ? "out of memory" : err);
			return ret;
		}
	}
	return 0;
}

/* Give the data path the ports and the policies' trees. */
static int publish(struct vqosd *d, char *err, size_t errlen)
{
	struct vqos_dp_tree tree[VQOS_DIR_N];

	for (int dir = 0; dir < VQOS_DIR_N; dir++)
		tree[dir] = (struct vqos_dp_tree){
			.ops = vqos_policy_ops(d->pol[dir]),
			.params = vqos_policy_params(d->pol[dir]),
			.leaf_of_port = vqos_policy_leaf_of_port(d->pol[dir]),
		};
	return vqos_dp_publish(d->dp, d->ports, (unsigned int)d->n_ports, tree, err, errlen);
}

static void ctl_dir(const struct vqosd *d, const struct vqos_port_info *info, size_t port,
		    enum vqos_dir dir, struct vqos_ctl_dir *out)
{
	const struct vqos_dp_dir_stats *s = &info->dir[dir];
	struct vqos_sched_class_stats cs = { 0 };

	vqos_dp_class_stats(d->dp, dir, vqos_policy_port_leaf(d->pol[(int)dir], (uint32_t)port),
			    &cs);
	*out = (struct vqos_ctl_dir){
		.offered = s->offered,
		.packets = s->packets,
		.bytes = s->bytes,
		.drops = s->drops,
		.shaped = cs.overlimits,
		/* tx waits in the container's vring, rx in vqosd's class queue */
		.backlog = dir == VQOS_DIR_TX ? s->backlog : cs.backlog_pkts,
		.uplink_full = s->uplink_full,
		.vring_full = s->vring_full,
	};
}

static void ctl_port_foreach(void *aux, void (*cb)(void *arg, const struct vqos_ctl_port *port),
			     void *arg)
{
	const struct vqosd *d = aux;
	struct vqos_port_info info;
	struct vqos_ctl_port row;
	size_t i;

	for (i = 0; i < d->n_ports; i++) {
		vqos_port_get_info(d->ports[i], &info);
		row = (struct vqos_ctl_port){
			.name = info.name,
			.socket = info.socket,
			.client = info.client,
			.uplink = info.uplink,
			.connected = info.connected,
			.uplink_up = info.uplink_up,
		};
		ctl_dir(d, &info, i, VQOS_DIR_TX, &row.tx);
		ctl_dir(d, &info, i, VQOS_DIR_RX, &row.rx);
		cb(arg, &row);
	}
}

static int cmp_id(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Index of each class's parent (UINT32_MAX for the root), from the ids. */
static uint32_t *parent_indices(const struct vqos_sched_params *p)
{
	uint32_t n = p->n_classes, *by_id = malloc(2 * n * sizeof(uint32_t)),
		 *parent = malloc(n * sizeof(uint32_t));

	if (by_id == NULL || parent == NULL) {
		free(by_id);
		free(parent);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		by_id[2 * i] = p->classes[i].id;
		by_id[2 * i + 1] = i;
	}
	qsort(by_id, n, 2 * sizeof(uint32_t), cmp_id);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t key[2] = { p->classes[i].parent, 0 };
		const uint32_t *hit =
			p->classes[i].parent == VQOS_SCHED_NO_PARENT
				? NULL
				: bsearch(key, by_id, n, 2 * sizeof(uint32_t), cmp_id);

		parent[i] = hit != NULL ? hit[1] : UINT32_MAX;
	}
	free(by_id);
	return parent;
}

/* A tree's shape: each class's parent and children (children of i are
 * child[start[i] .. start[i + 1])). */
struct tree_view {
	uint32_t *parent, *start, *child;
};

static int tree_view(const struct vqos_sched_params *p, struct tree_view *t)
{
	uint32_t n = p->n_classes;

	t->parent = parent_indices(p);
	t->start = calloc(n + 2, sizeof(uint32_t));
	t->child = malloc(n * sizeof(uint32_t));
	if (t->parent == NULL || t->start == NULL || t->child == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		if (t->parent[i] != UINT32_MAX)
			t->start[t->parent[i] + 2]++;
	for (uint32_t i = 2; i < n + 2; i++)
		t->start[i] += t->start[i - 1];
	/* start[i + 1] is the fill point of i's children, then their end */
	for (uint32_t i = 0; i < n; i++)
		if (t->parent[i] != UINT32_MAX)
			t->child[t->start[t->parent[i] + 1]++] = i;
	return 0;
}

static void tree_view_free(struct tree_view *t)
{
	free(t->parent);
	free(t->start);
	free(t->child);
}

/* Class @p i and, depth first, its descendants. */
static void class_walk(const struct vqosd *d, int dir, const struct tree_view *t, uint32_t i,
		       unsigned int depth, void (*cb)(void *arg, const struct vqos_ctl_class *cls),
		       void *arg)
{
	const struct vqos_sched_params *p = vqos_policy_params(d->pol[dir]);
	const struct vqos_sched_class_params *c = &p->classes[i];
	struct vqos_sched_class_stats st = { 0 };
	bool leaf = t->start[i] == t->start[i + 1];
	struct vqos_ctl_class row;

	vqos_dp_class_stats(d->dp, (enum vqos_dir)dir, i, &st);
	row = (struct vqos_ctl_class){
		.kind = vqos_policy_ops(d->pol[dir])->name,
		.name = c->name,
		.parent = t->parent[i] != UINT32_MAX ? p->classes[t->parent[i]].name : NULL,
		.port = leaf && c->port < d->n_ports ? d->conf->ports[c->port].name : NULL,
		.depth = depth,
		.rate_bps = c->rate_bps,
		.ceil_bps = c->ceil_bps ? c->ceil_bps : c->rate_bps,
		.rate_pps = c->rate_pps,
		.ceil_pps = c->ceil_pps ? c->ceil_pps : c->rate_pps,
		.burst = c->burst,
		.cburst = c->cburst,
		.prio = c->prio,
		.quantum = c->quantum,
		.bytes = st.bytes,
		.packets = st.packets,
		.drops = st.drops,
		.overlimits = st.overlimits,
		.lends = st.lends,
		.borrows = st.borrows,
		.backlog_pkts = st.backlog_pkts,
		.backlog_bytes = st.backlog_bytes,
		.tokens = st.tokens,
		.ctokens = st.ctokens,
	};
	cb(arg, &row);
	/* depth is at most 8: recursion is bounded */
	for (uint32_t k = t->start[i]; k < t->start[i + 1]; k++)
		class_walk(d, dir, t, t->child[k], depth + 1, cb, arg);
}

static void ctl_class_foreach(void *aux, int dir,
			      void (*cb)(void *arg, const struct vqos_ctl_class *cls), void *arg)
{
	const struct vqosd *d = aux;
	const struct vqos_sched_params *p = vqos_policy_params(d->pol[dir]);
	struct tree_view t;

	if (tree_view(p, &t) == 0)
		for (uint32_t i = 0; i < p->n_classes; i++)
			if (t.parent[i] == UINT32_MAX)
				class_walk(d, dir, &t, i, 0, cb, arg);
	tree_view_free(&t);
}

static void ctl_lcore_foreach(void *aux, void (*cb)(void *arg, const struct vqos_ctl_lcore *lcore),
			      void *arg)
{
	const struct vqosd *d = aux;
	struct vqos_dp_lcore_stats ls;
	struct vqos_ctl_lcore row;

	vqos_dp_lcore_stats(d->dp, &ls);
	row = (struct vqos_ctl_lcore){
		.lcore = d->dp_lcore,
		.n_ports = (unsigned int)d->n_ports,
		.busy_cycles = ls.busy_cycles,
		.idle_cycles = ls.idle_cycles,
		.packets = ls.packets,
		.hz = rte_get_tsc_hz(),
	};
	cb(arg, &row);
}

/* mkdir -p of the directory that will hold the socket @p path. */
static void make_socket_dir(const char *path)
{
	char dir[VQOS_CONF_PATH_MAX];
	char *s;

	snprintf(dir, sizeof(dir), "%s", path);
	s = strrchr(dir, '/');
	if (s == NULL || s == dir)
		return;
	*s = '\0';
	for (s = dir + 1; *s != '\0'; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(dir, 0755);
			*s = '/';
		}
	mkdir(dir, 0755);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vqosd [-c FILE] [--print-default]\n"
		   "  -c, --config FILE   configuration (default: the embedded one, no hugepages)\n"
		   "  --print-default     print the embedded configuration and exit\n");
}

static int load_conf(int argc, char **argv, struct vqos_conf **conf)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "print-default", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	char err[1024];
	int c, ret;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'D':
			fputs(vqos_conf_default_text(), stdout);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vqosd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (path != NULL)
		ret = vqos_conf_load_file(path, conf, err, sizeof(err));
	else
		ret = vqos_conf_load_string(vqos_conf_default_text(), "<embedded default>", conf,
					    err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "vqosd: %s\n", err);
	return ret;
}

static int eal_start(const struct vqos_conf *conf, const char *argv0)
{
	char *eal_argv[VQOS_CONF_EAL_MAX + 1];
	int i;

	eal_argv[0] = (char *)argv0;
	for (i = 0; i < conf->eal_argc; i++)
		eal_argv[i + 1] = conf->eal_argv[i];
	if (rte_eal_init(conf->eal_argc + 1, eal_argv) < 0) {
		fprintf(stderr, "vqosd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int start(struct vqosd *d)
{
	const struct vqos_ctl_ops ops = { .port_foreach = ctl_port_foreach,
					  .lcore_foreach = ctl_lcore_foreach,
					  .class_foreach = ctl_class_foreach,
					  .aux = d };
	unsigned int n_mbufs = (unsigned int)d->conf->n_ports * MBUFS_PER_PORT + 1023;
	char err[1024];
	size_t i;
	int ret;

	d->dp_lcore = rte_get_next_lcore(-1, 1, 0);
	if (d->dp_lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "vqosd: no worker lcore for the data path: give EAL two lcores "
				"(e.g. --lcores 0@0,1@1)\n");
		return -EINVAL;
	}
	d->pool = rte_pktmbuf_pool_create("vqos_mbuf", n_mbufs, MBUF_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	d->dp = vqos_dp_create(d->dp_lcore);
	d->ports = calloc(d->conf->n_ports, sizeof(d->ports[0]));
	if (d->pool == NULL || d->dp == NULL || d->ports == NULL) {
		fprintf(stderr, "vqosd: out of memory for %u mbufs: %s\n", n_mbufs,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < d->conf->n_ports; i++) {
		const struct vqos_conf_port *cp = &d->conf->ports[i];
		const struct vqos_port_params pp = {
			.name = cp->name,
			.socket = cp->socket,
			.client = cp->client,
			.uplink = cp->uplink,
			.pool = d->pool,
			.dp = d->dp,
		};

		if (!cp->client)
			make_socket_dir(cp->socket);
		ret = vqos_port_open(&pp, &d->ports[i], err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "vqosd: port %s: %s\n", cp->name, err);
			return ret;
		}
		d->n_ports++;
	}
	ret = publish(d, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "vqosd: %s\n", err);
		return ret;
	}
	make_socket_dir(d->conf->ctl_socket);
	ret = vqos_ctl_server_create(d->conf->ctl_socket, &ops, &d->ctl, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "vqosd: %s\n", err);
		return ret;
	}
	ret = rte_eal_remote_launch(vqos_dp_run, d->dp, d->dp_lcore);
	if (ret < 0) {
		fprintf(stderr, "vqosd: cannot launch the data path on lcore %u\n", d->dp_lcore);
		return ret;
	}
	return 0;
}

/* Undo start(), whatever it got to. @return 0, or 3 when mbufs are missing. */
static int stop(struct vqosd *d)
{
	unsigned int avail, size;
	int leaked = 0;
	size_t i;

	if (d->dp != NULL) {
		vqos_dp_stop(d->dp);
		rte_eal_wait_lcore(d->dp_lcore);
	}
	vqos_ctl_server_free(d->ctl);
	for (i = d->n_ports; i-- > 0;)
		vqos_port_close(d->ports[i]);
	free(d->ports);
	vqos_dp_free(d->dp);
	for (int dir = 0; dir < VQOS_DIR_N; dir++) {
		vqos_policy_free(d->pol[dir]);
	}
	if (d->pool != NULL) {
		avail = rte_mempool_avail_count(d->pool);
		size = d->pool->size;
		printf("vqosd: mbuf pool %s: %u of %u free\n", d->pool->name, avail, size);
		leaked = avail != size;
		rte_mempool_free(d->pool);
	}
	return leaked ? 3 : 0;
}

int main(int argc, char **argv)
{
	struct vqosd d = { 0 };
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (load_conf(argc, argv, &d.conf) < 0 || build_policies(&d) < 0) {
		for (int dir = 0; dir < VQOS_DIR_N; dir++)
			vqos_policy_free(d.pol[dir]);
		vqos_conf_free(d.conf);
		return 1;
	}
	if (eal_start(d.conf, argv[0]) < 0) {
		for (int dir = 0; dir < VQOS_DIR_N; dir++)
			vqos_policy_free(d.pol[dir]);
		vqos_conf_free(d.conf);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	ret = start(&d);
	if (ret == 0) {
		printf("vqosd: %zu port(s) up, data path on lcore %u, control socket %s\n",
		       d.n_ports, d.dp_lcore, d.conf->ctl_socket);
		while (stop_signal == 0) {
			ret = vqos_ctl_server_poll(d.ctl, 100);
			if (ret < 0)
				break;
		}
		printf("vqosd: stopping (%s)\n",
		       stop_signal != 0 ? strsignal(stop_signal) : strerror(-ret));
	}
	ret = stop(&d) != 0 ? 3 : ret != 0 ? 1 : 0;
	vqos_conf_free(d.conf);
	rte_eal_cleanup();
	return ret;
}
