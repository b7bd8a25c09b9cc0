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
started=$(date +%s)
# The board's key and pinned host key, as ordinary ssh options (the same would come from
# ~/.ssh/config for a real board).
"$bin" sweep --preset "$PRESET" --quick --out "$OUT/results.jsonl" --force --progress plain \
    --target "$target" --board "$BOARD_NAME" \
    --ssh-option "IdentityFile=$ARMBOARD_HOME/keys/id_ed25519" --ssh-option IdentitiesOnly=yes \
    --ssh-option "UserKnownHostsFile=$ARMBOARD_HOME/keys/known_hosts" \
    2>&1 | tee "$OUT/sweep.log"
echo "armboard-demo: sweep (deploy, board build if not cached, measurement) took $(( $(date +%s) - started )) s" | tee -a "$OUT/sweep.log"

"$bin" export "$OUT/results.jsonl" --csv "$OUT/results.csv"
if "$bin" report --help >/dev/null 2>&1; then
    "$bin" report "$OUT/results.jsonl" --out "$OUT/"
else
    echo "armboard-demo: this build has no 'sandglass report' verb yet; the results are in $OUT/results.jsonl and $OUT/results.csv"
fi
