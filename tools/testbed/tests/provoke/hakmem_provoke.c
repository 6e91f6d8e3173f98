// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_provoke: makes the kernel report each kind of problem the console
 * scanner (tools/testbed/scan-console) must catch, so that its self-tests
 * (tools/testbed/tests/provoke.sh) run on real kernel output.
 *
 * Test bed only: never load it on a machine you care about.  It warns,
 * leaks, stalls RCU, locks up a CPU for seconds and ends with an oops.
 *
 * Writing a kind's name to /sys/kernel/debug/hakmem_provoke makes that
 * kind of report once and returns when the kernel has printed it.  Reports
 * that come later from a watchdog (hung task, RCU stall, soft lockup) are
 * waited for by watching the console tracepoint, so that a marker the
 * guest prints after the write returns always follows the report.
 * Timeouts, sysctls and the kmemleak scan are the guest's business (see
 * provoke.sh).
 *
 * Its name starts with "hakmem" on purpose: the scanner once let any
 * stack that mentioned "[hakmem" pass.
 */
#define pr_fmt(fmt) "provoke: " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kmemleak.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <trace/events/printk.h>

/* How long a watchdog may take to report, at most (TCG is slow). */
#define PROVOKE_WAIT_S		120

static struct dentry *provoke_file;

/* The console text being waited for, and whether it has been seen. */
static const char *provoke_needle;
static atomic_t provoke_seen;

/* May run in any context, NMI included: only compare and set a flag. */
static void provoke_probe(void *data, const char *text, size_t len)
{
	const char *needle = READ_ONCE(provoke_needle);

	if (needle && strnstr(text, needle, len))
		atomic_set(&provoke_seen, 1);
}

static void provoke_watch(const char *needle)
{
	atomic_set(&provoke_seen, 0);
	WRITE_ONCE(provoke_needle, needle);
}

static bool provoke_seen_yet(unsigned long deadline)
{
	return atomic_read(&provoke_seen) || time_after(jiffies, deadline);
}

/*
 * Wait until the console has shown the needle.  TASK_IDLE: the waiter
 * itself must not look like a hung task.
 */
static int provoke_wait(void)
{
	unsigned long deadline = jiffies + PROVOKE_WAIT_S * HZ;

	while (!provoke_seen_yet(deadline))
		schedule_timeout_idle(HZ / 10);
	WRITE_ONCE(provoke_needle, NULL);
	if (atomic_read(&provoke_seen))
		return 0;
	pr_err("no report within %d s\n", PROVOKE_WAIT_S);
	return -ETIMEDOUT;
}

/* --- provocations that report at once ---------------------------------- */

static int provoke_clean(void)
{
	void *p = kmalloc(64, GFP_KERNEL);

	kfree(p);
	pr_info("clean: nothing to report\n");
	return 0;
}

static bool provoke_true = true;

static int provoke_warn(void)
{
	WARN(READ_ONCE(provoke_true), "provoke: a WARN on purpose\n");
	return 0;
}

static noinline int provoke_call_trace(void)
{
	dump_stack();
	return 0;
}

static int provoke_sleep_in_atomic(void)
{
	void *p;

	preempt_disable();
	p = kmalloc(64, GFP_KERNEL);	/* may sleep: not with preemption off */
	preempt_enable();
	kfree(p);
	return 0;
}

static DEFINE_MUTEX(provoke_lock_a);
static DEFINE_MUTEX(provoke_lock_b);

/* A then B, later B then A: lockdep reports the cycle, nothing deadlocks. */
static int provoke_lockdep(void)
{
	mutex_lock(&provoke_lock_a);
	mutex_lock(&provoke_lock_b);
	mutex_unlock(&provoke_lock_b);
	mutex_unlock(&provoke_lock_a);

	mutex_lock(&provoke_lock_b);
	mutex_lock(&provoke_lock_a);
	mutex_unlock(&provoke_lock_a);
	mutex_unlock(&provoke_lock_b);
	return 0;
}

static int provoke_shift = 40;
static int provoke_sink;

static int provoke_ubsan(void)
{
	int shift = READ_ONCE(provoke_shift);

	WRITE_ONCE(provoke_sink, 1 << shift);	/* past the width of int */
	return 0;
}

static int provoke_kasan(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	(void)READ_ONCE(p[8]);		/* use after free */
	return 0;
}

/*
 * Leak from a kthread: its stack goes away with it, so no stale copy of
 * the pointers keeps them referenced.  Sixteen of them, in case a register
 * or a stack slot survives somewhere: kmemleak needs to see only one.
 */
static int provoke_leak_thread(void *arg)
{
	int i;

	for (i = 0; i < 16; i++) {
		void *p = kmalloc(64, GFP_KERNEL);

		if (p)
			memset(p, 0x5a, 64);
		OPTIMIZER_HIDE_VAR(p);
	}
	complete(arg);
	return 0;
}

static int provoke_kmemleak(void)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct task_struct *t;

	t = kthread_run(provoke_leak_thread, &done, "provoke_leak");
	if (IS_ERR(t))
		return PTR_ERR(t);
	wait_for_completion(&done);
	return 0;
}

/* Tell kmemleak about an object it already tracks: it turns itself off. */
static int provoke_kmemleak_error(void)
{
	void *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kmemleak_alloc(p, 64, 1, GFP_KERNEL);
	kfree(p);
	return 0;
}

/* --- provocations a watchdog reports later ------------------------------ */

struct provoke_thread {
	struct completion release;
	struct completion started;
};

/* In D state until released: khungtaskd reports it. */
static int provoke_hung_thread(void *arg)
{
	struct provoke_thread *pt = arg;

	complete(&pt->started);
	wait_for_completion(&pt->release);
	return 0;
}

/*
 * Spin with preemption off until released: this CPU passes no RCU
 * quiescent state and runs no watchdog thread.
 */
static void provoke_spin(struct provoke_thread *pt)
{
	preempt_disable();
	complete(&pt->started);
	while (!completion_done(&pt->release))
		cpu_relax();
	preempt_enable();
}

static int provoke_spin_thread(void *arg)
{
	provoke_spin(arg);
	return 0;
}

/* The same, inside an RCU read-side critical section. */
static int provoke_spin_rcu_thread(void *arg)
{
	rcu_read_lock();
	provoke_spin(arg);
	rcu_read_unlock();
	return 0;
}

/* Waits for an expedited grace period the spinner holds up. */
static int provoke_sync_exp_thread(void *arg)
{
	synchronize_rcu_expedited();
	complete(arg);
	return 0;
}

static int provoke_hold(int (*fn)(void *), const char *name,
			const char *needle, bool expedited)
{
	struct provoke_thread pt;
	DECLARE_COMPLETION_ONSTACK(synced);
	struct task_struct *t;
	int ret;

	init_completion(&pt.release);
	init_completion(&pt.started);
	t = kthread_create(fn, &pt, "%s", name);
	if (IS_ERR(t))
		return PTR_ERR(t);
	/* @pt lives on this stack: keep the thread until it has returned. */
	get_task_struct(t);
	provoke_watch(needle);
	wake_up_process(t);
	wait_for_completion(&pt.started);
	if (expedited &&
	    IS_ERR(kthread_run(provoke_sync_exp_thread, &synced, "provoke_sync")))
		complete(&synced);
	ret = provoke_wait();
	complete(&pt.release);
	if (expedited)
		wait_for_completion(&synced);
	kthread_stop(t);
	put_task_struct(t);
	return ret;
}

static int provoke_hung_task(void)
{
	return provoke_hold(provoke_hung_thread, "provoke_hung",
			    "blocked for more than", false);
}

static int provoke_rcu_stall(void)
{
	return provoke_hold(provoke_spin_rcu_thread, "provoke_rcu",
			    "detected stall", false);
}

static int provoke_rcu_exp_stall(void)
{
	return provoke_hold(provoke_spin_thread, "provoke_rcu_exp",
			    "detected expedited stall", true);
}

static int provoke_soft_lockup(void)
{
	return provoke_hold(provoke_spin_thread, "provoke_lockup",
			    "BUG: soft lockup", false);
}

/* --- the fatal one, last ------------------------------------------------ */

/*
 * Not through KASAN's check, which would fault on the shadow of NULL (a
 * general protection fault): a plain NULL pointer dereference.
 */
static __no_sanitize_address int provoke_oops_thread(void *arg)
{
	int *p = arg;

	OPTIMIZER_HIDE_VAR(p);
	WRITE_ONCE(*p, 1);		/* NULL */
	return 0;
}

static int provoke_oops(void)
{
	struct task_struct *t;

	t = kthread_run(provoke_oops_thread, NULL, "provoke_oops");
	if (IS_ERR(t))
		return PTR_ERR(t);
	ssleep(PROVOKE_WAIT_S);		/* oops=panic: never returns */
	return -ETIMEDOUT;
}

static const struct {
	const char *name;
	int (*fn)(void);
} provoke_kinds[] = {
	{ "clean", provoke_clean },
	{ "warn", provoke_warn },
	{ "call_trace", provoke_call_trace },
	{ "sleep_in_atomic", provoke_sleep_in_atomic },
	{ "lockdep", provoke_lockdep },
	{ "ubsan", provoke_ubsan },
	{ "kasan", provoke_kasan },
	{ "kmemleak", provoke_kmemleak },
	{ "kmemleak_error", provoke_kmemleak_error },
	{ "hung_task", provoke_hung_task },
	{ "rcu_stall", provoke_rcu_stall },
	{ "rcu_exp_stall", provoke_rcu_exp_stall },
	{ "soft_lockup", provoke_soft_lockup },
	{ "oops", provoke_oops },
};

static DEFINE_MUTEX(provoke_mutex);

static ssize_t provoke_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char buf[32];
	unsigned int i;
	int ret = -EINVAL;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	strim(buf);
	mutex_lock(&provoke_mutex);
	for (i = 0; i < ARRAY_SIZE(provoke_kinds); i++) {
		if (!strcmp(buf, provoke_kinds[i].name)) {
			ret = provoke_kinds[i].fn();
			break;
		}
	}
	mutex_unlock(&provoke_mutex);
	if (i == ARRAY_SIZE(provoke_kinds))
		pr_err("unknown kind '%s'\n", buf);
	return ret ? ret : count;
}

static const struct file_operations provoke_fops = {
	.owner = THIS_MODULE,
	.write = provoke_write,
};

static int __init provoke_init(void)
{
	int ret;

	ret = register_trace_console(provoke_probe, NULL);
	if (ret)
		return ret;
	provoke_file = debugfs_create_file("hakmem_provoke", 0200, NULL, NULL,
					   &provoke_fops);
	return 0;
}

static void __exit provoke_exit(void)
{
	debugfs_remove(provoke_file);
	unregister_trace_console(provoke_probe, NULL);
	tracepoint_synchronize_unregister();
}

module_init(provoke_init);
module_exit(provoke_exit);
MODULE_DESCRIPTION("Test bed: provoke each kind of kernel report the console scanner must catch");
MODULE_LICENSE("GPL");
