// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: the machine's shape
 * (HK_NR_CPUS, HK_NR_NODES, HK_LOGLEVEL, HK_SEED, HK_INIT_ON_ALLOC,
 * HK_INIT_ON_FREE) and start-up before main() and before any test
 * registers itself.
 */
#include "hk_shim.h"

int hk_nr_cpus = 4;
int hk_nr_nodes = 2;
int hk_cpu_mem[HK_MAX_CPUS];		/* hk_cpu_mem_set() */
int hk_loglevel = 5;
struct module __this_module = { .name = "hakmem" };

static void hk_atfork_child(void)
{
	hk_sched_atfork_child();
	hk_rcu_atfork_child();
}

__attribute__((constructor(101))) static void hk_runtime_init(void)
{
	hk_nr_cpus = clamp_t(int, hk_env_long("HK_NR_CPUS", 4), 1, HK_MAX_CPUS);
	hk_nr_nodes = clamp_t(int, hk_env_long("HK_NR_NODES", 2), 1, HK_MAX_NODES);
	if (hk_nr_nodes > hk_nr_cpus)
		hk_nr_nodes = hk_nr_cpus;
	hk_loglevel = hk_env_long("HK_LOGLEVEL", 5);
	init_on_alloc.enabled = hk_env_long("HK_INIT_ON_ALLOC", 0) != 0;
	init_on_free.enabled = hk_env_long("HK_INIT_ON_FREE", 0) != 0;
	hk_random_seed(hk_env_long("HK_SEED", (long)ktime_get_ns()));
	hk_sched_init();
	hk_arena_init();
	hk_pcpu_init();
	hk_rcu_init();
	pthread_atfork(NULL, NULL, hk_atfork_child);
}
