package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The free-list primitives of a zone and what struct page shows of them. */
class ZoneTest {
    /** An empty zone of 4096 pages starting at pfn 8192 (its mem_map all reserved, as before boot). */
    private static Zone zone() {
        return new Zone(ZoneType.DMA32, 8192, 4096, 4096);
    }

    @Test
    void listsAreCircularLifoAtTheHeadAndFifoAtTheTail() {
        Zone z = zone();
        assertEquals(-1, z.first(3, MigrateType.MOVABLE));
        z.addToFreeList(0, 3, MigrateType.MOVABLE, false);
        z.addToFreeList(8, 3, MigrateType.MOVABLE, false);
        z.addToFreeList(16, 3, MigrateType.MOVABLE, true);
        assertEquals(8, z.first(3, MigrateType.MOVABLE), "list_add puts a block first");
        assertEquals(3, z.nrFree(3));
        assertEquals(3, z.countFreeList(3, MigrateType.MOVABLE, 100));
        assertEquals(2, z.countFreeList(3, MigrateType.MOVABLE, 2), "the walk stops at its cap");
        assertEquals(24, z.freePages());
        assertEquals(0, z.stat(ZoneStatItem.NR_FREE_PAGES_BLOCKS));
        assertEquals(MemMap.PG_BUDDY | 3, z.map.flags(16));
        z.delFromFreeList(8, 3, MigrateType.MOVABLE);
        assertEquals(0, z.first(3, MigrateType.MOVABLE));
        assertEquals(0, z.map.flags(8), "no longer PageBuddy");
        z.moveToFreeList(0, 3, MigrateType.MOVABLE, MigrateType.UNMOVABLE);
        assertEquals(16, z.first(3, MigrateType.MOVABLE));
        assertEquals(0, z.first(3, MigrateType.UNMOVABLE));
        assertEquals(16, z.freePages(), "a move keeps the count");
        z.delFromFreeList(16, 3, MigrateType.MOVABLE);
        assertTrue(z.freeArea[3].empty(MigrateType.MOVABLE));
        assertEquals(1, z.nrFree(3));
    }

    @Test
    void countersFollowOrderAndType() {
        Zone z = zone();
        z.addToFreeList(0, Zone.PAGEBLOCK_ORDER, MigrateType.MOVABLE, false);
        z.addToFreeList(1024, Zone.MAX_PAGE_ORDER, MigrateType.MOVABLE, false);
        z.addToFreeList(512, 0, MigrateType.ISOLATE, false);
        assertEquals(512 + 1024, z.freePages(), "isolated pages are not free pages");
        assertEquals(512 + 1024, z.stat(ZoneStatItem.NR_FREE_PAGES_BLOCKS));
        z.delFromFreeList(1024, Zone.MAX_PAGE_ORDER, MigrateType.MOVABLE);
        assertEquals(512, z.stat(ZoneStatItem.NR_FREE_PAGES_BLOCKS));
    }

    @Test
    void spansAndPageblocks() {
        Zone z = zone();
        assertTrue(z.spans(8192) && z.spans(8192 + 4095));
        assertFalse(z.spans(8191) || z.spans(8192 + 4096));
        assertEquals(MigrateType.MOVABLE, z.pageblockType(8192 + 600), "memmap_init makes pageblocks movable");
        z.map.setBlockType(8192 + 600, MigrateType.RECLAIMABLE);
        assertEquals(MigrateType.RECLAIMABLE, z.pageblockType(8192 + 512));
        assertEquals(MigrateType.MOVABLE, z.pageblockType(8192 + 511));
    }

    @Test
    void pageShowsStructPage() {
        VmStat vm = new VmStat(256 * 1024);
        PglistData node = vm.node();
        long pfn = vm.buddy().allocPages(PageSource.Gfp.HIGHUSER_MOVABLE, 2);
        Page head = node.page(pfn);
        assertTrue(head.head() && head.movable() && !head.buddy());
        assertEquals(2, head.order());
        Page tail = node.page(pfn + 1);
        assertFalse(tail.head() || tail.buddy() || tail.reserved());
        assertTrue(node.page(100).reserved(), "the first MiB");
        assertNull(node.page(0), "pfn 0 is in no zone");
        assertEquals(MigrateType.MOVABLE, head.pageblockType());
        vm.buddy().freePages(pfn, 2);
        assertFalse(node.page(pfn).head());
    }
}
