/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ctl: vqosd's control server and the protocol vqosctl speaks to it.
 *
 * The protocol (ctl/PROTOCOL.md) is versioned JSON over a UNIX stream socket:
 * one request, one line, one reply, then the server closes. A request names a
 * command by its words, as vqosctl's command line does ("port show"); the
 * server looks the longest matching words up in one command table (name,
 * usage, min and max arguments, handler), checks the argument count before a
 * handler runs, and sends exactly one reply: a status (0 or a negative errno)
 * and either a result or an error message.
 *
 * The server is polled by vqosd's control thread (vqos_ctl_server_poll), never
 * by a data-path lcore. Every client is non-blocking, with a request size
 * limit and a deadline, so a slow, oversized or half-closed client gets an
 * error reply or is dropped without stalling anyone.
 *
 * ctl knows nothing of DPDK: the daemon gives it the state it shows through
 * struct vqos_ctl_ops.
 */
#ifndef VQOS_CTL_H
#define VQOS_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sys/types.h>

#include <jansson.h>

#include "conf/vqos_conf.h"

/** vqosctl's socket when neither -S nor $VQOS_SOCKET says (conf/'s default too). */
#define VQOS_CTL_DEFAULT_SOCKET "/run/vqos/vqosd.sock"
/** Protocol version, sent in every request and reply as "vqos". */
#define VQOS_CTL_VERSION 1
/** Largest request, bytes including the final newline. */
#define VQOS_CTL_MAX_REQUEST (64 * 1024)
/** Most words and arguments in one request. */
#define VQOS_CTL_MAX_ARGS 64
/** Milliseconds a client has to send its whole request, from connecting, and
 * to read the reply, from when it is ready. */
#define VQOS_CTL_DEADLINE_MS 2000

/** A parsed request. Strings point into @ref json. */
struct vqos_ctl_request {
	json_t *json;			     /**< the request object (owned) */
	const char *argv[VQOS_CTL_MAX_ARGS]; /**< command words then arguments */
	int argc;			     /**< entries of argv */
	bool stats;			     /**< -s: include statistics */
	bool may_write;			     /**< the peer may change things (set by the server) */
};

/**
 * Parse one request line.
 * @param buf  bytes received (need not be NUL-terminated)
 * @param len  their count
 * @param req  filled on success; release with vqos_ctl_request_release()
 * @param err  message on failure
 * @return 0, or -EINVAL (not JSON, wrong shape), -EPROTO (version), -E2BIG
 */
int vqos_ctl_request_parse(const char *buf, size_t len, struct vqos_ctl_request *req, char *err,
			   size_t errlen);

/** Release what vqos_ctl_request_parse() holds. */
void vqos_ctl_request_release(struct vqos_ctl_request *req);

/**
 * Encode a request line (with its newline) for @p argv, as vqosctl sends it.
 * @return a malloc'ed string, or NULL when out of memory or too many args
 */
char *vqos_ctl_request_encode(int argc, const char *const argv[], bool stats);

/** vqos_ctl_call(): no answer from vqosd (cannot connect, malformed reply,
 *  no reply in time). */
#define VQOS_CTL_CALL_NO_TALK 1

/** How long vqos_ctl_call() waits for vqosd by default, ms: for each send
 *  and receive, so a stopped or wedged vqosd cannot hang its clients. A
 *  handler may hold the control thread for seconds (a port add that waits
 *  for its peer), so this is far above VQOS_CTL_DEADLINE_MS. */
#define VQOS_CTL_CALL_TIMEOUT_MS 30000

/** Set how long this process's vqos_ctl_call()s wait (ms, > 0), for callers
 *  with a deadline of their own (a scrape, a CNI plugin's). */
void vqos_ctl_call_set_timeout(unsigned int ms);

/**
 * One request to the vqosd listening at @p path (client.c): @p argv as words,
 * @p stats as vqosctl's -s.
 * @return 0 with *result vqosd's result (the caller owns it); vqosd's
 * negative errno status with its error message in @p err; or
 * VQOS_CTL_CALL_NO_TALK with the reason in @p err.
 */
int vqos_ctl_call(const char *path, int argc, const char *const *argv, bool stats, json_t **result,
		  char *err, size_t errlen);

/** Encode a reply line (with its newline); steals @p result. Never NULL but out of memory. */
char *vqos_ctl_reply_encode(int status, const char *error, json_t *result);

/** One port as the control plane shows it. */
struct vqos_ctl_port {
	const char *name;	    /**< port name */
	const char *socket;	    /**< container vhost-user socket */
	bool client;		    /**< vqosd is the vhost-user client on it */
	const char *uplink;	    /**< uplink devargs */
	bool connected;		    /**< a container is attached */
	bool uplink_up;		    /**< the uplink reports link up */
	unsigned int queues;	    /**< queue pairs the container enabled (0: none attached) */
	unsigned int uplink_queues; /**< queue pairs of the uplink */
	unsigned int lcore;	    /**< the data-path lcore that polls it */
	/** Per direction: tx = from the container, rx = to it. Its counters
	 *  are the rows of vqos_ctl_dir_counters[]. */
	struct vqos_ctl_dir {
		uint64_t offered;     /**< packets taken from the source */
		uint64_t packets;     /**< packets delivered */
		uint64_t bytes;	      /**< bytes delivered */
		uint64_t drops;	      /**< packets dropped by vqosd */
		uint64_t shaped;      /**< times the port's class ran out of tokens */
		uint64_t backlog;     /**< packets waiting: tx in the vring, rx in vqosd's queue */
		uint64_t uplink_full; /**< tx: packets the uplink refused, each once */
		uint64_t link_down;   /**< tx: packets dropped, the uplink's link down */
		uint64_t vring_full;  /**< times the container's rx vring had no room */
		uint64_t backlogged;  /**< tx: looks that found a burst or more waiting */
	} tx, rx;
	/** Its cost model on the OVS core (conf's `cost`; .set false: none). */
	struct vqos_conf_cost cost;
};

/** One data-path lcore, as OVS's pmd-stats-show shows a PMD thread. Its
 *  counters, busy_cycles to kicks, are the rows of
 *  vqos_ctl_lcore_counters[]; hz and sleep_max_us, the last fields, are not
 *  counters. */
struct vqos_ctl_lcore {
	unsigned int lcore;    /**< EAL lcore id */
	unsigned int n_ports;  /**< ports it serves */
	uint64_t busy_cycles;  /**< TSC cycles of passes that moved packets */
	uint64_t idle_cycles;  /**< TSC cycles of passes that moved nothing */
	uint64_t stall_cycles; /**< TSC cycles the lcore lost its CPU (passes over 100 us) */
	uint64_t waited_ns;    /**< ns its thread waited for a CPU (schedstat run_delay) */
	uint64_t packets;      /**< packets moved, both directions */
	uint64_t busy_packets; /**< of those, moved in busy (not stalled) passes */
	uint64_t unknown_dst;  /**< frames from a shared uplink for no port's MAC */
	uint64_t sleep_cycles; /**< TSC cycles it slept, its CPU given up */
	uint64_t sleeps;       /**< times it slept */
	uint64_t kicks;	       /**< containers' kicks while it slept */
	uint64_t hz;	       /**< TSC cycles per second */
	uint64_t sleep_max_us; /**< the longest it sleeps with nothing to do (0: polls) */
};

/**
 * One counter of struct vqos_ctl_dir or struct vqos_ctl_lcore: its name,
 * where it is, and how it is shown, as DPDK's xstats name theirs.
 *
 * Each struct has one table, vqos_ctl_dir_counters[] and
 * vqos_ctl_lcore_counters[], a row per counter in the order they are shown,
 * and every list of those counters is written out from it: the JSON keys of
 * `port show` and `lcore show` (and so DPDK telemetry's /vqos/ports, which
 * flattens that JSON), vqosctl's `port show -s` and `lcore show` columns,
 * the Prometheus metrics (`stats --prometheus`, vqos-exporter) with their
 * help, how `bottleneck` reads two samples, and the daemon's copy of the
 * data path's counters. That copy goes
 * by name: ctl may not include vhost_tx (docs/DESIGN.md's layering), so vhost_tx
 * names the counters of its own structs in a table of its own
 * (vqos_dp_dir_stats_names[]), and the daemon, which knows both, copies each
 * to the ctl counter of the same name.
 *
 * A new counter: a field in the struct and a row in its table (ctl/counters.c).
 * One the data path counts: also, under the same name, a field in vhost_tx's
 * struct and a row in its table (vhost_tx/stats.c; see struct vqos_dp_stat).
 * tests/ctl/test_counters.c and tests/daemon/test_counters.c fail on a field
 * without a row and on a data-path counter that ctl does not show.
 */
struct vqos_ctl_counter {
	/** JSON key and name; the data path's counter of this name is copied to it */
	const char *name;
	/** of its uint64_t in the struct */
	size_t offset;
	/** Not stored but computed from the struct's counters, a JSON real
	 *  (offset unused); NULL for a stored counter. */
	double (*derive)(const void *s);
	/** A level now (backlog), not a count since start: bottleneck takes it as
	 *  it is rather than the difference; Prometheus type gauge, not counter. */
	bool gauge;
	/** Header of its column in vqosctl's text table; NULL: no column. */
	const char *column;
	/** Prometheus metric, after "vqos_port_" or "vqos_lcore_" (stored, shown
	 *  counters only; ctl/prometheus.c's tables use rows for the rest of
	 *  port show's and class show's keys too); NULL: not exported. Rows may share one metric, told
	 *  apart by @ref label. */
	const char *metric;
	/** Prometheus label of its samples among its metric's (state="busy"); NULL: none. */
	const char *label;
	/** Prometheus HELP of its metric, on the metric's first row. */
	const char *help;
	/** Counts nanoseconds: exported in seconds, Prometheus' unit of time. */
	bool nanoseconds;
};

/** The counters of struct vqos_ctl_dir, in the order shown; ends with a NULL name. */
extern const struct vqos_ctl_counter vqos_ctl_dir_counters[];
/** The counters of struct vqos_ctl_lcore, in the order shown; ends with a NULL name. */
extern const struct vqos_ctl_counter vqos_ctl_lcore_counters[];

/** The row named @p name of @p table, or NULL. */
const struct vqos_ctl_counter *vqos_ctl_counter_find(const struct vqos_ctl_counter *table,
						     const char *name);

/** Counter @p c of the struct at @p s (a stored one). */
static inline uint64_t vqos_ctl_counter_get(const struct vqos_ctl_counter *c, const void *s)
{
	return *(const uint64_t *)((const char *)s + c->offset);
}

/** Set counter @p c of the struct at @p s (a stored one) to @p v. */
static inline void vqos_ctl_counter_set(const struct vqos_ctl_counter *c, void *s, uint64_t v)
{
	*(uint64_t *)((char *)s + c->offset) = v;
}

/** Add the shown counters of @p table in the struct at @p s to @p obj, in table order. */
void vqos_ctl_counters_to_json(const struct vqos_ctl_counter *table, const void *s, json_t *obj);

/** Fill the stored counters of @p table in the struct at @p s from @p obj
 *  (vqos_ctl_counters_to_json()'s); a counter it lacks is 0. */
void vqos_ctl_counters_from_json(const struct vqos_ctl_counter *table, const json_t *obj, void *s);

/**
 * The counters in Prometheus' text exposition format, version 0.0.4
 * (ctl/prometheus.c): the families vqos_port_*, vqos_class_* and
 * vqos_lcore_*, each with its HELP and TYPE, from the results of `port
 * show` (@p ports), `class show` (@p classes) and `lcore show` (@p lcores);
 * label values escaped as the format asks. `vqosctl stats --prometheus`
 * and vqos-exporter write it.
 * @return 0, or -1 when @p f failed
 */
int vqos_ctl_prometheus(FILE *f, const json_t *ports, const json_t *classes, const json_t *lcores);

/** Write @p s as the text of a Prometheus label value: backslash, double
 *  quote and newline escaped (\\, \", \n). */
void vqos_ctl_prometheus_escape(FILE *f, const char *s);

/** One class of a direction's tree, with its counters, as `tc -s class show`. */
struct vqos_ctl_class {
	const char *kind;   /**< qdisc kind: htb, sched, police, fifo */
	const char *name;   /**< class name */
	const char *parent; /**< parent's name; NULL for the root */
	const char *port;   /**< port of a leaf; NULL for an inner class */
	unsigned int depth; /**< 0 for the root */
	uint64_t rate_bps;  /**< guaranteed bits/s (0: none) */
	uint64_t ceil_bps;  /**< ceiling bits/s (0: none) */
	uint64_t rate_pps;  /**< guaranteed packets/s (0: none) */
	uint64_t ceil_pps;  /**< ceiling packets/s (0: none) */
	uint64_t burst;	    /**< bytes at rate (0: the default) */
	uint64_t cburst;    /**< bytes at ceil (0: the default) */
	unsigned int prio;  /**< 0 served first */
	uint64_t quantum;   /**< bytes (0: the default) */
	const char *match;  /**< rx leaf: what it classifies ("dscp 46"); NULL: none */
	/** Counters. */
	uint64_t bytes, packets, drops, overlimits, lends, borrows, backlog_pkts, backlog_bytes;
	int64_t tokens;	     /**< rate bucket, bytes (negative: debt) */
	int64_t ctokens;     /**< ceil bucket, bytes */
	uint64_t rate_cps;   /**< guaranteed cycles/s of the OVS core (0: none) */
	uint64_t ceil_cps;   /**< ceiling cycles/s (0: none) */
	int64_t cyc_tokens;  /**< cycles rate bucket, cycles (negative: debt) */
	int64_t cyc_ctokens; /**< cycles ceil bucket, cycles */
};

/** What a change did, for the reply. */
struct vqos_ctl_applied {
	bool changed;	   /**< anything differed at all */
	bool rebuilt;	   /**< a direction's qdisc was rebuilt (rather than kept) */
	double applied_us; /**< from the request to the data path running it, microseconds */
	char note[256];	   /**< what happened, for people ("port c3 added") */
};

/** Leaf classes `port add` may give a port, per direction. */
#define VQOS_CTL_PORT_LEAVES_MAX 8

/** `port add`: a port and the leaf classes it comes with. */
struct vqos_ctl_port_add {
	struct vqos_conf_port port;
	/** [dir][k], dir 0 tx, 1 rx: leaves whose `port` is port.name. */
	struct vqos_conf_class leaf[2][VQOS_CTL_PORT_LEAVES_MAX];
	size_t n_leaves[2];
};

/** What the daemon lends the command handlers. */
struct vqos_ctl_ops {
	/** Call @p cb once per port, in configuration order. */
	void (*port_foreach)(void *aux, void (*cb)(void *arg, const struct vqos_ctl_port *port),
			     void *arg);
	/** Call @p cb once per class of direction @p dir (0 tx, 1 rx), in tree
	 *  order (a class before its children). */
	void (*class_foreach)(void *aux, int dir,
			      void (*cb)(void *arg, const struct vqos_ctl_class *cls), void *arg);
	/** Call @p cb once per data-path lcore. */
	void (*lcore_foreach)(void *aux, void (*cb)(void *arg, const struct vqos_ctl_lcore *lcore),
			      void *arg);
	/** Apply tc verb @p verb (enum vqos_policy_verb) with class @p c to
	 *  direction @p dir (0 tx, 1 rx). 0, or a negative errno with @p err. */
	int (*class_edit)(void *aux, int dir, int verb, const struct vqos_conf_class *c,
			  struct vqos_ctl_applied *out, char *err, size_t errlen);
	/** Add port @p add->port to the running ones, with its leaf classes,
	 *  as one change. */
	int (*port_add)(void *aux, const struct vqos_ctl_port_add *add,
			struct vqos_ctl_applied *out, char *err, size_t errlen);
	/** Remove port @p name and its leaf classes. */
	int (*port_del)(void *aux, const char *name, struct vqos_ctl_applied *out, char *err,
			size_t errlen);
	/** Give port @p name the cost model @p cost (cost->set false: take its
	 *  model away), in the running configuration, and rebuild the trees
	 *  that charge it. */
	int (*port_cost)(void *aux, const char *name, const struct vqos_conf_cost *cost,
			 struct vqos_ctl_applied *out, char *err, size_t errlen);
	/** Run qdisc @p kind in direction @p dir (0 tx), with the same classes. */
	int (*qdisc_replace)(void *aux, int dir, const char *kind, struct vqos_ctl_applied *out,
			     char *err, size_t errlen);
	/** Read the configuration file again and apply what changed. */
	int (*reload)(void *aux, struct vqos_ctl_applied *out, char *err, size_t errlen);
	/** Set @p key (sleep_max) of every data-path lcore to @p value. */
	int (*lcore_set)(void *aux, const char *key, const char *value, char *err, size_t errlen);
	/** A configuration file that reproduces the running state (malloc'ed). */
	int (*config_dump)(void *aux, char **text, char *err, size_t errlen);
	/** Every request for a change, accepted (@p status 0) or refused
	 *  (a negative errno: its permission, its words or the change itself),
	 *  as vqos_ctl_audit_line() says it in @p line; the server calls it
	 *  once the change is applied or refused. NULL: not audited. */
	void (*audit)(void *aux, int status, const char *line);
	void *aux; /**< first argument of every op */
};

struct vqos_ctl_server;

/** How the control socket is made and who may do what on it. */
struct vqos_ctl_server_params {
	const char *path; /**< socket path, in an existing directory (an old file is replaced) */
	const struct vqos_ctl_ops *ops; /**< the daemon's state */
	uid_t owner;			/**< owner of the socket file */
	gid_t group;			/**< group of the socket file: its members may read */
	mode_t mode;			/**< permission bits of the socket file */
	gid_t admin;			/**< members of this group, and root, may change things */
};

/**
 * Listen on the control socket. Peer credentials (SO_PEERCRED) decide per
 * request: commands that change things are refused with -EPERM unless the
 * peer is root or in params->admin (its primary or supplementary groups).
 * @return 0 or a negative errno, with a message in @p err
 */
int vqos_ctl_server_create(const struct vqos_ctl_server_params *params,
			   struct vqos_ctl_server **out, char *err, size_t errlen);

/** Wait up to @p timeout_ms for control traffic and serve it. @return 0 or -errno. */
int vqos_ctl_server_poll(struct vqos_ctl_server *srv, int timeout_ms);

/** Close every client and the listening socket, remove the socket file. NULL is fine. */
void vqos_ctl_server_free(struct vqos_ctl_server *srv);

/** What a command handler sees: the daemon's ops and the server's samples. */
struct vqos_ctl_env {
	const struct vqos_ctl_ops *ops; /**< the daemon's state */
	/** `port show` and `lcore show` results the server took at
	 *  @ref sample_t (NULL before the first); `bottleneck` compares them
	 *  with the counters now. */
	json_t *sample_ports;
	json_t *sample_lcores; /**< see sample_ports */
	double sample_t;       /**< CLOCK_MONOTONIC seconds of the samples */
};

/** The result of `port show` now (an array of ports). */
json_t *vqos_ctl_ports_json(const struct vqos_ctl_ops *ops);
/** The result of `lcore show` now (an array of lcores). */
json_t *vqos_ctl_lcores_json(const struct vqos_ctl_ops *ops);

/**
 * Verdicts on where packets waited between two samples @p seconds apart
 * (results of `port show` and `lcore show`): per port and direction, one of
 * policy, uplink, container, vqosd, backlog, none, with its evidence. The
 * rules are in ctl/bottleneck.c. Returns a new object (never NULL but out of memory).
 */
json_t *vqos_ctl_bottleneck(const json_t *ports_a, const json_t *lcores_a, const json_t *ports_b,
			    const json_t *lcores_b, double seconds);

/**
 * Run one request against the command table, as the server does for a client.
 * @param result set to the result on success (caller owns)
 * @return the status: 0, or a negative errno with a message in @p err
 */
int vqos_ctl_dispatch(const struct vqos_ctl_env *env, const struct vqos_ctl_request *req,
		      json_t **result, char *err, size_t errlen);

/** Whether @p req names a command that changes things (root or the admin
 *  group only), whatever its arguments. */
bool vqos_ctl_request_writes(const struct vqos_ctl_request *req);

/** Longest audit line vqos_ctl_audit_line() writes, with its NUL. */
#define VQOS_CTL_AUDIT_MAX 1024

/**
 * The audit line of a change (audit.c), one line of printable ASCII:
 *
 *   uid U pid P: WORDS: accepted: NOTE
 *   uid U pid P: WORDS: refused (ERRNO-NAME): MESSAGE
 *
 * WORDS are the request's, a word with anything but letters, digits and
 * `._,:=/@+%-` written as a JSON string (so a name with a newline or a
 * quote cannot forge a line); the note or message likewise if it holds a
 * control or non-ASCII character. U or P is "?" when unknown ((uid_t)-1,
 * pid <= 0). Cut at VQOS_CTL_AUDIT_MAX - 1 with "...".
 * @param status  0 (accepted) or the negative errno it was refused with
 * @param what    the note of an accepted change, or the refusal's message
 */
void vqos_ctl_audit_line(char *buf, size_t len, uid_t uid, pid_t pid, int argc,
			 const char *const *argv, int status, const char *what);

#endif /* VQOS_CTL_H */
