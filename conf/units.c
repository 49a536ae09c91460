/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Units as tc(8) writes them.
 *
 * A value is a decimal number followed by a unit suffix. tc reads the number
 * with strtod() and multiplies by a double scale; here the number is read by
 * hand into an integer part and the digits of a decimal fraction, and the
 * product with the unit's scale is computed in integers, exactly however many
 * digits the fraction has, so "1.5mbit" is exactly 1500000, "0.1kbit"
 * exactly 100 and "0.0009765625k" exactly one byte. Like tc, a result that
 * is not a whole number is truncated ("1.9bit" is 1 bit per second).
 *
 * Every unit's scale is written in bits: a rate unit's scale is bits (or
 * packets) per second per unit, a size unit's scale is bits per unit and the
 * size is divided by 8 at the end, so tc's size units in bits ("kbit" as a size
 * is 1024 bits, 128 bytes) need no special case.
 *
 * Formatting follows tc's print_rate(): divide by 1000 while the value stays
 * exact, or while at least 4 significant digits remain before the unit;
 * unlike tc the last division rounds to nearest rather than truncating. Sizes
 * use the largest binary unit (Kb, Mb, Gb) that divides the value exactly,
 * so a formatted size always parses back to the same number of bytes.
 */
#include "conf/vqos_units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <strings.h>

/** One unit suffix. */
struct unit {
	/** Suffix, compared case-insensitively. */
	const char *name;
	/** Bits (or packets) per second, or bits, per unit. */
	uint64_t scale;
	/** What a rate in this unit measures (rates only). */
	enum vqos_rate_kind kind;
};

#define KI ((uint64_t)1 << 10)
#define MI ((uint64_t)1 << 20)
#define GI ((uint64_t)1 << 30)
#define TI ((uint64_t)1 << 40)

static const struct unit rate_units[] = {
	{ "bit", 1, VQOS_RATE_BPS },
	{ "kbit", 1000ULL, VQOS_RATE_BPS },
	{ "mbit", 1000000ULL, VQOS_RATE_BPS },
	{ "gbit", 1000000000ULL, VQOS_RATE_BPS },
	{ "tbit", 1000000000000ULL, VQOS_RATE_BPS },
	{ "kibit", KI, VQOS_RATE_BPS },
	{ "mibit", MI, VQOS_RATE_BPS },
	{ "gibit", GI, VQOS_RATE_BPS },
	{ "tibit", TI, VQOS_RATE_BPS },
	{ "bps", 8, VQOS_RATE_BPS },
	{ "kbps", 8000ULL, VQOS_RATE_BPS },
	{ "mbps", 8000000ULL, VQOS_RATE_BPS },
	{ "gbps", 8000000000ULL, VQOS_RATE_BPS },
	{ "tbps", 8000000000000ULL, VQOS_RATE_BPS },
	{ "kibps", 8 * KI, VQOS_RATE_BPS },
	{ "mibps", 8 * MI, VQOS_RATE_BPS },
	{ "gibps", 8 * GI, VQOS_RATE_BPS },
	{ "tibps", 8 * TI, VQOS_RATE_BPS },
	{ "pps", 1, VQOS_RATE_PPS },
	{ "kpps", 1000ULL, VQOS_RATE_PPS },
	{ "mpps", 1000000ULL, VQOS_RATE_PPS },
	{ "gpps", 1000000000ULL, VQOS_RATE_PPS },
	{ "cps", 1, VQOS_RATE_CPS },
	{ "kcps", 1000ULL, VQOS_RATE_CPS },
	{ "mcps", 1000000ULL, VQOS_RATE_CPS },
	{ "gcps", 1000000000ULL, VQOS_RATE_CPS },
	{ NULL, 0, VQOS_RATE_BPS },
};

/* Sizes, in bits per unit; the parsed value is divided by 8. */
static const struct unit size_units[] = {
	{ "b", 8, VQOS_RATE_BPS },	 { "k", 8 * KI, VQOS_RATE_BPS },
	{ "kb", 8 * KI, VQOS_RATE_BPS }, { "m", 8 * MI, VQOS_RATE_BPS },
	{ "mb", 8 * MI, VQOS_RATE_BPS }, { "g", 8 * GI, VQOS_RATE_BPS },
	{ "gb", 8 * GI, VQOS_RATE_BPS }, { "kbit", KI, VQOS_RATE_BPS },
	{ "mbit", MI, VQOS_RATE_BPS },	 { "gbit", GI, VQOS_RATE_BPS },
	{ NULL, 0, VQOS_RATE_BPS },
};

/* Times, as tc takes them: in microseconds (the scale is per microsecond,
 * so "1.5ms" is exact); a bare number is microseconds. */
static const struct unit time_units[] = {
	{ "us", 1, VQOS_RATE_BPS },	 { "usec", 1, VQOS_RATE_BPS },
	{ "ms", 1000, VQOS_RATE_BPS },	 { "msec", 1000, VQOS_RATE_BPS },
	{ "s", 1000000, VQOS_RATE_BPS }, { "sec", 1000000, VQOS_RATE_BPS },
	{ NULL, 0, VQOS_RATE_BPS },
};

/** A non-negative decimal number: ip, and the digits after the point. */
struct decimal {
	uint64_t ip;
	const char *frac;
	size_t n_frac;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Read "DIGITS[.DIGITS]" (either side may be empty, not both) from *sp and
 * leave *sp after it. No sign, no exponent, no blanks.
 */
static int parse_decimal(const char **sp, struct decimal *d)
{
	const char *p = *sp;
	bool any = false;

	d->ip = 0;
	d->frac = NULL;
	d->n_frac = 0;
	for (; is_digit(*p); p++) {
		/* the integer part must fit 64 bits */
		if (__builtin_mul_overflow(d->ip, 10, &d->ip) ||
		    __builtin_add_overflow(d->ip, (uint64_t)(*p - '0'), &d->ip))
			return -ERANGE;
		any = true;
	}
	if (*p == '.') {
		d->frac = ++p;
		for (; is_digit(*p); p++)
			any = true;
		d->n_frac = (size_t)(p - d->frac);
	}
	if (!any)
		return -EINVAL;
	*sp = p;
	return 0;
}

static const struct unit *find_unit(const struct unit *table, const char *name)
{
	for (; table->name != NULL; table++)
		if (strcasecmp(table->name, name) == 0)
			return table;
	return NULL;
}

/*
 * floor(d * scale / div), exactly, whatever the number of fraction digits
 * (a fraction cut short would come out one less: "0.00000095367431640625m",
 * 20 digits, is exactly one byte). floor(0.d1..dn x scale) is taken digit by
 * digit from the last one, x = floor((dk x scale + x) / 10): a floor inside
 * a floor divided by an integer is the floor of the whole, and x stays below
 * scale (2^43 at most), so nothing overflows. ip x scale fits 128 bits
 * (2^64 x 2^43), and dividing the sum by div is one more such floor.
 */
static int scale_decimal(const struct decimal *d, uint64_t scale, uint64_t div, uint64_t *out)
{
	unsigned __int128 total = (unsigned __int128)d->ip * scale;
	uint64_t x = 0;

	for (size_t i = d->n_frac; i-- > 0;)
		x = ((uint64_t)(d->frac[i] - '0') * scale + x) / 10;
	total += x;
	total /= div;
	if (total > UINT64_MAX)
		return -ERANGE;
	*out = (uint64_t)total;
	return 0;
}

/* Number, then a unit from @p table (@p bare when there is none). */
static int parse_value(const char *s, const struct unit *table, const char *bare, uint64_t div,
		       uint64_t *value, const struct unit **unit)
{
	struct decimal d;
	const struct unit *u;
	int rc;

	if (s == NULL)
		return -EINVAL;
	rc = parse_decimal(&s, &d);
	if (rc < 0)
		return rc;
	u = find_unit(table, *s == '\0' ? bare : s);
	if (u == NULL)
		return -EINVAL;
	rc = scale_decimal(&d, u->scale, div, value);
	if (rc < 0)
		return rc;
	*unit = u;
	return 0;
}

int vqos_parse_rate(const char *s, uint64_t *value, enum vqos_rate_kind *kind)
{
	const struct unit *u;
	int rc = parse_value(s, rate_units, "bit", 1, value, &u);

	if (rc == 0)
		*kind = u->kind;
	return rc;
}

int vqos_parse_size(const char *s, uint64_t *bytes)
{
	const struct unit *u;

	return parse_value(s, size_units, "b", 8, bytes, &u);
}

int vqos_parse_time(const char *s, uint64_t *us)
{
	const struct unit *u;

	return parse_value(s, time_units, "us", 1, us, &u);
}

int vqos_format_time(char *buf, size_t len, uint64_t us)
{
	if (us != 0 && us % 1000000 == 0)
		return snprintf(buf, len, "%llus", (unsigned long long)(us / 1000000));
	if (us != 0 && us % 1000 == 0)
		return snprintf(buf, len, "%llums", (unsigned long long)(us / 1000));
	return snprintf(buf, len, "%lluus", (unsigned long long)us);
}

int vqos_format_rate(char *buf, size_t len, uint64_t value, enum vqos_rate_kind kind)
{
	static const char *const prefixes[] = { "", "K", "M", "G", "T" };
	static const char *const units[] = { "bit", "pps", "cps" };
	/* pps and cps have no T: vqos_parse_rate() knows no tpps, tcps */
	const size_t top = kind == VQOS_RATE_BPS ? 4 : 3;
	uint64_t unit = 1;
	uint64_t shown;
	size_t i = 0;

	while (i < top) {
		uint64_t q = value / unit;

		if (q < 1000)
			break;
		/* inexact and fewer than 4 digits would remain: stop */
		if (value % (unit * 1000) != 0 && q < 1000000)
			break;
		unit *= 1000;
		i++;
	}
	/* round to nearest, from the original value: no double rounding */
	shown = value / unit + ((value % unit) * 2 >= unit ? 1 : 0);
	return snprintf(buf, len, "%" PRIu64 "%s%s", shown, prefixes[i],
			units[kind <= VQOS_RATE_CPS ? kind : VQOS_RATE_BPS]);
}

int vqos_format_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes != 0 && bytes % GI == 0)
		return snprintf(buf, len, "%" PRIu64 "Gb", bytes / GI);
	if (bytes != 0 && bytes % MI == 0)
		return snprintf(buf, len, "%" PRIu64 "Mb", bytes / MI);
	if (bytes != 0 && bytes % KI == 0)
		return snprintf(buf, len, "%" PRIu64 "Kb", bytes / KI);
	return snprintf(buf, len, "%" PRIu64 "b", bytes);
}
