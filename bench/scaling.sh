#!/usr/bin/env bash
# How each cost grows with the work (issue 16): tabula and its peers on the same generated inputs, interleaved (each
# round runs every tool once per point, in turn), written as one CSV row per measurement and drawn as PNG plots
# (time and peak RSS against size, log-log, one line per tool) by the Tabula.Benchmarks project's `plot` command.
# Series (sizes; --quick keeps the first two of each):
#   files   one layer of N small files (64 bytes, 1,000 a folder): N = 1k, 10k, 100k, 300k
#   bytes   one layer of one file of S MiB (base64 of random bytes: compresses to about 3/4): S = 10, 100, 1024, 4096
#   layers  L COPY steps of one 100 KiB file each: L = 1, 10, 50, 100
#   stages  N stages each COPYing a file, then a final stage that copies from every one ("fan-in"), and N stages each
#           FROM the one before ("chain"): N = 1, 5, 10, 20
# Operations per point (where they apply): build (--no-cache; vs DOCKER_BUILDKIT=0 docker build --no-cache and
# buildah bud when installed), save / load (vs docker save / load), unpack (tabula unpack vs gzip -d | GNU tar -x of
# the same layer blob), analyze (tabula alone: no peer is installed here), push / pull (vs skopeo copy, to local docker-registry
# servers: one per tool, emptied each round, so neither pushes blobs the other has just put there; each tool then pulls
# what the other pushed),
# and for files: a COPY of one file (a static busybox) onto the image (copy-on-base) and one `RUN true` on the result
# (vs docker build), which must cost what the one file and `true` cost (needs busybox-static).
# Peak RSS is /usr/bin/time's %M of the command: for docker that is the client, not the daemon, so it is left out.
# Needs root for RUN and docker; docker, buildah, docker-registry and skopeo are optional (their rows are left out).
# Usage: bench/scaling.sh [--quick] [RUNS] (default 3); SERIES="files bytes" (say) runs only those series;
# FILES="1000 10000", BYTES=…, LAYERS=…, STAGES=… replace a series' sizes; SLOW_PEERS_UP_TO=N leaves out the docker
# and buildah builds of a files point above N files (docker's legacy builder took 700 s for 100,000 files here);
# NO_WARMUP=1 skips the warm-up round (for the largest points, where a round takes many minutes and caches matter little).
# Output: bench/results/scaling.csv, bench/results/scaling-*.png, a Markdown table of medians on stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
quick=false
if [[ ${1:-} == --quick ]]; then quick=true; shift; fi
runs=${1:-3}
source ./lib.sh

have_docker=false; docker version >/dev/null 2>&1 && have_docker=true
have_buildah=false; command -v buildah >/dev/null && have_buildah=true
have_registry=false; command -v docker-registry >/dev/null && command -v skopeo >/dev/null && have_registry=true
have_runc=false; [[ $(id -u) == 0 ]] && command -v runc >/dev/null && command -v busybox >/dev/null && have_runc=true

files_sizes=(1000 10000 100000 300000); bytes_sizes=(10 100 1024 4096); layer_counts=(1 10 50 100); stage_counts=(1 5 10 20)
if $quick; then files_sizes=("${files_sizes[@]:0:2}"); bytes_sizes=("${bytes_sizes[@]:0:2}"); layer_counts=("${layer_counts[@]:0:2}"); stage_counts=("${stage_counts[@]:0:2}"); fi
[[ -n ${FILES:-} ]] && read -ra files_sizes <<<"$FILES"
[[ -n ${BYTES:-} ]] && read -ra bytes_sizes <<<"$BYTES"
[[ -n ${LAYERS:-} ]] && read -ra layer_counts <<<"$LAYERS"
[[ -n ${STAGES:-} ]] && read -ra stage_counts <<<"$STAGES"
slow_peers_up_to=${SLOW_PEERS_UP_TO:-0}
first_round=0; [[ ${NO_WARMUP:-} == 1 ]] && first_round=1

work=$(mktemp -d)
registry_pids=()
cleanup() {
  for pid in "${registry_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if $have_docker; then docker images --format '{{.Repository}}' | grep '^scaling-' | xargs -r docker rmi -f >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p results
csv=results/scaling.csv
echo "series,size,operation,tool,round,seconds,peak_rss_kib,cpu_seconds" >"$csv"

# start_registry NAME: a docker-registry storing in $work/NAME; prints its host:port.
start_registry() {
  local name=$1 port
  port=$(while :; do p=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; break; }; done)
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$work/$name" "$port" >"$work/$name.yml"
  docker-registry serve "$work/$name.yml" >"$work/$name.log" 2>&1 &
  registry_pids+=($!)
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  echo "127.0.0.1:$port"
}
if $have_registry; then
  # Started here, not in $(...), so that cleanup knows their pids.
  start_registry registry-tabula >"$work/port"; registry_tabula=$(<"$work/port")
  start_registry registry-skopeo >"$work/port"; registry_skopeo=$(<"$work/port")
fi

# measure SERIES SIZE OPERATION TOOL CMD...: one CSV row (round 0 warms up and is not written).
measure() {
  local series=$1 size=$2 op=$3 tool=$4; shift 4
  local start=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { echo "failed: $*" >&2; tail -5 "$work/err" >&2; exit 1; }
  local end=$EPOCHREALTIME
  [[ $round -gt 0 ]] || return 0
  tail -n1 "$work/time" | awk -v s="$start" -v e="$end" -v pre="$series,$size,$op,$tool,$round" \
    '{printf "%s,%.3f,%s,%.2f\n", pre, e-s, $1, $2+$3}' >>"$csv"
}

# A context folder per point; Dockerfiles written beside them.
make_files() { # DIR N: N files of 64 bytes, 1,000 a folder
  python3 - "$1" "$2" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
body = b"x" * 63 + b"\n"
for i in range(n):
    d = os.path.join(root, f"{i // 1000:04}")
    if i % 1000 == 0: os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{i % 1000:04}"), "wb") as f: f.write(body)
PY
}
make_bytes() { # FILE MIB
  python3 - "$1" "$2" <<'PY'
import base64, os, sys
with open(sys.argv[1], "wb") as f:
    for _ in range(int(sys.argv[2])): f.write(base64.b64encode(os.urandom(786432)))   # 1 MiB of base64 a time
PY
}

# point SERIES SIZE CONTEXT: build (and the operations on its image) for one point, every round.
point() {
  local series=$1 size=$2 context=$3 tag=scaling-$1-$2
  local root=$work/root-$series-$size
  local docker_here=$have_docker buildah_here=$have_buildah
  if [[ $series == files ]] && ((slow_peers_up_to > 0 && size > slow_peers_up_to)); then docker_here=false; buildah_here=false; fi
  for round in $(seq "$first_round" "$runs"); do
    echo "$series $size: round $round/$runs" >&2
    # Each round pushes to empty registries: blobs an earlier round left would make push a HEAD per blob.
    rm -rf "$work/registry-tabula/docker" "$work/registry-skopeo/docker"
    rm -rf "$root"
    # OCI media types, so that skopeo (1.9's oci: transport reads only OCI manifests) can push tabula's copy of it.
    measure "$series" "$size" build tabula "$tabula" --root "$root" build -q --no-cache --oci-mediatypes -t "$tag" "$context"
    if $docker_here; then
      docker rmi -f "$tag" >/dev/null 2>&1 || true
      measure "$series" "$size" build docker env DOCKER_BUILDKIT=0 docker build -q --no-cache -t "$tag" "$context"
    fi
    if $buildah_here; then
      rm -rf "$work/bh"
      measure "$series" "$size" build buildah buildah --storage-driver vfs --root "$work/bh/root" --runroot "$work/bh/run" bud -q -t "$tag" "$context"
    fi
    [[ $series == stages-* ]] && continue
    rm -f "$work/t.tar" "$work/d.tar"
    measure "$series" "$size" save tabula "$tabula" --root "$root" save -o "$work/t.tar" "$tag"
    local archive=$work/t.tar
    if $docker_here; then
      measure "$series" "$size" save docker docker save -o "$work/d.tar" "$tag"
      docker rmi -f "$tag" >/dev/null
      measure "$series" "$size" load docker docker load -q -i "$work/d.tar"
      archive=$work/d.tar
    fi
    rm -rf "$work/root-load"
    measure "$series" "$size" load tabula "$tabula" --root "$work/root-load" load -q -i "$archive"
    rm -rf "$work/root-load"
    if [[ $series != layers ]]; then
      # unpack: the one layer (the store's largest blob), by tabula and by gzip -d | GNU tar -x
      rm -rf "$work/unpacked" "$work/tar-x"; mkdir -p "$work/tar-x"
      measure "$series" "$size" unpack tabula "$tabula" --root "$root" unpack "$tag" "$work/unpacked"
      local layer; layer=$(find "$root/blobs/sha256" -type f -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
      measure "$series" "$size" unpack "tar -x" sh -c "gzip -dc '$layer' | tar -C '$work/tar-x' -xf -"
      rm -rf "$work/unpacked" "$work/tar-x"
      measure "$series" "$size" analyze tabula "$tabula" --root "$root" analyze "$tag"
    fi
    if $have_registry; then
      measure "$series" "$size" push tabula "$tabula" --root "$root" push -q "$tag" "$registry_tabula/t-$series-$size:$round"
      rm -rf "$work/oci"
      "$tabula" --root "$root" copy -q "store:$tag" "oci:$work/oci:latest" >/dev/null
      measure "$series" "$size" push skopeo skopeo copy -q --dest-tls-verify=false "oci:$work/oci:latest" "docker://$registry_skopeo/s-$series-$size:$round"
      rm -rf "$work/root-pull" "$work/oci-pull"
      measure "$series" "$size" pull tabula "$tabula" --root "$work/root-pull" pull -q "$registry_skopeo/s-$series-$size:$round"
      measure "$series" "$size" pull skopeo skopeo copy -q --src-tls-verify=false "docker://$registry_tabula/t-$series-$size:$round" "oci:$work/oci-pull:latest"
      rm -rf "$work/root-pull" "$work/oci-pull" "$work/oci"
    fi
    if [[ $series == files ]] && $have_runc; then
      # The layer has no shell: a static busybox is copied in first (timed on its own as copy-on-base: one file onto
      # the big base, whose cost must not be the base's), then the timed step is one RUN in exec form, the base's
      # first (tabula unpacks it into snapshots).
      cp "$(command -v busybox)" "$work/busybox"
      printf 'FROM %s\nCOPY busybox /busybox\n' "$tag" >"$work/Dockerfile.bb"
      printf 'FROM %s-bb\nRUN ["/busybox", "true"]\n' "$tag" >"$work/Dockerfile.run"
      measure "$series" "$size" copy-on-base tabula "$tabula" --root "$root" build -q --no-cache -t "$tag-bb" -f "$work/Dockerfile.bb" "$work"
      measure "$series" "$size" run tabula "$tabula" --root "$root" build -q --no-cache --network none -t "$tag-run" -f "$work/Dockerfile.run" "$work"
      if $docker_here; then
        measure "$series" "$size" copy-on-base docker env DOCKER_BUILDKIT=0 docker build -q --no-cache -t "$tag-bb" -f "$work/Dockerfile.bb" "$work"
        measure "$series" "$size" run docker env DOCKER_BUILDKIT=0 docker build -q --no-cache --network none -t "$tag-run" -f "$work/Dockerfile.run" "$work"
      fi
    fi
  done
  rm -rf "$root"
  if $docker_here; then docker rmi -f "$tag" "$tag-bb" "$tag-run" >/dev/null 2>&1 || true; fi
}

series=" ${SERIES:-files bytes layers stages} "
[[ $series == *" files "* ]] || files_sizes=()
[[ $series == *" bytes "* ]] || bytes_sizes=()
[[ $series == *" layers "* ]] || layer_counts=()
[[ $series == *" stages "* ]] || stage_counts=()
for n in "${files_sizes[@]}"; do
  c=$work/ctx-files-$n; mkdir -p "$c/tree"; make_files "$c/tree" "$n"; printf 'FROM scratch\nCOPY tree/ /\n' >"$c/Dockerfile"
  point files "$n" "$c"; rm -rf "$c"
done
for s in "${bytes_sizes[@]}"; do
  c=$work/ctx-bytes-$s; mkdir -p "$c"; make_bytes "$c/blob" "$s"; printf 'FROM scratch\nCOPY blob /blob\n' >"$c/Dockerfile"
  point bytes "$s" "$c"; rm -rf "$c"
done
for l in "${layer_counts[@]}"; do
  c=$work/ctx-layers-$l; mkdir -p "$c"; echo 'FROM scratch' >"$c/Dockerfile"
  for i in $(seq "$l"); do head -c 102400 /dev/urandom >"$c/f$i"; echo "COPY f$i /f$i" >>"$c/Dockerfile"; done
  point layers "$l" "$c"; rm -rf "$c"
done
for n in "${stage_counts[@]}"; do
  c=$work/ctx-stages-$n; mkdir -p "$c"; : >"$c/Dockerfile"
  for i in $(seq "$n"); do head -c 102400 /dev/urandom >"$c/f$i"; printf 'FROM scratch AS s%s\nCOPY f%s /f%s\n' "$i" "$i" "$i" >>"$c/Dockerfile"; done
  echo 'FROM scratch' >>"$c/Dockerfile"
  for i in $(seq "$n"); do echo "COPY --from=s$i /f$i /f$i" >>"$c/Dockerfile"; done
  point stages-fan-in "$n" "$c"
  { echo 'FROM scratch AS s1'; echo 'COPY f1 /f1'; for i in $(seq 2 "$n"); do printf 'FROM s%s AS s%s\nCOPY f%s /f%s\n' $((i - 1)) "$i" "$i" "$i"; done; } >"$c/Dockerfile"
  point stages-chain "$n" "$c"; rm -rf "$c"
done

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) vCPU ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), median of $runs interleaved rounds $( ((first_round == 0)) && echo after || echo without) a warm-up."
echo
dotnet run -c Release --project Tabula.Benchmarks -- plot "$csv" results
