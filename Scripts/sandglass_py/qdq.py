"""ONNX models quantized as ONNX Runtime's users quantize them: onnxruntime.quantization.quantize_static,
QDQ format, per-channel int8 weights, uint8 (what x86 VNNI favours) or int8 activations, MinMax
calibration on seeded uniform [-1, 1) inputs. The peers benchmark and the int8 parity tests share it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx


def quantize(source: Path, out: Path, resolution: int, activations: str = "uint8", batches: int = 8,
             seed: int = 5) -> Path:
    """Writes the QDQ model of `source` (a float model with BatchNorm folded) to `out`."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    name = onnx.load(str(source), load_external_data=False).graph.input[0].name

    class Reader(CalibrationDataReader):
        def __init__(self):
            rng = np.random.default_rng(seed)
            self.batches = [{name: rng.uniform(-1, 1, (1, 3, resolution, resolution)).astype(np.float32)}
                            for _ in range(batches)]

        def get_next(self):
            return self.batches.pop() if self.batches else None

    quantize_static(str(source), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    weight_type=QuantType.QInt8,
                    activation_type=QuantType.QUInt8 if activations == "uint8" else QuantType.QInt8)
    return out
