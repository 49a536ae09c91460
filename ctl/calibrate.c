/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OVS's cost per packet and per byte: pmd-stats-show parsed, and the fit.
 *
 * The text is OVS 3.1's pmd_info_show_stats() (lib/dpif-netdev.c), one
 * section per thread:
 *
 *     pmd thread numa_id 0 core_id 1:
 *       packets received: 1234
 *       ...
 *       idle cycles: 2171428571 (70.00%)
 *       processing cycles: 930612244 (30.00%)
 *       avg cycles per packet: 2513236.72 (3102040815/1234)
 *       avg processing cycles per packet: 754143.65 (930612244/1234)
 *     main thread:
 *       ...
 *
 * The cycles lines are missing when the thread ran none since the clear,
 * and the per-packet ones when it received nothing. Keys are matched
 * whole, so a line OVS adds later is passed over.
 *
 * The fit is ordinary least squares of cycles on packets and bytes with no
 * intercept, from the 2x2 normal equations:
 *
 *     [ Σp²  ΣpB ] [a]   [ Σpc ]
 *     [ ΣpB  ΣB² ] [b] = [ ΣBc ]
 *
 * Whether a and b can be told apart is the angle between the packet and the
 * byte columns: with r = ΣpB / √(Σp² ΣB²), the condition number of the
 * normalised system is (1 + r) / (1 - r), 1 for orthogonal columns, infinite
 * when every interval had the same mean frame length. A negative a or b
 * (noise, or a cost that one term explains alone) is set to 0 and the other
 * fitted alone: non-negative least squares of two unknowns.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"

/* The number at the start of @p s (after blanks), into *@p v; false if none. */
static bool leading_u64(const char *s, uint64_t *v)
{
	char *end;

	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && (*end == '\0' || *end == ' ' || *end == '\n');
}

int vqos_ctl_calib_parse_pmd(const char *text, struct vqos_ctl_calib_pmd *out, char *err,
			     size_t errlen)
{
	static const char *const keys[] = { "packets received:", "idle cycles:",
					    "processing cycles:" };
	struct vqos_ctl_calib_pmd r = { 0 };
	enum { NONE, PMD, MAIN } in = NONE;
	unsigned int line = 0;

	for (const char *s = text; s != NULL && *s != '\0'; s = strchr(s, '\n'), s += s != NULL) {
		size_t len = strcspn(s, "\n");
		const char *v;

		line++;
		if (strncmp(s, "pmd thread", 10) == 0 && len > 0 && s[len - 1] == ':') {
			in = PMD;
			r.threads++;
			continue;
		}
		if (strncmp(s, "main thread:", 12) == 0) {
			in = MAIN;
			r.main_threads++;
			continue;
		}
		if (in != PMD || strncmp(s, "  ", 2) != 0)
			continue;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			uint64_t x;

			if (strncmp(s + 2, keys[k], strlen(keys[k])) != 0)
				continue;
			v = s + 2 + strlen(keys[k]);
			/* OVS writes "%"PRIu64, then maybe " (12.34%)" */
			if (!leading_u64(v, &x)) {
				snprintf(err, errlen,
					 "pmd-stats-show, line %u: '%.*s' has no count", line,
					 (int)len, s);
				return -EINVAL;
			}
			*(k == 0 ? &r.packets : k == 1 ? &r.idle_cycles : &r.busy_cycles) += x;
		}
	}
	/* the PMD threads poll the vhost-user ports vqosd's uplinks are */
	if (r.threads == 0) {
		snprintf(err, errlen,
			 "no 'pmd thread' in the output: not OVS-DPDK's dpif-netdev/pmd-stats-show "
			 "(or OVS has no PMD thread)");
		return -EINVAL;
	}
	*out = r;
	return 0;
}

/* Σ(c - a p - b B)², term by term (from the sums it would cancel). */
static double sq_error(const struct vqos_ctl_calib_sample *s, size_t n, double a, double b)
{
	double e = 0;

	for (size_t i = 0; i < n; i++) {
		double d = s[i].cycles - a * s[i].packets - b * s[i].bytes;

		e += d * d;
	}
	return e;
}

int vqos_ctl_calib_fit(const struct vqos_ctl_calib_sample *s, size_t n,
		       struct vqos_ctl_calib_fit *out, char *err, size_t errlen)
{
	double spp = 0, spb = 0, sbb = 0, spc = 0, sbc = 0, sc = 0;
	double lo = INFINITY, hi = 0, r, det;
	size_t used = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		spp += s[i].packets * s[i].packets;
		spb += s[i].packets * s[i].bytes;
		sbb += s[i].bytes * s[i].bytes;
		spc += s[i].packets * s[i].cycles;
		sbc += s[i].bytes * s[i].cycles;
		sc += s[i].cycles;
		if (s[i].packets <= 0)
			continue;
		used++;
		lo = fmin(lo, s[i].bytes / s[i].packets);
		hi = fmax(hi, s[i].bytes / s[i].packets);
	}
	/* two unknowns want two intervals with traffic at least */
	if (used < 2) {
		snprintf(
			err, errlen,
			"%zu of %zu intervals carried packets: two at least are needed (is traffic "
			"going through vqosd to OVS?)",
			used, n);
		return -EINVAL;
	}
	/* an idle PMD, or cycles counted somewhere else */
	if (sc <= 0) {
		snprintf(err, errlen,
			 "OVS's PMD threads spent no processing cycles while vqosd sent %.0f "
			 "packets: are its uplinks ports of this OVS?",
			 sqrt(spp));
		return -EINVAL;
	}
	r = spb / sqrt(spp * sbb);
	out->condition = r < 1 ? (1 + r) / (1 - r) : INFINITY;
	det = spp * sbb - spb * spb;
	if (det > 0) {
		out->a = (spc * sbb - sbc * spb) / det;
		out->b = (sbc * spp - spc * spb) / det;
	}
	if (!(out->condition <= VQOS_CTL_CALIB_COND_MAX)) {
		snprintf(err, errlen,
			 "the intervals' mean frame lengths (%.1f to %.1f bytes) are too alike to "
			 "tell a cost per packet from a cost per byte (condition number %.3g, over "
			 "%.0f): send frames of other sizes in some intervals than in others, e.g. "
			 "64 bytes, then 1500",
			 lo, hi, out->condition, VQOS_CTL_CALIB_COND_MAX);
		return -EINVAL;
	}
	if (out->a < 0 || out->b < 0) {
		/* one term alone: the one that fits better with a cost >= 0 */
		double a1 = spc > 0 ? spc / spp : 0, b1 = sbc > 0 ? sbc / sbb : 0;
		bool by_packets = sq_error(s, n, a1, 0) <= sq_error(s, n, 0, b1);

		out->a = by_packets ? a1 : 0;
		out->b = by_packets ? 0 : b1;
		out->a_zero = !by_packets;
		out->b_zero = by_packets;
	}
	out->residual = sqrt(sq_error(s, n, out->a, out->b) / (double)n) / (sc / (double)n);
	return 0;
}
