/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosd under systemd (Type=notify): libsystemd's sd_notify() sends each
 * notice to $NOTIFY_SOCKET, and does nothing when it is not set (vqosd run
 * by hand or by the tests), so the calls need no condition here.
 *
 *   start:   ports open, trees published, control socket listening, lcores
 *            launched  ->  READY=1
 *   reload:  RELOADING=1  ->  (the file applied or refused)  ->  READY=1
 *   stop:    STOPPING=1   ->  data path stopped, ports closed, exit
 *   always:  WATCHDOG=1 every half WatchdogSec=, while every lcore moves
 */
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "service.h"

void vqosd_watchdog_init(struct vqosd_watchdog *w, uint64_t now_ns)
{
	uint64_t usec = 0;

	w->period_ns = sd_watchdog_enabled(0, &usec) > 0 ? usec * 1000 / 2 : 0;
	w->next_ns = now_ns;
	w->n = 0;
	w->stuck = -1;
}

bool vqosd_watchdog_due(struct vqosd_watchdog *w, uint64_t now_ns, const uint64_t *passes,
			const uint64_t *sleeps, unsigned int n)
{
	bool first = w->n == 0;

	if (w->period_ns == 0 || now_ns < w->next_ns)
		return false;
	if (n > VQOSD_WATCHDOG_LCORES)
		n = VQOSD_WATCHDOG_LCORES;
	w->stuck = -1;
	for (unsigned int k = 0; k < n && !first; k++)
		/* an lcore that polls makes passes; one that sleeps, sleeps */
		if (k >= w->n || (passes[k] == w->passes[k] && sleeps[k] == w->sleeps[k])) {
			w->stuck = (int)k;
			break;
		}
	for (unsigned int k = 0; k < n; k++) {
		w->passes[k] = passes[k];
		w->sleeps[k] = sleeps[k];
	}
	w->n = n;
	w->next_ns = now_ns + w->period_ns;
	return w->stuck < 0;
}

int vqosd_watchdog_timeout_ms(const struct vqosd_watchdog *w, uint64_t now_ns)
{
	if (w->period_ns == 0)
		return -1;
	if (now_ns >= w->next_ns)
		return 0;
	/* rounded up: waking a little late is better than spinning early */
	return (int)((w->next_ns - now_ns + 999999) / 1000000);
}

void vqosd_notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

void vqosd_notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void vqosd_notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
		   (unsigned long long)ts.tv_sec * 1000000ull +
			   (unsigned long long)ts.tv_nsec / 1000);
}

void vqosd_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
