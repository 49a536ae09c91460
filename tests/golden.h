/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helper of the tests that read files of the tree: samples to parse
 * (golden_read()), and outputs held to a file byte for byte (golden_check(),
 * tests/ctl/output/, tests/exporter/): such a file is an interface, and a
 * change to it is made on purpose, by running the test with
 * VQOS_OUTPUT_WRITE set in the environment, which writes the files instead
 * of comparing. Include after <cmocka.h>.
 */
#ifndef VQOS_TESTS_GOLDEN_H
#define VQOS_TESTS_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>

/** The whole of file @p path (malloc'ed, NUL-terminated). */
static inline char *golden_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;

	if (f == NULL)
		fail_msg("%s: cannot open", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

/** Compare @p text with the file @p path, or write it there. */
static inline void golden_check(const char *path, const char *text)
{
	char *want;
	FILE *f;

	if (getenv("VQOS_OUTPUT_WRITE") != NULL) {
		f = fopen(path, "w");
		assert_non_null(f);
		assert_true(fputs(text, f) >= 0);
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = golden_read(path);
	assert_string_equal(text, want);
	free(want);
}

#endif /* VQOS_TESTS_GOLDEN_H */
