package ksim.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * pg_data_t / struct pglist_data (include/linux/mmzone.h): memory node 0 (contig_page_data,
 * this kernel is UMA) with its five zones, its node counters (vm_node_stat, which on one node
 * are also the global ones) and its zonelist. Zones are sized by free_area_init() from the
 * boot memory map: DMA below 16 MiB, DMA32 below 4 GiB, Normal above; Movable and Device exist
 * and stay empty.
 */
public final class PglistData {
    public final int nodeId = 0;
    final Zone[] zones = new Zone[ZoneType.MAX_NR_ZONES];
    final long[] vmStat = new long[NodeStatItem.values().length];
    final Memblock memblock;
    final int cpus;
    /** node_zonelists[ZONELIST_FALLBACK]: the managed zones, highest first (Normal, DMA32, DMA). */
    Zone[] zonelist = new Zone[0];
    /** totalreserve_pages (calculate_totalreserve_pages()). */
    long totalreservePages;

    /** free_area_init() for node 0: zone spans from the memory map, every page reserved. */
    PglistData(Memblock mb, int cpus) {
        this.memblock = mb;
        this.cpus = cpus;
        long min = mb.minPfn();
        long max = mb.maxPfn();
        long[] bounds = {min, Math.min(Memblock.MAX_DMA_PFN, max), Math.min(Memblock.MAX_DMA32_PFN, max), max};
        for (ZoneType t : ZoneType.values()) {
            int z = t.ordinal();
            if (z <= ZoneType.NORMAL.ordinal()) {
                long from = z == 0 ? bounds[0] : Math.max(bounds[z], bounds[0]);
                long to = Math.max(from, bounds[z + 1]);
                zones[z] = new Zone(t, from, to - from, mb.presentPages(from, to));
            } else {
                zones[z] = new Zone(t, 0, 0, 0);
            }
        }
    }

    /** build_zonelists(): once the buddy allocator owns pages, the zones that have some, highest first. */
    void buildZonelist() {
        List<Zone> l = new ArrayList<>();
        for (int z = ZoneType.MAX_NR_ZONES - 1; z >= 0; z--) if (zones[z].managedZone()) l.add(zones[z]);
        zonelist = l.toArray(new Zone[0]);
    }

    public Zone zone(ZoneType t) {
        return zones[t.ordinal()];
    }

    /** node_zones[], lowest first, as zoneinfo walks them. */
    public List<Zone> zones() {
        return List.of(zones);
    }

    /** page_zone(pfn_to_page(pfn)), or null for a pfn no zone spans. */
    public Zone zoneOf(long pfn) {
        for (int z = 0; z <= ZoneType.NORMAL.ordinal(); z++) {
            if (zones[z].spans(pfn)) return zones[z];
        }
        return null;
    }

    /** pfn_to_page(), or null for a pfn no zone spans. */
    public Page page(long pfn) {
        Zone z = zoneOf(pfn);
        return z == null ? null : new Page(pfn, z, z.map.flags(z.index(pfn)));
    }

    public long stat(NodeStatItem item) {
        return vmStat[item.ordinal()];
    }

    /** __mod_node_page_state(). */
    void mod(NodeStatItem item, long delta) {
        vmStat[item.ordinal()] += delta;
    }

    public Memblock memblock() {
        return memblock;
    }

    /** Online CPUs: the per-CPU pagesets zoneinfo lists. */
    public int cpus() {
        return cpus;
    }

    public long totalreservePages() {
        return totalreservePages;
    }

    /** Sum of a zone counter over the node's zones (global_zone_page_state on one node). */
    public long zoneStat(ZoneStatItem item) {
        long n = 0;
        for (Zone z : zones) n += z.stat(item);
        return n;
    }

    public long numaEvent(NumaStatItem item) {
        long n = 0;
        for (Zone z : zones) n += z.numaEvent(item);
        return n;
    }

    /** totalram_pages(): pages the buddy allocator manages. */
    public long managedPages() {
        long n = 0;
        for (Zone z : zones) n += z.managed;
        return n;
    }

    public long freePages() {
        return zoneStat(ZoneStatItem.NR_FREE_PAGES);
    }
}
