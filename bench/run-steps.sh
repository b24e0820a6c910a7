#!/usr/bin/env bash
# RUN on a real base (issue 9): three RUN steps on the large Debian fixture (bench/fixtures.sh: debootstrap minbase
# bookworm, as FROM scratch + ADD rootfs.tgz /), built by tabula and by DOCKER_BUILDKIT=0 docker build, both with
# --no-cache, interleaved, as medians of RUNS rounds after a warm-up; and `run --rm --network none IMAGE true` of the
# large image by tabula and by docker. The base image is built once into tabula's store and into docker before the
# rounds and kept for all of them, as a user's base would be: what is timed is the RUN steps, and a design that
# prepares a base once (unpacked snapshots) may show it from the second build on. Round 0 (the warm-up, not counted)
# pays any such one-time cost.
# Both sides run with --network none: docker's daemon here has no bridge (DESIGN §6), and the same network setup
# on both sides keeps the comparison about the filesystem work.
# A third row puts 300,000 more (empty) files on that base, as one ADD, and times one RUN on it: a RUN must cost
# what its command costs, not the size of the base.
# Needs root (RUN runs under runc), a running docker daemon and fixtures/large (bench/fixtures.sh).
# Usage: bench/run-steps.sh [RUNS] (default 5)   Output: a Markdown table on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs=${1:-5}
source ./lib.sh
docker version >/dev/null 2>&1 || { echo "needs a running docker daemon" >&2; exit 1; }
[[ -f fixtures/large/rootfs.tgz ]] || { echo "missing fixtures/large: run bench/fixtures.sh" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"; docker rmi -f bench-run-steps bench-run-many-step bench-run-many bench-run-base >/dev/null 2>&1 || true' EXIT
root=$work/root
"$tabula" --root "$root" build -q -t bench-run-base fixtures/large >/dev/null
DOCKER_BUILDKIT=0 docker build -q -t bench-run-base fixtures/large >/dev/null

# A write, a command that rewrites several files of the base (/etc/passwd, group, shadow, their - backups) and
# makes a home, and a deletion of a large directory plus a new one: the kinds of change real RUNs make.
mkdir "$work/steps"
cat >"$work/steps/Dockerfile" <<'EOF'
FROM bench-run-base
RUN echo one > /one
RUN useradd -m alice
RUN rm -rf /usr/share/doc && mkdir /srv/x
EOF
build_args=(--no-cache --network none -t bench-run-steps "$work/steps")

# 300 folders of 1,000 empty files each, as one layer over the Debian base.
mkdir "$work/many" "$work/many-step"
python3 - "$work/many/many.tar" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as tar:
    for d in range(300):
        info = tarfile.TarInfo(f"many/{d:03}"); info.type = tarfile.DIRTYPE; info.mode = 0o755; tar.addfile(info)
        for f in range(1000):
            info = tarfile.TarInfo(f"many/{d:03}/{f:04}"); info.mode = 0o644; tar.addfile(info)
PY
printf 'FROM bench-run-base\nADD many.tar /\n' >"$work/many/Dockerfile"
printf 'FROM bench-run-many\nRUN echo one > /one\n' >"$work/many-step/Dockerfile"
"$tabula" --root "$root" build -q -t bench-run-many "$work/many" >/dev/null
DOCKER_BUILDKIT=0 docker build -q -t bench-run-many "$work/many" >/dev/null
many_args=(--no-cache --network none -t bench-run-many-step "$work/many-step")

for round in $(seq 0 "$runs"); do
  echo "round $round/$runs" >&2
  rec() { if [[ $round -gt 0 ]]; then time_it "$@"; else "${@:2}" >/dev/null 2>&1 || true; fi; }
  rec t-steps "$tabula" --root "$root" build -q "${build_args[@]}"
  rec d-steps env DOCKER_BUILDKIT=0 docker build -q "${build_args[@]}"
  # Drop this round's images (not timed), so that neither store grows from round to round; the base stays.
  "$tabula" --root "$root" rmi bench-run-steps >/dev/null
  docker rmi -f bench-run-steps >/dev/null
  rec t-many "$tabula" --root "$root" build -q "${many_args[@]}"
  rec d-many env DOCKER_BUILDKIT=0 docker build -q "${many_args[@]}"
  "$tabula" --root "$root" rmi bench-run-many-step >/dev/null
  docker rmi -f bench-run-many-step >/dev/null
  rec t-run "$tabula" --root "$root" run --rm --network none bench-run-base true
  rec d-run docker run --rm --network none bench-run-base true
done

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) vCPU, median of $runs interleaved rounds after a warm-up;" \
  "base: fixtures/large ($(du -m fixtures/large/rootfs.tgz | cut -f1) MB gzipped)."
echo
echo "| step | tabula s | reference | reference s | ratio | target | tabula CPU s | reference CPU s | tabula peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
row "3 RUN steps on the large Debian base (--no-cache)" t-steps "docker build" d-steps "≤ 1.0"
row "1 RUN on that base plus 300,000 files (--no-cache)" t-many "docker build" d-many "≤ 1.0"
row "run --rm --network none, large image, \`true\`" t-run "docker run" d-run "< 1 s"
