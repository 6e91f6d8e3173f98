/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hakmem_bench: the op list hbench_replay.c replays, built into the module
 * (tools/bench/replay/ops.bin.gz, unpacked by tools/bench/Kbuild).
 */
	.section .rodata, "a"
	.balign 8
	.globl hbench_replay_data
hbench_replay_data:
	.incbin "replay-ops.bin"
	.globl hbench_replay_data_end
hbench_replay_data_end:
