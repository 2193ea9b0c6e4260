package ksim.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The end of a task (kernel/exit.c). do_exit() gives up the address space and the kernel
 * stack, hands the children to a new reaper (forget_original_parent) and makes the task a
 * zombie that keeps its pid, its task_struct and its times until its parent reaps it
 * (wait_task_zombie, in Wait); release_task() then frees the pid. A non-leader thread is
 * reaped at once; a group leader whose threads still run stays a zombie without its parent
 * hearing of it until the last thread is gone (delay_group_leader). A parent that ignores
 * SIGCHLD (or set SA_NOCLDWAIT) never sees zombies, and init reaps its children as soon as
 * they die, as systemd does.
 *
 * Memory: the mm goes back at exit (exit_mm), the kernel stack when the dead task last
 * schedules (put_task_stack), and the task_struct and friends at release (put_task_struct);
 * see Fork for the other half of each pair.
 */
final class Exit {
    private final Kernel k;

    Exit(Kernel k) {
        this.k = k;
    }

    /**
     * Ends a whole thread group at once, whatever its threads are doing (even in D), and has
     * its parent reap it: exit_group(status) followed by wait4(). The exit code is status << 8.
     */
    void exitAndRelease(Task leader, int status) {
        if (!leader.isAlive() || leader.hasExited()) {
            throw Errno.ESRCH.error("process " + leader.pid() + " has already exited");
        }
        SignalStruct sig = leader.signal;
        int code = (status & 0xff) << 8;
        sig.groupExitCode = code;
        sig.flags = SignalStruct.SIGNAL_GROUP_EXIT | (sig.flags & SignalStruct.SIGNAL_UNKILLABLE);
        for (Task t : new ArrayList<>(sig.threads())) {
            if (!t.hasExited()) doExit(t, code);
        }
        if (leader.isAlive()) k.wait.reap(leader, false);
    }

    /** do_exit(): the task stops running; its mm, its children and its kernel stack go. */
    void doExit(Task t, int code) {
        if (t.hasExited()) return;
        t.flags |= Task.PF_EXITING | Task.PF_POSTCOREDUMP;
        SignalStruct sig = t.signal;
        sig.live--;
        boolean groupDead = sig.live == 0;
        k.ptrace.exitPtrace(t);
        exitMm(t);
        t.exitCode = code;
        t.waiting = null;
        if (groupDead && sig.leader) k.ttys.disassociate(k, t);
        t.flags |= Task.PF_NOFREEZE;
        exitNotify(t);
        k.fork.freeTaskStack(t);
    }

    /** exit_mm(): the thread lets go of the address space; the last one out frees it. */
    private void exitMm(Task t) {
        var mm = t.mm;
        if (mm == null) return;
        t.mm = null;
        for (Task th : t.signal.threads()) if (th.mm == mm) return;
        k.accountMm(mm, -1);
    }

    /**
     * exit_notify(): children go to a new reaper; a leader alone in its group tells its parent
     * (do_notify_parent) and becomes a zombie, or is released at once if the parent ignores
     * SIGCHLD; a non-leader thread is always released at once.
     */
    private void exitNotify(Task t) {
        forgetOriginalParent(t);
        boolean autoreap;
        if (t.isGroupLeader()) {
            autoreap = t.signal.nrThreads() == 1 && doNotifyParent(t, t.exitSignal);
        } else {
            autoreap = true;
        }
        t.exitState = autoreap ? Task.EXIT_DEAD : Task.EXIT_ZOMBIE;
        k.sched.setState(t, autoreap ? TaskState.DEAD : TaskState.ZOMBIE, "");
        if (autoreap) {
            releaseTask(t);
        } else if (t.signal.nrThreads() == 1) {
            initReaps(t);
        }
    }

    /**
     * do_notify_parent(): the exit signal to the parent; true if the child is to be reaped at
     * once because the parent ignores SIGCHLD or set SA_NOCLDWAIT (the child never is a zombie).
     */
    boolean doNotifyParent(Task tsk, int sig) {
        Task parent = tsk.parent;
        if (parent == null) return true;
        boolean autoreap = false;
        SighandStruct psig = parent.sighand;
        if (!tsk.ptraced && sig == Signum.SIGCHLD
                && (psig.action(Signum.SIGCHLD) == SighandStruct.Action.IGNORE || psig.noCldWait)) {
            autoreap = true;
            if (psig.action(Signum.SIGCHLD) == SighandStruct.Action.IGNORE) sig = 0;
        }
        if (Signum.valid(sig) && !parent.released) k.signals.sendToGroup(parent, sig);
        return autoreap;
    }

    /**
     * A new zombie wakes its parent: init (systemd) reaps every child of its own at once, and
     * a thread of any other parent that sleeps in wait4() for it collects it.
     */
    private void initReaps(Task zombie) {
        Task init = k.initTask();
        if (zombie.parent != null && zombie.parent.groupLeader == init && zombie.isZombie() && !init.hasExited()) {
            k.wait.waitTaskZombie(init, zombie, false);
        } else if (zombie.isZombie()) {
            k.wait.wakeParent(zombie);
        }
    }

    /**
     * release_task(): the pid is freed, the task leaves its group's thread list and its
     * parent's children, its times join the group's dead-thread times. If it was the last
     * thread of a zombie leader, the leader is now reported to its parent.
     */
    void releaseTask(Task p) {
        while (true) {
            p.exitState = Task.EXIT_DEAD;
            k.sched.setState(p, TaskState.DEAD, "");
            SignalStruct sig = p.signal;
            sig.deadUtime += p.utime;
            sig.deadStime += p.stime;
            k.signals.flush(p, p.pending, -1L);
            sig.removeThread(p);
            if (sig.nrThreads() == 0) k.signals.flush(p, sig.sharedPending, -1L);
            if (p.isGroupLeader() && p.realParent != null) p.realParent.children.remove(p);
            p.released = true;
            k.fork.freeTaskStruct(p);
            k.pidNs.detach(p);
            k.notifyReleased(p);

            Task leader = p.groupLeader;
            if (leader == p || sig.nrThreads() != 1 || !leader.isZombie()) return;
            if (!doNotifyParent(leader, leader.exitSignal)) {
                initReaps(leader);
                return;
            }
            p = leader;
        }
    }

    /**
     * forget_original_parent(): the children of a dying thread go to a live thread of its own
     * group, else to the nearest child subreaper among its ancestors, else to init. A child
     * that is already a zombie is reported to the new parent (reparent_leader).
     */
    private void forgetOriginalParent(Task father) {
        if (father.children.isEmpty()) return;
        Task reaper = findNewReaper(father);
        List<Task> kids = new ArrayList<>(father.children);
        father.children.clear();
        for (Task child : kids) {
            for (Task th : child.signal.threads()) {
                th.realParent = reaper;
                if (!th.ptraced) th.parent = reaper;
            }
            reaper.children.add(child);
        }
        if (reaper.signal == father.signal) return;
        for (Task child : kids) {
            child.exitSignal = Signum.SIGCHLD;
            if (!child.ptraced && child.isZombie() && child.signal.nrThreads() == 1) {
                if (doNotifyParent(child, child.exitSignal)) {
                    child.exitState = Task.EXIT_DEAD;
                    releaseTask(child);
                } else {
                    initReaps(child);
                }
            }
        }
    }

    /** find_new_reaper(). */
    private Task findNewReaper(Task father) {
        Task thread = findAliveThread(father);
        if (thread != null) return thread;
        if (father.signal.hasChildSubreaper) {
            for (Task r = father.realParent; r != null && r.groupLeader != k.initTask(); r = r.realParent) {
                if (!r.signal.isChildSubreaper) continue;
                thread = findAliveThread(r);
                if (thread != null) return thread;
            }
        }
        return k.initTask();
    }

    /** find_alive_thread(): a thread of p's group that is not exiting. */
    private static Task findAliveThread(Task p) {
        for (Task t : p.signal.threads()) if (!t.hasExited()) return t;
        return null;
    }
}
