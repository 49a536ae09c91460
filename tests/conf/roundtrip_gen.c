/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Random configurations for the round-trip property test: a model the checks
 * accept (conf/ and policy/ together); roundtrip_text.c writes it.
 *
 * The model obeys every rule of conf/README.md, so it must load and build:
 * unique names, sockets and macs; shared uplinks with macs; trees of at most
 * 8 levels whose leaves are on ports (one per port in tx; in rx a default
 * leaf per port and leaves with disjoint matches); htb and sched classes
 * with a rate, children within their parent's rate unless it overcommits;
 * police leaves with a rate; ceil >= rate and cpps >= pps where the kind
 * looks; the rx backlog of a port within VQOS_SCHED_PORT_BACKLOG_MAX; htb's
 * buckets within what its check clock (VQOS_POLICY_CHECK_HZ) allows: rates
 * and explicit bursts below HTB_RATE_MAX and HTB_BURST_MAX; meter and mark
 * only in police, aqm only in sched. Cycles: ports with a cost model (packet
 * and byte within their bounds, not both 0); cps and ccps in htb only, on
 * classes whose leaves are all on such ports, children's cps within their
 * parent's unless it overcommits, ccps >= cps, below CPS_MAX; a
 * datapath.sleep_max of at most VQOS_CONF_SLEEP_MAX_US, or none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "roundtrip_gen.h"

/* htb at VQOS_POLICY_CHECK_HZ: (2 x depth + debt) x hz + rate < 2^62 for
 * every bucket, with default bursts of 1 ms of the rate and more. */
#define HTB_RATE_MAX  400000000000ULL
#define HTB_BURST_MAX 50000000ULL
#define BURST_MAX     (256ULL << 20)
#define BACKLOG_MAX   4096ULL
#define U32_MAX	      0xffffffffULL
/* A cycle bucket at the check clock holds (2 x depth + debt) x hz + rate <
 * 2^62, depth and debt counted in the costliest frame of the class's leaves:
 * with the dearest model (1000000 cycles a packet, 1000 a byte: a frame of
 * 2.6e6 cycles, a debt of 7.8e8) that holds up to 6.45 gcps, so below this
 * every cost a mutation gives still builds. */
#define CPS_MAX	 6000000000ULL
#define BYTE_MAX ((uint64_t)VQOS_CONF_COST_BYTE_MAX * VQOS_CONF_COST_BYTE_ONE)

static const char name_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";

uint64_t rt_next(struct rt_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rt_below(struct rt_rng *r, uint64_t n)
{
	return n == 0 ? 0 : rt_next(r) % n;
}

bool rt_coin(struct rt_rng *r, unsigned int pct)
{
	return rt_below(r, 100) < pct;
}

uint64_t rt_spread(struct rt_rng *r, uint64_t lo, uint64_t hi)
{
	uint64_t v;

	if (rt_coin(r, 10))
		return lo;
	if (rt_coin(r, 10))
		return hi;
	/* every magnitude as likely as another */
	v = rt_next(r) >> rt_below(r, 64);
	return hi - lo == UINT64_MAX ? v : lo + v % (hi - lo + 1);
}

/* ---- the model ---- */

static void gen_name(struct rt_rng *r, char *out)
{
	size_t n = rt_coin(r, 10) ? VQOS_CONF_NAME_MAX - 1 : 1 + rt_below(r, 8);

	for (size_t i = 0; i < n; i++)
		out[i] = name_chars[rt_below(r, sizeof(name_chars) - 1)];
	out[n] = '\0';
}

/* Any bytes but NUL, mostly printable, with the ones that need escapes. */
static void gen_bytes(struct rt_rng *r, char *out, size_t min, size_t max)
{
	static const char special[] = "\"\\\n\t\r\f\x01\x1f\x7f\x80\xc3\xa9\xff#/*;,=:{}()[]@x";
	size_t n = min + rt_below(r, (rt_coin(r, 80) && max > min + 12 ? 12 : max - min) + 1);

	for (size_t i = 0; i < n; i++)
		out[i] = rt_coin(r, 15) ? special[rt_below(r, sizeof(special) - 1)]
					: (char)(' ' + rt_below(r, 95));
	out[n] = '\0';
}

static void gen_mac(struct rt_rng *r, char *out)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	uint64_t v = rt_next(r) & ~(1ULL << 40);

	for (int i = 0; i < 6; i++) {
		unsigned int b = (unsigned int)(v >> (40 - 8 * i)) & 0xff;
		bool up = rt_coin(r, 30);

		out[3 * i] = hex[(b >> 4) + (up && b >> 4 >= 10 ? 6 : 0)];
		out[3 * i + 1] = hex[(b & 15) + (up && (b & 15) >= 10 ? 6 : 0)];
		out[3 * i + 2] = i < 5 ? ':' : '\0';
	}
}

char *rt_strdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

/* A cost model: packet and byte anywhere in their bounds, not both 0. */
static void gen_cost(struct rt_rng *r, struct vqos_conf_cost *c)
{
	c->set = true;
	c->packet = (uint32_t)rt_spread(r, 0, VQOS_CONF_COST_PKT_MAX);
	c->byte = (uint32_t)rt_spread(r, 0, BYTE_MAX);
	if (c->packet == 0 && c->byte == 0)
		c->byte = 1 + (uint32_t)rt_below(r, BYTE_MAX);
}

static void gen_ports(struct rt_rng *r, struct vqos_conf *m)
{
	/* now and then every port has a cost: then a root may have cps */
	bool all_cost = rt_coin(r, 30);

	m->n_ports = 1 + rt_below(r, rt_coin(r, 70) ? 3 : 6);
	m->ports = calloc(m->n_ports, sizeof(*m->ports));
	if (m->ports == NULL)
		abort();
	for (size_t i = 0; i < m->n_ports; i++) {
		struct vqos_conf_port *p = &m->ports[i];
		bool again = true;

		while (again) {
			gen_name(r, p->name);
			p->socket[0] = '/';
			gen_bytes(r, p->socket + 1, 1, VQOS_CONF_PATH_MAX - 2);
			again = strcmp(p->socket, m->ctl_socket) == 0;
			for (size_t j = 0; j < i; j++)
				again |= strcmp(p->name, m->ports[j].name) == 0 ||
					 strcmp(p->socket, m->ports[j].socket) == 0;
		}
		p->client = rt_coin(r, 50);
		if (i > 0 && m->ports[i - 1].mac[0] != '\0' && rt_coin(r, 30)) {
			memcpy(p->uplink, m->ports[i - 1].uplink, sizeof(p->uplink));
		} else {
			/* an uplink of its own */
			for (again = true; again;) {
				gen_bytes(r, p->uplink, 1, VQOS_CONF_DEVARGS_MAX - 1);
				again = false;
				for (size_t j = 0; j < i; j++)
					again |= strcmp(p->uplink, m->ports[j].uplink) == 0;
			}
		}
		/* a shared uplink needs a mac on each of its ports, each its own */
		if (rt_coin(r, 50) || (i > 0 && strcmp(p->uplink, m->ports[i - 1].uplink) == 0)) {
			for (again = true; again;) {
				gen_mac(r, p->mac);
				again = false;
				for (size_t j = 0; j < i; j++)
					again |= strcasecmp(p->mac, m->ports[j].mac) == 0;
			}
		}
		if (all_cost || rt_coin(r, 40))
			gen_cost(r, &p->cost);
	}
}

/* A tree being made: nodes 0 (the root), inner classes, then leaves. */
struct tree {
	uint32_t n;
	uint32_t parent[64];
	uint32_t depth[64];
	uint32_t n_children[64];
	uint32_t port[64]; /* leaves */
	struct vqos_conf_match match[64];
	bool leaf[64];
};

/* Disjoint matches for up to @p n leaves of one port, each non-empty. */
static uint32_t gen_matches(struct rt_rng *r, struct vqos_conf_match *out, uint32_t n)
{
	uint8_t pcp_free = 0xff;
	uint64_t dscp_free = ~0ULL;
	uint32_t made = 0;

	for (uint32_t k = 0; k < n; k++) {
		struct vqos_conf_match mm = { 0 };
		unsigned int how = (unsigned int)rt_below(r, 4);

		/* a run, some values, or the whole of what is left */
		for (unsigned int v = 0; v < 8; v++)
			if (pcp_free >> v & 1 && (how == 3 || (how == 0 && rt_coin(r, 30))))
				mm.pcp |= (uint8_t)(1u << v);
		for (unsigned int v = 0; v < 64; v++)
			if (dscp_free >> v & 1 && (how == 3 || (how == 1 && rt_coin(r, 20)) ||
						   (how == 2 && v >= 10 && v < 20)))
				mm.dscp |= 1ULL << v;
		if (mm.pcp == 0 && mm.dscp == 0)
			continue;
		pcp_free &= (uint8_t)~mm.pcp;
		dscp_free &= ~mm.dscp;
		out[made++] = mm;
	}
	return made;
}

static void gen_shape(struct rt_rng *r, struct tree *t, const struct vqos_conf *m, bool rx)
{
	uint32_t n_inner = rt_coin(r, 10) ? 6 : (uint32_t)rt_below(r, 5), childless, n_leaves = 0;
	uint32_t leaf_port[32], order[32];
	struct vqos_conf_match leaf_match[32] = { { 0 } }, mm[3];

	memset(t, 0, sizeof(*t));
	/* per port a default leaf, and in rx now and then leaves with matches */
	for (uint32_t p = 0; p < m->n_ports; p++) {
		uint32_t k =
			rx && rt_coin(r, 50) ? gen_matches(r, mm, 1 + (uint32_t)rt_below(r, 3)) : 0;

		leaf_port[n_leaves++] = p;
		for (uint32_t j = 0; j < k; j++) {
			leaf_match[n_leaves] = mm[j];
			leaf_port[n_leaves++] = p;
		}
	}
	/* inner classes: a chain of 6 (leaves at level 8) or a random bush, no
	 * more of them without inner children than there are leaves */
	for (;;) {
		for (uint32_t i = 1; i <= n_inner; i++) {
			uint32_t par = n_inner == 6 && i > 1 ? i - 1 : (uint32_t)rt_below(r, i);

			while (t->depth[par] >= 6)
				par = t->parent[par];
			t->parent[i] = par;
			t->depth[i] = t->depth[par] + 1;
		}
		memset(t->n_children, 0, sizeof(t->n_children));
		for (uint32_t i = 1; i <= n_inner; i++)
			t->n_children[t->parent[i]]++;
		childless = 0;
		for (uint32_t i = 1; i <= n_inner; i++)
			childless += t->n_children[i] == 0;
		if (childless <= n_leaves)
			break;
		n_inner--;
	}
	for (uint32_t i = 0; i < n_leaves; i++)
		order[i] = i;
	for (uint32_t i = n_leaves; i > 1; i--) {
		uint32_t j = (uint32_t)rt_below(r, i), x = order[i - 1];

		order[i - 1] = order[j];
		order[j] = x;
	}
	t->n = 1 + n_inner + n_leaves;
	/* leaves: one for each inner class without children first */
	for (uint32_t i = 0, next = 1; i < n_leaves; i++) {
		uint32_t node = 1 + n_inner + i, par;

		while (next <= n_inner && t->n_children[next] != 0)
			next++;
		par = next <= n_inner ? next : (uint32_t)rt_below(r, n_inner + 1);
		t->leaf[node] = true;
		t->parent[node] = par;
		t->depth[node] = t->depth[par] + 1;
		t->n_children[par]++;
		t->port[node] = leaf_port[order[i]];
		t->match[node] = leaf_match[order[i]];
	}
}

/* Rates: shaping kinds within htb's range and their parents' rates (or
 * overcommit); police leaves a rate; fifo anything; htb cycle rates on the
 * classes @p cyc_ok says lead only to ports with a cost model. */
static void gen_rates(struct rt_rng *r, const char *kind, const struct tree *t, const bool *cyc_ok,
		      struct vqos_conf_class *c)
{
	bool shaping = strcmp(kind, "htb") == 0 || strcmp(kind, "sched") == 0;
	bool police = strcmp(kind, "police") == 0, htb = strcmp(kind, "htb") == 0;
	uint64_t max = shaping ? HTB_RATE_MAX : UINT64_MAX;

	for (uint32_t i = 0; i < t->n; i++) {
		unsigned int which = (unsigned int)rt_below(r, 3); /* bps, pps, both */
		bool cps = htb && cyc_ok[i] && rt_coin(r, 50);

		if (!shaping && rt_coin(r, 30))
			which = 3; /* neither */
		if (cps && rt_coin(r, 40))
			which = 3; /* cycles only */
		if (which != 1 && which != 3)
			c[i].rate_bps = rt_spread(r, 1, max);
		if (which != 0 && which != 3)
			c[i].rate_pps = rt_spread(r, 1, max);
		if (police && t->leaf[i] && c[i].rate_bps == 0)
			c[i].rate_bps = rt_spread(r, 1, max);
		if (cps)
			c[i].rate_cps = rt_spread(r, 1, CPS_MAX);
	}
	/* deepest parents first: a parent's rate is final before its own parent sums it */
	for (uint32_t d = 7; shaping && d-- > 0;) {
		for (uint32_t p = 0; p < t->n; p++) {
			uint64_t sb = 0, sp = 0, sc = 0;

			if (t->depth[p] != d || t->leaf[p])
				continue;
			for (uint32_t i = 0; i < t->n; i++) {
				if (i == 0 || t->parent[i] != p)
					continue;
				sb = sb + c[i].rate_bps < sb ? UINT64_MAX : sb + c[i].rate_bps;
				sp = sp + c[i].rate_pps < sp ? UINT64_MAX : sp + c[i].rate_pps;
				sc += c[i].rate_cps; /* at most 64 x CPS_MAX */
			}
			/* the edge: children guaranteed exactly the parent's rate */
			if (c[p].rate_bps && sb > 0 && sb <= max && rt_coin(r, 30))
				c[p].rate_bps = sb;
			if (c[p].rate_pps && sp > 0 && sp <= max && rt_coin(r, 30))
				c[p].rate_pps = sp;
			if (c[p].rate_cps && sc > 0 && sc <= CPS_MAX && rt_coin(r, 30))
				c[p].rate_cps = sc;
			if ((c[p].rate_bps && sb > c[p].rate_bps) ||
			    (c[p].rate_pps && sp > c[p].rate_pps) ||
			    (c[p].rate_cps && sc > c[p].rate_cps)) {
				c[p].overcommit = true;
				c[p].set |= VQOS_CONF_CLASS_OVERCOMMIT;
			}
		}
	}
	for (uint32_t i = 0; i < t->n; i++) {
		c[i].set |= (c[i].rate_bps ? VQOS_CONF_CLASS_RATE : 0) |
			    (c[i].rate_pps ? VQOS_CONF_CLASS_PPS : 0) |
			    (c[i].rate_cps ? VQOS_CONF_CLASS_CPS : 0);
		/* htb: a cycle rate of 0 written out is none, and needs no cost */
		if (htb && c[i].rate_cps == 0 && rt_coin(r, 10))
			c[i].set |= VQOS_CONF_CLASS_CPS;
		/* a rate of 0 written out is no rate */
		if (!shaping && c[i].rate_bps == 0 && rt_coin(r, 20))
			c[i].set |= VQOS_CONF_CLASS_RATE;
		if (rt_coin(r, 40)) {
			c[i].ceil_bps = strcmp(kind, "fifo") == 0
						? rt_spread(r, 0, UINT64_MAX)
						: rt_spread(r, c[i].rate_bps, max);
			c[i].set |= VQOS_CONF_CLASS_CEIL;
		}
		if (rt_coin(r, 40)) {
			c[i].ceil_pps = strcmp(kind, "fifo") == 0
						? rt_spread(r, 0, UINT64_MAX)
						: rt_spread(r, c[i].rate_pps, max);
			c[i].set |= VQOS_CONF_CLASS_CPPS;
		}
		if (htb && cyc_ok[i] && rt_coin(r, c[i].rate_cps ? 50 : 15)) {
			c[i].ceil_cps = rt_spread(r, c[i].rate_cps, CPS_MAX);
			c[i].set |= VQOS_CONF_CLASS_CCPS;
		}
	}
}

/* Queue limits: a port's rx leaves within VQOS_SCHED_PORT_BACKLOG_MAX (a
 * leaf without a limit counts 32); fifo and police: the root's; tx: any. */
static void gen_limits(struct rt_rng *r, const char *kind, bool rx, const struct tree *t,
		       struct vqos_conf_class *c, size_t n_ports)
{
	bool one_queue = strcmp(kind, "fifo") == 0 || strcmp(kind, "police") == 0;

	for (uint32_t i = 0; i < t->n; i++) {
		if (!rt_coin(r, 40))
			continue;
		c[i].set |= VQOS_CONF_CLASS_LIMIT;
		c[i].limit = rt_spread(r, 1, rx && one_queue && i == 0 ? BACKLOG_MAX : U32_MAX);
	}
	for (uint32_t p = 0; rx && !one_queue && p < n_ports; p++) {
		uint64_t budget = BACKLOG_MAX;
		uint32_t set = 0;

		for (uint32_t i = 0; i < t->n; i++)
			if (t->leaf[i] && t->port[i] == p)
				(c[i].set & VQOS_CONF_CLASS_LIMIT) ? set++ : (void)(budget -= 32);
		for (uint32_t i = 0; i < t->n; i++) {
			if (!t->leaf[i] || t->port[i] != p || !(c[i].set & VQOS_CONF_CLASS_LIMIT))
				continue;
			/* the last one may take exactly what is left */
			c[i].limit = --set == 0 && rt_coin(r, 50) ? budget
								  : rt_spread(r, 1, budget - set);
			budget -= c[i].limit;
		}
	}
}

static const char *const kinds[] = { "htb", "police", "fifo", "sched" };

static void gen_dir(struct rt_rng *r, struct vqos_conf *m, bool rx)
{
	struct vqos_conf_dir *d = rx ? &m->rx : &m->tx;
	/* sched: rx, one port */
	const char *kind = kinds[rt_below(r, rx && m->n_ports == 1 ? 4 : 3)];
	struct tree t;
	uint32_t perm[64];
	bool cyc_ok[64];

	if (rt_coin(r, 15))
		return; /* no group: qdisc "" */
	snprintf(d->qdisc, sizeof(d->qdisc), "%s", kind);
	/* htb and fifo without classes: the default tree */
	if ((strcmp(kind, "htb") == 0 || strcmp(kind, "fifo") == 0) && rt_coin(r, 15))
		return;
	gen_shape(r, &t, m, rx);
	/* cycle rates: on classes whose leaves are all on ports with a cost */
	for (uint32_t i = 0; i < t.n; i++)
		cyc_ok[i] = true;
	for (uint32_t i = 0; i < t.n; i++)
		for (uint32_t a = i; t.leaf[i] && !m->ports[t.port[i]].cost.set; a = t.parent[a]) {
			cyc_ok[a] = false;
			if (a == 0)
				break;
		}
	d->n_classes = t.n;
	d->classes = calloc(t.n, sizeof(*d->classes));
	if (d->classes == NULL)
		abort();
	/* the file's order is any order */
	for (uint32_t i = 0; i < t.n; i++)
		perm[i] = i;
	for (uint32_t i = t.n; i > 1; i--) {
		uint32_t j = (uint32_t)rt_below(r, i), x = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = x;
	}
	{
		struct vqos_conf_class tmp[64] = { 0 };

		for (uint32_t i = 0; i < t.n; i++) {
			bool again = true;

			while (again) {
				gen_name(r, tmp[i].name);
				again = false;
				for (uint32_t j = 0; j < i; j++)
					again |= strcmp(tmp[i].name, tmp[j].name) == 0;
			}
		}
		gen_rates(r, kind, &t, cyc_ok, tmp);
		gen_limits(r, kind, rx, &t, tmp, m->n_ports);
		for (uint32_t i = 0; i < t.n; i++) {
			struct vqos_conf_class *c = &tmp[i];
			uint64_t bmax = strcmp(kind, "htb") == 0 ? HTB_BURST_MAX : BURST_MAX;

			if (i > 0) {
				memcpy(c->parent, tmp[t.parent[i]].name, sizeof(c->parent));
				c->set |= VQOS_CONF_CLASS_PARENT;
			}
			if (t.leaf[i]) {
				snprintf(c->port, sizeof(c->port), "%s", m->ports[t.port[i]].name);
				c->set |= VQOS_CONF_CLASS_PORT;
				c->match = t.match[i];
				if (c->match.pcp || c->match.dscp || rt_coin(r, 10))
					c->set |= VQOS_CONF_CLASS_MATCH;
			}
			if (rt_coin(r, 30))
				c->burst = rt_spread(r, 0, bmax), c->set |= VQOS_CONF_CLASS_BURST;
			if (rt_coin(r, 30))
				c->cburst = rt_spread(r, 0, bmax), c->set |= VQOS_CONF_CLASS_CBURST;
			if (rt_coin(r, 30))
				c->prio = (unsigned int)rt_below(r, 8),
				c->set |= VQOS_CONF_CLASS_PRIO;
			if (rt_coin(r, 30))
				c->quantum = rt_spread(r, 1, U32_MAX),
				c->set |= VQOS_CONF_CLASS_QUANTUM;
			if (!(c->set & VQOS_CONF_CLASS_OVERCOMMIT) && rt_coin(r, 20))
				c->overcommit = rt_coin(r, 50),
				c->set |= VQOS_CONF_CLASS_OVERCOMMIT;
			if (strcmp(kind, "police") == 0 && rt_coin(r, 40))
				c->meter = (unsigned int)rt_below(r, 3),
				c->set |= VQOS_CONF_CLASS_METER;
			if (strcmp(kind, "police") == 0 && rt_coin(r, 30))
				c->mark = rt_coin(r, 50), c->set |= VQOS_CONF_CLASS_MARK;
			if (strcmp(kind, "sched") == 0 && rt_coin(r, 40))
				c->aqm = (unsigned int)rt_below(r, 3),
				c->set |= VQOS_CONF_CLASS_AQM;
		}
		for (uint32_t i = 0; i < t.n; i++)
			d->classes[perm[i]] = tmp[i];
	}
}

struct vqos_conf *rt_gen(struct rt_rng *r, const struct vqos_conf *dflt)
{
	struct vqos_conf *m = calloc(1, sizeof(*m));

	if (m == NULL)
		abort();
	m->file = rt_strdup("t.conf");
	/* eal: the default's (which the text may leave out), or any strings */
	if (rt_coin(r, 30)) {
		m->eal_argc = dflt->eal_argc;
		for (int i = 0; i < m->eal_argc; i++)
			m->eal_argv[i] = rt_strdup(dflt->eal_argv[i]);
	} else {
		m->eal_argc = rt_coin(r, 10) ? VQOS_CONF_EAL_MAX : (int)rt_below(r, 8);
		for (int i = 0; i < m->eal_argc; i++) {
			char s[64];

			gen_bytes(r, s, 1, sizeof(s) - 1);
			m->eal_argv[i] = rt_strdup(s);
		}
	}
	snprintf(m->ctl_socket, sizeof(m->ctl_socket), "%s", dflt->ctl_socket);
	snprintf(m->ctl_owner, sizeof(m->ctl_owner), "%s", dflt->ctl_owner);
	snprintf(m->ctl_group, sizeof(m->ctl_group), "%s", dflt->ctl_group);
	snprintf(m->ctl_admin, sizeof(m->ctl_admin), "%s", dflt->ctl_admin);
	m->ctl_mode = dflt->ctl_mode;
	if (rt_coin(r, 50)) {
		m->ctl_socket[0] = '/';
		gen_bytes(r, m->ctl_socket + 1, 1, VQOS_CONF_PATH_MAX - 2);
	}
	if (rt_coin(r, 50))
		gen_bytes(r, m->ctl_owner, 1, VQOS_CONF_USER_MAX - 1);
	if (rt_coin(r, 50))
		gen_bytes(r, m->ctl_group, 1, VQOS_CONF_USER_MAX - 1);
	if (rt_coin(r, 50))
		gen_bytes(r, m->ctl_admin, 1, VQOS_CONF_USER_MAX - 1);
	if (rt_coin(r, 50))
		m->ctl_mode = (unsigned int)rt_spread(r, 0, 07777);
	m->sleep_max_us = rt_coin(r, 50) ? rt_spread(r, 0, VQOS_CONF_SLEEP_MAX_US)
					 : VQOS_CONF_SLEEP_MAX_UNSET;
	gen_ports(r, m);
	gen_dir(r, m, false);
	gen_dir(r, m, true);
	return m;
}
