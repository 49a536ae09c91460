/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the control server shows: ports, classes and lcores, read from the
 * ports' and qdiscs' counters without stopping the data path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "vqosd.h"

void vqosd_class_stats(const struct vqosd *d, enum vqos_dir dir, uint32_t index,
		       struct vqos_sched_class_stats *out)
{
	uint32_t n = vqos_policy_params(d->pol[dir])->n_classes;
	struct vqos_sched_class_stats cs;

	memset(out, 0, sizeof(*out));
	if (d->part_index[dir] == NULL || index >= n)
		return;
	/* a class split between lcores: its parts' counters and tokens add up */
	for (unsigned int k = 0; k < vqos_dp_n_lcores(d->dp); k++) {
		uint32_t c = d->part_index[dir][(size_t)k * n + index];

		if (c == VQOS_POLICY_NONE || vqos_dp_class_stats(d->dp, k, dir, c, &cs) != 0)
			continue;
		out->bytes += cs.bytes;
		out->packets += cs.packets;
		out->drops += cs.drops;
		out->overlimits += cs.overlimits;
		out->ceil_hits += cs.ceil_hits;
		out->lends += cs.lends;
		out->borrows += cs.borrows;
		out->backlog_pkts += cs.backlog_pkts;
		out->backlog_bytes += cs.backlog_bytes;
		out->tokens += cs.tokens;
		out->ctokens += cs.ctokens;
		out->cyc_tokens += cs.cyc_tokens;
		out->cyc_ctokens += cs.cyc_ctokens;
	}
}

/*
 * The data path's counters in the struct at @p src (named by @p names) into
 * ctl's of the same name in the struct at @p dst (@p table). Each module
 * names its own struct's counters, since ctl may not see vhost_tx's structs;
 * the daemon knows both and pairs them here, so a counter the data path
 * adds reaches ctl (its JSON, text, Prometheus) with no line of the daemon.
 */
static void copy_counters(const struct vqos_dp_stat *names, const void *src,
			  const struct vqos_ctl_counter *table, void *dst)
{
	for (; names->name != NULL; names++) {
		const struct vqos_ctl_counter *c = vqos_ctl_counter_find(table, names->name);

		if (c != NULL)
			vqos_ctl_counter_set(
				c, dst, *(const uint64_t *)((const char *)src + names->offset));
	}
}

/* Times a class on the way from the port's leaves to the root reached its
 * ceil: what held the port's packets was the policy. Borrowing is not a
 * hold (tc's overlimits counts it too, so `shaped` does not use them). Each
 * class counts once however many of the port's leaves are under it. */
static uint64_t path_ceil_hits(const struct vqosd *d, enum vqos_dir dir, size_t port)
{
	const struct vqos_policy *pol = d->pol[dir];
	const struct vqos_sched_params *p = vqos_policy_params(pol);
	uint32_t seen[64], n_seen = 0;
	struct vqos_sched_class_stats one;
	uint64_t hits = 0;

	/* every leaf of the port: its default one and those it classifies to */
	for (uint32_t leaf = 0; leaf < p->n_classes; leaf++) {
		if (vqos_policy_class(pol, leaf)->port[0] == '\0' || p->classes[leaf].port != port)
			continue;
		for (uint32_t c = leaf; c != VQOS_POLICY_NONE;
		     c = vqos_policy_find(pol, vqos_policy_class(pol, c)->parent)) {
			uint32_t i = 0;

			while (i < n_seen && seen[i] != c)
				i++;
			if (i < n_seen)
				break; /* this class and those above it are counted */
			if (n_seen < RTE_DIM(seen))
				seen[n_seen++] = c;
			vqosd_class_stats(d, dir, c, &one);
			hits += one.ceil_hits;
		}
	}
	return hits;
}

static void ctl_dir(const struct vqosd *d, const struct vqos_port_info *info, size_t port,
		    enum vqos_dir dir, struct vqos_ctl_dir *out)
{
	const struct vqos_sched_params *p = vqos_policy_params(d->pol[dir]);
	struct vqos_sched_class_stats cs = { 0 }, one;

	for (uint32_t c = 0; c < p->n_classes; c++) {
		if (vqos_policy_class(d->pol[dir], c)->port[0] == '\0' ||
		    p->classes[c].port != port)
			continue;
		vqosd_class_stats(d, dir, c, &one);
		cs.backlog_pkts += one.backlog_pkts;
	}
	*out = (struct vqos_ctl_dir){ 0 };
	copy_counters(vqos_dp_dir_stats_names, &info->dir[dir], vqos_ctl_dir_counters, out);
	/* what the port's classes count, not the data path */
	out->shaped = path_ceil_hits(d, dir, port);
	/* tx waits in the container's vring (the data path's count), rx in
	 * vqosd's class queue */
	if (dir == VQOS_DIR_RX)
		out->backlog = cs.backlog_pkts;
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
			.queues = info.queues,
			.uplink_queues = info.uplink_queues,
			.lcore = vqos_dp_lcore(d->dp, info.shard),
			.cost = d->conf->ports[i].cost,
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
	const struct vqos_conf_class *intent = vqos_policy_class(d->pol[dir], i);
	struct vqos_sched_class_stats st = { 0 };
	bool leaf = t->start[i] == t->start[i + 1];
	char match[VQOS_CONF_MATCH_TEXT_MAX] = "";
	struct vqos_ctl_class row;

	if (intent->set & VQOS_CONF_CLASS_MATCH)
		vqos_conf_match_format(&intent->match, match, sizeof(match));
	vqosd_class_stats(d, (enum vqos_dir)dir, i, &st);
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
		.match = match[0] != '\0' ? match : NULL,
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
		.rate_cps = c->rate_cps,
		.ceil_cps = c->ceil_cps ? c->ceil_cps : c->rate_cps,
		.cyc_tokens = st.cyc_tokens,
		.cyc_ctokens = st.cyc_ctokens,
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

	for (unsigned int k = 0; k < vqos_dp_n_lcores(d->dp); k++) {
		unsigned int n_ports = 0;

		for (size_t i = 0; i < d->n_ports; i++)
			n_ports += vqos_port_shard(d->ports[i]) == k;
		vqos_dp_lcore_stats(d->dp, k, &ls);
		row = (struct vqos_ctl_lcore){
			.lcore = vqos_dp_lcore(d->dp, k),
			.n_ports = n_ports,
			.hz = rte_get_tsc_hz(),
			.sleep_max_us = vqos_dp_sleep_max(d->dp),
		};
		copy_counters(vqos_dp_lcore_stats_names, &ls, vqos_ctl_lcore_counters, &row);
		cb(arg, &row);
	}
}

static int ops_class_edit(void *aux, int dir, int verb, const struct vqos_conf_class *c,
			  struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	return vqosd_class_edit(aux, dir, verb, c, out, err, errlen);
}

static int ops_port_add(void *aux, const struct vqos_ctl_port_add *add,
			struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	return vqosd_port_add(aux, add, out, err, errlen);
}

static int ops_port_del(void *aux, const char *name, struct vqos_ctl_applied *out, char *err,
			size_t errlen)
{
	return vqosd_port_del(aux, name, out, err, errlen);
}

static int ops_port_cost(void *aux, const char *name, const struct vqos_conf_cost *cost,
			 struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	return vqosd_port_cost(aux, name, cost, out, err, errlen);
}

static int ops_qdisc_replace(void *aux, int dir, const char *kind, struct vqos_ctl_applied *out,
			     char *err, size_t errlen)
{
	return vqosd_qdisc_replace(aux, dir, kind, out, err, errlen);
}

static int ops_lcore_set(void *aux, const char *key, const char *value, char *err, size_t errlen)
{
	return vqosd_lcore_set(aux, key, value, err, errlen);
}

static int ops_reload(void *aux, struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	return vqosd_reload(aux, out, err, errlen);
}

static int ops_config_dump(void *aux, char **text, char *err, size_t errlen)
{
	return vqosd_config_dump(aux, text, err, errlen);
}

static void ops_audit(void *aux, int status, const char *line)
{
	vqosd_audit(status, line);
}

void vqosd_ctl_ops(struct vqosd *d, struct vqos_ctl_ops *ops)
{
	*ops = (struct vqos_ctl_ops){
		.port_foreach = ctl_port_foreach,
		.class_foreach = ctl_class_foreach,
		.lcore_foreach = ctl_lcore_foreach,
		.class_edit = ops_class_edit,
		.reload = ops_reload,
		.lcore_set = ops_lcore_set,
		.port_add = ops_port_add,
		.port_del = ops_port_del,
		.port_cost = ops_port_cost,
		.qdisc_replace = ops_qdisc_replace,
		.config_dump = ops_config_dump,
		.audit = ops_audit,
		.aux = d,
	};
}
