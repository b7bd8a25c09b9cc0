#!/usr/bin/env python3
"""Exports the mobile CNNs people profile, exactly as torchvision defines them, to ONNX with
torch.onnx.export: MobileNetV3-Large and -Small, EfficientNet-B0, MnasNet-1.0 (and MobileNetV2
for reference), and MobileNetV1, which torchvision lacks, defined here as its paper and Keras
build it. Weights are torchvision's random initialisation (nothing is downloaded) with
seeded random BatchNorm statistics, so that folding is exercised; eval mode, batch 1, NCHW.

Needs torch and torchvision, which are large (~4 GB installed): keep them in a venv of their
own, outside the test path, e.g.

    python3 -m venv ~/.venv-torch && ~/.venv-torch/bin/pip install torch torchvision onnx
    ~/.venv-torch/bin/python Scripts/export-torchvision-models.py --out .build/torchvision-models

It writes <name>.onnx per model and manifest.json with each model's parameter count as
torchvision counts it (sum of p.numel(), checked against torchvision's documented counts), the
torch and torchvision versions and the opset. Tests/python/test_torchvision_exports.py runs the
exports against ONNX Runtime where they exist and says how to make them where not.

MobileNetV1 (Howard et al., 2017, Table 1) is not in torchvision: `mobilenet_v1` below builds it
layer by layer as the paper and `keras.applications.MobileNet` do (3×3 stem of 32 channels at
stride 2, thirteen depthwise-separable blocks to 1024 channels, BatchNorm and ReLU after every
convolution, global average pool, a 1000-way classifier), and its count is checked against the
trainable parameters Keras reports for MobileNet 1.0 at 224 (4,231,976)."""
import argparse
import json
import sys
from pathlib import Path

# torchvision's documented parameter counts (the model builders' docs, ImageNet-1k, 1000 classes).
EXPECTED_PARAMS = {
    "mobilenet_v3_large": 5_483_032,
    "mobilenet_v3_small": 2_542_856,
    "efficientnet_b0": 5_288_548,
    "mnasnet1_0": 4_383_312,
    "mobilenet_v2": 3_504_872,
    "mobilenet_v1": 4_231_976,   # Keras MobileNet(alpha=1.0), trainable parameters
}


def mobilenet_v1(torch):
    """MobileNetV1 1.0 as the paper's Table 1 (and Keras) lays it out."""
    nn = torch.nn

    def conv_bn(cin, cout, stride, groups=1, kernel=3):
        return [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
                nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

    layers = conv_bn(3, 32, 2)
    cin = 32
    for cout, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]:
        layers += conv_bn(cin, cin, stride, groups=cin) + conv_bn(cin, cout, 1, kernel=1)
        cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, 1000))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--models", nargs="+", default=list(EXPECTED_PARAMS))
    p.add_argument("--resolution", type=int, default=224)
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    try:
        import torch
        import torchvision
    except ImportError as e:
        print(f"export-torchvision-models: {e}: install torch and torchvision in a venv of their own (see the docstring)",
              file=sys.stderr)
        return 2
    unknown = [m for m in a.models if m not in EXPECTED_PARAMS]
    if unknown:
        print(f"export-torchvision-models: unknown model(s) {', '.join(unknown)}: choose from {', '.join(EXPECTED_PARAMS)}",
              file=sys.stderr)
        return 2
    a.out.mkdir(parents=True, exist_ok=True)
    manifest = {"torch": torch.__version__, "torchvision": torchvision.__version__, "opset": a.opset,
                "resolution": a.resolution, "models": {}}
    failed = False
    for name in a.models:
        torch.manual_seed(a.seed)
        if name == "mobilenet_v1":
            model = mobilenet_v1(torch).eval()
        else:
            model = getattr(torchvision.models, name)(weights=None).eval()
        generator = torch.Generator().manual_seed(a.seed + 1)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.2, 0.2, generator=generator)
                    m.running_var.uniform_(0.5, 1.5, generator=generator)
                    m.weight.uniform_(0.5, 1.5, generator=generator)
                    m.bias.uniform_(-0.2, 0.2, generator=generator)
        params = sum(t.numel() for t in model.parameters())
        x = torch.zeros(1, 3, a.resolution, a.resolution)
        path = a.out / f"{name}.onnx"
        kwargs = dict(input_names=["input"], output_names=["logits"], opset_version=a.opset, do_constant_folding=True)
        try:
            torch.onnx.export(model, (x,), str(path), dynamo=False, **kwargs)
        except TypeError:   # torch before 2.5 has no dynamo argument
            torch.onnx.export(model, (x,), str(path), **kwargs)
        ok = params == EXPECTED_PARAMS[name]
        failed |= not ok
        manifest["models"][name] = {"file": path.name, "params": params, "expectedParams": EXPECTED_PARAMS[name],
                                    "paramsMatch": ok}
        print(f"{path}: {params:,} parameters ({'as documented' if ok else f'documented: {EXPECTED_PARAMS[name]:,}'})")
    (a.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
