/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites of hakmem-slab share.
 *
 * hakmem_kunit.ko is linked from one file per suite (hakmem_layout_kunit.c,
 * hakmem_api_kunit.c, ...) and hakmem_test.c, which holds the helpers
 * declared here: the faces a case runs through (a dedicated cache or a
 * tiny class), their parameter generators, object patterns, counter and
 * slab snapshots.  A new suite is a new file that includes this header,
 * ends with kunit_test_suite() and is added to hakmem_kunit-y in
 * kunit/Kbuild (suites run in link order).
 *
 * Every parameter of a case in hakmem_kunit.ko is a struct hk_param; the
 * suites set .init = hk_case_init so that its description names the case
 * in hakmem-expect markers.
 *
 * The expectation helpers at the end are static inline so that a KUnit
 * module not linked with hakmem_test.o (hakmem_reliability_kunit.ko) uses
 * them too.
 */
#ifndef _HAKMEM_TEST_H
#define _HAKMEM_TEST_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/ratelimit_types.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/printk.h>

#include "hakmem_internal.h"

/* The byte a test constructor leaves at the start of each object. */
#define HK_CTOR_BYTE	0xc7

/* --- faces: a dedicated cache or a tiny class --------------------------- */

/**
 * struct hk_param - one way of allocating, a case parameter
 * @desc: name of the parameter, and of the dedicated cache; no spaces
 * @size: object size (tiny: the size passed to hakmem_alloc())
 * @align: alignment asked for
 * @flags: SLAB_* flags of the dedicated cache
 * @ctor: the dedicated cache has hk_ctor()
 * @tiny: allocate through hakmem_alloc() instead of a dedicated cache
 */
struct hk_param {
	const char *desc;
	unsigned int size;
	unsigned int align;
	slab_flags_t flags;
	bool ctor;
	bool tiny;
};

/**
 * struct hk_face - a face set up for one case
 * @p: its parameter
 * @cache: the dedicated cache, or the tiny class serving @size
 * @size: bytes the user may use
 * @tiny: as in @p
 */
struct hk_face {
	const struct hk_param *p;
	struct hakmem_cache *cache;
	unsigned int size;
	bool tiny;
};

/*
 * Parameter generators (KUNIT_CASE_PARAM): every face; a few, for the
 * slower cases; red-zone caches; poisoned caches.
 */
const void *hk_faces_gen_params(const void *prev, char *desc);
const void *hk_faces_short_gen_params(const void *prev, char *desc);
const void *hk_faces_redzone_gen_params(const void *prev, char *desc);
const void *hk_faces_poison_gen_params(const void *prev, char *desc);
/* For KUNIT_ARRAY_PARAM() over an array of struct hk_param. */
void hk_param_desc(const struct hk_param *p, char *desc);
int hk_case_init(struct kunit *test);

/* hk_ctor() calls since the last reset; it writes HK_CTOR_BYTE. */
extern atomic_long_t hk_ctor_calls;
void hk_ctor(void *obj);

struct hakmem_cache *hk_create(struct kunit *test, const char *name,
			       unsigned int size, unsigned int align,
			       slab_flags_t flags, bool ctor);
void hk_destroy_now(struct kunit *test, struct hakmem_cache *c);
struct hakmem_cache *hk_cache_of(const void *obj);
struct hakmem_cache *hk_tiny_cache(struct kunit *test, unsigned int size);
struct hk_face *hk_face_of(struct kunit *test, const struct hk_param *p);
struct hk_face *hk_face(struct kunit *test);
void *hk_alloc(struct hk_face *f, gfp_t gfp);
void *hk_alloc_node(struct hk_face *f, gfp_t gfp, int nid);
void hk_free(struct hk_face *f, void *obj);
int hk_pin(struct kunit *test);
int hk_pin_to(struct kunit *test, int cpu);
int hk_pin_home_has_pages(struct kunit *test);
bool hk_node_has_free_page(int nid);
bool hk_node_marked(struct hakmem_cache *c, int nid);
bool hk_kept_here(const void *obj);
int hk_hotplug_cpu(struct kunit *test);
long hk_magazine_fill(void *arg);

/* --- patterns: derived from the address and size ----------------------- */

void hk_fill(void *obj, size_t size);
bool hk_check(const void *obj, size_t size);

/* --- counters ------------------------------------------------------------ */

struct hk_stats {
	unsigned long v[HAKMEM_NR_STAT_ITEMS];
};

void hk_stats_read(struct hakmem_cache *c, struct hk_stats *s);

static inline long hk_delta(const struct hk_stats *a, const struct hk_stats *b,
			    enum hakmem_stat_item item)
{
	return b->v[item] - a->v[item];
}

static inline long hk_allocs(const struct hk_stats *a, const struct hk_stats *b)
{
	return hk_delta(a, b, HAKMEM_ALLOC_HIT) + hk_delta(a, b, HAKMEM_ALLOC_MISS);
}

static inline long hk_frees(const struct hk_stats *a, const struct hk_stats *b)
{
	return hk_delta(a, b, HAKMEM_FREE_HIT) + hk_delta(a, b, HAKMEM_FREE_MISS);
}

struct hk_node_snap {
	unsigned long nr_ss;
	unsigned long nr_pages;
	unsigned long nr_slabs;
	unsigned long nr_free_slabs;
	unsigned long nr_partial;
	unsigned long nr_empty;
	unsigned long nr_inuse;
};

void hk_node_read(struct hakmem_cache *c, int nid, struct hk_node_snap *s);
void hk_expect_all_returned(struct kunit *test, struct hakmem_cache *c);
unsigned long hk_inuse(struct hakmem_cache *c);
unsigned long hk_drained_inuse(struct hakmem_cache *c);
unsigned long hk_objs_made(struct hakmem_cache *c);

/* --- where an object sits ------------------------------------------------ */

/**
 * struct hk_slab_info - where an object sits, read under the node lock
 * @ss: its SuperSlab
 * @slab: its slab
 * @idx: its index in the slab
 * @state: the slab's state
 * @inits: the slab's init count
 */
struct hk_slab_info {
	struct hakmem_superslab *ss;
	struct hakmem_slab *slab;
	int idx;
	u8 state;
	unsigned int inits;
};

bool hk_locate(struct hakmem_cache *c, const void *obj, struct hk_slab_info *si);
void hk_slab_read(struct hakmem_cache *c, struct hk_slab_info *si);
void hk_check_obj(struct kunit *test, struct hakmem_cache *c, void *obj,
		  struct hk_slab_info *si);

/* --- a vector of live objects, freed by the cleanup if a case bails ----- */

struct hk_vec {
	struct hk_face *f;
	unsigned int nr;
	unsigned int max;
	void **objs;
};

struct hk_vec *hk_vec_new(struct kunit *test, struct hk_face *f, unsigned int max);
void *hk_vec_alloc(struct kunit *test, struct hk_vec *v, gfp_t gfp);
void hk_vec_free(struct hk_vec *v, unsigned int i);
void hk_vec_free_all(struct hk_vec *v);
struct hk_vec *hk_fill_one_slab(struct kunit *test, struct hk_face *f,
				struct hk_slab_info *first);
void *hk_alloc_back(struct kunit *test, struct hk_face *f, const void *obj,
		    gfp_t gfp);

/* --- expected hakmem messages (the console "expectation" protocol) ------ */

/*
 * A case that makes hakmem print error or warning lines on purpose
 * announces them on the console, so that the console scanner fails a run
 * on any it was not told of:
 *
 *	hakmem-expect: begin <n> <label>
 *	... exactly n lines "hakmem: ..." ...
 *	hakmem-expect: end <label>
 *
 * <label> is the case name, then "." and the parameter's description for
 * a parametrized case (test->priv, set by hk_case_init()).
 *
 * hakmem's pr_*_ratelimited() call sites (a refused free, a double free
 * caught at its slab, out of memory) print at most HK_RATELIMIT_BURST
 * lines per HK_RATELIMIT_INTERVAL each; beyond that lines are dropped and
 * n would be wrong.  hk_expect_begin() therefore waits until n more lines
 * fit in any interval, counting every line announced by this file as if
 * from one call site (and, the first time, as if a whole burst had just
 * been printed).  Lines from call sites that are not ratelimited (refused
 * creates, red zone and poison reports, destroy with live objects) need
 * no wait: hk_expect_begin_unlimited().
 *
 * When the kernel has tracepoints, hk_expect_end() also counts the
 * "hakmem: " lines printed in between (the console tracepoint) and fails
 * the case unless there were exactly n.
 */
#define HK_RATELIMIT_BURST	DEFAULT_RATELIMIT_BURST
#define HK_RATELIMIT_INTERVAL	DEFAULT_RATELIMIT_INTERVAL
#define HK_EXPECT_PREFIX	"hakmem: "

/**
 * struct hk_expect_state - the expectation of one file, one at a time
 * @when: jiffies at which each of the last HK_RATELIMIT_BURST ratelimited
 *        lines was over, oldest first
 * @primed: @when was filled once
 * @n: lines announced
 * @limited: how many of them come from ratelimited call sites
 * @seen: "hakmem: " lines the console tracepoint saw since the begin
 * @counting: the probe is registered
 */
struct hk_expect_state {
	unsigned long when[HK_RATELIMIT_BURST];
	bool primed;
	unsigned int n;
	unsigned int limited;
	atomic_t seen;
	bool counting;
};

/* One per file including this header: cases of a file run one at a time. */
static inline struct hk_expect_state *hk_expect_state(void)
{
	static struct hk_expect_state st;

	return &st;
}

/* Any context (printk's caller): count hakmem's own lines. */
static inline void hk_expect_probe(void *data, const char *text, size_t len)
{
	struct hk_expect_state *st = data;

	if (len >= strlen(HK_EXPECT_PREFIX) &&
	    !memcmp(text, HK_EXPECT_PREFIX, strlen(HK_EXPECT_PREFIX)))
		atomic_inc(&st->seen);
}

/* Stop counting: at hk_expect_end(), or when the case ends before it. */
static inline void hk_expect_stop(void *data)
{
	struct hk_expect_state *st = data;
	unsigned long now = jiffies;
	unsigned int i;

	if (st->counting) {
		unregister_trace_console(hk_expect_probe, st);
		tracepoint_synchronize_unregister();
		st->counting = false;
	}
	/* The lines are over by now: remember when. */
	for (i = 0; i < st->limited; i++) {
		memmove(st->when, st->when + 1, sizeof(st->when) - sizeof(st->when[0]));
		st->when[HK_RATELIMIT_BURST - 1] = now;
	}
}

static inline void hk_expect_print(struct kunit *test, const char *what,
				   const char *n)
{
	const char *desc = test->priv;

	kunit_info(test, "hakmem-expect: %s%s %s%s%s", what, n, test->name,
		   desc ? "." : "", desc ?: "");
}

/**
 * __hk_expect_begin() - announce the hakmem lines about to be provoked
 * @test: the case
 * @n: exactly how many "hakmem: " lines follow until hk_expect_end()
 * @limited: how many of those come from a ratelimited call site
 *
 * Waits first until @limited more lines fit in the ratelimit.
 *
 * Context: process context; sleeps.
 */
static inline void __hk_expect_begin(struct kunit *test, unsigned int n,
				     unsigned int limited)
{
	struct hk_expect_state *st = hk_expect_state();
	unsigned long until;
	char nbuf[16];
	unsigned int i;
	int ret;

	KUNIT_ASSERT_LE_MSG(test, limited, n, "more ratelimited lines than lines");
	KUNIT_ASSERT_LE_MSG(test, limited, (unsigned int)HK_RATELIMIT_BURST,
			    "%u ratelimited lines at once: split the provocation",
			    limited);
	if (!st->primed) {
		for (i = 0; i < HK_RATELIMIT_BURST; i++)
			st->when[i] = jiffies;
		st->primed = true;
	}
	if (limited) {
		/* Past the interval of the limited-th oldest, with a margin. */
		until = st->when[limited - 1] + HK_RATELIMIT_INTERVAL + HZ / 10 + 2;
		while (time_before(jiffies, until))
			schedule_timeout_uninterruptible(until - jiffies);
	}
	st->n = n;
	st->limited = limited;
	atomic_set(&st->seen, 0);
	snprintf(nbuf, sizeof(nbuf), " %u", n);
	hk_expect_print(test, "begin", nbuf);
	if (IS_ENABLED(CONFIG_TRACEPOINTS)) {
		ret = register_trace_console(hk_expect_probe, st);
		st->counting = !ret;
		if (ret)
			KUNIT_FAIL(test, "console tracepoint: %d", ret);
	}
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, hk_expect_stop, st));
}

/**
 * hk_expect_begin() - announce @n hakmem lines, from ratelimited call sites
 * @test: the case
 * @n: exactly how many "hakmem: " lines follow until hk_expect_end()
 *
 * Context: process context; may sleep for up to HK_RATELIMIT_INTERVAL.
 */
static inline void hk_expect_begin(struct kunit *test, unsigned int n)
{
	__hk_expect_begin(test, n, n);
}

/**
 * hk_expect_begin_unlimited() - announce @n hakmem lines from call sites
 *	that are not ratelimited
 * @test: the case
 * @n: exactly how many "hakmem: " lines follow until hk_expect_end()
 *
 * Context: process context.
 */
static inline void hk_expect_begin_unlimited(struct kunit *test, unsigned int n)
{
	__hk_expect_begin(test, n, 0);
}

/**
 * hk_expect_end() - the provoked lines are over
 * @test: the case
 *
 * Fails the case if the console tracepoint saw another number of hakmem
 * lines than announced.
 *
 * Context: process context; sleeps.
 */
static inline void hk_expect_end(struct kunit *test)
{
	struct hk_expect_state *st = hk_expect_state();
	bool counted = st->counting;

	kunit_release_action(test, hk_expect_stop, st);
	hk_expect_print(test, "end", "");
	if (counted)
		KUNIT_EXPECT_EQ_MSG(test, (unsigned int)atomic_read(&st->seen), st->n,
				    "hakmem lines printed, announced %u", st->n);
}

#endif /* _HAKMEM_TEST_H */
