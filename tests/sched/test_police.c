/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * police: librte_meter's colours against RFC 2697, 2698 and 4115 as written,
 * and the qdisc around the meters.
 *
 * No EAL: librte_meter's profile set-up asks rte_get_tsc_hz(), which EAL
 * fills in at init. This executable interposes that symbol (defined here, it
 * takes precedence over librte_eal's for librte_meter too) so that the meters
 * run on the simulated nanosecond clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "sim.h"

uint64_t rte_get_tsc_hz(void)
{
	return SIM_HZ;
}

/* ---- the RFCs' meters as their text defines them, colour blind ----
 * Token counts are bytes; rates are bytes per microsecond here so that every
 * arrival, a whole number of microseconds, adds whole tokens. */

enum { GREEN, YELLOW, RED };

struct ref {
	uint64_t c, e;	   /* tokens of the C and the E (or P) bucket */
	uint64_t cbs, ebs; /* depths */
	uint64_t cr, er;   /* rates, bytes per microsecond */
	uint64_t last_us;
};

static uint64_t add_capped(uint64_t t, uint64_t add, uint64_t cap)
{
	return t + add > cap ? cap : t + add;
}

/* The decision of RFC 2697 and RFC 4115: green from C, else yellow from E,
 * else red. */
static int ref_c_then_e(struct ref *r, uint64_t b)
{
	if (r->c >= b) {
		r->c -= b;
		return GREEN;
	}
	if (r->e >= b) {
		r->e -= b;
		return YELLOW;
	}
	return RED;
}

/* RFC 2697 3.1: C is filled first, what overflows C fills E. */
static int ref_srtcm(struct ref *r, uint64_t us, uint64_t b)
{
	uint64_t add = (us - r->last_us) * r->cr, room = r->cbs - r->c;

	r->last_us = us;
	if (add > room) {
		r->e = add_capped(r->e, add - room, r->ebs);
		add = room;
	}
	r->c += add;
	return ref_c_then_e(r, b);
}

/* Both buckets fill apart, each at its own rate (RFC 2698 and 4115). */
static void ref_fill_apart(struct ref *r, uint64_t us)
{
	uint64_t dt = us - r->last_us;

	r->last_us = us;
	r->c = add_capped(r->c, dt * r->cr, r->cbs);
	r->e = add_capped(r->e, dt * r->er, r->ebs);
}

/* RFC 2698 3.2: red if P is short, yellow if C is, and a passing packet
 * takes from P (and from C if green). */
static int ref_trtcm(struct ref *r, uint64_t us, uint64_t b)
{
	ref_fill_apart(r, us);
	if (r->e < b)
		return RED;
	if (r->c < b) {
		r->e -= b;
		return YELLOW;
	}
	r->e -= b;
	r->c -= b;
	return GREEN;
}

/* RFC 4115 2.1, colour blind: green from C, else yellow from E, else red. */
static int ref_rfc4115(struct ref *r, uint64_t us, uint64_t b)
{
	ref_fill_apart(r, us);
	return ref_c_then_e(r, b);
}

/* A police qdisc with one leaf metered by @p meter: CIR 1 byte/us, CBS
 * @p cbs, excess rate 2 bytes/us (trTCM PIR, RFC 4115 EIR; unused by srTCM),
 * excess bucket 2000 (srTCM EBS) or 6000 (PBS, 4115 EBS). */
static struct vqos_qdisc *make_cbs(uint8_t meter, bool mark, uint8_t mode, uint32_t cbs)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 0),
		sim_class(2, 1, "A", 8, 0),
	};
	struct vqos_sched_params p = sim_params(c, 2, mode);
	struct vqos_sched_error err;
	struct vqos_qdisc *q = NULL;

	c[1].meter = meter;
	c[1].mark = mark;
	c[1].burst = cbs;
	c[1].cburst = meter == VQOS_METER_SRTCM ? 2000 : 6000;
	if (meter != VQOS_METER_SRTCM)
		c[1].ceil_bps = 16 * MBIT;
	if (vqos_police_ops.create(&p, &q, &err) != 0)
		fail_msg("%s", err.msg);
	return q;
}

/* The same with CBS 3000. */
static struct vqos_qdisc *make(uint8_t meter, bool mark, uint8_t mode)
{
	return make_cbs(meter, mark, mode, 3000);
}

static struct ref ref_for(uint8_t meter)
{
	struct ref r = { .cbs = 3000, .cr = 1, .er = 2 };

	r.ebs = meter == VQOS_METER_SRTCM ? 2000 : 6000;
	r.c = r.cbs;
	r.e = r.ebs;
	return r;
}

/* Colour of one packet through the qdisc: mark mode, read back from the mbuf. */
static int colour_of(struct vqos_qdisc *q, uint64_t us, uint32_t len)
{
	struct rte_mbuf *m = sim_mbuf(len, 0), *out;
	int c;

	assert_int_equal(vqos_sched_enqueue(q, 1, &m, 1, us * 1000), 1);
	assert_int_equal(vqos_sched_dequeue(q, us * 1000, &out, NULL, 1), 1);
	c = rte_mbuf_sched_color_get(out);
	sim_free(&out, 1);
	return c;
}

/* 3000 packets at random times (whole microseconds) and sizes, offered in
 * phases near the CIR, over the excess rate and light, so that every colour shows:
 * librte_meter must colour each one as the RFC's own algorithm does. */
static void against_rfc(uint8_t meter, int (*ref)(struct ref *, uint64_t, uint64_t))
{
	struct vqos_qdisc *q = make(meter, true, VQOS_SCHED_PUSH);
	struct ref r = ref_for(meter);
	uint64_t seen[3] = { 0 }, us = 0, rnd = 12345;

	for (int i = 0; i < 3000; i++) {
		uint32_t len;
		int want, got;

		rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
		/* phases of 500 packets: near CIR, over PIR/EIR, then light
		 * enough that C overflows into srTCM's E */
		us += (rnd >> 33) % (i % 1500 < 500 ? 1400 : i % 1500 < 1000 ? 300 : 3000);
		len = 64 + (uint32_t)((rnd >> 20) % 1437);
		want = ref(&r, us, len);
		got = colour_of(q, us, len);
		if (got != want)
			fail_msg("packet %d (t=%llu us, %u B): colour %d, RFC says %d", i,
				 (unsigned long long)us, len, got, want);
		seen[got]++;
	}
	print_message("  green %llu yellow %llu red %llu\n", (unsigned long long)seen[0],
		      (unsigned long long)seen[1], (unsigned long long)seen[2]);
	/* srTCM's yellows are few: E only fills while C is full */
	assert_true(seen[GREEN] > 20 && seen[YELLOW] > 20 && seen[RED] > 20);
	vqos_sched_destroy(q);
}

static void test_srtcm_rfc2697(void **state)
{
	against_rfc(VQOS_METER_SRTCM, ref_srtcm);
}

static void test_trtcm_rfc2698(void **state)
{
	against_rfc(VQOS_METER_TRTCM, ref_trtcm);
}

static void test_trtcm_rfc4115(void **state)
{
	against_rfc(VQOS_METER_RFC4115, ref_rfc4115);
}

/* srTCM by hand: CBS 3000, EBS 2000, CIR 1 byte/us. Four 1500-byte packets
 * at t=0: C pays two (green), E one (yellow, 500 left), the fourth is red.
 * 1 ms later C has 1000 and E still 500: 1000 bytes are green, then 600 are
 * red (more than either bucket holds) and 500 yellow. */
static void test_srtcm_by_hand(void **state)
{
	struct vqos_qdisc *q = make(VQOS_METER_SRTCM, true, VQOS_SCHED_PUSH);

	assert_int_equal(colour_of(q, 0, 1500), GREEN);
	assert_int_equal(colour_of(q, 0, 1500), GREEN);
	assert_int_equal(colour_of(q, 0, 1500), YELLOW);
	assert_int_equal(colour_of(q, 0, 1500), RED);
	assert_int_equal(colour_of(q, 1000, 1000), GREEN);
	assert_int_equal(colour_of(q, 1000, 600), RED);
	assert_int_equal(colour_of(q, 1000, 500), YELLOW);
	vqos_sched_destroy(q);
}

/* Drop mode: red packets are moved behind the kept ones for the caller to
 * free and counted; the kept ones keep their order. */
static void test_drop_red(void **state)
{
	struct vqos_qdisc *q = make(VQOS_METER_SRTCM, false, VQOS_SCHED_PUSH);
	struct rte_mbuf *pkts[6], *out[6];
	struct vqos_sched_class_stats st;
	uint32_t kept, n;

	for (uint32_t i = 0; i < 6; i++)
		pkts[i] = sim_mbuf(1500, i);
	/* 3000 + 2000 bytes of tokens: two green, one yellow, three red */
	kept = vqos_sched_enqueue(q, 1, pkts, 6, 0);
	assert_int_equal(kept, 3);
	sim_free(pkts + kept, 6 - kept);
	n = vqos_sched_dequeue(q, 0, out, NULL, 6);
	assert_int_equal(n, 3);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(out[i]->hash.usr, i);
	sim_free(out, n);
	q->ops->stats(q, 1, 0, &st);
	assert_int_equal(st.drops, 3);
	assert_int_equal(st.colour[GREEN], 2);
	assert_int_equal(st.colour[YELLOW], 1);
	assert_int_equal(st.colour[RED], 3);
	assert_int_equal(st.packets, 3);
	vqos_sched_destroy(q);
	assert_int_equal(sim_mbufs_out(), 0);
}

/* Push: the packets that pass the meter wait in the fifo, whose limit (the
 * default, 1024) counts mbufs: 9000-byte frames of five 2 KB mbufs fill it
 * at 204 (reds are marked, not dropped, so only the limit drops). */
static void test_limit_mbufs(void **state)
{
	struct vqos_qdisc *q = make(VQOS_METER_SRTCM, true, VQOS_SCHED_PUSH);
	struct rte_mbuf *pkts[32];
	uint32_t kept = 0, n;

	for (uint32_t seq = 0; seq < 320;) {
		for (uint32_t i = 0; i < 32; i++)
			pkts[i] = sim_chain(9000, 5, seq++);
		n = vqos_sched_enqueue(q, 1, pkts, 32, 0);
		kept += n;
		sim_free(pkts + n, 32 - n);
		assert_true(sim_mbufs_out() <= VQOS_SCHED_LIMIT_DEFAULT);
	}
	assert_int_equal(kept, VQOS_SCHED_LIMIT_DEFAULT / 5);
	assert_int_equal(sim_mbufs_out(), kept * 5);
	vqos_sched_destroy(q);
	assert_int_equal(sim_mbufs_out(), 0);
}

/* Offered twice the CIR for 2 s, a policer without excess bucket (what OVS
 * calls egress-policer) passes the CIR: 8 Mbit/s. Pull mode, as on tx:
 * charge() drops the red packets the data path already took. */
static void test_policer_rate_pull(void **state)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 0),
		sim_class(2, 1, "A", 8, 0),
	};
	struct vqos_sched_params p = sim_params(c, 2, VQOS_SCHED_PULL);
	struct vqos_qdisc *q = NULL;
	struct vqos_sched_grant g;
	uint64_t passed = 0;

	assert_int_equal(vqos_police_ops.create(&p, &q, NULL), 0);
	for (uint64_t now = 0; now < 2 * SIM_S; now += 750000) {
		/* 1000 bytes every 0.75 ms: 10.7 Mbit/s offered */
		struct rte_mbuf *m = sim_mbuf(1000, 0);

		vqos_sched_wake(q, 1);
		assert_int_equal(vqos_sched_grant(q, now, 32, &g), 1);
		passed += vqos_sched_charge(q, &g, &m, 1, now, false) * 1000;
		sim_free(&m, 1);
	}
	print_message("  passed %.3f Mbit/s\n", (double)passed * 8 / 2 / MBIT);
	/* CIR x 2 s plus the initial CBS (1 ms + 1600 bytes) */
	assert_true(passed <= 2000000 + 2600);
	assert_true(passed >= 2000000 - 1000);
	vqos_sched_destroy(q);
}

/* Each meter, drained to red at t = 0, is replaced by one with twice the
 * CBS. With carry the next packet is still red and C refills at CIR from
 * there (1500 bytes green 1.5 ms later); a fresh meter passes its CBS at
 * once. A bucket fuller than the new CBS is cut to it. */
static void test_carry_meter(void **state)
{
	static const uint8_t meters[] = { VQOS_METER_SRTCM, VQOS_METER_TRTCM, VQOS_METER_RFC4115 };
	struct vqos_qdisc *old, *q, *fresh;

	for (size_t i = 0; i < sizeof(meters) / sizeof(meters[0]); i++) {
		old = make(meters[i], true, VQOS_SCHED_PUSH);
		while (colour_of(old, 0, 1500) != RED)
			;
		q = make_cbs(meters[i], true, VQOS_SCHED_PUSH, 6000);
		fresh = make_cbs(meters[i], true, VQOS_SCHED_PUSH, 6000);
		vqos_sched_carry(q, old, 0);
		assert_int_equal(colour_of(q, 0, 1500), RED);
		assert_int_equal(colour_of(fresh, 0, 1500), GREEN);
		assert_int_equal(colour_of(q, 1500, 1500), GREEN);
		vqos_sched_destroy(old);
		vqos_sched_destroy(q);
		vqos_sched_destroy(fresh);
	}
	/* srTCM: C keeps 1500 of its 3000 and E is emptied; the new CBS is
	 * 1000. C is cut to 1000, not overflowing into E (as librte_meter's
	 * next refill would do): 1000 bytes are green, then nothing is left */
	old = make(VQOS_METER_SRTCM, true, VQOS_SCHED_PUSH);
	assert_int_equal(colour_of(old, 0, 1500), GREEN);
	assert_int_equal(colour_of(old, 0, 2000), YELLOW);
	q = make_cbs(VQOS_METER_SRTCM, true, VQOS_SCHED_PUSH, 1000);
	vqos_sched_carry(q, old, 0);
	assert_int_equal(colour_of(q, 0, 1000), GREEN);
	assert_int_equal(colour_of(q, 0, 500), RED);
	vqos_sched_destroy(old);
	vqos_sched_destroy(q);
	assert_int_equal(sim_mbufs_out(), 0);
}

static void test_bad_params(void **state)
{
	struct vqos_sched_class_params c[2] = {
		sim_class(1, VQOS_SCHED_NO_PARENT, "root", 100, 0),
		sim_class(2, 1, "A", 0, 0),
	};

	assert_true(sim_refused(&vqos_police_ops, c, 2, "\"A\"", "zero rate"));
	c[1] = sim_class(2, 1, "A", 10, 5);
	c[1].meter = VQOS_METER_TRTCM;
	assert_true(sim_refused(&vqos_police_ops, c, 2, "\"A\"", "PIR"));
	c[1].meter = 9;
	assert_true(sim_refused(&vqos_police_ops, c, 2, "\"A\"", "unknown meter"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srtcm_rfc2697), cmocka_unit_test(test_trtcm_rfc2698),
		cmocka_unit_test(test_trtcm_rfc4115), cmocka_unit_test(test_srtcm_by_hand),
		cmocka_unit_test(test_drop_red),      cmocka_unit_test(test_policer_rate_pull),
		cmocka_unit_test(test_limit_mbufs),   cmocka_unit_test(test_carry_meter),
		cmocka_unit_test(test_bad_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
