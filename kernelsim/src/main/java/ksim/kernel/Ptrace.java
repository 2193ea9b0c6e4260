package ksim.kernel;

import java.util.ArrayList;

/**
 * ptrace attach and detach (kernel/ptrace.c): a traced task's parent is its tracer, whose pid
 * /proc/<pid>/status shows as TracerPid; PTRACE_INTERRUPT (or the SIGSTOP of PTRACE_ATTACH)
 * puts it in a trace stop, "t" (tracing stop) in ptrace_stop. Only the tracer (a detach here)
 * lets it go again; SIGKILL still kills it. When the tracer exits its tracees are detached.
 */
final class Ptrace {
    private final Kernel k;

    Ptrace(Kernel k) {
        this.k = k;
    }

    /** ptrace_attach() and a trap into the trace stop, as PTRACE_SEIZE + PTRACE_INTERRUPT do. */
    void attach(Task tracee, Task tracer) {
        if (tracee.isKthread()) throw Errno.EPERM.error("kernel threads cannot be traced");
        if (tracee.groupLeader == k.initTask()) throw Errno.EPERM.error("init cannot be traced");
        if (tracee.signal == tracer.signal) throw Errno.EPERM.error("a thread cannot trace its own process");
        if (tracee.ptraced) throw Errno.EPERM.error("task " + tracee.pid + " is already traced");
        if (tracee.hasExited()) throw Errno.EPERM.error("task " + tracee.pid + " is exiting");
        if (tracer.hasExited()) throw Errno.ESRCH.error("tracer " + tracer.pid + " has exited");
        tracee.ptraced = true;
        tracee.parent = tracer;
        if (tracer.ptracees == null) tracer.ptracees = new ArrayList<>(2);
        tracer.ptracees.add(tracee);
        tracee.jobctl |= Task.JOBCTL_TRAP_STOP;
        TaskState s = tracee.state;
        if (s == TaskState.RUNNING || s == TaskState.INTERRUPTIBLE || s == TaskState.STOPPED) {
            tracee.jobctl &= ~Task.JOBCTL_TRAP_STOP;
            k.signals.enterStop(tracee, TaskState.TRACED, "ptrace_stop");
        }
        // A task in D takes the trap when it wakes (get_signal).
    }

    /** PTRACE_DETACH: back to the real parent; a traced stop ends (in T if its group is stopped). */
    void detach(Task tracee) {
        if (!tracee.ptraced) throw Errno.ESRCH.error("task " + tracee.pid + " is not traced");
        unlink(tracee);
        if (tracee.state == TaskState.TRACED) {
            if ((tracee.signal.flags & SignalStruct.SIGNAL_STOP_STOPPED) != 0) {
                k.sched.setState(tracee, TaskState.STOPPED, "do_signal_stop");
            } else {
                k.signals.resume(tracee);
                k.signals.signalWakeUp(tracee, false);
            }
        }
    }

    /** __ptrace_unlink(). */
    private void unlink(Task tracee) {
        Task tracer = tracee.parent;
        if (tracer != null && tracer.ptracees != null) tracer.ptracees.remove(tracee);
        tracee.ptraced = false;
        tracee.parent = tracee.realParent;
        tracee.jobctl &= ~Task.JOBCTL_TRAP_STOP;
    }

    /** exit_ptrace() and the tracee's side of it: nobody stays traced by, or traces for, a dying task. */
    void exitPtrace(Task t) {
        if (t.ptraced) unlink(t);
        if (t.ptracees == null) return;
        for (Task tracee : new ArrayList<>(t.ptracees)) detach(tracee);
        t.ptracees = null;
    }
}
