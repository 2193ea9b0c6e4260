package ksim.mm.slub;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import ksim.mm.BumpPageSource;

/**
 * Throughput of kmem_cache_alloc / kmem_cache_free in the model (run by
 * scripts/bench/slab-bench.sh; not a unit test). Each thread allocates a batch of objects on
 * its CPU and frees them again, so the fast paths dominate and the slow paths (refill from the
 * partial lists, new slabs, chains) run as they would. One operation is one alloc or one free.
 * The reference is ArrayDeque push/pop of the same number of boxed longs, in the same run.
 * Prints one line per figure: "name ops_per_second" (median of the rounds).
 */
public final class SlubBench {
    private static final int BATCH = 64;

    private SlubBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        long opsPerRound = args.length > 1 ? Long.parseLong(args[1]) : 20_000_000L;
        Slub slub = new Slub(Slub.Config.defaults(2, 1), new BumpPageSource(0x10000, 1 << 22));
        KmemCache s = slub.kmalloc().cache(Kmalloc.Type.NORMAL, 64);
        // Warm up every path.
        for (int i = 0; i < 3; i++) {
            deque(opsPerRound / 4);
            single(slub, s, 0, opsPerRound / 4);
            parallel(slub, s, opsPerRound / 4);
        }
        report("arraydeque_push_pop", rounds, () -> deque(opsPerRound));
        report("slub_alloc_free_1thread", rounds, () -> single(slub, s, 0, opsPerRound));
        report("slub_alloc_free_2threads_2cpus", rounds, () -> parallel(slub, s, opsPerRound));
        report("slub_alloc_free_cross_cpu_1thread", rounds, () -> crossCpu(slub, s, opsPerRound));
    }

    /** A timed body: returns the operations it did. */
    @FunctionalInterface
    private interface Body {
        long run() throws Exception;
    }

    private static void report(String name, int rounds, Body body) throws Exception {
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            long ops = body.run();
            long t1 = System.nanoTime();
            rates.add(ops * 1e9 / (t1 - t0));
        }
        Collections.sort(rates);
        System.out.printf("%s %.0f%n", name, rates.get(rates.size() / 2));
    }

    static long sink;

    private static long deque(long ops) {
        ArrayDeque<Long> d = new ArrayDeque<>(BATCH);
        long done = 0;
        long x = 0;
        while (done < ops) {
            for (int i = 0; i < BATCH; i++) d.push(x++);
            for (int i = 0; i < BATCH; i++) sink += d.pop();
            done += 2 * BATCH;
        }
        return done;
    }

    private static long single(Slub slub, KmemCache s, int cpu, long ops) {
        long[] objs = new long[BATCH];
        long done = 0;
        while (done < ops) {
            for (int i = 0; i < BATCH; i++) objs[i] = slub.alloc(s, cpu);
            for (int i = BATCH - 1; i >= 0; i--) slub.free(s, objs[i], cpu);
            done += 2 * BATCH;
        }
        return done;
    }

    /** Allocated on CPU 0, freed on CPU 1: the remote-free slow path and the chains. */
    private static long crossCpu(Slub slub, KmemCache s, long ops) {
        long[] objs = new long[BATCH];
        long done = 0;
        while (done < ops) {
            for (int i = 0; i < BATCH; i++) objs[i] = slub.alloc(s, 0);
            for (int i = 0; i < BATCH; i++) slub.free(s, objs[i], 1);
            done += 2 * BATCH;
        }
        return done;
    }

    private static long parallel(Slub slub, KmemCache s, long ops) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        long[] done = new long[2];
        Thread[] ts = new Thread[2];
        for (int cpu = 0; cpu < 2; cpu++) {
            final int c = cpu;
            ts[cpu] = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                done[c] = single(slub, s, c, ops / 2);
            }, "bench-cpu" + cpu);
            ts[cpu].start();
        }
        for (Thread t : ts) t.join();
        return done[0] + done[1];
    }
}
