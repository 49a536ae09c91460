/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * htb on a simulated nanosecond clock: no EAL, exact, fast.
 *
 * Every worked example writes its expected shares out from HTB's rules:
 * first each class's own rate, then the spare of the nearest ancestor that
 * has some, by prio, then by quantum.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "htb.h"
#include "sim.h"
#include "htb_test.h"

static void expect_share(const struct sim_flow *f, uint64_t window, double want_mbit, double tol)
{
	double got = sim_mbit(f, window);

	print_message("  leaf %u: %.3f Mbit/s, expected %.3f\n", f->leaf, got, want_mbit);
	assert_true(fabs(got - want_mbit) <= tol * want_mbit);
}

/* A root and one leaf below it (index 1), both of @p rate bit/s (or packets/s
 * with @p pps), pulled. */
static struct vqos_qdisc *one_class(uint64_t rate, bool pps)
{
	struct vqos_sched_class_params c[2];

	memset(c, 0, sizeof(c));
	c[0].id = 1;
	c[0].parent = VQOS_SCHED_NO_PARENT;
	c[1].id = 2;
	c[1].parent = 1;
	for (int i = 0; i < 2; i++) {
		if (pps)
			c[i].rate_pps = rate;
		else
			c[i].rate_bps = rate;
	}
	return make(c, 2, VQOS_SCHED_PULL);
}

/* ---- accuracy: one backlogged class, 10 simulated seconds ---- */

/*
 * Pull mode, one grant per millisecond step, charging what the grant allows.
 * The rate is measured from the second grant to the last one, so the bucket's
 * initial burst does not count; steps quantize time to 1 ms in 10 s (0.01%).
 */
static double measure_rate(uint64_t rate, bool pps, uint32_t size)
{
	struct vqos_qdisc *q = one_class(rate, pps);
	struct vqos_sched_grant g;
	uint64_t first = UINT64_MAX, last = 0, units = 0;

	vqos_sched_wake(q, 1);
	for (uint64_t now = 0; now < 10 * SIM_S; now += SIM_MS) {
		while (vqos_sched_grant(q, now, UINT32_MAX, &g)) {
			uint64_t n = sim_grant_pkts(&g, size);

			q->ops->charge_count(q, &g, (uint32_t)n, n * size, now, true);
			if (first == UINT64_MAX) {
				first = now;
				continue;
			}
			units += pps ? n : n * size * 8;
			last = now;
		}
	}
	destroy(q);
	return (double)units / ((double)(last - first) / SIM_HZ);
}

/* Rates: 1 Mbit/s .. 100 Gbit/s, or 1 kpps .. 100 Mpps, in decades. */
static void accuracy_sweep(uint64_t lowest, bool pps)
{
	static const uint32_t sizes[] = { 64, 512, 1500, 9000 };

	for (uint64_t rate = lowest; rate <= lowest * 100000; rate *= 10) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			double got = measure_rate(rate, pps, sizes[s]);
			double err = got / (double)rate - 1;

			print_message("  %llu %s, %u B: %.6f%%\n", (unsigned long long)rate,
				      pps ? "pkt/s" : "bit/s", sizes[s], err * 100);
			assert_true(fabs(err) < 0.005);
		}
	}
}

static void test_accuracy_bps(void **state)
{
	accuracy_sweep(1000000, false);
}

static void test_accuracy_pps(void **state)
{
	accuracy_sweep(1000, true);
}

/*
 * Every 1 s window, as the tx data path takes grants: it dequeues up to
 * g.pkts frames from the container's vring, whose sizes it learns only
 * after (it does not look at g.bytes). One root+leaf class at @p rate bit/s,
 * always backlogged with @p size-byte frames, served every 10 us for 10 s;
 * what leaves in every 1 ms is counted, and every window of 1000 ms from
 * the second second on (the first drains the burst), at every 1 ms phase,
 * must carry rate x 1 s within 0.2% (issue 15).
 */
static double worst_window_tx(uint64_t rate, uint32_t size)
{
	enum { MS = 10000, WIN = 1000 };
	static uint64_t per_ms[MS];
	struct vqos_qdisc *q = one_class(rate, false);
	struct vqos_sched_grant g;
	double worst = 0;
	uint64_t sum = 0;

	memset(per_ms, 0, sizeof(per_ms));
	vqos_sched_wake(q, 1);
	for (uint64_t now = 0; now < MS * SIM_MS; now += 10000) {
		while (vqos_sched_grant(q, now, 32, &g)) {
			q->ops->charge_count(q, &g, g.pkts, (uint64_t)g.pkts * size, now, true);
			per_ms[now / SIM_MS] += (uint64_t)g.pkts * size * 8;
		}
	}
	destroy(q);
	for (unsigned i = WIN; i < WIN + WIN; i++)
		sum += per_ms[i];
	for (unsigned i = WIN;; i++) {
		double err = (double)sum / (double)rate - 1;

		if (fabs(err) > fabs(worst))
			worst = err;
		if (i + WIN >= MS)
			break;
		sum += per_ms[i + WIN] - per_ms[i];
	}
	return worst;
}

static void test_window_accuracy_tx_grants(void **state)
{
	static const struct {
		uint64_t rate;
		uint32_t size;
	} cases[] = { { 1 * MBIT, 64 },
		      { 10 * MBIT, 512 },
		      { 100 * MBIT, 1500 },
		      { 1000 * MBIT, 1500 },
		      { 1 * MBIT, 1500 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double worst = worst_window_tx(cases[i].rate, cases[i].size);

		print_message("  %llu bit/s, %u B: worst 1 s window %+.4f%%\n",
			      (unsigned long long)cases[i].rate, cases[i].size, 100 * worst);
		/* 1 Mbit/s of 1500 B frames: 83 a second, one is 1.2% of a
		 * window: the bound is one frame there */
		assert_true(fabs(worst) <= 0.002 ||
			    fabs(worst) * (double)cases[i].rate <= 8.0 * cases[i].size * 1.0001);
	}
}

/* The same with real mbufs through enqueue and dequeue, at rates small
 * enough to move every packet. */
static void test_accuracy_push(void **state)
{
	static const struct {
		double mbit;
		uint32_t size;
	} cases[] = { { 1, 64 }, { 1, 9000 }, { 10, 1500 }, { 50, 64 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vqos_sched_class_params c[2] = {
			sim_class(1, VQOS_SCHED_NO_PARENT, "root", cases[i].mbit, 0),
			sim_class(2, 1, "a", cases[i].mbit, 0),
		};
		struct sim_flow f = { .leaf = 1, .size = cases[i].size };
		struct vqos_qdisc *q = make(c, 2, VQOS_SCHED_PUSH);

		/* a 9000-byte packet is 7% of 1 Mbit/s for 1 s: measure from
		 * the first departure after warm-up to the end, whole packets */
		sim_push(q, &f, 1, 100000, 0, SIM_S, 11 * SIM_S);
		expect_share(&f, 10 * SIM_S, cases[i].mbit,
			     0.005 + (double)cases[i].size * 8 / (cases[i].mbit * MBIT * 10));
		assert_int_equal(f.reorders, 0);
		destroy(q);
	}
}

/* ---- worked examples (tests/sched/examples.c) ---- */

/* Run example @p ex in @p mode: 1 s warm-up, then 5 s measured. The qdisc is
 * returned for a closer look. */
static struct vqos_qdisc *run_example(const struct sim_example *ex, uint8_t mode)
{
	struct vqos_sched_class_params c[SIM_EXAMPLE_CLASSES];
	struct sim_flow f[SIM_EXAMPLE_FLOWS];
	struct vqos_qdisc *q;

	memcpy(c, ex->classes, sizeof(c));
	memcpy(f, ex->flows, sizeof(f));
	print_message(" %s (%s)\n", ex->name, mode == VQOS_SCHED_PUSH ? "push" : "pull");
	q = make(c, ex->n_classes, mode);
	if (mode == VQOS_SCHED_PUSH)
		sim_push(q, f, ex->n_flows, 100000, 0, SIM_S, 6 * SIM_S);
	else
		sim_pull(q, f, ex->n_flows, 100000, 0, SIM_S, 6 * SIM_S);
	for (unsigned i = 0; i < ex->n_flows; i++)
		expect_share(&f[i], 5 * SIM_S, ex->want_mbit[i], 0.01);
	return q;
}

/* Every worked example, fed both ways. */
static void test_worked_examples(void **state)
{
	for (unsigned i = 0; i < sim_n_examples; i++) {
		destroy(run_example(&sim_examples[i], VQOS_SCHED_PUSH));
		destroy(run_example(&sim_examples[i], VQOS_SCHED_PULL));
	}
}

/* The counters tell who lent and who borrowed in the nearest-ancestor
 * example: a1 sent on its own rate and borrowed from T1 and from the root. */
static void test_lend_borrow_counters(void **state)
{
	const struct sim_example *ex = sim_example("nearest ancestor");
	struct vqos_sched_class_stats a1, t1, t2, root;
	struct vqos_qdisc *q = run_example(ex, VQOS_SCHED_PUSH);

	q->ops->stats(q, 2, 6 * SIM_S, &a1);
	q->ops->stats(q, 1, 6 * SIM_S, &t1);
	q->ops->stats(q, 4, 6 * SIM_S, &t2);
	q->ops->stats(q, 0, 6 * SIM_S, &root);
	assert_true(a1.lends > 0 && a1.borrows > 0);
	assert_true(t1.lends > 0 && root.lends > 0);
	assert_true(a1.overlimits > 0);
	/* every packet is lent by exactly one class of its path */
	assert_int_equal(a1.packets, a1.lends + a1.borrows);
	assert_int_equal(a1.borrows, t1.lends + root.lends - t2.borrows);
	/* a parent counts what its children sent (a2 is idle) */
	assert_int_equal(t1.packets, a1.packets);
	assert_int_equal(root.packets, t1.packets + t2.packets);
	destroy(q);
}

/* A ceil hit is a class that can neither send nor borrow: a leaf that
 * borrows from its parent is over its rate (tc's overlimits) but not held,
 * so `port show`'s shaped, and the policy verdict, stay quiet for it. */
static void test_ceil_hits_not_borrowing(void **state)
{
	struct vqos_sched_class_params c[3] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 100),
		sim_class(2, 1, "A", 10, 100),
		sim_class(3, 1, "B", 10, 100),
	};
	struct sim_flow f[1] = { { .leaf = 1, .offered_mbit = 50, .size = 1000 } };
	struct vqos_sched_class_stats a, root;
	struct vqos_qdisc *q = make(c, 3, VQOS_SCHED_PUSH);

	/* A alone at 50 of its ceil 100: it borrows, nothing holds it */
	sim_push(q, f, 1, 100000, 0, SIM_S, 3 * SIM_S);
	expect_share(&f[0], 2 * SIM_S, 50, 0.01);
	q->ops->stats(q, 1, 3 * SIM_S, &a);
	q->ops->stats(q, 0, 3 * SIM_S, &root);
	assert_true(a.overlimits > 0 && a.borrows > 0);
	assert_int_equal(a.ceil_hits, 0);
	assert_int_equal(root.ceil_hits, 0);
	/* offered more than its ceil: now its ceil holds it */
	f[0].offered_mbit = 0;
	f[0].bytes = f[0].pkts = 0;
	sim_push(q, f, 1, 100000, 3 * SIM_S, 4 * SIM_S, 6 * SIM_S);
	expect_share(&f[0], 2 * SIM_S, 100, 0.01);
	q->ops->stats(q, 1, 6 * SIM_S, &a);
	q->ops->stats(q, 0, 6 * SIM_S, &root);
	assert_true(a.ceil_hits + root.ceil_hits > 0);
	destroy(q);
}

/* The "ceil" example in 100 ms windows: A never sends more than its ceil
 * for the window plus its cburst plus the one packet that may overdraw. */
static void test_ceil_never_exceeded(void **state)
{
	const struct sim_example *ex = sim_example("ceil");
	struct vqos_sched_class_params c[SIM_EXAMPLE_CLASSES];
	struct sim_flow f[SIM_EXAMPLE_FLOWS];
	uint64_t window = 100 * SIM_MS, prev = 0;
	struct vqos_qdisc *q;

	memcpy(c, ex->classes, sizeof(c));
	memcpy(f, ex->flows, sizeof(f));
	c[1].cburst = 6000;
	q = make(c, ex->n_classes, VQOS_SCHED_PUSH);
	for (uint64_t t = 0; t < 50; t++) {
		sim_push(q, f, ex->n_flows, 100000, t * window, 0, (t + 1) * window);
		assert_true(f[0].bytes - prev <= c[1].ceil_bps / 8 / 10 + 6000 + 1500);
		prev = f[0].bytes;
	}
	expect_share(&f[0], 5 * SIM_S, ex->want_mbit[0], 0.01);
	destroy(q);
}

/* An idle class that wakes up gets at most its burst at once (plus the one
 * packet that may start on the last token), then at most its cburst. */
static void test_burst_bounded(void **state)
{
	struct vqos_sched_class_stats st;
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "parent", 100, 100),
		sim_class(2, 1, "A", 10, 10),
	};
	struct rte_mbuf *pkts[64];
	struct vqos_qdisc *q;
	uint32_t n;

	c[0].burst = c[0].cburst = 1000000;
	c[1].burst = c[1].cburst = 15000;
	q = make(c, 2, VQOS_SCHED_PUSH);
	for (uint32_t i = 0; i < 60; i++) {
		struct rte_mbuf *m = sim_mbuf(1500, i);

		assert_int_equal(vqos_sched_enqueue(q, 1, &m, 1, 0), 1);
	}
	/* idle for 2 s: the bucket holds 15000 bytes, not 2 s of rate */
	n = vqos_sched_dequeue(q, 2 * SIM_S, pkts, NULL, 64);
	assert_int_equal(n, 15000 / 1500 + 1);
	sim_free(pkts, n);
	assert_int_equal(vqos_sched_dequeue(q, 2 * SIM_S, pkts, NULL, 64), 0);
	/* tc's tokens and ctokens: the last packet went 1500 bytes into debt,
	 * and 1 ms later 1250 bytes of it are repaid */
	q->ops->stats(q, 1, 2 * SIM_S, &st);
	assert_int_equal(st.tokens, -1500);
	assert_int_equal(st.ctokens, -1500);
	q->ops->stats(q, 1, 2 * SIM_S + SIM_MS, &st);
	assert_int_equal(st.tokens, -250);
	assert_int_equal(st.backlog_pkts, 60 - 11);
	assert_int_equal(st.overlimits, 1);
	vqos_sched_destroy(q);

	/* with ceil 100: burst 15000 on its rate, then cburst 30000 in all */
	c[1].ceil_bps = 100 * MBIT;
	c[1].cburst = 30000;
	q = make(c, 2, VQOS_SCHED_PUSH);
	for (uint32_t i = 0; i < 60; i++) {
		struct rte_mbuf *m = sim_mbuf(1500, i);

		vqos_sched_enqueue(q, 1, &m, 1, 0);
	}
	n = vqos_sched_dequeue(q, 2 * SIM_S, pkts, NULL, 64);
	assert_int_equal(n, 30000 / 1500 + 1);
	sim_free(pkts, n);
	destroy(q);
}

/*
 * 256 leaves with default bursts under a saturated root: rate C/2 and ceil C
 * each, C = 200 Mbit/s / 256 = 0.78 Mbit/s, the root's rate the sum of the
 * ceils, every leaf offered 2 C in 256-byte frames (pull mode, 100 us
 * passes). Each must get its ceil within 1% over 2 s after a 1 s warm-up. A
 * padding of a whole batch of frames (51 KB, half a second of C) let leaves
 * that came out of a wait with full buckets take the root's tokens from the
 * others: some got 71%, some 125% of C.
 */
static void test_default_burst_saturated_root(void **state)
{
	enum { LEAVES = 256 };
	static struct vqos_sched_class_params c[LEAVES + 1];
	static struct sim_flow f[LEAVES];
	double ceil_mbit = 200.0 / LEAVES, lo = 2, hi = 0;
	struct vqos_qdisc *q;

	c[0] = sim_class(1, VQOS_SCHED_NO_PARENT, "root", 200, 200);
	for (uint32_t i = 1; i <= LEAVES; i++) {
		c[i] = sim_class(i + 1, 1, "leaf", ceil_mbit / 2, ceil_mbit);
		f[i - 1] =
			(struct sim_flow){ .leaf = i, .size = 256, .offered_mbit = 2 * ceil_mbit };
	}
	q = make(c, LEAVES + 1, VQOS_SCHED_PULL);
	sim_pull(q, f, LEAVES, 100000, 0, SIM_S, 3 * SIM_S);
	for (uint32_t i = 0; i < LEAVES; i++) {
		double r = sim_mbit(&f[i], 2 * SIM_S) / ceil_mbit;

		lo = r < lo ? r : lo;
		hi = r > hi ? r : hi;
	}
	print_message("  delivered / ceil: %.4f .. %.4f\n", lo, hi);
	assert_true(lo >= 0.99 && hi <= 1.01);
	destroy(q);
}

/*
 * The root at its ceiling (half what 256 leaves offer), the leaves
 * borrowing: a leaf regains a frame of its own rate now and then, and sits
 * in the bottom row, but every grant needs the root's ceil. Each leaf
 * must still get its equal share, the root exactly its ceiling; and a
 * dequeue while the root's ceil is short must not look at the leaves one
 * by one (it did: about as many looks as leaves per poll that gave
 * nothing), so looks per packet stay near one.
 */
static void test_root_at_ceiling_skips_leaves(void **state)
{
	enum { LEAVES = 256 };
	static struct vqos_sched_class_params c[LEAVES + 1];
	static struct sim_flow f[LEAVES];
	double share = 200.0 / LEAVES, lo = 2, hi = 0, total = 0;
	uint64_t pkts = 0;
	struct vqos_htb *h;
	struct vqos_qdisc *q;

	c[0] = sim_class(1, VQOS_SCHED_NO_PARENT, "root", 200, 200);
	for (uint32_t i = 1; i <= LEAVES; i++) {
		c[i] = sim_class(i + 1, 1, "leaf", share / 2, 200);
		f[i - 1] = (struct sim_flow){ .leaf = i, .size = 256, .offered_mbit = 2 * share };
	}
	q = make(c, LEAVES + 1, VQOS_SCHED_PULL);
	h = (struct vqos_htb *)q;
	sim_pull(q, f, LEAVES, 100000, 0, SIM_S, 3 * SIM_S);
	for (uint32_t i = 0; i < LEAVES; i++) {
		double r = sim_mbit(&f[i], 2 * SIM_S) / share;

		lo = r < lo ? r : lo;
		hi = r > hi ? r : hi;
		total += sim_mbit(&f[i], 2 * SIM_S);
		pkts += f[i].pkts;
	}
	print_message(
		"  delivered / share: %.4f .. %.4f, root %.3f Mbit/s; %.2f looks per packet\n", lo,
		hi, total, (double)h->looks / (double)pkts);
	assert_true(fabs(total - 200) < 0.01 * 200);
	assert_true(h->looks <= pkts);
	destroy(q);
}

/*
 * What bench_sched's root-at-ceiling cases do, on the simulated clock: a
 * flat tree of @p leaves under a 1 Gbit/s root, every leaf backlogged with
 * 64-byte packets (each one put back as it leaves), the leaves' rates adding
 * up to @p guar_pct of the root, ceil = root, and a poll every 100 ns (five
 * per packet time). Counts, per packet released over the last 10 ms of
 * @p ms: classes pick() looked at, grants sized and heap operations.
 */
struct ceiling_work {
	double visits, looks, heap_ops, mbit;
};

static struct ceiling_work ceiling_case(uint32_t leaves, unsigned guar_pct, uint64_t ms)
{
	struct vqos_sched_class_params *c = calloc(leaves + 1, sizeof(*c));
	uint64_t end = ms * SIM_MS, from = end - 10 * SIM_MS, pkts = 0, v0 = 0, l0 = 0, h0 = 0;
	struct ceiling_work w;
	struct vqos_htb *h;
	struct vqos_qdisc *q;

	assert_non_null(c);
	c[0] = sim_class(1, VQOS_SCHED_NO_PARENT, "root", 1000, 1000);
	for (uint32_t i = 1; i <= leaves; i++)
		c[i] = sim_class(i + 1, 1, "leaf", 1000.0 * guar_pct / 100 / leaves, 1000);
	q = make(c, leaves + 1, VQOS_SCHED_PUSH);
	h = (struct vqos_htb *)q;
	free(c);
	for (uint32_t i = 1; i <= leaves; i++)
		for (uint32_t k = 0; k < 2; k++) {
			struct rte_mbuf *m = sim_mbuf(64, k);

			assert_int_equal(vqos_sched_enqueue(q, i, &m, 1, 0), 1);
		}
	for (uint64_t now = 0; now < end; now += 100) {
		struct rte_mbuf *out[32];
		uint32_t lv[32], got;

		if (now == from) {
			v0 = h->visits;
			l0 = h->looks;
			h0 = h->heap_ops;
		}
		got = vqos_sched_dequeue(q, now, out, lv, 32);
		for (uint32_t i = 0; i < got; i++)
			assert_int_equal(vqos_sched_enqueue(q, lv[i], &out[i], 1, now), 1);
		if (now >= from)
			pkts += got;
	}
	assert_true(pkts > 0);
	w.visits = (double)(h->visits - v0) / (double)pkts;
	w.looks = (double)(h->looks - l0) / (double)pkts;
	w.heap_ops = (double)(h->heap_ops - h0) / (double)pkts;
	w.mbit = (double)pkts * 64 * 8 / 0.01 / MBIT;
	print_message("  %u leaves, %u%%: %.1f Mbit/s; per packet %.2f classes looked at, %.2f "
		      "grants sized, %.2f heap operations\n",
		      leaves, guar_pct, w.mbit, w.visits, w.looks, w.heap_ops);
	destroy(q);
	return w;
}

/*
 * The root at its ceiling over leaves that send on their own rates (their
 * guarantees add up to the root's) or borrow: the root must deliver its
 * ceiling, and the work per packet must not grow with the leaves. It did:
 * a grant that took the root's last tokens was followed, in the same
 * dequeue, by a walk of the whole bottom row, each leaf skipped for the
 * root's ceil: about as many classes looked at per packet as leaves.
 */
static void test_root_at_ceiling_work_per_packet(void **state)
{
	static const uint32_t sizes[] = { 64, 1024 };
	static const unsigned guars[] = { 100, 1 };

	for (unsigned g = 0; g < 2; g++)
		for (unsigned s = 0; s < 2; s++) {
			struct ceiling_work w = ceiling_case(sizes[s], guars[g], 30);

			assert_true(fabs(w.mbit - 1000) < 0.02 * 1000);
			assert_true(w.visits <= 4);
			assert_true(w.looks <= 4);
			assert_true(w.heap_ops <= 8);
		}
}

/* ---- packet rates ---- */

/* A root of @p root_mbit over a leaf of @p leaf_mbit (ceil @p leaf_ceil) and
 * 10 kpps; the leaf offered @p size-byte packets must get @p want_pps. */
static void pps_case(double root_mbit, double leaf_mbit, double leaf_ceil, uint8_t mode,
		     uint32_t size, double want_pps)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", root_mbit, 0),
		sim_class(2, 1, "A", leaf_mbit, leaf_ceil),
	};
	struct sim_flow f = { .leaf = 1, .size = size };
	struct vqos_qdisc *q;
	double pps;

	c[1].rate_pps = c[1].ceil_pps = 10000;
	q = make(c, 2, mode);
	if (mode == VQOS_SCHED_PUSH)
		sim_push(q, &f, 1, 100000, 0, SIM_S, 6 * SIM_S);
	else
		sim_pull(q, &f, 1, 100000, 0, SIM_S, 6 * SIM_S);
	pps = (double)f.pkts / 5;
	print_message("  %u B: %.1f pkt/s, expected %.1f\n", size, pps, want_pps);
	assert_true(fabs(pps - want_pps) < 0.005 * want_pps);
	destroy(q);
}

/* One class limited to 100 Mbit/s and 10 kpps: at 64 bytes the packet rate
 * binds (10 kpps = 5.12 Mbit/s); at 1500 bytes the bit rate (8333 pkt/s). */
static void test_pps_and_bps_same_class(void **state)
{
	pps_case(1000, 100, 100, VQOS_SCHED_PULL, 64, 10000);
	pps_case(1000, 100, 100, VQOS_SCHED_PULL, 1500, 100e6 / 12000);
}

/* Limits on different levels: the root allows 10 Mbit/s, the leaf 10 kpps.
 * 64 bytes: the leaf's 10 kpps binds (5.12 Mbit/s); 1500 bytes: the root's
 * 10 Mbit/s binds (833 pkt/s). */
static void test_pps_and_bps_levels(void **state)
{
	pps_case(10, 1, 10, VQOS_SCHED_PUSH, 64, 10000);
	pps_case(10, 1, 10, VQOS_SCHED_PUSH, 1500, 10e6 / 12000);
}

/* ---- queues ---- */

/* Three leaves of different packet sizes borrowing from one parent: each
 * leaf's packets come out in the order they went in. */
static void test_no_reordering(void **state)
{
	struct vqos_sched_class_params c[4] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "parent", 100, 100),
		sim_class(2, 1, "A", 10, 100),
		sim_class(3, 1, "B", 20, 100),
		sim_class(4, 1, "C", 30, 60),
	};
	struct sim_flow f[3] = { { .leaf = 1, .size = 64 },
				 { .leaf = 2, .size = 9000 },
				 { .leaf = 3, .size = 1500, .offered_mbit = 70 } };
	struct vqos_qdisc *q = make(c, 4, VQOS_SCHED_PUSH);

	sim_push(q, f, 3, 50000, 0, 0, 2 * SIM_S);
	for (int i = 0; i < 3; i++) {
		assert_true(f[i].pkts > 100);
		assert_int_equal(f[i].reorders, 0);
	}
	destroy(q);
}

/* Dequeue leaf 1 of @p q until it is empty, a millisecond at a time, each
 * packet's sequence number the one after the last's from 0; how many. */
static uint32_t dequeue_in_order(struct vqos_qdisc *q)
{
	struct rte_mbuf *pkts[32];
	uint32_t n, total = 0;

	while ((n = vqos_sched_dequeue(q, (total + 1) * SIM_MS, pkts, NULL, 32)) > 0) {
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(pkts[i]->hash.usr, total + i);
		total += n;
		sim_free(pkts, n);
	}
	return total;
}

static void test_queue_limit_drops(void **state)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 0),
		sim_class(2, 1, "A", 100, 0),
	};
	struct rte_mbuf *pkts[25];
	struct vqos_sched_class_stats st;
	struct vqos_qdisc *q;
	uint32_t kept;

	c[1].limit = 10;
	q = make(c, 2, VQOS_SCHED_PUSH);
	for (uint32_t i = 0; i < 25; i++)
		pkts[i] = sim_mbuf(100, i);
	kept = vqos_sched_enqueue(q, 1, pkts, 25, 0);
	assert_int_equal(kept, 10);
	/* the dropped ones are the tail, left to the caller */
	assert_int_equal(pkts[10]->hash.usr, 10);
	sim_free(pkts + kept, 25 - kept);
	q->ops->stats(q, 1, 0, &st);
	assert_int_equal(st.drops, 15);
	assert_int_equal(st.backlog_pkts, 10);
	assert_int_equal(st.backlog_bytes, 1000);
	assert_int_equal(dequeue_in_order(q), 10);
	q->ops->stats(q, 1, SIM_S, &st);
	assert_int_equal(st.backlog_pkts, 0);
	assert_int_equal(st.packets, 10);
	destroy(q);
}

/*
 * The limit counts mbufs: a leaf of the default limit (1024) offered
 * 9000-byte frames in five 2 KB mbufs each holds 204 of them (1020 mbufs),
 * not 1024 (5120 mbufs, five times what a port's pool is sized for); a
 * frame that does not fit is dropped, a one-mbuf frame behind it still
 * fits. Every mbuf out of the pool is queued or in the caller's hands.
 */
static void test_queue_limit_mbufs(void **state)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 0),
		sim_class(2, 1, "A", 100, 0),
	};
	struct rte_mbuf *pkts[32];
	struct vqos_sched_class_stats st;
	struct vqos_qdisc *q = make(c, 2, VQOS_SCHED_PUSH);
	uint32_t seq = 0, kept = 0, dropped = 0, n, total = 0;

	while (seq < 320) {
		for (uint32_t i = 0; i < 32; i++)
			pkts[i] = sim_chain(9000, 5, seq++);
		n = vqos_sched_enqueue(q, 1, pkts, 32, 0);
		/* the kept in order in front, the dropped behind them */
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(pkts[i]->hash.usr, kept + i);
		kept += n;
		dropped += 32 - n;
		sim_free(pkts + n, 32 - n);
		/* what is queued is all that is out of the pool */
		assert_true(sim_mbufs_out() - mbufs_before <= VQOS_SCHED_LIMIT_DEFAULT);
	}
	assert_int_equal(kept, VQOS_SCHED_LIMIT_DEFAULT / 5);
	assert_int_equal(sim_mbufs_out() - mbufs_before, kept * 5);
	/* 4 mbufs left: no 5-segment frame fits, single ones do */
	pkts[0] = sim_chain(9000, 5, seq++);
	for (uint32_t i = 1; i < 6; i++)
		pkts[i] = sim_mbuf(64, seq++);
	assert_int_equal(vqos_sched_enqueue(q, 1, pkts, 6, 0), 4);
	assert_int_equal(pkts[0]->hash.usr, 321);
	assert_int_equal(pkts[3]->hash.usr, 324);
	sim_free(pkts + 4, 2);
	assert_int_equal(sim_mbufs_out() - mbufs_before, VQOS_SCHED_LIMIT_DEFAULT);
	q->ops->stats(q, 1, 0, &st);
	assert_int_equal(st.backlog_pkts, kept + 4);
	assert_int_equal(st.drops, dropped + 2);
	/* what leaves gives its mbufs back to the limit */
	while ((n = vqos_sched_dequeue(q, (total + 1) * SIM_MS, pkts, NULL, 32)) > 0) {
		total += n;
		sim_free(pkts, n);
	}
	assert_int_equal(total, kept + 4);
	pkts[0] = sim_chain(9000, 5, seq++);
	assert_int_equal(vqos_sched_enqueue(q, 1, pkts, 1, SIM_S), 1);
	destroy(q);
}

/* A limit that change() lowers below what is queued keeps nothing more until the
 * queue drains below it (the room left was computed as limit - queued, an
 * unsigned wrap that let a burst past the ring's end). */
static void test_queue_limit_lowered(void **state)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 0),
		sim_class(2, 1, "A", 100, 0),
	};
	struct rte_mbuf *pkts[64];
	struct vqos_sched_error err;
	struct vqos_qdisc *q;

	c[1].limit = 64;
	q = make(c, 2, VQOS_SCHED_PUSH);
	for (uint32_t i = 0; i < 64; i++)
		pkts[i] = sim_mbuf(100, i);
	assert_int_equal(vqos_sched_enqueue(q, 1, pkts, 64, 0), 64);
	c[1].limit = 8;
	assert_int_equal(q->ops->change(q, &c[1], 0, &err), 0);
	for (uint32_t i = 0; i < 64; i++)
		pkts[i] = sim_mbuf(100, 64 + i);
	assert_int_equal(vqos_sched_enqueue(q, 1, pkts, 64, 0), 0);
	sim_free(pkts, 64);
	assert_int_equal(dequeue_in_order(q), 64);
	destroy(q);
}

/* drain() hands back every queued packet, each leaf's in order, whatever
 * the rates (1 Mbit/s and a 100-byte root burst would hold most back). */
static void test_drain(void **state)
{
	struct vqos_sched_class_params c[4] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 1, 1),
		sim_class(2, 1, "A", 0.3, 1),
		sim_class(3, 1, "B", 0.3, 1),
		sim_class(4, 1, "C", 0.3, 1),
	};
	struct vqos_sched_class_stats st;
	struct vqos_qdisc *q;

	c[0].burst = c[0].cburst = 100;
	q = make(c, 4, VQOS_SCHED_PUSH);
	assert_int_equal(sim_drain_check(q), 30);
	q->ops->stats(q, 1, SIM_S, &st);
	assert_int_equal(st.backlog_pkts, 0);
	assert_int_equal(st.backlog_bytes, 0);
	destroy(q);
}

/* A port whose vring is full parks its leaves; the other port goes on. */
static void test_room_per_port(void **state)
{
	struct vqos_sched_class_params c[3] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 100),
		sim_class(2, 1, "p0", 50, 100),
		sim_class(3, 1, "p1", 50, 100),
	};
	struct vqos_sched_params p = sim_params(c, 3, VQOS_SCHED_PUSH);
	struct rte_mbuf *pkts[64];
	uint32_t leaves[64], n;
	struct vqos_qdisc *q = NULL;

	for (int i = 0; i < 3; i++)
		c[i].burst = c[i].cburst = 1000000;
	c[2].port = 1;
	p.n_ports = 2;
	assert_int_equal(vqos_htb_ops.create(&p, &q, NULL), 0);
	for (uint32_t i = 0; i < 20; i++) {
		struct rte_mbuf *m[2] = { sim_mbuf(100, i), sim_mbuf(100, i) };

		vqos_sched_enqueue(q, 1, &m[0], 1, 0);
		vqos_sched_enqueue(q, 2, &m[1], 1, 0);
	}
	vqos_sched_set_room(q, 0, 0);
	n = vqos_sched_dequeue(q, 0, pkts, leaves, 64);
	assert_int_equal(n, 20);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(leaves[i], 2);
	sim_free(pkts, n);
	vqos_sched_set_room(q, 0, 5);
	n = vqos_sched_dequeue(q, 0, pkts, leaves, 64);
	assert_int_equal(n, 5);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(leaves[i], 1);
	sim_free(pkts, n);
	vqos_sched_set_room(q, 0, UINT32_MAX);
	n = vqos_sched_dequeue(q, 0, pkts, leaves, 64);
	assert_int_equal(n, 15);
	sim_free(pkts, n);
	destroy(q);
}

/* ---- next_event: what a sleeping data path waits for ---- */

/* Nothing woken: nothing to wait for; woken with tokens: now; charged dry
 * (more == false): nothing again. */
static void test_next_event_pull(void **state)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 10, 0),
		sim_class(2, 1, "a", 10, 0),
	};
	struct vqos_qdisc *q = make(c, 2, VQOS_SCHED_PULL);
	struct vqos_sched_grant g;
	uint64_t next;
	int wakes;

	assert_true(vqos_sched_next_event(q, 0) == UINT64_MAX);
	vqos_sched_wake(q, 1);
	assert_true(vqos_sched_next_event(q, 5) <= 5);
	/* spend the bucket: the class waits for its tokens */
	while (vqos_sched_grant(q, 0, 32, &g))
		q->ops->charge_count(q, &g, g.pkts, (uint64_t)g.pkts * 1500, 0, true);
	/* root and leaf both wait in the heap: the first key may be early
	 * (the other class still blocks), never late, and the second wake
	 * at the latest grants */
	next = vqos_sched_next_event(q, 0);
	for (wakes = 1; wakes <= 2; wakes++) {
		assert_true(next > 0 && next != UINT64_MAX);
		assert_false(vqos_sched_grant(q, next - 1, 32, &g));
		if (vqos_sched_grant(q, next, 32, &g))
			break;
		next = vqos_sched_next_event(q, next);
	}
	assert_true(wakes <= 2);
	q->ops->charge_count(q, &g, 0, 0, next, false);
	assert_true(vqos_sched_next_event(q, next) == UINT64_MAX);
	destroy(q);
}

/* Push: a queue with tokens goes now; one out of tokens names the tick its
 * packet may go; one whose port has no room waits for the caller. */
static void test_next_event_push(void **state)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 1, 0),
		sim_class(2, 1, "a", 1, 0),
	};
	struct vqos_qdisc *q = make(c, 2, VQOS_SCHED_PUSH);
	struct rte_mbuf *pkts[64];
	uint32_t leaves[64], n = 0;
	uint64_t next;

	assert_true(vqos_sched_next_event(q, 0) == UINT64_MAX);
	for (uint32_t i = 0; i < 40; i++) {
		struct rte_mbuf *m = sim_mbuf(1500, i);

		assert_int_equal(vqos_sched_enqueue(q, 1, &m, 1, 0), 1);
	}
	assert_true(vqos_sched_next_event(q, 0) <= 0);
	n = vqos_sched_dequeue(q, 0, pkts, leaves, 64);
	assert_true(n > 0 && n < 40);
	sim_free(pkts, n);
	next = vqos_sched_next_event(q, 0);
	assert_true(next > 0 && next != UINT64_MAX);
	assert_int_equal(vqos_sched_dequeue(q, next - 1, pkts, leaves, 64), 0);
	/* a second later there are tokens, but the port has no room */
	vqos_sched_set_room(q, 0, 0);
	n = vqos_sched_dequeue(q, SIM_S, pkts, leaves, 64);
	assert_int_equal(n, 0);
	assert_true(vqos_sched_next_event(q, SIM_S) == UINT64_MAX);
	vqos_sched_set_room(q, 0, UINT32_MAX);
	assert_true(vqos_sched_next_event(q, SIM_S) <= SIM_S);
	n = vqos_sched_dequeue(q, SIM_S, pkts, leaves, 64);
	assert_true(n > 0);
	sim_free(pkts, n);
	destroy(q);
}

/* One class, woken only at next_event(): the rates stay exact, no wake is
 * late, and the loop never has to poll. */
static void test_next_event_accuracy(void **state)
{
	static const uint32_t sizes[] = { 64, 1500, 9000 };

	for (uint64_t rate = 1000000; rate <= 100000000; rate *= 100) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			struct sim_flow f = { .leaf = 1, .size = sizes[s] };
			struct sim_wakes w;
			struct vqos_qdisc *q = one_class(rate, false);
			double got;

			sim_pull_events(q, &f, 1, 0, SIM_S, 6 * SIM_S, &w);
			got = sim_mbit(&f, 5 * SIM_S) * MBIT;
			print_message("  %llu bit/s, %u B: %.4f%%, %llu wakes, %llu empty\n",
				      (unsigned long long)rate, sizes[s],
				      (got / (double)rate - 1) * 100, (unsigned long long)w.wakes,
				      (unsigned long long)w.empty);
			/* whole packets in a 5 s window: one more or less */
			assert_true(fabs(got / (double)rate - 1) <
				    0.005 + (double)sizes[s] * 8 / ((double)rate * 5));
			assert_int_equal(w.late, 0);
			assert_int_equal(w.early, 0);
			destroy(q);
		}
	}
}

/* Every worked example, woken only at next_event() or a flow's kick: the
 * same shares as the 100 us poll gives, and no wake is late. */
static void test_next_event_examples(void **state)
{
	for (unsigned e = 0; e < sim_n_examples; e++) {
		const struct sim_example *ex = &sim_examples[e];
		struct vqos_sched_class_params c[SIM_EXAMPLE_CLASSES];
		struct sim_flow f[SIM_EXAMPLE_FLOWS];
		struct sim_wakes w;
		struct vqos_qdisc *q;

		memcpy(c, ex->classes, sizeof(c));
		memcpy(f, ex->flows, sizeof(f));
		q = make(c, ex->n_classes, VQOS_SCHED_PULL);
		sim_pull_events(q, f, ex->n_flows, 0, SIM_S, 3 * SIM_S, &w);
		print_message(" %s: %llu wakes, %llu empty, %llu polls\n", ex->name,
			      (unsigned long long)w.wakes, (unsigned long long)w.empty,
			      (unsigned long long)w.early);
		for (unsigned i = 0; i < ex->n_flows; i++)
			expect_share(&f[i], 2 * SIM_S, ex->want_mbit[i], 0.01);
		assert_int_equal(w.late, 0);
		assert_int_equal(w.early, 0);
		destroy(q);
	}
}

/* ---- change ---- */

static void test_change_class(void **state)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 100),
		sim_class(2, 1, "A", 10, 10),
	};
	struct vqos_sched_class_params bad;
	struct sim_flow f = { .leaf = 1, .size = 1500 };
	struct vqos_sched_error err;
	struct vqos_qdisc *q = make(c, 2, VQOS_SCHED_PULL);

	sim_pull(q, &f, 1, 100000, 0, SIM_S, 3 * SIM_S);
	expect_share(&f, 2 * SIM_S, 10, 0.01);
	c[1].rate_bps = c[1].ceil_bps = 40 * MBIT;
	assert_int_equal(q->ops->change(q, &c[1], 3 * SIM_S, &err), 0);
	/* ceil below rate: refused, and the class keeps running as it was */
	bad = c[1];
	bad.ceil_bps = 20 * MBIT;
	assert_int_equal(q->ops->change(q, &bad, 3 * SIM_S, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "\"A\""));
	/* over the parent's rate: refused */
	bad = c[1];
	bad.rate_bps = bad.ceil_bps = 200 * MBIT;
	assert_int_equal(q->ops->change(q, &bad, 3 * SIM_S, &err), -EINVAL);
	f.bytes = 0;
	sim_pull(q, &f, 1, 100000, 3 * SIM_S, 4 * SIM_S, 6 * SIM_S);
	expect_share(&f, 2 * SIM_S, 40, 0.01);
	destroy(q);
}

/* ---- carry: a new qdisc takes over a running one's token state ---- */

/* Root 100 Mbit/s over A (rate 10, ceil @p ceil_mbit, burst = cburst = 30000
 * bytes) and B (10, 100); A is class 1, or class 2 when @p a_last (carry
 * goes by id, not by index). */
static struct vqos_qdisc *carry_tree_mode(double ceil_mbit, bool a_last, uint8_t mode)
{
	struct vqos_sched_class_params c[3] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 100),
		sim_class(2, 1, "A", 10, ceil_mbit),
		sim_class(3, 1, "B", 10, 100),
	};
	struct vqos_sched_class_params a = c[1];

	a.burst = a.cburst = 30000;
	c[1] = a;
	if (a_last) {
		c[1] = c[2];
		c[2] = a;
	}
	return make(c, 3, mode);
}

/* The same tree in pull mode. */
static struct vqos_qdisc *carry_tree(double ceil_mbit, bool a_last)
{
	return carry_tree_mode(ceil_mbit, a_last, VQOS_SCHED_PULL);
}

/* A runs at its 20 Mbit/s ceil for 1 s, so its buckets are empty; then its
 * ceil changes to 30 by a new qdisc. With carry, the next 10 ms give A only
 * what 30 Mbit/s allows (plus what it had left and one frame of overdraw);
 * without, a fresh 30000-byte cburst more. */
static void test_carry_no_extra_burst(void **state)
{
	struct sim_flow f = { .leaf = 1, .size = 1500 }, fc = { .leaf = 2, .size = 1500 };
	struct sim_flow fn = { .leaf = 2, .size = 1500 };
	struct vqos_qdisc *old = carry_tree(20, false), *with, *without;
	uint64_t t = SIM_S, window = 10 * SIM_MS;
	struct vqos_sched_class_stats st;

	sim_pull(old, &f, 1, 100000, 0, 0, t);
	old->ops->stats(old, 1, t, &st);
	assert_true(st.ctokens < 1500);
	with = carry_tree(30, true);
	without = carry_tree(30, true);
	vqos_sched_carry(with, old, t);
	sim_pull(with, &fc, 1, 100000, t, t, t + window);
	sim_pull(without, &fn, 1, 100000, t, t, t + window);
	print_message("  10 ms after the change: %llu bytes carried, %llu fresh\n",
		      (unsigned long long)fc.bytes, (unsigned long long)fn.bytes);
	assert_true(fc.bytes <=
		    30 * MBIT / 8 / 100 + (uint64_t)(st.ctokens > 0 ? st.ctokens : 0) + 1500);
	assert_true(fn.bytes >= fc.bytes + 30000 - 2 * 1500);
	destroy(old);
	destroy(with);
	destroy(without);
}

/* A overdraws by 30000 bytes (a vring burst past its grant); the new qdisc
 * (ceil 20 -> 30) keeps that debt on both buckets, and A sends again only
 * once the new ceil repaid it: 30000 bytes at 30 Mbit/s, 8 ms. */
static void test_carry_keeps_debt(void **state)
{
	struct vqos_qdisc *old = carry_tree(20, false), *q = carry_tree(30, true);
	struct vqos_qdisc *fresh = carry_tree(30, true);
	struct vqos_sched_class_stats st;
	struct vqos_sched_grant g;
	struct rte_mbuf *pkts[32];
	uint32_t n;

	vqos_sched_wake(old, 1);
	assert_int_equal(vqos_sched_grant(old, 0, 32, &g), 1);
	old->ops->charge_count(old, &g, 40, 60000, 0, true);
	old->ops->stats(old, 1, 0, &st);
	assert_int_equal(st.ctokens, -30000);
	vqos_sched_carry(q, old, 0);
	q->ops->stats(q, 2, 0, &st);
	assert_int_equal(st.tokens, -30000);
	assert_int_equal(st.ctokens, -30000);
	assert_int_equal(st.overlimits, 0);
	vqos_sched_wake(q, 2);
	assert_int_equal(vqos_sched_grant(q, 0, 32, &g), 0);
	assert_int_equal(vqos_sched_grant(q, 8 * SIM_MS - 1, 32, &g), 0);
	assert_int_equal(vqos_sched_grant(q, 8 * SIM_MS, 32, &g), 1);
	assert_int_equal(g.leaf, 2);
	/* without carry the debt is forgotten */
	vqos_sched_wake(fresh, 2);
	assert_int_equal(vqos_sched_grant(fresh, 0, 32, &g), 1);
	destroy(q);
	destroy(fresh);
	/* the same with A's packets moved into the new qdisc before carry
	 * (push mode): carry takes A out of the schedule it was already in */
	q = carry_tree_mode(30, true, VQOS_SCHED_PUSH);
	for (uint32_t i = 0; i < 10; i++) {
		struct rte_mbuf *m = sim_mbuf(1500, i);

		assert_int_equal(vqos_sched_enqueue(q, 2, &m, 1, 0), 1);
	}
	vqos_sched_carry(q, old, 0);
	assert_int_equal(vqos_sched_dequeue(q, 8 * SIM_MS - 1, pkts, NULL, 32), 0);
	n = vqos_sched_dequeue(q, 8 * SIM_MS, pkts, NULL, 32);
	assert_int_equal(n, 1);
	sim_free(pkts, n);
	destroy(q);
	destroy(old);
}

/* ---- bad trees ---- */

static void test_bad_params(void **state)
{
	struct vqos_sched_class_params c[VQOS_SCHED_DEPTH_MAX + 1];

	c[0] = sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 100);
	c[1] = sim_class(2, 1, "A", 20, 10);
	assert_true(sim_refused(&vqos_htb_ops, c, 2, "\"A\"", "ceil"));
	c[1] = sim_class(2, 1, "A", 0, 10);
	assert_true(sim_refused(&vqos_htb_ops, c, 2, "\"A\"", "zero rate"));
	c[1] = sim_class(2, 1, "A", 60, 100);
	c[2] = sim_class(3, 1, "B", 50, 100);
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"B\"", "over its rate"));
	c[2] = sim_class(3, 99, "B", 10, 100);
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"B\"", "unknown parent"));
	c[2] = sim_class(2, 1, "B", 10, 100);
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"B\"", "duplicate id"));
	c[2] = sim_class(3, VQOS_SCHED_NO_PARENT, "B", 10, 100);
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"B\"", "second root"));
	c[2] = sim_class(3, 1, "B", 10, 100);
	c[2].prio = 8;
	assert_true(sim_refused(&vqos_htb_ops, c, 3, "\"B\"", "prio"));
	for (uint32_t i = 1; i <= VQOS_SCHED_DEPTH_MAX; i++)
		c[i] = sim_class(i + 1, i, "deep", 10, 100);
	snprintf(c[VQOS_SCHED_DEPTH_MAX].name, VQOS_SCHED_NAME_MAX, "ninth");
	assert_true(sim_refused(&vqos_htb_ops, c, VQOS_SCHED_DEPTH_MAX + 1, "\"ninth\"",
				"depth over 8"));
	/* depth 8 exactly is fine */
	vqos_sched_destroy(make(c, VQOS_SCHED_DEPTH_MAX, VQOS_SCHED_PUSH));
}

/* The most classes a tree may have: a root, 255 tenants and 69376 leaves;
 * one more is refused. */
static void test_max_classes(void **state)
{
	static struct vqos_sched_class_params c[VQOS_SCHED_CLASSES_MAX + 1];
	struct sim_flow f[2] = { { .leaf = 300, .size = 1000 },
				 { .leaf = VQOS_SCHED_CLASSES_MAX - 1, .size = 1000 } };
	struct vqos_qdisc *q;

	c[0] = sim_class(0, VQOS_SCHED_NO_PARENT, "root", 76500, 76500);
	for (uint32_t i = 1; i < 256; i++)
		c[i] = sim_class(i, 0, "tenant", 300, 76500);
	for (uint32_t i = 256; i <= VQOS_SCHED_CLASSES_MAX; i++)
		c[i] = sim_class(i, i % 255 + 1, "leaf", 1, 1000);
	assert_true(sim_refused(&vqos_htb_ops, c, VQOS_SCHED_CLASSES_MAX + 1, "", "classes"));
	q = make(c, VQOS_SCHED_CLASSES_MAX, VQOS_SCHED_PULL);
	sim_pull(q, f, 2, SIM_MS, 0, SIM_S, 3 * SIM_S);
	expect_share(&f[0], 2 * SIM_S, 1000, 0.01);
	expect_share(&f[1], 2 * SIM_S, 1000, 0.01);
	destroy(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_accuracy_bps, setup),
		cmocka_unit_test_setup(test_accuracy_pps, setup),
		cmocka_unit_test_setup(test_accuracy_push, setup),
		cmocka_unit_test_setup(test_window_accuracy_tx_grants, setup),
		cmocka_unit_test_setup(test_worked_examples, setup),
		cmocka_unit_test_setup(test_lend_borrow_counters, setup),
		cmocka_unit_test_setup(test_ceil_hits_not_borrowing, setup),
		cmocka_unit_test_setup(test_ceil_never_exceeded, setup),
		cmocka_unit_test_setup(test_burst_bounded, setup),
		cmocka_unit_test_setup(test_default_burst_saturated_root, setup),
		cmocka_unit_test_setup(test_root_at_ceiling_skips_leaves, setup),
		cmocka_unit_test_setup(test_root_at_ceiling_work_per_packet, setup),
		cmocka_unit_test_setup(test_pps_and_bps_same_class, setup),
		cmocka_unit_test_setup(test_pps_and_bps_levels, setup),
		cmocka_unit_test_setup(test_no_reordering, setup),
		cmocka_unit_test_setup(test_queue_limit_drops, setup),
		cmocka_unit_test_setup(test_queue_limit_mbufs, setup),
		cmocka_unit_test_setup(test_queue_limit_lowered, setup),
		cmocka_unit_test_setup(test_room_per_port, setup),
		cmocka_unit_test_setup(test_drain, setup),
		cmocka_unit_test_setup(test_next_event_pull, setup),
		cmocka_unit_test_setup(test_next_event_push, setup),
		cmocka_unit_test_setup(test_next_event_accuracy, setup),
		cmocka_unit_test_setup(test_next_event_examples, setup),
		cmocka_unit_test_setup(test_change_class, setup),
		cmocka_unit_test_setup(test_carry_no_extra_burst, setup),
		cmocka_unit_test_setup(test_carry_keeps_debt, setup),
		cmocka_unit_test_setup(test_bad_params, setup),
		cmocka_unit_test_setup(test_max_classes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
