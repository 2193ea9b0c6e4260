package ksim.mm;

/**
 * The reserves of mm/page_alloc.c: min_free_kbytes (calculate_min_free_kbytes(), raised by
 * khugepaged's set_recommended_min_free_kbytes() as THP is enabled), the per-zone min/low/
 * high/promo watermarks (__setup_per_zone_wmarks()), lowmem_reserve
 * (setup_per_zone_lowmem_reserve()), totalreserve_pages, and the per-CPU pageset sizes and
 * vmstat thresholds zoneinfo prints (zone_batchsize(), zone_highsize(),
 * calculate_normal_threshold()).
 */
public final class Watermarks {
    /** vm.watermark_scale_factor default. */
    public static final int WATERMARK_SCALE_FACTOR = 10;
    /** vm.lowmem_reserve_ratio defaults: DMA, DMA32, Normal, Movable, Device. */
    static final int[] LOWMEM_RESERVE_RATIO = {256, 256, 32, 0, 0};
    /** SWAP_CLUSTER_MAX. */
    static final long SWAP_CLUSTER_MAX = 32;
    /** MIN_PERCPU_PAGELIST_HIGH_FRACTION. */
    static final int MIN_PERCPU_PAGELIST_HIGH_FRACTION = 8;

    private final PglistData node;
    private long minFreeKbytes;
    /** user_min_free_kbytes: the last value written through the sysctl, or -1. */
    private long userMinFreeKbytes = -1;

    Watermarks(PglistData node) {
        this.node = node;
    }

    /** init_per_zone_wmark_min() then khugepaged's start: what boot leaves in place. */
    void init(boolean transparentHugepage) {
        minFreeKbytes = calculateMinFreeKbytes();
        setupPerZoneWmarks();
        setupPerZoneLowmemReserve();
        if (transparentHugepage) setRecommendedMinFreeKbytes();
    }

    public long minFreeKbytes() {
        return minFreeKbytes;
    }

    /** min_free_kbytes_sysctl_handler(): 0..INT_MAX, then the watermarks follow. */
    void setMinFreeKbytes(long kb) {
        if (kb < 0 || kb > Integer.MAX_VALUE) throw ksim.kernel.Errno.EINVAL.error("min_free_kbytes must be 0.." + Integer.MAX_VALUE);
        minFreeKbytes = kb;
        userMinFreeKbytes = kb;
        setupPerZoneWmarks();
    }

    /** nr_free_zone_pages(gfp_zone(GFP_USER)): managed pages above the high watermark, DMA..Normal. */
    long nrFreeBufferPages() {
        long sum = 0;
        for (int z = 0; z <= ZoneType.NORMAL.ordinal(); z++) {
            Zone zone = node.zones[z];
            sum += Math.max(0, zone.managed - zone.watermark[Zone.WMARK_HIGH]);
        }
        return sum;
    }

    /** calculate_min_free_kbytes(): sqrt(lowmem_kbytes * 16), clamped to 128..262144. */
    private long calculateMinFreeKbytes() {
        long lowmemKb = nrFreeBufferPages() * 4;
        long v = intSqrt(lowmemKb * 16);
        return v > userMinFreeKbytes ? Math.max(128, Math.min(262144, v)) : minFreeKbytes;
    }

    /**
     * set_recommended_min_free_kbytes() (mm/khugepaged.c): room for two free pageblocks per
     * zone plus MIGRATE_PCPTYPES^2 more, at most 5% of lowmem, if that is more than now.
     */
    private void setRecommendedMinFreeKbytes() {
        long nrZones = 0;
        for (int z = 0; z <= ZoneType.NORMAL.ordinal(); z++) if (node.zones[z].populated()) nrZones++;
        long recommended = (long) Zone.PAGEBLOCK_NR_PAGES * nrZones * 2;
        recommended += (long) Zone.PAGEBLOCK_NR_PAGES * nrZones * MigrateType.PCPTYPES * MigrateType.PCPTYPES;
        recommended = Math.min(recommended, nrFreeBufferPages() / 20);
        recommended *= 4;
        if (recommended > minFreeKbytes) {
            minFreeKbytes = recommended;
            setupPerZoneWmarks();
        }
    }

    /** __setup_per_zone_wmarks(): min shared out by managed pages, low/high/promo a step apart. */
    void setupPerZoneWmarks() {
        long pagesMin = minFreeKbytes / 4;
        long lowmemPages = 0;
        for (Zone z : node.zones) if (z.type != ZoneType.MOVABLE) lowmemPages += z.managed;
        for (Zone z : node.zones) {
            long tmp = lowmemPages == 0 ? 0 : pagesMin * z.managed / lowmemPages;
            if (z.type == ZoneType.MOVABLE) {
                z.watermark[Zone.WMARK_MIN] = Math.max(SWAP_CLUSTER_MAX, Math.min(128, z.managed / 1024));
            } else {
                z.watermark[Zone.WMARK_MIN] = tmp;
            }
            long step = Math.max(tmp >> 2, z.managed * WATERMARK_SCALE_FACTOR / 10000);
            z.watermark[Zone.WMARK_LOW] = z.watermark[Zone.WMARK_MIN] + step;
            z.watermark[Zone.WMARK_HIGH] = z.watermark[Zone.WMARK_LOW] + step;
            z.watermark[Zone.WMARK_PROMO] = z.watermark[Zone.WMARK_HIGH] + step;
        }
        calculateTotalreservePages();
    }

    /** setup_per_zone_lowmem_reserve(): each zone keeps managed(higher zones) / ratio from their allocations. */
    void setupPerZoneLowmemReserve() {
        for (int i = 0; i < ZoneType.MAX_NR_ZONES - 1; i++) {
            Zone zone = node.zones[i];
            int ratio = LOWMEM_RESERVE_RATIO[i];
            boolean clear = ratio == 0 || zone.managed == 0;
            long managed = 0;
            for (int j = i + 1; j < ZoneType.MAX_NR_ZONES; j++) {
                managed += node.zones[j].managed;
                zone.lowmemReserve[j] = clear ? 0 : managed / ratio;
            }
        }
        calculateTotalreservePages();
    }

    /** calculate_totalreserve_pages(): per zone the largest reserve plus the high watermark. */
    private void calculateTotalreservePages() {
        long total = 0;
        for (int i = 0; i < ZoneType.MAX_NR_ZONES; i++) {
            Zone zone = node.zones[i];
            long max = 0;
            for (int j = i; j < ZoneType.MAX_NR_ZONES; j++) max = Math.max(max, zone.lowmemReserve[j]);
            max += zone.watermark[Zone.WMARK_HIGH];
            total += Math.min(max, zone.managed);
        }
        node.totalreservePages = total;
    }

    /** Sum of the low watermarks of all zones (si_mem_available's wmark_low). */
    public long lowWatermarkPages() {
        long n = 0;
        for (Zone z : node.zones) n += z.watermark[Zone.WMARK_LOW];
        return n;
    }

    // ---- per-CPU pagesets and vmstat thresholds (what zoneinfo shows of them) ------------------

    /** zone_batchsize(), at least 1 as zone_set_pageset_high_and_batch() keeps it. */
    public static int batch(Zone z) {
        long batch = Math.min(z.managed >> 10, (1L << 20) / 4096) / 4;
        if (batch < 1) batch = 1;
        batch = Long.highestOneBit(batch + batch / 2) - 1;
        return (int) Math.max(1, batch);
    }

    /** zone_highsize(): pcp->high_min (fraction 0, from the low watermark) or high_max (fraction 8). */
    public static int highsize(Zone z, int cpus, int highFraction) {
        long total = highFraction == 0 ? z.watermark[Zone.WMARK_LOW] : z.managed / highFraction;
        long high = total / cpus;
        return (int) Math.max(high, (long) batch(z) << 2);
    }

    public static int highMin(Zone z, int cpus) {
        return highsize(z, cpus, 0);
    }

    public static int highMax(Zone z, int cpus) {
        return highsize(z, cpus, MIN_PERCPU_PAGELIST_HIGH_FRACTION);
    }

    /** calculate_normal_threshold(): the per-CPU counter drift allowed before folding. */
    public static int statThreshold(Zone z, int cpus) {
        long mem = z.managed >> (27 - 12);
        int threshold = 2 * fls(cpus) * (1 + fls(mem));
        return Math.min(125, threshold);
    }

    private static int fls(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }

    /** int_sqrt(). */
    static long intSqrt(long x) {
        long r = (long) Math.sqrt((double) x);
        while (r * r > x) r--;
        while ((r + 1) * (r + 1) <= x) r++;
        return r;
    }
}
