/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to conf/: the integer literals of a text, as the file writes them
 * (conf/literals.c says why).
 */
#ifndef VQOS_CONF_LITERALS_H
#define VQOS_CONF_LITERALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** One integer literal: decimal or hex, with or without L. */
struct conf_literal {
	/** Its value clamped to 64 bits as libconfig clamps it: a decimal to
	 *  INT64_MIN..INT64_MAX, a hex to 0..UINT64_MAX then as int64_t. */
	int64_t clamped;
	/** The value is what it says: it needed no clamping, and a hex is
	 *  at most INT64_MAX. */
	bool exact;
	/** Its text, for messages (cut to the size). */
	char text[32];
};

/** The integer literals of one text, in order, and a cursor over them. */
struct conf_literals {
	struct conf_literal *v;
	size_t n;
	/** Index of the next literal the walk of the settings meets. */
	size_t next;
};

/**
 * List the integer literals of @p text as libconfig's scanner finds them
 * (outside strings and comments, not part of a name or a float).
 * @return 0 or -ENOMEM; free @p out with conf_literals_free()
 */
int conf_literals_scan(const char *text, struct conf_literals *out);

/** Free what conf_literals_scan() allocated; a zeroed list is fine. */
void conf_literals_free(struct conf_literals *l);

/**
 * Whether libconfig may have read @p lit as @p got: exactly, clamped to 64
 * bits, or cut to 32 bits (libconfig 1.5 reads an integer without L into an
 * int, keeping the low 32 bits). false means the walk of the settings and
 * the scan are not in step.
 */
bool conf_literal_reads_as(const struct conf_literal *lit, int64_t got);

#endif /* VQOS_CONF_LITERALS_H */
