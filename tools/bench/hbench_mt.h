/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem_bench, the multi-CPU harness (hbench_mt.c) and its two families,
 * cross-CPU rings (hbench_cross.c) and Larson (hbench_larson.c).
 */
#ifndef _HBENCH_MT_H
#define _HBENCH_MT_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "hbench.h"

/*
 * Entries in a cross-CPU ring, a power of two: enough for a producer to run
 * ahead for a while when its consumer stalls (a preempted vCPU thread of
 * an emulator, an interrupt), 32 KiB of pointers.
 */
#define HBENCH_RING_SIZE	4096

/**
 * struct hbench_ring - single-producer, single-consumer ring of objects
 * @head: next slot the producer fills; written by the producer only
 * @tail: next slot the consumer empties; written by the consumer only
 * @slot: the objects
 *
 * The producer stores an object, then publishes @head with a release; the
 * consumer reads @head with an acquire before it reads the slot.  Back the
 * other way, the consumer publishes @tail with a release after it has read
 * the slots, and the producer reads @tail with an acquire before reusing
 * them.
 */
struct hbench_ring {
	unsigned long head ____cacheline_aligned_in_smp;
	unsigned long tail ____cacheline_aligned_in_smp;
	void *slot[HBENCH_RING_SIZE] ____cacheline_aligned_in_smp;
};

/**
 * struct hbench_larson_set - one Larson thread's live objects
 * @rng: random state; travels with the set, so each side and each run
 *       draw the same slots and sizes whichever thread holds the set
 * @nr: slots
 * @obj: the objects
 */
struct hbench_larson_set {
	u64 rng;
	unsigned int nr;
	void *obj[];
};

struct hbench_mt;

/**
 * struct hbench_worker - one kthread of a multi-CPU run
 * @mt: the run
 * @task: the kthread
 * @idx: index in @mt->w
 * @cpu: the CPU it is bound to
 * @out: ring it fills (cross-CPU), or NULL
 * @in: ring it empties (cross-CPU), or NULL
 * @produce: objects to put in @out
 * @consume: objects to take from @in
 * @inbox: Larson: the set handed to this thread, or NULL
 * @start: ktime when it started timing
 * @end: ktime when it finished
 * @busy: turns: the time of its own turns' work
 * @err: 0 or the error that stopped it
 */
struct hbench_worker {
	struct hbench_mt *mt;
	struct task_struct *task;
	unsigned int idx;
	int cpu;
	struct hbench_ring *out;
	struct hbench_ring *in;
	unsigned long produce;
	unsigned long consume;
	struct hbench_larson_set *inbox;
	u64 start;
	u64 end;
	u64 busy;
	int err;
};

/**
 * struct hbench_mt - one multi-CPU run
 * @t: the target every worker allocates from
 * @kind: HBENCH_CROSS_PAIR, HBENCH_RING or HBENCH_LARSON
 * @nr: workers
 * @ready: workers still getting ready
 * @left: workers still running
 * @all_ready: completed when @ready reaches zero
 * @go: released once every worker is ready
 * @all_done: completed when @left reaches zero
 * @abort: set by a worker that failed: the others stop waiting
 * @turns: the workers take turns (struct hbench_scn): only the worker whose
 *         index is @turn works, the others sleep in @turn_wq
 * @turn: whose turn it is
 * @turn_wq: where the others sleep
 * @rings: cross-CPU rings, @nr of them
 * @sets: Larson sets, @nr of them
 * @w: the workers
 */
struct hbench_mt {
	const struct hbench_target *t;
	enum hbench_kind kind;
	unsigned int nr;
	atomic_t ready;
	atomic_t left;
	struct completion all_ready;
	struct completion go;
	struct completion all_done;
	bool abort;
	bool turns;
	unsigned int turn;
	wait_queue_head_t turn_wq;
	struct hbench_ring *rings;
	struct hbench_larson_set **sets;
	struct hbench_worker w[];
};

static inline bool hbench_mt_aborted(struct hbench_mt *mt)
{
	return READ_ONCE(mt->abort) || hbench_stopping();
}

/* hbench_mt.c */
void hbench_idle(unsigned int *spins);
bool hbench_turn_wait(struct hbench_worker *w);
void hbench_turn_pass(struct hbench_worker *w);
struct hbench_mt *hbench_mt_alloc(const struct hbench_target *t,
				  enum hbench_kind kind, unsigned int nr);
void hbench_mt_free(struct hbench_mt *mt);
int hbench_mt_run(struct hbench_mt *mt, u64 *ns);

/* hbench_cross.c, hbench_larson.c: a worker's timed part. */
int hbench_cross(struct hbench_worker *w);
int hbench_cross_turns(struct hbench_worker *w);
int hbench_larson(struct hbench_worker *w);
int hbench_larson_turns(struct hbench_worker *w);
int hbench_larson_fill(struct hbench_worker *w);

#endif /* _HBENCH_MT_H */
