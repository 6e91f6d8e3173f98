/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem-slab harness shim: tracepoints, always off.  In the kernel an
 * event that is off costs its call site a static branch over a NOP; here
 * trace_<event>() is an empty inline and trace_<event>_enabled() false, so
 * the harness (and callgrind's counts of the hot path) run what a kernel
 * with the events off runs.  The events' own code (TP_fast_assign) is
 * tested in the kernel (check.sh step "tracing").
 */
#ifndef _HK_SHIM_TRACEPOINT_H
#define _HK_SHIM_TRACEPOINT_H

#include "hk/kernel.h"

/* linux/instruction_pointer.h: what the call sites pass as call_site. */
#ifndef _RET_IP_
#define _RET_IP_		((unsigned long)__builtin_return_address(0))
#endif

#define PARAMS(args...)		args
#define TP_PROTO(args...)	args
#define TP_ARGS(args...)	args

#define DECLARE_TRACE(name, proto, args)				\
	static inline void trace_##name(proto) {}			\
	static inline bool trace_##name##_enabled(void) { return false; }

/* linux/tracepoint-defs.h: the static key alone, here always off. */
#define tracepoint_enabled(name)	trace_##name##_enabled()

#define TRACE_EVENT(name, proto, args, tstruct, assign, print)		\
	DECLARE_TRACE(name, PARAMS(proto), PARAMS(args))
/* The registration functions are called by the tests themselves. */
#define TRACE_EVENT_FN(name, proto, args, tstruct, assign, print, reg, unreg) \
	DECLARE_TRACE(name, PARAMS(proto), PARAMS(args))
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args)			\
	DECLARE_TRACE(name, PARAMS(proto), PARAMS(args))

#endif /* _HK_SHIM_TRACEPOINT_H */
