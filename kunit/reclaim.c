// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_reclaim: what memory pressure costs hakmem-slab, and
 * what it holds per CPU.
 *
 *   magazine_bound     a magazine holds at most max(16 KiB, 2 objects),
 *                      whatever the stride
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include "hakmem_internal.h"

KUNIT_DEFINE_ACTION_WRAPPER(hk_reclaim_destroy_action, hakmem_cache_destroy,
			    struct hakmem_cache *);

static struct hakmem_cache *hk_reclaim_cache(struct kunit *test, const char *name,
					     unsigned int size)
{
	struct hakmem_cache *s = hakmem_cache_create(name, size, 0, 0, NULL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_reclaim_destroy_action, s));
	return s;
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
		s = hk_reclaim_cache(test, "hakmem_magbound", sizes[i]);
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
	KUNIT_CASE(hakmem_reclaim_magazine_bound),
	{}
};

static struct kunit_suite hakmem_reclaim_suite = {
	.name = "hakmem_reclaim",
	.test_cases = hakmem_reclaim_cases,
};

kunit_test_suite(hakmem_reclaim_suite);
