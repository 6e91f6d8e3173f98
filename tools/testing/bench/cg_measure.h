/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The measurement the callgrind drivers (hotpair.c, bulkbatch.c) share:
 * a loop run once to warm up, then N and 2N times between callgrind
 * dumps labelled "<name>-N" and "<name>-2N".  The difference of the two
 * dumps is the cost of N more iterations, set-up and the measurement
 * itself cancelled out (bench-user.sh and cg-per-op.sh read the dumps).
 */
#ifndef _HK_CG_MEASURE_H
#define _HK_CG_MEASURE_H

#include <stdio.h>
#include <valgrind/callgrind.h>

static inline void cg_measure(const char *name, void (*fn)(unsigned long),
			      unsigned long n)
{
	char label[64];

	fn(n);			/* warm: code paged in, magazines and slabs steady */
	CALLGRIND_ZERO_STATS;
	fn(n);
	snprintf(label, sizeof(label), "%s-N", name);
	CALLGRIND_DUMP_STATS_AT(label);
	fn(2 * n);
	snprintf(label, sizeof(label), "%s-2N", name);
	CALLGRIND_DUMP_STATS_AT(label);
}

#endif /* _HK_CG_MEASURE_H */
