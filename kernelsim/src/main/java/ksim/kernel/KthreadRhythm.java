package ksim.kernel;

import java.util.SplittableRandom;

/**
 * How a kernel thread of the simulated machine wakes on its own: every period (plus seeded
 * jitter) jiffies its timer fires, it runs for a short burst and sleeps again where it slept.
 * The values follow an idle 2-CPU server: rcu_preempt's force-quiescent-state loop every few
 * jiffies, per-CPU vmstat/workqueue kworkers, ksoftirqd, the stopper threads, kcompactd's
 * 500 ms proactive scan, khugepaged's 10 s scan and khungtaskd's 120 s check.
 */
record KthreadRhythm(int periodJiffies, int jitterJiffies, long burstMinNs, long burstMaxNs) {

    /** The rhythm of a kernel thread by its name, or null if it only wakes when told. */
    static KthreadRhythm of(String name) {
        if (name.equals("rcu_preempt")) return new KthreadRhythm(4, 2, 4_000, 25_000);
        if (name.startsWith("ksoftirqd/")) return new KthreadRhythm(40, 20, 3_000, 15_000);
        if (name.startsWith("migration/")) return new KthreadRhythm(62, 20, 2_000, 6_000);
        if (name.startsWith("kworker/") && !name.startsWith("kworker/R-")) return new KthreadRhythm(50, 25, 5_000, 40_000);
        if (name.startsWith("kcompactd")) return new KthreadRhythm(Param.HZ / 2, 10, 4_000, 20_000);
        if (name.equals("khugepaged")) return new KthreadRhythm(10 * Param.HZ, 0, 20_000, 60_000);
        if (name.equals("khungtaskd")) return new KthreadRhythm(120 * Param.HZ, 0, 5_000, 20_000);
        return null;
    }

    /** The CPU a per-CPU kernel thread is bound to (kthread_bind), or -1. */
    static int boundCpu(String name) {
        for (String prefix : new String[] {"ksoftirqd/", "migration/", "cpuhp/", "kworker/"}) {
            if (!name.startsWith(prefix)) continue;
            int i = prefix.length();
            int j = i;
            while (j < name.length() && Character.isDigit(name.charAt(j))) j++;
            if (j == i) return -1;
            boolean perCpu = !prefix.equals("kworker/") || (j < name.length() && name.charAt(j) == ':');
            return perCpu ? Integer.parseInt(name.substring(i, j)) : -1;
        }
        return -1;
    }

    /** Jiffies until the next wake. */
    long nextDelay(SplittableRandom rng) {
        return periodJiffies + (jitterJiffies > 0 ? rng.nextInt(jitterJiffies + 1) : 0);
    }

    /** The run time of one wake, in ns. */
    long burst(SplittableRandom rng) {
        return burstMinNs + rng.nextLong(burstMaxNs - burstMinNs + 1);
    }

    /** Binds the per-CPU kernel threads and gives every kernel thread with a rhythm its timer. */
    static void install(Kernel k) {
        for (Task t : k.pids().allTasks()) {
            if (!t.isKthread()) continue;
            String name = t.fullName != null ? t.fullName : t.commString();
            int cpu = boundCpu(name);
            if (cpu >= 0 && cpu < k.sched.nrCpus()) k.sched.bind(t, cpu);
            KthreadRhythm r = of(name);
            if (r != null) k.sched.setRhythm(t, r);
        }
    }
}
