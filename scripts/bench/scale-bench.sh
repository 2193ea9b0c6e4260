#!/usr/bin/env bash
# scale-bench: ksim with 100,000 tasks — boot, memory, `ps aux`, and the control plane.
#
# One run measures:
#   1. Boot with TASKS tasks: `ksim up --scenario F` where F raises pid_max and makes the tasks
#      with one `spawn --count TASKS` (the scenario runs before the mounts appear). Timed from
#      launching `scripts/ksim up` (a built jar; JVM start included) until proc/loadavg reads,
#      and until `ls proc` lists every task; and the daemon's CPU time (user + system) until
#      ready, which other load on the machine moves much less. Then the JVM heap: used after a full collection
#      (`jcmd <pid> GC.run`, `jcmd <pid> GC.heap_info`), against the same boot without the
#      scenario in the same run, which gives bytes per task.
#   2. `ps aux` over those tasks through ksim (`ksim with-proc`; the launcher's own start is
#      outside the timed part): the first one after boot (cold: nothing cached in the host
#      kernel or warm in the JIT) and the median of PS_RUNS more (warm), in µs per listed process,
#      against the host's /proc at HOST_N real sleeping processes in a private pid namespace
#      (created, measured, killed by pid, once after each warm ksim run, so that both see the
#      same load). With tracefs, also the FUSE requests per listed process of one warm run, by
#      opcode (the kernel's fuse_request_send tracepoint in a private trace instance). Warm, ps
#      costs 15 per process: OPEN, READ and RELEASE of stat, status, environ and cmdline, a
#      second READ (end of file) of the last two, and a LOOKUP of ctty, which does not exist;
#      more LOOKUPs mean the host dropped cached entries meanwhile (drop_caches, memory pressure).
#   3. The control plane: scripts/bench/ctl-bench.sh (pipelined commands per second through one
#      connection, spawn --count, /proc latency meanwhile), its table printed as it is.
# The closing table gives each figure, its reference, the ratio and the goal: boot ≤ 5 s and
# ≤ 1 GiB heap with 100k tasks; ps aux ≤ 2x the host per process; ≥ 10,000 commands/s.
# Timings move with other load on the machine (the load average is printed); compare runs
# made on a quiet machine, and read ratios against the reference measured in the same run.
#
# Usage (as root, Debian 12): bash scripts/bench/scale-bench.sh
# Knobs (environment): TASKS=100000 MEMORY_MB=16384 (simulated memory) HOST_N=2000 PS_RUNS=3
#   CTL=1 (0 skips part 3) TRACE=1 (0 skips the request count) READY_TIMEOUT=180 (seconds)
#   KSIM_JAVA_OPTS (passed to the daemon's JVM, e.g. -Xms1536m).
# Needs: bash, coreutils, util-linux (unshare), procps (ps), fuse, a JDK 17 (jcmd).
# Everything it starts is stopped by pid, every mount unmounted, the temporary directory removed.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
ksim="$top/scripts/ksim"
TASKS=${TASKS:-100000}
MEMORY_MB=${MEMORY_MB:-16384}
HOST_N=${HOST_N:-2000}
PS_RUNS=${PS_RUNS:-3}
CTL=${CTL:-1}
TRACE=${TRACE:-1}
READY_TIMEOUT=${READY_TIMEOUT:-180}

say() { echo "scale-bench: $*" >&2; }
die() { say "$*"; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (FUSE mounts, pid namespaces)"
[ -e /dev/fuse ] || die "/dev/fuse is missing"
for c in fusermount unshare ps jcmd timeout; do command -v "$c" >/dev/null || die "'$c' is missing"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/scale-bench.XXXXXX")
D="$work/inst"
daemon=
tracedir=
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.bash"
unmount_all() {
  for m in "$D/proc" "$D/sys"; do
    if is_mounted "$m"; then fusermount -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; fi
  done
}
cleanup() {
  trap - EXIT INT TERM
  [ -n "$daemon" ] && stop "$daemon" 300
  unmount_all
  [ -n "$tracedir" ] && [ -d "$tracedir" ] && { echo 0 >"$tracedir/events/fuse/fuse_request_send/enable" 2>/dev/null; rmdir "$tracedir" 2>/dev/null || true; }
  if ! is_mounted "$D/proc" && ! is_mounted "$D/sys"; then rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
meets() { awk -v v="$1" -v g="$2" -v dir="${3:-le}" 'BEGIN { ok = dir == "le" ? v <= g : v >= g; print ok ? "yes" : "**no**" }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# Boots `ksim up` with extra args; sets daemon, ready_ms (launch -> proc/loadavg reads).
boot() {
  local t0 deadline
  t0=$(now_us)
  "$ksim" up --dir "$D" --memory-mb "$MEMORY_MB" "$@" >"$work/up.log" 2>&1 &
  daemon=$!
  deadline=$(($(date +%s) + READY_TIMEOUT))
  until [ -r "$D/proc/loadavg" ] && read -r _ <"$D/proc/loadavg" 2>/dev/null; do
    kill -0 "$daemon" 2>/dev/null || die "ksim up died: $(tail -n 5 "$work/up.log")"
    [ "$(date +%s)" -lt "$deadline" ] || die "ksim up not ready in ${READY_TIMEOUT}s"
    sleep 0.02
  done
  ready_ms=$((($(now_us) - t0) / 1000))
  boot_t0=$t0
  # CPU time the daemon spent until then (user + system, all its threads): what boot costs
  # whatever else the machine is doing, which the elapsed time is not.
  ready_cpu_ms=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' "/proc/$daemon/stat")
}
# KiB of heap in use after a full collection of the daemon's JVM.
heap_kb() {
  jcmd "$daemon" GC.run >/dev/null || die "jcmd GC.run $daemon failed"
  jcmd "$daemon" GC.heap_info | awk '/(generation|space|region|heap) +total/ && / used / {
      for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); s += v } }
    END { print s + 0 }'
}
down() {
  "$ksim" down --dir "$D" >>"$work/up.log" 2>&1 || say "ksim down failed"
  stop "$daemon" 300
  daemon=
  unmount_all
}

"$ksim" --help >/dev/null || die "scripts/ksim --help failed (build broken?)"
t_start=$(date +%s)
say "load average at start: $(load)"

# --- 1. boot --------------------------------------------------------------------------------
say "1. boot without tasks (the heap reference)"
boot
heap0=$(heap_kb)
down
printf 'sysctl kernel.pid_max=4194304\nspawn --count %d --comm scale-w --rss-kb 16:32\n' "$TASKS" >"$work/scenario"
say "1. boot with $TASKS tasks (ksim up --scenario)"
boot --scenario "$work/scenario"
boot_ms=$ready_ms
boot_cpu_ms=$ready_cpu_ms
listed=$(ls "$D/proc" | grep -c '^[0-9]' || true)
list_ms=$((($(now_us) - boot_t0) / 1000))
[ "$listed" -ge "$TASKS" ] || die "proc lists $listed pids, fewer than $TASKS"
heap1=$(heap_kb)
per_task=$(((heap1 - heap0) * 1024 / TASKS))
say "ready in $boot_ms ms ($boot_cpu_ms ms of daemon CPU), $listed pids listed at $list_ms ms; heap $((heap1 / 1024)) MiB ($((heap0 / 1024)) MiB without tasks, $per_task B/task)"

# --- 2. ps aux ---------------------------------------------------------------------------------
# Prints "<listed processes> <µs per process>" for each of $1 ps aux runs; errors to file $2.
# shellcheck disable=SC2016
psloop='runs=$1 err=$2 r=0
while [ "$r" -lt "$runs" ]; do
  t0=$(date +%s%N); n=$(ps aux 2>>"$err" | wc -l); t1=$(date +%s%N)
  n=$((n - 1)); echo "$n $(( (t1 - t0) / 1000 / (n > 0 ? n : 1) ))"; r=$((r + 1))
done'
: >"$work/ps.err"
say "2. ps aux over $listed tasks through ksim: 1 cold + $PS_RUNS warm (load $(load))"
out=$(timeout -k 5 1800 "$ksim" with-proc --dir "$D" -- sh -c "$psloop" sh 1 "$work/ps.err") || die "ps aux (cold) failed"
read -r ps_n ps_cold <<<"$out"
echo "  cold: $ps_cold us/proc ($ps_n procs)"
# The host reference: $3 sleeping processes in a private pid namespace, killed by pid after.
# shellcheck disable=SC2016
spawn='k=0; pids=; while [ "$k" -lt "$3" ]; do sleep 3600 >/dev/null 2>&1 & pids="$pids $!"; k=$((k + 1)); done'
# shellcheck disable=SC2016
reap='kill $pids 2>/dev/null; wait 2>/dev/null'
# Warm runs alternate with the host's, so both see the same load.
warm=() host=()
for ((r = 1; r <= PS_RUNS; r++)); do
  out=$(timeout -k 5 1800 "$ksim" with-proc --dir "$D" -- sh -c "$psloop" sh 1 "$work/ps.err") || die "ps aux (warm) failed"
  read -r ps_n v <<<"$out"
  warm+=("$v")
  out=$(timeout -k 5 600 unshare --pid --fork --kill-child --mount-proc --propagation private \
    sh -c "$spawn; $psloop; $reap" sh 1 "$work/ps-host.err" "$HOST_N") || die "host ps aux failed"
  read -r host_n h <<<"$out"
  host+=("$h")
  echo "  warm run $r: ksim $v us/proc ($ps_n procs)   host $h us/proc ($host_n procs, $HOST_N sleepers in a pid namespace)"
done
ps_host=$(median "${host[@]}")
ps_warm=$(median "${warm[@]}")
[ -s "$work/ps.err" ] && echo "  ps stderr: $(wc -l <"$work/ps.err") lines; first: $(head -n 2 "$work/ps.err" | tr '\n' ';')"

# FUSE requests of one more warm ps aux, counted by the kernel's fuse tracepoint in a private
# trace instance filtered on this mount's connection (its device number).
reqs="not measured"
ev=/sys/kernel/tracing/events/fuse/fuse_request_send
if [ "$TRACE" = 1 ] && [ -d "$ev" ]; then
  tracedir=/sys/kernel/tracing/instances/scale-bench-$$
  if mkdir "$tracedir" 2>/dev/null; then
    dev=$(mountpoint -d "$D/proc")
    conn=$(((${dev%:*} << 20) | ${dev#*:}))
    # Room for ~20 requests per process of ~64 bytes each on one CPU (every CPU gets as much).
    echo $((ps_n * 20 * 64 / 1024 + 4096)) >"$tracedir/buffer_size_kb"
    echo "connection == $conn" >"$tracedir/events/fuse/fuse_request_send/filter"
    echo 1 >"$tracedir/events/fuse/fuse_request_send/enable"
    "$ksim" with-proc --dir "$D" -- ps aux >/dev/null 2>>"$work/ps.err" || say "traced ps aux failed"
    echo 0 >"$tracedir/events/fuse/fuse_request_send/enable"
    lost=$(head -n 5 "$tracedir/trace" | awk '/entries-in-buffer/ { split($3, e, "/"); print e[2] - e[1] }')
    reqs=$(grep -o 'opcode [0-9]* ([A-Z_]*)' "$tracedir/trace" | awk -v n="$ps_n" '
        { sub(/^\(FUSE_/, "", $3); sub(/\)$/, "", $3); c[$3]++; t++ }
        END { printf "%.1f:", t / n; for (k in c) if (c[k] >= n / 10) printf " %s %.1f", k, c[k] / n }')
    [ "${lost:-0}" = 0 ] || reqs="$reqs (trace lost $lost events: undercount)"
    rmdir "$tracedir" 2>/dev/null || true
    tracedir=
    echo "  FUSE requests per listed process (warm): $reqs"
  fi
fi
down

# --- 3. control plane ------------------------------------------------------------------------
ctl_table=
if [ "$CTL" = 1 ]; then
  say "3. control plane: scripts/bench/ctl-bench.sh (load $(load))"
  ctl_table=$(bash "$top/scripts/bench/ctl-bench.sh") || die "ctl-bench failed"
  rate=$(awk -F'|' '/pipelined commands\/s, client start excluded/ { gsub(/ /, "", $3); print $3 }' <<<"$ctl_table")
fi

# --- summary -------------------------------------------------------------------------------------
echo
echo "## scale-bench: $TASKS tasks ($(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ), load average at end $(load))"
echo
echo "| measurement | ksim | reference | ksim / reference | goal | met |"
echo "|---|---|---|---|---|---|"
echo "| boot with $TASKS tasks: launch → /proc readable, ms | $boot_ms | 5000 ms | $(ratio "$boot_ms" 5000)× | ≤ 5 s | $(meets "$boot_ms" 5000) |"
echo "| boot with $TASKS tasks: daemon CPU (user+sys) until /proc readable, ms | $boot_cpu_ms | 5000 ms | $(ratio "$boot_cpu_ms" 5000)× | — | — |"
echo "| boot with $TASKS tasks: launch → ls lists them all, ms | $list_ms ($listed pids) | 5000 ms | $(ratio "$list_ms" 5000)× | — | — |"
echo "| heap after full GC with $TASKS tasks, MiB | $((heap1 / 1024)) | 1024 MiB | $(ratio "$heap1" 1048576)× | ≤ 1 GiB | $(meets "$heap1" 1048576) |"
echo "| heap per task, bytes | $per_task | $((heap0 / 1024)) MiB without tasks | — | — | — |"
echo "| ps aux warm, µs per process | $ps_warm ($ps_n procs) | host: $ps_host ($host_n procs) | $(ratio "$ps_warm" "$ps_host")× | ≤ 2× host | $(meets "$(ratio "$ps_warm" "$ps_host")" 2) |"
echo "| ps aux cold (first after boot), µs per process | $ps_cold ($ps_n procs) | host: $ps_host ($host_n procs) | $(ratio "$ps_cold" "$ps_host")× | — | — |"
echo "| FUSE requests per process, warm ps aux | $reqs | — | — | — | — |"
if [ -n "$ctl_table" ]; then
  echo "| pipelined control commands/s | ${rate:-?} | 10000 | $(ratio "${rate:-0}" 10000)× | ≥ 10,000/s | $(meets "${rate:-0}" 10000 ge) |"
  echo
  echo "ctl-bench:"
  echo "$ctl_table"
fi
echo
echo "ps aux runs: ksim warm ${warm[*]}, host ${host[*]} µs/process; whole bench $(( $(date +%s) - t_start )) s."
