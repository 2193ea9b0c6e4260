package ksim.mm;

import ksim.kernel.Errno;

/**
 * The buddy page allocator of mm/page_alloc.c for node 0: alloc_pages() / __free_pages().
 *
 * Allocation walks the zonelist (Normal, DMA32, DMA, limited by the gfp's highest zone), takes
 * the first zone whose free pages stay above the watermark plus its lowmem_reserve for that
 * highest zone (zone_watermark_ok()), and there takes the smallest free block of the wanted
 * migratetype, splitting it down (__rmqueue_smallest() and expand()). Failing that, it falls
 * back to the other mobility types as __rmqueue_claim() and __rmqueue_steal() do: claim a
 * whole pageblock for the wanted type when the block found is large or the pageblock is mostly
 * free or alike (try_to_claim_block()), else take one block without changing the pageblock's
 * type. Allocations preferring Normal first try only whole-pageblock claims in every zone
 * (ALLOC_NOFRAGMENT), then anything. The fast path checks the low watermark, the slow path the
 * min watermark; below min the allocation counts an allocstall and fails with ENOMEM (there is
 * no reclaim, compaction or OOM killer).
 *
 * Freeing merges a block with its buddy as long as the buddy is free at the same order
 * (__free_one_page()), across pageblocks only between the three mobility types, adopting the
 * freed block's type; blocks larger than a pageblock are freed a pageblock at a time
 * (split_large_buddy()). A merged block goes to the tail of its list when its next-larger buddy
 * is free (buddy_merge_likely()), as boot-time frees always do (FPI_TO_TAIL).
 *
 * Not modelled: per-CPU page lists (every allocation and free goes to the zone's free lists,
 * so zoneinfo's pagesets always have count 0), high-order atomic reserves, watermark boosting,
 * CMA, page isolation and guard pages.
 */
public final class BuddyAllocator implements PageSource {
    private final PglistData node;
    private final VmEvents events;

    BuddyAllocator(PglistData node, VmEvents events) {
        this.node = node;
        this.events = events;
    }

    public PglistData node() {
        return node;
    }

    /** gfp_migratetype(). */
    static MigrateType migratetype(Gfp gfp) {
        return switch (gfp) {
            case KERNEL, DMA32 -> MigrateType.UNMOVABLE;
            case KERNEL_RECLAIMABLE -> MigrateType.RECLAIMABLE;
            case HIGHUSER_MOVABLE -> MigrateType.MOVABLE;
        };
    }

    /** gfp_zone(): __GFP_MOVABLE with __GFP_HIGHMEM may use ZONE_MOVABLE. */
    static ZoneType highestZone(Gfp gfp) {
        return switch (gfp) {
            case KERNEL, KERNEL_RECLAIMABLE -> ZoneType.NORMAL;
            case HIGHUSER_MOVABLE -> ZoneType.MOVABLE;
            case DMA32 -> ZoneType.DMA32;
        };
    }

    // ---- allocation ----------------------------------------------------------------------------

    /** alloc_pages(): the fast path at the low watermark, then the slow path at min. */
    @Override
    public long allocPages(Gfp gfp, int order) {
        long pfn = tryAllocPages(gfp, order);
        if (pfn < 0) {
            // Direct reclaim would run here (__perform_reclaim counts the stall); there is nothing to reclaim.
            events.count(VmEventItem.forZone(VmEventItem.ALLOCSTALL_DMA, highestZone(gfp)), 1);
            throw Errno.ENOMEM.error("page allocation failure: order:" + order + ", gfp " + gfp);
        }
        return pfn;
    }

    /**
     * An opportunistic allocation (__GFP_NORETRY | __GFP_NOWARN, as large folios are tried):
     * the same two passes, but no reclaim attempt; -1 when no block is to be had.
     */
    public long tryAllocPages(Gfp gfp, int order) {
        if (order < 0 || order > Zone.MAX_PAGE_ORDER) throw Errno.EINVAL.error("order " + order + " is above MAX_PAGE_ORDER");
        MigrateType mt = migratetype(gfp);
        int highest = highestZone(gfp).ordinal();
        long pfn = getPageFromFreelist(order, mt, highest, Zone.WMARK_LOW);
        return pfn >= 0 ? pfn : getPageFromFreelist(order, mt, highest, Zone.WMARK_MIN);
    }

    /** get_page_from_freelist(), retried without ALLOC_NOFRAGMENT as the kernel does. */
    private long getPageFromFreelist(int order, MigrateType mt, int highest, int wmark) {
        Zone preferred = null;
        for (Zone z : node.zonelist) {
            if (z.type.ordinal() <= highest) {
                preferred = z;
                break;
            }
        }
        if (preferred == null) return -1;
        // alloc_flags_nofragment(): avoid mixing pageblocks while a lower zone could serve instead.
        boolean noFragment = preferred.type == ZoneType.NORMAL;
        while (true) {
            for (Zone z : node.zonelist) {
                if (z.type.ordinal() > highest) continue;
                if (!watermarkOk(z, order, z.watermark[wmark], highest)) continue;
                int i = rmqueue(z, order, mt, noFragment);
                if (i >= 0) return prepNewPage(z, i, order, mt);
            }
            if (!noFragment) return -1;
            noFragment = false;
        }
    }

    /** __zone_watermark_ok(): enough free pages above mark + lowmem_reserve, and a big enough block. */
    static boolean watermarkOk(Zone z, int order, long mark, int highestZoneIdx) {
        long free = z.freePages() - ((1L << order) - 1);
        if (free <= mark + z.lowmemReserve[highestZoneIdx]) return false;
        if (order == 0) return true;
        for (int o = order; o < Zone.NR_PAGE_ORDERS; o++) {
            FreeArea area = z.freeArea[o];
            if (area.nrFree == 0) continue;
            for (int m = 0; m < MigrateType.PCPTYPES; m++) {
                if (area.head[m] >= 0) return true;
            }
        }
        return false;
    }

    /** rmqueue() / __rmqueue(): own type first, then claim a pageblock, then steal a block. */
    private int rmqueue(Zone z, int order, MigrateType mt, boolean noFragment) {
        int i = rmqueueSmallest(z, order, mt);
        if (i < 0) i = rmqueueClaim(z, order, mt, noFragment);
        if (i < 0 && !noFragment) i = rmqueueSteal(z, order, mt);
        return i;
    }

    /** post_alloc_hook() and the counters rmqueue() updates. */
    private long prepNewPage(Zone z, int i, int order, MigrateType mt) {
        z.map.flags[i] = (byte) (MemMap.PG_HEAD | order | (mt == MigrateType.MOVABLE ? MemMap.PG_MOVABLE : 0));
        events.count(VmEventItem.forZone(VmEventItem.PGALLOC_DMA, z.type), 1L << order);
        // zone_statistics(): one node, so every allocation is a local hit.
        z.numaEvents[NumaStatItem.NUMA_HIT.ordinal()]++;
        z.numaEvents[NumaStatItem.NUMA_LOCAL.ordinal()]++;
        return z.pfn(i);
    }

    /** __rmqueue_smallest(). */
    private static int rmqueueSmallest(Zone z, int order, MigrateType mt) {
        for (int o = order; o < Zone.NR_PAGE_ORDERS; o++) {
            int i = z.first(o, mt);
            if (i < 0) continue;
            z.delFromFreeList(i, o, mt);
            expand(z, i, order, o, mt);
            return i;
        }
        return -1;
    }

    /** expand(): give back the upper halves while splitting a block of order high down to low. */
    private static void expand(Zone z, int i, int low, int high, MigrateType mt) {
        int size = 1 << high;
        while (high > low) {
            high--;
            size >>= 1;
            z.addToFreeList(i + size, high, mt, false);
        }
    }

    /** should_try_claim_block(). */
    static boolean shouldTryClaimBlock(int order, MigrateType startMt) {
        if (order >= Zone.PAGEBLOCK_ORDER) return true;
        if (order >= Zone.PAGEBLOCK_ORDER / 2) return true;
        return startMt == MigrateType.RECLAIMABLE || startMt == MigrateType.UNMOVABLE;
    }

    /** find_suitable_fallback(): a fallback type with a block of this order; -1 none, -2 too small to claim. */
    private static int findSuitableFallback(FreeArea area, int order, MigrateType mt, boolean claimable) {
        if (claimable && !shouldTryClaimBlock(order, mt)) return -2;
        if (area.nrFree == 0) return -1;
        for (MigrateType fb : mt.fallbacks()) {
            if (!area.empty(fb)) return fb.ordinal();
        }
        return -1;
    }

    /** __rmqueue_claim(): largest fallback block first, claiming its pageblock for our type. */
    private int rmqueueClaim(Zone z, int order, MigrateType startMt, boolean noFragment) {
        int minOrder = order < Zone.PAGEBLOCK_ORDER && noFragment ? Zone.PAGEBLOCK_ORDER : order;
        for (int co = Zone.MAX_PAGE_ORDER; co >= minOrder; co--) {
            int fb = findSuitableFallback(z.freeArea[co], co, startMt, true);
            if (fb == -1) continue;
            if (fb == -2) break;
            MigrateType blockMt = MigrateType.of(fb);
            int i = tryToClaimBlock(z, z.first(co, blockMt), co, order, startMt, blockMt);
            if (i >= 0) return i;
        }
        return -1;
    }

    /** try_to_claim_block(). */
    private int tryToClaimBlock(Zone z, int i, int currentOrder, int order, MigrateType startMt, MigrateType blockMt) {
        if (currentOrder >= Zone.PAGEBLOCK_ORDER) {
            z.delFromFreeList(i, currentOrder, blockMt);
            long pfn = z.pfn(i);
            for (long p = pfn; p < pfn + (1L << currentOrder); p += Zone.PAGEBLOCK_NR_PAGES) z.map.setBlockType(p, startMt);
            expand(z, i, order, currentOrder, startMt);
            return i;
        }
        // prep_move_freepages_block(): the whole pageblock must lie in the zone.
        long start = z.pfn(i) & ~(long) (Zone.PAGEBLOCK_NR_PAGES - 1);
        if (!z.spans(start) || !z.spans(start + Zone.PAGEBLOCK_NR_PAGES - 1)) return -1;
        long free = 0;
        long movable = 0;
        int from = z.index(start);
        int to = from + Zone.PAGEBLOCK_NR_PAGES;
        for (int j = from; j < to; ) {
            int f = z.map.flags(j);
            int size = 1 << (f & MemMap.ORDER_MASK);
            if ((f & MemMap.PG_BUDDY) != 0) {
                free += size;
                j += size;
            } else if ((f & MemMap.PG_HEAD) != 0) {
                if ((f & MemMap.PG_MOVABLE) != 0) movable += size;
                j += size;
            } else {
                j++;
            }
        }
        long alike;
        if (startMt == MigrateType.MOVABLE) alike = movable;
        else if (blockMt == MigrateType.MOVABLE) alike = Zone.PAGEBLOCK_NR_PAGES - (free + movable);
        else alike = 0;
        if (free + alike >= Zone.PAGEBLOCK_NR_PAGES / 2) {
            moveFreepagesBlock(z, from, to, blockMt, startMt);
            z.map.setBlockType(start, startMt);
            return rmqueueSmallest(z, order, startMt);
        }
        return -1;
    }

    /** __move_freepages_block(): every free block of the pageblock to the new type's lists. */
    private static void moveFreepagesBlock(Zone z, int from, int to, MigrateType oldMt, MigrateType newMt) {
        for (int j = from; j < to; ) {
            int f = z.map.flags(j);
            if ((f & MemMap.PG_BUDDY) != 0) {
                int order = f & MemMap.ORDER_MASK;
                z.moveToFreeList(j, order, oldMt, newMt);
                j += 1 << order;
            } else {
                j++;
            }
        }
    }

    /** __rmqueue_steal(): the smallest fallback block, leaving its pageblock's type alone. */
    private static int rmqueueSteal(Zone z, int order, MigrateType startMt) {
        for (int co = order; co < Zone.NR_PAGE_ORDERS; co++) {
            int fb = findSuitableFallback(z.freeArea[co], co, startMt, false);
            if (fb < 0) continue;
            MigrateType blockMt = MigrateType.of(fb);
            int i = z.first(co, blockMt);
            z.delFromFreeList(i, co, blockMt);
            expand(z, i, order, co, blockMt);
            return i;
        }
        return -1;
    }

    // ---- freeing -------------------------------------------------------------------------------

    /** __free_pages(): checks the block is what alloc_pages() returned (free_page_is_bad()). */
    @Override
    public void freePages(long pfn, int order) {
        Zone z = node.zoneOf(pfn);
        if (z == null) throw Errno.EINVAL.error("bad page: pfn " + pfn + " is in no zone");
        int i = z.index(pfn);
        int f = z.map.flags(i);
        if ((f & MemMap.PG_HEAD) == 0) {
            String what = (f & MemMap.PG_BUDDY) != 0 ? "already free" : (f & MemMap.PG_RESERVED) != 0 ? "reserved" : "not the start of an allocated block";
            throw Errno.EINVAL.error("bad page: pfn " + pfn + " is " + what);
        }
        if ((f & MemMap.ORDER_MASK) != order) {
            throw Errno.EINVAL.error("bad page: pfn " + pfn + " was allocated with order " + (f & MemMap.ORDER_MASK) + ", freed with " + order);
        }
        z.map.flags[i] = 0;
        events.count(VmEventItem.PGFREE, 1L << order);
        freeOnePage(z, pfn, order, false);
    }

    /** __free_pages_core(): boot hands a range of frames to the allocator (memblock_free_pages()). */
    void freeBootPages(long pfn, int order) {
        Zone z = node.zoneOf(pfn);
        int i = z.index(pfn);
        int n = 1 << order;
        if (!z.spans(pfn + n - 1)) throw new IllegalArgumentException("boot range crosses " + z);
        if ((z.map.flags(i) & MemMap.PG_RESERVED) == 0) throw new IllegalStateException("pfn " + pfn + " freed twice at boot");
        java.util.Arrays.fill(z.map.flags, i, i + n, (byte) 0);
        z.managed += n;
        events.count(VmEventItem.PGFREE, n);
        freeOnePage(z, pfn, order, true);
    }

    /** free_one_page() / split_large_buddy(): at most a pageblock at a time, each with its own type. */
    private static void freeOnePage(Zone z, long pfn, int order, boolean toTail) {
        if (order <= Zone.PAGEBLOCK_ORDER) {
            freeOne(z, pfn, order, z.map.blockType(pfn), toTail);
            return;
        }
        long end = pfn + (1L << order);
        for (long p = pfn; p < end; p += Zone.PAGEBLOCK_NR_PAGES) {
            freeOne(z, p, Zone.PAGEBLOCK_ORDER, z.map.blockType(p), toTail);
        }
    }

    /** __free_one_page(): merge with free buddies while they exist, then list the result. */
    private static void freeOne(Zone z, long pfn, int order, MigrateType mt, boolean toTail) {
        while (order < Zone.MAX_PAGE_ORDER) {
            long buddyPfn = pfn ^ (1L << order);
            int b = freeBuddy(z, buddyPfn, order);
            if (b < 0) break;
            MigrateType buddyMt = mt;
            if (order >= Zone.PAGEBLOCK_ORDER) {
                buddyMt = z.map.blockType(buddyPfn);
                if (buddyMt != mt && (!mt.mergeable() || !buddyMt.mergeable())) break;
            }
            z.delFromFreeList(b, order, buddyMt);
            if (buddyMt != mt) z.map.setBlockType(buddyPfn, mt);
            pfn &= buddyPfn;
            order++;
        }
        boolean tail = toTail || buddyMergeLikely(z, pfn, order);
        z.addToFreeList(z.index(pfn), order, mt, tail);
    }

    /** page_is_buddy(): the mem_map index of a free block of this order at pfn in the zone, or -1. */
    private static int freeBuddy(Zone z, long pfn, int order) {
        if (!z.spans(pfn)) return -1;
        int i = z.index(pfn);
        return z.map.flags(i) == (MemMap.PG_BUDDY | order) ? i : -1;
    }

    /** buddy_merge_likely(): the block's next-larger buddy is free, so it may merge soon. */
    private static boolean buddyMergeLikely(Zone z, long pfn, int order) {
        if (order >= Zone.MAX_PAGE_ORDER - 1) return false;
        long buddyPfn = pfn ^ (1L << order);
        long higher = buddyPfn & pfn;
        return freeBuddy(z, higher ^ (1L << (order + 1)), order + 1) >= 0;
    }
}
