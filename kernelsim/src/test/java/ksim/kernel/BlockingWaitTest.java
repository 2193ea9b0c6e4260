package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static ksim.kernel.TestKernels.errnoOf;
import static ksim.kernel.TestKernels.spawnSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** wait4() without WNOHANG: the parent sleeps in do_wait and a child's exit or stop wakes it. */
class BlockingWaitTest {

    @Test
    void aParentSleepsInDoWaitUntilItsChildExitsThenRunsWithTheStatus() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task parent = spawnSmall(k, "shell");
        Task child = sys.fork(parent);
        WaitStatus now = sys.wait4Blocking(parent, -1, false, null);
        assertEquals(0, now.pid());
        assertEquals(TaskState.INTERRUPTIBLE, parent.state());
        assertEquals("do_wait", parent.wchan());
        assertTrue(parent.inWait());

        sys.exitGroup(child, 7);

        assertTrue(child.released, "the waiting parent reaped it: no zombie is left");
        assertNull(k.pids().find(child.pid()));
        assertEquals(TaskState.RUNNING, parent.state());
        assertFalse(parent.inWait());
        assertEquals(child.pid(), parent.lastWait().pid());
        assertTrue(parent.lastWait().exited());
        assertEquals(7, parent.lastWait().exitCode());
    }

    @Test
    void aWaitForOneChildIgnoresTheOthersAndCanSleepOnAfterwards() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task parent = spawnSmall(k, "shell");
        Task fg = sys.fork(parent);
        Task bg = sys.fork(parent);
        sys.wait4Blocking(parent, fg.pid(), false, "poll_schedule_timeout.constprop.0");

        sys.exitGroup(bg, 0);
        assertTrue(bg.isZombie(), "the other child stays a zombie");
        assertEquals("do_wait", parent.wchan());

        sys.exitGroup(fg, 0);
        assertTrue(fg.released);
        assertEquals(TaskState.INTERRUPTIBLE, parent.state());
        assertEquals("poll_schedule_timeout.constprop.0", parent.wchan());
        assertEquals(fg.pid(), parent.lastWait().pid());
    }

    @Test
    void aReadyChildIsCollectedAtOnceAndNoChildIsEchild() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task parent = spawnSmall(k, "shell");
        assertEquals(Errno.ECHILD, errnoOf(() -> sys.wait4Blocking(parent, -1, false, null)));
        assertFalse(parent.inWait());
        Task child = sys.fork(parent);
        sys.exitGroup(child, 3);
        assertTrue(child.isZombie());
        WaitStatus w = sys.wait4Blocking(parent, -1, false, null);
        assertEquals(child.pid(), w.pid());
        assertEquals(3, w.exitCode());
        assertFalse(parent.inWait());
    }

    @Test
    void untracedWaitersWakeWhenTheChildStops() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task parent = spawnSmall(k, "shell");
        Task child = sys.fork(parent);
        sys.wait4Blocking(parent, child.pid(), true, null);
        sys.kill(child, Signum.SIGSTOP);
        assertEquals(TaskState.STOPPED, child.state());
        assertTrue(parent.lastWait().stopped());
        assertEquals(Signum.SIGSTOP, parent.lastWait().stopSignal());
        assertEquals(TaskState.RUNNING, parent.state());
    }

    @Test
    void aStoppedWaiterCollectsOnlyWhenContinued() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task parent = spawnSmall(k, "shell");
        Task child = sys.fork(parent);
        sys.wait4Blocking(parent, -1, false, null);
        sys.kill(parent, Signum.SIGSTOP);
        sys.exitGroup(child, 0);
        assertTrue(child.isZombie(), "a stopped parent cannot run to collect it");
        sys.kill(parent, Signum.SIGCONT);
        assertTrue(child.released);
        assertEquals(TaskState.RUNNING, parent.state());
    }

    @Test
    void anExplicitStateChangeCancelsTheWait() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task parent = spawnSmall(k, "shell");
        Task child = sys.fork(parent);
        sys.wait4Blocking(parent, -1, false, null);
        sys.setState(parent, TaskState.INTERRUPTIBLE, "pipe_read");
        sys.exitGroup(child, 0);
        assertTrue(child.isZombie());
        assertEquals("pipe_read", parent.wchan());
    }

    @Test
    void theDemoShellReapsItsForegroundJobAndGoesBackToItsPrompt() {
        Kernel k = boot();
        Syscalls sys = new Syscalls(k);
        Task bash = byComm(k, "bash");
        Task md5 = byComm(k, "md5sum");
        assertEquals("do_wait", bash.wchan());
        sys.kill(md5, Signum.SIGKILL);
        assertTrue(md5.released);
        assertEquals(TaskState.INTERRUPTIBLE, bash.state());
        assertEquals(DemoUserland.INTERACTIVE_PROMPT, bash.wchan());
        assertTrue(bash.lastWait().signaled());
        assertEquals(Signum.SIGKILL, bash.lastWait().termSignal());
    }
}
