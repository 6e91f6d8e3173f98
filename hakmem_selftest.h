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

#endif /* _HAKMEM_SELFTEST_H */
