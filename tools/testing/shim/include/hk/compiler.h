/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab userspace harness: types, compiler attributes, barriers,
 * READ_ONCE and friends, errors, WARN/BUG, printk.
 *
 * Everything here is written for this harness; it follows the kernel's
 * documented semantics, not its code.
 */
#ifndef _HK_COMPILER_H
#define _HK_COMPILER_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "hk/config.h"

/* ---- types ------------------------------------------------------------ */
/* As the kernel's asm-generic/int-ll64.h: u64 is unsigned long long. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
typedef s32 __s32;
typedef s64 __s64;
typedef unsigned int gfp_t;
typedef unsigned int slab_flags_t;
typedef u64 phys_addr_t;
typedef unsigned long pgoff_t;
typedef unsigned short umode_t;

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { s64 counter; } atomic64_t;

#define BITS_PER_LONG		64
#define BITS_PER_BYTE		8
#define BITS_PER_TYPE(t)	(sizeof(t) * BITS_PER_BYTE)

/* ---- attributes -------------------------------------------------------- */
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define noinline		__attribute__((__noinline__))
#define __noinline		noinline
#define __cold			__attribute__((__cold__))
#define __hot			__attribute__((__hot__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#ifndef __packed
#define __packed		__attribute__((__packed__))
#endif
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __noreturn		__attribute__((__noreturn__))
#define __weak			__attribute__((__weak__))
#define __section(s)		__attribute__((__section__(s)))
#define __pure			__attribute__((__pure__))
#ifndef __attribute_const__
#define __attribute_const__	__attribute__((__const__))
#endif
#define __malloc		__attribute__((__malloc__))
#define __percpu
#define __rcu
#define __iomem
#ifndef __user
#define __user
#endif
#define __kernel
#ifndef __force
#define __force
#endif
#ifndef __bitwise
#define __bitwise
#endif
#define __safe
#define __private
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __cond_acquires(x)
#define __read_mostly
#define __ro_after_init
#define __init
#define __exit
#define __initdata
#define __initconst
#define __exitdata
#define __ref
#define __refdata
#define __meminit
#define notrace
#define noinstr
#define __no_kcsan
#define __no_sanitize_address
#define __randomize_layout
#define __designated_init
#define __counted_by(m)
#define __nocfi
#define __flatten		__attribute__((__flatten__))
#define __alloc_size(...)
#define __realloc_size(...)
#define __assume_aligned(...)
#define __nonstring
#define __latent_entropy
#define __visible
#define asmlinkage
#define fallthrough		__attribute__((__fallthrough__))
#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)
#define __PASTE_1(a, b)		a##b
#define __PASTE(a, b)		__PASTE_1(a, b)
#define __UNIQUE_ID(p)		__PASTE(__PASTE(__hk_uid_, p), __COUNTER__)
#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))
#define __is_constexpr(x)	__builtin_constant_p(x)
#define __must_be_array(a)	0
#define typeof_member(T, m)	typeof(((T *)0)->m)
#define sizeof_field(T, m)	sizeof(((T *)0)->m)
#define offsetofend(T, m)	(offsetof(T, m) + sizeof_field(T, m))

#ifndef KBUILD_MODNAME
#define KBUILD_MODNAME		"hakmem"
#endif

/* ---- IS_ENABLED(CONFIG_FOO): 1 when hk/config.h defines CONFIG_FOO 1 -- */
#define __hk_arg_placeholder_1			0,
#define __hk_take_second(ignored, val, ...)	val
#define __hk_is_defined(x)			___hk_is_defined(x)
#define ___hk_is_defined(val)			____hk_is_defined(__hk_arg_placeholder_##val)
#define ____hk_is_defined(arg1_or_junk)		__hk_take_second(arg1_or_junk 1, 0, 0)
#define IS_ENABLED(option)	(__hk_is_defined(option) || __hk_is_defined(option##_MODULE))
#define IS_BUILTIN(option)	__hk_is_defined(option)
#define IS_MODULE(option)	__hk_is_defined(option##_MODULE)
#define IS_REACHABLE(option)	IS_ENABLED(option)

/* ---- arithmetic helpers ------------------------------------------------ */
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define BIT_MASK(n)		(1UL << ((n) % BITS_PER_LONG))
#define BIT_WORD(n)		((n) / BITS_PER_LONG)
#define GENMASK(h, l)		(((~0UL) - (1UL << (l)) + 1) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l)	GENMASK(h, l)
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define DIV_ROUND_UP_ULL(n, d)	DIV_ROUND_UP((unsigned long long)(n), (d))
#define DIV_ROUND_CLOSEST(x, d)	(((x) + ((d) / 2)) / (d))
#define __ALIGN_MASK(x, m)	(((x) + (m)) & ~(m))
#define ALIGN(x, a)		__ALIGN_MASK(x, (typeof(x))(a) - 1)
#define ALIGN_DOWN(x, a)	((x) & ~((typeof(x))(a) - 1))
#define PTR_ALIGN(p, a)		((typeof(p))ALIGN((unsigned long)(p), (a)))
#define PTR_ALIGN_DOWN(p, a)	((typeof(p))ALIGN_DOWN((unsigned long)(p), (a)))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define round_up(x, y)		((((x) - 1) | ((typeof(x))(y) - 1)) + 1)
#define round_down(x, y)	((x) & ~((typeof(x))(y) - 1))
#define roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y)		((x) - ((x) % (y)))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define upper_32_bits(n)	((u32)(((u64)(n)) >> 32))
#define abs_diff(a, b)		((a) > (b) ? (a) - (b) : (b) - (a))

/*
 * The kernel's min()/max() type checks are compile-time rules the kernel
 * build already enforces (and 6.x accepts mixed non-negative constants);
 * here they only compute.
 */
#define min(x, y)	({ typeof(x) _hk_x = (x); typeof(y) _hk_y = (y); _hk_x < _hk_y ? _hk_x : _hk_y; })
#define max(x, y)	({ typeof(x) _hk_x = (x); typeof(y) _hk_y = (y); _hk_x > _hk_y ? _hk_x : _hk_y; })
#define min3(x, y, z)	min(min(x, y), z)
#define max3(x, y, z)	max(max(x, y), z)
#define min_t(t, x, y)	({ t _hk_x = (x); t _hk_y = (y); _hk_x < _hk_y ? _hk_x : _hk_y; })
#define max_t(t, x, y)	({ t _hk_x = (x); t _hk_y = (y); _hk_x > _hk_y ? _hk_x : _hk_y; })
#define umin(x, y)	min_t(unsigned long long, x, y)
#define umax(x, y)	max_t(unsigned long long, x, y)
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)
#define clamp_val(v, lo, hi)	clamp_t(typeof(v), v, lo, hi)
#define swap(a, b)	do { typeof(a) _hk_t = (a); (a) = (b); (b) = _hk_t; } while (0)

#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)(__mptr - offsetof(type, member))); })
#define container_of_const(ptr, type, member) container_of(ptr, type, member)

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
static inline size_t size_mul(size_t a, size_t b)
{
	size_t r;

	return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}
static inline size_t size_add(size_t a, size_t b)
{
	size_t r;

	return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}
#define array_size(a, b)	size_mul(a, b)
#define struct_size(p, member, count) \
	size_add(sizeof(*(p)), size_mul(sizeof(*(p)->member), count))
#define struct_size_t(type, member, count) \
	struct_size((type *)NULL, member, count)
#define flex_array_size(p, member, count) size_mul(sizeof(*(p)->member), count)

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")
#define BUILD_BUG_ON_MSG(cond, msg) _Static_assert(!(cond), msg)
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int:(-!!(e)); })))
#define BUILD_BUG_ON_NOT_POWER_OF_2(n) BUILD_BUG_ON((n) == 0 || (((n) & ((n) - 1)) != 0))
#define static_assert(expr, ...) _Static_assert(expr, #expr)

#define SZ_1K	0x400
#define SZ_2K	0x800
#define SZ_4K	0x1000
#define SZ_8K	0x2000
#define SZ_16K	0x4000
#define SZ_32K	0x8000
#define SZ_64K	0x10000
#define SZ_128K	0x20000
#define SZ_256K	0x40000
#define SZ_512K	0x80000
#define SZ_1M	0x100000
#define SZ_2M	0x200000
#define SZ_4M	0x400000
#define SZ_1G	0x40000000

/* ---- barriers and one-shot accesses ------------------------------------ */
/*
 * READ_ONCE/WRITE_ONCE are relaxed atomics: that is what the kernel means
 * by them (KCSAN treats them as marked accesses), so TSan must too.
 */
#define barrier()		__asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#if defined(__SANITIZE_THREAD__)
/*
 * data_race(): a read whose race is documented and harmless.  KCSAN does
 * not watch it; neither does TSan (its runtime's annotations).
 */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
#define data_race(expr)	({					\
	__typeof__(expr) __v;						\
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);			\
	__v = (expr);							\
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);			\
	__v;								\
})
#else
#define data_race(expr)		(expr)
#endif
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define mb()			smp_mb()
#define rmb()			smp_rmb()
#define wmb()			smp_wmb()
#define smp_mb__before_atomic()	smp_mb()
#define smp_mb__after_atomic()	smp_mb()
#define smp_mb__after_spinlock() smp_mb()
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_store_mb(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define smp_acquire__after_ctrl_dep() smp_rmb()
#define cpu_relax()		__builtin_ia32_pause()
#define prefetch(x)		__builtin_prefetch(x)
#define prefetchw(x)		__builtin_prefetch(x, 1)

/* ---- errors ------------------------------------------------------------ */
#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }
static inline void *ERR_CAST(const void *ptr) { return (void *)ptr; }
static inline int PTR_ERR_OR_ZERO(const void *ptr) { return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0; }
#ifndef ENOTSUPP
#define ENOTSUPP	524
#endif

/* ---- printk ------------------------------------------------------------ */
#define KERN_SOH	"\001"
#define KERN_EMERG	KERN_SOH "0"
#define KERN_ALERT	KERN_SOH "1"
#define KERN_CRIT	KERN_SOH "2"
#define KERN_ERR	KERN_SOH "3"
#define KERN_WARNING	KERN_SOH "4"
#define KERN_NOTICE	KERN_SOH "5"
#define KERN_INFO	KERN_SOH "6"
#define KERN_DEBUG	KERN_SOH "7"
#define KERN_DEFAULT	""
#define KERN_CONT	KERN_SOH "c"

/* Counters the tests read: messages at KERN_ERR or worse, WARNs, BUGs. */
extern unsigned long hk_nr_errors;
extern unsigned long hk_nr_warnings;
extern int hk_loglevel;		/* print messages with level < this; env HK_LOGLEVEL */

__printf(1, 2) int printk(const char *fmt, ...);
__printf(1, 0) int vprintk(const char *fmt, va_list ap);
void hk_warn(const char *file, int line, const char *cond);
__noreturn void hk_bug(const char *file, int line, const char *cond);
void dump_stack(void);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_emerg(fmt, ...)	printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)	printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)	printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warning		pr_warn
#define pr_notice(fmt, ...)	printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)	printk(KERN_CONT fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	({ if (0) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__); })
#define pr_devel		pr_debug
#define no_printk(fmt, ...)	({ if (0) printk(fmt, ##__VA_ARGS__); 0; })
#define __hk_once(stmt)		({ static bool __hk_done; bool __hk_first = !__atomic_exchange_n(&__hk_done, true, __ATOMIC_RELAXED); if (__hk_first) stmt; })
#define printk_once(fmt, ...)	__hk_once(printk(fmt, ##__VA_ARGS__))
#define pr_err_once(fmt, ...)	__hk_once(pr_err(fmt, ##__VA_ARGS__))
#define pr_warn_once(fmt, ...)	__hk_once(pr_warn(fmt, ##__VA_ARGS__))
#define pr_info_once(fmt, ...)	__hk_once(pr_info(fmt, ##__VA_ARGS__))
#define pr_notice_once(fmt, ...) __hk_once(pr_notice(fmt, ##__VA_ARGS__))
#define printk_ratelimited	printk
#define pr_err_ratelimited	pr_err
#define pr_warn_ratelimited	pr_warn
#define pr_info_ratelimited	pr_info
#define pr_notice_ratelimited	pr_notice
#define pr_debug_ratelimited	pr_debug
#define printk_ratelimit()	1

/* ---- WARN / BUG ---------------------------------------------------------- */
#define WARN_ON(cond) ({ bool __hk_c = !!(cond); \
	if (unlikely(__hk_c)) { hk_warn(__FILE__, __LINE__, #cond); } unlikely(__hk_c); })
#define WARN(cond, fmt, ...) ({ bool __hk_c = !!(cond); \
	if (unlikely(__hk_c)) { printk(KERN_WARNING fmt, ##__VA_ARGS__); \
		hk_warn(__FILE__, __LINE__, #cond); } unlikely(__hk_c); })
#define WARN_ON_ONCE(cond) ({ static bool __hk_w; bool __hk_c = !!(cond); \
	if (unlikely(__hk_c) && !__atomic_exchange_n(&__hk_w, true, __ATOMIC_RELAXED)) { \
		hk_warn(__FILE__, __LINE__, #cond); } unlikely(__hk_c); })
#define WARN_ONCE(cond, fmt, ...) ({ static bool __hk_w; bool __hk_c = !!(cond); \
	if (unlikely(__hk_c) && !__atomic_exchange_n(&__hk_w, true, __ATOMIC_RELAXED)) { \
		printk(KERN_WARNING fmt, ##__VA_ARGS__); hk_warn(__FILE__, __LINE__, #cond); } \
	unlikely(__hk_c); })
#define BUG()			hk_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond)		do { if (unlikely(cond)) hk_bug(__FILE__, __LINE__, #cond); } while (0)
/* CONFIG_DEBUG_VM is on in the harness: the VM_* checks are real. */
#define VM_BUG_ON(cond)		BUG_ON(cond)
#define VM_BUG_ON_PAGE(cond, page) BUG_ON(cond)
#define VM_WARN_ON(cond)	(void)WARN_ON(cond)
#define VM_WARN_ON_ONCE(cond)	(void)WARN_ON_ONCE(cond)
#define VM_WARN_ON_ONCE_PAGE(cond, page) (void)WARN_ON_ONCE(cond)
#define VM_WARN(cond, fmt, ...)	(void)WARN(cond, fmt, ##__VA_ARGS__)
#define add_taint(flag, lockdep)	do { } while (0)
#define panic(fmt, ...)		({ printk(KERN_EMERG "Kernel panic - " fmt, ##__VA_ARGS__); hk_bug(__FILE__, __LINE__, "panic"); })

#endif /* _HK_COMPILER_H */
