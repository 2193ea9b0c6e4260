package ksim.mm;

/**
 * The struct pages of one zone (mem_map, set up by mm/mm_init.c memmap_init_range()) and its
 * pageblock flags (the usemap of include/linux/pageblock-flags.h), kept as parallel arrays
 * indexed by pfn - zone_start_pfn so that millions of pages cost a few bytes each.
 *
 * Per page: the buddy_list links (next/prev) and one flags byte holding what the page
 * allocator needs of page->flags and page->private: PG_buddy with the order for the first
 * page of a free block, PG_head with the order (and whether it went to a movable user) for
 * the first page of an allocated block, PG_reserved for frames the buddy allocator never owned
 * (holes and memblock reservations). Other pages of a block carry no flags. Per pageblock of
 * 2^PAGEBLOCK_ORDER pages: its migratetype.
 */
final class MemMap {
    /** page_order() of a buddy or head page. */
    static final int ORDER_MASK = 0x0f;
    /** PageBuddy(): first page of a free block. */
    static final int PG_BUDDY = 0x10;
    /** First page of an allocated block (PG_head for order > 0; the block alloc_pages returned). */
    static final int PG_HEAD = 0x20;
    /** The allocated block went to a movable user (PageLRU / movable_ops). */
    static final int PG_MOVABLE = 0x40;
    /** PageReserved(): not managed by the buddy allocator. */
    static final int PG_RESERVED = 0x80;

    final byte[] flags;
    final int[] next;
    final int[] prev;
    /** Migratetype ordinal of each pageblock, indexed by (pfn >> PAGEBLOCK_ORDER) - firstBlock. */
    final byte[] pageblock;
    private final long firstBlock;

    MemMap(long startPfn, int spanned) {
        flags = new byte[spanned];
        next = new int[spanned];
        prev = new int[spanned];
        firstBlock = startPfn >> Zone.PAGEBLOCK_ORDER;
        long lastBlock = spanned == 0 ? firstBlock - 1 : (startPfn + spanned - 1) >> Zone.PAGEBLOCK_ORDER;
        pageblock = new byte[(int) (lastBlock - firstBlock + 1)];
        // memmap_init_range(): every pageblock starts MIGRATE_MOVABLE, every page reserved.
        java.util.Arrays.fill(pageblock, (byte) MigrateType.MOVABLE.ordinal());
        java.util.Arrays.fill(flags, (byte) PG_RESERVED);
    }

    int flags(int i) {
        return flags[i] & 0xff;
    }

    /** get_pfnblock_migratetype(). */
    MigrateType blockType(long pfn) {
        return MigrateType.of(pageblock[(int) ((pfn >> Zone.PAGEBLOCK_ORDER) - firstBlock)]);
    }

    /** set_pageblock_migratetype(). */
    void setBlockType(long pfn, MigrateType mt) {
        pageblock[(int) ((pfn >> Zone.PAGEBLOCK_ORDER) - firstBlock)] = (byte) mt.ordinal();
    }
}
