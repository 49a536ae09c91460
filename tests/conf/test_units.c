/* SPDX-License-Identifier: BSD-3-Clause */
/* Tests of conf/units.c: tc-style rates and sizes, parsed and formatted. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf/vqos_units.h"

struct rate_case {
	const char *text;
	uint64_t value;
	enum vqos_rate_kind kind;
};

struct size_case {
	const char *text;
	uint64_t bytes;
};

struct fail_case {
	const char *text;
	int rc;
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void check_rates(const struct rate_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t v = 0;
		enum vqos_rate_kind kind = VQOS_RATE_PPS + VQOS_RATE_BPS - cases[i].kind;
		int rc = vqos_parse_rate(cases[i].text, &v, &kind);

		print_message("rate '%s'\n", cases[i].text);
		assert_int_equal(rc, 0);
		assert_int_equal(v, cases[i].value);
		assert_int_equal(kind, cases[i].kind);
	}
}

static void test_rate_units(void **state)
{
	static const struct rate_case cases[] = {
		{ "64000", 64000, VQOS_RATE_BPS },
		{ "0", 0, VQOS_RATE_BPS },
		{ "800bit", 800, VQOS_RATE_BPS },
		{ "1kbit", 1000, VQOS_RATE_BPS },
		{ "1mbit", 1000000, VQOS_RATE_BPS },
		{ "1gbit", 1000000000, VQOS_RATE_BPS },
		{ "1tbit", 1000000000000, VQOS_RATE_BPS },
		{ "1kibit", 1024, VQOS_RATE_BPS },
		{ "1mibit", 1048576, VQOS_RATE_BPS },
		{ "1gibit", 1073741824, VQOS_RATE_BPS },
		{ "1tibit", 1099511627776, VQOS_RATE_BPS },
		{ "1bps", 8, VQOS_RATE_BPS },
		{ "1kbps", 8000, VQOS_RATE_BPS },
		{ "1mbps", 8000000, VQOS_RATE_BPS },
		{ "1gbps", 8000000000, VQOS_RATE_BPS },
		{ "1tbps", 8000000000000, VQOS_RATE_BPS },
		{ "1kibps", 8192, VQOS_RATE_BPS },
		{ "1mibps", 8388608, VQOS_RATE_BPS },
		{ "1gibps", 8589934592, VQOS_RATE_BPS },
		{ "1tibps", 8796093022208, VQOS_RATE_BPS },
		{ "1pps", 1, VQOS_RATE_PPS },
		{ "14880pps", 14880, VQOS_RATE_PPS },
		{ "1kpps", 1000, VQOS_RATE_PPS },
		{ "2mpps", 2000000, VQOS_RATE_PPS },
		{ "1gpps", 1000000000, VQOS_RATE_PPS },
		{ "0pps", 0, VQOS_RATE_PPS },
	};

	check_rates(cases, ARRAY_SIZE(cases));
}

static void test_rate_case_insensitive(void **state)
{
	static const struct rate_case cases[] = {
		{ "100Mbit", 100000000, VQOS_RATE_BPS }, { "100MBIT", 100000000, VQOS_RATE_BPS },
		{ "1KBps", 8000, VQOS_RATE_BPS },	 { "1KiBps", 8192, VQOS_RATE_BPS },
		{ "1GiBit", 1073741824, VQOS_RATE_BPS }, { "2Mpps", 2000000, VQOS_RATE_PPS },
		{ "3KPPS", 3000, VQOS_RATE_PPS },	 { "5BIT", 5, VQOS_RATE_BPS },
	};

	check_rates(cases, ARRAY_SIZE(cases));
}

/* Decimal fractions are exact, not rounded through a double. */
static void test_rate_fractions(void **state)
{
	static const struct rate_case cases[] = {
		{ "1.5mbit", 1500000, VQOS_RATE_BPS },
		{ "12.5MBps", 100000000, VQOS_RATE_BPS },
		{ "0.1kbit", 100, VQOS_RATE_BPS },
		{ "0.001kbit", 1, VQOS_RATE_BPS },
		{ ".5kbit", 500, VQOS_RATE_BPS },
		{ "5.kbit", 5000, VQOS_RATE_BPS },
		{ "2.5", 2, VQOS_RATE_BPS },
		{ "1.9bit", 1, VQOS_RATE_BPS },
		{ "0.0001kbit", 0, VQOS_RATE_BPS },
		{ "1.234567891gbit", 1234567891, VQOS_RATE_BPS },
		{ "9.999999999999tbit", 9999999999999, VQOS_RATE_BPS },
		{ "0.3gbit", 300000000, VQOS_RATE_BPS },
		{ "0.7mbps", 5600000, VQOS_RATE_BPS },
		{ "1.5kibit", 1536, VQOS_RATE_BPS },
		{ "0.125bps", 1, VQOS_RATE_BPS },
		{ "1.5mpps", 1500000, VQOS_RATE_PPS },
		{ "1.000000000000000000000000001mbit", 1000000, VQOS_RATE_BPS },
		{ "0.999999999999999999999gbit", 999999999, VQOS_RATE_BPS },
		{ "007kbit", 7000, VQOS_RATE_BPS },
		/* exact however long: 1 / 2^40 has 40 digits, and kept to 18 of them
		 * it came out just below 1, so 0 */
		{ "0.0000000000009094947017729282379150390625tibit", 1, VQOS_RATE_BPS },
		{ "0.000000000000909494701772928237915039062tibit", 0, VQOS_RATE_BPS },
		{ "289.29612727276980876922607421875gibit", 310629351374, VQOS_RATE_BPS },
		{ "2.3579788208007812500000mibps", 19780160, VQOS_RATE_BPS },
		{ "0.99999999999999999999999999999999999999999999999999tbit", 999999999999,
		  VQOS_RATE_BPS },
	};

	check_rates(cases, ARRAY_SIZE(cases));
}

static void test_rate_limits(void **state)
{
	static const struct rate_case ok[] = {
		{ "18446744073709551615", UINT64_MAX, VQOS_RATE_BPS },
		{ "18446744073709551615.9", UINT64_MAX, VQOS_RATE_BPS },
		{ "2305843009213693951bps", UINT64_MAX - 7, VQOS_RATE_BPS },
		{ "18446744tbit", 18446744000000000000u, VQOS_RATE_BPS },
		{ "18446744073709551615pps", UINT64_MAX, VQOS_RATE_PPS },
	};
	static const struct fail_case bad[] = {
		{ "18446744073709551616", -ERANGE },   { "99999999999999999999999", -ERANGE },
		{ "2305843009213693952bps", -ERANGE }, { "18446745tbit", -ERANGE },
		{ "18446744.073709552tbit", -ERANGE }, { "18446744073709551616pps", -ERANGE },
	};
	size_t i;

	check_rates(ok, ARRAY_SIZE(ok));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v = 0;
		enum vqos_rate_kind kind;

		print_message("rate '%s'\n", bad[i].text);
		assert_int_equal(vqos_parse_rate(bad[i].text, &v, &kind), bad[i].rc);
	}
}

static void test_rate_malformed(void **state)
{
	static const char *const bad[] = {
		"",   "-1mbit", "+1mbit", "mbit",    "1 mbit", " 1mbit", "1mbit ", "1xbit", "1.2.3",
		".",  ".kbit",	"1e6",	  "1e6bit",  "0x10",   "1mbitt", "1m",	   "1k",    "1b",
		"1%", "1tpps",	"1kipps", "1,5mbit", "inf",    "nan",	 "1bit/s", "\t1",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v = 42;
		enum vqos_rate_kind kind = VQOS_RATE_PPS;

		print_message("rate '%s'\n", bad[i]);
		assert_int_equal(vqos_parse_rate(bad[i], &v, &kind), -EINVAL);
		/* outputs untouched on error */
		assert_int_equal(v, 42);
		assert_int_equal(kind, VQOS_RATE_PPS);
	}
	assert_int_equal(vqos_parse_rate(NULL, &(uint64_t){ 0 }, &(enum vqos_rate_kind){ 0 }),
			 -EINVAL);
}

static void test_size_units(void **state)
{
	static const struct size_case cases[] = {
		{ "1500", 1500 },
		{ "0", 0 },
		{ "1500b", 1500 },
		{ "32k", 32768 },
		{ "32kb", 32768 },
		{ "1m", 1048576 },
		{ "1mb", 1048576 },
		{ "1g", 1073741824 },
		{ "2gb", 2147483648 },
		{ "64kbit", 8192 },
		{ "1kbit", 128 },
		{ "1mbit", 131072 },
		{ "1gbit", 134217728 },
		{ "32Kb", 32768 },
		{ "1MB", 1048576 },
		{ "1GB", 1073741824 },
		{ "8KBIT", 1024 },
		{ "1500B", 1500 },
		{ "1.5k", 1536 },
		{ "0.5kbit", 64 },
		{ "1.5", 1 },
		{ ".25m", 262144 },
		{ "0.1k", 102 },
		{ "17179869183g", 18446744072635809792u },
		{ "18446744073709551615", UINT64_MAX },
		{ "18446744073709551615b", UINT64_MAX },
		/* 1 / 2^20 has 20 digits: one byte, not 0 */
		{ "0.00000095367431640625m", 1 },
		{ "0.0000009536743164062m", 0 },
		{ "3.000000000931322574615478515625g", 3221225473 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0;

		print_message("size '%s'\n", cases[i].text);
		assert_int_equal(vqos_parse_size(cases[i].text, &v), 0);
		assert_int_equal(v, cases[i].bytes);
	}
}

static void test_size_bad(void **state)
{
	static const struct fail_case bad[] = {
		{ "", -EINVAL },
		{ "-1", -EINVAL },
		{ "k", -EINVAL },
		{ "1bit", -EINVAL },
		{ "1kbps", -EINVAL },
		{ "1t", -EINVAL },
		{ "1tb", -EINVAL },
		{ "1kib", -EINVAL },
		{ "1 k", -EINVAL },
		{ "1k ", -EINVAL },
		{ "1e3", -EINVAL },
		{ "1pps", -EINVAL },
		{ "17179869184g", -ERANGE },
		{ "18446744073709551616", -ERANGE },
		{ "16777216tb", -EINVAL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v = 42;

		print_message("size '%s'\n", bad[i].text);
		assert_int_equal(vqos_parse_size(bad[i].text, &v), bad[i].rc);
		assert_int_equal(v, 42);
	}
	assert_int_equal(vqos_parse_size(NULL, &(uint64_t){ 0 }), -EINVAL);
}

struct format_case {
	uint64_t value;
	enum vqos_rate_kind kind;
	const char *text;
};

static void test_format_rate(void **state)
{
	static const struct format_case cases[] = {
		{ 0, VQOS_RATE_BPS, "0bit" },
		{ 800, VQOS_RATE_BPS, "800bit" },
		{ 999, VQOS_RATE_BPS, "999bit" },
		{ 1000, VQOS_RATE_BPS, "1Kbit" },
		{ 1001, VQOS_RATE_BPS, "1001bit" },
		{ 123456, VQOS_RATE_BPS, "123456bit" },
		{ 1500000, VQOS_RATE_BPS, "1500Kbit" },
		{ 100000000, VQOS_RATE_BPS, "100Mbit" },
		{ 1000000000, VQOS_RATE_BPS, "1Gbit" },
		{ 10000000000, VQOS_RATE_BPS, "10Gbit" },
		{ 1000000000000, VQOS_RATE_BPS, "1Tbit" },
		{ 1000000000000000, VQOS_RATE_BPS, "1000Tbit" },
		/* inexact: at least 4 digits, rounded to nearest */
		{ 1234567, VQOS_RATE_BPS, "1235Kbit" },
		{ 1234499, VQOS_RATE_BPS, "1234Kbit" },
		{ 999999999, VQOS_RATE_BPS, "1000000Kbit" },
		{ 1000499600, VQOS_RATE_BPS, "1000Mbit" },
		{ 1000500000, VQOS_RATE_BPS, "1001Mbit" },
		{ UINT64_MAX, VQOS_RATE_BPS, "18446744Tbit" },
		{ 0, VQOS_RATE_PPS, "0pps" },
		{ 1500, VQOS_RATE_PPS, "1500pps" },
		{ 14880000, VQOS_RATE_PPS, "14880Kpps" },
		{ 2000000, VQOS_RATE_PPS, "2Mpps" },
		{ 1000000000, VQOS_RATE_PPS, "1Gpps" },
		{ 1000000000000, VQOS_RATE_PPS, "1000Gpps" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[64];
		int n = vqos_format_rate(buf, sizeof(buf), cases[i].value, cases[i].kind);

		assert_string_equal(buf, cases[i].text);
		assert_int_equal(n, strlen(cases[i].text));
	}
}

static void test_format_size(void **state)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} cases[] = {
		{ 0, "0b" },
		{ 1500, "1500b" },
		{ 1024, "1Kb" },
		{ 1536, "1536b" },
		{ 32768, "32Kb" },
		{ 1048576, "1Mb" },
		{ 3145728, "3Mb" },
		{ 1049600, "1025Kb" },
		{ 1073741824, "1Gb" },
		{ 1099511627776, "1024Gb" },
		{ UINT64_MAX, "18446744073709551615b" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[64];
		int n = vqos_format_size(buf, sizeof(buf), cases[i].bytes);

		assert_string_equal(buf, cases[i].text);
		assert_int_equal(n, strlen(cases[i].text));
	}
}

/* As snprintf: the length it wanted, a truncated NUL-terminated text. */
static void test_format_truncates(void **state)
{
	char buf[4];

	assert_int_equal(vqos_format_rate(buf, sizeof(buf), 100000000, VQOS_RATE_BPS), 7);
	assert_string_equal(buf, "100");
	assert_int_equal(vqos_format_size(buf, sizeof(buf), 32768), 4);
	assert_string_equal(buf, "32K");
	assert_int_equal(vqos_format_rate(NULL, 0, 2000000, VQOS_RATE_PPS), 5);
	assert_int_equal(vqos_format_size(NULL, 0, 1500), 5);
}

/* A small deterministic generator spanning all magnitudes. */
static uint64_t next_value(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005u + 1442695040888963407u;
	return (*seed >> 11) >> (*seed % 53);
}

/* format then parse: exact when the text is exact, else within rounding. */
static void test_rate_round_trip(void **state)
{
	static const uint64_t exact[] = {
		0,	 1,	    999,	 1000,
		1500000, 100000000, 12345000000, 1000000000000,
		64000,	 123456,    999999,	 UINT64_MAX / 1000000000000 * 1000000000000
	};
	uint64_t seed = 1;
	size_t i;
	int k;

	for (k = VQOS_RATE_BPS; k <= VQOS_RATE_PPS; k++) {
		for (i = 0; i < ARRAY_SIZE(exact); i++) {
			enum vqos_rate_kind kind;
			char buf[64];
			uint64_t v;

			vqos_format_rate(buf, sizeof(buf), exact[i], k);
			assert_int_equal(vqos_parse_rate(buf, &v, &kind), 0);
			assert_int_equal(v, exact[i]);
			assert_int_equal(kind, k);
		}
		for (i = 0; i < 20000; i++) {
			uint64_t want = next_value(&seed);
			enum vqos_rate_kind kind;
			char buf[64];
			uint64_t v, diff;

			vqos_format_rate(buf, sizeof(buf), want, k);
			assert_int_equal(vqos_parse_rate(buf, &v, &kind), 0);
			assert_int_equal(kind, k);
			diff = v > want ? v - want : want - v;
			/* at least 4 significant digits: off by at most 0.05% */
			assert_true(diff <= want / 2000);
			/* below 10^6 nothing is rounded */
			if (want < 1000000)
				assert_int_equal(v, want);
		}
	}
}

static void test_size_round_trip(void **state)
{
	uint64_t seed = 7;
	size_t i;

	for (i = 0; i < 20000; i++) {
		uint64_t want = next_value(&seed);
		char buf[64];
		uint64_t v;

		/* every fourth value a multiple of a binary unit */
		if (i % 4 == 0)
			want &= ~(((uint64_t)1 << (10 * (i % 3 + 1))) - 1);
		vqos_format_size(buf, sizeof(buf), want);
		assert_int_equal(vqos_parse_size(buf, &v), 0);
		assert_int_equal(v, want);
	}
}

/* parse, format, parse: an SI text keeps its value (1gibit would not: 1073742Kbit). */
/* Times as tc takes them: bare microseconds, us/ms/s (and usec/msec/sec);
 * formatted in the largest unit that keeps them exact, parsing back the same. */
static void test_time(void **state)
{
	static const struct {
		const char *text;
		uint64_t us;
		const char *formatted;
	} ok[] = {
		{ "0", 0, "0us" },	 { "250", 250, "250us" },     { "500us", 500, "500us" },
		{ "1ms", 1000, "1ms" },	 { "1.5ms", 1500, "1500us" }, { "2MS", 2000, "2ms" },
		{ "3s", 3000000, "3s" }, { "10msec", 10000, "10ms" }, { "0.5sec", 500000, "500ms" },
		{ "7usec", 7, "7us" },
	};
	static const char *const bad[] = { "", "ms", "-1ms", "1 ms", "1min", "1e3us", "1ns" };
	char buf[32];
	uint64_t us, back;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(vqos_parse_time(ok[i].text, &us), 0);
		assert_int_equal(us, ok[i].us);
		vqos_format_time(buf, sizeof(buf), us);
		assert_string_equal(buf, ok[i].formatted);
		assert_int_equal(vqos_parse_time(buf, &back), 0);
		assert_int_equal(back, us);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vqos_parse_time(bad[i], &us), -EINVAL);
	assert_int_equal(vqos_parse_time("99999999999999999999s", &us), -ERANGE);
}

static void test_text_round_trip(void **state)
{
	static const char *const texts[] = { "1.5mbit", "12.5MBps", "2mpps",   "100mbit",
					     "64000",	"1kibit",   "0.3gbit", "7kpps" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		enum vqos_rate_kind k1, k2;
		uint64_t v1, v2;
		char buf[64];

		assert_int_equal(vqos_parse_rate(texts[i], &v1, &k1), 0);
		vqos_format_rate(buf, sizeof(buf), v1, k1);
		assert_int_equal(vqos_parse_rate(buf, &v2, &k2), 0);
		assert_int_equal(v1, v2);
		assert_int_equal(k1, k2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_rate_units),
		cmocka_unit_test(test_rate_case_insensitive),
		cmocka_unit_test(test_rate_fractions),
		cmocka_unit_test(test_rate_limits),
		cmocka_unit_test(test_rate_malformed),
		cmocka_unit_test(test_size_units),
		cmocka_unit_test(test_size_bad),
		cmocka_unit_test(test_format_rate),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_rate_round_trip),
		cmocka_unit_test(test_size_round_trip),
		cmocka_unit_test(test_text_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
