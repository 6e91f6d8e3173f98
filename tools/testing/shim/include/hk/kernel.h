/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab userspace harness: the whole kernel emulation.  Every
 * <linux/...> and <asm/...> header of the shim includes this one, so the
 * order of includes in the allocator sources never matters.
 */
#ifndef _HK_KERNEL_H
#define _HK_KERNEL_H
#include "hk/compiler.h"
#include "hk/lib.h"
#include "hk/list.h"
#include "hk/sched.h"
#include "hk/mm.h"
#include "hk/extra.h"
#endif
