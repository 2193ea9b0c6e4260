package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The enums and counters that name what /proc prints. */
class SmallMmPartsTest {
    @Test
    void eventsCountUpAndPgpgIsShownInKib() {
        VmEvents e = new VmEvents();
        e.count(VmEventItem.PGPGIN, 9);
        e.count(VmEventItem.PGFAULT, 3);
        assertEquals(9, e.get(VmEventItem.PGPGIN));
        assertEquals(4, e.shown(VmEventItem.PGPGIN), "sectors / 2, rounded down");
        assertEquals(3, e.shown(VmEventItem.PGFAULT));
        assertThrows(IllegalArgumentException.class, () -> e.count(VmEventItem.PGFREE, -1));
    }

    @Test
    void perZoneEventsAreConsecutive() {
        assertEquals(VmEventItem.PGALLOC_NORMAL, VmEventItem.forZone(VmEventItem.PGALLOC_DMA, ZoneType.NORMAL));
        assertEquals(VmEventItem.ALLOCSTALL_MOVABLE, VmEventItem.forZone(VmEventItem.ALLOCSTALL_DMA, ZoneType.MOVABLE));
        assertEquals("pgskip_device", VmEventItem.forZone(VmEventItem.PGSKIP_DMA, ZoneType.DEVICE).text);
    }

    @Test
    void migratetypesAndFallbacks() {
        assertEquals(List.of("Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"), MigrateType.TYPES.stream().map(t -> t.text).toList());
        assertArrayEquals(new MigrateType[] {MigrateType.RECLAIMABLE, MigrateType.MOVABLE}, MigrateType.UNMOVABLE.fallbacks());
        assertArrayEquals(new MigrateType[] {MigrateType.RECLAIMABLE, MigrateType.UNMOVABLE}, MigrateType.MOVABLE.fallbacks());
        assertArrayEquals(new MigrateType[] {MigrateType.UNMOVABLE, MigrateType.MOVABLE}, MigrateType.RECLAIMABLE.fallbacks());
        assertEquals(0, MigrateType.HIGHATOMIC.fallbacks().length);
        assertEquals(true, MigrateType.RECLAIMABLE.mergeable());
        assertEquals(false, MigrateType.ISOLATE.mergeable());
        assertEquals(List.of("DMA", "DMA32", "Normal", "Movable", "Device"), java.util.Arrays.stream(ZoneType.values()).map(z -> z.text).toList());
    }

    @Test
    void claimHeuristic() {
        assertEquals(true, BuddyAllocator.shouldTryClaimBlock(9, MigrateType.MOVABLE));
        assertEquals(true, BuddyAllocator.shouldTryClaimBlock(4, MigrateType.MOVABLE), "half a pageblock or more");
        assertEquals(false, BuddyAllocator.shouldTryClaimBlock(3, MigrateType.MOVABLE));
        assertEquals(true, BuddyAllocator.shouldTryClaimBlock(0, MigrateType.UNMOVABLE));
        assertEquals(true, BuddyAllocator.shouldTryClaimBlock(0, MigrateType.RECLAIMABLE));
    }

    @Test
    void foliosPackPfnAndOrder() {
        long f = Folios.folio(123456789L, 10);
        assertEquals(123456789L, Folios.pfn(f));
        assertEquals(10, Folios.order(f));
        assertEquals(2, Folios.pagesFor(4097));
        assertEquals(0, Folios.pagesFor(0));
    }

    @Test
    void longListGrows() {
        LongList l = new LongList(1);
        for (long i = 0; i < 100; i++) l.add(i * 3);
        assertEquals(100, l.size());
        assertEquals(297, l.removeLast());
        assertEquals(3, l.get(1));
        assertEquals(99, l.toArray().length);
    }
}
