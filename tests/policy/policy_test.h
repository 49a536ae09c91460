/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers of the policy/ tests: a configuration text with ports c1, c2, c3,
 * loaded and built, or refused with exactly one message. Include after
 * <cmocka.h>.
 */
#ifndef VQOS_TESTS_POLICY_TEST_H
#define VQOS_TESTS_POLICY_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vqos_conf.h"
#include "policy/vqos_policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Three ports, c1 c2 c3, on lines 1 to 3. */
#define PORTS3                                                                                     \
	"ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"net_null1\"; },\n"       \
	"          { name = \"c2\"; socket = \"/run/c2.sock\"; uplink = \"net_null2\"; },\n"       \
	"          { name = \"c3\"; socket = \"/run/c3.sock\"; uplink = \"net_null3\"; } );\n"

/* One port, c1, on line 1. */
#define PORT1 "ports = ( { name = \"c1\"; socket = \"/run/c1.sock\"; uplink = \"net_null1\"; } );\n"

/*
 * @p text loads. libconfig takes no comma after a list's last element; the
 * tests write every class as "{ ... },\n", so a comma before ")" is dropped.
 */
static inline struct vqos_conf *conf_ok(const char *text)
{
	struct vqos_conf *conf = NULL;
	char *t = strdup(text);
	char err[512] = "";
	char *c;

	assert_non_null(t);
	for (c = strstr(t, ",\n)"); c != NULL; c = strstr(c, ",\n)"))
		*c = ' ';
	if (vqos_conf_load_string(t, "t.conf", &conf, err, sizeof(err)) != 0)
		fail_msg("conf: %s", err);
	free(t);
	return conf;
}

/* Direction @p dir of @p text builds. */
static inline struct vqos_policy *build_ok(const char *text, enum vqos_policy_dir dir)
{
	struct vqos_conf *conf = conf_ok(text);
	struct vqos_policy *p = NULL;
	char err[512] = "";

	if (vqos_policy_build(conf, dir, &p, err, sizeof(err)) != 0)
		fail_msg("policy: %s", err);
	vqos_conf_free(conf);
	assert_non_null(p);
	return p;
}

/* Direction @p dir of @p text loads but is refused with exactly @p msg. */
static inline void build_refused(const char *text, enum vqos_policy_dir dir, const char *msg)
{
	struct vqos_conf *conf = conf_ok(text);
	struct vqos_policy *p = NULL;
	char err[512] = "";
	int rc = vqos_policy_build(conf, dir, &p, err, sizeof(err));

	vqos_conf_free(conf);
	if (rc == 0)
		vqos_policy_free(p);
	assert_int_equal(rc, -EINVAL);
	assert_null(p);
	assert_string_equal(err, msg);
}

/* A class from vqosctl-like words: "name", "c1", "rate", "1mbit", ..., NULL. */
static inline struct vqos_conf_class words(const char *first, ...)
{
	struct vqos_conf_class c = { 0 };
	const char *key = first;
	char err[192];
	va_list ap;

	va_start(ap, first);
	while (key != NULL) {
		const char *value = va_arg(ap, const char *);

		if (vqos_conf_class_set(&c, key, value, err, sizeof(err)) != 0)
			fail_msg("%s %s: %s", key, value, err);
		key = va_arg(ap, const char *);
	}
	va_end(ap);
	return c;
}

#endif /* VQOS_TESTS_POLICY_TEST_H */
