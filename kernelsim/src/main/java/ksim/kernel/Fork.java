package ksim.kernel;

import ksim.mm.MmStruct;
import ksim.mm.VmStat;

/**
 * Task creation (kernel/fork.c copy_process): a new pid, a new thread group or a place in the
 * caller's, the parent links, inherited credentials, session, process group and tty, and
 * the kernel memory every task costs (its kernel stack and its task_struct and friends).
 */
final class Fork {
    /** Slab a process's task_struct, signal/sighand, files, fs, cred and mm_struct take (KiB). */
    static final int PROCESS_SLAB_KB = 20;
    /** Slab a further thread (task_struct, cred) takes (KiB). */
    static final int THREAD_SLAB_KB = 12;

    /** MIN_THREADS and MAX_THREADS (FUTEX_TID_MASK) of kernel/fork.c. */
    static final int MIN_THREADS = 20;
    static final int MAX_THREADS = 0x3fffffff;

    private final Kernel k;
    /** max_threads: /proc/sys/kernel/threads-max; fork fails with EAGAIN at this many tasks. */
    int maxThreads;
    /** RLIMIT_SIGPENDING of init, hence of everyone: max_threads / 2 as fork_init() found it. */
    final long sigpendingLimit;

    Fork(Kernel k) {
        this.k = k;
        this.maxThreads = defaultMaxThreads(k.vmstat.totalRamPages());
        this.sigpendingLimit = maxThreads / 2;
    }

    /** set_max_threads(): the number of THREAD_SIZE stacks that fit in an eighth of memory. */
    static int defaultMaxThreads(long totalRamPages) {
        long threads = totalRamPages * Param.PAGE_SIZE / (8L * Param.THREAD_SIZE);
        return (int) Math.max(MIN_THREADS, Math.min(threads, MAX_THREADS));
    }

    /** sysctl_max_threads(): 1..MAX_THREADS. */
    void setMaxThreads(long n) {
        if (n < 1 || n > MAX_THREADS) throw Errno.EINVAL.error("threads-max must be 1.." + MAX_THREADS);
        maxThreads = (int) n;
    }

    /** copy_process()'s first check: EAGAIN once nr_threads reaches max_threads. */
    private void checkThreadsMax() {
        if (k.pidNs.nrThreads() >= maxThreads) {
            throw Errno.EAGAIN.error("threads-max (" + maxThreads + ") tasks exist already");
        }
    }

    /** fork(): a new single-threaded process, a copy of the parent (mm shared until exec). */
    Task process(Task parent, int flags) {
        checkThreadsMax();
        SignalStruct sig = parent == null
                ? new SignalStruct(0, 0, null)
                : new SignalStruct(parent.signal.session, parent.signal.pgrp, parent.signal.tty);
        Task t = new Task(k.pidNs.alloc(), null, sig, k.clock.boottimeNs());
        t.flags = flags | Task.PF_FORKNOEXEC;
        t.exitSignal = Task.SIGCHLD;
        if (parent != null) {
            t.cred = parent.cred;
            t.staticPrio = parent.staticPrio;
            t.policy = parent.policy;
            t.rtPriority = parent.rtPriority;
            t.cwd = parent.cwd;
            t.root = parent.root;
            t.umask = parent.umask;
            t.userPercent = parent.userPercent;
            t.mm = parent.mm;
            t.comm = parent.comm();
            // Signals: the actions are copied, the mask inherited, nothing pending (copy_sighand).
            t.sighand = parent.sighand.copy();
            t.blocked = parent.blocked;
            sig.hasChildSubreaper = parent.signal.hasChildSubreaper || parent.signal.isChildSubreaper;
            link(parent, t);
        } else {
            t.cred = Cred.ROOT;
            t.comm = new byte[0];
            t.sighand = new SighandStruct();
        }
        sig.addThread(t);
        chargeKernelMemory(PROCESS_SLAB_KB);
        k.pidNs.attach(t);
        k.totalForks++;
        t.state = TaskState.INTERRUPTIBLE;
        if (t.mm != null) t.mm = copyMm(t.mm);
        return t;
    }

    /** clone(CLONE_VM|CLONE_THREAD|CLONE_SIGHAND...): a new thread in the caller's group. */
    Task thread(Task leader, String comm) {
        checkThreadsMax();
        Task creator = leader;
        if (!leader.isGroupLeader()) leader = leader.groupLeader;
        Task t = new Task(k.pidNs.alloc(), leader, leader.signal, k.clock.boottimeNs());
        t.flags = leader.flags & ~Task.PF_FORKNOEXEC;
        t.exitSignal = -1;
        t.cred = leader.cred;
        t.staticPrio = leader.staticPrio;
        t.policy = leader.policy;
        t.cwd = leader.cwd;
        t.root = leader.root;
        t.umask = leader.umask;
        t.userPercent = leader.userPercent;
        t.mm = leader.mm;
        t.realParent = leader.realParent;
        t.parent = leader.realParent;
        // CLONE_SIGHAND: one set of actions for the group; the new thread starts with its creator's mask.
        t.sighand = leader.sighand;
        t.blocked = creator.blocked;
        t.setComm(comm);
        leader.signal.addThread(t);
        chargeKernelMemory(THREAD_SLAB_KB);
        k.pidNs.attach(t);
        k.totalForks++;
        t.state = TaskState.INTERRUPTIBLE;
        return t;
    }

    private static void link(Task parent, Task child) {
        child.realParent = parent;
        child.parent = parent;
        parent.children.add(child);
    }

    /** dup_mm(): the child gets its own copy of the counters (pages are shared copy-on-write). */
    private MmStruct copyMm(MmStruct mm) {
        MmStruct copy = mm.duplicate();
        k.accountMm(copy, +1);
        return copy;
    }

    private void chargeKernelMemory(int slabKb) {
        k.vmstat.add(VmStat.Item.NR_KERNEL_STACK_KB, Param.THREAD_SIZE / 1024);
        k.vmstat.add(VmStat.Item.NR_SLAB_UNRECLAIMABLE, slabKb / 4);
    }

    /**
     * The first half of undoing chargeKernelMemory: the kernel stack, which a task gives back
     * when it is dead and schedules for the last time (put_task_stack), zombie or not.
     */
    void freeTaskStack(Task t) {
        k.vmstat.add(VmStat.Item.NR_KERNEL_STACK_KB, -(Param.THREAD_SIZE / 1024));
    }

    /** The second half: the task_struct and friends, freed when the task is released (free_task). */
    void freeTaskStruct(Task t) {
        k.vmstat.add(VmStat.Item.NR_SLAB_UNRECLAIMABLE, -(t.isGroupLeader() ? PROCESS_SLAB_KB : THREAD_SLAB_KB) / 4);
    }
}
