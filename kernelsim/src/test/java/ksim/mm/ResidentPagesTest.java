package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The run-length page table of a VMA: counts, overwrites, splits and merges. */
class ResidentPagesTest {

    @Test
    void applyCountsOnlyPagesThatChange() {
        ResidentPages p = new ResidentPages();
        assertEquals(10, p.apply(100, 110, k -> k == null ? PageKind.ANON : k));
        assertEquals(0, p.apply(100, 110, k -> k == null ? PageKind.ANON : k), "present pages do not fault again");
        assertEquals(5, p.apply(105, 115, k -> k == null ? PageKind.ANON : k));
        assertEquals(15, p.count(PageKind.ANON));
        assertEquals(List.of(new ResidentPages.Run(100, 115, PageKind.ANON)), List.copyOf(p.runList()), "one run after coalescing");
    }

    @Test
    void kindsChangeInTheMiddleOfARun() {
        ResidentPages p = new ResidentPages();
        p.apply(0, 10, k -> PageKind.FILE);
        assertEquals(3, p.apply(4, 7, k -> PageKind.ANON));
        assertEquals(7, p.count(PageKind.FILE));
        assertEquals(3, p.count(PageKind.ANON));
        assertEquals(10, p.resident());
        assertEquals(3, p.runList().size());
        assertEquals(3, p.apply(4, 7, k -> PageKind.FILE));
        assertEquals(1, p.runList().size(), "restored kinds coalesce");
    }

    @Test
    void clearLeavesHoles() {
        ResidentPages p = new ResidentPages();
        p.apply(0, 100, k -> PageKind.SHMEM);
        assertEquals(20, p.clear(40, 60));
        assertEquals(80, p.count(PageKind.SHMEM));
        assertEquals(0, p.clear(40, 60));
        assertEquals(2, p.runList().size());
    }

    @Test
    void swapEntriesAreNotResident() {
        ResidentPages p = new ResidentPages();
        p.apply(0, 8, k -> PageKind.ANON);
        p.apply(0, 3, k -> PageKind.SWAP);
        assertEquals(5, p.resident());
        assertEquals(3, p.count(PageKind.SWAP));
    }

    @Test
    void splitOffAndAbsorbKeepEveryPage() {
        ResidentPages p = new ResidentPages();
        p.apply(10, 30, k -> PageKind.ANON);
        p.apply(50, 60, k -> PageKind.FILE);
        ResidentPages upper = p.splitOff(20);
        assertEquals(10, p.count(PageKind.ANON));
        assertEquals(0, p.count(PageKind.FILE));
        assertEquals(10, upper.count(PageKind.ANON));
        assertEquals(10, upper.count(PageKind.FILE));
        ResidentPages copy = upper.copy();
        p.absorb(upper);
        assertEquals(0, upper.resident(), "absorbed pages move");
        assertEquals(30, p.resident());
        assertEquals(20, copy.resident(), "a copy is independent");
        assertEquals(List.of(new ResidentPages.Run(10, 30, PageKind.ANON), new ResidentPages.Run(50, 60, PageKind.FILE)),
                List.copyOf(p.runList()));
    }

    @Test
    void hugeSparseRangesStaySmall() {
        ResidentPages p = new ResidentPages();
        long gib64 = 64L << 18; // 64 GiB in pages
        p.apply(0, gib64, k -> k);
        assertEquals(0, p.resident(), "an identity over absent pages adds nothing");
        p.apply(gib64 - 1, gib64, k -> PageKind.ANON);
        p.apply(0, 1, k -> PageKind.ANON);
        assertEquals(2, p.resident());
        assertEquals(2, p.runList().size());
    }
}
