/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Private to ctl/ (vqosctl's `cost calibrate`): OVS's own cycles per packet
 * and per byte, from what it reports and what vqosd sent it.
 *
 * A port's cost model (conf's `cost`) says what a packet of length L costs
 * the OVS PMD core that receives it: a + b L cycles. vqosctl measures it the
 * way OVS reports it: for each of N intervals it clears OVS's PMD counters
 * (`ovs-appctl dpif-netdev/pmd-stats-clear`), waits, reads them
 * (`dpif-netdev/pmd-stats-show`: the PMD threads' processing cycles), and
 * counts what vqosd handed OVS meanwhile (its ports' tx packets and bytes).
 * Then it fits cycles = a packets + b bytes by least squares, without an
 * intercept (an idle PMD processes nothing). Only intervals whose mean
 * frame lengths differ tell a from b: a fit whose two columns are close to
 * parallel is refused, as is one with nothing to fit.
 *
 * This file is the parser and the fit, pure and tested on fixed texts; the
 * client (vqosctl_calibrate.c) runs the commands and prints.
 */
#ifndef VQOS_CTL_CALIBRATE_H
#define VQOS_CTL_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** What one `ovs-appctl dpif-netdev/pmd-stats-show` says (OVS 3.1 with
 *  DPDK 22.11), summed over its PMD threads ("pmd thread numa_id N core_id
 *  M:" sections); the "main thread:" section, which polls no vhost-user
 *  port, is left out and only counted. */
struct vqos_ctl_calib_pmd {
	/** PMD thread sections read. */
	unsigned int threads;
	/** "main thread" sections seen (not summed). */
	unsigned int main_threads;
	/** "packets received", all rx queues of the PMD threads. */
	uint64_t packets;
	/** "processing cycles": cycles of iterations that received packets. */
	uint64_t busy_cycles;
	/** "idle cycles". */
	uint64_t idle_cycles;
};

/**
 * Parse the text of `dpif-netdev/pmd-stats-show`. A thread that ran no
 * cycles since the counters were cleared has no cycles lines: it counts 0.
 * @return 0, or -EINVAL with @p err saying what is not as OVS 3.1 writes
 *         it (no PMD thread, a number that does not parse)
 */
int vqos_ctl_calib_parse_pmd(const char *text, struct vqos_ctl_calib_pmd *out, char *err,
			     size_t errlen);

/** One interval: what vqosd sent OVS and what OVS's PMDs spent. */
struct vqos_ctl_calib_sample {
	double packets; /**< packets vqosd's ports gave their uplinks (tx) */
	double bytes;	/**< their bytes */
	double cycles;	/**< the PMD threads' processing cycles */
};

/** A fit's conditioning beyond which a and b cannot be told apart: the
 *  condition number of the normalised normal equations (100: a 1% error
 *  in the cycles may make a 100% error in a or b). Intervals of 64-byte and
 *  of 1500-byte frames give about 7. */
#define VQOS_CTL_CALIB_COND_MAX 100.0

/** What the fit found. */
struct vqos_ctl_calib_fit {
	double a;	  /**< cycles per packet */
	double b;	  /**< cycles per byte */
	double residual;  /**< root mean square of the residuals over the mean cycles */
	double condition; /**< (1 + r) / (1 - r), r the cosine of the two columns */
	bool a_zero;	  /**< a came out negative: fitted with b alone, a = 0 */
	bool b_zero;	  /**< b came out negative: fitted with a alone, b = 0 */
};

/**
 * Fit cycles = a packets + b bytes to @p s[0..n) by least squares, a and b
 * not negative. Refused (-EINVAL, @p err saying why and what to do) with
 * fewer than two intervals that carried packets, with no cycles at all, or
 * when the intervals' mean frame lengths are too alike to tell a from b
 * (condition over VQOS_CTL_CALIB_COND_MAX; @p out is filled all the same).
 * @return 0 or -EINVAL
 */
int vqos_ctl_calib_fit(const struct vqos_ctl_calib_sample *s, size_t n,
		       struct vqos_ctl_calib_fit *out, char *err, size_t errlen);

#endif /* VQOS_CTL_CALIBRATE_H */
