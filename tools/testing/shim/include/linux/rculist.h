/* SPDX-License-Identifier: GPL-2.0 */
/* hakmem-slab harness shim: see hk/kernel.h. */
#include "hk/kernel.h"
