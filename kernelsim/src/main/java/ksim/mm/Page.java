package ksim.mm;

/**
 * What struct page says about one page frame, as far as the page allocator keeps it
 * (pfn_to_page() in a read-only form): the zone, whether it starts a free block (PageBuddy) or
 * an allocated one (the block alloc_pages() returned), its order, whether it is reserved
 * (PageReserved: a hole or memblock's), and its pageblock's migratetype. Other pages of a
 * block are tails: neither buddy, head nor reserved.
 */
public record Page(long pfn, Zone zone, int flags) {
    public boolean buddy() {
        return (flags & MemMap.PG_BUDDY) != 0;
    }

    public boolean head() {
        return (flags & MemMap.PG_HEAD) != 0;
    }

    public boolean reserved() {
        return (flags & MemMap.PG_RESERVED) != 0;
    }

    /** Allocated for a movable user (an LRU page). */
    public boolean movable() {
        return (flags & MemMap.PG_MOVABLE) != 0;
    }

    /** buddy_order() / compound_order() of a buddy or head page, 0 otherwise. */
    public int order() {
        return buddy() || head() ? flags & MemMap.ORDER_MASK : 0;
    }

    public MigrateType pageblockType() {
        return zone.pageblockType(pfn);
    }
}
