#!/usr/bin/env bash
# Checks the harness itself: check-site.mjs must pass on selftest/good and
# fail, for each planted reason, on selftest/bad.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ST="$HERE/selftest"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

if [ ! -d "$HERE/node_modules/playwright-core" ] || [ ! -x /usr/bin/chromium ]; then
  bash "$HERE/install.sh" || exit 1
fi

pass=0; fail=0
ok()  { echo "ok:   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
expect() { # description, grep -E pattern, file
  if grep -qE -- "$2" "$3"; then ok "$1"; else bad "$1 (no line matching /$2/)"; fi
}

echo "== good site (must pass)"
SHOTS="$OUT/shots-good"
node "$HERE/check-site.mjs" --site "$ST/good" --pages "$ST/good.pages" \
  --search "school transport=>/decisions/2024-017-school-transport/" \
  --search "riverside=>/decisions/2024-018-parks/" \
  --canary "BAD-SELFTEST-CANARY-4711" --shots "$SHOTS" >"$OUT/good.log" 2>&1
rc=$?
sed 's/^/  | /' "$OUT/good.log"
[ "$rc" -eq 0 ] && ok "good site: exit 0" || bad "good site: exit $rc, want 0"
last="$(tail -n 1 "$OUT/good.log")"
[[ "$last" =~ ^[0-9]+\ passed,\ 0\ failed$ ]] && ok "good site: last line '$last'" || bad "good site: last line '$last'"
expect "good site: search bytes printed" 'PASS search "school transport" links to .*[0-9]+ bytes transferred' "$OUT/good.log"
expect "good site: vnu ran over 5 files" 'PASS HTML is valid \(Nu HTML checker, 5 \.html files\)' "$OUT/good.log"
for f in index-1280.png index-390.png decisions_2024-017-school-transport-1280.png search_q_education-1280.png; do
  [ -s "$SHOTS/$f" ] && ok "good site: screenshot $f" || bad "good site: screenshot $f missing"
done

echo "== bad site (must fail)"
node "$HERE/check-site.mjs" --site "$ST/bad" --pages "$ST/bad.pages" \
  --canary "BAD-SELFTEST-CANARY-4711" >"$OUT/bad.log" 2>&1
rc=$?
sed 's/^/  | /' "$OUT/bad.log"
[ "$rc" -eq 1 ] && ok "bad site: exit 1" || bad "bad site: exit $rc, want 1"
last="$(tail -n 1 "$OUT/bad.log")"
[[ "$last" =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]] && ok "bad site: last line '$last'" || bad "bad site: last line '$last'"
expect "bad site: axe image-alt" 'image-alt' "$OUT/bad.log"
expect "bad site: axe fails /" '^FAIL /: axe' "$OUT/bad.log"
expect "bad site: external request" '^FAIL no request went to a host other than the local server' "$OUT/bad.log"
expect "bad site: external URL recorded" '^    https://example\.com/x\.js' "$OUT/bad.log"
expect "bad site: alert() dialog" 'JavaScript alert dialog' "$OUT/bad.log"
expect "bad site: invalid HTML" '^FAIL HTML is valid' "$OUT/bad.log"
expect "bad site: vnu error has file and line" 'index\.html:[0-9]+:[0-9]+: .*(span|Duplicate ID)' "$OUT/bad.log"
expect "bad site: canary" '^FAIL no file under the site contains the canary' "$OUT/bad.log"
expect "bad site: canary in .gz file" 'data/notes\.json\.gz \(gunzipped\)' "$OUT/bad.log"
expect "bad site: canary in gzip body" 'data/blob\.bin \(gunzipped\)' "$OUT/bad.log"
expect "bad site: 404 page" '^FAIL /missing/: loads \(HTTP 404\)' "$OUT/bad.log"

echo
echo "selftest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
