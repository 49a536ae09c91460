/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whether an mbuf pool is whole: every mbuf back, each once. A count of
 * what is free (rte_mempool_avail_count) cannot tell: an mbuf freed twice
 * sits in the pool twice, and the count comes out even when another one is
 * missing (a multi-segment frame freed by two ports did just that). So the
 * check takes every mbuf out, counts the distinct ones, and puts them back.
 * It runs on a control thread when nothing uses the pool any more (its
 * uplink closes, vqosd stops), so it may flush the lcores' caches.
 */
#include <stdint.h>
#include <stdlib.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include "dp_priv.h"

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

unsigned int vqos_pool_distinct(struct rte_mempool *mp)
{
	/* the ring holds at most its size: duplicates included, no more */
	unsigned int cap = mp->size + 1, n = 0, distinct = 0;
	void **objs = malloc(cap * sizeof(*objs));

	if (objs == NULL)
		return rte_mempool_avail_count(mp);
	for (unsigned int lc = 0; lc < RTE_MAX_LCORE; lc++) {
		struct rte_mempool_cache *c = rte_mempool_default_cache(mp, lc);

		if (c != NULL && c->len > 0)
			rte_mempool_cache_flush(c, mp);
	}
	while (n < cap && rte_mempool_generic_get(mp, &objs[n], 1, NULL) == 0)
		n++;
	qsort(objs, n, sizeof(*objs), cmp_ptr);
	for (unsigned int i = 0; i < n; i++)
		distinct += i == 0 || objs[i] != objs[i - 1];
	rte_mempool_generic_put(mp, objs, n, NULL);
	free(objs);
	return distinct;
}
