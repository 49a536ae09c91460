/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * daemon/views.c shows the data path's counters by name: each of vhost_tx's
 * (vhost_tx/stats.c) is copied into ctl's counter of the same name
 * (ctl/counters.c). A data-path field without a row in vhost_tx/stats.c, or
 * a row there without a ctl row of its name, would be counted and never
 * shown: this says so, but for those kept on purpose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/vqos_ctl.h"
#include "vhost_tx/vqos_dp.h"

/* Data-path counters that are the data path's own business. */
static const char *const unshown[] = { "passes", NULL };

/* @p names name each uint64_t of their struct, of @p size bytes, once. */
static void check_rows(const struct vqos_dp_stat *names, size_t size)
{
	size_t n = 0;

	for (const struct vqos_dp_stat *s = names; s->name != NULL; s++, n++) {
		assert_true(s->offset % sizeof(uint64_t) == 0 && s->offset < size);
		for (const struct vqos_dp_stat *o = names; o != s; o++)
			assert_true(o->offset != s->offset);
	}
	if (n != size / sizeof(uint64_t))
		fail_msg("%zu rows for %zu counters: a field without a row in vhost_tx/stats.c?", n,
			 size / sizeof(uint64_t));
}

static void check_names(const struct vqos_dp_stat *names, const struct vqos_ctl_counter *table)
{
	for (; names->name != NULL; names++) {
		const struct vqos_ctl_counter *c = vqos_ctl_counter_find(table, names->name);
		bool kept = false;

		for (const char *const *u = unshown; *u != NULL; u++)
			kept |= strcmp(*u, names->name) == 0;
		if (c == NULL && !kept)
			fail_msg("data-path counter '%s' has no row in ctl/counters.c",
				 names->name);
		/* a copy goes into a stored counter */
		if (c != NULL)
			assert_null(c->derive);
	}
}

static void test_every_counter_is_shown(void **state)
{
	check_rows(vqos_dp_dir_stats_names, sizeof(struct vqos_dp_dir_stats));
	check_rows(vqos_dp_lcore_stats_names, sizeof(struct vqos_dp_lcore_stats));
	check_names(vqos_dp_dir_stats_names, vqos_ctl_dir_counters);
	check_names(vqos_dp_lcore_stats_names, vqos_ctl_lcore_counters);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_counter_is_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
