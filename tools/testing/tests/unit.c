// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness: unit tests of the allocator's behaviour.
 * Built plain and with -fsanitize=address,undefined.
 */
#include "hk_test.h"
#include "hakmem_selftest.h"

static int hk_bind(int cpu)
{
	int r = hk_vcpu_bind(cpu);

	REQUIRE(r == 0);
	return r;
}

/* ---- create / alloc / free / destroy ----------------------------------- */

TEST(create_alloc_free_destroy)
{
	struct hakmem_cache *s = hakmem_cache_create("t-basic", 100, 0, 0, NULL);
	void *objs[64];
	int i, j;

	REQUIRE(s);
	CHECK_EQ(hakmem_cache_size(s), 100);
	for (i = 0; i < 64; i++) {
		objs[i] = hakmem_cache_alloc(s, GFP_KERNEL);
		REQUIRE(objs[i]);
		CHECK(IS_ALIGNED((unsigned long)objs[i], 8));
		memset(objs[i], i, 100);
	}
	for (i = 0; i < 64; i++)
		for (j = i + 1; j < 64; j++)
			CHECK(labs((char *)objs[i] - (char *)objs[j]) >= 100);
	for (i = 0; i < 64; i++) {
		CHECK(((u8 *)objs[i])[0] == i && ((u8 *)objs[i])[99] == i);
		hakmem_cache_free(s, objs[i]);
	}
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 0);
	hakmem_cache_free(s, NULL);
	hakmem_cache_destroy(s);
	hakmem_cache_destroy(NULL);
}

static void hk_nop_ctor(void *p)
{
	(void)p;
}

TEST(create_refusals)
{
	static const struct { unsigned int size, align; slab_flags_t flags; bool ctor; } bad[] = {
		{ 0, 0, 0, false },
		{ 64, 3, 0, false },
		{ 64, 8192, 0, false },
		{ 64, 0, SLAB_ACCOUNT, false },
		{ 64, 0, SLAB_POISON, true },
		{ 64, 0, SLAB_POISON | SLAB_TYPESAFE_BY_RCU, false },
		{ 40000, 0, 0, false },
		{ 0xfffffff0u, 0, 0, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct hakmem_cache *s = hakmem_cache_create("t-bad", bad[i].size, bad[i].align,
							     bad[i].flags, bad[i].ctor ? hk_nop_ctor : NULL);
		CHECK(s == NULL);
		if (s)
			hakmem_cache_destroy(s);
	}
	CHECK(hakmem_cache_create(NULL, 64, 0, 0, NULL) == NULL);
	CHECK(hk_log_contains("refused"));
	/* destroying a tiny class is refused */
	hakmem_cache_destroy(hakmem_tiny_cache(64));
	CHECK(hk_log_contains("tiny class"));
}

/* ---- growth ---------------------------------------------------------------- */

TEST(growth_past_several_superslabs)
{
	struct hakmem_cache *s = hakmem_cache_create("t-grow", 64, 0, 0, NULL);
	unsigned int i, nr;
	u64 **objs;

	REQUIRE(s);
	nr = 5 * (s->capacity << HAKMEM_SS_SLABS_SHIFT) + 17;
	objs = calloc(nr, sizeof(*objs));
	for (i = 0; i < nr; i++) {
		objs[i] = hakmem_cache_alloc(s, GFP_KERNEL);
		if (!objs[i])
			break;
		objs[i][0] = (unsigned long)objs[i] ^ i;
		objs[i][7] = ~(unsigned long)i;
	}
	CHECK_EQ(i, nr);
	nr = i;
	CHECK(hk_cache_ss(s) >= 5);
	CHECK(hakmem_stat_sum(s, HAKMEM_EXPAND) >= 5);
	for (i = 0; i < nr; i++)
		if (objs[i][0] != ((unsigned long)objs[i] ^ i) || objs[i][7] != ~(unsigned long)i)
			break;
	CHECK_EQ(i, nr);
	hakmem_cache_free_bulk(s, nr, (void **)objs);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	CHECK_EQ(hakmem_cache_shrink(s), 0);
	CHECK_EQ(hk_cache_pages(s), 0);
	hakmem_cache_destroy(s);
	free(objs);
}

/* ---- layout: capacity * stride fits, for every tiny class and flag set ---- */

static unsigned int hk_ctor_calls;
static void hk_ctor_5c(void *obj)
{
	hk_ctor_calls++;
	*(u8 *)obj = 0x5c;	/* every object has at least one byte */
}

TEST(layout_fits_every_class_and_flag_set)
{
	static const unsigned int sizes[] = { 1, 7, 8, 9, 16, 24, 31, 64, 100, 128, 192, 255, 256,
					      500, 512, 1000, 1024, 2048, 3000, 4096, 5000, 10000,
					      16384, 30000, 32760 };
	static const unsigned int aligns[] = { 0, 8, 16, 64, 256, 4096 };
	static const slab_flags_t flagsets[] = {
		0, SLAB_HWCACHE_ALIGN, SLAB_POISON, SLAB_RED_ZONE, SLAB_TYPESAFE_BY_RCU,
		SLAB_RED_ZONE | SLAB_POISON, SLAB_RED_ZONE | SLAB_TYPESAFE_BY_RCU,
		SLAB_HWCACHE_ALIGN | SLAB_RED_ZONE | SLAB_POISON,
	};
	unsigned int i, a, f, c, created = 0;

	for (i = 0; i < HAKMEM_NR_TINY; i++) {
		struct hakmem_cache *s = hakmem_tiny_cache(hakmem_tiny_sizes[i]);

		REQUIRE(s);
		CHECK(s->capacity * hakmem_stride(s) <= hakmem_slab_bytes(s));
		CHECK_EQ(hakmem_stride(s), hakmem_tiny_sizes[i]);
		CHECK(s->capacity >= 1);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (a = 0; a < ARRAY_SIZE(aligns); a++)
			for (f = 0; f < ARRAY_SIZE(flagsets); f++)
				for (c = 0; c < 2; c++) {
					slab_flags_t fl = flagsets[f];
					struct hakmem_cache *s;
					const struct hakmem_layout *l;
					void *objs[4];
					unsigned int k;

					if (c && (fl & SLAB_POISON))
						continue;
					s = hakmem_cache_create("t-layout", sizes[i], aligns[a], fl,
								c ? hk_ctor_5c : NULL);
					if (!s)
						continue;
					created++;
					l = &s->layout;
					CHECK(s->capacity >= 1);
					CHECK(s->capacity * hakmem_stride(s) <= hakmem_slab_bytes(s));
					CHECK(l->stride >= l->object_size);
					CHECK(l->stride % l->align == 0);
					CHECK(!aligns[a] || l->align >= aligns[a]);
					CHECK(l->fp_offset + sizeof(void *) <= l->stride);
					if (c || (fl & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)))
						CHECK(l->fp_offset >= l->object_size);
					if (fl & SLAB_RED_ZONE) {
						CHECK(l->red_offset >= l->object_size);
						CHECK(l->red_offset + l->red_len <= l->stride);
						CHECK(l->red_len > 0);
					}
					for (k = 0; k < 4; k++) {
						objs[k] = hakmem_cache_alloc(s, GFP_KERNEL);
						REQUIRE(objs[k]);
						CHECK(IS_ALIGNED((unsigned long)objs[k], l->align));
						memset(objs[k], 0xee, sizes[i]);
					}
					for (k = 0; k < 4; k++)
						hakmem_cache_free(s, objs[k]);
					CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 0);
					CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
					hakmem_cache_destroy(s);
				}
	CHECK(created > 500);
}

/* ---- slab reuse without re-init ----------------------------------------- */

TEST(slab_reuse_without_reinit)
{
	struct hakmem_cache *s = hakmem_cache_create("t-reuse", 256, 0, 0, NULL);
	struct hakmem_slab *slab;
	unsigned int i, n, inits;
	void **objs;

	REQUIRE(s);
	n = s->capacity;
	objs = calloc(n, sizeof(void *));
	for (i = 0; i < n; i++)
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	slab = hk_slab_of(objs[0]);
	REQUIRE(slab);
	CHECK_EQ(slab->inits, 1);
	inits = hakmem_stat_sum(s, HAKMEM_SLAB_INIT);
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, objs[i]);
	hakmem_drain_all(s);	/* magazine -> slabs: the slab goes EMPTY */
	CHECK_EQ(slab->state, HAKMEM_SLAB_EMPTY);
	for (i = 0; i < n; i++)
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	CHECK_EQ(slab->inits, 1);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_SLAB_INIT), inits);
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, objs[i]);
	free(objs);
	hakmem_cache_destroy(s);
}

/* ---- misuse is counted --------------------------------------------------- */

TEST(misuse_counted_in_stats)
{
	struct hakmem_cache *s = hakmem_cache_create("t-misuse", 48, 0, 0, NULL);
	struct hakmem_cache *o = hakmem_cache_create("t-other", 48, 0, 0, NULL);
	struct page *pg = alloc_pages(GFP_KERNEL, 0);
	unsigned long local = 0;
	void *a, *b, *c, *t;

	REQUIRE(s && o && pg);
	hk_expect_errors();
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	b = hakmem_cache_alloc(o, GFP_KERNEL);
	c = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a && b && c);
	hakmem_cache_free(s, (char *)a + 8);		/* interior */
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 1);
	hakmem_cache_free(s, b);			/* another cache's */
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 2);
	hakmem_cache_free(s, &local);			/* not in the direct map */
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 3);
	hakmem_cache_free(s, page_address(pg));		/* direct map, not hakmem */
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 4);
	hakmem_cache_free(s, a);
	hakmem_cache_free(s, a);			/* double, caught by the tag */
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 1);
	hakmem_cache_free(s, c);
	hakmem_drain_all(s);
	hakmem_cache_free(s, c);			/* double, after it went home */
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 2);
	/* still sound */
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	c = hakmem_cache_alloc(s, GFP_KERNEL);
	CHECK(a && c && a != c);
	hakmem_cache_free(s, a);
	hakmem_cache_free(s, c);
	/* tiny: double free through hakmem_free */
	t = hakmem_alloc(64, GFP_KERNEL);
	hakmem_free(t);
	hakmem_free(t);
	CHECK_EQ(hakmem_stat_sum(hakmem_tiny_cache(64), HAKMEM_DOUBLE_FREE), 1);
	hakmem_free((char *)hakmem_alloc(64, GFP_KERNEL));
	CHECK(hk_log_contains("double free"));
	CHECK(hk_log_contains("not the start of an object"));
	CHECK(hk_log_contains("object of another cache"));
	hakmem_cache_free(o, b);
	__free_pages(pg, 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 0);
	hakmem_cache_destroy(s);
	hakmem_cache_destroy(o);
}

TEST(destroy_with_live_objects_keeps_cache)
{
	struct hakmem_cache *s = hakmem_cache_create("t-live", 32, 0, 0, NULL);
	void *a;

	REQUIRE(s);
	hk_expect_errors();
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a);
	hakmem_cache_destroy(s);
	CHECK(hk_log_contains("destroyed with 1 objects still allocated"));
	CHECK(s->leaked);
	/* the object is still good and still freeable */
	memset(a, 1, 32);
	hakmem_cache_free(s, a);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
	hakmem_cache_destroy(s);
	CHECK(hk_log_contains("destroyed again"));
	/* module unload frees it */
}

/* ---- ctor, zeroing ----------------------------------------------------- */

struct hk_ctor_obj {
	u32 magic;
	u32 gen;
	u8 body[56];
};
static unsigned long hk_ctor_count;
static void hk_ctor(void *p)
{
	struct hk_ctor_obj *o = p;

	hk_ctor_count++;
	o->magic = 0xc0ffee;
	o->gen = 0;
	memset(o->body, 0x77, sizeof(o->body));
}

TEST(ctor_state_preserved)
{
	struct hakmem_cache *s = hakmem_cache_create("t-ctor", sizeof(struct hk_ctor_obj), 0, 0, hk_ctor);
	struct hk_ctor_obj *o[300];
	unsigned long calls, reused = 0;
	unsigned int i, k;

	REQUIRE(s);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 300; i++) {
			o[i] = hakmem_cache_alloc(s, GFP_KERNEL);
			REQUIRE(o[i]);
			CHECK_EQ(o[i]->magic, 0xc0ffee);
			CHECK(!memchr_inv(o[i]->body, 0x77, sizeof(o[i]->body)));
			CHECK(o[i]->gen <= 1);
			reused += o[i]->gen;
			o[i]->gen = 1;		/* object state the user keeps */
		}
		for (i = 0; i < 300; i++)
			hakmem_cache_free(s, o[i]);
		hakmem_drain_all(s);
	}
	CHECK(reused >= 300);	/* objects came back with the user's state */
	/* once per object per SuperSlab lifetime, when the object is first carved */
	calls = hk_ctor_count;
	CHECK(calls >= 300);
	CHECK(calls <= hk_cache_ss(s) * (s->capacity << HAKMEM_SS_SLABS_SHIFT));
	/* __GFP_ZERO on a ctor cache zeroes, unless init_on_alloc (as SLUB) */
	o[0] = hakmem_cache_alloc(s, GFP_KERNEL | __GFP_ZERO);
	REQUIRE(o[0]);
	if (!static_branch_unlikely(&init_on_alloc))
		CHECK(!memchr_inv(o[0], 0, sizeof(*o[0])));
	hk_ctor(o[0]);
	hakmem_cache_free(s, o[0]);
	hakmem_cache_destroy(s);
}

TEST(gfp_zero)
{
	struct hakmem_cache *s = hakmem_cache_create("t-zero", 200, 0, 0, NULL);
	u8 *p[100];
	unsigned int i;

	REQUIRE(s);
	for (i = 0; i < 100; i++) {
		p[i] = hakmem_cache_alloc(s, GFP_KERNEL);
		REQUIRE(p[i]);
		memset(p[i], 0xab, 200);
	}
	for (i = 0; i < 100; i++)
		hakmem_cache_free(s, p[i]);
	for (i = 0; i < 100; i++) {
		p[i] = i & 1 ? hakmem_cache_zalloc(s, GFP_KERNEL) :
			       hakmem_cache_alloc(s, GFP_KERNEL | __GFP_ZERO);
		REQUIRE(p[i]);
		CHECK(!memchr_inv(p[i], 0, 200));
	}
	for (i = 0; i < 100; i++)
		hakmem_cache_free(s, p[i]);
	for (i = 1; i <= 1024; i += 37) {
		u8 *t = hakmem_alloc(i, GFP_KERNEL);

		memset(t, 0xcd, i);
		hakmem_free(t);
		t = hakmem_zalloc(i, GFP_KERNEL);
		REQUIRE(t);
		CHECK(!memchr_inv(t, 0, i));
		hakmem_free(t);
	}
	hakmem_cache_destroy(s);
}

/* ---- tiny classes ---------------------------------------------------------- */

/* tiny_class_off_by_one */
TEST(tiny_classes_1_to_1024)
{
	unsigned int size;
	void *keep[1025];

	for (size = 1; size <= HAKMEM_MAX_TINY_SIZE; size++) {
		size_t class = hakmem_tiny_class_want(size);
		u8 *p = hakmem_alloc(size, GFP_KERNEL);

		REQUIRE(p);
		CHECK_EQ(hakmem_ksize(p), class);
		CHECK_EQ(hakmem_tiny_cache(size)->layout.object_size, class);
		/* kmalloc's alignment: ARCH_KMALLOC_MINALIGN, powers of two naturally */
		CHECK(IS_ALIGNED((unsigned long)p, ARCH_KMALLOC_MINALIGN));
		CHECK(IS_ALIGNED((unsigned long)p, class & -class));
		if (is_power_of_2(size))
			CHECK(IS_ALIGNED((unsigned long)p, size));
		CHECK(hakmem_tiny_cache(size) == hakmem_slab_ss(hk_slab_of(p))->cache);
		memset(p, 0xa5, class);
		keep[size] = p;
	}
	for (size = 1; size <= HAKMEM_MAX_TINY_SIZE; size++)
		hakmem_free(keep[size]);
	/* beyond the tiny classes: kmalloc */
	for (size = 1025; size < 70000; size = size * 3 / 2) {
		u8 *p = hakmem_alloc(size, GFP_KERNEL);

		REQUIRE(p);
		CHECK(hakmem_ksize(p) >= size);
		CHECK(!hk_slab_of(p));
		memset(p, 1, size);
		hakmem_free(p);
	}
	CHECK(hakmem_alloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	hakmem_free(NULL);
	hakmem_free(ZERO_SIZE_PTR);
	CHECK_EQ(hakmem_ksize(NULL), 0);
	CHECK_EQ(hakmem_ksize(ZERO_SIZE_PTR), 0);
	for (size = 0; size < HAKMEM_NR_TINY; size++) {
		struct hakmem_cache *s = hakmem_tiny_cache(hakmem_tiny_sizes[size]);

		CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
		CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 0);
	}
}

/* kmalloc's classes (kmalloc_info[], 8-byte minimum alignment), for comparison. */
static size_t hk_kmalloc_class(unsigned int size)
{
	static const unsigned int k[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024 };
	unsigned int i = 0;

	while (k[i] < size)
		i++;
	return k[i];
}

/*
 * The classes waste less than kmalloc's: no size gets more than kmalloc()
 * gives it, up to 64 bytes a class is the size rounded up to 8, above it
 * at most 1.25 times the size; hakmem_alloc(150) takes 160 bytes, not 256.
 */
TEST(tiny_classes_waste_less_than_kmalloc)
{
	unsigned long asked = 0, given = 0, kgiven = 0;
	unsigned int size, i;
	void *p150;

	for (i = 1; i < HAKMEM_NR_TINY; i++) {
		CHECK(hakmem_tiny_sizes[i] > hakmem_tiny_sizes[i - 1]);
		CHECK(IS_ALIGNED(hakmem_tiny_sizes[i], 8));
		CHECK(hakmem_tiny_cache(hakmem_tiny_sizes[i]) != hakmem_tiny_cache(hakmem_tiny_sizes[i - 1]));
	}
	CHECK_EQ(hakmem_tiny_sizes[HAKMEM_NR_TINY - 1], HAKMEM_MAX_TINY_SIZE);
	for (size = 1; size <= HAKMEM_MAX_TINY_SIZE; size++) {
		void *p = hakmem_alloc(size, GFP_KERNEL);
		size_t got;

		REQUIRE(p);
		got = hakmem_ksize(p);
		CHECK(got >= size);
		CHECK(got <= hk_kmalloc_class(size));
		if (size <= 64)
			CHECK_EQ(got, ALIGN(size, 8));
		else
			CHECK(got * 4 <= size * 5);
		asked += size;
		given += got;
		kgiven += hk_kmalloc_class(size);
		hakmem_free(p);
	}
	p150 = hakmem_alloc(150, GFP_KERNEL);
	REQUIRE(p150);
	CHECK_EQ(hakmem_ksize(p150), 160);
	hakmem_free(p150);
	printf("  sizes 1..1024 uniform: given/asked %.3f (kmalloc's classes %.3f)\n",
	       (double)given / asked, (double)kgiven / asked);
}

/* ---- bulk ---------------------------------------------------------------- */

TEST(bulk_alloc_free_all_or_nothing)
{
	struct hakmem_cache *s = hakmem_cache_create("t-bulk", 128, 0, 0, NULL);
	void *objs[3000];
	unsigned int i;
	unsigned long pages;

	REQUIRE(s);
	CHECK_EQ(hakmem_cache_alloc_bulk(s, GFP_KERNEL, 0, objs), 0);
	CHECK_EQ(hakmem_cache_alloc_bulk(s, GFP_KERNEL, 3000, objs), 3000);
	for (i = 0; i < 3000; i++)
		memset(objs[i], i, 128);
	for (i = 1; i < 3000; i++)
		CHECK(objs[i] != objs[i - 1]);
	hakmem_cache_free_bulk(s, 3000, objs);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 0);
	hakmem_cache_shrink(s);
	/* failure half-way: nothing stays allocated */
	hk_expect_errors();
	pages = hk_pages_in_use(-1);
	hk_page_fail_set(1, 0);
	CHECK_EQ(hakmem_cache_alloc_bulk(s, GFP_KERNEL, 3000, objs), 0);
	hk_page_fail_set(-1, 0);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	CHECK(hakmem_stat_sum(s, HAKMEM_EXPAND_FAIL) >= 1);
	hakmem_cache_shrink(s);
	CHECK(hk_pages_in_use(-1) <= pages);
	hakmem_cache_destroy(s);
}

TEST(page_failure_is_graceful)
{
	struct hakmem_cache *s = hakmem_cache_create("t-fail", 512, 0, 0, NULL);
	void *p, *q[64];
	unsigned int i, got = 0;

	REQUIRE(s);
	hk_page_fail_set(0, 0);
	CHECK(hakmem_cache_alloc(s, GFP_KERNEL) == NULL);
	CHECK(hakmem_cache_alloc(s, GFP_ATOMIC | __GFP_NOWARN) == NULL);
	CHECK(hakmem_stat_sum(s, HAKMEM_EXPAND_FAIL) >= 2);
	/* only the big order fails: falls back to slab-order SuperSlabs */
	hk_page_fail_set(0, s->slab_order + 1);
	for (i = 0; i < 64; i++) {
		q[i] = hakmem_cache_alloc(s, GFP_KERNEL);
		got += !!q[i];
	}
	CHECK_EQ(got, 64);
	CHECK(hakmem_stat_sum(s, HAKMEM_SS_FALLBACK) >= 1);
	hk_page_fail_set(-1, 0);
	/* metadata kmalloc failure */
	hakmem_cache_free_bulk(s, 64, q);
	hakmem_cache_shrink(s);
	hk_kmalloc_fail_set(0);
	p = hakmem_cache_alloc(s, GFP_KERNEL | __GFP_NOWARN);
	hk_kmalloc_fail_set(-1);
	CHECK(p == NULL);
	p = hakmem_cache_alloc(s, GFP_KERNEL);
	CHECK(p != NULL);
	hakmem_cache_free(s, p);
	hk_kmalloc_fail_set(0);
	CHECK(hakmem_cache_create("t-nomem", 64, 0, 0, NULL) == NULL);
	hk_kmalloc_fail_set(-1);
	hakmem_cache_destroy(s);
	hk_expect_errors();	/* the OOM warnings */
}

/* ---- shrink, reserve, shrinker ------------------------------------------- */

TEST(shrink_and_shrinker)
{
	struct hakmem_cache *s = hakmem_cache_create("t-shrink", 96, 0, 0, NULL);
	unsigned int i, n;
	void **objs;
	unsigned long freed;

	REQUIRE(s);
	n = 4 * (s->capacity << HAKMEM_SS_SLABS_SHIFT);
	objs = calloc(n, sizeof(void *));
	for (i = 0; i < n; i++)
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, objs[i]);
	hakmem_drain_all(s);
	/* a reserve of one idle SuperSlab per node at most */
	CHECK(hk_cache_ss(s) <= (unsigned long)nr_node_ids + 1);
	CHECK(hk_nr_shrinkers() == 1);
	freed = hk_shrink(0, 1 << 20);
	CHECK(freed > 0);
	CHECK_EQ(hk_cache_pages(s), 0);
	for (i = 0; i < 10; i++)
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	CHECK_EQ(hakmem_cache_shrink(s), 1);	/* live objects keep a SuperSlab */
	for (i = 0; i < 10; i++)
		hakmem_cache_free(s, objs[i]);
	CHECK_EQ(hakmem_cache_shrink(s), 0);
	CHECK_EQ(hk_cache_ss(s), 0);
	free(objs);
	hakmem_cache_destroy(s);
}

/* ---- nodes and CPUs ------------------------------------------------------- */

TEST(alloc_node_and_remote_free)
{
	struct hakmem_cache *s = hakmem_cache_create("t-node", 64, 0, 0, NULL);
	void *p[2][50];
	int nid, i;

	REQUIRE(s);
	hk_bind(0);
	for (nid = 0; nid < (int)nr_node_ids; nid++)
		for (i = 0; i < 50; i++) {
			p[nid][i] = hakmem_cache_alloc_node(s, GFP_KERNEL, nid);
			REQUIRE(p[nid][i]);
			CHECK_EQ(page_to_nid(virt_to_page(p[nid][i])), nid);
		}
	CHECK(hakmem_cache_alloc_node(s, GFP_KERNEL | __GFP_THISNODE, 7) == NULL);
	p[0][0] = (hakmem_cache_free(s, p[0][0]), hakmem_cache_alloc_node(s, GFP_KERNEL, 5));
	REQUIRE(p[0][0]);
	/* frees from a CPU of the other node go straight to the slabs */
	hk_bind(hk_nr_cpus - 1);
	for (nid = 0; nid < (int)nr_node_ids; nid++)
		for (i = 0; i < 50; i++)
			hakmem_cache_free(s, p[nid][i]);
	CHECK(hakmem_stat_sum(s, HAKMEM_FREE_MISS) >= 50);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

TEST(cpu_hotplug_drains_magazine)
{
	struct hakmem_cache *s = hakmem_cache_create("t-hotplug", 64, 0, 0, NULL);
	int dead = hk_nr_cpus - 1;
	void *p[20];
	int i;

	REQUIRE(s && hk_nr_cpus > 1);
	hk_bind(dead);
	for (i = 0; i < 20; i++)
		REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	for (i = 0; i < 20; i++)
		hakmem_cache_free(s, p[i]);
	CHECK(per_cpu_ptr(s->pcp, dead)->count > 0);
	hk_bind(0);
	CHECK_EQ(hk_cpu_down(dead), 0);
	CHECK_EQ(per_cpu_ptr(s->pcp, dead)->count, 0);
	CHECK_EQ(hk_cache_inuse(s), per_cpu_ptr(s->pcp, 0)->count + per_cpu_ptr(s->pcp, 1)->count);
	hakmem_drain_all(s);	/* the offline CPU has nothing left */
	CHECK_EQ(hk_cache_inuse(s), 0);
	CHECK_EQ(hk_cpu_up(dead), 0);
	hakmem_cache_destroy(s);
}

/* ---- debug flags ---------------------------------------------------------- */

TEST(red_zone_and_poison)
{
	struct hakmem_cache *r = hakmem_cache_create("t-red", 40, 0, SLAB_RED_ZONE, NULL);
	struct hakmem_cache *p = hakmem_cache_create("t-poison", 40, 0, SLAB_POISON, NULL);
	u8 *a, *b;

	REQUIRE(r && p);
	hk_expect_errors();
	a = hakmem_cache_alloc(r, GFP_KERNEL);
	REQUIRE(a);
	a[40] = 0;		/* one byte past the end */
	hakmem_cache_free(r, a);
	CHECK_EQ(hakmem_stat_sum(r, HAKMEM_CORRUPTION), 1);
	CHECK(hk_log_contains("written past the end"));
	b = hakmem_cache_alloc(p, GFP_KERNEL);
	REQUIRE(b);
	CHECK_EQ(hakmem_stat_sum(p, HAKMEM_CORRUPTION), 0);
	hakmem_cache_free(p, b);
	b[3] = 1;		/* use after free */
	b = hakmem_cache_alloc(p, GFP_KERNEL);	/* LIFO: the same object */
	REQUIRE(b);
	CHECK_EQ(hakmem_stat_sum(p, HAKMEM_CORRUPTION), 1);
	CHECK(hk_log_contains("written after free"));
	hakmem_cache_free(p, b);
	hakmem_cache_destroy(p);
	/* r keeps the overrun object: destroy reports it and keeps the cache */
	hakmem_cache_destroy(r);
}

struct hk_reader {
	struct completion in, out;
};

static void *hk_rcu_reader(void *arg)
{
	struct hk_reader *r = arg;

	hk_vcpu_bind(1);
	rcu_read_lock();
	complete(&r->in);
	wait_for_completion(&r->out);	/* sleeping in a reader: test-only */
	rcu_read_unlock();
	return NULL;
}

TEST(typesafe_by_rcu_defers_pages)
{
	struct hakmem_cache *s = hakmem_cache_create("t-rcu", 64, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	struct hk_reader r;
	void *objs[200];
	unsigned long before;
	pthread_t th;
	int i;

	REQUIRE(s);
	for (i = 0; i < 200; i++)
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	for (i = 0; i < 200; i++)
		hakmem_cache_free(s, objs[i]);
	rcu_barrier();
	before = hk_pages_in_use(-1);
	init_completion(&r.in);
	init_completion(&r.out);
	hk_expect_errors();	/* the reader "sleeps" in its read side: */
	hk_expect_warns(1);	/* one "BUG: sleeping function" line, one WARN */
	pthread_create(&th, NULL, hk_rcu_reader, &r);
	wait_for_completion(&r.in);
	/* a reader holds on: the type of the memory must not change */
	CHECK_EQ(hakmem_cache_shrink(s), 0);
	CHECK(hk_rcu_pending() > 0);
	msleep(20);
	CHECK(hk_pages_in_use(-1) == before);
	complete(&r.out);
	pthread_join(th, NULL);
	rcu_barrier();
	CHECK(hk_pages_in_use(-1) < before);
	hakmem_cache_destroy(s);
}

/* ---- debugfs, module parameters, self-test -------------------------------- */

TEST(debugfs_stats_and_slabinfo)
{
	struct hakmem_cache *a = hakmem_cache_create("t-dbg", 64, 0, 0, NULL);
	struct hakmem_cache *b = hakmem_cache_create("t-dbg", 64, 0, 0, NULL);
	char *txt;
	void *o;

	REQUIRE(a && b);
	CHECK(strcmp(a->dbg_name, b->dbg_name) != 0);
	o = hakmem_cache_alloc(a, GFP_KERNEL);
	txt = hk_debugfs_read("hakmem/t-dbg/stats");
	REQUIRE(txt);
	CHECK(strstr(txt, "object_size 64"));
	CHECK(strstr(txt, "alloc_miss 1"));
	free(txt);
	txt = hk_debugfs_read("hakmem/t-dbg-2/stats");
	CHECK(txt != NULL);
	free(txt);
	txt = hk_debugfs_read("hakmem/slabinfo");
	REQUIRE(txt);
	CHECK(strstr(txt, "slabinfo - version: 2.1"));
	CHECK(strstr(txt, "t-dbg-2"));
	CHECK(strstr(txt, "hakmem-1024"));
	free(txt);
	hakmem_cache_free(a, o);
	hakmem_cache_destroy(b);
	CHECK(hk_debugfs_read("hakmem/t-dbg-2/stats") == NULL);
	hakmem_cache_destroy(a);
}

TEST_FLAGS(module_selftest_param, HK_T_NOINIT)
{
	CHECK_EQ(hk_param_set("selftest", "1"), 0);
	REQUIRE(hk_module_init() == 0);
	hk_expect_errors();	/* the misuse part logs its refusals */
	CHECK(hk_log_contains("selftest passed"));
	CHECK(!hk_log_contains("selftest FAILED"));
	hk_module_exit();
}

/*
 * init_on_alloc is a boot option, set before any cache exists: so here.
 * The second allocation is the fast path's (a magazine hit).
 */
TEST(init_on_alloc_zeroes)
{
	struct hakmem_cache *s;
	u8 *p;

	static_branch_enable(&init_on_alloc);
	s = hakmem_cache_create("t-ioa", 64, 0, 0, NULL);
	REQUIRE(s);
	p = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(p);
	CHECK(!memchr_inv(p, 0, 64));
	memset(p, 0x11, 64);
	hakmem_cache_free(s, p);
	p = hakmem_cache_alloc(s, GFP_KERNEL);
	CHECK(hakmem_stat_sum(s, HAKMEM_ALLOC_HIT) == 1);
	static_branch_disable(&init_on_alloc);
	REQUIRE(p);
	CHECK(!memchr_inv(p, 0, 64));
	hakmem_cache_free(s, p);
	hakmem_cache_destroy(s);
}

/* ---- the free word: stray writes, false double frees -------------------- */

static int hk_ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* How many of the @n pointers in @p repeat one before them (sorts @p). */
static unsigned int hk_dups(void **p, unsigned int n)
{
	unsigned int i, d = 0;

	qsort(p, n, sizeof(*p), hk_ptr_cmp);
	for (i = 1; i < n; i++)
		d += p[i] == p[i - 1];
	return d;
}

/*
 * A new array of @size pointers, the first @n of them objects of @s just
 * allocated, the rest NULL for the caller.
 */
static void **hk_alloc_array(struct hakmem_cache *s, unsigned int n, unsigned int size)
{
	void **p = calloc(size, sizeof(void *));
	unsigned int i;

	REQUIRE(p);
	for (i = 0; i < n; i++)
		REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	return p;
}

/* Free the @n objects of @p, then @p: drained, nothing of @s is left in use. */
static void hk_free_array(struct hakmem_cache *s, void **p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		hakmem_cache_free(s, p[i]);
	free(p);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
}

/* Index of @obj in its slab. */
static unsigned int hk_obj_idx(struct hakmem_cache *s, void *obj)
{
	struct hakmem_slab *slab = hk_slab_of(obj);

	return (obj - hakmem_slab_base(s, hakmem_slab_ss(slab), slab)) / hakmem_stride(s);
}

/*
 * The reproduction of issue 10 item 1: a u16 written into a free object
 * pointed its slab's free list at an object not carved yet, which then
 * went out twice: through the free list and again through the bump index.
 */
TEST(free_word_stray_u16_write)
{
	struct hakmem_cache *s = hakmem_cache_create("t-stray", 16, 0, 0, NULL);
	void *p[600], *a;
	unsigned long err0;
	unsigned int i;

	REQUIRE(s);
	hk_bind(0);
	hk_expect_errors();
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a);
	hakmem_cache_free(s, a);
	hakmem_drain_all(s);
	err0 = hk_nr_errors;
	*(u16 *)a = s->capacity - 1;	/* use after free: obj->flags = X */
	for (i = 0; i < 600; i++)
		REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 1);
	CHECK_EQ(hk_nr_errors - err0, 1);
	CHECK(hk_log_contains("cache t-stray: slab"));
	CHECK(hk_log_contains("free list damaged"));
	CHECK_EQ(hk_dups(p, 600), 0);
	for (i = 0; i < 600; i++)
		if (!i || p[i] != p[i - 1])
			hakmem_cache_free(s, p[i]);
	hakmem_cache_destroy(s);
}

enum hk_fw_where {
	HK_FW_MAG_FLUSH,	/* in a magazine, then drained to its slab */
	HK_FW_MAG_POP,		/* in a magazine, then allocated again */
	HK_FW_LIST_HEAD,	/* head of its slab's free list */
	HK_FW_LIST_DEEP,	/* second on its slab's free list */
	HK_FW_NR
};

/*
 * Byte @b of the free word of a free object becomes @v; then allocate
 * two slabs' worth.  No object may come out twice; a change the slab sees
 * (when the object comes back from the magazine or off the free list) is
 * counted once, reported once and quarantines the slab.
 * Return: 1 if the damage was detected.
 */
static unsigned int hk_free_word_case(enum hk_fw_where where, unsigned int b, u8 v)
{
	struct hakmem_cache *s = hakmem_cache_create("t-fword", 16, 0, 0, NULL);
	unsigned int i, n, held = 0, detected;
	unsigned long err0;
	void *x[3], *victim, **p;
	u8 *fw, old;

	REQUIRE(s);
	for (i = 0; i < 3; i++)
		REQUIRE((x[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	n = 2 * s->capacity + 2 * s->mag_size;
	p = calloc(n + 3, sizeof(void *));
	REQUIRE(p);
	if (where == HK_FW_MAG_FLUSH || where == HK_FW_MAG_POP) {
		hakmem_cache_free(s, x[0]);
		victim = x[0];
		p[n + held++] = x[1];
		p[n + held++] = x[2];
	} else {
		/* Drained in order: the list is x[2], x[1], x[0], ... */
		for (i = 0; i < 3; i++)
			hakmem_cache_free(s, x[i]);
		hakmem_drain_all(s);
		victim = where == HK_FW_LIST_HEAD ? x[2] : x[1];
	}
	hk_log_clear();
	err0 = hk_nr_errors;
	fw = (u8 *)hakmem_fp(s, victim);
	old = fw[b];
	fw[b] = v;
	if (where == HK_FW_MAG_FLUSH)
		hakmem_drain_all(s);
	for (i = 0; i < n; i++)
		REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	CHECK_EQ(hk_dups(p, n + held), 0);
	detected = hakmem_stat_sum(s, HAKMEM_CORRUPTION);
	CHECK_EQ(hk_nr_errors - err0, detected);
	if (v == old || where == HK_FW_MAG_POP) {
		/* Unchanged, or handed out again before the slab saw it. */
		CHECK_EQ(detected, 0);
	} else {
		char m[64];

		CHECK_EQ(detected, 1);
		snprintf(m, sizeof(m), "cache %s: slab", s->dbg_name);
		CHECK(hk_log_contains(m));
		CHECK(hk_log_contains("slab quarantined"));
	}
	for (i = 0; i < n + held; i++)
		if (!i || p[i] != p[i - 1])
			hakmem_cache_free(s, p[i]);
	free(p);
	hakmem_cache_destroy(s);
	return detected;
}

/*
 * Every value of every byte of the free word, for an object in a magazine
 * and on its slab's free list: 4 x 8 x 256 cases, a fresh cache each.
 */
TEST(free_word_every_byte_pattern)
{
	unsigned int where, b, v, detected = 0;
	int lvl = hk_loglevel;

	hk_bind(0);
	hk_expect_errors();
	hk_loglevel = 3;	/* thousands of quarantines: count, do not print */
	for (where = 0; where < HK_FW_NR; where++)
		for (b = 0; b < sizeof(unsigned long); b++)
			for (v = 0; v < 256; v++)
				detected += hk_free_word_case(where, b, v);
	hk_loglevel = lvl;
	/* Every write that changed the word, but for the magazine pops. */
	CHECK_EQ(detected, 3 * sizeof(unsigned long) * 255);
}

/*
 * A free word with a valid tag and any link at all (a forged or lucky
 * 8-byte write): the link is checked against the slab's carve index and
 * bitmap, so no object goes out twice.  A link that names an object out
 * of the slab, the object itself or one never carved is caught; one that
 * names another free object only loses the objects in between until the
 * slab is next released.
 */
TEST(free_word_forged_link)
{
	unsigned int next, i, n, expect, caught = 0, nr = 0;
	int lvl = hk_loglevel;

	hk_bind(0);
	hk_expect_errors();
	hk_loglevel = 3;
	for (next = 0; next <= HAKMEM_FP_END; next++) {
		struct hakmem_cache *s = hakmem_cache_create("t-forge", 16, 0, 0, NULL);
		unsigned int carved;
		void *x[3], **p;

		REQUIRE(s);
		if (next == s->capacity + 2)
			next = HAKMEM_FP_END - 1;	/* skip to the last two */
		for (i = 0; i < 3; i++)
			REQUIRE((x[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
		/* x[0] stays out; the list is x[2], x[1], ... */
		hakmem_cache_free(s, x[1]);
		hakmem_cache_free(s, x[2]);
		hakmem_drain_all(s);
		carved = hk_slab_of(x[2])->carved;
		*hakmem_fp(s, x[2]) = hakmem_free_word(hakmem_slab_ss(hk_slab_of(x[2])), x[2], next);
		n = 2 * s->capacity + 2 * s->mag_size;
		p = hk_alloc_array(s, n, n + 1);
		p[n] = x[0];
		CHECK_EQ(hk_dups(p, n + 1), 0);
		expect = next != HAKMEM_FP_END &&
			 (next >= carved || next == hk_obj_idx(s, x[2]) ||
			  next == hk_obj_idx(s, x[0]));
		CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), expect);
		caught += expect;
		nr++;
		for (i = 0; i <= n; i++)
			if (!i || p[i] != p[i - 1])
				hakmem_cache_free(s, p[i]);
		free(p);
		hakmem_cache_destroy(s);
	}
	hk_loglevel = lvl;
	CHECK(caught > 0 && caught < nr);
}

/*
 * Second line of defence: the bump index never hands out an object whose
 * bit says it is out (what the damaged free list of item 1 led to).
 */
TEST(free_word_carve_checks_bitmap)
{
	struct hakmem_cache *s = hakmem_cache_create("t-carvebit", 16, 0, 0, NULL);
	struct hakmem_slab *slab;
	void *a, *p[600];
	unsigned int i;

	REQUIRE(s);
	hk_bind(0);
	hk_expect_errors();
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a);
	slab = hk_slab_of(a);
	REQUIRE(slab->carved < s->capacity);
	/* The next object to carve is marked out, as if it had left already. */
	__set_bit(slab->carved, hakmem_slab_map(s, hakmem_slab_ss(slab), slab));
	for (i = 0; i < 600; i++)
		REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 1);
	CHECK(slab->quarantined);
	CHECK_EQ(hk_dups(p, 600), 0);
	for (i = 0; i < 600; i++)
		hakmem_cache_free(s, p[i]);
	hakmem_cache_free(s, a);
	hakmem_cache_destroy(s);
}

/* splitmix64's output function, undone: the state that yields @out next. */
static u64 hk_unxorshift(u64 y, unsigned int sh)
{
	u64 x = y;
	unsigned int i;

	for (i = 0; i < 64 / sh + 1; i++)
		x = y ^ (x >> sh);
	return x;
}

static u64 hk_inverse(u64 c)
{
	u64 x = c;
	unsigned int i;

	for (i = 0; i < 6; i++)
		x *= 2 - c * x;
	return x;
}

static void hk_random_next_is(u64 out)
{
	u64 z = hk_unxorshift(out, 31);

	z = hk_unxorshift(z * hk_inverse(0x94d049bb133111ebULL), 27);
	z = hk_unxorshift(z * hk_inverse(0xbf58476d1ce4e5b9ULL), 30);
	hk_random_seed(z - 0x9e3779b97f4a7c15ULL);
	CHECK_EQ(get_random_u64(), out);
	hk_random_seed(z - 0x9e3779b97f4a7c15ULL);
}

/*
 * Issue 10 item 3: whatever random bits the boot draws for the secret, an
 * object whose first word holds an integer, a pointer, text or a poison
 * pattern is never taken for a free one.  The first draw of the module's
 * init is chosen, for each value, as the worst case for that value and
 * the object the cache hands out first.
 */
TEST_FLAGS(free_word_never_common_content, HK_T_NOINIT)
{
	unsigned long local, a, vals[32];
	struct hakmem_cache *s;
	unsigned int i, nr = 0;
	void *obj;

	REQUIRE(hk_module_init() == 0);
	s = hakmem_cache_create("t-common", 64, 0, 0, NULL);
	REQUIRE(s);
	a = (unsigned long)hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a);
	hakmem_cache_free(s, (void *)a);
	hakmem_cache_destroy(s);
	hk_module_exit();

	vals[nr++] = 0;
	vals[nr++] = 1;
	vals[nr++] = 42;
	vals[nr++] = 0xffff;
	vals[nr++] = 1UL << 32;
	vals[nr++] = -1UL;
	vals[nr++] = -2UL;
	vals[nr++] = (unsigned long)ERR_PTR(-ENOMEM);
	vals[nr++] = a;				/* an empty list_head */
	vals[nr++] = a + 64;
	vals[nr++] = a - 64;
	vals[nr++] = (unsigned long)&local;
	vals[nr++] = 0xffff888012345678UL;	/* x86-64 direct map */
	vals[nr++] = 0xff11000012345678UL;	/* ... with 5-level paging */
	vals[nr++] = 0xdead000000000100UL;	/* LIST_POISON1 */
	vals[nr++] = 0xdead000000000122UL;	/* LIST_POISON2 */
	vals[nr++] = 0x6b6b6b6b6b6b6b6bUL;	/* POISON_FREE */
	vals[nr++] = 0x5a5a5a5a5a5a5a5aUL;	/* POISON_INUSE */
	vals[nr++] = 0xa5a5a5a5a5a5a5a5UL;
	vals[nr++] = 0xccccccccccccccccUL;
	vals[nr++] = 0xbbbbbbbbbbbbbbbbUL;
	vals[nr++] = 0x2121216d656d6b61UL;	/* "akmem!!!" */
	vals[nr++] = 1UL << 63;
	for (i = 0; i < nr; i++) {
		hk_random_next_is(((a ^ vals[i]) & ~0xffffUL) | 1);
		REQUIRE(hk_module_init() == 0);
		s = hakmem_cache_create("t-common", 64, 0, 0, NULL);
		REQUIRE(s);
		obj = hakmem_cache_alloc(s, GFP_KERNEL);
		REQUIRE(obj == (void *)a);	/* the page allocator is deterministic */
		*(unsigned long *)obj = vals[i];
		hakmem_cache_free(s, obj);
		if (hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE)) {
			char m[64];

			snprintf(m, sizeof(m), "value %#lx taken for a free word", vals[i]);
			hk_test_fail(__FILE__, __LINE__, m);
			hk_expect_errors();
			hakmem_cache_free(s, obj);	/* its refusal leaked it */
		}
		hakmem_cache_destroy(s);
		hk_module_exit();
	}
}

/*
 * Two frees of one object racing on two CPUs: both read the free word
 * before either wrote the tag.  Best effort: caught when the second copy
 * reaches the slab.  Played here in sequence, the race undone by hand.
 */
TEST(free_word_racing_double_free)
{
	struct hakmem_cache *s = hakmem_cache_create("t-race", 64, 0, 0, NULL);
	unsigned long word;
	void *a, *keep;

	REQUIRE(s);
	hk_expect_errors();
	hk_bind(0);
	keep = hakmem_cache_alloc(s, GFP_KERNEL);
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a && keep);
	word = *hakmem_fp(s, a);
	hakmem_cache_free(s, a);
	*hakmem_fp(s, a) = word;	/* CPU 1 read the word before CPU 0's tag */
	hk_bind(1);
	hakmem_cache_free(s, a);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 0);
	hakmem_drain_all(s);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 1);
	CHECK(hk_log_contains("caught at its slab"));
	hakmem_cache_free(s, keep);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

/*
 * The same race where the first copy to reach the slab finds its free
 * list empty: it goes on with no link, so its word is its bare tag again,
 * as a magazine's object carries it, and the second copy passes the free
 * word's check.  Only the bitmap tells it from an object that is out.
 */
TEST(free_word_racing_double_free_onto_empty_list)
{
	struct hakmem_cache *s = hakmem_cache_create("t-race-empty", 64, 0, 0, NULL);
	unsigned int n = 0, i;
	unsigned long word;
	void **held, *a;

	REQUIRE(s);
	held = calloc(s->mag_size, sizeof(void *));
	REQUIRE(held);
	hk_expect_errors();
	hk_bind(0);
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a);
	/* The rest of the refill out too: the magazine and the free list empty. */
	while (per_cpu_ptr(s->pcp, 0)->count && n < s->mag_size)
		REQUIRE((held[n++] = hakmem_cache_alloc(s, GFP_KERNEL)));
	REQUIRE(hk_slab_of(a)->free_head == HAKMEM_FP_END);
	word = *hakmem_fp(s, a);
	hakmem_cache_free(s, a);
	*hakmem_fp(s, a) = word;	/* CPU 1 read the word before CPU 0's tag */
	hk_bind(1);
	hakmem_cache_free(s, a);
	hakmem_drain_all(s);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 1);
	CHECK(hk_log_contains("caught at its slab"));
	hk_bind(0);
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, held[i]);
	free(held);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

/* ---- expansion: a SuperSlab is built object by object as it is carved ---- */

static unsigned long hk_made;
static void hk_count_ctor(void *obj)
{
	hk_made++;
	memset(obj, 0x3c, 64);
}

/* Issue 10 item 5: one allocation constructs a batch, not a SuperSlab. */
TEST(ctor_runs_when_first_carved)
{
	struct hakmem_cache *s = hakmem_cache_create("t-lazy", 64, 0, 0, hk_count_ctor);
	unsigned long made;
	u8 *a;

	REQUIRE(s);
	hk_bind(0);
	made = hk_made;
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a);
	CHECK(!memchr_inv(a, 0x3c, 64));
	CHECK(hk_made - made >= 1);
	CHECK(hk_made - made <= s->batch);
	hakmem_cache_free(s, a);
	hakmem_cache_destroy(s);
}

/*
 * Issue 10 item 5: a grower that lost the race (the node has room by the
 * time its SuperSlab is ready) gives its SuperSlab back having built none
 * of it: it takes its object from the room it found.
 */
TEST(expand_race_loser_builds_nothing)
{
	struct hakmem_cache *s = hakmem_cache_create("t-loser", 64, 0, 0, hk_count_ctor);
	unsigned long made, lost, freed;
	unsigned int got;
	void *a, *b;

	REQUIRE(s);
	hk_bind(0);
	a = hakmem_cache_alloc(s, GFP_KERNEL);	/* node 0 has room now */
	REQUIRE(a);
	made = hk_made;
	lost = hakmem_stat_sum(s, HAKMEM_EXPAND_RACE);
	freed = hakmem_stat_sum(s, HAKMEM_SS_FREE);
	got = hakmem_node_grow(s, 0, GFP_KERNEL, &b, 1);
	CHECK_EQ(got, 1);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_EXPAND_RACE), lost + 1);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_SS_FREE), freed + 1);
	/* At most the one object it took was new; none of the loser's. */
	CHECK(hk_made - made <= 1);
	if (got) {
		CHECK(!memchr_inv(b, 0x3c, 64));
		*hakmem_fp(s, b) = 0;	/* handed out, as hakmem_obj_out() does */
		hakmem_cache_free(s, b);
	}
	hakmem_cache_free(s, a);
	hakmem_cache_destroy(s);
}

/*
 * Objects never carved carry no tag, yet a free of one (a stale pointer
 * into a SuperSlab that came back) is refused and nothing goes out twice.
 */
TEST(free_of_never_carved_object)
{
	struct hakmem_cache *s = hakmem_cache_create("t-unmade", 64, 0, 0, NULL);
	struct hakmem_slab *slab;
	unsigned int nheld;
	void **held;
	void *a, *stale, **p;
	unsigned int n;

	REQUIRE(s);
	hk_bind(0);
	/* objects of a SuperSlab of full size, not of the first one-slab one */
	held = hk_hold_first_superslab(s, &nheld);
	REQUIRE(held);
	hk_expect_errors();
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a);
	slab = hk_slab_of(a);
	REQUIRE(slab->idx + 1U < hakmem_slab_ss(slab)->nr_slabs);
	/* The first object of the next slab, which nothing carved yet. */
	stale = hakmem_slab_base(s, hakmem_slab_ss(slab), slab) + hakmem_slab_bytes(s);
	memset(stale, 0, 64);
	hakmem_cache_free(s, stale);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 1);
	n = 2 * (s->capacity << HAKMEM_SS_SLABS_SHIFT);
	p = hk_alloc_array(s, n, n + 1);
	p[n] = a;
	CHECK_EQ(hk_dups(p, n + 1), 0);
	hk_release_first_superslab(s, held, nheld);
	hk_free_array(s, p, n + 1);
	hakmem_cache_destroy(s);
}

/*
 * A slab whose bump index went back (its metadata written over) must not
 * carve again an object that is out, though it still carries its free tag
 * in another CPU's magazine: its bit says it is out, the slab is
 * quarantined, and no object goes out twice (carve_run_out_object_taken).
 */
TEST(carve_of_out_object_quarantines)
{
	struct hakmem_cache *s = hakmem_cache_create("t-recarve", 64, 0, 0, NULL);
	struct hakmem_slab *slab;
	unsigned int i, n;
	void **p;

	REQUIRE(s);
	n = s->batch + 4;
	p = calloc(n, sizeof(void *));
	REQUIRE(p);
	hk_bind(0);
	hk_expect_errors();
	REQUIRE((p[0] = hakmem_cache_alloc(s, GFP_KERNEL)));
	slab = hk_slab_of(p[0]);
	/* The rest of the batch waits, tagged, in CPU 0's magazine. */
	REQUIRE(slab->free_head == HAKMEM_FP_END && slab->carved < s->capacity);
	slab->carved = 0;
	hk_bind(1);
	for (i = 1; i < 5; i++)
		REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	hk_bind(0);
	for (; i < n; i++)
		REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	CHECK(slab->quarantined);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 1);
	CHECK_EQ(hk_dups(p, n), 0);
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, p[i]);
	free(p);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

/*
 * A quarantined slab's objects never carved stay below made_end once the
 * next slab carves: they are tagged on the way, so a free of one is still
 * refused, and none goes out.
 */
TEST(free_into_quarantined_slab_tail)
{
	struct hakmem_cache *s = hakmem_cache_create("t-gap", 16, 0, 0, NULL);
	struct hakmem_slab *slab;
	unsigned int nheld;
	void **held;
	void *a, *tail, **p;
	unsigned int n;

	REQUIRE(s);
	hk_bind(0);
	/* objects of a SuperSlab of full size, not of the first one-slab one */
	held = hk_hold_first_superslab(s, &nheld);
	REQUIRE(held);
	hk_expect_errors();
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a);
	slab = hk_slab_of(a);
	hakmem_cache_free(s, a);
	hakmem_drain_all(s);
	REQUIRE(slab->carved < s->capacity);
	tail = hakmem_slab_obj(s, hakmem_slab_ss(slab), slab, s->capacity - 1);
	*(u16 *)a ^= 1;			/* the slab is quarantined at its next take */
	n = 2 * (s->capacity << HAKMEM_SS_SLABS_SHIFT);
	p = hk_alloc_array(s, n, n + 1);
	CHECK(slab->quarantined);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 1);
	CHECK((unsigned long)tail < hakmem_slab_ss(slab)->made_end);
	hakmem_cache_free(s, tail);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 1);
	CHECK_EQ(hk_dups(p, n), 0);
	hk_release_first_superslab(s, held, nheld);
	hk_free_array(s, p, n);
	hakmem_cache_destroy(s);
}

/* ---- init_on_alloc / init_on_free: the slab allocator's rules (hakmem_selftest.h) */

/* The free word inside the object, if it is there: hakmem's, not the user's. */
static bool hk_is_free_word(struct hakmem_cache *s, unsigned int i)
{
	return i >= s->layout.fp_offset && i < s->layout.fp_offset + sizeof(long);
}

enum hk_want { HK_WANT_ZERO, HK_WANT_PATTERN, HK_WANT_POISON };

/* Every byte of the object as @want says, the free word aside. */
static void hk_check_bytes(struct hakmem_cache *s, const u8 *p, enum hk_want want,
			   u8 pat, const char *when)
{
	unsigned int i, n = s->layout.object_size, bad = 0;

	for (i = 0; i < n; i++) {
		u8 e = want == HK_WANT_ZERO ? 0 : want == HK_WANT_PATTERN ? pat :
		       i == n - 1 ? POISON_END : POISON_FREE;

		if (!hk_is_free_word(s, i) && p[i] != e && !bad++)
			fprintf(stderr, "  %s: cache %s (ctor %d flags %#lx) init_on_alloc %d init_on_free %d: byte %u is %#x, want %#x\n",
				when, s->name, !!s->ctor, (unsigned long)s->flags,
				init_on_alloc.enabled, init_on_free.enabled, i, p[i], e);
	}
	CHECK_EQ(bad, 0);
}

static void hk_set_ctor(void *p)
{
	memset(p, 0xc7, 64);
}

/*
 * One object through free and allocation again (LIFO: the same object),
 * the bytes checked at both points against the slab allocator's rules.
 */
static void hk_init_on_one(struct hakmem_cache *s, bool tiny, gfp_t gfp)
{
	unsigned int size = s->layout.object_size;
	const u8 pat = 0x5a;
	u8 *p, *q;

	p = tiny ? hakmem_alloc(size, GFP_KERNEL) : hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(p);
	memset(p, pat, size);
	if (tiny)
		hakmem_free(p);
	else
		hakmem_cache_free(s, p);
	/* Free memory, as an RCU reader or hakmem itself may see it. */
	hk_check_bytes(s, p, hakmem_ref_init_on_free(s) ? HK_WANT_ZERO :
			     s->flags & SLAB_POISON ? HK_WANT_POISON : HK_WANT_PATTERN,
		       pat, "after free");
	if (s->flags & SLAB_RED_ZONE)
		CHECK(!memchr_inv(p + s->layout.red_offset, HAKMEM_RED_INACTIVE, s->layout.red_len));
	q = tiny ? hakmem_alloc(size, gfp) : hakmem_cache_alloc(s, gfp);
	REQUIRE(q == p);
	hk_check_bytes(s, q, hakmem_ref_init_on_alloc(s, gfp) || hakmem_ref_init_on_free(s) ? HK_WANT_ZERO :
			     s->flags & SLAB_POISON ? HK_WANT_POISON : HK_WANT_PATTERN,
		       pat, gfp & __GFP_ZERO ? "after alloc with __GFP_ZERO" : "after alloc");
	if (s->flags & SLAB_RED_ZONE)
		CHECK(!memchr_inv(q + s->layout.red_offset, HAKMEM_RED_ACTIVE, s->layout.red_len));
	if (tiny)
		hakmem_free(q);
	else
		hakmem_cache_free(s, q);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 0);
}

/*
 * init_on_alloc and init_on_free are boot options: each mode is a fresh
 * load of the module, the keys set before it, as the kernel sets them
 * before any cache exists.
 */
TEST_FLAGS(init_on_alloc_and_free_follow_the_slab_allocator, HK_T_NOINIT)
{
	static const struct { unsigned int size; slab_flags_t flags; bool ctor; } kinds[] = {
		{ 64, 0, false },
		{ 24, 0, false },
		{ 64, 0, true },
		{ 64, SLAB_TYPESAFE_BY_RCU, false },
		{ 64, SLAB_TYPESAFE_BY_RCU, true },
		{ 64, SLAB_POISON, false },
		{ 40, SLAB_RED_ZONE, false },
		{ 4, SLAB_RED_ZONE, false },
		{ 64, SLAB_POISON | SLAB_RED_ZONE, false },
	};
	struct hakmem_cache *s[ARRAY_SIZE(kinds)];
	unsigned int k, mode;

	hk_bind(0);
	for (mode = 0; mode < 8; mode++) {
		gfp_t gfp = GFP_KERNEL | (mode & 4 ? __GFP_ZERO : 0);

		init_on_alloc.enabled = mode & 1;
		init_on_free.enabled = mode & 2;
		REQUIRE(hk_module_init() == 0);
		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			s[k] = hakmem_cache_create("t-init-on", kinds[k].size, 0,
						   kinds[k].flags,
						   kinds[k].ctor ? hk_set_ctor : NULL);
			REQUIRE(s[k]);
		}
		for (k = 0; k < ARRAY_SIZE(kinds); k++)
			hk_init_on_one(s[k], false, gfp);
		hk_init_on_one(hakmem_tiny_cache(64), true, gfp);
		hk_init_on_one(hakmem_tiny_cache(8), true, gfp);
		for (k = 0; k < ARRAY_SIZE(kinds); k++)
			hakmem_cache_destroy(s[k]);
		hk_module_exit();
	}
	init_on_alloc.enabled = false;
	init_on_free.enabled = false;
}

/* ---- __GFP_NOFAIL: never NULL ------------------------------------------------ */

/*
 * Every page and kmalloc() allocation that may fail does: a __GFP_NOFAIL
 * caller still gets its object, from any cache order (order-0, order-2 and
 * order-3 slabs), through every entry point.
 */
TEST(nofail_never_returns_null)
{
	static const unsigned int sizes[] = { 64, 1000, 5000, 10000 };
	const gfp_t nofail = GFP_KERNEL | __GFP_NOFAIL;
	struct hakmem_cache *s;
	unsigned int i, k, nr, nulls;
	void **objs, *p;
	int nid;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		s = hakmem_cache_create("t-nofail", sizes[i], 0, 0, NULL);
		REQUIRE(s);
		nr = 3 * (s->capacity << HAKMEM_SS_SLABS_SHIFT) + 1;
		objs = calloc(nr, sizeof(void *));
		REQUIRE(objs);
		hk_page_fail_set(0, 0);
		hk_kmalloc_fail_set(0);
		/* The failures are real for everyone else. */
		CHECK(hakmem_cache_alloc(s, GFP_KERNEL | __GFP_NOWARN) == NULL);
		for (k = 0, nulls = 0; k < nr; k++) {
			objs[k] = hakmem_cache_alloc(s, nofail);
			nulls += !objs[k];
		}
		CHECK_EQ(nulls, 0);
		hakmem_cache_free_bulk(s, nr, objs);
		hakmem_cache_shrink(s);
		CHECK_EQ(hakmem_cache_alloc_bulk(s, nofail, nr, objs), nr);
		hakmem_cache_free_bulk(s, nr, objs);
		hakmem_cache_shrink(s);
		for_each_online_node(nid) {
			p = hakmem_cache_alloc_node(s, nofail, nid);
			CHECK(p != NULL);
			hakmem_cache_free(s, p);
			hakmem_cache_shrink(s);
		}
		hk_page_fail_set(-1, 0);
		hk_kmalloc_fail_set(-1);
		free(objs);
		hakmem_cache_destroy(s);
	}
	/* hakmem_alloc(): a tiny class grows the same way. */
	hk_page_fail_set(0, 0);
	hk_kmalloc_fail_set(0);
	objs = calloc(4096, sizeof(void *));
	REQUIRE(objs);
	for (k = 0, nulls = 0; k < 4096; k++) {
		objs[k] = hakmem_alloc(256, nofail);
		nulls += !objs[k];
	}
	CHECK_EQ(nulls, 0);
	hk_page_fail_set(-1, 0);
	hk_kmalloc_fail_set(-1);
	for (k = 0; k < 4096; k++)
		hakmem_free(objs[k]);
	free(objs);
}

/* ---- gfp flags the tiny classes cannot honour --------------------------------- */

/*
 * kmalloc() charges __GFP_ACCOUNT to the memcg and serves GFP_DMA from
 * ZONE_DMA; hakmem_alloc() passes such calls to it, whatever the size,
 * and hakmem_free() / hakmem_ksize() take the result.  __GFP_DMA32 and
 * __GFP_HIGHMEM, which kmalloc() strips with a warning, are refused, and
 * so is every one of them by the cache API.
 */
TEST(gfp_account_and_dma_go_to_kmalloc)
{
	static const gfp_t to_kmalloc[] = {
		GFP_KERNEL_ACCOUNT, GFP_KERNEL | GFP_DMA, GFP_ATOMIC | __GFP_ACCOUNT,
		GFP_KERNEL_ACCOUNT | __GFP_ZERO,
	};
	static const size_t sizes[] = { 1, 8, 64, 1000, 1024, 1025, 5000 };
	struct hakmem_cache *s = hakmem_cache_create("t-gfp", 64, 0, 0, NULL);
	unsigned int i, j;
	void *objs[4];
	u8 *p;
	int nid;

	REQUIRE(s);
	for (i = 0; i < ARRAY_SIZE(to_kmalloc); i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			hk_kmalloc_last_gfp = 0;
			p = hakmem_alloc(sizes[j], to_kmalloc[i]);
			REQUIRE(p);
			CHECK(!hk_in_arena(p));		/* not a SuperSlab's */
			CHECK_EQ(hk_kmalloc_last_gfp, to_kmalloc[i]);
			CHECK(hakmem_ksize(p) >= sizes[j]);
			if (to_kmalloc[i] & __GFP_ZERO)
				CHECK(!memchr_inv(p, 0, sizes[j]));
			memset(p, 0x3c, sizes[j]);
			hakmem_free(p);
		}
		for_each_online_node(nid) {
			hk_kmalloc_last_gfp = 0;
			p = hakmem_alloc_node(64, to_kmalloc[i], nid);
			REQUIRE(p);
			CHECK(!hk_in_arena(p));
			CHECK_EQ(hk_kmalloc_last_gfp, to_kmalloc[i]);
			hakmem_free(p);
		}
	}
	/* Plain GFP_KERNEL still comes from the tiny classes. */
	p = hakmem_alloc(64, GFP_KERNEL);
	REQUIRE(p);
	CHECK(hk_in_arena(p));
	hakmem_free(p);

	/* Refused: NULL and a warning naming the cache, nothing allocated. */
	hk_log_clear();
	CHECK(hakmem_alloc(64, GFP_KERNEL | GFP_DMA32) == NULL);
	CHECK(hk_log_contains("cache hakmem-64: refused"));
	CHECK(hakmem_alloc(5000, GFP_KERNEL | GFP_DMA32) == NULL);
	CHECK(hakmem_alloc_node(64, GFP_KERNEL | __GFP_HIGHMEM, 0) == NULL);
	hk_log_clear();
	CHECK(hakmem_cache_alloc(s, GFP_KERNEL_ACCOUNT) == NULL);
	CHECK(hk_log_contains("cache t-gfp: refused"));
	CHECK(hakmem_cache_alloc(s, GFP_KERNEL | GFP_DMA) == NULL);
	CHECK(hakmem_cache_alloc(s, GFP_KERNEL | GFP_DMA32) == NULL);
	CHECK(hakmem_cache_alloc(s, GFP_KERNEL | __GFP_NOFAIL | __GFP_ACCOUNT) == NULL);
	CHECK(hakmem_cache_alloc_node(s, GFP_KERNEL_ACCOUNT, 0) == NULL);
	CHECK(hakmem_cache_zalloc(s, GFP_KERNEL | GFP_DMA) == NULL);
	CHECK_EQ(hakmem_cache_alloc_bulk(s, GFP_KERNEL_ACCOUNT, 4, objs), 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_ALLOC_HIT) + hakmem_stat_sum(s, HAKMEM_ALLOC_MISS), 0);
	CHECK_EQ(hk_cache_ss(s), 0);
	hakmem_cache_destroy(s);
}

/* ---- tests that "make mutate" asked for (mutants.py names the bug) ------- */

static unsigned int hk_magazine_overfull(struct hakmem_cache *s)
{
	unsigned int over = 0;
	int cpu;

	for (cpu = 0; cpu < hk_nr_cpus; cpu++)
		over += per_cpu_ptr(s->pcp, cpu)->count > s->mag_size;
	return over;
}

/* magazine_overflows_by_one, stash_overflows_by_one, bulk_lean_magazine_overflow */
TEST(magazine_never_overfills)
{
	struct hakmem_cache *s = hakmem_cache_create("t-mag", 64, 0, 0, NULL);
	unsigned int i, n, over = 0;
	void **objs;

	REQUIRE(s);
	hk_bind(0);
	n = 2 * s->mag_size;
	objs = hk_alloc_array(s, n, n);
	/* frees fill the magazine and flush it, again and again */
	for (i = 0; i < n; i++) {
		hakmem_cache_free(s, objs[i]);
		over += hk_magazine_overfull(s);
	}
	CHECK_EQ(over, 0);
	/* A bulk free of one object more than an empty magazine holds. */
	hakmem_drain_all(s);
	for (i = 0; i <= s->mag_size; i++)
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	hakmem_drain_all(s);
	REQUIRE(per_cpu_ptr(s->pcp, 0)->count == 0);
	hakmem_cache_free_bulk(s, s->mag_size + 1, objs);
	CHECK_EQ(hk_magazine_overfull(s), 0);
	CHECK(per_cpu_ptr(s->pcp, 0)->count <= s->mag_size);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	free(objs);
	/*
	 * A bulk allocation of one object more than the cache holds fails
	 * half-way and stashes what it took, one by one.
	 */
	n = hakmem_nodes_sum(s, nr_slabs) * s->capacity + 1;
	objs = calloc(n, sizeof(void *));
	REQUIRE(objs);
	hk_page_fail_set(0, 0);
	CHECK_EQ(hakmem_cache_alloc_bulk(s, GFP_KERNEL | __GFP_NOWARN, n, objs), 0);
	hk_page_fail_set(-1, 0);
	CHECK_EQ(hk_magazine_overfull(s), 0);
	CHECK(per_cpu_ptr(s->pcp, 0)->count > 0);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	free(objs);
	hakmem_cache_destroy(s);
}

/* remote_free_into_magazine, magazine_top_node_unchecked */
TEST(grow_on_another_node_fills_magazine)
{
	struct hakmem_cache *s = hakmem_cache_create("t-grow-remote", 64, 0, 0, NULL);
	struct hakmem_cpu_cache *pc;
	unsigned int i, count;
	void *p, *q;

	REQUIRE(s && nr_node_ids > 1);
	hk_bind(0);
	REQUIRE(numa_mem_id() == 0);
	hk_node_full_set(1UL << 0);	/* node 0 has no page left: grow on node 1 */
	p = hakmem_cache_alloc(s, GFP_KERNEL);
	hk_node_full_set(0);
	REQUIRE(p);
	CHECK_EQ(page_to_nid(virt_to_page(p)), 1);
	/* node 0 has no page: the batch the grow brought serves CPU 0 */
	pc = per_cpu_ptr(s->pcp, 0);
	count = pc->count;
	CHECK(count > 0);
	for (i = 0; i < count; i++)
		CHECK_EQ(page_to_nid(virt_to_page(pc->objs[i])), 1);
	/* but a free of a node-1 object on CPU 0 still goes to its slab */
	hakmem_cache_free(s, p);
	CHECK_EQ(pc->count, count);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_FREE_MISS), 1);
	/* node 0 has pages again: asked for, node 0 gets its own object */
	msleep(HAKMEM_NO_PAGES_MS + 10);
	q = hakmem_cache_alloc_node(s, GFP_KERNEL, 0);
	REQUIRE(q);
	CHECK_EQ(page_to_nid(virt_to_page(q)), 0);
	CHECK_EQ(pc->count, count);
	hakmem_cache_free(s, q);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

/* slab_tail_passes_as_object */
TEST(free_into_slab_tail_refused)
{
	struct hakmem_cache *s = hakmem_cache_create("t-tail", 48, 0, 0, NULL);
	struct hakmem_slab *slab;
	void *a, *tail;

	REQUIRE(s);
	/* 48-byte objects leave the end of a slab unused */
	REQUIRE(s->capacity * hakmem_stride(s) + hakmem_stride(s) > hakmem_slab_bytes(s));
	REQUIRE(s->capacity * hakmem_stride(s) < hakmem_slab_bytes(s));
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a && (slab = hk_slab_of(a)));
	tail = hakmem_slab_obj(s, hakmem_slab_ss(slab), slab, s->capacity);
	hk_expect_errors();
	hakmem_cache_free(s, tail);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 1);
	CHECK(hk_log_contains("not the start of an object"));
	hakmem_cache_free(s, a);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

/* tiny_interior_check_half */
TEST(tiny_interior_free_refused)
{
	unsigned int i;

	hk_expect_errors();
	for (i = 0; i < HAKMEM_NR_TINY; i++) {
		unsigned int size = hakmem_tiny_sizes[i];
		struct hakmem_cache *t = hakmem_tiny_cache(size);
		u8 *p = hakmem_alloc(size, GFP_KERNEL);

		REQUIRE(p);
		hakmem_free(p + size / 2);
		CHECK_EQ(hakmem_stat_sum(t, HAKMEM_INVALID_FREE), 1);
		if (size > 16) {	/* a word in, where a header would end */
			hakmem_free(p + 8);
			CHECK_EQ(hakmem_stat_sum(t, HAKMEM_INVALID_FREE), 2);
		}
		hakmem_free(p);
		CHECK_EQ(hakmem_stat_sum(t, HAKMEM_DOUBLE_FREE), 0);
		hakmem_drain_all(t);
		CHECK_EQ(hk_cache_inuse(t), 0);
	}
	CHECK(hk_log_contains("not the start of an object"));
}

/* fresh_objects_untagged */
TEST(free_of_never_allocated_object_refused)
{
	struct hakmem_cache *s = hakmem_cache_create("t-fresh", 100, 0, 0, NULL);
	struct hakmem_slab *slab;
	void *a, *never;

	REQUIRE(s);
	a = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(a && (slab = hk_slab_of(a)));
	/* the slab's last object has never left it */
	REQUIRE(slab->carved < s->capacity);
	never = hakmem_slab_obj(s, hakmem_slab_ss(slab), slab, s->capacity - 1);
	hk_expect_errors();
	hakmem_cache_free(s, never);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 1);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
	hakmem_cache_free(s, a);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

/*
 * bulk_lean_made_end_unchecked, bulk_lean_tag_unchecked,
 * bulk_lean_interior_unchecked, bulk_lean_cache_unchecked,
 * bulk_lean_remote_node, bulk_lean_non_pow2_interior
 *
 * A bulk free checks every object as hakmem_cache_free() does, also
 * within a run of one SuperSlab: a second copy of an object in the same
 * call, an object freed before, an interior pointer, another cache's
 * object, an object never handed out, memory hakmem does not own; and
 * another node's object goes to its slab, not into the magazine.
 */
static void hk_bulk_free_checks(unsigned int size)
{
	struct hakmem_cache *s = hakmem_cache_create("t-bulk-check", size, 0, 0, NULL);
	struct hakmem_cache *o = hakmem_cache_create("t-bulk-other", size, 0, 0, NULL);
	struct hakmem_cpu_cache *pc;
	struct hakmem_slab *slab;
	void *a[8], *v[16], *other, *never, *remote, *foreign;
	unsigned int i, n = 0, count;

	REQUIRE(s && o && nr_node_ids > 1);
	hk_bind(hk_nr_cpus - 1);
	REQUIRE(numa_mem_id() == 1);
	REQUIRE((remote = hakmem_cache_alloc(s, GFP_KERNEL)));
	hk_bind(0);
	REQUIRE(numa_mem_id() == 0);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		REQUIRE((a[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	REQUIRE((other = hakmem_cache_alloc(o, GFP_KERNEL)));
	REQUIRE((slab = hk_slab_of(a[0])));
	REQUIRE(slab->carved < s->capacity);
	never = hakmem_slab_obj(s, hakmem_slab_ss(slab), slab, s->capacity - 1);
	REQUIRE((foreign = kmalloc(size, GFP_KERNEL)));
	hakmem_cache_free(s, a[7]);		/* freed before the call */

	v[n++] = a[0];
	v[n++] = a[1];
	v[n++] = a[0];				/* twice in one call */
	v[n++] = a[2];
	v[n++] = (u8 *)a[3] + 8;		/* interior */
	v[n++] = a[4];
	v[n++] = never;				/* never handed out */
	v[n++] = a[5];
	v[n++] = other;				/* another cache's */
	v[n++] = a[6];
	v[n++] = a[7];				/* freed before */
	v[n++] = remote;			/* node 1's, on node 0 */
	v[n++] = a[3];
	v[n++] = foreign;			/* not hakmem's */
	pc = per_cpu_ptr(s->pcp, 0);
	count = pc->count;
	hk_expect_errors();
	hakmem_cache_free_bulk(s, n, v);
	/* a[0..6] went into the magazine, nothing else */
	CHECK_EQ(pc->count, count + 7);
	for (i = count; i < pc->count; i++)
		CHECK_EQ(page_to_nid(virt_to_page(pc->objs[i])), 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 3);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 3);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_FREE_MISS), 1);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_FREE_HIT), 8);
	hakmem_cache_free(o, other);
	kfree(foreign);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
	hakmem_cache_destroy(o);
}

TEST(bulk_free_checks_each_object)
{
	hk_bulk_free_checks(64);	/* a power-of-two stride: a mask */
	hk_bulk_free_checks(96);	/* any other: a division */
}

/*
 * A bulk free of more objects than a magazine holds flushes in the middle
 * of its loop: every object still counts as one free hit, no more, no
 * fewer (bulk_hits_flush_counted, bulk_hits_not_counted).
 */
TEST(bulk_free_counts_every_hit)
{
	struct hakmem_cache *s = hakmem_cache_create("t-bulkhits", 64, 0, 0, NULL);
	unsigned long before;
	unsigned int n;
	void **p;

	REQUIRE(s);
	hk_bind(0);
	n = 3 * s->mag_size + 5;
	p = calloc(n, sizeof(void *));
	REQUIRE(p);
	REQUIRE(hakmem_cache_alloc_bulk(s, GFP_KERNEL, n, p) == (int)n);
	before = hakmem_stat_sum(s, HAKMEM_FREE_HIT);
	hakmem_cache_free_bulk(s, n, p);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_FREE_HIT) - before, n);
	free(p);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

/* bulk_free_null_not_skipped */
TEST(bulk_free_skips_null)
{
	struct hakmem_cache *s = hakmem_cache_create("t-bulk-null", 64, 0, 0, NULL);
	void *objs[5] = { NULL };

	REQUIRE(s);
	REQUIRE((objs[1] = hakmem_cache_alloc(s, GFP_KERNEL)));
	REQUIRE((objs[3] = hakmem_cache_alloc(s, GFP_KERNEL)));
	hakmem_cache_free_bulk(s, ARRAY_SIZE(objs), objs);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

/*
 * Damage the free word of the object at the head of a slab's free list,
 * then allocate: the slab must be quarantined, counted as corruption,
 * never hand out again, even once its other objects come back, and those
 * must still free cleanly.  @forge_link: the word keeps a valid tag but
 * links past the slab, onto an object of a later slab that still carries
 * its own free tag; else the user wrote -1 there after the free (a link
 * that ends the list, a tag that is wrong).
 */
static void hk_quarantine_case(unsigned int size, bool forge_link)
{
	struct hakmem_cache *s = hakmem_cache_create("t-quarantine", size, 0, 0, NULL);
	struct hakmem_superslab *ss;
	struct hakmem_slab *slab;
	unsigned int i, n, cap, from_slab = 0, nheld;
	void **held;
	unsigned long *fp;
	void *head, **objs;
	char msg[96];

	REQUIRE(s);
	hk_bind(0);
	/* a slab of a SuperSlab of full size, not of the first one-slab one */
	held = hk_hold_first_superslab(s, &nheld);
	REQUIRE(held);
	cap = s->capacity;
	n = 4 * cap;
	objs = hk_alloc_array(s, 2 * cap, n);
	slab = hk_slab_of(objs[0]);
	REQUIRE(slab && slab->inuse == cap);	/* all of its objects are out */
	ss = hakmem_slab_ss(slab);
	/* two objects back to the slab: its free list holds them */
	hakmem_cache_free(s, objs[0]);
	hakmem_cache_free(s, objs[1]);
	hakmem_drain_all(s);
	REQUIRE(slab->free_head != HAKMEM_FP_END);
	head = hakmem_slab_obj(s, ss, slab, slab->free_head);
	fp = hakmem_fp(s, head);
	if (forge_link) {
		REQUIRE(slab->idx + 2U < ss->nr_slabs && 2 * cap + 1 < HAKMEM_FP_END);
		*fp = hakmem_free_word(ss, head, 2 * cap + 1);
	} else {
		*fp = ~0UL;
	}
	hk_expect_errors();
	REQUIRE((objs[0] = hakmem_cache_alloc(s, GFP_KERNEL)));
	CHECK(hk_slab_of(objs[0]) != slab);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 1);
	/* found at the damaged object itself, before anything was handed out */
	snprintf(msg, sizeof(msg), "free list damaged at object %p: slab quarantined", head);
	CHECK(hk_log_contains(msg));
	CHECK(slab->quarantined);
	/* every other object of the slab comes back: it still never hands out */
	for (i = 2; i < 2 * cap; i++)
		hakmem_cache_free(s, objs[i]);
	hakmem_drain_all(s);
	for (i = 1; i < n; i++) {
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
		from_slab += hk_slab_of(objs[i]) == slab;
	}
	CHECK_EQ(from_slab, 0);
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, objs[i]);
	hk_release_first_superslab(s, held, nheld);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 0);
	free(objs);
	hakmem_cache_destroy(s);
}

/* quarantine_not_applied, quarantined_slab_refilled, damaged_free_word_unchecked */
TEST(damaged_free_word_quarantines_slab)
{
	hk_quarantine_case(200, false);
}

/* bad_free_link_unchecked */
TEST(bad_free_link_quarantines_slab)
{
	hk_quarantine_case(64, true);
}

/* put_unlinks_busy_superslab: the reserve of one unused SuperSlab per node */
TEST(emptied_cache_keeps_one_superslab)
{
	struct hakmem_cache *s = hakmem_cache_create("t-reserve", 64, 0, 0, NULL);
	unsigned int i, n;
	void **objs;

	REQUIRE(s);
	hk_bind(0);
	/* three SuperSlabs' worth: more slabs go FREE than stay EMPTY */
	n = 3 * (s->capacity << HAKMEM_SS_SLABS_SHIFT);
	objs = hk_alloc_array(s, n, n);
	REQUIRE(hakmem_nodes_sum(s, nr_ss) >= 3);
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, objs[i]);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	CHECK_EQ(hakmem_nodes_sum(s, nr_empty), HAKMEM_EMPTY_KEEP);
	CHECK_EQ(hakmem_nodes_sum(s, nr_ss_unused), 1);
	CHECK_EQ(hakmem_cache_shrink(s), 0);
	CHECK_EQ(hakmem_nodes_sum(s, nr_ss_unused), 0);
	free(objs);
	hakmem_cache_destroy(s);
}

/*
 * ss_want_always_full, ss_grow_no_ramp, fallback_counted_against_max: a
 * cache's first SuperSlabs on a node are one slab, the next ones add half
 * what the node holds up to full size, and a shrunk cache starts small
 * again.
 */
TEST(first_superslabs_ramp_up)
{
	static const unsigned int want[] = { 1, 1, 1, 1, 2, 2, 4, 4, 8 };
	struct hakmem_cache *s = hakmem_cache_create("t-first", 64, 0, 0, NULL);
	struct hakmem_superslab *ss;
	struct hakmem_slab *slab;
	unsigned int i, n, k, round;
	void **objs;

	REQUIRE(s);
	REQUIRE(s->ss_order - s->slab_order == 3);
	hk_bind(0);
	/* one object more than 16 slabs: 1 + 1 + 1 + 1 + 2 + 2 + 4 + 4 + 8 */
	n = 16 * s->capacity + 1;
	objs = calloc(n, sizeof(void *));
	REQUIRE(objs);
	for (round = 0; round < 2; round++) {
		REQUIRE((objs[0] = hakmem_cache_alloc(s, GFP_KERNEL)));
		slab = hk_slab_of(objs[0]);
		REQUIRE(slab);
		CHECK_EQ(hakmem_slab_ss(slab)->nr_slabs, 1);
		CHECK_EQ(hk_cache_pages(s), 1UL << s->slab_order);
		for (i = 1; i < n; i++)
			REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
		CHECK_EQ(hk_cache_ss(s), ARRAY_SIZE(want));
		CHECK_EQ(hk_cache_pages(s), 24UL << s->slab_order);
		/* the node's list, newest first */
		k = ARRAY_SIZE(want);
		list_for_each_entry(ss, &s->node[0]->ss_list, list)
			if (k)
				CHECK_EQ(ss->nr_slabs, want[--k]);
		CHECK_EQ(hakmem_stat_sum(s, HAKMEM_SS_FALLBACK), 0);
		for (i = 0; i < n; i++)
			hakmem_cache_free(s, objs[i]);
		hakmem_cache_shrink(s);
		CHECK_EQ(hk_cache_ss(s), 0);
	}
	free(objs);
	hakmem_cache_destroy(s);
}

/*
 * A slab carved on a CPU is hinted there before any free: the first free
 * into each of its pages finds the SuperSlab from the hint.
 */
TEST(fresh_slab_pages_hinted)
{
	static const unsigned int sizes[] = { 64, 2944 };
	struct hakmem_ss_hints *hints;
	struct hakmem_superslab *ss;
	struct hakmem_slab *slab;
	struct hakmem_cache *s;
	unsigned int k, i;
	void *a, *base;

	hk_bind(0);
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		s = hakmem_cache_create("t-hinted", sizes[k], 0, 0, NULL);
		REQUIRE(s);
		REQUIRE((a = hakmem_cache_alloc(s, GFP_KERNEL)));
		slab = hk_slab_of(a);
		REQUIRE(slab);
		ss = hakmem_slab_ss(slab);
		base = hakmem_slab_base(s, ss, slab);
		CHECK(k == 0 || s->slab_order > 0);
		hints = per_cpu_ptr(&hakmem_ss_hints, 0);
		for (i = 0; i < 1U << s->slab_order; i++)
			CHECK(hints->slot[hakmem_ss_hint_slot(base + i * PAGE_SIZE)] ==
			      hakmem_ss_slot(ss->id));
		/* another vCPU learnt nothing */
		hints = per_cpu_ptr(&hakmem_ss_hints, 1);
		CHECK(hints->slot[hakmem_ss_hint_slot(a)] != hakmem_ss_slot(ss->id));
		hakmem_cache_free(s, a);
		hakmem_cache_destroy(s);
	}
}

/* hint_range_off_by_one */
TEST(free_at_next_superslab_start)
{
	struct hakmem_cache *s = hakmem_cache_create("t-adjacent", 9000, 0, 0, NULL);
	struct hakmem_superslab *a = NULL, *b = NULL, *x, *y;
	unsigned int i, j, n;
	void **objs;

	REQUIRE(s);
	hk_bind(0);
	n = 2 * (s->capacity << HAKMEM_SS_SLABS_SHIFT);
	objs = hk_alloc_array(s, n, n);
	for (i = 0; i < n && !b; i++)
		for (j = 0; j < n && !b; j++) {
			x = hakmem_slab_ss(hk_slab_of(objs[i]));
			y = hakmem_slab_ss(hk_slab_of(objs[j]));
			if (y->base == x->base + (PAGE_SIZE << x->order))
				a = x, b = y;
		}
	REQUIRE(b);	/* the buddy allocator gave them side by side */
	/*
	 * The hint of the next one's first byte names the first one, as a
	 * hint slot shared by both would after a free into the first.
	 */
	per_cpu_ptr(&hakmem_ss_hints, 0)->slot[hakmem_ss_hint_slot(b->base)] =
		hakmem_ss_slot(a->id);
	/* an object of the first one, then the first object of the next */
	for (i = 0; i < n; i++)
		if (objs[i] == a->base || objs[i] == b->base)
			hakmem_cache_free(s, objs[i]);
	for (i = 0; i < n; i++)
		if (objs[i] != a->base && objs[i] != b->base)
			hakmem_cache_free(s, objs[i]);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
	CHECK_EQ(hakmem_cache_shrink(s), 0);
	free(objs);
	hakmem_cache_destroy(s);
}

/*
 * remade_object_damage_unchecked: a stray write into a free object of a
 * slab that went back to its SuperSlab is caught when the slab carves
 * that object again in its next trip.
 */
TEST(write_into_released_slab_caught_on_reuse)
{
	struct hakmem_cache *s = hakmem_cache_create("t-remade", 64, 0, 0, NULL);
	struct hakmem_slab *slab;
	unsigned int nheld;
	void **held;
	unsigned int i, n, cap;
	void **p, *keep = NULL;
	char msg[96];
	u8 *victim;

	REQUIRE(s);
	hk_bind(0);
	/* objects of a SuperSlab of full size, not of the first one-slab one */
	held = hk_hold_first_superslab(s, &nheld);
	REQUIRE(held);
	cap = s->capacity;
	n = 4 * cap;
	p = hk_alloc_array(s, 2 * cap, n);
	slab = hk_slab_of(p[0]);
	REQUIRE(slab->inuse == cap);
	/* one object of another slab keeps the SuperSlab */
	for (i = 0; i < 2 * cap; i++)
		if (!keep && hk_slab_of(p[i]) != slab)
			keep = p[i];
		else
			hakmem_cache_free(s, p[i]);
	REQUIRE(keep);
	CHECK_EQ(hakmem_cache_shrink(s), 1);
	REQUIRE(slab->state == HAKMEM_SLAB_FREE && slab->made == cap);
	victim = hakmem_slab_obj(s, hakmem_slab_ss(slab), slab, cap / 2);
	memset(victim, 0, 8);	/* a stray write into a free object */
	hk_expect_errors();
	for (i = 0; i < n; i++)
		REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 1);
	CHECK(slab->quarantined);
	snprintf(msg, sizeof(msg), "free list damaged at object %p", victim);
	CHECK(hk_log_contains(msg));
	CHECK_EQ(hk_dups(p, n), 0);
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, p[i]);
	hakmem_cache_free(s, keep);
	hk_release_first_superslab(s, held, nheld);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	free(p);
	hakmem_cache_destroy(s);
}

/* ---- NUMA: a node short of pages, memoryless and movable-only nodes ------ */

/* Objects of one SuperSlab of @s at the preferred order. */
static unsigned int hk_ss_objs(struct hakmem_cache *s)
{
	return s->capacity << (s->ss_order - s->slab_order);
}

/*
 * Most allocations hit the magazine: a miss brings at least half a batch
 * (a refill from a fresh SuperSlab brings fewer than a whole one).
 */
static void hk_mostly_hits(struct hakmem_cache *s, unsigned int nr)
{
	unsigned long misses = DIV_ROUND_UP(nr, s->batch / 2) + 1;

	CHECK(hakmem_stat_sum(s, HAKMEM_ALLOC_MISS) <= misses);
	CHECK(hakmem_stat_sum(s, HAKMEM_ALLOC_HIT) >= nr - misses);
}

static void hk_numa_report(const char *what, struct hakmem_cache *s)
{
	printf("  %s: superslab_alloc=%lu expand_race_lost=%lu alloc_hit=%lu alloc_miss=%lu free_hit=%lu free_miss=%lu\n",
	       what, hakmem_stat_sum(s, HAKMEM_SS_ALLOC), hakmem_stat_sum(s, HAKMEM_EXPAND_RACE),
	       hakmem_stat_sum(s, HAKMEM_ALLOC_HIT), hakmem_stat_sum(s, HAKMEM_ALLOC_MISS),
	       hakmem_stat_sum(s, HAKMEM_FREE_HIT), hakmem_stat_sum(s, HAKMEM_FREE_MISS));
}

/*
 * @nr allocations from @s (on @node, or NUMA_NO_NODE) build no more
 * SuperSlabs than the objects need, lose no expansion race (nothing else
 * uses the cache), and give back every object.
 */
static void hk_alloc_no_churn(struct hakmem_cache *s, int node, unsigned int nr,
			      const char *what)
{
	void **objs = calloc(nr, sizeof(void *));
	unsigned int i;

	REQUIRE(objs);
	for (i = 0; i < nr; i++) {
		objs[i] = node == NUMA_NO_NODE ? hakmem_cache_alloc(s, GFP_KERNEL) :
						 hakmem_cache_alloc_node(s, GFP_KERNEL, node);
		REQUIRE(objs[i]);
	}
	hk_numa_report(what, s);
	/* + the ramp: two full SuperSlabs' worth come as 1, 1, 1, 1, 2, 2, 4, 4 slabs */
	CHECK(hakmem_stat_sum(s, HAKMEM_SS_ALLOC) <=
	      DIV_ROUND_UP(nr, hk_ss_objs(s)) + 1 + 2 * HAKMEM_SS_SLABS_SHIFT);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_EXPAND_RACE), 0);
	for (i = 0; i < nr; i++)
		hakmem_cache_free(s, objs[i]);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 0);
	free(objs);
}

TEST(exhausted_node_no_superslab_churn)
{
	struct hakmem_cache *s = hakmem_cache_create("t-full0", 64, 0, 0, NULL);

	REQUIRE(s && nr_node_ids >= 2);
	hk_bind(0);
	REQUIRE(numa_mem_id() == 0);
	hk_node_full_set(1UL << 0);
	hk_alloc_no_churn(s, NUMA_NO_NODE, 1000, "node 0 full, 1000 allocations on CPU 0");
	/* Other nodes' objects fill the magazine: most allocations hit it. */
	hk_mostly_hits(s, 1000);
	CHECK(hakmem_stat_sum(s, HAKMEM_REFILL_REMOTE) >= 1);
	/* Past the hint's time the node is asked again: no pages, no SuperSlab. */
	msleep(HAKMEM_NO_PAGES_MS + 10);
	{
		unsigned long built = hakmem_stat_sum(s, HAKMEM_SS_ALLOC);
		void *p[100];
		unsigned int i;

		REQUIRE(hk_cache_ss(s) >= 1);
		for (i = 0; i < ARRAY_SIZE(p); i++)
			REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
		CHECK_EQ(hakmem_stat_sum(s, HAKMEM_SS_ALLOC), built);
		CHECK_EQ(hakmem_stat_sum(s, HAKMEM_EXPAND_RACE), 0);
		hakmem_cache_free_bulk(s, ARRAY_SIZE(p), p);
	}
	hk_node_full_set(0);
	hakmem_cache_destroy(s);
}

TEST(exhausted_node_alloc_node_no_churn)
{
	struct hakmem_cache *s = hakmem_cache_create("t-full1", 64, 0, 0, NULL);

	REQUIRE(s && nr_node_ids >= 2);
	hk_bind(0);
	hk_node_full_set(1UL << 1);
	hk_alloc_no_churn(s, 1, 1000, "node 1 full, 1000 allocations on node 1 from CPU 0");
	CHECK(hakmem_cache_alloc_node(s, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN, 1) == NULL);
	/* Once the node has pages again, its objects come again. */
	hk_node_full_set(0);
	msleep(HAKMEM_NO_PAGES_MS + 10);
	{
		void *p = hakmem_cache_alloc_node(s, GFP_KERNEL, 1);

		REQUIRE(p);
		CHECK_EQ(page_to_nid(virt_to_page(p)), 1);
		hakmem_cache_free(s, p);
	}
	hakmem_cache_destroy(s);
}

TEST(movable_only_node_is_no_slab_node)
{
	struct hakmem_cache *s = hakmem_cache_create("t-movable", 64, 0, 0, NULL);

	REQUIRE(s && nr_node_ids >= 2);
	hk_bind(0);
	/* N_MEMORY, not N_NORMAL_MEMORY: no page for a kernel allocation. */
	hk_node_set(1, HK_NODE_MOVABLE);
	REQUIRE(node_state(1, N_MEMORY) && !node_state(1, N_NORMAL_MEMORY));
	hk_alloc_no_churn(s, 1, 1000, "node 1 movable-only, 1000 allocations on node 1");
	hk_mostly_hits(s, 1000);	/* NUMA_NO_NODE: the magazine */
	CHECK(hakmem_cache_alloc_node(s, GFP_KERNEL | __GFP_THISNODE, 1) == NULL);
	hk_node_set(1, 0);
	hakmem_cache_destroy(s);
}

TEST(memoryless_node_cpu_keeps_nearest_node_objects)
{
	struct hakmem_cache *s = hakmem_cache_create("t-memless", 64, 0, 0, NULL);
	int cpu = hk_nr_cpus - 1;

	REQUIRE(s && nr_node_ids >= 2);
	hk_node_set(1, HK_NODE_MEMLESS);
	hk_bind(cpu);
	/* As on x86: numa_mem_id() of a memoryless node's CPU is that node. */
	REQUIRE(numa_mem_id() == 1 && !node_state(1, N_MEMORY));
	hk_alloc_no_churn(s, NUMA_NO_NODE, 1000, "node 1 memoryless, 1000 allocations and frees on its CPU");
	hk_mostly_hits(s, 1000);
	/* The nearest node's objects are this CPU's own: frees keep them. */
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_FREE_MISS), 0);
	hk_node_set(1, 0);
	hakmem_cache_destroy(s);
}

/*
 * numa_mem_id() changes under objects sitting in magazines (memory
 * hot-added to a memoryless node): flush, drain and a dead CPU's
 * magazine must send each object to its own node.
 */
TEST(magazine_objects_routed_by_their_node)
{
	struct hakmem_cache *s = hakmem_cache_create("t-route", 64, 0, 0, NULL);
	unsigned int i, n0, n1, on0 = 0, on1 = 0;
	struct hakmem_cpu_cache *pc;
	void **a, **b, *d[16];
	int last = hk_nr_cpus - 1;
	void *c;

	REQUIRE(s && nr_node_ids >= 2 && cpu_to_node(last) == 1);
	n0 = s->mag_size / 2;
	n1 = s->mag_size;
	a = calloc(n0, sizeof(void *));
	b = calloc(n1, sizeof(void *));
	REQUIRE(a && b);
	hk_bind(0);
	for (i = 0; i < n0; i++)
		REQUIRE((a[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	for (i = 0; i < ARRAY_SIZE(d); i++)
		REQUIRE((d[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	for (i = 0; i < n1; i++)
		REQUIRE((b[i] = hakmem_cache_alloc_node(s, GFP_KERNEL, 1)));
	CHECK_EQ(page_to_nid(virt_to_page(a[0])), 0);
	CHECK_EQ(page_to_nid(virt_to_page(b[0])), 1);
	hakmem_drain_all(s);
	for (i = 0; i < n0; i++)	/* node 0's objects into CPU 0's magazine */
		hakmem_cache_free(s, a[i]);
	CHECK_EQ(per_cpu_ptr(s->pcp, 0)->count, n0);
	hk_cpu_mem_set(0, 1);		/* CPU 0 now says node 1 */
	for (i = 0; i < n1; i++)	/* node 1's: the magazine overflows */
		hakmem_cache_free(s, b[i]);
	CHECK(hakmem_stat_sum(s, HAKMEM_FLUSH) >= 1);
	/* An explicit node never gets another node's object from a magazine. */
	c = hakmem_cache_alloc_node(s, GFP_KERNEL, 1);
	REQUIRE(c);
	CHECK_EQ(page_to_nid(virt_to_page(c)), 1);
	hakmem_cache_free(s, c);
	/* Node 0 again: its objects join node 1's in the magazine. */
	hk_cpu_mem_set(0, -1);
	for (i = 0; i < ARRAY_SIZE(d); i++)
		hakmem_cache_free(s, d[i]);
	pc = per_cpu_ptr(s->pcp, 0);
	for (i = 0; i < pc->count; i++) {
		on0 += page_to_nid(virt_to_page(pc->objs[i])) == 0;
		on1 += page_to_nid(virt_to_page(pc->objs[i])) == 1;
	}
	CHECK(on0 > 0 && on1 > 0);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	CHECK_EQ(s->node[0]->nr_inuse, 0);
	CHECK_EQ(s->node[1]->nr_inuse, 0);

	/* A dead CPU's magazine, after its node changed. */
	hk_bind(last);
	c = hakmem_cache_alloc(s, GFP_KERNEL);
	REQUIRE(c);
	CHECK_EQ(page_to_nid(virt_to_page(c)), 1);
	hakmem_cache_free(s, c);
	CHECK(per_cpu_ptr(s->pcp, last)->count > 0);
	hk_cpu_mem_set(last, 0);
	hk_bind(0);
	CHECK_EQ(hk_cpu_down(last), 0);
	CHECK_EQ(per_cpu_ptr(s->pcp, last)->count, 0);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hk_cpu_mem_set(last, -1);
	CHECK_EQ(hk_cpu_up(last), 0);
	free(a);
	free(b);
	hakmem_cache_destroy(s);
}

/* ---- bulk: the count must fit the int it is returned in -------------------- */

TEST(bulk_alloc_count_limit)
{
	struct hakmem_cache *s = hakmem_cache_create("t-bulkmax", 64, 0, 0, NULL);
	void *objs[4];

	REQUIRE(s);
	hk_expect_errors();
	/* No page for anyone: a call that tries to allocate fails, safely. */
	hk_page_fail_set(0, 0);
	CHECK_EQ(hakmem_cache_alloc_bulk(s, GFP_KERNEL, (size_t)INT_MAX + 1, objs), 0);
	CHECK_EQ(hakmem_cache_alloc_bulk(s, GFP_KERNEL, SIZE_MAX, objs), 0);
	/* Refused up front: no page was even asked for. */
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_EXPAND_FAIL), 0);
	CHECK(hk_log_contains("more than INT_MAX"));
	/* INT_MAX itself is a count the call accepts (and here cannot serve). */
	CHECK_EQ(hakmem_cache_alloc_bulk(s, GFP_KERNEL | __GFP_NOWARN, INT_MAX, objs), 0);
	CHECK(hakmem_stat_sum(s, HAKMEM_EXPAND_FAIL) >= 1);
	hk_page_fail_set(-1, 0);
	CHECK_EQ(hakmem_cache_alloc_bulk(s, GFP_KERNEL, ARRAY_SIZE(objs), objs), ARRAY_SIZE(objs));
	hakmem_cache_free_bulk(s, ARRAY_SIZE(objs), objs);
	CHECK_EQ(hk_cache_inuse(s) - per_cpu_ptr(s->pcp, hk_vcpu_of_thread())->count, 0);
	hakmem_cache_destroy(s);
}

/* ---- PREEMPT_RT, CPU hotplug and reclaim ---------------------------------- */

/* Every vCPU: one object out and back, so that each magazine holds some. */
static void hk_fill_magazines(struct hakmem_cache **caches, int nr)
{
	int cpu, i;

	for_each_online_cpu(cpu) {
		hk_bind(cpu);
		for (i = 0; i < nr; i++)
			hakmem_cache_free(caches[i], hakmem_cache_alloc(caches[i], GFP_KERNEL));
	}
	hk_bind(0);
}

static unsigned int hk_cpus_cached(struct hakmem_cache *s)
{
	unsigned int n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += per_cpu_ptr(s->pcp, cpu)->count != 0;
	return n;
}

/*
 * Draining runs in task context, one work item per CPU that has objects
 * cached, never in IPIs: on PREEMPT_RT the local lock sleeps.
 */
TEST(drain_by_work_items_not_ipis)
{
	struct hakmem_cache *s = hakmem_cache_create("t-drainwork", 64, 0, 0, NULL);
	unsigned long ipis, works;
	unsigned int cpus;

	REQUIRE(s);
	hk_fill_magazines(&s, 1);
	cpus = hk_cpus_cached(s);
	CHECK_EQ(cpus, hk_nr_cpus);
	ipis = hk_smp_calls_run();
	works = hk_work_items_run();
	CHECK_EQ(hakmem_cache_shrink(s), 0);
	CHECK_EQ(hk_smp_calls_run() - ipis, 0);
	CHECK_EQ(hk_work_items_run() - works, cpus);
	CHECK_EQ(hk_cpus_cached(s), 0);
	/* Nothing cached: nothing to queue. */
	works = hk_work_items_run();
	hakmem_drain_all(s);
	CHECK_EQ(hk_work_items_run() - works, 0);
	hk_fill_magazines(&s, 1);
	ipis = hk_smp_calls_run();
	hakmem_cache_destroy(s);
	CHECK_EQ(hk_smp_calls_run() - ipis, 0);
}

/* A cache destroyed while a CPU is past the online mask but not yet dead. */
struct hk_window {
	struct hakmem_cache *cache;
	int cpu;
	bool entered, was_online, done_inside;
	unsigned int held;
	pthread_t th;
	volatile bool done;
};
static struct hk_window *hk_win;

static void *hk_win_destroyer(void *arg)
{
	struct hk_window *w = arg;

	hk_vcpu_bind(0);
	hakmem_cache_destroy(w->cache);
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static int hk_win_teardown(unsigned int cpu)
{
	struct hk_window *w = hk_win;

	if (!w || (int)cpu != w->cpu)
		return 0;
	w->entered = true;
	w->was_online = cpu_online(cpu);
	w->held = per_cpu_ptr(w->cache->pcp, cpu)->count;
	pthread_create(&w->th, NULL, hk_win_destroyer, w);
	/* Until the destroy is done, or waits for the hotplug to end. */
	while (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE) && !hk_cpus_read_waiters())
		sched_yield();
	w->done_inside = __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
	return 0;
}

TEST(destroy_racing_cpu_offline)
{
	struct hk_window w = { .cpu = hk_nr_cpus - 1 };
	void *p[4];
	int state, i;

	REQUIRE(hk_nr_cpus > 1);
	w.cache = hakmem_cache_create("t-window", 96, 0, 0, NULL);
	REQUIRE(w.cache);
	hk_bind(w.cpu);
	for (i = 0; i < 4; i++)
		REQUIRE((p[i] = hakmem_cache_alloc(w.cache, GFP_KERNEL)));
	for (i = 0; i < 4; i++)
		hakmem_cache_free(w.cache, p[i]);
	hk_bind(0);
	CHECK(per_cpu_ptr(w.cache->pcp, w.cpu)->count > 0);
	CHECK_EQ(hk_cache_inuse(w.cache), per_cpu_ptr(w.cache->pcp, w.cpu)->count);
	/* Registered after hakmem's: torn down before hakmem_cpu_dead(). */
	state = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "t:window", NULL, hk_win_teardown);
	REQUIRE(state > 0);
	hk_win = &w;
	CHECK_EQ(hk_cpu_down(w.cpu), 0);
	hk_win = NULL;
	pthread_join(w.th, NULL);
	CHECK(w.entered);
	CHECK(!w.was_online);
	CHECK(w.held > 0);
	CHECK(!w.done_inside);
	CHECK(!hk_log_contains("still allocated"));
	CHECK(hk_debugfs_read("hakmem/t-window/stats") == NULL);
	cpuhp_remove_state_nocalls(state);
	CHECK_EQ(hk_cpu_up(w.cpu), 0);
}

/* A scan drains at most one magazine per page it is asked for. */
TEST(shrinker_scan_proportional)
{
	struct shrinker *shrinker = hakmem_shrinker_get();
	struct hakmem_cache *c[8];
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long works, ipis, count;
	unsigned int i, cached, rounds;

	REQUIRE(shrinker);
	for (i = 0; i < 8; i++)
		REQUIRE((c[i] = hakmem_cache_create("t-scan", 64, 0, 0, NULL)));
	hk_fill_magazines(c, 8);
	for (sc.nr_to_scan = 1; sc.nr_to_scan <= 4; sc.nr_to_scan *= 2) {
		works = hk_work_items_run();
		ipis = hk_smp_calls_run();
		sc.nr_scanned = sc.nr_to_scan;
		shrinker->scan_objects(shrinker, &sc);
		CHECK(hk_work_items_run() - works <= sc.nr_to_scan);
		CHECK_EQ(hk_smp_calls_run() - ipis, 0);
	}
	for (rounds = 0; rounds < 64; rounds++) {
		count = shrinker->count_objects(shrinker, &sc);
		if (!count || count == SHRINK_EMPTY)
			break;
		sc.nr_to_scan = sc.nr_scanned = count;
		if (shrinker->scan_objects(shrinker, &sc) == SHRINK_STOP)
			break;
	}
	for (i = 0, cached = 0; i < 8; i++) {
		cached += hk_cpus_cached(c[i]);
		CHECK_EQ(hk_cache_pages(c[i]), 0);
	}
	CHECK_EQ(cached, 0);
	for (i = 0; i < 8; i++)
		hakmem_cache_destroy(c[i]);
}

/*
 * shrink_count_unused_full_size, unused_pages_not_counted_down: the
 * shrinker counts the pages of an unused SuperSlab as they are, also for
 * a small one of a node's first.
 */
TEST(shrink_count_small_reserve)
{
	struct hakmem_cache *s = hakmem_cache_create("t-count", 64, 0, 0, NULL);
	struct shrinker *shrinker = hakmem_shrinker_get();
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long want = 0, unused = 0;
	struct hakmem_superslab *ss;
	unsigned int i, n;
	void **objs;

	REQUIRE(s && shrinker);
	hk_bind(0);
	/* 1 + 1 + 2 + 4 + 8 slabs, then all free: a small one stays unused */
	n = 8 * s->capacity + 1;
	objs = calloc(n, sizeof(void *));
	REQUIRE(objs);
	for (i = 0; i < n; i++)
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, objs[i]);
	hakmem_drain_all(s);
	list_for_each_entry(ss, &s->node[0]->ss_list, list)
		if (ss->nr_free == ss->nr_slabs)
			unused += 1UL << ss->order;
	REQUIRE(hakmem_nodes_sum(s, nr_ss_unused) == 1);
	CHECK_EQ(hakmem_nodes_sum(s, nr_pages_unused), unused);
	CHECK(unused < 1UL << s->ss_order);
	want = unused + DIV_ROUND_UP(hakmem_nodes_sum(s, nr_empty) * s->capacity *
				     hakmem_stride(s), PAGE_SIZE);
	CHECK_EQ(shrinker->count_objects(shrinker, &sc), want);
	CHECK_EQ(hakmem_cache_shrink(s), 0);
	CHECK_EQ(hakmem_nodes_sum(s, nr_pages_unused), 0);
	free(objs);
	hakmem_cache_destroy(s);
}

/* A magazine holds at most max(16 KiB, 2 objects) of objects. */
TEST(magazine_bytes_bounded)
{
	static const unsigned int sizes[] = { 8, 64, 512, 1024, 2048, 4096, 9000, 16384, 32768 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct hakmem_cache *s = hakmem_cache_create("t-magbound", sizes[i], 0, 0, NULL);
		unsigned long bytes;

		REQUIRE(s);
		bytes = (unsigned long)s->mag_size * s->layout.stride;
		CHECK(s->mag_size >= 2 && s->batch >= 1 && s->batch <= s->mag_size);
		CHECK(bytes <= max(16384UL, 2UL * s->layout.stride));
		hakmem_cache_destroy(s);
	}
}

/*
 * Giving a SuperSlab back is O(1): it writes no CPU's hints.  A hint that
 * names a SuperSlab gone since is never trusted.
 */
TEST(superslab_release_leaves_hints)
{
	struct hakmem_cache *s = hakmem_cache_create("t-hints", 64, 0, 0, NULL);
	struct hakmem_ss_hints before, after;
	unsigned int nr, i;
	void **objs;

	REQUIRE(s);
	nr = 3 * (s->capacity << HAKMEM_SS_SLABS_SHIFT);
	objs = calloc(nr, sizeof(void *));
	REQUIRE(objs);
	hk_bind(1);
	for (i = 0; i < nr; i++)
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	for (i = 0; i < nr; i++)
		hakmem_cache_free(s, objs[i]);	/* vCPU 1 learns the SuperSlabs */
	hk_bind(0);
	before = *per_cpu_ptr(&hakmem_ss_hints, 1);
	CHECK_EQ(hakmem_cache_shrink(s), 0);	/* every SuperSlab goes */
	rcu_barrier();
	after = *per_cpu_ptr(&hakmem_ss_hints, 1);
	CHECK(!memcmp(&before, &after, sizeof(before)));
	/* What makes a stale hint harmless: its registry slot is empty now. */
	for (i = 0; i < HAKMEM_SS_HINTS; i++) {
		REQUIRE(before.slot[i]);
		CHECK(!READ_ONCE(*before.slot[i]));
	}
	/* New SuperSlabs, maybe on the same pages: vCPU 1 finds them right. */
	for (i = 0; i < nr; i++)
		REQUIRE((objs[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	hk_bind(1);
	for (i = 0; i < nr; i++)
		hakmem_cache_free(s, objs[i]);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 0);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_DOUBLE_FREE), 0);
	hk_bind(0);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	free(objs);
	hakmem_cache_destroy(s);
}

/* ---- forged links met by the run-take (hakmem_slab_pop_run()) ---------- */

/*
 * A free word with a valid tag whose link names an object that is out
 * (@self: the object itself).  hakmem_slab_take() refuses to follow such a
 * link; hakmem_slab_pop_run() follows it and leaves free_head on it.  Take
 * exactly one object, give everything back, shrink: was the damage counted?
 */
/*
 * Three objects of a new slab of @s, the last two given back to it: its
 * free list starts x[2], x[1], and x[0] is out.  Return: that slab.
 */
static struct hakmem_slab *hk_two_freed_one_out(struct hakmem_cache *s, void *x[3])
{
	struct hakmem_slab *slab;
	unsigned int i;

	REQUIRE(s);
	hk_bind(0);
	for (i = 0; i < 3; i++)
		REQUIRE((x[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
	hakmem_cache_free(s, x[1]);
	hakmem_cache_free(s, x[2]);
	hakmem_drain_all(s);
	slab = hk_slab_of(x[0]);
	REQUIRE(slab && hk_slab_of(x[2]) == slab && slab->free_head == hk_obj_idx(s, x[2]));
	return slab;
}

static void hk_forged_link_out(bool self)
{
	struct hakmem_cache *s = hakmem_cache_create("t-forge-out", 64, 0, 0, NULL);
	struct hakmem_slab *slab;
	void *x[3], *y = NULL;
	unsigned long *map;

	slab = hk_two_freed_one_out(s, x);
	/* A stray write of a valid-looking free word: link to x0 (out) or itself. */
	*hakmem_fp(s, x[2]) = hakmem_free_word(hakmem_slab_ss(slab), x[2],
					       hk_obj_idx(s, self ? x[2] : x[0]));
	hk_expect_errors();
	/* One object, the magazine empty: a take of exactly one. */
	REQUIRE(hakmem_cache_alloc_bulk(s, GFP_KERNEL, 1, &y) == 1);
	CHECK(y != x[2]);			/* the damaged object stays out */
	/* ...and free: a take that stopped at it left its bit clear. */
	map = hakmem_slab_map(s, hakmem_slab_ss(slab), slab);
	CHECK(!test_bit(hk_obj_idx(s, x[2]), map));
	CHECK_EQ(bitmap_weight(map, s->capacity), slab->inuse);
	hakmem_cache_free(s, y);
	hakmem_cache_free(s, x[0]);
	hakmem_drain_all(s);
	hakmem_cache_shrink(s);
	/* The forged link was read and acted on: the project promises a report. */
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 1);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

TEST(pop_run_forged_link_to_out_object_reported)
{
	hk_forged_link_out(false);
}

TEST(pop_run_forged_self_link_reported)
{
	hk_forged_link_out(true);
}

/*
 * The list's head itself names an object that is out (metadata damaged by
 * a bug, not by a user's write: every link the takes follow is checked
 * first).  The run-take must not hand that object out a second time.
 */
TEST(pop_run_head_out_object_not_taken)
{
	struct hakmem_cache *s = hakmem_cache_create("t-head-out", 64, 0, 0, NULL);
	struct hakmem_slab *slab;
	void *x[3], *y = NULL;

	slab = hk_two_freed_one_out(s, x);
	slab->free_head = hk_obj_idx(s, x[0]);
	/* Its owner's data happens to read as a free word linking on. */
	*hakmem_fp(s, x[0]) = hakmem_free_word(hakmem_slab_ss(slab), x[0], HAKMEM_FP_END);
	hk_expect_errors();
	REQUIRE(hakmem_cache_alloc_bulk(s, GFP_KERNEL, 1, &y) == 1);
	CHECK(y != x[0]);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 1);
	hakmem_cache_free(s, y);
	hakmem_cache_free(s, x[0]);
	hakmem_drain_all(s);
	hakmem_cache_destroy(s);
}

/* An interior pointer in a bulk free: refused, and nothing read at it. */
TEST(bulk_free_interior_pointer_reads_nothing)
{
	struct hakmem_cache *s = hakmem_cache_create("t-bulk-interior", 64, 0, 0, NULL);
	void *a, *p[2];

	REQUIRE(s);
	hk_bind(0);
	REQUIRE((a = hakmem_cache_alloc(s, GFP_KERNEL)));
	REQUIRE((p[0] = hakmem_cache_alloc(s, GFP_KERNEL)));
	p[1] = (char *)p[0] + 1;	/* the run's next object: interior, unaligned */
	hk_expect_errors();
	hakmem_cache_free_bulk(s, 2, p);
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_INVALID_FREE), 1);
	hakmem_cache_free(s, a);
	hakmem_drain_all(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	hakmem_cache_destroy(s);
}

/* A forged link the run-take stops at is reported at the damaged object. */
TEST(pop_run_forged_link_report_names_damaged_object)
{
	struct hakmem_cache *s = hakmem_cache_create("t-forge-name", 64, 0, 0, NULL);
	struct hakmem_slab *slab;
	void *x[3], *y = NULL, *z;
	char msg[96];

	slab = hk_two_freed_one_out(s, x);
	*hakmem_fp(s, x[2]) = hakmem_free_word(hakmem_slab_ss(slab), x[2], hk_obj_idx(s, x[0]));
	hk_expect_errors();
	REQUIRE(hakmem_cache_alloc_bulk(s, GFP_KERNEL, 1, &y) == 1);
	REQUIRE((z = hakmem_cache_alloc(s, GFP_KERNEL)));
	CHECK_EQ(hakmem_stat_sum(s, HAKMEM_CORRUPTION), 1);
	snprintf(msg, sizeof(msg), "free list damaged at object %p", x[2]);
	CHECK(hk_log_contains(msg));	/* the damaged one, not x0 (in use) */
	snprintf(msg, sizeof(msg), "free list damaged at object %p", x[0]);
	CHECK(!hk_log_contains(msg));
	hakmem_cache_free(s, z);
	hakmem_cache_free(s, y);
	hakmem_cache_free(s, x[0]);
	hakmem_drain_all(s);
	hakmem_cache_destroy(s);
}

/* Node counters against the SuperSlabs they count, through ramps and shrinks. */
static void hk_node_counters_check(struct hakmem_cache *s)
{
	int nid;

	for_each_node(nid) {
		struct hakmem_node *n = s->node[nid];
		struct hakmem_superslab *ss;
		unsigned long pu = 0, su = 0, pages = 0, slabs = 0, fs = 0, nss = 0;

		list_for_each_entry(ss, &n->ss_list, list) {
			nss++;
			pages += 1UL << ss->order;
			slabs += ss->nr_slabs;
			fs += ss->nr_free;
			if (ss->nr_free == ss->nr_slabs) {
				su++;
				pu += 1UL << ss->order;
			}
		}
		CHECK_EQ(n->nr_ss, nss);
		CHECK_EQ(n->nr_pages, pages);
		CHECK_EQ(n->nr_slabs, slabs);
		CHECK_EQ(n->nr_free_slabs, fs);
		CHECK_EQ(n->nr_ss_unused, su);
		CHECK_EQ(n->nr_pages_unused, pu);
	}
}

TEST(node_counters_match_superslabs_through_ramp)
{
	struct hakmem_cache *s = hakmem_cache_create("t-node-count", 200, 0, 0, NULL);
	unsigned int i, r, n = 4000;
	void **p = calloc(n, sizeof(void *));
	unsigned long seed = 12345;

	REQUIRE(s && p);
	hk_bind(0);
	for (r = 0; r < 200; r++) {
		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			if ((seed >> 60) < 7)
				continue;
			if (p[i]) {
				hakmem_cache_free(s, p[i]);
				p[i] = NULL;
			} else {
				REQUIRE((p[i] = hakmem_cache_alloc(s, GFP_KERNEL)));
			}
		}
		if (r % 17 == 0)
			hakmem_drain_all(s);
		if (r % 41 == 0)
			hakmem_cache_shrink(s);
		hk_node_counters_check(s);
	}
	for (i = 0; i < n; i++)
		hakmem_cache_free(s, p[i]);
	hakmem_drain_all(s);
	hk_node_counters_check(s);
	CHECK_EQ(hk_cache_inuse(s), 0);
	free(p);
	hakmem_cache_destroy(s);
}

/*
 * The events' registration (TRACE_EVENT_FN()) takes every cache, and those
 * made while the event is on, off the fast path's plain case, each face on
 * its own, and gives them back when the last probe goes: the fast paths
 * have no test of the event of their own (the kernel's "tracing" step
 * checks that no allocation or free misses its event).
 */
int hakmem_event_alloc_reg(void);
void hakmem_event_alloc_unreg(void);
int hakmem_event_free_reg(void);
void hakmem_event_free_unreg(void);

/* @s's fast path bytes: what the cache is, less the events that are on. */
static void hk_check_plain(struct hakmem_cache *s, bool alloc_ev, bool free_ev)
{
	CHECK(s->out_plain == (s->out_lean && !alloc_ev));
	CHECK(s->free_plain == (s->free_lean && !free_ev));
}

TEST(events_take_caches_off_the_plain_fast_path)
{
	struct hakmem_cache *a = hakmem_cache_create("t-ev-a", 64, 0, 0, NULL);
	struct hakmem_cache *b, *tiny = hakmem_tiny_cache(64);
	void *p;

	REQUIRE(a);
	/* A plain cache is lean unless the shim's init_on_free is set. */
	CHECK(a->out_lean && a->free_lean == !static_branch_unlikely(&init_on_free));
	hk_check_plain(a, false, false);
	hk_check_plain(tiny, false, false);
	CHECK(hakmem_event_alloc_reg() == 0);
	hk_check_plain(a, true, false);
	hk_check_plain(tiny, true, false);
	CHECK(hakmem_event_free_reg() == 0);
	b = hakmem_cache_create("t-ev-b", 64, 0, 0, NULL);
	REQUIRE(b);
	hk_check_plain(b, true, true);
	hk_check_plain(a, true, true);
	hk_check_plain(tiny, true, true);
	/* The paths the events take still hand out and take back objects. */
	p = hakmem_cache_alloc(b, GFP_KERNEL);
	REQUIRE(p);
	hakmem_cache_free(b, p);
	p = hakmem_cache_alloc(b, GFP_KERNEL | __GFP_ZERO);
	REQUIRE(p);
	CHECK(hakmem_stat_sum(b, HAKMEM_ALLOC_HIT) == 1);
	CHECK(!memchr_inv(p, 0, 64));
	hakmem_cache_free(b, p);
	hakmem_event_alloc_unreg();
	hk_check_plain(a, false, true);
	hk_check_plain(b, false, true);
	hk_check_plain(tiny, false, true);
	hakmem_event_free_unreg();
	hk_check_plain(a, false, false);
	hk_check_plain(b, false, false);
	hk_check_plain(tiny, false, false);
	hakmem_cache_destroy(b);
	hakmem_cache_destroy(a);
}
