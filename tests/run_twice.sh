#!/usr/bin/env bash
# Runs the marketplace pack twice over the sample stream and requires byte-identical output.
set -eu
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
"$bylaw" run --policy "$root/policies/marketplace.policy" --input "$root/examples/marketplace.jsonl" \
  --output "$work/a.jsonl" 2>/dev/null
"$bylaw" run --policy "$root/policies/marketplace.policy" < "$root/examples/marketplace.jsonl" \
  > "$work/b.jsonl" 2>/dev/null
[ -s "$work/a.jsonl" ] || { echo "no decisions"; exit 1; }
cmp "$work/a.jsonl" "$work/b.jsonl"
