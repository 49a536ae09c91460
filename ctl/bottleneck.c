/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bottleneck verdicts: where, per port and direction, packets waited or died
 * between two samples of the counters (`port show` and `lcore show` results).
 *
 * The counters each point at one place on the path:
 *
 *   container --tx vring--> [class: shaped?] --> uplink (OVS): uplink full?
 *   container <--rx vring-- [class queue: shaped? drops?] <-- uplink
 *                vring full?
 *   vqosd's lcore: busy and stalled shares of its cycles (as `lcore show`
 *                  says them), and the share of the time its thread
 *                  waited for a CPU
 *
 * and the verdict is the first that holds, in this order:
 *
 *   policy     a class on the port's path (its leaf or one above it) reached
 *              its ceil, so could neither send nor borrow, while packets waited:
 *              the configured rate or ceil is the limit (as intended);
 *   uplink     tx only: the uplink took fewer packets than offered, and
 *              packets waited: the OVS PMD core behind it is full;
 *   container  rx only: the container's rx vring had no room, and packets
 *              waited or died in vqosd: the container does not drain it;
 *   vqosd      packets waited and the vqosd lcore that polls the port was
 *              not free for work at least 80% of the time: busy, stalled
 *              (a pass that lost its CPU), or ready to run and kept off its
 *              CPU by another thread (schedstat's run delay, "waiting");
 *              vqosd itself is the limit;
 *   backlog    tx only: packets waited in the container's vring and none of
 *              the above explains it;
 *   none       nothing waited: whatever limits the rate is the sender (a
 *              full uplink or vring that nobody waited for, a moment when
 *              OVS's PMD or the container lost its CPU, is not a verdict).
 *
 * Each verdict comes with its evidence: the deltas and rates it rests on.
 */
#include <string.h>

#include "ctl/vqos_ctl.h"

/* Share of the time an lcore was not free for work (busy, stalled or
 * waiting for a CPU) above which it counts as saturated. */
#define SATURATED_PCT 80.0

/* The struct at @p s: the counters of @p table in object @p b of the later
 * sample; @p was: the same struct from object @p a of the earlier one. Each
 * count becomes what it grew by in between; a level (gauge) stays as at @p b. */
static void between(const struct vqos_ctl_counter *table, const json_t *a, const json_t *b,
		    void *was, void *s)
{
	vqos_ctl_counters_from_json(table, a, was);
	vqos_ctl_counters_from_json(table, b, s);
	for (const struct vqos_ctl_counter *c = table; c->name != NULL; c++) {
		uint64_t x, y;

		if (c->derive != NULL || c->gauge)
			continue;
		x = vqos_ctl_counter_get(c, was);
		y = vqos_ctl_counter_get(c, s);
		/* a counter that went back means the port was re-created: count from 0 */
		vqos_ctl_counter_set(c, s, y >= x ? y - x : y);
	}
}

static const json_t *find_port(const json_t *ports, const char *name)
{
	const json_t *p;
	size_t i;

	json_array_foreach (ports, i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
			return p;
	return NULL;
}

/* Where an lcore's time went over an interval, percent, in the words of
 * `lcore show`: busy and stalled cycles over all its cycles, and the time
 * its thread was ready to run and had no CPU (schedstat's run delay). */
struct lcore_share {
	double busy, stall, wait;
	/* not free to take work: busy, stalled or waiting for a CPU (a
	 * polling lcore's stalled passes and run delay count the same loss
	 * twice, hence the cap at 100) */
	double taken;
};

/* The share of data-path lcore @p lcore (all of them if it is -1) over
 * @p seconds. A sleeping lcore counts its sleep as waiting for work; if
 * another thread keeps it off its CPU, its run delay shows it. */
static struct lcore_share lcore_share(const json_t *la, const json_t *lb, json_int_t lcore,
				      double seconds)
{
	uint64_t busy = 0, stall = 0, all = 0, waited_ns = 0;
	struct lcore_share s = { 0 };
	unsigned int n = 0;
	const json_t *b;
	size_t i;

	json_array_foreach (lb, i, b) {
		struct vqos_ctl_lcore was, d;

		if (lcore >= 0 && json_integer_value(json_object_get(b, "lcore")) != lcore)
			continue;
		between(vqos_ctl_lcore_counters, json_array_get(la, i), b, &was, &d);
		busy += d.busy_cycles;
		stall += d.stall_cycles;
		all += d.busy_cycles + d.stall_cycles + d.idle_cycles + d.sleep_cycles;
		waited_ns += d.waited_ns;
		n++;
	}
	if (all > 0) {
		s.busy = 100.0 * (double)busy / (double)all;
		s.stall = 100.0 * (double)stall / (double)all;
	}
	if (n > 0 && seconds > 0)
		s.wait = 100.0 * (double)waited_ns / (n * seconds * 1e9);
	s.taken = s.busy + s.stall + s.wait;
	if (s.taken > 100.0)
		s.taken = 100.0;
	return s;
}

/* The share's fields into @p o. */
static void share_json(json_t *o, const struct lcore_share *s)
{
	json_object_set_new(o, "lcore_busy_pct", json_real(s->busy));
	json_object_set_new(o, "lcore_stall_pct", json_real(s->stall));
	json_object_set_new(o, "lcore_wait_pct", json_real(s->wait));
	json_object_set_new(o, "lcore_taken_pct", json_real(s->taken));
}

static json_t *verdict(const char *dir, const json_t *a, const json_t *b, double dt,
		       const struct lcore_share *lc)
{
	bool tx = strcmp(dir, "tx") == 0, waited;
	struct vqos_ctl_dir was, d;
	const char *v, *why;
	json_t *r;

	between(vqos_ctl_dir_counters, a, b, &was, &d);
	/* tx: a burst or more found waiting in the vring during the interval */
	waited = d.backlog > 0 || d.drops > 0 || d.backlogged > 0;
	if (d.shaped > 0 && waited) {
		v = "policy";
		why = "a class on its path reached its ceil while packets waited";
	} else if (tx && d.uplink_full > 0 && waited) {
		v = "uplink";
		why = "the uplink (OVS) took fewer packets than offered";
	} else if (!tx && d.vring_full > 0 && waited) {
		v = "container";
		why = "the container's rx vring had no room";
	} else if (waited && lc->taken >= SATURATED_PCT) {
		v = "vqosd";
		why = "packets waited while vqosd's lcore was busy, stalled or waiting for a CPU";
	} else if (tx && d.backlog > 0) {
		v = "backlog";
		why = "packets waited in the container's tx vring";
	} else {
		v = "none";
		why = "nothing waited: the sender sets the rate";
	}
	r = json_pack("{s:s, s:s, s:{s:f, s:f, s:I, s:I, s:I, s:I, s:I}}", "verdict", v, "reason",
		      why, "evidence", "offered_pps", dt > 0 ? (double)d.offered / dt : 0.0,
		      "sent_pps", dt > 0 ? (double)d.packets / dt : 0.0, "shaped",
		      (json_int_t)d.shaped, "drops", (json_int_t)d.drops, "backlog",
		      (json_int_t)d.backlog, "uplink_full", (json_int_t)d.uplink_full, "vring_full",
		      (json_int_t)d.vring_full);
	if (r != NULL)
		share_json(json_object_get(r, "evidence"), lc);
	return r;
}

json_t *vqos_ctl_bottleneck(const json_t *ports_a, const json_t *lcores_a, const json_t *ports_b,
			    const json_t *lcores_b, double seconds)
{
	struct lcore_share all = lcore_share(lcores_a, lcores_b, -1, seconds);
	json_t *rows = json_array(), *r;
	const json_t *b;
	size_t i;

	json_array_foreach (ports_b, i, b) {
		const char *name = json_string_value(json_object_get(b, "name"));
		const json_t *a = find_port(ports_a, name), *lc = json_object_get(b, "lcore");
		struct lcore_share mine;
		json_t *row;

		if (a == NULL)
			continue; /* a port added within the interval has no history yet */
		/* the lcore that polls the port (all of them if it is not said) */
		mine = lcore_share(lcores_a, lcores_b, lc != NULL ? json_integer_value(lc) : -1,
				   seconds);
		row = json_pack("{s:s}", "port", name);
		json_object_set_new(row, "tx",
				    verdict("tx", json_object_get(a, "tx"),
					    json_object_get(b, "tx"), seconds, &mine));
		json_object_set_new(row, "rx",
				    verdict("rx", json_object_get(a, "rx"),
					    json_object_get(b, "rx"), seconds, &mine));
		json_array_append_new(rows, row);
	}
	r = json_pack("{s:f, s:o}", "interval_s", seconds, "ports", rows);
	if (r != NULL)
		share_json(r, &all);
	return r;
}
