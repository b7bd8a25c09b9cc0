#!/usr/bin/env python3
"""Sandglass against peer engines, alternated inference by inference on one pinned core.

The block protocol of peer_benchmark.py compares medians of blocks measured minutes apart, so
drift on a shared host widens its CIs (as wide as [0.70, 1.57] here). This one holds every
engine's model in memory at once and runs them in turn, one inference each, in an order shuffled
per pair: the two times of a pair are milliseconds apart and see the same machine state. The
figure per peer is the median over pairs of Sandglass / peer with its distribution-free 95% CI
(the same rule as `sandglass ab`), beside an A/A pair (the peer against a second session of
itself, alternated the same way right after) that shows how finely the protocol resolves on this
machine.

Sandglass runs in `sandglass worker` (one process, JSON lines over pipes) and times each
inference itself, around the executor; the peers are timed here around their run call, which
adds their Python binding's cost (tens of microseconds, well under 1% of these models). Every
engine runs the same ONNX file (Scripts/sandglass_py/onnx_zoo.py; Sandglass imports it), and the
outputs on one shared input are compared before timing.

    Scripts/bench-peers.sh --paired                          # installs the peers, then runs this
    python3 Benchmarks/peers/paired_peers.py --sandglass .build/release/sandglass --pairs 400
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer_benchmark as pb  # noqa: E402
from sandglass_py import qdq  # noqa: E402  (peer_benchmark puts Scripts/ on the path)


class SandglassWorker:
    """`sandglass worker` driven over its stdin/stdout."""
    name = "sandglass"

    def __init__(self, binary: str, threads: int, dtype: str = "f32"):
        self.binary, self.threads, self.dtype = binary, threads, dtype
        self.version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
        self.proc = subprocess.Popen([binary, "worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.ready = self._read()
        self.count = 0
        # Each run request's time seen from here (pipe and JSON included): the conservative figure.
        self.round_trips: list[float] = []

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"sandglass worker ended unexpectedly (exit {self.proc.poll()})")
        answer = json.loads(line)
        if not answer.get("ok"):
            sys.exit(f"sandglass worker: {answer.get('error')}")
        return answer

    def ask(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def prepare(self, m, onnx_path):
        self.count += 1
        handle = f"m{self.count}"
        self.loaded = self.ask({"op": "load", "id": handle, "onnx": str(onnx_path), "threads": self.threads, "dtype": self.dtype})
        return handle

    def set_input(self, handle, x: np.ndarray):
        self.ask({"op": "input", "id": handle, "values": x.reshape(-1).astype(float).tolist()})

    def output(self, handle) -> np.ndarray:
        self.ask({"op": "run", "id": handle, "iterations": 1})
        return np.array(self.ask({"op": "output", "id": handle})["values"], dtype=np.float32)

    def once_ms(self, handle) -> float:
        t0 = time.perf_counter_ns()
        ms = self.ask({"op": "run", "id": handle, "iterations": 1})["ms"][0]
        self.round_trips.append((time.perf_counter_ns() - t0) / 1e6)
        return ms

    def roofline(self, handle) -> tuple[dict | None, str | None]:
        """The plan's roofline bound from a calibration of this core taken now, or (None, why)."""
        answer = self.ask({"op": "roofline", "id": handle})
        return answer.get("roofline"), answer.get("unavailable")

    def close(self):
        try:
            self.ask({"op": "quit"})
        except (BrokenPipeError, SystemExit):
            pass
        self.proc.wait(timeout=30)


class OnnxRuntimePeer(pb.OnnxRuntimeEngine):
    def __init__(self, threads: int):
        # Its intra-op threads must not spin after an inference: in alternation they would take
        # the cores from the engine that runs next. Sandglass's own pool sleeps between
        # inferences too.
        super().__init__(threads, spinning=False)

    def set_input(self, handle, x: np.ndarray):
        handle[1]["input"] = x.astype(np.float32)

    def output(self, handle) -> np.ndarray:
        session, feed = handle
        return np.asarray(session.run(None, feed)[0], dtype=np.float32).reshape(-1)

    def once_ms(self, handle) -> float:
        session, feed = handle
        t0 = time.perf_counter_ns()
        session.run(None, feed)
        return (time.perf_counter_ns() - t0) / 1e6


class LiteRTPeer:
    """LiteRT (XNNPACK) running our ONNX file converted by onnx2tf (NHWC input, float32).

    onnx2tf needs TensorFlow, so it runs from its own venv (`--onnx2tf`, made by
    `Scripts/bench-peers.sh --paired --litert`); conversions are cached by file content under
    .build/litert-models. At start onnx2tf fetches a calibration sample unless one lies in its
    working directory: a generated one is placed there, so nothing is downloaded."""
    name = "litert"

    def __init__(self, threads: int, onnx2tf: str):
        from ai_edge_litert.interpreter import Interpreter  # noqa: F401 (fails early if absent)
        import importlib.metadata
        self.threads, self.onnx2tf = threads, os.path.abspath(onnx2tf)   # conversions run in their own directory
        self.version = importlib.metadata.version("ai-edge-litert")

    def convert(self, onnx_path: Path) -> Path:
        import hashlib
        digest = hashlib.sha256(Path(onnx_path).read_bytes()).hexdigest()[:16]
        out = pb.ROOT / ".build/litert-models" / f"{Path(onnx_path).stem}-{digest}"
        found = sorted(out.glob("*_float32.tflite")) if out.exists() else []
        if found:
            return found[0]
        out.mkdir(parents=True, exist_ok=True)
        np.save(out / "calibration_image_sample_data_20x128x128x3_float32.npy",
                np.random.default_rng(0).uniform(0, 1, (20, 128, 128, 3)).astype(np.float32))
        r = subprocess.run([self.onnx2tf, "-i", str(Path(onnx_path).resolve()), "-o", str(out)], cwd=out,
                           capture_output=True, text=True)
        found = sorted(out.glob("*_float32.tflite"))
        if r.returncode != 0 or not found:
            sys.exit(f"onnx2tf could not convert {onnx_path} (exit {r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        return found[0]

    def prepare(self, m, onnx_path):
        from ai_edge_litert.interpreter import Interpreter
        interpreter = Interpreter(model_path=str(self.convert(onnx_path)), num_threads=self.threads)
        interpreter.allocate_tensors()
        return interpreter

    def set_input(self, handle, x: np.ndarray):
        detail = handle.get_input_details()[0]
        nhwc = np.ascontiguousarray(x.transpose(0, 2, 3, 1)) if tuple(detail["shape"]) != x.shape else x
        handle.set_tensor(detail["index"], nhwc.astype(np.float32))

    def output(self, handle) -> np.ndarray:
        handle.invoke()
        return np.asarray(handle.get_tensor(handle.get_output_details()[0]["index"]), dtype=np.float32).reshape(-1)

    def once_ms(self, handle) -> float:
        t0 = time.perf_counter_ns()
        handle.invoke()
        return (time.perf_counter_ns() - t0) / 1e6


def median_ci(values: list[float]) -> tuple[float, float, float]:
    """Median and its distribution-free 95% CI: order statistics at ranks n/2 -/+ 1.96*sqrt(n)/2."""
    s = sorted(values)
    n = len(s)
    med = (s[(n - 1) // 2] + s[n // 2]) / 2
    if n < 6:
        return med, s[0], s[-1]
    half = 1.959964 * math.sqrt(n) / 2
    lo = max(1, int(math.floor(n / 2 - half)))
    hi = min(n, int(math.ceil(n / 2 + half + 1)))
    return med, s[lo - 1], s[hi - 1]


def parse_model_spec(spec: str, option: str) -> tuple[tuple, Path | None]:
    """One model named on the command line (`option` names the flag in errors):
    arch:width:alpha:resolution, or onnx:<file>, whose resolution is read from its input.
    Returns the model's tuple and the file (None for a built-in model)."""
    if spec.startswith("onnx:"):
        path = Path(spec[5:])
        if not path.is_file():
            sys.exit(f"{option} {spec}: no such file")
        dims = onnx.load(str(path), load_external_data=False).graph.input[0].type.tensor_type.shape.dim
        return (f"onnx:{path.stem}", 1.0, "1", int(dims[2].dim_value)), path
    try:
        arch, width, alpha, res = spec.split(":")
        return (arch, float(width), alpha, int(res)), None
    except ValueError:
        sys.exit(f"{option} {spec}: write arch:width:alpha:resolution (mobilenext:1.0:1/6:224) or onnx:<file>")


def main() -> None:
    p = argparse.ArgumentParser(description="Sandglass vs peer engines, alternated inference by inference")
    p.add_argument("--sandglass", default=str(pb.ROOT / ".build/release/sandglass"))
    p.add_argument("--peers", default="onnxruntime", help="comma-separated: onnxruntime, litert")
    p.add_argument("--onnx2tf", default=str(pb.ROOT / ".venv-litert/bin/onnx2tf"), help="onnx2tf, for --peers litert")
    p.add_argument("--pairs", type=int, default=400, help="alternated inferences per engine and model")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cpu", type=int, default=None, help="core to pin to (default: the last one)")
    p.add_argument("--models", default=None, help="arch:width:alpha:resolution or onnx:<file>, comma-separated "
                   "(default: Table 7's α = 1, 1/6 and MobileNetV2-1.0)")
    p.add_argument("--out", default=str(pb.ROOT / "Reports/peers"))
    p.add_argument("--name", default=None)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--dtype", default="f32", choices=["f32", "int8"],
                   help="int8: every engine runs the model quantized by ONNX Runtime's quantize_static (QDQ, per-channel "
                        "int8 weights, uint8 activations, MinMax on 8 seeded random inputs); Sandglass imports that file")
    a = p.parse_args()
    if a.pairs < 6:
        sys.exit("--pairs must be at least 6 (a CI of the median needs them)")

    cpus = sorted(os.sched_getaffinity(0))
    pinned = [a.cpu if a.cpu is not None else cpus[-1]] if a.threads == 1 else cpus[-a.threads:]
    os.sched_setaffinity(0, set(pinned))  # the worker, started below, inherits it
    models = [("mobilenext", 1.0, "1", 224), ("mobilenext", 1.0, "1/6", 224), ("mobilenetv2", 1.0, "1", 224)]
    files = {}   # model tuple -> an ONNX file given on the command line (torchvision exports, ...)
    if a.models:
        models = []
        for spec in a.models.split(","):
            m, path = parse_model_spec(spec, "--models")
            if path is not None:
                files[m] = path
            models.append(m)
    peers = [x for x in a.peers.split(",") if x]
    unknown = [x for x in peers if x not in ("onnxruntime", "litert")]
    if unknown:
        sys.exit(f"unknown or unpaired peer(s) {', '.join(unknown)}: paired runs support onnxruntime and litert (peer_benchmark.py runs ncnn and MNN in blocks)")
    if "litert" in peers and not Path(a.onnx2tf).exists():
        sys.exit(f"--peers litert needs onnx2tf at {a.onnx2tf}: run Scripts/bench-peers.sh --paired --litert, which makes that venv")

    if a.dtype == "int8" and "litert" in peers:
        sys.exit("--dtype int8 runs ONNX Runtime only: LiteRT would need its own int8 conversion (onnx2tf's full-integer path)")
    sandglass = SandglassWorker(a.sandglass, a.threads, a.dtype)
    ort = OnnxRuntimePeer(a.threads)
    litert = LiteRTPeer(a.threads, a.onnx2tf) if "litert" in peers else None
    rng = random.Random(a.seed)
    tmp = Path(tempfile.mkdtemp(prefix="sandglass-paired-"))
    results = []
    started = time.time()
    try:
        for m in models:
            madds = None
            if m in files:
                path = files[m]
            else:
                # int8: BatchNorm folded first, as ONNX Runtime's quantization pre-processing does.
                model, counts = pb.onnx_zoo.build(m[0], width=m[1], alpha=m[2], resolution=m[3], seed=0,
                                                  fold_bn=a.dtype == "int8")
                madds = counts.madds
                path = tmp / (pb.model_key(m).replace(" ", "_").replace("/", "-") + ".onnx")
                onnx.save(model, str(path))
            if a.dtype == "int8":
                # ONNX Runtime's quantize_static: per-channel int8 weights, uint8 activations, 8 seeded inputs.
                path = qdq.quantize(path, tmp / (path.stem + ".qdq.onnx"), m[3])
            engines = {"sandglass": (sandglass, sandglass.prepare(m, path)),
                       "onnxruntime": (ort, ort.prepare(m, path))}
            if litert:
                engines["litert"] = (litert, litert.prepare(m, path))
            # One input for all, then the outputs side by side: the engines compute the same thing.
            x = np.random.default_rng(1).uniform(-1, 1, (1, 3, m[3], m[3])).astype(np.float32)
            for engine, handle in engines.values():
                engine.set_input(handle, x)
            reference = ort.output(engines["onnxruntime"][1])
            mine = sandglass.output(engines["sandglass"][1])
            rel = float(np.max(np.abs(mine - reference)) / max(1e-12, float(np.max(np.abs(reference)))))
            rel_litert = None
            if litert:
                theirs = litert.output(engines["litert"][1])
                rel_litert = float(np.max(np.abs(theirs - reference)) / max(1e-12, float(np.max(np.abs(reference)))))
                if not rel_litert < 1e-3:
                    sys.exit(f"{pb.model_key(m)}: LiteRT's output differs from ONNX Runtime's by {rel_litert:.1e} (relative): "
                             "the conversion is wrong, not comparing")

            def alternate(names: list[str]) -> dict[str, list[float]]:
                for name in names:
                    engine, handle = engines[name]
                    for _ in range(a.warmup):
                        engine.once_ms(handle)
                times = {name: [] for name in names}
                sandglass.round_trips = []
                for _ in range(a.pairs):
                    rng.shuffle(names)
                    for name in names:
                        engine, handle = engines[name]
                        times[name].append(engine.once_ms(handle))
                return times

            # Two engines at a time, as the comparison itself runs: first Sandglass against ONNX
            # Runtime, then the A/A pair (a second session of the same model against the first).
            # Three pools of threads in one rotation disturbed each other on a 2-vCPU machine.
            # With LiteRT, all three in one rotation (one thread each: no pools to disturb).
            times = alternate(["sandglass", "onnxruntime"] + (["litert"] if litert else []))
            round_trips = list(sandglass.round_trips)
            engines["onnxruntime (A/A copy)"] = (ort, ort.prepare(m, path))
            engines["onnxruntime (A/A copy)"][0].set_input(engines["onnxruntime (A/A copy)"][1], x)
            aa_times = alternate(["onnxruntime", "onnxruntime (A/A copy)"])
            times["onnxruntime (A/A copy)"] = aa_times["onnxruntime (A/A copy)"]
            times["onnxruntime (A/A first)"] = aa_times["onnxruntime"]
            del engines["onnxruntime (A/A copy)"]
            sg, base, copy = times["sandglass"], times["onnxruntime"], times["onnxruntime (A/A copy)"]
            ratio = median_ci([s / b for s, b in zip(sg, base)])
            aa_base = times["onnxruntime (A/A first)"]
            round_trip = median_ci([s / b for s, b in zip(round_trips, base)])
            aa = median_ci([c / b for c, b in zip(copy, aa_base)])
            row = {"model": m[0], "width": m[1], "alpha": m[2], "resolution": m[3], "threads": a.threads,
                   "pairs": a.pairs, "madds": madds,
                   "sandglassMs": median_ci(sg), "onnxruntimeMs": median_ci(base),
                   "ratioToOnnxRuntime": ratio, "ratioRoundTrip": round_trip, "aaRatio": aa, "maxRelOutputDifference": rel,
                   "sandglassIsa": sandglass.loaded.get("isa"), "sandglassTuning": sandglass.loaded.get("tuning"),
                   "timesMs": times,
                   "litertMs": median_ci(times["litert"]) if litert else None,
                   "ratioToLiteRT": median_ci([s / t for s, t in zip(sg, times["litert"])]) if litert else None,
                   "ratioToFasterPeer": median_ci([s / min(b, t) for s, b, t in zip(sg, base, times["litert"])]) if litert else None,
                   "litertToOnnxRuntime": median_ci([t / b for t, b in zip(times["litert"], base)]) if litert else None,
                   "maxRelOutputDifferenceLiteRT": rel_litert,
                   "sandglassRoundTripMs": round_trips}
            # The bound right after the times, from the same state of the host (RooflineBound.swift):
            # each engine's median over it says how far from this machine's ceilings it runs.
            bound, why = sandglass.roofline(engines["sandglass"][1])
            row["roofline"] = {k: bound[k] for k in ("boundMs", "computeBoundMs", "trafficBoundMs", "peakGflops")} if bound else None
            row["rooflineUnavailable"] = why
            if bound:
                row["overBound"] = {e: median_ci([t / bound["boundMs"] for t in times[e]])
                                    for e in ["sandglass", "onnxruntime"] + (["litert"] if litert else [])}
            results.append(row)
            if litert:
                f = row["ratioToFasterPeer"]
                print(f"{pb.model_key(m)}: sandglass/faster of onnxruntime and litert {f[0]:.3f} [{f[1]:.3f}, {f[2]:.3f}]", file=sys.stderr)
            print(f"{pb.model_key(m)}: sandglass/onnxruntime {ratio[0]:.3f} [{ratio[1]:.3f}, {ratio[2]:.3f}], "
                  f"A/A {aa[0]:.3f} [{aa[1]:.3f}, {aa[2]:.3f}], outputs within {rel:.1e} "
                  f"({time.time() - started:.0f} s)", file=sys.stderr)
            sandglass.ask({"op": "unload", "id": engines["sandglass"][1]})
    finally:
        sandglass.close()

    versions = {"sandglass": sandglass.version, "onnxruntime": ort.version}
    if litert:
        versions["litert"] = litert.version
    env = pb.environment(pinned, versions, pairs=a.pairs,
                         warmup=a.warmup, threads=a.threads)
    env["dtype"] = a.dtype
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    name = a.name or f"paired-{a.threads}t"
    (out / f"{name}.json").write_text(json.dumps({"environment": env, "results": results}, indent=1))

    def ci(t):
        return f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]"
    dtype_note = " in int8 (ONNX Runtime's QDQ models, uint8 activations)" if a.dtype == "int8" else ""
    lines = [f"# Sandglass vs ONNX Runtime{dtype_note}, alternated inference by inference ({a.threads} thread{'s' if a.threads > 1 else ''})", "",
             f"Measured {env['date']} on {env['cpu']} (pinned to CPU {', '.join(map(str, pinned))}), kernel {env['kernel']}; "
             f"Sandglass {env['sandglassCommit']} (`sandglass worker`), ONNX Runtime {ort.version}.", "",
             f"Per model: {a.warmup} warm-up inferences each, then {a.pairs} rounds in which Sandglass and ONNX Runtime each "
             f"run one inference, in a shuffled order; then the same with ONNX Runtime and a second session of the same "
             f"model (the A/A pair). Ratio: median "
             f"over rounds of Sandglass / ONNX Runtime with its distribution-free 95% CI (below 1 = Sandglass faster). "
             f"A/A: the second session / the first, the resolution of this protocol here. Every engine runs the same "
             f"ONNX file; outputs on one shared input are compared first. ONNX Runtime's threads do not spin between "
             f"inferences (`session.intra_op.allow_spinning = 0`), or they would take the cores from the engine that runs "
             f"next. Sandglass's time is the worker's own, around the "
             f"inference; ONNX Runtime's includes its Python binding. The round-trip column charges Sandglass the pipe and "
             f"JSON of each request as well: the truth lies between the two ratios.", "",
             "| model | Sandglass ms | ONNX Runtime ms | Sandglass / ONNX Runtime | same, Sandglass by round trip | A/A | max output difference |",
             "|---|---|---|---|---|---|---|"]
    tunings = sorted({r.get("sandglassTuning") for r in results if r.get("sandglassTuning")})
    if tunings:
        lines[4:4] = ["Sandglass's kernel tuning per model (`--tuning cached`, the worker's default): "
                      + "; ".join(f"{r['model']}-{r['width']} α={r['alpha']}: {r['sandglassTuning']}" for r in results
                                  if r.get("sandglassTuning")) + ".", ""]
    for r in results:
        lines.append(f"| {r['model']}-{r['width']} α={r['alpha']} @{r['resolution']} | {ci(r['sandglassMs'])} | "
                     f"{ci(r['onnxruntimeMs'])} | **{ci(r['ratioToOnnxRuntime'])}** | {ci(r['ratioRoundTrip'])} | {ci(r['aaRatio'])} | "
                     f"{r['maxRelOutputDifference']:.1e} |")
    if litert:
        lines += ["", f"LiteRT {litert.version} (XNNPACK, {a.threads} thread{'s' if a.threads > 1 else ''}) ran the same ONNX files "
                  "converted by onnx2tf, in the same rotation (Sandglass, ONNX Runtime and LiteRT one inference each per "
                  "round, shuffled). Faster peer: per round, Sandglass / the faster of ONNX Runtime and LiteRT.", "",
                  "| model | LiteRT ms | LiteRT / ONNX Runtime | Sandglass / LiteRT | **Sandglass / faster peer** | LiteRT's output vs ONNX Runtime |",
                  "|---|---|---|---|---|---|"]
        for r in results:
            lines.append(f"| {r['model']}-{r['width']} α={r['alpha']} @{r['resolution']} | {ci(r['litertMs'])} | "
                         f"{ci(r['litertToOnnxRuntime'])} | {ci(r['ratioToLiteRT'])} | **{ci(r['ratioToFasterPeer'])}** | "
                         f"{r['maxRelOutputDifferenceLiteRT']:.1e} |")
    if any(r.get("roofline") for r in results):
        peers = ["onnxruntime"] + (["litert"] if litert else [])
        names = {"onnxruntime": "ONNX Runtime", "litert": "LiteRT"}
        lines += ["", "Against this machine's roofline: each model's bound (`sandglass bench --format json`'s `roofline`: per "
                  "step, its FLOPs at the calibrated FMA peak or its planned bytes at the bandwidth of the cache level "
                  "holding them, whichever is slower; RooflineBound.swift), calibrated on the pinned CPUs right after "
                  "that model's rounds, and each engine's time over it (median of round / bound). A floor, not a "
                  "prediction: 1.0 is every step at its ceiling.", "",
                  "| model | bound ms | of which compute | FMA peak GFLOP/s | Sandglass / bound | "
                  + " | ".join(f"{names[p]} / bound" for p in peers) + " |",
                  "|---|---|---|---|---|" + "---|" * len(peers)]
        for r in results:
            b = r.get("roofline")
            if not b:
                lines.append(f"| {r['model']}-{r['width']} α={r['alpha']} @{r['resolution']} | unavailable: "
                             f"{r.get('rooflineUnavailable')} |")
                continue
            lines.append(f"| {r['model']}-{r['width']} α={r['alpha']} @{r['resolution']} | {b['boundMs']:.2f} | "
                         f"{b['computeBoundMs']:.2f} | {b['peakGflops']:.1f} | {ci(r['overBound']['sandglass'])} | "
                         + " | ".join(ci(r['overBound'][p]) for p in peers) + " |")
    lines += ["", f"Every time: `{name}.json`. Rerun: `Scripts/bench-peers.sh --paired" + (" --litert" if litert else "")
              + (" --dtype int8" if a.dtype == "int8" else "") + (f" --threads {a.threads}" if a.threads != 1 else "")
              + f" --pairs {a.pairs}`."]
    (out / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
