/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to policy/: what a policy holds, and the one function that makes
 * one from intent (build from a file, edit from a running policy).
 */
#ifndef VQOS_POLICY_PRIV_H
#define VQOS_POLICY_PRIV_H

#include "conf/vqos_units.h"
#include "policy/vqos_policy.h"

/** A port's name, as the tree refers to it. */
typedef char vqos_policy_port_name[VQOS_CONF_NAME_MAX];

struct vqos_policy {
	/** Its direction. */
	enum vqos_policy_dir dir;
	/** Its kind. */
	const struct vqos_sched_ops *ops;
	/** The default tree of a direction the file gives none. */
	bool is_default;
	/** File the classes were written in, for messages (may be NULL). */
	char *file;
	/** Port names, in conf->ports order. */
	vqos_policy_port_name *ports;
	uint32_t n_ports;
	/** Port cost models, in the same order. */
	struct vqos_conf_cost *costs;
	/** The classes as written, in order. */
	struct vqos_conf_class *intent;
	/** The classes as sched/ takes them, same order. */
	struct vqos_sched_class_params *classes;
	uint32_t n;
	/** Leaf index per port. */
	uint32_t *port_leaf;
	/** Class indices sorted by name, for vqos_policy_find(). */
	uint32_t *by_name;
	/** What vqos_policy_params() returns. */
	struct vqos_sched_params params;
	/** What vqos_policy_classify() returns. */
	struct vqos_sched_classify classify;
};

/** Intent to make a policy of: borrowed, copied by policy_make(). */
struct policy_src {
	enum vqos_policy_dir dir;
	/** Qdisc kind name. */
	const char *kind;
	bool is_default;
	const char *file;
	/** Messages about the whole direction name the file (a build, not an edit). */
	bool from_file;
	/** Line of the direction's qdisc key in the file, 0 if none. */
	unsigned int line;
	const vqos_policy_port_name *ports;
	uint32_t n_ports;
	/** [n_ports]: each port's cost model (NULL: none has one). */
	const struct vqos_conf_cost *costs;
	const struct vqos_conf_class *intent;
	size_t n;
};

/** Validate @p src as a whole and make a policy of it. 0, -EINVAL or -ENOMEM. */
int policy_make(const struct policy_src *src, struct vqos_policy **out, char *err, size_t errlen);

/** Fill p->classify from p's intent, classes and port_leaf. 0 or -ENOMEM. */
int policy_classify_build(struct vqos_policy *p);

/** The name of direction @p dir ("tx", "rx"). */
const char *policy_dir_name(enum vqos_policy_dir dir);

/**
 * Write a rate exactly, in the largest unit that divides it: "10gbit",
 * "1500kbit", "1234567bit", "100kpps", "500mcps". @p kind selects the unit.
 */
void policy_format_rate(char *buf, size_t len, uint64_t v, enum vqos_rate_kind kind);

#endif /* VQOS_POLICY_PRIV_H */
