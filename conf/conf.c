/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosd's configuration file, read with libconfig.
 *
 * libconfig parses the text into a tree of settings; this file walks the tree
 * and fills struct vqos_conf. Every group of the file (the top level, control,
 * one port, one direction) is described by one table of keys: a key's name, the function
 * that reads it and where in the struct it goes, and whether it is required.
 * read_group() walks a group's settings in file order, refuses a name its
 * table does not know, hands each known one to its reader, then refuses a
 * missing required key. Adding a key is adding a row and, when its type is
 * new, a reader.
 *
 * Checks that span settings (duplicate names, sockets and uplinks; a port
 * socket that is the control socket) run once a group is read.
 *
 * A class group's members go through vqos_conf_class_set() (class.c), the
 * code vqosctl's `class add ... rate 10mbit` words go through, after a check
 * of their libconfig type. Whether the classes make a tree is not checked
 * here: policy/ checks the tree as a whole, for the file and for vqosctl's
 * edits alike.
 *
 * Before any of that, every integer setting is checked to be the value its
 * literal in the text says (check_literals(); conf/literals.c): libconfig
 * 1.5 keeps the low 32 bits of an integer written without L, silently.
 *
 * Every error names where it is: "FILE:LINE: key 'ports.[1].name': what",
 * with FILE and LINE from libconfig and the key written as a libconfig path
 * (list elements as [N], counted from 0). A missing key names the line of the
 * group that lacks it; a missing top-level key has no line. Syntax errors are
 * libconfig's own: "FILE:LINE: syntax error".
 */
#include "conf/vqos_conf.h"
#include "conf/vqos_units.h"
#include "literals.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/** The integer literals of one file the settings came from. */
struct source {
	/** The file as libconfig names it; NULL for the main text. */
	char *file;
	struct conf_literals lit;
};

/** Where messages go and what the input is called. */
struct reader {
	/** File name for settings libconfig knows no file of. */
	const char *name;
	/** Directory @include paths are relative to, or NULL. */
	const char *dir;
	/** Message buffer (may be NULL) and its size. */
	char *err;
	size_t errlen;
	/** The main text, and the files settings came from (check_literals). */
	const char *text;
	struct source *src;
	size_t n_src;
};

/**
 * Reads setting @p s into @p dst, a field of @p size bytes in the struct of
 * its group. Returns 0 or -EINVAL with the message set.
 */
typedef int (*conf_read_fn)(struct reader *r, const config_setting_t *s, void *dst, size_t size);

/** One key of a group. */
struct conf_key {
	/** Setting name. */
	const char *name;
	/** Its reader. */
	conf_read_fn read;
	/** Field of the group's struct the reader fills, and its size. */
	size_t offset;
	size_t size;
	/** NULL when optional; else what is wrong when it is missing. */
	const char *missing;
};

#define FIELD(type, field) offsetof(type, field), sizeof(((type *)0)->field)

/*
 * The file a setting or an error is in: libconfig knows the name of an
 * @include'd file as written, relative to the include directory, and no name
 * for the main text.
 */
static const char *file_name(const struct reader *r, const char *file, char *buf, size_t len)
{
	if (file == NULL)
		return r->name;
	if (file[0] == '/' || r->dir == NULL)
		return file;
	snprintf(buf, len, "%s/%s", r->dir, file);
	return buf;
}

static void __attribute__((format(printf, 2, 3))) set_err(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err == NULL || r->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
}

/* Append the libconfig path of @p s ("ports.[1].name") to buf at pos. */
static size_t setting_path(const config_setting_t *s, char *buf, size_t len, size_t pos)
{
	const config_setting_t *parent = config_setting_parent(s);
	const char *dot;
	int n;

	if (parent == NULL)
		return pos;
	pos = setting_path(parent, buf, len, pos);
	dot = config_setting_is_root(parent) ? "" : ".";
	if (config_setting_name(s) != NULL)
		n = snprintf(buf + pos, len - pos, "%s%s", dot, config_setting_name(s));
	else
		n = snprintf(buf + pos, len - pos, "%s[%d]", dot, config_setting_index(s));
	if (n < 0 || (size_t)n >= len - pos)
		return len - 1;
	return pos + (size_t)n;
}

/*
 * Report a problem with setting @p s, or with its member @p member when not
 * NULL (a member that is missing). Returns -EINVAL.
 */
static int __attribute__((format(printf, 4, 5)))
conf_err(struct reader *r, const config_setting_t *s, const char *member, const char *fmt, ...)
{
	unsigned int line = config_setting_source_line(s);
	char path[256] = "";
	char buf[PATH_MAX];
	const char *file;
	char what[256];
	size_t pos;
	va_list ap;

	pos = setting_path(s, path, sizeof(path), 0);
	if (member != NULL)
		snprintf(path + pos, sizeof(path) - pos, "%s%s", pos > 0 ? "." : "", member);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	file = file_name(r, config_setting_source_file(s), buf, sizeof(buf));
	if (line > 0)
		set_err(r, "%s:%u: key '%s': %s", file, line, path, what);
	else
		set_err(r, "%s: key '%s': %s", file, path, what);
	return -EINVAL;
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "nothing";
	}
}

static int want_type(struct reader *r, const config_setting_t *s, int type, const char *expected)
{
	if (config_setting_type(s) == type)
		return 0;
	return conf_err(r, s, NULL, "expected %s, got %s", expected,
			type_name(config_setting_type(s)));
}

/* A string setting, non-empty: an empty string is never meant. */
static int get_string(struct reader *r, const config_setting_t *s, const char **out)
{
	int rc = want_type(r, s, CONFIG_TYPE_STRING, "a string");

	if (rc < 0)
		return rc;
	*out = config_setting_get_string(s);
	if ((*out)[0] == '\0')
		return conf_err(r, s, NULL, "empty");
	return 0;
}

/*
 * A string into the char array @p dst of @p size bytes. Uplink devargs are
 * read by this alone: they go to rte_dev_probe() as they are.
 */
static int read_string(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	const char *v;
	int rc = get_string(r, s, &v);

	if (rc < 0)
		return rc;
	/* the struct's fixed-size field must hold it */
	if (strlen(v) >= size)
		return conf_err(r, s, NULL, "longer than %zu characters", size - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* Port name: [A-Za-z0-9_.-], vqosctl's handle for the port. */
static int read_name(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	const char *v = dst;
	int rc = read_string(r, s, dst, size);

	/* names are typed on command lines and printed in columns */
	if (rc == 0 &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
		    strlen(v))
		rc = conf_err(r, s, NULL, "'%s' has a character outside [A-Za-z0-9_.-]", v);
	return rc;
}

/* UNIX socket path: absolute, so it does not depend on vqosd's directory. */
static int read_path(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	const char *v = dst;
	int rc = read_string(r, s, dst, size);

	if (rc == 0 && v[0] != '/')
		rc = conf_err(r, s, NULL, "'%s' is not an absolute path", v);
	return rc;
}

/* Port mode: "server" (false) or "client" (true), into a bool. */
static int read_mode(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	bool *client = dst;
	const char *v;
	int rc = get_string(r, s, &v);

	if (rc < 0)
		return rc;
	if (strcmp(v, "server") == 0)
		*client = false;
	else if (strcmp(v, "client") == 0)
		*client = true;
	else
		return conf_err(r, s, NULL, "'%s' is neither \"server\" nor \"client\"", v);
	return 0;
}

/* EAL arguments: an array or a list of non-empty strings. */
static int read_eal(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	struct vqos_conf *conf = dst;
	int n = config_setting_length(s);
	int i;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_err(r, s, NULL, "expected an array of strings, got %s",
				type_name(config_setting_type(s)));
	/* eal_argv has a fixed size */
	if (n > VQOS_CONF_EAL_MAX)
		return conf_err(r, s, NULL, "%d arguments, at most %d", n, VQOS_CONF_EAL_MAX);
	for (i = 0; i < n; i++) {
		const config_setting_t *arg = config_setting_get_elem(s, (unsigned int)i);
		const char *v;
		int rc = get_string(r, arg, &v);

		if (rc < 0)
			return rc;
		conf->eal_argv[conf->eal_argc] = strdup(v);
		if (conf->eal_argv[conf->eal_argc] == NULL) {
			set_err(r, "%s: out of memory", r->name);
			return -ENOMEM;
		}
		conf->eal_argc++;
	}
	return 0;
}

static int read_group(struct reader *r, const config_setting_t *g, const struct conf_key *keys,
		      void *obj);

/* Permission bits as chmod(1) writes them in octal: "0660", "660". */
static int read_octal(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	unsigned int *mode = dst;
	unsigned long v;
	const char *text;
	char *end;
	int rc = get_string(r, s, &text);

	if (rc < 0)
		return rc;
	v = strtoul(text, &end, 8);
	/* a mode is at most 4 octal digits; a sign or a blank is never one */
	if (*end != '\0' || strspn(text, "01234567") != strlen(text) || v > 07777)
		return conf_err(r, s, NULL, "'%s' is not an octal mode such as \"0660\"", text);
	*mode = (unsigned int)v;
	return 0;
}

bool vqos_conf_mac_valid(const char *text)
{
	/* six pairs of hex digits, five colons; bit 0 of the first byte clear */
	if (strlen(text) != VQOS_CONF_MAC_MAX - 1)
		return false;
	for (int i = 0; i < VQOS_CONF_MAC_MAX - 1; i++)
		if (i % 3 == 2 ? text[i] != ':' : !isxdigit((unsigned char)text[i]))
			return false;
	/* the group bit is the low bit of the second digit */
	return ((isdigit((unsigned char)text[1]) ? text[1] - '0'
						 : tolower((unsigned char)text[1]) - 'a' + 10) &
		1) == 0;
}

/* A port's container MAC. */
static int read_mac(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	int rc = read_string(r, s, dst, size);

	if (rc == 0 && !vqos_conf_mac_valid(dst))
		rc = conf_err(r, s, NULL,
			      "'%s' is not a unicast MAC address such as \"02:00:00:00:00:01\"",
			      (const char *)dst);
	return rc;
}

static const struct conf_key control_keys[] = {
	{ "socket", read_path, FIELD(struct vqos_conf, ctl_socket), NULL },
	{ "owner", read_string, FIELD(struct vqos_conf, ctl_owner), NULL },
	{ "group", read_string, FIELD(struct vqos_conf, ctl_group), NULL },
	{ "mode", read_octal, FIELD(struct vqos_conf, ctl_mode), NULL },
	{ "admin", read_string, FIELD(struct vqos_conf, ctl_admin), NULL },
	{ NULL, NULL, 0, 0, NULL },
};

static int read_control(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	struct vqos_conf *conf = dst;
	int rc = want_type(r, s, CONFIG_TYPE_GROUP, "a group");

	/* vqosd resolves the names; its messages about them give this line */
	conf->ctl_line = (unsigned int)config_setting_source_line(s);
	return rc < 0 ? rc : read_group(r, s, control_keys, dst);
}

/* A time ("500us", "1ms"), up to VQOS_CONF_SLEEP_MAX_US. */
static int read_sleep_max(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	uint64_t *us = dst;
	const char *text;
	int rc = get_string(r, s, &text);

	if (rc < 0)
		return rc;
	if (vqos_parse_time(text, us) < 0)
		return conf_err(r, s, NULL, "'%s' is not a time such as \"500us\" or \"1ms\"",
				text);
	if (*us > VQOS_CONF_SLEEP_MAX_US)
		return conf_err(r, s, NULL, "'%s' is over %ums, the most an lcore may sleep", text,
				VQOS_CONF_SLEEP_MAX_US / 1000);
	return 0;
}

static const struct conf_key datapath_keys[] = {
	{ "sleep_max", read_sleep_max, FIELD(struct vqos_conf, sleep_max_us), NULL },
	{ NULL, NULL, 0, 0, NULL },
};

static int read_datapath(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	int rc = want_type(r, s, CONFIG_TYPE_GROUP, "a group");

	return rc < 0 ? rc : read_group(r, s, datapath_keys, dst);
}

/*
 * A port's cost model: a group of `packet` (an integer, cycles) and `byte`
 * (an integer or a float, cycles), each optional, checked as vqosctl's
 * `port cost` words are (vqos_conf_cost_parse(), conf/cost.c).
 */
static int read_cost(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	const char *text[2] = { NULL, NULL }; /* packet, byte */
	char buf[2][40], what[160];
	int rc = want_type(r, s, CONFIG_TYPE_GROUP, "a group");

	for (unsigned int i = 0; rc == 0 && i < (unsigned int)config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, i);
		int type = config_setting_type(m), k;
		bool is_int = type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64;

		k = strcmp(config_setting_name(m), "packet") == 0 ? 0
		    : strcmp(config_setting_name(m), "byte") == 0 ? 1
								  : -1;
		/* strict: a misspelt key must not be silently ignored */
		if (k < 0)
			return conf_err(r, m, NULL, "unknown key (known here: packet, byte)");
		/* cycles per packet are whole; per byte a fraction is the rule */
		if (!is_int && (k == 0 || type != CONFIG_TYPE_FLOAT))
			return conf_err(r, m, NULL, "expected %s, got %s",
					k == 0 ? "an integer" : "a number", type_name(type));
		if (is_int)
			snprintf(buf[k], sizeof(buf[k]), "%lld", config_setting_get_int64(m));
		else
			snprintf(buf[k], sizeof(buf[k]), "%.17g", config_setting_get_float(m));
		text[k] = buf[k];
	}
	if (rc == 0 && vqos_conf_cost_parse(text[0], text[1], dst, what, sizeof(what)) < 0)
		rc = conf_err(r, s, NULL, "%s", what);
	return rc;
}

static const struct conf_key port_keys[] = {
	{ "name", read_name, FIELD(struct vqos_conf_port, name), "missing: every port needs one" },
	{ "socket", read_path, FIELD(struct vqos_conf_port, socket),
	  "missing: every port needs one" },
	{ "mode", read_mode, FIELD(struct vqos_conf_port, client), NULL },
	{ "uplink", read_string, FIELD(struct vqos_conf_port, uplink),
	  "missing: every port needs one" },
	{ "mac", read_mac, FIELD(struct vqos_conf_port, mac), NULL },
	{ "cost", read_cost, FIELD(struct vqos_conf_port, cost), NULL },
	{ NULL, NULL, 0, 0, NULL },
};

/*
 * Refuse the string member @p key of port @p i when an earlier port has the
 * same. Names, sockets and macs are each one port's own; an uplink is too,
 * but for ports that all give a mac (check_shared()). A mac is the same in
 * upper or lower case: the data path reads it as six bytes.
 */
static int check_unique(struct reader *r, const config_setting_t *ports, unsigned int i,
			const char *key, const char *(*get)(const struct vqos_conf_port *),
			const struct vqos_conf_port *all)
{
	int (*cmp)(const char *, const char *) = strcmp(key, "mac") == 0 ? strcasecmp : strcmp;
	unsigned int j;

	for (j = 0; j < i; j++) {
		const config_setting_t *a, *b;

		if (cmp(get(&all[i]), get(&all[j])) != 0)
			continue;
		a = config_setting_get_member(config_setting_get_elem(ports, j), key);
		b = config_setting_get_member(config_setting_get_elem(ports, i), key);
		return conf_err(r, b, NULL, "'%s' is already used by ports.[%u] (line %u)",
				get(&all[i]), j, config_setting_source_line(a));
	}
	return 0;
}

static const char *port_name(const struct vqos_conf_port *p)
{
	return p->name;
}

static const char *port_socket(const struct vqos_conf_port *p)
{
	return p->socket;
}

static const char *port_mac(const struct vqos_conf_port *p)
{
	return p->mac;
}

/* Port @p i may share its uplink with earlier ports if they all have a mac:
 * frames from the uplink go to the port whose mac they are sent to. */
static int check_shared(struct reader *r, const config_setting_t *ports, unsigned int i,
			const struct vqos_conf_port *all)
{
	for (unsigned int j = 0; j < i; j++) {
		const config_setting_t *a, *b;

		if (strcmp(all[i].uplink, all[j].uplink) != 0 ||
		    (all[i].mac[0] != '\0' && all[j].mac[0] != '\0'))
			continue;
		a = config_setting_get_member(config_setting_get_elem(ports, j), "uplink");
		b = config_setting_get_member(config_setting_get_elem(ports, i), "uplink");
		return conf_err(r, b, NULL,
				"'%s' is already used by ports.[%u] (line %u): ports that share "
				"an uplink each need a mac",
				all[i].uplink, j, config_setting_source_line(a));
	}
	return 0;
}

/* Ports: a non-empty list of groups. */
static int read_ports(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	struct vqos_conf *conf = dst;
	unsigned int n = (unsigned int)config_setting_length(s);
	unsigned int i;

	/* a daemon without ports has nothing to do: surely a mistake */
	if ((config_setting_is_list(s) || config_setting_is_array(s)) && n == 0)
		return conf_err(r, s, NULL, "no ports: the list is empty");
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_err(r, s, NULL, "expected a list of groups ( { ... }, ... ), got %s",
				type_name(config_setting_type(s)));
	conf->ports = calloc(n, sizeof(*conf->ports));
	if (conf->ports == NULL) {
		set_err(r, "%s: out of memory", r->name);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *p = config_setting_get_elem(s, i);
		int rc = want_type(r, p, CONFIG_TYPE_GROUP, "a group");

		if (rc == 0)
			rc = read_group(r, p, port_keys, &conf->ports[i]);
		if (rc == 0)
			rc = check_unique(r, s, i, "name", port_name, conf->ports);
		if (rc == 0)
			rc = check_unique(r, s, i, "socket", port_socket, conf->ports);
		if (rc == 0)
			rc = check_shared(r, s, i, conf->ports);
		if (rc == 0 && conf->ports[i].mac[0] != '\0')
			rc = check_unique(r, s, i, "mac", port_mac, conf->ports);
		if (rc < 0)
			return rc;
		conf->n_ports++;
	}
	return 0;
}

static bool in_list(const char *key, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(key, *list) == 0)
			return true;
	return false;
}

/*
 * The libconfig types a class key takes: names, rates and choices are strings
 * ("10mbit"), counts are integers, sizes either ("64k" or 65536), switches
 * booleans. Returns what to say when @p type is not one of them, or NULL.
 */
static const char *class_key_wrong_type(const char *key, int type)
{
	static const char *const ints[] = { "prio", "limit", NULL };
	static const char *const sizes[] = { "burst", "cburst", "quantum", NULL };
	static const char *const bools[] = { "overcommit", "mark", NULL };
	bool is_int = type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64;

	if (in_list(key, ints))
		return is_int ? NULL : "an integer";
	if (in_list(key, sizes))
		return is_int || type == CONFIG_TYPE_STRING ? NULL : "a string or an integer";
	if (in_list(key, bools))
		return type == CONFIG_TYPE_BOOL ? NULL : "a boolean";
	return type == CONFIG_TYPE_STRING ? NULL : "a string";
}

/* One member of a class group, through vqos_conf_class_set() as vqosctl's words. */
static int read_class_member(struct reader *r, const config_setting_t *s, struct vqos_conf_class *c)
{
	const char *key = config_setting_name(s);
	int type = config_setting_type(s);
	const char *want = class_key_wrong_type(key, type);
	const char *text;
	char num[32];
	char what[192];
	int rc;

	/* a probe with an empty text changes nothing and tells an unknown key */
	if (vqos_conf_class_set(c, key, "", what, sizeof(what)) == -ENOENT)
		return conf_err(r, s, NULL, "unknown key (known here: %s)", vqos_conf_class_keys());
	if (want != NULL)
		return conf_err(r, s, NULL, "expected %s, got %s", want, type_name(type));
	if (type == CONFIG_TYPE_STRING) {
		text = config_setting_get_string(s);
	} else if (type == CONFIG_TYPE_BOOL) {
		text = config_setting_get_bool(s) ? "true" : "false";
	} else {
		long long v = config_setting_get_int64(s);

		/* vqos_conf_class_set() takes no sign */
		if (v < 0)
			return conf_err(r, s, NULL, "%lld is negative", v);
		snprintf(num, sizeof(num), "%lld", v);
		text = num;
	}
	rc = vqos_conf_class_set(c, key, text, what, sizeof(what));
	if (rc < 0)
		return conf_err(r, s, NULL, "%s", what);
	return 0;
}

/* A class tree: a list of groups, each a class. */
static int read_classes(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	struct vqos_conf_dir *d = dst;
	unsigned int n = (unsigned int)config_setting_length(s);

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_err(r, s, NULL, "expected a list of groups ( { ... }, ... ), got %s",
				type_name(config_setting_type(s)));
	if (n == 0)
		return 0;
	d->classes = calloc(n, sizeof(*d->classes));
	if (d->classes == NULL) {
		set_err(r, "%s: out of memory", r->name);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, i);
		struct vqos_conf_class *c = &d->classes[i];
		int rc = want_type(r, g, CONFIG_TYPE_GROUP, "a group");

		for (unsigned int j = 0; rc == 0 && j < (unsigned int)config_setting_length(g); j++)
			rc = read_class_member(r, config_setting_get_elem(g, j), c);
		/* classes are named in the tree, in vqosctl and in messages */
		if (rc == 0 && config_setting_get_member(g, "name") == NULL)
			rc = conf_err(r, g, "name", "missing: every class needs one");
		if (rc < 0)
			return rc;
		c->line = config_setting_source_line(g);
		d->n_classes++;
	}
	return 0;
}

/* A qdisc kind: the names sched/ knows (conf includes no sched header). */
static int read_qdisc(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	static const char *const kinds[] = { "htb", "sched", "police", "fifo", NULL };
	const char *v;
	int rc = get_string(r, s, &v);

	if (rc < 0)
		return rc;
	if (!in_list(v, kinds))
		return conf_err(r, s, NULL,
				"'%s' is not a qdisc (\"htb\", \"sched\", \"police\" or \"fifo\")",
				v);
	snprintf(dst, size, "%s", v);
	return 0;
}

static const struct conf_key dir_keys[] = {
	{ "qdisc", read_qdisc, FIELD(struct vqos_conf_dir, qdisc), NULL },
	{ "classes", read_classes, 0, 0, NULL },
	{ NULL, NULL, 0, 0, NULL },
};

/* A direction: its qdisc ("htb" when not given) and its class tree. */
static int read_dir(struct reader *r, const config_setting_t *s, void *dst, size_t size)
{
	struct vqos_conf_dir *d = dst;
	int rc = want_type(r, s, CONFIG_TYPE_GROUP, "a group");

	if (rc < 0)
		return rc;
	snprintf(d->qdisc, sizeof(d->qdisc), "htb");
	d->line = config_setting_source_line(config_setting_get_member(s, "qdisc") != NULL
						     ? config_setting_get_member(s, "qdisc")
						     : s);
	return read_group(r, s, dir_keys, d);
}

static const struct conf_key top_keys[] = {
	{ "eal", read_eal, 0, 0, NULL },
	{ "control", read_control, 0, 0, NULL },
	{ "datapath", read_datapath, 0, 0, NULL },
	{ "ports", read_ports, 0, 0, "no ports: at least one port is required" },
	{ "tx", read_dir, FIELD(struct vqos_conf, tx), NULL },
	{ "rx", read_dir, FIELD(struct vqos_conf, rx), NULL },
	{ NULL, NULL, 0, 0, NULL },
};

static const struct conf_key *find_key(const struct conf_key *keys, const char *name)
{
	for (; keys->name != NULL; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

/* "a, b, c": the keys a group knows, for the unknown-key message. */
static void key_names(const struct conf_key *keys, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (; keys->name != NULL && pos < len; keys++) {
		int n = snprintf(buf + pos, len - pos, "%s%s", pos > 0 ? ", " : "", keys->name);

		if (n < 0)
			return;
		pos += (size_t)n;
	}
}

/*
 * Read group @p g into @p obj by @p keys: each setting in file order, then
 * the required keys that are missing.
 */
static int read_group(struct reader *r, const config_setting_t *g, const struct conf_key *keys,
		      void *obj)
{
	unsigned int n = (unsigned int)config_setting_length(g);
	const struct conf_key *k;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		int rc;

		k = find_key(keys, config_setting_name(s));
		/* strict: a misspelt key must not be silently ignored */
		if (k == NULL) {
			char known[256];

			key_names(keys, known, sizeof(known));
			return conf_err(r, s, NULL, "unknown key (known here: %s)", known);
		}
		rc = k->read(r, s, (char *)obj + k->offset, k->size);
		if (rc < 0)
			return rc;
	}
	for (k = keys; k->name != NULL; k++)
		if (k->missing != NULL && config_setting_get_member(g, k->name) == NULL)
			return conf_err(r, g, k->name, "%s", k->missing);
	return 0;
}

/* The embedded default's eal, for a file that has none. */
static int default_eal(struct reader *r, struct vqos_conf *conf)
{
	const config_setting_t *eal;
	config_t cfg;
	int rc = -EINVAL;

	config_init(&cfg);
	if (config_read_string(&cfg, vqos_conf_default_text()) != CONFIG_TRUE)
		set_err(r, "embedded default:%d: %s", config_error_line(&cfg),
			config_error_text(&cfg));
	else if ((eal = config_lookup(&cfg, "eal")) == NULL)
		set_err(r, "embedded default: no eal");
	else
		rc = read_eal(r, eal, conf, 0);
	config_destroy(&cfg);
	return rc;
}

/* Checks across groups, once everything is read. */
static int check_conf(struct reader *r, const config_setting_t *root, const struct vqos_conf *conf)
{
	const config_setting_t *ports = config_setting_get_member(root, "ports");
	unsigned int i;

	for (i = 0; i < conf->n_ports; i++) {
		const config_setting_t *p = config_setting_get_elem(ports, i);

		/* one socket cannot be vhost-user and the control channel */
		if (strcmp(conf->ports[i].socket, conf->ctl_socket) == 0)
			return conf_err(r, config_setting_get_member(p, "socket"), NULL,
					"'%s' is the control socket", conf->ctl_socket);
	}
	return 0;
}

/* A whole file into a string; NULL (errno set) if it cannot be read. */
static char *read_text(FILE *f)
{
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap), *b;

	while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 > 0)
			continue;
		b = realloc(buf, cap * 2);
		if (b == NULL)
			free(buf);
		buf = b;
		cap *= 2;
	}
	if (buf == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[len] = '\0';
	/* the text ends at a NUL: nothing after one may be left unread */
	if (strlen(buf) != len) {
		free(buf);
		errno = EILSEQ;
		return NULL;
	}
	return buf;
}

/* The literals of the file setting @p s is in, scanned once; NULL: no memory. */
static struct conf_literals *literals_of(struct reader *r, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);
	struct source *src;
	char buf[PATH_MAX];
	char *text = NULL;
	FILE *f;

	for (size_t i = 0; i < r->n_src; i++)
		if (file == NULL ? r->src[i].file == NULL
				 : r->src[i].file != NULL && strcmp(r->src[i].file, file) == 0)
			return &r->src[i].lit;
	src = realloc(r->src, (r->n_src + 1) * sizeof(*src));
	if (src == NULL)
		return NULL;
	r->src = src;
	src = &r->src[r->n_src];
	memset(src, 0, sizeof(*src));
	src->file = file != NULL ? strdup(file) : NULL;
	if (file != NULL && src->file == NULL)
		return NULL;
	r->n_src++;
	/* an @include'd file libconfig read: read it again for its literals (if
	 * it cannot be, its integers are not compared) */
	if (file != NULL && (f = fopen(file_name(r, file, buf, sizeof(buf)), "r")) != NULL) {
		text = read_text(f);
		fclose(f);
	}
	if ((file == NULL || text != NULL) &&
	    conf_literals_scan(file == NULL ? r->text : text, &src->lit) < 0) {
		free(text);
		return NULL;
	}
	free(text);
	return &src->lit;
}

static void sources_free(struct reader *r)
{
	for (size_t i = 0; i < r->n_src; i++) {
		free(r->src[i].file);
		conf_literals_free(&r->src[i].lit);
	}
	free(r->src);
	r->src = NULL;
	r->n_src = 0;
}

/*
 * Every integer setting under @p s is the value its literal says: libconfig
 * reads "4294967396" without L as 100, and clamps anything beyond 64 bits.
 * The k-th integer setting of a file is its k-th literal (conf/literals.c);
 * where a reading is not one libconfig could have made of its literal, the
 * two are out of step and the rest of that file is not compared.
 */
static int check_literals(struct reader *r, const config_setting_t *s)
{
	int type = config_setting_type(s);
	const struct conf_literal *lit;
	struct conf_literals *l;
	long long got;

	if (type == CONFIG_TYPE_GROUP || type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY) {
		for (int i = 0; i < config_setting_length(s); i++) {
			int rc = check_literals(r, config_setting_get_elem(s, (unsigned int)i));

			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return 0;
	l = literals_of(r, s);
	if (l == NULL) {
		set_err(r, "%s: out of memory", r->name);
		return -ENOMEM;
	}
	if (l->n == 0)
		return 0;
	lit = &l->v[l->next++ % l->n];
	got = config_setting_get_int64(s);
	if (!conf_literal_reads_as(lit, got)) {
		l->n = 0;
		return 0;
	}
	if (!lit->exact)
		return conf_err(r, s, NULL, "%s is beyond the 64-bit integers libconfig reads",
				lit->text);
	if (lit->clamped != got)
		return conf_err(
			r, s, NULL,
			"%s does not fit 32 bits, and libconfig reads it as %lld: write %sL",
			lit->text, got, lit->text);
	return 0;
}

/* Turn a parsed libconfig tree into a new struct vqos_conf. */
static int conf_build(struct reader *r, config_t *cfg, struct vqos_conf **out)
{
	const config_setting_t *root = config_root_setting(cfg);
	struct vqos_conf *conf;
	int rc;

	conf = calloc(1, sizeof(*conf));
	if (conf == NULL) {
		set_err(r, "%s: out of memory", r->name);
		return -ENOMEM;
	}
	snprintf(conf->ctl_socket, sizeof(conf->ctl_socket), "%s", VQOS_CONF_DEFAULT_CTL_SOCKET);
	snprintf(conf->ctl_owner, sizeof(conf->ctl_owner), "%s", VQOS_CONF_DEFAULT_CTL_OWNER);
	snprintf(conf->ctl_group, sizeof(conf->ctl_group), "%s", VQOS_CONF_DEFAULT_CTL_GROUP);
	snprintf(conf->ctl_admin, sizeof(conf->ctl_admin), "%s", VQOS_CONF_DEFAULT_CTL_GROUP);
	conf->ctl_mode = VQOS_CONF_DEFAULT_CTL_MODE;
	conf->sleep_max_us = VQOS_CONF_SLEEP_MAX_UNSET;
	conf->file = strdup(r->name);
	if (conf->file == NULL) {
		free(conf);
		set_err(r, "%s: out of memory", r->name);
		return -ENOMEM;
	}
	rc = check_literals(r, root);
	sources_free(r);
	if (rc == 0)
		rc = read_group(r, root, top_keys, conf);
	if (rc == 0 && config_setting_get_member(root, "eal") == NULL)
		rc = default_eal(r, conf);
	if (rc == 0)
		rc = check_conf(r, root, conf);
	if (rc < 0) {
		vqos_conf_free(conf);
		return rc;
	}
	*out = conf;
	return 0;
}

/* libconfig's own message for a text it could not parse. */
static int parse_err(struct reader *r, const config_t *cfg)
{
	char buf[PATH_MAX];

	set_err(r, "%s:%d: %s", file_name(r, config_error_file(cfg), buf, sizeof(buf)),
		config_error_line(cfg), config_error_text(cfg));
	return -EINVAL;
}

int vqos_conf_load_string(const char *text, const char *name, struct vqos_conf **out, char *err,
			  size_t errlen)
{
	struct reader r = {
		.name = name != NULL ? name : "<string>", .err = err, .errlen = errlen, .text = text
	};
	config_t cfg;
	int rc;

	if (text == NULL || out == NULL) {
		set_err(&r, "%s: no text or no output", r.name);
		return -EINVAL;
	}
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE)
		rc = parse_err(&r, &cfg);
	else
		rc = conf_build(&r, &cfg, out);
	config_destroy(&cfg);
	return rc;
}

int vqos_conf_load_file(const char *path, struct vqos_conf **out, char *err, size_t errlen)
{
	struct reader r = { .name = path != NULL ? path : "<null>", .err = err, .errlen = errlen };
	struct stat st;
	config_t cfg;
	char *dir, *text;
	FILE *f;
	int rc;

	if (path == NULL || out == NULL) {
		set_err(&r, "%s: no path or no output", r.name);
		return -EINVAL;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		set_err(&r, "%s: %s", path, strerror(-rc));
		return rc;
	}
	/* a directory opens for reading on Linux but reads as an error */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		set_err(&r, "%s: %s", path, strerror(EISDIR));
		return -EISDIR;
	}
	/* parsed from the text that check_literals() reads */
	text = read_text(f);
	rc = text == NULL ? -errno : 0;
	fclose(f);
	if (rc == -EILSEQ) {
		set_err(&r, "%s: a NUL byte: not a text file", path);
		return -EINVAL;
	}
	if (rc < 0) {
		set_err(&r, "%s: %s", path, strerror(-rc));
		return rc;
	}
	dir = strdup(path);
	if (dir == NULL) {
		free(text);
		set_err(&r, "%s: out of memory", path);
		return -ENOMEM;
	}
	config_init(&cfg);
	/* @include "x" means x next to this file, not in vqosd's directory */
	r.dir = dirname(dir);
	r.text = text;
	config_set_include_dir(&cfg, r.dir);
	if (config_read_string(&cfg, text) != CONFIG_TRUE)
		rc = parse_err(&r, &cfg);
	else
		rc = conf_build(&r, &cfg, out);
	config_destroy(&cfg);
	free(dir);
	free(text);
	return rc;
}

void vqos_conf_free(struct vqos_conf *conf)
{
	int i;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->eal_argc; i++)
		free(conf->eal_argv[i]);
	free(conf->ports);
	free(conf->tx.classes);
	free(conf->rx.classes);
	free(conf->file);
	free(conf);
}
