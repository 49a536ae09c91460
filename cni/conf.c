/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plugin's input: the network configuration on stdin and the runtime's
 * environment, checked as a whole before vqosd is asked anything.
 *
 * Three kinds of keys reach stdin: the specification's (cniVersion, name,
 * type, ...; "runtimeConfig" and "prevResult" are added by the runtime),
 * the plugin's own (own_keys[]), and nothing else: a key of neither is a
 * typo or meant for another plugin, and an error (code 2) listing the
 * plugin's keys. Values are checked here with conf/'s class rules (the
 * very ones vqosd applies), so a bad rate names the configuration key or
 * CNI_ARGS variable it came from rather than a class word.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/vqos_cni.h"

/* Keys of the specification, for the runtime or other plugins: not ours to refuse. */
static const char *const spec_keys[] = { "cniVersion",	  "name",	"type", "args",
					 "ipMasq",	  "ipam",	"dns",	"capabilities",
					 "runtimeConfig", "prevResult", NULL };

/* The plugin's own keys, in the order of the man page. */
static const char *const own_keys[] = { "control", "socket", "socketDir", "mode",
					"uplink",  "parent", "rate",	  "pps",
					"cpps",	   "prio",   "burst",	  NULL };

/* The versions spoken (VQOS_CNI_VERSIONS_JSON). */
static const char *const versions[] = { "0.4.0", "1.0.0", NULL };

int vqos_cni_fail(struct vqos_cni_error *e, unsigned int code, const char *details, const char *fmt,
		  ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	snprintf(e->details, sizeof(e->details), "%s", details ? details : "");
	return -1;
}

int vqos_cni_cmd_parse(const char *name)
{
	static const char *const names[] = { "ADD", "DEL", "CHECK", "VERSION" };

	for (int i = 0; name != NULL && i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

static bool listed(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* @p list joined by ", " into @p buf. */
static void join(const char *const *list, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; *list != NULL && n < len; list++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", *list);
}

/* String key @p key of @p o into @p out (@p size bytes); "" if absent. */
static int get_string(json_t *o, const char *key, char *out, size_t size, struct vqos_cni_error *e)
{
	json_t *v = json_object_get(o, key);

	out[0] = '\0';
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL, "key '%s': not a string", key);
	if (json_string_length(v) == 0)
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL, "key '%s': empty", key);
	if (snprintf(out, size, "%s", json_string_value(v)) >= (int)size)
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, json_string_value(v),
				     "key '%s': longer than %zu characters", key, size - 1);
	return 0;
}

/*
 * Set class setting @p key ("rate", "pps", "cpps", "prio", "burst") of the
 * pod to @p value, from @p from (a configuration key or a CNI_ARGS
 * variable, for the message): checked as vqosd checks a class's value.
 */
static int set_value(struct vqos_cni_conf *conf, const char *key, const char *value,
		     const char *from, unsigned int code, struct vqos_cni_error *e)
{
	static const char *const keys[] = { "rate", "pps", "cpps", "prio", "burst" };
	char *dst[] = { conf->rate, conf->pps, conf->cpps, conf->prio, conf->burst };
	struct vqos_conf_class scratch = { 0 };
	char why[256];
	int k;

	for (k = 0; strcmp(keys[k], key) != 0; k++)
		;
	if (vqos_conf_class_set(&scratch, key, value, why, sizeof(why)) < 0)
		return vqos_cni_fail(e, code, value, "%s: %s", from, why);
	/* conf/ takes any whole number; vqosd's trees have 8 prios */
	if (k == 3 && scratch.prio > VQOS_CNI_PRIO_MAX)
		return vqos_cni_fail(e, code, value, "%s: prio %u is over %d (0 is served first)",
				     from, scratch.prio, VQOS_CNI_PRIO_MAX);
	if (snprintf(dst[k], VQOS_CNI_VALUE_MAX, "%s", value) >= VQOS_CNI_VALUE_MAX)
		return vqos_cni_fail(e, code, value, "%s: longer than %d characters", from,
				     VQOS_CNI_VALUE_MAX - 1);
	return 0;
}

/* The class settings of the configuration: strings, prio also a number. */
static int conf_values(json_t *o, struct vqos_cni_conf *conf, struct vqos_cni_error *e)
{
	static const char *const keys[] = { "rate", "pps", "cpps", "prio", "burst", NULL };
	char from[32], text[VQOS_CNI_VALUE_MAX];

	for (int k = 0; keys[k] != NULL; k++) {
		json_t *v = json_object_get(o, keys[k]);

		if (v == NULL)
			continue;
		snprintf(from, sizeof(from), "key '%s'", keys[k]);
		if (json_is_integer(v) && strcmp(keys[k], "prio") == 0) {
			snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
		} else if (json_is_string(v)) {
			snprintf(text, sizeof(text), "%s", json_string_value(v));
		} else {
			return vqos_cni_fail(
				e, VQOS_CNI_E_CONFIG, NULL, "%s: not a %s", from,
				strcmp(keys[k], "prio") == 0
					? "whole number 0..7"
					: "string in tc's units (\"10mbit\", \"32k\")");
		}
		if (set_value(conf, keys[k], text, from, VQOS_CNI_E_CONFIG, e) < 0)
			return -1;
	}
	return 0;
}

/* CNI_ARGS: "K=V;K=V". VQOS_ keys are ours; others (kubelet's K8S_POD_NAME,
 * IgnoreUnknown...) are the runtime's to give and not ours to refuse. */
static int env_args(const char *args, struct vqos_cni_conf *conf, struct vqos_cni_error *e)
{
	static const char *const names[] = { "VQOS_RATE", "VQOS_PPS",	"VQOS_CPPS",
					     "VQOS_PRIO", "VQOS_BURST", NULL };
	static const char *const keys[] = { "rate", "pps", "cpps", "prio", "burst" };
	char *copy, *save = NULL, from[64], known[128];
	int ret = 0;

	if (args == NULL || args[0] == '\0')
		return 0;
	copy = strdup(args);
	if (copy == NULL)
		return vqos_cni_fail(e, VQOS_CNI_E_ENV, NULL, "out of memory");
	for (char *kv = strtok_r(copy, ";", &save); kv != NULL && ret == 0;
	     kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		int k;

		if (eq == NULL) {
			ret = vqos_cni_fail(e, VQOS_CNI_E_ENV, args, "CNI_ARGS: '%s' is not K=V",
					    kv);
			break;
		}
		*eq = '\0';
		if (strncmp(kv, "VQOS_", 5) != 0)
			continue;
		for (k = 0; names[k] != NULL && strcmp(names[k], kv) != 0; k++)
			;
		if (names[k] == NULL) {
			join(names, known, sizeof(known));
			ret = vqos_cni_fail(e, VQOS_CNI_E_ENV, known, "CNI_ARGS: unknown key '%s'",
					    kv);
			break;
		}
		snprintf(from, sizeof(from), "CNI_ARGS %s", kv);
		ret = set_value(conf, keys[k], eq + 1, from, VQOS_CNI_E_ENV, e);
	}
	free(copy);
	return ret;
}

/* One integer of runtimeConfig.bandwidth: a whole number >= 0. */
static int bandwidth_value(json_t *v, const char *key, uint64_t *out, struct vqos_cni_error *e)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	/* JSON has no integers: a whole real number is one (1e7) */
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 1.8e19 &&
	    json_real_value(v) == (double)(uint64_t)json_real_value(v)) {
		*out = (uint64_t)json_real_value(v);
		return 0;
	}
	return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL,
			     "runtimeConfig.bandwidth.%s: not a whole number of bits%s", key,
			     strstr(key, "Rate") ? " per second" : "");
}

/*
 * runtimeConfig.bandwidth, the convention of the bandwidth capability:
 * ingressRate, egressRate in bits/s, ingressBurst, egressBurst in bits.
 * Egress is what the pod sends: vqosd's tx; ingress what it receives: rx.
 */
static int runtime_bandwidth(json_t *rc, struct vqos_cni_conf *conf, struct vqos_cni_error *e)
{
	static const struct {
		const char *key;
		enum vqos_cni_dir dir;
		bool burst;
	} keys[] = {
		{ "egressRate", VQOS_CNI_TX, false },
		{ "egressBurst", VQOS_CNI_TX, true },
		{ "ingressRate", VQOS_CNI_RX, false },
		{ "ingressBurst", VQOS_CNI_RX, true },
	};
	json_t *bw, *v;
	const char *key;

	if (rc == NULL)
		return 0;
	if (!json_is_object(rc))
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL, "runtimeConfig: not an object");
	bw = json_object_get(rc, "bandwidth");
	if (bw == NULL)
		return 0;
	if (!json_is_object(bw))
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL,
				     "runtimeConfig.bandwidth: not an object");
	json_object_foreach (bw, key, v) {
		size_t k;
		uint64_t n = 0;

		for (k = 0; k < 4 && strcmp(keys[k].key, key) != 0; k++)
			;
		if (k == 4)
			return vqos_cni_fail(e, VQOS_CNI_E_CONFIG,
					     "known: egressRate, egressBurst, ingressRate, "
					     "ingressBurst",
					     "runtimeConfig.bandwidth: unknown key '%s'", key);
		if (bandwidth_value(v, key, &n, e) < 0)
			return -1;
		if (!keys[k].burst)
			conf->limit[keys[k].dir].rate_bps = n;
		else if (n > 0 && n < VQOS_CNI_BURST_UNSET_BITS)
			conf->limit[keys[k].dir].burst = (n + 7) / 8;
	}
	return 0;
}

/* An ID or interface character a port name may have, else '_'. */
static char name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' ? c : '_';
}

void vqos_cni_port_name(const char *id, const char *ifname, char *id_out, char *name)
{
	size_t len = strlen(id), n = len;
	bool hex = true;
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		hex &= isxdigit((unsigned char)id[i]) != 0;
		h = (h ^ (unsigned char)id[i]) * 16777619u;
	}
	if (len > VQOS_CNI_ID_SHORT)
		n = hex ? VQOS_CNI_ID_SHORT : 7;
	for (size_t i = 0; i < n; i++)
		id_out[i] = name_char(id[i]);
	id_out[n] = '\0';
	/* two long IDs that share their first 7 characters still differ */
	if (len > VQOS_CNI_ID_SHORT && !hex)
		snprintf(id_out + n, VQOS_CNI_ID_SHORT + 1 - n, "%05" PRIx32, h & 0xfffff);
	snprintf(name, VQOS_CONF_NAME_MAX, "%s-%.*s", id_out, VQOS_CNI_IFNAME_MAX, ifname);
	for (size_t i = strlen(id_out) + 1; name[i] != '\0'; i++)
		name[i] = name_char(name[i]);
}

/* @p tmpl of key @p key with {port}, {id} and {ifname} filled in, into @p out. */
static int expand(const char *tmpl, const char *key, const struct vqos_cni_conf *conf, char *out,
		  size_t size, struct vqos_cni_error *e)
{
	static const char *const names[] = { "{port}", "{id}", "{ifname}", NULL };
	const char *values[] = { conf->port, conf->id, conf->ifname };
	size_t n = 0;

	for (const char *p = tmpl; *p != '\0';) {
		const char *add = p;
		size_t len = 1;
		int k = 0;

		if (*p == '{') {
			for (k = 0; names[k] != NULL; k++)
				if (strncmp(p, names[k], strlen(names[k])) == 0)
					break;
			if (names[k] == NULL)
				return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, tmpl,
						     "key '%s': unknown placeholder '%.*s' (known: "
						     "{port}, {id}, {ifname})",
						     key, (int)strcspn(p, "}") + 1, p);
			add = values[k];
			len = strlen(add);
			p += strlen(names[k]);
		} else {
			p++;
		}
		if (n + len >= size)
			return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, tmpl,
					     "key '%s': longer than %zu characters once filled in",
					     key, size - 1);
		memcpy(out + n, add, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}

/* The socketPath a previous plugin's result gives interface @p ifname (CNI
 * 1.1's field of an interface), or NULL. */
static const char *prev_socket(json_t *prev, const char *ifname)
{
	json_t *ifc;
	size_t i;

	json_array_foreach (json_object_get(prev, "interfaces"), i, ifc) {
		json_t *name = json_object_get(ifc, "name"),
		       *path = json_object_get(ifc, "socketPath");

		if (json_is_string(name) && strcmp(json_string_value(name), ifname) == 0 &&
		    json_is_string(path) && json_string_length(path) > 0)
			return json_string_value(path);
	}
	return NULL;
}

/* The pod's socket: the previous plugin's, else `socket`, else `socketDir`/PORT.sock. */
static int pod_socket(json_t *o, struct vqos_cni_conf *conf, struct vqos_cni_error *e)
{
	char tmpl[VQOS_CONF_DEVARGS_MAX], dir[VQOS_CONF_PATH_MAX];
	const char *prev = prev_socket(conf->prev_result, conf->ifname);

	if (get_string(o, "socket", tmpl, sizeof(tmpl), e) < 0 ||
	    get_string(o, "socketDir", dir, sizeof(dir), e) < 0)
		return -1;
	if (tmpl[0] != '\0' && dir[0] != '\0')
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL,
				     "keys 'socket' and 'socketDir': give one, not both");
	if (prev != NULL) {
		conf->socket_from = "prevResult";
		if (snprintf(conf->socket, sizeof(conf->socket), "%s", prev) >=
		    (int)sizeof(conf->socket))
			return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, prev,
					     "prevResult: the socketPath of interface %s is longer "
					     "than %zu characters",
					     conf->ifname, sizeof(conf->socket) - 1);
		return 0;
	}
	if (tmpl[0] != '\0') {
		conf->socket_from = "key 'socket'";
		return expand(tmpl, "socket", conf, conf->socket, sizeof(conf->socket), e);
	}
	if (dir[0] != '\0') {
		conf->socket_from = "key 'socketDir'";
		if (snprintf(tmpl, sizeof(tmpl), "%s%s{port}.sock", dir,
			     dir[strlen(dir) - 1] == '/' ? "" : "/") >= (int)sizeof(tmpl))
			return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, dir,
					     "key 'socketDir': too long");
		return expand(tmpl, "socketDir", conf, conf->socket, sizeof(conf->socket), e);
	}
	return vqos_cni_fail(
		e, VQOS_CNI_E_CONFIG,
		"e.g. \"socketDir\": \"/run/vqos\" (the pod's socket is then "
		"/run/vqos/PORT.sock)",
		"no socket for the pod: give key 'socket' or 'socketDir', or chain vqos "
		"after a plugin whose result gives interface %s a socketPath",
		conf->ifname);
}

/* The runtime's variables: which the command needs, and their bounds. */
static int env_vars(const struct vqos_cni_env *env, struct vqos_cni_conf *conf,
		    struct vqos_cni_error *e)
{
	if (env->container_id == NULL || env->container_id[0] == '\0')
		return vqos_cni_fail(e, VQOS_CNI_E_ENV, NULL, "CNI_CONTAINERID is not set");
	if (env->ifname == NULL || env->ifname[0] == '\0')
		return vqos_cni_fail(e, VQOS_CNI_E_ENV, NULL, "CNI_IFNAME is not set");
	if (strlen(env->ifname) > VQOS_CNI_IFNAME_MAX)
		return vqos_cni_fail(e, VQOS_CNI_E_ENV, env->ifname,
				     "CNI_IFNAME is longer than %d characters",
				     VQOS_CNI_IFNAME_MAX);
	/* DEL may come without one: the namespace may be gone already */
	if (conf->cmd != VQOS_CNI_DEL && (env->netns == NULL || env->netns[0] == '\0'))
		return vqos_cni_fail(e, VQOS_CNI_E_ENV, NULL, "CNI_NETNS is not set");
	snprintf(conf->ifname, sizeof(conf->ifname), "%s", env->ifname);
	snprintf(conf->netns, sizeof(conf->netns), "%s", env->netns ? env->netns : "");
	vqos_cni_port_name(env->container_id, env->ifname, conf->id, conf->port);
	return 0;
}

/* The keys the specification and vqos know, and their types. */
static int conf_keys(json_t *o, struct vqos_cni_conf *conf, struct vqos_cni_error *e)
{
	char known[256], *value, mode[16], name[VQOS_CONF_NAME_MAX];
	json_t *v;
	const char *key;

	v = json_object_get(o, "cniVersion");
	if (!json_is_string(v))
		return vqos_cni_fail(e, VQOS_CNI_E_VERSION, "vqos speaks " VQOS_CNI_VERSIONS_JSON,
				     "key 'cniVersion': %s", v ? "not a string" : "missing");
	if (!listed(versions, json_string_value(v)))
		return vqos_cni_fail(e, VQOS_CNI_E_VERSION, "vqos speaks " VQOS_CNI_VERSIONS_JSON,
				     "cniVersion '%.20s' is not one vqos speaks",
				     json_string_value(v));
	snprintf(conf->version, sizeof(conf->version), "%s", json_string_value(v));
	json_object_foreach (o, key, v) {
		if (listed(spec_keys, key) || listed(own_keys, key))
			continue;
		join(own_keys, known, sizeof(known));
		value = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		vqos_cni_fail(
			e, VQOS_CNI_E_FIELD, known,
			"unknown key '%s' (value %.200s) in the network configuration; vqos's "
			"keys are those in the details",
			key, value ? value : "?");
		free(value);
		return -1;
	}
	if (!json_is_string(json_object_get(o, "name")))
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL, "key 'name': %s",
				     json_object_get(o, "name") ? "not a string" : "missing");
	if (get_string(o, "control", conf->control, sizeof(conf->control), e) < 0 ||
	    get_string(o, "mode", mode, sizeof(mode), e) < 0 ||
	    get_string(o, "parent", name, sizeof(name), e) < 0)
		return -1;
	if (conf->control[0] == '\0')
		snprintf(conf->control, sizeof(conf->control), "%s", VQOS_CONF_DEFAULT_CTL_SOCKET);
	if (mode[0] != '\0' && strcmp(mode, "server") != 0 && strcmp(mode, "client") != 0)
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, mode,
				     "key 'mode': \"server\" (vqosd listens on the pod's socket) "
				     "or \"client\" (it connects to it)");
	conf->client = strcmp(mode, "client") == 0;
	snprintf(conf->parent, sizeof(conf->parent), "%s", name[0] ? name : "root");
	v = json_object_get(o, "prevResult");
	if (v != NULL && !json_is_object(v))
		return vqos_cni_fail(e, VQOS_CNI_E_CONFIG, NULL, "prevResult: not an object");
	conf->prev_result = json_incref(v);
	return conf_values(o, conf, e);
}

int vqos_cni_conf_parse(enum vqos_cni_cmd cmd, const char *text, size_t len,
			const struct vqos_cni_env *env, struct vqos_cni_conf *conf,
			struct vqos_cni_error *e)
{
	char tmpl[VQOS_CONF_DEVARGS_MAX];
	json_error_t jerr;
	json_t *o;
	int ret = -1;

	memset(conf, 0, sizeof(*conf));
	conf->cmd = cmd;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL)
		return vqos_cni_fail(e, VQOS_CNI_E_DECODE, NULL,
				     "stdin is not the network configuration's JSON: %s (line %d, "
				     "column %d)",
				     jerr.text, jerr.line, jerr.column);
	if (!json_is_object(o)) {
		vqos_cni_fail(e, VQOS_CNI_E_DECODE, NULL, "stdin is not a JSON object");
		goto out;
	}
	if (conf_keys(o, conf, e) < 0 || env_vars(env, conf, e) < 0 ||
	    env_args(env->args, conf, e) < 0 ||
	    runtime_bandwidth(json_object_get(o, "runtimeConfig"), conf, e) < 0)
		goto out;
	/* DEL needs the port's name only: the rest may be gone or wrong by now */
	if (cmd != VQOS_CNI_DEL) {
		if (get_string(o, "uplink", tmpl, sizeof(tmpl), e) < 0)
			goto out;
		if (tmpl[0] == '\0') {
			vqos_cni_fail(
				e, VQOS_CNI_E_CONFIG,
				"e.g. \"net_virtio_user_{port},path=/run/vqos/"
				"ovs-{port}.sock,server=1\"",
				"key 'uplink': missing (the DPDK devargs of the pod's uplink, "
				"with {port} to make them the pod's own)");
			goto out;
		}
		if (expand(tmpl, "uplink", conf, conf->uplink, sizeof(conf->uplink), e) < 0 ||
		    pod_socket(o, conf, e) < 0)
			goto out;
	}
	ret = 0;
out:
	json_decref(o);
	return ret;
}

void vqos_cni_conf_release(struct vqos_cni_conf *conf)
{
	json_decref(conf->prev_result);
	conf->prev_result = NULL;
}
