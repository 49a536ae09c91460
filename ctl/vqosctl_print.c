/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text rendering of replies. A table is a list of columns, each a header and
 * the dotted path of a field in every row object; widths are measured over
 * the rows first, then everything is printed aligned (numbers to the right).
 * The counters' columns come from ctl's counter tables (vqos_ctl.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vqos_units.h"
#include "ctl/vqos_ctl.h"
#include "vqosctl_print.h"

/* Most columns in a table. */
#define MAX_COLUMNS 32

struct column {
	const char *header;
	const char *path; /* "tx.packets": field "packets" of object "tx" */
};

static const struct column port_columns[] = {
	{ "PORT", "name" },	    { "STATE", "connected" },  { "MODE", "mode" },
	{ "LCORE", "lcore" },	    { "SOCKET", "socket" },    { "TX-PKTS", "tx.packets" },
	{ "TX-BYTES", "tx.bytes" }, { "TX-DROP", "tx.drops" }, { "RX-PKTS", "rx.packets" },
	{ "RX-BYTES", "rx.bytes" }, { "RX-DROP", "rx.drops" }, { "LINK", "uplink_up" },
	{ "COST", "cost" },	    { "UPLINK", "uplink" },    { NULL, NULL },
};

/* port show -s: one row per port and direction, then its counters. */
static const struct column port_stats_columns[] = {
	{ "PORT", "port" },
	{ "DIR", "dir" },
	{ NULL, NULL },
};

/* lcore show: then its counters. */
static const struct column lcore_columns[] = {
	{ "LCORE", "lcore" },
	{ "PORTS", "ports" },
	{ NULL, NULL },
};

static const struct column bottleneck_columns[] = {
	{ "PORT", "port" },
	{ "DIR", "dir" },
	{ "VERDICT", "verdict" },
	{ "SENT-PPS", "evidence.sent_pps" },
	{ "OFFERED-PPS", "evidence.offered_pps" },
	{ "REASON", "reason" },
	{ NULL, NULL },
};

static const struct column qdisc_columns[] = {
	{ "DIR", "dir" },
	{ "QDISC", "kind" },
	{ "CLASSES", "classes" },
	{ NULL, NULL },
};

static const struct column command_columns[] = {
	{ "COMMAND", "command" },
	{ "ARGUMENTS", "usage" },
	{ NULL, NULL },
};

static const json_t *field(const json_t *obj, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL && obj != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		obj = json_object_get(obj, key);
		path = dot + 1;
	}
	return obj != NULL ? json_object_get(obj, path) : NULL;
}

/* Text of a cell; "connected" reads better as a word than as true/false,
 * a cost model as the formula it is ("900+0.4502/B": cycles per packet
 * plus per byte, to 4 decimals; port show -j has it exactly). */
static void cell(const json_t *v, const char *path, char *buf, size_t len)
{
	if (json_is_object(v) && strcmp(path, "cost") == 0)
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT "+%.4g/B",
			 json_integer_value(json_object_get(v, "packet")),
			 json_number_value(json_object_get(v, "byte")));
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.1f", json_real_value(v));
	else if (json_is_boolean(v) && strcmp(path, "connected") == 0)
		snprintf(buf, len, "%s", json_is_true(v) ? "connected" : "waiting");
	else if (json_is_boolean(v) && strcmp(path, "uplink_up") == 0)
		snprintf(buf, len, "%s", json_is_true(v) ? "up" : "down");
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(buf, len, "-");
}

/* Into @p out: the columns @p head, then a column for each counter of
 * @p table that has one. */
static const struct column *with_counters(struct column out[MAX_COLUMNS], const struct column *head,
					  const struct vqos_ctl_counter *table)
{
	size_t n = 0;

	for (; head->header != NULL && n + 1 < MAX_COLUMNS; head++)
		out[n++] = *head;
	for (; table->name != NULL && n + 1 < MAX_COLUMNS; table++)
		if (table->column != NULL)
			out[n++] = (struct column){ table->column, table->name };
	out[n] = (struct column){ NULL, NULL };
	return out;
}

static int print_table(FILE *f, const struct column *cols, const json_t *rows)
{
	size_t ncols = 0, i, c, width[MAX_COLUMNS] = { 0 };
	const json_t *row;
	char buf[1024];

	while (cols[ncols].header != NULL)
		ncols++;
	for (c = 0; c < ncols; c++)
		width[c] = strlen(cols[c].header);
	json_array_foreach (rows, i, row)
		for (c = 0; c < ncols; c++) {
			cell(field(row, cols[c].path), cols[c].path, buf, sizeof(buf));
			if (strlen(buf) > width[c])
				width[c] = strlen(buf);
		}
	for (c = 0; c < ncols; c++)
		fprintf(f, "%-*s%s", c + 1 < ncols ? (int)width[c] : 0, cols[c].header,
			c + 1 < ncols ? "  " : "\n");
	json_array_foreach (rows, i, row)
		for (c = 0; c < ncols; c++) {
			const json_t *v = field(row, cols[c].path);
			int w = c + 1 < ncols ? (int)width[c] : 0;

			cell(v, cols[c].path, buf, sizeof(buf));
			fprintf(f, json_is_number(v) ? "%*s%s" : "%-*s%s", w, buf,
				c + 1 < ncols ? "  " : "\n");
		}
	return ferror(f) ? -1 : 0;
}

/* The tx and rx objects of each port (named by its @p key), as rows of
 * their own with "port" and "dir" columns. */
static int print_per_dir(FILE *f, const struct column *cols, const json_t *ports, const char *key)
{
	static const char *const dirs[] = { "tx", "rx" };
	json_t *rows = json_array();
	const json_t *port;
	size_t i;
	int ret;

	json_array_foreach (ports, i, port) {
		for (size_t d = 0; d < 2; d++) {
			json_t *row = json_deep_copy(json_object_get(port, dirs[d]));

			if (row == NULL)
				continue;
			json_object_set(row, "port", json_object_get(port, key));
			json_object_set_new(row, "dir", json_string(dirs[d]));
			json_array_append_new(rows, row);
		}
	}
	ret = print_table(f, cols, rows);
	json_decref(rows);
	return ret;
}

static uint64_t u(const json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

/* class show, as tc -s class show prints it: a line of parameters per
 * class, and with -s its counters under it. */
static int print_classes(FILE *f, const json_t *rows, bool stats)
{
	const json_t *c, *st;
	char a[32], b[32];
	size_t i;

	json_array_foreach (rows, i, c) {
		fprintf(f, "class %s %s dir %s", json_string_value(json_object_get(c, "kind")),
			json_string_value(json_object_get(c, "name")),
			json_string_value(json_object_get(c, "dir")));
		if (json_is_string(json_object_get(c, "parent")))
			fprintf(f, " parent %s", json_string_value(json_object_get(c, "parent")));
		else
			fprintf(f, " root");
		if (json_is_string(json_object_get(c, "port")))
			fprintf(f, " port %s", json_string_value(json_object_get(c, "port")));
		fprintf(f, " prio %" PRIu64, u(c, "prio"));
		if (u(c, "rate_bps") || u(c, "ceil_bps")) {
			vqos_format_rate(a, sizeof(a), u(c, "rate_bps"), VQOS_RATE_BPS);
			vqos_format_rate(b, sizeof(b), u(c, "ceil_bps"), VQOS_RATE_BPS);
			fprintf(f, " rate %s ceil %s", a, b);
		}
		if (u(c, "rate_pps") || u(c, "ceil_pps")) {
			vqos_format_rate(a, sizeof(a), u(c, "rate_pps"), VQOS_RATE_PPS);
			vqos_format_rate(b, sizeof(b), u(c, "ceil_pps"), VQOS_RATE_PPS);
			fprintf(f, " pps %s cpps %s", a, b);
		}
		if (u(c, "rate_cps") || u(c, "ceil_cps")) {
			vqos_format_rate(a, sizeof(a), u(c, "rate_cps"), VQOS_RATE_CPS);
			vqos_format_rate(b, sizeof(b), u(c, "ceil_cps"), VQOS_RATE_CPS);
			fprintf(f, " cps %s ccps %s", a, b);
		}
		if (u(c, "burst")) {
			vqos_format_size(a, sizeof(a), u(c, "burst"));
			fprintf(f, " burst %s", a);
		}
		if (u(c, "cburst")) {
			vqos_format_size(a, sizeof(a), u(c, "cburst"));
			fprintf(f, " cburst %s", a);
		}
		if (u(c, "quantum"))
			fprintf(f, " quantum %" PRIu64, u(c, "quantum"));
		if (json_is_string(json_object_get(c, "match")))
			fprintf(f, " match \"%s\"", json_string_value(json_object_get(c, "match")));
		fputc('\n', f);
		if (!stats)
			continue;
		st = json_object_get(c, "stats");
		fprintf(f,
			" Sent %" PRIu64 " bytes %" PRIu64 " pkt (dropped %" PRIu64
			", overlimits %" PRIu64 ")\n"
			" backlog %" PRIu64 "b %" PRIu64 "p lended: %" PRIu64 " borrowed: %" PRIu64
			"\n"
			" tokens: %" JSON_INTEGER_FORMAT " ctokens: %" JSON_INTEGER_FORMAT "\n",
			u(st, "bytes"), u(st, "packets"), u(st, "drops"), u(st, "overlimits"),
			u(st, "backlog_bytes"), u(st, "backlog_pkts"), u(st, "lended"),
			u(st, "borrowed"), json_integer_value(json_object_get(st, "tokens")),
			json_integer_value(json_object_get(st, "ctokens")));
		if (json_is_integer(json_object_get(st, "cycle_tokens")))
			fprintf(f,
				" cycle tokens: %" JSON_INTEGER_FORMAT
				" cycle ctokens: %" JSON_INTEGER_FORMAT "\n",
				json_integer_value(json_object_get(st, "cycle_tokens")),
				json_integer_value(json_object_get(st, "cycle_ctokens")));
	}
	return ferror(f) ? -1 : 0;
}

int vqosctl_print(FILE *f, int argc, const char *const argv[], bool stats, const json_t *result)
{
	struct column cols[MAX_COLUMNS];

	if (argc >= 2 && strcmp(argv[0], "port") == 0 && strcmp(argv[1], "show") == 0)
		return stats ? print_per_dir(f,
					     with_counters(cols, port_stats_columns,
							   vqos_ctl_dir_counters),
					     result, "name")
			     : print_table(f, port_columns, result);
	if (argc >= 1 && strcmp(argv[0], "bottleneck") == 0) {
		/* busy and stalled as `lcore show` says them */
		fprintf(f,
			"over %.1f s, vqosd's lcores %.1f%% busy, %.1f%% stalled, %.1f%% of the "
			"time waiting for a CPU\n",
			json_real_value(json_object_get(result, "interval_s")),
			json_real_value(json_object_get(result, "lcore_busy_pct")),
			json_real_value(json_object_get(result, "lcore_stall_pct")),
			json_real_value(json_object_get(result, "lcore_wait_pct")));
		return print_per_dir(f, bottleneck_columns, json_object_get(result, "ports"),
				     "port");
	}
	if (argc >= 1 && (strcmp(argv[0], "stats") == 0 || strcmp(argv[0], "config") == 0) &&
	    json_is_string(result))
		return fputs(json_string_value(result), f) < 0 ? -1 : 0;
	if (argc >= 2 && strcmp(argv[0], "qdisc") == 0 && strcmp(argv[1], "show") == 0)
		return print_table(f, qdisc_columns, result);
	if ((argc >= 2 && strcmp(argv[1], "show") != 0 &&
	     (strcmp(argv[0], "class") == 0 || strcmp(argv[0], "port") == 0 ||
	      strcmp(argv[0], "qdisc") == 0)) ||
	    (argc >= 1 && strcmp(argv[0], "reload") == 0)) {
		/* a change: what happened and how long the data path took */
		fprintf(f, "%s", json_string_value(json_object_get(result, "note")));
		if (json_is_true(json_object_get(result, "changed")))
			fprintf(f, " in %.0f us",
				json_real_value(json_object_get(result, "applied_us")));
		fputc('\n', f);
		return ferror(f) ? -1 : 0;
	}
	if (argc >= 2 && strcmp(argv[0], "class") == 0 && strcmp(argv[1], "show") == 0)
		return print_classes(f, result, stats);
	if (argc >= 2 && strcmp(argv[0], "lcore") == 0 && strcmp(argv[1], "show") == 0)
		return print_table(f, with_counters(cols, lcore_columns, vqos_ctl_lcore_counters),
				   result);
	if (argc >= 1 && strcmp(argv[0], "list-commands") == 0)
		return print_table(f, command_columns, result);
	if (argc >= 1 && strcmp(argv[0], "version") == 0) {
		fprintf(f, "vqosd %s (control protocol %" JSON_INTEGER_FORMAT ")\n",
			json_string_value(json_object_get(result, "version")),
			json_integer_value(json_object_get(result, "protocol")));
		return ferror(f) ? -1 : 0;
	}
	/* A command without a text view yet: its JSON is the text. */
	return json_dumpf(result, f, JSON_INDENT(2) | JSON_ENCODE_ANY) == 0 && fputc('\n', f) != EOF
		       ? 0
		       : -1;
}
