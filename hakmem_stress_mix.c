// SPDX-License-Identifier: GPL-2.0
/*
 * The loads that run beside the load-time stress (stress_ms=, in
 * hakmem_selftest.c).  While its threads allocate and free on every CPU,
 * these use the same cache and the tiny classes in the other ways a
 * kernel does:
 *
 *   shrink   a kthread shrinks and drains the stress cache and random tiny
 *            classes, and runs hakmem's shrinker (count, then scan)
 *   bulk     a kthread allocates and frees 1..64 objects at a time with
 *            hakmem_cache_alloc_bulk() / hakmem_cache_free_bulk()
 *   irq      an hrtimer per CPU allocates with GFP_ATOMIC and frees in its
 *            callback: hardirq, or on PREEMPT_RT the timer softirq thread
 *            (hardirq may not allocate there, as with the slab allocator)
 *   rcu      two SLAB_TYPESAFE_BY_RCU caches, one with a constructor: a
 *            writer replaces the objects of a table and frees the old ones
 *            at once, a reader checks under rcu_read_lock() that whatever
 *            it finds is still an object of its cache (its magic intact:
 *            neither zeroed nor reused by another cache).  The writer
 *            checks that an object comes back as it was freed: constructed
 *            (constructor cache), or with what it wrote before the free
 *            (the other; the allocator may not zero such an object, not
 *            even for init_on_alloc or init_on_free, as the slab allocator
 *            does not)
 *   hotplug  a kthread takes a random CPU (never CPU 0) offline and back
 *
 * stress_mix= names them, comma-separated, or says "all" or "none".  By
 * default each is on or off by the stress seed, so that a seed replays its
 * mix; the mix is printed as "stress seed=S mix=...".
 *
 * Every check that fails prints "stress: <load>: ..." and counts one error
 * of the stress, which then prints FAILED.  A GFP_KERNEL allocation that
 * returns NULL is an error (the stress runs without memory pressure); a
 * GFP_ATOMIC one is counted and printed, not an error: an atomic request
 * for a fresh SuperSlab may find no free block of that order.
 *
 * Locking: each load owns its objects.  A timer's ring is touched only by
 * its callback, which never runs twice at once, and by hakmem_mix_stop()
 * after the timer is cancelled.  The RCU table has one writer; readers
 * use rcu_dereference().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "hakmem_internal.h"
#include "hakmem_stress_mix.h"

enum hakmem_mix_load {
	HAKMEM_MIX_SHRINK,
	HAKMEM_MIX_BULK,
	HAKMEM_MIX_IRQ,
	HAKMEM_MIX_RCU,
	HAKMEM_MIX_HOTPLUG,
	HAKMEM_MIX_NR
};

static const char * const hakmem_mix_names[HAKMEM_MIX_NR] = {
	[HAKMEM_MIX_SHRINK]	= "shrink",
	[HAKMEM_MIX_BULK]	= "bulk",
	[HAKMEM_MIX_IRQ]	= "irq",
	[HAKMEM_MIX_RCU]	= "rcu",
	[HAKMEM_MIX_HOTPLUG]	= "hotplug",
};

static char *stress_mix;
module_param(stress_mix, charp, 0444);
MODULE_PARM_DESC(stress_mix, "Loads beside the stress: shrink,bulk,irq,rcu,hotplug, all or none (default: drawn from the seed)");

/* Largest bulk request; the kernel's users ask for a few dozen at most. */
#define HAKMEM_MIX_BULK_MAX	64
/* Objects a timer keeps alive, freed in a later callback. */
#define HAKMEM_MIX_RING		32
/* A timer's period: often enough to hit the other loads mid-operation,
 * rare enough that an emulated CPU (QEMU TCG) still gets work done.
 */
#define HAKMEM_MIX_PERIOD_NS	(200 * NSEC_PER_USEC)
/* Objects of the RCU table. */
#define HAKMEM_MIX_RCU_SLOTS	64
/* Frees of the plain RCU cache remembered, to recognise a recycled object. */
#define HAKMEM_MIX_RCU_FREED	128
/* What the constructor writes into every RCU object: "hkmemrcu". */
#define HAKMEM_MIX_RCU_MAGIC	0x686b6d656d726375ULL

/* Objects of the stress cache carry this size word; tiny ones their size. */
#define HAKMEM_MIX_CACHE_OBJ	0

struct hakmem_mix;

struct hakmem_mix_timer {
	struct hrtimer timer;
	struct hakmem_mix *mix;
	void *ring[HAKMEM_MIX_RING];
	unsigned int next;
	u32 rnd;			/* xorshift32 state */
	bool started;
};

/* The two RCU caches: with a constructor, and without. */
enum { HAKMEM_MIX_RCU_CTOR, HAKMEM_MIX_RCU_PLAIN, HAKMEM_MIX_RCU_CACHES };

struct hakmem_mix_rcu_obj {
	u64 magic;	/* constructor cache: by the constructor only */
	u32 slot;
	u32 cache;	/* HAKMEM_MIX_RCU_CTOR or _PLAIN */
	u64 payload[2];
};

struct hakmem_mix {
	struct hakmem_cache *cache;	/* the stress cache */
	struct hakmem_cache *rcu_cache[HAKMEM_MIX_RCU_CACHES];
	struct hakmem_mix_rcu_obj __rcu *table[HAKMEM_MIX_RCU_SLOTS];
	/* The writer's last frees of the plain cache (ring, NULL: none). */
	void *rcu_freed[HAKMEM_MIX_RCU_FREED];
	unsigned int rcu_freed_next;
	unsigned long loads;		/* BIT(enum hakmem_mix_load) */
	u64 seed;
	atomic_t *errors;		/* the stress's error count */
	atomic_t errors_seen;		/* ours, for HAKMEM_MIX_ERR_SHOWN */
	bool stopping;
	struct task_struct *shrink, *bulk, *rcu_writer, *rcu_reader, *hotplug;
	struct hakmem_mix_timer *timers;	/* nr_cpu_ids of them */
	atomic_long_t ops[HAKMEM_MIX_NR];
	atomic_long_t atomic_nulls;
};

/* Each load draws from its own sequence of the seed. */
static u64 hakmem_mix_seed(struct hakmem_mix *mix, enum hakmem_mix_load load)
{
	return mix->seed ^ (0x6d69780000ULL + load);
}

/* Errors printed in full; the rest are counted (a broken run can make
 * thousands, and a console flood hides the first).
 */
#define HAKMEM_MIX_ERR_SHOWN	10

/* Count one error; true when it is to be printed. */
static bool hakmem_mix_fail(struct hakmem_mix *mix)
{
	atomic_inc(mix->errors);
	return atomic_inc_return(&mix->errors_seen) <= HAKMEM_MIX_ERR_SHOWN;
}

#define hakmem_mix_err(mix, fmt, ...) do {				\
	if (hakmem_mix_fail(mix))					\
		pr_err("stress: " fmt, ##__VA_ARGS__);			\
} while (0)

static u64 hakmem_mix_tag(void *obj, u64 size)
{
	return (unsigned long)obj * 0x9e3779b97f4a7c15ULL ^ size ^ 0x6d6978;
}

/* Mark a fresh object of @size bytes (HAKMEM_MIX_CACHE_OBJ: the cache's). */
static void hakmem_mix_mark(void *obj, u64 size)
{
	u64 *w = obj;

	w[1] = size;
	w[0] = hakmem_mix_tag(obj, size);
}

/* Check an object's marks and give it back to where it came from. */
static void hakmem_mix_drop(struct hakmem_mix *mix, const char *load, void *obj)
{
	u64 *w = obj;

	if (w[0] != hakmem_mix_tag(obj, w[1])) {
		hakmem_mix_err(mix, "%s: object %p damaged: %016llx %016llx\n",
			       load, obj, w[0], w[1]);
		return;		/* leak it: its size word cannot be trusted */
	}
	w[0] = 0;
	if (w[1] == HAKMEM_MIX_CACHE_OBJ)
		hakmem_cache_free(mix->cache, obj);
	else
		hakmem_free(obj);
}

/* --- shrink, drain, shrinker ------------------------------------------- */

static void hakmem_mix_run_shrinker(struct rnd_state *rnd)
{
	struct shrinker *sh = hakmem_shrinker_get();
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nid = numa_node_id(),
		.nr_to_scan = 1 + prandom_u32_state(rnd) % 256,
	};
	unsigned long count;

	if (!sh)
		return;
	count = sh->count_objects(sh, &sc);
	if (count && count != SHRINK_EMPTY)
		sh->scan_objects(sh, &sc);
}

static int hakmem_mix_shrink_fn(void *arg)
{
	struct hakmem_mix *mix = arg;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, hakmem_mix_seed(mix, HAKMEM_MIX_SHRINK));
	while (!kthread_should_stop()) {
		switch (prandom_u32_state(&rnd) % 4) {
		case 0:
			hakmem_cache_shrink(mix->cache);
			break;
		case 1:
			hakmem_drain_all(mix->cache);
			break;
		case 2:
			hakmem_cache_shrink(hakmem_tiny_cache(1 + prandom_u32_state(&rnd) %
							      HAKMEM_MAX_TINY_SIZE));
			break;
		default:
			hakmem_mix_run_shrinker(&rnd);
			break;
		}
		atomic_long_inc(&mix->ops[HAKMEM_MIX_SHRINK]);
		msleep(1 + prandom_u32_state(&rnd) % 5);
	}
	return 0;
}

/* --- bulk ---------------------------------------------------------------- */

/* Free the previous batch in bulk, after checking every object of it. */
static void hakmem_mix_bulk_free(struct hakmem_mix *mix, void **objs, int nr)
{
	int i, good = 0;

	for (i = 0; i < nr; i++) {
		u64 *w = objs[i];

		if (w[0] != hakmem_mix_tag(w, HAKMEM_MIX_CACHE_OBJ) ||
		    w[1] != HAKMEM_MIX_CACHE_OBJ) {
			hakmem_mix_err(mix, "bulk: object %p damaged: %016llx %016llx\n",
				       w, w[0], w[1]);
			continue;
		}
		w[0] = 0;
		objs[good++] = w;
	}
	hakmem_cache_free_bulk(mix->cache, good, objs);
}

static int hakmem_mix_bulk_fn(void *arg)
{
	struct hakmem_mix *mix = arg;
	struct rnd_state rnd;
	void **cur, **prev;
	int i, nr, got, held = 0;

	prandom_seed_state(&rnd, hakmem_mix_seed(mix, HAKMEM_MIX_BULK));
	cur = kcalloc(HAKMEM_MIX_BULK_MAX, sizeof(void *), GFP_KERNEL);
	prev = kcalloc(HAKMEM_MIX_BULK_MAX, sizeof(void *), GFP_KERNEL);
	if (!cur || !prev) {
		hakmem_mix_err(mix, "bulk: no memory for the object arrays\n");
		goto wait;
	}
	while (!kthread_should_stop()) {
		nr = 1 + prandom_u32_state(&rnd) % HAKMEM_MIX_BULK_MAX;
		got = hakmem_cache_alloc_bulk(mix->cache, GFP_KERNEL, nr, cur);
		if (got != nr) {
			hakmem_mix_err(mix, "bulk: %d of %d objects\n", got, nr);
			got = 0;
		}
		for (i = 0; i < got; i++)
			hakmem_mix_mark(cur[i], HAKMEM_MIX_CACHE_OBJ);
		/* The batch before lives one round: lifetimes overlap. */
		hakmem_mix_bulk_free(mix, prev, held);
		swap(cur, prev);
		held = got;
		atomic_long_add(got, &mix->ops[HAKMEM_MIX_BULK]);
		cond_resched();
	}
	hakmem_mix_bulk_free(mix, prev, held);
wait:
	kfree(cur);
	kfree(prev);
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

/* --- hrtimer: GFP_ATOMIC in interrupt context ---------------------------- */

static u32 hakmem_mix_xorshift(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static enum hrtimer_restart hakmem_mix_tick(struct hrtimer *timer)
{
	struct hakmem_mix_timer *mt = container_of(timer, struct hakmem_mix_timer, timer);
	struct hakmem_mix *mix = mt->mix;
	unsigned int i = mt->next++ % HAKMEM_MIX_RING;
	u32 r = hakmem_mix_xorshift(&mt->rnd);
	void *obj;

	if (mt->ring[i])
		hakmem_mix_drop(mix, "irq", mt->ring[i]);
	if (r & 1) {
		obj = hakmem_cache_alloc(mix->cache, GFP_ATOMIC | __GFP_NOWARN);
		if (obj)
			hakmem_mix_mark(obj, HAKMEM_MIX_CACHE_OBJ);
	} else {
		size_t size = 16 + (r >> 1) % (HAKMEM_MAX_TINY_SIZE - 15);

		obj = hakmem_alloc(size, GFP_ATOMIC | __GFP_NOWARN);
		if (obj)
			hakmem_mix_mark(obj, size);
	}
	if (!obj)
		atomic_long_inc(&mix->atomic_nulls);
	mt->ring[i] = obj;
	atomic_long_inc(&mix->ops[HAKMEM_MIX_IRQ]);
	if (READ_ONCE(mix->stopping))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(HAKMEM_MIX_PERIOD_NS));
	return HRTIMER_RESTART;
}

/* Runs on the timer's CPU (smp_call_function_single()): pinned there. */
static void hakmem_mix_timer_start(void *arg)
{
	struct hakmem_mix_timer *mt = arg;

	hrtimer_start(&mt->timer, ns_to_ktime(HAKMEM_MIX_PERIOD_NS),
		      HRTIMER_MODE_REL_PINNED);
}

static int hakmem_mix_irq_start(struct hakmem_mix *mix)
{
	unsigned int cpu;

	mix->timers = kcalloc(nr_cpu_ids, sizeof(*mix->timers), GFP_KERNEL);
	if (!mix->timers)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct hakmem_mix_timer *mt = &mix->timers[cpu];

		/* Not _HARD: on PREEMPT_RT the callback runs in softirq. */
		hrtimer_init(&mt->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
		mt->timer.function = hakmem_mix_tick;
		mt->mix = mix;
		mt->rnd = (u32)(mix->seed >> 32) ^ (u32)mix->seed ^ (cpu + 1) * 0x9e3779b9U;
		if (!mt->rnd)
			mt->rnd = 1;
		mt->started = true;
		smp_call_function_single(cpu, hakmem_mix_timer_start, mt, 1);
	}
	cpus_read_unlock();
	return 0;
}

static void hakmem_mix_irq_stop(struct hakmem_mix *mix)
{
	unsigned int cpu, i;

	if (!mix->timers)
		return;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct hakmem_mix_timer *mt = &mix->timers[cpu];

		if (!mt->started)
			continue;
		hrtimer_cancel(&mt->timer);
		for (i = 0; i < HAKMEM_MIX_RING; i++)
			if (mt->ring[i])
				hakmem_mix_drop(mix, "irq", mt->ring[i]);
	}
	kfree(mix->timers);
}

/* --- SLAB_TYPESAFE_BY_RCU ------------------------------------------------ */

static void hakmem_mix_rcu_ctor(void *p)
{
	struct hakmem_mix_rcu_obj *o = p;

	o->magic = HAKMEM_MIX_RCU_MAGIC;
	o->slot = U32_MAX;
	o->cache = HAKMEM_MIX_RCU_CTOR;
}

/* Was @o freed by the writer lately?  Then forget it: it is out again. */
static bool hakmem_mix_rcu_recycled(struct hakmem_mix *mix, void *o)
{
	unsigned int i;

	for (i = 0; i < HAKMEM_MIX_RCU_FREED; i++) {
		if (mix->rcu_freed[i] == o) {
			mix->rcu_freed[i] = NULL;
			return true;
		}
	}
	return false;
}

static void hakmem_mix_rcu_free(struct hakmem_mix *mix, struct hakmem_mix_rcu_obj *o)
{
	u32 k = o->cache;

	if (k >= HAKMEM_MIX_RCU_CACHES) {
		hakmem_mix_err(mix, "rcu: object %p damaged: cache %u\n", o, k);
		return;
	}
	hakmem_cache_free(mix->rcu_cache[k], o);
	if (k == HAKMEM_MIX_RCU_PLAIN)
		mix->rcu_freed[mix->rcu_freed_next++ % HAKMEM_MIX_RCU_FREED] = o;
}

static struct hakmem_mix_rcu_obj *hakmem_mix_rcu_new(struct hakmem_mix *mix,
						     unsigned int k)
{
	struct hakmem_mix_rcu_obj *o;

	o = hakmem_cache_alloc(mix->rcu_cache[k], GFP_KERNEL);
	if (!o) {
		hakmem_mix_err(mix, "rcu: allocation failed\n");
		return NULL;
	}
	if (k == HAKMEM_MIX_RCU_CTOR && READ_ONCE(o->magic) != HAKMEM_MIX_RCU_MAGIC)
		hakmem_mix_err(mix, "rcu: object %p of the constructor cache not constructed: %016llx\n",
			       o, o->magic);
	else if (k == HAKMEM_MIX_RCU_PLAIN && hakmem_mix_rcu_recycled(mix, o) &&
		 READ_ONCE(o->magic) != HAKMEM_MIX_RCU_MAGIC)
		hakmem_mix_err(mix, "rcu: object %p came back changed since its free: %016llx\n",
			       o, o->magic);
	/* A reader may hold @o already: it must never see another magic. */
	WRITE_ONCE(o->magic, HAKMEM_MIX_RCU_MAGIC);
	o->cache = k;
	return o;
}

static int hakmem_mix_rcu_writer_fn(void *arg)
{
	struct hakmem_mix *mix = arg;
	struct hakmem_mix_rcu_obj *new, *old;
	struct rnd_state rnd;
	unsigned int i;

	prandom_seed_state(&rnd, hakmem_mix_seed(mix, HAKMEM_MIX_RCU));
	while (!kthread_should_stop()) {
		i = prandom_u32_state(&rnd) % HAKMEM_MIX_RCU_SLOTS;
		new = hakmem_mix_rcu_new(mix, prandom_u32_state(&rnd) % HAKMEM_MIX_RCU_CACHES);
		if (new)
			WRITE_ONCE(new->slot, i);
		old = rcu_replace_pointer(mix->table[i], new, true);
		/* No grace period: readers may still hold @old, by design. */
		if (old)
			hakmem_mix_rcu_free(mix, old);
		atomic_long_inc(&mix->ops[HAKMEM_MIX_RCU]);
		cond_resched();
	}
	return 0;
}

static int hakmem_mix_rcu_reader_fn(void *arg)
{
	struct hakmem_mix *mix = arg;
	struct hakmem_mix_rcu_obj *o;
	unsigned int i;
	u64 magic;

	while (!kthread_should_stop()) {
		for (i = 0; i < HAKMEM_MIX_RCU_SLOTS; i++) {
			rcu_read_lock();
			o = rcu_dereference(mix->table[i]);
			magic = o ? READ_ONCE(o->magic) : HAKMEM_MIX_RCU_MAGIC;
			rcu_read_unlock();
			/* Report outside the read side; @o is not touched again. */
			if (magic != HAKMEM_MIX_RCU_MAGIC)
				hakmem_mix_err(mix, "rcu: reader found %p no longer an object of its cache: magic %016llx\n",
					       o, magic);
		}
		cond_resched();
	}
	return 0;
}

static void hakmem_mix_rcu_stop(struct hakmem_mix *mix)
{
	struct hakmem_mix_rcu_obj *o;
	unsigned int i;

	for (i = 0; i < HAKMEM_MIX_RCU_SLOTS; i++) {
		o = rcu_replace_pointer(mix->table[i], NULL, true);
		if (o)
			hakmem_mix_rcu_free(mix, o);
	}
	for (i = 0; i < HAKMEM_MIX_RCU_CACHES; i++)
		hakmem_cache_destroy(mix->rcu_cache[i]);
}

/* --- CPU hotplug ---------------------------------------------------------- */

static int hakmem_mix_hotplug_fn(void *arg)
{
	struct hakmem_mix *mix = arg;
	struct rnd_state rnd;
	unsigned int cpu;
	int ret;

	prandom_seed_state(&rnd, hakmem_mix_seed(mix, HAKMEM_MIX_HOTPLUG));
	while (!kthread_should_stop()) {
		/* Never CPU 0: some platforms cannot take it offline. */
		cpu = 1 + prandom_u32_state(&rnd) % max(nr_cpu_ids - 1, 1U);
		if (!cpu_online(cpu)) {
			usleep_range(1000, 2000);
			continue;
		}
		ret = remove_cpu(cpu);
		if (ret) {
			hakmem_mix_err(mix, "hotplug: taking CPU %u offline failed: %d\n",
				       cpu, ret);
			msleep(20);
			continue;
		}
		msleep(5 + prandom_u32_state(&rnd) % 20);
		ret = add_cpu(cpu);
		if (ret)
			hakmem_mix_err(mix, "hotplug: bringing CPU %u back failed: %d\n",
				       cpu, ret);
		atomic_long_inc(&mix->ops[HAKMEM_MIX_HOTPLUG]);
		msleep(5 + prandom_u32_state(&rnd) % 20);
	}
	return 0;
}

/* --- start and stop --------------------------------------------------------- */

/* The loads stress_mix= names, or the seed's draw. */
static int hakmem_mix_pick(u64 seed, unsigned long *loads)
{
	char *buf, *p, *name;
	struct rnd_state rnd;
	int i, ret = 0;

	if (!stress_mix || !*stress_mix) {
		prandom_seed_state(&rnd, seed ^ 0x6d69785f6c6f6164ULL);
		*loads = prandom_u32_state(&rnd) & (BIT(HAKMEM_MIX_NR) - 1);
		return 0;
	}
	*loads = 0;
	buf = kstrdup(stress_mix, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = buf;
	while ((name = strsep(&p, ","))) {
		if (!strcmp(name, "all")) {
			*loads |= BIT(HAKMEM_MIX_NR) - 1;
			continue;
		}
		if (!strcmp(name, "none") || !*name)
			continue;
		i = match_string(hakmem_mix_names, HAKMEM_MIX_NR, name);
		if (i < 0) {
			pr_err("stress: stress_mix: unknown load '%s'\n", name);
			ret = -EINVAL;
			continue;
		}
		*loads |= BIT(i);
	}
	kfree(buf);
	return ret;
}

static struct task_struct *hakmem_mix_kthread(struct hakmem_mix *mix,
					      int (*fn)(void *), const char *name)
{
	struct task_struct *t = kthread_run(fn, mix, "hakmem_mix/%s", name);

	if (IS_ERR(t)) {
		hakmem_mix_err(mix, "%s: no kthread: %ld\n", name, PTR_ERR(t));
		return NULL;
	}
	get_task_struct(t);
	return t;
}

static void hakmem_mix_kthread_stop(struct task_struct *t)
{
	if (!t)
		return;
	kthread_stop(t);
	put_task_struct(t);
}

/**
 * hakmem_mix_start() - start the loads beside the stress
 * @cache: the stress cache
 * @seed: the stress seed; the mix and each load's choices derive from it
 * @errors: the stress's error count, incremented on every failed check
 *
 * Prints "stress seed=S mix=LOADS" and, for a load that cannot run where
 * the capability is absent (CPU hotplug on one CPU), says so.
 *
 * Context: process context; may sleep.
 * Return: the running loads for hakmem_mix_stop(), or NULL when none runs.
 */
struct hakmem_mix *hakmem_mix_start(struct hakmem_cache *cache, u64 seed,
				    atomic_t *errors)
{
	struct hakmem_mix *mix;
	unsigned long loads;
	char names[64] = "";
	int i;

	if (hakmem_mix_pick(seed, &loads))
		atomic_inc(errors);
	for (i = 0; i < HAKMEM_MIX_NR; i++)
		if (loads & BIT(i))
			scnprintf(names + strlen(names), sizeof(names) - strlen(names),
				  "%s%s", names[0] ? "," : "", hakmem_mix_names[i]);
	pr_info("stress seed=%llu mix=%s\n", seed, names[0] ? names : "none");
	if (!loads)
		return NULL;

	mix = kzalloc(sizeof(*mix), GFP_KERNEL);
	if (!mix) {
		atomic_inc(errors);
		return NULL;
	}
	mix->cache = cache;
	mix->seed = seed;
	mix->errors = errors;
	mix->loads = loads;

	if ((loads & BIT(HAKMEM_MIX_HOTPLUG)) &&
	    (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)) {
		pr_info("stress: hotplug: not run: %s\n",
			IS_ENABLED(CONFIG_HOTPLUG_CPU) ? "one CPU online" :
			"the kernel has no CONFIG_HOTPLUG_CPU");
		mix->loads &= ~BIT(HAKMEM_MIX_HOTPLUG);
	}
	if (mix->loads & BIT(HAKMEM_MIX_RCU)) {
		mix->rcu_cache[HAKMEM_MIX_RCU_CTOR] =
			hakmem_cache_create("hakmem-stress-rcu-ctor",
					    sizeof(struct hakmem_mix_rcu_obj), 0,
					    SLAB_TYPESAFE_BY_RCU, hakmem_mix_rcu_ctor);
		mix->rcu_cache[HAKMEM_MIX_RCU_PLAIN] =
			hakmem_cache_create("hakmem-stress-rcu",
					    sizeof(struct hakmem_mix_rcu_obj), 0,
					    SLAB_TYPESAFE_BY_RCU, NULL);
		if (!mix->rcu_cache[HAKMEM_MIX_RCU_CTOR] ||
		    !mix->rcu_cache[HAKMEM_MIX_RCU_PLAIN]) {
			hakmem_mix_err(mix, "rcu: caches not created\n");
			hakmem_cache_destroy(mix->rcu_cache[HAKMEM_MIX_RCU_CTOR]);
			hakmem_cache_destroy(mix->rcu_cache[HAKMEM_MIX_RCU_PLAIN]);
			mix->loads &= ~BIT(HAKMEM_MIX_RCU);
		}
	}
	if ((mix->loads & BIT(HAKMEM_MIX_IRQ)) && hakmem_mix_irq_start(mix))
		hakmem_mix_err(mix, "irq: no memory for the timers\n");
	if (mix->loads & BIT(HAKMEM_MIX_SHRINK))
		mix->shrink = hakmem_mix_kthread(mix, hakmem_mix_shrink_fn, "shrink");
	if (mix->loads & BIT(HAKMEM_MIX_BULK))
		mix->bulk = hakmem_mix_kthread(mix, hakmem_mix_bulk_fn, "bulk");
	if (mix->loads & BIT(HAKMEM_MIX_RCU)) {
		mix->rcu_writer = hakmem_mix_kthread(mix, hakmem_mix_rcu_writer_fn, "rcu-w");
		mix->rcu_reader = hakmem_mix_kthread(mix, hakmem_mix_rcu_reader_fn, "rcu-r");
	}
	if (mix->loads & BIT(HAKMEM_MIX_HOTPLUG))
		mix->hotplug = hakmem_mix_kthread(mix, hakmem_mix_hotplug_fn, "hotplug");
	return mix;
}

/**
 * hakmem_mix_stop() - stop the loads, check and free what they hold
 * @mix: what hakmem_mix_start() returned (NULL: nothing to do)
 *
 * Every CPU the hotplug load took offline is back online on return.
 * Prints what each load did.
 *
 * Context: process context; may sleep.
 */
void hakmem_mix_stop(struct hakmem_mix *mix)
{
	if (!mix)
		return;
	WRITE_ONCE(mix->stopping, true);
	hakmem_mix_kthread_stop(mix->hotplug);
	hakmem_mix_kthread_stop(mix->shrink);
	hakmem_mix_kthread_stop(mix->bulk);
	hakmem_mix_kthread_stop(mix->rcu_writer);
	hakmem_mix_kthread_stop(mix->rcu_reader);
	hakmem_mix_irq_stop(mix);
	if (mix->loads & BIT(HAKMEM_MIX_RCU))
		hakmem_mix_rcu_stop(mix);
	if (atomic_read(&mix->errors_seen) > HAKMEM_MIX_ERR_SHOWN)
		pr_err("stress: %d more errors of the loads not shown\n",
		       atomic_read(&mix->errors_seen) - HAKMEM_MIX_ERR_SHOWN);
	pr_info("stress mix: shrink=%ld bulk=%ld irq=%ld (%ld GFP_ATOMIC NULL) rcu=%ld hotplug=%ld\n",
		atomic_long_read(&mix->ops[HAKMEM_MIX_SHRINK]),
		atomic_long_read(&mix->ops[HAKMEM_MIX_BULK]),
		atomic_long_read(&mix->ops[HAKMEM_MIX_IRQ]),
		atomic_long_read(&mix->atomic_nulls),
		atomic_long_read(&mix->ops[HAKMEM_MIX_RCU]),
		atomic_long_read(&mix->ops[HAKMEM_MIX_HOTPLUG]));
	kfree(mix);
}
