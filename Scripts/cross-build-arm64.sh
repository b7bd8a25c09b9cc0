#!/usr/bin/env bash
# Cross-compiles the `sandglass` product for an arm64 Debian board on this x86-64 host, in
# minutes instead of the hours a build takes on a slow or emulated board; deploy the result with
# `sandglass sweep --target ssh://… --binary .build/cross-arm64/sandglass`.
#
# The compiler is Debian trixie's swiftlang 6.0.3 for amd64, in the chroot that
# Scripts/swift60-build.sh creates; the target's libraries (the Swift runtime and Foundation for
# aarch64, glibc, libpfm4, hwloc) come from the board's own root file system, given as SYSROOT
# (default: the emulated board's, ../shared/tools/armboard). So the binary links against exactly
# the Swift runtime and libraries the board has: the board must run trixie's swiftlang 6.0.3 and
# have libpfm4 and libhwloc15 installed, as a board that builds Sandglass itself does.
# Needs root (chroot, mounts).
#
#   Scripts/cross-build-arm64.sh                     -> .build/cross-arm64/sandglass
#   SYSROOT=/mnt/board-root Scripts/cross-build-arm64.sh
#   CLEAN=1 Scripts/cross-build-arm64.sh            from scratch, fetched packages too
#   INCREMENTAL=1 Scripts/cross-build-arm64.sh      reuse the previous build's objects (faster, see below)
#
# By default the previous build's objects are removed first (the fetched packages are kept): an
# incremental release build after a struct gained a stored property produced a binary that
# crashed (`bench --per-layer`, in a module two dependencies away from the change), a known
# SwiftPM bug (swiftlang/swift-package-manager#10502: dependents of dependents are not rebuilt
# against the new layout). A clean build of the same commit ran; it costs about two minutes more.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
ROOT=${SANDGLASS_TRIXIE_ROOT:-/var/tmp/sandglass-trixie-swift60}
SYSROOT=${SYSROOT:-${ARMBOARD_HOME:-/var/tmp/armboard}/rootfs}
TRIPLE=aarch64-unknown-linux-gnu
OUT_DIR="$SRC/.build/cross-arm64"
LOG="$OUT_DIR/build.log"

say() { echo "cross-arm64: $*"; }
die() { echo "cross-arm64: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root to enter the trixie chroot; run as root"
[ "$(uname -m)" = x86_64 ] || die "this script cross-compiles from x86-64; on an arm64 machine run swift build -c release --product sandglass"
if [ ! -e "$ROOT/.sandglass-chroot-ready" ]; then
    say "no trixie chroot yet: creating it with Scripts/swift60-build.sh's setup (once)"
    SANDGLASS_SWIFT60_SETUP_ONLY=1 Scripts/swift60-build.sh
fi
for f in usr/lib/swift/linux/aarch64 usr/lib/swift/linux/Foundation.swiftmodule/$TRIPLE.swiftmodule \
         usr/include/perfmon/pfmlib.h usr/include/hwloc.h usr/lib/aarch64-linux-gnu/libc.so.6; do
    [ -e "$SYSROOT/$f" ] || die "$SYSROOT is not an arm64 board's root file system with swiftlang, libpfm4-dev and libhwloc-dev ($f is missing); set SYSROOT to one (the emulated board's: ../shared/tools/armboard/armboard.sh create)"
done
mkdir -p "$OUT_DIR"
# The committed HEAD, checked out in a worktree of our own (as a board build deploys HEAD):
# edits made while it builds cannot break it, and the commit it names is exactly what it built.
# Checking out only rewrites files that changed, so the next build is incremental.
COMMIT=$(git rev-parse HEAD)
TREE="$OUT_DIR/src"
if [ -n "$(git status --porcelain -- Package.swift Sources)" ]; then
    say "warning: uncommitted changes to Package.swift or Sources are left out: building the committed HEAD ${COMMIT:0:12}"
fi
if [ ! -e "$TREE/.git" ]; then
    rm -rf "$TREE"
    git worktree prune
    git worktree add --detach -f "$TREE" "$COMMIT" > /dev/null
else
    git -C "$TREE" checkout -q --detach -f "$COMMIT"
fi

# The same git mirror rules as the host (see swift60-build.sh).
mirrors=$(git config --get-regexp '^url\..*\.insteadof$' 2>/dev/null | awk '{print $1}' | sed -E 's/^url\.(.*)\.insteadof$/\1/' | sort -u || true)
: > "$ROOT/etc/gitconfig"
git config --get-regexp '^url\..*\.insteadof$' 2>/dev/null | while read -r key value; do
    git config --file "$ROOT/etc/gitconfig" --add "$key" "$value"
done

# SwiftPM's destination file: the board's root is the SDK, its Swift resources (the aarch64
# stdlib and Foundation modules of the same 6.0.3) are the resource directory, lld links, and
# the runtime is looked up where the board keeps it (not under /sysroot, as the driver would
# write), as a build on the board would.
cat > "$ROOT/var/tmp/sandglass-cross-arm64.json" <<EOF
{
  "version": 1,
  "sdk": "/sysroot",
  "toolchain-bin-dir": "/usr/libexec/swift/bin",
  "target": "$TRIPLE",
  "extra-cc-flags": [],
  "extra-swiftc-flags": ["-sdk", "/sysroot", "-resource-dir", "/sysroot/usr/lib/swift", "-use-ld=lld",
                         "-no-toolchain-stdlib-rpath", "-Xlinker", "-rpath", "-Xlinker", "/usr/libexec/swift/lib/swift/linux"],
  "extra-cpp-flags": []
}
EOF

OVL="$ROOT/var/tmp/sandglass-cross-overlay"
if [ "${CLEAN:-0}" = 1 ]; then
    rm -rf "$ROOT/var/tmp/sandglass-cross-build"
elif [ "${INCREMENTAL:-0}" != 1 ]; then
    rm -rf "$ROOT/var/tmp/sandglass-cross-build/$TRIPLE"
fi
rm -rf "$OVL"; mkdir -p "$ROOT/src" "$ROOT/sysroot" "$OVL/upper" "$OVL/work" "$ROOT/var/tmp/sandglass-cross-build"
t0=$SECONDS
say "building $TRIPLE with trixie's swiftlang against $SYSROOT -> $LOG"
set +e
unshare --mount --propagation private bash -c '
    set -e
    root=$1; src=$2; sysroot=$3; triple=$4; shift 4
    mount -t proc proc "$root/proc"; mount --rbind /dev "$root/dev"
    mount -t overlay overlay -o "lowerdir=$src,upperdir=$root/var/tmp/sandglass-cross-overlay/upper,workdir=$root/var/tmp/sandglass-cross-overlay/work" "$root/src"
    mount --bind "$sysroot" "$root/sysroot"; mount -o remount,bind,ro "$root/sysroot"
    for m in "$@"; do
        [ -d "$m" ] || continue
        mkdir -p "$root$m"; mount --bind "$m" "$root$m"; mount -o remount,bind,ro "$root$m"
    done
    # pkg-config (hwloc) must answer for the board, not for this host.
    chroot "$root" /usr/bin/env HOME=/root SANDGLASS_CROSS_TARGET=$triple \
        PKG_CONFIG_SYSROOT_DIR=/sysroot \
        PKG_CONFIG_LIBDIR=/sysroot/usr/lib/aarch64-linux-gnu/pkgconfig:/sysroot/usr/share/pkgconfig \
        bash -c "
        set -e; cd /src
        swift --version 2>&1 | head -1
        swift build -c release --product sandglass --scratch-path /var/tmp/sandglass-cross-build \
            --destination /var/tmp/sandglass-cross-arm64.json ${SANDGLASS_CROSS_VERBOSE:+-v}"
' _ "$ROOT" "$TREE" "$SYSROOT" "$TRIPLE" $mirrors > "$LOG" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
    grep -E "error:" "$LOG" | sort -u | head -20 >&2 || true
    tail -5 "$LOG" >&2
    die "the cross build failed (exit $rc, $((SECONDS - t0)) s; full log: $LOG)"
fi
bin="$ROOT/var/tmp/sandglass-cross-build/$TRIPLE/release/sandglass"
[ -x "$bin" ] || die "the build finished but $bin is missing (log: $LOG)"
cp "$bin" "$OUT_DIR/sandglass"
# The commit the binary was built from, for the results' header (BuildInfo reads this file
# beside the binary; --binary uploads it too).
echo "$COMMIT" > "$OUT_DIR/.sandglass-commit"
say "built $(file -b "$OUT_DIR/sandglass" | cut -d, -f1-2) in $((SECONDS - t0)) s ($([ "${INCREMENTAL:-0}" = 1 ] && echo "incremental" || echo "clean")): $OUT_DIR/sandglass"
