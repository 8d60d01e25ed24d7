#!/usr/bin/env bash
# bylaw fmt through the command line: the shipped files are kept formatted; --check lists a file
# that is not and exits 1; --diff shows how; plain fmt rewrites it, after which --check passes.
set -u
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
cd "$root" || exit 1
"$bylaw" fmt --check rules policies > "$work/check.out" ||
  fail "shipped files are not formatted: $(cat "$work/check.out") (run bylaw fmt)"
[ ! -s "$work/check.out" ] || fail "--check listed files but exited 0"

printf 'param  x :int=2   # a comment\nrule r {\n      on a.b as e\n      then alert z on e.w severity low say "m"\n}\n' \
  > "$work/messy.rules"
cp "$work/messy.rules" "$work/before.rules"
"$bylaw" fmt --check "$work/messy.rules" > "$work/out" && fail "--check passed an unformatted file"
[ "$(cat "$work/out")" = "$work/messy.rules" ] || fail "--check did not list the file: $(cat "$work/out")"
"$bylaw" fmt --diff "$work/messy.rules" > "$work/diff" || fail "--diff failed"
grep -q '^-param  x :int=2   # a comment$' "$work/diff" || fail "the diff lacks the old line: $(cat "$work/diff")"
grep -q '^+param x: int = 2  # a comment$' "$work/diff" || fail "the diff lacks the new line"
cmp -s "$work/messy.rules" "$work/before.rules" || fail "--check or --diff changed the file"
"$bylaw" fmt "$work/messy.rules" || fail "fmt failed"
"$bylaw" fmt --check "$work/messy.rules" > /dev/null || fail "the file is not formatted after fmt"
printf 'param x: string = "open\n' > "$work/broken.rules"
"$bylaw" fmt "$work/broken.rules" 2> "$work/err" && fail "fmt accepted an unterminated string"
grep -q 'broken.rules: line 1: a string that does not end on its line' "$work/err" || fail "$(cat "$work/err")"
echo ok
