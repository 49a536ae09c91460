/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two policies compared, and a policy written back as the file's text.
 *
 * The diff matches classes by name and compares what the data path sees
 * (the sched parameters, plus overcommit), not what was written: a default
 * written out ("ceil" equal to "rate") is no change, so a reload of a file
 * that says the same thing in other words skips the rebuild, as OVS's
 * set_qos does when nothing changed.
 *
 * What ops->change() can do is one class's parameters with the same parent
 * and port. Everything else is structural and needs a new qdisc: a class
 * added or removed, or at another index (the data path names classes by
 * index), another id, parent or port; another kind or set of ports; another
 * limit (queues are sized at create); another overcommit (the tree-wide
 * allow_overcommit of the params follows it); another cost model on a leaf
 * (htb sizes the cycle buckets of the whole path by its leaves' models: a
 * port's `cost` changed, or a class's first cycle rate gave leaves one).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vqos_units.h"
#include "policy_priv.h"

/* The VQOS_CONF_CLASS_* bits of what differs between two classes. */
static uint32_t class_fields(const struct vqos_policy *a, uint32_t i, const struct vqos_policy *b,
			     uint32_t j)
{
	const struct vqos_sched_class_params *x = &a->classes[i], *y = &b->classes[j];
	const struct vqos_conf_class *ix = &a->intent[i], *iy = &b->intent[j];
	uint32_t f = 0;

	f |= strcmp(ix->parent, iy->parent) != 0 ? VQOS_CONF_CLASS_PARENT : 0;
	f |= strcmp(ix->port, iy->port) != 0 ? VQOS_CONF_CLASS_PORT : 0;
	f |= x->rate_bps != y->rate_bps ? VQOS_CONF_CLASS_RATE : 0;
	/* an unset ceil is the rate */
	f |= (x->ceil_bps ? x->ceil_bps : x->rate_bps) != (y->ceil_bps ? y->ceil_bps : y->rate_bps)
		     ? VQOS_CONF_CLASS_CEIL
		     : 0;
	f |= x->rate_pps != y->rate_pps ? VQOS_CONF_CLASS_PPS : 0;
	f |= (x->ceil_pps ? x->ceil_pps : x->rate_pps) != (y->ceil_pps ? y->ceil_pps : y->rate_pps)
		     ? VQOS_CONF_CLASS_CPPS
		     : 0;
	f |= x->rate_cps != y->rate_cps ? VQOS_CONF_CLASS_CPS : 0;
	f |= (x->ceil_cps ? x->ceil_cps : x->rate_cps) != (y->ceil_cps ? y->ceil_cps : y->rate_cps)
		     ? VQOS_CONF_CLASS_CCPS
		     : 0;
	/* packet and cycle bursts follow their rates: their default changes
	 * with them, and a cycle burst with the models below */
	f |= x->burst != y->burst || x->burst_cyc != y->burst_cyc ? VQOS_CONF_CLASS_BURST : 0;
	f |= x->cburst != y->cburst || x->cburst_cyc != y->cburst_cyc ? VQOS_CONF_CLASS_CBURST : 0;
	f |= x->prio != y->prio ? VQOS_CONF_CLASS_PRIO : 0;
	f |= x->quantum != y->quantum ? VQOS_CONF_CLASS_QUANTUM : 0;
	f |= x->limit != y->limit ? VQOS_CONF_CLASS_LIMIT : 0;
	f |= ix->overcommit != iy->overcommit ? VQOS_CONF_CLASS_OVERCOMMIT : 0;
	f |= x->meter != y->meter ? VQOS_CONF_CLASS_METER : 0;
	f |= x->mark != y->mark ? VQOS_CONF_CLASS_MARK : 0;
	f |= x->aqm != y->aqm ? VQOS_CONF_CLASS_AQM : 0;
	/* a match is only ever set with its bit; "none" is an empty one */
	f |= ix->match.pcp != iy->match.pcp || ix->match.dscp != iy->match.dscp
		     ? VQOS_CONF_CLASS_MATCH
		     : 0;
	return f;
}

static void __attribute__((format(printf, 2, 3)))
structural(struct vqos_policy_diff *d, const char *fmt, ...)
{
	va_list ap;

	d->changed = true;
	/* the first reason is the one to log */
	if (d->structural)
		return;
	d->structural = true;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

/* The fields no change() can apply. */
#define STRUCTURAL_FIELDS                                                                          \
	(VQOS_CONF_CLASS_PARENT | VQOS_CONF_CLASS_PORT | VQOS_CONF_CLASS_LIMIT |                   \
	 VQOS_CONF_CLASS_OVERCOMMIT)

static bool same_ports(const struct vqos_policy *a, const struct vqos_policy *b)
{
	return a->n_ports == b->n_ports &&
	       memcmp(a->ports, b->ports, a->n_ports * sizeof(*a->ports)) == 0;
}

int vqos_policy_diff(const struct vqos_policy *old_p, const struct vqos_policy *new_p,
		     struct vqos_policy_diff **out)
{
	struct vqos_policy_diff *d;
	size_t n = 0;

	if (old_p == NULL || new_p == NULL || out == NULL || old_p->dir != new_p->dir)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (d != NULL)
		d->classes = calloc((size_t)old_p->n + new_p->n, sizeof(*d->classes));
	if (d == NULL || d->classes == NULL) {
		vqos_policy_diff_free(d);
		return -ENOMEM;
	}
	if (old_p->ops != new_p->ops)
		structural(d, "qdisc %s instead of %s", new_p->ops->name, old_p->ops->name);
	if (!same_ports(old_p, new_p))
		structural(d, "the ports changed");
	for (uint32_t j = 0; j < new_p->n; j++) {
		struct vqos_policy_class_diff *e = &d->classes[n++];
		uint32_t i = vqos_policy_find(old_p, new_p->intent[j].name);

		memcpy(e->name, new_p->intent[j].name, sizeof(e->name));
		e->old_index = i;
		e->new_index = j;
		if (i == VQOS_POLICY_NONE) {
			e->change = VQOS_POLICY_ADDED;
			structural(d, "class '%s' added", e->name);
			continue;
		}
		e->fields = class_fields(old_p, i, new_p, j);
		e->change = e->fields != 0 ? VQOS_POLICY_CHANGED : VQOS_POLICY_UNCHANGED;
		if (e->fields != 0)
			d->changed = true;
		/* the model alone is no field of the class, but a change all the same */
		if (old_p->classes[i].cost_pkt != new_p->classes[j].cost_pkt ||
		    old_p->classes[i].cost_byte != new_p->classes[j].cost_byte)
			e->change = VQOS_POLICY_CHANGED;
		if (i != j || old_p->classes[i].id != new_p->classes[j].id)
			structural(d, "class '%s' moved", e->name);
		else if (old_p->classes[i].cost_pkt != new_p->classes[j].cost_pkt ||
			 old_p->classes[i].cost_byte != new_p->classes[j].cost_byte)
			structural(d, "class '%s': the cost model of its packets changed", e->name);
		else if (e->fields & STRUCTURAL_FIELDS)
			structural(d, "class '%s': %s changed", e->name,
				   vqos_conf_class_field_name(e->fields & STRUCTURAL_FIELDS &
							      -(e->fields & STRUCTURAL_FIELDS)));
	}
	for (uint32_t i = 0; i < old_p->n; i++) {
		struct vqos_policy_class_diff *e;

		if (vqos_policy_find(new_p, old_p->intent[i].name) != VQOS_POLICY_NONE)
			continue;
		e = &d->classes[n++];
		memcpy(e->name, old_p->intent[i].name, sizeof(e->name));
		e->change = VQOS_POLICY_REMOVED;
		e->old_index = i;
		e->new_index = VQOS_POLICY_NONE;
		structural(d, "class '%s' removed", e->name);
	}
	d->n_classes = n;
	/* rows are fully written (padding too), so equal tables compare equal */
	d->classify = old_p->classify.n_ports != new_p->classify.n_ports ||
		      memcmp(old_p->classify.ports, new_p->classify.ports,
			     old_p->classify.n_ports * sizeof(*old_p->classify.ports)) != 0;
	*out = d;
	return 0;
}

void vqos_policy_diff_free(struct vqos_policy_diff *d)
{
	if (d == NULL)
		return;
	free(d->classes);
	free(d);
}

/* A growing string; on allocation failure it stops growing and says so. */
struct text {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void __attribute__((format(printf, 2, 3))) put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = true;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		char *b = realloc(t->buf, t->cap * 2 + (size_t)n);

		if (b == NULL) {
			t->oom = true;
			return;
		}
		t->buf = b;
		t->cap = t->cap * 2 + (size_t)n;
	}
}

static void put_rate(struct text *t, const char *key, uint64_t v, enum vqos_rate_kind kind)
{
	char buf[32];

	policy_format_rate(buf, sizeof(buf), v, kind);
	put(t, " %s = \"%s\";", key, buf);
}

static void put_size(struct text *t, const char *key, uint64_t v)
{
	char buf[32];

	vqos_format_size(buf, sizeof(buf), v);
	put(t, " %s = \"%s\";", key, buf);
}

/* One class group, on one line, with the fields it was given. */
static void put_class(struct text *t, const struct vqos_conf_class *c)
{
	static const char *const meters[] = { "srtcm", "trtcm", "rfc4115" };
	static const char *const aqms[] = { "tail", "red", "pie" };
	uint32_t s = c->set;

	put(t, "\t\t{ name = \"%s\";", c->name);
	if (s & VQOS_CONF_CLASS_PARENT)
		put(t, " parent = \"%s\";", c->parent);
	if (s & VQOS_CONF_CLASS_PORT)
		put(t, " port = \"%s\";", c->port);
	if (s & VQOS_CONF_CLASS_RATE)
		put_rate(t, "rate", c->rate_bps, VQOS_RATE_BPS);
	if (s & VQOS_CONF_CLASS_CEIL)
		put_rate(t, "ceil", c->ceil_bps, VQOS_RATE_BPS);
	if (s & VQOS_CONF_CLASS_BURST)
		put_size(t, "burst", c->burst);
	if (s & VQOS_CONF_CLASS_CBURST)
		put_size(t, "cburst", c->cburst);
	if (s & VQOS_CONF_CLASS_PRIO)
		put(t, " prio = %u;", c->prio);
	if (s & VQOS_CONF_CLASS_QUANTUM)
		put_size(t, "quantum", c->quantum);
	if (s & VQOS_CONF_CLASS_PPS)
		put_rate(t, "pps", c->rate_pps, VQOS_RATE_PPS);
	if (s & VQOS_CONF_CLASS_CPPS)
		put_rate(t, "cpps", c->ceil_pps, VQOS_RATE_PPS);
	if (s & VQOS_CONF_CLASS_CPS)
		put_rate(t, "cps", c->rate_cps, VQOS_RATE_CPS);
	if (s & VQOS_CONF_CLASS_CCPS)
		put_rate(t, "ccps", c->ceil_cps, VQOS_RATE_CPS);
	/* libconfig reads an integer without L as 32 bits: 2^31 would come back
	 * negative */
	if (s & VQOS_CONF_CLASS_LIMIT)
		put(t, c->limit > INT32_MAX ? " limit = %lluL;" : " limit = %llu;",
		    (unsigned long long)c->limit);
	if (s & VQOS_CONF_CLASS_OVERCOMMIT)
		put(t, " overcommit = %s;", c->overcommit ? "true" : "false");
	if ((s & VQOS_CONF_CLASS_METER) && c->meter < 3)
		put(t, " meter = \"%s\";", meters[c->meter]);
	if (s & VQOS_CONF_CLASS_MARK)
		put(t, " mark = %s;", c->mark ? "true" : "false");
	if ((s & VQOS_CONF_CLASS_AQM) && c->aqm < 3)
		put(t, " aqm = \"%s\";", aqms[c->aqm]);
	if (s & VQOS_CONF_CLASS_MATCH) {
		char m[VQOS_CONF_MATCH_TEXT_MAX];

		vqos_conf_match_format(&c->match, m, sizeof(m));
		put(t, " match = \"%s\";", m);
	}
	put(t, " }");
}

int vqos_policy_dump(const struct vqos_policy *p, char **text)
{
	struct text t = { .cap = 256 };

	if (p == NULL || text == NULL)
		return -EINVAL;
	t.buf = malloc(t.cap);
	if (t.buf == NULL)
		return -ENOMEM;
	t.buf[0] = '\0';
	put(&t, "%s = {\n\tqdisc = \"%s\";\n", policy_dir_name(p->dir), p->ops->name);
	/* the default tree is what no classes mean: say no more */
	if (!p->is_default) {
		put(&t, "\tclasses = (\n");
		for (uint32_t i = 0; i < p->n; i++) {
			put_class(&t, &p->intent[i]);
			put(&t, "%s\n", i + 1 < p->n ? "," : "");
		}
		put(&t, "\t);\n");
	}
	put(&t, "};\n");
	if (t.oom) {
		free(t.buf);
		return -ENOMEM;
	}
	*text = t.buf;
	return 0;
}
