#!/usr/bin/env bash
# The whole-command benchmark of DESIGN §7, measured in one run, interleaved (each round runs every tool once, in
# turn), reported as the median of RUNS rounds and as ratios tabula / reference:
#   build      FROM scratch + ADD rootfs.tgz / (mini, large) vs DOCKER_BUILDKIT=0 docker build --no-cache,
#              and buildah bud --storage-driver vfs when buildah is installed (both fixtures take the ADD fast path:
#              the archive's bytes become the layer)
# Every build runs with --no-cache, tabula's as docker's: the rows measure making the layer, not the build cache
# (whose keys, on a cold COPY, cost one more read and hash of every context file).
#   copy-gzip  FROM scratch + COPY tree/ / of fixtures/large-tree vs tar -c | pigz -6 -p2
#   copy-zstd  the same with --compression zstd vs tar -c | zstd -3 -T2
#   save/load  tabula save / load of the large image vs docker save / load of docker's build of it
#   push/pull  tabula push / pull of mini and large vs skopeo copy, against a local docker-registry (127.0.0.1, a free
#              port, filesystem storage in the run's temp dir); only when docker-registry and skopeo are installed
#   analyze    tabula analyze of the large image vs the floor of one pass: gzip -dc rootfs.tgz | sha256sum
#   version    tabula --version (start-up)
# with tabula's peak RSS (/usr/bin/time -f %M) for each tabula command. Needs the fixtures (bench/fixtures.sh) and
# the AOT binary (made here when missing); docker, buildah, docker-registry and skopeo are optional.
# Usage: bench/run.sh [RUNS] (default 5)   Output: a Markdown table on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs=${1:-5}
source ./lib.sh
for f in mini large large-tree; do [[ -d fixtures/$f ]] || { echo "missing fixtures/$f: run bench/fixtures.sh" >&2; exit 1; }; done

have_docker=false; docker version >/dev/null 2>&1 && have_docker=true
have_buildah=false; command -v buildah >/dev/null && have_buildah=true
have_registry=false; command -v docker-registry >/dev/null && command -v skopeo >/dev/null && have_registry=true

work=$(mktemp -d)
# push/pull: each round gets a fresh registry (new port, empty storage). With one registry for the whole run, skopeo
# would mount the blobs it pushed in earlier rounds instead of uploading them: its blob-info cache
# (/var/lib/containers/cache) remembers where each digest went, which tabula does not.
registry_port() { local p; while :; do p=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
start_registry() {
  local port; port=$(registry_port); rm -rf "$work/registry"; mkdir -p "$work/registry"
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$work/registry/data" "$port" >"$work/registry/config.yml"
  docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 & registry_pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { registry=127.0.0.1:$port; return; }; sleep 0.05; done
  echo "docker-registry did not start:" >&2; cat "$work/registry/log" >&2; exit 1
}
stop_registry() { if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; registry_pid=; fi; }
registry_pid=
trap 'stop_registry; rm -rf "$work"; $have_docker && docker rmi -f bench-mini bench-large >/dev/null 2>&1 || true' EXIT
root=$work/root
context() { echo "fixtures/$1"; }

# COPY tree/ / uses fixtures/large-tree as its context, with a Dockerfile from outside it.
printf 'FROM scratch\nCOPY tree/ /\n' >"$work/Dockerfile.copy"
tree=$PWD/fixtures/large-tree/tree


# The pushed images are built once, with OCI media types: skopeo 1.9.3's oci: transport finds only OCI manifests in
# index.json, and both sides must send the identical compressed blobs. Each image gets a store of its own, so that
# oci:STORE:latest names it alone (the store is an OCI layout). --preserve-digests makes skopeo fail rather than
# convert or recompress anything (it would not anyway: copies to and from a registry keep the compressed blobs), and
# skopeo pulls into an oci: layout, which keeps them compressed, as tabula's store does; both fsync each blob.
if $have_registry; then
  for fx in mini large; do "$tabula" --root "$work/push-$fx" build -q --oci-mediatypes -t bench-$fx "fixtures/$fx" >/dev/null; done
fi

tarball=$work/large.tar   # the docker save archive that both loads read
for round in $(seq 0 "$runs"); do   # round 0 warms the page cache and both tools up; it is not counted
  echo "round $round/$runs" >&2
  rec() { if [[ $round -gt 0 ]]; then time_it "$@"; else "${@:2}" >/dev/null 2>&1 || true; fi; }
  for fx in mini large; do
    rm -rf "$root"
    rec "t-build-$fx" "$tabula" --root "$root" build -q --no-cache -t bench-$fx "$(context $fx)"
    if $have_docker; then
      docker rmi -f bench-$fx >/dev/null 2>&1 || true
      rec "d-build-$fx" env DOCKER_BUILDKIT=0 docker build -q --no-cache -t bench-$fx "$(context $fx)"
    fi
    if $have_buildah; then
      rm -rf "$work/bh"
      rec "b-build-$fx" buildah --storage-driver vfs --root "$work/bh/root" --runroot "$work/bh/run" bud -q -t bench-$fx "$(context $fx)"
    fi
  done
  # save/load of the large image; the tabula store holds it from the build above
  rec t-save "$tabula" --root "$root" save -o "$work/t-save.tar" bench-large
  # analyze reads the layer once: its floor is one inflate and one SHA-256 of the tar (content is hashed per file)
  rec t-analyze "$tabula" --root "$root" analyze bench-large
  rec gunzip-sha sh -c "gzip -dc '$(context large)/rootfs.tgz' | sha256sum"
  if $have_docker; then
    rec d-save docker save -o "$tarball" bench-large
    docker rmi -f bench-large >/dev/null 2>&1 || true
    rec d-load docker load -q -i "$tarball"
    rm -rf "$work/root2"
    rec t-load "$tabula" --root "$work/root2" load -q -i "$tarball"
  else
    rm -rf "$work/root2"
    rec t-load "$tabula" --root "$work/root2" load -q -i "$work/t-save.tar"
  fi
  # COPY of a directory tree: the layer tar is made and compressed by tabula itself
  rm -rf "$root"
  rec t-copy-gzip "$tabula" --root "$root" build -q --no-cache -t bench-tree -f "$work/Dockerfile.copy" fixtures/large-tree
  rec pigz sh -c "tar -C '$tree' --sort=name --numeric-owner -cf - . | pigz -6 -p2 >/dev/null"
  rm -rf "$root"
  rec t-copy-zstd "$tabula" --root "$root" build -q --no-cache --compression zstd -t bench-tree -f "$work/Dockerfile.copy" fixtures/large-tree
  rec zstd sh -c "tar -C '$tree' --sort=name --numeric-owner -cf - . | zstd -q -3 -T2 >/dev/null"
  if $have_registry; then   # each side pulls what the other pushed
    start_registry
    for fx in mini large; do
      rec t-push-$fx "$tabula" --root "$work/push-$fx" push -q bench-$fx "$registry/t-$fx:$round"
      rec s-push-$fx skopeo copy -q --preserve-digests --dest-tls-verify=false "oci:$work/push-$fx:latest" "docker://$registry/s-$fx:$round"
      rm -rf "$work/pulled" "$work/pulled-oci"
      rec t-pull-$fx "$tabula" --root "$work/pulled" pull -q "$registry/s-$fx:$round"
      rec s-pull-$fx skopeo copy -q --preserve-digests --src-tls-verify=false "docker://$registry/t-$fx:$round" "oci:$work/pulled-oci:latest"
    done
    stop_registry
  fi
  rec version "$tabula" --version   # for its RSS; the start-up time is measured without /usr/bin/time in between:
  if [[ $round -gt 0 ]]; then
    for _ in 1 2 3 4 5 6 7 8 9 10 11; do
      start=$EPOCHREALTIME; "$tabula" --version >/dev/null; end=$EPOCHREALTIME
      awk -v s="$start" -v e="$end" 'BEGIN {printf "%.4f\n", e-s}' >>"$work/startup"
    done
  fi
done

nproc=$(nproc); cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
echo "Measured $(date -u +%Y-%m-%d) on $nproc vCPU ($cpu), median of $runs interleaved rounds after a warm-up."
echo
echo "| step | tabula s | reference | reference s | ratio | target | tabula CPU s | reference CPU s | tabula peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
row "build mini (ADD rootfs.tgz)" t-build-mini "docker build" d-build-mini "≤ 0.10"
$have_buildah && row "build mini (ADD rootfs.tgz)" t-build-mini "buildah bud" b-build-mini ""
row "build large (ADD rootfs.tgz)" t-build-large "docker build" d-build-large "≤ 0.15"
$have_buildah && row "build large (ADD rootfs.tgz)" t-build-large "buildah bud" b-build-large ""
row "COPY tree/ / (gzip layer)" t-copy-gzip "tar \\| pigz -6 -p2" pigz "≤ 0.6"
row "COPY tree/ / (--compression zstd)" t-copy-zstd "tar \\| zstd -3 -T2" zstd "≤ 1.2"
row "save large" t-save "docker save" d-save "≤ 0.6"
row "load large (docker's archive)" t-load "docker load" d-load "≤ 0.4"
row "analyze large" t-analyze "gzip -dc \\| sha256sum" gunzip-sha ""
if $have_registry; then
  row "push mini (to docker-registry)" t-push-mini "skopeo copy" s-push-mini ""
  row "push large (to docker-registry)" t-push-large "skopeo copy" s-push-large "≤ 0.8"
  row "pull mini (from docker-registry)" t-pull-mini "skopeo copy" s-pull-mini ""
  row "pull large (from docker-registry)" t-pull-large "skopeo copy" s-pull-large "≤ 0.8"
fi
echo "| tabula --version | $(col startup 1) | | | | ≤ 0.010 s | $(col version 3) | | $(mib "$(col version 2)") |"
