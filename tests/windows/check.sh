#!/usr/bin/env bash
# decreg.exe, run under wine, makes what the Linux binary makes, byte for
# byte: the sample register (site and PDFs), a generated register of 2,000
# decisions, a rebuild with nothing changed and one after an edit, a
# record with CRLF line endings and a non-ASCII file name, the diagnostics
# of a register with errors (paths aside), `new`, and `serve` answering on
# 127.0.0.1 and rebuilding after an edit.
#
#   tests/windows/check.sh   (after `cargo build --release` for both targets;
#                             scripts/dist builds them)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/windows/wine.sh

linux=$PWD/target/release/decreg
exe=$PWD/target/x86_64-pc-windows-gnu/release/decreg.exe
today=2026-11-24
work=$(mktemp -d)
# (under set -e a failing command in the trap would become the exit status)
trap 'WINEPREFIX="$work/wine" wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
failed=0
pass() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; failed=$((failed + 1)); }

wine_start "$work/wine"
mkdir "$work/bin"
cp "$exe" "$work/bin/"
standin "$work/bin"
win() { wine "$work/bin/decreg.exe" "$@"; }

# same <what> <dir a> <dir b>: the two folders hold the same files, byte for byte
same() {
  if diff -r "$2" "$3" > "$work/diff.txt" 2>&1; then
    pass "$1: $(find "$2" -type f | wc -l) files identical"
  else
    fail "$1 differs:"
    head -20 "$work/diff.txt"
  fi
}

# A copy of the sample register with one record in CRLF line endings and
# one under a non-ASCII file name, as Windows editors and officers make them.
reg=$work/sample
mkdir "$reg"
cp -r register.yaml decisions documents "$reg/"
crlf=$(find "$reg/decisions" -name '*.md' | sort | head -1)
sed -i 's/$/\r/' "$crlf"
# (the record names its id: a file name is only an id when it is a slug)
accented=$(find "$reg/decisions" -name '*.md' | sort | sed -n 2p)
sed -i "1a id: $(basename "$accented" .md)" "$accented"
mv "$accented" "$(dirname "$accented")/décision-café.md"

echo "== the sample register (pages, PDFs, open data)"
"$linux" --root "$reg" --today $today -q build --out "$work/linux"
(cd "$reg" && win --today $today -q build --out ../windows)
same "sample register: site" "$work/linux/site" "$work/windows/site"
same "sample register: PDF reports" "$work/linux/reports" "$work/windows/reports"

echo "== nothing changed, then an edit"
before=$(find "$work/windows/site" -type f -newer "$work/windows/site/index.html" | wc -l)
(cd "$reg" && win --today $today build --out ../windows) > "$work/noop.txt" 2>&1
if grep -q "up to date" "$work/noop.txt" && [ "$before" -eq "$(find "$work/windows/site" -type f -newer "$work/windows/site/index.html" | wc -l)" ]; then
  pass "a rebuild with nothing changed stops at once: $(tr -d '\r' < "$work/noop.txt" | head -1)"
else
  fail "a rebuild with nothing changed did work:"; cat "$work/noop.txt"
fi
printf '\r\nEdited on Windows.\r\n' >> "$crlf"
"$linux" --root "$reg" --today $today -q build --out "$work/linux"
(cd "$reg" && win --today $today build --out ../windows) > "$work/edit.txt" 2>&1
echo "  decreg.exe: $(tr -d '\r' < "$work/edit.txt" | head -1)"
same "after an edit: site" "$work/linux/site" "$work/windows/site"
grep -rqs "Edited on Windows" "$work/windows/site/decisions" && pass "the edit is published" || fail "the edit is not in the site"

echo "== a generated register of 2,000 decisions"
python3 ../shared/bench/gen-corpus 2000 "$work/g2000" > /dev/null
"$linux" --root "$work/g2000" --today $today -q build --no-pdf --out "$work/g2000-linux"
(cd "$work/g2000" && win --today $today -q build --no-pdf --out ../g2000-windows)
same "2,000 decisions: site" "$work/g2000-linux/site" "$work/g2000-windows/site"

echo "== diagnostics of a register with errors"
python3 ../shared/bench/gen-corpus 300 "$work/bad" --bad 12 > /dev/null
status=0; "$linux" --root "$work/bad" --today $today check --format json > "$work/bad-linux.json" || status=$?
wstatus=0; (cd "$work/bad" && win --today $today check --format json) > "$work/bad-windows.json" || wstatus=$?
python3 - "$work/bad-linux.json" "$work/bad-windows.json" "$status" "$wstatus" <<'PY' && pass "check --format json: the same diagnostics, paths with \\" || fail "check --format json differs"
import json, sys
linux, windows = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
assert sys.argv[3] == sys.argv[4] == "1", f"exit status {sys.argv[3]} on Linux, {sys.argv[4]} on Windows"
def paths(doc):
    return [d["file"] for d in doc["diagnostics"]]
assert any("\\" in p for p in paths(windows)), "Windows paths use \\"
for d in windows["diagnostics"]:  # paths aside: in the file and in messages naming another file
    d["file"] = d["file"].replace("\\", "/")
    d["message"] = d["message"].replace("\\", "/")
assert linux == windows, "diagnostics differ"
print(f"  {len(linux['diagnostics'])} diagnostics, {linux['errors']} errors")
PY

echo "== new"
(cd "$reg" && "$linux" --today $today new "Library Service Review" --date 2027-01-12) > "$work/new-linux.txt"
made=$reg/$(tail -1 "$work/new-linux.txt")
mv "$made" "$work/new-linux.md"
(cd "$reg" && win --today $today new "Library Service Review" --date 2027-01-12) > "$work/new-windows.txt"
made_win=$reg/$(tail -1 "$work/new-windows.txt" | tr -d '\r' | tr '\\' /)
if cmp -s "$work/new-linux.md" "$made_win"; then
  pass "new writes the same record ($(tr -d '\r' < "$work/new-windows.txt" | tail -1))"
else
  fail "new: the Windows record differs"; diff "$work/new-linux.md" "$made_win" | head
fi
rm -f "$made_win"

echo "== serve on 127.0.0.1"
port=18765
(cd "$reg" && win --today $today serve --port $port) > "$work/serve.txt" 2>&1 &
up=0
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/" -o "$work/home.html" 2>/dev/null; then up=1; break; fi
  sleep 1
done
if [ $up = 1 ] && grep -q "Southampton City Council" "$work/home.html"; then
  pass "serve answers on 127.0.0.1:$port with the home page"
  perl -pi -e 's/^title: .*?(\r?)$/title: "Renamed while serving"$1/' "$crlf"
  seen=0
  for _ in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:$port/decisions/" 2>/dev/null | grep -q "Renamed while serving"; then seen=1; break; fi
    sleep 1
  done
  [ $seen = 1 ] && pass "serve rebuilt after an edit" || { fail "serve did not show the edit"; tail "$work/serve.txt"; }
else
  fail "serve did not answer"; tail "$work/serve.txt"
fi
WINEPREFIX="$work/wine" wineserver -k 2>/dev/null || true

printf '\n%s\n' "$([ $failed = 0 ] && echo "decreg.exe under wine: all checks passed" || echo "decreg.exe under wine: $failed failed")"
exit $((failed > 0))
