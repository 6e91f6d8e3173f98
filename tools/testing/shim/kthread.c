// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: completions and
 * kthreads (one pthread each; hk_kthreads_wait() joins them).
 */
#include "hk_shim.h"

void init_completion(struct completion *c)
{
	pthread_mutex_init(&c->m, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->done = 0;
}

void complete(struct completion *c)
{
	pthread_mutex_lock(&c->m);
	if (c->done != UINT_MAX)
		c->done++;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->m);
}

void complete_all(struct completion *c)
{
	pthread_mutex_lock(&c->m);
	c->done = UINT_MAX;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->m);
}

void wait_for_completion(struct completion *c)
{
	might_sleep();
	pthread_mutex_lock(&c->m);
	while (!c->done)
		pthread_cond_wait(&c->cv, &c->m);
	if (c->done != UINT_MAX)
		c->done--;
	pthread_mutex_unlock(&c->m);
}

unsigned long wait_for_completion_timeout(struct completion *c, unsigned long timeout)
{
	struct timespec ts;
	unsigned long ret = 1;

	might_sleep();
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout / HZ;
	ts.tv_nsec += (long)(timeout % HZ) * (NSEC_PER_SEC / HZ);
	if (ts.tv_nsec >= NSEC_PER_SEC) {
		ts.tv_sec++;
		ts.tv_nsec -= NSEC_PER_SEC;
	}
	pthread_mutex_lock(&c->m);
	while (!c->done)
		if (pthread_cond_timedwait(&c->cv, &c->m, &ts)) {
			ret = 0;
			break;
		}
	if (ret && c->done != UINT_MAX)
		c->done--;
	pthread_mutex_unlock(&c->m);
	return ret;
}

bool completion_done(struct completion *c)
{
	bool r;

	pthread_mutex_lock(&c->m);
	r = c->done != 0;
	pthread_mutex_unlock(&c->m);
	return r;
}

static LIST_HEAD(hk_kthreads);
static pthread_mutex_t hk_kthread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hk_kthread_cv = PTHREAD_COND_INITIALIZER;
static unsigned int hk_kthreads_running;
static __thread struct task_struct *hk_kthread_self;

__printf(4, 0) static struct task_struct *hk_kthread_new(int (*fn)(void *), void *data, int cpu,
							 const char *namefmt, va_list ap)
{
	struct task_struct *t = calloc(1, sizeof(*t));

	if (!t)
		return ERR_PTR(-ENOMEM);
	t->hk_fn = fn;
	t->hk_data = data;
	t->hk_cpu = cpu;
	vsnprintf(t->comm, sizeof(t->comm), namefmt, ap);
	INIT_LIST_HEAD(&t->hk_list);
	return t;
}

static struct task_struct *hk_kthread_new_fmt(int (*fn)(void *), void *data, int cpu,
					      const char *namefmt, ...)
{
	struct task_struct *t;
	va_list ap;

	va_start(ap, namefmt);
	t = hk_kthread_new(fn, data, cpu, namefmt, ap);
	va_end(ap);
	return t;
}

struct task_struct *kthread_create_on_cpu(int (*fn)(void *data), void *data,
					  unsigned int cpu, const char *namefmt)
{
	might_sleep();
	return hk_kthread_new_fmt(fn, data, cpu, namefmt, cpu);
}

struct task_struct *kthread_create_on_node(int (*fn)(void *data), void *data,
					   int node, const char *namefmt, ...)
{
	struct task_struct *t;
	va_list ap;

	(void)node;
	might_sleep();
	va_start(ap, namefmt);
	t = hk_kthread_new(fn, data, -1, namefmt, ap);
	va_end(ap);
	return t;
}

void kthread_bind(struct task_struct *t, unsigned int cpu)
{
	t->hk_cpu = cpu;
}

static void *hk_kthread_main(void *arg)
{
	struct task_struct *t = arg;

	hk_kthread_self = t;
	if (t->hk_cpu >= 0 && hk_vcpu_bind(t->hk_cpu))
		printk(KERN_ERR "hk: kthread %s: cannot bind vCPU %d\n", t->comm, t->hk_cpu);
	t->pid = hk_cur()->tid;
	t->hk_fn(t->hk_data);
	pthread_mutex_lock(&hk_kthread_lock);
	hk_kthreads_running--;
	pthread_cond_broadcast(&hk_kthread_cv);
	pthread_mutex_unlock(&hk_kthread_lock);
	return NULL;
}

int wake_up_process(struct task_struct *t)
{
	pthread_mutex_lock(&hk_kthread_lock);
	hk_kthreads_running++;
	list_add(&t->hk_list, &hk_kthreads);
	pthread_mutex_unlock(&hk_kthread_lock);
	if (pthread_create(&t->hk_thread, NULL, hk_kthread_main, t)) {
		perror("hk: kthread");
		abort();
	}
	return 1;
}

int kthread_stop(struct task_struct *t)
{
	WRITE_ONCE(t->hk_should_stop, true);
	pthread_join(t->hk_thread, NULL);
	pthread_mutex_lock(&hk_kthread_lock);
	list_del(&t->hk_list);
	pthread_mutex_unlock(&hk_kthread_lock);
	free(t);
	return 0;
}

bool kthread_should_stop(void)
{
	return hk_kthread_self && READ_ONCE(hk_kthread_self->hk_should_stop);
}

void hk_kthreads_wait(void)
{
	struct task_struct *t, *n;

	pthread_mutex_lock(&hk_kthread_lock);
	while (hk_kthreads_running)
		pthread_cond_wait(&hk_kthread_cv, &hk_kthread_lock);
	list_for_each_entry_safe(t, n, &hk_kthreads, hk_list) {
		list_del(&t->hk_list);
		pthread_join(t->hk_thread, NULL);
		free(t);
	}
	pthread_mutex_unlock(&hk_kthread_lock);
}
