#!/usr/bin/env bash
# Builds and runs the micro-architecture loops in this folder on one pinned core.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc=${CC:-clang}
"$cc" -O2 -mavx2 -mfma -o "$out/qu8_madd_loop" qu8_madd_loop.c
grep -m1 'model name' /proc/cpuinfo
cpu=$(( $(nproc) - 1 ))
taskset -c "$cpu" "$out/qu8_madd_loop"
