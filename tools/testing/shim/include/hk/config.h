/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel configuration the harness emulates (a debug, SMP, NUMA build). */
#ifndef _HK_CONFIG_H
#define _HK_CONFIG_H
#define CONFIG_SMP 1
#define CONFIG_NUMA 1
#define CONFIG_64BIT 1
#define CONFIG_X86_64 1
#define CONFIG_DEBUG_FS 1
#define CONFIG_DEBUG_VM 1
#define CONFIG_HOTPLUG_CPU 1
#define CONFIG_NR_CPUS 64
#define CONFIG_NODES_SHIFT 3
#define CONFIG_PAGE_SHIFT 12
#define CONFIG_HZ 1000
#define CONFIG_MODULES 1
#ifdef HK_PREEMPT_RT
#define CONFIG_PREEMPT_RT 1
#endif
#endif
