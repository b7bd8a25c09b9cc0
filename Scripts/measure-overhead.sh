#!/usr/bin/env bash
# What per-layer instrumentation costs on MobileNeXt-1.0 (224, one thread, pinned to the last
# core), paired: each bench run alternates uninstrumented and instrumented inferences and
# reports the median of the pairs' ratios with its 95% CI. Configurations: per-layer timing
# alone, timing plus the group of four software counters with the default (auto, rotating)
# window, and with counters around every step. ROUNDS rounds, configurations alternated, so
# that a change in the host's load falls on all of them; per round and configuration it
# prints the paired overhead, the sum of the layers' mean times against the mean uninstrumented
# inference (means add up; medians do not), the window and the fewest counter samples any layer
# got.
# Usage: Scripts/measure-overhead.sh [ROUNDS] [ITERATIONS] [extra bench flags…]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}; ITERATIONS=${2:-1000}; shift $(( $# > 2 ? 2 : $# )) || true
BIN=.build/release/sandglass
[ -x "$BIN" ] || swift build -c release --product sandglass
PIN=core:$(( $(nproc) - 1 ))
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
grep -m1 'model name' /proc/cpuinfo || true
for round in $(seq "$ROUNDS"); do
    for config in timing software-auto software-all; do
        case $config in
            timing) flags=(--per-layer) ;;
            software-auto) flags=(--counters software) ;;
            software-all) flags=(--counters software --counter-window all) ;;
        esac
        "$BIN" bench --model mobilenext --width 1.0 --alpha 1 --resolution 224 "${flags[@]}" \
            --pin "$PIN" --warmup 20 --iterations "$ITERATIONS" --format json "$@" > "$OUT/$config-$round.json"
    done
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import json, pathlib, statistics, sys
out, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
print("%-14s %5s  %-26s %10s %12s  %s" % ("config", "round", "paired overhead [95% CI]", "e2e ms", "means sum/e2e", "window, fewest samples"))
for config in ["timing", "software-auto", "software-all"]:
    medians = []
    for r in range(1, rounds + 1):
        d = json.loads((out / f"{config}-{r}.json").read_text())
        o = d["overheadPairedPercent"]
        medians.append(o["median"])
        samples = [l["counterSamples"] for l in d["layers"] if l.get("counterSamples") is not None]
        window = next((n.split("counters read around ")[1].split(",")[0] for n in d["counters"]["notes"] if "counters read around" in n), "-")
        print("%-14s %5d  %+.2f%% [%+.2f%%, %+.2f%%]   %10.3f %+11.2f%%  %s%s" % (
            config, r, o["median"], o["ciLow"], o["ciHigh"], d["endToEndMs"],
            (d["perLayerMeanSumMs"] / d["endToEndMeanMs"] - 1) * 100, window,
            ", %d samples" % min(samples) if samples else ""))
    print("%-14s  median of rounds: %+.2f%%" % (config, statistics.median(medians)))
PY
