/* SPDX-License-Identifier: GPL-2.0 */
/* hakmem-slab harness shim: show_gfp_flags() is only used by TP_printk(). */
