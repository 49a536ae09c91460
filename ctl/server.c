/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control server: a non-blocking UNIX stream socket polled by vqosd's
 * control thread. A client is in one of two states:
 *
 *   READING --(newline, or EOF after some bytes)--> REPLYING --(all sent)--> closed
 *      |  over the size limit or past the deadline: error reply, REPLYING
 *      |  EOF with nothing sent, or an I/O error: closed
 *
 * Every socket is non-blocking and every client has a deadline, so one slow
 * or hostile client costs the others nothing but its slot. And slots are
 * rationed, so that those who may only read cannot keep the owner out:
 * a reader's uid holds at most READER_SLOTS_PER_UID of them, and readers
 * together leave WRITER_RESERVE free for root and the admin group. A
 * connection beyond that is answered -EBUSY and closed.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl/vqos_ctl.h"

#define MAX_CLIENTS 32
/* Slots one uid that may only read may hold at once. */
#define READER_SLOTS_PER_UID 4
/* Slots that readers leave free, for root and the admin group. */
#define WRITER_RESERVE 4

struct client {
	int fd;		  /* -1: free slot */
	uid_t uid;	  /* the peer's, at connect */
	pid_t pid;	  /* the peer's, at connect (audit lines) */
	bool may_write;	  /* the peer is root or in the admin group */
	bool replying;	  /* READING when false */
	char *buf;	  /* request bytes, then the reply */
	size_t len;	  /* bytes in buf */
	size_t off;	  /* reply bytes already sent */
	int64_t deadline; /* monotonic ms */
};

struct vqos_ctl_server {
	int fd;
	char *path;
	struct vqos_ctl_ops ops;
	struct vqos_ctl_env env; /* ops and the counters sampled once a second */
	gid_t admin;		 /* group that may change things, besides root */
	struct client clients[MAX_CLIENTS];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void client_close(struct client *c)
{
	close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Switch @p c to REPLYING with @p line (malloc'ed, may be NULL when out of
 * memory). The client gets a deadline of its own to read it: a handler may
 * take longer than the first one (a port add whose uplink waits for its
 * peer to connect), and closing without the reply then would tell the
 * client that nothing happened when it did. */
static void client_reply(struct client *c, char *line)
{
	free(c->buf);
	c->buf = line;
	c->len = line != NULL ? strlen(line) : 0;
	c->off = 0;
	c->replying = true;
	c->deadline = now_ms() + VQOS_CTL_DEADLINE_MS;
	shutdown(c->fd, SHUT_RD);
}

static void client_error(struct client *c, int status, const char *msg)
{
	client_reply(c, vqos_ctl_reply_encode(status, msg, NULL));
}

/* A change, accepted or refused, to the daemon's audit log. */
static void audit(struct vqos_ctl_server *srv, const struct client *c,
		  const struct vqos_ctl_request *req, int status, const json_t *result,
		  const char *err)
{
	char line[VQOS_CTL_AUDIT_MAX];
	const char *what = err;

	if (srv->ops.audit == NULL || !vqos_ctl_request_writes(req))
		return;
	if (status == 0)
		what = json_string_value(json_object_get(result, "note"));
	vqos_ctl_audit_line(line, sizeof(line), c->uid, c->pid, req->argc, req->argv, status, what);
	srv->ops.audit(srv->ops.aux, status, line);
}

static void client_handle(struct vqos_ctl_server *srv, struct client *c, size_t len)
{
	struct vqos_ctl_request req;
	json_t *result = NULL;
	char err[512] = "";
	int status;

	status = vqos_ctl_request_parse(c->buf, len, &req, err, sizeof(err));
	if (status == 0) {
		req.may_write = c->may_write;
		status = vqos_ctl_dispatch(&srv->env, &req, &result, err, sizeof(err));
		audit(srv, c, &req, status, result, err);
		vqos_ctl_request_release(&req);
	}
	client_reply(c, vqos_ctl_reply_encode(status, err, result));
}

static void client_read(struct vqos_ctl_server *srv, struct client *c)
{
	char *nl;
	ssize_t n;

	if (c->buf == NULL) {
		c->buf = malloc(VQOS_CTL_MAX_REQUEST + 1);
		if (c->buf == NULL) {
			client_close(c);
			return;
		}
	}
	n = recv(c->fd, c->buf + c->len, VQOS_CTL_MAX_REQUEST + 1 - c->len, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_close(c);
		return;
	}
	if (n == 0) {
		/* Half-closed: what came is the whole request. */
		if (c->len == 0)
			client_close(c);
		else
			client_handle(srv, c, c->len);
		return;
	}
	c->len += (size_t)n;
	nl = memchr(c->buf, '\n', c->len);
	if (nl != NULL)
		client_handle(srv, c, (size_t)(nl - c->buf));
	else if (c->len > VQOS_CTL_MAX_REQUEST)
		client_error(c, -E2BIG, "request over the size limit");
}

static void client_write(struct client *c)
{
	ssize_t n;

	if (c->off < c->len) {
		n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				client_close(c);
			return;
		}
		c->off += (size_t)n;
	}
	if (c->off >= c->len)
		client_close(c);
}

/*
 * Whether the peer of @p fd was in group @p gid when it connected, by the
 * supplementary groups the kernel recorded then (SO_PEERGROUPS, Linux 4.13):
 * not by /proc/PID/status read later, where the pid may be another process
 * by then and a long "Groups:" line was cut.
 */
static bool peer_in_group(int fd, gid_t gid)
{
	gid_t small[64], *g = small;
	socklen_t len = sizeof(small);
	bool found = false;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) != 0) {
		/* more groups than small holds: len says how many bytes */
		if (errno != ERANGE || (g = malloc(len)) == NULL)
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) != 0)
			len = 0;
	}
	for (size_t i = 0; i < len / sizeof(gid_t) && !found; i++)
		found = g[i] == gid;
	if (g != small)
		free(g);
	return found;
}

/* Root, or a member of the admin group, may change things; the peer's uid
 * and pid in @p uid and @p pid ((uid_t)-1 and 0 when unknown). */
static bool peer_may_write(int fd, gid_t admin, uid_t *uid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	*uid = (uid_t)-1;
	*pid = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return false;
	*uid = cred.uid;
	*pid = cred.pid;
	return cred.uid == 0 || cred.gid == admin || peer_in_group(fd, admin);
}

/* Why a new peer gets no slot, or NULL if it gets @p *slot. */
static const char *ration(struct vqos_ctl_server *srv, bool may_write, uid_t uid,
			  struct client **slot)
{
	unsigned int free_slots = 0, same_uid = 0;

	*slot = NULL;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];

		if (c->fd < 0) {
			free_slots++;
			if (*slot == NULL)
				*slot = c;
		} else if (!c->may_write && c->uid == uid) {
			same_uid++;
		}
	}
	if (free_slots == 0)
		return "too many control clients";
	if (may_write)
		return NULL;
	if (same_uid >= READER_SLOTS_PER_UID)
		return "too many control clients of this uid";
	if (free_slots <= WRITER_RESERVE)
		return "too many control clients (the last slots are kept for the admins)";
	return NULL;
}

static void server_accept(struct vqos_ctl_server *srv)
{
	struct client *c;
	const char *busy;
	bool may_write;
	uid_t uid;
	pid_t pid;
	int fd;

	fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	may_write = peer_may_write(fd, srv->admin, &uid, &pid);
	busy = ration(srv, may_write, uid, &c);
	if (busy != NULL) {
		/* Say so and drop; vqosctl reads this even when its request could
		 * not be sent any more. */
		char *line = vqos_ctl_reply_encode(-EBUSY, busy, NULL);

		if (line != NULL && send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			line[0] = '\0';
		free(line);
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->uid = uid;
	c->pid = pid;
	c->may_write = may_write;
	c->deadline = now_ms() + VQOS_CTL_DEADLINE_MS;
}

/* Keep a sample of the counters at most a second old, for `bottleneck`. */
static void sample(struct vqos_ctl_server *srv, int64_t now)
{
	double t = (double)now / 1000.0;

	if (srv->env.sample_ports != NULL && t - srv->env.sample_t < 1.0)
		return;
	json_decref(srv->env.sample_ports);
	json_decref(srv->env.sample_lcores);
	srv->env.sample_ports = vqos_ctl_ports_json(&srv->ops);
	srv->env.sample_lcores = vqos_ctl_lcores_json(&srv->ops);
	srv->env.sample_t = t;
}

int vqos_ctl_server_poll(struct vqos_ctl_server *srv, int timeout_ms)
{
	struct pollfd pfd[MAX_CLIENTS + 1];
	struct client *idx[MAX_CLIENTS + 1];
	int64_t now = now_ms();
	int i, n = 0, ret;

	sample(srv, now);
	pfd[n].fd = srv->fd;
	pfd[n].events = POLLIN;
	idx[n++] = NULL;
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];

		if (c->fd < 0)
			continue;
		if (now >= c->deadline) {
			/* The deadline may have passed while this thread was busy
			 * (a long handler, a sample of many ports): what the
			 * client sent, or could read, is taken first; only a
			 * client still short of it is late. */
			if (c->replying)
				client_write(c);
			else
				client_read(srv, c);
			if (c->fd >= 0 && now_ms() >= c->deadline) {
				if (c->replying)
					client_close(c);
				else
					client_error(c, -ETIMEDOUT,
						     "request not complete before the deadline");
			}
			if (c->fd < 0)
				continue;
			now = now_ms();
		}
		if (c->deadline - now < timeout_ms)
			timeout_ms = (int)(c->deadline - now);
		pfd[n].fd = c->fd;
		pfd[n].events = c->replying ? POLLOUT : POLLIN;
		idx[n++] = c;
	}
	ret = poll(pfd, (nfds_t)n, timeout_ms < 0 ? 0 : timeout_ms);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 1; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (idx[i]->replying)
			client_write(idx[i]);
		else
			client_read(srv, idx[i]);
	}
	if (pfd[0].revents & POLLIN)
		server_accept(srv);
	return 0;
}

int vqos_ctl_server_create(const struct vqos_ctl_server_params *params,
			   struct vqos_ctl_server **out, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = params->path;
	struct vqos_ctl_server *srv;
	int i, ret;

	*out = NULL;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket %s: path too long", path);
		return -ENAMETOOLONG;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL || (srv->path = strdup(path)) == NULL) {
		free(srv);
		snprintf(err, errlen, "control socket %s: out of memory", path);
		return -ENOMEM;
	}
	srv->ops = *params->ops;
	srv->env.ops = &srv->ops;
	srv->admin = params->admin;
	for (i = 0; i < MAX_CLIENTS; i++)
		srv->clients[i].fd = -1;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0)
		goto fail;
	unlink(path);
	/* owner, group and mode before listen(): nobody connects in between */
	if (bind(srv->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chown(path, params->owner, params->group) < 0 || chmod(path, params->mode) < 0 ||
	    listen(srv->fd, 16) < 0)
		goto fail;
	*out = srv;
	return 0;
fail:
	ret = -errno;
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	if (srv->fd >= 0)
		close(srv->fd);
	unlink(path);
	free(srv->path);
	free(srv);
	return ret;
}

void vqos_ctl_server_free(struct vqos_ctl_server *srv)
{
	int i;

	if (srv == NULL)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (srv->clients[i].fd >= 0)
			client_close(&srv->clients[i]);
	close(srv->fd);
	unlink(srv->path);
	json_decref(srv->env.sample_ports);
	json_decref(srv->env.sample_lcores);
	free(srv->path);
	free(srv);
}
