#!/usr/bin/env bash
# Makes OUT (a gzip tar): `debootstrap --variant=minbase bookworm` from this machine's Debian mirror
# (bench/debian-mirror.sh), without the .debs and package lists debootstrap downloaded (they are not part of the
# system), packed with sorted names, numeric owners and no gzip timestamp. The bench's large fixture
# (bench/fixtures.sh) and CI's Debian base for the RUN tests (.ci/run) are both made here, so they are the same
# system. OUT appears only when complete (written beside it, then renamed): an interrupted run never leaves a
# half archive that a later run would take for the fixture. 1.5-3 min on a busy 2-vCPU machine near the mirror.
# Needs root and debootstrap.   Usage: bench/debian-rootfs.sh OUT.tgz
set -euo pipefail
out=${1:?usage: debian-rootfs.sh OUT.tgz}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
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
echo "debootstrap --variant=minbase bookworm from $mirror" >&2
debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
tar -C "$work/rootfs" --sort=name --numeric-owner -cf - . | gzip -n -6 >"$partial"
mv "$partial" "$out"
