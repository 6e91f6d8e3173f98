// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_layout: strides, capacities, where objects sit in their
 * slabs, which hakmem_cache_create() calls are refused, the tiny classes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "hakmem_selftest.h"
#include "hakmem_test.h"

/* hakmem_layout                                                          */
/* ===================================================================== */

static void hk_check_layout(struct kunit *test, struct hakmem_cache *c,
			    unsigned int size, unsigned int align)
{
	const struct hakmem_layout *l = &c->layout;
	unsigned int stride = hakmem_stride(c);
	unsigned int bytes = hakmem_slab_bytes(c);
	bool fp_out = c->ctor || (c->flags & (SLAB_POISON | SLAB_TYPESAFE_BY_RCU));

	KUNIT_EXPECT_EQ(test, l->object_size, size);
	KUNIT_EXPECT_EQ(test, hakmem_cache_size(c), size);
	KUNIT_EXPECT_EQ(test, l->stride, stride);
	KUNIT_EXPECT_LE(test, c->slab_order, HAKMEM_MAX_SLAB_ORDER);
	KUNIT_EXPECT_EQ(test, c->slab_shift, PAGE_SHIFT + c->slab_order);
	KUNIT_EXPECT_GE(test, c->ss_order, c->slab_order);
	KUNIT_EXPECT_GE(test, c->capacity, 1U);
	KUNIT_EXPECT_EQ(test, c->capacity, hakmem_capacity_of(bytes, stride));
	KUNIT_EXPECT_LE(test, (u64)c->capacity * stride, (u64)bytes);
	KUNIT_EXPECT_GE(test, c->map_longs, (unsigned int)BITS_TO_LONGS(c->capacity));
	KUNIT_EXPECT_TRUE(test, is_power_of_2(l->align));
	KUNIT_EXPECT_GE(test, l->align, 8U);
	if (align)
		KUNIT_EXPECT_GE(test, l->align, align);
	KUNIT_EXPECT_EQ(test, stride % l->align, 0U);
	KUNIT_EXPECT_GE(test, stride, size);
	KUNIT_EXPECT_LE(test, l->fp_offset + sizeof(unsigned long), (size_t)stride);
	if (c->flags & SLAB_RED_ZONE) {
		KUNIT_EXPECT_LE(test, l->object_size, l->red_offset);
		KUNIT_EXPECT_GT(test, l->red_len, 0U);
		KUNIT_EXPECT_LE(test, l->red_offset + l->red_len, stride);
		/* The free pointer must not sit in the red zone. */
		KUNIT_EXPECT_TRUE_MSG(test,
				      l->fp_offset + sizeof(unsigned long) <= l->red_offset ||
				      l->fp_offset >= l->red_offset + l->red_len,
				      "fp %u overlaps red zone [%u, %u)", l->fp_offset,
				      l->red_offset, l->red_offset + l->red_len);
	} else {
		KUNIT_EXPECT_EQ(test, l->red_len, 0U);
	}
	if (fp_out)
		KUNIT_EXPECT_GE(test, l->fp_offset, size);
	else if (!(c->flags & SLAB_RED_ZONE))
		KUNIT_EXPECT_EQ(test, l->fp_offset, 0U);
	KUNIT_EXPECT_GT(test, c->mag_size, 0U);
	KUNIT_EXPECT_GT(test, c->batch, 0U);
	KUNIT_EXPECT_LE(test, c->batch, c->mag_size);
}

static const unsigned int hk_layout_sizes[] = {
	1, 8, 24, 63, 100, 512, 1024, 3000, 4096, 9000, 16384,
};

static const unsigned int hk_layout_aligns[] = { 0, 16, 128, PAGE_SIZE };

static const struct hk_param hk_flag_sets[] = {
	{ .desc = "plain" },
	{ .desc = "hwcache-align", .flags = SLAB_HWCACHE_ALIGN },
	{ .desc = "red-zone", .flags = SLAB_RED_ZONE },
	{ .desc = "poison", .flags = SLAB_POISON },
	{ .desc = "red-zone-poison", .flags = SLAB_RED_ZONE | SLAB_POISON },
	{ .desc = "ctor", .ctor = true },
	{ .desc = "typesafe-by-rcu", .flags = SLAB_TYPESAFE_BY_RCU },
	{ .desc = "rz-hwalign-rcu",
	  .flags = SLAB_RED_ZONE | SLAB_HWCACHE_ALIGN | SLAB_TYPESAFE_BY_RCU },
};

KUNIT_ARRAY_PARAM(hk_flag_sets, hk_flag_sets, hk_param_desc);

/* Every size and alignment under one flag set: layout, then a full slab. */
static void hakmem_layout_caches(struct kunit *test)
{
	const struct hk_param *fs = test->param_value;
	struct hk_param *p;
	struct hk_slab_info first;
	struct hk_face *f;
	struct hk_vec *v;
	unsigned int i, j;

	hk_pin(test);
	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < ARRAY_SIZE(hk_layout_sizes); i++) {
		for (j = 0; j < ARRAY_SIZE(hk_layout_aligns); j++) {
			*p = *fs;
			p->size = hk_layout_sizes[i];
			p->align = hk_layout_aligns[j];
			f = hk_face_of(test, p);
			hk_check_layout(test, f->cache, p->size, p->align);
			v = hk_fill_one_slab(test, f, &first);
			hk_vec_free_all(v);
			KUNIT_EXPECT_EQ(test, hk_drained_inuse(f->cache), 0UL);
			/* Destroy now rather than at the end of the case. */
			hk_destroy_now(test, f->cache);
		}
	}
}

/* The tiny classes: names, strides, alignment, ksize. */
static void hakmem_layout_tiny_classes(struct kunit *test)
{
	struct hk_slab_info first;
	struct hk_param *p;
	struct hk_face *f;
	struct hk_vec *v;
	unsigned int i, size;
	char name[16];

	hk_pin(test);
	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < HAKMEM_NR_TINY; i++) {
		size = hakmem_tiny_sizes[i];
		p->desc = "tiny";
		p->size = size;
		p->tiny = true;
		f = hk_face_of(test, p);
		snprintf(name, sizeof(name), "hakmem-%u", size);
		KUNIT_EXPECT_STREQ(test, f->cache->name, name);
		KUNIT_EXPECT_TRUE(test, f->cache->tiny);
		hk_check_layout(test, f->cache, size, 0);
		/*
		 * Every object aligned to the class's largest power-of-two
		 * divisor (a power of two: naturally) needs stride == size, or
		 * under KASAN the size and its red zone rounded up to that.
		 */
		KUNIT_EXPECT_EQ(test, hakmem_stride(f->cache),
				ALIGN(size + f->cache->layout.kasan_len, size & -size));
		hakmem_cache_shrink(f->cache);
		v = hk_fill_one_slab(test, f, &first);
		hk_vec_free_all(v);
	}
}

/*
 * Every size 1..1024 goes to the smallest class that holds it, never
 * larger than kmalloc()'s for the same size.
 */
static void hakmem_layout_tiny_sizes(struct kunit *test)
{
	struct hakmem_cache *c;
	unsigned int size, want;
	void *obj;

	for (size = 1; size <= HAKMEM_MAX_TINY_SIZE; size++) {
		want = hakmem_tiny_class_want(size);
		KUNIT_EXPECT_LE_MSG(test, want, kmalloc_size_roundup(size), "size %u", size);
		obj = hakmem_alloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		c = hk_cache_of(obj);
		KUNIT_EXPECT_NOT_NULL_MSG(test, c, "size %u", size);
		if (c)
			KUNIT_EXPECT_EQ_MSG(test, c->layout.object_size, want, "size %u", size);
		KUNIT_EXPECT_EQ_MSG(test, hakmem_ksize(obj), (size_t)want, "size %u", size);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)obj, ARCH_KMALLOC_MINALIGN),
				      "size %u", size);
		if (is_power_of_2(size))
			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)obj, size),
					      "size %u", size);
		/* All of ksize() is the caller's. */
		memset(obj, 0xa5, hakmem_ksize(obj));
		hakmem_free(obj);
	}
}

/**
 * struct hk_bad_create - a hakmem_cache_create() call that must be refused
 * @desc: what is wrong with it
 * @name: cache name
 * @size: object size
 * @align: alignment
 * @flags: SLAB_* flags
 * @ctor: with a constructor
 * @absent: @flags name a flag this kernel's configuration compiles to 0,
 *          leaving a valid request: the reason, or NULL when the flag
 *          always exists
 */
struct hk_bad_create {
	const char *desc;
	const char *name;
	unsigned int size;
	unsigned int align;
	slab_flags_t flags;
	bool ctor;
	const char *absent;
};

#define HK_BAD	"hakmem_kunit_bad"

static const struct hk_bad_create hk_bad_creates[] = {
	{ "NULL name", NULL, 64, 0, 0, false },
	{ "size 0", HK_BAD, 0, 0, 0, false },
	{ "align 3", HK_BAD, 64, 3, 0, false },
	{ "align 24", HK_BAD, 64, 24, 0, false },
	{ "align 2 pages", HK_BAD, 64, 2 * PAGE_SIZE, 0, false },
	{ "SLAB_STORE_USER", HK_BAD, 64, 0, SLAB_STORE_USER, false },
	{ "SLAB_RECLAIM_ACCOUNT", HK_BAD, 64, 0, SLAB_RECLAIM_ACCOUNT, false,
	  IS_ENABLED(CONFIG_SLUB_TINY) ? "CONFIG_SLUB_TINY" : NULL },
	{ "SLAB_ACCOUNT", HK_BAD, 64, 0, SLAB_ACCOUNT, false,
	  IS_ENABLED(CONFIG_MEMCG) ? NULL : "no CONFIG_MEMCG" },
	{ "poison + ctor", HK_BAD, 64, 0, SLAB_POISON, true },
	{ "poison + rcu", HK_BAD, 64, 0, SLAB_POISON | SLAB_TYPESAFE_BY_RCU, false },
	{ "rz + poison + ctor", HK_BAD, 64, 0, SLAB_POISON | SLAB_RED_ZONE, true },
	{ "size 32769", HK_BAD, 32769, 0, 0, false },
	{ "size 32768 + red zone", HK_BAD, 32768, 0, SLAB_RED_ZONE, false },
	{ "size 32768 + ctor", HK_BAD, 32768, 0, 0, true },
	{ "size 32768 + rcu", HK_BAD, 32768, 0, SLAB_TYPESAFE_BY_RCU, false },
	{ "size 32761 + red zone", HK_BAD, 32761, 0, SLAB_RED_ZONE, false },
	{ "size 32761 + poison", HK_BAD, 32761, 0, SLAB_POISON, false },
	{ "size UINT_MAX", HK_BAD, UINT_MAX, 0, 0, false },
	{ "size UINT_MAX - 7 + red zone", HK_BAD, UINT_MAX - 7, 0, SLAB_RED_ZONE, false },
};

/* hakmem_cache_create() refuses what it cannot serve, and accepts edges. */
static void hakmem_layout_create_args(struct kunit *test)
{
	const struct hk_bad_create *b;
	struct hakmem_cache *c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hk_bad_creates); i++) {
		b = &hk_bad_creates[i];
		/*
		 * Only a flag this configuration lacks makes a request valid;
		 * say so.  Any other request is tried, and must be refused.
		 */
		if (b->absent) {
			KUNIT_EXPECT_EQ_MSG(test, (__force unsigned long)b->flags, 0UL,
					    "%s: flag exists despite %s", b->desc, b->absent);
			kunit_info(test, "%s: not tried, the flag is 0 (%s)", b->desc, b->absent);
			continue;
		}
		/* "refused: <why>", a pr_warn. */
		hk_expect_begin_unlimited(test, 1);
		c = hakmem_cache_create(b->name, b->size, b->align, b->flags,
					b->ctor ? hk_ctor : NULL);
		hk_expect_end(test);
		KUNIT_EXPECT_NULL_MSG(test, c, "%s was accepted", b->desc);
		if (c)
			hakmem_cache_destroy(c);
	}

	/* The largest object that fits an order-3 slab, and odd edges. */
	c = hk_create(test, "hakmem_kunit_32k", 32768, 0, 0, false);
	KUNIT_EXPECT_EQ(test, c->capacity, 1U);
	hk_check_layout(test, c, 32768, 0);
	c = hk_create(test, "hakmem_kunit_pagealign", 100, PAGE_SIZE, 0, false);
	hk_check_layout(test, c, 100, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, hakmem_stride(c), (unsigned int)PAGE_SIZE);
	c = hk_create(test, "hakmem_kunit_all_flags", 200, 0,
		      HAKMEM_CACHE_FLAGS & ~SLAB_POISON, true);
	hk_check_layout(test, c, 200, 0);
}

/* Two caches may share a name; debugfs and slabinfo tell them apart. */
static void hakmem_layout_same_name(struct kunit *test)
{
	struct hakmem_cache *a, *b;
	void *oa, *ob;

	a = hk_create(test, "hakmem_kunit_twin", 64, 0, 0, false);
	b = hk_create(test, "hakmem_kunit_twin", 64, 0, 0, false);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_STREQ(test, a->name, b->name);
	KUNIT_EXPECT_STRNEQ(test, a->dbg_name, b->dbg_name);
	oa = hakmem_cache_alloc(a, GFP_KERNEL);
	ob = hakmem_cache_alloc(b, GFP_KERNEL);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, oa);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, ob);
	KUNIT_EXPECT_PTR_EQ(test, hk_cache_of(oa), a);
	KUNIT_EXPECT_PTR_EQ(test, hk_cache_of(ob), b);
	if (oa)
		hakmem_cache_free(a, oa);
	if (ob)
		hakmem_cache_free(b, ob);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(a), 0UL);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(b), 0UL);
}

static struct kunit_case hakmem_layout_cases[] = {
	KUNIT_CASE_PARAM(hakmem_layout_caches, hk_flag_sets_gen_params),
	KUNIT_CASE(hakmem_layout_tiny_classes),
	KUNIT_CASE(hakmem_layout_tiny_sizes),
	KUNIT_CASE(hakmem_layout_create_args),
	KUNIT_CASE(hakmem_layout_same_name),
	{}
};

static struct kunit_suite hakmem_layout_suite = {
	.name = "hakmem_layout",
	.init = hk_case_init,
	.test_cases = hakmem_layout_cases,
};

kunit_test_suite(hakmem_layout_suite);
