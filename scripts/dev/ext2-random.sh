#!/usr/bin/env bash
# The long version of the ext2 property test: random operation sequences (create, write at
# random offsets, truncate, rename, link, unlink, mkdir, rmdir, symlink) on ksim's ext2 and on a
# host directory side by side, for every seed given and every kind of image (mke2fs defaults,
# -b 1024, -b 4096, -I 128, -O ^dir_index, ksim's own mkfs); the trees must agree every 250
# operations and after each remount, and e2fsck -fn must find each image clean.
# Usage: scripts/dev/ext2-random.sh [SEEDS] [OPS]   (defaults: 1,2,3 and 20000; needs e2fsprogs)
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
seeds=${1:-1,2,3}
ops=${2:-20000}
[[ $seeds =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "ext2-random: SEEDS is a comma-separated list of numbers" >&2; exit 2; }
[[ $ops =~ ^[0-9]+$ ]] || { echo "ext2-random: OPS is a number" >&2; exit 2; }
cd "$top"
exec mvn -q -B -pl kernelsim -am test -Dtest='Ext2PropertyTest#longRandomRuns' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dksim.ext2.seeds="$seeds" -Dksim.ext2.ops="$ops"
