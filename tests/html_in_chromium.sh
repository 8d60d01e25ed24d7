#!/usr/bin/env bash
# The HTML trace page renders in headless Chromium: its DOM has the decision, the counted events
# and the margin, and a screenshot is taken.
set -euo pipefail
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
browser=$(command -v chromium || command -v chromium-browser) || fail "chromium is not installed (tools/setup --test installs it)"
cd "$root"
"$bylaw" run --policy policies/marketplace.policy --input examples/marketplace.jsonl \
  --store "$work/audit.db" > "$work/decisions.jsonl" 2>/dev/null || fail "run"
hold=$(first_id "$work/decisions.jsonl" '.kind == "hold"') || fail "no hold in the sample's decisions"
"$bylaw" explain --store "$work/audit.db" "$hold" --format html --output "$work/hold.html" || fail "explain"
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --disable-quic --no-first-run --disable-dev-shm-usage "--user-data-dir=$work/profile")
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/hold.html" > "$work/dom.html" 2> "$work/chromium.log" \
  || { cat "$work/chromium.log"; fail "chromium --dump-dom"; }
for text in "<h1>bylaw decision $hold: hold proposals_blocked on f-12</h1>" "<td>e-004</td>" \
            "<td>e-011</td>" "<h2>Margin</h2>" "<h2>Conditions</h2>" "rules/feedback.rules"; do
  grep -qF -- "$text" "$work/dom.html" || fail "the rendered page lacks: $text"
done
timeout 120 "$browser" "${flags[@]}" --window-size=1200,1600 "--screenshot=$work/hold.png" \
  "file://$work/hold.html" > /dev/null 2>&1 || fail "chromium --screenshot"
[ "$(stat -c %s "$work/hold.png")" -gt 20000 ] || fail "the screenshot is (nearly) empty"
exit 0
