// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: cross-CPU calls
 * (on_each_cpu() and friends run the function as the target vCPU),
 * workqueues (queue_work_on() runs the item at once as the target vCPU)
 * and CPU hotplug states (hk_cpu_down(), hk_cpu_up()).
 */
#include "hk_shim.h"

void hk_switch_cpu(struct hk_cpu_switch *save, int cpu)
{
	struct hk_thread *t = hk_cur();

	save->cpu = t->cpu;
	save->cpu_off = t->cpu_off;
	save->vcpu_depth = t->vcpu_depth;
	if (cpu != t->cpu) {
		t->vcpu_depth = 0;
		hk_set_cpu(t, cpu);
	}
}

void hk_restore_cpu(const struct hk_cpu_switch *save)
{
	struct hk_thread *t = &hk_self;

	t->cpu = save->cpu;
	t->cpu_off = save->cpu_off;
	t->vcpu_depth = save->vcpu_depth;
}

/* Run @fn(@arg) as vCPU @cpu in IRQ context: it owns that vCPU meanwhile. */
void hk_run_on_cpu(int cpu, void (*fn)(void *), void *arg)
{
	struct hk_cpu_switch save;

	hk_switch_cpu(&save, cpu);
	hk_atomic_enter();
	hk_self.irq_off++;
	hk_self.in_irq++;
	hk_self.hardirq++;
	fn(arg);
	hk_self.hardirq--;
	hk_self.in_irq--;
	hk_self.irq_off--;
	hk_atomic_exit();
	hk_restore_cpu(&save);
}

/*
 * Workqueues: a work item runs at once, in the queuer's thread, as a
 * kworker of the target CPU would run it: task context, on that vCPU,
 * preemptible.  flush_work() then has nothing to wait for.
 */
struct workqueue_struct *system_wq;
static unsigned long hk_works_run;

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...)
{
	struct workqueue_struct *wq = calloc(1, sizeof(*wq));

	(void)max_active;
	if (wq) {
		wq->flags = flags;
		snprintf(wq->name, sizeof(wq->name), "%s", fmt);
	}
	return wq;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	free(wq);
}

bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	struct hk_cpu_switch save;

	(void)wq;
	/* Run at once, the work would inherit the queuer's atomic section. */
	if (WARN_ON_ONCE(!cpu_online(cpu) || hk_in_atomic() || hk_self.in_irq))
		return false;
	hk_switch_cpu(&save, cpu);
	work->func(work);
	hk_restore_cpu(&save);
	__atomic_add_fetch(&hk_works_run, 1, __ATOMIC_RELAXED);
	return true;
}

bool flush_work(struct work_struct *work)
{
	(void)work;
	might_sleep();
	return false;
}

unsigned long hk_work_items_run(void)
{
	return __atomic_load_n(&hk_works_run, __ATOMIC_RELAXED);
}

static unsigned long hk_smp_calls;

unsigned long hk_smp_calls_run(void)
{
	return __atomic_load_n(&hk_smp_calls, __ATOMIC_RELAXED);
}

void on_each_cpu_cond(smp_cond_func_t cond, smp_call_func_t func, void *info, bool wait)
{
	int cpu;

	(void)wait;
	__atomic_add_fetch(&hk_smp_calls, 1, __ATOMIC_RELAXED);
	/* The kernel's smp_call_function_many() warns likewise. */
	WARN_ON_ONCE(hk_in_atomic() && hk_self.cpu >= 0 && hk_nr_cpus > 1);
	for_each_online_cpu(cpu)
		if (!cond || cond(cpu, info))
			hk_run_on_cpu(cpu, func, info);
}

void on_each_cpu(smp_call_func_t func, void *info, int wait)
{
	on_each_cpu_cond(NULL, func, info, wait);
}

void on_each_cpu_mask(const struct cpumask *mask, smp_call_func_t func, void *info, bool wait)
{
	int cpu;

	(void)wait;
	__atomic_add_fetch(&hk_smp_calls, 1, __ATOMIC_RELAXED);
	for_each_online_cpu(cpu)
		if (cpumask_test_cpu(cpu, mask))
			hk_run_on_cpu(cpu, func, info);
}

int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait)
{
	(void)wait;
	if (!cpu_online(cpu))
		return -ENXIO;
	__atomic_add_fetch(&hk_smp_calls, 1, __ATOMIC_RELAXED);
	hk_run_on_cpu(cpu, func, info);
	return 0;
}

#define HK_CPUHP_MAX	16
struct hk_cpuhp {
	bool used, ap;
	const char *name;
	int (*startup)(unsigned int cpu);
	int (*teardown)(unsigned int cpu);
	int state;
};
static struct hk_cpuhp hk_cpuhp[HK_CPUHP_MAX];
static int hk_cpuhp_next_dyn_ap = CPUHP_AP_ONLINE_DYN;
static int hk_cpuhp_next_dyn_bp = CPUHP_BP_PREPARE_DYN;

/* AP callbacks run on the CPU concerned, in process context. */
static int hk_cpuhp_call(struct hk_cpuhp *h, int (*fn)(unsigned int), unsigned int cpu)
{
	struct hk_cpu_switch save;
	int ret;

	if (!fn)
		return 0;
	if (!h->ap)
		return fn(cpu);
	hk_switch_cpu(&save, cpu);
	ret = fn(cpu);
	hk_restore_cpu(&save);
	return ret;
}

int __hk_cpuhp_setup_state(int state, const char *name, bool invoke,
			   int (*startup)(unsigned int cpu),
			   int (*teardown)(unsigned int cpu))
{
	struct hk_cpuhp *h = NULL;
	int i, cpu, ret = 0, id = state;

	might_sleep();
	for (i = 0; i < HK_CPUHP_MAX; i++)
		if (!hk_cpuhp[i].used) {
			h = &hk_cpuhp[i];
			break;
		}
	if (!h)
		return -ENOSPC;
	if (state == CPUHP_AP_ONLINE_DYN)
		id = hk_cpuhp_next_dyn_ap++;
	else if (state == CPUHP_BP_PREPARE_DYN)
		id = hk_cpuhp_next_dyn_bp++;
	h->used = true;
	h->ap = id >= CPUHP_AP_ONLINE_DYN;
	h->name = name;
	h->startup = startup;
	h->teardown = teardown;
	h->state = id;
	if (invoke) {
		for_each_online_cpu(cpu) {
			ret = hk_cpuhp_call(h, startup, cpu);
			if (ret) {
				int c;

				for (c = 0; c < cpu; c++)
					if (cpu_online(c))
						hk_cpuhp_call(h, teardown, c);
				h->used = false;
				return ret;
			}
		}
	}
	/* Dynamic states return their number, fixed ones 0. */
	return (state == CPUHP_AP_ONLINE_DYN || state == CPUHP_BP_PREPARE_DYN) ? id : 0;
}

void __hk_cpuhp_remove_state(int state, bool invoke)
{
	int i, cpu;

	might_sleep();
	for (i = 0; i < HK_CPUHP_MAX; i++) {
		struct hk_cpuhp *h = &hk_cpuhp[i];

		if (!h->used || h->state != state)
			continue;
		if (invoke)
			for_each_online_cpu(cpu)
				hk_cpuhp_call(h, h->teardown, cpu);
		h->used = false;
		return;
	}
	WARN(1, "cpuhp_remove_state(%d): no such state\n", state);
}

int hk_cpu_down(int cpu)
{
	int i, ret = 0;

	if (!cpu_online(cpu) || num_online_cpus() == 1)
		return -EINVAL;
	pthread_rwlock_wrlock(&hk_hotplug_lock);
	/* AP states tear down while the CPU is still up, highest first. */
	for (i = HK_CPUHP_MAX - 1; i >= 0 && !ret; i--)
		if (hk_cpuhp[i].used && hk_cpuhp[i].ap)
			ret = hk_cpuhp_call(&hk_cpuhp[i], hk_cpuhp[i].teardown, cpu);
	__atomic_and_fetch(&hk_cpu_online_bits, ~(1UL << cpu), __ATOMIC_SEQ_CST);
	for (i = HK_CPUHP_MAX - 1; i >= 0; i--)
		if (hk_cpuhp[i].used && !hk_cpuhp[i].ap)
			hk_cpuhp_call(&hk_cpuhp[i], hk_cpuhp[i].teardown, cpu);
	pthread_rwlock_unlock(&hk_hotplug_lock);
	return ret;
}

int hk_cpu_up(int cpu)
{
	int i, ret = 0;

	if (cpu < 0 || cpu >= hk_nr_cpus || cpu_online(cpu))
		return -EINVAL;
	pthread_rwlock_wrlock(&hk_hotplug_lock);
	for (i = 0; i < HK_CPUHP_MAX && !ret; i++)
		if (hk_cpuhp[i].used && !hk_cpuhp[i].ap)
			ret = hk_cpuhp_call(&hk_cpuhp[i], hk_cpuhp[i].startup, cpu);
	__atomic_or_fetch(&hk_cpu_online_bits, 1UL << cpu, __ATOMIC_SEQ_CST);
	for (i = 0; i < HK_CPUHP_MAX && !ret; i++)
		if (hk_cpuhp[i].used && hk_cpuhp[i].ap)
			ret = hk_cpuhp_call(&hk_cpuhp[i], hk_cpuhp[i].startup, cpu);
	pthread_rwlock_unlock(&hk_hotplug_lock);
	return ret;
}
