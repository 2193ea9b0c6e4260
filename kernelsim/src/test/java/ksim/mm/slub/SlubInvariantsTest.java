package ksim.mm.slub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import ksim.mm.BumpPageSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property tests: long random sequences of allocations and frees on random CPUs, with
 * shrinks, flushes and tunable writes in between, over caches of every kind (kmalloc, large
 * objects, sheaves, debug). After every step the touched cache is recounted from its raw
 * structures (SlubAudit) and the spec 5.5 invariants are checked; now and then every cache
 * and the page accounting are checked too. Seeds are fixed.
 */
class SlubInvariantsTest {
    private long counted;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void randomSequencesKeepEveryInvariant(long seed) {
        for (int cpus : new int[] {2, 3}) run(seed, cpus);
    }

    private void run(long seed, int cpus) {
        BumpPageSource pages = new BumpPageSource(0x10000, 1 << 20);
        Slub slub = new Slub(Slub.Config.defaults(cpus, seed), pages);
        counted = 0;
        slub.setPageCounter((r, p) -> counted += p);
        assertEquals(slub.slabPages(false) + slub.slabPages(true), counted, "the counter hears of the bootstrap slabs");
        List<KmemCache> caches = List.of(
                slub.kmalloc().cache(Kmalloc.Type.NORMAL, 64),
                slub.create("big_objects", 3000, Slub.Args.NONE, SlabFlags.RECLAIM_ACCOUNT),
                slub.create("sheafy", 192, new Slub.Args(0, 0, 0, -1, 4, null), SlabFlags.HWCACHE_ALIGN),
                slub.create("debugged", 100, Slub.Args.NONE, SlabFlags.RED_ZONE | SlabFlags.STORE_USER | SlabFlags.CONSISTENCY_CHECKS),
                slub.create("one_per_slab", 20000, Slub.Args.NONE, 0));
        Map<KmemCache, Set<Long>> live = new HashMap<>();
        for (KmemCache s : caches) live.put(s, new LinkedHashSet<>());
        Random r = new Random(seed * 31 + cpus);
        for (int step = 0; step < 6000; step++) {
            KmemCache s = caches.get(r.nextInt(caches.size()));
            Set<Long> mine = live.get(s);
            int cpu = r.nextInt(cpus);
            int op = r.nextInt(1000);
            // Phases: grow, then mostly free, then churn, so slabs fill, empty and refill.
            int phase = (step / 1000) % 3;
            int allocShare = phase == 0 ? 700 : phase == 1 ? 300 : 500;
            if (op < 10) {
                slub.shrink(s, cpu);
            } else if (op < 15) {
                s.setCpuPartial(s.isDebug() ? 0 : r.nextInt(4) == 0 ? 0 : CacheGeometry.cpuPartial(s.size, s.flags), cpu);
            } else if (op < 20) {
                s.setMinPartial(r.nextInt(8));
            } else if (op < 25) {
                slub.flushAll(s, cpu);
            } else if (op < 25 + allocShare || mine.isEmpty()) {
                int n = 1 + r.nextInt(r.nextInt(10) == 0 ? 40 : 3);
                for (int i = 0; i < n; i++) assertTrue(mine.add(slub.alloc(s, cpu)), "a fresh object");
            } else {
                int n = 1 + r.nextInt(Math.min(mine.size(), r.nextInt(10) == 0 ? 40 : 3));
                List<Long> pick = new ArrayList<>(mine);
                for (int i = 0; i < n; i++) {
                    long h = pick.remove(r.nextInt(pick.size()));
                    slub.free(s, h, cpu);
                    mine.remove(h);
                }
            }
            SlubAudit.check(slub, s, mine);
            if (step % 500 == 0) checkAll(slub, caches, live, pages);
        }
        // Everything given back and shrunk: only the empty slabs CPUs still hold remain, then none.
        for (KmemCache s : caches) {
            for (long h : live.get(s)) slub.free(s, h, 0);
            live.get(s).clear();
            slub.shrink(s, 0);
            SlubAudit.check(slub, s, live.get(s));
        }
        checkAll(slub, caches, live, pages);
        for (KmemCache s : caches) slub.destroy(s, 0);
        assertEquals(counted, slub.slabPages(false) + slub.slabPages(true));
        assertEquals(pages.pagesInUse(), counted, "every slab page went back to the page allocator");
    }

    private void checkAll(Slub slub, List<KmemCache> caches, Map<KmemCache, Set<Long>> live, BumpPageSource pages) {
        for (KmemCache s : caches) SlubAudit.check(slub, s, live.get(s));
        long total = slub.slabPages(false) + slub.slabPages(true);
        assertEquals(SlubAudit.slabPages(slub), total, "slab pages = sum over caches of slabs << order");
        assertEquals(total, counted, "the page counter saw every slab page");
        assertEquals(pages.pagesInUse(), total, "the page source agrees");
    }
}
