/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a port added at run time may name. The file is root's and trusted;
 * `vqosctl port add` is the admin group's, whose uplink devargs go to
 * rte_dev_probe() as they are (any driver: a pcap device that writes any
 * file, a capture on any interface) and whose container socket vqosd may
 * unlink as stale. So a port added at run time takes only the uplink
 * drivers vqosd is built for (vhost-user: net_virtio_user to OVS, net_vhost)
 * and only paths in the directories the running configuration's ports
 * already use, or VQOS_CONF_RUN_DIR. Anything else goes in the file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/vqos_conf.h"

/* Drivers a port added at run time may name, as the start of its uplink. */
static const char *const run_time_drivers[] = { "net_virtio_user", "net_vhost", NULL };

/* The value of devargs key @p key ("path") into @p out, or "" if none. */
static void devargs_value(const char *devargs, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = strchr(devargs, ',');

	out[0] = '\0';
	while (p != NULL) {
		p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, ",");

			if (n < len) {
				memcpy(out, p + klen + 1, n);
				out[n] = '\0';
			}
			return;
		}
		p = strchr(p, ',');
	}
}

/* @p path's directory into @p dir: "" when @p path is not absolute or has
 * an empty, "." or ".." component (it could lead anywhere). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *last = strrchr(path, '/');
	const char *c = path;

	dir[0] = '\0';
	if (path[0] != '/' || last == NULL || last[1] == '\0' || (size_t)(last - path) >= len)
		return;
	while (c != NULL && *c != '\0') {
		size_t n = strcspn(c + 1, "/");

		if (n == 0 || (n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			return;
		c = strchr(c + 1, '/');
	}
	memcpy(dir, path, (size_t)(last - path));
	dir[last - path] = '\0';
	if (dir[0] == '\0')
		strcpy(dir, "/");
}

/* The paths a port names: its socket, its uplink's path= and iface=. */
static void port_paths(const struct vqos_conf_port *p, char paths[3][VQOS_CONF_DEVARGS_MAX])
{
	snprintf(paths[0], VQOS_CONF_DEVARGS_MAX, "%s", p->socket);
	devargs_value(p->uplink, "path", paths[1], VQOS_CONF_DEVARGS_MAX);
	devargs_value(p->uplink, "iface", paths[2], VQOS_CONF_DEVARGS_MAX);
}

/* Whether directory @p dir is one a port of @p conf uses, or the run dir. */
static bool dir_permitted(const struct vqos_conf *conf, const char *dir)
{
	char paths[3][VQOS_CONF_DEVARGS_MAX], d[VQOS_CONF_DEVARGS_MAX];

	if (strcmp(dir, VQOS_CONF_RUN_DIR) == 0)
		return true;
	for (size_t i = 0; i < conf->n_ports; i++) {
		port_paths(&conf->ports[i], paths);
		for (int k = 0; k < 3; k++) {
			dir_of(paths[k], d, sizeof(d));
			if (d[0] != '\0' && strcmp(d, dir) == 0)
				return true;
		}
	}
	return false;
}

int vqos_conf_port_runtime_check(const struct vqos_conf *conf, const struct vqos_conf_port *p,
				 char *err, size_t errlen)
{
	static const char *const what[] = { "socket", "uplink path", "uplink iface" };
	char paths[3][VQOS_CONF_DEVARGS_MAX], dir[VQOS_CONF_DEVARGS_MAX];
	int k;

	for (k = 0; run_time_drivers[k] != NULL; k++)
		if (strncmp(p->uplink, run_time_drivers[k], strlen(run_time_drivers[k])) == 0)
			break;
	if (run_time_drivers[k] == NULL) {
		snprintf(err, errlen,
			 "uplink '%.*s': only net_virtio_user and net_vhost uplinks are added at "
			 "run time; put the port in the file and reload",
			 (int)strcspn(p->uplink, ","), p->uplink);
		return -EPERM;
	}
	port_paths(p, paths);
	for (k = 0; k < 3; k++) {
		if (paths[k][0] == '\0')
			continue;
		dir_of(paths[k], dir, sizeof(dir));
		if (dir[0] == '\0') {
			snprintf(err, errlen,
				 "%s '%s': not an absolute path without '.' or '..' components",
				 what[k], paths[k]);
			return -EPERM;
		}
		if (!dir_permitted(conf, dir)) {
			snprintf(err, errlen,
				 "%s '%s': not in %s or a directory the configured ports use; put "
				 "the port in the file and reload",
				 what[k], paths[k], VQOS_CONF_RUN_DIR);
			return -EPERM;
		}
	}
	return 0;
}
