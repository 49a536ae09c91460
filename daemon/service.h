/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to daemon/: vqosd as a systemd service (service.c). The notices
 * of sd_notify(3) (READY=1, RELOADING=1, STOPPING=1, STATUS=) and the
 * watchdog, whose pings say that every data-path lcore still runs. No DPDK
 * here: main.c reads the lcores' counters and hands them in, so
 * tests/daemon drives the watchdog on counters it makes up.
 */
#ifndef VQOSD_SERVICE_H
#define VQOSD_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

/** The most data-path lcores the watchdog follows (DPDK's RTE_MAX_LCORE or fewer). */
#define VQOSD_WATCHDOG_LCORES 1024

/**
 * The watchdog's state. systemd gives WatchdogSec= as $WATCHDOG_USEC; vqosd
 * pings (WATCHDOG=1) every half of it, and only when each data-path lcore's
 * passes or sleeps counter moved since the last ping: an lcore that sleeps
 * wakes at least every datapath.sleep_max (at most 10 ms) and makes a pass,
 * so a counter that stands still for half the interval is a hung lcore.
 * Without pings systemd ends the service (SIGABRT) and Restart= starts it again.
 */
struct vqosd_watchdog {
	/** Nanoseconds between pings, half of WatchdogSec=; 0: no watchdog. */
	uint64_t period_ns;
	/** When the next ping is due, CLOCK_MONOTONIC nanoseconds. */
	uint64_t next_ns;
	/** Lcores in passes[] and sleeps[]; 0 before the first check. */
	unsigned int n;
	/** Each lcore's counters at the last check. */
	uint64_t passes[VQOSD_WATCHDOG_LCORES];
	uint64_t sleeps[VQOSD_WATCHDOG_LCORES];
	/** The lcore that did not move at the last check; -1: none. */
	int stuck;
};

/**
 * Set @p w up from what systemd gave this process ($WATCHDOG_USEC and
 * $WATCHDOG_PID, sd_watchdog_enabled(3)); no watchdog when there is none.
 * The first check is due at once.
 */
void vqosd_watchdog_init(struct vqosd_watchdog *w, uint64_t now_ns);

/**
 * Whether to ping at @p now_ns, given each data-path lcore's counters now,
 * @p passes[0..n) and @p sleeps[0..n). False while no ping is due. When one
 * is due: true if every lcore's passes or sleeps moved since the last check
 * (the first check has nothing to compare and is true); otherwise false,
 * with @p w->stuck the first lcore that did not move. The counters are kept
 * for the next check, due one period later.
 */
bool vqosd_watchdog_due(struct vqosd_watchdog *w, uint64_t now_ns, const uint64_t *passes,
			const uint64_t *sleeps, unsigned int n);

/** Milliseconds until the next check is due (0: now), -1 without a watchdog:
 *  the longest the control loop may wait for its socket. */
int vqosd_watchdog_timeout_ms(const struct vqosd_watchdog *w, uint64_t now_ns);

/** WATCHDOG=1. */
void vqosd_notify_watchdog(void);

/** READY=1 with STATUS=@p status: the ports are up and the control socket
 *  listens (at start), or a reload is done. */
void vqosd_notify_ready(const char *status);

/** RELOADING=1 (with MONOTONIC_USEC=, as systemd 253 asks): a reload begins. */
void vqosd_notify_reloading(void);

/** STOPPING=1: vqosd stops its data path and closes its ports. */
void vqosd_notify_stopping(void);

#endif /* VQOSD_SERVICE_H */
