"""MobileNeXt and MobileNetV2 as ONNX graphs, written independently of the Swift model zoo.

The architectures follow ../shared/reference/mobilenext-spec.md (the official MobileNeXt code
and torchvision's MobileNetV2). Weights are seeded random, BatchNorm statistics random too, so
that BN folding is exercised. Used by the ONNX Runtime parity tests (as the oracle's model),
the peer benchmark (the same architecture for every engine) and the count cross-checks.

    python3 Scripts/sandglass_py/onnx_zoo.py --model mobilenext --width 1.0 --alpha 1/2 -o m.onnx
"""
from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MOBILENEXT_STAGES = [(2, 96, 1, 2), (6, 144, 1, 1), (6, 192, 3, 2), (6, 288, 3, 2),
                     (6, 384, 4, 1), (6, 576, 4, 2), (6, 960, 3, 1), (6, 1280, 1, 1)]
MOBILENETV2_STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                      (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def parse_alpha(text: str) -> Fraction:
    a = Fraction(text)
    if not (0 < a <= 1):
        raise ValueError(f"alpha {text} outside (0, 1]")
    return a


@dataclass
class Counts:
    params_conv_fc: int = 0
    bn_params: int = 0
    madds: int = 0
    shortcut_adds: int = 0

    @property
    def params(self) -> int:
        return self.params_conv_fc + self.bn_params


@dataclass
class Builder:
    """Accumulates ONNX nodes and initializers; tracks shapes (C, H, W) for counting."""
    seed: int
    fold_bn: bool = False
    opset: int = 13
    clip_as_attributes: bool = False
    head_style: str = "gemm"
    nodes: list = field(default_factory=list)
    inits: list = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    shapes: dict = field(default_factory=dict)
    _n: int = 0

    def __post_init__(self):
        self.rng = np.random.default_rng(self.seed)

    def name(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}_{self._n}"

    def const(self, prefix: str, array: np.ndarray) -> str:
        n = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def conv_bn(self, x: str, cin: int, cout: int, k: int, stride: int, groups: int = 1,
                act: str | None = None, label: str = "conv") -> str:
        c, h, w = self.shapes[x]
        assert c == cin
        std = math.sqrt(2.0 / (k * k * cout))
        weight = self.rng.normal(0, std, size=(cout, cin // groups, k, k)).astype(np.float32)
        gamma = self.rng.uniform(0.5, 1.5, cout).astype(np.float32)
        beta = self.rng.uniform(-0.2, 0.2, cout).astype(np.float32)
        mean = self.rng.uniform(-0.2, 0.2, cout).astype(np.float32)
        var = self.rng.uniform(0.5, 1.5, cout).astype(np.float32)
        pad = k // 2
        ho, wo = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
        self.counts.params_conv_fc += weight.size
        self.counts.bn_params += 2 * cout
        self.counts.madds += ho * wo * cout * (cin // groups) * k * k
        y = self.name(label)
        attrs = dict(kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4, group=groups)
        if self.fold_bn:
            scale = gamma / np.sqrt(var + 1e-5)
            wf = (weight * scale[:, None, None, None]).astype(np.float32)
            bf = (beta - mean * scale).astype(np.float32)
            self.nodes.append(helper.make_node("Conv", [x, self.const("W", wf), self.const("B", bf)], [y], name=y, **attrs))
        else:
            t = self.name(label + "_raw")
            self.nodes.append(helper.make_node("Conv", [x, self.const("W", weight)], [t], name=t, **attrs))
            self.nodes.append(helper.make_node(
                "BatchNormalization",
                [t, self.const("gamma", gamma), self.const("beta", beta), self.const("mean", mean), self.const("var", var)],
                [y], name=y + "_bn", epsilon=1e-5))
        self.shapes[y] = (cout, ho, wo)
        if act == "relu6":
            r = self.name("relu6")
            if self.clip_as_attributes:
                self.nodes.append(helper.make_node("Clip", [y], [r], name=r, min=0.0, max=6.0))
            else:
                self.nodes.append(helper.make_node(
                    "Clip", [y, self.const("zero", np.array(0, np.float32)), self.const("six", np.array(6, np.float32))],
                    [r], name=r))
            self.shapes[r] = self.shapes[y]
            y = r
        return y

    def squeeze_excite(self, x: str, squeeze: int, gate: str = "sigmoid") -> str:
        """torchvision's SqueezeExcitation as torch.onnx exports it: GlobalAveragePool, 1x1 Conv
        with bias, Relu, 1x1 Conv with bias, Sigmoid (or HardSigmoid), Mul(scale, input)."""
        c, h, w = self.shapes[x]
        w1 = self.rng.normal(0, math.sqrt(2.0 / squeeze), size=(squeeze, c, 1, 1)).astype(np.float32)
        b1 = self.rng.uniform(-0.1, 0.1, squeeze).astype(np.float32)
        w2 = self.rng.normal(0, math.sqrt(2.0 / c), size=(c, squeeze, 1, 1)).astype(np.float32)
        b2 = self.rng.uniform(-0.1, 0.1, c).astype(np.float32)
        self.counts.params_conv_fc += w1.size + b1.size + w2.size + b2.size
        self.counts.madds += 2 * c * squeeze
        pooled, fc1, relu, fc2, gated, out = (self.name(p) for p in ("se_pool", "se_fc1", "se_relu", "se_fc2", "se_gate", "se_scale"))
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], [pooled], name=pooled))
        self.nodes.append(helper.make_node("Conv", [pooled, self.const("W", w1), self.const("B", b1)], [fc1], name=fc1, kernel_shape=[1, 1]))
        self.nodes.append(helper.make_node("Relu", [fc1], [relu], name=relu))
        self.nodes.append(helper.make_node("Conv", [relu, self.const("W", w2), self.const("B", b2)], [fc2], name=fc2, kernel_shape=[1, 1]))
        if gate == "sigmoid":
            self.nodes.append(helper.make_node("Sigmoid", [fc2], [gated], name=gated))
        else:  # PyTorch's Hardsigmoid: relu6(x + 3) / 6
            self.nodes.append(helper.make_node("HardSigmoid", [fc2], [gated], name=gated, alpha=1.0 / 6, beta=0.5))
        self.nodes.append(helper.make_node("Mul", [gated, x], [out], name=out))
        self.shapes[out] = (c, h, w)
        return out

    def shortcut(self, branch: str, identity: str, k: int) -> str:
        c, h, w = self.shapes[branch]
        self.counts.shortcut_adds += k * h * w
        out = self.name("add")
        if k == c:
            self.nodes.append(helper.make_node("Add", [branch, identity], [out], name=out))
        else:
            # What exporters write for out[:, :k] = branch[:, :k] + x[:, :k]: Slice + Add + Concat.
            starts0, endsk, startsk, endsc, axes = (self.const("s", np.array([v], np.int64)) for v in (0, k, k, c, 1))
            bk, xk, rest, added = (self.name(p) for p in ("branch_k", "identity_k", "branch_rest", "added"))
            self.nodes.append(helper.make_node("Slice", [branch, starts0, endsk, axes], [bk], name=bk))
            self.nodes.append(helper.make_node("Slice", [identity, starts0, endsk, axes], [xk], name=xk))
            self.nodes.append(helper.make_node("Add", [bk, xk], [added], name=added))
            self.nodes.append(helper.make_node("Slice", [branch, startsk, endsc, axes], [rest], name=rest))
            self.nodes.append(helper.make_node("Concat", [added, rest], [out], name=out, axis=1))
        self.shapes[out] = (c, h, w)
        return out

    def head(self, x: str, classes: int) -> str:
        """Pool, flatten and classify. head_style "gemm": GlobalAveragePool + Flatten + Gemm(transB=1)
        (torch.onnx's nn.Linear); "matmul": ReduceMean + Reshape + MatMul + Add (a hand-written
        head; Reshape's shape computed with Shape/Gather/Unsqueeze/Concat as x.view(x.size(0), -1)
        exports without constant folding)."""
        c, _, _ = self.shapes[x]
        pooled, flat, logits = self.name("pool"), self.name("flatten"), "logits"
        weight = self.rng.normal(0, 0.01, size=(classes, c)).astype(np.float32)
        bias = self.rng.uniform(-0.01, 0.01, classes).astype(np.float32)
        self.counts.params_conv_fc += weight.size + bias.size
        self.counts.madds += c * classes
        if self.head_style == "gemm":
            self.nodes.append(helper.make_node("GlobalAveragePool", [x], [pooled], name=pooled))
            self.nodes.append(helper.make_node("Flatten", [pooled], [flat], name=flat, axis=1))
            self.nodes.append(helper.make_node("Gemm", [flat, self.const("fc_W", weight), self.const("fc_B", bias)],
                                               [logits], name="fc", transB=1))
        elif self.head_style == "matmul":
            axes = [2, 3]
            if self.opset >= 18:
                self.nodes.append(helper.make_node("ReduceMean", [x, self.const("axes", np.array(axes, np.int64))],
                                                   [pooled], name=pooled, keepdims=1))
            else:
                self.nodes.append(helper.make_node("ReduceMean", [x], [pooled], name=pooled, axes=axes, keepdims=1))
            shape, batch, batch1, target = (self.name(p) for p in ("shape", "batch", "batch1", "target"))
            self.nodes.append(helper.make_node("Shape", [pooled], [shape], name=shape))
            self.nodes.append(helper.make_node("Gather", [shape, self.const("zero", np.array(0, np.int64))], [batch],
                                               name=batch, axis=0))
            if self.opset >= 13:
                self.nodes.append(helper.make_node("Unsqueeze", [batch, self.const("axes", np.array([0], np.int64))],
                                                   [batch1], name=batch1))
            else:
                self.nodes.append(helper.make_node("Unsqueeze", [batch], [batch1], name=batch1, axes=[0]))
            self.nodes.append(helper.make_node("Concat", [batch1, self.const("minus1", np.array([-1], np.int64))],
                                               [target], name=target, axis=0))
            self.nodes.append(helper.make_node("Reshape", [pooled, target], [flat], name=flat))
            product = self.name("matmul")
            self.nodes.append(helper.make_node("MatMul", [flat, self.const("fc_W", weight.T.copy())], [product], name=product))
            self.nodes.append(helper.make_node("Add", [product, self.const("fc_B", bias)], [logits], name="fc_bias"))
        else:
            raise ValueError(f"unknown head style {self.head_style}")
        return logits

    def model(self, graph_name: str, resolution: int, classes: int) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes, graph_name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, resolution, resolution])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, classes])],
            self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)],
                                  producer_name="sandglass-onnx-zoo")
        model.ir_version = min(model.ir_version, 8)
        onnx.checker.check_model(model)
        return model


def mobilenext(width=1.0, alpha="1", resolution=224, classes=1000, seed=0, fold_bn=False, opset=13,
               clip_as_attributes=False, head_style="gemm", se=False, se_gate="sigmoid") -> tuple[onnx.ModelProto, Counts]:
    """The official MobileNeXt; with se, Table 6's MobileNeXt† as Sandglass builds it:
    squeeze-and-excite after the first depthwise convolution of each block that has one, on its
    channels squeezed to a quarter of the bottleneck."""
    a = parse_alpha(str(alpha))
    b = Builder(seed=seed, fold_bn=fold_bn, opset=opset, clip_as_attributes=clip_as_attributes, head_style=head_style)
    b.shapes["input"] = (3, resolution, resolution)
    divisor = 4 if width == 0.1 else 8
    cin = make_divisible(32 * width, divisor)
    x = b.conv_bn("input", 3, cin, 3, 2, act="relu6", label="stem")
    for t, c, n, s in MOBILENEXT_STAGES:
        cout = make_divisible(c * width, divisor)
        if c == 1280 and width < 1:
            cout = 1280
        for i in range(n):
            stride = s if i == 0 else 1
            keep = i == 0 and n == 1 and s == 1
            hidden = cin // t
            if hidden < cout / 6.0:
                hidden = make_divisible(math.ceil(cout / 6.0), 16)
            inp = x
            if t == 2:
                x = b.conv_bn(x, cin, cin, 3, 1, groups=cin, act="relu6")
                if se:
                    x = b.squeeze_excite(x, max(1, hidden // 4), se_gate)
                x = b.conv_bn(x, cin, hidden, 1, 1)
                x = b.conv_bn(x, hidden, cout, 1, 1, act="relu6")
                x = b.conv_bn(x, cout, cout, 3, stride, groups=cout)
            elif cin != cout and stride == 1 and not keep:
                x = b.conv_bn(x, cin, hidden, 1, 1)
                x = b.conv_bn(x, hidden, cout, 1, 1, act="relu6")
            elif cin != cout and stride == 2 and not keep:
                x = b.conv_bn(x, cin, hidden, 1, 1)
                x = b.conv_bn(x, hidden, cout, 1, 1, act="relu6")
                x = b.conv_bn(x, cout, cout, 3, 2, groups=cout)
            else:
                x = b.conv_bn(x, cin, cin, 3, 1, groups=cin, act="relu6")
                if se:
                    x = b.squeeze_excite(x, max(1, hidden // 4), se_gate)
                x = b.conv_bn(x, cin, hidden, 1, 1)
                x = b.conv_bn(x, hidden, cout, 1, 1, act="relu6")
                x = b.conv_bn(x, cout, cout, 3, 1, groups=cout)
                if not keep:
                    x = b.shortcut(x, inp, int(cin * a.numerator // a.denominator))
            cin = cout
    b.head(x, classes)
    return b.model(f"mobilenext{'_se' if se else ''}_{width}_{alpha}", resolution, classes), b.counts


def mobilenetv2(width=1.0, alpha="1", resolution=224, classes=1000, seed=0, fold_bn=False, opset=13,
                clip_as_attributes=False, head_style="gemm", extra_dw=False) -> tuple[onnx.ModelProto, Counts]:
    """torchvision's MobileNetV2; with extra_dw, the paper's Table 5 variant: one more 3x3
    depthwise convolution (BN, ReLU6, stride 1) on the expanded tensor before each block's own."""
    a = parse_alpha(str(alpha))
    b = Builder(seed=seed, fold_bn=fold_bn, opset=opset, clip_as_attributes=clip_as_attributes, head_style=head_style)
    b.shapes["input"] = (3, resolution, resolution)
    cin = make_divisible(32 * width, 8)
    last = make_divisible(1280 * max(1.0, width), 8)
    x = b.conv_bn("input", 3, cin, 3, 2, act="relu6", label="stem")
    for t, c, n, s in MOBILENETV2_STAGES:
        cout = make_divisible(c * width, 8)
        for i in range(n):
            stride = s if i == 0 else 1
            inp = x
            hidden = int(round(cin * t))
            if t != 1:
                x = b.conv_bn(x, cin, hidden, 1, 1, act="relu6")
            if extra_dw:
                x = b.conv_bn(x, hidden, hidden, 3, 1, groups=hidden, act="relu6")
            x = b.conv_bn(x, hidden, hidden, 3, stride, groups=hidden, act="relu6")
            x = b.conv_bn(x, hidden, cout, 1, 1)
            if stride == 1 and cin == cout:
                x = b.shortcut(x, inp, int(cout * a.numerator // a.denominator))
            cin = cout
    x = b.conv_bn(x, cin, last, 1, 1, act="relu6")
    b.head(x, classes)
    name = "mobilenetv2_extra_dw" if extra_dw else "mobilenetv2"
    return b.model(f"{name}_{width}_{alpha}", resolution, classes), b.counts


def build(model: str, **kwargs) -> tuple[onnx.ModelProto, Counts]:
    if model == "mobilenext":
        return mobilenext(**kwargs)
    if model == "mobilenetv2":
        return mobilenetv2(**kwargs)
    if model == "mobilenetv2-extra-dw":
        return mobilenetv2(extra_dw=True, **kwargs)
    if model == "mobilenext-se":
        return mobilenext(se=True, **kwargs)
    raise ValueError(f"unknown model {model}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="mobilenext", choices=["mobilenext", "mobilenetv2", "mobilenetv2-extra-dw", "mobilenext-se"])
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--alpha", default="1")
    p.add_argument("--resolution", type=int, default=224)
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fold-bn", action="store_true")
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--clip-as-attributes", action="store_true", help="Clip-6 form (needs --opset 10 or lower)")
    p.add_argument("--head", default="gemm", choices=["gemm", "matmul"])
    p.add_argument("-o", "--output", required=True)
    a = p.parse_args()
    model, counts = build(a.model, width=a.width, alpha=a.alpha, resolution=a.resolution, classes=a.classes,
                          seed=a.seed, fold_bn=a.fold_bn, opset=a.opset, clip_as_attributes=a.clip_as_attributes,
                          head_style=a.head)
    onnx.save(model, a.output)
    print(f"{a.output}: params {counts.params} (conv+fc {counts.params_conv_fc}), MAdds {counts.madds}, "
          f"shortcut adds {counts.shortcut_adds}")


if __name__ == "__main__":
    main()
