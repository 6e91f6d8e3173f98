// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness: deliberately broken tests.  Each one
 * breaks one rule the runner enforces, and run-checks.sh asserts that the
 * runner reports it as FAIL for that reason: the gate is tested too.  They
 * run only with --gate and are never listed.
 */
#include "hk_test.h"

/* A heap block lost by the test: only LeakSanitizer sees it (ASan build). */
TEST_FLAGS(gate_leak_heap_block, HK_T_GATE)
{
	char *volatile p = malloc(96);

	REQUIRE(p);
	memset(p, 0x5a, 96);
	p = NULL;
}

/* kmalloc'ed memory never freed: the runner's kmalloc count sees it. */
TEST_FLAGS(gate_leak_kmalloc, HK_T_GATE)
{
	void *volatile p = kmalloc(200, GFP_KERNEL);

	REQUIRE(p);
	p = NULL;
}

/* Pages never given back: the page allocator's count sees them. */
TEST_FLAGS(gate_leak_pages, HK_T_GATE)
{
	struct page *volatile pg = alloc_pages(GFP_KERNEL, 1);

	REQUIRE(pg);
	pg = NULL;
}

/* A WARN while pr_err are announced: pr_err only are excused. */
TEST_FLAGS(gate_warn_while_errors_expected, HK_T_GATE)
{
	hk_expect_errors();
	pr_err("gate: an announced error\n");
	WARN_ON(true);
}

/* A test that announced a WARN and printed none. */
TEST_FLAGS(gate_expected_warn_missing, HK_T_GATE)
{
	hk_expect_warns(1);
}
