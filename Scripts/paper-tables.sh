#!/usr/bin/env bash
# The committed paper-tables report: the three presets with their default settings (comparison
# groups alternated inference by inference, an A/A resolution test at the start of each), then
# `sandglass report` over the three results files.
#
#   Scripts/paper-tables.sh Reports/paper-tables-xeon-kvm "MobileNeXt vs MobileNetV2 on a 2-vCPU Intel Xeon KVM guest"
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: Scripts/paper-tables.sh OUT_DIR [TITLE] [NOTE]}
title=${2:-MobileNeXt vs MobileNetV2}
note=${3:-}
bin=.build/release/sandglass
swift build -c release --product sandglass
mkdir -p "$out/results"
for preset in table7 table3 add-vs-mac; do
    started=$(date +%s)
    "$bin" sweep --preset "$preset" --out "$out/results/$preset.jsonl" --force --progress plain
    echo "paper-tables: $preset took $(( $(date +%s) - started )) s" | tee -a "$out/results/timings.txt"
done
args=(report "$out/results/add-vs-mac.jsonl" "$out/results/table3.jsonl" "$out/results/table7.jsonl"
      --out "$out" --title "$title" --force)
[ -n "$note" ] && args+=(--note "$note")
"$bin" "${args[@]}"
