#!/usr/bin/env bash
# The main job on a fresh Debian machine: set up, build, and measure the paper's Table 7
# configurations (MobileNeXt-1.0 at α = 1, 1/2, 1/3, 1/6) and MobileNetV2-1.0 on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
bin=.build/release/sandglass
for alpha in 1 1/2 1/3 1/6; do
    $bin bench --model mobilenext --alpha "$alpha" --iterations 100
done
$bin bench --model mobilenetv2 --iterations 100
