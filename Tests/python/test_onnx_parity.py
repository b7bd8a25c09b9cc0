"""ONNX import parity: MobileNeXt and MobileNetV2 graphs from the independent Python builder
(onnx_zoo.py, seeded random weights and random BatchNorm statistics) run by `sandglass run
--onnx` against ONNX Runtime, within 1e-4 relative (max abs error / max abs reference). Covers
widths and α including floor rounding (1.4, 1/3: 272 // 3 = 90), resolutions other than 224, BN
as separate nodes and pre-folded, Clip with attribute bounds (opset 10) and input bounds (11+),
several opsets, both head styles, and both add modes. Then the built-in model loaded with the
same graph's weights (`--weights`) must give the ONNX import's output (within 1e-5)."""
import json

import numpy as np
import onnx
import pytest
from conftest import onnxruntime_output, relative_error, run_sandglass
from sandglass_py import onnx_zoo

# (architecture, width, alpha, resolution, fold_bn, opset, clip_as_attributes, head)
CASES = [
    ("mobilenext", 1.0, "1", 96, False, 13, False, "gemm"),
    ("mobilenext", 1.0, "1/2", 64, True, 11, False, "gemm"),
    ("mobilenext", 1.4, "1/3", 64, False, 17, False, "gemm"),
    ("mobilenext", 0.35, "1/6", 96, True, 21, False, "matmul"),
    ("mobilenext", 0.75, "1/2", 160, False, 18, False, "matmul"),
    ("mobilenext", 0.5, "1", 64, False, 10, True, "gemm"),
    ("mobilenext", 1.0, "1/2", 32, False, 12, False, "gemm"),   # the smallest resolution: 1x1 maps at the end
    ("mobilenetv2", 1.0, "1", 64, False, 13, False, "gemm"),
    ("mobilenetv2", 0.5, "1/2", 96, True, 11, False, "matmul"),
    ("mobilenetv2", 1.4, "1", 64, False, 10, True, "gemm"),
    ("mobilenetv2-extra-dw", 0.5, "1/3", 65, False, 13, False, "gemm"),   # Table 5's variant, an odd size
    ("mobilenext-se", 0.75, "1/2", 67, False, 13, False, "gemm"),          # Table 6's MobileNeXt†, squeeze-and-excite
]


def case_id(case):
    arch, w, a, r, fold, opset, attrs, head = case
    return f"{arch}-{w}-a{a.replace('/', '_')}-r{r}-{'folded' if fold else 'bn'}-op{opset}{'-clipattr' if attrs else ''}-{head}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Builds each case's model, input and ONNX Runtime reference once."""
    cache = {}

    def get(case):
        if case not in cache:
            arch, w, a, r, fold, opset, attrs, head = case
            model, _ = onnx_zoo.build(arch, width=w, alpha=a, resolution=r, seed=3, fold_bn=fold, opset=opset,
                                      clip_as_attributes=attrs, head_style=head)
            d = tmp_path_factory.mktemp(case_id(case))
            onnx.save(model, d / "model.onnx")
            x = np.random.default_rng(11).uniform(-1, 1, (1, 3, r, r)).astype(np.float32)
            np.save(d / "x.npy", x)
            cache[case] = (d, onnxruntime_output(d / "model.onnx", x))
        return cache[case]
    return get


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_onnx_import_matches_onnxruntime(sandglass, built, case):
    d, reference = built(case)
    run_sandglass(sandglass, "run", "--onnx", d / "model.onnx", "--input", d / "x.npy", "--output", d / "y.npy")
    y = np.load(d / "y.npy")
    assert y.dtype == np.float32 and y.shape == reference.shape
    err = relative_error(y, reference)
    print(f"{case_id(case)}: relative error {err:.3g}")
    assert err < 1e-4
    assert np.abs(reference).max() > 0


MNV2 = [c for c in CASES if c[0] == "mobilenetv2"]


@pytest.mark.parametrize("case", [CASES[1], MNV2[1]], ids=case_id)
def test_separate_add_and_threads_match_onnxruntime(sandglass, built, case):
    d, reference = built(case)
    run_sandglass(sandglass, "run", "--onnx", d / "model.onnx", "--input", d / "x.npy", "--output", d / "ys.npy",
                  "--add", "separate", "--threads", "2")
    assert relative_error(np.load(d / "ys.npy"), reference) < 1e-4


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_imported_layers_equal_built_in_counts(sandglass, built, case):
    """The imported graph has the built-in model's layers: the same totals, and every partial
    shortcut lowered to one add of floor(α·C) channels (no slice or concat copies left)."""
    arch, w, a, r, fold, *_ = case
    d, _ = built(case)
    imported = json.loads(run_sandglass(sandglass, "inspect", "--onnx", d / "model.onnx", "--format", "json").stdout)
    builtin = json.loads(run_sandglass(sandglass, "inspect", "--model", arch, "--width", w, "--alpha", a,
                                       "--resolution", r, "--format", "json").stdout)
    ops = [layer["op"] for layer in imported["layers"]]
    assert not [op for op in ops if op in ("slice", "concat")], ops
    assert [op for op in ops if op.startswith("add")] == [l["op"] for l in builtin["layers"] if l["op"].startswith("add")]
    for key in ("madds", "shortcutAdds"):
        assert imported["totals"][key] == builtin["totals"][key], key
    if not fold:   # pre-folded BN becomes a conv bias: parameter counts differ by design
        assert imported["totals"]["params"] == builtin["totals"]["params"]
    assert len(imported["layers"]) == len(builtin["layers"])


@pytest.mark.parametrize("case", [CASES[0], CASES[1], CASES[2], MNV2[0], CASES[-1]], ids=case_id)
def test_built_in_model_with_onnx_weights_equals_import(sandglass, built, case):
    arch, w, a, r, *_ = case
    d, reference = built(case)
    run_sandglass(sandglass, "run", "--onnx", d / "model.onnx", "--input", d / "x.npy", "--output", d / "y_onnx.npy")
    run_sandglass(sandglass, "run", "--model", arch, "--width", w, "--alpha", a, "--resolution", r,
                  "--weights", d / "model.onnx", "--input", d / "x.npy", "--output", d / "y_builtin.npy")
    y_builtin, y_onnx = np.load(d / "y_builtin.npy"), np.load(d / "y_onnx.npy")
    assert relative_error(y_builtin, y_onnx) < 1e-5
    assert relative_error(y_builtin, reference) < 1e-4
    # The seeded random weights of the built-in model give a different output: the weights were used.
    run_sandglass(sandglass, "run", "--model", arch, "--width", w, "--alpha", a, "--resolution", r,
                  "--input", d / "x.npy", "--output", d / "y_random.npy")
    assert relative_error(np.load(d / "y_random.npy"), y_onnx) > 1e-2


def test_weights_of_another_architecture_are_rejected(sandglass, built):
    d, _ = built(CASES[1])   # MobileNeXt-1.0, α = 1/2, 64
    for args, word in [(["--alpha", "1/3"], "--alpha"), (["--alpha", "1/2", "--width", "0.5"], "--width"),
                       (["--alpha", "1/2", "--resolution", "96"], "--resolution"),
                       (["--alpha", "1/2", "--model", "mobilenetv2"], "layers")]:
        r = run_sandglass(sandglass, "run", "--model", "mobilenext", "--resolution", "64", *args,
                          "--weights", d / "model.onnx", "--input", d / "x.npy", "--output", d / "bad.npy", check=False)
        assert r.returncode == 1, r.stderr
        assert word in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
