package ksim.kernel;

/**
 * The global load average (kernel/sched/loadavg.c): every LOAD_FREQ ticks the number of
 * runnable plus uninterruptible tasks is folded into three exponentially decaying averages
 * in FSHIFT fixed point.
 */
public final class LoadAvg {
    private final long[] avenrun = new long[3];
    private long nextUpdate = Param.LOAD_FREQ;

    /** calc_load(): one step of the exponential moving average. */
    static long calcLoad(long load, long exp, long active) {
        long newload = load * exp + active * (Param.FIXED_1 - exp);
        if (active >= load) newload += Param.FIXED_1 - 1;
        return newload / Param.FIXED_1;
    }

    /** calc_global_load(), called from the tick with the current jiffies and active count. */
    void tick(long jiffies, long nrActive) {
        if (jiffies < nextUpdate) return;
        long active = nrActive * Param.FIXED_1;
        avenrun[0] = calcLoad(avenrun[0], Param.EXP_1, active);
        avenrun[1] = calcLoad(avenrun[1], Param.EXP_5, active);
        avenrun[2] = calcLoad(avenrun[2], Param.EXP_15, active);
        nextUpdate += Param.LOAD_FREQ;
    }

    /** get_avenrun(loads, offset, shift): the raw fixed-point values plus a rounding offset. */
    public long avenrun(int i, long offset) {
        return avenrun[i] + offset;
    }
}
