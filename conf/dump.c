/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A configuration written back as the file's text: eal, control, ports.
 *
 * The class trees are not written here: the running ones are policy/'s
 * (vqosctl edits change them after the file was read), and
 * vqos_policy_dump() writes each direction's. Strings are escaped as
 * libconfig reads them back (\\, \" and \xNN for control characters), so
 * the text loads into an equal struct.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vqos_conf.h"
#include "conf/vqos_units.h"

/* An open_memstream with a sticky error. */
struct out {
	FILE *f;
	bool bad;
};

static void __attribute__((format(printf, 2, 3))) put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(o->f, fmt, ap) < 0)
		o->bad = true;
	va_end(ap);
}

/* A libconfig string literal. */
static void put_string(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			put(o, "\\x%02x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

int vqos_conf_dump(const struct vqos_conf *conf, char **text)
{
	struct out o = { 0 };
	size_t len;
	char *buf;

	if (conf == NULL || text == NULL)
		return -EINVAL;
	o.f = open_memstream(&buf, &len);
	if (o.f == NULL)
		return -ENOMEM;
	put(&o, "eal = [");
	for (int i = 0; i < conf->eal_argc; i++) {
		put(&o, "%s", i > 0 ? ", " : " ");
		put_string(&o, conf->eal_argv[i]);
	}
	put(&o, "%s];\n\ncontrol = {\n\tsocket = ", conf->eal_argc > 0 ? " " : "");
	put_string(&o, conf->ctl_socket);
	put(&o, ";\n\towner = ");
	put_string(&o, conf->ctl_owner);
	put(&o, ";\n\tgroup = ");
	put_string(&o, conf->ctl_group);
	put(&o, ";\n\tmode = \"%04o\";\n\tadmin = ", conf->ctl_mode);
	put_string(&o, conf->ctl_admin);
	put(&o, ";\n};\n\n");
	if (conf->sleep_max_us != VQOS_CONF_SLEEP_MAX_UNSET) {
		char t[32];

		vqos_format_time(t, sizeof(t), conf->sleep_max_us);
		put(&o, "datapath = {\n\tsleep_max = \"%s\";\n};\n\n", t);
	}
	put(&o, "ports = (\n");
	for (size_t i = 0; i < conf->n_ports; i++) {
		const struct vqos_conf_port *p = &conf->ports[i];

		put(&o, "\t{ name = ");
		put_string(&o, p->name);
		put(&o, "; socket = ");
		put_string(&o, p->socket);
		put(&o, "; mode = \"%s\";\n\t  uplink = ", p->client ? "client" : "server");
		put_string(&o, p->uplink);
		if (p->mac[0] != '\0') {
			put(&o, "; mac = ");
			put_string(&o, p->mac);
		}
		if (p->cost.set) {
			char byte[VQOS_CONF_COST_TEXT_MAX];

			vqos_conf_cost_byte_format(p->cost.byte, byte, sizeof(byte));
			put(&o, ";\n\t  cost = { packet = %u; byte = %s; }", p->cost.packet, byte);
		}
		put(&o, "; }%s\n", i + 1 < conf->n_ports ? "," : "");
	}
	put(&o, ");\n");
	if (fclose(o.f) != 0 || o.bad) {
		free(buf);
		return -ENOMEM;
	}
	*text = buf;
	return 0;
}
