// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness: the out-of-line half of the kernel
 * emulation (see the headers in shim/include/hk for the model).
 *
 *   - printk, WARN/BUG, a log ring the tests can search
 *   - bit/bitmap helpers, reciprocal_value(), random numbers, strings
 *   - the direct-map arena, struct page array and per-node buddy allocator
 *   - kmalloc on glibc malloc
 *   - the percpu allocator (units HK_PCPU_UNIT apart)
 *   - threads, vCPUs, the vCPU lock, sleep-in-atomic checks
 *   - spinlock/mutex helpers, cpus_read_lock, CPU hotplug, on_each_cpu
 *   - RCU: grace periods over registered threads, a callback thread
 *   - debugfs / seq_file / proc, a malloc kmem_cache, time, current
 */
#include <execinfo.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hk/kernel.h"

/* From the uapi linux/membarrier.h (not included: it would meet the shim). */
#define HK_MEMBARRIER_CMD_PRIVATE_EXPEDITED		(1 << 3)
#define HK_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED	(1 << 4)

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

int hk_nr_cpus = 4;
int hk_nr_nodes = 2;
int hk_loglevel = 5;
unsigned long hk_nr_errors;
unsigned long hk_nr_warnings;
static int hk_debug_fill = 1;	/* fill fresh/freed pages with junk */
struct module __this_module = { .name = "hakmem" };

static long hk_env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

/* ======================================================================
 * printk, WARN, BUG and the log ring
 */
#define HK_LOG_RING	(256 * 1024)
static char hk_log_ring[HK_LOG_RING];
static size_t hk_log_len;
static pthread_mutex_t hk_log_lock = PTHREAD_MUTEX_INITIALIZER;

static void hk_log_append(const char *s, size_t n)
{
	if (n >= HK_LOG_RING / 2)
		n = HK_LOG_RING / 2 - 1;
	if (hk_log_len + n + 1 > HK_LOG_RING) {
		size_t keep = HK_LOG_RING / 2;

		memmove(hk_log_ring, hk_log_ring + hk_log_len - keep, keep);
		hk_log_len = keep;
	}
	memcpy(hk_log_ring + hk_log_len, s, n);
	hk_log_len += n;
	hk_log_ring[hk_log_len] = 0;
}

/* Harness: does the log (since the last hk_log_clear()) contain @s? */
bool hk_log_contains(const char *s)
{
	bool r;

	pthread_mutex_lock(&hk_log_lock);
	r = strstr(hk_log_ring, s) != NULL;
	pthread_mutex_unlock(&hk_log_lock);
	return r;
}

void hk_log_clear(void)
{
	pthread_mutex_lock(&hk_log_lock);
	hk_log_len = 0;
	hk_log_ring[0] = 0;
	pthread_mutex_unlock(&hk_log_lock);
}


/*
 * vsnprintf with the kernel's pointer extensions: %p followed by letters
 * (%*ph hex dump, %pGg gfp flags, %pS symbol, ...).  glibc would print the
 * letters after the pointer; the kernel consumes them.
 */
static void hk_put(char *out, size_t size, size_t *pos, const char *s, size_t n)
{
	if (*pos < size) {
		size_t k = min(n, size - 1 - *pos);

		memcpy(out + *pos, s, k);
		out[*pos + k] = 0;
	}
	*pos += n;
}

int hk_vsnprintf(char *out, size_t size, const char *fmt, va_list ap)
{
	size_t pos = 0;
	char spec[32], tmp[512];

	if (size)
		out[0] = 0;
	while (*fmt) {
		const char *start = fmt;
		int width = -1, prec = -1, lng = 0, n;
		bool star_w = false, star_p = false;
		char conv;

		if (*fmt != '%') {
			while (*fmt && *fmt != '%')
				fmt++;
			hk_put(out, size, &pos, start, fmt - start);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			hk_put(out, size, &pos, "%", 1);
			fmt++;
			continue;
		}
		while (*fmt && strchr("-+ #0", *fmt))
			fmt++;
		if (*fmt == '*') {
			star_w = true;
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				fmt++;
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				star_p = true;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					fmt++;
			}
		}
		while (*fmt && strchr("hlzjtL", *fmt)) {
			lng += *fmt == 'l' || *fmt == 'z' || *fmt == 'j' || *fmt == 't' ? 1 :
			       *fmt == 'h' ? 10 : 0;
			fmt++;
		}
		conv = *fmt;
		if (!conv)
			break;
		fmt++;
		n = (int)(fmt - start);
		if (n >= (int)sizeof(spec))
			n = sizeof(spec) - 1;
		memcpy(spec, start, n);
		spec[n] = 0;
		if (star_w)
			width = va_arg(ap, int);
		if (star_p)
			prec = va_arg(ap, int);
		tmp[0] = 0;
		switch (conv) {
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'c': {
			/* Flags/width/precision as given (stars folded in), then ll. */
			char s2[64], *q = s2;
			const char *p2;
			long long v;

			if (lng >= 2)
				v = va_arg(ap, long long);
			else if (lng == 1)
				v = va_arg(ap, long);
			else
				v = va_arg(ap, int);
			if (conv == 'c') {
				snprintf(tmp, sizeof(tmp), "%c", (int)v);
				break;
			}
			if (lng == 20)
				v = (conv == 'd' || conv == 'i') ? (long long)(signed char)v : (long long)(unsigned char)v;
			else if (lng == 10)
				v = (conv == 'd' || conv == 'i') ? (long long)(short)v : (long long)(unsigned short)v;
			else if (lng == 0 && conv != 'd' && conv != 'i')
				v = (unsigned int)v;
			for (p2 = spec; p2[1]; p2++) {	/* all but the conversion */
				if (*p2 == '*')
					q += sprintf(q, "%d", p2 > spec && p2[-1] == '.' ? prec : width);
				else if (!strchr("hlzjtL", *p2))
					*q++ = *p2;
			}
			*q++ = 'l';
			*q++ = 'l';
			*q++ = conv;
			*q = 0;
			snprintf(tmp, sizeof(tmp), s2, v);
			break;
		}
		case 'e': case 'f': case 'g': case 'E': case 'G': {
			double v = va_arg(ap, double);

			snprintf(tmp, sizeof(tmp), "%g", v);
			break;
		}
		case 's': {
			const char *v = va_arg(ap, const char *);

			if (!v)
				v = "(null)";
			if (prec < 0 && !star_p) {
				/* plain or fixed width/precision: let libc do it */
				snprintf(tmp, sizeof(tmp), spec, v);
			} else {
				snprintf(tmp, sizeof(tmp), "%*.*s", star_w ? width : 0, prec, v);
			}
			break;
		}
		case 'p': {
			const void *v = va_arg(ap, const void *);
			char ext = *fmt;

			if (ext == 'h') {	/* %*ph: hex bytes, width = count */
				const u8 *b = v;
				int cnt = star_w ? width : 1, i, o = 0;

				for (i = 0; i < cnt && i < 64 && o < (int)sizeof(tmp) - 4; i++)
					o += sprintf(tmp + o, i ? " %02x" : "%02x", b[i]);
			} else if (ext == 'G' && fmt[1] == 'g') {
				snprintf(tmp, sizeof(tmp), "%#x", *(const gfp_t *)v);
			} else {
				snprintf(tmp, sizeof(tmp), "%p", v);
			}
			while ((*fmt >= 'a' && *fmt <= 'z') || (*fmt >= 'A' && *fmt <= 'Z') ||
			       (*fmt >= '0' && *fmt <= '9'))
				fmt++;
			break;
		}
		default:
			snprintf(tmp, sizeof(tmp), "%s", spec);
			break;
		}
		hk_put(out, size, &pos, tmp, strlen(tmp));
	}
	return (int)pos;
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[1024];
	int level = 4, n;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		level = fmt[1] == 'c' ? 7 : fmt[1] - '0';
		fmt += 2;
	}
	n = hk_vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (level <= 3)
		__atomic_fetch_add(&hk_nr_errors, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&hk_log_lock);
	hk_log_append(buf, n);
	pthread_mutex_unlock(&hk_log_lock);
	if (level < hk_loglevel)
		fputs(buf, stderr);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void dump_stack(void)
{
	void *bt[32];
	int n = backtrace(bt, 32);

	if (hk_loglevel > 4)
		backtrace_symbols_fd(bt, n, 2);
}

void hk_warn(const char *file, int line, const char *cond)
{
	__atomic_fetch_add(&hk_nr_warnings, 1, __ATOMIC_RELAXED);
	printk(KERN_WARNING "WARNING: %s:%d: %s (cpu %d, tid %d)\n", file, line,
	       cond, hk_self.cpu, hk_self.tid);
	dump_stack();
}

void hk_bug(const char *file, int line, const char *cond)
{
	void *bt[32];
	int n = backtrace(bt, 32);

	fprintf(stderr, "kernel BUG at %s:%d: %s (cpu %d, tid %d)\n", file, line,
		cond, hk_self.cpu, hk_self.tid);
	backtrace_symbols_fd(bt, n, 2);
	abort();
}

/* ======================================================================
 * lib: bits, bitmaps, reciprocal division, random, strings
 */
unsigned long hk_find_next_bit(const unsigned long *addr, unsigned long size,
			       unsigned long start, unsigned long invert)
{
	unsigned long w;

	if (start >= size)
		return size;
	w = (addr[start / BITS_PER_LONG] ^ invert) & BITMAP_FIRST_WORD_MASK(start);
	start = round_down(start, BITS_PER_LONG);
	while (!w) {
		start += BITS_PER_LONG;
		if (start >= size)
			return size;
		w = addr[start / BITS_PER_LONG] ^ invert;
	}
	return min(start + __ffs(w), size);
}

unsigned long find_last_bit(const unsigned long *addr, unsigned long size)
{
	while (size) {
		unsigned long i = --size;

		if (test_bit(i, addr))
			return i;
	}
	return ~0UL;
}

unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits)
{
	unsigned int i, w = 0;

	for (i = 0; i < nbits / BITS_PER_LONG; i++)
		w += hweight_long(src[i]);
	if (nbits % BITS_PER_LONG)
		w += hweight_long(src[i] & BITMAP_LAST_WORD_MASK(nbits));
	return w;
}

bool bitmap_empty(const unsigned long *src, unsigned int nbits)
{
	return find_first_bit(src, nbits) >= nbits;
}

bool bitmap_full(const unsigned long *src, unsigned int nbits)
{
	return find_first_zero_bit(src, nbits) >= nbits;
}

bool bitmap_equal(const unsigned long *a, const unsigned long *b, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < nbits; i++)
		if (test_bit(i, a) != test_bit(i, b))
			return false;
	return true;
}

bool bitmap_intersects(const unsigned long *a, const unsigned long *b, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < nbits; i++)
		if (test_bit(i, a) && test_bit(i, b))
			return true;
	return false;
}

void bitmap_set(unsigned long *map, unsigned int start, unsigned int len)
{
	while (len--)
		__set_bit(start++, map);
}

void bitmap_clear(unsigned long *map, unsigned int start, unsigned int len)
{
	while (len--)
		__clear_bit(start++, map);
}

void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = a[i] | b[i];
}

bool bitmap_and(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int nbits)
{
	unsigned int i;
	unsigned long r = 0;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		r |= (dst[i] = a[i] & b[i]);
	return r != 0;
}

bool bitmap_andnot(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int nbits)
{
	unsigned int i;
	unsigned long r = 0;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		r |= (dst[i] = a[i] & ~b[i]);
	return r != 0;
}

void bitmap_complement(unsigned long *dst, const unsigned long *src, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = ~src[i];
}

unsigned long *bitmap_alloc(unsigned int nbits, gfp_t flags)
{
	return kmalloc_array(BITS_TO_LONGS(nbits), sizeof(unsigned long), flags);
}

unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t flags)
{
	return bitmap_alloc(nbits, flags | __GFP_ZERO);
}

void bitmap_free(const unsigned long *bitmap)
{
	kfree(bitmap);
}

/*
 * Multiplier and shifts such that reciprocal_divide(a, R) == a / d for
 * every 32-bit a: l = ceil(log2(d)), m = floor(2^32 * (2^l - d) / d) + 1.
 */
struct reciprocal_value reciprocal_value(u32 d)
{
	struct reciprocal_value R;
	int l = fls(d - 1);
	u64 m = ((1ULL << 32) * ((1ULL << l) - d)) / d + 1;

	R.m = (u32)m;
	R.sh1 = min(l, 1);
	R.sh2 = max(l - 1, 0);
	return R;
}

static u64 hk_rand_state;

void hk_random_seed(u64 seed)
{
	__atomic_store_n(&hk_rand_state, seed, __ATOMIC_RELAXED);
}

u64 get_random_u64(void)
{
	/* splitmix64 on an atomic counter: thread-safe, seedable. */
	u64 z = __atomic_add_fetch(&hk_rand_state, 0x9e3779b97f4a7c15ULL, __ATOMIC_RELAXED);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		u64 r = get_random_u64();
		size_t n = min(len, sizeof(r));

		memcpy(p, &r, n);
		p += n;
		len -= n;
	}
}

ssize_t strscpy(char *dst, const char *src, size_t count)
{
	size_t n;

	if (!count)
		return -E2BIG;
	n = strnlen(src, count);
	if (n == count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = 0;
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return n;
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n;

	if (!size)
		return 0;
	n = vsnprintf(buf, size, fmt, ap);
	if (n < 0)
		return 0;
	return (size_t)n >= size ? (int)size - 1 : n;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void *memchr_inv(const void *s, int c, size_t n)
{
	const u8 *p = s;

	for (; n; n--, p++)
		if (*p != (u8)c)
			return (void *)p;
	return NULL;
}

/* ======================================================================
 * The direct map: arena, mem_map, per-node buddy allocators
 */
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

static void hk_arena_init(void)
{
	unsigned long mb = hk_env_long("HK_ARENA_MB", 1024);
	unsigned long block = PAGE_SIZE << MAX_PAGE_ORDER;
	unsigned long size, per_node, pfn;
	char *raw;
	int nid;

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

/* ======================================================================
 * kmalloc on malloc
 */
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

/* ======================================================================
 * The percpu allocator: unit c of a chunk is HK_PCPU_UNIT bytes after
 * unit 0; a percpu pointer p is unit 0's copy minus hk_pcpu_delta.
 * Statically defined per-CPU variables (section hk_percpu) sit at offset 0.
 */
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

static void hk_pcpu_init(void)
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

/* ======================================================================
 * Threads and vCPUs
 */
__thread struct hk_thread hk_self __attribute__((tls_model("initial-exec"))) = { .cpu = -1 };

struct hk_vcpu {
	struct hk_thread *owner;	/* shared: section owner; exclusive: bound thread */
} __attribute__((aligned(64)));
static struct hk_vcpu hk_vcpus[HK_MAX_CPUS];
static pthread_mutex_t hk_thread_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hk_thread *hk_threads;
static pthread_key_t hk_thread_key;
static unsigned int hk_next_cpu;
static int hk_next_tid = 1;
unsigned long hk_cpu_online_bits;
struct cpumask hk_cpu_online_mask, hk_cpu_possible_mask;
static struct cpumask hk_node_masks[HK_MAX_NODES];
static __thread struct task_struct hk_task;

static void hk_thread_exit(void *arg);

static void hk_register_locked(struct hk_thread *t)
{
	if (t->registered)
		return;
	t->registered = true;
	t->tid = hk_next_tid++;
	t->next_thread = hk_threads;
	hk_threads = t;
	pthread_setspecific(hk_thread_key, t);
}

static void hk_set_cpu(struct hk_thread *t, int cpu)
{
	t->cpu = cpu;
	t->cpu_off = hk_pcpu_delta + (unsigned long)cpu * HK_PCPU_UNIT;
}

void hk_thread_init(void)
{
	struct hk_thread *t = &hk_self;
	int cpu = -1, i;

	pthread_mutex_lock(&hk_thread_lock);
	hk_register_locked(t);
	if (t->cpu < 0) {
#ifdef HK_VCPU_EXCLUSIVE
		for (i = 0; i < hk_nr_cpus; i++) {
			int c = (hk_next_cpu + i) % hk_nr_cpus;

			if (!hk_vcpus[c].owner) {
				cpu = c;
				break;
			}
		}
		if (cpu < 0) {
			fprintf(stderr, "hk: no free vCPU for a new thread (exclusive build, %d vCPUs)\n",
				hk_nr_cpus);
			abort();
		}
		__atomic_store_n(&hk_vcpus[cpu].owner, t, __ATOMIC_RELAXED);
#else
		(void)i;
		cpu = hk_next_cpu % hk_nr_cpus;
#endif
		hk_next_cpu = cpu + 1;
		hk_set_cpu(t, cpu);
	}
	pthread_mutex_unlock(&hk_thread_lock);
}

int hk_vcpu_bind(int cpu)
{
	struct hk_thread *t = &hk_self;

	if (cpu < 0 || cpu >= hk_nr_cpus)
		return -EINVAL;
	if (t->rcu_ctr & HK_RCU_NEST_MASK) {
		hk_warn(__FILE__, __LINE__, "hk_vcpu_bind() in an atomic section");
		return -EBUSY;
	}
	pthread_mutex_lock(&hk_thread_lock);
	hk_register_locked(t);
#ifdef HK_VCPU_EXCLUSIVE
	if (t->cpu != cpu) {
		if (hk_vcpus[cpu].owner) {
			pthread_mutex_unlock(&hk_thread_lock);
			return -EBUSY;
		}
		if (t->cpu >= 0)
			__atomic_store_n(&hk_vcpus[t->cpu].owner, NULL, __ATOMIC_RELAXED);
		__atomic_store_n(&hk_vcpus[cpu].owner, t, __ATOMIC_RELAXED);
	}
#endif
	hk_set_cpu(t, cpu);
	pthread_mutex_unlock(&hk_thread_lock);
	return 0;
}

void hk_vcpu_unbind(void)
{
	struct hk_thread *t = &hk_self;

	if (t->cpu < 0)
		return;
	pthread_mutex_lock(&hk_thread_lock);
#ifdef HK_VCPU_EXCLUSIVE
	if (hk_vcpus[t->cpu].owner == t)
		__atomic_store_n(&hk_vcpus[t->cpu].owner, NULL, __ATOMIC_RELAXED);
#endif
	t->cpu = -1;
	pthread_mutex_unlock(&hk_thread_lock);
}

int hk_vcpu_of_thread(void)
{
	return hk_self.cpu;
}

static void hk_thread_exit(void *arg)
{
	struct hk_thread *t = arg, **pp;

	if (t->rcu_ctr & HK_RCU_NEST_MASK)
		printk(KERN_ERR "hk: thread %d exits inside an atomic/RCU section\n", t->tid);
	pthread_mutex_lock(&hk_thread_lock);
	for (pp = &hk_threads; *pp; pp = &(*pp)->next_thread)
		if (*pp == t) {
			*pp = t->next_thread;
			break;
		}
	t->registered = false;
#ifdef HK_VCPU_EXCLUSIVE
	if (t->cpu >= 0 && hk_vcpus[t->cpu].owner == t)
		__atomic_store_n(&hk_vcpus[t->cpu].owner, NULL, __ATOMIC_RELAXED);
#endif
	t->cpu = -1;
	pthread_mutex_unlock(&hk_thread_lock);
}

void hk_vcpu_lock_slow(struct hk_thread *t)
{
	struct hk_vcpu *v = &hk_vcpus[t->cpu];
	unsigned int spins = 0;
	struct hk_thread *none;

	for (;;) {
		none = NULL;
		if (__atomic_compare_exchange_n(&v->owner, &none, t, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		if (++spins < 100)
			cpu_relax();
		else
			sched_yield();	/* the holder was "preempted" */
	}
}

void hk_vcpu_unlock_slow(struct hk_thread *t)
{
	__atomic_store_n(&hk_vcpus[t->cpu].owner, NULL, __ATOMIC_RELEASE);
}

void hk_sleep_check(const char *file, int line, const char *what)
{
	if (likely(!(hk_self.rcu_ctr & HK_RCU_NEST_MASK) && !hk_self.in_irq))
		return;
	printk(KERN_ERR "BUG: sleeping function called from invalid context at %s:%d (%s), "
	       "preempt/rcu depth %lu, in_irq %u\n", file, line, what,
	       hk_self.rcu_ctr & HK_RCU_NEST_MASK, hk_self.in_irq);
	hk_warn(file, line, "sleep in atomic context");
}

struct task_struct *hk_current(void)
{
	struct hk_thread *t = hk_cur();

	if (!hk_task.pid) {
		hk_task.pid = t->tid;
		snprintf(hk_task.comm, sizeof(hk_task.comm), "hk/%d", t->tid);
	}
	return &hk_task;
}

const struct cpumask *hk_online_mask_snapshot(void)
{
	hk_cpu_online_mask.bits[0] = READ_ONCE(hk_cpu_online_bits);
	return &hk_cpu_online_mask;
}

const struct cpumask *cpumask_of_node(int node)
{
	return &hk_node_masks[node];
}

/* ======================================================================
 * spinlocks, mutexes, hotplug lock
 */
void spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init(&l->m, NULL);
	l->owner = NULL;
}

void mutex_init(struct mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
	m->owner = NULL;
}

void hk_mutex_lock(struct mutex *m, const char *file, int line)
{
	struct hk_thread *t = hk_cur();

	hk_sleep_check(file, line, "mutex_lock");
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == t)
		hk_bug(file, line, "mutex_lock recursion (deadlock)");
	pthread_mutex_lock(&m->m);
	__atomic_store_n(&m->owner, t, __ATOMIC_RELAXED);
}

void mutex_unlock(struct mutex *m)
{
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) != &hk_self)
		hk_bug(__FILE__, __LINE__, "mutex_unlock by a non-owner");
	__atomic_store_n(&m->owner, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&m->m);
}

bool mutex_trylock(struct mutex *m)
{
	struct hk_thread *t = hk_cur();

	if (pthread_mutex_trylock(&m->m))
		return false;
	__atomic_store_n(&m->owner, t, __ATOMIC_RELAXED);
	return true;
}

static pthread_rwlock_t hk_hotplug_lock = PTHREAD_RWLOCK_INITIALIZER;

void cpus_read_lock(void)
{
	hk_sleep_check(__FILE__, __LINE__, "cpus_read_lock");
	pthread_rwlock_rdlock(&hk_hotplug_lock);
}

void cpus_read_unlock(void)
{
	pthread_rwlock_unlock(&hk_hotplug_lock);
}

/* ======================================================================
 * Cross-CPU calls and CPU hotplug
 */
struct hk_cpu_switch {
	int cpu;
	unsigned long cpu_off;
	unsigned int vcpu_depth;
};

static void hk_switch_cpu(struct hk_cpu_switch *save, int cpu)
{
	struct hk_thread *t = hk_cur();

	save->cpu = t->cpu;
	save->cpu_off = t->cpu_off;
	save->vcpu_depth = t->vcpu_depth;
	if (cpu != t->cpu) {
		t->vcpu_depth = 0;
		hk_set_cpu(t, cpu);
	}
}

static void hk_restore_cpu(const struct hk_cpu_switch *save)
{
	struct hk_thread *t = &hk_self;

	t->cpu = save->cpu;
	t->cpu_off = save->cpu_off;
	t->vcpu_depth = save->vcpu_depth;
}

/* Run @fn(@arg) as vCPU @cpu in IRQ context: it owns that vCPU meanwhile. */
void hk_run_on_cpu(int cpu, void (*fn)(void *), void *arg)
{
	struct hk_cpu_switch save;

	hk_switch_cpu(&save, cpu);
	hk_atomic_enter();
	hk_self.irq_off++;
	hk_self.in_irq++;
	fn(arg);
	hk_self.in_irq--;
	hk_self.irq_off--;
	hk_atomic_exit();
	hk_restore_cpu(&save);
}

void on_each_cpu_cond(smp_cond_func_t cond, smp_call_func_t func, void *info, bool wait)
{
	int cpu;

	(void)wait;
	/* The kernel's smp_call_function_many() warns likewise. */
	WARN_ON_ONCE(hk_in_atomic() && hk_self.cpu >= 0 && hk_nr_cpus > 1);
	for_each_online_cpu(cpu)
		if (!cond || cond(cpu, info))
			hk_run_on_cpu(cpu, func, info);
}

void on_each_cpu(smp_call_func_t func, void *info, int wait)
{
	on_each_cpu_cond(NULL, func, info, wait);
}

void on_each_cpu_mask(const struct cpumask *mask, smp_call_func_t func, void *info, bool wait)
{
	int cpu;

	(void)wait;
	for_each_online_cpu(cpu)
		if (cpumask_test_cpu(cpu, mask))
			hk_run_on_cpu(cpu, func, info);
}

int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait)
{
	(void)wait;
	if (!cpu_online(cpu))
		return -ENXIO;
	hk_run_on_cpu(cpu, func, info);
	return 0;
}

#define HK_CPUHP_MAX	16
struct hk_cpuhp {
	bool used, ap;
	const char *name;
	int (*startup)(unsigned int cpu);
	int (*teardown)(unsigned int cpu);
	int state;
};
static struct hk_cpuhp hk_cpuhp[HK_CPUHP_MAX];
static int hk_cpuhp_next_dyn_ap = CPUHP_AP_ONLINE_DYN;
static int hk_cpuhp_next_dyn_bp = CPUHP_BP_PREPARE_DYN;

/* AP callbacks run on the CPU concerned, in process context. */
static int hk_cpuhp_call(struct hk_cpuhp *h, int (*fn)(unsigned int), unsigned int cpu)
{
	struct hk_cpu_switch save;
	int ret;

	if (!fn)
		return 0;
	if (!h->ap)
		return fn(cpu);
	hk_switch_cpu(&save, cpu);
	ret = fn(cpu);
	hk_restore_cpu(&save);
	return ret;
}

int __hk_cpuhp_setup_state(int state, const char *name, bool invoke,
			   int (*startup)(unsigned int cpu),
			   int (*teardown)(unsigned int cpu))
{
	struct hk_cpuhp *h = NULL;
	int i, cpu, ret = 0, id = state;

	might_sleep();
	for (i = 0; i < HK_CPUHP_MAX; i++)
		if (!hk_cpuhp[i].used) {
			h = &hk_cpuhp[i];
			break;
		}
	if (!h)
		return -ENOSPC;
	if (state == CPUHP_AP_ONLINE_DYN)
		id = hk_cpuhp_next_dyn_ap++;
	else if (state == CPUHP_BP_PREPARE_DYN)
		id = hk_cpuhp_next_dyn_bp++;
	h->used = true;
	h->ap = id >= CPUHP_AP_ONLINE_DYN;
	h->name = name;
	h->startup = startup;
	h->teardown = teardown;
	h->state = id;
	if (invoke) {
		for_each_online_cpu(cpu) {
			ret = hk_cpuhp_call(h, startup, cpu);
			if (ret) {
				int c;

				for (c = 0; c < cpu; c++)
					if (cpu_online(c))
						hk_cpuhp_call(h, teardown, c);
				h->used = false;
				return ret;
			}
		}
	}
	/* Dynamic states return their number, fixed ones 0. */
	return (state == CPUHP_AP_ONLINE_DYN || state == CPUHP_BP_PREPARE_DYN) ? id : 0;
}

void __hk_cpuhp_remove_state(int state, bool invoke)
{
	int i, cpu;

	might_sleep();
	for (i = 0; i < HK_CPUHP_MAX; i++) {
		struct hk_cpuhp *h = &hk_cpuhp[i];

		if (!h->used || h->state != state)
			continue;
		if (invoke)
			for_each_online_cpu(cpu)
				hk_cpuhp_call(h, h->teardown, cpu);
		h->used = false;
		return;
	}
	WARN(1, "cpuhp_remove_state(%d): no such state\n", state);
}

int hk_cpu_down(int cpu)
{
	int i, ret = 0;

	if (!cpu_online(cpu) || num_online_cpus() == 1)
		return -EINVAL;
	pthread_rwlock_wrlock(&hk_hotplug_lock);
	/* AP states tear down while the CPU is still up, highest first. */
	for (i = HK_CPUHP_MAX - 1; i >= 0 && !ret; i--)
		if (hk_cpuhp[i].used && hk_cpuhp[i].ap)
			ret = hk_cpuhp_call(&hk_cpuhp[i], hk_cpuhp[i].teardown, cpu);
	__atomic_and_fetch(&hk_cpu_online_bits, ~(1UL << cpu), __ATOMIC_SEQ_CST);
	for (i = HK_CPUHP_MAX - 1; i >= 0; i--)
		if (hk_cpuhp[i].used && !hk_cpuhp[i].ap)
			hk_cpuhp_call(&hk_cpuhp[i], hk_cpuhp[i].teardown, cpu);
	pthread_rwlock_unlock(&hk_hotplug_lock);
	return ret;
}

int hk_cpu_up(int cpu)
{
	int i, ret = 0;

	if (cpu < 0 || cpu >= hk_nr_cpus || cpu_online(cpu))
		return -EINVAL;
	pthread_rwlock_wrlock(&hk_hotplug_lock);
	for (i = 0; i < HK_CPUHP_MAX && !ret; i++)
		if (hk_cpuhp[i].used && !hk_cpuhp[i].ap)
			ret = hk_cpuhp_call(&hk_cpuhp[i], hk_cpuhp[i].startup, cpu);
	__atomic_or_fetch(&hk_cpu_online_bits, 1UL << cpu, __ATOMIC_SEQ_CST);
	for (i = 0; i < HK_CPUHP_MAX && !ret; i++)
		if (hk_cpuhp[i].used && hk_cpuhp[i].ap)
			ret = hk_cpuhp_call(&hk_cpuhp[i], hk_cpuhp[i].startup, cpu);
	pthread_rwlock_unlock(&hk_hotplug_lock);
	return ret;
}

/* ======================================================================
 * RCU
 */
static int hk_membarrier_ok;
static pthread_mutex_t hk_rcu_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hk_rcu_kick = PTHREAD_COND_INITIALIZER;
static pthread_cond_t hk_rcu_done_cv = PTHREAD_COND_INITIALIZER;
static struct rcu_head *hk_rcu_head[HK_MAX_CPUS], **hk_rcu_tail[HK_MAX_CPUS];
static unsigned long hk_rcu_queued, hk_rcu_done;
static bool hk_rcu_running;
static pthread_t hk_rcu_thread;

static void hk_full_barrier_all(void)
{
	if (hk_membarrier_ok)
		syscall(__NR_membarrier, HK_MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	else
		smp_mb();
}

static void hk_wait_grace_period(void)
{
	struct hk_thread *self = &hk_self, *t;

	hk_full_barrier_all();
	pthread_mutex_lock(&hk_thread_lock);
	for (t = hk_threads; t; t = t->next_thread) {
		unsigned long c;
		unsigned int spins = 0;

		if (t == self)
			continue;
		c = __atomic_load_n(&t->rcu_ctr, __ATOMIC_ACQUIRE);
		if (!(c & HK_RCU_NEST_MASK))
			continue;
		while (__atomic_load_n(&t->rcu_ctr, __ATOMIC_ACQUIRE) == c) {
			if (++spins < 100)
				cpu_relax();
			else
				sched_yield();
		}
	}
	pthread_mutex_unlock(&hk_thread_lock);
	hk_full_barrier_all();
}

void synchronize_rcu(void)
{
	might_sleep();
	hk_wait_grace_period();
}

static void *hk_rcu_main(void *arg)
{
	struct hk_thread *t = &hk_self;

	(void)arg;
	pthread_mutex_lock(&hk_thread_lock);
	hk_register_locked(t);
	/* A kthread that borrows vCPUs: parked on 0, owning none. */
	hk_set_cpu(t, 0);
	pthread_mutex_unlock(&hk_thread_lock);
	snprintf(t->comm, sizeof(t->comm), "rcu");
	pthread_mutex_lock(&hk_rcu_lock);
	for (;;) {
		struct rcu_head *batch[HK_MAX_CPUS];
		unsigned long n = 0;
		int cpu;

		while (hk_rcu_queued == hk_rcu_done)
			pthread_cond_wait(&hk_rcu_kick, &hk_rcu_lock);
		for (cpu = 0; cpu < hk_nr_cpus; cpu++) {
			batch[cpu] = hk_rcu_head[cpu];
			hk_rcu_head[cpu] = NULL;
			hk_rcu_tail[cpu] = &hk_rcu_head[cpu];
		}
		pthread_mutex_unlock(&hk_rcu_lock);

		hk_wait_grace_period();

		for (cpu = 0; cpu < hk_nr_cpus; cpu++) {
			struct rcu_head *h = batch[cpu], *next;
			struct hk_cpu_switch save;

			if (!h)
				continue;
			/* softirq on that CPU: owns the vCPU, BH off */
			hk_switch_cpu(&save, cpu);
			hk_atomic_enter();
			t->in_irq++;
			for (; h; h = next) {
				unsigned long f = (unsigned long)h->func;

				next = h->next;
				if (f < 4096)
					kfree((char *)h - f);
				else
					h->func(h);
				n++;
			}
			t->in_irq--;
			hk_atomic_exit();
			hk_restore_cpu(&save);
		}
		pthread_mutex_lock(&hk_rcu_lock);
		hk_rcu_done += n;
		pthread_cond_broadcast(&hk_rcu_done_cv);
	}
	return NULL;
}

static void hk_rcu_start_locked(void)
{
	if (hk_rcu_running)
		return;
	hk_rcu_running = true;
	if (pthread_create(&hk_rcu_thread, NULL, hk_rcu_main, NULL)) {
		perror("hk: rcu thread");
		abort();
	}
	pthread_detach(hk_rcu_thread);
}

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	int cpu = raw_smp_processor_id();

	head->func = func;
	head->next = NULL;
	pthread_mutex_lock(&hk_rcu_lock);
	if (!hk_rcu_tail[cpu])
		hk_rcu_tail[cpu] = &hk_rcu_head[cpu];
	*hk_rcu_tail[cpu] = head;
	hk_rcu_tail[cpu] = &head->next;
	hk_rcu_queued++;
	hk_rcu_start_locked();
	pthread_cond_signal(&hk_rcu_kick);
	pthread_mutex_unlock(&hk_rcu_lock);
}

void hk_kvfree_rcu(struct rcu_head *head, unsigned long offset)
{
	call_rcu(head, (rcu_callback_t)offset);
}

void rcu_barrier(void)
{
	unsigned long target;

	might_sleep();
	pthread_mutex_lock(&hk_rcu_lock);
	target = hk_rcu_queued;
	if (hk_rcu_done < target)
		hk_rcu_start_locked();
	while (hk_rcu_done < target)
		pthread_cond_wait(&hk_rcu_done_cv, &hk_rcu_lock);
	pthread_mutex_unlock(&hk_rcu_lock);
}

unsigned long hk_rcu_pending(void)
{
	unsigned long r;

	pthread_mutex_lock(&hk_rcu_lock);
	r = hk_rcu_queued - hk_rcu_done;
	pthread_mutex_unlock(&hk_rcu_lock);
	return r;
}

/* ======================================================================
 * Time
 */
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

/* ======================================================================
 * debugfs, proc and seq_file
 */
enum hk_dkind { HK_D_DIR, HK_D_FOPS, HK_D_SEQ, HK_D_SINGLE, HK_D_U8, HK_D_U32, HK_D_U64,
		HK_D_ULONG, HK_D_BOOL };
struct dentry {
	char name[64];
	enum hk_dkind kind;
	struct dentry *parent;
	struct list_head children, sibling;
	void *data;
	const void *ops;
};
static struct dentry hk_debugfs_root = {
	.name = "", .kind = HK_D_DIR,
	.children = LIST_HEAD_INIT(hk_debugfs_root.children),
};
static struct dentry hk_proc_root = {
	.name = "proc", .kind = HK_D_DIR,
	.children = LIST_HEAD_INIT(hk_proc_root.children),
};
static pthread_mutex_t hk_debugfs_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int hk_debugfs_nr;

static struct dentry *hk_d_find(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *d;

	list_for_each_entry(d, &dir->children, sibling)
		if (strlen(d->name) == len && !strncmp(d->name, name, len))
			return d;
	return NULL;
}

static struct dentry *hk_d_create(const char *name, struct dentry *parent,
				  enum hk_dkind kind, void *data, const void *ops)
{
	struct dentry *d;

	if (IS_ERR(parent))
		return parent;
	if (!parent)
		parent = &hk_debugfs_root;
	pthread_mutex_lock(&hk_debugfs_lock);
	if (hk_d_find(parent, name, strlen(name))) {
		pthread_mutex_unlock(&hk_debugfs_lock);
		printk(KERN_ERR "debugfs: '%s' already present in '%s'!\n", name, parent->name);
		return ERR_PTR(-EEXIST);
	}
	d = calloc(1, sizeof(*d));
	strscpy(d->name, name, sizeof(d->name));
	d->kind = kind;
	d->parent = parent;
	d->data = data;
	d->ops = ops;
	INIT_LIST_HEAD(&d->children);
	list_add_tail(&d->sibling, &parent->children);
	hk_debugfs_nr++;
	pthread_mutex_unlock(&hk_debugfs_lock);
	return d;
}

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return hk_d_create(name, parent, HK_D_DIR, NULL, NULL);
}

struct dentry *debugfs_create_file(const char *name, umode_t mode, struct dentry *parent,
				   void *data, const struct file_operations *fops)
{
	(void)mode;
	return hk_d_create(name, parent, HK_D_FOPS, data, fops);
}

void debugfs_create_u8(const char *name, umode_t mode, struct dentry *parent, u8 *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_U8, value, NULL);
}

void debugfs_create_u32(const char *name, umode_t mode, struct dentry *parent, u32 *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_U32, value, NULL);
}

void debugfs_create_u64(const char *name, umode_t mode, struct dentry *parent, u64 *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_U64, value, NULL);
}

void debugfs_create_ulong(const char *name, umode_t mode, struct dentry *parent, unsigned long *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_ULONG, value, NULL);
}

void debugfs_create_bool(const char *name, umode_t mode, struct dentry *parent, bool *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_BOOL, value, NULL);
}

static void hk_d_free_locked(struct dentry *d)
{
	struct dentry *c, *n;

	list_for_each_entry_safe(c, n, &d->children, sibling)
		hk_d_free_locked(c);
	list_del(&d->sibling);
	hk_debugfs_nr--;
	free(d);
}

void debugfs_remove(struct dentry *d)
{
	if (IS_ERR_OR_NULL(d))
		return;
	pthread_mutex_lock(&hk_debugfs_lock);
	hk_d_free_locked(d);
	pthread_mutex_unlock(&hk_debugfs_lock);
}

struct dentry *debugfs_lookup(const char *name, struct dentry *parent)
{
	struct dentry *d;

	if (IS_ERR(parent))
		return NULL;
	pthread_mutex_lock(&hk_debugfs_lock);
	d = hk_d_find(parent ? parent : &hk_debugfs_root, name, strlen(name));
	pthread_mutex_unlock(&hk_debugfs_lock);
	return d;
}

void debugfs_lookup_and_remove(const char *name, struct dentry *parent)
{
	debugfs_remove(debugfs_lookup(name, parent));
}

unsigned int hk_debugfs_count(void)
{
	return hk_debugfs_nr;
}

struct proc_dir_entry *proc_create_seq_private(const char *name, umode_t mode,
					       struct proc_dir_entry *parent,
					       const struct seq_operations *ops,
					       unsigned int size, void *data)
{
	(void)mode;
	(void)size;
	return (struct proc_dir_entry *)hk_d_create(name, parent ? (struct dentry *)parent : &hk_proc_root,
						    HK_D_SEQ, data, ops);
}

struct proc_dir_entry *proc_create_single_data(const char *name, umode_t mode,
					       struct proc_dir_entry *parent,
					       int (*show)(struct seq_file *, void *), void *data)
{
	(void)mode;
	return (struct proc_dir_entry *)hk_d_create(name, parent ? (struct dentry *)parent : &hk_proc_root,
						    HK_D_SINGLE, data, (const void *)show);
}

void remove_proc_entry(const char *name, struct proc_dir_entry *parent)
{
	struct dentry *d;

	pthread_mutex_lock(&hk_debugfs_lock);
	d = hk_d_find(parent ? (struct dentry *)parent : &hk_proc_root, name, strlen(name));
	if (d)
		hk_d_free_locked(d);
	pthread_mutex_unlock(&hk_debugfs_lock);
}

static void hk_seq_grow(struct seq_file *m, size_t need)
{
	if (m->count + need + 1 <= m->size)
		return;
	m->size = max(m->size * 2, m->count + need + 1);
	m->buf = realloc(m->buf, m->size);
}

void seq_write(struct seq_file *m, const void *data, size_t len)
{
	hk_seq_grow(m, len);
	memcpy(m->buf + m->count, data, len);
	m->count += len;
	m->buf[m->count] = 0;
}

void seq_vprintf(struct seq_file *m, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = hk_vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0)
		return;
	hk_seq_grow(m, n);
	hk_vsnprintf(m->buf + m->count, n + 1, fmt, ap);
	m->count += n;
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	seq_vprintf(m, fmt, ap);
	va_end(ap);
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_write(m, s, strlen(s));
}

void seq_putc(struct seq_file *m, char c)
{
	seq_write(m, &c, 1);
}

void seq_put_decimal_ull(struct seq_file *m, const char *delim, unsigned long long n)
{
	seq_printf(m, "%s%llu", delim ? delim : "", n);
}

int single_open(struct file *file, int (*show)(struct seq_file *, void *), void *data)
{
	struct seq_file *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->single_show = show;
	m->private = data;
	file->private_data = m;
	return 0;
}

int seq_open(struct file *file, const struct seq_operations *op)
{
	struct seq_file *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->op = op;
	file->private_data = m;
	return 0;
}

static int hk_seq_release(struct file *file)
{
	struct seq_file *m = file->private_data;

	if (m) {
		free(m->buf);
		free(m);
	}
	file->private_data = NULL;
	return 0;
}

int single_release(struct inode *inode, struct file *file)
{
	(void)inode;
	return hk_seq_release(file);
}

int seq_release(struct inode *inode, struct file *file)
{
	(void)inode;
	return hk_seq_release(file);
}

/* Produce the whole file into m->buf (no paging: the harness reads it all). */
static int hk_seq_fill(struct seq_file *m)
{
	loff_t pos = 0;
	void *v;
	int ret = 0;

	if (m->single_show)
		return m->single_show(m, NULL);
	v = m->op->start(m, &pos);
	while (v && !IS_ERR(v)) {
		ret = m->op->show(m, v);
		if (ret < 0)
			break;
		v = m->op->next(m, v, &pos);
	}
	m->op->stop(m, v);
	return ret < 0 ? ret : 0;
}

ssize_t seq_read(struct file *f, char *buf, size_t n, loff_t *ppos)
{
	struct seq_file *m = f->private_data;
	size_t left;

	if (*ppos == 0) {
		m->count = 0;
		if (hk_seq_fill(m) < 0)
			return -EIO;
	}
	if ((size_t)*ppos >= m->count)
		return 0;
	left = min(n, m->count - (size_t)*ppos);
	memcpy(buf, m->buf + *ppos, left);
	*ppos += left;
	return left;
}

loff_t seq_lseek(struct file *f, loff_t off, int whence)
{
	(void)f;
	(void)whence;
	return off;
}

struct list_head *seq_list_start(struct list_head *head, loff_t pos)
{
	struct list_head *lh;

	list_for_each(lh, head)
		if (pos-- == 0)
			return lh;
	return NULL;
}

struct list_head *seq_list_next(void *v, struct list_head *head, loff_t *ppos)
{
	struct list_head *lh = ((struct list_head *)v)->next;

	++*ppos;
	return lh == head ? NULL : lh;
}

static struct dentry *hk_d_lookup_path(const char *path)
{
	struct dentry *d = &hk_debugfs_root;
	const char *p = path;

	if (!strncmp(p, "/proc/", 6)) {
		d = &hk_proc_root;
		p += 6;
	}
	while (*p == '/')
		p++;
	while (*p && d) {
		size_t len = strcspn(p, "/");

		d = hk_d_find(d, p, len);
		p += len;
		while (*p == '/')
			p++;
	}
	return d;
}

char *hk_debugfs_read(const char *path)
{
	struct inode inode = { 0 };
	struct file file = { 0 };
	struct seq_file tmp = { 0 };
	struct dentry *d;
	char *out = NULL;

	pthread_mutex_lock(&hk_debugfs_lock);
	d = hk_d_lookup_path(path);
	pthread_mutex_unlock(&hk_debugfs_lock);
	if (!d)
		return NULL;
	switch (d->kind) {
	case HK_D_DIR:
		return NULL;
	case HK_D_U8:
		seq_printf(&tmp, "%u\n", *(u8 *)d->data);
		break;
	case HK_D_U32:
		seq_printf(&tmp, "%u\n", *(u32 *)d->data);
		break;
	case HK_D_U64:
		seq_printf(&tmp, "%llu\n", (unsigned long long)*(u64 *)d->data);
		break;
	case HK_D_ULONG:
		seq_printf(&tmp, "%lu\n", *(unsigned long *)d->data);
		break;
	case HK_D_BOOL:
		seq_printf(&tmp, "%c\n", *(bool *)d->data ? 'Y' : 'N');
		break;
	case HK_D_SINGLE:
		tmp.single_show = (int (*)(struct seq_file *, void *))d->ops;
		tmp.private = d->data;
		if (hk_seq_fill(&tmp) < 0)
			goto fail;
		break;
	case HK_D_SEQ:
		tmp.op = d->ops;
		tmp.private = d->data;
		if (hk_seq_fill(&tmp) < 0)
			goto fail;
		break;
	case HK_D_FOPS: {
		const struct file_operations *fops = d->ops;
		char chunk[4096];
		loff_t pos = 0;
		ssize_t n;

		inode.i_private = d->data;
		if (fops->open && fops->open(&inode, &file))
			return NULL;
		if (fops->read)
			while ((n = fops->read(&file, chunk, sizeof(chunk), &pos)) > 0)
				seq_write(&tmp, chunk, n);
		if (fops->release)
			fops->release(&inode, &file);
		break;
	}
	}
	out = tmp.buf ? tmp.buf : strdup("");
	return out;
fail:
	free(tmp.buf);
	return NULL;
}

static void hk_d_list_rec(struct seq_file *m, struct dentry *d, const char *prefix)
{
	struct dentry *c;
	char buf[512];

	list_for_each_entry(c, &d->children, sibling) {
		snprintf(buf, sizeof(buf), "%s%s%s", prefix, *prefix ? "/" : "", c->name);
		seq_printf(m, "%s%s\n", buf, c->kind == HK_D_DIR ? "/" : "");
		if (c->kind == HK_D_DIR)
			hk_d_list_rec(m, c, buf);
	}
}

char *hk_debugfs_list(const char *path)
{
	struct seq_file tmp = { 0 };
	struct dentry *d;

	pthread_mutex_lock(&hk_debugfs_lock);
	d = path && *path ? hk_d_lookup_path(path) : &hk_debugfs_root;
	if (d)
		hk_d_list_rec(&tmp, d, path && *path ? path : "");
	pthread_mutex_unlock(&hk_debugfs_lock);
	return tmp.buf ? tmp.buf : strdup("");
}


/* ======================================================================
 * IDA, shrinkers, completions, kthreads, static keys, module parameters
 */
int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max, gfp_t gfp)
{
	unsigned long flags;
	unsigned long id;

	might_alloc(gfp);
	spin_lock_irqsave(&ida->lock, flags);
	id = find_next_zero_bit(ida->bits ? ida->bits : (unsigned long *)&ida->used,
				ida->bits ? ida->nbits : 0, min);
	if (id >= ida->nbits) {
		unsigned int nbits = max(ida->nbits * 2, max(min + 1, 1024u));
		unsigned long *nb;

		if (nbits > (unsigned long)max + 1 && ida->nbits > max) {
			spin_unlock_irqrestore(&ida->lock, flags);
			return -ENOSPC;
		}
		nb = calloc(BITS_TO_LONGS(nbits), sizeof(long));
		if (!nb) {
			spin_unlock_irqrestore(&ida->lock, flags);
			return -ENOMEM;
		}
		if (ida->bits)
			memcpy(nb, ida->bits, BITS_TO_LONGS(ida->nbits) * sizeof(long));
		free(ida->bits);
		ida->bits = nb;
		id = max((unsigned long)ida->nbits, (unsigned long)min);
		ida->nbits = nbits;
		id = find_next_zero_bit(ida->bits, ida->nbits, min);
	}
	if (id > max) {
		spin_unlock_irqrestore(&ida->lock, flags);
		return -ENOSPC;
	}
	__set_bit(id, ida->bits);
	ida->used++;
	spin_unlock_irqrestore(&ida->lock, flags);
	return (int)id;
}

void ida_free(struct ida *ida, unsigned int id)
{
	unsigned long flags;

	spin_lock_irqsave(&ida->lock, flags);
	if (id >= ida->nbits || !__test_and_clear_bit(id, ida->bits)) {
		spin_unlock_irqrestore(&ida->lock, flags);
		WARN(1, "ida_free called for id=%u which is not allocated.\n", id);
		return;
	}
	ida->used--;
	spin_unlock_irqrestore(&ida->lock, flags);
}

void ida_destroy(struct ida *ida)
{
	unsigned long flags;

	spin_lock_irqsave(&ida->lock, flags);
	free(ida->bits);
	ida->bits = NULL;
	ida->nbits = 0;
	ida->used = 0;
	spin_unlock_irqrestore(&ida->lock, flags);
}

static LIST_HEAD(hk_shrinkers);
static pthread_mutex_t hk_shrinker_lock = PTHREAD_MUTEX_INITIALIZER;

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *s = calloc(1, sizeof(*s));
	va_list ap;

	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s->name, sizeof(s->name), fmt, ap);
	va_end(ap);
	s->flags = flags | SHRINKER_ALLOCATED;
	s->seeks = DEFAULT_SEEKS;
	INIT_LIST_HEAD(&s->hk_list);
	return s;
}

void shrinker_register(struct shrinker *s)
{
	pthread_mutex_lock(&hk_shrinker_lock);
	list_add_tail(&s->hk_list, &hk_shrinkers);
	s->flags |= SHRINKER_REGISTERED;
	pthread_mutex_unlock(&hk_shrinker_lock);
}

void shrinker_free(struct shrinker *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&hk_shrinker_lock);
	if (s->flags & SHRINKER_REGISTERED)
		list_del(&s->hk_list);
	pthread_mutex_unlock(&hk_shrinker_lock);
	free(s);
}

unsigned int hk_nr_shrinkers(void)
{
	unsigned int n;

	pthread_mutex_lock(&hk_shrinker_lock);
	n = list_count_nodes(&hk_shrinkers);
	pthread_mutex_unlock(&hk_shrinker_lock);
	return n;
}

/* Reclaim runs in process context; shrinkers are called without locks. */
unsigned long hk_shrink(int nid, unsigned long nr_to_scan)
{
	struct shrinker *s;
	unsigned long freed = 0;

	might_sleep();
	pthread_mutex_lock(&hk_shrinker_lock);
	list_for_each_entry(s, &hk_shrinkers, hk_list) {
		struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = nid, .nr_to_scan = nr_to_scan };
		unsigned long count = s->count_objects(s, &sc), r;

		if (count == 0 || count == SHRINK_EMPTY)
			continue;
		sc.nr_to_scan = min(nr_to_scan, count);
		sc.nr_scanned = sc.nr_to_scan;
		r = s->scan_objects(s, &sc);
		if (r != SHRINK_STOP)
			freed += r;
	}
	pthread_mutex_unlock(&hk_shrinker_lock);
	return freed;
}

void init_completion(struct completion *c)
{
	pthread_mutex_init(&c->m, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->done = 0;
}

void complete(struct completion *c)
{
	pthread_mutex_lock(&c->m);
	if (c->done != UINT_MAX)
		c->done++;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->m);
}

void complete_all(struct completion *c)
{
	pthread_mutex_lock(&c->m);
	c->done = UINT_MAX;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->m);
}

void wait_for_completion(struct completion *c)
{
	might_sleep();
	pthread_mutex_lock(&c->m);
	while (!c->done)
		pthread_cond_wait(&c->cv, &c->m);
	if (c->done != UINT_MAX)
		c->done--;
	pthread_mutex_unlock(&c->m);
}

unsigned long wait_for_completion_timeout(struct completion *c, unsigned long timeout)
{
	struct timespec ts;
	unsigned long ret = 1;

	might_sleep();
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout / HZ;
	ts.tv_nsec += (long)(timeout % HZ) * (NSEC_PER_SEC / HZ);
	if (ts.tv_nsec >= NSEC_PER_SEC) {
		ts.tv_sec++;
		ts.tv_nsec -= NSEC_PER_SEC;
	}
	pthread_mutex_lock(&c->m);
	while (!c->done)
		if (pthread_cond_timedwait(&c->cv, &c->m, &ts)) {
			ret = 0;
			break;
		}
	if (ret && c->done != UINT_MAX)
		c->done--;
	pthread_mutex_unlock(&c->m);
	return ret;
}

bool completion_done(struct completion *c)
{
	bool r;

	pthread_mutex_lock(&c->m);
	r = c->done != 0;
	pthread_mutex_unlock(&c->m);
	return r;
}

static LIST_HEAD(hk_kthreads);
static pthread_mutex_t hk_kthread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hk_kthread_cv = PTHREAD_COND_INITIALIZER;
static unsigned int hk_kthreads_running;
static __thread struct task_struct *hk_kthread_self;

__printf(4, 0) static struct task_struct *hk_kthread_new(int (*fn)(void *), void *data, int cpu,
							 const char *namefmt, va_list ap)
{
	struct task_struct *t = calloc(1, sizeof(*t));

	if (!t)
		return ERR_PTR(-ENOMEM);
	t->hk_fn = fn;
	t->hk_data = data;
	t->hk_cpu = cpu;
	vsnprintf(t->comm, sizeof(t->comm), namefmt, ap);
	INIT_LIST_HEAD(&t->hk_list);
	return t;
}

static struct task_struct *hk_kthread_new_fmt(int (*fn)(void *), void *data, int cpu,
					      const char *namefmt, ...)
{
	struct task_struct *t;
	va_list ap;

	va_start(ap, namefmt);
	t = hk_kthread_new(fn, data, cpu, namefmt, ap);
	va_end(ap);
	return t;
}

struct task_struct *kthread_create_on_cpu(int (*fn)(void *data), void *data,
					  unsigned int cpu, const char *namefmt)
{
	might_sleep();
	return hk_kthread_new_fmt(fn, data, cpu, namefmt, cpu);
}

struct task_struct *kthread_create_on_node(int (*fn)(void *data), void *data,
					   int node, const char *namefmt, ...)
{
	struct task_struct *t;
	va_list ap;

	(void)node;
	might_sleep();
	va_start(ap, namefmt);
	t = hk_kthread_new(fn, data, -1, namefmt, ap);
	va_end(ap);
	return t;
}

void kthread_bind(struct task_struct *t, unsigned int cpu)
{
	t->hk_cpu = cpu;
}

static void *hk_kthread_main(void *arg)
{
	struct task_struct *t = arg;

	hk_kthread_self = t;
	if (t->hk_cpu >= 0 && hk_vcpu_bind(t->hk_cpu))
		printk(KERN_ERR "hk: kthread %s: cannot bind vCPU %d\n", t->comm, t->hk_cpu);
	t->pid = hk_cur()->tid;
	t->hk_fn(t->hk_data);
	pthread_mutex_lock(&hk_kthread_lock);
	hk_kthreads_running--;
	pthread_cond_broadcast(&hk_kthread_cv);
	pthread_mutex_unlock(&hk_kthread_lock);
	return NULL;
}

int wake_up_process(struct task_struct *t)
{
	pthread_mutex_lock(&hk_kthread_lock);
	hk_kthreads_running++;
	list_add(&t->hk_list, &hk_kthreads);
	pthread_mutex_unlock(&hk_kthread_lock);
	if (pthread_create(&t->hk_thread, NULL, hk_kthread_main, t)) {
		perror("hk: kthread");
		abort();
	}
	return 1;
}

int kthread_stop(struct task_struct *t)
{
	WRITE_ONCE(t->hk_should_stop, true);
	pthread_join(t->hk_thread, NULL);
	pthread_mutex_lock(&hk_kthread_lock);
	list_del(&t->hk_list);
	pthread_mutex_unlock(&hk_kthread_lock);
	free(t);
	return 0;
}

bool kthread_should_stop(void)
{
	return hk_kthread_self && READ_ONCE(hk_kthread_self->hk_should_stop);
}

void hk_kthreads_wait(void)
{
	struct task_struct *t, *n;

	pthread_mutex_lock(&hk_kthread_lock);
	while (hk_kthreads_running)
		pthread_cond_wait(&hk_kthread_cv, &hk_kthread_lock);
	list_for_each_entry_safe(t, n, &hk_kthreads, hk_list) {
		list_del(&t->hk_list);
		pthread_join(t->hk_thread, NULL);
		free(t);
	}
	pthread_mutex_unlock(&hk_kthread_lock);
}

DEFINE_STATIC_KEY_FALSE(init_on_alloc);
DEFINE_STATIC_KEY_FALSE(init_on_free);

#define HK_MAX_PARAMS	64
static struct { const char *name; void *addr; enum hk_param_type type; } hk_params[HK_MAX_PARAMS];
static unsigned int hk_nr_params;

void hk_param_register(const char *name, void *addr, enum hk_param_type type)
{
	if (hk_nr_params < HK_MAX_PARAMS) {
		hk_params[hk_nr_params].name = name;
		hk_params[hk_nr_params].addr = addr;
		hk_params[hk_nr_params].type = type;
		hk_nr_params++;
	}
}

int hk_param_set(const char *name, const char *value)
{
	unsigned int i;

	for (i = 0; i < hk_nr_params; i++) {
		void *a = hk_params[i].addr;
		unsigned long long v;

		if (strcmp(hk_params[i].name, name))
			continue;
		v = strtoull(value, NULL, 0);
		if (!strcmp(value, "Y") || !strcmp(value, "y"))
			v = 1;
		switch (hk_params[i].type) {
		case hk_param_bool: *(bool *)a = v != 0; break;
		case hk_param_invbool: *(bool *)a = v == 0; break;
		case hk_param_int: case hk_param_uint: *(int *)a = (int)v; break;
		case hk_param_long: case hk_param_ulong: *(long *)a = (long)v; break;
		case hk_param_short: case hk_param_ushort: *(short *)a = (short)v; break;
		case hk_param_byte: *(u8 *)a = (u8)v; break;
		case hk_param_charp: *(const char **)a = strdup(value); break;
		}
		return 0;
	}
	return -ENOENT;
}

/* ======================================================================
 * Start-up
 */
static void hk_atfork_child(void)
{
	struct hk_thread *t = &hk_self;
	int i;

	/* Only the forking thread lives on in the child. */
	pthread_mutex_init(&hk_thread_lock, NULL);
	pthread_mutex_init(&hk_rcu_lock, NULL);
	pthread_cond_init(&hk_rcu_kick, NULL);
	pthread_cond_init(&hk_rcu_done_cv, NULL);
	hk_threads = NULL;
	for (i = 0; i < HK_MAX_CPUS; i++)
		hk_vcpus[i].owner = NULL;
	if (t->registered) {
		t->registered = false;
		hk_register_locked(t);
#ifdef HK_VCPU_EXCLUSIVE
		if (t->cpu >= 0)
			hk_vcpus[t->cpu].owner = t;
#endif
	}
	hk_rcu_running = false;
}

__attribute__((constructor(101))) static void hk_runtime_init(void)
{
	int c;

	hk_nr_cpus = clamp_t(int, hk_env_long("HK_NR_CPUS", 4), 1, HK_MAX_CPUS);
	hk_nr_nodes = clamp_t(int, hk_env_long("HK_NR_NODES", 2), 1, HK_MAX_NODES);
	if (hk_nr_nodes > hk_nr_cpus)
		hk_nr_nodes = hk_nr_cpus;
	hk_loglevel = hk_env_long("HK_LOGLEVEL", 5);
#ifdef HK_BENCH
	hk_debug_fill = 0;
#endif
	hk_debug_fill = hk_env_long("HK_DEBUG_FILL", hk_debug_fill);
	init_on_alloc.enabled = hk_env_long("HK_INIT_ON_ALLOC", 0) != 0;
	init_on_free.enabled = hk_env_long("HK_INIT_ON_FREE", 0) != 0;
	hk_random_seed(hk_env_long("HK_SEED", (long)ktime_get_ns()));
	hk_cpu_online_bits = hk_nr_cpus == 64 ? ~0UL : (1UL << hk_nr_cpus) - 1;
	for (c = 0; c < hk_nr_cpus; c++) {
		cpumask_set_cpu(c, &hk_cpu_possible_mask);
		cpumask_set_cpu(c, &hk_node_masks[cpu_to_node(c)]);
	}
	hk_arena_init();
	hk_pcpu_init();
	pthread_key_create(&hk_thread_key, hk_thread_exit);
	pthread_atfork(NULL, NULL, hk_atfork_child);
	if (syscall(__NR_membarrier, HK_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
		hk_membarrier_ok = 1;
}
