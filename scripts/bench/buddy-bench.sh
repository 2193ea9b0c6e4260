#!/usr/bin/env bash
# buddy-bench: what the simulated page allocator costs.
#
# One run measures (see BuddyBench.java for the details):
#   1. single-page alloc_pages()/__free_pages() against a plain java.util.ArrayDeque free list
#      of pfns doing the same work, and the ratio between them;
#   2. alloc/free of orders 0..3;
#   3. booting a kernel and PreforkPool.start(kernel, 100000): time and heap in use.
# Figures are medians of RUNS runs; the raw runs are printed too. Other load on the machine
# shows up directly in them, so compare runs made on a quiet machine.
#
# Usage: bash scripts/bench/buddy-bench.sh
# Knobs (environment): RUNS=5 OPS=4000000 BATCH=4096 WORKERS=100000 MEMORY_GIB=192 HEAP=3g
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
cd "$top"
mvn -o -q -B package -DskipTests -pl kernelsim
exec java -Xmx"${HEAP:-3g}" -cp kernelsim/target/classes scripts/bench/BuddyBench.java
