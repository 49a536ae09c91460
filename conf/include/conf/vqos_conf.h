/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * conf: vqosd's configuration file, read with libconfig into plain structs.
 *
 * The whole daemon configuration lives in one libconfig file: the EAL
 * arguments, the control socket, the ports, and per direction (tx, rx) the
 * qdisc kind and its class tree. Class trees are read here as intent (struct
 * vqos_conf_class, with a mask of the fields given); policy/ checks them as a
 * whole and turns them into sched/ parameters. A port pairs a container's
 * vhost-user socket (vqosd is the vhost backend, as a server by default or as
 * a client) with the port's uplink, any DPDK ethdev given by its devargs
 * (normally `net_virtio_user...,path=` an OVS vhost-user socket).
 *
 * Reading is strict: an unknown key, a value of the wrong type, a missing
 * required key or a duplicate name is an error whose message names the file,
 * the line and the key, and no struct is returned. This module includes no
 * DPDK header and is tested without EAL.
 */
#ifndef VQOS_CONF_H
#define VQOS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Longest port name, including the NUL. */
#define VQOS_CONF_NAME_MAX 32
/** Longest UNIX socket path, including the NUL (sizeof sun_path). */
#define VQOS_CONF_PATH_MAX 108
/** Longest uplink devargs string, including the NUL. */
#define VQOS_CONF_DEVARGS_MAX 512
/** Most EAL arguments. */
#define VQOS_CONF_EAL_MAX 64

/** A MAC address as text, "xx:xx:xx:xx:xx:xx", including the NUL. */
#define VQOS_CONF_MAC_MAX 18

/** Fixed point of a cost per byte: struct vqos_conf_cost.byte counts
 *  1/1024 cycles (sched/'s VQOS_SCHED_COST_BYTE_ONE). */
#define VQOS_CONF_COST_BYTE_ONE 1024u
/** Largest cost per packet, cycles. */
#define VQOS_CONF_COST_PKT_MAX 1000000u
/** Largest cost per byte, whole cycles. */
#define VQOS_CONF_COST_BYTE_MAX 1000u
/** Longest text vqos_conf_cost_byte_format() writes, including the NUL. */
#define VQOS_CONF_COST_TEXT_MAX 24

/**
 * What a packet through a port costs the OVS core it goes through, in cycles
 * (the port's `cost` key): packet + byte x its length. Classes limited in
 * cycles per second (cps, ccps) charge their packets this.
 */
struct vqos_conf_cost {
	/** The port has a model; false: none (its packets cannot be charged
	 *  cycles, so no class with a cycle rate may lead to its leaves). */
	bool set;
	/** Cycles per packet, 0..VQOS_CONF_COST_PKT_MAX. */
	uint32_t packet;
	/** Cycles per byte in 1/VQOS_CONF_COST_BYTE_ONE cycles, at most
	 *  VQOS_CONF_COST_BYTE_MAX whole cycles. */
	uint32_t byte;
};

/** One port: a container's vhost-user socket and its uplink. */
struct vqos_conf_port {
	/** Unique name, [A-Za-z0-9_.-], used by vqosctl. */
	char name[VQOS_CONF_NAME_MAX];
	/** Path of the container's vhost-user socket. */
	char socket[VQOS_CONF_PATH_MAX];
	/** false: vqosd creates and listens on the socket (server, the default);
	 *  true: vqosd connects to it and reconnects when it goes (client). */
	bool client;
	/** Uplink ethdev devargs, e.g. "net_virtio_user0,path=/run/ovs/vhu0".
	 *  Ports that give the same devargs share the uplink: each needs a mac. */
	char uplink[VQOS_CONF_DEVARGS_MAX];
	/** Its container's MAC, "02:00:00:00:00:01" ("" if not given): frames
	 *  from a shared uplink go to the port whose mac they are sent to. */
	char mac[VQOS_CONF_MAC_MAX];
	/** Its cost model on the OVS core (key `cost`); .set false if none. */
	struct vqos_conf_cost cost;
};

/** Longest qdisc kind name, including the NUL. */
#define VQOS_CONF_QDISC_MAX 16
/** Longest user or group name of the control socket, including the NUL. */
#define VQOS_CONF_USER_MAX 32

/**
 * Which fields of a struct vqos_conf_class were given (its `set` mask). A field
 * whose bit is clear holds 0 and means "the default", which policy/ decides.
 */
enum vqos_conf_class_field {
	VQOS_CONF_CLASS_PARENT = 1u << 0,      /**< parent */
	VQOS_CONF_CLASS_PORT = 1u << 1,	       /**< port */
	VQOS_CONF_CLASS_RATE = 1u << 2,	       /**< rate */
	VQOS_CONF_CLASS_CEIL = 1u << 3,	       /**< ceil */
	VQOS_CONF_CLASS_BURST = 1u << 4,       /**< burst */
	VQOS_CONF_CLASS_CBURST = 1u << 5,      /**< cburst */
	VQOS_CONF_CLASS_PRIO = 1u << 6,	       /**< prio */
	VQOS_CONF_CLASS_QUANTUM = 1u << 7,     /**< quantum */
	VQOS_CONF_CLASS_PPS = 1u << 8,	       /**< pps */
	VQOS_CONF_CLASS_CPPS = 1u << 9,	       /**< cpps */
	VQOS_CONF_CLASS_LIMIT = 1u << 10,      /**< limit */
	VQOS_CONF_CLASS_OVERCOMMIT = 1u << 11, /**< overcommit */
	VQOS_CONF_CLASS_METER = 1u << 12,      /**< meter (qdisc police) */
	VQOS_CONF_CLASS_MARK = 1u << 13,       /**< mark (qdisc police) */
	VQOS_CONF_CLASS_AQM = 1u << 14,	       /**< aqm (qdisc sched) */
	VQOS_CONF_CLASS_MATCH = 1u << 15,      /**< match (rx leaves) */
	VQOS_CONF_CLASS_CPS = 1u << 16,	       /**< cps */
	VQOS_CONF_CLASS_CCPS = 1u << 17,       /**< ccps */
};

/** Meter of a class of qdisc "police" (same order as sched's enum). */
enum vqos_conf_meter {
	VQOS_CONF_METER_SRTCM = 0,   /**< "srtcm", RFC 2697 (the default) */
	VQOS_CONF_METER_TRTCM = 1,   /**< "trtcm", RFC 2698 */
	VQOS_CONF_METER_RFC4115 = 2, /**< "rfc4115" */
};

/** Queue management of a class of qdisc "sched" (same order as sched's enum). */
enum vqos_conf_aqm {
	VQOS_CONF_AQM_TAIL = 0, /**< "tail" (the default) */
	VQOS_CONF_AQM_RED = 1,	/**< "red" */
	VQOS_CONF_AQM_PIE = 2,	/**< "pie" */
};

/** Highest 802.1p priority code point (PCP) of a VLAN tag. */
#define VQOS_CONF_PCP_MAX 7
/** Highest DiffServ code point (DSCP) of an IPv4 or IPv6 header. */
#define VQOS_CONF_DSCP_MAX 63
/**
 * Whether @p text is a unicast MAC address written "xx:xx:xx:xx:xx:xx"
 * (hex digits), as a port's `mac` takes.
 */
bool vqos_conf_mac_valid(const char *text);

/** Longest text vqos_conf_match_format() writes, including the NUL. */
#define VQOS_CONF_MATCH_TEXT_MAX 384

/**
 * What an rx leaf classifies to itself (its `match` key): sets of values,
 * bit v set for value v. Both empty: no match (the port's default leaf).
 */
struct vqos_conf_match {
	/** PCP values 0..7 of a frame's outer VLAN tag (802.1Q or 802.1ad). */
	uint8_t pcp;
	/** DSCP values 0..63 of a frame's IPv4 or IPv6 header. */
	uint64_t dscp;
};

/**
 * One class of a direction's tree as the file (or a vqosctl command) gave it:
 * intent, not yet checked against the rest of the tree (policy/ does that).
 * Each value is already parsed and of the right kind (a bit rate is not a
 * packet rate); the ranges that depend on the tree are policy's.
 */
struct vqos_conf_class {
	/** Unique name in its direction, [A-Za-z0-9_.-]. */
	char name[VQOS_CONF_NAME_MAX];
	/** Parent's name; empty for the root. */
	char parent[VQOS_CONF_NAME_MAX];
	/** Name of the port a leaf is bound to; empty for inner classes. */
	char port[VQOS_CONF_NAME_MAX];
	/** Guaranteed rate, bits per second. */
	uint64_t rate_bps;
	/** Ceiling, bits per second. */
	uint64_t ceil_bps;
	/** Guaranteed rate, packets per second (key `pps`). */
	uint64_t rate_pps;
	/** Ceiling, packets per second (key `cpps`). */
	uint64_t ceil_pps;
	/** Bytes sent at once at rate. */
	uint64_t burst;
	/** Bytes sent at once at ceil. */
	uint64_t cburst;
	/** Share of the spare among classes of one prio, bytes. */
	uint64_t quantum;
	/** Leaf queue limit, mbufs: a queued packet counts its segments. */
	uint64_t limit;
	/** Priority, 0 served first. */
	unsigned int prio;
	/** enum vqos_conf_meter. */
	unsigned int meter;
	/** enum vqos_conf_aqm. */
	unsigned int aqm;
	/** The children's rates may add up to more than this class's. */
	bool overcommit;
	/** police: mark red packets instead of dropping them. */
	bool mark;
	/** enum vqos_conf_class_field bits of the fields given. */
	uint32_t set;
	/** Line of the class's group in the file; 0 when not from a file. */
	unsigned int line;
	/** What an rx leaf takes of its port's frames (key `match`). */
	struct vqos_conf_match match;
	/** Guaranteed rate, cycles of the OVS core per second (key `cps`). */
	uint64_t rate_cps;
	/** Ceiling, cycles per second (key `ccps`). */
	uint64_t ceil_cps;
};

/** One direction's qdisc and class tree. */
struct vqos_conf_dir {
	/** "htb", "sched", "police" or "fifo"; empty when the file has no
	 *  group for this direction (no tree: policy/'s default, an htb that
	 *  never shapes). */
	char qdisc[VQOS_CONF_QDISC_MAX];
	/** Classes in file order; NULL when none. */
	struct vqos_conf_class *classes;
	/** Number of classes. */
	size_t n_classes;
	/** Line of its qdisc key in the file (of its group if it has none), for
	 *  messages about the kind; 0 without a group. */
	unsigned int line;
};

/** A whole configuration. */
struct vqos_conf {
	/** EAL arguments, without argv[0]; strings owned by the struct. */
	char *eal_argv[VQOS_CONF_EAL_MAX];
	/** Number of entries of eal_argv. */
	int eal_argc;
	/** Path of the control socket vqosctl talks to. */
	char ctl_socket[VQOS_CONF_PATH_MAX];
	/** Ports, in file order. */
	struct vqos_conf_port *ports;
	/** Number of ports (at least one). */
	size_t n_ports;
	/** Owner of the control socket, a user name (default "root"). */
	char ctl_owner[VQOS_CONF_USER_MAX];
	/** Group of the control socket, a group name (default "root"). */
	char ctl_group[VQOS_CONF_USER_MAX];
	/** Permission bits of the control socket (default 0660). */
	unsigned int ctl_mode;
	/** Group whose members may change things over the control socket, as
	 *  root may (default "root": root only); the socket's group may read. */
	char ctl_admin[VQOS_CONF_USER_MAX];
	/** datapath.sleep_max: the longest a data-path lcore with nothing to do
	 *  sleeps, microseconds, 0: it polls; VQOS_CONF_SLEEP_MAX_UNSET: vqosd's
	 *  default. At most VQOS_CONF_SLEEP_MAX_US. */
	uint64_t sleep_max_us;
	/** The container -> OVS direction. */
	struct vqos_conf_dir tx;
	/** The OVS -> container direction. */
	struct vqos_conf_dir rx;
	/** The file name messages use (the path, or the name of a string). */
	char *file;
	/** Line of the `control` group in the file; 0 when there is none. */
	unsigned int ctl_line;
};

/** struct vqos_conf.sleep_max_us when the file does not give it. */
#define VQOS_CONF_SLEEP_MAX_UNSET UINT64_MAX
/** The largest datapath.sleep_max, microseconds (OVS's pmd-maxsleep's). */
#define VQOS_CONF_SLEEP_MAX_US 10000

/** vqosd's run directory: container sockets of the embedded default live
 *  here, and a port added at run time may always name a path in it. */
#define VQOS_CONF_RUN_DIR "/run/vqos"

/**
 * Whether @p p may be added at run time (`vqosctl port add`) beside the
 * ports of @p conf: its uplink is net_virtio_user or net_vhost (other
 * drivers are probed with the devargs as given: they go in the file), and
 * its socket and its uplink's path= and iface= are absolute paths without
 * "." or ".." in VQOS_CONF_RUN_DIR or a directory that a port of @p conf
 * uses (vqosd may unlink a stale socket there).
 * @return 0, or -EPERM with @p err naming the field and what to do instead.
 */
int vqos_conf_port_runtime_check(const struct vqos_conf *conf, const struct vqos_conf_port *p,
				 char *err, size_t errlen);

/** The control socket path used when the file does not set one. */
#define VQOS_CONF_DEFAULT_CTL_SOCKET "/run/vqos/vqosd.sock"

/**
 * Read a configuration file.
 *
 * Messages are "FILE:LINE: key 'ports.[1].name': what is wrong", the key a
 * libconfig path (list elements counted from 0); a missing key gives the line
 * of its group, or none at the top level ("FILE: key 'ports': no ports...");
 * syntax errors are libconfig's ("FILE:LINE: syntax error"); I/O errors are
 * "PATH: strerror". An @include is relative to the file's directory.
 *
 * @param path   file to read
 * @param out    set to a new configuration on success (free with
 *               vqos_conf_free); untouched on error
 * @param err    on error, receives "FILE:LINE: message" (may be NULL)
 * @param errlen size of err
 * @return 0, or a negative errno (-EINVAL for bad content, -ENOENT etc. for I/O)
 */
int vqos_conf_load_file(const char *path, struct vqos_conf **out, char *err, size_t errlen);

/**
 * Read a configuration from a string; @p name stands for the file name in
 * messages. Same contract as vqos_conf_load_file().
 */
int vqos_conf_load_string(const char *text, const char *name, struct vqos_conf **out, char *err,
			  size_t errlen);

/** Default owner and group of the control socket. */
#define VQOS_CONF_DEFAULT_CTL_OWNER "root"
#define VQOS_CONF_DEFAULT_CTL_GROUP "root"
/** Default permission bits of the control socket. */
#define VQOS_CONF_DEFAULT_CTL_MODE 0660

/**
 * Set one field of a class from its key and its text, as the file's class
 * groups and vqosctl's `class` words give them: "rate" "10mbit", "prio" "1",
 * "overcommit" "true". Rates must be of their key's kind (bits for rate and
 * ceil, packets for pps and cpps, cycles for cps and ccps); sizes are tc sizes; prio, limit are
 * decimal integers; names are [A-Za-z0-9_.-]. Sets the key's bit in c->set.
 *
 * @param c      the class to change
 * @param key    a key of a class group ("name", "parent", "rate", ...)
 * @param value  its text
 * @param err    on error, receives what is wrong with the value, without
 *               the key ("'5kpps' is a packet rate: use pps and cpps")
 * @return 0, -EINVAL (bad value) or -ENOENT (unknown key); @p c is
 *         untouched on error
 */
int vqos_conf_class_set(struct vqos_conf_class *c, const char *key, const char *value, char *err,
			size_t errlen);

/**
 * Fill @p c from vqosctl's class words, key and value pairs in order:
 * `name c1 parent t1 rate 10mbit ceil 20mbit`. Starts from a zeroed class;
 * each pair goes through vqos_conf_class_set().
 *
 * @param argc  number of words (even)
 * @param argv  the words
 * @param c     receives the class (zeroed first; untouched on error)
 * @param err   on error, the word at fault and why: "rate: '5kpps' is a
 *              packet rate: rate and ceil take bits (use pps, cpps)",
 *              "prio: no value", "rate: given twice", "weight: unknown key
 *              (known here: ...)", "name: missing"
 * @return 0 or -EINVAL
 */
int vqos_conf_class_from_words(int argc, const char *const *argv, struct vqos_conf_class *c,
			       char *err, size_t errlen);

/**
 * Copy into @p dst the fields of @p src whose bits are set in src->set, and
 * add those bits to dst->set (vqosctl's `class change`: the words given
 * replace those fields, the others stay). The name is not copied.
 */
void vqos_conf_class_merge(struct vqos_conf_class *dst, const struct vqos_conf_class *src);

/** The class keys, comma-separated, for messages ("name, parent, port, ..."). */
const char *vqos_conf_class_keys(void);

/** The name of class field @p bit (one enum vqos_conf_class_field), or NULL. */
const char *vqos_conf_class_field_name(uint32_t bit);

/**
 * Parse a `match` text: comma-separated items "pcp N", "pcp N-M", "dscp N"
 * or "dscp N-M" (decimal, N <= M, pcp 0..7, dscp 0..63, blanks around words
 * and commas), e.g. "dscp 46, pcp 5-7"; or "none", the empty match (no
 * match: the leaf is its port's default). A value given twice is refused.
 *
 * @param text  the text
 * @param out   receives the sets (untouched on error)
 * @param err   on error, the item at fault and why ("'pcp 9': pcp values
 *              are 0..7")
 * @return 0 or -EINVAL
 */
int vqos_conf_match_parse(const char *text, struct vqos_conf_match *out, char *err, size_t errlen);

/**
 * Write @p m as the text vqos_conf_match_parse() reads back into an equal
 * struct: pcp items first, then dscp, ascending, runs as ranges ("pcp 4-7,
 * dscp 10, dscp 46"); "none" for an empty match. At most VQOS_CONF_MATCH_TEXT_MAX
 * bytes with the NUL; truncated (as snprintf) to @p len.
 */
void vqos_conf_match_format(const struct vqos_conf_match *m, char *buf, size_t len);

/**
 * Parse a cost model from the texts of its two parts, as vqosctl's `port
 * cost NAME packet A byte B` gives them: @p packet a whole number of cycles
 * (0..VQOS_CONF_COST_PKT_MAX), @p byte a decimal number of cycles
 * (0..VQOS_CONF_COST_BYTE_MAX, "0.45"), rounded to the nearest
 * 1/VQOS_CONF_COST_BYTE_ONE; NULL for a part means 0. A model of 0 and 0
 * charges nothing and is refused.
 *
 * @param out  set on success (out->set true); untouched on error
 * @param err  on error, the part at fault and why ("byte: '-1' is not a
 *             number of cycles from 0 to 1000"); may be NULL with errlen 0
 * @return 0 or -EINVAL
 */
int vqos_conf_cost_parse(const char *packet, const char *byte, struct vqos_conf_cost *out,
			 char *err, size_t errlen);

/**
 * Write a cost per byte (1/VQOS_CONF_COST_BYTE_ONE cycles) as the decimal
 * number of cycles it is, exactly ("0.4501953125", "2.0"): parsed back by
 * vqos_conf_cost_parse() or read from the file, it gives the same value.
 */
void vqos_conf_cost_byte_format(uint32_t byte, char *buf, size_t len);

/**
 * Write @p conf as the file's text: eal, control and ports, in a form that
 * loads back into an equal struct. The class trees are not written: append
 * vqos_policy_dump() of each running direction for the whole file.
 *
 * @param text set to a NUL-terminated string to free()
 * @return 0, -EINVAL (NULL argument) or -ENOMEM
 */
int vqos_conf_dump(const struct vqos_conf *conf, char **text);

/** The embedded default configuration's text (no hugepages needed). */
const char *vqos_conf_default_text(void);

/** Free a configuration; NULL does nothing. */
void vqos_conf_free(struct vqos_conf *conf);

/**
 * Carry run-time changes over to a file read again (merge.c): a three-way
 * merge of @p base (the file as vqosd last read it), @p running (the running
 * state: base and what vqosctl changed since) and @p file (the file now),
 * into @p file. Item by item: each port by name, each class by direction and
 * name, each direction's qdisc kind, datapath.sleep_max. An item the
 * run-time changes left alone is the file's; one they added, removed or
 * edited takes their version, unless the file changed it too since: then
 * the file's stays, and @p report says so ("; "-separated, "" if no item
 * was in conflict). EAL and control settings are the file's.
 * @return the run-time changes carried over (>= 0), or -ENOMEM (@p file
 *         then holds part of them; free it)
 */
int vqos_conf_merge(const struct vqos_conf *base, const struct vqos_conf *running,
		    struct vqos_conf *file, char *report, size_t len);

#endif /* VQOS_CONF_H */
