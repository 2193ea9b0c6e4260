package ksim.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * struct signal_struct (include/linux/sched/signal.h): what the threads of one process share —
 * the thread list, session and process group, the controlling tty, and the CPU time of
 * threads that have already exited and of children that were reaped.
 */
public final class SignalStruct {
    /** signal->flags bits (include/linux/sched/signal.h). */
    public static final int SIGNAL_STOP_STOPPED = 0x00000001;
    public static final int SIGNAL_STOP_CONTINUED = 0x00000002;
    public static final int SIGNAL_GROUP_EXIT = 0x00000004;
    public static final int SIGNAL_UNKILLABLE = 0x00000040;

    /** The threads not yet released (the thread list plus a zombie leader). */
    private final List<Task> threads = new ArrayList<>();
    int session;
    int pgrp;
    Tty tty;
    /** signal->leader: this process is a session leader. */
    boolean leader;
    /** Times of threads that exited, added to the group total (__exit_signal). */
    long deadUtime;
    long deadStime;
    /** Times of reaped children (wait_task_zombie). */
    long cutime;
    long cstime;
    /** signal->shared_pending: signals sent to the process as a whole. */
    final SigPending sharedPending = new SigPending();
    int flags;
    /** signal->group_exit_code: the exit code of a group exit, or the signal of a group stop. */
    int groupExitCode;
    /** signal->live: threads that have not yet started to exit. */
    int live;
    /** PR_SET_CHILD_SUBREAPER: orphaned descendants are re-parented here instead of to init. */
    boolean isChildSubreaper;
    /** Some ancestor is a child subreaper (inherited at fork). */
    boolean hasChildSubreaper;

    SignalStruct(int session, int pgrp, Tty tty) {
        this.session = session;
        this.pgrp = pgrp;
        this.tty = tty;
    }

    public List<Task> threads() { return Collections.unmodifiableList(threads); }
    public int nrThreads() { return threads.size(); }
    public int session() { return session; }
    public int pgrp() { return pgrp; }
    public Tty tty() { return tty; }
    public boolean isSessionLeader() { return leader; }
    public long cutime() { return cutime; }
    public long cstime() { return cstime; }

    public int flags() { return flags; }
    public int groupExitCode() { return groupExitCode; }
    public SigPending sharedPending() { return sharedPending; }
    public boolean isChildSubreaper() { return isChildSubreaper; }
    public int live() { return live; }

    void addThread(Task t) {
        threads.add(t);
        live++;
    }
    void removeThread(Task t) { threads.remove(t); }

    /** thread_group_cputime(): user time of every live thread plus those already gone, in ns. */
    public long groupUtime() {
        long sum = deadUtime;
        for (Task t : threads) sum += t.utime();
        return sum;
    }

    public long groupStime() {
        long sum = deadStime;
        for (Task t : threads) sum += t.stime();
        return sum;
    }
}
