/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqos-gen's figures: a progress line a second on stderr, and the JSON report
 * on stdout at the end.
 *
 * Time bases: tx rates are over the sending time (link up to the end of
 * sending: duration elapsed, --count reached or a signal); rx rates are over
 * the span from the first to the last burst that received frames with the
 * vqos-gen magic. Both spans are in the report ("time_s") so that a test can
 * redo the division. Byte counts are frame bytes without FCS; bps = bytes * 8
 * / time_s.
 *
 * One ethdev: the report is that port's object. Several: {"ports": [one such
 * object each, in ethdev order], "total": sums, "elapsed_s", "interrupted"};
 * the totals' rates are over the union of the ports' spans (earliest start to
 * latest end), so they are what the process as a whole did.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_ethdev.h>

#include "gen.h"

/* Rates over @p dt seconds of the counters since the last line, then remember them. */
struct prog {
	double tx_pps, tx_mbps, rx_pps;
};

static struct prog prog_take(struct vqos_gen_ct *c, double dt)
{
	struct prog p = {
		.tx_pps = (double)(c->tx.packets - c->prog_tx) / dt,
		.tx_mbps = (double)(c->tx.bytes - c->prog_tx_bytes) * 8 / dt / 1e6,
		.rx_pps = (double)(c->rx.packets + c->rx.foreign - c->prog_rx) / dt,
	};

	c->prog_tx = c->tx.packets;
	c->prog_tx_bytes = c->tx.bytes;
	c->prog_rx = c->rx.packets + c->rx.foreign;
	return p;
}

/*
 * One port: "vqos-gen[ID]: T s tx PPS pps MBIT Mbit/s  rx PPS pps  backpressure N"
 * (tests parse it), then "  backoffs N" with --backoff-us only. Several: the
 * totals, then "| I: TX/RX kpps" for each port.
 */
void vqos_gen_progress(struct vqos_gen_run *r, uint64_t now)
{
	double dt = (double)(now - r->prog_tsc) / (double)r->hz;
	double t = (double)(now - r->start_tsc) / (double)r->hz;
	struct prog p[RTE_MAX_ETHPORTS], sum = { 0 };
	uint64_t backpressure = 0;
	char backoffs[40] = "";
	uint16_t i;

	if (dt <= 0)
		return;
	for (i = 0; i < r->nb_ct; i++) {
		p[i] = prog_take(&r->ct[i], dt);
		sum.tx_pps += p[i].tx_pps;
		sum.tx_mbps += p[i].tx_mbps;
		sum.rx_pps += p[i].rx_pps;
		backpressure += r->ct[i].tx.backpressure;
	}
	r->prog_tsc = now;
	/* Without the option, the line is what it always was. */
	if (r->opts->backoff_us != 0)
		snprintf(backoffs, sizeof(backoffs), "  backoffs %" PRIu64, r->backoffs);
	if (r->nb_ct == 1) {
		fprintf(stderr,
			"vqos-gen[%" PRIu32 "]: %6.1fs tx %10.0f pps %9.2f Mbit/s  rx %10.0f pps  "
			"backpressure %" PRIu64 "%s\n",
			r->ct[0].opts->id, t, sum.tx_pps, sum.tx_mbps, sum.rx_pps, backpressure,
			backoffs);
		return;
	}
	fprintf(stderr,
		"vqos-gen[%d]: %6.1fs %u ports tx %10.0f pps %9.2f Mbit/s  rx %10.0f pps  "
		"backpressure %" PRIu64 "%s |",
		(int)getpid(), t, r->nb_ct, sum.tx_pps, sum.tx_mbps, sum.rx_pps, backpressure,
		backoffs);
	for (i = 0; i < r->nb_ct; i++)
		fprintf(stderr, " %u: %.1f/%.1f", i, p[i].tx_pps / 1e3, p[i].rx_pps / 1e3);
	fprintf(stderr, " kpps tx/rx\n");
}

/* obj[key] = v; the caller checks the object once at the end. */
static void set_u64(json_t *obj, const char *key, uint64_t v)
{
	json_object_set_new(obj, key, json_integer((json_int_t)v));
}

static void set_real(json_t *obj, const char *key, double v)
{
	json_object_set_new(obj, key, json_real(v));
}

/* packets, bytes, pps, bps, time_s over @p cycles. */
static void set_rates(json_t *obj, uint64_t packets, uint64_t bytes, uint64_t cycles, uint64_t hz)
{
	double t = (double)cycles / (double)hz;

	set_u64(obj, "packets", packets);
	set_u64(obj, "bytes", bytes);
	set_real(obj, "pps", t > 0 ? (double)packets / t : 0.0);
	set_real(obj, "bps", t > 0 ? (double)bytes * 8 / t : 0.0);
	set_real(obj, "time_s", t);
}

/* --backoff-us: "backoffs", sleeps taken, and "backoff_s", seconds slept in them. */
static void set_backoffs(json_t *obj, uint64_t backoffs, uint64_t cycles, uint64_t hz)
{
	set_u64(obj, "backoffs", backoffs);
	set_real(obj, "backoff_s", (double)cycles / (double)hz);
}

/* When the port's sending ended: its own end, or the run's. */
static uint64_t tx_end(const struct vqos_gen_run *r, const struct vqos_gen_tx *tx)
{
	return tx->end_tsc != 0 ? tx->end_tsc : r->end_tsc;
}

static json_t *tx_json(const struct vqos_gen_run *r, const struct vqos_gen_tx *tx)
{
	json_t *o = json_object();

	set_rates(o, tx->packets, tx->bytes, tx->start_tsc != 0 ? tx_end(r, tx) - tx->start_tsc : 0,
		  r->hz);
	set_u64(o, "backpressure", tx->backpressure);
	set_u64(o, "retry_packets", tx->retry_packets);
	set_u64(o, "unsent", tx->unsent);
	set_u64(o, "alloc_failed", tx->alloc_failed);
	set_backoffs(o, tx->backoffs, tx->backoff_tsc, r->hz);
	return o;
}

static int cmp_stream(const void *a, const void *b)
{
	const struct vqos_gen_stream *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* "vlan": VID and "pcp": PCP of a tagged stream. */
static void set_vlan(json_t *o, uint16_t tci)
{
	set_u64(o, "vlan", tci & RTE_VLAN_ID_MASK);
	set_u64(o, "pcp", tci >> 13);
}

static json_t *streams_json(const struct vqos_gen_rx *rx)
{
	struct vqos_gen_stream *s = calloc(rx->nb_streams + 1u, sizeof(*s));
	json_t *a = json_array();
	uint32_t i, n = 0;

	if (s == NULL || a == NULL) {
		free(s);
		json_decref(a);
		return NULL;
	}
	for (i = 0; i < VQOS_GEN_STREAMS; i++)
		if (rx->streams[i].used)
			s[n++] = rx->streams[i];
	qsort(s, n, sizeof(*s), cmp_stream);
	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		set_u64(o, "id", s[i].id);
		set_u64(o, "packets", s[i].packets);
		set_u64(o, "bytes", s[i].bytes);
		set_u64(o, "max_seq", s[i].max_seq);
		set_u64(o, "reordered", s[i].reordered);
		set_u64(o, "dscp", s[i].dscp);
		if (s[i].tagged)
			set_vlan(o, s[i].tci);
		json_array_append_new(a, o);
	}
	free(s);
	return a;
}

static json_t *latency_json(const struct vqos_gen_hist *h, uint64_t hz)
{
	double us = 1e6 / (double)hz;
	json_t *lat = json_object();

	set_u64(lat, "samples", h->count);
	set_real(lat, "min", (double)h->min * us);
	set_real(lat, "avg", h->count ? (double)h->sum / (double)h->count * us : 0.0);
	set_real(lat, "max", (double)h->max * us);
	set_real(lat, "p50", vqos_gen_hist_quantile(h, 0.5) * us);
	set_real(lat, "p99", vqos_gen_hist_quantile(h, 0.99) * us);
	set_real(lat, "p999", vqos_gen_hist_quantile(h, 0.999) * us);
	return lat;
}

static json_t *rx_json(const struct vqos_gen_run *r, const struct vqos_gen_rx *rx)
{
	json_t *o = json_object();

	set_rates(o, rx->packets, rx->bytes, rx->last_tsc - rx->first_tsc, r->hz);
	set_u64(o, "tagged", rx->tagged);
	set_u64(o, "foreign", rx->foreign);
	set_u64(o, "foreign_bytes", rx->foreign_bytes);
	set_u64(o, "reordered", rx->reordered);
	set_u64(o, "untracked", rx->untracked);
	json_object_set_new(o, "latency_us", latency_json(rx->lat, r->hz));
	json_object_set_new(o, "streams", streams_json(rx));
	return o;
}

static json_t *port_stats_json(const struct rte_eth_stats *st)
{
	json_t *o = json_object();

	set_u64(o, "ipackets", st->ipackets);
	set_u64(o, "opackets", st->opackets);
	set_u64(o, "ibytes", st->ibytes);
	set_u64(o, "obytes", st->obytes);
	set_u64(o, "imissed", st->imissed);
	set_u64(o, "ierrors", st->ierrors);
	set_u64(o, "oerrors", st->oerrors);
	set_u64(o, "rx_nombuf", st->rx_nombuf);
	return o;
}

/* --size: the number, or for a mix the text given and its entries. */
static void set_size(json_t *obj, const struct vqos_gen_mix *m)
{
	json_t *a;
	uint32_t i;

	if (strchr(m->str, ':') == NULL && strcmp(m->str, "imix") != 0) {
		set_u64(obj, "size", m->size[0]);
		return;
	}
	json_object_set_new(obj, "size", json_string(m->str));
	a = json_array();
	for (i = 0; i < m->n; i++) {
		json_t *e = json_object();

		set_u64(e, "size", m->size[i]);
		set_u64(e, "weight", m->weight[i]);
		json_array_append_new(a, e);
	}
	json_object_set_new(obj, "mix", a);
}

/* One port's object: everything about one virtual container. */
static json_t *port_json(const struct vqos_gen_run *r, const struct vqos_gen_ct *c)
{
	const struct vqos_gen_port_opts *op = c->opts;
	json_t *o = json_object();

	json_object_set_new(o, "port", json_string(c->port.name));
	set_u64(o, "id", op->id);
	set_size(o, &op->mix);
	json_object_set_new(o, "rate", json_string(op->rate_str));
	set_u64(o, "flows", op->flows);
	set_u64(o, "dscp", op->dscp);
	if (op->have_vlan)
		set_vlan(o, (uint16_t)(op->vlan_pcp << 13 | op->vlan_id));
	set_real(o, "duration_s", r->opts->duration_s);
	set_real(o, "linger_s", r->opts->linger_s);
	set_u64(o, "backoff_us", r->opts->backoff_us);
	if (op->count != 0)
		set_u64(o, "count", op->count);
	json_object_set_new(o, "tx", tx_json(r, &c->tx));
	json_object_set_new(o, "rx", rx_json(r, &c->rx));
	json_object_set_new(o, "port_stats", port_stats_json(&c->port_stats));
	set_u64(o, "mtu", c->port.mtu);
	set_real(o, "link_wait_s", c->link_wait_s);
	set_real(o, "elapsed_s", (double)(r->end_tsc - r->start_tsc) / (double)r->hz);
	json_object_set_new(o, "interrupted", json_boolean(r->interrupted));
	return o;
}

/* Several ports: what the process did as a whole. */
static json_t *total_json(const struct vqos_gen_run *r)
{
	uint64_t txp = 0, txb = 0, rxp = 0, rxb = 0, tx0 = UINT64_MAX, tx1 = 0, rx0 = UINT64_MAX,
		 rx1 = 0;
	json_t *o = json_object(), *tx = json_object(), *rx = json_object();
	uint16_t i;

	for (i = 0; i < r->nb_ct; i++) {
		const struct vqos_gen_ct *c = &r->ct[i];

		txp += c->tx.packets;
		txb += c->tx.bytes;
		rxp += c->rx.packets;
		rxb += c->rx.bytes;
		if (c->tx.start_tsc != 0) {
			tx0 = RTE_MIN(tx0, c->tx.start_tsc);
			tx1 = RTE_MAX(tx1, tx_end(r, &c->tx));
		}
		if (c->rx.first_tsc != 0) {
			rx0 = RTE_MIN(rx0, c->rx.first_tsc);
			rx1 = RTE_MAX(rx1, c->rx.last_tsc);
		}
	}
	set_rates(tx, txp, txb, tx1 > tx0 ? tx1 - tx0 : 0, r->hz);
	/* The process's own sleeps: one serves every port whose vring was full. */
	set_backoffs(tx, r->backoffs, r->backoff_tsc, r->hz);
	set_rates(rx, rxp, rxb, rx1 > rx0 ? rx1 - rx0 : 0, r->hz);
	json_object_set_new(o, "tx", tx);
	json_object_set_new(o, "rx", rx);
	return o;
}

int vqos_gen_report(const struct vqos_gen_run *r)
{
	json_t *o, *ports;
	uint16_t i;
	int rc;

	if (r->nb_ct == 1) {
		o = port_json(r, &r->ct[0]);
	} else {
		o = json_object();
		ports = json_array();
		for (i = 0; i < r->nb_ct; i++)
			json_array_append_new(ports, port_json(r, &r->ct[i]));
		json_object_set_new(o, "ports", ports);
		json_object_set_new(o, "total", total_json(r));
		set_real(o, "elapsed_s", (double)(r->end_tsc - r->start_tsc) / (double)r->hz);
		json_object_set_new(o, "interrupted", json_boolean(r->interrupted));
	}
	if (o == NULL)
		return -ENOMEM;
	rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(o);
	if (rc != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		return -EIO;
	return 0;
}
