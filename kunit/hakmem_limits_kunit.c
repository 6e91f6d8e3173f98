// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_limits: the limits of the API, defined and kept.
 *
 *   bulk_count   hakmem_cache_alloc_bulk() returns its count as an int:
 *                a count above INT_MAX is refused (0, one warning naming
 *                the cache) before anything is allocated; INT_MAX itself
 *                is tried.  Page allocations fail meanwhile (hakmem's
 *                fault injection), so a call that tries never writes
 *                past the small array it is given.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fault-inject.h>
#include <linux/limits.h>
#include <linux/module.h>

#include "hakmem_test.h"

struct hk_fail_pages;

#ifdef CONFIG_FAULT_INJECTION
struct hk_fail_pages {
	struct fault_attr saved;
};

static void hk_fail_pages_stop(void *arg)
{
	struct hk_fail_pages *f = arg;
	struct fault_attr *attr = hakmem_fault_attr();

	attr->probability = f->saved.probability;
	attr->interval = f->saved.interval;
	atomic_set(&attr->times, atomic_read(&f->saved.times));
	atomic_set(&attr->space, atomic_read(&f->saved.space));
}

/* Every page allocation of hakmem fails until the case ends. */
static struct hk_fail_pages *hk_fail_pages(struct kunit *test)
{
	struct fault_attr *attr = hakmem_fault_attr();
	struct hk_fail_pages *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->saved.probability = attr->probability;
	f->saved.interval = attr->interval;
	atomic_set(&f->saved.times, atomic_read(&attr->times));
	atomic_set(&f->saved.space, atomic_read(&attr->space));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_fail_pages_stop, f));
	atomic_set(&attr->space, 0);
	atomic_set(&attr->times, -1);
	attr->interval = 1;
	attr->probability = 100;
	return f;
}

static void hk_fail_pages_end(struct kunit *test, struct hk_fail_pages *f)
{
	kunit_release_action(test, hk_fail_pages_stop, f);
}
#else
static struct hk_fail_pages *hk_fail_pages(struct kunit *test)
{
	return NULL;
}

static void hk_fail_pages_end(struct kunit *test, struct hk_fail_pages *f)
{
}
#endif /* CONFIG_FAULT_INJECTION */

static void hakmem_limits_bulk_count(struct kunit *test)
{
	struct hakmem_cache *s = hk_create(test, "hakmem-bulkmax", 64, 0, 0, false);
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	struct hk_fail_pages *f;
	void *objs[4];

	f = hk_fail_pages(test);
	/* Two refusals: "bulk allocation of N objects refused". */
	hk_expect_begin(test, 2);
	KUNIT_EXPECT_EQ(test, hakmem_cache_alloc_bulk(s, gfp, (size_t)INT_MAX + 1, objs), 0);
	KUNIT_EXPECT_EQ(test, hakmem_cache_alloc_bulk(s, gfp, SIZE_MAX, objs), 0);
	hk_expect_end(test);
	/* Refused up front: no page was even asked for. */
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(s, HAKMEM_EXPAND_FAIL), 0UL);
	/* INT_MAX is a count the call accepts (and cannot serve here). */
	if (f) {
		KUNIT_EXPECT_EQ(test, hakmem_cache_alloc_bulk(s, gfp, INT_MAX, objs), 0);
		KUNIT_EXPECT_GE(test, hakmem_stat_sum(s, HAKMEM_EXPAND_FAIL), 1UL);
	} else {
		kunit_info(test, "no CONFIG_FAULT_INJECTION: INT_MAX itself not tried\n");
	}
	hk_fail_pages_end(test, f);
	KUNIT_EXPECT_EQ(test, hakmem_cache_alloc_bulk(s, GFP_KERNEL, ARRAY_SIZE(objs), objs),
			(int)ARRAY_SIZE(objs));
	hakmem_cache_free_bulk(s, ARRAY_SIZE(objs), objs);
}

static struct kunit_case hakmem_limits_cases[] = {
	KUNIT_CASE(hakmem_limits_bulk_count),
	{}
};

static struct kunit_suite hakmem_limits_suite = {
	.name = "hakmem_limits",
	.init = hk_case_init,
	.test_cases = hakmem_limits_cases,
};

kunit_test_suite(hakmem_limits_suite);
