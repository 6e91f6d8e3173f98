/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab internals shared by hakmem_slab.c (caches, per-CPU front,
 * tiny classes, debugfs) and hakmem_superslab.c (SuperSlabs, slabs, the
 * per-node heads).  Not an API: the KUnit suites include it to look inside.
 *
 * Layout of one cache:
 *
 *   hakmem_cache
 *     pcp            per-CPU magazine of free object pointers
 *     node[nid]      per-node head: lists of slabs and SuperSlabs
 *       SuperSlab    up to 2^ss_order pages from alloc_pages_node() (a
 *                    node's first ones smaller: hakmem_ss_grow_order()),
 *                    cut into nr_slabs slabs of 2^slab_order pages; its
 *                    metadata (struct hakmem_superslab) is kmalloc'ed beside
 *                    it, never inside the object area
 *         slab       capacity objects of one stride each
 *
 * Slab states (enum hakmem_slab_state), each transition asserted:
 *
 *            init (once per trip)       last object out
 *   FREE ---------------------> PARTIAL ---------------> FULL
 *    ^                           |   ^ <----------------  |
 *    |                           |   |  an object back    |
 *    | release                   v   | reuse, no re-init  |
 *    +------------------------ EMPTY <--------------------+ (capacity 1)
 *
 * FREE slabs sit on their SuperSlab's free list, uninitialised; PARTIAL and
 * EMPTY slabs on the node's lists; FULL slabs on no list.  A SuperSlab
 * whose slabs are all FREE goes back to the page allocator, except for a
 * reserve of one per node (none after hakmem_cache_shrink()).
 */
#ifndef _HAKMEM_INTERNAL_H
#define _HAKMEM_INTERNAL_H

#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/reciprocal_div.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "hakmem_kasan.h"
#include "hakmem_slab.h"

/*
 * The build targets hakmem supports, as Kconfig says (depends on 64BIT &&
 * MMU && PAGE_SIZE_LESS_THAN_64KB); an out-of-tree build reads it here.
 * 64-bit: page->private holds magic << 32 | id, and a free word four
 * 16-bit lanes.  Pages under 64 KiB: a slab of up to 8 pages counts and
 * links its 8-byte objects in 16 bits.
 */
#if BITS_PER_LONG != 64
#error "hakmem needs a 64-bit kernel: page->private holds magic << 32 | id"
#endif
#if PAGE_SHIFT > 15
#error "hakmem needs pages under 64 KiB: a slab counts its objects in 16 bits"
#endif

/*
 * Slabs are at most order 3 (32 KiB): PAGE_ALLOC_COSTLY_ORDER, the largest
 * order the page allocator tries hard for.  An object whose stride does not
 * fit such a slab is refused by hakmem_cache_create().
 */
#define HAKMEM_MAX_SLAB_ORDER	3
/*
 * A SuperSlab of full size holds 8 slabs: a 64-byte cache then grows 32 KiB
 * at a time, amortising the expansion lock over 512 objects while one spare
 * SuperSlab per node stays small.  A node's first ones hold 1, 1, 1, 1,
 * 2, 2, 4 and 4 slabs (hakmem_ss_grow_order()).
 */
#define HAKMEM_SS_SLABS_SHIFT	3
/* Per node, this many EMPTY slabs stay initialised before one is released. */
#define HAKMEM_EMPTY_KEEP	4
/*
 * A node that had no free page for a SuperSlab is left alone this long:
 * refills take other nodes' free objects first instead of asking the page
 * allocator again.  An exhausted node then costs one failed page
 * allocation per 100 ms and cache, not one per refill, and memory freed
 * on it is used again within 100 ms.
 */
#define HAKMEM_NO_PAGES_MS	100
/* Magic in the high half of page->private of a SuperSlab's head page. */
#define HAKMEM_SS_MAGIC		0x4a4bU
/* The SuperSlab registry: a directory of pages of pointers, indexed by id. */
#define HAKMEM_SS_PER_CHUNK	(PAGE_SIZE / sizeof(void *))
#define HAKMEM_SS_DIR_SIZE	4096
#define HAKMEM_SS_MAX_ID	(HAKMEM_SS_DIR_SIZE * HAKMEM_SS_PER_CHUNK)

/*
 * Per CPU, the SuperSlabs of the last frees, one per page-aligned address
 * slot: a free into a page a recent free went to skips the page lookup.
 * 128 slots (1 KiB per CPU) cover 512 KiB of pages, a working set of
 * that many single-page SuperSlabs: a node's first SuperSlabs are one
 * slab, so the many small caches of a real workload hold many of them.
 * In the trace replay's cache face (304 caches), eight 32 KiB slots sent
 * about 47 % of the frees to the lookup, these about 7 %.  More slots
 * gain little there, and a module's static per-CPU data comes out of an
 * 8 KiB reserve.
 */
#define HAKMEM_SS_HINTS		128
#define HAKMEM_SS_HINT_SHIFT	PAGE_SHIFT

/* A free word's link, 16 bits: see hakmem_free_word(). */
#define HAKMEM_FP_IDX_MASK	0xffffUL
#define HAKMEM_FP_END		0xffffU
/* The link goes into each of the free word's three low 16-bit lanes. */
#define HAKMEM_FP_LANES		0x0000000100010001UL

/* Debug byte patterns, the slab allocator's own (linux/poison.h). */
#define HAKMEM_RED_ACTIVE	0xcc	/* red zone of an allocated object */
#define HAKMEM_RED_INACTIVE	0xbb	/* red zone of a free object */

enum hakmem_slab_state {
	HAKMEM_SLAB_FREE,	/* in its SuperSlab's free pool, uninitialised */
	HAKMEM_SLAB_PARTIAL,	/* initialised, some objects out, some free */
	HAKMEM_SLAB_FULL,	/* initialised, every object out */
	HAKMEM_SLAB_EMPTY,	/* initialised, no object out */
	HAKMEM_NR_SLAB_STATES
};

/* Statistics, per CPU; debugfs sums them. */
enum hakmem_stat_item {
	HAKMEM_ALLOC_HIT,	/* allocation served by the per-CPU cache */
	HAKMEM_ALLOC_MISS,	/* allocation that went to the node */
	HAKMEM_FREE_HIT,	/* free kept in the per-CPU cache */
	HAKMEM_FREE_MISS,	/* free that went to the slab (remote node, bypass) */
	HAKMEM_REFILL,		/* batch moved from slabs to a per-CPU cache */
	HAKMEM_FLUSH,		/* batch moved from a per-CPU cache to slabs */
	HAKMEM_SLAB_INIT,	/* slab initialised (left the free pool) */
	HAKMEM_SLAB_RELEASE,	/* slab returned to its SuperSlab's free pool */
	HAKMEM_SS_ALLOC,	/* SuperSlab taken from the page allocator */
	HAKMEM_SS_FALLBACK,	/* ... of a smaller order than preferred */
	HAKMEM_SS_FREE,		/* SuperSlab given back to the page allocator */
	HAKMEM_EXPAND,		/* node head grown by a SuperSlab */
	HAKMEM_EXPAND_RACE,	/* a racing expansion won, ours freed */
	HAKMEM_EXPAND_FAIL,	/* no pages for a SuperSlab */
	HAKMEM_INVALID_FREE,	/* free of a pointer not an object of the cache */
	HAKMEM_DOUBLE_FREE,	/* free of an object already free */
	HAKMEM_CORRUPTION,	/* red zone or poison found damaged */
	HAKMEM_REFILL_REMOTE,	/* batch taken from another node's slabs */
	HAKMEM_NR_STAT_ITEMS
};

/**
 * struct hakmem_layout - where each byte of an object's stride goes
 * @object_size: the size the user asked for
 * @red_offset: start of the right red zone (SLAB_RED_ZONE), else 0
 * @red_len: bytes in the red zone, else 0
 * @fp_offset: offset of the free-pointer word
 * @kasan_len: bytes of red zone added under KASAN after all of the above
 *             (0 without KASAN)
 * @stride: distance between two objects: every byte above, aligned
 * @align: alignment of every object
 *
 * The one definition of an object's footprint.  Capacity, carving, refill,
 * free-time validation and every debug check use these numbers and nothing
 * else (the seed wrote a class header it did not count in its stride).
 */
struct hakmem_layout {
	unsigned int object_size;
	unsigned int red_offset;
	unsigned int red_len;
	unsigned int fp_offset;
	unsigned int kasan_len;
	unsigned int stride;
	unsigned int align;
};

/**
 * struct hakmem_slab - one slab of a SuperSlab
 * @list: on the node's partial or empty list, or the SuperSlab's free list
 * @free_head: index of the first object returned to this slab, or
 *             HAKMEM_FP_END; each free object's free word names the next
 * @inuse: objects out of this slab (in per-CPU caches or with users)
 * @carved: objects handed out at least once since the slab's init; objects
 *          from @carved up to the capacity have never left the slab
 * @inits: how many times the slab was initialised, modulo 2^16 (tests)
 * @made: objects below this index were made (debug bytes, constructor) in
 *        this SuperSlab's life; the carve path makes the others
 * @state: enum hakmem_slab_state
 * @quarantined: its free list was found damaged; it never hands out again
 * @idx: its index in its SuperSlab
 *
 * 32 bytes: with eight of them, a SuperSlab's metadata fits kmalloc-512,
 * and finding a slab from an offset is a shift.  A slab's capacity is at
 * most 32 KiB / 8 bytes, so 16 bits count and index it.
 */
struct hakmem_slab {
	struct list_head list;
	u16 free_head;
	u16 inuse;
	u16 carved;
	u16 inits;
	u16 made;
	u8 state:3;
	u8 quarantined:1;
	u8 idx;
};

static_assert((1 << HAKMEM_SS_SLABS_SHIFT) <= 256, "slab index is a u8");
static_assert(!(sizeof(struct hakmem_slab) & (sizeof(struct hakmem_slab) - 1)),
	      "indexing slabs is a shift");
static_assert((PAGE_SIZE << HAKMEM_MAX_SLAB_ORDER) / sizeof(void *) < HAKMEM_FP_END,
	      "slab counts and indexes are u16, HAKMEM_FP_END excluded");

/**
 * struct hakmem_superslab - metadata of one SuperSlab
 * @base: address of the first page
 * @size: bytes in it, PAGE_SIZE << @order: the hint's range check, one
 *        load where the shift of @order took four instructions
 * @cache: owning cache
 * @made_end: every object below this address carries a free tag or is
 *            out; none above it ever left (the free path refuses them)
 * @fp_key: the free words' secret with the top lane of @base folded in:
 *          hakmem_fp_addr() of an object of this SuperSlab at no cost
 * @list: on the node's list of SuperSlabs
 * @avail: on the node's list of SuperSlabs with FREE slabs
 * @free_slabs: FREE slabs of this SuperSlab
 * @rcu: delays freeing of this struct (and of the pages for
 *       SLAB_TYPESAFE_BY_RCU caches) past readers
 * @id: index in the SuperSlab registry, also in page->private and hints
 * @nid: node of the pages
 * @order: page order of the whole SuperSlab
 * @pages_deferred: its pages wait for a grace period (SLAB_TYPESAFE_BY_RCU)
 * @nr_slabs: slabs in it
 * @nr_free: how many of them are FREE
 * @maps: per slab, a bitmap of objects out of the slab (1 = out)
 * @slabs: the slabs
 */
struct hakmem_superslab {
	void *base;
	unsigned long size;
	struct hakmem_cache *cache;
	unsigned long made_end;
	unsigned long fp_key;
	struct list_head list;
	struct list_head avail;
	struct list_head free_slabs;
	struct rcu_head rcu;
	u32 id;
	int nid;
	unsigned int order;
	bool pages_deferred;
	unsigned int nr_slabs;
	unsigned int nr_free;
	unsigned long *maps;
	struct hakmem_slab slabs[];
};

/**
 * struct hakmem_node - a cache's head on one NUMA node
 * @lock: protects everything below and the slabs and SuperSlabs on it
 * @partial: PARTIAL slabs
 * @empty: EMPTY slabs
 * @ss_avail: SuperSlabs with at least one FREE slab
 * @ss_list: every SuperSlab of this node
 * @nr_ss: SuperSlabs
 * @nr_ss_unused: SuperSlabs whose slabs are all FREE
 * @nr_pages_unused: pages of those unused SuperSlabs
 * @nr_pages: pages of every SuperSlab of this node
 * @nr_slabs: slabs in them, any state
 * @nr_free_slabs: FREE slabs
 * @nr_partial: PARTIAL slabs
 * @nr_empty: EMPTY slabs
 * @nr_inuse: objects out of slabs (per-CPU caches and users)
 * @no_pages_until: 0, or the node had no free page for the last SuperSlab
 *                  wanted on it, and is left alone until these jiffies
 *                  (HAKMEM_NO_PAGES_MS); a hint, read and written locklessly
 * @nid: this node
 */
struct hakmem_node {
	spinlock_t lock;		/* see hakmem_superslab.c */
	struct list_head partial;
	struct list_head empty;
	struct list_head ss_avail;
	struct list_head ss_list;
	unsigned long nr_ss;
	unsigned long nr_ss_unused;
	unsigned long nr_pages_unused;
	unsigned long nr_pages;
	unsigned long nr_slabs;
	unsigned long nr_free_slabs;
	unsigned long nr_partial;
	unsigned long nr_empty;
	unsigned long nr_inuse;
	unsigned long no_pages_until;
	int nid;
};

/**
 * struct hakmem_cpu_cache - per-CPU front of a cache
 * @lock: local lock: IRQs off, so hardirq users are safe; on PREEMPT_RT
 *        a per-CPU sleeping lock (task context only there)
 * @count: object pointers in @objs
 * @stat: statistics of this CPU, updated with this_cpu ops only
 * @q_next: under KASAN, the oldest slot of the quarantine ring (unused
 *          otherwise; kept so that every file sees one layout)
 * @q_count: under KASAN, objects in the quarantine ring
 * @objs: a LIFO magazine of free objects: this CPU's home node's (see
 *        hakmem_home_node()), or the nearest node's when home has no page;
 *        under KASAN followed by a ring of HAKMEM_KASAN_QUARANTINE freed
 *        objects waiting, poisoned, before they join the magazine
 */
struct hakmem_cpu_cache {
	local_lock_t lock;
	unsigned int count;
	unsigned int q_next;
	unsigned int q_count;
	unsigned long stat[HAKMEM_NR_STAT_ITEMS];
	void *objs[];
};

/**
 * struct hakmem_cache - a cache of objects of one size
 * @pcp: per-CPU magazines
 * @layout: the object layout, stride included
 * @stride_recip: reciprocal of the stride, for offset -> index
 * @stride_shift: log2 of the stride if it is a power of two, else 0
 * @out_lean: an object going out needs its free tag cleared and, unless
 *            zeroed, nothing else: no debug bytes, no sanitizer or
 *            kmemleak hook; and __GFP_ZERO is obeyed (init_on_alloc with
 *            a constructor is not)
 * @free_lean: the same for an object coming back: no debug bytes to
 *             check, no KASAN quarantine, no kmemleak hook, no init_on_free
 * @out_plain: @out_lean, and the hakmem_alloc event off: the allocation
 *             fast path's one test of all of them
 * @free_plain: @free_lean, and the hakmem_free event off: the same for
 *              the free fast path
 * @zero_gfp: __GFP_ZERO if every object going out is zeroed
 *            (init_on_alloc), else 0: OR-ed into the caller's flags
 * @align_mask: stride - 1 when every stride-aligned address in a slab
 *              starts an object (a power-of-two stride filling its slabs
 *              exactly, as every tiny class does), else 0
 * @flags: SLAB_* creation flags
 * @ctor: constructor, run once per object per SuperSlab lifetime
 * @mag_size: capacity of each per-CPU magazine
 * @batch: objects moved per refill or flush
 * @slab_order: page order of a slab
 * @slab_shift: log2 of a slab's size in bytes
 * @capacity: objects per slab
 * @map_longs: longs in one slab's bitmap
 * @ss_order: page order of a SuperSlab of full size
 * @tiny: a tiny class of hakmem_alloc()
 * @leaked: destroyed with objects still live; kept, never freed
 * @name: the name given at creation
 * @dbg_name: unique name in debugfs and slabinfo
 * @list: on the global list of caches
 * @dbg_dir: debugfs directory
 * @node: per-node heads, nr_node_ids of them
 */
struct hakmem_cache {
	struct hakmem_cpu_cache __percpu *pcp;
	struct hakmem_layout layout;
	struct reciprocal_value stride_recip;
	u8 stride_shift;
	bool out_plain;
	bool free_plain;
	bool out_lean;
	bool free_lean;
	gfp_t zero_gfp;
	unsigned long align_mask;
	slab_flags_t flags;
	void (*ctor)(void *obj);
	unsigned int mag_size;
	unsigned int batch;
	unsigned int slab_order;
	unsigned int slab_shift;
	unsigned int capacity;
	unsigned int map_longs;
	unsigned int ss_order;
	bool tiny;
	bool leaked;
	const char *name;
	char dbg_name[48];
	struct list_head list;
	struct dentry *dbg_dir;
	struct hakmem_node *node[];
};

/*
 * The tiny classes of hakmem_alloc(), spaced as mimalloc's and jemalloc's:
 * 8-byte steps up to 64 bytes, then four classes per power of two (80, 96,
 * 112, 128, 160, ... 1024).  Sizes come from hakmem_tiny_sizes[] and
 * nowhere else.  Every class of kmalloc's (8, 16, 32, 64, 96, 128, 192,
 * 256, 512, 1024) is one of them, so no request gets more bytes than
 * kmalloc() gives it; above 64 bytes a class is at most 1.25 times the
 * request (65 -> 80), 1.1 times on average over each class's range.
 *
 * Alignment, as kmalloc() guarantees it: every object is aligned to
 * ARCH_KMALLOC_MINALIGN (a class that is not a multiple of it serves no
 * size), and a power-of-two size is naturally aligned (documented for
 * kmalloc() since 5.4): its class is the power of two itself, whose
 * objects start at multiples of their size in size-aligned slabs.  Any
 * class is aligned to its largest power-of-two divisor (96: 32).
 */
#define HAKMEM_NR_TINY		24
/*
 * The lookup table's index of a size, 1 to HAKMEM_MAX_TINY_SIZE: its 8-byte
 * granules, rounded up, less one.  From size - 1, which the test of the
 * size's range computes already: a shift where + 7 took one more.
 */
#define HAKMEM_TINY_GRANULE(size)	(((size) - 1) >> 3)

extern const u16 hakmem_tiny_sizes[HAKMEM_NR_TINY];

extern struct hakmem_superslab **hakmem_ss_dir[HAKMEM_SS_DIR_SIZE];
/* 48 random bits under the 16-bit marker: hakmem_fp_secret_make() */
extern unsigned long hakmem_fp_secret;

/*
 * A hint is a registry slot, never a SuperSlab pointer: the slot (in a
 * registry chunk, never freed while the module is loaded) is read before
 * the SuperSlab it names, so giving a SuperSlab back need not find and
 * clear the hints naming it.  An unused hint names a slot that holds NULL
 * (hakmem_superslab.c): no test for it more than for a hint in use.
 */
struct hakmem_ss_hints {
	struct hakmem_superslab **slot[HAKMEM_SS_HINTS];
};

DECLARE_PER_CPU(struct hakmem_ss_hints, hakmem_ss_hints);

/* The stride: the one number capacity, carving and validation agree on. */
static inline unsigned int hakmem_stride(const struct hakmem_cache *s)
{
	return s->layout.stride;
}

static inline unsigned int hakmem_slab_bytes(const struct hakmem_cache *s)
{
	return PAGE_SIZE << s->slab_order;
}

/* How many objects one slab holds: slab bytes over the stride. */
static inline unsigned int hakmem_capacity_of(unsigned int slab_bytes,
					      unsigned int stride)
{
	return slab_bytes / stride;
}

/**
 * hakmem_ss_grow_order() - page order of the next SuperSlab of a node
 * @s: the cache
 * @node_slabs: slabs the node holds now
 *
 * Half as many slabs as the node holds, rounded down to a power of two,
 * at least one, up to the cache's SuperSlab order: 1, 1, 1, 1, 2, 2, 4,
 * 4, 8, 8 ... slabs.  A cache that keeps a few objects on a node costs
 * one slab there, as in the slab allocator, one that grows holds at most
 * about half again what it needs until it reaches full SuperSlabs.
 * (Doubling what the node held, 1, 1, 2, 4, 8, left a trace replay's
 * per-call-site caches a third more pages than they used in SuperSlabs
 * not yet carved, and was slower: more pages first touched per object.)
 *
 * Return: the order.
 */
static inline unsigned int hakmem_ss_grow_order(const struct hakmem_cache *s,
						unsigned long node_slabs)
{
	if (node_slabs < 2)
		return s->slab_order;
	return min_t(unsigned int, s->slab_order + ilog2(node_slabs / 2), s->ss_order);
}

static inline void *hakmem_slab_base(const struct hakmem_cache *s,
				     const struct hakmem_superslab *ss,
				     const struct hakmem_slab *slab)
{
	return ss->base + ((slab - ss->slabs) << s->slab_shift);
}

static inline void *hakmem_slab_obj(const struct hakmem_cache *s,
				    const struct hakmem_superslab *ss,
				    const struct hakmem_slab *slab,
				    unsigned int idx)
{
	return hakmem_slab_base(s, ss, slab) + idx * hakmem_stride(s);
}

static inline unsigned long *hakmem_slab_map(const struct hakmem_cache *s,
					     const struct hakmem_superslab *ss,
					     const struct hakmem_slab *slab)
{
	return ss->maps + slab->idx * s->map_longs;
}

/* The SuperSlab a slab is part of. */
static inline struct hakmem_superslab *hakmem_slab_ss(struct hakmem_slab *slab)
{
	return container_of(slab - slab->idx, struct hakmem_superslab, slabs[0]);
}

/* The word of an object that hakmem uses while the object is free. */
static inline unsigned long *hakmem_fp(const struct hakmem_cache *s, void *obj)
{
	return obj + s->layout.fp_offset;
}

/*
 * The free word.  Every free object holds one at fp_offset, wherever it
 * sits: a per-CPU magazine, its slab's free list, or its slab, made but
 * not carved in this trip.  In 16-bit lanes, with S the secret, A the
 * object's address and c the link (the index of the next object of the
 * slab's free list) plus one, or 0 for none (HAKMEM_FP_END):
 *
 *   lane 3 (bits 48..63)  the marker: S's top lane, in every free word
 *   lane k, k = 0, 1, 2   S's lane k ^ A's lane k ^ c
 *
 * so that the word of an object with no successor, as in a magazine, is
 * just S ^ A.  A change of the link changes c, which shows in all three
 * low lanes, and a change that keeps the link must keep the other lanes:
 * no store of up to four bytes anywhere in the word (a u8, u16 or u32
 * field written after free) leaves a valid free word.  Nor does a word
 * copied from another object less than 4 GiB away: their addresses differ
 * in lane 0 or 1 but not in lane 2.
 *
 * The marker's top byte is 0x80..0xef and not the top byte of
 * LIST_POISON1; its low byte is neither 0x00, 0xff nor the top byte
 * (hakmem_fp_secret_make()).  So no integer from -2^56 to 2^56 (top byte
 * 0x00 or 0xff), no user or kernel pointer, no ASCII text, no list poison
 * and no repeated-byte pattern is ever a free word, whatever the secret:
 * freeing an object that holds one is never mistaken for a double free.
 *
 * An object handed out has its free word cleared.
 */

/* A's lanes 0..2: the address bits that differ between objects. */
static __always_inline unsigned long hakmem_fp_addr(const void *obj)
{
	return (unsigned long)obj << 16 >> 16;
}

/*
 * Is @x, a free word with the secret and the address taken out, one value
 * c in each of the three low lanes and 0 in the top one?
 */
static __always_inline bool hakmem_fp_lanes_ok(unsigned long x)
{
	return (x >> 16) == lower_32_bits(x);
}

/* A link as the lanes carry it: index i as i + 1, HAKMEM_FP_END as 0. */
static inline unsigned long hakmem_fp_link(unsigned int next)
{
	return (next + 1) & HAKMEM_FP_IDX_MASK;
}

/* The free word of @obj under @secret, whose free-list successor is @next. */
static inline unsigned long __hakmem_free_word(unsigned long secret,
					       const void *obj, unsigned int next)
{
	return secret ^ hakmem_fp_addr(obj) ^ hakmem_fp_link(next) * HAKMEM_FP_LANES;
}

/* Is @word a free word of @obj under @secret, with any successor? */
static __always_inline bool __hakmem_fp_is_free(unsigned long secret,
						unsigned long word, const void *obj)
{
	return hakmem_fp_lanes_ok(word ^ secret ^ hakmem_fp_addr(obj));
}

/*
 * The same for the objects of one SuperSlab, whose addresses share their
 * top lane: the key folds it in, so no masking is left to do.
 */
static inline unsigned long hakmem_free_word(const struct hakmem_superslab *ss,
					     const void *obj, unsigned int next)
{
	return ss->fp_key ^ (unsigned long)obj ^ hakmem_fp_link(next) * HAKMEM_FP_LANES;
}

/* The free word with no successor, as objects in a magazine carry it. */
static __always_inline unsigned long hakmem_free_tag(const struct hakmem_superslab *ss,
						     const void *obj)
{
	return ss->fp_key ^ (unsigned long)obj;
}

static __always_inline bool hakmem_fp_is_free(const struct hakmem_superslab *ss,
					      unsigned long word, const void *obj)
{
	return hakmem_fp_lanes_ok(word ^ ss->fp_key ^ (unsigned long)obj);
}

/* The link of @obj's free word @word. */
static inline unsigned int hakmem_fp_next(const struct hakmem_superslab *ss,
					  unsigned long word, const void *obj)
{
	return ((word ^ ss->fp_key ^ (unsigned long)obj) - 1) & HAKMEM_FP_IDX_MASK;
}

/*
 * The registry slot of a registered id (its chunk is published: the id
 * was read from the slot's SuperSlab, under the read side).
 */
static __always_inline struct hakmem_superslab **hakmem_ss_slot(u32 id)
{
	return &READ_ONCE(hakmem_ss_dir[id / HAKMEM_SS_PER_CHUNK])[id % HAKMEM_SS_PER_CHUNK];
}

/* The registered SuperSlab of an id, or NULL: a read of the registry only. */
static __always_inline struct hakmem_superslab *hakmem_ss_of_id(u32 id)
{
	struct hakmem_superslab **chunk;

	/* Pairs with the release store that publishes the chunk. */
	chunk = smp_load_acquire(&hakmem_ss_dir[id / HAKMEM_SS_PER_CHUNK]);
	if (unlikely(!chunk))
		return NULL;
	/* Pairs with the release store that publishes the SuperSlab. */
	return smp_load_acquire(&chunk[id % HAKMEM_SS_PER_CHUNK]);
}

/**
 * hakmem_obj_to_ss() - find the SuperSlab an address belongs to, in O(1)
 * @obj: any address
 *
 * Reads only memory hakmem owns or struct page, so a foreign or stale
 * pointer yields NULL rather than a fault.
 *
 * Context: any; the caller is in an RCU read side, so that the metadata
 * found cannot be freed under it: rcu_read_lock(), or the local lock or a
 * node lock held (IRQs off; on PREEMPT_RT a sleeping lock, which holds
 * rcu_read_lock() itself).
 * Return: the SuperSlab whose pages hold @obj, or NULL.
 */
static __always_inline struct hakmem_superslab *hakmem_obj_to_ss(const void *obj)
{
	struct hakmem_superslab *ss;
	struct page *page;
	unsigned long priv;
	u32 id;

	if (unlikely(!virt_addr_valid(obj)))
		return NULL;
	page = virt_to_head_page(obj);
	/* A foreign page's owner may be changing this word (SLUB's counters). */
	priv = READ_ONCE(page->private);
	if (unlikely((priv >> 32) != HAKMEM_SS_MAGIC))
		return NULL;
	id = lower_32_bits(priv);
	if (unlikely(id >= HAKMEM_SS_MAX_ID))
		return NULL;
	ss = hakmem_ss_of_id(id);
	if (unlikely(!ss || ss->base != page_address(page)))
		return NULL;
	return ss;
}

/* The hint slot of an address: which page-aligned slot it falls in. */
static __always_inline unsigned int hakmem_ss_hint_slot(const void *obj)
{
	return ((unsigned long)obj >> HAKMEM_SS_HINT_SHIFT) &
	       (HAKMEM_SS_HINTS - 1);
}

/*
 * The hint alone: the SuperSlab this CPU's hint names if it covers @obj,
 * else NULL (no answer, not a verdict).  No call, so that a fast path
 * built on it stays a leaf.  Context: as hakmem_obj_to_ss().
 */
static __always_inline struct hakmem_superslab *hakmem_ss_hint(const void *obj)
{
	struct hakmem_superslab **slot, *ss;

	slot = this_cpu_read(hakmem_ss_hints.slot[hakmem_ss_hint_slot(obj)]);
	/* Pairs with the release store that publishes the SuperSlab. */
	ss = smp_load_acquire(slot);
	if (likely(ss && (unsigned long)(obj - ss->base) < ss->size))
		return ss;
	return NULL;
}

/* hakmem_obj_to_ss(), its answer written into this CPU's hint. */
static __always_inline struct hakmem_superslab *hakmem_obj_to_ss_remember(const void *obj)
{
	struct hakmem_superslab *ss = hakmem_obj_to_ss(obj);

	if (ss)
		this_cpu_write(hakmem_ss_hints.slot[hakmem_ss_hint_slot(obj)],
			       hakmem_ss_slot(ss->id));
	return ss;
}

/**
 * hakmem_obj_to_ss_hinted() - hakmem_obj_to_ss(), remembering answers per CPU
 * @obj: any address
 *
 * A hint names a registry slot.  It is trusted only while the slot holds
 * a SuperSlab and that SuperSlab covers @obj: the registry says whether the
 * SuperSlab is alive, whatever became of the one the hint was taken from
 * (given back, its id and pages reused), so hints are never cleared.  A
 * task preempted or migrated between the read and the write of a hint
 * only leaves a stale hint behind, which is checked the same way.
 *
 * Context: as hakmem_obj_to_ss(): an RCU read side.
 * Return: the SuperSlab whose pages hold @obj, or NULL.
 */
static __always_inline struct hakmem_superslab *hakmem_obj_to_ss_hinted(const void *obj)
{
	struct hakmem_superslab *ss = hakmem_ss_hint(obj);

	if (likely(ss))
		return ss;
	return hakmem_obj_to_ss_remember(obj);
}

/*
 * @in / the stride, by the cache's reciprocal: reciprocal_divide(), forced
 * inline.  The library's is plain static inline, and GCC stops inlining
 * it once it has enough callers: the call then costs the free fast paths
 * three callee-saved registers, pushed and popped on every free.
 */
static __always_inline u32 hakmem_stride_div(u32 in, struct reciprocal_value r)
{
	u32 hi = (u32)(((u64)in * r.m) >> 32);

	return (hi + ((in - hi) >> r.sh1)) >> r.sh2;
}

/**
 * hakmem_obj_index() - locate an object inside its SuperSlab
 * @s: the cache
 * @ss: the SuperSlab holding @obj
 * @obj: the address
 * @slabp: set to the slab holding @obj
 *
 * Return: the object's index in its slab, or -1 if @obj is not the start of
 * an object (an interior pointer, or the tail of a slab).
 */
static __always_inline int hakmem_obj_index(const struct hakmem_cache *s,
					    struct hakmem_superslab *ss,
					    const void *obj,
					    struct hakmem_slab **slabp)
{
	unsigned long off = obj - ss->base;
	u32 in = off & ((1UL << s->slab_shift) - 1);
	u32 idx;

	/* Every tiny class has a power-of-two stride: a shift will do. */
	if (s->stride_shift)
		idx = in >> s->stride_shift;
	else
		idx = hakmem_stride_div(in, s->stride_recip);
	if (unlikely(idx * hakmem_stride(s) != in || idx >= s->capacity))
		return -1;
	*slabp = &ss->slabs[off >> s->slab_shift];
	return idx;
}

/*
 * A node counter as of one moment: counters change under the node lock,
 * so lockless readers would race with the writers.
 */
static inline unsigned long hakmem_node_read(struct hakmem_node *n,
					     const unsigned long *counter)
{
	unsigned long flags, val;

	spin_lock_irqsave(&n->lock, flags);
	val = *counter;
	spin_unlock_irqrestore(&n->lock, flags);
	return val;
}

static inline unsigned long __hakmem_nodes_sum(struct hakmem_cache *s, size_t off)
{
	unsigned long sum = 0;
	int nid;

	for_each_node(nid)
		sum += hakmem_node_read(s->node[nid], (void *)s->node[nid] + off);
	return sum;
}

/* The same counter summed over every node of a cache. */
#define hakmem_nodes_sum(s, field) \
	__hakmem_nodes_sum(s, offsetof(struct hakmem_node, field))

/* Does @obj, inside @ss, start an object? */
static __always_inline bool hakmem_obj_starts(const struct hakmem_cache *s,
					      struct hakmem_superslab *ss,
					      const void *obj)
{
	struct hakmem_slab *slab;

	/* Slabs are aligned to their size: an aligned address starts one. */
	if (likely(s->align_mask))
		return !((unsigned long)obj & s->align_mask);
	return hakmem_obj_index(s, ss, obj, &slab) >= 0;
}

/*
 * Every statistic is updated with a this_cpu op, also under the local
 * lock: on PREEMPT_RT the local lock leaves the task preemptible, and a
 * plain increment there could lose an update made meanwhile, on the same
 * CPU, by a task that does not hold it.  On x86 the op is one instruction
 * either way.
 */
static inline void hakmem_stat(struct hakmem_cache *s,
			       enum hakmem_stat_item item)
{
	this_cpu_inc(s->pcp->stat[item]);
}

/*
 * hakmem_stat() under the local lock, @pc this CPU's: without PREEMPT_RT
 * IRQs are off, nothing else on this CPU runs, and a plain increment
 * through the pointer at hand is one instruction with no per-CPU base to
 * load again.
 */
static inline void hakmem_stat_locked(struct hakmem_cache *s,
				      struct hakmem_cpu_cache *pc,
				      enum hakmem_stat_item item)
{
	lockdep_assert_held(&pc->lock);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		hakmem_stat(s, item);
	else
		pc->stat[item]++;
}

static inline void hakmem_stat_add(struct hakmem_cache *s,
				   enum hakmem_stat_item item, unsigned long n)
{
	this_cpu_add(s->pcp->stat[item], n);
}

/* Was the node found without a free page less than HAKMEM_NO_PAGES_MS ago? */
static inline bool hakmem_node_no_pages(struct hakmem_node *n)
{
	unsigned long until = READ_ONCE(n->no_pages_until);

	return until && time_before(jiffies, until);
}

/* hakmem_superslab.c */
int hakmem_layout_init(struct hakmem_layout *l, unsigned int size,
		       unsigned int align, slab_flags_t flags, bool has_ctor);
unsigned int hakmem_pick_slab_order(unsigned int stride);
unsigned long hakmem_fp_secret_make(u64 raw);
int hakmem_ss_registry_init(void);
void hakmem_ss_registry_exit(void);
void hakmem_node_init(struct hakmem_node *n, int nid);
unsigned int hakmem_node_take(struct hakmem_cache *s, struct hakmem_node *n,
			      void **objs, unsigned int nr);
unsigned int hakmem_node_grow(struct hakmem_cache *s, int nid, gfp_t gfp,
			      void **objs, unsigned int nr);
unsigned int hakmem_take_near(struct hakmem_cache *s, int nid, void **objs,
			      unsigned int nr);
unsigned int hakmem_node_refill(struct hakmem_cache *s, int nid, gfp_t gfp,
				void **objs, unsigned int nr);
void hakmem_objs_put(struct hakmem_cache *s, void **objs, unsigned int nr);
void hakmem_debug_alloc(struct hakmem_cache *s, void *obj);
bool hakmem_debug_free(struct hakmem_cache *s, void *obj);
void hakmem_fault_debugfs(struct dentry *parent);
void hakmem_node_shrink(struct hakmem_cache *s, struct hakmem_node *n);
unsigned long hakmem_node_report_live(struct hakmem_cache *s,
				      struct hakmem_node *n, unsigned int max);
void hakmem_node_release_all(struct hakmem_cache *s, struct hakmem_node *n);
bool hakmem_should_fail_page(gfp_t gfp, unsigned int order);
struct fault_attr *hakmem_fault_attr(void);
struct fault_attr *hakmem_fault_meta_attr(void);

/* hakmem_slab.c */
int hakmem_home_node(void);
unsigned long hakmem_stat_sum(struct hakmem_cache *s, enum hakmem_stat_item item);
void hakmem_drain_all(struct hakmem_cache *s);
void hakmem_drain_all_cpuslocked(struct hakmem_cache *s);
struct hakmem_cache *hakmem_tiny_cache(size_t size);
bool hakmem_quarantine_set(bool on);
struct shrinker *hakmem_shrinker_get(void);

/* hakmem_selftest.c */
void hakmem_selftest(void);
void hakmem_stress_at_load(void);

#endif /* _HAKMEM_INTERNAL_H */
