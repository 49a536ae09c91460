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

#include "tools/gen.h"

/* Rates above these are not pacing but "as fast as possible": say max. */
#define RATE_PPS_LIMIT 1000000000ull   /* 1 Gpps */
#define RATE_BPS_LIMIT 100000000000ull /* 100 Gbit/s */

void vqos_gen_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL args] -- [options]\n"
		"EAL args must create exactly one ethdev, e.g. --vdev net_virtio_user0,path=SOCK\n"
		"options:\n"
		"  --size N       frame length in bytes without FCS, %d..%d (64)\n"
		"  --rate R       offered rate: max, 0 (send nothing), or tc units:\n"
		"                 bit/kbit/mbit/gbit, bps/kbps/..., pps/kpps/mpps (max)\n"
		"  --duration S   seconds of sending, float (5)\n"
		"  --count N      stop sending after N packets (no limit)\n"
		"  --delay S      after link up, only receive for S seconds before sending (0)\n"
		"  --linger S     keep receiving S seconds after sending ends (1)\n"
		"  --wait-link S  wait up to S seconds for link up (10)\n"
		"  --flows N      distinct flows (UDP source ports), 1..%d (1)\n"
		"  --idle-us N    sleep N us when an iteration did nothing and rate is\n"
		"                 not max; 0 = busy poll (10)\n"
		"  --rx-delay-us N  sleep N us after every received burst: plays a slow\n"
		"                 container that drains its rx vring slowly (0)\n"
		"  --id N         generator id written in every frame (pid)\n"
		"  --dst-mac MAC  destination MAC (broadcast)\n"
		"  --quiet        no progress lines on stderr\n"
		"  --help         this text\n",
		prog, VQOS_GEN_SIZE_MIN, VQOS_GEN_SIZE_MAX, 65536 - VQOS_GEN_UDP_SRC_BASE);
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

static int parse_rate(const char *s, struct vqos_gen_opts *o)
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

enum {
	OPT_SIZE = 256,
	OPT_RATE,
	OPT_DURATION,
	OPT_COUNT,
	OPT_DELAY,
	OPT_LINGER,
	OPT_WAIT_LINK,
	OPT_FLOWS,
	OPT_IDLE_US,
	OPT_RX_DELAY_US,
	OPT_ID,
	OPT_DST_MAC,
	OPT_QUIET,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "linger", required_argument, NULL, OPT_LINGER },
	{ "wait-link", required_argument, NULL, OPT_WAIT_LINK },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "idle-us", required_argument, NULL, OPT_IDLE_US },
	{ "rx-delay-us", required_argument, NULL, OPT_RX_DELAY_US },
	{ "id", required_argument, NULL, OPT_ID },
	{ "dst-mac", required_argument, NULL, OPT_DST_MAC },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Handle one option; 1 for --help, 0 or -EINVAL. */
static int parse_one(int c, const char *arg, struct vqos_gen_opts *o)
{
	uint64_t v;

	switch (c) {
	case OPT_SIZE:
		if (parse_u64("size", arg, VQOS_GEN_SIZE_MIN, VQOS_GEN_SIZE_MAX, &v) < 0)
			return -EINVAL;
		o->size = (uint32_t)v;
		return 0;
	case OPT_RATE:
		return parse_rate(arg, o);
	case OPT_DURATION:
		return parse_seconds("duration", arg, &o->duration_s);
	case OPT_COUNT:
		return parse_u64("count", arg, 1, UINT64_MAX, &o->count);
	case OPT_DELAY:
		return parse_seconds("delay", arg, &o->delay_s);
	case OPT_LINGER:
		return parse_seconds("linger", arg, &o->linger_s);
	case OPT_WAIT_LINK:
		return parse_seconds("wait-link", arg, &o->wait_link_s);
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
	case OPT_IDLE_US:
		if (parse_u64("idle-us", arg, 0, 1000000, &v) < 0)
			return -EINVAL;
		o->idle_us = (uint32_t)v;
		return 0;
	case OPT_ID:
		if (parse_u64("id", arg, 0, UINT32_MAX, &v) < 0)
			return -EINVAL;
		o->id = (uint32_t)v;
		return 0;
	case OPT_DST_MAC:
		if (rte_ether_unformat_addr(arg, &o->dst_mac) < 0) {
			fprintf(stderr, "vqos-gen: --dst-mac: '%s' is not a MAC address\n", arg);
			return -EINVAL;
		}
		o->have_dst_mac = true;
		return 0;
	case OPT_QUIET:
		o->quiet = true;
		return 0;
	case OPT_HELP:
		return 1;
	default:
		return -EINVAL;
	}
}

int vqos_gen_parse_opts(int argc, char **argv, struct vqos_gen_opts *o)
{
	int c, rc;

	*o = (struct vqos_gen_opts){
		.size = 64,
		.rate_str = "max",
		.rate_mode = VQOS_GEN_RATE_MAX,
		.duration_s = 5.0,
		.linger_s = 1.0,
		.wait_link_s = 10.0,
		.flows = 1,
		.idle_us = 10,
		.id = (uint32_t)getpid(),
	};
	optind = 0; /* glibc: restart scanning from argv[1] */
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		rc = parse_one(c, optarg, o);
		if (rc == 1) {
			vqos_gen_usage(stdout, argv[0]);
			return 1;
		}
		if (rc < 0) {
			vqos_gen_usage(stderr, argv[0]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vqos-gen: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}
