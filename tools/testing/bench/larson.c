// SPDX-License-Identifier: GPL-2.0
/*
 * Larson server benchmark, written from its published description
 * (P. Larson and M. Krishnan, "Memory Allocation for Long-Running Server
 * Applications", ISMM 1998): each of T threads owns an array of chunks
 * blocks; it repeatedly frees a random slot and allocates a block of random
 * size in [min, max) into it; after rounds * chunks such replacements it
 * hands its array to a newly created successor thread and exits.  The
 * main thread lets this run for runtime seconds.  Throughput is
 * replacements (one free + one allocation) per second over all threads.
 *
 * usage: larson [-a alloc[,alloc...]] runtime min max chunks rounds seed threads
 * allocators: hakmem glibc mimalloc jemalloc tcmalloc (default: all);
 * "hakmem" is "hakmem-excl" in the build with exclusive vCPUs
 * (-DHK_VCPU_EXCLUSIVE: no vCPU lock, one thread per vCPU).
 * Each result is one line:
 *   RESULT alloc=NAME min=.. max=.. chunks=.. rounds=.. threads=T ops=N secs=S ops_per_sec=X
 * An allocator that cannot be loaded is a failure, not a skip: one line
 *   FAILED alloc=NAME (cannot load)
 * and exit status 1 once the others have run.  So is a hakmem run during
 * which the kernel emulation logged a WARN or an error (KERN_ERR or
 * worse): its figure measured the complaint, not the allocator.
 *   FAILED alloc=NAME (N WARNs, N errors: see stderr)
 *
 * The peers are loaded with dlopen(RTLD_LOCAL), so glibc's malloc stays the
 * process's own: mimalloc via mi_malloc/mi_free, tcmalloc via
 * tc_malloc/tc_free, jemalloc (Debian's exports unprefixed malloc/free) via
 * dlsym on its handle; its initial-exec TLS needs more static TLS than
 * glibc reserves for dlopen, so larson re-executes itself once with
 * GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if HAVE_HAKMEM
#include "hk/kernel.h"
#include "hakmem_slab.h"
#endif

struct allocator {
	const char *name;
	int (*init)(struct allocator *a);
	void *(*alloc)(size_t size);
	void (*free)(void *p);
	void (*thread_start)(int slot);
	void (*thread_end)(void);
	const char *lib, *alloc_sym, *free_sym;
};

static void nop_thread_start(int slot) { (void)slot; }
static void nop_thread_end(void) { }

static int dl_init(struct allocator *a)
{
	void *h = dlopen(a->lib, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "larson: %s: %s\n", a->name, dlerror());
		return -1;
	}
	a->alloc = (void *(*)(size_t))dlsym(h, a->alloc_sym);
	a->free = (void (*)(void *))dlsym(h, a->free_sym);
	if (!a->alloc || !a->free) {
		fprintf(stderr, "larson: %s: missing %s/%s\n", a->name, a->alloc_sym, a->free_sym);
		return -1;
	}
	return 0;
}

static int glibc_init(struct allocator *a)
{
	a->alloc = malloc;
	a->free = free;
	return 0;
}

#if HAVE_HAKMEM
static void *hk_larson_alloc(size_t size) { return hakmem_alloc(size, GFP_KERNEL); }
static void hk_larson_free(void *p) { hakmem_free(p); }
static void hk_larson_thread_start(int slot)
{
	if (hk_vcpu_bind(slot % hk_nr_cpus)) {
		fprintf(stderr, "larson: cannot bind vCPU %d\n", slot % hk_nr_cpus);
		abort();
	}
}
static void hk_larson_thread_end(void) { hk_vcpu_unbind(); }
static int hk_larson_init(struct allocator *a)
{
	(void)a;
	if (hk_module_init())
		return -1;
	hk_vcpu_unbind();	/* main never allocates; vCPUs are the workers' */
	return 0;
}

/* Complaints logged since the start: a run with any is no measurement. */
static bool hk_complained(const char *name)
{
	unsigned long w = READ_ONCE(hk_nr_warnings), e = READ_ONCE(hk_nr_errors);

	if (!w && !e)
		return false;
	printf("FAILED alloc=%s (%lu WARNs, %lu errors: see stderr)\n", name, w, e);
	return true;
}
#else
static bool hk_complained(const char *name) { (void)name; return false; }
#endif

#ifdef HK_VCPU_EXCLUSIVE
#define HK_LARSON_NAME	"hakmem-excl"
#else
#define HK_LARSON_NAME	"hakmem"
#endif

static struct allocator allocators[] = {
#if HAVE_HAKMEM
	{ HK_LARSON_NAME, hk_larson_init, hk_larson_alloc, hk_larson_free,
	  hk_larson_thread_start, hk_larson_thread_end, NULL, NULL, NULL },
#endif
	{ "glibc", glibc_init, NULL, NULL, nop_thread_start, nop_thread_end, NULL, NULL, NULL },
	{ "mimalloc", dl_init, NULL, NULL, nop_thread_start, nop_thread_end,
	  "libmimalloc.so.2", "mi_malloc", "mi_free" },
	{ "jemalloc", dl_init, NULL, NULL, nop_thread_start, nop_thread_end,
	  "libjemalloc.so.2", "malloc", "free" },
	{ "tcmalloc", dl_init, NULL, NULL, nop_thread_start, nop_thread_end,
	  "libtcmalloc_minimal.so.4", "tc_malloc", "tc_free" },
};

struct params {
	double runtime;
	size_t min, max;
	unsigned int chunks, rounds, threads;
	unsigned long seed;
};

struct slot {
	struct allocator *a;
	const struct params *p;
	int idx;
	void **blk;
	uint64_t rng;
	unsigned long ops;
	pthread_barrier_t *start;
	bool first;
} __attribute__((aligned(64)));

static volatile int stop_flag;
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static unsigned int done_count;

/* A 64-bit LCG (Knuth's MMIX constants), high bits used. */
static inline uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static inline size_t rnd_size(struct slot *sl)
{
	const struct params *p = sl->p;

	return p->min + (p->max > p->min ? rnd(&sl->rng) % (p->max - p->min) : 0);
}

static void *worker(void *arg);

static void spawn(struct slot *sl)
{
	pthread_t t;
	pthread_attr_t at;

	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, worker, sl)) {
		perror("larson: pthread_create");
		abort();
	}
	pthread_attr_destroy(&at);
}

static void *worker(void *arg)
{
	struct slot *sl = arg;
	struct allocator *a = sl->a;
	unsigned long n, todo = (unsigned long)sl->p->rounds * sl->p->chunks;
	unsigned int i;

	a->thread_start(sl->idx);
	if (sl->first) {
		for (i = 0; i < sl->p->chunks; i++) {
			sl->blk[i] = a->alloc(rnd_size(sl));
			*(volatile char *)sl->blk[i] = 'a';
		}
		sl->first = false;
		pthread_barrier_wait(sl->start);
	}
	for (n = 0; n < todo && !stop_flag; n++) {
		unsigned int v = rnd(&sl->rng) % sl->p->chunks;
		char *b;

		a->free(sl->blk[v]);
		b = a->alloc(rnd_size(sl));
		if (!b) {
			fprintf(stderr, "larson: %s: allocation failed\n", a->name);
			abort();
		}
		b[0] = 'a';	/* write something, as the original does */
		sl->blk[v] = b;
	}
	sl->ops += n;
	if (!stop_flag) {
		a->thread_end();
		spawn(sl);	/* the successor takes the array */
		return NULL;
	}
	for (i = 0; i < sl->p->chunks; i++)
		a->free(sl->blk[i]);
	a->thread_end();
	pthread_mutex_lock(&done_lock);
	done_count++;
	pthread_cond_broadcast(&done_cv);
	pthread_mutex_unlock(&done_lock);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run(struct allocator *a, const struct params *p)
{
	struct slot *slots = aligned_alloc(64, sizeof(*slots) * p->threads);
	pthread_barrier_t start;
	unsigned long ops = 0;
	double t0, t1;
	unsigned int i;

	stop_flag = 0;
	done_count = 0;
	pthread_barrier_init(&start, NULL, p->threads + 1);
	for (i = 0; i < p->threads; i++) {
		slots[i] = (struct slot){ .a = a, .p = p, .idx = i, .start = &start, .first = true,
					  .rng = p->seed * 0x9e3779b97f4a7c15ULL + i + 1 };
		slots[i].blk = calloc(p->chunks, sizeof(void *));
		spawn(&slots[i]);
	}
	pthread_barrier_wait(&start);
	t0 = now();
	usleep((useconds_t)(p->runtime * 1e6));
	stop_flag = 1;
	t1 = now();
	pthread_mutex_lock(&done_lock);
	while (done_count < p->threads)
		pthread_cond_wait(&done_cv, &done_lock);
	pthread_mutex_unlock(&done_lock);
	for (i = 0; i < p->threads; i++) {
		ops += slots[i].ops;
		free(slots[i].blk);
	}
	/* ops finished by threads after the stop are counted; so is their time */
	t1 = now() > t1 ? now() : t1;
	printf("RESULT alloc=%s min=%zu max=%zu chunks=%u rounds=%u threads=%u ops=%lu secs=%.3f ops_per_sec=%.0f\n",
	       a->name, p->min, p->max, p->chunks, p->rounds, p->threads, ops, t1 - t0,
	       ops / (t1 - t0));
	fflush(stdout);
	pthread_barrier_destroy(&start);
	free(slots);
}

int main(int argc, char **argv)
{
	const char *want = NULL;
	struct params p;
	unsigned int i;
	int first = 1, status = 0, matched = 0;

	if (argc > 2 && !strcmp(argv[1], "-a")) {
		want = argv[2];
		first = 3;
	}
	if (argc - first != 7) {
		fprintf(stderr, "usage: %s [-a alloc,...] runtime min max chunks rounds seed threads\n", argv[0]);
		return 2;
	}
	/* jemalloc needs static TLS room for dlopen: re-exec once with it */
	if ((!want || strstr(want, "jemalloc")) && !getenv("LARSON_REEXEC")) {
		setenv("LARSON_REEXEC", "1", 1);
		setenv("GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=16384", 1);
		execv("/proc/self/exe", argv);
		perror("larson: re-exec");
	}
	p.runtime = atof(argv[first]);
	p.min = strtoul(argv[first + 1], NULL, 0);
	p.max = strtoul(argv[first + 2], NULL, 0);
	p.chunks = strtoul(argv[first + 3], NULL, 0);
	p.rounds = strtoul(argv[first + 4], NULL, 0);
	p.seed = strtoul(argv[first + 5], NULL, 0);
	p.threads = strtoul(argv[first + 6], NULL, 0);
	if (!p.chunks || !p.rounds || !p.threads || p.min > p.max || !p.min) {
		fprintf(stderr, "larson: bad parameters\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(allocators) / sizeof(allocators[0]); i++) {
		struct allocator *a = &allocators[i];

		if (want) {
			const char *w = strstr(want, a->name);
			size_t n = strlen(a->name);

			if (!w || (w != want && w[-1] != ',') || (w[n] && w[n] != ','))
				continue;
		}
		matched++;
		if (a->init(a)) {
			printf("FAILED alloc=%s (cannot load)\n", a->name);
			status = 1;
			continue;
		}
		run(a, &p);
		if (hk_complained(a->name))
			status = 1;
	}
	if (want && !matched) {
		printf("FAILED alloc=%s (no such allocator in this build)\n", want);
		status = 1;
	}
	return status;
}
