/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Changes to a running vqosd: vqosctl's class verbs, reload (SIGHUP or
 * vqosctl reload), and the configuration that reproduces the result.
 *
 * Every change is built and validated whole before anything moves (policy/
 * for the trees, new ports opened first); then the data path gets it in one
 * RCU swap (vqos_dp_publish), which keeps a direction's qdisc when its tree
 * did not change and otherwise moves the old rx queues into the new one.
 * A refused change leaves everything as it was and says why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vqos_units.h"
#include "vqosd.h"

/*
 * Each data-path lcore runs its part of each tree (vqos_policy_part()): the
 * classes on the way to its ports' leaves, classes it shares with other
 * lcores split between them. @p parts[k] gets lcore k's ports (from @p ports,
 * in order) and trees; @p slices[k * VQOS_DIR_N + dir] holds what they point to.
 */
static int make_parts(struct vqosd *d, struct vqos_port **ports, size_t n,
		      struct vqos_policy *pol[VQOS_DIR_N], const bool keep[VQOS_DIR_N],
		      struct vqos_dp_part *parts, struct vqos_port **by_shard,
		      uint32_t *policy_port, struct vqos_policy_slice *slices,
		      struct vqos_sched_classify *cls, char *err, size_t errlen)
{
	unsigned int n_lcores = vqos_dp_n_lcores(d->dp);
	size_t at = 0;

	for (unsigned int k = 0; k < n_lcores; k++) {
		struct vqos_dp_part *part = &parts[k];

		part->ports = &by_shard[at];
		part->n_ports = 0;
		for (size_t i = 0; i < n; i++) {
			if (vqos_port_shard(ports[i]) != k)
				continue;
			by_shard[at + part->n_ports] = ports[i];
			policy_port[at + part->n_ports] = (uint32_t)i;
			part->n_ports++;
		}
		for (int dir = 0; dir < VQOS_DIR_N; dir++) {
			struct vqos_policy_slice *sl = &slices[k * VQOS_DIR_N + dir];
			int ret;

			if (keep[dir]) {
				part->tree[dir] = (struct vqos_dp_tree){ .keep = true };
				continue;
			}
			ret = vqos_policy_part(pol[dir], &policy_port[at], part->n_ports, sl);
			if (ret < 0) {
				snprintf(err, errlen, "%s tree of lcore %u: %s",
					 dir == VQOS_DIR_TX ? "tx" : "rx", vqos_dp_lcore(d->dp, k),
					 strerror(-ret));
				return ret;
			}
			part->tree[dir] = (struct vqos_dp_tree){
				.ops = vqos_policy_ops(pol[dir]),
				.params = &sl->params,
				.leaf_of_port = sl->leaf_of_port,
				/* split classes lend across lcores */
				.whole = vqos_policy_params(pol[dir]),
			};
			if (dir != VQOS_DIR_RX)
				continue;
			/* rx frames of a port go to its leaves by their match */
			ret = vqos_policy_classify_part(pol[dir], sl, &cls[k]);
			if (ret < 0) {
				snprintf(err, errlen, "rx classification of lcore %u: %s",
					 vqos_dp_lcore(d->dp, k), strerror(-ret));
				return ret;
			}
			part->tree[dir].classify = &cls[k];
		}
		at += part->n_ports;
	}
	return 0;
}

/* Where each class of @p pol is in each lcore's part (see vqosd.part_index). */
static uint32_t *part_index(const struct vqosd *d, const struct vqos_policy *pol,
			    const struct vqos_policy_slice *slices, int dir)
{
	unsigned int n_lcores = vqos_dp_n_lcores(d->dp);
	uint32_t n = vqos_policy_params(pol)->n_classes;
	uint32_t *idx = malloc((size_t)n_lcores * (n ? n : 1) * sizeof(*idx));

	if (idx == NULL)
		return NULL;
	for (size_t j = 0; j < (size_t)n_lcores * n; j++)
		idx[j] = VQOS_POLICY_NONE;
	for (unsigned int k = 0; k < n_lcores; k++) {
		const struct vqos_policy_slice *sl = &slices[k * VQOS_DIR_N + dir];

		for (uint32_t c = 0; c < sl->params.n_classes; c++)
			idx[(size_t)k * n + sl->index[c]] = c;
	}
	return idx;
}

int vqosd_publish(struct vqosd *d, struct vqos_port **ports, size_t n,
		  struct vqos_policy *pol[VQOS_DIR_N], bool same_ports,
		  struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	unsigned int n_lcores = vqos_dp_n_lcores(d->dp);
	struct vqos_dp_part *parts = calloc(n_lcores, sizeof(*parts));
	struct vqos_policy_slice *slices = calloc((size_t)n_lcores * VQOS_DIR_N, sizeof(*slices));
	struct vqos_sched_classify *cls = calloc(n_lcores, sizeof(*cls));
	struct vqos_port **by_shard = calloc(n ? n : 1, sizeof(*by_shard));
	uint32_t *policy_port = calloc(n ? n : 1, sizeof(*policy_port));
	uint32_t *idx[VQOS_DIR_N] = { NULL, NULL };
	struct vqos_ctl_applied local = { 0 };
	bool keep[VQOS_DIR_N] = { false, false };
	int ret = -ENOMEM;

	if (out == NULL)
		out = &local;
	if (parts == NULL || slices == NULL || cls == NULL || by_shard == NULL ||
	    policy_port == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (int dir = 0; dir < VQOS_DIR_N; dir++) {
		struct vqos_policy_diff *diff = NULL;

		if (same_ports && d->pol[dir] != NULL &&
		    vqos_policy_diff(d->pol[dir], pol[dir], &diff) == 0)
			keep[dir] = !diff->changed;
		vqos_policy_diff_free(diff);
		out->changed |= !keep[dir] || !same_ports;
		out->rebuilt |= !keep[dir];
	}
	ret = 0;
	if (!out->changed)
		goto done;
	ret = make_parts(d, ports, n, pol, keep, parts, by_shard, policy_port, slices, cls, err,
			 errlen);
	if (ret < 0)
		goto done;
	for (int dir = 0; dir < VQOS_DIR_N; dir++) {
		if (keep[dir])
			continue;
		idx[dir] = part_index(d, pol[dir], slices, dir);
		if (idx[dir] == NULL) {
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
			goto done;
		}
	}
	ret = vqos_dp_publish(d->dp, parts, &out->applied_us, err, errlen);
	if (ret < 0)
		goto done;
	for (int dir = 0; dir < VQOS_DIR_N; dir++) {
		if (keep[dir])
			continue;
		free(d->part_index[dir]);
		d->part_index[dir] = idx[dir];
		idx[dir] = NULL;
	}
done:
	for (size_t j = 0; slices != NULL && j < (size_t)n_lcores * VQOS_DIR_N; j++)
		vqos_policy_slice_fini(&slices[j]);
	free(slices);
	for (unsigned int k = 0; cls != NULL && k < n_lcores; k++)
		vqos_policy_classify_fini(&cls[k]);
	free(cls);
	free(parts);
	free(by_shard);
	free(policy_port);
	free(idx[0]);
	free(idx[1]);
	return ret;
}

/* After a change (@p ret its result): keep the running state across
 * restarts. One that cannot be written is said in the reply (@p out, may be
 * NULL) and the log; the change stands. @return @p ret */
static int kept(struct vqosd *d, int ret, struct vqos_ctl_applied *out)
{
	char err[384];
	size_t at;

	if (ret < 0 || vqosd_state_keep(d, err, sizeof(err)) == 0)
		return ret;
	VQOSD_LOG(ERR, "the running state is not kept across restarts: %s\n", err);
	if (out != NULL) {
		at = strlen(out->note);
		snprintf(out->note + at, sizeof(out->note) - at, "; not kept across restarts: %s",
			 err);
	}
	return ret;
}

int vqosd_class_edit(struct vqosd *d, int dir, int verb, const struct vqos_conf_class *c,
		     struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	struct vqos_policy *pol[VQOS_DIR_N] = { d->pol[0], d->pol[1] }, *next = NULL;
	int ret;

	ret = vqos_policy_edit(d->pol[dir], (enum vqos_policy_verb)verb, c, &next, err, errlen);
	if (ret < 0)
		return ret;
	pol[dir] = next;
	pthread_mutex_lock(&d->lock);
	ret = vqosd_publish(d, d->ports, d->n_ports, pol, true, out, err, errlen);
	if (ret == 0) {
		vqos_policy_free(d->pol[dir]);
		d->pol[dir] = next;
	}
	pthread_mutex_unlock(&d->lock);
	if (ret < 0) {
		vqos_policy_free(next);
		return ret;
	}
	snprintf(out->note, sizeof(out->note), "class %s: %s%s", c->name,
		 out->changed ? "applied" : "nothing changed",
		 out->rebuilt ? " (qdisc rebuilt, queues kept)" : "");
	return kept(d, 0, out);
}

/* The open port of @p d that @p cp describes exactly, or NULL. */
static struct vqos_port *same_port(const struct vqosd *d, const struct vqos_conf_port *cp)
{
	for (size_t i = 0; i < d->n_ports; i++) {
		const struct vqos_conf_port *o = &d->conf->ports[i];

		if (strcmp(o->name, cp->name) == 0 && strcmp(o->socket, cp->socket) == 0 &&
		    strcmp(o->uplink, cp->uplink) == 0 && strcmp(o->mac, cp->mac) == 0 &&
		    o->client == cp->client)
			return d->ports[i];
	}
	return NULL;
}

/* A port of @p d called like @p cp but set up otherwise: refused by reload. */
static const struct vqos_conf_port *changed_port(const struct vqosd *d,
						 const struct vqos_conf_port *cp)
{
	for (size_t i = 0; i < d->n_ports; i++)
		if (strcmp(d->conf->ports[i].name, cp->name) == 0 && same_port(d, cp) == NULL)
			return &d->conf->ports[i];
	return NULL;
}

static bool still_there(const struct vqos_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n_ports; i++)
		if (strcmp(conf->ports[i].name, name) == 0)
			return true;
	return false;
}

/* Notes for the things a reload cannot change in a running vqosd. */
static void restart_notes(const struct vqos_conf *a, const struct vqos_conf *b, char *note,
			  size_t len)
{
	bool eal = a->eal_argc != b->eal_argc;

	for (int i = 0; !eal && i < a->eal_argc; i++)
		eal = strcmp(a->eal_argv[i], b->eal_argv[i]) != 0;
	if (eal || strcmp(a->ctl_socket, b->ctl_socket) != 0 ||
	    strcmp(a->ctl_owner, b->ctl_owner) != 0 || strcmp(a->ctl_group, b->ctl_group) != 0 ||
	    strcmp(a->ctl_admin, b->ctl_admin) != 0 || a->ctl_mode != b->ctl_mode)
		snprintf(note + strlen(note), len - strlen(note),
			 "%seal and control changes take effect at the next start",
			 note[0] ? "; " : "");
}

/*
 * Make @p conf the running configuration (taking it over): build its trees,
 * open the ports it adds, publish, close the ports it drops. On error
 * nothing has changed and @p conf is freed.
 */
static int apply_conf(struct vqosd *d, struct vqos_conf *conf, struct vqos_ctl_applied *out,
		      char *err, size_t errlen)
{
	struct vqos_policy *pol[VQOS_DIR_N] = { NULL, NULL };
	struct vqos_port **ports = NULL;
	bool *opened = NULL, same;
	size_t i, n_added = 0, n_removed = 0;
	int ret;

	ret = vqosd_build_policies(conf, pol, err, errlen);
	if (ret < 0)
		goto out;
	for (i = 0; i < conf->n_ports; i++) {
		const struct vqos_conf_port *old = changed_port(d, &conf->ports[i]);

		if (old != NULL) {
			snprintf(err, errlen,
				 "port %s: socket, mode, uplink or mac changed: remove it, reload, "
				 "then add it back",
				 old->name);
			ret = -EINVAL;
			goto out;
		}
	}
	ports = calloc(conf->n_ports, sizeof(*ports));
	opened = calloc(conf->n_ports, sizeof(*opened));
	if (ports == NULL || opened == NULL) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	/* New ports first: if one cannot open, nothing has changed yet. Each
	 * goes to the lcore that polls the fewest of the ports it will run beside. */
	for (i = 0; i < conf->n_ports; i++)
		ports[i] = same_port(d, &conf->ports[i]);
	for (i = 0; i < conf->n_ports; i++) {
		if (ports[i] != NULL)
			continue;
		ret = vqosd_open_port(d, &conf->ports[i], ports, conf->n_ports, &ports[i], err,
				      errlen);
		if (ret < 0)
			goto out;
		opened[i] = true;
		n_added++;
	}
	same = conf->n_ports == d->n_ports &&
	       memcmp(ports, d->ports, d->n_ports * sizeof(*ports)) == 0;
	pthread_mutex_lock(&d->lock);
	ret = vqosd_publish(d, ports, conf->n_ports, pol, same, out, err, errlen);
	if (ret < 0) {
		pthread_mutex_unlock(&d->lock);
		goto out;
	}
	/* The data path no longer sees the ports that went: close them. */
	for (i = 0; i < d->n_ports; i++)
		if (!still_there(conf, d->conf->ports[i].name)) {
			vqos_port_close(d->ports[i]);
			n_removed++;
		}
	snprintf(out->note, sizeof(out->note), "%zu port(s) added, %zu removed%s", n_added,
		 n_removed, out->rebuilt ? ", class trees rebuilt (queues kept)" : "");
	restart_notes(d->conf, conf, out->note, sizeof(out->note));
	out->changed |= n_added + n_removed > 0;
	free(d->ports);
	d->ports = ports;
	d->n_ports = conf->n_ports;
	ports = NULL;
	vqos_conf_free(d->conf);
	d->conf = conf;
	conf = NULL;
	vqosd_apply_datapath(d);
	for (int dir = 0; dir < VQOS_DIR_N; dir++) {
		vqos_policy_free(d->pol[dir]);
		d->pol[dir] = pol[dir];
		pol[dir] = NULL;
	}
	pthread_mutex_unlock(&d->lock);
out:
	for (i = 0; ports != NULL && conf != NULL && i < conf->n_ports; i++)
		if (opened[i])
			vqos_port_close(ports[i]);
	free(ports);
	free(opened);
	vqos_policy_free(pol[0]);
	vqos_policy_free(pol[1]);
	vqos_conf_free(conf);
	return ret;
}

void vqosd_apply_datapath(struct vqosd *d)
{
	_Static_assert(VQOS_CONF_SLEEP_MAX_US == VQOS_DP_SLEEP_MAX_US_MAX, "one bound");
	vqos_dp_set_sleep_max(d->dp, d->conf->sleep_max_us == VQOS_CONF_SLEEP_MAX_UNSET
					     ? VQOS_DP_SLEEP_MAX_US_DEFAULT
					     : d->conf->sleep_max_us);
}

int vqosd_lcore_set(struct vqosd *d, const char *key, const char *value, char *err, size_t errlen)
{
	uint64_t us;

	if (strcmp(key, "sleep_max") != 0) {
		snprintf(err, errlen, "lcore set: unknown setting '%s' (known: sleep_max)", key);
		return -EINVAL;
	}
	if (vqos_parse_time(value, &us) < 0) {
		snprintf(err, errlen,
			 "lcore set sleep_max: '%s' is not a time such as 500us or 1ms", value);
		return -EINVAL;
	}
	if (us > VQOS_CONF_SLEEP_MAX_US) {
		snprintf(err, errlen,
			 "lcore set sleep_max: '%s' is over %ums, the most an lcore may "
			 "sleep",
			 value, VQOS_CONF_SLEEP_MAX_US / 1000);
		return -ERANGE;
	}
	/* the running configuration says it: a dump and later changes keep it */
	d->conf->sleep_max_us = us;
	vqosd_apply_datapath(d);
	VQOSD_LOG(NOTICE, "lcores: sleep_max %llu us\n", (unsigned long long)us);
	return kept(d, 0, NULL);
}

/* The running state as a configuration of its own, to edit and apply. */
static int running_conf(struct vqosd *d, struct vqos_conf **conf, char *err, size_t errlen)
{
	char *text = NULL;
	int ret = vqosd_config_dump(d, &text, err, errlen);

	if (ret == 0)
		ret = vqos_conf_load_string(text, "<running>", conf, err, errlen);
	free(text);
	return ret;
}

/*
 * The file read again, with the run-time changes (the running state of @p d
 * against the file as last read, d->base_text) carried over to it
 * (vqos_conf_merge()): in @p conf, and the file's own text in @p file_text.
 * @p note says how many were carried, and what the file overrode.
 */
static int reread(struct vqosd *d, struct vqos_conf **conf, char **file_text, char *note,
		  size_t notelen, char *err, size_t errlen)
{
	struct vqos_policy *pol[VQOS_DIR_N] = { NULL, NULL };
	struct vqos_conf *base = NULL, *running = NULL;
	char report[sizeof(((struct vqos_ctl_applied *)0)->note)] = "";
	int ret, carried = 0;

	*conf = NULL;
	*file_text = NULL;
	if (d->conf_path != NULL)
		ret = vqos_conf_load_file(d->conf_path, conf, err, errlen);
	else
		ret = vqos_conf_load_string(vqos_conf_default_text(), "<embedded default>", conf,
					    err, errlen);
	/* the file alone first: its own mistakes are said as its own */
	if (ret == 0)
		ret = vqosd_build_policies(*conf, pol, err, errlen);
	if (ret == 0)
		ret = vqosd_conf_text(*conf, pol, file_text, err, errlen);
	if (ret == 0)
		ret = vqos_conf_load_string(d->base_text, "<file as last read>", &base, err,
					    errlen);
	if (ret == 0)
		ret = running_conf(d, &running, err, errlen);
	if (ret == 0) {
		carried = vqos_conf_merge(base, running, *conf, report, sizeof(report));
		if (carried < 0) {
			snprintf(err, errlen, "out of memory");
			ret = carried;
		}
	}
	if (ret == 0 && carried > 0)
		snprintf(note, notelen, "%d run-time change(s) kept%s%s", carried,
			 report[0] ? "; " : "", report);
	else if (ret == 0)
		snprintf(note, notelen, "%s", report);
	vqos_policy_free(pol[0]);
	vqos_policy_free(pol[1]);
	vqos_conf_free(base);
	vqos_conf_free(running);
	if (ret < 0) {
		vqos_conf_free(*conf);
		*conf = NULL;
		free(*file_text);
		*file_text = NULL;
	}
	return ret;
}

int vqosd_reload(struct vqosd *d, struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	struct vqos_conf *conf = NULL;
	char status[sizeof(out->note) + 16], carried[sizeof(out->note)] = "", *file_text = NULL;
	int ret;

	/* systemd holds `systemctl reload` until READY=1 comes back */
	vqosd_notify_reloading();
	ret = reread(d, &conf, &file_text, carried, sizeof(carried), err, errlen);
	if (ret == 0)
		ret = apply_conf(d, conf, out, err, errlen);
	if (ret == 0) {
		if (carried[0]) {
			size_t at = strlen(out->note);

			snprintf(out->note + at, sizeof(out->note) - at, "; %s", carried);
			VQOSD_LOG(NOTICE, "reload: %s\n", carried);
		}
		free(d->base_text);
		d->base_text = file_text;
		file_text = NULL;
		snprintf(status, sizeof(status), "reloaded: %s", out->note);
	} else {
		snprintf(status, sizeof(status), "reload refused, nothing changed");
	}
	free(file_text);
	vqosd_notify_ready(status);
	return kept(d, ret, out);
}

/* Append @p n classes @p add to direction @p cd of a configuration. */
static int classes_append(struct vqos_conf_dir *cd, const struct vqos_conf_class *add, size_t n)
{
	struct vqos_conf_class *c;

	if (n == 0)
		return 0;
	c = realloc(cd->classes, (cd->n_classes + n) * sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	memcpy(&c[cd->n_classes], add, n * sizeof(*c));
	cd->classes = c;
	cd->n_classes += n;
	return 0;
}

int vqosd_port_add(struct vqosd *d, const struct vqos_ctl_port_add *add,
		   struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	const struct vqos_conf_port *port = &add->port;
	struct vqos_conf *conf = NULL, *checked = NULL;
	struct vqos_conf_port *ports;
	char *text = NULL, why[VQOS_CONF_DEVARGS_MAX + 160];
	int ret = vqos_conf_port_runtime_check(d->conf, port, why, sizeof(why));

	if (ret < 0) {
		snprintf(err, errlen, "port add: %s", why);
		return ret;
	}
	ret = running_conf(d, &conf, err, errlen);
	if (ret < 0)
		return ret;
	for (int dir = 0; dir < VQOS_DIR_N; dir++)
		if ((dir ? conf->rx : conf->tx).n_classes > 0 && add->n_leaves[dir] == 0) {
			snprintf(err, errlen,
				 "port add: the %s class tree needs a leaf for port %s: give it "
				 "after the port, e.g. `%s parent PARENT rate RATE ceil CEIL`",
				 dir ? "rx" : "tx", port->name, dir ? "rx" : "tx");
			vqos_conf_free(conf);
			return -EINVAL;
		}
	ports = realloc(conf->ports, (conf->n_ports + 1) * sizeof(*ports));
	if (ports != NULL) {
		conf->ports = ports;
		conf->ports[conf->n_ports++] = *port;
	}
	/* its leaves, as if the file had them: one change, validated whole */
	if (ports == NULL || classes_append(&conf->tx, add->leaf[0], add->n_leaves[0]) < 0 ||
	    classes_append(&conf->rx, add->leaf[1], add->n_leaves[1]) < 0) {
		vqos_conf_free(conf);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* the file's rules (names, sockets, uplinks unique...) by a round trip */
	ret = vqos_conf_dump(conf, &text);
	if (ret == 0)
		ret = vqos_conf_load_string(text, "port add", &checked, err, errlen);
	free(text);
	vqos_conf_free(checked);
	if (ret < 0) {
		vqos_conf_free(conf);
		return ret;
	}
	ret = apply_conf(d, conf, out, err, errlen);
	if (ret == 0)
		snprintf(out->note, sizeof(out->note),
			 "port %s added, with %zu tx and %zu rx class(es)", port->name,
			 add->n_leaves[0], add->n_leaves[1]);
	return kept(d, ret, out);
}

/* The running state as a configuration (see running_conf()) and the index
 * of its port @p name in *@p at; -ENOENT, with @p cmd in the message, if none. */
static int running_port(struct vqosd *d, const char *cmd, const char *name, struct vqos_conf **conf,
			size_t *at, char *err, size_t errlen)
{
	int ret = running_conf(d, conf, err, errlen);
	size_t i;

	if (ret < 0)
		return ret;
	for (i = 0; i < (*conf)->n_ports && strcmp((*conf)->ports[i].name, name) != 0; i++)
		;
	if (i == (*conf)->n_ports) {
		snprintf(err, errlen, "%s: no port named '%s'", cmd, name);
		vqos_conf_free(*conf);
		*conf = NULL;
		return -ENOENT;
	}
	*at = i;
	return 0;
}

int vqosd_port_del(struct vqosd *d, const char *name, struct vqos_ctl_applied *out, char *err,
		   size_t errlen)
{
	struct vqos_conf *conf = NULL;
	size_t i;
	int ret = running_port(d, "port del", name, &conf, &i, err, errlen);

	if (ret < 0)
		return ret;
	/* vqosd serves one port at least */
	if (conf->n_ports == 1) {
		snprintf(err, errlen, "port del: '%s' is the last port", name);
		vqos_conf_free(conf);
		return -EINVAL;
	}
	memmove(&conf->ports[i], &conf->ports[i + 1],
		(conf->n_ports - i - 1) * sizeof(*conf->ports));
	conf->n_ports--;
	/* its leaves go with it, as an interface's classes do */
	for (int dir = 0; dir < VQOS_DIR_N; dir++) {
		struct vqos_conf_dir *cd = dir ? &conf->rx : &conf->tx;
		size_t k = 0;

		for (size_t c = 0; c < cd->n_classes; c++)
			if (strcmp(cd->classes[c].port, name) != 0)
				cd->classes[k++] = cd->classes[c];
		cd->n_classes = k;
	}
	ret = apply_conf(d, conf, out, err, errlen);
	if (ret == 0)
		snprintf(out->note, sizeof(out->note), "port %s removed", name);
	return kept(d, ret, out);
}

int vqosd_port_cost(struct vqosd *d, const char *name, const struct vqos_conf_cost *cost,
		    struct vqos_ctl_applied *out, char *err, size_t errlen)
{
	struct vqos_conf *conf = NULL;
	size_t i;
	int ret = running_port(d, "port cost", name, &conf, &i, err, errlen);

	if (ret < 0)
		return ret;
	/* the trees are built again from it: one whose cycle rates now lack
	 * a model is refused, and nothing changes */
	conf->ports[i].cost = *cost;
	ret = apply_conf(d, conf, out, err, errlen);
	if (ret == 0 && cost->set) {
		char byte[VQOS_CONF_COST_TEXT_MAX];

		vqos_conf_cost_byte_format(cost->byte, byte, sizeof(byte));
		snprintf(out->note, sizeof(out->note), "port %s: cost %u cycles/packet + %s/byte%s",
			 name, cost->packet, byte,
			 out->rebuilt ? " (class trees rebuilt, queues kept)" : "");
	} else if (ret == 0) {
		snprintf(out->note, sizeof(out->note), "port %s: no cost model", name);
	}
	return kept(d, ret, out);
}

int vqosd_qdisc_replace(struct vqosd *d, int dir, const char *kind, struct vqos_ctl_applied *out,
			char *err, size_t errlen)
{
	struct vqos_conf *conf = NULL;
	struct vqos_conf_dir *cd;
	int ret = running_conf(d, &conf, err, errlen);

	if (ret < 0)
		return ret;
	cd = dir ? &conf->rx : &conf->tx;
	snprintf(cd->qdisc, sizeof(cd->qdisc), "%s", kind);
	ret = apply_conf(d, conf, out, err, errlen);
	if (ret == 0)
		snprintf(out->note, sizeof(out->note), "%s qdisc %s", dir ? "rx" : "tx", kind);
	return kept(d, ret, out);
}

int vqosd_conf_text(const struct vqos_conf *conf, struct vqos_policy *const pol[VQOS_DIR_N],
		    char **text, char *err, size_t errlen)
{
	char *parts[3] = { NULL, NULL, NULL };
	size_t len = 1;
	int ret = vqos_conf_dump(conf, &parts[0]);

	for (int dir = 0; ret == 0 && dir < VQOS_DIR_N; dir++)
		ret = vqos_policy_dump(pol[dir], &parts[dir + 1]);
	if (ret == 0) {
		for (int k = 0; k < 3; k++)
			len += strlen(parts[k]) + 1;
		*text = malloc(len);
		if (*text == NULL)
			ret = -ENOMEM;
		else
			snprintf(*text, len, "%s\n%s\n%s", parts[0], parts[1], parts[2]);
	}
	if (ret < 0)
		snprintf(err, errlen, "config dump: out of memory");
	for (int k = 0; k < 3; k++)
		free(parts[k]);
	return ret;
}

int vqosd_config_dump(struct vqosd *d, char **text, char *err, size_t errlen)
{
	return vqosd_conf_text(d->conf, d->pol, text, err, errlen);
}

int vqosd_state_keep(struct vqosd *d, char *err, size_t errlen)
{
	char *text = NULL;
	int ret;

	if (d->state_dir == NULL)
		return 0;
	ret = vqosd_config_dump(d, &text, err, errlen);
	if (ret == 0)
		ret = vqosd_state_save(d->state_dir, d->base_text, text, err, errlen);
	free(text);
	return ret;
}
