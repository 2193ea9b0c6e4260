package ksim.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.Task;
import org.junit.jupiter.api.Test;

/**
 * Every command of the control protocol against a booted kernel, in-process: what each does to
 * the model, and that every refusal (malformed lines, unknown pids, out-of-range signals, rules
 * of the kernel) is an err answer that leaves the model exactly as it was.
 */
class CtlProtocolTest {
    private final Kernel k = Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL)
            .withBootEpochMs(1_700_000_000_000L).withSeed(7));
    private final Session s = Session.open(k);

    /** An ok answer's key=value fields (rows as "row0", "row1"...). */
    static Map<String, String> fields(String answer) {
        List<String> w = Words.split(answer);
        Map<String, String> f = new HashMap<>();
        int row = 0;
        for (String x : w.subList(1, w.size())) {
            int eq = x.indexOf('=');
            if (eq > 0 && !x.substring(0, eq).contains(":")) f.put(x.substring(0, eq), x.substring(eq + 1));
            else f.put("row" + row++, x);
        }
        return f;
    }

    Map<String, String> ok(String line) {
        String a = s.execute(line);
        assertTrue(a.startsWith("ok"), line + " -> " + a);
        return fields(a);
    }

    int pid(String line) {
        return Integer.parseInt(ok(line).get("pid"));
    }

    /** Everything a refused command must not have changed. */
    private Map<String, String> snapshot() {
        return k.locked(() -> {
            Map<String, String> m = new TreeMap<>();
            m.put("threads", String.valueOf(k.pids().nrThreads()));
            m.put("last", String.valueOf(k.pids().lastPid()));
            m.put("forks", String.valueOf(k.totalForks()));
            m.put("free", String.valueOf(k.vmstat().freePages()));
            m.put("jiffies", String.valueOf(k.clock().jiffies()));
            m.put("pidmax", String.valueOf(k.pids().pidMax()));
            for (Task t : k.pids().allTasks()) {
                m.put("t" + t.pid(), t.state().letter + " " + t.wchan() + " " + t.nice() + " " + t.signal().pgrp() + " "
                        + t.signal().session() + " " + t.blocked() + " " + t.sighand().ignored() + " " + t.sighand().caught() + " "
                        + t.signal().sharedPending().signal() + " " + t.pending().signal() + " " + t.commString()
                        + " " + (t.realParent() == null ? 0 : t.realParent().pid()) + " " + t.exitCode());
            }
            return m;
        });
    }

    /** line is answered "err ERRNO ..." and the model is unchanged. */
    void err(String line, String errno) {
        Map<String, String> before = snapshot();
        String a = s.execute(line);
        assertTrue(a.startsWith("err " + errno + " "), line + " -> " + a);
        assertEquals(before, snapshot(), "a refused command changed the model: " + line);
    }

    String state(int pid) {
        return ok("show " + pid).get("state");
    }

    @Test
    void pingHelpJsonAndLinesThatAreNotCommands() {
        assertEquals("ok pong=1", s.execute("ping"));
        assertTrue(ok("help").get("commands").contains("spawn"));
        assertTrue(ok("help kill").get("usage").startsWith("kill "));
        err("help nosuch", "EINVAL");
        assertNull(s.execute(""));
        assertNull(s.execute("   "));
        assertNull(s.execute("# a comment"));
        assertEquals("{\"ok\":true,\"pong\":1}", s.execute("ping --json"));
        assertEquals("ok pong=1", s.execute("ping"), "--json was for one command");
        assertEquals("{\"ok\":true,\"json\":\"on\"}", s.execute("json on"));
        assertTrue(s.execute("show 99999").startsWith("{\"ok\":false,\"errno\":\"ESRCH\",\"code\":3,\"message\":"));
        assertEquals("ok json=off", s.execute("json off"));
        err("json maybe", "EINVAL");
    }

    @Test
    void malformedLinesAreRefused() {
        err("nosuch 1", "EINVAL");
        err("spawn --comm \"unterminated", "EINVAL");
        err("spawn --comm 'unterminated", "EINVAL");
        err("spawn --comm x\\", "EINVAL");
        err("spawn --bogus 1", "EINVAL");
        err("spawn --count", "EINVAL");
        err("spawn --count many --comm x", "EINVAL");
        err("spawn --count 0 --comm x", "EINVAL");
        err("spawn --count -3 --comm x", "EINVAL");
        err("spawn --state Q --comm x", "EINVAL");
        err("spawn --state I --comm x", "EINVAL");
        err("spawn --uid root --comm x", "EINVAL");
        err("spawn --uid 1:2:3 --comm x", "EINVAL");
        err("spawn", "EINVAL");
        err("spawn --exe relative/path", "EINVAL");
        err("spawn --argv \"a b\" c", "EINVAL");
        err("show", "EINVAL");
        err("show 1 2", "EINVAL");
        err("show abc", "EINVAL");
        err("show 0", "EINVAL");
        err("show 99999999999", "EINVAL");
        assertEquals("{\"ok\":false,\"errno\":\"EINVAL\",\"code\":22,\"message\":\"no command\"}", s.execute("--json"));
        err("tick", "EINVAL");
        err("tick -1", "EINVAL");
        err("tick x", "EINVAL");
        err("nice 1", "EINVAL");
        err("wait 1 0", "EINVAL");
        err("sleep 1 X", "EINVAL");
        err("sleep 1 R", "EINVAL");
        err("sigmask 1 twist HUP", "EINVAL");
        err("sigaction 1 HUP shrug", "EINVAL");
        err("clone 1 --flags BOGUS", "EINVAL");
        err("subreaper 1 maybe", "EINVAL");
    }

    @Test
    void unknownPidsAreEsrchAndChangeNothing() {
        for (String cmd : List.of("show 99999", "fork 99999", "clone-thread 99999", "exec 99999 true", "exit 99999",
                "kill 99999", "kill -9 99999", "stop 99999", "cont 99999", "sleep 99999 D", "run 99999", "trace 99999",
                "untrace 99999", "nice 99999 3", "setsid 99999", "setpgid 99999 0", "tty 99999 pts/3", "fg 99999",
                "wait 99999", "reap 99999", "sigaction 99999 HUP ignore", "sigmask 99999 block HUP", "subreaper 99999 on",
                "spawn --parent 99999 --comm x", "clone 99999 --flags 0", "kill --pgrp 99999", "kill --thread 99999")) {
            err(cmd, "ESRCH");
        }
    }

    @Test
    void signalsOutOfRangeAreEinvalAndChangeNothing() {
        int c = pid("spawn --comm victim");
        for (String cmd : List.of("kill -65 " + c, "kill -s 999 " + c, "kill --signal -1 " + c, "kill -NOPE " + c,
                "kill -SIGFOO " + c, "kill -RTMIN+40 " + c, "sigaction " + c + " 65 ignore", "sigmask " + c + " block 0",
                "sigmask " + c + " block 70", "sigaction " + c + " KILL ignore", "sigaction " + c + " STOP catch",
                "sigaction " + c + " HUP ignore --nocldstop")) {
            err(cmd, "EINVAL");
        }
        // all-or-nothing: one bad target, nobody is signalled
        err("kill -STOP " + c + " 99999", "ESRCH");
        err("kill -STOP " + c + " x", "EINVAL");
        err("kill -9", "EINVAL");
        assertEquals("S", state(c));
    }

    @Test
    void spawnForkCloneExec() {
        Map<String, String> f = ok("spawn --comm worker --uid 1000:1001 --argv \"sleep 100\"");
        int w = Integer.parseInt(f.get("pid"));
        assertEquals("S", f.get("state"));
        Map<String, String> show = ok("show " + w);
        assertEquals(List.of("worker", "1000", "1001", "sleep 100", "1", "hrtimer_nanosleep"),
                List.of(show.get("comm"), show.get("uid"), show.get("gid"), show.get("cmdline"), show.get("ppid"), show.get("wchan")));

        Map<String, String> batch = ok("spawn --count 5 --parent " + w + " --comm kid -- kid --flag");
        assertEquals("5", batch.get("count"));
        int first = Integer.parseInt(batch.get("pid"));
        assertEquals(5, Integer.parseInt(batch.get("last")) - first + 1);
        assertEquals("5", ok("ps --parent " + w).get("count"));
        assertEquals("kid --flag", ok("show " + first).get("cmdline"));

        Map<String, String> mt = ok("spawn --comm mt --threads 4 --state R");
        int m = Integer.parseInt(mt.get("pid"));
        assertEquals("R", mt.get("state"));
        assertEquals("4", ok("show " + m).get("threads"));
        assertEquals("4", ok("ps --threads --comm mt").get("count"));

        int child = pid("fork " + w);
        assertEquals("worker", ok("show " + child).get("comm"), "a fork is a copy");
        assertEquals(String.valueOf(w), ok("show " + child).get("ppid"));
        assertEquals("3", ok("fork " + w + " --count 3").get("count"));

        Map<String, String> th = ok("clone-thread " + w + " --comm helper");
        assertEquals(String.valueOf(w), th.get("pid"));
        assertEquals(String.valueOf(w), ok("show " + th.get("tid")).get("tgid"));
        assertEquals("helper", ok("show " + th.get("tid")).get("comm"));
        Map<String, String> cl = ok("clone " + w + " --flags VM,SIGHAND,THREAD --comm cl");
        assertEquals(String.valueOf(w), cl.get("tgid"));
        int sib = Integer.parseInt(ok("clone " + child + " --flags PARENT").get("pid"));
        assertEquals(String.valueOf(w), ok("show " + sib).get("ppid"), "CLONE_PARENT: a sibling of the caller");
        err("clone " + w + " --flags THREAD", "EINVAL");
        err("clone " + w + " --flags VM", "EINVAL");

        Map<String, String> ex = ok("exec " + w + " --env \"A=1 B=2\" /usr/bin/python3 -c pass");
        assertEquals("python3", ex.get("comm"));
        assertEquals("1", ok("show " + w).get("threads"), "exec killed the other threads");
        assertEquals("/usr/bin/python3 -c pass", ok("show " + w).get("cmdline"));
        err("exec " + w, "EINVAL");
        assertEquals("true", ok("exec " + w + " --exe /bin/true").get("comm"), "an empty argv is allowed since 5.18");
        err("fork 2", "EPERM");
        err("exec 2 sh", "EPERM");
        err("spawn --parent 2 --comm x", "EPERM");
    }

    @Test
    void spawnStatesAndLimits() {
        int p = pid("spawn --comm parent");
        Map<String, Integer> byState = new HashMap<>();
        for (String st : List.of("R", "S", "D", "T", "t", "Z")) {
            int c = pid("spawn --parent " + p + " --comm s" + st + " --state " + st);
            assertEquals(st, state(c), "spawn --state " + st);
            byState.put(st, c);
        }
        assertEquals("folio_wait_bit_common", ok("show " + byState.get("D")).get("wchan"));
        assertEquals("do_signal_stop", ok("show " + byState.get("T")).get("wchan"));
        assertEquals("ptrace_stop", ok("show " + byState.get("t")).get("wchan"));
        assertEquals(String.valueOf(p), ok("show " + byState.get("t")).get("tracer"));
        assertEquals("gone", ok("spawn --comm z --state Z").get("state"), "init reaps its zombie at once");

        int threads = k.locked(() -> k.pids().nrThreads());
        ok("sysctl kernel.threads-max=" + (threads + 3));
        err("spawn --count 4 --comm over", "EAGAIN");
        err("spawn --threads 4 --comm over", "EAGAIN");
        assertEquals("3", ok("spawn --count 3 --comm fits").get("count"));
        err("fork " + p, "EAGAIN");
        ok("sysctl kernel.threads-max=100000");
        ok("sysctl kernel.pid_max=400");
        int avail = k.locked(() -> k.pids().available());
        assertTrue(avail > 100, "pids up to 400 are mostly free");
        err("spawn --count " + (avail + 1) + " --comm over", "EAGAIN");
        assertEquals(String.valueOf(avail), ok("spawn --count " + avail + " --comm fits").get("count"));
        err("clone-thread " + p, "EAGAIN");
        err("spawn --comm over", "EAGAIN");
        err("sysctl kernel.pid_max=5", "EINVAL");
        err("sysctl kernel.threads-max=0", "EINVAL");
        err("sysctl kernel.nosuch=1", "ENOENT");
        err("sysctl kernel.pid_max=lots", "EINVAL");
        assertEquals("400", ok("sysctl kernel.pid_max").get("kernel.pid_max"));
        assertEquals("box", ok("sysctl kernel.hostname box").get("kernel.hostname"));
    }

    @Test
    void aBlockingWaitSleepsInDoWaitAndTheChildsExitWakesIt() {
        int p = pid("spawn --comm sh");
        int c = pid("spawn --parent " + p + " --comm job");
        Map<String, String> w = ok("wait " + p + " --block --then pipe_read");
        assertEquals(List.of("0", "1"), List.of(w.get("pid"), w.get("waiting")));
        assertEquals("S", state(p));
        assertEquals("do_wait", ok("show " + p).get("wchan"));
        assertEquals("0", ok("wait " + p + " --last").get("pid"), "nothing collected yet");
        ok("exit " + c + " 4");
        err("show " + c, "ESRCH");
        Map<String, String> last = ok("wait " + p + " --last");
        assertEquals(List.of(String.valueOf(c), "4", "0"), List.of(last.get("pid"), last.get("exited"), last.get("waiting")));
        assertEquals("pipe_read", ok("show " + p).get("wchan"));
        err("wait " + p + " --then pipe_read", "EINVAL");
        err("wait " + p + " --block --then 'no spaces'", "EINVAL");
        err("wait " + p + " --block", "ECHILD");
    }

    @Test
    void killStopContAndDefaultActions() {
        int p = pid("spawn --comm parent");
        int c = pid("spawn --parent " + p + " --comm job");
        ok("setpgid " + c + " 0");
        assertEquals("T", ok("kill -STOP " + c).get("state"));
        assertEquals("T", ok("kill -TERM " + c).get("state"), "a stopped job keeps SIGTERM pending");
        assertEquals("0000000000004000", ok("show " + c).get("shdpnd"));
        assertEquals("Z", ok("cont " + c).get("state"), "continued, it dies of it");
        Map<String, String> w = ok("wait " + p);
        assertEquals(List.of(String.valueOf(c), "TERM", "0"), List.of(w.get("pid"), w.get("signal"), w.get("core")));
        err("wait " + p, "ECHILD");

        int d = pid("spawn --parent " + p + " --comm d");
        assertEquals("T", ok("stop " + d).get("state"));
        assertEquals("S", ok("cont " + d).get("state"));
        assertEquals("S", ok("kill -0 " + d).get("state"));
        ok("sigaction " + d + " USR1 catch");
        assertEquals("S", ok("kill -s USR1 " + d).get("state"), "a handler runs and the task sleeps on");
        ok("kill --signal QUIT " + d);
        Map<String, String> q = ok("wait " + p + " " + d);
        assertEquals(List.of("QUIT", "1", String.valueOf(3 | 0x80)), List.of(q.get("signal"), q.get("core"), q.get("status")));

        int g1 = pid("spawn --parent " + p + " --comm g");
        ok("setpgid " + g1 + " 0");
        int g2 = pid("spawn --parent " + p + " --comm g");
        ok("setpgid " + g2 + " " + g1);
        assertEquals("2", ok("kill -STOP --pgrp " + g1).get("sent"));
        assertEquals("T", state(g2));
        ok("kill -KILL --pgrp " + g1);
        assertEquals("Z", state(g1));
        int t = pid("spawn --parent " + p + " --comm t --threads 2");
        int tid = t + 1;
        ok("sigmask " + t + " block USR1");
        ok("sigmask " + tid + " block USR1");
        ok("kill --thread -USR1 " + tid);
        assertEquals("0000000000000200", ok("show " + tid).get("sigpnd"));
        assertEquals("0000000000000000", ok("show " + t).get("sigpnd"));
        ok("kill -9 1");
        assertEquals("S", state(1), "init ignores SIGKILL from user space");
        err("exit 1", "EPERM");
    }

    @Test
    void exitWaitReapAndZombies() {
        int p = pid("spawn --comm parent");
        int c = pid("spawn --parent " + p + " --comm c");
        Map<String, String> e = ok("exit " + c + " 3");
        assertEquals(List.of("Z", "768"), List.of(e.get("state"), e.get("exit_code")));
        err("exit " + c, "ESRCH");
        err("fork " + c, "ESRCH");
        err("run " + c, "ESRCH");
        assertEquals("Z", ok("kill -9 " + c).get("state"), "kill on a zombie is fine and does nothing");
        Map<String, String> held = ok("reap " + c + " --hold");
        assertEquals(List.of(String.valueOf(c), "3", "X"), List.of(held.get("pid"), held.get("exited"), held.get("state")));
        Map<String, String> done = ok("reap " + c);
        assertEquals("gone", done.get("state"));
        err("show " + c, "ESRCH");

        int alive = pid("spawn --parent " + p + " --comm alive");
        assertEquals("0", ok("wait " + p).get("pid"), "nothing ready");
        assertEquals("0", ok("reap " + alive).get("pid"));
        err("wait " + p + " 4242", "ECHILD");

        int mt = pid("spawn --parent " + p + " --comm mt --threads 2");
        assertEquals("Z", ok("exit " + mt + " 1 --thread").get("state"), "the leader alone: a zombie");
        assertEquals("S", state(mt + 1));
        assertEquals("0", ok("wait " + p + " " + mt).get("pid"), "not reported while a thread lives");
        ok("exit " + (mt + 1) + " 2 --thread");
        assertEquals("1", ok("wait " + p + " " + mt).get("exited"));

        ok("subreaper " + p + " on");
        int mid = pid("spawn --parent " + p + " --comm mid");
        int leaf = pid("spawn --parent " + mid + " --comm leaf");
        ok("exit " + mid);
        assertEquals(String.valueOf(p), ok("show " + leaf).get("ppid"), "orphan goes to the subreaper");
        ok("wait " + p + " " + mid);
        ok("subreaper " + p + " off");

        ok("sigaction " + p + " CHLD ignore");
        int auto = pid("spawn --parent " + p + " --comm auto");
        assertEquals("gone", ok("exit " + auto).get("state"), "a parent ignoring SIGCHLD never has zombies");
        assertEquals("0000000000010000", ok("show " + p).get("sigign"));
    }

    @Test
    void sleepRunTraceNiceAndTheCounts() {
        int p = pid("spawn --comm parent");
        int c = pid("spawn --parent " + p + " --comm c");
        int r0 = Integer.parseInt(ok("count").get("procs_running"));
        int d0 = Integer.parseInt(ok("count").get("procs_blocked"));
        Map<String, String> d = ok("sleep " + c + " D --wchan io_schedule");
        assertEquals(List.of("D", "io_schedule"), List.of(d.get("state"), d.get("wchan")));
        assertEquals(d0 + 1, Integer.parseInt(ok("count").get("procs_blocked")));
        ok("kill -9 " + c);
        assertEquals("D", state(c), "D ignores even SIGKILL until it wakes");
        assertEquals("Z", ok("run " + c).get("state"), "and then dies");
        int e = pid("spawn --parent " + p + " --comm e");
        assertEquals("R", ok("run " + e).get("state"));
        assertEquals(r0 + 1, Integer.parseInt(ok("count").get("procs_running")));
        assertEquals("S", ok("sleep " + e).get("state"));
        err("sleep " + e + " I", "EINVAL");
        ok("stop " + e);
        err("run " + e, "EBUSY");
        err("sleep " + e + " S", "EBUSY");
        ok("cont " + e);
        Map<String, String> tr = ok("trace " + e);
        assertEquals(List.of("t", String.valueOf(p)), List.of(tr.get("state"), tr.get("tracer")));
        assertEquals(String.valueOf(p), ok("show " + e).get("tracer"));
        err("trace " + e, "EPERM");
        err("trace 1", "EPERM");
        assertEquals("t", ok("cont " + e).get("state"));
        assertEquals("S", ok("untrace " + e).get("state"));
        err("untrace " + e, "ESRCH");
        assertEquals("5", ok("nice " + e + " 5").get("nice"));
        assertEquals("19", ok("nice " + e + " 100").get("nice"), "clamped as Linux does");
        assertEquals("-20", ok("nice " + e + " -100").get("nice"));
        int kw = k.locked(() -> k.pids().allTasks().stream().filter(t -> t.state().letter == 'I').findFirst().orElseThrow().pid());
        assertEquals("R", ok("run " + kw).get("state"));
        assertEquals("I", ok("sleep " + kw + " I").get("state"));
        Map<String, String> count = ok("count");
        int processes = Integer.parseInt(count.get("processes"));
        int sum = 0;
        for (String st : List.of("R", "S", "D", "T", "t", "Z", "X", "I", "P")) sum += Integer.parseInt(count.get(st));
        assertEquals(processes, sum);
    }

    @Test
    void sessionsGroupsAndTerminals() {
        int p = pid("spawn --comm parent");
        int c = pid("spawn --parent " + p + " --comm c");
        Map<String, String> sid = ok("setsid " + p);
        assertEquals(List.of(String.valueOf(p), String.valueOf(p), "?"), List.of(sid.get("sid"), sid.get("pgid"), sid.get("tty")));
        err("setsid " + p, "EPERM");
        err("setpgid " + p + " 0", "EPERM");
        err("setpgid " + c + " 4242", "EPERM");
        err("setpgid " + c + " -1", "EINVAL");
        err("tty " + c + " pts/7", "EPERM");
        err("tty " + p + " pts/0", "EPERM");
        err("tty " + p + " pts/nope", "ENOENT");
        err("tty " + p + " tty99", "ENOENT");
        Map<String, String> t = ok("tty " + p + " pts/7");
        assertEquals(List.of("pts/7", String.valueOf(p)), List.of(t.get("tty"), t.get("tpgid")));
        int job = pid("spawn --parent " + p + " --comm job");
        assertEquals("pts/7", ok("show " + job).get("tty"), "inherited by a later child");
        ok("setpgid " + job + " 0");
        assertEquals(String.valueOf(job), ok("fg " + job).get("tpgid"));
        err("fg " + job + " 4242", "EPERM");
        err("fg " + c, "ENOTTY");
        assertEquals("S", state(job));
        ok("exit " + p);
        err("show " + job, "ESRCH"); // hung up when its session leader exited, orphaned, reaped by init
    }

    @Test
    void psAndTick() {
        Map<String, String> all = ok("ps");
        int n = Integer.parseInt(all.get("count"));
        assertEquals(k.locked(() -> k.pids().leaders().size()), n);
        assertTrue(all.get("row0").startsWith("1:0:S:systemd"), all.get("row0"));
        String weird = s.execute("ps --comm \"weird) (name\"");
        assertTrue(weird.endsWith(":S:\"weird) (name\""), weird);
        assertEquals(List.of("weird) (name"), List.of(Words.split(weird).get(2).split(":", 4)[3]), "answers split back with the same quoting");
        assertEquals("2", ok("ps 1 2 99999").get("count"), "ps of pids lists those that exist");
        String json = s.execute("ps --json 1");
        assertTrue(json.startsWith("{\"ok\":true,\"count\":1,\"tasks\":[{\"pid\":1,\"ppid\":0,\"state\":\"S\",\"comm\":\"systemd\""), json);
        long j = k.locked(() -> k.clock().jiffies());
        assertEquals(String.valueOf(j + 2500), ok("tick 2500").get("jiffies"));
        assertFalse(ok("ps --uid 1000").get("count").equals("0"));
    }
}
