// SPDX-License-Identifier: GPL-2.0
/*
 * Hot-path cost under callgrind: instructions per alloc+free pair, as
 * (Ir of 2N pairs - Ir of N pairs) / N, so set-up and the measurement
 * itself cancel out (cg_measure.h); bench-user.sh reads the dumps.
 *
 *   valgrind --tool=callgrind build/bench/hotpair [N]
 * Loops: "cache64" (hakmem_cache_alloc/free of a 64-byte cache),
 * "tiny64" (hakmem_alloc(64)/hakmem_free), "glibc64" (malloc/free, reference).
 * Built exclusive (one thread per vCPU): no vCPU lock, as a CPU-bound kthread.
 */
#include "hk/kernel.h"
#include "hakmem_slab.h"
#include "cg_measure.h"

static struct hakmem_cache *c64;

static noinline void loop_cache(unsigned long n)
{
	while (n--) {
		void *p = hakmem_cache_alloc(c64, GFP_KERNEL);

		barrier();
		hakmem_cache_free(c64, p);
	}
}

static noinline void loop_tiny(unsigned long n)
{
	while (n--) {
		void *p = hakmem_alloc(64, GFP_KERNEL);

		barrier();
		hakmem_free(p);
	}
}

static noinline void loop_glibc(unsigned long n)
{
	while (n--) {
		void *p = malloc(64);

		__asm__ __volatile__("" : : "r"(p) : "memory");
		free(p);
	}
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;

	if (hk_module_init())
		return 1;
	c64 = hakmem_cache_create("hot64", 64, 0, 0, NULL);
	if (!c64)
		return 1;
	cg_measure("cache64", loop_cache, n);
	cg_measure("tiny64", loop_tiny, n);
	cg_measure("glibc64", loop_glibc, n);
	hakmem_cache_destroy(c64);
	hk_module_exit();
	/* a WARN on the hot path would be counted as its instructions */
	if (hk_nr_warnings || hk_nr_errors) {
		printf("hotpair: FAILED: %lu WARNs, %lu errors (see stderr)\n",
		       hk_nr_warnings, hk_nr_errors);
		return 1;
	}
	printf("hotpair: n=%lu done\n", n);
	return 0;
}
