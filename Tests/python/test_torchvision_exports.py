"""Real models through the real exporter: MobileNetV3-Large and -Small, EfficientNet-B0,
MnasNet-1.0 and MobileNetV2 as torchvision defines them, and MobileNetV1 as its paper and Keras
do, exported by torch.onnx.export (Scripts/export-torchvision-models.py), each run by
`sandglass run --onnx` within 1e-4 of ONNX Runtime, with the documented parameter count. The
exports need torch (~4 GB installed), which the default test path does not install: where they
are absent these tests skip and say how to
make them (SANDGLASS_TORCHVISION_MODELS points at another folder of exports)."""
import json
import os

import numpy as np
import pytest
from conftest import ROOT, onnxruntime_output, relative_error, run_sandglass

MODELS = os.environ.get("SANDGLASS_TORCHVISION_MODELS", str(ROOT / ".build/torchvision-models"))
NAMES = ["mobilenet_v3_large", "mobilenet_v3_small", "efficientnet_b0", "mnasnet1_0", "mobilenet_v2", "mobilenet_v1"]


def export(name):
    from pathlib import Path
    path = Path(MODELS) / f"{name}.onnx"
    if not path.exists():
        pytest.skip(f"{path} is not there: make the exports with Scripts/export-torchvision-models.py --out {MODELS} "
                    "(in a venv with torch and torchvision; see the script)")
    manifest = json.loads((Path(MODELS) / "manifest.json").read_text())
    return path, manifest["models"][name]


@pytest.mark.parametrize("name", NAMES)
def test_export_runs_and_matches_onnxruntime(sandglass, tmp_path, name):
    path, facts = export(name)
    assert facts["paramsMatch"], f"{name}: {facts['params']} parameters, torchvision documents {facts['expectedParams']}"
    x = np.random.default_rng(2).uniform(-1, 1, (1, 3, 224, 224)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    reference = onnxruntime_output(path, x)
    for threads in ("1", "2"):
        run_sandglass(sandglass, "run", "--onnx", path, "--input", tmp_path / "x.npy", "--output", tmp_path / "y.npy",
                      "--threads", threads)
        y = np.load(tmp_path / "y.npy")
        assert relative_error(y, reference) < 1e-4, f"{name}, {threads} thread(s)"
