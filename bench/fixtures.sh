#!/usr/bin/env bash
# Makes the benchmark fixtures in bench/fixtures/ (not committed), each a build context with
# FROM scratch / ADD rootfs.tgz / / CMD ["/bin/sh"]:
#   mini   busybox-static and its applet links, a few /etc files (about 1 MB gzipped)
#   large  debootstrap --variant=minbase bookworm (about 50 MB gzipped, 128 MB unpacked)
#   large-tree  the large fixture's system as a folder (fixtures/large-tree/tree)
# Needs root, busybox-static and debootstrap (installed with apt-get when missing). The large one is made by
# bench/debian-rootfs.sh, from the Debian mirror of this machine's own apt configuration (bench/debian-mirror.sh).
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
  mkdir -p $out/large && ./debian-rootfs.sh $out/large/rootfs.tgz && dockerfile $out/large
fi
if [[ ! -d $out/large-tree/tree ]]; then
  # The same system as a folder (for COPY tree/ /), unpacked from the archive so both are the same files.
  rm -rf $out/large-tree && mkdir -p $out/large-tree/tree
  tar -C $out/large-tree/tree --numeric-owner -xzf $out/large/rootfs.tgz
fi
ls -l $out/*/rootfs.tgz
