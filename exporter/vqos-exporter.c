/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-exporter: vqosd's counters for Prometheus. It serves GET /metrics
 * over HTTP (libmicrohttpd) and answers each scrape with what vqosd says
 * then (metrics.c): it keeps no state of vqosd's, so a restarted vqosd is
 * simply seen again, counters from zero, as Prometheus' rate() expects.
 *
 * One thread serves HTTP and asks vqosd, one scrape at a time; the main
 * thread waits for SIGTERM or SIGINT and stops it. Anything but GET or HEAD
 * gets 405, any path but /metrics 404.
 */
#include <errno.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "ctl/vqos_ctl.h"
#include "metrics.h"
#include "vqos_version.h"

/* 127.0.0.1: the page names the containers, so it is not served beyond
 * this machine unless asked; 9727: a port of the range Prometheus'
 * exporters use. */
#define DEFAULT_LISTEN "127.0.0.1:9727"
/* The media type of the text exposition format. */
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct exporter {
	const char *socket; /* vqosd's control socket */
	int up;		    /* whether vqosd answered the last scrape; -1 before the first */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vqos-exporter [--listen ADDR:PORT] [--socket PATH]\n"
		"Serves vqosd's counters for Prometheus at http://ADDR:PORT/metrics.\n"
		"  -l, --listen ADDR:PORT  address and port to listen on (default %s;\n"
		"                          [::1]:9727 for IPv6, 0.0.0.0:9727 for every address)\n"
		"  -S, --socket PATH       vqosd's control socket (default %s,\n"
		"                          or $VQOS_SOCKET)\n"
		"  --version               print the version and exit\n"
		"  -h, --help              this text\n",
		DEFAULT_LISTEN, VQOS_CTL_DEFAULT_SOCKET);
}

/* Into @p ss: the address of ADDR:PORT or [ADDR]:PORT (an IPv6 address has
 * colons of its own); ADDR an IP address or a name. @return 0, or -1 with
 * a message on stderr. */
static int parse_listen(const char *arg, struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *res = NULL;
	const char *host = arg, *end = strrchr(arg, ':'), *port;
	char name[256];
	size_t n;
	int ret;

	if (arg[0] == '[') {
		host = arg + 1;
		end = strstr(host, "]:");
	} else if (end != NULL && strchr(arg, ':') != end) {
		end = NULL;
	}
	n = end != NULL ? (size_t)(end - host) : 0;
	port = end != NULL ? end + (arg[0] == '[' ? 2 : 1) : "";
	if (n == 0 || n >= sizeof(name) || port[0] == '\0' || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port) || atoi(port) > 65535) {
		fprintf(stderr,
			"vqos-exporter: --listen '%s': not ADDR:PORT, such as 127.0.0.1:9727 or "
			"[::1]:9727\n",
			arg);
		return -1;
	}
	memcpy(name, host, n);
	name[n] = '\0';
	ret = getaddrinfo(name, port, &hints, &res);
	if (ret != 0) {
		fprintf(stderr, "vqos-exporter: --listen '%s': address '%s': %s\n", arg, name,
			ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* The port of @p ss (libmicrohttpd's messages name it). */
static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
					       : ((const struct sockaddr_in *)ss)->sin_port);
}

/* A short text reply with status @p status. */
static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text, const char *allow)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* GET /metrics: a scrape. vqosd going away and coming back is logged once
 * each, not at every scrape. */
static enum MHD_Result reply_metrics(struct exporter *x, struct MHD_Connection *conn)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char err[1024];
	size_t len = 0;
	char *page = vqos_exporter_scrape(x->socket, &len, err, sizeof(err));
	int up = err[0] == '\0';

	if (page == NULL)
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
	if (!up && x->up != 0)
		fprintf(stderr, "vqos-exporter: vqosd does not answer (vqos_up 0): %s\n", err);
	else if (up && x->up == 0)
		fprintf(stderr, "vqos-exporter: vqosd answers again (vqos_up 1)\n");
	x->up = up;
	r = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* libmicrohttpd's handler of a request, called when its headers are in:
 * every reply is made then, so a request's body (of a POST) is never read. */
static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed: GET /metrics\n", "GET, HEAD");
	if (strcmp(url, "/metrics") != 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND,
				  "not found: the metrics are at /metrics\n", NULL);
	return reply_metrics(cls, conn);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct exporter x = { .socket = getenv("VQOS_SOCKET"), .up = -1 };
	const char *addr = DEFAULT_LISTEN;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	sigset_t stop;
	int c, sig;

	if (x.socket == NULL)
		x.socket = VQOS_CTL_DEFAULT_SOCKET;
	while ((c = getopt_long(argc, argv, "l:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			addr = optarg;
			break;
		case 'S':
			x.socket = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vqos-exporter %s\n", VQOS_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vqos-exporter: unexpected '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (parse_listen(addr, &ss) < 0)
		return 2;
	/* blocked in every thread, libmicrohttpd's too: the main thread takes them */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
				     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
			     port_of(&ss), NULL, NULL, answer, &x, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 64u,
			     MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr,
			"vqos-exporter: cannot listen on %s (in use, or not this host's?)\n", addr);
		return 1;
	}
	/* port 0 takes a free one: say which */
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "vqos-exporter %s: serving /metrics on %s (port %u), vqosd at %s\n",
		VQOS_VERSION, addr, info != NULL ? info->port : 0u, x.socket);
	while (sigwait(&stop, &sig) != 0)
		;
	MHD_stop_daemon(d);
	return 0;
}
