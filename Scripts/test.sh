#!/usr/bin/env bash
# Sets up a fresh Debian machine (Scripts/setup.sh), creates the Python virtual environment
# of the test oracles (ONNX, ONNX Runtime, NumPy), and runs every test: the Swift test suites
# (release build: the kernels are what is tested) and the Python oracle tests.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh

python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r Scripts/requirements-test.txt
export SANDGLASS_PYTHON="$PWD/.venv/bin/python"

swift build -c release --build-tests
swift test -c release --skip-build 2>&1 | tee .build/test-swift.log | grep -E "error:|Executed [0-9]+ tests|failed \(" || true
# pipefail is not enough through grep: read swift test's verdict from its log.
grep -qE "Executed [0-9]+ tests, with 0 failures" .build/test-swift.log && ! grep -qE "error:|with [1-9][0-9]* failures" .build/test-swift.log \
    || { echo "test: Swift tests failed (see .build/test-swift.log)" >&2; exit 1; }

.venv/bin/python -m pytest -q Tests/python
echo "test: all tests passed"
