/* SPDX-License-Identifier: BSD-3-Clause */
/* fifo, the baseline, and the kinds' registry; no EAL. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "sim.h"

static struct vqos_sched_class_params tree[4];

/* root (limit 8) over three leaves on ports 0, 1, 2 */
static struct vqos_qdisc *make(uint8_t mode)
{
	struct vqos_sched_params p = sim_params(tree, 4, mode);
	struct vqos_qdisc *q = NULL;

	tree[0] = sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 0);
	tree[0].limit = 8;
	for (uint32_t i = 1; i < 4; i++) {
		tree[i] = sim_class(i + 1, 1, "leaf", 10, 0);
		tree[i].port = i - 1;
	}
	p.n_ports = 3;
	assert_int_equal(vqos_fifo_ops.create(&p, &q, NULL), 0);
	return q;
}

static void test_kinds(void **state)
{
	assert_ptr_equal(vqos_sched_ops_find("fifo"), &vqos_fifo_ops);
	assert_ptr_equal(vqos_sched_ops_find("htb"), &vqos_htb_ops);
	assert_ptr_equal(vqos_sched_ops_find("police"), &vqos_police_ops);
	assert_null(vqos_sched_ops_find("cbq"));
	vqos_sched_destroy(NULL);
}

/* One queue for all leaves: arrival order out, tail drop at the root's limit
 * counted on the leaf that lost the packet. */
static void test_order_and_limit(void **state)
{
	struct vqos_qdisc *q = make(VQOS_SCHED_PUSH);
	struct rte_mbuf *pkts[12];
	uint32_t leaves[12], n;
	struct vqos_sched_class_stats st;

	for (uint32_t i = 0; i < 12; i++) {
		struct rte_mbuf *m = sim_mbuf(100, i);

		if (vqos_sched_enqueue(q, 1 + i % 3, &m, 1, 0) == 0)
			sim_free(&m, 1);
	}
	q->ops->stats(q, 1, 0, &st);
	assert_int_equal(st.backlog_pkts, 3);
	assert_int_equal(st.drops, 1);
	n = vqos_sched_dequeue(q, 0, pkts, leaves, 12);
	assert_int_equal(n, 8);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(pkts[i]->hash.usr, i);
		assert_int_equal(leaves[i], 1 + i % 3);
	}
	sim_free(pkts, n);
	q->ops->stats(q, 0, 0, &st);
	assert_int_equal(st.packets, 8);
	assert_int_equal(st.bytes, 800);
	vqos_sched_destroy(q);
	assert_int_equal(sim_mbufs_out(), 0);
}

/* The root's limit (8) counts mbufs: a 5-segment frame takes 5 of them, a
 * second does not fit, a 3-segment one behind it does; a limit lowered by
 * change() below what is queued keeps nothing more until it drains. */
static void test_limit_mbufs(void **state)
{
	struct vqos_qdisc *q = make(VQOS_SCHED_PUSH);
	struct rte_mbuf *pkts[4];
	struct vqos_sched_class_stats st;
	struct vqos_sched_error err;

	pkts[0] = sim_chain(9000, 5, 0);
	pkts[1] = sim_chain(9000, 5, 1);
	pkts[2] = sim_chain(6000, 3, 2);
	pkts[3] = sim_mbuf(64, 3);
	assert_int_equal(vqos_sched_enqueue(q, 1, pkts, 4, 0), 2);
	assert_int_equal(pkts[0]->hash.usr, 0);
	assert_int_equal(pkts[1]->hash.usr, 2);
	sim_free(pkts + 2, 2);
	assert_int_equal(sim_mbufs_out(), 8);
	q->ops->stats(q, 1, 0, &st);
	assert_int_equal(st.backlog_pkts, 2);
	assert_int_equal(st.drops, 2);
	tree[0].limit = 4;
	assert_int_equal(q->ops->change(q, &tree[0], 0, &err), 0);
	pkts[0] = sim_mbuf(64, 4);
	assert_int_equal(vqos_sched_enqueue(q, 2, pkts, 1, 0), 0);
	sim_free(pkts, 1);
	assert_int_equal(vqos_sched_dequeue(q, 0, pkts, NULL, 4), 2);
	sim_free(pkts, 2);
	pkts[0] = sim_chain(4000, 4, 5);
	assert_int_equal(vqos_sched_enqueue(q, 2, pkts, 1, 0), 1);
	vqos_sched_destroy(q);
	assert_int_equal(sim_mbufs_out(), 0);
}

/* A head packet whose port has no room blocks the queue: the baseline's
 * head-of-line blocking. Queued packets are freed by destroy. */
static void test_head_of_line(void **state)
{
	struct vqos_qdisc *q = make(VQOS_SCHED_PUSH);
	struct rte_mbuf *pkts[4];

	for (uint32_t i = 0; i < 4; i++) {
		struct rte_mbuf *m = sim_mbuf(100, i);

		vqos_sched_enqueue(q, 1 + i % 2, &m, 1, 0);
	}
	assert_true(vqos_sched_next_event(q, 0) <= 0);
	vqos_sched_set_room(q, 1, 0);
	assert_int_equal(vqos_sched_dequeue(q, 0, pkts, NULL, 4), 1);
	sim_free(pkts, 1);
	/* the head waits for its port's room: nothing to wait for in time */
	assert_true(vqos_sched_next_event(q, 0) == UINT64_MAX);
	vqos_sched_set_room(q, 1, 1);
	assert_true(vqos_sched_next_event(q, 0) <= 0);
	vqos_sched_destroy(q);
	assert_int_equal(sim_mbufs_out(), 0);
}

/* Pull: woken leaves take turns; a leaf whose vring ran dry leaves the round
 * until woken again; a port without room is skipped. */
static void test_pull_round_robin(void **state)
{
	struct vqos_qdisc *q = make(VQOS_SCHED_PULL);
	struct vqos_sched_grant g;
	uint32_t order[6];

	assert_true(vqos_sched_next_event(q, 0) == UINT64_MAX);
	vqos_sched_wake(q, 1);
	vqos_sched_wake(q, 2);
	vqos_sched_wake(q, 3);
	assert_true(vqos_sched_next_event(q, 0) <= 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(vqos_sched_grant(q, 0, 32, &g), 1);
		assert_int_equal(g.pkts, 32);
		order[i] = g.leaf;
		q->ops->charge_count(q, &g, 32, 32 * 64, 0, g.leaf != 2);
	}
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 3);
	assert_int_equal(order[3], 1);
	assert_int_equal(order[4], 3);
	assert_int_equal(order[5], 1);
	vqos_sched_set_room(q, 2, 0);
	assert_int_equal(vqos_sched_grant(q, 0, 32, &g), 1);
	assert_int_equal(g.leaf, 1);
	q->ops->charge_count(q, &g, 1, 64, 0, false);
	assert_int_equal(vqos_sched_grant(q, 0, 32, &g), 0);
	/* only leaf 3 is woken, and its port has no room */
	assert_true(vqos_sched_next_event(q, 0) == UINT64_MAX);
	vqos_sched_set_room(q, 2, 5);
	assert_true(vqos_sched_next_event(q, 0) <= 0);
	assert_int_equal(vqos_sched_grant(q, 0, 32, &g), 1);
	assert_int_equal(g.leaf, 3);
	assert_int_equal(g.pkts, 5);
	vqos_sched_destroy(q);
}

/* drain() hands back the queue in arrival order, rooms or not. */
static void test_drain(void **state)
{
	struct vqos_qdisc *q = make(VQOS_SCHED_PUSH);

	vqos_sched_set_room(q, 0, 0);
	/* the root's limit is 8: 8 of the 30 stay */
	assert_int_equal(sim_drain_check(q), 8);
	vqos_sched_destroy(q);
	assert_int_equal(sim_mbufs_out(), 0);
}

static void test_bad_tree(void **state)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 0, 0),
		sim_class(2, 7, "lost", 0, 0),
	};

	assert_true(sim_refused(&vqos_fifo_ops, c, 2, "\"lost\"", "unknown parent"));
	c[1].parent = 1;
	c[1].port = 3;
	assert_true(sim_refused(&vqos_fifo_ops, c, 2, "\"lost\"", "port 3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_order_and_limit),
		cmocka_unit_test(test_limit_mbufs),
		cmocka_unit_test(test_head_of_line),
		cmocka_unit_test(test_pull_round_robin),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_bad_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
