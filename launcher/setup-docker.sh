#!/usr/bin/env bash
# Makes this machine ready to run bottles: installs the Docker engine, debootstrap and gVisor (runsc)
# from Debian's packages when missing, registers runsc with the engine, starts dockerd when it is not
# running, and bootstraps bot-bottle's Debian base image locally (no registry needed; cached by recipe).
# Needs root or sudo. Used by launcher/quickstart.sh and by CI (.ci/setup).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
dneed=()
command -v dockerd >/dev/null 2>&1 || dneed+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || dneed+=(debootstrap)
command -v runsc >/dev/null 2>&1 || dneed+=(runsc)
if [ ${#dneed[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || { echo "setup-docker: install ${dneed[*]} with your package manager" >&2; exit 1; }
  echo "setup-docker: installing ${dneed[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${dneed[@]}" >/dev/null
fi
# Debian's runsc cannot use its own network stack in the root network namespace; ptrace + host
# network is what runs here (see docs/docker.md).
if command -v runsc >/dev/null 2>&1 && ! grep -q runsc /etc/docker/daemon.json 2>/dev/null; then
  $sudo mkdir -p /etc/docker
  printf '{\n  "runtimes": {\n    "runsc": {\n      "path": "%s",\n      "runtimeArgs": ["--platform=ptrace", "--network=host"]\n    }\n  }\n}\n' \
    "$(command -v runsc)" | $sudo tee /etc/docker/daemon.json >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  echo "setup-docker: starting dockerd"
  $sudo sh -c 'nohup dockerd >/var/log/dockerd-bot-bottle.log 2>&1 &'
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi
if docker info >/dev/null 2>&1; then
  echo "setup-docker: docker $(docker version --format '{{.Server.Version}}'), runtimes: $(docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}')"
  if [ -x "$root/sidecar/bootstrap-base.sh" ]; then
    "$root/sidecar/bootstrap-base.sh" >/dev/null || { echo "setup-docker: base image bootstrap failed" >&2; exit 1; }
  fi
else
  echo "setup-docker: the Docker engine did not start (see /var/log/dockerd-bot-bottle.log)" >&2
  exit 1
fi
