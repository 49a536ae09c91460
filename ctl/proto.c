/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire format (ctl/PROTOCOL.md): one JSON object per line each way.
 *   request: {"vqos": 1, "argv": ["port", "show"], "stats": false}
 *   reply:   {"vqos": 1, "status": 0, "result": ...}
 *            {"vqos": 1, "status": -22, "error": "why"}
 * This file is the only place that knows the field names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/vqos_ctl.h"

int vqos_ctl_request_parse(const char *buf, size_t len, struct vqos_ctl_request *req, char *err,
			   size_t errlen)
{
	json_error_t jerr;
	json_t *root, *argv, *v, *stats;
	size_t i;

	memset(req, 0, sizeof(*req));
	if (len > VQOS_CTL_MAX_REQUEST) {
		snprintf(err, errlen, "request of %zu bytes is over the %d-byte limit", len,
			 VQOS_CTL_MAX_REQUEST);
		return -E2BIG;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "request is not JSON: %s at byte %d", jerr.text,
			 jerr.position);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "request is not a JSON object");
		goto bad;
	}
	v = json_object_get(root, "vqos");
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "request has no integer \"vqos\" version");
		goto bad;
	}
	if (json_integer_value(v) != VQOS_CTL_VERSION) {
		snprintf(err, errlen, "protocol version %lld is not supported (this is %d)",
			 (long long)json_integer_value(v), VQOS_CTL_VERSION);
		json_decref(root);
		return -EPROTO;
	}
	argv = json_object_get(root, "argv");
	if (!json_is_array(argv) || json_array_size(argv) == 0) {
		snprintf(err, errlen, "request has no \"argv\" array of words");
		goto bad;
	}
	if (json_array_size(argv) > VQOS_CTL_MAX_ARGS) {
		snprintf(err, errlen, "request has %zu words, at most %d", json_array_size(argv),
			 VQOS_CTL_MAX_ARGS);
		goto bad;
	}
	json_array_foreach (argv, i, v) {
		if (!json_is_string(v)) {
			snprintf(err, errlen, "argv[%zu] is not a string", i);
			goto bad;
		}
		req->argv[i] = json_string_value(v);
	}
	req->argc = (int)json_array_size(argv);
	stats = json_object_get(root, "stats");
	if (stats != NULL && !json_is_boolean(stats)) {
		snprintf(err, errlen, "\"stats\" is not a boolean");
		goto bad;
	}
	req->stats = json_is_true(stats);
	req->json = root;
	return 0;
bad:
	json_decref(root);
	memset(req, 0, sizeof(*req));
	return -EINVAL;
}

void vqos_ctl_request_release(struct vqos_ctl_request *req)
{
	json_decref(req->json);
	memset(req, 0, sizeof(*req));
}

/* Dump @p obj (stolen) as one line with its newline. */
static char *encode_line(json_t *obj)
{
	char *s, *line;
	size_t n;

	if (obj == NULL)
		return NULL;
	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (line == NULL) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *vqos_ctl_request_encode(int argc, const char *const argv[], bool stats)
{
	json_t *words;
	int i;

	if (argc < 1 || argc > VQOS_CTL_MAX_ARGS)
		return NULL;
	words = json_array();
	for (i = 0; i < argc; i++)
		json_array_append_new(words, json_string(argv[i]));
	return encode_line(json_pack("{s:i, s:o, s:b}", "vqos", VQOS_CTL_VERSION, "argv", words,
				     "stats", stats));
}

/*
 * Bytes of @p s that end on a whole UTF-8 character: an error text that
 * snprintf() cut (a long non-ASCII name in it) may end inside one, and a
 * JSON string must be valid UTF-8 (jansson refuses it otherwise, and the
 * request would get no answer).
 */
static size_t utf8_whole(const char *s)
{
	size_t n = strlen(s), lead = n;
	unsigned int need;

	/* back over continuation bytes (10xxxxxx) to the last lead byte */
	while (lead > 0 && n - lead < 4 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0)
		return 0; /* only continuation bytes: keep none */
	need = ((unsigned char)s[lead - 1] & 0xe0) == 0xc0   ? 2
	       : ((unsigned char)s[lead - 1] & 0xf0) == 0xe0 ? 3
	       : ((unsigned char)s[lead - 1] & 0xf8) == 0xf0 ? 4
							     : 1;
	return n - (lead - 1) < need ? lead - 1 : n;
}

char *vqos_ctl_reply_encode(int status, const char *error, json_t *result)
{
	char *line;

	if (status != 0) {
		json_decref(result);
		error = error ? error : "";
		line = encode_line(json_pack("{s:i, s:i, s:s#}", "vqos", VQOS_CTL_VERSION, "status",
					     status, "error", error, (int)utf8_whole(error)));
		/* not UTF-8 inside either: every request still gets its answer */
		return line != NULL ? line
				    : encode_line(json_pack("{s:i, s:i, s:s}", "vqos",
							    VQOS_CTL_VERSION, "status", status,
							    "error", "(error text not UTF-8)"));
	}
	return encode_line(json_pack("{s:i, s:i, s:o}", "vqos", VQOS_CTL_VERSION, "status", 0,
				     "result", result ? result : json_null()));
}
