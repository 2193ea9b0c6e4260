package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ksim.kernel.Clock;
import ksim.kernel.KernelConfig;
import ksim.kernel.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduler seen by real clients on a kernel whose clock follows wall time: top's %CPU
 * comes from two reads of every stat file half a second apart, so it measures the model's
 * CPU shares; /proc/<pid>/sched and schedstat, read by cat, sit between two looks at the model.
 */
class SchedClientsTest {
    static MountedKernel mk;

    @BeforeAll
    static void up() throws Exception {
        mk = MountedKernel.start(KernelConfig.defaults().withClockMode(Clock.Mode.WALL));
    }

    @AfterAll
    static void down() throws Exception {
        if (mk != null) {
            assertEquals(0, mk.server.procMount().unexpectedErrors(), "no exception may reach the FUSE layer");
            mk.close();
        }
    }

    private static Task byComm(String comm) {
        return mk.kernel.locked(() -> {
            for (Task t : mk.kernel.pids().allTasks()) if (t.commString().equals(comm)) return t;
            throw new AssertionError(comm);
        });
    }

    @Test
    void topShowsTheHogNearAFullCpuAndSleepersNearNothing() throws Exception {
        var r = mk.run("top", "-b", "-n2", "-d0.5", "-w", "200");
        ClientsTest.assertClean(r, "top -b -n2 -d0.5");
        // The second frame is the one measured over the half second.
        List<String> lines = r.lines();
        int second = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("top - ")) second = i;
        assertTrue(second > 0, "two frames:\n" + r.out());
        int header = -1;
        for (int i = second; i < lines.size(); i++) if (lines.get(i).strip().startsWith("PID")) header = i;
        List<String> cols = List.of(lines.get(header).strip().split("\\s+"));
        int cpuCol = cols.indexOf("%CPU");
        Map<Integer, Double> cpu = new HashMap<>();
        Map<Integer, String> cmd = new HashMap<>();
        for (String l : lines.subList(header + 1, lines.size())) {
            String[] f = l.strip().split("\\s+");
            cpu.put(Integer.parseInt(f[0]), Double.parseDouble(f[cpuCol]));
            cmd.put(Integer.parseInt(f[0]), f[f.length - 1]);
        }
        int md5 = byComm("md5sum").pid();
        assertTrue(cpu.containsKey(md5), "top lists md5sum");
        assertTrue(cpu.get(md5) >= 80 && cpu.get(md5) <= 110, "md5sum %CPU " + cpu.get(md5));
        List<Integer> model = mk.kernel.locked(() -> {
            List<Integer> pids = new ArrayList<>();
            for (Task t : mk.kernel.pids().leaders()) if (!mk.kernel.visitors().isVisitor(t)) pids.add(t.pid());
            return pids;
        });
        for (int pid : model) {
            if (pid == md5 || !cpu.containsKey(pid)) continue;
            assertTrue(cpu.get(pid) <= 5, "sleeper " + pid + " " + cmd.get(pid) + " at " + cpu.get(pid) + "%");
        }
    }

    @Test
    void catOfSchedAndSchedstatLiesBetweenTwoLooksAtTheModel() throws Exception {
        Task md5 = byComm("md5sum");
        Task rcu = byComm("rcu_preempt");
        for (Task t : List.of(md5, rcu)) {
            long[] before = mk.kernel.locked(() -> new long[] {t.se().sumExecRuntime(), t.nvcsw(), t.nivcsw(), t.se().pcount()});
            var sched = mk.run("cat", "/proc/" + t.pid() + "/sched");
            var stat = mk.run("cat", "/proc/" + t.pid() + "/schedstat");
            long[] after = mk.kernel.locked(() -> new long[] {t.se().sumExecRuntime(), t.nvcsw(), t.nivcsw(), t.se().pcount()});
            ClientsTest.assertClean(sched, "cat sched");
            ClientsTest.assertClean(stat, "cat schedstat");
            assertTrue(sched.lines().get(0).startsWith(t.commString() + " (" + t.pid() + ", #threads: "), sched.lines().get(0));
            Map<String, Long> m = new HashMap<>();
            for (String l : sched.lines()) {
                String[] kv = l.split(":", 2);
                if (kv.length == 2 && kv[1].strip().matches("-?\\d+(\\.\\d{6})?")) {
                    String v = kv[1].strip();
                    m.put(kv[0].strip(), v.contains(".") ? Long.parseLong(v.replace(".", "")) : Long.parseLong(v));
                }
            }
            String[] s = stat.out().strip().split(" ");
            assertEquals(3, s.length, stat.out());
            long runtime = Long.parseLong(s[0]);
            long pcount = Long.parseLong(s[2]);
            between(before[0], runtime, after[0], "schedstat runtime of " + t);
            between(before[3], pcount, after[3], "schedstat pcount of " + t);
            between(before[0], m.get("se.sum_exec_runtime"), after[0], "se.sum_exec_runtime of " + t);
            between(before[1], m.get("nr_voluntary_switches"), after[1], "nr_voluntary_switches of " + t);
            between(before[2], m.get("nr_involuntary_switches"), after[2], "nr_involuntary_switches of " + t);
            assertEquals(m.get("nr_voluntary_switches") + m.get("nr_involuntary_switches"), m.get("nr_switches"));
        }
        assertTrue(mk.kernel.locked(() -> rcu.nvcsw()) > 100, "rcu_preempt keeps waking on the wall clock");
    }

    private static void between(long lo, long v, long hi, String what) {
        assertTrue(lo <= v && v <= hi, what + ": " + lo + " <= " + v + " <= " + hi);
    }
}
