"""Malformed and unsupported inputs to `sandglass run` / `inspect`: each must exit non-zero with
one clear line on stderr that names the problem, and never crash (a trap would show as a signal:
a negative return code, or 132/133/134/139 through a shell)."""
import numpy as np
import onnx
import pytest
from conftest import run_sandglass
from onnx import TensorProto, helper, numpy_helper
from sandglass_py import onnx_zoo

CRASH_CODES = {132, 133, 134, 135, 136, 139}


def assert_clean_failure(result, *words, code=None):
    assert result.returncode != 0, result.stdout
    assert result.returncode > 0 and result.returncode not in CRASH_CODES, f"crashed: {result.returncode} {result.stderr}"
    if code is not None:
        assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sandglass: error: "), result.stderr
    for w in words:
        assert w.lower() in lines[0].lower(), f"{w!r} not in {lines[0]!r}"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    d = tmp_path_factory.mktemp("errors")
    m, _ = onnx_zoo.mobilenext(width=0.35, alpha="1/2", resolution=32, classes=10)
    onnx.save(m, d / "m.onnx")
    np.save(d / "x.npy", np.zeros((1, 3, 32, 32), np.float32))
    return d


def run(sandglass, d, model_path, x="x.npy"):
    return run_sandglass(sandglass, "run", "--onnx", model_path, "--input", d / x, "--output", d / "y.npy", check=False)


def test_valid_model_runs(sandglass, model):
    assert run(sandglass, model, model / "m.onnx").returncode == 0


@pytest.mark.parametrize("fraction", [0.0, 1e-5, 0.001, 0.01, 0.1, 0.33, 0.5, 0.9, 0.999])
def test_truncated_model(sandglass, model, fraction):
    data = (model / "m.onnx").read_bytes()
    cut = int(len(data) * fraction)
    path = model / f"cut{cut}.onnx"
    path.write_bytes(data[:cut])
    r = run(sandglass, model, path)
    assert_clean_failure(r, str(path))
    if cut > 0:
        assert "byte" in r.stderr


def test_truncated_by_one_byte(sandglass, model):
    data = (model / "m.onnx").read_bytes()
    (model / "minus1.onnx").write_bytes(data[:-1])
    assert_clean_failure(run(sandglass, model, model / "minus1.onnx"), "truncated or corrupt")


@pytest.mark.parametrize("seed", range(6))
def test_random_bytes(sandglass, model, seed):
    rng = np.random.default_rng(seed)
    path = model / f"random{seed}.onnx"
    path.write_bytes(rng.integers(0, 256, int(rng.integers(1, 200_000)), dtype=np.uint8).tobytes())
    assert_clean_failure(run_sandglass(sandglass, "inspect", "--onnx", path, check=False), str(path))


@pytest.mark.parametrize("seed", range(4))
def test_flipped_bytes(sandglass, model, seed):
    """Corrupted models fail cleanly or, where the damage hits only weights, still run."""
    rng = np.random.default_rng(100 + seed)
    data = bytearray((model / "m.onnx").read_bytes())
    for i in rng.integers(0, len(data), 64):
        data[i] = int(rng.integers(0, 256))
    path = model / f"flipped{seed}.onnx"
    path.write_bytes(bytes(data))
    r = run(sandglass, model, path)
    if r.returncode != 0:
        assert_clean_failure(r)


def small_graph(tmp, op="Sigmoid", opset=13, **conv_attrs):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])
    w = numpy_helper.from_array(np.ones((4, 4 // conv_attrs.get("group", 1), 3, 3), np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="the_conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], **conv_attrs),
             helper.make_node(op, ["c"], ["y"], name="the_last_node")]
    g = helper.make_graph(nodes, "g", [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])], [w])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    path = tmp / f"{op}-{opset}-{'-'.join(f'{k}{v}' for k, v in conv_attrs.items())}.onnx"
    onnx.save(m, path)
    np.save(tmp / "x8.npy", np.zeros((1, 4, 8, 8), np.float32))
    return path


def test_unsupported_operator_is_named(sandglass, tmp_path):
    r = run(sandglass, tmp_path, small_graph(tmp_path, "Tanh"), "x8.npy")
    assert_clean_failure(r, "Tanh", "the_last_node", "not supported", "Conv", "BatchNormalization", "Gemm", code=1)


def test_product_of_unrelated_tensors_is_explained(sandglass, tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])
    w = numpy_helper.from_array(np.ones((4, 4, 3, 3), np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="the_conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="the_relu"),
             helper.make_node("Mul", ["c", "r"], ["y"], name="the_mul")]
    g = helper.make_graph(nodes, "g", [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])], [w])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, tmp_path / "mul.onnx")
    np.save(tmp_path / "x8.npy", np.zeros((1, 4, 8, 8), np.float32))
    r = run(sandglass, tmp_path, tmp_path / "mul.onnx", "x8.npy")
    assert_clean_failure(r, "the_mul", "[1, 4, 8, 8]", "squeeze-and-excite", "SiLU", code=1)


@pytest.mark.parametrize("attrs,words", [
    (dict(dilations=[2, 2]), ["the_conv", "dilations"]),
    (dict(group=2), ["the_conv", "group = 2"]),
    (dict(strides=[1, 1], auto_pad="NOTSET", pads=[4, 4, 4, 4]), ["the_conv", "pads"]),
])
def test_unsupported_attribute_value(sandglass, tmp_path, attrs, words):
    if "pads" in attrs:
        path = small_graph(tmp_path, "Relu")
        m = onnx.load(path)
        m.graph.node[0].attribute[1].CopyFrom(helper.make_attribute("pads", attrs["pads"]))
        onnx.save(m, path)
    else:
        path = small_graph(tmp_path, "Relu", **attrs)
    assert_clean_failure(run(sandglass, tmp_path, path, "x8.npy"), *words, code=1)


@pytest.mark.parametrize("attrs,words", [
    (dict(kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1), ["the_pool", "ceil_mode", "floor rounding"]),
    (dict(kernel_shape=[3, 3], dilations=[2, 2]), ["the_pool", "dilations"]),
    (dict(kernel_shape=[2, 2], pads=[2, 2, 2, 2]), ["the_pool", "pads", "smaller than the 2x2 kernel"]),
    (dict(), ["the_pool", "kernel_shape"]),
])
def test_unsupported_max_pool_forms(sandglass, tmp_path, attrs, words):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])
    g = helper.make_graph([helper.make_node("MaxPool", ["x"], ["y"], name="the_pool", **attrs)], "g", [x],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, tmp_path / "pool.onnx")
    np.save(tmp_path / "x8.npy", np.zeros((1, 4, 8, 8), np.float32))
    assert_clean_failure(run(sandglass, tmp_path, tmp_path / "pool.onnx", "x8.npy"), *words, code=1)


def test_unsupported_opset(sandglass, tmp_path):
    path = small_graph(tmp_path, "Relu", opset=22)
    assert_clean_failure(run(sandglass, tmp_path, path, "x8.npy"), "opset 22", code=1)


def test_npy_shape_mismatch(sandglass, model):
    np.save(model / "wrong.npy", np.zeros((1, 3, 64, 64), np.float32))
    assert_clean_failure(run(sandglass, model, model / "m.onnx", "wrong.npy"), "(1, 3, 64, 64)", "(1, 3, 32, 32)", code=1)


def test_npy_float64(sandglass, model):
    np.save(model / "f64.npy", np.zeros((1, 3, 32, 32), np.float64))
    assert_clean_failure(run(sandglass, model, model / "m.onnx", "f64.npy"), "float64", "float32", code=1)


def test_npy_fortran_order(sandglass, model):
    np.save(model / "fortran.npy", np.asfortranarray(np.zeros((1, 3, 32, 32), np.float32)))
    assert_clean_failure(run(sandglass, model, model / "m.onnx", "fortran.npy"), "Fortran", code=1)


def test_npy_not_numpy_and_truncated(sandglass, model):
    (model / "text.npy").write_text("hello")
    assert_clean_failure(run(sandglass, model, model / "m.onnx", "text.npy"), "not a NumPy", code=1)
    data = (model / "x.npy").read_bytes()
    (model / "short.npy").write_bytes(data[:-5])
    assert_clean_failure(run(sandglass, model, model / "m.onnx", "short.npy"), "bytes", code=1)


def test_missing_files(sandglass, model):
    assert_clean_failure(run(sandglass, model, model / "absent.onnx"), "absent.onnx", code=1)
    assert_clean_failure(run(sandglass, model, model / "m.onnx", "absent.npy"), "absent.npy", code=1)


def test_usage_errors_exit_two(sandglass, model):
    r = run_sandglass(sandglass, "run", "--onnx", model / "m.onnx", "--alpha", "1/2", "--input", model / "x.npy",
                      "--output", model / "y.npy", check=False)
    assert_clean_failure(r, "--alpha", "--onnx", code=2)
    r = run_sandglass(sandglass, "run", "--onnx", model / "m.onnx", "--output", model / "y.npy", check=False)
    assert_clean_failure(r, "input", code=2)
