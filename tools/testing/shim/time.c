// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: time - ktime, jiffies,
 * msleep().
 */
#include <time.h>
#include <unistd.h>

#include "hk_shim.h"

u64 ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

unsigned long hk_jiffies(void)
{
	return (unsigned long)(ktime_get_ns() / (NSEC_PER_SEC / HZ)) + 300UL * HZ;
}

void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	might_sleep();
	nanosleep(&ts, NULL);
}

void usleep_range(unsigned long min_us, unsigned long max_us)
{
	(void)max_us;
	might_sleep();
	usleep(min_us);
}
