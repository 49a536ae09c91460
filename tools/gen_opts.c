/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-gen's command line (the part after "--"). Every option is checked here,
 * before EAL starts, with one message naming the option; the poll loop then
 * trusts the values.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"
#include "vqos_version.h"

/* Rates above these are not pacing but "as fast as possible": say max. */
#define RATE_PPS_LIMIT 1000000000ull   /* 1 Gpps */
#define RATE_BPS_LIMIT 100000000000ull /* 100 Gbit/s */

void vqos_gen_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL args] -- [options] [--port I [port options]]...\n"
		"EAL args create the ethdevs, one virtual container each, e.g.\n"
		"  --vdev net_virtio_user0,path=SOCK0 --vdev net_virtio_user1,path=SOCK1\n"
		"ethdev I is the I-th --vdev (other ethdevs follow in port id order)\n"
		"port options (before any --port: defaults of every port; after --port I:\n"
		"ethdev I only, until the next --port):\n"
		"  --size S       frame length in bytes without FCS, %d..%d, or a mix\n"
		"                 SIZE:WEIGHT,... sent in weighted round robin, or imix\n"
		"                 (= 64:7,576:4,1500:1) (64)\n"
		"  --rate R       offered rate: max, 0 (send nothing), or tc units:\n"
		"                 bit/kbit/mbit/gbit, bps/kbps/..., pps/kpps/mpps (max)\n"
		"  --count N      stop sending after N packets (no limit)\n"
		"  --flows N      distinct flows (UDP source ports), 1..%d (1)\n"
		"  --rx-delay-us N  after every received burst, poll this port's rx again\n"
		"                 only N us later: a slow container (0)\n"
		"  --id N         generator id written in every frame (pid; ethdev I of\n"
		"                 several: pid + I * %u; a global --id N: N + I)\n"
		"  --dst-mac MAC  destination MAC (broadcast)\n"
		"  --dscp N       IPv4 DSCP, 0..63 (0)\n"
		"  --vlan ID[:PCP]  802.1Q tag, VID 0..4095, PCP 0..7 (0); --size includes\n"
		"                 the 4 tag bytes and must be >= %d (untagged)\n"
		"global options:\n"
		"  --port I       the port options that follow are ethdev I's, 0..%d\n"
		"  --duration S   seconds of sending, float (5)\n"
		"  --delay S      after link up, only receive for S seconds before sending (0)\n"
		"  --linger S     keep receiving S seconds after sending ends (1)\n"
		"  --wait-link S  wait up to S seconds for link up (10)\n"
		"  --idle-us N    sleep N us when an iteration did nothing and no port's\n"
		"                 rate is max; 0 = busy poll (10)\n"
		"  --backoff-us N  when a port's vring is full (tx_burst took fewer than\n"
		"                 offered) and no port has other work, sleep up to N us\n"
		"                 rather than offer again at once; the sleep ends early for\n"
		"                 a paced port's next frame, an --rx-delay-us poll or the\n"
		"                 end of sending; 0..%d, 0 = retry at once (0)\n"
		"  --queues N     rx and tx queue pairs of every port, 1..%d (1): bursts\n"
		"                 go to the tx queues in turn, queue q's frames with id\n"
		"                 (--id) + q, so that each queue is a stream whose order\n"
		"                 is checked; every rx queue is polled\n"
		"  --quiet        no progress lines on stderr\n"
		"  --help         this text\n"
		"  --version      print vqos-gen's version and exit (also `vqos-gen --version`)\n",
		prog, VQOS_GEN_SIZE_MIN, VQOS_GEN_SIZE_MAX, 65536 - VQOS_GEN_UDP_SRC_BASE,
		VQOS_GEN_ID_PORT_STRIDE, VQOS_GEN_SIZE_MIN_VLAN, RTE_MAX_ETHPORTS - 1,
		VQOS_GEN_BACKOFF_MAX_US, VQOS_GEN_QUEUES_MAX);
}

/* A whole number in [min, max]. */
static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	if (s[0] == '-' || s[0] == '\0')
		goto bad;
	*v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || *v < min || *v > max)
		goto bad;
	return 0;
bad:
	fprintf(stderr, "vqos-gen: --%s: '%s' is not a whole number in %" PRIu64 "..%" PRIu64 "\n",
		opt, s, min, max);
	return -EINVAL;
}

/* Seconds: a finite number >= 0 and at most a year. */
static int parse_seconds(const char *opt, const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (s[0] == '\0' || errno != 0 || *end != '\0' || !isfinite(*v) || *v < 0 ||
	    *v > 365 * 86400.0) {
		fprintf(stderr, "vqos-gen: --%s: '%s' is not a number of seconds >= 0\n", opt, s);
		return -EINVAL;
	}
	return 0;
}

static int parse_rate(const char *s, struct vqos_gen_port_opts *o)
{
	enum vqos_rate_kind kind;
	uint64_t v;
	int rc;

	o->rate_str = s;
	if (strcmp(s, "max") == 0) {
		o->rate_mode = VQOS_GEN_RATE_MAX;
		return 0;
	}
	rc = vqos_parse_rate(s, &v, &kind);
	if (rc < 0) {
		fprintf(stderr, "vqos-gen: --rate: '%s' is not max or a rate (%s)\n", s,
			strerror(-rc));
		return -EINVAL;
	}
	o->rate = v;
	if (v == 0)
		o->rate_mode = VQOS_GEN_RATE_NONE;
	else if (kind == VQOS_RATE_PPS)
		o->rate_mode = VQOS_GEN_RATE_PPS;
	else
		o->rate_mode = VQOS_GEN_RATE_BPS;
	/* Pacing arithmetic is exact up to these; beyond them, max is what is meant. */
	if ((o->rate_mode == VQOS_GEN_RATE_PPS && v > RATE_PPS_LIMIT) ||
	    (o->rate_mode == VQOS_GEN_RATE_BPS && v > RATE_BPS_LIMIT)) {
		fprintf(stderr, "vqos-gen: --rate: '%s' is above 1gpps / 100gbit: use max\n", s);
		return -EINVAL;
	}
	return 0;
}

/* The part of @p s up to @p sep (or its end) as a string in @p buf; NULL when too long. */
static const char *field(const char *s, char sep, char *buf, size_t len, const char **next)
{
	const char *e = strchr(s, sep);
	size_t n = e != NULL ? (size_t)(e - s) : strlen(s);

	if (n >= len)
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*next = e != NULL ? e + 1 : NULL;
	return buf;
}

/* A whole number in [min, max], quietly: for the parts of --size and --vlan. */
static bool whole(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *v >= min && *v <= max;
}

/* --size: N, SIZE:WEIGHT,... or imix. */
static int parse_size(const char *s, struct vqos_gen_mix *m)
{
	const char *p = strcmp(s, "imix") == 0 ? "64:7,576:4,1500:1" : s;
	char buf[32], part[32];
	uint64_t size, weight;
	uint32_t i;

	memset(m, 0, sizeof(*m));
	m->str = s;
	if (strchr(p, ':') == NULL) {
		if (!whole(p, VQOS_GEN_SIZE_MIN, VQOS_GEN_SIZE_MAX, &size))
			goto bad;
		m->n = 1;
		m->size[0] = (uint16_t)size;
		m->weight[0] = 1;
		m->total = 1;
		p = NULL;
	}
	while (p != NULL) {
		const char *entry = field(p, ',', buf, sizeof(buf), &p), *w = NULL;

		if (entry != NULL)
			entry = field(entry, ':', part, sizeof(part), &w);
		/* Every entry is SIZE:WEIGHT, sizes in range, at most MIX_MAX of them. */
		if (m->n == VQOS_GEN_MIX_MAX ||
		    !whole(entry, VQOS_GEN_SIZE_MIN, VQOS_GEN_SIZE_MAX, &size) ||
		    !whole(w, 1, VQOS_GEN_CYCLE_MAX, &weight))
			goto bad;
		m->size[m->n] = (uint16_t)size;
		m->weight[m->n] = (uint16_t)weight;
		m->total += (uint32_t)weight;
		m->n++;
		/* A round of the mix is spelled out frame by frame: it must be short. */
		if (m->total > VQOS_GEN_CYCLE_MAX)
			goto bad;
	}
	m->smallest = m->largest = m->size[0];
	for (i = 1; i < m->n; i++) {
		m->smallest = RTE_MIN(m->smallest, (uint32_t)m->size[i]);
		m->largest = RTE_MAX(m->largest, (uint32_t)m->size[i]);
	}
	return 0;
bad:
	fprintf(stderr,
		"vqos-gen: --size: '%s' is not N, imix or SIZE:WEIGHT,... (at most %d entries, "
		"sizes %d..%d, weights 1.. with a sum of at most %d)\n",
		s, VQOS_GEN_MIX_MAX, VQOS_GEN_SIZE_MIN, VQOS_GEN_SIZE_MAX, VQOS_GEN_CYCLE_MAX);
	return -EINVAL;
}

/* --vlan ID[:PCP]. */
static int parse_vlan(const char *s, struct vqos_gen_port_opts *o)
{
	const char *pcp = NULL, *vid;
	char buf[16];
	uint64_t v, p = 0;

	vid = field(s, ':', buf, sizeof(buf), &pcp);
	if (!whole(vid, 0, RTE_VLAN_ID_MASK, &v) || (pcp != NULL && !whole(pcp, 0, 7, &p))) {
		fprintf(stderr, "vqos-gen: --vlan: '%s' is not ID[:PCP] (ID 0..4095, PCP 0..7)\n",
			s);
		return -EINVAL;
	}
	o->have_vlan = true;
	o->vlan_id = (uint16_t)v;
	o->vlan_pcp = (uint8_t)p;
	return 0;
}

enum {
	/* Port options: defaults of every port, or of one after --port. */
	OPT_SIZE = 256,
	OPT_RATE,
	OPT_COUNT,
	OPT_FLOWS,
	OPT_RX_DELAY_US,
	OPT_ID,
	OPT_DST_MAC,
	OPT_DSCP,
	OPT_VLAN,
	OPT_PORT_LAST = OPT_VLAN,
	/* Global options. */
	OPT_PORT,
	OPT_DURATION,
	OPT_DELAY,
	OPT_LINGER,
	OPT_WAIT_LINK,
	OPT_IDLE_US,
	OPT_BACKOFF_US,
	OPT_QUEUES,
	OPT_QUIET,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option long_opts[] = {
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "rx-delay-us", required_argument, NULL, OPT_RX_DELAY_US },
	{ "id", required_argument, NULL, OPT_ID },
	{ "dst-mac", required_argument, NULL, OPT_DST_MAC },
	{ "dscp", required_argument, NULL, OPT_DSCP },
	{ "vlan", required_argument, NULL, OPT_VLAN },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "linger", required_argument, NULL, OPT_LINGER },
	{ "wait-link", required_argument, NULL, OPT_WAIT_LINK },
	{ "idle-us", required_argument, NULL, OPT_IDLE_US },
	{ "backoff-us", required_argument, NULL, OPT_BACKOFF_US },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Handle one port option into @p o; 0 or -EINVAL. */
static int parse_port_one(int c, const char *arg, struct vqos_gen_port_opts *o)
{
	uint64_t v;

	switch (c) {
	case OPT_SIZE:
		return parse_size(arg, &o->mix);
	case OPT_RATE:
		return parse_rate(arg, o);
	case OPT_COUNT:
		return parse_u64("count", arg, 1, UINT64_MAX, &o->count);
	case OPT_FLOWS:
		if (parse_u64("flows", arg, 1, 65536 - VQOS_GEN_UDP_SRC_BASE, &v) < 0)
			return -EINVAL;
		o->flows = (uint32_t)v;
		return 0;
	case OPT_RX_DELAY_US:
		if (parse_u64("rx-delay-us", arg, 0, 1000000, &v) < 0)
			return -EINVAL;
		o->rx_delay_us = (uint32_t)v;
		return 0;
	case OPT_ID:
		if (parse_u64("id", arg, 0, UINT32_MAX, &v) < 0)
			return -EINVAL;
		o->id = (uint32_t)v;
		o->have_id = true;
		return 0;
	case OPT_DST_MAC:
		if (rte_ether_unformat_addr(arg, &o->dst_mac) < 0) {
			fprintf(stderr, "vqos-gen: --dst-mac: '%s' is not a MAC address\n", arg);
			return -EINVAL;
		}
		o->have_dst_mac = true;
		return 0;
	case OPT_DSCP:
		if (parse_u64("dscp", arg, 0, 63, &v) < 0)
			return -EINVAL;
		o->dscp = (uint8_t)v;
		return 0;
	case OPT_VLAN:
		return parse_vlan(arg, o);
	default:
		return -EINVAL;
	}
}

/* Handle one global option; 1 for --help, 2 for --version, 0 or -EINVAL. */
static int parse_global_one(int c, const char *arg, struct vqos_gen_opts *o)
{
	uint64_t v;

	switch (c) {
	case OPT_DURATION:
		return parse_seconds("duration", arg, &o->duration_s);
	case OPT_DELAY:
		return parse_seconds("delay", arg, &o->delay_s);
	case OPT_LINGER:
		return parse_seconds("linger", arg, &o->linger_s);
	case OPT_WAIT_LINK:
		return parse_seconds("wait-link", arg, &o->wait_link_s);
	case OPT_IDLE_US:
		if (parse_u64("idle-us", arg, 0, 1000000, &v) < 0)
			return -EINVAL;
		o->idle_us = (uint32_t)v;
		return 0;
	case OPT_BACKOFF_US:
		if (parse_u64("backoff-us", arg, 0, VQOS_GEN_BACKOFF_MAX_US, &v) < 0)
			return -EINVAL;
		o->backoff_us = (uint32_t)v;
		return 0;
	case OPT_QUEUES:
		if (parse_u64("queues", arg, 1, VQOS_GEN_QUEUES_MAX, &v) < 0)
			return -EINVAL;
		o->queues = (uint16_t)v;
		return 0;
	case OPT_QUIET:
		o->quiet = true;
		return 0;
	case OPT_HELP:
		return 1;
	case OPT_VERSION:
		return 2;
	default:
		return -EINVAL;
	}
}

/* A port option given after --port: replayed onto that port's copy of the defaults. */
struct override {
	int port;
	int c;
	const char *arg;
};

/*
 * Give every ethdev index its options: the defaults, then its own options in
 * the order given; then its id, and the checks that need the whole set.
 */
static int resolve_ports(struct vqos_gen_opts *o, const struct vqos_gen_port_opts *def,
			 const struct override *ov, int nb_ov)
{
	uint32_t pid = (uint32_t)getpid();
	int i, k;

	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		struct vqos_gen_port_opts *p = &o->port[i];

		*p = *def;
		p->have_id = false;
		for (k = 0; k < nb_ov; k++)
			if (ov[k].port == i && parse_port_one(ov[k].c, ov[k].arg, p) < 0)
				return -EINVAL; /* checked once already: cannot happen */
		/* Distinct ids, so that one sink tells the ports of one generator apart. */
		if (!p->have_id)
			p->id = def->have_id ? def->id + (uint32_t)i
					     : pid + (uint32_t)i * VQOS_GEN_ID_PORT_STRIDE;
		/* A tagged frame needs 4 more bytes in front of the payload header. */
		if (p->have_vlan && p->mix.smallest < VQOS_GEN_SIZE_MIN_VLAN) {
			fprintf(stderr,
				"vqos-gen: --size %u with --vlan (ethdev %d): a tagged frame "
				"needs at least %d bytes\n",
				p->mix.smallest, i, VQOS_GEN_SIZE_MIN_VLAN);
			return -EINVAL;
		}
	}
	return 0;
}

int vqos_gen_parse_opts(int argc, char **argv, struct vqos_gen_opts *o)
{
	struct vqos_gen_port_opts def = {
		.rate_str = "max",
		.rate_mode = VQOS_GEN_RATE_MAX,
		.flows = 1,
	};
	struct vqos_gen_port_opts scratch;
	struct override *ov = calloc((size_t)argc, sizeof(*ov));
	int c, rc = 0, cur = -1, nb_ov = 0;
	uint64_t v;

	if (ov == NULL)
		return -ENOMEM;
	*o = (struct vqos_gen_opts){
		.duration_s = 5.0,
		.linger_s = 1.0,
		.queues = 1,
		.wait_link_s = 10.0,
		.idle_us = 10,
		.max_port = -1,
	};
	(void)parse_size("64", &def.mix);
	optind = 0; /* glibc: restart scanning from argv[1] */
	while (rc == 0 && (c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (c == OPT_PORT) {
			rc = parse_u64("port", optarg, 0, RTE_MAX_ETHPORTS - 1, &v);
			if (rc == 0)
				cur = (int)v;
			o->max_port = RTE_MAX(o->max_port, cur);
		} else if (c >= OPT_SIZE && c <= OPT_PORT_LAST && cur < 0) {
			rc = parse_port_one(c, optarg, &def);
		} else if (c >= OPT_SIZE && c <= OPT_PORT_LAST) {
			/* Checked now, so that the message comes before EAL starts. */
			scratch = def;
			rc = parse_port_one(c, optarg, &scratch);
			ov[nb_ov++] = (struct override){ .port = cur, .c = c, .arg = optarg };
		} else {
			rc = parse_global_one(c, optarg, o);
		}
	}
	if (rc == 1) {
		vqos_gen_usage(stdout, argv[0]);
	} else if (rc == 2) {
		printf("vqos-gen %s\n", VQOS_VERSION);
		rc = 1;
	} else if (rc < 0) {
		vqos_gen_usage(stderr, argv[0]);
	} else if (optind < argc) {
		fprintf(stderr, "vqos-gen: unexpected argument '%s'\n", argv[optind]);
		rc = -EINVAL;
	} else {
		rc = resolve_ports(o, &def, ov, nb_ov);
	}
	free(ov);
	return rc;
}
