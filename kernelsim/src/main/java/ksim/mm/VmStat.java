package ksim.mm;

import ksim.kernel.Param;

/**
 * The memory side of the kernel as /proc sees it (mm/vmstat.c and mm/show_mem.c): node 0 with
 * its zones and buddy allocator, booted from the configured memory, the counters
 * (vm_node_stat, vm_zone_stat, vm_event_states) and what meminfo derives from them. The
 * counters are kept by whoever takes pages from the allocator (Folios for the kernel's own
 * users), so MemFree is nr_free_pages, MemTotal the managed pages, and what is in use is
 * exactly what the counters say.
 */
public final class VmStat {
    /** The node counters the rest of the kernel and the views use by name. */
    public enum Item {
        NR_FILE_PAGES(NodeStatItem.NR_FILE_PAGES),
        /** Page-cache pages of block devices (nr_blockdev_pages()): part of NR_FILE_PAGES. */
        NR_BUFFERS(null),
        NR_ANON_MAPPED(NodeStatItem.NR_ANON_PAGES),
        NR_FILE_MAPPED(NodeStatItem.NR_MAPPED),
        NR_SHMEM(NodeStatItem.NR_SHMEM),
        NR_SLAB_RECLAIMABLE(NodeStatItem.NR_SLAB_RECLAIMABLE),
        NR_SLAB_UNRECLAIMABLE(NodeStatItem.NR_SLAB_UNRECLAIMABLE),
        NR_KERNEL_STACK_KB(NodeStatItem.NR_KERNEL_STACK),
        NR_PAGETABLE(NodeStatItem.NR_PAGE_TABLE_PAGES),
        NR_DIRTY(NodeStatItem.NR_DIRTY),
        NR_WRITEBACK(NodeStatItem.NR_WRITEBACK),
        /** A zone counter in Linux (NR_MLOCK); kept node-wide here. */
        NR_MLOCK(null),
        NR_UNEVICTABLE(NodeStatItem.NR_UNEVICTABLE),
        NR_INACTIVE_ANON(NodeStatItem.NR_INACTIVE_ANON),
        NR_ACTIVE_ANON(NodeStatItem.NR_ACTIVE_ANON),
        NR_INACTIVE_FILE(NodeStatItem.NR_INACTIVE_FILE),
        NR_ACTIVE_FILE(NodeStatItem.NR_ACTIVE_FILE);

        final NodeStatItem node;

        Item(NodeStatItem node) {
            this.node = node;
        }
    }

    /** vm_dirty_ratio and dirty_background_ratio defaults (mm/page-writeback.c). */
    static final int DIRTY_RATIO = 20;
    static final int DIRTY_BACKGROUND_RATIO = 10;

    private final PglistData node;
    private final VmEvents events = new VmEvents();
    private final BuddyAllocator buddy;
    private final Watermarks watermarks;
    private final Folios folios;
    private final MmPages mmPages;
    private final PageCache pageCache;
    private long mlock;
    /** vm_committed_as: pages of private writable mappings promised to processes. */
    private long committedAs;

    public VmStat(long memoryKb) {
        this(memoryKb, 2);
    }

    /** Boots node 0: memblock, zones, memblock_free_all(), then the watermarks. */
    public VmStat(long memoryKb, int cpus) {
        Memblock mb = Memblock.x86(memoryKb, cpus);
        this.node = new PglistData(mb, cpus);
        this.buddy = new BuddyAllocator(node, events);
        MmInit.memblockFreeAll(mb, node, buddy);
        this.watermarks = new Watermarks(node);
        watermarks.init(true);
        this.folios = new Folios(buddy);
        this.mmPages = new MmPages(folios);
        this.pageCache = new PageCache(folios, events);
    }

    // ---- the parts -----------------------------------------------------------------------------

    public PglistData node() { return node; }
    /** alloc_pages()/__free_pages(): for SLUB's slabs and anyone else who accounts for themselves. */
    public PageSource pageSource() { return buddy; }
    public BuddyAllocator buddy() { return buddy; }
    public Folios folios() { return folios; }
    public MmPages mmPages() { return mmPages; }
    public PageCache pageCache() { return pageCache; }
    public VmEvents events() { return events; }
    public Watermarks watermarks() { return watermarks; }

    // ---- counters ------------------------------------------------------------------------------

    /** Pages (or KiB, for NR_KERNEL_STACK_KB) counted under an item. */
    public long get(Item i) {
        if (i == Item.NR_BUFFERS) return folios.held(PageUse.BUFFERS);
        if (i == Item.NR_MLOCK) return mlock;
        return node.stat(i.node);
    }

    /**
     * mod_node_page_state(): moves a counter alone. For counters no page of this kernel backs
     * (dirty, writeback, mlocked, mapped) and for allocators that take their pages through
     * pageSource() themselves; pages taken through Folios are counted there.
     */
    public void add(Item i, long delta) {
        if (i == Item.NR_BUFFERS) throw new IllegalArgumentException("buffers are counted by the page cache");
        long v = get(i) + delta;
        if (v < 0) throw new IllegalStateException(i + " would go negative");
        if (i == Item.NR_MLOCK) mlock = v;
        else node.mod(i.node, delta);
    }

    /**
     * node_page_state_pages() as the views print a node counter: nr_mapped is capped at the
     * page cache (see mappedPages()), so meminfo, zoneinfo, vmstat and sysfs agree.
     */
    public long nodePageState(NodeStatItem item) {
        return item == NodeStatItem.NR_MAPPED ? mappedPages() : node.stat(item);
    }

    /** nr_memmap_boot_pages: struct pages allocated at boot. */
    public long memmapBootPages() {
        return node.memblock().memmapPages();
    }

    public long committedAs() { return committedAs; }

    public void addCommitted(long pages) {
        committedAs = Math.max(0, committedAs + pages);
    }

    /** totalram_pages(): what the buddy allocator manages (MemTotal). */
    public long totalRamPages() {
        return node.managedPages();
    }

    /** NR_FREE_PAGES summed over the zones (MemFree). */
    public long freePages() {
        return node.freePages();
    }

    /** Pages behind vmalloc areas (VmallocUsed). */
    public long vmallocPages() {
        return folios.held(PageUse.VMALLOC);
    }

    /** The per-CPU first chunk (meminfo Percpu), in KiB. */
    public long percpuKb() {
        return pagesToKb(node.memblock().percpuPages());
    }

    /**
     * Mapped file pages. Processes map the same library pages, which the kernel counts once
     * (page->_mapcount); the per-process sum is therefore capped at the page cache.
     */
    public long mappedPages() {
        return Math.min(get(Item.NR_FILE_MAPPED), get(Item.NR_FILE_PAGES));
    }

    // ---- reserves ------------------------------------------------------------------------------

    public long minFreeKbytes() { return watermarks.minFreeKbytes(); }

    /** Writes /proc/sys/vm/min_free_kbytes: the watermarks of every zone follow. */
    public void setMinFreeKbytes(long kb) {
        watermarks.setMinFreeKbytes(kb);
    }

    /** The low watermarks summed over zones, in pages. */
    public long lowWatermarkPages() {
        return watermarks.lowWatermarkPages();
    }

    /** si_mem_available(): free minus reserves plus what page cache and slab could give back. */
    public long availablePages() {
        long wmarkLow = lowWatermarkPages();
        long available = freePages() - node.totalreservePages();
        long pagecache = get(Item.NR_ACTIVE_FILE) + get(Item.NR_INACTIVE_FILE);
        available += pagecache - Math.min(pagecache / 2, wmarkLow);
        long reclaimable = get(Item.NR_SLAB_RECLAIMABLE) + node.stat(NodeStatItem.NR_KERNEL_MISC_RECLAIMABLE);
        available += reclaimable - Math.min(reclaimable / 2, wmarkLow);
        return Math.max(0, available);
    }

    /**
     * global_dirty_limits() for a task that is not real-time: {background, dirty} thresholds in
     * pages, from the dirtyable memory (free above the reserves plus the file LRU).
     */
    public long[] dirtyLimits() {
        long free = freePages();
        long x = free - Math.min(free, node.totalreservePages());
        x += get(Item.NR_INACTIVE_FILE) + get(Item.NR_ACTIVE_FILE);
        long available = x + 1;
        long ratio = DIRTY_RATIO * (long) Param.PAGE_SIZE / 100;
        long bgRatio = DIRTY_BACKGROUND_RATIO * (long) Param.PAGE_SIZE / 100;
        long thresh = ratio * available / Param.PAGE_SIZE;
        long bgThresh = bgRatio * available / Param.PAGE_SIZE;
        if (bgThresh >= thresh) bgThresh = thresh / 2;
        return new long[] {bgThresh, thresh};
    }

    public static long pagesToKb(long pages) {
        return pages * (Param.PAGE_SIZE / 1024);
    }
}
