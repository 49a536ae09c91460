/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One scrape of vqos-exporter: three requests to vqosd, the ones vqosctl
 * sends for `port show`, `class show -s` and `lcore show`, and the page in
 * Prometheus' text exposition format 0.0.4. The families of ports, classes
 * and lcores are ctl's (vqos_ctl_prometheus(), the text of `vqosctl stats
 * --prometheus`); the exporter adds its own two:
 *
 *   vqos_up          1 when vqosd answered all three, 0 when not: the page is
 *                    served either way, so that a vqosd that is down is a
 *                    value to alert on rather than a failed scrape;
 *   vqos_build_info  1, labelled with the exporter's version.
 *
 * The three replies are three moments of vqosd, milliseconds apart: a
 * port's counters and its class's may differ by what moved in between.
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdbool.h>
#include <stdlib.h>

#include "ctl/vqos_ctl.h"
#include "metrics.h"
#include "vqos_version.h"

int vqos_exporter_page(FILE *f, const char *version, const json_t *ports, const json_t *classes,
		       const json_t *lcores)
{
	bool up = ports != NULL && classes != NULL && lcores != NULL;

	fprintf(f,
		"# HELP vqos_up 1 if vqosd answered this scrape over its control socket, 0 if "
		"not.\n"
		"# TYPE vqos_up gauge\n"
		"vqos_up %d\n"
		"# HELP vqos_build_info vqos-exporter's version (the value is 1).\n"
		"# TYPE vqos_build_info gauge\n"
		"vqos_build_info{version=\"",
		up);
	vqos_ctl_prometheus_escape(f, version);
	fputs("\"} 1\n", f);
	if (up && vqos_ctl_prometheus(f, ports, classes, lcores) < 0)
		return -1;
	return ferror(f) ? -1 : 0;
}

char *vqos_exporter_scrape(const char *socket, size_t *len, char *err, size_t errlen)
{
	static const char *const requests[3][2] = {
		{ "port", "show" },
		{ "class", "show" },
		{ "lcore", "show" },
	};
	json_t *result[3] = { NULL, NULL, NULL };
	char *page = NULL;
	int ret = 0;
	FILE *f;

	err[0] = '\0';
	for (int i = 0; i < 3 && ret == 0; i++)
		ret = vqos_ctl_call(socket, 2, requests[i], true, &result[i], err, errlen);
	if (ret != 0)
		for (int i = 0; i < 3; i++) {
			json_decref(result[i]);
			result[i] = NULL;
		}
	f = open_memstream(&page, len);
	if (f != NULL) {
		ret = vqos_exporter_page(f, VQOS_VERSION, result[0], result[1], result[2]);
		if (fclose(f) != 0 || ret < 0) {
			free(page);
			page = NULL;
		}
	}
	for (int i = 0; i < 3; i++)
		json_decref(result[i]);
	return page;
}
