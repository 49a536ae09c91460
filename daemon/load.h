/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to daemon/: what vqosd checks of a configuration before EAL
 * starts (load.c), which is all that `vqosd --check` does. No DPDK here, so
 * tests/daemon runs it alone.
 */
#ifndef VQOSD_LOAD_H
#define VQOSD_LOAD_H

#include <stddef.h>
#include <sys/types.h>

#include "conf/vqos_conf.h"
#include "policy/vqos_policy.h"

/** The control socket's owner, group and admin group, resolved. */
struct vqosd_ctl_ids {
	uid_t owner; /**< control.owner's uid */
	gid_t group; /**< control.group's gid: may read */
	gid_t admin; /**< control.admin's gid: may change things */
};

/**
 * Both directions' class trees of @p conf, validated: @p pol[VQOS_POLICY_TX]
 * and @p pol[VQOS_POLICY_RX] (free with vqos_policy_free); a message naming
 * the class, file and line in @p err.
 * @return 0, or a negative errno with both set to NULL
 */
int vqosd_build_policies(const struct vqos_conf *conf, struct vqos_policy **pol, char *err,
			 size_t errlen);

/**
 * Resolve @p conf's control.owner, control.group and control.admin into
 * @p ids. A name this system does not know is refused as
 * "FILE:LINE: key 'control.group': no group 'vqos' ...".
 * @return 0 or -ENOENT
 */
int vqosd_ctl_ids(const struct vqos_conf *conf, struct vqosd_ctl_ids *ids, char *err,
		  size_t errlen);

/**
 * Everything vqosd checks before EAL: read @p path (NULL: the embedded
 * default), build both class trees, resolve the control socket's names.
 * On success *conf, @p pol[0..1] and @p ids are set (the caller frees the
 * first two); on error nothing is kept and @p err says what, with the file
 * and line where there is one.
 * @return 0 or a negative errno
 */
int vqosd_load(const char *path, struct vqos_conf **conf, struct vqos_policy **pol,
	       struct vqosd_ctl_ids *ids, char *err, size_t errlen);

#endif /* VQOSD_LOAD_H */
