// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_sanitizers: KASAN sees hakmem objects as it sees slab objects.
 *
 * Each bug class is made once through a dedicated cache and once through
 * hakmem_alloc(), and must produce exactly one KASAN report; each legal
 * pattern must produce none.  Reports are counted by a probe on the
 * console tracepoint.  The bad accesses run in a kthread of their own:
 * a KASAN report inside the KUnit thread fails the case (only KASAN's own
 * test suite may expect reports there), and a module cannot say it is one.
 *
 * Each provoked report is bracketed for the console scanner with
 * "hakmem-expect: begin-kasan N label" ... "hakmem-expect: end label", so
 * that the scanner accepts exactly those and nothing else.  Boot with kasan_multi_shot, or
 * the first report ends reporting (and panic_on_warn the guest).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/printk.h>

#include "hakmem_internal.h"

/* Bytes of the objects the cases allocate: not a multiple of 8 on purpose. */
#define HK_SAN_SIZE	100
/* Allocations between a free and the stale access of the reuse case. */
#define HK_SAN_REUSE	64

static atomic_t hk_san_reports;
static char hk_san_last[128];
static DEFINE_SPINLOCK(hk_san_lock);

/* Every printk line passes here; count the first line of each report. */
static void hk_san_console(void *data, const char *text, size_t len)
{
	const char *bug = strnstr(text, "BUG: KASAN: ", len);
	unsigned long flags;

	if (!bug)
		return;
	spin_lock_irqsave(&hk_san_lock, flags);
	strscpy(hk_san_last, bug, min_t(size_t, sizeof(hk_san_last),
					len - (bug - text) + 1));
	spin_unlock_irqrestore(&hk_san_lock, flags);
	atomic_inc(&hk_san_reports);
}

struct hk_san_job {
	void (*fn)(u8 *p, size_t n);
	u8 *p;
	size_t n;
	struct completion done;
};

static int hk_san_thread(void *arg)
{
	struct hk_san_job *job = arg;

	job->fn(job->p, job->n);
	complete(&job->done);
	return 0;
}

/*
 * Run @fn(@p, @n) in a kthread; return how many KASAN reports it caused.
 * @expect is announced to the console scanner first.
 */
static unsigned int hk_san_run(struct kunit *test, const char *label,
			       unsigned int expect, void (*fn)(u8 *p, size_t n),
			       void *p, size_t n)
{
	struct hk_san_job job = { .fn = fn, .p = p, .n = n };
	struct task_struct *t;
	int before;

	init_completion(&job.done);
	if (expect)
		pr_info("hakmem-expect: begin-kasan %u %s\n", expect, label);
	before = atomic_read(&hk_san_reports);
	t = kthread_run(hk_san_thread, &job, "hk_san");
	if (!IS_ERR(t))
		wait_for_completion(&job.done);
	if (expect)
		pr_info("hakmem-expect: end %s\n", label);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	return atomic_read(&hk_san_reports) - before;
}

/* Expect one report of @type (e.g. "slab-use-after-free"). */
static void hk_san_expect_one(struct kunit *test, const char *label,
			      const char *type, void (*fn)(u8 *p, size_t n),
			      void *p, size_t n)
{
	unsigned int got = hk_san_run(test, label, 1, fn, p, n);
	unsigned long flags;
	char last[sizeof(hk_san_last)];

	KUNIT_EXPECT_EQ_MSG(test, got, 1U, "%s: KASAN reports", label);
	spin_lock_irqsave(&hk_san_lock, flags);
	memcpy(last, hk_san_last, sizeof(last));
	spin_unlock_irqrestore(&hk_san_lock, flags);
	if (got == 1)
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(last, type),
					  "%s: report \"%s\", wanted %s",
					  label, last, type);
}

static void hk_san_expect_none(struct kunit *test, const char *label,
			       void (*fn)(u8 *p, size_t n), void *p, size_t n)
{
	KUNIT_EXPECT_EQ_MSG(test, hk_san_run(test, label, 0, fn, p, n), 0U,
			    "%s: KASAN reported a legal access", label);
}

/* The accesses, out of line and marked so that each one happens. */
static noinline void hk_san_read_at(u8 *p, size_t n)
{
	OPTIMIZER_HIDE_VAR(p);
	(void)READ_ONCE(p[n]);
}

static noinline void hk_san_write_at(u8 *p, size_t n)
{
	OPTIMIZER_HIDE_VAR(p);
	WRITE_ONCE(p[n], 0x5a);
}

static noinline void hk_san_read_rcu(u8 *p, size_t n)
{
	rcu_read_lock();
	hk_san_read_at(p, n);
	rcu_read_unlock();
}

static noinline void hk_san_use_all(u8 *p, size_t n)
{
	size_t i;

	OPTIMIZER_HIDE_VAR(p);
	for (i = 0; i < n; i++)
		WRITE_ONCE(p[i], READ_ONCE(p[i]) + 1);
}

/* --- the two faces ------------------------------------------------------ */

struct hk_san_face {
	const char *desc;
	bool tiny;
};

static const struct hk_san_face hk_san_faces[] = {
	{ .desc = "cache", .tiny = false },
	{ .desc = "tiny", .tiny = true },
};

static void hk_san_face_desc(const struct hk_san_face *f, char *desc)
{
	strscpy(desc, f->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hk_san_faces, hk_san_faces, hk_san_face_desc);

struct hk_san_ctx {
	struct hakmem_cache *cache;
	bool tiny;
};

static int hk_san_init(struct kunit *test)
{
	const struct hk_san_face *f = test->param_value;
	struct hk_san_ctx *ctx;

	if (!IS_ENABLED(CONFIG_KASAN_GENERIC))
		kunit_skip(test, "this kernel has no generic KASAN");
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	if (!f)
		return 0;
	ctx->tiny = f->tiny;
	if (!f->tiny) {
		ctx->cache = hakmem_cache_create("hk-san", HK_SAN_SIZE, 0, 0, NULL);
		KUNIT_ASSERT_NOT_NULL(test, ctx->cache);
	}
	return 0;
}

static void hk_san_exit(struct kunit *test)
{
	struct hk_san_ctx *ctx = test->priv;

	if (ctx && ctx->cache)
		hakmem_cache_destroy(ctx->cache);
}

static u8 *hk_san_alloc(struct kunit *test)
{
	struct hk_san_ctx *ctx = test->priv;
	u8 *p;

	if (ctx->tiny)
		p = hakmem_alloc(HK_SAN_SIZE, GFP_KERNEL);
	else
		p = hakmem_cache_alloc(ctx->cache, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

static void hk_san_free(struct kunit *test, u8 *p)
{
	struct hk_san_ctx *ctx = test->priv;

	if (ctx->tiny)
		hakmem_free(p);
	else
		hakmem_cache_free(ctx->cache, p);
}

static void hk_san_label(struct kunit *test, char *buf, size_t len)
{
	const struct hk_san_face *f = test->param_value;

	snprintf(buf, len, "%s/%s", test->name, f ? f->desc : "-");
}

/* --- each bug class is reported --------------------------------------- */

static void hakmem_san_oob_read(struct kunit *test)
{
	u8 *p = hk_san_alloc(test);
	char label[64];

	hk_san_label(test, label, sizeof(label));
	/* hakmem_alloc(100) is served by the 128-byte class: 100 is the end. */
	hk_san_expect_one(test, label, "slab-out-of-bounds", hk_san_read_at,
			  p, HK_SAN_SIZE);
	hk_san_free(test, p);
}

static void hakmem_san_oob_write(struct kunit *test)
{
	u8 *p = hk_san_alloc(test);
	char label[64];

	hk_san_label(test, label, sizeof(label));
	hk_san_expect_one(test, label, "slab-out-of-bounds", hk_san_write_at,
			  p, HK_SAN_SIZE + 3);
	hk_san_free(test, p);
}

static void hakmem_san_uaf_read(struct kunit *test)
{
	u8 *p = hk_san_alloc(test);
	char label[64];

	hk_san_label(test, label, sizeof(label));
	hk_san_free(test, p);
	hk_san_expect_one(test, label, "use-after-free", hk_san_read_at,
			  p, HK_SAN_SIZE / 2);
}

static void hakmem_san_uaf_write(struct kunit *test)
{
	u8 *p = hk_san_alloc(test);
	char label[64];

	hk_san_label(test, label, sizeof(label));
	hk_san_free(test, p);
	hk_san_expect_one(test, label, "use-after-free", hk_san_write_at,
			  p, HK_SAN_SIZE - 1);
}

/* A freed object waits in quarantine: still caught after more allocations. */
static void hakmem_san_uaf_after_reuse(struct kunit *test)
{
	u8 *more[HK_SAN_REUSE];
	u8 *p = hk_san_alloc(test);
	char label[64];
	int i;

	hk_san_label(test, label, sizeof(label));
	hk_san_free(test, p);
	for (i = 0; i < HK_SAN_REUSE; i++) {
		more[i] = hk_san_alloc(test);
		KUNIT_EXPECT_PTR_NE(test, more[i], p);
	}
	hk_san_expect_one(test, label, "use-after-free", hk_san_read_at,
			  p, 16);
	for (i = 0; i < HK_SAN_REUSE; i++)
		hk_san_free(test, more[i]);
}

/* --- legal patterns are not -------------------------------------------- */

static void hakmem_san_in_bounds(struct kunit *test)
{
	u8 *p = hk_san_alloc(test);
	char label[64];

	hk_san_label(test, label, sizeof(label));
	hk_san_expect_none(test, label, hk_san_use_all, p, HK_SAN_SIZE);
	hk_san_expect_none(test, label, hk_san_write_at, p, HK_SAN_SIZE - 1);
	hk_san_free(test, p);
	/* The next object out is usable to its last byte. */
	p = hk_san_alloc(test);
	hk_san_expect_none(test, label, hk_san_use_all, p, HK_SAN_SIZE);
	hk_san_free(test, p);
}

/* hakmem_ksize() makes all of what it returns usable, as ksize() does. */
static void hakmem_san_ksize(struct kunit *test)
{
	u8 *p = hk_san_alloc(test);
	char label[64];
	size_t n;

	hk_san_label(test, label, sizeof(label));
	n = hakmem_ksize(p);
	KUNIT_EXPECT_GE(test, n, (size_t)HK_SAN_SIZE);
	hk_san_expect_none(test, label, hk_san_use_all, p, n);
	hk_san_free(test, p);
}

/* Bulk calls and hakmem's own work on free objects report nothing. */
static void hakmem_san_bulk_and_shrink(struct kunit *test)
{
	struct hakmem_cache *s;
	void *objs[64];
	char label[64];
	int i;

	hk_san_label(test, label, sizeof(label));
	s = hakmem_cache_create("hk-san-bulk", HK_SAN_SIZE, 0, 0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, hakmem_cache_alloc_bulk(s, GFP_KERNEL, 64, objs), 64);
	for (i = 0; i < 64; i++)
		hk_san_expect_none(test, label, hk_san_use_all, objs[i], HK_SAN_SIZE);
	hakmem_cache_free_bulk(s, 64, objs);
	hakmem_cache_shrink(s);
	hakmem_cache_destroy(s);
}

/* SLAB_TYPESAFE_BY_RCU objects stay readable after free. */
static void hakmem_san_rcu_typesafe(struct kunit *test)
{
	struct hakmem_cache *s;
	char label[64];
	u8 *p;

	hk_san_label(test, label, sizeof(label));
	s = hakmem_cache_create("hk-san-rcu", HK_SAN_SIZE, 0,
				SLAB_TYPESAFE_BY_RCU, NULL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	p = hakmem_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* A reader may still look at it: no grace period has passed. */
	hakmem_cache_free(s, p);
	hk_san_expect_none(test, label, hk_san_read_rcu, p, HK_SAN_SIZE - 1);
	hakmem_cache_destroy(s);
}

/* A constructor's state survives, and hakmem writing it reports nothing. */
static void hk_san_ctor(void *obj)
{
	memset(obj, 0xc7, HK_SAN_SIZE);
}

static void hakmem_san_ctor(struct kunit *test)
{
	struct hakmem_cache *s;
	char label[64];
	u8 *p;

	hk_san_label(test, label, sizeof(label));
	s = hakmem_cache_create("hk-san-ctor", HK_SAN_SIZE, 0, 0, hk_san_ctor);
	KUNIT_ASSERT_NOT_NULL(test, s);
	p = hakmem_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, p[HK_SAN_SIZE - 1], 0xc7);
	hakmem_cache_free(s, p);
	p = hakmem_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hk_san_expect_none(test, label, hk_san_read_at, p, HK_SAN_SIZE - 1);
	hakmem_cache_free(s, p);
	hakmem_cache_destroy(s);
}

static int hk_san_suite_init(struct kunit_suite *suite)
{
	return register_trace_console(hk_san_console, NULL);
}

static void hk_san_suite_exit(struct kunit_suite *suite)
{
	unregister_trace_console(hk_san_console, NULL);
	tracepoint_synchronize_unregister();
}

static struct kunit_case hakmem_sanitizers_cases[] = {
	KUNIT_CASE_PARAM(hakmem_san_oob_read, hk_san_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_san_oob_write, hk_san_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_san_uaf_read, hk_san_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_san_uaf_write, hk_san_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_san_uaf_after_reuse, hk_san_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_san_in_bounds, hk_san_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_san_ksize, hk_san_faces_gen_params),
	KUNIT_CASE(hakmem_san_bulk_and_shrink),
	KUNIT_CASE(hakmem_san_rcu_typesafe),
	KUNIT_CASE(hakmem_san_ctor),
	{}
};

static struct kunit_suite hakmem_sanitizers_suite = {
	.name = "hakmem_sanitizers",
	.suite_init = hk_san_suite_init,
	.suite_exit = hk_san_suite_exit,
	.init = hk_san_init,
	.exit = hk_san_exit,
	.test_cases = hakmem_sanitizers_cases,
};

kunit_test_suite(hakmem_sanitizers_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit: KASAN sees hakmem-slab objects");
MODULE_IMPORT_NS(HAKMEM_NS);
MODULE_IMPORT_NS(HAKMEM_INTERNAL_NS);
