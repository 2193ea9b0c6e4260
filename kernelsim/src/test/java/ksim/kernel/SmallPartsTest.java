package ksim.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Tty device numbers, cpumask printing and the wall-clock driver. */
class SmallPartsTest {

    @Test
    void ttyEncodingFollowsNewEncodeDev() {
        Tty pts0 = Tty.pts(0);
        assertEquals(136, pts0.major());
        assertEquals(0, pts0.minor());
        assertEquals(34816, pts0.encoded());
        Tty pts5 = Tty.pts(5);
        assertEquals("pts/5", pts5.name());
        assertEquals(34821, pts5.encoded());
        Tty tty1 = new Tty(4, 1, "tty1");
        assertEquals(1025, tty1.encoded());
        // a minor above 255 goes to bits 20..31 (new_encode_dev)
        assertEquals(44 | (136 << 8) | (256 << 12), new Tty(136, 300, "x").encoded());
        assertEquals(0, tty1.foregroundPgrp());
    }

    @Test
    void ptsAbove255KeepsMajor136() {
        Tty t = Tty.pts(299);
        assertEquals(136, t.major());
        assertEquals(299, t.minor());
        assertEquals(1083435, t.encoded());
    }

    @Test
    void cpuMasks() {
        assertEquals("1", CpuMask.mask(1));
        assertEquals("3", CpuMask.mask(2));
        assertEquals("ff", CpuMask.mask(8));
        assertEquals("ffffffff", CpuMask.mask(32));
        assertEquals("1,ffffffff", CpuMask.mask(33));
        assertEquals("ffffffff,ffffffff", CpuMask.mask(64));
        assertEquals("0", CpuMask.list(1));
        assertEquals("0-1", CpuMask.list(2));
        assertEquals("0-63", CpuMask.list(64));
        assertEquals("2", CpuMask.single(1, 2));
        assertEquals("1", CpuMask.single(0, 1));
        assertEquals("1,00000000", CpuMask.single(32, 33));
        assertEquals("80000000", CpuMask.single(31, 32));
    }

    @Test
    void wallClockCatchesUpWithInjectedTime() {
        Kernel k = TestKernels.boot();
        AtomicLong now = new AtomicLong(1_000_000_000L);
        WallClock wc = new WallClock(k, now::get);
        long j0 = k.clock().jiffies();
        assertEquals(0, wc.catchUp());
        now.addAndGet(Param.NSEC_PER_SEC);
        assertEquals(Param.HZ, wc.catchUp());
        assertEquals(j0 + Param.HZ, k.clock().jiffies());
        now.addAndGet(Param.TICK_NSEC - 1);
        assertEquals(0, wc.catchUp(), "less than a tick");
        now.addAndGet(1);
        assertEquals(1, wc.catchUp());
        now.addAndGet(-5 * Param.NSEC_PER_SEC);
        assertEquals(0, wc.catchUp(), "time never runs backwards");
        assertEquals(j0 + Param.HZ + 1, k.clock().jiffies());
        wc.close();
    }

    @Test
    void configValidation() {
        KernelConfig c = TestKernels.config();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> c.withCpus(0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> c.withMemoryKb(1024));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> c.withHostname(""));
        assertEquals(4, c.withCpus(4).cpus());
        Kernel k = Kernel.boot(c.withCpus(4).withDemo(false));
        assertEquals(4, k.scheduler().nrCpus());
        assertEquals(1, TestKernels.allByComm(k, "migration/3").size());
    }
}
