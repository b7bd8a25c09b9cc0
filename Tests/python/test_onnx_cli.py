"""The other commands on imported models: `inspect --onnx` in every format and `bench --onnx`."""
import json

import onnx
from conftest import run_sandglass
from sandglass_py import onnx_zoo


def test_inspect_and_bench_onnx(sandglass, tmp_path):
    model, counts = onnx_zoo.mobilenext(width=0.5, alpha="1/2", resolution=64, classes=20)
    onnx.save(model, tmp_path / "m.onnx")
    summary = json.loads(run_sandglass(sandglass, "inspect", "--onnx", tmp_path / "m.onnx", "--format", "json").stdout)
    assert summary["totals"]["params"] == counts.params
    assert summary["totals"]["madds"] == counts.madds
    assert summary["totals"]["shortcutAdds"] == counts.shortcut_adds
    assert summary["input"] == "64x64x3" and summary["output"] == "1x1x20"
    csv = run_sandglass(sandglass, "inspect", "--onnx", tmp_path / "m.onnx", "--format", "csv").stdout.splitlines()
    assert len(csv) == len(summary["layers"]) + 2
    table = run_sandglass(sandglass, "inspect", "--onnx", tmp_path / "m.onnx").stdout
    assert "add[" in table and "total" in table

    bench = json.loads(run_sandglass(sandglass, "bench", "--onnx", tmp_path / "m.onnx", "--warmup", "1",
                                     "--iterations", "3", "--format", "json", "--add", "separate").stdout)
    assert bench["architecture"] == "onnx" and bench["onnx"].endswith("m.onnx")
    assert bench["latencyMs"]["count"] == 3 and bench["latencyMs"]["median"] > 0
    assert bench["totals"]["madds"] == counts.madds and "width" not in bench
    text = run_sandglass(sandglass, "bench", "--onnx", tmp_path / "m.onnx", "--warmup", "0", "--iterations", "2",
                         "--per-layer").stdout
    assert "add" in text and "latency" in text
