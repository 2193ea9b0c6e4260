package ksim.kernel;

/**
 * jiffies and the boot-based clocks derived from them (kernel/time/). The simulated time
 * advances only by ticks; in wall mode a driver ticks it to follow real time, in manual mode
 * only explicit ticks move it.
 */
public final class Clock {
    public enum Mode { WALL, MANUAL }

    private final Mode mode;
    private final long bootEpochNanos;
    private long jiffies;

    Clock(Mode mode, long bootEpochNanos) {
        this.mode = mode;
        this.bootEpochNanos = bootEpochNanos;
    }

    public Mode mode() { return mode; }
    public long jiffies() { return jiffies; }

    void advance() { jiffies++; }

    /** ktime_get_boottime_ns(): time since boot. */
    public long boottimeNs() {
        return jiffies * Param.TICK_NSEC;
    }

    /** getboottime64() in seconds: the epoch second the kernel booted (/proc/stat btime). */
    public long bootEpochSeconds() {
        return Math.floorDiv(bootEpochNanos, Param.NSEC_PER_SEC);
    }

    public long bootEpochNanos() { return bootEpochNanos; }

    /** ktime_get_real_ns() of the simulated machine. */
    public long realtimeNs() {
        return bootEpochNanos + boottimeNs();
    }

    /** nsec_to_clock_t(): ns to USER_HZ ticks. */
    public static long nsecToClockT(long ns) {
        return ns / (Param.NSEC_PER_SEC / Param.USER_HZ);
    }
}
