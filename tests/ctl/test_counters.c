/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl/counters.c: the counter tables, and JSON to and from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/vqos_ctl.h"

/* Each stored counter of @p table is a distinct uint64_t of [begin, end)
 * of its struct, and every uint64_t there is one: a field added without a
 * row (or a row without a field) fails here. */
static void check_table(const struct vqos_ctl_counter *table, size_t begin, size_t end)
{
	unsigned char seen[256] = { 0 };
	size_t n = 0;

	assert_true((end - begin) / sizeof(uint64_t) <= sizeof(seen));
	for (const struct vqos_ctl_counter *c = table; c->name != NULL; c++) {
		for (const struct vqos_ctl_counter *o = table; o != c; o++)
			assert_string_not_equal(o->name, c->name);
		if (c->metric != NULL) {
			/* a sample needs a stored integer */
			assert_null(c->derive);
			for (const struct vqos_ctl_counter *o = table;; o++)
				if (o->metric != NULL && strcmp(o->metric, c->metric) == 0) {
					assert_non_null(o->help);
					break;
				}
		}
		if (c->derive != NULL)
			continue;
		assert_true(c->offset >= begin && c->offset + sizeof(uint64_t) <= end);
		assert_int_equal(c->offset % sizeof(uint64_t), 0);
		assert_int_equal(seen[(c->offset - begin) / sizeof(uint64_t)]++, 0);
		n++;
	}
	if (n != (end - begin) / sizeof(uint64_t))
		fail_msg("%zu rows for %zu counters: a field without a row in ctl/counters.c?", n,
			 (end - begin) / sizeof(uint64_t));
}

static void test_tables(void **state)
{
	check_table(vqos_ctl_dir_counters, 0, sizeof(struct vqos_ctl_dir));
	check_table(vqos_ctl_lcore_counters, offsetof(struct vqos_ctl_lcore, busy_cycles),
		    offsetof(struct vqos_ctl_lcore, hz));
}

static void test_find(void **state)
{
	const struct vqos_ctl_counter *c = vqos_ctl_counter_find(vqos_ctl_dir_counters, "drops");
	struct vqos_ctl_dir d = { .drops = 7 };

	assert_non_null(c);
	assert_int_equal(vqos_ctl_counter_get(c, &d), 7);
	vqos_ctl_counter_set(c, &d, 9);
	assert_int_equal(d.drops, 9);
	assert_null(vqos_ctl_counter_find(vqos_ctl_dir_counters, "nope"));
}

static void test_json_round_trip(void **state)
{
	struct vqos_ctl_lcore l = { .busy_cycles = 300,
				    .idle_cycles = 100,
				    .packets = 40,
				    .busy_packets = 30,
				    .waited_ns = 7 },
			      back = { 0 };
	json_t *obj = json_object();

	vqos_ctl_counters_to_json(vqos_ctl_lcore_counters, &l, obj);
	/* derived rows are reals; busy_packets is shown so that a window's
	 * cycles per packet is the difference of two samples */
	assert_true(json_real_value(json_object_get(obj, "busy_pct")) == 75.0);
	assert_true(json_real_value(json_object_get(obj, "cycles_per_packet")) == 10.0);
	assert_int_equal(json_integer_value(json_object_get(obj, "busy_packets")), 30);
	vqos_ctl_counters_from_json(vqos_ctl_lcore_counters, obj, &back);
	assert_int_equal(back.busy_cycles, 300);
	assert_int_equal(back.waited_ns, 7);
	assert_int_equal(back.busy_packets, 30);
	json_decref(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_json_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
