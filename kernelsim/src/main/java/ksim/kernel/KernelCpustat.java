package ksim.kernel;

/**
 * struct kernel_cpustat (include/linux/kernel_stat.h): per-CPU time in ns by kind, and the
 * interrupt counters /proc/stat sums. Indexes are the kernel's enum cpu_usage_stat.
 */
public final class KernelCpustat {
    public static final int USER = 0, NICE = 1, SYSTEM = 2, SOFTIRQ = 3, IRQ = 4, IDLE = 5,
            IOWAIT = 6, STEAL = 7, GUEST = 8, GUEST_NICE = 9, NR_STATS = 10;
    /** Softirq vectors in /proc/stat order (include/linux/interrupt.h). */
    public static final int HI_SOFTIRQ = 0, TIMER_SOFTIRQ = 1, NET_TX_SOFTIRQ = 2, NET_RX_SOFTIRQ = 3,
            BLOCK_SOFTIRQ = 4, IRQ_POLL_SOFTIRQ = 5, TASKLET_SOFTIRQ = 6, SCHED_SOFTIRQ = 7,
            HRTIMER_SOFTIRQ = 8, RCU_SOFTIRQ = 9, NR_SOFTIRQS = 10;

    final long[] cpustat = new long[NR_STATS];
    final long[] softirqs = new long[NR_SOFTIRQS];
    /** Local timer interrupts (arch_irq_stat_cpu's LOC). */
    long timerIrqs;

    public long get(int index) { return cpustat[index]; }
    public long softirq(int vec) { return softirqs[vec]; }
    public long timerIrqs() { return timerIrqs; }
}
