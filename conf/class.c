/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One class of a class tree, key by key.
 *
 * The file's class groups and vqosctl's `class add ... rate 10mbit` words
 * give a class the same way: a key and a text. One table below says, per
 * key, what kind of value it takes, where it goes and which bit of the
 * class's `set` mask it raises, so the file and the command line accept
 * exactly the same values and say the same thing about a bad one.
 *
 * Only the value itself is checked here (a rate is a bit rate, a prio is a
 * number): whether it fits the rest of the tree is policy/'s business.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vqos_conf.h"
#include "conf/vqos_units.h"

/** What a key's text is. */
enum class_kind {
	K_NAME,	 /* [A-Za-z0-9_.-], into a char array */
	K_BPS,	 /* a bit rate, into a uint64_t */
	K_PPS,	 /* a packet rate, into a uint64_t */
	K_CPS,	 /* a cycle rate, into a uint64_t */
	K_SIZE,	 /* a tc size, into a uint64_t */
	K_U64,	 /* a decimal integer, into a uint64_t */
	K_UINT,	 /* a decimal integer, into an unsigned int */
	K_BOOL,	 /* "true" or "false", into a bool */
	K_METER, /* enum vqos_conf_meter, into an unsigned int */
	K_AQM,	 /* enum vqos_conf_aqm, into an unsigned int */
	K_MATCH, /* a match (conf/match.c), into a struct vqos_conf_match */
};

struct class_key {
	const char *name;
	enum class_kind kind;
	size_t offset;
	size_t size;
	/* 0 for the name, which is not optional */
	uint32_t bit;
};

#define CF(field)                                                                                  \
	offsetof(struct vqos_conf_class, field), sizeof(((struct vqos_conf_class *)0)->field)

static const struct class_key class_keys[] = {
	{ "name", K_NAME, CF(name), 0 },
	{ "parent", K_NAME, CF(parent), VQOS_CONF_CLASS_PARENT },
	{ "port", K_NAME, CF(port), VQOS_CONF_CLASS_PORT },
	{ "rate", K_BPS, CF(rate_bps), VQOS_CONF_CLASS_RATE },
	{ "ceil", K_BPS, CF(ceil_bps), VQOS_CONF_CLASS_CEIL },
	{ "burst", K_SIZE, CF(burst), VQOS_CONF_CLASS_BURST },
	{ "cburst", K_SIZE, CF(cburst), VQOS_CONF_CLASS_CBURST },
	{ "prio", K_UINT, CF(prio), VQOS_CONF_CLASS_PRIO },
	{ "quantum", K_SIZE, CF(quantum), VQOS_CONF_CLASS_QUANTUM },
	{ "pps", K_PPS, CF(rate_pps), VQOS_CONF_CLASS_PPS },
	{ "cpps", K_PPS, CF(ceil_pps), VQOS_CONF_CLASS_CPPS },
	{ "limit", K_U64, CF(limit), VQOS_CONF_CLASS_LIMIT },
	{ "overcommit", K_BOOL, CF(overcommit), VQOS_CONF_CLASS_OVERCOMMIT },
	{ "meter", K_METER, CF(meter), VQOS_CONF_CLASS_METER },
	{ "mark", K_BOOL, CF(mark), VQOS_CONF_CLASS_MARK },
	{ "aqm", K_AQM, CF(aqm), VQOS_CONF_CLASS_AQM },
	{ "match", K_MATCH, CF(match), VQOS_CONF_CLASS_MATCH },
	{ "cps", K_CPS, CF(rate_cps), VQOS_CONF_CLASS_CPS },
	{ "ccps", K_CPS, CF(ceil_cps), VQOS_CONF_CLASS_CCPS },
	{ NULL, K_NAME, 0, 0, 0 },
};

static const char *const meter_names[] = { "srtcm", "trtcm", "rfc4115", NULL };
static const char *const aqm_names[] = { "tail", "red", "pie", NULL };

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

const char *vqos_conf_class_keys(void)
{
	return "name, parent, port, rate, ceil, burst, cburst, prio, quantum, pps, cpps, limit, "
	       "overcommit, meter, mark, aqm, match, cps, ccps";
}

const char *vqos_conf_class_field_name(uint32_t bit)
{
	for (const struct class_key *k = class_keys; k->name != NULL; k++)
		if (k->bit == bit && bit != 0)
			return k->name;
	return NULL;
}

/* A decimal integer with no sign, blank or unit. */
static int parse_uint(const char *v, uint64_t *out)
{
	char *end;

	if (v[0] < '0' || v[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	return 0;
}

static int parse_enum(const char *v, const char *const *names, unsigned int *out)
{
	for (unsigned int i = 0; names[i] != NULL; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A rate of kind @p want: a packet rate for a bit key is a mistake to name. */
static int parse_rate_of(const char *v, enum vqos_rate_kind want, uint64_t *out, char *err,
			 size_t errlen)
{
	/* per enum vqos_rate_kind */
	static const char *const example[] = { "10mbit", "100kpps", "500mcps" };
	static const char *const what[] = { "bit", "packet", "cycle" };
	static const char *const keys[] = { "rate and ceil", "pps and cpps", "cps and ccps" };
	static const char *const units[] = { "bits", "packets", "cycles" };
	static const char *const use[] = { "rate, ceil", "pps, cpps", "cps, ccps" };
	enum vqos_rate_kind kind;
	uint64_t x;

	if (vqos_parse_rate(v, &x, &kind) < 0)
		return fail(err, errlen, "'%s' is not a rate (e.g. \"%s\")", v, example[want]);
	if (kind != want)
		return fail(err, errlen, "'%s' is a %s rate: %s take %s (use %s)", v, what[kind],
			    keys[want], units[want], use[kind]);
	*out = x;
	return 0;
}

static int parse_value(const struct class_key *k, const char *v, void *dst, char *err,
		       size_t errlen)
{
	uint64_t x = 0;
	unsigned int e;
	size_t len = strlen(v);

	switch (k->kind) {
	case K_NAME:
		if (len == 0)
			return fail(err, errlen, "empty");
		/* the field is a fixed-size array */
		if (len >= k->size)
			return fail(err, errlen, "'%s' is longer than %zu characters", v,
				    k->size - 1);
		/* names are typed on command lines and printed in columns */
		if (strspn(v,
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
		    len)
			return fail(err, errlen, "'%s' has a character outside [A-Za-z0-9_.-]", v);
		memcpy(dst, v, len + 1);
		return 0;
	case K_BPS:
	case K_PPS:
	case K_CPS:
		if (parse_rate_of(v,
				  k->kind == K_BPS   ? VQOS_RATE_BPS
				  : k->kind == K_PPS ? VQOS_RATE_PPS
						     : VQOS_RATE_CPS,
				  &x, err, errlen) < 0)
			return -EINVAL;
		break;
	case K_SIZE:
		if (vqos_parse_size(v, &x) < 0)
			return fail(err, errlen, "'%s' is not a size (e.g. \"64k\")", v);
		break;
	case K_U64:
	case K_UINT:
		if (parse_uint(v, &x) < 0 || (k->kind == K_UINT && x > 0xffffffffu))
			return fail(err, errlen, "'%s' is not a whole number", v);
		break;
	case K_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return fail(err, errlen, "'%s' is neither true nor false", v);
		*(bool *)dst = v[0] == 't';
		return 0;
	case K_METER:
	case K_AQM:
		if (parse_enum(v, k->kind == K_METER ? meter_names : aqm_names, &e) < 0)
			return fail(err, errlen,
				    k->kind == K_METER ? "'%s' is not \"srtcm\", \"trtcm\" or "
							 "\"rfc4115\""
						       : "'%s' is not \"tail\", \"red\" or \"pie\"",
				    v);
		*(unsigned int *)dst = e;
		return 0;
	case K_MATCH:
		return vqos_conf_match_parse(v, dst, err, errlen);
	}
	if (k->size == sizeof(uint64_t))
		*(uint64_t *)dst = x;
	else
		*(unsigned int *)dst = (unsigned int)x;
	return 0;
}

/*
 * The `match` key of an rx leaf: which of its port's frames it takes.
 *
 * The text is a comma-separated list of items, each a field and a value or
 * an inclusive range: "pcp 5", "pcp 4-7", "dscp 46", "dscp 32-47". It reads
 * into two sets of values (bit v for value v), which is all policy/ needs to
 * check that two leaves of one port never claim the same value and to build
 * the data path's lookup table. The text written back is canonical (pcp
 * before dscp, ascending, runs as ranges), so a dump reads back into an
 * equal struct and dumps again to the same text.
 *
 * A value given twice in one match is refused rather than merged: "pcp 4-7,
 * pcp 5" is a typo more often than a wish. "none" is the empty match, which
 * vqosctl needs to take a leaf's match away (`class change ... match none`).
 */

/** One field a match can name. */
struct match_field {
	const char *name;
	unsigned int max;
};

static const struct match_field match_fields[] = {
	{ "pcp", VQOS_CONF_PCP_MAX },
	{ "dscp", VQOS_CONF_DSCP_MAX },
};

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A decimal value of at most 3 digits (every valid value has at most 2). */
static const char *read_value(const char *s, unsigned int *v)
{
	unsigned int n = 0, digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 3) {
		n = n * 10 + (unsigned int)(*s - '0');
		s++;
		digits++;
	}
	if (digits == 0 || (*s >= '0' && *s <= '9'))
		return NULL;
	*v = n;
	return s;
}

/*
 * One item from @p s to the next comma or the end, into @p m. @p item and
 * @p item_len are the item's text without the blanks around it, for messages.
 */
static int read_item(const char *s, const char *item, int item_len, struct vqos_conf_match *m,
		     char *err, size_t errlen)
{
	const struct match_field *f = NULL;
	unsigned int lo = 0, hi;
	uint64_t bits, have;

	for (size_t i = 0; i < sizeof(match_fields) / sizeof(match_fields[0]); i++) {
		size_t n = strlen(match_fields[i].name);

		if (strncmp(s, match_fields[i].name, n) == 0 && (s[n] == ' ' || s[n] == '\t')) {
			f = &match_fields[i];
			s += n;
			break;
		}
	}
	if (f != NULL)
		s = read_value(skip_blanks(s), &lo);
	hi = lo;
	if (f != NULL && s != NULL && *s == '-')
		s = read_value(s + 1, &hi);
	if (f == NULL || s == NULL || (*(s = skip_blanks(s)) != ',' && *s != '\0'))
		return fail(err, errlen,
			    "'%.*s' is not \"pcp N\", \"pcp N-M\", \"dscp N\" or \"dscp N-M\"",
			    item_len, item);
	/* the header fields are 3 and 6 bits wide */
	if (hi > f->max)
		return fail(err, errlen, "'%.*s': %s values are 0..%u", item_len, item, f->name,
			    f->max);
	if (lo > hi)
		return fail(err, errlen, "'%.*s': the range is empty (low value first)", item_len,
			    item);
	bits = (hi == 63 ? ~0ULL : (1ULL << (hi + 1)) - 1) & ~((1ULL << lo) - 1);
	have = f == &match_fields[0] ? m->pcp : m->dscp;
	if (have & bits)
		return fail(err, errlen, "'%.*s': %s %d is given twice", item_len, item, f->name,
			    __builtin_ctzll(have & bits));
	if (f == &match_fields[0])
		m->pcp |= (uint8_t)bits;
	else
		m->dscp |= bits;
	return 0;
}

int vqos_conf_match_parse(const char *text, struct vqos_conf_match *out, char *err, size_t errlen)
{
	struct vqos_conf_match m = { 0 };
	const char *s = text;

	if (text == NULL || out == NULL)
		return fail(err, errlen, "no text");
	/* vqosctl's `class change ... match none` makes a leaf a default again */
	if (strcmp(text, "none") == 0) {
		*out = m;
		return 0;
	}
	if (*skip_blanks(text) == '\0')
		return fail(err, errlen,
			    "empty: give \"pcp N[-M]\" or \"dscp N[-M]\" items, "
			    "comma-separated");
	for (;;) {
		const char *item = skip_blanks(s), *end = strchr(item, ',');
		int len;
		int rc;

		if (end == NULL)
			end = item + strlen(item);
		len = (int)(end - item);
		while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t'))
			len--;
		/* "pcp 5," or ",," is a list with a hole in it */
		if (len == 0)
			return fail(err, errlen, "an empty item between commas");
		rc = read_item(item, item, len, &m, err, errlen);
		if (rc < 0)
			return rc;
		if (*end == '\0')
			break;
		s = end + 1;
	}
	*out = m;
	return 0;
}

/* Append the runs of set bits of @p bits (values 0..max) as "NAME lo[-hi]" items. */
static size_t put_runs(char *buf, size_t len, size_t pos, const char *name, uint64_t bits,
		       unsigned int max)
{
	for (unsigned int v = 0; v <= max; v++) {
		unsigned int hi = v;
		char *at = pos < len ? buf + pos : NULL;
		size_t room = pos < len ? len - pos : 0;
		int n;

		if (!(bits >> v & 1))
			continue;
		while (hi < max && (bits >> (hi + 1) & 1))
			hi++;
		if (hi == v)
			n = snprintf(at, room, "%s%s %u", pos > 0 ? ", " : "", name, v);
		else
			n = snprintf(at, room, "%s%s %u-%u", pos > 0 ? ", " : "", name, v, hi);
		pos += n > 0 ? (size_t)n : 0;
		v = hi;
	}
	return pos;
}

void vqos_conf_match_format(const struct vqos_conf_match *m, char *buf, size_t len)
{
	size_t pos;

	if (buf == NULL || len == 0)
		return;
	buf[0] = '\0';
	if (m->pcp == 0 && m->dscp == 0) {
		snprintf(buf, len, "none");
		return;
	}
	pos = put_runs(buf, len, 0, match_fields[0].name, m->pcp, match_fields[0].max);
	put_runs(buf, len, pos, match_fields[1].name, m->dscp, match_fields[1].max);
}

void vqos_conf_class_merge(struct vqos_conf_class *dst, const struct vqos_conf_class *src)
{
	for (const struct class_key *k = class_keys; k->name != NULL; k++)
		if (k->bit != 0 && (src->set & k->bit) != 0)
			memcpy((char *)dst + k->offset, (const char *)src + k->offset, k->size);
	dst->set |= src->set;
}

int vqos_conf_class_set(struct vqos_conf_class *c, const char *key, const char *value, char *err,
			size_t errlen)
{
	const struct class_key *k;

	if (c == NULL || key == NULL || value == NULL)
		return fail(err, errlen, "no class, key or value");
	for (k = class_keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			break;
	if (k->name == NULL) {
		fail(err, errlen, "unknown key (known here: %s)", vqos_conf_class_keys());
		return -ENOENT;
	}
	if (parse_value(k, value, (char *)c + k->offset, err, errlen) < 0)
		return -EINVAL;
	c->set |= k->bit;
	return 0;
}

int vqos_conf_class_from_words(int argc, const char *const *argv, struct vqos_conf_class *c,
			       char *err, size_t errlen)
{
	struct vqos_conf_class tmp = { 0 };
	bool named = false;
	char what[192];

	if (argc < 0 || (argc > 0 && argv == NULL) || c == NULL)
		return fail(err, errlen, "no words or no class");
	for (int i = 0; i < argc; i += 2) {
		const char *key = argv[i];
		int rc;

		/* every key takes one value */
		if (i + 1 >= argc)
			return fail(err, errlen, "%s: no value", key);
		/* a word given twice is a typo that would silently win or lose */
		for (int j = 0; j < i; j += 2)
			if (strcmp(argv[j], key) == 0)
				return fail(err, errlen, "%s: given twice", key);
		rc = vqos_conf_class_set(&tmp, key, argv[i + 1], what, sizeof(what));
		if (rc < 0)
			return fail(err, errlen, "%s: %s", key, what);
		named |= strcmp(key, "name") == 0;
	}
	/* a class is named by its name */
	if (!named)
		return fail(err, errlen, "name: missing");
	*c = tmp;
	return 0;
}
