#!/usr/bin/env bash
# Makes base/busybox-rootfs.tar.gz from this machine's static busybox (Debian: apt-get install
# busybox-static): /bin/busybox, a symlink per applet, a minimal /etc. Sorted, owner 0, fixed mtime,
# gzip -n, so the same busybox gives the same bytes. Nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")"
busybox=${BUSYBOX:-/bin/busybox}
if ! [ -x "$busybox" ] || file -L "$busybox" 2>/dev/null | grep -q dynamically; then
    echo "need a static busybox at $busybox (apt-get install busybox-static)" >&2
    exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,etc,root,tmp,proc,sys,dev,usr/bin}
chmod 755 "$root"   # mktemp made it 0700; an image root is 0755
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
printf 'NAME="busybox on scratch"\nID=busybox\n' > "$root/etc/os-release"

# 2023-11-14T22:13:20Z
tar --create --directory "$root" --format=gnu --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime=@1700000000 . | gzip -n -9 > base/busybox-rootfs.tar.gz
echo "wrote base/busybox-rootfs.tar.gz; now: tabula build -t busybox-base $(pwd)/base"
