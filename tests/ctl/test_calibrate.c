/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vqosctl cost calibrate's parser and fit (ctl/calibrate.c): OVS 3.1's
 * pmd-stats-show texts of tests/ctl/calibrate/, an exact fit of synthetic
 * intervals, a noisy one, and the fits that must be refused.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calibrate.h"
#include "golden.h"

static char *read_sample(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/ctl/calibrate/%s", VQOS_SOURCE_DIR, name);
	return golden_read(path);
}

/* Two PMD threads and the main thread: the PMDs' counts summed, the main
 * thread's left out. */
static void test_parse(void **state)
{
	char *text = read_sample("ovs31_pmd_stats.txt"), err[256];
	struct vqos_ctl_calib_pmd p;

	assert_int_equal(vqos_ctl_calib_parse_pmd(text, &p, err, sizeof(err)), 0);
	assert_int_equal(p.threads, 2);
	assert_int_equal(p.main_threads, 1);
	assert_int_equal(p.packets, 1250000);
	assert_int_equal(p.busy_cycles, 1928571429ull + 393750000ull);
	assert_int_equal(p.idle_cycles, 4071428571ull + 5606250000ull);
	free(text);
}

/* A PMD that ran no cycles since the clear prints no cycles lines. */
static void test_parse_idle(void **state)
{
	char *text = read_sample("ovs31_idle.txt"), err[256];
	struct vqos_ctl_calib_pmd p;

	assert_int_equal(vqos_ctl_calib_parse_pmd(text, &p, err, sizeof(err)), 0);
	assert_int_equal(p.threads, 1);
	assert_int_equal(p.packets, 0);
	assert_int_equal(p.busy_cycles, 0);
	free(text);
}

static void test_parse_refused(void **state)
{
	char *text = read_sample("kernel_datapath.txt"), err[256];
	struct vqos_ctl_calib_pmd p = { .threads = 99 };

	assert_int_equal(vqos_ctl_calib_parse_pmd(text, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no 'pmd thread' in the output: not OVS-DPDK's "
				 "dpif-netdev/pmd-stats-show (or OVS has no PMD thread)");
	/* untouched */
	assert_int_equal(p.threads, 99);
	free(text);
	assert_int_equal(vqos_ctl_calib_parse_pmd("pmd thread numa_id 0 core_id 1:\n"
						  "  packets received: 10\n"
						  "  processing cycles: lots (5.00%)\n",
						  &p, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "pmd-stats-show, line 3: '  processing cycles: lots (5.00%)' "
				 "has no count");
}

/* Intervals of packets of @p len bytes at @p pps for 2 s, the cycles the
 * model 900 + 0.45 L says, times (1 + @p noise). */
static struct vqos_ctl_calib_sample interval(double pps, double len, double noise)
{
	double p = pps * 2;

	return (struct vqos_ctl_calib_sample){ .packets = p,
					       .bytes = p * len,
					       .cycles = (900 * p + 0.45 * p * len) * (1 + noise) };
}

/* Exact data: exactly the model, a residual of nothing. */
static void test_fit_exact(void **state)
{
	const struct vqos_ctl_calib_sample s[] = {
		interval(800000, 64, 0),   interval(790000, 64, 0),  interval(470000, 1500, 0),
		interval(460000, 1500, 0), interval(600000, 512, 0), interval(0, 0, 0),
	};
	struct vqos_ctl_calib_fit f;
	char err[512];

	assert_int_equal(vqos_ctl_calib_fit(s, 6, &f, err, sizeof(err)), 0);
	print_message("  a %.9f, b %.12f, residual %.3g, condition %.3f\n", f.a, f.b, f.residual,
		      f.condition);
	assert_true(fabs(f.a - 900) < 1e-6);
	assert_true(fabs(f.b - 0.45) < 1e-9);
	assert_true(f.residual < 1e-9);
	assert_true(f.condition > 1 && f.condition < 20);
	assert_false(f.a_zero || f.b_zero);
}

/* +-2% of noise on OVS's cycles: a and b within a few percent. */
static void test_fit_noisy(void **state)
{
	const struct vqos_ctl_calib_sample s[] = {
		interval(800000, 64, 0.02),
		interval(790000, 64, -0.015),
		interval(470000, 1500, -0.02),
		interval(460000, 1500, 0.01),
	};
	struct vqos_ctl_calib_fit f;
	char err[512];

	assert_int_equal(vqos_ctl_calib_fit(s, 4, &f, err, sizeof(err)), 0);
	print_message("  a %.2f, b %.4f, residual %.2f%%\n", f.a, f.b, f.residual * 100);
	assert_true(fabs(f.a / 900 - 1) < 0.05);
	assert_true(fabs(f.b / 0.45 - 1) < 0.05);
	assert_true(f.residual > 0.005 && f.residual < 0.02);
}

/* One frame length in every interval: a and b cannot be told apart. */
static void test_fit_ill_conditioned(void **state)
{
	const struct vqos_ctl_calib_sample same[] = {
		interval(800000, 64, 0.01),
		interval(700000, 64, 0),
		interval(500000, 64, -0.01),
	};
	const struct vqos_ctl_calib_sample close[] = {
		interval(500000, 1000, 0),
		interval(500000, 1010, 0),
	};
	struct vqos_ctl_calib_fit f;
	char err[512];

	assert_int_equal(vqos_ctl_calib_fit(same, 3, &f, err, sizeof(err)), -EINVAL);
	print_message("  %s\n", err);
	assert_non_null(strstr(err, "mean frame lengths (64.0 to 64.0 bytes) are too alike"));
	assert_int_equal(vqos_ctl_calib_fit(close, 2, &f, err, sizeof(err)), -EINVAL);
	print_message("  %s\n", err);
	assert_non_null(strstr(err, "(1000.0 to 1010.0 bytes) are too alike"));
	/* what it would have said is there all the same */
	assert_true(f.condition > VQOS_CTL_CALIB_COND_MAX);
}

static void test_fit_refused(void **state)
{
	const struct vqos_ctl_calib_sample one[] = {
		interval(800000, 64, 0),
		interval(0, 64, 0),
		interval(0, 64, 0),
	};
	const struct vqos_ctl_calib_sample idle_ovs[] = {
		{ .packets = 1000, .bytes = 64000 },
		{ .packets = 1000, .bytes = 1500000 },
	};
	struct vqos_ctl_calib_fit f;
	char err[512];

	assert_int_equal(vqos_ctl_calib_fit(one, 3, &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "1 of 3 intervals carried packets: two at least are needed (is "
				 "traffic going through vqosd to OVS?)");
	assert_int_equal(vqos_ctl_calib_fit(idle_ovs, 2, &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "spent no processing cycles"));
}

/* A cost per packet alone (b = 0 and noise): b comes out negative, and the
 * fit by packets alone is taken. */
static void test_fit_not_negative(void **state)
{
	const struct vqos_ctl_calib_sample s[] = {
		{ .packets = 1000000, .bytes = 64e6, .cycles = 1.01e9 },
		{ .packets = 500000, .bytes = 750e6, .cycles = 0.49e9 },
	};
	struct vqos_ctl_calib_fit f;
	char err[512];

	assert_int_equal(vqos_ctl_calib_fit(s, 2, &f, err, sizeof(err)), 0);
	print_message("  a %.2f, b %.4f\n", f.a, f.b);
	assert_true(f.b_zero);
	assert_false(f.a_zero);
	assert_true(f.b == 0);
	assert_true(fabs(f.a - 1000) < 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	      cmocka_unit_test(test_parse_idle),
		cmocka_unit_test(test_parse_refused), cmocka_unit_test(test_fit_exact),
		cmocka_unit_test(test_fit_noisy),     cmocka_unit_test(test_fit_ill_conditioned),
		cmocka_unit_test(test_fit_refused),   cmocka_unit_test(test_fit_not_negative),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
