#!/usr/bin/env bash
# Sandglass against ONNX Runtime, ncnn and MNN on the same architectures, interleaved on pinned
# cores. Installs the peers from PyPI into .venv-peers (onnxruntime; ncnn with pnnx to convert;
# MNN with mnnconvert), builds Sandglass (release), and writes
# Reports/peers/peers-<threads>t.{md,json}. Arguments pass through to peer_benchmark.py
# (--rounds, --iterations, --threads, --models, --out, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-peers
.venv-peers/bin/pip install -q --disable-pip-version-check numpy onnx onnxruntime ncnn pnnx MNN
swift build -c release --product sandglass
exec .venv-peers/bin/python Benchmarks/peers/peer_benchmark.py --sandglass .build/release/sandglass "$@"
