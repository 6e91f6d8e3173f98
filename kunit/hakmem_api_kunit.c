// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite hakmem_api: allocation and free through both faces, zeroing,
 * constructors, bulk calls, growth over many SuperSlabs, the slab
 * lifecycle (FREE, PARTIAL, FULL, EMPTY) and NUMA placement.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "hakmem_test.h"

/* Allocate, use, free; the counters see every call exactly once. */
static void hakmem_api_alloc_free(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	struct hk_stats s0, s1;
	struct hk_slab_info si;
	unsigned long inuse0;
	unsigned int i, j, nr;
	struct hk_vec *v;
	void *obj;

	nr = 3 * c->mag_size + c->batch + 1;
	v = hk_vec_new(test, f, nr);
	inuse0 = hk_drained_inuse(c);
	hk_stats_read(c, &s0);
	for (i = 0; i < nr; i++) {
		obj = hk_vec_alloc(test, v, GFP_KERNEL);
		hk_check_obj(test, c, obj, &si);
		if (f->tiny && is_power_of_2(f->size))
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)obj, f->size));
		if (f->tiny)
			KUNIT_EXPECT_GE(test, hakmem_ksize(obj), (size_t)f->size);
		hk_fill(obj, f->size);
	}
	for (i = 0; i < nr; i++)
		for (j = i + 1; j < nr; j++)
			KUNIT_ASSERT_PTR_NE(test, v->objs[i], v->objs[j]);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_TRUE_MSG(test, hk_check(v->objs[i], f->size),
				      "object %u damaged while live", i);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0 + nr);
	/* Free in an order other than allocation's. */
	for (i = 0; i < v->nr; i += 2)
		hk_vec_free(v, i);
	hk_vec_free_all(v);
	hk_stats_read(c, &s1);
	KUNIT_EXPECT_EQ(test, hk_allocs(&s0, &s1), (long)nr);
	KUNIT_EXPECT_EQ(test, hk_frees(&s0, &s1), (long)nr);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_INVALID_FREE), 0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_DOUBLE_FREE), 0);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_CORRUPTION), 0);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
}

/* __GFP_ZERO zeroes every byte of the object, even a recycled one. */
static void hakmem_api_zero(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	unsigned int i, nr = 2 * f->cache->batch + 2;
	struct hk_vec *v;
	void *obj;

	if (f->cache->ctor)
		kunit_skip(test, "__GFP_ZERO and a constructor do not mix");
	hk_pin(test);
	v = hk_vec_new(test, f, nr);
	for (i = 0; i < nr; i++)
		memset(hk_vec_alloc(test, v, GFP_KERNEL), 0xff, f->size);
	hk_vec_free_all(v);
	for (i = 0; i < nr; i++) {
		obj = hk_vec_alloc(test, v, GFP_KERNEL | __GFP_ZERO);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(obj, 0, f->size),
				      "object %u not zeroed", i);
	}
	hk_vec_free_all(v);
	if (f->tiny) {
		obj = hakmem_zalloc(f->size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0, f->size));
		hakmem_free(obj);
	} else {
		obj = hakmem_cache_zalloc(f->cache, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0, f->size));
		hakmem_cache_free(f->cache, obj);
	}
}

/* Size 0, NULL, ZERO_SIZE_PTR and the kmalloc() side of hakmem_alloc(). */
static void hakmem_api_special_sizes(struct kunit *test)
{
	static const size_t big[] = { 1025, 2048, 4096, 5000, 65536, 1 << 20 };
	unsigned int i;
	void *obj;
	int nid;

	KUNIT_EXPECT_PTR_EQ(test, hakmem_alloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, hakmem_zalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	hakmem_free(NULL);
	hakmem_free(ZERO_SIZE_PTR);
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		obj = hakmem_alloc(big[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		KUNIT_EXPECT_NULL_MSG(test, hk_cache_of(obj),
				      "%zu bytes served by a tiny class", big[i]);
		KUNIT_EXPECT_EQ(test, hakmem_ksize(obj), ksize(obj));
		KUNIT_EXPECT_GE(test, hakmem_ksize(obj), big[i]);
		if (is_power_of_2(big[i]))
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)obj, big[i]));
		memset(obj, 0x5a, big[i]);
		hakmem_free(obj);

		obj = hakmem_zalloc(big[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
		KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0, big[i]));
		hakmem_free(obj);

		for_each_node_state(nid, N_MEMORY) {
			obj = hakmem_alloc_node(big[i], GFP_KERNEL, nid);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
			KUNIT_EXPECT_NULL(test, hk_cache_of(obj));
			hakmem_free(obj);
		}
	}
}

/*
 * hk_ctor() ran once for each object made in @c's SuperSlabs (exactly, if
 * none was given back since hk_ctor_calls was reset), never for one made
 * already: whichever objects the refills carved, of whichever node.
 */
static void hk_expect_ctor_once(struct kunit *test, struct hakmem_cache *c,
				const char *when)
{
	long calls = atomic_long_read(&hk_ctor_calls);
	long made = hk_objs_made(c);

	if (!hakmem_stat_sum(c, HAKMEM_SS_FREE))
		KUNIT_EXPECT_EQ_MSG(test, calls, made, "%s, %s: constructor calls, objects made",
				    c->dbg_name, when);
	else
		KUNIT_EXPECT_GE_MSG(test, calls, made, "%s, %s: constructor calls, objects made",
				    c->dbg_name, when);
}

/* The constructor runs once per object per SuperSlab; its state survives. */
static void hakmem_api_ctor(struct kunit *test)
{
	static const struct hk_param ctors[] = {
		{ .desc = "hakmem_kunit_ctor", .size = 96, .ctor = true },
		{ .desc = "hakmem_kunit_ctor_rz", .size = 40, .ctor = true,
		  .flags = SLAB_RED_ZONE },
		{ .desc = "hakmem_kunit_ctor_rcu", .size = 128, .ctor = true,
		  .flags = SLAB_TYPESAFE_BY_RCU | SLAB_HWCACHE_ALIGN },
	};
	unsigned int k, i, j, nr, again;
	struct hk_node_snap ns;
	long calls, slots;
	struct hk_vec *v;
	struct hk_face *f;
	void **old;
	void *obj;
	int nid;

	hk_pin(test);
	for (k = 0; k < ARRAY_SIZE(ctors); k++) {
		atomic_long_set(&hk_ctor_calls, 0);
		f = hk_face_of(test, &ctors[k]);
		nr = 2 * f->cache->mag_size + 1;
		v = hk_vec_new(test, f, nr);
		old = kunit_kcalloc(test, nr, sizeof(void *), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, old);
		for (i = 0; i < nr; i++) {
			obj = hk_vec_alloc(test, v, GFP_KERNEL);
			KUNIT_EXPECT_EQ_MSG(test, *(u8 *)obj, HK_CTOR_BYTE,
					    "%s: object %u not constructed", ctors[k].desc, i);
			hk_fill(obj, f->size);
			old[i] = obj;
		}
		calls = atomic_long_read(&hk_ctor_calls);
		slots = 0;
		for_each_node(nid) {
			hk_node_read(f->cache, nid, &ns);
			slots += ns.nr_slabs * f->cache->capacity;
		}
		KUNIT_EXPECT_GE(test, calls, (long)nr);
		KUNIT_EXPECT_LE(test, calls, slots);
		hk_expect_ctor_once(test, f->cache, "first round");
		hk_vec_free_all(v);

		/* Objects coming back keep what the user left in them. */
		again = 0;
		for (i = 0; i < nr; i++) {
			obj = hk_vec_alloc(test, v, GFP_KERNEL);
			for (j = 0; j < nr && old[j] != obj; j++)
				;
			if (j == nr) {
				KUNIT_EXPECT_EQ(test, *(u8 *)obj, HK_CTOR_BYTE);
				continue;
			}
			again++;
			KUNIT_EXPECT_TRUE_MSG(test, hk_check(obj, f->size),
					      "%s: constructed state lost over free+alloc",
					      ctors[k].desc);
		}
		KUNIT_EXPECT_GT(test, again, 0U);
		/*
		 * Objects the first round made came back without their
		 * constructor (hk_check() above); any others were made now,
		 * by carving: on a CPU whose home node has no page its frees
		 * go back to their slabs, and a refill carves the rest of
		 * the first partial slab before it reaches the others.
		 */
		hk_expect_ctor_once(test, f->cache, "second round");
		hk_vec_free_all(v);
	}
}

/* Bulk allocation returns all it was asked for; bulk free takes it back. */
static void hakmem_api_bulk(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	unsigned int sizes[4], k, i, j, nr;
	struct hk_stats s0, s1;
	struct hk_slab_info si;
	unsigned long inuse0;
	void **objs;
	int got;

	sizes[0] = 1;
	sizes[1] = 7;
	sizes[2] = c->batch + 3;
	sizes[3] = 3 * c->mag_size + 5;
	inuse0 = hk_drained_inuse(c);
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		nr = sizes[k];
		objs = kunit_kcalloc(test, nr, sizeof(void *), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs);
		hk_stats_read(c, &s0);
		got = hakmem_cache_alloc_bulk(c, GFP_KERNEL, nr, objs);
		KUNIT_ASSERT_EQ_MSG(test, got, (int)nr, "bulk of %u", nr);
		for (i = 0; i < nr; i++) {
			hk_check_obj(test, c, objs[i], &si);
			hk_fill(objs[i], f->size);
			for (j = 0; j < i; j++)
				KUNIT_ASSERT_PTR_NE(test, objs[i], objs[j]);
		}
		for (i = 0; i < nr; i++)
			KUNIT_EXPECT_TRUE(test, hk_check(objs[i], f->size));
		KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0 + nr);
		hakmem_cache_free_bulk(c, nr, objs);
		hk_stats_read(c, &s1);
		KUNIT_EXPECT_EQ_MSG(test, hk_allocs(&s0, &s1), (long)nr,
				    "bulk of %u: ALLOC_HIT + ALLOC_MISS", nr);
		KUNIT_EXPECT_EQ_MSG(test, hk_frees(&s0, &s1), (long)nr,
				    "bulk of %u: FREE_HIT + FREE_MISS", nr);
		KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
		kunit_kfree(test, objs);
	}
}

/*
 * A cache keeps allocating across many SuperSlabs, and gives them back.
 * Each SuperSlab counts on the node its pages are on: the CPU's home node
 * when that has free pages, else wherever the page allocator found some
 * (a home node with every page taken, vm-run.sh --numa exhausted).
 */
static void hakmem_api_growth(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	unsigned long ss_cap, nr, i, nr_ss = 0, inuse = 0, *held;
	struct hk_node_snap ns;
	struct hk_stats s0, s1;
	struct hk_slab_info si;
	bool home_free;
	struct hk_vec *v;
	int nid, home;

	hk_pin(test);
	home = hakmem_home_node();
	held = kunit_kcalloc(test, nr_node_ids, sizeof(*held), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, held);
	ss_cap = (unsigned long)c->capacity << HAKMEM_SS_SLABS_SHIFT;
	nr = 4 * ss_cap;
	v = hk_vec_new(test, f, nr);
	hakmem_cache_shrink(c);
	home_free = hk_node_has_free_page(home);
	hk_stats_read(c, &s0);
	for (i = 0; i < nr; i++)
		hk_vec_alloc(test, v, GFP_KERNEL);
	hk_stats_read(c, &s1);
	home_free = home_free && hk_node_has_free_page(home);
	for (i = 0; i < nr; i++) {
		nid = page_to_nid(virt_to_page(v->objs[i]));
		held[nid]++;
		KUNIT_ASSERT_TRUE(test, hk_locate(c, v->objs[i], &si));
		KUNIT_EXPECT_EQ_MSG(test, si.ss->nid, nid, "object %lu", i);
	}
	for_each_node(nid) {
		hk_node_read(c, nid, &ns);
		if (ns.nr_ss || held[nid])
			kunit_info(test, "%lu objects: node %d%s: %lu SuperSlabs, %lu pages, %lu of the objects",
				   nr, nid, nid == home ? " (home)" : "", ns.nr_ss,
				   ns.nr_pages, held[nid]);
		KUNIT_EXPECT_GE_MSG(test, ns.nr_inuse, held[nid], "node %d", nid);
		nr_ss += ns.nr_ss;
		inuse += ns.nr_inuse;
	}
	if (home_free)
		KUNIT_EXPECT_EQ_MSG(test, held[home], nr,
				    "home node %d had free pages throughout", home);
	KUNIT_EXPECT_GE(test, nr_ss, 3UL);
	KUNIT_EXPECT_GE(test, hk_delta(&s0, &s1, HAKMEM_EXPAND), 3);
	KUNIT_EXPECT_EQ(test, hk_delta(&s0, &s1, HAKMEM_EXPAND_FAIL), 0);
	KUNIT_EXPECT_GE(test, inuse, nr);
	hk_vec_free_all(v);
	hk_expect_all_returned(test, c);
}

/*
 * The seed bug: a slab emptied and then re-initialised while still linked.
 * A slab leaves FREE once per trip: emptying it and using it again must
 * not initialise it again.
 */
static void hakmem_api_slab_lifecycle(struct kunit *test)
{
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	struct hk_slab_info target, si;
	struct hk_node_snap ns;
	struct hk_vec *v, *w;
	unsigned int i, inits, max;
	bool found = false;

	hk_pin(test);
	hakmem_cache_shrink(c);
	v = hk_fill_one_slab(test, f, &target);
	inits = target.inits;
	KUNIT_EXPECT_GE(test, inits, 1U);

	/* Give back the target's objects only; keep the others out. */
	for (i = 0; i < v->nr; ) {
		hk_locate(c, v->objs[i], &si);
		if (si.ss == target.ss && si.slab == target.slab)
			hk_vec_free(v, i);
		else
			i++;
	}
	hakmem_drain_all(c);
	hk_slab_read(c, &target);
	KUNIT_EXPECT_EQ(test, target.state, HAKMEM_SLAB_EMPTY);
	KUNIT_EXPECT_EQ(test, target.inits, inits);
	hk_node_read(c, target.ss->nid, &ns);
	KUNIT_EXPECT_GE(test, ns.nr_empty, 1UL);

	/* Allocate until the target hands out again: reused, not re-inited. */
	max = 2 * c->capacity + 2 * c->mag_size + 2 * c->batch;
	w = hk_vec_new(test, f, max);
	for (i = 0; i < max && !found; i++) {
		hk_check_obj(test, c, hk_vec_alloc(test, w, GFP_KERNEL), &si);
		found = si.ss == target.ss && si.slab == target.slab;
	}
	KUNIT_EXPECT_TRUE_MSG(test, found, "EMPTY slab not reused in %u allocations", max);
	hk_slab_read(c, &target);
	KUNIT_EXPECT_TRUE_MSG(test, target.state == HAKMEM_SLAB_PARTIAL ||
			      target.state == HAKMEM_SLAB_FULL,
			      "state %u after reuse", target.state);
	KUNIT_EXPECT_EQ_MSG(test, target.inits, inits,
			    "an EMPTY slab was initialised again");

	/* Everything back: every slab FREE, every SuperSlab returned. */
	hk_vec_free_all(w);
	hk_vec_free_all(v);
	hk_expect_all_returned(test, c);
}

/*
 * hakmem_cache_alloc_node() places objects on the node asked for, when
 * that node has free pages.  When it has none (vm-run.sh --numa
 * exhausted), the objects come from another node, as with the slab
 * allocator, and with __GFP_THISNODE from that node or not at all.
 */
static void hakmem_api_numa(struct kunit *test)
{
	static const gfp_t gfps[] = {
		GFP_KERNEL, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN
	};
	struct hk_face *f = hk_face(test);
	struct hakmem_cache *c = f->cache;
	unsigned int i, k, nr, nodes = 0, memless = 0, elsewhere, none;
	struct hk_slab_info si;
	unsigned long inuse0;
	bool free0, free1, marked;
	gfp_t gfp;
	struct hk_vec *v;
	void *obj;
	int nid, on;

	hk_pin(test);
	inuse0 = hk_drained_inuse(c);
	nr = c->mag_size + c->batch + 1;
	v = hk_vec_new(test, f, nr);
	for_each_node_state(nid, N_MEMORY) {
		nodes++;
		for (k = 0; k < ARRAY_SIZE(gfps); k++) {
			gfp = gfps[k];
			elsewhere = 0;
			none = 0;
			free0 = hk_node_has_free_page(nid);
			marked = false;
			for (i = 0; i < nr; i++) {
				marked |= hk_node_marked(c, nid);
				obj = hk_alloc_node(f, gfp, nid);
				marked |= hk_node_marked(c, nid);
				if (!obj) {
					/* The rest would fail the same way, as slowly. */
					none++;
					break;
				}
				v->objs[v->nr++] = obj;
				on = page_to_nid(virt_to_page(obj));
				hk_check_obj(test, c, obj, &si);
				KUNIT_EXPECT_EQ(test, si.ss->nid, on);
				elsewhere += on != nid;
			}
			free1 = hk_node_has_free_page(nid);
			hk_vec_free_all(v);
			if (elsewhere || none)
				kunit_info(test, "node %d (free page before: %d, after: %d, marked without pages: %d), %pGg: %u of %u objects from another node, %u NULL",
					   nid, free0, free1, marked, &gfp, elsewhere, nr, none);
			if (gfp & __GFP_THISNODE)
				KUNIT_EXPECT_EQ_MSG(test, elsewhere, 0U, "node %d, %pGg",
						    nid, &gfp);
			else
				KUNIT_EXPECT_EQ_MSG(test, none, 0U, "node %d, %pGg", nid, &gfp);
			/*
			 * A node with free pages throughout gives its own
			 * objects, unless hakmem found it without pages for a
			 * SuperSlab (an order-0 page free is not a SuperSlab's
			 * worth) or an earlier case did less than
			 * HAKMEM_NO_PAGES_MS ago: then it takes from other
			 * nodes on purpose, without retrying the page
			 * allocator on every miss (#10 item 4).
			 */
			if (free0 && free1 && !marked) {
				KUNIT_EXPECT_EQ_MSG(test, elsewhere, 0U, "node %d, %pGg",
						    nid, &gfp);
				KUNIT_EXPECT_EQ_MSG(test, none, 0U, "node %d, %pGg", nid, &gfp);
			}
		}
	}
	for_each_node(nid) {
		if (node_state(nid, N_MEMORY))
			continue;
		memless++;
		obj = hk_alloc_node(f, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN, nid);
		KUNIT_EXPECT_NULL_MSG(test, obj, "node %d has no memory", nid);
		if (obj)
			hk_free(f, obj);
	}
	obj = hk_alloc_node(f, GFP_KERNEL, NUMA_NO_NODE);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, obj);
	if (obj)
		hk_free(f, obj);
	kunit_info(test, "%u nodes with memory, %u without", nodes, memless);
	KUNIT_EXPECT_EQ(test, hk_drained_inuse(c), inuse0);
}

static struct kunit_case hakmem_api_cases[] = {
	KUNIT_CASE_PARAM(hakmem_api_alloc_free, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_api_zero, hk_faces_gen_params),
	KUNIT_CASE(hakmem_api_special_sizes),
	KUNIT_CASE(hakmem_api_ctor),
	KUNIT_CASE_PARAM(hakmem_api_bulk, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_api_growth, hk_faces_short_gen_params),
	KUNIT_CASE_PARAM(hakmem_api_slab_lifecycle, hk_faces_gen_params),
	KUNIT_CASE_PARAM(hakmem_api_numa, hk_faces_gen_params),
	{}
};

static struct kunit_suite hakmem_api_suite = {
	.name = "hakmem_api",
	.init = hk_case_init,
	.test_cases = hakmem_api_cases,
};

kunit_test_suite(hakmem_api_suite);
