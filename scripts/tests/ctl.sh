#!/usr/bin/env bash
# The control plane end to end: `ksim up --clock MANUAL --scenario`, `ksim ctl` one command at a
# time (exit status, text and JSON), the pipelined harness of scripts/ctl-harness.bash, and what
# real ps shows as processes are spawned, stopped, continued, killed and reaped; bad commands
# answer err and leave the daemon serving; a bad scenario refuses to boot.
# Run from the repo root: bash scripts/tests/ctl.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.bash"
source "$top/scripts/ctl-harness.bash"

ensure_built

out=$("$ksim" ctl --help 2>&1)
check "ksim ctl --help exits 0 and prints usage" eval '[ $? = 0 ] && grep -q "^Usage: ksim ctl" <<<"$out"'

# --- no daemon --------------------------------------------------------------------------------
new_dir nothing
out=$("$ksim" ctl --dir "$nothing" ping 2>&1)
rc=$?
if [ "$rc" = 2 ] && grep -q "no running ksim at $nothing" <<<"$out"; then
  ok "ksim ctl with nothing running exits 2 and says so"
else
  not_ok "ksim ctl with nothing running exits 2 and says so (rc=$rc)"
  diag "$out"
fi

# --- a scenario that fails aborts the boot ----------------------------------------------------
new_dir B
new_file bad
new_file badlog
printf '%s\n' '# builds nothing' 'spawn --comm fine' 'kill -STOP 999999' 'spawn --comm never' >"$bad"
timeout 60 "$ksim" up --dir "$B" --clock MANUAL --scenario "$bad" >"$badlog" 2>&1
rc=$?
if [ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q "line 3: kill -STOP 999999" "$badlog" && grep -q "err ESRCH" "$badlog"; then
  ok "a scenario line answered err aborts the boot (rc=$rc) naming the line and the answer"
else
  not_ok "a scenario line answered err aborts the boot naming the line and the answer (rc=$rc)"
  diag "$(cat "$badlog")"
fi
check "the aborted boot mounted nothing and left no pid file or socket" \
  eval '! is_mounted "$B/proc" && ! is_mounted "$B/sys" && [ ! -e "$B/pid" ] && [ ! -e "$B/ctl.sock" ]'

# --- up with a scenario -----------------------------------------------------------------------
new_dir D
new_file log
new_file scen
cat >"$scen" <<'SCENARIO'
# a login shell with one job of each kind
spawn --comm jobshell --argv "bash -l"
sysctl kernel.hostname=ctl-test
SCENARIO
if start_up "$D" "$log" --clock MANUAL --scenario "$scen"; then
  ok "up --clock MANUAL --scenario serves $D/proc/stat"
else
  not_ok "up --clock MANUAL --scenario serves $D/proc/stat"
  diag "$(cat "$log")"
  finish
fi
daemon=$UP_PID
check "up reports the scenario's 2 commands" grep -q "scenario $scen: 2 commands" "$log"
check "the scenario ran before the mount: hostname is ctl-test" [ "$(cat "$D/proc/sys/kernel/hostname")" = ctl-test ]
check "the control socket is there, mode 0600" eval '[ -S "$D/ctl.sock" ] && [ "$(stat -c %a "$D/ctl.sock")" = 600 ]'

# --- one command at a time ---------------------------------------------------------------------
out=$("$ksim" ctl --dir "$D" ping)
check "ksim ctl ping answers ok pong=1 and exits 0" eval '[ $? = 0 ] && [ "$out" = "ok pong=1" ]'
out=$("$ksim" ctl --dir "$D" --json ping)
check "ksim ctl --json ping answers JSON" [ "$out" = '{"ok":true,"pong":1}' ]
out=$("$ksim" ctl --dir "$D" ps --comm jobshell)
shell=$(sed -n 's/^ok count=1 \([0-9]*\):1:S:jobshell$/\1/p' <<<"$out")
check "ps --comm jobshell finds the scenario's shell ($out)" [ -n "$shell" ]
out=$("$ksim" ctl --dir "$D" kill -9 999999 2>&1)
rc=$?
check "kill of an unknown pid: exit 1, err ESRCH ($out)" eval '[ "$rc" = 1 ] && [[ $out == "err ESRCH "* ]]'
out=$("$ksim" ctl --dir "$D" kill -99 "$shell" 2>&1)
rc=$?
check "kill -99: exit 1, err EINVAL ($out)" eval '[ "$rc" = 1 ] && [[ $out == "err EINVAL "* ]]'
out=$("$ksim" ctl --dir "$D" spawn --comm "two words" --state bogus 2>&1)
check "spawn --state bogus: err EINVAL ($out)" eval '[[ $out == "err EINVAL "* ]]'

# --- the pipelined harness: spawn, stop, cont, kill, zombie, reap ------------------------------
# psstat PID: STAT and ARGS of PID as real ps shows them through ksim's /proc.
psstat() { LC_ALL=C "$ksim" with-proc --dir "$D" -- ps -o stat=,args= -p "$1" 2>&1; }
ctl_open "$D"
# The harness sends its arguments joined by spaces: quote for the protocol inside them.
ctl spawn --parent "$shell" --comm job --argv '"job --work"'
check "harness: spawn under the shell ($CTL_REPLY)" [ "$(ctl_field state)" = S ]
job=$(ctl_field pid)
ctl setpgid "$job" 0
ctl kill -STOP "$job"
check "kill -STOP answers state=T ($CTL_REPLY)" [ "$(ctl_field state)" = T ]
out=$(psstat "$job")
check "ps shows the job stopped: T ($out)" eval '[[ $out == "T "* ]]'
check "its wchan is do_signal_stop" [ "$(cat "$D/proc/$job/wchan")" = do_signal_stop ]
ctl cont "$job"
out=$(psstat "$job")
check "after cont, ps shows it sleeping again: S ($out)" eval '[[ $out == "S "*"job --work" ]]'
ctl sleep "$job" D --wchan io_schedule
out=$(psstat "$job")
check "sleep D: ps shows D ($out)" eval '[[ $out == "D "* ]]'
check "/proc/stat counts it in procs_blocked" grep -q "^procs_blocked [1-9]" "$D/proc/stat"
ctl kill -9 "$job"
check "SIGKILL does not wake a D sleeper ($CTL_REPLY)" [ "$(ctl_field state)" = D ]
ctl run "$job"
check "woken, it dies: a zombie ($CTL_REPLY)" [ "$(ctl_field state)" = Z ]
out=$(psstat "$job")
check "ps shows Z and [job] <defunct> ($out)" eval '[[ $out == "Z"*"[job] <defunct>" ]]'
check "/proc/$job/status says Z (zombie)" grep -qx $'State:\tZ (zombie)' "$D/proc/$job/status"
check "its cmdline is empty" [ ! -s "$D/proc/$job/cmdline" ]
ctl wait "$shell"
check "the shell's wait reaps it, killed by SIGKILL ($CTL_REPLY)" \
  eval '[ "$(ctl_field pid)" = "$job" ] && [ "$(ctl_field signal)" = KILL ]'
check "after the reap /proc/$job is gone" [ ! -e "$D/proc/$job" ]
ctl wait "$shell"
check "a second wait: no children, err ECHILD ($CTL_REPLY)" eval '[[ $CTL_REPLY == "err ECHILD "* ]]'
ctl show 999999
check "bad commands through the harness answer err too ($CTL_REPLY)" eval '[[ $CTL_REPLY == "err ESRCH "* ]]'
ctl tick 250
check "tick 250 on the manual clock ($CTL_REPLY)" [ -n "$(ctl_field jiffies)" ]
ctl_close
rc=$?
check "the harness's ksim ctl - ended with status 1: some of its answers were err (rc=$rc)" [ "$rc" = 1 ]

# --- stdin pipelined, exit status --------------------------------------------------------------
out=$(printf '%s\n' 'spawn --count 50 --comm bulk' 'ps --comm bulk' '# a comment' '' 'count' | "$ksim" ctl --dir "$D" -)
rc=$?
check "ksim ctl - answers 3 commands, all ok, exit 0 (rc=$rc)" eval '[ "$rc" = 0 ] && [ "$(grep -c ^ok <<<"$out")" = 3 ]'
check "the bulk spawn is visible in /proc ($(grep -c . <<<"$out") lines)" \
  eval '[ "$(grep -l "^bulk$" "$D"/proc/[0-9]*/comm 2>/dev/null | wc -l)" = 50 ]'
out=$(printf '%s\n' ping 'kill -NOPE 1' ping | "$ksim" ctl --dir "$D" -)
rc=$?
check "one err among three: exit 1, answers in order (rc=$rc)" \
  eval '[ "$rc" = 1 ] && [ "$(tr "\n" "|" <<<"$out" | cut -c1-30)" = "ok pong=1|err EINVAL unknown s" ]'

check "the daemon is alive and serving after all the bad commands" eval 'alive "$daemon" && serving "$D"'
check "no exception or error in the daemon's log" eval '! grep -qE "Exception|ERROR|EIO" "$log"'

out=$("$ksim" down --dir "$D" 2>&1)
check "down stops it" grep -q "stopped daemon $daemon" <<<"$out"
wait_until 10 gone "$daemon"
reap "$daemon"
check "down leaves no control socket" [ ! -e "$D/ctl.sock" ]

finish
