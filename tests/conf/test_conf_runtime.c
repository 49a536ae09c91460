/* SPDX-License-Identifier: BSD-3-Clause */
/* conf/runtime.c: what a port added at run time may name. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf_test.h"

static const char *const file =
	"ports = (\n"
	"  { name = \"c1\"; socket = \"/srv/containers/c1.sock\";\n"
	"    uplink = \"net_virtio_user0,path=/var/run/openvswitch/vhu-c1,server=1\"; },\n"
	"  { name = \"c2\"; socket = \"/srv/containers/c2.sock\";\n"
	"    uplink = \"net_vhost_c2,iface=/srv/uplinks/c2.sock\"; }\n"
	");\n";

/* @p socket and @p uplink as a port named "n": 0, or the message. */
static const char *check(const struct vqos_conf *conf, const char *socket, const char *uplink)
{
	static char err[768];
	struct vqos_conf_port p = { .name = "n" };

	snprintf(p.socket, sizeof(p.socket), "%s", socket);
	snprintf(p.uplink, sizeof(p.uplink), "%s", uplink);
	err[0] = '\0';
	if (vqos_conf_port_runtime_check(conf, &p, err, sizeof(err)) == 0)
		return NULL;
	return err;
}

static void test_permitted(void **state)
{
	struct vqos_conf *conf = load_ok(file);

	/* the drivers vqosd is built for, in the directories the ports use */
	assert_null(check(conf, "/srv/containers/c3.sock",
			  "net_virtio_user3,path=/var/run/openvswitch/vhu-c3,server=1"));
	assert_null(check(conf, "/srv/containers/c3.sock", "net_vhost_c3,iface=/srv/uplinks/c3"));
	/* vqosd's run directory always */
	assert_null(check(conf, "/run/vqos/c3.sock", "net_vhost_c3,iface=/run/vqos/up-c3"));
	/* no path in the devargs: nothing to check there */
	assert_null(check(conf, "/srv/containers/c3.sock", "net_vhost_c3"));
	vqos_conf_free(conf);
}

static void test_refused(void **state)
{
	struct vqos_conf *conf = load_ok(file);

	/* a driver that writes files or captures from any interface */
	assert_string_equal(
		check(conf, "/srv/containers/c3.sock",
		      "net_pcap_x,rx_iface=lo,tx_pcap=/root/secret"),
		"uplink 'net_pcap_x': only net_virtio_user and net_vhost uplinks are added at run "
		"time; put the port in the file and reload");
	/* paths elsewhere: the socket vqosd might unlink, the uplink's */
	assert_string_equal(check(conf, "/etc/shadow", "net_vhost_c3,iface=/srv/uplinks/c3"),
			    "socket '/etc/shadow': not in /run/vqos or a directory the "
			    "configured ports use; put the port in the file and reload");
	assert_string_equal(
		check(conf, "/srv/containers/c3.sock", "net_virtio_user3,path=/root/vhu-c3"),
		"uplink path '/root/vhu-c3': not in /run/vqos or a directory the "
		"configured ports use; put the port in the file and reload");
	assert_string_equal(check(conf, "/srv/containers/c3.sock",
				  "net_vhost_c3,iface=/srv/uplinks/../../etc/x"),
			    "uplink iface '/srv/uplinks/../../etc/x': not an absolute path "
			    "without '.' or '..' components");
	assert_non_null(check(conf, "/srv/containers/./c3.sock", "net_vhost_c3"));
	assert_non_null(check(conf, "srv/containers/c3.sock", "net_vhost_c3"));
	assert_non_null(check(conf, "/srv/containers//c3.sock", "net_vhost_c3"));
	/* a subdirectory of a permitted one is another directory */
	assert_non_null(check(conf, "/srv/containers/sub/c3.sock", "net_vhost_c3"));
	vqos_conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permitted),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
