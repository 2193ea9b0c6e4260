#!/usr/bin/env bash
# proc-bench: what ksim's FUSE /proc costs against the host's /proc and a C libfuse server.
#
# One run measures:
#   1. `ps aux`, microseconds per listed process: on ksim with ~1,000 tasks (`ksim up --workers
#      1000`, ps run inside `ksim with-proc`; the launcher's JVM start is outside the timed loop),
#      on the host's /proc as it is, and on the host's /proc at the same scale (a private pid
#      namespace holding as many `sleep` processes as ksim has workers: the host as it is may
#      list so few processes that ps's fixed start-up cost dominates its per-process figure).
#   2. open+read+close of one stat file (../shared/bench/readloop.c): ksim's /proc/1/stat, the
#      host's /proc/1/stat, and /42/stat of the C libfuse2 server ../shared/bench/cfuse-baseline.c
#      mounted with ksim's proc options (600 s entry/attr timeouts, which ksim
#      invalidates when a task goes; no negative caching; use_ino, default_permissions,
#      allow_other; multi-threaded, while ksim serves on one thread by default).
#   3. JVM start -> mount ready: from launching `scripts/ksim up` until its proc/stat reads.
# Every figure is the median of RUNS runs (the raw runs are printed too). The closing markdown
# table gives each figure, its reference, the ratio figure/reference and the goal: ps aux per
# process <= 5x host, per-read latency <= 1.2x the C server, mount ready <= 1 s.
# Read ratios as "times slower than the reference"; lower is better. Other load on the machine
# shows up directly in these numbers, so compare runs made on a quiet machine.
#
# Usage (as root, Debian 12): bash scripts/bench/proc-bench.sh
# Knobs (environment): KSIM_UP_ARGS (extra `ksim up` options, e.g. --multi-threaded), RUNS=5 PS_PER_RUN=3 ITERS=20000 WORKERS=1000 READY_TIMEOUT=60 (seconds).
# Installs gcc, pkg-config and libfuse-dev when missing. Everything it starts is stopped, every
# mount it makes is unmounted and its temporary directory removed, also on failure or Ctrl-C.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
ksim="$top/scripts/ksim"
bench_src=${BENCH_SRC:-"$top/../shared/bench"}
RUNS=${RUNS:-5}
PS_PER_RUN=${PS_PER_RUN:-3}
ITERS=${ITERS:-20000}
WORKERS=${WORKERS:-1000}
READY_TIMEOUT=${READY_TIMEOUT:-60}
# The options ksim mounts its proc with (fusebridge MountOptions, ProcFs.cacheSeconds).
FUSE_OPTS="use_ino,attr_timeout=600,entry_timeout=600,negative_timeout=0,default_permissions,allow_other"

die() { echo "proc-bench: $*" >&2; exit 1; }
say() { echo "proc-bench: $*" >&2; }

# --- requirements -------------------------------------------------------------------------
need=()
command -v cc >/dev/null || need+=(gcc libc6-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
pkg-config --exists fuse 2>/dev/null || need+=(libfuse-dev)
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root"
  say "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q "${need[@]}" >&2 || die "could not install ${need[*]}"
fi
[ "$(id -u)" = 0 ] || die "needs root: it mounts FUSE file systems with allow_other and uses pid namespaces"
for c in fusermount unshare ps timeout java; do
  command -v "$c" >/dev/null || die "'$c' is missing (README.md lists the requirements; .ci/run installs them)"
done
[ -e /dev/fuse ] || die "/dev/fuse is missing"
for f in readloop.c cfuse-baseline.c; do
  [ -f "$bench_src/$f" ] || die "$bench_src/$f not found (set BENCH_SRC to the directory holding it)"
done

# --- state and cleanup --------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/proc-bench.XXXXXX")
bin="$work/bin" k1="$work/ksim-scale" k2="$work/ksim-start" cf="$work/cfuse-mnt"
mkdir -p "$bin" "$k1" "$k2" "$cf"
daemons=()   # pids of every ksim daemon and C server started here

is_mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }
alive() { [ -e "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# Waits (bounded) for pid $1 to end after a signal; SIGKILL if it will not.
stop_pid() {
  local p=$1 i
  alive "$p" || { wait "$p" 2>/dev/null || true; return 0; }
  kill -TERM "$p" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do alive "$p" || break; sleep 0.1; done
  alive "$p" && { say "pid $p ignored SIGTERM; killing it"; kill -KILL "$p" 2>/dev/null || true; }
  wait "$p" 2>/dev/null || true
}

cleanup() {
  local rc=$? p m
  trap - EXIT INT TERM
  set +e
  is_mounted "$cf" && fusermount -u -z "$cf"   # the C server exits once unmounted
  for p in "${daemons[@]}"; do stop_pid "$p"; done
  for m in "$cf" "$k1/proc" "$k1/sys" "$k2/proc" "$k2/sys"; do
    if is_mounted "$m"; then say "unmounting leftover $m"; fusermount -u -z "$m"; fi
  done
  rm -rf --one-file-system "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools --------------------------------------------------------------------------------
# waitread PATH TIMEOUT_MS INTERVAL_US [PID]: exits 0 as soon as PATH opens and reads at least
# one byte; 1 on timeout; 3 as soon as PID (the server being waited for) has died.
cat >"$bin/waitread.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int dead(const char *pid) {
    char p[64], s[512];
    snprintf(p, sizeof p, "/proc/%s/stat", pid);
    int fd = open(p, O_RDONLY);
    if (fd < 0) return 1;
    ssize_t n = read(fd, s, sizeof s - 1);
    close(fd);
    if (n <= 0) return 1;
    s[n] = 0;
    char *r = s + n;
    while (r > s && *r != ')') r--;  /* the state follows the last ')' */
    return r[0] == ')' && r[1] == ' ' && r[2] == 'Z';
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: waitread PATH TIMEOUT_MS INTERVAL_US [PID]\n"); return 2; }
    long timeout_ms = atol(argv[2]), interval_us = atol(argv[3]);
    struct timespec t0, t, nap = { interval_us / 1000000, (interval_us % 1000000) * 1000 };
    char buf[256];
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int fd = open(argv[1], O_RDONLY);
        if (fd >= 0) {
            ssize_t n = read(fd, buf, sizeof buf);
            close(fd);
            if (n > 0) return 0;
        }
        if (argc > 4 && dead(argv[4])) return 3;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms) return 1;
        nanosleep(&nap, NULL);
    }
}
EOF
cc -O2 -o "$bin/waitread" "$bin/waitread.c" || die "could not build waitread"
cc -O2 -o "$bin/readloop" "$bench_src/readloop.c" || die "could not build readloop.c"
# shellcheck disable=SC2046
cc -O2 -o "$bin/cfuse-baseline" "$bench_src/cfuse-baseline.c" $(pkg-config --cflags --libs fuse) \
  || die "could not build cfuse-baseline.c"

say "building ksim if needed (scripts/ksim --help)"
"$ksim" --help >/dev/null || die "scripts/ksim --help failed (build broken?)"

# Waits until $1 reads, while daemon $2 lives; $3 names it for messages, $4 is its log.
wait_ready() {
  local rc=0
  "$bin/waitread" "$1" "$((READY_TIMEOUT * 1000))" 5000 "$2" || rc=$?
  case $rc in
    0) return 0 ;;
    3) die "$3 died before $1 became readable; its log: $(tail -n 5 "$4" 2>/dev/null)" ;;
    *) die "$3: $1 not readable after ${READY_TIMEOUT}s; its log: $(tail -n 5 "$4" 2>/dev/null)" ;;
  esac
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fmt() { awk -v x="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
meets() { awk -v r="$1" -v g="$2" 'BEGIN { print (r <= g) ? "yes" : "**no**" }'; }

t_start=$(date +%s)

# --- start ksim with ~1,000 tasks and the C server -----------------------------------------
say "starting ksim with $WORKERS workers at $k1"
"$ksim" up --dir "$k1" --workers "$WORKERS" ${KSIM_UP_ARGS:-} >"$work/ksim-scale.log" 2>&1 &
ksim1=$!
daemons+=("$ksim1")
"$bin/cfuse-baseline" "$cf" -f -o "$FUSE_OPTS,fsname=cfuse,subtype=cfuse-baseline" >"$work/cfuse.log" 2>&1 &
cfuse=$!
daemons+=("$cfuse")
wait_ready "$cf/42/stat" "$cfuse" "cfuse-baseline" "$work/cfuse.log"
wait_ready "$k1/proc/stat" "$ksim1" "ksim up --workers $WORKERS" "$work/ksim-scale.log"

# --- 1. ps aux per listed process ---------------------------------------------------------
# Prints one line per run: "<ps output lines> <ns for $1 ps aux>"; ps errors go to file $2.
# shellcheck disable=SC2016
psloop='n=$1 err=$2 runs=$3 r=0
while [ "$r" -lt "$runs" ]; do
  c0=$(date +%s%N); lines=$(ps aux 2>>"$err" | wc -l); c1=$(date +%s%N)
  t0=$(date +%s%N); i=0
  while [ "$i" -lt "$n" ]; do ps aux >/dev/null 2>>"$err"; i=$((i + 1)); done
  t1=$(date +%s%N)
  echo "$lines $((t1 - t0)) $((c1 - c0))"; r=$((r + 1))
done'
# The same-scale host reference: $4 sleeping processes in a private pid namespace.
# shellcheck disable=SC2016
spawn='k=0; while [ "$k" -lt "$4" ]; do sleep 3600 >/dev/null 2>&1 & k=$((k + 1)); done'
: >"$work/ps-ksim.err"; : >"$work/ps-host.err"; : >"$work/ps-scale.err"

# µs per listed process from "lines ns first_ns" (lines includes ps's header).
# The first ps aux of a run is untimed in the loop; on a fresh ksim it is the cold one.
cold_per_proc() { awk '{ printf "%.2f\n", $3 / 1000 / ($1 - 1) }'; }
per_proc() { awk -v n="$PS_PER_RUN" '{ printf "%.2f %d\n", $2 / 1000 / n / ($1 - 1), $1 - 1 }'; }

say "1. ps aux: $RUNS runs of $PS_PER_RUN x ps aux on ksim and on the host"
ps_k=() ps_h=() ps_s=() nk=0 nh=0 ns=0
for ((r = 1; r <= RUNS; r++)); do
  out=$(timeout -k 5 300 "$ksim" with-proc --dir "$k1" -- sh -c "$psloop" sh "$PS_PER_RUN" "$work/ps-ksim.err" 1 | tail -n 1) \
    || die "ps aux under ksim with-proc failed"
  read -r v nk <<<"$(per_proc <<<"$out")"; ps_k+=("$v")
  [ "$r" = 1 ] && ps_cold=$(cold_per_proc <<<"$out")
  out=$(sh -c "$psloop" sh "$PS_PER_RUN" "$work/ps-host.err" 1) || die "ps aux on the host failed"
  read -r v nh <<<"$(per_proc <<<"$out")"; ps_h+=("$v")
  echo "  run $r: ksim $(fmt "${ps_k[-1]}") us/proc ($nk procs)   host $(fmt "${ps_h[-1]}") us/proc ($nh procs)"
done
say "1b. ps aux on the host's /proc with $WORKERS sleeping processes (private pid namespace)"
out=$(timeout -k 5 300 unshare --pid --fork --kill-child --mount-proc --propagation private \
  sh -c "$spawn; $psloop" sh "$PS_PER_RUN" "$work/ps-scale.err" "$RUNS" "$WORKERS") \
  || die "ps aux in a pid namespace with $WORKERS sleepers failed"
while read -r v n; do ps_s+=("$v"); ns=$n; done < <(per_proc <<<"$out")
echo "  runs: host at scale ${ps_s[*]} us/proc ($ns procs)"
for e in ksim host scale; do
  if [ -s "$work/ps-$e.err" ]; then
    echo "  ps stderr ($e): $(wc -l <"$work/ps-$e.err") lines; first: $(sort "$work/ps-$e.err" | uniq -c | sort -rn | head -n 3 | tr '\n' ';')"
  fi
done

# --- 2. open+read+close of one stat file --------------------------------------------------
# Prints µs/iter of readloop on $1 with $2 iterations; fails unless it read some bytes.
readloop() {
  local out
  out=$(timeout -k 5 300 "$bin/readloop" "$1" "$2") || die "readloop $1 failed: $out"
  awk '{ for (i = 1; i <= NF; i++) if ($i == "us/iter,") us = $(i - 1); b = $(NF - 1) }
       END { if (us == "" || b <= 0) exit 1; print us }' <<<"$out" || die "readloop $1: unexpected output: $out"
}
say "2. open+read+close: $RUNS runs of $ITERS iterations each on host /proc/1/stat, C server, ksim"
readloop /proc/1/stat 2000 >/dev/null
readloop "$cf/42/stat" 2000 >/dev/null
readloop "$k1/proc/1/stat" 2000 >/dev/null   # warm-up, also for the JIT
rl_h=() rl_c=() rl_k=()
for ((r = 1; r <= RUNS; r++)); do
  rl_h+=("$(readloop /proc/1/stat "$ITERS")")
  rl_c+=("$(readloop "$cf/42/stat" "$ITERS")")
  rl_k+=("$(readloop "$k1/proc/1/stat" "$ITERS")")
  echo "  run $r: host ${rl_h[-1]}  C ${rl_c[-1]}  ksim ${rl_k[-1]} us/iter"
done

say "stopping the ksim with $WORKERS workers and the C server"
"$ksim" down --dir "$k1" >>"$work/ksim-scale.log" 2>&1 || say "ksim down --dir $k1 failed"
stop_pid "$ksim1"
fusermount -u "$cf" || fusermount -u -z "$cf"
stop_pid "$cfuse"

# --- 3. JVM start -> mount ready ----------------------------------------------------------
say "3. JVM start -> mount ready: $RUNS launches of scripts/ksim up"
up_ms=() rebuilt=0
for ((r = 1; r <= RUNS; r++)); do
  is_mounted "$k2/proc" && die "$k2/proc still mounted before launch $r"
  log="$work/ksim-start.$r.log"
  t0=$(date +%s%N)
  "$ksim" up --dir "$k2" >"$log" 2>&1 &
  p=$!
  daemons+=("$p")
  rc=0
  "$bin/waitread" "$k2/proc/stat" "$((READY_TIMEOUT * 1000))" 5000 "$p" || rc=$?
  t1=$(date +%s%N)
  [ "$rc" = 0 ] || die "launch $r: proc/stat not readable (waitread rc $rc); log: $(tail -n 5 "$log")"
  "$ksim" down --dir "$k2" >>"$log" 2>&1 || say "ksim down --dir $k2 failed"
  stop_pid "$p"
  if grep -q 'ksim: building' "$log"; then
    # Sources changed under us and the launcher rebuilt: that launch timed Maven, not ksim.
    rebuilt=$((rebuilt + 1))
    [ "$rebuilt" -le 3 ] || die "the launcher keeps rebuilding (sources changing?)"
    say "launch $r rebuilt the jar; not counted, repeating"
    r=$((r - 1))
    continue
  fi
  up_ms+=("$(( (t1 - t0) / 1000000 ))")
  echo "  launch $r: ${up_ms[-1]} ms"
done

# --- summary ------------------------------------------------------------------------------
mk=$(median "${ps_k[@]}") mh=$(median "${ps_h[@]}") msc=$(median "${ps_s[@]}")
rh=$(median "${rl_h[@]}") rc_=$(median "${rl_c[@]}") rk=$(median "${rl_k[@]}")
mu=$(median "${up_ms[@]}")
r_ps=$(ratio "$mk" "$mh") r_ps_s=$(ratio "$mk" "$msc")
r_c=$(ratio "$rk" "$rc_") r_h=$(ratio "$rk" "$rh")
r_up=$(ratio "$mu" 1000)

echo
echo "## proc-bench: medians of $RUNS runs ($(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "| measurement | ksim | reference | ksim / reference | goal | met |"
echo "|---|---|---|---|---|---|"
echo "| ps aux, µs per listed process | $(fmt "$mk") ($nk procs) | host /proc: $(fmt "$mh") ($nh procs) | ${r_ps}× | ≤ 5× host | $(meets "$r_ps" 5) |"
echo "| ps aux, µs per listed process | $(fmt "$mk") ($nk procs) | host /proc at scale: $(fmt "$msc") ($ns procs) | ${r_ps_s}× | ≤ 5× host | $(meets "$r_ps_s" 5) |"
echo "| ps aux, first after boot (nothing cached), µs per process | $(fmt "$ps_cold") ($nk procs) | host /proc at scale: $(fmt "$msc") ($ns procs) | $(ratio "$ps_cold" "$msc")× | — | — |"
echo "| open+read+close stat, µs | $(fmt "$rk") (/proc/1/stat) | C libfuse2 server: $(fmt "$rc_") | ${r_c}× | ≤ 1.2× C | $(meets "$r_c" 1.2) |"
echo "| open+read+close stat, µs | $(fmt "$rk") (/proc/1/stat) | host /proc/1/stat: $(fmt "$rh") | ${r_h}× | — | — |"
echo "| JVM start → mount ready, ms | $mu | 1000 ms | ${r_up}× | ≤ 1 s | $(meets "$mu" 1000) |"
echo
echo "ps aux: $PS_PER_RUN per run; stat reads: $ITERS per run; whole bench $(( $(date +%s) - t_start )) s."
