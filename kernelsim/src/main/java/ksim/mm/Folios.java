package ksim.mm;

import ksim.kernel.Errno;
import ksim.kernel.KernelError;

/**
 * Pages taken from the buddy allocator for one PageUse, with the accounting the kernel does at
 * each such call site: the node counters (mod_node_page_state), the LRU list sizes of the zone
 * the pages came from and of the node (update_lru_size), and how many pages each use holds.
 * A folio is named by one long: its first pfn shifted left by 4, or'ed with its order.
 */
public final class Folios {
    private final BuddyAllocator buddy;
    private final PglistData node;
    private final long[] held = new long[PageUse.values().length];

    Folios(BuddyAllocator buddy) {
        this.buddy = buddy;
        this.node = buddy.node();
    }

    public static long folio(long pfn, int order) {
        return pfn << 4 | order;
    }

    public static long pfn(long folio) {
        return folio >>> 4;
    }

    public static int order(long folio) {
        return (int) (folio & 0xf);
    }

    /** Pages currently held for a use. */
    public long held(PageUse use) {
        return held[use.ordinal()];
    }

    /** One folio of 2^order pages; ENOMEM below the min watermark. */
    public long alloc(PageUse use, int order) {
        long pfn = buddy.allocPages(use.gfp, order);
        account(use, pfn, order, 1);
        return folio(pfn, order);
    }

    public void free(PageUse use, long folio) {
        long pfn = pfn(folio);
        int order = order(folio);
        buddy.freePages(pfn, order);
        account(use, pfn, order, -1);
    }

    /**
     * n pages as folios of at most 2^maxOrder pages: the largest that fit what is left, each
     * tried opportunistically and halved when no block that large is free, down to single
     * pages, which may fail with ENOMEM. All or nothing: on failure every folio taken so far is
     * given back.
     */
    public long[] allocPages(PageUse use, long n, int maxOrder) {
        if (n < 0) throw new IllegalArgumentException("negative page count");
        LongList out = new LongList((int) Math.min(n >> maxOrder, 1 << 16) + 1);
        long left = n;
        int order = maxOrder;
        try {
            while (left > 0) {
                while ((1L << order) > left) order--;
                long pfn = order == 0 ? buddy.allocPages(use.gfp, 0) : buddy.tryAllocPages(use.gfp, order);
                if (pfn < 0) {
                    order--;
                    continue;
                }
                account(use, pfn, order, 1);
                out.add(folio(pfn, order));
                left -= 1L << order;
            }
        } catch (KernelError e) {
            while (out.size() > 0) free(use, out.removeLast());
            throw e;
        }
        return out.toArray();
    }

    public void freeAll(PageUse use, long[] folios) {
        for (long f : folios) free(use, f);
    }

    private void account(PageUse use, long pfn, int order, int sign) {
        long pages = sign * (1L << order);
        held[use.ordinal()] += pages;
        for (NodeStatItem item : use.items) node.mod(item, pages * use.unit);
        if (use.lru != null) {
            node.mod(use.lru.nodeItem, pages);
            node.zoneOf(pfn).mod(use.lru.zoneItem, pages);
        }
    }

    /** Pages of a size in bytes, rounded up; ENOMEM-safe to call with any size. */
    static long pagesFor(long bytes) {
        if (bytes < 0) throw Errno.EINVAL.error("negative size");
        return (bytes + 4095) / 4096;
    }
}
