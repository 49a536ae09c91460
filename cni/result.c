/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the runtime reads on stdout: ADD's result, an error, VERSION's answer.
 *
 * Chained after the plugin that made the pod's interface, vqos adds nothing
 * to the result (it makes no interface or address): it passes the previous
 * result on, as the specification asks of such a plugin. Alone, it reports
 * the interface it attached, in the pod's sandbox; a vhost-user port has no
 * address of its own to report.
 */
#include <stdlib.h>
#include <string.h>

#include "cni/vqos_cni.h"

json_t *vqos_cni_result(const struct vqos_cni_conf *conf)
{
	json_t *r;

	if (conf->prev_result != NULL) {
		r = json_deep_copy(conf->prev_result);
		if (r != NULL && json_object_set_new(r, "cniVersion", json_string(conf->version)))
			r = (json_decref(r), NULL);
		return r;
	}
	return json_pack("{s:s, s:[{s:s, s:s}]}", "cniVersion", conf->version, "interfaces", "name",
			 conf->ifname, "sandbox", conf->netns);
}

char *vqos_cni_error_text(const char *version, const struct vqos_cni_error *e)
{
	json_t *o = json_pack("{s:s, s:I, s:s}", "cniVersion",
			      version && version[0] ? version : VQOS_CNI_VERSION_LATEST, "code",
			      (json_int_t)e->code, "msg", e->msg);
	char *text;

	if (o == NULL)
		return NULL;
	if (e->details[0] != '\0')
		json_object_set_new(o, "details", json_string(e->details));
	text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return text;
}

char *vqos_cni_version_text(const char *text, size_t len)
{
	json_t *in = json_loadb(text, len, 0, NULL), *o;
	const char *want = json_string_value(json_object_get(in, "cniVersion"));
	json_t *versions = json_loads(VQOS_CNI_VERSIONS_JSON, 0, NULL);
	const char *version = VQOS_CNI_VERSION_LATEST;
	json_t *v;
	size_t i;
	char *out;

	json_array_foreach (versions, i, v)
		if (want != NULL && strcmp(json_string_value(v), want) == 0)
			version = want;
	o = json_pack("{s:s, s:o}", "cniVersion", version, "supportedVersions", versions);
	out = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	json_decref(in);
	return out;
}
