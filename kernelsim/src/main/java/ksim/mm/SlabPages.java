package ksim.mm;

/**
 * What the rest of the kernel asks of the slab allocator, reduced to what the page allocator
 * sees of it: kernel objects of some total size, reclaimable (dentries, inodes:
 * SLAB_RECLAIM_ACCOUNT caches) or not, held in slab pages taken from the buddy allocator and
 * accounted as NR_SLAB_RECLAIMABLE_B / NR_SLAB_UNRECLAIMABLE_B. PagePoolSlab implements it
 * until SLUB (mm/slub.c) replaces it with real caches.
 */
public interface SlabPages {
    /** kmalloc()/kmem_cache_alloc() of bytes in total; ENOMEM when no slab page can be had. */
    void alloc(boolean reclaimable, long bytes);

    /** kfree()/kmem_cache_free() of bytes earlier allocated. */
    void free(boolean reclaimable, long bytes);

    /** Bytes of objects allocated. */
    long bytes(boolean reclaimable);
}
