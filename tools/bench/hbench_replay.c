// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_bench, trace replay: the kernel's own slab traffic, recorded by
 * tools/bench/record-trace.sh during a boot and a busybox workload and
 * reduced by tools/bench/replay-reduce.py to an op list (allocate <size> at
 * <call site>, free <allocation id>), replayed through both allocators.
 *
 * Two faces, each over the whole trace:
 *
 *   replay_tiny    every allocation through hakmem_alloc() / kmalloc(),
 *                  of the size the trace asked for
 *   replay_cache   one cache per call site, of the largest size asked
 *                  there: hakmem_cache_*() / kmem_cache_*().  Sites asking
 *                  more than HBENCH_REPLAY_CACHE_MAX bytes use kmalloc()
 *                  on both sides (the kernel's large objects are pages).
 *
 * Each face gives two rows: ns per op (instructions per op under icount),
 * and the most pages the side held while the trace ran (replay_mem_*),
 * counted as hbench_mem.c counts them.  The memory pass also prints, at the
 * trace's peak of live bytes, the live objects per size class of each side
 * and the bytes their classes waste ("HAKMEM_REPLAY_WASTE {json}"; tiny
 * face only: the cache face's object sizes are the same on both sides).
 *
 * The op list travels inside the module (hbench_replay_data.S): the bench
 * needs no file in the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "hbench.h"
/* hakmem_tiny_cache() and the pages of a cache. */
#include "hakmem_internal.h"

MODULE_IMPORT_NS(HAKMEM_INTERNAL_NS);

#define HBENCH_REPLAY_MAGIC	0x50524B48	/* "HKRP" */
#define HBENCH_REPLAY_VERSION	1
#define HBENCH_REPLAY_FREE	BIT(31)
#define HBENCH_REPLAY_SITE	GENMASK(23, 0)

/*
 * The largest object of a per-site cache.  Above it kmalloc() hands out
 * pages, not slab objects, and hakmem's caches refuse strides over 32 KiB:
 * both sides take such sites through kmalloc().
 */
#define HBENCH_REPLAY_CACHE_MAX	8192

/* Pages are sampled every this many ops of the memory pass (and at the peak). */
#define HBENCH_REPLAY_MEM_EVERY	32

/* Distinct object sizes the waste table keeps per side. */
#define HBENCH_REPLAY_CLASSES	48

struct hbench_replay_hdr {
	__le32 magic;
	__le32 version;
	__le32 nr_ops;
	__le32 nr_allocs;
	__le32 nr_sites;
	__le32 nr_cpus;
	__le32 reserved[2];
};

struct hbench_replay_op {
	__le32 w0;		/* site | cpu << 24, or FREE | cpu << 24 | untraced */
	__le32 w1;		/* size asked, or the id of the allocation freed */
};

/**
 * struct hbench_replay - the op list and what both sides replay it with
 * @ops: the ops
 * @nr_ops: ops
 * @nr_allocs: allocations among them
 * @nr_sites: call sites
 * @site_size: the largest size asked at each site
 * @obj_site: the site of each allocation
 * @obj_size: the size asked by each allocation
 * @objs: each allocation's object while it lives
 * @hc: hakmem's per-site caches (NULL: the site goes to kmalloc())
 * @kc: the kernel's per-site caches (NULL: likewise)
 * @peak_op: the op after which the trace's live bytes peak
 * @peak_bytes: those live bytes, as asked
 */
struct hbench_replay {
	const struct hbench_replay_op *ops;
	u32 nr_ops;
	u32 nr_allocs;
	u32 nr_sites;
	u32 *site_size;
	u32 *obj_site;
	u32 *obj_size;
	void **objs;
	struct hakmem_cache **hc;
	struct kmem_cache **kc;
	u32 peak_op;
	u64 peak_bytes;
};

/* Checks the op list and fills @r's tables; 0 or -errno. */
static int hbench_replay_load(struct hbench_replay *r)
{
	const struct hbench_replay_hdr *h = (const void *)hbench_replay_data;
	size_t len = hbench_replay_data_end - hbench_replay_data;
	u64 live = 0;
	u32 i, id = 0;

	if (len < sizeof(*h) || le32_to_cpu(h->magic) != HBENCH_REPLAY_MAGIC ||
	    le32_to_cpu(h->version) != HBENCH_REPLAY_VERSION) {
		pr_err("replay: the op list is not version %u\n",
		       HBENCH_REPLAY_VERSION);
		return -EINVAL;
	}
	r->nr_ops = le32_to_cpu(h->nr_ops);
	r->nr_allocs = le32_to_cpu(h->nr_allocs);
	r->nr_sites = le32_to_cpu(h->nr_sites);
	if (!r->nr_ops || !r->nr_allocs || !r->nr_sites ||
	    (len - sizeof(*h)) / sizeof(*r->ops) != r->nr_ops) {
		pr_err("replay: the op list is truncated\n");
		return -EINVAL;
	}
	r->ops = (const void *)(h + 1);
	r->site_size = vcalloc(r->nr_sites, sizeof(*r->site_size));
	r->obj_site = vmalloc_array(r->nr_allocs, sizeof(*r->obj_site));
	r->obj_size = vmalloc_array(r->nr_allocs, sizeof(*r->obj_size));
	r->objs = vcalloc(r->nr_allocs, sizeof(*r->objs));
	r->hc = vcalloc(r->nr_sites, sizeof(*r->hc));
	r->kc = vcalloc(r->nr_sites, sizeof(*r->kc));
	if (!r->site_size || !r->obj_site || !r->obj_size || !r->objs ||
	    !r->hc || !r->kc)
		return -ENOMEM;
	for (i = 0; i < r->nr_ops; i++) {
		u32 w0 = le32_to_cpu(r->ops[i].w0), w1 = le32_to_cpu(r->ops[i].w1);
		u32 site = w0 & HBENCH_REPLAY_SITE;

		if (w0 & HBENCH_REPLAY_FREE) {
			/* Each id is freed at most once, after its allocation. */
			if (w1 >= id || (r->obj_size[w1] & BIT(31)))
				goto bad;
			live -= r->obj_size[w1];
			r->obj_size[w1] |= BIT(31);
			continue;
		}
		if (id == r->nr_allocs || site >= r->nr_sites || !w1 ||
		    w1 >= BIT(31))
			goto bad;
		r->obj_site[id] = site;
		r->obj_size[id++] = w1;
		r->site_size[site] = max(r->site_size[site], w1);
		live += w1;
		if (live > r->peak_bytes) {
			r->peak_bytes = live;
			r->peak_op = i;
		}
	}
	if (id != r->nr_allocs)
		goto bad;
	for (i = 0; i < r->nr_allocs; i++)
		r->obj_size[i] &= ~BIT(31);
	return 0;
bad:
	pr_err("replay: op %u of the op list is inconsistent\n", i);
	return -EINVAL;
}

static void hbench_replay_caches_destroy(struct hbench_replay *r)
{
	u32 s;

	for (s = 0; s < r->nr_sites; s++) {
		if (r->hc[s])
			hakmem_cache_destroy(r->hc[s]);
		kmem_cache_destroy(r->kc[s]);
		r->hc[s] = NULL;
		r->kc[s] = NULL;
	}
}

#ifdef SLAB_NO_MERGE
#define HBENCH_REPLAY_KC_FLAGS	SLAB_NO_MERGE
#else
#define HBENCH_REPLAY_KC_FLAGS	0
#endif

/* One cache per call site on @side, of the largest size asked there. */
static int hbench_replay_caches_create(struct hbench_replay *r,
				       enum hbench_side side)
{
	char name[32];
	u32 s;

	for (s = 0; s < r->nr_sites; s++) {
		if (r->site_size[s] > HBENCH_REPLAY_CACHE_MAX)
			continue;
		/* Both copy the name. */
		snprintf(name, sizeof(name), "hbench_site_%u", s);
		if (side == HBENCH_HAKMEM)
			r->hc[s] = hakmem_cache_create(name, r->site_size[s], 0,
						       0, NULL);
		else
			r->kc[s] = kmem_cache_create(name, r->site_size[s], 0,
						     HBENCH_REPLAY_KC_FLAGS,
						     NULL);
		if (side == HBENCH_HAKMEM ? !r->hc[s] : !r->kc[s]) {
			hbench_replay_caches_destroy(r);
			return -ENOMEM;
		}
	}
	return 0;
}

static __always_inline void *hbench_replay_alloc(const enum hbench_side side,
						 const enum hbench_api api,
						 const struct hbench_replay *r,
						 u32 site, u32 size)
{
	if (api == HBENCH_API_CACHE) {
		if (side == HBENCH_HAKMEM && r->hc[site])
			return hakmem_cache_alloc(r->hc[site], GFP_KERNEL);
		if (side == HBENCH_KERNEL && r->kc[site])
			return kmem_cache_alloc(r->kc[site], GFP_KERNEL);
		return kmalloc(size, GFP_KERNEL);
	}
	return side == HBENCH_HAKMEM ? hakmem_alloc(size, GFP_KERNEL) :
				       kmalloc(size, GFP_KERNEL);
}

static __always_inline void hbench_replay_free(const enum hbench_side side,
					       const enum hbench_api api,
					       const struct hbench_replay *r,
					       u32 site, void *obj)
{
	if (api == HBENCH_API_CACHE) {
		if (side == HBENCH_HAKMEM && r->hc[site])
			hakmem_cache_free(r->hc[site], obj);
		else if (side == HBENCH_KERNEL && r->kc[site])
			kmem_cache_free(r->kc[site], obj);
		else
			kfree(obj);
	} else if (side == HBENCH_HAKMEM) {
		hakmem_free(obj);
	} else {
		kfree(obj);
	}
}

/*
 * Replay ops [@from, @to) of the list; @next_id is the id of the next
 * allocation.  The loop the timed rows measure: one load of the op, one
 * allocator call, one store of the pointer, as a kernel caller would.
 */
static __always_inline int __hbench_replay_ops(const enum hbench_side side,
					       const enum hbench_api api,
					       struct hbench_replay *r,
					       u32 from, u32 to, u32 *next_id)
{
	u32 i, id = *next_id;
	void *p;

	for (i = from; i < to; i++) {
		u32 w0 = le32_to_cpu(r->ops[i].w0), w1 = le32_to_cpu(r->ops[i].w1);

		if (w0 & HBENCH_REPLAY_FREE) {
			p = r->objs[w1];
			r->objs[w1] = NULL;
			hbench_replay_free(side, api, r, r->obj_site[w1], p);
			continue;
		}
		p = hbench_replay_alloc(side, api, r, w0 & HBENCH_REPLAY_SITE, w1);
		if (unlikely(!p)) {
			*next_id = id;
			return -ENOMEM;
		}
		/* One byte: the trace asks for sizes under a word too. */
		WRITE_ONCE(*(u8 *)p, (u8)i);
		r->objs[id++] = p;
	}
	*next_id = id;
	return 0;
}

static noinline int hbench_replay_ops(const struct hbench_target *t,
				      struct hbench_replay *r, u32 from, u32 to,
				      u32 *next_id)
{
	switch (hbench_variant(t)) {
	case HBENCH_V_HAKMEM_CACHE:
		return __hbench_replay_ops(HBENCH_HAKMEM, HBENCH_API_CACHE, r,
					   from, to, next_id);
	case HBENCH_V_HAKMEM_TINY:
		return __hbench_replay_ops(HBENCH_HAKMEM, HBENCH_API_TINY, r,
					   from, to, next_id);
	case HBENCH_V_KERNEL_CACHE:
		return __hbench_replay_ops(HBENCH_KERNEL, HBENCH_API_CACHE, r,
					   from, to, next_id);
	default:
		return __hbench_replay_ops(HBENCH_KERNEL, HBENCH_API_TINY, r,
					   from, to, next_id);
	}
}

/* Free what is still live, outside any timed region. */
static void hbench_replay_free_live(const struct hbench_target *t,
				    struct hbench_replay *r, u32 nr_ids)
{
	u32 id;

	for (id = 0; id < nr_ids; id++) {
		void *p = r->objs[id];

		if (!p)
			continue;
		r->objs[id] = NULL;
		if (t->api == HBENCH_API_CACHE) {
			if (t->side == HBENCH_HAKMEM)
				hbench_replay_free(HBENCH_HAKMEM, HBENCH_API_CACHE,
						   r, r->obj_site[id], p);
			else
				hbench_replay_free(HBENCH_KERNEL, HBENCH_API_CACHE,
						   r, r->obj_site[id], p);
		} else {
			hbench_free_one(t, p);
		}
		if (id % 4096 == 0)
			cond_resched();
	}
}

/* One timed replay of the whole list on @t: ns per op, in thousandths. */
static int hbench_replay_sample(const struct hbench_target *t,
				struct hbench_replay *r, u64 *val)
{
	u32 id = 0;
	u64 start, ns;
	int err;

	start = ktime_get_ns();
	err = hbench_replay_ops(t, r, 0, r->nr_ops, &id);
	ns = ktime_get_ns() - start;
	hbench_replay_free_live(t, r, id);
	if (err)
		return err;
	*val = div64_u64(max_t(u64, ns, 1) * 1000, r->nr_ops);
	return 0;
}

/*
 * Slab pages, exactly: the global counter lags by the per-CPU deltas not
 * yet folded into it (tens of pages), a fair share of a trace's peak.
 */
static long hbench_replay_slab_pages(void)
{
	long pages = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
	int nid, cpu;

	for_each_online_node(nid)
		for_each_online_cpu(cpu)
			pages += per_cpu_ptr(NODE_DATA(nid)->per_cpu_nodestats,
					     cpu)->vm_node_stat_diff[NR_SLAB_UNRECLAIMABLE_B];
	return pages;
}

/* Size buckets of the profile: up to 8, 16, ... 1024 bytes, then larger. */
#define HBENCH_REPLAY_BUCKETS	9

static unsigned int hbench_replay_bucket(u32 size)
{
	return size <= 8 ? 0 : min_t(unsigned int, fls(size - 1) - 3,
				     HBENCH_REPLAY_BUCKETS - 1);
}

/*
 * Where a side's instructions go: the tiny face replayed once more, each
 * op timed alone, summed per size bucket for allocations and frees.  What
 * two back-to-back clock reads cost is taken off each op; under icount
 * that makes the sums instructions spent in the allocator (and the one
 * byte written).  One line per bucket for people, one JSON line.
 */
static int hbench_replay_profile(const struct hbench_target *t,
				 struct hbench_replay *r)
{
	u64 an[HBENCH_REPLAY_BUCKETS] = {}, ans[HBENCH_REPLAY_BUCKETS] = {};
	u64 fn[HBENCH_REPLAY_BUCKETS] = {}, fns[HBENCH_REPLAY_BUCKETS] = {};
	const char *side = t->side == HBENCH_HAKMEM ? "hakmem" : "kernel";
	u64 t0, t1, floor = U64_MAX;
	size_t len = 960, pos = 0;
	unsigned int b;
	u32 i, id = 0;
	char *buf;
	int err = 0;

	for (i = 0; i < 64; i++) {
		t0 = ktime_get_ns();
		t1 = ktime_get_ns();
		floor = min(floor, t1 - t0);
	}
	for (i = 0; i < r->nr_ops && !err; i++) {
		u32 w0 = le32_to_cpu(r->ops[i].w0), w1 = le32_to_cpu(r->ops[i].w1);

		t0 = ktime_get_ns();
		err = hbench_replay_ops(t, r, i, i + 1, &id);
		t1 = ktime_get_ns() - t0;
		t1 = t1 > floor ? t1 - floor : 0;
		if (w0 & HBENCH_REPLAY_FREE) {
			b = hbench_replay_bucket(r->obj_size[w1]);
			fn[b]++;
			fns[b] += t1;
		} else {
			b = hbench_replay_bucket(w1);
			an[b]++;
			ans[b] += t1;
		}
		if (i % 4096 == 0)
			cond_resched();
	}
	hbench_replay_free_live(t, r, id);
	if (err)
		return err;
	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	pos += scnprintf(buf + pos, len - pos,
			 "{\"v\":1,\"scenario\":\"replay_tiny\",\"side\":\"%s\",\"clock_floor\":%llu,\"buckets\":[",
			 side, floor);
	for (b = 0; b < HBENCH_REPLAY_BUCKETS; b++) {
		pr_info("replay_tiny profile: %s size %s%5u: alloc %7llu x %4llu ns, free %7llu x %4llu ns\n",
			side, b == HBENCH_REPLAY_BUCKETS - 1 ? ">" : "<=",
			b == HBENCH_REPLAY_BUCKETS - 1 ? 1024 : 8 << b, an[b],
			an[b] ? div64_u64(ans[b], an[b]) : 0, fn[b],
			fn[b] ? div64_u64(fns[b], fn[b]) : 0);
		pos += scnprintf(buf + pos, len - pos,
				 "%s[%u,%llu,%llu,%llu,%llu]", b ? "," : "",
				 b == HBENCH_REPLAY_BUCKETS - 1 ? 0 : 8 << b,
				 an[b], ans[b], fn[b], fns[b]);
	}
	pos += scnprintf(buf + pos, len - pos, "]}");
	pr_info("HAKMEM_REPLAY_PROFILE %s\n", buf);
	kfree(buf);
	return 0;
}

/*
 * The hakmem caches @t allocates from, one per call: the site caches of
 * the cache face, or each tiny class once (they serve ranges of sizes, in
 * order).  *@pos starts at 0; NULL when there are no more.
 */
static struct hakmem_cache *hbench_replay_next(const struct hbench_target *t,
					       struct hbench_replay *r, u32 *pos)
{
	struct hakmem_cache *s;

	if (t->api == HBENCH_API_CACHE) {
		while (*pos < r->nr_sites)
			if (r->hc[(*pos)++])
				return r->hc[*pos - 1];
		return NULL;
	}
	while (++*pos <= HAKMEM_MAX_TINY_SIZE) {
		s = hakmem_tiny_cache(*pos);
		if (*pos == 1 || s != hakmem_tiny_cache(*pos - 1))
			return s;
	}
	return NULL;
}

/* Slab pages, plus hakmem's SuperSlabs of the caches @t allocates from. */
static long hbench_replay_pages(const struct hbench_target *t,
				struct hbench_replay *r)
{
	long pages = hbench_replay_slab_pages();
	struct hakmem_cache *s;
	unsigned long dummy;
	u32 pos = 0;

	if (t->side != HBENCH_HAKMEM)
		return pages;
	while ((s = hbench_replay_next(t, r, &pos)))
		pages += hbench_hakmem_pages(s, &dummy);
	return pages;
}

/**
 * struct hbench_replay_split - where hakmem's pages are, at its peak
 * @live: bytes of the objects out (a stride each)
 * @mag: bytes of the free objects in per-CPU magazines
 * @slab_free: bytes of the free objects in slabs in use (carved or not)
 * @tails: bytes at the end of slabs in use that no object fits
 * @empty: bytes of EMPTY slabs
 * @unused: bytes of FREE slabs (SuperSlab room not yet used)
 * @slab_pages: growth of the slab counter since the pass began: hakmem's
 *              SuperSlab descriptors, and any other slab user meanwhile
 * @one_slab: caches that hold a single slab
 * @one_slab_bytes: the bytes of those slabs
 */
struct hbench_replay_split {
	u64 live;
	u64 mag;
	u64 slab_free;
	u64 tails;
	u64 empty;
	u64 unused;
	long slab_pages;
	u32 one_slab;
	u64 one_slab_bytes;
};

/* Sort the SuperSlab pages of @t's caches into @sp, now. */
static void hbench_replay_split_take(const struct hbench_target *t,
				     struct hbench_replay *r, long slab_start,
				     struct hbench_replay_split *sp)
{
	struct hakmem_cache *s;
	unsigned long flags;
	u32 pos = 0;
	int nid, cpu;

	memset(sp, 0, sizeof(*sp));
	sp->slab_pages = hbench_replay_slab_pages() - slab_start;
	while ((s = hbench_replay_next(t, r, &pos))) {
		u64 stride = hakmem_stride(s), bytes = PAGE_SIZE << s->slab_order;
		u64 pcp = 0, inuse = 0, used = 0, slabs = 0;

		for_each_possible_cpu(cpu)
			pcp += READ_ONCE(per_cpu_ptr(s->pcp, cpu)->count);
		for_each_node(nid) {
			struct hakmem_node *n = s->node[nid];

			spin_lock_irqsave(&n->lock, flags);
			/* In use: neither FREE (in a SuperSlab) nor EMPTY. */
			used += n->nr_slabs - n->nr_free_slabs - n->nr_empty;
			inuse += n->nr_inuse;
			slabs += n->nr_slabs;
			sp->empty += n->nr_empty * bytes;
			sp->unused += n->nr_free_slabs * bytes;
			spin_unlock_irqrestore(&n->lock, flags);
		}
		/* A node's in-use count takes in its objects in magazines. */
		pcp = min(pcp, inuse);
		sp->live += (inuse - pcp) * stride;
		sp->mag += pcp * stride;
		sp->slab_free += (used * s->capacity - inuse) * stride;
		sp->tails += used * (bytes - s->capacity * stride);
		if (slabs == 1) {
			sp->one_slab++;
			sp->one_slab_bytes += bytes;
		}
	}
}

static unsigned long hbench_replay_split_pages(u64 bytes)
{
	return DIV_ROUND_CLOSEST_ULL(bytes, PAGE_SIZE);
}

/* The split of hakmem's peak, for people and as one JSON line. */
static void hbench_replay_split_print(const char *row,
				      const struct hbench_replay_split *sp,
				      long peak)
{
	unsigned long live = hbench_replay_split_pages(sp->live);
	unsigned long mag = hbench_replay_split_pages(sp->mag);
	unsigned long slab_free = hbench_replay_split_pages(sp->slab_free);
	unsigned long tails = hbench_replay_split_pages(sp->tails);
	unsigned long empty = hbench_replay_split_pages(sp->empty);
	unsigned long unused = hbench_replay_split_pages(sp->unused);
	unsigned long one_slab = hbench_replay_split_pages(sp->one_slab_bytes);

	pr_info("%s: hakmem at its peak of %ld pages: live %lu, magazines %lu, free in slabs %lu, slab tails %lu, empty slabs %lu, free slabs %lu, slab counter %+ld; %u caches of one slab (%lu pages)\n",
		row, peak, live, mag, slab_free, tails, empty, unused,
		sp->slab_pages, sp->one_slab, one_slab);
	pr_info("HAKMEM_REPLAY_PAGES {\"v\":1,\"scenario\":\"%s\",\"pages\":%ld,\"live\":%lu,\"magazines\":%lu,\"slab_free\":%lu,\"tails\":%lu,\"empty\":%lu,\"free_slabs\":%lu,\"slab_counter\":%ld,\"one_slab_caches\":%u,\"one_slab_pages\":%lu}\n",
		row, peak, live, mag, slab_free, tails, empty, unused,
		sp->slab_pages, sp->one_slab, one_slab);
}

struct hbench_replay_class {
	u32 size;		/* what the side gives */
	u32 live;		/* live objects of that size at the peak */
	u64 asked;		/* the bytes they asked for */
};

static int hbench_replay_cmp_class(const void *a, const void *b)
{
	const struct hbench_replay_class *x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

/* The size @t gave object @id (what it holds, not what was asked). */
static size_t hbench_replay_given(const struct hbench_target *t,
				  struct hbench_replay *r, u32 id)
{
	u32 site = r->obj_site[id];

	if (t->api == HBENCH_API_CACHE) {
		if (t->side == HBENCH_HAKMEM && r->hc[site])
			return hakmem_cache_size(r->hc[site]);
		if (t->side == HBENCH_KERNEL && r->kc[site])
			return kmem_cache_size(r->kc[site]);
		return ksize(r->objs[id]);
	}
	return t->side == HBENCH_HAKMEM ? hakmem_ksize(r->objs[id]) :
					  ksize(r->objs[id]);
}

/*
 * At the peak: the live objects of each size @t gives, and the bytes the
 * rounding wastes, as a line for people per size and one JSON line.
 */
static void hbench_replay_waste(const char *row, const struct hbench_target *t,
				struct hbench_replay *r, u32 nr_ids)
{
	struct hbench_replay_class *cl;
	u64 asked = 0, given = 0;
	unsigned int n = 0, k;
	/* The JSON line must fit one printk record (1024 bytes). */
	size_t len = 960, pos = 0;
	char *buf;
	u32 id;

	cl = kcalloc(HBENCH_REPLAY_CLASSES, sizeof(*cl), GFP_KERNEL);
	buf = kmalloc(len, GFP_KERNEL);
	if (!cl || !buf)
		goto out;
	for (id = 0; id < nr_ids; id++) {
		size_t size;

		if (!r->objs[id])
			continue;
		size = hbench_replay_given(t, r, id);
		for (k = 0; k < n && cl[k].size != size; k++)
			;
		if (k == n) {
			/* Past the table: into the last entry, said below. */
			if (n == HBENCH_REPLAY_CLASSES)
				k = n - 1;
			else
				cl[n++].size = size;
		}
		cl[k].live++;
		cl[k].asked += r->obj_size[id];
		asked += r->obj_size[id];
		given += size;
	}
	sort(cl, n, sizeof(*cl), hbench_replay_cmp_class, NULL);
	pr_info("%s: %s at the peak: %llu bytes asked, %llu given, %llu%% wasted%s\n",
		row, t->side == HBENCH_HAKMEM ? "hakmem" : "kernel", asked,
		given, given ? div64_u64((given - asked) * 100, given) : 0,
		n == HBENCH_REPLAY_CLASSES ? " (the largest sizes merged)" : "");
	pos += scnprintf(buf + pos, len - pos,
			 "{\"v\":1,\"scenario\":\"%s\",\"side\":\"%s\",\"peak_op\":%u,\"asked\":%llu,\"given\":%llu,\"classes\":[",
			 row, t->side == HBENCH_HAKMEM ? "hakmem" : "kernel",
			 r->peak_op, asked, given);
	for (k = 0; k < n; k++) {
		u64 g = (u64)cl[k].size * cl[k].live;

		pr_info("%s: %s size %6u: %7u live, %9llu B asked, %9llu B wasted (%llu%%)\n",
			row, t->side == HBENCH_HAKMEM ? "hakmem" : "kernel",
			cl[k].size, cl[k].live, cl[k].asked, g - cl[k].asked,
			g ? div64_u64((g - cl[k].asked) * 100, g) : 0);
		/* Room for the entry and the closing brackets, or stop. */
		if (pos + 40 < len)
			pos += scnprintf(buf + pos, len - pos, "%s[%u,%u,%llu]",
					 k ? "," : "", cl[k].size, cl[k].live,
					 cl[k].asked);
	}
	pos += scnprintf(buf + pos, len - pos, "]}");
	pr_info("HAKMEM_REPLAY_WASTE %s\n", buf);
out:
	kfree(buf);
	kfree(cl);
}

/*
 * The memory pass on @t: the most pages held while the list replays
 * (sampled every HBENCH_REPLAY_MEM_EVERY ops and at the trace's peak), over
 * what was held before; the waste table at the peak when @waste.  On
 * hakmem's side, where its pages were at the first sample of that most.
 * Not inlined: its frame would join hbench_replay_face()'s, past 1 KiB
 * under KASAN.
 */
static noinline int hbench_replay_mem_one(const char *row,
					  const struct hbench_target *t,
					  struct hbench_replay *r, bool waste,
					  u64 *peak)
{
	struct hbench_replay_split split = {};
	long before, now, most = 0, slab_start;
	u32 i, to, id = 0;
	int err = 0;

	/* What an earlier pass freed through RCU must leave the counter first. */
	rcu_barrier();
	before = hbench_replay_pages(t, r);
	slab_start = hbench_replay_slab_pages();
	for (i = 0; i < r->nr_ops && !err; i = to) {
		to = min(i + HBENCH_REPLAY_MEM_EVERY, r->nr_ops);
		if (i <= r->peak_op && r->peak_op < to)
			to = r->peak_op + 1;
		err = hbench_replay_ops(t, r, i, to, &id);
		now = hbench_replay_pages(t, r);
		if (t->side == HBENCH_HAKMEM && now - before > most)
			hbench_replay_split_take(t, r, slab_start, &split);
		most = max(most, now - before);
		if (to == r->peak_op + 1 && waste)
			hbench_replay_waste(row, t, r, id);
		cond_resched();
	}
	hbench_replay_free_live(t, r, id);
	if (t->side == HBENCH_HAKMEM && !err)
		hbench_replay_split_print(row, &split, most);
	*peak = most * 1000;
	return err;
}

/*
 * Empty slabs the timed runs left in the shared caches (the tiny classes,
 * kmalloc's) go back before a memory pass: it counts from a clean start.
 */
static void hbench_replay_shrink_shared(void)
{
	struct hakmem_cache *last = NULL, *s;
	unsigned int i;

	for (i = 1; i <= HAKMEM_MAX_TINY_SIZE; i++) {
		s = hakmem_tiny_cache(i);
		if (s == last)
			continue;
		last = s;
		hakmem_cache_shrink(s);
	}
	for (i = 0; i < ARRAY_SIZE(kmalloc_caches[KMALLOC_NORMAL]); i++)
		if (kmalloc_caches[KMALLOC_NORMAL][i])
			kmem_cache_shrink(kmalloc_caches[KMALLOC_NORMAL][i]);
}

/* Build the per-site caches of @t's side (for the cache face). */
static int hbench_replay_target(struct hbench_target *t, struct hbench_replay *r,
				enum hbench_side side, enum hbench_api api)
{
	memset(t, 0, sizeof(*t));
	t->side = side;
	t->api = api;
	if (api != HBENCH_API_CACHE)
		return 0;
	return hbench_replay_caches_create(r, side);
}

/* The rows of one face: time over hbench_reps samples, then memory. */
static int hbench_replay_face(struct hbench_replay *r, enum hbench_api api)
{
	static const enum hbench_slot order[2][HBENCH_NR_SLOTS] = {
		{ HBENCH_SLOT_HAKMEM, HBENCH_SLOT_KERNEL, HBENCH_SLOT_AA },
		{ HBENCH_SLOT_AA, HBENCH_SLOT_KERNEL, HBENCH_SLOT_HAKMEM },
	};
	/* As hbench_mem(): hakmem last, its metadata drains late. */
	static const enum hbench_slot mem_order[HBENCH_NR_SLOTS] = {
		HBENCH_SLOT_KERNEL, HBENCH_SLOT_AA, HBENCH_SLOT_HAKMEM
	};
	const char *face = api == HBENCH_API_CACHE ? "cache" : "tiny";
	struct hbench_scn scn = {
		.group = "replay", .api = api, .unit = "ns/op",
		.objs = r->nr_ops,
	};
	struct hbench_target tg[2];
	u64 (*v)[HBENCH_MAX_REPS];
	unsigned int n, k;
	u64 warm;
	int err;

	v = kcalloc(HBENCH_NR_SLOTS, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	err = hbench_replay_target(&tg[HBENCH_HAKMEM], r, HBENCH_HAKMEM, api);
	if (!err)
		err = hbench_replay_target(&tg[HBENCH_KERNEL], r, HBENCH_KERNEL, api);
	/* One untimed warm-up per side, then interleaved samples. */
	if (!err)
		err = hbench_replay_sample(&tg[HBENCH_HAKMEM], r, &warm);
	if (!err)
		err = hbench_replay_sample(&tg[HBENCH_KERNEL], r, &warm);
	for (n = 0; n < hbench_reps && !err; n++) {
		for (k = 0; k < HBENCH_NR_SLOTS && !err; k++) {
			enum hbench_slot slot = order[n % 2][k];

			if (slot == HBENCH_SLOT_AA && !hbench_aa)
				continue;
			err = hbench_replay_sample(slot == HBENCH_SLOT_HAKMEM ?
						   &tg[HBENCH_HAKMEM] :
						   &tg[HBENCH_KERNEL], r,
						   &v[slot][n]);
			cond_resched();
		}
		if (!err && hbench_stopping())
			err = -EINTR;
	}
	hbench_replay_caches_destroy(r);
	if (err)
		goto out;
	snprintf(scn.name, sizeof(scn.name), "replay_%s", face);
	hbench_emit(&scn, v, hbench_reps, hbench_aa, "");
	if (api == HBENCH_API_TINY) {
		err = hbench_replay_profile(&tg[HBENCH_HAKMEM], r);
		if (!err)
			err = hbench_replay_profile(&tg[HBENCH_KERNEL], r);
		if (err)
			goto out;
	}

	/* Memory: fresh caches per pass, one pass per slot. */
	memset(v, 0, HBENCH_NR_SLOTS * sizeof(*v));
	snprintf(scn.name, sizeof(scn.name), "replay_mem_%s", face);
	for (k = 0; k < HBENCH_NR_SLOTS && !err; k++) {
		enum hbench_slot slot = mem_order[k];
		enum hbench_side side = slot == HBENCH_SLOT_HAKMEM ?
					HBENCH_HAKMEM : HBENCH_KERNEL;

		if (slot == HBENCH_SLOT_AA && !hbench_aa)
			continue;
		hbench_replay_shrink_shared();
		err = hbench_replay_target(&tg[side], r, side, api);
		/*
		 * The waste table for the size classes of the tiny face; a
		 * per-site cache's object is the site's largest size on both
		 * sides.
		 */
		if (!err)
			err = hbench_replay_mem_one(scn.name, &tg[side], r,
						    slot != HBENCH_SLOT_AA &&
						    api == HBENCH_API_TINY,
						    &v[slot][0]);
		hbench_replay_caches_destroy(r);
	}
	if (!err) {
		scn.unit = "pages";
		hbench_emit(&scn, v, 1, hbench_aa, "");
	}
out:
	if (err)
		pr_err("replay_%s: failed: %d\n", face, err);
	kfree(v);
	return err;
}

/**
 * hbench_replay - the trace replay rows (replay_tiny, replay_cache and
 * their replay_mem_* memory rows)
 *
 * Return: 0, or the first error.
 */
int hbench_replay(void)
{
	struct hbench_replay r = {};
	int err;

	err = hbench_replay_load(&r);
	if (!err) {
		pr_info("replay: %u ops, %u allocations, %u call sites; live bytes peak at op %u (%llu bytes asked)\n",
			r.nr_ops, r.nr_allocs, r.nr_sites, r.peak_op,
			r.peak_bytes);
		err = hbench_replay_face(&r, HBENCH_API_TINY);
	}
	if (!err && !hbench_stopping())
		err = hbench_replay_face(&r, HBENCH_API_CACHE);
	vfree(r.kc);
	vfree(r.hc);
	vfree(r.objs);
	vfree(r.obj_size);
	vfree(r.obj_site);
	vfree(r.site_size);
	if (err)
		pr_err("replay: failed: %d\n", err);
	return err;
}
