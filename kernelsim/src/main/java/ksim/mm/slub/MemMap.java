package ksim.mm.slub;

/**
 * The slab side of mem_map (struct page's slab_cache and compound head, reached through
 * virt_to_slab()): which slab, or which large kmalloc block, each page frame belongs to.
 * Sparse like SPARSEMEM: sections of 2^15 page frames are created when first used.
 * Writes happen under the page lock; reads are lock-free (a handle is only freed after the
 * allocation that made it, which published its slab).
 */
final class MemMap {
    private static final int SECTION_SHIFT = 15;
    private static final int SECTION_MASK = (1 << SECTION_SHIFT) - 1;

    /** A kmalloc() above KMALLOC_MAX_CACHE_SIZE, served straight from the page allocator. */
    record LargeKmalloc(long pfn, int order) {}

    private volatile Object[][] sections = new Object[16][];

    /** The owner of page frame pfn: a Slab, a LargeKmalloc, or null. */
    Object get(long pfn) {
        if (pfn < 0) return null;
        long sec = pfn >>> SECTION_SHIFT;
        Object[][] ss = sections;
        if (sec >= ss.length) return null;
        Object[] s = ss[(int) sec];
        return s == null ? null : s[(int) (pfn & SECTION_MASK)];
    }

    /** The owner of the page an address lies in (virt_to_page()). */
    Object ofAddress(long addr) {
        long off = addr - KmemCache.PAGE_OFFSET;
        if (off < 0) return null;
        return get(off >>> CacheGeometry.PAGE_SHIFT);
    }

    /** Marks the 2^order frames at pfn as owned by v (null clears them). */
    void set(long pfn, int order, Object v) {
        long end = pfn + (1L << order);
        for (long p = pfn; p < end; p++) {
            int sec = (int) (p >>> SECTION_SHIFT);
            Object[][] ss = sections;
            if (sec >= ss.length) {
                Object[][] grown = new Object[Math.max(sec + 1, ss.length * 2)][];
                System.arraycopy(ss, 0, grown, 0, ss.length);
                sections = ss = grown;
            }
            Object[] s = ss[sec];
            if (s == null) {
                if (v == null) continue;
                s = new Object[1 << SECTION_SHIFT];
                ss[sec] = s;
            }
            s[(int) (p & SECTION_MASK)] = v;
        }
    }
}
