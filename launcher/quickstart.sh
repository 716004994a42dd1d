#!/usr/bin/env bash
# The README's first command: set this machine up and run the main job.
#   1. the Docker engine, gVisor and the base image (launcher/setup-docker.sh; root or sudo)
#   2. build and install bot-bottle for this user (launcher/install.sh; runs doctor)
#   3. bot-bottle demo: a scripted rogue agent in a real bottle, every guard narrated
# Idempotent: a second run reuses the engine, the images and the build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/setup-docker.sh"
bash "$here/install.sh"
echo
exec "$HOME/.local/bin/bot-bottle" demo
