/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers of the conf/ tests: load a text that must load, or that must be
 * refused with exactly one message. Include after <cmocka.h>.
 */
#ifndef VQOS_TESTS_CONF_TEST_H
#define VQOS_TESTS_CONF_TEST_H

#include <errno.h>
#include <stddef.h>

#include "conf/vqos_conf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/** A text and the one message it must be refused with. */
struct bad_case {
	const char *text;
	const char *msg;
};

/* @p text loads, named "t.conf" in messages. */
static inline struct vqos_conf *load_ok(const char *text)
{
	struct vqos_conf *conf = NULL;
	char err[512] = "";
	int rc = vqos_conf_load_string(text, "t.conf", &conf, err, sizeof(err));

	if (rc != 0)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(conf);
	return conf;
}

/* @p text is refused with exactly @p msg, and no struct comes back. */
static inline void expect_error(const char *text, const char *msg)
{
	struct vqos_conf *conf = NULL;
	char err[512] = "";
	int rc = vqos_conf_load_string(text, "t.conf", &conf, err, sizeof(err));

	assert_int_equal(rc, -EINVAL);
	assert_null(conf);
	assert_string_equal(err, msg);
}

static inline void expect_errors(const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_error(cases[i].text, cases[i].msg);
}

#endif /* VQOS_TESTS_CONF_TEST_H */
