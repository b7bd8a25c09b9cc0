#!/usr/bin/env bash
# Instrumentation overhead of per-layer measurement on MobileNeXt-1.0 (224, one thread, pinned):
# per-layer timing alone, and timing plus a group of four software counters. Each bench run
# interleaves uninstrumented and instrumented inferences and reports the difference of medians;
# this repeats that ROUNDS times, alternating the two configurations, and prints the median of
# the rounds in wall time and in thread CPU time (less sensitive to other load on the machine).
# Usage: Scripts/measure-overhead.sh [ROUNDS] [ITERATIONS] [extra bench flags…]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}; ITERATIONS=${2:-200}; shift $(( $# > 2 ? 2 : $# )) || true
BIN=.build/release/sandglass
[ -x "$BIN" ] || swift build -c release --product sandglass
PIN=core:$(( $(nproc) - 1 ))
OUT=$(mktemp -d)
for round in $(seq "$ROUNDS"); do
    for counters in none software; do
        "$BIN" bench --model mobilenext --width 1.0 --alpha 1 --resolution 224 --per-layer --counters "$counters" \
            --pin "$PIN" --warmup 20 --iterations "$ITERATIONS" --format json "$@" > "$OUT/$counters-$round.json"
    done
done
python3 - "$OUT" <<'PY'
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
for counters in ["none", "software"]:
    runs = [json.loads(p.read_text()) for p in sorted(out.glob(f"{counters}-*.json"))]
    def med(key): return statistics.median(r[key] for r in runs)
    rounds = ", ".join("%.2f" % r["overheadPercent"] for r in runs)
    print("%8s: overhead %.2f %% wall, %.2f %% thread CPU (rounds: %s); end to end %.3f ms, CPU %.3f ms, "
          "instrumented %.3f ms, sum of layers %.3f ms; %d steps, counters %s"
          % (counters, med("overheadPercent"), med("overheadCPUPercent"), rounds, med("endToEndMs"), med("endToEndCPUMs"),
             med("instrumentedMs"), med("perLayerSumMs"), len(runs[0]["layers"]), runs[0]["counters"]["events"]))
PY
rm -rf "$OUT"
