// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_numa: hakmem-slab on every NUMA shape the test VMs
 * make (two nodes; a memoryless node; a node with every page taken).
 *
 *   exhausted_node       every free page of a node taken (by this case, or
 *                        already): 1000 allocations on one of its CPUs
 *                        build no SuperSlab that is thrown away, and the
 *                        magazine serves most of them
 *   exhausted_alloc_node the same through hakmem_cache_alloc_node(node)
 *                        from another node's CPU
 *   every_cpu            on each online CPU, memoryless nodes' included:
 *                        no SuperSlab thrown away, the magazine serves
 *                        most allocations, and keeps every free of an
 *                        object of the CPU's home node
 *   routes_by_node       numa_mem_id() changes under a magazine: flushed
 *                        and drained objects go back to their own node
 *
 * The home node of a CPU, as the tests expect it: numa_mem_id(), or the
 * nearest node with normal memory when that has none (x86 reports a
 * memoryless node's CPUs on the memoryless node itself).
 *
 * The cases run their allocations on a chosen CPU through work_on_cpu();
 * each uses a cache of its own, so the counters are the case's alone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/workqueue.h>

#include "hakmem_test.h"

/* Allocations per run: enough for two SuperSlabs of the 64-byte cache. */
#define HK_NUMA_OBJS		1000U
/* Pages are taken from a node in blocks of this order, then smaller. */
#define HK_HOG_ORDER		9

static struct hakmem_cache *hk_numa_cache(struct kunit *test)
{
	return hk_create(test, "hakmem-numa", 64, 0, 0, false);
}

/* The nearest node with normal memory to @nid, @nid itself if it has. */
static int hk_numa_nearest_normal(int nid)
{
	int r, best = NUMA_NO_NODE;

	if (node_state(nid, N_NORMAL_MEMORY))
		return nid;
	for_each_node_state(r, N_NORMAL_MEMORY)
		if (best == NUMA_NO_NODE || node_distance(nid, r) < node_distance(nid, best))
			best = r;
	return best;
}

/* A node with normal memory other than @nid, or NUMA_NO_NODE. */
static int hk_numa_other_normal(int nid)
{
	int r;

	for_each_node_state(r, N_NORMAL_MEMORY)
		if (r != nid)
			return r;
	return NUMA_NO_NODE;
}

/*
 * May this case take every page of @nid?  Only if another node with
 * normal memory still has free pages for the rest of the system (on the
 * VM whose node 1 is kept full, node 0 must not be taken too).
 */
static bool hk_numa_may_hog(int nid)
{
	int r;

	for_each_node_state(r, N_NORMAL_MEMORY)
		if (r != nid && hk_node_has_free_page(r))
			return true;
	return false;
}

/* An online CPU of @nid, or -1. */
static int hk_numa_cpu_of(int nid)
{
	int cpu;

	for_each_online_cpu(cpu)
		if (cpu_to_node(cpu) == nid)
			return cpu;
	return -1;
}

/* --- taking every free page of a node ------------------------------------ */

struct hk_hog {
	struct list_head pages;
	unsigned long nr_pages;
	int nid;
};

static void hk_hog_release(void *arg)
{
	struct hk_hog *hog = arg;
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &hog->pages, lru) {
		list_del(&page->lru);
		__free_pages(page, page_private(page));
	}
	hog->nr_pages = 0;
}

/*
 * Take every page the page allocator gives on @nid without reclaim (nor
 * kswapd), down to its min watermark, so that hakmem finds the node
 * exhausted; given back when the case ends.
 */
static struct hk_hog *hk_hog_node(struct kunit *test, int nid)
{
	gfp_t gfp = __GFP_THISNODE | __GFP_NOWARN | __GFP_NOMEMALLOC;
	struct hk_hog *hog;
	struct page *page;
	int order;

	hog = kunit_kzalloc(test, sizeof(*hog), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hog);
	INIT_LIST_HEAD(&hog->pages);
	hog->nid = nid;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_hog_release, hog));
	for (order = HK_HOG_ORDER; order >= 0; order--) {
		while ((page = alloc_pages_node(nid, gfp, order))) {
			set_page_private(page, order);
			list_add(&page->lru, &hog->pages);
			hog->nr_pages += 1UL << order;
		}
	}
	kunit_info(test, "node %d: took its %lu free pages\n", nid, hog->nr_pages);
	return hog;
}

/* --- allocations on one CPU ---------------------------------------------- */

/**
 * struct hk_numa_run - allocations and frees on one CPU, and what they did
 * @s: the cache
 * @node: hakmem_cache_alloc_node()'s node, or NUMA_NO_NODE
 * @objs: the objects
 * @got: how many were allocated (HK_NUMA_OBJS unless one failed)
 * @home: the CPU's home node, as the test expects it
 * @home_objs: how many objects were of @home
 * @ss_alloc: SuperSlabs taken from the page allocator by the allocations
 * @race_lost: SuperSlabs thrown away as losers of an expansion race
 * @hit: allocations served by the magazine
 * @miss: the others
 * @free_hit: frees kept in the magazine
 * @free_miss: frees sent to their slab
 */
struct hk_numa_run {
	struct hakmem_cache *s;
	int node;
	void **objs;
	unsigned int got;
	int home;
	unsigned int home_objs;
	unsigned long ss_alloc, race_lost, hit, miss, free_hit, free_miss;
};

static long hk_numa_alloc_free_fn(void *arg)
{
	struct hk_numa_run *r = arg;
	struct hakmem_cache *s = r->s;
	unsigned int i;
	void *obj;

	r->home = hk_numa_nearest_normal(numa_mem_id());
	for (i = 0; i < HK_NUMA_OBJS; i++) {
		obj = r->node == NUMA_NO_NODE ? hakmem_cache_alloc(s, GFP_KERNEL) :
						hakmem_cache_alloc_node(s, GFP_KERNEL, r->node);
		if (!obj)
			break;
		r->objs[r->got++] = obj;
		if (page_to_nid(virt_to_page(obj)) == r->home)
			r->home_objs++;
	}
	r->ss_alloc = hakmem_stat_sum(s, HAKMEM_SS_ALLOC);
	r->race_lost = hakmem_stat_sum(s, HAKMEM_EXPAND_RACE);
	r->hit = hakmem_stat_sum(s, HAKMEM_ALLOC_HIT);
	r->miss = hakmem_stat_sum(s, HAKMEM_ALLOC_MISS);
	for (i = 0; i < r->got; i++)
		hakmem_cache_free(s, r->objs[i]);
	r->free_hit = hakmem_stat_sum(s, HAKMEM_FREE_HIT);
	r->free_miss = hakmem_stat_sum(s, HAKMEM_FREE_MISS);
	return 0;
}

/*
 * HK_NUMA_OBJS allocations and their frees on @cpu; expect no SuperSlab
 * thrown away and no more built than the objects need.
 */
static void hk_numa_run_on(struct kunit *test, struct hk_numa_run *r, int cpu,
			   int node)
{
	unsigned int per_ss;

	memset(r, 0, sizeof(*r));
	r->s = hk_numa_cache(test);
	r->node = node;
	r->objs = kunit_kcalloc(test, HK_NUMA_OBJS, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->objs);
	KUNIT_ASSERT_EQ(test, work_on_cpu_safe(cpu, hk_numa_alloc_free_fn, r), 0L);
	kunit_info(test, "cpu %d (node %d, home %d), asking node %d: superslab_alloc=%lu expand_race_lost=%lu alloc_hit=%lu alloc_miss=%lu free_hit=%lu free_miss=%lu, %u of %u objects on home\n",
		   cpu, cpu_to_node(cpu), r->home, node, r->ss_alloc, r->race_lost,
		   r->hit, r->miss, r->free_hit, r->free_miss, r->home_objs, r->got);
	KUNIT_ASSERT_EQ(test, r->got, HK_NUMA_OBJS);
	per_ss = r->s->capacity << (r->s->ss_order - r->s->slab_order);
	/*
	 * One more for a node that got pages again meanwhile (kswapd), and
	 * the ramp: a node's first two full SuperSlabs' worth come as 1, 1,
	 * 1, 1, 2, 2, 4, 4 slabs (hakmem_ss_grow_order()).
	 */
	KUNIT_EXPECT_LE(test, r->ss_alloc, (unsigned long)DIV_ROUND_UP(HK_NUMA_OBJS, per_ss) +
			2 + 2 * HAKMEM_SS_SLABS_SHIFT);
	/* The cache is this case's alone: there is no race to lose. */
	KUNIT_EXPECT_EQ(test, r->race_lost, 0UL);
	hakmem_drain_all(r->s);
	KUNIT_EXPECT_EQ(test, hakmem_nodes_sum(r->s, nr_inuse), 0UL);
}

/* Most allocations come from the magazine: a miss brings half a batch at least. */
static void hk_numa_expect_hits(struct kunit *test, struct hk_numa_run *r)
{
	unsigned long misses = DIV_ROUND_UP(HK_NUMA_OBJS, r->s->batch / 2) + 2;

	KUNIT_EXPECT_LE(test, r->miss, misses);
	KUNIT_EXPECT_GE(test, r->hit, HK_NUMA_OBJS - misses);
}

/* --- the cases ----------------------------------------------------------- */

static void hakmem_numa_exhausted_node(struct kunit *test)
{
	unsigned int runs = 0;
	struct hk_numa_run r;
	struct hk_hog *hog;
	int nid, cpu;

	for_each_node_state(nid, N_NORMAL_MEMORY) {
		cpu = hk_numa_cpu_of(nid);
		if (cpu < 0 || !hk_numa_may_hog(nid))
			continue;
		hog = hk_hog_node(test, nid);
		hk_numa_run_on(test, &r, cpu, NUMA_NO_NODE);
		hk_numa_expect_hits(test, &r);
		/* Give the node back now, not at the end of the case. */
		kunit_release_action(test, hk_hog_release, hog);
		runs++;
	}
	if (!runs)
		kunit_skip(test, "needs a node with CPUs and memory, another with free pages");
}

static void hakmem_numa_exhausted_alloc_node(struct kunit *test)
{
	unsigned int runs = 0;
	struct hk_numa_run r;
	struct hk_hog *hog;
	int nid, cpu;

	for_each_node_state(nid, N_NORMAL_MEMORY) {
		int other = hk_numa_other_normal(nid);

		if (other == NUMA_NO_NODE || !hk_numa_may_hog(nid))
			continue;
		/* A CPU of another node: the _node path off the magazine. */
		cpu = hk_numa_cpu_of(other);
		if (cpu < 0)
			cpu = cpumask_first(cpu_online_mask);
		hog = hk_hog_node(test, nid);
		hk_numa_run_on(test, &r, cpu, nid);
		kunit_release_action(test, hk_hog_release, hog);
		runs++;
	}
	if (!runs)
		kunit_skip(test, "needs two nodes with normal memory, one with free pages");
}

static void hakmem_numa_every_cpu(struct kunit *test)
{
	struct hk_numa_run r;
	int cpu;

	for_each_online_cpu(cpu) {
		hk_numa_run_on(test, &r, cpu, NUMA_NO_NODE);
		hk_numa_expect_hits(test, &r);
		/* A free of a home object stays in the magazine; others go home. */
		KUNIT_EXPECT_EQ(test, r.free_hit, (unsigned long)r.home_objs);
		KUNIT_EXPECT_EQ(test, r.free_miss, (unsigned long)(r.got - r.home_objs));
	}
}

/*
 * What numa_mem_id() says on @cpu, as memory hot-added to a memoryless
 * node changes it.  Other tasks on the CPU see it too, for the moment the
 * case needs it: a placement hint to them, nothing more.
 */
static void hk_numa_set_cpu_node(int cpu, int nid)
{
#ifdef CONFIG_USE_PERCPU_NUMA_NODE_ID
	set_cpu_numa_node(cpu, nid);
#endif
#ifdef CONFIG_HAVE_MEMORYLESS_NODES
	set_cpu_numa_mem(cpu, nid);
#endif
}

/* Objects of the first node freed last, to leave the magazine mixed. */
#define HK_ROUTE_LATE	16

struct hk_numa_route {
	struct hakmem_cache *s;
	int cpu, from, to;
	void **a, **b;
	unsigned int na, nb;
	int moved_to;
	unsigned int mixed_from, mixed_to;
};

/* On the CPU: node @from's objects in, and node @to's (plenty). */
static long hk_numa_route_alloc_fn(void *arg)
{
	struct hk_numa_route *r = arg;
	unsigned int i;

	for (i = 0; i < r->na; i++) {
		r->a[i] = hakmem_cache_alloc_node(r->s, GFP_KERNEL, r->from);
		if (!r->a[i])
			return -ENOMEM;
	}
	for (i = 0; i < r->nb; i++) {
		r->b[i] = hakmem_cache_alloc_node(r->s, GFP_KERNEL, r->to);
		if (!r->b[i])
			return -ENOMEM;
	}
	return 0;
}

/*
 * On the CPU: @from's objects into the magazine; then the CPU says @to,
 * and @to's objects overflow the magazine, which flushes @from's; then
 * the CPU says @from again, and the last of @from's objects join @to's,
 * so that the drain meets both nodes in one magazine.
 */
static long hk_numa_route_free_fn(void *arg)
{
	struct hk_numa_route *r = arg;
	struct hakmem_cpu_cache *pc;
	unsigned long flags;
	unsigned int i;
	int nid;

	for (i = 0; i < r->na - HK_ROUTE_LATE; i++)
		hakmem_cache_free(r->s, r->a[i]);
	hk_numa_set_cpu_node(r->cpu, r->to);
	r->moved_to = numa_mem_id();
	for (i = 0; i < r->nb; i++)
		hakmem_cache_free(r->s, r->b[i]);
	hk_numa_set_cpu_node(r->cpu, r->from);
	for (i = r->na - HK_ROUTE_LATE; i < r->na; i++)
		hakmem_cache_free(r->s, r->a[i]);
	local_lock_irqsave(&r->s->pcp->lock, flags);
	pc = this_cpu_ptr(r->s->pcp);
	for (i = 0; i < pc->count; i++) {
		nid = page_to_nid(virt_to_page(pc->objs[i]));
		r->mixed_from += nid == r->from;
		r->mixed_to += nid == r->to;
	}
	local_unlock_irqrestore(&r->s->pcp->lock, flags);
	return 0;
}

static void hakmem_numa_routes_by_node(struct kunit *test)
{
	struct hk_numa_route r = { .cpu = -1 };
	unsigned long from_out, to_out;
	unsigned int i;
	int from, to;

	if (!IS_ENABLED(CONFIG_USE_PERCPU_NUMA_NODE_ID))
		kunit_skip(test, "numa_mem_id() is not a per-CPU variable here");
	/* Each node's objects must come from that node: both need free pages. */
	for_each_node_state(from, N_NORMAL_MEMORY) {
		if (hk_numa_cpu_of(from) < 0 || !hk_node_has_free_page(from))
			continue;
		for_each_node_state(to, N_NORMAL_MEMORY) {
			if (to != from && hk_node_has_free_page(to)) {
				r.cpu = hk_numa_cpu_of(from);
				r.from = from;
				r.to = to;
				break;
			}
		}
		if (r.cpu >= 0)
			break;
	}
	if (r.cpu < 0)
		kunit_skip(test, "needs a node with CPUs and free pages, another with free pages");
	r.s = hk_numa_cache(test);
	r.na = r.s->batch + HK_ROUTE_LATE;
	r.nb = r.s->mag_size;
	r.a = kunit_kcalloc(test, r.na, sizeof(void *), GFP_KERNEL);
	r.b = kunit_kcalloc(test, r.nb, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, r.a && r.b);

	KUNIT_ASSERT_EQ(test, work_on_cpu_safe(r.cpu, hk_numa_route_alloc_fn, &r), 0L);
	for (i = 0; i < r.na; i++)
		KUNIT_ASSERT_EQ(test, page_to_nid(virt_to_page(r.a[i])), r.from);
	for (i = 0; i < r.nb; i++)
		KUNIT_ASSERT_EQ(test, page_to_nid(virt_to_page(r.b[i])), r.to);
	hakmem_drain_all(r.s);
	KUNIT_ASSERT_EQ(test, work_on_cpu_safe(r.cpu, hk_numa_route_free_fn, &r), 0L);
	KUNIT_EXPECT_EQ(test, r.moved_to, r.to);
	KUNIT_EXPECT_GE(test, hakmem_stat_sum(r.s, HAKMEM_FLUSH), 1UL);
	KUNIT_EXPECT_GT(test, r.mixed_from, 0U);
	KUNIT_EXPECT_GT(test, r.mixed_to, 0U);
	hakmem_drain_all(r.s);
	from_out = hakmem_node_read(r.s->node[r.from], &r.s->node[r.from]->nr_inuse);
	to_out = hakmem_node_read(r.s->node[r.to], &r.s->node[r.to]->nr_inuse);
	kunit_info(test, "cpu %d, node %d then %d: objects out of node %d: %lu, of node %d: %lu\n",
		   r.cpu, r.from, r.to, r.from, from_out, r.to, to_out);
	KUNIT_EXPECT_EQ(test, from_out, 0UL);
	KUNIT_EXPECT_EQ(test, to_out, 0UL);
	KUNIT_EXPECT_EQ(test, hakmem_stat_sum(r.s, HAKMEM_DOUBLE_FREE), 0UL);
}

static struct kunit_case hakmem_numa_cases[] = {
	KUNIT_CASE(hakmem_numa_exhausted_node),
	KUNIT_CASE(hakmem_numa_exhausted_alloc_node),
	KUNIT_CASE(hakmem_numa_every_cpu),
	KUNIT_CASE(hakmem_numa_routes_by_node),
	{}
};

static struct kunit_suite hakmem_numa_suite = {
	.name = "hakmem_numa",
	.init = hk_case_init,
	.test_cases = hakmem_numa_cases,
};

kunit_test_suite(hakmem_numa_suite);
