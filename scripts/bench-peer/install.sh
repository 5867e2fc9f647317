#!/usr/bin/env bash
# Installs the peer (Hugo + Pagefind) for scripts/bench and scripts/relevance
# when missing: Debian's hugo, and the npm packages of package.json beside
# this file (Pagefind ships its binary in them) under WORK/npm.
#
#   scripts/bench-peer/install.sh WORK
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
if ! command -v hugo > /dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo > /dev/null
fi
command -v node > /dev/null 2>&1 || { echo "bench-peer: node and npm are needed" >&2; exit 1; }
mkdir -p "$work/npm"
if ! cmp -s "$here/package.json" "$work/npm/package.json" || [ ! -d "$work/npm/node_modules/pagefind" ]; then
  cp "$here/package.json" "$work/npm/package.json"
  (cd "$work/npm" && npm install --no-audit --no-fund --loglevel=error > /dev/null)
fi
