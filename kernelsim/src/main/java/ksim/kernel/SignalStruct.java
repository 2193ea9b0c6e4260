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

    void addThread(Task t) { threads.add(t); }
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
