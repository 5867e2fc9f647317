#!/usr/bin/env bash
# What building decreg for Windows and running it under wine needs,
# installed when missing: rustup's x86_64-pc-windows-gnu target (Rust's
# standard library for Windows), Debian's mingw-w64 gcc (the linker, and
# the compiler of mimalloc's C) and wine.
set -euo pipefail
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu
need=()
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
command -v wine >/dev/null || need+=(wine wine64)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
