package ksim.kernel;

/**
 * Compile-time constants of the simulated kernel, kept in one place (cf. xv6's param.h and
 * Linux's include/linux/{jiffies,threads,sched}.h). Configurable values live in KernelConfig.
 */
public final class Param {
    private Param() {}

    /** Kernel timer frequency (CONFIG_HZ=250 as in Debian's kernels). */
    public static final int HZ = 250;
    /** Userspace clock tick (USER_HZ): every tick count in /proc is in these units. */
    public static final int USER_HZ = 100;
    public static final long NSEC_PER_SEC = 1_000_000_000L;
    /** Length of one jiffy (TICK_NSEC). */
    public static final long TICK_NSEC = NSEC_PER_SEC / HZ;

    /** TASK_COMM_LEN: comm holds 15 bytes plus the NUL. */
    public static final int TASK_COMM_LEN = 16;

    /** PID_MAX_LIMIT on 64-bit: the largest value /proc/sys/kernel/pid_max accepts. */
    public static final int PID_MAX_LIMIT = 4 * 1024 * 1024;
    /** PID_MAX_DEFAULT (kernel/pid.c). */
    public static final int PID_MAX_DEFAULT = 32768;
    /** RESERVED_PIDS: after wrapping, pids restart here (kernel/pid.c). */
    public static final int RESERVED_PIDS = 300;

    /** PAGE_SIZE on x86-64. */
    public static final int PAGE_SIZE = 4096;
    public static final int PAGE_SHIFT = 12;
    /** THREAD_SIZE on x86-64 (16 KiB kernel stack per task), counted in KernelStack. */
    public static final int THREAD_SIZE = 16384;

    /** calc_load() fixed point (include/linux/sched/loadavg.h). */
    public static final int FSHIFT = 11;
    public static final long FIXED_1 = 1L << FSHIFT;
    public static final long EXP_1 = 1884;
    public static final long EXP_5 = 2014;
    public static final long EXP_15 = 2037;
    /** LOAD_FREQ: the load average is sampled every 5 s + 1 tick. */
    public static final int LOAD_FREQ = 5 * HZ + 1;
}
