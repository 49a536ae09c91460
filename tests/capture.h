/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helper of the command-line tests (tests/daemon, tests/tools): the first
 * line that a call writes on stdout or stderr, caught in a temporary file.
 * Include after <cmocka.h>.
 *
 *	struct capture c;
 *	capture_start(&c, STDERR_FILENO);
 *	rc = parse(argc, argv);
 *	capture_end(&c, line, sizeof(line));
 */
#ifndef VQOS_TESTS_CAPTURE_H
#define VQOS_TESTS_CAPTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct capture {
	FILE *f;   /* where the stream goes meanwhile */
	int fd;	   /* STDOUT_FILENO or STDERR_FILENO */
	int saved; /* the stream's own file, to put back */
};

/** From now on what is written on @p fd goes to @p c. */
static inline void capture_start(struct capture *c, int fd)
{
	c->f = tmpfile();
	assert_non_null(c->f);
	c->fd = fd;
	fflush(NULL);
	c->saved = dup(fd);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->f), fd) >= 0);
}

/** Put the stream back; the first line written meanwhile, without its
 *  newline, in @p line ("" when none). */
static inline void capture_end(struct capture *c, char *line, size_t len)
{
	fflush(NULL);
	assert_true(dup2(c->saved, c->fd) >= 0);
	close(c->saved);
	rewind(c->f);
	line[0] = '\0';
	if (fgets(line, (int)len, c->f) != NULL)
		line[strcspn(line, "\n")] = '\0';
	fclose(c->f);
}

/** Most words of a command line capture_argv() builds, argv[0] included. */
#define CAPTURE_ARGV_MAX 16

/** @p argv = { @p prog, the NULL-terminated words of @p ap, NULL }, at most
 *  CAPTURE_ARGV_MAX words; returns argc. */
static inline int capture_argv(char **argv, char *prog, va_list ap)
{
	int argc = 1;

	argv[0] = prog;
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	assert_true(argc < CAPTURE_ARGV_MAX);
	return argc;
}

#endif /* VQOS_TESTS_CAPTURE_H */
