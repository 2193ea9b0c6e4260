package ksim.kernel;

import ksim.mm.MmStruct;
import ksim.mm.VmStat;

/**
 * Task creation (kernel/fork.c copy_process): a new pid, a new thread group or a place in the
 * caller's, the parent links, inherited credentials, session, process group and tty, and
 * the kernel memory every task costs (its kernel stack and its task_struct and friends).
 */
final class Fork {
    private final Kernel k;

    Fork(Kernel k) {
        this.k = k;
    }

    /** fork(): a new single-threaded process, a copy of the parent (mm shared until exec). */
    Task process(Task parent, int flags) {
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
            link(parent, t);
        } else {
            t.cred = Cred.ROOT;
            t.comm = new byte[0];
        }
        sig.addThread(t);
        chargeKernelMemory(t, parent);
        k.pidNs.attach(t);
        k.totalForks++;
        t.state = TaskState.INTERRUPTIBLE;
        if (t.mm != null) t.mm = copyMm(t.mm);
        return t;
    }

    /** clone(CLONE_VM|CLONE_THREAD|CLONE_SIGHAND...): a new thread in the caller's group. */
    Task thread(Task leader, String comm) {
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
        t.parent = leader.parent;
        t.setComm(comm);
        leader.signal.addThread(t);
        chargeKernelMemory(t, leader);
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

    /** The kernel stack, and the slab objects of the task (and, for a process, of its signal, files, fs, cred). */
    private void chargeKernelMemory(Task t, Task parent) {
        k.kobjs.fork(t, parent);
        k.vmstat.add(VmStat.Item.NR_KERNEL_STACK_KB, Param.THREAD_SIZE / 1024);
    }

    /** The reverse of chargeKernelMemory, when a task is released. */
    void unchargeKernelMemory(Task t) {
        k.vmstat.add(VmStat.Item.NR_KERNEL_STACK_KB, -(Param.THREAD_SIZE / 1024));
        k.kobjs.release(t);
    }
}
