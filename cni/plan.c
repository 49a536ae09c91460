/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pod's leaves and the `port add` that brings them, as one change.
 *
 * vqosd wants a leaf for a new port in each direction that runs a class
 * tree, and nothing where it does not. The plugin reads which from vqosd's
 * running configuration (`config dump`, loaded with conf/) and gives each
 * leaf:
 *
 *   parent  `parent` ("root")
 *   ceil    the pod's limit in that direction (runtimeConfig.bandwidth:
 *           egressRate for tx, ingressRate for rx); without one its
 *           parent's ceiling (the pod may borrow all its parent may use)
 *   rate    the guarantee (`rate`, VQOS_RATE), at most the limit; without
 *           one, the limit (the pod is then guaranteed what it may use, as
 *           the reference bandwidth plugin's tbf gives it)
 *   burst, cburst  the pod's burst (bits / 8), else `burst`, else vqosd's
 *           default (1 ms + 10 ms of rate, one data-path burst at least)
 *   pps, cpps, prio  as configured
 *
 * The same words give the class conf/ parses (CHECK compares it with the
 * running one), so what is asked and what is checked cannot drift apart.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cni/vqos_cni.h"
#include "conf/vqos_units.h"

static const char *const dir_name[2] = { "tx", "rx" };
static const char *const limit_name[2] = { "egress", "ingress" };

/* Append key @p key and its value @p s to @p leaf's words. */
static void word(struct vqos_cni_leaf *leaf, const char *key, const char *s)
{
	snprintf(leaf->words[leaf->n_words++], VQOS_CONF_NAME_MAX, "%s", key);
	snprintf(leaf->words[leaf->n_words++], VQOS_CONF_NAME_MAX, "%s", s);
}

/* Append key @p key and value @p v with unit @p unit ("bit", "": bytes). */
static void word_u(struct vqos_cni_leaf *leaf, const char *key, uint64_t v, const char *unit)
{
	char s[VQOS_CONF_NAME_MAX];

	snprintf(s, sizeof(s), "%" PRIu64 "%s", v, unit);
	word(leaf, key, s);
}

/* The class named @p name of direction @p d, or NULL. */
static const struct vqos_conf_class *find_class(const struct vqos_conf_dir *d, const char *name)
{
	for (size_t i = 0; i < d->n_classes; i++)
		if (strcmp(d->classes[i].name, name) == 0)
			return &d->classes[i];
	return NULL;
}

/* The leaf of direction @p dir, whose tree is @p d. */
static int leaf_of(const struct vqos_cni_conf *conf, int dir, const struct vqos_conf_dir *d,
		   struct vqos_cni_leaf *leaf, struct vqos_cni_error *e)
{
	const struct vqos_cni_limit *lim = &conf->limit[dir];
	const struct vqos_conf_class *parent = find_class(d, conf->parent);
	uint64_t rate = 0, ceil, pceil, burst = lim->burst;
	enum vqos_rate_kind kind;
	const char *w[4 + 16];
	char why[256];

	if (parent == NULL)
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL,
				     "key 'parent': vqosd's %s tree has no class '%s'",
				     dir_name[dir], conf->parent);
	if (conf->rate[0] != '\0')
		vqos_parse_rate(conf->rate, &rate, &kind); /* checked by conf.c */
	if (lim->rate_bps != 0 && (rate == 0 || rate > lim->rate_bps))
		rate = lim->rate_bps;
	if (rate == 0 && conf->pps[0] == '\0')
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG,
				     "a leaf of vqosd's htb needs a rate; the limit is its ceil",
				     "the pod's %s class has no guarantee: give key 'rate' (or "
				     "'pps'), CNI_ARGS VQOS_RATE, or the pod an %s limit",
				     dir_name[dir], limit_name[dir]);
	pceil = (parent->set & VQOS_CONF_CLASS_CEIL) ? parent->ceil_bps : parent->rate_bps;
	ceil = lim->rate_bps != 0 ? lim->rate_bps : pceil > rate ? pceil : rate;
	if (burst == 0 && conf->burst[0] != '\0')
		vqos_parse_size(conf->burst, &burst); /* checked by conf.c */

	leaf->present = true;
	word(leaf, "parent", conf->parent);
	if (rate != 0)
		word_u(leaf, "rate", rate, "bit");
	if (ceil != 0)
		word_u(leaf, "ceil", ceil, "bit");
	if (burst != 0) {
		word_u(leaf, "burst", burst, "");
		word_u(leaf, "cburst", burst, "");
	}
	if (conf->pps[0] != '\0')
		word(leaf, "pps", conf->pps);
	if (conf->cpps[0] != '\0')
		word(leaf, "cpps", conf->cpps);
	if (conf->prio[0] != '\0')
		word(leaf, "prio", conf->prio);
	/* the rules vqosd's class words follow, on the class `port add` makes
	 * of them (named after the port, bound to it) */
	w[0] = "name", w[1] = conf->port, w[2] = "port", w[3] = conf->port;
	for (int i = 0; i < leaf->n_words; i++)
		w[4 + i] = leaf->words[i];
	if (vqos_conf_class_from_words(4 + leaf->n_words, w, &leaf->cls, why, sizeof(why)) < 0)
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL, "the pod's %s class: %s",
				     dir_name[dir], why);
	return 0;
}

int vqos_cni_leaves(const struct vqos_cni_conf *conf, const struct vqos_conf *running,
		    struct vqos_cni_leaf leaf[2], struct vqos_cni_error *e)
{
	char r[32];

	memset(leaf, 0, 2 * sizeof(*leaf));
	for (int dir = 0; dir < 2; dir++) {
		const struct vqos_conf_dir *d = dir ? &running->rx : &running->tx;

		if (d->n_classes > 0) {
			if (leaf_of(conf, dir, d, &leaf[dir], e) < 0)
				return -1;
			continue;
		}
		/* a limit with no tree to hold it would be a promise not kept */
		if (conf->limit[dir].rate_bps != 0) {
			vqos_format_rate(r, sizeof(r), conf->limit[dir].rate_bps, VQOS_RATE_BPS);
			return vqos_cni_fail(
				e, VQOS_CNI_E_REFUSED, "vqosd.conf needs a tree in that direction",
				"the pod's %s limit %s cannot be kept: vqosd runs no %s "
				"class tree",
				limit_name[dir], r, dir_name[dir]);
		}
	}
	return 0;
}

int vqos_cni_port_add_argv(const struct vqos_cni_conf *conf, const struct vqos_cni_leaf leaf[2],
			   const char *argv[VQOS_CNI_ARGV_MAX])
{
	int n = 0;

	argv[n++] = "port";
	argv[n++] = "add";
	argv[n++] = conf->port;
	argv[n++] = "socket";
	argv[n++] = conf->socket;
	argv[n++] = "uplink";
	argv[n++] = conf->uplink;
	argv[n++] = "mode";
	argv[n++] = conf->client ? "client" : "server";
	for (int dir = 0; dir < 2; dir++) {
		if (!leaf[dir].present)
			continue;
		argv[n++] = dir_name[dir];
		for (int i = 0; i < leaf[dir].n_words; i++)
			argv[n++] = leaf[dir].words[i];
	}
	return n;
}
