/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl/client.c against a listener that never answers: vqos_ctl_call() gives
 * up after its timeout with a reason, instead of hanging its caller (a
 * stopped vqosd, SIGSTOP or a wedged control thread, looks like this). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl/vqos_ctl.h"

static char path[108];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A socket that listens and never accepts: connect succeeds (the backlog
 * takes it), the request is buffered, no reply ever comes. */
static int silent_listener(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "/tmp/vqos-test-client-%d.sock", (int)getpid());
	unlink(path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void test_no_reply_times_out(void **unused)
{
	const char *argv[] = { "port", "show" };
	char err[256] = "";
	json_t *result = (json_t *)1;
	int fd = silent_listener();
	double t0, took;
	int ret;

	vqos_ctl_call_set_timeout(300);
	t0 = now_s();
	ret = vqos_ctl_call(path, 2, argv, false, &result, err, sizeof(err));
	took = now_s() - t0;
	vqos_ctl_call_set_timeout(VQOS_CTL_CALL_TIMEOUT_MS);
	close(fd);
	unlink(path);
	assert_int_equal(ret, VQOS_CTL_CALL_NO_TALK);
	assert_null(result);
	assert_non_null(strstr(err, "no reply from"));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "300 ms"));
	/* it waited its timeout, and not much more (a loaded machine may add
	 * some: the bound only tells a timeout from a hang) */
	assert_true(took >= 0.3);
	assert_true(took < 10.0);
}

/* A zero timeout is refused: the default stays. */
static void test_zero_timeout_keeps_default(void **unused)
{
	const char *argv[] = { "port", "show" };
	char err[256] = "";
	json_t *result = NULL;
	int fd = silent_listener();
	double t0;

	vqos_ctl_call_set_timeout(200);
	vqos_ctl_call_set_timeout(0);
	t0 = now_s();
	assert_int_equal(vqos_ctl_call(path, 2, argv, false, &result, err, sizeof(err)),
			 VQOS_CTL_CALL_NO_TALK);
	assert_true(now_s() - t0 >= 0.2);
	assert_non_null(strstr(err, "200 ms"));
	vqos_ctl_call_set_timeout(VQOS_CTL_CALL_TIMEOUT_MS);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_reply_times_out),
		cmocka_unit_test(test_zero_timeout_keeps_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
