#!/usr/bin/env bash
# `ksim with-proc`: the command runs in its own pid namespace with ksim's proc and sys over
# /proc and /sys, its exit status comes back, kill inside never reaches a host process, and the
# host's /proc and /sys are untouched afterwards.
# Run from the repo root: bash scripts/tests/with-proc.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.bash"

ensure_built
up_or_finish
daemon=$UP_PID

wp() { "$ksim" with-proc --dir "$D" -- "$@"; }

# The host's view before: init's comm, and what is mounted at /proc and /sys (mount id, type).
host_comm_before=$(cat /proc/1/comm)
host_mounts() { awk '$5 == "/proc" || $5 == "/sys" { print $1, $5, $(NF - 2) }' /proc/self/mountinfo; }
host_mounts_before=$(host_mounts)
mounts_in_D() { awk -v d="$D/" 'index($5, d) == 1 { print $1, $5 }' /proc/self/mountinfo; }
mounts_in_D_before=$(mounts_in_D)

# --- own pid namespace, ksim's proc and sys ---------------------------------------------------
out=$(wp sh -c 'echo $$' 2>&1)
check "with-proc -- sh -c 'echo \$\$' prints 1 (own pid namespace) [got: $out]" [ "$out" = 1 ]
out=$(wp cat /proc/1/comm 2>&1)
check "with-proc -- cat /proc/1/comm prints systemd, ksim's init [got: $out]" [ "$out" = systemd ]
out=$(wp cat /proc/self/comm 2>&1)
check "with-proc -- cat /proc/self/comm prints cat [got: $out]" [ "$out" = cat ]
out=$(wp cat /sys/devices/system/cpu/online 2>&1)
check "with-proc -- cat /sys/devices/system/cpu/online shows ksim's 2 CPUs [got: $out]" [ "$out" = 0-1 ]

# --- exit status ------------------------------------------------------------------------------
wp sh -c 'exit 3'
rc=$?
check "exit status of the inner command is propagated (exit 3 -> $rc)" [ "$rc" = 3 ]
wp true
rc=$?
check "exit status 0 is propagated (true -> $rc)" [ "$rc" = 0 ]
wp false
rc=$?
check "exit status 1 is propagated (false -> $rc)" [ "$rc" = 1 ]

# --- kill inside never reaches a host process -------------------------------------------------
md5=$(wp pidof md5sum 2>&1)
if [[ $md5 =~ ^[0-9]+$ ]]; then
  ok "pidof md5sum inside finds ksim's md5sum (pid $md5)"
else
  not_ok "pidof md5sum inside finds ksim's md5sum [got: $md5]"
  md5=
fi
if [ -n "$md5" ]; then
  check "ksim's /proc/$md5/comm is md5sum" [ "$(cat "$D/proc/$md5/comm" 2>/dev/null)" = md5sum ]
  # A host process that happens to have the same pid number, if any: it must be unaffected.
  host_start() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; echo "$s" | cut -d' ' -f20; }
  host_before=$(host_start "$md5")
  host_comm=$(cat "/proc/$md5/comm" 2>/dev/null)

  # Sanity: kill works inside at all (the shell signals itself, pid 1 there).
  out=$(wp sh -c 'kill -0 $$ && kill -0 1; echo rc=$?' 2>&1)
  check "kill -0 of a process in the namespace works inside [got: $out]" [ "$out" = rc=0 ]
  out=$(wp sh -c "kill -0 $md5 2>&1; echo rc=\$?" 2>&1)
  if [[ $out == *"rc="[1-9]* ]] && [[ $out == *"No such process"* ]]; then
    ok "kill -0 $md5 (a simulated pid) inside fails with No such process"
  else
    not_ok "kill -0 $md5 (a simulated pid) inside fails with No such process"
    diag "$out"
  fi
  out=$(wp sh -c "/usr/bin/kill -0 $md5 2>&1; echo rc=\$?" 2>&1)
  if [[ $out == *"rc="[1-9]* ]] && [[ $out == *"No such process"* ]]; then
    ok "procps kill -0 $md5 inside fails with No such process"
  else
    not_ok "procps kill -0 $md5 inside fails with No such process"
    diag "$out"
  fi
  out=$(wp sh -c "pkill -0 -x md5sum 2>&1; echo rc=\$?" 2>&1)
  if [[ $out == *"rc=0"* ]]; then
    not_ok "pkill -0 -x md5sum inside signals nothing"
    diag "$out"
  else
    ok "pkill -0 -x md5sum inside signals nothing (${out//$'\n'/; })"
  fi
  if [ -n "$host_before" ]; then
    check "host pid $md5 ($host_comm) is the same process afterwards" [ "$(host_start "$md5")" = "$host_before" ]
  else
    diag "no host process has pid $md5; nothing more to check there"
  fi
  check "ksim's md5sum (pid $md5) is still there" [ "$(cat "$D/proc/$md5/comm" 2>/dev/null)" = md5sum ]
fi

# A real signal at a real host process (one of ours) from inside: it must not arrive.
sleep 300 &
victim=$!
started_pids+=("$victim")
out=$(wp sh -c "kill -TERM $victim 2>&1; echo rc=\$?" 2>&1)
if [[ $out == *"rc="[1-9]* ]]; then
  ok "kill -TERM <host pid $victim> inside fails"
else
  not_ok "kill -TERM <host pid $victim> inside fails"
  diag "$out"
fi
check "the host process $victim is still alive" alive "$victim"
kill -TERM "$victim" 2>/dev/null
wait "$victim" 2>/dev/null

# --- the host's /proc and /sys are untouched --------------------------------------------------
check "host /proc/1/comm is unchanged ($host_comm_before)" [ "$(cat /proc/1/comm)" = "$host_comm_before" ]
check "host /proc and /sys are the same mounts as before" [ "$(host_mounts)" = "$host_mounts_before" ]
check "host /proc is still procfs" [ "$(stat -f -c %T /proc)" = proc ]
check "host /sys is still sysfs" [ "$(stat -f -c %T /sys)" = sysfs ]
check "no ksim mount at /proc or /sys on the host" eval '! awk '\''($5 == "/proc" || $5 == "/sys") && $0 ~ / - fuse/ { f = 1 } END { exit !f }'\'' /proc/self/mountinfo'
check "mounts under $D are unchanged (only the daemon's proc and sys)" [ "$(mounts_in_D)" = "$mounts_in_D_before" ]
check "host's /proc/self is the host's (readlink gives a host pid)" [ "$(readlink /proc/self)" != 1 ]
check "the daemon is still alive and serving" eval 'alive "$daemon" && serving "$D"'

finish
