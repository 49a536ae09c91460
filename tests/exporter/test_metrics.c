/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-exporter's page (exporter/metrics.c), byte for byte: from vqosd's
 * replies to port show, class show -s and lcore show, recorded from a real
 * vqosd with two classes under traffic (the .json files of tests/exporter/; port b
 * renamed so that its name holds a double quote, a backslash and a
 * newline), against tests/exporter/metrics.txt; and the page of a vqosd
 * that does not answer. Prometheus and dashboards read these names: a
 * change to the file is a change of vqos's interface, made on purpose. With
 * VQOS_OUTPUT_WRITE set the test writes the files instead of comparing.
 *
 * Then a whole scrape over a real socket: a vqosd that is not there, and
 * ctl's server on fake state, whose page must carry what `vqosctl stats
 * --prometheus` says of the same state.
 */
#define _GNU_SOURCE /* open_memstream */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl/vqos_ctl.h"
#include "golden.h"
#include "metrics.h"

#define FIXTURE(name) VQOS_SOURCE_DIR "/tests/exporter/" name

static json_t *load(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	if (j == NULL)
		fail_msg("%s:%d: %s", path, e.line, e.text);
	return j;
}

/* vqos_exporter_page() of the replies (NULL: vqosd did not answer), malloc'ed. */
static char *page(const json_t *ports, const json_t *classes, const json_t *lcores)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(vqos_exporter_page(f, "1.2.3", ports, classes, lcores), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_page(void **state)
{
	json_t *ports = load(FIXTURE("port_show.json"));
	json_t *classes = load(FIXTURE("class_show.json"));
	json_t *lcores = load(FIXTURE("lcore_show.json"));
	char *text = page(ports, classes, lcores);

	golden_check(FIXTURE("metrics.txt"), text);
	/* whatever the file says: the odd name escaped, as the format has it */
	assert_non_null(strstr(text, "vqos_port_connected{port=\"b \\\"q\\\"\\\\z\\n\"} 1\n"));
	assert_non_null(strstr(text,
			       "vqos_class_bytes_total{dir=\"tx\",class=\"b \\\"q\\\"\\\\z\\n\","
			       "parent=\"root\",port=\"b \\\"q\\\"\\\\z\\n\"} "));
	assert_non_null(strstr(text, "vqos_up 1\n"));
	assert_non_null(strstr(text, "vqos_build_info{version=\"1.2.3\"} 1\n"));
	free(text);
	json_decref(ports);
	json_decref(classes);
	json_decref(lcores);
}

static void test_page_down(void **state)
{
	json_t *ports = load(FIXTURE("port_show.json"));
	char *text = page(NULL, NULL, NULL);

	golden_check(FIXTURE("metrics_down.txt"), text);
	assert_non_null(strstr(text, "vqos_up 0\n"));
	assert_null(strstr(text, "vqos_port_"));
	free(text);
	/* a part of the replies is no answer */
	text = page(ports, NULL, NULL);
	assert_non_null(strstr(text, "vqos_up 0\n"));
	assert_null(strstr(text, "vqos_port_"));
	free(text);
	json_decref(ports);
}

static void test_scrape_nobody(void **state)
{
	char err[256];
	size_t len;
	char *text = vqos_exporter_scrape("/nonexistent/vqosd.sock", &len, err, sizeof(err));

	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_non_null(strstr(text, "vqos_up 0\n"));
	assert_non_null(strstr(err, "cannot connect to /nonexistent/vqosd.sock"));
	free(text);
}

/* A vqosd's state for ctl's server: a port, its class, an lcore. */
static void one_port(void *aux, void (*cb)(void *arg, const struct vqos_ctl_port *port), void *arg)
{
	struct vqos_ctl_port p = { .name = "web",
				   .socket = "/run/vqos/web.sock",
				   .uplink = "net_null0",
				   .connected = true,
				   .lcore = 1 };

	p.tx.packets = 100;
	p.tx.bytes = 6400;
	cb(arg, &p);
}

static void one_class(void *aux, int dir, void (*cb)(void *arg, const struct vqos_ctl_class *c),
		      void *arg)
{
	if (dir == 0)
		cb(arg, &(struct vqos_ctl_class){ .kind = "htb",
						  .name = "web",
						  .port = "web",
						  .bytes = 6400,
						  .packets = 100,
						  .backlog_pkts = 3 });
}

static void one_lcore(void *aux, void (*cb)(void *arg, const struct vqos_ctl_lcore *lcore),
		      void *arg)
{
	cb(arg, &(struct vqos_ctl_lcore){
			.lcore = 1, .n_ports = 1, .busy_cycles = 500, .waited_ns = 1500000000 });
}

static const struct vqos_ctl_ops ops = { .port_foreach = one_port,
					 .class_foreach = one_class,
					 .lcore_foreach = one_lcore };

static atomic_bool serving;

static void *serve(void *srv)
{
	while (atomic_load(&serving))
		vqos_ctl_server_poll(srv, 10);
	return NULL;
}

static void test_scrape(void **state)
{
	struct vqos_ctl_request req = { .argc = 2, .argv = { "stats", "--prometheus" } };
	const struct vqos_ctl_env env = { .ops = &ops };
	char dir[64], path[96], err[256];
	struct vqos_ctl_server *srv;
	json_t *stats;
	pthread_t t;
	size_t len;
	char *text;

	snprintf(dir, sizeof(dir), "/tmp/vqos-test-exporter-%d", (int)getpid());
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	const struct vqos_ctl_server_params params = { .path = path, .ops = &ops, .mode = 0600 };
	assert_int_equal(vqos_ctl_server_create(&params, &srv, err, sizeof(err)), 0);
	atomic_store(&serving, true);
	assert_int_equal(pthread_create(&t, NULL, serve, srv), 0);

	text = vqos_exporter_scrape(path, &len, err, sizeof(err));

	atomic_store(&serving, false);
	pthread_join(t, NULL);
	vqos_ctl_server_free(srv);
	rmdir(dir);
	assert_non_null(text);
	assert_string_equal(err, "");
	assert_non_null(strstr(text, "vqos_up 1\n"));
	/* after vqos_up and vqos_build_info: what vqosctl stats --prometheus prints */
	assert_int_equal(vqos_ctl_dispatch(&env, &req, &stats, err, sizeof(err)), 0);
	assert_non_null(strstr(text, json_string_value(stats)));
	assert_non_null(strstr(text,
			       "vqos_class_backlog_packets{dir=\"tx\",class=\"web\",parent=\"\","
			       "port=\"web\"} 3\n"));
	assert_non_null(
		strstr(text, "vqos_lcore_cpu_wait_seconds_total{lcore=\"1\"} 1.500000000\n"));
	json_decref(stats);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_page_down),
		cmocka_unit_test(test_scrape_nobody),
		cmocka_unit_test(test_scrape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
