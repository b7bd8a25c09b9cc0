#!/usr/bin/env bash
# Sets up a fresh Debian machine (Scripts/setup.sh), creates the Python virtual environment of
# the test oracles (ONNX, ONNX Runtime, NumPy), and runs every check:
#   1. the Swift test suites (release build: the kernels are what is tested),
#   2. the Python oracle tests,
#   3. a build of the whole package with Debian trixie's Swift 6.0.3 (Scripts/swift60-build.sh),
#      the compiler that ARM boards get from apt.
# Every check runs even when an earlier one failed; each prints its outcome, and the script
# exits non-zero if any failed. Long silent stretches print a progress line every minute.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build
started=$SECONDS

say() { echo "test: $*"; }

# Runs "$@" with its output in LOG; every 60 s without a new line there, prints what it is doing
# (the last test that started, if any), so a long test is not mistaken for a hang.
with_heartbeat() {
    local label=$1 log=$2; shift 2
    "$@" > "$log" 2>&1 &
    local pid=$! last_size=-1 quiet=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep 5
        local size
        size=$(stat -c %s "$log" 2>/dev/null || echo 0)
        if [ "$size" = "$last_size" ]; then quiet=$((quiet + 5)); else quiet=0; last_size=$size; fi
        if [ "$quiet" -ge 60 ] && [ $((quiet % 60)) -lt 5 ]; then
            local current
            current=$(grep -oE "Test Case '[^']+' started" "$log" 2>/dev/null | tail -1 | sed -E "s/Test Case '(.*)' started/\1/")
            say "$label: still running after $((SECONDS - started)) s${current:+ ($current, quiet for ${quiet} s)}"
        fi
    done
    wait "$pid"
}

Scripts/setup.sh || { say "setup failed (see above)"; exit 1; }

say "Python test oracles into .venv (numpy, onnx, onnxruntime, pytest; about a minute the first time)"
python3 -m venv .venv \
    && with_heartbeat "pip" .build/test-pip.log .venv/bin/pip install --disable-pip-version-check -r Scripts/requirements-test.txt \
    || { tail -20 .build/test-pip.log >&2; say "could not install the Python test oracles (see .build/test-pip.log)"; exit 1; }
export SANDGLASS_PYTHON="$PWD/.venv/bin/python"
# Kernel tuning (--tuning cached, the default) measures into a cache per CPU model; the tests
# start from an empty one of their own, so that they measure, and leave ~/.cache alone.
export SANDGLASS_TUNING_DIR="$PWD/.build/test-tuning-cache"
rm -rf "$SANDGLASS_TUNING_DIR"

# --- 1. Swift ------------------------------------------------------------------------------
swift_outcome="FAILED"
say "building the Swift tests (release)"
if swift build -c release --build-tests; then
    say "running the Swift tests (log: .build/test-swift.log)"
    # Line-buffered (stdbuf reaches the xctest child through the environment), so the log and the
    # progress lines name the test that is running now, not one a full buffer ago.
    with_heartbeat "Swift tests" .build/test-swift.log stdbuf -oL -eL swift test -c release --skip-build
    swift_rc=$?
    grep -E "error:|failed \(|Test Suite '[A-Za-z]+Tests' (passed|failed)" .build/test-swift.log | grep -v "Test Suite 'All tests'" || true
    summary=$(grep -E "Executed [0-9]+ tests" .build/test-swift.log | tail -1 | sed -E 's/^[[:space:]]+//')
    # swift test's exit code and its own verdict line must both say it passed.
    if [ "$swift_rc" = 0 ] && grep -qE "Executed [0-9]+ tests?, with (0 tests skipped and )?0 failures|with [0-9]+ tests? skipped and 0 failures" .build/test-swift.log \
        && ! grep -qE "with [1-9][0-9]* failures" .build/test-swift.log; then
        swift_outcome="passed ($summary)"
    else
        swift_outcome="FAILED (exit $swift_rc; ${summary:-no summary}; see .build/test-swift.log)"
    fi
else
    swift_outcome="FAILED (the release build failed)"
fi
say "Swift tests: $swift_outcome"

# --- 2. Python oracles ---------------------------------------------------------------------
say "running the Python oracle tests (log: .build/test-python.log)"
with_heartbeat "Python tests" .build/test-python.log .venv/bin/python -m pytest -q Tests/python
python_rc=$?
tail -n 15 .build/test-python.log | grep -E "passed|failed|error|FAILED|ERROR" || true
python_summary=$(grep -E "^[0-9]+ (passed|failed)|^=+ .*(passed|failed)" .build/test-python.log | tail -1 | sed -E 's/=//g; s/^ +| +$//g')
if [ "$python_rc" = 0 ]; then python_outcome="passed ($python_summary)"; else python_outcome="FAILED (exit $python_rc; ${python_summary:-no summary}; see .build/test-python.log)"; fi
say "Python tests: $python_outcome"

# --- 3. Swift 6.0.3 ------------------------------------------------------------------------
say "building the package with Debian trixie's Swift 6.0.3 (the first time also creates its chroot: ~5 min)"
if with_heartbeat "Swift 6.0.3 build" .build/test-swift60.log Scripts/swift60-build.sh; then
    swift60_outcome="passed ($(tail -1 .build/test-swift60.log | sed 's/^swift60: //'))"
else
    cat .build/test-swift60.log >&2
    swift60_outcome="FAILED (see .build/test-swift60.log and .build/swift60-build.log)"
fi
say "Swift 6.0.3 build: $swift60_outcome"

# --- outcome -------------------------------------------------------------------------------
echo
say "Swift tests:        $swift_outcome"
say "Python tests:       $python_outcome"
say "Swift 6.0.3 build:  $swift60_outcome"
say "took $((SECONDS - started)) s"

# One closing count over both suites, from their own summary lines.
count() { grep -oE "[0-9]+ $1" <<< "$2" | head -1 | grep -oE "^[0-9]+" || echo 0; }
swift_line=$(grep -E "Executed [0-9]+ tests" .build/test-swift.log 2>/dev/null | tail -1)
python_line=$(grep -E "[0-9]+ (passed|failed)" .build/test-python.log 2>/dev/null | tail -1)
if [ -n "$swift_line" ] && [ -n "$python_line" ]; then
    s_total=$(grep -oE "Executed [0-9]+" <<< "$swift_line" | grep -oE "[0-9]+")
    s_failed=$(grep -oE "with [0-9]+ failures?" <<< "$swift_line" | grep -oE "[0-9]+" || echo 0)
    s_skipped=$(count "tests? skipped" "$swift_line")
    p_passed=$(count passed "$python_line"); p_failed=$(count failed "$python_line")
    p_errors=$(count "errors?" "$python_line"); p_skipped=$(count skipped "$python_line")
    passed=$((s_total - s_failed - s_skipped + p_passed))
    failed=$((s_failed + p_failed + p_errors))
    totals="test: $passed passed, $failed failed, $((s_skipped + p_skipped)) skipped"
fi
case "$swift_outcome$python_outcome$swift60_outcome" in
    *FAILED*) say "SOME CHECKS FAILED"; [ -n "${totals:-}" ] && echo "$totals"; exit 1 ;;
esac
say "all checks passed"
# The closing line: both suites' counts.
[ -n "${totals:-}" ] && echo "$totals"
exit 0
