/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab userspace harness: IDA, shrinkers, kthreads, completions,
 * prandom, init_on_alloc, module parameters.
 */
#ifndef _HK_EXTRA_H
#define _HK_EXTRA_H

#include "hk/mm.h"

/* ---- IDA: smallest free id, bitmap under a spinlock --------------------- */
struct ida {
	spinlock_t lock;
	unsigned long *bits;
	unsigned int nbits;
	unsigned int used;
};
#define IDA_INIT(name)		{ .lock = __SPIN_LOCK_UNLOCKED(name.lock) }
#define DEFINE_IDA(name)	struct ida name = IDA_INIT(name)
static inline void ida_init(struct ida *ida) { memset(ida, 0, sizeof(*ida)); spin_lock_init(&ida->lock); }
int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max, gfp_t gfp);
#define ida_alloc_max(ida, max, gfp)	ida_alloc_range(ida, 0, max, gfp)
#define ida_alloc_min(ida, min, gfp)	ida_alloc_range(ida, min, INT_MAX, gfp)
#define ida_alloc(ida, gfp)		ida_alloc_range(ida, 0, INT_MAX, gfp)
void ida_free(struct ida *ida, unsigned int id);
void ida_destroy(struct ida *ida);
static inline bool ida_is_empty(struct ida *ida) { return READ_ONCE(ida->used) == 0; }

/* ---- shrinkers (the 6.7+ API); hk_shrink() plays memory pressure -------- */
#define SHRINK_STOP		(~0UL)
#define SHRINK_EMPTY		(~0UL - 1)
#define DEFAULT_SEEKS		2
#define SHRINKER_REGISTERED	BIT(0)
#define SHRINKER_ALLOCATED	BIT(1)
#define SHRINKER_NUMA_AWARE	BIT(2)
#define SHRINKER_MEMCG_AWARE	BIT(3)
#define SHRINKER_NONSLAB	BIT(4)
struct shrink_control {
	gfp_t gfp_mask;
	int nid;
	unsigned long nr_to_scan;
	unsigned long nr_scanned;
	void *memcg;
};
struct shrinker {
	unsigned long (*count_objects)(struct shrinker *, struct shrink_control *sc);
	unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *sc);
	long batch;
	int seeks;
	unsigned int flags;
	void *private_data;
	char name[32];
	struct list_head hk_list;
};
__printf(2, 3) struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...);
void shrinker_register(struct shrinker *shrinker);
void shrinker_free(struct shrinker *shrinker);
/* Harness: run every registered shrinker once, like reclaim would. */
unsigned long hk_shrink(int nid, unsigned long nr_to_scan);
unsigned int hk_nr_shrinkers(void);

/* ---- completions ---------------------------------------------------------- */
struct completion {
	pthread_mutex_t m;
	pthread_cond_t cv;
	unsigned int done;
};
#define COMPLETION_INITIALIZER(w) { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 }
#define DECLARE_COMPLETION(w)	struct completion w = COMPLETION_INITIALIZER(w)
#define DECLARE_COMPLETION_ONSTACK(w) DECLARE_COMPLETION(w)
void init_completion(struct completion *c);
#define reinit_completion(c)	((c)->done = 0)
void complete(struct completion *c);
void complete_all(struct completion *c);
void wait_for_completion(struct completion *c);
unsigned long wait_for_completion_timeout(struct completion *c, unsigned long timeout);
bool completion_done(struct completion *c);

/* ---- kthreads: a pthread bound to a vCPU ---------------------------------- */
/* namefmt takes the CPU number, as in the kernel (not a printf attribute). */
struct task_struct *kthread_create_on_cpu(int (*fn)(void *data), void *data,
					  unsigned int cpu, const char *namefmt);
__printf(4, 5) struct task_struct *kthread_create_on_node(int (*fn)(void *data), void *data,
							  int node, const char *namefmt, ...);
#define kthread_create(fn, data, fmt, ...) kthread_create_on_node(fn, data, NUMA_NO_NODE, fmt, ##__VA_ARGS__)
#define kthread_run(fn, data, fmt, ...) ({ struct task_struct *__hk_k = kthread_create(fn, data, fmt, ##__VA_ARGS__); \
	if (!IS_ERR(__hk_k)) wake_up_process(__hk_k); __hk_k; })
int wake_up_process(struct task_struct *t);
int kthread_stop(struct task_struct *t);
bool kthread_should_stop(void);
void kthread_bind(struct task_struct *t, unsigned int cpu);
/* Harness: wait for every kthread to finish (they are detached). */
void hk_kthreads_wait(void);

/* ---- workqueues: queue_work_on() runs the item at once (hk_runtime.c) ---- */
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct {
	work_func_t func;
};
struct workqueue_struct {
	unsigned int flags;
	char name[32];
};
#define WQ_UNBOUND		(1 << 1)
#define WQ_FREEZABLE		(1 << 2)
#define WQ_MEM_RECLAIM		(1 << 3)
#define WQ_HIGHPRI		(1 << 4)
#define WQ_CPU_INTENSIVE	(1 << 5)
#define INIT_WORK(w, f)		do { (w)->func = (f); } while (0)
__printf(1, 4) struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
							int max_active, ...);
void destroy_workqueue(struct workqueue_struct *wq);
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work);
bool flush_work(struct work_struct *work);
extern struct workqueue_struct *system_wq;
#define schedule_work_on(cpu, w)	queue_work_on(cpu, system_wq, w)
/* Harness: work items run so far. */
unsigned long hk_work_items_run(void);

/* ---- prandom --------------------------------------------------------------- */
struct rnd_state { u64 s; };
static inline void prandom_seed_state(struct rnd_state *st, u64 seed) { st->s = seed ^ 0x2545f4914f6cdd1dULL; }
static inline u32 prandom_u32_state(struct rnd_state *st)
{
	u64 x = st->s += 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return (u32)((x ^ (x >> 31)) >> 16);
}
static inline void prandom_bytes_state(struct rnd_state *st, void *buf, size_t n)
{
	u8 *p = buf;

	while (n--)
		*p++ = (u8)prandom_u32_state(st);
}

/* ---- init_on_alloc / init_on_free (env HK_INIT_ON_ALLOC, HK_INIT_ON_FREE) - */
DECLARE_STATIC_KEY_FALSE(init_on_alloc);
DECLARE_STATIC_KEY_FALSE(init_on_free);
#define DECLARE_STATIC_KEY_MAYBE(cfg, name)	DECLARE_STATIC_KEY_FALSE(name)
#define static_branch_maybe(cfg, key)		static_branch_unlikely(key)
static inline bool want_init_on_free(void) { return static_branch_unlikely(&init_on_free); }
static inline bool want_init_on_alloc(gfp_t flags)
{
	return static_branch_unlikely(&init_on_alloc) || (flags & __GFP_ZERO);
}
#define kmemleak_alloc_recursive(p, s, c, f, g)	do { (void)(p); } while (0)
#define kmemleak_free_recursive(p, f)		do { (void)(p); } while (0)
#define kmemleak_update_trace(p)		do { } while (0)

/* ---- memalloc scopes, vmalloc extras --------------------------------------- */
static inline unsigned int memalloc_noio_save(void) { return 0; }
static inline void memalloc_noio_restore(unsigned int f) { (void)f; }
static inline unsigned int memalloc_nofs_save(void) { return 0; }
static inline void memalloc_nofs_restore(unsigned int f) { (void)f; }
static inline unsigned int memalloc_noreclaim_save(void) { return 0; }
static inline void memalloc_noreclaim_restore(unsigned int f) { (void)f; }
#define vcalloc(n, size)		kvcalloc(n, size, GFP_KERNEL)
#define vmalloc_array(n, size)		kvmalloc_array(n, size, GFP_KERNEL)
#define vmalloc_node(size, node)	vmalloc(size)

/* ---- module parameters: settable by the harness, as insmod would --------- */
enum hk_param_type { hk_param_bool, hk_param_invbool, hk_param_int, hk_param_uint,
		     hk_param_long, hk_param_ulong, hk_param_short, hk_param_ushort,
		     hk_param_byte, hk_param_charp };
void hk_param_register(const char *name, void *addr, enum hk_param_type type);
/* Harness: set a module parameter by name ("selftest", "1"); 0 or -ENOENT. */
int hk_param_set(const char *name, const char *value);
#undef module_param
#undef module_param_named
#define module_param_named(name, var, type, perm)				\
	__attribute__((constructor)) static void __hk_param_##name(void)	\
	{ hk_param_register(#name, &(var), hk_param_##type); }
/* Not via module_param_named: bool would be expanded to _Bool first. */
#define module_param(name, type, perm)						\
	__attribute__((constructor)) static void __hk_param_##name(void)	\
	{ hk_param_register(#name, &(name), hk_param_##type); }

/* ---- parameters with callbacks (module_param_cb is ignored) ------------- */
struct kernel_param;
struct kernel_param_ops {
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buffer, const struct kernel_param *kp);
};
static inline int kstrtobool(const char *s, bool *res)
{
	if (!s)
		return -EINVAL;
	switch (s[0]) {
	case 'y': case 'Y': case '1': *res = true; return 0;
	case 'n': case 'N': case '0': *res = false; return 0;
	default: return -EINVAL;
	}
}
#define sysfs_emit(buf, ...)		sprintf(buf, __VA_ARGS__)

#endif /* _HK_EXTRA_H */
