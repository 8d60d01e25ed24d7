# Sourced by the test scripts: a scratch folder, $work, removed on exit, and `fail MESSAGE`.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAILED: $*"
  exit 1
}
