// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_reclaim: what memory pressure costs hakmem-slab, and
 * what it holds per CPU.
 *
 *   scan_proportional  a shrinker scan asked for nr_to_scan pages drains at
 *                      most nr_to_scan magazines (work items), however many
 *                      caches and CPUs hold objects; asked for all, it
 *                      gives everything back
 *   count_magazine     a magazine's objects count as reclaimable pages,
 *                      however few bytes they are
 *   magazine_bound     a magazine holds at most max(16 KiB, 2 objects),
 *                      whatever the stride
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/workqueue.h>

#include "hakmem_test.h"

#define HK_RECLAIM_CACHES	8

struct hk_reclaim {
	struct hakmem_cache *caches[HK_RECLAIM_CACHES];
};

/* On this CPU, one object of each cache out and back: a magazine each. */
static long hk_reclaim_fill(void *arg)
{
	struct hk_reclaim *r = arg;
	unsigned int i;
	void *obj;

	for (i = 0; i < HK_RECLAIM_CACHES; i++) {
		obj = hakmem_cache_alloc(r->caches[i], GFP_KERNEL);
		hakmem_cache_free(r->caches[i], obj);
	}
	return 0;
}

/* Magazines drained so far: every drain that moved objects counts a flush. */
static unsigned long hk_reclaim_flushes(struct hk_reclaim *r)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < HK_RECLAIM_CACHES; i++)
		n += hakmem_stat_sum(r->caches[i], HAKMEM_FLUSH);
	return n;
}

static unsigned long hk_reclaim_cached(struct hk_reclaim *r)
{
	unsigned long n = 0;
	unsigned int i;
	int cpu;

	for (i = 0; i < HK_RECLAIM_CACHES; i++)
		for_each_possible_cpu(cpu)
			n += READ_ONCE(per_cpu_ptr(r->caches[i]->pcp, cpu)->count);
	return n;
}

static unsigned long hk_reclaim_pages(struct hk_reclaim *r)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < HK_RECLAIM_CACHES; i++)
		n += hakmem_nodes_sum(r->caches[i], nr_pages);
	return n;
}

static void hakmem_reclaim_scan_proportional(struct kunit *test)
{
	static const unsigned long asks[] = { 1, 2, 4 };
	struct shrinker *shrinker = hakmem_shrinker_get();
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long before, drained, count = 0, cached, ret;
	unsigned int i, online, rounds;
	struct hk_reclaim *r;
	int cpu;

	KUNIT_ASSERT_NOT_NULL_MSG(test, shrinker, "hakmem's shrinker was not registered at load");
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < HK_RECLAIM_CACHES; i++)
		r->caches[i] = hk_create(test, "hakmem_reclaim", 64, 0, 0, false);

	/* Every cache holds objects in every online CPU's magazine. */
	cpus_read_lock();
	online = num_online_cpus();
	for_each_online_cpu(cpu)
		work_on_cpu(cpu, hk_reclaim_fill, r);
	cpus_read_unlock();
	KUNIT_ASSERT_GE(test, hk_reclaim_cached(r), (unsigned long)HK_RECLAIM_CACHES * online);

	/* A small scan: at most one magazine per page asked for. */
	for (i = 0; i < ARRAY_SIZE(asks); i++) {
		sc.nr_to_scan = asks[i];
		sc.nr_scanned = asks[i];
		before = hk_reclaim_flushes(r);
		shrinker->scan_objects(shrinker, &sc);
		drained = hk_reclaim_flushes(r) - before;
		kunit_info(test, "scan of %lu page(s): %lu of %u magazines drained\n",
			   asks[i], drained, HK_RECLAIM_CACHES * online);
		KUNIT_EXPECT_LE(test, drained, asks[i]);
	}

	/*
	 * Asked for all it counts, scan after scan, it gives everything back.
	 * Reclaim elsewhere (kswapd, busy on a node with no page left) may
	 * hold the locks the shrinker only trylocks: a count of 0 and
	 * SHRINK_STOP say "busy", and the next round tries again.
	 */
	for (rounds = 0; rounds < 64; rounds++) {
		count = shrinker->count_objects(shrinker, &sc);
		if (count == SHRINK_EMPTY)
			break;
		ret = SHRINK_STOP;
		if (count) {
			sc.nr_to_scan = count;
			sc.nr_scanned = count;
			ret = shrinker->scan_objects(shrinker, &sc);
		}
		if (!hk_reclaim_cached(r) && !hk_reclaim_pages(r))
			break;
		if (ret == SHRINK_STOP)
			schedule_timeout_uninterruptible(1);
	}
	kunit_info(test, "scans asked for all: %u rounds, last count %lu\n", rounds, count);
	cached = hk_reclaim_cached(r);
	KUNIT_EXPECT_EQ(test, cached, 0UL);
	KUNIT_EXPECT_EQ(test, hk_reclaim_pages(r), 0UL);
}

/* The shrinker's count, 0 for SHRINK_EMPTY; a busy answer (0) asked again. */
static unsigned long hk_reclaim_count(struct kunit *test, struct shrinker *shrinker)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long count;
	unsigned int tries;

	for (tries = 0; tries < 64; tries++) {
		count = shrinker->count_objects(shrinker, &sc);
		if (count == SHRINK_EMPTY)
			return 0;
		if (count)
			return count;
		schedule_timeout_uninterruptible(1);
	}
	KUNIT_FAIL(test, "the shrinker's count stayed busy");
	return 0;
}

/*
 * Objects in a magazine pin their SuperSlab: the shrinker's count must
 * show them, however few bytes they are, or reclaim never drains them.
 * Other caches' counts only fall meanwhile (nothing else allocates in a
 * KUnit boot; reclaim may drain them), so the count with this cache's
 * magazine, minus the count once it is drained, is at least its share.
 */
static void hakmem_reclaim_count_magazine(struct kunit *test)
{
	struct hakmem_cache *c = hk_create(test, "hakmem_reclaim_count", 64, 0, 0, false);
	struct shrinker *shrinker = hakmem_shrinker_get();
	unsigned long with, without, bytes;
	unsigned int held;
	void *obj;
	int cpu;

	KUNIT_ASSERT_NOT_NULL_MSG(test, shrinker, "hakmem's shrinker was not registered at load");
	cpu = hk_pin(test);
	obj = hakmem_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	hakmem_cache_free(c, obj);
	held = READ_ONCE(per_cpu_ptr(c->pcp, cpu)->count);
	bytes = (unsigned long)held * hakmem_stride(c);
	with = hk_reclaim_count(test, shrinker);
	KUNIT_ASSERT_EQ_MSG(test, READ_ONCE(per_cpu_ptr(c->pcp, cpu)->count), held,
			    "the magazine was drained meanwhile (reclaim elsewhere)");
	KUNIT_ASSERT_GT(test, held, 0U);
	KUNIT_ASSERT_GT(test, hakmem_nodes_sum(c, nr_pages), 0UL);
	hakmem_cache_shrink(c);
	KUNIT_ASSERT_EQ(test, hakmem_nodes_sum(c, nr_pages), 0UL);
	without = hk_reclaim_count(test, shrinker);
	kunit_info(test, "%u objects, %lu bytes cached: count %lu, %lu once drained\n",
		   held, bytes, with, without);
	KUNIT_EXPECT_GE_MSG(test, with, without + DIV_ROUND_UP(bytes, PAGE_SIZE),
			    "%lu bytes in a magazine, pinning a SuperSlab, not counted", bytes);
}

/* The bound a magazine keeps to, in bytes of objects. */
static unsigned long hk_mag_bound(unsigned int stride)
{
	return max_t(unsigned long, SZ_16K, 2UL * stride);
}

static void hakmem_reclaim_magazine_bound(struct kunit *test)
{
	static const unsigned int sizes[] = {
		8, 64, 192, 512, 1024, 2048, 4096, 9000, 16384, 32768,
	};
	struct hakmem_cache *s;
	unsigned int i, stride;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		s = hk_create(test, "hakmem_magbound", sizes[i], 0, 0, false);
		stride = s->layout.stride;
		kunit_info(test, "stride %u: magazine %u (%lu bytes), batch %u\n",
			   stride, s->mag_size, (unsigned long)s->mag_size * stride, s->batch);
		KUNIT_EXPECT_GE(test, s->mag_size, 2U);
		KUNIT_EXPECT_GE(test, s->batch, 1U);
		KUNIT_EXPECT_LE(test, s->batch, s->mag_size);
		KUNIT_EXPECT_LE_MSG(test, (unsigned long)s->mag_size * stride, hk_mag_bound(stride),
				    "stride %u", stride);
	}
}

static struct kunit_case hakmem_reclaim_cases[] = {
	KUNIT_CASE(hakmem_reclaim_scan_proportional),
	KUNIT_CASE(hakmem_reclaim_count_magazine),
	KUNIT_CASE(hakmem_reclaim_magazine_bound),
	{}
};

static struct kunit_suite hakmem_reclaim_suite = {
	.name = "hakmem_reclaim",
	.init = hk_case_init,
	.test_cases = hakmem_reclaim_cases,
};

kunit_test_suite(hakmem_reclaim_suite);
