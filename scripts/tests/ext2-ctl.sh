#!/usr/bin/env bash
# ext2 mounted inside a running kernel: `ksim ctl mount ext2 IMAGE /mnt/data` serves the image at
# <instance>/root/mnt/data; files written there are the kernel's (ext2_inode_cache, dentry and
# buffer_head objects in /proc/slabinfo and /sys/kernel/slab), /proc/mounts and mountinfo list it
# (read by findmnt and df inside with-proc), `ctl umount` gives everything back and leaves the
# image clean for e2fsck; refusals answer err with an errno; `ksim down` unmounts it cleanly; a
# scenario line mounts it at boot, and `down` cleans the dead mount a killed daemon leaves.
# Run from the repo root: bash scripts/tests/ext2-ctl.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.bash"

ensure_built
for tool in e2fsck debugfs findmnt; do
  command -v "$tool" >/dev/null || { not_ok "$tool is installed (e2fsprogs, util-linux)"; finish; }
done

up_or_finish
daemon=$UP_PID
new_dir W
img="$W/data.img"
"$ksim" mkfs.ext2 -q "$img" 32M

# objects CACHE: objects in use, exactly (shrink first flushes the per-CPU slabs, as on Linux).
objects() {
  echo 1 >"$D/sys/kernel/slab/$1/shrink"
  local o
  read -r o _ <"$D/sys/kernel/slab/$1/objects"
  echo "$o"
}
# fsck_clean: e2fsck -fn finds nothing to fix.
fsck_clean() { e2fsck -fn "$img" >/dev/null 2>&1; }
caches=(ext2_inode_cache dentry buffer_head)
check "mkfs.ext2 made a clean image" fsck_clean
declare -A base
for c in "${caches[@]}"; do base[$c]=$(objects "$c"); done

out=$("$ksim" ctl --dir "$D" mount ext2 "$img" /mnt/data)
rc=$?
mnt="$D/root/mnt/data"
check "ctl mount ext2 answers ok with where it is served ($out)" eval '[ "$rc" = 0 ] && grep -q "at=$mnt" <<<"$out"'
check "the image is a FUSE mount at $mnt" is_mounted "$mnt"

n=100
for i in $(seq 1 "$n"); do echo "file $i" >"$mnt/f$i"; done
mkdir "$mnt/dir" && echo nested >"$mnt/dir/x"
check "$n files written through the mount read back" eval '[ "$(cat "$mnt/f$n")" = "file $n" ] && [ "$(ls "$mnt" | wc -l)" = $((n + 2)) ]'

line=$(grep " /mnt/data " "$D/proc/mounts")
check "ksim's /proc/mounts lists it: $line" eval '[ "$line" = "$img /mnt/data ext2 rw,relatime 0 0" ]'
check "/proc/mounts is a link to self/mounts" [ "$(readlink "$D/proc/mounts")" = self/mounts ]
info=$("$ksim" with-proc --dir "$D" -- cat /proc/self/mountinfo)
check "inside with-proc, /proc/self/mountinfo is ksim's: rootfs, proc, sysfs, the loop device" \
  eval 'grep -qE "^1 1 0:[0-9]+ / / rw shared:[0-9]+ - rootfs rootfs " <<<"$info" && grep -qE " 7:[0-9]+ / /mnt/data rw,relatime shared:[0-9]+ - ext2 " <<<"$info"'
fm=$("$ksim" with-proc --dir "$D" -- findmnt -n -o TARGET,SOURCE,FSTYPE,PROPAGATION /mnt/data 2>&1)
check "findmnt inside with-proc parses it: $fm" eval '[ "$(echo $fm)" = "/mnt/data $img ext2 shared" ]'
tree=$("$ksim" with-proc --dir "$D" -- findmnt -n -l -o TARGET 2>&1)
check "findmnt lists the kernel's 4 mounts in order" eval '[ "$(echo $tree)" = "/ /proc /sys /mnt/data" ]'
ff=$(findmnt -F "$D/proc/1/mounts" -n -o TARGET,FSTYPE /mnt/data 2>&1)
check "findmnt -F reads ksim's /proc/1/mounts: $ff" eval '[ "$(echo $ff)" = "/mnt/data ext2" ]'
dfo=$("$ksim" with-proc --dir "$D" -- df -a 2>&1)
rc=$?
check "df -a inside with-proc exits 0 and lists /mnt/data (rc=$rc)" eval '[ "$rc" = 0 ] && grep -q " /mnt/data$" <<<"$dfo"'

declare -A now
for c in "${caches[@]}"; do now[$c]=$(objects "$c"); done
check "ext2_inode_cache holds the root, $n files, a directory and its file (${base[ext2_inode_cache]} -> ${now[ext2_inode_cache]})" \
  [ "${now[ext2_inode_cache]}" -ge $((base[ext2_inode_cache] + n + 3)) ]
check "dentry grew by a name per file (${base[dentry]} -> ${now[dentry]})" [ "${now[dentry]}" -ge $((base[dentry] + n + 2)) ]
check "buffer_head holds the metadata blocks (${base[buffer_head]} -> ${now[buffer_head]})" [ "${now[buffer_head]}" -gt "${base[buffer_head]}" ]
grep -q "^ext2_inode_cache " "$D/proc/slabinfo"
check "/proc/slabinfo has ext2_inode_cache" grep -q "^ext2_inode_cache " "$D/proc/slabinfo"

# --- refusals: an errno each, nothing changed -------------------------------------------------
before=$("$ksim" ctl --dir "$D" mounts)
refusals=$(printf '%s\n' "mount ext2 $img /mnt/again" "mount ext2 $W/none.img /mnt/x" "mount ext4 $img /mnt/x" \
  "mount ext2 data.img /mnt/x" "mount ext2 $img mnt/x" "mount ext2 $W /mnt/x" "umount /proc" "umount /mnt/none" |
  "$ksim" ctl --dir "$D" -)
rc=$?
check "refusals: EBUSY ENOENT ENODEV EINVAL EINVAL EIO-or-EINVAL EBUSY EINVAL, exit 1 (rc=$rc)" \
  eval '[ "$rc" = 1 ] && [ "$(cut -d" " -f1-2 <<<"$refusals" | tr "\n" " ")" = "err EBUSY err ENOENT err ENODEV err EINVAL err EINVAL err $(sed -n 6p <<<"$refusals" | cut -d" " -f2) err EBUSY err EINVAL " ] && sed -n 6p <<<"$refusals" | grep -qE "^err (EINVAL|EIO|ENOENT) "'
diag "$refusals"
check "the refusals left the table as it was" [ "$("$ksim" ctl --dir "$D" mounts)" = "$before" ]

exec 3<"$mnt/f1"
out=$("$ksim" ctl --dir "$D" umount /mnt/data)
check "umount while a file is open: $out" eval '[[ $out == "err EBUSY "* ]] && is_mounted "$mnt"'
exec 3<&-
(cd "$mnt" && exec sleep 60) &
busy=$!
out=$("$ksim" ctl --dir "$D" umount /mnt/data)
check "umount while a host process has its working directory there: $out" eval '[[ $out == "err EBUSY "* ]] && is_mounted "$mnt"'
kill "$busy"; wait "$busy" 2>/dev/null
wait_until 5 eval '"$ksim" ctl --dir "$D" umount /mnt/data >/dev/null'
check "umount once it is closed: ok, and nothing is mounted at $mnt" eval '! is_mounted "$mnt" && ! grep -q /mnt/data "$D/proc/mounts"'
for c in "${caches[@]}"; do
  after=$(objects "$c")
  check "$c is back to $((base[$c])) after umount ($after)" [ "$after" = "${base[$c]}" ]
done
check "e2fsck -fn finds the image clean after umount" fsck_clean
check "debugfs sees the $n files and the directory" eval '[ "$(debugfs -R "ls /" "$img" 2>/dev/null | grep -oE "\bf[0-9]+\b" | wc -l)" = "$n" ]'

# --- unmounted on the host side ------------------------------------------------------------
"$ksim" ctl --dir "$D" mount ext2 "$img" /mnt/data >/dev/null
fusermount -u "$mnt"
check "unmounted on the host, the kernel lets it go too" \
  wait_until 10 eval '! grep -q " /mnt/data " "$D/proc/mounts"'
check "e2fsck -fn finds the image clean after the host's unmount" fsck_clean
out=$("$ksim" ctl --dir "$D" mount ext2 "$img" /mnt/data)
check "the same image mounts again: $out" eval '[[ $out == ok* ]] && is_mounted "$mnt"'

# --- down with a mount in place --------------------------------------------------------------
echo last >"$mnt/last"
out=$("$ksim" down --dir "$D" 2>&1)
check "down stops the daemon" grep -q "stopped daemon $daemon" <<<"$out"
wait_until 20 gone "$daemon"
reap "$daemon"
check "no mount is left under $D" eval '! awk -v p="$D/" "index(\$5, p) == 1 { f = 1 } END { exit !f }" /proc/self/mountinfo'
check "e2fsck -fn finds the image clean after down" fsck_clean
check "the file written just before down is on the image" eval '[ "$(debugfs -R "cat /last" "$img" 2>/dev/null)" = last ]'
check "no exception or error in the daemon's log" eval '! grep -qE "Exception|ERROR" "$log"'

# --- a scenario mounts at boot ---------------------------------------------------------------
new_dir S
new_file slog
new_file scen
echo "mount ext2 $img /mnt/data -o ro" >"$scen"
if start_up "$S" "$slog" --scenario "$scen"; then
  check "a scenario line mounts the image read-only before proc is served" \
    eval '[ "$(cat "$S/root/mnt/data/last")" = last ] && grep -q " /mnt/data ext2 ro,relatime " "$S/proc/mounts"'
  stop_pid "$UP_PID"
  check "SIGTERM unmounts it" eval '! is_mounted "$S/root/mnt/data"'
else
  not_ok "up --scenario with a mount line comes up"
  diag "$(cat "$slog")"
fi
check "the image is still clean" fsck_clean

# --- kill -9 leaves a dead mount; down cleans it ----------------------------------------------
new_dir K
new_file klog
if start_up "$K" "$klog" --scenario "$scen"; then
  kill -KILL "$UP_PID"
  wait_until 10 gone "$UP_PID"
  reap "$UP_PID"
  out=$("$ksim" down --dir "$K" 2>&1)
  check "down after kill -9 cleans the dead kernel mount: $(echo $out)" \
    eval 'grep -q "$K/root/mnt/data" <<<"$out" && ! is_mounted "$K/root/mnt/data" && ! is_mounted "$K/proc"'
else
  not_ok "up --scenario with a mount line comes up again"
  diag "$(cat "$klog")"
fi

finish
