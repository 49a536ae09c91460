/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A data-path lcore that has nothing to do now lets its CPU go, so that the
 * containers beside it run; its CPU use then follows its work.
 *
 * After a pass that moved nothing, the loop (dp.c) asks when the next thing
 * can happen, vqos_dp_wake_time():
 *  - a qdisc's next event (vqos_sched_next_event()): the time a backlogged
 *    class gets its tokens, so that a shaped class is served when they
 *    arrive, not a nap later;
 *  - a container that sends, or makes room in its rx vring: it kicks its
 *    vring's eventfd, which we ask for (guest notifications) only while we
 *    sleep, so that a busy container never pays a syscall per burst;
 *  - what we cannot be told of: frames arriving on an uplink, an uplink that
 *    takes held packets again. These are polled at the end of a nap, which
 *    doubles while nothing comes (from VQOS_DP_NAP_MIN_NS up to the
 *    lcore's sleep_max) and is back at its shortest once frames come in.
 *
 * vqos_dp_sleep() then arms the kicks of the idle vrings that are not armed
 * yet, looks once more at those (a container may have sent between our pass
 * and the arming, without a kick), goes offline in QSBR (so that a
 * container's teardown or a publish never waits for our sleep), and sleeps
 * in ppoll() until the wake time, a kick, or the shard's doorbell (rung by a
 * publish and by vqos_dp_stop()). Back online, it clears the kicks that came
 * and stops asking those vrings: their ports are busy. A vring that stays
 * idle stays armed from one sleep to the next, so an idle lcore's wake costs
 * a ppoll and a pass, not a round of vhost calls per port.
 *
 * While we sleep the devices may go and come: a kick fd we poll may be
 * closed or reused by then, which only wakes us early. We read (clear) an fd
 * and switch its vring's notifications off only for a port whose device is
 * still the one we armed and whose vring still has that fd, looked up again
 * once online: the data path's usual guarantee (vqos_port.vid) that no
 * device is freed while an lcore is online. Otherwise the fd is forgotten.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_cycles.h>
#include <rte_vhost.h>

#include "dp_priv.h"

/* The kick fd of vring @p q of device @p vid, or -1. */
static int kick_fd(int vid, uint16_t q)
{
	struct rte_vhost_vring vr;

	if (rte_vhost_get_vhost_vring(vid, q, &vr) != 0)
		return -1;
	return vr.kickfd;
}

uint64_t vqos_dp_wake_time(const struct vqos_dp_state *st, uint64_t now, uint64_t nap)
{
	uint64_t t = now + nap;

	for (int d = 0; d < VQOS_DIR_N; d++) {
		uint64_t e;

		if (st->q[d] == NULL)
			continue;
		e = vqos_sched_next_event(st->q[d], now);
		if (e < t)
			t = e;
	}
	return t;
}

/* Ask vring @p q of port @p p's device @p vid to kick us; false if it cannot
 * (no fd, or the device is going). */
static bool arm_one(struct vqos_port *p, int vid, uint16_t q)
{
	int fd = kick_fd(vid, q);

	if (fd < 0 || rte_vhost_enable_guest_notification(vid, q, 1) != 0)
		return false;
	p->kick_vid = vid;
	p->kick_fd[q] = fd;
	return true;
}

/* Stop asking; online, with @p vid still the port's device. */
static void disarm_one(struct vqos_port *p, uint16_t q)
{
	rte_vhost_enable_guest_notification(p->kick_vid, q, 0);
	p->kick_fd[q] = -1;
}

int vqos_dp_arm(struct vqos_dp_state *st, int doorbell)
{
	bool fresh = false;
	unsigned int i, n = 1;

	st->pfd[0] = (struct pollfd){ .fd = doorbell, .events = POLLIN };
	for (i = 0; i < st->n; i++) {
		struct vqos_port *p = st->port[i];
		int vid = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);
		uint32_t want = 0;

		if (vid != p->kick_vid) /* another device: never armed */
			for (uint16_t q = 0; q < VQOS_VHOST_VRINGS; q++)
				p->kick_fd[q] = -1;
		/* a device that came since the last pass rang the doorbell; one
		 * that enabled vrings since is looked at again first */
		if (vid < 0 || p->vrings_vid != vid)
			continue;
		if (__atomic_load_n(&p->vrings_on, __ATOMIC_ACQUIRE) != p->vrings_seen)
			return -EAGAIN;
		/* tx: a port out of the schedule waits for its container to send
		 * on any of its vrings (a woken one waits for tokens, a holding one
		 * for its uplink); rx: a container whose vrings had no room wakes
		 * us as one that had none refills */
		if (!p->tx_woken && p->tx_pend.head == p->tx_pend.n)
			for (unsigned int k = 0; k < p->n_txq; k++)
				want |= 1u << p->txq[k];
		if (p->rx_blocked)
			want |= p->rx_full != 0 || p->n_rxq == 0 ? p->rx_full : 1u << p->rxq[0];
		for (uint16_t q = 0; q < VQOS_VHOST_VRINGS; q++) {
			if (!(want & 1u << q))
				continue;
			if (p->kick_fd[q] < 0) {
				if (!arm_one(p, vid, q))
					return -EAGAIN;
				fresh = true;
			}
			st->armed[n - 1] = (struct vqos_dp_armed){ .port = i, .vid = vid, .q = q };
			st->pfd[n++] = (struct pollfd){ .fd = p->kick_fd[q], .events = POLLIN };
		}
	}
	st->n_armed = n - 1;
	if (!fresh)
		return (int)n;
	/* A container may have sent (or refilled) after our pass, when it was
	 * not asked to kick: look again, after the arming is visible to it. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int k = 0; k < st->n_armed; k++) {
		const struct vqos_dp_armed *a = &st->armed[k];

		if (a->q & 1 ? vqos_vring_waiting(a->vid, a->q) > 0
			     : rte_vhost_avail_entries(a->vid, a->q) > 0)
			return -EAGAIN;
	}
	return (int)n;
}

/* After a sleep, online: clear the kicks that came and stop asking those
 * vrings (their ports are busy now; they are asked again when idle), and
 * forget fds the kernel says are gone. Returns the kicks. */
static unsigned int kicked(struct vqos_dp_state *st)
{
	unsigned int kicks = 0;
	uint64_t v;

	for (unsigned int k = 0; k < st->n_armed; k++) {
		const struct vqos_dp_armed *a = &st->armed[k];
		const struct pollfd *pf = &st->pfd[k + 1];
		struct vqos_port *p = st->port[a->port];

		if (pf->revents == 0)
			continue;
		if (__atomic_load_n(&p->vid, __ATOMIC_ACQUIRE) != a->vid ||
		    kick_fd(a->vid, a->q) != pf->fd) {
			p->kick_fd[a->q] = -1; /* gone or replaced: not ours to touch */
			continue;
		}
		if (pf->revents & POLLIN) {
			kicks++;
			if (read(pf->fd, &v, sizeof(v)) != sizeof(v)) {
				/* cleared already: nothing to do */
			}
		}
		disarm_one(p, a->q);
	}
	st->n_armed = 0;
	return kicks;
}

void vqos_dp_ring(struct vqos_dp_shard *sh)
{
	uint64_t one = 1;

	if (sh->doorbell >= 0 && write(sh->doorbell, &one, sizeof(one)) != sizeof(one)) {
		/* full (2^64 - 2 rings unread): it is awake anyway */
	}
}

uint64_t vqos_dp_sleep(struct vqos_dp *dp, struct vqos_dp_shard *sh, struct vqos_dp_state *st,
		       unsigned int tid, uint64_t now, uint64_t until)
{
	struct vqos_dp_lcore_stats *ls = &sh->lstats;
	uint64_t ns = (until - now) * 1000000000ull / dp->hz, t1, v;
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };
	struct pollfd bell = { .fd = sh->doorbell, .events = POLLIN };
	struct pollfd *pfd = &bell;
	int n = 1;

	if (st != NULL) {
		n = vqos_dp_arm(st, sh->doorbell);
		if (n < 0)
			return 0;
		pfd = st->pfd;
	}
	rte_rcu_qsbr_thread_offline(dp->qsbr, tid);
	if (ppoll(pfd, (nfds_t)n, &ts, NULL) < 0)
		pfd[0].revents = 0;
	rte_rcu_qsbr_thread_online(dp->qsbr, tid);
	if ((pfd[0].revents & POLLIN) && read(sh->doorbell, &v, sizeof(v)) != sizeof(v)) {
		/* rung and cleared: nothing to do */
	}
	if (st != NULL)
		VQOS_STAT_ADD(ls->kicks, kicked(st));
	t1 = rte_rdtsc();
	VQOS_STAT_ADD(ls->sleeps, 1);
	VQOS_STAT_ADD(ls->sleep_cycles, t1 - now);
	return t1 - now;
}
