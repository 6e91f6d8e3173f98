// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_misuse: what hakmem does with a caller's mistakes:
 * double, interior, wrong-cache and foreign frees, a write past an object
 * (red zone), a write to a free object (poison), destroying a cache with
 * live objects.  Each mistake is counted and reported once; the object
 * stays the caller's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "hakmem_test.h"

/**
 * hk_expect_frees() - check what one free did to the counters of a cache
 * @test: the case
 * @c: the cache
 * @s0: its counters before the free
 * @what: the free, for the message
 * @invalid: expected HAKMEM_INVALID_FREE delta
 * @dbl: expected HAKMEM_DOUBLE_FREE delta
 * @corrupt: expected HAKMEM_CORRUPTION delta
 * @good: expected good frees (HAKMEM_FREE_HIT + HAKMEM_FREE_MISS)
 */
static void hk_expect_frees(struct kunit *test, struct hakmem_cache *c,
			    const struct hk_stats *s0, const char *what,
			    long invalid, long dbl, long corrupt, long good)
{
	struct hk_stats s1;

	hk_stats_read(c, &s1);
	KUNIT_EXPECT_EQ_MSG(test, hk_delta(s0, &s1, HAKMEM_INVALID_FREE), invalid,
			    "%s: HAKMEM_INVALID_FREE on %s", what, c->dbg_name);
	KUNIT_EXPECT_EQ_MSG(test, hk_delta(s0, &s1, HAKMEM_DOUBLE_FREE), dbl,
			    "%s: HAKMEM_DOUBLE_FREE on %s", what, c->dbg_name);
	KUNIT_EXPECT_EQ_MSG(test, hk_delta(s0, &s1, HAKMEM_CORRUPTION), corrupt,
			    "%s: HAKMEM_CORRUPTION on %s", what, c->dbg_name);
	KUNIT_EXPECT_EQ_MSG(test, hk_frees(s0, &s1), good,
			    "%s: good frees on %s", what, c->dbg_name);
}

/* A double free caught while the first free sits in the magazine. */
static void hakmem_misuse_double_free_magazine(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	struct hk_stats s0, s1;
	unsigned long inuse0;
	void *obj;

	hk_pin(test);
	inuse0 = hk_drained_inuse(c);
	obj = hk_alloc(f, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	hk_free(f, obj);
	hk_stats_read(c, &s0);
	hk_expect_begin(test, 1);
	hk_free(f, obj);
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "double free (magazine)", 0, 1, 0, 0);
	hk_stats_read(c, &s1);
	/* The object is free once: it comes back once. */
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
	hk_stats_read(c, &s0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s1, &s0, HAKMEM_DOUBLE_FREE), 0);
}

/* A double free caught after the first free reached the slab. */
static void hakmem_misuse_double_free_slab(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	struct hk_stats s0, s1;
	unsigned long inuse0;
	void *obj, *keep;

	hk_pin(test);
	inuse0 = hk_drained_inuse(c);
	keep = hk_alloc(f, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, keep);
	obj = hk_alloc(f, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	hk_free(f, obj);
	hakmem_drain_all(c);
	hk_stats_read(c, &s0);
	hk_expect_begin(test, 1);
	hk_free(f, obj);
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "double free (slab)", 0, 1, 0, 0);
	hakmem_drain_all(c);
	hk_stats_read(c, &s1);
	KUNIT_EXPECT_EQ_MSG(test, hk_delta(&s0, &s1, HAKMEM_DOUBLE_FREE), 1,
			    "counted again when the magazine was drained");
	hk_free(f, keep);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
}

/* Pointers inside an object, or past the last object of a slab. */
static void hakmem_misuse_interior(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	unsigned int stride = hakmem_stride(c), end;
	struct hk_slab_info si;
	unsigned long inuse0;
	struct hk_stats s0;
	void *obj, *base;

	inuse0 = hk_drained_inuse(c);
	obj = hk_alloc(f, GFP_KERNEL);
	hk_check_obj(test, c, obj, &si);
	hk_fill(obj, f->size);

	hk_stats_read(c, &s0);
	hk_expect_begin(test, 1);
	hk_free(f, obj + 1);
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "obj + 1", 1, 0, 0, 0);
	if (stride >= 16) {
		hk_stats_read(c, &s0);
		hk_expect_begin(test, 1);
		hk_free(f, obj + 8);
		hk_expect_end(test);
		hk_expect_frees(test, c, &s0, "obj + 8", 1, 0, 0, 0);
	}
	hk_stats_read(c, &s0);
	hk_expect_begin(test, 1);
	hk_free(f, obj + stride - 1);
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "obj + stride - 1", 1, 0, 0, 0);

	/* The tail of a slab, past capacity * stride. */
	base = hakmem_slab_base(c, si.ss, si.slab);
	end = c->capacity * stride;
	if (end + 8 <= hakmem_slab_bytes(c)) {
		hk_stats_read(c, &s0);
		hk_expect_begin(test, 1);
		hk_free(f, base + end);
		hk_expect_end(test);
		hk_expect_frees(test, c, &s0, "slab tail", 1, 0, 0, 0);
	}
	/* The object is untouched and still the caller's. */
	KUNIT_EXPECT_TRUE(test, hk_check(obj, f->size));
	hk_stats_read(c, &s0);
	hk_free(f, obj);
	hk_expect_frees(test, c, &s0, "good free", 0, 0, 0, 1);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
}

/* An object freed to a cache it does not belong to. */
static void hakmem_misuse_wrong_cache(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache, *other;
	struct hk_stats s0, o0, o1;
	unsigned long inuse0;
	void *obj, *oobj;

	/* Same size and flags: only the owner tells them apart. */
	other = hk_create(test, "hakmem_kunit_other", c->layout.object_size,
			  f->tiny ? 0 : f->p->align, f->tiny ? 0 : f->p->flags,
			  !f->tiny && f->p->ctor);
	inuse0 = hk_drained_inuse(c);
	obj = hk_alloc(f, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	hk_fill(obj, f->size);
	hk_stats_read(c, &s0);
	hk_stats_read(other, &o0);
	hk_expect_begin(test, 1);
	hakmem_cache_free(other, obj);
	hk_expect_end(test);
	hk_expect_frees(test, other, &o0, "to the wrong cache", 1, 0, 0, 0);
	hk_expect_frees(test, c, &s0, "owner untouched", 0, 0, 0, 0);

	/* And the other way round. */
	oobj = hakmem_cache_alloc(other, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, oobj);
	hk_stats_read(c, &s0);
	hk_expect_begin(test, 1);
	hakmem_cache_free(c, oobj);
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "from the wrong cache", 1, 0, 0, 0);
	hk_stats_read(other, &o0);
	hakmem_cache_free(other, oobj);
	hk_stats_read(other, &o1);
	KUNIT_EXPECT_EQ(test, hk_frees(&o0, &o1), 1L);

	KUNIT_EXPECT_TRUE(test, hk_check(obj, f->size));
	hk_free(f, obj);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(other), 0UL);
}

/* Memory hakmem never handed out: kmalloc, stack, vmalloc, a page. */
static void hakmem_misuse_foreign(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	unsigned long stack[4] = { 0 };
	unsigned long inuse0;
	struct hk_stats s0;
	struct page *page;
	void *p;

	inuse0 = hk_drained_inuse(c);

	p = kmalloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hk_stats_read(c, &s0);
	hk_expect_begin(test, 1);
	hakmem_cache_free(c, p);
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "kmalloc'ed", 1, 0, 0, 0);
	kfree(p);

	hk_stats_read(c, &s0);
	hk_expect_begin(test, 1);
	hakmem_cache_free(c, stack);
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "stack", 1, 0, 0, 0);

	p = vmalloc(PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hk_stats_read(c, &s0);
	hk_expect_begin(test, 1);
	hakmem_cache_free(c, p);
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "vmalloc'ed", 1, 0, 0, 0);
	vfree(p);

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	hk_stats_read(c, &s0);
	hk_expect_begin(test, 1);
	hakmem_cache_free(c, page_address(page));
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "alloc_page()", 1, 0, 0, 0);
	__free_page(page);

	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
}

/* One byte written past object_size is caught when the object is freed. */
static void hakmem_misuse_red_zone(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	const struct hakmem_layout *l = &c->layout;
	struct hk_stats s0;
	u8 *obj;

	hk_pin(test);
	obj = hk_alloc(f, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	hk_fill(obj, f->size);
	kasan_disable_current();
	obj[l->object_size] ^= 0xff;
	kasan_enable_current();
	hk_stats_read(c, &s0);
	hk_expect_begin_unlimited(test, 1);
	hk_free(f, obj);
	hk_expect_end(test);
	hk_expect_frees(test, c, &s0, "overrun", 0, 0, 1, 0);

	/* Left alone: still the caller's, who may mend it and free it. */
	KUNIT_EXPECT_TRUE(test, hk_check(obj, f->size));
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), 1UL);
	kasan_disable_current();
	memset(obj + l->red_offset, HAKMEM_RED_ACTIVE, l->red_len);
	kasan_enable_current();
	hk_stats_read(c, &s0);
	hk_free(f, obj);
	hk_expect_frees(test, c, &s0, "free after repair", 0, 0, 0, 1);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), 0UL);
}

/* A write to a free object is caught when it is next allocated. */
static void hakmem_misuse_poison(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	struct hk_stats s0, s1;
	unsigned int i;
	u8 *obj, *again;

	hk_pin(test);
	obj = hk_alloc(f, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	hk_free(f, obj);
	kasan_disable_current();
	obj[f->size / 2] ^= 0x01;
	kasan_enable_current();
	hk_stats_read(c, &s0);
	/*
	 * The next object when the magazine kept it, else once the refills
	 * reach its slab: either way, reported then and only then.
	 */
	hk_expect_begin_unlimited(test, 1);
	again = hk_alloc_back(test, f, obj, GFP_KERNEL);
	hk_expect_end(test);
	hk_stats_read(c, &s1);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_CORRUPTION), 1);
	hk_free(f, again);

	/* Nothing to report for an object left alone while free. */
	for (i = 0; i < 4; i++) {
		again = hk_alloc(f, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, again);
		hk_free(f, again);
	}
	hk_stats_read(c, &s0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s1, &s0, HAKMEM_CORRUPTION), 0);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), 0UL);
}

/*
 * The live object of hakmem_misuse_destroy_live() while its cache is kept,
 * referenced from here so that kmemleak, which tracks hakmem objects, does
 * not call it a leak.
 */
static void *hk_leaked_obj;

/*
 * Destroying a cache with a live object reports it and keeps the cache,
 * whose memory is never freed.  Then the case undoes the leak (a test may:
 * nobody else knows the cache), so that no kept cache is left for hakmem
 * to warn about when it is unloaded.
 */
static void hakmem_misuse_destroy_live(struct kunit *test)
{
	struct hakmem_cache *c;
	void *obj;

	c = hakmem_cache_create("hakmem_kunit_leaked", 96, 0, 0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	obj = hakmem_cache_alloc(c, GFP_KERNEL);
	if (!obj)
		hakmem_cache_destroy(c);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	hk_fill(obj, 96);
	/* A store the compiler cannot drop: nothing ever reads it. */
	WRITE_ONCE(hk_leaked_obj, obj);
	/* "destroyed with 1 objects still allocated", then the object. */
	hk_expect_begin_unlimited(test, 2);
	hakmem_cache_destroy(c);
	hk_expect_end(test);
	KUNIT_EXPECT_TRUE(test, c->leaked);
	KUNIT_EXPECT_TRUE(test, hk_check(obj, 96));
	KUNIT_EXPECT_PTR_EQ(test, hk_cache_of(obj), c);

	/* The kept cache still takes its object back; then it can go. */
	hakmem_cache_free(c, obj);
	WRITE_ONCE(hk_leaked_obj, NULL);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), 0UL);
	c->leaked = false;
	hk_expect_begin_unlimited(test, 0);
	hakmem_cache_destroy(c);
	hk_expect_end(test);
}

static struct kunit_case hakmem_misuse_cases[] = {
	KUNIT_CASE_PARAM(hakmem_misuse_double_free_magazine, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_misuse_double_free_slab, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_misuse_interior, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_misuse_wrong_cache, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_misuse_foreign, hk_faces_short_gen_params),
	KUNIT_CASE_PARAM(hakmem_misuse_red_zone, hk_faces_redzone_gen_params),
	KUNIT_CASE_PARAM(hakmem_misuse_poison, hk_faces_poison_gen_params),
	KUNIT_CASE(hakmem_misuse_destroy_live),
	{}
};

static struct kunit_suite hakmem_misuse_suite = {
	.name = "hakmem_misuse",
	.init = hk_case_init,
	.test_cases = hakmem_misuse_cases,
};

kunit_test_suite(hakmem_misuse_suite);
