// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_nodehog: exhaust one NUMA node for the tests that follow.
 *
 * At load it takes every free page of node @node (default 1) that the page
 * allocator hands out without reclaim, largest blocks first, and holds
 * them until unload; a work item takes again, every 100 ms, whatever the
 * node got back meanwhile, so the node stays exhausted while the tests
 * run.  The test bed loads it before hakmem.ko ("vm-run.sh --numa
 * exhausted"): the allocator then runs on CPUs whose node has no page to
 * give, the case where it must take from other nodes instead of growing.
 *
 * Loading fails when the node is offline, has no memory or gave no page:
 * a boot that asked for an exhausted node and did not get one must fail,
 * not test the usual shape.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

static int node = 1;
module_param(node, int, 0444);
MODULE_PARM_DESC(node, "NUMA node whose free pages are taken (default 1)");

/* Only the node asked for, no reclaim, no kswapd, no warning on failure. */
#define NODEHOG_GFP	(__GFP_THISNODE | __GFP_NOWARN | __GFP_NOMEMALLOC)
/* How often pages the node got back are taken again. */
#define NODEHOG_PERIOD	(HZ / 10)

static LIST_HEAD(nodehog_pages);	/* linked by page->lru, order in ->private */
static unsigned long nodehog_nr;	/* pages held */
static DEFINE_MUTEX(nodehog_lock);	/* protects the two above */

static void nodehog_retake(struct work_struct *work);
static DECLARE_DELAYED_WORK(nodehog_work, nodehog_retake);

/* Take every free block of @order and above on the node; return pages taken. */
static unsigned long nodehog_take(int min_order)
{
	unsigned long taken = 0;
	int order;

	lockdep_assert_held(&nodehog_lock);
	for (order = MAX_PAGE_ORDER; order >= min_order; order--) {
		struct page *page;

		while ((page = alloc_pages_node(node, NODEHOG_GFP, order))) {
			set_page_private(page, order);
			list_add(&page->lru, &nodehog_pages);
			taken += 1UL << order;
		}
	}
	nodehog_nr += taken;
	return taken;
}

static unsigned long nodehog_free_pages(void)
{
	unsigned long free = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		free += zone_page_state(&NODE_DATA(node)->node_zones[i], NR_FREE_PAGES);
	return free;
}

static void nodehog_retake(struct work_struct *work)
{
	mutex_lock(&nodehog_lock);
	nodehog_take(0);
	mutex_unlock(&nodehog_lock);
	schedule_delayed_work(&nodehog_work, NODEHOG_PERIOD);
}

static void nodehog_release(void)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &nodehog_pages, lru) {
		list_del(&page->lru);
		__free_pages(page, page_private(page));
	}
	nodehog_nr = 0;
}

static int __init nodehog_init(void)
{
	unsigned long taken;

	if (node < 0 || node >= nr_node_ids || !node_online(node) ||
	    !node_state(node, N_MEMORY)) {
		pr_err("node %d is not an online node with memory\n", node);
		return -EINVAL;
	}
	mutex_lock(&nodehog_lock);
	taken = nodehog_take(0);
	mutex_unlock(&nodehog_lock);
	if (!taken) {
		pr_err("node %d gave no page: it is not exhausted by us\n", node);
		return -ENOMEM;
	}
	pr_info("node %d: holding %lu pages, %lu free pages left\n", node,
		taken, nodehog_free_pages());
	schedule_delayed_work(&nodehog_work, NODEHOG_PERIOD);
	return 0;
}

static void __exit nodehog_exit(void)
{
	cancel_delayed_work_sync(&nodehog_work);
	mutex_lock(&nodehog_lock);
	pr_info("node %d: giving back %lu pages\n", node, nodehog_nr);
	nodehog_release();
	mutex_unlock(&nodehog_lock);
}

module_init(nodehog_init);
module_exit(nodehog_exit);

MODULE_DESCRIPTION("Test bed helper: holds every free page of one NUMA node");
MODULE_LICENSE("GPL");
