package ksim.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import ksim.mm.Program;

/**
 * The process system calls as something outside the kernel (the control plane, scenario
 * files, tests) invokes them on a task's behalf: fork/clone/execve/exit/wait4 (kernel/fork.c,
 * fs/exec.c, kernel/exit.c), kill/tgkill/sigprocmask/sigaction (kernel/signal.c), setsid,
 * setpgid, setpriority and prctl (kernel/sys.c), ptrace (kernel/ptrace.c), and the terminal
 * ioctls TIOCSCTTY/TIOCNOTTY/TIOCSPGRP (drivers/tty/tty_jobctrl.c).
 *
 * Every call validates before it changes anything, so a refused call leaves the kernel as it
 * was. The caller holds the kernel lock (Kernel.locked) around each call.
 *
 * Who may act: kernel threads have no user image (EPERM for the user-space calls), visitors
 * are host processes the simulation cannot touch (EPERM), a task that has exited does nothing
 * (ESRCH) and a stopped or traced one nothing until it is continued (EBUSY). A task sleeping
 * in S or D is taken to wake up for the call and go back to its sleep.
 */
public final class Syscalls {
    /** clone() flags (include/uapi/linux/sched.h). */
    public static final int CLONE_VM = 0x00000100;
    public static final int CLONE_FS = 0x00000200;
    public static final int CLONE_FILES = 0x00000400;
    public static final int CLONE_SIGHAND = 0x00000800;
    public static final int CLONE_PARENT = 0x00008000;
    public static final int CLONE_THREAD = 0x00010000;
    /** sigprocmask() how. */
    public static final int SIG_BLOCK = 0;
    public static final int SIG_UNBLOCK = 1;
    public static final int SIG_SETMASK = 2;

    private final Kernel k;

    public Syscalls(Kernel k) {
        this.k = k;
    }

    // ---- finding tasks and checking who may act ------------------------------------------

    /** find_task_by_vpid(): any task with that pid, zombies included; ESRCH if none. */
    public Task task(int pid) {
        Task t = pid > 0 ? k.pidNs.find(pid) : null;
        if (t == null) throw Errno.ESRCH.error("no process " + pid);
        return t;
    }

    private void checkNotVisitor(Task t) {
        if (k.visitors.isVisitor(t.groupLeader)) {
            throw Errno.EPERM.error("task " + t.pid + " is a host process looking at /proc; the simulation cannot touch it");
        }
    }

    /** A user task that is able to make a system call now. */
    private void checkCanAct(Task t) {
        checkNotVisitor(t);
        if (t.isKthread()) throw Errno.EPERM.error("task " + t.pid + " is a kernel thread");
        if (t.hasExited() || !t.isAlive()) throw Errno.ESRCH.error("task " + t.pid + " has exited");
        if (t.state == TaskState.STOPPED || t.state == TaskState.TRACED) {
            throw Errno.EBUSY.error("task " + t.pid + " is stopped; continue it first");
        }
    }

    // ---- fork, clone, exec -------------------------------------------------------------

    /**
     * clone() with the flags the model knows: 0 (fork), CLONE_PARENT (the child is a sibling),
     * and CLONE_VM|CLONE_SIGHAND|CLONE_THREAD (a thread; CLONE_FS and CLONE_FILES may go with
     * any). copy_process()'s rules: CLONE_THREAD needs CLONE_SIGHAND, which needs CLONE_VM.
     * Sharing an address space or handlers between two processes is not modelled (EINVAL).
     * The child starts in the state its creator is in if it runs or sleeps in S, else in S.
     */
    public Task clone(Task current, int flags, String threadComm) {
        int known = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PARENT | CLONE_THREAD;
        if ((flags & ~known) != 0) throw Errno.EINVAL.error("clone flags not modelled: 0x" + Integer.toHexString(flags & ~known));
        if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) throw Errno.EINVAL.error("CLONE_THREAD needs CLONE_SIGHAND");
        if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) throw Errno.EINVAL.error("CLONE_SIGHAND needs CLONE_VM");
        if ((flags & CLONE_VM) != 0 && (flags & CLONE_THREAD) == 0) {
            throw Errno.EINVAL.error("an address space shared by two processes (CLONE_VM without CLONE_THREAD) is not modelled");
        }
        checkCanAct(current);
        if ((flags & CLONE_PARENT) != 0 && (current.groupLeader == k.initTask() || current.realParent == null)) {
            throw Errno.EINVAL.error("init cannot have a sibling (CLONE_PARENT)");
        }
        TaskState state = current.state == TaskState.RUNNING ? TaskState.RUNNING : TaskState.INTERRUPTIBLE;
        String wchan = current.state == TaskState.INTERRUPTIBLE ? current.wchan : "";
        Task child;
        if ((flags & CLONE_THREAD) != 0) {
            child = k.fork.thread(current, threadComm == null ? current.commString() : threadComm);
        } else {
            child = k.fork.process(current, current.flags & (Task.PF_RANDOMIZE));
            if ((flags & CLONE_PARENT) != 0) {
                current.children.remove(child);
                child.realParent = current.realParent;
                child.parent = current.realParent;
                child.exitSignal = current.groupLeader.exitSignal;
                current.realParent.children.add(child);
            }
        }
        k.sched.setState(child, state, state == TaskState.INTERRUPTIBLE && wchan.isEmpty() ? "hrtimer_nanosleep" : wchan);
        return child;
    }

    /** fork(2). */
    public Task fork(Task current) {
        return clone(current, 0, null);
    }

    /** clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD): what pthread_create does. */
    public Task cloneThread(Task current, String comm) {
        return clone(current, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, comm);
    }

    /**
     * posix_spawn() by parent: a new process running program, owned by cred, started the way
     * shells and service managers start programs — every signal action back to SIG_DFL and
     * nothing blocked (POSIX_SPAWN_SETSIGDEF, POSIX_SPAWN_SETSIGMASK). A raw fork() and
     * execve() keep ignored signals and the mask instead.
     */
    public Task spawn(Task parent, Program program, List<String> argv, List<String> envp, Cred cred) {
        checkCanAct(parent);
        Task t = k.spawn(parent, program, argv, envp, cred);
        t.sighand = new SighandStruct();
        t.blocked = 0;
        k.sched.setState(t, TaskState.INTERRUPTIBLE, "hrtimer_nanosleep");
        return t;
    }

    /** execve(): the process gets a new image; its other threads die first (de_thread). */
    public void execve(Task t, Program program, List<String> argv, List<String> envp) {
        checkCanAct(t);
        if (t.groupLeader.hasExited()) throw Errno.ESRCH.error("the leader of process " + t.tgid() + " has exited");
        k.exec.exec(t, program, argv, envp);
    }

    // ---- exit and wait ------------------------------------------------------------------

    /** exit_group(status): the whole process ends with exit code (status & 0xff) << 8. */
    public void exitGroup(Task t, int status) {
        checkCanAct(t);
        checkNotInit(t);
        k.signals.doGroupExit(t, (status & 0xff) << 8);
    }

    /** exit(status) of one thread (pthread_exit): the process lives on while other threads do. */
    public void exitThread(Task t, int status) {
        checkCanAct(t);
        checkNotInit(t);
        k.exit.doExit(t, (status & 0xff) << 8);
    }

    private void checkNotInit(Task t) {
        if (t.groupLeader == k.initTask()) throw Errno.EPERM.error("init may not exit (the kernel would panic)");
    }

    /** wait4(pid or -1, WNOHANG [| WUNTRACED]) by parent: pid 0 in the answer if no child is ready. */
    public WaitStatus wait4(Task parent, int pid, boolean untraced) {
        checkCanAct(parent);
        return k.wait.wait4(parent, pid, untraced);
    }

    /**
     * wait4(pid or -1 [, WUNTRACED]) without WNOHANG by waiter: a ready child is collected at
     * once; otherwise the waiter sleeps in do_wait until one is, then runs (thenWchan null) or
     * sleeps on in thenWchan. pid 0 in the answer means it sleeps.
     */
    public WaitStatus wait4Blocking(Task waiter, int pid, boolean untraced, String thenWchan) {
        checkCanAct(waiter);
        return k.wait.wait4Blocking(waiter, pid, untraced, thenWchan);
    }

    /** The real parent of a zombie reaps it (hold: stop in X before release_task). */
    public WaitStatus reap(Task p, boolean hold) {
        checkNotVisitor(p);
        return k.wait.reap(p.groupLeader, hold);
    }

    // ---- signals ----------------------------------------------------------------------

    private static void checkSignal(int sig) {
        if (sig < 0 || sig > Signum.NSIG) throw Errno.EINVAL.error("signal out of range (0.." + Signum.NSIG + "): " + sig);
    }

    /** kill(pid, sig): to the thread group of t; sig 0 only checks that it exists. */
    public void kill(Task t, int sig) {
        checkSignal(sig);
        checkNotVisitor(t);
        k.signals.sendToGroup(t, sig);
    }

    /** tgkill(tgid, tid, sig): to one thread. */
    public void tgkill(Task t, int sig) {
        checkSignal(sig);
        checkNotVisitor(t);
        k.signals.sendToThread(t, sig);
    }

    /** kill(-pgrp, sig): to every process of a group; ESRCH if the group is empty. */
    public int killPgrp(int pgrp, int sig) {
        checkSignal(sig);
        if (pgrp <= 0) throw Errno.EINVAL.error("process group ids are positive");
        int n = k.signals.killPgrp(pgrp, sig);
        if (n == 0) throw Errno.ESRCH.error("no process group " + pgrp);
        return n;
    }

    /** rt_sigprocmask() of thread t. */
    public void sigprocmask(Task t, int how, long set) {
        checkCanAct(t);
        long blocked = switch (how) {
            case SIG_BLOCK -> t.blocked | set;
            case SIG_UNBLOCK -> t.blocked & ~set;
            case SIG_SETMASK -> set;
            default -> throw Errno.EINVAL.error("sigprocmask how must be SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK");
        };
        k.signals.setBlocked(t, blocked);
    }

    /** rt_sigaction(): the action of sig for t's process; for SIGCHLD also SA_NOCLDSTOP/SA_NOCLDWAIT. */
    public void sigaction(Task t, int sig, SighandStruct.Action action, boolean noCldStop, boolean noCldWait) {
        checkSignal(sig);
        checkCanAct(t);
        if ((noCldStop || noCldWait) && sig != Signum.SIGCHLD) {
            throw Errno.EINVAL.error("SA_NOCLDSTOP and SA_NOCLDWAIT are flags of SIGCHLD");
        }
        k.signals.setAction(t, sig, action);
        if (sig == Signum.SIGCHLD) {
            t.sighand.noCldStop = noCldStop;
            t.sighand.noCldWait = noCldWait;
        }
    }

    // ---- ptrace, prctl ------------------------------------------------------------------

    /** PTRACE_SEIZE + PTRACE_INTERRUPT by tracer: tracee enters a trace stop (t). */
    public void ptraceAttach(Task tracee, Task tracer) {
        checkNotVisitor(tracee);
        checkCanAct(tracer);
        k.ptrace.attach(tracee, tracer);
    }

    /** PTRACE_DETACH. */
    public void ptraceDetach(Task tracee) {
        k.ptrace.detach(tracee);
    }

    /**
     * prctl(PR_SET_CHILD_SUBREAPER): orphans below t are re-parented to t instead of init.
     * Turning it on marks every descendant (has_child_subreaper), as walk_process_tree() does.
     */
    public void setChildSubreaper(Task t, boolean on) {
        checkCanAct(t);
        SignalStruct sig = t.signal;
        sig.isChildSubreaper = on;
        if (!on) return;
        Deque<Task> todo = new ArrayDeque<>(sig.threads());
        while (!todo.isEmpty()) {
            Task p = todo.pop();
            for (Task child : p.children) {
                if (child.signal.hasChildSubreaper) continue;
                child.signal.hasChildSubreaper = true;
                todo.addAll(child.signal.threads());
            }
        }
    }

    // ---- sessions, process groups, terminals ----------------------------------------------

    /** setsid(): EPERM if t leads a process group, or any process group has t's pid as id. */
    public void setsid(Task t) {
        checkCanAct(t);
        int pid = t.tgid();
        for (Task p : k.pidNs.leaders()) {
            if (p.signal.pgrp == pid) throw Errno.EPERM.error("process group " + pid + " exists; setsid would take its id");
        }
        k.setsid(t);
    }

    /**
     * setpgid(pid, pgid): pgid 0 means t's own pid. EPERM for a session leader, or for a group
     * that does not exist in t's session (unless it is t's own pid: a new group).
     */
    public void setpgid(Task t, int pgid) {
        checkCanAct(t);
        if (pgid < 0) throw Errno.EINVAL.error("process group ids are not negative");
        SignalStruct sig = t.signal;
        if (sig.leader) throw Errno.EPERM.error("a session leader cannot change its process group");
        int target = pgid == 0 ? t.tgid() : pgid;
        if (target != t.tgid() && !groupExistsInSession(target, sig.session)) {
            throw Errno.EPERM.error("no process group " + target + " in session " + sig.session);
        }
        k.setpgid(t, target);
    }

    private boolean groupExistsInSession(int pgrp, int session) {
        for (Task p : k.pidNs.leaders()) {
            if (p.signal.pgrp == pgrp && p.signal.session == session) return true;
        }
        return false;
    }

    /**
     * ioctl(TIOCSCTTY): the session leader t takes tty as its controlling terminal, its group in
     * the foreground. EPERM if t leads no session or another session has the terminal.
     */
    public void setControllingTty(Task t, String ttyName) {
        checkCanAct(t);
        Tty tty = k.ttys.lookup(ttyName);
        SignalStruct sig = t.signal;
        if (!sig.leader) throw Errno.EPERM.error("only a session leader can acquire a terminal");
        if (sig.tty != null) throw Errno.EPERM.error("session " + sig.session + " already has " + sig.tty.name());
        for (Task p : k.pidNs.leaders()) {
            if (p.signal.tty == tty && p.signal.session != sig.session) {
                throw Errno.EPERM.error(ttyName + " is the terminal of session " + p.signal.session);
            }
        }
        k.setControllingTty(t, tty);
    }

    /**
     * ioctl(TIOCNOTTY): t gives up its terminal; if it leads the session, the whole session
     * loses it and the foreground group hears it hang up (disassociate_ctty(0)).
     */
    public void dropControllingTty(Task t) {
        checkCanAct(t);
        SignalStruct sig = t.signal;
        if (sig.tty == null) throw Errno.ENOTTY.error("process " + t.tgid() + " has no controlling terminal");
        if (sig.leader) {
            Tty tty = sig.tty;
            int fg = tty.foregroundPgrp();
            k.ttys.disassociate(k, t);
            if (fg > 0 && tty.major() == 136) k.signals.killPgrp(fg, Signum.SIGCONT);
        } else {
            sig.tty = null;
        }
    }

    /** tcsetpgrp(): pgrp becomes the foreground group of t's terminal. */
    public void tcsetpgrp(Task t, int pgrp) {
        checkCanAct(t);
        SignalStruct sig = t.signal;
        if (sig.tty == null) throw Errno.ENOTTY.error("process " + t.tgid() + " has no controlling terminal");
        if (pgrp <= 0) throw Errno.EINVAL.error("process group ids are positive");
        if (!groupExistsInSession(pgrp, sig.session)) throw Errno.EPERM.error("no process group " + pgrp + " in session " + sig.session);
        sig.tty.setForegroundPgrp(pgrp);
    }

    // ---- scheduling ---------------------------------------------------------------------

    /** setpriority(PRIO_PROCESS, tid, nice): one thread; values beyond -20..19 are clamped, as Linux does. */
    public void setNice(Task t, int nice) {
        checkNotVisitor(t);
        if (!t.isAlive()) throw Errno.ESRCH.error("task " + t.pid + " is gone");
        k.setNice(t, Math.max(-20, Math.min(19, nice)));
    }

    /** What the task does next on its own: run, sleep in S or D, idle (kernel threads). */
    public void setState(Task t, TaskState state, String wchan) {
        checkNotVisitor(t);
        k.setState(t, state, wchan);
    }

    /** The pids of a process's threads, leader first. */
    public static List<Integer> tids(Task t) {
        List<Integer> out = new ArrayList<>();
        for (Task th : t.signal.threads()) out.add(th.pid);
        return out;
    }
}
