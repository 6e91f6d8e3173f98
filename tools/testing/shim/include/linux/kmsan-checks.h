/* SPDX-License-Identifier: GPL-2.0 */
/* hakmem-slab harness shim: no KMSAN in userspace (MSan is not used). */
#ifndef _HK_LINUX_KMSAN_CHECKS_H
#define _HK_LINUX_KMSAN_CHECKS_H

#include "hk/kernel.h"

static inline void kmsan_poison_memory(const void *address, size_t size,
				       gfp_t flags)
{
}

#endif
