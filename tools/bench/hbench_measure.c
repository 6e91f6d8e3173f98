// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_bench, one row of the table: both sides' targets, a warm-up, hbench_reps
 * interleaved samples per slot (hakmem, kernel, and the kernel again as the
 * A/A control), the median and spread of each, and the row printed for
 * people and as "HAKMEM_BENCH {json}" for tools/bench/run.sh.  A row with
 * @calib also times its loop with no allocator call, interleaved with the
 * slots: its figures go into the JSON line as "empty", which the report
 * subtracts from both sides.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include "hbench.h"

/*
 * SLUB merges a new cache into a compatible one unless told not to; the
 * benchmark wants a cache of its own.  Kernels before 6.5 have no
 * SLAB_NO_MERGE: boot them with slab_nomerge (tools/bench/run.sh does).
 */
#ifdef SLAB_NO_MERGE
#define HBENCH_KC_FLAGS		SLAB_NO_MERGE
#else
#define HBENCH_KC_FLAGS		0
#endif

static const char * const hbench_slot_name[HBENCH_NR_SLOTS] = {
	"hakmem", "kernel", "aa"
};

/* Free one object outside any timed loop (clean-up after an error). */
noinline void hbench_free_one(const struct hbench_target *t, void *obj)
{
	if (!obj)
		return;
	if (t->side == HBENCH_HAKMEM) {
		if (t->api == HBENCH_API_CACHE)
			hakmem_cache_free(t->hc, obj);
		else
			hakmem_free(obj);
	} else {
		if (t->api == HBENCH_API_CACHE)
			kmem_cache_free(t->kc, obj);
		else
			kfree(obj);
	}
}

/* One sample of @scn on @t, in thousandths of @scn->unit. */
static int hbench_sample(const struct hbench_scn *scn,
			 const struct hbench_target *t, void **objs, u64 *val)
{
	unsigned long loops;
	u64 ns = 0, sum = 0;
	int a, b, err = 0;

	switch (scn->kind) {
	case HBENCH_HOT:
		err = hbench_hot(t, scn->objs, &ns);
		break;
	case HBENCH_BATCH:
		loops = scn->objs / scn->nr;
		err = hbench_batch(t, loops, scn->nr, objs, &ns);
		break;
	case HBENCH_BULK:
		loops = scn->objs / scn->nr;
		err = hbench_bulk(t, loops, scn->nr, objs, &ns);
		break;
	case HBENCH_CROSS_PAIR:
		err = hbench_cross_pair(t, scn->cpus[0], scn->cpus[1],
					scn->turns, &ns);
		break;
	case HBENCH_CROSS_ALL:
		for_each_online_cpu(a) {
			for_each_online_cpu(b) {
				if (a == b)
					continue;
				err = hbench_cross_pair(t, a, b, false, &ns);
				if (err)
					return err;
				sum += ns;
			}
		}
		ns = sum;
		break;
	case HBENCH_RING:
	case HBENCH_LARSON:
		err = hbench_mt_scn(scn, t, &ns);
		break;
	}
	if (err)
		return err;
	ns = max_t(u64, ns, 1);
	/* Mops/s (x1000) = ops * 10^9 / ns / 10^6 * 1000; ns/op (x1000). */
	if (scn->throughput)
		*val = div64_u64((u64)scn->objs * 1000000, ns);
	else
		*val = div64_u64(ns * 1000, scn->objs);
	return 0;
}

static int hbench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

struct hbench_stat {
	u64 median;
	u64 min;
	u64 max;
};

static void hbench_stats(const u64 *v, unsigned int n, struct hbench_stat *st)
{
	u64 s[HBENCH_MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	sort(s, n, sizeof(*s), hbench_cmp_u64, NULL);
	st->min = s[0];
	st->max = s[n - 1];
	st->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Append "x.yyy", from thousandths. */
static int hbench_milli(char *buf, size_t len, u64 v)
{
	return scnprintf(buf, len, "%llu.%03llu", v / 1000, v % 1000);
}

static u64 hbench_ratio(u64 a, u64 b)
{
	return div64_u64(a * 1000, b);
}

/**
 * hbench_emit - print one row: a line for people, a line for run.sh
 * @scn: the row
 * @v: samples per slot, thousandths of @scn->unit
 * @n: samples per slot
 * @has_aa: the A/A slot ran
 * @extra: more JSON members (",\"key\":value"), or ""
 */
void hbench_emit(const struct hbench_scn *scn,
		 u64 v[HBENCH_NR_SLOTS][HBENCH_MAX_REPS], unsigned int n,
		 bool has_aa, const char *extra)
{
	struct hbench_stat st[HBENCH_NR_SLOTS] = {};
	char med[HBENCH_NR_SLOTS][24], ratio[24], aa_ratio[24];
	unsigned int slot, i, nr_slots = has_aa ? 3 : 2;
	size_t len = 1000, pos = 0;
	char *buf;

	for (slot = 0; slot < nr_slots; slot++) {
		hbench_stats(v[slot], n, &st[slot]);
		hbench_milli(med[slot], sizeof(med[slot]), st[slot].median);
	}
	if (st[HBENCH_SLOT_KERNEL].median)
		hbench_milli(ratio, sizeof(ratio),
			     hbench_ratio(st[HBENCH_SLOT_HAKMEM].median,
					  st[HBENCH_SLOT_KERNEL].median));
	else
		strscpy(ratio, "null", sizeof(ratio));
	if (has_aa && st[HBENCH_SLOT_KERNEL].median)
		hbench_milli(aa_ratio, sizeof(aa_ratio),
			     hbench_ratio(st[HBENCH_SLOT_AA].median,
					  st[HBENCH_SLOT_KERNEL].median));
	else
		strscpy(aa_ratio, "null", sizeof(aa_ratio));

	pr_info("%-20s %-8s hakmem %10s kernel %10s ratio %s (A/A %s)\n",
		scn->name, scn->unit, med[HBENCH_SLOT_HAKMEM],
		med[HBENCH_SLOT_KERNEL], ratio, aa_ratio);

	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return;
	pos += scnprintf(buf + pos, len - pos,
			 "{\"v\":1,\"release\":\"%s\",\"scenario\":\"%s\",\"group\":\"%s\",\"unit\":\"%s\",\"better\":\"%s\",\"ops\":%lu,\"cpus\":%u,\"reps\":%u",
			 init_utsname()->release, scn->name, scn->group,
			 scn->unit, scn->throughput ? "higher" : "lower",
			 scn->objs, scn->kind >= HBENCH_CROSS_PAIR ? scn->nr : 1,
			 n);
	for (slot = 0; slot < nr_slots; slot++) {
		pos += scnprintf(buf + pos, len - pos, ",\"%s\":{\"median\":",
				 hbench_slot_name[slot]);
		pos += hbench_milli(buf + pos, len - pos, st[slot].median);
		pos += scnprintf(buf + pos, len - pos, ",\"min\":");
		pos += hbench_milli(buf + pos, len - pos, st[slot].min);
		pos += scnprintf(buf + pos, len - pos, ",\"max\":");
		pos += hbench_milli(buf + pos, len - pos, st[slot].max);
		pos += scnprintf(buf + pos, len - pos, ",\"samples\":[");
		for (i = 0; i < n; i++) {
			pos += hbench_milli(buf + pos, len - pos, v[slot][i]);
			if (i + 1 < n)
				pos += scnprintf(buf + pos, len - pos, ",");
		}
		pos += scnprintf(buf + pos, len - pos, "]}");
	}
	pos += scnprintf(buf + pos, len - pos,
			 ",\"ratio\":%s,\"aa_ratio\":%s%s}", ratio, aa_ratio,
			 extra);
	pr_info("HAKMEM_BENCH %s\n", buf);
	kfree(buf);
}

void hbench_targets_exit(struct hbench_target tg[2])
{
	if (tg[HBENCH_HAKMEM].hc)
		hakmem_cache_destroy(tg[HBENCH_HAKMEM].hc);
	kmem_cache_destroy(tg[HBENCH_KERNEL].kc);
	memset(tg, 0, 2 * sizeof(*tg));
}

/* Both sides' targets for @scn; dedicated caches are created here. */
int hbench_targets_init(const struct hbench_scn *scn, struct hbench_target tg[2])
{
	char *name = tg[HBENCH_HAKMEM].name;

	memset(tg, 0, 2 * sizeof(*tg));
	tg[HBENCH_HAKMEM].side = HBENCH_HAKMEM;
	tg[HBENCH_KERNEL].side = HBENCH_KERNEL;
	tg[HBENCH_HAKMEM].api = scn->api;
	tg[HBENCH_KERNEL].api = scn->api;
	tg[HBENCH_HAKMEM].size = scn->size;
	tg[HBENCH_KERNEL].size = scn->size;
	if (scn->api != HBENCH_API_CACHE)
		return 0;
	snprintf(name, sizeof(tg->name), "hakmem_bench_%u", scn->size);
	tg[HBENCH_HAKMEM].hc = hakmem_cache_create(name, scn->size, 0, 0, NULL);
	tg[HBENCH_KERNEL].kc = kmem_cache_create(name, scn->size, 0,
						 HBENCH_KC_FLAGS, NULL);
	if (!tg[HBENCH_HAKMEM].hc || !tg[HBENCH_KERNEL].kc) {
		hbench_targets_exit(tg);
		return -ENOMEM;
	}
	return 0;
}

/* ",\"empty\":{...}": the calibration loop's median, min and max. */
static void hbench_empty_json(char *buf, size_t len, const u64 *v,
			      unsigned int n)
{
	struct hbench_stat st;
	size_t pos = 0;

	hbench_stats(v, n, &st);
	pos += scnprintf(buf + pos, len - pos, ",\"empty\":{\"median\":");
	pos += hbench_milli(buf + pos, len - pos, st.median);
	pos += scnprintf(buf + pos, len - pos, ",\"min\":");
	pos += hbench_milli(buf + pos, len - pos, st.min);
	pos += scnprintf(buf + pos, len - pos, ",\"max\":");
	pos += hbench_milli(buf + pos, len - pos, st.max);
	scnprintf(buf + pos, len - pos, "}");
}

/* Warm up, then hbench_reps interleaved samples per slot; print the row. */
int hbench_measure(const struct hbench_scn *scn)
{
	static const enum hbench_slot order[2][HBENCH_NR_SLOTS] = {
		{ HBENCH_SLOT_HAKMEM, HBENCH_SLOT_KERNEL, HBENCH_SLOT_AA },
		{ HBENCH_SLOT_AA, HBENCH_SLOT_KERNEL, HBENCH_SLOT_HAKMEM },
	};
	u64 (*v)[HBENCH_MAX_REPS] = NULL;
	struct hbench_target tg[2], empty = {
		.side = HBENCH_EMPTY, .api = scn->api, .size = scn->size,
	};
	u64 empty_v[HBENCH_MAX_REPS];
	char extra[96] = "";
	void **objs = NULL;
	unsigned int r, k;
	u64 warm;
	int err;

	if (hbench_stopping())
		return -EINTR;
	err = hbench_targets_init(scn, tg);
	if (err)
		return err;
	if (scn->calib) {
		empty.scratch = kzalloc(max(scn->size, 8U), GFP_KERNEL);
		if (!empty.scratch) {
			err = -ENOMEM;
			goto out;
		}
	}
	v = kcalloc(HBENCH_NR_SLOTS, sizeof(*v), GFP_KERNEL);
	if (scn->kind == HBENCH_BATCH || scn->kind == HBENCH_BULK)
		objs = kcalloc(scn->nr, sizeof(*objs), GFP_KERNEL);
	if (!v || ((scn->kind == HBENCH_BATCH || scn->kind == HBENCH_BULK) && !objs)) {
		err = -ENOMEM;
		goto out;
	}

	err = hbench_sample(scn, &tg[HBENCH_HAKMEM], objs, &warm);
	if (!err)
		err = hbench_sample(scn, &tg[HBENCH_KERNEL], objs, &warm);
	if (!err && scn->calib)
		err = hbench_sample(scn, &empty, objs, &warm);
	for (r = 0; r < hbench_reps && !err; r++) {
		for (k = 0; k < HBENCH_NR_SLOTS && !err; k++) {
			enum hbench_slot slot = order[r % 2][k];

			if (slot == HBENCH_SLOT_AA && !hbench_aa)
				continue;
			err = hbench_sample(scn, slot == HBENCH_SLOT_HAKMEM ?
					    &tg[HBENCH_HAKMEM] : &tg[HBENCH_KERNEL],
					    objs, &v[slot][r]);
			cond_resched();
		}
		/* The calibration loop, after the slots of every repetition. */
		if (!err && scn->calib)
			err = hbench_sample(scn, &empty, objs, &empty_v[r]);
		if (!err && hbench_stopping())
			err = -EINTR;
	}
	if (err) {
		pr_err("%s: failed: %d\n", scn->name, err);
		goto out;
	}
	if (scn->calib)
		hbench_empty_json(extra, sizeof(extra), empty_v, hbench_reps);
	hbench_emit(scn, v, hbench_reps, hbench_aa, extra);
out:
	kfree(empty.scratch);
	kfree(objs);
	kfree(v);
	hbench_targets_exit(tg);
	return err;
}
