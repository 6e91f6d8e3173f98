// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_concurrency: hardirq and softirq callers sharing a CPU's
 * magazine with a task, objects allocated on one CPU and freed on another,
 * CPU hotplug, and a multi-CPU Larson stress over both faces.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/debug_locks.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include "hakmem_test.h"

static unsigned long stress_seed;
module_param(stress_seed, ulong, 0444);
MODULE_PARM_DESC(stress_seed, "PRNG seed of the stress cases (0: random; always printed)");

static unsigned int stress_ms = 2000;
module_param(stress_ms, uint, 0444);
MODULE_PARM_DESC(stress_ms, "run time of each stress case in ms (default 2000)");

static unsigned int stress_objs = 256;
module_param(stress_objs, uint, 0444);
MODULE_PARM_DESC(stress_objs, "object slots per stress thread (default 256)");

/* Objects per IRQ callback, and callbacks per context. */
#define HK_IRQ_OBJS	16
#define HK_IRQ_ROUNDS	8
/* How long to wait for an IRQ callback: KASAN under TCG is slow. */
#define HK_IRQ_WAIT	(60 * HZ)

enum hk_irq_kind {
	HK_HARDIRQ_HRTIMER,
	HK_HARDIRQ_IRQ_WORK,
	HK_SOFTIRQ_TIMER,
	HK_NR_IRQ_KINDS
};

/* On PREEMPT_RT in softirq: see hk_irq_context_ok(). */
#define HK_HRTIMER_MODE	(IS_ENABLED(CONFIG_PREEMPT_RT) ? HRTIMER_MODE_REL_SOFT : \
			 HRTIMER_MODE_REL_HARD)

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

/*
 * PREEMPT_RT allocates in no hardirq proper: its sleeping locks forbid it,
 * for the slab allocator as for hakmem.  There the hardirq kinds run where
 * RT runs such callbacks (an hrtimer's in softirq, an irq_work's in its
 * per-CPU kthread), and only must not be in hardirq.
 */
static bool hk_irq_context_ok(enum hk_irq_kind kind)
{
	if (kind == HK_SOFTIRQ_TIMER)
		return in_serving_softirq();
	return IS_ENABLED(CONFIG_PREEMPT_RT) ? !in_hardirq() : in_hardirq();
}

/* One callback: returns true while more rounds are due. */
static bool hk_irq_round(struct hk_irq_ctx *x)
{
	bool first = x->rounds == HK_IRQ_ROUNDS;
	void *objs[HK_IRQ_OBJS];
	unsigned int i;
	gfp_t gfp;

	if (!hk_irq_context_ok(x->kind))
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
			hrtimer_init(&x->hrtimer, CLOCK_MONOTONIC, HK_HRTIMER_MODE);
			x->hrtimer.function = hk_hrtimer_fn;
			hrtimer_start(&x->hrtimer, ns_to_ktime(100 * NSEC_PER_USEC),
				      HK_HRTIMER_MODE);
			break;
		case HK_HARDIRQ_IRQ_WORK:
			if (IS_ENABLED(CONFIG_PREEMPT_RT))
				x->irq_work = IRQ_WORK_INIT(hk_irq_work_fn);
			else
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

	cpu = hk_hotplug_cpu(test);
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

	/* A hotpluggable CPU that does not go down is a failure, not a skip. */
	ret = remove_cpu(cpu);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "remove_cpu(%d)", cpu);
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
	hk_expect_all_returned(test, s->cache);
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
	.init = hk_case_init,
	.test_cases = hakmem_concurrency_cases,
};

kunit_test_suite(hakmem_concurrency_suite);
