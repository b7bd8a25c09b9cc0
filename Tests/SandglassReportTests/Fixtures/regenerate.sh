#!/usr/bin/env bash
# Re-creates the frozen fixture results from a real quick sweep on this machine. The golden
# outputs then change too: rerun the report tests with SANDGLASS_UPDATE_GOLDEN=1 and review.
set -euo pipefail
cd "$(dirname "$0")"
bin=../../../.build/release/sandglass
"$bin" sweep fixture-alpha.yaml --out fixture-alpha.jsonl --force --progress plain
"$bin" sweep fixture-widths.yaml --out fixture-widths.jsonl --force --progress plain --no-calibrate
