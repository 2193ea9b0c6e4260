package ksim.kernel;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import ksim.mm.MmStruct;
import ksim.mm.Program;
import ksim.mm.VmStat;

/**
 * The simulated kernel: wires the subsystems together and offers the operations the rest of
 * the system (boot, procfs writes, the control plane) performs on it. All state is changed
 * and read under one kernel lock; views take it only while they render.
 */
public final class Kernel {
    /** Longest kernel-thread name /proc shows (the 64-byte buffer of proc_task_name()). */
    private static final int KTHREAD_NAME_MAX = 63;
    private final ReentrantLock lock = new ReentrantLock();
    final KernelConfig config;
    final Clock clock;
    final PidNamespace pidNs;
    final Scheduler sched;
    final VmStat vmstat;
    final Fork fork;
    final Exec exec;
    final Exit exit;
    final Visitors visitors;
    /** SLUB and the slab objects of tasks and mms (mm/slub.c; kernel/fork.c's caches). */
    final KernelObjects kobjs;
    private final SlabOps slabOps;
    /** Process lifecycle beyond fork/exec/exit: signals, wait, ptrace, terminals. */
    final Signal signals;
    final Wait wait;
    final Ptrace ptrace;
    final Ttys ttys = new Ttys();
    final MmSyscalls mmSyscalls;
    final ksim.fs.FileSystems filesystems = new ksim.fs.FileSystems();
    /** The mount namespace of every task (fs/namespace.c). */
    final ksim.fs.MntNamespace mounts;
    private Utsname utsname;
    /** total_forks: the "processes" line of /proc/stat. */
    long totalForks;
    private Task initTask;
    private final java.util.List<TaskObserver> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Task kthreadd;

    private Kernel(KernelConfig config, long bootEpochNanos) {
        this.config = config;
        this.clock = new Clock(config.clockMode(), bootEpochNanos);
        this.pidNs = new PidNamespace(config.pidMax());
        this.sched = new Scheduler(config.cpus(), config.seed());
        this.vmstat = new VmStat(config.memoryKb(), config.cpus());
        this.kobjs = KernelObjects.boot(config, vmstat);
        this.slabOps = new SlabOps(this);
        this.fork = new Fork(this);
        this.exec = new Exec(this);
        this.exit = new Exit(this);
        this.visitors = new Visitors(this);
        this.signals = new Signal(this);
        this.wait = new Wait(this);
        this.ptrace = new Ptrace(this);
        this.mmSyscalls = new MmSyscalls(this);
        this.mounts = new ksim.fs.MntNamespace(this);
        ksim.fs.ext2.Ext2Init.init(this);
        this.utsname = new Utsname("Linux", config.hostname(), config.release(),
                "#1 SMP PREEMPT_DYNAMIC ksim (2026-11-01)", "x86_64", "(none)");
    }

    /**
     * start_kernel() to a running userland: the boot-time page cache and slab, init and
     * kthreadd with the kernel threads, then (if configured) the demo userland. Booting takes
     * BOOT_SECONDS of simulated time, ticked through the scheduler like any other time.
     */
    public static Kernel boot(KernelConfig config) {
        long epochNs = config.bootEpochMs() >= 0
                ? config.bootEpochMs() * 1_000_000L
                : System.currentTimeMillis() * 1_000_000L - Boot.BOOT_SECONDS * Param.NSEC_PER_SEC;
        Kernel k = new Kernel(config, epochNs);
        k.locked(() -> Boot.run(k));
        return k;
    }

    // ---- locking ------------------------------------------------------------------------

    public <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    public void locked(Runnable body) {
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }

    // ---- subsystems ---------------------------------------------------------------------

    public KernelConfig config() { return config; }
    public Clock clock() { return clock; }
    public PidNamespace pids() { return pidNs; }
    public Scheduler scheduler() { return sched; }
    public VmStat vmstat() { return vmstat; }
    public Visitors visitors() { return visitors; }
    public ksim.mm.slub.Slub slub() { return kobjs.slub; }
    public SlabOps slabOps() { return slabOps; }
    public MmSyscalls mmSyscalls() { return mmSyscalls; }
    public ksim.fs.FileSystems filesystems() { return filesystems; }
    public ksim.fs.MntNamespace mounts() { return mounts; }
    public Utsname utsname() { return utsname; }
    public long totalForks() { return totalForks; }
    public Task initTask() { return initTask; }
    public Task kthreadd() { return kthreadd; }
    public Ttys ttys() { return ttys; }
    /** max_threads (/proc/sys/kernel/threads-max). */
    public int maxThreads() { return fork.maxThreads; }
    public void setMaxThreads(long n) { fork.setMaxThreads(n); }
    /** RLIMIT_SIGPENDING, the second number of SigQ. */
    public long sigpendingLimit() { return fork.sigpendingLimit; }
    /** Signals queued to the tasks of t's real uid, the first number of SigQ. */
    public int sigQueued(Task t) { return signals.queued(t.cred().uid()); }

    /** True while another thread waits for the kernel lock: a long batch should let it in. */
    public boolean lockContended() {
        return lock.hasQueuedThreads();
    }

    /** sethostname(2) / writes to /proc/sys/kernel/hostname. */
    public void setHostname(String name) {
        if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Utsname.NEW_UTS_LEN) {
            throw Errno.EINVAL.error("hostname must be 1.." + Utsname.NEW_UTS_LEN + " bytes");
        }
        utsname = utsname.withNodename(name);
    }

    public void addObserver(TaskObserver o) {
        observers.add(o);
    }

    void notifyReleased(Task t) {
        for (TaskObserver o : observers) o.released(t);
    }

    // ---- time ---------------------------------------------------------------------------

    /** Advances the clock by n jiffies, running the scheduler tick for each. */
    public void tick(long n) {
        if (n < 0) throw Errno.EINVAL.error("cannot tick backwards");
        for (long i = 0; i < n; i++) {
            clock.advance();
            sched.tick(clock.jiffies());
        }
    }

    // ---- tasks --------------------------------------------------------------------------

    void setInitTasks(Task init, Task kthreadd) {
        this.initTask = init;
        this.kthreadd = kthreadd;
        // SIGNAL_UNKILLABLE: init gets only the signals it has handlers for.
        init.signal.flags |= SignalStruct.SIGNAL_UNKILLABLE;
    }

    /** The very first tasks, which have no parent: init (pid 1) and kthreadd (pid 2). */
    Task rootTask(String comm, int flags) {
        Task t = fork.process(null, flags);
        t.setComm(comm);
        t.exitSignal = 0;
        // kthreadd ignores every signal (ignore_signals()), and so does every kernel thread it forks.
        if ((flags & Task.PF_KTHREAD) != 0) t.sighand.ignoreAll();
        return t;
    }

    /** kthread_create(): a kernel thread, child of kthreadd, without an mm. */
    public Task kernelThread(String name, int extraFlags, int nice, TaskState state, String wchan) {
        Task t = fork.process(kthreadd, Task.PF_KTHREAD | Task.PF_NOFREEZE | extraFlags);
        t.setComm(name);
        if (name.length() >= Param.TASK_COMM_LEN) t.fullName = name.substring(0, Math.min(name.length(), KTHREAD_NAME_MAX));
        t.staticPrio = Task.MAX_RT_PRIO + 20 + nice;
        sched.setState(t, state, wchan);
        return t;
    }

    /** posix_spawn(): vfork then execve, a new process running a program, owned by cred. */
    public Task spawn(Task parent, Program program, List<String> argv, List<String> envp, Cred cred) {
        Task t = fork.process(parent, Task.PF_RANDOMIZE, true);
        t.cred = cred;
        try {
            exec.exec(t, program, argv, envp);
        } catch (RuntimeException e) {
            exit.exitAndRelease(t, 127); // the child _exit(127)s and posix_spawn reaps it
            throw e;
        }
        return t;
    }

    /** execve() in an existing process. */
    public void execve(Task t, Program program, List<String> argv, List<String> envp) {
        exec.exec(t, program, argv, envp);
    }

    /** clone() of a thread into the group of leader. */
    public Task cloneThread(Task leader, String comm) {
        return fork.thread(leader, comm);
    }

    /**
     * Ends a process at once, all its threads whatever they are doing, and has its parent reap
     * it: exit_group(status) then wait4(). Its exit code is (status & 0xff) << 8.
     */
    public void exitAndRelease(Task leader, int status) {
        exit.exitAndRelease(leader.groupLeader(), status);
    }

    /** prctl(PR_SET_NAME) / writes to /proc/<pid>/comm: at most 15 bytes are kept. */
    public void setComm(Task t, byte[] name) {
        t.setComm(name);
    }

    /** setproctitle(): the process rewrites its own argument area. */
    public void setCmdline(Task t, List<String> args) {
        if (t.mm == null) throw Errno.EINVAL.error("a kernel thread has no command line");
        t.mm.setArgs(Exec.vector(args));
    }

    /**
     * What a task does on its own: runs (R), sleeps interruptibly (S) or not (D) in wchan, or,
     * for a kernel thread, idles (I) or parks (P). R joins a run queue, anything else leaves it.
     * Stops, traces and deaths come from signals, ptrace and exit instead (EINVAL); a stopped or
     * traced task cannot do anything until it is continued (EBUSY), an exited one ever (ESRCH).
     * A task that wakes takes its pending signals, and may stop or die of them.
     */
    public void setState(Task t, TaskState state, String wchan) {
        switch (state) {
            case DEAD, ZOMBIE -> throw Errno.EINVAL.error("tasks die through exit, not by a state change");
            case STOPPED, TRACED -> throw Errno.EINVAL.error("tasks stop through signals or ptrace, not by a state change");
            case IDLE, PARKED -> {
                if (!t.isKthread()) throw Errno.EINVAL.error("only kernel threads idle (I) or park (P)");
            }
            default -> { }
        }
        if (t.hasExited() || !t.isAlive()) throw Errno.ESRCH.error("task " + t.pid() + " has exited");
        if (t.state == TaskState.STOPPED || t.state == TaskState.TRACED) {
            throw Errno.EBUSY.error("task " + t.pid() + " is stopped; it must be continued first");
        }
        t.waiting = null; // told to do something else, it no longer sleeps in wait4()
        sched.setState(t, state, wchan);
        if (state == TaskState.RUNNING || state == TaskState.INTERRUPTIBLE) signals.getSignal(t);
    }

    /** setpriority(PRIO_PROCESS): nice -20..19 for a normal task. */
    public void setNice(Task t, int nice) {
        if (nice < -20 || nice > 19) throw Errno.EINVAL.error("nice must be -20..19");
        t.staticPrio = Task.MAX_RT_PRIO + 20 + nice;
        sched.reweight(t);
    }

    /** sched_setscheduler() to a real-time policy with a priority of 1..99. */
    public void setRealtime(Task t, int policy, int rtPriority) {
        if ((policy != Task.SCHED_FIFO && policy != Task.SCHED_RR) || rtPriority < 1 || rtPriority > 99) {
            throw Errno.EINVAL.error("real-time policy needs FIFO or RR and a priority of 1..99");
        }
        sched.changePolicy(t, () -> {
            t.policy = policy;
            t.rtPriority = rtPriority;
        });
    }

    /** How much of its CPU time a task spends in user mode, in percent. */
    public void setUserPercent(Task t, int percent) {
        if (percent < 0 || percent > 100) throw Errno.EINVAL.error("percent must be 0..100");
        t.userPercent = percent;
    }

    public void setCwd(Task t, String cwd) {
        t.cwd = cwd;
    }

    /** setsid(): the caller leads a new session and process group, without a tty. */
    public void setsid(Task t) {
        Task leader = t.groupLeader();
        SignalStruct sig = leader.signal;
        if (sig.pgrp == leader.pid) throw Errno.EPERM.error("a process group leader cannot setsid");
        sig.session = leader.pid;
        sig.pgrp = leader.pid;
        sig.leader = true;
        sig.tty = null;
    }

    /** setpgid(pid, pgid): moves a process into a process group of its session. */
    public void setpgid(Task t, int pgid) {
        SignalStruct sig = t.groupLeader().signal;
        if (sig.leader) throw Errno.EPERM.error("a session leader cannot change its process group");
        sig.pgrp = pgid == 0 ? t.tgid() : pgid;
    }

    /** TIOCSCTTY: a session leader acquires a controlling tty, its group in the foreground. */
    public void setControllingTty(Task t, Tty tty) {
        SignalStruct sig = t.groupLeader().signal;
        if (!sig.leader) throw Errno.EPERM.error("only a session leader can acquire a tty");
        sig.tty = tty;
        tty.setForegroundPgrp(sig.pgrp);
    }

    /** Propagates a session's tty to a process forked before it was acquired. */
    public void inheritTty(Task t, Tty tty) {
        t.groupLeader().signal.tty = tty;
    }

    /** Takes (ENOMEM: nothing taken) or gives back an mm's pages and its counters. */
    void accountMm(MmStruct mm, int sign) {
        if (sign > 0) vmstat.mmPages().charge(mm);
        else vmstat.mmPages().uncharge(mm);
        // Its file pages are page-cache pages, mapped: only the count of mappings moves.
        vmstat.add(VmStat.Item.NR_FILE_MAPPED, sign * mm.rssFile());
        vmstat.addCommitted(sign * (mm.dataVm() + mm.stackVm()));
        kobjs.mm(mm, sign);
        // mlocked pages: MmPages put them on the unevictable list; Mlocked counts them too.
        vmstat.add(VmStat.Item.NR_MLOCK, sign * mm.lockedRss());
        mmSyscalls.rmap().account(mm, sign);
    }
}
