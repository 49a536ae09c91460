/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos, the CNI plugin: what the runtime runs (installed as /usr/lib/cni/vqos).
 *
 * It reads CNI_* and stdin, decides with cni/'s functions, and talks to
 * vqosd with one or two requests of the control protocol (vqos_ctl_call()):
 *
 *   ADD    config dump (which trees run), then port add NAME socket ...
 *          uplink ... mode ... tx CLASS... rx CLASS...: the port and its
 *          leaves in one change, so its limits hold from its first packet
 *   CHECK  config dump, compared with what ADD would ask now
 *   DEL    port del NAME; a port already gone, or no vqosd to ask (its
 *          runtime ports do not outlive it), is done
 *
 * Output: the result or the error object on stdout, nothing else there;
 * exit status 0 or 1. With an argument it is a command line tool
 * (--help, --version).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/vqos_cni.h"
#include "conf/vqos_conf.h"
#include "ctl/vqos_ctl.h"
#include "vqos_version.h"

/* The most stdin the plugin reads: a configuration and a previous result. */
#define STDIN_MAX (4u << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vqos [--help | --version]\n"
		"A CNI plugin, run by a container runtime as the CNI specification (0.4.0, "
		"1.0.0) says:\n"
		"  CNI_COMMAND=ADD|DEL|CHECK|VERSION, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME,\n"
		"  CNI_ARGS (VQOS_RATE, VQOS_PPS, VQOS_CPPS, VQOS_PRIO, VQOS_BURST), the network\n"
		"  configuration on stdin; the result or error as JSON on stdout.\n"
		"It gives the pod's vhost-user port a vqosd port and leaf classes (egress: tx,\n"
		"ingress: rx) in one `port add`. See vqos-cni(8).\n"
		"  --help      print this and exit\n"
		"  --version   print the version and exit\n");
}

/* All of stdin (malloc'ed, NUL-terminated), its length in @p len; NULL if too long. */
static char *read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0, r;
	char *buf = malloc(cap), *nbuf;

	while (buf != NULL && (r = fread(buf + n, 1, cap - n - 1, stdin)) > 0) {
		n += r;
		if (n + 1 == cap) {
			nbuf = cap < STDIN_MAX ? realloc(buf, cap * 2) : NULL;
			if (nbuf == NULL)
				free(buf);
			buf = nbuf;
			cap *= 2;
		}
	}
	if (buf != NULL)
		buf[n] = '\0';
	*len = n;
	return buf;
}

static int print_error(const char *version, const struct vqos_cni_error *e)
{
	char *text = vqos_cni_error_text(version, e);

	printf("%s\n", text ? text : "{\"code\": 100, \"msg\": \"out of memory\"}");
	free(text);
	return 1;
}

/* One request to vqosd; its failure as the runtime's error. */
static int call(const struct vqos_cni_conf *conf, int argc, const char *const *argv,
		json_t **result, struct vqos_cni_error *e)
{
	char err[1024];
	int ret = vqos_ctl_call(conf->control, argc, argv, false, result, err, sizeof(err));

	if (ret == VQOS_CTL_CALL_NO_TALK)
		return vqos_cni_fail(e, VQOS_CNI_E_AGAIN, err,
				     "cannot reach vqosd at %s: is it running? (key 'control' "
				     "names its control socket)",
				     conf->control);
	if (ret < 0) {
		vqos_cni_fail(e, VQOS_CNI_E_REFUSED, NULL, "vqosd refused `%s %s` for port %s: %s",
			      argv[0], argv[1], conf->port, err);
		return ret;
	}
	return 0;
}

/* vqosd's running configuration, as its `config dump` writes it. */
static int running(const struct vqos_cni_conf *conf, struct vqos_conf **out,
		   struct vqos_cni_error *e)
{
	static const char *const argv[] = { "config", "dump" };
	json_t *text = NULL;
	char err[1024];
	int ret = call(conf, 2, argv, &text, e);

	if (ret == 0 && vqos_conf_load_string(json_string_value(text) ?: "", "vqosd's config dump",
					      out, err, sizeof(err)) < 0)
		ret = vqos_cni_fail(e, VQOS_CNI_E_REFUSED, err,
				    "vqosd's running configuration does not read back");
	json_decref(text);
	return ret < 0 ? -1 : 0;
}

static int cmd_add(const struct vqos_cni_conf *conf, struct vqos_cni_error *e)
{
	struct vqos_cni_leaf leaf[2];
	struct vqos_conf *run = NULL;
	const char *argv[VQOS_CNI_ARGV_MAX];
	json_t *applied = NULL, *result;
	int ret = running(conf, &run, e);

	if (ret == 0)
		ret = vqos_cni_leaves(conf, run, leaf, e);
	vqos_conf_free(run);
	if (ret == 0)
		ret = call(conf, vqos_cni_port_add_argv(conf, leaf, argv), argv, &applied, e);
	json_decref(applied);
	if (ret < 0)
		return -1;
	result = vqos_cni_result(conf);
	if (result == NULL)
		return vqos_cni_fail(e, VQOS_CNI_E_REFUSED, NULL, "out of memory");
	json_dumpf(result, stdout, JSON_INDENT(2));
	printf("\n");
	json_decref(result);
	return 0;
}

static int cmd_check(const struct vqos_cni_conf *conf, struct vqos_cni_error *e)
{
	struct vqos_cni_leaf leaf[2];
	struct vqos_conf *run = NULL;
	int ret = running(conf, &run, e);

	if (ret == 0)
		ret = vqos_cni_leaves(conf, run, leaf, e);
	if (ret == 0)
		ret = vqos_cni_check(conf, leaf, run, e);
	vqos_conf_free(run);
	return ret;
}

static int cmd_del(const struct vqos_cni_conf *conf, struct vqos_cni_error *e)
{
	const char *argv[] = { "port", "del", conf->port };
	json_t *applied = NULL;
	char err[1024];
	int ret = vqos_ctl_call(conf->control, 3, argv, false, &applied, err, sizeof(err));

	json_decref(applied);
	/* nothing left to remove: a vqosd that stopped took its runtime ports along */
	if (ret == VQOS_CTL_CALL_NO_TALK) {
		fprintf(stderr, "vqos: DEL of port %s: no vqosd to ask (%s): nothing to remove\n",
			conf->port, err);
		return 0;
	}
	if (ret == -ENOENT || ret == 0)
		return 0;
	return vqos_cni_fail(e, VQOS_CNI_E_REFUSED, NULL, "vqosd refused port del %s: %s",
			     conf->port, err);
}

int main(int argc, char **argv)
{
	struct vqos_cni_env env = {
		.command = getenv("CNI_COMMAND"),
		.container_id = getenv("CNI_CONTAINERID"),
		.netns = getenv("CNI_NETNS"),
		.ifname = getenv("CNI_IFNAME"),
		.args = getenv("CNI_ARGS"),
	};
	struct vqos_cni_conf conf;
	struct vqos_cni_error e = { 0 };
	int cmd, ret;
	size_t len;
	char *text;

	if (argc > 1) {
		if (strcmp(argv[1], "--version") == 0) {
			printf("vqos (CNI plugin) %s\n", VQOS_VERSION);
			return 0;
		}
		usage(strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	cmd = vqos_cni_cmd_parse(env.command);
	if (cmd < 0) {
		vqos_cni_fail(&e, VQOS_CNI_E_ENV, "ADD, DEL, CHECK or VERSION",
			      "CNI_COMMAND %s%s%s", env.command ? "'" : "",
			      env.command ? env.command : "is not set",
			      env.command ? "' is not a CNI command" : "");
		return print_error(NULL, &e);
	}
	text = read_stdin(&len);
	if (text == NULL) {
		vqos_cni_fail(&e, VQOS_CNI_E_DECODE, NULL, "stdin: over %u bytes, or out of memory",
			      STDIN_MAX);
		return print_error(NULL, &e);
	}
	if (cmd == VQOS_CNI_VERSION) {
		char *out = vqos_cni_version_text(text, len);

		free(text);
		printf("%s\n", out ? out : "");
		free(out);
		return out ? 0 : 1;
	}
	ret = vqos_cni_conf_parse(cmd, text, len, &env, &conf, &e);
	free(text);
	if (ret == 0)
		ret = cmd == VQOS_CNI_ADD   ? cmd_add(&conf, &e)
		      : cmd == VQOS_CNI_DEL ? cmd_del(&conf, &e)
					    : cmd_check(&conf, &e);
	if (ret < 0)
		print_error(conf.version, &e);
	vqos_cni_conf_release(&conf);
	return ret < 0 ? 1 : 0;
}
