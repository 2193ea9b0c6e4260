package ksim.cli.slabcheck;

/**
 * The formulas of the SLUB spec (sections 4.3 and 4.4), written out again from the spec
 * rather than taken from the model, so that the checker does not check the model against
 * itself: slab order, objects per slab, min_partial and cpu_partial from slab_size.
 */
final class SpecFormulas {
    private static final int PAGE_SIZE = 4096;
    private static final int MAX_ORDER_DEFAULT = 3;
    private static final int MAX_PAGE_ORDER = 10;

    private SpecFormulas() {}

    static int getOrder(long n) {
        int o = 0;
        while (((long) PAGE_SIZE << o) < n) o++;
        return o;
    }

    /** calculate_order() with slab_max_order 3, slab_min_order 0, automatic min objects. */
    static int order(int size, int cpus) {
        int fls = 32 - Integer.numberOfLeadingZeros(cpus);
        int minObjects = 4 * (fls + 1);
        int maxObjects = Math.max((PAGE_SIZE << MAX_ORDER_DEFAULT) / size, 1);
        minObjects = Math.min(minObjects, maxObjects);
        int minOrder = getOrder((long) minObjects * size);
        if (((long) PAGE_SIZE << minOrder) / size > 32767) return getOrder((long) size * 32767) - 1;
        for (int fraction = 16; fraction > 1; fraction /= 2) {
            for (int o = minOrder; o <= MAX_ORDER_DEFAULT; o++) {
                long slab = (long) PAGE_SIZE << o;
                if (slab % size <= slab / fraction) return o;
            }
        }
        int o = getOrder(size);
        return o <= MAX_PAGE_ORDER ? o : -1;
    }

    static int objsPerSlab(int size, int order) {
        return (int) (((long) PAGE_SIZE << order) / size);
    }

    /** clamp(ilog2(size) / 2, 5, 10). */
    static long minPartial(int size) {
        int ilog2 = 31 - Integer.numberOfLeadingZeros(size);
        return Math.max(5, Math.min(10, ilog2 / 2));
    }

    /** 0 with debug flags, else by size: >= 4096: 6, >= 1024: 24, >= 256: 52, else 120. */
    static long cpuPartial(int size, boolean debug) {
        if (debug) return 0;
        if (size >= 4096) return 6;
        if (size >= 1024) return 24;
        if (size >= 256) return 52;
        return 120;
    }
}
