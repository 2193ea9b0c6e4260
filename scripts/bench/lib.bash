# Helpers shared by the benchmark scripts (sourced).

# now_us: wall clock in microseconds.
now_us() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# is_mounted DIR: whether DIR is a mount point now.
is_mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }

# stop PID [TENTHS]: SIGTERM, up to TENTHS tenths of a second to exit (default 200), then SIGKILL;
# reaps it if it is our child.
stop() {
  local p=$1 tenths=${2:-200}
  kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 "$tenths"); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
