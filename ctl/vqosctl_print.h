/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vqosctl's text view of a reply: aligned columns, as tc and ip print them,
 * rendered from the same JSON that -j prints.
 */
#ifndef VQOSCTL_PRINT_H
#define VQOSCTL_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/**
 * Print @p result, the reply to the command @p argv (sent with -s when
 * @p stats), as text.
 * @return 0, or -1 when @p f failed
 */
int vqosctl_print(FILE *f, int argc, const char *const argv[], bool stats, const json_t *result);

#endif /* VQOSCTL_PRINT_H */
