#!/usr/bin/env bash
# Hostile policy input (issue 6): `bylaw check` ends with success or a clear error, in bounded
# time and memory, whatever the files hold. A crash, a hang or a missing position fails the test.
set -u
bylaw=$1
root=$2
source "$(dirname "$0")/script_prelude.sh"
cp "$root/rules/events.rules" "$work/events.rules"

repeat() {  # repeat TEXT COUNT: TEXT, COUNT times, without a line end
  yes -- "$1" | head -n "$2" | tr -d '\n'
}

rule_with() {  # rule_with CONDITION: a rule file whose one rule has this `where`
  printf 'use "events.rules"\nrule r {\n  on contract.closed as c\n  where %s\n' "$1"
  printf '  then alert x on c.client severity low say "m"\n}\n'
}

check() {  # check NAME EXPECTED_EXIT: checks $work/NAME.rules under a pack of its own
  local name=$1 expected=$2
  printf 'policy p version "1" {\n  use "%s.rules"\n}\n' "$name" > "$work/$name.policy"
  (
    # Bounded memory: 1 GiB of address space. A sanitizer build reserves far more up front.
    [ -n "${BYLAW_SANITIZED:-}" ] || ulimit -v 1048576
    cd "$work" && exec timeout 60 "$bylaw" check --policy "$name.policy"
  ) > "$work/$name.out" 2>&1
  local status=$?
  [ "$status" = "$expected" ] ||
    { head -c 2000 "$work/$name.out"; fail "$name: exit $status, expected $expected"; }
}

expect_error() {  # expect_error NAME LINE:COLUMN MESSAGE
  grep -q "^$1.rules:$2: error: $3" "$work/${4:-$1}.out" ||
    { head -c 2000 "$work/$1.out"; fail "$1: no error '$3' at $2"; }
}

# 10,000 rules in a file of about 1 MB: it checks.
for i in $(seq 1 10000); do
  printf 'rule r%d {\n  on contract.closed as c\n  where c.earned == %d\n' "$i" "$i"
  printf '  then alert a%d on c.client severity low say "Rule %d fired."\n}\n' "$i" "$i"
done > "$work/body"
{ echo 'use "events.rules"'; cat "$work/body"; } > "$work/many_rules.rules"
[ "$(wc -c < "$work/many_rules.rules")" -gt 1000000 ] || fail "many_rules is under 1 MB"
check many_rules 0
grep -q "10000 rules" "$work/many_rules.out" || fail "many_rules: $(tail -1 "$work/many_rules.out")"

# The same 10,000 rules, each missing its message: 10,000 errors, each with its position.
sed 's/ say "Rule [0-9]* fired."//' "$work/many_rules.rules" > "$work/many_errors.rules"
check many_errors 2
[ "$(grep -c "^many_errors.rules:[0-9]*:1: error: unexpected '}'" "$work/many_errors.out")" = 10000 ] ||
  fail "many_errors: not 10,000 errors with positions"

# 1 MB of bytes that are no language at all.
head -c 1048576 /dev/urandom > "$work/noise.rules"
check noise 2
grep -q "^noise.rules:[0-9]*:[0-9]*: error: " "$work/noise.out" || fail "noise: no positioned error"

# Nesting far past the limit, of every kind: an error at the first level too deep.
rule_with "$(repeat '(' 100000)c.earned$(repeat ')' 100000) == 0" > "$work/parentheses.rules"
check parentheses 2
expect_error parentheses 4:110 "expression nested too deeply"
rule_with "$(repeat 'not ' 100000)c.earned == 0" > "$work/nots.rules"
check nots 2
expect_error nots "4:[0-9]*" "expression nested too deeply"
rule_with "c.earned$(repeat ' + c.earned' 100000) == 0" > "$work/chain.rules"
check chain 2
expect_error chain "4:[0-9]*" "expression nested too deeply"
rule_with "c.earned in $(repeat '{' 100000)1$(repeat '}' 100000)" > "$work/sets.rules"
check sets 2
expect_error sets "4:[0-9]*" "expression nested too deeply"

# Long tokens: a message of 1 MB checks; a name of 1 MB is an unknown name, reported once.
printf 'use "events.rules"\nrule r {\n  on contract.closed as c\n  where c.earned == 0\n' \
  > "$work/long_message.rules"
printf '  then alert x on c.client severity low say "%s"\n}\n' "$(repeat 'x' 1048576)" \
  >> "$work/long_message.rules"
check long_message 0
rule_with "$(repeat 'n' 1048576) == 0" > "$work/long_name.rules"
check long_name 2
[ "$(grep -c ': error: ' "$work/long_name.out")" = 1 ] || fail "long_name: not one error"
[ "$(wc -c < "$work/long_name.out")" -lt 10000 ] || fail "long_name: the error quotes the name whole"

# A string that never ends, at the start of 1 MB.
{ printf 'use "events.rules"\nparam p: string = "'; repeat 'x' 1048576; } > "$work/unterminated.rules"
check unterminated 2
expect_error unterminated 2:19 "unterminated string"

# Files that use each other in a cycle.
printf 'use "b.rules"\n' > "$work/a.rules"
printf 'use "a.rules"\nuse "events.rules"\n' > "$work/b.rules"
check a 2
expect_error b 1:5 "cycle of use: a.rules uses b.rules uses a.rules" a
# A symbolic link that loops (loop -> .): loop/x.rules, loop/loop/x.rules, ... are one file.
ln -s . "$work/loop"
printf 'use "loop/symlinked.rules"\nuse "events.rules"\n' > "$work/symlinked.rules"
check symlinked 2
grep -q "error: cycle of use: symlinked.rules uses loop/symlinked.rules" "$work/symlinked.out" ||
  { head -c 1000 "$work/symlinked.out"; fail "symlinked: no cycle reported"; }
echo "ok"
