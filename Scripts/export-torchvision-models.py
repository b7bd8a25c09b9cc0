#!/usr/bin/env python3
"""Exports the mobile CNNs people profile, exactly as torchvision defines them, to ONNX with
torch.onnx.export: MobileNetV3-Large and -Small, EfficientNet-B0, MnasNet-1.0 (and MobileNetV2
for reference). Weights are torchvision's random initialisation (nothing is downloaded) with
seeded random BatchNorm statistics, so that folding is exercised; eval mode, batch 1, NCHW.

Needs torch and torchvision, which are large (~4 GB installed): keep them in a venv of their
own, outside the test path, e.g.

    python3 -m venv ~/.venv-torch && ~/.venv-torch/bin/pip install torch torchvision onnx
    ~/.venv-torch/bin/python Scripts/export-torchvision-models.py --out .build/torchvision-models

It writes <name>.onnx per model and manifest.json with each model's parameter count as
torchvision counts it (sum of p.numel(), checked against torchvision's documented counts), the
torch and torchvision versions and the opset. Tests/python/test_torchvision_exports.py runs the
exports against ONNX Runtime where they exist and says how to make them where not.
MobileNetV1 is not in torchvision (nor timm's default set under that name) and is not exported."""
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
}


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
        print(f"{path}: {params:,} parameters ({'as torchvision documents' if ok else f'torchvision documents {EXPECTED_PARAMS[name]:,}'})")
    (a.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
