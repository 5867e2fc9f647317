#!/usr/bin/env bash
# Sets up the browser test harness: Debian's chromium (and a Java runtime for
# the Nu HTML checker) if missing, then the pinned npm packages. Idempotent;
# runs unattended as root (or through sudo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install.sh: needs root (or sudo) to apt-get install" >&2; exit 1
  fi
fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install.sh: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
/usr/bin/chromium --version >/dev/null 2>&1 || { echo "install.sh: /usr/bin/chromium does not run" >&2; exit 1; }

if ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: node and npm (node >= 20) are needed" >&2; exit 1
fi
# --ignore-scripts: vnu-jar's postinstall would only look for (or download) a
# Java runtime; the system java is used directly and nothing else has scripts.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
echo "install.sh: ready ($(/usr/bin/chromium --version 2>/dev/null | head -1); node $(node --version))"
