/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A policy's rx classification as the table the data path looks frames up in.
 *
 * The rules were checked by policy_make() (policy.c): matches only on rx
 * leaves, one leaf without a match per port (its default), no value of a
 * port claimed by two of its leaves. What is left is to spread each leaf's
 * sets of values over its port's arrays, one entry per value, so that the
 * data path's lookup is an index and a compare (vhost_tx/classify.h). A port
 * without a matched leaf gets rules = 0, and its frames are never parsed.
 *
 * The table of a whole policy is built once with it and lives as long as it.
 * A part of the tree (vqos_policy_part(), one qdisc instance per lcore or
 * port) numbers its classes and ports its own way: its table is the whole's
 * rows of its ports with the leaves renumbered, built on request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_priv.h"

/* @p n ports' rows, cache-line aligned, each with no rule and no default. */
static struct vqos_sched_classify_port *rows_new(uint32_t n)
{
	size_t size = (n ? n : 1) * sizeof(struct vqos_sched_classify_port);
	struct vqos_sched_classify_port *rows = aligned_alloc(64, size);

	if (rows == NULL)
		return NULL;
	/* VQOS_SCHED_CLASSIFY_NONE is all ones */
	memset(rows, 0xff, size);
	for (uint32_t k = 0; k < n; k++)
		rows[k].rules = 0;
	return rows;
}

int policy_classify_build(struct vqos_policy *p)
{
	struct vqos_sched_classify_port *rows = rows_new(p->n_ports);

	if (rows == NULL)
		return -ENOMEM;
	for (uint32_t k = 0; k < p->n_ports; k++)
		rows[k].default_leaf = p->port_leaf[k];
	for (uint32_t i = 0; i < p->n; i++) {
		const struct vqos_conf_class *c = &p->intent[i];
		struct vqos_sched_classify_port *r;

		/* inner classes and tx leaves have none: policy_make() refused them */
		if (!(c->set & VQOS_CONF_CLASS_MATCH) || c->port[0] == '\0')
			continue;
		r = &rows[p->classes[i].port];
		for (unsigned int v = 0; v <= VQOS_CONF_PCP_MAX; v++) {
			if (!(c->match.pcp >> v & 1))
				continue;
			r->pcp_leaf[v] = i;
			r->rules |= VQOS_SCHED_CLASSIFY_PCP;
		}
		for (unsigned int v = 0; v <= VQOS_CONF_DSCP_MAX; v++) {
			if (!(c->match.dscp >> v & 1))
				continue;
			r->dscp_leaf[v] = i;
			r->rules |= VQOS_SCHED_CLASSIFY_DSCP;
		}
	}
	p->classify.n_ports = p->n_ports;
	p->classify.ports = rows;
	return 0;
}

const struct vqos_sched_classify *vqos_policy_classify(const struct vqos_policy *p)
{
	return &p->classify;
}

/* @p leaf renumbered by @p at, NONE staying NONE. */
static uint32_t renumber(const uint32_t *at, uint32_t leaf)
{
	return leaf == VQOS_SCHED_CLASSIFY_NONE ? leaf : at[leaf];
}

int vqos_policy_classify_part(const struct vqos_policy *p, const struct vqos_policy_slice *s,
			      struct vqos_sched_classify *out)
{
	uint32_t n_ports, *at;
	struct vqos_sched_classify_port *rows;

	if (p == NULL || s == NULL || out == NULL)
		return -EINVAL;
	n_ports = s->params.n_ports;
	at = malloc((p->n ? p->n : 1) * sizeof(*at));
	rows = rows_new(n_ports);
	if (at == NULL || rows == NULL) {
		free(at);
		free(rows);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < p->n; i++)
		at[i] = VQOS_SCHED_CLASSIFY_NONE;
	for (uint32_t j = 0; j < s->params.n_classes; j++)
		at[s->index[j]] = j;
	/* a part holds every leaf of its ports: each leaf names its row twice */
	for (uint32_t j = 0; j < s->params.n_classes; j++) {
		uint32_t i = s->index[j], k = s->classes[j].port;
		const struct vqos_sched_classify_port *from;
		struct vqos_sched_classify_port *to;

		if (p->intent[i].port[0] == '\0' || k >= n_ports)
			continue;
		from = &p->classify.ports[p->classes[i].port];
		to = &rows[k];
		to->default_leaf = renumber(at, from->default_leaf);
		to->rules = from->rules;
		for (unsigned int v = 0; v < 8; v++)
			to->pcp_leaf[v] = renumber(at, from->pcp_leaf[v]);
		for (unsigned int v = 0; v < 64; v++)
			to->dscp_leaf[v] = renumber(at, from->dscp_leaf[v]);
	}
	free(at);
	out->n_ports = n_ports;
	out->ports = rows;
	return 0;
}

void vqos_policy_classify_fini(struct vqos_sched_classify *c)
{
	if (c == NULL)
		return;
	free(c->ports);
	c->ports = NULL;
	c->n_ports = 0;
}
