/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab: what differs between the kernels we build against (6.1 and
 * 6.12 at least).  Every version test lives here, nowhere else.
 */
#ifndef _HAKMEM_COMPAT_H
#define _HAKMEM_COMPAT_H

#include <linux/shrinker.h>
#include <linux/types.h>
#include <linux/version.h>

/*
 * Symbol namespaces.  hakmem's API is exported in the HAKMEM namespace; a
 * module that calls it declares, once, next to its MODULE_LICENSE():
 *
 *	MODULE_IMPORT_NS(HAKMEM_NS);
 *
 * Up to 6.12, EXPORT_SYMBOL_NS*() and MODULE_IMPORT_NS() take the namespace
 * as a bare token and stringify it (after expanding macros); from 6.13 they
 * take a string literal.  HAKMEM_NS is whichever the kernel wants, so the
 * same line builds on every kernel.  HAKMEM_INTERNAL_NS holds what only
 * the project's own test modules may use (hakmem_internal.h).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define HAKMEM_NS		"HAKMEM"
#define HAKMEM_INTERNAL_NS	"HAKMEM_INTERNAL"
#else
#define HAKMEM_NS		HAKMEM
#define HAKMEM_INTERNAL_NS	HAKMEM_INTERNAL
#endif

/*
 * Generic KASAN at object granularity needs kasan_poison(), which 6.12
 * exports to modules (mm/kasan/shadow.c) but no header declares.  Kbuild
 * defines HAKMEM_KASAN_POISON when the kernel's Module.symvers has it;
 * elsewhere hakmem's objects are covered at page granularity only.
 */
#if defined(CONFIG_KASAN_GENERIC) && defined(HAKMEM_KASAN_POISON)
#define HAKMEM_KASAN 1
void kasan_poison(const void *addr, size_t size, u8 value, bool init);
#endif

/*
 * 6.7 replaced register_shrinker() with shrinker_alloc()/_register(); the
 * flag marking an allocated shrinker came with it.
 */
#ifdef SHRINKER_ALLOCATED
static inline struct shrinker *
hakmem_shrinker_create(unsigned long (*count)(struct shrinker *, struct shrink_control *),
		       unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	struct shrinker *shrinker = shrinker_alloc(0, "hakmem");

	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->seeks = DEFAULT_SEEKS;
	shrinker_register(shrinker);
	return shrinker;
}

static inline void hakmem_shrinker_destroy(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#else
/* One shrinker, static; only the file that creates it instantiates it. */
static inline struct shrinker *
hakmem_shrinker_create(unsigned long (*count)(struct shrinker *, struct shrink_control *),
		       unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	static struct shrinker hakmem_compat_shrinker;

	hakmem_compat_shrinker.count_objects = count;
	hakmem_compat_shrinker.scan_objects = scan;
	hakmem_compat_shrinker.seeks = DEFAULT_SEEKS;
	if (register_shrinker(&hakmem_compat_shrinker, "hakmem"))
		return NULL;
	return &hakmem_compat_shrinker;
}

static inline void hakmem_shrinker_destroy(struct shrinker *shrinker)
{
	unregister_shrinker(shrinker);
}
#endif

/*
 * Fill an event's __string(name, ...) field with @src (hakmem_trace.h).  6.10
 * took __assign_str()'s source argument away (the field remembers it);
 * copying the bytes __string() sized for @src, its NUL included, means the
 * same on 6.1 and 6.12 without a version test.
 */
#define hakmem_assign_name(src)						\
	memcpy(__get_str(name), (src), __get_dynamic_array_len(name))

/*
 * A local lock taken in a section that has IRQs off already.  Without
 * PREEMPT_RT, local_lock_irqsave() is local_irq_save() and lockdep's
 * annotation, local_lock_acquire() (an inline of <linux/local_lock.h>, in
 * 6.1 as in 6.12): there, the annotation alone is the lock, where
 * local_lock() would also raise and drop the preemption count, three
 * instructions for nothing.  On PREEMPT_RT the local lock sleeps and
 * cannot be taken with IRQs off: the plain calls, for code the caller
 * never runs there.
 */
#ifndef CONFIG_PREEMPT_RT
#define hakmem_local_lock_irqs_off(lock)				\
	do {								\
		lockdep_assert_irqs_disabled();				\
		local_lock_acquire(this_cpu_ptr(lock));			\
	} while (0)
#define hakmem_local_unlock_irqs_off(lock)	local_lock_release(this_cpu_ptr(lock))
#else
#define hakmem_local_lock_irqs_off(lock)	local_lock(lock)
#define hakmem_local_unlock_irqs_off(lock)	local_unlock(lock)
#endif

#endif /* _HAKMEM_COMPAT_H */
