// SPDX-License-Identifier: GPL-2.0
/*
 * The caches, per-CPU front, tiny classes and debugfs of hakmem-slab.
 *
 * The common allocation pops a pointer from this CPU's magazine and the
 * common free pushes one, both under a local lock: no spinlock, no atomic
 * read-modify-write.  A miss moves a batch from the node's slabs
 * (hakmem_superslab.c) under the node lock; a full magazine moves its
 * oldest batch back.  Magazines keep objects of their CPU's home node
 * (hakmem_home_node()): a free of another node's object goes straight to
 * its slab.  Only a home node without free pages fills them with the
 * nearest node's objects (hakmem_node_refill()); whatever leaves a
 * magazine goes back to each object's own node.  A free on one CPU never
 * touches another CPU's magazine; draining one runs on that CPU, in a
 * kworker.
 *
 * Lock order (outermost first):
 *   0. tracepoints_mutex - the tracing core's, held around the events'
 *      registration functions (hakmem_event_*_reg()), which take 2; the
 *      core takes cpu_hotplug_lock under it to flip a static key
 *   1. cpu_hotplug_lock - read side around every drain, and across a
 *      destroy's drain and live check (cpus_read_trylock() in the
 *      shrinker); the hotplug core holds the write side around
 *      hakmem_cpu_dead()
 *   2. hakmem_cache_mutex - the list of caches, create, destroy, debugfs,
 *      the shrinker (trylock), draining of a dead CPU; process context only
 *   3. hakmem_drain_mutex - the per-CPU drain work items; process context
 *   4. hakmem_cpu_cache.lock - local lock; protects the magazine of this
 *      CPU (the drain work items take it, on their CPU, while the task
 *      that queued them waits holding 1-3)
 *   5. hakmem_node.lock and below, see hakmem_superslab.c
 * Nothing here allocates memory with 4 or 5 held, and pages are
 * allocated with no lock held at all.
 *
 * What holds on each preemption model:
 *   - Without PREEMPT_RT, the local lock disables IRQs and the node lock
 *     spins with IRQs off: every entry point works from any context,
 *     hardirq included (GFP_ATOMIC).
 *   - On PREEMPT_RT, the local lock is a per-CPU sleeping lock
 *     (migrate_disable() and a spinlock_t) and the node lock a sleeping
 *     spinlock_t: both preemptible, for task context (interrupts are
 *     threaded there; as with the slab allocator, not from hardirq proper
 *     or under a raw spinlock).  hakmem never takes them with preemption
 *     or IRQs disabled: a free's lookup is an rcu_read_lock() read side,
 *     draining runs in kworkers, never in IPIs, and every statistic is a
 *     this_cpu op (a plain increment under the preemptible local lock
 *     would race with a this_cpu op of another task on the same CPU).
 *   - On both, every SuperSlab lookup is an RCU read side: rcu_read_lock(),
 *     or the local lock or a node lock held (IRQs off; on PREEMPT_RT a
 *     spinlock_t holds rcu_read_lock() itself).
 *
 * Always-on misuse checks on free, in O(1): the SuperSlab must be the
 * cache's, the pointer must start an object that was ever made, and the
 * object must not carry the free word that every free object carries
 * (hakmem_internal.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/kmemleak.h>
#include <linux/kmsan-checks.h>
#include <linux/jump_label.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/workqueue.h>

#include "hakmem_compat.h"
#include "hakmem_internal.h"
#include "hakmem_trace.h"

/*
 * Bytes of objects a magazine may hold (unless that is under two objects):
 * large strides get few objects, so that a cache costs each CPU little.
 */
#define HAKMEM_MAG_MAX_BYTES	SZ_16K
/* Objects the grow path can carry on the stack back to a magazine. */
#define HAKMEM_GROW_MAX		32
/* Live objects a destroy reports by address, at most. */
#define HAKMEM_REPORT_MAX	8

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "Run a short self-test at load and print its result");

/*
 * The interior-pointer and double-free checks of every free.  On by
 * default and meant to stay on; writable so that their cost can be
 * measured (echo N > /sys/module/hakmem/parameters/free_checks).
 */
static DEFINE_STATIC_KEY_TRUE(hakmem_free_checks);

static int hakmem_free_checks_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = kstrtobool(val, &on);

	if (ret)
		return ret;
	if (on)
		static_branch_enable(&hakmem_free_checks);
	else
		static_branch_disable(&hakmem_free_checks);
	return 0;
}

static int hakmem_free_checks_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", static_key_enabled(&hakmem_free_checks) ? 'Y' : 'N');
}

static const struct kernel_param_ops hakmem_free_checks_ops = {
	.set = hakmem_free_checks_set,
	.get = hakmem_free_checks_get,
};
module_param_cb(free_checks, &hakmem_free_checks_ops, NULL, 0644);
MODULE_PARM_DESC(free_checks, "Check every free for interior pointers and double frees (default Y)");

static DEFINE_MUTEX(hakmem_cache_mutex);
static LIST_HEAD(hakmem_caches);
/* The cache the next shrinker scan starts with (NULL: the first). */
static struct hakmem_cache *hakmem_reclaim_next;
static struct hakmem_cache *hakmem_tiny[HAKMEM_NR_TINY];

/* The tiny classes (hakmem_internal.h): the one table of their sizes. */
const u16 hakmem_tiny_sizes[HAKMEM_NR_TINY] = {
	8, 16, 24, 32, 40, 48, 56, 64,
	80, 96, 112, 128, 160, 192, 224, 256,
	320, 384, 448, 512, 640, 768, 896, 1024,
};
EXPORT_SYMBOL_NS_GPL(hakmem_tiny_sizes, HAKMEM_INTERNAL_NS);

/*
 * The class of every size, 1 to HAKMEM_MAX_TINY_SIZE, by its 8-byte
 * granules (HAKMEM_TINY_GRANULE()): one load, no branch.  Filled once at
 * load by hakmem_tiny_lookup_init().
 */
static struct hakmem_cache *hakmem_tiny_lookup[HAKMEM_TINY_GRANULE(HAKMEM_MAX_TINY_SIZE) + 1]
	__ro_after_init;
static struct dentry *hakmem_debugfs;
static int hakmem_cpuhp_state;

static const char * const hakmem_stat_names[HAKMEM_NR_STAT_ITEMS] = {
	[HAKMEM_ALLOC_HIT] = "alloc_hit",
	[HAKMEM_ALLOC_MISS] = "alloc_miss",
	[HAKMEM_FREE_HIT] = "free_hit",
	[HAKMEM_FREE_MISS] = "free_miss",
	[HAKMEM_REFILL] = "refill",
	[HAKMEM_FLUSH] = "flush",
	[HAKMEM_SLAB_INIT] = "slab_init",
	[HAKMEM_SLAB_RELEASE] = "slab_release",
	[HAKMEM_SS_ALLOC] = "superslab_alloc",
	[HAKMEM_SS_FALLBACK] = "superslab_fallback",
	[HAKMEM_SS_FREE] = "superslab_free",
	[HAKMEM_EXPAND] = "expand",
	[HAKMEM_EXPAND_RACE] = "expand_race_lost",
	[HAKMEM_EXPAND_FAIL] = "expand_fail",
	[HAKMEM_INVALID_FREE] = "invalid_free",
	[HAKMEM_DOUBLE_FREE] = "double_free",
	[HAKMEM_CORRUPTION] = "corruption",
	[HAKMEM_REFILL_REMOTE] = "refill_remote",
};

/**
 * hakmem_stat_sum() - a statistic summed over every CPU
 * @s: the cache
 * @item: which statistic
 *
 * Return: the sum; racy against concurrent updates, exact when quiet.
 */
unsigned long hakmem_stat_sum(struct hakmem_cache *s, enum hakmem_stat_item item)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(s->pcp, cpu)->stat[item]);
	return sum;
}
EXPORT_SYMBOL_NS_GPL(hakmem_stat_sum, HAKMEM_INTERNAL_NS);

/*
 * Zero an object going out?  The slab allocator's rule exactly
 * (slab_want_init_on_alloc()): init_on_alloc zeroes every object, except
 * that a constructor's state is never wiped, and that objects an RCU
 * reader may still see (SLAB_TYPESAFE_BY_RCU) or whose poison is checked
 * (SLAB_POISON) are zeroed only when __GFP_ZERO asks.  With init_on_alloc
 * off, the static key costs nothing and __GFP_ZERO alone decides.
 */
static __always_inline bool hakmem_want_init_on_alloc(struct hakmem_cache *s,
						      gfp_t gfp)
{
	if (static_branch_maybe(CONFIG_INIT_ON_ALLOC_DEFAULT_ON, &init_on_alloc)) {
		if (s->ctor)
			return false;
		if (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON))
			return gfp & __GFP_ZERO;
		return true;
	}
	return gfp & __GFP_ZERO;
}

/*
 * Zero an object coming back?  slab_want_init_on_free(): with init_on_free,
 * every object but those whose content must survive while free (a
 * constructor's state, what an RCU reader sees, the poison pattern).
 */
static __always_inline bool hakmem_want_init_on_free(struct hakmem_cache *s)
{
	if (static_branch_maybe(CONFIG_INIT_ON_FREE_DEFAULT_ON, &init_on_free))
		return !(s->ctor || (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)));
	return false;
}

/*
 * init_on_free wipes a checked object's bytes before the free path tags
 * it; the tag is cleared again on the way out, so the object leaves all
 * zero.  Red zones lie past the object and keep their pattern.
 */
static __always_inline void hakmem_init_on_free(struct hakmem_cache *s, void *obj)
{
	if (hakmem_want_init_on_free(s))
		memset(obj, 0, s->layout.object_size);
}

/* An object going out: its free tag cleared (it is no longer free). */
static __always_inline void hakmem_obj_untag(struct hakmem_cache *s, void *obj)
{
	*hakmem_fp(s, obj) = 0;
}

/*
 * An object going out zeroed (init_on_alloc, __GFP_ZERO).  Return: @obj,
 * as memset() does, so that a caller can make it a tail call.
 */
static __always_inline void *hakmem_obj_zero(struct hakmem_cache *s, void *obj)
{
	return memset(obj, 0, s->layout.object_size);
}

/* Hand an object to its user: clear its free tag, arm debug bytes, zero. */
static __always_inline void *hakmem_obj_out(struct hakmem_cache *s, void *obj,
					    gfp_t gfp)
{
	/* Read before the store, which may alias it: one load for both tests. */
	bool debug = s->flags & (SLAB_RED_ZONE | SLAB_POISON);

	hakmem_obj_untag(s, obj);
	hakmem_kasan_unpoison(obj, s->layout.object_size);
	if (unlikely(debug))
		hakmem_debug_alloc(s, obj);
	if (hakmem_want_init_on_alloc(s, gfp))
		hakmem_obj_zero(s, obj);
	else if (!s->ctor && !(s->flags & SLAB_TYPESAFE_BY_RCU))
		/* KMSAN, as for slab objects: new contents are uninitialised. */
		kmsan_poison_memory(obj, s->layout.object_size, gfp);
	kmemleak_alloc_recursive(obj, s->layout.object_size, 1, s->flags, gfp);
	return obj;
}

/*
 * hakmem_obj_out() out of line, for an object of the fast path that is not
 * plain (debug bytes, a sanitizer or kmemleak to tell, or the event on),
 * and the allocation's event: @ev_s, @size and @ip are what the general
 * path gives it (the cache, or NULL and the size asked of hakmem_alloc();
 * the exported function's caller).
 */
static noinline void *hakmem_obj_out_slow(struct hakmem_cache *s, void *obj,
					  gfp_t gfp, struct hakmem_cache *ev_s,
					  size_t size, unsigned long ip)
{
	obj = hakmem_obj_out(s, obj, gfp);
	__hakmem_trace_alloc(ip, obj, ev_s, size, gfp, NUMA_NO_NODE);
	return obj;
}

/*
 * hakmem_obj_out() on the fast path: for a plain cache (@out_plain) the
 * tag cleared and, when the object is to be zeroed, its memset() made as
 * a tail call (memset() returns the object); anything else a tail call to
 * hakmem_obj_out_slow(), which is given the event's arguments.  So the
 * zeroing costs the fast path no register kept across a call, and the
 * event no test of its own.
 */
static __always_inline void *hakmem_obj_out_fast(struct hakmem_cache *s,
						 void *obj, gfp_t gfp,
						 struct hakmem_cache *ev_s,
						 size_t size, unsigned long ip)
{
	/* Rewritten on live caches: hakmem_cache_set_plain(). */
	if (unlikely(!data_race(s->out_plain)))
		return hakmem_obj_out_slow(s, obj, gfp, ev_s, size, ip);
	hakmem_obj_untag(s, obj);
	if (likely(!((gfp | s->zero_gfp) & __GFP_ZERO)))
		return obj;
	return hakmem_obj_zero(s, obj);
}

/*
 * With no debug option, no zeroing and no kmemleak, KMSAN or KASAN to
 * tell, an object going out only has its free tag cleared.
 */
static __always_inline bool hakmem_objs_out_lean(struct hakmem_cache *s, gfp_t gfp)
{
	return !IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) && !IS_ENABLED(CONFIG_KMSAN) &&
	       !HAKMEM_KASAN_ON && !(s->flags & (SLAB_RED_ZONE | SLAB_POISON)) &&
	       !hakmem_want_init_on_alloc(s, gfp);
}

/*
 * hakmem_obj_out() for each of @nr objects; when hakmem_objs_out_lean(),
 * one loop that clears the tags and nothing else, the flags read once
 * rather than after every store.
 */
static __always_inline void hakmem_objs_out(struct hakmem_cache *s, void **objs,
					    size_t nr, gfp_t gfp)
{
	unsigned int fp_offset = s->layout.fp_offset;
	size_t i;

	if (hakmem_objs_out_lean(s, gfp)) {
		for (i = 0; i < nr; i++)
			*(unsigned long *)(objs[i] + fp_offset) = 0;
		return;
	}
	for (i = 0; i < nr; i++)
		hakmem_obj_out(s, objs[i], gfp);
}

/*
 * gfp flags a hakmem cache cannot honour.  hakmem_alloc() passes the first
 * two to kmalloc(), which charges __GFP_ACCOUNT to the memcg and serves
 * GFP_DMA from ZONE_DMA.  The cache API refuses them: a cache's SuperSlabs
 * are neither charged nor in ZONE_DMA (the slab allocator has the cache
 * flags SLAB_ACCOUNT and SLAB_CACHE_DMA for that, which hakmem refuses).
 * __GFP_DMA32 and __GFP_HIGHMEM are the slab allocator's GFP_SLAB_BUG_MASK:
 * kmalloc() strips them with a warning and returns ordinary memory; hakmem
 * refuses them everywhere rather than give a 32-bit device memory it
 * cannot reach.
 */
#define HAKMEM_GFP_KMALLOC	(__GFP_ACCOUNT | __GFP_DMA)
#define HAKMEM_GFP_INVALID	(__GFP_DMA32 | __GFP_HIGHMEM)
#define HAKMEM_GFP_REFUSED	(HAKMEM_GFP_KMALLOC | HAKMEM_GFP_INVALID)

static noinline __cold void *hakmem_gfp_refused(const char *name, gfp_t gfp, gfp_t bad)
{
	bad &= gfp;
	pr_warn_ratelimited("cache %s: refused: gfp %pGg: %pGg not supported\n",
			    name, &gfp, &bad);
	return NULL;
}

static void hakmem_oom(struct hakmem_cache *s, gfp_t gfp)
{
	if (!(gfp & __GFP_NOWARN))
		pr_warn_ratelimited("cache %s: out of memory (gfp %pGg)\n",
				    s->dbg_name, &gfp);
}

/* The nearest node to @nid that has normal memory; @nid if none has. */
static noinline int hakmem_nearest_normal(int nid)
{
	int r, best = NUMA_NO_NODE;

	for_each_node_state(r, N_NORMAL_MEMORY)
		if (best == NUMA_NO_NODE ||
		    node_distance(nid, r) < node_distance(nid, best))
			best = r;
	return best == NUMA_NO_NODE ? nid : best;
}

/**
 * hakmem_home_node() - the node whose objects this CPU's magazines keep
 *
 * numa_mem_id(), unless that node has no normal memory: the CPUs of a
 * memoryless node where numa_mem_id() is numa_node_id() (x86), a node with
 * only movable memory.  Then the nearest node that has normal memory, as
 * the slab allocator's node test (N_NORMAL_MEMORY) would pick.  A policy,
 * not an invariant: every object goes back to its own node whatever the
 * home of the CPU that frees it.
 *
 * Context: any; the answer may be stale once the caller can migrate.
 * Return: a node id.
 */
int hakmem_home_node(void)
{
	int nid = numa_mem_id();

	if (likely(node_state(nid, N_NORMAL_MEMORY)))
		return nid;
	return hakmem_nearest_normal(nid);
}
EXPORT_SYMBOL_NS_GPL(hakmem_home_node, HAKMEM_INTERNAL_NS);

/*
 * Put the objects a refill brought beyond the one wanted into this CPU's
 * magazine, as many as fit, the rest back to their slabs.  They are of
 * the home node, or of the nearest node when home has no page.
 */
static void hakmem_stash(struct hakmem_cache *s, void **objs, unsigned int nr)
{
	struct hakmem_cpu_cache *pc;
	unsigned long flags;
	unsigned int room;

	local_lock_irqsave(&s->pcp->lock, flags);
	pc = this_cpu_ptr(s->pcp);
	room = min(s->mag_size - pc->count, nr);
	memcpy(pc->objs + pc->count, objs, room * sizeof(void *));
	pc->count += room;
	if (room < nr)
		hakmem_objs_put(s, objs + room, nr - room);
	local_unlock_irqrestore(&s->pcp->lock, flags);
}

/*
 * Magazine empty: refill a batch from the home node's slabs; when home
 * has none, hakmem_node_refill() decides between growing it and another
 * node's objects.  While home is known to have no page, the nearest
 * node's objects come at once, under the same local lock hold.
 * Entered with the local lock held; returns with it released.
 */
static void *hakmem_alloc_refill(struct hakmem_cache *s,
				 struct hakmem_cpu_cache *pc,
				 unsigned long flags, gfp_t gfp)
{
	void *spill[HAKMEM_GROW_MAX];
	int home = hakmem_home_node();
	unsigned int got;
	void *obj;

	got = hakmem_node_take(s, s->node[home], pc->objs, s->batch);
	if (!got && hakmem_node_no_pages(s->node[home]) &&
	    !(gfp & __GFP_THISNODE)) {
		got = hakmem_take_near(s, home, pc->objs, s->batch);
		if (got)
			hakmem_stat(s, HAKMEM_REFILL_REMOTE);
	}
	if (got) {
		hakmem_stat(s, HAKMEM_ALLOC_MISS);
		hakmem_stat(s, HAKMEM_REFILL);
		trace_hakmem_refill(s, got);
		pc->count = got - 1;
		obj = pc->objs[got - 1];
		local_unlock_irqrestore(&s->pcp->lock, flags);
		return obj;
	}
	local_unlock_irqrestore(&s->pcp->lock, flags);

	/* No lock held: the page allocator may sleep if gfp allows. */
	got = hakmem_node_refill(s, home, gfp, spill,
				 min_t(unsigned int, s->batch, HAKMEM_GROW_MAX));
	if (!got) {
		hakmem_oom(s, gfp);
		return NULL;
	}
	/* Counted only now: allocations minus frees is what users hold. */
	hakmem_stat(s, HAKMEM_ALLOC_MISS);
	trace_hakmem_refill(s, got);
	obj = spill[--got];
	if (got)
		hakmem_stash(s, spill, got);
	return obj;
}

/*
 * An explicit node other than this CPU's (or whose object is not on top of
 * the magazine): straight from that node's slabs, else as a refill finds.
 */
static noinline void *hakmem_alloc_on_node(struct hakmem_cache *s,
					   gfp_t gfp, int node)
{
	void *obj;

	if (!hakmem_node_take(s, s->node[node], &obj, 1) &&
	    !hakmem_node_refill(s, node, gfp, &obj, 1)) {
		hakmem_oom(s, gfp);
		return NULL;
	}
	hakmem_stat(s, HAKMEM_ALLOC_MISS);
	return hakmem_obj_out(s, obj, gfp);
}

/* The top of this CPU's magazine, which holds one, counted as a hit. */
static __always_inline void *hakmem_mag_take(struct hakmem_cache *s,
					     struct hakmem_cpu_cache *pc)
{
	hakmem_stat_locked(s, pc, HAKMEM_ALLOC_HIT);
	return pc->objs[--pc->count];
}

static __always_inline void *__hakmem_cache_alloc(struct hakmem_cache *s,
						  gfp_t gfp, int node)
{
	struct hakmem_cpu_cache *pc;
	unsigned long flags;
	void *obj;

	might_alloc(gfp);
	if (unlikely(node != NUMA_NO_NODE)) {
		/* As the slab allocator: a node without normal memory is no node. */
		if ((unsigned int)node >= nr_node_ids ||
		    !node_state(node, N_NORMAL_MEMORY)) {
			if (gfp & __GFP_THISNODE)
				return NULL;
			node = NUMA_NO_NODE;
		}
	}
	local_lock_irqsave(&s->pcp->lock, flags);
	pc = this_cpu_ptr(s->pcp);
	/* A magazine may hold the nearest node's objects: check the one on top. */
	if (unlikely(node != NUMA_NO_NODE) &&
	    (node != numa_mem_id() ||
	     (pc->count && page_to_nid(virt_to_page(pc->objs[pc->count - 1])) != node))) {
		local_unlock_irqrestore(&s->pcp->lock, flags);
		return hakmem_alloc_on_node(s, gfp, node);
	}
	if (likely(pc->count)) {
		obj = hakmem_mag_take(s, pc);
		local_unlock_irqrestore(&s->pcp->lock, flags);
	} else {
		obj = hakmem_alloc_refill(s, pc, flags, gfp);
		if (unlikely(!obj))
			return NULL;
	}
	return hakmem_obj_out(s, obj, gfp);
}

/*
 * The allocation fast path: the top of this CPU's magazine into @objp, or
 * false when it is empty (nothing done; the general path refills).  A
 * leaf, so that it needs no callee-saved register.
 */
static __always_inline bool hakmem_mag_pop(struct hakmem_cache *s, gfp_t gfp,
					   void **objp)
{
	struct hakmem_cpu_cache *pc;
	unsigned long flags;

	might_alloc(gfp);
	local_lock_irqsave(&s->pcp->lock, flags);
	pc = this_cpu_ptr(s->pcp);
	if (unlikely(!pc->count)) {
		local_unlock_irqrestore(&s->pcp->lock, flags);
		return false;
	}
	*objp = hakmem_mag_take(s, pc);
	local_unlock_irqrestore(&s->pcp->lock, flags);
	return true;
}

/* Both cache allocation entry points the general way: every case, the event. */
static noinline void *hakmem_cache_alloc_slow(struct hakmem_cache *cache,
					      gfp_t gfp, int node,
					      unsigned long ip)
{
	void *obj;

	if (unlikely(gfp & HAKMEM_GFP_REFUSED))
		obj = hakmem_gfp_refused(cache->dbg_name, gfp, HAKMEM_GFP_REFUSED);
	else
		obj = __hakmem_cache_alloc(cache, gfp, node);
	__hakmem_trace_alloc(ip, obj, cache, 0, gfp, node);
	return obj;
}

/*
 * Both cache allocation entry points: a pop from the magazine when no node
 * is asked for and no flag refused; else, or when the magazine is empty,
 * the general path.  With the event on, the cache is not out_plain: the
 * pop's object goes out, and the event is made, out of line.  Inlined into
 * each, so the event's call site (_RET_IP_) is the exported function's
 * caller.
 */
static __always_inline void *hakmem_cache_alloc_api(struct hakmem_cache *cache,
						    gfp_t gfp, int node)
{
	void *obj;

	if (likely(node == NUMA_NO_NODE && !(gfp & HAKMEM_GFP_REFUSED)) &&
	    likely(hakmem_mag_pop(cache, gfp, &obj)))
		return hakmem_obj_out_fast(cache, obj, gfp, cache, 0, _RET_IP_);
	return hakmem_cache_alloc_slow(cache, gfp, node, _RET_IP_);
}

/**
 * hakmem_cache_alloc - allocate an object from a hakmem cache
 * @cache: the cache
 * @gfp: allocation flags; GFP_ATOMIC and GFP_NOWAIT never sleep;
 *       __GFP_ACCOUNT, GFP_DMA, GFP_DMA32 and __GFP_HIGHMEM are refused
 *       (NULL and a warning naming the cache, even with __GFP_NOFAIL)
 *
 * Context: any context the flags allow; GFP_KERNEL may sleep, only in the
 * page allocator.
 * Return: an object, or NULL if no memory could be had (never with
 * __GFP_NOFAIL) or @gfp was refused.
 */
void *hakmem_cache_alloc(struct hakmem_cache *cache, gfp_t gfp)
{
	return hakmem_cache_alloc_api(cache, gfp, NUMA_NO_NODE);
}
EXPORT_SYMBOL_NS_GPL(hakmem_cache_alloc, HAKMEM_NS);

/**
 * hakmem_cache_alloc_node - allocate an object on a given NUMA node
 * @cache: the cache
 * @gfp: allocation flags
 * @node: the node, or NUMA_NO_NODE for any
 *
 * The object's memory is on @node whenever @node has a free page or free
 * objects (stricter than the slab allocator, which may hand out another
 * node's partial slab first); else it comes from the nearest node that
 * has some.  With __GFP_THISNODE it is on @node or the call fails.  A
 * node without normal memory (memoryless, or only movable memory) counts
 * as NUMA_NO_NODE, as in the slab allocator.
 *
 * Context: as hakmem_cache_alloc().
 * Return: an object, or NULL.
 */
void *hakmem_cache_alloc_node(struct hakmem_cache *cache, gfp_t gfp, int node)
{
	return hakmem_cache_alloc_api(cache, gfp, node);
}
EXPORT_SYMBOL_NS_GPL(hakmem_cache_alloc_node, HAKMEM_NS);

static void hakmem_bad_free(struct hakmem_cache *s, const void *obj,
			    enum hakmem_stat_item item, const char *why)
{
	pr_err_ratelimited("cache %s: free of %p refused: %s\n",
			   s->dbg_name, obj, why);
	hakmem_stat(s, item);
}

/*
 * Is @obj, the start of an object of @ss, free already?  Every free object
 * carries the tag, wherever it sits, but for those never made: they lie
 * above made_end, and count as free.
 */
static __always_inline bool hakmem_obj_is_free(struct hakmem_cache *s,
					       struct hakmem_superslab *ss,
					       void *obj)
{
	return (unsigned long)obj >= READ_ONCE(ss->made_end) ||
	       hakmem_fp_is_free(ss, READ_ONCE(*hakmem_fp(s, obj)), obj);
}

/*
 * The always-on checks of a free.  Runs under the local lock, an RCU read
 * side on every preemption model (IRQs off; on PREEMPT_RT the lock takes
 * rcu_read_lock()), so the SuperSlab found cannot be freed under it.
 */
static __always_inline bool hakmem_free_ok(struct hakmem_cache *s,
					   struct hakmem_superslab *ss,
					   void *obj)
{
	if (unlikely(!ss || ss->cache != s)) {
		hakmem_bad_free(s, obj, HAKMEM_INVALID_FREE,
				ss ? "object of another cache" : "not a hakmem object");
		return false;
	}
	if (!static_branch_likely(&hakmem_free_checks))
		goto debug;
	if (unlikely(!hakmem_obj_starts(s, ss, obj))) {
		hakmem_bad_free(s, obj, HAKMEM_INVALID_FREE, "not the start of an object");
		return false;
	}
	if (unlikely(hakmem_obj_is_free(s, ss, obj))) {
		hakmem_bad_free(s, obj, HAKMEM_DOUBLE_FREE, "double free");
		return false;
	}
debug:
	if (unlikely(s->flags & (SLAB_RED_ZONE | SLAB_POISON)) &&
	    !hakmem_debug_free(s, obj)) {
		/* Kept out for good; its user let go, so it is no leak. */
		kmemleak_not_leak(obj);
		return false;
	}
	return true;
}

/* Move the oldest @nr objects of a magazine (at most all) back to the slabs. */
static void __hakmem_flush(struct hakmem_cache *s, struct hakmem_cpu_cache *pc,
			   unsigned int nr)
{
	nr = min(nr, pc->count);
	trace_hakmem_flush(s, nr);
	hakmem_objs_put(s, pc->objs, nr);
	pc->count -= nr;
	memmove(pc->objs, pc->objs + nr, pc->count * sizeof(void *));
	hakmem_stat(s, HAKMEM_FLUSH);
}

/* Move the oldest batch of a full magazine back to the slabs. */
static void hakmem_flush(struct hakmem_cache *s, struct hakmem_cpu_cache *pc)
{
	__hakmem_flush(s, pc, s->batch);
}

/*
 * Under KASAN freed objects wait in a per-CPU quarantine before reuse.
 * Writable, so that tests of the magazine's LIFO order can turn it off
 * (echo N > /sys/module/hakmem/parameters/kasan_quarantine).
 */
static bool hakmem_quarantine_on __read_mostly = HAKMEM_KASAN_ON;
module_param_named(kasan_quarantine, hakmem_quarantine_on, bool, 0644);
MODULE_PARM_DESC(kasan_quarantine, "Under KASAN, keep freed objects out of reuse for a while (default Y with KASAN)");

/**
 * hakmem_quarantine_set() - turn the KASAN quarantine on or off
 * @on: the new setting; ignored without KASAN
 *
 * Objects already waiting stay until the next drain.
 *
 * Return: the old setting (always false without KASAN).
 */
bool hakmem_quarantine_set(bool on)
{
	bool old = READ_ONCE(hakmem_quarantine_on);

	WRITE_ONCE(hakmem_quarantine_on, on && HAKMEM_KASAN_ON);
	return old;
}
EXPORT_SYMBOL_NS_GPL(hakmem_quarantine_set, HAKMEM_INTERNAL_NS);

#ifdef HAKMEM_KASAN
static void **hakmem_quarantine(struct hakmem_cache *s, struct hakmem_cpu_cache *pc)
{
	return pc->objs + s->mag_size;
}

/*
 * Keep @obj, freed and poisoned, in this CPU's quarantine ring; return
 * the oldest object the full ring lets go of in its place, or NULL.
 */
static void *hakmem_quarantine_swap(struct hakmem_cache *s,
				    struct hakmem_cpu_cache *pc, void *obj)
{
	void **q = hakmem_quarantine(s, pc);
	unsigned int slot;
	void *old = NULL;

	if (pc->q_count < HAKMEM_KASAN_QUARANTINE) {
		slot = (pc->q_next + pc->q_count++) % HAKMEM_KASAN_QUARANTINE;
	} else {
		slot = pc->q_next;
		old = q[slot];
		pc->q_next = (slot + 1) % HAKMEM_KASAN_QUARANTINE;
	}
	q[slot] = obj;
	return old;
}

/* Give every object of a CPU's quarantine back to its slab, on its node. */
static void hakmem_quarantine_flush(struct hakmem_cache *s,
				    struct hakmem_cpu_cache *pc)
{
	void **q = hakmem_quarantine(s, pc);
	unsigned int first = min(pc->q_count, HAKMEM_KASAN_QUARANTINE - pc->q_next);

	hakmem_objs_put(s, q + pc->q_next, first);
	hakmem_objs_put(s, q, pc->q_count - first);
	pc->q_next = 0;
	pc->q_count = 0;
}
#else
static inline void *hakmem_quarantine_swap(struct hakmem_cache *s,
					   struct hakmem_cpu_cache *pc, void *obj)
{
	return obj;
}

static inline void hakmem_quarantine_flush(struct hakmem_cache *s,
					   struct hakmem_cpu_cache *pc)
{
}
#endif /* HAKMEM_KASAN */

static __always_inline bool hakmem_mag_full(struct hakmem_cache *s,
					    struct hakmem_cpu_cache *pc)
{
	return pc->count >= s->mag_size;
}

/*
 * Push a freed object into this CPU's magazine, flushing it first if full.
 * Under KASAN the object waits, poisoned, and another one goes on.
 */
static __always_inline void hakmem_mag_push(struct hakmem_cache *s,
					    struct hakmem_cpu_cache *pc,
					    void *obj)
{
	if (HAKMEM_KASAN_ON && READ_ONCE(hakmem_quarantine_on)) {
		obj = hakmem_quarantine_swap(s, pc, obj);
		if (!obj)
			return;
	}
	if (unlikely(hakmem_mag_full(s, pc)))
		hakmem_flush(s, pc);
	pc->objs[pc->count++] = obj;
}

/*
 * An object of another node than numa_mem_id()'s: into the magazine if it
 * is of the home node (numa_mem_id()'s has no memory), else straight to
 * its slab; counted here, hit or miss.  Out of line, and nothing of the
 * fast path is live after it, so that neither the home node nor taking
 * @obj's address costs the fast path registers or a stack canary.
 */
static noinline void hakmem_free_offnode(struct hakmem_cache *s,
					 struct hakmem_cpu_cache *pc,
					 struct hakmem_superslab *ss, void *obj)
{
	if (ss->nid == hakmem_home_node()) {
		hakmem_mag_push(s, pc, obj);
		hakmem_stat(s, HAKMEM_FREE_HIT);
		return;
	}
	hakmem_stat(s, HAKMEM_FREE_MISS);
	hakmem_objs_put(s, &obj, 1);
}

/*
 * A checked object becomes free: its tag @tag (hakmem_free_tag()) into
 * its free word @fp, and the hooks' word on it.
 */
static __always_inline void __hakmem_free_tag_obj(struct hakmem_cache *s,
						  void *obj, unsigned long *fp,
						  unsigned long tag)
{
	kmemleak_free_recursive(obj, s->flags);
	*fp = tag;
	/* RCU readers may still look at a SLAB_TYPESAFE_BY_RCU object. */
	if (!(s->flags & SLAB_TYPESAFE_BY_RCU))
		hakmem_kasan_poison(obj, s->layout.object_size, HAKMEM_KASAN_FREE);
}

static __always_inline void hakmem_free_tag_obj(struct hakmem_cache *s,
						struct hakmem_superslab *ss,
						void *obj)
{
	__hakmem_free_tag_obj(s, obj, hakmem_fp(s, obj), hakmem_free_tag(ss, obj));
}

/*
 * Put a checked object into this CPU's magazine (@pc, node @nid), or to
 * its slab if it is not of the home node; the local lock is held.
 * Return: true if it went into the magazine and the caller is to count
 * the hit (false: another node's object, counted already).
 */
static __always_inline bool hakmem_free_push(struct hakmem_cache *s,
					     struct hakmem_cpu_cache *pc,
					     int nid,
					     struct hakmem_superslab *ss,
					     void *obj)
{
	hakmem_free_tag_obj(s, ss, obj);
	/* @nid is numa_mem_id(); the home node differs only when it has no memory. */
	if (unlikely(ss->nid != nid)) {
		hakmem_free_offnode(s, pc, ss, obj);
		return false;
	}
	hakmem_mag_push(s, pc, obj);
	return true;
}

/* One free, the local lock held. */
static __always_inline void hakmem_free_one(struct hakmem_cache *s,
					    struct hakmem_superslab *ss,
					    void *obj)
{
	struct hakmem_cpu_cache *pc;

	lockdep_assert_held(this_cpu_ptr(&s->pcp->lock));
	if (unlikely(!hakmem_free_ok(s, ss, obj)))
		return;
	hakmem_init_on_free(s, obj);
	pc = this_cpu_ptr(s->pcp);
	if (hakmem_free_push(s, pc, numa_mem_id(), ss, obj))
		hakmem_stat(s, HAKMEM_FREE_HIT);
}

/*
 * The free fast path, the local lock held: the common case only, decided
 * before anything changes.  @ss is the hint's answer (hakmem_ss_hint()),
 * a SuperSlab of @s.  The object is taken when the checks of hakmem_free_ok() pass, nothing
 * else is to be done to it (no debug bytes, no zeroing, no quarantine) and
 * it goes into this CPU's magazine, which has room.  (@free_plain: no
 * debug bytes, no init_on_free, no quarantine.)  Anything else, a
 * refusal to report included, is left to hakmem_free_one(), which decides
 * it all again: so the verdicts and reports are the general path's, and
 * this one has no call to make but the inline hooks, so that it needs no
 * callee-saved register.
 *
 * Return: true if @obj went into the magazine, counted; false if nothing
 * was done.
 */
static __always_inline bool hakmem_free_fast(struct hakmem_cache *s,
					     struct hakmem_superslab *ss,
					     void *obj)
{
	struct hakmem_cpu_cache *pc;
	unsigned long *fp, tag;

	/* Rewritten on live caches: hakmem_cache_set_plain(). */
	if (unlikely(!data_race(s->free_plain)))
		return false;
	pc = this_cpu_ptr(s->pcp);
	if (unlikely(ss->nid != numa_mem_id() || hakmem_mag_full(s, pc)))
		return false;
	/*
	 * The checks, hakmem_obj_is_free() with the free word's tag computed
	 * once for the test and the store; without them, just the store.
	 */
	if (static_branch_likely(&hakmem_free_checks)) {
		if (unlikely(!hakmem_obj_starts(s, ss, obj)))
			return false;
		fp = hakmem_fp(s, obj);
		tag = hakmem_free_tag(ss, obj);
		if (unlikely((unsigned long)obj >= READ_ONCE(ss->made_end) ||
			     hakmem_fp_lanes_ok(READ_ONCE(*fp) ^ tag)))
			return false;
	} else {
		fp = hakmem_fp(s, obj);
		tag = hakmem_free_tag(ss, obj);
	}
	__hakmem_free_tag_obj(s, obj, fp, tag);
	pc->objs[pc->count++] = obj;
	hakmem_stat_locked(s, pc, HAKMEM_FREE_HIT);
	return true;
}

/* hakmem_cache_free() the general way: the event, the lookup, every case. */
static noinline void hakmem_cache_free_slow(struct hakmem_cache *cache,
					    void *obj, unsigned long ip)
{
	unsigned long flags;

	__hakmem_trace_free(ip, obj, cache);
	if (unlikely(!obj))
		return;
	local_lock_irqsave(&cache->pcp->lock, flags);
	hakmem_free_one(cache, hakmem_obj_to_ss_hinted(obj), obj);
	local_unlock_irqrestore(&cache->pcp->lock, flags);
}

/**
 * hakmem_cache_free - return an object to its cache
 * @cache: the cache it was allocated from
 * @obj: the object; NULL is ignored
 *
 * A pointer that is not an object of @cache, an interior pointer and a
 * double free are reported (pr_err naming the cache), counted in the
 * cache's statistics and otherwise ignored.
 *
 * Context: any.
 */
void hakmem_cache_free(struct hakmem_cache *cache, void *obj)
{
	struct hakmem_superslab *ss;
	unsigned long flags;

	/*
	 * NULL: the general path makes the event, ignores NULL.  With the
	 * event on, the cache is not free_plain: the fast path takes nothing.
	 */
	if (likely(obj)) {
		local_lock_irqsave(&cache->pcp->lock, flags);
		ss = hakmem_ss_hint(obj);
		if (likely(ss && ss->cache == cache &&
			   hakmem_free_fast(cache, ss, obj))) {
			local_unlock_irqrestore(&cache->pcp->lock, flags);
			return;
		}
		local_unlock_irqrestore(&cache->pcp->lock, flags);
	}
	hakmem_cache_free_slow(cache, obj, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(hakmem_cache_free, HAKMEM_NS);

/**
 * hakmem_cache_alloc_bulk - allocate several objects at once
 * @cache: the cache
 * @gfp: allocation flags
 * @nr: how many, at most HAKMEM_BULK_MAX (INT_MAX: the count is returned
 *      as an int); a larger @nr is refused with a warning naming the cache
 * @objs: array of @nr pointers, filled in
 *
 * All or nothing: on failure nothing stays allocated.
 *
 * Context: as hakmem_cache_alloc().
 * Return: @nr, or 0 on failure or refusal.
 */
int hakmem_cache_alloc_bulk(struct hakmem_cache *cache, gfp_t gfp, size_t nr,
			    void **objs)
{
	size_t i, got, hit, fp_offset;
	struct hakmem_cpu_cache *pc;
	unsigned long flags;
	void **mag;
	bool lean;
	int home;

	might_alloc(gfp);
	if (!nr)
		return 0;
	if (unlikely(gfp & HAKMEM_GFP_REFUSED)) {
		hakmem_gfp_refused(cache->dbg_name, gfp, HAKMEM_GFP_REFUSED);
		return 0;
	}
	if (unlikely(nr > HAKMEM_BULK_MAX)) {
		pr_warn_ratelimited("cache %s: bulk allocation of %zu objects refused: more than INT_MAX\n",
				    cache->dbg_name, nr);
		return 0;
	}
	local_lock_irqsave(&cache->pcp->lock, flags);
	pc = this_cpu_ptr(cache->pcp);
	home = hakmem_home_node();
	hit = min_t(size_t, pc->count, nr);
	pc->count -= hit;
	mag = pc->objs + pc->count;
	/*
	 * When the magazine has them all (the call cannot fail now, which
	 * would put them back tagged) and an object going out only has its
	 * tag cleared, one loop copies them and clears it (and no memcpy(),
	 * which some builds inline as a "rep movsb", an instruction a byte).
	 */
	lean = hit == nr && hakmem_objs_out_lean(cache, gfp);
	if (lean) {
		fp_offset = cache->layout.fp_offset;
		for (i = 0; i < hit; i++) {
			objs[i] = mag[i];
			*(unsigned long *)(mag[i] + fp_offset) = 0;
		}
	} else {
		memcpy(objs, mag, hit * sizeof(void *));
	}
	got = hit;
	if (got < nr)
		got += hakmem_node_take(cache, cache->node[home], objs + got, nr - got);
	local_unlock_irqrestore(&cache->pcp->lock, flags);

	while (got < nr) {
		unsigned int more = hakmem_node_refill(cache, home, gfp, objs + got,
						       nr - got);

		if (!more) {
			/* Give back what was taken: it never reached a user. */
			for (i = 0; i < got; i++)
				hakmem_stash(cache, objs + i, 1);
			hakmem_oom(cache, gfp);
			return 0;
		}
		got += more;
	}
	hakmem_stat_add(cache, HAKMEM_ALLOC_HIT, hit);
	hakmem_stat_add(cache, HAKMEM_ALLOC_MISS, nr - hit);
	if (!lean)
		hakmem_objs_out(cache, objs, nr, gfp);
	if (trace_hakmem_alloc_enabled())
		for (i = 0; i < nr; i++)
			hakmem_trace_alloc(objs[i], cache, 0, gfp, NUMA_NO_NODE);
	return nr;
}
EXPORT_SYMBOL_NS_GPL(hakmem_cache_alloc_bulk, HAKMEM_NS);

/*
 * May a bulk free take the lean loop?  Only when a free does nothing but
 * the always-on checks, the tag and the push: no debug bytes, no zeroing,
 * no KASAN, no kmemleak, and the checks on (they decide what is refused).
 */
static __always_inline bool hakmem_free_lean(struct hakmem_cache *s)
{
	return !HAKMEM_KASAN_ON && !IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) &&
	       !(s->flags & (SLAB_RED_ZONE | SLAB_POISON)) &&
	       !hakmem_want_init_on_free(s) &&
	       static_branch_likely(&hakmem_free_checks);
}

/*
 * A bulk free's run: the objects of @objs (at most @nr) that are of the
 * SuperSlab @ss, below its made_end (@base, @made_len: 0 for none, which
 * NULL never passes either), each with the checks of hakmem_free_ok() in
 * O(1), tagged and put at @mag.  No call, no store but the tags and @mag:
 * the cache's fields stay in registers.  Stops before the first object
 * that is not of the run or fails a check.
 * Return: how many objects went into @mag.
 */
static __always_inline size_t __hakmem_free_bulk_run(struct hakmem_cache *s,
						     struct hakmem_superslab *ss,
						     void **objs, size_t nr, void **mag,
						     unsigned long base,
						     unsigned long made_len,
						     unsigned long key, unsigned long mask,
						     size_t fp_offset, const bool pow2)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		unsigned long addr = (unsigned long)objs[i];
		unsigned long *fp = (unsigned long *)(addr + fp_offset);

		if (addr - base >= made_len)
			break;
		/* The start of an object, and not free: no free tag. */
		if (unlikely((pow2 ? addr & mask : !hakmem_obj_starts(s, ss, objs[i])) ||
			     hakmem_fp_lanes_ok(*fp ^ key ^ addr)))
			break;
		*fp = key ^ addr;
		mag[i] = (void *)addr;
	}
	return i;
}

/*
 * The run, its loop for a power-of-two stride (@mask) or for any other;
 * out of line, so that the loop has the registers to itself.
 */
static noinline size_t hakmem_free_bulk_run(struct hakmem_cache *s,
					    struct hakmem_superslab *ss,
					    void **objs, size_t nr, void **mag,
					    unsigned long base, unsigned long made_len,
					    unsigned long key, unsigned long mask,
					    size_t fp_offset)
{
	if (mask)
		return __hakmem_free_bulk_run(s, ss, objs, nr, mag, base, made_len,
					      key, mask, fp_offset, true);
	return __hakmem_free_bulk_run(s, ss, objs, nr, mag, base, made_len,
				      key, 0, fp_offset, false);
}

/*
 * One object of a bulk free the general way, the local lock held; @ss is
 * its SuperSlab as looked up, or NULL.  Return: true if it went into this
 * CPU's magazine (a hit).
 */
static noinline bool hakmem_free_bulk_one(struct hakmem_cache *s,
					  struct hakmem_cpu_cache *pc, int nid,
					  struct hakmem_superslab *ss, void *obj)
{
	if (!hakmem_free_ok(s, ss, obj))
		return false;
	hakmem_init_on_free(s, obj);
	return hakmem_free_push(s, pc, nid, ss, obj);
}

/**
 * hakmem_cache_free_bulk - free several objects of one cache at once
 * @cache: the cache
 * @nr: how many
 * @objs: the objects; each is checked as by hakmem_cache_free()
 *
 * Pointers move from @objs to this CPU's magazine under one local lock
 * hold, after one flush that makes room for all of them where the
 * magazine can.  Each object gets the checks of hakmem_cache_free(), in
 * O(1): its SuperSlab is looked up only when it is not the previous
 * object's (runs of one SuperSlab are the rule), and the cache's fields
 * are read once per call, not once per object.
 *
 * Context: any.
 */
void hakmem_cache_free_bulk(struct hakmem_cache *cache, size_t nr, void **objs)
{
	unsigned long flags, hits = 0, base = 0, made_len = 0, ss_made = 0, key = 0;
	unsigned int over, count, start, mag_size;
	struct hakmem_superslab *ss = NULL;
	struct hakmem_cpu_cache *pc;
	size_t i, k, end, fp_offset;
	unsigned long mask;
	bool lean;
	int nid;

	local_lock_irqsave(&cache->pcp->lock, flags);
	/* The events first, as each free's comes before it: none in the loop. */
	if (trace_hakmem_free_enabled())
		for (i = 0; i < nr; i++)
			trace_hakmem_free(_RET_IP_, objs[i], cache);
	pc = this_cpu_ptr(cache->pcp);
	nid = numa_mem_id();
	mag_size = cache->mag_size;
	/*
	 * Room for the whole call, as far as the magazine allows, with one
	 * flush of at least a batch: the loop below then rarely flushes.
	 */
	if (nr > mag_size - pc->count) {
		over = min_t(size_t, nr - (mag_size - pc->count), mag_size);
		__hakmem_flush(cache, pc, max(over, cache->batch));
	}
	lean = hakmem_free_lean(cache);
	mask = cache->align_mask;
	fp_offset = cache->layout.fp_offset;
	count = pc->count;
	start = count;
	i = 0;
	while (i < nr) {
		/*
		 * The objects up to @end fit in the magazine, with no test of
		 * its count: a general free pushes at most its own object, or
		 * flushes.
		 */
		end = min_t(size_t, nr, i + (mag_size - count));
		while (i < end) {
			k = hakmem_free_bulk_run(cache, ss, objs + i, end - i,
						 pc->objs + count, base, made_len, key,
						 mask, fp_offset);
			i += k;
			count += k;
			if (i == end)
				break;
			/* A new SuperSlab, NULL, or an object for the general way. */
			made_len = 0;
			if (!objs[i]) {
				i++;
				continue;
			}
			ss = hakmem_obj_to_ss_hinted(objs[i]);
			if (lean && ss && ss->cache == cache && ss->nid == nid) {
				base = (unsigned long)ss->base;
				key = ss->fp_key;
				ss_made = READ_ONCE(ss->made_end) - base;
				if (hakmem_free_bulk_run(cache, ss, objs + i, 1, pc->objs + count,
							 base, ss_made, key, mask, fp_offset)) {
					i++;
					count++;
					/*
					 * An object of it sits in this magazine, which
					 * keeps it from being given back: the run's next
					 * objects are not looked up.
					 */
					made_len = ss_made;
					continue;
				}
			}
			/* Reports, remote objects, debug: as one free. */
			pc->count = count;
			hits += hakmem_free_bulk_one(cache, pc, nid, ss, objs[i]);
			/* What it did to the magazine is no push of a run. */
			start += pc->count - count;
			count = pc->count;
			i++;
		}
		if (i < nr && count >= mag_size) {
			/* Full: the general way would flush one object later. */
			pc->count = count;
			__hakmem_flush(cache, pc, cache->batch);
			start += pc->count - count;
			count = pc->count;
		}
	}
	hits += count - start;
	pc->count = count;
	hakmem_stat_add(cache, HAKMEM_FREE_HIT, hits);
	local_unlock_irqrestore(&cache->pcp->lock, flags);
}
EXPORT_SYMBOL_NS_GPL(hakmem_cache_free_bulk, HAKMEM_NS);

/* Empty this CPU's magazine into the slabs. */
static void hakmem_drain_local(void *arg)
{
	struct hakmem_cache *s = arg;
	struct hakmem_cpu_cache *pc;
	unsigned long flags;

	local_lock_irqsave(&s->pcp->lock, flags);
	pc = this_cpu_ptr(s->pcp);
	if (pc->count) {
		trace_hakmem_flush(s, pc->count);
		hakmem_objs_put(s, pc->objs, pc->count);
		pc->count = 0;
		hakmem_stat(s, HAKMEM_FLUSH);
	}
	hakmem_quarantine_flush(s, pc);
	local_unlock_irqrestore(&s->pcp->lock, flags);
}

/*
 * Draining runs in task context: one work item per CPU whose magazine
 * holds objects, run by that CPU's kworker, as the slab allocator flushes
 * its per-CPU slabs.  Never in an IPI: on PREEMPT_RT the local lock and
 * the node lock are sleeping locks, and an IPI that lands on a task
 * holding the local lock would deadlock against it.  The work items are
 * shared by every cache; hakmem_drain_mutex serialises their users.  The
 * workqueue has a rescuer (WQ_MEM_RECLAIM): the shrinker waits on it.
 */
struct hakmem_drain_work {
	struct work_struct work;
	struct hakmem_cache *s;
	bool queued;
};

static DEFINE_PER_CPU(struct hakmem_drain_work, hakmem_drain_works);
static DEFINE_MUTEX(hakmem_drain_mutex);
static struct workqueue_struct *hakmem_drain_wq;

static void hakmem_drain_work_fn(struct work_struct *work)
{
	struct hakmem_drain_work *dw = container_of(work, struct hakmem_drain_work, work);

	hakmem_drain_local(dw->s);
}

/*
 * Objects in one CPU's magazine and KASAN quarantine, read racily: a hint,
 * exact when quiet.
 */
static unsigned int hakmem_cpu_cached(struct hakmem_cache *s, int cpu)
{
	struct hakmem_cpu_cache *pc = per_cpu_ptr(s->pcp, cpu);

	return READ_ONCE(pc->count) + READ_ONCE(pc->q_count);
}

/*
 * Give back the magazine (and KASAN quarantine) of a CPU that is not
 * online: nothing runs there.
 */
static void hakmem_drain_dead(struct hakmem_cache *s, unsigned int cpu)
{
	struct hakmem_cpu_cache *pc = per_cpu_ptr(s->pcp, cpu);

	hakmem_quarantine_flush(s, pc);
	if (!pc->count)
		return;
	trace_hakmem_flush(s, pc->count);
	hakmem_objs_put(s, pc->objs, pc->count);
	pc->count = 0;
}

/*
 * The cost of draining a magazine of @count objects: the pages of objects
 * it gives back, at least one (a work item).
 */
static unsigned long hakmem_mag_pages(struct hakmem_cache *s, unsigned int count)
{
	return max(1UL, DIV_ROUND_UP((unsigned long)count * hakmem_stride(s), PAGE_SIZE));
}

/*
 * Drain the magazines of @s that hold objects, until their cost reaches
 * @budget pages: at most @budget magazines.  Return: the cost.  The caller
 * holds the hotplug lock, so that the online CPUs stay online until their
 * work items ran, and hakmem_drain_mutex.
 *
 * A CPU that is not online has an empty magazine once hakmem_cpu_dead()
 * ran.  Under the read side of the hotplug lock no CPU is in between; a
 * caller on the write side (a PREPARE-stage hotplug callback that runs
 * before hakmem's) finds the dying CPU's objects, and gives them back
 * directly: the CPU is dead, and hakmem_cpu_dead() comes later in the same
 * task.
 */
static unsigned long __hakmem_drain(struct hakmem_cache *s, unsigned long budget)
{
	struct hakmem_drain_work *dw;
	unsigned long charged = 0;
	unsigned int count;
	int cpu;

	lockdep_assert_held(&hakmem_drain_mutex);
	for_each_online_cpu(cpu) {
		dw = per_cpu_ptr(&hakmem_drain_works, cpu);
		count = charged < budget ? hakmem_cpu_cached(s, cpu) : 0;
		dw->queued = count;
		if (!count)
			continue;
		charged += hakmem_mag_pages(s, count);
		INIT_WORK(&dw->work, hakmem_drain_work_fn);
		dw->s = s;
		queue_work_on(cpu, hakmem_drain_wq, &dw->work);
	}
	for_each_online_cpu(cpu) {
		dw = per_cpu_ptr(&hakmem_drain_works, cpu);
		if (dw->queued)
			flush_work(&dw->work);
	}
	for_each_possible_cpu(cpu) {
		count = cpu_online(cpu) || charged >= budget ? 0 : hakmem_cpu_cached(s, cpu);
		if (!count)
			continue;
		charged += hakmem_mag_pages(s, count);
		hakmem_drain_dead(s, cpu);
	}
	return charged;
}

/**
 * hakmem_drain_all_cpuslocked() - empty every CPU's magazine of a cache
 * @s: the cache
 *
 * Context: process context; may sleep.  The caller holds the hotplug lock
 * (cpus_read_lock(), or the write side in a CPU hotplug callback).
 */
void hakmem_drain_all_cpuslocked(struct hakmem_cache *s)
{
	mutex_lock(&hakmem_drain_mutex);
	__hakmem_drain(s, ULONG_MAX);
	mutex_unlock(&hakmem_drain_mutex);
}
EXPORT_SYMBOL_NS_GPL(hakmem_drain_all_cpuslocked, HAKMEM_INTERNAL_NS);

/**
 * hakmem_drain_all() - empty every CPU's magazine of a cache
 * @s: the cache
 *
 * Context: process context; may sleep.  Takes the hotplug lock: not from a
 * CPU hotplug callback (hakmem_drain_all_cpuslocked() is for those).
 */
void hakmem_drain_all(struct hakmem_cache *s)
{
	cpus_read_lock();
	hakmem_drain_all_cpuslocked(s);
	cpus_read_unlock();
}
EXPORT_SYMBOL_NS_GPL(hakmem_drain_all, HAKMEM_INTERNAL_NS);

/**
 * hakmem_cache_shrink - give back all the memory a cache can spare
 * @cache: the cache
 *
 * Drains every CPU's magazine, releases every empty slab and gives every
 * unused SuperSlab back to the page allocator.
 *
 * Context: process context; may sleep.
 * Return: 0 if the cache holds no SuperSlab afterwards, 1 otherwise.
 */
int hakmem_cache_shrink(struct hakmem_cache *cache)
{
	int nid;

	might_sleep();
	hakmem_drain_all(cache);
	for_each_node(nid)
		hakmem_node_shrink(cache, cache->node[nid]);
	return hakmem_nodes_sum(cache, nr_ss) ? 1 : 0;
}
EXPORT_SYMBOL_NS_GPL(hakmem_cache_shrink, HAKMEM_NS);

/**
 * hakmem_cache_size - the object size of a cache
 * @cache: the cache
 *
 * Return: the size given to hakmem_cache_create().
 */
unsigned int hakmem_cache_size(struct hakmem_cache *cache)
{
	return cache->layout.object_size;
}
EXPORT_SYMBOL_NS_GPL(hakmem_cache_size, HAKMEM_NS);

/* --- creation and destruction ------------------------------------------ */

static void hakmem_cache_free_struct(struct hakmem_cache *s)
{
	int nid;

	for_each_node(nid) {
		if (!s->node[nid])
			continue;
		hakmem_node_release_all(s, s->node[nid]);
		kfree(s->node[nid]);
	}
	free_percpu(s->pcp);
	kfree_const(s->name);
	kfree(s);
}

static bool hakmem_dbg_name_taken(const char *name)
{
	struct hakmem_cache *s;

	lockdep_assert_held(&hakmem_cache_mutex);
	list_for_each_entry(s, &hakmem_caches, list)
		if (!strcmp(s->dbg_name, name))
			return true;
	return false;
}

static int hakmem_stats_show(struct seq_file *m, void *v);
DEFINE_SHOW_ATTRIBUTE(hakmem_stats);

/*
 * Are the hakmem_alloc and hakmem_free events being traced?  Set from
 * their first probe's registration to their last one's removal, under
 * hakmem_cache_mutex, so that no cache is published between a change and
 * its caches' update.
 */
static bool hakmem_event_alloc, hakmem_event_free;

/*
 * @s's fast path bytes: what the cache is, and whether its events are on.
 * The fast paths read them once per call with no lock in common with this
 * write, marked data_race(): a call that reads the old byte while a probe
 * is being registered or removed emits, or skips, the one event its call
 * races with, as a call does that runs while the tracepoint's own key
 * flips; a byte does not tear, and no caller inlines a fast path into a
 * loop for the compiler to hoist the read out of.  (READ_ONCE() would
 * cost each fast path the compare's memory operand: one instruction.)
 */
static void hakmem_cache_set_plain(struct hakmem_cache *s)
{
	lockdep_assert_held(&hakmem_cache_mutex);
	WRITE_ONCE(s->out_plain, s->out_lean && !hakmem_event_alloc);
	WRITE_ONCE(s->free_plain, s->free_lean && !hakmem_event_free);
}

static void hakmem_event_set(bool *event, bool on)
{
	struct hakmem_cache *s;

	mutex_lock(&hakmem_cache_mutex);
	*event = on;
	list_for_each_entry(s, &hakmem_caches, list)
		hakmem_cache_set_plain(s);
	mutex_unlock(&hakmem_cache_mutex);
}

/*
 * The tracepoints' registration functions (TRACE_EVENT_FN()), called with
 * tracepoints_mutex held: before the event's static key is enabled, so
 * that the fast paths hand every allocation and free to the general
 * paths, which make the event, for as long as it is on; and, as the last
 * probe goes, just before the key is disabled (calls in that window may
 * make no event).  Lock order: tracepoints_mutex, then hakmem_cache_mutex.
 */
int hakmem_event_alloc_reg(void)
{
	hakmem_event_set(&hakmem_event_alloc, true);
	return 0;
}

void hakmem_event_alloc_unreg(void)
{
	hakmem_event_set(&hakmem_event_alloc, false);
}

int hakmem_event_free_reg(void)
{
	hakmem_event_set(&hakmem_event_free, true);
	return 0;
}

void hakmem_event_free_unreg(void)
{
	hakmem_event_set(&hakmem_event_free, false);
}

/* Publish a built cache: a unique debugfs name, the list, debugfs. */
static void hakmem_cache_publish(struct hakmem_cache *s)
{
	unsigned int k = 1;

	mutex_lock(&hakmem_cache_mutex);
	hakmem_cache_set_plain(s);
	snprintf(s->dbg_name, sizeof(s->dbg_name), "%s", s->name);
	while (hakmem_dbg_name_taken(s->dbg_name))
		snprintf(s->dbg_name, sizeof(s->dbg_name), "%.*s-%u",
			 (int)sizeof(s->dbg_name) - 12, s->name, ++k);
	list_add_tail(&s->list, &hakmem_caches);
	s->dbg_dir = debugfs_create_dir(s->dbg_name, hakmem_debugfs);
	debugfs_create_file("stats", 0444, s->dbg_dir, s, &hakmem_stats_fops);
	mutex_unlock(&hakmem_cache_mutex);
}

/*
 * Magazine size by stride: about 8 KiB of objects, 16..128 of them, but
 * never over HAKMEM_MAG_MAX_BYTES unless that is under two objects.  So a
 * CPU holds at most max(16 KiB, 2 * stride) of a cache's objects in its
 * magazine (64 KiB at the largest stride, 32 KiB), plus its struct
 * hakmem_cpu_cache (the counters and at most 128 pointers).
 */
static void hakmem_pick_magazine(struct hakmem_cache *s)
{
	unsigned int stride = hakmem_stride(s);
	unsigned int n = max(8192 / stride, 16U);

	n = min3(n, max(HAKMEM_MAG_MAX_BYTES / stride, 2U), 128U);
	s->mag_size = rounddown_pow_of_two(n);
	s->batch = s->mag_size / 2;
}

static const char *hakmem_create_check(unsigned int size, unsigned int align,
				       slab_flags_t flags, void (*ctor)(void *))
{
	if (!size)
		return "size 0";
	if (flags & ~HAKMEM_CACHE_FLAGS)
		return "unsupported flags (see HAKMEM_CACHE_FLAGS)";
	if (align & (align - 1) || align > PAGE_SIZE)
		return "align must be 0 or a power of two up to PAGE_SIZE";
	if ((flags & SLAB_POISON) && (ctor || (flags & SLAB_TYPESAFE_BY_RCU)))
		return "SLAB_POISON would overwrite constructed or RCU-visible objects";
	return NULL;
}

static struct hakmem_cache *__hakmem_cache_create(const char *name,
						  unsigned int size,
						  unsigned int align,
						  slab_flags_t flags,
						  void (*ctor)(void *), bool tiny)
{
	struct hakmem_layout layout;
	struct hakmem_cache *s;
	unsigned int order;
	const char *why;
	int nid, cpu;

	if (!name) {
		pr_warn("hakmem_cache_create: refused: NULL name\n");
		return NULL;
	}
	why = hakmem_create_check(size, align, flags, ctor);
	if (!why && hakmem_layout_init(&layout, size, align, flags, ctor))
		why = "size too large";
	if (!why) {
		order = hakmem_pick_slab_order(layout.stride);
		if (order > HAKMEM_MAX_SLAB_ORDER)
			why = "object too big for a slab (stride over 32 KiB)";
	}
	if (why) {
		pr_warn("cache %s: refused: %s (size %u, align %u, flags %#lx)\n",
			name, why, size, align, (__force unsigned long)flags);
		return NULL;
	}

	s = kzalloc(struct_size(s, node, nr_node_ids), GFP_KERNEL);
	if (!s)
		goto nomem;
	s->layout = layout;
	s->stride_recip = reciprocal_value(layout.stride);
	s->stride_shift = is_power_of_2(layout.stride) ? ilog2(layout.stride) : 0;
	s->flags = flags;
	s->ctor = ctor;
	s->tiny = tiny;
	/*
	 * init_on_alloc and init_on_free are boot options, fixed before any
	 * cache exists: the fast paths read the cache's answer, not the keys.
	 */
	s->zero_gfp = hakmem_want_init_on_alloc(s, 0) ? __GFP_ZERO : 0;
	s->out_lean = !(flags & (SLAB_RED_ZONE | SLAB_POISON)) &&
		      !HAKMEM_KASAN_ON && !IS_ENABLED(CONFIG_KMSAN) &&
		      !IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) &&
		      hakmem_want_init_on_alloc(s, __GFP_ZERO);
	s->free_lean = !(flags & (SLAB_RED_ZONE | SLAB_POISON)) &&
		       !HAKMEM_KASAN_ON && !IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) &&
		       !hakmem_want_init_on_free(s);
	s->slab_order = order;
	s->slab_shift = PAGE_SHIFT + order;
	s->capacity = hakmem_capacity_of(hakmem_slab_bytes(s), layout.stride);
	if (s->stride_shift && s->capacity * layout.stride == hakmem_slab_bytes(s))
		s->align_mask = layout.stride - 1;
	s->map_longs = BITS_TO_LONGS(s->capacity);
	s->ss_order = min(order + HAKMEM_SS_SLABS_SHIFT,
			  HAKMEM_MAX_SLAB_ORDER + HAKMEM_SS_SLABS_SHIFT);
	hakmem_pick_magazine(s);
	INIT_LIST_HEAD(&s->list);
	s->name = kstrdup_const(name, GFP_KERNEL);
	s->pcp = __alloc_percpu(sizeof(struct hakmem_cpu_cache) +
				(s->mag_size + HAKMEM_KASAN_QUARANTINE) * sizeof(void *),
				__alignof__(struct hakmem_cpu_cache));
	if (!s->name || !s->pcp)
		goto free;
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(s->pcp, cpu)->lock);
	for_each_node(nid) {
		s->node[nid] = kzalloc_node(sizeof(*s->node[nid]), GFP_KERNEL,
					    node_state(nid, N_NORMAL_MEMORY) ?
					    nid : NUMA_NO_NODE);
		if (!s->node[nid])
			goto free;
		hakmem_node_init(s->node[nid], nid);
	}
	hakmem_cache_publish(s);
	return s;

free:
	hakmem_cache_free_struct(s);
nomem:
	pr_warn("cache %s: refused: out of memory for its metadata\n", name);
	return NULL;
}

/**
 * hakmem_cache_create - create a cache of objects of one size
 * @name: name for debugfs and messages; copied; may be shared by caches
 * @size: object size in bytes
 * @align: required alignment: 0 or a power of two up to PAGE_SIZE; objects
 *         are always at least 8-byte aligned
 * @flags: SLAB_HWCACHE_ALIGN, SLAB_POISON, SLAB_RED_ZONE,
 *         SLAB_TYPESAFE_BY_RCU; any other flag is refused
 * @ctor: constructor or NULL; runs once per object per SuperSlab, when the
 *        object first leaves its slab, in the allocating context (perhaps
 *        with interrupts disabled: it must not sleep), never under the
 *        node lock; a free object's memory is never written by hakmem
 *
 * Context: process context; may sleep.
 * Return: the cache, or NULL with a warning naming the cache and the reason.
 */
struct hakmem_cache *hakmem_cache_create(const char *name, unsigned int size,
					 unsigned int align, slab_flags_t flags,
					 void (*ctor)(void *))
{
	return __hakmem_cache_create(name, size, align, flags, ctor, false);
}
EXPORT_SYMBOL_NS_GPL(hakmem_cache_create, HAKMEM_NS);

/*
 * Objects still out after draining: report them.  Called with the hotplug
 * lock held since the drain: no CPU went down meanwhile, so none holds
 * objects in a magazine that hakmem_cpu_dead() has yet to give back.
 */
static unsigned long hakmem_cache_live(struct hakmem_cache *s)
{
	unsigned long live = hakmem_nodes_sum(s, nr_inuse);
	int nid;

	if (!live)
		return 0;
	pr_err("cache %s: destroyed with %lu objects still allocated; the cache is kept. First of them:\n",
	       s->dbg_name, live);
	for_each_node(nid)
		hakmem_node_report_live(s, s->node[nid], HAKMEM_REPORT_MAX);
	return live;
}

/**
 * hakmem_cache_destroy - destroy a cache
 * @cache: the cache, or NULL
 *
 * If objects are still allocated, they are reported with pr_err and the
 * cache is kept (never freed): memory still in use is never given back.
 *
 * Context: process context; may sleep.  Takes the CPU hotplug lock: not
 * from a CPU hotplug callback.
 */
void hakmem_cache_destroy(struct hakmem_cache *cache)
{
	if (!cache)
		return;
	if (cache->tiny) {
		pr_warn("cache %s: refused: a tiny class of hakmem_alloc()\n",
			cache->dbg_name);
		return;
	}
	/*
	 * The hotplug lock from the drain to the live check: a CPU going down
	 * meanwhile would hold objects that its magazine still counts as out
	 * until hakmem_cpu_dead(), which waits for the mutex.
	 */
	cpus_read_lock();
	mutex_lock(&hakmem_cache_mutex);
	if (cache->leaked) {
		pr_err("cache %s: destroyed again\n", cache->dbg_name);
		goto out;
	}
	hakmem_drain_all_cpuslocked(cache);
	if (hakmem_cache_live(cache)) {
		cache->leaked = true;
		goto out;
	}
	if (hakmem_reclaim_next == cache)
		hakmem_reclaim_next = NULL;
	list_del(&cache->list);
	debugfs_remove_recursive(cache->dbg_dir);
	mutex_unlock(&hakmem_cache_mutex);
	cpus_read_unlock();
	hakmem_cache_free_struct(cache);
	return;
out:
	mutex_unlock(&hakmem_cache_mutex);
	cpus_read_unlock();
}
EXPORT_SYMBOL_NS_GPL(hakmem_cache_destroy, HAKMEM_NS);

/* --- the tiny classes: kmalloc-like ------------------------------------ */

/*
 * The smallest class holding @size bytes (0: the first class) that is a
 * multiple of ARCH_KMALLOC_MINALIGN; the largest class is one.
 */
static unsigned int __init hakmem_tiny_class_of(unsigned int size)
{
	unsigned int i = 0;

	size = ALIGN(size, ARCH_KMALLOC_MINALIGN);
	while (hakmem_tiny_sizes[i] < size ||
	       !IS_ALIGNED(hakmem_tiny_sizes[i], ARCH_KMALLOC_MINALIGN))
		i++;
	return i;
}

static void __init hakmem_tiny_lookup_init(void)
{
	unsigned int g;

	BUILD_BUG_ON(!IS_ALIGNED(HAKMEM_MAX_TINY_SIZE, ARCH_KMALLOC_MINALIGN));
	for (g = 0; g < ARRAY_SIZE(hakmem_tiny_lookup); g++)
		hakmem_tiny_lookup[g] = hakmem_tiny[hakmem_tiny_class_of(g * 8 + 8)];
}

/**
 * hakmem_tiny_cache() - the tiny class serving a size
 * @size: 1 to HAKMEM_MAX_TINY_SIZE
 *
 * Return: the class's cache.
 */
struct hakmem_cache *hakmem_tiny_cache(size_t size)
{
	return hakmem_tiny_lookup[HAKMEM_TINY_GRANULE(size)];
}
EXPORT_SYMBOL_NS_GPL(hakmem_tiny_cache, HAKMEM_INTERNAL_NS);

/*
 * What the tiny classes do not serve: size 0; sizes above them and the
 * gfp flags only kmalloc() honours go to kmalloc(); HAKMEM_GFP_INVALID is
 * refused.
 */
static noinline void *hakmem_alloc_other(size_t size, gfp_t gfp, int node)
{
	if (!size)
		return ZERO_SIZE_PTR;
	if (unlikely(gfp & HAKMEM_GFP_INVALID))
		return hakmem_gfp_refused(size <= HAKMEM_MAX_TINY_SIZE ?
					  hakmem_tiny_cache(size)->dbg_name : "hakmem_alloc",
					  gfp, HAKMEM_GFP_INVALID);
	return kmalloc_node(size, gfp, node);
}

/* A tiny class for @size; under KASAN, bytes past @size are off limits. */
static __always_inline void *hakmem_tiny_alloc(size_t size, gfp_t gfp, int node)
{
	struct hakmem_cache *s = hakmem_tiny_lookup[HAKMEM_TINY_GRANULE(size)];
	void *obj = __hakmem_cache_alloc(s, gfp, node);

	if (HAKMEM_KASAN_ON && obj)
		hakmem_kasan_trim(obj, size, s->layout.object_size);
	return obj;
}

/* Both kmalloc-like entry points the general way: every case, the event. */
static noinline void *hakmem_alloc_slow(size_t size, gfp_t gfp, int node,
					unsigned long ip)
{
	void *obj;

	/* One test for size 0 and sizes above the tiny classes. */
	if (unlikely(size - 1 >= HAKMEM_MAX_TINY_SIZE || (gfp & HAKMEM_GFP_REFUSED)))
		obj = hakmem_alloc_other(size, gfp, node);
	else
		obj = hakmem_tiny_alloc(size, gfp, node);
	__hakmem_trace_alloc(ip, obj, NULL, size, gfp, node);
	return obj;
}

/*
 * Both kmalloc-like entry points: a tiny class's magazine pop, as
 * hakmem_cache_alloc_api(), when the size is a tiny class's and nothing
 * else asks for the general path (a node, a flag for kmalloc(), KASAN's
 * trimming).
 */
static __always_inline void *hakmem_alloc_api(size_t size, gfp_t gfp, int node)
{
	struct hakmem_cache *s;
	void *obj;

	if (likely(!HAKMEM_KASAN_ON && node == NUMA_NO_NODE &&
		   size - 1 < HAKMEM_MAX_TINY_SIZE && !(gfp & HAKMEM_GFP_REFUSED))) {
		s = hakmem_tiny_lookup[HAKMEM_TINY_GRANULE(size)];
		if (likely(hakmem_mag_pop(s, gfp, &obj)))
			return hakmem_obj_out_fast(s, obj, gfp, NULL, size, _RET_IP_);
	}
	return hakmem_alloc_slow(size, gfp, node, _RET_IP_);
}

/**
 * hakmem_alloc_node - allocate memory on a node, like kmalloc_node()
 * @size: bytes wanted
 * @gfp: allocation flags
 * @node: the node, or NUMA_NO_NODE
 *
 * Sizes up to HAKMEM_MAX_TINY_SIZE come from the smallest tiny class that
 * holds them (never larger than kmalloc()'s; aligned as kmalloc() aligns:
 * to ARCH_KMALLOC_MINALIGN, and power-of-two sizes naturally), larger ones
 * from kmalloc_node(), and
 * so do calls with __GFP_ACCOUNT or GFP_DMA, which kmalloc() honours (memcg
 * charge, ZONE_DMA).  GFP_DMA32 and __GFP_HIGHMEM, which kmalloc() strips
 * with a warning, are refused with a warning.  hakmem_free() and
 * hakmem_ksize() take every pointer returned.
 *
 * Context: as hakmem_cache_alloc().
 * Return: memory, ZERO_SIZE_PTR for a size of 0, or NULL.
 */
void *hakmem_alloc_node(size_t size, gfp_t gfp, int node)
{
	return hakmem_alloc_api(size, gfp, node);
}
EXPORT_SYMBOL_NS_GPL(hakmem_alloc_node, HAKMEM_NS);

/**
 * hakmem_alloc - allocate memory, like kmalloc()
 * @size: bytes wanted
 * @gfp: allocation flags, as for hakmem_alloc_node()
 *
 * Context: as hakmem_cache_alloc().
 * Return: memory, ZERO_SIZE_PTR for a size of 0, or NULL.
 */
void *hakmem_alloc(size_t size, gfp_t gfp)
{
	return hakmem_alloc_api(size, gfp, NUMA_NO_NODE);
}
EXPORT_SYMBOL_NS_GPL(hakmem_alloc, HAKMEM_NS);

/* hakmem_free() the general way: the event, the lookup, every case. */
static noinline void hakmem_free_slow(const void *obj, unsigned long ip)
{
	struct hakmem_superslab *ss;
	struct hakmem_cache *s;
	unsigned long flags;

	if (unlikely(ZERO_OR_NULL_PTR(obj))) {
		__hakmem_trace_free(ip, obj, NULL);
		return;
	}
	/*
	 * The read side keeps @ss valid until the local lock (itself a read
	 * side) is held.  Not preempt_disable(): on PREEMPT_RT the local lock
	 * and the node lock are sleeping locks, and rcu_read_lock() stays
	 * preemptible there.
	 */
	rcu_read_lock();
	ss = hakmem_obj_to_ss_hinted(obj);
	if (likely(ss)) {
		s = ss->cache;
		__hakmem_trace_free(ip, obj, s);
		local_lock_irqsave(&s->pcp->lock, flags);
		hakmem_free_one(s, ss, (void *)obj);
		local_unlock_irqrestore(&s->pcp->lock, flags);
	}
	rcu_read_unlock();
	if (unlikely(!ss)) {
		__hakmem_trace_free(ip, obj, NULL);
		kfree(obj);
	}
}

/*
 * hakmem_free() when this CPU's hint has no answer, in its IRQ-off section
 * (@flags to restore): the lookup through struct page (which remembers the
 * answer), then the fast path.  Random frees over more SuperSlab pages
 * than there are hint slots miss often (Larson: 78 % of its frees); the
 * general path would add the RCU read side, the event check and
 * hakmem_free_one()'s every case to each.  A tail call of hakmem_free(),
 * so that its fast path stays a leaf: no callee-saved register there.  Its
 * last lines are hakmem_free()'s: folded into one inline helper, GCC
 * computes the IRQ flag's test early, two instructions more per free.
 */
static noinline void hakmem_free_lookup(const void *obj, unsigned long flags,
					unsigned long ip)
{
	struct hakmem_superslab *ss;
	struct hakmem_cache *s;

	ss = hakmem_obj_to_ss_remember(obj);
	if (unlikely(!ss)) {
		local_irq_restore(flags);
		__hakmem_trace_free(ip, obj, NULL);
		kfree(obj);
		return;
	}
	s = ss->cache;
	hakmem_local_lock_irqs_off(&s->pcp->lock);
	if (likely(hakmem_free_fast(s, ss, (void *)obj))) {
		hakmem_local_unlock_irqs_off(&s->pcp->lock);
		local_irq_restore(flags);
		return;
	}
	hakmem_local_unlock_irqs_off(&s->pcp->lock);
	local_irq_restore(flags);
	hakmem_free_slow(obj, ip);
}

/**
 * hakmem_free - free memory from hakmem_alloc(), like kfree()
 * @obj: the memory; NULL and ZERO_SIZE_PTR are ignored
 *
 * The class comes from the SuperSlab's metadata, never from a header in
 * front of the object.  Memory hakmem did not allocate goes to kfree().
 *
 * Context: any.
 */
void hakmem_free(const void *obj)
{
	struct hakmem_superslab *ss;
	struct hakmem_cache *s;
	unsigned long flags;

	/*
	 * The fast path's section: IRQs off, then the class's local lock.
	 * IRQs off is the RCU read side that keeps @ss valid from the hint
	 * to the lock; on PREEMPT_RT the local lock sleeps, and cannot be
	 * taken with IRQs off, so there everything takes the general path.
	 */
	if (IS_ENABLED(CONFIG_PREEMPT_RT) || unlikely(ZERO_OR_NULL_PTR(obj)))
		goto slow;
	local_irq_save(flags);
	ss = hakmem_ss_hint(obj);
	if (unlikely(!ss)) {
		hakmem_free_lookup(obj, flags, _RET_IP_);
		return;
	}
	s = ss->cache;
	hakmem_local_lock_irqs_off(&s->pcp->lock);
	if (likely(hakmem_free_fast(s, ss, (void *)obj))) {
		hakmem_local_unlock_irqs_off(&s->pcp->lock);
		local_irq_restore(flags);
		return;
	}
	hakmem_local_unlock_irqs_off(&s->pcp->lock);
	local_irq_restore(flags);
slow:
	hakmem_free_slow(obj, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(hakmem_free, HAKMEM_NS);

/**
 * hakmem_ksize - usable size of memory from hakmem_alloc()
 * @obj: the memory
 *
 * Return: the size of its tiny class (or of its cache's objects), ksize()
 * for memory that came from kmalloc(), 0 for NULL or ZERO_SIZE_PTR.
 */
size_t hakmem_ksize(const void *obj)
{
	struct hakmem_superslab *ss;
	size_t size = 0;

	if (unlikely(ZERO_OR_NULL_PTR(obj)))
		return 0;
	rcu_read_lock();
	ss = hakmem_obj_to_ss(obj);
	if (ss)
		size = ss->cache->layout.object_size;
	rcu_read_unlock();
	if (!ss)
		return ksize(obj);
	/* As ksize(): all of what it returns is the caller's to use. */
	hakmem_kasan_unpoison(obj, size);
	return size;
}
EXPORT_SYMBOL_NS_GPL(hakmem_ksize, HAKMEM_NS);

/* --- debugfs ------------------------------------------------------------ */

static unsigned long hakmem_pcp_objects(struct hakmem_cache *s)
{
	unsigned long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(s->pcp, cpu)->count);
	return n;
}

static int hakmem_stats_show(struct seq_file *m, void *v)
{
	struct hakmem_cache *s = m->private;
	const struct hakmem_layout *l = &s->layout;
	unsigned long flags;
	int i, nid;

	seq_printf(m, "name %s\nobject_size %u\nstride %u\nalign %u\n",
		   s->name, l->object_size, l->stride, l->align);
	seq_printf(m, "red_zone %u+%u\nfree_pointer %u\nkasan_red_zone %u\nflags %#lx\nctor %s\n",
		   l->red_offset, l->red_len, l->fp_offset, l->kasan_len,
		   (__force unsigned long)s->flags, s->ctor ? "yes" : "no");
	seq_printf(m, "slab_order %u\nobjects_per_slab %u\nsuperslab_order %u\n",
		   s->slab_order, s->capacity, s->ss_order);
	seq_printf(m, "magazine %u\nbatch %u\ncached_objects %lu\n",
		   s->mag_size, s->batch, hakmem_pcp_objects(s));
	for (i = 0; i < HAKMEM_NR_STAT_ITEMS; i++)
		seq_printf(m, "%s %lu\n", hakmem_stat_names[i], hakmem_stat_sum(s, i));
	for_each_node(nid) {
		struct hakmem_node *n = s->node[nid];

		spin_lock_irqsave(&n->lock, flags);
		seq_printf(m, "node%d superslabs %lu unused %lu pages %lu slabs %lu free %lu partial %lu empty %lu inuse %lu\n",
			   nid, n->nr_ss, n->nr_ss_unused, n->nr_pages, n->nr_slabs,
			   n->nr_free_slabs, n->nr_partial, n->nr_empty, n->nr_inuse);
		spin_unlock_irqrestore(&n->lock, flags);
	}
	return 0;
}

/* /sys/kernel/debug/hakmem/slabinfo, in /proc/slabinfo's version 2.1. */
static int hakmem_slabinfo_show(struct seq_file *m, void *v)
{
	struct hakmem_cache *s;
	unsigned long flags;
	int nid;

	seq_puts(m, "slabinfo - version: 2.1\n");
	seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	mutex_lock(&hakmem_cache_mutex);
	list_for_each_entry(s, &hakmem_caches, list) {
		unsigned long inuse = 0, slabs = 0, active = 0;

		for_each_node(nid) {
			struct hakmem_node *n = s->node[nid];

			spin_lock_irqsave(&n->lock, flags);
			inuse += n->nr_inuse;
			slabs += n->nr_slabs;
			active += n->nr_slabs - n->nr_free_slabs;
			spin_unlock_irqrestore(&n->lock, flags);
		}
		inuse -= min(inuse, hakmem_pcp_objects(s));
		seq_printf(m, "%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu %6u\n",
			   s->dbg_name, inuse, slabs * s->capacity,
			   hakmem_stride(s), s->capacity, 1U << s->slab_order,
			   s->mag_size, s->batch, 0, active, slabs, 0);
	}
	mutex_unlock(&hakmem_cache_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hakmem_slabinfo);

/* --- memory pressure ------------------------------------------------------ */

static struct shrinker *hakmem_shrinker;

/*
 * Memory reclaim could take back: cached objects and idle slabs, in pages;
 * a cache's cached objects count at least one, as a scan charges them
 * (however few, they may pin a whole SuperSlab).
 */
static unsigned long hakmem_shrink_count(struct shrinker *shrink,
					 struct shrink_control *sc)
{
	unsigned long pages = 0;
	struct hakmem_cache *s;

	/* A hint for reclaim: a busy list means later. */
	if (!mutex_trylock(&hakmem_cache_mutex))
		return 0;
	list_for_each_entry(s, &hakmem_caches, list) {
		unsigned long objs = hakmem_pcp_objects(s);

		objs += hakmem_nodes_sum(s, nr_empty) * s->capacity;
		pages += hakmem_nodes_sum(s, nr_pages_unused);
		pages += DIV_ROUND_UP(objs * hakmem_stride(s), PAGE_SIZE);
	}
	mutex_unlock(&hakmem_cache_mutex);
	return pages ? pages : SHRINK_EMPTY;
}

static unsigned long hakmem_cache_pages(struct hakmem_cache *s)
{
	return hakmem_nodes_sum(s, nr_pages);
}

static void hakmem_cache_shrink_nodes(struct hakmem_cache *s)
{
	int nid;

	for_each_node(nid)
		hakmem_node_shrink(s, s->node[nid]);
}

/*
 * Reclaim from one cache, for about @budget pages: its idle slabs and
 * SuperSlabs first, then, if that gave less and @drain allows, its
 * magazines, each charged at the pages of objects it holds (at least one).
 * Adds the pages given back to *@freed.  Return: the budget used.
 */
static unsigned long hakmem_cache_reclaim(struct hakmem_cache *s, unsigned long budget,
					  bool drain, unsigned long *freed)
{
	unsigned long before = hakmem_cache_pages(s), after, used, charged;

	hakmem_cache_shrink_nodes(s);
	after = hakmem_cache_pages(s);
	used = before > after ? before - after : 0;
	if (drain && used < budget) {
		charged = __hakmem_drain(s, budget - used);
		if (charged) {
			hakmem_cache_shrink_nodes(s);
			after = hakmem_cache_pages(s);
			used += charged;
		}
	}
	*freed += before > after ? before - after : 0;
	return used;
}

/*
 * Reclaim asks for sc->nr_to_scan pages: give back idle memory and drain
 * magazines, cache after cache, until that much is done.  A scan costs in
 * proportion to what it is asked for: at most nr_to_scan magazines
 * drained (work items), none if idle memory suffices.  Successive scans
 * start where the last one stopped.  Trylocks only: reclaim may run under
 * an allocation made with hakmem_cache_mutex held, or by a CPU hotplug
 * that holds its lock for write.
 */
static unsigned long hakmem_shrink_scan(struct shrinker *shrink,
					struct shrink_control *sc)
{
	unsigned long budget = sc->nr_to_scan, used = 0, freed = 0;
	struct hakmem_cache *s, *first;
	bool drain;

	if (!cpus_read_trylock())
		return SHRINK_STOP;
	if (!mutex_trylock(&hakmem_cache_mutex)) {
		cpus_read_unlock();
		return SHRINK_STOP;
	}
	/* Busy draining elsewhere: give back only idle memory this time. */
	drain = mutex_trylock(&hakmem_drain_mutex);
	s = hakmem_reclaim_next;
	if (!s)
		s = list_first_entry_or_null(&hakmem_caches, struct hakmem_cache, list);
	first = s;
	while (s && used < budget) {
		used += hakmem_cache_reclaim(s, budget - used, drain, &freed);
		s = list_is_last(&s->list, &hakmem_caches) ?
		    list_first_entry(&hakmem_caches, struct hakmem_cache, list) :
		    list_next_entry(s, list);
		if (s == first)
			break;
	}
	hakmem_reclaim_next = s;
	if (drain)
		mutex_unlock(&hakmem_drain_mutex);
	mutex_unlock(&hakmem_cache_mutex);
	cpus_read_unlock();
	return freed || used ? freed : SHRINK_STOP;
}

/**
 * hakmem_shrinker_get() - the shrinker hakmem registered, for tests
 *
 * Return: the shrinker, or NULL if it could not be registered.
 */
struct shrinker *hakmem_shrinker_get(void)
{
	return hakmem_shrinker;
}
EXPORT_SYMBOL_NS_GPL(hakmem_shrinker_get, HAKMEM_INTERNAL_NS);

/* --- CPU hotplug ---------------------------------------------------------- */

/* A CPU went down: give its magazines back to the slabs. */
static int hakmem_cpu_dead(unsigned int cpu)
{
	struct hakmem_cache *s;

	mutex_lock(&hakmem_cache_mutex);
	list_for_each_entry(s, &hakmem_caches, list)
		hakmem_drain_dead(s, cpu);
	mutex_unlock(&hakmem_cache_mutex);
	return 0;
}

/* --- module ------------------------------------------------------------- */

/* Under the hotplug lock and the cache mutex. */
static void hakmem_destroy_all(void)
{
	struct hakmem_cache *s, *tmp;

	hakmem_reclaim_next = NULL;
	list_for_each_entry_safe(s, tmp, &hakmem_caches, list) {
		list_del(&s->list);
		hakmem_drain_all_cpuslocked(s);
		if (s->leaked)
			pr_warn("cache %s: freeing a leaked cache at unload\n", s->dbg_name);
		hakmem_cache_free_struct(s);
	}
}

static int __init hakmem_init(void)
{
	unsigned int i;
	int ret;

	hakmem_ss_registry_init();
	hakmem_drain_wq = alloc_workqueue("hakmem_drain", WQ_MEM_RECLAIM, 0);
	if (!hakmem_drain_wq) {
		hakmem_ss_registry_exit();
		return -ENOMEM;
	}
	hakmem_debugfs = debugfs_create_dir("hakmem", NULL);
	debugfs_create_file("slabinfo", 0444, hakmem_debugfs, NULL,
			    &hakmem_slabinfo_fops);
	hakmem_fault_debugfs(hakmem_debugfs);

	for (i = 0; i < ARRAY_SIZE(hakmem_tiny); i++) {
		unsigned int size = hakmem_tiny_sizes[i];
		char name[16];

		/* Aligned to its largest power-of-two divisor: 64 to 64, 96 to 32. */
		snprintf(name, sizeof(name), "hakmem-%u", size);
		hakmem_tiny[i] = __hakmem_cache_create(name, size, size & -size, 0, NULL, true);
		if (!hakmem_tiny[i]) {
			ret = -ENOMEM;
			goto fail;
		}
	}
	hakmem_tiny_lookup_init();
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "mm/hakmem:dead",
					NULL, hakmem_cpu_dead);
	if (ret < 0)
		goto fail;
	hakmem_cpuhp_state = ret;
	/* Without a shrinker hakmem still works; it only holds on longer. */
	hakmem_shrinker = hakmem_shrinker_create(hakmem_shrink_count,
						 hakmem_shrink_scan);
	if (!hakmem_shrinker)
		pr_warn("no shrinker: memory goes back only on hakmem_cache_shrink()\n");

	pr_info("ready: tiny classes 8..%u bytes, %u node(s), %u CPU(s)\n",
		HAKMEM_MAX_TINY_SIZE, num_online_nodes(), num_online_cpus());
	if (selftest)
		hakmem_selftest();
	hakmem_stress_at_load();
	return 0;

fail:
	cpus_read_lock();
	mutex_lock(&hakmem_cache_mutex);
	hakmem_destroy_all();
	mutex_unlock(&hakmem_cache_mutex);
	cpus_read_unlock();
	debugfs_remove_recursive(hakmem_debugfs);
	destroy_workqueue(hakmem_drain_wq);
	/* As at exit: no RCU callback of ours may outlive the module. */
	rcu_barrier();
	hakmem_ss_registry_exit();
	return ret;
}

static void __exit hakmem_exit(void)
{
	if (hakmem_shrinker)
		hakmem_shrinker_destroy(hakmem_shrinker);
	cpuhp_remove_state_nocalls(hakmem_cpuhp_state);
	debugfs_remove_recursive(hakmem_debugfs);
	cpus_read_lock();
	mutex_lock(&hakmem_cache_mutex);
	hakmem_destroy_all();
	mutex_unlock(&hakmem_cache_mutex);
	cpus_read_unlock();
	destroy_workqueue(hakmem_drain_wq);
	/* SuperSlab metadata and RCU-typesafe pages wait in RCU callbacks. */
	rcu_barrier();
	hakmem_ss_registry_exit();
}

module_init(hakmem_init);
module_exit(hakmem_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hakmem-slab: SuperSlab / tiny-class object allocator");
