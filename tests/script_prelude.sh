# Sourced by the test scripts: a scratch folder, $work, removed on exit; `fail MESSAGE`; reading
# decisions with jq; and waiting for a process to reach a state instead of sleeping a fixed time
# (a fixed sleep is too short under AddressSanitizer on a loaded machine, and too long elsewhere).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {  # on standard error, so that it shows from inside $(...) too
  echo "FAILED: $*" >&2
  exit 1
}

# first_id FILE CONDITION: the id of the first decision in FILE (JSON Lines) for which the jq
# CONDITION holds; exits non-zero when none does: `id=$(first_id ...) || fail ...`.
first_id() {
  jq -r -n -e "first(inputs | select($2)) | .id" "$1"
}

# count_where FILE CONDITION: how many JSON values in FILE the jq CONDITION holds for.
count_where() {
  jq -n "[inputs | select($2)] | length" "$1"
}

# How long wait_for waits for a state before it gives up, in seconds.
wait_limit=${BYLAW_TEST_WAIT_SECONDS:-60}

# alive PID: the process runs (an exited child that was not waited for yet is a zombie, which
# kill -0 would still find).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2> /dev/null) || return 1
  stat=${stat##*) }  # the state follows the command name, which is in parentheses
  [ "${stat%% *}" != Z ]
}

# wait_for PID WHAT COMMAND...: polls COMMAND until it succeeds. Returns 1 if the process PID
# ended first. If WHAT has not come within $wait_limit seconds, kills PID and fails.
wait_for() {
  local pid=$1 what=$2
  shift 2
  local deadline=$((SECONDS + wait_limit))
  until "$@"; do
    alive "$pid" || return 1
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2> /dev/null || true
      fail "gave up after ${wait_limit}s waiting for $what"
    fi
    sleep 0.02
  done
}

# checkpoint STORE COLUMN: COLUMN of the checkpoint of an unfinished run in STORE; nothing when
# there is none yet.
checkpoint() {
  # Only once the run has made the store: sqlite3 would create a missing file, racing the run's
  # schema. Errors read as nothing: the run may be creating its tables.
  [ -s "$1" ] || return 0
  sqlite3 -cmd ".timeout 5000" "$1" "SELECT $2 FROM checkpoint WHERE finished = 0" 2> /dev/null ||
    true
}

# checkpoint_past STORE OFFSET: STORE holds a checkpoint at input byte OFFSET or later.
checkpoint_past() {
  local at
  at=$(checkpoint "$1" input_offset)
  [ -n "$at" ] && [ "$at" -ge "$2" ]
}

# blocked_reading PID FILE: the process sleeps in a system call on its input FILE (a FIFO): it has
# read everything sent so far and waits for more. /proc/PID/syscall shows the call's number and
# arguments: read(2) names the descriptor first; a run that can be stopped waits in poll(2) or
# ppoll(2) on its input, which returns at once while input is there, so a process sleeping there
# has read all of it. "running" when it is not in a call. The numbers are the machine's.
case "$(uname -m)" in
  aarch64) read_call=63 poll_calls=" 73 " ;;  # read, ppoll (arm64 has no poll)
  *) read_call=0 poll_calls=" 7 271 " ;;       # x86-64: read; poll, ppoll
esac
blocked_reading() {
  local call fd
  read -r call fd _ < "/proc/$1/syscall" 2> /dev/null || return 1
  [[ "$poll_calls" == *" $call "* ]] && return 0
  [ "$call" = "$read_call" ] && [[ "$fd" =~ ^0x[0-9a-f]+$ ]] && [ "/proc/$1/fd/$((fd))" -ef "$2" ]
}
