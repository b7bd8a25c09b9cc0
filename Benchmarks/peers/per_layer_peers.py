#!/usr/bin/env python3
"""Sandglass against ONNX Runtime layer by layer, alternated inference by inference.

The whole-network ratio of paired_peers.py says how far apart two engines are; this says where.
One pinned core runs, in turn and in a shuffled order per round, one instrumented Sandglass
inference (`sandglass worker`, {"op":"run","layers":true}: every plan step timed) and one ONNX
Runtime inference with its profiler on (`SessionOptions.enable_profiling`: every node timed).
Both engines run the same ONNX file, Sandglass layer by layer (`fusion none`) so that its steps
line up with ONNX Runtime's nodes (`--fusion auto`: as it runs by default, a depth-first chain of
layers one step, paired with the nodes of all its layers). A node is matched to a Sandglass step by name: ONNX Runtime
names its fused nodes after one of the nodes it fused (`relu6_8_nchwc`, `conv_13_token_8`); the
suffix is dropped (a name may also be the fused node's output tensor's), and from a BatchNormalization, Clip, Relu or (De)QuantizeLinear the name
walks back to the node that feeds it until it reaches a Sandglass step's layer.

Per step (and per kind of step): the median over rounds of Sandglass time / the matched nodes'
ONNX Runtime time, with its distribution-free 95% CI. Both engines are instrumented here (clock
reads around every step or node), so the per-layer figures carry a few microseconds each that
the uninstrumented whole-network ratio of paired_peers.py does not; nodes that have no step
(layout conversions, the input's quantization) are listed with their time.

    Scripts/bench-peers.sh --per-layer --dtype int8 --model mobilenetv2:1.0:1:224
    python3 Benchmarks/peers/per_layer_peers.py --sandglass .build/release/sandglass --pairs 200
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import onnx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paired_peers as pp  # noqa: E402
from paired_peers import median_ci, pb, qdq  # noqa: E402

# Nodes that an engine folds into the layer before them: a name walks back through these.
FOLDED_OPS = {"BatchNormalization", "Relu", "Clip", "QuantizeLinear", "DequantizeLinear", "Identity"}
# What ONNX Runtime appends to the name of a node it fused or rewrote.
ORT_SUFFIX = re.compile(r"(_nchwc|_token_\d+)+$")


class ProfiledOnnxRuntime(pp.OnnxRuntimePeer):
    """ONNX Runtime with its per-node profiler on, writing into `directory`."""

    def __init__(self, threads: int, directory: Path):
        super().__init__(threads)
        self.directory = directory

    def session_options(self):
        opts = super().session_options()
        opts.enable_profiling = True
        opts.profile_file_prefix = str(self.directory / "onnxruntime-profile")
        return opts

    def prepare(self, m, onnx_path):
        session, _ = super().prepare(m, onnx_path)
        # The feed under the file's own input name (the zoo's is "input"; an imported file's may differ).
        return session, {session.get_inputs()[0].name: np.zeros((1, 3, m[3], m[3]), np.float32)}

    def set_input(self, handle, x: np.ndarray):
        session, feed = handle
        feed[next(iter(feed))] = x.astype(np.float32)


def node_times(profile: Path, runs: int) -> tuple[list[str], dict[str, str], dict[str, list[float]]]:
    """Every node's kernel time (ms) in each of the last `runs` runs, from the profiler's file:
    node names in execution order, their op types, their times run by run."""
    events = json.loads(profile.read_text())
    order, ops, times = [], {}, defaultdict(list)
    for e in events:
        if e.get("cat") != "Node" or not e.get("name", "").endswith("_kernel_time"):
            continue
        name = e["name"][: -len("_kernel_time")]
        if name not in ops:
            order.append(name)
            ops[name] = e.get("args", {}).get("op_name", "?")
        times[name].append(e["dur"] / 1000)
    short = [n for n in order if len(times[n]) < runs]
    if short:
        sys.exit(f"ONNX Runtime's profile has fewer than {runs} runs of {', '.join(short[:5])}: "
                 "its profiler dropped events (too many runs for its buffer?); use fewer --pairs")
    return order, ops, {n: times[n][-runs:] for n in order}


def match_nodes(ort_nodes: list[str], steps: list[dict], model: onnx.ModelProto) -> dict[str, int | None]:
    """The Sandglass step (index) each ONNX Runtime node belongs to, or None."""
    layer_step = {}
    for i, s in enumerate(steps):
        for layer in s["name"].split("+"):
            layer_step.setdefault(layer, i)
    by_name = {n.name: n for n in model.graph.node}
    producer = {out: n for n in model.graph.node for out in n.output}
    matched = {}
    for ort_name in ort_nodes:
        name, step = ORT_SUFFIX.sub("", ort_name), None
        for _ in range(8):
            if name in layer_step:
                step = layer_step[name]
                break
            # ONNX Runtime names some fused nodes after their output tensor (`conv_21_nchwc` for
            # the Conv whose BatchNormalization wrote `conv_21`).
            node = by_name.get(name) or producer.get(name)
            if node is None or node.op_type not in FOLDED_OPS or not node.input or node.input[0] not in producer:
                break
            name = producer[node.input[0]].name
        matched[ort_name] = step
    return matched


def main() -> None:
    p = argparse.ArgumentParser(description="Sandglass vs ONNX Runtime per layer, alternated inference by inference")
    p.add_argument("--sandglass", default=str(pb.ROOT / ".build/release/sandglass"))
    p.add_argument("--model", default="mobilenext:1.0:1:224", help="arch:width:alpha:resolution, or onnx:<file>")
    p.add_argument("--dtype", default="f32", choices=["f32", "int8"],
                   help="int8: both run the model quantized by ONNX Runtime's quantize_static (as paired_peers.py)")
    p.add_argument("--pairs", type=int, default=200, help="alternated inferences per engine")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--cpu", type=int, default=None, help="core to pin to (default: the last one)")
    p.add_argument("--tuning", default="cached", choices=["off", "cached", "fresh"], help="Sandglass's kernel tuning")
    p.add_argument("--fusion", default="none", choices=["none", "auto"],
                   help="Sandglass's plan: layer by layer (none, lines up with ONNX Runtime's nodes), or as it runs by "
                        "default (auto: a depth-first chain is one step, paired with all its layers' nodes)")
    p.add_argument("--add", default="fused", choices=["fused", "separate"],
                   help="Sandglass's shortcut adds: fused into the depthwise layer's step, or steps of their own")
    p.add_argument("--out", default=str(pb.ROOT / "Reports/peers"))
    p.add_argument("--name", default=None)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    if a.pairs < 6:
        sys.exit("--pairs must be at least 6 (a CI of the median needs them)")

    cpu = a.cpu if a.cpu is not None else sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {cpu})  # the worker, started below, inherits it
    tmp = Path(tempfile.mkdtemp(prefix="sandglass-per-layer-"))
    m, path = pp.parse_model_spec(a.model, "--model")
    if path is not None:
        label = path.stem
    else:
        label = f"{m[0]}-{m[1]} α={m[2]} @{m[3]}"
        model, _ = pb.onnx_zoo.build(m[0], width=m[1], alpha=m[2], resolution=m[3], seed=0, fold_bn=a.dtype == "int8")
        path = tmp / "model.onnx"
        onnx.save(model, str(path))
    if a.dtype == "int8":
        path = qdq.quantize(path, tmp / (path.stem + ".qdq.onnx"), m[3])
    graph = onnx.load(str(path), load_external_data=False)

    sandglass = pp.SandglassWorker(a.sandglass, 1, a.dtype)
    ort = ProfiledOnnxRuntime(1, tmp)
    try:
        loaded = sandglass.ask({"op": "load", "id": "m", "onnx": str(path), "threads": 1, "dtype": a.dtype,
                                "fusion": a.fusion, "tuning": a.tuning, "add": a.add})
        steps = loaded["steps"]
        handle = ort.prepare(m, path)
        x = np.random.default_rng(1).uniform(-1, 1, (1, 3, m[3], m[3])).astype(np.float32)
        sandglass.set_input("m", x)
        ort.set_input(handle, x)
        reference = ort.output(handle)
        mine = sandglass.output("m")
        rel = float(np.max(np.abs(mine - reference)) / max(1e-12, float(np.max(np.abs(reference)))))
        for _ in range(a.warmup):
            sandglass.ask({"op": "run", "id": "m", "layers": True})
            ort.once_ms(handle)
        rng = random.Random(a.seed)
        sg_ms, sg_layers, ort_ms = [], [], []
        started = time.time()
        for _ in range(a.pairs):
            for engine in rng.sample(["sandglass", "onnxruntime"], 2):
                if engine == "sandglass":
                    answer = sandglass.ask({"op": "run", "id": "m", "layers": True})
                    sg_ms.append(answer["ms"][0])
                    sg_layers.append(answer["layerMs"][0])
                else:
                    ort_ms.append(ort.once_ms(handle))
        profile = Path(handle[0].end_profiling())
    finally:
        sandglass.close()
    order, ops, times = node_times(profile, a.pairs)
    profile.unlink()
    matched = match_nodes(order, steps, graph)

    def ci(t):
        return f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]"

    rounds = range(a.pairs)

    def paired(members: list[int]) -> dict:
        """Steps `members` against the nodes matched to them, round by round: both times and their ratio."""
        nodes = [n for n in order if matched[n] in members]
        sg = [sum(sg_layers[r][i] for i in members) for r in rounds]
        figures = {"onnxruntimeNodes": nodes, "sandglassMs": median_ci(sg)}
        if nodes:
            theirs = [sum(times[n][r] for n in nodes) for r in rounds]
            figures.update(onnxruntimeMs=median_ci(theirs), ratio=median_ci([s_ / t for s_, t in zip(sg, theirs)]))
        return figures

    rows = []
    for i, s in enumerate(steps):
        row = {"step": s["name"], "op": s["op"], "kernel": s["kernel"], **paired([i])}
        row["onnxruntimeOps"] = sorted({ops[n] for n in row["onnxruntimeNodes"]})
        rows.append(row)
    kinds = []
    for kind in dict.fromkeys(s["op"] for s in steps):
        members = [i for i, s in enumerate(steps) if s["op"] == kind]
        figures = paired(members)
        del figures["onnxruntimeNodes"]
        kinds.append({"op": kind, "steps": len(members), **figures})
    unmatched = [n for n in order if matched[n] is None]
    unmatched_ms = [sum(times[n][r] for n in unmatched) for r in rounds]
    sg_sum = [sum(sg_layers[r]) for r in rounds]
    ort_sum = [sum(times[n][r] for n in order) for r in rounds]
    whole = {"sandglassMs": median_ci(sg_ms), "onnxruntimeMs": median_ci(ort_ms),
             "ratio": median_ci([s_ / t for s_, t in zip(sg_ms, ort_ms)]),
             "stepSumRatio": median_ci([s_ / t for s_, t in zip(sg_sum, ort_sum)]),
             "unmatchedOnnxRuntimeMs": median_ci(unmatched_ms)}
    print(f"{label}: instrumented inferences, sandglass/onnxruntime {ci(whole['ratio'])}; "
          f"{len(order) - len(unmatched)} of {len(order)} ONNX Runtime nodes matched ({time.time() - started:.0f} s)",
          file=sys.stderr)

    env = pb.environment([cpu], {"sandglass": sandglass.version, "onnxruntime": ort.version}, pairs=a.pairs,
                         warmup=a.warmup, threads=1)
    env.update(dtype=a.dtype, fusion=a.fusion, add=a.add, tuning=loaded.get("tuning"), isa=loaded.get("isa"))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    name = a.name or f"per-layer-{a.dtype}"
    report = {"environment": env, "model": label, "maxRelOutputDifference": rel, "whole": whole, "kinds": kinds,
              "steps": rows, "unmatchedOnnxRuntimeNodes": [{"node": n, "op": ops[n], "ms": median_ci(times[n])} for n in unmatched],
              "timesMs": {"sandglass": sg_ms, "sandglassSteps": sg_layers, "onnxruntime": ort_ms,
                          "onnxruntimeNodes": {n: times[n] for n in order}}}
    # Compact: the rounds' times are most of it (a few hundred thousand numbers).
    (out / f"{name}.json").write_text(json.dumps(report, separators=(",", ":")) + "\n")

    dtype = " int8 (ONNX Runtime's QDQ model, uint8 activations)" if a.dtype == "int8" else ""
    total = whole["sandglassMs"][0]
    lines = [f"# Sandglass vs ONNX Runtime per layer: {label}{dtype}, one thread", "",
             f"Measured {env['date']} on {env['cpu']} (pinned to CPU {cpu}), kernel {env['kernel']}; Sandglass "
             f"{env['sandglassCommit']} (`sandglass worker`, isa {env['isa']}, fusion {a.fusion}, adds {a.add}, tuning: "
             f"{env['tuning']}), ONNX Runtime {ort.version} (profiler on). Outputs on one shared input within "
             f"{rel:.1e} (relative).", "",
             f"{a.warmup} warm-up inferences each, then {a.pairs} rounds in which each engine runs one instrumented "
             "inference, in a shuffled order: Sandglass times every plan step, ONNX Runtime's profiler every node. "
             "Ratios are medians over rounds of Sandglass / ONNX Runtime with distribution-free 95% CIs (below 1 = "
             "Sandglass faster). Nodes are matched to steps by name (`Benchmarks/peers/per_layer_peers.py` says how). "
             "Both engines pay for their instrumentation here, so use `Scripts/bench-peers.sh --paired` for the "
             "whole network's figure.", "",
             f"Instrumented inferences: Sandglass {ci(whole['sandglassMs'])} ms, ONNX Runtime {ci(whole['onnxruntimeMs'])} ms, "
             f"ratio **{ci(whole['ratio'])}**; sums of steps / sums of nodes {ci(whole['stepSumRatio'])}. ONNX Runtime "
             f"nodes without a Sandglass step: {ci(whole['unmatchedOnnxRuntimeMs'])} ms.", "",
             "## By kind of step", "",
             "| op | steps | Sandglass ms | ONNX Runtime ms | Sandglass / ONNX Runtime |", "|---|---|---|---|---|"]
    for k in kinds:
        lines.append(f"| {k['op']} | {k['steps']} | {ci(k['sandglassMs'])} | "
                     f"{ci(k['onnxruntimeMs']) if 'ratio' in k else '—'} | {('**' + ci(k['ratio']) + '**') if 'ratio' in k else 'no node'} |")
    lines += ["", "## By step", "",
              "| step | op | kernel | share | Sandglass ms | ONNX Runtime node(s) | ONNX Runtime ms | Sandglass / ONNX Runtime |",
              "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        nodes = ", ".join(f"`{n}` ({ops[n]})" for n in r["onnxruntimeNodes"]) or "—"
        share = f"{100 * r['sandglassMs'][0] / total:.1f}%" if total > 0 else "?"
        lines.append(f"| `{r['step']}` | {r['op']} | {r['kernel']} | {share} | {r['sandglassMs'][0]:.4f} | {nodes} | "
                     f"{r['onnxruntimeMs'][0]:.4f} | {ci(r['ratio'])} |" if "ratio" in r else
                     f"| `{r['step']}` | {r['op']} | {r['kernel']} | {share} | {r['sandglassMs'][0]:.4f} | — | — | — |")
    if unmatched:
        # By op type first: a partial shortcut's Slice, Split and Concat (α < 1), layout
        # conversions (ReorderInput/Output), the input's quantization; Sandglass has no step for
        # them (its adds of α·C channels run in the depthwise layer's epilogue, in place).
        by_op = defaultdict(list)
        for n in unmatched:
            by_op[ops[n]].append(n)
        lines += ["", "## ONNX Runtime nodes without a Sandglass step", "", "| op | nodes | ms per inference |", "|---|---|---|"]
        lines += [f"| {op} | {len(ns)} | {ci(median_ci([sum(times[n][r] for n in ns) for r in rounds]))} |"
                  for op, ns in by_op.items()]
        lines += ["", "| node | op | ms |", "|---|---|---|"]
        lines += [f"| `{n}` | {ops[n]} | {median_ci(times[n])[0]:.4f} |" for n in unmatched]
    lines += ["", f"Every time, round by round: `{name}.json`. Rerun: `Scripts/bench-peers.sh --per-layer --model {a.model}"
              + (" --dtype int8" if a.dtype == "int8" else "") + (f" --fusion {a.fusion}" if a.fusion != "none" else "")
              + f" --pairs {a.pairs}`."]
    (out / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
