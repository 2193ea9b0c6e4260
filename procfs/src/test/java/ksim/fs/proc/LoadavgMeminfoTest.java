package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ksim.kernel.Cred;
import ksim.kernel.Param;
import ksim.kernel.PreforkPool;
import ksim.kernel.Task;
import ksim.kernel.TaskState;
import ksim.mm.Program;
import org.junit.jupiter.api.Test;

/** /proc/loadavg (loadavg_proc_show) and /proc/meminfo (meminfo_proc_show). */
class LoadavgMeminfoTest {
    private static final Pattern LOADAVG = Pattern.compile("^(\\d+\\.\\d\\d) (\\d+\\.\\d\\d) (\\d+\\.\\d\\d) (\\d+)/(\\d+) (\\d+)$");
    private final Proc p = Proc.boot();

    private Matcher loadavg() {
        String s = p.read("/loadavg");
        assertTrue(s.endsWith("\n"));
        Matcher m = LOADAVG.matcher(s.substring(0, s.length() - 1));
        assertTrue(m.matches(), s);
        return m;
    }

    @Test
    void loadavgFormatCountsAndLastPid() {
        Matcher m = loadavg();
        assertEquals("0.00 0.00 0.00", m.group(1) + " " + m.group(2) + " " + m.group(3), "nothing sampled during boot");
        assertEquals(p.k.scheduler().nrRunning(), Integer.parseInt(m.group(4)));
        assertEquals(p.k.pids().nrThreads(), Integer.parseInt(m.group(5)), "total = every task, threads too");
        assertEquals(p.k.pids().allTasks().size(), Integer.parseInt(m.group(5)));
        assertEquals(p.k.pids().lastPid(), Integer.parseInt(m.group(6)));

        Task master = PreforkPool.start(p.k, 3);
        Task last = master.children().get(2);
        m = loadavg();
        assertEquals(last.pid(), Integer.parseInt(m.group(6)), "the last pid handed out");
        assertEquals(p.k.pids().nrThreads(), Integer.parseInt(m.group(5)));
        p.k.locked(() -> p.k.exitAndRelease(last, 0));
        m = loadavg();
        assertEquals(last.pid(), Integer.parseInt(m.group(6)), "the cursor stays when the task exits");
        assertEquals(p.k.pids().nrThreads(), Integer.parseInt(m.group(5)));
    }

    @Test
    void loadavgShowsTheRoundedAverages() {
        p.k.locked(() -> p.k.tick(Param.LOAD_FREQ - p.k.clock().jiffies()));
        // avenrun[0] = 164: (164 + 10) >> 11 = 0, ((174 & 2047) * 100) >> 11 = 8
        Matcher m = loadavg();
        assertEquals("0.08", m.group(1));
        assertEquals("0.02", m.group(2), "34 + 10 -> 2");
        assertEquals("0.01", m.group(3), "11 + 10 -> 1");

        Task master = PreforkPool.start(p.k, 2);
        p.k.locked(() -> {
            for (Task w : master.children()) p.k.setState(w, TaskState.RUNNING, "");
            p.k.tick(60L * Param.LOAD_FREQ);
        });
        m = loadavg();
        double l1 = Double.parseDouble(m.group(1));
        assertTrue(l1 >= 2.95 && l1 <= 3.0, "three runnable tasks for 5 minutes: " + l1);
        assertEquals("3", m.group(4));
    }

    private Map<String, Long> meminfo() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : p.lines("/meminfo")) {
            String label = line.substring(0, line.indexOf(':'));
            String v = line.substring(line.indexOf(':') + 1).replace(" kB", "").strip();
            m.put(label, Long.parseLong(v));
        }
        return m;
    }

    @Test
    void meminfoLinesHaveTheKernelLayout() {
        List<String> lines = p.lines("/meminfo");
        assertTrue(lines.size() > 50);
        assertEquals("MemTotal", lines.get(0).substring(0, 8));
        for (String line : lines) {
            if (line.startsWith("HugePages_")) {
                // "HugePages_Total:   %5lu"
                assertTrue(line.matches("HugePages_[A-Za-z]+: +\\d+"), line);
                assertEquals(24, line.length(), "[" + line + "]");
                continue;
            }
            assertTrue(line.endsWith(" kB"), line);
            String label = line.substring(0, 16);
            String value = line.substring(16, line.length() - 3);
            assertTrue(label.matches("[A-Za-z0-9_()]+: *"), "label padded to 16 columns: [" + line + "]");
            assertTrue(value.length() >= 8 && value.matches(" *\\d+"), "value right-aligned in 8 columns: [" + line + "]");
            assertTrue(value.length() == 8 || !value.startsWith(" "), "no padding past 8 columns: [" + line + "]");
        }
        assertTrue(lines.contains("VmallocTotal:   34359738367 kB"), "wider values push the column");
        assertTrue(lines.contains("SwapTotal:             0 kB"));
    }

    private void assertConsistent(Map<String, Long> m, String when) {
        long used = m.get("Buffers") + m.get("Cached") + m.get("AnonPages") + m.get("Slab") + m.get("KernelStack")
                + m.get("PageTables") + m.get("VmallocUsed");
        assertEquals(m.get("MemTotal"), m.get("MemFree") + used, when + ": MemFree + used = MemTotal");
        assertEquals(m.get("Slab"), m.get("SReclaimable") + m.get("SUnreclaim"), when + ": Slab");
        assertEquals(m.get("KReclaimable"), m.get("SReclaimable"), when);
        assertTrue(m.get("MemAvailable") <= m.get("MemTotal"), when + ": MemAvailable <= MemTotal");
        assertTrue(m.get("MemAvailable") >= m.get("MemFree") - p.k.vmstat().node().totalreservePages() * 4, when);
        assertEquals(m.get("Active"), m.get("Active(anon)") + m.get("Active(file)"), when);
        assertEquals(m.get("Inactive"), m.get("Inactive(anon)") + m.get("Inactive(file)"), when);
        assertTrue(m.get("Mapped") <= m.get("Buffers") + m.get("Cached"), when + ": Mapped within the page cache");
        for (var e : m.entrySet()) assertTrue(e.getValue() >= 0, when + ": " + e.getKey() + " = " + e.getValue());
        assertEquals(0, m.get("KernelStack") % 16);
    }

    @Test
    void meminfoAddsUp() {
        Map<String, Long> m = meminfo();
        assertEquals(p.k.vmstat().totalRamPages() * 4, m.get("MemTotal"));
        assertEquals(p.k.vmstat().freePages() * 4, m.get("MemFree"));
        assertEquals(p.k.pids().nrThreads() * 16L, m.get("KernelStack"));
        assertConsistent(m, "after boot");

        Task master = PreforkPool.start(p.k, 50);
        Map<String, Long> after = meminfo();
        assertConsistent(after, "after 50 workers");
        assertTrue(m.get("MemFree") - after.get("MemFree") >= 50 * (1600 + 16 + 20), "workers use memory");
        assertEquals(m.get("KernelStack") + 51 * 16, after.get("KernelStack"));
        assertEquals(m.get("AnonPages") + 50 * 1600 + 1200, after.get("AnonPages"));

        p.k.locked(() -> {
            for (Task w : List.copyOf(master.children())) p.k.exitAndRelease(w, 0);
            p.k.exitAndRelease(master, 0);
        });
        // SLUB keeps some emptied slabs: what is not slab comes back exactly, the rest stays Slab.
        Map<String, Long> end = meminfo();
        assertEquals(m.get("MemFree") + m.get("Slab"), end.get("MemFree") + end.get("Slab"), "exit gives every page back");
        assertTrue(end.get("Slab") < after.get("Slab"), "freed objects gave slab pages back");
        for (String k : List.of("MemFree", "MemAvailable", "Slab", "SReclaimable", "SUnreclaim", "KReclaimable")) {
            m.remove(k);
            end.remove(k);
        }
        assertEquals(m, end, "every other line as before");
        assertEquals(p.k.slub().slabPages(true) * 4, (long) meminfo().get("SReclaimable"), "SReclaimable is SLUB's pages");
        assertEquals(p.k.slub().slabPages(false) * 4, (long) meminfo().get("SUnreclaim"), "SUnreclaim too");
    }

    @Test
    void meminfoStaysConsistentWithShmem() {
        Map<String, Long> before = meminfo();
        Program pg = new Program("/usr/lib/postgresql/postgres", 40, 16, 2048, 132, 132, 1024, 400, 800, 300 * 1024, 3);
        p.k.locked(() -> p.k.spawn(p.k.initTask(), pg, List.of("postgres"), List.of(), Cred.ROOT));
        Map<String, Long> m = meminfo();
        assertConsistent(m, "with 300 MiB shmem");
        assertTrue(before.get("MemFree") - m.get("MemFree") >= 300 * 1024, "shmem pages are not free");
        assertTrue(m.get("Shmem") <= m.get("Cached"), "shmem is part of Cached");
    }

    @Test
    void procSysVmAndThreadsMax() {
        assertEquals(p.k.vmstat().minFreeKbytes() + "\n", p.read("/sys/vm/min_free_kbytes"));
        long threadsMax = Long.parseLong(p.read("/sys/kernel/threads-max").strip());
        assertEquals(p.k.vmstat().totalRamPages() * 4096 / (8 * 16384), threadsMax);
        assertEquals("0/" + threadsMax / 2, p.field("/1/status", "SigQ"));
    }
}
