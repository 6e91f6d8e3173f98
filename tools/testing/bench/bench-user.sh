#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench-user: Larson for hakmem and its peers, two parameter sets, every
# thread count, LARSON_REPS runs each, interleaved; the callgrind hot-path
# counts; a table of medians and spreads; $BENCH_JSON.  Run through
# "make -C tools/testing bench-user" (which installs the peers first).
#
# hakmem runs in the harness's shared build (every atomic section takes
# its vCPU's lock, this_cpu ops are atomic RMWs): the thread-safety cost a
# userspace allocator pays, as glibc, mimalloc, jemalloc and tcmalloc do.
# "hakmem-excl" (exclusive vCPUs, no lock) is printed beside it as the
# bound of what the kernel's preemption-off sections give for free.
#
# Parameter sets (larson runtime min max chunks rounds seed threads):
#   seed            8 1024, 1024 blocks, rounds 1, seed 12345: each thread
#                   hands over after 1024 replacements, so thread creation
#                   weighs heavily
#   mimalloc-bench  8 1000, 5000 blocks, rounds 100, seed 4141: the
#                   parameters of mimalloc-bench's larsonN
# An allocator that cannot be loaded fails the command.
set -e
B=${B:-build}
RT=${LARSON_RUNTIME:-2}
THREADS=${LARSON_THREADS:-1 2}
REPS=${LARSON_REPS:-5}
JSON=${BENCH_JSON:-../../bench-results/user.json}
OUT=$B/bench
RAW=$OUT/larson.raw
mkdir -p "$OUT"
: > "$RAW"

# name:binary, in the order of the first repetition.
allocs="glibc:$B/bench/larson mimalloc:$B/bench/larson jemalloc:$B/bench/larson tcmalloc:$B/bench/larson"
if [ -x "$B/bench/hotpair" ]; then
	allocs="hakmem:$B/bench/larson hakmem-excl:$B/benchx/larson $allocs"
fi
nalloc=$(echo $allocs | wc -w)
# Enough vCPUs for one per thread (the exclusive build needs it).
maxt=4
for t in $THREADS; do [ "$t" -gt "$maxt" ] && maxt=$t; done
export HK_NR_CPUS=$maxt

fail=0
for rep in $(seq 1 "$REPS"); do
	for set in seed mimalloc-bench; do
		case $set in
		seed) params="8 1024 1024 1 12345" ;;
		mimalloc-bench) params="8 1000 5000 100 4141" ;;
		esac
		for t in $THREADS; do
			# Rotate the order each repetition: no allocator always
			# runs first, or right after the same neighbour.
			i=0
			head=""
			tail=""
			for a in $allocs; do
				if [ $i -lt $(( (rep - 1) % nalloc )) ]; then
					tail="$tail $a"
				else
					head="$head $a"
				fi
				i=$((i + 1))
			done
			order="$head $tail"
			for a in $order; do
				name=${a%%:*}
				bin=${a#*:}
				echo "larson rep $rep/$REPS, $set, $t threads: $name" >&2
				rc=0
				res=$("$bin" -a "$name" "$RT" $params "$t") || rc=$?
				echo "$res" | sed "s/^RESULT /RESULT rep=$rep set=$set /" >>"$RAW"
				echo "$res" >&2
				if [ $rc != 0 ] || echo "$res" | grep -q '^FAILED'; then
					echo "bench-user: FAILED: $name (larson exit $rc)" >&2
					fail=1
				fi
			done
		done
	done
done

CG=$OUT/callgrind
rm -rf "$CG"; mkdir -p "$CG/shared" "$CG/excl"
if [ -x "$B/bench/hotpair" ]; then
	command -v valgrind >/dev/null || { echo "bench-user: FAILED: valgrind missing" >&2; exit 1; }
	valgrind --tool=callgrind --callgrind-out-file="$CG/shared/cg.out" \
		"$B/bench/hotpair" 100000 >/dev/null 2>"$CG/shared/valgrind.log" || fail=1
	valgrind --tool=callgrind --callgrind-out-file="$CG/excl/cg.out" \
		"$B/benchx/hotpair" 100000 >/dev/null 2>"$CG/excl/valgrind.log" || fail=1
fi
mkdir -p "$(dirname "$JSON")"
PYTHONPATH="$(cd "$(dirname "$0")" && pwd)" PYTHONDONTWRITEBYTECODE=1 \
	python3 - "$RAW" "$CG" "$JSON" "$RT" "$REPS" <<'PY' || fail=1
import json, os, sys, platform, datetime, statistics
from cg_dumps import per_iteration
raw, cg, out, rt, reps = sys.argv[1:6]
recs = []
for line in open(raw):
    if line.startswith("RESULT "):
        d = dict(kv.split("=", 1) for kv in line.split()[1:])
        recs.append({"set": d["set"], "rep": int(d["rep"]), "allocator": d["alloc"],
                     "min": int(d["min"]), "max": int(d["max"]),
                     "chunks": int(d["chunks"]), "rounds": int(d["rounds"]),
                     "runtime_s": float(rt), "threads": int(d["threads"]),
                     "ops": int(d["ops"]), "secs": float(d["secs"]),
                     "ops_per_sec": float(d["ops_per_sec"])})

def callgrind(d):
    """(Ir(2N) - Ir(N)) / N of each hotpair loop (cg_dumps.py)."""
    per = per_iteration(d, 100000)
    return {name: round(per[name], 1)
            for name in ("cache64", "tiny64", "glibc64") if name in per}
inst = {"shared": callgrind(os.path.join(cg, "shared")),
        "excl": callgrind(os.path.join(cg, "excl"))}

# (set, threads, allocator) -> Mops/s of every repetition
runs = {}
for r in recs:
    runs.setdefault((r["set"], r["threads"], r["allocator"]), []).append(r["ops_per_sec"] / 1e6)
summary = []
for (st, t, a), v in sorted(runs.items()):
    summary.append({"set": st, "threads": t, "allocator": a, "runs": len(v),
                    "median_mops": round(statistics.median(v), 3),
                    "min_mops": round(min(v), 3), "max_mops": round(max(v), 3)})
doc = {"benchmark": "larson + callgrind hot pair",
       "date": datetime.datetime.utcnow().isoformat() + "Z",
       "host": platform.node(), "cpus": os.cpu_count(),
       "load_avg": os.getloadavg(),
       "hakmem_build": "userspace harness, shared vCPUs (a vCPU lock per atomic section, atomic this_cpu ops), gcc -O2; hakmem-excl: exclusive vCPUs (-DHK_VCPU_EXCLUSIVE), no lock",
       "sets": {"seed": "min 8, max 1024, 1024 blocks/thread, rounds 1, seed 12345",
                "mimalloc-bench": "min 8, max 1000, 5000 blocks/thread, rounds 100, seed 4141"},
       "reps": int(reps), "larson": recs, "larson_summary": summary,
       "hot_pair_instructions": {
           "method": "(Ir(2N pairs) - Ir(N pairs)) / N, N=100000, loop overhead included",
           "shared": inst["shared"], "excl": inst["excl"]},
       "targets": {"larson_vs_mimalloc": ">= 1.0x", "larson_vs_glibc": ">= 2x", "hot_pair": "<= 30"}}
json.dump(doc, open(out, "w"), indent=2)

def cell(v):
    return "%.2f [%.2f-%.2f]" % (statistics.median(v), min(v), max(v))
allocs = sorted({k[2] for k in runs},
                key=lambda a: ["hakmem", "hakmem-excl", "glibc", "mimalloc", "jemalloc", "tcmalloc"].index(a)
                if a in ("hakmem", "hakmem-excl", "glibc", "mimalloc", "jemalloc", "tcmalloc") else 99)
peers = [a for a in allocs if not a.startswith("hakmem")]
print("\nLarson, Mops/s: median [min-max] of %s interleaved runs of %ss; "
      "hakmem = shared vCPUs (locks, as the peers pay), hakmem-excl = exclusive (no lock)" % (reps, rt))
print("hakmem/peer: ratio of medians; '~' where the two ranges overlap (not told apart), "
      "'>' or '<' where they are clear of each other")
for st in ("seed", "mimalloc-bench"):
    print("\n[%s] %s" % (st, doc["sets"][st]))
    print("%3s " % "T" + " ".join("%22s" % a for a in allocs) + "   hakmem/peer")
    for t in sorted({k[1] for k in runs if k[0] == st}):
        row, rel = [], []
        h = runs.get((st, t, "hakmem"))
        for a in allocs:
            v = runs.get((st, t, a))
            row.append("%22s" % (cell(v) if v else "-"))
        for p in peers:
            v = runs.get((st, t, p))
            if h and v:
                sep = "~" if min(h) <= max(v) and min(v) <= max(h) else (">" if min(h) > max(v) else "<")
                rel.append("%s %.2fx%s" % (p, statistics.median(h) / statistics.median(v), sep))
        print("%3d " % t + " ".join(row) + "   " + ", ".join(rel))
print("\nHot pair, instructions per alloc+free (callgrind, loop included): "
      "shared build: cache(64) %s, hakmem_alloc(64) %s; exclusive build: cache(64) %s, "
      "hakmem_alloc(64) %s; glibc malloc(64) %s"
      % (inst["shared"].get("cache64"), inst["shared"].get("tiny64"),
         inst["excl"].get("cache64"), inst["excl"].get("tiny64"),
         inst["shared"].get("glibc64")))
print("wrote", out)
PY
if [ $fail != 0 ]; then
	echo "bench-user: FAILED (see above): an allocator could not be loaded or a run failed" >&2
	exit 1
fi
