package ksim.mm.slub;

import java.util.List;

/**
 * Cache merging (mm/slab_common.c slab_unmergeable, find_mergeable; mm/slub.c
 * create_unique_id): a new cache that any existing compatible cache can serve becomes an alias
 * of it, and mergeable caches are named in sysfs by an id built from their flags and size.
 */
final class Merge {
    private Merge() {}

    /** slab_unmergeable(): whether s can never be a merge target. */
    static boolean unmergeable(KmemCache s, boolean mergeEnabled) {
        if (!mergeEnabled || (s.flags & SlabFlags.NEVER_MERGE) != 0) return true;
        if (s.ctor != null) return true;
        if (s.usersize != 0) return true;
        if (s.sheafCapacity != 0) return true;
        return s.refcount < 0;
    }

    /**
     * find_mergeable(): the oldest cache that can take objects of this size, alignment and
     * flags, or null.
     */
    static KmemCache findMergeable(List<KmemCache> caches, int size, int align, int flags, Ctor ctor, boolean mergeEnabled) {
        if (!mergeEnabled || ctor != null) return null;
        long sz = CacheGeometry.align(size, CacheGeometry.MIN_ALIGN);
        align = CacheGeometry.calculateAlignment(flags, align, (int) sz);
        sz = CacheGeometry.align(sz, align);
        if ((flags & SlabFlags.NEVER_MERGE) != 0) return null;
        for (KmemCache s : caches) {
            if (unmergeable(s, true)) continue;
            if (sz > s.size) continue;
            if ((flags & SlabFlags.MERGE_SAME) != (s.flags & SlabFlags.MERGE_SAME)) continue;
            if ((s.size & ~(align - 1)) != s.size) continue;
            if (s.size - sz >= CacheGeometry.MIN_ALIGN) continue;
            return s;
        }
        return null;
    }

    /** create_unique_id(): ':', the letters d D a F A of the flags, '-' if any, then %07u of slab_size. */
    static String uniqueId(int flags, int size) {
        StringBuilder b = new StringBuilder(":");
        if ((flags & SlabFlags.CACHE_DMA) != 0) b.append('d');
        if ((flags & SlabFlags.CACHE_DMA32) != 0) b.append('D');
        if ((flags & SlabFlags.RECLAIM_ACCOUNT) != 0) b.append('a');
        if ((flags & SlabFlags.CONSISTENCY_CHECKS) != 0) b.append('F');
        if ((flags & SlabFlags.ACCOUNT) != 0) b.append('A');
        if (b.length() > 1) b.append('-');
        b.append(String.format("%07d", size));
        return b.toString();
    }
}
