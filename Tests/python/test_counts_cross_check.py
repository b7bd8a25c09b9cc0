"""The Swift model zoo's counts against the independent Python definition (onnx_zoo.py), at
widths and resolutions beyond the totals the spec gives: params, MAdds and shortcut adds."""
import json
import subprocess

import pytest
from sandglass_py import onnx_zoo

CASES = [(arch, w, a, r) for arch in ("mobilenext", "mobilenetv2")
         for w in (0.35, 0.5, 0.75, 1.0, 1.4) for a in ("1", "1/3") for r in (224,)] + [
    ("mobilenext", 1.4, "1/3", 160), ("mobilenext", 0.35, "1/6", 96), ("mobilenetv2", 0.75, "1/2", 128),
    ("mobilenext", 1.3, "1/2", 200), ("mobilenext", 0.1, "1", 64),
    ("mobilenetv2-extra-dw", 1.0, "1", 224), ("mobilenetv2-extra-dw", 0.75, "1/2", 128), ("mobilenetv2-extra-dw", 1.4, "1", 97),
    ("mobilenext-se", 1.0, "1", 224), ("mobilenext-se", 0.35, "1/2", 96), ("mobilenext-se", 1.4, "1/6", 161)]


@pytest.mark.parametrize("arch,width,alpha,resolution", CASES)
def test_counts_match_python_definition(sandglass, arch, width, alpha, resolution):
    out = subprocess.run([str(sandglass), "inspect", "--model", arch, "--width", str(width), "--alpha", alpha,
                          "--resolution", str(resolution), "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    totals = json.loads(out)["totals"]
    _, counts = onnx_zoo.build(arch, width=width, alpha=alpha, resolution=resolution)
    assert totals["params"] == counts.params
    assert totals["paramsConvFC"] == counts.params_conv_fc
    assert totals["madds"] == counts.madds
    assert totals["shortcutAdds"] == counts.shortcut_adds
