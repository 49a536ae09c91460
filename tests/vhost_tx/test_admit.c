/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of vhost_tx/admit.h, the admission of rx mbufs to an uplink's
 * shared region: exact shares of a lone port and of k ports that back up
 * together, a port under its reserve admitted with the region full, a
 * newcomer admitted next to a port that took its share, chained packets
 * that fit only whole, and, over a long random run, used always the sum of
 * the excesses and never above the region.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "admit.h"

#define PORTS 8

/* Offer port @p i packets of @p segs until one is refused; returns how
 * many were admitted. */
static unsigned int fill(struct vqos_admit *a, uint32_t *held, uint32_t segs)
{
	unsigned int n = 0;

	while (vqos_admit_ok(a, *held, segs)) {
		vqos_admit_add(a, held, segs);
		n++;
	}
	return n;
}

static void lone_port_takes_half(void **state)
{
	struct vqos_admit a = { .reserve = 64, .shared = 1000 };
	uint32_t held = 0;

	(void)state;
	assert_int_equal(fill(&a, &held, 1), 64 + 500);
	assert_int_equal(held, 564);
	assert_int_equal(a.used, 500);
	/* its excess is no longer below what is free: refused, whatever the size */
	assert_false(vqos_admit_ok(&a, held, 1));
	/* one mbuf leaves: one may come again */
	vqos_admit_sub(&a, &held, 1);
	assert_int_equal(a.used, 499);
	assert_true(vqos_admit_ok(&a, held, 1));
}

static void k_ports_share_equally(void **state)
{
	(void)state;
	/* 1200 is a multiple of 2, 3, 4 and 5: each share is exact */
	for (unsigned int k = 1; k <= 4; k++) {
		struct vqos_admit a = { .reserve = 16, .shared = 1200 };
		uint32_t held[PORTS] = { 0 };
		bool more = true;

		/* round robin, a packet each, until every one is refused */
		while (more) {
			more = false;
			for (unsigned int i = 0; i < k; i++)
				if (vqos_admit_ok(&a, held[i], 1)) {
					vqos_admit_add(&a, &held[i], 1);
					more = true;
				}
		}
		for (unsigned int i = 0; i < k; i++)
			assert_int_equal(held[i], 16 + 1200 / (k + 1));
		assert_int_equal(a.used, k * (1200 / (k + 1)));
	}
}

static void reserve_always_admitted(void **state)
{
	struct vqos_admit a = { .reserve = 64, .shared = 100, .used = 100 };
	uint32_t held = 0;

	(void)state;
	/* the region is all taken: a port within its reserve still gets in */
	assert_int_equal(fill(&a, &held, 1), 64);
	assert_int_equal(a.used, 100);
	assert_false(vqos_admit_ok(&a, held, 1));
	/* a packet that would cross the reserve needs the part beyond it free */
	held = 62;
	assert_true(vqos_admit_ok(&a, held, 2));
	assert_false(vqos_admit_ok(&a, held, 3));
}

static void newcomer_gets_its_share(void **state)
{
	struct vqos_admit a = { .reserve = 0, .shared = 1200 };
	uint32_t stuck = 0, late = 0;

	(void)state;
	assert_int_equal(fill(&a, &stuck, 1), 600);
	/* the stuck port holds half: the other gets half of what is left */
	assert_int_equal(fill(&a, &late, 1), 300);
	assert_int_equal(a.used, 900);
	assert_false(vqos_admit_ok(&a, stuck, 1));
	/* the newcomer drains: the stuck one still gets nothing more until
	 * its excess is below what is free */
	vqos_admit_sub(&a, &late, 300);
	assert_int_equal(a.used, 600);
	assert_false(vqos_admit_ok(&a, stuck, 1));
	vqos_admit_sub(&a, &stuck, 1);
	assert_true(vqos_admit_ok(&a, stuck, 1));
}

static void chained_fit_whole(void **state)
{
	struct vqos_admit a = { .reserve = 4, .shared = 10, .used = 8 };
	uint32_t held = 4;

	(void)state;
	/* 2 free: a 3-segment packet beyond the reserve does not fit, 2 do */
	assert_false(vqos_admit_ok(&a, held, 3));
	assert_true(vqos_admit_ok(&a, held, 2));
	vqos_admit_add(&a, &held, 2);
	assert_int_equal(a.used, 10);
	assert_int_equal(held, 6);
	/* letting go of more than it holds counts as all */
	vqos_admit_sub(&a, &held, 100);
	assert_int_equal(held, 0);
	assert_int_equal(a.used, 8);
}

static void random_run_keeps_invariants(void **state)
{
	struct vqos_admit a = { .reserve = 32, .shared = 2048 };
	uint32_t held[PORTS] = { 0 };
	unsigned int admitted = 0, refused = 0;

	(void)state;
	srand(15);
	for (unsigned int step = 0; step < 200000; step++) {
		unsigned int i = (unsigned int)rand() % PORTS;
		uint32_t segs = 1 + (uint32_t)rand() % 5, sum = 0, total = 0;

		/* port 0 never drains (a stuck container), the others sometimes */
		if (i != 0 && rand() % 3 == 0) {
			vqos_admit_sub(&a, &held[i], segs * 4);
		} else if (vqos_admit_ok(&a, held[i], segs)) {
			vqos_admit_add(&a, &held[i], segs);
			admitted++;
		} else {
			refused++;
		}
		for (unsigned int j = 0; j < PORTS; j++) {
			sum += vqos_admit_excess(&a, held[j]);
			total += held[j];
		}
		assert_int_equal(a.used, sum);
		assert_true(a.used <= a.shared);
		assert_true(total <= PORTS * a.reserve + a.shared);
	}
	/* the stuck port holds about half of the region at most, never more */
	assert_true(held[0] <= a.reserve + a.shared / 2 + 5);
	assert_true(admitted > 0 && refused > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lone_port_takes_half),
		cmocka_unit_test(k_ports_share_equally),
		cmocka_unit_test(reserve_always_admitted),
		cmocka_unit_test(newcomer_gets_its_share),
		cmocka_unit_test(chained_fit_whole),
		cmocka_unit_test(random_run_keeps_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
