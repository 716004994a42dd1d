#!/usr/bin/env bash
# One command: the git gate's scan throughput on a generated history (default 10,000 commits, ~100 MB of
# file content) next to `git log -p | grep -E` with the same rules, and the latency the gate adds to a
# one-commit push. Prints a markdown table (docs/performance.md, "## Git gate").
# Usage: bench/gitgate/run.sh [commits, default 10000] [bytes per commit, default 10000]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mod="$root/bundles/bot.bottle.gitgate"
cd "$root"
mvn -q -pl bundles/bot.bottle.gitgate test-compile
cp_file="$mod/target/bench.classpath"
mvn -q -pl bundles/bot.bottle.gitgate dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
exec java -Xmx2g -cp "$mod/target/test-classes:$mod/target/classes:$(cat "$cp_file")" \
  bot.bottle.gitgate.bench.GitGateBench "${1:-10000}" "${2:-10000}"
