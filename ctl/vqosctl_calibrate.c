/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosctl cost calibrate: run OVS's and vqosd's counters side by side, fit
 * OVS's cost per packet and per byte (ctl/calibrate.c), print it and the
 * `vqosctl port cost` commands that apply it.
 *
 *     for each of N intervals:
 *         ovs-appctl dpif-netdev/pmd-stats-clear
 *         vqosd: port show           tx packets and bytes of every port
 *         sleep S
 *         ovs-appctl dpif-netdev/pmd-stats-show     processing cycles
 *         vqosd: port show           the difference is what OVS was given
 *     fit cycles = a packets + b bytes
 *
 * The traffic is the user's: the intervals must differ in mean frame length
 * (a container sending 64-byte frames in some, 1500-byte ones in others),
 * and each interval's progress is printed on stderr as it ends, so the
 * traffic can be changed between them. ovs-appctl is run without a shell:
 * --appctl is split at blanks.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "calibrate.h"
#include "ctl/vqos_ctl.h"
#include "vqosctl_calibrate.h"

/* Most words of --appctl, and most bytes of its output read. */
#define APPCTL_WORDS  16
#define APPCTL_OUTPUT (1u << 20)
/* Bounds of --samples and --interval. */
#define SAMPLES_MAX  1000
#define INTERVAL_MAX 3600.0

struct options {
	char *appctl[APPCTL_WORDS + 2];
	char *appctl_text;
	double interval;
	long samples;
};

/* One interval: the sample, and what OVS itself counted. */
struct interval {
	double seconds;
	struct vqos_ctl_calib_sample s;
	uint64_t ovs_packets;
};

static int usage_error(const char *what)
{
	fprintf(stderr,
		"vqosctl: cost calibrate: %s\n"
		"usage: vqosctl cost calibrate [--appctl CMD] [--interval SECONDS] "
		"[--samples N]\n",
		what);
	return 2;
}

static int parse_options(int argc, char *const *argv, struct options *o)
{
	char *save = NULL, *w;
	int n = 0;

	o->appctl_text = strdup("ovs-appctl");
	o->interval = 2;
	o->samples = 6;
	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;

		if (v == NULL)
			return usage_error("an option without its value");
		if (strcmp(argv[i], "--appctl") == 0) {
			free(o->appctl_text);
			o->appctl_text = strdup(v);
		} else if (strcmp(argv[i], "--interval") == 0) {
			o->interval = strtod(v, &end);
			if (*end != '\0' || !(o->interval > 0 && o->interval <= INTERVAL_MAX))
				return usage_error(
					"--interval: not a number of seconds in (0, 3600]");
		} else if (strcmp(argv[i], "--samples") == 0) {
			o->samples = strtol(v, &end, 10);
			if (*end != '\0' || o->samples < 2 || o->samples > SAMPLES_MAX)
				return usage_error("--samples: not a whole number from 2 to 1000");
		} else {
			return usage_error("unknown option");
		}
		i++;
	}
	if (o->appctl_text == NULL)
		return usage_error("out of memory");
	for (w = strtok_r(o->appctl_text, " \t", &save); w != NULL && n < APPCTL_WORDS;
	     w = strtok_r(NULL, " \t", &save))
		o->appctl[n++] = w;
	if (n == 0 || w != NULL)
		return usage_error("--appctl: a command of 1 to 16 words");
	return 0;
}

/* Run the appctl command with @p sub; its output in *@p text (malloc'ed).
 * Returns 0, or -1 with a message on stderr. */
static int appctl(struct options *o, const char *sub, char **text)
{
	size_t n = 0, len = 0;
	int fd[2], status;
	pid_t pid;
	char *buf;

	while (o->appctl[n] != NULL)
		n++;
	o->appctl[n] = (char *)sub;
	if (pipe(fd) < 0) {
		fprintf(stderr, "vqosctl: pipe: %s\n", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execvp(o->appctl[0], o->appctl);
		fprintf(stderr, "vqosctl: %s: %s\n", o->appctl[0], strerror(errno));
		_exit(127);
	}
	o->appctl[n] = NULL;
	close(fd[1]);
	buf = malloc(APPCTL_OUTPUT + 1);
	/* read it all (what is over the limit is dropped), so the child ends */
	while (pid > 0 && buf != NULL) {
		char rest[4096];
		ssize_t r = len < APPCTL_OUTPUT ? read(fd[0], buf + len, APPCTL_OUTPUT - len)
						: read(fd[0], rest, sizeof(rest));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += len < APPCTL_OUTPUT ? (size_t)r : 0;
	}
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || buf == NULL) {
		fprintf(stderr, "vqosctl: running %s: %s\n", o->appctl[0], strerror(errno));
		free(buf);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "vqosctl: %s %s failed (status %d)\n", o->appctl[0], sub,
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Tx packets and bytes of port @p name in a port show result (0 if gone). */
static void port_tx(const json_t *ports, const char *name, double *packets, double *bytes)
{
	const json_t *p;
	size_t i;

	*packets = *bytes = 0;
	json_array_foreach (ports, i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0) {
			const json_t *tx = json_object_get(p, "tx");

			*packets = (double)json_integer_value(json_object_get(tx, "packets"));
			*bytes = (double)json_integer_value(json_object_get(tx, "bytes"));
		}
}

/* Add @p name to the array @p names unless it is there. */
static void add_once(json_t *names, const char *name)
{
	const json_t *s;
	size_t k;

	json_array_foreach (names, k, s)
		if (strcmp(json_string_value(s), name) == 0)
			return;
	json_array_append_new(names, json_string(name));
}

/*
 * One interval into @p iv; the ports that sent in it join @p senders (an
 * array of names). Returns 0, or 2 (vqosd or OVS could not be asked).
 */
static int sample(const char *path, struct options *o, vqosctl_request_fn request,
		  struct interval *iv, json_t *senders)
{
	static const char *const port_show[] = { "port", "show" };
	json_t *a = NULL, *b = NULL;
	struct vqos_ctl_calib_pmd pmd;
	char *text = NULL, err[256];
	double t0, t1;
	const json_t *p;
	size_t i;
	int ret = 2;

	if (appctl(o, "dpif-netdev/pmd-stats-clear", &text) < 0)
		return 2;
	free(text);
	text = NULL;
	t0 = now_s();
	if (request(path, 2, port_show, false, &a) != 0)
		goto out;
	nanosleep(&(struct timespec){ .tv_sec = (time_t)o->interval,
				      .tv_nsec = (long)((o->interval - floor(o->interval)) * 1e9) },
		  NULL);
	if (appctl(o, "dpif-netdev/pmd-stats-show", &text) < 0)
		goto out;
	if (request(path, 2, port_show, false, &b) != 0)
		goto out;
	t1 = now_s();
	if (vqos_ctl_calib_parse_pmd(text, &pmd, err, sizeof(err)) < 0) {
		fprintf(stderr, "vqosctl: %s\n", err);
		goto out;
	}
	*iv = (struct interval){ .seconds = t1 - t0,
				 .s.cycles = (double)pmd.busy_cycles,
				 .ovs_packets = pmd.packets };
	json_array_foreach (b, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		double pa, ba, pb, bb;

		port_tx(a, name, &pa, &ba);
		port_tx(b, name, &pb, &bb);
		iv->s.packets += pb - pa;
		iv->s.bytes += bb - ba;
		if (pb > pa)
			add_once(senders, name);
	}
	ret = 0;
out:
	free(text);
	json_decref(a);
	json_decref(b);
	return ret;
}

static json_t *intervals_json(const struct interval *iv, long n)
{
	json_t *rows = json_array();

	for (long i = 0; i < n; i++)
		json_array_append_new(rows, json_pack("{s:f, s:I, s:I, s:I, s:I}", "seconds",
						      iv[i].seconds, "packets",
						      (json_int_t)iv[i].s.packets, "bytes",
						      (json_int_t)iv[i].s.bytes, "ovs_cycles",
						      (json_int_t)iv[i].s.cycles, "ovs_packets",
						      (json_int_t)iv[i].ovs_packets));
	return rows;
}

static void print_intervals(FILE *f, const struct interval *iv, long n,
			    const struct vqos_ctl_calib_fit *fit)
{
	fprintf(f, "%-8s  %7s  %12s  %14s  %10s  %12s  %15s  %10s%s\n", "INTERVAL", "SECONDS",
		"PACKETS", "BYTES", "MEAN-BYTES", "OVS-PACKETS", "OVS-CYCLES", "CYCLES/PKT",
		fit != NULL ? "  FIT-ERROR" : "");
	for (long i = 0; i < n; i++) {
		const struct vqos_ctl_calib_sample *s = &iv[i].s;
		double want = fit != NULL ? fit->a * s->packets + fit->b * s->bytes : 0;

		fprintf(f, "%-8ld  %7.3f  %12.0f  %14.0f  %10.1f  %12llu  %15.0f  %10.1f", i + 1,
			iv[i].seconds, s->packets, s->bytes,
			s->packets > 0 ? s->bytes / s->packets : 0,
			(unsigned long long)iv[i].ovs_packets, s->cycles,
			s->packets > 0 ? s->cycles / s->packets : 0);
		if (fit != NULL && s->cycles > 0)
			fprintf(f, "  %+9.2f%%", (want / s->cycles - 1) * 100);
		fputc('\n', f);
	}
}

/* The `vqosctl port cost` command of each port that sent. */
static json_t *commands(const char *path, bool path_given, const json_t *senders,
			const struct vqos_ctl_calib_fit *fit)
{
	json_t *out = json_array();
	const json_t *s;
	char line[512];
	size_t i;

	json_array_foreach (senders, i, s) {
		snprintf(line, sizeof(line), "vqosctl%s%s port cost %s packet %.0f byte %.4f",
			 path_given ? " -S " : "", path_given ? path : "", json_string_value(s),
			 fit->a, fit->b);
		json_array_append_new(out, json_string(line));
	}
	return out;
}

int vqosctl_calibrate(const char *path, bool path_given, int argc, char *const *argv, bool json,
		      vqosctl_request_fn request)
{
	struct options o = { 0 };
	struct vqos_ctl_calib_fit fit;
	struct vqos_ctl_calib_sample *s;
	struct interval *iv;
	json_t *senders = json_array(), *cmds;
	char err[512];
	int ret = parse_options(argc, argv, &o);

	if (ret != 0) {
		free(o.appctl_text);
		json_decref(senders);
		return ret;
	}
	iv = calloc((size_t)o.samples, sizeof(*iv));
	s = calloc((size_t)o.samples, sizeof(*s));
	for (long i = 0; iv != NULL && s != NULL && ret == 0 && i < o.samples; i++) {
		ret = sample(path, &o, request, &iv[i], senders);
		s[i] = iv[i].s;
		/* as it goes: the traffic may be changed between intervals */
		if (ret == 0)
			fprintf(stderr,
				"interval %ld of %ld: %.0f packets of %.1f bytes on average, %.0f "
				"OVS cycles\n",
				i + 1, o.samples, iv[i].s.packets,
				iv[i].s.packets > 0 ? iv[i].s.bytes / iv[i].s.packets : 0,
				iv[i].s.cycles);
	}
	if (iv == NULL || s == NULL)
		ret = usage_error("out of memory");
	if (ret != 0)
		goto out;
	if (vqos_ctl_calib_fit(s, (size_t)o.samples, &fit, err, sizeof(err)) < 0) {
		/* what it saw, then why it will not say */
		if (json) {
			json_t *r = json_pack("{s:o, s:s}", "intervals",
					      intervals_json(iv, o.samples), "error", err);

			json_dumpf(r, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(r);
		} else {
			print_intervals(stdout, iv, o.samples, NULL);
		}
		fprintf(stderr, "vqosctl: cost calibrate: %s\n", err);
		ret = 1;
		goto out;
	}
	cmds = commands(path, path_given, senders, &fit);
	if (json) {
		json_t *r = json_pack("{s:o, s:f, s:f, s:f, s:f, s:o}", "intervals",
				      intervals_json(iv, o.samples), "packet", fit.a, "byte", fit.b,
				      "residual", fit.residual, "condition", fit.condition,
				      "commands", cmds);

		json_dumpf(r, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(r);
	} else {
		const json_t *c;
		size_t i;

		print_intervals(stdout, iv, o.samples, &fit);
		printf("cost: %.1f cycles/packet + %.4f cycles/byte (residual %.2f%% of the "
		       "cycles, "
		       "condition number %.3g)%s%s\n",
		       fit.a, fit.b, fit.residual * 100, fit.condition,
		       fit.a_zero ? "; a came out negative: fitted by bytes alone" : "",
		       fit.b_zero ? "; b came out negative: fitted by packets alone" : "");
		printf("to apply it:\n");
		json_array_foreach (cmds, i, c)
			printf("  %s\n", json_string_value(c));
		if (json_array_size(cmds) == 0)
			printf("  vqosctl port cost NAME packet %.0f byte %.4f\n", fit.a, fit.b);
		json_decref(cmds);
	}
out:
	free(iv);
	free(s);
	free(o.appctl_text);
	json_decref(senders);
	return ret;
}
