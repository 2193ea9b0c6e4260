package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Host processes reading /proc get tasks of their own: visitors, children of init, never ticked. */
class VisitorsTest {

    @Test
    void withoutAProbeNobodyGetsATask() {
        Kernel k = boot();
        assertNull(k.visitors().current(4242));
        assertEquals(0, k.visitors().count());
        k.visitors().sweep(); // no probe: nothing to do, no failure
    }

    @Test
    void unknownHostThreadGetsNoTask() {
        Kernel k = boot();
        FakeHost host = new FakeHost();
        k.visitors().setProbe(host);
        int threads = k.pids().nrThreads();
        assertNull(k.visitors().current(777));
        assertEquals(threads, k.pids().nrThreads());
    }

    @Test
    void firstSightCreatesARunningLeaderUnderInit() {
        Kernel k = boot();
        FakeHost host = new FakeHost();
        host.add(5000, 5000, 123, "cat", "cat");
        k.visitors().setProbe(host);
        int last = k.pids().lastPid();
        int running = k.scheduler().nrRunning();

        Task v = k.visitors().current(5000);
        assertNotNull(v);
        assertEquals(last + 1, v.pid(), "a fresh pid of the simulated namespace");
        assertTrue(v.isGroupLeader());
        assertSame(k.initTask(), v.realParent());
        assertTrue(k.initTask().children().contains(v));
        assertEquals(TaskState.RUNNING, v.state());
        assertEquals("cat", v.commString());
        assertEquals(1001, v.cred().uid());
        assertEquals(1002, v.cred().gid());
        assertEquals("/home/bob", v.cwd());
        assertEquals("/usr/bin/cat", v.mm().exeFile());
        assertEquals("/usr/bin/cat\0--flag\0", new String(v.mm().argv(), StandardCharsets.UTF_8));
        assertTrue(k.visitors().isVisitor(v));
        assertEquals(1, k.visitors().count());
        assertEquals(running + 1, k.scheduler().nrRunning(), "counted as runnable");

        // The same host thread again: the same task, no new pid, no new probe.
        int calls = host.describeCalls;
        assertSame(v, k.visitors().current(5000));
        assertEquals(last + 1, k.pids().lastPid());
        assertEquals(calls, host.describeCalls, "cached by host tid");
    }

    @Test
    void visitorsReceiveNoTicks() {
        Kernel k = boot();
        FakeHost host = new FakeHost();
        host.add(5000, 5000, 1, "top", "top");
        host.add(5001, 5000, 1, "top", "top-worker");
        k.visitors().setProbe(host);
        Task v = k.visitors().current(5000);
        Task vt = k.visitors().current(5001);
        Task md5 = byComm(k, "md5sum");
        long md5Before = md5.utime() + md5.stime();
        long idleOther = k.scheduler().cpustat(1 - md5.cpu()).get(KernelCpustat.IDLE);
        k.tick(2 * Param.HZ);
        assertEquals(0, v.utime() + v.stime());
        assertEquals(0, vt.utime() + vt.stime());
        assertEquals(TaskState.RUNNING, v.state());
        assertEquals(2L * Param.HZ * Param.TICK_NSEC, md5.utime() + md5.stime() - md5Before,
                "md5sum still has its CPU to itself");
        assertEquals(2L * Param.HZ * Param.TICK_NSEC,
                k.scheduler().cpustat(1 - md5.cpu()).get(KernelCpustat.IDLE) - idleOther,
                "the other CPU still idles: visitors run on the host");
        assertEquals(TestKernels.taskTimeSum(k), busyAll(k));
    }

    private static long busyAll(Kernel k) {
        long s = 0;
        for (int c = 0; c < k.scheduler().nrCpus(); c++) s += TestKernels.busy(k.scheduler().cpustat(c));
        return s;
    }

    @Test
    void secondThreadOfTheSameProcessBecomesAThread() {
        Kernel k = boot();
        FakeHost host = new FakeHost();
        host.add(5000, 5000, 9, "java", "java");
        host.add(5007, 5000, 9, "java", "GC Thread#0");
        k.visitors().setProbe(host);
        Task leader = k.visitors().current(5000);
        Task th = k.visitors().current(5007);
        assertNotSame(leader, th);
        assertFalse(th.isGroupLeader());
        assertSame(leader, th.groupLeader());
        assertEquals(leader.pid(), th.tgid());
        assertEquals(-1, th.exitSignal());
        assertEquals("GC Thread#0", th.commString());
        assertEquals(TaskState.RUNNING, th.state());
        assertEquals(2, leader.signal().nrThreads());
        assertEquals(1, k.visitors().count(), "one host process, one visitor");
        assertTrue(k.visitors().isVisitor(th));
        assertSame(th, k.visitors().current(5007));
    }

    @Test
    void threadSeenBeforeItsLeaderStillJoinsOneGroup() {
        Kernel k = boot();
        FakeHost host = new FakeHost();
        host.add(6000, 6000, 5, "ps", "ps");
        host.add(6001, 6000, 5, "ps", "ps-helper");
        k.visitors().setProbe(host);
        Task th = k.visitors().current(6001);
        Task leader = k.visitors().current(6000);
        assertTrue(leader.isGroupLeader());
        assertSame(leader, th.groupLeader());
        assertEquals(2, leader.signal().nrThreads());
    }

    private static void assertNotSame(Object a, Object b) {
        assertFalse(a == b);
    }

    @Test
    void sweepRemovesVisitorsWhoseHostProcessIsGoneAndFreesPids() {
        Kernel k = boot();
        FakeHost host = new FakeHost();
        host.add(5000, 5000, 1, "cat", "cat");
        host.add(5001, 5000, 1, "cat", "cat2");
        host.add(7000, 7000, 2, "ls", "ls");
        k.visitors().setProbe(host);
        long free0 = k.vmstat().freePages() + slab(k);
        int tasks0 = k.kobjs.tasksHeld();
        int running0 = k.scheduler().nrRunning();
        Task cat = k.visitors().current(5000);
        Task cat2 = k.visitors().current(5001);
        Task ls = k.visitors().current(7000);
        assertEquals(2, k.visitors().count());

        k.visitors().sweep();
        assertEquals(2, k.visitors().count(), "both alive: nothing removed");

        host.exit(5000);
        k.visitors().sweep();
        assertEquals(1, k.visitors().count());
        assertFalse(cat.isAlive());
        assertFalse(cat2.isAlive());
        assertNull(k.pids().find(cat.pid()));
        assertNull(k.pids().find(cat2.pid()));
        assertFalse(k.visitors().isVisitor(cat));
        assertFalse(k.visitors().isVisitor(cat2));
        assertFalse(k.initTask().children().contains(cat));
        assertTrue(ls.isAlive());
        assertSame(ls, k.pids().find(ls.pid()));
        assertNull(k.visitors().current(5000), "the host no longer knows the thread");

        host.exit(7000);
        k.visitors().sweep();
        assertEquals(0, k.visitors().count());
        assertEquals(running0, k.scheduler().nrRunning());
        // Pages come back to free, or stay slab in the slabs SLUB keeps; every object goes back.
        assertEquals(free0, k.vmstat().freePages() + slab(k), "visitor memory returned");
        assertEquals(tasks0, k.kobjs.tasksHeld(), "the visitors' task objects were freed");
    }

    @Test
    void aNewVisitorFindsTheVisitorsOfExitedHostProcessesGone() {
        Kernel k = boot();
        FakeHost host = new FakeHost();
        host.add(5000, 5000, 1, "ps", "ps");
        host.add(7000, 7000, 2, "vmstat", "vmstat");
        k.visitors().setProbe(host);
        int running0 = k.scheduler().nrRunning();
        Task ps = k.visitors().current(5000);
        assertEquals(running0 + 1, k.scheduler().nrRunning());
        host.exit(5000);
        Task vmstat = k.visitors().current(7000);
        assertFalse(ps.isAlive(), "ps left when vmstat arrived");
        assertEquals(running0 + 1, k.scheduler().nrRunning(), "vmstat counts itself, not ps");
        assertEquals(1, k.visitors().count());
        assertSame(vmstat, k.visitors().current(7000), "a known thread does not sweep");
    }

    private static long slab(Kernel k) {
        return k.vmstat().get(ksim.mm.VmStat.Item.NR_SLAB_RECLAIMABLE) + k.vmstat().get(ksim.mm.VmStat.Item.NR_SLAB_UNRECLAIMABLE);
    }

    @Test
    void aReusedHostPidIsANewVisitor() {
        Kernel k = boot();
        FakeHost host = new FakeHost();
        host.add(5000, 5000, 100, "old", "old");
        k.visitors().setProbe(host);
        Task first = k.visitors().current(5000);
        // The host process exits and another one gets tgid 5000 with a later start time.
        host.exit(5000);
        host.add(5000, 5000, 200, "new", "new");
        k.visitors().sweep();
        assertFalse(first.isAlive());
        Task second = k.visitors().current(5000);
        assertNotEquals(first.pid(), second.pid());
        assertEquals("new", second.commString());
        assertEquals(1, k.visitors().count());
    }
}
