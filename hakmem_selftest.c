// SPDX-License-Identifier: GPL-2.0
/*
 * Checks that run at module load, for kernels without
 * KUnit (Debian's stock kernel has none):
 *
 *   selftest=1      a short functional self-test, one line of verdict
 *   stress_ms=N     a multi-CPU stress for N ms: a kthread per online CPU,
 *                   random sizes, slot arrays handed between threads so
 *                   frees cross CPUs, a pattern checked on every free;
 *                   stress_seed=S replays a run (0 picks a random seed)
 *
 * The KUnit suites (kunit/) cover far more; these exist so that a user
 * can see the allocator work with one insmod, and so that the soak runs
 * can boot kernels without KUnit.
 *
 * Locking: the stress threads share one spinlock-protected exchange slot;
 * no other lock is taken here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "hakmem_internal.h"
#include "hakmem_selftest.h"
#include "hakmem_stress_mix.h"

static unsigned int stress_ms;
module_param(stress_ms, uint, 0444);
MODULE_PARM_DESC(stress_ms, "Run the multi-CPU stress at load for this many ms (0: off)");

static ulong stress_seed;
module_param(stress_seed, ulong, 0444);
MODULE_PARM_DESC(stress_seed, "Seed of the stress run (0: random; printed either way)");

struct hakmem_check {
	unsigned int checks;
	unsigned int failed;
};

#define HAKMEM_CHECK(c, cond) \
	hakmem_check_one(c, !!(cond), __func__, __LINE__, #cond)

static void hakmem_check_one(struct hakmem_check *c, bool ok, const char *fn,
			     int line, const char *what)
{
	c->checks++;
	if (ok)
		return;
	c->failed++;
	pr_err("selftest: %s:%d: check failed: %s\n", fn, line, what);
}

/* Growth past three SuperSlabs, every object distinct and intact. */
static void hakmem_selftest_growth(struct hakmem_check *c)
{
	struct hakmem_cache *s = hakmem_cache_create("hakmem-selftest", 64, 0, 0, NULL);
	unsigned int i, nr;
	u64 **objs;

	HAKMEM_CHECK(c, s);
	if (!s)
		return;
	nr = 3 * (s->capacity << HAKMEM_SS_SLABS_SHIFT) + 1;
	objs = vcalloc(nr, sizeof(*objs));
	HAKMEM_CHECK(c, objs);
	if (!objs)
		goto out;
	for (i = 0; i < nr; i++) {
		objs[i] = hakmem_cache_alloc(s, GFP_KERNEL);
		if (!objs[i])
			break;
		objs[i][0] = (unsigned long)objs[i] ^ i;
	}
	HAKMEM_CHECK(c, i == nr);
	HAKMEM_CHECK(c, hakmem_nodes_sum(s, nr_ss) >= 3);
	nr = i;
	for (i = 0; i < nr; i++)
		if (objs[i][0] != ((unsigned long)objs[i] ^ i))
			break;
	HAKMEM_CHECK(c, i == nr);
	hakmem_cache_free_bulk(s, nr, (void **)objs);
	HAKMEM_CHECK(c, hakmem_cache_shrink(s) == 0);
	HAKMEM_CHECK(c, hakmem_nodes_sum(s, nr_pages) == 0);
	vfree(objs);
out:
	hakmem_cache_destroy(s);
}

/* The tiny classes: size, alignment and ksize for 1..1024. */
static void hakmem_selftest_tiny(struct hakmem_check *c)
{
	unsigned int size, bad = 0;

	for (size = 1; size <= HAKMEM_MAX_TINY_SIZE; size++) {
		size_t class = hakmem_tiny_class_want(size);
		u8 *p = hakmem_alloc(size, GFP_KERNEL | __GFP_ZERO);

		/* kmalloc()'s alignment: the minimum, powers of two naturally. */
		if (!p || hakmem_ksize(p) != class ||
		    !IS_ALIGNED((unsigned long)p, ARCH_KMALLOC_MINALIGN) ||
		    (is_power_of_2(size) && !IS_ALIGNED((unsigned long)p, size)) ||
		    memchr_inv(p, 0, size)) {
			bad++;
		} else {
			memset(p, 0xa5, size);
		}
		hakmem_free(p);
	}
	HAKMEM_CHECK(c, bad == 0);
	for (size = 0; size < HAKMEM_NR_TINY; size++) {
		struct hakmem_cache *s = hakmem_tiny_cache(hakmem_tiny_sizes[size]);

		HAKMEM_CHECK(c, s->capacity * hakmem_stride(s) <= hakmem_slab_bytes(s));
	}
	HAKMEM_CHECK(c, hakmem_alloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	hakmem_free(NULL);
}

/* Misuse is caught, counted and harmless. */
static void hakmem_selftest_misuse(struct hakmem_check *c)
{
	struct hakmem_cache *s = hakmem_cache_create("hakmem-selftest", 48, 0, 0, NULL);
	unsigned long dbl, inval;
	void *a, *b, *a2 = NULL, *a3 = NULL;

	HAKMEM_CHECK(c, s);
	if (!s)
		return;
	dbl = hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE);
	inval = hakmem_stat_sum(s, HAKMEM_INVALID_FREE);
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	b = hakmem_alloc(64, GFP_KERNEL);
	HAKMEM_CHECK(c, a && b);
	if (a && b) {
		/*
		 * Four bad frees, each refused with one message: announce
		 * them to the console scanner (tools/testbed/scan-console).
		 */
		pr_info("hakmem-expect: begin 4 selftest-misuse\n");
		hakmem_cache_free(s, a + 8);		/* interior */
		hakmem_cache_free(s, b);		/* another cache's */
		hakmem_cache_free(s, a);
		hakmem_cache_free(s, a);		/* double */
		hakmem_cache_free(s, &dbl);		/* not hakmem's at all */
		pr_info("hakmem-expect: end selftest-misuse\n");
		HAKMEM_CHECK(c, hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE) == dbl + 1);
		HAKMEM_CHECK(c, hakmem_stat_sum(s, HAKMEM_INVALID_FREE) == inval + 3);
		/* Still sound: two allocations never share the object. */
		a2 = hakmem_cache_alloc(s, GFP_KERNEL);
		a3 = hakmem_cache_alloc(s, GFP_KERNEL);
		HAKMEM_CHECK(c, a2 && a3 && a2 != a3);
	}
	hakmem_free(b);
	hakmem_cache_free(s, a2);
	hakmem_cache_free(s, a3);
	HAKMEM_CHECK(c, hakmem_cache_shrink(s) == 0);
	HAKMEM_CHECK(c, hakmem_nodes_sum(s, nr_pages) == 0);
	hakmem_cache_destroy(s);
}

/**
 * hakmem_selftest() - the load-time self-test
 *
 * Prints "selftest passed" or "selftest FAILED" with the counts.
 */
void hakmem_selftest(void)
{
	struct hakmem_check c = {};

	hakmem_selftest_growth(&c);
	hakmem_selftest_tiny(&c);
	hakmem_selftest_misuse(&c);
	if (c.failed)
		pr_err("selftest FAILED: %u of %u checks\n", c.failed, c.checks);
	else
		pr_info("selftest passed: %u checks\n", c.checks);
}

/* --- the stress run ------------------------------------------------------ */

#define HAKMEM_STRESS_SLOTS	256

struct hakmem_stress {
	struct hakmem_cache *cache;
	spinlock_t lock;		/* protects @parked */
	void **parked;			/* a slot array waiting for a taker */
	unsigned long deadline;
	atomic_long_t ops;
	atomic_t errors;
	atomic_t nulls_short;		/* NULLs while memory was short */
	atomic_t running;
	struct completion done;
	u64 seed;
};

/* Slot i of an array holds an object whose first word names its owner slot. */
static u64 hakmem_stress_tag(void *obj, size_t size)
{
	return (unsigned long)obj * 0x9e3779b97f4a7c15ULL ^ size;
}

static bool hakmem_stress_check(void *obj)
{
	u64 *w = obj;

	return w[0] == hakmem_stress_tag(obj, w[1]);
}

/*
 * An allocation of @s came back NULL.  A GFP_KERNEL allocation may fail
 * only when memory is short: ask the page allocator, with the flags hakmem
 * uses for its last try, for one slab of @s.  If it has one, hakmem failed
 * with memory to spare, and that is an error.
 */
static void hakmem_stress_null(struct hakmem_stress *st, struct hakmem_cache *s)
{
	struct page *page;

	page = alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL | __GFP_NOWARN, s->slab_order);
	if (!page) {
		atomic_inc(&st->nulls_short);
		return;
	}
	__free_pages(page, s->slab_order);
	if (atomic_inc_return(&st->errors) == 1)
		pr_err("stress: %s returned NULL with memory to spare\n", s->dbg_name);
}

static void *hakmem_stress_new(struct hakmem_stress *st, struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);
	size_t size = 16 + r % (HAKMEM_MAX_TINY_SIZE - 15);
	u64 *obj;

	if (r & 1)
		size = hakmem_cache_size(st->cache);
	obj = (r & 1) ? hakmem_cache_alloc(st->cache, GFP_KERNEL) :
			hakmem_alloc(size, GFP_KERNEL);
	if (!obj) {
		hakmem_stress_null(st, (r & 1) ? st->cache : hakmem_tiny_cache(size));
		return NULL;
	}
	obj[1] = size;
	obj[0] = hakmem_stress_tag(obj, size);
	return obj;
}

static void hakmem_stress_drop(struct hakmem_stress *st, void *obj)
{
	u64 *w = obj;

	if (!hakmem_stress_check(obj)) {
		pr_err("stress: object %p damaged: %016llx %016llx\n", obj, w[0], w[1]);
		atomic_inc(&st->errors);
		return;
	}
	w[0] = 0;
	if (w[1] == hakmem_cache_size(st->cache) &&
	    hakmem_obj_to_ss(obj) && hakmem_obj_to_ss(obj)->cache == st->cache)
		hakmem_cache_free(st->cache, obj);
	else
		hakmem_free(obj);
}

static int hakmem_stress_thread(void *arg)
{
	struct hakmem_stress *st = arg;
	struct rnd_state rnd;
	void **slots, **swap;
	unsigned long ops = 0;
	unsigned int i;

	prandom_seed_state(&rnd, st->seed + raw_smp_processor_id());
	slots = kcalloc(HAKMEM_STRESS_SLOTS, sizeof(void *), GFP_KERNEL);
	if (!slots) {
		atomic_inc(&st->errors);
		goto out;
	}
	while (time_before(jiffies, st->deadline)) {
		for (i = 0; i < 4 * HAKMEM_STRESS_SLOTS; i++, ops++) {
			unsigned int k = prandom_u32_state(&rnd) % HAKMEM_STRESS_SLOTS;

			if (slots[k]) {
				rcu_read_lock();
				hakmem_stress_drop(st, slots[k]);
				rcu_read_unlock();
			}
			slots[k] = hakmem_stress_new(st, &rnd);
		}
		/* Hand this array to another thread, take one parked before. */
		spin_lock(&st->lock);
		swap = st->parked;
		st->parked = slots;
		spin_unlock(&st->lock);
		if (swap)
			slots = swap;
		else
			slots = kcalloc(HAKMEM_STRESS_SLOTS, sizeof(void *), GFP_KERNEL);
		if (!slots)
			break;
		cond_resched();
	}
	if (slots) {
		for (i = 0; i < HAKMEM_STRESS_SLOTS; i++)
			if (slots[i]) {
				rcu_read_lock();
				hakmem_stress_drop(st, slots[i]);
				rcu_read_unlock();
			}
		kfree(slots);
	}
	atomic_long_add(ops, &st->ops);
out:
	if (atomic_dec_and_test(&st->running))
		complete(&st->done);
	return 0;
}

/* The tiny classes, 8 to HAKMEM_MAX_TINY_SIZE bytes (hakmem_tiny_sizes[]). */
#define HAKMEM_STRESS_TINY	HAKMEM_NR_TINY

/* Misuse caught in @s: the stress makes none, so any is an error. */
static unsigned long hakmem_stress_misuse(struct hakmem_cache *s)
{
	return hakmem_stat_sum(s, HAKMEM_INVALID_FREE) +
	       hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE) +
	       hakmem_stat_sum(s, HAKMEM_CORRUPTION);
}

/* Objects of @s its users hold, by the statistics. */
static long hakmem_stress_held(struct hakmem_cache *s)
{
	return hakmem_stat_sum(s, HAKMEM_ALLOC_HIT) + hakmem_stat_sum(s, HAKMEM_ALLOC_MISS) -
	       hakmem_stat_sum(s, HAKMEM_FREE_HIT) - hakmem_stat_sum(s, HAKMEM_FREE_MISS);
}

/*
 * After the run: nothing held and no misuse, in the stress's cache and in
 * each tiny class (@misuse0, @held0: the tiny classes' before the run).
 */
static unsigned int hakmem_stress_audit(struct hakmem_stress *st,
					const unsigned long *misuse0,
					const long *held0)
{
	unsigned int i, bad = 0;
	struct hakmem_cache *s;

	hakmem_drain_all(st->cache);
	if (hakmem_stress_misuse(st->cache) || hakmem_stress_held(st->cache) ||
	    hakmem_nodes_sum(st->cache, nr_inuse)) {
		pr_err("stress: %s: %lu misuses, %ld objects held, %lu out of the slabs\n",
		       st->cache->dbg_name, hakmem_stress_misuse(st->cache),
		       hakmem_stress_held(st->cache),
		       hakmem_nodes_sum(st->cache, nr_inuse));
		bad++;
	}
	for (i = 0; i < HAKMEM_STRESS_TINY; i++) {
		s = hakmem_tiny_cache(hakmem_tiny_sizes[i]);
		if (hakmem_stress_misuse(s) == misuse0[i] && hakmem_stress_held(s) == held0[i])
			continue;
		pr_err("stress: %s: %lu new misuses, %ld more objects held\n", s->dbg_name,
		       hakmem_stress_misuse(s) - misuse0[i], hakmem_stress_held(s) - held0[i]);
		bad++;
	}
	return bad;
}

/**
 * hakmem_stress_at_load() - run the stress if stress_ms was given
 *
 * Prints "stress seed=S threads=T ops=N: passed" or "... FAILED".
 */
void hakmem_stress_at_load(void)
{
	unsigned long misuse0[HAKMEM_STRESS_TINY];
	long held0[HAKMEM_STRESS_TINY];
	struct hakmem_stress *st;
	struct hakmem_mix *mix;
	unsigned int i, cpu, threads = 0;

	if (!stress_ms)
		return;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return;
	st->seed = stress_seed ? stress_seed : get_random_u64();
	st->cache = hakmem_cache_create("hakmem-stress", 200, 0, 0, NULL);
	spin_lock_init(&st->lock);
	init_completion(&st->done);
	atomic_set(&st->running, 1);
	st->deadline = jiffies + msecs_to_jiffies(stress_ms);
	pr_info("stress seed=%llu ms=%u cpus=%u\n", st->seed, stress_ms,
		num_online_cpus());
	if (!st->cache) {
		atomic_inc(&st->errors);
		goto verdict;
	}
	for (i = 0; i < HAKMEM_STRESS_TINY; i++) {
		misuse0[i] = hakmem_stress_misuse(hakmem_tiny_cache(hakmem_tiny_sizes[i]));
		held0[i] = hakmem_stress_held(hakmem_tiny_cache(hakmem_tiny_sizes[i]));
	}
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		atomic_inc(&st->running);
		t = kthread_create_on_cpu(hakmem_stress_thread, st, cpu, "hakmem_stress/%u");
		if (IS_ERR(t)) {
			atomic_dec(&st->running);
			continue;
		}
		wake_up_process(t);
		threads++;
	}
	/* The other loads (stress_mix=) run until the threads are done. */
	mix = hakmem_mix_start(st->cache, st->seed, &st->errors);
	if (!atomic_dec_and_test(&st->running))
		wait_for_completion(&st->done);
	hakmem_mix_stop(mix);
	if (st->parked) {
		for (i = 0; i < HAKMEM_STRESS_SLOTS; i++)
			if (st->parked[i]) {
				rcu_read_lock();
				hakmem_stress_drop(st, st->parked[i]);
				rcu_read_unlock();
			}
		kfree(st->parked);
	}
	atomic_add(hakmem_stress_audit(st, misuse0, held0), &st->errors);
	/* Not hakmem's fault, but the run did not test what it meant to. */
	if (atomic_read(&st->nulls_short))
		pr_warn("stress: %d allocations returned NULL while memory was short\n",
			atomic_read(&st->nulls_short));
	hakmem_cache_destroy(st->cache);
verdict:
	if (atomic_read(&st->errors))
		pr_err("stress seed=%llu threads=%u ops=%ld: FAILED (%d errors)\n",
		       st->seed, threads, atomic_long_read(&st->ops),
		       atomic_read(&st->errors));
	else
		pr_info("stress seed=%llu threads=%u ops=%ld: passed\n",
			st->seed, threads, atomic_long_read(&st->ops));
	kfree(st);
}
