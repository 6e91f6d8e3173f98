// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_bench, Larson: each thread frees a random live object of its set
 * and allocates one of a random size in its place, then hands the whole set
 * to the next thread, which frees what the previous one allocated.  Sizes
 * are uniform over the tiny classes; the random state travels with the
 * set, so both sides and every run draw the same slots and sizes.
 *
 * With turns, the threads run one generation each in index order, the
 * others asleep: generation g of thread i works on the set thread i - g
 * (mod nr) started with, the set its left neighbour held in generation
 * g - 1, so from the second generation on every free is of an object
 * another CPU allocated, as in Larson's hand-over.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/ktime.h>

#include "hbench_mt.h"

/* Larson's sizes: uniform over 8 ... 1024 bytes, the tiny classes. */
#define HBENCH_LARSON_MIN	8
#define HBENCH_LARSON_SPAN	(HAKMEM_MAX_TINY_SIZE - HBENCH_LARSON_MIN + 1)

static u64 hbench_rand(u64 *state)
{
	u64 x = *state;

	/* xorshift64*: fast, and the same sequence on every kernel. */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Wait for a set in @w's inbox and take it. */
static struct hbench_larson_set *hbench_larson_take(struct hbench_worker *w)
{
	struct hbench_larson_set *set;
	unsigned int spins = 0;

	for (;;) {
		/* xchg() is a full barrier: the set's contents are seen whole. */
		set = xchg(&w->inbox, NULL);
		if (set || hbench_mt_aborted(w->mt))
			return set;
		hbench_idle(&spins);
	}
}

/* Hand @set to the next thread; its inbox may still hold the last one. */
static bool hbench_larson_pass(struct hbench_worker *w,
			       struct hbench_larson_set *set)
{
	struct hbench_mt *mt = w->mt;
	struct hbench_worker *next = &mt->w[(w->idx + 1) % mt->nr];
	unsigned int spins = 0;

	/* Full barrier on success: the set's objects are published. */
	while (cmpxchg(&next->inbox, NULL, set)) {
		if (hbench_mt_aborted(mt))
			return false;
		hbench_idle(&spins);
	}
	return true;
}

/* One generation's rounds on @set: free a random slot, refill it. */
static __always_inline int __hbench_larson_gen(const enum hbench_side side,
					       const enum hbench_api api,
					       const struct hbench_target *t,
					       struct hbench_larson_set *set)
{
	unsigned int i, idx;
	size_t size;
	void *p;
	u64 r;

	for (i = 0; i < hbench_larson_rounds; i++) {
		r = hbench_rand(&set->rng);
		idx = ((r & 0xffffffff) * set->nr) >> 32;
		size = HBENCH_LARSON_MIN +
		       (((r >> 32) * HBENCH_LARSON_SPAN) >> 32);
		hbench_free(side, api, t, set->obj[idx]);
		p = hbench_alloc(side, api, t, size);
		set->obj[idx] = p;
		if (unlikely(!p))
			return -ENOMEM;
		hbench_touch(p, i);
	}
	return 0;
}

static __always_inline int __hbench_larson(const enum hbench_side side,
					   const enum hbench_api api,
					   const struct hbench_target *t,
					   struct hbench_worker *w)
{
	struct hbench_larson_set *set;
	unsigned int g;
	int err;

	for (g = 0; g < hbench_larson_gens; g++) {
		set = hbench_larson_take(w);
		if (!set)
			return -EINTR;
		err = __hbench_larson_gen(side, api, t, set);
		if (err)
			return err;
		/* The last generation keeps its set: the controller frees it. */
		if (g + 1 < hbench_larson_gens && !hbench_larson_pass(w, set))
			return -EINTR;
	}
	return 0;
}

noinline int hbench_larson(struct hbench_worker *w)
{
	const struct hbench_target *t = w->mt->t;

	/* Larson allocates random sizes: the tiny-class face only. */
	if (t->side == HBENCH_HAKMEM)
		return __hbench_larson(HBENCH_HAKMEM, HBENCH_API_TINY, t, w);
	return __hbench_larson(HBENCH_KERNEL, HBENCH_API_TINY, t, w);
}

static __always_inline int __hbench_larson_turns(const enum hbench_side side,
						 const enum hbench_api api,
						 const struct hbench_target *t,
						 struct hbench_worker *w)
{
	struct hbench_mt *mt = w->mt;
	unsigned int g;
	u64 start;
	int err;

	for (g = 0; g < hbench_larson_gens; g++) {
		if (!hbench_turn_wait(w))
			return -EINTR;
		start = ktime_get_ns();
		err = __hbench_larson_gen(side, api, t,
					  mt->sets[(w->idx + mt->nr - g % mt->nr) % mt->nr]);
		w->busy += ktime_get_ns() - start;
		if (err)
			return err;
		hbench_turn_pass(w);
	}
	return 0;
}

noinline int hbench_larson_turns(struct hbench_worker *w)
{
	const struct hbench_target *t = w->mt->t;

	if (t->side == HBENCH_HAKMEM)
		return __hbench_larson_turns(HBENCH_HAKMEM, HBENCH_API_TINY, t, w);
	return __hbench_larson_turns(HBENCH_KERNEL, HBENCH_API_TINY, t, w);
}

/* Larson's untimed start: fill the set this worker begins with. */
int hbench_larson_fill(struct hbench_worker *w)
{
	struct hbench_larson_set *set = w->inbox;
	unsigned int i;
	size_t size;

	for (i = 0; i < set->nr; i++) {
		size = HBENCH_LARSON_MIN +
		       ((hbench_rand(&set->rng) >> 32) * HBENCH_LARSON_SPAN >> 32);
		set->obj[i] = w->mt->t->side == HBENCH_HAKMEM ?
			      hakmem_alloc(size, GFP_KERNEL) :
			      kmalloc(size, GFP_KERNEL);
		if (!set->obj[i])
			return -ENOMEM;
	}
	return 0;
}
