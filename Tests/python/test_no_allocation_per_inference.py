"""Inference allocates nothing in steady state: memcheck's heap totals of two otherwise identical
runs, one with 40 more inferences, differ by (almost) nothing, for one and two threads, fp32 and
int8 (whose AVX2 GEMM widens activations into a per-thread scratch, made on first use).
(AVX2 kernels: valgrind 3.19 cannot decode AVX-512; a debug-stripped copy: it cannot read DWARF 5.)
Without the self-test, tuning and the roofline calibration of `--format json`: all three run
before or after the inferences, so they cannot tell the two runs apart, and under memcheck they
took most of the time of each of its 8 runs (3 to 4 minutes each on a Zen 1 guest). A tuning run
that measured shapes in the first run and read them from the cache in the second would also make
the two totals differ for a reason other than inference."""
import re
import shutil
import subprocess

import pytest


def heap_allocations(binary, iterations, threads, dtype):
    out = subprocess.run(["valgrind", "--tool=memcheck", str(binary), "bench", "--isa", "avx2", "--width", "0.35",
                          "--resolution", "64", "--warmup", "2", "--iterations", str(iterations), "--threads", str(threads),
                          "--dtype", dtype, "--tuning", "off", "--skip-selftest"], capture_output=True, text=True, check=True)
    match = re.search(r"total heap usage: ([\d,]+) allocs", out.stderr)
    assert match, out.stderr[-2000:]
    return int(match.group(1).replace(",", ""))


@pytest.mark.parametrize("dtype", ["f32", "int8"])
@pytest.mark.parametrize("threads", [1, 2])
def test_inference_does_not_allocate(sandglass, tmp_path, threads, dtype):
    if shutil.which("valgrind") is None or shutil.which("objcopy") is None:
        pytest.fail("valgrind and objcopy are needed (Scripts/setup.sh installs them)")
    stripped = tmp_path / "sandglass"
    subprocess.run(["objcopy", "--strip-debug", str(sandglass), str(stripped)], check=True)
    few = heap_allocations(stripped, 5, threads, dtype)
    many = heap_allocations(stripped, 45, threads, dtype)
    # 40 more inferences: one allocation per inference would add 40. A few may differ for other
    # reasons (formatting different numbers in the report), so the bound is half of that.
    assert many - few < 20, f"{many - few} more heap allocations for 40 more inferences"
