/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client of vqosd's control socket: one request, one reply (PROTOCOL.md).
 * vqosctl, vqos-exporter and the CNI plugin talk to vqosd through it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/vqos_ctl.h"

#define MAX_REPLY (64u << 20)

static unsigned int timeout_ms = VQOS_CTL_CALL_TIMEOUT_MS;

void vqos_ctl_call_set_timeout(unsigned int ms)
{
	if (ms > 0)
		timeout_ms = ms;
}

/* Send @p req to @p path and return the whole reply (malloc'ed), or NULL
 * with the reason in @p err. */
static char *talk(const char *path, const char *req, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 4096;
	char *buf = NULL, *nbuf;
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return NULL;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		struct timeval tv = { .tv_sec = timeout_ms / 1000,
				      .tv_usec = (timeout_ms % 1000) * 1000 };

		/* a stopped vqosd: no send or receive waits longer than this */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		goto fail;
	}
	for (size_t off = 0, total = strlen(req); off < total; off += (size_t)n) {
		n = send(fd, req + off, total - off, MSG_NOSIGNAL);
		/* a busy vqosd answers and closes without reading: its answer waits */
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			break;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			snprintf(err, errlen, "%s takes no request: no room within %u ms", path,
				 timeout_ms);
			goto fail;
		}
		if (n < 0) {
			snprintf(err, errlen, "send to %s: %s", path, strerror(errno));
			goto fail;
		}
	}
	buf = malloc(cap);
	for (;;) {
		if (buf == NULL)
			goto oom;
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			snprintf(err, errlen, "no reply from %s within %u ms", path, timeout_ms);
			goto fail;
		}
		if (n < 0) {
			snprintf(err, errlen, "receive from %s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len + 1 == cap) {
			if (cap >= MAX_REPLY) {
				snprintf(err, errlen, "reply from %s over %u bytes", path,
					 MAX_REPLY);
				goto fail;
			}
			cap *= 2;
			nbuf = realloc(buf, cap);
			if (nbuf == NULL)
				goto oom;
			buf = nbuf;
		}
	}
	buf[len] = '\0';
	close(fd);
	return buf;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

int vqos_ctl_call(const char *path, int argc, const char *const *argv, bool stats, json_t **result,
		  char *err, size_t errlen)
{
	json_t *reply, *status;
	char *req, *line;
	int ret;

	*result = NULL;
	req = vqos_ctl_request_encode(argc, argv, stats);
	if (req == NULL) {
		snprintf(err, errlen, "too many arguments (at most %d)", VQOS_CTL_MAX_ARGS);
		return VQOS_CTL_CALL_NO_TALK;
	}
	line = talk(path, req, err, errlen);
	free(req);
	if (line == NULL)
		return VQOS_CTL_CALL_NO_TALK;
	reply = json_loads(line, 0, NULL);
	free(line);
	status = json_object_get(reply, "status");
	if (!json_is_integer(status) || json_integer_value(status) > 0 ||
	    json_integer_value(status) < -4095) {
		snprintf(err, errlen, "malformed reply from %s", path);
		json_decref(reply);
		return VQOS_CTL_CALL_NO_TALK;
	}
	ret = (int)json_integer_value(status);
	if (ret != 0)
		snprintf(err, errlen, "%s",
			 json_string_value(json_object_get(reply, "error")) ?: "refused");
	else
		*result = json_incref(json_object_get(reply, "result"));
	json_decref(reply);
	return ret;
}
