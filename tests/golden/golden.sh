# Sourced by the golden scripts (after ../script_prelude.sh): compare_golden EXPECTED ACTUAL
# compares a golden file with what was produced now and prints the difference. With
# UPDATE_GOLDEN=1 it rewrites EXPECTED instead, and prints the diff of what it rewrote (nothing
# when unchanged), so that `UPDATE_GOLDEN=1 ctest -V -R golden` shows what to review.
# golden_status is 1 once a comparison failed; a script ends with `exit "$golden_status"`.
golden_status=0

compare_golden() {
  local expected=$1 actual=$2
  if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
    update_golden "$expected" "$actual"
  elif [ ! -f "$expected" ]; then
    echo "missing $expected; the output now:"
    cat "$actual"
    golden_status=1
  elif ! diff -u --label "$expected" --label "$expected (now)" "$expected" "$actual"; then
    echo "golden mismatch: $expected (UPDATE_GOLDEN=1 ctest -V -R golden rewrites; review the diff)"
    golden_status=1
  fi
}

# update_golden EXPECTED ACTUAL: the diff from the old file (none: empty) to the new, then the copy.
update_golden() {
  local expected=$1 actual=$2 status=0
  diff -u -N --label "$expected" --label "$expected (rewritten)" "$expected" "$actual" || status=$?
  case $status in
    0) ;;  # unchanged: the file is left alone
    1) cp "$actual" "$expected" ;;
    *) fail "cannot compare $expected with the new output" ;;
  esac
}
