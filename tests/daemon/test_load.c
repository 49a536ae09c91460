/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of daemon/load.c: what vqosd checks before EAL starts, which is
 * all of `vqosd --check`: the file, both class trees, and the names of the
 * control socket's owner and groups, each refusal naming the file and line.
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

#include "load.h"

/* No group or user has these names. */
#define NO_GROUP "vqos-test-no-such-group"
#define NO_USER	 "vqos-test-no-such-user"

static char path[64];

/* A file with @p control as its control group's body, one port, @p extra after. */
static void write_conf(const char *control, const char *extra)
{
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/vqos-test-load-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f,
		"eal = [ \"--no-huge\" ];\n"
		"control = { socket = \"/tmp/vqos-test-ctl.sock\"; %s };\n"
		"ports = ( { name = \"c1\"; socket = \"/tmp/vqos-test-c1.sock\";\n"
		"  uplink = \"net_null0\"; } );\n"
		"%s",
		control, extra);
	assert_int_equal(fclose(f), 0);
}

/* vqosd_load(path) with everything freed; its return code, the message in @p err. */
static int load(char *err, size_t len, struct vqosd_ctl_ids *ids)
{
	struct vqos_policy *pol[2] = { NULL, NULL };
	struct vqos_conf *conf = NULL;
	int ret;

	err[0] = '\0';
	ret = vqosd_load(path, &conf, pol, ids, err, len);
	if (ret == 0) {
		assert_non_null(conf);
		assert_non_null(pol[VQOS_POLICY_TX]);
		assert_non_null(pol[VQOS_POLICY_RX]);
	} else {
		assert_null(pol[VQOS_POLICY_TX]);
		assert_null(pol[VQOS_POLICY_RX]);
	}
	vqos_policy_free(pol[VQOS_POLICY_TX]);
	vqos_policy_free(pol[VQOS_POLICY_RX]);
	vqos_conf_free(conf);
	unlink(path);
	return ret;
}

/* Names this system has: resolved. */
static void test_ok(void **state)
{
	struct vqosd_ctl_ids ids = { 1, 1, 1 };
	char err[512];

	write_conf("owner = \"root\"; group = \"root\"; admin = \"root\";", "");
	assert_int_equal(load(err, sizeof(err), &ids), 0);
	assert_int_equal(ids.owner, 0);
	assert_int_equal(ids.group, 0);
	assert_int_equal(ids.admin, 0);
	/* without the names: root's */
	write_conf("", "");
	ids = (struct vqosd_ctl_ids){ 1, 1, 1 };
	assert_int_equal(load(err, sizeof(err), &ids), 0);
	assert_int_equal(ids.group, 0);
}

/* The embedded default needs nothing of the system. */
static void test_embedded(void **state)
{
	struct vqos_policy *pol[2];
	struct vqosd_ctl_ids ids;
	struct vqos_conf *conf;
	char err[512];

	assert_int_equal(vqosd_load(NULL, &conf, pol, &ids, err, sizeof(err)), 0);
	assert_string_equal(conf->file, "<embedded default>");
	vqos_policy_free(pol[VQOS_POLICY_TX]);
	vqos_policy_free(pol[VQOS_POLICY_RX]);
	vqos_conf_free(conf);
}

/* The README's bug: an unknown group, named with the control group's line. */
static void test_no_group(void **state)
{
	struct vqosd_ctl_ids ids;
	char err[512], want[512];

	write_conf("group = \"" NO_GROUP "\";", "");
	assert_int_equal(load(err, sizeof(err), &ids), -ENOENT);
	snprintf(want, sizeof(want),
		 "%s:2: key 'control.group': no group '" NO_GROUP "' on this system (create it "
		 "with groupadd --system " NO_GROUP "; the vqos package creates vqos and "
		 "vqos-admin)",
		 path);
	assert_string_equal(err, want);

	write_conf("admin = \"" NO_GROUP "\";", "");
	assert_int_equal(load(err, sizeof(err), &ids), -ENOENT);
	snprintf(want, sizeof(want), "%s:2: key 'control.admin': no group '" NO_GROUP "'", path);
	assert_memory_equal(err, want, strlen(want));
}

static void test_no_user(void **state)
{
	struct vqosd_ctl_ids ids;
	char err[512], want[512];

	write_conf("owner = \"" NO_USER "\"; group = \"" NO_GROUP "\";", "");
	assert_int_equal(load(err, sizeof(err), &ids), -ENOENT);
	/* the owner first, as the file has it */
	snprintf(want, sizeof(want),
		 "%s:2: key 'control.owner': no user '" NO_USER "' on this system", path);
	assert_string_equal(err, want);
}

/* The trees are checked before the names, with policy's message. */
static void test_tree(void **state)
{
	struct vqosd_ctl_ids ids;
	char err[512], want[512];

	write_conf("group = \"" NO_GROUP "\";",
		   "tx = { qdisc = \"htb\"; classes = (\n"
		   "  { name = \"root\"; rate = \"10mbit\"; },\n"
		   "  { name = \"c1\"; parent = \"root\"; port = \"c1\"; rate = \"2mbit\";"
		   " ceil = \"1mbit\"; }\n"
		   "); };\n");
	assert_int_equal(load(err, sizeof(err), &ids), -EINVAL);
	snprintf(want, sizeof(want), "class 'c1' (%s:7): ceil 1mbit is below rate 2mbit", path);
	assert_string_equal(err, want);
}

/* A file that does not read: conf's message, nothing kept. */
static void test_bad_file(void **state)
{
	struct vqosd_ctl_ids ids;
	char err[512], want[512];

	write_conf("colour = \"red\";", "");
	assert_int_equal(load(err, sizeof(err), &ids), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: key 'control.colour': unknown key", path);
	assert_memory_equal(err, want, strlen(want));
}

/* The packaged /etc/vqos/vqosd.conf (README.md's sample): it loads and its
 * trees build; its names are the package's groups, which this system may
 * not have (then they, and nothing else, are what is refused). */
static void test_shipped(void **state)
{
	struct vqos_policy *pol[2] = { NULL, NULL };
	struct vqosd_ctl_ids ids;
	struct vqos_conf *conf = NULL;
	char err[512];
	int ret =
		vqosd_load(VQOS_SOURCE_DIR "/dist/vqosd.conf", &conf, pol, &ids, err, sizeof(err));

	if (ret == -ENOENT)
		assert_non_null(
			strstr(err, "/dist/vqosd.conf:20: key 'control.group': no group 'vqos' "));
	else
		assert_int_equal(ret, 0);
	vqos_policy_free(pol[VQOS_POLICY_TX]);
	vqos_policy_free(pol[VQOS_POLICY_RX]);
	vqos_conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),	 cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_no_group), cmocka_unit_test(test_no_user),
		cmocka_unit_test(test_tree),	 cmocka_unit_test(test_bad_file),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
