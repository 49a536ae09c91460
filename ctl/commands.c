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
#include "vqos_version.h"

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
	json_t *obj = json_object();

	vqos_ctl_counters_to_json(vqos_ctl_dir_counters, d, obj);
	return obj;
}

struct port_show {
	json_t *rows;
	const char *only; /* NULL or the one port to show */
};

/* A cost model: cycles per packet, and per byte as the exact real it is. */
static json_t *cost_json(const struct vqos_conf_cost *c)
{
	if (!c->set)
		return json_null();
	return json_pack("{s:I, s:f}", "packet", (json_int_t)c->packet, "byte",
			 (double)c->byte / VQOS_CONF_COST_BYTE_ONE);
}

static void port_row(void *arg, const struct vqos_ctl_port *p)
{
	struct port_show *ps = arg;

	if (ps->only != NULL && strcmp(ps->only, p->name) != 0)
		return;
	json_array_append_new(
		ps->rows,
		json_pack("{s:s, s:s, s:s, s:b, s:i, s:s, s:b, s:i, s:i, s:o, s:o, s:o}", "name",
			  p->name, "socket", p->socket, "mode", p->client ? "client" : "server",
			  "connected", p->connected, "queues", (int)p->queues, "uplink", p->uplink,
			  "uplink_up", p->uplink_up, "uplink_queues", (int)p->uplink_queues,
			  "lcore", (int)p->lcore, "cost", cost_json(&p->cost), "tx",
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
	json_t *row = json_pack("{s:i, s:i, s:I}", "lcore", (int)l->lcore, "ports", (int)l->n_ports,
				"sleep_max_us", (json_int_t)l->sleep_max_us);

	vqos_ctl_counters_to_json(vqos_ctl_lcore_counters, l, row);
	json_array_append_new(arg, row);
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
	row = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			"s:i, s:I}",
			"dir", cs->dir, "kind", c->kind, "name", c->name, "parent",
			c->parent ? json_string(c->parent) : json_null(), "port",
			c->port ? json_string(c->port) : json_null(), "depth", (int)c->depth,
			"rate_bps", (json_int_t)c->rate_bps, "ceil_bps", (json_int_t)c->ceil_bps,
			"rate_pps", (json_int_t)c->rate_pps, "ceil_pps", (json_int_t)c->ceil_pps,
			"rate_cps", (json_int_t)c->rate_cps, "ceil_cps", (json_int_t)c->ceil_cps,
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
	/* a class limited in cycles: its buckets, in cycles */
	if (c->rate_cps != 0 || c->ceil_cps != 0) {
		json_t *st = json_object_get(row, "stats");

		json_object_set_new(st, "cycle_tokens", json_integer(c->cyc_tokens));
		json_object_set_new(st, "cycle_ctokens", json_integer(c->cyc_ctokens));
	}
	json_array_append_new(cs->rows, row);
}

/* The classes of direction @p dir (0 tx, 1 rx, -1 both), tx's first; with
 * @p port, only those on the path of its leaves. */
static json_t *classes_json(const struct vqos_ctl_ops *ops, int dir, const char *port)
{
	struct class_show cs = { .rows = json_array(), .port = port };

	for (int d = 0; d < 2; d++) {
		if (dir >= 0 && d != dir)
			continue;
		cs.dir = d ? "rx" : "tx";
		ops->class_foreach(ops->aux, d, class_row, &cs);
	}
	return cs.rows;
}

/* class show [tx|rx] [port PORT] */
static int cmd_class_show(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			  int argc, const char *const *argv, json_t **result, char *err,
			  size_t errlen)
{
	const char *port = NULL;
	int dir = -1, i = 0;

	if (i < argc && (strcmp(argv[i], "tx") == 0 || strcmp(argv[i], "rx") == 0))
		dir = strcmp(argv[i++], "rx") == 0;
	if (i + 1 < argc && strcmp(argv[i], "port") == 0) {
		port = argv[i + 1];
		i += 2;
	}
	if (i < argc) {
		snprintf(err, errlen,
			 "class show: unexpected '%s'; usage: class show [tx|rx] "
			 "[port PORT]",
			 argv[i]);
		return -EINVAL;
	}
	*result = classes_json(env->ops, dir, port);
	return 0;
}

/* stats --prometheus: the counters in Prometheus' text exposition format
 * (prometheus.c), as one string: vqosctl prints it as it is. */
static int cmd_stats(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req, int argc,
		     const char *const *argv, json_t **result, char *err, size_t errlen)
{
	json_t *ports, *classes, *lcores;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

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
	classes = classes_json(env->ops, -1, NULL);
	lcores = vqos_ctl_lcores_json(env->ops);
	ret = vqos_ctl_prometheus(f, ports, classes, lcores);
	json_decref(ports);
	json_decref(classes);
	json_decref(lcores);
	if (fclose(f) != 0 || ret < 0) {
		free(text);
		snprintf(err, errlen, "stats: out of memory");
		return -ENOMEM;
	}
	*result = json_string(text);
	free(text);
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

#define PORT_ADD_USAGE                                                                             \
	"port add NAME socket PATH uplink DEVARGS [mode server|client] [mac MAC] "                 \
	"[tx CLASS...] [rx CLASS...]"

/* Whether argv[i] starts a leaf of `port add`: tx or rx, at a key's place. */
static bool leaf_word(const char *w)
{
	return strcmp(w, "tx") == 0 || strcmp(w, "rx") == 0;
}

/*
 * One `tx|rx KEY VALUE...` group of `port add` at argv[0] (its direction
 * word) up to the next group, into add's leaves: the words of `class add`,
 * the class's port implied, its name the port's unless given. @return the
 * words it took, or -EINVAL with @p err.
 */
static int port_add_leaf(struct vqos_ctl_port_add *add, int argc, const char *const *argv,
			 char *err, size_t errlen)
{
	const char *words[VQOS_CTL_MAX_ARGS + 4];
	int dir = strcmp(argv[0], "rx") == 0, n = 0, end = 1;
	bool named = false;
	struct vqos_conf_class *c;
	char why[256];

	while (end < argc && !leaf_word(argv[end])) {
		if (strcmp(argv[end], "port") == 0) {
			snprintf(err, errlen,
				 "port add: %s class: 'port' is implied (the port being added)",
				 argv[0]);
			return -EINVAL;
		}
		named |= strcmp(argv[end], "name") == 0;
		end += end + 1 < argc ? 2 : 1;
	}
	if (add->n_leaves[dir] == VQOS_CTL_PORT_LEAVES_MAX) {
		snprintf(err, errlen, "port add: more than %d %s classes", VQOS_CTL_PORT_LEAVES_MAX,
			 argv[0]);
		return -EINVAL;
	}
	if (!named) {
		words[n++] = "name";
		words[n++] = add->port.name;
	}
	words[n++] = "port";
	words[n++] = add->port.name;
	for (int k = 1; k < end; k++)
		words[n++] = argv[k];
	c = &add->leaf[dir][add->n_leaves[dir]];
	if (vqos_conf_class_from_words(n, words, c, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "port add: %s class: %s", argv[0], why);
		return -EINVAL;
	}
	for (size_t k = 0; k < add->n_leaves[dir]; k++)
		if (strcmp(add->leaf[dir][k].name, c->name) == 0) {
			snprintf(err, errlen,
				 "port add: %s class '%s' given twice (name each leaf of a "
				 "direction)",
				 argv[0], c->name);
			return -EINVAL;
		}
	add->n_leaves[dir]++;
	return end;
}

/* port add NAME socket PATH uplink DEVARGS [mode server|client] [mac MAC]
 *          [tx CLASS...] [rx CLASS...]... */
static int cmd_port_add(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			int argc, const char *const *argv, json_t **result, char *err,
			size_t errlen)
{
	struct vqos_ctl_applied applied = { 0 };
	struct vqos_ctl_port_add *add = calloc(1, sizeof(*add));
	struct vqos_conf_port *port;
	bool have_socket = false, have_uplink = false;
	int i, ret = -EINVAL;

	if (add == NULL) {
		snprintf(err, errlen, "port add: out of memory");
		return -ENOMEM;
	}
	port = &add->port;
	if (snprintf(port->name, sizeof(port->name), "%s", argv[0]) >= (int)sizeof(port->name)) {
		snprintf(err, errlen, "port add: name '%s' is too long", argv[0]);
		goto out;
	}
	for (i = 1; i + 1 < argc && !leaf_word(argv[i]); i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		char *dst = NULL;
		size_t size = 0;

		if (strcmp(k, "socket") == 0) {
			dst = port->socket, size = sizeof(port->socket), have_socket = true;
		} else if (strcmp(k, "uplink") == 0) {
			dst = port->uplink, size = sizeof(port->uplink), have_uplink = true;
		} else if (strcmp(k, "mac") == 0) {
			if (!vqos_conf_mac_valid(v)) {
				snprintf(err, errlen,
					 "port add: mac '%s' is not a unicast MAC address such as "
					 "02:00:00:00:00:01",
					 v);
				goto out;
			}
			dst = port->mac, size = sizeof(port->mac);
		} else if (strcmp(k, "mode") == 0 &&
			   (strcmp(v, "server") == 0 || strcmp(v, "client") == 0)) {
			port->client = strcmp(v, "client") == 0;
			continue;
		} else {
			snprintf(err, errlen,
				 "port add: unexpected '%s %s'; usage: " PORT_ADD_USAGE, k, v);
			goto out;
		}
		if (snprintf(dst, size, "%s", v) >= (int)size) {
			snprintf(err, errlen, "port add: %s '%s' is too long", k, v);
			goto out;
		}
	}
	while (i < argc && leaf_word(argv[i])) {
		int n = port_add_leaf(add, argc - i, argv + i, err, errlen);

		if (n < 0)
			goto out;
		i += n;
	}
	if (i < argc || !have_socket || !have_uplink) {
		snprintf(err, errlen, "port add: usage: " PORT_ADD_USAGE);
		goto out;
	}
	ret = applied_reply(env->ops->port_add(env->ops->aux, add, &applied, err, errlen), &applied,
			    result);
out:
	free(add);
	return ret;
}

#define PORT_COST_USAGE "NAME [packet CYCLES] [byte CYCLES] | NAME none"

/* port cost NAME [packet A] [byte B] | port cost NAME none */
static int cmd_port_cost(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			 int argc, const char *const *argv, json_t **result, char *err,
			 size_t errlen)
{
	struct vqos_ctl_applied applied = { 0 };
	struct vqos_conf_cost cost = { 0 };
	const char *part[2] = { NULL, NULL }; /* packet, byte */
	char why[160];
	int i;

	if (env->ops->port_cost == NULL) {
		snprintf(err, errlen, "port cost: not supported here");
		return -EOPNOTSUPP;
	}
	for (i = 1; argc != 2 && i + 1 < argc; i += 2) {
		int k = strcmp(argv[i], "packet") == 0 ? 0 : strcmp(argv[i], "byte") == 0 ? 1 : -1;

		/* each part once: a word given twice is a typo */
		if (k < 0 || part[k] != NULL)
			break;
		part[k] = argv[i + 1];
	}
	if ((argc == 2 && strcmp(argv[1], "none") != 0) || (argc != 2 && i < argc)) {
		snprintf(err, errlen,
			 "port cost: unexpected '%s'; usage: port cost " PORT_COST_USAGE,
			 argv[i < argc ? i : 1]);
		return -EINVAL;
	}
	if (argc != 2 && vqos_conf_cost_parse(part[0], part[1], &cost, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "port cost %s: %s", argv[0], why);
		return -EINVAL;
	}
	return applied_reply(
		env->ops->port_cost(env->ops->aux, argv[0], &cost, &applied, err, errlen), &applied,
		result);
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

static int cmd_lcore_set(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
			 int argc, const char *const *argv, json_t **result, char *err,
			 size_t errlen)
{
	int ret;

	if (env->ops->lcore_set == NULL) {
		snprintf(err, errlen, "lcore set: not supported here");
		return -EOPNOTSUPP;
	}
	ret = env->ops->lcore_set(env->ops->aux, argv[0], argv[1], err, errlen);
	if (ret == 0)
		*result = json_pack("{s:s, s:s}", "set", argv[0], "value", argv[1]);
	return ret;
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
	*result = json_pack("{s:s, s:i}", "version", VQOS_VERSION, "protocol", VQOS_CTL_VERSION);
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
	"[prio N] [quantum Q] [pps N] [cpps N] [cps N] [ccps N] [limit N] "                        \
	"[overcommit true|false] [match M]"
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
	  .usage = "NAME socket PATH uplink DEVARGS [mode server|client] [mac MAC] [tx CLASS...] "
		   "[rx CLASS...]",
	  .min_args = 5,
	  .max_args = 64,
	  .writes = true,
	  .handler = cmd_port_add },
	{ .words = "port del",
	  .usage = "NAME",
	  .min_args = 1,
	  .max_args = 1,
	  .writes = true,
	  .handler = cmd_port_del },
	{ .words = "port cost",
	  .usage = PORT_COST_USAGE,
	  .min_args = 2,
	  .max_args = 5,
	  .writes = true,
	  .handler = cmd_port_cost },
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
	{ .words = "lcore set",
	  .usage = "sleep_max TIME",
	  .min_args = 2,
	  .max_args = 2,
	  .writes = true,
	  .handler = cmd_lcore_set },
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

/* The command @p req names (the longest match of its first words), NULL;
 * in @p n_words how many words name it. */
static const struct command *find_command(const struct vqos_ctl_request *req, int *n_words)
{
	const struct command *c, *best = NULL;
	int n;

	*n_words = 0;
	for (c = commands; c->words != NULL; c++) {
		n = match_words(c->words, req->argc, req->argv);
		if (n > *n_words) {
			best = c;
			*n_words = n;
		}
	}
	return best;
}

bool vqos_ctl_request_writes(const struct vqos_ctl_request *req)
{
	int n;
	const struct command *c = find_command(req, &n);

	return c != NULL && c->writes;
}

int vqos_ctl_dispatch(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
		      json_t **result, char *err, size_t errlen)
{
	const struct command *best;
	int best_n, nargs;

	*result = NULL;
	best = find_command(req, &best_n);
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
