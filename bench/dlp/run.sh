#!/usr/bin/env bash
# One command: DLP recall per format, evasion catch rate, false-positive rate, agent-egress-bench pass
# rates, and throughput (MB/s, one core) on typical JSON next to a grep -E baseline of the same rules.
# Usage: bench/dlp/run.sh [MB of JSON, default 32]
# Per-stage CPU time: the same classpath with bot.bottle.dlp.engine.StageTimes [MB] [engine];
# profiling loop for JFR: bot.bottle.dlp.bench.DlpProfile [seconds] [MB] [all|patterns].
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mod="$root/bundles/bot.bottle.dlp"
cd "$root"
mvn -q -pl bundles/bot.bottle.dlp test-compile
cp_file="$mod/target/bench.classpath"
mvn -q -pl bundles/bot.bottle.dlp dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
exec java -Xmx2g -cp "$mod/target/test-classes:$mod/target/classes:$(cat "$cp_file")" bot.bottle.dlp.bench.DlpBench "${1:-32}"
