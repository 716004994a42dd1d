#!/usr/bin/env bash
# Installs bot-bottle for the current user: builds the distribution if needed, copies it under
# ~/.local/share/bot-bottle, links ~/.local/bin/bot-bottle, and runs `bot-bottle doctor`.
# Idempotent, no sudo. Options: --rebuild (build even if a distribution exists), --prefix DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
prefix="${XDG_DATA_HOME:-$HOME/.local/share}/bot-bottle"
bindir="$HOME/.local/bin"
rebuild=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rebuild) rebuild=1 ;;
    --prefix) prefix="$2"; shift ;;
    *) echo "install.sh: unknown option $1 (use --rebuild, --prefix DIR)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf 'install: %s\n' "$*"; }

# Prerequisites: Java 17+ and, to build, Maven. As root on Debian/Ubuntu they are installed;
# otherwise the script says what to install.
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "install: needs ${missing[*]}: sudo apt-get install ${missing[*]}" >&2; exit 1
  fi
fi
dist="$here/target/dist"
if [ "$rebuild" = 1 ] || [ ! -d "$dist/lib" ]; then
  say "building (mvn -DskipTests install; the first build downloads dependencies)"
  (cd "$root" && mvn -B -q -ntp -DskipTests install)
fi

say "installing into $prefix"
mkdir -p "$(dirname "$prefix")" "$bindir"
staging="$(mktemp -d "$(dirname "$prefix")/.bot-bottle-install.XXXXXX")"
cp -a "$dist/." "$staging/"
rm -rf "$prefix.old"
[ -e "$prefix" ] && mv "$prefix" "$prefix.old"
mv "$staging" "$prefix"
rm -rf "$prefix.old"
ln -sfn "$prefix/bin/bot-bottle" "$bindir/bot-bottle"

# Class-data archive of a kernel boot for the Java the launcher picks (each command starts sooner).
say "writing the class-data archive (cds/bot-bottle.jsa)"
"$here/write-cds.sh" "$prefix" || say "no class-data archive (commands start a little slower)"

mkdir -p "$HOME/.bot-bottle"/{bottles,agents,contrib,trust,state}
chmod 700 "$HOME/.bot-bottle" "$HOME/.bot-bottle/contrib" "$HOME/.bot-bottle/trust"

case ":$PATH:" in
  *":$bindir:"*) ;;
  *)
    line="export PATH=\"$bindir:\$PATH\""
    for rc in "$HOME/.profile" "$HOME/.bashrc"; do
      if [ -f "$rc" ] || [ "$rc" = "$HOME/.profile" ]; then
        grep -qxF "$line" "$rc" 2>/dev/null || printf '\n# added by bot-bottle install.sh\n%s\n' "$line" >> "$rc"
      fi
    done
    say "added $bindir to PATH in ~/.profile and ~/.bashrc (open a new shell, or: export PATH=\"$bindir:\$PATH\")"
    ;;
esac

say "installed: $bindir/bot-bottle"
say "running bot-bottle doctor"
if "$bindir/bot-bottle" doctor; then
  say "doctor: all needed checks passed"
else
  say "doctor found problems (see the fail: lines above); bot-bottle is installed regardless"
fi
echo
"$bindir/bot-bottle" help
