/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The audit line of a change: who (the peer's uid and pid, from its
 * credentials at connect), what (the request's words) and how it ended.
 * The daemon logs it; here only the text, which a hostile request cannot
 * bend: every byte of it is printable ASCII, and what came from the peer is
 * quoted as a JSON string where it is not plain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/vqos_ctl.h"

/* A word written as it is: nothing a reader could take for punctuation of
 * the line, or for another line. */
static bool plain(const char *s, bool word)
{
	if (word && *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch >= 0x7f)
			return false;
		if (word && !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || strchr("._,:=/@+%-", ch) != NULL))
			return false;
	}
	return true;
}

struct line {
	char *buf;
	size_t len, at;
};

static void put(struct line *l, const char *s)
{
	size_t n = strlen(s);

	if (l->at + n >= l->len)
		n = l->at + 1 < l->len ? l->len - l->at - 1 : 0;
	memcpy(l->buf + l->at, s, n);
	l->at += n;
	l->buf[l->at] = '\0';
}

/* @p s as it is when plain(), else as a JSON string in ASCII. */
static void put_quoted(struct line *l, const char *s, bool word)
{
	json_t *j;
	char *q;

	if (plain(s, word)) {
		put(l, s);
		return;
	}
	j = json_string(s);
	if (j == NULL) {
		/* not UTF-8 (a message cut inside a character): '?' for each
		 * byte that is not ASCII */
		char *a = strdup(s);

		for (char *p = a; p != NULL && *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		j = a != NULL ? json_string(a) : NULL;
		free(a);
	}
	q = j != NULL ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	put(l, q != NULL ? q : "\"?\"");
	free(q);
	json_decref(j);
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case EEXIST:
		return "EEXIST";
	case ENOSPC:
		return "ENOSPC";
	case EBUSY:
		return "EBUSY";
	case ENOMEM:
		return "ENOMEM";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case ERANGE:
		return "ERANGE";
	default:
		return NULL;
	}
}

void vqos_ctl_audit_line(char *buf, size_t len, uid_t uid, pid_t pid, int argc,
			 const char *const *argv, int status, const char *what)
{
	struct line l = { .buf = buf, .len = len };
	char num[48];
	const char *name;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (uid == (uid_t)-1)
		snprintf(num, sizeof(num), "uid ?");
	else
		snprintf(num, sizeof(num), "uid %u", (unsigned int)uid);
	put(&l, num);
	if (pid <= 0)
		snprintf(num, sizeof(num), " pid ?:");
	else
		snprintf(num, sizeof(num), " pid %d:", (int)pid);
	put(&l, num);
	for (int i = 0; i < argc; i++) {
		put(&l, " ");
		put_quoted(&l, argv[i], true);
	}
	if (status == 0) {
		put(&l, ": accepted");
	} else {
		name = errno_name(-status);
		if (name != NULL)
			snprintf(num, sizeof(num), ": refused (%s)", name);
		else
			snprintf(num, sizeof(num), ": refused (%d)", status);
		put(&l, num);
	}
	if (what != NULL && what[0] != '\0') {
		put(&l, ": ");
		put_quoted(&l, what, false);
	}
	/* cut: say so */
	if (l.at + 1 >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}
