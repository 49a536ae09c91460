/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosd's counters in Prometheus' text exposition format, version 0.0.4,
 * from the results of `port show`, `class show` and `lcore show`. vqosd
 * writes them for `vqosctl stats --prometheus` from its own state, and
 * vqos-exporter from the replies it got over the socket: one text for both.
 *
 * A family is a metric: its HELP and TYPE lines, then its samples, one per
 * object shown (a port, a port's direction, a class, an lcore) and, where
 * several rows of a table share the metric, one per row, told apart by the
 * row's own label (cycles by state="busy", "idle"...). Its rows are ctl's
 * counter tables (struct vqos_ctl_counter), vqos_ctl_dir_counters[] and
 * vqos_ctl_lcore_counters[], and the tables below for what is no such
 * counter: a port's state and a class's statistics. Every row is read from
 * the JSON by its name, so one function writes every family.
 *
 * Label values are names (a port's, an uplink's devargs...): they are
 * written escaped, as the format asks: backslash, double quote and newline
 * as \\, \" and \n. HELP texts escape backslash and newline.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl/vqos_ctl.h"

/* A port's state, from its `port show` object. */
static const struct vqos_ctl_counter port_state[] = {
	{ .name = "connected",
	  .gauge = true,
	  .metric = "connected",
	  .help = "1 while a container is attached to the port's vhost-user socket." },
	{ .name = "uplink_up",
	  .gauge = true,
	  .metric = "uplink_up",
	  .help = "1 while the port's uplink reports its link up." },
	{ .name = NULL },
};

/* vqos_port_info's one row: its value is the constant 1, its labels say it all. */
static const struct vqos_ctl_counter port_info[] = {
	{ .name = "info",
	  .gauge = true,
	  .metric = "info",
	  .help = "A port's mode, lcore, socket and uplink (the value is 1)." },
	{ .name = NULL },
};

/* A class's statistics, the keys of `class show`'s "stats" (tc -s class show's). */
static const struct vqos_ctl_counter class_counters[] = {
	{ .name = "bytes", .metric = "bytes_total", .help = "Bytes sent through the class." },
	{ .name = "packets", .metric = "packets_total", .help = "Packets sent through the class." },
	{ .name = "drops",
	  .metric = "drops_total",
	  .help = "Packets the class dropped: queue full, police, AQM." },
	{ .name = "overlimits",
	  .metric = "overlimits_total",
	  .help = "Times the class ran out of rate or ceil tokens (tc's overlimits)." },
	{ .name = "borrowed",
	  .metric = "borrowed_total",
	  .help = "Packets the class sent on tokens borrowed from an ancestor." },
	{ .name = "lended",
	  .metric = "lended_total",
	  .help = "Packets sent on this class's own rate, by itself or lent to descendants." },
	{ .name = "backlog_pkts",
	  .gauge = true,
	  .metric = "backlog_packets",
	  .help = "Packets waiting in the class." },
	{ .name = "backlog_bytes",
	  .gauge = true,
	  .metric = "backlog_bytes",
	  .help = "Bytes waiting in the class." },
	{ .name = NULL },
};

/* An lcore's state, from its `lcore show` object. */
static const struct vqos_ctl_counter lcore_state[] = {
	{ .name = "ports",
	  .gauge = true,
	  .metric = "ports",
	  .help = "Ports the data-path lcore serves." },
	{ .name = NULL },
};

/* @p s with backslash and newline escaped, and double quote too when @p quote. */
static void escaped(FILE *f, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

void vqos_ctl_prometheus_escape(FILE *f, const char *s)
{
	escaped(f, s, true);
}

/* {name="value",...}: the labels of @p labels (an object of strings, in its
 * order), then @p extra (a row's own label, as the format has it); nothing
 * when there are none. */
static void labels(FILE *f, const json_t *labels, const char *extra)
{
	const char *name;
	json_t *v;
	int n = 0;

	json_object_foreach ((json_t *)labels, name, v) {
		fprintf(f, "%s%s=\"", n++ ? "," : "{", name);
		vqos_ctl_prometheus_escape(f, json_is_string(v) ? json_string_value(v) : "");
		fputc('"', f);
	}
	if (extra != NULL)
		fprintf(f, "%s%s", n++ ? "," : "{", extra);
	if (n > 0)
		fputc('}', f);
}

/* The value @p v of row @p c: an integer as it is (in seconds when the row
 * counts nanoseconds, exactly), a boolean as 1 or 0. */
static void value(FILE *f, const struct vqos_ctl_counter *c, const json_t *v)
{
	if (json_is_boolean(v)) {
		fputs(json_is_true(v) ? "1" : "0", f);
	} else if (c->nanoseconds) {
		uint64_t ns = (uint64_t)json_integer_value(v);

		fprintf(f, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
	} else {
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	}
}

/* The first row of @p table whose metric is @p metric. */
static const struct vqos_ctl_counter *metric_first(const struct vqos_ctl_counter *table,
						   const char *metric)
{
	const struct vqos_ctl_counter *c = table;

	while (c->metric == NULL || strcmp(c->metric, metric) != 0)
		c++;
	return c;
}

/* The exported rows of @p table as families vqos_PREFIX_METRIC: per metric
 * its HELP and TYPE, then a sample per pair [labels, values] of @p samples
 * and row of the metric, the value the row's key of values. */
static void families(FILE *f, const char *prefix, const struct vqos_ctl_counter *table,
		     const json_t *samples)
{
	const struct vqos_ctl_counter *m, *c;
	const json_t *s;
	size_t i;

	for (m = table; m->name != NULL; m++) {
		if (m->metric == NULL || metric_first(table, m->metric) != m)
			continue;
		fprintf(f, "# HELP vqos_%s_%s ", prefix, m->metric);
		escaped(f, m->help, false);
		fprintf(f, "\n# TYPE vqos_%s_%s %s\n", prefix, m->metric,
			m->gauge ? "gauge" : "counter");
		json_array_foreach (samples, i, s)
			for (c = m; c->name != NULL; c++) {
				const json_t *v = json_object_get(json_array_get(s, 1), c->name);

				/* a reply without the key (another version's) has no sample */
				if (c->metric == NULL || strcmp(c->metric, m->metric) != 0 ||
				    !(json_is_integer(v) || json_is_boolean(v)))
					continue;
				fprintf(f, "vqos_%s_%s", prefix, m->metric);
				labels(f, json_array_get(s, 0), c->label);
				fputc(' ', f);
				value(f, c, v);
				fputc('\n', f);
			}
	}
}

/* A string label's value, "" for none (a root's parent). */
static json_t *label_string(const json_t *v)
{
	return json_string(json_is_string(v) ? json_string_value(v) : "");
}

/* Per port: per direction (its counters), its state, its info. */
static void port_families(FILE *f, const json_t *ports)
{
	json_t *dirs = json_array(), *state = json_array(), *info = json_array();
	const json_t *p;
	char lcore[24];
	size_t i;

	json_array_foreach (ports, i, p) {
		json_t *name = json_object_get(p, "name");

		for (int d = 0; d < 2; d++) {
			const char *dir = d == 0 ? "tx" : "rx";

			json_array_append_new(dirs, json_pack("[{s:O, s:s}, O]", "port", name,
							      "dir", dir, json_object_get(p, dir)));
		}
		json_array_append_new(state, json_pack("[{s:O}, O]", "port", name, p));
		snprintf(lcore, sizeof(lcore), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(p, "lcore")));
		json_array_append_new(
			info,
			json_pack("[{s:O, s:o, s:s, s:o, s:o}, {s:i}]", "port", name, "mode",
				  label_string(json_object_get(p, "mode")), "lcore", lcore,
				  "socket", label_string(json_object_get(p, "socket")), "uplink",
				  label_string(json_object_get(p, "uplink")), "info", 1));
	}
	families(f, "port", vqos_ctl_dir_counters, dirs);
	families(f, "port", port_state, state);
	families(f, "port", port_info, info);
	json_decref(dirs);
	json_decref(state);
	json_decref(info);
}

/* Per class: its statistics, labelled by direction, name, parent and port
 * (the last two "" for the root and inner classes). */
static void class_families(FILE *f, const json_t *classes)
{
	json_t *samples = json_array();
	const json_t *c;
	size_t i;

	json_array_foreach (classes, i, c)
		json_array_append_new(samples,
				      json_pack("[{s:o, s:o, s:o, s:o}, O]", "dir",
						label_string(json_object_get(c, "dir")), "class",
						label_string(json_object_get(c, "name")), "parent",
						label_string(json_object_get(c, "parent")), "port",
						label_string(json_object_get(c, "port")),
						json_object_get(c, "stats")));
	families(f, "class", class_counters, samples);
	json_decref(samples);
}

/* Per lcore: its counters and state, labelled by its EAL id. */
static void lcore_families(FILE *f, const json_t *lcores)
{
	json_t *samples = json_array();
	const json_t *l;
	char id[24];
	size_t i;

	json_array_foreach (lcores, i, l) {
		snprintf(id, sizeof(id), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(l, "lcore")));
		json_array_append_new(samples, json_pack("[{s:s}, O]", "lcore", id, l));
	}
	families(f, "lcore", vqos_ctl_lcore_counters, samples);
	families(f, "lcore", lcore_state, samples);
	json_decref(samples);
}

int vqos_ctl_prometheus(FILE *f, const json_t *ports, const json_t *classes, const json_t *lcores)
{
	port_families(f, ports);
	class_families(f, classes);
	lcore_families(f, lcores);
	return ferror(f) ? -1 : 0;
}
