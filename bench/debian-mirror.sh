#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt uses (the first http(s) URI ending in /debian in its sources, one-line
# or deb822 style), so that fixtures, CI and the tests that install packages all fetch from the same place, the one
# the machine's owner chose, rather than from a mirror written into the repository. Fails when there is none.
# Usage: bench/debian-mirror.sh   Output: the URL on stdout, e.g. http://deb.debian.org/debian
set -euo pipefail
shopt -s nullglob
sources=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
mirror=$( { ((${#sources[@]})) && cat "${sources[@]}" 2>/dev/null || true; } \
  | grep -oE '^(URIs:|deb)[[:space:]]+(\[[^]]*\][[:space:]]+)?https?://[^[:space:]]+' | awk '{print $NF}' \
  | grep -E '/debian/?$' | head -n1 || true)
[[ -n "$mirror" ]] || { echo "no Debian mirror (a URI ending in /debian) in the apt configuration" >&2; exit 1; }
echo "${mirror%/}"
