package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ksim.kernel.Kernel;
import ksim.kernel.Param;
import ksim.kernel.SchedEntity;
import ksim.kernel.Task;
import ksim.kernel.sched.LoadWeight;
import org.junit.jupiter.api.Test;

/** /proc/<pid>/sched and schedstat: the host's layout, the model's numbers. */
class PidSchedTest {
    private static final Pattern VAL = Pattern.compile("^(\\S+)\\s*:\\s+(-?\\d+(?:\\.\\d{6})?)$");
    private final Proc p = Proc.boot();

    private Task byComm(String comm) {
        return p.k.locked(() -> {
            for (Task t : p.k.pids().allTasks()) if (t.commString().equals(comm)) return t;
            throw new AssertionError(comm);
        });
    }

    /** key -> value of every "key : value" line, in order. */
    static Map<String, String> parse(List<String> lines) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : lines) {
            Matcher x = VAL.matcher(l);
            if (x.matches()) m.put(x.group(1), x.group(2));
        }
        return m;
    }

    private static long ns(String v) {
        String[] w = v.split("\\.");
        return Long.parseLong(w[0]) * 1_000_000 + Long.parseLong(w[1]);
    }

    @Test
    void schedOfAFairTaskAgreesWithItsEntity() {
        p.k.tick(5 * Param.HZ);
        Task md5 = byComm("md5sum");
        List<String> lines = p.lines("/" + md5.pid() + "/sched");
        assertEquals("md5sum (" + md5.pid() + ", #threads: 1)", lines.get(0));
        assertTrue(lines.get(1).matches("-{67}"), lines.get(1));
        Map<String, String> m = parse(lines);
        SchedEntity se = md5.se();
        assertEquals(se.sumExecRuntime(), ns(m.get("se.sum_exec_runtime")));
        assertEquals(se.vruntime(), ns(m.get("se.vruntime")));
        assertEquals(se.execStart(), ns(m.get("se.exec_start")));
        assertEquals(md5.nvcsw() + md5.nivcsw(), Long.parseLong(m.get("nr_switches")));
        assertEquals(md5.nvcsw(), Long.parseLong(m.get("nr_voluntary_switches")));
        assertEquals(md5.nivcsw(), Long.parseLong(m.get("nr_involuntary_switches")));
        assertEquals(LoadWeight.scaleLoad(1024), Long.parseLong(m.get("se.load.weight")));
        assertEquals(p.k.scheduler().baseSlice(), Long.parseLong(m.get("se.slice")));
        assertEquals(120, Long.parseLong(m.get("prio")));
        assertTrue(Long.parseLong(m.get("se.avg.util_avg")) > 900, "a CPU hog's utilization is near full: " + m);
        // Every line fits one of the two printf forms of proc_sched_show_task.
        for (String l : lines.subList(2, lines.size())) {
            assertTrue(l.matches("^\\S.{44}:( {0,20}-?\\d+| {0,13}\\d+\\.\\d{6})$") || l.startsWith("current_node=")
                    || l.startsWith("numa_faults node="), "format of: " + l);
            if (l.contains(":") && !l.startsWith("current_node")) assertEquals(67, l.length(), l);
        }
        // schedstat: the same runtime, the wait and the count of arrivals.
        String[] st = p.read("/" + md5.pid() + "/schedstat").strip().split(" ");
        assertArrayEquals(new String[] {Long.toString(se.sumExecRuntime()), Long.toString(se.runDelay()), Long.toString(se.pcount())}, st);
        assertEquals(p.read("/" + md5.pid() + "/schedstat"), p.read("/" + md5.pid() + "/task/" + md5.pid() + "/schedstat"));
    }

    @Test
    void realTimeTasksHaveNoSliceAndKernelThreadsNoNumaScan() {
        Task mig = byComm("migration/0");
        Map<String, String> m = parse(p.lines("/" + mig.pid() + "/sched"));
        assertEquals("1", m.get("policy"));
        assertEquals("0", m.get("prio"));
        assertTrue(!m.containsKey("se.slice"), "RT tasks print no se.slice");
        assertTrue(!m.containsKey("mm->numa_scan_seq"), "kernel threads have no mm");
        assertTrue(Long.parseLong(m.get("nr_voluntary_switches")) > 0, "the stopper thread woke during boot");
        // Per-CPU threads are bound, and status says so as it does for ksoftirqd/1 on a real machine.
        Task ksoftirqd1 = byComm("ksoftirqd/1");
        assertEquals("2", p.field("/" + ksoftirqd1.pid() + "/status", "Cpus_allowed"));
        assertEquals("1", p.field("/" + ksoftirqd1.pid() + "/status", "Cpus_allowed_list"));
        assertEquals(1, ksoftirqd1.cpu());
        assertEquals("0-1", p.field("/" + byComm("rcu_preempt").pid() + "/status", "Cpus_allowed_list"));
    }

    /** Same keys, same order as this machine's own /proc/self/sched (when the host has one). */
    @Test
    void keysAreTheHostsKeysInTheHostsOrder() throws Exception {
        Path self = Path.of("/proc/self/sched");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(self), "host has no /proc/self/sched");
        List<String> host = new ArrayList<>(parse(Files.readAllLines(self)).keySet());
        Task bash = byComm("bash");
        List<String> ours = new ArrayList<>(parse(p.lines("/" + bash.pid() + "/sched")).keySet());
        assertEquals(host, ours);
    }

    @Test
    void statusAndStatAgreeWithTheSwitchCountsAndCtxtSumsThem() {
        Kernel k = p.k;
        k.tick(3 * Param.HZ);
        long sum = k.scheduler().releasedSwitches();
        for (int c = 0; c < k.scheduler().nrCpus(); c++) sum += k.scheduler().idleSwitches(c);
        for (Task t : k.pids().allTasks()) {
            sum += t.nvcsw() + t.nivcsw();
            Map<String, String> m = parse(p.lines("/" + t.pid() + "/task/" + t.pid() + "/sched"));
            assertEquals(Long.toString(t.nvcsw()), p.field("/" + t.pid() + "/task/" + t.pid() + "/status", "voluntary_ctxt_switches"));
            assertEquals(m.get("nr_voluntary_switches"), Long.toString(t.nvcsw()));
        }
        String ctxt = p.lines("/stat").stream().filter(l -> l.startsWith("ctxt ")).findFirst().orElseThrow();
        assertEquals("ctxt " + sum, ctxt, "ctxt is every task's switches, idle's and the released ones'");
    }

    @Test
    void sameSeedAndTicksGiveByteIdenticalSchedSchedstatAndStat() {
        Proc a = Proc.boot(), b = Proc.boot();
        a.k.tick(9L * Param.HZ + 7);
        b.k.tick(9L * Param.HZ + 7);
        List<String> pids = a.list("/").stream().filter(n -> n.matches("\\d+")).toList();
        assertEquals(pids, b.list("/").stream().filter(n -> n.matches("\\d+")).toList());
        assertTrue(pids.size() > 40);
        for (String pid : pids) {
            for (String f : List.of("sched", "schedstat", "stat", "status")) {
                assertArrayEquals(a.bytes("/" + pid + "/" + f), b.bytes("/" + pid + "/" + f), pid + "/" + f);
            }
        }
        for (String f : List.of("/stat", "/loadavg", "/uptime")) assertArrayEquals(a.bytes(f), b.bytes(f), f);
    }

    @Test
    void statsProcessorFieldFollowsMigrations() {
        Kernel k = p.k;
        k.tick(20L * Param.HZ);
        for (Task t : k.pids().allTasks()) {
            List<String> f = Proc.statFields(p.read("/" + t.pid() + "/stat"));
            assertEquals(t.cpu(), Proc.statField(f, 39), "processor of " + t);
        }
        Task rcu = byComm("rcu_preempt");
        Map<String, String> m = parse(p.lines("/" + rcu.pid() + "/sched"));
        assertEquals(Long.toString(rcu.se().nrMigrations()), m.get("se.nr_migrations"));
    }
}
