/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab userspace harness: what the files of the kernel emulation
 * (the .c files beside this one) share among themselves.  Tests and the allocator see only
 * the shim headers (shim/include).
 */
#ifndef _HK_SHIM_H
#define _HK_SHIM_H

#include "hk/kernel.h"

/* An integer from the environment, @def if unset or empty. */
static inline long hk_env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

/* Start-up, in this order (init.c), before any constructor of a test. */
void hk_arena_init(void);		/* page_alloc.c */
void hk_pcpu_init(void);		/* percpu.c */
void hk_sched_init(void);		/* sched.c */
void hk_rcu_init(void);			/* rcu.c */

/* In a forked child only the forking thread lives on: reset the rest. */
void hk_sched_atfork_child(void);	/* sched.c */
void hk_rcu_atfork_child(void);		/* rcu.c */

/* printk.c: vsnprintf with the kernel's %p extensions (seq_file uses it). */
int hk_vsnprintf(char *out, size_t size, const char *fmt, va_list ap);

/* sched.c: the registered threads, walked by RCU's grace periods. */
extern pthread_mutex_t hk_thread_lock;
extern struct hk_thread *hk_threads;
void hk_register_locked(struct hk_thread *t);
void hk_set_cpu(struct hk_thread *t, int cpu);
extern pthread_rwlock_t hk_hotplug_lock;

/* smp.c: run as another vCPU for a while (cross-CPU calls, RCU callbacks). */
struct hk_cpu_switch {
	int cpu;
	unsigned long cpu_off;
	unsigned int vcpu_depth;
};
void hk_switch_cpu(struct hk_cpu_switch *save, int cpu);
void hk_restore_cpu(const struct hk_cpu_switch *save);

#endif /* _HK_SHIM_H */
