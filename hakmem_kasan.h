/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab and generic KASAN: object-granular shadow, as the slab
 * allocator keeps it (Documentation/hakmem.rst, "Debugging your driver").
 *
 * hakmem's own code is not instrumented (Kbuild: KASAN_SANITIZE := n for
 * the allocator files, as mm/Makefile does for slub.o), so the free word,
 * the debug checks, bulk, drain and shrink touch free memory unreported.
 * What users touch is described to KASAN here:
 *
 *  - a new SuperSlab is poisoned whole (red zone);
 *  - an object going out is unpoisoned to the bytes asked for, the rest of
 *    its stride stays poisoned: a red zone is added to every stride under
 *    KASAN (hakmem_kasan_pad()), so an overflow lands in poison;
 *  - an object coming back is poisoned as freed, except in
 *    SLAB_TYPESAFE_BY_RCU caches, whose readers may still look at it, and
 *    waits in a per-CPU quarantine before reuse.
 *
 * Without CONFIG_KASAN_GENERIC every helper compiles to nothing.
 */
#ifndef _HAKMEM_KASAN_H
#define _HAKMEM_KASAN_H

#include <linux/bits.h>
#include <linux/kasan.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/types.h>

#include "hakmem_compat.h"

/* The shadow byte values of the slab allocator (mm/kasan/kasan.h). */
#define HAKMEM_KASAN_REDZONE	0xFC	/* reported as slab-out-of-bounds */
#define HAKMEM_KASAN_FREE	0xFB	/* reported as slab-use-after-free */

#ifdef HAKMEM_KASAN

#define HAKMEM_KASAN_ON		1
#define HAKMEM_KASAN_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)

/*
 * Freed objects each CPU keeps poisoned per cache before they can be
 * handed out again: a use-after-free is still caught after this many
 * further frees on that CPU, and any number of allocations.
 */
#define HAKMEM_KASAN_QUARANTINE	64U

/* Red zone bytes after an object of @size: the bigger, the wider. */
static inline unsigned int hakmem_kasan_pad(unsigned int size)
{
	return clamp_t(unsigned int, roundup_pow_of_two(size) / 4, 16, 128);
}

/* Let the user touch [@p, @p + @size); @p is granule-aligned. */
static inline void hakmem_kasan_unpoison(const void *p, size_t size)
{
	size_t whole = round_down(size, HAKMEM_KASAN_GRANULE);

	kasan_poison(p, whole, 0, false);
	/* A partial granule: its shadow byte says how many bytes are good. */
	if (size != whole)
		kasan_poison(p + whole, HAKMEM_KASAN_GRANULE,
			     size - whole, false);
}

/* Forbid [@p, @p + @size) as @value; @p is granule-aligned. */
static inline void hakmem_kasan_poison(const void *p, size_t size, u8 value)
{
	kasan_poison(p, round_up(size, HAKMEM_KASAN_GRANULE), value, false);
}

/*
 * hakmem's debug checks read red zones and poison through memchr_inv(),
 * which KASAN checks: as the slab allocator does, stop reports meanwhile.
 */
static inline void hakmem_kasan_enter(void)
{
	kasan_disable_current();
}

static inline void hakmem_kasan_leave(void)
{
	kasan_enable_current();
}

/* hakmem_alloc(@size) served by a class of @class_size bytes. */
static inline void hakmem_kasan_trim(const void *p, size_t size,
				     size_t class_size)
{
	size_t good = round_up(size, HAKMEM_KASAN_GRANULE);

	hakmem_kasan_unpoison(p, size);
	if (class_size > good)
		hakmem_kasan_poison(p + good, class_size - good,
				    HAKMEM_KASAN_REDZONE);
}

#else /* !HAKMEM_KASAN */

#define HAKMEM_KASAN_ON		0
#define HAKMEM_KASAN_QUARANTINE	0U

static inline unsigned int hakmem_kasan_pad(unsigned int size)
{
	return 0;
}

static inline void hakmem_kasan_unpoison(const void *p, size_t size)
{
}

static inline void hakmem_kasan_poison(const void *p, size_t size, u8 value)
{
}

static inline void hakmem_kasan_trim(const void *p, size_t size,
				     size_t class_size)
{
}

static inline void hakmem_kasan_enter(void)
{
}

static inline void hakmem_kasan_leave(void)
{
}

#endif /* HAKMEM_KASAN */

#endif /* _HAKMEM_KASAN_H */
