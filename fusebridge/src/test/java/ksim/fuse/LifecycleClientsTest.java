package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ksim.ctl.Session;
import ksim.ctl.Words;
import ksim.kernel.Kernel;
import ksim.kernel.Task;
import ksim.kernel.TaskState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real clients read a kernel whose processes were made to run, sleep in S and D, stop, be
 * traced, die and linger as zombies through the control protocol: ps, top, pgrep, pkill -0,
 * pidof, pstree and killall are compared with the model, never with recorded output.
 */
class LifecycleClientsTest {
    static MountedKernel mk;
    /** The world's processes by name. */
    static final Map<String, Integer> pids = new HashMap<>();

    @BeforeAll
    static void up() throws Exception {
        mk = MountedKernel.start();
        Session ctl = Session.open(mk.kernel);
        int shell = spawn(ctl, "shell", "spawn --comm shell --argv \"bash -i\"");
        for (String line : List.of("setsid " + shell, "tty " + shell + " pts/4")) ok(ctl, line);
        spawn(ctl, "spin", "spawn --parent " + shell + " --comm spin --state R");
        spawn(ctl, "diskio", "spawn --parent " + shell + " --comm diskio --state D --wchan io_schedule");
        int stopped = spawn(ctl, "stopped", "spawn --parent " + shell + " --comm stopped");
        ok(ctl, "setpgid " + stopped + " 0");
        ok(ctl, "kill -STOP " + stopped);
        spawn(ctl, "traced", "spawn --parent " + shell + " --comm traced --state t");
        spawn(ctl, "zombie", "spawn --parent " + shell + " --comm zombie --argv \"zombie --was-here\" --state Z");
        spawn(ctl, "threaded", "spawn --parent " + shell + " --comm threaded --threads 3");
        int zl = spawn(ctl, "zl", "spawn --parent " + shell + " --comm zl --threads 2");
        ok(ctl, "exit " + zl + " --thread");
        spawn(ctl, "twin", "spawn --parent " + shell + " --count 2 --comm twin");
    }

    private static String ok(Session ctl, String line) {
        String a = ctl.execute(line);
        assertTrue(a.startsWith("ok"), line + " -> " + a);
        return a;
    }

    private static int spawn(Session ctl, String name, String line) {
        String a = ok(ctl, line);
        for (String w : Words.split(a)) if (w.startsWith("pid=")) pids.put(name, Integer.parseInt(w.substring(4)));
        return pids.get(name);
    }

    @AfterAll
    static void down() throws Exception {
        if (mk != null) {
            assertEquals(0, mk.server.procMount().unexpectedErrors(), "no exception may reach the FUSE layer");
            mk.close();
        }
    }

    static Map<Integer, Task> processes() {
        return mk.processes();
    }

    static String comm(Task t) {
        return MountedKernel.comm(t);
    }

    @Test
    void psShowsEveryStateAsTheModelHasIt() throws Exception {
        var r = mk.run("ps", "-eo", "pid,stat,wchan:40,comm,args");
        ClientsTest.assertClean(r, "ps -eo ...");
        Map<Integer, Task> model = processes();
        Set<Character> states = new TreeSet<>();
        int checked = 0;
        for (String line : r.lines().subList(1, r.lines().size())) {
            String[] f = line.strip().split("\\s+", 5);
            Task t = model.get(Integer.parseInt(f[0]));
            if (t == null) continue; // a visitor: ps itself
            checked++;
            String name = comm(t);
            assertEquals(mk.kernel.locked(() -> ClientsTest.row(t).stat()), f[1], "STAT of " + line);
            char st = mk.kernel.locked(() -> t.state().letter);
            states.add(st);
            String wchan = mk.kernel.locked(t::wchan);
            if (st == 'D' || st == 'T' || st == 't' || (st == 'S' && !wchan.isEmpty())) {
                assertEquals(wchan, f[2], "WCHAN of " + line);
            }
            if (st == 'Z') assertEquals("[" + name + "] <defunct>", f[4], "a zombie's args: " + line);
        }
        assertEquals(model.size(), checked, "ps lists every process");
        assertTrue(states.containsAll(List.of('R', 'S', 'D', 'T', 't', 'Z', 'I')), "every state is there: " + states);
        String zl = r.lines().stream().filter(l -> l.strip().startsWith(pids.get("zl") + " ")).findFirst().orElseThrow();
        assertTrue(zl.contains(" Zl"), "a zombie leader whose thread lives: " + zl);
    }

    @Test
    void topCountsTasksByStateAsTheModelDoes() throws Exception {
        var r = mk.run("top", "-b", "-n1", "-w", "200");
        ClientsTest.assertClean(r, "top -b -n1");
        String tasks = r.lines().stream().filter(l -> l.startsWith("Tasks:")).findFirst().orElseThrow();
        Matcher m = Pattern.compile("Tasks: +(\\d+) total, +(\\d+) running, +(\\d+) sleeping, +(\\d+) stopped, +(\\d+) zombie").matcher(tasks);
        assertTrue(m.find(), tasks);
        // Every process /proc listed to top, visitors included (top is one; it has not left yet).
        Kernel k = mk.kernel;
        int[] expect = k.locked(() -> {
            int[] c = new int[5];
            for (Task t : k.pids().leaders()) {
                c[0]++;
                switch (t.state()) {
                    case RUNNING -> c[1]++;
                    case INTERRUPTIBLE, UNINTERRUPTIBLE, IDLE -> c[2]++;
                    case STOPPED, TRACED -> c[3]++;
                    case ZOMBIE -> c[4]++;
                    default -> { }
                }
            }
            return c;
        });
        for (int i = 0; i < 5; i++) assertEquals(expect[i], Integer.parseInt(m.group(i + 1)), "field " + (i + 1) + " of " + tasks);
        assertEquals(2, expect[3], "T and t");
        assertEquals(2, expect[4], "zombie and the zombie leader");
    }

    @Test
    void pgrepPidofAndPkillFindWhatTheModelHas() throws Exception {
        Map<Integer, Task> model = processes();
        var r = mk.run("pgrep", "-r", "D,T");
        ClientsTest.assertClean(r, "pgrep -r D,T");
        Set<Integer> expected = new TreeSet<>();
        model.forEach((pid, t) -> {
            TaskState s = mk.kernel.locked(t::state);
            if (s == TaskState.UNINTERRUPTIBLE || s == TaskState.STOPPED) expected.add(pid);
        });
        assertEquals(expected, new TreeSet<>(r.lines().stream().map(Integer::valueOf).toList()));

        var z = mk.run("pgrep", "-x", "zombie");
        assertEquals(String.valueOf(pids.get("zombie")), z.out().strip(), "pgrep matches zombies too");

        // pidof leaves zombies out, as it does on Linux.
        var p = mk.run("pidof", "spin", "zombie", "zl", "twin");
        ClientsTest.assertClean(p, "pidof");
        Set<String> alive = new TreeSet<>();
        model.forEach((pid, t) -> {
            if (Set.of("spin", "zombie", "zl", "twin").contains(comm(t)) && mk.kernel.locked(() -> !t.hasExited())) alive.add(String.valueOf(pid));
        });
        assertEquals(alive, new TreeSet<>(List.of(p.out().strip().split(" "))));
        assertEquals(3, alive.size(), "spin and the two twins, not the zombie nor the zombie leader: " + alive);

        // pkill -0 signals with kill(2): only with stand-ins for the simulated pids does it succeed.
        var bare = mk.run("pkill", "-0", "-x", "spin");
        assertEquals(1, bare.rc(), "without stand-ins kill(pid, 0) finds no such process");
        var k0 = mk.runWithStandIns(model.keySet(), "pkill", "-0", "-e", "-P", String.valueOf(pids.get("shell")));
        assertEquals(0, k0.rc(), k0.err());
        Set<Integer> killed = new TreeSet<>();
        for (String line : k0.lines()) {
            Matcher km = Pattern.compile("killed \\(pid (\\d+)\\)$").matcher(line);
            assertTrue(km.find(), line);
            killed.add(Integer.valueOf(km.group(1)));
        }
        Set<Integer> children = new TreeSet<>();
        model.forEach((pid, t) -> {
            Task rp = mk.kernel.locked(() -> t.realParent());
            if (rp != null && rp.pid() == pids.get("shell")) children.add(pid);
        });
        assertEquals(children, killed, "pkill -0 -P shell reaches the model's children of the shell");
        // With stand-ins the client is not pid 1 of its namespace: it gets its own visitor's pid,
        // so ps, which looks itself up by number, still works and lists every process.
        var ps = mk.runWithStandIns(model.keySet(), "ps", "-eo", "pid");
        ClientsTest.assertClean(ps, "ps -e with stand-ins");
        Set<Integer> listed = new TreeSet<>(ps.lines().subList(1, ps.lines().size()).stream().map(l -> Integer.valueOf(l.strip())).toList());
        assertTrue(listed.containsAll(model.keySet()), "ps with stand-ins lists every process");
        assertEquals(1, mk.runWithStandIns(model.keySet(), "pkill", "-0", "-x", "no-such-name").rc());
    }

    /** One process or thread of pstree -p -a output: depth, name, id, and how it was drawn. */
    record Node(int depth, String name, int pid, boolean zombie, boolean thread) {}

    static List<Node> parsePstree(List<String> lines) {
        Pattern p = Pattern.compile("^([ |`-]*)(\\(?)(\\{?)(.*?)(\\}?),(\\d+)\\)?(?: .*)?$");
        List<Node> nodes = new ArrayList<>();
        for (String line : lines) {
            Matcher m = p.matcher(line);
            assertTrue(m.matches(), "pstree line: " + line);
            nodes.add(new Node(m.group(1).length() / 4, m.group(4), Integer.parseInt(m.group(6)),
                    !m.group(2).isEmpty(), !m.group(3).isEmpty()));
        }
        return nodes;
    }

    @Test
    void pstreeDrawsTheModelsTree() throws Exception {
        var r = mk.run("pstree", "-p", "-a", "-A");
        ClientsTest.assertClean(r, "pstree -p -a");
        Map<Integer, Task> model = processes();
        Kernel k = mk.kernel;
        Deque<Node> path = new ArrayDeque<>();
        Set<Integer> seen = new TreeSet<>();
        for (Node n : parsePstree(r.lines())) {
            while (path.size() > n.depth()) path.pop();
            Node parent = path.peek();
            path.push(n);
            Task t = k.locked(() -> k.pids().find(n.pid()));
            if (t == null) continue; // a visitor that has left
            if (n.thread()) {
                assertEquals(parent.pid(), k.locked(t::tgid), "thread " + n + " drawn under its process");
                assertTrue(!t.isGroupLeader());
                continue;
            }
            if (k.locked(() -> k.visitors().isVisitor(t))) continue;
            seen.add(n.pid());
            assertEquals(comm(t), n.name(), "name of " + n.pid());
            assertEquals(k.locked(() -> t.state() == TaskState.ZOMBIE), n.zombie(), "zombies are drawn in parentheses: " + n);
            Task rp = k.locked(() -> t.realParent());
            if (rp == null) assertEquals(null, parent, "a root: " + n);
            else assertEquals(rp.tgid(), parent.pid(), "parent of " + n);
        }
        Set<Integer> underInit = new TreeSet<>();
        model.forEach((pid, t) -> {
            for (Task a = t; a != null; a = k.locked(a::realParent)) if (a.pid() == 1) underInit.add(pid);
        });
        assertTrue(seen.containsAll(underInit), "pstree drew every process under init; missing " + diff(underInit, seen));
        var sub = mk.run("pstree", "-p", "-a", "-A", String.valueOf(pids.get("shell")));
        ClientsTest.assertClean(sub, "pstree of the shell");
        assertTrue(sub.lines().get(0).startsWith("shell," + pids.get("shell") + " -i"), sub.out());
    }

    private static Set<Integer> diff(Set<Integer> a, Set<Integer> b) {
        Set<Integer> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    @Test
    void killallMatchesTheModelsProcessesButItsPidfdsAreNotRealOnes() throws Exception {
        // psmisc killall signals through pidfd_send_signal() on the /proc/<pid> directory it
        // opened: over FUSE that descriptor is no pidfd (EBADF), so it reports each process it
        // matched as a failure. What it matched is what we compare.
        var r = mk.run("killall", "-0", "-v", "spin", "twin", "zombie", "no-such-name");
        assertEquals(1, r.rc());
        Map<String, Set<Integer>> found = new TreeMap<>();
        Set<String> none = new TreeSet<>();
        for (String line : r.err().split("\n")) {
            Matcher m = Pattern.compile("^(.+)\\((\\d+)\\): Bad file descriptor$").matcher(line);
            if (m.matches()) found.computeIfAbsent(m.group(1), x -> new TreeSet<>()).add(Integer.valueOf(m.group(2)));
            else if (line.endsWith(": no process found")) none.add(line.substring(0, line.indexOf(':')));
            else throw new AssertionError("unexpected killall output: " + line);
        }
        Map<String, Set<Integer>> expected = new TreeMap<>();
        processes().forEach((pid, t) -> {
            String c = comm(t);
            if (Set.of("spin", "twin", "zombie").contains(c)) expected.computeIfAbsent(c, x -> new TreeSet<>()).add(pid);
        });
        assertEquals(expected, found);
        assertTrue(none.contains("no-such-name"), none.toString());
    }
}
