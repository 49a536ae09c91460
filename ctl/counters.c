/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The counters the control plane shows, one table per struct (see struct
 * vqos_ctl_counter in vqos_ctl.h): a row per counter, in the order `port
 * show` and `lcore show` give them, with how vqosctl's text table and
 * Prometheus name them. A stored counter's name is its field's, by
 * construction (DIR() and LCORE() below), so the JSON key, the data path's
 * name for it and the C field never disagree.
 */
#include <string.h>

#include "ctl/vqos_ctl.h"

#define DIR(field)   .name = #field, .offset = offsetof(struct vqos_ctl_dir, field)
#define LCORE(field) .name = #field, .offset = offsetof(struct vqos_ctl_lcore, field)

const struct vqos_ctl_counter vqos_ctl_dir_counters[] = {
	{ DIR(offered), .column = "OFFERED", .metric = "offered_packets_total",
	  .help = "Packets taken from the source." },
	{ DIR(packets), .column = "SENT", .metric = "packets_total", .help = "Packets delivered." },
	{ DIR(bytes), .column = "BYTES", .metric = "bytes_total", .help = "Bytes delivered." },
	{ DIR(drops), .column = "DROPS", .metric = "drops_total",
	  .help = "Packets dropped by vqosd." },
	{ DIR(shaped), .column = "SHAPED", .metric = "shaped_total",
	  .help = "Times a class on the port's path (its leaf or one above) reached its ceil: "
		  "it could neither send nor borrow." },
	{ DIR(backlog), .gauge = true, .column = "BACKLOG", .metric = "backlog_packets",
	  .help = "Packets waiting (tx: vring, rx: class queue)." },
	{ DIR(backlogged) },
	{ DIR(uplink_full), .column = "UPLINK-FULL", .metric = "uplink_full_total",
	  .help = "Packets the uplink refused (held and given again; each counted once)." },
	{ DIR(vring_full), .column = "VRING-FULL", .metric = "vring_full_total",
	  .help = "Times the container's rx vring had no room." },
	{ DIR(link_down), .column = "LINK-DOWN", .metric = "link_down_total",
	  .help = "Packets dropped because the uplink's link was down past the hold." },
	{ DIR(admit_drops), .column = "ADMIT-DROPS", .metric = "admit_drops_total",
	  .help = "Packets dropped (of drops) because the port held its share of its uplink's "
		  "mbufs." },
	{ .name = NULL },
};

static uint64_t all_cycles(const struct vqos_ctl_lcore *l)
{
	return l->busy_cycles + l->idle_cycles + l->stall_cycles + l->sleep_cycles;
}

/* share of its cycles the lcore was busy, percent */
static double busy_pct(const void *s)
{
	const struct vqos_ctl_lcore *l = s;

	return all_cycles(l) ? 100.0 * (double)l->busy_cycles / (double)all_cycles(l) : 0.0;
}

/* share of its cycles the lcore lost its CPU, percent */
static double stall_pct(const void *s)
{
	const struct vqos_ctl_lcore *l = s;

	return all_cycles(l) ? 100.0 * (double)l->stall_cycles / (double)all_cycles(l) : 0.0;
}

/* share of its cycles the lcore slept, percent */
static double sleep_pct(const void *s)
{
	const struct vqos_ctl_lcore *l = s;

	return all_cycles(l) ? 100.0 * (double)l->sleep_cycles / (double)all_cycles(l) : 0.0;
}

/* a stalled pass's cycles are not the packets' cost: busy passes' only */
static double cycles_per_packet(const void *s)
{
	const struct vqos_ctl_lcore *l = s;

	return l->busy_packets ? (double)l->busy_cycles / (double)l->busy_packets : 0.0;
}

const struct vqos_ctl_counter vqos_ctl_lcore_counters[] = {
	{ LCORE(packets), .column = "PACKETS", .metric = "packets_total",
	  .help = "Packets the data-path lcore moved, both directions." },
	{ LCORE(busy_cycles), .column = "BUSY-CYCLES", .metric = "cycles_total",
	  .label = "state=\"busy\"",
	  .help = "TSC cycles of a data-path lcore by state: passes that moved packets (busy), "
		  "moved none (idle), lost the CPU (stalled), and sleep." },
	{ LCORE(idle_cycles), .column = "IDLE-CYCLES", .metric = "cycles_total",
	  .label = "state=\"idle\"" },
	{ LCORE(stall_cycles), .metric = "cycles_total", .label = "state=\"stalled\"" },
	{ LCORE(sleep_cycles), .metric = "cycles_total", .label = "state=\"sleeping\"" },
	{ .name = "busy_pct", .derive = busy_pct, .column = "BUSY-%" },
	{ .name = "stall_pct", .derive = stall_pct, .column = "STALLED-%" },
	{ .name = "sleep_pct", .derive = sleep_pct, .column = "SLEEP-%" },
	{ .name = "cycles_per_packet", .derive = cycles_per_packet, .column = "CYCLES/PKT" },
	{ LCORE(unknown_dst), .metric = "unknown_dst_total",
	  .help = "Frames from a shared uplink for no port's MAC address." },
	{ LCORE(waited_ns), .metric = "cpu_wait_seconds_total", .nanoseconds = true,
	  .help = "Time the lcore's thread waited for a CPU (the kernel's schedstat)." },
	{ LCORE(sleeps), .metric = "sleeps_total", .help = "Times the lcore slept." },
	{ LCORE(kicks), .metric = "kicks_total",
	  .help = "Containers' kicks (vring notifications) while the lcore slept." },
	{ LCORE(busy_packets), .metric = "busy_packets_total",
	  .help = "Packets moved by busy passes: busy cycles over a window's difference of it "
		  "is cycles per packet over that window." },
	{ .name = NULL },
};

const struct vqos_ctl_counter *vqos_ctl_counter_find(const struct vqos_ctl_counter *table,
						     const char *name)
{
	for (const struct vqos_ctl_counter *c = table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void vqos_ctl_counters_to_json(const struct vqos_ctl_counter *table, const void *s, json_t *obj)
{
	for (const struct vqos_ctl_counter *c = table; c->name != NULL; c++) {
		json_object_set_new(obj, c->name,
				    c->derive != NULL
					    ? json_real(c->derive(s))
					    : json_integer((json_int_t)vqos_ctl_counter_get(c, s)));
	}
}

void vqos_ctl_counters_from_json(const struct vqos_ctl_counter *table, const json_t *obj, void *s)
{
	for (const struct vqos_ctl_counter *c = table; c->name != NULL; c++)
		if (c->derive == NULL)
			vqos_ctl_counter_set(
				c, s, (uint64_t)json_integer_value(json_object_get(obj, c->name)));
}
