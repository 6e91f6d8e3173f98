/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab: a SuperSlab / tiny-class object allocator for the kernel.
 *
 * Two faces, as in the slab allocator:
 *
 *  - hakmem_cache_*(): dedicated caches of one object size, like
 *    kmem_cache_*();
 *  - hakmem_alloc() / hakmem_free(): like kmalloc() / kfree(); sizes up to
 *    HAKMEM_MAX_TINY_SIZE are served by the tiny classes (8-byte steps up
 *    to 64 bytes, then four per power of two up to 1024: kmalloc()'s and
 *    more), larger ones are passed to kmalloc().  hakmem_free() and
 *    hakmem_ksize() take every pointer hakmem_alloc() returned.
 *
 * See Documentation/hakmem.rst for the design and the locking rules.
 */
#ifndef _HAKMEM_SLAB_H
#define _HAKMEM_SLAB_H

#include <linux/gfp.h>
#include <linux/limits.h>
#include <linux/numa.h>
#include <linux/slab.h>
#include <linux/types.h>

/* HAKMEM_NS: a user module declares MODULE_IMPORT_NS(HAKMEM_NS). */
#include "hakmem_compat.h"

/* The largest size served by the tiny classes; hakmem_alloc() passes larger ones to kmalloc(). */
#define HAKMEM_MAX_TINY_SIZE	1024U

/* Flags hakmem_cache_create() accepts; any other flag is refused. */
#define HAKMEM_CACHE_FLAGS	(SLAB_HWCACHE_ALIGN | SLAB_POISON | \
				 SLAB_RED_ZONE | SLAB_TYPESAFE_BY_RCU)

/*
 * The most objects one hakmem_cache_alloc_bulk() call allocates: the count
 * comes back as an int.  A larger @nr is refused (0, and a warning).
 */
#define HAKMEM_BULK_MAX		INT_MAX

struct hakmem_cache;

struct hakmem_cache *hakmem_cache_create(const char *name, unsigned int size,
					 unsigned int align, slab_flags_t flags,
					 void (*ctor)(void *));
void hakmem_cache_destroy(struct hakmem_cache *cache);
void *hakmem_cache_alloc(struct hakmem_cache *cache, gfp_t gfp);
void *hakmem_cache_alloc_node(struct hakmem_cache *cache, gfp_t gfp, int node);
void hakmem_cache_free(struct hakmem_cache *cache, void *obj);
int hakmem_cache_alloc_bulk(struct hakmem_cache *cache, gfp_t gfp, size_t nr,
			    void **objs);
void hakmem_cache_free_bulk(struct hakmem_cache *cache, size_t nr, void **objs);
int hakmem_cache_shrink(struct hakmem_cache *cache);
unsigned int hakmem_cache_size(struct hakmem_cache *cache);

void *hakmem_alloc(size_t size, gfp_t gfp);
void *hakmem_alloc_node(size_t size, gfp_t gfp, int node);
void hakmem_free(const void *obj);
size_t hakmem_ksize(const void *obj);

/**
 * hakmem_cache_zalloc - allocate a zeroed object from a hakmem cache
 * @cache: the cache to allocate from
 * @gfp: allocation flags; __GFP_ZERO is added
 *
 * Context: as hakmem_cache_alloc().
 * Return: a zeroed object, or NULL on failure.
 */
static inline void *hakmem_cache_zalloc(struct hakmem_cache *cache, gfp_t gfp)
{
	return hakmem_cache_alloc(cache, gfp | __GFP_ZERO);
}

/**
 * hakmem_zalloc - allocate zeroed memory, like kzalloc()
 * @size: how many bytes
 * @gfp: allocation flags; __GFP_ZERO is added
 *
 * Context: as hakmem_alloc().
 * Return: zeroed memory of at least @size bytes, ZERO_SIZE_PTR for a size
 * of 0, or NULL on failure.
 */
static inline void *hakmem_zalloc(size_t size, gfp_t gfp)
{
	return hakmem_alloc(size, gfp | __GFP_ZERO);
}

#endif /* _HAKMEM_SLAB_H */
