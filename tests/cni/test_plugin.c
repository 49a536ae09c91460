/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni/: the plugin's decisions without vqosd. The network configuration and
 * environment as a runtime gives them (good, and bad in each key), the
 * bandwidth capability's units, the port's name, the leaves and the `port
 * add` words against a running configuration (a `config dump` text, read
 * with conf/ as the plugin reads vqosd's), CHECK's comparison, and the JSON
 * the runtime reads back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cni/vqos_cni.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The environment of a pod's ADD, as a runtime sets it. */
static const struct vqos_cni_env pod_env = {
	.command = "ADD",
	.container_id = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	.netns = "/var/run/netns/pod1",
	.ifname = "net1",
	.args = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0",
};
#define POD_PORT "9f86d081884c-net1"

/* A configuration with @p extra keys (JSON members, with a leading comma). */
static char *netconf(const char *extra)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"cniVersion\": \"1.0.0\", \"name\": \"vqos-net\", \"type\": \"vqos\", "
		 "\"capabilities\": {\"bandwidth\": true}, \"socketDir\": \"/run/vqos\", "
		 "\"uplink\": \"net_virtio_user_{port},path=/run/vqos/ovs-{port}.sock,server=1\""
		 "%s}",
		 extra);
	return buf;
}

/* Parse @p text for @p cmd with @p env: it must pass. */
static void parse_ok(enum vqos_cni_cmd cmd, const char *text, const struct vqos_cni_env *env,
		     struct vqos_cni_conf *conf)
{
	struct vqos_cni_error e = { 0 };
	int rc = vqos_cni_conf_parse(cmd, text, strlen(text), env, conf, &e);

	if (rc != 0)
		print_error("unexpected error %u: %s (%s)\n", e.code, e.msg, e.details);
	assert_int_equal(rc, 0);
}

/* Parse @p text for ADD with @p env: refused with @p code and a message holding @p msg. */
static void parse_bad(const char *text, const struct vqos_cni_env *env, unsigned int code,
		      const char *msg)
{
	struct vqos_cni_conf conf;
	struct vqos_cni_error e = { 0 };
	int rc = vqos_cni_conf_parse(VQOS_CNI_ADD, text, strlen(text), env, &conf, &e);

	vqos_cni_conf_release(&conf);
	if (rc == 0 || e.code != code || strstr(e.msg, msg) == NULL)
		fail_msg("%s: got %d, code %u '%s', want code %u '%s'", text, rc, e.code, e.msg,
			 code, msg);
}

static void test_port_name(void **state)
{
	char id[VQOS_CNI_ID_SHORT + 1], name[VQOS_CONF_NAME_MAX], a[VQOS_CONF_NAME_MAX];

	/* a runtime's 64-hex ID: its short form, as crictl shows it */
	vqos_cni_port_name(pod_env.container_id, "net1", id, name);
	assert_string_equal(id, "9f86d081884c");
	assert_string_equal(name, POD_PORT);
	/* a short ID as it is; characters a port name may not have become _ */
	vqos_cni_port_name("pod:1", "eth/0", id, name);
	assert_string_equal(name, "pod_1-eth_0");
	/* long IDs that are not hex and share their start still differ */
	vqos_cni_port_name("cnitool-test-container-1", "eth0", id, a);
	vqos_cni_port_name("cnitool-test-container-2", "eth0", id, name);
	assert_int_equal(strlen(id), VQOS_CNI_ID_SHORT);
	assert_int_equal(strncmp(a, "cnitool", 7), 0);
	assert_string_not_equal(a, name);
	/* the longest: 12 + 1 + 15, within a port name */
	vqos_cni_port_name(pod_env.container_id, "abcdefghijklmno", id, name);
	assert_int_equal(strlen(name), 28);
}

static void test_parse(void **state)
{
	struct vqos_cni_conf conf;

	parse_ok(VQOS_CNI_ADD, netconf(""), &pod_env, &conf);
	assert_string_equal(conf.version, "1.0.0");
	assert_string_equal(conf.port, POD_PORT);
	assert_string_equal(conf.control, "/run/vqos/vqosd.sock");
	assert_string_equal(conf.socket, "/run/vqos/" POD_PORT ".sock");
	assert_string_equal(conf.uplink, "net_virtio_user_" POD_PORT ",path=/run/vqos/ovs-" POD_PORT
					 ".sock,server=1");
	assert_string_equal(conf.parent, "root");
	assert_false(conf.client);
	assert_string_equal(conf.rate, "");
	assert_int_equal(conf.limit[VQOS_CNI_TX].rate_bps, 0);
	assert_null(conf.prev_result);
	vqos_cni_conf_release(&conf);

	/* every key of the plugin's, 0.4.0 */
	parse_ok(
		VQOS_CNI_CHECK,
		"{\"cniVersion\": \"0.4.0\", \"name\": \"n\", \"type\": \"vqos\", "
		"\"control\": \"/run/vqos/ctl.sock\", \"socket\": \"/run/vqos/{id}.{ifname}\", "
		"\"mode\": \"client\", \"uplink\": \"net_vhost_{id},iface=/run/vqos/u-{ifname}\", "
		"\"parent\": \"tenant1\", \"rate\": \"5mbit\", \"pps\": \"1kpps\", "
		"\"cpps\": \"10kpps\", \"prio\": 2, \"burst\": \"32k\", \"ipam\": {}, \"dns\": {}, "
		"\"args\": {\"cni\": {}}}",
		&pod_env, &conf);
	assert_string_equal(conf.version, "0.4.0");
	assert_string_equal(conf.control, "/run/vqos/ctl.sock");
	assert_string_equal(conf.socket, "/run/vqos/9f86d081884c.net1");
	assert_string_equal(conf.uplink, "net_vhost_9f86d081884c,iface=/run/vqos/u-net1");
	assert_true(conf.client);
	assert_string_equal(conf.parent, "tenant1");
	assert_string_equal(conf.rate, "5mbit");
	assert_string_equal(conf.pps, "1kpps");
	assert_string_equal(conf.cpps, "10kpps");
	assert_string_equal(conf.prio, "2");
	assert_string_equal(conf.burst, "32k");
	vqos_cni_conf_release(&conf);
}

static void test_parse_bad_keys(void **state)
{
	static const struct {
		const char *extra;
		unsigned int code;
		const char *msg;
	} cases[] = {
		/* a typo: the key and its value named, vqos's keys in details */
		{ ", \"sockerDir\": \"/run\"", VQOS_CNI_E_FIELD,
		  "unknown key 'sockerDir' (value \"/run\")" },
		{ ", \"rate\": \"10kpps\"", VQOS_CNI_E_CONFIG,
		  "key 'rate': '10kpps' is a packet rate" },
		{ ", \"rate\": 10000000", VQOS_CNI_E_CONFIG, "key 'rate': not a string" },
		{ ", \"pps\": \"10mbit\"", VQOS_CNI_E_CONFIG, "key 'pps': '10mbit' is a bit rate" },
		{ ", \"cpps\": \"fast\"", VQOS_CNI_E_CONFIG, "key 'cpps':" },
		{ ", \"prio\": 8", VQOS_CNI_E_CONFIG, "key 'prio': prio 8 is over 7" },
		{ ", \"prio\": \"high\"", VQOS_CNI_E_CONFIG, "key 'prio':" },
		{ ", \"burst\": \"lots\"", VQOS_CNI_E_CONFIG, "key 'burst':" },
		{ ", \"mode\": \"listen\"", VQOS_CNI_E_CONFIG, "key 'mode': \"server\"" },
		{ ", \"control\": 5", VQOS_CNI_E_CONFIG, "key 'control': not a string" },
		{ ", \"parent\": \"\"", VQOS_CNI_E_CONFIG, "key 'parent': empty" },
		{ ", \"socket\": \"/run/vqos/x.sock\"", VQOS_CNI_E_CONFIG,
		  "keys 'socket' and 'socketDir': give one, not both" },
		{ ", \"runtimeConfig\": {\"bandwidth\": {\"egressRate\": \"10M\"}}",
		  VQOS_CNI_E_CONFIG,
		  "runtimeConfig.bandwidth.egressRate: not a whole number of bits per second" },
		{ ", \"runtimeConfig\": {\"bandwidth\": {\"ingressBurst\": -1}}", VQOS_CNI_E_CONFIG,
		  "runtimeConfig.bandwidth.ingressBurst: not a whole number of bits" },
		{ ", \"runtimeConfig\": {\"bandwidth\": {\"egressRate\": 1.5}}", VQOS_CNI_E_CONFIG,
		  "egressRate: not a whole number" },
		{ ", \"runtimeConfig\": {\"bandwidth\": {\"egresRate\": 1}}", VQOS_CNI_E_CONFIG,
		  "runtimeConfig.bandwidth: unknown key 'egresRate'" },
		{ ", \"runtimeConfig\": {\"bandwidth\": 10}", VQOS_CNI_E_CONFIG,
		  "runtimeConfig.bandwidth: not an object" },
		{ ", \"prevResult\": []", VQOS_CNI_E_CONFIG, "prevResult: not an object" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		parse_bad(netconf(cases[i].extra), &pod_env, cases[i].code, cases[i].msg);

	/* the specification's own keys */
	parse_bad("{\"name\": \"n\", \"type\": \"vqos\"}", &pod_env, VQOS_CNI_E_VERSION,
		  "key 'cniVersion': missing");
	parse_bad("{\"cniVersion\": \"0.3.1\", \"name\": \"n\"}", &pod_env, VQOS_CNI_E_VERSION,
		  "cniVersion '0.3.1' is not one vqos speaks");
	parse_bad("{\"cniVersion\": \"1.0.0\", \"type\": \"vqos\"}", &pod_env, VQOS_CNI_E_CONFIG,
		  "key 'name': missing");
	parse_bad("{\"cniVersion\": \"1.0.0\", \"name\": \"n\"", &pod_env, VQOS_CNI_E_DECODE,
		  "stdin is not the network configuration's JSON");
	parse_bad("[1]", &pod_env, VQOS_CNI_E_DECODE, "stdin is not a JSON object");
	/* what ADD needs and DEL does not */
	parse_bad("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"socketDir\": \"/run/vqos\"}",
		  &pod_env, VQOS_CNI_E_CONFIG, "key 'uplink': missing");
	parse_bad("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"uplink\": \"net_vhost_{port}\"}",
		  &pod_env, VQOS_CNI_E_CONFIG, "no socket for the pod: give key 'socket'");
	parse_bad("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"socketDir\": \"/run/vqos\", "
		  "\"uplink\": \"net_vhost_{pod},iface=/run/vqos/u\"}",
		  &pod_env, VQOS_CNI_E_CONFIG, "key 'uplink': unknown placeholder '{pod}'");
}

static void test_parse_env(void **state)
{
	struct vqos_cni_env env = pod_env;
	struct vqos_cni_conf conf;

	env.container_id = NULL;
	parse_bad(netconf(""), &env, VQOS_CNI_E_ENV, "CNI_CONTAINERID is not set");
	env = pod_env;
	env.ifname = "averyveryverylongif";
	parse_bad(netconf(""), &env, VQOS_CNI_E_ENV, "CNI_IFNAME is longer than 15");
	env = pod_env;
	env.netns = "";
	parse_bad(netconf(""), &env, VQOS_CNI_E_ENV, "CNI_NETNS is not set");
	/* DEL: no namespace, and only what names the port */
	parse_ok(VQOS_CNI_DEL, "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"type\": \"vqos\"}",
		 &env, &conf);
	assert_string_equal(conf.port, POD_PORT);
	vqos_cni_conf_release(&conf);

	/* CNI_ARGS: ours override the configuration's, others are the runtime's */
	env = pod_env;
	env.args = "IgnoreUnknown=1;VQOS_RATE=2mbit;K8S_POD_NAME=web-0;VQOS_PRIO=3";
	parse_ok(VQOS_CNI_ADD, netconf(", \"rate\": \"1mbit\", \"prio\": 1"), &env, &conf);
	assert_string_equal(conf.rate, "2mbit");
	assert_string_equal(conf.prio, "3");
	vqos_cni_conf_release(&conf);
	env.args = "VQOS_RATE=2kpps";
	parse_bad(netconf(""), &env, VQOS_CNI_E_ENV,
		  "CNI_ARGS VQOS_RATE: '2kpps' is a packet rate");
	env.args = "VQOS_CEIL=2mbit";
	parse_bad(netconf(""), &env, VQOS_CNI_E_ENV, "CNI_ARGS: unknown key 'VQOS_CEIL'");
	env.args = "VQOS_RATE";
	parse_bad(netconf(""), &env, VQOS_CNI_E_ENV, "CNI_ARGS: 'VQOS_RATE' is not K=V");
}

/* runtimeConfig.bandwidth: bits/s and bits; egress is tx, ingress rx. */
static void test_bandwidth_units(void **state)
{
	struct vqos_cni_conf conf;

	parse_ok(VQOS_CNI_ADD,
		 netconf(", \"runtimeConfig\": {\"bandwidth\": {\"egressRate\": 10000000, "
			 "\"egressBurst\": 80001, \"ingressRate\": 2.5e7, \"ingressBurst\": "
			 "2147483647}}"),
		 &pod_env, &conf);
	assert_int_equal(conf.limit[VQOS_CNI_TX].rate_bps, 10000000);
	/* bits to bytes, rounded up */
	assert_int_equal(conf.limit[VQOS_CNI_TX].burst, 10001);
	assert_int_equal(conf.limit[VQOS_CNI_RX].rate_bps, 25000000);
	/* kubelet's "no burst given" (math.MaxInt32), not 256 MiB at line rate */
	assert_int_equal(conf.limit[VQOS_CNI_RX].burst, 0);
	vqos_cni_conf_release(&conf);
	/* containerd's and cri-o's sentinels too */
	parse_ok(VQOS_CNI_ADD,
		 netconf(", \"runtimeConfig\": {\"bandwidth\": {\"egressRate\": 1000000, "
			 "\"egressBurst\": 4294967295, \"ingressRate\": 1000000, "
			 "\"ingressBurst\": 34359738359}}"),
		 &pod_env, &conf);
	assert_int_equal(conf.limit[VQOS_CNI_TX].burst, 0);
	assert_int_equal(conf.limit[VQOS_CNI_RX].burst, 0);
	vqos_cni_conf_release(&conf);
	/* other capabilities' arguments are not ours to refuse */
	parse_ok(VQOS_CNI_ADD, netconf(", \"runtimeConfig\": {\"portMappings\": []}"), &pod_env,
		 &conf);
	assert_int_equal(conf.limit[VQOS_CNI_TX].rate_bps, 0);
	vqos_cni_conf_release(&conf);
}

/* vqosd's running configuration with @p tx and @p rx groups (a config dump). */
static struct vqos_conf *running(const char *tx, const char *rx)
{
	char text[4096], err[512];
	struct vqos_conf *conf = NULL;

	snprintf(text, sizeof(text),
		 "eal = [ \"--no-huge\" ];\n"
		 "ports = ( { name = \"c0\"; socket = \"/run/vqos/c0.sock\"; uplink = "
		 "\"net_vhost_c0,iface=/run/vqos/u0.sock\"; }%s );\n%s\n%s\n",
		 strstr(tx, POD_PORT) ? ", { name = \"" POD_PORT
					"\"; socket = \"/run/vqos/" POD_PORT
					".sock\"; uplink = \"net_virtio_user_" POD_PORT
					",path=/run/vqos/ovs-" POD_PORT ".sock,server=1\"; }"
				      : "",
		 tx, rx);
	if (vqos_conf_load_string(text, "dump", &conf, err, sizeof(err)) != 0)
		fail_msg("running configuration: %s", err);
	return conf;
}

#define TX_TREE                                                                                    \
	"tx = { qdisc = \"htb\"; classes = ( { name = \"root\"; rate = \"1gbit\"; }, { name = "    \
	"\"c0\"; parent = \"root\"; port = \"c0\"; rate = \"1mbit\"; } ); };"
#define RX_TREE                                                                                    \
	"rx = { qdisc = \"htb\"; classes = ( { name = \"root\"; rate = \"500mbit\"; ceil = "       \
	"\"800mbit\"; }, { name = \"c0\"; parent = \"root\"; port = \"c0\"; rate = \"1mbit\"; } "  \
	"); };"

/* The words of @p leaf, joined by blanks. */
static const char *words(const struct vqos_cni_leaf *leaf)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < leaf->n_words; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "",
				      leaf->words[i]);
	return buf;
}

static void test_leaves(void **state)
{
	struct vqos_conf *run = running(TX_TREE, RX_TREE);
	struct vqos_cni_leaf leaf[2];
	struct vqos_cni_error e = { 0 };
	struct vqos_cni_conf conf;
	const char *argv[VQOS_CNI_ARGV_MAX];
	char all[1024];
	size_t n = 0;
	int argc;

	/* kubelet's egress annotation, 10M, with its no-burst sentinel; a guarantee */
	parse_ok(VQOS_CNI_ADD,
		 netconf(", \"rate\": \"2mbit\", \"cpps\": \"20kpps\", \"prio\": 1, "
			 "\"runtimeConfig\": {\"bandwidth\": {\"egressRate\": 10000000, "
			 "\"egressBurst\": 2147483647}}"),
		 &pod_env, &conf);
	assert_int_equal(vqos_cni_leaves(&conf, run, leaf, &e), 0);
	assert_true(leaf[VQOS_CNI_TX].present && leaf[VQOS_CNI_RX].present);
	/* tx (egress): the limit is the ceiling, the guarantee the rate */
	assert_string_equal(words(&leaf[VQOS_CNI_TX]),
			    "parent root rate 2000000bit ceil 10000000bit cpps 20kpps prio 1");
	/* rx (ingress) unlimited: up to its parent's ceiling */
	assert_string_equal(words(&leaf[VQOS_CNI_RX]),
			    "parent root rate 2000000bit ceil 800000000bit cpps 20kpps prio 1");
	assert_int_equal(leaf[VQOS_CNI_TX].cls.ceil_bps, 10000000);
	assert_int_equal(leaf[VQOS_CNI_TX].cls.ceil_pps, 20000);
	argc = vqos_cni_port_add_argv(&conf, leaf, argv);
	for (int i = 0; i < argc; i++)
		n += (size_t)snprintf(all + n, sizeof(all) - n, "%s%s", i ? " " : "", argv[i]);
	assert_string_equal(all,
			    "port add " POD_PORT " socket /run/vqos/" POD_PORT ".sock uplink "
			    "net_virtio_user_" POD_PORT ",path=/run/vqos/ovs-" POD_PORT
			    ".sock,server=1 mode server "
			    "tx parent root rate 2000000bit ceil 10000000bit cpps 20kpps prio 1 "
			    "rx parent root rate 2000000bit ceil 800000000bit cpps 20kpps "
			    "prio 1");
	vqos_cni_conf_release(&conf);

	/* no guarantee: the limit is both; a real burst (bits) is the pod's,
	 * a guarantee over the limit is cut to it */
	parse_ok(VQOS_CNI_ADD,
		 netconf(", \"runtimeConfig\": {\"bandwidth\": {\"egressRate\": 10000000, "
			 "\"egressBurst\": 160000, \"ingressRate\": 4000000}}"),
		 &pod_env, &conf);
	assert_int_equal(vqos_cni_leaves(&conf, run, leaf, &e), 0);
	assert_string_equal(words(&leaf[VQOS_CNI_TX]),
			    "parent root rate 10000000bit ceil 10000000bit burst 20000 "
			    "cburst 20000");
	assert_string_equal(words(&leaf[VQOS_CNI_RX]),
			    "parent root rate 4000000bit ceil 4000000bit");
	snprintf(conf.rate, sizeof(conf.rate), "50mbit");
	snprintf(conf.burst, sizeof(conf.burst), "3k");
	assert_int_equal(vqos_cni_leaves(&conf, run, leaf, &e), 0);
	assert_string_equal(words(&leaf[VQOS_CNI_RX]),
			    "parent root rate 4000000bit ceil 4000000bit burst 3072 cburst 3072");
	vqos_cni_conf_release(&conf);
	vqos_conf_free(run);
}

static void test_leaves_bad(void **state)
{
	struct vqos_conf *run = running(TX_TREE, RX_TREE), *tx_only = running(TX_TREE, "");
	struct vqos_cni_leaf leaf[2];
	struct vqos_cni_error e = { 0 };
	struct vqos_cni_conf conf;

	/* no bandwidth and no guarantee: nothing to give the leaf as its rate */
	parse_ok(VQOS_CNI_ADD, netconf(""), &pod_env, &conf);
	assert_int_equal(vqos_cni_leaves(&conf, run, leaf, &e), -1);
	assert_int_equal(e.code, VQOS_CNI_E_CONFIG);
	assert_non_null(strstr(e.msg, "the pod's tx class has no guarantee: give key 'rate'"));
	vqos_cni_conf_release(&conf);
	/* a packet guarantee will do */
	parse_ok(VQOS_CNI_ADD, netconf(", \"pps\": \"1kpps\""), &pod_env, &conf);
	assert_int_equal(vqos_cni_leaves(&conf, run, leaf, &e), 0);
	assert_string_equal(words(&leaf[VQOS_CNI_TX]), "parent root ceil 1000000000bit pps 1kpps");
	/* a direction without a tree gets no leaf */
	assert_int_equal(vqos_cni_leaves(&conf, tx_only, leaf, &e), 0);
	assert_true(leaf[VQOS_CNI_TX].present);
	assert_false(leaf[VQOS_CNI_RX].present);
	vqos_cni_conf_release(&conf);
	/* ... and a limit there cannot be kept */
	parse_ok(VQOS_CNI_ADD,
		 netconf(", \"rate\": \"1mbit\", \"runtimeConfig\": {\"bandwidth\": "
			 "{\"ingressRate\": 5000000}}"),
		 &pod_env, &conf);
	assert_int_equal(vqos_cni_leaves(&conf, tx_only, leaf, &e), -1);
	assert_int_equal(e.code, VQOS_CNI_E_REFUSED);
	assert_string_equal(e.msg, "the pod's ingress limit 5Mbit cannot be kept: vqosd runs no "
				   "rx class tree");
	vqos_cni_conf_release(&conf);
	/* a parent vqosd does not have */
	parse_ok(VQOS_CNI_ADD, netconf(", \"rate\": \"1mbit\", \"parent\": \"gold\""), &pod_env,
		 &conf);
	assert_int_equal(vqos_cni_leaves(&conf, run, leaf, &e), -1);
	assert_string_equal(e.msg, "key 'parent': vqosd's tx tree has no class 'gold'");
	vqos_cni_conf_release(&conf);
	vqos_conf_free(run);
	vqos_conf_free(tx_only);
}

/* The pod's port as ADD made it, with leaves: @p tx_leaf, @p rx_leaf are class groups. */
static struct vqos_conf *added(const char *tx_leaf, const char *rx_leaf)
{
	char tx[1024], rx[1024];

	snprintf(tx, sizeof(tx),
		 "tx = { qdisc = \"htb\"; classes = ( { name = \"root\"; rate = \"1gbit\"; }, "
		 "{ name = \"c0\"; parent = \"root\"; port = \"c0\"; rate = \"1mbit\"; }, "
		 "{ name = \"" POD_PORT "\"; parent = \"root\"; port = \"" POD_PORT
		 "\"; %s } ); };",
		 tx_leaf);
	snprintf(
		rx, sizeof(rx),
		"rx = { qdisc = \"htb\"; classes = ( { name = \"root\"; rate = \"500mbit\"; ceil = "
		"\"800mbit\"; }, { name = \"c0\"; parent = \"root\"; port = \"c0\"; rate = "
		"\"1mbit\"; }, { name = \"" POD_PORT "\"; parent = \"root\"; port = \"" POD_PORT
		"\"; %s } ); };",
		rx_leaf);
	return running(tx, rx);
}

static void test_check(void **state)
{
	static const struct {
		const char *tx, *rx, *msg;
	} cases[] = {
		{ "rate = \"10mbit\"; ceil = \"10mbit\";", "rate = \"10mbit\"; ceil = \"800mbit\";",
		  NULL },
		/* a vqosctl class change of the limit */
		{ "rate = \"10mbit\"; ceil = \"20mbit\";", "rate = \"10mbit\"; ceil = \"800mbit\";",
		  "class '" POD_PORT "' (tx) of port " POD_PORT ": ceil is 20Mbit in vqosd, 10Mbit "
		  "for the pod" },
		{ "rate = \"10mbit\"; ceil = \"10mbit\";",
		  "rate = \"10mbit\"; ceil = \"800mbit\"; prio = 3;",
		  "class '" POD_PORT "' (rx) of port " POD_PORT
		  ": prio is 3 in vqosd, 0 for the pod" },
		{ "rate = \"10mbit\"; ceil = \"10mbit\"; burst = \"64k\";",
		  "rate = \"10mbit\"; ceil = \"800mbit\";",
		  "burst is 65536 bytes in vqosd, none for the pod" },
		{ "rate = \"10mbit\"; ceil = \"10mbit\"; cpps = \"5kpps\";",
		  "rate = \"10mbit\"; ceil = \"800mbit\";",
		  "cpps is 5Kpps in vqosd, none for the pod" },
	};
	struct vqos_cni_leaf leaf[2];
	struct vqos_cni_error e = { 0 };
	struct vqos_cni_conf conf;
	struct vqos_conf *run;

	parse_ok(VQOS_CNI_CHECK,
		 netconf(", \"rate\": \"10mbit\", \"runtimeConfig\": {\"bandwidth\": "
			 "{\"egressRate\": 10000000}}"),
		 &pod_env, &conf);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		run = added(cases[i].tx, cases[i].rx);
		assert_int_equal(vqos_cni_leaves(&conf, run, leaf, &e), 0);
		if (cases[i].msg == NULL) {
			if (vqos_cni_check(&conf, leaf, run, &e) != 0)
				fail_msg("case %zu: %s", i, e.msg);
		} else {
			assert_int_equal(vqos_cni_check(&conf, leaf, run, &e), -1);
			assert_int_equal(e.code, VQOS_CNI_E_CHECK);
			if (strstr(e.msg, cases[i].msg) == NULL)
				fail_msg("case %zu: '%s', want '%s'", i, e.msg, cases[i].msg);
		}
		vqos_conf_free(run);
	}
	/* the port gone (DEL, or vqosd restarted without it) */
	run = running(TX_TREE, RX_TREE);
	assert_int_equal(vqos_cni_check(&conf, leaf, run, &e), -1);
	assert_string_equal(e.msg, "vqosd has no port " POD_PORT);
	vqos_conf_free(run);
	/* another socket than configured */
	run = added("rate = \"10mbit\"; ceil = \"10mbit\";",
		    "rate = \"10mbit\"; ceil = \"800mbit\";");
	snprintf(conf.socket, sizeof(conf.socket), "/run/vqos/other.sock");
	assert_int_equal(vqos_cni_check(&conf, leaf, run, &e), -1);
	assert_string_equal(e.msg, "port " POD_PORT ": socket /run/vqos/" POD_PORT
				   ".sock in vqosd, /run/vqos/other.sock from key 'socketDir'");
	vqos_conf_free(run);
	vqos_cni_conf_release(&conf);
}

static void test_result(void **state)
{
	struct vqos_cni_conf conf;
	json_t *r;
	char *text;

	/* alone: the interface in the pod's sandbox */
	parse_ok(VQOS_CNI_ADD, netconf(""), &pod_env, &conf);
	r = vqos_cni_result(&conf);
	text = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"net1\","
				  "\"sandbox\":\"/var/run/netns/pod1\"}]}");
	free(text);
	json_decref(r);
	vqos_cni_conf_release(&conf);

	/* chained: the previous plugin's result passed on; its socketPath is the pod's */
	parse_ok(
		VQOS_CNI_ADD,
		"{\"cniVersion\": \"0.4.0\", \"name\": \"n\", \"type\": \"vqos\", \"uplink\": "
		"\"net_vhost_{port}\", \"prevResult\": {\"cniVersion\": \"0.4.0\", \"interfaces\": "
		"[{\"name\": \"eth0\"}, {\"name\": \"net1\", \"sandbox\": \"/var/run/netns/pod1\", "
		"\"socketPath\": \"/run/vqos/usrsp/9f86d081884c-net1\"}], \"ips\": [{\"version\": "
		"\"4\", \"address\": \"10.1.0.5/24\", \"interface\": 1}]}}",
		&pod_env, &conf);
	assert_string_equal(conf.socket, "/run/vqos/usrsp/9f86d081884c-net1");
	r = vqos_cni_result(&conf);
	assert_int_equal(json_array_size(json_object_get(r, "ips")), 1);
	assert_string_equal(json_string_value(json_object_get(r, "cniVersion")), "0.4.0");
	assert_true(json_equal(json_object_get(r, "interfaces"),
			       json_object_get(conf.prev_result, "interfaces")));
	json_decref(r);
	vqos_cni_conf_release(&conf);
}

static void test_error_and_version(void **state)
{
	struct vqos_cni_error e = { 0 };
	char *text, vin[] = "{\"cniVersion\": \"0.4.0\"}", old[] = "{\"cniVersion\": \"0.3.1\"}";
	json_t *o;

	vqos_cni_fail(&e, VQOS_CNI_E_AGAIN, "cannot connect to /run/vqos/vqosd.sock: No such file",
		      "cannot reach vqosd at %s", "/run/vqos/vqosd.sock");
	text = vqos_cni_error_text("0.4.0", &e);
	o = json_loads(text, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "cniVersion")), "0.4.0");
	assert_int_equal(json_integer_value(json_object_get(o, "code")), 11);
	assert_string_equal(json_string_value(json_object_get(o, "msg")),
			    "cannot reach vqosd at /run/vqos/vqosd.sock");
	assert_string_equal(json_string_value(json_object_get(o, "details")),
			    "cannot connect to /run/vqos/vqosd.sock: No such file");
	json_decref(o);
	free(text);
	/* no details: no key; no version known yet: the latest */
	vqos_cni_fail(&e, VQOS_CNI_E_ENV, NULL, "CNI_COMMAND is not set");
	text = vqos_cni_error_text(NULL, &e);
	o = json_loads(text, 0, NULL);
	assert_null(json_object_get(o, "details"));
	assert_string_equal(json_string_value(json_object_get(o, "cniVersion")), "1.0.0");
	json_decref(o);
	free(text);

	text = vqos_cni_version_text(vin, strlen(vin));
	assert_string_equal(text, "{\n  \"cniVersion\": \"0.4.0\",\n  \"supportedVersions\": [\n"
				  "    \"0.4.0\",\n    \"1.0.0\"\n  ]\n}");
	free(text);
	text = vqos_cni_version_text(old, strlen(old));
	assert_non_null(strstr(text, "\"cniVersion\": \"1.0.0\""));
	free(text);
	text = vqos_cni_version_text("", 0);
	assert_non_null(strstr(text, "\"cniVersion\": \"1.0.0\""));
	free(text);

	assert_int_equal(vqos_cni_cmd_parse("ADD"), VQOS_CNI_ADD);
	assert_int_equal(vqos_cni_cmd_parse("CHECK"), VQOS_CNI_CHECK);
	assert_int_equal(vqos_cni_cmd_parse("add"), -1);
	assert_int_equal(vqos_cni_cmd_parse(NULL), -1);
}

/* cni/examples/vqos.conflist, its plugin as libcni hands it over (the list's
 * name and version injected, the runtime's bandwidth added). */
static void test_example(void **state)
{
	json_t *list = json_load_file(VQOS_SOURCE_DIR "/cni/examples/vqos.conflist", 0, NULL);
	json_t *plugin = json_array_get(json_object_get(list, "plugins"), 0);
	struct vqos_conf *run = running(TX_TREE, RX_TREE);
	struct vqos_cni_leaf leaf[2];
	struct vqos_cni_error e = { 0 };
	struct vqos_cni_conf conf;
	char *text;

	assert_non_null(plugin);
	json_object_set(plugin, "name", json_object_get(list, "name"));
	json_object_set(plugin, "cniVersion", json_object_get(list, "cniVersion"));
	json_object_set_new(plugin, "runtimeConfig",
			    json_pack("{s:{s:i}}", "bandwidth", "egressRate", 100000000));
	text = json_dumps(plugin, 0);
	parse_ok(VQOS_CNI_ADD, text, &pod_env, &conf);
	assert_string_equal(conf.socket, "/run/vqos/" POD_PORT ".sock");
	assert_int_equal(vqos_cni_leaves(&conf, run, leaf, &e), 0);
	/* the man page's word: rate 10 Mbit/s, ceil 100 Mbit/s */
	assert_string_equal(words(&leaf[VQOS_CNI_TX]),
			    "parent root rate 10000000bit ceil 100000000bit cpps 50kpps");
	vqos_cni_conf_release(&conf);
	vqos_conf_free(run);
	free(text);
	json_decref(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_name),	cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad_keys),	cmocka_unit_test(test_parse_env),
		cmocka_unit_test(test_bandwidth_units), cmocka_unit_test(test_leaves),
		cmocka_unit_test(test_leaves_bad),	cmocka_unit_test(test_check),
		cmocka_unit_test(test_result),		cmocka_unit_test(test_error_and_version),
		cmocka_unit_test(test_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
