package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Watermarks, lowmem_reserve and pageset sizes. The first test gives the zones the managed
 * pages of the reference machine (a 2-CPU Linux 6.18 guest: DMA 3840, DMA32 772808, Normal
 * 294912, min_free_kbytes 67584) and expects the numbers its /proc/zoneinfo shows.
 */
class WatermarksTest {
    private static PglistData nodeWithManaged(long dma, long dma32, long normal) {
        PglistData node = new PglistData(Memblock.x86(24L * 1024 * 1024, 2), 2);
        node.zone(ZoneType.DMA).managed = dma;
        node.zone(ZoneType.DMA32).managed = dma32;
        node.zone(ZoneType.NORMAL).managed = normal;
        return node;
    }

    private static long[] marks(Zone z) {
        return new long[] {z.watermark(Zone.WMARK_MIN), z.watermark(Zone.WMARK_LOW), z.watermark(Zone.WMARK_HIGH), z.watermark(Zone.WMARK_PROMO)};
    }

    private static long[] protection(Zone z) {
        long[] p = new long[ZoneType.MAX_NR_ZONES];
        for (int i = 0; i < p.length; i++) p[i] = z.lowmemReserve(i);
        return p;
    }

    @Test
    void reproducesTheReferenceMachine() {
        PglistData node = nodeWithManaged(3840, 772808, 294912);
        Watermarks w = new Watermarks(node);
        w.init(true);
        assertEquals(67584, w.minFreeKbytes(), "khugepaged's recommendation for 3 zones");
        assertArrayEquals(new long[] {60, 75, 90, 105}, marks(node.zone(ZoneType.DMA)));
        assertArrayEquals(new long[] {12185, 15231, 18277, 21323}, marks(node.zone(ZoneType.DMA32)));
        assertArrayEquals(new long[] {4650, 5812, 6974, 8136}, marks(node.zone(ZoneType.NORMAL)));
        assertArrayEquals(new long[] {32, 32, 32, 32}, marks(node.zone(ZoneType.MOVABLE)));
        assertArrayEquals(new long[] {0, 0, 0, 0}, marks(node.zone(ZoneType.DEVICE)));
        assertArrayEquals(new long[] {0, 3018, 4170, 4170, 4170}, protection(node.zone(ZoneType.DMA)));
        assertArrayEquals(new long[] {0, 0, 1152, 1152, 1152}, protection(node.zone(ZoneType.DMA32)));
        assertArrayEquals(new long[] {0, 0, 0, 0, 0}, protection(node.zone(ZoneType.NORMAL)));

        Zone dma = node.zone(ZoneType.DMA);
        Zone dma32 = node.zone(ZoneType.DMA32);
        Zone normal = node.zone(ZoneType.NORMAL);
        assertEquals(1, Watermarks.batch(dma));
        assertEquals(63, Watermarks.batch(dma32));
        assertEquals(37, Watermarks.highMin(dma, 2));
        assertEquals(240, Watermarks.highMax(dma, 2));
        assertEquals(7615, Watermarks.highMin(dma32, 2));
        assertEquals(48300, Watermarks.highMax(dma32, 2));
        assertEquals(2906, Watermarks.highMin(normal, 2));
        assertEquals(18432, Watermarks.highMax(normal, 2));
        assertEquals(4, Watermarks.statThreshold(dma, 2));
        assertEquals(24, Watermarks.statThreshold(dma32, 2));
        assertEquals(20, Watermarks.statThreshold(normal, 2));
        // totalreserve: per zone the largest reserve plus high, capped at managed (DMA's 4260 at 3840).
        assertEquals(3840 + (1152 + 18277) + 6974, node.totalreservePages());
    }

    @Test
    void withoutThpTheSquareRootRuleStands() {
        PglistData node = nodeWithManaged(3840, 772808, 294912);
        Watermarks w = new Watermarks(node);
        w.init(false);
        long lowmemKb = (3840 + 772808 + 294912) * 4L;
        assertEquals(Watermarks.intSqrt(lowmemKb * 16), w.minFreeKbytes());
        assertEquals(w.minFreeKbytes() / 4 * 3840 / (3840 + 772808 + 294912), node.zone(ZoneType.DMA).watermark(Zone.WMARK_MIN));
    }

    @Test
    void recommendationIsCappedAtFivePercentOfLowmem() {
        PglistData sqrtOnly = nodeWithManaged(3840, 30000, 0);
        new Watermarks(sqrtOnly).init(false);
        long high = 0;
        for (Zone z : sqrtOnly.zones()) if (z.type.ordinal() <= ZoneType.NORMAL.ordinal()) high += z.watermark(Zone.WMARK_HIGH);
        long cap = (3840 + 30000 - high) / 20;
        // Three populated zones would recommend 16896 pages: far more than 5% of what is left above high.
        PglistData node = nodeWithManaged(3840, 30000, 0);
        Watermarks w = new Watermarks(node);
        w.init(true);
        assertEquals(cap * 4, w.minFreeKbytes());
    }

    @Test
    void minFreeKbytesWritesMoveEveryWatermark() {
        PglistData node = nodeWithManaged(3840, 772808, 294912);
        Watermarks w = new Watermarks(node);
        w.init(true);
        long lowBefore = w.lowWatermarkPages();
        w.setMinFreeKbytes(4 * 67584);
        assertEquals(4 * 67584, w.minFreeKbytes());
        assertEquals(4 * 16896L * 772808 / (3840 + 772808 + 294912), node.zone(ZoneType.DMA32).watermark(Zone.WMARK_MIN));
        assertEquals(true, w.lowWatermarkPages() > 3 * lowBefore);
        w.setMinFreeKbytes(0);
        assertEquals(0, node.zone(ZoneType.NORMAL).watermark(Zone.WMARK_MIN));
        // Only the scale factor's step is left: managed * 10 / 10000.
        assertEquals(294912L * 10 / 10000, node.zone(ZoneType.NORMAL).watermark(Zone.WMARK_LOW));
        assertEquals(Errno.EINVAL, errno(() -> w.setMinFreeKbytes(-1)));
        assertEquals(Errno.EINVAL, errno(() -> w.setMinFreeKbytes(1L << 31)));
        assertEquals(0, w.minFreeKbytes(), "a refused write changes nothing");
    }

    private static Errno errno(Executable e) {
        return org.junit.jupiter.api.Assertions.assertThrows(KernelError.class, e).errno();
    }
}
