/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl/bottleneck.c: each verdict from counters staged by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/vqos_ctl.h"

/* One port's counters in one direction. */
struct dir {
	json_int_t offered, packets, drops, shaped, backlog, uplink_full, vring_full;
};

static json_t *dir_json(const struct dir *d)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "offered", d->offered,
			 "packets", d->packets, "bytes", d->packets * 64, "drops", d->drops,
			 "shaped", d->shaped, "backlog", d->backlog, "uplink_full", d->uplink_full,
			 "vring_full", d->vring_full);
}

static json_t *ports(const struct dir *tx, const struct dir *rx)
{
	return json_pack("[{s:s, s:o, s:o}]", "name", "c1", "tx", dir_json(tx), "rx", dir_json(rx));
}

static json_t *lcores(json_int_t busy, json_int_t idle)
{
	return json_pack("[{s:i, s:I, s:I}]", "lcore", 1, "busy_cycles", busy, "idle_cycles", idle);
}

/* The verdicts for c1 between @p a and @p b over one second, with lcore busy
 * going from 0 to @p busy of 100 cycles. */
static void judge(const struct dir *tx_a, const struct dir *tx_b, const struct dir *rx_a,
		  const struct dir *rx_b, json_int_t busy, const char *want_tx, const char *want_rx)
{
	json_t *pa = ports(tx_a, rx_a), *pb = ports(tx_b, rx_b);
	json_t *la = lcores(0, 0), *lb = lcores(busy, 100 - busy);
	json_t *r = vqos_ctl_bottleneck(pa, la, pb, lb, 1.0);
	json_t *port = json_array_get(json_object_get(r, "ports"), 0);

	assert_string_equal(json_string_value(json_object_get(port, "port")), "c1");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(port, "tx"), "verdict")),
		want_tx);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(port, "rx"), "verdict")),
		want_rx);
	assert_true(json_real_value(json_object_get(r, "lcore_busy_pct")) == (double)busy);
	json_decref(pa);
	json_decref(pb);
	json_decref(la);
	json_decref(lb);
	json_decref(r);
}

static const struct dir zero;

static void test_none(void **state)
{
	struct dir b = { .offered = 1000, .packets = 1000 };

	judge(&zero, &b, &zero, &b, 10, "none", "none");
}

static void test_policy(void **state)
{
	/* tx: shaped with packets waiting in the vring; rx: shaped, queue backlog */
	struct dir tx = { .offered = 500, .packets = 500, .shaped = 40, .backlog = 256 };
	struct dir rx = {
		.offered = 1000, .packets = 500, .shaped = 40, .backlog = 300, .drops = 200
	};

	judge(&zero, &tx, &zero, &rx, 30, "policy", "policy");
}

static void test_shaped_but_nothing_waits_is_not_policy(void **state)
{
	/* a class that ran out once but has no backlog: the sender is the limit */
	struct dir b = { .offered = 100, .packets = 100, .shaped = 1 };

	judge(&zero, &b, &zero, &b, 10, "none", "none");
}

static void test_uplink_full(void **state)
{
	struct dir tx = { .offered = 900, .packets = 880, .uplink_full = 70, .backlog = 256 };

	judge(&zero, &tx, &zero, &zero, 40, "uplink", "none");
}

/* A full uplink or vring that nobody waited for (OVS's PMD or the container
 * lost its CPU for a moment, and caught up) is no bottleneck. */
static void test_full_but_nothing_waits(void **state)
{
	struct dir tx = { .offered = 10000, .packets = 10000, .uplink_full = 9000 };
	struct dir rx = { .offered = 10000, .packets = 10000, .vring_full = 40 };

	judge(&zero, &tx, &zero, &rx, 5, "none", "none");
}

static void test_slow_container(void **state)
{
	struct dir rx = { .offered = 1000, .packets = 300, .vring_full = 90, .drops = 500 };

	judge(&zero, &zero, &zero, &rx, 40, "none", "container");
}

static void test_vqosd_saturated(void **state)
{
	struct dir tx = { .offered = 9000, .packets = 9000, .backlog = 256 };

	judge(&zero, &tx, &zero, &zero, 85, "vqosd", "none");
	/* the same backlog with an idle lcore is the container's own backlog */
	judge(&zero, &tx, &zero, &zero, 50, "backlog", "none");
}

static void test_deltas_not_totals(void **state)
{
	/* a port that was shaped long ago and is not now */
	struct dir a = { .offered = 100, .packets = 100, .shaped = 50, .uplink_full = 9 };
	struct dir b = { .offered = 200, .packets = 200, .shaped = 50, .uplink_full = 9 };

	judge(&a, &b, &a, &b, 10, "none", "none");
}

static void test_vqosd_stalled(void **state)
{
	/* an lcore that lost its CPU (another thread on its core) is no less the limit */
	struct dir tx = { .offered = 900, .packets = 900, .backlog = 256 };
	json_t *pa = ports(&zero, &zero), *pb = ports(&tx, &zero);
	json_t *la = json_pack("[{s:I, s:I, s:I}]", "busy_cycles", (json_int_t)0, "idle_cycles",
			       (json_int_t)0, "stall_cycles", (json_int_t)0);
	json_t *lb = json_pack("[{s:I, s:I, s:I}]", "busy_cycles", (json_int_t)5, "idle_cycles",
			       (json_int_t)5, "stall_cycles", (json_int_t)90);
	json_t *r = vqos_ctl_bottleneck(pa, la, pb, lb, 1.0);
	json_t *port = json_array_get(json_object_get(r, "ports"), 0);

	assert_string_equal(
		json_string_value(json_object_get(json_object_get(port, "tx"), "verdict")),
		"vqosd");
	json_decref(pa);
	json_decref(pb);
	json_decref(la);
	json_decref(lb);
	json_decref(r);
}

/*
 * Busy and stalled mean what `lcore show` says: an idle vqosd whose passes
 * lost their CPU is 0% busy and 52% stalled here too (it once said "56.6%
 * busy" beside lcore show's 0.0% busy, 52.3% stalled); what the verdict
 * weighs, the time not free for work, is their sum with the time it waited
 * for a CPU, and has a name of its own.
 */
static void test_shares_as_lcore_show(void **state)
{
	json_t *pa = ports(&zero, &zero), *pb = ports(&zero, &zero);
	json_t *la = json_pack("[{s:I, s:I, s:I, s:I, s:I}]", "busy_cycles", (json_int_t)0,
			       "idle_cycles", (json_int_t)0, "stall_cycles", (json_int_t)0,
			       "sleep_cycles", (json_int_t)0, "waited_ns", (json_int_t)0);
	json_t *lb = json_pack("[{s:I, s:I, s:I, s:I, s:I}]", "busy_cycles", (json_int_t)0,
			       "idle_cycles", (json_int_t)10, "stall_cycles", (json_int_t)52,
			       "sleep_cycles", (json_int_t)38, "waited_ns", (json_int_t)40000000);
	json_t *r = vqos_ctl_bottleneck(pa, la, pb, lb, 1.0);
	struct vqos_ctl_lcore l;
	const json_t *ev = json_object_get(
		json_object_get(json_array_get(json_object_get(r, "ports"), 0), "tx"), "evidence");

	vqos_ctl_counters_from_json(vqos_ctl_lcore_counters, json_array_get(lb, 0), &l);
	for (int k = 0; k < 2; k++) {
		const json_t *o = k ? ev : r;

		assert_true(json_real_value(json_object_get(o, "lcore_busy_pct")) == 0.0);
		assert_true(json_real_value(json_object_get(o, "lcore_stall_pct")) == 52.0);
		assert_true(json_real_value(json_object_get(o, "lcore_wait_pct")) == 4.0);
		assert_true(json_real_value(json_object_get(o, "lcore_taken_pct")) == 56.0);
	}
	/* the same words as lcore show's, from the same counters */
	for (const struct vqos_ctl_counter *c = vqos_ctl_lcore_counters; c->name != NULL; c++) {
		if (strcmp(c->name, "busy_pct") == 0)
			assert_true(c->derive(&l) == 0.0);
		if (strcmp(c->name, "stall_pct") == 0)
			assert_true(c->derive(&l) == 52.0);
	}
	json_decref(pa);
	json_decref(pb);
	json_decref(la);
	json_decref(lb);
	json_decref(r);
}

/* A sleeping lcore kept off its CPU: its cycles say "asleep", waiting for
 * work, but its thread was ready and waited 0.9 of the 1 s interval for a
 * CPU (schedstat): vqosd is the limit. The same lcore asleep and not kept
 * waiting: the container's own backlog. */
static void test_vqosd_asleep_but_starved(void **state)
{
	struct dir tx = { .offered = 900, .packets = 900, .backlog = 256 };
	json_t *pa = ports(&zero, &zero), *pb = ports(&tx, &zero);
	json_t *la = json_pack("[{s:I, s:I, s:I}]", "busy_cycles", (json_int_t)0, "sleep_cycles",
			       (json_int_t)0, "waited_ns", (json_int_t)0);
	json_t *lb = json_pack("[{s:I, s:I, s:I}]", "busy_cycles", (json_int_t)5, "sleep_cycles",
			       (json_int_t)995, "waited_ns", (json_int_t)900000000);
	json_t *lc = json_pack("[{s:I, s:I, s:I}]", "busy_cycles", (json_int_t)5, "sleep_cycles",
			       (json_int_t)995, "waited_ns", (json_int_t)1000);
	json_t *r = vqos_ctl_bottleneck(pa, la, pb, lb, 1.0);
	json_t *r2 = vqos_ctl_bottleneck(pa, la, pb, lc, 1.0);
	json_t *port = json_array_get(json_object_get(r, "ports"), 0);
	json_t *port2 = json_array_get(json_object_get(r2, "ports"), 0);

	assert_string_equal(
		json_string_value(json_object_get(json_object_get(port, "tx"), "verdict")),
		"vqosd");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(port2, "tx"), "verdict")),
		"backlog");
	json_decref(pa);
	json_decref(pb);
	json_decref(la);
	json_decref(lb);
	json_decref(lc);
	json_decref(r);
	json_decref(r2);
}

/* Two data-path lcores: a port's vqosd verdict rests on the lcore that polls
 * it, not on the average of both. */
static void test_own_lcore(void **state)
{
	const struct dir tx_a = { 0 }, tx_b = { .offered = 500, .packets = 500, .backlog = 256 };
	json_t *pa = json_pack("[{s:s, s:i, s:o, s:o}, {s:s, s:i, s:o, s:o}]", "name", "c1",
			       "lcore", 1, "tx", dir_json(&tx_a), "rx", dir_json(&zero), "name",
			       "c2", "lcore", 2, "tx", dir_json(&tx_a), "rx", dir_json(&zero));
	json_t *pb = json_pack("[{s:s, s:i, s:o, s:o}, {s:s, s:i, s:o, s:o}]", "name", "c1",
			       "lcore", 1, "tx", dir_json(&tx_b), "rx", dir_json(&zero), "name",
			       "c2", "lcore", 2, "tx", dir_json(&tx_b), "rx", dir_json(&zero));
	json_t *la = json_pack("[{s:i, s:I, s:I}, {s:i, s:I, s:I}]", "lcore", 1, "busy_cycles",
			       (json_int_t)0, "idle_cycles", (json_int_t)0, "lcore", 2,
			       "busy_cycles", (json_int_t)0, "idle_cycles", (json_int_t)0);
	json_t *lb = json_pack("[{s:i, s:I, s:I}, {s:i, s:I, s:I}]", "lcore", 1, "busy_cycles",
			       (json_int_t)95, "idle_cycles", (json_int_t)5, "lcore", 2,
			       "busy_cycles", (json_int_t)10, "idle_cycles", (json_int_t)90);
	json_t *r = vqos_ctl_bottleneck(pa, la, pb, lb, 1.0);
	json_t *c1 = json_object_get(json_array_get(json_object_get(r, "ports"), 0), "tx");
	json_t *c2 = json_object_get(json_array_get(json_object_get(r, "ports"), 1), "tx");

	/* c1's lcore is 95% busy: vqosd; c2's 10%: its own backlog */
	assert_string_equal(json_string_value(json_object_get(c1, "verdict")), "vqosd");
	assert_string_equal(json_string_value(json_object_get(c2, "verdict")), "backlog");
	assert_true(json_real_value(json_object_get(json_object_get(c1, "evidence"),
						    "lcore_busy_pct")) == 95.0);
	/* the summary is over both */
	assert_true(json_real_value(json_object_get(r, "lcore_busy_pct")) == 52.5);
	json_decref(pa);
	json_decref(pb);
	json_decref(la);
	json_decref(lb);
	json_decref(r);
}

static void test_new_port_has_no_history(void **state)
{
	json_t *pa = json_array(), *pb = ports(&zero, &zero);
	json_t *la = lcores(0, 0), *lb = lcores(1, 1);
	json_t *r = vqos_ctl_bottleneck(pa, la, pb, lb, 1.0);

	assert_int_equal(json_array_size(json_object_get(r, "ports")), 0);
	json_decref(pa);
	json_decref(pb);
	json_decref(la);
	json_decref(lb);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_shaped_but_nothing_waits_is_not_policy),
		cmocka_unit_test(test_uplink_full),
		cmocka_unit_test(test_full_but_nothing_waits),
		cmocka_unit_test(test_slow_container),
		cmocka_unit_test(test_vqosd_saturated),
		cmocka_unit_test(test_deltas_not_totals),
		cmocka_unit_test(test_vqosd_stalled),
		cmocka_unit_test(test_shares_as_lcore_show),
		cmocka_unit_test(test_vqosd_asleep_but_starved),
		cmocka_unit_test(test_own_lcore),
		cmocka_unit_test(test_new_port_has_no_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
