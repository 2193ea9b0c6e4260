package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import ksim.mm.PageSource.Gfp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random alloc/free sequences (fixed seeds) on whole nodes, with the invariants checked as
 * they go: no two live blocks overlap, free plus allocated is managed, the free lists agree
 * with nr_free and the counters (BuddyCheck), and freeing everything merges back into exactly
 * the blocks boot left, whatever pageblock types were changed on the way.
 */
class BuddyPropertyTest {
    private record Block(long pfn, int order, Gfp gfp) {}

    /** Every free block, as pfn -> order, from the mem_map. */
    private static TreeMap<Long, Integer> freeBlocks(PglistData node) {
        TreeMap<Long, Integer> m = new TreeMap<>();
        for (Zone z : node.zones()) {
            for (int i = 0; i < z.spanned; ) {
                int f = z.map.flags(i);
                if ((f & MemMap.PG_BUDDY) != 0) {
                    m.put(z.pfn(i), f & MemMap.ORDER_MASK);
                    i += 1 << (f & MemMap.ORDER_MASK);
                } else {
                    i++;
                }
            }
        }
        return m;
    }

    /** Mostly small orders, now and then a large one, as real callers ask. */
    private static int randomOrder(Random r) {
        int x = r.nextInt(100);
        if (x < 55) return 0;
        if (x < 70) return 1;
        if (x < 80) return 2;
        if (x < 88) return 3;
        if (x < 94) return 4;
        return 5 + r.nextInt(Zone.MAX_PAGE_ORDER - 4);
    }

    @ParameterizedTest(name = "{0} MiB, seed {1}, min_free_kbytes {2}")
    @CsvSource({"160, 1, -1", "160, 2, 0", "3200, 3, -1", "3200, 4, 0"})
    void randomSequencesKeepEveryInvariant(long mib, long seed, long minFreeKb) {
        VmStat vm = new VmStat(mib * 1024, 2);
        if (minFreeKb >= 0) vm.setMinFreeKbytes(minFreeKb);
        PglistData node = vm.node();
        BuddyAllocator buddy = vm.buddy();
        TreeMap<Long, Integer> boot = freeBlocks(node);
        long managed = node.managedPages();
        Random r = new Random(seed);
        List<Block> live = new ArrayList<>();
        BitSet used = new BitSet();
        long allocated = 0;
        int enomem = 0;
        Gfp[] gfps = Gfp.values();
        for (int step = 0; step < 40_000; step++) {
            // Grow toward exhaustion in waves, then shrink, so both full and fragmented states occur.
            boolean grow = live.isEmpty() || r.nextInt(100) < ((step / 5000) % 2 == 0 ? 75 : 30);
            if (grow) {
                Gfp gfp = gfps[r.nextInt(gfps.length)];
                int order = randomOrder(r);
                long pfn;
                try {
                    pfn = buddy.allocPages(gfp, order);
                } catch (KernelError e) {
                    assertEquals(Errno.ENOMEM, e.errno());
                    enomem++;
                    continue;
                }
                assertEquals(0, pfn & ((1L << order) - 1), "aligned");
                if (gfp == Gfp.DMA32) assertTrue(pfn < Memblock.MAX_DMA32_PFN, "DMA32 below 4 GiB");
                int from = (int) pfn;
                int hit = used.nextSetBit(from);
                assertTrue(hit < 0 || hit >= from + (1 << order), "block at " + pfn + " overlaps a live block at " + hit);
                used.set(from, from + (1 << order));
                live.add(new Block(pfn, order, gfp));
                allocated += 1L << order;
            } else {
                Block b = live.remove(r.nextInt(live.size()));
                buddy.freePages(b.pfn(), b.order());
                used.clear((int) b.pfn(), (int) b.pfn() + (1 << b.order()));
                allocated -= 1L << b.order();
            }
            assertEquals(managed, node.freePages() + allocated, "free + allocated = managed");
            if (step % 2000 == 0) assertEquals(List.of(), BuddyCheck.check(node), "step " + step);
        }
        assertEquals(List.of(), BuddyCheck.check(node));
        assertTrue(enomem > 0 || mib > 1000, "the small node ran out at least once");
        boolean claimed = false;
        for (Zone z : node.zones()) {
            for (long p = z.startPfn(); p < z.endPfn(); p += Zone.PAGEBLOCK_NR_PAGES) claimed |= z.pageblockType(p) != MigrateType.MOVABLE;
        }
        assertTrue(claimed, "some pageblocks changed type on the way");
        for (Block b : live) buddy.freePages(b.pfn(), b.order());
        assertEquals(List.of(), BuddyCheck.check(node));
        assertEquals(boot, freeBlocks(node), "everything freed merges back to boot's blocks");
        assertEquals(managed, node.freePages());
        assertFalse(boot.isEmpty());
    }
}
