/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab userspace harness: a tiny test runner.  Each TEST() runs in
 * a forked child with a freshly loaded module (hk_module_init()), and is
 * followed by module unload and leak checks: no page, percpu byte, kmalloc
 * block or debugfs entry may survive, LeakSanitizer (ASan builds) must find
 * no lost heap block, and no unexpected pr_err/WARN may have been printed.
 * There is no way to opt out of the leak checks.
 */
#ifndef _HK_TEST_H
#define _HK_TEST_H

#include "hk/kernel.h"
#include "hakmem_internal.h"

struct hk_test {
	const char *name;
	void (*fn)(void);
	unsigned int flags;
};
#define HK_T_NOINIT	1	/* the test loads the module itself */
#define HK_T_GATE	4	/* a deliberately broken test that the runner must
				 * report as FAIL; run only by --gate (see gate.c) */

void hk_test_register(const char *name, void (*fn)(void), unsigned int flags);
void hk_test_fail(const char *file, int line, const char *what);
/* pr_err (any number) is expected from now on; a WARN still fails the test */
void hk_expect_errors(void);
/* exactly @n more WARNs are expected in this test (cumulative) */
void hk_expect_warns(unsigned int n);
extern unsigned long hk_test_checks;
bool hk_log_contains(const char *s);
void hk_log_clear(void);

#define TEST_FLAGS(name, flags)							\
	static void name(void);							\
	__attribute__((constructor)) static void __reg_##name(void)		\
	{ hk_test_register(#name, name, flags); }				\
	static void name(void)
#define TEST(name)	TEST_FLAGS(name, 0)

#define CHECK(cond) do { hk_test_checks++;					\
	if (!(cond)) hk_test_fail(__FILE__, __LINE__, #cond); } while (0)
#define CHECK_EQ(a, b) do { long long __a = (long long)(a), __b = (long long)(b);	\
	hk_test_checks++;							\
	if (__a != __b) { char __m[256];					\
		snprintf(__m, sizeof(__m), "%s == %s (%lld != %lld)", #a, #b, __a, __b); \
		hk_test_fail(__FILE__, __LINE__, __m); } } while (0)
/* Fatal: stop this test (the child exits). */
#define REQUIRE(cond) do { hk_test_checks++;					\
	if (!(cond)) { hk_test_fail(__FILE__, __LINE__, #cond); exit(1); } } while (0)

/* helpers over the allocator internals */
unsigned long hk_cache_pages(struct hakmem_cache *s);
unsigned long hk_cache_ss(struct hakmem_cache *s);
unsigned long hk_cache_inuse(struct hakmem_cache *s);
struct hakmem_slab *hk_slab_of(void *obj);
void **hk_hold_first_superslab(struct hakmem_cache *s, unsigned int *nr);
void hk_release_first_superslab(struct hakmem_cache *s, void **held, unsigned int nr);

#endif
