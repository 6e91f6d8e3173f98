/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab userspace harness: atomics, bit operations, bitmaps, lists,
 * log2, reciprocal division, random numbers, strings.
 */
#ifndef _HK_LIB_H
#define _HK_LIB_H

#include "hk/compiler.h"

/* ---- atomics ------------------------------------------------------------
 * Kernel rules: void RMW ops are unordered, value-returning ones are fully
 * ordered, _relaxed/_acquire/_release variants as named.
 */
#define ATOMIC_INIT(i)		{ (i) }
#define __HK_ATOMIC_OPS(pfx, T)							\
static inline T pfx##_read(const pfx##_t *v) { return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); } \
static inline T pfx##_read_acquire(const pfx##_t *v) { return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE); } \
static inline void pfx##_set(pfx##_t *v, T i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_set_release(pfx##_t *v, T i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELEASE); } \
static inline void pfx##_add(T i, pfx##_t *v) { __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_sub(T i, pfx##_t *v) { __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_inc(pfx##_t *v) { pfx##_add(1, v); }		\
static inline void pfx##_dec(pfx##_t *v) { pfx##_sub(1, v); }		\
static inline T pfx##_add_return(T i, pfx##_t *v) { return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline T pfx##_add_return_relaxed(T i, pfx##_t *v) { return __atomic_add_fetch(&v->counter, i, __ATOMIC_RELAXED); } \
static inline T pfx##_sub_return(T i, pfx##_t *v) { return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline T pfx##_fetch_add(T i, pfx##_t *v) { return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline T pfx##_fetch_sub(T i, pfx##_t *v) { return __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline T pfx##_fetch_or(T i, pfx##_t *v) { return __atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline T pfx##_fetch_and(T i, pfx##_t *v) { return __atomic_fetch_and(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline void pfx##_or(T i, pfx##_t *v) { __atomic_fetch_or(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_and(T i, pfx##_t *v) { __atomic_fetch_and(&v->counter, i, __ATOMIC_RELAXED); } \
static inline T pfx##_inc_return(pfx##_t *v) { return pfx##_add_return(1, v); } \
static inline T pfx##_dec_return(pfx##_t *v) { return pfx##_sub_return(1, v); } \
static inline bool pfx##_dec_and_test(pfx##_t *v) { return pfx##_sub_return(1, v) == 0; } \
static inline bool pfx##_inc_and_test(pfx##_t *v) { return pfx##_add_return(1, v) == 0; } \
static inline bool pfx##_sub_and_test(T i, pfx##_t *v) { return pfx##_sub_return(i, v) == 0; } \
static inline T pfx##_xchg(pfx##_t *v, T n) { return __atomic_exchange_n(&v->counter, n, __ATOMIC_SEQ_CST); } \
static inline T pfx##_cmpxchg(pfx##_t *v, T o, T n) { __atomic_compare_exchange_n(&v->counter, &o, n, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); return o; } \
static inline bool pfx##_try_cmpxchg(pfx##_t *v, T *o, T n) { return __atomic_compare_exchange_n(&v->counter, o, n, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); } \
static inline bool pfx##_add_unless(pfx##_t *v, T a, T u) { T c = pfx##_read(v); do { if (c == u) return false; } while (!pfx##_try_cmpxchg(v, &c, c + a)); return true; } \
static inline bool pfx##_inc_not_zero(pfx##_t *v) { return pfx##_add_unless(v, 1, 0); }
__HK_ATOMIC_OPS(atomic, int)
__HK_ATOMIC_OPS(atomic_long, long)
__HK_ATOMIC_OPS(atomic64, s64)

#define xchg(p, n)		__atomic_exchange_n((p), (n), __ATOMIC_SEQ_CST)
#define xchg_relaxed(p, n)	__atomic_exchange_n((p), (n), __ATOMIC_RELAXED)
#define cmpxchg(p, o, n) ({ typeof(*(p)) __hk_o = (o);				\
	__atomic_compare_exchange_n((p), &__hk_o, (n), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
	__hk_o; })
#define cmpxchg_relaxed(p, o, n) ({ typeof(*(p)) __hk_o = (o);			\
	__atomic_compare_exchange_n((p), &__hk_o, (n), false, __ATOMIC_RELAXED, __ATOMIC_RELAXED); \
	__hk_o; })
#define cmpxchg_acquire(p, o, n) ({ typeof(*(p)) __hk_o = (o);			\
	__atomic_compare_exchange_n((p), &__hk_o, (n), false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE); \
	__hk_o; })
#define cmpxchg_release(p, o, n) ({ typeof(*(p)) __hk_o = (o);			\
	__atomic_compare_exchange_n((p), &__hk_o, (n), false, __ATOMIC_RELEASE, __ATOMIC_RELAXED); \
	__hk_o; })
#define try_cmpxchg(p, po, n) \
	__atomic_compare_exchange_n((p), (po), (n), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define try_cmpxchg_relaxed(p, po, n) \
	__atomic_compare_exchange_n((p), (po), (n), false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#define cmpxchg_local(p, o, n)	cmpxchg(p, o, n)
#define cmpxchg64(p, o, n)	cmpxchg(p, o, n)

typedef struct { atomic_t refs; } refcount_t;
#define REFCOUNT_INIT(n)	{ .refs = ATOMIC_INIT(n) }
static inline void refcount_set(refcount_t *r, int n) { atomic_set(&r->refs, n); }
static inline unsigned int refcount_read(const refcount_t *r) { return atomic_read(&r->refs); }
static inline void refcount_inc(refcount_t *r) { atomic_inc(&r->refs); }
static inline bool refcount_dec_and_test(refcount_t *r) { return atomic_dec_and_test(&r->refs); }
static inline bool refcount_inc_not_zero(refcount_t *r) { return atomic_inc_not_zero(&r->refs); }

/* ---- bit operations ---------------------------------------------------- */
static inline unsigned long __ffs(unsigned long w) { return __builtin_ctzl(w); }
static inline unsigned long ffz(unsigned long w) { return __builtin_ctzl(~w); }
static inline unsigned long __fls(unsigned long w) { return BITS_PER_LONG - 1 - __builtin_clzl(w); }
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline int fls_long(unsigned long x) { return fls64(x); }
#define ffs(x)			__builtin_ffs(x)
#define hweight8(w)		__builtin_popcount((u8)(w))
#define hweight16(w)		__builtin_popcount((u16)(w))
#define hweight32(w)		__builtin_popcount((u32)(w))
#define hweight64(w)		__builtin_popcountll((u64)(w))
#define hweight_long(w)		__builtin_popcountl((unsigned long)(w))

/* Atomic bit ops (set_bit & co) are unordered RMWs; test_bit is a marked read. */
static inline void set_bit(long nr, volatile unsigned long *addr)
{ __atomic_fetch_or((unsigned long *)addr + BIT_WORD(nr), BIT_MASK(nr), __ATOMIC_RELAXED); }
static inline void clear_bit(long nr, volatile unsigned long *addr)
{ __atomic_fetch_and((unsigned long *)addr + BIT_WORD(nr), ~BIT_MASK(nr), __ATOMIC_RELAXED); }
static inline void change_bit(long nr, volatile unsigned long *addr)
{ __atomic_fetch_xor((unsigned long *)addr + BIT_WORD(nr), BIT_MASK(nr), __ATOMIC_RELAXED); }
static inline bool test_and_set_bit(long nr, volatile unsigned long *addr)
{ return __atomic_fetch_or((unsigned long *)addr + BIT_WORD(nr), BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr); }
static inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{ return __atomic_fetch_and((unsigned long *)addr + BIT_WORD(nr), ~BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr); }
static inline bool test_and_set_bit_lock(long nr, volatile unsigned long *addr)
{ return __atomic_fetch_or((unsigned long *)addr + BIT_WORD(nr), BIT_MASK(nr), __ATOMIC_ACQUIRE) & BIT_MASK(nr); }
static inline void clear_bit_unlock(long nr, volatile unsigned long *addr)
{ __atomic_fetch_and((unsigned long *)addr + BIT_WORD(nr), ~BIT_MASK(nr), __ATOMIC_RELEASE); }
static inline bool test_bit(long nr, const volatile unsigned long *addr)
{ return (__atomic_load_n((const unsigned long *)addr + BIT_WORD(nr), __ATOMIC_RELAXED) >> (nr & (BITS_PER_LONG - 1))) & 1; }
static inline bool test_bit_acquire(long nr, const volatile unsigned long *addr)
{ return (__atomic_load_n((const unsigned long *)addr + BIT_WORD(nr), __ATOMIC_ACQUIRE) >> (nr & (BITS_PER_LONG - 1))) & 1; }
/* Non-atomic ones are plain accesses: a concurrent user is a race. */
static inline void __set_bit(long nr, volatile unsigned long *addr)
{ ((unsigned long *)addr)[BIT_WORD(nr)] |= BIT_MASK(nr); }
static inline void __clear_bit(long nr, volatile unsigned long *addr)
{ ((unsigned long *)addr)[BIT_WORD(nr)] &= ~BIT_MASK(nr); }
static inline void __change_bit(long nr, volatile unsigned long *addr)
{ ((unsigned long *)addr)[BIT_WORD(nr)] ^= BIT_MASK(nr); }
static inline bool __test_and_set_bit(long nr, volatile unsigned long *addr)
{ unsigned long *p = (unsigned long *)addr + BIT_WORD(nr); bool o = *p & BIT_MASK(nr); *p |= BIT_MASK(nr); return o; }
static inline bool __test_and_clear_bit(long nr, volatile unsigned long *addr)
{ unsigned long *p = (unsigned long *)addr + BIT_WORD(nr); bool o = *p & BIT_MASK(nr); *p &= ~BIT_MASK(nr); return o; }

/* ---- bitmaps ----------------------------------------------------------- */
#define BITS_TO_LONGS(n)	DIV_ROUND_UP(n, BITS_PER_LONG)
#define BITS_TO_U32(n)		DIV_ROUND_UP(n, 32)
#define BITS_TO_BYTES(n)	DIV_ROUND_UP(n, 8)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
#define BITMAP_FIRST_WORD_MASK(start)	(~0UL << ((start) & (BITS_PER_LONG - 1)))
#define BITMAP_LAST_WORD_MASK(nbits)	(~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))

unsigned long hk_find_next_bit(const unsigned long *addr, unsigned long size,
			       unsigned long start, unsigned long invert);
#define find_next_bit(a, s, o)		hk_find_next_bit(a, s, o, 0)
#define find_next_zero_bit(a, s, o)	hk_find_next_bit(a, s, o, ~0UL)
#define find_first_bit(a, s)		hk_find_next_bit(a, s, 0, 0)
#define find_first_zero_bit(a, s)	hk_find_next_bit(a, s, 0, ~0UL)
unsigned long find_last_bit(const unsigned long *addr, unsigned long size);
#define for_each_set_bit(bit, addr, size) \
	for ((bit) = 0; (bit) = find_next_bit((addr), (size), (bit)), (bit) < (size); (bit)++)
#define for_each_clear_bit(bit, addr, size) \
	for ((bit) = 0; (bit) = find_next_zero_bit((addr), (size), (bit)), (bit) < (size); (bit)++)
#define for_each_set_bit_from(bit, addr, size) \
	for (; (bit) = find_next_bit((addr), (size), (bit)), (bit) < (size); (bit)++)

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{ memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(long)); }
static inline void bitmap_fill(unsigned long *dst, unsigned int nbits)
{ memset(dst, 0xff, BITS_TO_LONGS(nbits) * sizeof(long)); }
static inline void bitmap_copy(unsigned long *dst, const unsigned long *src, unsigned int nbits)
{ memcpy(dst, src, BITS_TO_LONGS(nbits) * sizeof(long)); }
unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits);
bool bitmap_empty(const unsigned long *src, unsigned int nbits);
bool bitmap_full(const unsigned long *src, unsigned int nbits);
bool bitmap_equal(const unsigned long *a, const unsigned long *b, unsigned int nbits);
bool bitmap_intersects(const unsigned long *a, const unsigned long *b, unsigned int nbits);
void bitmap_set(unsigned long *map, unsigned int start, unsigned int len);
void bitmap_clear(unsigned long *map, unsigned int start, unsigned int len);
void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int nbits);
bool bitmap_and(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int nbits);
bool bitmap_andnot(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int nbits);
void bitmap_complement(unsigned long *dst, const unsigned long *src, unsigned int nbits);
unsigned long *bitmap_alloc(unsigned int nbits, gfp_t flags);
unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t flags);
void bitmap_free(const unsigned long *bitmap);

/* ---- log2 -------------------------------------------------------------- */
static inline bool is_power_of_2(unsigned long n) { return n != 0 && ((n & (n - 1)) == 0); }
/* An integer constant expression for constants (array bounds). */
#define ilog2(n)		((int)(63 - __builtin_clzll((unsigned long long)(n))))
static inline unsigned long roundup_pow_of_two(unsigned long n)
{ return n <= 1 ? 1 : 1UL << fls_long(n - 1); }
static inline unsigned long rounddown_pow_of_two(unsigned long n)
{ return 1UL << (fls_long(n) - 1); }
#define order_base_2(n)		((n) > 1 ? ilog2((n) - 1) + 1 : 0)
static inline int get_count_order(unsigned int count)
{ return count == 0 ? -1 : fls(--count); }
static inline int get_count_order_long(unsigned long l)
{ return l == 0 ? -1 : fls_long(--l); }

/* ---- reciprocal division ------------------------------------------------
 * a / d for a fixed d as a multiply and shifts (Granlund & Montgomery,
 * "Division by invariant integers using multiplication", 1994).
 */
struct reciprocal_value {
	u32 m;
	u8 sh1, sh2;
};
struct reciprocal_value reciprocal_value(u32 d);
static inline u32 reciprocal_divide(u32 a, struct reciprocal_value R)
{
	u32 t = (u32)(((u64)a * R.m) >> 32);

	return (t + ((a - t) >> R.sh1)) >> R.sh2;
}
struct reciprocal_value_adv {
	u32 m;
	u8 sh, exp;
	bool is_wide_m;
};

/* ---- random ------------------------------------------------------------ */
u64 get_random_u64(void);
static inline u32 get_random_u32(void) { return (u32)get_random_u64(); }
static inline u16 get_random_u16(void) { return (u16)get_random_u64(); }
static inline u8 get_random_u8(void) { return (u8)get_random_u64(); }
static inline unsigned long get_random_long(void) { return get_random_u64(); }
static inline int get_random_int(void) { return (int)get_random_u32(); }
static inline u32 get_random_u32_below(u32 ceil)
{ return ceil ? (u32)(((u64)get_random_u32() * ceil) >> 32) : 0; }
static inline u32 get_random_u32_inclusive(u32 floor, u32 ceil)
{ return floor + get_random_u32_below(ceil - floor + 1); }
#define prandom_u32_max(c)	get_random_u32_below(c)
void get_random_bytes(void *buf, size_t len);
void hk_random_seed(u64 seed);

/* ---- strings ----------------------------------------------------------- */
ssize_t strscpy(char *dst, const char *src, size_t count);
#define strscpy_pad(d, s, c)	({ memset(d, 0, c); strscpy(d, s, c); })
__printf(3, 4) int scnprintf(char *buf, size_t size, const char *fmt, ...);
__printf(3, 0) int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap);
static inline bool mem_is_zero(const void *s, size_t n)
{ const u8 *p = s; while (n--) if (*p++) return false; return true; }
void *memchr_inv(const void *s, int c, size_t n);

#endif /* _HK_LIB_H */
