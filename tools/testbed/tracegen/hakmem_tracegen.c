// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_tracegen.ko: known allocations and frees from both of hakmem's
 * faces, for the tracing step of "make check" (Documentation/tracing.rst).
 *
 * Nothing happens at load: the guest enables the hakmem events first, then
 * writes 1 to /sys/module/hakmem_tracegen/parameters/run.  Every call is
 * made from one CPU (work_on_cpu()), so that the trace holds the events in
 * the order of the calls, and each step is announced on the console first:
 *
 *   hakmem_tracegen: plan cache=NAME size=N mag_size=N batch=N ss_order=N slab_order=N
 *   hakmem_tracegen: op alloc cache=NAME|- size=N gfp=FLAGS node=N count=N
 *   hakmem_tracegen: op free cache=NAME|- count=N
 *
 * ("cache=-": the hakmem_alloc() face; alloc_bulk and free_bulk for the
 * bulk calls).  The checker,
 * tools/testbed/trace-check, compares the events with these lines and
 * works out from the sizes asked what each event must say.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/workqueue.h>

#include "hakmem_internal.h"

/* The hakmem_alloc() face: tiny classes, their edges, and kmalloc()'s. */
static const size_t tracegen_sizes[] = {
	1, 8, 9, 24, 64, 100, 512, 1000, 1024, 1025, 3000,
};

/* The objects of the bulk step. */
#define TRACEGEN_BULK	16

static void tracegen_plan(struct hakmem_cache *s)
{
	pr_info("plan cache=%s size=%u mag_size=%u batch=%u ss_order=%u slab_order=%u\n",
		s->name, s->layout.object_size, s->mag_size, s->batch,
		s->ss_order, s->slab_order);
}

/*
 * The hakmem_cache_*() face one object at a time, on a new cache: enough
 * objects for refills and flushes of its magazine, a _node and a _zalloc
 * call, then a shrink that drains the magazine and gives the SuperSlabs
 * back.
 */
static int tracegen_cache(void)
{
	struct hakmem_cache *s;
	unsigned int i, nr;
	void **objs;
	int node, ret = 0;

	s = hakmem_cache_create("hakmem-trace-a", 48, 0, 0, NULL);
	if (!s)
		return -ENOMEM;
	tracegen_plan(s);
	nr = 3 * s->mag_size + 1;
	objs = kcalloc(nr, sizeof(*objs), GFP_KERNEL);
	if (!objs) {
		ret = -ENOMEM;
		goto out;
	}
	pr_info("op alloc cache=%s size=%u gfp=GFP_KERNEL node=%d count=%u\n",
		s->name, hakmem_cache_size(s), NUMA_NO_NODE, nr);
	for (i = 0; i < nr; i++) {
		objs[i] = hakmem_cache_alloc(s, GFP_KERNEL);
		if (!objs[i])
			ret = -ENOMEM;
	}
	pr_info("op free cache=%s count=%u\n", s->name, nr);
	for (i = 0; i < nr; i++)
		hakmem_cache_free(s, objs[i]);

	node = numa_mem_id();
	pr_info("op alloc cache=%s size=%u gfp=GFP_KERNEL node=%d count=1\n",
		s->name, hakmem_cache_size(s), node);
	objs[0] = hakmem_cache_alloc_node(s, GFP_KERNEL, node);
	pr_info("op alloc cache=%s size=%u gfp=GFP_KERNEL|__GFP_ZERO node=%d count=1\n",
		s->name, hakmem_cache_size(s), NUMA_NO_NODE);
	objs[1] = hakmem_cache_zalloc(s, GFP_KERNEL);
	if (!objs[0] || !objs[1])
		ret = -ENOMEM;
	pr_info("op free cache=%s count=2\n", s->name);
	hakmem_cache_free(s, objs[0]);
	hakmem_cache_free(s, objs[1]);
	kfree(objs);
	if (hakmem_cache_shrink(s)) {
		pr_err("FAILED: cache %s kept a SuperSlab after its shrink\n", s->name);
		ret = -EBUSY;
	}
out:
	hakmem_cache_destroy(s);
	return ret;
}

/* hakmem_cache_alloc_bulk() and hakmem_cache_free_bulk(), on a new cache. */
static int tracegen_bulk(void)
{
	void *objs[TRACEGEN_BULK];
	struct hakmem_cache *s;
	int ret = 0;

	s = hakmem_cache_create("hakmem-trace-bulk", 100, 0, 0, NULL);
	if (!s)
		return -ENOMEM;
	tracegen_plan(s);
	pr_info("op alloc_bulk cache=%s size=%u gfp=GFP_KERNEL node=%d count=%d\n",
		s->name, hakmem_cache_size(s), NUMA_NO_NODE, TRACEGEN_BULK);
	if (hakmem_cache_alloc_bulk(s, GFP_KERNEL, TRACEGEN_BULK, objs) != TRACEGEN_BULK) {
		ret = -ENOMEM;
		goto out;
	}
	pr_info("op free_bulk cache=%s count=%d\n", s->name, TRACEGEN_BULK);
	hakmem_cache_free_bulk(s, TRACEGEN_BULK, objs);
	if (hakmem_cache_shrink(s)) {
		pr_err("FAILED: cache %s kept a SuperSlab after its shrink\n", s->name);
		ret = -EBUSY;
	}
out:
	hakmem_cache_destroy(s);
	return ret;
}

/* The hakmem_alloc() face: each size once, one on the last node, all freed. */
static int tracegen_kmalloc(void)
{
	void *objs[ARRAY_SIZE(tracegen_sizes) + 1];
	unsigned int i, nr = ARRAY_SIZE(tracegen_sizes);
	int node, ret = 0;

	for (i = 0; i < nr; i++) {
		pr_info("op alloc cache=- size=%zu gfp=GFP_KERNEL node=%d count=1\n",
			tracegen_sizes[i], NUMA_NO_NODE);
		objs[i] = hakmem_alloc(tracegen_sizes[i], GFP_KERNEL);
		if (!objs[i])
			ret = -ENOMEM;
	}
	node = nr_node_ids - 1;
	if (!node_state(node, N_NORMAL_MEMORY))
		node = numa_mem_id();
	pr_info("op alloc cache=- size=64 gfp=GFP_KERNEL node=%d count=1\n", node);
	objs[nr] = hakmem_alloc_node(64, GFP_KERNEL, node);
	if (!objs[nr])
		ret = -ENOMEM;
	pr_info("op free cache=- count=%u\n", nr + 1);
	for (i = 0; i <= nr; i++)
		hakmem_free(objs[i]);
	return ret;
}

static long tracegen_run(void *arg)
{
	int ret;

	ret = tracegen_cache();
	if (!ret)
		ret = tracegen_bulk();
	if (!ret)
		ret = tracegen_kmalloc();
	if (ret)
		pr_err("FAILED: %d\n", ret);
	else
		pr_info("done\n");
	return ret;
}

static int tracegen_run_set(const char *val, const struct kernel_param *kp)
{
	bool run;
	int ret;

	ret = kstrtobool(val, &run);
	if (ret || !run)
		return ret;
	/* The boot CPU, which the test bed never takes offline. */
	return work_on_cpu(cpumask_first(cpu_online_mask), tracegen_run, NULL);
}

static const struct kernel_param_ops tracegen_run_ops = {
	.set = tracegen_run_set,
};
module_param_cb(run, &tracegen_run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "Write 1: make the known calls (the hakmem events enabled first)");

MODULE_IMPORT_NS(HAKMEM_NS);
MODULE_DESCRIPTION("hakmem-slab: known calls for the tracepoint test");
MODULE_LICENSE("GPL");
