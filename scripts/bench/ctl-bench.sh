#!/usr/bin/env bash
# ctl-bench: what the control plane sustains.
#
# One run measures, against one `ksim up --clock MANUAL --memory-mb 65536` (64 GiB of simulated
# memory, so that 100k tasks' kernel stacks and task_structs fit, as on a real machine):
#   1. Pipelined throughput: N commands written through one `ksim ctl -` connection while the
#      answers stream back, a mix of eight per round that leaves the model as it found it (ping,
#      show, kill -0, nice, sigmask, ps of one pid, spawn of a child that exits at once, and the
#      parent's wait that reaps it). Timed from launching the client to its last answer, so the
#      client's JVM start is included; the figure without it subtracts the time of one
#      `ksim ctl ping`. Every answer must be ok. Goal: >= 10,000 commands/s.
#   2. spawn --count SPAWN: the time of that one command (pid_max raised first, as systemd does),
#      and, while it runs, the latency of reading /proc/loadavg through the FUSE mount again and
#      again (the batch lets go of the kernel lock between chunks of 256): max and median.
#   3. With those tasks: `ls /proc | wc -l` and `ksim ctl count`.
# Raw numbers are printed with every figure. The machine may be shared with other work: timings
# move with its load; compare runs made on a quiet machine.
#
# Usage (as root, Debian 12): bash scripts/bench/ctl-bench.sh
# Knobs (environment): N=200000 (commands, a multiple of 8), SPAWN=100000, READY_TIMEOUT=60.
# Everything it starts is stopped, every mount unmounted, its temporary directory removed.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
ksim="$top/scripts/ksim"
N=${N:-200000}
SPAWN=${SPAWN:-100000}
READY_TIMEOUT=${READY_TIMEOUT:-60}

say() { echo "ctl-bench: $*" >&2; }
die() { say "$*"; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (FUSE mounts)"
[ -e /dev/fuse ] || die "/dev/fuse is missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/ctl-bench.XXXXXX")
D="$work/inst"
daemon=
reader=
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.bash"
cleanup() {
  trap - EXIT INT TERM
  [ -n "$reader" ] && stop "$reader"
  [ -n "$daemon" ] && stop "$daemon"
  for m in "$D/proc" "$D/sys"; do
    if is_mounted "$m"; then fusermount -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; fi
  done
  if ! is_mounted "$D/proc" && ! is_mounted "$D/sys"; then rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$ksim" --help >/dev/null # builds, if needed, outside the timings
"$ksim" up --dir "$D" --clock MANUAL --memory-mb 65536 >"$work/up.log" 2>&1 &
daemon=$!
deadline=$(($(date +%s) + READY_TIMEOUT))
until [ -S "$D/ctl.sock" ] && [ -r "$D/proc/stat" ]; do
  kill -0 "$daemon" 2>/dev/null || die "ksim up died: $(cat "$work/up.log")"
  [ "$(date +%s)" -lt "$deadline" ] || die "ksim up not ready in ${READY_TIMEOUT}s"
  sleep 0.1
done
ctl() { "$ksim" ctl --dir "$D" "$@"; }

# --- 1. pipelined throughput ------------------------------------------------------------------
parent=$(ctl spawn --comm bench-parent | sed -n 's/^ok pid=\([0-9]*\).*/\1/p')
[ -n "$parent" ] || die "could not spawn the parent"
rounds=$((N / 8))
N=$((rounds * 8))
for ((i = 0; i < rounds; i++)); do
  printf 'ping\nshow 1\nkill -0 %s\nnice %s 0\nsigmask %s block USR1\nps %s\nspawn --parent %s --comm b --state Z\nwait %s\n' \
    "$parent" "$parent" "$parent" "$parent" "$parent" "$parent"
done >"$work/commands"
t0=$(now_us)
ctl ping >/dev/null
t1=$(now_us)
ctl - <"$work/commands" >"$work/answers" || true
t2=$(now_us)
oks=$(grep -c '^ok' "$work/answers" || true)
[ "$oks" = "$N" ] || die "$oks of $N answers were ok; first other: $(grep -v '^ok' "$work/answers" | head -1)"
start_us=$((t1 - t0))
total_us=$((t2 - t1))
rate=$((N * 1000000 / total_us))
rate_warm=$((N * 1000000 / (total_us - start_us)))
say "pipelined: $N commands in $((total_us / 1000)) ms incl. client start ($((start_us / 1000)) ms for one ksim ctl ping)"

# --- 2. spawn --count with /proc read meanwhile -------------------------------------------------
ctl sysctl kernel.pid_max=4194304 >/dev/null
# The reader: open+read+close of /proc/loadavg in a loop until told to stop, one latency per line.
(
  while [ ! -e "$work/stop" ]; do
    a=${EPOCHREALTIME/./}
    read -r _ <"$D/proc/loadavg"
    b=${EPOCHREALTIME/./}
    echo $((b - a))
  done >"$work/latency"
) &
reader=$!
t3=$(now_us)
spawned=$(ctl spawn --count "$SPAWN" --comm bench-w --rss-kb 16:32)
t4=$(now_us)
touch "$work/stop"
wait "$reader" || true
reader=
[[ $spawned == ok* ]] || die "spawn --count $SPAWN: $spawned"
spawn_ms=$(((t4 - t3) / 1000))
reads=$(wc -l <"$work/latency")
lat_max=$(sort -n "$work/latency" | tail -1)
lat_med=$(sort -n "$work/latency" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
lat_p99=$(sort -n "$work/latency" | awk '{ a[NR] = $1 } END { print a[int(NR * 0.99 + 0.5)] }')
slow=$(awk '$1 > 50000' "$work/latency" | wc -l)
say "spawn --count $SPAWN: $spawn_ms ms ($spawned); /proc/loadavg read $reads times meanwhile"

# --- 3. with the tasks there ----------------------------------------------------------------------
t5=$(now_us)
listed=$(ls "$D/proc" | grep -c '^[0-9]')
t6=$(now_us)
count=$(ctl count)

cat <<TABLE

| figure | value | raw |
|---|---|---|
| pipelined commands/s, client start included | $rate | $N commands in $((total_us / 1000)) ms |
| pipelined commands/s, client start excluded | $rate_warm | minus $((start_us / 1000)) ms for one ksim ctl ping |
| goal | >= 10000 | |
| spawn --count $SPAWN | $spawn_ms ms | $((SPAWN * 1000 / (spawn_ms > 0 ? spawn_ms : 1))) tasks/s, client start included |
| /proc/loadavg read while spawning: max | $((lat_max / 1000)) ms | median $lat_med us, p99 $((lat_p99 / 1000)) ms, $slow reads over 50 ms, of $reads |
| ls /proc with the tasks | $(((t6 - t5) / 1000)) ms | $listed pid entries |

$count
TABLE
