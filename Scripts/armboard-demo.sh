#!/usr/bin/env bash
# The remote-board path end to end against the emulated arm64 board of ../shared/tools/armboard
# (Debian trixie, swiftlang 6.0.3, qemu-user, no internet): create or start the board, put a
# sandglass of the current commit on it, run `sandglass selftest` there (NEON kernels and whole
# networks against their references, through --target), check that a deliberately broken kernel
# makes the board refuse to measure, then `sandglass sweep --preset table7 --quick` on
# ssh://root@10.200.0.2 (which runs the self-test again as its gate, detached, streaming every
# record back); then `sandglass report` and a CSV export.
#
# How the board gets its sandglass (BUILD):
#   cross (default)  Scripts/cross-build-arm64.sh builds it here against the board's own root file
#                    system (a few minutes; from scratch unless CROSS_CLEAN=0), deployed with --binary.
#   board            the sources of the commit are sent and built on the board with its Swift
#                    (~2 hours under emulation the first time, cached per commit afterwards;
#                    a second sweep then shows the cached start).
#
# The board is an EMULATOR: its latencies measure qemu on this host, not an ARM core.
#
#   sudo Scripts/armboard-demo.sh            # results in Reports/armboard-emulated/
#   OUT=/tmp/x PRESET=table3 BUILD=board Scripts/armboard-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ARMBOARD=${ARMBOARD:-../shared/tools/armboard/armboard.sh}
export ARMBOARD_HOME=${ARMBOARD_HOME:-/var/tmp/armboard}
OUT=${OUT:-Reports/armboard-emulated}
PRESET=${PRESET:-table7}
BOARD_NAME=${BOARD_NAME:-armboard-emulated}
BUILD=${BUILD:-cross}
bin=.build/release/sandglass
case "$BUILD" in cross|board) ;; *) echo "armboard-demo: BUILD must be cross or board, not '$BUILD'" >&2; exit 2 ;; esac

[ "$(id -u)" = 0 ] || { echo "armboard-demo: the emulated board needs root (namespaces, binfmt_misc)" >&2; exit 1; }
[ -x "$ARMBOARD" ] || { echo "armboard-demo: $ARMBOARD not found" >&2; exit 1; }
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "armboard-demo: warning: uncommitted changes; the board builds the committed HEAD $(git rev-parse --short HEAD)" >&2
fi

"$ARMBOARD" create        # idempotent; ~7 min and ~3.5 GB the first time
"$ARMBOARD" start         # idempotent
if [ "${ARMBOARD_NET:-netns}" = loopback ]; then
    target="ssh://root@127.0.0.1:${ARMBOARD_PORT:-2222}"
else
    target="ssh://root@10.200.0.2"
fi

swift build -c release --product sandglass
mkdir -p "$OUT"
head_at_start=$(git rev-parse HEAD)
# The board's key and pinned host key, as ordinary ssh options (the same would come from
# ~/.ssh/config for a real board).
board_args=(--target "$target"
    --ssh-option "IdentityFile=$ARMBOARD_HOME/keys/id_ed25519" --ssh-option IdentitiesOnly=yes
    --ssh-option "UserKnownHostsFile=$ARMBOARD_HOME/keys/known_hosts")
deploy_args=()
if [ "$BUILD" = cross ]; then
    started=$(date +%s)
    CLEAN=${CROSS_CLEAN:-1} Scripts/cross-build-arm64.sh 2>&1 | tee "$OUT/cross-build.log"
    echo "armboard-demo: cross build took $(( $(date +%s) - started )) s" | tee -a "$OUT/cross-build.log"
    deploy_args=(--binary .build/cross-arm64/sandglass)
fi

# The self-test on the board, through --target (it deploys first), as a table and as JSON.
started=$(date +%s)
"$bin" selftest "${board_args[@]}" "${deploy_args[@]}" 2>&1 | tee "$OUT/selftest.txt"
echo "armboard-demo: selftest on the board (deploy included) took $(( $(date +%s) - started )) s" | tee -a "$OUT/selftest.txt"
"$bin" selftest --format json "${board_args[@]}" "${deploy_args[@]}" > "$OUT/selftest.json"

# A kernel broken on purpose (the self-test's test hook, set in the board's environment) must make
# the board's sandglass refuse to measure, naming the kernel.
if [ "$BUILD" = cross ]; then
    "$ARMBOARD" ssh 'mkdir -p /tmp/sandglass-mutation' < /dev/null
    "$ARMBOARD" ssh 'cat > /tmp/sandglass-mutation/sandglass && chmod +x /tmp/sandglass-mutation/sandglass' < .build/cross-arm64/sandglass
    set +e
    "$ARMBOARD" ssh 'SANDGLASS_CACHE_DIR=/tmp/sandglass-mutation/cache SANDGLASS_SELFTEST_BREAK=f32_dwconv3x3_s2 /tmp/sandglass-mutation/sandglass bench --width 0.35 --resolution 64 --iterations 3; echo "exit status $?"' \
        < /dev/null > "$OUT/mutation.log" 2>&1
    set -e
    "$ARMBOARD" ssh 'rm -rf /tmp/sandglass-mutation' < /dev/null
    cat "$OUT/mutation.log"
    grep -q "f32_dwconv3x3_s2" "$OUT/mutation.log" && ! grep -q "exit status 0" "$OUT/mutation.log" \
        || { echo "armboard-demo: the board measured with a broken kernel (see $OUT/mutation.log)" >&2; exit 1; }
fi

started=$(date +%s)
"$bin" sweep --preset "$PRESET" --quick --out "$OUT/results.jsonl" --force --progress plain \
    --board "$BOARD_NAME" "${board_args[@]}" "${deploy_args[@]}" \
    2>&1 | tee "$OUT/sweep.log"
echo "armboard-demo: sweep (deploy, board build if not cached, measurement) took $(( $(date +%s) - started )) s" | tee -a "$OUT/sweep.log"

# The same sweep again: the board's build of this commit is cached, so it starts at once.
# A commit made meanwhile would be deployed and built anew: then there is nothing cached to show.
if [ "$BUILD" = cross ]; then
    rm -f "$OUT/second-run.log"
elif [ "${CACHE_CHECK:-1}" = 1 ] && [ "$(git rev-parse HEAD)" != "$head_at_start" ]; then
    echo "armboard-demo: HEAD moved from ${head_at_start:0:12} during the sweep; skipping the cached-build check (run it from a worktree of that commit)" | tee "$OUT/second-run.log"
elif [ "${CACHE_CHECK:-1}" = 1 ]; then
    started=$(date +%s)
    "$bin" sweep --preset "$PRESET" --quick --out "$OUT/.second-run.jsonl" --force --progress plain \
        --target "$target" --board "$BOARD_NAME" \
        --ssh-option "IdentityFile=$ARMBOARD_HOME/keys/id_ed25519" --ssh-option IdentitiesOnly=yes \
        --ssh-option "UserKnownHostsFile=$ARMBOARD_HOME/keys/known_hosts" \
        > /dev/null 2> "$OUT/second-run.log"
    echo "armboard-demo: second sweep (cached build) took $(( $(date +%s) - started )) s" | tee -a "$OUT/second-run.log"
    rm -f "$OUT/.second-run.jsonl"
fi

"$bin" export "$OUT/results.jsonl" --csv "$OUT/results.csv"
# `report --help` would print the root help for an unknown verb: look for the verb itself.
if "$bin" --help | grep -qE '^ +report( |$)'; then
    "$bin" report "$OUT/results.jsonl" --out "$OUT/report"
else
    echo "armboard-demo: this build has no 'sandglass report' verb yet; the results are in $OUT/results.jsonl and $OUT/results.csv"
fi

# The folder's README, from the results header and the sweep's own log (nothing typed in by hand).
python3 - "$OUT" "$BUILD" <<'PY'
import json, os, re, sys
out, mode = sys.argv[1], sys.argv[2]
lines = [json.loads(l) for l in open(f"{out}/results.jsonl") if l.strip()]
header = next(r for r in lines if r["type"] == "header")
env, build, m = header["environment"], header["environment"]["build"], header["sweep"]["measurement"]
runs = m["minRepetitions"] if m["minRepetitions"] == m["maxRepetitions"] else f"{m['minRepetitions']} to {m['maxRepetitions']}"
def read(name):
    try:
        return open(f"{out}/{name}").read()
    except OSError:
        return ""
log = read("sweep.log")
took = re.search(r"took (\d+) s", log)
table = [l for l in log.splitlines() if l.startswith(("point ", "-----", "mobilenext", "mobilenetv2"))]
c = env.get("counters")
if isinstance(c, dict):
    usable = [f"{b['name']} ({', '.join(e['name'] for e in b.get('events', []) if e.get('available'))})"
              for b in c.get("backends", []) if b.get("available")]
    missing = [b["name"] for b in c.get("backends", []) if not b.get("available")]
    counters = "usable: " + ("; ".join(usable) or "none") + (f"; unavailable: {', '.join(missing)} (reasons in the header of results.jsonl)" if missing else "")
else:
    counters = c or "none recorded (qemu-user implements no perf_event_open)"
gate = header.get("selftest") or {}
gate_line = (f"{gate.get('status')}: {gate.get('kernelChecks')} kernel checks and {gate.get('networks')} networks on "
             f"{', '.join(gate.get('isa', []))}, worst relative error {gate.get('maxRelError', 0):.1e}"
             f"{' (cached from the self-test run just before)' if gate.get('cached') else ''}") if gate else "not recorded"
st = json.loads(read("selftest.json") or "{}")
selftest_table = "\n".join(l for l in read("selftest.txt").splitlines() if not l.startswith(("armboard-demo:", "sandglass: [")))
selftest_took = re.search(r"took (\d+) s", read("selftest.txt"))
mutation = read("mutation.log").strip()
if mode == "cross":
    cross = read("cross-build.log")
    cross_took = re.search(r"cross build took (\d+) s", cross)
    scratch = "from scratch" if "from scratch" in cross else "incrementally"
    how = (f"cross-compiled on the x86-64 host by `Scripts/cross-build-arm64.sh` (Debian trixie's Swift 6.0.3 for amd64, "
           f"linked against the board's own root file system: its aarch64 Swift 6.0.3 runtime, glibc, libpfm4 and hwloc) {scratch} in "
           f"{cross_took.group(1) + ' s' if cross_took else 'see cross-build.log'} on the host's 2 cores, deployed with `--binary`")
    build_note = ("A build on the board itself (`BUILD=board`, the default path for a board without a cross build) "
                  "took 113 minutes for commit 444ef22 under this emulator: see this folder's git history.")
else:
    built = re.search(r"build of (\w+) (finished on the board in \S+|is cached on the board)", log)
    second = read("second-run.log")
    cached = re.search(r"build of (\w+) is cached on the board", second)
    second_took = re.search(r"second sweep \(cached build\) took (\d+) s", second)
    how = (f"built on the board with its Swift 6.0.3 ({built.group(2) if built else 'see sweep.log'}); "
           + (f"the same sweep again found build {cached.group(1)[:12]} cached and took {second_took.group(1)} s"
              if cached and second_took else "no second sweep"))
    build_note = "The build is cached on the board under `~/.cache/sandglass/builds/<commit>/`."
with open(f"{out}/README.md", "w") as f:
    f.write(f"""# Emulated ARM board: correctness and the remote-sweep path, not ARM performance

**qemu-user checks correctness, not speed.** These latencies measure qemu-user emulating AArch64
on an x86-64 host, not an ARM core. What this folder shows: Sandglass's NEON kernels and whole
networks compute the same results as their scalar references on an arm64 Debian board, a board
refuses to measure with a broken kernel, and the whole `--target` path works there (deploy, run
detached, stream every record back).

Generated by `Scripts/armboard-demo.sh` (BUILD={mode}).

| | |
|---|---|
| board | `{header.get('board')}`: {env['hostname']}, {env.get('os')}, {env.get('machine')}, kernel {env.get('kernel')}, {env['logicalCPUs']} CPUs |
| board's CPU as it reports it | {env.get('cpuModel') or env.get('cpu', {}).get('model', 'see results.jsonl')} (a stand-in /proc/cpuinfo: qemu-user runs on the host's x86 CPU) |
| Swift and build | Swift {build['swiftVersion']}, {build['configuration']}, {', '.join(build['kernelFlags'])} |
| Sandglass commit | `{build.get('commit')}` |
| how the board got it | {how} |
| self-test (`sandglass selftest --target …`) | {'passed' if st.get('passed') else 'FAILED'}: ISA {', '.join(st.get('isa', []))}, {len(st.get('checks', []))} kernel checks, {len(st.get('networks', []))} networks{', ' + selftest_took.group(1) + ' s with the deployment' if selftest_took else ''} |
| self-test before the sweep (results header) | {gate_line} |
| whole sweep command | {took.group(1) + ' s' if took else 'see sweep.log'} |
| started | {header['startedAt']} |
| counters | {counters} |
| warnings | {'; '.join(env.get('warnings', [])) or 'none'} |

{build_note}

## Self-test on the board

Every kernel the board runs (NEON) on the awkward shapes of `sandglass selftest` (channel counts
off the vector width, odd sizes, stride 2 with odd inputs, padding edges, partial adds with
k = 0, 1, C−1, C), and whole networks against the reference executor (`selftest.json` has every
figure):

```
{selftest_table}
```

## A broken kernel on the board

`f32_dwconv3x3_s2` broken on purpose (the self-test's test hook `SANDGLASS_SELFTEST_BREAK`, set
in the board's environment), then `sandglass bench` on the board:

```
{mutation or 'not run (BUILD=board)'}
```

## The sweep

The report generated from these results by `sandglass report` on the host: [report/README.md](report/README.md).

Points (the sweep's own summary; {runs} timed runs after {m['warmupRuns']} warm-up runs per point):

```
""" + "\n".join(table) + """
```

Files: `results.jsonl` (the records as streamed from the board, each carrying `board`),
`results.csv` (`sandglass export`), `sweep.log` (the host's log of the run), `selftest.txt` and
`selftest.json` (the self-test on the board), `mutation.log` (the broken kernel),
`cross-build.log` or `second-run.log` (how the board got its binary).
""")
print(f"armboard-demo: wrote {out}/README.md")
PY
