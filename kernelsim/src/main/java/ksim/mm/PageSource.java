package ksim.mm;

/**
 * Where physically contiguous pages come from (alloc_pages() / __free_pages() in
 * mm/page_alloc.c): SLUB takes its slabs here, the kernel its stacks and page tables.
 * Page frames are named by their pfn.
 */
public interface PageSource {
    /** GFP zone and migratetype choices that matter to the buddy allocator (include/linux/gfp_types.h). */
    enum Gfp {
        /** GFP_KERNEL: unmovable kernel memory (slab, stacks, page tables). */
        KERNEL,
        /** GFP_KERNEL | __GFP_RECLAIMABLE: reclaimable slab (SLAB_RECLAIM_ACCOUNT caches). */
        KERNEL_RECLAIMABLE,
        /** GFP_HIGHUSER_MOVABLE: user memory (anonymous and page-cache pages). */
        HIGHUSER_MOVABLE,
        /** GFP_DMA32: below 4 GiB. */
        DMA32
    }

    /** Allocates 2^order contiguous pages; returns the first pfn. Throws KernelError(ENOMEM). */
    long allocPages(Gfp gfp, int order);

    /** Gives back 2^order pages starting at pfn, which allocPages returned with that order. */
    void freePages(long pfn, int order);
}
