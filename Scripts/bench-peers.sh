#!/usr/bin/env bash
# Sandglass against ONNX Runtime, ncnn and MNN on the same architectures, on pinned cores.
# Installs the peers from PyPI into .venv-peers (onnxruntime; ncnn with pnnx to convert;
# MNN with mnnconvert), builds Sandglass (release), and writes
#   Reports/peers/peers-<threads>t.{md,json}    blocks of inferences per engine, interleaved in
#                                               shuffled rounds (peer_benchmark.py)
#   Reports/peers/paired-<threads>t.{md,json}   with --paired: Sandglass (`sandglass worker`) and
#                                               ONNX Runtime alternated inference by inference,
#                                               paired ratios with CIs and an A/A pair
#                                               (paired_peers.py); with --paired --litert, LiteRT
#                                               (XNNPACK) in the same rotation, our ONNX files
#                                               converted by onnx2tf (in .venv-litert)
#   Reports/peers/per-layer-<dtype>.{md,json}   with --per-layer: one model, Sandglass's steps
#                                               (`sandglass worker`, fusion none) beside ONNX
#                                               Runtime's profiled nodes, alternated inference by
#                                               inference, a paired ratio per layer and per kind
#                                               (per_layer_peers.py; --model arch:width:alpha:res)
# Other arguments pass through (--rounds, --iterations, --pairs, --threads, --models, --out, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
script=Benchmarks/peers/peer_benchmark.py
packages="numpy onnx onnxruntime ncnn pnnx MNN"
extra=()
if [ "${1:-}" = "--per-layer" ]; then
    shift
    script=Benchmarks/peers/per_layer_peers.py
    packages="numpy onnx onnxruntime"
elif [ "${1:-}" = "--paired" ]; then
    shift
    script=Benchmarks/peers/paired_peers.py
    packages="numpy onnx onnxruntime"
    if [ "${1:-}" = "--litert" ]; then
        # LiteRT (XNNPACK) in the same rotation: its runtime here, and onnx2tf (with TensorFlow,
        # ~2 GB) in a venv of its own that only converts the ONNX files.
        shift
        packages="$packages ai-edge-litert"
        [ -x .venv-litert/bin/python ] || python3 -m venv .venv-litert
        .venv-litert/bin/pip install -q --disable-pip-version-check onnx2tf tensorflow-cpu tf-keras onnx onnxruntime \
            onnx-graphsurgeon sng4onnx psutil ai-edge-litert
        extra=(--peers onnxruntime,litert --onnx2tf .venv-litert/bin/onnx2tf)
    fi
fi
python3 -m venv .venv-peers
.venv-peers/bin/pip install -q --disable-pip-version-check $packages
swift build -c release --product sandglass
exec .venv-peers/bin/python "$script" --sandglass .build/release/sandglass "${extra[@]}" "$@"
