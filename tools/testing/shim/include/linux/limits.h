/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab harness shim: see hk/kernel.h.  glibc headers include this
 * name too, so the system header comes first.
 */
#include_next <linux/limits.h>
#include "hk/kernel.h"
