package ksim.kernel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import ksim.mm.MmStruct;

/**
 * struct task_struct (include/linux/sched.h): one schedulable thread. A process is the
 * thread group that shares a SignalStruct; its leader's pid is the tgid.
 * Fields are mutated only by kernel code under the kernel lock; views read them.
 */
public final class Task {
    /** PF_* flags (include/linux/sched.h). */
    public static final int PF_IDLE = 0x00000002;
    public static final int PF_EXITING = 0x00000004;
    public static final int PF_POSTCOREDUMP = 0x00000008;
    public static final int PF_WQ_WORKER = 0x00000020;
    public static final int PF_FORKNOEXEC = 0x00000040;
    public static final int PF_SUPERPRIV = 0x00000100;
    public static final int PF_NOFREEZE = 0x00008000;
    public static final int PF_KTHREAD = 0x00200000;
    public static final int PF_RANDOMIZE = 0x00400000;

    /** SCHED_* policies (include/uapi/linux/sched.h). */
    public static final int SCHED_NORMAL = 0;
    public static final int SCHED_FIFO = 1;
    public static final int SCHED_RR = 2;
    public static final int SCHED_BATCH = 3;
    public static final int SCHED_IDLE = 5;

    /** task->exit_state values (include/linux/sched.h). */
    public static final int EXIT_DEAD = 0x0010;
    public static final int EXIT_ZOMBIE = 0x0020;

    /** MAX_RT_PRIO: static_prio = MAX_RT_PRIO + 20 + nice. */
    public static final int MAX_RT_PRIO = 100;
    public static final int SIGCHLD = 17;

    final int pid;
    final Task groupLeader;
    final SignalStruct signal;
    byte[] comm;
    /** kthread->full_name: a kernel thread's whole name, which /proc shows untruncated. */
    String fullName;
    TaskState state;
    int flags;
    Cred cred;
    int staticPrio = MAX_RT_PRIO + 20;
    int policy = SCHED_NORMAL;
    int rtPriority;
    /** exit_signal: SIGCHLD for a process, -1 for a non-leader thread, 0 for kthreadd's kin. */
    int exitSignal;
    int exitCode;
    Task realParent;
    Task parent;
    final List<Task> children = new ArrayList<>();
    MmStruct mm;
    /** task->stack: the folio of its kernel stack. */
    long stack = -1;
    /** fs_struct reduced to its two paths. */
    String cwd = "/";
    String root = "/";
    /** Accumulated CPU time in ns (task->utime, task->stime). */
    long utime;
    long stime;
    /** start_time and start_boottime in ns since boot. */
    final long startTime;
    /** Last CPU this task ran on (task_cpu()). */
    int cpu;
    long nvcsw;
    long nivcsw;
    /** task->se and task->sched_info: the scheduler's view of this task. */
    final SchedEntity se = new SchedEntity(this);
    long minFlt;
    long majFlt;
    /** The kernel function a sleeping task waits in, as /proc/<pid>/wchan prints it. */
    String wchan = "";
    /** Share of ticks this task spends in user mode, in percent (its workload's shape). */
    int userPercent = 90;
    /** umask of its fs_struct. */
    int umask = 0022;

    // ---- signals, job control, ptrace and exit (kernel/signal.c, ptrace.c, exit.c) ----
    /** task->sighand: the signal actions, shared by the threads of a process. */
    SighandStruct sighand;
    /** task->blocked: the signal mask of this thread. */
    long blocked;
    /** task->pending: signals sent to this thread alone. */
    final SigPending pending = new SigPending();
    /** task->jobctl: a group stop or a ptrace trap this thread has still to take. */
    int jobctl;
    static final int JOBCTL_STOP_PENDING = 1 << 17;
    static final int JOBCTL_TRAP_STOP = 1 << 19;
    /** task->exit_state: 0 while it runs, EXIT_ZOMBIE after do_exit, EXIT_DEAD when being reaped. */
    int exitState;
    /** release_task() has run: the pid is free and /proc no longer shows it. */
    boolean released;
    /** Where a stopped or traced task goes back to: its state and wchan when the stop came. */
    TaskState resumeState;
    String resumeWchan = "";
    /** A wait4() without WNOHANG this thread sleeps in (do_wait); null when it waits for nothing. */
    Wait.Blocked waiting;
    /** What this thread's last blocking wait4() collected, once a child woke it. */
    WaitStatus lastWait;
    /** task->ptrace != 0: it is traced, and task->parent is the tracer. */
    boolean ptraced;
    /** task->ptraced: the tasks this one traces; null until it traces one. */
    List<Task> ptracees;

    Task(int pid, Task groupLeader, SignalStruct signal, long startTime) {
        this.pid = pid;
        this.groupLeader = groupLeader == null ? this : groupLeader;
        this.signal = signal;
        this.startTime = startTime;
    }

    public int pid() { return pid; }
    /** The thread group id: the leader's pid. */
    public int tgid() { return groupLeader.pid; }
    public Task groupLeader() { return groupLeader; }
    public boolean isGroupLeader() { return groupLeader == this; }
    public SignalStruct signal() { return signal; }
    public TaskState state() { return state; }
    public int flags() { return flags; }
    public boolean isKthread() { return (flags & PF_KTHREAD) != 0; }
    public Cred cred() { return cred; }
    public int staticPrio() { return staticPrio; }
    /** task_nice(). */
    public int nice() { return staticPrio - MAX_RT_PRIO - 20; }
    /** The kernel's task->prio: static priority for normal tasks, 99 - rt_priority for RT. */
    public int prio() { return policy == SCHED_FIFO || policy == SCHED_RR ? MAX_RT_PRIO - 1 - rtPriority : staticPrio; }
    public int policy() { return policy; }
    public int rtPriority() { return rtPriority; }
    public int exitSignal() { return exitSignal; }
    public int exitCode() { return exitCode; }
    public Task realParent() { return realParent; }
    public Task parent() { return parent; }
    public List<Task> children() { return Collections.unmodifiableList(children); }
    public MmStruct mm() { return mm; }
    public String cwd() { return cwd; }
    public String root() { return root; }
    public long utime() { return utime; }
    public long stime() { return stime; }
    public long startTime() { return startTime; }
    public int cpu() { return cpu; }
    public long nvcsw() { return nvcsw; }
    public long nivcsw() { return nivcsw; }
    public SchedEntity se() { return se; }
    public long minFlt() { return minFlt; }
    public long majFlt() { return majFlt; }
    public String wchan() { return wchan; }
    /** The answer of the last blocking wait4() this thread finished, or null. */
    public WaitStatus lastWait() { return lastWait; }
    /** Whether this thread sleeps in a wait4() for a child. */
    public boolean inWait() { return waiting != null; }
    public int umask() { return umask; }
    /**
     * Not yet released: the task still owns its pid and /proc shows it. Zombies (and tasks
     * caught in X while being reaped) count as alive in this sense; see hasExited().
     */
    public boolean isAlive() { return !released; }
    /** It has run do_exit() (PF_EXITING): a zombie, or a thread on its way out. */
    public boolean hasExited() { return (flags & PF_EXITING) != 0; }
    public int exitState() { return exitState; }
    public boolean isZombie() { return exitState == EXIT_ZOMBIE; }
    public SighandStruct sighand() { return sighand; }
    public long blocked() { return blocked; }
    public SigPending pending() { return pending; }
    /** ptrace_parent(): the tracer, or null. */
    public Task tracer() { return ptraced ? parent : null; }

    /** The comm bytes (at most 15), raw: they may hold spaces, parentheses or any byte. */
    public byte[] comm() { return comm.clone(); }

    public String commString() { return new String(comm, StandardCharsets.ISO_8859_1); }

    /**
     * The name /proc shows (proc_task_name()): a kernel thread's full name, up to 64 bytes,
     * else comm.
     */
    public byte[] procName() {
        return isKthread() && fullName != null ? fullName.getBytes(StandardCharsets.UTF_8) : comm();
    }

    /** __set_task_comm(): keeps at most TASK_COMM_LEN - 1 bytes. */
    void setComm(byte[] name) {
        fullName = null;
        int n = 0;
        while (n < name.length && n < Param.TASK_COMM_LEN - 1 && name[n] != 0) n++;
        this.comm = Arrays.copyOf(name, n);
    }

    void setComm(String name) {
        setComm(name.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Task[" + pid + " " + commString() + " " + state + "]";
    }
}
