/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control side of the data path: what each lcore serves (its state) is
 * built here whole, off the data path, then published by an atomic pointer
 * swap (vqos_dp_publish); the loop itself is dp.c. Counters are read here
 * while the lcores run.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "dp_priv.h"

int vqos_dp_queue_field = -1;

static void state_free(struct vqos_dp_state *st)
{
	if (st == NULL)
		return;
	for (int d = 0; d < VQOS_DIR_N; d++) {
		vqos_sched_destroy(st->q[d]);
		free(st->leaf[d]);
	}
	for (unsigned int u = 0; st->up != NULL && u < st->n_up; u++) {
		free(st->up[u].port);
		free(st->up[u].mac);
		free(st->up[u].mac_port);
	}
	free(st->up);
	free(st->shares);
	free(st->armed);
	free(st->pfd);
	free(st->cls);
	free(st->rx_port_of);
	free(st->port);
	free(st);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* @p st's uplinks: each distinct uplink of its ports once, with its ports
 * and, when shared, their MACs sorted for the demultiplexer. */
static int uplinks_build(struct vqos_dp_state *st, char *err, size_t errlen)
{
	st->up = calloc(st->n ? st->n : 1, sizeof(*st->up));
	if (st->up == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < st->n; i++) {
		struct vqos_dp_uplink *u = NULL;

		for (unsigned int k = 0; k < st->n_up && u == NULL; k++)
			if (st->up[k].up == st->port[i]->up)
				u = &st->up[k];
		if (u == NULL) {
			u = &st->up[st->n_up++];
			u->up = st->port[i]->up;
			u->port = calloc(st->n, sizeof(*u->port));
			if (u->port == NULL)
				return -ENOMEM;
		}
		u->port[u->n++] = i;
	}
	for (unsigned int k = 0; k < st->n_up; k++) {
		struct vqos_dp_uplink *u = &st->up[k];
		uint64_t *pair; /* (mac << 16 | port index), sorted */

		if (u->n < 2)
			continue;
		pair = calloc(u->n, sizeof(*pair));
		u->mac = calloc(u->n, sizeof(*u->mac));
		u->mac_port = calloc(u->n, sizeof(*u->mac_port));
		if (pair == NULL || u->mac == NULL || u->mac_port == NULL) {
			free(pair);
			return -ENOMEM;
		}
		for (uint32_t j = 0; j < u->n; j++)
			pair[j] = st->port[u->port[j]]->mac << 16 | u->port[j];
		qsort(pair, u->n, sizeof(*pair), cmp_u64);
		for (uint32_t j = 0; j < u->n; j++) {
			u->mac[j] = pair[j] >> 16;
			u->mac_port[j] = (uint32_t)(pair[j] & 0xffff);
			if (j > 0 && u->mac[j] == u->mac[j - 1]) {
				snprintf(err, errlen, "ports %s and %s share an uplink and a mac",
					 st->port[u->mac_port[j - 1]]->name,
					 st->port[u->mac_port[j]]->name);
				free(pair);
				return -EINVAL;
			}
		}
		free(pair);
	}
	return 0;
}

/* @p st's rx classification rows: copies of @p cls's (NULL when no port
 * classifies), or the running state's @p cur when its rx qdisc is kept. */
static int classify_build(struct vqos_dp_state *st, const struct vqos_dp_state *cur,
			  const struct vqos_sched_classify *cls)
{
	const struct vqos_sched_classify_port *rows = NULL;
	bool any = false;

	if (st->kept[VQOS_DIR_RX])
		rows = cur->cls;
	else if (cls != NULL && cls->n_ports == st->n)
		rows = cls->ports;
	for (unsigned int i = 0; rows != NULL && i < st->n && !any; i++)
		any = rows[i].rules != 0;
	if (!any)
		return 0;
	st->cls = aligned_alloc(RTE_CACHE_LINE_SIZE, st->n * sizeof(*st->cls));
	if (st->cls == NULL)
		return -ENOMEM;
	memcpy(st->cls, rows, st->n * sizeof(*st->cls));
	return 0;
}

/* ---- split classes: their shares (dp_share.c moves them) ---- */

static void board_free(struct vqos_dp_board *b)
{
	if (b == NULL)
		return;
	for (unsigned int i = 0; i < b->n; i++) {
		vqos_share_free(b->cl[i].share);
		free(b->cl[i].shard);
		free(b->cl[i].cls);
	}
	free(b->cl);
	free(b);
}

struct id_index {
	uint32_t id, index;
};

static int cmp_id(const void *a, const void *b)
{
	const struct id_index *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The split classes of direction @p d of @p parts (one per shard): the
 * classes of the whole tree whose id is in the parts of two lcores or more,
 * each with a share that starts at the parts' static split. *@p out is NULL
 * when there is none, or when the direction cannot share (no whole tree
 * given, a kind that cannot retune a class, one lcore).
 */
static int board_build(const struct vqos_dp *dp, const struct vqos_dp_part *parts, int d,
		       struct vqos_dp_board **out)
{
	const struct vqos_sched_params *whole = parts[0].tree[d].whole;
	struct id_index *ids = NULL;
	uint32_t *count = NULL, n;
	struct vqos_dp_board *b = NULL;
	struct vqos_sched_rates *rates = NULL;

	*out = NULL;
	if (whole == NULL || dp->n_shards < 2 || parts[0].tree[d].ops->retune == NULL)
		return 0;
	n = whole->n_classes;
	ids = malloc(n * sizeof(*ids));
	count = calloc(n, sizeof(*count));
	rates = malloc(dp->n_shards * sizeof(*rates));
	b = calloc(1, sizeof(*b));
	if (ids == NULL || count == NULL || rates == NULL || b == NULL)
		goto oom;
	for (uint32_t i = 0; i < n; i++)
		ids[i] = (struct id_index){ .id = whole->classes[i].id, .index = i };
	qsort(ids, n, sizeof(*ids), cmp_id);
	/* the parts each class of the whole has */
	for (unsigned int k = 0; k < dp->n_shards; k++) {
		const struct vqos_sched_params *p = parts[k].tree[d].params;

		for (uint32_t c = 0; p != NULL && parts[k].n_ports > 0 && c < p->n_classes; c++) {
			struct id_index key = { .id = p->classes[c].id }, *at;

			at = bsearch(&key, ids, n, sizeof(*ids), cmp_id);
			if (at != NULL)
				count[at->index]++;
		}
	}
	for (uint32_t i = 0; i < n; i++)
		b->n += count[i] >= 2 && count[i] <= VQOS_SHARE_PARTS_MAX;
	if (b->n == 0) {
		free(ids);
		free(count);
		free(rates);
		free(b);
		return 0;
	}
	b->cl = calloc(b->n, sizeof(*b->cl));
	if (b->cl == NULL)
		goto oom;
	b->leader = dp->n_shards;
	b->n = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct vqos_dp_split *sp;
		struct vqos_share_params sprm = { .parts = rates, .hz = dp->hz };

		if (count[i] < 2 || count[i] > VQOS_SHARE_PARTS_MAX)
			continue;
		sp = &b->cl[b->n++];
		sp->shard = calloc(count[i], sizeof(*sp->shard));
		sp->cls = calloc(count[i], sizeof(*sp->cls));
		if (sp->shard == NULL || sp->cls == NULL)
			goto oom;
		for (unsigned int k = 0; k < dp->n_shards; k++) {
			const struct vqos_sched_params *p = parts[k].tree[d].params;

			for (uint32_t c = 0; parts[k].n_ports > 0 && c < p->n_classes; c++) {
				if (p->classes[c].id != whole->classes[i].id)
					continue;
				vqos_sched_rates_of(&p->classes[c], &rates[sp->n]);
				sp->shard[sp->n] = k;
				sp->cls[sp->n++] = c;
				b->leader = k < b->leader ? k : b->leader;
				break;
			}
		}
		sprm.n_parts = sp->n;
		vqos_sched_rates_of(&whole->classes[i], &sprm.whole);
		sp->share = vqos_share_create(&sprm);
		if (sp->share == NULL)
			goto oom;
	}
	free(ids);
	free(count);
	free(rates);
	*out = b;
	return 0;
oom:
	free(ids);
	free(count);
	free(rates);
	board_free(b);
	return -ENOMEM;
}

/* The parts of @p b's split classes that shard @p k runs, into @p st. */
static int shares_build(struct vqos_dp_state *st, const struct vqos_dp_board *b, unsigned int k,
			int d)
{
	unsigned int n = 0;
	struct vqos_dp_part_share *ps;

	if (b == NULL)
		return 0;
	for (unsigned int i = 0; i < b->n; i++)
		for (uint32_t p = 0; p < b->cl[i].n; p++)
			n += b->cl[i].shard[p] == k;
	if (n == 0)
		return 0;
	ps = realloc(st->shares, (st->n_shares + n) * sizeof(*ps));
	if (ps == NULL)
		return -ENOMEM;
	st->shares = ps;
	for (unsigned int i = 0; i < b->n; i++)
		for (uint32_t p = 0; p < b->cl[i].n; p++)
			if (b->cl[i].shard[p] == k)
				st->shares[st->n_shares++] = (struct vqos_dp_part_share){
					.share = b->cl[i].share,
					.part = p,
					.cls = b->cl[i].cls[p],
					.dir = (uint8_t)d,
				};
	if (b->leader == k)
		st->lead[d] = (struct vqos_dp_board *)b;
	return 0;
}

/* A new state for shard @p k (whose current state is @p cur) from @p part. */
static struct vqos_dp_state *state_build(struct vqos_dp *dp, const struct vqos_dp_state *cur,
					 unsigned int k, const struct vqos_dp_part *part,
					 struct vqos_dp_board *const *board, char *err,
					 size_t errlen)
{
	struct vqos_dp_state *st = calloc(1, sizeof(*st));
	unsigned int n = part->n_ports;
	struct vqos_sched_error serr;
	int d, ret;

	if (st == NULL)
		goto oom;
	st->n = n;
	st->port = calloc(n ? n : 1, sizeof(st->port[0]));
	if (st->port == NULL)
		goto oom;
	memcpy(st->port, part->ports, n * sizeof(part->ports[0]));
	st->armed = calloc(VQOS_VHOST_VRINGS * n + 1, sizeof(st->armed[0]));
	st->pfd = calloc(VQOS_VHOST_VRINGS * n + 1, sizeof(st->pfd[0]));
	if (st->armed == NULL || st->pfd == NULL)
		goto oom;
	for (unsigned int i = 0; i < n; i++) {
		if (st->port[i]->shard != k) {
			snprintf(err, errlen, "port %s belongs to lcore %u, not %u",
				 st->port[i]->name, dp->shard[st->port[i]->shard].lcore,
				 dp->shard[k].lcore);
			goto fail;
		}
	}
	for (d = 0; d < VQOS_DIR_N; d++) {
		const struct vqos_dp_tree *tree = &part->tree[d];
		const char *dname = d == VQOS_DIR_TX ? "tx" : "rx";
		const uint32_t *leaf = tree->leaf_of_port;
		struct vqos_sched_params p;

		if (tree->keep) {
			/* the same qdisc goes on, queues and tokens and all */
			if (cur == NULL || cur->n != n ||
			    memcmp(cur->port, part->ports, n * sizeof(part->ports[0])) != 0) {
				snprintf(err, errlen, "%s qdisc: kept with other ports", dname);
				goto fail;
			}
			st->kept[d] = true;
			st->q[d] = cur->q[d];
			st->n_classes[d] = cur->n_classes[d];
			leaf = cur->leaf[d];
		} else {
			p = *tree->params;
			p.clock_hz = dp->hz;
			p.mode = d == VQOS_DIR_TX ? VQOS_SCHED_PULL : VQOS_SCHED_PUSH;
			if (p.n_ports != n) {
				snprintf(err, errlen, "%s tree: made for %u ports, given %u", dname,
					 p.n_ports, n);
				goto fail;
			}
			st->n_classes[d] = p.n_classes;
			if (n > 0) {
				ret = tree->ops->create(&p, &st->q[d], &serr);
				if (ret < 0) {
					snprintf(err, errlen, "%s %s qdisc: %s", dname,
						 tree->ops->name, serr.msg);
					goto fail;
				}
			}
		}
		st->leaf[d] = malloc((n ? n : 1) * sizeof(st->leaf[d][0]));
		if (st->leaf[d] == NULL)
			goto oom;
		memcpy(st->leaf[d], leaf, n * sizeof(st->leaf[d][0]));
	}
	ret = uplinks_build(st, err, errlen);
	if (ret == -ENOMEM)
		goto oom;
	if (ret < 0)
		goto fail;
	if (classify_build(st, cur, part->tree[VQOS_DIR_RX].classify) < 0)
		goto oom;
	for (d = 0; d < VQOS_DIR_N; d++)
		if (st->q[d] != NULL && shares_build(st, board[d], k, d) < 0)
			goto oom;
	/* the port of every rx class (leaves are bound to one) */
	st->rx_port_of = calloc(st->n_classes[VQOS_DIR_RX] ? st->n_classes[VQOS_DIR_RX] : 1,
				sizeof(st->rx_port_of[0]));
	if (st->rx_port_of == NULL)
		goto oom;
	for (uint32_t c = 0; c < st->n_classes[VQOS_DIR_RX]; c++)
		st->rx_port_of[c] = st->kept[VQOS_DIR_RX]
					    ? cur->rx_port_of[c]
					    : part->tree[VQOS_DIR_RX].params->classes[c].port;
	return st;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	for (d = 0; d < VQOS_DIR_N; d++)
		if (st != NULL && st->kept[d])
			st->q[d] = NULL; /* still the running state's */
	state_free(st);
	return NULL;
}

int vqos_dp_publish(struct vqos_dp *dp, const struct vqos_dp_part *parts, double *took_us,
		    char *err, size_t errlen)
{
	uint64_t t0 = rte_rdtsc();
	struct vqos_dp_state *next[RTE_MAX_LCORE] = { NULL };
	struct vqos_dp_state *old[RTE_MAX_LCORE] = { NULL };
	struct vqos_dp_board *board[VQOS_DIR_N] = { NULL, NULL };
	bool kept[VQOS_DIR_N];
	unsigned int k, spins = 0;

	/* the split classes of each tree: a kept tree keeps its shares */
	for (int d = 0; d < VQOS_DIR_N; d++) {
		kept[d] = parts[0].tree[d].keep;
		if (kept[d]) {
			board[d] = dp->board[d];
		} else if (board_build(dp, parts, d, &board[d]) < 0) {
			snprintf(err, errlen, "out of memory");
			for (int e = 0; e < d; e++)
				if (!kept[e])
					board_free(board[e]);
			return -ENOMEM;
		}
	}
	/* every lcore's new set first: all or nothing */
	for (k = 0; k < dp->n_shards; k++) {
		next[k] = state_build(dp, dp->shard[k].state, k, &parts[k], board, err, errlen);
		if (next[k] == NULL) {
			while (k-- > 0) {
				for (int d = 0; d < VQOS_DIR_N; d++)
					if (next[k]->kept[d])
						next[k]->q[d] = NULL;
				state_free(next[k]);
			}
			for (int d = 0; d < VQOS_DIR_N; d++)
				if (!kept[d])
					board_free(board[d]);
			return -EINVAL;
		}
	}
	for (k = 0; k < dp->n_shards; k++) {
		old[k] = dp->shard[k].state;
		next[k]->prev = old[k];
		__atomic_store_n(&dp->shard[k].state, next[k], __ATOMIC_RELEASE);
		vqos_dp_ring(&dp->shard[k]); /* a sleeping lcore takes it now */
	}
	for (k = 0; k < dp->n_shards; k++) {
		struct vqos_dp_shard *sh = &dp->shard[k];

		/* The lcore moves old's queues into next as it first takes it:
		 * a pass or two, microseconds. */
		while (__atomic_load_n(&sh->running, __ATOMIC_ACQUIRE) &&
		       !__atomic_load_n(&next[k]->adopted, __ATOMIC_ACQUIRE)) {
			/* spin a little, then let the CPU go */
			if (++spins < 10000)
				rte_pause();
			else
				sched_yield();
		}
		/* No loop (yet, or any more): nobody else touches the states. */
		if (!__atomic_load_n(&next[k]->adopted, __ATOMIC_ACQUIRE))
			vqos_dp_adopt(next[k], dp->clock());
	}
	if (took_us != NULL)
		*took_us = (double)(rte_rdtsc() - t0) * 1e6 / (double)dp->hz;
	vqos_dp_synchronize(dp);
	for (k = 0; k < dp->n_shards; k++) {
		next[k]->prev = NULL;
		for (int d = 0; d < VQOS_DIR_N; d++)
			if (next[k]->kept[d] && old[k] != NULL)
				old[k]->q[d] = NULL; /* it lives on in next */
		state_free(old[k]);
	}
	/* no lcore holds an old state, nor so the old shares */
	for (int d = 0; d < VQOS_DIR_N; d++) {
		if (kept[d])
			continue;
		board_free(dp->board[d]);
		dp->board[d] = board[d];
	}
	return 0;
}

/* Run-queue wait of thread @p tid of this process, ns (0 if unknown). */
static uint64_t thread_waited_ns(int tid)
{
	unsigned long long run = 0, wait = 0;
	char path[64];
	FILE *f;

	if (tid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return wait;
}

int vqos_dp_class_stats(const struct vqos_dp *dp, unsigned int k, enum vqos_dir dir, uint32_t index,
			struct vqos_sched_class_stats *out)
{
	const struct vqos_dp_state *st;

	if (k >= dp->n_shards)
		return -ENOENT;
	st = __atomic_load_n(&dp->shard[k].state, __ATOMIC_ACQUIRE);
	if (st == NULL || st->q[dir] == NULL || index >= st->n_classes[dir])
		return -ENOENT;
	return st->q[dir]->ops->stats(st->q[dir], index, rte_rdtsc(), out);
}

void vqos_dp_lcore_stats(const struct vqos_dp *dp, unsigned int k, struct vqos_dp_lcore_stats *out)
{
	const struct vqos_dp_lcore_stats *ls = &dp->shard[k].lstats;

	out->busy_cycles = __atomic_load_n(&ls->busy_cycles, __ATOMIC_RELAXED);
	out->idle_cycles = __atomic_load_n(&ls->idle_cycles, __ATOMIC_RELAXED);
	out->stall_cycles = __atomic_load_n(&ls->stall_cycles, __ATOMIC_RELAXED);
	out->packets = __atomic_load_n(&ls->packets, __ATOMIC_RELAXED);
	out->busy_packets = __atomic_load_n(&ls->busy_packets, __ATOMIC_RELAXED);
	out->waited_ns = thread_waited_ns(__atomic_load_n(&dp->shard[k].tid, __ATOMIC_ACQUIRE));
	out->passes = __atomic_load_n(&ls->passes, __ATOMIC_RELAXED);
	out->unknown_dst = __atomic_load_n(&ls->unknown_dst, __ATOMIC_RELAXED);
	out->sleep_cycles = __atomic_load_n(&ls->sleep_cycles, __ATOMIC_RELAXED);
	out->sleeps = __atomic_load_n(&ls->sleeps, __ATOMIC_RELAXED);
	out->kicks = __atomic_load_n(&ls->kicks, __ATOMIC_RELAXED);
}

unsigned int vqos_dp_n_lcores(const struct vqos_dp *dp)
{
	return dp->n_shards;
}

unsigned int vqos_dp_lcore(const struct vqos_dp *dp, unsigned int k)
{
	return dp->shard[k].lcore;
}

static uint64_t tsc_now(void)
{
	return rte_rdtsc();
}

struct vqos_dp *vqos_dp_create(const unsigned int *lcores, unsigned int n)
{
	struct vqos_dp *dp = NULL;
	size_t sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);

	if (n == 0 || n > RTE_MAX_LCORE) {
		rte_errno = EINVAL;
		return NULL;
	}
	dp = rte_zmalloc("vqos_dp", sizeof(*dp) + n * sizeof(dp->shard[0]), RTE_CACHE_LINE_SIZE);
	if (dp == NULL)
		goto fail;
	dp->n_shards = n;
	for (unsigned int k = 0; k < n; k++)
		dp->shard[k].doorbell = -1;
	for (unsigned int k = 0; k < n; k++) {
		dp->shard[k].lcore = lcores[k];
		dp->shard[k].doorbell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dp->shard[k].doorbell < 0)
			goto fail;
	}
	if (vqos_dp_queue_field < 0) {
		static const struct rte_mbuf_dynfield field = {
			.name = "vqos_dp_queue",
			.size = sizeof(uint8_t),
			.align = __alignof__(uint8_t),
		};

		/* the same offset again if registered before (EAL keeps it) */
		vqos_dp_queue_field = rte_mbuf_dynfield_register(&field);
		if (vqos_dp_queue_field < 0)
			goto fail;
	}
	/* measured: EAL's may be rounded to 10 MHz, and every rate with it */
	dp->hz = vqos_sched_tsc_hz(VQOS_SCHED_TSC_MEASURE_MS);
	dp->clock = tsc_now;
	dp->nap_min_cycles = VQOS_DP_NAP_MIN_NS * dp->hz / 1000000000ull;
	dp->share_period_cycles = VQOS_SHARE_PERIOD_MS * dp->hz / 1000;
	vqos_dp_set_uplink_hold(dp, VQOS_DP_UPLINK_HOLD_US_DEFAULT);
	vqos_dp_set_sleep_max(dp, VQOS_DP_SLEEP_MAX_US_DEFAULT);
	dp->qsbr = rte_zmalloc("vqos_dp_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, RTE_MAX_LCORE) != 0)
		goto fail;
	return dp;
fail:
	vqos_dp_free(dp);
	rte_errno = ENOMEM;
	return NULL;
}

void vqos_dp_set_uplink_hold(struct vqos_dp *dp, uint64_t us)
{
	__atomic_store_n(&dp->hold_cycles, us * dp->hz / 1000000, __ATOMIC_RELAXED);
}

void vqos_dp_set_sleep_max(struct vqos_dp *dp, uint64_t us)
{
	if (us > VQOS_DP_SLEEP_MAX_US_MAX)
		us = VQOS_DP_SLEEP_MAX_US_MAX;
	__atomic_store_n(&dp->sleep_max_cycles, us * dp->hz / 1000000, __ATOMIC_RELAXED);
	for (unsigned int k = 0; k < dp->n_shards; k++)
		vqos_dp_ring(&dp->shard[k]); /* a long sleep ends at the new bound */
}

uint64_t vqos_dp_sleep_max(const struct vqos_dp *dp)
{
	return (__atomic_load_n(&dp->sleep_max_cycles, __ATOMIC_RELAXED) * 1000000 + dp->hz / 2) /
	       dp->hz;
}

void vqos_dp_clear(struct vqos_dp *dp)
{
	for (unsigned int k = 0; dp != NULL && k < dp->n_shards; k++) {
		state_free(dp->shard[k].state);
		dp->shard[k].state = NULL;
	}
	for (int d = 0; dp != NULL && d < VQOS_DIR_N; d++) {
		board_free(dp->board[d]);
		dp->board[d] = NULL;
	}
}

void vqos_dp_free(struct vqos_dp *dp)
{
	if (dp == NULL)
		return;
	for (unsigned int k = 0; k < dp->n_shards; k++) {
		state_free(dp->shard[k].state);
		if (dp->shard[k].doorbell >= 0)
			close(dp->shard[k].doorbell);
	}
	for (int d = 0; d < VQOS_DIR_N; d++)
		board_free(dp->board[d]);
	rte_free(dp->qsbr);
	rte_free(dp);
}
