/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of vhost_tx/classify.h and classify.c without EAL: frames written
 * by hand into static buffers, each behind a struct rte_mbuf whose
 * buf_addr, data_off and data_len are set (all rte_pktmbuf_mtod() reads),
 * looked up in a port row built by hand: untagged IPv4 and IPv6, one and
 * two VLAN tags, PCP before DSCP, frames too short for what they claim,
 * frames that are not IP; then bursts grouped by leaf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NONE	      VQOS_SCHED_CLASSIFY_NONE

/* Leaves of the test row. */
enum { DEFAULT = 10, VOICE = 11, SIG = 12, BULK = 13 };

/* PCP 5 -> VOICE, PCP 3 -> SIG; DSCP 46 -> VOICE, DSCP 24..30 -> SIG, DSCP 8 -> BULK. */
static struct vqos_sched_classify_port row(uint32_t rules)
{
	struct vqos_sched_classify_port r;

	memset(&r, 0xff, sizeof(r));
	r.default_leaf = DEFAULT;
	r.rules = rules;
	if (rules & VQOS_SCHED_CLASSIFY_PCP) {
		r.pcp_leaf[5] = VOICE;
		r.pcp_leaf[3] = SIG;
	}
	if (rules & VQOS_SCHED_CLASSIFY_DSCP) {
		r.dscp_leaf[46] = VOICE;
		for (unsigned int v = 24; v <= 30; v++)
			r.dscp_leaf[v] = SIG;
		r.dscp_leaf[8] = BULK;
	}
	return r;
}

#define ALL (VQOS_SCHED_CLASSIFY_PCP | VQOS_SCHED_CLASSIFY_DSCP)

/* A frame: its buffer (with headroom, as a real mbuf has) and its mbuf. */
struct frame {
	uint8_t buf[128];
	struct rte_mbuf m;
};

#define HEADROOM 16

/* A VLAN tag: its TPID and PCP (the VLAN id is 100, DEI 0). */
struct tag {
	uint16_t tpid;
	unsigned int pcp;
};

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

/*
 * Write into @p f a frame with @p n_tags tags, EtherType @p type and, for
 * IPv4 and IPv6, a header start with @p dscp (and ECN bits set, which must
 * not matter); data_len is the frame's length (60 bytes), or @p len if not 0.
 */
static struct rte_mbuf *frame(struct frame *f, const struct tag *tags, unsigned int n_tags,
			      uint16_t type, unsigned int dscp, uint16_t len)
{
	uint8_t *p = f->buf + HEADROOM;

	memset(f, 0, sizeof(*f));
	memset(p, 0x02, 12); /* MAC addresses */
	p += 12;
	for (unsigned int i = 0; i < n_tags; i++) {
		p = put16(p, tags[i].tpid);
		p = put16(p, (uint16_t)(tags[i].pcp << 13 | 100));
	}
	p = put16(p, type);
	if (type == RTE_ETHER_TYPE_IPV4) {
		p[0] = 0x45;
		p[1] = (uint8_t)(dscp << 2 | 3);
	} else if (type == RTE_ETHER_TYPE_IPV6) {
		/* version 6, traffic class dscp << 2 | ECN 3, flow label 0xfffff */
		p[0] = (uint8_t)(0x60 | dscp >> 2);
		p[1] = (uint8_t)((dscp & 3) << 6 | 3 << 4 | 0xf);
		p[2] = p[3] = 0xff;
	}
	f->m.buf_addr = f->buf;
	f->m.data_off = HEADROOM;
	f->m.buf_len = sizeof(f->buf);
	f->m.data_len = len != 0 ? len : 60;
	f->m.pkt_len = f->m.data_len;
	f->m.nb_segs = 1;
	return &f->m;
}

static const struct tag q5 = { RTE_ETHER_TYPE_VLAN, 5 }, q0 = { RTE_ETHER_TYPE_VLAN, 0 },
			q3 = { RTE_ETHER_TYPE_VLAN, 3 }, ad5 = { RTE_ETHER_TYPE_QINQ, 5 },
			ad0 = { RTE_ETHER_TYPE_QINQ, 0 }, ad1 = { RTE_ETHER_TYPE_QINQ, 1 };

/* A port without rules reads nothing: not even a NULL buffer. */
static void test_no_rules(void **state)
{
	struct vqos_sched_classify_port r = row(0);
	struct rte_mbuf m;

	memset(&m, 0, sizeof(m));
	assert_int_equal(vqos_classify(&r, &m), DEFAULT);
}

/* One lookup: a row's rules, a frame (tags, EtherType, DSCP), the leaf it gets. */
struct lookup {
	uint32_t rules;
	const struct tag *tags;
	unsigned int n_tags;
	uint16_t type;
	unsigned int dscp;
	uint32_t leaf;
};

static void expect_leaves(const struct lookup *c, size_t n)
{
	struct frame f;

	for (size_t i = 0; i < n; i++) {
		struct vqos_sched_classify_port r = row(c[i].rules);

		print_message("case %zu\n", i);
		assert_int_equal(vqos_classify(&r, frame(&f, c[i].tags, c[i].n_tags, c[i].type,
							 c[i].dscp, 0)),
				 c[i].leaf);
	}
}

#define V4 RTE_ETHER_TYPE_IPV4
#define V6 RTE_ETHER_TYPE_IPV6

/* Every DSCP value finds its entry, IPv4 and IPv6 alike. */
static void test_every_dscp(void **state)
{
	struct vqos_sched_classify_port r = row(VQOS_SCHED_CLASSIFY_DSCP);
	struct frame f;

	for (unsigned int v = 0; v < 64; v++)
		r.dscp_leaf[v] = 100 + v;
	for (unsigned int v = 0; v < 64; v++) {
		assert_int_equal(vqos_classify(&r, frame(&f, NULL, 0, RTE_ETHER_TYPE_IPV4, v, 0)),
				 100 + v);
		assert_int_equal(vqos_classify(&r, frame(&f, NULL, 0, RTE_ETHER_TYPE_IPV6, v, 0)),
				 100 + v);
	}
	r = row(VQOS_SCHED_CLASSIFY_PCP);
	for (unsigned int v = 0; v < 8; v++) {
		struct tag t = { RTE_ETHER_TYPE_VLAN, v };

		r.pcp_leaf[v] = 200 + v;
		assert_int_equal(vqos_classify(&r, frame(&f, &t, 1, RTE_ETHER_TYPE_ARP, 0, 0)),
				 200 + v);
	}
}

static const struct tag outer5[] = { ad5, q0 }, inner5[] = { ad0, q5 }, qq[] = { q3, q0 },
			three[] = { ad0, q0, q0 }, other[] = { ad1, q3 };

/* Untagged IPv4 and IPv6, one tag, two tags, three. */
static void test_lookups(void **state)
{
	static const struct lookup cases[] = {
		/* untagged: DSCP */
		{ ALL, NULL, 0, V4, 46, VOICE },
		{ ALL, NULL, 0, V4, 26, SIG },
		{ ALL, NULL, 0, V4, 8, BULK },
		{ ALL, NULL, 0, V4, 0, DEFAULT },
		{ ALL, NULL, 0, V4, 47, DEFAULT },
		/* IPv6's DSCP straddles its first two bytes */
		{ ALL, NULL, 0, V6, 46, VOICE },
		{ ALL, NULL, 0, V6, 24, SIG },
		{ ALL, NULL, 0, V6, 30, SIG },
		{ ALL, NULL, 0, V6, 8, BULK },
		{ ALL, NULL, 0, V6, 45, DEFAULT },
		/* PCP rules alone do not look at DSCP */
		{ VQOS_SCHED_CLASSIFY_PCP, NULL, 0, V4, 46, DEFAULT },
		/* one tag: PCP first */
		{ ALL, &q5, 1, V4, 8, VOICE },
		{ ALL, &q3, 1, V4, 46, SIG },
		{ ALL, &ad5, 1, V6, 0, VOICE },
		/* a PCP without a rule: the DSCP behind the tag */
		{ ALL, &q0, 1, V4, 46, VOICE },
		{ ALL, &q0, 1, V6, 8, BULK },
		{ ALL, &q0, 1, V4, 1, DEFAULT },
		/* tagged, not IP */
		{ ALL, &q5, 1, RTE_ETHER_TYPE_ARP, 0, VOICE },
		{ ALL, &q0, 1, RTE_ETHER_TYPE_ARP, 0, DEFAULT },
		/* DSCP rules alone: the tag is skipped */
		{ VQOS_SCHED_CLASSIFY_DSCP, &q5, 1, V4, 26, SIG },
		/* two tags: the outer tag's PCP ... */
		{ ALL, outer5, 2, V4, 8, VOICE },
		{ ALL, qq, 2, V4, 8, SIG },
		/* ... not the inner one's: then the DSCP behind both */
		{ ALL, inner5, 2, V4, 8, BULK },
		{ ALL, other, 2, V6, 46, VOICE },
		{ ALL, inner5, 2, V6, 2, DEFAULT },
		/* a third tag is not looked behind */
		{ ALL, three, 3, V4, 46, DEFAULT },
	};

	expect_leaves(cases, ARRAY_SIZE(cases));
}

/* data_len bounds every read: a frame short of what it claims goes to the default. */
static void test_short(void **state)
{
	struct vqos_sched_classify_port r = row(ALL);
	const struct tag two[] = { ad0, q0 };
	struct frame f;
	static const struct {
		unsigned int n_tags;
		uint16_t type;
		uint16_t len;  /* too short by one */
		uint32_t leaf; /* at the length that is enough */
	} cases[] = {
		{ 0, RTE_ETHER_TYPE_IPV4, 15, VOICE }, /* needs ToS: 16 bytes */
		{ 0, RTE_ETHER_TYPE_IPV6, 15, VOICE },
		{ 1, RTE_ETHER_TYPE_IPV4, 19, VOICE }, /* 18 + 2 */
		{ 2, RTE_ETHER_TYPE_IPV4, 23, VOICE }, /* 22 + 2 */
		{ 2, RTE_ETHER_TYPE_IPV6, 23, VOICE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct tag *t = cases[i].n_tags == 1 ? &q0 : two;

		assert_int_equal(vqos_classify(&r, frame(&f, t, cases[i].n_tags, cases[i].type, 46,
							 cases[i].len)),
				 DEFAULT);
		assert_int_equal(vqos_classify(&r, frame(&f, t, cases[i].n_tags, cases[i].type, 46,
							 (uint16_t)(cases[i].len + 1))),
				 cases[i].leaf);
	}
	/* no EtherType, a tag cut short, a second tag cut short */
	for (uint16_t len = 1; len < 14; len++)
		assert_int_equal(
			vqos_classify(&r, frame(&f, NULL, 0, RTE_ETHER_TYPE_IPV4, 46, len)),
			DEFAULT);
	assert_int_equal(vqos_classify(&r, frame(&f, &q5, 1, RTE_ETHER_TYPE_IPV4, 46, 17)),
			 DEFAULT);
	assert_int_equal(vqos_classify(&r, frame(&f, &q5, 1, RTE_ETHER_TYPE_IPV4, 46, 18)), VOICE);
	assert_int_equal(vqos_classify(&r, frame(&f, two, 2, RTE_ETHER_TYPE_IPV4, 46, 21)),
			 DEFAULT);
	/* an empty first segment */
	frame(&f, NULL, 0, RTE_ETHER_TYPE_IPV4, 46, 0)->data_len = 0;
	assert_int_equal(vqos_classify(&r, &f.m), DEFAULT);
}

static void test_not_ip(void **state)
{
	struct vqos_sched_classify_port r = row(ALL);
	struct frame f;
	struct rte_mbuf *m;

	assert_int_equal(vqos_classify(&r, frame(&f, NULL, 0, RTE_ETHER_TYPE_ARP, 46, 0)), DEFAULT);
	assert_int_equal(vqos_classify(&r, frame(&f, NULL, 0, RTE_ETHER_TYPE_MPLS, 46, 0)),
			 DEFAULT);
	/* an EtherType that says IP over a header that does not */
	m = frame(&f, NULL, 0, RTE_ETHER_TYPE_IPV4, 46, 0);
	f.buf[HEADROOM + 14] = 0x65;
	assert_int_equal(vqos_classify(&r, m), DEFAULT);
	m = frame(&f, NULL, 0, RTE_ETHER_TYPE_IPV6, 46, 0);
	f.buf[HEADROOM + 14] = 0x4b;
	assert_int_equal(vqos_classify(&r, m), DEFAULT);
	/* 0x9100, an old QinQ TPID, is no tag here */
	{
		const struct tag old = { 0x9100, 5 };

		assert_int_equal(vqos_classify(&r, frame(&f, &old, 1, RTE_ETHER_TYPE_IPV4, 46, 0)),
				 DEFAULT);
	}
}

/* Bursts: one run per leaf, each leaf's frames in arrival order. */
static void test_burst(void **state)
{
	struct vqos_sched_classify_port r = row(ALL);
	static struct frame f[100];
	struct rte_mbuf *pkts[100], *orig[100];
	struct vqos_classify_run runs[100];
	/* DSCP of each frame of the small burst: leaves D V S D V B D */
	static const unsigned int dscp[] = { 0, 46, 26, 1, 46, 8, 2 };
	static const uint32_t want_leaf[] = { DEFAULT, VOICE, SIG, BULK };
	static const uint32_t want_n[] = { 3, 2, 1, 1 };
	static const unsigned int want_order[] = { 0, 3, 6, 1, 4, 2, 5 };
	uint32_t n;

	for (size_t i = 0; i < ARRAY_SIZE(dscp); i++)
		orig[i] = pkts[i] = frame(&f[i], NULL, 0, RTE_ETHER_TYPE_IPV4, dscp[i], 0);
	n = vqos_classify_burst(&r, pkts, ARRAY_SIZE(dscp), runs);
	assert_int_equal(n, 4);
	for (uint32_t k = 0, at = 0; k < n; k++) {
		assert_int_equal(runs[k].leaf, want_leaf[k]);
		assert_int_equal(runs[k].start, at);
		assert_int_equal(runs[k].n, want_n[k]);
		at += runs[k].n;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dscp); i++)
		assert_ptr_equal(pkts[i], orig[want_order[i]]);
	assert_int_equal(vqos_classify_burst(&r, pkts, 0, runs), 0);

	/* no rules: one run, nothing moved */
	r = row(0);
	for (size_t i = 0; i < ARRAY_SIZE(dscp); i++)
		pkts[i] = orig[i];
	assert_int_equal(vqos_classify_burst(&r, pkts, ARRAY_SIZE(dscp), runs), 1);
	assert_int_equal(runs[0].leaf, DEFAULT);
	assert_int_equal(runs[0].start, 0);
	assert_int_equal(runs[0].n, ARRAY_SIZE(dscp));
	for (size_t i = 0; i < ARRAY_SIZE(dscp); i++)
		assert_ptr_equal(pkts[i], orig[i]);

	/* over VQOS_CLASSIFY_BURST_MAX: grouped in pieces, each leaf still in order */
	r = row(ALL);
	for (size_t i = 0; i < 100; i++)
		orig[i] = pkts[i] = frame(&f[i], NULL, 0, RTE_ETHER_TYPE_IPV4, i % 3 ? 46 : 0, 0);
	n = vqos_classify_burst(&r, pkts, 100, runs);
	assert_int_equal(n, 4);
	assert_int_equal(runs[0].leaf, DEFAULT);
	assert_int_equal(runs[0].n, 22); /* 0, 3, ..., 63 */
	assert_int_equal(runs[1].leaf, VOICE);
	assert_int_equal(runs[1].n, 42);
	assert_int_equal(runs[2].start, 64);
	assert_int_equal(runs[2].leaf, VOICE); /* 64 % 3 != 0 */
	assert_int_equal(runs[3].leaf, DEFAULT);
	assert_int_equal(runs[2].n + runs[3].n, 36);
	{
		const struct rte_mbuf *last[2] = { NULL, NULL };

		for (size_t i = 0; i < 100; i++) {
			size_t src;
			int voice;

			for (src = 0; orig[src] != pkts[i]; src++)
				;
			voice = src % 3 != 0;
			/* each leaf's frames come in the order they arrived */
			if (last[voice] != NULL)
				assert_true(pkts[i] > last[voice]);
			last[voice] = pkts[i];
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_rules),   cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_every_dscp), cmocka_unit_test(test_short),
		cmocka_unit_test(test_not_ip),	   cmocka_unit_test(test_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
