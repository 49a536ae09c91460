/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-gen: plays containers, one per ethdev of its EAL arguments. Each sends
 * frames of its own size (or mix of sizes) at its own offered rate for a given
 * time, receives and counts what comes back, and the figures of all of them
 * are printed as JSON on stdout when the run ends.
 *
 *     vqos-gen [EAL args] -- [options]        (options: gen_opts.c, --help)
 *
 * The run, one lcore polling every port, one rx and one tx queue each:
 *
 *     EAL init -> find the ethdevs -> set each up -> wait for every link up
 *       -> DELAY  (--delay seconds): receive only
 *       -> RUN    (duration, or until every port sent its --count frames):
 *                 send, receive; a port that reached its --count stops sending
 *       -> LINGER (--linger seconds): receive only
 *       -> stop and close the ports -> EAL cleanup -> the JSON report
 *
 * SIGINT/SIGTERM end RUN and LINGER at once; the report is still printed.
 * SIGUSR1 ends RUN only: sending stops, LINGER follows, so what the peer
 * still has to take from the vring is taken before the process goes.
 * SIGUSR2 ends --delay: sending starts now (a test tells a peer that the
 * other side is there).
 *
 * Transmit is lossless on our side: a burst is built only when the previous
 * one was wholly accepted; what tx_burst did not take stays in hand and is
 * offered again on the next iteration, and only what the port accepted is
 * counted as sent. Frames still in hand when sending ends are freed and
 * reported as "unsent", never as sent.
 *
 * Pacing is a token bucket per port on the TSC whose credit is kept in "rate
 * units x TSC cycles": every cycle adds `rate` (packets/s or bits/s), a frame
 * costs hz (pps) or its size * 8 * hz (bit/s: a mix is paced on the sizes it
 * really sends), so the arithmetic is exact integers with no rounding of the
 * period. A burst takes as many whole frames as the credit covers, up to 32.
 * The bucket holds at most 10 ms of rate (and at least two bursts of the
 * largest frames), so that idle sleeps and a peer descheduled for a few ms on
 * a shared CPU do not lower the average rate, while a long stall
 * (backpressure from a shaper) does not turn into an unbounded burst: under
 * steady backpressure the sender goes at the rate the port takes.
 *
 * --rx-delay-us does not sleep (that would stall every port): after a burst
 * that received frames, the port's rx queue is left alone for that long.
 *
 * --backoff-us N: a port whose tx_burst took fewer frames than offered has a
 * full vring, and offering the rest again at once only spins until the vhost
 * side dequeues. With N > 0, an iteration in which some port was refused and
 * no port has other work sleeps min(N us, time to the next thing that has a
 * time) on the monotonic clock (gen_backoff.h): the next frame of a paced
 * port, the next rx poll of a port under --rx-delay-us, the end of sending.
 * "Other work" is a port that received frames (its rx queue may hold more) or
 * that can send now (a max-rate port whose burst was taken whole, a paced one
 * with credit): then there is no sleep. What is counted does not change: the
 * refused frames stay in hand and are offered after the sleep, and a paced
 * port's credit goes on growing meanwhile, so its schedule holds; a sleep
 * overshoots by the wake-up latency (a few us with the 1 us timer slack, tens
 * on a loaded CPU), which the 10 ms bucket absorbs. Only the calls do:
 * backpressure counts tx_burst calls, and there are fewer of them. An
 * --rx-delay-us poll has no bucket: one that a sleep ends comes that much
 * late, and the next is timed from it, so a slow container that also blasts
 * drains a little slower with a back-off (one ASan run at nice 19 on a shared
 * CPU: 32 frames per 220 us instead of per 200 us). Waking early by a learnt
 * latency and spinning the rest would fix it; not done, for its cost in CPU.
 *
 * The receive side under a back-off: an rx queue that just gave frames is
 * polled again at once (no sleep), so a sleep begins only with every rx
 * queue empty and lasts at most N us, N <= 1000. A port whose peer sends R
 * frames/s finds at most N * R of them waiting after it: while that is below
 * its rx ring's size (virtio_user's is 256 entries by default: R up to 256
 * kpps at N = 1000), the ring never fills during a sleep and the peer never
 * finds it full for our sake. An iteration that backs off where
 * --idle-us would have slept sleeps the back-off instead, never both.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "gen.h"

static volatile int stop_flag;
static volatile int end_run_flag;
static volatile int send_now_flag;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		end_run_flag = 1;
	else if (sig == SIGUSR2)
		send_now_flag = 1;
	else
		stop_flag = 1;
}

static bool paced(const struct vqos_gen_port_opts *o)
{
	return o->rate_mode == VQOS_GEN_RATE_PPS || o->rate_mode == VQOS_GEN_RATE_BPS;
}

static void sender_init(struct vqos_gen_ct *c, uint64_t hz, uint64_t now)
{
	const struct vqos_gen_port_opts *o = c->opts;
	struct vqos_gen_sender *s = &c->snd;
	unsigned __int128 bucket;

	s->cost_per_frame = o->rate_mode == VQOS_GEN_RATE_PPS ? hz : 0;
	s->cost_per_byte = o->rate_mode == VQOS_GEN_RATE_BPS ? 8 * hz : 0;
	/* gen_opts.c bounds the rate so that this fits in 64 bits. */
	bucket = (unsigned __int128)o->rate * hz / 100;
	bucket = RTE_MIN(bucket, (unsigned __int128)(UINT64_MAX / 2));
	s->cap = RTE_MAX((uint64_t)bucket,
			 2 * VQOS_GEN_BURST *
				 (s->cost_per_frame + s->cost_per_byte * o->mix.largest));
	s->credit = 0;
	s->last_tsc = now;
}

static void sender_refill(struct vqos_gen_ct *c, uint64_t now)
{
	struct vqos_gen_sender *s = &c->snd;
	unsigned __int128 v = (unsigned __int128)(now - s->last_tsc) * c->opts->rate + s->credit;

	s->credit = v > s->cap ? s->cap : (uint64_t)v;
	s->last_tsc = now;
}

/* Credit that frame @p pos of the round of sizes takes. */
static uint64_t frame_cost(const struct vqos_gen_ct *c, uint32_t pos)
{
	const struct vqos_gen_tmpl *t = &c->tmpl;

	return c->snd.cost_per_frame + c->snd.cost_per_byte * t->sz[t->cycle[pos]].size;
}

/* How many of the next frames (at most @p most) the credit pays for; @p credit is what is left. */
static uint64_t sender_afford(const struct vqos_gen_ct *c, uint64_t most, uint64_t *credit)
{
	const struct vqos_gen_sender *s = &c->snd;
	const struct vqos_gen_tmpl *t = &c->tmpl;
	uint32_t pos = s->cycle_pos;
	uint64_t n, cost;

	*credit = s->credit;
	if (!paced(c->opts))
		return most;
	for (n = 0; n < most; n++) {
		cost = frame_cost(c, pos);
		if (*credit < cost)
			break;
		*credit -= cost;
		pos = pos + 1 == t->cycle_len ? 0 : pos + 1;
	}
	return n;
}

/* Build a burst if none is in hand and the rate allows; offer what is in hand. */
static uint16_t sender_step(struct vqos_gen_ct *c, uint64_t now)
{
	const struct vqos_gen_tmpl *t = &c->tmpl;
	struct vqos_gen_sender *s = &c->snd;
	struct vqos_gen_tx *tx = &c->tx;
	uint64_t n = VQOS_GEN_BURST, i, credit;
	const struct vqos_gen_tmpl_size *e;
	uint16_t sent;

	if (s->pend_n == 0) {
		if (c->opts->count != 0)
			n = RTE_MIN(n, c->opts->count - s->generated);
		if (paced(c->opts))
			sender_refill(c, now);
		n = sender_afford(c, n, &credit);
		if (n == 0)
			return 0;
		if (rte_pktmbuf_alloc_bulk(c->port.tx_pool, s->pend, (unsigned int)n) != 0) {
			tx->alloc_failed++;
			return 0;
		}
		/* --queues: each burst to the next tx queue, a stream of its own */
		s->txq = (uint16_t)(s->generated == 0 ? 0 : (s->txq + 1) % c->port.queues);
		for (i = 0; i < n; i++) {
			e = &t->sz[t->cycle[s->cycle_pos]];
			vqos_gen_fill(t, e, s->pend[i], s->generated + i, now);
			if (s->txq > 0)
				vqos_gen_set_id(t, s->pend[i], t->id + s->txq);
			s->pend_len[i] = e->size;
			s->cycle_pos = s->cycle_pos + 1 == t->cycle_len ? 0 : s->cycle_pos + 1;
		}
		s->generated += n;
		s->credit = credit;
		s->pend_off = 0;
		s->pend_n = (uint16_t)n;
	}
	sent = rte_eth_tx_burst(c->port.port_id, s->txq, s->pend + s->pend_off, s->pend_n);
	tx->packets += sent;
	for (i = 0; i < sent; i++)
		tx->bytes += s->pend_len[s->pend_off + i];
	if (sent < s->pend_n) {
		tx->backpressure++;
		tx->retry_packets += s->pend_n - sent;
	}
	s->pend_off = (uint16_t)(s->pend_off + sent);
	s->pend_n = (uint16_t)(s->pend_n - sent);
	return sent;
}

/* Sending ends for this port: what is still in hand was never accepted. */
static void sender_end(struct vqos_gen_ct *c, uint64_t now)
{
	struct vqos_gen_sender *s = &c->snd;

	if (s->done)
		return;
	s->done = true;
	c->tx.end_tsc = now;
	c->tx.unsent += s->pend_n;
	if (s->pend_n != 0)
		rte_pktmbuf_free_bulk(s->pend + s->pend_off, s->pend_n);
	s->pend_n = 0;
}

static uint16_t receive(struct vqos_gen_ct *c)
{
	struct rte_mbuf *pkts[VQOS_GEN_BURST];
	struct vqos_gen_rx *rx = &c->rx;
	uint16_t nb, i, q, all = 0;
	uint64_t now;

	for (q = 0; q < c->port.queues; q++) {
		nb = rte_eth_rx_burst(c->port.port_id, q, pkts, VQOS_GEN_BURST);
		if (nb == 0)
			continue;
		now = rte_rdtsc();
		for (i = 0; i < nb; i++)
			vqos_gen_rx_account(rx, pkts[i], now);
		if (rx->packets != 0) {
			if (rx->first_tsc == 0)
				rx->first_tsc = now;
			rx->last_tsc = now;
		}
		rte_pktmbuf_free_bulk(pkts, nb);
		all += nb;
	}
	return all;
}

/*
 * When port @p c, polled at @p now, next has work other than offering again
 * what its full vring refused: @p now when it can send at once, the TSC of its
 * next paced frame or of the start of sending, that of its next rx poll under
 * --rx-delay-us; UINT64_MAX for none. An rx queue that was polled and gave
 * nothing has no time (the back-off's bound holds for it); one that gave
 * frames is the caller's to see.
 */
static uint64_t next_work(const struct vqos_gen_ct *c, uint64_t now, uint64_t send_start)
{
	const struct vqos_gen_sender *s = &c->snd;
	uint64_t t = c->rx_next_tsc > now ? c->rx_next_tsc : UINT64_MAX;

	if (s->done || c->opts->rate_mode == VQOS_GEN_RATE_NONE || s->pend_n != 0)
		return t;
	if (now < send_start)
		return RTE_MIN(t, send_start);
	if (!paced(c->opts))
		return now;
	return RTE_MIN(t, vqos_gen_credit_ready_tsc(s->credit, s->last_tsc, c->opts->rate,
						    frame_cost(c, s->cycle_pos)));
}

/* Sleep @p cycles on the monotonic clock (a signal ends it early); the TSC cycles it took. */
static uint64_t backoff_sleep(uint64_t cycles, uint64_t hz)
{
	/* cycles <= VQOS_GEN_BACKOFF_MAX_US us of TSC: no overflow in ns. */
	uint64_t ns = cycles * 1000000000u / hz, t0 = rte_rdtsc();
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000u),
		.tv_nsec = (long)(ns % 1000000000u),
	};

	(void)clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	return rte_rdtsc() - t0;
}

/* One back-off of @p cycles: sleep, and count it for the run and each port whose vring is full. */
static void backoff(struct vqos_gen_run *r, uint64_t cycles)
{
	uint64_t slept = backoff_sleep(cycles, r->hz);
	uint16_t i;

	r->backoffs++;
	r->backoff_tsc += slept;
	for (i = 0; i < r->nb_ct; i++)
		if (r->ct[i].snd.pend_n != 0) {
			r->ct[i].tx.backoffs++;
			r->ct[i].tx.backoff_tsc += slept;
		}
}

/* Every port sent its --count frames (a port without one never is done). */
static bool all_done(const struct vqos_gen_run *r)
{
	uint16_t i;

	for (i = 0; i < r->nb_ct; i++)
		if (!r->ct[i].snd.done)
			return false;
	return true;
}

/* RUN then LINGER; returns when both are over or a signal came. */
static void poll_loop(struct vqos_gen_run *r)
{
	const struct vqos_gen_opts *o = r->opts;
	uint64_t send_start = r->start_tsc + (uint64_t)(o->delay_s * (double)r->hz);
	uint64_t run_end = send_start + (uint64_t)(o->duration_s * (double)r->hz);
	uint64_t backoff_max = o->backoff_us * r->hz / 1000000;
	uint64_t linger_end = 0, now, until, nap;
	bool running = true, may_sleep = o->idle_us != 0, blocked;
	struct vqos_gen_ct *c;
	unsigned int did;
	uint16_t i;

	for (i = 0; i < r->nb_ct; i++)
		may_sleep = may_sleep && r->ct[i].opts->rate_mode != VQOS_GEN_RATE_MAX;
	for (;;) {
		now = rte_rdtsc();
		if (send_now_flag && now < send_start) {
			run_end -= send_start - now;
			send_start = now;
		}
		if (running && (stop_flag || end_run_flag || now >= run_end || all_done(r))) {
			running = false;
			for (i = 0; i < r->nb_ct; i++)
				sender_end(&r->ct[i], now);
			linger_end = now + (uint64_t)(o->linger_s * (double)r->hz);
		}
		if (!running && (stop_flag || now >= linger_end))
			break;
		did = 0;
		blocked = false;
		until = run_end; /* sending must end on time */
		for (i = 0; i < r->nb_ct; i++) {
			c = &r->ct[i];
			if (running && !c->snd.done && c->opts->rate_mode != VQOS_GEN_RATE_NONE &&
			    now >= send_start) {
				if (c->tx.start_tsc == 0) {
					c->tx.start_tsc = now;
					sender_init(c, r->hz, now);
				}
				did += sender_step(c, now);
				if (c->opts->count != 0 && c->tx.packets >= c->opts->count)
					sender_end(c, now);
			}
			if (now >= c->rx_next_tsc && receive(c) > 0) {
				did++;
				c->rx_next_tsc = now + c->opts->rx_delay_us * r->hz / 1000000;
				until = now; /* its rx queue may hold more: no back-off */
			}
			if (backoff_max != 0) {
				blocked = blocked || c->snd.pend_n != 0;
				until = RTE_MIN(until, next_work(c, now, send_start));
			}
		}
		if (!o->quiet && now - r->prog_tsc >= r->hz)
			vqos_gen_progress(r, now);
		/* Measured from now, not from the iteration's start, so that it ends by until. */
		nap = blocked ? vqos_gen_backoff_cycles(backoff_max, rte_rdtsc(), until) : 0;
		if (nap != 0)
			backoff(r, nap);
		else if (did == 0 && may_sleep)
			usleep(o->idle_us);
	}
	r->end_tsc = now;
	r->interrupted = stop_flag != 0;
}

/*
 * The TSC's rate, measured: over 50 ms of CLOCK_MONOTONIC_RAW, each end
 * the tightest of 8 (TSC, clock) pairs. EAL's rte_get_tsc_hz() is rounded to
 * 10 MHz where the CPU does not state the frequency (AMD, most VMs): 0.15%
 * off on a 2596 MHz TSC, and every --rate and every rate reported with it.
 * vqosd measures its clock the same way (sched/clock.c); EAL's figure is
 * kept if the two differ by more than 1%.
 */
static uint64_t measure_hz(void)
{
	struct timespec nap = { 0, 50000000L }, ts;
	uint64_t eal = rte_get_tsc_hz(), tsc[2] = { 0, 0 }, ns[2] = { 0, 0 };

	for (int end = 0; end < 2; end++) {
		uint64_t tightest = UINT64_MAX;

		if (end == 1)
			while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
				;
		for (int k = 0; k < 8; k++) {
			uint64_t before = rte_rdtsc(), spread;

			clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
			spread = rte_rdtsc() - before;
			if (spread < tightest) {
				tightest = spread;
				tsc[end] = before + spread / 2;
				ns[end] =
					(uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
			}
		}
	}
	if (ns[1] > ns[0] && tsc[1] > tsc[0]) {
		uint64_t hz = (uint64_t)((unsigned __int128)(tsc[1] - tsc[0]) * 1000000000u /
					 (ns[1] - ns[0]));

		if (hz <= eal + eal / 100 && hz >= eal - eal / 100)
			return hz;
	}
	return eal;
}

/* The arguments of the --vdev options among the EAL args, in order; how many. */
static int find_vdevs(int argc, char **argv, const char **vdevs)
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--vdev") == 0 && i + 1 < argc)
			vdevs[n++] = argv[++i];
		else if (strncmp(argv[i], "--vdev=", 7) == 0)
			vdevs[n++] = argv[i] + 7;
	}
	return n;
}

/* A container's receive tables. */
static int ct_alloc(struct vqos_gen_ct *c)
{
	c->rx.streams = calloc(VQOS_GEN_STREAMS, sizeof(*c->rx.streams));
	c->rx.lat = calloc(1, sizeof(*c->rx.lat));
	return c->rx.streams == NULL || c->rx.lat == NULL ? -ENOMEM : 0;
}

static void ct_free(struct vqos_gen_ct *c)
{
	free(c->rx.streams);
	free(c->rx.lat);
}

/* Set every port up and wait for every link; 0 or a negative errno after a message. */
static int ports_up(struct vqos_gen_run *r, uint64_t t0, uint64_t deadline)
{
	struct vqos_gen_ct *c;
	uint16_t i;
	int rc;

	for (i = 0; i < r->nb_ct; i++) {
		r->ct[i].port.queues = r->opts->queues;
		rc = vqos_gen_port_setup(&r->ct[i].port, r->ct[i].opts->mix.largest);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < r->nb_ct; i++) {
		c = &r->ct[i];
		rc = vqos_gen_port_wait_link(&c->port, deadline, &stop_flag);
		if (rc < 0) {
			fprintf(stderr, "vqos-gen: %s: %s\n", c->port.name,
				rc == -EINTR ? "interrupted before link up"
					     : "no link (--wait-link)");
			return rc;
		}
		c->link_wait_s = (double)(rte_rdtsc() - t0) / (double)r->hz;
		vqos_gen_tmpl_init(&c->tmpl, c->opts, &c->port.mac);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct vqos_gen_opts opts;
	struct vqos_gen_port ports[RTE_MAX_ETHPORTS];
	struct vqos_gen_run run = { .opts = &opts };
	struct sigaction sa = { .sa_handler = on_signal };
	const char **vdevs;
	uint64_t t0, deadline;
	int eal_argc, nb_vdevs, n = 0, i, rc, ret = 1;

	/* Options first, so that a bad one fails before EAL takes its time. */
	for (eal_argc = 1; eal_argc < argc; eal_argc++)
		if (strcmp(argv[eal_argc], "--") == 0)
			break;
	if (eal_argc < argc) {
		argv[eal_argc] = argv[0]; /* the app's argv[0] */
		rc = vqos_gen_parse_opts(argc - eal_argc, argv + eal_argc, &opts);
	} else if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		rc = vqos_gen_parse_opts(argc, argv, &opts); /* not EAL's: ours */
	} else {
		rc = vqos_gen_parse_opts(1, argv, &opts); /* no "--": defaults */
	}
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	vdevs = calloc((size_t)eal_argc, sizeof(*vdevs));
	if (vdevs == NULL)
		return 1;
	nb_vdevs = find_vdevs(eal_argc, argv, vdevs);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	/*
	 * virtio_user writes to its vhost-user socket without MSG_NOSIGNAL: when
	 * the vhost side went away first, closing the port would kill us.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (rte_eal_init(eal_argc, argv) < 0) {
		fprintf(stderr, "vqos-gen: EAL init failed: %s\n", rte_strerror(rte_errno));
		free(vdevs);
		return 1;
	}
	/*
	 * The --idle-us and --backoff-us sleeps of the poll loop (this thread)
	 * should sleep microseconds, not the default 50 us slack: 1 us.
	 */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	run.hz = measure_hz();
	t0 = rte_rdtsc();
	deadline = t0 + (uint64_t)(opts.wait_link_s * (double)run.hz);

	n = vqos_gen_port_find(ports, vdevs, nb_vdevs, deadline, &stop_flag);
	if (n < 0)
		goto out_eal;
	if (opts.max_port >= n) {
		fprintf(stderr,
			"vqos-gen: --port %d: the EAL arguments created %d ethdev%s (0..%d)\n",
			opts.max_port, n, n == 1 ? "" : "s", n - 1);
		ret = 2;
		goto out_ports;
	}
	run.ct = calloc((size_t)n, sizeof(*run.ct));
	if (run.ct == NULL)
		goto out_ports;
	run.nb_ct = (uint16_t)n;
	for (i = 0; i < n; i++) {
		run.ct[i].port = ports[i];
		run.ct[i].opts = &opts.port[i];
	}
	for (i = 0; i < n; i++)
		if (ct_alloc(&run.ct[i]) < 0)
			goto out_ct;
	if (ports_up(&run, t0, deadline) < 0)
		goto out_ct;

	run.start_tsc = rte_rdtsc();
	run.prog_tsc = run.start_tsc;
	poll_loop(&run);

	for (i = 0; i < n; i++) {
		if (rte_eth_stats_get(run.ct[i].port.port_id, &run.ct[i].port_stats) != 0)
			memset(&run.ct[i].port_stats, 0, sizeof(run.ct[i].port_stats));
		vqos_gen_port_close(&run.ct[i].port);
	}
	rte_eal_cleanup();
	/*
	 * Last, after every driver message of the tear-down (a vanished vhost
	 * peer makes virtio_user log on close): the JSON is the last thing we print.
	 */
	ret = vqos_gen_report(&run) == 0 ? 0 : 1;
	for (i = 0; i < n; i++)
		ct_free(&run.ct[i]);
	free(run.ct);
	free(vdevs);
	return ret;

out_ct:
	for (i = 0; i < n; i++) {
		vqos_gen_port_close(&run.ct[i].port);
		ct_free(&run.ct[i]);
	}
	free(run.ct);
	goto out_eal;
out_ports:
	for (i = 0; i < n; i++)
		vqos_gen_port_close(&ports[i]);
out_eal:
	rte_eal_cleanup();
	free(vdevs);
	return ret;
}
