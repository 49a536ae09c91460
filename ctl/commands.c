/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command table. One row per command: its words, usage, how many
 * arguments it takes, and its handler. vqos_ctl_dispatch() finds the row
 * whose words match the longest prefix of the request, checks the argument
 * count, and runs the handler, which returns 0 with a result or a negative
 * errno with a message: exactly one reply per request.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/vqos_ctl.h"

#define VQOS_VERSION_STRING "0.1.0"

struct command {
	const char *words; /* space-separated command words */
	const char *usage; /* arguments, for list-commands and errors */
	int min_args;
	int max_args;
	int (*handler)(const struct vqos_ctl_ops *ops, const struct vqos_ctl_request *req, int argc,
		       const char *const *argv, json_t **result, char *err, size_t errlen);
};

static json_t *dir_json(const struct vqos_ctl_dir *d)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "offered",
			 (json_int_t)d->offered, "packets", (json_int_t)d->packets, "bytes",
			 (json_int_t)d->bytes, "drops", (json_int_t)d->drops, "shaped",
			 (json_int_t)d->shaped, "backlog", (json_int_t)d->backlog, "uplink_full",
			 (json_int_t)d->uplink_full, "vring_full", (json_int_t)d->vring_full);
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
	json_array_append_new(
		ps->rows, json_pack("{s:s, s:s, s:s, s:b, s:s, s:b, s:o, s:o}", "name", p->name,
				    "socket", p->socket, "mode", p->client ? "client" : "server",
				    "connected", p->connected, "uplink", p->uplink, "uplink_up",
				    p->uplink_up, "tx", dir_json(&p->tx), "rx", dir_json(&p->rx)));
}

static int cmd_port_show(const struct vqos_ctl_ops *ops, const struct vqos_ctl_request *req,
			 int argc, const char *const *argv, json_t **result, char *err,
			 size_t errlen)
{
	struct port_show ps = { .rows = json_array(), .only = argc > 0 ? argv[0] : NULL };

	ops->port_foreach(ops->aux, port_row, &ps);
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
	uint64_t total = l->busy_cycles + l->idle_cycles;

	json_array_append_new(
		arg,
		json_pack("{s:i, s:i, s:I, s:I, s:I, s:f, s:f}", "lcore", (int)l->lcore, "ports",
			  (int)l->n_ports, "packets", (json_int_t)l->packets, "busy_cycles",
			  (json_int_t)l->busy_cycles, "idle_cycles", (json_int_t)l->idle_cycles,
			  "busy_pct", total ? 100.0 * (double)l->busy_cycles / (double)total : 0.0,
			  "cycles_per_packet",
			  l->packets ? (double)l->busy_cycles / (double)l->packets : 0.0));
}

static int cmd_lcore_show(const struct vqos_ctl_ops *ops, const struct vqos_ctl_request *req,
			  int argc, const char *const *argv, json_t **result, char *err,
			  size_t errlen)
{
	*result = json_array();
	ops->lcore_foreach(ops->aux, lcore_row, *result);
	return 0;
}

static int cmd_version(const struct vqos_ctl_ops *ops, const struct vqos_ctl_request *req, int argc,
		       const char *const *argv, json_t **result, char *err, size_t errlen)
{
	*result = json_pack("{s:s, s:i}", "version", VQOS_VERSION_STRING, "protocol",
			    VQOS_CTL_VERSION);
	return 0;
}

static int cmd_list_commands(const struct vqos_ctl_ops *ops, const struct vqos_ctl_request *req,
			     int argc, const char *const *argv, json_t **result, char *err,
			     size_t errlen);

static const struct command commands[] = {
	{ .words = "port show",
	  .usage = "[PORT]",
	  .min_args = 0,
	  .max_args = 1,
	  .handler = cmd_port_show },
	{ .words = "lcore show",
	  .usage = "",
	  .min_args = 0,
	  .max_args = 0,
	  .handler = cmd_lcore_show },
	{ .words = "version", .usage = "", .min_args = 0, .max_args = 0, .handler = cmd_version },
	{ .words = "list-commands",
	  .usage = "",
	  .min_args = 0,
	  .max_args = 0,
	  .handler = cmd_list_commands },
	{ NULL },
};

static int cmd_list_commands(const struct vqos_ctl_ops *ops, const struct vqos_ctl_request *req,
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

int vqos_ctl_dispatch(const struct vqos_ctl_ops *ops, const struct vqos_ctl_request *req,
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
	return best->handler(ops, req, nargs, req->argv + best_n, result, err, errlen);
}
