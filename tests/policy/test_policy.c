/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of policy/policy.c: the default fifo tree, the sched parameters a
 * tree becomes, and every rule of the validation with its exact message.
 * No EAL: the police kind asks rte_get_tsc_hz(), given here.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "policy_test.h"

uint64_t rte_get_tsc_hz(void);

uint64_t rte_get_tsc_hz(void)
{
	return 2000000000ULL;
}

/* A tx tree whose classes start at line 5, one per line. */
#define TX(classes) PORTS3 "tx = { classes = (\n" classes "); };\n"
#define RX(classes) PORTS3 "rx = { classes = (\n" classes "); };\n"
#define ROOT	    "{ name = \"root\"; rate = \"10mbit\"; },\n"
/* leaves for c1, c2, c3 under root, 1 mbit each */
#define LEAF(n)                                                                                    \
	"{ name = \"l" #n "\"; parent = \"root\"; port = \"c" #n "\"; rate = \"1mbit\"; },\n"
#define LEAVES LEAF(1) LEAF(2) LEAF(3)

/* The tree of the file's own example, tenants t1 (c1, c2) and c3 alone. */
static const char tenants[] =
	TX("{ name = \"root\"; rate = \"10gbit\"; },\n"
	   "{ name = \"t1\"; parent = \"root\"; rate = \"4gbit\"; ceil = \"10gbit\"; },\n"
	   "{ name = \"c1\"; parent = \"t1\"; port = \"c1\"; rate = \"1gbit\"; ceil = \"5gbit\";\n"
	   "  burst = \"64k\"; cburst = \"64k\"; prio = 1; quantum = \"3000\"; pps = \"100kpps\";\n"
	   "  cpps = \"500kpps\"; limit = 1024; },\n"
	   "{ name = \"c2\"; parent = \"t1\"; port = \"c2\"; rate = \"2gbit\"; },\n"
	   "{ name = \"c3\"; parent = \"root\"; port = \"c3\"; rate = \"3gbit\"; prio = 2; }\n");

/* No tree: an unshaped htb, a root and a leaf per port, in both directions. */
static void test_default_tree(void **state)
{
	for (int dir = 0; dir < 2; dir++) {
		struct vqos_policy *p = build_ok(PORTS3, (enum vqos_policy_dir)dir);
		const struct vqos_sched_params *prm = vqos_policy_params(p);

		assert_true(vqos_policy_is_default(p));
		assert_int_equal(vqos_policy_direction(p), dir);
		assert_string_equal(vqos_policy_ops(p)->name, "htb");
		assert_int_equal(prm->n_classes, 4);
		for (uint32_t i = 0; i < 4; i++)
			assert_true(prm->classes[i].rate_bps == VQOS_POLICY_UNSHAPED_BPS);
		assert_int_equal(prm->n_ports, 3);
		assert_int_equal(prm->clock_hz, 0);
		assert_int_equal(prm->mode, dir == 0 ? VQOS_SCHED_PULL : VQOS_SCHED_PUSH);
		assert_string_equal(prm->classes[0].name, "root");
		assert_int_equal(prm->classes[0].parent, VQOS_SCHED_NO_PARENT);
		for (uint32_t i = 1; i < 4; i++) {
			assert_int_equal(prm->classes[i].parent, prm->classes[0].id);
			assert_int_equal(prm->classes[i].port, i - 1);
			assert_int_equal(vqos_policy_port_leaf(p, i - 1), i);
		}
		assert_string_equal(prm->classes[2].name, "c2");
		assert_int_equal(vqos_policy_port_leaf(p, 3), VQOS_POLICY_NONE);
		vqos_policy_free(p);
	}
	/* qdisc htb or fifo without classes: the same shape, of that kind */
	{
		struct vqos_policy *p =
			build_ok(PORTS3 "rx = { qdisc = \"fifo\"; };\n", VQOS_POLICY_RX);

		assert_true(vqos_policy_is_default(p));
		assert_string_equal(vqos_policy_ops(p)->name, "fifo");
		assert_int_equal(vqos_policy_n_classes(p), 4);
		vqos_policy_free(p);
		p = build_ok(PORTS3 "tx = { qdisc = \"htb\"; };\n", VQOS_POLICY_TX);
		assert_true(vqos_policy_is_default(p));
		assert_string_equal(vqos_policy_ops(p)->name, "htb");
		vqos_policy_free(p);
	}
	/* a port called root does not collide with the root */
	{
		struct vqos_policy *p = build_ok(
			"ports = ( { name = \"root\"; socket = \"/r.sock\"; uplink = \"n\"; } );\n",
			VQOS_POLICY_TX);

		assert_string_equal(vqos_policy_params(p)->classes[1].name, "root_");
		vqos_policy_free(p);
	}
	vqos_policy_free(NULL);
}

/* htb bursts not given at low rates: 1 ms of the rate (ceil) plus 10 ms of
 * it, at least one 1600-byte frame (or one packet), at most a batch. */
static void test_default_bursts(void **state)
{
	struct vqos_policy *p =
		build_ok(TX("{ name = \"root\"; rate = \"10mbit\"; },\n"
			    "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; "
			    "ceil = \"4mbit\"; },\n"
			    "{ name = \"l2\"; parent = \"root\"; port = \"c2\"; pps = \"1kpps\"; "
			    "cpps = \"2kpps\"; },\n" LEAF(3)),
			 VQOS_POLICY_TX);
	const struct vqos_sched_class_params *k = vqos_policy_params(p)->classes;

	assert_int_equal(k[0].burst, 1250 + 12500);
	assert_int_equal(k[0].cburst, 1250 + 12500);
	/* 10 ms of 1 Mbit/s is 1250 bytes, less than a frame */
	assert_int_equal(k[1].burst, 125 + 1600);
	assert_int_equal(k[1].cburst, 500 + 5000);
	assert_int_equal(k[2].burst_pkts, 1 + 10);
	assert_int_equal(k[2].cburst_pkts, 2 + 20);
	vqos_policy_free(p);
}

/* Port pN and, under root, rx leaf lN on it, one line each. */
#define PORT(n)                                                                                    \
	"{ name = \"p" #n "\"; socket = \"/run/p" #n ".sock\"; uplink = \"net_null" #n "\"; },\n"
#define PLEAF(n)                                                                                   \
	"{ name = \"l" #n "\"; parent = \"root\"; port = \"p" #n "\"; rate = \"1mbit\"; },\n"
#define SCHED_RX "); rx = { qdisc = \"sched\"; classes = (\n" ROOT

/* qdisc sched takes the leaves of one port (several, by match, on rx) and
 * refuses a second port, listing the first four ports and a count. */
static void test_sched_one_port(void **state)
{
	static const char one[] = "ports = (" PORT(1) SCHED_RX
		"{ name = \"l1b\"; parent = \"root\"; port = \"p1\"; rate = \"1mbit\";\n"
		"  match = \"pcp 5\"; },\n" PLEAF(1) "); };\n";
	static const char six[] = "ports = (" PORT(1) PORT(2) PORT(3) PORT(4) PORT(5) PORT(6)
		SCHED_RX PLEAF(1) PLEAF(2) PLEAF(3) PLEAF(4) PLEAF(5) PLEAF(6) "); };\n";
	struct vqos_policy *p = build_ok(one, VQOS_POLICY_RX);

	assert_int_equal(vqos_policy_params(p)->n_ports, 1);
	vqos_policy_free(p);
	build_refused(six, VQOS_POLICY_RX,
		      "class 'l2' (t.conf:10): qdisc sched serves one port per vqosd (librte_sched "
		      "cannot hold back one container's packets); this tree has leaves on ports "
		      "'p1', 'p2', 'p3', 'p4' and 2 more: use htb");
}

/* A tree becomes sched params: order, ids, parents, ports, values. */
static void test_build(void **state)
{
	struct vqos_policy *p = build_ok(tenants, VQOS_POLICY_TX);
	const struct vqos_sched_params *prm = vqos_policy_params(p);
	const struct vqos_sched_class_params *k = prm->classes;

	assert_false(vqos_policy_is_default(p));
	assert_string_equal(vqos_policy_ops(p)->name, "htb");
	assert_int_equal(prm->mode, VQOS_SCHED_PULL);
	assert_false(prm->allow_overcommit);
	assert_int_equal(prm->n_classes, 5);
	assert_int_equal(prm->n_ports, 3);
	assert_string_equal(k[2].name, "c1");
	assert_int_equal(k[0].parent, VQOS_SCHED_NO_PARENT);
	assert_int_equal(k[1].parent, k[0].id);
	assert_int_equal(k[2].parent, k[1].id);
	assert_int_equal(k[4].parent, k[0].id);
	assert_int_equal(k[2].rate_bps, 1000000000ULL);
	assert_int_equal(k[2].ceil_bps, 5000000000ULL);
	assert_int_equal(k[2].rate_pps, 100000);
	assert_int_equal(k[2].ceil_pps, 500000);
	assert_int_equal(k[2].burst, 65536);
	assert_int_equal(k[2].cburst, 65536);
	/* bursts not given: 1 ms at the rate plus one data-path batch, which is
	 * less than 10 ms at these rates */
	assert_int_equal(k[2].burst_pkts, 100 + VQOS_SCHED_BATCH);
	assert_int_equal(k[2].cburst_pkts, 500 + VQOS_SCHED_BATCH);
	assert_int_equal(k[4].burst,
			 3000000000ULL / 8000 + VQOS_SCHED_BATCH * VQOS_SCHED_FRAME_BYTES);
	assert_int_equal(k[4].cburst,
			 3000000000ULL / 8000 + VQOS_SCHED_BATCH * VQOS_SCHED_FRAME_BYTES);
	assert_int_equal(k[2].prio, 1);
	assert_int_equal(k[2].quantum, 3000);
	assert_int_equal(k[2].limit, 1024);
	assert_int_equal(k[3].ceil_bps, 0); /* ceil defaults to rate, in sched */
	assert_int_equal(k[2].port, 0);
	assert_int_equal(k[3].port, 1);
	assert_int_equal(k[4].port, 2);
	assert_int_equal(vqos_policy_port_leaf(p, 0), 2);
	assert_int_equal(vqos_policy_port_leaf(p, 2), 4);
	assert_int_equal(vqos_policy_find(p, "t1"), 1);
	assert_int_equal(vqos_policy_find(p, "nope"), VQOS_POLICY_NONE);
	assert_int_equal(vqos_policy_class(p, 2)->line, 7);
	assert_null(vqos_policy_class(p, 5));
	/* ids are unique, and follow the names: the same in rx */
	for (uint32_t i = 0; i < 5; i++)
		for (uint32_t j = i + 1; j < 5; j++)
			assert_int_not_equal(k[i].id, k[j].id);
	{
		struct vqos_policy *q = build_ok(RX(ROOT LEAVES), VQOS_POLICY_RX);

		assert_int_equal(vqos_policy_params(q)->mode, VQOS_SCHED_PUSH);
		assert_int_equal(vqos_policy_params(q)->classes[0].id, k[0].id);
		vqos_policy_free(q);
	}
	vqos_policy_free(p);
}

struct refusal {
	const char *text;
	enum vqos_policy_dir dir;
	const char *msg;
};

/* Every rule, refused with its message. */
static void test_rules(void **state)
{
	static const struct refusal cases[] = {
		/* names, root, parents, cycles */
		{ TX(ROOT
		     "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; },\n"
		     "{ name = \"l1\"; parent = \"root\"; port = \"c2\"; rate = \"1mbit\"; },\n"),
		  VQOS_POLICY_TX, "class 'l1' (t.conf:7): the name is already used at line 6" },
		{ TX(ROOT "{ name = \"r2\"; rate = \"1mbit\"; },\n"), VQOS_POLICY_TX,
		  "class 'r2' (t.conf:6): a second root (the first is 'root'): give it a parent" },
		{ TX(ROOT
		     "{ name = \"l1\"; parent = \"nope\"; port = \"c1\"; rate = \"1mbit\"; },\n"),
		  VQOS_POLICY_TX, "class 'l1' (t.conf:6): parent 'nope' does not exist" },
		{ TX(ROOT "{ name = \"a\"; parent = \"b\"; rate = \"1mbit\"; },\n"
			  "{ name = \"b\"; parent = \"a\"; rate = \"1mbit\"; },\n"),
		  VQOS_POLICY_TX,
		  "class 'a' (t.conf:6): is its own ancestor (parent 'b' leads back to it)" },
		{ TX(ROOT "{ name = \"a\"; parent = \"a\"; rate = \"1mbit\"; },\n"), VQOS_POLICY_TX,
		  "class 'a' (t.conf:6): is its own ancestor (parent 'a' leads back to it)" },
		{ TX("{ name = \"a\"; parent = \"b\"; rate = \"1mbit\"; },\n"
		     "{ name = \"b\"; parent = \"a\"; rate = \"1mbit\"; },\n"),
		  VQOS_POLICY_TX, "t.conf: tx: no root class (one class must have no parent)" },
		/* ports */
		{ TX(ROOT "{ name = \"t1\"; parent = \"root\"; rate = \"1mbit\"; },\n" LEAVES),
		  VQOS_POLICY_TX, "class 't1' (t.conf:6): is a leaf without a port" },
		{ TX("{ name = \"root\"; port = \"c1\"; rate = \"10mbit\"; },\n" LEAVES),
		  VQOS_POLICY_TX,
		  "class 'root' (t.conf:5): has children, so no port (port 'c1' belongs on a "
		  "leaf)" },
		{ TX(ROOT
		     "{ name = \"x\"; parent = \"root\"; port = \"c9\"; rate = \"1mbit\"; },\n"),
		  VQOS_POLICY_TX, "class 'x' (t.conf:6): port 'c9' does not exist" },
		{ TX(ROOT LEAVES
		     "{ name = \"x\"; parent = \"root\"; port = \"c2\"; rate = \"1mbit\"; },\n"),
		  VQOS_POLICY_TX,
		  "class 'x' (t.conf:9): port 'c2' already has leaf 'l2' (tx takes one leaf per "
		  "port)" },
		{ TX(ROOT LEAF(1) LEAF(2)), VQOS_POLICY_TX,
		  "t.conf: tx: port 'c3' has no leaf class" },
		{ RX(ROOT LEAF(1) LEAF(2)), VQOS_POLICY_RX,
		  "t.conf: rx: port 'c3' has no leaf class" },
		/* values */
		{ TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\";\n"
			  "  prio = 8; },\n" LEAF(2) LEAF(3)),
		  VQOS_POLICY_TX, "class 'l1' (t.conf:6): prio 8 is over 7" },
		{ TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\";\n"
			  "  limit = 0; },\n" LEAF(2) LEAF(3)),
		  VQOS_POLICY_TX, "class 'l1' (t.conf:6): limit 0 is not 1..4294967295" },
		{ TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\";\n"
			  "  quantum = 0; },\n" LEAF(2) LEAF(3)),
		  VQOS_POLICY_TX, "class 'l1' (t.conf:6): quantum 0 is not 1..4294967295 bytes" },
		{ TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\";\n"
			  "  cburst = \"300m\"; },\n" LEAF(2) LEAF(3)),
		  VQOS_POLICY_TX,
		  "class 'l1' (t.conf:6): cburst 314572800 bytes is over 268435456" },
		{ TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\";\n"
			  "  meter = \"trtcm\"; },\n" LEAF(2) LEAF(3)),
		  VQOS_POLICY_TX, "class 'l1' (t.conf:6): meter is for qdisc police, not htb" },
		{ TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\";\n"
			  "  aqm = \"red\"; },\n" LEAF(2) LEAF(3)),
		  VQOS_POLICY_TX, "class 'l1' (t.conf:6): aqm is for qdisc sched, not htb" },
		{ PORTS3 "tx = { qdisc = \"sched\"; classes = (\n" ROOT LEAVES "); };\n",
		  VQOS_POLICY_TX,
		  "t.conf:4: tx: qdisc sched works on rx only (it needs the packets)" },
		/* librte_sched serves one port */
		{ PORTS3 "rx = { qdisc = \"sched\"; classes = (\n" ROOT LEAVES "); };\n",
		  VQOS_POLICY_RX,
		  "class 'l2' (t.conf:7): qdisc sched serves one port per vqosd (librte_sched "
		  "cannot hold back one container's packets); this tree has leaves on ports 'c1', "
		  "'c2', 'c3': use htb" },
		{ PORTS3 "tx = { qdisc = \"police\"; };\n", VQOS_POLICY_TX,
		  "t.conf:4: tx: qdisc police needs classes (only htb and fifo have a default "
		  "tree)" },
		/* rates */
		{ TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; },\n" LEAF(2)
			     LEAF(3)),
		  VQOS_POLICY_TX,
		  "class 'l1' (t.conf:6): no rate: give rate, pps or cps (or several)" },
		{ TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"2mbit\";\n"
			  "  ceil = \"1mbit\"; },\n" LEAF(2) LEAF(3)),
		  VQOS_POLICY_TX, "class 'l1' (t.conf:6): ceil 1mbit is below rate 2mbit" },
		{ TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; pps = \"2kpps\";\n"
			  "  cpps = \"1500pps\"; },\n" LEAF(2) LEAF(3)),
		  VQOS_POLICY_TX, "class 'l1' (t.conf:6): cpps 1500pps is below pps 2kpps" },
		{ PORTS3
		  "tx = { qdisc = \"police\"; classes = (\n"
		  "{ name = \"root\"; },\n"
		  "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; pps = \"1kpps\"; },\n" LEAF(2)
			  LEAF(3) "); };\n",
		  VQOS_POLICY_TX,
		  "class 'l1' (t.conf:6): no rate: a police leaf needs one (the meter's CIR)" },
		/* the kind's own rules come last, with its message */
		{ TX("{ name = \"root\"; rate = \"100tbit\"; },\n" LEAVES), VQOS_POLICY_TX,
		  "class 'root' (t.conf:5): qdisc htb refuses it: burst too large for the rate at "
		  "this clock; set burst" },
		/* each bucket by its keys: the message said burst and rate for all four */
		{ TX("{ name = \"root\"; rate = \"10mbit\"; ceil = \"100tbit\"; },\n" LEAVES),
		  VQOS_POLICY_TX,
		  "class 'root' (t.conf:5): qdisc htb refuses it: cburst too large for the ceil at "
		  "this clock; set cburst" },
		{ TX("{ name = \"root\"; rate = \"100tbit\"; burst = 1600; },\n" LEAVES),
		  VQOS_POLICY_TX,
		  "class 'root' (t.conf:5): qdisc htb refuses it: cburst too large for the ceil "
		  "(the "
		  "rate: no ceil given) at this clock; set cburst" },
		{ TX("{ name = \"root\"; rate = \"10mbit\"; pps = \"5000000000gpps\"; },\n" LEAVES),
		  VQOS_POLICY_TX,
		  "class 'root' (t.conf:5): qdisc htb refuses it: pps too high for a bucket at "
		  "this "
		  "clock" },
		{ TX("{ name = \"root\"; rate = \"10mbit\"; pps = \"1kpps\"; cpps = "
		     "\"5000000000gpps\"; "
		     "},\n" LEAVES),
		  VQOS_POLICY_TX,
		  "class 'root' (t.conf:5): qdisc htb refuses it: cpps too high for a bucket at "
		  "this "
		  "clock" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		print_message("case %zu: %s\n", i, cases[i].msg);
		build_refused(cases[i].text, cases[i].dir, cases[i].msg);
	}
}

/* rx may have several leaves per port; the one without a match is the port's default. */
static void test_rx_leaves(void **state)
{
	struct vqos_policy *p = build_ok(
		RX(ROOT LEAVES "{ name = \"x\"; parent = \"root\"; port = \"c2\"; rate = \"1mbit\";"
			       " match = \"dscp 46\"; },\n"),
		VQOS_POLICY_RX);

	assert_int_equal(vqos_policy_port_leaf(p, 1), 2);
	assert_int_equal(vqos_policy_params(p)->classes[4].port, 1);
	vqos_policy_free(p);
}

/*
 * One port's rx queues hold at most VQOS_SCHED_PORT_BACKLOG_MAX mbufs (its
 * pool is sized for that; limits count a packet's segments): leaves without a limit share what the others
 * leave, up to the default; limits that add up to more are refused; fifo's
 * one queue is bounded the same; tx keeps its limits as given.
 */
#define RX_LEAF(name, extra)                                                                       \
	"{ name = \"" name "\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\"; " extra " },"  \
	"\n"

static void test_port_backlog(void **state)
{
	struct vqos_policy *p = build_ok(
		RX(ROOT LEAF(2) LEAF(3) RX_LEAF("a", "") RX_LEAF("b", "match = \"dscp 1\";")
			   RX_LEAF("c", "match = \"dscp 2\";") RX_LEAF("d", "match = \"dscp 3\";")
				   RX_LEAF("e", "match = \"dscp 4\";")),
		VQOS_POLICY_RX);
	const struct vqos_sched_params *k = vqos_policy_params(p);

	/* five leaves of c1 share 4096; c2's and c3's one leaf get the default */
	for (uint32_t i = 0; i < k->n_classes; i++)
		if (strlen(k->classes[i].name) == 1)
			assert_int_equal(k->classes[i].limit, VQOS_SCHED_PORT_BACKLOG_MAX / 5);
		else if (strcmp(k->classes[i].name, "root") != 0)
			assert_int_equal(k->classes[i].limit, VQOS_SCHED_LIMIT_DEFAULT);
	vqos_policy_free(p);

	/* a limit given takes its room first */
	p = build_ok(RX(ROOT LEAF(2) LEAF(3) RX_LEAF("a", "")
				RX_LEAF("b", "limit = 3500; match = \"dscp 1\";")),
		     VQOS_POLICY_RX);
	k = vqos_policy_params(p);
	for (uint32_t i = 0; i < k->n_classes; i++)
		if (strcmp(k->classes[i].name, "a") == 0)
			assert_int_equal(k->classes[i].limit, VQOS_SCHED_PORT_BACKLOG_MAX - 3500);
	vqos_policy_free(p);

	build_refused(RX(ROOT LEAF(2) LEAF(3) RX_LEAF("a", "limit = 3000;")
				 RX_LEAF("b", "limit = 2000; match = \"dscp 1\";")),
		      VQOS_POLICY_RX,
		      "class 'a' (t.conf:8): the rx leaves of port 'c1' would queue up to 5000 "
		      "mbufs, over the 4096 a port may hold: lower their limits");
	build_refused(RX(ROOT LEAF(2) LEAF(3) RX_LEAF("a", "limit = 4095;")
				 RX_LEAF("b", "match = \"dscp 1\";")),
		      VQOS_POLICY_RX,
		      "class 'a' (t.conf:8): the rx leaves of port 'c1' would queue up to 4127 "
		      "mbufs, over the 4096 a port may hold: lower their limits");
	build_refused(PORTS3 "rx = { qdisc = \"fifo\"; classes = (\n"
			     "{ name = \"root\"; limit = 5000; },\n" LEAVES "); };\n",
		      VQOS_POLICY_RX,
		      "class 'root' (t.conf:5): limit 5000 is over the 4096 mbufs the "
		      "queue of a fifo qdisc may hold");

	/* tx queues nothing: a limit there is kept as given */
	p = build_ok(TX(ROOT LEAF(2) LEAF(3) RX_LEAF("a", "limit = 100000;")), VQOS_POLICY_TX);
	k = vqos_policy_params(p);
	for (uint32_t i = 0; i < k->n_classes; i++)
		if (strcmp(k->classes[i].name, "a") == 0)
			assert_int_equal(k->classes[i].limit, 100000);
	vqos_policy_free(p);
}

/* A chain of @p levels classes, the last a leaf of c1, c2 and c3 under the root. */
static void chain(char *buf, size_t len, int levels)
{
	int off = snprintf(buf, len, "%s", PORTS3 "tx = { classes = (\n" ROOT);

	for (int l = 2; l <= levels; l++) {
		char parent[16] = "root";

		if (l > 2)
			snprintf(parent, sizeof(parent), "n%d", l - 1);
		off += snprintf(buf + off, len - (size_t)off,
				"{ name = \"n%d\"; parent = \"%s\"; rate = \"1mbit\";%s },\n", l,
				parent, l == levels ? " port = \"c1\";" : "");
	}
	snprintf(buf + off, len - (size_t)off, "%s); };\n", LEAF(2) LEAF(3));
}

/* 8 levels are taken, 9 refused. */
static void test_depth(void **state)
{
	char text[4096];
	struct vqos_policy *p;

	chain(text, sizeof(text), 8);
	p = build_ok(text, VQOS_POLICY_TX);
	assert_int_equal(vqos_policy_n_classes(p), 10);
	vqos_policy_free(p);
	chain(text, sizeof(text), 9);
	build_refused(text, VQOS_POLICY_TX,
		      "class 'n9' (t.conf:13): is at level 9: a tree has at most 8 levels");
}

/* Admission control, per parent, per unit; overcommit per parent. */
static void test_admission(void **state)
{
	struct vqos_policy *p;

	/* an exact fit is taken */
	p = build_ok(TX("{ name = \"root\"; rate = \"3mbit\"; },\n" LEAVES), VQOS_POLICY_TX);
	vqos_policy_free(p);
	build_refused(TX("{ name = \"root\"; rate = \"2999999bit\"; },\n" LEAVES), VQOS_POLICY_TX,
		      "class 'root' (t.conf:5): its children's rates add up to 3mbit, over its "
		      "rate 2999999bit (set overcommit = true to allow)");
	/* overcommit on the root lets its children be promised more */
	p = build_ok(TX("{ name = \"root\"; rate = \"1mbit\"; overcommit = true; },\n" LEAVES),
		     VQOS_POLICY_TX);
	assert_true(vqos_policy_params(p)->allow_overcommit);
	vqos_policy_free(p);
	/* ... but not its grandchildren's: t1 must pay its own */
	build_refused(
		TX("{ name = \"root\"; rate = \"1mbit\"; overcommit = true; },\n"
		   "{ name = \"t1\"; parent = \"root\"; rate = \"1mbit\"; },\n"
		   "{ name = \"l1\"; parent = \"t1\"; port = \"c1\"; rate = \"1mbit\"; },\n"
		   "{ name = \"l2\"; parent = \"t1\"; port = \"c2\"; rate = \"1mbit\"; },\n" LEAF(
			   3)),
		VQOS_POLICY_TX,
		"class 't1' (t.conf:6): its children's rates add up to 2mbit, over its rate 1mbit "
		"(set overcommit = true to allow)");
	/* packets are counted apart from bits */
	build_refused(
		TX("{ name = \"root\"; rate = \"10mbit\"; pps = \"10kpps\"; },\n"
		   "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; pps = \"6kpps\"; },\n"
		   "{ name = \"l2\"; parent = \"root\"; port = \"c2\"; pps = \"5kpps\"; },\n" LEAF(
			   3)),
		VQOS_POLICY_TX,
		"class 'root' (t.conf:5): its children's pps add up to 11kpps, over its pps 10kpps "
		"(set overcommit = true to allow)");
	/* a parent with no packet rate promises no packets: its children's are free */
	p = build_ok(TX(ROOT "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; pps = \"1mpps\"; "
			     "},\n" LEAF(2) LEAF(3)),
		     VQOS_POLICY_TX);
	assert_int_equal(vqos_policy_params(p)->classes[1].rate_pps, 1000000);
	assert_int_equal(vqos_policy_params(p)->classes[1].rate_bps, 0);
	vqos_policy_free(p);
}

/* police and fifo trees; rates mean nothing to fifo. */
static void test_kinds(void **state)
{
	struct vqos_policy *p;

	p = build_ok(PORTS3 "rx = { qdisc = \"police\"; classes = (\n"
			    "{ name = \"root\"; },\n"
			    "{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = \"1mbit\";\n"
			    "  ceil = \"2mbit\"; meter = \"trtcm\"; mark = true; },\n" LEAF(2)
				    LEAF(3) "); };\n",
		     VQOS_POLICY_RX);
	assert_string_equal(vqos_policy_ops(p)->name, "police");
	assert_int_equal(vqos_policy_params(p)->classes[1].meter, VQOS_METER_TRTCM);
	assert_true(vqos_policy_params(p)->classes[1].mark);
	vqos_policy_free(p);
	p = build_ok(PORTS3 "tx = { qdisc = \"fifo\"; classes = (\n"
			    "{ name = \"all\"; limit = 256; },\n"
			    "{ name = \"a\"; parent = \"all\"; port = \"c1\"; },\n"
			    "{ name = \"b\"; parent = \"all\"; port = \"c2\"; },\n"
			    "{ name = \"c\"; parent = \"all\"; port = \"c3\"; }); };\n",
		     VQOS_POLICY_TX);
	assert_false(vqos_policy_is_default(p));
	assert_int_equal(vqos_policy_params(p)->classes[0].limit, 256);
	vqos_policy_free(p);
}

/* Parts for two lcores: split classes get shares of their rates by their
 * leaves' rates in each part, and the shares add up to the whole. */
static void test_part(void **state)
{
	struct vqos_policy *p = build_ok(tenants, VQOS_POLICY_TX);
	const uint32_t a[] = { 2, 0 }, b[] = { 1 }, twice[] = { 1, 1 }, bad[] = { 3 };
	struct vqos_policy_slice x = { 0 }, y = { 0 };
	struct vqos_sched_error se;

	assert_int_equal(vqos_policy_part(p, a, 2, &x), 0);
	assert_int_equal(vqos_policy_part(p, b, 1, &y), 0);
	/* x: root, t1, c1, c3; y: root, t1, c2 */
	assert_int_equal(x.params.n_classes, 4);
	assert_int_equal(x.params.n_ports, 2);
	assert_int_equal(y.params.n_classes, 3);
	assert_int_equal(x.index[2], 2);
	assert_int_equal(x.index[3], 4);
	/* the part's port 0 is c3, its port 1 is c1 */
	assert_int_equal(x.classes[3].port, 0);
	assert_int_equal(x.classes[2].port, 1);
	assert_int_equal(x.leaf_of_port[0], 3);
	assert_int_equal(x.leaf_of_port[1], 2);
	assert_int_equal(y.leaf_of_port[0], 2);
	/* root 10g over leaves 1g + 3g (x) and 2g (y) of 6g */
	assert_true(x.classes[0].rate_bps == 6666666667ull);
	assert_true(y.classes[0].rate_bps == 3333333333ull);
	/* t1 4g/10g over c1 1g (x) and c2 2g (y) */
	assert_true(x.classes[1].rate_bps == 1333333333ull);
	assert_true(x.classes[1].ceil_bps == 3333333333ull);
	assert_true(y.classes[1].rate_bps == 2666666667ull);
	assert_true(y.classes[1].ceil_bps == 6666666667ull);
	/* leaves go whole: c1 keeps its pps and bursts */
	assert_true(x.classes[2].rate_bps == 1000000000ull);
	assert_true(x.classes[2].rate_pps == 100000);
	assert_true(x.classes[2].burst == vqos_policy_params(p)->classes[2].burst);
	/* a root of 0 pkt/s stays "no pkt/s limit" */
	assert_true(x.classes[0].rate_pps == 0);
	x.params.clock_hz = y.params.clock_hz = 1000000000;
	assert_int_equal(vqos_sched_check_tree(&x.params, &se), 0);
	assert_int_equal(vqos_sched_check_tree(&y.params, &se), 0);
	vqos_policy_slice_fini(&x);
	vqos_policy_slice_fini(&y);
	assert_int_equal(vqos_policy_part(p, twice, 2, &x), -EINVAL);
	assert_int_equal(vqos_policy_part(p, bad, 1, &x), -EINVAL);
	/* no port: an empty part */
	assert_int_equal(vqos_policy_part(p, NULL, 0, &x), 0);
	assert_int_equal(x.params.n_classes, 0);
	vqos_policy_slice_fini(&x);
	vqos_policy_free(p);

	/* the unshaped default: 2 of 3 equal leaves */
	p = build_ok(PORTS3, VQOS_POLICY_RX);
	assert_int_equal(vqos_policy_part(p, a, 2, &x), 0);
	assert_true(x.classes[0].rate_bps == 66666666667ull);
	assert_true(x.classes[1].rate_bps == VQOS_POLICY_UNSHAPED_BPS);
	vqos_policy_slice_fini(&x);
	vqos_policy_free(p);
}

/* One port's slice: its leaves and their ancestors, on a one-port tree. */
/* A rate near 2^64 shared over parts: each part's share is at most the
 * whole, never a wrapped cast (a double of 2^64 cast to uint64_t is
 * undefined; on x86 it came out 0, then 1 bit/s). */
static void test_part_huge_rate(void **state)
{
	struct vqos_policy *p = build_ok(
		PORTS3
		"tx = { qdisc = \"fifo\"; classes = (\n"
		"{ name = \"root\"; rate = \"18446744073709551615bit\"; overcommit = true; },\n"
		"{ name = \"l1\"; parent = \"root\"; port = \"c1\"; rate = "
		"\"18446744073709551615bit\"; },\n"
		"{ name = \"l2\"; parent = \"root\"; port = \"c2\"; },\n"
		"{ name = \"l3\"; parent = \"root\"; port = \"c3\"; }); };\n",
		VQOS_POLICY_TX);
	const uint32_t one[] = { 0 }, others[] = { 1, 2 };
	struct vqos_policy_slice s = { 0 };

	/* c1's part holds all the root's weight: all of its rate */
	assert_int_equal(vqos_policy_part(p, one, 1, &s), 0);
	assert_true(s.classes[0].rate_bps == UINT64_MAX);
	vqos_policy_slice_fini(&s);
	/* the others' part holds none of it: the least rate that is set */
	assert_int_equal(vqos_policy_part(p, others, 2, &s), 0);
	assert_true(s.classes[0].rate_bps == 1);
	vqos_policy_slice_fini(&s);
	vqos_policy_free(p);
}

static void test_slice(void **state)
{
	struct vqos_policy *p = build_ok(tenants, VQOS_POLICY_TX);
	struct vqos_policy_slice s = { 0 };
	struct vqos_sched_error se;

	assert_int_equal(vqos_policy_slice(p, 1, &s), 0);
	assert_int_equal(s.params.n_classes, 3);
	assert_int_equal(s.params.n_ports, 1);
	assert_ptr_equal(s.params.classes, s.classes);
	assert_int_equal(s.index[0], 0);
	assert_int_equal(s.index[1], 1);
	assert_int_equal(s.index[2], 3);
	assert_string_equal(s.classes[2].name, "c2");
	assert_int_equal(s.classes[2].port, 0);
	assert_int_equal(s.classes[2].parent, s.classes[1].id);
	s.params.clock_hz = 1000000000;
	assert_int_equal(vqos_sched_check_tree(&s.params, &se), 0);
	vqos_policy_slice_fini(&s);
	vqos_policy_slice_fini(&s);
	assert_int_equal(vqos_policy_slice(p, 3, &s), -EINVAL);
	assert_int_equal(vqos_policy_leaf_of_port(p)[2], 4);
	vqos_policy_free(p);

	/* qdisc sched: a tree of one port, whose slice is all of it */
	p = build_ok(PORT1 "rx = { qdisc = \"sched\"; classes = (\n" ROOT LEAF(1) "); };\n",
		     VQOS_POLICY_RX);
	assert_int_equal(vqos_policy_slice(p, 0, &s), 0);
	assert_int_equal(s.params.n_classes, 2);
	assert_int_equal(s.params.n_ports, 1);
	s.params.clock_hz = 1000000000;
	assert_int_equal(vqos_sched_check_tree(&s.params, &se), 0);
	vqos_policy_slice_fini(&s);
	vqos_policy_free(p);
}

static void test_api_edges(void **state)
{
	struct vqos_conf *conf = conf_ok(PORTS3);
	struct vqos_policy *p = NULL;
	char err[128] = "";

	assert_int_equal(vqos_policy_build(NULL, VQOS_POLICY_TX, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no configuration, output or direction");
	assert_int_equal(vqos_policy_build(conf, VQOS_POLICY_TX, NULL, NULL, 0), -EINVAL);
	assert_int_equal(vqos_policy_build(conf, (enum vqos_policy_dir)2, &p, NULL, 0), -EINVAL);
	assert_null(p);
	vqos_conf_free(conf);
}

/* Every shipped file builds in both directions. */
static void test_shipped_files(void **state)
{
	const char *dir = VQOS_SOURCE_DIR "/conf/examples";
	struct dirent *e;
	int built = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct vqos_conf *conf = NULL;
		char path[PATH_MAX];
		char err[512] = "";

		if (n < 5 || strcmp(e->d_name + n - 5, ".conf") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (vqos_conf_load_file(path, &conf, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		for (int dr = 0; dr < 2; dr++) {
			struct vqos_policy *p = NULL;

			print_message("building %s %s\n", path, dr ? "rx" : "tx");
			if (vqos_policy_build(conf, (enum vqos_policy_dir)dr, &p, err,
					      sizeof(err)) != 0)
				fail_msg("%s", err);
			vqos_policy_free(p);
		}
		vqos_conf_free(conf);
		built++;
	}
	closedir(d);
	assert_true(built >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_tree),   cmocka_unit_test(test_default_bursts),
		cmocka_unit_test(test_build),	       cmocka_unit_test(test_sched_one_port),
		cmocka_unit_test(test_rules),	       cmocka_unit_test(test_rx_leaves),
		cmocka_unit_test(test_depth),	       cmocka_unit_test(test_admission),
		cmocka_unit_test(test_kinds),	       cmocka_unit_test(test_part),
		cmocka_unit_test(test_slice),	       cmocka_unit_test(test_api_edges),
		cmocka_unit_test(test_shipped_files),  cmocka_unit_test(test_port_backlog),
		cmocka_unit_test(test_part_huge_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
