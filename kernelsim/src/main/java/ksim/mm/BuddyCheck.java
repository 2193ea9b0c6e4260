package ksim.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * A consistency walk of the page allocator's state, in the spirit of CONFIG_DEBUG_VM checks:
 * every free list entry is a PageBuddy head of its order, aligned, inside its zone and of its
 * pageblock's type; nr_free and NR_FREE_PAGES(_BLOCKS) equal what the lists hold; no free block
 * could still merge with its buddy; and free plus allocated plus reserved pages cover the zone,
 * with free plus allocated equal to managed.
 */
public final class BuddyCheck {
    private BuddyCheck() {}

    /** The problems found, empty when the state is consistent. */
    public static List<String> check(PglistData node) {
        List<String> bad = new ArrayList<>();
        for (Zone z : node.zones) checkZone(z, bad);
        return bad;
    }

    private static void checkZone(Zone z, List<String> bad) {
        String zn = z.type.text;
        long listed = 0;
        long blocks = 0;
        long[] headsByOrder = new long[Zone.NR_PAGE_ORDERS];
        for (int order = 0; order < Zone.NR_PAGE_ORDERS; order++) {
            long nr = 0;
            for (MigrateType mt : MigrateType.values()) {
                int h = z.freeArea[order].head[mt.ordinal()];
                if (h < 0) continue;
                int i = h;
                int guard = z.spanned + 1;
                do {
                    long pfn = z.pfn(i);
                    if (z.map.flags(i) != (MemMap.PG_BUDDY | order)) bad.add(zn + ": pfn " + pfn + " on the order-" + order + " list is not a buddy of that order");
                    if ((pfn & ((1L << order) - 1)) != 0) bad.add(zn + ": free block at " + pfn + " not aligned to order " + order);
                    if (!z.spans(pfn + (1L << order) - 1)) bad.add(zn + ": free block at " + pfn + " leaves the zone");
                    for (long p = pfn; p < pfn + (1L << order); p += Zone.PAGEBLOCK_NR_PAGES) {
                        if (z.map.blockType(p) != mt) bad.add(zn + ": free block at " + pfn + " on the " + mt.text + " list, pageblock is " + z.map.blockType(p).text);
                    }
                    if (z.map.next[z.map.prev[i]] != i) bad.add(zn + ": broken list links at " + pfn);
                    nr++;
                    listed += 1L << order;
                    if (order >= Zone.PAGEBLOCK_ORDER) blocks += 1L << order;
                    i = z.map.next[i];
                } while (i != h && --guard > 0);
                if (guard == 0) bad.add(zn + ": free list order " + order + " " + mt.text + " does not close");
            }
            if (nr != z.freeArea[order].nrFree) bad.add(zn + ": order " + order + " nr_free " + z.freeArea[order].nrFree + " but " + nr + " listed");
            headsByOrder[order] = nr;
        }
        if (listed != z.freePages()) bad.add(zn + ": nr_free_pages " + z.freePages() + " but " + listed + " listed");
        if (blocks != z.stat(ZoneStatItem.NR_FREE_PAGES_BLOCKS)) bad.add(zn + ": nr_free_pages_blocks " + z.stat(ZoneStatItem.NR_FREE_PAGES_BLOCKS) + " but " + blocks);
        long free = 0;
        long allocated = 0;
        long reserved = 0;
        long[] heads = new long[Zone.NR_PAGE_ORDERS];
        for (int i = 0; i < z.spanned; ) {
            int f = z.map.flags(i);
            int order = f & MemMap.ORDER_MASK;
            if ((f & MemMap.PG_BUDDY) != 0) {
                free += 1L << order;
                heads[order]++;
                long pfn = z.pfn(i);
                long buddy = pfn ^ (1L << order);
                if (order < Zone.MAX_PAGE_ORDER && pfn < buddy && z.spans(buddy) && z.map.flags(z.index(buddy)) == (MemMap.PG_BUDDY | order)) {
                    MigrateType a = z.map.blockType(pfn);
                    MigrateType b = z.map.blockType(buddy);
                    if (order < Zone.PAGEBLOCK_ORDER || a == b || (a.mergeable() && b.mergeable())) {
                        bad.add(zn + ": free buddies at " + pfn + " and " + buddy + " of order " + order + " were not merged");
                    }
                }
                i += 1 << order;
            } else if ((f & MemMap.PG_HEAD) != 0) {
                allocated += 1L << order;
                i += 1 << order;
            } else if ((f & MemMap.PG_RESERVED) != 0) {
                reserved++;
                i++;
            } else {
                bad.add(zn + ": pfn " + z.pfn(i) + " belongs to no block");
                i++;
            }
        }
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            if (heads[o] != headsByOrder[o]) bad.add(zn + ": " + heads[o] + " order-" + o + " buddies in mem_map, " + headsByOrder[o] + " listed");
        }
        if (free != listed) bad.add(zn + ": " + free + " free pages in mem_map, " + listed + " listed");
        if (free + allocated != z.managed) bad.add(zn + ": free " + free + " + allocated " + allocated + " != managed " + z.managed);
        if (free + allocated + reserved != z.spanned) bad.add(zn + ": blocks do not cover the zone");
    }
}
