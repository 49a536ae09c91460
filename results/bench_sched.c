/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_sched: cycles and nanoseconds per packet of enqueue + dequeue through
 * the htb, sched (librte_sched) and fifo qdiscs, bursts of 32.
 *
 * A flat tree: a root of 400 Gbit/s over N leaves (16, 256, 4096, 65536),
 * ceil = root, one prio, equal quanta of 1600 bytes: a tree every kind
 * takes. The root is never the limit at the rates a core reaches, so what is
 * measured is the scheduler's work. Two sets of guarantees: the leaves'
 * rates add up to the root's (100%: htb's leaves stay within their own rate)
 * or to 1% of it (htb's leaves exceed their rate and keep switching between
 * their own rate and borrowing: its event heap and feeds at work; sched and
 * fifo do not look at rates). Either every leaf or 10% of
 * them (every tenth) is backlogged; the packets a dequeue releases go back
 * to their leaves at once (runs of one leaf in one enqueue call), so the
 * backlog stays put. Each packet dequeued is read once (its length), as the
 * data path reads what it copies into a vring: librte_sched touches the
 * mbufs it dequeues, htb and fifo only prefetch them. Each run warms up for 20 ms and is timed for 100 ms of
 * TSC.
 *
 * Then the root at its ceiling: the same trees (leaves' rates 1% of the
 * root, so they borrow, or 100%: each keeps regaining its own rate's
 * tokens, so sits ready in the bottom row, while the root's ceil binds),
 * every leaf backlogged, the root limited to
 * LIMIT_BPS (1 Gbit/s, 1.95 Mpps of 64-byte packets, far less than any kind
 * can move: what the leaves want is several times the root's ceiling). The
 * data path would poll in vain most of the time, so the wall clock is no
 * measure here: the cycles inside the calls are, apart: those of calls that
 * released packets (and the enqueues that put them back), per packet, and
 * those of calls that released nothing, per call. htb's cases without the
 * limit are measured the same way beside them, for the ratio.
 *
 * Usage: bench_sched [OUTDIR [KIND [LEAVES]]] (default results/sched): writes
 * OUTDIR/bench_sched.txt (the table) and OUTDIR/bench_sched.csv, and prints
 * the table; KIND and LEAVES select cases. The machine is shared: each case
 * is timed twice in each of three passes over all cases, and the fastest of
 * the six runs is kept. Starts EAL with --no-huge: librte_sched needs its allocator.
 * It prints figures and asserts nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "sched/vqos_sched.h"

#define BURST	     32
#define ROOT_BPS     400000000000ull
#define PKT_LEN	     64
#define MAX_INFLIGHT 131072u
#define LIMIT_BPS    1000000000ull

struct result {
	const char *kind;
	uint32_t leaves;
	unsigned pct_guaranteed;
	unsigned pct_backlogged;
	uint64_t pkts;
	double cycles_per_pkt, ns_per_pkt, mpps;
	/* cycles inside calls that released packets, per packet; inside
	 * calls that released none, per call; such calls per packet */
	double call_cycles_per_pkt, empty_cycles, empty_per_pkt;
};

static struct rte_mempool *pool;
static volatile uint64_t touched; /* keeps the reads of the packets */

static struct vqos_qdisc *build(const struct vqos_sched_ops *ops, uint32_t n, unsigned guar,
				uint32_t limit, uint64_t hz, uint64_t root_bps)
{
	struct vqos_sched_class_params *c = calloc(n + 1, sizeof(*c));
	struct vqos_sched_params p = {
		.clock_hz = hz,
		.mode = VQOS_SCHED_PUSH,
		.n_ports = 1,
		.classes = c,
		.n_classes = n + 1,
	};
	struct vqos_sched_error err;
	struct vqos_qdisc *q = NULL;

	if (c == NULL)
		return NULL;
	c[0].id = 0;
	c[0].parent = VQOS_SCHED_NO_PARENT;
	c[0].rate_bps = root_bps;
	c[0].limit = MAX_INFLIGHT;
	for (uint32_t i = 1; i <= n; i++) {
		c[i].id = i;
		c[i].parent = 0;
		c[i].rate_bps = root_bps / 100 * guar / n;
		if (c[i].rate_bps == 0)
			c[i].rate_bps = 1;
		c[i].ceil_bps = root_bps;
		c[i].quantum = 1600;
		c[i].limit = limit;
	}
	if (ops->create(&p, &q, &err) != 0)
		fprintf(stderr, "%s, %u leaves: %s\n", ops->name, n, err.msg);
	free(c);
	return q;
}

/* Put @p n packets back on their leaves, a run of one leaf per call. */
static void put_back(struct vqos_qdisc *q, struct rte_mbuf **pkts, const uint32_t *leaves,
		     uint32_t n, uint64_t now)
{
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1, kept;

		while (j < n && leaves[j] == leaves[i])
			j++;
		kept = vqos_sched_enqueue(q, leaves[i], pkts + i, j - i, now);
		if (q->ops != &vqos_sched_rte_ops && kept < j - i)
			rte_pktmbuf_free_bulk(pkts + i + kept, j - i - kept);
		i = j;
	}
}

static int run_case(const struct vqos_sched_ops *ops, uint32_t n, unsigned guar, unsigned pct,
		    uint64_t root_bps, struct result *r)
{
	uint32_t step = pct == 100 ? 1 : 100 / pct, n_busy = (n + step - 1) / step;
	uint32_t per_leaf = MAX_INFLIGHT / n_busy, leaves[BURST];
	uint64_t hz = rte_get_tsc_hz(), t0, t1, start, pkts = 0;
	struct rte_mbuf *burst[BURST];
	struct vqos_qdisc *q;

	per_leaf = per_leaf < 2 ? 2 : per_leaf > 64 ? 64 : per_leaf;
	q = build(ops, n, guar, per_leaf, hz, root_bps);
	if (q == NULL)
		return -EINVAL;
	for (uint32_t leaf = 1; leaf <= n; leaf += step) {
		for (uint32_t k = 0; k < per_leaf; k++) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

			if (m == NULL) {
				vqos_sched_destroy(q);
				return -ENOMEM;
			}
			rte_pktmbuf_append(m, PKT_LEN);
			put_back(q, &m, &leaf, 1, rte_rdtsc());
		}
	}
	r->kind = ops->name;
	r->leaves = n;
	r->pct_guaranteed = guar;
	r->pct_backlogged = pct;
	for (int run = 0; run < 2; run++) {
		uint64_t in_full = 0, in_empty = 0, empty = 0;

		start = rte_rdtsc();
		t0 = start + hz / 50;
		t1 = t0 + hz / 10;
		pkts = 0;
		for (uint64_t now = start; now < t1;) {
			uint32_t got = vqos_sched_dequeue(q, now, burst, leaves, BURST);
			uint64_t after;

			/* the data path reads every packet it is given */
			for (uint32_t i = 0; i < got; i++)
				touched += rte_pktmbuf_pkt_len(burst[i]);
			put_back(q, burst, leaves, got, now);
			after = rte_rdtsc();
			if (now >= t0) {
				pkts += got;
				if (got > 0)
					in_full += after - now;
				else {
					in_empty += after - now;
					empty++;
				}
			}
			now = after;
		}
		/* the run with the cheapest packets: the other lost more to the
		 * machine's other work */
		if (pkts > 0 &&
		    (r->pkts == 0 || (double)in_full / (double)pkts < r->call_cycles_per_pkt)) {
			r->call_cycles_per_pkt = (double)in_full / (double)pkts;
			r->empty_cycles = empty ? (double)in_empty / (double)empty : 0;
			r->empty_per_pkt = (double)empty / (double)pkts;
		}
		if (pkts > r->pkts)
			r->pkts = pkts;
	}
	pkts = r->pkts;
	r->cycles_per_pkt = pkts ? (double)(t1 - t0) / (double)pkts : 0;
	r->ns_per_pkt = r->cycles_per_pkt * 1e9 / (double)hz;
	r->mpps = (double)pkts / ((double)(t1 - t0) / (double)hz) / 1e6;
	vqos_sched_destroy(q);
	return 0;
}

static void print_table(FILE *f, const struct result *r, size_t n, uint64_t hz)
{
	fprintf(f, "bench_sched: enqueue + dequeue, bursts of %d, %d-byte packets, TSC %.2f GHz\n",
		BURST, PKT_LEN, (double)hz / 1e9);
	fprintf(f, "%-6s %7s %11s %11s %12s %10s %8s\n", "kind", "leaves", "guaranteed",
		"backlogged", "cycles/pkt", "ns/pkt", "Mpps");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%-6s %7u %10u%% %10u%% %12.1f %10.2f %8.2f\n", r[i].kind, r[i].leaves,
			r[i].pct_guaranteed, r[i].pct_backlogged, r[i].cycles_per_pkt,
			r[i].ns_per_pkt, r[i].mpps);
}

/* The root at its ceiling, beside htb's own cost without it (@p free). */
static void print_limited(FILE *f, const struct result *r, size_t n, const struct result *free_,
			  size_t n_free)
{
	fprintf(f,
		"\nthe root at its ceiling (%.1f Gbit/s), all leaves backlogged; cycles inside "
		"the calls\n",
		(double)LIMIT_BPS / 1e9);
	fprintf(f, "%-6s %7s %11s %8s %13s %15s %12s %11s %13s\n", "kind", "leaves", "guaranteed",
		"Mpps", "cycles/pkt", "empty polls/pkt", "cyc/empty", "vs sched", "vs htb free");
	for (size_t i = 0; i < n; i++) {
		const struct result *sched = NULL, *own = NULL;

		for (size_t j = 0; j < n; j++)
			if (r[j].leaves == r[i].leaves && strcmp(r[j].kind, "sched") == 0 &&
			    r[j].pct_guaranteed == r[i].pct_guaranteed)
				sched = &r[j];
		for (size_t j = 0; j < n_free; j++)
			if (free_[j].leaves == r[i].leaves &&
			    strcmp(free_[j].kind, r[i].kind) == 0 &&
			    free_[j].pct_guaranteed == r[i].pct_guaranteed &&
			    free_[j].pct_backlogged == 100)
				own = &free_[j];
		fprintf(f, "%-6s %7u %10u%% %8.2f %13.1f %15.1f %12.1f", r[i].kind, r[i].leaves,
			r[i].pct_guaranteed, r[i].mpps, r[i].call_cycles_per_pkt,
			r[i].empty_per_pkt, r[i].empty_cycles);
		if (sched != NULL && sched->call_cycles_per_pkt > 0)
			fprintf(f, " %10.2fx",
				r[i].call_cycles_per_pkt / sched->call_cycles_per_pkt);
		else
			fprintf(f, " %11s", "-");
		if (own != NULL && own->call_cycles_per_pkt > 0)
			fprintf(f, " %12.2fx\n",
				r[i].call_cycles_per_pkt / own->call_cycles_per_pkt);
		else
			fprintf(f, " %13s\n", "-");
	}
}

int main(int argc, char **argv)
{
	char *eal[] = { "bench_sched", "--no-huge", "--no-shconf", "--no-pci", "--no-telemetry",
			"-l",	       "0",	    "-m",	   "2048",     "--log-level=error",
			NULL };
	static const uint32_t sizes[] = { 16, 256, 4096, 65536 };
	static const unsigned pcts[] = { 100, 10 }, guars[] = { 100, 1 };
	const struct vqos_sched_ops *kinds[] = { &vqos_htb_ops, &vqos_sched_rte_ops,
						 &vqos_fifo_ops };
	const char *dir = argc > 1 ? argv[1] : "results/sched";
	const char *only_kind = argc > 2 ? argv[2] : NULL;
	uint32_t only_leaves = argc > 3 ? (uint32_t)atoi(argv[3]) : 0;
	static const uint32_t lim_sizes[] = { 256, 4096, 65536 };
	struct result res[3 * 4 * 2 * 2], lim[2 * 3 * 2];
	size_t n_cases = 0, n_lim = 0;
	size_t n_res = 0;
	char path[512];
	FILE *f;

	if (rte_eal_init(10, eal) < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("bench", 2 * MAX_INFLIGHT + 4096, 256, 0, 256, 0);
	if (pool == NULL)
		return 1;
	memset(res, 0, sizeof(res));
	memset(lim, 0, sizeof(lim));
	/* three passes over every case, the fastest of each kept: load from
	 * other work on the machine comes and goes over tens of seconds */
	for (int pass = 0; pass < 3; pass++) {
		n_res = 0;
		for (size_t g = 0; g < sizeof(guars) / sizeof(guars[0]); g++)
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
				for (size_t b = 0; b < sizeof(pcts) / sizeof(pcts[0]); b++)
					for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]);
					     k++)
						if ((only_kind == NULL ||
						     strcmp(only_kind, kinds[k]->name) == 0) &&
						    (only_leaves == 0 || only_leaves == sizes[s]) &&
						    run_case(kinds[k], sizes[s], guars[g], pcts[b],
							     ROOT_BPS, &res[n_res]) == 0)
							n_res++;
		n_cases = n_res > n_cases ? n_res : n_cases;
		n_lim = 0;
		for (size_t g = 0; g < sizeof(guars) / sizeof(guars[0]); g++)
			for (size_t s = 0; s < sizeof(lim_sizes) / sizeof(lim_sizes[0]); s++)
				for (size_t k = 0; k < 2; k++) /* htb and sched: fifo has no root */
					if ((only_kind == NULL ||
					     strcmp(only_kind, kinds[k]->name) == 0) &&
					    (only_leaves == 0 || only_leaves == lim_sizes[s]) &&
					    run_case(kinds[k], lim_sizes[s], guars[g], 100,
						     LIMIT_BPS, &lim[n_lim]) == 0)
						n_lim++;
	}
	n_res = n_cases;
	print_table(stdout, res, n_res, rte_get_tsc_hz());
	print_limited(stdout, lim, n_lim, res, n_res);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/bench_sched.txt", dir);
	f = fopen(path, "w");
	if (f != NULL) {
		print_table(f, res, n_res, rte_get_tsc_hz());
		print_limited(f, lim, n_lim, res, n_res);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/bench_sched.csv", dir);
	f = fopen(path, "w");
	if (f != NULL) {
		fprintf(f, "kind,leaves,guaranteed_pct,backlogged_pct,root_bps,packets,"
			   "cycles_per_pkt,ns_per_pkt,mpps,call_cycles_per_pkt,empty_polls_per_pkt,"
			   "cycles_per_empty_poll\n");
		for (size_t i = 0; i < n_res + n_lim; i++) {
			const struct result *x = i < n_res ? &res[i] : &lim[i - n_res];

			fprintf(f, "%s,%u,%u,%u,%llu,%llu,%.1f,%.2f,%.2f,%.1f,%.1f,%.1f\n", x->kind,
				x->leaves, x->pct_guaranteed, x->pct_backlogged,
				i < n_res ? ROOT_BPS : LIMIT_BPS, (unsigned long long)x->pkts,
				x->cycles_per_pkt, x->ns_per_pkt, x->mpps, x->call_cycles_per_pkt,
				x->empty_per_pkt, x->empty_cycles);
		}
		fclose(f);
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
