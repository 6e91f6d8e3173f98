// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_bench: hakmem-slab against the kernel's own allocator, in the kernel.
 *
 * Every scenario is one loop, written once, run through two targets: hakmem
 * (hakmem_cache_*() or hakmem_alloc()) and the kernel's allocator
 * (kmem_cache_*() or kmalloc()).  Each loop is an __always_inline function
 * that takes the side and the API as compile-time constants, and a
 * noinline dispatcher expands it once per side and API: both sides run
 * the same instructions around the allocator calls, and no indirect call
 * sits in a timed loop.
 *
 * Each scenario has three slots: hakmem, kernel, and an A/A control that
 * runs the kernel side again through the same harness; the A/A ratio is
 * the row's noise floor.  After one untimed warm-up of each side the slots
 * run interleaved, H K A on even repetitions and A K H on odd ones, so that
 * a drift of the machine weighs on all three alike.
 *
 * The work happens at load time, in a kthread bound to one CPU (module
 * parameter "cpu"); the multi-CPU scenarios start one kthread per CPU they
 * use.  Every scenario prints a human-readable line and a machine-readable
 * "HAKMEM_BENCH {json}" line; the last line is "HAKMEM_BENCH_END status=N".
 * The module returns 0 after a complete run (it stays loaded, doing
 * nothing, until rmmod), or the first error.
 *
 * Documentation/benchmarks.rst tells what each scenario models.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "hakmem_slab.h"
/* Only for the memory scenario: the pages and SuperSlabs a cache holds. */
#include "hakmem_internal.h"

/* Upper bound of "reps": every sample of a row must fit one printk line. */
#define HBENCH_MAX_REPS		15
/*
 * Entries in a cross-CPU ring, a power of two: enough for a producer to run
 * ahead for a while when its consumer stalls (a preempted vCPU thread of
 * an emulator, an interrupt), 32 KiB of pointers.
 */
#define HBENCH_RING_SIZE	4096
/* Objects a cross-CPU worker moves before it looks at its other ring. */
#define HBENCH_BURST		32
/* Larson's sizes: uniform over 8 ... 1024 bytes, the tiny classes. */
#define HBENCH_LARSON_MIN	8
#define HBENCH_LARSON_SPAN	(HAKMEM_MAX_TINY_SIZE - HBENCH_LARSON_MIN + 1)
/*
 * A worker that found nothing to do this many times in a row naps: ~10 us
 * of PAUSE on real hardware, and under an emulator with more vCPUs than
 * host cores the nap hands the host core to the vCPU it waits for.
 */
#define HBENCH_SPINS		256
#define HBENCH_NAP_US		20
/* CPUs a multi-CPU row may name. */
#define HBENCH_MAX_CPUS		64

/*
 * SLUB merges a new cache into a compatible one unless told not to; the
 * benchmark wants a cache of its own.  Kernels before 6.5 have no
 * SLAB_NO_MERGE: boot them with slab_nomerge (tools/bench/run.sh does).
 */
#ifdef SLAB_NO_MERGE
#define HBENCH_KC_FLAGS		SLAB_NO_MERGE
#else
#define HBENCH_KC_FLAGS		0
#endif

static char *run = "all";
module_param(run, charp, 0444);
MODULE_PARM_DESC(run, "scenarios, comma-separated: hot,batch,bulk,mem,cross,larson,scale, or single (hot,batch,bulk,mem), multi (cross,larson,scale), all (default)");

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "timed repetitions per slot, 1..15 (default 5)");

static unsigned int ops = 200000;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "objects allocated and freed per repetition, single-CPU scenarios (default 200000)");

static unsigned int mt_ops = 50000;
module_param(mt_ops, uint, 0444);
MODULE_PARM_DESC(mt_ops, "objects each producer hands over per repetition, cross-CPU scenarios (default 50000)");

static unsigned int larson_slots = 1000;
module_param(larson_slots, uint, 0444);
MODULE_PARM_DESC(larson_slots, "Larson: live objects per thread (default 1000)");

static unsigned int larson_rounds = 10000;
module_param(larson_rounds, uint, 0444);
MODULE_PARM_DESC(larson_rounds, "Larson: free+alloc rounds per thread before it hands its slots on (default 10000)");

static unsigned int larson_gens = 4;
module_param(larson_gens, uint, 0444);
MODULE_PARM_DESC(larson_gens, "Larson: hand-overs per repetition (default 4)");

static unsigned int mem_objs = 1000000;
module_param(mem_objs, uint, 0444);
MODULE_PARM_DESC(mem_objs, "memory scenario: live 64-byte objects (default 1000000)");

static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of Larson's random slots and sizes (default 1)");

static int scale_cpus[4] = { 1, 2, 4 };
static int nr_scale_cpus = 3;
module_param_array(scale_cpus, int, &nr_scale_cpus, 0444);
MODULE_PARM_DESC(scale_cpus, "CPU counts of the scale scenarios (default 1,2,4; counts above the online CPUs are skipped)");

static bool aa = true;
module_param(aa, bool, 0444);
MODULE_PARM_DESC(aa, "run the A/A control slot (kernel against itself) (default on)");

static int cpu;
module_param(cpu, int, 0444);
MODULE_PARM_DESC(cpu, "CPU of the single-CPU scenarios (default 0)");

enum hbench_side {
	HBENCH_HAKMEM,		/* hakmem_cache_*(), hakmem_alloc() */
	HBENCH_KERNEL,		/* kmem_cache_*(), kmalloc() */
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

static const char * const hbench_slot_name[HBENCH_NR_SLOTS] = {
	"hakmem", "kernel", "aa"
};

/* Scenario groups, selected by the "run" parameter. */
#define HBENCH_G_HOT		BIT(0)
#define HBENCH_G_BATCH		BIT(1)
#define HBENCH_G_BULK		BIT(2)
#define HBENCH_G_MEM		BIT(3)
#define HBENCH_G_CROSS		BIT(4)
#define HBENCH_G_LARSON		BIT(5)
#define HBENCH_G_SCALE		BIT(6)
#define HBENCH_G_SINGLE		(HBENCH_G_HOT | HBENCH_G_BATCH | HBENCH_G_BULK | HBENCH_G_MEM)
#define HBENCH_G_MULTI		(HBENCH_G_CROSS | HBENCH_G_LARSON | HBENCH_G_SCALE)

static const struct {
	const char *name;
	unsigned int mask;
} hbench_groups[] = {
	{ "hot", HBENCH_G_HOT },
	{ "batch", HBENCH_G_BATCH },
	{ "bulk", HBENCH_G_BULK },
	{ "mem", HBENCH_G_MEM },
	{ "cross", HBENCH_G_CROSS },
	{ "larson", HBENCH_G_LARSON },
	{ "scale", HBENCH_G_SCALE },
	{ "single", HBENCH_G_SINGLE },
	{ "multi", HBENCH_G_MULTI },
	{ "all", HBENCH_G_SINGLE | HBENCH_G_MULTI },
};

/**
 * struct hbench_target - what one slot allocates from
 * @side: hakmem or the kernel
 * @api: dedicated cache or tiny-class (kmalloc-like) face
 * @size: object size
 * @hc: hakmem's cache (@api is HBENCH_API_CACHE)
 * @kc: the kernel's cache (@api is HBENCH_API_CACHE)
 * @name: the caches' name; lives as long as they do
 */
struct hbench_target {
	enum hbench_side side;
	enum hbench_api api;
	unsigned int size;
	struct hakmem_cache *hc;
	struct kmem_cache *kc;
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
};

/* Set when the loading process is killed: every loop winds down. */
static bool hbench_stop;

static bool hbench_stopping(void)
{
	return READ_ONCE(hbench_stop);
}

/*
 * The allocator calls.  @side and @api are constants wherever these are
 * inlined, so each expands to one direct call.
 */
static __always_inline void *hbench_alloc(const enum hbench_side side,
					  const enum hbench_api api,
					  const struct hbench_target *t,
					  size_t size)
{
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
 * Which of the four loop instances a target runs: the dispatchers below
 * switch on it once, outside the timed region, and call the inlined loop
 * with the side and the API as constants.
 */
enum hbench_variant {
	HBENCH_V_HAKMEM_CACHE,
	HBENCH_V_HAKMEM_TINY,
	HBENCH_V_KERNEL_CACHE,
	HBENCH_V_KERNEL_TINY,
};

static enum hbench_variant hbench_variant(const struct hbench_target *t)
{
	if (t->side == HBENCH_HAKMEM)
		return t->api == HBENCH_API_CACHE ? HBENCH_V_HAKMEM_CACHE :
						    HBENCH_V_HAKMEM_TINY;
	return t->api == HBENCH_API_CACHE ? HBENCH_V_KERNEL_CACHE :
					    HBENCH_V_KERNEL_TINY;
}

/* Free one object outside any timed loop (clean-up after an error). */
static noinline void hbench_free_one(const struct hbench_target *t, void *obj)
{
	if (!obj)
		return;
	if (t->side == HBENCH_HAKMEM) {
		if (t->api == HBENCH_API_CACHE)
			hakmem_cache_free(t->hc, obj);
		else
			hakmem_free(obj);
	} else {
		if (t->api == HBENCH_API_CACHE)
			kmem_cache_free(t->kc, obj);
		else
			kfree(obj);
	}
}

/* A word written into each new object, as its user would. */
static __always_inline void hbench_touch(void *obj, unsigned long v)
{
	*(unsigned long *)obj = v;
}

/* ------------------------------------------------------------------ */
/* Single-CPU loops                                                    */

static __always_inline int __hbench_hot(const enum hbench_side side,
					const enum hbench_api api,
					const struct hbench_target *t,
					unsigned long n, u64 *ns)
{
	size_t size = t->size;
	unsigned long i;
	u64 start;
	void *p;

	start = ktime_get_ns();
	for (i = 0; i < n; i++) {
		p = hbench_alloc(side, api, t, size);
		if (unlikely(!p))
			return -ENOMEM;
		hbench_touch(p, i);
		hbench_free(side, api, t, p);
	}
	*ns = ktime_get_ns() - start;
	return 0;
}

static noinline int hbench_hot(const struct hbench_target *t, unsigned long n,
			       u64 *ns)
{
	switch (hbench_variant(t)) {
	case HBENCH_V_HAKMEM_CACHE:
		return __hbench_hot(HBENCH_HAKMEM, HBENCH_API_CACHE, t, n, ns);
	case HBENCH_V_HAKMEM_TINY:
		return __hbench_hot(HBENCH_HAKMEM, HBENCH_API_TINY, t, n, ns);
	case HBENCH_V_KERNEL_CACHE:
		return __hbench_hot(HBENCH_KERNEL, HBENCH_API_CACHE, t, n, ns);
	default:
		return __hbench_hot(HBENCH_KERNEL, HBENCH_API_TINY, t, n, ns);
	}
}

static __always_inline int __hbench_batch(const enum hbench_side side,
					  const enum hbench_api api,
					  const struct hbench_target *t,
					  unsigned long loops, unsigned int nr,
					  void **objs, u64 *ns)
{
	size_t size = t->size;
	unsigned long l;
	unsigned int i;
	u64 start;

	start = ktime_get_ns();
	for (l = 0; l < loops; l++) {
		for (i = 0; i < nr; i++) {
			objs[i] = hbench_alloc(side, api, t, size);
			if (unlikely(!objs[i]))
				goto fail;
			hbench_touch(objs[i], i);
		}
		for (i = 0; i < nr; i++)
			hbench_free(side, api, t, objs[i]);
	}
	*ns = ktime_get_ns() - start;
	return 0;
fail:
	while (i--)
		hbench_free(side, api, t, objs[i]);
	return -ENOMEM;
}

static noinline int hbench_batch(const struct hbench_target *t,
				 unsigned long loops, unsigned int nr,
				 void **objs, u64 *ns)
{
	switch (hbench_variant(t)) {
	case HBENCH_V_HAKMEM_CACHE:
		return __hbench_batch(HBENCH_HAKMEM, HBENCH_API_CACHE, t, loops,
				      nr, objs, ns);
	case HBENCH_V_HAKMEM_TINY:
		return __hbench_batch(HBENCH_HAKMEM, HBENCH_API_TINY, t, loops,
				      nr, objs, ns);
	case HBENCH_V_KERNEL_CACHE:
		return __hbench_batch(HBENCH_KERNEL, HBENCH_API_CACHE, t, loops,
				      nr, objs, ns);
	default:
		return __hbench_batch(HBENCH_KERNEL, HBENCH_API_TINY, t, loops,
				      nr, objs, ns);
	}
}

static __always_inline int __hbench_bulk(const enum hbench_side side,
					 const enum hbench_api api,
					 const struct hbench_target *t,
					 unsigned long loops, unsigned int nr,
					 void **objs, u64 *ns)
{
	unsigned long l;
	u64 start;
	int got;

	start = ktime_get_ns();
	for (l = 0; l < loops; l++) {
		got = hbench_alloc_bulk(side, t, nr, objs);
		if (unlikely(got != (int)nr)) {
			if (got > 0)
				hbench_free_bulk(side, t, got, objs);
			return -ENOMEM;
		}
		hbench_free_bulk(side, t, nr, objs);
	}
	*ns = ktime_get_ns() - start;
	return 0;
}

static noinline int hbench_bulk(const struct hbench_target *t,
				unsigned long loops, unsigned int nr,
				void **objs, u64 *ns)
{
	/* Bulk calls exist for dedicated caches only: one API. */
	return t->side == HBENCH_HAKMEM ?
		__hbench_bulk(HBENCH_HAKMEM, HBENCH_API_CACHE, t, loops, nr, objs, ns) :
		__hbench_bulk(HBENCH_KERNEL, HBENCH_API_CACHE, t, loops, nr, objs, ns);
}

/* ------------------------------------------------------------------ */
/* Multi-CPU harness                                                   */

/**
 * struct hbench_ring - single-producer, single-consumer ring of objects
 * @head: next slot the producer fills; written by the producer only
 * @tail: next slot the consumer empties; written by the consumer only
 * @slot: the objects
 *
 * The producer stores an object, then publishes @head with a release; the
 * consumer reads @head with an acquire before it reads the slot.  Back the
 * other way, the consumer publishes @tail with a release after it has read
 * the slots, and the producer reads @tail with an acquire before reusing
 * them.
 */
struct hbench_ring {
	unsigned long head ____cacheline_aligned_in_smp;
	unsigned long tail ____cacheline_aligned_in_smp;
	void *slot[HBENCH_RING_SIZE] ____cacheline_aligned_in_smp;
};

/**
 * struct hbench_larson_set - one Larson thread's live objects
 * @rng: random state; travels with the set, so each side and each run
 *       draw the same slots and sizes whichever thread holds the set
 * @nr: slots
 * @obj: the objects
 */
struct hbench_larson_set {
	u64 rng;
	unsigned int nr;
	void *obj[];
};

struct hbench_mt;

/**
 * struct hbench_worker - one kthread of a multi-CPU run
 * @mt: the run
 * @task: the kthread
 * @idx: index in @mt->w
 * @cpu: the CPU it is bound to
 * @out: ring it fills (cross-CPU), or NULL
 * @in: ring it empties (cross-CPU), or NULL
 * @produce: objects to put in @out
 * @consume: objects to take from @in
 * @inbox: Larson: the set handed to this thread, or NULL
 * @start: ktime when it started timing
 * @end: ktime when it finished
 * @err: 0 or the error that stopped it
 */
struct hbench_worker {
	struct hbench_mt *mt;
	struct task_struct *task;
	unsigned int idx;
	int cpu;
	struct hbench_ring *out;
	struct hbench_ring *in;
	unsigned long produce;
	unsigned long consume;
	struct hbench_larson_set *inbox;
	u64 start;
	u64 end;
	int err;
};

/**
 * struct hbench_mt - one multi-CPU run
 * @t: the target every worker allocates from
 * @kind: HBENCH_CROSS_PAIR, HBENCH_RING or HBENCH_LARSON
 * @nr: workers
 * @ready: workers still getting ready
 * @left: workers still running
 * @all_ready: completed when @ready reaches zero
 * @go: released once every worker is ready
 * @all_done: completed when @left reaches zero
 * @abort: set by a worker that failed: the others stop waiting
 * @rings: cross-CPU rings, @nr of them
 * @sets: Larson sets, @nr of them
 * @w: the workers
 */
struct hbench_mt {
	const struct hbench_target *t;
	enum hbench_kind kind;
	unsigned int nr;
	atomic_t ready;
	atomic_t left;
	struct completion all_ready;
	struct completion go;
	struct completion all_done;
	bool abort;
	struct hbench_ring *rings;
	struct hbench_larson_set **sets;
	struct hbench_worker w[];
};

static bool hbench_mt_aborted(struct hbench_mt *mt)
{
	return READ_ONCE(mt->abort) || hbench_stopping();
}

/* A waiting worker spins, then naps; @spins counts idle turns in a row. */
static void hbench_idle(unsigned int *spins)
{
	if (++*spins < HBENCH_SPINS) {
		cpu_relax();
		return;
	}
	*spins = 0;
	usleep_range(HBENCH_NAP_US, 2 * HBENCH_NAP_US);
}

static __always_inline int __hbench_cross(const enum hbench_side side,
					  const enum hbench_api api,
					  const struct hbench_target *t,
					  struct hbench_worker *w)
{
	struct hbench_ring *out = w->out, *in = w->in;
	unsigned long made = 0, freed = 0, head = 0, tail = 0, n;
	size_t size = t->size;
	unsigned int spins = 0;
	void *p;

	while (made < w->produce || freed < w->consume) {
		bool idle = true;

		if (made < w->produce) {
			/* Pairs with the consumer's release of out->tail. */
			n = HBENCH_RING_SIZE - (head - smp_load_acquire(&out->tail));
			n = min3(n, w->produce - made, (unsigned long)HBENCH_BURST);
			if (n) {
				idle = false;
				made += n;
				while (n--) {
					p = hbench_alloc(side, api, t, size);
					if (unlikely(!p)) {
						/* What is in the ring gets freed. */
						smp_store_release(&out->head, head);
						return -ENOMEM;
					}
					hbench_touch(p, head);
					out->slot[head++ % HBENCH_RING_SIZE] = p;
				}
				/* Publish the slots before the new head. */
				smp_store_release(&out->head, head);
			}
		}
		if (freed < w->consume) {
			/* Pairs with the producer's release of in->head. */
			n = smp_load_acquire(&in->head) - tail;
			n = min_t(unsigned long, n, HBENCH_BURST);
			if (n) {
				idle = false;
				freed += n;
				while (n--)
					hbench_free(side, api, t,
						    in->slot[tail++ % HBENCH_RING_SIZE]);
				/* The slots are read: the producer may reuse them. */
				smp_store_release(&in->tail, tail);
			}
		}
		if (!idle) {
			spins = 0;
		} else {
			if (hbench_mt_aborted(w->mt))
				return -EINTR;
			hbench_idle(&spins);
		}
	}
	return 0;
}

static noinline int hbench_cross(struct hbench_worker *w)
{
	const struct hbench_target *t = w->mt->t;

	switch (hbench_variant(t)) {
	case HBENCH_V_HAKMEM_CACHE:
		return __hbench_cross(HBENCH_HAKMEM, HBENCH_API_CACHE, t, w);
	case HBENCH_V_HAKMEM_TINY:
		return __hbench_cross(HBENCH_HAKMEM, HBENCH_API_TINY, t, w);
	case HBENCH_V_KERNEL_CACHE:
		return __hbench_cross(HBENCH_KERNEL, HBENCH_API_CACHE, t, w);
	default:
		return __hbench_cross(HBENCH_KERNEL, HBENCH_API_TINY, t, w);
	}
}

static u64 hbench_rand(u64 *state)
{
	u64 x = *state;

	/* xorshift64*: fast, and the same sequence on every kernel. */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Wait for a set in @w's inbox and take it. */
static struct hbench_larson_set *hbench_larson_take(struct hbench_worker *w)
{
	struct hbench_larson_set *set;
	unsigned int spins = 0;

	for (;;) {
		/* xchg() is a full barrier: the set's contents are seen whole. */
		set = xchg(&w->inbox, NULL);
		if (set || hbench_mt_aborted(w->mt))
			return set;
		hbench_idle(&spins);
	}
}

/* Hand @set to the next thread; its inbox may still hold the last one. */
static bool hbench_larson_pass(struct hbench_worker *w,
			       struct hbench_larson_set *set)
{
	struct hbench_mt *mt = w->mt;
	struct hbench_worker *next = &mt->w[(w->idx + 1) % mt->nr];
	unsigned int spins = 0;

	/* Full barrier on success: the set's objects are published. */
	while (cmpxchg(&next->inbox, NULL, set)) {
		if (hbench_mt_aborted(mt))
			return false;
		hbench_idle(&spins);
	}
	return true;
}

static __always_inline int __hbench_larson(const enum hbench_side side,
					   const enum hbench_api api,
					   const struct hbench_target *t,
					   struct hbench_worker *w)
{
	struct hbench_larson_set *set;
	unsigned int g, i, idx;
	size_t size;
	void *p;
	u64 r;

	for (g = 0; g < larson_gens; g++) {
		set = hbench_larson_take(w);
		if (!set)
			return -EINTR;
		for (i = 0; i < larson_rounds; i++) {
			r = hbench_rand(&set->rng);
			idx = ((r & 0xffffffff) * set->nr) >> 32;
			size = HBENCH_LARSON_MIN +
			       (((r >> 32) * HBENCH_LARSON_SPAN) >> 32);
			hbench_free(side, api, t, set->obj[idx]);
			p = hbench_alloc(side, api, t, size);
			set->obj[idx] = p;
			if (unlikely(!p))
				return -ENOMEM;
			hbench_touch(p, i);
		}
		/* The last generation keeps its set: the controller frees it. */
		if (g + 1 < larson_gens && !hbench_larson_pass(w, set))
			return -EINTR;
	}
	return 0;
}

static noinline int hbench_larson(struct hbench_worker *w)
{
	const struct hbench_target *t = w->mt->t;

	/* Larson allocates random sizes: the tiny-class face only. */
	if (t->side == HBENCH_HAKMEM)
		return __hbench_larson(HBENCH_HAKMEM, HBENCH_API_TINY, t, w);
	return __hbench_larson(HBENCH_KERNEL, HBENCH_API_TINY, t, w);
}

/* Larson's untimed start: fill the set this worker begins with. */
static int hbench_larson_fill(struct hbench_worker *w)
{
	struct hbench_larson_set *set = w->inbox;
	unsigned int i;
	size_t size;

	for (i = 0; i < set->nr; i++) {
		size = HBENCH_LARSON_MIN +
		       ((hbench_rand(&set->rng) >> 32) * HBENCH_LARSON_SPAN >> 32);
		set->obj[i] = w->mt->t->side == HBENCH_HAKMEM ?
			      hakmem_alloc(size, GFP_KERNEL) :
			      kmalloc(size, GFP_KERNEL);
		if (!set->obj[i])
			return -ENOMEM;
	}
	return 0;
}

static int hbench_worker_fn(void *arg)
{
	struct hbench_worker *w = arg;
	struct hbench_mt *mt = w->mt;
	int err = 0;

	if (mt->kind == HBENCH_LARSON)
		err = hbench_larson_fill(w);
	if (err)
		WRITE_ONCE(mt->abort, true);
	if (atomic_dec_and_test(&mt->ready))
		complete(&mt->all_ready);
	wait_for_completion(&mt->go);

	w->start = ktime_get_ns();
	if (!err && !hbench_mt_aborted(mt))
		err = mt->kind == HBENCH_LARSON ? hbench_larson(w) :
						  hbench_cross(w);
	w->end = ktime_get_ns();
	w->err = err;
	if (err)
		WRITE_ONCE(mt->abort, true);
	if (atomic_dec_and_test(&mt->left))
		complete(&mt->all_done);
	return 0;
}

static void hbench_mt_free(struct hbench_mt *mt)
{
	const struct hbench_target *t = mt->t;
	unsigned int i, j;

	if (mt->rings) {
		for (i = 0; i < mt->nr; i++) {
			struct hbench_ring *r = &mt->rings[i];

			for (; r->tail != r->head; r->tail++)
				hbench_free_one(t, r->slot[r->tail % HBENCH_RING_SIZE]);
		}
		kvfree(mt->rings);
	}
	if (mt->sets) {
		for (i = 0; i < mt->nr; i++) {
			if (!mt->sets[i])
				continue;
			for (j = 0; j < mt->sets[i]->nr; j++)
				hbench_free_one(t, mt->sets[i]->obj[j]);
			kvfree(mt->sets[i]);
		}
		kfree(mt->sets);
	}
	kfree(mt);
}

static struct hbench_mt *hbench_mt_alloc(const struct hbench_target *t,
					 enum hbench_kind kind, unsigned int nr)
{
	struct hbench_mt *mt;
	unsigned int i;

	mt = kzalloc(struct_size(mt, w, nr), GFP_KERNEL);
	if (!mt)
		return NULL;
	mt->t = t;
	mt->kind = kind;
	mt->nr = nr;
	atomic_set(&mt->ready, nr);
	atomic_set(&mt->left, nr);
	init_completion(&mt->all_ready);
	init_completion(&mt->go);
	init_completion(&mt->all_done);
	if (kind == HBENCH_LARSON) {
		mt->sets = kcalloc(nr, sizeof(*mt->sets), GFP_KERNEL);
		if (!mt->sets)
			goto fail;
		for (i = 0; i < nr; i++) {
			mt->sets[i] = kvzalloc(struct_size(mt->sets[i], obj, larson_slots),
					       GFP_KERNEL);
			if (!mt->sets[i])
				goto fail;
			mt->sets[i]->nr = larson_slots;
			/* Never zero: xorshift would stay there. */
			mt->sets[i]->rng = (seed + i) * 0x9e3779b97f4a7c15ULL | 1;
			mt->w[i].inbox = mt->sets[i];
		}
	} else {
		mt->rings = kvcalloc(nr, sizeof(*mt->rings), GFP_KERNEL);
		if (!mt->rings)
			goto fail;
	}
	for (i = 0; i < nr; i++) {
		mt->w[i].mt = mt;
		mt->w[i].idx = i;
	}
	return mt;
fail:
	hbench_mt_free(mt);
	return NULL;
}

/*
 * Start the workers, release them together, wait for the last.  Returns
 * the first worker error, else the time from the first start to the last
 * end in *@ns.
 */
static int hbench_mt_run(struct hbench_mt *mt, u64 *ns)
{
	u64 first = U64_MAX, last = 0;
	unsigned int i, made;
	int err = 0;

	for (made = 0; made < mt->nr; made++) {
		struct hbench_worker *w = &mt->w[made];
		struct task_struct *task;

		task = kthread_create(hbench_worker_fn, w, "hakmem_bench/%u",
				      w->cpu);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
		/* Hold it: kthread_stop() below may come after its exit. */
		get_task_struct(task);
		kthread_bind(task, w->cpu);
		w->task = task;
	}
	if (err) {
		/* Never woken: kthread_stop() ends them before they run. */
		for (i = 0; i < made; i++) {
			kthread_stop(mt->w[i].task);
			put_task_struct(mt->w[i].task);
		}
		return err;
	}
	for (i = 0; i < mt->nr; i++)
		wake_up_process(mt->w[i].task);
	wait_for_completion(&mt->all_ready);
	complete_all(&mt->go);
	wait_for_completion(&mt->all_done);
	for (i = 0; i < mt->nr; i++) {
		struct hbench_worker *w = &mt->w[i];

		kthread_stop(w->task);
		put_task_struct(w->task);
		if (w->err && !err)
			err = w->err;
		first = min(first, w->start);
		last = max(last, w->end);
	}
	if (!err && hbench_stopping())
		err = -EINTR;
	*ns = last - first;
	return err;
}

/* Cross-CPU objects from CPU @from to CPU @to: mt_ops of them. */
static int hbench_cross_pair(const struct hbench_target *t, int from, int to,
			     u64 *ns)
{
	struct hbench_mt *mt;
	int err;

	mt = hbench_mt_alloc(t, HBENCH_CROSS_PAIR, 2);
	if (!mt)
		return -ENOMEM;
	mt->w[0].cpu = from;
	mt->w[0].out = &mt->rings[0];
	mt->w[0].produce = mt_ops;
	mt->w[1].cpu = to;
	mt->w[1].in = &mt->rings[0];
	mt->w[1].consume = mt_ops;
	err = hbench_mt_run(mt, ns);
	hbench_mt_free(mt);
	return err;
}

/* A ring of nr CPUs, or Larson on them. */
static int hbench_mt_scn(const struct hbench_scn *scn,
			 const struct hbench_target *t, u64 *ns)
{
	struct hbench_mt *mt;
	unsigned int i;
	int err;

	mt = hbench_mt_alloc(t, scn->kind, scn->nr);
	if (!mt)
		return -ENOMEM;
	for (i = 0; i < scn->nr; i++) {
		struct hbench_worker *w = &mt->w[i];

		w->cpu = scn->cpus[i];
		if (scn->kind == HBENCH_RING) {
			w->out = &mt->rings[i];
			w->in = &mt->rings[(i + scn->nr - 1) % scn->nr];
			w->produce = mt_ops;
			w->consume = mt_ops;
		}
	}
	err = hbench_mt_run(mt, ns);
	hbench_mt_free(mt);
	return err;
}

/* ------------------------------------------------------------------ */
/* Scenarios, samples, results                                         */

/* One sample of @scn on @t, in thousandths of @scn->unit. */
static int hbench_sample(const struct hbench_scn *scn,
			 const struct hbench_target *t, void **objs, u64 *val)
{
	unsigned long loops;
	u64 ns = 0, sum = 0;
	int a, b, err = 0;

	switch (scn->kind) {
	case HBENCH_HOT:
		err = hbench_hot(t, scn->objs, &ns);
		break;
	case HBENCH_BATCH:
		loops = scn->objs / scn->nr;
		err = hbench_batch(t, loops, scn->nr, objs, &ns);
		break;
	case HBENCH_BULK:
		loops = scn->objs / scn->nr;
		err = hbench_bulk(t, loops, scn->nr, objs, &ns);
		break;
	case HBENCH_CROSS_PAIR:
		err = hbench_cross_pair(t, scn->cpus[0], scn->cpus[1], &ns);
		break;
	case HBENCH_CROSS_ALL:
		for_each_online_cpu(a) {
			for_each_online_cpu(b) {
				if (a == b)
					continue;
				err = hbench_cross_pair(t, a, b, &ns);
				if (err)
					return err;
				sum += ns;
			}
		}
		ns = sum;
		break;
	case HBENCH_RING:
	case HBENCH_LARSON:
		err = hbench_mt_scn(scn, t, &ns);
		break;
	}
	if (err)
		return err;
	ns = max_t(u64, ns, 1);
	/* Mops/s (x1000) = ops * 10^9 / ns / 10^6 * 1000; ns/op (x1000). */
	if (scn->throughput)
		*val = div64_u64((u64)scn->objs * 1000000, ns);
	else
		*val = div64_u64(ns * 1000, scn->objs);
	return 0;
}

static int hbench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

struct hbench_stat {
	u64 median;
	u64 min;
	u64 max;
};

static void hbench_stats(const u64 *v, unsigned int n, struct hbench_stat *st)
{
	u64 s[HBENCH_MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	sort(s, n, sizeof(*s), hbench_cmp_u64, NULL);
	st->min = s[0];
	st->max = s[n - 1];
	st->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Append "x.yyy", from thousandths. */
static int hbench_milli(char *buf, size_t len, u64 v)
{
	return scnprintf(buf, len, "%llu.%03llu", v / 1000, v % 1000);
}

static u64 hbench_ratio(u64 a, u64 b)
{
	return div64_u64(a * 1000, b);
}

/**
 * hbench_emit - print one row: a line for people, a line for run.sh
 * @scn: the row
 * @v: samples per slot, thousandths of @scn->unit
 * @n: samples per slot
 * @has_aa: the A/A slot ran
 * @extra: more JSON members (",\"key\":value"), or ""
 */
static void hbench_emit(const struct hbench_scn *scn,
			u64 v[HBENCH_NR_SLOTS][HBENCH_MAX_REPS], unsigned int n,
			bool has_aa, const char *extra)
{
	struct hbench_stat st[HBENCH_NR_SLOTS] = {};
	char med[HBENCH_NR_SLOTS][24], ratio[24], aa_ratio[24];
	unsigned int slot, i, nr_slots = has_aa ? 3 : 2;
	size_t len = 1000, pos = 0;
	char *buf;

	for (slot = 0; slot < nr_slots; slot++) {
		hbench_stats(v[slot], n, &st[slot]);
		hbench_milli(med[slot], sizeof(med[slot]), st[slot].median);
	}
	if (st[HBENCH_SLOT_KERNEL].median)
		hbench_milli(ratio, sizeof(ratio),
			     hbench_ratio(st[HBENCH_SLOT_HAKMEM].median,
					  st[HBENCH_SLOT_KERNEL].median));
	else
		strscpy(ratio, "null", sizeof(ratio));
	if (has_aa && st[HBENCH_SLOT_KERNEL].median)
		hbench_milli(aa_ratio, sizeof(aa_ratio),
			     hbench_ratio(st[HBENCH_SLOT_AA].median,
					  st[HBENCH_SLOT_KERNEL].median));
	else
		strscpy(aa_ratio, "null", sizeof(aa_ratio));

	pr_info("%-20s %-8s hakmem %10s kernel %10s ratio %s (A/A %s)\n",
		scn->name, scn->unit, med[HBENCH_SLOT_HAKMEM],
		med[HBENCH_SLOT_KERNEL], ratio, aa_ratio);

	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return;
	pos += scnprintf(buf + pos, len - pos,
			 "{\"v\":1,\"release\":\"%s\",\"scenario\":\"%s\",\"group\":\"%s\",\"unit\":\"%s\",\"better\":\"%s\",\"ops\":%lu,\"cpus\":%u,\"reps\":%u",
			 init_utsname()->release, scn->name, scn->group,
			 scn->unit, scn->throughput ? "higher" : "lower",
			 scn->objs, scn->kind >= HBENCH_CROSS_PAIR ? scn->nr : 1,
			 n);
	for (slot = 0; slot < nr_slots; slot++) {
		pos += scnprintf(buf + pos, len - pos, ",\"%s\":{\"median\":",
				 hbench_slot_name[slot]);
		pos += hbench_milli(buf + pos, len - pos, st[slot].median);
		pos += scnprintf(buf + pos, len - pos, ",\"min\":");
		pos += hbench_milli(buf + pos, len - pos, st[slot].min);
		pos += scnprintf(buf + pos, len - pos, ",\"max\":");
		pos += hbench_milli(buf + pos, len - pos, st[slot].max);
		pos += scnprintf(buf + pos, len - pos, ",\"samples\":[");
		for (i = 0; i < n; i++) {
			pos += hbench_milli(buf + pos, len - pos, v[slot][i]);
			if (i + 1 < n)
				pos += scnprintf(buf + pos, len - pos, ",");
		}
		pos += scnprintf(buf + pos, len - pos, "]}");
	}
	pos += scnprintf(buf + pos, len - pos,
			 ",\"ratio\":%s,\"aa_ratio\":%s%s}", ratio, aa_ratio,
			 extra);
	pr_info("HAKMEM_BENCH %s\n", buf);
	kfree(buf);
}

static void hbench_targets_exit(struct hbench_target tg[2])
{
	if (tg[HBENCH_HAKMEM].hc)
		hakmem_cache_destroy(tg[HBENCH_HAKMEM].hc);
	kmem_cache_destroy(tg[HBENCH_KERNEL].kc);
	memset(tg, 0, 2 * sizeof(*tg));
}

/* Both sides' targets for @scn; dedicated caches are created here. */
static int hbench_targets_init(const struct hbench_scn *scn,
			       struct hbench_target tg[2])
{
	char *name = tg[HBENCH_HAKMEM].name;

	memset(tg, 0, 2 * sizeof(*tg));
	tg[HBENCH_HAKMEM].side = HBENCH_HAKMEM;
	tg[HBENCH_KERNEL].side = HBENCH_KERNEL;
	tg[HBENCH_HAKMEM].api = scn->api;
	tg[HBENCH_KERNEL].api = scn->api;
	tg[HBENCH_HAKMEM].size = scn->size;
	tg[HBENCH_KERNEL].size = scn->size;
	if (scn->api != HBENCH_API_CACHE)
		return 0;
	snprintf(name, sizeof(tg->name), "hakmem_bench_%u", scn->size);
	tg[HBENCH_HAKMEM].hc = hakmem_cache_create(name, scn->size, 0, 0, NULL);
	tg[HBENCH_KERNEL].kc = kmem_cache_create(name, scn->size, 0,
						 HBENCH_KC_FLAGS, NULL);
	if (!tg[HBENCH_HAKMEM].hc || !tg[HBENCH_KERNEL].kc) {
		hbench_targets_exit(tg);
		return -ENOMEM;
	}
	return 0;
}

/* Warm up, then reps interleaved samples per slot; print the row. */
static int hbench_measure(const struct hbench_scn *scn)
{
	static const enum hbench_slot order[2][HBENCH_NR_SLOTS] = {
		{ HBENCH_SLOT_HAKMEM, HBENCH_SLOT_KERNEL, HBENCH_SLOT_AA },
		{ HBENCH_SLOT_AA, HBENCH_SLOT_KERNEL, HBENCH_SLOT_HAKMEM },
	};
	u64 (*v)[HBENCH_MAX_REPS] = NULL;
	struct hbench_target tg[2];
	void **objs = NULL;
	unsigned int r, k;
	u64 warm;
	int err;

	if (hbench_stopping())
		return -EINTR;
	err = hbench_targets_init(scn, tg);
	if (err)
		return err;
	v = kcalloc(HBENCH_NR_SLOTS, sizeof(*v), GFP_KERNEL);
	if (scn->kind == HBENCH_BATCH || scn->kind == HBENCH_BULK)
		objs = kcalloc(scn->nr, sizeof(*objs), GFP_KERNEL);
	if (!v || ((scn->kind == HBENCH_BATCH || scn->kind == HBENCH_BULK) && !objs)) {
		err = -ENOMEM;
		goto out;
	}

	err = hbench_sample(scn, &tg[HBENCH_HAKMEM], objs, &warm);
	if (!err)
		err = hbench_sample(scn, &tg[HBENCH_KERNEL], objs, &warm);
	for (r = 0; r < reps && !err; r++) {
		for (k = 0; k < HBENCH_NR_SLOTS && !err; k++) {
			enum hbench_slot slot = order[r % 2][k];

			if (slot == HBENCH_SLOT_AA && !aa)
				continue;
			err = hbench_sample(scn, slot == HBENCH_SLOT_HAKMEM ?
					    &tg[HBENCH_HAKMEM] : &tg[HBENCH_KERNEL],
					    objs, &v[slot][r]);
			cond_resched();
		}
		if (!err && hbench_stopping())
			err = -EINTR;
	}
	if (err)
		pr_err("%s: failed: %d\n", scn->name, err);
	else
		hbench_emit(scn, v, reps, aa, "");
out:
	kfree(objs);
	kfree(v);
	hbench_targets_exit(tg);
	return err;
}

/* ------------------------------------------------------------------ */
/* Memory                                                              */

/* Pages hakmem's SuperSlabs of @s hold, and the most SuperSlabs a node has. */
static unsigned long hbench_hakmem_pages(struct hakmem_cache *s,
					 unsigned long *ss_max)
{
	unsigned long pages = 0;
	int nid;

	*ss_max = 0;
	for (nid = 0; nid < nr_node_ids; nid++) {
		struct hakmem_node *n = s->node[nid];

		if (!n)
			continue;
		spin_lock(&n->lock);
		pages += n->nr_pages;
		*ss_max = max(*ss_max, n->nr_ss);
		spin_unlock(&n->lock);
	}
	return pages;
}

/*
 * The pages a side holds: slab pages (the kernel's caches, and hakmem's
 * kmalloc'ed metadata) plus, for hakmem, its SuperSlabs.  The slab figure
 * is the global counter, which lags by at most the per-CPU vmstat
 * thresholds (tens of pages on a small guest).
 */
static long hbench_pages(const struct hbench_target *t, unsigned long *ss_max)
{
	long pages = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);

	*ss_max = 0;
	if (t->side == HBENCH_HAKMEM)
		pages += hbench_hakmem_pages(t->hc, ss_max);
	return pages;
}

/*
 * One memory sample: pages held with @n live objects of the cache, then
 * after freeing them all and shrinking.  Fresh caches each time.
 */
static int hbench_mem_one(const struct hbench_scn *scn, enum hbench_side side,
			  void **objs, u64 *live, u64 *after,
			  unsigned long *ss_max)
{
	struct hbench_target tg[2];
	unsigned long i, dummy;
	long before;
	int err;

	err = hbench_targets_init(scn, tg);
	if (err)
		return err;
	/*
	 * Metadata the last sample freed through RCU (hakmem's SuperSlab
	 * descriptors) must not leave the slab counter while this one counts.
	 */
	rcu_barrier();
	before = hbench_pages(&tg[side], &dummy);
	for (i = 0; i < scn->objs; i++) {
		objs[i] = side == HBENCH_HAKMEM ?
			  hakmem_cache_alloc(tg[side].hc, GFP_KERNEL) :
			  kmem_cache_alloc(tg[side].kc, GFP_KERNEL);
		if (!objs[i]) {
			err = -ENOMEM;
			break;
		}
		hbench_touch(objs[i], i);
		if (i % 4096 == 0)
			cond_resched();
	}
	if (!err)
		*live = max(hbench_pages(&tg[side], &dummy) - before, 0L) * 1000;
	while (i--)
		hbench_free_one(&tg[side], objs[i]);
	if (side == HBENCH_HAKMEM)
		hakmem_cache_shrink(tg[side].hc);
	else
		kmem_cache_shrink(tg[side].kc);
	/* What the shrink freed through RCU is gone only after this. */
	rcu_barrier();
	if (!err)
		*after = max(hbench_pages(&tg[side], ss_max) - before, 0L) * 1000;
	hbench_targets_exit(tg);
	return err;
}

static int hbench_mem(void)
{
	/*
	 * hakmem last: what its metadata leaves in the kmalloc caches drains
	 * back to the page allocator only later, and would shrink the slab
	 * counter while a following sample counts.
	 */
	static const enum hbench_slot order[HBENCH_NR_SLOTS] = {
		HBENCH_SLOT_KERNEL, HBENCH_SLOT_AA, HBENCH_SLOT_HAKMEM
	};
	u64 (*live)[HBENCH_MAX_REPS], (*after)[HBENCH_MAX_REPS];
	struct hbench_scn scn = {
		.group = "mem", .api = HBENCH_API_CACHE, .size = 64,
		.objs = mem_objs, .unit = "pages",
	};
	unsigned long ss_max = 0, ss;
	unsigned int k;
	char extra[64];
	void **objs;
	int err = 0;

	if (!mem_objs)
		return 0;
	live = kcalloc(2 * HBENCH_NR_SLOTS, sizeof(*live), GFP_KERNEL);
	objs = vmalloc_array(mem_objs, sizeof(*objs));
	if (!live || !objs) {
		kfree(live);
		vfree(objs);
		return -ENOMEM;
	}
	after = live + HBENCH_NR_SLOTS;
	/* One sample per slot: page counts barely move between runs. */
	for (k = 0; k < HBENCH_NR_SLOTS && !err; k++) {
		enum hbench_slot slot = order[k];

		if (slot == HBENCH_SLOT_AA && !aa)
			continue;
		err = hbench_mem_one(&scn, slot == HBENCH_SLOT_HAKMEM ?
				     HBENCH_HAKMEM : HBENCH_KERNEL, objs,
				     &live[slot][0], &after[slot][0], &ss);
		if (slot == HBENCH_SLOT_HAKMEM)
			ss_max = ss;
		if (!err && hbench_stopping())
			err = -EINTR;
	}
	vfree(objs);
	if (err) {
		pr_err("mem: failed: %d\n", err);
		kfree(live);
		return err;
	}
	snprintf(scn.name, sizeof(scn.name), "mem_live_%uk_64", mem_objs / 1000);
	hbench_emit(&scn, live, 1, aa, "");
	snprintf(scn.name, sizeof(scn.name), "mem_shrunk_64");
	snprintf(extra, sizeof(extra), ",\"hakmem_ss_per_node_max\":%lu", ss_max);
	hbench_emit(&scn, after, 1, aa, extra);
	pr_info("mem: after free-all and shrink hakmem holds at most %lu SuperSlab(s) per node\n",
		ss_max);
	kfree(live);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The run                                                             */

static int hbench_single(unsigned int groups)
{
	static const unsigned int hot_sizes[] = { 16, 64, 256, 1024 };
	static const unsigned int batch_nr[] = { 10, 100, 1000 };
	static const unsigned int bulk_nr[] = { 8, 64 };
	struct hbench_scn scn = { .unit = "ns/obj", .objs = ops };
	unsigned int i;
	int err;

	if (groups & HBENCH_G_HOT) {
		scn.group = "hot";
		scn.kind = HBENCH_HOT;
		scn.nr = 1;
		for (i = 0; i < 2 * ARRAY_SIZE(hot_sizes); i++) {
			scn.api = i < ARRAY_SIZE(hot_sizes) ? HBENCH_API_CACHE :
							     HBENCH_API_TINY;
			scn.size = hot_sizes[i % ARRAY_SIZE(hot_sizes)];
			snprintf(scn.name, sizeof(scn.name), "hot_%s_%u",
				 scn.api == HBENCH_API_CACHE ? "cache" : "tiny",
				 scn.size);
			err = hbench_measure(&scn);
			if (err)
				return err;
		}
	}
	if (groups & HBENCH_G_BATCH) {
		scn.group = "batch";
		scn.kind = HBENCH_BATCH;
		scn.size = 64;
		for (i = 0; i <= ARRAY_SIZE(batch_nr); i++) {
			/* Every batch size from a cache, the largest also tiny. */
			scn.api = i < ARRAY_SIZE(batch_nr) ? HBENCH_API_CACHE :
							    HBENCH_API_TINY;
			scn.nr = batch_nr[min_t(unsigned int, i,
						ARRAY_SIZE(batch_nr) - 1)];
			snprintf(scn.name, sizeof(scn.name), "batch_%s_%u",
				 scn.api == HBENCH_API_CACHE ? "cache" : "tiny",
				 scn.nr);
			scn.objs = max_t(unsigned long, ops / scn.nr, 1) * scn.nr;
			err = hbench_measure(&scn);
			if (err)
				return err;
		}
	}
	if (groups & HBENCH_G_BULK) {
		scn.group = "bulk";
		scn.kind = HBENCH_BULK;
		scn.api = HBENCH_API_CACHE;
		scn.size = 64;
		for (i = 0; i < ARRAY_SIZE(bulk_nr); i++) {
			scn.nr = bulk_nr[i];
			snprintf(scn.name, sizeof(scn.name), "bulk_cache_%u",
				 scn.nr);
			scn.objs = max_t(unsigned long, ops / scn.nr, 1) * scn.nr;
			err = hbench_measure(&scn);
			if (err)
				return err;
		}
	}
	if (groups & HBENCH_G_MEM)
		return hbench_mem();
	return 0;
}

/* The first @nr online CPUs into @scn->cpus. */
static void hbench_pick_cpus(struct hbench_scn *scn, unsigned int nr)
{
	unsigned int i = 0;
	int c;

	for_each_online_cpu(c) {
		if (i == nr)
			break;
		scn->cpus[i++] = c;
	}
	scn->nr = i;
}

/* Cross-CPU objects around a ring of @n CPUs. */
static int hbench_ring(struct hbench_scn *scn, unsigned int n)
{
	hbench_pick_cpus(scn, n);
	scn->kind = HBENCH_RING;
	scn->api = HBENCH_API_CACHE;
	scn->size = 64;
	scn->objs = (unsigned long)mt_ops * n;
	snprintf(scn->name, sizeof(scn->name), "cross_ring_%ucpu", n);
	return hbench_measure(scn);
}

/* Larson on @n CPUs, through the tiny classes. */
static int hbench_larson_row(struct hbench_scn *scn, unsigned int n)
{
	hbench_pick_cpus(scn, n);
	scn->kind = HBENCH_LARSON;
	scn->api = HBENCH_API_TINY;
	scn->size = 0;
	scn->objs = (unsigned long)larson_rounds * larson_gens * n;
	snprintf(scn->name, sizeof(scn->name), "larson_%ucpu", n);
	return hbench_measure(scn);
}

static int hbench_multi(unsigned int groups)
{
	unsigned int online = num_online_cpus(), i, n;
	struct hbench_scn scn = {
		.api = HBENCH_API_CACHE, .size = 64, .unit = "Mops/s",
		.throughput = true,
	};
	int err;

	if (online < 2) {
		pr_info("one CPU online: no cross-CPU scenarios\n");
		groups &= ~HBENCH_G_CROSS;
	}
	if (online > ARRAY_SIZE(scn.cpus))
		online = ARRAY_SIZE(scn.cpus);

	if (groups & HBENCH_G_CROSS) {
		scn.group = "cross";
		hbench_pick_cpus(&scn, 2);
		scn.kind = HBENCH_CROSS_PAIR;
		scn.objs = mt_ops;
		snprintf(scn.name, sizeof(scn.name), "cross_pair_%d_%d",
			 scn.cpus[0], scn.cpus[1]);
		err = hbench_measure(&scn);
		if (err)
			return err;
		scn.kind = HBENCH_CROSS_ALL;
		scn.nr = online;
		scn.objs = (unsigned long)mt_ops * online * (online - 1);
		snprintf(scn.name, sizeof(scn.name), "cross_allpairs_%ucpu",
			 online);
		err = hbench_measure(&scn);
		if (err)
			return err;
	}
	for (i = 0; (groups & HBENCH_G_SCALE) && i < nr_scale_cpus; i++) {
		n = scale_cpus[i];
		if (n < 1 || n > online) {
			pr_info("scale: %u CPUs asked, %u online: skipped\n",
				n, online);
			continue;
		}
		scn.group = "scale";
		err = hbench_ring(&scn, n);
		/* Larson on every CPU is the "larson" row: run it once. */
		if (!err && !(n == online && (groups & HBENCH_G_LARSON)))
			err = hbench_larson_row(&scn, n);
		if (err)
			return err;
	}
	if (groups & HBENCH_G_LARSON) {
		scn.group = "larson";
		return hbench_larson_row(&scn, online);
	}
	return 0;
}

static int hbench_parse(unsigned int *groups)
{
	char *copy, *cur, *tok;
	unsigned int i;
	int err = 0;

	*groups = 0;
	copy = kstrdup(run, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cur = copy;
	while ((tok = strsep(&cur, ",")) && !err) {
		if (!*tok)
			continue;
		for (i = 0; i < ARRAY_SIZE(hbench_groups); i++) {
			if (!strcmp(tok, hbench_groups[i].name)) {
				*groups |= hbench_groups[i].mask;
				break;
			}
		}
		if (i == ARRAY_SIZE(hbench_groups)) {
			pr_err("run: unknown scenario '%s'\n", tok);
			err = -EINVAL;
		}
	}
	kfree(copy);
	return err;
}

static DECLARE_COMPLETION(hbench_done);
static int hbench_status;

static int hbench_main(void *arg)
{
	unsigned int groups = *(unsigned int *)arg;
	int err = 0;

	pr_info("kernel %s, %u CPUs online, run=%s reps=%u ops=%u mt_ops=%u larson=%ux%ux%u mem_objs=%u seed=%lu aa=%d\n",
		init_utsname()->release, num_online_cpus(), run, reps, ops,
		mt_ops, larson_slots, larson_rounds, larson_gens, mem_objs,
		seed, aa);
	if (groups & HBENCH_G_SINGLE)
		err = hbench_single(groups);
	if (!err && (groups & HBENCH_G_MULTI))
		err = hbench_multi(groups);
	hbench_status = err;
	pr_info("HAKMEM_BENCH_END status=%d\n", err);
	complete(&hbench_done);
	return 0;
}

static int __init hakmem_bench_init(void)
{
	struct task_struct *task;
	unsigned int groups;
	int err;

	if (reps < 1 || reps > HBENCH_MAX_REPS || !ops || !mt_ops ||
	    !larson_slots || !larson_rounds || !larson_gens) {
		pr_err("reps must be 1..%u; ops, mt_ops and larson_* above 0\n",
		       HBENCH_MAX_REPS);
		return -EINVAL;
	}
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		pr_err("cpu %d is not online\n", cpu);
		return -EINVAL;
	}
	err = hbench_parse(&groups);
	if (err)
		return err;

	task = kthread_create(hbench_main, &groups, "hakmem_bench");
	if (IS_ERR(task))
		return PTR_ERR(task);
	get_task_struct(task);
	kthread_bind(task, cpu);
	wake_up_process(task);
	/* Killable: a long run is no hung task, and ^C ends it early. */
	if (wait_for_completion_killable(&hbench_done)) {
		WRITE_ONCE(hbench_stop, true);
		wait_for_completion(&hbench_done);
	}
	kthread_stop(task);
	put_task_struct(task);
	return hbench_status;
}

static void __exit hakmem_bench_exit(void)
{
}

module_init(hakmem_bench_init);
module_exit(hakmem_bench_exit);

MODULE_DESCRIPTION("hakmem-slab benchmarks against the kernel's slab allocator");
MODULE_LICENSE("GPL");
