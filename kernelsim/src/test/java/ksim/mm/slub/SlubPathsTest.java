package ksim.mm.slub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import ksim.mm.BumpPageSource;
import org.junit.jupiter.api.Test;

/** The allocation and free paths of spec 5.1-5.4, one behaviour at a time. */
class SlubPathsTest {
    static Slub newSlub(int cpus) {
        return new Slub(Slub.Config.defaults(cpus, 7), new BumpPageSource(0x10000, 1 << 20));
    }

    private static long sum(long[] a) {
        return CacheStats.sum(a);
    }

    private static List<Long> alloc(Slub slub, KmemCache s, int n, int cpu) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(slub.alloc(s, cpu));
        return out;
    }

    @Test
    void aNewCacheStartsEmptyAndTheFastPathChangesNoCounter() {
        Slub slub = newSlub(2);
        KmemCache s = slub.create("fresh", 64, Slub.Args.NONE, 0);
        CacheStats st = slub.stats(s);
        assertEquals(0, sum(st.slabs()));
        assertEquals(0, sum(st.totalObjects()));
        long first = slub.alloc(s, 0);
        st = slub.stats(s);
        assertEquals(1, sum(st.slabs()));
        assertEquals(64, sum(st.objects()), "the CPU slab's free objects count as in use");
        assertEquals(1, sum(st.cpuSlabs()));
        long second = slub.alloc(s, 0);
        assertArrayEquals(st.objects(), slub.stats(s).objects(), "the fast path changes no counter");
        assertTrue(first != second);
        assertEquals(s.slabSize(), Math.abs(first - second) % 64 == 0 ? 64 : -1, "objects sit slab_size apart");
        slub.free(s, second, 0);
        assertArrayEquals(st.objects(), slub.stats(s).objects(), "a free to the CPU slab changes no counter either");
        SlubAudit.check(slub, s, Set.of(first));
    }

    @Test
    void aFullSlabFreedOnAnotherCpuJoinsThatCpusChain() {
        Slub slub = newSlub(2);
        KmemCache s = slub.kmalloc().cache(Kmalloc.Type.NORMAL, 8192); // 4 objects, cpu_partial 6 -> 3 slabs
        assertEquals(3, s.cpuPartialSlabs());
        List<Long> objs = alloc(slub, s, 20, 0); // 5 full slabs; the fifth is CPU 0's
        CacheStats st = slub.stats(s);
        assertEquals(5, sum(st.slabs()));
        assertEquals(1, sum(st.cpuSlabs()));
        // One object from each of the first three slabs, freed on CPU 1.
        for (int i = 0; i < 3; i++) slub.free(s, objs.get(i * 4), 1);
        st = slub.stats(s);
        assertEquals(3, st.chainSlabs()[1], "CPU 1's chain holds the three slabs");
        assertEquals(0, sum(st.partial()));
        assertEquals(1, sum(st.cpuSlabs()), "CPU 1 has no CPU slab, so its chain is not in cpu_slabs");
        assertEquals(20, sum(st.objects()), "free objects on a CPU chain count as in use");
        // The fourth: the chain is at cpu_partial_slabs, so it drains whole to the node list first.
        slub.free(s, objs.get(12), 1);
        st = slub.stats(s);
        assertEquals(1, st.chainSlabs()[1]);
        assertEquals(3, sum(st.partial()), "the old chain went to the node partial list");
        assertEquals(17, sum(st.objects()));
        assertEquals(9, sum(st.objectsPartial()));
        // CPU 1 allocates: its chain's slab becomes its CPU slab; now the chain counts in cpu_slabs.
        long taken = slub.alloc(s, 1);
        st = slub.stats(s);
        assertEquals(0, st.chainSlabs()[1]);
        assertEquals(2, sum(st.cpuSlabs()));
        Set<Long> live = new HashSet<>(objs);
        for (int i : new int[] {0, 4, 8, 12}) live.remove(objs.get(i));
        live.add(taken);
        SlubAudit.check(slub, s, live);
    }

    @Test
    void getPartialMovesSlabsOntoTheChainUntilMoreThanHalfTheBudget() {
        Slub slub = newSlub(2);
        KmemCache s = slub.kmalloc().cache(Kmalloc.Type.NORMAL, 4096); // 8 objects, cpu_partial 6 -> 2 slabs
        assertEquals(2, s.cpuPartialSlabs());
        List<Long> objs = alloc(slub, s, 48, 0); // 6 full slabs
        s.setMinPartial(10);
        // Free one object of slabs 0..4 on CPU 1, draining chains of 2 to the node list as they fill.
        for (int i = 0; i < 5; i++) slub.free(s, objs.get(i * 8), 1);
        slub.flushAll(s, 1);
        CacheStats st = slub.stats(s);
        assertEquals(5, sum(st.partial()));
        assertEquals(0, st.chainSlabs()[1]);
        // CPU 1 now allocates past its freelist: one partial slab becomes its CPU slab and
        // moved > 2/2 = 1 more slabs go to its chain, i.e. 2.
        slub.flushAll(s, 0);
        slub.alloc(s, 1);
        st = slub.stats(s);
        assertTrue(st.cpuHasSlab()[1]);
        assertEquals(2, st.chainSlabs()[1], "two slabs moved to the chain (more than half of cpu_partial_slabs)");
        assertEquals(2, sum(st.partial()), "5 - 1 taken - 2 moved");
    }

    @Test
    void writingCpuPartialFlushesEveryCpu() {
        // Observed on kmalloc-8k: cpu_slabs 2 -> 0 and partial 0 -> 2 right after.
        Slub slub = newSlub(2);
        KmemCache s = slub.kmalloc().cache(Kmalloc.Type.NORMAL, 8192);
        slub.alloc(s, 0);
        slub.alloc(s, 1);
        CacheStats st = slub.stats(s);
        assertEquals(2, sum(st.cpuSlabs()));
        assertEquals(0, sum(st.partial()));
        s.setCpuPartial(s.cpuPartial(), 0);
        st = slub.stats(s);
        assertEquals(0, sum(st.cpuSlabs()));
        assertEquals(2, sum(st.partial()));
        assertEquals(2, sum(st.objects()), "deactivated slabs give their free objects back");
        s.setCpuPartial(0, 0);
        assertEquals(0, s.cpuPartialSlabs());
    }

    @Test
    void emptySlabsAreKeptUpToMinPartialAndShrinkFreesThemAll() {
        Slub slub = newSlub(2);
        KmemCache s = slub.kmalloc().cache(Kmalloc.Type.NORMAL, 1024); // 16 objects per order-2 slab
        List<Long> objs = alloc(slub, s, 16 * 12, 0);
        slub.flushAll(s, 0);
        // Free everything on CPU 1, then flush: chains drain to the node, empties beyond min_partial go.
        for (long h : objs) slub.free(s, h, 1);
        slub.flushAll(s, 1);
        CacheStats st = slub.stats(s);
        assertEquals(5, s.minPartial());
        assertEquals(5, sum(st.slabs()), "empty slabs are kept while the node has fewer than min_partial");
        assertEquals(5, sum(st.partial()));
        assertEquals(0, sum(st.objects()));
        long pages = slub.slabPages(false);
        assertEquals(0, slub.shrink(s, 0), "shrink gives back every empty slab whatever min_partial says");
        st = slub.stats(s);
        assertEquals(0, sum(st.slabs()));
        assertEquals(pages - 5 * 4, slub.slabPages(false), "5 order-2 slabs went back");
    }

    @Test
    void shrinkPutsTheFullestSlabsFirst() {
        Slub slub = newSlub(2);
        KmemCache s = slub.create("sorted", 512, Slub.Args.NONE, 0); // 16 per order-1 slab
        assertEquals(16, s.objsPerSlab());
        List<Long> objs = alloc(slub, s, 16 * 4, 0);
        // Slab i keeps i+1 objects free... slab 3 is the CPU slab: flush it first.
        slub.flushAll(s, 0);
        int[] freeCounts = {5, 1, 9, 3};
        for (int slab = 0; slab < 4; slab++) {
            for (int j = 0; j < freeCounts[slab]; j++) slub.free(s, objs.get(slab * 16 + j), 0);
        }
        slub.flushAll(s, 0);
        slub.shrink(s, 0);
        List<Integer> order = new ArrayList<>();
        for (Slab p = s.nodes[0].partialHead; p != null; p = p.nextOnList) order.add(p.objects - p.inuse);
        assertEquals(List.of(1, 3, 5, 9), order);
    }

    @Test
    void deactivationPutsRemotelyFreedSlabsAtTheTail() {
        Slub slub = newSlub(2);
        KmemCache s = slub.kmalloc().cache(Kmalloc.Type.NORMAL, 2048); // 16 per slab
        List<Long> a = alloc(slub, s, 20, 1); // slab A full, slab B is CPU 1's with 4 in use
        slub.free(s, a.get(19), 0); // B is frozen: a remote free onto its own freelist
        slub.alloc(s, 0); // CPU 0 gets a new slab C
        slub.flushAll(s, 0); // CPU 0 first: C to the head; then CPU 1: B, with remote frees, to the tail
        Slab head = s.nodes[0].partialHead;
        Slab tail = s.nodes[0].partialTail;
        assertEquals(2, s.nodes[0].nrPartial);
        assertEquals(1, head.inuse, "C, deactivated without remote frees, went to the head");
        assertEquals(3, tail.inuse, "B, which had a remote free, went to the tail");
    }

    @Test
    void doubleFreesAreCaughtAndChangeNothing() {
        Slub slub = newSlub(2);
        for (KmemCache s : List.of(slub.create("df_plain", 96, Slub.Args.NONE, 0),
                slub.create("df_sheaf", 96, new Slub.Args(0, 0, 0, -1, 8, null), 0),
                slub.create("df_debug", 96, Slub.Args.NONE, SlabFlags.CONSISTENCY_CHECKS | SlabFlags.STORE_USER))) {
            List<Long> objs = alloc(slub, s, 100, 0);
            Set<Long> live = new HashSet<>(objs);
            for (int cpu : new int[] {0, 1}) {
                long h = objs.get(cpu * 50);
                slub.free(s, h, cpu);
                live.remove(h);
                CacheStats before = slub.stats(s);
                for (int again : new int[] {0, 1}) {
                    KernelError e = assertThrows(KernelError.class, () -> slub.free(s, h, again), s.name());
                    assertEquals(Errno.EINVAL, e.errno());
                    assertTrue(e.getMessage().contains("double free"), e.getMessage());
                }
                CacheStats after = slub.stats(s);
                assertArrayEquals(before.objects(), after.objects());
                assertArrayEquals(before.slabs(), after.slabs());
                SlubAudit.check(slub, s, live);
            }
            // An object still on the CPU freelist (never allocated) is free too.
            long fresh = slub.alloc(s, 0);
            slub.free(s, fresh, 0);
            assertThrows(KernelError.class, () -> slub.free(s, fresh, 0));
            SlubAudit.check(slub, s, live);
        }
    }

    @Test
    void freeingIntoTheWrongCacheOrAtABadAddressIsRefused() {
        Slub slub = newSlub(2);
        KmemCache a = slub.create("cache_a", 200, Slub.Args.NONE, 0);
        KmemCache b = slub.create("cache_b", 300, Slub.Args.NONE, 0);
        long h = slub.alloc(a, 0);
        KernelError e = assertThrows(KernelError.class, () -> slub.free(b, h, 0));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("Wrong slab cache"), e.getMessage());
        assertEquals(Errno.EINVAL, assertThrows(KernelError.class, () -> slub.free(a, h + 8, 0)).errno(), "inside an object");
        assertEquals(Errno.EFAULT, assertThrows(KernelError.class, () -> slub.free(a, 0x1234, 0)).errno(), "no slab there");
        assertEquals(Errno.EINVAL, assertThrows(KernelError.class, () -> slub.alloc(a, 2)).errno(), "no CPU 2");
        SlubAudit.check(slub, a, Set.of(h));
        slub.free(a, h, 1);
        SlubAudit.check(slub, a, Set.of());
        assertTrue(slub.cacheOf(h) == a);
    }

    @Test
    void debugCachesUseNoCpuSlabsAndCanBeValidated() {
        Slub slub = newSlub(2);
        KmemCache d = slub.create("debugged", 64, Slub.Args.NONE, SlabFlags.RED_ZONE | SlabFlags.POISON | SlabFlags.STORE_USER);
        assertTrue(d.isDebug());
        assertEquals(0, d.cpuPartial());
        List<Long> objs = alloc(slub, d, 60, 1);
        CacheStats st = slub.stats(d);
        assertEquals(0, sum(st.cpuSlabs()));
        assertEquals(60, sum(st.objects()), "a debug cache counts exactly what is allocated");
        assertEquals(Errno.EINVAL, assertThrows(KernelError.class, () -> d.setCpuPartial(1, 0)).errno());
        d.setCpuPartial(0, 0);
        for (int i = 0; i < 30; i++) slub.free(d, objs.get(i), 0);
        assertEquals(30, sum(slub.stats(d).objects()));
        assertEquals(sum(slub.stats(d).slabs()), slub.validate(d, 0), "validate walks partial and full slabs (U)");
        KmemCache plain = slub.create("plain", 64, Slub.Args.NONE, 0);
        assertEquals(Errno.EINVAL, assertThrows(KernelError.class, () -> slub.validate(plain, 0)).errno());
        SlubAudit.check(slub, d, new HashSet<>(objs.subList(30, 60)));
    }

    @Test
    void sheavesHoldFreedObjectsThatCountAsAllocated() {
        Slub slub = newSlub(2);
        KmemCache s = slub.create("vmas", 192, new Slub.Args(0, 0, 0, 0, 32, null), SlabFlags.HWCACHE_ALIGN | SlabFlags.TYPESAFE_BY_RCU);
        assertEquals(32, s.sheafCapacity());
        long h = slub.alloc(s, 0);
        // The first allocation refilled CPU 0's main sheaf with 32 objects (2 slabs of 21).
        CacheStats st = slub.stats(s);
        assertEquals(2, sum(st.slabs()));
        assertEquals(Sheaves.objectsInSheaves(s), 31);
        slub.free(s, h, 0);
        assertEquals(32, Sheaves.objectsInSheaves(s), "a free goes back to the sheaf");
        assertFalse(slub.isAllocated(h));
        slub.flushAll(s, 0);
        assertEquals(0, Sheaves.objectsInSheaves(s));
        SlubAudit.check(slub, s, Set.of());
        // Many frees on one CPU: main and spare fill, then full sheaves go to the barn, at most 10.
        List<Long> objs = alloc(slub, s, 600, 1);
        for (long x : objs) slub.free(s, x, 0);
        assertTrue(s.nodes[0].barn.full.size() <= Barn.MAX_FULL);
        SlubAudit.check(slub, s, Set.of());
        slub.shrink(s, 0);
        assertEquals(0, Sheaves.objectsInSheaves(s), "shrink empties the barn too");
        SlubAudit.check(slub, s, Set.of());
        assertEquals(Errno.EFAULT, assertThrows(KernelError.class, () -> slub.free(s, objs.get(0), 0)).errno(),
                "its slab went back to the page allocator");
    }

    @Test
    void kmallocPicksItsCacheBySizeAndTypeAndGoesToPagesAbove8k() {
        int[][] map = {{1, 8}, {8, 8}, {9, 16}, {17, 32}, {33, 64}, {64, 64}, {65, 96}, {96, 96}, {97, 128},
            {129, 192}, {192, 192}, {193, 256}, {257, 512}, {1000, 1024}, {2049, 4096}, {8192, 8192}};
        for (int[] m : map) assertEquals(m[1], Kmalloc.sizeFor(m[0]), "kmalloc(" + m[0] + ")");
        Slub slub = newSlub(2);
        assertEquals("kmalloc-rcl-96", slub.kmalloc().cache(Kmalloc.Type.RECLAIM, 70).name());
        assertEquals("dma-kmalloc-8k", slub.kmalloc().cache(Kmalloc.Type.DMA, 5000).name());
        assertEquals("kmalloc-cg-1k", slub.kmalloc().cache(Kmalloc.Type.CGROUP, 1000).name());
        long before = slub.slabPages(false);
        long big = slub.kmalloc(20000, Kmalloc.Type.NORMAL, 0);
        assertEquals(before + 8, slub.slabPages(false), "a large kmalloc is an order-3 block counted as unreclaimable slab");
        slub.kfree(big, 1);
        assertEquals(before, slub.slabPages(false));
        assertEquals(Slub.ZERO_SIZE_PTR, slub.kmalloc(0, Kmalloc.Type.NORMAL, 0));
        slub.kfree(Slub.ZERO_SIZE_PTR, 0);
        long small = slub.kmalloc(100, Kmalloc.Type.RECLAIM, 1);
        assertEquals("kmalloc-rcl-128", slub.cacheOf(small).name());
        assertTrue(slub.slabPages(true) > 0, "the rcl cache's slab is reclaimable");
        slub.kfree(small, 0);
        assertEquals(Errno.EFAULT, assertThrows(KernelError.class, () -> slub.kfree(big, 0)).errno(), "already given back");
    }

    @Test
    void anOrderFallbackGivesSmallerSlabs() {
        // A page source that refuses order 3: task_struct-sized objects come in order-1 slabs of 1.
        BumpPageSource bump = new BumpPageSource(0x10000, 1 << 20);
        ksim.mm.PageSource picky = new ksim.mm.PageSource() {
            @Override
            public long allocPages(Gfp gfp, int order) {
                if (order == 3) throw Errno.ENOMEM.error("fragmented");
                return bump.allocPages(gfp, order);
            }

            @Override
            public void freePages(long pfn, int order) {
                bump.freePages(pfn, order);
            }
        };
        Slub slub = new Slub(Slub.Config.defaults(2, 1), picky);
        KmemCache s = slub.create("tasks", 4240, Slub.Args.of(64, null), 0);
        assertEquals(3, s.order());
        long h = slub.alloc(s, 0);
        CacheStats st = slub.stats(s);
        assertEquals(1, sum(st.slabs()));
        assertEquals(1, sum(st.totalObjects()), "get_order(4288) = 1 holds one object");
        slub.free(s, h, 0);
        slub.shrink(s, 0);
        assertEquals(0, sum(slub.stats(s).slabs()));
    }
}
