package ksim.kernel.sched;

/**
 * Load weights of the fair class (kernel/sched/core.c sched_prio_to_weight[] and
 * sched_prio_to_wmult[]; kernel/sched/fair.c __calc_delta and calc_delta_fair): each nice
 * level is about 10% of CPU away from the next, nice 0 weighs NICE_0_LOAD.
 */
public final class LoadWeight {
    private LoadWeight() {}

    /** NICE_0_LOAD before scale_load(): the weight of a nice-0 task. */
    public static final long NICE_0_LOAD = 1024;
    /** SCHED_FIXEDPOINT_SHIFT: scale_load() on 64-bit shifts weights up by 10 bits. */
    public static final int SCHED_FIXEDPOINT_SHIFT = 10;
    private static final int WMULT_SHIFT = 32;

    private static final long[] PRIO_TO_WEIGHT = {
        88761, 71755, 56483, 46273, 36291,
        29154, 23254, 18705, 14949, 11916,
        9548, 7620, 6100, 4904, 3906,
        3121, 2501, 1991, 1586, 1277,
        1024, 820, 655, 526, 423,
        335, 272, 215, 172, 137,
        110, 87, 70, 56, 45,
        36, 29, 23, 18, 15,
    };

    /** 2^32 / weight, so a division becomes a multiplication and a shift. */
    private static final long[] PRIO_TO_WMULT = {
        48388, 59856, 76040, 92818, 118348,
        147320, 184698, 229616, 287308, 360437,
        449829, 563644, 704093, 875809, 1099582,
        1376151, 1717300, 2157191, 2708050, 3363326,
        4194304, 5237765, 6557202, 8165337, 10153587,
        12820798, 15790321, 19976592, 24970740, 31350126,
        39045157, 49367440, 61356676, 76695844, 95443717,
        119304647, 148102320, 186737708, 238609294, 286331153,
    };

    /** The weight of nice (-20..19). */
    public static long weight(int nice) {
        return PRIO_TO_WEIGHT[nice + 20];
    }

    /** The inverse weight 2^32/weight of nice. */
    public static long wmult(int nice) {
        return PRIO_TO_WMULT[nice + 20];
    }

    /** scale_load(): the weight as se.load.weight holds it on 64-bit kernels. */
    public static long scaleLoad(long w) {
        return w << SCHED_FIXEDPOINT_SHIFT;
    }

    /**
     * calc_delta_fair(): delta ns of real runtime as virtual runtime for a task of this nice,
     * delta * NICE_0_LOAD / weight, computed as the kernel does with the inverse weight.
     */
    public static long calcDeltaFair(long delta, int nice) {
        if (nice == 0) return delta;
        return mulShr(delta, NICE_0_LOAD * wmult(nice), WMULT_SHIFT);
    }

    /** (a * b) >> shift over the full 128-bit product, for non-negative a and b. */
    static long mulShr(long a, long b, int shift) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi << (64 - shift)) | (lo >>> shift);
    }
}
