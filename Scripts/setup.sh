#!/usr/bin/env bash
# Sets up a fresh Debian (bookworm or trixie) machine to build and run Sandglass:
# system packages (libpfm4, hwloc, valgrind, OpenSSH, Python venv) and a release build.
# Swift itself must already be installed: Debian trixie has it as `apt install swiftlang`
# (6.0.3); otherwise use a toolchain from swift.org (6.0 or newer).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(pkg-config binutils libpfm4-dev libhwloc-dev hwloc-nox valgrind python3-venv python3-pip
          openssh-client openssh-server rsync git)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
        SUDO=sudo
    fi
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

if ! command -v swift >/dev/null; then
    echo "setup: no 'swift' on PATH. On Debian trixie: apt install swiftlang; elsewhere: https://www.swift.org/install/" >&2
    exit 1
fi
swift build -c release --product sandglass
echo "setup: built $(pwd)/.build/release/sandglass"

# Every usage line calls `sandglass`: put it on PATH with a link to this build (root: in
# /usr/local/bin; otherwise in ~/.local/bin when that is on PATH), or say how.
bin="$(pwd)/.build/release/sandglass"
link_dir=""
if [ "$(id -u)" = 0 ]; then
    link_dir=/usr/local/bin
elif [[ ":$PATH:" == *":$HOME/.local/bin:"* ]]; then
    link_dir="$HOME/.local/bin"
fi
current=$(readlink -f "$(command -v sandglass 2>/dev/null)" 2>/dev/null || true)
if [ -n "$link_dir" ] && { [ -z "$current" ] || [ "$current" = "$bin" ] || [ -L "$link_dir/sandglass" ]; }; then
    mkdir -p "$link_dir" && ln -sf "$bin" "$link_dir/sandglass"
    echo "setup: 'sandglass' on PATH: $link_dir/sandglass -> $bin"
elif [ "$current" != "$bin" ]; then
    echo "setup: to call it as 'sandglass': export PATH=\"$(pwd)/.build/release:\$PATH\""
fi
