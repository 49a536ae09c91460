/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One port's slice of a tree, for kinds that serve one port per instance.
 *
 * librte_sched ("sched") serves one port: the data path makes one instance
 * per port. Each gets the classes that lead to that port's leaves: the
 * leaves, and their ancestors up to the root, in the policy's order so that
 * the slice's indices keep the order of the whole. A subset of a valid tree
 * keeps its shape (one root, known parents, the same depths) and its
 * admission (fewer children, same parents), so a slice needs no new check.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_priv.h"

void vqos_policy_slice_fini(struct vqos_policy_slice *s)
{
	if (s == NULL)
		return;
	free(s->classes);
	free(s->index);
	memset(s, 0, sizeof(*s));
}

int vqos_policy_slice(const struct vqos_policy *p, uint32_t port, struct vqos_policy_slice *out)
{
	bool *in;
	uint32_t n = 0;

	if (p == NULL || out == NULL || port >= p->n_ports)
		return -EINVAL;
	in = calloc(p->n, sizeof(*in));
	if (in == NULL)
		return -ENOMEM;
	/* every leaf of the port, and its ancestors */
	for (uint32_t i = 0; i < p->n; i++) {
		if (p->intent[i].port[0] == '\0' || p->classes[i].port != port)
			continue;
		for (uint32_t j = i; j != VQOS_POLICY_NONE && !in[j];) {
			const char *parent = p->intent[j].parent;

			in[j] = true;
			j = parent[0] != '\0' ? vqos_policy_find(p, parent) : VQOS_POLICY_NONE;
		}
	}
	for (uint32_t i = 0; i < p->n; i++)
		n += in[i];
	memset(out, 0, sizeof(*out));
	out->classes = calloc(n, sizeof(*out->classes));
	out->index = calloc(n, sizeof(*out->index));
	if (out->classes == NULL || out->index == NULL) {
		free(in);
		vqos_policy_slice_fini(out);
		return -ENOMEM;
	}
	n = 0;
	for (uint32_t i = 0; i < p->n; i++) {
		if (!in[i])
			continue;
		out->classes[n] = p->classes[i];
		out->classes[n].port = 0;
		out->index[n++] = i;
	}
	free(in);
	out->params = p->params;
	out->params.n_ports = 1;
	out->params.classes = out->classes;
	out->params.n_classes = n;
	return 0;
}
