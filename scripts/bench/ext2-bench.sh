#!/usr/bin/env bash
# ext2-bench: ksim's ext2 over FUSE against the kernel's ext2 and fuse2fs, with the team's
# anchor script (ext2-anchor.sh), all three in the same run so that machine load hits them alike.
#
# The anchor makes a fresh image per run, mounts it with each implementation in turn (runs
# interleaved), times the workloads (seq_write, seq_read, create_files, ls_l, create_tree,
# find_cold, untar, du_s, umount_flush, rm_rf_cold, rm_rest), checks the image with
# `e2fsck -fn` and prints a table of medians. This script prints that table and then the goals:
#   - ksim takes no longer than fuse2fs on every step;
#   - ksim is within 3x of the kernel on create_files, ls_l, find_cold, untar and du_s.
# Timing on a shared machine is noisy: read the ratios together with the load average the
# anchor prints, and prefer RUNS >= 3.
#
# Usage (as root): bash scripts/bench/ext2-bench.sh [PATH/TO/ext2-anchor.sh]
#   The anchor comes from the argument, else $ANCHOR, else ../shared/bench/ext2-anchor.sh next
#   to the repository. The anchor's knobs pass through the environment (RUNS, IMAGE_MIB,
#   SEQ_MIB, NFILES, TREE_DIRS, TREE_FILES, TREE_SRC, COLD_READ, STEP_TIMEOUT, TOTAL_TIMEOUT,
#   RAW_OUT, KEEP_IMAGE). Exit status: 0 if every goal is met and every e2fsck was clean, 1 if
#   a goal was missed, 2 on a usage error or an anchor failure (e.g. e2fsck).
# Installs nothing. Needs mkfs.ext2/e2fsck (e2fsprogs), fuse2fs, fusermount, loop mounts and
# root (drop_caches). The image and mountpoint live in a private temporary directory, removed
# at exit; the anchor unmounts what it mounted and stops only the FUSE servers it started.
set -uo pipefail

top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
ksim="$top/scripts/ksim"
anchor=${1:-${ANCHOR:-"$top/../shared/bench/ext2-anchor.sh"}}

die() { echo "ext2-bench: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (loop mounts, drop_caches)"
[ -f "$anchor" ] || die "anchor script not found: $anchor (give its path as an argument or in \$ANCHOR)"
for tool in fuse2fs fusermount mkfs.ext2 e2fsck awk; do
  command -v "$tool" >/dev/null || die "missing tool: $tool"
done
"$ksim" --help >/dev/null 2>&1 || die "ksim does not run ($ksim --help failed)"   # builds it if needed

work=$(mktemp -d "${TMPDIR:-/tmp}/ext2-bench.XXXXXX") || die "mktemp failed"
cleanup() {
  if mountpoint -q "$work/mnt" 2>/dev/null; then fusermount -u "$work/mnt" 2>/dev/null || umount "$work/mnt" 2>/dev/null; fi
  mountpoint -q "$work/mnt" 2>/dev/null || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

q_ksim=$(printf %q "$ksim")
q_log=$(printf %q "$work/ksim.log")
LABELS="kernel fuse2fs ksim" bash "$anchor" "$work/image" "$work/mnt" \
  'mount -t ext2 -o loop {image} {mnt}' 'umount {mnt}' \
  'fuse2fs {image} {mnt}' 'fusermount -u {mnt}' \
  "$q_ksim mount-ext2 {image} {mnt} >>$q_log 2>&1 &" 'fusermount -u {mnt}' >"$work/table.txt"
anchor_rc=$?
cat "$work/table.txt"
[ "$anchor_rc" = 0 ] || echo "# ext2-bench: the anchor exited $anchor_rc (an e2fsck failed or a run aborted)"

# Goals, from the medians of the table (columns: step kernel_s fuse2fs_s ksim_s ...).
awk '
  $1 == "workload" { table = 1; next }
  table && NF >= 4 && $1 !~ /^#/ {
    step = $1; k = $2; f = $3; s = $4
    if (k !~ /^[0-9.]+$/ || f !~ /^[0-9.]+$/ || s !~ /^[0-9.]+$/) {
      printf "# goal %-34s MISSED (no valid median: kernel=%s fuse2fs=%s ksim=%s)\n", step ": ksim <= fuse2fs", k, f, s
      missed++; next
    }
    ok = (s <= f)
    rf = (f > 0) ? s / f : 0
    printf "# goal %-34s %s (ksim %.3f s, fuse2fs %.3f s, ksim/fuse2fs %.2f)\n", step ": ksim <= fuse2fs", (ok ? "met" : "MISSED"), s, f, rf
    if (!ok) missed++
    if (step ~ /^(create_files|ls_l|find_cold|untar|du_s)$/) {
      r = (k > 0) ? s / k : 1e9
      ok = (r <= 3)
      printf "# goal %-34s %s (ksim/kernel %.2f)\n", step ": ksim <= 3x kernel", (ok ? "met" : "MISSED"), r
      if (!ok) missed++
    }
  }
  END { printf "# ext2-bench: %s\n", (missed ? missed " goal(s) missed" : "every goal met"); exit (missed ? 1 : 0) }
' "$work/table.txt"
goals_rc=$?
[ "$anchor_rc" = 0 ] || exit 2
exit "$goals_rc"
