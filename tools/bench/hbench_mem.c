// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_bench, memory: the pages each side holds with hbench_mem_objs live
 * 64-byte objects, and after freeing them all and shrinking; for hakmem,
 * the most SuperSlabs a node keeps afterwards.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "hbench.h"
/* The pages and SuperSlabs a cache holds. */
#include "hakmem_internal.h"

/* Pages hakmem's SuperSlabs of @s hold, and the most SuperSlabs a node has. */
unsigned long hbench_hakmem_pages(struct hakmem_cache *s, unsigned long *ss_max)
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

int hbench_mem(void)
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
		.objs = hbench_mem_objs, .unit = "pages",
	};
	unsigned long ss_max = 0, ss;
	unsigned int k;
	char extra[64];
	void **objs;
	int err = 0;

	if (!hbench_mem_objs)
		return 0;
	live = kcalloc(2 * HBENCH_NR_SLOTS, sizeof(*live), GFP_KERNEL);
	objs = vmalloc_array(hbench_mem_objs, sizeof(*objs));
	if (!live || !objs) {
		kfree(live);
		vfree(objs);
		return -ENOMEM;
	}
	after = live + HBENCH_NR_SLOTS;
	/* One sample per slot: page counts barely move between runs. */
	for (k = 0; k < HBENCH_NR_SLOTS && !err; k++) {
		enum hbench_slot slot = order[k];

		if (slot == HBENCH_SLOT_AA && !hbench_aa)
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
	snprintf(scn.name, sizeof(scn.name), "mem_live_%uk_64", hbench_mem_objs / 1000);
	hbench_emit(&scn, live, 1, hbench_aa, "");
	snprintf(scn.name, sizeof(scn.name), "mem_shrunk_64");
	snprintf(extra, sizeof(extra), ",\"hakmem_ss_per_node_max\":%lu", ss_max);
	hbench_emit(&scn, after, 1, hbench_aa, extra);
	pr_info("mem: after free-all and shrink hakmem holds at most %lu SuperSlab(s) per node\n",
		ss_max);
	kfree(live);
	return 0;
}
