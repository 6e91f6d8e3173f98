/* SPDX-License-Identifier: GPL-2.0 */
/* hakmem-slab harness shim: nothing to instantiate (linux/tracepoint.h). */
