// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: IDA, shrinkers
 * (hk_shrink() plays memory reclaim), static keys and module parameters
 * (hk_param_set()).
 */
#include "hk_shim.h"

int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max, gfp_t gfp)
{
	unsigned long flags;
	unsigned long id;

	might_alloc(gfp);
	spin_lock_irqsave(&ida->lock, flags);
	id = find_next_zero_bit(ida->bits ? ida->bits : (unsigned long *)&ida->used,
				ida->bits ? ida->nbits : 0, min);
	if (id >= ida->nbits) {
		unsigned int nbits = max(ida->nbits * 2, max(min + 1, 1024u));
		unsigned long *nb;

		if (nbits > (unsigned long)max + 1 && ida->nbits > max) {
			spin_unlock_irqrestore(&ida->lock, flags);
			return -ENOSPC;
		}
		nb = calloc(BITS_TO_LONGS(nbits), sizeof(long));
		if (!nb) {
			spin_unlock_irqrestore(&ida->lock, flags);
			return -ENOMEM;
		}
		if (ida->bits)
			memcpy(nb, ida->bits, BITS_TO_LONGS(ida->nbits) * sizeof(long));
		free(ida->bits);
		ida->bits = nb;
		id = max((unsigned long)ida->nbits, (unsigned long)min);
		ida->nbits = nbits;
		id = find_next_zero_bit(ida->bits, ida->nbits, min);
	}
	if (id > max) {
		spin_unlock_irqrestore(&ida->lock, flags);
		return -ENOSPC;
	}
	__set_bit(id, ida->bits);
	ida->used++;
	spin_unlock_irqrestore(&ida->lock, flags);
	return (int)id;
}

void ida_free(struct ida *ida, unsigned int id)
{
	unsigned long flags;

	spin_lock_irqsave(&ida->lock, flags);
	if (id >= ida->nbits || !__test_and_clear_bit(id, ida->bits)) {
		spin_unlock_irqrestore(&ida->lock, flags);
		WARN(1, "ida_free called for id=%u which is not allocated.\n", id);
		return;
	}
	ida->used--;
	spin_unlock_irqrestore(&ida->lock, flags);
}

void ida_destroy(struct ida *ida)
{
	unsigned long flags;

	spin_lock_irqsave(&ida->lock, flags);
	free(ida->bits);
	ida->bits = NULL;
	ida->nbits = 0;
	ida->used = 0;
	spin_unlock_irqrestore(&ida->lock, flags);
}

static LIST_HEAD(hk_shrinkers);
static pthread_mutex_t hk_shrinker_lock = PTHREAD_MUTEX_INITIALIZER;

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *s = calloc(1, sizeof(*s));
	va_list ap;

	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s->name, sizeof(s->name), fmt, ap);
	va_end(ap);
	s->flags = flags | SHRINKER_ALLOCATED;
	s->seeks = DEFAULT_SEEKS;
	INIT_LIST_HEAD(&s->hk_list);
	return s;
}

void shrinker_register(struct shrinker *s)
{
	pthread_mutex_lock(&hk_shrinker_lock);
	list_add_tail(&s->hk_list, &hk_shrinkers);
	s->flags |= SHRINKER_REGISTERED;
	pthread_mutex_unlock(&hk_shrinker_lock);
}

void shrinker_free(struct shrinker *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&hk_shrinker_lock);
	if (s->flags & SHRINKER_REGISTERED)
		list_del(&s->hk_list);
	pthread_mutex_unlock(&hk_shrinker_lock);
	free(s);
}

unsigned int hk_nr_shrinkers(void)
{
	unsigned int n;

	pthread_mutex_lock(&hk_shrinker_lock);
	n = list_count_nodes(&hk_shrinkers);
	pthread_mutex_unlock(&hk_shrinker_lock);
	return n;
}

/* Reclaim runs in process context; shrinkers are called without locks. */
unsigned long hk_shrink(int nid, unsigned long nr_to_scan)
{
	struct shrinker *s;
	unsigned long freed = 0;

	might_sleep();
	pthread_mutex_lock(&hk_shrinker_lock);
	list_for_each_entry(s, &hk_shrinkers, hk_list) {
		struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = nid, .nr_to_scan = nr_to_scan };
		unsigned long count = s->count_objects(s, &sc), r;

		if (count == 0 || count == SHRINK_EMPTY)
			continue;
		sc.nr_to_scan = min(nr_to_scan, count);
		sc.nr_scanned = sc.nr_to_scan;
		r = s->scan_objects(s, &sc);
		if (r != SHRINK_STOP)
			freed += r;
	}
	pthread_mutex_unlock(&hk_shrinker_lock);
	return freed;
}


DEFINE_STATIC_KEY_FALSE(init_on_alloc);
DEFINE_STATIC_KEY_FALSE(init_on_free);

#define HK_MAX_PARAMS	64
static struct { const char *name; void *addr; enum hk_param_type type; } hk_params[HK_MAX_PARAMS];
static unsigned int hk_nr_params;

void hk_param_register(const char *name, void *addr, enum hk_param_type type)
{
	if (hk_nr_params < HK_MAX_PARAMS) {
		hk_params[hk_nr_params].name = name;
		hk_params[hk_nr_params].addr = addr;
		hk_params[hk_nr_params].type = type;
		hk_nr_params++;
	}
}

int hk_param_set(const char *name, const char *value)
{
	unsigned int i;

	for (i = 0; i < hk_nr_params; i++) {
		void *a = hk_params[i].addr;
		unsigned long long v;

		if (strcmp(hk_params[i].name, name))
			continue;
		v = strtoull(value, NULL, 0);
		if (!strcmp(value, "Y") || !strcmp(value, "y"))
			v = 1;
		switch (hk_params[i].type) {
		case hk_param_bool: *(bool *)a = v != 0; break;
		case hk_param_invbool: *(bool *)a = v == 0; break;
		case hk_param_int: case hk_param_uint: *(int *)a = (int)v; break;
		case hk_param_long: case hk_param_ulong: *(long *)a = (long)v; break;
		case hk_param_short: case hk_param_ushort: *(short *)a = (short)v; break;
		case hk_param_byte: *(u8 *)a = (u8)v; break;
		case hk_param_charp: *(const char **)a = strdup(value); break;
		}
		return 0;
	}
	return -ENOENT;
}
