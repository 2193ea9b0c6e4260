package ksim.fs.proc;

import ksim.kernel.Kernel;
import ksim.kernel.SchedEntity;
import ksim.kernel.Task;
import ksim.kernel.sched.LoadWeight;
import ksim.kernel.sched.SchedAvg;

/**
 * /proc/<pid>/sched and /proc/<pid>/schedstat (kernel/sched/debug.c proc_sched_show_task,
 * fs/proc/base.c proc_pid_schedstat), with the keys and order of a 6.18 kernel built with
 * CONFIG_NUMA_BALANCING and without CONFIG_SCHEDSTATS. Pure views of the task's sched_entity.
 */
final class PidSched {
    private static final String DASHES = "-------------------------------------------------------------------\n";

    private PidSched() {}

    /** proc_sched_show_task(). */
    static byte[] sched(Kernel k, Task t) {
        SchedEntity se = t.se();
        Text s = new Text();
        s.put(t.comm()).put(" (").put(t.pid()).put(", #threads: ").put(t.signal().nrThreads()).put(")\n");
        s.put(DASHES);
        ns(s, "se.exec_start", se.execStart());
        ns(s, "se.vruntime", se.vruntime());
        ns(s, "se.sum_exec_runtime", se.sumExecRuntime());
        val(s, "se.nr_migrations", se.nrMigrations());
        val(s, "nr_switches", t.nvcsw() + t.nivcsw());
        val(s, "nr_voluntary_switches", t.nvcsw());
        val(s, "nr_involuntary_switches", t.nivcsw());
        val(s, "se.load.weight", LoadWeight.scaleLoad(se.weight()));
        SchedAvg avg = se.avg();
        val(s, "se.avg.load_sum", avg.loadSum());
        val(s, "se.avg.runnable_sum", avg.runnableSum());
        val(s, "se.avg.util_sum", avg.utilSum());
        val(s, "se.avg.load_avg", avg.loadAvg());
        val(s, "se.avg.runnable_avg", avg.runnableAvg());
        val(s, "se.avg.util_avg", avg.utilAvg());
        val(s, "se.avg.last_update_time", avg.lastUpdateTime());
        val(s, "se.avg.util_est", avg.utilEst());
        val(s, "policy", t.policy());
        val(s, "prio", t.prio());
        if (t.policy() != Task.SCHED_FIFO && t.policy() != Task.SCHED_RR) val(s, "se.slice", k.scheduler().slice(t));
        // Two back-to-back reads of the simulated clock are the same instant.
        val(s, "clock-delta", 0);
        // sched_show_numa(): one node, NUMA balancing never ran.
        if (t.mm() != null) val(s, "mm->numa_scan_seq", 0);
        val(s, "numa_pages_migrated", 0);
        val(s, "numa_preferred_nid", -1);
        val(s, "total_numa_faults", 0);
        s.put("current_node=0, numa_group_id=0\n");
        s.put("numa_faults node=0 task_private=0 task_shared=0 group_private=0 group_shared=0\n");
        return s.bytes();
    }

    /** proc_pid_schedstat(): time on the CPU, time waiting on a run queue (ns), times run. */
    static byte[] schedstat(Task t) {
        SchedEntity se = t.se();
        return new Text().put(se.sumExecRuntime()).sp(se.runDelay()).sp(se.pcount()).put('\n').bytes();
    }

    /** P(): "%-45s:%21Ld". */
    private static void val(Text s, String key, long v) {
        s.printf("%-45s:%21d\n", key, v);
    }

    /** PN(): "%-45s:%14Ld.%06ld", ns as ms with six decimals (SPLIT_NS). */
    private static void ns(Text s, String key, long v) {
        s.printf("%-45s:%14d.%06d\n", key, v / 1_000_000, Math.abs(v % 1_000_000));
    }
}
