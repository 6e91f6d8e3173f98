#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench-user: Larson for hakmem and its peers at every parameter set and
# thread count, the callgrind hot-path counts, a table with ratios, and
# $BENCH_JSON.  Run through "make -C tools/testing bench-user".
set -e
B=${B:-build}
RT=${LARSON_RUNTIME:-2}
THREADS=${LARSON_THREADS:-1 2 4}
JSON=${BENCH_JSON:-../../bench-results/user.json}
OUT=$B/bench
RAW=$OUT/larson.raw
: > "$RAW"
for max in 128 1024; do
	for t in $THREADS; do
		echo "larson $RT 8 $max 1024 1 12345 $t" >&2
		"$B/bench/larson" "$RT" 8 "$max" 1024 1 12345 "$t" | tee -a "$RAW" >&2
	done
done
CG=$OUT/callgrind
rm -rf "$CG"; mkdir -p "$CG"
if [ -x "$B/bench/hotpair" ] && command -v valgrind >/dev/null; then
	valgrind --tool=callgrind --callgrind-out-file="$CG/cg.out" \
		"$B/bench/hotpair" 100000 >/dev/null 2>"$CG/valgrind.log" || true
fi
mkdir -p "$(dirname "$JSON")"
python3 - "$RAW" "$CG" "$JSON" "$RT" <<'PY'
import glob, json, os, re, sys, platform, datetime
raw, cg, out, rt = sys.argv[1:5]
recs = []
for line in open(raw):
    if line.startswith("RESULT "):
        d = dict(kv.split("=", 1) for kv in line.split()[1:])
        recs.append({"allocator": d["alloc"], "min": int(d["min"]), "max": int(d["max"]),
                     "chunks": int(d["chunks"]), "rounds": int(d["rounds"]),
                     "seed": 12345, "runtime_s": float(rt), "threads": int(d["threads"]),
                     "ops": int(d["ops"]), "secs": float(d["secs"]),
                     "ops_per_sec": float(d["ops_per_sec"])})
# callgrind dumps: label -> Ir
ir = {}
for f in glob.glob(os.path.join(cg, "cg.out*")):
    label = tot = None
    for l in open(f, errors="replace"):
        m = re.match(r"desc: Trigger: Client Request: (\S+)", l)
        if m: label = m.group(1)
        m = re.match(r"summary: (\d+)", l)
        if m: tot = int(m.group(1))
    if label and tot is not None: ir[label] = tot
N = 100000
inst = {}
for name in ("cache64", "tiny64", "glibc64"):
    if name + "-N" in ir and name + "-2N" in ir:
        inst[name] = round((ir[name + "-2N"] - ir[name + "-N"]) / N, 1)
doc = {"benchmark": "larson + callgrind hot pair",
       "date": datetime.datetime.utcnow().isoformat() + "Z",
       "host": platform.node(), "cpus": os.cpu_count(),
       "hakmem_build": "userspace harness, exclusive vCPUs (-DHK_VCPU_EXCLUSIVE), 4 vCPUs / 2 nodes, gcc -O2",
       "larson": recs,
       "hot_pair_instructions": {
           "method": "(Ir(2N pairs) - Ir(N pairs)) / N, N=100000, loop overhead included",
           "hakmem_cache_64": inst.get("cache64"), "hakmem_alloc_64": inst.get("tiny64"),
           "glibc_malloc_64": inst.get("glibc64")},
       "targets": {"larson_vs_mimalloc": ">= 1.0x", "larson_vs_glibc": ">= 2x", "hot_pair": "<= 30"}}
json.dump(doc, open(out, "w"), indent=2)
# table
by = {}
for r in recs: by[(r["max"], r["threads"], r["allocator"])] = r["ops_per_sec"]
peers = ["glibc", "mimalloc", "jemalloc", "tcmalloc"]
print("\nLarson (runtime %ss, min 8, chunks 1024, rounds 1, seed 12345), Mops/s; ratio = hakmem / peer" % rt)
print("%-9s %3s %9s " % ("max", "T", "hakmem") + " ".join("%17s" % p for p in peers))
for mx, t in sorted({(k[0], k[1]) for k in by}):
    h = by.get((mx, t, "hakmem"))
    cells = []
    for p in peers:
        v = by.get((mx, t, p))
        cells.append("%17s" % ("-" if v is None else
                     "%6.2f (%5.2fx)" % (v / 1e6, h / v) if h else "%6.2f" % (v / 1e6)))
    print("%-9s %3d %9s " % (mx, t, "%.2f" % (h / 1e6) if h else "-") + " ".join(cells))
print("\nHot pair, instructions per alloc+free (callgrind): cache(64) %s, hakmem_alloc(64) %s, glibc malloc(64) %s; target <= 30"
      % (inst.get("cache64"), inst.get("tiny64"), inst.get("glibc64")))
print("wrote", out)
PY
