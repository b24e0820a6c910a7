#!/bin/sh
# Builds the tabula self-image with tabula, offline: publishes the Native AOT binary (or takes one given), gathers the
# shared libraries and CA certificates it needs into rootfs.tar beside deploy/Dockerfile, then runs `tabula build`.
#
#   deploy/build-image.sh [-t TAG] [-o CONTEXT_DIR] [--binary PATH] [--base-rootfs ROOTFS.tgz] [--save ARCHIVE.tar]
#
#   -t TAG           image name (default tabula:latest)
#   -o DIR           where the build context is made (default: a new temporary folder, removed afterwards)
#   --binary PATH    an already published `tabula` (AOT); default: dotnet publish src/Tabula.Cli -r linux-x64
#   --base-rootfs F  a Debian root filesystem tarball to take glibc (and libssl, CA certificates) from, so the image
#                    does not depend on the build machine's versions; whatever it lacks is taken from this machine,
#                    and the script says so (a debootstrap minbase, for one, has no libssl3 or ca-certificates)
#   --save FILE      also write the image as a docker archive (for `docker load`)
#   --shell          also add /bin/sh (dash: it needs only libc), for CI systems that run a job's script with a shell
#                    inside the image (GitLab's docker executor); tag such an image apart, e.g. tabula:latest-shell
#   --runc           also add runc and the libseccomp it links, for Dockerfiles with RUN (which also needs privileges:
#                    see README, "The self-image")
#
# The store is tabula's usual one (--root via TABULA_ROOT). SOURCE_DATE_EPOCH (default: the last commit's time) makes
# the image reproducible: the same binary and libraries give the same digest.
set -eu

tag=tabula:latest
context=
binary=
base=
save=
shell=
runc=
while [ $# -gt 0 ]; do
    case $1 in
        -t) tag=$2; shift 2 ;;
        -o) context=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --base-rootfs) base=$2; shift 2 ;;
        --save) save=$2; shift 2 ;;
        --shell) shell=1; shift ;;
        --runc) runc=1; shift ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "build-image.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$context" ] || context=$work/context
mkdir -p "$context"
: "${SOURCE_DATE_EPOCH:=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}"
export SOURCE_DATE_EPOCH

if [ -z "$binary" ]; then
    echo "Publishing tabula (Native AOT, linux-x64)..." >&2
    dotnet publish "$repo/src/Tabula.Cli" -c Release -r linux-x64 -o "$work/publish" -p:DebugType=none -p:StripSymbols=true >&2
    binary=$work/publish/tabula
fi
[ -x "$binary" ] || { echo "build-image.sh: $binary is not an executable" >&2; exit 1; }

if [ -n "$base" ]; then
    mkdir "$work/base"
    tar -xzf "$base" -C "$work/base" --no-same-owner --no-same-permissions 2>/dev/null || tar -xf "$base" -C "$work/base" --no-same-owner
fi

rootfs=$work/rootfs
mkdir -p "$rootfs/usr/local/bin" "$rootfs/lib64" "$rootfs/lib/x86_64-linux-gnu" "$rootfs/etc/ssl/certs" \
    "$rootfs/tmp" "$rootfs/root" "$rootfs/var/lib/tabula" "$rootfs/workspace"
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"
cp "$binary" "$rootfs/usr/local/bin/tabula"
# The zstd the publish bundles beside the binary (pinned; without it layers are zstd-compressed by the managed code).
if [ -e "$(dirname "$binary")/libzstd.so" ]; then cp "$(dirname "$binary")/libzstd.so" "$rootfs/usr/local/bin/libzstd.so"; fi

# take NAME DESTINATION CANDIDATE...: the first candidate in the base rootfs, else the first on this machine.
take() {
    name=$1 dest=$2
    shift 2
    if [ -n "$base" ]; then
        for candidate in "$@"; do
            if [ -e "$work/base$candidate" ]; then cp -L "$work/base$candidate" "$dest"; return; fi
        done
        echo "build-image.sh: $name is not in $base: taking this machine's" >&2
    fi
    for candidate in "$@"; do
        if [ -e "$candidate" ]; then cp -L "$candidate" "$dest"; return; fi
    done
    echo "build-image.sh: $name not found (looked in: $*)" >&2
    exit 1
}

# What the binary links (ldd: glibc's loader, libc, libm), plus what .NET dlopens for TLS by soname: libssl.so.3 and
# the libcrypto.so.3 it needs. ICU is not needed (invariant globalization); zlib is built into the binary.
libs=$(ldd "$binary" | awk '$1 ~ /^lib/ { print $1 }')
for lib in $libs libssl.so.3 libcrypto.so.3; do
    take "$lib" "$rootfs/lib/x86_64-linux-gnu/$lib" "/usr/lib/x86_64-linux-gnu/$lib" "/lib/x86_64-linux-gnu/$lib"
done
take ld-linux-x86-64.so.2 "$rootfs/lib64/ld-linux-x86-64.so.2" /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2
if [ -n "$shell" ]; then
    mkdir -p "$rootfs/bin"
    take dash "$rootfs/bin/sh" /usr/bin/dash /bin/dash
fi
if [ -n "$runc" ]; then
    take runc "$rootfs/usr/local/bin/runc" /usr/sbin/runc /usr/bin/runc
    take libseccomp.so.2 "$rootfs/lib/x86_64-linux-gnu/libseccomp.so.2" /usr/lib/x86_64-linux-gnu/libseccomp.so.2 /lib/x86_64-linux-gnu/libseccomp.so.2
fi
take ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt" /etc/ssl/certs/ca-certificates.crt

# One reproducible tar: sorted, owned by root, every time the epoch.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" --format=pax \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$rootfs" -cf "$context/rootfs.tar" .
cp "$repo/deploy/Dockerfile" "$context/Dockerfile"

"$binary" build -t "$tag" "$context"
[ -z "$save" ] || "$binary" save -o "$save" "$tag"
