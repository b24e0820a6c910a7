#!/usr/bin/env bash
# What emulated RUN costs against native (issue 12): the RUN steps of bench/run-steps.sh (a write, useradd -m, a large
# rm -rf plus mkdir) on a debootstrap minbase bookworm base, built by tabula with --no-cache for linux/amd64 on the
# amd64 system (native) and for linux/arm64 on the arm64 system (every RUN's programs through binfmt_misc + QEMU user
# emulation), interleaved, as medians of RUNS rounds after a warm-up. Both bases are made by bench/debian-rootfs.sh,
# so they are the same packages for two architectures; each is built into the store once (FROM scratch + ADD), as a
# user's base would be, and kept for all rounds: what is timed is the RUN steps and their layers. A second pair of
# rows times one CPU-bound RUN (sha256sum of 64 MiB of zeros), the kind of step where emulation costs most.
# The amd64 base is $DEBIAN_AMD64_ROOTFS, by default bench/fixtures/large's (bench/fixtures.sh); the arm64 one is $DEBIAN_ARM64_ROOTFS, by default
# debian-bookworm-minbase-arm64.tgz in $TABULA_CI_CACHE (default /var/cache/tabula-ci), made there when missing
# (debootstrap under QEMU: 15-30 min). It is never put in the repository.
# Needs root (RUN runs under runc), debootstrap, and qemu-user-static + binfmt-support registering aarch64.
# Usage: bench/emulated-run.sh [RUNS] (default 5)   Output: a Markdown table on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs=${1:-5}
source ./lib.sh
amd64_rootfs=${DEBIAN_AMD64_ROOTFS:-fixtures/large/rootfs.tgz}
[[ -f $amd64_rootfs ]] || { echo "missing $amd64_rootfs: run bench/fixtures.sh (or name a debian-rootfs.sh archive in DEBIAN_AMD64_ROOTFS)" >&2; exit 1; }
arm64_rootfs=${DEBIAN_ARM64_ROOTFS:-${TABULA_CI_CACHE:-/var/cache/tabula-ci}/debian-bookworm-minbase-arm64.tgz}
[[ -f $arm64_rootfs ]] || ./debian-rootfs.sh "$arm64_rootfs" arm64

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
loads="$(loadavg)"

# The two bases, each FROM scratch + ADD of its system, stored with its platform.
for arch in amd64 arm64; do
  mkdir "$work/base-$arch"
  rootfs=${arch}_rootfs
  cp "${!rootfs}" "$work/base-$arch/rootfs.tgz"
  printf 'FROM scratch\nADD rootfs.tgz /\nCMD ["/bin/sh"]\n' >"$work/base-$arch/Dockerfile"
  "$tabula" --root "$root" build -q --platform "linux/$arch" -t "bench-emu-base-$arch" "$work/base-$arch" >/dev/null
done

# run-steps.sh's Dockerfile, its base chosen per platform.
mkdir "$work/steps" "$work/cpu"
cat >"$work/steps/Dockerfile" <<'DOCKERFILE'
ARG BASE
FROM $BASE
RUN echo one > /one
RUN useradd -m alice
RUN rm -rf /usr/share/doc && mkdir /srv/x
DOCKERFILE
printf 'ARG BASE\nFROM $BASE\nRUN head -c 67108864 /dev/zero | sha256sum > /sum\n' >"$work/cpu/Dockerfile"
build() { # name arch context
  rec "$1" "$tabula" --root "$root" build -q --no-cache --network none --platform "linux/$2" \
    --build-arg "BASE=bench-emu-base-$2" -t "bench-emu-$1" "$3"
}

for round in $(seq 0 "$runs"); do
  echo "round $round/$runs (load $(loadavg))" >&2
  rec() { if [[ $round -gt 0 ]]; then time_it "$@"; else "${@:2}" >/dev/null 2>&1 || true; fi; }
  build native-steps amd64 "$work/steps"
  build emulated-steps arm64 "$work/steps"
  build native-cpu amd64 "$work/cpu"
  build emulated-cpu arm64 "$work/cpu"
  # Drop this round's images (not timed), so that the store does not grow from round to round; the bases stay.
  for name in native-steps emulated-steps native-cpu emulated-cpu; do "$tabula" --root "$root" rmi "bench-emu-$name" >/dev/null 2>&1 || true; done
done

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) vCPU, median of $runs interleaved rounds after a warm-up;" \
  "load average $loads before, $(loadavg) after (a loaded machine: read the ratios loosely)."
echo
echo "| step | emulated s | reference | native s | ratio | target | emulated CPU s | native CPU s | emulated peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
row "3 RUN steps on Debian minbase, linux/arm64 under QEMU (--no-cache)" emulated-steps "linux/amd64 native" native-steps ""
row "1 RUN sha256sum of 64 MiB, linux/arm64 under QEMU (--no-cache)" emulated-cpu "linux/amd64 native" native-cpu ""
