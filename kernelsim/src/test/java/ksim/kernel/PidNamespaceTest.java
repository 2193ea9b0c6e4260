package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.config;
import static ksim.kernel.TestKernels.errnoOf;
import static ksim.kernel.TestKernels.spawnSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** alloc_pid() in kernel/pid.c: cyclic allocation below pid_max, wrapping to RESERVED_PIDS. */
class PidNamespaceTest {

    @Test
    void bootTasksHaveTheFirstPidsInOrder() {
        Kernel k = boot();
        assertEquals(1, k.initTask().pid());
        assertEquals(2, k.kthreadd().pid());
        // Every pid from 1 to the cursor was handed out once, in order: none is missing at boot.
        int last = k.pids().lastPid();
        assertEquals(last, k.pids().nrThreads(), "boot allocates 1..lastPid densely");
        for (int pid = 1; pid <= last; pid++) {
            Task t = k.pids().find(pid);
            assertTrue(t != null && t.pid() == pid, "pid " + pid);
        }
    }

    @Test
    void allocationIsSequentialAfterTheCursor() {
        Kernel k = boot();
        int last = k.pids().lastPid();
        Task a = spawnSmall(k, "a");
        Task b = spawnSmall(k, "b");
        Task th = k.cloneThread(b, "b-worker");
        Task c = spawnSmall(k, "c");
        assertEquals(last + 1, a.pid());
        assertEquals(last + 2, b.pid());
        assertEquals(last + 3, th.pid(), "threads take pids from the same namespace");
        assertEquals(last + 4, c.pid());
        assertEquals(last + 4, k.pids().lastPid());
        assertSame(th, k.pids().find(th.pid()));
    }

    @Test
    void freedPidIsNotReusedBeforeTheWrap() {
        Kernel k = boot();
        Task a = spawnSmall(k, "a");
        spawnSmall(k, "b");
        k.exitAndRelease(a, 0);
        assertNull(k.pids().find(a.pid()));
        Task c = spawnSmall(k, "c");
        assertTrue(c.pid() > a.pid() + 1, "the cursor moves on; a freed pid waits for the wrap, got " + c.pid());
    }

    @Test
    void wrapsToReservedPidsSkippingLivePidsThenEagain() {
        Kernel k = boot(config().withPidMax(400));
        int bootLast = k.pids().lastPid();
        assertTrue(bootLast < 100, "boot fits below 100 pids: " + bootLast);
        List<Task> made = new ArrayList<>();
        while (k.pids().lastPid() < 399) made.add(spawnSmall(k, "w"));
        for (int i = 0; i < made.size(); i++) assertEquals(bootLast + 1 + i, made.get(i).pid());
        assertEquals(399, made.get(made.size() - 1).pid(), "the largest pid is pid_max - 1");

        Task low = made.get(0);           // below RESERVED_PIDS
        Task p320 = k.pids().find(320);
        Task p350 = k.pids().find(350);
        k.exitAndRelease(low, 0);
        k.exitAndRelease(p350, 0);
        k.exitAndRelease(p320, 0);

        Task x = spawnSmall(k, "x");
        assertEquals(Param.RESERVED_PIDS + 20, x.pid(), "after the wrap the lowest free pid >= RESERVED_PIDS");
        Task y = spawnSmall(k, "y");
        assertEquals(350, y.pid());
        int threads = k.pids().nrThreads();
        long free = k.vmstat().freePages();
        assertEquals(Errno.EAGAIN, errnoOf(() -> spawnSmall(k, "z")));
        assertNull(k.pids().find(low.pid()), "a pid below RESERVED_PIDS is not handed out after the wrap");
        assertEquals(threads, k.pids().nrThreads(), "a failed fork leaves no task behind");
        assertEquals(free, k.vmstat().freePages(), "a failed fork leaves no memory charged");
        assertEquals(350, k.pids().lastPid(), "a failed alloc does not move the cursor");
    }

    @Test
    void neverHandsOutALivePidAcrossManyWraps() {
        Kernel k = boot(config().withPidMax(340));
        List<Task> mine = new ArrayList<>();
        // Keep ~20 of our processes alive while allocating several times around the ring.
        for (int i = 0; i < 600; i++) {
            Set<Integer> live = new HashSet<>();
            for (Task t : k.pids().allTasks()) live.add(t.pid());
            Task t = spawnSmall(k, "r");
            assertFalse(live.contains(t.pid()), "pid " + t.pid() + " was live");
            assertTrue(t.pid() < 340);
            mine.add(t);
            if (mine.size() > 20) k.exitAndRelease(mine.remove(i % 7), 0);
        }
    }

    @Test
    void preforkPoolFailsWithEagainWhenPidMaxIsSmall() {
        Kernel k = boot(config().withPidMax(400));
        KernelError e = org.junit.jupiter.api.Assertions.assertThrows(KernelError.class, () -> PreforkPool.start(k, 1000));
        assertEquals(Errno.EAGAIN, e.errno());
        // Every pid in [RESERVED_PIDS, pid_max) is taken now.
        for (int pid = Param.RESERVED_PIDS; pid < 400; pid++) assertTrue(k.pids().find(pid) != null, "pid " + pid);
    }

    @Test
    void loweringPidMaxBelowTheCursorWrapsTheNextAllocation() {
        Kernel k = boot();
        Task master = PreforkPool.start(k, 400);
        assertTrue(k.pids().lastPid() > 420);
        k.pids().setPidMax(400);
        assertEquals(Errno.EAGAIN, errnoOf(() -> spawnSmall(k, "z")), "300..399 are all pool workers");
        Task w = k.pids().find(305);
        assertSame(master, w.realParent());
        k.exitAndRelease(w, 0);
        assertEquals(305, spawnSmall(k, "z").pid());
    }

    @Test
    void setPidMaxBounds() {
        Kernel k = boot();
        PidNamespace ns = k.pids();
        assertEquals(Param.PID_MAX_DEFAULT, ns.pidMax());
        assertEquals(Errno.EINVAL, errnoOf(() -> ns.setPidMax(Param.RESERVED_PIDS)));
        assertEquals(Errno.EINVAL, errnoOf(() -> ns.setPidMax(0)));
        assertEquals(Errno.EINVAL, errnoOf(() -> ns.setPidMax(-1)));
        assertEquals(Errno.EINVAL, errnoOf(() -> ns.setPidMax(Param.PID_MAX_LIMIT + 1)));
        assertEquals(Param.PID_MAX_DEFAULT, ns.pidMax(), "a rejected value changes nothing");
        ns.setPidMax(Param.RESERVED_PIDS + 1);
        assertEquals(301, ns.pidMax());
        ns.setPidMax(Param.PID_MAX_LIMIT);
        assertEquals(Param.PID_MAX_LIMIT, ns.pidMax());
    }

    @Test
    void configRejectsPidMaxOutOfRangeAtBoot() {
        assertEquals(Errno.EINVAL, errnoOf(() -> Kernel.boot(config().withPidMax(100))));
    }

    @Test
    void nextLeaderSkipsThreads() {
        Kernel k = boot();
        Task rs = TestKernels.byComm(k, "rsyslogd");
        Task th = rs.signal().threads().get(1);
        assertFalse(th.isGroupLeader());
        Task next = k.pids().nextLeader(th.pid());
        assertTrue(next == null || next.isGroupLeader());
        assertTrue(next == null || next.pid() > th.pid());
        assertFalse(k.pids().leaders().contains(th));
        assertTrue(k.pids().allTasks().contains(th));
    }
}
