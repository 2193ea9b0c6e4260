package ksim.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Signal generation and delivery (kernel/signal.c): prepare_signal, __send_signal,
 * complete_signal, get_signal, do_signal_stop, do_group_exit, sigprocmask and sigaction.
 *
 * The model runs no user code, so delivery happens at the moments a real thread would reach
 * get_signal(): a thread that can run (R, or S — an interruptible sleep is woken by the signal
 * and resumes its sleep after the handler) takes its deliverable signals at once. A caught
 * signal's handler "runs" and returns; SIG_IGN drops it; the default action stops the group,
 * continues it, or kills it. A thread in D, stopped (T) or traced (t) keeps its signals pending
 * until it can run again, as in Linux — except SIGKILL, which wakes stopped and traced threads
 * (TASK_WAKEKILL) but not D ones. Called under the kernel lock.
 */
final class Signal {
    /** The core-dump bit of a wait status (WCOREFLAG). */
    static final int CORE_DUMPED = 0x80;

    private final Kernel k;
    /** ucounts' UCOUNT_RLIMIT_SIGPENDING: signals pending for the tasks of each real uid (SigQ). */
    private final Map<Integer, Integer> pendingByUid = new HashMap<>();

    Signal(Kernel k) {
        this.k = k;
    }

    /** The first number of SigQ: signals queued to tasks of this real uid. */
    int queued(int uid) {
        return pendingByUid.getOrDefault(uid, 0);
    }

    // ---- the pending sets, with the per-user count ---------------------------------------

    private void add(Task t, SigPending p, int sig) {
        long m = Signum.mask(sig);
        if ((p.signal & m) != 0) return;
        p.signal |= m;
        pendingByUid.merge(t.cred.uid(), 1, Integer::sum);
    }

    /** flush_sigqueue_mask(): drops the signals of mask from one pending set. */
    void flush(Task t, SigPending p, long mask) {
        int n = Long.bitCount(p.signal & mask);
        if (n == 0) return;
        p.signal &= ~mask;
        int left = pendingByUid.merge(t.cred.uid(), -n, Integer::sum);
        if (left <= 0) pendingByUid.remove(t.cred.uid());
    }

    // ---- sending -------------------------------------------------------------------------

    /** group_send_sig_info(): a signal for the whole thread group of p (kill(2)). */
    void sendToGroup(Task p, int sig) {
        send(p, sig, true);
    }

    /** do_send_specific(): a signal for one thread (tgkill(2)). */
    void sendToThread(Task t, int sig) {
        send(t, sig, false);
    }

    private void send(Task t, int sig, boolean group) {
        if (sig == 0 || t.released) return;
        List<Task> woken = new ArrayList<>();
        if (prepareSignal(t, sig, woken)) {
            SigPending pending = group ? t.signal.sharedPending : t.pending;
            // legacy_queue(): a standard signal already pending is not queued twice.
            if (!(sig < Signum.SIGRTMIN && pending.has(sig))) {
                add(t, pending, sig);
                completeSignal(sig, t, group);
            }
        }
        // Threads SIGCONT woke run now, and take what is pending (a SIGTERM sent while stopped).
        for (Task th : woken) signalWakeUp(th, false);
    }

    /**
     * prepare_signal(): what a signal does before it is queued — a stop signal cancels a
     * pending SIGCONT, SIGCONT cancels pending stops and wakes the stopped threads — and
     * whether it is queued at all (not if ignored, or if the group is already dying).
     */
    private boolean prepareSignal(Task p, int sig, List<Task> woken) {
        SignalStruct signal = p.signal;
        if ((signal.flags & SignalStruct.SIGNAL_GROUP_EXIT) != 0) return false;
        if (Signum.kernelStop(sig)) {
            long cont = Signum.mask(Signum.SIGCONT);
            flush(p, signal.sharedPending, cont);
            for (Task th : signal.threads()) flush(th, th.pending, cont);
        } else if (sig == Signum.SIGCONT) {
            flush(p, signal.sharedPending, Signum.STOP_MASK);
            boolean stopping = false;
            for (Task th : signal.threads()) {
                flush(th, th.pending, Signum.STOP_MASK);
                if ((th.jobctl & Task.JOBCTL_STOP_PENDING) != 0) stopping = true;
                th.jobctl &= ~Task.JOBCTL_STOP_PENDING;
                if (th.state == TaskState.STOPPED) {
                    resume(th);
                    woken.add(th);
                }
            }
            boolean wasStopped = (signal.flags & SignalStruct.SIGNAL_STOP_STOPPED) != 0;
            if (wasStopped || stopping) {
                setStopFlags(signal, SignalStruct.SIGNAL_STOP_CONTINUED);
                signal.groupExitCode = 0;
                if (wasStopped) notifyParentCldstop(p);
            }
        }
        return !sigIgnored(p, sig);
    }

    /** sig_ignored(): blocked signals are always queued; else the action decides. */
    private boolean sigIgnored(Task t, int sig) {
        if ((t.blocked & Signum.mask(sig)) != 0) return false;
        if (t.ptraced && sig != Signum.SIGKILL) return false;
        return sigTaskIgnored(t, sig);
    }

    /** sig_task_ignored(): init ignores what it has no handler for, SIGKILL and SIGSTOP included. */
    private boolean sigTaskIgnored(Task t, int sig) {
        SighandStruct.Action a = t.sighand.action(sig);
        if (t.groupLeader == k.initTask() && Signum.kernelOnly(sig)) return true;
        if ((t.signal.flags & SignalStruct.SIGNAL_UNKILLABLE) != 0 && a == SighandStruct.Action.DEFAULT) return true;
        return a == SighandStruct.Action.IGNORE || (a == SighandStruct.Action.DEFAULT && Signum.kernelIgnore(sig));
    }

    /** sig_fatal(): the default action of sig ends the process. */
    private static boolean sigFatal(Task p, int sig) {
        return !Signum.kernelIgnore(sig) && !Signum.kernelStop(sig) && p.sighand.action(sig) == SighandStruct.Action.DEFAULT;
    }

    /** wants_signal(): a thread that can take sig now. */
    private boolean wantsSignal(int sig, Task p) {
        if ((p.blocked & Signum.mask(sig)) != 0) return false;
        if (p.hasExited()) return false;
        if (sig == Signum.SIGKILL) return true;
        if (p.state == TaskState.STOPPED || p.state == TaskState.TRACED) return false;
        // task_curr() || !task_sigpending(): the signal just queued does not count.
        long others = (p.pending.signal | p.signal.sharedPending.signal) & ~p.blocked & ~Signum.mask(sig);
        return k.sched.isOnCpu(p) || others == 0;
    }

    /**
     * complete_signal(): picks the thread that takes the signal and wakes it. A fatal signal
     * nobody handles takes the whole group down at once: every thread gets SIGKILL.
     */
    private void completeSignal(int sig, Task p, boolean group) {
        SignalStruct signal = p.signal;
        Task t = null;
        if (wantsSignal(sig, p)) {
            t = p;
        } else if (!group || signal.nrThreads() == 1) {
            return;
        } else {
            for (Task th : signal.threads()) {
                if (wantsSignal(sig, th)) {
                    t = th;
                    break;
                }
            }
            if (t == null) return;
        }
        if (sigFatal(p, sig) && (signal.flags & SignalStruct.SIGNAL_GROUP_EXIT) == 0
                && (sig == Signum.SIGKILL || !p.ptraced) && !Signum.kernelCoredump(sig)) {
            signal.flags = SignalStruct.SIGNAL_GROUP_EXIT | (signal.flags & SignalStruct.SIGNAL_UNKILLABLE);
            signal.groupExitCode = sig;
            List<Task> threads = new ArrayList<>(signal.threads());
            for (Task th : threads) {
                th.jobctl = 0;
                add(th, th.pending, Signum.SIGKILL);
            }
            for (Task th : threads) signalWakeUp(th, true);
            return;
        }
        signalWakeUp(t, sig == Signum.SIGKILL);
    }

    /**
     * signal_wake_up(): an interruptible or running thread runs get_signal now; a fatal signal
     * also reaches stopped and traced threads (TASK_WAKEKILL). D, I and P sleepers stay asleep.
     */
    void signalWakeUp(Task t, boolean fatal) {
        if (t.released || t.hasExited()) return;
        TaskState s = t.state;
        if (s == TaskState.RUNNING || s == TaskState.INTERRUPTIBLE
                || (fatal && (s == TaskState.STOPPED || s == TaskState.TRACED))) {
            getSignal(t);
        }
    }

    /**
     * kill_pgrp(): sig to every process of a process group (host visitors left out); returns
     * how many processes there were.
     */
    int killPgrp(int pgrp, int sig) {
        List<Task> members = new ArrayList<>();
        for (Task p : k.pidNs.leaders()) {
            if (p.signal.pgrp == pgrp && !k.visitors.isVisitor(p)) members.add(p);
        }
        for (Task p : members) sendToGroup(p, sig);
        return members.size();
    }

    // ---- delivery ------------------------------------------------------------------------

    /** get_signal(): what a thread does with its pending signals when it runs. */
    void getSignal(Task t) {
        while (!t.hasExited()) {
            SignalStruct signal = t.signal;
            if ((signal.flags & SignalStruct.SIGNAL_GROUP_EXIT) != 0 || t.pending.has(Signum.SIGKILL)) {
                doGroupExit(t, Signum.SIGKILL);
                return;
            }
            if ((t.jobctl & Task.JOBCTL_TRAP_STOP) != 0 && t.ptraced) {
                t.jobctl &= ~Task.JOBCTL_TRAP_STOP;
                enterStop(t, TaskState.TRACED, "ptrace_stop");
                return;
            }
            if ((t.jobctl & Task.JOBCTL_STOP_PENDING) != 0) {
                doSignalStop(t, 0);
                return;
            }
            int sig = dequeue(t);
            if (sig == 0) return;
            SighandStruct.Action a = t.sighand.action(sig);
            // SIG_IGN drops it; a handler runs and returns, and the thread goes on as it was.
            if (a != SighandStruct.Action.DEFAULT) continue;
            Signum.Default d = Signum.defaultAction(sig);
            if (d == Signum.Default.IGNORE || d == Signum.Default.CONTINUE) continue;
            if ((signal.flags & SignalStruct.SIGNAL_UNKILLABLE) != 0 && !Signum.kernelOnly(sig)) continue;
            if (d == Signum.Default.STOP) {
                // Job-control stops of an orphaned process group are discarded: nobody could continue it.
                if (sig != Signum.SIGSTOP && isPgrpOrphaned(signal.pgrp)) continue;
                doSignalStop(t, sig);
                return;
            }
            doGroupExit(t, d == Signum.Default.COREDUMP ? sig | CORE_DUMPED : sig);
            return;
        }
    }

    /** dequeue_signal(): the thread's own signals first, then the process's. */
    private int dequeue(Task t) {
        int sig = t.pending.next(t.blocked);
        if (sig != 0) {
            flush(t, t.pending, Signum.mask(sig));
            return sig;
        }
        sig = t.signal.sharedPending.next(t.blocked);
        if (sig != 0) flush(t, t.signal.sharedPending, Signum.mask(sig));
        return sig;
    }

    /**
     * do_group_exit(): the first thread to get here sets the group's exit code and sends
     * SIGKILL to the others (zap_other_threads); every thread then exits with that code.
     */
    void doGroupExit(Task t, int code) {
        SignalStruct sig = t.signal;
        if ((sig.flags & SignalStruct.SIGNAL_GROUP_EXIT) != 0) {
            code = sig.groupExitCode;
        } else {
            sig.groupExitCode = code;
            sig.flags = SignalStruct.SIGNAL_GROUP_EXIT | (sig.flags & SignalStruct.SIGNAL_UNKILLABLE);
            List<Task> others = new ArrayList<>(sig.threads());
            for (Task th : others) {
                if (th == t || th.hasExited()) continue;
                th.jobctl = 0;
                add(th, th.pending, Signum.SIGKILL);
            }
            for (Task th : others) if (th != t) signalWakeUp(th, true);
        }
        k.exit.doExit(t, code);
    }

    // ---- job control -----------------------------------------------------------------------

    /**
     * do_signal_stop(): the first thread to take a stop signal starts a group stop (every
     * thread gets JOBCTL_STOP_PENDING); each thread stops as soon as it runs; when the last
     * one has, the group is SIGNAL_STOP_STOPPED and the parent hears of it.
     */
    private void doSignalStop(Task t, int signr) {
        SignalStruct sig = t.signal;
        boolean starting = (t.jobctl & Task.JOBCTL_STOP_PENDING) == 0;
        if (starting) {
            if ((sig.flags & SignalStruct.SIGNAL_GROUP_EXIT) != 0) return;
            if ((sig.flags & SignalStruct.SIGNAL_STOP_STOPPED) == 0) sig.groupExitCode = signr;
            for (Task th : sig.threads()) {
                if (!th.hasExited() && th.state != TaskState.STOPPED && th.state != TaskState.TRACED) {
                    th.jobctl |= Task.JOBCTL_STOP_PENDING;
                }
            }
        }
        t.jobctl &= ~Task.JOBCTL_STOP_PENDING;
        enterStop(t, TaskState.STOPPED, "do_signal_stop");
        if (starting) {
            for (Task th : new ArrayList<>(sig.threads())) {
                if (th != t && (th.jobctl & Task.JOBCTL_STOP_PENDING) != 0) signalWakeUp(th, false);
            }
        }
        completeGroupStop(sig, t);
    }

    /** The group stop is complete when no thread still has one pending. */
    private void completeGroupStop(SignalStruct sig, Task t) {
        if ((sig.flags & SignalStruct.SIGNAL_STOP_STOPPED) != 0) return;
        for (Task th : sig.threads()) {
            if ((th.jobctl & Task.JOBCTL_STOP_PENDING) != 0) return;
        }
        setStopFlags(sig, SignalStruct.SIGNAL_STOP_STOPPED);
        notifyParentCldstop(t);
        k.wait.wakeParent(t.groupLeader);
    }

    private static void setStopFlags(SignalStruct sig, int flags) {
        sig.flags = (sig.flags & ~(SignalStruct.SIGNAL_STOP_STOPPED | SignalStruct.SIGNAL_STOP_CONTINUED)) | flags;
    }

    /** Puts a thread in T or t, remembering where it goes back to. */
    void enterStop(Task t, TaskState state, String wchan) {
        if (t.state != TaskState.STOPPED && t.state != TaskState.TRACED) {
            t.resumeState = t.state;
            t.resumeWchan = t.wchan;
        }
        k.sched.setState(t, state, wchan);
    }

    /** wake_up_state(__TASK_STOPPED or __TASK_TRACED): back to what it was doing. */
    void resume(Task t) {
        TaskState back = t.resumeState == null ? TaskState.INTERRUPTIBLE : t.resumeState;
        k.sched.setState(t, back, back == TaskState.RUNNING ? "" : t.resumeWchan);
        t.resumeState = null;
        k.wait.retry(t); // a wait4() interrupted by the stop looks again (its children may be ready)
    }

    /**
     * do_notify_parent_cldstop(): SIGCHLD to the parent when the group stops or continues,
     * unless the parent ignores SIGCHLD or asked not to hear of stops (SA_NOCLDSTOP).
     */
    private void notifyParentCldstop(Task t) {
        Task parent = t.groupLeader.realParent;
        if (parent == null || parent.released || parent.hasExited()) return;
        SighandStruct ps = parent.sighand;
        if (ps.noCldStop || ps.action(Signum.SIGCHLD) == SighandStruct.Action.IGNORE) return;
        sendToGroup(parent, Signum.SIGCHLD);
    }

    /**
     * will_become_orphaned_pgrp(pgrp, NULL): no member has a parent in another process group
     * of the same session, so no shell could ever continue it.
     */
    boolean isPgrpOrphaned(int pgrp) {
        for (Task p : k.pidNs.leaders()) {
            SignalStruct s = p.signal;
            if (s.pgrp != pgrp) continue;
            if (p.exitState != 0 && s.nrThreads() == 1) continue;
            Task parent = p.realParent;
            if (parent == null || parent.groupLeader == k.initTask()) continue;
            if (parent.signal.pgrp != pgrp && parent.signal.session == s.session) return false;
        }
        return true;
    }

    // ---- the masks ---------------------------------------------------------------------------

    /** sigprocmask(): SIGKILL and SIGSTOP are never blocked; what gets unblocked is delivered. */
    void setBlocked(Task t, long blocked) {
        t.blocked = blocked & ~(Signum.mask(Signum.SIGKILL) | Signum.mask(Signum.SIGSTOP));
        signalWakeUp(t, false);
        // retarget_shared_pending(): a process signal this thread now blocks goes to another one.
        for (Task th : new ArrayList<>(t.signal.threads())) if (th != t) signalWakeUp(th, false);
    }

    /**
     * do_sigaction(): SIGKILL and SIGSTOP keep their default (EINVAL). An action that makes a
     * signal ignored discards it where it is pending, blocked or not (POSIX 3.3.1.3).
     */
    void setAction(Task t, int sig, SighandStruct.Action action) {
        if (!Signum.valid(sig) || Signum.kernelOnly(sig)) {
            throw Errno.EINVAL.error("the action of signal " + sig + " cannot be changed");
        }
        t.sighand.set(sig, action);
        if (action == SighandStruct.Action.IGNORE
                || (action == SighandStruct.Action.DEFAULT && Signum.kernelIgnore(sig))) {
            long m = Signum.mask(sig);
            flush(t, t.signal.sharedPending, m);
            for (Task th : t.signal.threads()) flush(th, th.pending, m);
        }
    }
}
