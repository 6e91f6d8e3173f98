// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness: the runner behind TEST().
 *
 *   prog [-n] [-l] [filter...]   run tests whose name contains a filter
 *   -n  no fork (one process, stop at the first crash; for gdb)
 *   -l  list tests
 * Prints "PASS name" / "FAIL name" per test, then "N passed, N failed";
 * the exit status is 0 only if every test passed.
 *
 * Hidden options for the self-tests of the gate itself (run-checks.sh):
 *   --gate                 run only the deliberately broken HK_T_GATE tests
 *   --abort-after-summary  abort() after the summary line (a late crash)
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hk_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define HK_TEST_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HK_TEST_LSAN 1
#endif
#endif
#ifdef HK_TEST_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define HK_MAX_TESTS	256
static struct hk_test hk_tests[HK_MAX_TESTS];
static unsigned int hk_nr_tests;
static int hk_failed_checks;
static bool hk_errors_ok;
static unsigned long hk_warns_expected;
unsigned long hk_test_checks;

void hk_test_register(const char *name, void (*fn)(void), unsigned int flags)
{
	if (hk_nr_tests >= HK_MAX_TESTS) {
		fprintf(stderr, "too many tests: raise HK_MAX_TESTS (%d)\n", HK_MAX_TESTS);
		abort();
	}
	hk_tests[hk_nr_tests++] = (struct hk_test){ name, fn, flags };
}

void hk_test_fail(const char *file, int line, const char *what)
{
	hk_failed_checks++;
	fprintf(stderr, "  check failed: %s:%d: %s\n", file, line, what);
}

void hk_expect_errors(void)
{
	hk_errors_ok = true;
}

void hk_expect_warns(unsigned int n)
{
	hk_warns_expected += n;
}

/*
 * The node counter at @off in struct hakmem_node, summed over the nodes,
 * each read once, without its lock.
 */
static unsigned long hk_nodes_read(struct hakmem_cache *s, size_t off)
{
	unsigned long n = 0;
	int nid;

	for_each_node(nid)
		n += READ_ONCE(*(unsigned long *)((void *)s->node[nid] + off));
	return n;
}

unsigned long hk_cache_pages(struct hakmem_cache *s)
{
	return hk_nodes_read(s, offsetof(struct hakmem_node, nr_pages));
}

unsigned long hk_cache_ss(struct hakmem_cache *s)
{
	return hk_nodes_read(s, offsetof(struct hakmem_node, nr_ss));
}

unsigned long hk_cache_inuse(struct hakmem_cache *s)
{
	return hk_nodes_read(s, offsetof(struct hakmem_node, nr_inuse));
}

struct hakmem_slab *hk_slab_of(void *obj)
{
	struct hakmem_superslab *ss;
	struct hakmem_slab *slab = NULL;

	rcu_read_lock();
	ss = hakmem_obj_to_ss(obj);
	if (ss && hakmem_obj_index(ss->cache, ss, obj, &slab) < 0)
		slab = NULL;
	rcu_read_unlock();
	return slab;
}

/*
 * A node's first SuperSlabs are small (hakmem_ss_grow_order(): 1, 1, 1, 1,
 * 2, 2, 4, 4 slabs): hold every object of them, so that the next allocation comes
 * from a SuperSlab of full size.  Returns the objects held
 * (hk_release_first_superslab() gives them back).
 */
void **hk_hold_first_superslab(struct hakmem_cache *s, unsigned int *nr)
{
	unsigned int full = 1U << (s->ss_order - s->slab_order);
	/* the small ones hold two full ones' worth */
	unsigned int max = 2 * full * s->capacity;
	void **held = calloc(max + 1, sizeof(void *));
	struct hakmem_slab *slab;
	unsigned int n = 0;
	void *obj;

	if (!held)
		return NULL;
	for (;;) {
		obj = hakmem_cache_alloc(s, GFP_KERNEL);
		slab = obj ? hk_slab_of(obj) : NULL;
		if (!slab)
			break;
		if (hakmem_slab_ss(slab)->nr_slabs == full) {
			/* On top of the magazine: the caller's next one. */
			hakmem_cache_free(s, obj);
			*nr = n;
			return held;
		}
		held[n++] = obj;
		if (n > max)
			break;
	}
	while (n--)
		hakmem_cache_free(s, held[n]);
	free(held);
	return NULL;
}

void hk_release_first_superslab(struct hakmem_cache *s, void **held, unsigned int nr)
{
	while (nr--)
		hakmem_cache_free(s, held[nr]);
	free(held);
}

/* One test, in this process: load, run, unload, check for leaks. */
static int hk_run_one(const struct hk_test *t)
{
	unsigned long err0, warn0, km0, errs, warns;
	int ret;

	hk_failed_checks = 0;
	hk_errors_ok = false;
	hk_warns_expected = 0;
	hk_log_clear();
	km0 = hk_kmalloc_in_use();
	/* From before the load: what init and exit print counts too. */
	err0 = hk_nr_errors;
	warn0 = hk_nr_warnings;
	if (!(t->flags & HK_T_NOINIT)) {
		ret = hk_module_init();
		if (ret) {
			fprintf(stderr, "  module init failed: %d\n", ret);
			return 1;
		}
	}
	t->fn();
	if (!(t->flags & HK_T_NOINIT))
		hk_module_exit();
	hk_kthreads_wait();
	rcu_barrier();
	errs = hk_nr_errors - err0;
	warns = hk_nr_warnings - warn0;
	/* pr_err may be announced; a WARN only by its exact count. */
	if ((errs && !hk_errors_ok) || warns != hk_warns_expected) {
		fprintf(stderr, "  unexpected kernel errors: %lu pr_err%s, %lu WARN (%lu expected)\n",
			errs, hk_errors_ok ? " (expected)" : "", warns, hk_warns_expected);
		hk_failed_checks++;
	}
	if (hk_pages_in_use(-1)) {
		fprintf(stderr, "  leak: %lu pages still allocated after unload\n",
			hk_pages_in_use(-1));
		hk_failed_checks++;
	}
	if (hk_percpu_bytes_in_use()) {
		fprintf(stderr, "  leak: %lu percpu bytes after unload\n",
			hk_percpu_bytes_in_use());
		hk_failed_checks++;
	}
	if (hk_kmalloc_in_use() != km0) {
		fprintf(stderr, "  leak: %ld kmalloc blocks after unload\n",
			(long)(hk_kmalloc_in_use() - km0));
		hk_failed_checks++;
	}
	if (hk_debugfs_count()) {
		fprintf(stderr, "  leak: %u debugfs entries after unload\n", hk_debugfs_count());
		hk_failed_checks++;
	}
	return hk_failed_checks ? 1 : 0;
}

/*
 * A test child leaves with _exit(), which skips LeakSanitizer's exit-time
 * check: run it here, so a heap block the test or the shim lost fails the
 * test that lost it.  A no-op without ASan or with detect_leaks=0.
 */
static int hk_leak_check(void)
{
#ifdef HK_TEST_LSAN
	if (__lsan_do_recoverable_leak_check()) {
		fprintf(stderr, "  leak: LeakSanitizer found lost heap blocks (report above)\n");
		return 1;
	}
#endif
	return 0;
}

/* Seconds a test may run before its child is killed: HK_TEST_TIMEOUT, 120. */
static unsigned int hk_test_timeout(void)
{
	const char *v = getenv("HK_TEST_TIMEOUT");

	return v && *v ? strtoul(v, NULL, 0) : 120;
}

static bool hk_selected(const char *name, int argc, char **argv, int first)
{
	int i;

	if (first >= argc)
		return true;
	for (i = first; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	bool fork_each = true, gate = false, late_abort = false;
	unsigned int i, passed = 0, failed = 0;
	int first = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (first < argc && argv[first][0] == '-') {
		if (!strcmp(argv[first], "-n"))
			fork_each = false;
		else if (!strcmp(argv[first], "--gate"))
			gate = true;
		else if (!strcmp(argv[first], "--abort-after-summary"))
			late_abort = true;
		else if (!strcmp(argv[first], "-l")) {
			for (i = 0; i < hk_nr_tests; i++)
				if (!(hk_tests[i].flags & HK_T_GATE))
					printf("%s\n", hk_tests[i].name);
			return 0;
		} else {
			fprintf(stderr, "unknown option %s\n", argv[first]);
			return 2;
		}
		first++;
	}
	for (i = 0; i < hk_nr_tests; i++) {
		const struct hk_test *t = &hk_tests[i];
		u64 t0 = ktime_get_ns();
		int status, rc;
		pid_t pid;

		if (gate != !!(t->flags & HK_T_GATE) ||
		    !hk_selected(t->name, argc, argv, first))
			continue;
		if (!fork_each) {
			rc = hk_run_one(t);
		} else {
			fflush(NULL);
			pid = fork();
			if (pid == 0) {
				alarm(hk_test_timeout());
				rc = hk_run_one(t);
				rc |= hk_leak_check();
				fflush(NULL);
				_exit(rc);
			}
			waitpid(pid, &status, 0);
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			if (WIFSIGNALED(status))
				fprintf(stderr, "  killed by signal %d\n", WTERMSIG(status));
		}
		printf("%s %s (%llu ms)\n", rc ? "FAIL" : "PASS", t->name,
		       (unsigned long long)((ktime_get_ns() - t0) / 1000000));
		if (rc)
			failed++;
		else
			passed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	if (late_abort)
		abort();
	return failed ? 1 : 0;
}
