/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * policy: a direction's class tree, from intent to what the data path runs.
 *
 * conf/ reads what the user wrote: per direction a qdisc kind and a list of
 * classes, each a bag of fields (struct vqos_conf_class). vqosctl's `class
 * add|change|replace|del` words say the same in pieces. Neither is checked
 * against the rest of the tree. This module is where that happens, in one
 * step, before anything changes: a policy (struct vqos_policy) is a class
 * tree that passed every rule, together with the sched/ parameters built
 * from it, ready for the kind's create().
 *
 * The rules, checked in this order, each refused with a message that names
 * the class, where it was written (FILE:LINE for the file, nothing for a
 * vqosctl edit) and the word at fault:
 *
 *   - names are unique; exactly one class has no parent (the root); every
 *     parent exists; no class is its own ancestor; at most 8 levels;
 *   - a leaf (a class without children) is bound to a port of the
 *     configuration, an inner class to none; in tx every port has exactly
 *     one leaf (its vring is one queue), in rx one without a match (the
 *     port's default leaf) and any number with a match (vqos_conf_match:
 *     PCP and DSCP values) on which no value is claimed twice; a match on
 *     an inner class or in tx is refused;
 *   - prio is 0..7; limit and quantum are not 0 and fit 32 bits; burst and
 *     cburst are at most VQOS_SCHED_BURST_MAX;
 *   - htb and sched: a class has rate, pps or cps (or several), ceil
 *     defaults to rate, cpps to pps and ccps to cps, and ceil >= rate, cpps
 *     >= pps, ccps >= cps; police: every leaf has a rate (the policer's
 *     CIR); fifo: rates are ignored; cps and ccps (cycles of the OVS core
 *     per second) belong to htb only, and a class with one leads only to
 *     leaves on ports with a cost model (the port's `cost`), which htb
 *     charges their packets by (each such leaf's cost_pkt and cost_byte);
 *   - meter and mark belong to qdisc police, aqm to qdisc sched; sched works
 *     on rx only (librte_sched needs the packets) and with leaves on one
 *     port only (it cannot hold back one container's packets, and vqosd
 *     runs one instance per data-path lcore for all of its ports);
 *   - admission control (htb and sched): the rates of a class's children add
 *     up to at most its rate, in bit/s, pkt/s and cycles/s separately (a parent
 *     without a rate in a unit promises nothing in it), unless the parent
 *     has `overcommit = true`;
 *   - finally the kind's own create() must accept the tree (its message is
 *     passed on): a tree the data path would refuse is refused here. The
 *     "sched" kind needs EAL's memory to build; for it only sched/'s shared
 *     rules (vqos_sched_check_tree) are run here, and its own at create.
 *
 * A direction with no tree (no tx/rx group in the file, or qdisc "htb" or
 * "fifo" without classes) gets a default tree: a root called "root" and one
 * leaf per port named after the port, so the data path always has one shape
 * of thing to run. For htb (and a missing group) every class has rate
 * VQOS_POLICY_UNSHAPED_BPS: nothing is shaped, but each port keeps its own
 * queue; with fifo, one queue for all (the baseline, head-of-line blocking
 * included).
 *
 * Classes keep the order they were written in; a class's index in that
 * order is its index on the data path (vqos_sched_params.classes). Its id
 * (sched's handle, used by change()) is a hash of its name, so a class keeps
 * its id across reloads and edits.
 *
 * Reload and edits: vqos_policy_diff() compares two policies class by class,
 * by name, and says whether the data path must build a new qdisc (a class
 * came or went, moved, changed port, or something change() cannot do) or
 * may call ops->change() for each changed class, or need do nothing.
 * vqos_policy_edit() applies one vqosctl verb to a policy and returns a new
 * one, validated as a whole; the old one is never touched, so a refused
 * edit leaves the running tree as it was. vqos_policy_dump() writes a
 * policy back as the file's text.
 *
 * Using it (the daemon at start, on reload, and for a vqosctl edit):
 *
 *     if (vqos_policy_build(conf, VQOS_POLICY_TX, &tx, err, sizeof(err)) < 0)
 *             return fail(err);               // a bad file starts nothing
 *     tree = (struct vqos_dp_tree){ .ops = vqos_policy_ops(tx),
 *                                   .params = vqos_policy_params(tx),
 *                                   .leaf_of_port = vqos_policy_leaf_of_port(tx) };
 *
 *     // reload (new_tx built from the new file) or edit (vqosctl's words
 *     // after DIR: "name c1 rate 5mbit"):
 *     //   vqos_conf_class_from_words(argc, argv, &c, err, ...), then
 *     //   vqos_policy_edit(tx, VQOS_POLICY_CHANGE, &c, &new_tx, err, ...)
 *     vqos_policy_diff(tx, new_tx, &d);
 *     // !d->changed: free new_tx. d->structural: publish a new qdisc built
 *     // from new_tx. Else ops->change() for each CHANGED class, with
 *     // vqos_policy_params(new_tx)->classes[e->new_index]. Keep new_tx.
 *
 * Several instances of a kind (one per data-path lcore) each run a part of
 * the tree (vqos_policy_part()); a "sched" tree has one port, so its one
 * instance runs all of it.
 *
 * Every function returns 0 or a negative errno (-EINVAL: refused, with the
 * reason in err; -ENOMEM); err may be NULL. Nothing here is thread-safe; a
 * policy is immutable once built, so readers may share it.
 */
#ifndef VQOS_POLICY_H
#define VQOS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/vqos_conf.h"
#include "sched/vqos_sched.h"

/** A direction, named from the container's side. */
enum vqos_policy_dir {
	VQOS_POLICY_TX = 0, /**< container -> OVS: pull mode, one leaf per port */
	VQOS_POLICY_RX = 1, /**< OVS -> container: push mode, leaves per port */
};

/** A validated class tree of one direction. Opaque; immutable once built. */
struct vqos_policy;

/**
 * The clock, ticks per second, at which build and edit run the kind's
 * create() to check a tree. Bucket depths grow with the clock, so checking
 * at a clock faster than any TSC refuses what a real TSC would refuse.
 */
#define VQOS_POLICY_CHECK_HZ 5000000000ULL

/** Rate of every class of the default htb tree: nothing real reaches it. */
#define VQOS_POLICY_UNSHAPED_BPS 100000000000ULL

/** Index meaning "no class". */
#define VQOS_POLICY_NONE UINT32_MAX

/**
 * Build and validate direction @p dir of @p conf.
 *
 * @param conf   a configuration from vqos_conf_load_*(); only read, and not
 *               needed once this returns
 * @param dir    which direction
 * @param out    set to the new policy (free with vqos_policy_free); untouched
 *               on error
 * @param err    on error, "class 'c1' (FILE:LINE): ceil 1Mbit is below rate
 *               2Mbit", or "FILE: tx: ..." for a rule of the whole direction
 *               ("FILE:LINE: tx: ..." for one of its qdisc kind, at the
 *               line of its qdisc key)
 * @return 0, -EINVAL (refused) or -ENOMEM
 */
int vqos_policy_build(const struct vqos_conf *conf, enum vqos_policy_dir dir,
		      struct vqos_policy **out, char *err, size_t errlen);

/** Free a policy; NULL does nothing. */
void vqos_policy_free(struct vqos_policy *p);

/** The direction of @p p. */
enum vqos_policy_dir vqos_policy_direction(const struct vqos_policy *p);

/** The qdisc kind of @p p ("htb", "sched", "police", "fifo"). */
const struct vqos_sched_ops *vqos_policy_ops(const struct vqos_policy *p);

/**
 * The sched parameters, valid as long as @p p is: classes in the policy's
 * order, ids from names, mode PULL for tx and PUSH for rx, n_ports the
 * configuration's, each leaf's port the index of its port in conf->ports,
 * allow_overcommit true when some class allows it (admission control was
 * done here, per parent). clock_hz is 0 and free_pkts NULL: copy the struct
 * and set them before create().
 */
const struct vqos_sched_params *vqos_policy_params(const struct vqos_policy *p);

/** Number of classes of @p p (as vqos_policy_params(p)->n_classes). */
uint32_t vqos_policy_n_classes(const struct vqos_policy *p);

/** Class @p index as written (the intent: fields and `set` mask), or NULL. */
const struct vqos_conf_class *vqos_policy_class(const struct vqos_policy *p, uint32_t index);

/** Index of the class called @p name, or VQOS_POLICY_NONE. */
uint32_t vqos_policy_find(const struct vqos_policy *p, const char *name);

/**
 * The leaf of port @p port (an index in conf->ports): in tx its only leaf,
 * in rx its default leaf (the one without a match), where the frames no
 * match takes go. VQOS_POLICY_NONE if @p port is out of range.
 */
uint32_t vqos_policy_port_leaf(const struct vqos_policy *p, uint32_t port);

/**
 * The leaf of every port, [n_ports] (vqos_policy_port_leaf() of each), valid
 * as long as @p p is: what struct vqos_dp_tree.leaf_of_port takes.
 */
const uint32_t *vqos_policy_leaf_of_port(const struct vqos_policy *p);

/** true for the default tree of a direction the file gives no tree. */
bool vqos_policy_is_default(const struct vqos_policy *p);

/**
 * A part of a tree: what one qdisc instance runs when the ports are split
 * between instances (vqosd's data-path lcores each run one per direction).
 * It holds the classes on the way from the root to the leaves of its ports,
 * in the policy's order, each leaf bound to its port's position in the
 * part. A class with leaves in other
 * parts too is split: its rates and ceilings are scaled by the share of its
 * leaves' rates (bit/s, pkt/s and cycles/s apart; by leaf count where those are 0)
 * that the part holds, so guarantees and ceilings add up to the class's.
 * These are the parts' starting shares: the data path moves them to where the
 * demand is (vqos_share in sched/), so what one part does not use is lent to
 * the others.
 */
struct vqos_policy_slice {
	/** The part as sched params: n_ports of the part, clock_hz 0, like
	 *  vqos_policy_params(). */
	struct vqos_sched_params params;
	/** [params.n_classes]: the classes (params.classes points here). */
	struct vqos_sched_class_params *classes;
	/** [params.n_classes]: index in the policy of each class of the part. */
	uint32_t *index;
	/** [params.n_ports]: index in the part of each port's leaf (where
	 *  unclassified packets go): what struct vqos_dp_tree.leaf_of_port takes. */
	uint32_t *leaf_of_port;
};

/**
 * Cut the part of ports @p ports[0..n_ports) (indices in conf->ports, each
 * once; the part's port k is ports[k]) out of @p p.
 * @param out filled on success; release with vqos_policy_slice_fini()
 * @return 0, -EINVAL (a port out of range or given twice) or -ENOMEM
 */
int vqos_policy_part(const struct vqos_policy *p, const uint32_t *ports, uint32_t n_ports,
		     struct vqos_policy_slice *out);

/** The part of port @p port alone: vqos_policy_part(p, &port, 1, out). */
int vqos_policy_slice(const struct vqos_policy *p, uint32_t port, struct vqos_policy_slice *out);

/** Free what vqos_policy_slice() allocated; a zeroed slice is fine. */
void vqos_policy_slice_fini(struct vqos_policy_slice *s);

/* ---------------------------------------------------------------------
 * Diff: what changed between the running policy and a new one.
 * --------------------------------------------------------------------- */

/** What happened to one class. */
enum vqos_policy_change {
	VQOS_POLICY_UNCHANGED = 0, /**< same in both */
	VQOS_POLICY_ADDED = 1,	   /**< only in the new policy */
	VQOS_POLICY_REMOVED = 2,   /**< only in the old policy */
	VQOS_POLICY_CHANGED = 3,   /**< in both, with other parameters */
};

/** One class of a diff. */
struct vqos_policy_class_diff {
	/** The class's name. */
	char name[VQOS_CONF_NAME_MAX];
	/** What happened to it. */
	enum vqos_policy_change change;
	/** Its index in the old policy, VQOS_POLICY_NONE if added. */
	uint32_t old_index;
	/** Its index in the new policy, VQOS_POLICY_NONE if removed. */
	uint32_t new_index;
	/** CHANGED: enum vqos_conf_class_field bits of the parameters that
	 *  differ, as the data path sees them (a default written out is no
	 *  change). */
	uint32_t fields;
};

/** The difference between two policies of one direction. */
struct vqos_policy_diff {
	/** Anything differs at all; false: skip the rebuild. */
	bool changed;
	/** The data path must create a new qdisc from the new params: the kind,
	 *  the ports, a class's existence, index, id, parent, port, limit or
	 *  overcommit differs. false with changed: ops->change() with the new
	 *  policy's class params, for each CHANGED class, does it. */
	bool structural;
	/** Why it is structural, for logs ("class 'c3' added"); "" if not. */
	char why[96];
	/** One entry per class of either policy: the new policy's classes in
	 *  its order, then the removed ones in the old order. */
	struct vqos_policy_class_diff *classes;
	/** Number of entries of classes. */
	size_t n_classes;
	/** The vqos_policy_classify() tables differ (a match, which leaf is a
	 *  port's default, or the leaves' indices): publish the new one. A
	 *  match is no parameter of the qdisc: with changed and not structural,
	 *  a CHANGED class whose only field is VQOS_CONF_CLASS_MATCH needs no
	 *  change() call, only the new table. */
	bool classify;
};

/**
 * Compare @p old_p and @p new_p, two policies of one direction.
 * @param out set to a new diff (free with vqos_policy_diff_free)
 * @return 0, -EINVAL (NULL argument, or directions differ) or -ENOMEM
 */
int vqos_policy_diff(const struct vqos_policy *old_p, const struct vqos_policy *new_p,
		     struct vqos_policy_diff **out);

/** Free a diff; NULL does nothing. */
void vqos_policy_diff_free(struct vqos_policy_diff *d);

/* ---------------------------------------------------------------------
 * Edits: vqosctl's class verbs, with tc's semantics.
 * --------------------------------------------------------------------- */

/** A vqosctl class verb. */
enum vqos_policy_verb {
	VQOS_POLICY_ADD = 0,	 /**< add: the name must be new */
	VQOS_POLICY_CHANGE = 1,	 /**< change: the name must exist; the fields
				      given replace those, the others stay */
	VQOS_POLICY_REPLACE = 2, /**< replace: add if new, else change */
	VQOS_POLICY_DEL = 3,	 /**< del: the name must exist, without children */
};

/** The verb called @p word ("add", "change", "replace", "del"). 0 or -EINVAL. */
int vqos_policy_verb_parse(const char *word, enum vqos_policy_verb *verb);

/**
 * Apply one verb to @p cur and validate the whole resulting tree.
 *
 * @param cur  the running policy; never changed
 * @param verb what to do
 * @param c    the class: its name, and for add, change and replace the fields
 *             given (c->set), as vqos_conf_class_from_words() fills them
 *             from vqosctl's words; for del only the name counts
 * @param out  set to the new policy; untouched on error
 * @param err  on error, the class and the word at fault ("class 'c1': ceil
 *             1Mbit is below rate 2Mbit", "class 'c9': does not exist")
 * @return 0, -EEXIST (add of a name that exists), -ENOENT (change or del of
 *         one that does not), -ENOTEMPTY (del of a class with children),
 *         -EINVAL (the resulting tree is refused) or -ENOMEM
 */
int vqos_policy_edit(const struct vqos_policy *cur, enum vqos_policy_verb verb,
		     const struct vqos_conf_class *c, struct vqos_policy **out, char *err,
		     size_t errlen);

/* ---------------------------------------------------------------------
 * Classification: which rx leaf of its port a frame goes to.
 * --------------------------------------------------------------------- */

/**
 * The classification table of @p p, valid as long as @p p is (like
 * vqos_policy_leaf_of_port()): one row per port (conf->ports order), leaves
 * as indices in vqos_policy_params(p)->classes, each port's default_leaf
 * equal to vqos_policy_port_leaf(). A tx policy's rows have no rules. The
 * data path looks frames up in it with vqos_classify() (vhost_tx/classify.h)
 * after copying it (or keeping @p p) for as long as it runs the tree:
 *
 *     const struct vqos_sched_classify *t = vqos_policy_classify(rx);
 *     leaf = vqos_classify(&t->ports[port], mbuf);
 *
 * Precedence: a frame with an 802.1Q or 802.1ad outer tag goes by that
 * tag's PCP if a leaf of its port matches it; else an IPv4 or IPv6 frame
 * (after up to two tags) by its DSCP; else to the port's default leaf.
 */
const struct vqos_sched_classify *vqos_policy_classify(const struct vqos_policy *p);

/**
 * The classification table of a part @p s of @p p (vqos_policy_part() or
 * vqos_policy_slice() of @p p): one row per port of the part, in the part's
 * order, leaves as indices in s->params.classes.
 * @param out  filled on success; release with vqos_policy_classify_fini()
 * @return 0, -EINVAL (NULL argument) or -ENOMEM
 */
int vqos_policy_classify_part(const struct vqos_policy *p, const struct vqos_policy_slice *s,
			      struct vqos_sched_classify *out);

/** Free what vqos_policy_classify_part() allocated; a zeroed table is fine. */
void vqos_policy_classify_fini(struct vqos_sched_classify *c);

/* ---------------------------------------------------------------------
 * Dump: a policy as the file's text.
 * --------------------------------------------------------------------- */

/**
 * Write @p p as its direction's group of the configuration file ("tx = {
 * qdisc = ...; classes = ( ... ); };"), with the fields each class was given,
 * exactly (rates in the largest unit that divides them). Put back in a file
 * with the same ports, it loads and builds into a policy equal to @p p.
 *
 * @param text set to a NUL-terminated string to free()
 * @return 0 or -ENOMEM
 */
int vqos_policy_dump(const struct vqos_policy *p, char **text);

#endif /* VQOS_POLICY_H */
