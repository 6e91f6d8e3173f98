// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: threads and vCPUs,
 * the vCPU lock behind preempt/IRQ-off sections, sleep-in-atomic checks,
 * current, spinlocks, mutexes and the CPU hotplug lock.
 */
#include "hk_shim.h"

__thread struct hk_thread hk_self __attribute__((tls_model("initial-exec"))) = { .cpu = -1 };

struct hk_vcpu {
	struct hk_thread *owner;	/* shared: section owner; exclusive: bound thread */
} __attribute__((aligned(64)));
static struct hk_vcpu hk_vcpus[HK_MAX_CPUS];
pthread_mutex_t hk_thread_lock = PTHREAD_MUTEX_INITIALIZER;
struct hk_thread *hk_threads;
static pthread_key_t hk_thread_key;
static unsigned int hk_next_cpu;
static int hk_next_tid = 1;
unsigned long hk_cpu_online_bits;
struct cpumask hk_cpu_online_mask, hk_cpu_possible_mask;
static struct cpumask hk_node_masks[HK_MAX_NODES];
static __thread struct task_struct hk_task;

static void hk_thread_exit(void *arg);

void hk_register_locked(struct hk_thread *t)
{
	if (t->registered)
		return;
	t->registered = true;
	t->tid = hk_next_tid++;
	t->next_thread = hk_threads;
	hk_threads = t;
	pthread_setspecific(hk_thread_key, t);
}

void hk_set_cpu(struct hk_thread *t, int cpu)
{
	t->cpu = cpu;
	t->cpu_off = hk_pcpu_delta + (unsigned long)cpu * HK_PCPU_UNIT;
}

void hk_thread_init(void)
{
	struct hk_thread *t = &hk_self;
	int cpu = -1, i;

	pthread_mutex_lock(&hk_thread_lock);
	hk_register_locked(t);
	if (t->cpu < 0) {
#ifdef HK_VCPU_EXCLUSIVE
		for (i = 0; i < hk_nr_cpus; i++) {
			int c = (hk_next_cpu + i) % hk_nr_cpus;

			if (!hk_vcpus[c].owner) {
				cpu = c;
				break;
			}
		}
		if (cpu < 0) {
			fprintf(stderr, "hk: no free vCPU for a new thread (exclusive build, %d vCPUs)\n",
				hk_nr_cpus);
			abort();
		}
		__atomic_store_n(&hk_vcpus[cpu].owner, t, __ATOMIC_RELAXED);
#else
		(void)i;
		cpu = hk_next_cpu % hk_nr_cpus;
#endif
		hk_next_cpu = cpu + 1;
		hk_set_cpu(t, cpu);
	}
	pthread_mutex_unlock(&hk_thread_lock);
}

int hk_vcpu_bind(int cpu)
{
	struct hk_thread *t = &hk_self;

	if (cpu < 0 || cpu >= hk_nr_cpus)
		return -EINVAL;
	if (t->rcu_ctr & HK_RCU_NEST_MASK) {
		hk_warn(__FILE__, __LINE__, "hk_vcpu_bind() in an atomic section");
		return -EBUSY;
	}
	pthread_mutex_lock(&hk_thread_lock);
	hk_register_locked(t);
#ifdef HK_VCPU_EXCLUSIVE
	if (t->cpu != cpu) {
		if (hk_vcpus[cpu].owner) {
			pthread_mutex_unlock(&hk_thread_lock);
			return -EBUSY;
		}
		if (t->cpu >= 0)
			__atomic_store_n(&hk_vcpus[t->cpu].owner, NULL, __ATOMIC_RELAXED);
		__atomic_store_n(&hk_vcpus[cpu].owner, t, __ATOMIC_RELAXED);
	}
#endif
	hk_set_cpu(t, cpu);
	pthread_mutex_unlock(&hk_thread_lock);
	return 0;
}

void hk_vcpu_unbind(void)
{
	struct hk_thread *t = &hk_self;

	if (t->cpu < 0)
		return;
	pthread_mutex_lock(&hk_thread_lock);
#ifdef HK_VCPU_EXCLUSIVE
	if (hk_vcpus[t->cpu].owner == t)
		__atomic_store_n(&hk_vcpus[t->cpu].owner, NULL, __ATOMIC_RELAXED);
#endif
	t->cpu = -1;
	pthread_mutex_unlock(&hk_thread_lock);
}

int hk_vcpu_of_thread(void)
{
	return hk_self.cpu;
}

static void hk_thread_exit(void *arg)
{
	struct hk_thread *t = arg, **pp;

	if (t->rcu_ctr & HK_RCU_NEST_MASK)
		printk(KERN_ERR "hk: thread %d exits inside an atomic/RCU section\n", t->tid);
	pthread_mutex_lock(&hk_thread_lock);
	for (pp = &hk_threads; *pp; pp = &(*pp)->next_thread)
		if (*pp == t) {
			*pp = t->next_thread;
			break;
		}
	t->registered = false;
#ifdef HK_VCPU_EXCLUSIVE
	if (t->cpu >= 0 && hk_vcpus[t->cpu].owner == t)
		__atomic_store_n(&hk_vcpus[t->cpu].owner, NULL, __ATOMIC_RELAXED);
#endif
	t->cpu = -1;
	pthread_mutex_unlock(&hk_thread_lock);
}

void hk_vcpu_lock_slow(struct hk_thread *t)
{
	struct hk_vcpu *v = &hk_vcpus[t->cpu];
	unsigned int spins = 0;
	struct hk_thread *none;

	for (;;) {
		none = NULL;
		if (__atomic_compare_exchange_n(&v->owner, &none, t, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		if (++spins < 100)
			cpu_relax();
		else
			sched_yield();	/* the holder was "preempted" */
	}
}

void hk_vcpu_unlock_slow(struct hk_thread *t)
{
	__atomic_store_n(&hk_vcpus[t->cpu].owner, NULL, __ATOMIC_RELEASE);
}

void hk_sleep_check(const char *file, int line, const char *what)
{
	if (likely(!(hk_self.rcu_ctr & HK_RCU_NEST_MASK) && !hk_self.in_irq))
		return;
	printk(KERN_ERR "BUG: sleeping function called from invalid context at %s:%d (%s), "
	       "preempt/rcu depth %lu, in_irq %u\n", file, line, what,
	       hk_self.rcu_ctr & HK_RCU_NEST_MASK, hk_self.in_irq);
	hk_warn(file, line, "sleep in atomic context");
}

/* PREEMPT_RT's DEBUG_ATOMIC_SLEEP: a sleeping lock where RT cannot sleep. */
void hk_rt_sleep_bug(const char *file, int line, const char *what)
{
	printk(KERN_ERR "BUG: sleeping function called from invalid context at %s:%d (%s), "
	       "atomic depth %u, hardirq %u\n", file, line, what,
	       hk_self.atomic_depth, hk_self.hardirq);
	hk_warn(file, line, "sleeping lock in atomic context (PREEMPT_RT)");
}

struct task_struct *hk_current(void)
{
	struct hk_thread *t = hk_cur();

	if (!hk_task.pid) {
		hk_task.pid = t->tid;
		snprintf(hk_task.comm, sizeof(hk_task.comm), "hk/%d", t->tid);
	}
	return &hk_task;
}

const struct cpumask *hk_online_mask_snapshot(void)
{
	hk_cpu_online_mask.bits[0] = READ_ONCE(hk_cpu_online_bits);
	return &hk_cpu_online_mask;
}

const struct cpumask *cpumask_of_node(int node)
{
	return &hk_node_masks[node];
}

/*
 * spinlocks, mutexes, hotplug lock
 */
void spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init(&l->m, NULL);
	l->owner = NULL;
}

void mutex_init(struct mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
	m->owner = NULL;
}

void hk_mutex_lock(struct mutex *m, const char *file, int line)
{
	struct hk_thread *t = hk_cur();

	hk_sleep_check(file, line, "mutex_lock");
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == t)
		hk_bug(file, line, "mutex_lock recursion (deadlock)");
	pthread_mutex_lock(&m->m);
	__atomic_store_n(&m->owner, t, __ATOMIC_RELAXED);
}

void mutex_unlock(struct mutex *m)
{
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) != &hk_self)
		hk_bug(__FILE__, __LINE__, "mutex_unlock by a non-owner");
	__atomic_store_n(&m->owner, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&m->m);
}

bool mutex_trylock(struct mutex *m)
{
	struct hk_thread *t = hk_cur();

	if (pthread_mutex_trylock(&m->m))
		return false;
	__atomic_store_n(&m->owner, t, __ATOMIC_RELAXED);
	return true;
}

pthread_rwlock_t hk_hotplug_lock = PTHREAD_RWLOCK_INITIALIZER;
static unsigned int hk_hotplug_readers_waiting;

void cpus_read_lock(void)
{
	hk_sleep_check(__FILE__, __LINE__, "cpus_read_lock");
	__atomic_add_fetch(&hk_hotplug_readers_waiting, 1, __ATOMIC_SEQ_CST);
	pthread_rwlock_rdlock(&hk_hotplug_lock);
	__atomic_sub_fetch(&hk_hotplug_readers_waiting, 1, __ATOMIC_SEQ_CST);
}

bool cpus_read_trylock(void)
{
	return pthread_rwlock_tryrdlock(&hk_hotplug_lock) == 0;
}

unsigned int hk_cpus_read_waiters(void)
{
	return __atomic_load_n(&hk_hotplug_readers_waiting, __ATOMIC_SEQ_CST);
}

void cpus_read_unlock(void)
{
	pthread_rwlock_unlock(&hk_hotplug_lock);
}

void hk_sched_init(void)
{
	int c;

	hk_cpu_online_bits = hk_nr_cpus == 64 ? ~0UL : (1UL << hk_nr_cpus) - 1;
	for (c = 0; c < hk_nr_cpus; c++) {
		cpumask_set_cpu(c, &hk_cpu_possible_mask);
		cpumask_set_cpu(c, &hk_node_masks[cpu_to_node(c)]);
	}
	pthread_key_create(&hk_thread_key, hk_thread_exit);
}

void hk_sched_atfork_child(void)
{
	struct hk_thread *t = &hk_self;
	int i;

	pthread_mutex_init(&hk_thread_lock, NULL);
	hk_threads = NULL;
	for (i = 0; i < HK_MAX_CPUS; i++)
		hk_vcpus[i].owner = NULL;
	if (t->registered) {
		t->registered = false;
		hk_register_locked(t);
#ifdef HK_VCPU_EXCLUSIVE
		if (t->cpu >= 0)
			hk_vcpus[t->cpu].owner = t;
#endif
	}
}
