"""Shared fixtures of the Python oracle tests: the sandglass binary and the ONNX zoo."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Scripts"))


@pytest.fixture(scope="session")
def sandglass() -> Path:
    binary = Path(os.environ.get("SANDGLASS_BINARY", ROOT / ".build/release/sandglass"))
    if not binary.exists():
        subprocess.run(["swift", "build", "-c", "release", "--product", "sandglass"], cwd=ROOT, check=True)
    return binary


def run_sandglass(binary: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Runs the CLI; with check, fails the test with its stderr when it exits non-zero."""
    result = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        pytest.fail(f"sandglass {' '.join(map(str, args))} exited {result.returncode}: {result.stderr}")
    return result


def relative_error(actual, reference) -> float:
    """max |actual - reference| / max |reference| (the parity measure of issue 3)."""
    import numpy as np
    actual, reference = np.asarray(actual, np.float64), np.asarray(reference, np.float64)
    assert actual.shape == reference.shape, f"shapes differ: {actual.shape} vs {reference.shape}"
    return float(np.abs(actual - reference).max() / max(np.abs(reference).max(), 1e-30))


def onnxruntime_output(model_path: Path, x):
    """ONNX Runtime's output for one input (single-threaded CPU, every graph optimisation off so
    that the reference is the graph as written)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return session.run(None, {name: x})[0]
