/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl/audit.c: the audit line of a change, which no request can bend. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/vqos_ctl.h"

/* Every byte printable ASCII: one line, whatever came in. */
static void assert_one_ascii_line(const char *s)
{
	for (; *s != '\0'; s++)
		assert_true((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f);
}

static void test_accepted(void **state)
{
	const char *argv[] = { "class", "change", "tx", "name", "c1", "ceil", "900mbit" };
	char line[VQOS_CTL_AUDIT_MAX];

	vqos_ctl_audit_line(line, sizeof(line), 1000, 4242, 7, argv, 0, "class c1: applied");
	assert_string_equal(line, "uid 1000 pid 4242: class change tx name c1 ceil 900mbit: "
				  "accepted: class c1: applied");
}

static void test_refused(void **state)
{
	const char *argv[] = { "reload" };
	char line[VQOS_CTL_AUDIT_MAX];

	vqos_ctl_audit_line(line, sizeof(line), 65534, 77, 1, argv, -EPERM,
			    "reload: permission denied: changes need root or the control.admin "
			    "group");
	assert_string_equal(line, "uid 65534 pid 77: reload: refused (EPERM): reload: permission "
				  "denied: changes need root or the control.admin group");
	vqos_ctl_audit_line(line, sizeof(line), (uid_t)-1, 0, 1, argv, -EXDEV, "");
	assert_string_equal(line, "uid ? pid ?: reload: refused (-18)");
}

/* A name with a newline, a quote, spaces or non-ASCII cannot forge a line
 * or a word: it is written as a JSON string. */
static void test_hostile_words(void **state)
{
	const char *argv[] = { "port",	   "del", "x\nuid 0 pid 1: reload: accepted",
			       "a\"b",	   "",	  "caf\xc3\xa9",
			       "two words" };
	char line[VQOS_CTL_AUDIT_MAX];

	vqos_ctl_audit_line(line, sizeof(line), 0, 1, 7, argv, -ENOENT,
			    "port 'x\nuid 0' does not exist");
	assert_string_equal(line, "uid 0 pid 1: port del \"x\\nuid 0 pid 1: reload: accepted\" "
				  "\"a\\\"b\" \"\" \"caf\\u00E9\" \"two words\": refused (ENOENT): "
				  "\"port 'x\\nuid 0' does not exist\"");
	assert_one_ascii_line(line);
}

/* A message cut inside a UTF-8 character (not valid UTF-8): still a line. */
static void test_message_not_utf8(void **state)
{
	const char *argv[] = { "port", "show" };
	char line[VQOS_CTL_AUDIT_MAX];

	vqos_ctl_audit_line(line, sizeof(line), 0, 1, 2, argv, -EINVAL, "name caf\xc3");
	assert_string_equal(line, "uid 0 pid 1: port show: refused (EINVAL): \"name caf?\"");
}

/* Longer than the buffer: cut, saying so, still one ASCII line. */
static void test_cut(void **state)
{
	static char big[4000];
	const char *argv[] = { "class", "add", "tx", "name", big };
	char line[64];

	memset(big, 'a', sizeof(big) - 1);
	vqos_ctl_audit_line(line, sizeof(line), 0, 1, 5, argv, 0, "ok");
	assert_int_equal(strlen(line), sizeof(line) - 1);
	assert_string_equal(line + sizeof(line) - 4, "...");
	assert_memory_equal(line, "uid 0 pid 1: class add tx name aaaa", 35);
	assert_one_ascii_line(line);
	big[10] = '\n'; /* quoted, then cut inside its quotes */
	vqos_ctl_audit_line(line, sizeof(line), 0, 1, 5, argv, 0, "ok");
	assert_string_equal(line + sizeof(line) - 4, "...");
	assert_one_ascii_line(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),      cmocka_unit_test(test_refused),
		cmocka_unit_test(test_hostile_words), cmocka_unit_test(test_message_not_utf8),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
