// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: the direct map - an
 * mmap'ed arena, its struct page array (mem_map) and one buddy allocator
 * per node, with fault injection (hk_page_fail_set()) and a page count
 * for the runner's leak check.  Free pages are poisoned under ASan.
 */
#include <sys/mman.h>

#include "hk_shim.h"

#if defined(__SANITIZE_ADDRESS__)
#define HK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HK_ASAN 1
#endif
#endif
#ifdef HK_ASAN
#include <sanitizer/asan_interface.h>
#define HK_POISON(p, n)		ASAN_POISON_MEMORY_REGION(p, n)
#define HK_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define HK_POISON(p, n)		do { (void)(p); (void)(n); } while (0)
#define HK_UNPOISON(p, n)	do { (void)(p); (void)(n); } while (0)
#endif

/* Fill fresh and freed pages with junk (HK_DEBUG_FILL; off in benchmarks). */
#ifdef HK_BENCH
static int hk_debug_fill;
#else
static int hk_debug_fill = 1;
#endif

struct page *mem_map;
char *hk_arena_base;
unsigned long hk_arena_pages;

struct hk_zone {
	pthread_mutex_t lock;
	struct list_head free[NR_PAGE_ORDERS];
	unsigned long start_pfn, end_pfn;
	long in_use;
};
static struct hk_zone hk_zones[HK_MAX_NODES];
static long hk_pages_total_in_use;
static unsigned long hk_page_allocs;
static long hk_page_fail_after = -1;
static unsigned int hk_page_fail_min_order;
static long hk_page_limit = -1;
static unsigned long hk_nodes_full;	/* bitmask: nodes that have no free page */
unsigned int hk_node_flags[HK_MAX_NODES];	/* hk_node_set() */

void hk_arena_init(void)
{
	unsigned long mb = hk_env_long("HK_ARENA_MB", 1024);
	unsigned long block = PAGE_SIZE << MAX_PAGE_ORDER;
	unsigned long size, per_node, pfn;
	char *raw;
	int nid;

	hk_debug_fill = hk_env_long("HK_DEBUG_FILL", hk_debug_fill);
	size = round_up(mb << 20, block * hk_nr_nodes);
	raw = mmap(NULL, size + block, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		perror("hk: arena mmap");
		exit(2);
	}
	hk_arena_base = (char *)round_up((unsigned long)raw, block);
	hk_arena_pages = size >> PAGE_SHIFT;
	mem_map = calloc(hk_arena_pages, sizeof(struct page));
	if (!mem_map) {
		perror("hk: mem_map");
		exit(2);
	}
	per_node = hk_arena_pages / hk_nr_nodes;
	for (nid = 0; nid < hk_nr_nodes; nid++) {
		struct hk_zone *z = &hk_zones[nid];
		int o;

		pthread_mutex_init(&z->lock, NULL);
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			INIT_LIST_HEAD(&z->free[o]);
		z->start_pfn = nid * per_node;
		z->end_pfn = z->start_pfn + per_node;
		for (pfn = z->start_pfn; pfn < z->end_pfn; pfn++)
			mem_map[pfn].hk_nid = nid;
		for (pfn = z->start_pfn; pfn < z->end_pfn; pfn += 1UL << MAX_PAGE_ORDER) {
			struct page *p = &mem_map[pfn];

			__set_bit(PG_buddy, &p->flags);
			p->hk_order = MAX_PAGE_ORDER;
			list_add_tail(&p->lru, &z->free[MAX_PAGE_ORDER]);
		}
	}
	HK_POISON(hk_arena_base, size);
}

struct page *hk_bad_virt(const void *p)
{
	printk(KERN_ERR "hk: virt_to_page(%p): not a direct-map address\n", p);
	hk_bug(__FILE__, __LINE__, "virt_to_page outside the direct map");
}

static struct page *hk_zone_alloc(struct hk_zone *z, unsigned int order)
{
	struct page *p = NULL;
	unsigned int o;

	pthread_mutex_lock(&z->lock);
	for (o = order; o <= MAX_PAGE_ORDER; o++)
		if (!list_empty(&z->free[o]))
			break;
	if (o <= MAX_PAGE_ORDER) {
		p = list_first_entry(&z->free[o], struct page, lru);
		list_del(&p->lru);
		__clear_bit(PG_buddy, &p->flags);
		while (o > order) {	/* split, keeping the lower half */
			struct page *buddy;

			o--;
			buddy = p + (1UL << o);
			__set_bit(PG_buddy, &buddy->flags);
			buddy->hk_order = o;
			list_add(&buddy->lru, &z->free[o]);
		}
		z->in_use += 1L << order;
	}
	pthread_mutex_unlock(&z->lock);
	return p;
}

static void hk_zone_free(struct hk_zone *z, struct page *p, unsigned int order)
{
	unsigned long pfn = page_to_pfn(p);

	pthread_mutex_lock(&z->lock);
	z->in_use -= 1L << order;
	while (order < MAX_PAGE_ORDER) {
		unsigned long bpfn = pfn ^ (1UL << order);
		struct page *b = &mem_map[bpfn];

		if (bpfn < z->start_pfn || bpfn >= z->end_pfn ||
		    !test_bit(PG_buddy, &b->flags) || b->hk_order != order)
			break;
		list_del(&b->lru);
		__clear_bit(PG_buddy, &b->flags);
		pfn &= ~(1UL << order);
		order++;
	}
	p = &mem_map[pfn];
	__set_bit(PG_buddy, &p->flags);
	p->hk_order = order;
	list_add(&p->lru, &z->free[order]);
	pthread_mutex_unlock(&z->lock);
}

static bool hk_page_should_fail(unsigned int order)
{
	long left;

	if (order < hk_page_fail_min_order)
		return false;
	left = __atomic_load_n(&hk_page_fail_after, __ATOMIC_RELAXED);
	while (left >= 0) {
		if (left == 0)
			return true;
		if (__atomic_compare_exchange_n(&hk_page_fail_after, &left, left - 1, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return false;
	}
	return false;
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	struct page *page = NULL;
	unsigned long i, n;
	int tries;

	might_alloc(gfp);
	if (order > MAX_PAGE_ORDER) {
		WARN_ON_ONCE(!(gfp & __GFP_NOWARN));
		return NULL;
	}
	if (nid == NUMA_NO_NODE)
		nid = numa_mem_id();
	if (WARN_ON(nid < 0 || nid >= hk_nr_nodes))
		return NULL;
	n = 1UL << order;
	/* __GFP_NOFAIL: the kernel's page allocator loops until it has pages. */
	if (!(gfp & __GFP_NOFAIL) && hk_page_should_fail(order))
		goto fail;
	if (hk_page_limit >= 0 && !(gfp & __GFP_NOFAIL) &&
	    __atomic_add_fetch(&hk_pages_total_in_use, 0, __ATOMIC_RELAXED) + (long)n > hk_page_limit)
		goto fail;
	for (tries = 0; tries < hk_nr_nodes && !page; tries++) {
		int node = (nid + tries) % hk_nr_nodes;

		if (tries && (gfp & __GFP_THISNODE))
			break;
		if (__atomic_load_n(&hk_nodes_full, __ATOMIC_RELAXED) & (1UL << node))
			continue;
		/* No memory, or only movable memory for a kernel allocation. */
		if (READ_ONCE(hk_node_flags[node]) & HK_NODE_MEMLESS ||
		    (READ_ONCE(hk_node_flags[node]) & HK_NODE_MOVABLE && !(gfp & __GFP_MOVABLE)))
			continue;
		page = hk_zone_alloc(&hk_zones[node], order);
	}
	if (!page)
		goto fail;
	__atomic_add_fetch(&hk_pages_total_in_use, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&hk_page_allocs, 1, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++) {
		struct page *p = page + i;

		/* A neighbour's free reads our flags (buddy check) under its lock. */
		WRITE_ONCE(p->flags, 0);
		p->private = 0;
		p->mapping = NULL;
		p->hk_order = 0;
		atomic_set(&p->_mapcount, -1);
		atomic_set(&p->_refcount, i == 0);
		WRITE_ONCE(p->compound_head, 0);
	}
	page->hk_alloc_order = order;
	if ((gfp & __GFP_COMP) && order) {
		set_bit(PG_head, &page->flags);	/* neighbours read flags under their zone lock */
		page->hk_order = order;
		for (i = 1; i < n; i++)
			WRITE_ONCE(page[i].compound_head, (unsigned long)page | 1);
	}
	HK_UNPOISON(page_address(page), n << PAGE_SHIFT);
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, n << PAGE_SHIFT);
	else if (hk_debug_fill)
		memset(page_address(page), 0x9d, n << PAGE_SHIFT);	/* stale junk */
	return page;
fail:
	if (!(gfp & __GFP_NOWARN))
		printk(KERN_WARNING "hk: page allocation failure: order:%u, gfp %#x, node %d\n",
		       order, gfp, nid);
	return NULL;
}

void __free_pages(struct page *page, unsigned int order)
{
	unsigned long i, n = 1UL << order;

	if (WARN_ON(!page))
		return;
	if (page_to_pfn(page) >= hk_arena_pages)
		hk_bug(__FILE__, __LINE__, "__free_pages: page outside mem_map");
	if (test_bit(PG_buddy, &page->flags)) {
		printk(KERN_ERR "hk: __free_pages(%p, %u): page already free\n", page_address(page), order);
		hk_bug(__FILE__, __LINE__, "double free of pages");
	}
	if (PageTail(page)) {
		printk(KERN_ERR "hk: __free_pages(%p, %u): tail page\n", page_address(page), order);
		hk_bug(__FILE__, __LINE__, "freeing a tail page");
	}
	if (page->hk_alloc_order != order) {
		printk(KERN_ERR "hk: __free_pages(%p, %u): allocated with order %u\n",
		       page_address(page), order, page->hk_alloc_order);
		hk_bug(__FILE__, __LINE__, "free order mismatch");
	}
	if (!atomic_dec_and_test(&page->_refcount))
		return;
	for (i = 0; i < n; i++) {
		WRITE_ONCE(page[i].compound_head, 0);
		WRITE_ONCE(page[i].flags, 0);	/* a neighbour's free reads it */
		page[i].private = 0;	/* the buddy allocator owns it again */
	}
	if (hk_debug_fill)
		memset(page_address(page), 0x6b, n << PAGE_SHIFT);
	HK_POISON(page_address(page), n << PAGE_SHIFT);
	__atomic_sub_fetch(&hk_pages_total_in_use, n, __ATOMIC_RELAXED);
	hk_zone_free(&hk_zones[page->hk_nid], page, order);
}

void put_page(struct page *page)
{
	page = compound_head(page);
	__free_pages(page, page->hk_alloc_order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *p = alloc_pages(gfp, order);

	return p ? (unsigned long)page_address(p) : 0;
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page((void *)addr), order);
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	return (void *)__get_free_pages(gfp, get_order(size));
}

void free_pages_exact(void *virt, size_t size)
{
	free_pages((unsigned long)virt, get_order(size));
}

unsigned long hk_pages_in_use(int nid)
{
	unsigned long r;

	if (nid < 0)
		return __atomic_load_n(&hk_pages_total_in_use, __ATOMIC_RELAXED);
	pthread_mutex_lock(&hk_zones[nid].lock);
	r = hk_zones[nid].in_use;
	pthread_mutex_unlock(&hk_zones[nid].lock);
	return r;
}

unsigned long hk_pages_allocs(void)
{
	return __atomic_load_n(&hk_page_allocs, __ATOMIC_RELAXED);
}

void hk_page_fail_set(long after, unsigned int min_order)
{
	hk_page_fail_min_order = min_order;
	__atomic_store_n(&hk_page_fail_after, after, __ATOMIC_RELAXED);
}

void hk_page_limit_set(long pages)
{
	hk_page_limit = pages;
}

/* Nodes whose memory is all in use: allocations fall back to other nodes. */
void hk_node_full_set(unsigned long nodes)
{
	__atomic_store_n(&hk_nodes_full, nodes, __ATOMIC_RELAXED);
}
