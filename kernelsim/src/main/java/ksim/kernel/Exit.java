package ksim.kernel;

/**
 * The end of a task (kernel/exit.c): do_exit() makes a process a zombie that keeps its pid
 * until it is reaped; release_task() frees the pid and every resource. Children of an exiting
 * process are handed to init (forget_original_parent).
 */
final class Exit {
    private final Kernel k;

    Exit(Kernel k) {
        this.k = k;
    }

    /** Ends a whole thread group at once and releases it (an exit that is reaped at once). */
    void exitAndRelease(Task leader, int code) {
        if (!leader.isAlive()) throw Errno.ESRCH.error("process " + leader.pid() + " has already exited");
        Task[] threads = leader.signal.threads().toArray(new Task[0]);
        // Children belong to the thread that forked them: every thread's go to the reaper.
        for (Task t : threads) reparentChildren(t);
        for (Task t : threads) {
            if (t != leader) release(t);
        }
        leader.exitCode = code;
        release(leader);
    }

    /** release_task(): detach from the pid namespace and the parent, give back memory. */
    private void release(Task t) {
        k.sched.setState(t, TaskState.DEAD, "");
        SignalStruct sig = t.signal;
        sig.deadUtime += t.utime;
        sig.deadStime += t.stime;
        sig.removeThread(t);
        if (t.isGroupLeader()) {
            if (t.parent != null) {
                t.parent.children.remove(t);
                t.parent.signal.cutime += sig.groupUtime() + sig.cutime;
                t.parent.signal.cstime += sig.groupStime() + sig.cstime;
            }
            if (t.mm != null) k.accountMm(t.mm, -1);
        }
        k.fork.unchargeKernelMemory(t);
        k.pidNs.detach(t);
        k.notifyReleased(t);
    }

    private void reparentChildren(Task dying) {
        Task reaper = k.initTask();
        for (Task child : dying.children.toArray(new Task[0])) {
            dying.children.remove(child);
            child.realParent = reaper;
            child.parent = reaper;
            reaper.children.add(child);
            for (Task th : child.signal.threads()) {
                th.realParent = reaper;
                th.parent = reaper;
            }
        }
    }
}
