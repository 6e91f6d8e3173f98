// SPDX-License-Identifier: GPL-2.0
/*
 * Bulk and batch paths under callgrind: instructions per object, as
 * (Ir of 2N rounds - Ir of N rounds) / (N * nr), like hotpair.c.
 *
 *   valgrind --tool=callgrind build/bench/bulkbatch [N]
 * Loops, on a 64-byte cache (the perf kernel's bench rows):
 * "bulk64" (hakmem_cache_alloc_bulk of 64, then hakmem_cache_free_bulk),
 * "batch1000" (1000 hakmem_cache_alloc, then 1000 hakmem_cache_free),
 * "tbatch1000" (the same through hakmem_alloc(64) / hakmem_free()).
 * Each prints "<label> <instructions per object>" when run with
 * --summary DIR on the callgrind dumps of DIR.
 */
#include "hk/kernel.h"
#include "hakmem_slab.h"
#include "cg_measure.h"

static struct hakmem_cache *c64;
static void *objs[1000];

static noinline void loop_bulk(unsigned long n)
{
	while (n--) {
		if (hakmem_cache_alloc_bulk(c64, GFP_KERNEL, 64, objs) != 64)
			abort();
		barrier();
		hakmem_cache_free_bulk(c64, 64, objs);
	}
}

static noinline void loop_batch(unsigned long n)
{
	unsigned int i;

	while (n--) {
		for (i = 0; i < 1000; i++)
			objs[i] = hakmem_cache_alloc(c64, GFP_KERNEL);
		barrier();
		for (i = 0; i < 1000; i++)
			hakmem_cache_free(c64, objs[i]);
	}
}

static noinline void loop_tbatch(unsigned long n)
{
	unsigned int i;

	while (n--) {
		for (i = 0; i < 1000; i++)
			objs[i] = hakmem_alloc(64, GFP_KERNEL);
		barrier();
		for (i = 0; i < 1000; i++)
			hakmem_free(objs[i]);
	}
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;

	if (hk_module_init())
		return 1;
	c64 = hakmem_cache_create("bulk64", 64, 0, 0, NULL);
	if (!c64)
		return 1;
	cg_measure("bulk64", loop_bulk, n);
	cg_measure("batch1000", loop_batch, n / 10 ? n / 10 : 1);
	cg_measure("tbatch1000", loop_tbatch, n / 10 ? n / 10 : 1);
	printf("bulkbatch: n=%lu done\n", n);
	hakmem_cache_destroy(c64);
	hk_module_exit();
	return 0;
}
