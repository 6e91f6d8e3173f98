// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_cpuhp: a cache destroyed while a CPU goes down.
 *
 * A CPU leaves cpu_online_mask early in its teardown, but hakmem gives its
 * magazines back only at the PREPARE stage (hakmem_cpu_dead()), after the
 * CPU is dead.  In between, its magazine still holds objects that count
 * as out of their slabs.  The cases stop a CPU's teardown right in that
 * window, deterministically: a PREPARE state of this suite, registered
 * after hakmem's, is torn down before hakmem_cpu_dead() runs.
 *
 *   destroy_in_window  another task destroys a cache whose only objects sit
 *                      in the dying CPU's magazine: it must see no live
 *                      object (it waits for the hotplug to end) and free
 *                      the cache
 *   drain_in_window    hakmem_drain_all_cpuslocked() called from inside the
 *                      window gives the dying CPU's magazine back
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/workqueue.h>

#include "hakmem_test.h"

/* How long the window waits for the destroyer to finish or block. */
#define HK_WINDOW_WAIT_MS	60000

enum hk_window_mode { HK_WINDOW_DESTROY, HK_WINDOW_DRAIN };

/**
 * struct hk_window - what one case does inside the window, and what it saw
 * @cache: the cache whose objects sit in the dying CPU's magazine
 * @name: its debugfs name, to see whether it was freed
 * @cpu: the CPU taken down
 * @mode: what the teardown does
 * @destroyer: the task that destroys @cache (HK_WINDOW_DESTROY)
 * @destroyed: completed when hakmem_cache_destroy() returned
 * @entered: the teardown ran for @cpu
 * @was_online: cpu_online(@cpu) inside the teardown
 * @held: objects in @cpu's magazine when the teardown began
 * @held_after: ... when it ended (HK_WINDOW_DRAIN)
 * @inuse_after: objects out of the cache's slabs when it ended
 * @finished_inside: the destroy returned before the window closed
 */
struct hk_window {
	struct hakmem_cache *cache;
	char name[48];
	unsigned int cpu;
	enum hk_window_mode mode;
	struct task_struct *destroyer;
	struct completion destroyed;
	bool entered;
	bool was_online;
	unsigned int held;
	unsigned int held_after;
	unsigned long inuse_after;
	bool finished_inside;
};

static struct hk_window *hk_window;

static int hk_window_destroyer(void *arg)
{
	struct hk_window *w = arg;

	hakmem_cache_destroy(w->cache);
	complete(&w->destroyed);
	return 0;
}

/*
 * The teardown of this suite's PREPARE state: @cpu is no longer online,
 * and hakmem_cpu_dead() has not run yet.  Runs in the hotplug control
 * task, with the hotplug lock held for write.
 */
static int hk_window_teardown(unsigned int cpu)
{
	struct hk_window *w = READ_ONCE(hk_window);
	unsigned int ms;

	if (!w || cpu != w->cpu)
		return 0;
	w->entered = true;
	w->was_online = cpu_online(cpu);
	w->held = READ_ONCE(per_cpu_ptr(w->cache->pcp, cpu)->count);
	if (w->mode == HK_WINDOW_DRAIN) {
		hakmem_drain_all_cpuslocked(w->cache);
		w->held_after = READ_ONCE(per_cpu_ptr(w->cache->pcp, cpu)->count);
		w->inuse_after = hakmem_nodes_sum(w->cache, nr_inuse);
		return 0;
	}
	/*
	 * Let the destroyer run until it is done or blocks: a destroy that
	 * waits for the hotplug to end sleeps in cpus_read_lock().
	 */
	wake_up_process(w->destroyer);
	for (ms = 0; ms < HK_WINDOW_WAIT_MS; ms++) {
		if (completion_done(&w->destroyed) || !task_is_running(w->destroyer))
			break;
		usleep_range(1000, 2000);
	}
	w->finished_inside = completion_done(&w->destroyed);
	return 0;
}

static bool hk_debugfs_has(const char *name)
{
	struct dentry *dir = debugfs_lookup("hakmem", NULL);
	struct dentry *d;

	if (IS_ERR_OR_NULL(dir))
		return false;
	d = debugfs_lookup(name, dir);
	dput(dir);
	if (IS_ERR_OR_NULL(d))
		return false;
	dput(d);
	return true;
}

struct hk_window_state {
	int state;
	unsigned int cpu;
	bool down;
};

static void hk_window_cleanup(void *arg)
{
	struct hk_window_state *ws = arg;

	WRITE_ONCE(hk_window, NULL);
	if (ws->down && !add_cpu(ws->cpu))
		ws->down = false;
	if (ws->state > 0)
		cpuhp_remove_state_nocalls(ws->state);
}

/*
 * Set up a window on the second online CPU: a cache whose only objects
 * sit in that CPU's magazine, and this suite's PREPARE state.
 */
static struct hk_window *hk_window_setup(struct kunit *test, const char *name,
					 enum hk_window_mode mode,
					 struct hk_window_state **wsp)
{
	struct hk_window_state *ws;
	struct hk_window *w;
	unsigned int cpu;

	cpu = hk_hotplug_cpu(test);
	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	ws = kunit_kzalloc(test, sizeof(*ws), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, ws);
	w->cpu = cpu;
	ws->cpu = cpu;
	w->mode = mode;
	init_completion(&w->destroyed);
	w->cache = hakmem_cache_create(name, 96, 0, 0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, w->cache);
	strscpy(w->name, w->cache->dbg_name, sizeof(w->name));
	work_on_cpu(cpu, hk_magazine_fill, w->cache);
	KUNIT_ASSERT_GT(test, READ_ONCE(per_cpu_ptr(w->cache->pcp, cpu)->count), 0U);
	/* Nothing else has this cache's objects: the magazine holds them all. */
	KUNIT_ASSERT_EQ(test, hakmem_nodes_sum(w->cache, nr_inuse),
			(unsigned long)per_cpu_ptr(w->cache->pcp, cpu)->count);

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_window_cleanup, ws));
	ws->state = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "hakmem/kunit:window",
					      NULL, hk_window_teardown);
	KUNIT_ASSERT_GT(test, ws->state, 0);
	*wsp = ws;
	return w;
}

static void hk_window_check_entered(struct kunit *test, struct hk_window *w)
{
	KUNIT_EXPECT_TRUE(test, w->entered);
	KUNIT_EXPECT_FALSE_MSG(test, w->was_online, "CPU %u still online in the window", w->cpu);
	/* The window lies before hakmem_cpu_dead(): the magazine is still full. */
	KUNIT_EXPECT_GT_MSG(test, w->held, 0U,
			    "the test state ran after hakmem_cpu_dead(): no window");
}

static void hakmem_cpuhp_destroy_in_window(struct kunit *test)
{
	struct hk_window_state *ws;
	struct hk_window *w;
	int ret;

	w = hk_window_setup(test, "hakmem_cpuhp_destroy", HK_WINDOW_DESTROY, &ws);
	w->destroyer = kthread_create(hk_window_destroyer, w, "hk_destroyer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(w->destroyer));
	get_task_struct(w->destroyer);
	KUNIT_EXPECT_TRUE(test, hk_debugfs_has(w->name));

	/* No hakmem line at all: "destroyed with N objects still allocated". */
	hk_expect_begin_unlimited(test, 0);
	WRITE_ONCE(hk_window, w);
	ret = remove_cpu(w->cpu);
	if (ret) {
		/* A hotpluggable CPU that does not go down is a failure. */
		WRITE_ONCE(hk_window, NULL);
		wake_up_process(w->destroyer);
		wait_for_completion(&w->destroyed);
		put_task_struct(w->destroyer);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "remove_cpu(%u)", w->cpu);
	}
	ws->down = true;
	/* The destroy may have waited for the hotplug to end; it ends now. */
	wait_for_completion(&w->destroyed);
	put_task_struct(w->destroyer);
	hk_expect_end(test);

	hk_window_check_entered(test, w);
	kunit_info(test, "destroy %s the window\n",
		   w->finished_inside ? "returned inside" : "waited past");
	/* Destroyed, not kept for live objects: its debugfs directory is gone. */
	KUNIT_EXPECT_FALSE_MSG(test, hk_debugfs_has(w->name),
			       "cache %s kept: objects in CPU %u's magazine taken for live ones",
			       w->name, w->cpu);
}

static void hakmem_cpuhp_drain_in_window(struct kunit *test)
{
	struct hk_window_state *ws;
	struct hk_window *w;
	int ret;

	w = hk_window_setup(test, "hakmem_cpuhp_drain", HK_WINDOW_DRAIN, &ws);
	WRITE_ONCE(hk_window, w);
	ret = remove_cpu(w->cpu);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "remove_cpu(%u)", w->cpu);
	ws->down = true;
	hk_window_check_entered(test, w);
	KUNIT_EXPECT_EQ(test, w->held_after, 0U);
	KUNIT_EXPECT_EQ(test, w->inuse_after, 0UL);
	hakmem_cache_destroy(w->cache);
	KUNIT_EXPECT_FALSE(test, hk_debugfs_has(w->name));
}

static struct kunit_case hakmem_cpuhp_cases[] = {
	KUNIT_CASE(hakmem_cpuhp_destroy_in_window),
	KUNIT_CASE(hakmem_cpuhp_drain_in_window),
	{}
};

static struct kunit_suite hakmem_cpuhp_suite = {
	.name = "hakmem_cpuhp",
	.init = hk_case_init,
	.test_cases = hakmem_cpuhp_cases,
};

kunit_test_suite(hakmem_cpuhp_suite);
