package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import ksim.kernel.Kernel;
import ksim.kernel.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real clients (busybox and procps) read the mounted /proc inside private namespaces; every
 * row they print is compared with the model, not with a recorded output.
 */
class ClientsTest {
    static MountedKernel mk;

    /** What the model says of one task, in the units clients print. */
    record Row(int pid, int ppid, int pgid, int sid, String stat, String ni, int uid, long vszKb, long rssKb,
               int nlwp, String comm, String args) {}

    @BeforeAll
    static void up() throws Exception {
        mk = MountedKernel.start();
    }

    @AfterAll
    static void down() throws Exception {
        if (mk != null) {
            assertEquals(0, mk.server.procMount().unexpectedErrors(), "no exception may reach the FUSE layer");
            mk.close();
        }
    }

    /** The model's processes (or threads), visitors left out, keyed by pid. */
    static Map<Integer, Row> model(boolean threads) {
        Kernel k = mk.kernel;
        return k.locked(() -> {
            Map<Integer, Row> rows = new HashMap<>();
            for (Task t : threads ? k.pids().allTasks() : k.pids().leaders()) {
                if (k.visitors().isVisitor(t.groupLeader())) continue;
                rows.put(t.pid(), row(t));
            }
            return rows;
        });
    }

    static Row row(Task t) {
        Task l = t.groupLeader();
        var sig = l.signal();
        StringBuilder stat = new StringBuilder().append(l.state().letter);
        if (l.nice() < 0) stat.append('<');
        if (l.nice() > 0) stat.append('N');
        if (sig.session() == l.pid()) stat.append('s');
        if (sig.nrThreads() > 1) stat.append('l');
        if (sig.tty() != null && sig.tty().foregroundPgrp() == sig.pgrp()) stat.append('+');
        String ni = l.policy() == Task.SCHED_FIFO || l.policy() == Task.SCHED_RR ? "-" : Integer.toString(l.nice());
        String name = new String(t.procName(), java.nio.charset.StandardCharsets.UTF_8);
        String args = l.mm() == null ? "[" + new String(l.procName(), java.nio.charset.StandardCharsets.UTF_8) + "]"
                : new String(l.mm().argv(), java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
        int ppid = l.realParent() == null ? 0 : l.realParent().tgid();
        long vsz = l.mm() == null ? 0 : l.mm().totalVm() * 4;
        long rss = l.mm() == null ? 0 : l.mm().rss() * 4;
        return new Row(t.pid(), ppid, sig.pgrp(), sig.session(), stat.toString(), ni, l.cred().euid(), vsz, rss,
                sig.nrThreads(), name, args);
    }

    static void assertClean(MountedKernel.Result r, String what) {
        assertEquals(0, r.rc(), what + " exit status; stderr: " + r.err());
        assertEquals("", r.err(), what + " printed an error");
    }

    /** Rows whose pid the model does not know must be visitors: the client itself, started after boot. */
    static void assertOnlyVisitorsExtra(Set<Integer> seen, Map<Integer, Row> model, int lastPidBefore, String what) {
        Set<Integer> missing = new TreeSet<>(model.keySet());
        missing.removeAll(seen);
        assertEquals(Set.of(), missing, what + " did not list these model tasks");
        for (int pid : seen) {
            if (!model.containsKey(pid)) assertTrue(pid > lastPidBefore, what + " listed pid " + pid + " which the model lacks");
        }
    }

    private static int lastPid() {
        return mk.kernel.locked(() -> mk.kernel.pids().lastPid());
    }

    @Test
    void procpsPsColumnsMatchTheModel() throws Exception {
        int before = lastPid();
        var r = mk.run("ps", "-eo", "pid,ppid,pgid,sid,stat,ni,uid,vsz,rss,nlwp,comm");
        assertClean(r, "ps -eo");
        Map<Integer, Row> model = model(false);
        Set<Integer> seen = new TreeSet<>();
        for (String line : r.lines().subList(1, r.lines().size())) {
            String[] f = line.strip().split("\\s+", 11);
            int pid = Integer.parseInt(f[0]);
            seen.add(pid);
            Row m = model.get(pid);
            if (m == null) {
                assertEquals("ps", f[10], "the only extra row is ps itself");
                continue;
            }
            assertEquals(List.of(m.ppid(), m.pgid(), m.sid()), List.of(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3])), line);
            assertEquals(m.stat(), f[4], "STAT of " + line);
            assertEquals(m.ni(), f[5], "NI of " + line);
            assertEquals(m.uid(), Integer.parseInt(f[6]), line);
            assertEquals(m.vszKb(), Long.parseLong(f[7]), "VSZ of " + line);
            assertEquals(m.rssKb(), Long.parseLong(f[8]), "RSS of " + line);
            assertEquals(m.nlwp(), Integer.parseInt(f[9]), line);
            assertEquals(m.comm(), f[10], "comm of " + line);
        }
        assertOnlyVisitorsExtra(seen, model, before, "ps -eo");
        assertTrue(r.out().contains(" weird) (name"), "the odd comm is printed whole");
    }

    @Test
    void procpsPsArgsAndForestFormats() throws Exception {
        int before = lastPid();
        var r = mk.run("ps", "-eo", "pid,ppid,pgid,sid,tty,stat,ni,comm,args");
        assertClean(r, "ps -eo ...args");
        var args = mk.run("ps", "-eo", "pid,args");
        assertClean(args, "ps -eo pid,args");
        Map<Integer, Row> model = model(false);
        Set<Integer> seen = new TreeSet<>();
        for (String line : args.lines().subList(1, args.lines().size())) {
            String[] f = line.strip().split("\\s+", 2);
            int pid = Integer.parseInt(f[0]);
            seen.add(pid);
            Row m = model.get(pid);
            if (m != null) assertEquals(m.args(), f[1], "args of " + pid);
        }
        assertOnlyVisitorsExtra(seen, model, before, "ps -eo pid,args");
        for (String[] cmd : new String[][] {{"ps", "-e"}, {"ps", "aux"}}) {
            var x = mk.run(cmd);
            assertClean(x, String.join(" ", cmd));
            Set<Integer> pids = new TreeSet<>();
            int col = cmd[1].equals("aux") ? 1 : 0;
            for (String line : x.lines().subList(1, x.lines().size())) pids.add(Integer.parseInt(line.strip().split("\\s+")[col]));
            assertOnlyVisitorsExtra(pids, model, before, String.join(" ", cmd));
        }
    }

    @Test
    void procpsThreadsMatchTheModel() throws Exception {
        int before = lastPid();
        var r = mk.run("ps", "-eLo", "pid,lwp,nlwp,comm");
        assertClean(r, "ps -eLo");
        var f = mk.run("ps", "-eLf");
        assertClean(f, "ps -eLf");
        Map<Integer, Row> threads = model(true);
        Set<Integer> lwps = new TreeSet<>();
        for (String line : r.lines().subList(1, r.lines().size())) {
            String[] c = line.strip().split("\\s+", 4);
            int lwp = Integer.parseInt(c[1]);
            lwps.add(lwp);
            Row m = threads.get(lwp);
            if (m != null) {
                assertEquals(m.comm(), c[3], "thread name of " + lwp);
                assertEquals(m.nlwp(), Integer.parseInt(c[2]));
            }
        }
        assertOnlyVisitorsExtra(lwps, threads, before, "ps -eL");
        assertEquals(f.lines().size(), r.lines().size(), "ps -eLf lists the same threads");
    }

    @Test
    void busyboxPsListsProcessesAndThreads() throws Exception {
        int before = lastPid();
        var r = mk.run("busybox", "ps");
        assertClean(r, "busybox ps");
        Map<Integer, Row> model = model(false);
        Set<Integer> seen = new TreeSet<>();
        for (String line : r.lines().subList(1, r.lines().size())) {
            String[] c = line.strip().split("\\s+", 3);
            int pid = Integer.parseInt(c[0]);
            seen.add(pid);
            Row m = model.get(pid);
            // busybox keeps 15 bytes of a kernel thread's name.
            if (m != null && m.args().startsWith("[")) {
                String n = m.comm().length() > 15 ? m.comm().substring(0, 15) : m.comm();
                assertEquals("[" + n + "]", c[2], "kernel thread " + pid);
            }
        }
        assertOnlyVisitorsExtra(seen, model, before, "busybox ps");

        var t = mk.run("busybox", "ps", "-T");
        assertClean(t, "busybox ps -T");
        Set<Integer> tids = new TreeSet<>();
        for (String line : t.lines().subList(1, t.lines().size())) tids.add(Integer.parseInt(line.strip().split("\\s+")[0]));
        assertOnlyVisitorsExtra(tids, model(true), before, "busybox ps -T");
    }

    @Test
    void topsAndFreeReadTheModel() throws Exception {
        int before = lastPid();
        var bb = mk.run("busybox", "top", "-b", "-n1");
        assertClean(bb, "busybox top");
        var top = mk.run("top", "-b", "-n1", "-w", "200");
        assertClean(top, "top -b -n1");
        Map<Integer, Row> model = model(false);
        for (MountedKernel.Result res : List.of(bb, top)) {
            Set<Integer> pids = new TreeSet<>();
            for (String line : res.lines()) {
                String s = line.strip();
                if (!s.isEmpty() && Character.isDigit(s.charAt(0)) && s.split("\\s+").length > 6) pids.add(Integer.parseInt(s.split("\\s+")[0]));
            }
            assertOnlyVisitorsExtra(pids, model, before, "top");
        }
        String tasks = top.lines().stream().filter(l -> l.startsWith("Tasks:")).findFirst().orElseThrow();
        int total = Integer.parseInt(tasks.split("\\s+")[1]);
        assertTrue(total >= model.size() && total <= model.size() + 2, "top's task count " + tasks + " vs model " + model.size());

        var bbFree = mk.run("busybox", "free");
        assertClean(bbFree, "busybox free");
        var free = mk.run("free");
        assertClean(free, "free");
        long memTotalKb = mk.kernel.locked(() -> mk.kernel.vmstat().totalRamPages() * 4);
        long memFreeKb = mk.kernel.locked(() -> mk.kernel.vmstat().freePages() * 4);
        String[] mem = free.lines().get(1).split("\\s+");
        assertEquals(memTotalKb, Long.parseLong(mem[1]), "free total = MemTotal");
        assertEquals(memFreeKb, Long.parseLong(mem[3]), "free free = MemFree");
    }

    @Test
    void pgrepAndPidofFindModelProcesses() throws Exception {
        Map<Integer, Row> model = model(false);
        var r = mk.run("pgrep", "-a", "sshd");
        assertClean(r, "pgrep -a");
        Set<String> expected = new TreeSet<>();
        model.values().stream().filter(m -> m.comm().equals("sshd")).forEach(m -> expected.add(m.pid() + " " + m.args()));
        assertEquals(expected, new TreeSet<>(r.lines()));

        int md5 = model.values().stream().filter(m -> m.comm().equals("md5sum")).findFirst().orElseThrow().pid();
        int rsyslogd = model.values().stream().filter(m -> m.comm().equals("rsyslogd")).findFirst().orElseThrow().pid();
        var p = mk.run("pidof", "md5sum", "rsyslogd");
        assertClean(p, "pidof");
        assertEquals(Set.of(Integer.toString(md5), Integer.toString(rsyslogd)), Set.of(p.out().strip().split(" ")));
        var missing = mk.run("pidof", "no-such-program");
        assertEquals(1, missing.rc(), "pidof of an absent name fails quietly");
    }
}
