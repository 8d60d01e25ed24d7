#!/usr/bin/env bash
# The order of `use` never changes a result (issue 16): the marketplace and extended packs, with
# their files listed in other orders (reversed, and shuffled with fixed seeds), make the same
# decisions in the same order, with the same traces, on a generated stream. Only what names the
# pack's own text differs: its hash, and the decision ids drawn from it.
set -euo pipefail
gen=$1
bylaw=$2
root=$3
source "$(dirname "$0")/script_prelude.sh"
"$gen" --events 60000 --freelancers 300 --clients 300 --seed 16 > "$work/stream.jsonl"
mkdir "$work/policies"
ln -s "$root/rules" "$work/rules"
cd "$work"

# The pack's text with its `use` list in the order the python expression ORDER gives (over the
# list `files`; `random` is seeded).
permute() {
  python3 - "$1" "$2" <<'PY'
import random, re, sys
text = open(sys.argv[1]).read()
match = re.search(r'  use ((?:"[^"]+",?\s*)+)\n', text)
files = re.findall(r'"[^"]+"', match.group(1))
random.seed(7)
order = eval(sys.argv[2])
assert sorted(order) == sorted(files) and order != files or sys.argv[2] == "files"
sys.stdout.write(text[:match.start()] + "  use " + ", ".join(order) + "\n" + text[match.end():])
PY
}

# The decisions with the pack's hash and the ids drawn from it left out.
comparable() {
  jq -c 'del(.id, .policy_hash, .explanation.policy_hash, .explanation.decision.fields.id)' "$1"
}

for pack in marketplace extended; do
  permute "$root/policies/$pack.policy" files > "policies/$pack.policy"
  "$bylaw" run --policy "policies/$pack.policy" --input stream.jsonl --output "$pack.jsonl" \
    2> /dev/null || fail "bylaw run of $pack exited $?"
  [ "$(wc -l < "$pack.jsonl")" -gt 1000 ] || fail "$pack made too few decisions to compare"
  comparable "$pack.jsonl" > "$pack.expected"
  n=0
  for order in 'files[::-1]' 'files[1:] + files[:1]' 'random.sample(files, len(files))' \
    'random.sample(files, len(files))' 'random.sample(files, len(files))'; do
    n=$((n + 1))
    permute "$root/policies/$pack.policy" "$order" > "policies/$pack-$n.policy"
    "$bylaw" run --policy "policies/$pack-$n.policy" --input stream.jsonl --output "$pack-$n.jsonl" \
      2> /dev/null || fail "bylaw run of $pack-$n exited $?"
    comparable "$pack-$n.jsonl" > "$pack-$n.got"
    cmp -s "$pack.expected" "$pack-$n.got" || {
      grep -m1 use "policies/$pack-$n.policy"
      diff "$pack.expected" "$pack-$n.got" | head -c 2000
      fail "$pack with its files used as in policies/$pack-$n.policy decides otherwise"
    }
  done
  echo "ok: $pack in $n other orders"
done
# Reactions occur in the stream, so their order is tested too.
[ "$(count_where extended.jsonl '.rule == "block_lapses"')" -gt 0 ] || fail "no block lapsed"
