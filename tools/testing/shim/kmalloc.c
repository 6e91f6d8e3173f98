// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: kmalloc and friends
 * on glibc malloc, counted for the runner's leak check, with fault
 * injection (hk_kmalloc_fail_set()); kmem_cache on malloc.
 */
#include <malloc.h>

#include "hk_shim.h"

static long hk_kmalloc_live;
static long hk_kmalloc_fail_after = -1;
gfp_t hk_kmalloc_last_gfp;

void hk_kmalloc_fail_set(long after)
{
	__atomic_store_n(&hk_kmalloc_fail_after, after, __ATOMIC_RELAXED);
}

unsigned long hk_kmalloc_in_use(void)
{
	return __atomic_load_n(&hk_kmalloc_live, __ATOMIC_RELAXED);
}

void *__hk_kmalloc(size_t size, gfp_t gfp, int node)
{
	long left;
	void *p;

	(void)node;
	might_alloc(gfp);
	WRITE_ONCE(hk_kmalloc_last_gfp, gfp);
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_SIZE) {
		WARN_ON_ONCE(!(gfp & __GFP_NOWARN));
		return NULL;
	}
	left = __atomic_load_n(&hk_kmalloc_fail_after, __ATOMIC_RELAXED);
	while (left >= 0 && !(gfp & __GFP_NOFAIL)) {
		if (left == 0)
			return NULL;
		if (__atomic_compare_exchange_n(&hk_kmalloc_fail_after, &left, left - 1, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			break;
	}
	/* kmalloc() aligns power-of-two sizes naturally. */
	if (is_power_of_2(size) && size > 16 && size <= PAGE_SIZE)
		p = aligned_alloc(size, size);
	else
		p = malloc(size);
	if (!p)
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(p, 0, size);
	__atomic_add_fetch(&hk_kmalloc_live, 1, __ATOMIC_RELAXED);
	return p;
}

void kfree(const void *p)
{
	if (ZERO_OR_NULL_PTR(p))
		return;
	if (hk_in_arena(p)) {
		printk(KERN_ERR "hk: kfree(%p): a direct-map (page allocator) address, not from kmalloc\n", p);
		hk_warn(__FILE__, __LINE__, "kfree of a non-kmalloc address");
		return;
	}
	__atomic_sub_fetch(&hk_kmalloc_live, 1, __ATOMIC_RELAXED);
	free((void *)p);
}

size_t ksize(const void *p)
{
	if (ZERO_OR_NULL_PTR(p))
		return 0;
	return malloc_usable_size((void *)p);
}

void *krealloc(const void *p, size_t size, gfp_t gfp)
{
	void *n;
	size_t old;

	if (!size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	n = __hk_kmalloc(size, gfp, NUMA_NO_NODE);
	if (!n || ZERO_OR_NULL_PTR(p))
		return n;
	old = ksize(p);
	memcpy(n, p, min(old, size));
	kfree(p);
	return n;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = kmalloc(n, gfp);
	if (d)
		memcpy(d, s, n);
	return d;
}

const char *kstrdup_const(const char *s, gfp_t gfp)
{
	return kstrdup(s, gfp);
}

void kfree_const(const void *p)
{
	kfree(p);
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strnlen(s, max);
	d = kmalloc(n + 1, gfp);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p && !ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}

char *kvasprintf(gfp_t gfp, const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *p;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	p = kmalloc(n + 1, gfp);
	if (p)
		vsnprintf(p, n + 1, fmt, ap);
	return p;
}

char *kasprintf(gfp_t gfp, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = kvasprintf(gfp, fmt, ap);
	va_end(ap);
	return p;
}

bool is_vmalloc_addr(const void *p)
{
	(void)p;
	return false;
}

/* kmem_cache for code that wants one: plain malloc underneath. */
struct kmem_cache {
	unsigned int size, align;
	void (*ctor)(void *);
	const char *name;
};

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *))
{
	struct kmem_cache *s = malloc(sizeof(*s));

	(void)flags;
	if (!s)
		return NULL;
	s->size = size;
	s->align = max(align, 8u);
	s->ctor = ctor;
	s->name = name;
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	free(s);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	void *p = aligned_alloc(s->align, round_up(s->size, s->align));

	might_alloc(gfp);
	if (p && s->ctor)
		s->ctor(p);
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, s->size);
	return p;
}

void kmem_cache_free(struct kmem_cache *s, void *p)
{
	(void)s;
	free(p);
}
