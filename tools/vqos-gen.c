/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-gen: plays one container. Sends frames of one size at one offered rate
 * for a given time on the one ethdev of its EAL arguments, receives and counts
 * what comes back, and prints its figures as JSON on stdout when it ends.
 *
 *     vqos-gen [EAL args] -- [options]        (options: gen_opts.c, --help)
 *
 * The run, one lcore, one rx and one tx queue:
 *
 *     EAL init -> find the ethdev -> set it up -> wait for link up
 *       -> DELAY  (--delay seconds): receive only
 *       -> RUN    (duration, or until --count frames were accepted): send, receive
 *       -> LINGER (--linger seconds): receive only
 *       -> stop and close the port -> EAL cleanup -> the JSON report
 *
 * SIGINT/SIGTERM end RUN and LINGER at once; the report is still printed.
 *
 * Transmit is lossless on our side: a burst is built only when the previous
 * one was wholly accepted; what tx_burst did not take stays in hand and is
 * offered again on the next iteration, and only what the port accepted is
 * counted as sent. Frames still in hand when sending ends are freed and
 * reported as "unsent", never as sent.
 *
 * Pacing is a token bucket on the TSC whose credit is kept in "rate units x
 * TSC cycles": every cycle adds `rate` (packets/s or bits/s), a frame costs
 * hz (pps) or size * 8 * hz (bit/s), so the arithmetic is exact integers with
 * no rounding of the period. A burst takes as many whole frames as the credit
 * covers, up to 32. The bucket holds at most 10 ms of rate (and at least two
 * bursts), so that idle sleeps and a peer descheduled for a few ms on a shared
 * CPU do not lower the average rate, while a long stall (backpressure from a
 * shaper) does not turn into an unbounded burst: under steady backpressure the
 * sender goes at the rate the port takes.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "tools/gen.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	stop_flag = 1;
}

/* The sending side of the poll loop. */
struct sender {
	const struct vqos_gen_opts *opts;
	const struct vqos_gen_tmpl *tmpl;
	struct rte_mempool *pool;
	uint16_t port_id;
	struct vqos_gen_tx *tx;
	uint64_t generated;		       /* frames built: the next seq */
	struct rte_mbuf *pend[VQOS_GEN_BURST]; /* built, not yet accepted */
	uint16_t pend_off;		       /* first not accepted */
	uint16_t pend_n;		       /* how many not accepted */
	uint64_t credit;		       /* rate units x cycles */
	uint64_t cap;			       /* most credit */
	uint64_t cost;			       /* credit one frame takes */
	uint64_t last_tsc;		       /* credit last added */
};

static void sender_init(struct sender *s, uint64_t hz, uint64_t now)
{
	const struct vqos_gen_opts *o = s->opts;
	unsigned __int128 bucket;

	if (o->rate_mode == VQOS_GEN_RATE_PPS)
		s->cost = hz;
	else
		s->cost = (uint64_t)o->size * 8 * hz;
	/* gen_opts.c bounds the rate so that this fits in 64 bits. */
	bucket = (unsigned __int128)o->rate * hz / 100;
	bucket = RTE_MIN(bucket, (unsigned __int128)(UINT64_MAX / 2));
	s->cap = RTE_MAX((uint64_t)bucket, 2 * VQOS_GEN_BURST * s->cost);
	s->credit = 0;
	s->last_tsc = now;
}

static void sender_refill(struct sender *s, uint64_t now)
{
	unsigned __int128 c = (unsigned __int128)(now - s->last_tsc) * s->opts->rate + s->credit;

	s->credit = c > s->cap ? s->cap : (uint64_t)c;
	s->last_tsc = now;
}

/* Build a burst if none is in hand and the rate allows; offer what is in hand. */
static uint16_t sender_step(struct sender *s, uint64_t now)
{
	struct vqos_gen_tx *tx = s->tx;
	uint64_t n = VQOS_GEN_BURST, i;
	uint16_t sent;

	if (s->pend_n == 0) {
		if (s->opts->count != 0)
			n = RTE_MIN(n, s->opts->count - s->generated);
		if (s->opts->rate_mode != VQOS_GEN_RATE_MAX) {
			sender_refill(s, now);
			n = RTE_MIN(n, s->credit / s->cost);
		}
		if (n == 0)
			return 0;
		if (rte_pktmbuf_alloc_bulk(s->pool, s->pend, (unsigned int)n) != 0) {
			tx->alloc_failed++;
			return 0;
		}
		for (i = 0; i < n; i++)
			vqos_gen_fill(s->tmpl, s->pend[i], s->generated + i, now);
		s->generated += n;
		if (s->opts->rate_mode != VQOS_GEN_RATE_MAX)
			s->credit -= n * s->cost;
		s->pend_off = 0;
		s->pend_n = (uint16_t)n;
	}
	sent = rte_eth_tx_burst(s->port_id, 0, s->pend + s->pend_off, s->pend_n);
	tx->packets += sent;
	tx->bytes += (uint64_t)sent * s->opts->size;
	if (sent < s->pend_n) {
		tx->backpressure++;
		tx->retry_packets += s->pend_n - sent;
	}
	s->pend_off = (uint16_t)(s->pend_off + sent);
	s->pend_n = (uint16_t)(s->pend_n - sent);
	return sent;
}

/* Sending ended: what is still in hand was never accepted. */
static void sender_drop_pending(struct sender *s)
{
	s->tx->unsent += s->pend_n;
	if (s->pend_n != 0)
		rte_pktmbuf_free_bulk(s->pend + s->pend_off, s->pend_n);
	s->pend_n = 0;
}

static uint16_t receive(uint16_t port_id, struct vqos_gen_rx *rx)
{
	struct rte_mbuf *pkts[VQOS_GEN_BURST];
	uint16_t nb, i;
	uint64_t now;

	nb = rte_eth_rx_burst(port_id, 0, pkts, VQOS_GEN_BURST);
	if (nb == 0)
		return 0;
	now = rte_rdtsc();
	for (i = 0; i < nb; i++)
		vqos_gen_rx_account(rx, pkts[i], now);
	if (rx->packets != 0) {
		if (rx->first_tsc == 0)
			rx->first_tsc = now;
		rx->last_tsc = now;
	}
	rte_pktmbuf_free_bulk(pkts, nb);
	return nb;
}

/* RUN then LINGER; returns when both are over or a signal came. */
static void poll_loop(struct vqos_gen_run *r, struct sender *s, struct vqos_gen_rx *rx)
{
	const struct vqos_gen_opts *o = r->opts;
	bool sending = o->rate_mode != VQOS_GEN_RATE_NONE;
	bool may_sleep = o->idle_us != 0 && o->rate_mode != VQOS_GEN_RATE_MAX;
	uint64_t send_start = r->start_tsc + (uint64_t)(o->delay_s * (double)r->hz);
	uint64_t run_end = send_start + (uint64_t)(o->duration_s * (double)r->hz);
	uint64_t linger_end = 0, now;
	bool running = true;
	unsigned int did;

	for (;;) {
		now = rte_rdtsc();
		if (running && (stop_flag || now >= run_end ||
				(o->count != 0 && s->tx->packets >= o->count))) {
			running = false;
			s->tx->end_tsc = now;
			sender_drop_pending(s);
			linger_end = now + (uint64_t)(o->linger_s * (double)r->hz);
		}
		if (!running && (stop_flag || now >= linger_end))
			break;
		did = 0;
		if (running && sending && now >= send_start) {
			if (s->tx->start_tsc == 0) {
				s->tx->start_tsc = now;
				sender_init(s, r->hz, now);
			}
			did += sender_step(s, now);
		}
		if (receive(s->port_id, rx) > 0) {
			did++;
			if (o->rx_delay_us != 0)
				usleep(o->rx_delay_us);
		}
		if (!o->quiet && now - r->prog_tsc >= r->hz)
			vqos_gen_progress(r, now);
		if (did == 0 && may_sleep)
			usleep(o->idle_us);
	}
	r->end_tsc = now;
	r->interrupted = stop_flag != 0;
}

/* The argument of the one --vdev among the EAL args; NULL if none or several. */
static const char *find_vdev(int argc, char **argv)
{
	const char *v = NULL;
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--vdev") == 0 && i + 1 < argc) {
			v = argv[++i];
			n++;
		} else if (strncmp(argv[i], "--vdev=", 7) == 0) {
			v = argv[i] + 7;
			n++;
		}
	}
	return n == 1 ? v : NULL;
}

int main(int argc, char **argv)
{
	struct vqos_gen_opts opts;
	struct vqos_gen_port port;
	struct vqos_gen_tmpl tmpl;
	struct vqos_gen_tx tx = { 0 };
	struct vqos_gen_rx rx = { 0 };
	struct vqos_gen_run run = { .opts = &opts, .port = &port, .tx = &tx, .rx = &rx };
	struct sender snd = { .opts = &opts, .tmpl = &tmpl, .tx = &tx };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *vdev;
	uint64_t t0, deadline;
	int eal_argc, rc, ret = 1;

	/* Options first, so that a bad one fails before EAL takes its time. */
	for (eal_argc = 1; eal_argc < argc; eal_argc++)
		if (strcmp(argv[eal_argc], "--") == 0)
			break;
	if (eal_argc < argc) {
		argv[eal_argc] = argv[0]; /* the app's argv[0] */
		rc = vqos_gen_parse_opts(argc - eal_argc, argv + eal_argc, &opts);
	} else {
		rc = vqos_gen_parse_opts(1, argv, &opts); /* no "--": defaults */
	}
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	vdev = find_vdev(eal_argc, argv);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/*
	 * virtio_user writes to its vhost-user socket without MSG_NOSIGNAL: when
	 * the vhost side went away first, closing the port would kill us.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (rte_eal_init(eal_argc, argv) < 0) {
		fprintf(stderr, "vqos-gen: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* usleep(--idle-us) should sleep microseconds, not the default 50 us slack. */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	run.hz = rte_get_tsc_hz();
	t0 = rte_rdtsc();
	deadline = t0 + (uint64_t)(opts.wait_link_s * (double)run.hz);

	if (vqos_gen_port_find(&port, vdev, deadline, &stop_flag) < 0)
		goto out_eal;
	if (vqos_gen_port_setup(&port, opts.size) < 0)
		goto out_port;
	rc = vqos_gen_port_wait_link(&port, deadline, &stop_flag);
	if (rc < 0) {
		fprintf(stderr, "vqos-gen: %s: %s\n", port.name,
			rc == -EINTR ? "interrupted before link up" : "no link (--wait-link)");
		goto out_port;
	}
	rx.streams = calloc(VQOS_GEN_STREAMS, sizeof(*rx.streams));
	if (rx.streams == NULL)
		goto out_port;
	vqos_gen_tmpl_init(&tmpl, &opts, &port.mac);
	snd.pool = port.tx_pool;
	snd.port_id = port.port_id;

	run.start_tsc = rte_rdtsc();
	run.link_wait_s = (double)(run.start_tsc - t0) / (double)run.hz;
	run.prog_tsc = run.start_tsc;
	poll_loop(&run, &snd, &rx);

	if (rte_eth_stats_get(port.port_id, &run.port_stats) != 0)
		memset(&run.port_stats, 0, sizeof(run.port_stats));
	vqos_gen_port_close(&port);
	rte_eal_cleanup();
	/*
	 * Last, after every driver message of the tear-down (a vanished vhost
	 * peer makes virtio_user log on close): the JSON is the last thing we print.
	 */
	ret = vqos_gen_report(&run) == 0 ? 0 : 1;
	free(rx.streams);
	return ret;

out_port:
	vqos_gen_port_close(&port);
out_eal:
	rte_eal_cleanup();
	return ret;
}
