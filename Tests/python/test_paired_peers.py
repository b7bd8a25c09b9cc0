"""The paired peers benchmark end to end on a tiny model: `sandglass worker` driven from Python
beside ONNX Runtime, the same ONNX file in both, outputs compared, then alternated rounds. Checks
the report's structure and that the figures come from the rounds (not speed: that is the
benchmark's job)."""
import json
import subprocess
import sys

from conftest import ROOT


def test_paired_peers_writes_paired_figures(sandglass, tmp_path):
    pairs = 8
    r = subprocess.run([sys.executable, str(ROOT / "Benchmarks/peers/paired_peers.py"), "--sandglass", str(sandglass),
                        "--pairs", str(pairs), "--warmup", "1", "--models", "mobilenext:0.35:1/3:33",
                        "--out", str(tmp_path), "--name", "tiny"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "tiny.json").read_text())
    (row,) = report["results"]
    assert row["model"] == "mobilenext" and row["alpha"] == "1/3" and row["resolution"] == 33
    assert row["maxRelOutputDifference"] < 1e-4, "Sandglass's import of the file and ONNX Runtime agree"
    times = row["timesMs"]
    assert all(len(times[k]) == pairs for k in ("sandglass", "onnxruntime", "onnxruntime (A/A copy)"))
    assert all(t > 0 for k in times for t in times[k])
    ratios = sorted(s / o for s, o in zip(times["sandglass"], times["onnxruntime"]))
    median, low, high = row["ratioToOnnxRuntime"]
    assert ratios[0] <= low <= median <= high <= ratios[-1]
    assert abs(median - (ratios[pairs // 2 - 1] + ratios[pairs // 2]) / 2) < 1e-12
    assert len(row["sandglassRoundTripMs"]) == pairs
    assert "| mobilenext-0.35 α=1/3 @33 |" in (tmp_path / "tiny.md").read_text()
    # The roofline beside the times: the worker's bound for this plan, each engine's rounds over it.
    bound = row["roofline"]
    assert bound is not None, row.get("rooflineUnavailable")
    assert bound["boundMs"] > 0 and abs(bound["computeBoundMs"] + bound["trafficBoundMs"] - bound["boundMs"]) < 1e-9
    for engine in ("sandglass", "onnxruntime"):
        over = sorted(t / bound["boundMs"] for t in times[engine])
        median, low, high = row["overBound"][engine]
        assert abs(median - (over[pairs // 2 - 1] + over[pairs // 2]) / 2) < 1e-12 and over[0] <= low <= high <= over[-1]
    assert "Sandglass / bound" in (tmp_path / "tiny.md").read_text()
    # A peer it cannot pair is refused with the reason, before anything runs.
    bad = subprocess.run([sys.executable, str(ROOT / "Benchmarks/peers/paired_peers.py"), "--sandglass", str(sandglass),
                          "--peers", "ncnn", "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "ncnn" in bad.stderr


def test_a_model_it_cannot_read_is_refused_with_the_flag_and_the_form(sandglass, tmp_path):
    # Both tools read a model named on the command line with one parser (paired_peers.parse_model_spec).
    cases = [("paired_peers.py", "--models", "mobilenext:1.0:1", "arch:width:alpha:resolution"),
             ("paired_peers.py", "--models", "mobilenext:wide:1:224", "arch:width:alpha:resolution"),
             ("paired_peers.py", "--models", f"onnx:{tmp_path / 'missing.onnx'}", "no such file"),
             ("per_layer_peers.py", "--model", "mobilenetv2:1.0", "arch:width:alpha:resolution"),
             ("per_layer_peers.py", "--model", f"onnx:{tmp_path / 'missing.onnx'}", "no such file")]
    for tool, flag, spec, why in cases:
        r = subprocess.run([sys.executable, str(ROOT / "Benchmarks/peers" / tool), "--sandglass", str(sandglass),
                            flag, spec, "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
        assert r.returncode != 0, (tool, spec)
        assert f"{flag} {spec}: " in r.stderr and why in r.stderr, (tool, spec, r.stderr)
        assert "Traceback" not in r.stderr, (tool, spec, r.stderr)
