/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of daemon/service.c: the watchdog's rule on made-up lcore counters
 * (a ping only when every lcore's passes or sleeps moved), and the notices
 * as systemd receives them, on a datagram socket of our own named by
 * $NOTIFY_SOCKET.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "service.h"

#define MS 1000000ull

static struct vqosd_watchdog wd;

/* WatchdogSec=2s for this process, as systemd sets it. */
static void watchdog_2s(void)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_USEC", "2000000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	vqosd_watchdog_init(&wd, 1000 * MS);
}

static void test_no_watchdog(void **state)
{
	uint64_t c[1] = { 0 };

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	vqosd_watchdog_init(&wd, 0);
	assert_int_equal(wd.period_ns, 0);
	assert_int_equal(vqosd_watchdog_timeout_ms(&wd, 0), -1);
	assert_false(vqosd_watchdog_due(&wd, 0, c, c, 1));
}

/* Half the interval; the first check is due at once and has nothing to compare. */
static void test_period(void **state)
{
	uint64_t passes[2] = { 10, 20 }, sleeps[2] = { 0, 0 };

	watchdog_2s();
	assert_int_equal(wd.period_ns, 1000 * MS);
	assert_int_equal(vqosd_watchdog_timeout_ms(&wd, 1000 * MS), 0);
	assert_true(vqosd_watchdog_due(&wd, 1000 * MS, passes, sleeps, 2));
	/* not due again before a period */
	passes[0]++, passes[1]++;
	assert_int_equal(vqosd_watchdog_timeout_ms(&wd, 1500 * MS), 500);
	assert_int_equal(vqosd_watchdog_timeout_ms(&wd, 1999 * MS + 1), 1);
	assert_false(vqosd_watchdog_due(&wd, 1999 * MS, passes, sleeps, 2));
	assert_int_equal(wd.stuck, -1);
	assert_true(vqosd_watchdog_due(&wd, 2000 * MS, passes, sleeps, 2));
}

/* An lcore that polls moves its passes, one that sleeps its sleeps: either will do. */
static void test_moving(void **state)
{
	uint64_t passes[2] = { 10, 20 }, sleeps[2] = { 5, 5 };

	watchdog_2s();
	assert_true(vqosd_watchdog_due(&wd, 1000 * MS, passes, sleeps, 2));
	passes[0] += 1000; /* lcore 0 polls */
	sleeps[1] += 100;  /* lcore 1 sleeps */
	assert_true(vqosd_watchdog_due(&wd, 2000 * MS, passes, sleeps, 2));
	passes[0]++;
	passes[1]++;
	assert_true(vqosd_watchdog_due(&wd, 3000 * MS, passes, sleeps, 2));
}

/* An lcore whose counters stand still: no ping, and which one; pings again once it moves. */
static void test_stuck(void **state)
{
	uint64_t passes[3] = { 1, 2, 3 }, sleeps[3] = { 1, 2, 3 };

	watchdog_2s();
	assert_true(vqosd_watchdog_due(&wd, 1000 * MS, passes, sleeps, 3));
	passes[0]++;
	sleeps[2]++;
	assert_false(vqosd_watchdog_due(&wd, 2000 * MS, passes, sleeps, 3));
	assert_int_equal(wd.stuck, 1);
	/* the next check is a period later, against what this one saw */
	assert_int_equal(vqosd_watchdog_timeout_ms(&wd, 2000 * MS), 1000);
	assert_false(vqosd_watchdog_due(&wd, 3000 * MS, passes, sleeps, 3));
	assert_int_equal(wd.stuck, 0);
	passes[0]++, passes[1]++, passes[2]++;
	assert_true(vqosd_watchdog_due(&wd, 4000 * MS, passes, sleeps, 3));
	assert_int_equal(wd.stuck, -1);
}

/* A fake systemd: a datagram socket at a path, named by $NOTIFY_SOCKET. */
static int fake_systemd(char *path, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(path, len, "/tmp/vqos-test-notify-%d.sock", (int)getpid());
	unlink(path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	return fd;
}

/* The next notice, as text. */
static void receive(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, MSG_DONTWAIT);

	assert_true(n > 0);
	buf[n] = '\0';
}

static void test_notices(void **state)
{
	char path[108], buf[512];
	int fd = fake_systemd(path, sizeof(path));

	vqosd_notify_ready("2 port(s) up");
	receive(fd, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1\nSTATUS=2 port(s) up");
	vqosd_notify_watchdog();
	receive(fd, buf, sizeof(buf));
	assert_string_equal(buf, "WATCHDOG=1");
	vqosd_notify_reloading();
	receive(fd, buf, sizeof(buf));
	assert_memory_equal(buf,
			    "RELOADING=1\nMONOTONIC_USEC=", strlen("RELOADING=1\nMONOTONIC_USEC="));
	assert_non_null(strstr(buf, "\nSTATUS=reloading"));
	vqosd_notify_stopping();
	receive(fd, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1\nSTATUS=stopping");
	close(fd);
	unlink(path);
	/* without $NOTIFY_SOCKET (vqosd run by hand): nothing, and no harm */
	unsetenv("NOTIFY_SOCKET");
	vqosd_notify_ready("by hand");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_watchdog), cmocka_unit_test(test_period),
		cmocka_unit_test(test_moving),	    cmocka_unit_test(test_stuck),
		cmocka_unit_test(test_notices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
