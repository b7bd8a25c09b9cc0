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
