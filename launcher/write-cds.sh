#!/usr/bin/env bash
# Writes the class-data archive of a kernel boot (every bundle started) and the planning of a start (a
# dry run of a throw-away bottle: manifests, plan, JSON) for the Java the launcher picks, into
# DIST/cds/bot-bottle.jsa: the launcher uses it when it matches, so each command starts sooner. Used by
# install.sh and the start-up benchmark (which measures what users run).
#   launcher/write-cds.sh DIST
set -euo pipefail
dist="$(cd "${1:?usage: write-cds.sh DIST}" && pwd)" # absolute, as the launcher computes it at run time
mkdir -p "$dist/cds"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/bottles" "$home/agents"
printf -- '---\nagent_provider:\n  template: claude\negress:\n  routes:\n    - host: example.com\n---\nCDS training.\n' \
  > "$home/bottles/train.md"
printf -- '---\nbottle: train\n---\nStart.\n' > "$home/agents/train.md"
BOT_BOTTLE_NO_CDS=1 BOT_BOTTLE_DIST="$dist" \
  BOT_BOTTLE_JAVA_OPTS="-XX:ArchiveClassesAtExit=$dist/cds/bot-bottle.jsa -Xlog:cds=off -Xlog:cds+dynamic=off" \
  BOT_BOTTLE_HOME="$home" "$dist/bin/bot-bottle" start train --dry-run --format=json >/dev/null 2>&1 \
  || { rm -f "$dist/cds/bot-bottle.jsa"; exit 1; }
