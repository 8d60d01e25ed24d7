#!/usr/bin/env bash
# probe_build.sh BUILD_DIR TARGET builds|fails [HEADER]
# Builds one layering probe. "builds": the build must succeed. "fails": it must fail, and
# because HEADER is not found (not for any other reason).
set -uo pipefail
build_dir=$1 target=$2 expect=$3 header=${4:-}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cmake --build "$build_dir" --target "$target" > "$log" 2>&1
status=$?
case "$expect" in
  builds)
    if [ "$status" -ne 0 ]; then
      echo "FAIL: $target should build (exit $status):"; cat "$log"; exit 1
    fi ;;
  fails)
    if [ "$status" -eq 0 ]; then
      echo "FAIL: $target built, but its include crosses the stages' order"; exit 1
    fi
    # GCC: "HEADER: No such file or directory"; clang: "'HEADER' file not found".
    if ! grep -Eq "$header: No such file or directory|'$header' file not found" "$log"; then
      echo "FAIL: $target failed, but not because $header was not found:"; cat "$log"; exit 1
    fi ;;
  *) echo "probe_build.sh: expected 'builds' or 'fails', got '$expect'"; exit 2 ;;
esac
echo "ok: $target $expect${header:+ ($header not found)}"
