package ksim.mm.slub;

import ksim.kernel.Errno;

/**
 * Object layout and slab order (mm/slab_common.c calculate_alignment, mm/slub.c
 * calculate_sizes, calculate_order, calc_slab_order): from an object size, an alignment and the
 * flags, the slab_size every object takes, where its free pointer lives, and how many pages a
 * slab has.
 */
public final class CacheGeometry {
    /** cache_line_size() on x86-64. */
    public static final int CACHE_LINE = 64;
    /** arch_slab_minalign() = __alignof__(long long), and sizeof(void *). */
    public static final int MIN_ALIGN = 8;
    public static final int PAGE_SIZE = 4096;
    public static final int PAGE_SHIFT = 12;
    /** MAX_PAGE_ORDER: the largest block the page allocator hands out (4 MiB). */
    public static final int MAX_PAGE_ORDER = 10;
    /** MAX_OBJS_PER_PAGE: slab->objects is 15 bits. */
    public static final int MAX_OBJS_PER_PAGE = 32767;
    /** sizeof(struct track) on x86-64 with STACKDEPOT: addr, handle, cpu, pid, pad, when. */
    static final int TRACK_SIZE = 32;

    private CacheGeometry() {}

    /**
     * Where objects sit in a slab and how big the slab is.
     *
     * @param size       s->size, the slab_size: object plus metadata plus padding
     * @param inuse      s->inuse: end of the object and its right red zone
     * @param offset     s->offset: where the free pointer is stored
     * @param redLeftPad s->red_left_pad
     * @param order      oo_order(s->oo)
     * @param objects    oo_objects(s->oo)
     * @param minOrder   oo_order(s->min): the fallback when a slab of the preferred order cannot be had
     * @param minObjects oo_objects(s->min)
     * @param flags      the flags with the internal ones calculate_sizes() adds
     */
    public record Layout(int size, int inuse, int offset, int redLeftPad, int order, int objects,
                         int minOrder, int minObjects, int flags) {}

    /**
     * The page-allocator limits calculate_order() works within.
     *
     * @param cpus       num_present_cpus()
     * @param minOrder   slub_min_order (boot parameter slab_min_order=, default 0)
     * @param maxOrder   slub_max_order (slab_max_order=, default PAGE_ALLOC_COSTLY_ORDER = 3)
     * @param minObjects slub_min_objects (slab_min_objects=, default 0 = from the CPU count)
     */
    public record Limits(int cpus, int minOrder, int maxOrder, int minObjects) {
        public static Limits defaults(int cpus) {
            return new Limits(cpus, 0, 3, 0);
        }
    }

    static int align(long x, int a) {
        long r = (x + a - 1) & -(long) a;
        if (r > Integer.MAX_VALUE) throw Errno.EINVAL.error("object size overflows with alignment " + a);
        return (int) r;
    }

    /** calculate_alignment(): HWCACHE_ALIGN halves the cache line while the object fits twice. */
    public static int calculateAlignment(int flags, int align, int size) {
        if ((flags & SlabFlags.HWCACHE_ALIGN) != 0) {
            int ralign = CACHE_LINE;
            while (size <= ralign / 2) ralign /= 2;
            align = Math.max(align, ralign);
        }
        align = Math.max(align, MIN_ALIGN);
        return align(align, MIN_ALIGN);
    }

    /** get_order(): the smallest order whose block holds n bytes. */
    public static int getOrder(long n) {
        int order = 0;
        while (((long) PAGE_SIZE << order) < n) order++;
        return order;
    }

    static int orderObjects(int order, int size) {
        return (int) (((long) PAGE_SIZE << order) / size);
    }

    /** fls(): the position of the most significant set bit, 1-based; 0 for 0. */
    static int fls(int x) {
        return 32 - Integer.numberOfLeadingZeros(x);
    }

    /** calc_slab_order(): the first order whose leftover is at most 1/fraction of the slab. */
    static int calcSlabOrder(int size, int minOrder, int maxOrder, int fraction) {
        int order;
        for (order = minOrder; order <= maxOrder; order++) {
            long slabSize = (long) PAGE_SIZE << order;
            long rem = slabSize % size;
            if (rem <= slabSize / fraction) break;
        }
        return order;
    }

    /** The automatic slub_min_objects: 4 * (fls(nr_cpus) + 1). */
    public static int autoMinObjects(int cpus) {
        return 4 * (fls(cpus) + 1);
    }

    /** calculate_order(); -1 (the kernel's -ENOSYS) when no order up to MAX_PAGE_ORDER fits. */
    public static int calculateOrder(int size, Limits lim) {
        int minObjects = lim.minObjects();
        if (minObjects == 0) minObjects = autoMinObjects(lim.cpus());
        int maxObjects = Math.max(orderObjects(lim.maxOrder(), size), 1);
        minObjects = Math.min(minObjects, maxObjects);
        int minOrder = Math.max(lim.minOrder(), getOrder((long) minObjects * size));
        if (orderObjects(minOrder, size) > MAX_OBJS_PER_PAGE) return getOrder((long) size * MAX_OBJS_PER_PAGE) - 1;
        for (int fraction = 16; fraction > 1; fraction /= 2) {
            int order = calcSlabOrder(size, minOrder, lim.maxOrder(), fraction);
            if (order <= lim.maxOrder()) return order;
        }
        int order = getOrder(size);
        return order <= MAX_PAGE_ORDER ? order : -1;
    }

    /**
     * calculate_sizes(): the layout of a cache's objects, or EINVAL when no slab order can hold
     * one (do_kmem_cache_create fails then).
     *
     * @param objectSize      what the caller asked for
     * @param align           the alignment after calculate_alignment()
     * @param flags           the cache's flags
     * @param hasCtor         a constructor keeps its object intact, so the free pointer goes outside
     * @param freeptrOffset   args.freeptr_offset of an RCU cache, or -1 when not given
     */
    public static Layout calculateSizes(int objectSize, int align, int flags, boolean hasCtor, int freeptrOffset,
                                        Limits lim) {
        long size = align(objectSize, MIN_ALIGN);
        if ((flags & SlabFlags.POISON) != 0 && (flags & SlabFlags.TYPESAFE_BY_RCU) == 0 && !hasCtor) {
            flags |= SlabFlags.OBJECT_POISON;
        }
        if ((flags & SlabFlags.RED_ZONE) != 0 && size == objectSize) size += MIN_ALIGN;
        int inuse = (int) size;
        boolean kmallocOrigSize = (flags & SlabFlags.STORE_USER) != 0 && (flags & SlabFlags.KMALLOC) != 0;
        boolean rcu = (flags & SlabFlags.TYPESAFE_BY_RCU) != 0;
        int offset;
        if ((rcu && freeptrOffset < 0) || (flags & SlabFlags.POISON) != 0 || hasCtor
                || ((flags & SlabFlags.RED_ZONE) != 0 && (objectSize < MIN_ALIGN || kmallocOrigSize))) {
            offset = (int) size;
            size += MIN_ALIGN;
        } else if (rcu) {
            offset = freeptrOffset;
        } else {
            offset = (objectSize / 2) & -MIN_ALIGN;
        }
        if ((flags & SlabFlags.STORE_USER) != 0) {
            size += 2L * TRACK_SIZE;
            if (kmallocOrigSize) size += MIN_ALIGN;
        }
        int redLeftPad = 0;
        if ((flags & SlabFlags.RED_ZONE) != 0) {
            size += MIN_ALIGN;
            redLeftPad = align(MIN_ALIGN, align);
            size += redLeftPad;
        }
        int slabSize = align(size, align);
        int order = calculateOrder(slabSize, lim);
        if (order < 0) throw Errno.EINVAL.error("objects of " + slabSize + " bytes fit no slab order up to " + MAX_PAGE_ORDER);
        int objects = orderObjects(order, slabSize);
        if (objects == 0) throw Errno.EINVAL.error("no object of " + slabSize + " bytes fits a slab");
        int minOrder = getOrder(slabSize);
        return new Layout(slabSize, inuse, offset, redLeftPad, order, objects, minOrder, orderObjects(minOrder, slabSize), flags);
    }

    /** min_partial = clamp(ilog2(size) / 2, MIN_PARTIAL 5, MAX_PARTIAL 10). */
    public static int minPartial(int size) {
        int v = (31 - Integer.numberOfLeadingZeros(size)) / 2;
        return Math.max(5, Math.min(10, v));
    }

    /** set_cpu_partial(): the per-CPU partial budget in objects, 0 for debug caches. */
    public static int cpuPartial(int size, int flags) {
        if ((flags & SlabFlags.DEBUG_FLAGS) != 0) return 0;
        if (size >= PAGE_SIZE) return 6;
        if (size >= 1024) return 24;
        if (size >= 256) return 52;
        return 120;
    }

    /** slub_set_cpu_partial(): cpu_partial_slabs = DIV_ROUND_UP(2 * objects, objs_per_slab), in unsigned 32-bit arithmetic. */
    public static long cpuPartialSlabs(long cpuPartial, int objsPerSlab) {
        long twice = (2 * cpuPartial) & 0xffffffffL;
        long sum = (twice + objsPerSlab - 1) & 0xffffffffL;
        return sum / objsPerSlab;
    }
}
