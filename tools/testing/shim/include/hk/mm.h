/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab userspace harness: pages, the page allocator, kmalloc,
 * slab flags, debugfs and seq_file, module glue.
 *
 * The direct map.  One aligned arena (env HK_ARENA_MB, default 1024 MiB,
 * reserved with MAP_NORESERVE) stands for all of RAM; hk_nr_nodes nodes
 * are equal slices of it, and mem_map[] holds a struct page per arena page.
 * So virt_to_page(), page_address(), virt_addr_valid() and page_to_nid()
 * are exact and O(1).  Each node has a buddy allocator (orders 0..
 * MAX_PAGE_ORDER).  __GFP_COMP makes head/tail pages as the kernel does;
 * page->private is per page.  kmalloc() and friends are glibc malloc: their
 * memory is not in the direct map (virt_addr_valid() is false for it).
 */
#ifndef _HK_MM_H
#define _HK_MM_H

#include "hk/sched.h"

/* ---- GFP ----------------------------------------------------------------- */
#define ___GFP_DMA		0x01u
#define ___GFP_HIGHMEM		0x02u
#define ___GFP_DMA32		0x04u
#define ___GFP_MOVABLE		0x08u
#define ___GFP_RECLAIMABLE	0x10u
#define ___GFP_HIGH		0x20u
#define ___GFP_IO		0x40u
#define ___GFP_FS		0x80u
#define ___GFP_ZERO		0x100u
#define ___GFP_DIRECT_RECLAIM	0x400u
#define ___GFP_KSWAPD_RECLAIM	0x800u
#define ___GFP_WRITE		0x1000u
#define ___GFP_NOWARN		0x2000u
#define ___GFP_RETRY_MAYFAIL	0x4000u
#define ___GFP_NOFAIL		0x8000u
#define ___GFP_NORETRY		0x10000u
#define ___GFP_MEMALLOC		0x20000u
#define ___GFP_COMP		0x40000u
#define ___GFP_NOMEMALLOC	0x80000u
#define ___GFP_HARDWALL		0x100000u
#define ___GFP_THISNODE		0x200000u
#define ___GFP_ACCOUNT		0x400000u
#define ___GFP_ZEROTAGS		0x800000u
#define __GFP_DMA		((gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM		((gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32		((gfp_t)___GFP_DMA32)
#define __GFP_MOVABLE		((gfp_t)___GFP_MOVABLE)
#define __GFP_RECLAIMABLE	((gfp_t)___GFP_RECLAIMABLE)
#define __GFP_HIGH		((gfp_t)___GFP_HIGH)
#define __GFP_IO		((gfp_t)___GFP_IO)
#define __GFP_FS		((gfp_t)___GFP_FS)
#define __GFP_ZERO		((gfp_t)___GFP_ZERO)
#define __GFP_DIRECT_RECLAIM	((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM	((gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM		((gfp_t)(___GFP_DIRECT_RECLAIM | ___GFP_KSWAPD_RECLAIM))
#define __GFP_WRITE		((gfp_t)___GFP_WRITE)
#define __GFP_NOWARN		((gfp_t)___GFP_NOWARN)
#define __GFP_RETRY_MAYFAIL	((gfp_t)___GFP_RETRY_MAYFAIL)
#define __GFP_NOFAIL		((gfp_t)___GFP_NOFAIL)
#define __GFP_NORETRY		((gfp_t)___GFP_NORETRY)
#define __GFP_MEMALLOC		((gfp_t)___GFP_MEMALLOC)
#define __GFP_COMP		((gfp_t)___GFP_COMP)
#define __GFP_NOMEMALLOC	((gfp_t)___GFP_NOMEMALLOC)
#define __GFP_HARDWALL		((gfp_t)___GFP_HARDWALL)
#define __GFP_THISNODE		((gfp_t)___GFP_THISNODE)
#define __GFP_ACCOUNT		((gfp_t)___GFP_ACCOUNT)
#define __GFP_ZEROTAGS		((gfp_t)___GFP_ZEROTAGS)
#define __GFP_BITS_SHIFT	24
#define __GFP_BITS_MASK		((gfp_t)((1u << __GFP_BITS_SHIFT) - 1))
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER		(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA			__GFP_DMA
#define GFP_DMA32		__GFP_DMA32
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_TRANSHUGE_LIGHT	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_RECLAIM_MASK	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC)
#define GFP_CONSTRAINT_MASK	(__GFP_HARDWALL | __GFP_THISNODE)
static inline bool gfpflags_allow_blocking(gfp_t gfp) { return !!(gfp & __GFP_DIRECT_RECLAIM); }
static inline gfp_t current_gfp_context(gfp_t gfp) { return gfp; }
#define might_alloc(gfp)	might_sleep_if(gfpflags_allow_blocking(gfp))
static inline int gfp_zone(gfp_t g) { (void)g; return 0; }

/* ---- pages ----------------------------------------------------------------- */
#ifndef PAGE_SHIFT		/* -DPAGE_SHIFT=16: tools/testbed/build-limits.sh */
#define PAGE_SHIFT		12
#endif
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define MAX_PAGE_ORDER		10
#define MAX_ORDER		MAX_PAGE_ORDER
#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)
#define PAGE_ALLOC_COSTLY_ORDER	3
#define PAGE_ALIGN(x)		ALIGN(x, PAGE_SIZE)
#define PAGE_ALIGNED(x)		IS_ALIGNED((unsigned long)(x), PAGE_SIZE)
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)
#define L1_CACHE_SHIFT		6
#define L1_CACHE_BYTES		(1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES		L1_CACHE_BYTES
#define L1_CACHE_ALIGN(x)	ALIGN(x, L1_CACHE_BYTES)
#define cache_line_size()	L1_CACHE_BYTES
#define ____cacheline_aligned	__attribute__((__aligned__(SMP_CACHE_BYTES)))
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#define __cacheline_aligned	____cacheline_aligned
#define __cacheline_aligned_in_smp ____cacheline_aligned
#define ____cacheline_internodealigned_in_smp ____cacheline_aligned
#define cacheline_aligned_in_smp ____cacheline_aligned

/* page->flags bits the harness keeps. */
enum {
	PG_head = 0,
	PG_buddy,	/* free, in a buddy list (hk_order valid) */
	PG_slab,
	PG_reserved,
	PG_private,
	PG_owner_priv_1,
};

struct page {
	unsigned long flags;
	unsigned long private;		/* page_private(); per page */
	unsigned long compound_head;	/* tail: head | 1 */
	struct list_head lru;		/* buddy free list */
	void *mapping;
	atomic_t _refcount;
	atomic_t _mapcount;
	unsigned short hk_order;	/* compound order (head) or buddy order */
	unsigned short hk_nid;
	unsigned int hk_alloc_order;	/* order of the allocation (first page) */
};
struct folio;

extern struct page *mem_map;
extern char *hk_arena_base;
extern unsigned long hk_arena_pages;

static inline bool hk_in_arena(const void *p)
{
	return (unsigned long)((const char *)p - hk_arena_base) < (hk_arena_pages << PAGE_SHIFT);
}
static inline bool virt_addr_valid(const void *p) { return hk_in_arena(p); }
#define virt_addr_valid(p)	virt_addr_valid((const void *)(p))
struct page *hk_bad_virt(const void *p);
static inline struct page *virt_to_page(const void *p)
{
	if (unlikely(!hk_in_arena(p)))
		return hk_bad_virt(p);
	return &mem_map[((const char *)p - hk_arena_base) >> PAGE_SHIFT];
}
#define virt_to_page(p)		virt_to_page((const void *)(p))
static inline void *page_address(const struct page *page)
{
	return hk_arena_base + ((unsigned long)(page - mem_map) << PAGE_SHIFT);
}
#define lowmem_page_address(p)	page_address(p)
#define page_to_virt(p)		page_address(p)
static inline unsigned long page_to_pfn(const struct page *page) { return page - mem_map; }
static inline struct page *pfn_to_page(unsigned long pfn) { return &mem_map[pfn]; }
#define virt_to_pfn(p)		page_to_pfn(virt_to_page(p))
#define pfn_valid(pfn)		((pfn) < hk_arena_pages)
#define __pa(p)			((phys_addr_t)((const char *)(p) - hk_arena_base))
#define __va(pa)		((void *)(hk_arena_base + (unsigned long)(pa)))
#define virt_to_phys(p)		__pa(p)
#define phys_to_virt(pa)	__va(pa)
static inline int page_to_nid(const struct page *page) { return page->hk_nid; }
#define PageHead(p)		test_bit(PG_head, &(p)->flags)
static inline bool PageTail(const struct page *p) { return READ_ONCE(p->compound_head) & 1; }
static inline bool PageCompound(const struct page *p) { return PageHead(p) || PageTail(p); }
#define PageBuddy(p)		test_bit(PG_buddy, &(p)->flags)
#define PageSlab(p)		test_bit(PG_slab, &(p)->flags)
#define __SetPageSlab(p)	__set_bit(PG_slab, &(p)->flags)
#define __ClearPageSlab(p)	__clear_bit(PG_slab, &(p)->flags)
#define PageReserved(p)		test_bit(PG_reserved, &(p)->flags)
#define PagePrivate(p)		test_bit(PG_private, &(p)->flags)
#define SetPagePrivate(p)	set_bit(PG_private, &(p)->flags)
#define ClearPagePrivate(p)	clear_bit(PG_private, &(p)->flags)
static inline struct page *compound_head(const struct page *page)
{
	unsigned long h = READ_ONCE(page->compound_head);

	return (struct page *)(h & 1 ? h - 1 : (unsigned long)page);
}
#define _compound_head(p)	compound_head(p)
static inline unsigned int compound_order(const struct page *page)
{
	return PageHead(page) ? page->hk_order : 0;
}
static inline unsigned long compound_nr(const struct page *page) { return 1UL << compound_order(page); }
static inline unsigned long page_size(const struct page *page) { return PAGE_SIZE << compound_order(page); }
static inline struct page *virt_to_head_page(const void *p) { return compound_head(virt_to_page(p)); }
#define virt_to_head_page(p)	virt_to_head_page((const void *)(p))
#define page_private(p)		((p)->private)
#define set_page_private(p, v)	((p)->private = (unsigned long)(v))
#define page_count(p)		atomic_read(&compound_head(p)->_refcount)
#define page_ref_count(p)	atomic_read(&(p)->_refcount)
#define get_page(p)		atomic_inc(&compound_head(p)->_refcount)
#define nth_page(p, n)		((p) + (n))
static inline unsigned int get_order(unsigned long size)
{
	return size <= PAGE_SIZE ? 0 : (unsigned int)fls_long((size - 1) >> PAGE_SHIFT);
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
#define __alloc_pages_node(nid, gfp, order)	alloc_pages_node(nid, gfp, order)
#define alloc_pages_exact_nid(nid, size, gfp)	page_address(alloc_pages_node(nid, gfp, get_order(size)))
#define alloc_pages(gfp, order)			alloc_pages_node(NUMA_NO_NODE, gfp, order)
#define alloc_page(gfp)				alloc_pages(gfp, 0)
void __free_pages(struct page *page, unsigned int order);
#define __free_page(p)				__free_pages(p, 0)
void put_page(struct page *page);
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
#define __get_free_page(gfp)			__get_free_pages(gfp, 0)
#define get_zeroed_page(gfp)			__get_free_pages((gfp) | __GFP_ZERO, 0)
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr)				free_pages(addr, 0)
void *alloc_pages_exact(size_t size, gfp_t gfp);
void free_pages_exact(void *virt, size_t size);

/* Harness controls and accounting of the page allocator. */
unsigned long hk_pages_in_use(int nid);		/* -1: all nodes */
unsigned long hk_pages_allocs(void);		/* successful allocations so far */
void hk_page_fail_set(long after, unsigned int min_order);	/* fail after N more (-1: never) */
void hk_page_limit_set(long pages);		/* cap pages in use (-1: none) */
void hk_node_full_set(unsigned long nodes);	/* these nodes have no free page (bitmask) */

/* NUMA/vmstat accounting the allocator may call. */
enum node_stat_item { NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, NR_KERNEL_MISC_RECLAIMABLE, NR_VM_NODE_STAT_ITEMS };
#define mod_node_page_state(pgdat, item, delta)	do { (void)(pgdat); (void)(item); (void)(delta); } while (0)
#define mod_lruvec_page_state(page, item, delta) do { (void)(page); (void)(item); (void)(delta); } while (0)
#define __mod_lruvec_page_state(page, item, d)	mod_lruvec_page_state(page, item, d)
#define page_pgdat(page)			((void *)(page))
#define NODE_DATA(nid)				((void *)(long)(nid))

/* ---- kmalloc --------------------------------------------------------------- */
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)
#define ARCH_KMALLOC_MINALIGN	8
#define ARCH_SLAB_MINALIGN	8
#define KMALLOC_MIN_SIZE	8
#define KMALLOC_SHIFT_MAX	(MAX_PAGE_ORDER + PAGE_SHIFT)
#define KMALLOC_MAX_SIZE	(1UL << KMALLOC_SHIFT_MAX)
#define KMALLOC_MAX_CACHE_SIZE	(PAGE_SIZE * 2)
void *__hk_kmalloc(size_t size, gfp_t gfp, int node);
#define kmalloc(size, gfp)		__hk_kmalloc(size, gfp, NUMA_NO_NODE)
#define kmalloc_node(size, gfp, node)	__hk_kmalloc(size, gfp, node)
#define kzalloc(size, gfp)		__hk_kmalloc(size, (gfp) | __GFP_ZERO, NUMA_NO_NODE)
#define kzalloc_node(size, gfp, node)	__hk_kmalloc(size, (gfp) | __GFP_ZERO, node)
#define kmalloc_array(n, size, gfp)	__hk_kmalloc(size_mul(n, size), gfp, NUMA_NO_NODE)
#define kmalloc_array_node(n, s, gfp, nd) __hk_kmalloc(size_mul(n, s), gfp, nd)
#define kcalloc(n, size, gfp)		__hk_kmalloc(size_mul(n, size), (gfp) | __GFP_ZERO, NUMA_NO_NODE)
#define kcalloc_node(n, size, gfp, nd)	__hk_kmalloc(size_mul(n, size), (gfp) | __GFP_ZERO, nd)
#define kvmalloc(size, gfp)		kmalloc(size, gfp)
#define kvzalloc(size, gfp)		kzalloc(size, gfp)
#define kvmalloc_node(s, gfp, nd)	kmalloc_node(s, gfp, nd)
#define kvzalloc_node(s, gfp, nd)	kzalloc_node(s, gfp, nd)
#define kvmalloc_array(n, s, gfp)	kmalloc_array(n, s, gfp)
#define kvcalloc(n, s, gfp)		kcalloc(n, s, gfp)
#define vmalloc(size)			kmalloc(size, GFP_KERNEL)
#define vzalloc(size)			kzalloc(size, GFP_KERNEL)
#define vfree(p)			kfree(p)
void *krealloc(const void *p, size_t size, gfp_t gfp);
void kfree(const void *p);
#define kvfree(p)			kfree(p)
#define kfree_sensitive(p)		kfree(p)
#define kvfree_sensitive(p, n)		kfree(p)
size_t ksize(const void *p);
char *kstrdup(const char *s, gfp_t gfp);
const char *kstrdup_const(const char *s, gfp_t gfp);
void kfree_const(const void *p);
char *kstrndup(const char *s, size_t max, gfp_t gfp);
void *kmemdup(const void *src, size_t len, gfp_t gfp);
__printf(2, 3) char *kasprintf(gfp_t gfp, const char *fmt, ...);
__printf(2, 0) char *kvasprintf(gfp_t gfp, const char *fmt, va_list ap);
unsigned long hk_kmalloc_in_use(void);		/* live kmalloc() blocks */
void hk_kmalloc_fail_set(long after);		/* fail after N more (-1: never) */
extern gfp_t hk_kmalloc_last_gfp;		/* the flags of the last kmalloc() */
bool is_vmalloc_addr(const void *p);

/* ---- slab flags and kmem_cache (on malloc; for code that needs one) ------ */
#define SLAB_CONSISTENCY_CHECKS	((slab_flags_t)0x00000100U)
#define SLAB_RED_ZONE		((slab_flags_t)0x00000400U)
#define SLAB_POISON		((slab_flags_t)0x00000800U)
#define SLAB_KMALLOC		((slab_flags_t)0x00001000U)
#define SLAB_HWCACHE_ALIGN	((slab_flags_t)0x00002000U)
#define SLAB_CACHE_DMA		((slab_flags_t)0x00004000U)
#define SLAB_CACHE_DMA32	((slab_flags_t)0x00008000U)
#define SLAB_STORE_USER		((slab_flags_t)0x00010000U)
#define SLAB_PANIC		((slab_flags_t)0x00040000U)
#define SLAB_TYPESAFE_BY_RCU	((slab_flags_t)0x00080000U)
#define SLAB_TRACE		((slab_flags_t)0x00200000U)
#define SLAB_NOLEAKTRACE	((slab_flags_t)0x00800000U)
#define SLAB_NO_MERGE		((slab_flags_t)0x01000000U)
#define SLAB_ACCOUNT		((slab_flags_t)0x04000000U)
#define SLAB_NO_USER_FLAGS	((slab_flags_t)0x10000000U)
#define SLAB_RECLAIM_ACCOUNT	((slab_flags_t)0x00020000U)
#define SLAB_MEM_SPREAD		((slab_flags_t)0U)
#define SLAB_NOTRACK		((slab_flags_t)0U)
#define SLAB_DEBUG_OBJECTS	((slab_flags_t)0U)
#define SLAB_FAILSLAB		((slab_flags_t)0U)
#define SLAB_TEMPORARY		SLAB_RECLAIM_ACCOUNT
#define SLAB_NEVER_MERGE	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_TYPESAFE_BY_RCU | SLAB_NOLEAKTRACE | SLAB_FAILSLAB | SLAB_NO_MERGE)
#define POISON_INUSE		0x5a
#define POISON_FREE		0x6b
#define POISON_END		0xa5
#define SLUB_RED_INACTIVE	0xbb
#define SLUB_RED_ACTIVE		0xcc
#define POISON_POINTER_DELTA	0

struct kmem_cache;
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *));
#define KMEM_CACHE(s, f)	kmem_cache_create(#s, sizeof(struct s), __alignof__(struct s), f, NULL)
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
#define kmem_cache_zalloc(s, gfp)	kmem_cache_alloc(s, (gfp) | __GFP_ZERO)
#define kmem_cache_alloc_node(s, gfp, n) kmem_cache_alloc(s, gfp)
void kmem_cache_free(struct kmem_cache *s, void *p);

/* ---- KASAN / kmemleak / kfence: not present ------------------------------ */
#define kmemleak_alloc(p, s, c, g)	do { } while (0)
#define kmemleak_free(p)		do { } while (0)
#define kmemleak_not_leak(p)		do { } while (0)
#define kmemleak_ignore(p)		do { } while (0)
#define kasan_poison_pages(p, o, i)	do { } while (0)
#define kasan_unpoison_pages(p, o, i)	true
#define kasan_enabled()			false
#define is_kfence_address(p)		false
#define kmsan_enabled			false

/* ---- debugfs and seq_file (a small in-memory tree the tests can read) ---- */
struct inode {
	void *i_private;
};
struct file {
	void *private_data;
	unsigned int f_flags;
};
struct seq_file {
	char *buf;
	size_t size, count;
	void *private;
	int (*single_show)(struct seq_file *m, void *v);
	const struct seq_operations *op;
	loff_t index;
};
struct seq_operations {
	void *(*start)(struct seq_file *m, loff_t *pos);
	void (*stop)(struct seq_file *m, void *v);
	void *(*next)(struct seq_file *m, void *v, loff_t *pos);
	int (*show)(struct seq_file *m, void *v);
};
struct module;
struct file_operations {
	struct module *owner;
	int (*open)(struct inode *inode, struct file *file);
	ssize_t (*read)(struct file *f, char *buf, size_t n, loff_t *ppos);
	ssize_t (*write)(struct file *f, const char *buf, size_t n, loff_t *ppos);
	loff_t (*llseek)(struct file *f, loff_t off, int whence);
	int (*release)(struct inode *inode, struct file *file);
};
#define SEQ_START_TOKEN		((void *)1)
__printf(2, 3) void seq_printf(struct seq_file *m, const char *fmt, ...);
__printf(2, 0) void seq_vprintf(struct seq_file *m, const char *fmt, va_list ap);
void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);
void seq_write(struct seq_file *m, const void *data, size_t len);
void seq_put_decimal_ull(struct seq_file *m, const char *delim, unsigned long long n);
int single_open(struct file *file, int (*show)(struct seq_file *, void *), void *data);
int single_release(struct inode *inode, struct file *file);
int seq_open(struct file *file, const struct seq_operations *op);
int seq_release(struct inode *inode, struct file *file);
ssize_t seq_read(struct file *f, char *buf, size_t n, loff_t *ppos);
loff_t seq_lseek(struct file *f, loff_t off, int whence);
struct list_head *seq_list_start(struct list_head *head, loff_t pos);
struct list_head *seq_list_next(void *v, struct list_head *head, loff_t *ppos);
#define DEFINE_SHOW_ATTRIBUTE(__name)						\
static int __name ## _open(struct inode *inode, struct file *file)		\
{										\
	return single_open(file, __name ## _show, inode->i_private);		\
}										\
static const struct file_operations __name ## _fops = {				\
	.owner		= THIS_MODULE,						\
	.open		= __name ## _open,					\
	.read		= seq_read,						\
	.llseek		= seq_lseek,						\
	.release	= single_release,					\
}
#define DEFINE_SEQ_ATTRIBUTE(__name)						\
static int __name ## _open(struct inode *inode, struct file *file)		\
{										\
	int ret = seq_open(file, &__name ## _sops);				\
	if (!ret && inode->i_private) {						\
		struct seq_file *seq_f = file->private_data;			\
		seq_f->private = inode->i_private;				\
	}									\
	return ret;								\
}										\
static const struct file_operations __name ## _fops = {				\
	.owner		= THIS_MODULE,						\
	.open		= __name ## _open,					\
	.read		= seq_read,						\
	.llseek		= seq_lseek,						\
	.release	= seq_release,						\
}

struct dentry;
struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
struct dentry *debugfs_create_file(const char *name, umode_t mode, struct dentry *parent,
				   void *data, const struct file_operations *fops);
#define debugfs_create_file_unsafe	debugfs_create_file
void debugfs_create_u8(const char *name, umode_t mode, struct dentry *parent, u8 *value);
void debugfs_create_u32(const char *name, umode_t mode, struct dentry *parent, u32 *value);
void debugfs_create_u64(const char *name, umode_t mode, struct dentry *parent, u64 *value);
void debugfs_create_ulong(const char *name, umode_t mode, struct dentry *parent, unsigned long *value);
void debugfs_create_bool(const char *name, umode_t mode, struct dentry *parent, bool *value);
#define debugfs_create_x32		debugfs_create_u32
#define debugfs_create_size_t(n, m, p, v) debugfs_create_ulong(n, m, p, (unsigned long *)(v))
void debugfs_remove(struct dentry *d);
#define debugfs_remove_recursive(d)	debugfs_remove(d)
void debugfs_lookup_and_remove(const char *name, struct dentry *parent);
struct dentry *debugfs_lookup(const char *name, struct dentry *parent);
#define dput(d)				do { (void)(d); } while (0)
/* Harness: read a debugfs file ("hakmem/foo/stats") into a malloc'ed string. */
char *hk_debugfs_read(const char *path);
/* Harness: names of the debugfs entries under @path, '\n'-separated. */
char *hk_debugfs_list(const char *path);
unsigned int hk_debugfs_count(void);

/* proc: same model as debugfs files, under "/proc/". */
struct proc_dir_entry;
struct proc_ops {
	int (*proc_open)(struct inode *inode, struct file *file);
	ssize_t (*proc_read)(struct file *f, char *buf, size_t n, loff_t *ppos);
	loff_t (*proc_lseek)(struct file *f, loff_t off, int whence);
	int (*proc_release)(struct inode *inode, struct file *file);
};
struct proc_dir_entry *proc_create_seq_private(const char *name, umode_t mode, struct proc_dir_entry *parent,
					       const struct seq_operations *ops, unsigned int size, void *data);
#define proc_create_seq(n, m, p, ops)	proc_create_seq_private(n, m, p, ops, 0, NULL)
struct proc_dir_entry *proc_create_single_data(const char *name, umode_t mode, struct proc_dir_entry *parent,
					       int (*show)(struct seq_file *, void *), void *data);
#define proc_create_single(n, m, p, show) proc_create_single_data(n, m, p, show, NULL)
void remove_proc_entry(const char *name, struct proc_dir_entry *parent);
#include <sys/stat.h>
#ifndef S_IRUGO
#define S_IRUGO (S_IRUSR | S_IRGRP | S_IROTH)
#define S_IWUGO (S_IWUSR | S_IWGRP | S_IWOTH)
#endif

/* ---- modules ------------------------------------------------------------- */
struct module { const char *name; };
extern struct module __this_module;
#define THIS_MODULE		(&__this_module)
#define MODULE_LICENSE(x)
#define MODULE_AUTHOR(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_VERSION(x)
#define MODULE_ALIAS(x)
#define MODULE_INFO(t, x)
#define MODULE_SOFTDEP(x)
#define MODULE_IMPORT_NS(x)
#define MODULE_PARM_DESC(p, d)
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define EXPORT_SYMBOL_NS(s, ns)
#define EXPORT_SYMBOL_NS_GPL(s, ns)
#define EXPORT_SYMBOL_IF_KUNIT(s)
#define VISIBLE_IF_KUNIT	static
#define module_param(name, type, perm)
#define module_param_named(n, v, t, p)
#define module_param_array(n, t, np, p)
/* ignored, but its ops count as used, as the kernel's macro makes them */
#define module_param_cb(n, ops, arg, perm)				\
	static const struct kernel_param_ops *const __hk_param_ops_##n	\
	__attribute__((unused)) = (ops)
#define module_param_string(n, s, l, p)
/* module_init/exit become the harness' hooks (one module per link). */
#define module_init(fn)		int hk_module_init(void) { return fn(); }
#define module_exit(fn)		void hk_module_exit(void) { fn(); }
#define core_initcall(fn)	module_init(fn)
#define postcore_initcall(fn)	module_init(fn)
#define arch_initcall(fn)	module_init(fn)
#define subsys_initcall(fn)	module_init(fn)
#define fs_initcall(fn)		module_init(fn)
#define device_initcall(fn)	module_init(fn)
#define late_initcall(fn)	module_init(fn)
int hk_module_init(void);
void hk_module_exit(void);

/* ---- static keys (plain booleans here) ------------------------------------ */
struct static_key_false { bool enabled; };
struct static_key_true { bool enabled; };
#define DEFINE_STATIC_KEY_FALSE(name)	struct static_key_false name = { false }
#define DEFINE_STATIC_KEY_TRUE(name)	struct static_key_true name = { true }
#define DECLARE_STATIC_KEY_FALSE(name)	extern struct static_key_false name
#define DECLARE_STATIC_KEY_TRUE(name)	extern struct static_key_true name
#define static_branch_likely(k)		likely(READ_ONCE((k)->enabled))
#define static_branch_unlikely(k)	unlikely(READ_ONCE((k)->enabled))
#define static_branch_enable(k)		WRITE_ONCE((k)->enabled, true)
#define static_branch_disable(k)	WRITE_ONCE((k)->enabled, false)
#define static_key_enabled(k)		READ_ONCE((k)->enabled)

#endif /* _HK_MM_H */
