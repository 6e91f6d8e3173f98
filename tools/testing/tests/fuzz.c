// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness: libFuzzer target.  An input is a sequence
 * of operations (create, alloc, free, bulk alloc/free, shrink, destroy,
 * tiny alloc/free, drain, CPU switch, page-failure injection, reclaim)
 * run against a simple model: every live object carries a pattern that
 * must survive until its free, zeroed allocations must read zero, two
 * live objects never overlap, and the allocator must never report misuse
 * (the fuzzer does none) nor keep an object after its cache is empty.
 *
 *   clang -fsanitize=fuzzer,address,undefined; make fuzz FUZZ_SECONDS=N
 */
#include "hk/kernel.h"
#include "hakmem_internal.h"

#define NCACHE	4
#define NSLOT	256

struct slot {
	u8 *p;
	unsigned int size;	/* bytes the pattern covers */
	int cache;		/* -1: tiny (hakmem_alloc) */
	u8 pat;
};

static struct hakmem_cache *caches[NCACHE];
static struct slot slots[NSLOT];
static unsigned long live[NCACHE];
static const slab_flags_t flagsets[] = {
	0, SLAB_HWCACHE_ALIGN, SLAB_RED_ZONE, SLAB_POISON, SLAB_TYPESAFE_BY_RCU,
	SLAB_RED_ZONE | SLAB_POISON, SLAB_HWCACHE_ALIGN | SLAB_RED_ZONE,
};

#define FAIL(...) do { fprintf(stderr, "fuzz model violation: " __VA_ARGS__); \
	fputc('\n', stderr); abort(); } while (0)

static void ctor_fill(void *p)
{
	*(u8 *)p = 0xc7;
}

static void fill(struct slot *s, u8 pat)
{
	s->pat = pat;
	memset(s->p, pat, s->size);
}

static void check(struct slot *s)
{
	u8 *bad = memchr_inv(s->p, s->pat, s->size);

	if (bad)
		FAIL("object %p (cache %d, size %u) damaged at %td", (void *)s->p,
		     s->cache, s->size, bad - s->p);
}

static void put(int k, void *p, int c, unsigned int size, bool zero, u8 pat)
{
	struct slot *s = &slots[k];

	s->p = p;
	s->cache = c;
	s->size = size;
	if (zero && memchr_inv(p, 0, size))
		FAIL("__GFP_ZERO object %p not zero", p);
	if (c >= 0)
		live[c]++;
	fill(s, pat);
}

static void drop(int k)
{
	struct slot *s = &slots[k];

	if (!s->p)
		return;
	check(s);
	if (s->cache >= 0) {
		hakmem_cache_free(caches[s->cache], s->p);
		live[s->cache]--;
	} else {
		hakmem_free(s->p);
	}
	s->p = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	hk_loglevel = 4;	/* errors only */
	if (hk_module_init())
		abort();
	return 0;
}

/* The model of the tiny classes: the smallest of the table holding @size. */
static size_t fuzz_tiny_class(unsigned int size)
{
	unsigned int i = 0;

	while (hakmem_tiny_sizes[i] < size)
		i++;
	return hakmem_tiny_sizes[i];
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	unsigned long err0 = hk_nr_errors, warn0 = hk_nr_warnings;
	size_t i = 0;
	int c, k;

	hk_vcpu_bind(0);
	while (i + 4 <= len) {
		u8 op = data[i] % 14, a = data[i + 1], b = data[i + 2], d = data[i + 3];

		i += 4;
		c = a % NCACHE;
		k = (a << 8 | b) % NSLOT;
		switch (op) {
		case 0:	/* create */
			if (!caches[c]) {
				unsigned int size = 1 + ((b << 8 | d) % 3000);
				slab_flags_t fl = flagsets[d % ARRAY_SIZE(flagsets)];
				unsigned int align = (b & 3) == 3 ? 1u << (d % 13) : 0;
				bool ctor = (b & 4) && !(fl & SLAB_POISON);

				caches[c] = hakmem_cache_create("fuzz", size, align, fl,
								ctor ? ctor_fill : NULL);
				live[c] = 0;
			}
			break;
		case 1:	/* alloc */
		case 2:
			if (caches[c] && !slots[k].p) {
				bool zero = d & 1;
				void *p = hakmem_cache_alloc(caches[c], GFP_KERNEL | (zero ? __GFP_ZERO : 0));

				if (p)
					put(k, p, c, hakmem_cache_size(caches[c]), zero, d);
			}
			break;
		case 3:	/* free */
		case 4:
			drop(k);
			break;
		case 5: {	/* bulk alloc into free slots */
			void *objs[64];
			unsigned int n = 1 + d % 64, j, got = 0;
			int idx[64];

			if (!caches[c])
				break;
			for (j = 0; j < NSLOT && got < n; j++)
				if (!slots[(k + j) % NSLOT].p)
					idx[got++] = (k + j) % NSLOT;
			if (!got || hakmem_cache_alloc_bulk(caches[c], GFP_KERNEL, got, objs) != (int)got)
				break;
			for (j = 0; j < got; j++)
				put(idx[j], objs[j], c, hakmem_cache_size(caches[c]), false, d + j);
			break;
		}
		case 6: {	/* bulk free of one cache's objects */
			void *objs[64];
			unsigned int n = 0, j;

			if (!caches[c])
				break;
			for (j = 0; j < NSLOT && n < 64; j++) {
				struct slot *s = &slots[(k + j) % NSLOT];

				if (s->p && s->cache == c && (d >> (j & 7) & 1)) {
					check(s);
					objs[n++] = s->p;
					s->p = NULL;
				}
			}
			hakmem_cache_free_bulk(caches[c], n, objs);
			live[c] -= n;
			break;
		}
		case 7:	/* shrink */
			if (caches[c]) {
				int r = hakmem_cache_shrink(caches[c]);

				if (!live[c] && r)
					FAIL("shrink of an empty cache kept SuperSlabs");
			}
			break;
		case 8:	/* destroy, only when the model says it is empty */
			if (caches[c] && !live[c]) {
				hakmem_cache_destroy(caches[c]);
				caches[c] = NULL;
			}
			break;
		case 9:	/* tiny alloc */
			if (!slots[k].p) {
				unsigned int size = 1 + (b << 8 | d) % (HAKMEM_MAX_TINY_SIZE + 64);
				void *p = hakmem_alloc(size, GFP_KERNEL | (d & 1 ? __GFP_ZERO : 0));

				if (p) {
					if (size <= HAKMEM_MAX_TINY_SIZE &&
					    hakmem_ksize(p) != fuzz_tiny_class(size))
						FAIL("ksize %zu for size %u", hakmem_ksize(p), size);
					put(k, p, -1, size, d & 1, d);
				}
			}
			break;
		case 10:
			if (caches[c])
				hakmem_drain_all(caches[c]);
			break;
		case 11:
			hk_vcpu_bind(b % hk_nr_cpus);
			break;
		case 12:	/* page allocator failures on/off */
			hk_page_fail_set(b & 1 ? (long)(d % 8) : -1, d >> 6);
			break;
		case 13:
			hk_shrink(b % nr_node_ids, 1 + d * 64);
			break;
		}
	}
	hk_page_fail_set(-1, 0);
	/* tear down: everything freed, every cache destroyed and empty */
	for (k = 0; k < NSLOT; k++)
		drop(k);
	for (c = 0; c < NCACHE; c++) {
		if (!caches[c])
			continue;
		if (hakmem_stat_sum(caches[c], HAKMEM_INVALID_FREE) ||
		    hakmem_stat_sum(caches[c], HAKMEM_DOUBLE_FREE) ||
		    hakmem_stat_sum(caches[c], HAKMEM_CORRUPTION))
			FAIL("cache %d reported misuse the fuzzer did not do", c);
		if (hakmem_cache_shrink(caches[c]))
			FAIL("cache %d kept SuperSlabs with no live object", c);
		hakmem_cache_destroy(caches[c]);
		caches[c] = NULL;
	}
	if (hk_nr_errors != err0 || hk_nr_warnings != warn0)
		FAIL("allocator printed %lu errors / %lu warnings", hk_nr_errors - err0,
		     hk_nr_warnings - warn0);
	return 0;
}
