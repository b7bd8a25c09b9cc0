"""Per-layer pairs with ONNX Runtime's profiler (Benchmarks/peers/per_layer_peers.py): how its
nodes are matched to Sandglass's steps, and the whole run on tiny models in fp32 and int8. Checks
that every convolution is paired and that the figures come from the rounds (not speed: that is
the benchmark's job)."""
import json
import subprocess
import sys

import onnx
from onnx import helper

from conftest import ROOT

sys.path.insert(0, str(ROOT / "Benchmarks/peers"))
import per_layer_peers  # noqa: E402


def test_nodes_match_steps_by_name_through_folded_nodes():
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv_1"),
             helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], ["n"], name="bn_2"),
             helper.make_node("Conv", ["n", "w3"], ["c8"], name="conv_raw_8"),
             helper.make_node("BatchNormalization", ["c8", "s", "b", "m", "v"], ["conv_9"], name="conv_9_bn"),
             helper.make_node("Clip", ["n"], ["r"], name="relu6_3"),
             helper.make_node("Conv", ["r", "w2"], ["d"], name="conv_4"),
             helper.make_node("Add", ["d", "r"], ["a"], name="add_5"),
             helper.make_node("Transpose", ["a"], ["t"], name="transpose_6")]
    model = helper.make_model(helper.make_graph(nodes, "g", [], []))
    steps = [{"name": "conv_1"}, {"name": "conv_4+add_5"}, {"name": "conv_raw_8"}]
    # ONNX Runtime's names: after the last node fused (a suffix added), or after its output tensor.
    matched = per_layer_peers.match_nodes(
        ["relu6_3_nchwc", "conv_4_token_7", "add_5", "transpose_6", "ReorderOutput", "bn_2", "conv_9_nchwc"], steps, model)
    assert matched == {"relu6_3_nchwc": 0, "conv_4_token_7": 1, "add_5": 1, "transpose_6": None,
                       "ReorderOutput": None, "bn_2": 0, "conv_9_nchwc": 2}


def run_per_layer(sandglass, tmp_path, model: str, dtype: str, name: str, pairs: int = 8) -> dict:
    r = subprocess.run([sys.executable, str(ROOT / "Benchmarks/peers/per_layer_peers.py"), "--sandglass", str(sandglass),
                        "--model", model, "--dtype", dtype, "--pairs", str(pairs), "--warmup", "1", "--tuning", "off",
                        "--out", str(tmp_path), "--name", name], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads((tmp_path / f"{name}.json").read_text())


def check_report(report: dict, pairs: int, conv_ops: set[str]):
    times = report["timesMs"]
    assert len(times["sandglass"]) == len(times["onnxruntime"]) == len(times["sandglassSteps"]) == pairs
    for total, steps in zip(times["sandglass"], times["sandglassSteps"]):
        assert len(steps) == len(report["steps"]) and all(t > 0 for t in steps)
        assert sum(steps) <= total, "the steps run inside the inference's timer"
    # Every ONNX Runtime convolution is paired with a step; what stays unpaired is no layer.
    assert all(len(t) == pairs for t in times["onnxruntimeNodes"].values())
    unmatched = {u["node"]: u["op"] for u in report["unmatchedOnnxRuntimeNodes"]}
    assert not {n for n, op in unmatched.items() if op in conv_ops}, unmatched
    assert all(r.get("onnxruntimeNodes") for r in report["steps"] if r["op"].startswith(("conv", "dwconv"))), \
        [r["step"] for r in report["steps"] if not r.get("onnxruntimeNodes")]
    # A step's ratio is the median over rounds of its own time / its nodes' time.
    index, row = next((i, r) for i, r in enumerate(report["steps"]) if r.get("ratio"))
    ratios = sorted(steps[index] / sum(times["onnxruntimeNodes"][n][k] for n in row["onnxruntimeNodes"])
                    for k, steps in enumerate(times["sandglassSteps"]))
    median, low, high = row["ratio"]
    assert abs(median - (ratios[pairs // 2 - 1] + ratios[pairs // 2]) / 2) < 1e-9
    assert ratios[0] <= low <= median <= high <= ratios[-1]
    kinds = {k["op"]: k for k in report["kinds"]}
    assert sum(k["steps"] for k in kinds.values()) == len(report["steps"])


def test_per_layer_pairs_fp32(sandglass, tmp_path):
    report = run_per_layer(sandglass, tmp_path, "mobilenext:0.35:1/2:48", "f32", "tiny-f32")
    assert report["maxRelOutputDifference"] < 1e-4
    check_report(report, 8, {"Conv", "FusedConv"})
    md = (tmp_path / "tiny-f32.md").read_text()
    assert "## By kind of step" in md and "| `" in md


def test_per_layer_pairs_int8(sandglass, tmp_path):
    report = run_per_layer(sandglass, tmp_path, "mobilenetv2:0.35:1:40", "int8", "tiny-int8")
    check_report(report, 8, {"QLinearConv", "ConvInteger"})
    assert report["environment"]["dtype"] == "int8"
    # A file that is not there is refused with its name, before anything runs.
    bad = subprocess.run([sys.executable, str(ROOT / "Benchmarks/peers/per_layer_peers.py"), "--sandglass", str(sandglass),
                          "--model", "onnx:/nonexistent.onnx", "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "/nonexistent.onnx" in bad.stderr
