/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem_bench: what its files share (hbench_main.c describes the module).
 *
 * The allocator calls are __always_inline and take the side and the API as
 * constants: each timed loop, inlined into a noinline dispatcher per side
 * and API, makes one direct call per operation and no indirect one.
 */
#ifndef _HBENCH_H
#define _HBENCH_H

#include <linux/compiler.h>
#include <linux/slab.h>
#include <linux/types.h>

#include "hakmem_slab.h"

/* Upper bound of "reps": every sample of a row must fit one printk line. */
#define HBENCH_MAX_REPS		15
/* CPUs a multi-CPU row may name. */
#define HBENCH_MAX_CPUS		64

/* Module parameters (hbench_main.c) the scenarios read. */
extern unsigned int hbench_reps;
extern unsigned int hbench_mt_ops;
extern unsigned int hbench_larson_slots;
extern unsigned int hbench_larson_rounds;
extern unsigned int hbench_larson_gens;
extern unsigned int hbench_mem_objs;
extern ulong hbench_seed;
extern bool hbench_aa;

enum hbench_side {
	HBENCH_HAKMEM,		/* hakmem_cache_*(), hakmem_alloc() */
	HBENCH_KERNEL,		/* kmem_cache_*(), kmalloc() */
	HBENCH_EMPTY,		/* no allocator: the loop's own cost */
};

enum hbench_api {
	HBENCH_API_CACHE,	/* a dedicated cache of one size */
	HBENCH_API_TINY,	/* the kmalloc()-like face */
};

enum hbench_kind {
	HBENCH_HOT,		/* alloc, free, alloc, free ... */
	HBENCH_BATCH,		/* nr allocs, then nr frees */
	HBENCH_BULK,		/* one bulk alloc of nr, one bulk free */
	HBENCH_CROSS_PAIR,	/* one CPU allocates, another frees */
	HBENCH_CROSS_ALL,	/* the same over every ordered CPU pair */
	HBENCH_RING,		/* nr CPUs in a ring: each frees its left's */
	HBENCH_LARSON,		/* Larson on nr CPUs */
};

enum hbench_slot {
	HBENCH_SLOT_HAKMEM,
	HBENCH_SLOT_KERNEL,
	HBENCH_SLOT_AA,		/* the kernel side again: the noise floor */
	HBENCH_NR_SLOTS
};

/**
 * struct hbench_target - what one slot allocates from
 * @side: hakmem or the kernel
 * @api: dedicated cache or tiny-class (kmalloc-like) face
 * @size: object size
 * @hc: hakmem's cache (@api is HBENCH_API_CACHE)
 * @kc: the kernel's cache (@api is HBENCH_API_CACHE)
 * @scratch: HBENCH_EMPTY: the one "object" every allocation returns
 * @name: the caches' name; lives as long as they do
 */
struct hbench_target {
	enum hbench_side side;
	enum hbench_api api;
	unsigned int size;
	struct hakmem_cache *hc;
	struct kmem_cache *kc;
	void *scratch;
	char name[32];
};

/**
 * struct hbench_scn - one row of the table
 * @name: row name, as in the JSON
 * @group: group name
 * @kind: enum hbench_kind
 * @api: enum hbench_api
 * @size: object size (Larson: none, sizes are random)
 * @nr: batch or bulk size, or CPUs
 * @cpus: the CPUs used, @nr of them (multi-CPU kinds)
 * @objs: operations per sample, the divisor of the time
 * @unit: unit of the samples
 * @throughput: samples are operations per time (higher is better)
 * @calib: also time the loop with no allocator (HBENCH_EMPTY), so that the
 *         report can print each side's cost net of the loop
 * @turns: multi-CPU kinds: the CPUs take turns, one working while the
 *         others sleep, and only the work is timed: under icount each
 *         sample then counts the instructions of the work alone
 */
struct hbench_scn {
	char name[32];
	const char *group;
	enum hbench_kind kind;
	enum hbench_api api;
	unsigned int size;
	unsigned int nr;
	int cpus[HBENCH_MAX_CPUS];
	unsigned long objs;
	const char *unit;
	bool throughput;
	bool calib;
	bool turns;
};

/* Set when the loading process is killed: every loop winds down. */
extern bool hbench_stop;

static inline bool hbench_stopping(void)
{
	return READ_ONCE(hbench_stop);
}

/*
 * The calibration side: what a loop costs around its allocator calls.  An
 * allocation returns the target's scratch object, a free forgets it; the
 * compiler barriers make the loop reload what it would reload after a
 * call, and keep it from folding the loop away.  Argument set-up and the
 * call itself are left to the allocator sides: they are part of a call.
 */
static __always_inline void *hbench_empty_alloc(const struct hbench_target *t)
{
	void *p = READ_ONCE(t->scratch);

	barrier();
	return p;
}

static __always_inline void hbench_empty_free(void *obj)
{
	OPTIMIZER_HIDE_VAR(obj);
	barrier();
}

/*
 * The allocator calls.  @side and @api are constants wherever these are
 * inlined, so each expands to one direct call (or, HBENCH_EMPTY, none).
 */
static __always_inline void *hbench_alloc(const enum hbench_side side,
					  const enum hbench_api api,
					  const struct hbench_target *t,
					  size_t size)
{
	if (side == HBENCH_EMPTY)
		return hbench_empty_alloc(t);
	if (api == HBENCH_API_CACHE)
		return side == HBENCH_HAKMEM ?
			hakmem_cache_alloc(t->hc, GFP_KERNEL) :
			kmem_cache_alloc(t->kc, GFP_KERNEL);
	return side == HBENCH_HAKMEM ? hakmem_alloc(size, GFP_KERNEL) :
				       kmalloc(size, GFP_KERNEL);
}

static __always_inline void hbench_free(const enum hbench_side side,
					const enum hbench_api api,
					const struct hbench_target *t,
					void *obj)
{
	if (side == HBENCH_EMPTY) {
		hbench_empty_free(obj);
		return;
	}
	if (api == HBENCH_API_CACHE) {
		if (side == HBENCH_HAKMEM)
			hakmem_cache_free(t->hc, obj);
		else
			kmem_cache_free(t->kc, obj);
	} else {
		if (side == HBENCH_HAKMEM)
			hakmem_free(obj);
		else
			kfree(obj);
	}
}

static __always_inline int hbench_alloc_bulk(const enum hbench_side side,
					     const struct hbench_target *t,
					     size_t nr, void **objs)
{
	return side == HBENCH_HAKMEM ?
		hakmem_cache_alloc_bulk(t->hc, GFP_KERNEL, nr, objs) :
		kmem_cache_alloc_bulk(t->kc, GFP_KERNEL, nr, objs);
}

static __always_inline void hbench_free_bulk(const enum hbench_side side,
					     const struct hbench_target *t,
					     size_t nr, void **objs)
{
	if (side == HBENCH_HAKMEM)
		hakmem_cache_free_bulk(t->hc, nr, objs);
	else
		kmem_cache_free_bulk(t->kc, nr, objs);
}

/*
 * Which of the four loop instances a target runs: the dispatchers
 * (hbench_single.c, hbench_cross.c) switch on it once, outside the timed
 * region, and call the inlined loop with the side and the API as
 * constants.
 */
enum hbench_variant {
	HBENCH_V_HAKMEM_CACHE,
	HBENCH_V_HAKMEM_TINY,
	HBENCH_V_KERNEL_CACHE,
	HBENCH_V_KERNEL_TINY,
	HBENCH_V_EMPTY,
};

static inline enum hbench_variant hbench_variant(const struct hbench_target *t)
{
	if (t->side == HBENCH_EMPTY)
		return HBENCH_V_EMPTY;
	if (t->side == HBENCH_HAKMEM)
		return t->api == HBENCH_API_CACHE ? HBENCH_V_HAKMEM_CACHE :
						    HBENCH_V_HAKMEM_TINY;
	return t->api == HBENCH_API_CACHE ? HBENCH_V_KERNEL_CACHE :
					    HBENCH_V_KERNEL_TINY;
}

/* A word written into each new object, as its user would. */
static __always_inline void hbench_touch(void *obj, unsigned long v)
{
	*(unsigned long *)obj = v;
}

/* hbench_single.c: one sample of a single-CPU loop, time in *@ns. */
int hbench_hot(const struct hbench_target *t, unsigned long n, u64 *ns);
int hbench_batch(const struct hbench_target *t, unsigned long loops,
		 unsigned int nr, void **objs, u64 *ns);
int hbench_bulk(const struct hbench_target *t, unsigned long loops,
		unsigned int nr, void **objs, u64 *ns);

/* hbench_cross.c, hbench_mt.c: one sample of a multi-CPU scenario. */
int hbench_cross_pair(const struct hbench_target *t, int from, int to,
		      bool turns, u64 *ns);
int hbench_mt_scn(const struct hbench_scn *scn, const struct hbench_target *t,
		  u64 *ns);

/* hbench_measure.c: targets, rows, output. */
int hbench_targets_init(const struct hbench_scn *scn, struct hbench_target tg[2]);
void hbench_targets_exit(struct hbench_target tg[2]);
void hbench_free_one(const struct hbench_target *t, void *obj);
void hbench_emit(const struct hbench_scn *scn,
		 u64 v[HBENCH_NR_SLOTS][HBENCH_MAX_REPS], unsigned int n,
		 bool has_aa, const char *extra);
int hbench_measure(const struct hbench_scn *scn);

/* hbench_mem.c: the memory rows. */
int hbench_mem(void);
unsigned long hbench_hakmem_pages(struct hakmem_cache *s, unsigned long *ss_max);

/* hbench_replay.c: the trace replay rows. */
int hbench_replay(void);
/* hbench_replay_data.S: the op list replay-reduce.py wrote. */
extern const u8 hbench_replay_data[];
extern const u8 hbench_replay_data_end[];

#endif /* _HBENCH_H */
