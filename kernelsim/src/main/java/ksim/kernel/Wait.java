package ksim.kernel;

/**
 * wait4() (kernel/exit.c do_wait, wait_task_zombie, wait_task_stopped): a parent collects a
 * child that has exited — the zombie passes through EXIT_DEAD (X) and is released, and its
 * CPU time and its own children's join the parent's cutime/cstime. Any thread of the parent
 * may wait for the children of every thread of its group. With WNOHANG the answer is pid 0
 * when no child is ready; without it the thread sleeps in do_wait (S) until a child exits
 * (or stops, with WUNTRACED), and then collects it and runs again (__wake_up_parent).
 */
final class Wait {
    private final Kernel k;

    Wait(Kernel k) {
        this.k = k;
    }

    /**
     * wait4(pid, WNOHANG [| WUNTRACED]) by a thread of parent's group: pid -1 means any child.
     * ECHILD if there is no such child at all.
     */
    WaitStatus wait4(Task parent, int pid, boolean untraced) {
        boolean any = false;
        for (Task th : parent.signal.threads()) {
            for (Task c : th.children) {
                if (pid > 0 && c.pid != pid) continue;
                if (c.exitState == Task.EXIT_DEAD) continue; // someone is reaping it already
                any = true;
                if (c.isZombie() && !delayGroupLeader(c)) return waitTaskZombie(parent, c, false);
                if (untraced) {
                    SignalStruct s = c.signal;
                    if ((s.flags & SignalStruct.SIGNAL_STOP_STOPPED) != 0 && s.groupExitCode != 0) {
                        int status = (s.groupExitCode << 8) | 0x7f;
                        s.groupExitCode = 0; // reported once (no WNOWAIT)
                        return new WaitStatus(c.pid, status);
                    }
                }
            }
        }
        if (!any) throw Errno.ECHILD.error("process " + parent.tgid() + " has no child " + (pid > 0 ? Integer.toString(pid) : "to wait for"));
        return new WaitStatus(0, 0);
    }

    /**
     * A sleeping wait4(): which children it takes, and what the thread does once it has one —
     * run (null state), or go back to sleep in another wait channel, as a shell that reaped its
     * foreground job goes back to reading its terminal.
     */
    record Blocked(int pid, boolean untraced, String thenWchan) {}

    /**
     * wait4() without WNOHANG: a ready child is collected at once; otherwise the thread sleeps
     * in do_wait and pid 0 is the answer for now.
     */
    WaitStatus wait4Blocking(Task waiter, int pid, boolean untraced, String thenWchan) {
        WaitStatus w = wait4(waiter, pid, untraced);
        if (w.pid() != 0) return w;
        waiter.waiting = new Blocked(pid, untraced, thenWchan);
        k.sched.setState(waiter, TaskState.INTERRUPTIBLE, "do_wait");
        return w;
    }

    /**
     * __wake_up_parent(): child became a zombie or stopped; the first thread of its parent's
     * group that sleeps in a wait4() matching it collects it and wakes.
     */
    void wakeParent(Task child) {
        Task parent = child.parent;
        if (parent == null || parent.released) return;
        for (Task th : new java.util.ArrayList<>(parent.signal.threads())) {
            Blocked b = th.waiting;
            if (b == null || (b.pid() > 0 && b.pid() != child.tgid())) continue;
            if (retry(th)) return;
        }
    }

    /**
     * A sleeping waiter looks again (woken, or back from a stop); true if it collected a child.
     * A stopped or dying waiter cannot run to collect anything.
     */
    boolean retry(Task th) {
        Blocked b = th.waiting;
        if (b == null || th.hasExited() || th.state != TaskState.INTERRUPTIBLE) return false;
        WaitStatus w;
        try {
            w = wait4(th, b.pid(), b.untraced());
        } catch (KernelError e) {
            w = null; // ECHILD: the children it waited for were collected while it was stopped
        }
        if (w != null && w.pid() == 0) return false;
        th.waiting = null;
        th.lastWait = w;
        if (b.thenWchan() == null) k.sched.setState(th, TaskState.RUNNING, "");
        else k.sched.setState(th, TaskState.INTERRUPTIBLE, b.thenWchan());
        return true;
    }

    /**
     * The real parent of p waits for p alone. With hold, the reap stops half way: p is
     * EXIT_DEAD (X) but still has its pid, as between wait_task_zombie's state change and its
     * release_task(); the next reap of p finishes it.
     */
    WaitStatus reap(Task p, boolean hold) {
        if (!p.isGroupLeader()) throw Errno.ECHILD.error("thread " + p.pid + " is not a child anyone waits for");
        if (p.released) throw Errno.ESRCH.error("process " + p.pid + " is gone");
        if (p.exitState == Task.EXIT_DEAD) {
            int status = exitStatus(p);
            k.exit.releaseTask(p);
            return new WaitStatus(p.pid, status);
        }
        if (!p.isZombie() || delayGroupLeader(p)) return new WaitStatus(0, 0);
        if (p.realParent == null) throw Errno.ECHILD.error("process " + p.pid + " has no parent");
        return waitTaskZombie(p.realParent, p, hold);
    }

    /** wait_task_zombie(). */
    WaitStatus waitTaskZombie(Task reaper, Task p, boolean hold) {
        int status = exitStatus(p);
        p.exitState = Task.EXIT_DEAD;
        k.sched.setState(p, TaskState.DEAD, "");
        SignalStruct psig = reaper.signal;
        SignalStruct sig = p.signal;
        psig.cutime += sig.groupUtime() + sig.cutime;
        psig.cstime += sig.groupStime() + sig.cstime;
        if (!hold) k.exit.releaseTask(p);
        return new WaitStatus(p.pid, status);
    }

    private static int exitStatus(Task p) {
        return (p.signal.flags & SignalStruct.SIGNAL_GROUP_EXIT) != 0 ? p.signal.groupExitCode : p.exitCode;
    }

    /** delay_group_leader(): a zombie leader is not reaped while its other threads live. */
    private static boolean delayGroupLeader(Task p) {
        return p.isGroupLeader() && p.signal.nrThreads() > 1;
    }
}
