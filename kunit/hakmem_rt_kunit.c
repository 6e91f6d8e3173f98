// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_rt: every path of hakmem-slab runs where PREEMPT_RT
 * allows it to.
 *
 * On PREEMPT_RT, spinlock_t and local_lock_t are sleeping locks: taking
 * one with preemption or IRQs disabled, or in hardirq, is a bug that
 * DEBUG_ATOMIC_SLEEP reports ("BUG: sleeping function called from invalid
 * context", which taints the kernel W).  Each case drives one family of
 * paths down to its deepest lock (the node lock, the page allocator, the
 * registry's IDA) and checks that the kernel was not tainted W meanwhile.
 * On other preemption models the same paths are legal and the cases pass
 * for the same reason; the console scanner judges the run as well.
 *
 *   free_preemptible  hakmem_free(), hakmem_cache_free() and the bulk free,
 *                     down to giving SuperSlabs back
 *   drain_in_task     draining magazines (shrink, the shrinker, destroy):
 *                     never from hardirq (on_each_cpu()), where on RT the
 *                     local lock would sleep or deadlock against the task
 *                     it interrupted
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/panic.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "hakmem_test.h"

/*
 * DEBUG_ATOMIC_SLEEP's report taints the kernel W, and so does every
 * WARN: a case can only tell a report of its own if the kernel was clean
 * when it started.
 */
static void hk_rt_require_untainted(struct kunit *test)
{
	if (test_taint(TAINT_WARN))
		kunit_skip(test, "kernel already tainted W: only the console scan can judge");
}

static void hk_rt_expect_untainted(struct kunit *test, const char *what)
{
	KUNIT_EXPECT_FALSE_MSG(test, test_taint(TAINT_WARN),
			       "%s tainted the kernel W: sleeping in atomic context? (see the console)",
			       what);
}

/* --- the free paths ------------------------------------------------------- */

/*
 * Enough objects for three SuperSlabs of the 64-byte class: freeing them
 * all fills and flushes magazines, empties slabs and gives SuperSlabs back
 * to the page allocator (__free_pages(), ida_free()) from inside the free.
 */
static unsigned int hk_rt_nr(struct hakmem_cache *s)
{
	return 3 * (s->capacity << HAKMEM_SS_SLABS_SHIFT) + s->mag_size;
}

struct hk_rt_free {
	struct kunit *test;
	struct hakmem_cache *cache;
	void **objs;
	unsigned int nr;
};

/*
 * Runs on one CPU (a bound kworker, task context) so that every free lands
 * in one magazine and the SuperSlabs do empty.
 */
static long hk_rt_free_paths(void *arg)
{
	struct hk_rt_free *f = arg;
	struct kunit *test = f->test;
	struct hakmem_cache *c = f->cache;
	unsigned int i;

	/* hakmem_free(): the kfree()-like face. */
	for (i = 0; i < f->nr; i++) {
		f->objs[i] = hakmem_alloc(64, GFP_KERNEL);
		if (!f->objs[i])
			return -ENOMEM;
	}
	for (i = 0; i < f->nr; i++)
		hakmem_free(f->objs[i]);
	/* Not a hakmem object: hakmem_free() hands it to kfree(). */
	hakmem_free(kmalloc(32, GFP_KERNEL));
	hk_rt_expect_untainted(test, "hakmem_free()");

	/* hakmem_cache_free(), one by one. */
	for (i = 0; i < f->nr; i++) {
		f->objs[i] = hakmem_cache_alloc(c, GFP_KERNEL);
		if (!f->objs[i])
			return -ENOMEM;
	}
	for (i = 0; i < f->nr; i++)
		hakmem_cache_free(c, f->objs[i]);
	hk_rt_expect_untainted(test, "hakmem_cache_free()");

	/* The bulk free. */
	if (hakmem_cache_alloc_bulk(c, GFP_KERNEL, f->nr, f->objs) != f->nr)
		return -ENOMEM;
	hakmem_cache_free_bulk(c, f->nr, f->objs);
	hk_rt_expect_untainted(test, "hakmem_cache_free_bulk()");
	return 0;
}

static void hakmem_rt_free_preemptible(struct kunit *test)
{
	struct hk_rt_free f = { .test = test };
	unsigned long ss_free;
	unsigned int cpu;

	hk_rt_require_untainted(test);
	f.cache = hk_create(test, "hakmem_rt_free", 64, 0, 0, false);
	f.nr = max(hk_rt_nr(hakmem_tiny_cache(64)), hk_rt_nr(f.cache));
	f.objs = kunit_kcalloc(test, f.nr, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f.objs);

	cpu = cpumask_first(cpu_online_mask);
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, hk_rt_free_paths, &f), 0L);
	/* The frees gave SuperSlabs back from inside the free path. */
	ss_free = hakmem_stat_sum(f.cache, HAKMEM_SS_FREE);
	KUNIT_EXPECT_GT(test, ss_free, 0UL);
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(f.cache, HAKMEM_INVALID_FREE) +
			hakmem_stat_sum(f.cache, HAKMEM_DOUBLE_FREE), 0UL);
}

/* --- draining ------------------------------------------------------------- */

/* Objects in this cache's magazines, and how many CPUs hold some. */
static unsigned int hk_rt_cached(struct hakmem_cache *s, unsigned int *cpus)
{
	unsigned int n = 0, cnt;
	int cpu;

	*cpus = 0;
	for_each_possible_cpu(cpu) {
		cnt = READ_ONCE(per_cpu_ptr(s->pcp, cpu)->count);
		n += cnt;
		*cpus += !!cnt;
	}
	return n;
}

static void hk_rt_fill_all(struct kunit *test, struct hakmem_cache *s)
{
	unsigned int cpus;
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		work_on_cpu(cpu, hk_magazine_fill, s);
	cpus_read_unlock();
	KUNIT_ASSERT_GT(test, hk_rt_cached(s, &cpus), 0U);
	KUNIT_ASSERT_GE(test, cpus, 1U);
}

static void hakmem_rt_drain_in_task(struct kunit *test)
{
	struct shrinker *shrinker = hakmem_shrinker_get();
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nr_to_scan = ULONG_MAX / 2,
	};
	struct hakmem_cache *c;
	unsigned int cpus;

	hk_rt_require_untainted(test);
	c = hakmem_cache_create("hakmem_rt_drain", 128, 0, 0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, c);

	hk_rt_fill_all(test, c);
	hakmem_drain_all(c);
	hk_rt_expect_untainted(test, "hakmem_drain_all()");
	KUNIT_EXPECT_EQ(test, hk_rt_cached(c, &cpus), 0U);

	hk_rt_fill_all(test, c);
	KUNIT_EXPECT_EQ(test, hakmem_cache_shrink(c), 0);
	hk_rt_expect_untainted(test, "hakmem_cache_shrink()");
	KUNIT_EXPECT_EQ(test, hk_rt_cached(c, &cpus), 0U);

	KUNIT_ASSERT_NOT_NULL_MSG(test, shrinker, "hakmem's shrinker was not registered at load");
	hk_rt_fill_all(test, c);
	sc.nr_to_scan = shrinker->count_objects(shrinker, &sc);
	KUNIT_EXPECT_GT(test, sc.nr_to_scan, 0UL);
	shrinker->scan_objects(shrinker, &sc);
	hk_rt_expect_untainted(test, "the shrinker's scan");

	hk_rt_fill_all(test, c);
	hakmem_cache_destroy(c);
	hk_rt_expect_untainted(test, "hakmem_cache_destroy()");
}

static struct kunit_case hakmem_rt_cases[] = {
	KUNIT_CASE(hakmem_rt_free_preemptible),
	KUNIT_CASE(hakmem_rt_drain_in_task),
	{}
};

static struct kunit_suite hakmem_rt_suite = {
	.name = "hakmem_rt",
	.init = hk_case_init,
	.test_cases = hakmem_rt_cases,
};

kunit_test_suite(hakmem_rt_suite);
