#!/usr/bin/env bash
# ext2 images through `ksim mount-ext2` (FUSE) and `ksim mkfs.ext2`: a workload on images made by
# mkfs.ext2 (defaults, -b 1024, -I 128, -O ^dir_index) and by ksim's mkfs; afterwards e2fsck -fn is
# clean and debugfs agrees with what was written. The host kernel's ext2 (loop mount) reads back
# exactly what ksim wrote and vice versa, including directories the kernel indexed (htree).
# Also: fsync reaches the image while mounted, clean unmount and SIGTERM mark the filesystem
# clean, kill -9 leaves it not clean with fsynced data intact after e2fsck -fy, read-only mounts,
# unlinked open files, hard links seen through every name, owners and permissions of new files,
# and images refused at mount.
# Run from the repo root: bash scripts/tests/ext2.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.bash"

ensure_built
for tool in mkfs.ext2 e2fsck debugfs dumpe2fs perl sha256sum; do
  command -v "$tool" >/dev/null || { not_ok "needs $tool (e2fsprogs)"; finish; }
done

mnts=()        # mountpoints of this test, unmounted (lazily if need be) at exit
ext2_cleanup() {
  local m
  for m in "${mnts[@]}"; do
    if is_mounted "$m"; then fusermount -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; fi
  done
}
trap 'ext2_cleanup; cleanup' EXIT

new_dir W
SRC=$W/src
M=$W/mnt
K=$W/kmnt
mkdir -p "$SRC" "$M" "$K"
mnts+=("$M" "$K")

# A source tree: a slice of the host's headers, deterministic extra files (sparse, large, empty).
if [ -d /usr/include/linux ]; then cp -a /usr/include/linux "$SRC/linux"; fi
perl -e 'srand(7); for my $i (0 .. 199) { open my $f, ">", "$ARGV[0]/r$i" or die; binmode $f;
  print $f join("", map { chr(int(rand(256))) } 1 .. int(rand(30000))); close $f }' "$SRC"
truncate -s 70M "$SRC/sparse" && printf 'end' >>"$SRC/sparse"
: >"$SRC/empty"

# manifest DIR: type, path, size, mode, links and symlink target of everything, then checksums.
manifest() {
  (cd "$1" && find . -path ./lost+found -prune -o ! -path . -printf '%y %p %s %m %n %l\n' | LC_ALL=C sort &&
    find . -path ./lost+found -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# mtimes DIR: every regular file's path and mtime in seconds (what tar restores).
mtimes() { (cd "$1" && find . -type f -printf '%P %Ts\n' | LC_ALL=C sort); }

MPID=
# mount_ksim IMAGE [OPTS...]: ksim mount-ext2 in the background (MPID); 0 once mounted.
mount_ksim() {
  local img=$1
  shift
  "$ksim" mount-ext2 "$@" "$img" "$M" >"$W/mount.log" 2>&1 &
  MPID=$!
  started_pids+=("$MPID")
  mounted_or_gone() { is_mounted "$M" || gone "$MPID"; }
  wait_until 30 mounted_or_gone
  is_mounted "$M"
}
# umount_ksim: fusermount -u, then the server must write back and exit 0 (REAPED_RC).
umount_ksim() {
  fusermount -u "$M" || return 1
  wait_until 60 gone "$MPID" || return 1
  reap "$MPID"
  [ "$REAPED_RC" = 0 ]
}
fsck_clean() { # fsck_clean IMAGE DESC
  local out rc
  out=$(e2fsck -fn "$1" 2>&1)
  rc=$?
  if [ "$rc" = 0 ]; then ok "$2: e2fsck -fn exits 0"; else not_ok "$2: e2fsck -fn exits 0 (rc=$rc)"; diag "$out"; fi
}
state_of() { dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Filesystem state: *//p'; }
dbg() { debugfs -R "$2" "$1" 2>/dev/null; }

# workload ROOT: what the anchor benchmark does, smaller, plus every kind of inode.
workload() {
  local r=$1
  dd if=/dev/urandom of="$r/seq.bin" bs=1M count=8 conv=fsync status=none &&
    mkdir "$r/many" && (cd "$r/many" && seq -f 'f%05g' 1 400 | xargs touch) &&
    [ "$(ls -l "$r/many" | wc -l)" = 401 ] &&
    tar -S -C "$SRC" -cf - . | tar -C "$r" -xf - &&
    mkdir -p "$r/tree/a/b" && ln "$r/seq.bin" "$r/tree/a/b/hard" &&
    ln -s seq.bin "$r/fast" && ln -s "$(printf 'x%.0s' $(seq 100))" "$r/slow" &&
    mkfifo "$r/fifo" && mknod "$r/chr" c 4 64 && mknod "$r/blk" b 300 70000 &&
    mv "$r/many/f00001" "$r/tree/a/moved" && mv "$r/tree/a/b" "$r/many/b" &&
    truncate -s 12345 "$r/r1" && truncate -s 100000 "$r/r2" && rm "$r/r3" "$r/many/f0000"[2-9] &&
    chmod 4751 "$r/r4" && chown 1000:2000 "$r/r5" && touch -d '2001-02-03 04:05:06.789' "$r/r6" &&
    rmdir "$r/tree/a" 2>/dev/null; [ -d "$r/tree/a" ]
}

# --- the workload on each kind of image, checked by e2fsck, debugfs and the kernel's ext2 --------
loop_ok=0
if mount -o loop -t ext2 -o ro "$W/probe.img" "$K" 2>/dev/null; then umount "$K"; fi
truncate -s 64M "$W/probe.img" && mkfs.ext2 -q -F "$W/probe.img" &&
  mount -o loop -t ext2 "$W/probe.img" "$K" 2>/dev/null && umount "$K" && loop_ok=1
rm -f "$W/probe.img"
[ "$loop_ok" = 1 ] || echo "# loop mounts refused here: kernel cross-checks skipped"

for kind in default b1024 i128 nodirindex ksim; do
  img=$W/$kind.img
  rm -f "$img"
  case $kind in
    default) truncate -s 256M "$img" && mkfs.ext2 -q -F "$img" ;;
    b1024) truncate -s 256M "$img" && mkfs.ext2 -q -F -b 1024 "$img" ;;
    i128) truncate -s 256M "$img" && mkfs.ext2 -q -F -I 128 "$img" ;;
    nodirindex) truncate -s 256M "$img" && mkfs.ext2 -q -F -O ^dir_index "$img" ;;
    ksim) "$ksim" mkfs.ext2 -q "$img" 256M ;;
  esac
  if ! mount_ksim "$img"; then not_ok "$kind: mount-ext2 mounts"; diag "$(cat "$W/mount.log")"; continue; fi
  ok "$kind: mount-ext2 mounts"
  check "$kind: the live image is marked not clean" [ "$(state_of "$img")" = "not clean" ]
  if workload "$M"; then ok "$kind: workload through FUSE"; else not_ok "$kind: workload through FUSE"; fi
  manifest "$M" >"$W/ksim.manifest"
  check "$kind: what was copied reads back through ksim" diff -r "$SRC/linux" "$M/linux"
  check "$kind: tar restored every file's mtime" diff <(mtimes "$SRC/linux") <(mtimes "$M/linux")
  touch -m -d @1000000000 "$M/r7" && touch -a -d @1100000000 "$M/r7"
  check "$kind: touch -m and touch -a change one time each" [ "$(stat -c '%X %Y' "$M/r7")" = "1100000000 1000000000" ]
  if umount_ksim; then ok "$kind: unmount, server exits 0"; else not_ok "$kind: unmount, server exits 0"; diag "$(cat "$W/mount.log")"; fi
  check "$kind: a clean unmount marks the filesystem clean" [ "$(state_of "$img")" = clean ]
  fsck_clean "$img" "$kind after the workload"
  st=$(dbg "$img" "stat /seq.bin")
  check "$kind: debugfs: /seq.bin has 8 MiB and 2 links" grep -q "Size: 8388608" <<<"$st"
  check "$kind: debugfs: /seq.bin has 2 links" grep -q "Links: 2" <<<"$st"
  check "$kind: debugfs: /chr is 4:64" grep -q "Device major/minor number: 04:64" <<<"$(dbg "$img" "stat /chr")"
  check "$kind: debugfs: /r5 belongs to 1000:2000" grep -qE "User: +1000 +Group: +2000" <<<"$(dbg "$img" "stat /r5")"
  dbg "$img" "dump /r1 $W/r1.out"
  check "$kind: debugfs: /r1 holds its first 12345 bytes" cmp -s "$W/r1.out" <(head -c 12345 "$SRC/r1")
  names_dbg=$(dbg "$img" "ls -p /many" | awk -F/ 'NF > 5 && $6 != "." && $6 != ".." { print $6 }' | LC_ALL=C sort)
  names_ksim=$(grep -E '^[a-z] \./many/[^/]+ ' "$W/ksim.manifest" | awk '{ sub("./many/", "", $2); print $2 }' | LC_ALL=C sort)
  check "$kind: debugfs ls of /many lists what ls listed" [ "$names_dbg" = "$names_ksim" ]

  if [ "$loop_ok" = 1 ]; then
    mount -o loop -t ext2 "$img" "$K"
    manifest "$K" >"$W/kernel.manifest"
    check "$kind: the kernel's ext2 reads back exactly what ksim wrote" diff "$W/ksim.manifest" "$W/kernel.manifest"
    mkdir "$K/bykernel" && tar -S -C "$SRC" -cf - linux r1 r2 | tar -C "$K/bykernel" -xf - &&
      mkdir "$K/big" && (cd "$K/big" && seq -f 'entry-with-a-long-name-%06g' 1 3000 | xargs touch)
    manifest "$K" >"$W/kernel2.manifest"
    df_kernel=$(df --output=size,used,avail,itotal,iused,iavail "$K" | tail -1)
    umount "$K"
    fsck_clean "$img" "$kind after the kernel wrote"
    mount_ksim "$img"
    manifest "$M" >"$W/ksim2.manifest"
    check "$kind: ksim reads back exactly what the kernel wrote" diff "$W/kernel2.manifest" "$W/ksim2.manifest"
    df_ksim=$(df --output=size,used,avail,itotal,iused,iavail "$M" | tail -1)
    check "$kind: statfs (df) as the kernel reports it [$df_ksim]" [ "$df_ksim" = "$df_kernel" ]
    (cd "$M/big" && seq -f 'added-%04g' 1 500 | xargs touch && seq -f 'entry-with-a-long-name-%06g' 1 7 3000 | xargs rm) &&
      mv "$M/big/added-0001" "$M/big/renamed"
    n=$(ls "$M/big" | wc -l)
    umount_ksim
    fsck_clean "$img" "$kind after ksim changed a directory the kernel indexed"
    mount -o loop -t ext2 "$img" "$K"
    check "$kind: the kernel sees ksim's changes to that directory ($n entries)" [ "$(ls "$K/big" | wc -l)" = "$n" ]
    umount "$K"
  fi
done

img=$W/ksim.img

# --- fsync reaches the image while mounted --------------------------------------------------------
mount_ksim "$img"
head -c 300000 /dev/urandom >"$W/synced"
dd if="$W/synced" of="$M/synced" bs=64k conv=fsync status=none
dbg "$img" "dump /synced $W/synced.live"
check "fsync: the data is in the image while still mounted" cmp -s "$W/synced" "$W/synced.live"

# --- hard links: every name sees a change made through another ------------------------------------
mkdir -p "$M/h/x" && echo one >"$M/h/a" && ln "$M/h/a" "$M/h/b" && ln "$M/h/a" "$M/h/x/c"
stat "$M/h/b" "$M/h/x/c" >/dev/null
echo twotwo >>"$M/h/a"
check "hard links: the size changed through one name shows through the others" \
  [ "$(stat -c %s "$M/h/b") $(stat -c %s "$M/h/x/c")" = "11 11" ]
check "hard links: the data too" [ "$(cat "$M/h/x/c")" = "$(printf 'one\ntwotwo')" ]
rm "$M/h/a"
check "hard links: the link count follows an unlink" [ "$(stat -c %h "$M/h/b")" = 2 ]

# --- the caller's credentials own what it creates; the host kernel enforces modes -------------------
if command -v setpriv >/dev/null; then
  chmod 755 "$W"   # mktemp made it 0700: let the users reach the mount
  mkdir -m 1777 "$M/pub"
  setpriv --reuid 1000 --regid 2000 --clear-groups sh -c "touch '$M/pub/u' && mkdir '$M/pub/ud'"
  check "credentials: a user's new file and directory are 1000:2000" \
    [ "$(stat -c '%u:%g' "$M/pub/u" "$M/pub/ud" | sort -u)" = "1000:2000" ]
  err=$(setpriv --reuid 1001 --regid 1001 --clear-groups rm -f "$M/pub/u" 2>&1)
  check "credentials: another user cannot remove it from a sticky directory [$err]" [ -e "$M/pub/u" ]
fi

# --- an unlinked file stays readable and writable through its open descriptor ---------------------
out=$(perl -e 'open(my $f, "+>", $ARGV[0]) or die "open: $!"; unlink($ARGV[0]) or die "unlink: $!";
  syswrite($f, "written after unlink") or die "write: $!"; sysseek($f, 0, 0); sysread($f, my $b, 100);
  print -e $ARGV[0] ? "exists " : "gone ", $b' "$M/orphan" 2>&1)
check "unlinked open file: gone from the directory, still read/write [$out]" [ "$out" = "gone written after unlink" ]
umount_ksim
fsck_clean "$img" "after the unlinked file was closed"

# --- SIGTERM unmounts and marks clean ---------------------------------------------------------------
mount_ksim "$img"
touch "$M/before-term"
kill -TERM "$MPID"
wait_until 60 gone "$MPID"
reap "$MPID"
check "SIGTERM: the server exits after its shutdown hook (143, like any JVM) [rc=$REAPED_RC]" [ "$REAPED_RC" = 143 ]
check "SIGTERM: the mountpoint is released" bash -c "! awk -v p='$M' '\$5 == p { f = 1 } END { exit !f }' /proc/self/mountinfo"
check "SIGTERM: the filesystem is marked clean" [ "$(state_of "$img")" = clean ]
check "SIGTERM: what was written is there" grep -q before-term <<<"$(dbg "$img" "ls /")"

# --- kill -9: not clean, fsynced data survives e2fsck -fy --------------------------------------------
mount_ksim "$img"
head -c 1000000 /dev/urandom >"$W/precious"
dd if="$W/precious" of="$M/precious" bs=128k conv=fsync status=none
tar -S -C "$SRC" -cf - linux | tar -C "$M" -xf - --transform 's,^linux,unsynced,'
kill -KILL "$MPID"
wait_until 10 gone "$MPID"
reap "$MPID"
fusermount -u -z "$M" 2>/dev/null || umount -l "$M"
check "kill -9: the filesystem is left not clean" [ "$(state_of "$img")" = "not clean" ]
e2fsck -fy "$img" >"$W/fsck-y.out" 2>&1
rc=$?
check "kill -9: e2fsck -fy repairs the image (rc=$rc)" [ "$rc" -le 1 ]
fsck_clean "$img" "kill -9 then e2fsck -fy"
dbg "$img" "dump /precious $W/precious.out"
check "kill -9: the fsynced file is intact" cmp -s "$W/precious" "$W/precious.out"

# --- read-only mount ------------------------------------------------------------------------------------
sum=$(sha256sum <"$img")
mount_ksim "$img" -o ro
err=$(touch "$M/nope" 2>&1)
check "-o ro: creating a file fails with EROFS [$err]" grep -q "Read-only file system" <<<"$err"
check "-o ro: files read" cmp -s "$W/precious" "$M/precious"
umount_ksim
check "-o ro: the image is not written" [ "$(sha256sum <"$img")" = "$sum" ]

# --- images refused at mount, untouched ------------------------------------------------------------------
cp "$img" "$W/bad.img"
printf '\x52\xef' | dd of="$W/bad.img" bs=1 seek=$((1024 + 0x38)) conv=notrunc status=none
sum=$(sha256sum <"$W/bad.img")
err=$("$ksim" mount-ext2 "$W/bad.img" "$M" 2>&1)
rc=$?
check "bad magic: mount-ext2 exits 32 [rc=$rc]" [ "$rc" = 32 ]
check "bad magic: one line says why [$err]" [ "$(wc -l <<<"$err")" = 1 ] && grep -q "can't find an ext2 filesystem" <<<"$err"
check "bad magic: the image is untouched" [ "$(sha256sum <"$W/bad.img")" = "$sum" ]
cp "$img" "$W/bad.img"
printf '\x42' | dd of="$W/bad.img" bs=1 seek=$((1024 + 0x60)) conv=notrunc status=none
err=$("$ksim" mount-ext2 "$W/bad.img" "$M" 2>&1)
rc=$?
check "extents: refused with the feature named [rc=$rc: $err]" [ "$rc" = 32 ] && grep -q "unsupported optional features (40: extents)" <<<"$err"
# --- damage found while mounted: EIO, one log line, nothing written after it ----------------------------
cp "$img" "$W/loop.img"
debugfs -w -R "mkdir /a" "$W/loop.img" >/dev/null 2>&1 && debugfs -w -R "mkdir /a/b" "$W/loop.img" >/dev/null 2>&1 &&
  debugfs -w -R "link /a /a/b/up" "$W/loop.img" >/dev/null 2>&1
mount_ksim "$W/loop.img"
cp "$W/loop.img" "$W/loop.before"   # the mount has marked it not clean; nothing may change after this
err=$(ls "$M/a/b/up" 2>&1)
check "directory loop: EIO [$err]" grep -q "Input/output error" <<<"$err"
err=$(touch "$M/after" 2>&1)
check "directory loop: the filesystem stops writing [$err]" grep -q "Read-only file system" <<<"$err"
umount_ksim
check "directory loop: exactly one log line names the damage" [ "$(grep -c 'EXT2-fs error' "$W/mount.log")" = 1 ]
diag "$(grep 'EXT2-fs error' "$W/mount.log")"
check "directory loop: the image was not written after the damage was found" cmp -s "$W/loop.img" "$W/loop.before"
check "directory loop: it is left not clean" [ "$(state_of "$W/loop.img")" = "not clean" ]

check "no mount was left behind" bash -c "! awk -v p='$M' '\$5 == p { f = 1 } END { exit !f }' /proc/self/mountinfo"

finish
