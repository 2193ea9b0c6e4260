package ksim.kernel;

import ksim.mm.MmStruct;
import ksim.mm.PageUse;

/**
 * Task creation (kernel/fork.c copy_process): a new pid, a new thread group or a place in the
 * caller's, the parent links, inherited credentials, session, process group and tty, and
 * the kernel memory every task costs (its kernel stack and its task_struct and friends).
 */
final class Fork {
    /** THREAD_SIZE_ORDER: a kernel stack is 2^2 contiguous pages (no CONFIG_VMAP_STACK). */
    static final int THREAD_SIZE_ORDER = 2;

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
        return process(parent, flags, false);
    }

    /**
     * fork(), or with vfork the clone(CLONE_VM | CLONE_VFORK) of posix_spawn(): the child
     * borrows the parent's mm until it execs, so nothing of the mm is copied or charged.
     */
    Task process(Task parent, int flags, boolean vfork) {
        checkThreadsMax();
        // dup_task_struct() and copy_mm() take their memory before alloc_pid(): a failure
        // (ENOMEM, or EAGAIN for pids) leaves nothing behind.
        long stack = chargeKernelMemory();
        MmStruct mm = null;
        int pid;
        try {
            if (parent != null && parent.mm != null && !vfork) mm = copyMm(parent.mm);
            pid = k.pidNs.alloc();
        } catch (RuntimeException e) {
            if (mm != null) k.accountMm(mm, -1);
            k.vmstat.folios().free(PageUse.KERNEL_STACK, stack);
            throw e;
        }
        SignalStruct sig = parent == null
                ? new SignalStruct(0, 0, null)
                : new SignalStruct(parent.signal.session, parent.signal.pgrp, parent.signal.tty);
        Task t = new Task(pid, null, sig, k.clock.boottimeNs());
        t.stack = stack;
        t.flags = flags | Task.PF_FORKNOEXEC;
        chargeObjects(t, parent, stack, mm);
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
            t.mm = mm;
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
        k.pidNs.attach(t);
        k.totalForks++;
        t.state = TaskState.INTERRUPTIBLE;
        return t;
    }

    /** clone(CLONE_VM|CLONE_THREAD|CLONE_SIGHAND...): a new thread in the caller's group. */
    Task thread(Task leader, String comm) {
        checkThreadsMax();
        Task creator = leader;
        if (!leader.isGroupLeader()) leader = leader.groupLeader;
        long stack = chargeKernelMemory();
        int pid;
        try {
            pid = k.pidNs.alloc();
        } catch (RuntimeException e) {
            k.vmstat.folios().free(PageUse.KERNEL_STACK, stack);
            throw e;
        }
        Task t = new Task(pid, leader, leader.signal, k.clock.boottimeNs());
        t.stack = stack;
        t.flags = leader.flags & ~Task.PF_FORKNOEXEC;
        chargeObjects(t, leader, stack, null);
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

    /** alloc_thread_stack_node(): the kernel stack, taken before the pid; returns its folio. */
    private long chargeKernelMemory() {
        return k.vmstat.folios().alloc(PageUse.KERNEL_STACK, THREAD_SIZE_ORDER);
    }

    /**
     * dup_task_struct() and copy_*(): the task's slab objects. On ENOMEM the stack (and the
     * copied mm) go back and nothing of the task remains; its pid was never attached.
     */
    private void chargeObjects(Task t, Task parent, long stack, MmStruct mm) {
        try {
            k.kobjs.fork(t, parent);
        } catch (RuntimeException e) {
            if (mm != null) k.accountMm(mm, -1);
            k.vmstat.folios().free(PageUse.KERNEL_STACK, stack);
            throw e;
        }
    }

    /**
     * The first half of undoing chargeKernelMemory: the kernel stack, which a task gives back
     * when it is dead and schedules for the last time (put_task_stack), zombie or not.
     */
    void freeTaskStack(Task t) {
        if (t.stack < 0) return;
        k.vmstat.folios().free(PageUse.KERNEL_STACK, t.stack);
        t.stack = -1;
    }

    /** The second half: the task_struct and friends, freed when the task is released (free_task). */
    void freeTaskStruct(Task t) {
        freeTaskStack(t);
        k.kobjs.release(t);
    }
}
