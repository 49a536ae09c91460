/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosd: reads the configuration and checks all of it that needs no EAL
 * (load.c: the file, the class trees, the control socket's user and
 * groups), starts EAL, opens the ports sharded over the worker lcores,
 * serves the control socket on the main lcore, and on SIGINT/SIGTERM stops
 * the data path, closes every port (their sockets are removed) and checks
 * that every mbuf came back to its pool. SIGHUP reloads the configuration
 * file (changes.c). Under systemd it says READY=1 once it serves, and pings
 * the watchdog while its data-path lcores run (service.c). It logs, DPDK's
 * messages included, on stderr: the journal, under systemd.
 *
 *   main lcore:  control socket (vqosctl) <-> ctl/ <-> this file
 *   worker lcores: vhost_tx/'s poll loop, each over its shard of the ports
 *   vhost thread (librte_vhost's): container connects and disconnects
 *
 * daemon/ is the only place that knows every module.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "options.h"
#include "vqos_version.h"
#include "vqosd.h"

_Static_assert(RTE_MAX_LCORE <= VQOSD_WATCHDOG_LCORES, "the watchdog follows every lcore");

RTE_LOG_REGISTER_IMPL(vqosd_logtype, "vqosd", NOTICE);
RTE_LOG_REGISTER_IMPL(vqosd_logtype_audit, "vqosd.audit", NOTICE);

static volatile sig_atomic_t stop_signal, reload_signal;
/* Who sent the last SIGHUP (its audit line). */
static volatile sig_atomic_t reload_pid, reload_uid;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	if (sig == SIGHUP) {
		reload_pid = si != NULL ? si->si_pid : 0;
		reload_uid = si != NULL ? (sig_atomic_t)si->si_uid : -1;
		reload_signal = 1;
	} else {
		stop_signal = sig;
	}
}

void vqosd_audit(int status, const char *line)
{
	rte_log(status == 0 ? RTE_LOG_NOTICE : RTE_LOG_WARNING, vqosd_logtype_audit,
		"vqosd: audit: %s\n", line);
}

/* mkdir -p of the directory that will hold the socket @p path. */
static void make_socket_dir(const char *path)
{
	char dir[VQOS_CONF_PATH_MAX];
	char *s;

	snprintf(dir, sizeof(dir), "%s", path);
	s = strrchr(dir, '/');
	if (s == NULL || s == dir)
		return;
	*s = '\0';
	for (s = dir + 1; *s != '\0'; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(dir, 0755);
			*s = '/';
		}
	mkdir(dir, 0755);
}

static int eal_start(const struct vqos_conf *conf, const char *argv0)
{
	char *eal_argv[VQOS_CONF_EAL_MAX + 1];
	int i;

	eal_argv[0] = (char *)argv0;
	for (i = 0; i < conf->eal_argc; i++)
		eal_argv[i + 1] = conf->eal_argv[i];
	if (rte_eal_init(conf->eal_argc + 1, eal_argv) < 0) {
		fprintf(stderr, "vqosd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* The data-path lcore that polls the fewest of @p peers (NULLs skipped). */
static unsigned int pick_shard(const struct vqosd *d, struct vqos_port *const *peers, size_t n)
{
	unsigned int count[RTE_MAX_LCORE] = { 0 }, n_lcores = vqos_dp_n_lcores(d->dp), best = 0;

	for (size_t i = 0; i < n; i++)
		if (peers[i] != NULL)
			count[vqos_port_shard(peers[i])]++;
	for (unsigned int k = 1; k < n_lcores; k++)
		if (count[k] < count[best])
			best = k;
	return best;
}

/* Ports an uplink opened for @p cp is sized for: those of the file that
 * share it (or 1: a port added at run time opens its own). */
static unsigned int uplink_ports(const struct vqosd *d, const struct vqos_conf_port *cp)
{
	unsigned int n = 0;

	for (size_t i = 0; i < d->conf->n_ports; i++)
		n += strcmp(d->conf->ports[i].uplink, cp->uplink) == 0;
	return n > 0 ? n : 1;
}

int vqosd_open_port(struct vqosd *d, const struct vqos_conf_port *cp,
		    struct vqos_port *const *peers, size_t n_peers, struct vqos_port **out,
		    char *err, size_t errlen)
{
	struct vqos_port_params pp = {
		.name = cp->name,
		.socket = cp->socket,
		.client = cp->client,
		.uplink = cp->uplink,
		.mac = cp->mac[0] != '\0' ? cp->mac : NULL,
		.uplink_ports = uplink_ports(d, cp),
		.dp = d->dp,
	};
	char why[768];
	int shared = vqos_uplink_shard(cp->uplink);
	int ret;

	/* ports that share an uplink are polled from the lcore that polls it */
	pp.shard = shared >= 0 ? (unsigned int)shared : pick_shard(d, peers, n_peers);
	if (!cp->client)
		make_socket_dir(cp->socket);
	ret = vqos_port_open(&pp, out, why, sizeof(why));
	if (ret < 0)
		snprintf(err, errlen, "port %s: %s", cp->name, why);
	return ret;
}

/* The control socket's parameters: the names were resolved by vqosd_load(). */
static void ctl_params(const struct vqosd *d, struct vqos_ctl_server_params *p)
{
	p->path = d->conf->ctl_socket;
	p->owner = d->ctl_ids.owner;
	p->group = d->ctl_ids.group;
	p->admin = d->ctl_ids.admin;
	p->mode = d->conf->ctl_mode;
}

static int start(struct vqosd *d)
{
	struct vqos_ctl_server_params sp;
	struct vqos_ctl_ops ops;
	unsigned int lcores[RTE_MAX_LCORE], n_lcores = 0, lc;
	char err[1024];
	size_t i;
	int ret;

	RTE_LCORE_FOREACH_WORKER (lc) {
		lcores[n_lcores++] = lc;
	}
	if (n_lcores == 0) {
		fprintf(stderr, "vqosd: no worker lcore for the data path: give EAL two lcores "
				"(e.g. --lcores 0@0,1@1)\n");
		return -EINVAL;
	}
	d->dp = vqos_dp_create(lcores, n_lcores);
	d->ports = calloc(d->conf->n_ports, sizeof(d->ports[0]));
	if (d->dp == NULL || d->ports == NULL) {
		fprintf(stderr, "vqosd: out of memory: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	vqosd_apply_datapath(d);
	for (i = 0; i < d->conf->n_ports; i++) {
		ret = vqosd_open_port(d, &d->conf->ports[i], d->ports, i, &d->ports[i], err,
				      sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "vqosd: %s\n", err);
			return ret;
		}
		d->n_ports++;
	}
	ret = vqosd_publish(d, d->ports, d->n_ports, d->pol, false, NULL, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "vqosd: %s\n", err);
		return ret;
	}
	ctl_params(d, &sp);
	vqosd_ctl_ops(d, &ops);
	sp.ops = &ops;
	make_socket_dir(d->conf->ctl_socket);
	ret = vqos_ctl_server_create(&sp, &d->ctl, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "vqosd: %s\n", err);
		return ret;
	}
	vqosd_telemetry_register(d);
	for (unsigned int k = 0; k < n_lcores; k++) {
		ret = rte_eal_remote_launch(vqos_dp_run, d->dp, lcores[k]);
		if (ret < 0) {
			fprintf(stderr, "vqosd: cannot launch the data path on lcore %u\n",
				lcores[k]);
			return ret;
		}
	}
	return 0;
}

/* Undo start(), whatever it got to. @return 0, or 3 when mbufs are missing. */
static int stop(struct vqosd *d)
{
	unsigned int avail, size;
	size_t i;

	if (d->dp != NULL) {
		vqos_dp_stop(d->dp);
		rte_eal_mp_wait_lcore();
	}
	vqos_ctl_server_free(d->ctl);
	/* queued packets back to their uplinks' pools, checked as ports close */
	vqos_dp_clear(d->dp);
	for (i = d->n_ports; i-- > 0;)
		vqos_port_close(d->ports[i]);
	free(d->ports);
	vqos_dp_free(d->dp);
	for (int dir = 0; dir < VQOS_DIR_N; dir++) {
		vqos_policy_free(d->pol[dir]);
		free(d->part_index[dir]);
	}
	vqos_port_pools_closed(&avail, &size);
	fprintf(stderr, "vqosd: mbuf pools: %u of %u free\n", avail, size);
	return avail != size ? 3 : 0;
}

/* A reload by SIGHUP: audited as one by vqosctl, with the sender's uid and
 * pid, and the command word "SIGHUP". */
static void sighup(struct vqosd *d)
{
	static const char *const argv[] = { "SIGHUP", "reload" };
	struct vqos_ctl_applied applied = { 0 };
	char err[1024], line[VQOS_CTL_AUDIT_MAX];
	int ret = vqosd_reload(d, &applied, err, sizeof(err));

	if (ret < 0)
		fprintf(stderr, "vqosd: reload refused, nothing changed: %s\n", err);
	else
		fprintf(stderr, "vqosd: reloaded: %s\n", applied.note);
	vqos_ctl_audit_line(line, sizeof(line), (uid_t)reload_uid, (pid_t)reload_pid, 2, argv, ret,
			    ret < 0 ? err : applied.note);
	vqosd_audit(ret, line);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Ping systemd's watchdog when a ping is due and every data-path lcore has
 * moved since the last one; say so once when one has not, and when all
 * move again. */
static void watchdog(struct vqosd *d, struct vqosd_watchdog *wd)
{
	static uint64_t passes[RTE_MAX_LCORE], sleeps[RTE_MAX_LCORE];
	unsigned int n = vqos_dp_n_lcores(d->dp);
	bool was_stuck = wd->stuck >= 0;
	struct vqos_dp_lcore_stats st;
	uint64_t now = now_ns();

	if (vqosd_watchdog_timeout_ms(wd, now) != 0)
		return;
	for (unsigned int k = 0; k < n; k++) {
		vqos_dp_lcore_stats(d->dp, k, &st);
		passes[k] = st.passes;
		sleeps[k] = st.sleeps;
	}
	if (vqosd_watchdog_due(wd, now, passes, sleeps, n)) {
		vqosd_notify_watchdog();
		if (was_stuck)
			fprintf(stderr, "vqosd: every data-path lcore runs again: watchdog pings "
					"resume\n");
	} else if (wd->stuck >= 0 && !was_stuck) {
		fprintf(stderr,
			"vqosd: data-path lcore %u neither passed nor slept in %.1f s: no "
			"watchdog ping (systemd stops vqosd when WatchdogSec= passes without "
			"one)\n",
			vqos_dp_lcore(d->dp, (unsigned int)wd->stuck), (double)wd->period_ns / 1e9);
	}
}

/* The earlier of two waits in ms, -1 being none. */
static int wait_min(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* The control loop, until SIGINT or SIGTERM: vqosctl's requests, reloads on
 * SIGHUP, the watchdog, lost uplinks reconnected. @return 0, or the control
 * server's error. */
static int serve(struct vqosd *d)
{
	static struct vqosd_watchdog wd;
	int ret = 0, wait;

	vqosd_watchdog_init(&wd, now_ns());
	while (stop_signal == 0) {
		watchdog(d, &wd);
		wait = wait_min(vqosd_watchdog_timeout_ms(&wd, now_ns()),
				vqos_uplinks_tend(now_ns()));
		ret = vqos_ctl_server_poll(d->ctl, wait < 0 || wait > 100 ? 100 : wait);
		if (ret < 0)
			break;
		if (reload_signal) {
			reload_signal = 0;
			sighup(d);
		}
	}
	return ret;
}

/*
 * d->base_text from the file just read; with --state-dir, the run-time
 * changes kept there carried over to it, as a reload does. Kept changes that
 * cannot be read, or no longer fit the file, are said and set aside: the
 * file runs as it is (and the state is written again once started).
 */
static int restore(struct vqosd *d)
{
	struct vqos_policy *pol[VQOS_DIR_N] = { NULL, NULL };
	char err[1024], report[1024];
	int carried;

	if (vqosd_conf_text(d->conf, d->pol, &d->base_text, err, sizeof(err)) < 0) {
		fprintf(stderr, "vqosd: %s\n", err);
		return -1;
	}
	if (d->state_dir == NULL)
		return 0;
	carried =
		vqosd_state_carry(d->state_dir, d->conf, report, sizeof(report), err, sizeof(err));
	if (carried == -ENOMEM) {
		fprintf(stderr, "vqosd: %s\n", err);
		return -1;
	}
	if (carried < 0) {
		fprintf(stderr,
			"vqosd: the run-time changes kept in %s cannot be read (%s): the file runs "
			"as it is\n",
			d->state_dir, err);
		return 0;
	}
	if (carried == 0 && report[0] == '\0')
		return 0;
	if (vqosd_build_policies(d->conf, pol, err, sizeof(err)) < 0) {
		fprintf(stderr,
			"vqosd: the run-time changes kept in %s no longer fit the file (%s): the "
			"file runs as it is\n",
			d->state_dir, err);
		for (int dir = 0; dir < VQOS_DIR_N; dir++)
			vqos_policy_free(d->pol[dir]);
		vqos_conf_free(d->conf);
		if (vqosd_load(d->conf_path, &d->conf, d->pol, &d->ctl_ids, err, sizeof(err)) < 0) {
			fprintf(stderr, "vqosd: %s\n", err);
			return -1;
		}
		return 0;
	}
	for (int dir = 0; dir < VQOS_DIR_N; dir++) {
		vqos_policy_free(d->pol[dir]);
		d->pol[dir] = pol[dir];
	}
	fprintf(stderr, "vqosd: %d run-time change(s) kept in %s carried over to the file%s%s\n",
		carried, d->state_dir, report[0] ? "; " : "", report);
	return 0;
}

/* --check: everything but what needs EAL; "FILE: ok" or what is wrong. */
static int check(const char *path)
{
	struct vqos_policy *pol[VQOS_DIR_N];
	struct vqosd_ctl_ids ids;
	struct vqos_conf *conf;
	char err[1024];
	int ret = vqosd_load(path, &conf, pol, &ids, err, sizeof(err));

	if (ret < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s: ok\n", conf->file);
	for (int dir = 0; dir < VQOS_DIR_N; dir++)
		vqos_policy_free(pol[dir]);
	vqos_conf_free(conf);
	return 0;
}

int main(int argc, char **argv)
{
	struct vqosd d = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct vqosd_options opt;
	char err[1024], status[256];
	int ret;

	if (vqosd_parse_options(argc, argv, &opt) < 0)
		return 1;
	switch (opt.action) {
	case VQOSD_HELP:
		vqosd_usage(stdout);
		return 0;
	case VQOSD_VERSION:
		printf("vqosd %s\n", VQOS_VERSION);
		return 0;
	case VQOSD_PRINT_DEFAULT:
		fputs(vqos_conf_default_text(), stdout);
		return 0;
	case VQOSD_CHECK:
		return check(opt.conf_path);
	case VQOSD_RUN:
		break;
	}
	/* nothing starts on a bad file, tree or name */
	if (vqosd_load(opt.conf_path, &d.conf, d.pol, &d.ctl_ids, err, sizeof(err)) < 0) {
		fprintf(stderr, "vqosd: %s\n", err);
		return 1;
	}
	d.conf_path = opt.conf_path;
	d.state_dir = opt.state_dir;
	if (restore(&d) < 0) {
		for (int dir = 0; dir < VQOS_DIR_N; dir++)
			vqos_policy_free(d.pol[dir]);
		vqos_conf_free(d.conf);
		return 1;
	}
	/* DPDK's messages to stderr only: by default EAL writes them to stdout
	 * and to syslog, which the journal would show twice */
	rte_openlog_stream(stderr);
	if (eal_start(d.conf, argv[0]) < 0) {
		for (int dir = 0; dir < VQOS_DIR_N; dir++)
			vqos_policy_free(d.pol[dir]);
		vqos_conf_free(d.conf);
		return 1;
	}
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	ret = start(&d);
	if (ret == 0 && vqosd_state_keep(&d, err, sizeof(err)) < 0)
		fprintf(stderr, "vqosd: run-time changes will not be kept across restarts: %s\n",
			err);
	if (ret == 0) {
		snprintf(status, sizeof(status),
			 "%zu port(s) up, data path on %u lcore(s) from %u, control socket %s",
			 d.n_ports, vqos_dp_n_lcores(d.dp), vqos_dp_lcore(d.dp, 0),
			 d.conf->ctl_socket);
		fprintf(stderr, "vqosd: %s\n", status);
		vqosd_notify_ready(status);
		ret = serve(&d);
		fprintf(stderr, "vqosd: stopping (%s)\n",
			stop_signal != 0 ? strsignal(stop_signal) : strerror(-ret));
		vqosd_notify_stopping();
	}
	ret = stop(&d) != 0 ? 3 : ret != 0 ? 1 : 0;
	vqos_conf_free(d.conf);
	free(d.base_text);
	rte_eal_cleanup();
	return ret;
}
