package ksim.mm;

/**
 * struct zone (include/linux/mmzone.h): a range of page frames of one node with its own free
 * lists (free_area[order], one list per migratetype), pageblock types, watermarks,
 * lowmem_reserve and counters. Indices into the zone's mem_map are pfn - zone_start_pfn.
 */
public final class Zone {
    /** MAX_PAGE_ORDER: the largest block the buddy allocator hands out (4 MiB). */
    public static final int MAX_PAGE_ORDER = 10;
    /** NR_PAGE_ORDERS. */
    public static final int NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
    /** pageblock_order on x86-64 with THP: HPAGE_PMD_ORDER. */
    public static final int PAGEBLOCK_ORDER = 9;
    public static final int PAGEBLOCK_NR_PAGES = 1 << PAGEBLOCK_ORDER;
    /** enum zone_watermarks. */
    public static final int WMARK_MIN = 0, WMARK_LOW = 1, WMARK_HIGH = 2, WMARK_PROMO = 3;

    public final ZoneType type;
    final long startPfn;
    final int spanned;
    final long present;
    long managed;
    final FreeArea[] freeArea = new FreeArea[NR_PAGE_ORDERS];
    final MemMap map;
    /** _watermark[]; watermark_boost is never raised here (no boosting), so always 0. */
    final long[] watermark = new long[4];
    final long[] lowmemReserve = new long[ZoneType.MAX_NR_ZONES];
    final long[] vmStat = new long[ZoneStatItem.values().length];
    final long[] numaEvents = new long[NumaStatItem.values().length];

    Zone(ZoneType type, long startPfn, long spanned, long present) {
        if (spanned > Integer.MAX_VALUE) throw new IllegalArgumentException("zone too large: " + spanned + " pages");
        this.type = type;
        this.startPfn = startPfn;
        this.spanned = (int) spanned;
        this.present = present;
        for (int o = 0; o < NR_PAGE_ORDERS; o++) freeArea[o] = new FreeArea();
        this.map = new MemMap(startPfn, this.spanned);
    }

    // ---- what zoneinfo prints ----------------------------------------------------------------

    public long startPfn() { return startPfn; }
    public long spannedPages() { return spanned; }
    public long presentPages() { return present; }
    public long managedPages() { return managed; }
    public long watermark(int which) { return watermark[which]; }
    public long lowmemReserve(int zoneIdx) { return lowmemReserve[zoneIdx]; }
    public long stat(ZoneStatItem item) { return vmStat[item.ordinal()]; }
    public long numaEvent(NumaStatItem item) { return numaEvents[item.ordinal()]; }
    /** free_area[order].nr_free. */
    public long nrFree(int order) { return freeArea[order].nrFree; }
    public long freePages() { return vmStat[ZoneStatItem.NR_FREE_PAGES.ordinal()]; }

    /** populated_zone(): the zone has present pages. */
    public boolean populated() {
        return present > 0;
    }

    /** managed_zone(): the buddy allocator owns pages of this zone. */
    public boolean managedZone() {
        return managed > 0;
    }

    public long endPfn() {
        return startPfn + spanned;
    }

    /** zone_spans_pfn(). */
    public boolean spans(long pfn) {
        return pfn >= startPfn && pfn < startPfn + spanned;
    }

    /** Blocks on free_area[order].free_list[mt], walked as pagetypeinfo does (capped). */
    public long countFreeList(int order, MigrateType mt, long cap) {
        int h = freeArea[order].head[mt.ordinal()];
        if (h < 0) return 0;
        long n = 0;
        int i = h;
        do {
            n++;
            i = map.next[i];
        } while (i != h && n < cap);
        return n;
    }

    /** get_pageblock_migratetype() of the pageblock holding pfn. */
    public MigrateType pageblockType(long pfn) {
        return map.blockType(pfn);
    }

    void mod(ZoneStatItem item, long delta) {
        vmStat[item.ordinal()] += delta;
    }

    // ---- free lists ----------------------------------------------------------------------------

    int index(long pfn) {
        return (int) (pfn - startPfn);
    }

    long pfn(int index) {
        return startPfn + index;
    }

    /** The first block on a free list (get_page_from_free_area), or -1. */
    int first(int order, MigrateType mt) {
        return freeArea[order].head[mt.ordinal()];
    }

    /** __add_to_free_list() with set_buddy_order() and account_freepages(). */
    void addToFreeList(int i, int order, MigrateType mt, boolean tail) {
        FreeArea area = freeArea[order];
        int m = mt.ordinal();
        int h = area.head[m];
        int[] next = map.next;
        int[] prev = map.prev;
        if (h < 0) {
            next[i] = i;
            prev[i] = i;
            area.head[m] = i;
        } else {
            int t = prev[h];
            next[i] = h;
            prev[i] = t;
            next[t] = i;
            prev[h] = i;
            if (!tail) area.head[m] = i;
        }
        map.flags[i] = (byte) (MemMap.PG_BUDDY | order);
        area.nrFree++;
        accountFree(order, mt, 1L << order);
    }

    /** __del_page_from_free_list() with account_freepages(); the page is no longer PageBuddy. */
    void delFromFreeList(int i, int order, MigrateType mt) {
        FreeArea area = freeArea[order];
        int m = mt.ordinal();
        int[] next = map.next;
        int[] prev = map.prev;
        int n = next[i];
        if (n == i) {
            area.head[m] = -1;
        } else {
            int p = prev[i];
            next[p] = n;
            prev[n] = p;
            if (area.head[m] == i) area.head[m] = n;
        }
        map.flags[i] = 0;
        area.nrFree--;
        accountFree(order, mt, -(1L << order));
    }

    /** move_to_free_list(): to the tail of another type's list. */
    void moveToFreeList(int i, int order, MigrateType from, MigrateType to) {
        delFromFreeList(i, order, from);
        addToFreeList(i, order, to, true);
    }

    private void accountFree(int order, MigrateType mt, long nr) {
        if (mt == MigrateType.ISOLATE) return;
        vmStat[ZoneStatItem.NR_FREE_PAGES.ordinal()] += nr;
        if (order >= PAGEBLOCK_ORDER) vmStat[ZoneStatItem.NR_FREE_PAGES_BLOCKS.ordinal()] += nr;
        if (mt == MigrateType.CMA) vmStat[ZoneStatItem.NR_FREE_CMA.ordinal()] += nr;
    }

    @Override
    public String toString() {
        return "zone " + type.text + " [" + startPfn + ", " + endPfn() + ")";
    }
}
