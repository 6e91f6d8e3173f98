// SPDX-License-Identifier: GPL-2.0
/*
 * SuperSlabs, slabs and the per-node heads of hakmem-slab.
 *
 * A SuperSlab is a power-of-two run of pages from alloc_pages_node(), cut
 * into equal slabs; each slab is cut into objects of the cache's stride.
 * Its metadata is kmalloc'ed beside it and found from any object in O(1):
 * the SuperSlab's head page carries (HAKMEM_SS_MAGIC << 32 | id) in
 * page->private, and the id indexes the registry below, whose entry must
 * point back at the same pages.  A pointer that fails any step is not
 * hakmem's.
 *
 * Lock order (outermost first; hakmem_slab.c takes the first two):
 *   1. cpu_hotplug_lock, hakmem_cache_mutex, hakmem_drain_mutex
 *   2. hakmem_cpu_cache.lock - local lock: IRQs off; on PREEMPT_RT a
 *      per-CPU sleeping lock, preemptible
 *   3. hakmem_node.lock - spinlock_t, always taken with IRQs off, since
 *      GFP_ATOMIC callers may come from hardirq context (on PREEMPT_RT a
 *      sleeping lock that leaves IRQs on: no hardirq callers there); one
 *      node's at a time, of any node (objects go back to their own node)
 *   4. the registry's IDA lock (internal to the IDA)
 * and hakmem_ss_dir_lock, a leaf: a spinlock_t (IRQs off; sleeping on
 * PREEMPT_RT) that publishes a registry chunk, taken with neither the
 * local lock nor a node lock held (SuperSlabs are built with none held).
 *
 * hakmem_node.lock protects the node's lists and counters and, for every
 * SuperSlab and slab on that node, their lists, free lists, bitmaps,
 * counters and states.  Pages are never allocated or freed under it:
 * expansion allocates first, then publishes under the lock (or frees its
 * SuperSlab again if a racing expansion already made room); release
 * unlinks under the lock and frees after dropping it.  A release may still
 * run under the local lock (a free that flushes): __free_pages(),
 * ida_free() and call_rcu() are fine there on every preemption model:
 * with IRQs off without PREEMPT_RT, and on PREEMPT_RT because nothing in
 * hakmem disables preemption or IRQs around the local lock.
 *
 * Giving a SuperSlab back is O(1): per-CPU hints name SuperSlabs by
 * registry slot and are checked against the registry before use, so none
 * has to be found and cleared (hakmem_obj_to_ss_hinted()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/types.h>
/* 6.1's fault-inject.h needs gfp_t and bool declared first. */
#include <linux/fault-inject.h>
#include <linux/idr.h>
#include <linux/kmemleak.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/poison.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "hakmem_internal.h"
#include "hakmem_trace.h"

struct hakmem_superslab **hakmem_ss_dir[HAKMEM_SS_DIR_SIZE];
EXPORT_SYMBOL_NS_GPL(hakmem_ss_dir, HAKMEM_INTERNAL_NS);
unsigned long hakmem_fp_secret __read_mostly;
EXPORT_SYMBOL_NS_GPL(hakmem_fp_secret, HAKMEM_INTERNAL_NS);
/* What an unused hint names: a slot that stays NULL. */
static struct hakmem_superslab *hakmem_ss_no_slot;
DEFINE_PER_CPU(struct hakmem_ss_hints, hakmem_ss_hints);
static DEFINE_IDA(hakmem_ss_ida);
static DEFINE_SPINLOCK(hakmem_ss_dir_lock);

/*
 * Flags of the caller's gfp that make sense for the pages and metadata of
 * a SuperSlab: how hard to try and where.  Zeroing is per object.
 */
#define HAKMEM_GFP_PAGE_MASK	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | \
				 __GFP_NOWARN | __GFP_RETRY_MAYFAIL | \
				 __GFP_NORETRY | __GFP_NOFAIL | __GFP_HIGH | \
				 __GFP_MEMALLOC | __GFP_NOMEMALLOC | \
				 __GFP_THISNODE)

#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(hakmem_fail_page_attr);
static DECLARE_FAULT_ATTR(hakmem_fail_meta_attr);

/**
 * hakmem_should_fail_page() - fault injection point of every page allocation
 * @gfp: flags of the allocation
 * @order: its page order
 *
 * Driven by /sys/kernel/debug/hakmem/fail_page (the kernel's fault
 * injection attributes: probability, times, space, ...).
 *
 * Return: true if this allocation must fail.
 */
bool hakmem_should_fail_page(gfp_t gfp, unsigned int order)
{
	if (gfp & __GFP_NOFAIL)
		return false;
	return should_fail(&hakmem_fail_page_attr, PAGE_SIZE << order);
}

/*
 * The fault injection point of a SuperSlab's metadata: its descriptor,
 * its registry id and registry chunk.  Like the page allocator's and
 * failslab, never for __GFP_NOFAIL.
 */
static bool hakmem_should_fail_meta(gfp_t gfp)
{
	if (gfp & __GFP_NOFAIL)
		return false;
	return should_fail(&hakmem_fail_meta_attr, 1);
}

void hakmem_fault_debugfs(struct dentry *parent)
{
	/* One line per injected failure, no stack: tests inject hundreds. */
	hakmem_fail_page_attr.verbose = 1;
	fault_create_debugfs_attr("fail_page", parent, &hakmem_fail_page_attr);
	hakmem_fail_meta_attr.verbose = 1;
	fault_create_debugfs_attr("fail_meta", parent, &hakmem_fail_meta_attr);
}

/**
 * hakmem_fault_attr() - the fault attributes of hakmem's page allocations
 *
 * For tests that script failures from inside the kernel; users have the
 * same attributes in debugfs.
 *
 * Return: the attributes.
 */
struct fault_attr *hakmem_fault_attr(void)
{
	return &hakmem_fail_page_attr;
}
EXPORT_SYMBOL_NS_GPL(hakmem_fault_attr, HAKMEM_INTERNAL_NS);

/**
 * hakmem_fault_meta_attr() - the fault attributes of hakmem's metadata allocations
 *
 * The SuperSlab descriptor, the registry id and the registry chunk; users
 * have the same attributes in /sys/kernel/debug/hakmem/fail_meta.
 *
 * Return: the attributes.
 */
struct fault_attr *hakmem_fault_meta_attr(void)
{
	return &hakmem_fail_meta_attr;
}
EXPORT_SYMBOL_NS_GPL(hakmem_fault_meta_attr, HAKMEM_INTERNAL_NS);
#else
bool hakmem_should_fail_page(gfp_t gfp, unsigned int order)
{
	return false;
}

static bool hakmem_should_fail_meta(gfp_t gfp)
{
	return false;
}

void hakmem_fault_debugfs(struct dentry *parent)
{
}
#endif /* CONFIG_FAULT_INJECTION */

/**
 * hakmem_layout_init() - compute the one stride of a cache
 * @l: filled in
 * @size: object size asked for
 * @align: alignment asked for (0: none; otherwise a power of two)
 * @flags: SLAB_* flags
 * @has_ctor: the cache has a constructor
 *
 * The object comes first, then the red zone, then the free-pointer word
 * when it cannot live inside the object: a constructor's state, an RCU
 * reader's view and the poison pattern must all survive while the object
 * is free.  The stride rounds the lot up to the alignment.
 *
 * Return: 0, or -EINVAL if the layout overflows.
 */
int hakmem_layout_init(struct hakmem_layout *l, unsigned int size,
		       unsigned int align, slab_flags_t flags, bool has_ctor)
{
	unsigned int off = size;

	align = max_t(unsigned int, align, sizeof(void *));
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = cache_line_size();

		/* As the slab allocator does: small objects share lines. */
		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}

	memset(l, 0, sizeof(*l));
	l->object_size = size;
	l->align = align;
	if (flags & SLAB_RED_ZONE) {
		l->red_offset = off;
		l->red_len = ALIGN(off, sizeof(void *)) + sizeof(void *) - off;
		off += l->red_len;
	}
	/* A red zone right after a tiny object would share the word. */
	if (has_ctor || (flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)) ||
	    ((flags & SLAB_RED_ZONE) && size < sizeof(void *))) {
		l->fp_offset = ALIGN(off, sizeof(void *));
		off = l->fp_offset + sizeof(void *);
	}
	off = max_t(unsigned int, off, sizeof(void *));
	/* Under KASAN an overflow must land in poison, not the next object. */
	if (hakmem_kasan_pad(size) &&
	    off + hakmem_kasan_pad(size) <= PAGE_SIZE << HAKMEM_MAX_SLAB_ORDER) {
		l->kasan_len = hakmem_kasan_pad(size);
		off += l->kasan_len;
	}
	if (off < size || ALIGN(off, align) < off)
		return -EINVAL;
	l->stride = ALIGN(off, align);
	return 0;
}

/**
 * hakmem_pick_slab_order() - slab order for a stride
 * @stride: the cache's stride
 *
 * The smallest order that wastes at most 1/16 of the slab (the slab
 * allocator's own bound), else the order wasting least; order 0 whenever
 * the stride divides a page, so that every tiny class can fall back to
 * single pages.
 *
 * Return: the order, or -1 if the stride does not fit the largest slab.
 */
unsigned int hakmem_pick_slab_order(unsigned int stride)
{
	unsigned int order, best = UINT_MAX, best_waste = UINT_MAX;

	for (order = get_order(stride); order <= HAKMEM_MAX_SLAB_ORDER; order++) {
		unsigned int bytes = PAGE_SIZE << order;
		unsigned int waste = bytes % stride;

		if (waste * 16 <= bytes)
			return order;
		/* Compare waste as a fraction of the slab. */
		if (best == UINT_MAX ||
		    (u64)waste * (PAGE_SIZE << best) < (u64)best_waste * bytes) {
			best = order;
			best_waste = waste;
		}
	}
	return best;
}

/* --- the free words' secret and the SuperSlab registry ------------------ */

/**
 * hakmem_fp_secret_make() - the secret of the free words, from random bits
 * @raw: 64 random bits
 *
 * The low 48 bits of @raw are taken as they are; the top 16 choose the
 * marker, the top lane of every free word (see hakmem_internal.h): its top
 * byte one of 0x80..0xef other than the top byte of LIST_POISON1, its low
 * byte neither 0x00, 0xff nor the top byte.  Whatever @raw, no integer
 * from -2^56 to 2^56, no pointer, text, list poison or repeated-byte
 * pattern is a free word.
 *
 * Return: the secret.
 */
unsigned long hakmem_fp_secret_make(u64 raw)
{
	unsigned int poison = (unsigned long)LIST_POISON1 >> 56;
	bool skip = poison >= 0x80 && poison <= 0xef;
	unsigned int hi, lo;

	hi = 0x80 + (unsigned int)(raw >> 56) % (0x70 - skip);
	if (skip && hi >= poison)
		hi++;
	lo = 1 + (unsigned int)(raw >> 48 & 0xff) % 0xfd;
	if (lo >= hi)
		lo++;
	return (raw & GENMASK_ULL(47, 0)) | (u64)(hi << 8 | lo) << 48;
}
EXPORT_SYMBOL_NS_GPL(hakmem_fp_secret_make, HAKMEM_INTERNAL_NS);

/*
 * Every CPU's hints to the empty slot: at init (a module's per-CPU
 * template gets no relocation, so no static initializer can name it) and
 * at exit, before the chunks the hints name are freed.
 */
static void hakmem_ss_hints_reset(void)
{
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu)
		for (i = 0; i < HAKMEM_SS_HINTS; i++)
			per_cpu(hakmem_ss_hints, cpu).slot[i] = &hakmem_ss_no_slot;
}

int hakmem_ss_registry_init(void)
{
	hakmem_ss_hints_reset();
	hakmem_fp_secret = hakmem_fp_secret_make(get_random_u64());
	return 0;
}

void hakmem_ss_registry_exit(void)
{
	unsigned int i;

	hakmem_ss_hints_reset();
	for (i = 0; i < HAKMEM_SS_DIR_SIZE; i++) {
		kfree(hakmem_ss_dir[i]);
		hakmem_ss_dir[i] = NULL;
	}
	ida_destroy(&hakmem_ss_ida);
}

static int hakmem_ss_register(struct hakmem_superslab *ss, gfp_t gfp)
{
	struct hakmem_superslab **chunk, **fresh;
	unsigned int dir;
	unsigned long flags;
	int id;

	if (hakmem_should_fail_meta(gfp))
		return -ENOMEM;
	id = ida_alloc_max(&hakmem_ss_ida, HAKMEM_SS_MAX_ID - 1, gfp);
	if (id < 0)
		return id;
	dir = id / HAKMEM_SS_PER_CHUNK;
	/* Pairs with the release below: the chunk's zeroes are visible. */
	chunk = smp_load_acquire(&hakmem_ss_dir[dir]);
	if (!chunk) {
		fresh = NULL;
		if (!hakmem_should_fail_meta(gfp))
			fresh = kzalloc(PAGE_SIZE, gfp);
		if (!fresh) {
			ida_free(&hakmem_ss_ida, id);
			return -ENOMEM;
		}
		spin_lock_irqsave(&hakmem_ss_dir_lock, flags);
		chunk = hakmem_ss_dir[dir];
		if (!chunk) {
			/* Pairs with smp_load_acquire() here and in hakmem_obj_to_ss(). */
			smp_store_release(&hakmem_ss_dir[dir], fresh);
			chunk = fresh;
			fresh = NULL;
		}
		spin_unlock_irqrestore(&hakmem_ss_dir_lock, flags);
		kfree(fresh);
	}
	ss->id = id;
	/* Publish a fully built SuperSlab; pairs with smp_load_acquire(). */
	smp_store_release(&chunk[id % HAKMEM_SS_PER_CHUNK], ss);
	/* Marked: hakmem_obj_to_ss() reads it locklessly. */
	WRITE_ONCE(virt_to_page(ss->base)->private,
		   (unsigned long)HAKMEM_SS_MAGIC << 32 | id);
	return 0;
}

static void hakmem_ss_unregister(struct hakmem_superslab *ss)
{
	WRITE_ONCE(virt_to_page(ss->base)->private, 0);
	WRITE_ONCE(hakmem_ss_dir[ss->id / HAKMEM_SS_PER_CHUNK][ss->id % HAKMEM_SS_PER_CHUNK],
		   NULL);
	ida_free(&hakmem_ss_ida, ss->id);
}

/* --- debug patterns ---------------------------------------------------- */

static void hakmem_report_bytes(struct hakmem_cache *s, void *obj,
				const char *what, unsigned int off,
				unsigned int len)
{
	u8 *p = (u8 *)obj + off;

	pr_err("cache %s: object %p: %s damaged at offset %u: %*ph\n",
	       s->dbg_name, obj, what, off, min(len, 16U), p);
	hakmem_stat(s, HAKMEM_CORRUPTION);
}

/* Set the red zone and poison of a free object that was never handed out. */
static void hakmem_debug_init_obj(struct hakmem_cache *s, void *obj)
{
	const struct hakmem_layout *l = &s->layout;

	if (s->flags & SLAB_RED_ZONE)
		memset(obj + l->red_offset, HAKMEM_RED_INACTIVE, l->red_len);
	if (s->flags & SLAB_POISON) {
		memset(obj, POISON_FREE, l->object_size - 1);
		*(u8 *)(obj + l->object_size - 1) = POISON_END;
	}
}

/**
 * hakmem_debug_alloc() - check and arm the debug bytes of an object going out
 * @s: its cache
 * @obj: the object
 *
 * Poison must be intact (nothing wrote to the object while it was free)
 * and the red zone must still read inactive.  Damage is reported; the
 * object is handed out all the same, its debug bytes re-armed.
 */
void hakmem_debug_alloc(struct hakmem_cache *s, void *obj)
{
	const struct hakmem_layout *l = &s->layout;
	u8 *bad;

	hakmem_kasan_enter();
	if (s->flags & SLAB_POISON) {
		bad = memchr_inv(obj, POISON_FREE, l->object_size - 1);
		if (bad)
			hakmem_report_bytes(s, obj, "poison (written after free)",
					    bad - (u8 *)obj, l->object_size - (bad - (u8 *)obj));
		else if (*(u8 *)(obj + l->object_size - 1) != POISON_END)
			hakmem_report_bytes(s, obj, "poison end (written after free)",
					    l->object_size - 1, 1);
	}
	if (s->flags & SLAB_RED_ZONE) {
		bad = memchr_inv(obj + l->red_offset, HAKMEM_RED_INACTIVE, l->red_len);
		if (bad)
			hakmem_report_bytes(s, obj, "red zone of a free object",
					    bad - (u8 *)obj, l->red_len);
		memset(obj + l->red_offset, HAKMEM_RED_ACTIVE, l->red_len);
	}
	hakmem_kasan_leave();
}

/**
 * hakmem_debug_free() - check and disarm the debug bytes of an object coming back
 * @s: its cache
 * @obj: the object
 *
 * Return: false if the red zone was overwritten: the object is reported and
 * must be left alone (never reused), since whoever overran it may still
 * hold it.
 */
bool hakmem_debug_free(struct hakmem_cache *s, void *obj)
{
	const struct hakmem_layout *l = &s->layout;
	u8 *bad;

	if (s->flags & SLAB_RED_ZONE) {
		hakmem_kasan_enter();
		bad = memchr_inv(obj + l->red_offset, HAKMEM_RED_ACTIVE, l->red_len);
		if (bad)
			hakmem_report_bytes(s, obj, "red zone (written past the end)",
					    bad - (u8 *)obj, l->red_len);
		hakmem_kasan_leave();
		if (bad)
			return false;
		memset(obj + l->red_offset, HAKMEM_RED_INACTIVE, l->red_len);
	}
	if (s->flags & SLAB_POISON) {
		memset(obj, POISON_FREE, l->object_size - 1);
		*(u8 *)(obj + l->object_size - 1) = POISON_END;
	}
	return true;
}

/* --- SuperSlab allocation ---------------------------------------------- */

static void hakmem_ss_free_pages(struct hakmem_superslab *ss)
{
	struct page *page = virt_to_page(ss->base);

	WRITE_ONCE(page->private, 0);
	__free_pages(page, ss->order);
}

/* A grace period after a SLAB_TYPESAFE_BY_RCU SuperSlab left the registry. */
static void hakmem_ss_free_rcu(struct rcu_head *head)
{
	struct hakmem_superslab *ss = container_of(head, struct hakmem_superslab, rcu);

	hakmem_ss_free_pages(ss);
	kfree(ss);
}

/*
 * The descriptor, a grace period after its SuperSlab left the registry.
 * call_rcu(), not kfree_rcu(): rcu_barrier() waits for it, so that once a
 * shrink and a barrier returned, what a cache holds is what it counts.
 */
static void hakmem_ss_free_meta_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct hakmem_superslab, rcu));
}

/*
 * Give a SuperSlab that is on no list back to the page allocator, in O(1):
 * no per-CPU state names it but by registry id, checked before use (see
 * hakmem_obj_to_ss_hinted()).  Out of the registry first, so that no new
 * lookup finds it; the pages go now, or after a grace period for a
 * SLAB_TYPESAFE_BY_RCU cache; the metadata after a grace period, past the
 * readers that found it before.
 */
static void hakmem_ss_free(struct hakmem_cache *s, struct hakmem_superslab *ss)
{
	trace_hakmem_superslab_free(s, ss);
	hakmem_ss_unregister(ss);
	hakmem_stat(s, HAKMEM_SS_FREE);
	ss->pages_deferred = s->flags & SLAB_TYPESAFE_BY_RCU;
	if (ss->pages_deferred) {
		call_rcu(&ss->rcu, hakmem_ss_free_rcu);
		return;
	}
	hakmem_ss_free_pages(ss);
	call_rcu(&ss->rcu, hakmem_ss_free_meta_rcu);
}

/* The attempt of hakmem_ss_pages() after which it gives up. */
static bool hakmem_ss_last_try(struct hakmem_cache *s, unsigned int order)
{
	return order == s->slab_order;
}

/*
 * The order the node @nid grows by (hakmem_ss_grow_order()); full size on
 * a node that had no free page: its SuperSlabs land on other nodes, and
 * counted on it would all be small.  Hints read without the node lock: a
 * racing growth or release only makes one SuperSlab of another size.
 */
static unsigned int hakmem_ss_want_order(struct hakmem_cache *s, int nid)
{
	struct hakmem_node *n = s->node[nid == NUMA_NO_NODE ? hakmem_home_node() : nid];

	if (READ_ONCE(n->no_pages_until))
		return s->ss_order;
	/* A hint: the count changes under the node lock, not held here. */
	return hakmem_ss_grow_order(s, data_race(n->nr_slabs));
}

static struct page *hakmem_ss_pages(struct hakmem_cache *s, int nid, gfp_t gfp,
				    unsigned int want, unsigned int *orderp)
{
	gfp_t pgfp = (gfp & HAKMEM_GFP_PAGE_MASK) | __GFP_COMP;
	unsigned int order = want;
	struct page *page;
	gfp_t g;

	/*
	 * Where the pages may come from is the caller's choice
	 * (hakmem_node_refill()): @nid first, and with __GFP_THISNODE only
	 * @nid.
	 */
	for (;;) {
		g = pgfp;
		/* The preferred order is a wish: no hard reclaim, no warning. */
		if (order > s->slab_order)
			g |= __GFP_NOWARN | __GFP_NORETRY;
		/*
		 * __GFP_NOFAIL goes with the last attempt only, one slab on any
		 * node the caller allows: the earlier ones must be free to fail.
		 * Like the slab allocator at its minimum order, that may be
		 * order 2 or 3 for a large object, which the page allocator
		 * serves with a warning when it has to try hard.
		 */
		if (!hakmem_ss_last_try(s, order))
			g &= ~__GFP_NOFAIL;
		page = NULL;
		if (!hakmem_should_fail_page(g, order))
			page = alloc_pages_node(nid, g, order);
		if (page) {
			*orderp = order;
			if (order < want)
				hakmem_stat(s, HAKMEM_SS_FALLBACK);
			return page;
		}
		if (order > s->slab_order) {
			order = s->slab_order;
			continue;
		}
		return NULL;
	}
}

static struct hakmem_superslab *hakmem_ss_alloc(struct hakmem_cache *s, int nid,
						gfp_t gfp, unsigned int want)
{
	gfp_t mgfp = (gfp & (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH |
			     __GFP_MEMALLOC | __GFP_NOMEMALLOC |
			     __GFP_NOFAIL)) | __GFP_NOWARN;
	struct hakmem_superslab *ss;
	unsigned int order, nr_slabs, i;
	struct page *page;
	unsigned long top;
	size_t size;

	page = hakmem_ss_pages(s, nid, gfp, want, &order);
	if (!page)
		return NULL;
	nr_slabs = 1U << (order - s->slab_order);
	size = struct_size(ss, slabs, nr_slabs);
	size = ALIGN(size, sizeof(unsigned long));
	ss = NULL;
	if (!hakmem_should_fail_meta(mgfp))
		ss = kzalloc_node(size + nr_slabs * s->map_longs * sizeof(unsigned long),
				  mgfp, page_to_nid(page));
	if (!ss)
		goto out_pages;
	ss->base = page_address(page);
	ss->made_end = (unsigned long)ss->base;
	/* One aligned block of pages: all its addresses share this top lane. */
	top = (unsigned long)ss->base ^ hakmem_fp_addr(ss->base);
	ss->fp_key = hakmem_fp_secret ^ top;
	/* Nothing in it is the user's until it is handed out. */
	hakmem_kasan_poison(ss->base, PAGE_SIZE << order, HAKMEM_KASAN_REDZONE);
	ss->cache = s;
	ss->nid = page_to_nid(page);
	ss->order = order;
	ss->size = PAGE_SIZE << order;
	ss->nr_slabs = nr_slabs;
	ss->nr_free = nr_slabs;
	ss->maps = (unsigned long *)((char *)ss + size);
	INIT_LIST_HEAD(&ss->free_slabs);
	INIT_LIST_HEAD(&ss->list);
	INIT_LIST_HEAD(&ss->avail);
	for (i = 0; i < nr_slabs; i++) {
		struct hakmem_slab *slab = &ss->slabs[i];

		slab->idx = i;
		slab->state = HAKMEM_SLAB_FREE;
		slab->free_head = HAKMEM_FP_END;
		list_add_tail(&slab->list, &ss->free_slabs);
	}
	/*
	 * No object is touched here: each is made when its slab first carves
	 * it (hakmem_obj_make()), so an expansion that loses its race gives
	 * back pages nothing wrote to.
	 */
	if (hakmem_ss_register(ss, mgfp))
		goto out_meta;
	hakmem_stat(s, HAKMEM_SS_ALLOC);
	trace_hakmem_superslab_alloc(s, ss);
	return ss;

out_meta:
	kfree(ss);
out_pages:
	__free_pages(page, order);
	return NULL;
}

/* --- slab states -------------------------------------------------------- */

static const char * const hakmem_slab_state_names[] = {
	[HAKMEM_SLAB_FREE] = "free",
	[HAKMEM_SLAB_PARTIAL] = "partial",
	[HAKMEM_SLAB_FULL] = "full",
	[HAKMEM_SLAB_EMPTY] = "empty",
};

/* Legal transitions, from the diagram in hakmem_internal.h. */
static const u8 hakmem_slab_moves[HAKMEM_NR_SLAB_STATES] = {
	[HAKMEM_SLAB_FREE] = BIT(HAKMEM_SLAB_PARTIAL),
	[HAKMEM_SLAB_PARTIAL] = BIT(HAKMEM_SLAB_FULL) | BIT(HAKMEM_SLAB_EMPTY),
	[HAKMEM_SLAB_FULL] = BIT(HAKMEM_SLAB_PARTIAL) | BIT(HAKMEM_SLAB_EMPTY),
	[HAKMEM_SLAB_EMPTY] = BIT(HAKMEM_SLAB_PARTIAL) | BIT(HAKMEM_SLAB_FREE),
};

static void hakmem_slab_move(struct hakmem_cache *s, struct hakmem_slab *slab,
			     enum hakmem_slab_state to)
{
	WARN(!(hakmem_slab_moves[slab->state] & BIT(to)),
	     "hakmem: cache %s: slab %p: illegal move %s -> %s\n",
	     s->dbg_name, slab, hakmem_slab_state_names[slab->state],
	     hakmem_slab_state_names[to]);
	slab->state = to;
}

/*
 * This CPU's hints name @ss for every page of @slab, which it is about to
 * carve objects from: the frees of those objects, mostly on this CPU, find
 * their SuperSlab from the hint instead of missing it once per page.  A
 * hint of another CPU, or overwritten since, is only a miss.
 */
static void hakmem_slab_hint(struct hakmem_cache *s, struct hakmem_superslab *ss,
			     struct hakmem_slab *slab)
{
	void *base = hakmem_slab_base(s, ss, slab);
	unsigned int i;

	BUILD_BUG_ON((1U << HAKMEM_MAX_SLAB_ORDER) > HAKMEM_SS_HINTS);
	for (i = 0; i < 1U << s->slab_order; i++)
		this_cpu_write(hakmem_ss_hints.slot[hakmem_ss_hint_slot(base + i * PAGE_SIZE)],
			       hakmem_ss_slot(ss->id));
}

/* FREE -> PARTIAL: the one place a slab is initialised. */
static void hakmem_slab_init(struct hakmem_cache *s, struct hakmem_node *n,
			     struct hakmem_superslab *ss, struct hakmem_slab *slab)
{
	lockdep_assert_held(&n->lock);
	WARN_ON_ONCE(slab->inuse || slab->free_head != HAKMEM_FP_END);
	list_del(&slab->list);
	if (!--ss->nr_free)
		list_del_init(&ss->avail);
	if (ss->nr_free == ss->nr_slabs - 1) {
		n->nr_ss_unused--;
		n->nr_pages_unused -= 1UL << ss->order;
	}
	n->nr_free_slabs--;
	hakmem_slab_move(s, slab, HAKMEM_SLAB_PARTIAL);
	slab->carved = 0;
	slab->inits++;
	hakmem_slab_hint(s, ss, slab);
	list_add(&slab->list, &n->partial);
	n->nr_partial++;
	hakmem_stat(s, HAKMEM_SLAB_INIT);
}

/* EMPTY -> FREE: back to the SuperSlab; true if that left it all FREE. */
static bool hakmem_slab_release(struct hakmem_cache *s, struct hakmem_node *n,
				struct hakmem_superslab *ss,
				struct hakmem_slab *slab)
{
	lockdep_assert_held(&n->lock);
	WARN_ON_ONCE(slab->inuse);
	list_del(&slab->list);
	n->nr_empty--;
	hakmem_slab_move(s, slab, HAKMEM_SLAB_FREE);
	/* Its objects keep their tags: all of them are free. */
	slab->free_head = HAKMEM_FP_END;
	slab->carved = 0;
	list_add(&slab->list, &ss->free_slabs);
	if (!ss->nr_free++)
		list_add_tail(&ss->avail, &n->ss_avail);
	n->nr_free_slabs++;
	hakmem_stat(s, HAKMEM_SLAB_RELEASE);
	if (ss->nr_free < ss->nr_slabs)
		return false;
	n->nr_ss_unused++;
	n->nr_pages_unused += 1UL << ss->order;
	return true;
}

/* Unlink a SuperSlab whose slabs are all FREE; the caller frees it unlocked. */
static void hakmem_ss_unlink(struct hakmem_node *n, struct hakmem_superslab *ss,
			     struct list_head *to_free)
{
	lockdep_assert_held(&n->lock);
	list_del_init(&ss->avail);
	list_move(&ss->list, to_free);
	n->nr_ss--;
	n->nr_ss_unused--;
	n->nr_pages_unused -= 1UL << ss->order;
	n->nr_pages -= 1UL << ss->order;
	n->nr_slabs -= ss->nr_slabs;
	n->nr_free_slabs -= ss->nr_slabs;
}

static void hakmem_free_list(struct hakmem_cache *s, struct list_head *to_free)
{
	struct hakmem_superslab *ss, *tmp;

	list_for_each_entry_safe(ss, tmp, to_free, list) {
		list_del(&ss->list);
		hakmem_ss_free(s, ss);
	}
}

/* --- objects in and out of slabs --------------------------------------- */

void hakmem_node_init(struct hakmem_node *n, int nid)
{
	spin_lock_init(&n->lock);
	INIT_LIST_HEAD(&n->partial);
	INIT_LIST_HEAD(&n->empty);
	INIT_LIST_HEAD(&n->ss_avail);
	INIT_LIST_HEAD(&n->ss_list);
	n->nid = nid;
}

/*
 * A slab with objects to give, or NULL when the node is exhausted.  The
 * decision comes from the counts, never from a list or bitmap reading.
 */
static struct hakmem_slab *hakmem_node_slab(struct hakmem_cache *s,
					    struct hakmem_node *n)
{
	struct hakmem_superslab *ss;
	struct hakmem_slab *slab;

	lockdep_assert_held(&n->lock);
	if (n->nr_partial)
		return list_first_entry(&n->partial, struct hakmem_slab, list);
	if (n->nr_empty) {
		slab = list_first_entry(&n->empty, struct hakmem_slab, list);
		/* Reused as it is: an EMPTY slab is still initialised. */
		list_move(&slab->list, &n->partial);
		n->nr_empty--;
		n->nr_partial++;
		hakmem_slab_move(s, slab, HAKMEM_SLAB_PARTIAL);
		return slab;
	}
	if (!n->nr_free_slabs)
		return NULL;
	ss = list_first_entry(&n->ss_avail, struct hakmem_superslab, avail);
	slab = list_first_entry(&ss->free_slabs, struct hakmem_slab, list);
	hakmem_slab_init(s, n, ss, slab);
	return slab;
}

/* Set or clear an object's bit, under the node lock; return its old value. */
static bool hakmem_map_write(unsigned long *map, unsigned int idx, bool out)
{
	if (out)
		return __test_and_set_bit(idx, map);
	return __test_and_clear_bit(idx, map);
}

/*
 * Quarantine a slab whose free list is damaged: it never hands out again.
 * Objects out of it still come back (and are counted back); the slab and
 * its SuperSlab stay until the cache is destroyed.  It leaves the partial
 * list now, so that the node never counts it as room.
 */
static void hakmem_slab_quarantine(struct hakmem_cache *s, struct hakmem_node *n,
				   struct hakmem_slab *slab, void *bad)
{
	pr_err("cache %s: slab %p: free list damaged at object %p: slab quarantined\n",
	       s->dbg_name, slab, bad);
	hakmem_stat(s, HAKMEM_CORRUPTION);
	slab->free_head = HAKMEM_FP_END;
	slab->carved = s->capacity;
	slab->quarantined = true;
	if (slab->state == HAKMEM_SLAB_PARTIAL) {
		list_del_init(&slab->list);
		n->nr_partial--;
		hakmem_slab_move(s, slab, HAKMEM_SLAB_FULL);
	}
}

/*
 * Tag the objects of @ss from made_end up to byte @limit, none of them
 * made: the tail of a lower slab that will not carve further (a
 * quarantined one).  Every object below made_end carries a tag or is out.
 */
static void hakmem_ss_tag_gap(struct hakmem_cache *s, struct hakmem_superslab *ss,
			      unsigned long limit)
{
	unsigned long mask = hakmem_slab_bytes(s) - 1;
	unsigned long used = s->capacity * hakmem_stride(s);
	unsigned long off = ss->made_end - (unsigned long)ss->base;

	while (off < limit) {
		if ((off & mask) >= used) {
			off = (off | mask) + 1;	/* the next slab */
			continue;
		}
		*hakmem_fp(s, ss->base + off) = hakmem_free_tag(ss, ss->base + off);
		off += hakmem_stride(s);
	}
}

/*
 * Make an object its slab carves for the first time in this SuperSlab's
 * life: its debug bytes and its tag, under the node lock.  Its constructor
 * runs later, with the node lock dropped (hakmem_construct()).
 */
static void hakmem_obj_make(struct hakmem_cache *s, struct hakmem_superslab *ss,
			    struct hakmem_slab *slab, unsigned int idx, void *obj)
{
	if (s->flags & (SLAB_RED_ZONE | SLAB_POISON))
		hakmem_debug_init_obj(s, obj);
	*hakmem_fp(s, obj) = hakmem_free_tag(ss, obj);
	slab->made = idx + 1;
	if ((unsigned long)obj < ss->made_end)
		return;
	hakmem_ss_tag_gap(s, ss, obj - ss->base);
	/* Read locklessly by the free path: hakmem_free_ok(). */
	WRITE_ONCE(ss->made_end, (unsigned long)obj + hakmem_stride(s));
}

/* May a link read from a free word be followed? */
static bool hakmem_slab_link_ok(struct hakmem_slab *slab, const unsigned long *map,
				unsigned int idx, unsigned int next)
{
	/* Only to another object on the free list: carved, and not out. */
	return next == HAKMEM_FP_END ||
	       (next < slab->carved && next != idx && !test_bit(next, map));
}

/*
 * Take one object out of a PARTIAL slab: the head of its free list, else
 * the next one not carved in this trip.  Either leaves tagged free, as a
 * magazine wants it; *@fresh says it still needs its constructor.
 *
 * Every object on the free list was carved in this trip and is not out
 * (its bit is clear), and each link is checked to name such an object
 * before it is followed; the bump index takes only objects beyond the
 * carved ones, which no checked link reaches.  So whatever was written
 * into free objects, the slab never hands out an object that is out: a
 * damaged free word quarantines the slab instead.
 */
static void *hakmem_slab_take(struct hakmem_cache *s, struct hakmem_node *n,
			      struct hakmem_superslab *ss,
			      struct hakmem_slab *slab, bool *fresh)
{
	unsigned long *map = hakmem_slab_map(s, ss, slab);
	unsigned int idx, next;
	unsigned long word;
	void *obj;

	*fresh = false;
	if (slab->free_head != HAKMEM_FP_END) {
		idx = slab->free_head;
		obj = hakmem_slab_obj(s, ss, slab, idx);
		word = *hakmem_fp(s, obj);
		next = hakmem_fp_next(ss, word, obj);
		/* Written after free, a bad link, or an object already out. */
		if (unlikely(test_bit(idx, map) || !hakmem_fp_is_free(ss, word, obj) ||
			     !hakmem_slab_link_ok(slab, map, idx, next))) {
			hakmem_slab_quarantine(s, n, slab, obj);
			return NULL;
		}
		slab->free_head = next;
		/* Its link goes: a magazine's objects carry just their tag. */
		*hakmem_fp(s, obj) = hakmem_free_tag(ss, obj);
	} else {
		if (slab->carved >= s->capacity)
			return NULL;
		idx = slab->carved++;
		obj = hakmem_slab_obj(s, ss, slab, idx);
		if (unlikely(test_bit(idx, map))) {
			hakmem_slab_quarantine(s, n, slab, obj);
			return NULL;
		}
		if (idx < slab->made) {
			unsigned long *fp = hakmem_fp(s, obj);

			/* Made in an earlier trip, written since? */
			if (unlikely(!hakmem_fp_is_free(ss, *fp, obj))) {
				hakmem_slab_quarantine(s, n, slab, obj);
				return NULL;
			}
			/* Its old link goes, as above. */
			*fp = hakmem_free_tag(ss, obj);
		} else {
			hakmem_obj_make(s, ss, slab, idx, obj);
			*fresh = !!s->ctor;
		}
	}
	hakmem_map_write(map, idx, true);
	slab->inuse++;
	return obj;
}

static bool hakmem_slab_has_free(struct hakmem_cache *s, struct hakmem_slab *slab)
{
	return slab->free_head != HAKMEM_FP_END || slab->carved < s->capacity;
}

/*
 * Take up to @nr objects out of @slab into @objs as hakmem_slab_take()
 * would one by one, with its checks: the free list, each link checked,
 * then the objects made in an earlier trip and not carved in this one;
 * the bits set and the count updated once.  Stops before anything else:
 * an object to make, a damaged link or tag, which hakmem_slab_take()
 * then makes, or finds and reports.
 * Return: how many objects were taken.
 */
static noinline unsigned int hakmem_slab_pop_run(struct hakmem_cache *s,
						 struct hakmem_superslab *ss,
						 struct hakmem_slab *slab,
						 void **objs, unsigned int nr)
{
	unsigned long *map = hakmem_slab_map(s, ss, slab);
	unsigned long base = (unsigned long)hakmem_slab_base(s, ss, slab);
	unsigned long key = ss->fp_key, fp_offset = s->layout.fp_offset;
	unsigned int stride = hakmem_stride(s), carved = slab->carved;
	unsigned int idx = slab->free_head, made = slab->made, i;

	for (i = 0; i < nr && idx != HAKMEM_FP_END; i++) {
		unsigned long addr = base + idx * stride, tag = key ^ addr;
		unsigned long *fp = (unsigned long *)(addr + fp_offset);
		unsigned long x = *fp ^ tag;
		/* The link plus one, in each low lane of a valid word. */
		unsigned long c = x & HAKMEM_FP_IDX_MASK;
		unsigned int next = c - 1;

		/*
		 * hakmem_slab_take()'s checks, on @x: a free word, not out (the
		 * bit is set here and the test read back), a link to a carved
		 * object that is not out: with @idx's bit set by now, that test
		 * also refuses a link to @idx itself.  A run that stops here
		 * leaves the damaged object on the list, its bit as it was, for
		 * hakmem_slab_take() to report and quarantine: a link is never
		 * followed unchecked, whether or not another take comes.
		 */
		if (unlikely(x != c * HAKMEM_FP_LANES))
			break;
		if (unlikely(__test_and_set_bit(idx, map)))
			break;
		/* HAKMEM_FP_END (c == 0) is above any carved index too. */
		if (unlikely(next >= carved ? c : test_bit(next, map))) {
			__clear_bit(idx, map);
			break;
		}
		/* Its link goes: a magazine's objects carry just their tag. */
		*fp = tag;
		objs[i] = (void *)addr;
		idx = next & HAKMEM_FP_IDX_MASK;
	}
	slab->free_head = idx;
	if (idx != HAKMEM_FP_END)
		goto out;
	/* Then the objects not carved in this trip but made before. */
	for (idx = carved; i < nr && idx < made; i++, idx++) {
		unsigned long addr = base + idx * stride;
		unsigned long *fp = (unsigned long *)(addr + fp_offset);
		unsigned long word = *fp;

		if (unlikely(test_bit(idx, map) || !hakmem_fp_lanes_ok(word ^ key ^ addr)))
			break;
		__set_bit(idx, map);
		*fp = key ^ addr;
		objs[i] = (void *)addr;
	}
	slab->carved = idx;
out:
	slab->inuse += i;
	return i;
}

/*
 * Fill @objs from the node's slabs; the node lock is held.  Objects that
 * still need their constructor end up last, *@fresh of them.
 */
static unsigned int __hakmem_node_take(struct hakmem_cache *s,
				       struct hakmem_node *n, void **objs,
				       unsigned int nr, unsigned int *fresh)
{
	struct hakmem_superslab *ss;
	struct hakmem_slab *slab;
	unsigned int got = 0, nr_fresh = 0;
	bool new;
	void *obj;

	while (got < nr && (slab = hakmem_node_slab(s, n))) {
		ss = hakmem_slab_ss(slab);
		/* The free list in one go, while no fresh object has to stay last. */
		if (!nr_fresh)
			got += hakmem_slab_pop_run(s, ss, slab, objs + got, nr - got);
		while (got < nr && hakmem_slab_has_free(s, slab)) {
			obj = hakmem_slab_take(s, n, ss, slab, &new);
			if (!obj)
				break;
			if (new || !nr_fresh) {
				nr_fresh += new;
				objs[got++] = obj;
				continue;
			}
			/* Keep the fresh ones last: the first of them moves up. */
			objs[got] = objs[got - nr_fresh];
			objs[got - nr_fresh] = obj;
			got++;
		}
		/* PARTIAL -> FULL: off every list until an object returns. */
		if (slab->state == HAKMEM_SLAB_PARTIAL && !hakmem_slab_has_free(s, slab)) {
			list_del_init(&slab->list);
			n->nr_partial--;
			hakmem_slab_move(s, slab, HAKMEM_SLAB_FULL);
		}
	}
	n->nr_inuse += got;
	*fresh = nr_fresh;
	return got;
}

/*
 * Run the constructor of objects made by a take, with the node lock
 * dropped: they are the caller's alone until it hands them on.
 */
static void hakmem_construct(struct hakmem_cache *s, void **objs, unsigned int nr)
{
	while (nr--) {
		/* The constructor is the user's code: KASAN lets it write. */
		hakmem_kasan_unpoison(objs[nr], s->layout.object_size);
		s->ctor(objs[nr]);
		hakmem_kasan_poison(objs[nr], s->layout.object_size,
				    HAKMEM_KASAN_FREE);
	}
}

/**
 * hakmem_node_take() - move up to @nr objects from a node's slabs to @objs
 * @s: the cache
 * @n: the node
 * @objs: where to put them
 * @nr: how many are wanted
 *
 * Never grows the node.  Objects leave with their free tag set.
 *
 * Context: any; takes the node lock.
 * Return: how many were moved, 0 if the node is exhausted.
 */
unsigned int hakmem_node_take(struct hakmem_cache *s, struct hakmem_node *n,
			      void **objs, unsigned int nr)
{
	unsigned int got, fresh;
	unsigned long flags;

	spin_lock_irqsave(&n->lock, flags);
	got = __hakmem_node_take(s, n, objs, nr, &fresh);
	spin_unlock_irqrestore(&n->lock, flags);
	hakmem_construct(s, objs + got - fresh, fresh);
	return got;
}

/* Note whether node @n had a free page for a SuperSlab wanted on it. */
static void hakmem_node_pages_seen(struct hakmem_node *n, bool had)
{
	unsigned long until = READ_ONCE(n->no_pages_until);

	if (had) {
		if (until)
			WRITE_ONCE(n->no_pages_until, 0);
		return;
	}
	/* 0 means "has pages": a deadline that wraps to 0 waits a jiffy more. */
	until = jiffies + msecs_to_jiffies(HAKMEM_NO_PAGES_MS);
	WRITE_ONCE(n->no_pages_until, until ?: 1);
}

/* hakmem_node_grow(), silent when there are no pages. */
static unsigned int __hakmem_node_grow(struct hakmem_cache *s, int nid, gfp_t gfp,
				       void **objs, unsigned int nr)
{
	struct hakmem_superslab *ss;
	unsigned int got, fresh;
	struct hakmem_node *n;
	unsigned long flags;
	bool lost;

	ss = hakmem_ss_alloc(s, nid, gfp, hakmem_ss_want_order(s, nid));
	if (!ss)
		return 0;
	if (nid != NUMA_NO_NODE)
		hakmem_node_pages_seen(s->node[nid], ss->nid == nid);
	n = s->node[ss->nid];
	spin_lock_irqsave(&n->lock, flags);
	lost = n->nr_partial || n->nr_empty || n->nr_free_slabs;
	if (!lost) {
		list_add(&ss->list, &n->ss_list);
		list_add(&ss->avail, &n->ss_avail);
		n->nr_ss++;
		n->nr_ss_unused++;
		n->nr_pages_unused += 1UL << ss->order;
		n->nr_pages += 1UL << ss->order;
		n->nr_slabs += ss->nr_slabs;
		n->nr_free_slabs += ss->nr_slabs;
	}
	got = __hakmem_node_take(s, n, objs, nr, &fresh);
	spin_unlock_irqrestore(&n->lock, flags);
	hakmem_construct(s, objs + got - fresh, fresh);
	if (lost) {
		hakmem_stat(s, HAKMEM_EXPAND_RACE);
		hakmem_ss_free(s, ss);
	} else {
		hakmem_stat(s, HAKMEM_EXPAND);
	}
	return got;
}

/**
 * hakmem_node_grow() - add a SuperSlab to a node and take objects from it
 * @s: the cache
 * @nid: the node whose memory is preferred, or NUMA_NO_NODE for this CPU's
 * @gfp: flags of the allocation that ran out; with __GFP_THISNODE the
 *       pages come from @nid or not at all
 * @objs: where to put the objects
 * @nr: how many are wanted (at least 1)
 *
 * The SuperSlab joins the node its pages are on, which need not be @nid.
 * The pages are allocated with no lock held; the SuperSlab is published
 * under the node lock, unless a racing expansion or free made room since
 * the caller saw the node exhausted: then this one is freed again (the
 * loser of the race) and the objects come from the room found.  Objects
 * are taken under the same lock hold, so the caller always progresses.
 *
 * Context: may sleep if @gfp allows; no locks held.
 * Return: how many objects were moved, 0 on failure to get pages.
 */
unsigned int hakmem_node_grow(struct hakmem_cache *s, int nid, gfp_t gfp,
			      void **objs, unsigned int nr)
{
	unsigned int got = __hakmem_node_grow(s, nid, gfp, objs, nr);

	if (!got)
		hakmem_stat(s, HAKMEM_EXPAND_FAIL);
	return got;
}

/* Has the node objects to give without growing? */
static bool hakmem_node_has_room(struct hakmem_node *n)
{
	/* A hint to skip empty nodes unlocked; hakmem_node_take() decides. */
	return data_race(n->nr_partial || n->nr_empty || n->nr_free_slabs);
}

/**
 * hakmem_take_near() - take objects from the nearest other node that has some
 * @s: the cache
 * @nid: the node that has none
 * @objs: where to put them
 * @nr: how many are wanted
 *
 * Nodes are tried by node_distance() from @nid, nearest first; the first
 * that gives anything gives all (one node lock).  Never grows a node.
 *
 * Context: any; takes node locks.
 * Return: how many objects were moved, 0 if no other node has room.
 */
unsigned int hakmem_take_near(struct hakmem_cache *s, int nid, void **objs,
			      unsigned int nr)
{
	int r, dist, best, done = -1;
	unsigned int got;

	/* Distance by distance: a handful of nodes, no sorting needed. */
	for (;;) {
		best = INT_MAX;
		for_each_node(r) {
			dist = node_distance(nid, r);
			if (r != nid && dist > done && dist < best &&
			    hakmem_node_has_room(s->node[r]))
				best = dist;
		}
		if (best == INT_MAX)
			return 0;
		for_each_node(r) {
			if (r == nid || node_distance(nid, r) != best)
				continue;
			got = hakmem_node_take(s, s->node[r], objs, nr);
			if (got)
				return got;
		}
		done = best;
	}
}

/**
 * hakmem_node_refill() - objects for a node whose slabs ran out
 * @s: the cache
 * @nid: the node wanted (not NUMA_NO_NODE)
 * @gfp: flags of the allocation
 * @objs: where to put the objects
 * @nr: how many are wanted (at least 1)
 *
 * A node the page allocator had no free page on (the last SuperSlab
 * wanted on it came from another node) is left alone for
 * HAKMEM_NO_PAGES_MS: its refills take the objects of the nearest other
 * node that has some, and grow only when no node has.  After that, one
 * attempt without direct reclaim (__GFP_THISNODE) tells whether it has
 * pages again; the page allocator, too, takes another node's free pages
 * before it reclaims on the preferred one.  A node with pages grows as
 * it always did: one attempt, on @nid if it has a free page, else where
 * the page allocator falls back to.
 *
 * So a node without pages makes no SuperSlab that is thrown away at once
 * (it used to, on every refill: the pages came from another node that
 * still had room, and the racing-expansion check freed them again).  With
 * __GFP_THISNODE the pages come from @nid or not at all.
 *
 * Context: may sleep if @gfp allows; no locks held.
 * Return: how many objects were moved, 0 if none could be had.
 */
unsigned int hakmem_node_refill(struct hakmem_cache *s, int nid, gfp_t gfp,
				void **objs, unsigned int nr)
{
	struct hakmem_node *n = s->node[nid];
	unsigned int got;
	gfp_t probe;

	if (gfp & __GFP_THISNODE)
		return hakmem_node_grow(s, nid, gfp, objs, nr);
	if (!READ_ONCE(n->no_pages_until))
		return hakmem_node_grow(s, nid, gfp, objs, nr);
	if (!hakmem_node_no_pages(n)) {
		probe = (gfp & ~(__GFP_DIRECT_RECLAIM | __GFP_NOFAIL)) |
			__GFP_THISNODE | __GFP_NOWARN;
		got = __hakmem_node_grow(s, nid, probe, objs, nr);
		if (got)
			return got;
		hakmem_node_pages_seen(n, false);
	}
	got = hakmem_take_near(s, nid, objs, nr);
	if (got) {
		hakmem_stat(s, HAKMEM_REFILL_REMOTE);
		return got;
	}
	return hakmem_node_grow(s, nid, gfp, objs, nr);
}

/*
 * The state of @slab after objects came back to it, its counts updated:
 * PARTIAL while some are out, else EMPTY; EMPTY slabs beyond a few go
 * back to their SuperSlabs, unused SuperSlabs beyond one onto @to_free.
 */
static void hakmem_slab_settle(struct hakmem_cache *s, struct hakmem_node *n,
			       struct hakmem_slab *slab, struct list_head *to_free)
{
	struct hakmem_superslab *ss;
	struct hakmem_slab *victim;

	if (slab->state == HAKMEM_SLAB_FULL && slab->inuse) {
		hakmem_slab_move(s, slab, HAKMEM_SLAB_PARTIAL);
		list_add(&slab->list, &n->partial);
		n->nr_partial++;
	}
	if (slab->inuse)
		return;

	/* PARTIAL or FULL -> EMPTY: kept initialised for reuse... */
	if (slab->state == HAKMEM_SLAB_PARTIAL) {
		list_del(&slab->list);
		n->nr_partial--;
	}
	hakmem_slab_move(s, slab, HAKMEM_SLAB_EMPTY);
	list_add(&slab->list, &n->empty);
	n->nr_empty++;
	if (n->nr_empty <= HAKMEM_EMPTY_KEEP)
		return;

	/* ...up to a few; the oldest goes back to its SuperSlab. */
	victim = list_last_entry(&n->empty, struct hakmem_slab, list);
	ss = hakmem_slab_ss(victim);
	if (hakmem_slab_release(s, n, ss, victim) && n->nr_ss_unused > 1)
		hakmem_ss_unlink(n, ss, to_free);
}

/*
 * Return one object to its slab.  Objects reaching here passed the free
 * checks; the bitmap catches a double free that slipped past the tag (two
 * frees of one object racing on two CPUs).
 */
static void hakmem_slab_put(struct hakmem_cache *s, struct hakmem_node *n,
			    struct hakmem_superslab *ss, void *obj,
			    struct list_head *to_free)
{
	struct hakmem_slab *slab;
	int idx;

	lockdep_assert_held(&n->lock);
	idx = hakmem_obj_index(s, ss, obj, &slab);
	if (WARN_ON_ONCE(idx < 0))
		return;
	if (unlikely(!hakmem_map_write(hakmem_slab_map(s, ss, slab), idx, false))) {
		pr_err_ratelimited("cache %s: double free of %p caught at its slab\n",
				   s->dbg_name, obj);
		hakmem_stat(s, HAKMEM_DOUBLE_FREE);
		return;
	}
	n->nr_inuse--;
	slab->inuse--;
	if (unlikely(slab->quarantined))
		return;
	/* Written while it sat in a magazine: whoever did may write again. */
	if (unlikely(!hakmem_fp_is_free(ss, *hakmem_fp(s, obj), obj))) {
		hakmem_slab_quarantine(s, n, slab, obj);
		return;
	}
	*hakmem_fp(s, obj) = hakmem_free_word(ss, obj, slab->free_head);
	slab->free_head = idx;
	hakmem_slab_settle(s, n, slab, to_free);
}

/*
 * The loop of hakmem_slab_put_run(), once per way of finding an index:
 * @pow2, a stride that is a power of two and fills the slab (the cache's
 * align_mask), where one mask tests both that the offset lies in the slab
 * and that it is a multiple of the stride; else a bound and a reciprocal
 * division.  Then the free word must be the object's tag, no more (as
 * every free and every take leaves it: one compare; any other word, even
 * a valid one with a link, stops the run, and hakmem_slab_put() checks it
 * in full), and the bit set; the bit is cleared last, so that an object
 * failing a check is left as it was.  The tag serves the check and the
 * new word, and the head goes as its link's lanes, ready to xor in.
 * Return: how many objects went back; *@head, the new free-list head.
 */
static __always_inline unsigned int
__hakmem_slab_put_loop(const struct hakmem_cache *s, unsigned long *map,
		       unsigned long base, unsigned long key, void **objs,
		       unsigned int nr, unsigned int *head, const bool pow2)
{
	unsigned long fp_offset = s->layout.fp_offset;
	unsigned int stride = hakmem_stride(s), shift = s->stride_shift;
	unsigned long limit = (unsigned long)s->capacity * stride;
	/* pow2: bits below the stride's or from the slab size's up. */
	unsigned long bad = ~(limit - stride);
	struct reciprocal_value recip = s->stride_recip;
	unsigned long link = hakmem_fp_link(*head) * HAKMEM_FP_LANES;
	void **p, **end = objs + nr;

	for (p = objs; p < end; p++) {
		unsigned long addr = (unsigned long)*p, in = addr - base;
		unsigned long *fp = (unsigned long *)(addr + fp_offset);
		unsigned long tag = key ^ addr;
		unsigned int idx;

		if (pow2) {
			if (in & bad)
				break;
			idx = in >> shift;
		} else {
			if (in >= limit)
				break;
			idx = hakmem_stride_div(in, recip);
			if (idx * stride != in)
				break;
		}
		if (unlikely(*fp != tag))
			break;
		if (unlikely(!__test_and_clear_bit(idx, map)))
			break;
		*fp = tag ^ link;
		/* idx + 1 <= capacity < HAKMEM_FP_END: no mask needed. */
		link = (idx + 1UL) * HAKMEM_FP_LANES;
	}
	/* Its low lane is the head's index plus one, 0 for HAKMEM_FP_END. */
	*head = (link - 1) & HAKMEM_FP_IDX_MASK;
	return p - objs;
}

/* The loop out of line, so that its invariants have the registers. */
static noinline unsigned int
hakmem_slab_put_pow2(const struct hakmem_cache *s, unsigned long *map,
		     unsigned long base, unsigned long key, void **objs,
		     unsigned int nr, unsigned int *head)
{
	return __hakmem_slab_put_loop(s, map, base, key, objs, nr, head, true);
}

static noinline unsigned int
hakmem_slab_put_div(const struct hakmem_cache *s, unsigned long *map,
		    unsigned long base, unsigned long key, void **objs,
		    unsigned int nr, unsigned int *head)
{
	return __hakmem_slab_put_loop(s, map, base, key, objs, nr, head, false);
}

/*
 * Return the run of objects of @slab at the start of @objs (at most @nr),
 * as hakmem_slab_put() would one by one: each is checked (the start of an
 * object of this slab, its bit set, its tag intact), pushed on the free
 * list, its bit cleared; the counts and the slab's state follow once, for
 * the whole run.  Stops before the first object of another slab or one
 * that fails a check, which hakmem_slab_put() then reports.
 * Return: how many objects went back.
 */
static unsigned int hakmem_slab_put_run(struct hakmem_cache *s, struct hakmem_node *n,
					struct hakmem_superslab *ss,
					struct hakmem_slab *slab, void **objs,
					unsigned int nr, struct list_head *to_free)
{
	unsigned long *map = hakmem_slab_map(s, ss, slab);
	unsigned long base = (unsigned long)hakmem_slab_base(s, ss, slab);
	unsigned int head = slab->free_head, i;

	lockdep_assert_held(&n->lock);
	if (s->align_mask)
		i = hakmem_slab_put_pow2(s, map, base, ss->fp_key, objs, nr, &head);
	else
		i = hakmem_slab_put_div(s, map, base, ss->fp_key, objs, nr, &head);
	if (!i)
		return 0;
	slab->free_head = head;
	slab->inuse -= i;
	n->nr_inuse -= i;
	hakmem_slab_settle(s, n, slab, to_free);
	return i;
}

/**
 * hakmem_objs_put() - return objects to their slabs
 * @s: the cache
 * @objs: the objects, already checked by the free path; of any nodes
 * @nr: how many
 *
 * Each object goes to the node of its own SuperSlab, whatever CPU or node
 * the caller runs on (a magazine may hold other nodes' objects, and
 * numa_mem_id() may change under it).  One node lock per run of objects
 * of one node.  Empty slabs beyond HAKMEM_EMPTY_KEEP go back to their
 * SuperSlabs, and SuperSlabs left all FREE beyond a reserve of one to the
 * page allocator.
 *
 * Context: any; takes node locks.
 */
void hakmem_objs_put(struct hakmem_cache *s, void **objs, unsigned int nr)
{
	struct hakmem_superslab *ss;
	struct hakmem_node *n;
	LIST_HEAD(to_free);
	unsigned long flags;
	unsigned int i = 0;

	/* Objects out of their slabs keep their SuperSlabs; the hints need RCU. */
	rcu_read_lock();
	while (i < nr) {
		ss = hakmem_obj_to_ss_hinted(objs[i]);
		if (WARN_ON_ONCE(!ss || ss->cache != s)) {
			i++;
			continue;
		}
		n = s->node[ss->nid];
		spin_lock_irqsave(&n->lock, flags);
		do {
			struct hakmem_slab *slab;
			unsigned int run = 0;

			/* Runs of one slab go back together. */
			if (hakmem_obj_index(s, ss, objs[i], &slab) >= 0 && !slab->quarantined)
				run = hakmem_slab_put_run(s, n, ss, slab, objs + i,
							  nr - i, &to_free);
			if (!run) {
				hakmem_slab_put(s, n, ss, objs[i], &to_free);
				run = 1;
			}
			i += run;
			if (i == nr)
				break;
			/*
			 * Runs of one SuperSlab skip the lookup: with its node
			 * lock held, no one else can give it back.
			 */
			if ((unsigned long)(objs[i] - ss->base) >= ss->size)
				ss = hakmem_obj_to_ss_hinted(objs[i]);
		} while (ss && ss->cache == s && ss->nid == n->nid);
		spin_unlock_irqrestore(&n->lock, flags);
	}
	rcu_read_unlock();
	hakmem_free_list(s, &to_free);
}

/**
 * hakmem_node_shrink() - give back every EMPTY slab and unused SuperSlab
 * @s: the cache
 * @n: the node
 *
 * Per-CPU magazines are drained by the caller first.
 *
 * Context: any; takes the node lock.
 */
void hakmem_node_shrink(struct hakmem_cache *s, struct hakmem_node *n)
{
	struct hakmem_superslab *ss, *tmp;
	struct hakmem_slab *slab, *next;
	LIST_HEAD(to_free);
	unsigned long flags;

	spin_lock_irqsave(&n->lock, flags);
	list_for_each_entry_safe(slab, next, &n->empty, list) {
		ss = hakmem_slab_ss(slab);
		hakmem_slab_release(s, n, ss, slab);
	}
	list_for_each_entry_safe(ss, tmp, &n->ss_list, list)
		if (ss->nr_free == ss->nr_slabs)
			hakmem_ss_unlink(n, ss, &to_free);
	spin_unlock_irqrestore(&n->lock, flags);
	hakmem_free_list(s, &to_free);
}

/**
 * hakmem_node_report_live() - list objects still out of a node's slabs
 * @s: the cache
 * @n: the node
 * @max: how many addresses to print at most
 *
 * Context: any; takes the node lock.
 * Return: how many objects are out of the node's slabs.
 */
unsigned long hakmem_node_report_live(struct hakmem_cache *s,
				      struct hakmem_node *n, unsigned int max)
{
	struct hakmem_superslab *ss;
	unsigned long flags, live;
	unsigned int i, bit, shown = 0;

	spin_lock_irqsave(&n->lock, flags);
	live = n->nr_inuse;
	list_for_each_entry(ss, &n->ss_list, list) {
		for (i = 0; i < ss->nr_slabs && shown < max; i++) {
			struct hakmem_slab *slab = &ss->slabs[i];

			if (slab->state == HAKMEM_SLAB_FREE)
				continue;
			for_each_set_bit(bit, hakmem_slab_map(s, ss, slab), s->capacity) {
				if (shown++ >= max)
					break;
				pr_err("cache %s: live object %p (node %d)\n",
				       s->dbg_name, hakmem_slab_obj(s, ss, slab, bit),
				       n->nid);
			}
		}
	}
	spin_unlock_irqrestore(&n->lock, flags);
	return live;
}

/**
 * hakmem_node_release_all() - free every SuperSlab of a node
 * @s: the cache, being destroyed
 * @n: the node
 *
 * Only for a cache with no live object, or at module exit, when objects a
 * user never freed are forgotten (and kmemleak told so).
 */
void hakmem_node_release_all(struct hakmem_cache *s, struct hakmem_node *n)
{
	struct hakmem_superslab *ss, *tmp;
	unsigned int i, bit;
	unsigned long flags;
	LIST_HEAD(to_free);

	spin_lock_irqsave(&n->lock, flags);
	list_for_each_entry_safe(ss, tmp, &n->ss_list, list) {
		for (i = 0; i < ss->nr_slabs; i++) {
			struct hakmem_slab *slab = &ss->slabs[i];

			/* Objects still out were registered with kmemleak. */
			for_each_set_bit(bit, hakmem_slab_map(s, ss, slab), s->capacity)
				kmemleak_free_recursive(hakmem_slab_obj(s, ss, slab, bit),
							s->flags);
		}
		list_del_init(&ss->avail);
		list_move(&ss->list, &to_free);
	}
	INIT_LIST_HEAD(&n->partial);
	INIT_LIST_HEAD(&n->empty);
	INIT_LIST_HEAD(&n->ss_avail);
	n->nr_ss = 0;
	n->nr_ss_unused = 0;
	n->nr_pages_unused = 0;
	n->nr_pages = 0;
	n->nr_slabs = 0;
	n->nr_free_slabs = 0;
	n->nr_partial = 0;
	n->nr_empty = 0;
	n->nr_inuse = 0;
	spin_unlock_irqrestore(&n->lock, flags);
	hakmem_free_list(s, &to_free);
}
