/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosctl: connects, sends one request, prints the reply, exits — like
 * ovs-appctl. Exit status: 0 done, 1 refused by vqosd, 2 cannot talk to it.
 *
 * The reply is JSON; -j prints it as it is, and the text view is rendered
 * from the very same JSON (print.c), so the two never disagree.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl/vqos_ctl.h"
#include "vqos_version.h"
#include "vqosctl_calibrate.h"
#include "vqosctl_print.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vqosctl [-S SOCKET] [-s] [-j] COMMAND [ARG...]\n"
		"  -S, --socket SOCKET  vqosd's control socket (default %s,\n"
		"                       or $VQOS_SOCKET); -s PATH (with a '/') also works\n"
		"  -s, --stats          show statistics\n"
		"  -j, --json           print JSON\n"
		"  -i, --interval SECONDS  bottleneck: judge over this interval\n"
		"  --version            print vqosctl's version and exit (`version`: vqosd's)\n"
		"  -h, --help           this text\n"
		"commands: port show [PORT], port add NAME socket PATH uplink DEVARGS [mode M],\n"
		"          port del NAME, port cost NAME [packet CYCLES] [byte CYCLES] | none,\n"
		"          qdisc show, qdisc replace tx|rx KIND,\n"
		"          class show [tx|rx] [port PORT],\n"
		"          class add|change|replace|del tx|rx name NAME [parent P] [port PORT]\n"
		"            [rate R] [ceil C] [burst B] [cburst B] [prio N] [quantum Q]\n"
		"            [pps N] [cpps N] [cps N] [ccps N] [limit N], reload, config dump,\n"
		"          lcore show, bottleneck [-j] [-i SECONDS], stats --prometheus,\n"
		"          version, list-commands,\n"
		"          cost calibrate [--appctl CMD] [--interval SECONDS] [--samples N]\n"
		"            (OVS's cycles per packet and per byte, from its pmd-stats and\n"
		"            vqosd's counters: run while containers send frames of different\n"
		"            sizes in different intervals)\n",
		VQOS_CTL_DEFAULT_SOCKET);
}

/*
 * One request: @p argv as words. On success *result is the result (the
 * caller owns it). @return the exit status: 0, 1 refused, 2 cannot talk.
 */
static int request(const char *path, int argc, const char *const *argv, bool stats, json_t **result)
{
	char err[4096];
	int ret = vqos_ctl_call(path, argc, argv, stats, result, err, sizeof(err));

	if (ret == 0)
		return 0;
	fprintf(stderr, "vqosctl: %s\n", err);
	return ret == VQOS_CTL_CALL_NO_TALK ? 2 : 1;
}

/* Take `port show` and `lcore show` now. @return as request(). */
static int sample(const char *path, json_t **ports, json_t **lcores)
{
	static const char *const port_show[] = { "port", "show" };
	static const char *const lcore_show[] = { "lcore", "show" };
	int ret = request(path, 2, port_show, false, ports);

	if (ret == 0)
		ret = request(path, 2, lcore_show, false, lcores);
	return ret;
}

/* bottleneck -i SECONDS: sample twice, SECONDS apart, and judge here with
 * the rules vqosd uses for its own one-second view. */
static int bottleneck_interval(const char *path, double seconds, json_t **result)
{
	json_t *pa = NULL, *la = NULL, *pb = NULL, *lb = NULL;
	struct timespec t0, t1;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = sample(path, &pa, &la);
	if (ret == 0) {
		usleep((useconds_t)(seconds * 1e6));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ret = sample(path, &pb, &lb);
	}
	if (ret == 0)
		*result = vqos_ctl_bottleneck(pa, la, pb, lb,
					      (double)(t1.tv_sec - t0.tv_sec) +
						      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	json_decref(pa);
	json_decref(la);
	json_decref(pb);
	json_decref(lb);
	return ret;
}

/* -i SECONDS: a number of seconds in (0, 3600]. */
static int parse_interval(const char *arg, double *seconds)
{
	char *end;

	*seconds = strtod(arg, &end);
	if (*end != '\0' || !(*seconds > 0 && *seconds <= 3600)) {
		fprintf(stderr, "vqosctl: -i: '%s' is not a number of seconds in (0, 3600]\n", arg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "stats", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("VQOS_SOCKET");
	bool json = false, stats = false, path_given = path != NULL;
	double interval = 0;
	const char *const *words;
	int c, ret, nwords;
	json_t *result = NULL;

	if (path == NULL)
		path = VQOS_CTL_DEFAULT_SOCKET;
	/* '+': options end at the first command word, as for tc. */
	while ((c = getopt_long(argc, argv, "+S:sji:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			path = optarg;
			path_given = true;
			break;
		case 's':
			/* tc's -s is statistics; a following path is the socket. */
			if (optind < argc && strchr(argv[optind], '/') != NULL) {
				path = argv[optind++];
				path_given = true;
			} else
				stats = true;
			break;
		case 'j':
			json = true;
			break;
		case 'i':
			if (parse_interval(optarg, &interval) < 0)
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vqosctl %s\n", VQOS_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	words = (const char *const *)argv + optind;
	nwords = argc - optind;
	/* the one command the client runs itself: it asks OVS too */
	if (nwords >= 2 && strcmp(words[0], "cost") == 0 && strcmp(words[1], "calibrate") == 0)
		return vqosctl_calibrate(path, path_given, nwords - 2, argv + optind + 2, json,
					 request);
	/* `bottleneck [-j] [-i SECONDS]`: its options may follow its word. */
	if (strcmp(words[0], "bottleneck") == 0) {
		optind++;
		while ((c = getopt_long(argc, argv, "+ji:", opts, NULL)) != -1) {
			if (c == 'j') {
				json = true;
			} else if (c == 'i') {
				if (parse_interval(optarg, &interval) < 0)
					return 2;
			} else {
				usage(stderr);
				return 2;
			}
		}
		nwords = 1;
	}
	if (interval > 0 && strcmp(words[0], "bottleneck") == 0)
		ret = bottleneck_interval(path, interval, &result);
	else
		ret = request(path, nwords, words, stats, &result);
	if (ret != 0)
		return ret;
	if (json)
		ret = json_dumpf(result, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY) == 0 &&
		      fputc('\n', stdout) != EOF;
	else
		ret = vqosctl_print(stdout, nwords, words, stats, result) == 0;
	json_decref(result);
	return ret ? 0 : 2;
}
