/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parts of a tree: what one qdisc instance runs when the ports are split
 * between instances.
 *
 * vqosd shards its ports over its data-path lcores, and each lcore runs a
 * qdisc per direction of its own: the classes that lead to its ports'
 * leaves, and their ancestors up to the root, in the policy's order. A class
 * whose leaves are all on one lcore goes there whole. A class whose leaves
 * are on several lcores (the root, a tenant spread out) is split: each part
 * gets a share of its rates and ceilings, in bit/s by the share of its
 * leaves' bit/s rates that the part holds, in pkt/s and in cycles/s likewise
 * (by the count of leaves where those rates are all 0). Guarantees still add up to the
 * class's, and no ceiling is exceeded in sum. That is where the parts start:
 * the data path then moves the shares to where the demand is (vqos_share,
 * vhost_tx/dp_share.c), so what one part leaves unused is lent to the
 * others within milliseconds. Bursts are kept as written
 * (each part may send one). Admission was checked on the whole tree; a
 * part's rounding of it is not checked again.
 *
 * A "sched" tree has leaves on one port only (policy.c refuses others), so
 * the part of the lcore that serves that port is the whole tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_priv.h"

void vqos_policy_slice_fini(struct vqos_policy_slice *s)
{
	if (s == NULL)
		return;
	free(s->classes);
	free(s->index);
	free(s->leaf_of_port);
	memset(s, 0, sizeof(*s));
}

/* Per class: weights of its leaves in the part and in the whole. */
struct weight {
	double bps_part, bps_all;
	double pps_part, pps_all;
	double cps_part, cps_all;
	uint32_t n_part, n_all;
};

static uint32_t parent_of(const struct vqos_policy *p, uint32_t i)
{
	const char *parent = p->intent[i].parent;

	return parent[0] != '\0' ? vqos_policy_find(p, parent) : VQOS_POLICY_NONE;
}

/* @p v scaled by @p part / @p all (by @p n_part / @p n_all when all is 0);
 * a rate that was set stays set. */
static uint64_t share(uint64_t v, double part, double all, uint32_t n_part, uint32_t n_all)
{
	double f = all > 0 ? part / all : (double)n_part / (double)n_all;
	double x = (double)v * f + 0.5;
	uint64_t s;

	if (v == 0)
		return 0;
	/* a part has at most the whole (f <= 1); near 2^64, v as a double
	 * rounds up to 2^64, which no cast to uint64_t may take */
	if (f >= 1.0 || x >= 18446744073709551616.0)
		return v;
	s = (uint64_t)x;
	s = s < v ? s : v;
	return s > 0 ? s : 1;
}

int vqos_policy_part(const struct vqos_policy *p, const uint32_t *ports, uint32_t n_ports,
		     struct vqos_policy_slice *out)
{
	int32_t *pos = NULL; /* [p->n_ports]: position of a port in the part, or -1 */
	struct weight *w = NULL;
	uint32_t n = 0, *at = NULL; /* [p->n]: index in the part, or NONE */
	bool split = false;

	if (p == NULL || out == NULL || (n_ports > 0 && ports == NULL))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pos = malloc((p->n_ports ? p->n_ports : 1) * sizeof(*pos));
	w = calloc(p->n, sizeof(*w));
	at = malloc(p->n * sizeof(*at));
	out->leaf_of_port = calloc(n_ports ? n_ports : 1, sizeof(*out->leaf_of_port));
	if (pos == NULL || w == NULL || at == NULL || out->leaf_of_port == NULL)
		goto oom;
	for (uint32_t i = 0; i < p->n_ports; i++)
		pos[i] = -1;
	for (uint32_t k = 0; k < n_ports; k++) {
		if (ports[k] >= p->n_ports || pos[ports[k]] >= 0)
			goto inval;
		pos[ports[k]] = (int32_t)k;
	}
	/* every leaf weighs on its ancestors, in the part or not */
	for (uint32_t i = 0; i < p->n; i++) {
		bool mine;

		if (p->intent[i].port[0] == '\0')
			continue;
		mine = pos[p->classes[i].port] >= 0;
		for (uint32_t j = i; j != VQOS_POLICY_NONE; j = parent_of(p, j)) {
			w[j].bps_all += (double)p->classes[i].rate_bps;
			w[j].pps_all += (double)p->classes[i].rate_pps;
			w[j].cps_all += (double)p->classes[i].rate_cps;
			w[j].n_all++;
			if (mine) {
				w[j].bps_part += (double)p->classes[i].rate_bps;
				w[j].pps_part += (double)p->classes[i].rate_pps;
				w[j].cps_part += (double)p->classes[i].rate_cps;
				w[j].n_part++;
			}
		}
	}
	for (uint32_t i = 0; i < p->n; i++) {
		at[i] = w[i].n_part > 0 ? n : VQOS_POLICY_NONE;
		n += w[i].n_part > 0;
	}
	out->classes = calloc(n ? n : 1, sizeof(*out->classes));
	out->index = calloc(n ? n : 1, sizeof(*out->index));
	if (out->classes == NULL || out->index == NULL)
		goto oom;
	for (uint32_t i = 0; i < p->n; i++) {
		struct vqos_sched_class_params *c;
		const struct weight *x = &w[i];

		if (at[i] == VQOS_POLICY_NONE)
			continue;
		c = &out->classes[at[i]];
		*c = p->classes[i];
		out->index[at[i]] = i;
		if (p->intent[i].port[0] != '\0')
			c->port = (uint32_t)pos[c->port];
		if (x->n_part == x->n_all)
			continue;
		split = true;
		c->rate_bps = share(c->rate_bps, x->bps_part, x->bps_all, x->n_part, x->n_all);
		c->ceil_bps = share(c->ceil_bps, x->bps_part, x->bps_all, x->n_part, x->n_all);
		c->rate_pps = share(c->rate_pps, x->pps_part, x->pps_all, x->n_part, x->n_all);
		c->ceil_pps = share(c->ceil_pps, x->pps_part, x->pps_all, x->n_part, x->n_all);
		c->rate_cps = share(c->rate_cps, x->cps_part, x->cps_all, x->n_part, x->n_all);
		c->ceil_cps = share(c->ceil_cps, x->cps_part, x->cps_all, x->n_part, x->n_all);
	}
	for (uint32_t k = 0; k < n_ports; k++)
		out->leaf_of_port[k] = at[p->port_leaf[ports[k]]];
	out->params = p->params;
	out->params.n_ports = n_ports;
	out->params.classes = out->classes;
	out->params.n_classes = n;
	/* checked whole; a split's rounding is not checked again */
	out->params.allow_overcommit |= split;
	free(pos);
	free(w);
	free(at);
	return 0;
inval:
	free(pos);
	free(w);
	free(at);
	vqos_policy_slice_fini(out);
	return -EINVAL;
oom:
	free(pos);
	free(w);
	free(at);
	vqos_policy_slice_fini(out);
	return -ENOMEM;
}

int vqos_policy_slice(const struct vqos_policy *p, uint32_t port, struct vqos_policy_slice *out)
{
	if (p == NULL || port >= p->n_ports)
		return -EINVAL;
	return vqos_policy_part(p, &port, 1, out);
}
