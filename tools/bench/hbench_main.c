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
 * Documentation/benchmarks.rst tells what each scenario models.  This file
 * holds the parameters and the rows; each scenario family has its own file
 * (tools/bench/Kbuild lists them), hbench.h what they share.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include "hbench.h"

static char *run = "all";
module_param(run, charp, 0444);
MODULE_PARM_DESC(run, "scenarios, comma-separated: hot,batch,bulk,mem,replay,cross,larson,scale,xcpu, or single (hot,batch,bulk,mem,replay), multi (cross,larson,scale), all (default: single, multi and xcpu)");

unsigned int hbench_reps = 5;
module_param_named(reps, hbench_reps, uint, 0444);
MODULE_PARM_DESC(reps, "timed repetitions per slot, 1..15 (default 5)");

static unsigned int ops = 200000;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "objects allocated and freed per repetition, single-CPU scenarios (default 200000)");

unsigned int hbench_mt_ops = 50000;
module_param_named(mt_ops, hbench_mt_ops, uint, 0444);
MODULE_PARM_DESC(mt_ops, "objects each producer hands over per repetition, cross-CPU scenarios (default 50000)");

unsigned int hbench_larson_slots = 1000;
module_param_named(larson_slots, hbench_larson_slots, uint, 0444);
MODULE_PARM_DESC(larson_slots, "Larson: live objects per thread (default 1000)");

unsigned int hbench_larson_rounds = 10000;
module_param_named(larson_rounds, hbench_larson_rounds, uint, 0444);
MODULE_PARM_DESC(larson_rounds, "Larson: free+alloc rounds per thread before it hands its slots on (default 10000)");

unsigned int hbench_larson_gens = 4;
module_param_named(larson_gens, hbench_larson_gens, uint, 0444);
MODULE_PARM_DESC(larson_gens, "Larson: hand-overs per repetition (default 4)");

unsigned int hbench_mem_objs = 1000000;
module_param_named(mem_objs, hbench_mem_objs, uint, 0444);
MODULE_PARM_DESC(mem_objs, "memory scenario: live 64-byte objects (default 1000000)");

ulong hbench_seed = 1;
module_param_named(seed, hbench_seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of Larson's random slots and sizes (default 1)");

static int scale_cpus[4] = { 1, 2, 4 };
static int nr_scale_cpus = 3;
module_param_array(scale_cpus, int, &nr_scale_cpus, 0444);
MODULE_PARM_DESC(scale_cpus, "CPU counts of the scale scenarios (default 1,2,4; counts above the online CPUs are skipped)");

bool hbench_aa = true;
module_param_named(aa, hbench_aa, bool, 0444);
MODULE_PARM_DESC(aa, "run the A/A control slot (kernel against itself) (default on)");

static int cpu;
module_param(cpu, int, 0444);
MODULE_PARM_DESC(cpu, "CPU of the single-CPU scenarios (default 0)");

bool hbench_stop;

/* Scenario groups, selected by the "run" parameter. */
#define HBENCH_G_HOT		BIT(0)
#define HBENCH_G_BATCH		BIT(1)
#define HBENCH_G_BULK		BIT(2)
#define HBENCH_G_MEM		BIT(3)
#define HBENCH_G_CROSS		BIT(4)
#define HBENCH_G_LARSON		BIT(5)
#define HBENCH_G_SCALE		BIT(6)
/* Cross-CPU rows whose CPUs take turns: for icount (struct hbench_scn). */
#define HBENCH_G_XCPU		BIT(7)
#define HBENCH_G_REPLAY		BIT(8)
#define HBENCH_G_SINGLE		(HBENCH_G_HOT | HBENCH_G_BATCH | HBENCH_G_BULK | HBENCH_G_MEM | \
				 HBENCH_G_REPLAY)
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
	{ "xcpu", HBENCH_G_XCPU },
	{ "replay", HBENCH_G_REPLAY },
	{ "single", HBENCH_G_SINGLE },
	{ "multi", HBENCH_G_MULTI },
	{ "all", HBENCH_G_SINGLE | HBENCH_G_MULTI | HBENCH_G_XCPU },
};

/*
 * One single-CPU row, "<group>_<cache|tiny>_<@n>": @scn->nr objects at a
 * time, as many times as fit in ops (at least once).
 */
static int hbench_single_row(struct hbench_scn *scn, unsigned int n)
{
	scn->objs = max_t(unsigned long, ops / scn->nr, 1) * scn->nr;
	snprintf(scn->name, sizeof(scn->name), "%s_%s_%u", scn->group,
		 scn->api == HBENCH_API_CACHE ? "cache" : "tiny", n);
	return hbench_measure(scn);
}

static int hbench_single(unsigned int groups)
{
	static const unsigned int hot_sizes[] = { 16, 64, 256, 1024 };
	static const unsigned int batch_nr[] = { 10, 100, 1000 };
	static const unsigned int bulk_nr[] = { 8, 64 };
	struct hbench_scn scn = { .unit = "ns/obj" };
	unsigned int i;
	int err;

	/* Hot and batch rows time their loop alone too: the report nets it out. */
	scn.calib = true;
	if (groups & HBENCH_G_HOT) {
		scn.group = "hot";
		scn.kind = HBENCH_HOT;
		scn.nr = 1;
		for (i = 0; i < 2 * ARRAY_SIZE(hot_sizes); i++) {
			scn.api = i < ARRAY_SIZE(hot_sizes) ? HBENCH_API_CACHE :
							     HBENCH_API_TINY;
			scn.size = hot_sizes[i % ARRAY_SIZE(hot_sizes)];
			err = hbench_single_row(&scn, scn.size);
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
			err = hbench_single_row(&scn, scn.nr);
			if (err)
				return err;
		}
	}
	if (groups & HBENCH_G_BULK) {
		scn.calib = false;
		scn.group = "bulk";
		scn.kind = HBENCH_BULK;
		scn.api = HBENCH_API_CACHE;
		scn.size = 64;
		for (i = 0; i < ARRAY_SIZE(bulk_nr); i++) {
			scn.nr = bulk_nr[i];
			err = hbench_single_row(&scn, scn.nr);
			if (err)
				return err;
		}
	}
	if (groups & HBENCH_G_MEM) {
		err = hbench_mem();
		if (err)
			return err;
	}
	if (groups & HBENCH_G_REPLAY)
		return hbench_replay();
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
	scn->objs = (unsigned long)hbench_mt_ops * n;
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
	scn->objs = (unsigned long)hbench_larson_rounds * hbench_larson_gens * n;
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
		scn.objs = hbench_mt_ops;
		snprintf(scn.name, sizeof(scn.name), "cross_pair_%d_%d",
			 scn.cpus[0], scn.cpus[1]);
		err = hbench_measure(&scn);
		if (err)
			return err;
		scn.kind = HBENCH_CROSS_ALL;
		scn.nr = online;
		scn.objs = (unsigned long)hbench_mt_ops * online * (online - 1);
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

/*
 * Cross-CPU work on the first two CPUs, taking turns (struct hbench_scn):
 * under icount every sample counts instructions, so these rows are as
 * deterministic as the single-CPU ones.  A producer->consumer pair through
 * both faces, and Larson.
 */
static int hbench_xcpu(void)
{
	struct hbench_scn scn = {
		.group = "xcpu", .unit = "ns/obj", .size = 64, .turns = true,
	};
	int err;

	if (num_online_cpus() < 2) {
		pr_info("one CPU online: no xcpu scenarios\n");
		return 0;
	}
	hbench_pick_cpus(&scn, 2);
	scn.kind = HBENCH_CROSS_PAIR;
	scn.objs = hbench_mt_ops;
	scn.api = HBENCH_API_CACHE;
	strscpy(scn.name, "xcpu_pair_cache", sizeof(scn.name));
	err = hbench_measure(&scn);
	if (err)
		return err;
	scn.api = HBENCH_API_TINY;
	strscpy(scn.name, "xcpu_pair_tiny", sizeof(scn.name));
	err = hbench_measure(&scn);
	if (err)
		return err;
	scn.kind = HBENCH_LARSON;
	scn.size = 0;
	scn.objs = (unsigned long)hbench_larson_rounds * hbench_larson_gens * scn.nr;
	snprintf(scn.name, sizeof(scn.name), "xcpu_larson_%ucpu", scn.nr);
	return hbench_measure(&scn);
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
		init_utsname()->release, num_online_cpus(), run, hbench_reps, ops,
		hbench_mt_ops, hbench_larson_slots, hbench_larson_rounds,
		hbench_larson_gens, hbench_mem_objs, hbench_seed, hbench_aa);
	if (groups & HBENCH_G_SINGLE)
		err = hbench_single(groups);
	if (!err && (groups & HBENCH_G_MULTI))
		err = hbench_multi(groups);
	if (!err && (groups & HBENCH_G_XCPU))
		err = hbench_xcpu();
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

	if (hbench_reps < 1 || hbench_reps > HBENCH_MAX_REPS || !ops || !hbench_mt_ops ||
	    !hbench_larson_slots || !hbench_larson_rounds || !hbench_larson_gens) {
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
MODULE_IMPORT_NS(HAKMEM_NS);
MODULE_LICENSE("GPL");
