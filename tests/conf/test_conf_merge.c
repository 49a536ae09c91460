/* SPDX-License-Identifier: BSD-3-Clause */
/* conf/merge.c: run-time changes carried over to a file read again. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf_test.h"

/* A file: two ports, a tree each way. The tests write what vqosctl changed
 * and what the file says now as edits of it. */
#define PORTS                                                                                      \
	"ports = (\n"                                                                              \
	"  { name = \"c1\"; socket = \"/run/vqos/c1.sock\"; uplink = "                             \
	"\"net_vhost_1,iface=/run/vqos/u1\"; },\n"                                                 \
	"  { name = \"c2\"; socket = \"/run/vqos/c2.sock\"; uplink = "                             \
	"\"net_vhost_2,iface=/run/vqos/u2\"; }%s\n"                                                \
	");\n"
#define TX                                                                                         \
	"tx = { qdisc = \"%s\"; classes = (\n"                                                     \
	"  { name = \"root\"; rate = \"1gbit\"; },\n"                                              \
	"  { name = \"c1\"; parent = \"root\"; port = \"c1\"; rate = \"%s\"; },\n"                 \
	"  { name = \"c2\"; parent = \"root\"; port = \"c2\"; rate = \"10mbit\"; }%s\n"            \
	"); };\n"

/* The file with @p port3 after c2, tx qdisc @p qdisc, c1's rate @p c1_rate
 * and @p class3 after c2's class. */
static struct vqos_conf *conf_of(const char *port3, const char *qdisc, const char *c1_rate,
				 const char *class3)
{
	char text[4096];

	snprintf(text, sizeof(text), PORTS TX, port3, qdisc, c1_rate, class3);
	return load_ok(text);
}

#define C3_PORT                                                                                    \
	",\n  { name = \"c3\"; socket = \"/run/vqos/c3.sock\"; uplink = "                          \
	"\"net_vhost_3,iface=/run/vqos/u3\"; }"
#define C3_CLASS ",\n  { name = \"c3\"; parent = \"root\"; port = \"c3\"; rate = \"5mbit\"; }"

static const struct vqos_conf_class *class_named(const struct vqos_conf_dir *d, const char *name)
{
	for (size_t i = 0; i < d->n_classes; i++)
		if (strcmp(d->classes[i].name, name) == 0)
			return &d->classes[i];
	return NULL;
}

static const struct vqos_conf_port *port_named(const struct vqos_conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_ports; i++)
		if (strcmp(c->ports[i].name, name) == 0)
			return &c->ports[i];
	return NULL;
}

/* A container added at run time and a class changed, the file edited
 * elsewhere: both kept, and the file's edit too. */
static void test_carried(void **state)
{
	struct vqos_conf *base = conf_of("", "htb", "20mbit", "");
	struct vqos_conf *run = conf_of(C3_PORT, "htb", "30mbit", C3_CLASS);
	struct vqos_conf *file = conf_of("", "htb", "20mbit", "");
	char report[256];

	/* the file now gives c2 a cost (the run time did not touch c2) */
	file->ports[1].cost = (struct vqos_conf_cost){ .set = true, .packet = 900 };
	assert_int_equal(vqos_conf_merge(base, run, file, report, sizeof(report)), 3);
	assert_string_equal(report, "");
	assert_non_null(port_named(file, "c3"));
	assert_string_equal(port_named(file, "c3")->socket, "/run/vqos/c3.sock");
	assert_true(port_named(file, "c2")->cost.set);
	assert_int_equal(class_named(&file->tx, "c1")->rate_bps, 30000000);
	assert_int_equal(class_named(&file->tx, "c3")->rate_bps, 5000000);
	assert_int_equal(class_named(&file->tx, "c3")->line, 0); /* at no line of the file */
	assert_int_equal(file->n_ports, 3);
	assert_int_equal(file->tx.n_classes, 4);
	vqos_conf_free(base);
	vqos_conf_free(run);
	vqos_conf_free(file);
}

/* Removed at run time: gone from the file read again, unless the file
 * changed it since. */
static void test_removed(void **state)
{
	struct vqos_conf *base = conf_of(C3_PORT, "htb", "20mbit", C3_CLASS);
	struct vqos_conf *run = conf_of("", "htb", "20mbit", "");
	struct vqos_conf *file = conf_of(C3_PORT, "htb", "20mbit", C3_CLASS);
	char report[256];

	assert_int_equal(vqos_conf_merge(base, run, file, report, sizeof(report)), 2);
	assert_string_equal(report, "");
	assert_null(port_named(file, "c3"));
	assert_null(class_named(&file->tx, "c3"));
	assert_int_equal(file->n_ports, 2);
	vqos_conf_free(file);

	/* the file changed c3's class since: it stays, and that is said */
	file = conf_of(
		C3_PORT, "htb", "20mbit",
		",\n  { name = \"c3\"; parent = \"root\"; port = \"c3\"; rate = \"6mbit\"; }");
	assert_int_equal(vqos_conf_merge(base, run, file, report, sizeof(report)), 1);
	assert_string_equal(report, "tx class c3: removed at run time and changed in the file: "
				    "the file's kept");
	assert_null(port_named(file, "c3"));
	assert_non_null(class_named(&file->tx, "c3"));
	vqos_conf_free(base);
	vqos_conf_free(run);
	vqos_conf_free(file);
}

/* Both changed one item: the file's wins, said; settings alike. */
static void test_conflicts(void **state)
{
	struct vqos_conf *base = conf_of("", "htb", "20mbit", "");
	struct vqos_conf *run = conf_of(C3_PORT, "fifo", "30mbit", C3_CLASS);
	struct vqos_conf *file = conf_of(
		",\n  { name = \"c3\"; socket = \"/run/vqos/other.sock\"; uplink = "
		"\"net_vhost_9,iface=/run/vqos/u9\"; }",
		"police", "40mbit",
		",\n  { name = \"c3\"; parent = \"root\"; port = \"c3\"; rate = \"5mbit\"; }");
	char report[512];

	run->sleep_max_us = 500;
	file->sleep_max_us = 1000;
	/* c3's class is the same on both sides: nothing to carry or report */
	assert_int_equal(vqos_conf_merge(base, run, file, report, sizeof(report)), 0);
	assert_string_equal(
		report, "port c3: added at run time, and the file has its own: the file's kept; "
			"tx class c1: changed at run time and in the file: the file's kept; "
			"tx qdisc: changed at run time and in the file: the file's kept; "
			"datapath.sleep_max: changed at run time and in the file: the file's kept");
	assert_string_equal(port_named(file, "c3")->socket, "/run/vqos/other.sock");
	assert_int_equal(class_named(&file->tx, "c1")->rate_bps, 40000000);
	assert_string_equal(file->tx.qdisc, "police");
	assert_int_equal(file->sleep_max_us, 1000);
	vqos_conf_free(base);
	vqos_conf_free(run);
	vqos_conf_free(file);
}

/* Settings changed only at run time are carried; nothing changed, nothing
 * carried; a short report buffer is cut, never overrun. */
static void test_settings(void **state)
{
	struct vqos_conf *base = conf_of("", "htb", "20mbit", "");
	struct vqos_conf *run = conf_of("", "fifo", "20mbit", "");
	struct vqos_conf *file = conf_of("", "htb", "20mbit", "");
	char report[8];

	run->sleep_max_us = 500;
	assert_int_equal(vqos_conf_merge(base, run, file, report, sizeof(report)), 2);
	assert_string_equal(file->tx.qdisc, "fifo");
	assert_int_equal(file->sleep_max_us, 500);
	assert_int_equal(vqos_conf_merge(file, file, base, report, sizeof(report)), 0);
	vqos_conf_free(file);

	file = conf_of("", "police", "21mbit", "");
	assert_int_equal(vqos_conf_merge(base, run, file, report, sizeof(report)), 1);
	assert_string_equal(report, "tx qdis"); /* cut at 8 */
	vqos_conf_free(base);
	vqos_conf_free(run);
	vqos_conf_free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_carried),
		cmocka_unit_test(test_removed),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
