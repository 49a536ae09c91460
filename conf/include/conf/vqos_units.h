/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Units as tc(8) writes them, for rates and sizes.
 *
 * Rates: a bare number or `bit` is bits per second; `kbit`, `mbit`, `gbit`,
 * `tbit` are SI multiples (1000) and `kibit`, `mibit`, `gibit`, `tibit` binary
 * ones (1024); `bps` is bytes per second and `kbps`, `mbps`, `gbps`, `tbps`
 * (and `kibps`...) its multiples. Packet rates, vqos's own addition for the
 * per-packet cost of the shared OVS cores: `pps`, `kpps`, `mpps`, `gpps` (SI).
 * Cycle rates, for the cycles of the shared OVS core a class may cause:
 * `cps`, `kcps`, `mcps`, `gcps` (SI).
 * Sizes: a bare number or `b` is bytes, `k`/`kb` 1024 bytes, `m`/`mb` 1024^2,
 * `g`/`gb` 1024^3, and `kbit`, `mbit`, `gbit` are sizes in bits, as in tc.
 * Unit names are case-insensitive; a decimal fraction is accepted
 * ("1.5mbit"); negative numbers, empty strings, trailing garbage, unknown units
 * and values that overflow 64 bits are refused with -EINVAL or -ERANGE.
 *
 * Fractions are computed exactly in integers ("1.5mbit" is 1500000); a result
 * that is not whole is truncated, as tc does ("1.9bit" is 1). On error the
 * outputs are left untouched.
 */
#ifndef VQOS_UNITS_H
#define VQOS_UNITS_H

#include <stddef.h>
#include <stdint.h>

/** What a rate string measures. */
enum vqos_rate_kind {
	VQOS_RATE_BPS = 0, /**< bits per second */
	VQOS_RATE_PPS = 1, /**< packets per second */
	VQOS_RATE_CPS = 2, /**< cycles (of the OVS core) per second */
};

/**
 * Parse a rate.
 * @param s     text such as "100mbit", "12.5MBps", "2mpps", "64000"
 * @param value set to the rate, in bits, packets or cycles per second
 * @param kind  set to what the value measures
 * @return 0, -EINVAL (malformed, unknown unit) or -ERANGE (overflow)
 */
int vqos_parse_rate(const char *s, uint64_t *value, enum vqos_rate_kind *kind);

/** Parse a size ("1500", "32k", "1mb", "64kbit"); @p bytes set in bytes. Same returns. */
int vqos_parse_size(const char *s, uint64_t *bytes);

/** Parse a time as tc does ("500us", "1.5ms", "2s", "200": microseconds);
 *  @p us set in microseconds. Same returns. */
int vqos_parse_time(const char *s, uint64_t *us);

/** Format a time in microseconds in the largest of s, ms, us that keeps it
 *  exact ("500us", "2ms"): the text parses back to the same time. */
int vqos_format_time(char *buf, size_t len, uint64_t us);

/**
 * Format a rate the way tc prints it ("100Mbit", "1500Kbit", "2Mpps", "3Gcps", "800bit"),
 * choosing the largest SI unit that keeps an exact or 3-significant-digit value.
 * Precisely (tc's rule): divide by 1000 while the value stays exact or at least
 * 4 digits remain, the last inexact division rounded to nearest ("1235Kbit" for
 * 1234567); values below 10^6 print exactly.
 * @return the number of characters written, as snprintf
 */
int vqos_format_rate(char *buf, size_t len, uint64_t value, enum vqos_rate_kind kind);

/**
 * Format a size in bytes the way tc prints it ("1500b", "32Kb", "1Mb"), in the
 * largest of Gb, Mb, Kb (1024-based) that divides it exactly, else in bytes:
 * the text always parses back to the same size.
 */
int vqos_format_size(char *buf, size_t len, uint64_t bytes);

#endif /* VQOS_UNITS_H */
