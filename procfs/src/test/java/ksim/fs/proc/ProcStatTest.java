package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ksim.fs.File;
import ksim.kernel.KernelCpustat;
import ksim.kernel.Param;
import ksim.kernel.PreforkPool;
import ksim.kernel.Task;
import ksim.kernel.TaskState;
import org.junit.jupiter.api.Test;

/** /proc/stat (show_stat) and /proc/uptime (uptime_proc_show). */
class ProcStatTest {
    private final Proc p = Proc.boot();

    /** label -> the numbers of that line. */
    private static Map<String, long[]> parse(String stat) {
        Map<String, long[]> m = new HashMap<>();
        for (String line : stat.split("\n")) {
            String[] w = line.split(" +");
            m.put(w[0], Arrays.stream(w, 1, w.length).mapToLong(Long::parseLong).toArray());
        }
        return m;
    }

    private long[] uptimeCs() {
        String[] w = p.read("/uptime").strip().split(" ");
        assertEquals(2, w.length);
        long[] r = new long[2];
        for (int i = 0; i < 2; i++) {
            assertTrue(w[i].matches("\\d+\\.\\d\\d"), w[i]);
            r[i] = Long.parseLong(w[i].replace(".", ""));
        }
        return r;
    }

    @Test
    void layoutOfTheCpuLines() {
        String stat = p.read("/stat");
        List<String> lines = List.of(stat.split("\n"));
        assertTrue(lines.get(0).startsWith("cpu  "), "two spaces after cpu: " + lines.get(0));
        assertFalse(lines.get(0).startsWith("cpu   "));
        assertTrue(lines.get(1).startsWith("cpu0 "));
        assertTrue(lines.get(2).startsWith("cpu1 "));
        assertTrue(lines.get(3).startsWith("intr "));
        Map<String, long[]> m = parse(stat);
        assertEquals(10, m.get("cpu").length);
        assertEquals(10, m.get("cpu0").length);
        assertEquals(10, m.get("cpu1").length);
        for (String key : List.of("ctxt", "btime", "processes", "procs_running", "procs_blocked")) {
            assertEquals(1, m.get(key).length, key);
        }
        assertEquals(11, m.get("softirq").length);
        assertEquals(Arrays.stream(m.get("softirq")).skip(1).sum(), m.get("softirq")[0], "softirq total");
        assertEquals(m.get("intr")[0], m.get("softirq")[1 + KernelCpustat.TIMER_SOFTIRQ], "one timer softirq per interrupt");
        assertTrue(stat.endsWith("\n"));
    }

    /**
     * show_stat() sums the per-CPU ns and converts the sum, so the "cpu" line is the sum of the
     * "cpuN" lines up to the rounding of each: total - sum is in [0, ncpus - 1] for every field
     * (real Linux shows the same: on a 2-CPU host idle 216201 against 109078 + 107122).
     */
    @Test
    void cpuLineIsTheSumOfCpuNLines() {
        int ncpu = p.k.scheduler().nrCpus();
        int inexact = 0;
        for (int round = 0; round < 40; round++) {
            Map<String, long[]> m = parse(p.read("/stat"));
            long[] sum = new long[10];
            for (int c = 0; c < ncpu; c++) for (int i = 0; i < 10; i++) sum[i] += m.get("cpu" + c)[i];
            long[] total = m.get("cpu");
            for (int i = 0; i < 10; i++) {
                long d = total[i] - sum[i];
                assertTrue(d >= 0 && d <= ncpu - 1, "round " + round + " field " + i + ": " + total[i] + " vs " + sum[i]);
                if (d != 0) inexact++;
            }
            // exactly the conversion of the summed ns
            long idleNs = 0;
            for (int c = 0; c < ncpu; c++) idleNs += p.k.scheduler().cpustat(c).get(KernelCpustat.IDLE);
            assertEquals(ksim.kernel.Clock.nsecToClockT(idleNs), total[3]);
            long step = round % 2 == 0 ? 1 : 2 * Param.HZ - 1;
            p.k.locked(() -> p.k.tick(step));
        }
        assertTrue(inexact > 0, "odd jiffies do show the rounding");
    }

    @Test
    void cpuTotalsCoverUptimeOnEveryCpu() {
        p.k.locked(() -> p.k.tick(7 * Param.HZ));
        Map<String, long[]> m = parse(p.read("/stat"));
        long upCs = uptimeCs()[0];
        assertEquals(1000, upCs, "3 s of boot + 7 s");
        for (int c = 0; c < 2; c++) {
            long total = Arrays.stream(m.get("cpu" + c)).sum();
            // each counter is rounded down separately: at most 9 of 10 short by one
            assertTrue(total <= upCs && total >= upCs - 9, "cpu" + c + " total " + total);
        }
    }

    @Test
    void btimePlusUptimeIsNow() {
        p.k.locked(() -> p.k.tick(123));
        long btime = parse(p.read("/stat")).get("btime")[0];
        assertEquals(Proc.BOOT_MS / 1000, btime);
        long upCs = uptimeCs()[0];
        long nowNs = p.k.clock().realtimeNs();
        assertEquals(nowNs / 10_000_000L, btime * 100 + upCs, "btime + uptime = boot epoch + boottime");
        assertEquals(p.k.clock().bootEpochNanos() + p.k.clock().boottimeNs(), nowNs);
    }

    @Test
    void procsRunningAndBlockedCountTasks() {
        Task master = PreforkPool.start(p.k, 4);
        p.k.locked(() -> {
            int i = 0;
            for (Task w : master.children()) {
                if (i++ < 2) p.k.setState(w, TaskState.RUNNING, "");
                else p.k.setState(w, TaskState.UNINTERRUPTIBLE, "io_schedule");
            }
        });
        Map<String, long[]> m = parse(p.read("/stat"));
        long running = p.k.locked(() -> p.k.pids().allTasks().stream().filter(t -> t.state() == TaskState.RUNNING).count());
        long blocked = p.k.locked(() -> p.k.pids().allTasks().stream().filter(t -> t.state() == TaskState.UNINTERRUPTIBLE).count());
        assertEquals(3, running, "md5sum and two workers");
        assertEquals(running, m.get("procs_running")[0]);
        assertEquals(blocked, m.get("procs_blocked")[0]);
        assertEquals(2, blocked);
        assertEquals(p.k.totalForks(), m.get("processes")[0]);
        assertTrue(p.k.totalForks() >= p.k.pids().nrThreads());
        assertEquals(p.k.scheduler().nrContextSwitches(), m.get("ctxt")[0]);
    }

    @Test
    void rereadingAfterTicksShowsNewCounters() {
        byte[] before = p.bytes("/stat");
        File f = p.open("/stat");
        byte[] first = Proc.readAll(f, 4096);
        assertArrayEquals(before, first, "no time passed");
        p.k.locked(() -> p.k.tick(Param.HZ));
        byte[] reopened = p.bytes("/stat");
        assertFalse(Arrays.equals(before, reopened), "a new open renders anew");
        byte[] again = Proc.readAll(f, 4096);
        assertArrayEquals(reopened, again, "reading the same File from offset 0 again renders anew (top's way)");
        Map<String, long[]> a = parse(new String(before, StandardCharsets.US_ASCII));
        Map<String, long[]> b = parse(new String(again, StandardCharsets.US_ASCII));
        for (int c = 0; c < 2; c++) {
            long da = Arrays.stream(b.get("cpu" + c)).sum() - Arrays.stream(a.get("cpu" + c)).sum();
            assertTrue(Math.abs(da - Param.USER_HZ) <= 9, "one second on cpu" + c + ": " + da);
        }
        assertNotEquals(a.get("intr")[0], b.get("intr")[0]);
        assertEquals(a.get("intr")[0] + 2L * Param.HZ, b.get("intr")[0], "one timer interrupt per CPU per tick");
    }

    @Test
    void aReadSequenceDoesNotTear() {
        File f = p.open("/stat");
        byte[] head = new byte[10];
        assertEquals(10, f.read(0, head, 0, 10));
        byte[] rendered = p.bytes("/stat");
        p.k.locked(() -> p.k.tick(Param.HZ));
        // continuing past offset 0 serves the buffer rendered by the first read
        byte[] rest = new byte[8192];
        int n = f.read(10, rest, 0, rest.length);
        byte[] whole = new byte[10 + n];
        System.arraycopy(head, 0, whole, 0, 10);
        System.arraycopy(rest, 0, whole, 10, n);
        assertArrayEquals(rendered, whole);
        assertEquals(0, f.read(whole.length, rest, 0, rest.length), "end of file");
        assertEquals(ksim.kernel.Errno.EINVAL, Proc.errnoOf(() -> f.read(-1, rest, 0, 1)));
    }

    @Test
    void uptimeIdleIsTheSumOfCpuIdle() {
        for (int round = 0; round < 6; round++) {
            Map<String, long[]> m = parse(p.read("/stat"));
            long[] up = uptimeCs();
            long idleTotalNs = 0;
            for (int c = 0; c < 2; c++) idleTotalNs += p.k.scheduler().cpustat(c).get(KernelCpustat.IDLE);
            assertEquals(idleTotalNs / 10_000_000L, up[1], "uptime idle in cs from the same ns");
            assertEquals(m.get("cpu")[3], up[1], "the cpu line's idle, same rounding");
            long sumN = m.get("cpu0")[3] + m.get("cpu1")[3];
            assertTrue(up[1] - sumN >= 0 && up[1] - sumN <= 1, "within 1 cs per CPU: " + up[1] + " vs " + sumN);
            assertTrue(up[1] <= 2 * up[0], "idle is at most ncpus * uptime");
            p.k.locked(() -> p.k.tick(Param.HZ / 2 + 1));
        }
    }

    @Test
    void uptimeAfterBootIsThreeSeconds() {
        assertEquals("3.00", p.read("/uptime").split(" ")[0]);
        p.k.locked(() -> p.k.tick(1));
        assertEquals("3.00", p.read("/uptime").split(" ")[0], "4 ms do not show");
        p.k.locked(() -> p.k.tick(2));
        assertEquals("3.01", p.read("/uptime").split(" ")[0]);
    }
}
