package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static ksim.kernel.TestKernels.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tasks a booted demo kernel holds and how they relate. */
class BootTest {

    @Test
    void initIsSystemdWithoutParent() {
        Kernel k = boot();
        Task init = k.pids().find(1);
        assertSame(k.initTask(), init);
        assertEquals("systemd", init.commString());
        assertNull(init.realParent(), "ppid 0");
        assertNull(init.parent());
        assertEquals(0, init.exitSignal());
        assertFalse(init.isKthread());
        assertEquals(1, init.signal().session());
        assertEquals(1, init.signal().pgrp());
        assertTrue(init.signal().isSessionLeader());
        assertEquals("/usr/lib/systemd/systemd", init.mm().exeFile());
        assertEquals(0, init.flags() & Task.PF_FORKNOEXEC, "init has exec'd");
        assertEquals(TaskState.INTERRUPTIBLE, init.state());
    }

    @Test
    void kthreaddIsPid2AndParentOfEveryKernelThread() {
        Kernel k = boot();
        Task kthreadd = k.pids().find(2);
        assertSame(k.kthreadd(), kthreadd);
        assertEquals("kthreadd", kthreadd.commString());
        assertNull(kthreadd.realParent());
        assertTrue(kthreadd.isKthread());
        assertNull(kthreadd.mm());
        assertEquals(0, kthreadd.exitSignal());
        int kthreads = 0;
        for (Task t : k.pids().allTasks()) {
            if (t == kthreadd) continue;
            if (t.isKthread()) {
                kthreads++;
                assertSame(kthreadd, t.realParent(), t.toString());
                assertSame(kthreadd, t.parent(), t.toString());
                assertTrue(kthreadd.children().contains(t), t.toString());
                assertNull(t.mm(), "kernel threads have no mm: " + t);
                assertTrue((t.flags() & Task.PF_NOFREEZE) != 0, t.toString());
                assertEquals(Task.SIGCHLD, t.exitSignal(), t.toString());
                assertTrue(t.isGroupLeader());
            } else {
                assertNotSame(kthreadd, t.realParent(), "user task under kthreadd: " + t);
                assertNotNull(t.mm(), "user task without mm: " + t);
            }
        }
        assertEquals(kthreads, kthreadd.children().size());
        assertTrue(kthreads >= 30, "a 6.x kernel starts dozens of kernel threads: " + kthreads);
    }

    private static void assertNotSame(Object a, Object b, String msg) {
        assertFalse(a == b, msg);
    }

    @Test
    void kernelThreadSchedulingParameters() {
        Kernel k = boot();
        for (int cpu = 0; cpu < 2; cpu++) {
            Task m = byComm(k, "migration/" + cpu);
            assertEquals(Task.SCHED_FIFO, m.policy());
            assertEquals(99, m.rtPriority());
            assertEquals(0, m.prio(), "MAX_RT_PRIO - 1 - 99");
            assertEquals(1, TestKernels.allByComm(k, "ksoftirqd/" + cpu).size(), "ksoftirqd/" + cpu);
            assertEquals(1, TestKernels.allByComm(k, "cpuhp/" + cpu).size(), "cpuhp/" + cpu);
        }
        assertEquals(5, byComm(k, "ksmd").nice());
        assertEquals(19, byComm(k, "khugepaged").nice());
        assertEquals(-20, byComm(k, "kworker/R-netns").nice());
        assertEquals(TaskState.IDLE, byComm(k, "rcu_preempt").state());
        assertEquals(TaskState.INTERRUPTIBLE, byComm(k, "kswapd0").state());
        assertEquals("kswapd", byComm(k, "kswapd0").wchan());
        long unbound = k.pids().allTasks().stream().filter(t -> t.commString().startsWith("kworker/u8:0")).count();
        assertEquals(1, unbound, "the unbound pool is named after 4 * cpus");
    }

    @Test
    void rsyslogdHasFourThreads() {
        Kernel k = boot();
        Task rs = byComm(k, "rsyslogd");
        assertTrue(rs.isGroupLeader());
        List<Task> threads = rs.signal().threads();
        assertEquals(4, threads.size());
        assertEquals(4, rs.signal().nrThreads());
        assertSame(rs, threads.get(0));
        assertEquals(List.of("rsyslogd", "in:imuxsock", "in:imklog", "rs:main Q:Reg"),
                threads.stream().map(Task::commString).toList());
        assertEquals(Task.SIGCHLD, rs.exitSignal());
        for (Task th : threads.subList(1, 4)) {
            assertEquals(-1, th.exitSignal(), "threads do not signal their parent: " + th);
            assertSame(rs, th.groupLeader());
            assertEquals(rs.pid(), th.tgid());
            assertNotEquals(rs.pid(), th.pid());
            assertSame(rs.signal(), th.signal());
            assertSame(rs.mm(), th.mm(), "threads share the mm");
            assertSame(rs.realParent(), th.realParent());
            assertFalse(rs.children().contains(th));
            assertFalse(k.pids().leaders().contains(th));
        }
        assertSame(k.initTask(), rs.realParent());
        assertEquals("futex_wait_queue", byComm(k, "rs:main Q:Reg").wchan());
    }

    @Test
    void loginSessionProcessGroupsAndTty() {
        Kernel k = boot();
        Task bash = byComm(k, "bash");
        Task md5 = byComm(k, "md5sum");
        Task sleep = byComm(k, "sleep");
        Task session = bash.realParent();
        Task priv = session.realParent();
        Task sshd = priv.realParent();
        assertEquals("sshd", session.commString());
        assertEquals("sshd", priv.commString());
        assertEquals("sshd", sshd.commString());
        assertSame(k.initTask(), sshd.realParent());
        assertEquals("sshd: alice [priv]\0", new String(priv.mm().argv(), StandardCharsets.UTF_8));
        assertEquals("sshd: alice@pts/0\0", new String(session.mm().argv(), StandardCharsets.UTF_8));
        assertEquals("-bash\0", new String(bash.mm().argv(), StandardCharsets.UTF_8));

        // bash leads its session and process group and owns pts/0
        assertTrue(bash.signal().isSessionLeader());
        assertEquals(bash.pid(), bash.signal().session());
        assertEquals(bash.pid(), bash.signal().pgrp());
        Tty pts = bash.signal().tty();
        assertNotNull(pts);
        assertEquals("pts/0", pts.name());
        assertEquals(136, pts.major());
        assertEquals(0, pts.minor());
        assertEquals(136 << 8, pts.encoded());
        assertEquals("/home/alice", bash.cwd());
        assertEquals(1000, bash.cred().uid());
        assertEquals(List.of(24, 27, 100, 1000), bash.cred().groups());

        // md5sum: the foreground job, its own group in bash's session
        assertSame(bash, md5.realParent());
        assertEquals(bash.pid(), md5.signal().session());
        assertEquals(md5.pid(), md5.signal().pgrp());
        assertFalse(md5.signal().isSessionLeader());
        assertSame(pts, md5.signal().tty());
        assertEquals(md5.pid(), pts.foregroundPgrp(), "md5sum is the foreground process group of pts/0");
        assertEquals(TaskState.RUNNING, md5.state());

        // sleep: a background job
        assertSame(bash, sleep.realParent());
        assertEquals(sleep.pid(), sleep.signal().pgrp());
        assertEquals(bash.pid(), sleep.signal().session());
        assertSame(pts, sleep.signal().tty());
        assertNotEquals(sleep.pid(), pts.foregroundPgrp());

        // the sshd chain: each a session leader of its own, without a tty
        assertTrue(priv.signal().isSessionLeader());
        assertEquals(priv.pid(), priv.signal().session());
        assertNull(priv.signal().tty());
        assertEquals(priv.pid(), session.signal().session(), "the unprivileged child stays in priv's session");

        // agetty on tty1
        Task getty = byComm(k, "agetty");
        assertEquals("tty1", getty.signal().tty().name());
        assertEquals(getty.pid(), getty.signal().tty().foregroundPgrp());
        assertEquals((4 << 8) | 1, getty.signal().tty().encoded());
    }

    @Test
    void sessionOperationsRefuseWhatLinuxRefuses() {
        Kernel k = boot();
        Task bash = byComm(k, "bash");
        Task md5 = byComm(k, "md5sum");
        assertEquals(Errno.EPERM, TestKernels.errnoOf(() -> k.setsid(bash)), "a group leader cannot setsid");
        assertEquals(Errno.EPERM, TestKernels.errnoOf(() -> k.setpgid(bash, 0)), "a session leader keeps its group");
        assertEquals(Errno.EPERM, TestKernels.errnoOf(() -> k.setControllingTty(md5, Tty.pts(1))));
        assertEquals(Errno.EINVAL, TestKernels.errnoOf(() -> k.setNice(md5, 20)));
        assertEquals(Errno.EINVAL, TestKernels.errnoOf(() -> k.setRealtime(md5, Task.SCHED_FIFO, 0)));
        assertEquals(Errno.EINVAL, TestKernels.errnoOf(() -> k.setCmdline(byComm(k, "kswapd0"), List.of("x"))));
        assertEquals(Errno.EINVAL, TestKernels.errnoOf(() -> k.execve(byComm(k, "kswapd0"),
                ksim.mm.Program.small("/bin/sh", 4, 4, 0), List.of("sh"), List.of())));
    }

    @Test
    void oddServiceAndDaemons() {
        Kernel k = boot();
        Task odd = byComm(k, "weird) (name");
        assertEquals(1000, odd.cred().euid());
        assertSame(k.initTask(), odd.realParent());
        Task journald = byComm(k, "systemd-journal");
        assertSame(k.initTask(), journald.realParent());
        assertTrue(journald.signal().isSessionLeader());
        assertEquals("/usr/sbin/cron\0-f\0", new String(byComm(k, "cron").mm().argv(), StandardCharsets.UTF_8));
    }

    @Test
    void bootIsDeterministic() {
        Kernel a = boot();
        Kernel b = boot();
        assertEquals(a.pids().nrThreads(), b.pids().nrThreads());
        for (Task t : a.pids().allTasks()) {
            Task u = b.pids().find(t.pid());
            assertEquals(t.commString(), u.commString());
            assertEquals(t.utime(), u.utime(), t.toString());
            assertEquals(t.stime(), u.stime(), t.toString());
        }
        assertEquals(a.vmstat().freePages(), b.vmstat().freePages());
    }

    @Test
    void withoutDemoOnlyInitAndKernelThreads() {
        Kernel k = boot(config().withDemo(false));
        for (Task t : k.pids().allTasks()) {
            assertTrue(t == k.initTask() || t.isKthread(), t.toString());
        }
        assertEquals(3L * Param.HZ, k.clock().jiffies());
        assertEquals(0, k.scheduler().nrRunning());
    }

    @Test
    void clockTimes() {
        Kernel k = boot();
        Clock c = k.clock();
        assertEquals(Clock.Mode.MANUAL, c.mode());
        assertEquals(TestKernels.BOOT_MS / 1000, c.bootEpochSeconds());
        assertEquals(TestKernels.BOOT_MS * 1_000_000L + c.boottimeNs(), c.realtimeNs());
        assertEquals(300, Clock.nsecToClockT(3 * Param.NSEC_PER_SEC));
        assertEquals(0, Clock.nsecToClockT(9_999_999));
        assertEquals(1, Clock.nsecToClockT(10_000_000));
        k.tick(1);
        assertEquals(3 * Param.NSEC_PER_SEC + Param.TICK_NSEC, c.boottimeNs());
        // A task started now gets the current boottime as start_time.
        Task t = TestKernels.spawnSmall(k, "late");
        assertEquals(c.boottimeNs(), t.startTime());
    }
}
