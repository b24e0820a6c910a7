#!/usr/bin/env bash
# The analyze row of issue 15 for an image of many files: one layer of 100,000 small files (each with its own content,
# so every file is hashed) in 100 folders, FROM scratch; tabula analyze of it, time and peak RSS (target: ≤ 150 MiB),
# against the floor of one pass over the layer (gzip -dc | sha256sum). Measured in interleaved rounds as bench/run.sh.
# Needs python3 and the AOT binary (made when missing). Usage: bench/analyze-many.sh [RUNS] (default 5)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs=${1:-5}
source ./lib.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir "$work/many"
python3 - "$work/many/many.tar.gz" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT) as tar:
    for d in range(100):
        info = tarfile.TarInfo(f"many/{d:03}"); info.type = tarfile.DIRTYPE; info.mode = 0o755; tar.addfile(info)
        for f in range(1000):
            data = f"file {d} {f}\n".encode() * 8
            info = tarfile.TarInfo(f"many/{d:03}/{f:04}"); info.mode = 0o644; info.size = len(data); tar.addfile(info, io.BytesIO(data))
PY
printf 'FROM scratch\nADD many.tar.gz /\n' >"$work/many/Dockerfile"
"$tabula" --root "$root" build -q -t bench-many "$work/many" >/dev/null
for round in $(seq 0 "$runs"); do
  echo "round $round/$runs" >&2
  rec() { if [[ $round -gt 0 ]]; then time_it "$@"; else "${@:2}" >/dev/null 2>&1 || true; fi; }
  rec t-analyze-many "$tabula" --root "$root" analyze bench-many
  rec gunzip-sha-many sh -c "gzip -dc '$work/many/many.tar.gz' | sha256sum"
done
echo "| step | tabula s | reference | reference s | ratio | target | tabula CPU s | reference CPU s | tabula peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
row "analyze 100,000 files" t-analyze-many "gzip -dc \\| sha256sum" gunzip-sha-many "RSS ≤ 150 MiB"
