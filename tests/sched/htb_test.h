/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers of the htb tests (test_htb.c, test_htb_cycles.c): build a tree
 * that must build, and check that a test gave back every mbuf it took.
 * Include after <cmocka.h> and "sim.h".
 */
#ifndef VQOS_TESTS_SCHED_HTB_TEST_H
#define VQOS_TESTS_SCHED_HTB_TEST_H

/* An htb qdisc of @p c[0..n), fed in @p mode; the test fails if it is refused. */
static struct vqos_qdisc *make(struct vqos_sched_class_params *c, uint32_t n, uint8_t mode)
{
	struct vqos_sched_params p = sim_params(c, n, mode);
	struct vqos_sched_error err = { 0 };
	struct vqos_qdisc *q = NULL;
	int rc = vqos_htb_ops.create(&p, &q, &err);

	if (rc != 0)
		fail_msg("create: %d %s", rc, err.msg);
	return q;
}

/* mbufs out before the current test: a failed test may leave some */
static uint32_t mbufs_before;

static int setup(void **state)
{
	mbufs_before = sim_mbufs_out();
	return 0;
}

/* Free @p q: what it still queued, and the test's own, all back. */
static void destroy(struct vqos_qdisc *q)
{
	vqos_sched_destroy(q);
	assert_int_equal(sim_mbufs_out(), mbufs_before);
}

#endif /* VQOS_TESTS_SCHED_HTB_TEST_H */
