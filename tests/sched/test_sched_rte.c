/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sched (librte_sched) against the worked examples.
 *
 * This binary starts EAL (--no-huge --no-shconf --no-pci --no-telemetry
 * -l 0): librte_sched allocates with rte_zmalloc, frees its drops into a
 * mempool and reads the TSC itself, so there is no simulated clock here. The
 * examples run for 2.5 s of real time each (0.5 s warm-up, 2 s measured);
 * each flow's part of the total must be HTB's within 5%, and the total at
 * least 90% of HTB's (librte_sched loses some of the rate, and the machine
 * is shared).
 *
 * librte_sched's counter reads clear what they read; they are wrapped at link
 * time (-Wl,--wrap) and counted, so a test sees whether stats() calls them.
 */
#define _GNU_SOURCE /* pthread_attr_setaffinity_np */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_sched.h>

#include "sim.h"

static struct rte_mempool *pool;

/* Calls of librte_sched's read-and-clear counter reads, by anyone. */
static unsigned read_and_clear;
/* Tells a stats reader thread to stop. */
static bool reader_stop;

int __real_rte_sched_queue_read_stats(struct rte_sched_port *port, uint32_t queue_id,
				      struct rte_sched_queue_stats *stats, uint16_t *qlen);
int __real_rte_sched_subport_read_stats(struct rte_sched_port *port, uint32_t subport_id,
					struct rte_sched_subport_stats *stats, uint32_t *tc_ov);
int __wrap_rte_sched_queue_read_stats(struct rte_sched_port *port, uint32_t queue_id,
				      struct rte_sched_queue_stats *stats, uint16_t *qlen);
int __wrap_rte_sched_subport_read_stats(struct rte_sched_port *port, uint32_t subport_id,
					struct rte_sched_subport_stats *stats, uint32_t *tc_ov);

int __wrap_rte_sched_queue_read_stats(struct rte_sched_port *port, uint32_t queue_id,
				      struct rte_sched_queue_stats *stats, uint16_t *qlen)
{
	__atomic_fetch_add(&read_and_clear, 1, __ATOMIC_RELAXED);
	return __real_rte_sched_queue_read_stats(port, queue_id, stats, qlen);
}

int __wrap_rte_sched_subport_read_stats(struct rte_sched_port *port, uint32_t subport_id,
					struct rte_sched_subport_stats *stats, uint32_t *tc_ov)
{
	__atomic_fetch_add(&read_and_clear, 1, __ATOMIC_RELAXED);
	return __real_rte_sched_subport_read_stats(port, subport_id, stats, tc_ov);
}

static int eal_up(void **state)
{
	char *argv[] = { "sched_rte", "--no-huge", "--no-shconf", "--no-pci", "--no-telemetry",
			 "-l",	      "0",	   "-m",	  "128",      "--log-level=error",
			 NULL };

	if (rte_eal_init(10, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("sched_rte", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	return pool == NULL ? -1 : 0;
}

static int eal_down(void **state)
{
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}

static struct vqos_qdisc *make(const struct vqos_sched_class_params *c, uint32_t n)
{
	struct vqos_sched_params p = sim_params(c, n, VQOS_SCHED_PUSH);
	struct vqos_sched_error err;
	struct vqos_qdisc *q = NULL;

	p.free_pkts = NULL;
	if (vqos_sched_rte_ops.create(&p, &q, &err) != 0)
		fail_msg("%s", err.msg);
	return q;
}

static void put(struct vqos_qdisc *q, struct sim_flow *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	rte_pktmbuf_append(m, (uint16_t)f->size);
	f->seq++;
	vqos_sched_enqueue(q, f->leaf, &m, 1, 0);
}

/*
 * Offer the flows' load in real time for @p warm + @p secs seconds, keeping
 * at most 32 packets queued per unlimited flow, and count what each leaf got
 * after the warm-up (f->pkts and f->bytes) and was offered in all (f->seq). Returns the part of the measured time this process did
 * not run (gaps over 1 ms between two polls): on a shared machine a stalled
 * run says nothing about librte_sched.
 */
/* Nanoseconds this thread has waited for a CPU (schedstat's run delay),
 * or 0 if the kernel does not say. */
static uint64_t run_delay_ns(void)
{
	unsigned long long run = 0, delay = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f != NULL) {
		if (fscanf(f, "%llu %llu", &run, &delay) != 2)
			delay = 0;
		fclose(f);
	}
	return delay;
}

/*
 * Offer @p f for @p warm then @p secs seconds of real time, counting what
 * comes out in the second part. Returns the share of that part the thread
 * did not run: its gaps over 1 ms, or the kernel's count of the time it
 * waited for a CPU, whichever is more. Many short preemptions cost
 * librte_sched tokens as a long one does once they outlast its bucket (it
 * reads the TSC itself), and only the kernel's count sees them all.
 */
static double run_real(struct vqos_qdisc *q, struct sim_flow *f, unsigned n_flows, double warm,
		       double secs)
{
	uint64_t delay0 = run_delay_ns();
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc(), last = t0;
	uint64_t start = t0 + (uint64_t)(warm * (double)hz), end = start + (uint64_t)(secs * hz);
	int32_t queued[SIM_EXAMPLE_FLOWS] = { 0 };
	struct rte_mbuf *pkts[64];
	uint32_t leaves[64];
	uint64_t stalled = 0;

	for (uint64_t now = t0; now < end; now = rte_rdtsc()) {
		double dt = (double)(now - last) / (double)hz;

		if (now >= start && last < start)
			delay0 = run_delay_ns();
		if (now >= start && now - last > hz / 1000)
			stalled += now - last;
		last = now;
		for (unsigned i = 0; i < n_flows; i++) {
			if (f[i].offered_mbit == 0) {
				for (; queued[i] < 32; queued[i]++)
					put(q, &f[i]);
				continue;
			}
			f[i].credit += f[i].offered_mbit * MBIT / 8 * dt;
			for (; f[i].credit >= f[i].size; f[i].credit -= f[i].size)
				put(q, &f[i]);
		}
		uint32_t n = vqos_sched_dequeue(q, now, pkts, leaves, 64);

		for (uint32_t k = 0; k < n; k++) {
			for (unsigned i = 0; i < n_flows; i++) {
				if (f[i].leaf != leaves[k])
					continue;
				queued[i]--;
				if (now < start)
					continue;
				f[i].bytes += rte_pktmbuf_pkt_len(pkts[k]);
				f[i].pkts++;
			}
		}
		rte_pktmbuf_free_bulk(pkts, n);
	}
	{
		double gaps = (double)stalled / (double)(end - start);
		double waited = (double)(run_delay_ns() - delay0) / 1e9 / secs;

		return waited > gaps ? waited : gaps;
	}
}

/* Each example librte_sched can take gives HTB's shares; the others are
 * refused, with a reason. */
static void test_worked_examples(void **state)
{
	unsigned skipped = 0, mapped = 0;

	for (unsigned e = 0; e < sim_n_examples; e++) {
		const struct sim_example *ex = &sim_examples[e];
		struct sim_flow f[SIM_EXAMPLE_FLOWS];
		double stalled, got[SIM_EXAMPLE_FLOWS], sum_got = 0, sum_want = 0;
		struct vqos_qdisc *q;

		if (!ex->sched_maps) {
			assert_true(sim_refused(&vqos_sched_rte_ops, ex->classes, ex->n_classes, "",
						"class"));
			continue;
		}
		print_message(" %s\n", ex->name);
		mapped++;
		for (int attempt = 0; attempt < 3; attempt++) {
			memcpy(f, ex->flows, sizeof(f));
			q = make(ex->classes, ex->n_classes);
			stalled = run_real(q, f, ex->n_flows, 0.5, 2.0);
			if (stalled < 0.05)
				break;
			print_message("  stalled %.0f%% of the time: again\n", stalled * 100);
			vqos_sched_destroy(q);
			q = NULL;
		}
		if (q == NULL) {
			skipped++;
			continue;
		}
		for (unsigned i = 0; i < ex->n_flows; i++) {
			got[i] = sim_mbit(&f[i], 2 * SIM_S);
			sum_got += got[i];
			sum_want += ex->want_mbit[i];
			print_message("  leaf %u: %.3f Mbit/s, expected %.3f\n", f[i].leaf, got[i],
				      ex->want_mbit[i]);
		}
		/* librte_sched runs on real time on a shared machine: it must
		 * deliver at least 90% in all (less what we were stalled), and
		 * split it as HTB does */
		assert_true(sum_got >= (0.9 - stalled) * sum_want && sum_got <= 1.03 * sum_want);
		for (unsigned i = 0; i < ex->n_flows; i++)
			assert_true(fabs(got[i] / sum_got - ex->want_mbit[i] / sum_want) <=
				    0.05 * ex->want_mbit[i] / sum_want);
		vqos_sched_destroy(q);
	}
	/* a machine too busy for real time is not a verdict on librte_sched */
	if (skipped > 0) {
		print_message(" %u of %u examples stalled three times\n", skipped, mapped);
		skip();
	}
}

/* A pipe profile change at run time: B's ceil from 4 to 8 Mbit/s. */
static void test_change_pipe_profile(void **state)
{
	struct vqos_sched_class_params c[3] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 10, 10),
		sim_class(2, 1, "A", 2, 2),
		sim_class(3, 1, "B", 4, 4),
	};
	struct sim_flow f = { .leaf = 2, .size = 1000 };
	struct vqos_sched_error err;
	struct vqos_qdisc *q = make(c, 3);

	if (run_real(q, &f, 1, 0.2, 0.5) > 0.05) {
		vqos_sched_destroy(q);
		skip(); /* the machine is too busy for real time */
	}
	print_message("  before: %.3f Mbit/s\n", sim_mbit(&f, SIM_S / 2));
	assert_true(fabs(sim_mbit(&f, SIM_S / 2) - 4) < 0.24);
	c[2].rate_bps = c[2].ceil_bps = 8 * MBIT;
	assert_int_equal(q->ops->change(q, &c[2], 0, &err), 0);
	f.bytes = 0;
	if (run_real(q, &f, 1, 0.2, 0.5) > 0.05) {
		vqos_sched_destroy(q);
		skip();
	}
	print_message("  after: %.3f Mbit/s\n", sim_mbit(&f, SIM_S / 2));
	assert_true(fabs(sim_mbit(&f, SIM_S / 2) - 8) < 0.48);
	/* a bad change is refused and B keeps its profile */
	c[2].ceil_bps = 2 * MBIT;
	assert_int_equal(q->ops->change(q, &c[2], 0, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "\"B\""));
	vqos_sched_destroy(q);
}

/* RED drops early on a queue that stays full; PIE is accepted; both at once
 * on one port are not. */
static void test_aqm(void **state)
{
	struct vqos_sched_class_params c[3] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 10, 10),
		sim_class(2, 1, "A", 1, 1),
		sim_class(3, 1, "B", 1, 1),
	};
	struct vqos_sched_class_stats st;
	struct sim_flow f = { .leaf = 1, .size = 1000, .offered_mbit = 20 };
	struct vqos_qdisc *q;

	c[1].aqm = c[2].aqm = VQOS_AQM_RED;
	c[1].limit = c[2].limit = 64;
	q = make(c, 3);
	run_real(q, &f, 1, 0, 0.3);
	q->ops->stats(q, 1, 0, &st);
	print_message("  RED: sent %llu dropped %llu\n", (unsigned long long)st.packets,
		      (unsigned long long)st.drops);
	assert_true(st.drops > 0 && st.packets > 0);
	vqos_sched_destroy(q);
	c[1].aqm = c[2].aqm = VQOS_AQM_PIE;
	vqos_sched_destroy(make(c, 3));
	c[2].aqm = VQOS_AQM_RED;
	assert_true(sim_refused(&vqos_sched_rte_ops, c, 3, "\"B\"", "mix"));
}

/* A packet of @p segs mbufs from the pool, 1800 bytes each: a 9000-byte
 * frame of 5 is what an uplink hands over in 2 KB mbufs. */
static struct rte_mbuf *chain(uint32_t segs)
{
	struct rte_mbuf *head = NULL;

	for (uint32_t i = 0; i < segs; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		assert_non_null(m);
		assert_non_null(rte_pktmbuf_append(m, 1800));
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
	}
	return head;
}

/* Dequeue leaf 1 of @p q until @p want packets came out (or 2 s passed),
 * freeing them; returns how many. */
static uint32_t drain_real(struct vqos_qdisc *q, uint32_t want)
{
	uint64_t end = rte_rdtsc() + 2 * rte_get_tsc_hz();
	struct rte_mbuf *pkts[32];
	uint32_t got = 0;

	while (got < want && rte_rdtsc() < end) {
		uint32_t n = vqos_sched_dequeue(q, 0, pkts, NULL, 32);

		got += n;
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return got;
}

/*
 * The limit counts mbufs here too: librte_sched's queues count packets, so
 * vqos counts the segments of what it hands over. A leaf of limit 64 offered
 * 5-segment frames holds 12 (60 mbufs), then single ones up to 64 mbufs; the
 * rest is dropped and freed. What leaves gives its mbufs back to the limit.
 */
static void test_limit_mbufs(void **state)
{
	struct vqos_sched_class_params c[3] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 1000, 1000),
		sim_class(2, 1, "A", 500, 500),
		sim_class(3, 1, "B", 500, 500),
	};
	struct vqos_sched_class_stats st;
	struct rte_mbuf *pkts[32];
	struct vqos_qdisc *q;
	unsigned int in_use = rte_mempool_in_use_count(pool);

	c[1].limit = c[2].limit = 64;
	q = make(c, 3);
	for (uint32_t i = 0; i < 32; i++)
		pkts[i] = chain(5);
	assert_int_equal(vqos_sched_enqueue(q, 1, pkts, 32, 0), 32);
	assert_int_equal(rte_mempool_in_use_count(pool) - in_use, 60);
	/* a burst of one-mbuf packets takes whatever librte_sched keeps */
	pkts[0] = chain(5);
	for (uint32_t i = 1; i < 6; i++)
		pkts[i] = chain(1);
	assert_int_equal(vqos_sched_enqueue(q, 1, pkts, 6, 0), 6);
	assert_int_equal(rte_mempool_in_use_count(pool) - in_use, 64);
	q->ops->stats(q, 1, 0, &st);
	assert_int_equal(st.backlog_pkts, 16);
	assert_int_equal(st.drops, 22);
	assert_int_equal(drain_real(q, 16), 16);
	assert_int_equal(rte_mempool_in_use_count(pool), in_use);
	for (uint32_t i = 0; i < 12; i++)
		pkts[i] = chain(5);
	vqos_sched_enqueue(q, 1, pkts, 12, 0);
	q->ops->stats(q, 1, 0, &st);
	assert_int_equal(st.backlog_pkts, 12);
	assert_int_equal(drain_real(q, 12), 12);
	vqos_sched_destroy(q);
	assert_int_equal(rte_mempool_in_use_count(pool), in_use);
}

/* A RED leaf offered twice its ceil for 0.3 s of real time, its counters
 * read meanwhile by @p reader (NULL: by nobody) on another thread. */
static struct vqos_qdisc *red_run(struct sim_flow *f, void *(*reader)(void *))
{
	struct vqos_sched_class_params c[3] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 20, 20),
		sim_class(2, 1, "A", 10, 10),
		sim_class(3, 1, "B", 10, 10),
	};
	struct vqos_qdisc *q;
	pthread_attr_t attr;
	cpu_set_t cpus;
	pthread_t tid;

	c[1].aqm = c[2].aqm = VQOS_AQM_RED;
	c[1].limit = c[2].limit = 64;
	q = make(c, 3);
	*f = (struct sim_flow){ .leaf = 1, .size = 100, .offered_mbit = 20 };
	if (reader == NULL) {
		run_real(q, f, 1, 0, 0.3);
		return q;
	}
	/* EAL pinned this thread to lcore 0's CPU: the reader may run on any */
	CPU_ZERO(&cpus);
	for (long i = 0; i < sysconf(_SC_NPROCESSORS_ONLN) && i < CPU_SETSIZE; i++)
		CPU_SET(i, &cpus);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	__atomic_store_n(&reader_stop, false, __ATOMIC_RELAXED);
	assert_int_equal(pthread_create(&tid, &attr, reader, q), 0);
	pthread_attr_destroy(&attr);
	run_real(q, f, 1, 0, 0.3);
	__atomic_store_n(&reader_stop, true, __ATOMIC_RELAXED);
	pthread_join(tid, NULL);
	return q;
}

/* Every packet offered to leaf 1 was sent, dropped or still waits, and the
 * root counts what its one busy leaf does. */
static void expect_exact(struct vqos_qdisc *q, const struct sim_flow *f)
{
	struct vqos_sched_class_stats st, root;

	q->ops->stats(q, 1, 0, &st);
	q->ops->stats(q, 0, 0, &root);
	print_message("  offered %u: sent %llu, dropped %llu, queued %u\n", f->seq,
		      (unsigned long long)st.packets, (unsigned long long)st.drops,
		      st.backlog_pkts);
	assert_true(st.drops > 0);
	assert_int_equal(st.packets, f->pkts);
	assert_int_equal(st.packets + st.drops + st.backlog_pkts, f->seq);
	assert_int_equal(root.packets, st.packets);
	assert_int_equal(root.drops, st.drops);
}

/* stats() only reads: it calls none of librte_sched's read-and-clear
 * counter reads, and two reads with no traffic between agree. */
static void test_stats_read_only(void **state)
{
	struct vqos_sched_class_stats a, b;
	struct sim_flow f;
	struct vqos_qdisc *q = red_run(&f, NULL);

	__atomic_store_n(&read_and_clear, 0, __ATOMIC_RELAXED);
	q->ops->stats(q, 1, 0, &a);
	q->ops->stats(q, 0, 0, &b);
	q->ops->stats(q, 1, 0, &b);
	assert_int_equal(__atomic_load_n(&read_and_clear, __ATOMIC_RELAXED), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	expect_exact(q, &f);
	vqos_sched_destroy(q);
}

/* librte_sched does not say when its buckets refill: while it holds packets
 * for a port with room, next_event() says "now" (the data path polls); when
 * it holds none, or its port has no room, nothing waits for time. */
static void test_next_event(void **state)
{
	struct vqos_sched_class_params c[3] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 20, 20),
		sim_class(2, 1, "A", 10, 10),
		sim_class(3, 1, "B", 10, 10),
	};
	struct vqos_qdisc *q = make(c, 3);
	struct sim_flow f = { .leaf = 1, .size = 100 };
	struct rte_mbuf *pkts[8];
	uint32_t n, got = 0;

	assert_true(vqos_sched_next_event(q, 5) == UINT64_MAX);
	for (int i = 0; i < 4; i++)
		put(q, &f);
	assert_true(vqos_sched_next_event(q, 5) <= 5);
	vqos_sched_set_room(q, 0, 0);
	assert_true(vqos_sched_next_event(q, 5) == UINT64_MAX);
	vqos_sched_set_room(q, 0, UINT32_MAX);
	for (int tries = 0; got < 4 && tries < 1000000; tries++) {
		n = vqos_sched_dequeue(q, 0, pkts, NULL, 8);
		rte_pktmbuf_free_bulk(pkts, n);
		got += n;
	}
	assert_int_equal(got, 4);
	assert_true(vqos_sched_next_event(q, 5) == UINT64_MAX);
	vqos_sched_destroy(q);
}

static void *read_stats_loop(void *arg)
{
	struct vqos_qdisc *q = arg;
	struct vqos_sched_class_stats st;

	while (!__atomic_load_n(&reader_stop, __ATOMIC_RELAXED)) {
		q->ops->stats(q, 1, 0, &st);
		q->ops->stats(q, 0, 0, &st);
	}
	return NULL;
}

/* Drops stay exact while another thread reads the counters all along, as
 * vqosctl and the telemetry thread do while the data path runs. */
static void test_stats_exact_under_readers(void **state)
{
	struct sim_flow f;
	struct vqos_qdisc *q = red_run(&f, read_stats_loop);

	expect_exact(q, &f);
	vqos_sched_destroy(q);
}

/* Trees librte_sched cannot hold, each refused with the rule it breaks. */
static void test_refused(void **state)
{
	struct vqos_sched_class_params c[4] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 10, 10),
		sim_class(2, 1, "G", 5, 5),
		sim_class(3, 2, "g1", 5, 5),
		sim_class(4, 3, "deep", 5, 5),
	};
	struct vqos_sched_params p = sim_params(c, 3, VQOS_SCHED_PULL);
	struct vqos_sched_error err;
	struct vqos_qdisc *q = NULL;

	assert_true(sim_refused(&vqos_sched_rte_ops, c, 4, "\"deep\"", "depth"));
	c[3] = sim_class(4, 1, "flat", 5, 5);
	assert_true(sim_refused(&vqos_sched_rte_ops, c, 4, "\"flat\"", "depth"));
	c[1].ceil_bps = 10 * MBIT;
	assert_true(sim_refused(&vqos_sched_rte_ops, c, 3, "\"G\"", "subport"));
	c[1].ceil_bps = 5 * MBIT;
	c[2].rate_pps = 1000;
	assert_true(sim_refused(&vqos_sched_rte_ops, c, 3, "\"g1\"", "packets"));
	c[2].rate_pps = 0;
	assert_int_equal(vqos_sched_rte_ops.create(&p, &q, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "push"));
	p.mode = VQOS_SCHED_PUSH;
	p.n_ports = 2;
	assert_int_equal(vqos_sched_rte_ops.create(&p, &q, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "one port"));
	assert_null(q);
}

/*
 * vqos_sched_tsc_hz() (sched/clock.c), the clock every htb rate counts in:
 * against the TSC's own rate over 400 ms of CLOCK_MONOTONIC_RAW, within 200
 * parts per million (a tenth of a 1 s window's error budget, 0.2%). EAL's figure,
 * rounded to 10 MHz where the CPU does not state it, may be 0.2% off: it is
 * printed beside, for the record.
 */
static void test_tsc_hz_measured(void **state)
{
	struct timespec a, b, nap = { 0, 400000000L };
	uint64_t t0, t1, hz = vqos_sched_tsc_hz(VQOS_SCHED_TSC_MEASURE_MS);
	double ref, ns;

	/* each clock read between two TSC reads, taken at their middle */
	t0 = rte_rdtsc();
	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	t0 += (rte_rdtsc() - t0) / 2;
	nanosleep(&nap, NULL);
	t1 = rte_rdtsc();
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	t1 += (rte_rdtsc() - t1) / 2;
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	ref = (double)(t1 - t0) / ns * 1e9;
	print_message("measured %llu Hz, reference %.0f Hz, EAL %llu Hz (%+.4f%%)\n",
		      (unsigned long long)hz, ref, (unsigned long long)rte_get_tsc_hz(),
		      100.0 * ((double)rte_get_tsc_hz() / ref - 1));
	assert_true(fabs((double)hz / ref - 1) < 200e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_examples),
		cmocka_unit_test(test_change_pipe_profile),
		cmocka_unit_test(test_aqm),
		cmocka_unit_test(test_limit_mbufs),
		cmocka_unit_test(test_stats_read_only),
		cmocka_unit_test(test_next_event),
		cmocka_unit_test(test_stats_exact_under_readers),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_tsc_hz_measured),
	};

	return cmocka_run_group_tests(tests, eal_up, eal_down);
}
