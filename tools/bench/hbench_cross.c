// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_bench, cross-CPU frees: a producer allocates and hands each object
 * through a single-producer, single-consumer ring to a consumer on another
 * CPU, which frees it; a pair of CPUs, every ordered pair, or a ring of
 * CPUs each freeing what its left neighbour allocated (hbench_mt_scn()).
 * With turns, a pair only: the producer fills the ring with a batch while
 * the consumer sleeps, then the consumer frees the batch while the
 * producer sleeps, each timing its own half.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/minmax.h>

#include "hbench_mt.h"

/* Objects a cross-CPU worker moves before it looks at its other ring. */
#define HBENCH_BURST		32
/*
 * Objects a producer hands over per turn: a NAPI budget's worth, the
 * batch a network driver allocates on one CPU and a socket frees on
 * another.
 */
#define HBENCH_TURN_BATCH	64

static __always_inline int __hbench_cross(const enum hbench_side side,
					  const enum hbench_api api,
					  const struct hbench_target *t,
					  struct hbench_worker *w)
{
	struct hbench_ring *out = w->out, *in = w->in;
	unsigned long made = 0, freed = 0, head = 0, tail = 0, n;
	size_t size = t->size;
	unsigned int spins = 0;
	void *p;

	while (made < w->produce || freed < w->consume) {
		bool idle = true;

		if (made < w->produce) {
			/* Pairs with the consumer's release of out->tail. */
			n = HBENCH_RING_SIZE - (head - smp_load_acquire(&out->tail));
			n = min3(n, w->produce - made, (unsigned long)HBENCH_BURST);
			if (n) {
				idle = false;
				made += n;
				while (n--) {
					p = hbench_alloc(side, api, t, size);
					if (unlikely(!p)) {
						/* What is in the ring gets freed. */
						smp_store_release(&out->head, head);
						return -ENOMEM;
					}
					hbench_touch(p, head);
					out->slot[head++ % HBENCH_RING_SIZE] = p;
				}
				/* Publish the slots before the new head. */
				smp_store_release(&out->head, head);
			}
		}
		if (freed < w->consume) {
			/* Pairs with the producer's release of in->head. */
			n = smp_load_acquire(&in->head) - tail;
			n = min_t(unsigned long, n, HBENCH_BURST);
			if (n) {
				idle = false;
				freed += n;
				while (n--)
					hbench_free(side, api, t,
						    in->slot[tail++ % HBENCH_RING_SIZE]);
				/* The slots are read: the producer may reuse them. */
				smp_store_release(&in->tail, tail);
			}
		}
		if (!idle) {
			spins = 0;
		} else {
			if (hbench_mt_aborted(w->mt))
				return -EINTR;
			hbench_idle(&spins);
		}
	}
	return 0;
}

/*
 * One worker of a pair that takes turns: worker 0 allocates, worker 1
 * frees.  The ring is touched by one worker at a time; the turn hand-over
 * orders it (hbench_turn_wait()).
 */
static __always_inline int __hbench_cross_turns(const enum hbench_side side,
						const enum hbench_api api,
						const struct hbench_target *t,
						struct hbench_worker *w)
{
	struct hbench_ring *r = w->out ? w->out : w->in;
	unsigned long done = 0, todo = w->produce + w->consume, n;
	size_t size = t->size;
	u64 start;
	void *p;

	while (done < todo) {
		if (!hbench_turn_wait(w))
			return -EINTR;
		start = ktime_get_ns();
		if (w->out) {
			n = min_t(unsigned long, todo - done, HBENCH_TURN_BATCH);
			done += n;
			while (n--) {
				p = hbench_alloc(side, api, t, size);
				if (unlikely(!p))
					return -ENOMEM;
				hbench_touch(p, r->head);
				r->slot[r->head++ % HBENCH_RING_SIZE] = p;
			}
		} else {
			while (r->tail != r->head) {
				hbench_free(side, api, t,
					    r->slot[r->tail++ % HBENCH_RING_SIZE]);
				done++;
			}
		}
		w->busy += ktime_get_ns() - start;
		hbench_turn_pass(w);
	}
	return 0;
}

noinline int hbench_cross_turns(struct hbench_worker *w)
{
	const struct hbench_target *t = w->mt->t;

	switch (hbench_variant(t)) {
	case HBENCH_V_HAKMEM_CACHE:
		return __hbench_cross_turns(HBENCH_HAKMEM, HBENCH_API_CACHE, t, w);
	case HBENCH_V_HAKMEM_TINY:
		return __hbench_cross_turns(HBENCH_HAKMEM, HBENCH_API_TINY, t, w);
	case HBENCH_V_KERNEL_CACHE:
		return __hbench_cross_turns(HBENCH_KERNEL, HBENCH_API_CACHE, t, w);
	default:
		return __hbench_cross_turns(HBENCH_KERNEL, HBENCH_API_TINY, t, w);
	}
}

noinline int hbench_cross(struct hbench_worker *w)
{
	const struct hbench_target *t = w->mt->t;

	switch (hbench_variant(t)) {
	case HBENCH_V_HAKMEM_CACHE:
		return __hbench_cross(HBENCH_HAKMEM, HBENCH_API_CACHE, t, w);
	case HBENCH_V_HAKMEM_TINY:
		return __hbench_cross(HBENCH_HAKMEM, HBENCH_API_TINY, t, w);
	case HBENCH_V_KERNEL_CACHE:
		return __hbench_cross(HBENCH_KERNEL, HBENCH_API_CACHE, t, w);
	default:
		return __hbench_cross(HBENCH_KERNEL, HBENCH_API_TINY, t, w);
	}
}

/*
 * Cross-CPU objects from CPU @from to CPU @to: hbench_mt_ops of them,
 * concurrently or (@turns) taking turns.
 */
int hbench_cross_pair(const struct hbench_target *t, int from, int to,
		      bool turns, u64 *ns)
{
	struct hbench_mt *mt;
	int err;

	mt = hbench_mt_alloc(t, HBENCH_CROSS_PAIR, 2);
	if (!mt)
		return -ENOMEM;
	mt->turns = turns;
	mt->w[0].cpu = from;
	mt->w[0].out = &mt->rings[0];
	mt->w[0].produce = hbench_mt_ops;
	mt->w[1].cpu = to;
	mt->w[1].in = &mt->rings[0];
	mt->w[1].consume = hbench_mt_ops;
	err = hbench_mt_run(mt, ns);
	hbench_mt_free(mt);
	return err;
}
