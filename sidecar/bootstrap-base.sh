#!/usr/bin/env bash
# Bootstraps bot-bottle's Debian base image without any registry: debootstrap from the Debian mirror
# apt already uses, then `docker import`. The image is labelled with a hash of this recipe (script,
# suite, mirror, package list); an image whose label matches is reused, so an unchanged recipe never
# rebuilds. Prints the image id on the last line of stdout.
#
#   sidecar/bootstrap-base.sh [--tag bot-bottle/base:bookworm] [--suite bookworm] [--mirror URL]
#                             [--include pkg,pkg] [--force]
#
# Needs root (debootstrap), debootstrap and a running Docker engine.
set -euo pipefail

tag="${BOT_BOTTLE_BASE_IMAGE:-bot-bottle/base:bookworm}"
suite="bookworm"
mirror=""
include="ca-certificates"
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --suite) suite="$2"; shift 2 ;;
    --mirror) mirror="$2"; shift 2 ;;
    --include) include="$2"; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "bootstrap-base: unknown argument $1" >&2; exit 2 ;;
  esac
done

# The mirror apt is configured with (deb822 sources first, then the classic list), so the base image
# comes from wherever this machine is allowed to reach.
if [ -z "$mirror" ]; then
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
fi
if [ -z "$mirror" ]; then
  mirror="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
    /etc/apt/sources.list 2>/dev/null || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

command -v docker >/dev/null || { echo "bootstrap-base: docker CLI not found (apt-get install docker.io)" >&2; exit 3; }
docker info >/dev/null 2>&1 || { echo "bootstrap-base: Docker engine not reachable (start dockerd)" >&2; exit 3; }

# The mirror is not part of the hash: the same suite from another mirror is the same recipe.
recipe_hash="$( { sha256sum < "$0"; echo "$suite|$include"; } | sha256sum | cut -c1-32)"
have="$(docker image inspect --format '{{ index .Config.Labels "bot-bottle.recipe" }}' "$tag" 2>/dev/null || true)"
if [ "$force" = 0 ] && [ "$have" = "$recipe_hash" ]; then
  echo "bootstrap-base: $tag is up to date (recipe $recipe_hash)" >&2
  docker image inspect --format '{{.Id}}' "$tag"
  exit 0
fi

command -v debootstrap >/dev/null || { echo "bootstrap-base: debootstrap not found (apt-get install debootstrap)" >&2; exit 3; }
[ "$(id -u)" = 0 ] || { echo "bootstrap-base: debootstrap needs root" >&2; exit 3; }

root="$(mktemp -d /tmp/bot-bottle-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "bootstrap-base: debootstrap $suite from $mirror (a few minutes on a fresh machine)" >&2
debootstrap --variant=minbase --include="$include" "$suite" "$root" "$mirror" >&2

# Smaller and reproducible-ish: no apt lists, caches or logs in the layer.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
       "$root"/var/log/* "$root"/tmp/*
# Containers get their sources from the same mirror the host uses.
printf 'deb %s %s main\n' "$mirror" "$suite" > "$root/etc/apt/sources.list"
rm -f "$root"/etc/apt/sources.list.d/*

echo "bootstrap-base: importing as $tag" >&2
tar -C "$root" -c . | docker import \
  --change "LABEL bot-bottle.recipe=$recipe_hash" \
  --change "LABEL bot-bottle.role=base" \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$tag" >/dev/null
docker image inspect --format '{{.Id}}' "$tag"
