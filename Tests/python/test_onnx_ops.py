"""Operator coverage of the ONNX importer on small hand-built graphs, each against ONNX Runtime
(1e-4 relative): convolution padding forms (auto_pad SAME_UPPER/SAME_LOWER/VALID, asymmetric
pads, non-square kernels and strides), conv bias, BatchNorm and activations where they cannot be
folded, Clip with absent bounds, per-channel constant adds, Gemm attributes, MatMul + Add,
pooling forms, reshapes, channel slices and concatenations that are not a shortcut pattern,
a partial add with an activation between Add and Concat, GhostNet's ghost modules (Concat of a
primary and a cheap depthwise conv, Slice to the output channels), MaxPool forms, 4-D outputs,
initializers in typed fields and in an external data file."""
import numpy as np
import onnx
import pytest
from conftest import onnxruntime_output, relative_error, run_sandglass
from onnx import TensorProto, helper, numpy_helper


class G:
    """A tiny graph builder: seeded constants, nodes, one input and one output."""

    def __init__(self, c=8, h=11, w=9, seed=0):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.n = [], [], 0
        self.shape = (1, c, h, w)

    def name(self, p):
        self.n += 1
        return f"{p}{self.n}"

    def const(self, array, p="c"):
        n = self.name(p)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def rand(self, *shape, lo=-1.0, hi=1.0):
        return self.rng.uniform(lo, hi, shape).astype(np.float32)

    def node(self, op, inputs, n_out=1, **attrs):
        outs = [self.name(op.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=outs[0], **attrs))
        return outs[0] if n_out == 1 else outs

    def conv(self, x, cin, cout, k=(3, 3), group=1, bias=True, **attrs):
        inputs = [x, self.const(self.rand(cout, cin // group, *k, lo=-0.5, hi=0.5), "W")]
        if bias:
            inputs.append(self.const(self.rand(cout, lo=-0.2, hi=0.2), "B"))
        return self.node("Conv", inputs, kernel_shape=list(k), group=group, **attrs)

    def bn(self, x, c):
        return self.node("BatchNormalization", [x, self.const(self.rand(c, lo=0.5, hi=1.5)), self.const(self.rand(c, lo=-0.2, hi=0.2)),
                                                self.const(self.rand(c, lo=-0.2, hi=0.2)), self.const(self.rand(c, lo=0.5, hi=1.5))],
                         epsilon=1e-3)

    def model(self, out, out_shape, opset=13):
        g = helper.make_graph(self.nodes, "ops", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(self.shape))],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, out_shape)], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8
        if out_shape is None:   # let ONNX's shape inference fill in the output's shape
            m = onnx.shape_inference.infer_shapes(m, strict_mode=True)
        onnx.checker.check_model(m)
        return m


def conv_padding_forms():
    g = G(c=6, h=24, w=22)
    a = g.conv("x", 6, 8, (3, 3), strides=[2, 2], auto_pad="SAME_UPPER")            # pads 0/1 at the ends
    b = g.conv(a, 8, 8, (3, 3), group=8, strides=[2, 2], auto_pad="SAME_LOWER")     # depthwise, pads at the start
    c = g.conv(b, 8, 8, (3, 3), group=8, pads=[0, 1, 1, 0])                          # depthwise, asymmetric
    d = g.conv(c, 8, 4, (1, 3), strides=[1, 2], pads=[0, 1, 0, 1])                   # non-square kernel and stride
    e = g.conv(d, 4, 4, (5, 5), group=4, pads=[2, 2, 2, 2], bias=False)              # depthwise 5x5, no bias
    f = g.conv(e, 4, 6, (2, 2), auto_pad="VALID")
    return g.model(f, None)


def tiny_spatial_sizes():
    """Kernels at their edges: 3x3 depthwise on 3x2, 2x1 and 1x1 inputs, strided 1x1 and dense 3x3 on 1x1."""
    g = G(c=5, h=3, w=2)
    x = g.conv("x", 5, 5, (3, 3), group=5, strides=[2, 2], pads=[1, 1, 1, 1])    # 3x2 -> 2x1
    x = g.conv(x, 5, 5, (3, 3), group=5, pads=[1, 1, 1, 1])                      # 2x1 -> 2x1
    x = g.conv(x, 5, 7, (1, 1), strides=[2, 2])                                   # strided 1x1: 1x1
    x = g.conv(x, 7, 7, (3, 3), group=7, pads=[1, 1, 1, 1])                      # 1x1
    x = g.conv(x, 7, 3, (3, 3), pads=[1, 1, 1, 1])                               # dense 3x3 on 1x1
    return g.model(x, None)


def unfoldable_elementwise():
    g = G(c=4, h=7, w=7)
    x = g.bn("x", 4)                                         # BN on the graph input: no conv to fold into
    x = g.node("Relu", [x])                                  # after a BN that became a 1x1 depthwise: folds there
    y = g.conv(x, 4, 6, (3, 3), pads=[1, 1, 1, 1])
    y1 = g.node("Relu", [y])                                 # y has two readers: nothing folds into the conv
    y2 = g.node("Clip", [y, "", g.const(np.array(0.5, np.float32))])            # only max
    y3 = g.node("Clip", [y, g.const(np.array(-0.25, np.float32))])              # only min
    z = g.node("Concat", [y1, y2, y3], axis=1)
    z = g.node("Add", [z, g.const(g.rand(1, 18, 1, 1))])     # per-channel constant on a concat: its own step
    p = g.node("GlobalAveragePool", [z])
    p = g.node("Relu", [g.node("Add", [p, g.const(g.rand(18, 1, 1))])])   # bias and relu after pooling
    return g.model(p, None)


def conv_bias_bn_activation_chains():
    g = G(c=3, h=10, w=10)
    x = g.conv("x", 3, 8, (3, 3), strides=[2, 2], pads=[1, 1, 1, 1])    # conv with bias, then BN, then Clip
    x = g.node("Clip", [g.bn(x, 8), g.const(np.array(0, np.float32)), g.const(np.array(6, np.float32))])
    y = g.conv(x, 8, 8, (1, 1), bias=False)
    y = g.node("Add", [y, g.const(g.rand(1, 8, 1, 1))])       # conv + per-channel constant = conv bias
    y = g.node("Relu", [y])
    y = g.node("Clip", [y, g.const(np.array(-1, np.float32)), g.const(np.array(0.7, np.float32))])   # clip of relu
    z = g.node("Add", [g.conv(y, 8, 8, (3, 3), group=8, pads=[1, 1, 1, 1]), y])     # full residual, then relu
    z = g.node("Relu", [z])
    return g.model(z, None)


def channel_slices_and_concats():
    g = G(c=8, h=6, w=6)
    a = g.conv("x", 8, 10, (1, 1))
    s = g.node("Slice", [a, g.const(np.array([3], np.int64)), g.const(np.array([7], np.int64)),
                         g.const(np.array([1], np.int64))])                       # channels 3:7
    t = g.node("Slice", [a, g.const(np.array([-4], np.int64)), g.const(np.array([2**62], np.int64)),
                         g.const(np.array([-3], np.int64)), g.const(np.array([1], np.int64))])   # last 4, negative axis
    c = g.node("Concat", [t, s, a], axis=-3)
    # A partial add with a Relu between Add and Concat: not the shortcut pattern, runs as written.
    k = 5
    b = g.conv(c, 18, 18, (3, 3), group=18, pads=[1, 1, 1, 1])
    x18 = g.conv("x", 8, 18, (1, 1))
    starts0, endsk, startsk, endsc, axes = (g.const(np.array([v], np.int64)) for v in (0, k, k, 18, 1))
    bk = g.node("Slice", [b, starts0, endsk, axes])
    xk = g.node("Slice", [x18, starts0, endsk, axes])
    added = g.node("Relu", [g.node("Add", [xk, bk])])
    rest = g.node("Slice", [b, startsk, endsc, axes])
    out = g.node("Concat", [added, rest], axis=1)
    return g.model(out, None)


def partial_shortcut_identity_first_with_relu():
    """The exporter's pattern with the identity slice first in the Add and a Relu after the Concat."""
    g = G(c=12, h=5, w=5)
    x = g.conv("x", 12, 12, (1, 1))
    b = g.conv(x, 12, 12, (3, 3), group=12, pads=[1, 1, 1, 1], bias=False)
    k = 4
    starts0, endsk, startsk, endsc, axes = (g.const(np.array([v], np.int64)) for v in (0, k, k, 12, 1))
    xk = g.node("Slice", [x, starts0, endsk, axes])
    bk = g.node("Slice", [b, starts0, endsk, axes])
    added = g.node("Add", [xk, bk])
    rest = g.node("Slice", [b, startsk, endsc, axes])
    out = g.node("Relu", [g.node("Concat", [added, rest], axis=1)])
    return g.model(out, None)


def heads():
    g = G(c=6, h=7, w=7)
    x = g.conv("x", 6, 16, (3, 3), pads=[1, 1, 1, 1])
    p = g.node("AveragePool", [x], kernel_shape=[7, 7])                            # global by its window
    p = g.node("Dropout", [g.node("Identity", [p])])
    f = g.node("Flatten", [p], axis=1)
    f = g.node("Gemm", [f, g.const(g.rand(16, 12)), g.const(g.rand(12))], alpha=0.5, beta=2.0)   # transB = 0
    f = g.node("Relu", [f])
    f = g.node("Gemm", [f, g.const(g.rand(5, 12))], transB=1)                      # no C
    m = g.node("MatMul", [f, g.const(g.rand(5, 7))])
    m = g.node("Add", [g.const(g.rand(1, 7)), m])                                  # bias first
    u = g.node("Unsqueeze", [m, g.const(np.array([2, 3], np.int64))])              # back to 1x7x1x1
    q = g.node("ReduceMean", [u], axes=[2, 3], keepdims=0)
    r = g.node("Reshape", [q, g.const(np.array([0, -1], np.int64))])
    return g.model(r, None)


def opset9_attribute_forms():
    """Opset 9: Clip bounds, Slice ranges and Squeeze axes as attributes; the partial shortcut in that form."""
    g = G(c=6, h=5, w=5)
    x = g.conv("x", 6, 6, (3, 3), group=6, pads=[1, 1, 1, 1])
    x = g.node("Clip", [g.bn(x, 6)], min=0.0, max=6.0)
    b = g.conv(x, 6, 6, (1, 1))
    added = g.node("Add", [g.node("Slice", [b], starts=[0], ends=[2], axes=[1]),
                           g.node("Slice", [x], starts=[0], ends=[2], axes=[1])])
    y = g.node("Concat", [added, g.node("Slice", [b], starts=[2], ends=[6], axes=[1])], axis=1)
    s = g.node("Squeeze", [g.node("GlobalAveragePool", [y])], axes=[2, 3])
    return g.model(g.node("Gemm", [s, g.const(g.rand(3, 6)), g.const(g.rand(3))], transB=1), None, opset=9)


def typed_field_initializers():
    """Initializers in float_data/int64_data instead of raw_data."""
    m = heads()
    for i, t in enumerate(m.graph.initializer):
        a = numpy_helper.to_array(t)
        m.graph.initializer[i].CopyFrom(helper.make_tensor(t.name, t.data_type, a.shape, a.flatten().tolist(), raw=False))
    assert not any(t.raw_data for t in m.graph.initializer)
    return m


def ghost_bottleneck():
    """GhostNet's ghost module as its reference code and timm export it: a primary 1x1 conv (BN,
    Relu), a cheap 3x3 depthwise conv on the primary's output (BN, Relu), Concat of the two, and a
    Slice to the output channels (odd: 13 of 2·7); two modules and a shortcut Add, as in a ghost
    bottleneck of stride 1; then a stride-2 bottleneck whose shortcut is a depthwise + 1x1 conv."""
    g = G(c=13, h=15, w=11)

    def ghost(x, cin, out, relu=True):
        init = (out + 1) // 2
        p = g.bn(g.conv(x, cin, init, (1, 1), bias=False), init)
        p = g.node("Relu", [p]) if relu else p
        c = g.bn(g.conv(p, init, init, (3, 3), group=init, pads=[1, 1, 1, 1], bias=False), init)
        c = g.node("Relu", [c]) if relu else c
        both = g.node("Concat", [p, c], axis=1)
        return g.node("Slice", [both, g.const(np.array([0], np.int64)), g.const(np.array([out], np.int64)),
                                g.const(np.array([1], np.int64))])

    h = ghost("x", 13, 24)
    y = g.node("Add", [ghost(h, 24, 13, relu=False), "x"])
    h = ghost(y, 13, 30)
    h = g.bn(g.conv(h, 30, 30, (3, 3), group=30, strides=[2, 2], pads=[1, 1, 1, 1], bias=False), 30)
    h = ghost(h, 30, 17, relu=False)
    s = g.bn(g.conv(y, 13, 13, (3, 3), group=13, strides=[2, 2], pads=[1, 1, 1, 1], bias=False), 13)
    s = g.bn(g.conv(s, 13, 17, (1, 1), bias=False), 17)
    return g.model(g.node("Add", [h, s]), None)


def max_pool_forms():
    """MaxPool as ResNet's stem and ShuffleNet write it (3x3, stride 2, pads 1), after a Relu so every
    value is ≥ 0 and then after a conv whose outputs go negative (padding must never win), the
    SAME_UPPER and VALID forms, a 2x2/2 pool on an odd map, and ceil_mode where it rounds the same."""
    g = G(c=6, h=23, w=19)
    a = g.node("Relu", [g.conv("x", 6, 12, (3, 3), pads=[1, 1, 1, 1])])
    b = g.node("MaxPool", [a], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])                  # 12x10
    c = g.conv(b, 12, 20, (1, 1))
    d = g.node("MaxPool", [c], kernel_shape=[3, 3], strides=[1, 1], auto_pad="SAME_UPPER")              # negatives
    e = g.node("MaxPool", [d], kernel_shape=[2, 2], strides=[2, 2])                                    # 6x5
    f = g.node("MaxPool", [e], kernel_shape=[3, 2], strides=[1, 1], auto_pad="VALID", ceil_mode=1)     # 4x4
    return g.model(f, None)


MODELS = {
    "ghost_bottleneck": ghost_bottleneck,
    "max_pool_forms": max_pool_forms,
    "conv_padding_forms": conv_padding_forms,
    "tiny_spatial_sizes": tiny_spatial_sizes,
    "unfoldable_elementwise": unfoldable_elementwise,
    "conv_bias_bn_activation_chains": conv_bias_bn_activation_chains,
    "channel_slices_and_concats": channel_slices_and_concats,
    "partial_shortcut_identity_first_with_relu": partial_shortcut_identity_first_with_relu,
    "heads": heads,
    "opset9_attribute_forms": opset9_attribute_forms,
    "typed_field_initializers": typed_field_initializers,
}


def check(sandglass, path, shape, tmp_path, *extra):
    x = np.random.default_rng(5).uniform(-1, 1, shape).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    reference = onnxruntime_output(path, x)
    for add in ("fused", "separate"):
        run_sandglass(sandglass, "run", "--onnx", path, "--input", tmp_path / "x.npy", "--output", tmp_path / "y.npy",
                      "--add", add, *extra)
        y = np.load(tmp_path / "y.npy")
        assert y.shape == reference.shape
        assert relative_error(y, reference) < 1e-4, add
    return reference


@pytest.mark.parametrize("name", MODELS)
def test_operator_graph_matches_onnxruntime(sandglass, tmp_path, name):
    model = MODELS[name]()
    onnx.save(model, tmp_path / "model.onnx")
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    check(sandglass, tmp_path / "model.onnx", shape, tmp_path)


def squeeze_excite(gate="Sigmoid", scale_first=True, c=20, squeeze=5, inner="Relu"):
    """Conv → squeeze-and-excite as torchvision writes it (pool, 1x1 conv, Relu, 1x1 conv, gate,
    Mul) → Conv: 20 channels (off every vector width), 5 squeeze channels. inner="SiLU": the
    Mul(h, Sigmoid(h)) that EfficientNet's export writes instead of Relu."""
    g = G(c=6, h=9, w=7, seed=4)
    x = g.node("Relu", [g.conv("x", 6, c, k=(3, 3), pads=[1, 1, 1, 1])])
    pooled = g.node("GlobalAveragePool", [x])
    h = g.conv(pooled, c, squeeze, k=(1, 1))
    h = g.node("Relu", [h]) if inner == "Relu" else g.node("Mul", [h, g.node("Sigmoid", [h])])
    z = g.conv(h, squeeze, c, k=(1, 1))
    gated = g.node("Sigmoid", [z]) if gate == "Sigmoid" else g.node("HardSigmoid", [z], alpha=1.0 / 6, beta=0.5)
    y = g.node("Mul", [gated, x] if scale_first else [x, gated])
    out = g.conv(y, c, 8, k=(1, 1))
    return g.model(out, [1, 8, 9, 7])


@pytest.mark.parametrize("gate,scale_first,inner", [("Sigmoid", True, "Relu"), ("HardSigmoid", False, "Relu"),
                                                    ("Sigmoid", True, "SiLU")])
def test_squeeze_excite_becomes_pool_gate_scale(sandglass, tmp_path, gate, scale_first, inner):
    import json
    onnx.save(squeeze_excite(gate, scale_first, inner=inner), tmp_path / "se.onnx")
    check(sandglass, tmp_path / "se.onnx", [1, 6, 9, 7], tmp_path)
    layers = json.loads(run_sandglass(sandglass, "inspect", "--onnx", tmp_path / "se.onnx", "--format", "json").stdout)["layers"]
    assert [l["op"] for l in layers] == ["conv3x3s1", "gavgpool", "se_gate", "scale", "conv1x1"]
    # Two 1x1 layers with biases: 2·20·5 + 5 + 20 parameters, 2·20·5 MAdds.
    assert (layers[2]["params"], layers[2]["madds"]) == (225, 200)


def activations_that_are_not_clamps():
    """MobileNetV3's and EfficientNet's activations where exporters write them: HardSwish after a
    conv, SiLU as x * Sigmoid(x) (both operand orders), a lone Sigmoid and HardSigmoid, and
    HardSwish on a Gemm's [1, N] output (MobileNetV3's classifier)."""
    g = G(c=5, h=9, w=7, seed=6)
    x = g.node("HardSwish", [g.conv("x", 5, 20, k=(3, 3), pads=[1, 1, 1, 1])])
    c = g.conv(x, 20, 20, k=(3, 3), group=20, pads=[1, 1, 1, 1])
    x = g.node("Mul", [c, g.node("Sigmoid", [c])])
    c = g.conv(x, 20, 13, k=(1, 1))
    x = g.node("Mul", [g.node("Sigmoid", [c]), c])
    x = g.node("HardSigmoid", [g.conv(x, 13, 13, k=(1, 1))], alpha=0.25, beta=0.4)
    x = g.node("Sigmoid", [g.conv(x, 13, 24, k=(1, 1))])
    pooled = g.node("Flatten", [g.node("GlobalAveragePool", [x])], axis=1)
    fc = g.node("Gemm", [pooled, g.const(g.rand(10, 24), "W"), g.const(g.rand(10), "B")], transB=1)
    return g.model(g.node("HardSwish", [fc]), [1, 10], opset=14)   # HardSwish is opset 14


def test_activations_that_are_not_clamps(sandglass, tmp_path):
    import json
    onnx.save(activations_that_are_not_clamps(), tmp_path / "act.onnx")
    check(sandglass, tmp_path / "act.onnx", [1, 5, 9, 7], tmp_path)
    check(sandglass, tmp_path / "act.onnx", [1, 5, 9, 7], tmp_path, "--threads", "2")
    ops = [l["op"] for l in json.loads(run_sandglass(sandglass, "inspect", "--onnx", tmp_path / "act.onnx",
                                                     "--format", "json").stdout)["layers"]]
    assert ops == ["conv3x3s1", "hardswish", "dwconv3x3s1", "silu", "conv1x1", "silu", "conv1x1", "hardsigmoid",
                   "conv1x1", "sigmoid", "gavgpool", "fc", "hardswish"], ops


def test_partial_shortcut_pattern_becomes_one_add(sandglass, tmp_path):
    onnx.save(partial_shortcut_identity_first_with_relu(), tmp_path / "p.onnx")
    onnx.save(channel_slices_and_concats(), tmp_path / "s.onnx")
    import json
    layers = json.loads(run_sandglass(sandglass, "inspect", "--onnx", tmp_path / "p.onnx", "--format", "json").stdout)["layers"]
    assert [l["op"] for l in layers] == ["conv1x1", "dwconv3x3s1", "add[4/12]"]
    # With a Relu inside (only on the added channels) the pattern is not the shortcut: copies stay.
    ops = [l["op"] for l in json.loads(run_sandglass(sandglass, "inspect", "--onnx", tmp_path / "s.onnx",
                                                     "--format", "json").stdout)["layers"]]
    assert "add" in ops and ops.count("slice") == 5 and ops.count("concat") == 2


def test_external_data(sandglass, tmp_path):
    model = conv_bias_bn_activation_chains()
    d = tmp_path / "ext"
    d.mkdir()
    onnx.save(model, d / "model.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
              location="weights.bin", size_threshold=0)
    assert (d / "weights.bin").stat().st_size > 0
    check(sandglass, d / "model.onnx", [1, 3, 10, 10], tmp_path)
    # Run from another directory: the data file is found next to the model, not in the working directory.
    (d / "weights.bin").rename(d / "moved.bin")
    r = run_sandglass(sandglass, "run", "--onnx", d / "model.onnx", "--input", tmp_path / "x.npy", "--output",
                      tmp_path / "y.npy", check=False)
    assert r.returncode == 1 and "weights.bin" in r.stderr, r.stderr


def test_four_dimensional_output_is_nchw(sandglass, tmp_path):
    model = conv_padding_forms()
    onnx.save(model, tmp_path / "m.onnx")
    reference = check(sandglass, tmp_path / "m.onnx", [1, 6, 24, 22], tmp_path, "--threads", "2")
    assert reference.ndim == 4


def test_typed_fields_in_a_zoo_model(sandglass, tmp_path):
    """A whole MobileNeXt with every initializer in typed fields (float_data, int64_data) and the
    Gather index of its Reshape head in int32_data."""
    from sandglass_py import onnx_zoo
    model, _ = onnx_zoo.mobilenext(width=0.35, alpha="1/3", resolution=32, classes=10, head_style="matmul")
    gather_index = next(n.input[1] for n in model.graph.node if n.op_type == "Gather")
    for i, t in enumerate(model.graph.initializer):
        a = numpy_helper.to_array(t)
        data_type = TensorProto.INT32 if t.name == gather_index else t.data_type
        model.graph.initializer[i].CopyFrom(helper.make_tensor(t.name, data_type, a.shape, a.flatten().tolist(), raw=False))
    assert any(t.int32_data for t in model.graph.initializer) and not any(t.raw_data for t in model.graph.initializer)
    onnx.save(model, tmp_path / "typed.onnx")
    check(sandglass, tmp_path / "typed.onnx", [1, 3, 32, 32], tmp_path)
