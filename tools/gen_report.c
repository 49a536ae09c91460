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
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <jansson.h>
#include <rte_ethdev.h>

#include "tools/gen.h"

void vqos_gen_progress(struct vqos_gen_run *r, uint64_t now)
{
	double dt = (double)(now - r->prog_tsc) / (double)r->hz;
	uint64_t tx = r->tx->packets - r->prog_tx;
	uint64_t rx = r->rx->packets + r->rx->foreign - r->prog_rx;

	if (dt <= 0)
		return;
	fprintf(stderr,
		"vqos-gen[%" PRIu32 "]: %6.1fs tx %10.0f pps %9.2f Mbit/s  rx %10.0f pps  "
		"backpressure %" PRIu64 "\n",
		r->opts->id, (double)(now - r->start_tsc) / (double)r->hz, (double)tx / dt,
		(double)tx * r->opts->size * 8 / dt / 1e6, (double)rx / dt, r->tx->backpressure);
	r->prog_tsc = now;
	r->prog_tx = r->tx->packets;
	r->prog_rx = r->rx->packets + r->rx->foreign;
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

static json_t *tx_json(const struct vqos_gen_run *r)
{
	const struct vqos_gen_tx *tx = r->tx;
	json_t *o = json_object();
	uint64_t end = tx->end_tsc != 0 ? tx->end_tsc : r->end_tsc;

	set_rates(o, tx->packets, tx->bytes, tx->start_tsc != 0 ? end - tx->start_tsc : 0, r->hz);
	set_u64(o, "backpressure", tx->backpressure);
	set_u64(o, "retry_packets", tx->retry_packets);
	set_u64(o, "unsent", tx->unsent);
	set_u64(o, "alloc_failed", tx->alloc_failed);
	return o;
}

static int cmp_stream(const void *a, const void *b)
{
	const struct vqos_gen_stream *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
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
		set_u64(o, "max_seq", s[i].max_seq);
		set_u64(o, "reordered", s[i].reordered);
		json_array_append_new(a, o);
	}
	free(s);
	return a;
}

static json_t *rx_json(const struct vqos_gen_run *r)
{
	const struct vqos_gen_rx *rx = r->rx;
	json_t *o = json_object(), *lat = json_object();
	double us = 1e6 / (double)r->hz;

	set_rates(o, rx->packets, rx->bytes, rx->last_tsc - rx->first_tsc, r->hz);
	set_u64(o, "foreign", rx->foreign);
	set_u64(o, "foreign_bytes", rx->foreign_bytes);
	set_u64(o, "reordered", rx->reordered);
	set_u64(o, "untracked", rx->untracked);
	set_u64(lat, "samples", rx->lat_samples);
	set_real(lat, "min", (double)rx->lat_min * us);
	set_real(lat, "avg",
		 rx->lat_samples ? (double)rx->lat_sum / (double)rx->lat_samples * us : 0.0);
	set_real(lat, "max", (double)rx->lat_max * us);
	json_object_set_new(o, "latency_us", lat);
	json_object_set_new(o, "streams", streams_json(rx));
	return o;
}

static json_t *port_stats_json(const struct vqos_gen_run *r)
{
	const struct rte_eth_stats *st = &r->port_stats;
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

int vqos_gen_report(const struct vqos_gen_run *r)
{
	const struct vqos_gen_opts *op = r->opts;
	json_t *o = json_object();
	int rc;

	json_object_set_new(o, "port", json_string(r->port->name));
	set_u64(o, "id", op->id);
	set_u64(o, "size", op->size);
	json_object_set_new(o, "rate", json_string(op->rate_str));
	set_u64(o, "flows", op->flows);
	set_real(o, "duration_s", op->duration_s);
	set_real(o, "linger_s", op->linger_s);
	if (op->count != 0)
		set_u64(o, "count", op->count);
	json_object_set_new(o, "tx", tx_json(r));
	json_object_set_new(o, "rx", rx_json(r));
	json_object_set_new(o, "port_stats", port_stats_json(r));
	set_u64(o, "mtu", r->port->mtu);
	set_real(o, "link_wait_s", r->link_wait_s);
	set_real(o, "elapsed_s", (double)(r->end_tsc - r->start_tsc) / (double)r->hz);
	json_object_set_new(o, "interrupted", json_boolean(r->interrupted));

	if (o == NULL)
		return -ENOMEM;
	rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(o);
	if (rc != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		return -EIO;
	return 0;
}
