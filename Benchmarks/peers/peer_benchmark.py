#!/usr/bin/env python3
"""Sandglass against peer CPU engines, interleaved on one pinned core, in one run.

Every engine runs the same architectures (exported by Scripts/sandglass_py/onnx_zoo.py, the
same definition as Sandglass's model zoo). Measurements are blocks of N timed inferences after
a warm-up; each round visits every (model, engine) block in a freshly shuffled order, so drift
and noise from a shared host spread over all engines. Reported per engine: the median of block
medians with a bootstrap 95% CI, and the ratio to ONNX Runtime as the median of per-round
ratios (each ratio compares blocks measured minutes, not hours, apart).

    Scripts/bench-peers.sh                        # installs the peers, then runs this
    python3 Benchmarks/peers/peer_benchmark.py --sandglass .build/release/sandglass --rounds 7
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Scripts"))
from sandglass_py import onnx_zoo  # noqa: E402

DEFAULT_MODELS = [
    ("mobilenext", 1.0, "1", 224), ("mobilenext", 1.0, "1/2", 224), ("mobilenext", 1.0, "1/3", 224),
    ("mobilenext", 1.0, "1/6", 224), ("mobilenetv2", 1.0, "1", 224),
]


def time_block(once, warmup: int, iterations: int) -> float:
    """Median milliseconds of `iterations` timed calls after `warmup` untimed ones."""
    for _ in range(warmup):
        once()
    samples = []
    for _ in range(iterations):
        t0 = time.perf_counter_ns()
        once()
        samples.append((time.perf_counter_ns() - t0) / 1e6)
    return statistics.median(samples)


def model_key(m) -> str:
    arch, width, alpha, res = m
    return f"{arch}-{width} a={alpha} @{res}"


class SandglassEngine:
    name = "sandglass"

    def __init__(self, binary: str, threads: int):
        self.binary, self.threads = binary, threads
        self.version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()

    def prepare(self, m, onnx_path):
        return m

    def block(self, handle, warmup: int, iterations: int) -> float:
        arch, width, alpha, res = handle
        out = subprocess.run([self.binary, "bench", "--model", arch, "--width", str(width), "--alpha", alpha,
                              "--resolution", str(res), "--threads", str(self.threads), "--warmup", str(warmup),
                              "--iterations", str(iterations), "--format", "json"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)["latencyMs"]["median"]


class OnnxRuntimeEngine:
    name = "onnxruntime"

    def __init__(self, threads: int, spinning: bool | None = None):
        import onnxruntime as ort
        self.ort, self.threads = ort, threads
        self.version = ort.__version__
        # ONNX Runtime's default: its intra-op threads spin between runs (only with 2+ threads).
        self.spinning = threads > 1 if spinning is None else spinning

    def session_options(self):
        opts = self.ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = self.ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = self.ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if not self.spinning:
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return opts

    def prepare(self, m, onnx_path):
        session = self.ort.InferenceSession(str(onnx_path), self.session_options(), providers=["CPUExecutionProvider"])
        x = np.random.default_rng(0).uniform(-1, 1, (1, 3, m[3], m[3])).astype(np.float32)
        return session, {"input": x}

    def block(self, handle, warmup: int, iterations: int) -> float:
        session, feed = handle
        return time_block(lambda: session.run(None, feed), warmup, iterations)


class NcnnEngine:
    """ncnn through its Python bindings; the ONNX graph converted by pnnx (PyPI)."""
    name = "ncnn"

    def __init__(self, threads: int):
        import ncnn
        self.ncnn, self.threads = ncnn, threads
        self.version = getattr(ncnn, "__version__", "unknown")

    def prepare(self, m, onnx_path):
        work = onnx_path.parent / (onnx_path.stem + "-ncnn")
        work.mkdir(exist_ok=True)
        local = work / "model.onnx"
        local.write_bytes(onnx_path.read_bytes())
        pnnx = Path(sys.executable).with_name("pnnx")
        subprocess.run([str(pnnx), "model.onnx", f"inputshape=[1,3,{m[3]},{m[3]}]"], cwd=work, check=True,
                       capture_output=True)
        net = self.ncnn.Net()
        net.opt.num_threads = self.threads
        net.load_param(str(work / "model.ncnn.param"))
        net.load_model(str(work / "model.ncnn.bin"))
        x = np.random.default_rng(0).uniform(-1, 1, (3, m[3], m[3])).astype(np.float32)
        return net, self.ncnn.Mat(x)

    def block(self, handle, warmup: int, iterations: int) -> float:
        net, mat = handle

        def once():
            ex = net.create_extractor()
            ex.input("in0", mat)
            ex.extract("out0")
        return time_block(once, warmup, iterations)


class MnnEngine:
    """MNN through its Python bindings; the ONNX graph converted by mnnconvert (PyPI)."""
    name = "mnn"

    def __init__(self, threads: int):
        import MNN
        self.mnn, self.threads = MNN, threads
        self.version = MNN.version() if callable(getattr(MNN, "version", None)) else getattr(MNN, "__version__", "unknown")

    def prepare(self, m, onnx_path):
        mnn_path = onnx_path.with_suffix(".mnn")
        convert = Path(sys.executable).with_name("mnnconvert")
        subprocess.run([str(convert), "-f", "ONNX", "--modelFile", str(onnx_path), "--MNNModel", str(mnn_path),
                        "--bizCode", "sandglass"], check=True, capture_output=True)
        interpreter = self.mnn.Interpreter(str(mnn_path))
        session = interpreter.createSession({"numThread": self.threads})
        x = np.random.default_rng(0).uniform(-1, 1, (1, 3, m[3], m[3])).astype(np.float32)
        source = self.mnn.Tensor((1, 3, m[3], m[3]), self.mnn.Halide_Type_Float, x, self.mnn.Tensor_DimensionType_Caffe)
        return interpreter, session, interpreter.getSessionInput(session), source

    def block(self, handle, warmup: int, iterations: int) -> float:
        interpreter, session, inp, source = handle

        def once():
            inp.copyFrom(source)
            interpreter.runSession(session)
        return time_block(once, warmup, iterations)


def bootstrap_ci(values, stat=statistics.median, n=2000, seed=1):
    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    rng = random.Random(seed)
    stats = sorted(stat([rng.choice(values) for _ in values]) for _ in range(n))
    return stats[int(0.025 * n)], stats[int(0.975 * n) - 1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment(pinned, engines: dict, **settings) -> dict:
    """Where and with what a run measured: date, CPU, pinning, kernel, engine versions, commit."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "cpu": cpu_model(),
            "pinnedCPUs": pinned, "kernel": platform.release(), "python": platform.python_version(),
            "engines": engines, **settings, "sandglassCommit": commit.stdout.strip()}


def main() -> None:
    p = argparse.ArgumentParser(description="Sandglass vs peer engines, interleaved")
    p.add_argument("--sandglass", default=str(ROOT / ".build/release/sandglass"))
    p.add_argument("--peers", default="onnxruntime,ncnn,mnn", help="comma-separated: onnxruntime, ncnn, mnn")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--iterations", type=int, default=50)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cpu", type=int, default=None, help="core to pin to (default: the last one)")
    p.add_argument("--models", default=None, help="arch:width:alpha:resolution,... (default: Table 7 + MobileNetV2-1.0)")
    p.add_argument("--out", default=str(ROOT / "Reports/peers"))
    p.add_argument("--name", default=None)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()

    cpus = sorted(os.sched_getaffinity(0))
    if a.threads == 1:
        cpu = a.cpu if a.cpu is not None else cpus[-1]
        os.sched_setaffinity(0, {cpu})
        pinned = [cpu]
    else:
        pinned = cpus[-a.threads:]
        os.sched_setaffinity(0, set(pinned))
    models = DEFAULT_MODELS
    if a.models:
        models = [(s.split(":")[0], float(s.split(":")[1]), s.split(":")[2], int(s.split(":")[3])) for s in a.models.split(",")]

    engines = [SandglassEngine(a.sandglass, a.threads)]
    for peer in filter(None, a.peers.split(",")):
        if peer == "onnxruntime":
            engines.append(OnnxRuntimeEngine(a.threads))
        elif peer == "ncnn":
            engines.append(NcnnEngine(a.threads))
        elif peer == "mnn":
            engines.append(MnnEngine(a.threads))
        else:
            sys.exit(f"unknown peer '{peer}': supported peers are onnxruntime, ncnn, mnn")

    tmp = Path(tempfile.mkdtemp(prefix="sandglass-peers-"))
    handles = {}
    for m in models:
        model, _ = onnx_zoo.build(m[0], width=m[1], alpha=m[2], resolution=m[3], seed=0)
        path = tmp / (model_key(m).replace(" ", "_").replace("/", "-") + ".onnx")
        import onnx
        onnx.save(model, str(path))
        for e in engines:
            handles[(model_key(m), e.name)] = e.prepare(m, path)

    blocks = {k: [] for k in handles}
    rng = random.Random(a.seed)
    started = time.time()
    for r in range(a.rounds):
        order = list(handles)
        rng.shuffle(order)
        for key in order:
            engine = next(e for e in engines if e.name == key[1])
            blocks[key].append(engine.block(handles[key], a.warmup, a.iterations))
        print(f"round {r + 1}/{a.rounds} done ({time.time() - started:.0f} s)", file=sys.stderr)

    results = []
    for m in models:
        mk = model_key(m)
        _, counts = onnx_zoo.build(m[0], width=m[1], alpha=m[2], resolution=m[3], seed=0)
        base = blocks.get((mk, "onnxruntime"))
        for e in engines:
            b = blocks[(mk, e.name)]
            med = statistics.median(b)
            lo, hi = bootstrap_ci(b)
            row = {"model": m[0], "width": m[1], "alpha": m[2], "resolution": m[3], "engine": e.name,
                   "engineVersion": e.version, "threads": a.threads, "blockMediansMs": b, "medianMs": med,
                   "ciLowMs": lo, "ciHighMs": hi, "gflops": 2 * counts.madds / (med * 1e6), "madds": counts.madds}
            if base and e.name != "onnxruntime":
                ratios = [x / y for x, y in zip(b, base)]
                row["ratioToOnnxRuntime"] = statistics.median(ratios)
                row["ratioCI"] = bootstrap_ci(ratios)
            results.append(row)

    env = environment(pinned, {e.name: e.version for e in engines}, rounds=a.rounds, iterations=a.iterations,
                      warmup=a.warmup, threads=a.threads)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    name = a.name or f"peers-{a.threads}t"
    (out / f"{name}.json").write_text(json.dumps({"environment": env, "results": results}, indent=2))
    lines = [f"# Sandglass vs {', '.join(e.name for e in engines[1:])} ({a.threads} thread{'s' if a.threads > 1 else ''})", "",
             f"Measured {env['date']} on {env['cpu']} (pinned to CPU {', '.join(map(str, pinned))}), kernel {env['kernel']}; "
             f"Sandglass {env['sandglassCommit']}, " + ", ".join(f"{k} {v}" for k, v in env["engines"].items()) + ".", "",
             f"{a.rounds} rounds; each round runs every (model, engine) block once in a shuffled order; a block is "
             f"{a.warmup} warm-up + {a.iterations} timed inferences and gives its median. Latency: median of block medians "
             f"[bootstrap 95% CI]. Ratio: median over rounds of Sandglass / ONNX Runtime (below 1 = Sandglass faster).", "",
             "| model | engine | latency ms [95% CI] | GFLOP/s | ratio to ONNX Runtime [95% CI] |",
             "|---|---|---|---|---|"]
    for row in results:
        ratio = f"{row['ratioToOnnxRuntime']:.3f} [{row['ratioCI'][0]:.3f}, {row['ratioCI'][1]:.3f}]" if "ratioToOnnxRuntime" in row else "1 (baseline)" if row["engine"] == "onnxruntime" else "–"
        lines.append(f"| {row['model']}-{row['width']} α={row['alpha']} @{row['resolution']} | {row['engine']} | "
                     f"{row['medianMs']:.3f} [{row['ciLowMs']:.3f}, {row['ciHighMs']:.3f}] | {row['gflops']:.1f} | {ratio} |")
    lines += ["", f"Raw block medians: `{name}.json`. Rerun: `Scripts/bench-peers.sh`."]
    (out / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
