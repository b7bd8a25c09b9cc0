#!/usr/bin/env bash
# Builds the package (every target, tests included, release) with Debian trixie's `swiftlang`
# 6.0.3: the Swift that ARM boards get from apt and the oldest this package supports. Swift 6.3
# accepts code that 6.0 cannot type-check in time (issue 19), so only a real 6.0 build proves it.
#
# The compiler runs in a Debian trixie amd64 chroot that this script creates once and keeps
# ($SANDGLASS_TRIXIE_ROOT, default /var/tmp/sandglass-trixie-swift60, ~2.5 GB, ~5 min to create);
# later runs reuse it and its build folder, so an unchanged tree rebuilds in seconds.
# The checkout is mounted at /src (an overlay, so the host tree is never written) inside a private
# mount namespace (unshare): nothing stays mounted when the script ends, however it ends.
# Needs root (debootstrap, chroot, mounts).
#
#   Scripts/swift60-build.sh            build; exit 1 if 6.0.3 cannot build the package
#   Scripts/swift60-build.sh --test     build, then run the Swift tests with 6.0.3 too
#   SANDGLASS_SKIP_SWIFT60=1            (for machines without root) skip, and say so
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
ROOT=${SANDGLASS_TRIXIE_ROOT:-/var/tmp/sandglass-trixie-swift60}
MIRROR=${SANDGLASS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES="swiftlang libpfm4-dev libhwloc-dev pkg-config git ca-certificates"
STAMP="$ROOT/.sandglass-chroot-ready"
LOG_DIR="$SRC/.build"
mkdir -p "$LOG_DIR"
LOG="$LOG_DIR/swift60-build.log"
RUN_TESTS=0
[ "${1:-}" = "--test" ] && RUN_TESTS=1

say() { echo "swift60: $*"; }
die() { echo "swift60: error: $*" >&2; exit 1; }

if [ "${SANDGLASS_SKIP_SWIFT60:-0}" = 1 ]; then
    say "SKIPPED (SANDGLASS_SKIP_SWIFT60=1): the package was NOT built with Swift 6.0.3"
    exit 0
fi
[ "$(id -u)" = 0 ] || die "needs root to create and enter the trixie chroot; run as root, or set SANDGLASS_SKIP_SWIFT60=1 to skip this check"

# --- the chroot: created once, then reused -------------------------------------------------
if [ ! -e "$STAMP" ] || [ "$(cat "$STAMP")" != "$PACKAGES" ]; then
    t0=$SECONDS
    command -v debootstrap >/dev/null || {
        say "installing debootstrap"
        apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
    }
    if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
        rm -rf "$ROOT"
        say "creating a Debian trixie chroot in $ROOT (once; a few minutes) -> $LOG_DIR/swift60-chroot.log"
        debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" > "$LOG_DIR/swift60-chroot.log" 2>&1 \
            || { tail -20 "$LOG_DIR/swift60-chroot.log" >&2; rm -rf "$ROOT"; die "debootstrap failed (log above)"; }
    fi
    say "installing $PACKAGES in the chroot"
    unshare --mount --propagation private bash -c '
        set -e
        mount -t proc proc "$1/proc"; mount --rbind /dev "$1/dev"
        cp /etc/resolv.conf "$1/etc/resolv.conf" 2>/dev/null || true
        chroot "$1" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -c "
            apt-get update -q && (apt-get install -y -q --no-install-recommends $2 || apt-get --fix-broken install -y -q)"
    ' _ "$ROOT" "$PACKAGES" >> "$LOG_DIR/swift60-chroot.log" 2>&1 \
        || { tail -20 "$LOG_DIR/swift60-chroot.log" >&2; die "installing swiftlang in the chroot failed (log above)"; }
    echo "$PACKAGES" > "$STAMP"
    say "chroot ready in $((SECONDS - t0)) s"
fi
# Scripts/cross-build-arm64.sh reuses the chroot's compiler and asks only for the setup.
[ "${SANDGLASS_SWIFT60_SETUP_ONLY:-0}" = 1 ] && exit 0

# Swift packages come from the same place as on the host: git's url.*.insteadOf rules (a local
# mirror here) are copied into the chroot, and the mirror folders they name are bind-mounted.
mirrors=$(git config --get-regexp '^url\..*\.insteadof$' 2>/dev/null | awk '{print $1}' | sed -E 's/^url\.(.*)\.insteadof$/\1/' | sort -u || true)
: > "$ROOT/etc/gitconfig"
git config --get-regexp '^url\..*\.insteadof$' 2>/dev/null | while read -r key value; do
    git config --file "$ROOT/etc/gitconfig" --add "$key" "$value"
done

OVL="$ROOT/var/tmp/sandglass-overlay"
rm -rf "$OVL"; mkdir -p "$ROOT/src" "$OVL/upper" "$OVL/work" "$ROOT/var/tmp/sandglass-build"
t0=$SECONDS
say "building with trixie's swiftlang -> $LOG"
set +e
unshare --mount --propagation private bash -c '
    set -e
    root=$1; src=$2; tests=$3; shift 3
    mount -t proc proc "$root/proc"; mount --rbind /dev "$root/dev"
    # The checkout is the lower layer of an overlay: what 6.0.3 writes (Package.resolved) stays
    # in the chroot, and the host tree is never touched.
    mount -t overlay overlay -o "lowerdir=$src,upperdir=$root/var/tmp/sandglass-overlay/upper,workdir=$root/var/tmp/sandglass-overlay/work" "$root/src"
    for m in "$@"; do
        [ -d "$m" ] || continue
        mkdir -p "$root$m"; mount --bind "$m" "$root$m"; mount -o remount,bind,ro "$root$m"
    done
    # -warn-long-expression-type-checking names the expressions that come close to 6.0 giving up.
    chroot "$root" /usr/bin/env HOME=/root bash -c "
        set -e; cd /src
        swift --version 2>&1 | head -1
        swift build -c release --build-tests --scratch-path /var/tmp/sandglass-build \
            -Xswiftc -Xfrontend -Xswiftc -warn-long-expression-type-checking=200
        if [ $tests = 1 ]; then swift test -c release --skip-build --scratch-path /var/tmp/sandglass-build; fi"
' _ "$ROOT" "$SRC" "$RUN_TESTS" $mirrors > "$LOG" 2>&1
rc=$?
set -e
grep -E "error:|warning: (expression|instance method|global function).*took [0-9]+ms to type-check" "$LOG" | sort -u | head -20  || true
if [ $rc -ne 0 ]; then
    tail -5 "$LOG" >&2
    die "Swift 6.0.3 could not build the package (exit $rc, $((SECONDS - t0)) s; full log: $LOG)"
fi
say "$(grep -m1 -o "Swift version [^ ]*" "$LOG" || echo "trixie's Swift") built the package in $((SECONDS - t0)) s"
