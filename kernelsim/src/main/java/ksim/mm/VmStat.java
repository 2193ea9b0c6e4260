package ksim.mm;

import java.util.EnumMap;
import java.util.Map;
import ksim.kernel.Param;

/**
 * The global page counters of mm/vmstat.c (vm_node_stat / vm_zone_stat) from which meminfo
 * is derived. Pages come from the installed memory minus what the kernel image reserves;
 * every consumer adds and removes its pages here, and free is what is left, so the numbers
 * always add up. (The buddy allocator and SLUB will become the source of these counters.)
 */
public final class VmStat {
    /** Node and zone items this model tracks (names as enum node_stat_item). */
    public enum Item {
        NR_FILE_PAGES, NR_BUFFERS, NR_ANON_MAPPED, NR_FILE_MAPPED, NR_SHMEM,
        NR_SLAB_RECLAIMABLE, NR_SLAB_UNRECLAIMABLE, NR_KERNEL_STACK_KB, NR_PAGETABLE,
        NR_DIRTY, NR_WRITEBACK, NR_MLOCK, NR_UNEVICTABLE
    }

    private final long totalRamPages;
    private long minFreeKbytes;
    private final Map<Item, Long> items = new EnumMap<>(Item.class);
    /** vm_committed_as: pages of private writable mappings promised to processes. */
    private long committedAs;

    public VmStat(long memoryKb) {
        // The kernel image, memmap and firmware reservations take about 2% (as on real boots).
        long reservedKb = memoryKb / 50;
        this.totalRamPages = (memoryKb - reservedKb) / 4;
        this.minFreeKbytes = initMinFreeKbytes(memoryKb - reservedKb);
        for (Item i : Item.values()) items.put(i, 0L);
    }

    /** init_per_zone_wmark_min(): min_free_kbytes = sqrt(lowmem_kbytes * 16), clamped. */
    static long initMinFreeKbytes(long lowmemKb) {
        long v = (long) Math.sqrt((double) lowmemKb * 16);
        return Math.max(128, Math.min(262144, v));
    }

    public long totalRamPages() { return totalRamPages; }
    public long minFreeKbytes() { return minFreeKbytes; }
    public long committedAs() { return committedAs; }

    public void addCommitted(long pages) {
        committedAs = Math.max(0, committedAs + pages);
    }

    /** Writes /proc/sys/vm/min_free_kbytes (the sysctl's lower bound is 0). */
    public void setMinFreeKbytes(long kb) {
        if (kb < 0 || kb > totalRamPages * 4) throw ksim.kernel.Errno.EINVAL.error("min_free_kbytes out of range");
        minFreeKbytes = kb;
    }

    /** Pages (or kB, for NR_KERNEL_STACK_KB) counted under an item. */
    public long get(Item i) { return items.get(i); }

    public void add(Item i, long delta) {
        long v = items.get(i) + delta;
        if (v < 0) throw new IllegalStateException(i + " would go negative");
        items.put(i, v);
    }

    /**
     * Mapped file pages. Processes map the same library pages, which the kernel counts once
     * (page->_mapcount); the per-process sum is therefore capped at the page cache.
     */
    public long mappedPages() {
        return Math.min(get(Item.NR_FILE_MAPPED), get(Item.NR_FILE_PAGES));
    }

    /** NR_FREE_PAGES: total RAM minus everything in use. */
    public long freePages() {
        long used = get(Item.NR_FILE_PAGES) + get(Item.NR_ANON_MAPPED) + get(Item.NR_SLAB_RECLAIMABLE)
                + get(Item.NR_SLAB_UNRECLAIMABLE) + get(Item.NR_KERNEL_STACK_KB) / 4 + get(Item.NR_PAGETABLE);
        return Math.max(0, totalRamPages - used);
    }

    /** The low watermark summed over zones (min + min/4), in pages. */
    public long lowWatermarkPages() {
        long min = minFreeKbytes / 4;
        return min + min / 4;
    }

    /** si_mem_available(): free minus reserves plus what page cache and slab could give back. */
    public long availablePages() {
        long wmarkLow = lowWatermarkPages();
        long available = freePages() - wmarkLow;
        long pagecache = get(Item.NR_FILE_PAGES);
        available += pagecache - Math.min(pagecache / 2, wmarkLow);
        long reclaimable = get(Item.NR_SLAB_RECLAIMABLE);
        available += reclaimable - Math.min(reclaimable / 2, wmarkLow);
        return Math.max(0, available);
    }

    public static long pagesToKb(long pages) {
        return pages * (Param.PAGE_SIZE / 1024);
    }
}
