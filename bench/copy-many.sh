#!/usr/bin/env bash
# COPY of many files (issue 16): FROM scratch + COPY tree/ / of 300,000 empty files in 300 folders, built three ways
# on one store: with the build cache on and an empty store (the key reads every file, then the copy), again (every
# step hits: only the key is computed), and with --no-cache; time, CPU and peak RSS (target: ≤ 150 MiB) against
# `tar -c | pigz -6 -p2` of the same tree. Interleaved rounds as bench/run.sh; the first round warms up.
# Needs python3 and the AOT binary (made when missing). Usage: bench/copy-many.sh [RUNS] [FILES] (default 3 300000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs=${1:-3}
files=${2:-300000}
source ./lib.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
python3 - "$work/many/tree" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"{i // 1000:04}")
    if i % 1000 == 0: os.makedirs(d, exist_ok=True)
    open(os.path.join(d, f"{i % 1000:04}"), "wb").close()
PY
printf 'FROM scratch\nCOPY tree/ /\n' >"$work/many/Dockerfile"
for round in $(seq 0 "$runs"); do
  echo "round $round/$runs" >&2
  rec() { if [[ $round -gt 0 ]]; then time_it "$@"; else "${@:2}" >/dev/null 2>&1 || true; fi; }
  rm -rf "$root"
  rec t-cold "$tabula" --root "$root" build -q -t bench-many "$work/many"
  rec t-hit "$tabula" --root "$root" build -q -t bench-many "$work/many"
  rec t-nocache "$tabula" --root "$root" build -q --no-cache -t bench-many "$work/many"
  rec pigz-many sh -c "tar -C '$work/many' -cf - tree | pigz -6 -p2 >'$work/many.tgz'"
done
echo "| step | tabula s | reference | reference s | ratio | target | tabula CPU s | reference CPU s | tabula peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
row "COPY $files empty files, cache on, empty store" t-cold "tar \\| pigz -6 -p2" pigz-many "RSS ≤ 150 MiB"
row "the same again (every step hits)" t-hit "tar \\| pigz -6 -p2" pigz-many "RSS ≤ 100 MiB"
row "COPY $files empty files, --no-cache" t-nocache "tar \\| pigz -6 -p2" pigz-many "RSS ≤ 150 MiB"
