package ksim.mm;

import ksim.mm.PageSource.Gfp;

/**
 * What the kernel takes pages from the buddy allocator for, with the gfp it asks with, the
 * node counters the pages are accounted in (what mod_lruvec_page_state() and friends do at
 * each call site) and the LRU list user pages join. Every page meminfo shows as used is held
 * under exactly one of these, so free + held = managed.
 *
 * New anonymous and shmem pages join the inactive anon list (lru_cache_add_inactive_or_unevictable
 * since Linux 5.9); nothing here re-references them, so nothing promotes them. The boot page
 * cache is split between the file lists by the caller; block-device buffer pages are file
 * pages too.
 */
public enum PageUse {
    ANON(Gfp.HIGHUSER_MOVABLE, LruList.INACTIVE_ANON, 1, NodeStatItem.NR_ANON_PAGES),
    SHMEM(Gfp.HIGHUSER_MOVABLE, LruList.INACTIVE_ANON, 1, NodeStatItem.NR_SHMEM, NodeStatItem.NR_FILE_PAGES),
    /** mlocked pages of VM_LOCKED mappings sit on the unevictable list (mlock_folio()). */
    ANON_MLOCKED(Gfp.HIGHUSER_MOVABLE, LruList.UNEVICTABLE, 1, NodeStatItem.NR_ANON_PAGES),
    SHMEM_MLOCKED(Gfp.HIGHUSER_MOVABLE, LruList.UNEVICTABLE, 1, NodeStatItem.NR_SHMEM, NodeStatItem.NR_FILE_PAGES),
    FILE_ACTIVE(Gfp.HIGHUSER_MOVABLE, LruList.ACTIVE_FILE, 1, NodeStatItem.NR_FILE_PAGES),
    FILE_INACTIVE(Gfp.HIGHUSER_MOVABLE, LruList.INACTIVE_FILE, 1, NodeStatItem.NR_FILE_PAGES),
    BUFFERS(Gfp.HIGHUSER_MOVABLE, LruList.ACTIVE_FILE, 1, NodeStatItem.NR_FILE_PAGES),
    PAGETABLE(Gfp.KERNEL, null, 1, NodeStatItem.NR_PAGE_TABLE_PAGES),
    /** nr_kernel_stack counts KiB: 4 per page. */
    KERNEL_STACK(Gfp.KERNEL, null, 4, NodeStatItem.NR_KERNEL_STACK),
    SLAB_RECLAIMABLE(Gfp.KERNEL_RECLAIMABLE, null, 1, NodeStatItem.NR_SLAB_RECLAIMABLE),
    SLAB_UNRECLAIMABLE(Gfp.KERNEL, null, 1, NodeStatItem.NR_SLAB_UNRECLAIMABLE),
    /** Pages behind vmalloc areas (modules, BPF, big tables): meminfo's VmallocUsed. */
    VMALLOC(Gfp.KERNEL, null, 1);

    final Gfp gfp;
    final LruList lru;
    /** Counter units per page. */
    final int unit;
    final NodeStatItem[] items;

    PageUse(Gfp gfp, LruList lru, int unit, NodeStatItem... items) {
        this.gfp = gfp;
        this.lru = lru;
        this.unit = unit;
        this.items = items;
    }
}
