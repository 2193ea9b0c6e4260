package ksim.kernel.sched;

/**
 * The fair class's time constants (kernel/sched/fair.c sysctl_sched_base_slice and the CFS
 * latency/wakeup granularity, scaled by update_sysctl()'s logarithmic factor 1 + ilog2(cpus),
 * cpus capped at 8), and the real-time round-robin slice (sched_rr_timeslice).
 *
 * Choice: a task's slice is EEVDF's base_slice, because the reference kernel (6.18) runs EEVDF
 * and its /proc/<pid>/sched prints se.slice with that value; CFS's sched_slice() (latency split
 * by weight) no longer exists there. Picking stays CFS's leftmost vruntime: with HZ=250 a tick
 * (4 ms) is longer than any slice, so at every tick a running fair task is past its slice and
 * the task with the least virtual runtime gets the CPU, which is what both pick in steady state.
 */
public final class SchedTunables {
    private SchedTunables() {}

    /** normalized_sysctl_sched_base_slice of 6.18, in ns. */
    public static final long NORMALIZED_BASE_SLICE_NS = 700_000L;
    /** CFS's normalized sysctl_sched_latency (6 ms): half of it is the sleeper credit of place_entity. */
    public static final long NORMALIZED_LATENCY_NS = 6_000_000L;
    /** CFS's normalized sysctl_sched_wakeup_granularity (1 ms). */
    public static final long NORMALIZED_WAKEUP_GRAN_NS = 1_000_000L;
    /** RR_TIMESLICE: 100 ms of SCHED_RR, in ns. */
    public static final long RR_TIMESLICE_NS = 100_000_000L;

    /** get_update_sysctl_factor() with SCHED_TUNABLESCALING_LOG. */
    public static int factor(int cpus) {
        int n = Math.min(Math.max(cpus, 1), 8);
        return 1 + (31 - Integer.numberOfLeadingZeros(n));
    }

    public static long baseSlice(int cpus) {
        return NORMALIZED_BASE_SLICE_NS * factor(cpus);
    }

    public static long latency(int cpus) {
        return NORMALIZED_LATENCY_NS * factor(cpus);
    }

    public static long wakeupGranularity(int cpus) {
        return NORMALIZED_WAKEUP_GRAN_NS * factor(cpus);
    }
}
