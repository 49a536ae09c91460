/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The names of the data path's counters (struct vqos_dp_dir_stats, struct
 * vqos_dp_lcore_stats), a row per field: the daemon copies each into ctl's
 * counter of the same name (struct vqos_ctl_counter), which says how it is
 * shown. A row's name is its field's, by construction.
 */
#include "vhost_tx/vqos_dp.h"

#define DIR(field)   .name = #field, .offset = offsetof(struct vqos_dp_dir_stats, field)
#define LCORE(field) .name = #field, .offset = offsetof(struct vqos_dp_lcore_stats, field)

const struct vqos_dp_stat vqos_dp_dir_stats_names[] = {
	{ DIR(offered) },     { DIR(packets) },	    { DIR(bytes) },   { DIR(drops) },
	{ DIR(uplink_full) }, { DIR(vring_full) },  { DIR(backlog) }, { DIR(backlogged) },
	{ DIR(link_down) },   { DIR(admit_drops) }, { .name = NULL },
};

const struct vqos_dp_stat vqos_dp_lcore_stats_names[] = {
	{ LCORE(busy_cycles) }, { LCORE(idle_cycles) }, { LCORE(stall_cycles) },
	{ LCORE(waited_ns) },	{ LCORE(packets) },	{ LCORE(busy_packets) },
	{ LCORE(unknown_dst) }, { LCORE(passes) },	{ LCORE(sleep_cycles) },
	{ LCORE(sleeps) },	{ LCORE(kicks) },	{ .name = NULL },
};
