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

# The auditors' web pages (bylaw audit serve), as a browser walks them: the search page, a search
# by account through its form, a result followed to its decision page, the account's page.
"$bylaw" audit serve --store "$work/audit.db" --http 127.0.0.1:0 2> "$work/serve.log" &
serve_pid=$!
trap 'kill $serve_pid 2> /dev/null || true; rm -rf "$work"' EXIT
listening() { grep -q "http://127.0.0.1:[0-9]*/audit/search" "$work/serve.log"; }
wait_for "$serve_pid" "audit serve to listen" listening || fail "audit serve: $(cat "$work/serve.log")"
base=$(grep -o "http://127.0.0.1:[0-9]*" "$work/serve.log" | head -n 1)
dom() {  # dom URL OUT: the DOM Chromium built for URL
  timeout 120 "$browser" "${flags[@]}" --dump-dom "$1" > "$2" 2> "$work/chromium.log" \
    || { cat "$work/chromium.log"; fail "chromium --dump-dom $1"; }
}
dom "$base/audit/search" "$work/search.html"
grep -qF '<form class="search" method="get" action="/audit/search">' "$work/search.html" || fail "no search form"
grep -qF '<input name="subject"' "$work/search.html" || fail "the form has no account field"
# Submitting the form with the account filled in is a GET of its action with subject=f-12.
dom "$base/audit/search?subject=f-12&rule=&kind=&name=&from=&to=&event=" "$work/results.html"
grep -qF '<input name="subject" value="f-12"' "$work/results.html" || fail "the form does not keep the search"
grep -qF '<p>8 decisions</p>' "$work/results.html" || fail "f-12 has 8 decisions: $(grep -o '<p>[0-9]* decisions*</p>' "$work/results.html")"
link=$(grep -o '<td>hold proposals_blocked</td><td></td><td>negative_feedback_block</td><td><a href="/audit/decisions/d-[0-9a-f]*"' "$work/results.html" \
  | grep -o '/audit/decisions/d-[0-9a-f]*') || fail "no link from the hold to its page"
[ "$link" = "/audit/decisions/$hold" ] || fail "the hold links to $link, not $hold"
dom "$base$link" "$work/decision.html"
for text in "<h1>bylaw decision $hold: hold proposals_blocked on f-12</h1>" '<h2>Audit record</h2>' \
            '<a href="/audit/subjects/f-12">Account f-12</a>' '<tr id="ev-e-015">' 'li class="true decided"'; do
  grep -qF -- "$text" "$work/decision.html" || fail "the decision page lacks: $text"
done
timeout 120 "$browser" "${flags[@]}" --window-size=1200,1600 "--screenshot=$work/decision.png" \
  "$base$link" > /dev/null 2>&1 || fail "chromium --screenshot of the decision page"
[ "$(stat -c %s "$work/decision.png")" -gt 20000 ] || fail "the decision page's screenshot is (nearly) empty"
# A timer's decision links to the hold that set the timer.
timer=$(first_id "$work/decisions.jsonl" '.rule == "appeal_window_opens"') || fail "no timer decision"
dom "$base/audit/decisions/$timer" "$work/timer.html"
grep -qF "<th>timer set by</th><td><a href=\"/audit/decisions/$hold\">$hold</a></td>" "$work/timer.html" ||
  fail "the timer's decision does not link its hold"
dom "$base/audit/subjects/f-12" "$work/account.html"
grep -qF '<h2>History: 8 decisions</h2>' "$work/account.html" || fail "the account page's history"
grep -qF "<a href=\"/audit/decisions/$hold\">$hold</a>" "$work/account.html" || fail "the account page does not link the hold"
kill "$serve_pid"
wait "$serve_pid" || fail "audit serve did not stop cleanly on SIGTERM"
exit 0
