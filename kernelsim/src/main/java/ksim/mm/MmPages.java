package ksim.mm;

import java.util.IdentityHashMap;
import java.util.Map;
import ksim.kernel.Param;

/**
 * The physical pages behind each address space: its resident anonymous memory
 * (do_anonymous_page() -> vma_alloc_folio()), its shared memory (shmem_alloc_folio()), both
 * movable, and its page tables (pagetable_alloc(), unmovable, one page each). An mm is charged
 * whole when it comes to life (execve loads it, fork copies it) and uncharged when it goes;
 * its file-backed resident pages are page-cache pages already counted there.
 *
 * Anonymous and shmem memory is taken as folios of up to 64 KiB (order 4, an mTHP size), smaller
 * when no such block is free: a hundred thousand processes then cost a few allocations each
 * instead of hundreds, and buddyinfo still shows memory being cut into small blocks. They are
 * not PMD-sized, so AnonHugePages stays 0.
 */
public final class MmPages {
    /** The largest folio an anonymous or shmem fault allocates here. */
    public static final int FOLIO_ORDER = 4;

    private record Held(long[] anon, long[] shmem, long[] anonLocked, long[] shmemLocked, long[] pageTables) {}

    private final Folios folios;
    private final Map<MmStruct, Held> held = new IdentityHashMap<>();

    MmPages(Folios folios) {
        this.folios = folios;
    }

    /**
     * Takes the mm's pages; on ENOMEM nothing is taken. Its mlocked pages (anonymous first,
     * then shmem) go on the unevictable list instead of the inactive anon one.
     */
    public void charge(MmStruct mm) {
        if (held.containsKey(mm)) throw new IllegalStateException("mm charged twice");
        long anonLocked = Math.min(mm.lockedRss(), mm.rssAnon());
        long shmemLocked = Math.min(mm.lockedRss() - anonLocked, mm.rssShmem());
        PageUse[] uses = {PageUse.ANON, PageUse.SHMEM, PageUse.ANON_MLOCKED, PageUse.SHMEM_MLOCKED, PageUse.PAGETABLE};
        long[] counts = {mm.rssAnon() - anonLocked, mm.rssShmem() - shmemLocked, anonLocked, shmemLocked,
                mm.pgtablesBytes() / Param.PAGE_SIZE};
        long[][] got = new long[uses.length][];
        try {
            for (int i = 0; i < uses.length; i++) {
                got[i] = folios.allocPages(uses[i], counts[i], uses[i] == PageUse.PAGETABLE ? 0 : FOLIO_ORDER);
            }
        } catch (RuntimeException e) {
            for (int i = uses.length - 1; i >= 0; i--) if (got[i] != null) folios.freeAll(uses[i], got[i]);
            throw e;
        }
        held.put(mm, new Held(got[0], got[1], got[2], got[3], got[4]));
    }

    /** Gives the mm's pages back (exit_mmap(), free_pgtables()). */
    public void uncharge(MmStruct mm) {
        Held h = held.remove(mm);
        if (h == null) throw new IllegalStateException("mm was never charged");
        folios.freeAll(PageUse.PAGETABLE, h.pageTables());
        folios.freeAll(PageUse.SHMEM_MLOCKED, h.shmemLocked());
        folios.freeAll(PageUse.ANON_MLOCKED, h.anonLocked());
        folios.freeAll(PageUse.SHMEM, h.shmem());
        folios.freeAll(PageUse.ANON, h.anon());
    }

    public boolean charged(MmStruct mm) {
        return held.containsKey(mm);
    }

    /** Address spaces holding pages. */
    public int count() {
        return held.size();
    }
}
