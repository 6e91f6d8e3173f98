/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the checks of hakmem share: the load-time self-test
 * (hakmem_selftest.c), the KUnit suites (kunit/) and the userspace unit
 * tests (tools/testing/tests) judge the allocator against the same
 * expectations, written here once.
 */
#ifndef _HAKMEM_SELFTEST_H
#define _HAKMEM_SELFTEST_H

#include "hakmem_internal.h"

/*
 * The class hakmem_alloc(@size) must come from: the smallest of the table
 * holding @size rounded up to ARCH_KMALLOC_MINALIGN, and a multiple of it.
 */
static inline unsigned int hakmem_tiny_class_want(unsigned int size)
{
	unsigned int i = 0;

	size = ALIGN(size, ARCH_KMALLOC_MINALIGN);
	while (hakmem_tiny_sizes[i] < size ||
	       !IS_ALIGNED(hakmem_tiny_sizes[i], ARCH_KMALLOC_MINALIGN))
		i++;
	return hakmem_tiny_sizes[i];
}

/*
 * Whether the kernel's slab allocator, in this boot, zeroes an object of
 * @s at allocation with @gfp (slab_want_init_on_alloc() of mm/slab.h,
 * 6.12), and at free (slab_want_init_on_free()): hakmem's rules are the
 * same.
 */
static inline bool hakmem_ref_init_on_alloc(struct hakmem_cache *s, gfp_t gfp)
{
	if (want_init_on_alloc(0)) {
		if (s->ctor)
			return false;
		if (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON))
			return gfp & __GFP_ZERO;
		return true;
	}
	return gfp & __GFP_ZERO;
}

static inline bool hakmem_ref_init_on_free(struct hakmem_cache *s)
{
	if (want_init_on_free())
		return !(s->ctor || (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)));
	return false;
}

#endif /* _HAKMEM_SELFTEST_H */
