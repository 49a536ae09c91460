/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry: /vqos/ports, /vqos/classes[,tx|rx] and /vqos/bottleneck,
 * so that dpdk-telemetry.py shows what vqosctl shows. Each is the JSON of the
 * matching control command (ctl/), flattened into telemetry dicts: one dict
 * per port or class, nested objects joined with '_' ("tx_packets").
 *
 * The callbacks run on DPDK's telemetry thread. They read the daemon's
 * state under d->lock, which the main thread holds while it changes that
 * state (class edits, reload); the data path never takes it.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <rte_telemetry.h>

#include "vqosd.h"

/* telemetry callbacks take no argument of ours */
static struct vqosd *tel_vqosd;

/* Add the scalars of @p obj to @p d, nested objects' as PREFIX_key. */
static void flatten(struct rte_tel_data *d, const char *prefix, const json_t *obj)
{
	const char *key;
	json_t *v;
	char name[RTE_TEL_MAX_STRING_LEN];

	json_object_foreach ((json_t *)obj, key, v) {
		snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] ? "_" : "", key);
		if (json_is_object(v))
			flatten(d, name, v);
		else if (json_is_integer(v))
			rte_tel_data_add_dict_u64(d, name, (uint64_t)json_integer_value(v));
		else if (json_is_real(v))
			rte_tel_data_add_dict_u64(d, name, (uint64_t)json_real_value(v));
		else if (json_is_boolean(v))
			rte_tel_data_add_dict_int(d, name, json_is_true(v));
		else if (json_is_string(v))
			rte_tel_data_add_dict_string(d, name, json_string_value(v));
	}
}

/* @p rows (an array of objects, each named by @p key) as a dict of dicts. */
static int rows_to_dict(struct rte_tel_data *d, const json_t *rows, const char *key)
{
	const json_t *row;
	size_t i;

	rte_tel_data_start_dict(d);
	json_array_foreach (rows, i, row) {
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		flatten(c, "", row);
		rte_tel_data_add_dict_container(d, json_string_value(json_object_get(row, key)), c,
						0);
	}
	return 0;
}

static json_t *locked_ports(void)
{
	struct vqos_ctl_ops ops;
	json_t *rows;

	vqosd_ctl_ops(tel_vqosd, &ops);
	pthread_mutex_lock(&tel_vqosd->lock);
	rows = vqos_ctl_ports_json(&ops);
	pthread_mutex_unlock(&tel_vqosd->lock);
	return rows;
}

static int tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	json_t *rows = locked_ports();
	int ret = rows_to_dict(d, rows, "name");

	json_decref(rows);
	return ret;
}

static void class_row(void *arg, const struct vqos_ctl_class *c)
{
	json_array_append_new(
		arg,
		json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			  "name", c->name, "kind", c->kind, "rate_bps", (json_int_t)c->rate_bps,
			  "ceil_bps", (json_int_t)c->ceil_bps, "rate_pps", (json_int_t)c->rate_pps,
			  "ceil_pps", (json_int_t)c->ceil_pps, "rate_cps", (json_int_t)c->rate_cps,
			  "ceil_cps", (json_int_t)c->ceil_cps, "packets", (json_int_t)c->packets,
			  "bytes", (json_int_t)c->bytes, "drops", (json_int_t)c->drops,
			  "overlimits", (json_int_t)c->overlimits, "backlog_pkts",
			  (json_int_t)c->backlog_pkts));
}

/* /vqos/classes[,tx|rx]: tx when no direction is given */
static int tel_classes(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int dir = params != NULL && strcmp(params, "rx") == 0;
	struct vqos_ctl_ops ops;
	json_t *rows = json_array();
	int ret;

	if (params != NULL && params[0] != '\0' && strcmp(params, "tx") != 0 && !dir)
		return -EINVAL;
	vqosd_ctl_ops(tel_vqosd, &ops);
	pthread_mutex_lock(&tel_vqosd->lock);
	ops.class_foreach(ops.aux, dir, class_row, rows);
	pthread_mutex_unlock(&tel_vqosd->lock);
	ret = rows_to_dict(d, rows, "name");
	json_decref(rows);
	return ret;
}

/* /vqos/bottleneck: the verdicts over the next half second */
static int tel_bottleneck(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct timespec half = { .tv_nsec = 500000000 };
	struct vqos_ctl_ops ops;
	json_t *pa, *la, *pb, *lb, *r;
	const json_t *row;
	size_t i;

	vqosd_ctl_ops(tel_vqosd, &ops);
	pthread_mutex_lock(&tel_vqosd->lock);
	pa = vqos_ctl_ports_json(&ops);
	la = vqos_ctl_lcores_json(&ops);
	pthread_mutex_unlock(&tel_vqosd->lock);
	nanosleep(&half, NULL);
	pthread_mutex_lock(&tel_vqosd->lock);
	pb = vqos_ctl_ports_json(&ops);
	lb = vqos_ctl_lcores_json(&ops);
	pthread_mutex_unlock(&tel_vqosd->lock);
	r = vqos_ctl_bottleneck(pa, la, pb, lb, 0.5);
	rte_tel_data_start_dict(d);
	json_array_foreach (json_object_get(r, "ports"), i, row) {
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		for (int k = 0; k < 2; k++) {
			const char *dir = k ? "rx" : "tx";
			const json_t *v = json_object_get(row, dir);
			char name[16];

			rte_tel_data_add_dict_string(
				c, dir, json_string_value(json_object_get(v, "verdict")));
			snprintf(name, sizeof(name), "%s_reason", dir);
			rte_tel_data_add_dict_string(
				c, name, json_string_value(json_object_get(v, "reason")));
		}
		rte_tel_data_add_dict_container(d, json_string_value(json_object_get(row, "port")),
						c, 0);
	}
	json_decref(pa);
	json_decref(la);
	json_decref(pb);
	json_decref(lb);
	json_decref(r);
	return 0;
}

void vqosd_telemetry_register(struct vqosd *d)
{
	tel_vqosd = d;
	rte_telemetry_register_cmd("/vqos/ports", tel_ports,
				   "vqos ports and their counters per direction. No parameters");
	rte_telemetry_register_cmd(
		"/vqos/classes", tel_classes,
		"vqos classes and their counters. Parameters: tx (default) or rx");
	rte_telemetry_register_cmd("/vqos/bottleneck", tel_bottleneck,
				   "vqos bottleneck verdicts over half a second. No parameters");
}
