package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ksim.ctl.Session;
import ksim.ctl.Words;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelCpustat;
import ksim.kernel.Param;
import ksim.kernel.ProcNsOperations;
import ksim.kernel.Task;
import ksim.kernel.TaskState;
import ksim.kernel.Tty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Process clients on a mounted 3-CPU kernel (the host has 2, so a client that asked the host
 * instead would be caught): procps ps in many -o formats, -L, --forest and -p lists, top over
 * two frames, vmstat, w with a utmp of its own, pgrep/pkill/pidof by terminal, psmisc pstree
 * -N and killall, busybox ps/top/pidof, htop under tmux, psutil and node_exporter's process
 * collectors. Every value is compared with the model's, read under its lock.
 */
class ProcessClientsTest {
    static MountedKernel mk;
    static Path scratch;
    static final Map<String, Integer> pids = new HashMap<>();

    @BeforeAll
    static void up() throws Exception {
        mk = MountedKernel.start(c -> c.withCpus(3));
        Session ctl = Session.open(mk.kernel);
        pids.put("diskio", spawn(ctl, "spawn --comm diskio --argv \"diskio --sync\" --state D --wchan io_schedule"));
        pids.put("pool", spawn(ctl, "spawn --comm pool --threads 3 --uid 1000:1000"));
        for (Task t : processes().values()) {
            String c = comm(t);
            if (Set.of("bash", "md5sum", "agetty", "rsyslogd", "sleep").contains(c)) pids.put(c, t.pid());
        }
        // Six seconds of simulated time: the CPU-bound md5sum has CPU time to show. Then the
        // login shell starts a later foreground job (what w names), and both run four more.
        mk.kernel.locked(() -> mk.kernel.tick(6L * Param.HZ));
        int make = spawn(ctl, "spawn --parent " + pids.get("bash") + " --comm make --argv \"make -j4\" --state R");
        pids.put("make", make);
        for (String line : List.of("setpgid " + make + " 0", "fg " + make)) assertTrue(ctl.execute(line).startsWith("ok"), line);
        mk.kernel.locked(() -> mk.kernel.tick(4L * Param.HZ));
        scratch = Files.createTempDirectory("ksim-logins");
    }

    private static int spawn(Session ctl, String line) {
        String a = ctl.execute(line);
        assertTrue(a.startsWith("ok"), line + " -> " + a);
        for (String w : Words.split(a)) if (w.startsWith("pid=")) return Integer.parseInt(w.substring(4));
        throw new AssertionError(a);
    }

    @AfterAll
    static void down() throws Exception {
        if (scratch != null) {
            try (var s = Files.list(scratch)) {
                for (Path p : s.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(scratch);
        }
        if (mk != null) {
            assertEquals(0, mk.server.procMount().unexpectedErrors(), "no exception may reach the FUSE layer");
            mk.close();
        }
    }

    // ---- the model, in the units clients print -------------------------------------------------

    static Map<Integer, Task> processes() {
        return mk.processes();
    }

    static String comm(Task t) {
        return MountedKernel.comm(t);
    }

    static <T> T locked(java.util.function.Supplier<T> s) {
        return mk.kernel.locked(s);
    }

    static int lastPid() {
        return locked(() -> mk.kernel.pids().lastPid());
    }

    /** CPU time of a process in USER_HZ ticks, as stat's utime + stime show it. */
    static long cpuTicks(Task t) {
        return locked(() -> Clock.nsecToClockT(t.signal().groupUtime()) + Clock.nsecToClockT(t.signal().groupStime()));
    }

    static long uptimeCentis() {
        return locked(() -> mk.kernel.clock().boottimeNs() / (Param.NSEC_PER_SEC / 100));
    }

    /** loadavg_proc_show()'s three numbers. */
    static List<String> loads() {
        return locked(() -> {
            List<String> l = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long a = mk.kernel.scheduler().loadAvg().avenrun(i, Param.FIXED_1 / 200);
                l.add(String.format("%d.%02d", a >> Param.FSHIFT, ((a & (Param.FIXED_1 - 1)) * 100) >> Param.FSHIFT));
            }
            return l;
        });
    }

    static Task model(int pid) {
        return processes().get(pid);
    }

    static String tty(Task t) {
        return locked(() -> t.signal().tty() == null ? "?" : t.signal().tty().name());
    }

    static String args(Task t) {
        return locked(() -> t.mm() == null ? "[" + comm(t) + "]" : new String(t.mm().argv(), StandardCharsets.UTF_8).replace('\0', ' ').strip());
    }

    /** Host account names: the clients look uids up in the host's passwd and group files. */
    static Map<Integer, String> names(String file) throws Exception {
        Map<Integer, String> m = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(file))) {
            String[] f = line.split(":");
            if (f.length > 2) m.putIfAbsent(Integer.parseInt(f[2]), f[0]);
        }
        return m;
    }

    static void assertOnlyVisitorsExtra(Set<Integer> seen, Set<Integer> model, int lastPidBefore, String what) {
        Set<Integer> missing = new TreeSet<>(model);
        missing.removeAll(seen);
        assertEquals(Set.of(), missing, what + " did not list these model tasks");
        for (int pid : seen) if (!model.contains(pid)) assertTrue(pid > lastPidBefore, what + " listed " + pid + ", which the model lacks");
    }

    private static MountedKernel.Result ps(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "TZ=UTC", "ps"));
        cmd.addAll(List.of(args));
        var r = mk.run(LoginSetup.after(LoginSetup.ptyNodes(mk.kernel), cmd.toArray(new String[0])));
        ClientsTest.assertClean(r, "ps " + String.join(" ", args));
        return r;
    }

    // ---- procps ps -------------------------------------------------------------------------

    @Test
    void psNumericAndTerminalFormatsAreTheModels() throws Exception {
        int before = lastPid();
        var r = ps("-eo", "pid=,ppid=,pgid=,sid=,tpgid=,tty=,stat=,ni=,pri=,rtprio=,psr=,nlwp=,vsz=,rss=,sz=,time=,cputime=,"
                + "uid=,euid=,ruid=,suid=,fuid=,cls=,f=,s=,%mem=,wchan:30=");
        Map<Integer, Task> model = processes();
        long memTotalKb = locked(() -> mk.kernel.vmstat().totalRamPages() * 4);
        Set<Integer> seen = new TreeSet<>();
        Set<String> classes = new TreeSet<>();
        for (String line : r.lines()) {
            String[] f = line.strip().split("\\s+");
            assertEquals(27, f.length, line);
            int pid = Integer.parseInt(f[0]);
            seen.add(pid);
            Task t = model.get(pid);
            if (t == null) continue;
            Task rp = locked(t::realParent);
            var sig = t.signal();
            Tty tty = locked(sig::tty);
            int fg = tty == null || tty.foregroundPgrp() == 0 ? -1 : tty.foregroundPgrp();
            int policy = t.policy();
            boolean rt = policy == Task.SCHED_FIFO || policy == Task.SCHED_RR;
            String cls = switch (policy) {
                case 0 -> "TS";
                case 1 -> "FF";
                case 2 -> "RR";
                case 3 -> "B";
                case 5 -> "IDL";
                default -> "?";
            };
            classes.add(cls);
            long vszKb = locked(() -> t.mm() == null ? 0 : t.mm().totalVm() * 4);
            long rssKb = locked(() -> t.mm() == null ? 0 : t.mm().rss() * 4);
            long ticks = cpuTicks(t) / Param.USER_HZ;
            String time = String.format("%02d:%02d:%02d", ticks / 3600, ticks / 60 % 60, ticks % 60);
            long pmem = rssKb * 1000 / memTotalKb;
            var cred = t.cred();
            List<String> expect = List.of(Integer.toString(pid), Integer.toString(rp == null ? 0 : rp.tgid()),
                    Integer.toString(sig.pgrp()), Integer.toString(sig.session()), Integer.toString(fg), tty(t),
                    locked(() -> ClientsTest.row(t).stat()), rt ? "-" : Integer.toString(t.nice()),
                    Integer.toString(39 - (t.prio() - Task.MAX_RT_PRIO)), rt ? Integer.toString(t.rtPriority()) : "-",
                    Integer.toString(locked(t::cpu)), Integer.toString(locked(sig::nrThreads)), Long.toString(vszKb),
                    Long.toString(rssKb), Long.toString(vszKb / 4), time, time,
                    Integer.toString(cred.uid()), Integer.toString(cred.euid()), Integer.toString(cred.uid()),
                    Integer.toString(cred.suid()), Integer.toString(cred.fsuid()), cls, Integer.toString((t.flags() >> 6) & 7),
                    String.valueOf(locked(() -> t.state().letter)), (pmem / 10) + "." + (pmem % 10));
            assertEquals(expect, List.of(f).subList(0, 26), "ps -o ... of " + pid);
            TaskState st = locked(t::state);
            String wchan = locked(t::wchan);
            assertEquals(st == TaskState.RUNNING || wchan.isEmpty() ? "-" : wchan, f[26], "wchan of " + line);
        }
        assertOnlyVisitorsExtra(seen, model.keySet(), before, "ps -eo");
        assertTrue(classes.containsAll(List.of("TS", "FF")), "normal and FIFO tasks: " + classes);
        String bash = r.lines().stream().filter(l -> l.strip().startsWith(pids.get("bash") + " ")).findFirst().orElseThrow();
        assertTrue(bash.contains(" pts/0 "), "bash's terminal is named: " + bash);
        assertTrue(cpuTicks(model.get(pids.get("md5sum"))) >= 500, "md5sum has run");
    }

    @Test
    void psTimesUsersAndPercentagesAreTheModels() throws Exception {
        var r = ps("-eo", "pid=,etimes=,%cpu=,user:32=,group:32=,lstart=,start=");
        Map<Integer, Task> model = processes();
        Map<Integer, String> users = names("/etc/passwd");
        Map<Integer, String> groups = names("/etc/group");
        long upCs = uptimeCentis();
        long btime = locked(() -> mk.kernel.clock().bootEpochSeconds());
        DateTimeFormatter lstart = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);
        int checked = 0;
        for (String line : r.lines()) {
            String[] f = line.strip().split("\\s+");
            Task t = model.get(Integer.parseInt(f[0]));
            if (t == null) continue;
            checked++;
            long startCs = locked(() -> Clock.nsecToClockT(t.startTime()));
            long etimes = (upCs - startCs) / 100;
            assertTrue(Math.abs(Long.parseLong(f[1]) - etimes) <= 1, "ELAPSED of " + line + " vs " + etimes);
            double pcpu = Double.parseDouble(f[2]);
            if (upCs - startCs > 100) {
                double expect = cpuTicks(t) * 100.0 / (upCs - startCs);
                assertTrue(Math.abs(pcpu - expect) <= 1.0, "%CPU of " + line + " vs " + expect);
            }
            var cred = t.cred();
            assertEquals(users.getOrDefault(cred.euid(), Integer.toString(cred.euid())), f[3], "USER of " + line);
            assertEquals(groups.getOrDefault(cred.egid(), Integer.toString(cred.egid())), f[4], "GROUP of " + line);
            String started = String.join(" ", List.of(f).subList(5, 10));
            long at = LocalDateTime.parse(started.replaceAll(" +", " ").replaceFirst("^(\\S+ \\S+) (\\d) ", "$1  $2 "), lstart)
                    .toEpochSecond(ZoneOffset.UTC);
            long expectAt = btime + startCs / 100;
            assertTrue(Math.abs(at - expectAt) <= 1, "STARTED of " + line + " vs " + expectAt);
            assertEquals(f[8], f[10], "start shows the time of day lstart shows");
        }
        assertEquals(model.size(), checked);
        double md5 = Double.parseDouble(r.lines().stream().map(l -> l.strip().split("\\s+"))
                .filter(f -> f[0].equals(String.valueOf(pids.get("md5sum")))).findFirst().orElseThrow()[2]);
        assertTrue(md5 > 50, "a CPU-bound task: " + md5);
    }

    @Test
    void psThreadsListsAndPidListsAreTheModels() throws Exception {
        int rsyslogd = pids.get("rsyslogd");
        var l = ps("-L", "-o", "pid=,lwp=,nlwp=,psr=,comm=", "-p", String.valueOf(rsyslogd));
        List<Task> threads = locked(() -> List.copyOf(mk.kernel.pids().find(rsyslogd).signal().threads()));
        assertEquals(threads.size(), l.lines().size(), l.out());
        for (int i = 0; i < threads.size(); i++) {
            Task th = threads.get(i);
            String[] f = l.lines().get(i).strip().split("\\s+", 5);
            assertEquals(List.of(String.valueOf(rsyslogd), String.valueOf(th.pid()), String.valueOf(threads.size()),
                    String.valueOf(locked(th::cpu)), comm(th)), List.of(f), "thread " + th.pid());
        }
        int before = lastPid();
        var all = ps("-eLo", "pid=,lwp=,stat=");
        Map<Integer, Task> byTid = locked(() -> {
            Map<Integer, Task> m = new TreeMap<>();
            for (Task t : mk.kernel.pids().allTasks()) if (!mk.kernel.visitors().isVisitor(t.groupLeader())) m.put(t.pid(), t);
            return m;
        });
        Set<Integer> lwps = new TreeSet<>();
        for (String line : all.lines()) {
            String[] f = line.strip().split("\\s+");
            int lwp = Integer.parseInt(f[1]);
            lwps.add(lwp);
            Task t = byTid.get(lwp);
            if (t == null) continue;
            assertEquals(t.tgid(), Integer.parseInt(f[0]), line);
            assertEquals(locked(() -> t.state().letter), f[2].charAt(0), "each thread's own state: " + line);
        }
        assertOnlyVisitorsExtra(lwps, byTid.keySet(), before, "ps -eLo");
        assertTrue(all.out().lines().anyMatch(x -> x.strip().matches(pids.get("pool") + " +\\d+ +S.*")), "the pool's threads");

        // -p lists: exactly the listed processes that exist, in pid order; none at all fails.
        int md5 = pids.get("md5sum");
        int diskio = pids.get("diskio");
        var list = ps("-o", "pid=,args=", "-p", md5 + "," + diskio, "-p", "1");
        Map<Integer, Task> model = processes();
        List<String> expect = new ArrayList<>();
        for (int pid : new TreeSet<>(List.of(1, md5, diskio))) expect.add(pid + " " + args(model.get(pid)));
        assertEquals(expect, list.lines().stream().map(x -> x.strip().replaceFirst(" +", " ")).toList());
        var none = mk.run("ps", "-p", "4000000");
        assertEquals(1, none.rc(), "ps -p of no process fails");
    }

    /** One row of ps --forest: its pid and how deep the tree drew it. */
    @Test
    void psForestDrawsTheModelsParentLinks() throws Exception {
        var r = ps("-e", "--forest", "-o", "pid,tty,time,args");
        List<String> lines = r.lines();
        int cmdAt = lines.get(0).indexOf("COMMAND");
        Map<Integer, Task> model = processes();
        Deque<Integer> path = new ArrayDeque<>();
        int checked = 0;
        for (String line : lines.subList(1, lines.size())) {
            int pid = Integer.parseInt(line.substring(0, cmdAt).strip().split("\\s+")[0]);
            String cmd = line.substring(cmdAt);
            int mark = cmd.indexOf("\\_ ");
            int depth = mark < 0 ? 0 : mark / 4 + 1;
            assertTrue(depth <= path.size(), "depth " + depth + " of " + line);
            while (path.size() > depth) path.pop();
            Integer parent = path.peek();
            path.push(pid);
            Task t = model.get(pid);
            if (t == null) continue;
            checked++;
            Task rp = locked(t::realParent);
            // procps draws init's children, like init and kthreadd, as roots.
            if (rp == null || rp.tgid() == 1) {
                assertEquals(0, depth, "a root: " + line);
            } else {
                assertEquals(rp.tgid(), parent, "parent of " + line);
            }
            assertTrue(cmd.endsWith(args(t)), "args of " + line);
        }
        assertEquals(model.size(), checked);
    }

    // ---- top, vmstat, w -------------------------------------------------------------------

    @Test
    void topOverTwoFramesShowsWhoUsesTheCpu() throws Exception {
        // top measures CPU use between frames from /proc/uptime and the tasks' ticks: let the
        // simulated clock run while it waits.
        AtomicBoolean stop = new AtomicBoolean();
        Thread ticker = new Thread(() -> {
            while (!stop.get()) {
                mk.kernel.locked(() -> mk.kernel.tick(5));
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        ticker.start();
        MountedKernel.Result r;
        try {
            r = mk.run("top", "-b", "-n2", "-d0.5", "-w", "250");
        } finally {
            stop.set(true);
            ticker.join();
        }
        ClientsTest.assertClean(r, "top -b -n2");
        List<String> lines = r.lines();
        int second = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("top - ")) second = i;
        assertTrue(second > 0, "two frames");
        Map<Integer, Task> model = processes();
        int header = -1;
        for (int i = second; i < lines.size(); i++) if (lines.get(i).strip().startsWith("PID ")) header = i;
        List<String> cols = List.of(lines.get(header).strip().split("\\s+"));
        int cpuCol = cols.indexOf("%CPU");
        Map<Integer, Double> cpu = new HashMap<>();
        for (String line : lines.subList(header + 1, lines.size())) {
            String[] f = line.strip().split("\\s+");
            cpu.put(Integer.parseInt(f[0]), Double.parseDouble(f[cpuCol]));
        }
        assertTrue(cpu.keySet().containsAll(model.keySet()), "every process in the second frame");
        assertTrue(cpu.get(pids.get("md5sum")) > 50, "md5sum runs all the time: " + cpu.get(pids.get("md5sum")));
        for (Task t : model.values()) {
            TaskState s = locked(t::state);
            if (s != TaskState.RUNNING) assertTrue(cpu.get(t.pid()) < 5, "a sleeper: " + t.pid() + " " + cpu.get(t.pid()));
        }
        String cpus = lines.stream().filter(l -> l.startsWith("%Cpu")).findFirst().orElseThrow();
        assertTrue(cpus.startsWith("%Cpu(s):"), "all CPUs summed: " + cpus);
    }

    @Test
    void vmstatCountsRunnableAndBlockedTasksAsTheModel() throws Exception {
        var r = mk.run("vmstat", "1", "2");
        ClientsTest.assertClean(r, "vmstat 1 2");
        Kernel k = mk.kernel;
        // vmstat counts itself: its visitor is runnable, the earlier clients' have left.
        int[] rb = k.locked(() -> {
            int run = 0;
            int blocked = 0;
            for (Task t : k.pids().allTasks()) {
                if (k.visitors().isVisitor(t.groupLeader())) continue;
                if (t.state() == TaskState.RUNNING) run++;
                if (t.state() == TaskState.UNINTERRUPTIBLE) blocked++;
            }
            return new int[] {run + 1, blocked};
        });
        assertEquals(1, rb[1], "diskio sleeps in D");
        List<String> cols = List.of(r.lines().get(1).strip().split("\\s+"));
        for (String line : r.lines().subList(2, 4)) {
            String[] f = line.strip().split("\\s+");
            assertEquals(rb[0], Integer.parseInt(f[cols.indexOf("r")]), "r of " + line);
            assertEquals(rb[1], Integer.parseInt(f[cols.indexOf("b")]), "b of " + line);
        }
        // The first line is since boot: the shares of the cpu line of /proc/stat.
        long[] cpu = cpuLine();
        long us = cpu[KernelCpustat.USER] + cpu[KernelCpustat.NICE];
        long sy = cpu[KernelCpustat.SYSTEM] + cpu[KernelCpustat.IRQ] + cpu[KernelCpustat.SOFTIRQ];
        long id = cpu[KernelCpustat.IDLE];
        long total = us + sy + id + cpu[KernelCpustat.IOWAIT] + cpu[KernelCpustat.STEAL];
        String[] first = r.lines().get(2).strip().split("\\s+");
        for (var e : Map.of("us", us, "sy", sy, "id", id).entrySet()) {
            long expect = Math.round(100.0 * e.getValue() / total);
            assertTrue(Math.abs(expect - Long.parseLong(first[cols.indexOf(e.getKey())])) <= 1, e.getKey() + " of " + r.lines().get(2) + " vs " + expect);
        }
    }

    @Test
    void wListsTheLoginsWithTheModelsProcessesUptimeAndLoad() throws Exception {
        int bash = pids.get("bash");
        int agetty = pids.get("agetty");
        long now = System.currentTimeMillis() / 1000;
        Path utmp = scratch.resolve("utmp");
        LoginSetup.writeUtmp(utmp, List.of(new LoginSetup.Login("alice", "pts/0", bash, "10.0.0.7", now - 60),
                new LoginSetup.Login("root", "tty1", agetty, "", now - 30)));
        // w names the job of a login only if it belongs to the login's user, whom it looks up in
        // passwd: the namespace's passwd knows alice, the model's uid of the shell.
        Path passwd = scratch.resolve("passwd");
        int uid = model(bash).cred().uid();
        Files.writeString(passwd, Files.readString(Path.of("/etc/passwd")).replaceAll("(?m)^alice:.*\n", "")
                + "alice:x:" + uid + ":" + model(bash).cred().gid() + "::/home/alice:/bin/bash\n");
        var r = mk.run(LoginSetup.after(LoginSetup.ptyNodes(mk.kernel) + " && " + LoginSetup.utmp(utmp)
                + " && mount --bind " + passwd + " /etc/passwd", "w"));
        ClientsTest.assertClean(r, "w");
        long upMin = uptimeCentis() / 100 / 60;
        assertTrue(upMin < 60, "the kernel has just booted");
        Matcher h = Pattern.compile("^ \\d\\d:\\d\\d:\\d\\d up +(\\d+) min, +(\\d+) users?, +load average: (\\S+), (\\S+), (\\S+)$").matcher(r.lines().get(0));
        assertTrue(h.matches(), r.lines().get(0));
        assertEquals(upMin, Long.parseLong(h.group(1)), "uptime");
        assertEquals("2", h.group(2), "the two logins of utmp");
        assertEquals(loads(), List.of(h.group(3), h.group(4), h.group(5)), "load average");
        Map<Integer, Task> model = processes();
        Map<String, String> what = new HashMap<>();
        Map<String, String> pcpu = new HashMap<>();
        Pattern row = Pattern.compile("^(?:alice|root) +(\\S+) +\\S+ +\\S+ +\\S+ +(\\S+) +(\\S+) +(.*)$");
        for (String line : r.lines().subList(2, r.lines().size())) {
            Matcher m = row.matcher(line);
            assertTrue(m.matches(), line);
            what.put(m.group(1), m.group(4));
            pcpu.put(m.group(1), m.group(3));
        }
        // WHAT is the terminal's foreground process; PCPU its CPU time.
        Task fg = null;
        for (Task t : model.values()) {
            Tty tty = locked(() -> t.signal().tty());
            if (tty != null && tty.name().equals("pts/0") && tty.foregroundPgrp() == t.signal().pgrp()) {
                assertEquals(null, fg, "one foreground process on pts/0");
                fg = t;
            }
        }
        assertEquals(args(fg), what.get("pts/0"), r.out());
        assertEquals(pids.get("make"), fg.pid(), "the later foreground job");
        long ticks = cpuTicks(fg);
        assertTrue(ticks < 6000, "PCPU below a minute prints as seconds");
        assertEquals(String.format("%d.%02ds", ticks / 100, ticks % 100), pcpu.get("pts/0"), "PCPU of " + comm(fg));
        assertEquals(args(model.get(agetty)), what.get("tty1"));
    }

    // ---- pgrep, pkill, pidof ------------------------------------------------------------

    @Test
    void pgrepAndPkillSelectByTerminalSessionAndOwner() throws Exception {
        Map<Integer, Task> model = processes();
        Set<Integer> onPts0 = new TreeSet<>();
        Set<Integer> owned = new TreeSet<>();
        int sid = locked(() -> model.get(pids.get("bash")).signal().session());
        Set<Integer> inSession = new TreeSet<>();
        for (Task t : model.values()) {
            if (tty(t).equals("pts/0")) onPts0.add(t.pid());
            if (t.cred().euid() == 1000) owned.add(t.pid());
            if (locked(() -> t.signal().session()) == sid) inSession.add(t.pid());
        }
        String setup = LoginSetup.ptyNodes(mk.kernel);
        var t = mk.run(LoginSetup.after(setup, "pgrep", "-t", "pts/0"));
        ClientsTest.assertClean(t, "pgrep -t");
        assertEquals(onPts0, ints(t.lines()));
        var u = mk.run("pgrep", "-u", "1000");
        ClientsTest.assertClean(u, "pgrep -u");
        assertEquals(owned, ints(u.lines()));
        var s = mk.run("pgrep", "-s", String.valueOf(sid));
        ClientsTest.assertClean(s, "pgrep -s");
        assertEquals(inSession, ints(s.lines()));
        assertTrue(onPts0.size() >= 3 && owned.contains(pids.get("pool")), onPts0 + " " + owned);

        var k = mk.runWithStandIns(model.keySet(), "sh", "-c", setup + " && pkill -0 -e -t pts/0");
        assertEquals(0, k.rc(), k.err());
        Set<Integer> killed = new TreeSet<>();
        for (String line : k.lines()) {
            Matcher m = Pattern.compile("killed \\(pid (\\d+)\\)$").matcher(line);
            assertTrue(m.find(), line);
            killed.add(Integer.valueOf(m.group(1)));
        }
        assertEquals(onPts0, killed, "pkill -0 -t pts/0 reaches the model's processes on pts/0");

        var p = mk.run("pidof", "-s", "rsyslogd");
        ClientsTest.assertClean(p, "pidof -s");
        assertEquals(String.valueOf(pids.get("rsyslogd")), p.out().strip());
        var d = mk.run("pidof", "diskio", "pool");
        ClientsTest.assertClean(d, "pidof of a D sleeper and a threaded process");
        assertEquals(Set.of(pids.get("diskio"), pids.get("pool")), ints(List.of(d.out().strip().split(" "))));
    }

    private static Set<Integer> ints(List<String> l) {
        Set<Integer> s = new TreeSet<>();
        for (String x : l) if (!x.isBlank()) s.add(Integer.valueOf(x.strip()));
        return s;
    }

    // ---- psmisc --------------------------------------------------------------------------

    @Test
    void pstreeGroupsByTheModelsPidNamespace() throws Exception {
        var r = mk.run("pstree", "-p", "-a", "-A", "-N", "pid");
        ClientsTest.assertClean(r, "pstree -N pid");
        assertEquals("[" + ProcNsOperations.PID.inum + "]", r.lines().get(0), "one pid namespace, named by its inode");
        var plain = mk.run("pstree", "-p", "-a", "-A");
        ClientsTest.assertClean(plain, "pstree -p -a");
        // The same tree: every model task pstree -p draws, -N pid draws under the one namespace.
        Set<Integer> nsPids = modelPids(LifecycleClientsTest.parsePstree(r.lines().subList(1, r.lines().size())));
        Set<Integer> allPids = modelPids(LifecycleClientsTest.parsePstree(plain.lines()));
        assertEquals(allPids, nsPids);
        assertTrue(nsPids.containsAll(List.of(1, pids.get("md5sum"), pids.get("pool"))), nsPids.toString());
        var mnt = mk.run("pstree", "-N", "mnt");
        ClientsTest.assertClean(mnt, "pstree -N mnt");
        assertEquals("[" + ProcNsOperations.MNT.inum + "]", mnt.lines().get(0));
    }

    /** The pids drawn that are model tasks (visitors, the clients themselves, left out). */
    private static Set<Integer> modelPids(List<LifecycleClientsTest.Node> nodes) {
        Set<Integer> s = new TreeSet<>();
        for (var n : nodes) {
            boolean model = locked(() -> {
                Task t = mk.kernel.pids().find(n.pid());
                return t != null && !mk.kernel.visitors().isVisitor(t.groupLeader());
            });
            if (model) s.add(n.pid());
        }
        return s;
    }

    @Test
    void killallSelectsTheModelsProcessesEvenThoughItsPidfdsCannotBeFuseDirectories() throws Exception {
        // psmisc 23.6 opens /proc/<pid> (O_DIRECTORY) and signals with pidfd_send_signal() on
        // that descriptor; the kernel's pidfd_to_pid() accepts only a pidfd or a directory of
        // the real procfs (proc_tgid_base_operations), so any FUSE /proc answers EBADF, stand-ins
        // or not. Binding the stand-ins' real /proc/<pid> over ksim's would make the signal work
        // but would have killall read the stand-ins' stat instead of the model's. What killall
        // selected is what is compared.
        Map<Integer, Task> model = processes();
        var r = mk.runWithStandIns(model.keySet(), "killall", "-0", "-v", "-u", "root", "-r", "^(cron|agetty|pool)$");
        assertEquals(1, r.rc());
        Set<Integer> matched = new TreeSet<>();
        for (String line : r.err().split("\n")) {
            Matcher m = Pattern.compile("^(.+)\\((\\d+)\\): Bad file descriptor$").matcher(line);
            if (m.matches()) matched.add(Integer.valueOf(m.group(2)));
            else assertTrue(line.endsWith("no process found") || line.isEmpty(), "unexpected killall output: " + line);
        }
        Set<Integer> expect = new TreeSet<>();
        for (Task t : model.values()) {
            if (t.cred().euid() == 0 && Set.of("cron", "agetty", "pool").contains(comm(t))) expect.add(t.pid());
        }
        assertEquals(expect, matched);
        assertEquals(2, expect.size(), "cron and agetty; pool belongs to uid 1000");
    }

    // ---- busybox -------------------------------------------------------------------------

    @Test
    void busyboxPsTopAndPidofAgreeWithTheModel() throws Exception {
        // (busybox's stat column holds spaces: it is left out.)
        var r = mk.run("busybox", "ps", "-o", "pid,ppid,pgid,nice,comm");
        ClientsTest.assertClean(r, "busybox ps -o");
        Map<Integer, Task> model = processes();
        int checked = 0;
        for (String line : r.lines().subList(1, r.lines().size())) {
            String[] f = line.strip().split("\\s+", 5);
            Task t = model.get(Integer.parseInt(f[0]));
            if (t == null) continue;
            checked++;
            Task rp = locked(t::realParent);
            String c = comm(t);
            assertEquals(List.of(String.valueOf(rp == null ? 0 : rp.tgid()), String.valueOf(t.signal().pgrp()), String.valueOf(t.nice()),
                    c.length() > 15 ? c.substring(0, 15) : c), List.of(f).subList(1, 5), "busybox ps of " + line);
        }
        assertEquals(model.size(), checked);

        var top = mk.run("busybox", "top", "-b", "-n1");
        ClientsTest.assertClean(top, "busybox top");
        String load = top.lines().stream().filter(l -> l.startsWith("Load average:")).findFirst().orElseThrow();
        assertTrue(load.startsWith("Load average: " + String.join(" ", loads()) + " "), load + " vs " + loads());
        int md5 = pids.get("md5sum");
        String row = top.lines().stream().filter(l -> l.strip().startsWith(md5 + " ")).findFirst().orElseThrow();
        String[] f = row.strip().split("\\s+");
        assertEquals(String.valueOf(pids.get("bash")), f[1], "PPID of md5sum: " + row);
        long vsz = locked(() -> processes().get(md5).mm().totalVm() * 4);
        assertEquals(String.valueOf(vsz), f[4], "VSZ of md5sum: " + row);

        var p = mk.run("busybox", "pidof", "diskio", "md5sum");
        ClientsTest.assertClean(p, "busybox pidof");
        assertEquals(Set.of(pids.get("diskio"), md5), ints(List.of(p.out().strip().split(" "))));
    }

    // ---- htop ----------------------------------------------------------------------------

    @Test
    void htopUnderTmuxShowsTheModelsTasks() throws Exception {
        boolean have = Files.isExecutable(Path.of("/usr/bin/htop")) && Files.isExecutable(Path.of("/usr/bin/tmux"));
        if (Boolean.getBoolean("ksim.requireFuse")) assertTrue(have, "install htop and tmux (.ci/run does)");
        assumeTrue(have, "needs htop and tmux");
        Path sock = scratch.resolve("tmux.sock");
        Path cap = scratch.resolve("pane");
        int md5 = pids.get("md5sum");
        // The tmux server starts inside the namespace (so does htop, its child) with a socket of its
        // own; the shell polls the pane (bounded) until htop has drawn md5sum's row, then ends the server.
        String script = "unset COLUMNS LINES; export TERM=xterm; tmux -S " + sock + " new-session -d -x 220 -y 80 'htop -d 50'"
                + " && i=0; while [ $i -lt 100 ]; do tmux -S " + sock + " capture-pane -p > " + cap
                + "; grep -q '^ *" + md5 + " ' " + cap + " && grep -q 'kthr; [0-9]* running' " + cap + " && break; i=$((i+1)); sleep 0.1; done;"
                + " tmux -S " + sock + " kill-server; cat " + cap;
        var r = mk.run("sh", "-c", script);
        assertEquals(0, r.rc(), r.err());
        Map<Integer, Task> model = processes();
        Map<Integer, String> rows = new HashMap<>();
        String tasks = null;
        for (String line : r.out().split("\n")) {
            Matcher m = Pattern.compile("^ *(\\d+) .*$").matcher(line);
            if (m.matches()) rows.put(Integer.valueOf(m.group(1)), line);
            if (line.contains("Tasks: ")) tasks = line.substring(line.indexOf("Tasks: "));
        }
        assertTrue(tasks != null, r.out());
        int userThreads = 0;
        int kthreads = 0;
        int users = 0;
        for (Task t : model.values()) {
            if (t.isKthread()) {
                kthreads++;
                continue;
            }
            users++;
            userThreads += locked(() -> t.signal().nrThreads()) - 1;
            String row = rows.get(t.pid());
            assertTrue(row != null, "htop lists " + t.pid() + "\n" + r.out());
            assertTrue(row.strip().endsWith(args(t)), "command of " + row + " vs " + args(t));
        }
        Matcher tm = Pattern.compile("Tasks: (\\d+), (\\d+) thr, (\\d+) kthr; (\\d+) running").matcher(tasks);
        assertTrue(tm.find(), tasks);
        assertEquals(kthreads, Integer.parseInt(tm.group(3)), tasks);
        assertEquals(userThreads, Integer.parseInt(tm.group(2)), tasks);
        int shown = Integer.parseInt(tm.group(1));
        assertTrue(shown >= users && shown <= users + 3, tasks + " vs " + users + " processes and htop");
        assertTrue(rows.get(md5).contains(" R "), "md5sum runs: " + rows.get(md5));
    }

    // ---- psutil --------------------------------------------------------------------------

    @Test
    void psutilReadsTheModel() throws Exception {
        boolean have = new ProcessBuilder("/usr/bin/python3", "-c", "import psutil").start().waitFor() == 0;
        if (Boolean.getBoolean("ksim.requireFuse")) assertTrue(have, "python3-psutil is missing (.ci/run installs it)");
        assumeTrue(have, "needs python3-psutil");
        // Inside the namespace /sys is the model's too (cpu_count) and /dev/pts has its ptys (terminal).
        // nice() is left out: psutil asks getpriority(2), which knows nothing of simulated pids.
        String script = String.join("\n",
                "import sys, psutil",
                "psutil.PROCFS_PATH = sys.argv[1]",
                "attrs = ['name', 'ppid', 'status', 'cmdline', 'exe', 'username', 'num_threads', 'cpu_times', 'memory_info',",
                "         'create_time', 'terminal', 'uids', 'gids', 'num_ctx_switches', 'cwd']",
                "for p in psutil.process_iter():",
                "    d = p.as_dict(attrs=attrs)",
                "    print('P', p.pid, d['name'], d['ppid'], d['status'], d['exe'] or '-', d['username'], d['num_threads'],",
                "          round(d['cpu_times'].user * 100), round(d['cpu_times'].system * 100), d['memory_info'].rss, d['memory_info'].vms,",
                "          round(d['create_time'] * 100), d['terminal'] or '-', *d['uids'], *d['gids'], *d['num_ctx_switches'], d['cwd'],",
                "          '\\0'.join(d['cmdline']).replace(' ', '\\x01') or '-', sep='|')",
                "t = psutil.cpu_times()",
                "print('cpu', round(t.user * 100), round(t.nice * 100), round(t.system * 100), round(t.idle * 100), round(t.iowait * 100))",
                "v = psutil.virtual_memory()",
                "print('mem', v.total, v.available, v.free, v.buffers)",
                "print('pids', *psutil.pids())",
                "print('boot', int(psutil.boot_time()))",
                "print('cpus', psutil.cpu_count(), psutil.cpu_count(logical=False))");
        int before = lastPid();
        var r = mk.run(LoginSetup.after(LoginSetup.ptyNodes(mk.kernel), "/usr/bin/python3", "-c", script, mk.proc().toString()));
        ClientsTest.assertClean(r, "psutil");
        Map<Integer, Task> model = processes();
        Map<Integer, String> users = names("/etc/passwd");
        long btime = locked(() -> mk.kernel.clock().bootEpochSeconds());
        Set<Integer> seen = new TreeSet<>();
        Map<String, String[]> sys = new HashMap<>();
        for (String line : r.lines()) {
            if (!line.startsWith("P|")) {
                String[] f = line.split(" ");
                sys.put(f[0], f);
                continue;
            }
            String[] f = line.split("\\|", -1);
            int pid = Integer.parseInt(f[1]);
            seen.add(pid);
            Task t = model.get(pid);
            if (t == null) continue;
            var cred = t.cred();
            long startCs = locked(() -> Clock.nsecToClockT(t.startTime()));
            String status = switch (locked(() -> t.state())) {
                case RUNNING -> "running";
                case INTERRUPTIBLE -> "sleeping";
                case UNINTERRUPTIBLE -> "disk-sleep";
                case IDLE -> "idle";
                default -> "other";
            };
            long utime = locked(() -> Clock.nsecToClockT(t.signal().groupUtime()));
            long stime = locked(() -> Clock.nsecToClockT(t.signal().groupStime()));
            String argv = locked(() -> t.mm() == null ? "" : new String(t.mm().argv(), StandardCharsets.UTF_8).replaceAll("\0$", ""));
            // psutil splits a command line rewritten as one string (setproctitle) at its spaces,
            // and takes a 15-byte comm's full name from argv[0].
            if (!argv.contains("\0") && argv.contains(" ")) argv = argv.replace(' ', '\0');
            String cmdline = argv.isEmpty() ? "-" : argv.replace(' ', '\u0001');
            String name = comm(t);
            String base = argv.isEmpty() ? "" : argv.split("\0")[0].replaceAll(".*/", "");
            if (name.length() >= 15 && base.startsWith(name)) name = base;
            List<String> expect = List.of(name, String.valueOf(locked(t::realParent) == null ? 0 : t.realParent().tgid()), status,
                    locked(() -> t.mm() == null ? "-" : t.mm().exeFile()), users.getOrDefault(cred.uid(), String.valueOf(cred.uid())),
                    String.valueOf(locked(() -> t.signal().nrThreads())), String.valueOf(utime), String.valueOf(stime),
                    String.valueOf(locked(() -> t.mm() == null ? 0 : t.mm().rss() * 4096)),
                    String.valueOf(locked(() -> t.mm() == null ? 0 : t.mm().totalVm() * 4096)),
                    String.valueOf(btime * 100 + startCs), tty(t).equals("?") ? "-" : "/dev/" + tty(t),
                    String.valueOf(cred.uid()), String.valueOf(cred.euid()), String.valueOf(cred.suid()),
                    String.valueOf(cred.gid()), String.valueOf(cred.egid()), String.valueOf(cred.sgid()),
                    String.valueOf(locked(() -> sumSwitches(t, true))), String.valueOf(locked(() -> sumSwitches(t, false))),
                    locked(t::cwd), cmdline);
            assertEquals(expect, List.of(f).subList(2, f.length), "psutil of " + pid);
        }
        assertOnlyVisitorsExtra(seen, model.keySet(), before, "psutil.process_iter");
        Set<Integer> listed = new TreeSet<>();
        for (String p : List.of(sys.get("pids")).subList(1, sys.get("pids").length)) listed.add(Integer.valueOf(p));
        assertOnlyVisitorsExtra(listed, model.keySet(), before, "psutil.pids");

        Kernel k = mk.kernel;
        long[] cpu = cpuLine();
        assertEquals(List.of(cpu[KernelCpustat.USER], cpu[KernelCpustat.NICE], cpu[KernelCpustat.SYSTEM], cpu[KernelCpustat.IDLE],
                cpu[KernelCpustat.IOWAIT]), List.of(sys.get("cpu")).subList(1, 6).stream().map(Long::valueOf).toList(), "cpu_times()");
        var vm = k.vmstat();
        long buffers = k.locked(() -> vm.get(ksim.mm.VmStat.Item.NR_BUFFERS));
        assertEquals(k.locked(() -> List.of(vm.totalRamPages() * 4096, vm.availablePages() * 4096, vm.freePages() * 4096, buffers * 4096)),
                List.of(sys.get("mem")).subList(1, 5).stream().map(Long::valueOf).toList(), "virtual_memory()");
        assertEquals(btime, Long.parseLong(sys.get("boot")[1]), "boot_time()");
        assertEquals(String.valueOf(k.scheduler().nrCpus()), sys.get("cpus")[1], "cpu_count() reads the model's /sys");
        assertEquals(3, k.scheduler().nrCpus());
    }

    /** The "cpu" line of /proc/stat: each field summed over CPUs in ns, then turned into ticks (show_stat). */
    static long[] cpuLine() {
        Kernel k = mk.kernel;
        return k.locked(() -> {
            long[] s = new long[KernelCpustat.GUEST_NICE + 1];
            for (int c = 0; c < k.scheduler().nrCpus(); c++) for (int i = 0; i < s.length; i++) s[i] += k.scheduler().cpustat(c).get(i);
            for (int i = 0; i < s.length; i++) s[i] = Clock.nsecToClockT(s[i]);
            return s;
        });
    }

    /** status voluntary_ctxt_switches / nonvoluntary_ctxt_switches: the task's own (task_context_switch_counts). */
    private static long sumSwitches(Task t, boolean voluntary) {
        return voluntary ? t.nvcsw() : t.nivcsw();
    }

    // ---- node_exporter -------------------------------------------------------------------

    @Test
    void nodeExporterProcessCollectorsReportTheModel() throws Exception {
        Kernel k = mk.kernel;
        // Clients before this one leave the model now, not halfway through the scrape.
        k.locked(() -> k.visitors().sweep());
        Map<String, Double> m = NodeExporterScrape.scrape(mk, List.of("loadavg", "meminfo", "stat", "vmstat", "processes"));
        for (String c : List.of("loadavg", "meminfo", "stat", "vmstat", "processes")) {
            assertEquals(1.0, m.get("node_scrape_collector_success{collector=\"" + c + "\"}"), c);
        }
        List<String> loads = loads();
        assertEquals(Double.valueOf(loads.get(0)), m.get("node_load1"));
        assertEquals(Double.valueOf(loads.get(1)), m.get("node_load5"));
        assertEquals(Double.valueOf(loads.get(2)), m.get("node_load15"));
        k.locked(() -> {
            var s = k.scheduler();
            assertEquals((double) s.nrRunning(), m.get("node_procs_running"));
            assertEquals((double) s.nrUninterruptible(), m.get("node_procs_blocked"));
            assertEquals(1.0, m.get("node_procs_blocked"), "diskio");
            assertEquals((double) s.nrContextSwitches(), m.get("node_context_switches_total"));
            assertEquals((double) k.totalForks(), m.get("node_forks_total"));
            assertEquals((double) k.clock().bootEpochSeconds(), m.get("node_boot_time_seconds"));
            assertEquals((double) k.pids().pidMax(), m.get("node_processes_max_processes"));
            assertEquals((double) k.maxThreads(), m.get("node_processes_max_threads"));
            assertEquals((double) k.pids().leaders().size(), m.get("node_processes_pids"));
            assertEquals((double) k.pids().allTasks().size(), m.get("node_processes_threads"));
            Map<String, Double> states = new TreeMap<>();
            Map<String, Double> threadStates = new TreeMap<>();
            for (Task t : k.pids().leaders()) states.merge(String.valueOf(t.state().letter), 1.0, Double::sum);
            for (Task t : k.pids().allTasks()) threadStates.merge(String.valueOf(t.state().letter), 1.0, Double::sum);
            Map<String, Double> gotStates = new TreeMap<>();
            Map<String, Double> gotThreads = new TreeMap<>();
            m.forEach((key, v) -> {
                Matcher x = Pattern.compile("^node_processes_state\\{state=\"(.)\"\\}$").matcher(key);
                if (x.matches()) gotStates.put(x.group(1), v);
                Matcher y = Pattern.compile("^node_processes_threads_state\\{thread_state=\"(.)\"\\}$").matcher(key);
                if (y.matches()) gotThreads.put(y.group(1), v);
            });
            assertEquals(states, gotStates, "node_processes_state");
            assertEquals(threadStates, gotThreads, "node_processes_threads_state");
            var vm = k.vmstat();
            assertEquals(vm.totalRamPages() * 4096.0, m.get("node_memory_MemTotal_bytes"));
            assertEquals(vm.freePages() * 4096.0, m.get("node_memory_MemFree_bytes"));
            assertEquals(vm.availablePages() * 4096.0, m.get("node_memory_MemAvailable_bytes"));
        });
    }
}
