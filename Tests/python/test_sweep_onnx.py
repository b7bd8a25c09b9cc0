"""Imported ONNX models run through the sweep harness like built-in ones (issue 3: every later
feature works the same on imported models)."""
import json
import subprocess

import onnx
from sandglass_py import onnx_zoo


def test_sweep_measures_an_imported_model_beside_the_built_in_one(sandglass, tmp_path):
    model, counts = onnx_zoo.build("mobilenext", width=0.35, alpha="1/2", resolution=64, seed=3)
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    spec = tmp_path / "spec.yaml"
    spec.write_text(f'points:\n  - {{model: "onnx:{path}"}}\n  - {{model: mobilenext, width: 0.35, alpha: 1/2, resolution: 64}}\n'
                    "measurement:\n  per-layer-iterations: 2\n")
    out = tmp_path / "r.jsonl"
    subprocess.run([str(sandglass), "sweep", str(spec), "--quick", "--out", str(out), "--no-calibrate", "--progress", "quiet"],
                   check=True, capture_output=True)
    points = [json.loads(line) for line in out.read_text().splitlines() if '"type":"point"' in line]
    assert len(points) == 2
    imported = next(p for p in points if p["model"].startswith("onnx:"))
    built_in = next(p for p in points if p["model"] == "mobilenext")
    # The same architecture: the same MAdds and shortcut adds, counted from the imported graph.
    assert imported["totals"]["madds"] == built_in["totals"]["madds"] == counts.madds
    assert imported["totals"]["shortcutAdds"] == counts.shortcut_adds
    assert imported["latencyMs"]["median"] > 0
    assert imported["layers"] and any(layer["op"].endswith("+add") for layer in imported["layers"])
