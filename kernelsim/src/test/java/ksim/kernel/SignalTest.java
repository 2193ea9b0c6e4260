package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static ksim.kernel.TestKernels.errnoOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ksim.mm.Program;
import org.junit.jupiter.api.Test;

/** kernel/signal.c: default actions, masks, handlers, pending sets, job control. */
class SignalTest {

    /** A process under a parent that is not init, so its zombie stays until reaped. */
    static Task child(Kernel k, Syscalls sys, Task parent, String name) {
        return sys.spawn(parent, Program.small("/usr/bin/" + name, 80, 400, 3), List.of(name), List.of(), Cred.of(1000, 1000));
    }

    static Task parentProcess(Kernel k, Syscalls sys) {
        return sys.spawn(k.initTask(), Program.small("/usr/bin/parent", 80, 400, 3), List.of("parent"), List.of(), Cred.ROOT);
    }

    @Test
    void stopAndContinueRestoreTheSleep() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task c = child(k, sys, p, "worker");
        k.setState(c, TaskState.INTERRUPTIBLE, "do_epoll_wait");
        sys.kill(c, Signum.SIGSTOP);
        assertEquals(TaskState.STOPPED, c.state());
        assertEquals("do_signal_stop", c.wchan());
        assertTrue((c.signal().flags() & SignalStruct.SIGNAL_STOP_STOPPED) != 0);
        assertEquals(0, c.signal().sharedPending().signal(), "the stop signal was consumed");
        sys.kill(c, Signum.SIGCONT);
        assertEquals(TaskState.INTERRUPTIBLE, c.state());
        assertEquals("do_epoll_wait", c.wchan(), "back in the same sleep");
        assertTrue((c.signal().flags() & SignalStruct.SIGNAL_STOP_CONTINUED) != 0);

        k.setState(c, TaskState.RUNNING, "");
        int running = k.scheduler().nrRunning();
        sys.kill(c, Signum.SIGTSTP);
        assertEquals(TaskState.RUNNING, c.state(), "group 1 has no parent outside it in its session: orphaned, SIGTSTP is dropped");
        sys.setpgid(c, 0);
        sys.kill(c, Signum.SIGTSTP);
        assertEquals(TaskState.STOPPED, c.state(), "its own group, with the parent in another group of the session: a job, it stops");
        assertEquals(running - 1, k.scheduler().nrRunning(), "a stopped task leaves the run queue");
        sys.kill(c, Signum.SIGCONT);
        assertEquals(TaskState.RUNNING, c.state());
        assertEquals(running, k.scheduler().nrRunning());
    }

    @Test
    void jobControlStopsOfAnOrphanedGroupAreDiscarded() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task cron = byComm(k, "cron"); // its own session: its group has no parent outside it in the session
        sys.kill(cron, Signum.SIGTSTP);
        assertEquals(TaskState.INTERRUPTIBLE, cron.state(), "SIGTSTP to an orphaned process group does nothing");
        sys.kill(cron, Signum.SIGSTOP);
        assertEquals(TaskState.STOPPED, cron.state(), "SIGSTOP always stops");
    }

    @Test
    void terminateAndCoreDumpEncodings() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task a = child(k, sys, p, "a");
        Task b = child(k, sys, p, "b");
        sys.kill(a, Signum.SIGTERM);
        sys.kill(b, Signum.SIGQUIT);
        assertEquals(TaskState.ZOMBIE, a.state());
        assertEquals(Signum.SIGTERM, a.exitCode());
        assertEquals(Signum.SIGQUIT | 0x80, b.exitCode(), "core-dump bit");
        assertNull(a.mm(), "a zombie has no address space");
        WaitStatus wa = sys.wait4(p, a.pid(), false);
        assertTrue(wa.signaled());
        assertEquals(Signum.SIGTERM, wa.termSignal());
        assertFalse(wa.coreDumped());
        WaitStatus wb = sys.wait4(p, -1, false);
        assertEquals(b.pid(), wb.pid());
        assertTrue(wb.coreDumped());
        assertEquals(Signum.SIGQUIT, wb.termSignal());
    }

    @Test
    void caughtIgnoredAndBlockedSignals() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task c = child(k, sys, p, "c");
        sys.sigaction(c, Signum.SIGUSR1, SighandStruct.Action.CATCH, false, false);
        sys.sigaction(c, Signum.SIGHUP, SighandStruct.Action.IGNORE, false, false);
        sys.kill(c, Signum.SIGUSR1);
        sys.kill(c, Signum.SIGHUP);
        assertEquals(TaskState.INTERRUPTIBLE, c.state(), "the handler ran; the task went back to sleep");
        assertEquals(0, c.signal().sharedPending().signal());
        assertEquals(Signum.mask(Signum.SIGUSR1), c.sighand().caught());
        assertEquals(Signum.mask(Signum.SIGHUP), c.sighand().ignored());

        sys.sigprocmask(c, Syscalls.SIG_BLOCK, Signum.mask(Signum.SIGTERM) | Signum.mask(Signum.SIGKILL) | Signum.mask(Signum.SIGINT));
        assertEquals(Signum.mask(Signum.SIGTERM) | Signum.mask(Signum.SIGINT), c.blocked(), "SIGKILL cannot be blocked");
        sys.kill(c, Signum.SIGTERM);
        sys.tgkill(c, Signum.SIGINT);
        assertEquals(Signum.mask(Signum.SIGTERM), c.signal().sharedPending().signal(), "kill pends on the process");
        assertEquals(Signum.mask(Signum.SIGINT), c.pending().signal(), "tgkill pends on the thread");
        assertEquals(2, k.sigQueued(c), "SigQ counts them for uid 1000");
        // Ignoring a pending signal discards it even while blocked.
        sys.sigaction(c, Signum.SIGINT, SighandStruct.Action.IGNORE, false, false);
        assertEquals(0, c.pending().signal());
        assertEquals(TaskState.INTERRUPTIBLE, c.state());
        sys.sigprocmask(c, Syscalls.SIG_UNBLOCK, Signum.mask(Signum.SIGTERM));
        assertEquals(TaskState.ZOMBIE, c.state(), "unblocking delivers the pending SIGTERM");
        assertEquals(Signum.SIGTERM, c.exitCode());
        sys.wait4(p, c.pid(), false);
        assertEquals(0, k.sigQueued(c), "nothing left queued after release");
    }

    @Test
    void killAndStopCannotBeCaughtAndSignalNumbersAreChecked() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task c = child(k, sys, parentProcess(k, sys), "c");
        long ign = c.sighand().ignored();
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.sigaction(c, Signum.SIGKILL, SighandStruct.Action.IGNORE, false, false)));
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.sigaction(c, Signum.SIGSTOP, SighandStruct.Action.CATCH, false, false)));
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.kill(c, 65)));
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.kill(c, -1)));
        assertEquals(Errno.EINVAL, errnoOf(() -> Signum.parse("SIGNOPE")));
        assertEquals(Errno.EINVAL, errnoOf(() -> Signum.parse("99")));
        assertEquals(Errno.ESRCH, errnoOf(() -> sys.task(99_999)));
        assertEquals(ign, c.sighand().ignored());
        assertEquals(TaskState.INTERRUPTIBLE, c.state(), "refused calls change nothing");
        sys.kill(c, 0);
        assertEquals(TaskState.INTERRUPTIBLE, c.state(), "signal 0 only checks");
        assertEquals(Signum.SIGRTMIN + 3, Signum.parse("rtmin+3"));
        assertEquals(Signum.NSIG, Signum.parse("SIGRTMAX"));
        assertEquals(Signum.SIGTERM, Signum.parse("term"));
        assertEquals("RTMIN+3", Signum.name(35));
    }

    @Test
    void aStoppedProcessKeepsFatalSignalsPendingUntilContinuedButDiesOfSigkill() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task a = child(k, sys, p, "a");
        sys.kill(a, Signum.SIGSTOP);
        sys.kill(a, Signum.SIGTERM);
        assertEquals(TaskState.STOPPED, a.state(), "a stopped task does not run its default action");
        assertEquals(Signum.mask(Signum.SIGTERM), a.signal().sharedPending().signal());
        sys.kill(a, Signum.SIGCONT);
        assertEquals(TaskState.ZOMBIE, a.state(), "continued, it takes the SIGTERM");
        assertEquals(Signum.SIGTERM, a.exitCode());

        Task b = child(k, sys, p, "b");
        sys.kill(b, Signum.SIGSTOP);
        sys.kill(b, Signum.SIGKILL);
        assertEquals(TaskState.ZOMBIE, b.state(), "SIGKILL wakes a stopped task");
        assertEquals(Signum.SIGKILL, b.exitCode());
    }

    @Test
    void uninterruptibleSleepOutlivesSigkillUntilItWakes() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task d = child(k, sys, p, "dd");
        k.setState(d, TaskState.UNINTERRUPTIBLE, "folio_wait_bit_common");
        int blocked = k.scheduler().nrUninterruptible();
        sys.kill(d, Signum.SIGKILL);
        assertEquals(TaskState.UNINTERRUPTIBLE, d.state(), "D is not woken by signals");
        assertEquals(Signum.mask(Signum.SIGKILL), d.pending().signal(), "SIGKILL waits on the thread");
        assertEquals(blocked, k.scheduler().nrUninterruptible());
        k.setState(d, TaskState.RUNNING, "");
        assertEquals(TaskState.ZOMBIE, d.state(), "the I/O finished and the task died");
        assertEquals(blocked - 1, k.scheduler().nrUninterruptible());
        assertEquals(Signum.SIGKILL, sys.wait4(p, d.pid(), false).termSignal());
    }

    @Test
    void initAndKernelThreadsIgnoreWhatTheyDoNotHandle() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task init = k.initTask();
        for (int sig : new int[] {Signum.SIGKILL, Signum.SIGSTOP, Signum.SIGSEGV}) sys.kill(init, sig);
        assertEquals(TaskState.INTERRUPTIBLE, init.state());
        assertFalse(init.hasExited());
        assertEquals(0, init.signal().sharedPending().signal());
        sys.kill(init, Signum.SIGTERM); // systemd has a handler: it runs, nothing else happens
        assertEquals(TaskState.INTERRUPTIBLE, init.state());
        Task kswapd = byComm(k, "kswapd0");
        assertEquals(-1L, kswapd.sighand().ignored(), "kernel threads ignore every signal");
        for (int sig = 1; sig <= Signum.NSIG; sig++) sys.kill(kswapd, sig);
        assertEquals(TaskState.INTERRUPTIBLE, kswapd.state());
        assertEquals(0, kswapd.signal().sharedPending().signal());
        assertEquals(Errno.EPERM, errnoOf(() -> sys.exitGroup(init, 0)), "init may not exit");
    }

    @Test
    void stopFlushesPendingContAndContFlushesPendingStops() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task c = child(k, sys, parentProcess(k, sys), "c");
        long both = Signum.mask(Signum.SIGCONT) | Signum.mask(Signum.SIGSTOP) | Signum.mask(Signum.SIGTSTP);
        sys.sigprocmask(c, Syscalls.SIG_BLOCK, both);
        sys.sigaction(c, Signum.SIGCONT, SighandStruct.Action.CATCH, false, false);
        sys.kill(c, Signum.SIGCONT);
        assertEquals(Signum.mask(Signum.SIGCONT), c.signal().sharedPending().signal());
        sys.kill(c, Signum.SIGTSTP);
        assertEquals(Signum.mask(Signum.SIGTSTP), c.signal().sharedPending().signal(), "a stop signal cancels SIGCONT");
        sys.kill(c, Signum.SIGCONT);
        assertEquals(Signum.mask(Signum.SIGCONT), c.signal().sharedPending().signal(), "SIGCONT cancels the stop");
    }

    @Test
    void groupStopAndGroupKillReachEveryThread() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task p = parentProcess(k, sys);
        Task c = child(k, sys, p, "mt");
        Task t1 = sys.cloneThread(c, "w1");
        Task t2 = sys.cloneThread(c, "w2");
        assertSame(c.sighand(), t1.sighand(), "threads share their actions");
        k.setState(t2, TaskState.UNINTERRUPTIBLE, "io_schedule");
        sys.kill(c, Signum.SIGSTOP);
        assertEquals(TaskState.STOPPED, c.state());
        assertEquals(TaskState.STOPPED, t1.state());
        assertEquals(TaskState.UNINTERRUPTIBLE, t2.state(), "a thread in D stops when it wakes");
        assertEquals(0, c.signal().flags() & SignalStruct.SIGNAL_STOP_STOPPED, "the group stop is not complete yet");
        k.setState(t2, TaskState.RUNNING, "");
        assertEquals(TaskState.STOPPED, t2.state());
        assertTrue((c.signal().flags() & SignalStruct.SIGNAL_STOP_STOPPED) != 0);
        assertEquals(Signum.SIGSTOP << 8 | 0x7f, sys.wait4(p, c.pid(), true).status(), "WUNTRACED reports the stop");
        assertEquals(0, sys.wait4(p, c.pid(), true).pid(), "once");
        sys.kill(c, Signum.SIGCONT);
        for (Task t : List.of(c, t1, t2)) assertTrue(t.state() == TaskState.INTERRUPTIBLE || t.state() == TaskState.RUNNING, t.toString());

        int threadsBefore = k.pids().nrThreads();
        sys.kill(t1, Signum.SIGKILL);
        assertNull(k.pids().find(t1.pid()), "threads are released at once");
        assertNull(k.pids().find(t2.pid()));
        assertSame(c, k.pids().find(c.pid()), "the leader waits as a zombie");
        assertEquals(TaskState.ZOMBIE, c.state());
        assertEquals(threadsBefore - 2, k.pids().nrThreads());
        assertEquals(Signum.SIGKILL, sys.wait4(p, -1, false).termSignal());
        assertNull(k.pids().find(c.pid()));
    }
}
