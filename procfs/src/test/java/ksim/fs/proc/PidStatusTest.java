package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import ksim.kernel.Task;
import org.junit.jupiter.api.Test;

/** /proc/<pid>/status: proc_pid_status() with task_mem(). */
class PidStatusTest {
    private static final Pattern LINE = Pattern.compile("^[A-Za-z_()0-9]+:\t.*");
    private static final Pattern KB = Pattern.compile("^[A-Za-z]+:\t[ 0-9]{8,} kB$");
    private final Proc p = Proc.boot();

    @Test
    void everyLineIsKeyColonTab() {
        for (Task t : p.k.locked(() -> List.copyOf(p.k.pids().allTasks()))) {
            String path = t.isGroupLeader() ? "/" + t.pid() + "/status" : "/" + t.tgid() + "/task/" + t.pid() + "/status";
            String s = p.read(path);
            assertTrue(s.endsWith("\n"), path);
            for (String line : s.split("\n")) {
                assertTrue(LINE.matcher(line).matches(), path + ": [" + line + "]");
                if (line.startsWith("Vm") || line.startsWith("Rss")) assertTrue(KB.matcher(line).matches(), path + ": " + line);
            }
            assertEquals("Name:\t" + new String(t.procName(), java.nio.charset.StandardCharsets.ISO_8859_1), s.substring(0, s.indexOf('\n')), path);
            assertEquals(String.valueOf(t.pid()), p.field(path, "Pid"));
            assertEquals(String.valueOf(t.tgid()), p.field(path, "Tgid"));
            assertEquals(t.isKthread() ? "1" : "0", p.field(path, "Kthread"));
            assertEquals(t.mm() != null, s.contains("\nVmRSS:\t"), path + ": Vm lines only with an mm");
        }
    }

    @Test
    void nameEscapesNewlineAndBackslash() {
        Task cron = p.byComm("cron");
        p.k.locked(() -> p.k.setComm(cron, "a\nb\\c d)".getBytes(StandardCharsets.ISO_8859_1)));
        String s = p.read("/" + cron.pid() + "/status");
        assertTrue(s.startsWith("Name:\ta\\nb\\\\c d)\n"), s.substring(0, 20));
        for (String line : s.split("\n")) assertTrue(LINE.matcher(line).matches(), "[" + line + "]");
        // stat and comm keep the raw bytes
        assertTrue(p.read("/" + cron.pid() + "/stat").startsWith(cron.pid() + " (a\nb\\c d)) S "));
        assertEquals("a\nb\\c d)\n", p.read("/" + cron.pid() + "/comm"));
    }

    @Test
    void uidGidAndGroups() {
        Task bash = p.byComm("bash");
        String path = "/" + bash.pid() + "/status";
        assertEquals("1000\t1000\t1000\t1000", p.field(path, "Uid"));
        assertEquals("1000\t1000\t1000\t1000", p.field(path, "Gid"));
        assertTrue(p.lines(path).contains("Groups:\t24 27 100 1000 "), "trailing space as in Linux");
        assertTrue(p.lines("/1/status").contains("Groups:\t "), "root has no supplementary groups");
        assertEquals("0\t0\t0\t0", p.field("/1/status", "Uid"));
        assertEquals("0000000000000000", p.field(path, "CapEff"), "alice has no capabilities");
        assertEquals("000001ffffffffff", p.field("/1/status", "CapEff"));
        assertEquals(String.valueOf(bash.realParent().pid()), p.field(path, "PPid"));
        assertEquals("0", p.field("/1/status", "PPid"));
        assertEquals("0", p.field("/2/status", "PPid"));
        assertEquals(String.valueOf(bash.pid()), p.field(path, "NSsid"));
        assertEquals("S (sleeping)", p.field(path, "State"));
        assertEquals("R (running)", p.field("/" + p.byComm("md5sum").pid() + "/status", "State"));
        assertEquals("I (idle)", p.field("/" + p.byComm("rcu_preempt").pid() + "/status", "State"));
        assertEquals("0022", p.field(path, "Umask"));
    }

    @Test
    void threadsEqualsEntriesUnderTask() {
        for (String pid : p.list("/").stream().filter(n -> n.matches("[0-9]+")).toList()) {
            int threads = Integer.parseInt(p.field("/" + pid + "/status", "Threads"));
            List<String> tids = p.list("/" + pid + "/task");
            assertEquals(tids.size(), threads, "pid " + pid);
            assertTrue(tids.contains(pid));
        }
        Task rs = p.byComm("rsyslogd");
        assertEquals("4", p.field("/" + rs.pid() + "/status", "Threads"));
        Task th = rs.signal().threads().get(3);
        String tpath = "/" + rs.pid() + "/task/" + th.pid() + "/status";
        assertEquals("rs:main Q:Reg", p.field(tpath, "Name"));
        assertEquals(String.valueOf(rs.pid()), p.field(tpath, "Tgid"));
        assertEquals("4", p.field(tpath, "Threads"));
    }

    @Test
    void vmLinesAreConsistent() {
        Task bash = p.byComm("bash");
        String path = "/" + bash.pid() + "/status";
        long rss = Proc.kb(p.field(path, "VmRSS"));
        long hwm = Proc.kb(p.field(path, "VmHWM"));
        long size = Proc.kb(p.field(path, "VmSize"));
        long peak = Proc.kb(p.field(path, "VmPeak"));
        assertTrue(rss > 0 && rss <= size);
        assertTrue(hwm >= rss);
        assertTrue(peak >= size);
        assertEquals(40, Proc.kb(p.field(path, "VmExe")), "text of Program.small");
        assertEquals(bash.mm().rssAnon() * 4, Proc.kb(p.field(path, "RssAnon")));
        assertEquals(0, rss % 4);
        String kt = p.read("/" + p.byComm("kswapd0").pid() + "/status");
        assertFalse(kt.contains("VmSize"), "kernel threads have no Vm lines");
        assertEquals("ffffffffffffffff", p.field("/" + p.byComm("kswapd0").pid() + "/status", "SigIgn"));
    }
}
