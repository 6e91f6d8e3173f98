// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness: multi-thread stress, built with
 * -fsanitize=thread.  More threads than vCPUs, so vCPUs are shared (the
 * local lock and this_cpu ops must serialise them), frees cross threads,
 * CPUs and nodes, and caches grow, shrink and drain concurrently.
 */
#include "hk_test.h"

#define NR_THREADS	8
#define RING		1024

/* How long each time-bound stress runs: HK_STRESS_MS, 1500 ms by default. */
static unsigned long stress_ms(void)
{
	const char *v = getenv("HK_STRESS_MS");

	return v && *v ? strtoul(v, NULL, 0) : 1500;
}

struct xring {
	pthread_mutex_t lock;
	void *slot[RING];
	unsigned int head, tail;
};

struct stress {
	struct hakmem_cache *cache;
	struct xring ring;
	unsigned long errors;
	bool stop;
	u64 deadline;
};

static u64 tag_of(void *p, size_t size)
{
	return (unsigned long)p * 0x9e3779b97f4a7c15ULL ^ size;
}

static void *new_obj(struct stress *st, u32 r)
{
	size_t size = 16 + r % (HAKMEM_MAX_TINY_SIZE + 200);
	u64 *o;

	if (r & 1) {
		size = hakmem_cache_size(st->cache);
		o = hakmem_cache_alloc(st->cache, GFP_KERNEL);
	} else {
		o = hakmem_alloc(size, GFP_KERNEL);
	}
	if (o) {
		o[1] = size | (r & 1 ? 1ULL << 63 : 0);
		o[0] = tag_of(o, o[1]);
		memset(o + 2, 0x3c, min_t(size_t, size, 64) - 16);
	}
	return o;
}

static void drop_obj(struct stress *st, u64 *o)
{
	if (o[0] != tag_of(o, o[1])) {
		__atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED);
		fprintf(stderr, "  object %p damaged\n", (void *)o);
		return;
	}
	o[0] = 0;
	if (o[1] >> 63)
		hakmem_cache_free(st->cache, o);
	else
		hakmem_free(o);
}

static void *stress_worker(void *arg)
{
	struct stress *st = arg;
	struct rnd_state rnd;
	void *slots[256] = { 0 };
	unsigned int i;

	prandom_seed_state(&rnd, (unsigned long)&slots);
	hk_cur();	/* auto-bound: NR_THREADS over hk_nr_cpus vCPUs */
	while (ktime_get_ns() < st->deadline) {
		for (i = 0; i < 512; i++) {
			u32 r = prandom_u32_state(&rnd);
			unsigned int k = r % 256;

			if (slots[k]) {
				if (r & 0x100) {	/* hand it to another thread */
					void *give = slots[k], *take = NULL;

					pthread_mutex_lock(&st->ring.lock);
					if (st->ring.head - st->ring.tail < RING)
						st->ring.slot[st->ring.head++ % RING] = give, give = NULL;
					if (st->ring.head != st->ring.tail && (r & 0x200))
						take = st->ring.slot[st->ring.tail++ % RING];
					pthread_mutex_unlock(&st->ring.lock);
					if (give)
						drop_obj(st, give);
					if (take)
						drop_obj(st, take);
				} else {
					drop_obj(st, slots[k]);
				}
			}
			slots[k] = new_obj(st, r >> 12);
		}
	}
	for (i = 0; i < 256; i++)
		if (slots[i])
			drop_obj(st, slots[i]);
	return NULL;
}

static void *housekeeper(void *arg)
{
	struct stress *st = arg;

	hk_vcpu_bind(0);
	while (ktime_get_ns() < st->deadline) {
		hakmem_cache_shrink(st->cache);
		hk_shrink(1, 1 << 20);
		msleep(5);
	}
	return NULL;
}

TEST(stress_cross_thread_frees)
{
	struct stress st = { 0 };
	pthread_t th[NR_THREADS + 1];
	int i;

	st.cache = hakmem_cache_create("t-stress", 200, 0, 0, NULL);
	REQUIRE(st.cache);
	pthread_mutex_init(&st.ring.lock, NULL);
	st.deadline = ktime_get_ns() + stress_ms() * NSEC_PER_MSEC;
	for (i = 0; i < NR_THREADS; i++)
		pthread_create(&th[i], NULL, stress_worker, &st);
	pthread_create(&th[NR_THREADS], NULL, housekeeper, &st);
	for (i = 0; i <= NR_THREADS; i++)
		pthread_join(th[i], NULL);
	while (st.ring.tail != st.ring.head)
		drop_obj(&st, st.ring.slot[st.ring.tail++ % RING]);
	CHECK_EQ(st.errors, 0);
	CHECK_EQ(hakmem_stat_sum(st.cache, HAKMEM_INVALID_FREE), 0);
	CHECK_EQ(hakmem_stat_sum(st.cache, HAKMEM_DOUBLE_FREE), 0);
	CHECK_EQ(hakmem_stat_sum(st.cache, HAKMEM_CORRUPTION), 0);
	hakmem_drain_all(st.cache);
	CHECK_EQ(hk_cache_inuse(st.cache), 0);
	for (i = 0; i < HAKMEM_NR_TINY; i++) {
		struct hakmem_cache *t = hakmem_tiny_cache(hakmem_tiny_sizes[i]);

		hakmem_drain_all(t);
		CHECK_EQ(hk_cache_inuse(t), 0);
		CHECK_EQ(hakmem_stat_sum(t, HAKMEM_DOUBLE_FREE), 0);
	}
	hakmem_cache_destroy(st.cache);
}

/* ---- concurrent growth of one cache --------------------------------------- */

#define GROW_PER_THREAD	4000
struct grow {
	struct hakmem_cache *cache;
	pthread_barrier_t go;
	void *objs[4][GROW_PER_THREAD];
	int cpu[4];
};
struct grow_arg { struct grow *g; int idx; };

static void *grower(void *arg)
{
	struct grow_arg *a = arg;
	struct grow *g = a->g;
	int i;

	hk_vcpu_bind(a->idx % hk_nr_cpus);
	pthread_barrier_wait(&g->go);
	for (i = 0; i < GROW_PER_THREAD; i++) {
		g->objs[a->idx][i] = hakmem_cache_alloc(g->cache, GFP_KERNEL);
		if (g->objs[a->idx][i])
			*(long *)g->objs[a->idx][i] = a->idx * GROW_PER_THREAD + i;
	}
	pthread_barrier_wait(&g->go);
	/* free the next thread's objects: every free crosses threads */
	for (i = 0; i < GROW_PER_THREAD; i++)
		hakmem_cache_free(g->cache, g->objs[(a->idx + 1) % 4][i]);
	return NULL;
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(uintptr_t *)a, y = *(uintptr_t *)b;

	return x < y ? -1 : x > y;
}

TEST(concurrent_growth)
{
	struct grow *g = calloc(1, sizeof(*g));
	struct grow_arg args[4];
	pthread_t th[4];
	void **all;
	int i, j, dup = 0, null = 0;

	REQUIRE(g);
	g->cache = hakmem_cache_create("t-grow-mt", 64, 0, 0, NULL);
	REQUIRE(g->cache);
	pthread_barrier_init(&g->go, NULL, 4);
	for (i = 0; i < 4; i++) {
		args[i] = (struct grow_arg){ g, i };
		pthread_create(&th[i], NULL, grower, &args[i]);
	}
	/* check distinctness while the threads wait at the second barrier? no:
	 * they free after it, so collect afterwards from the saved pointers */
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	all = malloc(sizeof(void *) * 4 * GROW_PER_THREAD);
	for (i = 0; i < 4; i++)
		for (j = 0; j < GROW_PER_THREAD; j++) {
			all[i * GROW_PER_THREAD + j] = g->objs[i][j];
			null += !g->objs[i][j];
		}
	qsort(all, 4 * GROW_PER_THREAD, sizeof(void *), ptr_cmp);
	for (i = 1; i < 4 * GROW_PER_THREAD; i++)
		dup += all[i] == all[i - 1];
	CHECK_EQ(null, 0);
	CHECK_EQ(dup, 0);
	CHECK_EQ(hakmem_stat_sum(g->cache, HAKMEM_INVALID_FREE), 0);
	CHECK_EQ(hakmem_stat_sum(g->cache, HAKMEM_DOUBLE_FREE), 0);
	hakmem_drain_all(g->cache);
	CHECK_EQ(hk_cache_inuse(g->cache), 0);
	CHECK_EQ(hakmem_cache_shrink(g->cache), 0);
	hakmem_cache_destroy(g->cache);
	free(all);
	free(g);
}

/* ---- statistics with several tasks on one CPU ---------------------------- */

/*
 * Four threads share vCPU 0, as tasks share a CPU: on PREEMPT_RT one may
 * hold the local lock while another updates the same counter with a
 * this_cpu op.  Every update must count (TSan also sees a lost one).
 */
#define STAT_THREADS	4
#define STAT_ROUNDS	20000
struct statload {
	struct hakmem_cache *cache;
	pthread_barrier_t go;
	unsigned long allocs, frees;
};

static void *stat_worker(void *arg)
{
	struct statload *sl = arg;
	unsigned long allocs = 0, frees = 0;
	void *objs[8];
	int i, n;

	hk_vcpu_bind(0);
	pthread_barrier_wait(&sl->go);
	for (i = 0; i < STAT_ROUNDS; i++) {
		if (i & 1) {
			n = hakmem_cache_alloc_bulk(sl->cache, GFP_KERNEL, ARRAY_SIZE(objs), objs);
			allocs += n;
			hakmem_cache_free_bulk(sl->cache, n, objs);
			frees += n;
		} else {
			objs[0] = hakmem_cache_alloc(sl->cache, GFP_KERNEL);
			allocs += !!objs[0];
			frees += !!objs[0];
			hakmem_cache_free(sl->cache, objs[0]);
		}
	}
	__atomic_add_fetch(&sl->allocs, allocs, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sl->frees, frees, __ATOMIC_RELAXED);
	return NULL;
}

TEST(stats_exact_on_a_shared_cpu)
{
	struct statload sl = { 0 };
	pthread_t th[STAT_THREADS];
	struct hakmem_cache *s;
	int i;

	s = sl.cache = hakmem_cache_create("t-stats", 64, 0, 0, NULL);
	REQUIRE(s);
	pthread_barrier_init(&sl.go, NULL, STAT_THREADS);
	for (i = 0; i < STAT_THREADS; i++)
		pthread_create(&th[i], NULL, stat_worker, &sl);
	for (i = 0; i < STAT_THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK(sl.allocs > 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_ALLOC_HIT) + hakmem_stat_sum(s, HAKMEM_ALLOC_MISS),
		 sl.allocs);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_FREE_HIT) + hakmem_stat_sum(s, HAKMEM_FREE_MISS),
		 sl.frees);
	hakmem_cache_destroy(s);
}

/* ---- the module's own multi-CPU stress (kthreads per vCPU) ---------------- */

TEST_FLAGS(module_stress_at_load, HK_T_NOINIT)
{
	char ms[24];

	snprintf(ms, sizeof(ms), "%lu", stress_ms());
	CHECK_EQ(hk_param_set("stress_ms", ms), 0);
	CHECK_EQ(hk_param_set("stress_seed", "42"), 0);
	REQUIRE(hk_module_init() == 0);
	CHECK(hk_log_contains(": passed"));
	CHECK(!hk_log_contains("FAILED"));
	hk_module_exit();
}

/*
 * ---- node counters read while other CPUs update them ----------------------
 * The writer moves batches between its magazine and the node (refill,
 * flush: node-lock writers of the counters); the reader, on another vCPU
 * and sharing no other lock with it, sums them as debugfs and the
 * shrinker do.  Under TSan an unlocked read of a counter is a race
 * report, every time: the reader reads nothing else.
 */
#define COUNT_ROUNDS	50
#define COUNT_OBJS	300

struct counters {
	struct hakmem_cache *cache;
	bool done;
	unsigned long reads, sum;
};

static void *counters_writer(void *arg)
{
	struct counters *c = arg;
	void *objs[COUNT_OBJS];
	int r, i;

	hk_vcpu_bind(0);
	for (r = 0; r < COUNT_ROUNDS; r++) {
		for (i = 0; i < COUNT_OBJS; i++)
			objs[i] = hakmem_cache_alloc(c->cache, GFP_KERNEL);
		for (i = 0; i < COUNT_OBJS; i++)
			hakmem_cache_free(c->cache, objs[i]);
	}
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void *counters_reader(void *arg)
{
	struct counters *c = arg;

	hk_vcpu_bind(hk_nr_cpus - 1);
	while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
		c->sum += hakmem_nodes_sum(c->cache, nr_inuse);
		c->sum += hakmem_nodes_sum(c->cache, nr_slabs);
		c->reads++;
	}
	return NULL;
}

TEST(node_counters_read_during_updates)
{
	struct counters c = { 0 };
	pthread_t w, r;

	c.cache = hakmem_cache_create("t-counters", 64, 0, 0, NULL);
	REQUIRE(c.cache && hk_nr_cpus > 1);
	pthread_create(&r, NULL, counters_reader, &c);
	pthread_create(&w, NULL, counters_writer, &c);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	CHECK(c.reads > 0);
	hakmem_drain_all(c.cache);
	CHECK_EQ(hk_cache_inuse(c.cache), 0);
	hakmem_cache_destroy(c.cache);
}

/*
 * ---- two threads on one vCPU: the magazine is theirs to share ------------
 * Both run as the same CPU with nothing in common but the cache, so only
 * the local lock orders their magazine accesses: under TSan a path that
 * skips it is a race report, every time; without TSan, an object handed
 * to both shows up as a damaged pattern.
 */
#define SHARE_ROUNDS	1000
#define SHARE_OBJS	8

struct share {
	struct hakmem_cache *cache;
	unsigned long damaged;
};
struct share_arg { struct share *sh; u64 id; };

static void *share_worker(void *arg)
{
	struct share_arg *a = arg;
	struct hakmem_cache *s = a->sh->cache;
	u64 *objs[SHARE_OBJS];
	int r, i;

	hk_vcpu_bind(1);
	for (r = 0; r < SHARE_ROUNDS; r++) {
		for (i = 0; i < SHARE_OBJS; i++) {
			objs[i] = hakmem_cache_alloc(s, GFP_KERNEL);
			if (objs[i])
				*objs[i] = a->id << 32 | (r * SHARE_OBJS + i);
		}
		for (i = 0; i < SHARE_OBJS; i++) {
			if (!objs[i])
				continue;
			if (*objs[i] != (a->id << 32 | (r * SHARE_OBJS + i)))
				__atomic_fetch_add(&a->sh->damaged, 1, __ATOMIC_RELAXED);
			hakmem_cache_free(s, objs[i]);
		}
	}
	return NULL;
}

TEST(magazine_shared_by_two_threads_of_one_cpu)
{
	struct share sh = { 0 };
	struct share_arg args[2] = { { &sh, 1 }, { &sh, 2 } };
	pthread_t th[2];
	int i;

	sh.cache = hakmem_cache_create("t-share", 64, 0, 0, NULL);
	REQUIRE(sh.cache && hk_nr_cpus > 1);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, share_worker, &args[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(sh.damaged, 0);
	CHECK_EQ(hakmem_stat_sum(sh.cache, HAKMEM_DOUBLE_FREE), 0);
	hakmem_drain_all(sh.cache);
	CHECK_EQ(hk_cache_inuse(sh.cache), 0);
	hakmem_cache_destroy(sh.cache);
}

/*
 * The events' registration functions rewrite every cache's out_plain and
 * free_plain under hakmem_cache_mutex alone, while the fast paths of other
 * CPUs read them with no lock in common: both sides must be marked
 * (READ_ONCE/WRITE_ONCE), or TSan here, KCSAN in the kernel, reports the
 * race.  One thread allocates and frees through both faces while another
 * turns both events on and off.
 */
int hakmem_event_alloc_reg(void);
void hakmem_event_alloc_unreg(void);
int hakmem_event_free_reg(void);
void hakmem_event_free_unreg(void);

struct evflip {
	struct hakmem_cache *cache;
	bool stop;
};

static void *evflip_worker(void *arg)
{
	struct evflip *ef = arg;
	void *p, *q;

	hk_vcpu_bind(1);
	while (!__atomic_load_n(&ef->stop, __ATOMIC_RELAXED)) {
		p = hakmem_cache_alloc(ef->cache, GFP_KERNEL);
		q = hakmem_alloc(64, GFP_KERNEL);
		hakmem_cache_free(ef->cache, p);
		hakmem_free(q);
	}
	return NULL;
}

TEST(events_flip_while_fast_paths_run)
{
	struct evflip ef = { 0 };
	pthread_t th;
	int i;

	ef.cache = hakmem_cache_create("t-evflip", 64, 0, 0, NULL);
	REQUIRE(ef.cache && hk_nr_cpus > 1);
	pthread_create(&th, NULL, evflip_worker, &ef);
	for (i = 0; i < 2000; i++) {
		CHECK(hakmem_event_alloc_reg() == 0);
		CHECK(hakmem_event_free_reg() == 0);
		hakmem_event_alloc_unreg();
		hakmem_event_free_unreg();
	}
	__atomic_store_n(&ef.stop, true, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	CHECK(ef.cache->out_plain == ef.cache->out_lean);
	CHECK(ef.cache->free_plain == ef.cache->free_lean);
	hakmem_drain_all(ef.cache);
	CHECK_EQ(hk_cache_inuse(ef.cache), 0);
	hakmem_cache_destroy(ef.cache);
}
