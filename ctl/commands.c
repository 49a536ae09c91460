/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command table. One row per command: its words, usage, how many
 * arguments it takes, and its handler. vqos_ctl_dispatch() finds the row
 * whose words match the longest prefix of the request, checks the argument
 * count, and runs the handler, which returns 0 with a result or a negative
 * errno with a message: exactly one reply per request.
 */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/vqos_ctl.h"
#include "policy/vqos_policy.h"

#define VQOS_VERSION_STRING "0.1.0"

struct command {
	const char *words; /* space-separated command words */
	const char *usage; /* arguments, for list-commands and errors */
	int min_args;
	int max_args;
	bool writes; /* changes things: root or the admin group only */
	int (*handler)(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req, int argc,
		       const char *const *argv, json_t **result, char *err, size_t errlen);
};

static json_t *dir_json(const struct vqos_ctl_dir *d)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "offered",
			 (json_int_t)d->offered, "packets", (json_int_t)d->packets, "bytes",
			 (json_int_t)d->bytes, "drops", (json_int_t)d->drops, "shaped",
			 (json_int_t)d->shaped, "backlog", (json_int_t)d->backlog, "backlogged",
			 (json_int_t)d->backlogged, "uplink_full", (json_int_t)d->uplink_full,
			 "vring_full", (json_int_t)d->vring_full, "link_down",
			 (json_int_t)d->link_down);
}

struct port_show {
	json_t *rows;
	const char *only; /* NULL or the one port to show */
};

static void port_row(void *arg, const struct vqos_ctl_port *p)
{
	struct port_show *ps = arg;

	if (ps->only != NULL && strcmp(ps->only, p->name) != 0)
		return;
	json_array_append_new(ps->rows, json_pack("{s:s, s:s, s:s, s:b, s:s, s:b, s:i, s:o, s:o}",
						  "name", p->name, "socket", p->socket, "mode",
						  p->client ? "client" : "server", "connected",
						  p->connected, "uplink", p->uplink, "uplink_up",
						  p->uplink_up, "lcore", (int)p->lcore, "tx",
						  dir_json(&p->tx), "rx", dir_json(&p->rx)));
}

json_t *vqos_ctl_ports_json(const struct vqos_ctl_ops *ops)
{
	struct port_show ps = { .rows = json_array() };

	ops->port_foreach(ops->aux, port_row, &ps);
	return ps.rows;
}

static int cmd_port_show(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			 int argc, const char *const *argv, json_t **result, char *err,
			 size_t errlen)
{
	struct port_show ps = { .rows = json_array(), .only = argc > 0 ? argv[0] : NULL };

	env->ops->port_foreach(env->ops->aux, port_row, &ps);
	if (ps.only != NULL && json_array_size(ps.rows) == 0) {
		json_decref(ps.rows);
		snprintf(err, errlen, "port show: no port named '%s'", ps.only);
		return -ENOENT;
	}
	*result = ps.rows;
	return 0;
}

static void lcore_row(void *arg, const struct vqos_ctl_lcore *l)
{
	uint64_t total = l->busy_cycles + l->idle_cycles + l->stall_cycles;

	json_array_append_new(
		arg,
		json_pack(
			"{s:i, s:i, s:I, s:I, s:I, s:I, s:f, s:f, s:f}", "lcore", (int)l->lcore,
			"ports", (int)l->n_ports, "packets", (json_int_t)l->packets, "busy_cycles",
			(json_int_t)l->busy_cycles, "idle_cycles", (json_int_t)l->idle_cycles,
			"stall_cycles", (json_int_t)l->stall_cycles, "busy_pct",
			total ? 100.0 * (double)l->busy_cycles / (double)total : 0.0, "stall_pct",
			total ? 100.0 * (double)l->stall_cycles / (double)total : 0.0,
			"cycles_per_packet",
			/* a stalled pass's cycles are not the packets' cost */
			l->busy_packets ? (double)l->busy_cycles / (double)l->busy_packets : 0.0));
	json_object_set_new(json_array_get(arg, json_array_size(arg) - 1), "unknown_dst",
			    json_integer((json_int_t)l->unknown_dst));
	json_object_set_new(json_array_get(arg, json_array_size(arg) - 1), "waited_ns",
			    json_integer((json_int_t)l->waited_ns));
}

json_t *vqos_ctl_lcores_json(const struct vqos_ctl_ops *ops)
{
	json_t *rows = json_array();

	ops->lcore_foreach(ops->aux, lcore_row, rows);
	return rows;
}

static int cmd_lcore_show(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			  int argc, const char *const *argv, json_t **result, char *err,
			  size_t errlen)
{
	*result = vqos_ctl_lcores_json(env->ops);
	return 0;
}

/* Verdicts over the time since the server's last sample (about a second);
 * vqosctl's -i SECONDS samples twice itself and uses the same rules. */
static int cmd_bottleneck(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			  int argc, const char *const *argv, json_t **result, char *err,
			  size_t errlen)
{
	struct timespec ts;
	json_t *ports, *lcores;
	double now;

	if (env->sample_ports == NULL) {
		snprintf(err, errlen, "bottleneck: no sample yet; ask again in a second");
		return -EAGAIN;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	ports = vqos_ctl_ports_json(env->ops);
	lcores = vqos_ctl_lcores_json(env->ops);
	*result = vqos_ctl_bottleneck(env->sample_ports, env->sample_lcores, ports, lcores,
				      now - env->sample_t);
	json_decref(ports);
	json_decref(lcores);
	return 0;
}

/* One Prometheus metric: its help, type, and a sample per port and direction. */
static void prom_port_metric(FILE *f, const char *name, const char *help, const char *key,
			     const json_t *ports)
{
	const json_t *p;
	size_t i;

	fprintf(f, "# HELP vqos_port_%s %s\n# TYPE vqos_port_%s %s\n", name, help, name,
		strcmp(key, "backlog") == 0 ? "gauge" : "counter");
	json_array_foreach (ports, i, p)
		for (int d = 0; d < 2; d++) {
			const char *dir = d == 0 ? "tx" : "rx";

			fprintf(f,
				"vqos_port_%s{port=\"%s\",dir=\"%s\"} %" JSON_INTEGER_FORMAT "\n",
				name, json_string_value(json_object_get(p, "name")), dir,
				json_integer_value(json_object_get(json_object_get(p, dir), key)));
		}
}

/* stats --prometheus: the counters in Prometheus' text exposition format,
 * as one string (vqosctl prints it as it is). */
static int cmd_stats(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req, int argc,
		     const char *const *argv, json_t **result, char *err, size_t errlen)
{
	static const struct {
		const char *name, *key, *help;
	} metrics[] = {
		{ "offered_packets_total", "offered", "Packets taken from the source." },
		{ "packets_total", "packets", "Packets delivered." },
		{ "bytes_total", "bytes", "Bytes delivered." },
		{ "drops_total", "drops", "Packets dropped by vqosd." },
		{ "shaped_total", "shaped", "Times the port's class ran out of tokens." },
		{ "backlog_packets", "backlog", "Packets waiting (tx: vring, rx: class queue)." },
		{ "uplink_full_total", "uplink_full", "Times the uplink took fewer than offered." },
		{ "vring_full_total", "vring_full", "Times the container's rx vring had no room." },
		{ "link_down_total", "link_down",
		  "Packets dropped because the uplink's link was down past the hold." },
	};
	json_t *ports, *lcores;
	const json_t *l;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	if (strcmp(argv[0], "--prometheus") != 0) {
		snprintf(err, errlen, "stats: unknown format '%s'; usage: stats --prometheus",
			 argv[0]);
		return -EINVAL;
	}
	f = open_memstream(&text, &len);
	if (f == NULL) {
		snprintf(err, errlen, "stats: out of memory");
		return -ENOMEM;
	}
	ports = vqos_ctl_ports_json(env->ops);
	lcores = vqos_ctl_lcores_json(env->ops);
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		prom_port_metric(f, metrics[i].name, metrics[i].help, metrics[i].key, ports);
	fprintf(f, "# HELP vqos_lcore_cycles_total TSC cycles of a data-path lcore, busy or "
		   "idle.\n# TYPE vqos_lcore_cycles_total counter\n");
	json_array_foreach (lcores, i, l)
		for (int b = 0; b < 2; b++)
			fprintf(f,
				"vqos_lcore_cycles_total{lcore=\"%" JSON_INTEGER_FORMAT
				"\",state=\"%s\"} %" JSON_INTEGER_FORMAT "\n",
				json_integer_value(json_object_get(l, "lcore")),
				b ? "idle" : "busy",
				json_integer_value(
					json_object_get(l, b ? "idle_cycles" : "busy_cycles")));
	fclose(f);
	json_decref(ports);
	json_decref(lcores);
	*result = json_string(text);
	free(text);
	return 0;
}

struct class_show {
	json_t *rows;
	const char *dir;
	const char *port; /* NULL or: only the classes on the path of this port's leaves */
};

static void class_row(void *arg, const struct vqos_ctl_class *c)
{
	struct class_show *cs = arg;
	json_t *row;

	if (cs->port != NULL && (c->port == NULL || strcmp(c->port, cs->port) != 0))
		return;
	row = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:I}",
			"dir", cs->dir, "kind", c->kind, "name", c->name, "parent",
			c->parent ? json_string(c->parent) : json_null(), "port",
			c->port ? json_string(c->port) : json_null(), "depth", (int)c->depth,
			"rate_bps", (json_int_t)c->rate_bps, "ceil_bps", (json_int_t)c->ceil_bps,
			"rate_pps", (json_int_t)c->rate_pps, "ceil_pps", (json_int_t)c->ceil_pps,
			"burst", (json_int_t)c->burst, "cburst", (json_int_t)c->cburst, "prio",
			(int)c->prio, "quantum", (json_int_t)c->quantum);
	if (c->match != NULL)
		json_object_set_new(row, "match", json_string(c->match));
	json_object_set_new(row, "stats",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "bytes",
				      (json_int_t)c->bytes, "packets", (json_int_t)c->packets,
				      "drops", (json_int_t)c->drops, "overlimits",
				      (json_int_t)c->overlimits, "lended", (json_int_t)c->lends,
				      "borrowed", (json_int_t)c->borrows, "backlog_pkts",
				      (json_int_t)c->backlog_pkts, "backlog_bytes",
				      (json_int_t)c->backlog_bytes, "tokens", (json_int_t)c->tokens,
				      "ctokens", (json_int_t)c->ctokens));
	json_array_append_new(cs->rows, row);
}

/* class show [tx|rx] [port PORT] */
static int cmd_class_show(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			  int argc, const char *const *argv, json_t **result, char *err,
			  size_t errlen)
{
	struct class_show cs = { .rows = json_array() };
	int dir = -1, i = 0;

	if (i < argc && (strcmp(argv[i], "tx") == 0 || strcmp(argv[i], "rx") == 0))
		dir = strcmp(argv[i++], "rx") == 0;
	if (i + 1 < argc && strcmp(argv[i], "port") == 0) {
		cs.port = argv[i + 1];
		i += 2;
	}
	if (i < argc) {
		json_decref(cs.rows);
		snprintf(err, errlen,
			 "class show: unexpected '%s'; usage: class show [tx|rx] "
			 "[port PORT]",
			 argv[i]);
		return -EINVAL;
	}
	for (int d = 0; d < 2; d++) {
		if (dir >= 0 && d != dir)
			continue;
		cs.dir = d ? "rx" : "tx";
		env->ops->class_foreach(env->ops->aux, d, class_row, &cs);
	}
	*result = cs.rows;
	return 0;
}

/* The reply to a change: @p ret, and on success what the change did. */
static int applied_reply(int ret, const struct vqos_ctl_applied *a, json_t **result)
{
	if (ret == 0)
		*result = json_pack("{s:b, s:b, s:f, s:s}", "changed", a->changed, "rebuilt",
				    a->rebuilt, "applied_us", a->applied_us, "note", a->note);
	return ret;
}

/* Direction word @p word of command @p cmd into *dir (0 tx, 1 rx). */
static int parse_dir(const char *cmd, const char *word, int *dir, char *err, size_t errlen)
{
	if (strcmp(word, "tx") != 0 && strcmp(word, "rx") != 0) {
		snprintf(err, errlen, "%s: '%s' is not a direction (tx or rx)", cmd, word);
		return -EINVAL;
	}
	*dir = strcmp(word, "rx") == 0;
	return 0;
}

/* class add|change|replace|del tx|rx name NAME [key value]... : the verb is
 * the second word of the command row itself. */
static int cmd_class_edit(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			  int argc, const char *const *argv, json_t **result, char *err,
			  size_t errlen)
{
	const char *verb_word = req->argv[1];
	struct vqos_ctl_applied applied = { 0 };
	struct vqos_conf_class c;
	enum vqos_policy_verb verb;
	char why[256], cmd[32];
	int dir;

	snprintf(cmd, sizeof(cmd), "class %s", verb_word);
	if (parse_dir(cmd, argv[0], &dir, err, errlen) < 0)
		return -EINVAL;
	if (vqos_policy_verb_parse(verb_word, &verb) != 0) {
		snprintf(err, errlen, "class: unknown verb '%s'", verb_word);
		return -EINVAL;
	}
	if (vqos_conf_class_from_words(argc - 1, argv + 1, &c, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "class %s %s: %s", verb_word, argv[0], why);
		return -EINVAL;
	}
	return applied_reply(
		env->ops->class_edit(env->ops->aux, dir, (int)verb, &c, &applied, err, errlen),
		&applied, result);
}

/* port add NAME socket PATH uplink DEVARGS [mode server|client] [mac MAC] */
static int cmd_port_add(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			int argc, const char *const *argv, json_t **result, char *err,
			size_t errlen)
{
	struct vqos_ctl_applied applied = { 0 };
	struct vqos_conf_port port = { 0 };
	bool have_socket = false, have_uplink = false;
	int i, ret;

	if (snprintf(port.name, sizeof(port.name), "%s", argv[0]) >= (int)sizeof(port.name)) {
		snprintf(err, errlen, "port add: name '%s' is too long", argv[0]);
		return -EINVAL;
	}
	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		char *dst = NULL;
		size_t size = 0;

		if (strcmp(k, "socket") == 0) {
			dst = port.socket, size = sizeof(port.socket), have_socket = true;
		} else if (strcmp(k, "uplink") == 0) {
			dst = port.uplink, size = sizeof(port.uplink), have_uplink = true;
		} else if (strcmp(k, "mac") == 0) {
			if (!vqos_conf_mac_valid(v)) {
				snprintf(err, errlen,
					 "port add: mac '%s' is not a unicast MAC address such as "
					 "02:00:00:00:00:01",
					 v);
				return -EINVAL;
			}
			dst = port.mac, size = sizeof(port.mac);
		} else if (strcmp(k, "mode") == 0 &&
			   (strcmp(v, "server") == 0 || strcmp(v, "client") == 0)) {
			port.client = strcmp(v, "client") == 0;
			continue;
		} else {
			snprintf(err, errlen,
				 "port add: unexpected '%s %s'; usage: port add NAME "
				 "socket PATH uplink DEVARGS [mode server|client] [mac MAC]",
				 k, v);
			return -EINVAL;
		}
		if (snprintf(dst, size, "%s", v) >= (int)size) {
			snprintf(err, errlen, "port add: %s '%s' is too long", k, v);
			return -EINVAL;
		}
	}
	if (i < argc || !have_socket || !have_uplink) {
		snprintf(err, errlen,
			 "port add: usage: port add NAME socket PATH uplink DEVARGS "
			 "[mode server|client] [mac MAC]");
		return -EINVAL;
	}
	ret = env->ops->port_add(env->ops->aux, &port, &applied, err, errlen);
	return applied_reply(ret, &applied, result);
}

static int cmd_port_del(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			int argc, const char *const *argv, json_t **result, char *err,
			size_t errlen)
{
	struct vqos_ctl_applied applied = { 0 };
	int ret = env->ops->port_del(env->ops->aux, argv[0], &applied, err, errlen);

	return applied_reply(ret, &applied, result);
}

static void qdisc_row(void *arg, const struct vqos_ctl_class *c)
{
	json_t *row = arg;

	json_object_set_new(row, "kind", json_string(c->kind));
	json_object_set_new(row, "classes",
			    json_integer(json_integer_value(json_object_get(row, "classes")) + 1));
}

/* qdisc show: per direction, the kind and how many classes its tree has */
static int cmd_qdisc_show(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			  int argc, const char *const *argv, json_t **result, char *err,
			  size_t errlen)
{
	*result = json_array();
	for (int d = 0; d < 2; d++) {
		json_t *row = json_pack("{s:s, s:i}", "dir", d ? "rx" : "tx", "classes", 0);

		env->ops->class_foreach(env->ops->aux, d, qdisc_row, row);
		json_array_append_new(*result, row);
	}
	return 0;
}

/* qdisc replace tx|rx KIND */
static int cmd_qdisc_replace(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			     int argc, const char *const *argv, json_t **result, char *err,
			     size_t errlen)
{
	struct vqos_ctl_applied applied = { 0 };
	int dir;

	if (parse_dir("qdisc replace", argv[0], &dir, err, errlen) < 0)
		return -EINVAL;
	return applied_reply(
		env->ops->qdisc_replace(env->ops->aux, dir, argv[1], &applied, err, errlen),
		&applied, result);
}

static int cmd_reload(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req, int argc,
		      const char *const *argv, json_t **result, char *err, size_t errlen)
{
	struct vqos_ctl_applied applied = { 0 };

	return applied_reply(env->ops->reload(env->ops->aux, &applied, err, errlen), &applied,
			     result);
}

static int cmd_config_dump(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			   int argc, const char *const *argv, json_t **result, char *err,
			   size_t errlen)
{
	char *text = NULL;
	int ret = env->ops->config_dump(env->ops->aux, &text, err, errlen);

	if (ret == 0)
		*result = json_string(text);
	free(text);
	return ret;
}

static int cmd_version(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req, int argc,
		       const char *const *argv, json_t **result, char *err, size_t errlen)
{
	*result = json_pack("{s:s, s:i}", "version", VQOS_VERSION_STRING, "protocol",
			    VQOS_CTL_VERSION);
	return 0;
}

static int cmd_list_commands(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			     int argc, const char *const *argv, json_t **result, char *err,
			     size_t errlen);

static const struct command commands[] = {
	{ .words = "port show",
	  .usage = "[PORT]",
	  .min_args = 0,
	  .max_args = 1,
	  .handler = cmd_port_show },
	{ .words = "class show",
	  .usage = "[tx|rx] [port PORT]",
	  .min_args = 0,
	  .max_args = 3,
	  .handler = cmd_class_show },
#define CLASS_ARGS                                                                                 \
	"tx|rx name NAME [parent P] [port PORT] [rate R] [ceil C] [burst B] [cburst B] "           \
	"[prio N] [quantum Q] [pps N] [cpps N] [limit N] [overcommit true|false]"
	{ .words = "class add",
	  .usage = CLASS_ARGS,
	  .min_args = 3,
	  .max_args = 64,
	  .writes = true,
	  .handler = cmd_class_edit },
	{ .words = "class change",
	  .usage = CLASS_ARGS,
	  .min_args = 3,
	  .max_args = 64,
	  .writes = true,
	  .handler = cmd_class_edit },
	{ .words = "class replace",
	  .usage = CLASS_ARGS,
	  .min_args = 3,
	  .max_args = 64,
	  .writes = true,
	  .handler = cmd_class_edit },
	{ .words = "class del",
	  .usage = "tx|rx name NAME",
	  .min_args = 3,
	  .max_args = 3,
	  .writes = true,
	  .handler = cmd_class_edit },
	{ .words = "port add",
	  .usage = "NAME socket PATH uplink DEVARGS [mode server|client] [mac MAC]",
	  .min_args = 5,
	  .max_args = 7,
	  .writes = true,
	  .handler = cmd_port_add },
	{ .words = "port del",
	  .usage = "NAME",
	  .min_args = 1,
	  .max_args = 1,
	  .writes = true,
	  .handler = cmd_port_del },
	{ .words = "qdisc show",
	  .usage = "",
	  .min_args = 0,
	  .max_args = 0,
	  .handler = cmd_qdisc_show },
	{ .words = "qdisc replace",
	  .usage = "tx|rx htb|sched|police|fifo",
	  .min_args = 2,
	  .max_args = 2,
	  .writes = true,
	  .handler = cmd_qdisc_replace },
	{ .words = "reload",
	  .usage = "",
	  .min_args = 0,
	  .max_args = 0,
	  .writes = true,
	  .handler = cmd_reload },
	{ .words = "config dump",
	  .usage = "",
	  .min_args = 0,
	  .max_args = 0,
	  .handler = cmd_config_dump },
	{ .words = "lcore show",
	  .usage = "",
	  .min_args = 0,
	  .max_args = 0,
	  .handler = cmd_lcore_show },
	{ .words = "bottleneck",
	  .usage = "",
	  .min_args = 0,
	  .max_args = 0,
	  .handler = cmd_bottleneck },
	{ .words = "stats",
	  .usage = "--prometheus",
	  .min_args = 1,
	  .max_args = 1,
	  .handler = cmd_stats },
	{ .words = "version", .usage = "", .min_args = 0, .max_args = 0, .handler = cmd_version },
	{ .words = "list-commands",
	  .usage = "",
	  .min_args = 0,
	  .max_args = 0,
	  .handler = cmd_list_commands },
	{ .words = NULL },
};

static int cmd_list_commands(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			     int argc, const char *const *argv, json_t **result, char *err,
			     size_t errlen)
{
	const struct command *c;

	*result = json_array();
	for (c = commands; c->words != NULL; c++)
		json_array_append_new(
			*result, json_pack("{s:s, s:s}", "command", c->words, "usage", c->usage));
	return 0;
}

/* How many of @p argv's first words spell @p words; 0 when they do not. */
static int match_words(const char *words, int argc, const char *const *argv)
{
	const char *w = words;
	int i;

	for (i = 0; i < argc && *w != '\0'; i++) {
		size_t n = strcspn(w, " ");

		if (strlen(argv[i]) != n || strncmp(w, argv[i], n) != 0)
			return 0;
		w += n;
		w += *w == ' ';
	}
	return *w == '\0' ? i : 0;
}

int vqos_ctl_dispatch(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
		      json_t **result, char *err, size_t errlen)
{
	const struct command *c, *best = NULL;
	int n, best_n = 0, nargs;

	*result = NULL;
	for (c = commands; c->words != NULL; c++) {
		n = match_words(c->words, req->argc, req->argv);
		if (n > best_n) {
			best = c;
			best_n = n;
		}
	}
	if (best == NULL) {
		snprintf(err, errlen, "unknown command '%s' (try list-commands)",
			 req->argc > 0 ? req->argv[0] : "");
		return -EOPNOTSUPP;
	}
	nargs = req->argc - best_n;
	if (nargs < best->min_args || nargs > best->max_args) {
		snprintf(err, errlen, "%s: %s arguments; usage: %s %s", best->words,
			 nargs < best->min_args ? "missing" : "too many", best->words, best->usage);
		return -EINVAL;
	}
	if (best->writes && !req->may_write) {
		snprintf(err, errlen,
			 "%s: permission denied: changes need root or the control.admin "
			 "group",
			 best->words);
		return -EPERM;
	}
	return best->handler(env, req, nargs, req->argv + best_n, result, err, errlen);
}
