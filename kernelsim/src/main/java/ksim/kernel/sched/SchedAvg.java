package ksim.kernel.sched;

/**
 * struct sched_avg and its update (kernel/sched/pelt.c ___update_load_sum/_avg): per-entity
 * load tracking in periods of 1024 us-ish units (ns >> 10), each period's contribution decayed
 * by y per period with y^32 = 1/2. Sums are kept as the kernel keeps them (runnable and util
 * scaled by SCHED_CAPACITY), averages divided by the running maximum.
 */
public final class SchedAvg {
    /** LOAD_AVG_MAX: the sum of 1024 * y^n over all n. */
    public static final long LOAD_AVG_MAX = 47742;
    private static final int PERIOD = 1024;
    private static final int CAPACITY_SHIFT = 10;
    /** runnable_avg_yN_inv[]: y^n * 2^32 for n < 32, computed once with strict arithmetic. */
    private static final long[] Y_INV = new long[32];

    static {
        for (int n = 0; n < 32; n++) Y_INV[n] = (long) StrictMath.floor(StrictMath.pow(0.5, n / 32.0) * 4294967296.0);
        Y_INV[0] = 0xffffffffL;
    }

    long lastUpdateTime;
    long loadSum;
    long runnableSum;
    long utilSum;
    int periodContrib;
    long loadAvg;
    long runnableAvg;
    long utilAvg;
    long utilEst;

    public long lastUpdateTime() { return lastUpdateTime; }
    public long loadSum() { return loadSum; }
    public long runnableSum() { return runnableSum; }
    public long utilSum() { return utilSum; }
    public long loadAvg() { return loadAvg; }
    public long runnableAvg() { return runnableAvg; }
    public long utilAvg() { return utilAvg; }
    public long utilEst() { return utilEst; }

    /** decay_load(): val * y^n. */
    static long decayLoad(long val, long n) {
        if (n > 63 * 32) return 0;
        val >>= n / 32;
        return LoadWeight.mulShr(val, Y_INV[(int) (n % 32)], 32);
    }

    /** Starts tracking at now (attach or first enqueue of a new task). */
    public void start(long now) {
        lastUpdateTime = now & ~(long) (PERIOD - 1);
    }

    /**
     * __update_load_avg_se(): accumulates the time since the last update as runnable and/or
     * running (weight is the se's unscaled load weight), then recomputes the averages if a
     * period boundary was crossed.
     */
    public void update(long now, long weight, boolean runnable, boolean running) {
        long delta = now - lastUpdateTime;
        if (delta < 0) {
            lastUpdateTime = now;
            return;
        }
        delta >>= 10;
        if (delta == 0) return;
        lastUpdateTime += delta << 10;
        if (!accumulate(delta, runnable ? 1 : 0, runnable ? 1 : 0, running ? 1 : 0)) return;
        long divider = LOAD_AVG_MAX - PERIOD + periodContrib;
        loadAvg = weight * loadSum / divider;
        runnableAvg = runnableSum / divider;
        utilAvg = utilSum / divider;
    }

    /** accumulate_sum(): true if at least one period boundary was crossed. */
    private boolean accumulate(long delta, int load, int runnable, int running) {
        long contrib = delta;
        delta += periodContrib;
        long periods = delta / PERIOD;
        if (periods > 0) {
            loadSum = decayLoad(loadSum, periods);
            runnableSum = decayLoad(runnableSum, periods);
            utilSum = decayLoad(utilSum, periods);
            delta %= PERIOD;
            if (load != 0) {
                long d1 = PERIOD - periodContrib;
                long c1 = decayLoad(d1, periods);
                long c2 = LOAD_AVG_MAX - decayLoad(LOAD_AVG_MAX, periods) - PERIOD;
                contrib = c1 + c2 + delta;
            }
        }
        periodContrib = (int) delta;
        if (load != 0) loadSum += load * contrib;
        if (runnable != 0) runnableSum += (runnable * contrib) << CAPACITY_SHIFT;
        if (running != 0) utilSum += contrib << CAPACITY_SHIFT;
        return periods > 0;
    }

    /** util_est_update() at dequeue: an EWMA (weight 1/4) of the utilization at each sleep. */
    public void utilEstUpdate() {
        long ewma = utilEst;
        utilEst = ewma + ((utilAvg - ewma) >> 2);
        if (utilEst < 0) utilEst = 0;
    }
}
