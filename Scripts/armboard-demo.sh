#!/usr/bin/env bash
# The remote-board path end to end against the emulated arm64 board of ../shared/tools/armboard
# (Debian trixie, swiftlang 6.0.3, qemu-user, no internet): create or start the board, then
# `sandglass sweep --preset table7 --quick` on ssh://root@10.200.0.2, which deploys the sources of
# the current commit with their dependencies, builds them on the board (15-40 minutes the first
# time under emulation, cached per commit afterwards), runs the sweep there detached and streams
# every record back; then `sandglass report` where this build has that verb, and a CSV export.
#
# The board is an EMULATOR: its latencies measure qemu on this host, not an ARM core.
#
#   sudo Scripts/armboard-demo.sh            # results in Reports/armboard-emulated/
#   OUT=/tmp/x PRESET=table3 Scripts/armboard-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ARMBOARD=${ARMBOARD:-../shared/tools/armboard/armboard.sh}
export ARMBOARD_HOME=${ARMBOARD_HOME:-/var/tmp/armboard}
OUT=${OUT:-Reports/armboard-emulated}
PRESET=${PRESET:-table7}
BOARD_NAME=${BOARD_NAME:-armboard-emulated}
bin=.build/release/sandglass

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
started=$(date +%s)
# The board's key and pinned host key, as ordinary ssh options (the same would come from
# ~/.ssh/config for a real board).
"$bin" sweep --preset "$PRESET" --quick --out "$OUT/results.jsonl" --force --progress plain \
    --target "$target" --board "$BOARD_NAME" \
    --ssh-option "IdentityFile=$ARMBOARD_HOME/keys/id_ed25519" --ssh-option IdentitiesOnly=yes \
    --ssh-option "UserKnownHostsFile=$ARMBOARD_HOME/keys/known_hosts" \
    2>&1 | tee "$OUT/sweep.log"
echo "armboard-demo: sweep (deploy, board build if not cached, measurement) took $(( $(date +%s) - started )) s" | tee -a "$OUT/sweep.log"

# The same sweep again: the board's build of this commit is cached, so it starts at once.
# A commit made meanwhile would be deployed and built anew: then there is nothing cached to show.
if [ "${CACHE_CHECK:-1}" = 1 ] && [ "$(git rev-parse HEAD)" != "$head_at_start" ]; then
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
python3 - "$OUT" <<'PY'
import json, re, sys
out = sys.argv[1]
lines = [json.loads(l) for l in open(f"{out}/results.jsonl") if l.strip()]
header = next(r for r in lines if r["type"] == "header")
env, build, m = header["environment"], header["environment"]["build"], header["sweep"]["measurement"]
runs = m["minRepetitions"] if m["minRepetitions"] == m["maxRepetitions"] else f"{m['minRepetitions']} to {m['maxRepetitions']}"
log = open(f"{out}/sweep.log").read()
built = re.search(r"build of (\w+) (finished on the board in \S+|is cached on the board)", log)
took = re.search(r"took (\d+) s", log)
table = [l for l in log.splitlines() if l.startswith(("point ", "-----", "mobilenext", "mobilenetv2"))]
try:
    second = open(f"{out}/second-run.log").read()
except OSError:
    second = ""
cached = re.search(r"build of (\w+) is cached on the board", second)
second_took = re.search(r"second sweep \(cached build\) took (\d+) s", second)
c = env.get("counters")
if isinstance(c, dict):
    usable = [f"{b['name']} ({', '.join(e['name'] for e in b.get('events', []) if e.get('available'))})"
              for b in c.get("backends", []) if b.get("available")]
    missing = [b["name"] for b in c.get("backends", []) if not b.get("available")]
    counters = "usable: " + ("; ".join(usable) or "none") + (f"; unavailable: {', '.join(missing)} (reasons in the header of results.jsonl)" if missing else "")
else:
    counters = c or "none recorded (qemu-user implements no perf_event_open)"
with open(f"{out}/README.md", "w") as f:
    f.write(f"""# Emulated ARM board: the remote-sweep path, not ARM performance

**These latencies measure qemu-user emulating AArch64 on an x86-64 host, not an ARM core.** They
exist to show the whole `--target` path working on an arm64 Debian board: deploy, build on the
board with its own Swift, run detached, stream every record back.

Generated by `Scripts/armboard-demo.sh` (`sandglass sweep --preset {header['sweep']['name']} --quick --target ssh://root@10.200.0.2`).

| | |
|---|---|
| board | `{header.get('board')}`: {env['hostname']}, {env.get('os')}, {env.get('machine')}, kernel {env.get('kernel')}, {env['logicalCPUs']} CPUs |
| board's Swift and build | Swift {build['swiftVersion']}, {build['configuration']}, {', '.join(build['kernelFlags'])} |
| Sandglass commit built on the board | `{build.get('commit')}` |
| board build | {built.group(2) if built else 'see sweep.log'} |
| whole command (deploy, build, sweep) | {took.group(1) + ' s' if took else 'see sweep.log'} |
| the same sweep again | {('build ' + cached.group(1)[:12] + ' cached on the board; whole command ' + second_took.group(1) + ' s (second-run.log)') if cached and second_took else 'not run'} |
| started | {header['startedAt']} |
| counters | {counters} |
| warnings | {'; '.join(env.get('warnings', [])) or 'none'} |

**How long a first build takes there:** {built.group(2).replace('finished on the board in ', '') if built and 'finished' in built.group(2) else 'see sweep.log'} for a
release build of the `sandglass` product with the board's Swift 6.0.3 under qemu-user (about 20×
slower than native; longer when the host is busy). It happens once per commit: the build is cached
on the board under `~/.cache/sandglass/builds/<commit>/`, and a later sweep of the same commit
starts at once (see "the same sweep again").

The report generated from these results by `sandglass report` on the host: [report/README.md](report/README.md).

Points (the sweep's own summary; {runs} timed runs after {m['warmupRuns']} warm-up runs per point):

```
""" + "\n".join(table) + """
```

Files: `results.jsonl` (the records as streamed from the board, each carrying `board`),
`results.csv` (`sandglass export`), `sweep.log` (the host's log of the run), `second-run.log`
(the host's log of the repeated sweep, whose results are not kept).
""")
print(f"armboard-demo: wrote {out}/README.md")
PY
