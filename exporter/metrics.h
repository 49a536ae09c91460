/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vqos-exporter's page: what one scrape of /metrics answers, from vqosd's
 * replies to `port show`, `class show -s` and `lcore show` over its control
 * socket.
 */
#ifndef VQOS_EXPORTER_METRICS_H
#define VQOS_EXPORTER_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/**
 * Write the page: vqos_up (1 when vqosd answered, that is when @p ports,
 * @p classes and @p lcores are all given, else 0), vqos_build_info with
 * label @p version, then, when vqosd answered, vqos_ctl_prometheus()'s
 * families of ports, classes and lcores.
 * @return 0, or -1 when @p f failed
 */
int vqos_exporter_page(FILE *f, const char *version, const json_t *ports, const json_t *classes,
		       const json_t *lcores);

/**
 * One scrape: ask the vqosd listening at @p socket, and write the page.
 * @param len   set to the page's length
 * @param err   why vqosd did not answer, when it did not; "" when it did
 * @return the page (malloc'ed), or NULL when out of memory
 */
char *vqos_exporter_scrape(const char *socket, size_t *len, char *err, size_t errlen);

#endif /* VQOS_EXPORTER_METRICS_H */
