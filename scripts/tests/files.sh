#!/usr/bin/env bash
# Clients and raw files through `ksim with-proc`: find and ls -lR, cat of every file of /proc
# and /sys, re-reading one open fd after lseek, and bad input (writes, missing pids, offsets,
# over-long names), after which the daemon must still be alive and serving.
# Run from the repo root: bash scripts/tests/files.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.bash"

ensure_built
up_or_finish
daemon=$UP_PID

# wp CMD...: runs CMD through with-proc in the C locale (stable error messages).
wp() { LC_ALL=C "$ksim" with-proc --dir "$D" -- "$@"; }

# --- find and ls -lR --------------------------------------------------------------------------
out=$(wp find /proc -maxdepth 1 2>&1)
rc=$?
if [ "$rc" = 0 ] && grep -qx /proc/1 <<<"$out" && grep -qx /proc/self <<<"$out" \
    && grep -qx /proc/stat <<<"$out" && grep -qx /proc/sys <<<"$out"; then
  ok "find /proc -maxdepth 1 exits 0 and lists pids, self, files and dirs ($(wc -l <<<"$out") entries)"
else
  not_ok "find /proc -maxdepth 1 exits 0 and lists pids, self, files and dirs (rc=$rc)"
  diag "$out"
fi

# A thread that is not its group leader (rsyslogd has 4 threads in the demo).
thread_dir=
for t in "$D"/proc/[0-9]*/task/[0-9]*; do
  tid=${t##*/} p=${t%/task/*}
  if [ "$tid" != "${p##*/}" ]; then thread_dir=/proc/${p##*/}/task/$tid; break; fi
done
check "found a thread dir that is not a group leader ($thread_dir)" [ -n "$thread_dir" ]
err=$(wp ls -lR /proc/1 /proc/self/ /proc/sys ${thread_dir:+"$thread_dir"} 2>&1 >/dev/null)
rc=$?
if [ "$rc" = 0 ] && [ -z "$err" ]; then
  ok "ls -lR /proc/1 /proc/self/ /proc/sys $thread_dir exits 0 with no error"
else
  not_ok "ls -lR /proc/1 /proc/self/ /proc/sys $thread_dir exits 0 with no error (rc=$rc)"
  diag "$err"
fi
# Documented, as on Linux: a kernel thread has no exe.
out=$(wp readlink /proc/2/exe 2>&1)
rc=$?
if [ "$rc" != 0 ] && [[ $out == *"No such file or directory"* || -z $out ]]; then
  ok "readlink /proc/2/exe (a kernel thread) fails with ENOENT, as on Linux"
else
  not_ok "readlink /proc/2/exe (a kernel thread) fails with ENOENT, as on Linux (rc=$rc)"
  diag "$out"
fi
out=$(wp sh -c 'ls -l /proc/2/exe; echo rc=$?' 2>&1)
check "ls -l /proc/2/exe says No such file or directory" eval '[[ $out == *"cannot read symbolic link"*"No such file or directory"* ]]'

# --- cat of every file ------------------------------------------------------------------------
# Inside: lists kernel threads (PF_KTHREAD in stat's flags), then cats every regular file of
# /proc (pid dirs with their task/ dirs, top-level files, sys/, tty/) and /sys, one cat per file.
# shellcheck disable=SC2016
inner='
listing=$1
for s in /proc/[0-9]*/stat; do
  line=$(cat "$s") || continue
  rest=${line##*) }
  set -- $rest
  if [ $(( $7 & 0x200000 )) != 0 ]; then echo "KTHREAD ${s#/proc/}"; fi
done
find /proc /sys -type f > "$listing" 2>&1
echo "FIND_RC $?"
while IFS= read -r f; do
  echo "FILE $f"
  if err=$(cat -- "$f" 2>&1 >/dev/null); then :; else echo "FAIL $f: $err"; fi
done < "$listing"
'
new_file listing
# Bounded: a file whose read blocks would show up as the files after it missing.
out=$(wp timeout 40 bash -c "$inner" inner "$listing" 2>&1)
kthreads=$(sed -n 's|^KTHREAD \([0-9]*\)/stat$|\1|p' <<<"$out" | tr '\n' ' ')
nfiles=$(grep -c '^FILE ' <<<"$out")
check "find /proc /sys -type f exits 0" grep -qx 'FIND_RC 0' <<<"$out"
check "found kernel threads ($kthreads)" [ -n "$kthreads" ]
missing=()
for f in /proc/stat /proc/uptime /proc/loadavg /proc/meminfo /proc/cpuinfo /proc/version /proc/1/stat \
    /proc/1/status /proc/1/task/1/stat /proc/sys/kernel/pid_max /proc/tty/drivers \
    /sys/devices/system/cpu/online; do
  grep -qx "FILE $f" <<<"$out" || missing+=("$f")
done
if [ "${#missing[@]}" = 0 ]; then
  ok "the files cat read include the expected top-level, pid, task, sys, tty and /sys files"
else
  not_ok "the files cat read include ${missing[*]}"
  diag "$(grep -v '^FILE ' <<<"$out" | head -20)"
fi
allowed=0 other=0 other_lines=()
kt_re=" ${kthreads} "
while IFS= read -r line; do
  [[ $line == FAIL\ * ]] || continue
  if [[ $line =~ ^FAIL\ /proc/([0-9]+)(/task/([0-9]+))?/(environ|smaps_rollup):\ .*No\ such\ process$ ]] \
      && [[ $kt_re == *" ${BASH_REMATCH[1]} "* ]]; then
    allowed=$((allowed + 1))
  else
    other=$((other + 1))
    other_lines+=("$line")
  fi
done <<<"$out"
nk=$(wc -w <<<"$kthreads")
if [ "$other" = 0 ] && [ "$nfiles" -gt 100 ]; then
  ok "cat of all $nfiles files of /proc and /sys succeeds except environ and smaps_rollup of kernel threads"
else
  not_ok "cat of all $nfiles files of /proc and /sys succeeds except environ and smaps_rollup of kernel threads ($other other failures)"
  diag "${other_lines[@]:0:30}"
fi
check "environ and smaps_rollup of each kernel thread (and of its task dir) fail with ESRCH, as on Linux ($allowed of $((4 * nk)))" \
  [ "$allowed" = $((4 * nk)) ]

# --- one fd, lseek 0, read again: the wall clock moved -----------------------------------------
# The sleep is the subject here (time must pass between the two reads), not synchronisation.
# shellcheck disable=SC2016
perl_prog='
sysopen(my $fh, "/proc/stat", 0) or die "open: $!\n";
sub slurp { my ($b, $c) = (""); while (1) { my $n = sysread($fh, $c, 65536); die "read: $!\n" unless defined $n; last if $n == 0; $b .= $c } $b }
my $first = slurp();
select(undef, undef, undef, 1.1);
my $pos = sysseek($fh, 0, 0); die "lseek: $!\n" unless defined $pos;
my $second = slurp();
printf "lseek=%d first=%d second=%d %s\n", $pos, length($first), length($second),
  $first eq $second ? "same" : "different";
print "cpu-line-first: ", ($first =~ /^(cpu .*)$/m)[0], "\ncpu-line-second: ", ($second =~ /^(cpu .*)$/m)[0], "\n";
'
out=$(wp perl -e "$perl_prog" 2>&1)
if [[ $out =~ ^lseek=0\ first=[1-9][0-9]*\ second=[1-9][0-9]*\ different ]]; then
  ok "/proc/stat read twice through one fd (lseek 0, 1.1 s apart) differs"
else
  not_ok "/proc/stat read twice through one fd (lseek 0, 1.1 s apart) differs"
fi
diag "$out"

# --- bad input --------------------------------------------------------------------------------
out=$(wp bash -c 'echo 1 > /proc/uptime' 2>&1)
rc=$?
check "echo 1 > /proc/uptime fails with Permission denied (rc=$rc: $out)" \
  eval '[ "$rc" != 0 ] && [[ $out == *"Permission denied"* ]]'

pid_max_before=$(cat "$D/proc/sys/kernel/pid_max")
out=$(wp bash -c 'echo abc > /proc/sys/kernel/pid_max' 2>&1)
rc=$?
check "echo abc > /proc/sys/kernel/pid_max fails with Invalid argument (rc=$rc: $out)" \
  eval '[ "$rc" != 0 ] && [[ $out == *"Invalid argument"* ]]'
out=$(wp cat /proc/sys/kernel/pid_max 2>&1)
check "pid_max is unchanged ($pid_max_before -> $out)" [ "$out" = "$pid_max_before" ]
out=$(wp bash -c 'echo 40000 > /proc/sys/kernel/pid_max && cat /proc/sys/kernel/pid_max' 2>&1)
rc=$?
check "echo 40000 > /proc/sys/kernel/pid_max works and reads back (rc=$rc: $out)" \
  eval '[ "$rc" = 0 ] && [ "$out" = 40000 ]'
check "the host sees pid_max 40000 too" [ "$(cat "$D/proc/sys/kernel/pid_max")" = 40000 ]

out=$(wp cat /proc/99999/stat 2>&1)
rc=$?
check "cat /proc/99999/stat fails with No such file or directory (rc=$rc: $out)" \
  eval '[ "$rc" != 0 ] && [[ $out == *"No such file or directory"* ]]'

out=$(wp sh -c 'dd if=/proc/1/stat bs=1 skip=5 count=10 2>/dev/null; echo "|"; cut -c6-15 /proc/1/stat' 2>&1)
got=${out%%|*} want=${out#*|$'\n'}
check "dd if=/proc/1/stat bs=1 skip=5 count=10 gives bytes 6-15 [dd: '$got', cut: '$want']" \
  eval '[ "${#got}" = 10 ] && [ "$got" = "$want" ]'
out=$(wp sh -c 'dd if=/proc/version bs=7 skip=3 count=4 2>/dev/null; echo "|"; tail -c +22 /proc/version | head -c 28' 2>&1)
got=${out%%|*} want=${out#*|$'\n'}
check "dd if=/proc/version bs=7 skip=3 count=4 gives bytes 22-49 [dd: '$got']" \
  eval '[ "${#got}" = 28 ] && [ "$got" = "$want" ]'

long=$(printf 'a%.0s' {1..300})
for parent in /proc /proc/1 /proc/sys/kernel /sys; do
  out=$(wp cat "$parent/$long" 2>&1)
  rc=$?
  check "cat $parent/<300 chars> fails with File name too long (rc=$rc)" \
    eval '[ "$rc" != 0 ] && [[ $out == *"File name too long"* ]]'
done

# --- still alive and serving ------------------------------------------------------------------
check "the daemon is still alive" alive "$daemon"
check "the daemon still serves on the host" serving "$D"
out=$(wp cat /proc/1/comm 2>&1)
check "the daemon still serves through with-proc [got: $out]" [ "$out" = systemd ]
# Every bad input above is an errno, not a bug: nothing may have reached the log as an exception.
check "no exception or error in the daemon's log" eval '! grep -qE "Exception|ERROR|EIO" "$log"'

finish
