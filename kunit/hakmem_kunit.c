// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for hakmem-slab.
 *
 * Most cases run twice over, as kfence_test does for kmalloc: through a
 * dedicated cache (hakmem_cache_*()) and through the tiny classes
 * (hakmem_alloc() / hakmem_free()).  They look inside the allocator
 * through hakmem_internal.h: the layout, the slab states, the per-node
 * counters and the per-CPU statistics, so that "reported once" or "the
 * slab was reused, not re-initialised" is an assertion, not a log line.
 *
 * Suites, in the order they run:
 *   hakmem_layout       strides, capacities, where objects sit, create()
 *   hakmem_api          alloc/free, zeroing, ctor, bulk, growth, slab
 *                       lifecycle, NUMA placement
 *   hakmem_concurrency  hardirq/softirq callers, cross-CPU frees, CPU
 *                       hotplug, a multi-CPU stress
 *   hakmem_misuse       double/invalid/foreign frees, red zone, poison,
 *                       destroy with live objects (last: it leaks a cache)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/debug_locks.h>
#include <linux/delay.h>
#include <linux/hash.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kasan.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "hakmem_internal.h"

static unsigned long stress_seed;
module_param(stress_seed, ulong, 0444);
MODULE_PARM_DESC(stress_seed, "PRNG seed of the stress cases (0: random; always printed)");

static unsigned int stress_ms = 2000;
module_param(stress_ms, uint, 0444);
MODULE_PARM_DESC(stress_ms, "run time of each stress case in ms (default 2000)");

static unsigned int stress_objs = 256;
module_param(stress_objs, uint, 0444);
MODULE_PARM_DESC(stress_objs, "object slots per stress thread (default 256)");

/* The byte a test constructor leaves at the start of each object. */
#define HK_CTOR_BYTE	0xc7
/* Objects per IRQ callback, and callbacks per context. */
#define HK_IRQ_OBJS	16
#define HK_IRQ_ROUNDS	8
/* How long to wait for an IRQ callback: KASAN under TCG is slow. */
#define HK_IRQ_WAIT	(60 * HZ)

/* --- faces: a dedicated cache or a tiny class --------------------------- */

/**
 * struct hk_param - one way of allocating, a case parameter
 * @desc: name of the parameter, and of the dedicated cache
 * @size: object size (tiny: the size passed to hakmem_alloc())
 * @align: alignment asked for
 * @flags: SLAB_* flags of the dedicated cache
 * @ctor: the dedicated cache has hk_ctor()
 * @tiny: allocate through hakmem_alloc() instead of a dedicated cache
 */
struct hk_param {
	const char *desc;
	unsigned int size;
	unsigned int align;
	slab_flags_t flags;
	bool ctor;
	bool tiny;
};

/**
 * struct hk_face - a face set up for one case
 * @p: its parameter
 * @cache: the dedicated cache, or the tiny class serving @size
 * @size: bytes the user may use
 * @tiny: as in @p
 */
struct hk_face {
	const struct hk_param *p;
	struct hakmem_cache *cache;
	unsigned int size;
	bool tiny;
};

#define HK_TINY(sz)	{ .desc = "tiny-" #sz, .size = sz, .tiny = true }

static const struct hk_param hk_faces[] = {
	HK_TINY(8),
	HK_TINY(24),
	HK_TINY(64),
	HK_TINY(200),
	HK_TINY(1024),
	{ .desc = "cache-64", .size = 64 },
	{ .desc = "cache-100-hwalign", .size = 100, .flags = SLAB_HWCACHE_ALIGN },
	{ .desc = "cache-40-align64", .size = 40, .align = 64 },
	{ .desc = "cache-4-redzone", .size = 4, .flags = SLAB_RED_ZONE },
	{ .desc = "cache-24-redzone", .size = 24, .flags = SLAB_RED_ZONE },
	{ .desc = "cache-128-poison", .size = 128, .flags = SLAB_POISON },
	{ .desc = "cache-1000-rz-poison", .size = 1000,
	  .flags = SLAB_RED_ZONE | SLAB_POISON },
	{ .desc = "cache-96-ctor", .size = 96, .ctor = true },
	{ .desc = "cache-256-rcu", .size = 256, .flags = SLAB_TYPESAFE_BY_RCU },
	{ .desc = "cache-9000", .size = 9000 },
};

/* A few faces, for the slower cases. */
static const struct hk_param hk_faces_short[] = {
	HK_TINY(64),
	HK_TINY(1024),
	{ .desc = "cache-96", .size = 96 },
	{ .desc = "cache-200-rz-poison", .size = 200,
	  .flags = SLAB_RED_ZONE | SLAB_POISON },
};

static const struct hk_param hk_faces_redzone[] = {
	{ .desc = "rz-4", .size = 4, .flags = SLAB_RED_ZONE },
	{ .desc = "rz-24", .size = 24, .flags = SLAB_RED_ZONE },
	{ .desc = "rz-100-hwalign", .size = 100,
	  .flags = SLAB_RED_ZONE | SLAB_HWCACHE_ALIGN },
	{ .desc = "rz-40-ctor", .size = 40, .flags = SLAB_RED_ZONE, .ctor = true },
	{ .desc = "rz-1000-poison", .size = 1000,
	  .flags = SLAB_RED_ZONE | SLAB_POISON },
};

static const struct hk_param hk_faces_poison[] = {
	{ .desc = "poison-8", .size = 8, .flags = SLAB_POISON },
	{ .desc = "poison-128", .size = 128, .flags = SLAB_POISON },
	{ .desc = "poison-1000-rz", .size = 1000,
	  .flags = SLAB_POISON | SLAB_RED_ZONE },
};

static void hk_param_desc(const struct hk_param *p, char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hk_faces, hk_faces, hk_param_desc);
KUNIT_ARRAY_PARAM(hk_faces_short, hk_faces_short, hk_param_desc);
KUNIT_ARRAY_PARAM(hk_faces_redzone, hk_faces_redzone, hk_param_desc);
KUNIT_ARRAY_PARAM(hk_faces_poison, hk_faces_poison, hk_param_desc);

static atomic_long_t hk_ctor_calls = ATOMIC_LONG_INIT(0);

/* Objects may be as small as one byte: leave one byte only. */
static void hk_ctor(void *obj)
{
	*(u8 *)obj = HK_CTOR_BYTE;
	atomic_long_inc(&hk_ctor_calls);
}

KUNIT_DEFINE_ACTION_WRAPPER(hk_cache_destroy_action, hakmem_cache_destroy,
			    struct hakmem_cache *);

static struct hakmem_cache *hk_create(struct kunit *test, const char *name,
				      unsigned int size, unsigned int align,
				      slab_flags_t flags, bool ctor)
{
	struct hakmem_cache *c;

	c = hakmem_cache_create(name, size, align, flags, ctor ? hk_ctor : NULL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, c, "create %s size %u align %u flags %#x ctor %d",
				  name, size, align, (__force unsigned int)flags, ctor);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, hk_cache_destroy_action, c));
	return c;
}

/* The cache an object belongs to, or NULL if hakmem does not know it. */
static struct hakmem_cache *hk_cache_of(const void *obj)
{
	struct hakmem_superslab *ss;
	struct hakmem_cache *c = NULL;

	rcu_read_lock();
	ss = hakmem_obj_to_ss(obj);
	if (ss)
		c = ss->cache;
	rcu_read_unlock();
	return c;
}

static struct hakmem_cache *hk_tiny_cache(struct kunit *test, unsigned int size)
{
	struct hakmem_cache *c;
	void *obj;

	obj = hakmem_alloc(size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	c = hk_cache_of(obj);
	hakmem_free(obj);
	KUNIT_ASSERT_NOT_NULL_MSG(test, c, "hakmem_alloc(%u) not from a tiny class", size);
	KUNIT_ASSERT_TRUE(test, c->tiny);
	return c;
}

static struct hk_face *hk_face_of(struct kunit *test, const struct hk_param *p)
{
	struct hk_face *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->p = p;
	f->size = p->size;
	f->tiny = p->tiny;
	if (p->tiny)
		f->cache = hk_tiny_cache(test, p->size);
	else
		f->cache = hk_create(test, p->desc, p->size, p->align, p->flags, p->ctor);
	return f;
}

static struct hk_face *hk_face(struct kunit *test)
{
	return hk_face_of(test, test->param_value);
}

static void *hk_alloc(struct hk_face *f, gfp_t gfp)
{
	if (f->tiny)
		return hakmem_alloc(f->size, gfp);
	return hakmem_cache_alloc(f->cache, gfp);
}

static void *hk_alloc_node(struct hk_face *f, gfp_t gfp, int nid)
{
	if (f->tiny)
		return hakmem_alloc_node(f->size, gfp, nid);
	return hakmem_cache_alloc_node(f->cache, gfp, nid);
}

static void hk_free(struct hk_face *f, void *obj)
{
	if (f->tiny)
		hakmem_free(obj);
	else
		hakmem_cache_free(f->cache, obj);
}

/* Keep the test thread on the CPU it runs on: one magazine, one node. */
static int hk_pin(struct kunit *test)
{
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_EQ(test, 0, set_cpus_allowed_ptr(current, cpumask_of(cpu)));
	return cpu;
}

/* --- patterns ------------------------------------------------------------ */

/*
 * The pattern of an object: derived from its address and size, so that an
 * object handed out twice, or a pattern written for another size, shows.
 * Word by word (every object is 8-byte aligned), then the tail bytes.
 */
static unsigned long hk_seed(const void *obj, size_t size)
{
	return hash_long((unsigned long)obj ^ ((unsigned long)size << 20),
			 BITS_PER_LONG) | 1;
}

static void hk_fill(void *obj, size_t size)
{
	unsigned long seed = hk_seed(obj, size), *w = obj;
	size_t i, words = size / sizeof(long);
	u8 *b = obj;

	for (i = 0; i < words; i++)
		w[i] = seed * (i + 1);
	for (i *= sizeof(long); i < size; i++)
		b[i] = (u8)seed + (u8)i;
}

static bool hk_check(const void *obj, size_t size)
{
	unsigned long seed = hk_seed(obj, size);
	size_t i, words = size / sizeof(long);
	const unsigned long *w = obj;
	const u8 *b = obj;

	for (i = 0; i < words; i++)
		if (w[i] != seed * (i + 1))
			return false;
	for (i *= sizeof(long); i < size; i++)
		if (b[i] != (u8)((u8)seed + (u8)i))
			return false;
	return true;
}

/* --- counters ------------------------------------------------------------ */

struct hk_stats {
	unsigned long v[HAKMEM_NR_STAT_ITEMS];
};

static void hk_stats_read(struct hakmem_cache *c, struct hk_stats *s)
{
	int i;

	for (i = 0; i < HAKMEM_NR_STAT_ITEMS; i++)
		s->v[i] = hakmem_stat_sum(c, i);
}

static long hk_delta(const struct hk_stats *a, const struct hk_stats *b,
		     enum hakmem_stat_item item)
{
	return b->v[item] - a->v[item];
}

static long hk_allocs(const struct hk_stats *a, const struct hk_stats *b)
{
	return hk_delta(a, b, HAKMEM_ALLOC_HIT) + hk_delta(a, b, HAKMEM_ALLOC_MISS);
}

static long hk_frees(const struct hk_stats *a, const struct hk_stats *b)
{
	return hk_delta(a, b, HAKMEM_FREE_HIT) + hk_delta(a, b, HAKMEM_FREE_MISS);
}

struct hk_node_snap {
	unsigned long nr_ss;
	unsigned long nr_pages;
	unsigned long nr_slabs;
	unsigned long nr_free_slabs;
	unsigned long nr_partial;
	unsigned long nr_empty;
	unsigned long nr_inuse;
};

static void hk_node_read(struct hakmem_cache *c, int nid, struct hk_node_snap *s)
{
	struct hakmem_node *n = c->node[nid];
	unsigned long flags;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	spin_lock_irqsave(&n->lock, flags);
	s->nr_ss = n->nr_ss;
	s->nr_pages = n->nr_pages;
	s->nr_slabs = n->nr_slabs;
	s->nr_free_slabs = n->nr_free_slabs;
	s->nr_partial = n->nr_partial;
	s->nr_empty = n->nr_empty;
	s->nr_inuse = n->nr_inuse;
	spin_unlock_irqrestore(&n->lock, flags);
}

/* Objects out of the slabs of every node. */
static unsigned long hk_inuse(struct hakmem_cache *c)
{
	return hakmem_nodes_sum(c, nr_inuse);
}

/* Objects out of the slabs once every magazine is flushed. */
static unsigned long hk_drained_inuse(struct hakmem_cache *c)
{
	hakmem_drain_all(c);
	return hk_inuse(c);
}

/**
 * struct hk_slab_info - where an object sits, read under the node lock
 * @ss: its SuperSlab
 * @slab: its slab
 * @idx: its index in the slab
 * @state: the slab's state
 * @inits: the slab's init count
 */
struct hk_slab_info {
	struct hakmem_superslab *ss;
	struct hakmem_slab *slab;
	int idx;
	u8 state;
	unsigned int inits;
};

static bool hk_locate(struct hakmem_cache *c, const void *obj,
		      struct hk_slab_info *si)
{
	struct hakmem_node *n;
	unsigned long flags;
	bool ok = false;

	memset(si, 0, sizeof(*si));
	rcu_read_lock();
	si->ss = hakmem_obj_to_ss(obj);
	if (!si->ss || si->ss->cache != c)
		goto out;
	si->idx = hakmem_obj_index(c, si->ss, obj, &si->slab);
	if (si->idx < 0)
		goto out;
	n = c->node[si->ss->nid];
	spin_lock_irqsave(&n->lock, flags);
	si->state = si->slab->state;
	si->inits = si->slab->inits;
	spin_unlock_irqrestore(&n->lock, flags);
	ok = true;
out:
	rcu_read_unlock();
	return ok;
}

static void hk_slab_read(struct hakmem_cache *c, struct hk_slab_info *si)
{
	struct hakmem_node *n = c->node[si->ss->nid];
	unsigned long flags;

	spin_lock_irqsave(&n->lock, flags);
	si->state = si->slab->state;
	si->inits = si->slab->inits;
	spin_unlock_irqrestore(&n->lock, flags);
}

/* Check that @obj is a well-placed object of @c; fill @si. */
static void hk_check_obj(struct kunit *test, struct hakmem_cache *c, void *obj,
			 struct hk_slab_info *si)
{
	const struct hakmem_layout *l = &c->layout;
	void *base;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	KUNIT_ASSERT_TRUE_MSG(test, hk_locate(c, obj, si),
			      "%p is not an object of %s", obj, c->dbg_name);
	base = hakmem_slab_base(c, si->ss, si->slab);
	KUNIT_EXPECT_PTR_EQ(test, obj, hakmem_slab_obj(c, si->ss, si->slab, si->idx));
	KUNIT_EXPECT_LT(test, si->idx, (int)c->capacity);
	KUNIT_EXPECT_TRUE(test, obj >= base);
	KUNIT_EXPECT_TRUE(test, obj + l->stride <= base + hakmem_slab_bytes(c));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)obj, 8));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)obj, l->align));
	KUNIT_EXPECT_NE(test, si->state, HAKMEM_SLAB_FREE);
	KUNIT_EXPECT_NE(test, si->state, HAKMEM_SLAB_EMPTY);
}

/* --- a vector of live objects, freed by the cleanup if a case bails ----- */

struct hk_vec {
	struct hk_face *f;
	unsigned int nr;
	unsigned int max;
	void **objs;
};

static void hk_vec_free_all(struct hk_vec *v)
{
	while (v->nr)
		hk_free(v->f, v->objs[--v->nr]);
}

static void hk_vec_release(void *arg)
{
	struct hk_vec *v = arg;

	hk_vec_free_all(v);
	kvfree(v->objs);
}

static struct hk_vec *hk_vec_new(struct kunit *test, struct hk_face *f,
				 unsigned int max)
{
	struct hk_vec *v;

	v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	v->objs = kvcalloc(max, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v->objs);
	v->f = f;
	v->max = max;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_vec_release, v));
	return v;
}

static void *hk_vec_alloc(struct kunit *test, struct hk_vec *v, gfp_t gfp)
{
	void *obj;

	KUNIT_ASSERT_LT(test, v->nr, v->max);
	obj = hk_alloc(v->f, gfp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, obj, "allocation %u failed", v->nr);
	v->objs[v->nr++] = obj;
	return obj;
}

static void hk_vec_free(struct hk_vec *v, unsigned int i)
{
	hk_free(v->f, v->objs[i]);
	v->objs[i] = v->objs[--v->nr];
}

/* ===================================================================== */
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

/*
 * Hold every object of one slab: the slab of the first object allocated.
 * Each must be in its slab, at its index, aligned; indices 0 and
 * capacity - 1 must both come out.  Returns the vector, every object live.
 */
static struct hk_vec *hk_fill_one_slab(struct kunit *test, struct hk_face *f,
				       struct hk_slab_info *first)
{
	struct hakmem_cache *c = f->cache;
	unsigned int cap = c->capacity, held = 0, i, max;
	struct hk_slab_info si;
	unsigned long *seen;
	struct hk_vec *v;
	void *obj;

	max = 2 * cap + 2 * c->mag_size + 2 * c->batch;
	v = hk_vec_new(test, f, max);
	seen = kunit_kcalloc(test, BITS_TO_LONGS(cap), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < max && held < cap; i++) {
		obj = hk_vec_alloc(test, v, GFP_KERNEL);
		hk_check_obj(test, c, obj, &si);
		if (f->tiny && is_power_of_2(c->layout.object_size))
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)obj,
							   c->layout.object_size));
		if (!i)
			*first = si;
		if (si.ss != first->ss || si.slab != first->slab)
			continue;
		KUNIT_EXPECT_FALSE_MSG(test, __test_and_set_bit(si.idx, seen),
				       "index %d handed out twice", si.idx);
		held++;
	}
	KUNIT_EXPECT_EQ_MSG(test, held, cap, "%u allocations", i);
	KUNIT_EXPECT_TRUE(test, test_bit(0, seen));
	KUNIT_EXPECT_TRUE(test, test_bit(cap - 1, seen));
	hk_slab_read(c, first);
	KUNIT_EXPECT_EQ(test, first->state, HAKMEM_SLAB_FULL);
	return v;
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
			kunit_release_action(test, hk_cache_destroy_action, f->cache);
		}
	}
}

/* The eight tiny classes: names, strides, natural alignment, ksize. */
static void hakmem_layout_tiny_classes(struct kunit *test)
{
	struct hk_slab_info first;
	struct hk_param *p;
	struct hk_face *f;
	struct hk_vec *v;
	unsigned int size;
	char name[16];

	hk_pin(test);
	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (size = 8; size <= HAKMEM_MAX_TINY_SIZE; size *= 2) {
		p->desc = "tiny";
		p->size = size;
		p->tiny = true;
		f = hk_face_of(test, p);
		snprintf(name, sizeof(name), "hakmem-%u", size);
		KUNIT_EXPECT_STREQ(test, f->cache->name, name);
		KUNIT_EXPECT_TRUE(test, f->cache->tiny);
		hk_check_layout(test, f->cache, size, 0);
		/* Natural alignment of every object needs stride == size. */
		KUNIT_EXPECT_EQ(test, hakmem_stride(f->cache), size);
		hakmem_cache_shrink(f->cache);
		v = hk_fill_one_slab(test, f, &first);
		hk_vec_free_all(v);
	}
}

/* Every size 1..1024 goes to the smallest class that holds it. */
static void hakmem_layout_tiny_sizes(struct kunit *test)
{
	struct hakmem_cache *c;
	unsigned int size, want;
	void *obj;

	for (size = 1; size <= HAKMEM_MAX_TINY_SIZE; size++) {
		want = max_t(unsigned int, 8, roundup_pow_of_two(size));
		obj = hakmem_alloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		c = hk_cache_of(obj);
		KUNIT_EXPECT_NOT_NULL_MSG(test, c, "size %u", size);
		if (c)
			KUNIT_EXPECT_EQ_MSG(test, c->layout.object_size, want, "size %u", size);
		KUNIT_EXPECT_EQ_MSG(test, hakmem_ksize(obj), (size_t)want, "size %u", size);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)obj, 8), "size %u", size);
		if (is_power_of_2(size))
			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)obj, size),
					      "size %u", size);
		/* All of ksize() is the caller's. */
		memset(obj, 0xa5, hakmem_ksize(obj));
		hakmem_free(obj);
	}
}

struct hk_bad_create {
	const char *desc;
	const char *name;
	unsigned int size;
	unsigned int align;
	slab_flags_t flags;
	bool ctor;
};

static const struct hk_bad_create hk_bad_creates[] = {
	{ "NULL name", NULL, 64, 0, 0, false },
	{ "size 0", "hakmem_kunit_bad", 0, 0, 0, false },
	{ "align 3", "hakmem_kunit_bad", 64, 3, 0, false },
	{ "align 24", "hakmem_kunit_bad", 64, 24, 0, false },
	{ "align 2 pages", "hakmem_kunit_bad", 64, 2 * PAGE_SIZE, 0, false },
	{ "SLAB_STORE_USER", "hakmem_kunit_bad", 64, 0, SLAB_STORE_USER, false },
	{ "SLAB_RECLAIM_ACCOUNT", "hakmem_kunit_bad", 64, 0, SLAB_RECLAIM_ACCOUNT, false },
	{ "poison + ctor", "hakmem_kunit_bad", 64, 0, SLAB_POISON, true },
	{ "poison + rcu", "hakmem_kunit_bad", 64, 0,
	  SLAB_POISON | SLAB_TYPESAFE_BY_RCU, false },
	{ "rz + poison + ctor", "hakmem_kunit_bad", 64, 0,
	  SLAB_POISON | SLAB_RED_ZONE, true },
	{ "size 32769", "hakmem_kunit_bad", 32769, 0, 0, false },
	{ "size 32768 + red zone", "hakmem_kunit_bad", 32768, 0, SLAB_RED_ZONE, false },
	{ "size 32768 + ctor", "hakmem_kunit_bad", 32768, 0, 0, true },
	{ "size 32768 + rcu", "hakmem_kunit_bad", 32768, 0, SLAB_TYPESAFE_BY_RCU, false },
	{ "size 32761 + red zone", "hakmem_kunit_bad", 32761, 0, SLAB_RED_ZONE, false },
	{ "size 32761 + poison", "hakmem_kunit_bad", 32761, 0, SLAB_POISON, false },
	{ "size UINT_MAX", "hakmem_kunit_bad", UINT_MAX, 0, 0, false },
	{ "size UINT_MAX - 7 + red zone", "hakmem_kunit_bad", UINT_MAX - 7, 0,
	  SLAB_RED_ZONE, false },
};

/* hakmem_cache_create() refuses what it cannot serve, and accepts edges. */
static void hakmem_layout_create_args(struct kunit *test)
{
	const struct hk_bad_create *b;
	struct hakmem_cache *c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hk_bad_creates); i++) {
		b = &hk_bad_creates[i];
		/* A flag this config compiles out (0) leaves a valid request. */
		if (b->name && b->size == 64 && !b->align && !b->flags && !b->ctor)
			continue;
		c = hakmem_cache_create(b->name, b->size, b->align, b->flags,
					b->ctor ? hk_ctor : NULL);
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
	.test_cases = hakmem_layout_cases,
};

/* ===================================================================== */
/* hakmem_api                                                             */
/* ===================================================================== */

/* Allocate, use, free; the counters see every call exactly once. */
static void hakmem_api_alloc_free(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	struct hk_stats s0, s1;
	struct hk_slab_info si;
	unsigned long inuse0;
	unsigned int i, j, nr;
	struct hk_vec *v;
	void *obj;

	nr = 3 * c->mag_size + c->batch + 1;
	v = hk_vec_new(test, f, nr);
	inuse0 = hk_drained_inuse(c);
	hk_stats_read(c, &s0);
	for (i = 0; i < nr; i++) {
		obj = hk_vec_alloc(test, v, GFP_KERNEL);
		hk_check_obj(test, c, obj, &si);
		if (f->tiny && is_power_of_2(f->size))
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)obj, f->size));
		if (f->tiny)
			KUNIT_EXPECT_GE(test, hakmem_ksize(obj), (size_t)f->size);
		hk_fill(obj, f->size);
	}
	for (i = 0; i < nr; i++)
		for (j = i + 1; j < nr; j++)
			KUNIT_ASSERT_PTR_NE(test, v->objs[i], v->objs[j]);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_TRUE_MSG(test, hk_check(v->objs[i], f->size),
				      "object %u damaged while live", i);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0 + nr);
	/* Free in an order other than allocation's. */
	for (i = 0; i < v->nr; i += 2)
		hk_vec_free(v, i);
	hk_vec_free_all(v);
	hk_stats_read(c, &s1);
	KUNIT_EXPECT_EQ(test, hk_allocs(&s0, &s1), (long)nr);
	KUNIT_EXPECT_EQ(test, hk_frees(&s0, &s1), (long)nr);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_INVALID_FREE), 0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_DOUBLE_FREE), 0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_CORRUPTION), 0);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
}

/* __GFP_ZERO zeroes every byte of the object, even a recycled one. */
static void hakmem_api_zero(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	unsigned int i, nr = 2 * f->cache->batch + 2;
	struct hk_vec *v;
	void *obj;

	if (f->cache->ctor)
		kunit_skip(test, "__GFP_ZERO and a constructor do not mix");
	hk_pin(test);
	v = hk_vec_new(test, f, nr);
	for (i = 0; i < nr; i++)
		memset(hk_vec_alloc(test, v, GFP_KERNEL), 0xff, f->size);
	hk_vec_free_all(v);
	for (i = 0; i < nr; i++) {
		obj = hk_vec_alloc(test, v, GFP_KERNEL | __GFP_ZERO);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(obj, 0, f->size),
				      "object %u not zeroed", i);
	}
	hk_vec_free_all(v);
	if (f->tiny) {
		obj = hakmem_zalloc(f->size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0, f->size));
		hakmem_free(obj);
	} else {
		obj = hakmem_cache_zalloc(f->cache, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0, f->size));
		hakmem_cache_free(f->cache, obj);
	}
}

/* Size 0, NULL, ZERO_SIZE_PTR and the kmalloc() side of hakmem_alloc(). */
static void hakmem_api_special_sizes(struct kunit *test)
{
	static const size_t big[] = { 1025, 2048, 4096, 5000, 65536, 1 << 20 };
	unsigned int i;
	void *obj;
	int nid;

	KUNIT_EXPECT_PTR_EQ(test, hakmem_alloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, hakmem_zalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	hakmem_free(NULL);
	hakmem_free(ZERO_SIZE_PTR);
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		obj = hakmem_alloc(big[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		KUNIT_EXPECT_NULL_MSG(test, hk_cache_of(obj),
				      "%zu bytes served by a tiny class", big[i]);
		KUNIT_EXPECT_EQ(test, hakmem_ksize(obj), ksize(obj));
		KUNIT_EXPECT_GE(test, hakmem_ksize(obj), big[i]);
		if (is_power_of_2(big[i]))
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)obj, big[i]));
		memset(obj, 0x5a, big[i]);
		hakmem_free(obj);

		obj = hakmem_zalloc(big[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0, big[i]));
		hakmem_free(obj);

		for_each_node_state(nid, N_MEMORY) {
			obj = hakmem_alloc_node(big[i], GFP_KERNEL, nid);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
			KUNIT_EXPECT_NULL(test, hk_cache_of(obj));
			hakmem_free(obj);
		}
	}
}

/* The constructor runs once per object per SuperSlab; its state survives. */
static void hakmem_api_ctor(struct kunit *test)
{
	static const struct hk_param ctors[] = {
		{ .desc = "hakmem_kunit_ctor", .size = 96, .ctor = true },
		{ .desc = "hakmem_kunit_ctor_rz", .size = 40, .ctor = true,
		  .flags = SLAB_RED_ZONE },
		{ .desc = "hakmem_kunit_ctor_rcu", .size = 128, .ctor = true,
		  .flags = SLAB_TYPESAFE_BY_RCU | SLAB_HWCACHE_ALIGN },
	};
	unsigned int k, i, j, nr, again;
	struct hk_node_snap ns;
	long calls, slots;
	struct hk_vec *v;
	struct hk_face *f;
	void **old;
	void *obj;
	int nid;

	hk_pin(test);
	for (k = 0; k < ARRAY_SIZE(ctors); k++) {
		atomic_long_set(&hk_ctor_calls, 0);
		f = hk_face_of(test, &ctors[k]);
		nr = 2 * f->cache->mag_size + 1;
		v = hk_vec_new(test, f, nr);
		old = kunit_kcalloc(test, nr, sizeof(void *), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, old);
		for (i = 0; i < nr; i++) {
			obj = hk_vec_alloc(test, v, GFP_KERNEL);
			KUNIT_EXPECT_EQ_MSG(test, *(u8 *)obj, HK_CTOR_BYTE,
					    "%s: object %u not constructed", ctors[k].desc, i);
			hk_fill(obj, f->size);
			old[i] = obj;
		}
		calls = atomic_long_read(&hk_ctor_calls);
		slots = 0;
		for_each_node(nid) {
			hk_node_read(f->cache, nid, &ns);
			slots += ns.nr_slabs * f->cache->capacity;
		}
		KUNIT_EXPECT_GE(test, calls, (long)nr);
		KUNIT_EXPECT_LE(test, calls, slots);
		hk_vec_free_all(v);

		/* Objects coming back keep what the user left in them. */
		again = 0;
		for (i = 0; i < nr; i++) {
			obj = hk_vec_alloc(test, v, GFP_KERNEL);
			for (j = 0; j < nr && old[j] != obj; j++)
				;
			if (j == nr) {
				KUNIT_EXPECT_EQ(test, *(u8 *)obj, HK_CTOR_BYTE);
				continue;
			}
			again++;
			KUNIT_EXPECT_TRUE_MSG(test, hk_check(obj, f->size),
					      "%s: constructed state lost over free+alloc",
					      ctors[k].desc);
		}
		KUNIT_EXPECT_GT(test, again, 0U);
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&hk_ctor_calls), calls,
				    "%s: constructor ran again for a recycled object",
				    ctors[k].desc);
		hk_vec_free_all(v);
	}
}

/* Bulk allocation returns all it was asked for; bulk free takes it back. */
static void hakmem_api_bulk(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	unsigned int sizes[4], k, i, j, nr;
	struct hk_stats s0, s1;
	struct hk_slab_info si;
	unsigned long inuse0;
	void **objs;
	int got;

	sizes[0] = 1;
	sizes[1] = 7;
	sizes[2] = c->batch + 3;
	sizes[3] = 3 * c->mag_size + 5;
	inuse0 = hk_drained_inuse(c);
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		nr = sizes[k];
		objs = kunit_kcalloc(test, nr, sizeof(void *), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs);
		hk_stats_read(c, &s0);
		got = hakmem_cache_alloc_bulk(c, GFP_KERNEL, nr, objs);
		KUNIT_ASSERT_EQ_MSG(test, got, (int)nr, "bulk of %u", nr);
		for (i = 0; i < nr; i++) {
			hk_check_obj(test, c, objs[i], &si);
			hk_fill(objs[i], f->size);
			for (j = 0; j < i; j++)
				KUNIT_ASSERT_PTR_NE(test, objs[i], objs[j]);
		}
		for (i = 0; i < nr; i++)
			KUNIT_EXPECT_TRUE(test, hk_check(objs[i], f->size));
		KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0 + nr);
		hakmem_cache_free_bulk(c, nr, objs);
		hk_stats_read(c, &s1);
		KUNIT_EXPECT_EQ_MSG(test, hk_allocs(&s0, &s1), (long)nr,
				    "bulk of %u: ALLOC_HIT + ALLOC_MISS", nr);
		KUNIT_EXPECT_EQ_MSG(test, hk_frees(&s0, &s1), (long)nr,
				    "bulk of %u: FREE_HIT + FREE_MISS", nr);
		KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
		kunit_kfree(test, objs);
	}
}

/* A cache keeps allocating across many SuperSlabs, and gives them back. */
static void hakmem_api_growth(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	unsigned long ss_cap, nr, i;
	struct hk_node_snap ns;
	struct hk_stats s0, s1;
	struct hk_vec *v;
	int nid;

	nid = cpu_to_node(hk_pin(test));
	ss_cap = (unsigned long)c->capacity << HAKMEM_SS_SLABS_SHIFT;
	nr = 4 * ss_cap;
	v = hk_vec_new(test, f, nr);
	hakmem_cache_shrink(c);
	hk_stats_read(c, &s0);
	for (i = 0; i < nr; i++)
		hk_vec_alloc(test, v, GFP_KERNEL);
	hk_stats_read(c, &s1);
	hk_node_read(c, nid, &ns);
	kunit_info(test, "%lu objects: %lu SuperSlabs, %lu pages on node %d",
		   nr, ns.nr_ss, ns.nr_pages, nid);
	KUNIT_EXPECT_GE(test, ns.nr_ss, 3UL);
	KUNIT_EXPECT_GE(test, hk_delta(&s0, &s1, HAKMEM_EXPAND), 3);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_EXPAND_FAIL), 0);
	KUNIT_EXPECT_GE(test, ns.nr_inuse, nr);
	hk_vec_free_all(v);
	hakmem_cache_shrink(c);
	for_each_node(nid) {
		hk_node_read(c, nid, &ns);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_inuse, 0UL, "node %d", nid);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_ss, 0UL, "node %d", nid);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_pages, 0UL, "node %d", nid);
	}
}

/*
 * The seed bug: a slab emptied and then re-initialised while still linked.
 * A slab leaves FREE once per trip: emptying it and using it again must
 * not initialise it again.
 */
static void hakmem_api_slab_lifecycle(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	struct hk_slab_info target, si;
	struct hk_node_snap ns;
	struct hk_vec *v, *w;
	unsigned int i, inits, max;
	bool found = false;
	int nid;

	hk_pin(test);
	hakmem_cache_shrink(c);
	v = hk_fill_one_slab(test, f, &target);
	inits = target.inits;
	KUNIT_EXPECT_GE(test, inits, 1U);

	/* Give back the target's objects only; keep the others out. */
	for (i = 0; i < v->nr; ) {
		hk_locate(c, v->objs[i], &si);
		if (si.ss == target.ss && si.slab == target.slab)
			hk_vec_free(v, i);
		else
			i++;
	}
	hakmem_drain_all(c);
	hk_slab_read(c, &target);
	KUNIT_EXPECT_EQ(test, target.state, HAKMEM_SLAB_EMPTY);
	KUNIT_EXPECT_EQ(test, target.inits, inits);
	hk_node_read(c, target.ss->nid, &ns);
	KUNIT_EXPECT_GE(test, ns.nr_empty, 1UL);

	/* Allocate until the target hands out again: reused, not re-inited. */
	max = 2 * c->capacity + 2 * c->mag_size + 2 * c->batch;
	w = hk_vec_new(test, f, max);
	for (i = 0; i < max && !found; i++) {
		hk_check_obj(test, c, hk_vec_alloc(test, w, GFP_KERNEL), &si);
		found = si.ss == target.ss && si.slab == target.slab;
	}
	KUNIT_EXPECT_TRUE_MSG(test, found, "EMPTY slab not reused in %u allocations", max);
	hk_slab_read(c, &target);
	KUNIT_EXPECT_TRUE_MSG(test, target.state == HAKMEM_SLAB_PARTIAL ||
			      target.state == HAKMEM_SLAB_FULL,
			      "state %u after reuse", target.state);
	KUNIT_EXPECT_EQ_MSG(test, target.inits, inits,
			    "an EMPTY slab was initialised again");

	/* Everything back: every slab FREE, every SuperSlab returned. */
	hk_vec_free_all(w);
	hk_vec_free_all(v);
	hakmem_cache_shrink(c);
	for_each_node(nid) {
		hk_node_read(c, nid, &ns);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_inuse, 0UL, "node %d", nid);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_ss, 0UL, "node %d", nid);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_pages, 0UL, "node %d", nid);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_partial + ns.nr_empty, 0UL, "node %d", nid);
	}
}

/* hakmem_cache_alloc_node() places objects on the node asked for. */
static void hakmem_api_numa(struct kunit *test)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_KERNEL | __GFP_THISNODE };
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	unsigned int i, k, nr, nodes = 0, memless = 0;
	struct hk_slab_info si;
	unsigned long inuse0;
	struct hk_vec *v;
	void *obj;
	int nid;

	hk_pin(test);
	inuse0 = hk_drained_inuse(c);
	nr = c->mag_size + c->batch + 1;
	v = hk_vec_new(test, f, nr);
	for_each_node_state(nid, N_MEMORY) {
		nodes++;
		for (k = 0; k < ARRAY_SIZE(gfps); k++) {
			for (i = 0; i < nr; i++) {
				obj = hk_alloc_node(f, gfps[k], nid);
				KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, obj, "node %d", nid);
				v->objs[v->nr++] = obj;
				KUNIT_EXPECT_EQ_MSG(test, page_to_nid(virt_to_page(obj)), nid,
						    "object %u, gfp %pGg", i, &gfps[k]);
				hk_check_obj(test, c, obj, &si);
				KUNIT_EXPECT_EQ(test, si.ss->nid, nid);
			}
			hk_vec_free_all(v);
		}
	}
	for_each_node(nid) {
		if (node_state(nid, N_MEMORY))
			continue;
		memless++;
		obj = hk_alloc_node(f, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN, nid);
		KUNIT_EXPECT_NULL_MSG(test, obj, "node %d has no memory", nid);
		if (obj)
			hk_free(f, obj);
	}
	obj = hk_alloc_node(f, GFP_KERNEL, NUMA_NO_NODE);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, obj);
	if (obj)
		hk_free(f, obj);
	kunit_info(test, "%u nodes with memory, %u without", nodes, memless);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
}

static struct kunit_case hakmem_api_cases[] = {
	KUNIT_CASE_PARAM(hakmem_api_alloc_free, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_api_zero, hk_faces_gen_params),
	KUNIT_CASE(hakmem_api_special_sizes),
	KUNIT_CASE(hakmem_api_ctor),
	KUNIT_CASE_PARAM(hakmem_api_bulk, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_api_growth, hk_faces_short_gen_params),
	KUNIT_CASE_PARAM(hakmem_api_slab_lifecycle, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_api_numa, hk_faces_gen_params),
	{}
};

static struct kunit_suite hakmem_api_suite = {
	.name = "hakmem_api",
	.test_cases = hakmem_api_cases,
};

/* ===================================================================== */
/* hakmem_concurrency                                                     */
/* ===================================================================== */

enum hk_irq_kind {
	HK_HARDIRQ_HRTIMER,
	HK_HARDIRQ_IRQ_WORK,
	HK_SOFTIRQ_TIMER,
	HK_NR_IRQ_KINDS
};

static const char * const hk_irq_names[] = {
	[HK_HARDIRQ_HRTIMER] = "hrtimer (hardirq)",
	[HK_HARDIRQ_IRQ_WORK] = "irq_work (hardirq)",
	[HK_SOFTIRQ_TIMER] = "timer_list (softirq)",
};

/**
 * struct hk_irq_ctx - an IRQ-context user of hakmem
 * @f: the face
 * @kind: which callback
 * @hrtimer: for HK_HARDIRQ_HRTIMER
 * @irq_work: for HK_HARDIRQ_IRQ_WORK
 * @timer: for HK_SOFTIRQ_TIMER
 * @done: completed after the last round
 * @rounds: callbacks left
 * @nr_fail: allocations that returned NULL
 * @wrong_context: callbacks that ran in the wrong context
 * @from_task: allocated by the task, freed in the first callback
 * @to_task: allocated in the first callback, freed by the task
 */
struct hk_irq_ctx {
	struct hk_face *f;
	enum hk_irq_kind kind;
	struct hrtimer hrtimer;
	struct irq_work irq_work;
	struct timer_list timer;
	struct completion done;
	unsigned int rounds;
	unsigned int nr_fail;
	unsigned int wrong_context;
	void *from_task[HK_IRQ_OBJS];
	void *to_task[HK_IRQ_OBJS];
};

/* One callback: returns true while more rounds are due. */
static bool hk_irq_round(struct hk_irq_ctx *x)
{
	bool first = x->rounds == HK_IRQ_ROUNDS;
	void *objs[HK_IRQ_OBJS];
	unsigned int i;
	gfp_t gfp;

	if (x->kind == HK_SOFTIRQ_TIMER ? !in_serving_softirq() : !in_hardirq())
		x->wrong_context++;
	for (i = 0; i < HK_IRQ_OBJS; i++) {
		gfp = (i & 1) ? GFP_NOWAIT : GFP_ATOMIC;
		objs[i] = hk_alloc(x->f, gfp);
		if (!objs[i]) {
			x->nr_fail++;
			continue;
		}
		hk_fill(objs[i], x->f->size);
	}
	for (i = 0; i < HK_IRQ_OBJS; i++) {
		if (!objs[i])
			continue;
		if (!hk_check(objs[i], x->f->size))
			x->nr_fail++;
		hk_free(x->f, objs[i]);
	}
	if (first) {
		for (i = 0; i < HK_IRQ_OBJS; i++) {
			if (x->from_task[i] && !hk_check(x->from_task[i], x->f->size))
				x->nr_fail++;
			hk_free(x->f, x->from_task[i]);
			x->from_task[i] = NULL;
			x->to_task[i] = hk_alloc(x->f, GFP_ATOMIC);
			if (x->to_task[i])
				hk_fill(x->to_task[i], x->f->size);
			else
				x->nr_fail++;
		}
	}
	if (--x->rounds)
		return true;
	complete(&x->done);
	return false;
}

static enum hrtimer_restart hk_hrtimer_fn(struct hrtimer *t)
{
	struct hk_irq_ctx *x = container_of(t, struct hk_irq_ctx, hrtimer);

	if (!hk_irq_round(x))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void hk_irq_work_fn(struct irq_work *w)
{
	struct hk_irq_ctx *x = container_of(w, struct hk_irq_ctx, irq_work);

	if (hk_irq_round(x))
		irq_work_queue(w);
}

static void hk_timer_fn(struct timer_list *t)
{
	struct hk_irq_ctx *x = from_timer(x, t, timer);

	if (hk_irq_round(x))
		mod_timer(t, jiffies + 1);
}

static void hk_irq_stop(struct hk_irq_ctx *x)
{
	switch (x->kind) {
	case HK_HARDIRQ_HRTIMER:
		hrtimer_cancel(&x->hrtimer);
		break;
	case HK_HARDIRQ_IRQ_WORK:
		irq_work_sync(&x->irq_work);
		break;
	default:
		timer_shutdown_sync(&x->timer);
		break;
	}
}

/*
 * GFP_ATOMIC and GFP_NOWAIT from hardirq and softirq, while the task on
 * the same CPU allocates and frees through the same magazine; objects
 * cross between task and IRQ context both ways.  Lockdep must stay quiet.
 */
static void hakmem_concurrency_irq(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	bool locks_on = debug_locks;
	struct hk_irq_ctx *x;
	unsigned long inuse0, deadline;
	unsigned int i, loops;
	enum hk_irq_kind kind;
	bool done;
	void *obj;

	hk_pin(test);
	inuse0 = hk_drained_inuse(f->cache);
	x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	x->f = f;
	for (kind = 0; kind < HK_NR_IRQ_KINDS; kind++) {
		x->kind = kind;
		x->rounds = HK_IRQ_ROUNDS;
		x->nr_fail = 0;
		x->wrong_context = 0;
		init_completion(&x->done);
		for (i = 0; i < HK_IRQ_OBJS; i++) {
			x->from_task[i] = hk_alloc(f, GFP_KERNEL);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, x->from_task[i]);
			hk_fill(x->from_task[i], f->size);
			x->to_task[i] = NULL;
		}
		switch (kind) {
		case HK_HARDIRQ_HRTIMER:
			hrtimer_init(&x->hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
			x->hrtimer.function = hk_hrtimer_fn;
			hrtimer_start(&x->hrtimer, ns_to_ktime(100 * NSEC_PER_USEC),
				      HRTIMER_MODE_REL_HARD);
			break;
		case HK_HARDIRQ_IRQ_WORK:
			x->irq_work = IRQ_WORK_INIT_HARD(hk_irq_work_fn);
			irq_work_queue(&x->irq_work);
			break;
		default:
			timer_setup(&x->timer, hk_timer_fn, 0);
			mod_timer(&x->timer, jiffies + 1);
			break;
		}
		/* Keep the magazine busy while the callbacks come. */
		deadline = jiffies + HK_IRQ_WAIT;
		loops = 0;
		while (!(done = try_wait_for_completion(&x->done)) &&
		       time_before(jiffies, deadline)) {
			obj = hk_alloc(f, GFP_KERNEL);
			if (obj) {
				hk_fill(obj, f->size);
				if (!hk_check(obj, f->size))
					x->nr_fail++;
				hk_free(f, obj);
			}
			if (!(++loops % 64))
				cond_resched();
		}
		hk_irq_stop(x);
		KUNIT_EXPECT_TRUE_MSG(test, done, "%s: callbacks did not finish",
				      hk_irq_names[kind]);
		KUNIT_EXPECT_EQ_MSG(test, x->wrong_context, 0U, "%s", hk_irq_names[kind]);
		KUNIT_EXPECT_EQ_MSG(test, x->nr_fail, 0U, "%s: failed allocations",
				    hk_irq_names[kind]);
		for (i = 0; i < HK_IRQ_OBJS; i++) {
			if (x->from_task[i])
				hk_free(f, x->from_task[i]);
			x->from_task[i] = NULL;
			if (!x->to_task[i])
				continue;
			KUNIT_EXPECT_TRUE(test, hk_check(x->to_task[i], f->size));
			hk_free(f, x->to_task[i]);
			x->to_task[i] = NULL;
		}
	}
	if (locks_on)
		KUNIT_EXPECT_TRUE_MSG(test, debug_locks, "lockdep reported a problem");
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(f->cache), inuse0);
}

/**
 * struct hk_xcpu - objects allocated on one CPU and freed on another
 * @f: the face
 * @objs: the objects
 * @nr: how many to allocate; how many were allocated
 * @bad: objects whose pattern was damaged
 */
struct hk_xcpu {
	struct hk_face *f;
	void **objs;
	unsigned int nr;
	unsigned int bad;
};

static long hk_xcpu_alloc(void *arg)
{
	struct hk_xcpu *x = arg;
	unsigned int i;

	for (i = 0; i < x->nr; i++) {
		x->objs[i] = hk_alloc(x->f, GFP_KERNEL);
		if (!x->objs[i])
			break;
		hk_fill(x->objs[i], x->f->size);
	}
	x->nr = i;
	return 0;
}

static long hk_xcpu_free(void *arg)
{
	struct hk_xcpu *x = arg;
	unsigned int i;

	for (i = 0; i < x->nr; i++) {
		if (!hk_check(x->objs[i], x->f->size))
			x->bad++;
		hk_free(x->f, x->objs[i]);
	}
	x->nr = 0;
	return 0;
}

/* Allocate on CPU A, free on CPU B, for every pair A != B. */
static void hakmem_concurrency_cross_cpu(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	unsigned int want, pairs = 0;
	struct hk_stats s0, s1;
	unsigned long inuse0;
	struct hk_xcpu x;
	int a, b;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	want = 2 * c->mag_size + c->batch + 1;
	x.f = f;
	x.bad = 0;
	x.objs = kunit_kcalloc(test, want, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x.objs);
	inuse0 = hk_drained_inuse(c);
	hk_stats_read(c, &s0);
	cpus_read_lock();
	for_each_online_cpu(a) {
		for_each_online_cpu(b) {
			if (a == b)
				continue;
			x.nr = want;
			work_on_cpu(a, hk_xcpu_alloc, &x);
			KUNIT_EXPECT_EQ_MSG(test, x.nr, want, "CPU %d -> %d", a, b);
			work_on_cpu(b, hk_xcpu_free, &x);
			pairs++;
		}
	}
	cpus_read_unlock();
	hk_stats_read(c, &s1);
	kunit_info(test, "%u CPU pairs, %u objects each", pairs, want);
	KUNIT_EXPECT_EQ(test, x.bad, 0U);
	KUNIT_EXPECT_EQ(test, hk_allocs(&s0, &s1), (long)(pairs * want));
	KUNIT_EXPECT_EQ(test, hk_frees(&s0, &s1), (long)(pairs * want));
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_INVALID_FREE), 0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_DOUBLE_FREE), 0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_CORRUPTION), 0);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
}

/* Allocate a few objects on this CPU and free them: the magazine keeps them. */
static long hk_fill_magazine(void *arg)
{
	struct hk_face *f = arg;
	void *objs[8];
	unsigned int i, nr = min_t(unsigned int, ARRAY_SIZE(objs), f->cache->mag_size);

	for (i = 0; i < nr; i++)
		objs[i] = hk_alloc(f, GFP_KERNEL);
	for (i = 0; i < nr; i++)
		if (objs[i])
			hk_free(f, objs[i]);
	return 0;
}

struct hk_cpu_down {
	unsigned int cpu;
	bool down;
};

static void hk_cpu_up_action(void *arg)
{
	struct hk_cpu_down *d = arg;

	if (d->down && !add_cpu(d->cpu))
		d->down = false;
}

/* An offlined CPU's magazine goes back to the slabs. */
static void hakmem_concurrency_hotplug(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	struct hk_node_snap before, after;
	struct hk_cpu_down *d;
	unsigned long inuse0;
	unsigned int held;
	int cpu, nid, ret;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU))
		kunit_skip(test, "needs CONFIG_HOTPLUG_CPU");
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	cpu = cpumask_next(cpumask_first(cpu_online_mask), cpu_online_mask);
	KUNIT_ASSERT_LT(test, cpu, (int)nr_cpu_ids);
	nid = cpu_to_node(cpu);
	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	d->cpu = cpu;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_cpu_up_action, d));

	inuse0 = hk_drained_inuse(c);
	work_on_cpu(cpu, hk_fill_magazine, f);
	/* Nothing else runs hakmem on that CPU: the count is stable. */
	held = READ_ONCE(per_cpu_ptr(c->pcp, cpu)->count);
	hk_node_read(c, nid, &before);
	KUNIT_ASSERT_GT(test, held, 0U);
	KUNIT_ASSERT_GE(test, before.nr_inuse, (unsigned long)held);

	ret = remove_cpu(cpu);
	if (ret)
		kunit_skip(test, "remove_cpu(%d): %d", cpu, ret);
	d->down = true;
	hk_node_read(c, nid, &after);
	KUNIT_EXPECT_EQ(test, READ_ONCE(per_cpu_ptr(c->pcp, cpu)->count), 0U);
	KUNIT_EXPECT_EQ_MSG(test, before.nr_inuse - after.nr_inuse, (unsigned long)held,
			    "CPU %d went down holding %u objects", cpu, held);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	d->down = false;

	/* The CPU is back and works. */
	work_on_cpu(cpu, hk_fill_magazine, f);
	KUNIT_EXPECT_GT(test, READ_ONCE(per_cpu_ptr(c->pcp, cpu)->count), 0U);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
}

/* --- the stress ---------------------------------------------------------- */

enum hk_slot_kind { HK_SLOT_EMPTY, HK_SLOT_TINY, HK_SLOT_CACHE };

struct hk_slot {
	void *obj;
	unsigned int size;
	u8 kind;
};

struct hk_stress_set {
	unsigned int nr;
	struct hk_slot slots[];
};

struct hk_stress;

struct hk_stress_thread {
	struct hk_stress *s;
	struct task_struct *task;
	struct hk_stress_set *set;
	struct rnd_state rnd;
	unsigned long rounds;
	unsigned int cpu;
};

/**
 * struct hk_stress - state shared by the stress threads
 * @cache: a dedicated cache, empty at the start
 * @cache_size: its object size
 * @swap: the set waiting to be taken by the next thread done with a round
 * @start: every thread waits on it, so that they grow the cache together
 * @nodes: nodes with memory, for hakmem_alloc_node()
 * @nr_nodes: how many
 * @allocs: objects allocated from @cache
 * @frees: objects freed to @cache
 * @bad: objects whose pattern was damaged
 * @fails: allocations that returned NULL
 * @threads: one per online CPU
 * @nr_threads: how many
 */
struct hk_stress {
	struct hakmem_cache *cache;
	unsigned int cache_size;
	struct hk_stress_set *swap;
	struct completion start;
	int nodes[MAX_NUMNODES];
	unsigned int nr_nodes;
	atomic_long_t allocs;
	atomic_long_t frees;
	atomic_long_t bad;
	atomic_long_t fails;
	struct hk_stress_thread *threads;
	unsigned int nr_threads;
};

static void hk_slot_free(struct hk_stress *s, struct hk_slot *sl)
{
	if (sl->kind == HK_SLOT_EMPTY)
		return;
	if (!hk_check(sl->obj, sl->size)) {
		if (atomic_long_inc_return(&s->bad) == 1)
			pr_err("stress: object %p (%u bytes) damaged\n", sl->obj, sl->size);
	}
	if (sl->kind == HK_SLOT_CACHE) {
		hakmem_cache_free(s->cache, sl->obj);
		atomic_long_inc(&s->frees);
	} else {
		hakmem_free(sl->obj);
	}
	sl->kind = HK_SLOT_EMPTY;
	sl->obj = NULL;
}

static void hk_slot_alloc(struct hk_stress *s, struct hk_slot *sl, u32 r)
{
	unsigned int size = 1 + (r >> 12) % (HAKMEM_MAX_TINY_SIZE + 512);
	void *obj;

	switch (r & 7) {
	case 0:
	case 1:
	case 2:
		sl->kind = HK_SLOT_CACHE;
		size = s->cache_size;
		obj = hakmem_cache_alloc(s->cache, GFP_KERNEL);
		if (obj)
			atomic_long_inc(&s->allocs);
		break;
	case 3:
		sl->kind = HK_SLOT_TINY;
		obj = hakmem_alloc_node(size, GFP_KERNEL,
					s->nodes[(r >> 4) % s->nr_nodes]);
		break;
	default:
		sl->kind = HK_SLOT_TINY;
		obj = hakmem_alloc(size, GFP_KERNEL);
		break;
	}
	if (!obj) {
		atomic_long_inc(&s->fails);
		sl->kind = HK_SLOT_EMPTY;
		return;
	}
	sl->obj = obj;
	sl->size = size;
	hk_fill(obj, size);
}

static int hk_stress_fn(void *arg)
{
	struct hk_stress_thread *t = arg;
	struct hk_stress *s = t->s;
	struct hk_slot *sl;
	unsigned int i;
	u32 r;

	wait_for_completion(&s->start);
	while (!kthread_should_stop()) {
		for (i = 0; i < t->set->nr; i++) {
			if (!(i % 32) && kthread_should_stop())
				break;
			sl = &t->set->slots[i];
			r = prandom_u32_state(&t->rnd);
			/* Larson: free most, keep some for the next owner. */
			if (sl->kind != HK_SLOT_EMPTY && (r & 0x300))
				hk_slot_free(s, sl);
			if (sl->kind == HK_SLOT_EMPTY && (r & 0xc00))
				hk_slot_alloc(s, sl, prandom_u32_state(&t->rnd));
		}
		/* Hand this set to another thread; take the one it left. */
		t->set = xchg(&s->swap, t->set);
		t->rounds++;
		cond_resched();
	}
	return 0;
}

static void hk_stress_set_free(struct hk_stress *s, struct hk_stress_set *set)
{
	unsigned int i;

	if (!set)
		return;
	for (i = 0; i < set->nr; i++)
		hk_slot_free(s, &set->slots[i]);
	kvfree(set);
}

/* Stop every thread, free every object, free the sets. */
static void hk_stress_release(void *arg)
{
	struct hk_stress *s = arg;
	unsigned int i;

	complete_all(&s->start);
	for (i = 0; i < s->nr_threads; i++) {
		if (s->threads[i].task)
			kthread_stop_put(s->threads[i].task);
		s->threads[i].task = NULL;
	}
	for (i = 0; i < s->nr_threads; i++) {
		hk_stress_set_free(s, s->threads[i].set);
		s->threads[i].set = NULL;
	}
	hk_stress_set_free(s, s->swap);
	s->swap = NULL;
	kfree(s->threads);
	s->threads = NULL;
	s->nr_threads = 0;
}

static struct hk_stress_set *hk_stress_set_new(unsigned int nr)
{
	struct hk_stress_set *set;

	set = kvzalloc(struct_size(set, slots, nr), GFP_KERNEL);
	if (set)
		set->nr = nr;
	return set;
}

/*
 * A thread per online CPU, all starting on an empty cache at once, each
 * allocating random sizes through hakmem_alloc(), hakmem_alloc_node() and
 * a dedicated cache into a slot array it hands to another thread after
 * every round (Larson), so frees cross CPUs and nodes.
 */
static void hakmem_concurrency_stress(struct kunit *test)
{
	struct hakmem_cache *tiny[8];
	struct hk_stats s0, s1, *t0;
	struct hk_node_snap ns;
	struct hk_stress *s;
	unsigned long rounds = 0;
	unsigned int i, size, nobjs = max(stress_objs, 1U);
	u64 seed = stress_seed;
	int cpu, nid;

	if (!seed)
		seed = get_random_u64();
	kunit_info(test, "stress_seed=%llu stress_ms=%u stress_objs=%u, %u CPUs",
		   seed, stress_ms, nobjs, num_online_cpus());

	t0 = kunit_kcalloc(test, ARRAY_SIZE(tiny), sizeof(*t0), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t0);
	for (i = 0, size = 8; size <= HAKMEM_MAX_TINY_SIZE; i++, size *= 2) {
		tiny[i] = hk_tiny_cache(test, size);
		hk_stats_read(tiny[i], &t0[i]);
	}
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->cache_size = 200;
	s->cache = hk_create(test, "hakmem_kunit_stress", s->cache_size, 0,
			     SLAB_RED_ZONE, false);
	hk_stats_read(s->cache, &s0);
	init_completion(&s->start);
	atomic_long_set(&s->allocs, 0);
	atomic_long_set(&s->frees, 0);
	atomic_long_set(&s->bad, 0);
	atomic_long_set(&s->fails, 0);
	for_each_node_state(nid, N_MEMORY)
		s->nodes[s->nr_nodes++] = nid;
	KUNIT_ASSERT_GT(test, s->nr_nodes, 0U);
	s->threads = kcalloc(nr_cpu_ids, sizeof(*s->threads), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->threads);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_stress_release, s));
	s->swap = hk_stress_set_new(nobjs);
	KUNIT_ASSERT_NOT_NULL(test, s->swap);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct hk_stress_thread *t = &s->threads[s->nr_threads];

		t->s = s;
		t->cpu = cpu;
		prandom_seed_state(&t->rnd, seed + cpu);
		t->set = hk_stress_set_new(nobjs);
		if (!t->set)
			break;
		t->task = kthread_create_on_cpu(hk_stress_fn, t, cpu, "hakmem_stress/%u");
		if (IS_ERR(t->task)) {
			t->task = NULL;
			break;
		}
		get_task_struct(t->task);
		s->nr_threads++;
		wake_up_process(t->task);
	}
	cpus_read_unlock();
	KUNIT_ASSERT_EQ(test, s->nr_threads, num_online_cpus());

	complete_all(&s->start);
	msleep(stress_ms);
	for (i = 0; i < s->nr_threads; i++) {
		kthread_stop_put(s->threads[i].task);
		s->threads[i].task = NULL;
		rounds += s->threads[i].rounds;
	}
	hk_node_read(s->cache, cpu_to_node(0), &ns);
	kunit_info(test, "%lu rounds, %ld cache objects, node %d: %lu SuperSlabs",
		   rounds, atomic_long_read(&s->allocs), cpu_to_node(0), ns.nr_ss);
	kunit_release_action(test, hk_stress_release, s);

	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->bad), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->fails), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->allocs), atomic_long_read(&s->frees));
	hk_stats_read(s->cache, &s1);
	KUNIT_EXPECT_EQ(test, hk_allocs(&s0, &s1), atomic_long_read(&s->allocs));
	KUNIT_EXPECT_EQ(test, hk_frees(&s0, &s1), atomic_long_read(&s->frees));
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_INVALID_FREE), 0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_DOUBLE_FREE), 0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_CORRUPTION), 0);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(s->cache), 0UL);
	for (i = 0; i < ARRAY_SIZE(tiny); i++) {
		hk_stats_read(tiny[i], &s1);
		KUNIT_EXPECT_EQ_MSG(test, hk_allocs(&t0[i], &s1), hk_frees(&t0[i], &s1),
				    "%s", tiny[i]->dbg_name);
		KUNIT_EXPECT_EQ(test, hk_delta(&t0[i], &s1, HAKMEM_INVALID_FREE), 0);
		KUNIT_EXPECT_EQ(test, hk_delta(&t0[i], &s1, HAKMEM_DOUBLE_FREE), 0);
		KUNIT_EXPECT_EQ(test, hk_delta(&t0[i], &s1, HAKMEM_CORRUPTION), 0);
	}
	hakmem_cache_shrink(s->cache);
	for_each_node(nid) {
		hk_node_read(s->cache, nid, &ns);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_ss, 0UL, "node %d", nid);
	}
}

static struct kunit_case hakmem_concurrency_cases[] = {
	KUNIT_CASE_PARAM(hakmem_concurrency_irq, hk_faces_short_gen_params),
	KUNIT_CASE_PARAM(hakmem_concurrency_cross_cpu, hk_faces_short_gen_params),
	KUNIT_CASE_PARAM(hakmem_concurrency_hotplug, hk_faces_short_gen_params),
	KUNIT_CASE_SLOW(hakmem_concurrency_stress),
	{}
};

static struct kunit_suite hakmem_concurrency_suite = {
	.name = "hakmem_concurrency",
	.test_cases = hakmem_concurrency_cases,
};

/* ===================================================================== */
/* hakmem_misuse                                                          */
/* ===================================================================== */

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
	hk_free(f, obj);
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
	hk_free(f, obj);
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
	hk_free(f, obj + 1);
	hk_expect_frees(test, c, &s0, "obj + 1", 1, 0, 0, 0);
	if (stride >= 16) {
		hk_stats_read(c, &s0);
		hk_free(f, obj + 8);
		hk_expect_frees(test, c, &s0, "obj + 8", 1, 0, 0, 0);
	}
	hk_stats_read(c, &s0);
	hk_free(f, obj + stride - 1);
	hk_expect_frees(test, c, &s0, "obj + stride - 1", 1, 0, 0, 0);

	/* The tail of a slab, past capacity * stride. */
	base = hakmem_slab_base(c, si.ss, si.slab);
	end = c->capacity * stride;
	if (end + 8 <= hakmem_slab_bytes(c)) {
		hk_stats_read(c, &s0);
		hk_free(f, base + end);
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
	hakmem_cache_free(other, obj);
	hk_expect_frees(test, other, &o0, "to the wrong cache", 1, 0, 0, 0);
	hk_expect_frees(test, c, &s0, "owner untouched", 0, 0, 0, 0);

	/* And the other way round. */
	oobj = hakmem_cache_alloc(other, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, oobj);
	hk_stats_read(c, &s0);
	hakmem_cache_free(c, oobj);
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
	hakmem_cache_free(c, p);
	hk_expect_frees(test, c, &s0, "kmalloc'ed", 1, 0, 0, 0);
	kfree(p);

	hk_stats_read(c, &s0);
	hakmem_cache_free(c, stack);
	hk_expect_frees(test, c, &s0, "stack", 1, 0, 0, 0);

	p = vmalloc(PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hk_stats_read(c, &s0);
	hakmem_cache_free(c, p);
	hk_expect_frees(test, c, &s0, "vmalloc'ed", 1, 0, 0, 0);
	vfree(p);

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	hk_stats_read(c, &s0);
	hakmem_cache_free(c, page_address(page));
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
	hk_free(f, obj);
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
	/* LIFO magazine on a pinned CPU: the next object is this one. */
	again = hk_alloc(f, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, again);
	KUNIT_EXPECT_PTR_EQ(test, again, obj);
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
 * The live object of hakmem_misuse_destroy_live(), referenced from here so
 * that kmemleak, which tracks hakmem objects, does not call it a leak.
 */
static void *hk_leaked_obj;

/*
 * Destroying a cache with a live object reports it and keeps the cache,
 * whose memory is never freed.  Run last: the cache and the object stay.
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
	hakmem_cache_destroy(c);
	KUNIT_EXPECT_TRUE(test, c->leaked);
	KUNIT_EXPECT_TRUE(test, hk_check(obj, 96));
	KUNIT_EXPECT_PTR_EQ(test, hk_cache_of(obj), c);
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
	.test_cases = hakmem_misuse_cases,
};

kunit_test_suites(&hakmem_layout_suite, &hakmem_api_suite,
		  &hakmem_concurrency_suite, &hakmem_misuse_suite);

MODULE_IMPORT_NS(HAKMEM_INTERNAL);
MODULE_DESCRIPTION("KUnit tests for hakmem-slab");
MODULE_LICENSE("GPL");
