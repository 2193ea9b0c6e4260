package ksim.mm.slub;

import ksim.kernel.Errno;

/**
 * The kmalloc caches (mm/slab_common.c create_kmalloc_caches, kmalloc_index,
 * kmalloc_type): 13 sizes from 8 bytes to 8 KiB, in four types. Larger requests go to the page
 * allocator (Slub.kmalloc).
 */
public final class Kmalloc {
    /** KMALLOC_MAX_CACHE_SIZE: two pages. */
    public static final int MAX_CACHE_SIZE = 8192;
    /** The sizes in index order, and the order create_kmalloc_caches() creates them in. */
    static final int[] SIZES = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
    static final int[] CREATION_ORDER = {96, 192, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};

    /** enum kmalloc_cache_type, in creation order, with each type's name prefix and flags. */
    public enum Type {
        /** KMALLOC_NORMAL: SLAB_NO_MERGE because memcg accounting is on. */
        NORMAL("kmalloc-", SlabFlags.NO_MERGE),
        /** KMALLOC_RECLAIM: __GFP_RECLAIMABLE requests. */
        RECLAIM("kmalloc-rcl-", SlabFlags.RECLAIM_ACCOUNT),
        /** KMALLOC_DMA: __GFP_DMA requests. */
        DMA("dma-kmalloc-", SlabFlags.CACHE_DMA),
        /** KMALLOC_CGROUP: __GFP_ACCOUNT requests. */
        CGROUP("kmalloc-cg-", SlabFlags.ACCOUNT);

        final String prefix;
        final int flags;

        Type(String prefix, int flags) {
            this.prefix = prefix;
            this.flags = flags;
        }
    }

    private final KmemCache[][] caches = new KmemCache[Type.values().length][SIZES.length];

    Kmalloc(Slub slub) {
        synchronized (slub.slabMutex) {
            for (Type t : Type.values()) {
                for (int size : CREATION_ORDER) {
                    String name = t.prefix + sizeName(size);
                    caches[t.ordinal()][index(size)] = slub.bootCache(name, size, t.flags | SlabFlags.KMALLOC, size, true);
                }
            }
        }
    }

    /** "8" ... "192", "256", "512", then "1k", "2k", "4k", "8k". */
    static String sizeName(int size) {
        return size >= 1024 ? (size / 1024) + "k" : Integer.toString(size);
    }

    /** kmalloc_index(): which of the 13 sizes serves a request of n bytes (1..8192). */
    public static int index(int n) {
        if (n <= 0 || n > MAX_CACHE_SIZE) throw Errno.EINVAL.error("kmalloc caches serve 1.." + MAX_CACHE_SIZE + " bytes");
        if (n > 64 && n <= 96) return 4;
        if (n > 128 && n <= 192) return 6;
        int pow = Math.max(8, Integer.highestOneBit(n - 1) << 1);
        for (int i = 0; i < SIZES.length; i++) if (SIZES[i] == pow) return i;
        throw new IllegalStateException("no kmalloc size for " + n);
    }

    /** The cache a request of n bytes of this type is served from. */
    public KmemCache cache(Type type, int n) {
        return caches[type.ordinal()][index(n)];
    }

    /** The object size of the cache that serves n bytes. */
    public static int sizeFor(int n) {
        return SIZES[index(n)];
    }
}
