#!/usr/bin/env bash
# Lifecycle of a ksim instance through the launcher: up, SIGTERM, kill -9 and the dead mount
# it leaves (cleaned by `down` and by the next `up`), a second `up` on a running instance,
# `down` with nothing running, --help of every command, with-proc with nothing running.
# Run from the repo root: bash scripts/tests/lifecycle.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.bash"

ensure_built

# --- class data sharing ---------------------------------------------------------------------
jar="$top/fusebridge/target/ksim.jar" jsa="$top/fusebridge/target/ksim.jsa"
check "the launcher left a class archive no older than the jar" eval '[ -f "$jsa" ] && ! [ "$jar" -nt "$jsa" ]'
out=$(java -XX:SharedArchiveFile="$jsa" -Xshare:on -jar "$jar" --version 2>&1)
rc=$?
check "the JVM accepts the archive for this jar (-Xshare:on, rc=$rc)" eval '[ "$rc" = 0 ] && grep -q "^ksim " <<<"$out"'

# --- help -------------------------------------------------------------------------------------
for sub in "" up down with-proc; do
  out=$("$ksim" $sub --help 2>&1)
  rc=$?
  name="ksim${sub:+ $sub} --help"
  if [ "$rc" = 0 ] && grep -q '^Usage: ksim' <<<"$out"; then
    ok "$name exits 0 and prints usage"
  else
    not_ok "$name exits 0 and prints usage (rc=$rc)"
    diag "$out"
  fi
done

# --- commands against a dir where nothing runs ------------------------------------------------
new_dir empty
out=$("$ksim" with-proc --dir "$empty" -- true 2>&1)
rc=$?
if [ "$rc" != 0 ] && grep -q "no running ksim at $empty" <<<"$out"; then
  ok "with-proc with nothing running fails (rc=$rc) with a clear message"
else
  not_ok "with-proc with nothing running fails with a clear message (rc=$rc)"
  diag "$out"
fi
check "with-proc with nothing running mounted nothing" \
  eval '! is_mounted "$empty/proc" && ! is_mounted "$empty/sys"'

new_dir unused
out=$("$ksim" down --dir "$unused" 2>&1)
rc=$?
if [ "$rc" = 0 ] && grep -q "nothing running at $unused" <<<"$out"; then
  ok "down on an unused dir says nothing is running and exits 0"
else
  not_ok "down on an unused dir says nothing is running and exits 0 (rc=$rc)"
  diag "$out"
fi

# --- up, then SIGTERM ------------------------------------------------------------------------
up_or_finish
launcher_pid=$UP_PID
# The line is printed once sys is mounted too, which may be a moment after proc serves.
check "up says where it is mounted" wait_until 10 grep -q "ksim is up: /proc at $D/proc, /sys at $D/sys" "$log"
loadavg=$(cat "$D/proc/loadavg" 2>&1)
if [[ $loadavg =~ ^[0-9]+\.[0-9]{2}\ [0-9]+\.[0-9]{2}\ [0-9]+\.[0-9]{2}\ [0-9]+/[0-9]+\ [0-9]+$ ]]; then
  ok "cat $D/proc/loadavg works ($loadavg)"
else
  not_ok "cat $D/proc/loadavg works"
  diag "$loadavg"
fi
check "proc and sys are mounted" eval 'is_mounted "$D/proc" && is_mounted "$D/sys"'
daemon=$(cat "$D/pid" 2>/dev/null)
check "pid file names a live process ($daemon)" alive "$daemon"
check "pid file names the java the launcher exec'd ($launcher_pid)" [ "$daemon" = "$launcher_pid" ]

kill -TERM "$daemon"
if wait_until 20 gone "$daemon"; then
  ok "daemon exits on SIGTERM"
else
  not_ok "daemon exits on SIGTERM within 20 s"
fi
reap "$launcher_pid"
diag "exit status after SIGTERM: $REAPED_RC"
check "after SIGTERM nothing is mounted at $D/proc" eval '! is_mounted "$D/proc"'
check "after SIGTERM nothing is mounted at $D/sys" eval '! is_mounted "$D/sys"'
check "after SIGTERM the pid file is removed" [ ! -e "$D/pid" ]

# --- kill -9 leaves a dead mount; down cleans it ---------------------------------------------
# kill_9_and_wait_dead: kill -9 the current daemon, reap it, wait until $D/proc is a dead mount.
dead() {
  local err
  err=$(LC_ALL=C stat "$D/proc" 2>&1 >/dev/null)
  [[ $err == *"Transport endpoint is not connected"* ]]
}
kill_9_and_wait_dead() {
  local pid=$UP_PID
  kill -KILL "$pid"
  wait_until 10 gone "$pid" || return 1
  reap "$pid"
  wait_until 10 dead
}

if start_up "$D" "$log"; then ok "up again on the same dir serves"; else not_ok "up again on the same dir serves"; diag "$(cat "$log")"; finish; fi
if kill_9_and_wait_dead; then
  ok "after kill -9, stat $D/proc fails with Transport endpoint is not connected"
else
  not_ok "after kill -9, stat $D/proc fails with Transport endpoint is not connected"
  diag "$(LC_ALL=C stat "$D/proc" 2>&1)"
fi
out=$("$ksim" down --dir "$D" 2>&1)
rc=$?
check "down after kill -9 exits 0 (rc=$rc)" [ "$rc" = 0 ]
if grep -q "dead mount" <<<"$out"; then ok "down says it cleaned a dead mount"; else not_ok "down says it cleaned a dead mount"; fi
diag "$out"
check "after down nothing is mounted at $D/proc" eval '! is_mounted "$D/proc"'
check "after down nothing is mounted at $D/sys" eval '! is_mounted "$D/sys"'
check "after down the stale pid file is gone" [ ! -e "$D/pid" ]

# --- kill -9 again; the next up cleans the dead mount itself ---------------------------------
if start_up "$D" "$log"; then ok "up after down serves"; else not_ok "up after down serves"; diag "$(cat "$log")"; finish; fi
if kill_9_and_wait_dead; then ok "kill -9 again leaves a dead mount"; else not_ok "kill -9 again leaves a dead mount"; fi
new_file log2
if start_up "$D" "$log2"; then
  ok "up over a dead mount comes up serving"
  up_served=true
else
  wait_until 10 gone "$UP_PID"
  reap "$UP_PID"
  not_ok "up over a dead mount comes up serving (rc=$REAPED_RC)"
  up_served=false
fi
if grep -q "dead mount" "$log2"; then ok "up says it cleaned the dead mount"; else not_ok "up says it cleaned the dead mount"; fi
diag "$(head -n 5 "$log2")"
if $up_served; then
  daemon=$UP_PID
  out=$("$ksim" down --dir "$D" 2>&1)
  rc=$?
  if [ "$rc" = 0 ] && grep -q "stopped daemon $daemon" <<<"$out"; then
    ok "down stops the daemon and says so"
  else
    not_ok "down stops the daemon and says so (rc=$rc)"
    diag "$out"
  fi
  check "the daemon is gone after down" wait_until 10 gone "$daemon"
  reap "$daemon"
  check "after down nothing is mounted at $D/proc and $D/sys" eval '! is_mounted "$D/proc" && ! is_mounted "$D/sys"'
else
  diag "skipped: down after that up (it did not come up); cleaning the dead mount with down"
  "$ksim" down --dir "$D" >/dev/null 2>&1   # clean the dead mount to go on
fi

# --- a second up while one is running --------------------------------------------------------
if start_up "$D" "$log"; then ok "up serves again"; else not_ok "up serves again"; diag "$(cat "$log")"; finish; fi
running=$UP_PID
# Bounded: if the second up wrongly started serving, it would stay in the foreground.
out=$(timeout 30 "$ksim" up --dir "$D" 2>&1)
rc=$?
if [ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q "already running at $D (pid $running)" <<<"$out"; then
  ok "a second up fails (rc=$rc) with an 'already running' message"
else
  not_ok "a second up fails with an 'already running' message (rc=$rc)"
  diag "$out"
fi
check "the running daemon is still alive" alive "$running"
check "the running daemon still serves" serving "$D"
check "the pid file still names the running daemon" [ "$(cat "$D/pid" 2>/dev/null)" = "$running" ]
check "proc and sys are still mounted" eval 'is_mounted "$D/proc" && is_mounted "$D/sys"'
out=$("$ksim" down --dir "$D" 2>&1)
check "down stops it" grep -q "stopped daemon $running" <<<"$out"
wait_until 10 gone "$running"
reap "$running"

finish
