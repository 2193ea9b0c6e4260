import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.PreforkPool;
import ksim.mm.PageSource;
import ksim.mm.PageSource.Gfp;
import ksim.mm.VmStat;

/**
 * The page allocator's costs, measured in one run (no JUnit; launched by buddy-bench.sh as a
 * single-file program against kernelsim's classes):
 *
 * 1. alloc_pages()/__free_pages() of single pages against a plain ArrayDeque free list of pfns
 *    doing the same pops and pushes, in batches freed in random order (so the buddy allocator
 *    splits and merges as it would under churn); nanoseconds per operation and the ratio.
 * 2. The same for a mix of orders 0..3 (buddy only: a pfn deque has no orders).
 * 3. Booting a kernel and starting PreforkPool with WORKERS (default 100000) idle processes,
 *    each of which takes its stack, slab, page tables and anonymous folios from the allocator:
 *    wall time and the heap in use afterwards.
 *
 * Each figure is the median of RUNS runs after a warm-up. Knobs: RUNS, OPS, BATCH, WORKERS,
 * MEMORY_GIB (the simulated machine for step 3; it must hold WORKERS processes).
 */
public class BuddyBench {
    static int env(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : Integer.parseInt(v);
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** A shuffled permutation of 0..n-1, the order a batch is freed in. */
    static int[] permutation(int n, Random r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** ns per operation (an allocation or a free) for ops operations in batches. */
    static double buddy(PageSource b, int ops, int batch, int[] perm, boolean mixed) {
        long[] pfns = new long[batch];
        int[] orders = new int[batch];
        long t0 = System.nanoTime();
        for (int done = 0; done < ops; done += 2 * batch) {
            for (int i = 0; i < batch; i++) {
                orders[i] = mixed ? i & 3 : 0;
                pfns[i] = b.allocPages(Gfp.HIGHUSER_MOVABLE, orders[i]);
            }
            for (int i = 0; i < batch; i++) b.freePages(pfns[perm[i]], orders[perm[i]]);
        }
        return (System.nanoTime() - t0) / (double) ops;
    }

    static double deque(ArrayDeque<Long> free, int ops, int batch, int[] perm) {
        long[] pfns = new long[batch];
        long t0 = System.nanoTime();
        for (int done = 0; done < ops; done += 2 * batch) {
            for (int i = 0; i < batch; i++) pfns[i] = free.pop();
            for (int i = 0; i < batch; i++) free.push(pfns[perm[i]]);
        }
        return (System.nanoTime() - t0) / (double) ops;
    }

    static long usedHeapMb() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    public static void main(String[] args) {
        int runs = env("RUNS", 5);
        int ops = env("OPS", 4_000_000);
        int batch = env("BATCH", 4096);
        int workers = env("WORKERS", 100_000);
        long memGib = env("MEMORY_GIB", 192);
        Random r = new Random(42);
        int[] perm = permutation(batch, r);

        VmStat vm = new VmStat(4L << 20, 2);
        PageSource buddy = vm.pageSource();
        ArrayDeque<Long> deque = new ArrayDeque<>();
        for (long pfn = 1L << 20; pfn < (1L << 20) + batch * 4L; pfn++) deque.push(pfn);
        // Warm-up, then alternate so both see the same machine load.
        buddy(buddy, ops, batch, perm, false);
        deque(deque, ops, batch, perm);
        buddy(buddy, ops, batch, perm, true);
        List<Double> b0 = new ArrayList<>();
        List<Double> dq = new ArrayList<>();
        List<Double> bm = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            b0.add(buddy(buddy, ops, batch, perm, false));
            dq.add(deque(deque, ops, batch, perm));
            bm.add(buddy(buddy, ops, batch, perm, true));
        }
        System.out.println("raw buddy order-0 ns/op: " + b0);
        System.out.println("raw deque ns/op:         " + dq);
        System.out.println("raw buddy orders 0-3:    " + bm);
        if (vm.freePages() != vm.totalRamPages()) throw new IllegalStateException("the benchmark leaked pages");

        List<Double> boot = new ArrayList<>();
        List<Double> pool = new ArrayList<>();
        List<Double> heap = new ArrayList<>();
        long usedPages = 0;
        for (int i = 0; i < Math.max(1, (runs + 1) / 2); i++) {
            usedHeapMb();
            long t0 = System.nanoTime();
            Kernel k = Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL).withBootEpochMs(1_700_000_000_000L)
                    .withMemoryKb(memGib << 20).withPidMax(4 << 20));
            long t1 = System.nanoTime();
            PreforkPool.start(k, workers);
            long t2 = System.nanoTime();
            boot.add((t1 - t0) / 1e6);
            pool.add((t2 - t1) / 1e6);
            heap.add((double) usedHeapMb());
            usedPages = k.vmstat().totalRamPages() - k.vmstat().freePages();
            k = null;
        }
        System.out.println("raw boot ms: " + boot + ", pool ms: " + pool + ", heap MB: " + heap);

        System.out.println();
        System.out.println("| figure | value | reference | ratio |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| order-0 alloc+free, ns/op (batches of %d, freed shuffled) | %.1f | ArrayDeque of pfns %.1f | %.1fx |%n",
                batch, median(b0), median(dq), median(b0) / median(dq));
        System.out.printf("| orders 0-3 alloc+free, ns/op | %.1f | | |%n", median(bm));
        System.out.printf("| boot, %d GiB simulated, ms | %.0f | | |%n", memGib, median(boot));
        System.out.printf("| PreforkPool.start(%d), ms | %.0f | | |%n", workers, median(pool));
        System.out.printf("| heap in use after it, MB | %.0f | | |%n", median(heap));
        System.out.printf("| pages in use after it (simulated) | %d (%.1f GiB) | | |%n", usedPages, usedPages / 262144.0);
        System.out.println();
        System.out.println("Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, max heap "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MB, Java " + System.getProperty("java.version")
                + "; RUNS=" + runs + " OPS=" + ops + " BATCH=" + batch + " WORKERS=" + workers + " MEMORY_GIB=" + memGib);
    }
}
