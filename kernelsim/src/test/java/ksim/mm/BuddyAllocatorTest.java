package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import ksim.mm.PageSource.Gfp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** alloc_pages()/__free_pages() on a freshly booted node, before any kernel user takes pages. */
class BuddyAllocatorTest {
    private static final long MIB_KB = 1024;

    private static VmStat boot(long mib) {
        return new VmStat(mib * MIB_KB, 2);
    }

    private static long[] nrFree(Zone z) {
        long[] n = new long[Zone.NR_PAGE_ORDERS];
        for (int o = 0; o < n.length; o++) n[o] = z.nrFree(o);
        return n;
    }

    private static long freeOn(Zone z, MigrateType mt) {
        long pages = 0;
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) pages += z.countFreeList(o, mt, Long.MAX_VALUE) << o;
        return pages;
    }

    private static Errno errnoOf(Executable e) {
        return assertThrows(KernelError.class, e).errno();
    }

    @Test
    void bootFreesEveryManagedPageInMaximalBlocks() {
        VmStat vm = boot(4096);
        PglistData node = vm.node();
        assertEquals(List.of(), BuddyCheck.check(node));
        for (Zone z : node.zones()) {
            assertEquals(z.managedPages(), z.freePages(), z.toString());
            assertEquals(0, freeOn(z, MigrateType.UNMOVABLE) + freeOn(z, MigrateType.RECLAIMABLE), "memmap_init makes every pageblock movable");
        }
        // The reference machine's DMA zone: the first MiB reserved, then one block of order 8, one of 9, three of 10.
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L, 1L, 3L), java.util.Arrays.stream(nrFree(node.zone(ZoneType.DMA))).boxed().toList());
        assertEquals(3840, node.zone(ZoneType.DMA).managedPages());
        Memblock mb = node.memblock();
        assertEquals((1L << 18) - mb.memmapPages() - mb.percpuPages(), node.zone(ZoneType.NORMAL).managedPages(), "mem_map and percpu come off the top");
        assertEquals(node.managedPages(), vm.events().get(VmEventItem.PGFREE), "boot's frees count as pgfree");
        assertEquals(0, vm.events().get(VmEventItem.PGALLOC_NORMAL));
        assertEquals(List.of(ZoneType.NORMAL, ZoneType.DMA32, ZoneType.DMA), java.util.Arrays.stream(node.zonelist).map(z -> z.type).toList());
    }

    @Test
    void anAllocationSplitsTheSmallestBlockAndItsFreeMergesBack() {
        VmStat vm = boot(4096);
        Zone normal = vm.node().zone(ZoneType.NORMAL);
        long[] before = nrFree(normal);
        int smallest = 0;
        while (normal.first(smallest, MigrateType.MOVABLE) < 0) smallest++;
        long pfn = vm.buddy().allocPages(Gfp.HIGHUSER_MOVABLE, 2);
        assertTrue(normal.spans(pfn), "Normal is tried first");
        assertEquals(0, pfn % 4, "an order-2 block is aligned");
        long[] after = nrFree(normal);
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            long expected = before[o] + (o >= 2 && o < smallest ? 1 : 0) - (o == smallest ? 1 : 0);
            assertEquals(expected, after[o], "order " + o + " after splitting an order-" + smallest + " block");
        }
        assertEquals(normal.managedPages() - 4, normal.freePages());
        assertEquals(4, vm.events().get(VmEventItem.PGALLOC_NORMAL));
        assertEquals(1, normal.numaEvent(NumaStatItem.NUMA_HIT));
        long pgfree = vm.events().get(VmEventItem.PGFREE);
        vm.buddy().freePages(pfn, 2);
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(nrFree(normal)), "the buddies merge back");
        assertEquals(pgfree + 4, vm.events().get(VmEventItem.PGFREE));
        assertEquals(List.of(), BuddyCheck.check(vm.node()));
    }

    @Test
    void zonesAreUsedNormalThenDma32ThenDmaDownToTheirReserves() {
        VmStat vm = boot(3 * 1024 + 128);
        PglistData node = vm.node();
        List<Long> taken = new ArrayList<>();
        List<ZoneType> order = new ArrayList<>();
        KernelError e = assertThrows(KernelError.class, () -> {
            while (true) {
                long pfn = vm.buddy().allocPages(Gfp.KERNEL, 0);
                taken.add(pfn);
                ZoneType t = node.zoneOf(pfn).type;
                if (order.isEmpty() || order.get(order.size() - 1) != t) order.add(t);
            }
        });
        assertEquals(Errno.ENOMEM, e.errno());
        // First down to the low watermarks (the fast path), then down to min (the slow path).
        assertEquals(List.of(ZoneType.NORMAL, ZoneType.DMA32, ZoneType.DMA, ZoneType.NORMAL, ZoneType.DMA32, ZoneType.DMA), order);
        int normalIdx = ZoneType.NORMAL.ordinal();
        for (Zone z : List.of(node.zone(ZoneType.NORMAL), node.zone(ZoneType.DMA32), node.zone(ZoneType.DMA))) {
            assertEquals(z.watermark(Zone.WMARK_MIN) + z.lowmemReserve(normalIdx), z.freePages(), z + ": stops at min + lowmem_reserve");
        }
        assertTrue(node.zone(ZoneType.DMA).lowmemReserve(normalIdx) > 0, "DMA is protected from Normal allocations");
        assertEquals(1, vm.events().get(VmEventItem.ALLOCSTALL_NORMAL), "the failing allocation stalled once");
        assertEquals(Errno.ENOMEM, errnoOf(() -> vm.buddy().allocPages(Gfp.HIGHUSER_MOVABLE, 0)));
        assertEquals(1, vm.events().get(VmEventItem.ALLOCSTALL_MOVABLE), "movable allocations may use ZONE_MOVABLE: its stall counter");
        assertEquals(-1, vm.buddy().tryAllocPages(Gfp.KERNEL, 0), "an opportunistic attempt fails quietly");
        assertEquals(1, vm.events().get(VmEventItem.ALLOCSTALL_NORMAL));
        for (long pfn : taken) vm.buddy().freePages(pfn, 0);
        assertEquals(List.of(), BuddyCheck.check(node));
        for (Zone z : node.zones()) assertEquals(z.managedPages(), z.freePages());
    }

    @Test
    void dma32AllocationsStayBelowFourGib() {
        VmStat vm = boot(6 * 1024);
        for (int i = 0; i < 100; i++) {
            long pfn = vm.buddy().allocPages(Gfp.DMA32, i % 4);
            assertTrue(pfn < Memblock.MAX_DMA32_PFN, "pfn " + pfn);
        }
        assertEquals(0, vm.events().get(VmEventItem.PGALLOC_NORMAL));
        assertTrue(vm.events().get(VmEventItem.PGALLOC_DMA32) > 0);
    }

    @Test
    void badFreesAreRefusedAndChangeNothing() {
        VmStat vm = boot(512);
        PglistData node = vm.node();
        long pfn = vm.buddy().allocPages(Gfp.KERNEL, 3);
        long free = node.freePages();
        long pgfree = vm.events().get(VmEventItem.PGFREE);
        assertEquals(Errno.EINVAL, errnoOf(() -> vm.buddy().freePages(pfn, 2)), "wrong order");
        assertEquals(Errno.EINVAL, errnoOf(() -> vm.buddy().freePages(pfn + 1, 0)), "a tail page");
        assertEquals(Errno.EINVAL, errnoOf(() -> vm.buddy().freePages(100, 0)), "reserved low memory");
        assertEquals(Errno.EINVAL, errnoOf(() -> vm.buddy().freePages(0, 0)), "pfn 0 is in no zone");
        assertEquals(Errno.EINVAL, errnoOf(() -> vm.buddy().freePages(1L << 40, 0)), "far beyond memory");
        assertEquals(Errno.EINVAL, errnoOf(() -> vm.buddy().allocPages(Gfp.KERNEL, Zone.MAX_PAGE_ORDER + 1)));
        assertEquals(Errno.EINVAL, errnoOf(() -> vm.buddy().allocPages(Gfp.KERNEL, -1)));
        assertEquals(free, node.freePages());
        vm.buddy().freePages(pfn, 3);
        assertEquals(Errno.EINVAL, errnoOf(() -> vm.buddy().freePages(pfn, 3)), "double free");
        assertEquals(free + 8, node.freePages());
        assertEquals(pgfree + 8, vm.events().get(VmEventItem.PGFREE), "refused frees count nothing");
        assertEquals(List.of(), BuddyCheck.check(node));
    }

    @Test
    void anUnmovableAllocationClaimsAWholeFreeBlockForItsType() {
        VmStat vm = boot(4096);
        Zone normal = vm.node().zone(ZoneType.NORMAL);
        long pfn = vm.buddy().allocPages(Gfp.KERNEL, 0);
        assertTrue(normal.spans(pfn));
        // No unmovable list had pages: the largest movable block (order 10, two pageblocks) changed type.
        long block = pfn & ~1023L;
        assertEquals(MigrateType.UNMOVABLE, normal.pageblockType(block));
        assertEquals(MigrateType.UNMOVABLE, normal.pageblockType(block + Zone.PAGEBLOCK_NR_PAGES));
        assertEquals(1023, freeOn(normal, MigrateType.UNMOVABLE), "the rest of the block waits on the unmovable lists");
        for (int o = 0; o < Zone.MAX_PAGE_ORDER; o++) assertEquals(1, normal.countFreeList(o, MigrateType.UNMOVABLE, 10), "order " + o);
        long second = vm.buddy().allocPages(Gfp.KERNEL, 0);
        assertEquals(block, second & ~1023L, "the next unmovable page comes from the claimed block");
        assertEquals(List.of(), BuddyCheck.check(vm.node()));
    }

    @Test
    void aMostlyFreePageblockIsClaimedWhenNoWholeBlockIsLeft() {
        VmStat vm = boot(128);
        vm.setMinFreeKbytes(0);
        PglistData node = vm.node();
        // Take every movable block of pageblock size or more.
        for (int order = Zone.MAX_PAGE_ORDER; order >= Zone.PAGEBLOCK_ORDER; order--) {
            while (vm.buddy().tryAllocPages(Gfp.HIGHUSER_MOVABLE, order) >= 0) { }
        }
        for (Zone z : node.zones()) assertEquals(0, z.stat(ZoneStatItem.NR_FREE_PAGES_BLOCKS), z.toString());
        long pfn = vm.buddy().allocPages(Gfp.KERNEL, 0);
        Zone z = node.zoneOf(pfn);
        long start = pfn & ~(long) (Zone.PAGEBLOCK_NR_PAGES - 1);
        assertEquals(MigrateType.UNMOVABLE, z.pageblockType(start), "claimed: at least half of it was free");
        assertEquals(0, freeOn(z, MigrateType.MOVABLE) - freeOnOtherBlocks(z, start, MigrateType.MOVABLE), "its free pages moved lists");
        assertEquals(List.of(), BuddyCheck.check(node));
    }

    /** Free pages on mt's lists outside the pageblock at start. */
    private static long freeOnOtherBlocks(Zone z, long start, MigrateType mt) {
        long pages = 0;
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            int h = z.first(o, mt);
            if (h < 0) continue;
            int i = h;
            do {
                long p = z.pfn(i);
                if (p < start || p >= start + Zone.PAGEBLOCK_NR_PAGES) pages += 1L << o;
                i = z.map.next[i];
            } while (i != h);
        }
        return pages;
    }

    @Test
    void aSmallMovableAllocationStealsWithoutTakingThePageblock() {
        VmStat vm = boot(128);
        vm.setMinFreeKbytes(0);
        PglistData node = vm.node();
        // Claim a block for unmovable use and fill all of it but seven pages (orders 0, 1 and 2 remain).
        List<Long> unmovable = new ArrayList<>();
        unmovable.add(vm.buddy().allocPages(Gfp.KERNEL, 0));
        for (int i = 0; i < 1016; i++) unmovable.add(vm.buddy().allocPages(Gfp.KERNEL, 0));
        Zone z = node.zoneOf(unmovable.get(0));
        assertEquals(7, freeOn(z, MigrateType.UNMOVABLE));
        // Then every movable block of order 3 and up: too big to be stolen from those seven pages.
        for (int order = Zone.MAX_PAGE_ORDER; order >= 3; order--) {
            while (vm.buddy().tryAllocPages(Gfp.HIGHUSER_MOVABLE, order) >= 0) { }
        }
        assertEquals(7, freeOn(z, MigrateType.UNMOVABLE), "large movable requests never touched them");
        // Single movable pages use up the movable blocks (DMA's too, down to its reserve), then steal.
        long stolen = -1;
        while (stolen < 0) {
            long movableBefore = freeOn(z, MigrateType.MOVABLE);
            long pfn = vm.buddy().allocPages(Gfp.HIGHUSER_MOVABLE, 0);
            Zone at = node.zoneOf(pfn);
            if (at.pageblockType(pfn) == MigrateType.UNMOVABLE) {
                assertEquals(z, at, "the only unmovable pageblocks are in the claimed block's zone");
                assertEquals(0, movableBefore, "a steal only once no movable page is left there");
                stolen = pfn;
            }
        }
        assertEquals(MigrateType.UNMOVABLE, z.pageblockType(stolen), "a steal leaves the pageblock's type");
        assertEquals(6, freeOn(z, MigrateType.UNMOVABLE));
        assertEquals(List.of(), BuddyCheck.check(node));
    }

    @Test
    void freeingTheLastPageRebuildsTheMaxOrderBlock() {
        VmStat vm = boot(4096);
        Zone normal = vm.node().zone(ZoneType.NORMAL);
        long pfn = vm.buddy().allocPages(Gfp.KERNEL, 0);
        long block = pfn & ~1023L;
        assertEquals(MigrateType.UNMOVABLE, normal.pageblockType(block));
        vm.buddy().freePages(pfn, 0);
        // Back to one order-10 block, on the list of its (claimed) pageblocks' type.
        int i = normal.index(block);
        assertEquals(MemMap.PG_BUDDY | Zone.MAX_PAGE_ORDER, normal.map.flags(i));
        assertEquals(normal.pageblockType(block), normal.pageblockType(block + Zone.PAGEBLOCK_NR_PAGES));
        assertEquals(normal.managedPages(), normal.freePages());
        assertEquals(List.of(), BuddyCheck.check(vm.node()));
        assertFalse(normal.freeArea[Zone.MAX_PAGE_ORDER].empty(normal.pageblockType(block)));
    }
}
