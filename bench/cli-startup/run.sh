#!/usr/bin/env bash
# Cold start of `bot-bottle help` (kernel boot, every distribution bundle started, one Gogo command)
# against `java -version` measured in the same run: prints the medians and their ratio.
# Usage: bench/cli-startup/run.sh [runs]   (default 11; needs a built distribution: mvn -DskipTests install)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-11}"
launcher="$root/launcher/bot-bottle"
[ -d "$root/launcher/target/dist/lib" ] || { echo "build first: mvn -q -DskipTests install" >&2; exit 2; }
home="$(mktemp -d)"; trap 'rm -rf "$home"' EXIT

median_ms() { # command... ; prints the median wall time in ms over $runs runs (one warm-up run)
  local times=() i s e
  "$@" >/dev/null 2>&1 || true
  for ((i = 0; i < runs; i++)); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

java_bin="$(command -v java)"
j=$(median_ms "$java_bin" -version)
h=$(BOT_BOTTLE_HOME="$home" median_ms "$launcher" help)
v=$(BOT_BOTTLE_HOME="$home" median_ms "$launcher" version)
printf '%-28s %8s\n' "command ($runs runs, median)" "ms"
printf '%-28s %8d\n' "java -version" "$j"
printf '%-28s %8d\n' "bot-bottle version" "$v"
printf '%-28s %8d\n' "bot-bottle help" "$h"
awk -v h="$h" -v v="$v" -v j="$j" 'BEGIN {printf "ratio help/java: %.1fx   version/java: %.1fx\n", h/j, v/j}'
