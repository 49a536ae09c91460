/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Integers as the file writes them.
 *
 * libconfig 1.5 (Debian 12's) reads an integer written without L into an
 * int and says nothing when it does not fit: "limit = 4294967396;" reads as
 * 100, "burst = 4294967296;" as 0, "quantum = 4294967295;" as -1, and a hex
 * "0x100000064" as 100 too. Later versions read such a decimal into 64
 * bits, but every version clamps one beyond 64 bits, L or not. A value that
 * is not what the file says must not be taken, so the reader (conf.c,
 * check_literals()) compares every integer setting with the literal it
 * came from and refuses the ones that differ, naming the key.
 *
 * libconfig keeps no text of a value, so this scans the text as libconfig's
 * scanner does (its scanner.l: strings with their escapes, comments, names,
 * floats, decimal and hex integers with an optional L or LL, the longest
 * match first) and lists the integer literals in order. Every integer
 * literal becomes one integer setting, and a depth-first walk of the parsed
 * settings, members in order, meets them in the order of the text, so the
 * k-th integer setting of a file is its k-th literal. The walk checks that
 * each reading is one libconfig could have made of its literal
 * (conf_literal_reads_as()), and stops comparing a file where it is not.
 */
#include "literals.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*';
}

static int hex_value(char c)
{
	return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* The length of an L or LL suffix at @p p. */
static size_t l_suffix(const char *p)
{
	return p[0] != 'L' ? 0 : p[1] == 'L' ? 2 : 1;
}

/* The length of a float at @p p (after a sign), 0 if none starts there:
 * [0-9]*\.[0-9]*([eE][-+]?[0-9]+)? or [0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+. */
static size_t float_len(const char *p)
{
	size_t n = strspn(p, "0123456789"), digits = n, e;
	bool dot = p[n] == '.';

	if (dot)
		n += 1 + strspn(p + n + 1, "0123456789");
	if ((p[n] != 'e' && p[n] != 'E') || (!dot && digits == 0))
		return dot ? n : 0;
	/* an exponent only with its digits */
	e = n + 1 + (p[n + 1] == '+' || p[n + 1] == '-');
	return is_digit(p[e]) ? e + strspn(p + e, "0123456789") : dot ? n : 0;
}

/* A literal of @p len characters at @p p (sign included), into @p lit. */
static void literal(const char *p, size_t len, bool hex, struct conf_literal *lit)
{
	bool neg = p[0] == '-';
	unsigned __int128 mag = 0;
	const unsigned __int128 cap = (unsigned __int128)1 << 65;
	size_t i = p[0] == '-' || p[0] == '+' ? 1 : 0;

	snprintf(lit->text, sizeof(lit->text), "%.*s", (int)len, p);
	for (i += hex ? 2 : 0; i < len && p[i] != 'L'; i++) {
		mag = mag * (hex ? 16 : 10) + (unsigned int)(hex ? hex_value(p[i]) : p[i] - '0');
		if (mag > cap)
			mag = cap;
	}
	if (hex) {
		/* strtoull's clamp, then the bits as a long long */
		lit->clamped = (int64_t)(mag > UINT64_MAX ? UINT64_MAX : (uint64_t)mag);
		lit->exact = mag <= INT64_MAX;
	} else if (neg) {
		lit->exact = mag <= (unsigned __int128)INT64_MAX + 1;
		lit->clamped = lit->exact ? (int64_t)(0 - (uint64_t)mag) : INT64_MIN;
	} else {
		lit->exact = mag <= INT64_MAX;
		lit->clamped = lit->exact ? (int64_t)mag : INT64_MAX;
	}
}

static int add(struct conf_literals *l, size_t *cap, const char *p, size_t len, bool hex)
{
	if (l->n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct conf_literal *v = realloc(l->v, c * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		l->v = v;
		*cap = c;
	}
	literal(p, len, hex, &l->v[l->n++]);
	return 0;
}

/* Past a string at @p p (its opening quote): libconfig takes \\ and \" as
 * escapes of two characters, and a backslash before anything else alone. */
static const char *skip_string(const char *p)
{
	for (p++; *p != '\0' && *p != '"'; p++)
		if (p[0] == '\\' && (p[1] == '\\' || p[1] == '"'))
			p++;
	return *p == '"' ? p + 1 : p;
}

int conf_literals_scan(const char *text, struct conf_literals *out)
{
	const char *p = text;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	while (*p != '\0') {
		const char *s = p + (*p == '-' || *p == '+');
		size_t ilen, flen;

		if (*p == '"') {
			p = skip_string(p);
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");

			p = end != NULL ? end + 2 : p + strlen(p);
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			p += strcspn(p, "\n");
		} else if (is_name_start(*p)) {
			for (p++; is_name_start(*p) || is_digit(*p) || *p == '-' || *p == '_'; p++)
				;
		} else if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && is_xdigit(p[2])) {
			/* a hex has no sign, and no float is as long */
			ilen = 2 + strspn(p + 2, "0123456789abcdefABCDEF");
			ilen += l_suffix(p + ilen);
			if (add(out, &cap, p, ilen, true) < 0)
				goto nomem;
			p += ilen;
		} else if (is_digit(*s) || *s == '.') {
			/* the longest of a float and a decimal, as flex takes it */
			flen = float_len(s);
			ilen = strspn(s, "0123456789");
			if (ilen > 0)
				ilen += l_suffix(s + ilen);
			if (flen > ilen) {
				p = s + flen;
			} else if (ilen > 0) {
				if (add(out, &cap, p, (size_t)(s - p) + ilen, false) < 0)
					goto nomem;
				p = s + ilen;
			} else {
				p++;
			}
		} else {
			p++;
		}
	}
	return 0;
nomem:
	conf_literals_free(out);
	return -ENOMEM;
}

void conf_literals_free(struct conf_literals *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool conf_literal_reads_as(const struct conf_literal *lit, int64_t got)
{
	return got == lit->clamped || got == (int32_t)(uint32_t)(uint64_t)lit->clamped;
}
