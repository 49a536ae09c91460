/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The text of a round-trip model (roundtrip_gen.c): what it says, in any of
 * the ways the reader takes it. Keys in any order, '=' or ':', ';' or ','
 * or nothing after a setting, comments, strings split and escaped, rates,
 * sizes and times in any unit that holds the value exactly (decimal
 * fractions included, now and then with digits below the unit that the
 * reader truncates), integers as decimal or hex, with or without L, a cost
 * per byte as an integer or a float (exact, with an exponent, or any
 * decimal that rounds to it), and defaults written out or left out. Each
 * class, port (its cost group included) and the control and datapath groups
 * are on one line, so a key's line is its group's. One value may be
 * replaced by a mutation's (struct rt_mutation).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roundtrip_gen.h"

struct emit {
	struct rt_rng *r;
	struct rt_mutation *mut;
	unsigned int seen;
	char *buf;
	size_t len, cap;
};

/* Room for @p n more bytes and a NUL. */
static void reserve(struct emit *e, size_t n)
{
	if (e->cap - e->len > n)
		return;
	e->cap = (e->len + n + 1) * 2;
	e->buf = realloc(e->buf, e->cap);
	if (e->buf == NULL)
		abort();
}

static void append(struct emit *e, const char *s, size_t n)
{
	reserve(e, n);
	memcpy(e->buf + e->len, s, n);
	e->len += n;
	e->buf[e->len] = '\0';
}

/*
 * printf to the text. Most pieces are a constant, "%s" or "%c": those are
 * copied (measuring and formatting every piece with vsnprintf, through
 * ASan's interceptor, was half of the time of a mutation); others are
 * formatted in place, again only when they did not fit.
 */
static void __attribute__((format(printf, 2, 3))) put(struct emit *e, const char *fmt, ...)
{
	va_list ap;
	char c;
	int n;

	va_start(ap, fmt);
	if (strchr(fmt, '%') == NULL) {
		append(e, fmt, strlen(fmt));
	} else if (strcmp(fmt, "%s") == 0) {
		const char *s = va_arg(ap, const char *);

		append(e, s, strlen(s));
	} else if (strcmp(fmt, "%c") == 0) {
		c = (char)va_arg(ap, int);
		append(e, &c, 1);
	} else {
		va_list again;

		reserve(e, 64);
		va_copy(again, ap);
		n = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
		if (n < 0)
			abort();
		if ((size_t)n >= e->cap - e->len) {
			reserve(e, (size_t)n);
			vsnprintf(e->buf + e->len, e->cap - e->len, fmt, again);
		}
		va_end(again);
		e->len += (size_t)n;
	}
	va_end(ap);
}

static unsigned int line_now(const struct emit *e)
{
	unsigned int line = 1;

	for (size_t i = 0; i < e->len; i++)
		line += e->buf[i] == '\n';
	return line;
}

/* Blanks, and now and then a comment, between tokens on one line. */
static void blank(struct emit *e)
{
	static const char *const b[] = { " ", "", "\t", "  ", " /* 1, \"2\" 0x3 */ ", " " };

	put(e, "%s", b[rt_below(e->r, sizeof(b) / sizeof(b[0]))]);
}

/* The end of a line: maybe a comment with numbers libconfig never reads. */
static void eol(struct emit *e)
{
	static const char *const c[] = { "\n", "\n", " # 4294967296 \"\n", " // 1.5, -2\n",
					 "\n/* 7L\n 0x10 */\n" };

	put(e, "%s", c[rt_below(e->r, sizeof(c) / sizeof(c[0]))]);
}

/* A libconfig string for @p s: raw bytes where libconfig takes them,
 * escapes at random, now and then split in adjacent literals. */
static void put_str(struct emit *e, const char *s)
{
	put(e, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		unsigned int how = (unsigned int)rt_below(e->r, 10);

		if (how == 0 && s[1] != '\0') {
			put(e, "\"");
			blank(e);
			put(e, "\"");
		}
		if (c == '"' || c == '\\')
			put(e, "\\%c", c);
		else if (c == '\n')
			put(e, how < 5 ? "\\n" : "\\x0a");
		else if (how == 1 || (c < 0x20 && how < 5))
			put(e, how % 2 ? "\\x%02x" : "\\X%02X", c);
		else if (c == '\t' && how == 2)
			put(e, "\\t");
		else if (c == '\r' && how == 2)
			put(e, "\\r");
		else if (c == '\f' && how == 2)
			put(e, "\\f");
		else
			put(e, "%c", c);
	}
	put(e, "\"");
}

/* An integer: decimal, with leading zeros or a +, or hex; L where libconfig
 * needs it (or at random), or never with @p plain. */
static void put_int(struct emit *e, uint64_t v, bool plain)
{
	bool wide = v > 0x7fffffffULL;
	const char *l =
		wide && !plain ? (rt_coin(e->r, 50) ? "L" : "LL") : (rt_coin(e->r, 20) ? "L" : "");

	switch (rt_below(e->r, 4)) {
	case 0:
		put(e, "0x%" PRIx64 "%s", v, l);
		break;
	case 1:
		put(e, "%s%" PRIu64 "%s", rt_coin(e->r, 50) ? "+" : "00", v, l);
		break;
	default:
		put(e, "%" PRIu64 "%s", v, l);
	}
}

struct unit {
	const char *name;
	/* bits (rates: per second) per unit */
	unsigned __int128 scale;
};

static const struct unit bps_units[] = {
	{ "", 1 },
	{ "bit", 1 },
	{ "kbit", 1000 },
	{ "mbit", 1000000 },
	{ "gbit", 1000000000 },
	{ "tbit", 1000000000000ULL },
	{ "kibit", 1ULL << 10 },
	{ "mibit", 1ULL << 20 },
	{ "gibit", 1ULL << 30 },
	{ "tibit", 1ULL << 40 },
	{ "bps", 8 },
	{ "kbps", 8000 },
	{ "mbps", 8000000 },
	{ "gbps", 8000000000ULL },
	{ "tbps", 8000000000000ULL },
	{ "kibps", 8ULL << 10 },
	{ "mibps", 8ULL << 20 },
	{ "gibps", 8ULL << 30 },
	{ "tibps", 8ULL << 40 },
	{ NULL, 0 },
};

static const struct unit pps_units[] = {
	{ "pps", 1 }, { "kpps", 1000 }, { "mpps", 1000000 }, { "gpps", 1000000000 }, { NULL, 0 },
};

static const struct unit cps_units[] = {
	{ "cps", 1 }, { "kcps", 1000 }, { "mcps", 1000000 }, { "gcps", 1000000000 }, { NULL, 0 },
};

/* Times: a value in microseconds; a bare number is microseconds. */
static const struct unit time_units[] = {
	{ "", 1 },	  { "us", 1 },	    { "usec", 1 },	{ "ms", 1000 },
	{ "msec", 1000 }, { "s", 1000000 }, { "sec", 1000000 }, { NULL, 0 },
};

/* Sizes: a value in bytes is 8 x value bits. */
static const struct unit size_units[] = {
	{ "", 8 },
	{ "b", 8 },
	{ "k", 8 << 10 },
	{ "kb", 8 << 10 },
	{ "m", 8 << 20 },
	{ "mb", 8 << 20 },
	{ "g", 8ULL << 30 },
	{ "gb", 8ULL << 30 },
	{ "kbit", 1ULL << 10 },
	{ "mbit", 1ULL << 20 },
	{ "gbit", 1ULL << 30 },
	{ NULL, 0 },
};

/*
 * @p bits in a random unit of @p units, exactly: a whole number of units,
 * or a decimal fraction (every scale is 2^a x 5^b, so the fraction ends).
 * The unit in random case; "5." and ".5" as well as "5.0" and "0.5". Now
 * and then more digits follow, worth less than one bit (packet, cycle,
 * microsecond) together: the reader truncates them away.
 */
static void put_units(struct emit *e, unsigned __int128 bits, const struct unit *units)
{
	size_t n = 0, digits = 0, below = 0;
	const struct unit *u;
	uint64_t q, rem;
	char name[8];
	bool tail = rt_coin(e->r, 10);

	while (units[n].name != NULL)
		n++;
	u = &units[rt_below(e->r, n)];
	q = (uint64_t)(bits / u->scale);
	rem = (uint64_t)(bits % u->scale);
	for (size_t i = 0; i <= strlen(u->name); i++)
		name[i] = rt_coin(e->r, 20) && u->name[i] >= 'a' ? (char)(u->name[i] - 32)
								 : u->name[i];
	if (rem == 0 && !tail) {
		put(e, "\"%" PRIu64 "%s%s\"", q, rt_coin(e->r, 10) ? "." : "", name);
		return;
	}
	put(e, q == 0 && rt_coin(e->r, 50) ? "\"." : "\"%" PRIu64 ".", q);
	/* long division: rem / scale, digit by digit, until nothing is left */
	for (; rem != 0; digits++) {
		rem *= 10;
		put(e, "%u", (unsigned int)(rem / u->scale));
		rem %= (uint64_t)u->scale;
	}
	if (tail) {
		/* digits from place below + 1 on add up to less than scale /
		 * 10^below <= one bit */
		for (unsigned __int128 p = 1; p < u->scale; p *= 10)
			below++;
		for (; digits < below; digits++)
			put(e, "0");
		for (unsigned int i = 0, k = 1 + (unsigned int)rt_below(e->r, 4); i < k; i++)
			put(e, "%u", (unsigned int)rt_below(e->r, 10));
	}
	put(e, "%s%s\"", rt_coin(e->r, 10) ? "0" : "", name);
}

#define BYTE_ONE VQOS_CONF_COST_BYTE_ONE
#define BYTE_MAX ((uint64_t)VQOS_CONF_COST_BYTE_MAX * BYTE_ONE)

/*
 * A cost per byte of @p b 1/1024 cycles as the file takes it: an integer
 * (a whole number of cycles), its exact decimal (at most ten digits, b /
 * 1024 = ip + frac / 10^d), the same digits with an exponent, or a decimal
 * of a few digits that the reader rounds to @p b, within 0..1000 (where
 * the reader looks). Floats may have a '+', and "5." or ".5".
 */
static void put_cost_byte(struct emit *e, uint64_t b, bool plain)
{
	uint64_t ip = b / BYTE_ONE, frac = (b % BYTE_ONE) * 9765625, p10 = 1, k;
	unsigned int d = 10, how = (unsigned int)rt_below(e->r, 5);
	char digits[48];
	int len, at;

	if (b % BYTE_ONE == 0 && how == 0) {
		put_int(e, ip, plain);
		return;
	}
	while (d > 0 && frac % 10 == 0) {
		frac /= 10;
		d--;
	}
	put(e, "%s", rt_coin(e->r, 10) ? "+" : "");
	if (how == 1 && b <= BYTE_MAX) {
		uint64_t lo, hi;

		/* x rounds to b when x x 1024 is in [b - 1/2, b + 1/2): k / 10^d
		 * with k x 2048 in [(2b - 1) 10^d, (2b + 1) 10^d); 4 digits
		 * always have one, and 7 stay far enough from a tie for a double */
		for (d = 1 + (unsigned int)rt_below(e->r, 7);; d++) {
			for (p10 = 1, k = 0; k < d; k++)
				p10 *= 10;
			lo = b == 0 ? 0 : ((2 * b - 1) * p10 + 2047) / 2048;
			hi = ((2 * b + 1) * p10 - 1) / 2048;
			if (hi > VQOS_CONF_COST_BYTE_MAX * p10)
				hi = VQOS_CONF_COST_BYTE_MAX * p10;
			if (lo <= hi)
				break;
		}
		k = lo + rt_below(e->r, hi - lo + 1);
		ip = k / p10;
		frac = k % p10;
	}
	if (how == 2) {
		/* all the digits, a point after any of them, and the exponent
		 * that puts it back */
		len = snprintf(digits, sizeof(digits), "%" PRIu64, ip);
		if (d > 0)
			len += snprintf(digits + len, sizeof(digits) - (size_t)len, "%0*" PRIu64,
					(int)d, frac);
		at = 1 + (int)rt_below(e->r, (uint64_t)len);
		put(e, "%.*s%s%s%s%s%d", at, digits, at < len || rt_coin(e->r, 30) ? "." : "",
		    digits + at, rt_coin(e->r, 50) ? "e" : "E",
		    len - at - (int)d >= 0 && rt_coin(e->r, 50) ? "+" : "", len - at - (int)d);
		return;
	}
	if (d == 0)
		put(e, "%" PRIu64 ".%s", ip, rt_coin(e->r, 50) ? "0" : "");
	else if (ip == 0 && rt_coin(e->r, 30))
		put(e, ".%0*" PRIu64, (int)d, frac);
	else
		put(e, "%" PRIu64 ".%0*" PRIu64 "%s", ip, (int)d, frac,
		    rt_coin(e->r, 10) ? "0" : "");
}

static void put_size(struct emit *e, uint64_t v, bool plain)
{
	if (rt_coin(e->r, 30))
		put_int(e, v, plain);
	else
		put_units(e, (unsigned __int128)v * 8, size_units);
}

/* A match as text: runs cut at random, items in any order, blanks around. */
static void put_match(struct emit *e, const struct vqos_conf_match *m)
{
	char items[80][16];
	size_t n = 0;

	if (m->pcp == 0 && m->dscp == 0) {
		put(e, "\"none\"");
		return;
	}
	for (int f = 0; f < 2; f++) {
		uint64_t bits = f == 0 ? m->pcp : m->dscp;
		unsigned int max = f == 0 ? 7 : 63;

		for (unsigned int v = 0; v <= max; v++) {
			unsigned int hi = v;

			if (!(bits >> v & 1))
				continue;
			while (hi < max && (bits >> (hi + 1) & 1) && rt_coin(e->r, 80))
				hi++;
			if (hi == v && rt_coin(e->r, 80))
				snprintf(items[n++], sizeof(items[0]), "%s%s%0*u",
					 f == 0 ? "pcp" : "dscp", rt_coin(e->r, 80) ? " " : "\t",
					 rt_coin(e->r, 10) ? 3 : 1, v);
			else
				snprintf(items[n++], sizeof(items[0]), "%s %u-%02u",
					 f == 0 ? "pcp" : "dscp", v, hi);
			v = hi;
		}
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = rt_below(e->r, i);
		char x[16];

		memcpy(x, items[i - 1], sizeof(x));
		memcpy(items[i - 1], items[j], sizeof(x));
		memcpy(items[j], x, sizeof(x));
	}
	put(e, "\"%s", rt_coin(e->r, 20) ? " " : "");
	for (size_t i = 0; i < n; i++)
		put(e, "%s%s", i > 0 ? (rt_coin(e->r, 50) ? ", " : " ,\t") : "", items[i]);
	put(e, "%s\"", rt_coin(e->r, 20) ? "\t" : "");
}

/* Whether this occurrence of key @p mkey is the mutation's; if so, note its
 * line and path. */
static bool mutating(struct emit *e, const char *mkey, const char *path)
{
	struct rt_mutation *mu = e->mut;

	if (mu == NULL || mu->applied || strcmp(mu->key, mkey) != 0 || e->seen++ != mu->occ)
		return false;
	mu->applied = true;
	mu->line = line_now(e);
	snprintf(mu->path, sizeof(mu->path), "%s", path);
	return true;
}

static bool targets(const struct emit *e, const char *mkey)
{
	return e->mut != NULL && strcmp(e->mut->key, mkey) == 0;
}

/* The value of @p kind (a number, or the string @p s) as its key takes it. */
static void put_value(struct emit *e, enum rt_kind kind, uint64_t v, const char *s, bool plain)
{
	static const char *const meters[] = { "srtcm", "trtcm", "rfc4115" };
	static const char *const aqms[] = { "tail", "red", "pie" };

	switch (kind) {
	case RT_BPS:
		put_units(e, v, bps_units);
		break;
	case RT_PPS:
		put_units(e, v, pps_units);
		break;
	case RT_CPS:
		put_units(e, v, cps_units);
		break;
	case RT_TIME:
		put_units(e, v, time_units);
		break;
	case RT_CBYTE:
		put_cost_byte(e, v, plain);
		break;
	case RT_SIZE:
		put_size(e, v, plain);
		break;
	case RT_INT:
		put_int(e, v, plain);
		break;
	case RT_BOOL:
		put(e, "%s",
		    v ? (rt_coin(e->r, 20) ? "TRUE" : "true")
		      : (rt_coin(e->r, 20) ? "False" : "false"));
		break;
	case RT_METER:
		put(e, "\"%s\"", meters[v % 3]);
		break;
	case RT_AQM:
		put(e, "\"%s\"", aqms[v % 3]);
		break;
	case RT_MODE:
		put(e, "\"%s%" PRIo64 "\"", rt_coin(e->r, 30) ? "0" : "", v);
		break;
	case RT_PMODE:
		put(e, "\"%s\"", v ? "client" : "server");
		break;
	default:
		put_str(e, s);
	}
}

/* The mutation's value of a string key: mu->value bytes of what the key
 * takes; into @p str when it fits. */
static void put_mutated_string(struct emit *e, enum rt_kind kind, char *str, size_t len)
{
	size_t n = e->mut->value < 4095 ? (size_t)e->mut->value : 4095;
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memset(s, kind == RT_NAME ? 'n' : 'm', n);
	if (kind == RT_PATH && n > 0)
		s[0] = '/';
	s[n] = '\0';
	put_str(e, s);
	if (n < len && n > 0)
		memcpy(str, s, n + 1);
	else
		e->mut->must_refuse = true;
	free(s);
}

/* Whether the mutation was written at path @p path, or below it. */
static bool mutated_at(const struct emit *e, const char *path)
{
	return e->mut != NULL && e->mut->applied && strncmp(e->mut->path, path, strlen(path)) == 0;
}

/* ";", "," or nothing after a setting (libconfig takes each), and blanks. */
static void end_setting(struct emit *e)
{
	blank(e);
	put(e, "%s", (const char *[]){ ";", ";", ",", " " }[rt_below(e->r, 4)]);
	blank(e);
}

/* "{" for group @p key, with '=' or ':'. */
static void open_group(struct emit *e, const char *key)
{
	put(e, "%s", key);
	blank(e);
	put(e, "%s", rt_coin(e->r, 80) ? "=" : ":");
	blank(e);
	put(e, "{");
	blank(e);
}

/*
 * "key = value;" for key @p key (@p mkey as a mutation names it), a number
 * at @p num or a string at @p str; when it is the mutation's occurrence,
 * the mutation's value instead, put in the model.
 */
static void setting(struct emit *e, const char *key, const char *mkey, const char *path,
		    enum rt_kind kind, uint64_t *num, char *str, size_t len)
{
	put(e, "%s", key);
	blank(e);
	put(e, "%s", rt_coin(e->r, 80) ? "=" : ":");
	blank(e);
	if (!mutating(e, mkey, path)) {
		put_value(e, kind, num != NULL ? *num : 0, str, false);
	} else if (e->mut->text != NULL) {
		put(e, "%s", e->mut->text);
		e->mut->must_refuse = true;
	} else if (str != NULL) {
		put_mutated_string(e, kind, str, len);
	} else {
		put_value(e, kind, e->mut->value, NULL, e->mut->plain);
		*num = e->mut->value;
	}
	/* libconfig ends a setting with ';', ',' or nothing (then a blank) */
	end_setting(e);
}

/* A key of a class: its kind and field (a uint64_t, unsigned int or bool). */
struct class_key {
	const char *name;
	enum rt_kind kind;
	uint32_t bit;
	size_t offset;
	size_t size;
};

#define CK(name, kind, bit, field)                                                                 \
	{                                                                                          \
		name, kind, bit, offsetof(struct vqos_conf_class, field),                          \
			sizeof(((struct vqos_conf_class *)0)->field)                               \
	}

static const struct class_key class_keys[] = {
	CK("name", RT_NAME, 0, name),
	CK("parent", RT_NAME, VQOS_CONF_CLASS_PARENT, parent),
	CK("port", RT_NAME, VQOS_CONF_CLASS_PORT, port),
	CK("rate", RT_BPS, VQOS_CONF_CLASS_RATE, rate_bps),
	CK("ceil", RT_BPS, VQOS_CONF_CLASS_CEIL, ceil_bps),
	CK("burst", RT_SIZE, VQOS_CONF_CLASS_BURST, burst),
	CK("cburst", RT_SIZE, VQOS_CONF_CLASS_CBURST, cburst),
	CK("prio", RT_INT, VQOS_CONF_CLASS_PRIO, prio),
	CK("quantum", RT_SIZE, VQOS_CONF_CLASS_QUANTUM, quantum),
	CK("pps", RT_PPS, VQOS_CONF_CLASS_PPS, rate_pps),
	CK("cpps", RT_PPS, VQOS_CONF_CLASS_CPPS, ceil_pps),
	CK("limit", RT_INT, VQOS_CONF_CLASS_LIMIT, limit),
	CK("overcommit", RT_BOOL, VQOS_CONF_CLASS_OVERCOMMIT, overcommit),
	CK("meter", RT_METER, VQOS_CONF_CLASS_METER, meter),
	CK("mark", RT_BOOL, VQOS_CONF_CLASS_MARK, mark),
	CK("aqm", RT_AQM, VQOS_CONF_CLASS_AQM, aqm),
	CK("match", RT_MATCH, VQOS_CONF_CLASS_MATCH, match),
	CK("cps", RT_CPS, VQOS_CONF_CLASS_CPS, rate_cps),
	CK("ccps", RT_CPS, VQOS_CONF_CLASS_CCPS, ceil_cps),
};

#define N_CLASS_KEYS (sizeof(class_keys) / sizeof(class_keys[0]))

static void put_class(struct emit *e, struct vqos_conf_class *c, const char *dir, size_t idx)
{
	size_t order[N_CLASS_KEYS];

	for (size_t i = 0; i < N_CLASS_KEYS; i++)
		order[i] = i;
	for (size_t i = N_CLASS_KEYS; i > 1; i--) {
		size_t j = rt_below(e->r, i), x = order[i - 1];

		order[i - 1] = order[j];
		order[j] = x;
	}
	put(e, "\t{");
	blank(e);
	for (size_t k = 0; k < N_CLASS_KEYS; k++) {
		const struct class_key *ck = &class_keys[order[k]];
		char *field = (char *)c + ck->offset;
		char path[128];
		uint64_t num = 0;

		if (ck->bit != 0 && !(c->set & ck->bit))
			continue;
		snprintf(path, sizeof(path), "%s.classes.[%zu].%s", dir, idx, ck->name);
		if (ck->kind == RT_NAME) {
			setting(e, ck->name, ck->name, path, RT_NAME, NULL, field, ck->size);
			continue;
		}
		/* a match is mutated by text only: the model keeps its sets */
		if (ck->kind == RT_MATCH) {
			put(e, "match");
			blank(e);
			put(e, "= ");
			if (mutating(e, "match", path) && e->mut->text != NULL) {
				put(e, "%s", e->mut->text);
				e->mut->must_refuse = true;
			} else {
				put_match(e, &c->match);
			}
			put(e, ";");
			blank(e);
			continue;
		}
		if (ck->size == sizeof(uint64_t))
			num = *(uint64_t *)field;
		else if (ck->size == sizeof(unsigned int))
			num = *(unsigned int *)field;
		else
			num = *(bool *)field;
		setting(e, ck->name, ck->name, path, ck->kind, &num, NULL, 0);
		/* an unsigned int cannot hold it: the model cannot say it */
		if (ck->size == sizeof(unsigned int) && num > UINT32_MAX && e->mut != NULL &&
		    e->mut->applied && strcmp(e->mut->path, path) == 0)
			e->mut->must_refuse = true;
		if (ck->size == sizeof(uint64_t))
			*(uint64_t *)field = num;
		else if (ck->size == sizeof(unsigned int))
			*(unsigned int *)field = (unsigned int)num;
		else
			*(bool *)field = num != 0;
	}
	put(e, "}");
}

static void put_dir(struct emit *e, struct vqos_conf_dir *d, const char *dir)
{
	char path[32];

	if (d->qdisc[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s.qdisc", dir);
	put(e, "%s = {", dir);
	eol(e);
	/* htb is what a group without qdisc runs */
	if (strcmp(d->qdisc, "htb") != 0 || rt_coin(e->r, 60) || targets(e, "qdisc")) {
		put(e, "\t");
		setting(e, "qdisc", "qdisc", path, RT_QDISC, NULL, d->qdisc, sizeof(d->qdisc));
		eol(e);
	}
	if (d->n_classes > 0 || rt_coin(e->r, 30)) {
		put(e, "\tclasses = (");
		eol(e);
		for (size_t i = 0; i < d->n_classes; i++) {
			put_class(e, &d->classes[i], dir, i);
			put(e, "%s", i + 1 < d->n_classes ? "," : "");
			eol(e);
		}
		put(e, ");");
		eol(e);
	}
	put(e, "};");
	eol(e);
}

static void put_eal(struct emit *e, struct vqos_conf *m, const struct vqos_conf *dflt)
{
	bool list = rt_coin(e->r, 30), same = m->eal_argc == dflt->eal_argc;

	for (int i = 0; same && i < m->eal_argc; i++)
		same = strcmp(m->eal_argv[i], dflt->eal_argv[i]) == 0;
	/* the default's eal is what no eal means */
	if (same && rt_coin(e->r, 50) && !targets(e, "eal") && !targets(e, "eal.[]"))
		return;
	if (mutating(e, "eal", "eal")) {
		/* mu->value strings "a" */
		for (int i = 0; i < m->eal_argc; i++)
			free(m->eal_argv[i]);
		m->eal_argc = 0;
		put(e, "eal = [");
		for (uint64_t i = 0; i < e->mut->value; i++) {
			put(e, "%s\"a\"", i > 0 ? ", " : "");
			if (i < VQOS_CONF_EAL_MAX)
				m->eal_argv[m->eal_argc++] = rt_strdup("a");
		}
		e->mut->must_refuse = e->mut->value > VQOS_CONF_EAL_MAX;
		put(e, "];");
		eol(e);
		return;
	}
	put(e, "eal = %s", list ? "(" : "[");
	for (int i = 0; i < m->eal_argc; i++) {
		char path[32];

		snprintf(path, sizeof(path), "eal.[%d]", i);
		put(e, "%s", i > 0 ? ", " : " ");
		if (targets(e, "eal.[]") && mutating(e, "eal.[]", path)) {
			put(e, "%s", e->mut->text);
			e->mut->must_refuse = true;
		} else {
			put_str(e, m->eal_argv[i]);
		}
	}
	put(e, " %s;", list ? ")" : "]");
	eol(e);
}

static void put_control(struct emit *e, struct vqos_conf *m, const struct vqos_conf *dflt)
{
	static const char *const keys[] = { "socket", "owner", "group", "mode", "admin" };
	char *str[] = { m->ctl_socket, m->ctl_owner, m->ctl_group, NULL, m->ctl_admin };
	const char *def[] = { dflt->ctl_socket, dflt->ctl_owner, dflt->ctl_group, NULL,
			      dflt->ctl_admin };
	const enum rt_kind kind[] = { RT_PATH, RT_STRING, RT_STRING, RT_MODE, RT_STRING };
	bool all = e->mut != NULL && strncmp(e->mut->key, "control.", 8) == 0, any = all;
	bool is_def[5];
	uint64_t mode = m->ctl_mode;

	for (size_t i = 0; i < 5; i++) {
		is_def[i] = str[i] ? strcmp(str[i], def[i]) == 0 : m->ctl_mode == dflt->ctl_mode;
		any |= !is_def[i];
	}
	if (!any && rt_coin(e->r, 50))
		return;
	put(e, "control = {");
	blank(e);
	for (size_t i = 0, first = rt_below(e->r, 5); i < 5; i++) {
		size_t k = (first + i) % 5;
		char key[32];

		/* a default may be left out */
		if (is_def[k] && !all && rt_coin(e->r, 50))
			continue;
		snprintf(key, sizeof(key), "control.%s", keys[k]);
		setting(e, keys[k], key, key, kind[k], str[k] ? NULL : &mode, str[k],
			k == 0 ? sizeof(m->ctl_socket) : sizeof(m->ctl_owner));
	}
	if (mode > UINT32_MAX)
		e->mut->must_refuse = true;
	m->ctl_mode = (unsigned int)mode;
	put(e, "};");
	eol(e);
}

/* A port's cost group: packet and byte in either order, a 0 maybe left out. */
static void put_cost(struct emit *e, struct vqos_conf_cost *c, size_t port)
{
	static const char *const keys[] = { "packet", "byte" };
	static const char *const mkeys[] = { "ports.cost.packet", "ports.cost.byte" };
	uint64_t v[2] = { c->packet, c->byte };
	char group[64], path[80];
	size_t first = rt_below(e->r, 2);

	snprintf(group, sizeof(group), "ports.[%zu].cost", port);
	open_group(e, "cost");
	for (size_t j = 0; j < 2; j++) {
		size_t k = (first + j) % 2;

		/* 0 is what no value means (one of them is not 0) */
		if (v[k] == 0 && rt_coin(e->r, 50) && !targets(e, mkeys[k]))
			continue;
		snprintf(path, sizeof(path), "%s.%s", group, keys[k]);
		setting(e, keys[k], mkeys[k], path, k == 0 ? RT_INT : RT_CBYTE, &v[k], NULL, 0);
	}
	put(e, "}");
	end_setting(e);
	/* the bounds of conf/README.md; a model of 0 and 0 charges nothing */
	if (mutated_at(e, group) &&
	    (v[0] > VQOS_CONF_COST_PKT_MAX || v[1] > BYTE_MAX || (v[0] == 0 && v[1] == 0)))
		e->mut->must_refuse = true;
	c->packet = (uint32_t)v[0];
	c->byte = (uint32_t)v[1];
}

static void put_ports(struct emit *e, struct vqos_conf *m)
{
	static const char *const keys[] = { "name", "socket", "mode", "uplink", "mac", "cost" };
	const enum rt_kind kind[] = { RT_NAME, RT_PATH, RT_PMODE, RT_STRING, RT_MAC };

	put(e, "ports = (");
	eol(e);
	for (size_t i = 0; i < m->n_ports; i++) {
		struct vqos_conf_port *p = &m->ports[i];
		char *str[] = { p->name, p->socket, NULL, p->uplink, p->mac };
		const size_t len[] = { sizeof(p->name), sizeof(p->socket), 0, sizeof(p->uplink),
				       sizeof(p->mac) };
		uint64_t client = p->client;

		put(e, "\t{");
		blank(e);
		for (size_t j = 0, first = rt_below(e->r, 6); j < 6; j++) {
			size_t k = (first + j) % 6;
			char path[64], mkey[32];

			if (k == 5) {
				if (p->cost.set)
					put_cost(e, &p->cost, i);
				continue;
			}

			snprintf(mkey, sizeof(mkey), "ports.%s", keys[k]);
			/* server is what no mode means; a port may have no mac */
			if ((k == 2 && !p->client && rt_coin(e->r, 50) && !targets(e, mkey)) ||
			    (k == 4 && p->mac[0] == '\0'))
				continue;
			snprintf(path, sizeof(path), "ports.[%zu].%s", i, keys[k]);
			setting(e, keys[k], mkey, path, kind[k], k == 2 ? &client : NULL, str[k],
				len[k]);
		}
		p->client = client != 0;
		put(e, "}%s", i + 1 < m->n_ports ? "," : "");
		eol(e);
	}
	put(e, ");");
	eol(e);
}

/* datapath.sleep_max; a group without it now and then when there is none. */
static void put_datapath(struct emit *e, struct vqos_conf *m)
{
	uint64_t us = m->sleep_max_us;

	if (us == VQOS_CONF_SLEEP_MAX_UNSET && !targets(e, "datapath.sleep_max")) {
		if (rt_coin(e->r, 80))
			return;
		open_group(e, "datapath");
	} else {
		open_group(e, "datapath");
		setting(e, "sleep_max", "datapath.sleep_max", "datapath.sleep_max", RT_TIME, &us,
			NULL, 0);
		if (mutated_at(e, "datapath.sleep_max") && us > VQOS_CONF_SLEEP_MAX_US)
			e->mut->must_refuse = true;
		m->sleep_max_us = us;
	}
	put(e, "};");
	eol(e);
}

char *rt_emit(struct vqos_conf *m, const struct vqos_conf *dflt, struct rt_rng *r,
	      struct rt_mutation *mut)
{
	struct emit e = { .r = r, .mut = mut };
	unsigned int first = (unsigned int)rt_below(r, 6);

	put(&e, "%s", "");
	if (mut != NULL) {
		mut->applied = false;
		mut->must_refuse = false;
	}
	/* the top-level settings in any order */
	for (unsigned int k = 0; k < 6; k++) {
		switch ((first + k) % 6) {
		case 0:
			put_eal(&e, m, dflt);
			break;
		case 1:
			put_control(&e, m, dflt);
			break;
		case 2:
			put_ports(&e, m);
			break;
		case 3:
			put_dir(&e, &m->tx, "tx");
			break;
		case 4:
			put_datapath(&e, m);
			break;
		default:
			put_dir(&e, &m->rx, "rx");
		}
	}
	return e.buf;
}

unsigned int rt_count(const struct vqos_conf *m, const char *key)
{
	unsigned int n = 0;

	if (strcmp(key, "qdisc") == 0)
		return (m->tx.qdisc[0] != '\0') + (m->rx.qdisc[0] != '\0');
	if (strncmp(key, "control.", 8) == 0 || strcmp(key, "eal") == 0 ||
	    strcmp(key, "datapath.sleep_max") == 0)
		return 1;
	if (strcmp(key, "eal.[]") == 0)
		return (unsigned int)m->eal_argc;
	if (strcmp(key, "ports.mac") == 0) {
		for (size_t i = 0; i < m->n_ports; i++)
			n += m->ports[i].mac[0] != '\0';
		return n;
	}
	if (strncmp(key, "ports.cost.", 11) == 0) {
		for (size_t i = 0; i < m->n_ports; i++)
			n += m->ports[i].cost.set;
		return n;
	}
	if (strncmp(key, "ports.", 6) == 0)
		return (unsigned int)m->n_ports;
	for (size_t k = 0; k < N_CLASS_KEYS; k++) {
		if (strcmp(class_keys[k].name, key) != 0)
			continue;
		for (int d = 0; d < 2; d++) {
			const struct vqos_conf_dir *dir = d ? &m->rx : &m->tx;

			for (size_t i = 0; i < dir->n_classes; i++)
				n += class_keys[k].bit == 0 ||
				     (dir->classes[i].set & class_keys[k].bit);
		}
	}
	return n;
}
