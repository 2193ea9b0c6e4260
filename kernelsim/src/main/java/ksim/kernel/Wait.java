package ksim.kernel;

/**
 * wait4() (kernel/exit.c do_wait, wait_task_zombie, wait_task_stopped): a parent collects a
 * child that has exited — the zombie passes through EXIT_DEAD (X) and is released, and its
 * CPU time and its own children's join the parent's cutime/cstime. Any thread of the parent
 * may wait for the children of every thread of its group. The model never blocks: when no
 * child is ready the answer is pid 0, as with WNOHANG.
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
