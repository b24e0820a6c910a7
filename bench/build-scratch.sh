#!/usr/bin/env bash
# Times `FROM scratch` / `ADD rootfs.tgz /` builds of the bench fixtures (bench/fixtures.sh makes them):
# tabula (Native AOT) against the legacy `docker build --no-cache` when a docker daemon answers,
# interleaved, RUNS times each, and prints the median wall time, the ratio and tabula's peak RSS.
# Usage: bench/build-scratch.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
runs=${1:-5}
tabula=out/tabula
if [[ ! -x $tabula ]]; then
  dotnet publish ../src/Tabula.Cli -c Release -r linux-x64 -o out >/dev/null
fi
have_docker=false
docker version >/dev/null 2>&1 && have_docker=true

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT

printf '%-8s %12s %12s %8s %14s\n' fixture tabula_s docker_s ratio tabula_rss_MiB
for fixture in mini large; do
  dir=fixtures/$fixture
  [[ -f $dir/rootfs.tgz ]] || { echo "missing $dir: run bench/fixtures.sh" >&2; continue; }
  : >"$store/t" ; : >"$store/d"; : >"$store/m"
  for _ in $(seq "$runs"); do
    rm -rf "$store/root"
    /usr/bin/time -f '%e %M' -o "$store/time" "$tabula" --root "$store/root" build -q -t bench-$fixture "$dir" >/dev/null
    read -r seconds rss <"$store/time"
    echo "$seconds" >>"$store/t"; echo "$rss" >>"$store/m"
    if $have_docker; then
      /usr/bin/time -f '%e' -o "$store/time" env DOCKER_BUILDKIT=0 docker build -q --no-cache -t bench-$fixture "$dir" >/dev/null 2>&1
      cat "$store/time" >>"$store/d"
      docker rmi -f bench-$fixture >/dev/null 2>&1 || true
    fi
  done
  t=$(median <"$store/t"); m=$(median <"$store/m")
  if $have_docker; then
    d=$(median <"$store/d"); ratio=$(awk -v t="$t" -v d="$d" 'BEGIN {printf "%.3f", t/d}')
  else
    d=n/a; ratio=n/a
  fi
  printf '%-8s %12s %12s %8s %14.1f\n' "$fixture" "$t" "$d" "$ratio" "$(awk -v m="$m" 'BEGIN {print m/1024}')"
done
