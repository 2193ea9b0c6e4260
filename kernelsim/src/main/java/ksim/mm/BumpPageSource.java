package ksim.mm;

import java.util.ArrayDeque;
import ksim.kernel.Errno;

/**
 * TEMPORARY stand-in for the buddy allocator (mm/page_alloc.c) until BuddyAllocator is merged:
 * hands out naturally aligned blocks of 2^order page frames by bumping a pointer, reuses freed
 * blocks of the same order, and counts what is in use against a fixed number of pages, so
 * ENOMEM comes when memory runs out. It does not split or coalesce blocks, so after much
 * churn of mixed orders its pfns may run past the end of RAM. Not thread-safe:
 * callers serialise (SLUB calls it under its page lock).
 */
public final class BumpPageSource implements PageSource {
    /** Largest order handed out (MAX_PAGE_ORDER). */
    private static final int MAX_ORDER = 10;
    private final long firstPfn;
    private final long capacityPages;
    private long next;
    private long inUse;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Long>[] free = new ArrayDeque[MAX_ORDER + 1];

    /** Pages from firstPfn on, at most capacityPages of them in use at once. */
    public BumpPageSource(long firstPfn, long capacityPages) {
        this.firstPfn = firstPfn;
        this.next = firstPfn;
        this.capacityPages = capacityPages;
        for (int i = 0; i <= MAX_ORDER; i++) free[i] = new ArrayDeque<>();
    }

    @Override
    public long allocPages(Gfp gfp, int order) {
        if (order < 0 || order > MAX_ORDER) throw Errno.EINVAL.error("order " + order + " is out of range");
        long n = 1L << order;
        if (inUse + n > capacityPages) throw Errno.ENOMEM.error("out of pages for an order-" + order + " block");
        Long reused = free[order].poll();
        long pfn;
        if (reused != null) {
            pfn = reused;
        } else {
            pfn = (next + n - 1) & -n;
            next = pfn + n;
        }
        inUse += n;
        return pfn;
    }

    @Override
    public void freePages(long pfn, int order) {
        if (order < 0 || order > MAX_ORDER || pfn < firstPfn || pfn >= next) {
            throw Errno.EINVAL.error("pfn " + pfn + " order " + order + " was not handed out here");
        }
        inUse -= 1L << order;
        free[order].push(pfn);
    }

    /** Pages handed out and not given back. */
    public long pagesInUse() {
        return inUse;
    }
}
