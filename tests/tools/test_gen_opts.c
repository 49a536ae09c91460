/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of tools/gen_opts.c: vqos-gen's command line, without EAL (the
 * parser runs before it). Each case parses an argv and looks at the options,
 * or at the return code and the first line on stderr, which must name the
 * option.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "gen.h"
#include "vqos_version.h"

/* The options are ~RTE_MAX_ETHPORTS port structs: too big for the stack. */
static struct vqos_gen_opts opts;

/*
 * Parse "vqos-gen ARGS..." (a NULL-terminated list); the return code, and the
 * first line that the parser wrote on stderr in @p err ("" when none).
 */
static int parse(char *err, size_t len, ...)
{
	char *argv[CAPTURE_ARGV_MAX];
	struct capture c;
	int argc, rc;
	va_list ap;

	va_start(ap, len);
	argc = capture_argv(argv, "vqos-gen", ap);
	va_end(ap);
	capture_start(&c, STDERR_FILENO);
	rc = vqos_gen_parse_opts(argc, argv, &opts);
	capture_end(&c, err, len);
	return rc;
}

/* Off unless given: the loop spins on a full vring as it always did. */
static void test_backoff_default(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), "--rate", "max", NULL), 0);
	assert_int_equal(opts.backoff_us, 0);
	assert_string_equal(err, "");
}

static void test_backoff_valid(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), "--backoff-us", "50", NULL), 0);
	assert_int_equal(opts.backoff_us, 50);
	assert_int_equal(parse(err, sizeof(err), "--backoff-us=20", NULL), 0);
	assert_int_equal(opts.backoff_us, 20);
	/* The most: 1000 us. */
	assert_int_equal(parse(err, sizeof(err), "--backoff-us", "1000", NULL), 0);
	assert_int_equal(opts.backoff_us, VQOS_GEN_BACKOFF_MAX_US);
	/* 0: off, as without the option. */
	assert_int_equal(parse(err, sizeof(err), "--backoff-us", "0", NULL), 0);
	assert_int_equal(opts.backoff_us, 0);
	assert_string_equal(err, "");
}

/* A global option: after --port it is still the process's, and no port's override. */
static void test_backoff_global(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), "--port", "1", "--rate", "1kpps", "--backoff-us",
			       "30", "--port", "2", NULL),
			 0);
	assert_int_equal(opts.backoff_us, 30);
	assert_int_equal(opts.max_port, 2);
	assert_int_equal(opts.port[1].rate, 1000);
	assert_int_equal(opts.port[2].rate_mode, VQOS_GEN_RATE_MAX);
}

/* --queues: 1 unless given, 1..VQOS_GEN_QUEUES_MAX, a global option. */
static void test_queues(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), "--rate", "max", NULL), 0);
	assert_int_equal(opts.queues, 1);
	assert_int_equal(parse(err, sizeof(err), "--port", "1", "--queues", "4", NULL), 0);
	assert_int_equal(opts.queues, 4);
	assert_int_equal(parse(err, sizeof(err), "--queues", "9", NULL), -EINVAL);
	assert_string_equal(err, "vqos-gen: --queues: '9' is not a whole number in 1..8");
	assert_int_equal(parse(err, sizeof(err), "--queues", "0", NULL), -EINVAL);
}

/* Refused with exit-2 semantics (-EINVAL) and one line naming the option and its range. */
static void check_refused(const char *arg)
{
	char err[256], want[128];

	assert_int_equal(parse(err, sizeof(err), "--backoff-us", arg, NULL), -EINVAL);
	snprintf(want, sizeof(want), "vqos-gen: --backoff-us: '%s' is not a whole number in 0..%d",
		 arg, VQOS_GEN_BACKOFF_MAX_US);
	print_message("%s\n", err);
	assert_string_equal(err, want);
}

static void test_backoff_too_large(void **state)
{
	check_refused("1001");
	check_refused("1000000");
	check_refused("99999999999999999999"); /* past 2^64 */
}

static void test_backoff_negative(void **state)
{
	check_refused("-1");
	check_refused("-0");
}

static void test_backoff_garbage(void **state)
{
	check_refused("");
	check_refused("abc");
	check_refused("10us");
	check_refused("1.5");
	check_refused("5 ");
}

/* Without its value: getopt's own message, and still refused. */
static void test_backoff_missing(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), "--backoff-us", NULL), -EINVAL);
	assert_non_null(strstr(err, "backoff-us"));
}

/* What parsing "vqos-gen ARG" writes on stdout (its first line), and its return code. */
static int parse_stdout(const char *arg, char *out, size_t len)
{
	char *argv[] = { "vqos-gen", (char *)arg, NULL };
	struct capture c;
	int rc;

	capture_start(&c, STDOUT_FILENO);
	rc = vqos_gen_parse_opts(2, argv, &opts);
	capture_end(&c, out, len);
	return rc;
}

/* --version: "vqos-gen VERSION", the project's, and nothing runs (1, as --help). */
static void test_version(void **state)
{
	char out[256];

	assert_int_equal(parse_stdout("--version", out, sizeof(out)), 1);
	assert_string_equal(out, "vqos-gen " VQOS_VERSION);
	assert_int_equal(parse_stdout("--help", out, sizeof(out)), 1);
	assert_non_null(strstr(out, "usage: vqos-gen"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_default),	 cmocka_unit_test(test_backoff_valid),
		cmocka_unit_test(test_backoff_global),	 cmocka_unit_test(test_backoff_too_large),
		cmocka_unit_test(test_backoff_negative), cmocka_unit_test(test_backoff_garbage),
		cmocka_unit_test(test_backoff_missing),	 cmocka_unit_test(test_version),
		cmocka_unit_test(test_queues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
