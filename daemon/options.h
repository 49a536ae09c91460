/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to daemon/: vqosd's command line (options.c), read before
 * anything else, EAL included. No DPDK here, so tests/daemon parses it alone.
 */
#ifndef VQOSD_OPTIONS_H
#define VQOSD_OPTIONS_H

#include <stdio.h>

/** What the command line asks vqosd to do. */
enum vqosd_action {
	VQOSD_RUN,	     /**< serve: the file, EAL, the ports, the control socket */
	VQOSD_CHECK,	     /**< --check: validate the file, print "FILE: ok", exit */
	VQOSD_PRINT_DEFAULT, /**< --print-default: print the embedded file, exit */
	VQOSD_VERSION,	     /**< --version: print "vqosd VERSION", exit */
	VQOSD_HELP,	     /**< -h, --help: print the usage, exit */
};

/** vqosd's command line. */
struct vqosd_options {
	/** What to do. */
	enum vqosd_action action;
	/** -c FILE; NULL: the embedded default. */
	const char *conf_path;
	/** --state-dir DIR: where vqosd keeps the run-time changes across
	 *  restarts (state.c); NULL: nowhere. */
	const char *state_dir;
};

/**
 * Parse vqosd's @p argv. At most one of --check, --print-default,
 * --version and --help may be given.
 * @return 0 with @p o filled, or -EINVAL after a message and the usage on
 *         stderr
 */
int vqosd_parse_options(int argc, char **argv, struct vqosd_options *o);

/** Print vqosd's usage to @p f. */
void vqosd_usage(FILE *f);

#endif /* VQOSD_OPTIONS_H */
