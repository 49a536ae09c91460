/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CHECK: is the pod's port still what ADD made of this configuration?
 *
 * vqosd's running configuration (`config dump`) is compared with what ADD
 * would ask now: the port (its socket, mode and uplink) and, per direction
 * with a tree, its default leaf (the one without a match) field by field:
 * parent, rate, ceil, burst, cburst, pps, cpps, prio. A field neither side
 * gives is equal (vqosd's default); ceil and cpps not given are rate and
 * pps, as vqosd takes them. Anything else a `vqosctl class change` may
 * have set (cycles, quantum...) is the operator's and not checked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cni/vqos_cni.h"
#include "conf/vqos_units.h"

static const char *const dir_name[2] = { "tx", "rx" };

/* The pod's port in @p running, or NULL. */
static const struct vqos_conf_port *find_port(const struct vqos_conf *running, const char *name)
{
	for (size_t i = 0; i < running->n_ports; i++)
		if (strcmp(running->ports[i].name, name) == 0)
			return &running->ports[i];
	return NULL;
}

/* The default leaf (no match) of port @p port in @p d, or NULL. */
static const struct vqos_conf_class *find_leaf(const struct vqos_conf_dir *d, const char *port)
{
	for (size_t i = 0; i < d->n_classes; i++)
		if (strcmp(d->classes[i].port, port) == 0 &&
		    (d->classes[i].match.pcp | d->classes[i].match.dscp) == 0)
			return &d->classes[i];
	return NULL;
}

/* One field compared: its name, its bit, how its value is shown. */
struct field {
	const char *name;
	uint32_t bit;
	enum { RATE_BPS, RATE_PPS, SIZE, NUMBER } kind;
};

/* Field @p f of @p c, as vqosd takes it (0: its default). */
static uint64_t value(const struct vqos_conf_class *c, const struct field *f)
{
	bool set = (c->set & f->bit) != 0;

	switch (f->bit) {
	case VQOS_CONF_CLASS_RATE:
		return c->rate_bps;
	case VQOS_CONF_CLASS_CEIL:
		return set ? c->ceil_bps : c->rate_bps;
	case VQOS_CONF_CLASS_PPS:
		return c->rate_pps;
	case VQOS_CONF_CLASS_CPPS:
		return set ? c->ceil_pps : c->rate_pps;
	case VQOS_CONF_CLASS_BURST:
		return set ? c->burst : 0;
	case VQOS_CONF_CLASS_CBURST:
		return set ? c->cburst : 0;
	default:
		return c->prio;
	}
}

static void show(char *buf, size_t len, const struct field *f, uint64_t v)
{
	if (v == 0 && f->kind != NUMBER)
		snprintf(buf, len, "none");
	else if (f->kind == RATE_BPS || f->kind == RATE_PPS)
		vqos_format_rate(buf, len, v, f->kind == RATE_BPS ? VQOS_RATE_BPS : VQOS_RATE_PPS);
	else if (f->kind == SIZE)
		snprintf(buf, len, "%" PRIu64 " bytes", v);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static int check_leaf(const struct vqos_cni_conf *conf, int dir, const struct vqos_cni_leaf *want,
		      const struct vqos_conf_dir *d, struct vqos_cni_error *e)
{
	static const struct field fields[] = {
		{ "rate", VQOS_CONF_CLASS_RATE, RATE_BPS },
		{ "ceil", VQOS_CONF_CLASS_CEIL, RATE_BPS },
		{ "burst", VQOS_CONF_CLASS_BURST, SIZE },
		{ "cburst", VQOS_CONF_CLASS_CBURST, SIZE },
		{ "pps", VQOS_CONF_CLASS_PPS, RATE_PPS },
		{ "cpps", VQOS_CONF_CLASS_CPPS, RATE_PPS },
		{ "prio", VQOS_CONF_CLASS_PRIO, NUMBER },
	};
	const struct vqos_conf_class *have = find_leaf(d, conf->port);
	char a[32], b[32];

	if (!want->present)
		return 0;
	if (have == NULL)
		return vqos_cni_fail(e, VQOS_CNI_E_CHECK, NULL,
				     "port %s has no %s class in vqosd (its leaf was deleted)",
				     conf->port, dir_name[dir]);
	if (strcmp(have->parent, want->cls.parent) != 0)
		return vqos_cni_fail(e, VQOS_CNI_E_CHECK, NULL,
				     "class '%s' (%s) of port %s: parent '%s' in vqosd, '%s' "
				     "configured",
				     have->name, dir_name[dir], conf->port, have->parent,
				     want->cls.parent);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t h = value(have, &fields[i]), w = value(&want->cls, &fields[i]);

		if (h == w)
			continue;
		show(a, sizeof(a), &fields[i], h);
		show(b, sizeof(b), &fields[i], w);
		return vqos_cni_fail(
			e, VQOS_CNI_E_CHECK,
			"changed since ADD (vqosctl class change?); DEL and ADD "
			"again to restore it",
			"class '%s' (%s) of port %s: %s is %s in vqosd, %s for the pod", have->name,
			dir_name[dir], conf->port, fields[i].name, a, b);
	}
	return 0;
}

int vqos_cni_check(const struct vqos_cni_conf *conf, const struct vqos_cni_leaf leaf[2],
		   const struct vqos_conf *running, struct vqos_cni_error *e)
{
	const struct vqos_conf_port *p = find_port(running, conf->port);

	if (p == NULL)
		return vqos_cni_fail(e, VQOS_CNI_E_CHECK, NULL, "vqosd has no port %s", conf->port);
	if (strcmp(p->socket, conf->socket) != 0)
		return vqos_cni_fail(e, VQOS_CNI_E_CHECK, NULL,
				     "port %s: socket %s in vqosd, %s from %s", conf->port,
				     p->socket, conf->socket, conf->socket_from);
	if (p->client != conf->client)
		return vqos_cni_fail(e, VQOS_CNI_E_CHECK, NULL,
				     "port %s: mode %s in vqosd, %s configured", conf->port,
				     p->client ? "client" : "server",
				     conf->client ? "client" : "server");
	if (strcmp(p->uplink, conf->uplink) != 0)
		return vqos_cni_fail(e, VQOS_CNI_E_CHECK, NULL,
				     "port %s: uplink %s in vqosd, %s configured", conf->port,
				     p->uplink, conf->uplink);
	for (int dir = 0; dir < 2; dir++)
		if (check_leaf(conf, dir, &leaf[dir], dir ? &running->rx : &running->tx, e) < 0)
			return -1;
	return 0;
}
