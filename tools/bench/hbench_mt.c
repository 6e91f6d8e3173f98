// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_bench, the multi-CPU harness: one kthread per CPU of a row, all
 * made ready first (Larson fills its sets untimed), released together,
 * timed from the first start to the last end.  A worker that fails sets
 * the run's abort flag, so that no other waits for it forever.
 *
 * With turns (struct hbench_scn), the workers run one at a time, in index
 * order, each sleeping until its turn, and each times only its own work:
 * the sample is the sum.  Under icount (one guest clock, advanced by the
 * instructions of whichever vCPU runs; a sleeping vCPU runs none) that sum
 * counts the instructions of the work, cross-CPU frees included, and
 * nothing of the waiting: deterministic, like the single-CPU rows.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/processor.h>
#include <linux/sched/task.h>

#include "hbench_mt.h"

/*
 * A worker that found nothing to do this many times in a row naps: ~10 us
 * of PAUSE on real hardware, and under an emulator with more vCPUs than
 * host cores the nap hands the host core to the vCPU it waits for.
 */
#define HBENCH_SPINS		256
#define HBENCH_NAP_US		20

/* A waiting worker spins, then naps; @spins counts idle turns in a row. */
void hbench_idle(unsigned int *spins)
{
	if (++*spins < HBENCH_SPINS) {
		cpu_relax();
		return;
	}
	*spins = 0;
	usleep_range(HBENCH_NAP_US, 2 * HBENCH_NAP_US);
}

static bool hbench_my_turn(struct hbench_worker *w)
{
	/*
	 * Pairs with the release in hbench_turn_pass(): what the previous
	 * worker did in its turn is seen whole.
	 */
	return smp_load_acquire(&w->mt->turn) == w->idx;
}

/* Sleep until it is @w's turn.  Return: false if the run was aborted. */
bool hbench_turn_wait(struct hbench_worker *w)
{
	struct hbench_mt *mt = w->mt;

	/* A second at a time: a stop (hbench_stop) wakes no one. */
	while (!wait_event_timeout(mt->turn_wq,
				   hbench_my_turn(w) || hbench_mt_aborted(mt),
				   HZ))
		;
	return !hbench_mt_aborted(mt);
}

/* Hand the turn to the next worker, and wake it. */
void hbench_turn_pass(struct hbench_worker *w)
{
	struct hbench_mt *mt = w->mt;

	/* Publishes this turn's work; pairs with hbench_turn_wait()'s acquire. */
	smp_store_release(&mt->turn, (w->idx + 1) % mt->nr);
	wake_up_all(&mt->turn_wq);
}

/* Stop the run: every worker, waiting or sleeping, gives up. */
static void hbench_mt_abort(struct hbench_mt *mt)
{
	WRITE_ONCE(mt->abort, true);
	wake_up_all(&mt->turn_wq);
}

static int hbench_worker_fn(void *arg)
{
	struct hbench_worker *w = arg;
	struct hbench_mt *mt = w->mt;
	int err = 0;

	if (mt->kind == HBENCH_LARSON)
		err = hbench_larson_fill(w);
	if (err)
		hbench_mt_abort(mt);
	if (atomic_dec_and_test(&mt->ready))
		complete(&mt->all_ready);
	wait_for_completion(&mt->go);

	w->start = ktime_get_ns();
	if (!err && !hbench_mt_aborted(mt)) {
		if (mt->kind == HBENCH_LARSON)
			err = mt->turns ? hbench_larson_turns(w) : hbench_larson(w);
		else
			err = mt->turns ? hbench_cross_turns(w) : hbench_cross(w);
	}
	w->end = ktime_get_ns();
	w->err = err;
	if (err)
		hbench_mt_abort(mt);
	if (atomic_dec_and_test(&mt->left))
		complete(&mt->all_done);
	return 0;
}

void hbench_mt_free(struct hbench_mt *mt)
{
	const struct hbench_target *t = mt->t;
	unsigned int i, j;

	if (mt->rings) {
		for (i = 0; i < mt->nr; i++) {
			struct hbench_ring *r = &mt->rings[i];

			for (; r->tail != r->head; r->tail++)
				hbench_free_one(t, r->slot[r->tail % HBENCH_RING_SIZE]);
		}
		kvfree(mt->rings);
	}
	if (mt->sets) {
		for (i = 0; i < mt->nr; i++) {
			if (!mt->sets[i])
				continue;
			for (j = 0; j < mt->sets[i]->nr; j++)
				hbench_free_one(t, mt->sets[i]->obj[j]);
			kvfree(mt->sets[i]);
		}
		kfree(mt->sets);
	}
	kfree(mt);
}

struct hbench_mt *hbench_mt_alloc(const struct hbench_target *t,
				  enum hbench_kind kind, unsigned int nr)
{
	struct hbench_mt *mt;
	unsigned int i;

	mt = kzalloc(struct_size(mt, w, nr), GFP_KERNEL);
	if (!mt)
		return NULL;
	mt->t = t;
	mt->kind = kind;
	mt->nr = nr;
	atomic_set(&mt->ready, nr);
	atomic_set(&mt->left, nr);
	init_completion(&mt->all_ready);
	init_completion(&mt->go);
	init_completion(&mt->all_done);
	init_waitqueue_head(&mt->turn_wq);
	if (kind == HBENCH_LARSON) {
		mt->sets = kcalloc(nr, sizeof(*mt->sets), GFP_KERNEL);
		if (!mt->sets)
			goto fail;
		for (i = 0; i < nr; i++) {
			mt->sets[i] = kvzalloc(struct_size(mt->sets[i], obj, hbench_larson_slots),
					       GFP_KERNEL);
			if (!mt->sets[i])
				goto fail;
			mt->sets[i]->nr = hbench_larson_slots;
			/* Never zero: xorshift would stay there. */
			mt->sets[i]->rng = (hbench_seed + i) * 0x9e3779b97f4a7c15ULL | 1;
			mt->w[i].inbox = mt->sets[i];
		}
	} else {
		mt->rings = kvcalloc(nr, sizeof(*mt->rings), GFP_KERNEL);
		if (!mt->rings)
			goto fail;
	}
	for (i = 0; i < nr; i++) {
		mt->w[i].mt = mt;
		mt->w[i].idx = i;
	}
	return mt;
fail:
	hbench_mt_free(mt);
	return NULL;
}

/*
 * Start the workers, release them together, wait for the last.  Returns
 * the first worker error, else in *@ns the time from the first start to
 * the last end, or with turns the sum of the workers' turns.
 */
int hbench_mt_run(struct hbench_mt *mt, u64 *ns)
{
	u64 first = U64_MAX, last = 0, busy = 0;
	unsigned int i, made;
	int err = 0;

	for (made = 0; made < mt->nr; made++) {
		struct hbench_worker *w = &mt->w[made];
		struct task_struct *task;

		task = kthread_create(hbench_worker_fn, w, "hakmem_bench/%u",
				      w->cpu);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
		/* Hold it: kthread_stop() below may come after its exit. */
		get_task_struct(task);
		kthread_bind(task, w->cpu);
		w->task = task;
	}
	if (err) {
		/* Never woken: kthread_stop() ends them before they run. */
		for (i = 0; i < made; i++) {
			kthread_stop(mt->w[i].task);
			put_task_struct(mt->w[i].task);
		}
		return err;
	}
	for (i = 0; i < mt->nr; i++)
		wake_up_process(mt->w[i].task);
	wait_for_completion(&mt->all_ready);
	complete_all(&mt->go);
	wait_for_completion(&mt->all_done);
	for (i = 0; i < mt->nr; i++) {
		struct hbench_worker *w = &mt->w[i];

		kthread_stop(w->task);
		put_task_struct(w->task);
		if (w->err && !err)
			err = w->err;
		first = min(first, w->start);
		last = max(last, w->end);
		busy += w->busy;
	}
	if (!err && hbench_stopping())
		err = -EINTR;
	*ns = mt->turns ? busy : last - first;
	return err;
}

/* A ring of nr CPUs, or Larson on them. */
int hbench_mt_scn(const struct hbench_scn *scn, const struct hbench_target *t,
		  u64 *ns)
{
	struct hbench_mt *mt;
	unsigned int i;
	int err;

	mt = hbench_mt_alloc(t, scn->kind, scn->nr);
	if (!mt)
		return -ENOMEM;
	mt->turns = scn->turns;
	for (i = 0; i < scn->nr; i++) {
		struct hbench_worker *w = &mt->w[i];

		w->cpu = scn->cpus[i];
		if (scn->kind == HBENCH_RING) {
			w->out = &mt->rings[i];
			w->in = &mt->rings[(i + scn->nr - 1) % scn->nr];
			w->produce = hbench_mt_ops;
			w->consume = hbench_mt_ops;
		}
	}
	err = hbench_mt_run(mt, ns);
	hbench_mt_free(mt);
	return err;
}
