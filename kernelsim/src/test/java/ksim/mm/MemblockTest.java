package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The boot memory map and the zones free_area_init() cuts from it. */
class MemblockTest {
    private static final long GIB_KB = 1024 * 1024;

    @Test
    void fourGibLaysOutLikeAPcWithAPciHole() {
        Memblock mb = Memblock.x86(4 * GIB_KB, 2);
        PglistData node = new PglistData(mb, 2);
        Zone dma = node.zone(ZoneType.DMA);
        Zone dma32 = node.zone(ZoneType.DMA32);
        Zone normal = node.zone(ZoneType.NORMAL);
        // pfn 0 and the legacy hole are not RAM: 4095 spanned, 3998 present (as on the reference machine).
        assertEquals(1, dma.startPfn());
        assertEquals(4095, dma.spannedPages());
        assertEquals(3998, dma.presentPages());
        // DMA32 spans to 4 GiB over the PCI hole but only the RAM below 3 GiB is present.
        assertEquals(4096, dma32.startPfn());
        assertEquals((1L << 20) - 4096, dma32.spannedPages());
        assertEquals((3L << 18) - 4096, dma32.presentPages());
        // The last GiB is mapped above 4 GiB.
        assertEquals(1L << 20, normal.startPfn());
        assertEquals(1L << 18, normal.spannedPages());
        assertEquals(1L << 18, normal.presentPages());
        assertFalse(node.zone(ZoneType.MOVABLE).populated());
        assertFalse(node.zone(ZoneType.DEVICE).populated());
        assertEquals(4 * GIB_KB / 4 - 98, mb.presentPages(0, mb.maxPfn()), "all RAM but pfn 0 and the 97-page legacy hole");
    }

    @Test
    void reservationsAreDisjointAndWhereBootPutsThem() {
        Memblock mb = Memblock.x86(4 * GIB_KB, 2);
        List<Memblock.Region> r = mb.reserved();
        for (int i = 1; i < r.size(); i++) assertTrue(r.get(i - 1).end() <= r.get(i).base(), "overlap: " + r);
        for (Memblock.Region x : r) {
            for (long p = x.base(); p < x.end(); p += Math.max(1, x.pages() / 7)) assertTrue(p < 256 || mb.isMemory(p), "reserved non-RAM " + p);
        }
        assertTrue(mb.isReserved(0) && mb.isReserved(255), "the first MiB");
        assertTrue(mb.isReserved(4096) && mb.isReserved(4096 + Memblock.KERNEL_IMAGE_PAGES - 1), "the kernel image at 16 MiB");
        assertFalse(mb.isReserved(4096 + Memblock.KERNEL_IMAGE_PAGES));
        // 32 present sections of 128 MiB, 512 pages of struct page each, at the top of memory.
        assertEquals(32 * 512, mb.memmapPages());
        assertTrue(mb.isReserved(mb.maxPfn() - 1));
        // The swiotlb bounce buffer sits just below the PCI hole, under 4 GiB.
        assertTrue(mb.isReserved((3L << 18) - 1) && mb.isReserved((3L << 18) - Memblock.SWIOTLB_PAGES));
        assertFalse(mb.isReserved((3L << 18) - Memblock.SWIOTLB_PAGES - 1));
        assertEquals(2 * Memblock.PERCPU_UNIT_PAGES, mb.percpuPages());
    }

    @Test
    void freeRangesAreRamMinusReserved() {
        for (long kb : new long[] {128 * 1024, 2 * GIB_KB, 3 * GIB_KB + 4, 6 * GIB_KB}) {
            Memblock mb = Memblock.x86(kb, 4);
            long free = 0;
            long reservedRam = 0;
            for (Memblock.Region f : mb.freeRanges()) {
                free += f.pages();
                assertTrue(mb.isMemory(f.base()) && mb.isMemory(f.end() - 1) && !mb.isReserved(f.base()) && !mb.isReserved(f.end() - 1), "range " + f);
            }
            for (Memblock.Region x : mb.reserved()) reservedRam += mb.presentPages(x.base(), x.end());
            assertEquals(mb.presentPages(0, mb.maxPfn()), free + reservedRam, kb + " KiB");
        }
    }

    @Test
    void smallMachinesHaveNoNormalZoneAndNoSwiotlb() {
        Memblock mb = Memblock.x86(2 * GIB_KB, 1);
        PglistData node = new PglistData(mb, 1);
        assertFalse(node.zone(ZoneType.NORMAL).populated());
        assertEquals(mb.maxPfn() - 4096, node.zone(ZoneType.DMA32).spannedPages());
        long reserved = 0;
        for (Memblock.Region x : mb.reserved()) reserved += x.pages();
        assertEquals(256 + Memblock.KERNEL_IMAGE_PAGES + 16 * 512 + Memblock.PERCPU_UNIT_PAGES, reserved, "no 64 MiB swiotlb without RAM above 4 GiB");
    }

    @Test
    void sectionsOnlineOnlyWhereRamIs() {
        Memblock mb = Memblock.x86(4 * GIB_KB, 2);
        assertTrue(mb.sectionOnline(0));
        assertTrue(mb.sectionOnline((3L << 18) - 1));
        assertFalse(mb.sectionOnline(3L << 18), "the PCI hole");
        assertFalse(mb.sectionOnline((1L << 20) - 1));
        assertTrue(mb.sectionOnline(1L << 20));
    }
}
