// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: the percpu allocator.
 * Unit c of a chunk is HK_PCPU_UNIT bytes after unit 0; a percpu pointer
 * p is unit 0's copy minus hk_pcpu_delta.  Statically defined per-CPU
 * variables (section hk_percpu) sit at offset 0.
 */
#include <sys/mman.h>

#include "hk_shim.h"

extern char __start_hk_percpu[] __attribute__((weak));
extern char __stop_hk_percpu[] __attribute__((weak));
unsigned long hk_pcpu_delta;
static char *hk_pcpu_base;
static unsigned long hk_pcpu_brk;
static unsigned long hk_pcpu_used;
#define HK_PCPU_MIN_SHIFT	4
#define HK_PCPU_CLASSES		(24 - HK_PCPU_MIN_SHIFT + 1)
static unsigned long *hk_pcpu_free[HK_PCPU_CLASSES];
static unsigned int hk_pcpu_nfree[HK_PCPU_CLASSES], hk_pcpu_cap[HK_PCPU_CLASSES];
static pthread_mutex_t hk_pcpu_lock = PTHREAD_MUTEX_INITIALIZER;
/* offset -> class, for free_percpu() */
static unsigned char *hk_pcpu_class_of;	/* one byte per 16-byte granule */

void hk_pcpu_init(void)
{
	unsigned long static_size = 0;
	int c;

	hk_pcpu_base = mmap(NULL, HK_PCPU_UNIT * hk_nr_cpus, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hk_pcpu_base == MAP_FAILED) {
		perror("hk: percpu mmap");
		exit(2);
	}
	hk_pcpu_class_of = calloc(HK_PCPU_UNIT >> HK_PCPU_MIN_SHIFT, 1);
	if (__start_hk_percpu && __stop_hk_percpu) {
		static_size = __stop_hk_percpu - __start_hk_percpu;
		for (c = 0; c < hk_nr_cpus; c++)
			memcpy(hk_pcpu_base + c * HK_PCPU_UNIT, __start_hk_percpu, static_size);
		hk_pcpu_delta = hk_pcpu_base - __start_hk_percpu;
	}
	hk_pcpu_brk = round_up(static_size, 64);
}

void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	unsigned int cls = 0;
	unsigned long off, csize;
	int c;

	might_alloc(gfp);
	if (!size)
		size = 1;
	size = max(size, align);
	while ((1UL << (cls + HK_PCPU_MIN_SHIFT)) < size)
		cls++;
	if (cls >= HK_PCPU_CLASSES)
		return NULL;
	csize = 1UL << (cls + HK_PCPU_MIN_SHIFT);
	pthread_mutex_lock(&hk_pcpu_lock);
	if (hk_pcpu_nfree[cls]) {
		off = hk_pcpu_free[cls][--hk_pcpu_nfree[cls]];
	} else {
		off = round_up(hk_pcpu_brk, min(csize, 4096UL));
		if (off + csize > HK_PCPU_UNIT) {
			pthread_mutex_unlock(&hk_pcpu_lock);
			return NULL;
		}
		hk_pcpu_brk = off + csize;
	}
	hk_pcpu_class_of[off >> HK_PCPU_MIN_SHIFT] = cls + 1;
	hk_pcpu_used += csize;
	pthread_mutex_unlock(&hk_pcpu_lock);
	for (c = 0; c < hk_nr_cpus; c++)
		memset(hk_pcpu_base + c * HK_PCPU_UNIT + off, 0, csize);
	return hk_pcpu_base + off - hk_pcpu_delta;
}

void __percpu *__alloc_percpu(size_t size, size_t align)
{
	return __alloc_percpu_gfp(size, align, GFP_KERNEL);
}

void free_percpu(void __percpu *p)
{
	unsigned long off;
	unsigned int cls;

	if (!p)
		return;
	off = (char *)p + hk_pcpu_delta - hk_pcpu_base;
	if (off >= HK_PCPU_UNIT || !hk_pcpu_class_of[off >> HK_PCPU_MIN_SHIFT]) {
		printk(KERN_ERR "hk: free_percpu(%p): not a percpu allocation\n", p);
		hk_bug(__FILE__, __LINE__, "bad free_percpu");
	}
	pthread_mutex_lock(&hk_pcpu_lock);
	cls = hk_pcpu_class_of[off >> HK_PCPU_MIN_SHIFT] - 1;
	hk_pcpu_class_of[off >> HK_PCPU_MIN_SHIFT] = 0;
	if (hk_pcpu_nfree[cls] == hk_pcpu_cap[cls]) {
		hk_pcpu_cap[cls] = hk_pcpu_cap[cls] ? hk_pcpu_cap[cls] * 2 : 16;
		hk_pcpu_free[cls] = realloc(hk_pcpu_free[cls], hk_pcpu_cap[cls] * sizeof(long));
	}
	hk_pcpu_free[cls][hk_pcpu_nfree[cls]++] = off;
	hk_pcpu_used -= 1UL << (cls + HK_PCPU_MIN_SHIFT);
	pthread_mutex_unlock(&hk_pcpu_lock);
}

unsigned long hk_percpu_bytes_in_use(void)
{
	unsigned long r;

	pthread_mutex_lock(&hk_pcpu_lock);
	r = hk_pcpu_used;
	pthread_mutex_unlock(&hk_pcpu_lock);
	return r;
}

bool is_kernel_percpu_address(unsigned long addr)
{
	return addr - (unsigned long)hk_pcpu_base < HK_PCPU_UNIT * (unsigned long)hk_nr_cpus;
}
