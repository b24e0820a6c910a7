#!/usr/bin/env bash
# Rebuilds ./hello from hello.c and ./rootfs.tar.gz from it, reproducibly:
# the same compiler, tar and gzip give the same bytes on every run.
set -euo pipefail
cd "$(dirname "$0")"

# 2023-11-14T22:13:20Z, a fixed time so the archive does not change between builds.
epoch=1700000000

# No C runtime and no loader (a scratch image has neither); no build id, so that
# rebuilding gives the same bytes.
gcc -static -nostdlib -ffreestanding -fno-stack-protector -Os -s \
    -fno-asynchronous-unwind-tables -fno-pie -no-pie \
    -Wl,--build-id=none -Wl,-z,noseparate-code \
    -o hello hello.c

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/etc"
install -m 0755 hello "$staging/hello"
cat > "$staging/etc/os-release" <<'RELEASE'
NAME="Tabula hello"
ID=tabula-hello
VERSION_ID=1
PRETTY_NAME="Tabula hello example 1"
RELEASE
chmod 0755 "$staging/etc"
chmod 0644 "$staging/etc/os-release"

# Sorted names, root owner, fixed times, no user names; gzip -n leaves out the
# name and time it would otherwise store in its header.
tar -C "$staging" --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
    --mtime="@$epoch" -cf - etc hello | gzip -n -9 > rootfs.tar.gz

echo "built hello ($(stat -c %s hello) bytes) and rootfs.tar.gz ($(stat -c %s rootfs.tar.gz) bytes)"
