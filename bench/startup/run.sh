#!/usr/bin/env bash
# Startup benchmark: wall time from `bot-bottle start <agent>` to the agent's first command running,
# against a bare `docker run` of the same agent image under the same runtime, in the same run, with
# every image prebuilt. The agent's "first command" is a stub `claude` that prints the clock
# (FIRST-COMMAND <ns>); both sides read the same host clock. For the bottle it also shows when the egress
# proxy first answers the agent (the stub's request waits in the proxy's backlog until it serves).
#
#   bench/startup/run.sh [runs]        (default 5; needs dockerd, the base image, a built distribution)
#
# Environment: BOT_BOTTLE_DIST (default launcher/target/dist; the Docker backend bundle is added from
# bundles/bot.bottle.backend.docker/target when the distribution lacks it), KEEP=1 keeps the temp home.
set -euo pipefail
runs="${1:-5}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dist="${BOT_BOTTLE_DIST:-$root/launcher/target/dist}"
[ -d "$dist/bundle" ] || { echo "no distribution at $dist (mvn -pl launcher -am install -DskipTests)" >&2; exit 3; }
work="$(mktemp -d /tmp/bb-bench-startup.XXXXXX)"
cleanup() { "$root/launcher/bot-bottle" cleanup >/dev/null 2>&1 || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

# A copy with the class-data archive install.sh writes: the benchmark measures what users run.
cp -r "$dist" "$work/dist"
if ! ls "$dist"/bundle/bot.bottle.backend.docker-*.jar >/dev/null 2>&1; then
  cp "$root"/bundles/bot.bottle.backend.docker/target/bot.bottle.backend.docker-*.jar "$work/dist/bundle/"
fi
dist="$work/dist"
"$root/launcher/write-cds.sh" "$dist" || echo "no class-data archive: the host kernel starts slower" >&2
export BOT_BOTTLE_DIST="$dist" BOT_BOTTLE_HOME="$work/home"
mkdir -p "$BOT_BOTTLE_HOME/bottles/bench-image" "$BOT_BOTTLE_HOME/agents"
cat > "$BOT_BOTTLE_HOME/bottles/bench-image/Dockerfile" <<'DF'
ARG BASE=bot-bottle/base:bookworm
FROM ${BASE}
# curl: after its first command the stub asks the egress proxy for its allowlist (answered by the proxy
# itself), to show when the sidecar serves; a bare run has no proxy and prints no answer.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
RUN printf '#!/bin/sh\ncase "$1" in mcp) exit 0;; esac\necho "FIRST-COMMAND $(date +%%s%%N)"\n[ -n "$HTTP_PROXY" ] && curl -s -o /dev/null --max-time 30 http://_egress.local/allowlist && echo "FIRST-ANSWER $(date +%%s%%N)"\nexit 0\n' > /usr/local/bin/claude \
 && chmod 755 /usr/local/bin/claude
CMD ["claude"]
DF
cat > "$BOT_BOTTLE_HOME/bottles/bench.md" <<'MD'
---
agent_provider:
  template: claude
  dockerfile: bench-image/Dockerfile
egress:
  routes:
    - host: example.com
---
Startup benchmark bottle.
MD
printf -- '---\nbottle: bench\n---\nStart.\n' > "$BOT_BOTTLE_HOME/agents/bench.md"
bb="$root/launcher/bot-bottle"

now() { date +%s%N; }
first() { grep -o "${2:-FIRST-COMMAND} [0-9]*" "$1" | head -1 | cut -d' ' -f2; }

echo "warm-up (builds the sidecar and agent images once)..." >&2
"$bb" start bench > "$work/warm.txt" 2>&1 || { cat "$work/warm.txt" >&2; exit 1; }
runtime="$(docker info --format '{{json .Runtimes}}' | grep -q '"runsc"' && echo runsc || echo runc)"
image="bot-bottle-agent-bench:latest"

bottle=(); bare=(); answer=(); phases=""
for i in $(seq "$runs"); do
  s=$(now); BOT_BOTTLE_TIMING=1 "$bb" start bench > "$work/run.txt" 2>&1; f=$(first "$work/run.txt")
  bottle+=($(( (f - s) / 1000000 )))
  a=$(first "$work/run.txt" FIRST-ANSWER || true); [ -z "$a" ] || answer+=($(( (a - s) / 1000000 )))
  # backend phases carry the wall clock (@epoch ms): shown as ms since this `start` began
  phases="$(grep 'timing' "$work/run.txt" | sed 's/^bot-bottle: timing *//' \
    | awk -v s="$((s / 1000000))" '{ if (match($0, / @[0-9]+$/)) { e = substr($0, RSTART + 2); sub(/ @[0-9]+$/, ""); $0 = $0 " [" e - s " ms since start]" } print }' \
    | tr '\n' ';')"
  phases="$phases first command [$(( (f - s) / 1000000 )) ms since start]"
  s=$(now); docker run --rm --runtime "$runtime" --network none "$image" > "$work/bare.txt" 2>&1; f=$(first "$work/bare.txt")
  bare+=($(( (f - s) / 1000000 )))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mb=$(median "${bottle[@]}"); mr=$(median "${bare[@]}")
echo "runtime: $runtime, runs: $runs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bot-bottle start -> first command: median ${mb} ms (${bottle[*]})"
echo "bare docker run  -> first command: median ${mr} ms (${bare[*]})"
echo "the bottle adds: $(( mb - mr )) ms (target < 1500 ms)"
# the agent is released once the sidecar's ports are bound; its first request waits until the proxy serves
[ ${#answer[@]} -eq 0 ] || echo "bot-bottle start -> first answer from the egress proxy: median $(median "${answer[@]}") ms (${answer[*]})"
echo "last run's backend phases (ms since run() began): $phases"
