/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loads that run beside the load-time stress (hakmem_stress_mix.c).
 *
 * Kbuild builds them into hakmem.ko and defines HAKMEM_STRESS_MIX; a build
 * of the allocator's sources without them (the userspace harness in
 * tools/testing emulates no hrtimer, shrinker or CPU hotplug) gets the
 * stubs below and runs the stress without these loads.
 */
#ifndef _HAKMEM_STRESS_MIX_H
#define _HAKMEM_STRESS_MIX_H

#include <linux/atomic.h>
#include <linux/types.h>

struct hakmem_cache;
struct hakmem_mix;

#ifdef HAKMEM_STRESS_MIX
struct hakmem_mix *hakmem_mix_start(struct hakmem_cache *cache, u64 seed,
				    atomic_t *errors);
void hakmem_mix_stop(struct hakmem_mix *mix);
#else
static inline struct hakmem_mix *hakmem_mix_start(struct hakmem_cache *cache,
						  u64 seed, atomic_t *errors)
{
	return NULL;
}

static inline void hakmem_mix_stop(struct hakmem_mix *mix)
{
}
#endif /* HAKMEM_STRESS_MIX */

#endif /* _HAKMEM_STRESS_MIX_H */
