# Helpers shared by the shell tests in scripts/tests/*.sh. Sourced, not run: it is not a test.
#
# A test sources this file, calls ensure_built, starts instances with start_up, checks with
# ok/not_ok/check, and ends with finish. Everything it started (by PID) is stopped and
# everything mounted in its runtime dirs is unmounted by the EXIT trap, also on failure.
# Synchronisation is by polling with a bounded timeout (wait_until), never by fixed sleeps.

set -uo pipefail

top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../.." && pwd)
ksim="$top/scripts/ksim"
cd "$top" || exit 2

checks=0
failures=0
started_pids=()   # daemons (and other processes) this test started
runtime_dirs=()   # runtime dirs this test created (mountpoints inside are cleaned at exit)
tmp_files=()

ok() { checks=$((checks + 1)); echo "ok - $*"; }
not_ok() { checks=$((checks + 1)); failures=$((failures + 1)); echo "not ok - $*"; }

# check DESCRIPTION CMD...: ok if CMD succeeds.
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# diag TEXT...: a diagnostic, indented and prefixed with '#', so it is not a check line.
diag() {
  local line
  printf '%s\n' "$@" | while IFS= read -r line; do echo "#   $line"; done
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# wait_until SECONDS CMD...: polls CMD every 50 ms until it succeeds (0) or the time is up (1).
wait_until() {
  local deadline=$(($(now_ms) + $1 * 1000))
  shift
  while :; do
    "$@" && return 0
    [ "$(now_ms)" -ge "$deadline" ] && return 1
    sleep 0.05
  done
}

# alive PID: the process exists and is not a zombie.
alive() {
  local stat
  [ -n "${1:-}" ] || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ]
}
gone() { ! alive "$1"; }

# is_mounted PATH: something is mounted at PATH in this mount namespace.
is_mounted() {
  awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# serving DIR: DIR/proc/stat is readable through the mount.
serving() { [ -r "$1/proc/stat" ] && cat "$1/proc/stat" >/dev/null 2>&1; }

# new_dir VAR / new_file VAR: a fresh temporary dir/file, removed at exit, its path put in VAR.
# (Not `VAR=$(new_dir)`: a command substitution is a subshell and would forget to clean it.)
new_dir() {
  local d
  d=$(mktemp -d) || exit 2
  runtime_dirs+=("$d")
  printf -v "$1" %s "$d"
}

new_file() {
  local f
  f=$(mktemp) || exit 2
  tmp_files+=("$f")
  printf -v "$1" %s "$f"
}

# ensure_built: the launcher builds on first use; do it here, outside any timed wait.
ensure_built() {
  local out
  if ! out=$("$ksim" --help 2>&1); then
    not_ok "ksim builds and runs (scripts/ksim --help)"
    diag "$out"
    finish
  fi
}

# start_up DIR LOG [ARGS...]: `ksim up --dir DIR` in the background, output to LOG. Sets UP_PID
# (the launcher execs java, so it is the daemon's pid). Returns 0 once DIR/proc/stat is
# readable, 1 if the daemon died or did not come up within 30 s.
UP_PID=
start_up() {
  local dir=$1 log=$2
  shift 2
  "$ksim" up --dir "$dir" "$@" >"$log" 2>&1 &
  UP_PID=$!
  started_pids+=("$UP_PID")
  up_ready() { serving "$dir" || gone "$UP_PID"; }
  wait_until 30 up_ready
  serving "$dir"
}

# reap PID: collect the exit status of a child that has exited (sets REAPED_RC).
REAPED_RC=
reap() {
  REAPED_RC=
  wait "$1" 2>/dev/null
  REAPED_RC=$?
}

# stop_pid PID: SIGTERM, wait up to 20 s, then SIGKILL; reaps it if it is our child.
stop_pid() {
  local pid=$1
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    if ! wait_until 20 gone "$pid"; then
      kill -KILL "$pid" 2>/dev/null
      wait_until 5 gone "$pid"
    fi
  fi
  wait "$pid" 2>/dev/null
  return 0
}

# unmount_dir DIR: unmounts DIR/proc, DIR/sys and the in-kernel mounts served under DIR/root
# if anything is mounted there (dead or not).
unmount_dir() {
  local m
  for m in $(awk -v p="$1/root/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo) "$1/proc" "$1/sys"; do
    if is_mounted "$m"; then
      fusermount -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    fi
  done
}

cleanup() {
  local pid d f
  trap - EXIT INT TERM HUP
  for pid in "${started_pids[@]}"; do stop_pid "$pid"; done
  for d in "${runtime_dirs[@]}"; do
    unmount_dir "$d"
    if ! is_mounted "$d/proc" && ! is_mounted "$d/sys"; then
      rm -rf --one-file-system "$d"
    else
      echo "# warning: could not unmount in $d; left it in place" >&2
    fi
  done
  for f in "${tmp_files[@]}"; do rm -f "$f"; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

finish() {
  echo "# $(basename "$0"): $checks checks, $failures failed"
  [ "$failures" = 0 ] && [ "$checks" -gt 0 ]
  exit $?
}

# up_or_finish: a fresh runtime dir D and log file log, a daemon started there (UP_PID); the
# test ends here if it does not come up.
up_or_finish() {
  new_dir D
  new_file log
  if start_up "$D" "$log"; then
    ok "up serves $D/proc/stat"
  else
    not_ok "up serves $D/proc/stat"
    diag "$(cat "$log")"
    finish
  fi
}
