#!/usr/bin/env bash
# Makes OUT (a gzip tar): `debootstrap --variant=minbase bookworm` from this machine's Debian mirror
# (bench/debian-mirror.sh), without the .debs and package lists debootstrap downloaded (they are not part of the
# system), packed with sorted names, numeric owners and no gzip timestamp. The bench's large fixture
# (bench/fixtures.sh) and CI's Debian base for the RUN tests (.ci/run) are both made here, so they are the same
# system. OUT appears only when complete (written beside it, then renamed): an interrupted run never leaves a
# half archive that a later run would take for the fixture. 1.5-3 min on a busy 2-vCPU machine near the mirror.
# ARCH (a Debian architecture, default: the machine's own) makes the same system for another one, e.g. arm64 for the
# emulated-RUN bench (bench/emulated-run.sh): debootstrap runs the foreign packages' scripts through the kernel's
# binfmt_misc + QEMU user emulation (qemu-user-static), which must be registered; that takes several times longer.
# Needs root and debootstrap.   Usage: bench/debian-rootfs.sh OUT.tgz [ARCH]
set -euo pipefail
out=${1:?usage: debian-rootfs.sh OUT.tgz [ARCH]}
arch=${2:-$(dpkg --print-architecture)}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
[[ "$arch" =~ ^[a-z0-9]+$ ]] || { echo "not a Debian architecture: $arch" >&2; exit 1; }
if [[ "$arch" != "$(dpkg --print-architecture)" ]]; then
  # The second stage runs the target's own programs: without an emulator it would fail deep in its log.
  case "$arch" in arm64) qemu=aarch64 ;; armhf | armel) qemu=arm ;; ppc64el) qemu=ppc64le ;; *) qemu=$arch ;; esac
  grep -qs '^enabled' "/proc/sys/fs/binfmt_misc/qemu-$qemu" \
    || { echo "no binfmt_misc emulator for $arch is enabled (apt-get install qemu-user-static binfmt-support)" >&2; exit 1; }
fi
mirror=$("$here/debian-mirror.sh")

mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
partial="$out.partial.$$"
# debootstrap mounts /proc and /sys inside the target while it installs; when it is stopped half-way they stay
# mounted, and a recursive rm must never walk into them: unmount what is under $work first, then stay on its
# filesystem. A signal (timeout, Ctrl-C) exits through the same cleanup.
cleanup() {
  local mountpoint
  for mountpoint in $(awk -v w="$work/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$mountpoint" 2>/dev/null || true
  done
  rm -rf --one-file-system "$work" "$partial"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
echo "debootstrap --arch=$arch --variant=minbase bookworm from $mirror" >&2
debootstrap --arch="$arch" --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
tar -C "$work/rootfs" --sort=name --numeric-owner -cf - . | gzip -n -6 >"$partial"
mv "$partial" "$out"
