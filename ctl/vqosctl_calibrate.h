/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vqosctl's `cost calibrate`: the one command the client runs itself,
 * talking to OVS (ovs-appctl) as well as to vqosd. See ctl/calibrate.h for
 * what it measures and how it fits.
 */
#ifndef VQOSCTL_CALIBRATE_H
#define VQOSCTL_CALIBRATE_H

#include <stdbool.h>

#include <jansson.h>

/** vqosctl's request to vqosd at @p path: words @p argv; *result set to the
 *  result. Returns the exit status: 0, 1 refused, 2 cannot talk. */
typedef int (*vqosctl_request_fn)(const char *path, int argc, const char *const *argv, bool stats,
				  json_t **result);

/**
 * `cost calibrate [--appctl CMD] [--interval S] [--samples N]`: @p argv are
 * the words after "cost calibrate". Samples N intervals of S seconds (each:
 * pmd-stats-clear, vqosd's port show, S seconds, pmd-stats-show, port show
 * again), fits OVS's cycles per packet and per byte, and prints them (JSON
 * with @p json), with the `port cost` commands that apply them. CMD is the
 * ovs-appctl command line (split at blanks; default "ovs-appctl"), to which
 * "dpif-netdev/pmd-stats-clear" or "...-show" is added.
 * @return the exit status: 0 done, 1 the fit was refused (what was seen is
 *         printed), 2 vqosd or OVS could not be asked
 */
int vqosctl_calibrate(const char *path, bool path_given, int argc, char *const *argv, bool json,
		      vqosctl_request_fn request);

#endif /* VQOSCTL_CALIBRATE_H */
