// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_bench, single-CPU loops: hot (alloc, free, alloc, free ...), batch
 * (nr allocs, then nr frees) and bulk (one bulk alloc of nr, one bulk
 * free).  Each loop is written once and expanded per side and API by its
 * noinline dispatcher; hot and batch also once with no allocator call
 * (HBENCH_EMPTY), the calibration of the loop itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/ktime.h>

#include "hbench.h"

static __always_inline int __hbench_hot(const enum hbench_side side,
					const enum hbench_api api,
					const struct hbench_target *t,
					unsigned long n, u64 *ns)
{
	size_t size = t->size;
	unsigned long i;
	u64 start;
	void *p;

	start = ktime_get_ns();
	for (i = 0; i < n; i++) {
		p = hbench_alloc(side, api, t, size);
		if (unlikely(!p))
			return -ENOMEM;
		hbench_touch(p, i);
		hbench_free(side, api, t, p);
	}
	*ns = ktime_get_ns() - start;
	return 0;
}

noinline int hbench_hot(const struct hbench_target *t, unsigned long n,
			       u64 *ns)
{
	switch (hbench_variant(t)) {
	case HBENCH_V_HAKMEM_CACHE:
		return __hbench_hot(HBENCH_HAKMEM, HBENCH_API_CACHE, t, n, ns);
	case HBENCH_V_HAKMEM_TINY:
		return __hbench_hot(HBENCH_HAKMEM, HBENCH_API_TINY, t, n, ns);
	case HBENCH_V_KERNEL_CACHE:
		return __hbench_hot(HBENCH_KERNEL, HBENCH_API_CACHE, t, n, ns);
	case HBENCH_V_EMPTY:
		return __hbench_hot(HBENCH_EMPTY, HBENCH_API_CACHE, t, n, ns);
	default:
		return __hbench_hot(HBENCH_KERNEL, HBENCH_API_TINY, t, n, ns);
	}
}

static __always_inline int __hbench_batch(const enum hbench_side side,
					  const enum hbench_api api,
					  const struct hbench_target *t,
					  unsigned long loops, unsigned int nr,
					  void **objs, u64 *ns)
{
	size_t size = t->size;
	unsigned long l;
	unsigned int i;
	u64 start;

	start = ktime_get_ns();
	for (l = 0; l < loops; l++) {
		for (i = 0; i < nr; i++) {
			objs[i] = hbench_alloc(side, api, t, size);
			if (unlikely(!objs[i]))
				goto fail;
			hbench_touch(objs[i], i);
		}
		for (i = 0; i < nr; i++)
			hbench_free(side, api, t, objs[i]);
	}
	*ns = ktime_get_ns() - start;
	return 0;
fail:
	while (i--)
		hbench_free(side, api, t, objs[i]);
	return -ENOMEM;
}

noinline int hbench_batch(const struct hbench_target *t,
				 unsigned long loops, unsigned int nr,
				 void **objs, u64 *ns)
{
	switch (hbench_variant(t)) {
	case HBENCH_V_HAKMEM_CACHE:
		return __hbench_batch(HBENCH_HAKMEM, HBENCH_API_CACHE, t, loops,
				      nr, objs, ns);
	case HBENCH_V_HAKMEM_TINY:
		return __hbench_batch(HBENCH_HAKMEM, HBENCH_API_TINY, t, loops,
				      nr, objs, ns);
	case HBENCH_V_KERNEL_CACHE:
		return __hbench_batch(HBENCH_KERNEL, HBENCH_API_CACHE, t, loops,
				      nr, objs, ns);
	case HBENCH_V_EMPTY:
		return __hbench_batch(HBENCH_EMPTY, HBENCH_API_CACHE, t, loops,
				      nr, objs, ns);
	default:
		return __hbench_batch(HBENCH_KERNEL, HBENCH_API_TINY, t, loops,
				      nr, objs, ns);
	}
}

static __always_inline int __hbench_bulk(const enum hbench_side side,
					 const enum hbench_api api,
					 const struct hbench_target *t,
					 unsigned long loops, unsigned int nr,
					 void **objs, u64 *ns)
{
	unsigned long l;
	u64 start;
	int got;

	start = ktime_get_ns();
	for (l = 0; l < loops; l++) {
		got = hbench_alloc_bulk(side, t, nr, objs);
		if (unlikely(got != (int)nr)) {
			if (got > 0)
				hbench_free_bulk(side, t, got, objs);
			return -ENOMEM;
		}
		hbench_free_bulk(side, t, nr, objs);
	}
	*ns = ktime_get_ns() - start;
	return 0;
}

noinline int hbench_bulk(const struct hbench_target *t,
				unsigned long loops, unsigned int nr,
				void **objs, u64 *ns)
{
	/* Bulk calls exist for dedicated caches only: one API. */
	return t->side == HBENCH_HAKMEM ?
		__hbench_bulk(HBENCH_HAKMEM, HBENCH_API_CACHE, t, loops, nr, objs, ns) :
		__hbench_bulk(HBENCH_KERNEL, HBENCH_API_CACHE, t, loops, nr, objs, ns);
}
