#!/usr/bin/env bash
# Makes the benchmark fixtures in bench/fixtures/ (not committed), each a build context with
# FROM scratch / ADD rootfs.tgz / / CMD ["/bin/sh"]:
#   mini   busybox-static and its applet links, a few /etc files (about 1 MB gzipped)
#   large  debootstrap --variant=minbase bookworm (about 50 MB gzipped, 128 MB unpacked)
# Needs root, busybox-static and debootstrap (installed with apt-get when missing). The Debian
# mirror is the first one in this machine's own apt configuration.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
out=fixtures
mkdir -p "$out"

need() { command -v "$1" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need busybox busybox-static
need debootstrap debootstrap

dockerfile() { printf 'FROM scratch\nADD rootfs.tgz /\nCMD ["/bin/sh"]\n' >"$1/Dockerfile"; }
pack() { tar -C "$1" --sort=name --numeric-owner -cf - . | gzip -n -6 >"$2"; }

if [[ ! -f $out/mini/rootfs.tgz ]]; then
  work=$(mktemp -d)
  mkdir -p "$work"/{bin,etc,tmp,root,proc,sys,dev,usr/bin,usr/sbin,sbin}
  cp "$(command -v busybox)" "$work/bin/busybox"
  for applet in $("$work/bin/busybox" --list-full); do
    [[ "$applet" == bin/busybox ]] || ln -sf /bin/busybox "$work/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$work/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$work/etc/group"
  chmod 0755 "$work"; chmod 1777 "$work/tmp"; chmod 0700 "$work/root"   # the root as every image has it (mktemp made it 0700)
  mkdir -p $out/mini && pack "$work" $out/mini/rootfs.tgz && dockerfile $out/mini
  rm -rf "$work"
fi

if [[ ! -f $out/large/rootfs.tgz ]]; then
  mirror=$( { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } \
    | grep -oE '^(URIs:|deb) +https?://[^ ]+' | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  [[ -n "$mirror" ]] || { echo "no Debian mirror in the apt configuration" >&2; exit 1; }
  work=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # What debootstrap downloaded is not part of the system: drop the .debs and the package lists.
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
  mkdir -p $out/large && pack "$work/rootfs" $out/large/rootfs.tgz && dockerfile $out/large
  mkdir -p $out/large-tree && cp -a "$work/rootfs" $out/large-tree/tree
  rm -rf "$work"
fi
ls -l $out/*/rootfs.tgz
