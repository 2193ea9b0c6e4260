package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** kernel/sched/loadavg.c: calc_load() in FSHIFT fixed point, sampled every LOAD_FREQ ticks. */
class LoadAvgTest {
    private static final long[] EXP = {Param.EXP_1, Param.EXP_5, Param.EXP_15};

    @Test
    void calcLoadMatchesHandComputedKernelValues() {
        // (0*1884 + 2048*164 + 2047) / 2048 = 164 (the first sample of one runnable task)
        assertEquals(164, LoadAvg.calcLoad(0, Param.EXP_1, Param.FIXED_1));
        // (0*2014 + 2048*34 + 2047) / 2048 = 34
        assertEquals(34, LoadAvg.calcLoad(0, Param.EXP_5, Param.FIXED_1));
        // (0*2037 + 2048*11 + 2047) / 2048 = 11
        assertEquals(11, LoadAvg.calcLoad(0, Param.EXP_15, Param.FIXED_1));
        // decay without rounding up: 2048*1884/2048 = 1884
        assertEquals(1884, LoadAvg.calcLoad(Param.FIXED_1, Param.EXP_1, 0));
        // 1000*2014/2048 = 983.4 -> 983
        assertEquals(983, LoadAvg.calcLoad(1000, Param.EXP_5, 0));
        // a steady load stays put: (1000*2014 + 1000*34 + 2047)/2048 = 1000.99 -> 1000
        assertEquals(1000, LoadAvg.calcLoad(1000, Param.EXP_5, 1000));
        // active below load decays without the +FIXED_1-1: (4096*1884 + 2048*164)/2048 = 3932
        assertEquals(3932, LoadAvg.calcLoad(2 * Param.FIXED_1, Param.EXP_1, Param.FIXED_1));
    }

    @Test
    void calcLoadConvergesToActiveFromBelowAndAbove() {
        long up = 0, down = 10 * Param.FIXED_1;
        for (int i = 0; i < 2000; i++) {
            up = LoadAvg.calcLoad(up, Param.EXP_1, 3 * Param.FIXED_1);
            down = LoadAvg.calcLoad(down, Param.EXP_1, 3 * Param.FIXED_1);
        }
        // Rounding up while active >= load makes the climb reach active exactly.
        assertEquals(3 * Param.FIXED_1, up);
        assertTrue(Math.abs(down - 3 * Param.FIXED_1) <= Param.FIXED_1 / 100, "down " + down);
    }

    @Test
    void kernelSamplesEveryLoadFreqWithTheActiveCount() {
        Kernel k = boot();
        LoadAvg la = k.scheduler().loadAvg();
        long j = k.clock().jiffies();
        assertTrue(j < Param.LOAD_FREQ, "boot ends before the first sample");
        for (int i = 0; i < 3; i++) assertEquals(0, la.avenrun(i, 0), "nothing sampled during boot");

        long active = k.scheduler().nrRunning() + k.scheduler().nrUninterruptible();
        assertEquals(1, active, "md5sum");
        long[] expect = new long[3];
        for (int period = 1; period <= 6; period++) {
            // Up to one tick before the sample nothing moves.
            k.tick(period * (long) Param.LOAD_FREQ - 1 - k.clock().jiffies());
            for (int i = 0; i < 3; i++) assertEquals(expect[i], la.avenrun(i, 0), "before sample " + period);
            k.tick(1);
            for (int i = 0; i < 3; i++) {
                expect[i] = LoadAvg.calcLoad(expect[i], EXP[i], active * Param.FIXED_1);
                assertEquals(expect[i], la.avenrun(i, 0), "avenrun[" + i + "] after sample " + period);
            }
        }
    }

    @Test
    void firstSampleOfOneRunnableTaskIs164() {
        Kernel k = boot();
        k.tick(Param.LOAD_FREQ - k.clock().jiffies());
        LoadAvg la = k.scheduler().loadAvg();
        assertEquals(164, la.avenrun(0, 0));
        assertEquals(34, la.avenrun(1, 0));
        assertEquals(11, la.avenrun(2, 0));
        assertEquals(164 + Param.FIXED_1 / 200, la.avenrun(0, Param.FIXED_1 / 200), "offset is added");
    }

    @Test
    void loadRisesTowardTheRunnableCountAndCountsUninterruptible() {
        Kernel k = boot();
        Task master = PreforkPool.start(k, 4);
        int i = 0;
        for (Task w : master.children()) {
            // two more runnable, one in D: with md5sum, four active
            if (i < 2) k.setState(w, TaskState.RUNNING, "");
            else if (i == 2) k.setState(w, TaskState.UNINTERRUPTIBLE, "io_schedule");
            i++;
        }
        assertEquals(4, k.scheduler().nrRunning() + k.scheduler().nrUninterruptible());
        LoadAvg la = k.scheduler().loadAvg();
        double prev1 = 0;
        for (int p = 0; p < 60; p++) {
            k.tick(Param.LOAD_FREQ);
            double l1 = la.avenrun(0, 0) / (double) Param.FIXED_1;
            assertTrue(l1 >= prev1, "monotonic rise");
            prev1 = l1;
        }
        double l1 = la.avenrun(0, 0) / (double) Param.FIXED_1;
        double l5 = la.avenrun(1, 0) / (double) Param.FIXED_1;
        double l15 = la.avenrun(2, 0) / (double) Param.FIXED_1;
        assertTrue(Math.abs(l1 - 4.0) < 0.05, "1-minute load after 5 minutes: " + l1);
        assertTrue(l5 < l1 && l15 < l5 && l15 > 0.5, l1 + " " + l5 + " " + l15);
        // ~ 4 * (1 - e^-1) after 5 minutes for the 5-minute average
        assertTrue(Math.abs(l5 - 4 * (1 - Math.exp(-1))) < 0.1, "5-minute load " + l5);

        // All idle again: the average decays.
        for (Task w : master.children()) k.setState(w, TaskState.INTERRUPTIBLE, "do_epoll_wait");
        k.setState(byComm(k, "md5sum"), TaskState.INTERRUPTIBLE, "pipe_read");
        long peak = la.avenrun(0, 0);
        k.tick(60L * Param.LOAD_FREQ);
        // 4 * e^-5 = 0.027: the 1-minute average is almost gone after 5 idle minutes.
        assertTrue(la.avenrun(0, 0) < Param.FIXED_1 / 20, "decayed: " + la.avenrun(0, 0));
        assertTrue(la.avenrun(2, 0) < peak, "15-minute average falls too");
    }
}
