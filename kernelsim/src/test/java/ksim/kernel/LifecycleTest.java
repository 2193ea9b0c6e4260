package ksim.kernel;

import static ksim.kernel.SignalTest.child;
import static ksim.kernel.SignalTest.parentProcess;
import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static ksim.kernel.TestKernels.errnoOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import ksim.mm.Program;
import ksim.mm.VmStat;
import org.junit.jupiter.api.Test;

/** kernel/exit.c and kernel/fork.c: zombies, wait4, re-parenting, clone flags, exec, limits. */
class LifecycleTest {

    @Test
    void exitMakesAZombieThatWaitReaps() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task c = child(k, sys, p, "job");
        k.setState(c, TaskState.RUNNING, "");
        k.tick(200);
        long u = c.utime(), s = c.stime();
        assertTrue(u + s > 0);
        long stackBefore = k.vmstat().get(VmStat.Item.NR_KERNEL_STACK_KB);
        long slabBefore = k.vmstat().get(VmStat.Item.NR_SLAB_UNRECLAIMABLE);
        sys.exitGroup(c, 3);
        assertEquals(TaskState.ZOMBIE, c.state());
        assertTrue(c.isZombie() && c.isAlive() && c.hasExited());
        assertSame(c, k.pids().find(c.pid()), "a zombie keeps its pid");
        assertNull(c.mm(), "its address space is gone");
        assertEquals(3 << 8, c.exitCode());
        assertEquals(stackBefore - Param.THREAD_SIZE / 1024, k.vmstat().get(VmStat.Item.NR_KERNEL_STACK_KB), "the stack goes at exit");
        assertEquals(slabBefore, k.vmstat().get(VmStat.Item.NR_SLAB_UNRECLAIMABLE), "the task_struct stays until the reap");
        assertTrue(k.kobjs.holds(c), "a zombie keeps its task_struct");
        assertEquals(0, p.signal().cutime());

        assertEquals(Errno.ESRCH, errnoOf(() -> sys.exitGroup(c, 0)), "a zombie cannot exit again");
        assertEquals(Errno.ESRCH, errnoOf(() -> sys.fork(c)));
        sys.kill(c, Signum.SIGKILL); // kill(2) on a zombie succeeds and does nothing
        assertEquals(3 << 8, c.exitCode());

        WaitStatus w = sys.wait4(p, -1, false);
        assertEquals(c.pid(), w.pid());
        assertTrue(w.exited());
        assertEquals(3, w.exitCode());
        assertNull(k.pids().find(c.pid()), "reaped");
        assertFalse(c.isAlive());
        assertEquals(u, p.signal().cutime(), "the child's times go to the parent");
        assertEquals(s, p.signal().cstime());
        // The objects go back to SLUB, which may keep their slab pages (partial or empty slabs).
        assertFalse(k.kobjs.holds(c), "the reap frees the task_struct and friends");
        assertEquals(Errno.ECHILD, errnoOf(() -> sys.wait4(p, -1, false)), "no child left");
    }

    @Test
    void waitAnswersZeroWhileChildrenRunAndReapHoldShowsX() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task c = child(k, sys, p, "c");
        assertEquals(0, sys.wait4(p, -1, false).pid(), "WNOHANG: nothing ready");
        assertEquals(Errno.ECHILD, errnoOf(() -> sys.wait4(p, 12345, false)));
        sys.exitGroup(c, 0);
        WaitStatus held = sys.reap(c, true);
        assertEquals(c.pid(), held.pid());
        assertEquals(TaskState.DEAD, c.state(), "X: being reaped");
        assertSame(c, k.pids().find(c.pid()), "still has its pid");
        assertEquals(Errno.ECHILD, errnoOf(() -> sys.wait4(p, -1, false)), "an X child is someone else's to reap");
        WaitStatus done = sys.reap(c, false);
        assertEquals(c.pid(), done.pid());
        assertNull(k.pids().find(c.pid()));
    }

    @Test
    void orphansGoToTheNearestSubreaperElseInitWhichReapsAtOnce() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task top = parentProcess(k, sys);
        sys.setChildSubreaper(top, true);
        Task mid = child(k, sys, top, "mid");
        Task leaf = child(k, sys, mid, "leaf");
        Task leaf2 = child(k, sys, mid, "leaf2");
        assertTrue(leaf.signal().hasChildSubreaper);
        sys.exitGroup(leaf2, 7);
        assertEquals(TaskState.ZOMBIE, leaf2.state());
        sys.exitGroup(mid, 0);
        assertSame(top, leaf.realParent(), "re-parented to the subreaper");
        assertSame(top, leaf2.realParent(), "the zombie too");
        assertTrue(top.children().contains(leaf));
        assertEquals(TaskState.ZOMBIE, leaf2.state(), "a subreaper reaps only when it waits");
        assertEquals(7, sys.wait4(top, leaf2.pid(), false).exitCode());

        // Without a subreaper: init, which reaps an orphaned zombie at once.
        Task p2 = parentProcess(k, sys);
        Task o = child(k, sys, p2, "o");
        Task z = child(k, sys, p2, "z");
        sys.exitGroup(z, 1);
        long initCutime = k.initTask().signal().cutime();
        sys.exitGroup(p2, 0);
        assertSame(k.initTask(), o.realParent());
        assertTrue(k.initTask().children().contains(o));
        assertNull(k.pids().find(z.pid()), "init reaped the orphaned zombie");
        assertNull(k.pids().find(p2.pid()), "and its own dead child");
        assertTrue(k.initTask().signal().cutime() >= initCutime);
    }

    @Test
    void childrenOfAThreadGoToASiblingThreadFirst() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task th = sys.cloneThread(p, "helper");
        Task c = sys.fork(th);
        assertSame(th, c.realParent());
        sys.exitThread(th, 0);
        assertNull(k.pids().find(th.pid()), "a thread is released at once");
        assertSame(p, c.realParent(), "find_alive_thread: the leader adopts it");
    }

    @Test
    void aParentIgnoringSigchldNeverSeesZombies() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        sys.sigaction(p, Signum.SIGCHLD, SighandStruct.Action.IGNORE, false, false);
        Task c = child(k, sys, p, "c");
        sys.exitGroup(c, 0);
        assertNull(k.pids().find(c.pid()), "autoreaped");
        assertEquals(0, p.signal().cutime() + p.signal().cstime(), "nobody waited: no times collected");

        Task q = parentProcess(k, sys);
        sys.sigaction(q, Signum.SIGCHLD, SighandStruct.Action.CATCH, false, true);
        Task d = child(k, sys, q, "d");
        sys.exitGroup(d, 0);
        assertNull(k.pids().find(d.pid()), "SA_NOCLDWAIT autoreaps too");
    }

    @Test
    void aLeaderThatExitsAloneIsAZombieUntilItsLastThreadGoes() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task c = child(k, sys, p, "mt");
        Task t1 = sys.cloneThread(c, "t1");
        sys.exitThread(c, 5);
        assertEquals(TaskState.ZOMBIE, c.state());
        assertEquals(2, c.signal().nrThreads(), "the zombie leader is still counted");
        assertEquals(TaskState.INTERRUPTIBLE, t1.state());
        assertNotNull(t1.mm(), "the address space lives with the last thread");
        assertNull(c.mm());
        assertEquals(0, sys.wait4(p, -1, false).pid(), "delay_group_leader: not yet reportable");
        sys.exitThread(t1, 9);
        assertNull(k.pids().find(t1.pid()));
        assertEquals(TaskState.ZOMBIE, c.state());
        WaitStatus w = sys.wait4(p, -1, false);
        assertEquals(c.pid(), w.pid());
        assertEquals(5, w.exitCode(), "the leader's own exit code");
    }

    @Test
    void execReplacesTheImageKillsOtherThreadsAndResetsHandlers() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task c = sys.fork(p);
        assertEquals("parent", c.commString(), "a forked child is a copy");
        assertArrayEquals(p.mm().argv(), c.mm().argv());
        Task th = sys.cloneThread(c, "th");
        sys.sigaction(c, Signum.SIGUSR1, SighandStruct.Action.CATCH, false, false);
        sys.sigaction(c, Signum.SIGPIPE, SighandStruct.Action.IGNORE, false, false);
        sys.sigprocmask(c, Syscalls.SIG_BLOCK, Signum.mask(Signum.SIGUSR2));
        sys.execve(th, Program.small("/usr/bin/python3", 3000, 5000, 4), List.of("python3", "-m", "http.server"), List.of("A=1"));
        assertNull(k.pids().find(th.pid()), "de_thread: the other threads are gone");
        assertEquals(1, c.signal().nrThreads());
        assertEquals("python3", c.commString());
        assertEquals("python3\0-m\0http.server\0", new String(c.mm().argv(), StandardCharsets.UTF_8));
        assertEquals("A=1\0", new String(c.mm().envp(), StandardCharsets.UTF_8));
        assertEquals(0, c.sighand().caught(), "handlers do not survive exec");
        assertEquals(Signum.mask(Signum.SIGPIPE), c.sighand().ignored(), "SIG_IGN does");
        assertEquals(Signum.mask(Signum.SIGUSR2), c.blocked(), "so does the mask");
        assertEquals(0, c.flags() & Task.PF_FORKNOEXEC);

        // An empty argv: since 5.18 the kernel adds "" as argv[0].
        sys.execve(c, Program.small("/usr/bin/true", 80, 400, 4), List.of(), List.of());
        assertEquals("true", c.commString());
        assertEquals("\0", new String(c.mm().argv(), StandardCharsets.UTF_8));
    }

    @Test
    void cloneFlagsFollowCopyProcessRules() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        int threads = k.pids().nrThreads();
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.clone(p, Syscalls.CLONE_THREAD, null)));
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.clone(p, Syscalls.CLONE_SIGHAND | Syscalls.CLONE_THREAD, null)));
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.clone(p, Syscalls.CLONE_VM, null)));
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.clone(p, 0x40000000, null)));
        assertEquals(threads, k.pids().nrThreads(), "refused clones create nothing");
        Task c = child(k, sys, p, "c");
        Task sib = sys.clone(c, Syscalls.CLONE_PARENT, null);
        assertSame(p, sib.realParent(), "CLONE_PARENT: a sibling");
        assertTrue(p.children().contains(sib));
        assertFalse(c.children().contains(sib));
        Task th = sys.clone(c, Syscalls.CLONE_VM | Syscalls.CLONE_SIGHAND | Syscalls.CLONE_THREAD, "w");
        assertEquals(c.tgid(), th.tgid());
        assertSame(c.mm(), th.mm());
        assertEquals(-1, th.exitSignal());
        sys.sigprocmask(c, Syscalls.SIG_SETMASK, Signum.mask(Signum.SIGHUP));
        Task f = sys.fork(c);
        assertEquals(Signum.mask(Signum.SIGHUP), f.blocked(), "the mask is inherited");
        assertEquals(0, f.pending().signal() | f.signal().sharedPending().signal(), "pending signals are not");
        assertEquals(Errno.EPERM, errnoOf(() -> sys.fork(byComm(k, "kswapd0"))));
    }

    @Test
    void pidMaxAndThreadsMaxRefuseWithEagainAndChangeNothing() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        k.setMaxThreads(k.pids().nrThreads());
        int threads = k.pids().nrThreads();
        int last = k.pids().lastPid();
        long forks = k.totalForks();
        long free = k.vmstat().freePages();
        assertEquals(Errno.EAGAIN, errnoOf(() -> sys.fork(p)));
        assertEquals(Errno.EAGAIN, errnoOf(() -> sys.cloneThread(p, "x")));
        assertEquals(List.of(threads, last, forks, free), List.of(k.pids().nrThreads(), k.pids().lastPid(), k.totalForks(), k.vmstat().freePages()));
        assertEquals(Errno.EINVAL, errnoOf(() -> k.setMaxThreads(0)));

        k.setMaxThreads(1_000_000);
        k.pids().setPidMax(Param.RESERVED_PIDS + 1);
        // Every pid from RESERVED_PIDS up is taken once the cursor wraps.
        int available = k.pids().available();
        int forked = 0;
        while (true) {
            try {
                sys.fork(p);
                forked++;
            } catch (KernelError e) {
                assertEquals(Errno.EAGAIN, e.errno());
                break;
            }
        }
        assertEquals(available, forked, "available() predicted how many forks would succeed");
        assertEquals(0, k.pids().available());
        int n = k.pids().nrThreads();
        assertEquals(Errno.EAGAIN, errnoOf(() -> sys.fork(p)));
        assertEquals(n, k.pids().nrThreads());
    }

    @Test
    void sessionLeaderExitHangsUpItsForegroundJob() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task bash = byComm(k, "bash");
        Task md5 = byComm(k, "md5sum");
        Task sleep = byComm(k, "sleep");
        Tty pts0 = bash.signal().tty();
        assertEquals(md5.tgid(), pts0.foregroundPgrp());
        sys.kill(bash, Signum.SIGTERM);
        assertFalse(bash.hasExited(), "an interactive bash ignores SIGTERM");
        sys.kill(bash, Signum.SIGKILL);
        assertTrue(md5.hasExited(), "the foreground job got SIGHUP");
        assertEquals(Signum.SIGHUP, md5.exitCode());
        assertFalse(sleep.hasExited(), "the background job did not");
        assertNull(sleep.signal().tty(), "the session lost its terminal");
        assertEquals(0, pts0.foregroundPgrp());
    }

    @Test
    void sessionsGroupsAndTerminals() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task c = child(k, sys, p, "c");
        Task d = child(k, sys, p, "d");
        assertEquals(Errno.EPERM, errnoOf(() -> sys.setpgid(c, 4242)), "no such group in the session");
        sys.setpgid(c, 0);
        assertEquals(c.tgid(), c.signal().pgrp());
        sys.setpgid(d, c.tgid());
        assertEquals(c.tgid(), d.signal().pgrp(), "joins an existing group of the session");
        assertEquals(Errno.EPERM, errnoOf(() -> sys.setsid(c)), "a group leader cannot setsid");
        assertEquals(Errno.EPERM, errnoOf(() -> sys.setControllingTty(c, "pts/5")), "not a session leader");
        sys.setsid(p);
        assertEquals(p.tgid(), p.signal().session());
        assertEquals(Errno.EPERM, errnoOf(() -> sys.setControllingTty(p, "pts/0")), "pts/0 belongs to alice's session");
        assertEquals(Errno.ENOENT, errnoOf(() -> sys.setControllingTty(p, "pts/x")));
        sys.setControllingTty(p, "pts/5");
        assertEquals("pts/5", p.signal().tty().name());
        assertSame(p.signal().tty(), k.ttys().lookup("pts/5"));
        assertEquals(Errno.ENOTTY, errnoOf(() -> sys.tcsetpgrp(c, c.tgid())), "c is in another session without a terminal");
        sys.dropControllingTty(p);
        assertNull(p.signal().tty());
    }

    @Test
    void ptraceStopsInTAndOnlyDetachOrSigkillEndsIt() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task c = child(k, sys, p, "c");
        Task gdb = child(k, sys, p, "gdb");
        k.setState(c, TaskState.INTERRUPTIBLE, "do_epoll_wait");
        sys.ptraceAttach(c, gdb);
        assertEquals(TaskState.TRACED, c.state());
        assertEquals("ptrace_stop", c.wchan());
        assertSame(gdb, c.tracer());
        assertSame(p, c.realParent());
        sys.kill(c, Signum.SIGCONT);
        assertEquals(TaskState.TRACED, c.state(), "SIGCONT does not end a trace stop");
        assertEquals(Errno.EBUSY, errnoOf(() -> k.setState(c, TaskState.RUNNING, "")));
        assertEquals(Errno.EPERM, errnoOf(() -> sys.ptraceAttach(c, gdb)), "already traced");
        assertEquals(Errno.EPERM, errnoOf(() -> sys.ptraceAttach(k.initTask(), gdb)));
        sys.ptraceDetach(c);
        assertEquals(TaskState.INTERRUPTIBLE, c.state());
        assertEquals("do_epoll_wait", c.wchan());
        assertNull(c.tracer());

        sys.ptraceAttach(c, gdb);
        sys.exitGroup(gdb, 0);
        assertNull(c.tracer(), "a tracer's exit detaches its tracees");
        assertEquals(TaskState.INTERRUPTIBLE, c.state());
        sys.ptraceAttach(c, p);
        sys.kill(c, Signum.SIGKILL);
        assertTrue(c.hasExited(), "SIGKILL ends a traced task");
    }

    @Test
    void statesDriveProcsRunningBlockedAndTheLoadAverage() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Scheduler s = k.scheduler();
        int r0 = s.nrRunning(), d0 = s.nrUninterruptible();
        Task a = child(k, sys, p, "a");
        Task b = child(k, sys, p, "b");
        Task c = child(k, sys, p, "c");
        k.setState(a, TaskState.RUNNING, "");
        k.setState(b, TaskState.UNINTERRUPTIBLE, "folio_wait_bit_common");
        sys.kill(c, Signum.SIGSTOP);
        assertEquals(r0 + 1, s.nrRunning());
        assertEquals(d0 + 1, s.nrUninterruptible());
        assertEquals(Errno.EINVAL, errnoOf(() -> k.setState(a, TaskState.IDLE, "")), "only kernel threads idle");
        assertEquals(Errno.EINVAL, errnoOf(() -> k.setState(a, TaskState.STOPPED, "")));
        k.tick(Param.LOAD_FREQ * 3L);
        long active = r0 + d0 + 2;
        // After three samples of a constant active count the 1-minute average is above 0 and moving up to it.
        assertTrue(s.loadAvg().avenrun(0, 0) > 0);
        assertTrue(s.loadAvg().avenrun(0, 0) <= active * Param.FIXED_1);
        Task kw = k.pids().allTasks().stream().filter(t -> t.state() == TaskState.IDLE).findFirst().orElseThrow();
        k.setState(kw, TaskState.RUNNING, "");
        k.setState(kw, TaskState.IDLE, "worker_thread");
        assertEquals(d0 + 1, s.nrUninterruptible(), "I does not count as blocked");
    }
}
