/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * cni: `vqos`, a CNI plugin that gives a Kubernetes pod's vhost-user port a
 * vqosd port with its classes, in one `port add`, before the pod sends.
 *
 * A container runtime runs the plugin as the CNI specification says (1.0.0,
 * and 0.4.0): the command in CNI_COMMAND (ADD, DEL, CHECK, VERSION), the
 * container in CNI_CONTAINERID, CNI_NETNS and CNI_IFNAME, extra arguments in
 * CNI_ARGS, and the network configuration as JSON on stdin, with what the
 * runtime adds: "runtimeConfig" (the "bandwidth" capability: kubelet's
 * kubernetes.io/ingress-bandwidth and egress-bandwidth annotations, bits/s and
 * bits) and, when the plugin is chained after another, "prevResult". It
 * answers on stdout: a result, or an error object ({cniVersion, code, msg,
 * details}).
 *
 * Directions: egress is what the pod sends, vqosd's `tx` (container -> OVS);
 * ingress is what the pod receives, vqosd's `rx`. Where vqosd runs a class
 * tree in a direction, the pod's port brings a leaf for it: under `parent`,
 * its ceiling the pod's limit in that direction (else its parent's), its rate
 * the configured guarantee (at most the limit; without one, the limit).
 *
 * This module is what the plugin decides, apart from how it talks: the
 * configuration and environment parsed and checked (each error naming the
 * key or variable at fault), the port's name, the words of `port add`, the
 * comparison CHECK makes against vqosd's running configuration (its `config
 * dump`, read with conf/), and the JSON the runtime reads. The program
 * (vqos-cni.c) reads the environment and stdin, and makes the requests with
 * vqos_ctl_call(). No DPDK.
 */
#ifndef VQOS_CNI_H
#define VQOS_CNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "conf/vqos_conf.h"

/** The CNI specification versions the plugin speaks, in VERSION's order. */
#define VQOS_CNI_VERSIONS_JSON "[\"0.4.0\", \"1.0.0\"]"
/** The version it answers in when the input names none it speaks. */
#define VQOS_CNI_VERSION_LATEST "1.0.0"

/** The CNI commands. */
enum vqos_cni_cmd {
	VQOS_CNI_ADD = 0, /**< attach: add the port and its classes */
	VQOS_CNI_DEL,	  /**< detach: remove them (done when they are gone) */
	VQOS_CNI_CHECK,	  /**< verify them against the configuration */
	VQOS_CNI_VERSION, /**< the versions spoken */
};

/** Error codes: the specification's (1-99) and the plugin's own (100 on). */
enum vqos_cni_code {
	VQOS_CNI_E_VERSION = 1,	  /**< incompatible CNI version */
	VQOS_CNI_E_FIELD = 2,	  /**< unsupported field in the network configuration */
	VQOS_CNI_E_ENV = 4,	  /**< invalid necessary environment variable */
	VQOS_CNI_E_DECODE = 6,	  /**< stdin is not a JSON object */
	VQOS_CNI_E_CONFIG = 7,	  /**< invalid network configuration (a key's value) */
	VQOS_CNI_E_AGAIN = 11,	  /**< try again later: vqosd cannot be reached */
	VQOS_CNI_E_REFUSED = 100, /**< vqosd refused the change, or cannot hold it */
	VQOS_CNI_E_CHECK = 101,	  /**< CHECK: the port or a class is not as configured */
};

/** An error for the runtime: the object printed on stdout. */
struct vqos_cni_error {
	unsigned int code;  /**< enum vqos_cni_code */
	char msg[512];	    /**< what is wrong, naming the key, variable or class */
	char details[1024]; /**< more: the value, what to do ("" for none) */
};

/** Fill @p e, and return -1 (for `return vqos_cni_fail(...)`). */
int vqos_cni_fail(struct vqos_cni_error *e, unsigned int code, const char *details, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

/** The runtime's environment variables (NULL: not set). */
struct vqos_cni_env {
	const char *command;	  /**< CNI_COMMAND */
	const char *container_id; /**< CNI_CONTAINERID */
	const char *netns;	  /**< CNI_NETNS */
	const char *ifname;	  /**< CNI_IFNAME */
	const char *args;	  /**< CNI_ARGS: "K=V;K=V" */
};

/** Longest interface name (IFNAMSIZ less its NUL), as CNI_IFNAME. */
#define VQOS_CNI_IFNAME_MAX 15
/** Characters of a container ID kept in a port name (runtimes' short IDs). */
#define VQOS_CNI_ID_SHORT 12
/** Highest prio of a class (vqosd serves 0 first; sched's VQOS_SCHED_PRIO_MAX - 1). */
#define VQOS_CNI_PRIO_MAX 7
/** Longest text of a class setting (rate, pps, cpps, prio, burst). */
#define VQOS_CNI_VALUE_MAX 32

/**
 * A runtime's burst at or above this many bits means "none given": kubelet
 * passes 2^31-1 (math.MaxInt32) with every bandwidth annotation, containerd
 * 2^32-1 and cri-o 8 x (2^32-1) - 1, whatever the pod says. Taken at its
 * word, such a burst lets hundreds of megabytes through at once: the
 * reference bandwidth plugin's first second of containernetworking/plugins
 * issue #609. Below it, a burst is the pod's own and is used.
 */
#define VQOS_CNI_BURST_UNSET_BITS 2147483647ull

/** The limit the runtime gave for one direction (runtimeConfig.bandwidth). */
struct vqos_cni_limit {
	uint64_t rate_bps; /**< its rate, bits per second; 0: no limit */
	uint64_t burst;	   /**< its burst, bytes; 0: none given (see VQOS_CNI_BURST_UNSET_BITS) */
};

/** Directions, as vqosd numbers them: tx is the pod's egress, rx its ingress. */
enum vqos_cni_dir {
	VQOS_CNI_TX = 0, /**< what the pod sends (egress) */
	VQOS_CNI_RX = 1, /**< what it receives (ingress) */
};

/** The plugin's configuration and the call's, parsed and checked. */
struct vqos_cni_conf {
	enum vqos_cni_cmd cmd;		      /**< the command */
	char version[16];		      /**< cniVersion */
	char control[VQOS_CONF_PATH_MAX];     /**< vqosd's control socket (`control`) */
	char port[VQOS_CONF_NAME_MAX];	      /**< the pod's port: short ID "-" ifname */
	char id[VQOS_CNI_ID_SHORT + 1];	      /**< the short container ID ({id}) */
	char ifname[VQOS_CNI_IFNAME_MAX + 1]; /**< CNI_IFNAME */
	char netns[VQOS_CONF_DEVARGS_MAX];    /**< CNI_NETNS ("" on DEL without one) */
	char socket[VQOS_CONF_PATH_MAX];      /**< the pod's vhost-user socket (ADD, CHECK) */
	const char *socket_from;	      /**< where it came from, for messages */
	bool client;			      /**< `mode` "client": vqosd connects to it */
	char uplink[VQOS_CONF_DEVARGS_MAX];   /**< `uplink` with its placeholders filled */
	char parent[VQOS_CONF_NAME_MAX];      /**< the leaves' parent (`parent`, "root") */
	char rate[VQOS_CNI_VALUE_MAX];	      /**< guarantee, bits (`rate`/VQOS_RATE; "": none) */
	char pps[VQOS_CNI_VALUE_MAX];	      /**< packet guarantee ("": none) */
	char cpps[VQOS_CNI_VALUE_MAX];	      /**< packet ceiling ("": none) */
	char prio[VQOS_CNI_VALUE_MAX];	      /**< prio ("": the default) */
	char burst[VQOS_CNI_VALUE_MAX];	      /**< burst, when the runtime gives none */
	struct vqos_cni_limit limit[2];	      /**< the runtime's, per enum vqos_cni_dir */
	json_t *prev_result;		      /**< prevResult (owned), NULL: none */
};

/**
 * Parse and check what the runtime gave for command @p cmd (not VERSION):
 * the network configuration @p text (stdin, @p len bytes) and @p env.
 * Keys the specification defines are taken or left alone; any other key
 * is the plugin's (control, socket, socketDir, mode, uplink, parent, rate,
 * pps, cpps, prio, burst) or an error. CNI_ARGS keys VQOS_RATE, VQOS_PPS,
 * VQOS_CPPS, VQOS_PRIO, VQOS_BURST override the configuration's; other
 * VQOS_ keys are errors, keys of others are left alone.
 * @return 0, or -1 with @p e filled; @p conf is to be released either way
 */
int vqos_cni_conf_parse(enum vqos_cni_cmd cmd, const char *text, size_t len,
			const struct vqos_cni_env *env, struct vqos_cni_conf *conf,
			struct vqos_cni_error *e);

/** Release what @p conf holds (its prevResult). */
void vqos_cni_conf_release(struct vqos_cni_conf *conf);

/**
 * The port name of interface @p ifname of container @p id: its short ID
 * (the ID itself up to VQOS_CNI_ID_SHORT characters; the first 12 of a
 * longer hexadecimal ID, as runtimes show it; of any other, the first 7 and
 * 5 hex digits of a hash of the whole), "-", the interface; characters a
 * port name may not have become '_'. At most 28 characters.
 * @param id_out receives the short ID (VQOS_CNI_ID_SHORT + 1 bytes)
 * @param name   receives the name (VQOS_CONF_NAME_MAX bytes)
 */
void vqos_cni_port_name(const char *id, const char *ifname, char *id_out, char *name);

/** The pod's leaf in one direction, as `port add` gives it and CHECK expects it. */
struct vqos_cni_leaf {
	bool present;			    /**< the direction has a tree: the port needs a leaf */
	int n_words;			    /**< words after "tx"/"rx" */
	char words[16][VQOS_CONF_NAME_MAX]; /**< class words: parent P rate R ceil C ... */
	struct vqos_conf_class cls;	    /**< the same, as a class named after the port */
};

/**
 * The pod's leaves, one per direction that vqosd's running configuration
 * @p running has a class tree in (its `config dump`, loaded with conf/).
 * @return 0, or -1 with @p e: no parent of that name, no guarantee at all,
 *         a limit for a direction without a tree
 */
int vqos_cni_leaves(const struct vqos_cni_conf *conf, const struct vqos_conf *running,
		    struct vqos_cni_leaf leaf[2], struct vqos_cni_error *e);

/** Most words of a `port add` request. */
#define VQOS_CNI_ARGV_MAX 48

/**
 * The words of the `port add` request for @p conf and @p leaf.
 * @return their number (argv points into @p conf and @p leaf)
 */
int vqos_cni_port_add_argv(const struct vqos_cni_conf *conf, const struct vqos_cni_leaf leaf[2],
			   const char *argv[VQOS_CNI_ARGV_MAX]);

/**
 * CHECK: the pod's port and leaves in vqosd's running configuration
 * @p running against @p conf and @p leaf (vqos_cni_leaves() of it).
 * @return 0, or -1 with @p e naming what differs (code VQOS_CNI_E_CHECK)
 */
int vqos_cni_check(const struct vqos_cni_conf *conf, const struct vqos_cni_leaf leaf[2],
		   const struct vqos_conf *running, struct vqos_cni_error *e);

/**
 * ADD's result: the previous plugin's result when chained (its cniVersion
 * the configuration's), else the interface in the sandbox.
 * @return a new object, NULL when out of memory
 */
json_t *vqos_cni_result(const struct vqos_cni_conf *conf);

/**
 * The error object for @p e in version @p version (NULL or "": the latest).
 * @return a malloc'ed JSON text, NULL when out of memory
 */
char *vqos_cni_error_text(const char *version, const struct vqos_cni_error *e);

/**
 * VERSION's answer to @p text (stdin, @p len bytes): the versions spoken,
 * in the version the input names if it is one of them.
 * @return a malloc'ed JSON text, NULL when out of memory
 */
char *vqos_cni_version_text(const char *text, size_t len);

/** The command named @p name ("ADD"...), or -1. */
int vqos_cni_cmd_parse(const char *name);

#endif /* VQOS_CNI_H */
