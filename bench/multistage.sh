#!/usr/bin/env bash
# examples/multistage (a busybox build stage that RUNs commands, then FROM scratch + COPY --from) built by tabula and by
# DOCKER_BUILDKIT=0 docker build, interleaved, as medians of RUNS rounds after a warm-up:
#   cold  --no-cache, the base image already in the store (docker: in the daemon)
#   warm  a rebuild with nothing changed: every step served from the build cache
# Needs root (RUN runs under runc), a running docker daemon and Debian's busybox-static for the base.
# Usage: bench/multistage.sh [RUNS] (default 5)   Output: a Markdown table on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs=${1:-5}
source ./lib.sh
docker version >/dev/null 2>&1 || { echo "needs a running docker daemon" >&2; exit 1; }
example=../examples/multistage
[[ -f $example/base/busybox-rootfs.tar.gz ]] || "$example/make-base.sh" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"; docker rmi -f bench-ms bench-ms-base >/dev/null 2>&1 || true' EXIT
root=$work/root
"$tabula" --root "$root" build -q -t bench-ms-base "$example/base" >/dev/null
DOCKER_BUILDKIT=0 docker build -q -t bench-ms-base "$example/base" >/dev/null
build_args=(--build-arg BASE=bench-ms-base -t bench-ms "$example")

for round in $(seq 0 "$runs"); do
  echo "round $round/$runs" >&2
  rec() { if [[ $round -gt 0 ]]; then time_it "$@"; else "${@:2}" >/dev/null 2>&1 || true; fi; }
  rec t-cold "$tabula" --root "$root" build -q --no-cache "${build_args[@]}"
  rec d-cold env DOCKER_BUILDKIT=0 docker build -q --no-cache "${build_args[@]}"
  # A --no-cache build records RUN results but not ADD/COPY ones (see README, build cache), so one plain build
  # first; the timed one is then a rebuild with nothing changed, for both tools.
  "$tabula" --root "$root" build -q "${build_args[@]}" >/dev/null
  DOCKER_BUILDKIT=0 docker build -q "${build_args[@]}" >/dev/null
  rec t-warm "$tabula" --root "$root" build -q "${build_args[@]}"
  rec d-warm env DOCKER_BUILDKIT=0 docker build -q "${build_args[@]}"
done

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) vCPU, median of $runs interleaved rounds after a warm-up."
echo
echo "| step | tabula s | reference | reference s | ratio | target | tabula CPU s | reference CPU s | tabula peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
row "multistage example, cold (--no-cache)" t-cold "docker build" d-cold ""
row "multistage example, warm (all cached)" t-warm "docker build" d-warm ""
