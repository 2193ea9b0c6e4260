package ksim.fs.proc;

import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.Task;
import ksim.kernel.Tty;
import ksim.mm.MmStruct;

/**
 * /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat: do_task_stat() in fs/proc/array.c. 52
 * fields separated by single spaces; comm raw between parentheses. The per-process view sums
 * the CPU time and faults of all threads, live and dead; the per-thread view shows its own.
 */
final class TaskStat {
    /** RLIM_INFINITY as an unsigned long, for rsslim. */
    private static final long RLIM_INFINITY = -1L;
    /** The obsolete signal fields show only the low 31 bits of each set. */
    private static final long LOW_SIGNALS = 0x7fffffffL;

    private TaskStat() {}

    static byte[] show(Kernel k, Task t, boolean whole) {
        Task leader = t.groupLeader();
        var sig = t.signal();
        MmStruct mm = t.mm();
        Tty tty = sig.tty();
        long utime = whole ? sig.groupUtime() : t.utime();
        long stime = whole ? sig.groupStime() : t.stime();
        long minflt = t.minFlt();
        long majflt = t.majFlt();
        if (whole) {
            minflt = 0;
            majflt = 0;
            for (Task th : sig.threads()) {
                minflt += th.minFlt();
                majflt += th.majFlt();
            }
        }
        Task realParent = leader.realParent();
        int ppid = realParent == null ? 0 : realParent.tgid();

        Text s = new Text();
        s.put(t.pid()).put(" (").put(t.procName()).put(") ").put(t.state().letter);
        s.sp(ppid).sp(sig.pgrp()).sp(sig.session());
        s.sp(tty == null ? 0 : tty.encoded());
        s.sp(tty == null || tty.foregroundPgrp() == 0 ? -1 : tty.foregroundPgrp());
        s.sp(Integer.toUnsignedLong(t.flags()));
        s.sp(minflt).sp(0).sp(majflt).sp(0);
        s.sp(Clock.nsecToClockT(utime)).sp(Clock.nsecToClockT(stime));
        s.sp(Clock.nsecToClockT(sig.cutime())).sp(Clock.nsecToClockT(sig.cstime()));
        s.sp(t.prio() - Task.MAX_RT_PRIO).sp(t.nice());
        s.sp(sig.nrThreads()).sp(0);
        s.sp(Clock.nsecToClockT(t.startTime()));
        s.sp(mm == null ? 0 : mm.totalVm() * ksim.kernel.Param.PAGE_SIZE);
        s.sp(mm == null ? 0 : mm.rss());
        s.spUnsigned(RLIM_INFINITY);
        s.sp(mm == null ? 0 : mm.startCode()).sp(mm == null ? 0 : mm.endCode()).sp(mm == null ? 0 : mm.startStack());
        s.sp(0).sp(0); // kstkesp, kstkeip: shown only for tasks being core-dumped
        s.sp(t.pending().signal() & LOW_SIGNALS).sp(t.blocked() & LOW_SIGNALS);
        s.sp(t.sighand().ignored() & LOW_SIGNALS).sp(t.sighand().caught() & LOW_SIGNALS);
        s.sp(t.state() == ksim.kernel.TaskState.RUNNING ? 0 : 1); // wchan: whether it sleeps
        s.sp(0).sp(0); // nswap cnswap
        s.sp(t.exitSignal()).sp(t.cpu()).sp(t.rtPriority()).sp(t.policy());
        s.sp(0).sp(0).sp(0); // delayacct_blkio_ticks guest_time cguest_time
        if (mm == null) {
            s.put(" 0 0 0 0 0 0 0");
        } else {
            s.sp(mm.startData()).sp(mm.endData()).sp(mm.startBrk());
            s.sp(mm.argStart()).sp(mm.argEnd()).sp(mm.envStart()).sp(mm.envEnd());
        }
        s.sp(t.exitCode()).put('\n');
        return s.bytes();
    }
}
