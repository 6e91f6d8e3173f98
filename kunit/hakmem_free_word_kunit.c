// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_free_word: the word every free object carries.
 *
 * - stray writes into free objects (issue 10 item 1): detected when the
 *   slab meets the object again, the slab quarantined, and no object ever
 *   handed out twice, whatever was written;
 * - no common content of an object's first word is ever taken for a free
 *   word, whatever the secret (item 3);
 * - objects are made when first carved, not when their SuperSlab is
 *   allocated (item 5).
 *
 * Cases that provoke hakmem's error lines announce them
 * (hk_expect_begin_unlimited()): every such line here comes from the
 * quarantine report, which is not ratelimited, so the counts are exact.
 *
 * The userspace harness (tools/testing, tests/unit.c, free_word_*) runs
 * the exhaustive versions: every value of every byte of the free word,
 * every link of a forged word, and the worst secret for each common value.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kasan.h>
#include <linux/poison.h>
#include <linux/random.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/topology.h>

#include "hakmem_test.h"

/* --- helpers ------------------------------------------------------------- */

static int hk_fw_ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* How many of the @n pointers in @p repeat one before them (sorts @p). */
static unsigned int hk_fw_dups(void **p, unsigned int n)
{
	unsigned int i, d = 0;

	sort(p, n, sizeof(*p), hk_fw_ptr_cmp, NULL);
	for (i = 1; i < n; i++)
		d += p[i] == p[i - 1];
	return d;
}

/* Free the @n sorted pointers of @p, each once. */
static void hk_fw_free_sorted(struct hakmem_cache *c, void **p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!i || p[i] != p[i - 1])
			hakmem_cache_free(c, p[i]);
}

static void **hk_fw_alloc_n(struct kunit *test, struct hakmem_cache *c,
			    unsigned int n, unsigned int room)
{
	void **p = kunit_kcalloc(test, n + room, sizeof(void *), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++) {
		p[i] = hakmem_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	return p;
}

/* What a stray store does to a free word: one byte, as a user's would. */
static void hk_fw_poke(u8 *p, u8 v)
{
	kasan_disable_current();
	WRITE_ONCE(*p, v);
	kasan_enable_current();
}

/* What a free word holds: the test reads free memory on purpose. */
static u8 hk_fw_peek(const u8 *p)
{
	u8 v;

	kasan_disable_current();
	v = READ_ONCE(*p);
	kasan_enable_current();
	return v;
}

/* --- item 1: stray writes -------------------------------------------------- */

/*
 * Issue 10's reproduction: a u16 field written after free pointed the free
 * list at an object not carved yet, which then went out twice.
 */
static void hakmem_free_word_stray_u16(struct kunit *test)
{
	struct hakmem_cache *c = hk_create(test, "hk_fw_stray", 16, 0, 0, false);
	unsigned long corrupt;
	void *a, **p;

	hk_pin(test);
	a = hakmem_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	hakmem_cache_free(c, a);
	hakmem_drain_all(c);
	corrupt = hakmem_stat_sum(c, HAKMEM_CORRUPTION);
	hk_expect_begin_unlimited(test, 1);
	kasan_disable_current();
	*(u16 *)a = c->capacity - 1;
	kasan_enable_current();
	p = hk_fw_alloc_n(test, c, 600, 0);
	hk_expect_end(test);
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(c, HAKMEM_CORRUPTION), corrupt + 1);
	KUNIT_EXPECT_EQ(test, hk_fw_dups(p, 600), 0U);
	hk_fw_free_sorted(c, p, 600);
}

/*
 * Where the victim is when its free word is written.  A free keeps an
 * object in the CPU's magazine only if it is of the CPU's home node
 * (hk_kept_here()); on a CPU whose home node has no page left, its
 * objects come from another node and the "magazine" victims go straight
 * back to their slab, where the next allocation that reaches them sees
 * the damage: the expectation follows from where the free put it.
 */
enum hk_fw_where {
	HK_FW_MAG_FLUSH,	/* freed (into a magazine), then drained to its slab */
	HK_FW_MAG_POP,		/* freed (into a magazine), then allocated again */
	HK_FW_LIST_HEAD,	/* head of its slab's free list */
	HK_FW_LIST_DEEP,	/* second on its slab's free list */
	HK_FW_NR
};

static const char * const hk_fw_where_names[HK_FW_NR] = {
	"mag_flush", "mag_pop", "list_head", "list_deep",
};

/*
 * Byte @b of a free object's free word becomes a value of @kind: 0x00,
 * 0xff, or the byte with its low or its top bit flipped.  Then two slabs'
 * worth is allocated: nothing may come out twice, and the change is
 * reported exactly once if the slab met the object again (not when the
 * magazine handed it out again, unchecked).
 */
static void hk_fw_one(struct kunit *test, enum hk_fw_where where, unsigned int b,
		      unsigned int kind)
{
	struct hakmem_cache *c = hk_create(test, "hk_fw_byte", 16, 0, 0, false);
	unsigned int i, n, held = 0, expect;
	unsigned long corrupt, kept;
	void *x[3], *victim, **p;
	bool in_mag = false;
	char label[48];
	u8 *fw, old, v;

	for (i = 0; i < 3; i++) {
		x[i] = hakmem_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, x[i]);
	}
	n = 2 * c->capacity + 2 * c->mag_size;
	p = hk_fw_alloc_n(test, c, 0, n + 2);
	if (where == HK_FW_MAG_FLUSH || where == HK_FW_MAG_POP) {
		kept = hakmem_stat_sum(c, HAKMEM_FREE_HIT);
		hakmem_cache_free(c, x[0]);
		victim = x[0];
		in_mag = hk_kept_here(victim);
		KUNIT_EXPECT_EQ_MSG(test, hakmem_stat_sum(c, HAKMEM_FREE_HIT) - kept,
				    (unsigned long)in_mag,
				    "free of %p of node %d on a CPU whose home node is %d",
				    victim, page_to_nid(virt_to_page(victim)),
				    hakmem_home_node());
		p[n + held++] = x[1];
		p[n + held++] = x[2];
	} else {
		/* Drained in order: the list is x[2], x[1], x[0], ... */
		for (i = 0; i < 3; i++)
			hakmem_cache_free(c, x[i]);
		hakmem_drain_all(c);
		victim = where == HK_FW_LIST_HEAD ? x[2] : x[1];
	}
	fw = (u8 *)hakmem_fp(c, victim);
	old = hk_fw_peek(fw + b);
	v = kind == 0 ? 0x00 : kind == 1 ? 0xff : kind == 2 ? old ^ 0x01 : old ^ 0x80;
	expect = v != old && !(where == HK_FW_MAG_POP && in_mag);
	corrupt = hakmem_stat_sum(c, HAKMEM_CORRUPTION);
	snprintf(label, sizeof(label), "%s-b%u-v%02x", hk_fw_where_names[where], b, v);
	if (expect)
		hk_expect_begin_unlimited(test, 1);
	hk_fw_poke(fw + b, v);
	if (where == HK_FW_MAG_FLUSH)
		hakmem_drain_all(c);
	for (i = 0; i < n; i++) {
		p[i] = hakmem_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	if (expect)
		hk_expect_end(test);
	KUNIT_EXPECT_EQ_MSG(test, hakmem_stat_sum(c, HAKMEM_CORRUPTION) - corrupt,
			    (unsigned long)expect, "%s", label);
	KUNIT_EXPECT_EQ_MSG(test, hk_fw_dups(p, n + held), 0U, "%s", label);
	hk_fw_free_sorted(c, p, n + held);
	kunit_kfree(test, p);
	hk_destroy_now(test, c);
}

/*
 * Every byte of the free word, four values each, for an object in a
 * magazine and on its slab's free list, on a CPU of each node: their
 * magazines may keep their frees or not (a CPU whose home node has no
 * page left).  Every value of every byte runs in the userspace harness
 * (free_word_every_byte_pattern), where thousands of reports cost
 * nothing; here each report is a console line.
 */
static void hakmem_free_word_byte_patterns(struct kunit *test)
{
	unsigned int where, b, kind;
	int nid, cpu;

	for_each_online_node(nid) {
		cpu = cpumask_first_and(cpumask_of_node(nid), cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			continue;
		hk_pin_to(test, cpu);
		kunit_info(test, "cpu %d, node %d, home node %d\n", cpu, nid,
			   hakmem_home_node());
		for (where = 0; where < HK_FW_NR; where++)
			for (b = 0; b < sizeof(unsigned long); b++)
				for (kind = 0; kind < 4; kind++)
					hk_fw_one(test, where, b, kind);
	}
}

#define HK_FW_FORGED	8

/*
 * The k-th link forged into the head of a free list, whose object is
 * @idx2, while @idx0 is out and @carved objects were carved.
 */
static unsigned int hk_fw_forged_next(unsigned int k, unsigned int idx0,
				      unsigned int idx2, unsigned int carved,
				      unsigned int capacity)
{
	const unsigned int nexts[HK_FW_FORGED] = {
		HAKMEM_FP_END,		/* cuts the list short */
		idx2 ? 0 : 1,		/* another free object */
		idx0,			/* an object out */
		idx2,			/* itself */
		carved,			/* never carved */
		capacity - 1,
		capacity,		/* past the slab */
		HAKMEM_FP_END - 1,
	};

	return nexts[k];
}

/*
 * A free word with a valid tag and a forged link: the link is checked
 * against the carve index and the bitmap, so nothing goes out twice.
 */
static void hakmem_free_word_forged_link(struct kunit *test)
{
	unsigned int k, i, n, carved, idx0, idx2, next, expect;
	struct hakmem_superslab *ss;
	struct hk_slab_info si;
	struct hakmem_cache *c;
	void *x[3], **p;
	char label[32];

	hk_pin_home_has_pages(test);
	for (k = 0; k < HK_FW_FORGED; k++) {
		c = hk_create(test, "hk_fw_forge", 16, 0, 0, false);
		for (i = 0; i < 3; i++) {
			x[i] = hakmem_cache_alloc(c, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, x[i]);
		}
		/* x[0] stays out; the list is x[2], x[1], ... */
		hakmem_cache_free(c, x[1]);
		hakmem_cache_free(c, x[2]);
		hakmem_drain_all(c);
		KUNIT_ASSERT_TRUE(test, hk_locate(c, x[0], &si));
		idx0 = si.idx;
		KUNIT_ASSERT_TRUE(test, hk_locate(c, x[2], &si));
		idx2 = si.idx;
		carved = si.slab->carved;
		ss = si.ss;
		next = hk_fw_forged_next(k, idx0, idx2, carved, c->capacity);
		expect = next != HAKMEM_FP_END &&
			 (next >= carved || next == idx2 || next == idx0);
		snprintf(label, sizeof(label), "forged-%u", next);
		if (expect)
			hk_expect_begin_unlimited(test, 1);
		kasan_disable_current();
		*hakmem_fp(c, x[2]) = hakmem_free_word(ss, x[2], next);
		kasan_enable_current();
		n = 2 * c->capacity + 2 * c->mag_size;
		p = hk_fw_alloc_n(test, c, n, 1);
		if (expect)
			hk_expect_end(test);
		p[n] = x[0];
		KUNIT_EXPECT_EQ_MSG(test, hakmem_stat_sum(c, HAKMEM_CORRUPTION),
				    (unsigned long)expect, "%s", label);
		KUNIT_EXPECT_EQ_MSG(test, hk_fw_dups(p, n + 1), 0U, "%s", label);
		hk_fw_free_sorted(c, p, n + 1);
		kunit_kfree(test, p);
		hk_destroy_now(test, c);
	}
}

/* The bump index never hands out an object whose bit says it is out. */
static void hakmem_free_word_carve_bitmap(struct kunit *test)
{
	struct hakmem_cache *c = hk_create(test, "hk_fw_carve", 16, 0, 0, false);
	struct hk_slab_info si;
	struct hakmem_slab *slab;
	struct hakmem_node *n;
	unsigned long flags;
	void *a, **p;

	hk_pin_home_has_pages(test);
	a = hakmem_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_TRUE(test, hk_locate(c, a, &si));
	slab = si.slab;
	KUNIT_ASSERT_LT(test, (unsigned int)slab->carved, c->capacity);
	/* The next object to carve is marked out, as if it had left already. */
	n = c->node[hakmem_slab_ss(slab)->nid];
	spin_lock_irqsave(&n->lock, flags);
	__set_bit(slab->carved, hakmem_slab_map(c, hakmem_slab_ss(slab), slab));
	spin_unlock_irqrestore(&n->lock, flags);
	hk_expect_begin_unlimited(test, 1);
	p = hk_fw_alloc_n(test, c, 600, 1);
	hk_expect_end(test);
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(c, HAKMEM_CORRUPTION), 1UL);
	KUNIT_EXPECT_TRUE(test, slab->quarantined);
	p[600] = a;
	KUNIT_EXPECT_EQ(test, hk_fw_dups(p, 601), 0U);
	hk_fw_free_sorted(c, p, 601);
}

/* --- item 3: no false double frees ------------------------------------------ */

/*
 * Whatever random bits the secret is made from, its marker keeps every
 * free word's top byte in 0x80..0xef, away from LIST_POISON1's, and its
 * next byte off 0x00, 0xff and the top byte.  The marker depends only on
 * the top 16 random bits: all 2^16 of them are tried.
 */
static void hakmem_free_word_marker_all_secrets(struct kunit *test)
{
	unsigned int poison = (unsigned long)LIST_POISON1 >> 56, top, hi, lo;
	unsigned long secret;
	unsigned int fails = 0;

	for (top = 0; top < 0x10000; top++) {
		secret = hakmem_fp_secret_make((u64)top << 48 | (get_random_u64() >> 16));
		hi = secret >> 56;
		lo = secret >> 48 & 0xff;
		fails += hi < 0x80 || hi > 0xef || hi == poison ||
			 lo == 0 || lo == 0xff || lo == hi;
		/* With no successor, the word is the secret and the address. */
		fails += __hakmem_free_word(secret, &top, HAKMEM_FP_END) !=
			 (secret ^ hakmem_fp_addr(&top));
	}
	KUNIT_EXPECT_EQ(test, fails, 0U);
}

/*
 * Integers, pointers, text and poison in an object's first word are never
 * a free word: not for every object of a SuperSlab under the live secret,
 * nor under a sweep of secrets; and freeing objects holding them works.
 */
static void hakmem_free_word_never_common(struct kunit *test)
{
	struct hakmem_cache *c = hk_create(test, "hk_fw_common", 64, 0, 0, false);
	unsigned int i, j, k, nr = 0, bad = 0;
	struct hakmem_superslab *ss;
	struct hk_slab_info si;
	unsigned long vals[32], dbl, secret;
	void *obj, *objs[32];
	u8 *base;

	hk_pin_home_has_pages(test);
	obj = hakmem_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_TRUE(test, hk_locate(c, obj, &si));
	ss = si.ss;
	base = ss->base;

	vals[nr++] = 0;
	vals[nr++] = 1;
	vals[nr++] = 42;
	vals[nr++] = 0xffff;
	vals[nr++] = 1UL << 32;
	vals[nr++] = -1UL;
	vals[nr++] = -2UL;
	vals[nr++] = (unsigned long)ERR_PTR(-ENOMEM);
	vals[nr++] = (unsigned long)obj;	/* an empty list_head */
	vals[nr++] = (unsigned long)base;
	vals[nr++] = (unsigned long)base + PAGE_SIZE;
	vals[nr++] = (unsigned long)test;
	vals[nr++] = (unsigned long)&vals;	/* the stack */
	vals[nr++] = (unsigned long)hk_fw_peek;	/* kernel text */
	vals[nr++] = (unsigned long)LIST_POISON1;
	vals[nr++] = (unsigned long)LIST_POISON2;
	vals[nr++] = 0x6b6b6b6b6b6b6b6bUL;	/* POISON_FREE */
	vals[nr++] = 0x5a5a5a5a5a5a5a5aUL;	/* POISON_INUSE */
	vals[nr++] = 0xa5a5a5a5a5a5a5a5UL;
	vals[nr++] = 0xccccccccccccccccUL;
	vals[nr++] = 0xbbbbbbbbbbbbbbbbUL;
	vals[nr++] = 0x2121216d656d6b61UL;	/* "akmem!!!" */
	vals[nr++] = 1UL << 63;

	/* Every object start of the SuperSlab, the live secret. */
	for (i = 0; i < ss->nr_slabs; i++)
		for (j = 0; j < c->capacity; j++)
			for (k = 0; k < nr; k++)
				bad += hakmem_fp_is_free(ss, vals[k],
							 hakmem_slab_obj(c, ss, &ss->slabs[i], j));
	KUNIT_EXPECT_EQ(test, bad, 0U);

	/* Secrets made to hit a value, as far as the marker lets them. */
	for (k = 0; k < nr; k++) {
		secret = hakmem_fp_secret_make((unsigned long)obj ^ vals[k]);
		bad += __hakmem_fp_is_free(secret, vals[k], obj);
		for (i = 0; i < 256; i++) {
			secret = hakmem_fp_secret_make(get_random_u64());
			bad += __hakmem_fp_is_free(secret, vals[k], obj);
		}
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);

	/* Objects holding them are freed, not refused. */
	hakmem_cache_free(c, obj);
	dbl = hakmem_stat_sum(c, HAKMEM_DOUBLE_FREE);
	for (k = 0; k < nr; k++) {
		objs[k] = hakmem_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[k]);
	}
	for (k = 0; k < nr; k++) {
		*(unsigned long *)objs[k] = vals[k];
		hakmem_cache_free(c, objs[k]);
	}
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(c, HAKMEM_DOUBLE_FREE), dbl);
	hakmem_drain_all(c);
	KUNIT_EXPECT_EQ(test, hakmem_nodes_sum(c, nr_inuse), 0UL);
}

/* --- item 5: objects made as they are carved -------------------------------- */

/*
 * One allocation from a new constructor cache constructs the batch its
 * refill carved, not every object of the SuperSlab it grew.
 */
static void hakmem_free_word_ctor_when_carved(struct kunit *test)
{
	struct hakmem_cache *c = hk_create(test, "hk_fw_lazy", 64, 0, 0, true);
	long made;
	u8 *a;

	hk_pin_home_has_pages(test);
	atomic_long_set(&hk_ctor_calls, 0);
	a = hakmem_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, *a, HK_CTOR_BYTE);
	made = atomic_long_read(&hk_ctor_calls);
	KUNIT_EXPECT_GE(test, made, 1L);
	KUNIT_EXPECT_LE(test, made, (long)c->batch);
	KUNIT_EXPECT_LT(test, made, (long)(c->capacity << HAKMEM_SS_SLABS_SHIFT));
	hakmem_cache_free(c, a);
}

static struct kunit_case hakmem_free_word_cases[] = {
	KUNIT_CASE(hakmem_free_word_stray_u16),
	KUNIT_CASE_SLOW(hakmem_free_word_byte_patterns),
	KUNIT_CASE(hakmem_free_word_forged_link),
	KUNIT_CASE(hakmem_free_word_carve_bitmap),
	KUNIT_CASE(hakmem_free_word_marker_all_secrets),
	KUNIT_CASE(hakmem_free_word_never_common),
	KUNIT_CASE(hakmem_free_word_ctor_when_carved),
	{}
};

static struct kunit_suite hakmem_free_word_suite = {
	.name = "hakmem_free_word",
	.init = hk_case_init,
	.test_cases = hakmem_free_word_cases,
};

kunit_test_suite(hakmem_free_word_suite);
