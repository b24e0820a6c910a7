#!/usr/bin/env bash
# The shared build cache (issue 13) through a local registry: a cold build on an empty store ("another machine") with
# --cache-from against one without, on a Dockerfile with a slow RUN (sleep 5) and a COPY over the mini fixture
# (bench/fixtures.sh); and the export of that build's cache to a new repository against a push of the image to one.
# The export is timed as a rebuild whose every step hits plus the export, so it carries a hit build's cost too.
# Last, a cache mount restored (--cache-to …,mounts=dl): a RUN that "downloads" 50 MB into a cache mount unless it is
# there already (the download modelled as sleep 5 plus writing 50 MB of random bytes), run on an empty store with a
# build arg the exported build did not have (so the RUN misses the step cache and runs) with --cache-from against without.
# Needs root (RUN runs under runc), docker-registry and fixtures/mini.
# Usage: bench/shared-cache.sh [RUNS] (default 3)   Output: a Markdown table on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs=${1:-3}
source ./lib.sh
[[ -f fixtures/mini/rootfs.tgz ]] || { echo "missing fixtures/mini: run bench/fixtures.sh" >&2; exit 1; }
command -v docker-registry >/dev/null || { echo "needs docker-registry" >&2; exit 1; }

work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:%s\n' "$work" "$port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
reg=127.0.0.1:$port

root=$work/root
"$tabula" --root "$root" build -q -t "$reg/base:1" fixtures/mini >/dev/null
"$tabula" --root "$root" push -q "$reg/base:1" >/dev/null
mkdir "$work/app"
head -c 20000000 /dev/urandom >"$work/app/data"
printf 'FROM %s/base:1\nRUN sleep 5 && echo slow > /slow\nCOPY data /data\nRUN cat /data /slow | sha256sum > /sum\n' "$reg" >"$work/app/Dockerfile"
export SOURCE_DATE_EPOCH=1700000000
"$tabula" --root "$root" build -q -t app "$work/app" >/dev/null
"$tabula" --root "$root" build -q -t app --cache-to "type=registry,ref=$reg/cache/app:1" "$work/app" >/dev/null
mkdir "$work/dl"
printf 'FROM %s/base:1\nARG V\nRUN --mount=type=cache,id=dl,target=/dl sh -c '"'"'[ -f /dl/blob ] || { sleep 5; head -c 50000000 /dev/urandom > /dl/blob; }; sha256sum /dl/blob > /sum; echo $V'"'"'\n' "$reg" >"$work/dl/Dockerfile"
"$tabula" --root "$root" build -q --build-arg V=a --cache-to "type=registry,ref=$reg/cache/dl:1,mounts=dl" "$work/dl" >/dev/null

for round in $(seq 0 "$runs"); do
  echo "round $round/$runs" >&2
  rec() { if [[ $round -gt 0 ]]; then time_it "$@"; else "${@:2}" >/dev/null 2>&1 || true; fi; }
  rm -rf "$work/b"; rec cold "$tabula" --root "$work/b" build -q -t app "$work/app"
  rm -rf "$work/b"; rec cached "$tabula" --root "$work/b" build -q -t app --cache-from "type=registry,ref=$reg/cache/app:1" "$work/app"
  rec export "$tabula" --root "$root" build -q -t app --cache-to "type=registry,ref=$reg/export$round/app:1" "$work/app"
  rec push "$tabula" --root "$root" push -q app "$reg/push$round/app:1"
  rm -rf "$work/b"; rec dlcold "$tabula" --root "$work/b" build -q --build-arg V=b "$work/dl"
  rm -rf "$work/b"; rec dlcached "$tabula" --root "$work/b" build -q --build-arg V=b --cache-from "type=registry,ref=$reg/cache/dl:1" "$work/dl"
done
rm -rf "$work/b"

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) vCPU, median of $runs interleaved rounds after a warm-up; base: fixtures/mini, a RUN of 5 s, a 20 MB COPY."
echo
echo "| step | tabula s | reference | reference s | ratio | target | tabula CPU s | reference CPU s | tabula peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
row "cold build on an empty store with --cache-from (registry)" cached "the same without" cold "< 0.5"
row "rebuild (all hits) + --cache-to a new repository" export "push of the image to a new repository" push "≤ 1.2"
row "RUN with a 50 MB cache mount on an empty store, --cache-from restores it" dlcached "the same without (downloads again)" dlcold "< 0.5"
