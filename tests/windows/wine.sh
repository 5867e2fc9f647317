# Sourced by scripts/dist and tests/windows/check.sh: running decreg.exe
# under wine, quietly and without a display.

# wine_start <prefix>: a fresh wine prefix (made on first use, ~20 s)
wine_start() {
  export WINEPREFIX=$1 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
  wineboot --init >/dev/null 2>&1 || true
}

# standin <folder>: puts the test's stand-in bcryptprimitives.dll beside
# decreg.exe (wine 8 lacks ProcessPrng; see bcryptprimitives.c). Only
# ever in a test folder: the archives do not carry it.
standin() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  x86_64-w64-mingw32-gcc -O2 -shared -o "$1/bcryptprimitives.dll" \
    "$here/bcryptprimitives.c" "$here/bcryptprimitives.def" -ladvapi32
}
