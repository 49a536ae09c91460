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
	K_SIZE,	 /* a tc size, into a uint64_t */
	K_U64,	 /* a decimal integer, into a uint64_t */
	K_UINT,	 /* a decimal integer, into an unsigned int */
	K_BOOL,	 /* "true" or "false", into a bool */
	K_METER, /* enum vqos_conf_meter, into an unsigned int */
	K_AQM,	 /* enum vqos_conf_aqm, into an unsigned int */
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
	       "overcommit, meter, mark, aqm";
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
	enum vqos_rate_kind kind;
	uint64_t x;

	if (vqos_parse_rate(v, &x, &kind) < 0)
		return fail(err, errlen, "'%s' is not a rate (e.g. \"%s\")", v,
			    want == VQOS_RATE_BPS ? "10mbit" : "100kpps");
	if (kind != want)
		return fail(
			err, errlen,
			want == VQOS_RATE_BPS
				? "'%s' is a packet rate: rate and ceil take bits (use pps, cpps)"
				: "'%s' is a bit rate: pps and cpps take packets (use rate, ceil)",
			v);
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
		if (parse_rate_of(v, k->kind == K_BPS ? VQOS_RATE_BPS : VQOS_RATE_PPS, &x, err,
				  errlen) < 0)
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
	}
	if (k->size == sizeof(uint64_t))
		*(uint64_t *)dst = x;
	else
		*(unsigned int *)dst = (unsigned int)x;
	return 0;
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
