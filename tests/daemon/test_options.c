/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of daemon/options.c: vqosd's command line, parsed before anything
 * starts. Each case parses an argv and looks at the action and file, or at
 * the refusal and the first line on stderr.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "options.h"

static struct vqosd_options opts;

/* Parse "vqosd ARGS..." (NULL-terminated); the return code, and the first
 * line written on stderr in @p err ("" when none). */
static int parse(char *err, size_t len, ...)
{
	char *argv[CAPTURE_ARGV_MAX];
	struct capture c;
	int argc, rc;
	va_list ap;

	va_start(ap, len);
	argc = capture_argv(argv, "vqosd", ap);
	va_end(ap);
	capture_start(&c, STDERR_FILENO);
	rc = vqosd_parse_options(argc, argv, &opts);
	capture_end(&c, err, len);
	return rc;
}

/* No option: serve the embedded default. */
static void test_run(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), NULL), 0);
	assert_int_equal(opts.action, VQOSD_RUN);
	assert_null(opts.conf_path);
	assert_int_equal(parse(err, sizeof(err), "-c", "/etc/vqos/vqosd.conf", NULL), 0);
	assert_int_equal(opts.action, VQOSD_RUN);
	assert_string_equal(opts.conf_path, "/etc/vqos/vqosd.conf");
	assert_int_equal(parse(err, sizeof(err), "--config=/x.conf", NULL), 0);
	assert_string_equal(opts.conf_path, "/x.conf");
	assert_null(opts.state_dir);
	assert_string_equal(err, "");
	assert_int_equal(
		parse(err, sizeof(err), "--state-dir", "/var/lib/vqos", "-c", "/y.conf", NULL), 0);
	assert_string_equal(opts.state_dir, "/var/lib/vqos");
	assert_string_equal(opts.conf_path, "/y.conf");
	assert_int_equal(parse(err, sizeof(err), "--state-dir", NULL), -EINVAL);
	assert_string_equal(err, "vqosd: option '--state-dir' requires an argument");
}

/* --check with or without -c, before or after it. */
static void test_check(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), "--check", "-c", "a.conf", NULL), 0);
	assert_int_equal(opts.action, VQOSD_CHECK);
	assert_string_equal(opts.conf_path, "a.conf");
	assert_int_equal(parse(err, sizeof(err), "-c", "b.conf", "--check", NULL), 0);
	assert_int_equal(opts.action, VQOSD_CHECK);
	assert_string_equal(opts.conf_path, "b.conf");
	/* the embedded default */
	assert_int_equal(parse(err, sizeof(err), "--check", NULL), 0);
	assert_int_equal(opts.action, VQOSD_CHECK);
	assert_null(opts.conf_path);
	/* given twice, it is still one action */
	assert_int_equal(parse(err, sizeof(err), "--check", "--check", NULL), 0);
	assert_int_equal(opts.action, VQOSD_CHECK);
	assert_string_equal(err, "");
}

static void test_version_help_default(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), "--version", NULL), 0);
	assert_int_equal(opts.action, VQOSD_VERSION);
	assert_int_equal(parse(err, sizeof(err), "-h", NULL), 0);
	assert_int_equal(opts.action, VQOSD_HELP);
	assert_int_equal(parse(err, sizeof(err), "--help", NULL), 0);
	assert_int_equal(opts.action, VQOSD_HELP);
	assert_int_equal(parse(err, sizeof(err), "--print-default", NULL), 0);
	assert_int_equal(opts.action, VQOSD_PRINT_DEFAULT);
	assert_string_equal(err, "");
}

/* Two actions: which one was meant is not ours to guess. */
static void test_two_actions(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), "--check", "--version", NULL), -EINVAL);
	assert_string_equal(err, "vqosd: --check and --version: give one of them");
	assert_int_equal(parse(err, sizeof(err), "--print-default", "--check", NULL), -EINVAL);
	assert_string_equal(err, "vqosd: --print-default and --check: give one of them");
}

/* getopt's own message names the option; the usage follows. */
static void test_refused(void **state)
{
	char err[256];

	assert_int_equal(parse(err, sizeof(err), "--bogus", NULL), -EINVAL);
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(parse(err, sizeof(err), "-c", NULL), -EINVAL);
	assert_non_null(strstr(err, "requires an argument"));
	assert_int_equal(parse(err, sizeof(err), "--check", "extra.conf", NULL), -EINVAL);
	assert_string_equal(err, "vqosd: unexpected argument 'extra.conf'");
	assert_int_equal(parse(err, sizeof(err), "--version=1", NULL), -EINVAL);
	assert_non_null(strstr(err, "version"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_version_help_default),
		cmocka_unit_test(test_two_actions),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
