package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** brk(): the heap grows and shrinks at the break; refusals return the old break. */
class BrkTest {
    private final MmStruct mm = MmTesting.small(31);

    @AfterEach
    void countersAreWhatTheVmasHold() {
        mm.verifyCounters();
    }

    @Test
    void growsTheHeapVma() {
        long brk = mm.brk();
        long vm = mm.totalVm();
        assertEquals(brk + 100_000, Mmap.brk(mm, brk + 100_000, MmTesting.NO_LIMIT));
        assertEquals(brk + 100_000, mm.brk(), "the break is kept to the byte");
        Vma heap = mm.vmaAt(mm.startBrk());
        assertEquals(MmLayout.pageAlign(brk + 100_000), heap.end(), "the heap VMA is extended, not doubled");
        assertEquals(vm + (MmLayout.pageAlign(brk + 100_000) - brk) / 4096, mm.totalVm());
        assertTrue(mm.isHeap(heap));
    }

    @Test
    void shrinksAndGivesPagesBack() {
        long start = mm.startBrk();
        Fault.touch(mm, start, mm.brk() - start, true);
        long rss = mm.rss();
        long heapPages = mm.vmaAt(start).pages();
        assertEquals(start + 4096, Mmap.brk(mm, start + 4096, MmTesting.NO_LIMIT));
        assertEquals(1, mm.vmaAt(start).pages());
        assertEquals(rss - (heapPages - 1), mm.rss());
        assertEquals(start, Mmap.brk(mm, start, MmTesting.NO_LIMIT));
        assertNull(mm.vmaAt(start), "a zero-sized heap has no VMA");
        assertEquals(start + 8192, Mmap.brk(mm, start + 8192, MmTesting.NO_LIMIT));
        assertNotNull(mm.vmaAt(start), "and gets one again when it grows");
        assertEquals(0, mm.vmaAt(start).rssPages(), "with fresh, absent pages");
    }

    @Test
    void withinAPageOnlyTheBreakMoves() {
        long brk = Mmap.brk(mm, mm.startBrk() + 10, MmTesting.NO_LIMIT);
        int count = mm.mapCount();
        long end = mm.vmaAt(mm.startBrk()).end();
        assertEquals(brk + 100, Mmap.brk(mm, brk + 100, MmTesting.NO_LIMIT));
        assertEquals(end, mm.vmaAt(mm.startBrk()).end());
        assertEquals(count, mm.mapCount());
    }

    @Test
    void refusalsReturnTheOldBreak() {
        long brk = mm.brk();
        assertEquals(brk, Mmap.brk(mm, mm.startBrk() - 4096, MmTesting.NO_LIMIT), "below start_brk");
        assertEquals(brk, Mmap.brk(mm, 0, MmTesting.NO_LIMIT), "brk(0) asks");
        assertEquals(brk, Mmap.brk(mm, brk + (1L << 30), 1000), "more than may be committed");
        long wall = MmLayout.pageAlign(brk) + 16 * 4096;
        MmTesting.mmap(mm, wall, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null);
        assertEquals(brk, Mmap.brk(mm, wall + 4096, MmTesting.NO_LIMIT), "into another mapping");
        assertEquals(brk, Mmap.brk(mm, wall, MmTesting.NO_LIMIT), "up against it: a page must stay free");
        assertEquals(wall - 4096, Mmap.brk(mm, wall - 4096, MmTesting.NO_LIMIT));
        assertTrue(mm.hiwaterVm() >= mm.totalVm());
    }
}
