/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The man pages (man/) and vqosctl's bash completion agree with the code:
 *
 *  - every command of vqosctl's table (`list-commands`, dispatched here as
 *    the server does) has an entry in vqosctl(8), and its words and the
 *    literal words of its usage are in vqosctl(8) and in the completion;
 *  - every long option that vqosd, vqosctl, vqos-gen, vqos-exporter and
 *    vqos-ovs print in --help is in their page (and vqosctl's in the
 *    completion);
 *  - every key of the configuration file, as conf/ knows them (the "known
 *    here" list of an unknown key, and vqos_conf_class_keys()), has an entry
 *    of its own in vqosd.conf(5), and is in conf/README.md;
 *  - vqosd.conf(5)'s example and README.md's sample are the packaged
 *    dist/vqosd.conf, setting for setting;
 *  - every key the CNI plugin takes (its configuration's, runtimeConfig's
 *    bandwidth, its CNI_ARGS), as its messages for an unknown one list
 *    them, has an entry in vqos-cni(8), and the example network
 *    configuration there is cni/examples/vqos.conflist.
 *
 * A page is read as text with roff's escapes taken out (\fB, \-, ...); an
 * "entry" is the tag line of a .TP.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/vqos_conf.h"
#include "ctl/vqos_ctl.h"

#define SRC(path) VQOS_SOURCE_DIR "/" path

/* The whole of file @p path (malloc'ed, NUL-terminated). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* What `CMD` prints on stdout (malloc'ed). */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	size_t n;

	assert_non_null(p);
	assert_non_null(buf);
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0)
		len += n;
	buf[len] = '\0';
	assert_int_equal(pclose(p), 0);
	return buf;
}

/* A man page as text: font escapes out, \- as -, \(mu and \e as one char. */
static char *page(const char *path)
{
	char *s = slurp(path), *o = s;

	for (const char *i = s; *i != '\0';) {
		if (i[0] == '\\' && i[1] == 'f' && i[2] != '\0') {
			i += 3;
		} else if (i[0] == '\\' && i[1] == '(' && i[2] != '\0' && i[3] != '\0') {
			*o++ = '~';
			i += 4;
		} else if (i[0] == '\\' && (i[1] == '-' || i[1] == 'e' || i[1] == '&')) {
			if (i[1] != '&')
				*o++ = i[1] == '-' ? '-' : '\\';
			i += 2;
		} else {
			*o++ = *i++;
		}
	}
	*o = '\0';
	return s;
}

/* Whether @p word stands in @p text as a word of its own: not inside a
 * longer one of [A-Za-z0-9_-]. */
static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(text, word); p != NULL; p = strstr(p + 1, word)) {
		bool before =
			p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '-');
		bool after = isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '-';

		if (!before && !after)
			return true;
	}
	return false;
}

/* The tag lines of @p text's .TP entries, joined by newlines (malloc'ed). */
static char *tags(const char *text)
{
	char *out = calloc(1, strlen(text) + 1);
	const char *p = text;

	assert_non_null(out);
	while ((p = strstr(p, ".TP\n")) != NULL) {
		const char *line = p + 4, *end = strchr(line, '\n');
		size_t n = end != NULL ? (size_t)(end - line) : strlen(line);

		strncat(out, line, n);
		strcat(out, "\n");
		p = line;
	}
	return out;
}

/* Whether @p second is one of the |-alternatives of @p word ("add|change"). */
static bool alternative(char *word, const char *second)
{
	char *save = NULL;

	for (char *a = strtok_r(word, "|", &save); a != NULL; a = strtok_r(NULL, "|", &save))
		if (strcmp(a, second) == 0)
			return true;
	return false;
}

/* Whether a tag line of @p tagtext holds @p first and, after it, @p second
 * (NULL: none) as one of the alternatives of the next word. */
static bool has_command(const char *tagtext, const char *first, const char *second)
{
	char *copy = strdup(tagtext), *save = NULL;
	bool found = false;

	assert_non_null(copy);
	for (char *line = strtok_r(copy, "\n", &save); line != NULL && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *words[64], *s2 = NULL;
		int n = 0;

		for (char *w = strtok_r(line, " \"", &s2); w != NULL && n < 64;
		     w = strtok_r(NULL, " \"", &s2))
			words[n++] = w;
		for (int i = 0; i < n && !found; i++)
			if (strcmp(words[i], first) == 0)
				found = second == NULL ||
					(i + 1 < n && alternative(words[i + 1], second));
	}
	free(copy);
	return found;
}

/* Call @p fn for each literal word of a usage ("tx|rx name NAME [parent P]":
 * tx, rx, name, parent): lower-case words, brackets and | taken apart. */
static void usage_words(const char *usage, void (*fn)(const char *word, void *arg), void *arg)
{
	char *copy = strdup(usage), *save = NULL;

	assert_non_null(copy);
	for (char *w = strtok_r(copy, " []|", &save); w != NULL; w = strtok_r(NULL, " []|", &save))
		if (islower((unsigned char)w[0]) || (w[0] == '-' && w[1] == '-'))
			fn(w, arg);
	free(copy);
}

struct docs {
	char *man;	  /* vqosctl(8) as text */
	char *man_tags;	  /* its .TP tags */
	char *completion; /* ctl/bash-completion/vqosctl */
	const char *command;
};

static void check_usage_word(const char *word, void *arg)
{
	const struct docs *d = arg;

	if (!has_word(d->man, word))
		fail_msg("vqosctl(8) lacks '%s' of `%s`'s usage", word, d->command);
	if (!has_word(d->completion, word))
		fail_msg("the bash completion lacks '%s' of `%s`'s usage", word, d->command);
}

static void test_commands(void **state)
{
	static const struct vqos_ctl_env env = { 0 };
	struct vqos_ctl_request req = { .argc = 1, .argv = { "list-commands" } };
	struct docs d = {
		.man = page(SRC("man/vqosctl.8")),
		.completion = slurp(SRC("ctl/bash-completion/vqosctl")),
	};
	json_t *result, *row;
	char err[256];
	size_t i;

	d.man_tags = tags(d.man);
	assert_int_equal(vqos_ctl_dispatch(&env, &req, &result, err, sizeof(err)), 0);
	assert_true(json_array_size(result) > 10);
	json_array_foreach (result, i, row) {
		const char *cmd = json_string_value(json_object_get(row, "command"));
		const char *usage = json_string_value(json_object_get(row, "usage"));
		char first[64], *second;

		snprintf(first, sizeof(first), "%s", cmd);
		second = strchr(first, ' ');
		if (second != NULL)
			*second++ = '\0';
		if (!has_command(d.man_tags, first, second))
			fail_msg("vqosctl(8) has no entry for `%s`", cmd);
		if (!has_word(d.completion, first) ||
		    (second != NULL && !has_word(d.completion, second)))
			fail_msg("the bash completion lacks `%s`", cmd);
		d.command = cmd;
		usage_words(usage, check_usage_word, &d);
	}
	json_decref(result);
	free(d.man);
	free(d.man_tags);
	free(d.completion);
}

/* Each --option in @p help is in @p text. */
static void check_options(const char *help, const char *text, const char *what)
{
	char opt[64];

	for (const char *p = strstr(help, "--"); p != NULL; p = strstr(p + 2, "--")) {
		size_t n = 2;

		while (islower((unsigned char)p[n]) || p[n] == '-')
			n++;
		if (n == 2 || n >= sizeof(opt) || (p > help && p[-1] != ' ' && p[-1] != ','))
			continue;
		memcpy(opt, p, n);
		opt[n] = '\0';
		if (!has_word(text, opt))
			fail_msg("%s lacks %s", what, opt);
	}
}

static void test_options(void **state)
{
	static const struct {
		const char *help, *page;
	} tools[] = {
		{ VQOSD_BIN " --help", SRC("man/vqosd.8") },
		{ VQOSCTL_BIN " --help", SRC("man/vqosctl.8") },
		{ VQOS_GEN_BIN " -- --help", SRC("man/vqos-gen.1") },
		{ VQOS_EXPORTER_BIN " --help", SRC("man/vqos-exporter.8") },
		{ VQOS_OVS_BIN " --help", SRC("man/vqos-ovs.8") },
		{ VQOS_CNI_BIN " --help", SRC("man/vqos-cni.8") },
	};
	char *completion = slurp(SRC("ctl/bash-completion/vqosctl"));

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		char *help = run(tools[i].help), *text = page(tools[i].page);

		assert_non_null(strstr(help, "--help"));
		check_options(help, text, tools[i].page);
		if (i == 1)
			check_options(help, completion, "the bash completion");
		free(help);
		free(text);
	}
	free(completion);
}

/* The keys conf/ knows in a group: the list of its message for an unknown key. */
static void known_keys(const char *text, char *keys, size_t len)
{
	struct vqos_conf *conf = NULL;
	char err[1024];
	const char *k, *e;

	assert_int_equal(vqos_conf_load_string(text, "t.conf", &conf, err, sizeof(err)), -EINVAL);
	k = strstr(err, "known here: ");
	assert_non_null(k);
	k += strlen("known here: ");
	e = strchr(k, ')');
	assert_non_null(e);
	snprintf(keys, len, "%.*s", (int)(e - k), k);
}

/* Each key of @p keys ("a, b, c") has an entry in @p man_tags and stands in
 * conf/README.md as `PREFIXkey`. */
static void check_keys(const char *keys, const char *prefix, const char *man_tags,
		       const char *readme)
{
	char *copy = strdup(keys), *save = NULL, want[128];

	assert_non_null(copy);
	for (char *k = strtok_r(copy, ", ", &save); k != NULL; k = strtok_r(NULL, ", ", &save)) {
		if (!has_word(man_tags, k))
			fail_msg("vqosd.conf(5) has no entry for key '%s%s'", prefix, k);
		snprintf(want, sizeof(want), "`%s%s`", prefix, k);
		if (strstr(readme, want) == NULL)
			fail_msg("conf/README.md lacks %s", want);
	}
	free(copy);
}

static void test_conf_keys(void **state)
{
	static const struct {
		const char *text, *prefix;
	} groups[] = {
		{ "zz = 1;", "" },
		{ "control = { zz = 1; };", "control." },
		{ "datapath = { zz = 1; };", "datapath." },
		{ "ports = ( { zz = 1; } );", "ports.[i]." },
		{ "ports = ( { cost = { zz = 1; }; } );", "ports.[i].cost." },
		{ "tx = { zz = 1; };", "tx." },
	};
	char *text = page(SRC("man/vqosd.conf.5")), *man_tags = tags(text);
	char *readme = slurp(SRC("conf/README.md")), keys[512];

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		known_keys(groups[i].text, keys, sizeof(keys));
		check_keys(keys, groups[i].prefix, man_tags, readme);
	}
	/* the class keys, a table of their own in the README */
	check_keys(vqos_conf_class_keys(), "", man_tags, readme);
	free(text);
	free(man_tags);
	free(readme);
}

/* @p s without # comments and blanks: the settings alone, to compare. */
static void settings(char *s)
{
	char *o = s;
	bool comment = false, quoted = false;

	for (char *i = s; *i != '\0'; i++) {
		if (*i == '"' && !comment)
			quoted = !quoted;
		if (*i == '#' && !quoted)
			comment = true;
		if (*i == '\n')
			comment = false;
		if (!comment && (quoted || !isspace((unsigned char)*i)))
			*o++ = *i;
	}
	*o = '\0';
}

/* The text in @p text between the first @p start after @p after and the
 * next @p end, as settings. */
static char *block(char *text, const char *after, const char *start, const char *end)
{
	char *a = strstr(text, after), *b, *e;

	assert_non_null(a);
	b = strstr(a, start);
	assert_non_null(b);
	b += strlen(start);
	e = strstr(b, end);
	assert_non_null(e);
	*e = '\0';
	settings(b);
	return b;
}

/* The packaged file is vqosd.conf(5)'s example and README.md's sample. */
static void test_example(void **state)
{
	char *text = page(SRC("man/vqosd.conf.5")), *shipped = slurp(SRC("dist/vqosd.conf"));
	char *readme = slurp(SRC("README.md"));

	settings(shipped);
	assert_string_equal(block(text, ".SH EXAMPLE\n", ".nf\n.RS\n", ".RE\n"), shipped);
	assert_string_equal(block(readme, "This sample is", "```\n", "```\n"), shipped);
	free(text);
	free(shipped);
	free(readme);
}

/* The details of the CNI plugin's error for ADD of @p conf with CNI_ARGS
 * @p args: the keys it knows, when it is told of one it does not. */
static char *cni_known(const char *conf, const char *args)
{
	char cmd[1024], *out;
	json_t *o;

	snprintf(cmd, sizeof(cmd),
		 "echo '%s' | CNI_COMMAND=ADD CNI_CONTAINERID=c CNI_IFNAME=e CNI_NETNS=/n "
		 "CNI_ARGS='%s' " VQOS_CNI_BIN "; true",
		 conf, args);
	out = run(cmd);
	o = json_loads(out, 0, NULL);
	assert_non_null(json_string_value(json_object_get(o, "details")));
	free(out);
	out = strdup(json_string_value(json_object_get(o, "details")));
	json_decref(o);
	return out;
}

static void test_cni_keys(void **state)
{
	static const struct {
		const char *conf, *args, *after;
	} cases[] = {
		/* the configuration's keys */
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"zz\": 1}", "", "" },
		/* runtimeConfig.bandwidth's */
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"runtimeConfig\": "
		  "{\"bandwidth\": {\"zz\": 1}}}",
		  "", "known: " },
		/* CNI_ARGS' */
		{ "{\"cniVersion\": \"1.0.0\", \"name\": \"n\"}", "VQOS_ZZ=1", "" },
	};
	char *text = page(SRC("man/vqos-cni.8")), *man_tags = tags(text), *example, *man_ex;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *known = cni_known(cases[i].conf, cases[i].args), *save = NULL;
		int n = 0;

		for (char *k = strtok_r(known + strlen(cases[i].after), ", ", &save); k != NULL;
		     k = strtok_r(NULL, ", ", &save), n++)
			if (!has_word(man_tags, k))
				fail_msg("vqos-cni(8) has no entry for key '%s'", k);
		assert_true(n >= 4);
		free(known);
	}
	free(man_tags);
	/* the page's example is the one shipped */
	example = slurp(SRC("cni/examples/vqos.conflist"));
	settings(example);
	man_ex = block(text, ".SH EXAMPLES\n", ".nf\n.RS\n", ".RE\n");
	assert_string_equal(man_ex, example);
	free(example);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),  cmocka_unit_test(test_options),
		cmocka_unit_test(test_conf_keys), cmocka_unit_test(test_example),
		cmocka_unit_test(test_cni_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
