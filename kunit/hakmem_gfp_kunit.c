// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_gfp: hakmem-slab keeps the slab allocator's promises
 * about gfp flags and the init_on_alloc / init_on_free boot options.
 *
 *   init_on   which bytes of an object are zeroed on free and on the next
 *             allocation, for every kind of cache, checked against
 *             slab_want_init_on_alloc() / slab_want_init_on_free() for the
 *             options this boot has (make check boots with and without)
 *   nofail    __GFP_NOFAIL callers never get NULL, while every page and
 *             metadata allocation hakmem may let fail does fail
 *   kmalloc   hakmem_alloc() passes __GFP_ACCOUNT and GFP_DMA to kmalloc(),
 *             which honours them: the memory is in a zone GFP_DMA allows
 *   refused   GFP_DMA32 and __GFP_HIGHMEM, and in the cache API also
 *             __GFP_ACCOUNT and GFP_DMA: NULL and one warning each
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fault-inject.h>
#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/poison.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "hakmem_selftest.h"
#include "hakmem_test.h"

#define HK_GFP_PATTERN		0x5a

/* --- init_on_alloc / init_on_free ----------------------------------------- */

enum hk_gfp_want { HK_GFP_ZERO, HK_GFP_PATTERN_KEPT, HK_GFP_POISONED };

static const char * const hk_gfp_want_names[] = {
	[HK_GFP_ZERO] = "zero",
	[HK_GFP_PATTERN_KEPT] = "the user's bytes",
	[HK_GFP_POISONED] = "poison",
};

/*
 * Every byte of the object as @want says, hakmem's free word aside (when
 * it lies inside the object).  The object may be free: an RCU reader may
 * look, and so may this test.
 */
static void hk_gfp_expect_bytes(struct kunit *test, struct hakmem_cache *s,
				const u8 *p, enum hk_gfp_want want,
				const char *when)
{
	unsigned int i, n = s->layout.object_size, fp = s->layout.fp_offset;
	unsigned int bad = 0, first = 0;
	u8 e, got = 0;

	kasan_disable_current();
	for (i = 0; i < n; i++) {
		if (i >= fp && i < fp + sizeof(long))
			continue;
		e = want == HK_GFP_ZERO ? 0 : want == HK_GFP_PATTERN_KEPT ? HK_GFP_PATTERN :
		    i == n - 1 ? POISON_END : POISON_FREE;
		if (p[i] != e && !bad++) {
			first = i;
			got = p[i];
		}
	}
	kasan_enable_current();
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U,
			    "cache %s, %s: want %s, byte %u is %#x (init_on_alloc %d, init_on_free %d)",
			    s->dbg_name, when, hk_gfp_want_names[want], first, got,
			    want_init_on_alloc(0), want_init_on_free());
}

static enum hk_gfp_want hk_gfp_unzeroed(struct hakmem_cache *s)
{
	return s->flags & SLAB_POISON ? HK_GFP_POISONED : HK_GFP_PATTERN_KEPT;
}

/*
 * One object written, freed, and allocated again with @gfp (the next
 * allocation when the magazine kept it, else once the refills reach its
 * slab: hk_alloc_back()), its bytes checked after the free and after the
 * allocation against the slab allocator's rules.
 */
static void hk_gfp_init_on_one(struct kunit *test, struct hk_face *f, gfp_t gfp)
{
	struct hakmem_cache *s = f->cache;
	unsigned int size = s->layout.object_size;
	const struct hakmem_layout *l = &s->layout;
	unsigned long corrupt = hakmem_stat_sum(s, HAKMEM_CORRUPTION);
	u8 *p, *q;

	p = hk_alloc(f, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, HK_GFP_PATTERN, size);
	hk_free(f, p);
	hk_gfp_expect_bytes(test, s, p,
			    hakmem_ref_init_on_free(s) ? HK_GFP_ZERO : hk_gfp_unzeroed(s),
			    "after free");
	if (s->flags & SLAB_RED_ZONE) {
		kasan_disable_current();
		KUNIT_EXPECT_NULL(test, memchr_inv(p + l->red_offset, HAKMEM_RED_INACTIVE,
						   l->red_len));
		kasan_enable_current();
	}

	q = hk_alloc_back(test, f, p, gfp);
	hk_gfp_expect_bytes(test, s, q,
			    hakmem_ref_init_on_alloc(s, gfp) || hakmem_ref_init_on_free(s) ?
			    HK_GFP_ZERO : hk_gfp_unzeroed(s),
			    gfp & __GFP_ZERO ? "allocated with __GFP_ZERO" : "allocated");
	if (s->flags & SLAB_RED_ZONE) {
		/* Past the object: hakmem's, poisoned under KASAN. */
		kasan_disable_current();
		KUNIT_EXPECT_NULL(test, memchr_inv(q + l->red_offset, HAKMEM_RED_ACTIVE,
						   l->red_len));
		kasan_enable_current();
	}
	hk_free(f, q);
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(s, HAKMEM_CORRUPTION), corrupt);
}

static const struct hk_param hk_gfp_kinds[] = {
	{ .desc = "plain-64", .size = 64 },
	{ .desc = "plain-24", .size = 24 },
	{ .desc = "ctor", .size = 64, .ctor = true },
	{ .desc = "rcu", .size = 64, .flags = SLAB_TYPESAFE_BY_RCU },
	{ .desc = "rcu-ctor", .size = 64, .flags = SLAB_TYPESAFE_BY_RCU, .ctor = true },
	{ .desc = "poison", .size = 64, .flags = SLAB_POISON },
	{ .desc = "redzone-40", .size = 40, .flags = SLAB_RED_ZONE },
	{ .desc = "redzone-4", .size = 4, .flags = SLAB_RED_ZONE },
	{ .desc = "poison-redzone", .size = 64, .flags = SLAB_POISON | SLAB_RED_ZONE },
	{ .desc = "tiny-16", .size = 16, .tiny = true },
	{ .desc = "tiny-64", .size = 64, .tiny = true },
	{ .desc = "tiny-1024", .size = 1024, .tiny = true },
};

KUNIT_ARRAY_PARAM(hk_gfp_kinds, hk_gfp_kinds, hk_param_desc);

static void hakmem_gfp_init_on(struct kunit *test)
{
	struct hk_face *f;

	hk_pin(test);
	f = hk_face(test);
	kunit_info(test, "init_on_alloc %d, init_on_free %d",
		   want_init_on_alloc(0), want_init_on_free());
	hk_gfp_init_on_one(test, f, GFP_KERNEL);
	hk_gfp_init_on_one(test, f, GFP_KERNEL | __GFP_ZERO);
	/* A second round: objects that went through init_on_free once. */
	hk_gfp_init_on_one(test, f, GFP_KERNEL);
}

/* --- __GFP_NOFAIL ----------------------------------------------------------- */

#ifdef CONFIG_FAULT_INJECTION

struct hk_gfp_fault_save {
	struct fault_attr *attr;
	unsigned long probability;
	unsigned long interval;
	int times;
	int space;
	unsigned long verbose;
};

static void hk_gfp_fault_restore(void *data)
{
	struct hk_gfp_fault_save *sv = data;

	sv->attr->probability = sv->probability;
	sv->attr->interval = sv->interval;
	atomic_set(&sv->attr->times, sv->times);
	atomic_set(&sv->attr->space, sv->space);
	sv->attr->verbose = sv->verbose;
}

/* Make every allocation behind @attr fail until the case ends. */
static void hk_gfp_fault_all(struct kunit *test, struct fault_attr *attr)
{
	struct hk_gfp_fault_save *sv = kunit_kzalloc(test, sizeof(*sv), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sv);
	sv->attr = attr;
	sv->probability = attr->probability;
	sv->interval = attr->interval;
	sv->times = atomic_read(&attr->times);
	sv->space = atomic_read(&attr->space);
	sv->verbose = attr->verbose;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_gfp_fault_restore, sv));
	attr->verbose = 0;	/* thousands of them */
	atomic_set(&attr->space, 0);
	atomic_set(&attr->times, -1);
	attr->interval = 1;
	attr->probability = 100;
}

/* Each way in to a cache, with NOFAIL, while every failable allocation fails. */
static void hk_gfp_nofail_cache(struct kunit *test, unsigned int size)
{
	const gfp_t nofail = GFP_KERNEL | __GFP_NOFAIL;
	struct hakmem_cache *s = hk_create(test, "hakmem-gfp-nofail", size, 0, 0, false);
	unsigned int i, nr, nulls = 0;
	void **objs, *p;
	int nid;

	/* Three SuperSlabs' worth at least, past the fallback order. */
	nr = 3 * (s->capacity << HAKMEM_SS_SLABS_SHIFT) + 1;
	objs = kunit_kcalloc(test, nr, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);

	/* The failures are real for every other caller. */
	KUNIT_EXPECT_NULL(test, hakmem_cache_alloc(s, GFP_KERNEL | __GFP_NOWARN));
	for (i = 0; i < nr; i++) {
		objs[i] = hakmem_cache_alloc(s, nofail);
		nulls += !objs[i];
	}
	KUNIT_EXPECT_EQ_MSG(test, nulls, 0U, "size %u (slab order %u): %u of %u NULL",
			    size, s->slab_order, nulls, nr);
	hakmem_cache_free_bulk(s, nr, objs);
	hakmem_cache_shrink(s);

	KUNIT_EXPECT_EQ_MSG(test, hakmem_cache_alloc_bulk(s, nofail, nr, objs), (int)nr,
			    "size %u: bulk", size);
	hakmem_cache_free_bulk(s, nr, objs);
	hakmem_cache_shrink(s);

	for_each_node_state(nid, N_MEMORY) {
		p = hakmem_cache_alloc_node(s, nofail, nid);
		KUNIT_EXPECT_NOT_NULL_MSG(test, p, "size %u, node %d", size, nid);
		hakmem_cache_free(s, p);
		hakmem_cache_shrink(s);
	}
}

static void hk_gfp_nofail_all(struct kunit *test)
{
	/* Slab orders 0, 0 (order-3 SuperSlab fallback), 2 and 3. */
	static const unsigned int sizes[] = { 64, 1000, 5000, 10000 };
	unsigned int i, nr = 4096, nulls = 0;
	void **objs;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		hk_gfp_nofail_cache(test, sizes[i]);

	/* hakmem_alloc(): 4096 objects of 256 bytes make its class grow. */
	objs = kunit_kcalloc(test, nr, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < nr; i++) {
		objs[i] = hakmem_alloc(256, GFP_KERNEL | __GFP_NOFAIL);
		nulls += !objs[i];
	}
	KUNIT_EXPECT_EQ_MSG(test, nulls, 0U, "hakmem_alloc(256): %u of %u NULL", nulls, nr);
	for (i = 0; i < nr; i++)
		hakmem_free(objs[i]);
}

static void hakmem_gfp_nofail_pages(struct kunit *test)
{
	hk_gfp_fault_all(test, hakmem_fault_attr());
	hk_gfp_nofail_all(test);
}

static void hakmem_gfp_nofail_meta(struct kunit *test)
{
	hk_gfp_fault_all(test, hakmem_fault_meta_attr());
	hk_gfp_nofail_all(test);
}

static void hakmem_gfp_nofail_both(struct kunit *test)
{
	hk_gfp_fault_all(test, hakmem_fault_attr());
	hk_gfp_fault_all(test, hakmem_fault_meta_attr());
	hk_gfp_nofail_all(test);
}
#else
static void hakmem_gfp_nofail_pages(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
}

static void hakmem_gfp_nofail_meta(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
}

static void hakmem_gfp_nofail_both(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
}
#endif /* CONFIG_FAULT_INJECTION */

/* --- __GFP_ACCOUNT and GFP_DMA go to kmalloc() ------------------------------ */

static void hakmem_gfp_to_kmalloc(struct kunit *test)
{
	static const gfp_t gfps[] = {
		GFP_KERNEL_ACCOUNT, GFP_KERNEL | GFP_DMA, GFP_NOWAIT | __GFP_ACCOUNT,
		GFP_KERNEL_ACCOUNT | __GFP_ZERO,
	};
	static const size_t sizes[] = { 1, 8, 64, 1000, 1024, 5000 };
	struct hakmem_cache *c;
	unsigned int i, j;
	struct page *page;
	u8 *p;
	int nid;

	kunit_info(test, "ZONE_DMA %s, memcg %s",
		   IS_ENABLED(CONFIG_ZONE_DMA) ? "yes" : "no (GFP_DMA allows any zone)",
		   IS_ENABLED(CONFIG_MEMCG) ? "yes" : "no (nothing is charged)");
	for (i = 0; i < ARRAY_SIZE(gfps); i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			p = hakmem_alloc(sizes[j], gfps[i]);
			KUNIT_ASSERT_NOT_NULL(test, p);
			c = hk_cache_of(p);
			KUNIT_EXPECT_NULL_MSG(test, c, "hakmem_alloc(%zu, %pGg) served by hakmem",
					      sizes[j], &gfps[i]);
			page = virt_to_page(p);
			KUNIT_EXPECT_LE_MSG(test, (int)page_zonenum(page), (int)gfp_zone(gfps[i]),
					    "hakmem_alloc(%zu, %pGg): zone %d", sizes[j],
					    &gfps[i], page_zonenum(page));
			/* ksize() of a hakmem object would warn. */
			if (!c)
				KUNIT_EXPECT_EQ(test, hakmem_ksize(p), ksize(p));
			KUNIT_EXPECT_GE(test, hakmem_ksize(p), sizes[j]);
			if (gfps[i] & __GFP_ZERO)
				KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, sizes[j]));
			memset(p, 0x3c, sizes[j]);
			hakmem_free(p);
		}
		for_each_node_state(nid, N_MEMORY) {
			p = hakmem_alloc_node(64, gfps[i], nid);
			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_NULL(test, hk_cache_of(p));
			KUNIT_EXPECT_LE(test, (int)page_zonenum(virt_to_page(p)),
					(int)gfp_zone(gfps[i]));
			hakmem_free(p);
		}
	}
	/* GFP_DMA: ZONE_DMA, whenever the kernel has one. */
	p = hakmem_alloc(64, GFP_KERNEL | GFP_DMA);
	KUNIT_ASSERT_NOT_NULL(test, p);
#ifdef CONFIG_ZONE_DMA
	KUNIT_EXPECT_EQ(test, (int)page_zonenum(virt_to_page(p)), (int)ZONE_DMA);
#endif
	hakmem_free(p);
	/* Without those flags: a tiny class, as before. */
	p = hakmem_alloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, hk_cache_of(p), hakmem_tiny_cache(64));
	hakmem_free(p);
}

/* --- refused flags ------------------------------------------------------------ */

static void hakmem_gfp_refused(struct kunit *test)
{
	struct hakmem_cache *s = hk_create(test, "hakmem-gfp-refused", 64, 0, 0, false);
	unsigned long allocs;
	void *objs[4];

	allocs = hakmem_stat_sum(s, HAKMEM_ALLOC_HIT) + hakmem_stat_sum(s, HAKMEM_ALLOC_MISS);
	/* Eight lines from one ratelimited call site: within its burst of 10. */
	hk_expect_begin(test, 8);
	KUNIT_EXPECT_NULL(test, hakmem_alloc(64, GFP_KERNEL | GFP_DMA32));
	KUNIT_EXPECT_NULL(test, hakmem_alloc(5000, GFP_KERNEL | GFP_DMA32));
	KUNIT_EXPECT_NULL(test, hakmem_alloc_node(64, GFP_KERNEL | __GFP_HIGHMEM, 0));
	KUNIT_EXPECT_NULL(test, hakmem_cache_alloc(s, GFP_KERNEL_ACCOUNT));
	KUNIT_EXPECT_NULL(test, hakmem_cache_alloc(s, GFP_KERNEL | GFP_DMA));
	KUNIT_EXPECT_NULL(test, hakmem_cache_alloc(s, GFP_KERNEL | GFP_DMA32));
	KUNIT_EXPECT_NULL(test, hakmem_cache_alloc_node(s, GFP_KERNEL_ACCOUNT, 0));
	KUNIT_EXPECT_EQ(test, hakmem_cache_alloc_bulk(s, GFP_KERNEL | GFP_DMA, 4, objs), 0);
	hk_expect_end(test);
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(s, HAKMEM_ALLOC_HIT) +
			hakmem_stat_sum(s, HAKMEM_ALLOC_MISS), allocs);
	KUNIT_EXPECT_EQ(test, hakmem_nodes_sum(s, nr_ss), 0UL);
}

static struct kunit_case hakmem_gfp_cases[] = {
	KUNIT_CASE_PARAM(hakmem_gfp_init_on, hk_gfp_kinds_gen_params),
	KUNIT_CASE_SLOW(hakmem_gfp_nofail_pages),
	KUNIT_CASE_SLOW(hakmem_gfp_nofail_meta),
	KUNIT_CASE_SLOW(hakmem_gfp_nofail_both),
	KUNIT_CASE(hakmem_gfp_to_kmalloc),
	KUNIT_CASE(hakmem_gfp_refused),
	{}
};

static struct kunit_suite hakmem_gfp_suite = {
	.name = "hakmem_gfp",
	.init = hk_case_init,
	.test_cases = hakmem_gfp_cases,
};

kunit_test_suite(hakmem_gfp_suite);
