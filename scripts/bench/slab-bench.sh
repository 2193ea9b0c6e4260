#!/usr/bin/env bash
# slab-bench: what the simulated SLUB costs, each figure next to a reference taken in the same run.
#
#   1. kmem_cache_alloc + kmem_cache_free in the model (kernelsim's SlubBench): batches of 64
#      objects of kmalloc-64 allocated and freed on one CPU, on one thread; the same on two
#      threads pinned to CPUs 0 and 1 of the model; and allocated on CPU 0, freed on CPU 1
#      (the remote-free slow path). One op = one alloc or one free. Reference: ArrayDeque
#      push/pop of boxed longs. Goal: >= 10 M ops/s on one thread.
#   2. `slabtop -o` through the mount: ksim's /proc/slabinfo (~236 caches of a booted 6.18
#      server) read by procps' slabtop inside `ksim with-proc`, timed inside the namespace (JVM
#      start of the launcher excluded); reference: slabtop -o on the host's own /proc/slabinfo.
#      Goal: < 50 ms.
# Figures are medians of the runs. The machine's other load shows up directly in them.
#
# Usage (as root, Debian 12): bash scripts/bench/slab-bench.sh
# Knobs (environment): RUNS=7 OPS=20000000 (per SlubBench round) SLABTOP_RUNS=21 READY_TIMEOUT=60 (s).
# Everything it starts is stopped by PID, every mount it makes unmounted, its temporary
# directory removed, also on failure or Ctrl-C.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
ksim="$top/scripts/ksim"
RUNS=${RUNS:-7}
OPS=${OPS:-20000000}
SLABTOP_RUNS=${SLABTOP_RUNS:-21}
READY_TIMEOUT=${READY_TIMEOUT:-60}

die() { echo "slab-bench: $*" >&2; exit 1; }
say() { echo "slab-bench: $*" >&2; }

[ "$(id -u)" = 0 ] || die "needs root: it mounts FUSE file systems and uses mount namespaces, and slabtop reads a 0400 file"
for c in fusermount unshare slabtop java mvn awk; do
  command -v "$c" >/dev/null || die "'$c' is missing (README.md lists the requirements; .ci/run installs them)"
done
[ -e /dev/fuse ] || die "/dev/fuse is missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/slab-bench.XXXXXX")
inst="$work/ksim"
mkdir -p "$inst"
daemon=""

is_mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }
alive() { [ -e "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

cleanup() {
  local rc=$? i m
  trap - EXIT INT TERM
  set +e
  if [ -n "$daemon" ] && alive "$daemon"; then
    kill -TERM "$daemon" 2>/dev/null
    for ((i = 0; i < 150; i++)); do alive "$daemon" || break; sleep 0.1; done
    alive "$daemon" && { say "pid $daemon ignored SIGTERM; killing it"; kill -KILL "$daemon" 2>/dev/null; }
    wait "$daemon" 2>/dev/null
  fi
  for m in "$inst/proc" "$inst/sys"; do
    if is_mounted "$m"; then say "unmounting leftover $m"; fusermount -u -z "$m"; fi
  done
  rm -rf --one-file-system "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mops() { awk -v x="$1" 'BEGIN { printf "%.1f", x / 1e6 }'; }

say "building (mvn package, tests skipped)"
(cd "$top" && mvn -q -B -DskipTests package) >&2 || die "the build failed"
jar="$top/fusebridge/target/ksim.jar"
[ -f "$jar" ] || die "$jar was not built"

# --- 1. alloc/free in the model ----------------------------------------------------------
say "1. kmem_cache_alloc/free: $RUNS rounds of $OPS ops per figure"
declare -A rate
while read -r name value; do rate[$name]=$value; done < <(java -cp "$jar:$top/kernelsim/target/test-classes" \
  ksim.mm.slub.SlubBench "$RUNS" "$OPS" 2>/dev/null)
[ -n "${rate[slub_alloc_free_1thread]:-}" ] || die "SlubBench printed no figures"

# --- 2. slabtop -o through the mount -------------------------------------------------------
say "2. slabtop -o: starting ksim at $inst"
"$ksim" up --dir "$inst" >"$work/ksim.log" 2>&1 &
daemon=$!
for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
  [ -s "$inst/proc/slabinfo" ] 2>/dev/null && head -c1 "$inst/proc/slabinfo" >/dev/null 2>&1 && break
  alive "$daemon" || die "ksim up died; its log: $(tail -n 5 "$work/ksim.log")"
  sleep 0.1
done
head -c1 "$inst/proc/slabinfo" >/dev/null 2>&1 || die "ksim's /proc/slabinfo not readable after ${READY_TIMEOUT}s"
caches=$(($(wc -l <"$inst/proc/slabinfo") - 2))
host_caches=$(($(wc -l </proc/slabinfo) - 2))

# Prints the ms of each of $1 runs of slabtop -o (after one untimed run).
# shellcheck disable=SC2016
loop='slabtop -o >/dev/null || exit 1
for ((i = 0; i < $1; i++)); do
  s=$EPOCHREALTIME; slabtop -o >/dev/null || exit 1; e=$EPOCHREALTIME
  awk -v s="$s" -v e="$e" "BEGIN { printf \"%.3f\\n\", (e - s) * 1000 }"
done'
mapfile -t ksim_ms < <("$ksim" with-proc --dir "$inst" -- bash -c "$loop" slabtop-loop "$SLABTOP_RUNS")
mapfile -t host_ms < <(bash -c "$loop" slabtop-loop "$SLABTOP_RUNS")
[ "${#ksim_ms[@]}" = "$SLABTOP_RUNS" ] || die "slabtop on ksim failed"
[ "${#host_ms[@]}" = "$SLABTOP_RUNS" ] || die "slabtop on the host failed"
say "ksim slabtop runs (ms): ${ksim_ms[*]}"
say "host slabtop runs (ms): ${host_ms[*]}"
k_med=$(median "${ksim_ms[@]}")
h_med=$(median "${host_ms[@]}")

deque=${rate[arraydeque_push_pop]}
one=${rate[slub_alloc_free_1thread]}
two=${rate[slub_alloc_free_2threads_2cpus]}
cross=${rate[slub_alloc_free_cross_cpu_1thread]}
meets_ops() { awk -v r="$1" 'BEGIN { print (r >= 10e6) ? "yes" : "**no**" }'; }
meets_ms() { awk -v r="$1" 'BEGIN { print (r < 50) ? "yes" : "**no**" }'; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
cat <<TABLE

| figure | value | reference (same run) | ratio to reference | goal | met |
|---|---|---|---|---|---|
| kmem_cache_alloc/free, 1 thread | $(mops "$one") M ops/s | ArrayDeque push/pop $(mops "$deque") M ops/s | $(ratio "$one" "$deque") | >= 10 M ops/s | $(meets_ops "$one") |
| kmem_cache_alloc/free, 2 threads on CPUs 0 and 1 | $(mops "$two") M ops/s | the 1-thread figure | $(ratio "$two" "$one") | - | - |
| alloc on CPU 0, free on CPU 1 (remote frees) | $(mops "$cross") M ops/s | the 1-thread figure | $(ratio "$cross" "$one") | - | - |
| slabtop -o, ksim ($caches caches) | $k_med ms | host slabtop -o ($host_caches caches) $h_med ms | $(ratio "$k_med" "$h_med") | < 50 ms | $(meets_ms "$k_med") |

Medians of $RUNS rounds (alloc/free) and $SLABTOP_RUNS runs (slabtop); load average during the run: $load on $(nproc) CPUs.
TABLE
