/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run-time changes carried over to a file read again: a three-way merge of
 * the file as vqosd last read it (base), the running state (base and what
 * vqosctl changed since) and the file now.
 *
 * Item by item: each port by name, each class by direction and name, each
 * direction's qdisc kind, datapath.sleep_max. An item the run-time changes
 * left alone is the file's now; one they changed (added, removed, edited)
 * takes their version, unless the file changed it too since: then the
 * file's stays, and the report says so. EAL and control are the file's
 * (vqosctl cannot change them).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vqos_conf.h"

/* The report, "; "-separated. */
struct report {
	char *buf;
	size_t len;
};

static void __attribute__((format(printf, 2, 3))) say(struct report *r, const char *fmt, ...)
{
	size_t at = strlen(r->buf);
	va_list ap;

	if (r->len == 0 || at + 1 >= r->len)
		return;
	if (at > 0)
		at += (size_t)snprintf(r->buf + at, r->len - at, "; ");
	if (at + 1 >= r->len)
		return;
	va_start(ap, fmt);
	vsnprintf(r->buf + at, r->len - at, fmt, ap);
	va_end(ap);
}

static bool port_equal(const struct vqos_conf_port *a, const struct vqos_conf_port *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->socket, b->socket) == 0 &&
	       a->client == b->client && strcmp(a->uplink, b->uplink) == 0 &&
	       strcmp(a->mac, b->mac) == 0 && a->cost.set == b->cost.set &&
	       (!a->cost.set || (a->cost.packet == b->cost.packet && a->cost.byte == b->cost.byte));
}

/* Equal as the file would say them: the fields given, not where. */
static bool class_equal(const struct vqos_conf_class *a, const struct vqos_conf_class *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->parent, b->parent) == 0 &&
	       strcmp(a->port, b->port) == 0 && a->rate_bps == b->rate_bps &&
	       a->ceil_bps == b->ceil_bps && a->rate_pps == b->rate_pps &&
	       a->ceil_pps == b->ceil_pps && a->burst == b->burst && a->cburst == b->cburst &&
	       a->quantum == b->quantum && a->limit == b->limit && a->prio == b->prio &&
	       a->meter == b->meter && a->aqm == b->aqm && a->overcommit == b->overcommit &&
	       a->mark == b->mark && a->set == b->set && a->match.pcp == b->match.pcp &&
	       a->match.dscp == b->match.dscp && a->rate_cps == b->rate_cps &&
	       a->ceil_cps == b->ceil_cps;
}

/*
 * The items of one kind, as arrays of @p size-byte elements named at
 * offset 0 (a port's and a class's name both are), with their equality.
 */
struct items {
	void *v;
	size_t n;
};

struct kind {
	const char *what; /* "port", "tx class" */
	size_t size;
	bool (*equal)(const void *a, const void *b);
	void (*carried)(void *e); /* NULL, or what changes in an item carried over */
};

static bool port_eq(const void *a, const void *b)
{
	return port_equal(a, b);
}

static bool class_eq(const void *a, const void *b)
{
	return class_equal(a, b);
}

/* A class carried over is not at any line of the file. */
static void class_carried(void *e)
{
	((struct vqos_conf_class *)e)->line = 0;
}

static void *find(const struct kind *k, const struct items *it, const char *name)
{
	for (size_t i = 0; i < it->n; i++) {
		char *e = (char *)it->v + i * k->size;

		if (strcmp(e, name) == 0)
			return e;
	}
	return NULL;
}

/* Merge one kind into @p file; @return run-time changes carried, or -ENOMEM. */
static int merge_items(const struct kind *k, const struct items *base, const struct items *run,
		       struct items *file, struct report *r)
{
	int carried = 0;

	/* added or edited at run time */
	for (size_t i = 0; i < run->n; i++) {
		const char *e = (const char *)run->v + i * k->size;
		const char *b = find(k, base, e), *f = find(k, file, e);

		if (b != NULL && k->equal(b, e))
			continue; /* the run-time changes left it alone */
		if (f != NULL && k->equal(f, e))
			continue; /* the file says it too now */
		if (b == NULL && f != NULL) {
			say(r,
			    "%s %s: added at run time, and the file has its own: the file's kept",
			    k->what, e);
			continue;
		}
		if (b != NULL && (f == NULL || !k->equal(f, b))) {
			say(r, "%s %s: changed at run time and in the file: the file's kept",
			    k->what, e);
			continue;
		}
		if (f == NULL) {
			void *v = realloc(file->v, (file->n + 1) * k->size);

			if (v == NULL)
				return -ENOMEM;
			file->v = v;
			f = (char *)v + file->n++ * k->size;
		}
		memcpy((char *)f, e, k->size);
		if (k->carried != NULL)
			k->carried((char *)f);
		carried++;
	}
	/* removed at run time */
	for (size_t i = 0; i < base->n; i++) {
		const char *b = (const char *)base->v + i * k->size;
		char *f = find(k, file, b);

		if (find(k, run, b) != NULL || f == NULL)
			continue;
		if (!k->equal(f, b)) {
			say(r,
			    "%s %s: removed at run time and changed in the file: the file's kept",
			    k->what, b);
			continue;
		}
		memmove(f, f + k->size,
			(size_t)((char *)file->v + file->n * k->size - (f + k->size)));
		file->n--;
		carried++;
	}
	return carried;
}

/* A setting: the run-time value when only the run time changed it. */
static int merge_setting(const char *what, bool base_eq_run, bool base_eq_file, bool run_eq_file,
			 struct report *r)
{
	if (base_eq_run || run_eq_file)
		return 0;
	if (!base_eq_file) {
		say(r, "%s: changed at run time and in the file: the file's kept", what);
		return 0;
	}
	return 1;
}

int vqos_conf_merge(const struct vqos_conf *base, const struct vqos_conf *running,
		    struct vqos_conf *file, char *report, size_t len)
{
	static const struct kind port_kind = { "port", sizeof(struct vqos_conf_port), port_eq,
					       NULL };
	static const struct kind class_kind[2] = {
		{ "tx class", sizeof(struct vqos_conf_class), class_eq, class_carried },
		{ "rx class", sizeof(struct vqos_conf_class), class_eq, class_carried },
	};
	struct report r = { report, len };
	int carried = 0, n;

	if (len > 0)
		report[0] = '\0';
	{
		struct items b = { base->ports, base->n_ports },
			     u = { running->ports, running->n_ports },
			     f = { file->ports, file->n_ports };

		n = merge_items(&port_kind, &b, &u, &f, &r);
		file->ports = f.v;
		file->n_ports = f.n;
		if (n < 0)
			return n;
		carried += n;
	}
	for (int dir = 0; dir < 2; dir++) {
		const struct vqos_conf_dir *bd = dir ? &base->rx : &base->tx;
		const struct vqos_conf_dir *ud = dir ? &running->rx : &running->tx;
		struct vqos_conf_dir *fd = dir ? &file->rx : &file->tx;
		struct items b = { bd->classes, bd->n_classes }, u = { ud->classes, ud->n_classes },
			     f = { fd->classes, fd->n_classes };

		n = merge_items(&class_kind[dir], &b, &u, &f, &r);
		fd->classes = f.v;
		fd->n_classes = f.n;
		if (n < 0)
			return n;
		carried += n;
		if (merge_setting(dir ? "rx qdisc" : "tx qdisc", strcmp(bd->qdisc, ud->qdisc) == 0,
				  strcmp(bd->qdisc, fd->qdisc) == 0,
				  strcmp(ud->qdisc, fd->qdisc) == 0, &r)) {
			memcpy(fd->qdisc, ud->qdisc, sizeof(fd->qdisc));
			carried++;
		}
	}
	if (merge_setting("datapath.sleep_max", base->sleep_max_us == running->sleep_max_us,
			  base->sleep_max_us == file->sleep_max_us,
			  running->sleep_max_us == file->sleep_max_us, &r)) {
		file->sleep_max_us = running->sleep_max_us;
		carried++;
	}
	return carried;
}
