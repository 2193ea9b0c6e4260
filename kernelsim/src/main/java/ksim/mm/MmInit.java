package ksim.mm;

/**
 * mm/mm_init.c's memblock_free_all(): hands every free range of the boot memory map to the
 * buddy allocator in the largest aligned blocks it allows (__free_pages_memory()), after which
 * the zonelist is built from the zones that received pages.
 */
final class MmInit {
    private MmInit() {}

    static void memblockFreeAll(Memblock mb, PglistData node, BuddyAllocator buddy) {
        for (Memblock.Region r : mb.freeRanges()) {
            long start = r.base();
            while (start < r.end()) {
                Zone z = node.zoneOf(start);
                long stop = Math.min(r.end(), z.endPfn());
                freePagesMemory(buddy, start, stop);
                start = stop;
            }
        }
        node.buildZonelist();
    }

    /** __free_pages_memory(): blocks as large as the start's alignment and the range allow. */
    private static void freePagesMemory(BuddyAllocator buddy, long start, long end) {
        while (start < end) {
            int order = start == 0 ? Zone.MAX_PAGE_ORDER : Math.min(Zone.MAX_PAGE_ORDER, Long.numberOfTrailingZeros(start));
            while (start + (1L << order) > end) order--;
            buddy.freeBootPages(start, order);
            start += 1L << order;
        }
    }
}
