#!/usr/bin/env bash
# A two-platform build (--platform linux/amd64,linux/arm64) with the platforms side by side, as tabula builds them,
# against the same two platforms built one after the other (two builds into one store, as multi-platform builds ran
# before they ran side by side: the build-platform stage is built by the first and a cache hit for the second), each
# round into fresh stores, interleaved, as medians of RUNS rounds after a warm-up. The Dockerfile is small: a
# FROM --platform=$BUILDPLATFORM stage with a RUN, and a stage per platform whose two RUNs run natively for amd64 and
# under QEMU for arm64, each base a static busybox of its architecture.
# Needs root (RUN runs under runc), busybox-static, a static arm64 busybox in $TABULA_ARM64_BUSYBOX (default:
# busybox-arm64 in $TABULA_CI_CACHE, default /var/cache/tabula-ci; .ci/run makes it) and qemu-user-static.
# Usage: bench/multiplatform.sh [RUNS] (default 5)   Output: a Markdown table on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs=${1:-5}
source ./lib.sh
arm64_busybox=${TABULA_ARM64_BUSYBOX:-${TABULA_CI_CACHE:-/var/cache/tabula-ci}/busybox-arm64}
[[ -f $arm64_busybox ]] || { echo "missing $arm64_busybox: a static arm64 busybox (apt-get download busybox-static:arm64, dpkg-deb -x)" >&2; exit 1; }
command -v busybox >/dev/null || { echo "needs busybox-static" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
loads="$(loadavg)"
context=$work/context
mkdir "$context"
cp "$(command -v busybox)" "$context/busybox-amd64"
cp "$arm64_busybox" "$context/busybox-arm64"
cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM --platform=$BUILDPLATFORM scratch AS tools
ARG BUILDARCH
COPY busybox-$BUILDARCH /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox head -c 16777216 /dev/zero | /bin/busybox sha256sum > /tool"]

FROM scratch
ARG TARGETARCH
COPY busybox-$TARGETARCH /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN head -c 16777216 /dev/zero | sha256sum > /sum && uname -m > /arch
COPY --from=tools /tool /tool
DOCKERFILE
export SOURCE_DATE_EPOCH=1700000000
# The two builds as one timed command (time(1) runs programs, not shell functions).
in_turn='"$0" --root "$1" build -q --platform linux/amd64 "$2" && "$0" --root "$1" build -q --platform linux/arm64 "$2"'

for round in $(seq 0 "$runs"); do
  echo "round $round/$runs (load $(loadavg))" >&2
  rec() { if [[ $round -gt 0 ]]; then time_it "$@"; else "${@:2}" >/dev/null 2>&1 || true; fi; }
  rec side-by-side "$tabula" --root "$work/side-$round" build -q --platform linux/amd64,linux/arm64 "$context"
  rec in-turn bash -c "$in_turn" "$tabula" "$work/turn-$round" "$context"
  rm -rf "$work/side-$round" "$work/turn-$round"
done

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) vCPU, median of $runs interleaved rounds after a warm-up;" \
  "load average $loads before, $(loadavg) after (a loaded machine: read the ratios loosely)."
echo
echo "| build | side by side s | reference | in turn s | ratio | target | side by side CPU s | in turn CPU s | side by side peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
row "--platform linux/amd64,linux/arm64, small Dockerfile, fresh store" side-by-side "the platforms in turn" in-turn ""
