/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab userspace harness: virtual CPUs and everything that depends
 * on "the CPU I run on": per-CPU data, preemption and IRQ sections,
 * local_lock, spinlocks, mutexes, RCU, CPU hotplug, on_each_cpu.
 *
 * Model.  There are hk_nr_cpus virtual CPUs (env HK_NR_CPUS, default 4)
 * spread over hk_nr_nodes nodes (env HK_NR_NODES, default 2).  Every thread
 * that touches a kernel primitive is bound to one vCPU (hk_vcpu_bind(), or
 * automatically round-robin on first use) and stays there: no migration.
 *
 * Two builds:
 *
 *  shared (default; unit tests, TSan, ASan, fuzz): several threads may
 *    share a vCPU.  Every atomic section (preempt_disable, local_lock*,
 *    local_irq_save, spin_lock*) owns the vCPU: a per-vCPU recursive lock,
 *    so two threads on one vCPU serialise exactly as preemption-off code
 *    does on one CPU.  this_cpu_{add,inc,...} are atomic RMWs (the kernel's
 *    are atomic against anything else on the CPU, also outside sections).
 *
 *  exclusive (-DHK_VCPU_EXCLUSIVE; benchmarks): a vCPU has at most one
 *    thread, checked at bind time, so sections need no lock and
 *    this_cpu ops are plain - one non-preemptible task per CPU, as a
 *    benchmark kthread bound to a CPU sees it.
 *
 * PREEMPT_RT (-DHK_PREEMPT_RT; make unit-rt, tsan-rt): spinlock_t and
 *    local_lock_t are sleeping locks, as rtmutex-based locks are on RT.
 *    Taking one keeps the thread on its vCPU and in an RCU read side but
 *    does not own the vCPU: the vCPU's other threads run meanwhile, as
 *    preemption would interleave them.  Taking one inside an atomic section
 *    (preempt_disable, local_irq_save, raw_spin_lock, a this_cpu op) or in
 *    an IPI is reported as the kernel's DEBUG_ATOMIC_SLEEP reports it.
 *    RCU callbacks run preemptible, not owning a vCPU (rcuc kthreads).
 *
 * Every atomic section is also an RCU read-side section (consolidated RCU:
 * preempt/IRQ/BH-off code is a reader), which hakmem_obj_to_ss() relies on.
 * Grace periods: synchronize_rcu() waits until every registered thread that
 * was in a section has left it.  call_rcu() callbacks run later on an RCU
 * thread, as the vCPU that queued them (softirq-like: in the shared build
 * they own that vCPU while they run).
 */
#ifndef _HK_SCHED_H
#define _HK_SCHED_H

#include <pthread.h>
#include <sched.h>

#include "hk/lib.h"
#include "hk/list.h"

#define HK_MAX_CPUS		64
#define HK_MAX_NODES		8
#define MAX_NUMNODES		HK_MAX_NODES
#define NR_CPUS			HK_MAX_CPUS
#define NUMA_NO_NODE		(-1)
#define NUMA_NO_MEMBLK		(-1)
/* Distance between per-CPU copies, in bytes (as a percpu unit). */
#define HK_PCPU_UNIT		(1UL << 24)

extern int hk_nr_cpus;
extern int hk_nr_nodes;
#define nr_cpu_ids		((unsigned int)hk_nr_cpus)
#define nr_node_ids		((unsigned int)hk_nr_nodes)

/* Per-thread state.  Only the thread itself writes it, except where noted. */
struct hk_thread {
	unsigned long cpu_off;	/* percpu pointer -> this vCPU's copy */
	int cpu;		/* bound vCPU, -1 before the first use */
	unsigned int vcpu_depth;/* shared build: nesting of the vCPU lock */
	/*
	 * RCU reader state, read by grace-period waiters: bits 0..15 count
	 * nested read sides (rcu_read_lock and atomic sections), bits 16..
	 * count completed outermost sections.
	 */
	unsigned long rcu_ctr;
	unsigned int irq_off;	/* local_irq_save/local_lock_irq* depth */
	unsigned int in_irq;	/* running an IPI/callback/softirq */
	unsigned int hardirq;	/* running an IPI (hardirq proper) */
	unsigned int atomic_depth; /* HK_PREEMPT_RT: nesting of atomic sections */
	bool registered;
	int tid;
	char comm[16];
	struct hk_thread *next_thread;	/* registry, under hk_thread_lock */
};
extern __thread struct hk_thread hk_self __attribute__((tls_model("initial-exec")));

void hk_thread_init(void);		/* register + auto-bind the caller */
int hk_vcpu_bind(int cpu);		/* bind the calling thread to @cpu */
void hk_vcpu_unbind(void);		/* give the vCPU up (exclusive build) */
int hk_vcpu_of_thread(void);
void hk_vcpu_lock_slow(struct hk_thread *t);
void hk_vcpu_unlock_slow(struct hk_thread *t);
void hk_sleep_check(const char *file, int line, const char *what);
void hk_rt_sleep_bug(const char *file, int line, const char *what);

#define HK_RCU_NEST_MASK	0xffffUL

static __always_inline struct hk_thread *hk_cur(void)
{
	struct hk_thread *t = &hk_self;

	if (unlikely(t->cpu < 0))
		hk_thread_init();
	return t;
}

/* Enter/leave an atomic (non-preemptible) section. */
static __always_inline void hk_atomic_enter(void)
{
	struct hk_thread *t = hk_cur();

#ifndef HK_VCPU_EXCLUSIVE
	if (t->vcpu_depth++ == 0)
		hk_vcpu_lock_slow(t);
#endif
#ifdef HK_PREEMPT_RT
	t->atomic_depth++;
#endif
	__atomic_store_n(&t->rcu_ctr, t->rcu_ctr + 1, __ATOMIC_RELAXED);
#ifdef HK_RCU_READER_FENCE
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#else
	barrier();	/* synchronize_rcu() uses membarrier() for the fence */
#endif
}

static __always_inline void hk_atomic_exit(void)
{
	struct hk_thread *t = &hk_self;
	unsigned long c = t->rcu_ctr - 1;

	if (!(c & HK_RCU_NEST_MASK))
		c += HK_RCU_NEST_MASK + 1;
	__atomic_store_n(&t->rcu_ctr, c, __ATOMIC_RELEASE);
#ifdef HK_PREEMPT_RT
	t->atomic_depth--;
#endif
#ifndef HK_VCPU_EXCLUSIVE
	if (--t->vcpu_depth == 0)
		hk_vcpu_unlock_slow(t);
#endif
}

static __always_inline bool hk_in_atomic(void)
{
	return (hk_self.rcu_ctr & HK_RCU_NEST_MASK) != 0;
}

/* ---- CPUs and nodes ----------------------------------------------------- */
static __always_inline int raw_smp_processor_id(void) { return hk_cur()->cpu; }
#define smp_processor_id()	raw_smp_processor_id()
#define get_cpu()		({ preempt_disable(); smp_processor_id(); })
#define put_cpu()		preempt_enable()
static inline int cpu_to_node(int cpu) { return (int)((long)cpu * hk_nr_nodes / hk_nr_cpus); }
static __always_inline int numa_node_id(void) { return cpu_to_node(raw_smp_processor_id()); }

/*
 * Test knobs of the emulated topology.  hk_node_flags[nid]: HK_NODE_MOVABLE,
 * only movable memory (not N_NORMAL_MEMORY, no page for a kernel
 * allocation); HK_NODE_MEMLESS, CPUs and no memory at all.  (A node whose
 * pages are all taken: hk_node_full_set().)  hk_cpu_mem[cpu]: 1 + what
 * numa_mem_id() says on that CPU, 0 for its own node (memory hot-added to
 * a memoryless node changes it at run time).
 */
#define HK_NODE_MOVABLE		1U
#define HK_NODE_MEMLESS		2U
extern unsigned int hk_node_flags[HK_MAX_NODES];
extern int hk_cpu_mem[HK_MAX_CPUS];
static inline void hk_node_set(int nid, unsigned int flags) { WRITE_ONCE(hk_node_flags[nid], flags); }
static inline void hk_cpu_mem_set(int cpu, int nid) { WRITE_ONCE(hk_cpu_mem[cpu], nid + 1); }
static __always_inline int cpu_to_mem(int cpu)
{
#ifndef HK_BENCH	/* the benchmarks count the hot path's instructions */
	int m = READ_ONCE(hk_cpu_mem[cpu]);

	if (m)
		return m - 1;
#endif
	return cpu_to_node(cpu);
}
#define numa_mem_id()		cpu_to_mem(raw_smp_processor_id())
#define local_memory_node(n)	(n)
#define first_memory_node	0
#define first_online_node	0
static inline int next_online_node(int n) { return n + 1 < hk_nr_nodes ? n + 1 : MAX_NUMNODES; }

extern unsigned long hk_cpu_online_bits;	/* bit per vCPU */
static inline bool cpu_online(unsigned int c) { return c < nr_cpu_ids && (READ_ONCE(hk_cpu_online_bits) >> c & 1); }
static inline bool cpu_possible(unsigned int c) { return c < nr_cpu_ids; }
#define cpu_present(c)		cpu_possible(c)
static inline bool node_online(int n) { return n >= 0 && n < hk_nr_nodes; }
#define node_possible(n)	node_online(n)
enum node_states { N_POSSIBLE, N_ONLINE, N_NORMAL_MEMORY, N_HIGH_MEMORY, N_MEMORY, N_CPU, NR_NODE_STATES };
static inline bool node_state(int n, enum node_states s)
{
	unsigned int f = node_online(n) ? READ_ONCE(hk_node_flags[n]) : 0;

	if (!node_online(n))
		return false;
	if (s == N_NORMAL_MEMORY)
		return !(f & (HK_NODE_MOVABLE | HK_NODE_MEMLESS));
	if (s == N_MEMORY || s == N_HIGH_MEMORY)
		return !(f & HK_NODE_MEMLESS);
	return true;
}
static inline unsigned int num_online_cpus(void) { return __builtin_popcountl(READ_ONCE(hk_cpu_online_bits)); }
#define num_possible_cpus()	nr_cpu_ids
#define num_present_cpus()	nr_cpu_ids
#define num_online_nodes()	nr_node_ids
#define num_possible_nodes()	nr_node_ids
#define node_distance(a, b)	((a) == (b) ? 10 : 20)

#define for_each_possible_cpu(c)	for ((c) = 0; (c) < hk_nr_cpus; (c)++)
#define for_each_present_cpu(c)		for_each_possible_cpu(c)
static inline int hk_next_online_cpu(int c)
{
	while (++c < hk_nr_cpus && !cpu_online(c))
		;
	return c;
}
#define for_each_online_cpu(c) \
	for ((c) = hk_next_online_cpu(-1); (c) < hk_nr_cpus; (c) = hk_next_online_cpu(c))
#define for_each_node(n)		for ((n) = 0; (n) < hk_nr_nodes; (n)++)
#define for_each_online_node(n)		for_each_node(n)
#define for_each_node_state(n, s)	for_each_node(n) if (!node_state(n, s)) {} else
#define for_each_node_with_cpus(n)	for_each_node(n)

struct cpumask { DECLARE_BITMAP(bits, HK_MAX_CPUS); };
typedef struct cpumask cpumask_t;
typedef struct cpumask cpumask_var_t[1];
#define cpumask_bits(m)		((m)->bits)
extern struct cpumask hk_cpu_online_mask, hk_cpu_possible_mask;
#define cpu_online_mask		((const struct cpumask *)hk_online_mask_snapshot())
#define cpu_possible_mask	((const struct cpumask *)&hk_cpu_possible_mask)
#define cpu_present_mask	cpu_possible_mask
const struct cpumask *hk_online_mask_snapshot(void);
const struct cpumask *cpumask_of_node(int node);
static inline bool cpumask_test_cpu(int c, const struct cpumask *m) { return test_bit(c, m->bits); }
static inline void cpumask_set_cpu(int c, struct cpumask *m) { set_bit(c, m->bits); }
static inline void cpumask_clear_cpu(int c, struct cpumask *m) { clear_bit(c, m->bits); }
static inline void cpumask_clear(struct cpumask *m) { bitmap_zero(m->bits, HK_MAX_CPUS); }
static inline unsigned int cpumask_weight(const struct cpumask *m) { return bitmap_weight(m->bits, nr_cpu_ids); }
static inline bool cpumask_empty(const struct cpumask *m) { return bitmap_empty(m->bits, nr_cpu_ids); }
static inline unsigned int cpumask_first(const struct cpumask *m) { return find_first_bit(m->bits, nr_cpu_ids); }
static inline unsigned int cpumask_next(int n, const struct cpumask *m) { return find_next_bit(m->bits, nr_cpu_ids, n + 1); }
#define for_each_cpu(c, m) \
	for ((c) = -1; (c) = cpumask_next((c), (m)), (c) < (int)nr_cpu_ids;)
static inline bool zalloc_cpumask_var(cpumask_var_t *m, gfp_t g) { (void)g; cpumask_clear(*m); return true; }
static inline void free_cpumask_var(cpumask_var_t m) { (void)m; }

/* ---- preemption, IRQs, context ----------------------------------------- */
#define preempt_disable()		hk_atomic_enter()
#define preempt_enable()		hk_atomic_exit()
#define preempt_disable_notrace()	hk_atomic_enter()
#define preempt_enable_notrace()	hk_atomic_exit()
#define preempt_enable_no_resched()	hk_atomic_exit()
#define migrate_disable()		hk_atomic_enter()
#define migrate_enable()		hk_atomic_exit()
#define preempt_count()			((int)(hk_self.rcu_ctr & HK_RCU_NEST_MASK))
#define preemptible()			(!hk_in_atomic())
#define in_atomic()			hk_in_atomic()
#define irqs_disabled()			(hk_self.irq_off != 0)
#define in_interrupt()			(hk_self.in_irq != 0)
#define in_irq()			(hk_self.in_irq != 0)
#define in_hardirq()			(hk_self.in_irq != 0)
#define in_softirq()			(hk_self.in_irq != 0)
#define in_serving_softirq()		(hk_self.in_irq != 0)
#define in_nmi()			0
#define in_task()			(hk_self.in_irq == 0)
#define local_irq_save(f)	do { (f) = 0; hk_atomic_enter(); hk_self.irq_off++; } while (0)
#define local_irq_restore(f)	do { (void)(f); hk_self.irq_off--; hk_atomic_exit(); } while (0)
#define local_irq_disable()	do { hk_atomic_enter(); hk_self.irq_off++; } while (0)
#define local_irq_enable()	do { hk_self.irq_off--; hk_atomic_exit(); } while (0)
#define local_bh_disable()	hk_atomic_enter()
#define local_bh_enable()	hk_atomic_exit()
#define might_sleep()		hk_sleep_check(__FILE__, __LINE__, "might_sleep")
#define might_sleep_if(c)	do { if (c) might_sleep(); } while (0)
#define might_fault()		do { } while (0)
#define cant_sleep()		(void)WARN_ON_ONCE(!hk_in_atomic())
#define cant_migrate()		(void)WARN_ON_ONCE(!hk_in_atomic())
#define cond_resched()		({ might_sleep(); 0; })
#define cond_resched_lock(l)	0
#define need_resched()		0
#define schedule()		sched_yield()
#define lockdep_assert_irqs_disabled()		(void)WARN_ON_ONCE(!irqs_disabled())
#define lockdep_assert_irqs_enabled()		(void)WARN_ON_ONCE(irqs_disabled())
#define lockdep_assert_preemption_disabled()	(void)WARN_ON_ONCE(!hk_in_atomic())
#define lockdep_assert_preemption_enabled()	(void)WARN_ON_ONCE(hk_in_atomic())
#define lockdep_assert_in_softirq()		do { } while (0)
#define lockdep_off()				do { } while (0)
#define lockdep_on()				do { } while (0)
struct lock_class_key { int dummy; };
#define lockdep_set_class(l, k)			do { (void)(k); } while (0)
#define lockdep_register_key(k)			do { } while (0)
#define lockdep_unregister_key(k)		do { } while (0)

/* ---- per-CPU data -------------------------------------------------------- */
/* Hidden from the compiler as the kernel's RELOC_HIDE() hides it: not an
 * access past the end of a DEFINE_PER_CPU() variable (UBSan object-size). */
#define __hk_reloc_hide(p)	({ unsigned long __hk_a = (unsigned long)(p);	\
	__asm__("" : "+r"(__hk_a)); __hk_a; })
#define per_cpu_ptr(p, cpu)	((typeof(p))(__hk_reloc_hide(p) + hk_pcpu_delta + (unsigned long)(cpu) * HK_PCPU_UNIT))
#define raw_cpu_ptr(p)		((typeof(p))((char *)(p) + hk_cur()->cpu_off))
#define this_cpu_ptr(p)		raw_cpu_ptr(p)
#define per_cpu(var, cpu)	(*per_cpu_ptr(&(var), cpu))
#define get_cpu_ptr(p)		({ preempt_disable(); this_cpu_ptr(p); })
#define put_cpu_ptr(p)		do { (void)(p); preempt_enable(); } while (0)
#define get_cpu_var(v)		(*({ preempt_disable(); this_cpu_ptr(&(v)); }))
#define put_cpu_var(v)		preempt_enable()
extern unsigned long hk_pcpu_delta;

void __percpu *__alloc_percpu(size_t size, size_t align);
void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp);
void free_percpu(void __percpu *p);
#define alloc_percpu(type)	((type __percpu *)__alloc_percpu(sizeof(type), __alignof__(type)))
#define alloc_percpu_gfp(type, gfp) ((type __percpu *)__alloc_percpu_gfp(sizeof(type), __alignof__(type), gfp))
bool is_kernel_percpu_address(unsigned long addr);
unsigned long hk_percpu_bytes_in_use(void);

/* Statically defined per-CPU variables live in section hk_percpu. */
#define DEFINE_PER_CPU(type, name) \
	__attribute__((section("hk_percpu"), aligned(64))) __typeof__(type) name
#define DEFINE_PER_CPU_ALIGNED(type, name)	DEFINE_PER_CPU(type, name)
#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) DEFINE_PER_CPU(type, name)
#define DEFINE_PER_CPU_READ_MOSTLY(type, name)	DEFINE_PER_CPU(type, name)
#define DECLARE_PER_CPU(type, name)		extern __typeof__(type) name
#define DECLARE_PER_CPU_ALIGNED(type, name)	DECLARE_PER_CPU(type, name)
#define EXPORT_PER_CPU_SYMBOL(x)
#define EXPORT_PER_CPU_SYMBOL_GPL(x)

/*
 * this_cpu ops: atomic against the CPU's other users (interrupts,
 * preemption).  Shared build: an atomic RMW.  Exclusive build: a plain
 * load and store (still marked accesses), as the one-instruction x86 op is.
 */
#ifdef HK_VCPU_EXCLUSIVE
#define __hk_pcpu_rmw(pcp, op, val) ({						\
	typeof(pcp) *__hk_p = raw_cpu_ptr(&(pcp));				\
	typeof(pcp) __hk_n = __atomic_load_n(__hk_p, __ATOMIC_RELAXED) op (val);	\
	__atomic_store_n(__hk_p, __hk_n, __ATOMIC_RELAXED); __hk_n; })
#define __hk_pcpu_add_return(pcp, val)	__hk_pcpu_rmw(pcp, +, val)
#define __hk_pcpu_and(pcp, val)		(void)__hk_pcpu_rmw(pcp, &, val)
#define __hk_pcpu_or(pcp, val)		(void)__hk_pcpu_rmw(pcp, |, val)
#else
/*
 * The op must also exclude the vCPU's other threads, as the kernel's
 * one-instruction op excludes preemption: a local-lock holder on the same
 * vCPU updates the same counter with a plain increment.
 */
#define __hk_pcpu_locked(expr) ({						\
	typeof(expr) __hk_r;							\
	hk_atomic_enter();							\
	__hk_r = (expr);							\
	hk_atomic_exit();							\
	__hk_r; })
#define __hk_pcpu_add_return(pcp, val) \
	__hk_pcpu_locked(__atomic_add_fetch(raw_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED))
#define __hk_pcpu_and(pcp, val) \
	(void)__hk_pcpu_locked(__atomic_and_fetch(raw_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED))
#define __hk_pcpu_or(pcp, val) \
	(void)__hk_pcpu_locked(__atomic_or_fetch(raw_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED))
#endif
#define this_cpu_read(pcp)	__atomic_load_n(raw_cpu_ptr(&(pcp)), __ATOMIC_RELAXED)
#define this_cpu_write(pcp, v)	__atomic_store_n(raw_cpu_ptr(&(pcp)), (v), __ATOMIC_RELAXED)
#define this_cpu_add(pcp, v)	(void)__hk_pcpu_add_return(pcp, v)
#define this_cpu_sub(pcp, v)	(void)__hk_pcpu_add_return(pcp, -(typeof(pcp))(v))
#define this_cpu_inc(pcp)	this_cpu_add(pcp, 1)
#define this_cpu_dec(pcp)	this_cpu_sub(pcp, 1)
#define this_cpu_add_return(pcp, v)	__hk_pcpu_add_return(pcp, v)
#define this_cpu_inc_return(pcp)	__hk_pcpu_add_return(pcp, 1)
#define this_cpu_dec_return(pcp)	__hk_pcpu_add_return(pcp, -1)
#define this_cpu_and(pcp, v)	__hk_pcpu_and(pcp, v)
#define this_cpu_or(pcp, v)	__hk_pcpu_or(pcp, v)
#define this_cpu_xchg(pcp, n)	__atomic_exchange_n(raw_cpu_ptr(&(pcp)), (n), __ATOMIC_RELAXED)
#define this_cpu_cmpxchg(pcp, o, n) cmpxchg_relaxed(raw_cpu_ptr(&(pcp)), o, n)
#define this_cpu_try_cmpxchg(pcp, po, n) try_cmpxchg_relaxed(raw_cpu_ptr(&(pcp)), po, n)
/* raw_ and __this_cpu ops: the caller excludes other users (a section). */
#define raw_cpu_read(pcp)	this_cpu_read(pcp)
#define raw_cpu_write(pcp, v)	this_cpu_write(pcp, v)
#define raw_cpu_add(pcp, v)	this_cpu_add(pcp, v)
#define raw_cpu_inc(pcp)	this_cpu_inc(pcp)
#define raw_cpu_dec(pcp)	this_cpu_dec(pcp)
#define __this_cpu_read(pcp)	this_cpu_read(pcp)
#define __this_cpu_write(pcp, v) this_cpu_write(pcp, v)
#define __this_cpu_add(pcp, v)	this_cpu_add(pcp, v)
#define __this_cpu_sub(pcp, v)	this_cpu_sub(pcp, v)
#define __this_cpu_inc(pcp)	this_cpu_inc(pcp)
#define __this_cpu_dec(pcp)	this_cpu_dec(pcp)
#define __this_cpu_add_return(pcp, v) this_cpu_add_return(pcp, v)
#define __this_cpu_inc_return(pcp) this_cpu_inc_return(pcp)

/* ---- local_lock ---------------------------------------------------------- */
/*
 * A local_lock is its section: it owns the vCPU (shared build).  The owner
 * field serves lockdep_assert_held() and catches a local_lock taken on one
 * vCPU and released on another.
 */
#ifndef HK_PREEMPT_RT
typedef struct {
	struct hk_thread *owner;
} local_lock_t;
typedef local_lock_t local_trylock_t;
#define INIT_LOCAL_LOCK(l)	{ .owner = NULL }
#define local_lock_init(l)	do { (l)->owner = NULL; } while (0)
#endif
/* local_lock_acquire(), _release(): the annotation alone, on this CPU's lock. */
#ifdef HK_VCPU_EXCLUSIVE
#define local_lock_acquire(l)	do { (void)(l); } while (0)
#define local_lock_release(l)	do { (void)(l); } while (0)
#else
#define local_lock_acquire(l)	do { local_lock_t *__hk_l = (l);			\
	if (unlikely(__hk_l->owner)) hk_bug(__FILE__, __LINE__, "local_lock recursion");	\
	__hk_l->owner = &hk_self; } while (0)
#define local_lock_release(l)	do { local_lock_t *__hk_l = (l);			\
	if (unlikely(__hk_l->owner != &hk_self)) hk_bug(__FILE__, __LINE__, "local_unlock by non-owner"); \
	__hk_l->owner = NULL; } while (0)
#endif
#define __hk_ll_acquire(l)	local_lock_acquire(this_cpu_ptr(l))
#define __hk_ll_release(l)	local_lock_release(this_cpu_ptr(l))
#ifndef HK_PREEMPT_RT
#define local_lock(l)		do { hk_atomic_enter(); __hk_ll_acquire(l); } while (0)
#define local_unlock(l)		do { __hk_ll_release(l); hk_atomic_exit(); } while (0)
#define local_lock_irq(l)	do { local_irq_disable(); __hk_ll_acquire(l); } while (0)
#define local_unlock_irq(l)	do { __hk_ll_release(l); local_irq_enable(); } while (0)
#define local_lock_irqsave(l, f)	do { local_irq_save(f); __hk_ll_acquire(l); } while (0)
#define local_unlock_irqrestore(l, f)	do { __hk_ll_release(l); local_irq_restore(f); } while (0)
#define local_lock_nested_bh(l)		__hk_ll_acquire(l)
#define local_unlock_nested_bh(l)	__hk_ll_release(l)
#else /* HK_PREEMPT_RT: a per-CPU sleeping lock, preemptible */
typedef struct {
	pthread_mutex_t m;
	struct hk_thread *owner;
} local_lock_t;
typedef local_lock_t local_trylock_t;
#define INIT_LOCAL_LOCK(l)	{ .m = PTHREAD_MUTEX_INITIALIZER, .owner = NULL }
#define local_lock_init(l)	do { pthread_mutex_init(&(l)->m, NULL); (l)->owner = NULL; } while (0)
static __always_inline void rcu_read_lock(void);
static __always_inline void rcu_read_unlock(void);
static inline void __hk_rt_local_lock(local_lock_t *l, const char *file, int line)
{
	if (unlikely(hk_cur()->atomic_depth || hk_self.hardirq))
		hk_rt_sleep_bug(file, line, "local_lock (a sleeping lock on PREEMPT_RT)");
	rcu_read_lock();
	pthread_mutex_lock(&l->m);
	if (unlikely(l->owner))
		hk_bug(file, line, "local_lock recursion");
	l->owner = &hk_self;
}
static inline void __hk_rt_local_unlock(local_lock_t *l, const char *file, int line)
{
	if (unlikely(l->owner != &hk_self))
		hk_bug(file, line, "local_unlock by non-owner");
	l->owner = NULL;
	pthread_mutex_unlock(&l->m);
	rcu_read_unlock();
}
#define local_lock(l)		__hk_rt_local_lock(this_cpu_ptr(l), __FILE__, __LINE__)
#define local_unlock(l)		__hk_rt_local_unlock(this_cpu_ptr(l), __FILE__, __LINE__)
#define local_lock_irq(l)	local_lock(l)
#define local_unlock_irq(l)	local_unlock(l)
#define local_lock_irqsave(l, f)	do { (f) = 0; local_lock(l); } while (0)
#define local_unlock_irqrestore(l, f)	do { (void)(f); local_unlock(l); } while (0)
#define local_lock_nested_bh(l)		local_lock(l)
#define local_unlock_nested_bh(l)	local_unlock(l)
#endif /* HK_PREEMPT_RT */

/* ---- spinlocks ----------------------------------------------------------- */
typedef struct spinlock {
	pthread_mutex_t m;
	struct hk_thread *owner;
} spinlock_t;
typedef spinlock_t raw_spinlock_t;
#define __SPIN_LOCK_UNLOCKED(x)		{ .m = PTHREAD_MUTEX_INITIALIZER, .owner = NULL }
#define __RAW_SPIN_LOCK_UNLOCKED(x)	__SPIN_LOCK_UNLOCKED(x)
#define DEFINE_SPINLOCK(x)		spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RAW_SPINLOCK(x)		DEFINE_SPINLOCK(x)
void spin_lock_init(spinlock_t *l);
#define raw_spin_lock_init(l)		spin_lock_init(l)
#ifndef HK_PREEMPT_RT
static inline void spin_lock(spinlock_t *l)
{
	hk_atomic_enter();
	pthread_mutex_lock(&l->m);
	__atomic_store_n(&l->owner, &hk_self, __ATOMIC_RELAXED);
}
static inline void spin_unlock(spinlock_t *l)
{
	if (unlikely(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != &hk_self))
		hk_bug(__FILE__, __LINE__, "spin_unlock of a lock not held");
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&l->m);
	hk_atomic_exit();
}
static inline bool spin_trylock(spinlock_t *l)
{
	hk_atomic_enter();
	if (pthread_mutex_trylock(&l->m) == 0) {
		__atomic_store_n(&l->owner, &hk_self, __ATOMIC_RELAXED);
		return true;
	}
	hk_atomic_exit();
	return false;
}
static inline bool spin_is_locked(spinlock_t *l) { return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) != NULL; }
#define spin_lock_nested(l, sub)	spin_lock(l)
#define spin_lock_bh(l)			spin_lock(l)
#define spin_unlock_bh(l)		spin_unlock(l)
#define spin_lock_irq(l)		do { local_irq_disable(); spin_lock(l); } while (0)
#define spin_unlock_irq(l)		do { spin_unlock(l); local_irq_enable(); } while (0)
#define spin_lock_irqsave(l, f)		do { local_irq_save(f); spin_lock(l); } while (0)
#define spin_lock_irqsave_nested(l, f, s) spin_lock_irqsave(l, f)
#define spin_unlock_irqrestore(l, f)	do { spin_unlock(l); local_irq_restore(f); } while (0)
#define spin_trylock_irqsave(l, f) ({ bool __hk_ok; local_irq_save(f); __hk_ok = spin_trylock(l); \
	if (!__hk_ok) local_irq_restore(f); __hk_ok; })
#define raw_spin_lock(l)		spin_lock(l)
#define raw_spin_unlock(l)		spin_unlock(l)
#define raw_spin_trylock(l)		spin_trylock(l)
#define raw_spin_lock_irq(l)		spin_lock_irq(l)
#define raw_spin_unlock_irq(l)		spin_unlock_irq(l)
#define raw_spin_lock_irqsave(l, f)	spin_lock_irqsave(l, f)
#define raw_spin_unlock_irqrestore(l, f) spin_unlock_irqrestore(l, f)
#else /* HK_PREEMPT_RT */
/* A raw spinlock stays atomic; spinlock_t is an rtmutex: preemptible, an RCU read side. */
static inline void raw_spin_lock(raw_spinlock_t *l)
{
	hk_atomic_enter();
	pthread_mutex_lock(&l->m);
	__atomic_store_n(&l->owner, &hk_self, __ATOMIC_RELAXED);
}
static inline void raw_spin_unlock(raw_spinlock_t *l)
{
	if (unlikely(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != &hk_self))
		hk_bug(__FILE__, __LINE__, "spin_unlock of a lock not held");
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&l->m);
	hk_atomic_exit();
}
#define raw_spin_lock_irq(l)		do { local_irq_disable(); raw_spin_lock(l); } while (0)
#define raw_spin_unlock_irq(l)		do { raw_spin_unlock(l); local_irq_enable(); } while (0)
#define raw_spin_lock_irqsave(l, f)	do { local_irq_save(f); raw_spin_lock(l); } while (0)
#define raw_spin_unlock_irqrestore(l, f) do { raw_spin_unlock(l); local_irq_restore(f); } while (0)
static __always_inline void rcu_read_lock(void);
static __always_inline void rcu_read_unlock(void);
static inline void __hk_rt_spin_lock(spinlock_t *l, const char *file, int line)
{
	if (unlikely(hk_cur()->atomic_depth || hk_self.hardirq))
		hk_rt_sleep_bug(file, line, "spin_lock (a sleeping lock on PREEMPT_RT)");
	rcu_read_lock();
	pthread_mutex_lock(&l->m);
	__atomic_store_n(&l->owner, &hk_self, __ATOMIC_RELAXED);
}
#define spin_lock(l)			__hk_rt_spin_lock(l, __FILE__, __LINE__)
static inline void spin_unlock(spinlock_t *l)
{
	if (unlikely(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != &hk_self))
		hk_bug(__FILE__, __LINE__, "spin_unlock of a lock not held");
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&l->m);
	rcu_read_unlock();
}
static inline bool spin_trylock(spinlock_t *l)
{
	rcu_read_lock();
	if (pthread_mutex_trylock(&l->m) == 0) {
		__atomic_store_n(&l->owner, &hk_self, __ATOMIC_RELAXED);
		return true;
	}
	rcu_read_unlock();
	return false;
}
static inline bool spin_is_locked(spinlock_t *l) { return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) != NULL; }
#define spin_lock_nested(l, sub)	spin_lock(l)
#define spin_lock_bh(l)			spin_lock(l)
#define spin_unlock_bh(l)		spin_unlock(l)
#define spin_lock_irq(l)		spin_lock(l)
#define spin_unlock_irq(l)		spin_unlock(l)
#define spin_lock_irqsave(l, f)		do { (f) = 0; spin_lock(l); } while (0)
#define spin_lock_irqsave_nested(l, f, s) spin_lock_irqsave(l, f)
#define spin_unlock_irqrestore(l, f)	do { (void)(f); spin_unlock(l); } while (0)
#define spin_trylock_irqsave(l, f)	({ (f) = 0; spin_trylock(l); })
#define raw_spin_trylock(l)		spin_trylock(l)
#endif /* HK_PREEMPT_RT */
#define assert_spin_locked(l)		(void)WARN_ON(!spin_is_locked(l))
/*
 * The benchmarks build as the perf kernel is configured, without
 * CONFIG_PROVE_LOCKING: the assertions cost nothing there, and in the
 * exclusive build a local_lock has no owner to check (it is not taken).
 */
#ifdef HK_BENCH
#define lockdep_assert_held(l)		do { (void)(l); } while (0)
#define lockdep_assert_not_held(l)	do { (void)(l); } while (0)
#else
#define lockdep_assert_held(l)		(void)WARN_ON(__atomic_load_n(&(l)->owner, __ATOMIC_RELAXED) != &hk_self)
#define lockdep_assert_not_held(l)	(void)WARN_ON(__atomic_load_n(&(l)->owner, __ATOMIC_RELAXED) == &hk_self)
#endif
#define lockdep_assert_held_once(l)	lockdep_assert_held(l)
#define lockdep_assert_held_write(l)	lockdep_assert_held(l)
#define lockdep_assert_held_read(l)	do { (void)(l); } while (0)
#define lockdep_is_held(l)		(__atomic_load_n(&(l)->owner, __ATOMIC_RELAXED) == &hk_self)

/* ---- mutexes ------------------------------------------------------------- */
struct mutex {
	pthread_mutex_t m;
	struct hk_thread *owner;
};
#define __MUTEX_INITIALIZER(x)	{ .m = PTHREAD_MUTEX_INITIALIZER, .owner = NULL }
#define DEFINE_MUTEX(x)		struct mutex x = __MUTEX_INITIALIZER(x)
void mutex_init(struct mutex *m);
#define mutex_destroy(m)	do { (void)(m); } while (0)
void hk_mutex_lock(struct mutex *m, const char *file, int line);
#define mutex_lock(m)		hk_mutex_lock(m, __FILE__, __LINE__)
#define mutex_lock_nested(m, s)	mutex_lock(m)
#define mutex_lock_interruptible(m) ({ mutex_lock(m); 0; })
#define mutex_lock_killable(m)	({ mutex_lock(m); 0; })
void mutex_unlock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
static inline bool mutex_is_locked(struct mutex *m) { return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) != NULL; }

/* CPU hotplug lock. */
void cpus_read_lock(void);
bool cpus_read_trylock(void);
void cpus_read_unlock(void);
/* Harness: threads blocked in cpus_read_lock() (a hotplug is under way). */
unsigned int hk_cpus_read_waiters(void);
#define get_online_cpus()		cpus_read_lock()
#define put_online_cpus()		cpus_read_unlock()
#define lockdep_assert_cpus_held()	do { } while (0)

/* ---- RCU ----------------------------------------------------------------- */
struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};
#define rcu_head callback_head
typedef void (*rcu_callback_t)(struct rcu_head *head);

static __always_inline void rcu_read_lock(void)
{
	struct hk_thread *t = hk_cur();

	__atomic_store_n(&t->rcu_ctr, t->rcu_ctr + 1, __ATOMIC_RELAXED);
#ifdef HK_RCU_READER_FENCE
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#else
	barrier();
#endif
}
static __always_inline void rcu_read_unlock(void)
{
	struct hk_thread *t = &hk_self;
	unsigned long c = t->rcu_ctr - 1;

	if (WARN_ON_ONCE(!(t->rcu_ctr & HK_RCU_NEST_MASK)))
		return;
	if (!(c & HK_RCU_NEST_MASK))
		c += HK_RCU_NEST_MASK + 1;
	__atomic_store_n(&t->rcu_ctr, c, __ATOMIC_RELEASE);
}
#define rcu_read_lock_bh()		local_bh_disable()
#define rcu_read_unlock_bh()		local_bh_enable()
#define rcu_read_lock_sched()		preempt_disable()
#define rcu_read_unlock_sched()		preempt_enable()
#define rcu_read_lock_held()		hk_in_atomic()
#define rcu_read_lock_any_held()	hk_in_atomic()
#define rcu_read_lock_sched_held()	hk_in_atomic()
#define rcu_dereference(p)		__atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_raw(p)		rcu_dereference(p)
#define rcu_dereference_check(p, c)	rcu_dereference(p)
#define rcu_dereference_bh(p)		rcu_dereference(p)
#define rcu_dereference_sched(p)	rcu_dereference(p)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_access_pointer(p)		READ_ONCE(p)
#define rcu_assign_pointer(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v)		WRITE_ONCE(p, v)
#define rcu_replace_pointer(p, v, c)	({ typeof(p) __hk_o = (p); rcu_assign_pointer(p, v); __hk_o; })
#define init_rcu_head(h)		do { } while (0)
#define destroy_rcu_head(h)		do { } while (0)
void synchronize_rcu(void);
#define synchronize_rcu_expedited()	synchronize_rcu()
#define synchronize_net()		synchronize_rcu()
void call_rcu(struct rcu_head *head, rcu_callback_t func);
#define call_rcu_hurry(h, f)		call_rcu(h, f)
void rcu_barrier(void);
void hk_kvfree_rcu(struct rcu_head *head, unsigned long offset);
#define kvfree_rcu(ptr, rhf)	hk_kvfree_rcu(&(ptr)->rhf, offsetof(typeof(*(ptr)), rhf))
#define kfree_rcu(ptr, rhf)	kvfree_rcu(ptr, rhf)
#define kfree_rcu_mightsleep(ptr) do { synchronize_rcu(); kfree(ptr); } while (0)
#define kvfree_rcu_mightsleep(ptr) kfree_rcu_mightsleep(ptr)
unsigned long hk_rcu_pending(void);	/* callbacks queued, not yet run */

/* ---- cross-CPU calls and hotplug ----------------------------------------- */
typedef void (*smp_call_func_t)(void *info);
void on_each_cpu(smp_call_func_t func, void *info, int wait);
void on_each_cpu_mask(const struct cpumask *mask, smp_call_func_t func, void *info, bool wait);
typedef bool (*smp_cond_func_t)(int cpu, void *info);
void on_each_cpu_cond(smp_cond_func_t cond, smp_call_func_t func, void *info, bool wait);
int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait);
/* Harness: cross-CPU calls (IPIs) made by on_each_cpu*() and friends. */
unsigned long hk_smp_calls_run(void);
/* Run @fn as vCPU @cpu from the calling thread, like an IPI would. */
void hk_run_on_cpu(int cpu, void (*fn)(void *), void *arg);

enum cpuhp_state {
	CPUHP_INVALID = -1,
	CPUHP_OFFLINE = 0,
	CPUHP_BP_PREPARE_DYN = 40,
	CPUHP_BP_PREPARE_DYN_END = 60,
	CPUHP_SLUB_DEAD = 30,
	CPUHP_AP_ONLINE_DYN = 160,
	CPUHP_AP_ONLINE_DYN_END = 190,
	CPUHP_ONLINE = 200,
};
int __hk_cpuhp_setup_state(int state, const char *name, bool invoke,
			   int (*startup)(unsigned int cpu),
			   int (*teardown)(unsigned int cpu));
void __hk_cpuhp_remove_state(int state, bool invoke);
#define cpuhp_setup_state(s, n, up, down)		__hk_cpuhp_setup_state(s, n, true, up, down)
#define cpuhp_setup_state_nocalls(s, n, up, down)	__hk_cpuhp_setup_state(s, n, false, up, down)
#define cpuhp_setup_state_cpuslocked(s, n, up, down)	__hk_cpuhp_setup_state(s, n, true, up, down)
#define cpuhp_remove_state(s)				__hk_cpuhp_remove_state(s, true)
#define cpuhp_remove_state_nocalls(s)			__hk_cpuhp_remove_state(s, false)
/* Take vCPU @cpu down / up, running the registered callbacks. */
int hk_cpu_down(int cpu);
int hk_cpu_up(int cpu);

/* ---- time, tasks --------------------------------------------------------- */
#define HZ			CONFIG_HZ
unsigned long hk_jiffies(void);
#define jiffies			hk_jiffies()
#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
#define msecs_to_jiffies(m)	((unsigned long)(m) * HZ / 1000)
#define jiffies_to_msecs(j)	((unsigned int)((j) * 1000 / HZ))
u64 ktime_get_ns(void);
#define ktime_get_mono_fast_ns()	ktime_get_ns()
#define local_clock()			ktime_get_ns()
#define sched_clock()			ktime_get_ns()
#define NSEC_PER_SEC		1000000000L
#define NSEC_PER_MSEC		1000000L
#define NSEC_PER_USEC		1000L
#define USEC_PER_SEC		1000000L
#define MSEC_PER_SEC		1000L
void msleep(unsigned int ms);
void usleep_range(unsigned long min, unsigned long max);
#define ssleep(s)		msleep((s) * 1000)
#define udelay(us)		usleep_range(us, us)

struct task_struct {
	int pid;
	char comm[16];
	/* kthreads */
	int (*hk_fn)(void *data);
	void *hk_data;
	int hk_cpu;
	bool hk_should_stop;
	pthread_t hk_thread;
	struct hk_thread *hk_thr;
	struct list_head hk_list;
};
struct task_struct *hk_current(void);
#define current			hk_current()
#define task_pid_nr(t)		((t)->pid)
#define TASK_COMM_LEN		16

#endif /* _HK_SCHED_H */
