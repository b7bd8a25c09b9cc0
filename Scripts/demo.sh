#!/usr/bin/env bash
# The main job on a fresh Debian machine: set up, build, run the paper's Table 7 sweep
# (MobileNeXt-1.0 at α = 1, 1/2, 1/3, 1/6) on this machine, and write a report.
#   Scripts/demo.sh [OUTPUT_DIR]        (default: out/demo; rerunning resumes the sweep)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
out=${1:-out/demo}
mkdir -p "$out"
bin=.build/release/sandglass
$bin sweep --preset table7 --out "$out/results.jsonl" --resume
$bin report "$out/results.jsonl" --out "$out/report" --force
echo "demo: report in $out/report/README.md"
