// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab: the one place its tracepoints are instantiated
 * (hakmem_trace.h; Documentation/tracing.rst).
 */
#define CREATE_TRACE_POINTS
#include "hakmem_trace.h"
