package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.busy;
import static ksim.kernel.TestKernels.byComm;
import static ksim.kernel.TestKernels.config;
import static ksim.kernel.TestKernels.cpuSum;
import static ksim.kernel.TestKernels.taskTimeSum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** scheduler_tick / account_process_tick: every jiffy of every CPU goes to one task or to idle. */
class TickAccountingTest {

    private static long[] sums(Kernel k) {
        long[] s = new long[k.scheduler().nrCpus()];
        for (int c = 0; c < s.length; c++) s[c] = cpuSum(k.scheduler().cpustat(c));
        return s;
    }

    private static long busyAll(Kernel k) {
        long s = 0;
        for (int c = 0; c < k.scheduler().nrCpus(); c++) s += busy(k.scheduler().cpustat(c));
        return s;
    }

    @Test
    void bootTakesThreeSecondsOfEveryCpu() {
        Kernel k = boot();
        assertEquals(3L * Param.HZ, k.clock().jiffies());
        assertEquals(3L * Param.NSEC_PER_SEC, k.clock().boottimeNs());
        for (int c = 0; c < k.scheduler().nrCpus(); c++) {
            assertEquals(3L * Param.NSEC_PER_SEC, cpuSum(k.scheduler().cpustat(c)), "cpu" + c);
            assertEquals(3L * Param.HZ, k.scheduler().cpustat(c).timerIrqs(), "one LOC interrupt per tick, cpu" + c);
        }
    }

    @Test
    void everyCpuGrowsByExactlyNTicks() {
        Kernel k = boot();
        for (long n : new long[] {1, 7, Param.HZ, 3 * Param.LOAD_FREQ + 5}) {
            long[] before = sums(k);
            long j = k.clock().jiffies();
            k.tick(n);
            long[] after = sums(k);
            assertEquals(j + n, k.clock().jiffies());
            for (int c = 0; c < before.length; c++) {
                assertEquals(n * Param.TICK_NSEC, after[c] - before[c], "cpu" + c + " after tick(" + n + ")");
            }
        }
    }

    @Test
    void taskTimesEqualBusyCpuTime() {
        Kernel k = boot();
        assertEquals(busyAll(k), taskTimeSum(k), "after boot");
        Task master = PreforkPool.start(k, 5);
        for (Task w : master.children()) k.setState(w, TaskState.RUNNING, "");
        k.setState(byComm(k, "ksmd"), TaskState.RUNNING, "");
        k.tick(4 * Param.HZ + 3);
        assertEquals(busyAll(k), taskTimeSum(k), "after ticking with several runnable tasks");
        assertTrue(busyAll(k) > 0);
    }

    @Test
    void aLoneRunningTaskGetsAllTicksOfOneCpuAndTheOtherIdles() {
        Kernel k = boot();
        List<Task> running = new ArrayList<>();
        for (Task t : k.pids().allTasks()) if (t.state() == TaskState.RUNNING) running.add(t);
        Task md5 = byComm(k, "md5sum");
        assertEquals(List.of(md5), running, "the demo's only runnable task");
        int cpu = md5.cpu();
        int other = 1 - cpu;
        long t0 = md5.utime() + md5.stime();
        long idleOther = k.scheduler().cpustat(other).get(KernelCpustat.IDLE);
        long idleMine = k.scheduler().cpustat(cpu).get(KernelCpustat.IDLE);
        long busyMine = busy(k.scheduler().cpustat(cpu));
        int n = 10 * Param.HZ;
        k.tick(n);
        assertEquals(n * Param.TICK_NSEC, md5.utime() + md5.stime() - t0);
        assertEquals(n * Param.TICK_NSEC, busy(k.scheduler().cpustat(cpu)) - busyMine);
        assertEquals(idleMine, k.scheduler().cpustat(cpu).get(KernelCpustat.IDLE), "its CPU never idles");
        assertEquals(n * Param.TICK_NSEC, k.scheduler().cpustat(other).get(KernelCpustat.IDLE) - idleOther);
        assertEquals(cpu, md5.cpu(), "no migration");
        // md5sum spends 70% in user mode (seeded draws): loosely that share.
        long du = md5.utime();
        double share = (double) du / (md5.utime() + md5.stime());
        assertTrue(share > 0.6 && share < 0.8, "user share " + share);
    }

    @Test
    void positiveNiceTimeIsChargedToNiceAndKernelThreadsOnlyToSystem() {
        Kernel k = boot();
        Task ksmd = byComm(k, "ksmd"); // nice 5, but a kernel thread
        assertEquals(5, ksmd.nice());
        Task w = TestKernels.spawnSmall(k, "batch");
        k.setNice(w, 10);
        k.setUserPercent(w, 100);
        k.setState(w, TaskState.RUNNING, "");
        k.setState(ksmd, TaskState.RUNNING, "");
        long niceBefore = 0;
        for (int c = 0; c < 2; c++) niceBefore += k.scheduler().cpustat(c).get(KernelCpustat.NICE);
        k.tick(600);
        long niceAfter = 0;
        for (int c = 0; c < 2; c++) niceAfter += k.scheduler().cpustat(c).get(KernelCpustat.NICE);
        assertTrue(w.utime() > 0);
        assertEquals(0, w.stime(), "userPercent 100: never system");
        assertEquals(w.utime(), niceAfter - niceBefore, "only the niced task adds to nice");
        assertEquals(0, ksmd.utime(), "a kernel thread has no user time");
        assertTrue(ksmd.stime() > 0);
    }

    @Test
    void equalWeightsShareACpuAndCountSwitches() {
        Kernel k = boot(config().withCpus(1));
        Task md5 = byComm(k, "md5sum");
        Task w = TestKernels.spawnSmall(k, "spin");
        k.setState(w, TaskState.RUNNING, "");
        long a0 = md5.utime() + md5.stime();
        long ctxt0 = k.scheduler().nrContextSwitches();
        long niv0 = md5.nivcsw();
        long idle0 = k.scheduler().cpustat(0).get(KernelCpustat.IDLE);
        k.tick(600);
        long a = md5.utime() + md5.stime() - a0;
        long b = w.utime() + w.stime();
        assertEquals(600 * Param.TICK_NSEC, a + b);
        // A tick is longer than a slice: equal weights alternate every tick, within a few ticks of half each.
        assertTrue(Math.abs(a - 300 * Param.TICK_NSEC) <= 3 * Param.TICK_NSEC, "equal shares: " + a);
        assertTrue(k.scheduler().nrContextSwitches() - ctxt0 >= 600 - 3);
        assertTrue(md5.nivcsw() > niv0, "preempted at the end of its slices");
        assertEquals(idle0, k.scheduler().cpustat(0).get(KernelCpustat.IDLE), "never idle with work queued");
    }

    @Test
    void tickRejectsNegative() {
        Kernel k = boot();
        assertEquals(Errno.EINVAL, TestKernels.errnoOf(() -> k.tick(-1)));
    }

    @Test
    void stateCountersFollowSetState() {
        Kernel k = boot();
        int running = k.scheduler().nrRunning();
        Task w = TestKernels.spawnSmall(k, "io");
        k.setState(w, TaskState.UNINTERRUPTIBLE, "io_schedule");
        assertEquals(1, k.scheduler().nrUninterruptible());
        assertEquals(running, k.scheduler().nrRunning());
        k.setState(w, TaskState.RUNNING, "");
        assertEquals(0, k.scheduler().nrUninterruptible());
        assertEquals(running + 1, k.scheduler().nrRunning());
        assertEquals("", w.wchan());
        k.exitAndRelease(w, 0);
        assertEquals(running, k.scheduler().nrRunning(), "an exited task leaves the run queue");
        assertEquals(Errno.EINVAL, TestKernels.errnoOf(() -> k.setState(byComm(k, "cron"), TaskState.ZOMBIE, "")));
    }
}
