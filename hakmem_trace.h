/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab: tracepoints (Documentation/tracing.rst).
 *
 * Every event is static-key guarded: off, a call site is a NOP.  The call
 * sites pass what they have at hand (a cache, a pointer, a count); what the
 * events record beyond that (the cache's name, the sizes, the class of a
 * hakmem_alloc() pointer) is worked out here, in TP_fast_assign(), only
 * when the event is on.
 *
 * CREATE_TRACE_POINTS is defined in hakmem_trace.c only.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hakmem

#if !defined(_HAKMEM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _HAKMEM_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>
#include <trace/events/mmflags.h>

#include "hakmem_compat.h"
#include "hakmem_internal.h"

#ifndef _HAKMEM_TRACE_HELPERS
#define _HAKMEM_TRACE_HELPERS
/*
 * The cache an event names: @s for the hakmem_cache_*() face; for the
 * hakmem_alloc() face (@s NULL), the tiny class holding @ptr, or NULL when
 * kmalloc() served it (or nothing was allocated).
 */
static inline const struct hakmem_cache *
hakmem_trace_cache(const struct hakmem_cache *s, const void *ptr)
{
	const struct hakmem_superslab *ss;

	if (s || ZERO_OR_NULL_PTR(ptr))
		return s;
	rcu_read_lock();
	ss = hakmem_obj_to_ss(ptr);
	s = ss ? ss->cache : NULL;
	rcu_read_unlock();
	return s;
}

/* What an event names a cache by: hakmem_alloc()'s large sizes say "kmalloc". */
static inline const char *hakmem_trace_name(const struct hakmem_cache *s)
{
	return s ? s->name : "kmalloc";
}

/*
 * The API functions' call sites.  Macros, so that _RET_IP_ is the caller
 * of the exported function; read under trace_*_enabled(), so that it is
 * loaded only when the event is on, and an event that is off costs its
 * call site one NOP (the static branch), as the kernel's own events do.
 */
#define hakmem_trace_alloc(ptr, s, size, gfp, node)				\
	__hakmem_trace_alloc(_RET_IP_, ptr, s, size, gfp, node)

#define hakmem_trace_free(ptr, s)						\
	__hakmem_trace_free(_RET_IP_, ptr, s)

/*
 * Is the event on?  tracepoint_enabled(), the static key alone: a NOP with
 * jump labels, a load and a test without, and always inline, unlike
 * trace_*_enabled(), a function GCC may leave out of line and call.
 */
#define hakmem_trace_alloc_on()	tracepoint_enabled(hakmem_alloc)
#define hakmem_trace_free_on()	tracepoint_enabled(hakmem_free)

/*
 * The first probe of hakmem_alloc or hakmem_free attached, the last one
 * gone (hakmem_slab.c): every cache's out_plain or free_plain follows,
 * so that the fast paths need no test of the event of their own.
 */
int hakmem_event_alloc_reg(void);
void hakmem_event_alloc_unreg(void);
int hakmem_event_free_reg(void);
void hakmem_event_free_unreg(void);

/*
 * The same with the call site given: the fast paths hand an enabled event
 * to an out-of-line path, which passes on the exported function's _RET_IP_.
 */
#define __hakmem_trace_alloc(ip, ptr, s, size, gfp, node)			\
	do {									\
		if (trace_hakmem_alloc_enabled())				\
			trace_hakmem_alloc(ip, ptr, s, size, gfp, node);	\
	} while (0)

#define __hakmem_trace_free(ip, ptr, s)						\
	do {									\
		if (trace_hakmem_free_enabled())				\
			trace_hakmem_free(ip, ptr, s);				\
	} while (0)
#endif /* _HAKMEM_TRACE_HELPERS */

/*
 * hakmem_alloc - an allocation, from either face
 * @call_site: the caller of the exported function (_RET_IP_)
 * @ptr: what it returned (NULL on failure)
 * @s: the cache for hakmem_cache_alloc*(); NULL for hakmem_alloc*()
 * @size: the bytes asked of hakmem_alloc*(); unused with a cache
 * @gfp_flags: the flags given
 * @node: the node asked for, NUMA_NO_NODE for any
 */
TRACE_EVENT_FN(hakmem_alloc,

	TP_PROTO(unsigned long call_site, const void *ptr,
		 const struct hakmem_cache *s, size_t size, gfp_t gfp_flags,
		 int node),

	TP_ARGS(call_site, ptr, s, size, gfp_flags, node),

	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__string(name, hakmem_trace_name(hakmem_trace_cache(s, ptr)))
		__field(size_t, bytes_req)
		__field(size_t, bytes_alloc)
		__field(unsigned long, gfp_flags)
		__field(int, node)
	),

	TP_fast_assign(
		const struct hakmem_cache *c = hakmem_trace_cache(s, ptr);

		__entry->call_site = call_site;
		__entry->ptr = ptr;
		hakmem_assign_name(hakmem_trace_name(c));
		__entry->bytes_req = s ? s->layout.object_size : size;
		if (ZERO_OR_NULL_PTR(ptr))
			__entry->bytes_alloc = 0;
		else if (c)
			__entry->bytes_alloc = c->layout.object_size;
		else
			__entry->bytes_alloc = kmalloc_size_roundup(size);
		__entry->gfp_flags = (__force unsigned long)gfp_flags;
		__entry->node = node;
	),

	TP_printk("call_site=%pS ptr=%p cache=%s bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d",
		  (void *)__entry->call_site, __entry->ptr, __get_str(name),
		  __entry->bytes_req, __entry->bytes_alloc,
		  show_gfp_flags(__entry->gfp_flags), __entry->node),

	hakmem_event_alloc_reg, hakmem_event_alloc_unreg
);

/*
 * hakmem_free - a free, from either face, before the object goes back
 * @call_site: the caller of the exported function (_RET_IP_)
 * @ptr: the object (NULL and ZERO_SIZE_PTR too)
 * @s: its cache; NULL for what hakmem_free() passes to kfree()
 */
TRACE_EVENT_FN(hakmem_free,

	TP_PROTO(unsigned long call_site, const void *ptr,
		 const struct hakmem_cache *s),

	TP_ARGS(call_site, ptr, s),

	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__string(name, hakmem_trace_name(s))
	),

	TP_fast_assign(
		__entry->call_site = call_site;
		__entry->ptr = ptr;
		hakmem_assign_name(hakmem_trace_name(s));
	),

	TP_printk("call_site=%pS ptr=%p cache=%s",
		  (void *)__entry->call_site, __entry->ptr, __get_str(name)),

	hakmem_event_free_reg, hakmem_event_free_unreg
);

DECLARE_EVENT_CLASS(hakmem_superslab,

	TP_PROTO(const struct hakmem_cache *s,
		 const struct hakmem_superslab *ss),

	TP_ARGS(s, ss),

	TP_STRUCT__entry(
		__string(name, s->name)
		__field(const void *, base)
		__field(int, node)
		__field(unsigned int, order)
	),

	TP_fast_assign(
		hakmem_assign_name(s->name);
		__entry->base = ss->base;
		__entry->node = ss->nid;
		__entry->order = ss->order;
	),

	TP_printk("cache=%s base=%p node=%d order=%u",
		  __get_str(name), __entry->base, __entry->node, __entry->order)
);

/*
 * hakmem_superslab_alloc - a SuperSlab came from the page allocator
 * @s: the cache it serves
 * @ss: the SuperSlab (its pages, node and order)
 */
DEFINE_EVENT(hakmem_superslab, hakmem_superslab_alloc,
	TP_PROTO(const struct hakmem_cache *s, const struct hakmem_superslab *ss),
	TP_ARGS(s, ss)
);

/*
 * hakmem_superslab_free - a SuperSlab goes back to the page allocator
 * @s: the cache it served
 * @ss: the SuperSlab (its pages, node and order)
 */
DEFINE_EVENT(hakmem_superslab, hakmem_superslab_free,
	TP_PROTO(const struct hakmem_cache *s, const struct hakmem_superslab *ss),
	TP_ARGS(s, ss)
);

DECLARE_EVENT_CLASS(hakmem_magazine,

	TP_PROTO(const struct hakmem_cache *s, unsigned int count),

	TP_ARGS(s, count),

	TP_STRUCT__entry(
		__string(name, s->name)
		__field(unsigned int, count)
	),

	TP_fast_assign(
		hakmem_assign_name(s->name);
		__entry->count = count;
	),

	TP_printk("cache=%s count=%u", __get_str(name), __entry->count)
);

/*
 * hakmem_refill - an empty per-CPU magazine was refilled from the slabs
 * @s: the cache
 * @count: the objects moved, the one the allocation returns included
 */
DEFINE_EVENT(hakmem_magazine, hakmem_refill,
	TP_PROTO(const struct hakmem_cache *s, unsigned int count),
	TP_ARGS(s, count)
);

/*
 * hakmem_flush - objects of a per-CPU magazine went back to their slabs
 * @s: the cache
 * @count: the objects moved (a batch when full, all of them on a drain)
 */
DEFINE_EVENT(hakmem_magazine, hakmem_flush,
	TP_PROTO(const struct hakmem_cache *s, unsigned int count),
	TP_ARGS(s, count)
);

#endif /* _HAKMEM_TRACE_H */

/* Out of include/trace/events: define_trace.h finds this file by -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE hakmem_trace
#include <trace/define_trace.h>
