/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A configuration as vqosd takes it, before EAL starts: the file (conf/),
 * both class trees (policy/, which needs no EAL), and the user and groups of
 * the control socket. A file that passes here fails later only for what
 * needs EAL and the system: an uplink that cannot be probed, a socket in
 * use, memory. `vqosd --check` is this and nothing more, and vqosd runs it
 * first, so a bad name stops it before EAL and the ports have started.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>

#include "load.h"

int vqosd_build_policies(const struct vqos_conf *conf, struct vqos_policy **pol, char *err,
			 size_t errlen)
{
	static const enum vqos_policy_dir dirs[] = { VQOS_POLICY_TX, VQOS_POLICY_RX };
	int ret;

	pol[VQOS_POLICY_TX] = pol[VQOS_POLICY_RX] = NULL;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		ret = vqos_policy_build(conf, dirs[i], &pol[dirs[i]], err, errlen);
		if (ret < 0) {
			if (ret == -ENOMEM)
				snprintf(err, errlen, "out of memory");
			vqos_policy_free(pol[VQOS_POLICY_TX]);
			pol[VQOS_POLICY_TX] = NULL;
			return ret;
		}
	}
	return 0;
}

/* "FILE:LINE: key 'control.KEY': no KIND 'NAME' ..." into @p err (no line:
 * the file has no control group, so the name is the default). */
static int name_err(const struct vqos_conf *conf, const char *key, bool group, const char *name,
		    char *err, size_t errlen)
{
	char line[16] = "";

	if (conf->ctl_line > 0)
		snprintf(line, sizeof(line), ":%u", conf->ctl_line);
	if (group)
		/* the package's sysusers.d/vqos.conf makes the two of README's sample */
		snprintf(err, errlen,
			 "%s%s: key 'control.%s': no group '%s' on this system (create it with "
			 "groupadd --system %s; the vqos package creates vqos and vqos-admin)",
			 conf->file, line, key, name, name);
	else
		snprintf(err, errlen, "%s%s: key 'control.%s': no user '%s' on this system",
			 conf->file, line, key, name);
	return -ENOENT;
}

int vqosd_ctl_ids(const struct vqos_conf *conf, struct vqosd_ctl_ids *ids, char *err, size_t errlen)
{
	const struct passwd *pw = getpwnam(conf->ctl_owner);
	const struct group *gr;

	/* one `if` per name, in the file's order: owner, group, admin */
	if (pw == NULL)
		return name_err(conf, "owner", false, conf->ctl_owner, err, errlen);
	ids->owner = pw->pw_uid;
	gr = getgrnam(conf->ctl_group);
	if (gr == NULL)
		return name_err(conf, "group", true, conf->ctl_group, err, errlen);
	ids->group = gr->gr_gid;
	gr = getgrnam(conf->ctl_admin);
	if (gr == NULL)
		return name_err(conf, "admin", true, conf->ctl_admin, err, errlen);
	ids->admin = gr->gr_gid;
	return 0;
}

int vqosd_load(const char *path, struct vqos_conf **conf, struct vqos_policy **pol,
	       struct vqosd_ctl_ids *ids, char *err, size_t errlen)
{
	struct vqos_conf *c = NULL;
	int ret;

	pol[VQOS_POLICY_TX] = pol[VQOS_POLICY_RX] = NULL;
	if (path != NULL)
		ret = vqos_conf_load_file(path, &c, err, errlen);
	else
		ret = vqos_conf_load_string(vqos_conf_default_text(), "<embedded default>", &c, err,
					    errlen);
	if (ret < 0)
		return ret;
	ret = vqosd_build_policies(c, pol, err, errlen);
	if (ret == 0)
		ret = vqosd_ctl_ids(c, ids, err, errlen);
	if (ret < 0) {
		vqos_policy_free(pol[VQOS_POLICY_TX]);
		vqos_policy_free(pol[VQOS_POLICY_RX]);
		pol[VQOS_POLICY_TX] = pol[VQOS_POLICY_RX] = NULL;
		vqos_conf_free(c);
		return ret;
	}
	*conf = c;
	return 0;
}
