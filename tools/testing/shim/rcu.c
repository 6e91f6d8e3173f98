// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: RCU.  A grace period
 * waits for every registered thread to leave the read side it was in;
 * callbacks run in batches on a callback thread, as softirqs of the CPU
 * that queued them.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "hk_shim.h"

/* From the uapi linux/membarrier.h (not included: it would meet the shim). */
#define HK_MEMBARRIER_CMD_PRIVATE_EXPEDITED		(1 << 3)
#define HK_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED	(1 << 4)

static int hk_membarrier_ok;
static pthread_mutex_t hk_rcu_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hk_rcu_kick = PTHREAD_COND_INITIALIZER;
static pthread_cond_t hk_rcu_done_cv = PTHREAD_COND_INITIALIZER;
static struct rcu_head *hk_rcu_head[HK_MAX_CPUS], **hk_rcu_tail[HK_MAX_CPUS];
static unsigned long hk_rcu_queued, hk_rcu_done;
static bool hk_rcu_running;
static pthread_t hk_rcu_thread;

static void hk_full_barrier_all(void)
{
	if (hk_membarrier_ok)
		syscall(__NR_membarrier, HK_MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	else
		smp_mb();
}

static void hk_wait_grace_period(void)
{
	struct hk_thread *self = &hk_self, *t;

	hk_full_barrier_all();
	pthread_mutex_lock(&hk_thread_lock);
	for (t = hk_threads; t; t = t->next_thread) {
		unsigned long c;
		unsigned int spins = 0;

		if (t == self)
			continue;
		c = __atomic_load_n(&t->rcu_ctr, __ATOMIC_ACQUIRE);
		if (!(c & HK_RCU_NEST_MASK))
			continue;
		while (__atomic_load_n(&t->rcu_ctr, __ATOMIC_ACQUIRE) == c) {
			if (++spins < 100)
				cpu_relax();
			else
				sched_yield();
		}
	}
	pthread_mutex_unlock(&hk_thread_lock);
	hk_full_barrier_all();
}

void synchronize_rcu(void)
{
	might_sleep();
	hk_wait_grace_period();
}

static void *hk_rcu_main(void *arg)
{
	struct hk_thread *t = &hk_self;

	(void)arg;
	pthread_mutex_lock(&hk_thread_lock);
	hk_register_locked(t);
	/* A kthread that borrows vCPUs: parked on 0, owning none. */
	hk_set_cpu(t, 0);
	pthread_mutex_unlock(&hk_thread_lock);
	snprintf(t->comm, sizeof(t->comm), "rcu");
	pthread_mutex_lock(&hk_rcu_lock);
	for (;;) {
		struct rcu_head *batch[HK_MAX_CPUS];
		unsigned long n = 0;
		int cpu;

		while (hk_rcu_queued == hk_rcu_done)
			pthread_cond_wait(&hk_rcu_kick, &hk_rcu_lock);
		for (cpu = 0; cpu < hk_nr_cpus; cpu++) {
			batch[cpu] = hk_rcu_head[cpu];
			hk_rcu_head[cpu] = NULL;
			hk_rcu_tail[cpu] = &hk_rcu_head[cpu];
		}
		pthread_mutex_unlock(&hk_rcu_lock);

		hk_wait_grace_period();

		for (cpu = 0; cpu < hk_nr_cpus; cpu++) {
			struct rcu_head *h = batch[cpu], *next;
			struct hk_cpu_switch save;

			if (!h)
				continue;
			/* softirq on that CPU: owns the vCPU, BH off */
			hk_switch_cpu(&save, cpu);
#ifndef HK_PREEMPT_RT
			hk_atomic_enter();
#endif
			t->in_irq++;
			for (; h; h = next) {
				unsigned long f = (unsigned long)h->func;

				next = h->next;
				if (f < 4096)
					kfree((char *)h - f);
				else
					h->func(h);
				n++;
			}
			t->in_irq--;
#ifndef HK_PREEMPT_RT
			hk_atomic_exit();
#endif
			hk_restore_cpu(&save);
		}
		pthread_mutex_lock(&hk_rcu_lock);
		hk_rcu_done += n;
		pthread_cond_broadcast(&hk_rcu_done_cv);
	}
	return NULL;
}

static void hk_rcu_start_locked(void)
{
	if (hk_rcu_running)
		return;
	hk_rcu_running = true;
	if (pthread_create(&hk_rcu_thread, NULL, hk_rcu_main, NULL)) {
		perror("hk: rcu thread");
		abort();
	}
	pthread_detach(hk_rcu_thread);
}

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	int cpu = raw_smp_processor_id();

	head->func = func;
	head->next = NULL;
	pthread_mutex_lock(&hk_rcu_lock);
	if (!hk_rcu_tail[cpu])
		hk_rcu_tail[cpu] = &hk_rcu_head[cpu];
	*hk_rcu_tail[cpu] = head;
	hk_rcu_tail[cpu] = &head->next;
	hk_rcu_queued++;
	hk_rcu_start_locked();
	pthread_cond_signal(&hk_rcu_kick);
	pthread_mutex_unlock(&hk_rcu_lock);
}

void hk_kvfree_rcu(struct rcu_head *head, unsigned long offset)
{
	call_rcu(head, (rcu_callback_t)offset);
}

void rcu_barrier(void)
{
	unsigned long target;

	might_sleep();
	pthread_mutex_lock(&hk_rcu_lock);
	target = hk_rcu_queued;
	if (hk_rcu_done < target)
		hk_rcu_start_locked();
	while (hk_rcu_done < target)
		pthread_cond_wait(&hk_rcu_done_cv, &hk_rcu_lock);
	pthread_mutex_unlock(&hk_rcu_lock);
}

unsigned long hk_rcu_pending(void)
{
	unsigned long r;

	pthread_mutex_lock(&hk_rcu_lock);
	r = hk_rcu_queued - hk_rcu_done;
	pthread_mutex_unlock(&hk_rcu_lock);
	return r;
}

void hk_rcu_init(void)
{
	if (syscall(__NR_membarrier, HK_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
		hk_membarrier_ok = 1;
}

/* The callback thread did not survive the fork: the next call_rcu() starts one. */
void hk_rcu_atfork_child(void)
{
	pthread_mutex_init(&hk_rcu_lock, NULL);
	pthread_cond_init(&hk_rcu_kick, NULL);
	pthread_cond_init(&hk_rcu_done_cv, NULL);
	hk_rcu_running = false;
}
