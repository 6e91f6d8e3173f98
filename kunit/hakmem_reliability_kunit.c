// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_reliability: how hakmem-slab behaves when things go
 * wrong around it.
 *
 *   fail_nth       every page allocation of a scripted workload fails in
 *                  turn (the task's fail-nth counter, the kernel's fault
 *                  injection): each failure gives NULL or 0 from bulk
 *                  cleanly, counters balance, the next allocation works
 *   hotplug_load   CPUs go offline and online while kthreads allocate and
 *                  free on every CPU; no object is lost
 *   shrinker       reclaim's count/scan calls give memory back
 *   rcu_typesafe   SLAB_TYPESAFE_BY_RCU: a reader in rcu_read_lock() still
 *                  sees an object of the type after it was freed and its
 *                  SuperSlab released (KASAN would flag the pages)
 *
 * Locking: the hotplug workers share nothing but atomics; the RCU case's
 * reader spins on a flag inside its read-side section, never sleeps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "hakmem_test.h"

static unsigned int hotplug_cycles = 100;
module_param(hotplug_cycles, uint, 0444);
MODULE_PARM_DESC(hotplug_cycles, "CPU offline/online cycles under load (default 100)");

/*
 * The control of hotplug_load: the same load and hotplug cycles with
 * kmalloc()/kfree() in place of hakmem, so that a kernel warning seen under
 * the hotplug load can be told apart from one hakmem causes (compare rates
 * over several boots; Documentation/testing.rst).
 */
static bool hotplug_kmalloc;
module_param(hotplug_kmalloc, bool, 0444);
MODULE_PARM_DESC(hotplug_kmalloc, "hotplug_load allocates with kmalloc, not hakmem: a control (default off)");

/* Objects users hold, by the statistics. */
static long hk_held(struct hakmem_cache *s)
{
	return hakmem_stat_sum(s, HAKMEM_ALLOC_HIT) + hakmem_stat_sum(s, HAKMEM_ALLOC_MISS) -
	       hakmem_stat_sum(s, HAKMEM_FREE_HIT) - hakmem_stat_sum(s, HAKMEM_FREE_MISS);
}

KUNIT_DEFINE_ACTION_WRAPPER(hk_destroy_action, hakmem_cache_destroy, struct hakmem_cache *);

static struct hakmem_cache *hk_cache(struct kunit *test, const char *name,
				     unsigned int size, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct hakmem_cache *s = hakmem_cache_create(name, size, 0, flags, ctor);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_destroy_action, s));
	return s;
}

/* --- fail-nth sweep ------------------------------------------------------ */

#define HK_CTOR_MAGIC	0x6b6d6b6dU

#ifdef CONFIG_FAULT_INJECTION

static void hk_magic_ctor(void *obj)
{
	*(u32 *)obj = HK_CTOR_MAGIC;
}

/*
 * The scripted workload: single allocations across several SuperSlabs,
 * then a bulk allocation.  Returns how many allocations failed; every
 * object it got is checked and freed, and the counters must balance.
 */
static unsigned int hk_workload(struct kunit *test, struct hakmem_cache *s,
				void **objs, unsigned int nr, gfp_t gfp)
{
	unsigned int i, got, failed = 0;

	for (got = 0; got < nr; got++) {
		objs[got] = hakmem_cache_alloc(s, gfp);
		if (!objs[got]) {
			failed++;
			break;
		}
		if (s->ctor)
			KUNIT_EXPECT_EQ(test, *(u32 *)objs[got], HK_CTOR_MAGIC);
	}
	KUNIT_EXPECT_EQ(test, hk_held(s), (long)got);
	if (got + 64 <= nr) {
		if (hakmem_cache_alloc_bulk(s, gfp, 64, objs + got) == 64)
			got += 64;
		else
			failed++;
		/* All or nothing: the bulk left nothing behind on failure. */
		KUNIT_EXPECT_EQ(test, hk_held(s), (long)got);
	}
	for (i = 0; i < got; i++)
		hakmem_cache_free(s, objs[i]);
	KUNIT_EXPECT_EQ(test, hk_held(s), 0L);
	hakmem_drain_all(s);
	KUNIT_EXPECT_EQ(test, hakmem_nodes_sum(s, nr_inuse), 0UL);
	return failed;
}

/*
 * The bytes of a fresh cache's first @nr SuperSlabs on one node, each of
 * the order hakmem_ss_grow_order() gives it; *@next: the order of the one
 * after them.
 */
static unsigned long hk_first_ss_bytes(struct hakmem_cache *s, unsigned int nr,
				       unsigned int *next)
{
	unsigned long bytes = 0, slabs = 0;
	unsigned int order;

	while (nr--) {
		order = hakmem_ss_grow_order(s, slabs);
		bytes += PAGE_SIZE << order;
		slabs += 1UL << (order - s->slab_order);
	}
	*next = hakmem_ss_grow_order(s, slabs);
	return bytes;
}

/*
 * The first of the workload's @calls SuperSlabs larger than one slab fails
 * its first attempt, and only that: one SuperSlab of one slab in its place
 * absorbs it, the workload sees no failure and hakmem says nothing.
 */
static void hk_fallback_absorbs(struct kunit *test, struct hakmem_cache *s,
				void **objs, unsigned int nr, unsigned int calls)
{
	struct fault_attr *attr = hakmem_fault_attr();
	unsigned long space = 0, fallbacks;
	unsigned int n, order;

	for (n = 0; n < calls; n++) {
		space = hk_first_ss_bytes(s, n, &order);
		if (order > s->slab_order)
			break;
	}
	KUNIT_ASSERT_LT_MSG(test, n, calls, "no SuperSlab of the workload is larger than one slab");
	hakmem_cache_shrink(s);
	fallbacks = hakmem_stat_sum(s, HAKMEM_SS_FALLBACK);
	hk_expect_begin(test, 0);
	atomic_set(&attr->space, space + 1);
	atomic_set(&attr->times, 1);
	attr->interval = 1;
	attr->probability = 100;
	KUNIT_EXPECT_EQ(test, hk_workload(test, s, objs, nr, GFP_KERNEL), 0U);
	attr->probability = 0;
	hk_expect_end(test);
	KUNIT_EXPECT_EQ(test, atomic_read(&attr->times), 0);
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(s, HAKMEM_SS_FALLBACK), fallbacks + 1);
}

/*
 * Sweep the workload's page allocations: the n-th fails, n = 1 .. all.
 * With @whole the n-th SuperSlab allocation fails at every order (the
 * fault attributes: a space budget lets the n - 1 SuperSlabs before it
 * through, then its attempts fail), so the caller must see NULL or 0 each
 * time.
 * Without it only the n-th page allocation fails (the task's fail-nth),
 * which a smaller SuperSlab absorbs.
 */
static void hk_fail_nth_one(struct kunit *test, unsigned int size,
			    slab_flags_t flags, void (*ctor)(void *), bool whole)
{
	struct hakmem_cache *s = hk_cache(test, "hakmem-failnth", size, flags, ctor);
	struct fault_attr *attr = hakmem_fault_attr();
	unsigned int nr, n, calls, order, failures = 0;
	void **objs, *one;

	nr = 3 * (s->capacity << HAKMEM_SS_SLABS_SHIFT) + 64 + 1;
	objs = kvcalloc(nr, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);

	/* Dry run: every page allocation of the workload succeeds. */
	KUNIT_EXPECT_EQ(test, hk_workload(test, s, objs, nr, GFP_KERNEL), 0U);
	calls = hakmem_stat_sum(s, HAKMEM_SS_ALLOC);
	KUNIT_EXPECT_GE(test, calls, 3U);
	KUNIT_EXPECT_EQ(test, hakmem_cache_shrink(s), 0);

	/*
	 * One attempt: each SuperSlab passes several fault points (its pages,
	 * its descriptor, its registry id), and a node's first four are one
	 * slab, with no smaller order to fall back to: the sweep goes on far
	 * enough to fail the first attempt of the larger ones after them.
	 */
	for (n = 1; n <= (whole ? calls : 6 * calls); n++) {
		hakmem_cache_shrink(s);
		KUNIT_EXPECT_EQ(test, hakmem_nodes_sum(s, nr_pages), 0UL);
		/*
		 * Whole: one allocation fails and hakmem says "out of memory"
		 * once.  One attempt: where the n-th fault point falls depends
		 * on the kernel, so the workload asks with __GFP_NOWARN and
		 * hakmem must say nothing.  Announced before the fault is armed:
		 * announcing allocates.
		 */
		hk_expect_begin(test, whole ? 1 : 0);
		if (whole) {
			/*
			 * should_fail() passes calls while space > size.  The
			 * n-th SuperSlab fails twice, at its order and at one
			 * slab's, or once when it is of one slab already.
			 */
			atomic_set(&attr->space, hk_first_ss_bytes(s, n - 1, &order) + 1);
			atomic_set(&attr->times, order > s->slab_order ? 2 : 1);
			attr->interval = 1;
			attr->probability = 100;
		} else {
			/* The n-th fault-injection point this task reaches fails. */
			WRITE_ONCE(current->fail_nth, n);
		}
		failures += hk_workload(test, s, objs, nr,
					whole ? GFP_KERNEL : GFP_KERNEL | __GFP_NOWARN) ? 1 : 0;
		attr->probability = 0;
		WRITE_ONCE(current->fail_nth, 0);
		/* Whatever failed, the next allocation works. */
		one = hakmem_cache_alloc(s, GFP_KERNEL);
		hk_expect_end(test);
		KUNIT_EXPECT_NOT_NULL(test, one);
		hakmem_cache_free(s, one);
	}
	kunit_info(test, "size %u, %s: %u page allocations, %u failures surfaced\n",
		   size, whole ? "whole SuperSlab" : "one attempt", calls, failures);
	/*
	 * Other fault points this task passes (failslab, fail_page_alloc)
	 * also count fail-nth down, and on a debug kernel stack depot and
	 * kmemleak reach them when they please: which single failures land
	 * on hakmem varies from boot to boot.  That one is absorbed by a
	 * smaller SuperSlab is checked where it is certain.
	 */
	if (whole)
		KUNIT_EXPECT_EQ(test, failures, calls);
	else
		hk_fallback_absorbs(test, s, objs, nr, calls);
	KUNIT_EXPECT_EQ(test, hakmem_cache_shrink(s), 0);
	KUNIT_EXPECT_EQ(test, hakmem_nodes_sum(s, nr_pages), 0UL);
	kvfree(objs);
}

/*
 * Run on a CPU whose home node has a free page.  On a CPU of a node with
 * none (vm-run.sh --numa exhausted), a refill first probes the home node
 * once its "no pages" mark expires: that probe takes the injected
 * failures, the growth on the nearest node succeeds, and the "whole"
 * rounds never see the failure they announce.
 */
static void hk_pin_where_home_has_pages(struct kunit *test)
{
	struct page *page;
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		KUNIT_ASSERT_EQ(test, 0, set_cpus_allowed_ptr(current, cpumask_of(cpu)));
		page = alloc_pages_node(hakmem_home_node(),
					GFP_NOWAIT | __GFP_THISNODE | __GFP_NOWARN, 0);
		if (page) {
			__free_pages(page, 0);
			return;
		}
	}
	KUNIT_FAIL(test, "no online CPU's home node has a free page");
}

static void hakmem_reliability_fail_nth(struct kunit *test)
{
	hk_pin_where_home_has_pages(test);
	hk_fail_nth_one(test, 64, 0, NULL, false);
	hk_fail_nth_one(test, 64, 0, NULL, true);
	/* Order-0 slabs fall back from order-3 SuperSlabs; a ctor runs on each. */
	hk_fail_nth_one(test, 1000, SLAB_RED_ZONE, hk_magic_ctor, false);
	hk_fail_nth_one(test, 1000, SLAB_RED_ZONE, hk_magic_ctor, true);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
}
#else
static void hakmem_reliability_fail_nth(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
}
#endif /* CONFIG_FAULT_INJECTION */

/* --- CPU hotplug under load --------------------------------------------- */

struct hk_load {
	struct hakmem_cache *cache;
	atomic_t stop;
	atomic_t running;
	atomic_long_t ops;
	atomic_t errors;
	u64 seed;
};

#define HK_LOAD_SLOTS	64

static int hk_load_thread(void *arg)
{
	struct hk_load *ld = arg;
	void *slots[HK_LOAD_SLOTS] = {};
	struct rnd_state rnd;
	unsigned long ops = 0;
	unsigned int i;

	prandom_seed_state(&rnd, ld->seed ^ (unsigned long)current);
	while (!atomic_read(&ld->stop)) {
		u32 r = prandom_u32_state(&rnd);
		unsigned int k = r % HK_LOAD_SLOTS;
		u64 *obj;

		if (slots[k]) {
			obj = slots[k];
			if (obj[0] != (unsigned long)obj)
				atomic_inc(&ld->errors);
			/* Either face's object: hakmem_free() finds its cache. */
			if (hotplug_kmalloc)
				kfree(obj);
			else
				hakmem_free(obj);
		}
		if (hotplug_kmalloc)
			obj = kmalloc(8 + (r >> 16) % 1017, GFP_KERNEL);
		else if (r & 0x100)
			obj = hakmem_cache_alloc(ld->cache, GFP_KERNEL);
		else
			obj = hakmem_alloc(8 + (r >> 16) % 1017, GFP_KERNEL);
		if (obj)
			obj[0] = (unsigned long)obj;
		slots[k] = obj;
		if (!(++ops % 256)) {
			/*
			 * On PREEMPT_RT cond_resched() does nothing, and a CPU
			 * going offline waits until this loop is preempted
			 * outside its local-lock sections (migration disabled
			 * there): with nothing else to run on that CPU, that
			 * took minutes under TCG.  Sleep a little instead.
			 */
			if (IS_ENABLED(CONFIG_PREEMPT_RT))
				usleep_range(20, 50);
			else
				cond_resched();
		}
	}
	for (i = 0; i < HK_LOAD_SLOTS; i++) {
		if (hotplug_kmalloc)
			kfree(slots[i]);
		else
			hakmem_free(slots[i]);
	}
	atomic_long_add(ops, &ld->ops);
	atomic_dec(&ld->running);
	return 0;
}

static void hakmem_reliability_hotplug_load(struct kunit *test)
{
	unsigned int i, cycles = 0, threads = 0, cpu, nr_cand = 0;
	unsigned int *cand;
	struct hk_load *ld;
	int ret;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU))
		kunit_skip(test, "this kernel has no CONFIG_HOTPLUG_CPU");
	if (num_online_cpus() < 2)
		kunit_skip(test, "one CPU online: none to take offline");
	if (!hotplug_cycles)
		kunit_skip(test, "hotplug_cycles=0");
	/* Every online CPU but the first, if it can go offline at all. */
	cand = kunit_kcalloc(test, nr_cpu_ids, sizeof(*cand), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cand);
	for_each_online_cpu(cpu)
		if (cpu != cpumask_first(cpu_online_mask) && cpu_is_hotpluggable(cpu))
			cand[nr_cand++] = cpu;
	if (!nr_cand)
		kunit_skip(test, "no online CPU can go offline on this machine");
	ld = kunit_kzalloc(test, sizeof(*ld), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ld);
	ld->cache = hk_cache(test, "hakmem-hotplug", 96, 0, NULL);
	ld->seed = get_random_u64();
	kunit_info(test, "seed %llu, %u cycles over %u CPUs, %s\n", ld->seed,
		   hotplug_cycles, nr_cand,
		   hotplug_kmalloc ? "kmalloc (the control)" : "hakmem");

	for (i = 0; i < num_online_cpus(); i++) {
		struct task_struct *t = kthread_run(hk_load_thread, ld, "hk_load/%u", i);

		if (IS_ERR(t))
			continue;
		atomic_inc(&ld->running);
		threads++;
	}
	KUNIT_EXPECT_EQ(test, threads, num_online_cpus());
	/* Every cycle must happen: a CPU that does not go down is a failure. */
	for (i = 0; i < hotplug_cycles; i++) {
		cpu = cand[i % nr_cand];
		ret = remove_cpu(cpu);
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "remove_cpu(%u), cycle %u", cpu, i);
		if (ret)
			continue;
		usleep_range(1000, 2000);
		ret = add_cpu(cpu);
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "add_cpu(%u), cycle %u", cpu, i);
		if (ret)
			break;
		cycles++;
	}
	atomic_set(&ld->stop, 1);
	while (atomic_read(&ld->running))
		msleep(20);
	for_each_possible_cpu(cpu)
		if (!cpu_online(cpu))
			add_cpu(cpu);

	kunit_info(test, "%u cycles, %u threads, %ld operations\n", cycles, threads,
		   atomic_long_read(&ld->ops));
	KUNIT_EXPECT_EQ(test, cycles, hotplug_cycles);
	KUNIT_EXPECT_EQ(test, atomic_read(&ld->errors), 0);
	/* No object lost: what users hold by the counters is what is out. */
	KUNIT_EXPECT_EQ(test, hk_held(ld->cache), 0L);
	hakmem_drain_all(ld->cache);
	KUNIT_EXPECT_EQ(test, hakmem_nodes_sum(ld->cache, nr_inuse), 0UL);
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(ld->cache, HAKMEM_INVALID_FREE) +
			hakmem_stat_sum(ld->cache, HAKMEM_DOUBLE_FREE), 0UL);
}

/* --- shrinker ------------------------------------------------------------ */

static void hakmem_reliability_shrinker(struct kunit *test)
{
	struct shrinker *shrinker = hakmem_shrinker_get();
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nr_to_scan = 128,
	};
	struct hakmem_cache *s;
	unsigned long before, count, freed;
	unsigned int i, nr, rounds;
	void **objs;

	/* Every kernel hakmem builds for has shrinkers: NULL means it failed. */
	KUNIT_ASSERT_NOT_NULL_MSG(test, shrinker,
				  "hakmem's shrinker was not registered at load");
	s = hk_cache(test, "hakmem-shrink", 128, 0, NULL);
	nr = 3 * (s->capacity << HAKMEM_SS_SLABS_SHIFT);
	objs = kvcalloc(nr, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < nr; i++) {
		objs[i] = hakmem_cache_alloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	for (i = 0; i < nr; i++)
		hakmem_cache_free(s, objs[i]);
	kvfree(objs);

	/* All free, but magazines, empty slabs and the reserve hold pages. */
	before = hakmem_nodes_sum(s, nr_pages);
	KUNIT_EXPECT_GT(test, before, 0UL);
	count = shrinker->count_objects(shrinker, &sc);
	KUNIT_EXPECT_GT(test, count, 0UL);
	KUNIT_EXPECT_NE(test, count, SHRINK_EMPTY);
	/*
	 * As reclaim does: scans of nr_to_scan pages each, as long as the
	 * count says there is more (each scan does a bounded amount of work).
	 */
	for (freed = 0, rounds = 0; rounds < 1024; rounds++) {
		unsigned long ret = shrinker->scan_objects(shrinker, &sc);

		if (ret == SHRINK_STOP)
			break;
		freed += ret;
		count = shrinker->count_objects(shrinker, &sc);
		if (!count || count == SHRINK_EMPTY)
			break;
	}
	KUNIT_EXPECT_LT(test, rounds, 1024U);
	KUNIT_EXPECT_GE(test, freed, before);
	KUNIT_EXPECT_EQ(test, hakmem_nodes_sum(s, nr_pages), 0UL);
}

/* --- SLAB_TYPESAFE_BY_RCU ------------------------------------------------ */

struct hk_rcu_obj {
	u32 magic;
	u32 gen;
	u64 payload[6];
};

static void hk_rcu_ctor(void *p)
{
	struct hk_rcu_obj *o = p;

	o->magic = HK_CTOR_MAGIC;
	o->gen = 0;
}

struct hk_rcu_ctx {
	struct hakmem_cache *cache;
	struct hk_rcu_obj *obj;
	int done;
};

/* On another CPU: free the object and give its SuperSlab back. */
static int hk_rcu_freer(void *arg)
{
	struct hk_rcu_ctx *ctx = arg;

	hakmem_cache_free(ctx->cache, ctx->obj);
	hakmem_cache_shrink(ctx->cache);
	/* Order the free and release before the reader's loads; pairs below. */
	smp_store_release(&ctx->done, 1);
	return 0;
}

static void hakmem_reliability_rcu_typesafe(struct kunit *test)
{
	struct hk_rcu_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct task_struct *t;
	struct hk_rcu_obj *o;
	unsigned long ss_free;
	unsigned int me;
	u32 magic, gen;

	/*
	 * The reader spins in its read-side section until the freer is done:
	 * the freer needs a CPU of its own, or (one CPU, or no preemption)
	 * it never runs.
	 */
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs: the reader spins while another frees");
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->cache = hk_cache(test, "hakmem-rcu", sizeof(struct hk_rcu_obj),
			      SLAB_TYPESAFE_BY_RCU, hk_rcu_ctor);
	ctx->obj = hakmem_cache_alloc(ctx->cache, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->obj);
	KUNIT_EXPECT_EQ(test, ctx->obj->magic, HK_CTOR_MAGIC);
	ctx->obj->gen = 1;
	ss_free = hakmem_stat_sum(ctx->cache, HAKMEM_SS_FREE);

	t = kthread_create(hk_rcu_freer, ctx, "hk_rcu_freer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	me = raw_smp_processor_id();
	KUNIT_ASSERT_EQ(test, 0, set_cpus_allowed_ptr(current, cpumask_of(me)));
	kthread_bind(t, cpumask_any_but(cpu_online_mask, me));
	rcu_read_lock();
	o = ctx->obj;
	wake_up_process(t);
	/* Spin, never sleep, inside the read-side section. */
	while (!smp_load_acquire(&ctx->done))
		cpu_relax();
	/* Freed and its SuperSlab released, yet still an object of the type. */
	magic = READ_ONCE(o->magic);
	gen = READ_ONCE(o->gen);
	rcu_read_unlock();

	KUNIT_EXPECT_EQ(test, magic, HK_CTOR_MAGIC);
	KUNIT_EXPECT_EQ(test, gen, 1U);
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(ctx->cache, HAKMEM_SS_FREE), ss_free + 1);
	KUNIT_EXPECT_EQ(test, hakmem_nodes_sum(ctx->cache, nr_pages), 0UL);
	/* The pages themselves go after the grace period. */
	rcu_barrier();
}

static struct kunit_case hakmem_reliability_cases[] = {
	KUNIT_CASE_SLOW(hakmem_reliability_fail_nth),
	KUNIT_CASE(hakmem_reliability_shrinker),
	KUNIT_CASE(hakmem_reliability_rcu_typesafe),
	KUNIT_CASE_SLOW(hakmem_reliability_hotplug_load),
	{}
};

static struct kunit_suite hakmem_reliability_suite = {
	.name = "hakmem_reliability",
	.test_cases = hakmem_reliability_cases,
};

kunit_test_suite(hakmem_reliability_suite);

MODULE_IMPORT_NS(HAKMEM_NS);
MODULE_IMPORT_NS(HAKMEM_INTERNAL_NS);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of hakmem-slab under faults, hotplug, reclaim and RCU");
