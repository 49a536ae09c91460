/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * conf: vqosd's configuration file, read with libconfig into plain structs.
 *
 * The whole daemon configuration lives in one libconfig file: the EAL
 * arguments, the control socket, and the ports. A port pairs a container's
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

/** One port: a container's vhost-user socket and its uplink. */
struct vqos_conf_port {
	/** Unique name, [A-Za-z0-9_.-], used by vqosctl. */
	char name[VQOS_CONF_NAME_MAX];
	/** Path of the container's vhost-user socket. */
	char socket[VQOS_CONF_PATH_MAX];
	/** false: vqosd creates and listens on the socket (server, the default);
	 *  true: vqosd connects to it and reconnects when it goes (client). */
	bool client;
	/** Uplink ethdev devargs, e.g. "net_virtio_user0,path=/run/ovs/vhu0". */
	char uplink[VQOS_CONF_DEVARGS_MAX];
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
};

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

/** The embedded default configuration's text (no hugepages needed). */
const char *vqos_conf_default_text(void);

/** Free a configuration; NULL does nothing. */
void vqos_conf_free(struct vqos_conf *conf);

#endif /* VQOS_CONF_H */
