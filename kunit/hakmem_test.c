// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the suites of hakmem_kunit.ko (hakmem_test.h), and the
 * module's description.
 *
 * Most cases run twice over, as kfence_test does for kmalloc: through a
 * dedicated cache (hakmem_cache_*()) and through the tiny classes
 * (hakmem_alloc() / hakmem_free()).  They look inside the allocator
 * through hakmem_internal.h: the layout, the slab states, the per-node
 * counters and the per-CPU statistics, so that "reported once" or "the
 * slab was reused, not re-initialised" is an assertion, not a log line.
 *
 * Suites, one file each, in the order they run:
 *   hakmem_layout       strides, capacities, where objects sit, create()
 *   hakmem_api          alloc/free, zeroing, ctor, bulk, growth, slab
 *                       lifecycle, NUMA placement
 *   hakmem_concurrency  hardirq/softirq callers, cross-CPU frees, CPU
 *                       hotplug, a multi-CPU stress
 *   hakmem_misuse       double/invalid/foreign frees, red zone, poison,
 *                       destroy with live objects
 *   ...                 and the others of kunit/Kbuild's hakmem_kunit-y, among
 *                       them hakmem_free_word (stray writes into free
 *                       objects) and hakmem_gfp (gfp flags, init_on_*)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "hakmem_test.h"

/* --- faces: a dedicated cache or a tiny class --------------------------- */

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

void hk_param_desc(const struct hk_param *p, char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

static const void *hk_param_next(const struct hk_param *first, size_t nr,
				 const void *prev, char *desc)
{
	const struct hk_param *p = prev ? (const struct hk_param *)prev + 1 : first;

	if (p >= first + nr)
		return NULL;
	hk_param_desc(p, desc);
	return p;
}

const void *hk_faces_gen_params(const void *prev, char *desc)
{
	return hk_param_next(hk_faces, ARRAY_SIZE(hk_faces), prev, desc);
}

const void *hk_faces_short_gen_params(const void *prev, char *desc)
{
	return hk_param_next(hk_faces_short, ARRAY_SIZE(hk_faces_short), prev, desc);
}

const void *hk_faces_redzone_gen_params(const void *prev, char *desc)
{
	return hk_param_next(hk_faces_redzone, ARRAY_SIZE(hk_faces_redzone), prev, desc);
}

const void *hk_faces_poison_gen_params(const void *prev, char *desc)
{
	return hk_param_next(hk_faces_poison, ARRAY_SIZE(hk_faces_poison), prev, desc);
}

static void hk_quarantine_restore(void *on)
{
	hakmem_quarantine_set(on);
}

/**
 * hk_case_init() - the .init of every suite in hakmem_kunit.ko
 * @test: the case
 *
 * A parameter's description goes to test->priv: hk_expect_begin() and
 * hk_expect_end() add it to the case name in their labels.  The KASAN
 * quarantine is off for the case (restored after it).
 *
 * Return: 0.
 */
int hk_case_init(struct kunit *test)
{
	const struct hk_param *p = test->param_value;
	bool on;

	if (p)
		test->priv = (void *)p->desc;
	/*
	 * These suites check the magazines' LIFO order and exact counts; the
	 * KASAN quarantine has hakmem_sanitizers of its own.
	 */
	on = hakmem_quarantine_set(false);
	return kunit_add_action_or_reset(test, hk_quarantine_restore,
					 on ? test : NULL);
}

atomic_long_t hk_ctor_calls = ATOMIC_LONG_INIT(0);

/* Objects may be as small as one byte: leave one byte only. */
void hk_ctor(void *obj)
{
	*(u8 *)obj = HK_CTOR_BYTE;
	atomic_long_inc(&hk_ctor_calls);
}

KUNIT_DEFINE_ACTION_WRAPPER(hk_cache_destroy_action, hakmem_cache_destroy,
			    struct hakmem_cache *);

struct hakmem_cache *hk_create(struct kunit *test, const char *name,
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
struct hakmem_cache *hk_cache_of(const void *obj)
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

struct hakmem_cache *hk_tiny_cache(struct kunit *test, unsigned int size)
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

struct hk_face *hk_face_of(struct kunit *test, const struct hk_param *p)
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

struct hk_face *hk_face(struct kunit *test)
{
	return hk_face_of(test, test->param_value);
}

void *hk_alloc(struct hk_face *f, gfp_t gfp)
{
	if (f->tiny)
		return hakmem_alloc(f->size, gfp);
	return hakmem_cache_alloc(f->cache, gfp);
}

void *hk_alloc_node(struct hk_face *f, gfp_t gfp, int nid)
{
	if (f->tiny)
		return hakmem_alloc_node(f->size, gfp, nid);
	return hakmem_cache_alloc_node(f->cache, gfp, nid);
}

void hk_free(struct hk_face *f, void *obj)
{
	if (f->tiny)
		hakmem_free(obj);
	else
		hakmem_cache_free(f->cache, obj);
}

/* Keep the test thread on @cpu from now on: one magazine, one node. */
int hk_pin_to(struct kunit *test, int cpu)
{
	KUNIT_ASSERT_EQ(test, 0, set_cpus_allowed_ptr(current, cpumask_of(cpu)));
	KUNIT_ASSERT_EQ(test, raw_smp_processor_id(), cpu);
	return cpu;
}

/* Keep the test thread on the CPU it runs on. */
int hk_pin(struct kunit *test)
{
	return hk_pin_to(test, raw_smp_processor_id());
}

/*
 * Keep the test thread on a CPU whose home node has a free page: where a
 * free keeps its object in the magazine and the refill grows at home, as
 * on numa=fake.  On an exhausted node (vm-run.sh --numa exhausted) a
 * CPU's objects come from another node and its frees go to their slabs.
 */
int hk_pin_home_has_pages(struct kunit *test)
{
	int cpu;

	for_each_online_cpu(cpu) {
		hk_pin_to(test, cpu);
		if (hk_node_has_free_page(hakmem_home_node()))
			return cpu;
	}
	KUNIT_FAIL(test, "no online CPU's home node has a free page");
	return hk_pin(test);
}

/*
 * Has @nid a free page right now, for an allocation that neither reclaims
 * nor dips below the min watermark?  A node whose pages are all taken
 * (vm-run.sh --numa exhausted, or a case's own hog) has none.
 */
bool hk_node_has_free_page(int nid)
{
	struct page *page;

	page = alloc_pages_node(nid, GFP_NOWAIT | __GFP_THISNODE | __GFP_NOWARN, 0);
	if (!page)
		return false;
	__free_pages(page, 0);
	return true;
}

/*
 * Has @c marked @nid "no pages for a SuperSlab" (hakmem_node_pages_seen())?
 * Until the mark expires, allocations for the node without __GFP_THISNODE
 * take other nodes' objects rather than ask the page allocator again.
 */
bool hk_node_marked(struct hakmem_cache *c, int nid)
{
	return READ_ONCE(c->node[nid]->no_pages_until) != 0;
}

/*
 * Does a free of @obj on this (pinned) CPU keep it in the CPU's magazine,
 * to be the next allocation (LIFO)?  Only if it is of the CPU's home node
 * (hakmem_home_node()): an object of another node goes straight back to
 * its slab.  Another node's objects are what a CPU gets when its home node
 * has no page left, or for hakmem_cache_alloc_node() of another node.
 */
bool hk_kept_here(const void *obj)
{
	return page_to_nid(virt_to_page(obj)) == hakmem_home_node();
}

/*
 * The CPU a hotplug case takes offline: the second online one.  Skips the
 * case where none can go (no CONFIG_HOTPLUG_CPU, one CPU online, or that
 * CPU is not hotpluggable on this machine).
 */
int hk_hotplug_cpu(struct kunit *test)
{
	int cpu;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU))
		kunit_skip(test, "this kernel has no CONFIG_HOTPLUG_CPU");
	if (num_online_cpus() < 2)
		kunit_skip(test, "one CPU online: none to take offline");
	cpu = cpumask_next(cpumask_first(cpu_online_mask), cpu_online_mask);
	KUNIT_ASSERT_LT(test, cpu, (int)nr_cpu_ids);
	if (!cpu_is_hotpluggable(cpu))
		kunit_skip(test, "CPU %d cannot go offline on this machine", cpu);
	return cpu;
}

/*
 * A work_on_cpu() worker: a few objects of the cache @arg out and back on
 * this CPU, so that its magazine holds them, and no slab does.
 */
long hk_magazine_fill(void *arg)
{
	struct hakmem_cache *s = arg;
	void *objs[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(objs); i++)
		objs[i] = hakmem_cache_alloc(s, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		hakmem_cache_free(s, objs[i]);
	return 0;
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

void hk_fill(void *obj, size_t size)
{
	unsigned long seed = hk_seed(obj, size), *w = obj;
	size_t i, words = size / sizeof(long);
	u8 *b = obj;

	for (i = 0; i < words; i++)
		w[i] = seed * (i + 1);
	for (i *= sizeof(long); i < size; i++)
		b[i] = (u8)seed + (u8)i;
}

bool hk_check(const void *obj, size_t size)
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

void hk_stats_read(struct hakmem_cache *c, struct hk_stats *s)
{
	int i;

	for (i = 0; i < HAKMEM_NR_STAT_ITEMS; i++)
		s->v[i] = hakmem_stat_sum(c, i);
}

void hk_node_read(struct hakmem_cache *c, int nid, struct hk_node_snap *s)
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

/*
 * Once every object of @c is freed, a shrink gives every SuperSlab back:
 * on every node no object out, no SuperSlab, no page, no slab listed.
 */
void hk_expect_all_returned(struct kunit *test, struct hakmem_cache *c)
{
	struct hk_node_snap ns;
	int nid;

	hakmem_cache_shrink(c);
	for_each_node(nid) {
		hk_node_read(c, nid, &ns);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_inuse, 0UL, "node %d", nid);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_ss, 0UL, "node %d", nid);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_pages, 0UL, "node %d", nid);
		KUNIT_EXPECT_EQ_MSG(test, ns.nr_partial + ns.nr_empty, 0UL, "node %d", nid);
	}
}

/* Objects out of the slabs of every node. */
unsigned long hk_inuse(struct hakmem_cache *c)
{
	return hakmem_nodes_sum(c, nr_inuse);
}

/* Objects out of the slabs once every magazine is flushed. */
unsigned long hk_drained_inuse(struct hakmem_cache *c)
{
	hakmem_drain_all(c);
	return hk_inuse(c);
}

/*
 * Objects made (debug bytes and constructor) in the SuperSlabs @c holds
 * now: each was constructed once, when its slab first carved it.
 */
unsigned long hk_objs_made(struct hakmem_cache *c)
{
	struct hakmem_superslab *ss;
	unsigned long made = 0, flags;
	struct hakmem_node *n;
	unsigned int i;
	int nid;

	for_each_node(nid) {
		n = c->node[nid];
		if (!n)
			continue;
		spin_lock_irqsave(&n->lock, flags);
		list_for_each_entry(ss, &n->ss_list, list)
			for (i = 0; i < ss->nr_slabs; i++)
				made += ss->slabs[i].made;
		spin_unlock_irqrestore(&n->lock, flags);
	}
	return made;
}

bool hk_locate(struct hakmem_cache *c, const void *obj,
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

void hk_slab_read(struct hakmem_cache *c, struct hk_slab_info *si)
{
	struct hakmem_node *n = c->node[si->ss->nid];
	unsigned long flags;

	spin_lock_irqsave(&n->lock, flags);
	si->state = si->slab->state;
	si->inits = si->slab->inits;
	spin_unlock_irqrestore(&n->lock, flags);
}

/* Check that @obj is a well-placed object of @c; fill @si. */
void hk_check_obj(struct kunit *test, struct hakmem_cache *c, void *obj,
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

void hk_vec_free_all(struct hk_vec *v)
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

struct hk_vec *hk_vec_new(struct kunit *test, struct hk_face *f,
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

void *hk_vec_alloc(struct kunit *test, struct hk_vec *v, gfp_t gfp)
{
	void *obj;

	KUNIT_ASSERT_LT(test, v->nr, v->max);
	obj = hk_alloc(v->f, gfp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, obj, "allocation %u failed", v->nr);
	v->objs[v->nr++] = obj;
	return obj;
}

void hk_vec_free(struct hk_vec *v, unsigned int i)
{
	hk_free(v->f, v->objs[i]);
	v->objs[i] = v->objs[--v->nr];
}

/*
 * Hold every object of one slab: the slab of the first object allocated.
 * Each must be in its slab, at its index, aligned; indices 0 and
 * capacity - 1 must both come out.  Returns the vector, every object live.
 */
struct hk_vec *hk_fill_one_slab(struct kunit *test, struct hk_face *f,
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

/**
 * hk_alloc_back() - allocate until an object just freed comes back
 * @test: the case, pinned to its CPU since before @obj was allocated
 * @f: the face @obj was freed to
 * @obj: the object
 * @gfp: flags of the allocations
 *
 * When the free kept @obj in this CPU's magazine (hk_kept_here()) it is
 * the very next allocation; otherwise it went back to its slab, and comes
 * out when this CPU's refills reach that slab, after the magazine's
 * other objects and at most every other object of its node.  The objects
 * allocated before it are freed again.
 *
 * Return: @obj, allocated again.
 */
void *hk_alloc_back(struct kunit *test, struct hk_face *f, const void *obj,
		    gfp_t gfp)
{
	struct hakmem_cache *c = f->cache;
	bool lifo = hk_kept_here(obj);
	int nid = page_to_nid(virt_to_page(obj));
	struct hk_node_snap ns;
	struct hk_vec *v;
	void *got;

	hk_node_read(c, nid, &ns);
	v = hk_vec_new(test, f, ns.nr_slabs * c->capacity + c->mag_size + c->batch);
	for (;;) {
		KUNIT_ASSERT_LT_MSG(test, v->nr, v->max,
				    "%p of node %d, back to its slab, not allocated again in %u allocations",
				    obj, nid, v->nr);
		got = hk_alloc(f, gfp);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, got);
		if (got == obj)
			break;
		v->objs[v->nr++] = got;
		KUNIT_ASSERT_FALSE_MSG(test, lifo,
				       "%p of the home node %d, just freed, is not the next allocation (%p of node %d is)",
				       obj, nid, got, page_to_nid(virt_to_page(got)));
	}
	kunit_release_action(test, hk_vec_release, v);
	return got;
}

/* Destroy a cache of hk_create() now rather than at the end of the case. */
void hk_destroy_now(struct kunit *test, struct hakmem_cache *c)
{
	kunit_release_action(test, hk_cache_destroy_action, c);
}

MODULE_IMPORT_NS(HAKMEM_NS);
MODULE_IMPORT_NS(HAKMEM_INTERNAL_NS);
MODULE_DESCRIPTION("KUnit tests for hakmem-slab");
MODULE_LICENSE("GPL");
