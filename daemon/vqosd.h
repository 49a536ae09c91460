/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to daemon/: vqosd's state, and the pieces that main.c wires:
 * the command line (options.h), the checks made before EAL (load.h), the
 * systemd notices and watchdog (service.h), the read-only views the control
 * server shows (views.c) and the changes it makes (changes.c: class edits,
 * reload, config dump).
 */
#ifndef VQOSD_H
#define VQOSD_H

#include <stdbool.h>
#include <stddef.h>

#include <pthread.h>

#include <rte_log.h>

#include "conf/vqos_conf.h"
#include "ctl/vqos_ctl.h"
#include "policy/vqos_policy.h"
#include "vhost_tx/vqos_dp.h"

#include "load.h"
#include "service.h"

struct vqosd {
	/* The configuration running, and the file it came from (NULL: the
	 * embedded default). */
	struct vqos_conf *conf;
	const char *conf_path;
	/* The control socket's owner and groups, resolved before EAL started. */
	struct vqosd_ctl_ids ctl_ids;
	/* The data path: one shard per data-path lcore. */
	struct vqos_dp *dp;
	/* Ports in conf->ports' order: a policy's port i is ports[i]. */
	struct vqos_port **ports;
	size_t n_ports;
	struct vqos_ctl_server *ctl;
	/* Per direction: the class tree the data path runs. */
	struct vqos_policy *pol[VQOS_DIR_N];
	/* Per direction, [lcores * classes of pol]: index of class c of pol in
	 * lcore k's part at [k * n + c], VQOS_POLICY_NONE where k has none. */
	uint32_t *part_index[VQOS_DIR_N];
	/* Held by the main thread while it changes the above, and by the
	 * telemetry thread while it reads; never by the data path. */
	pthread_mutex_t lock;
	/* The file as vqosd last read it, as vqosd writes it (vqosd_conf_text):
	 * what a reload carries the run-time changes over from. */
	char *base_text;
	/* --state-dir: where they are kept across restarts (state.c); NULL. */
	const char *state_dir;
};

/** vqosd's own DPDK log types (main.c): "vqosd", its messages, and
 *  "vqosd.audit", every change asked for, accepted or refused, with who
 *  asked (--log-level vqosd.audit:LEVEL). */
extern int vqosd_logtype, vqosd_logtype_audit;
#define VQOSD_LOG(level, fmt, ...)                                                                 \
	rte_log(RTE_LOG_##level, vqosd_logtype, "vqosd: " fmt, ##__VA_ARGS__)

/** Log the audit line of a change: NOTICE accepted, WARNING refused. */
void vqosd_audit(int status, const char *line);

/** Fill @p ops with the daemon's answers to the control server. */
void vqosd_ctl_ops(struct vqosd *d, struct vqos_ctl_ops *ops);

/**
 * Open port @p cp of the configuration (its socket directory made), on the
 * data-path lcore that polls the fewest of @p peers[0..n_peers) (NULLs
 * skipped): the ports it will run beside.
 */
int vqosd_open_port(struct vqosd *d, const struct vqos_conf_port *cp,
		    struct vqos_port *const *peers, size_t n_peers, struct vqos_port **out,
		    char *err, size_t errlen);

/** Counters of class @p index of @p d->pol[dir], summed over the lcores that run it. */
void vqosd_class_stats(const struct vqosd *d, enum vqos_dir dir, uint32_t index,
		       struct vqos_sched_class_stats *out);

/**
 * Make the data path run @p pol on @p ports. A direction whose policy did not
 * change keeps its qdisc when @p same_ports (the ports are d->ports).
 * Does not take ownership of anything; @p out (may be NULL) says what changed.
 */
int vqosd_publish(struct vqosd *d, struct vqos_port **ports, size_t n,
		  struct vqos_policy *pol[VQOS_DIR_N], bool same_ports,
		  struct vqos_ctl_applied *out, char *err, size_t errlen);

/** Give the data path the running configuration's datapath settings. */
void vqosd_apply_datapath(struct vqosd *d);
/** `lcore set KEY VALUE`: sleep_max TIME, for every data-path lcore. */
int vqosd_lcore_set(struct vqosd *d, const char *key, const char *value, char *err, size_t errlen);
/** Read the configuration again and apply what changed (SIGHUP, `reload`),
 *  between RELOADING=1 and READY=1 to systemd. */
int vqosd_reload(struct vqosd *d, struct vqos_ctl_applied *out, char *err, size_t errlen);

/** vqosctl port add: @p port joins the running ports (trees must give it leaves). */
int vqosd_port_add(struct vqosd *d, const struct vqos_ctl_port_add *add,
		   struct vqos_ctl_applied *out, char *err, size_t errlen);

/** vqosctl port del: port @p name goes (its classes must go with it). */
int vqosd_port_del(struct vqosd *d, const char *name, struct vqos_ctl_applied *out, char *err,
		   size_t errlen);

/** vqosctl port cost: port @p name's cost model is @p cost (cost->set false:
 *  none); the trees that charge it are rebuilt (tokens carried). */
int vqosd_port_cost(struct vqosd *d, const char *name, const struct vqos_conf_cost *cost,
		    struct vqos_ctl_applied *out, char *err, size_t errlen);

/** vqosctl qdisc replace: direction @p dir (0 tx) runs qdisc @p kind, same classes. */
int vqosd_qdisc_replace(struct vqosd *d, int dir, const char *kind, struct vqos_ctl_applied *out,
			char *err, size_t errlen);

/** vqosctl class add|change|replace|del (enum vqos_policy_verb @p verb). */
int vqosd_class_edit(struct vqosd *d, int dir, int verb, const struct vqos_conf_class *c,
		     struct vqos_ctl_applied *out, char *err, size_t errlen);

/** Register /vqos/ports, /vqos/classes and /vqos/bottleneck with DPDK telemetry. */
void vqosd_telemetry_register(struct vqosd *d);

/** A configuration file that reproduces the running state (malloc'ed). */
int vqosd_config_dump(struct vqosd *d, char **text, char *err, size_t errlen);

/** The text of configuration @p conf with its trees @p pol (malloc'ed). */
int vqosd_conf_text(const struct vqos_conf *conf, struct vqos_policy *const pol[VQOS_DIR_N],
		    char **text, char *err, size_t errlen);

/** Keep the running state in d->state_dir (if any), beside d->base_text:
 *  after every change, and once started. */
int vqosd_state_keep(struct vqosd *d, char *err, size_t errlen);

/** Replace @p dir's base.conf and running.conf with these texts (state.c). */
int vqosd_state_save(const char *dir, const char *base_text, const char *running_text, char *err,
		     size_t errlen);

/**
 * Carry the run-time changes kept in @p dir over to @p file (the file as
 * read now), as vqos_conf_merge() says; conflicts in @p report.
 * @return the changes carried (0 also when @p dir keeps none), or a
 *         negative errno with @p err (a state that cannot be read)
 */
int vqosd_state_carry(const char *dir, struct vqos_conf *file, char *report, size_t len, char *err,
		      size_t errlen);

#endif /* VQOSD_H */
