# Shared by the bench scripts (sourced from bench/; they set $work to their temp dir before timing anything): the AOT
# binary, timing, medians, ratios, table rows.

tabula=$PWD/out/tabula
[[ -x $tabula ]] || dotnet publish ../src/Tabula.Cli -c Release -r linux-x64 -o out >/dev/null

# time_it NAME CMD...: appends "wall_seconds peak_rss_kib cpu_seconds" to $work/NAME (wall time from the shell's
# clock, which has microseconds; /usr/bin/time only gives hundredths; CPU is user+sys of the command and its children,
# which a busy machine disturbs less than wall time).
time_it() {
  local name=$1; shift
  local start=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { echo "failed: $*" >&2; cat "$work/err" >&2; exit 1; }
  local end=$EPOCHREALTIME
  tail -n1 "$work/time" | awk -v s="$start" -v e="$end" '{printf "%.3f %s %.2f\n", e-s, $1, $2+$3}' >>"$work/$name"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { [[ -s $work/$1 ]] && awk -v c="$2" '{print $c}' "$work/$1" | median || echo n/a; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a=="n/a" || b=="n/a" || b==0) print "n/a"; else printf "%.2f", a/b}'; }
mib() { awk -v k="$1" 'BEGIN {if (k=="n/a") print "n/a"; else printf "%.0f", k/1024}'; }

# row STEP TABULA-FILE REFERENCE-NAME REFERENCE-FILE TARGET: one Markdown table row of medians and their ratio.
row() { # step tabula-file ref-name ref-file target
  local t; t=$(col "$2" 1); local r; r=$(col "$4" 1); local rc; rc=$(col "$4" 3)
  [[ $3 == docker* ]] && rc="(in dockerd)"   # the client's CPU is not the work
  echo "| $1 | $t | $3 | $r | $(ratio "$t" "$r") | $5 | $(col "$2" 3) | $rc | $(mib "$(col "$2" 2)") |"
}

# loadavg: the 1, 5 and 15 minute load averages, for scripts that report how busy the (shared) machine was.
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
