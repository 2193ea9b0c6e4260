package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static ksim.kernel.TestKernels.config;
import static ksim.kernel.TestKernels.spawnSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ksim.kernel.sched.LoadWeight;
import org.junit.jupiter.api.Test;

/** kernel/sched/fair.c and core.c as the model has them: weights, vruntime, slices, wakeups, balance. */
class CfsSchedulerTest {

    private static Task hog(Kernel k, String name, int nice) {
        Task t = spawnSmall(k, name);
        k.setNice(t, nice);
        k.setState(t, TaskState.RUNNING, "");
        return t;
    }

    @Test
    void calcDeltaFairScalesByTheInverseWeight() {
        assertEquals(4_000_000, LoadWeight.calcDeltaFair(4_000_000, 0));
        for (int nice = -20; nice <= 19; nice++) {
            double exact = 4_000_000.0 * 1024 / LoadWeight.weight(nice);
            assertTrue(Math.abs(LoadWeight.calcDeltaFair(4_000_000, nice) - exact) <= exact * 1e-4 + 1, "nice " + nice);
        }
        assertEquals(1024L << 10, LoadWeight.scaleLoad(LoadWeight.weight(0)));
    }

    @Test
    void niceZeroAndNiceFiveShareOneCpuByTheirWeights() {
        Kernel k = boot(config().withCpus(1));
        Task md5 = byComm(k, "md5sum");
        Task w = hog(k, "nice5", 5);
        long a0 = md5.se().sumExecRuntime(), b0 = w.se().sumExecRuntime();
        k.tick(60L * Param.HZ);
        double a = md5.se().sumExecRuntime() - a0, b = w.se().sumExecRuntime() - b0;
        double ratio = a / b;
        assertTrue(Math.abs(ratio - 1024.0 / 335) < 0.1, "runtime ratio " + ratio + " vs 1024:335");
        // The sampled times follow: the tick counts are in the same proportion, loosely.
        double ticks = (double) (md5.utime() + md5.stime()) / (w.utime() + w.stime());
        assertTrue(ticks > 2.5, "tick ratio " + ticks);
        // And their virtual runtimes stayed within a tick's worth of each other.
        long gap = Math.abs(md5.se().vruntime() - w.se().vruntime());
        assertTrue(gap <= LoadWeight.calcDeltaFair(2 * Param.TICK_NSEC, 5), "vruntime gap " + gap);
    }

    @Test
    void theLeftmostRunsAndEqualTasksStayWithinATickOfEachOther() {
        Kernel k = boot(config().withCpus(1));
        List<Task> hogs = new ArrayList<>();
        hogs.add(byComm(k, "md5sum"));
        for (int i = 0; i < 3; i++) hogs.add(hog(k, "h" + i, 0));
        for (int i = 0; i < 400; i++) {
            k.tick(1);
            Task curr = k.scheduler().curr(0);
            assertTrue(hogs.contains(curr), "a hog runs at every tick end: " + curr);
            for (Task h : hogs) {
                if (h != curr) assertTrue(curr.se().vruntime() <= h.se().vruntime() + Param.TICK_NSEC,
                        "picked " + curr + " but " + h + " was further left");
            }
        }
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (Task h : hogs) {
            min = Math.min(min, h.se().vruntime());
            max = Math.max(max, h.se().vruntime());
        }
        assertTrue(max - min <= 2 * Param.TICK_NSEC, "spread " + (max - min));
    }

    @Test
    void aTaskPastItsSliceIsPreemptedAtTheTick() {
        Kernel k = boot(config().withCpus(1));
        Task md5 = byComm(k, "md5sum");
        Task w = hog(k, "spin", 0);
        assertTrue(k.scheduler().baseSlice() < Param.TICK_NSEC, "a tick outlasts the slice");
        long niv = md5.nivcsw() + w.nivcsw();
        k.tick(100);
        assertTrue(md5.nivcsw() + w.nivcsw() - niv >= 98, "two hogs swap at (almost) every tick");
        assertEquals(0, md5.nvcsw(), "a hog never sleeps");
        // A lone hog is never preempted by the tick.
        k.setState(w, TaskState.INTERRUPTIBLE, "pipe_read");
        long before = md5.nivcsw();
        long pcount = md5.se().pcount();
        k.tick(100);
        assertTrue(md5.nivcsw() - before <= md5.se().pcount() - pcount, "only wakeups of kernel threads preempt it");
    }

    @Test
    void wakeupPlacementGivesSleepersHalfALatencyOfCredit() {
        Kernel k = boot(config().withCpus(1));
        Task md5 = byComm(k, "md5sum");
        Task sleeper = spawnSmall(k, "sleeper");
        k.setState(sleeper, TaskState.RUNNING, "");
        long initial = sleeper.se().vruntime();
        assertTrue(initial >= md5.se().vruntime() - Param.TICK_NSEC, "a new task starts at min_vruntime plus a slice, not at 0");
        k.setState(sleeper, TaskState.INTERRUPTIBLE, "do_select");
        k.tick(10L * Param.HZ);
        long minVruntime = md5.se().vruntime();
        k.setState(sleeper, TaskState.RUNNING, "");
        long lag = minVruntime - sleeper.se().vruntime();
        assertTrue(lag >= 0 && lag <= k.scheduler().latency / 2, "placed at most half a latency behind: " + lag);
        assertTrue(sleeper.se().vruntime() > initial, "not at its stale vruntime");
        assertEquals(sleeper, k.scheduler().curr(0), "with that credit the woken task preempts the hog");
    }

    @Test
    void loadBalanceSpreadsHogsPiledOnOneCpuAndCountsMigrations() {
        Kernel k = boot();
        List<Task> hogs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Task t = spawnSmall(k, "h" + i);
            k.sched.bind(t, 0);
            k.setState(t, TaskState.RUNNING, "");
            hogs.add(t);
        }
        for (Task t : hogs) k.sched.bind(t, -1);
        int before = k.scheduler().nrRunning(0);
        assertTrue(before >= 6, "piled on CPU 0: " + before);
        k.tick(4L * Scheduler.BALANCE_INTERVAL);
        int n0 = k.scheduler().nrRunning(0), n1 = k.scheduler().nrRunning(1);
        assertTrue(Math.abs(n0 - n1) < 2, "balanced: " + n0 + " / " + n1);
        long migrations = 0;
        int onOne = 0;
        for (Task t : hogs) {
            migrations += t.se().nrMigrations();
            if (t.cpu() == 1) onOne++;
        }
        assertTrue(onOne >= 2, "hogs moved to CPU 1: " + onOne);
        assertTrue(migrations >= onOne, "each move is counted: " + migrations);
        long ran = 0;
        for (Task t : hogs) if (t.cpu() == 1) ran += t.se().sumExecRuntime();
        assertTrue(ran > 0, "and they run there");
    }

    @Test
    void aBoundTaskNeverMovesAndAnUnboundOneIsPulledToTheIdleCpu() {
        Kernel k = boot();
        Task md5 = byComm(k, "md5sum");
        int busy = md5.cpu();
        int other = 1 - busy;
        Task b1 = spawnSmall(k, "b1");
        k.sched.bind(b1, busy);
        k.setState(b1, TaskState.RUNNING, "");
        Task free = spawnSmall(k, "free");
        k.sched.bind(free, busy);
        k.setState(free, TaskState.RUNNING, "");
        k.sched.bind(free, -1);
        k.tick(2L * Param.HZ);
        assertEquals(busy, b1.cpu());
        assertEquals(0, b1.se().nrMigrations());
        assertEquals(2, k.scheduler().nrRunning(busy) + k.scheduler().nrRunning(other) - 1, "three hogs in all");
        assertTrue(free.cpu() == other || md5.cpu() == other, "an unbound one went to the idle CPU");
        assertTrue(free.se().nrMigrations() + md5.se().nrMigrations() >= 1);
    }

    @Test
    void kernelThreadsWakeRunBrieflyAndSleepVoluntarily() {
        Kernel k = boot();
        Task rcu = byComm(k, "rcu_preempt");
        Task ksoftirqd = byComm(k, "ksoftirqd/0");
        long nv = rcu.nvcsw(), sum = rcu.se().sumExecRuntime(), ctxt = k.scheduler().nrContextSwitches();
        k.tick(10L * Param.HZ);
        assertEquals(TaskState.IDLE, rcu.state(), "back asleep after every burst");
        assertEquals("rcu_gp_fqs_loop", rcu.wchan());
        long wakes = rcu.nvcsw() - nv;
        assertTrue(wakes > 10L * Param.HZ / 7 && wakes < 10L * Param.HZ / 4, "rcu_preempt woke every 4-6 jiffies: " + wakes);
        assertEquals(0, rcu.nivcsw(), "on an idle CPU nothing preempts it");
        long ran = rcu.se().sumExecRuntime() - sum;
        assertTrue(ran > 0 && ran < wakes * 30_000, "short bursts: " + ran);
        assertEquals(0, rcu.utime() + rcu.stime(), "too short to be sampled by a tick");
        assertEquals(0, ksoftirqd.cpu(), "per-CPU threads stay on their CPU");
        assertEquals(0, ksoftirqd.se().nrMigrations());
        assertTrue(k.scheduler().nrContextSwitches() - ctxt > 2 * wakes, "each wake is two switches at least");
        // The hog they interrupt is preempted (involuntary), never sleeps.
        Task md5 = byComm(k, "md5sum");
        assertTrue(md5.nivcsw() > 0);
        assertEquals(0, md5.nvcsw());
    }

    @Test
    void realTimeRunsAheadOfFairTasks() {
        Kernel k = boot(config().withCpus(1));
        Task md5 = byComm(k, "md5sum");
        Task rt = spawnSmall(k, "rt");
        k.setRealtime(rt, Task.SCHED_FIFO, 50);
        k.setState(rt, TaskState.RUNNING, "");
        assertEquals(rt, k.scheduler().curr(0), "a woken FIFO task preempts at once");
        long t0 = md5.utime() + md5.stime();
        k.tick(Param.HZ);
        assertEquals(t0, md5.utime() + md5.stime(), "a fair task gets nothing while a FIFO task runs");
        k.setState(rt, TaskState.INTERRUPTIBLE, "futex_wait_queue");
        k.tick(Param.HZ);
        assertTrue(md5.utime() + md5.stime() > t0);
    }

    @Test
    void niceChangesReweightAQueuedTask() {
        Kernel k = boot(config().withCpus(1));
        Task md5 = byComm(k, "md5sum");
        Task w = hog(k, "w", 0);
        k.setNice(w, 19);
        assertEquals(LoadWeight.weight(19), w.se().weight());
        long a0 = md5.se().sumExecRuntime(), b0 = w.se().sumExecRuntime();
        k.tick(20L * Param.HZ);
        double ratio = (double) (md5.se().sumExecRuntime() - a0) / (w.se().sumExecRuntime() - b0);
        assertTrue(ratio > 30, "nice 19 gets about 1.5% next to nice 0: " + ratio);
    }

    @Test
    void sameSeedSameTicksSameSchedulerState() {
        Kernel a = boot(), b = boot();
        a.tick(7L * Param.HZ + 3);
        b.tick(7L * Param.HZ + 3);
        List<Task> ta = new ArrayList<>(a.pids().allTasks()), tb = new ArrayList<>(b.pids().allTasks());
        assertEquals(ta.size(), tb.size());
        for (int i = 0; i < ta.size(); i++) {
            SchedEntity x = ta.get(i).se(), y = tb.get(i).se();
            assertEquals(List.of(x.vruntime(), x.sumExecRuntime(), x.execStart(), x.runDelay(), x.pcount(), x.nrMigrations(),
                    ta.get(i).nvcsw(), ta.get(i).nivcsw(), (long) ta.get(i).cpu()),
                    List.of(y.vruntime(), y.sumExecRuntime(), y.execStart(), y.runDelay(), y.pcount(), y.nrMigrations(),
                    tb.get(i).nvcsw(), tb.get(i).nivcsw(), (long) tb.get(i).cpu()), ta.get(i).toString());
        }
        assertEquals(a.scheduler().nrContextSwitches(), b.scheduler().nrContextSwitches());
    }
}
