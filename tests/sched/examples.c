/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worked examples, shared by the htb and sched tests. Each expected share
 * is written out from HTB's rules: a backlogged class first gets its own rate;
 * the spare of an ancestor goes to its borrowing descendants, the nearest
 * ancestor first, the lowest prio first, then by quantum; nobody passes a
 * ceil. Rates are in Mbit/s; "unlimited" offered load is a queue never empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define CLS(id_, parent_, name_, rate, ceil, ...)                                                  \
	{                                                                                          \
		.id = (id_), .parent = (parent_), .name = name_,                                   \
		.rate_bps = (uint64_t)((rate)*MBIT), .ceil_bps = (uint64_t)((ceil)*MBIT),          \
		__VA_ARGS__                                                                        \
	}
#define ROOT VQOS_SCHED_NO_PARENT

const struct sim_example sim_examples[] = {
	{
		/* C is under its rate: 10. A and B get their rates 20 and 30;
		 * the spare 100 - 20 - 30 - 10 = 40 is split by quantum 1:2:
		 * A = 20 + 40/3, B = 30 + 80/3. */
		.name = "quantum",
		.classes = { CLS(1, ROOT, "parent", 100, 100),
			     CLS(2, 1, "A", 20, 100, .quantum = 1500),
			     CLS(3, 1, "B", 30, 100, .quantum = 3000), CLS(4, 1, "C", 50, 50) },
		.n_classes = 4,
		.flows = { { .leaf = 1, .size = 1500 },
			   { .leaf = 2, .size = 1500 },
			   { .leaf = 3, .size = 1500, .offered_mbit = 10 } },
		.n_flows = 3,
		.want_mbit = { 20 + 40.0 / 3, 30 + 80.0 / 3, 10 },
	},
	{
		/* Both get their rate 10; the spare 80 goes to prio 0 first and
		 * A can take all of it: A = 90, B = 10. */
		.name = "prio",
		.classes = { CLS(1, ROOT, "parent", 100, 100), CLS(2, 1, "A", 10, 100),
			     CLS(3, 1, "B", 10, 100, .prio = 1) },
		.n_classes = 3,
		.flows = { { .leaf = 1, .size = 1000 }, { .leaf = 2, .size = 1000 } },
		.n_flows = 2,
		.want_mbit = { 90, 10 },
	},
	{
		/* Guarantees under contention: A and B keep 50 and 30; C's unused
		 * 15 is split equally (equal quanta): A = 57.5, B = 37.5, C = 5. */
		.name = "guarantees",
		.classes = { CLS(1, ROOT, "parent", 100, 100), CLS(2, 1, "A", 50, 100),
			     CLS(3, 1, "B", 30, 100), CLS(4, 1, "C", 20, 100) },
		.n_classes = 4,
		.flows = { { .leaf = 1, .size = 1500 },
			   { .leaf = 2, .size = 1500 },
			   { .leaf = 3, .size = 500, .offered_mbit = 5 } },
		.n_flows = 3,
		.want_mbit = { 57.5, 37.5, 5 },
	},
	{
		/* Ceil: A stops at 30 although the spare is 70; B gets its 20. */
		.name = "ceil",
		.classes = { CLS(1, ROOT, "parent", 100, 100), CLS(2, 1, "A", 10, 30),
			     CLS(3, 1, "B", 20, 100) },
		.n_classes = 3,
		.flows = { { .leaf = 1, .size = 1500 },
			   { .leaf = 2, .size = 1500, .offered_mbit = 20 } },
		.n_flows = 2,
		.want_mbit = { 30, 20 },
	},
	{
		/* Nearest ancestor first: a1 gets its 30, borrows T1's spare 30
		 * (a2 is idle), then the root's spare 20 (b1 only wants 20 of
		 * T2's 40): a1 = 80, b1 = 20. */
		.name = "nearest ancestor",
		.classes = { CLS(1, ROOT, "root", 100, 100), CLS(10, 1, "T1", 60, 100),
			     CLS(11, 10, "a1", 30, 100), CLS(12, 10, "a2", 30, 100),
			     CLS(20, 1, "T2", 40, 100), CLS(21, 20, "b1", 40, 100) },
		.n_classes = 6,
		.flows = { { .leaf = 2, .size = 1500 },
			   { .leaf = 5, .size = 1500, .offered_mbit = 20 } },
		.n_flows = 2,
		.want_mbit = { 80, 20 },
	},
	{
		/* Equal guarantees: parent 10; A and B rate 3 ceil 10, unlimited;
		 * C rate = ceil 3, offered 1. Each gets its 3 (C only wants 1);
		 * the spare 10 - 3 - 3 - 1 = 3 is split by the equal quanta:
		 * A = B = 4.5, C = 1. */
		.name = "equal share",
		.classes = { CLS(1, ROOT, "parent", 10, 10), CLS(2, 1, "A", 3, 10),
			     CLS(3, 1, "B", 3, 10), CLS(4, 1, "C", 3, 3) },
		.n_classes = 4,
		.flows = { { .leaf = 1, .size = 1500 },
			   { .leaf = 2, .size = 1500 },
			   { .leaf = 3, .size = 1500, .offered_mbit = 1 } },
		.n_flows = 3,
		.want_mbit = { 4.5, 4.5, 1 },
		.sched_maps = true,
	},
	{
		/* A capped prio: parent 10; V prio 0 rate = ceil 3, D prio 1 rate
		 * 2 ceil 10, both unlimited. V is served first but stops at its
		 * ceil; D gets its 2 and the spare 5: V = 3, D = 7. */
		.name = "strict cap",
		.classes = { CLS(1, ROOT, "parent", 10, 10), CLS(2, 1, "V", 3, 3),
			     CLS(3, 1, "D", 2, 10, .prio = 1) },
		.n_classes = 3,
		.flows = { { .leaf = 1, .size = 1000 }, { .leaf = 2, .size = 1000 } },
		.n_flows = 2,
		.want_mbit = { 3, 7 },
	},
	{
		/* Groups: root 10; G1 rate = ceil 6 over a1 rate 3 ceil 6
		 * (unlimited) and a2 rate 3 ceil 6 (offered 1); G2 rate = ceil 4
		 * over b1 rate = ceil 4 (unlimited). a1 gets its 3 and G1's spare
		 * 6 - 3 - 1 = 2: a1 = 5, a2 = 1, b1 = 4. */
		.name = "groups",
		.classes = { CLS(1, ROOT, "root", 10, 10), CLS(10, 1, "G1", 6, 6),
			     CLS(11, 10, "a1", 3, 6), CLS(12, 10, "a2", 3, 6),
			     CLS(20, 1, "G2", 4, 4), CLS(21, 20, "b1", 4, 4) },
		.n_classes = 6,
		.flows = { { .leaf = 2, .size = 1500 },
			   { .leaf = 3, .size = 1500, .offered_mbit = 1 },
			   { .leaf = 5, .size = 1500 } },
		.n_flows = 3,
		.want_mbit = { 5, 1, 4 },
		.sched_maps = true,
	},
};

const unsigned sim_n_examples = sizeof(sim_examples) / sizeof(sim_examples[0]);

const struct sim_example *sim_example(const char *name)
{
	for (unsigned i = 0; i < sim_n_examples; i++)
		if (strcmp(sim_examples[i].name, name) == 0)
			return &sim_examples[i];
	fprintf(stderr, "no example %s\n", name);
	abort();
}
