package ksim.kernel.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** kernel/sched/pelt.c: geometric sums that saturate at LOAD_AVG_MAX and halve every 32 periods. */
class SchedAvgTest {

    @Test
    void decayHalvesEvery32Periods() {
        assertEquals(1024, SchedAvg.decayLoad(2048, 32), 1);
        assertEquals(512, SchedAvg.decayLoad(2048, 64), 1);
        assertEquals(0, SchedAvg.decayLoad(1L << 40, 64 * 32));
    }

    @Test
    void aTaskAlwaysRunningSaturatesNearFullHoweverOftenItIsUpdated() {
        SplittableRandom rng = new SplittableRandom(7);
        SchedAvg a = new SchedAvg();
        a.start(0);
        long t = 0;
        for (int i = 0; i < 20_000; i++) {
            t += 1 + rng.nextLong(3_000_000);
            a.update(t, 1024, true, true);
            assertTrue(a.loadSum() <= SchedAvg.LOAD_AVG_MAX, "load_sum " + a.loadSum() + " after " + i);
            assertTrue(a.utilAvg() <= 1024 && a.loadAvg() <= 1024, a.utilAvg() + " " + a.loadAvg());
        }
        assertTrue(a.utilAvg() >= 1000, "util " + a.utilAvg());
        assertTrue(a.loadAvg() >= 1000, "load " + a.loadAvg());
        // Sleeping 32 ms halves it.
        long util = a.utilAvg();
        a.update(t + 32L * 1024 * 1024, 1024, false, false);
        assertTrue(Math.abs(a.utilAvg() - util / 2) <= util / 50, "halved: " + util + " -> " + a.utilAvg());
    }
}
