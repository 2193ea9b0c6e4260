package ksim.fs.proc;

import static ksim.fs.proc.Proc.statField;
import static ksim.fs.proc.Proc.statFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ksim.kernel.Clock;
import ksim.kernel.Param;
import ksim.kernel.PreforkPool;
import ksim.kernel.Task;
import ksim.kernel.TaskState;
import org.junit.jupiter.api.Test;

/** /proc/<pid>/stat and task/<tid>/stat: do_task_stat() in fs/proc/array.c. */
class PidStatTest {
    private final Proc p = Proc.boot();

    @Test
    void everyProcessHas52FieldsAndItsOwnPidAndComm() {
        List<String> pids = p.list("/").stream().filter(n -> n.matches("[1-9][0-9]*")).toList();
        assertEquals(p.k.locked(() -> p.k.pids().leaders().size()), pids.size(), "readdir lists every process");
        for (String pid : pids) {
            String stat = p.read("/" + pid + "/stat");
            assertTrue(stat.endsWith("\n") && stat.indexOf('\n') == stat.length() - 1, "one line: " + stat);
            assertTrue(stat.startsWith(pid + " ("), stat);
            List<String> f = statFields(stat);
            assertEquals(52, f.size(), "52 fields (50 after the comm) in " + stat);
            Task t = p.k.pids().find(Integer.parseInt(pid));
            assertEquals(new String(t.procName(), java.nio.charset.StandardCharsets.ISO_8859_1), f.get(1), "proc_task_name");
            assertEquals(String.valueOf(t.state().letter), f.get(2));
            for (int i = 3; i < f.size(); i++) assertTrue(f.get(i).matches("-?[0-9]+"), "field " + (i + 1) + " of " + stat);
        }
    }

    @Test
    void oddCommIsFoundBetweenFirstParenAndLastParen() {
        Task odd = p.byComm("weird) (name");
        String stat = p.read("/" + odd.pid() + "/stat");
        assertTrue(stat.startsWith(odd.pid() + " (weird) (name) S "), stat);
        List<String> f = statFields(stat);
        assertEquals("weird) (name", f.get(1));
        assertEquals(52, f.size());
        assertEquals(1, statField(f, 4), "ppid init");
    }

    @Test
    void timesThreadsAndStartTime() {
        Task md5 = p.byComm("md5sum");
        p.k.locked(() -> p.k.tick(10 * Param.HZ + 3));
        List<String> f = statFields(p.read("/" + md5.pid() + "/stat"));
        assertEquals(Clock.nsecToClockT(md5.signal().groupUtime()), statField(f, 14), "utime");
        assertEquals(Clock.nsecToClockT(md5.signal().groupStime()), statField(f, 15), "stime");
        assertTrue(statField(f, 14) + statField(f, 15) >= 1000, "ran for 10 s");
        assertEquals(Clock.nsecToClockT(md5.startTime()), statField(f, 22), "starttime");
        assertTrue(statField(f, 22) > 0 && statField(f, 22) <= 300);
        assertEquals(1, statField(f, 20), "num_threads");
        assertEquals("R", f.get(2));
        assertEquals(0, statField(f, 35), "wchan flag: running");
        assertEquals(Task.SIGCHLD, statField(f, 38), "exit_signal");
        assertEquals(md5.cpu(), statField(f, 39), "processor");
        assertEquals(20, statField(f, 18), "priority of nice 0");

        Task rs = p.byComm("rsyslogd");
        List<String> rf = statFields(p.read("/" + rs.pid() + "/stat"));
        assertEquals(4, statField(rf, 20), "num_threads");
        assertEquals(1, statField(rf, 35), "wchan flag: sleeping");
    }

    @Test
    void groupViewSumsThreadsAndThreadViewShowsItsOwn() {
        Task master = PreforkPool.start(p.k, 1);
        Task w = master.children().get(0);
        Task th = p.k.locked(() -> {
            Task t = p.k.cloneThread(w, "helper");
            p.k.setState(w, TaskState.RUNNING, "");
            p.k.setState(t, TaskState.RUNNING, "");
            p.k.tick(5 * Param.HZ);
            return t;
        });
        List<String> group = statFields(p.read("/" + w.pid() + "/stat"));
        List<String> thread = statFields(p.read("/" + w.pid() + "/task/" + th.pid() + "/stat"));
        List<String> leader = statFields(p.read("/" + w.pid() + "/task/" + w.pid() + "/stat"));
        assertEquals(Clock.nsecToClockT(w.utime() + th.utime()), statField(group, 14));
        assertEquals(Clock.nsecToClockT(th.utime()), statField(thread, 14));
        assertEquals(Clock.nsecToClockT(w.utime()), statField(leader, 14));
        assertEquals(th.pid(), statField(thread, 1));
        assertEquals("helper", thread.get(1));
        assertEquals(2, statField(thread, 20), "num_threads is the group's");
        assertEquals(master.pid(), statField(thread, 4), "a thread's ppid is the group's parent");
    }

    @Test
    void threadsHaveExitSignalMinusOne() {
        Task rs = p.byComm("rsyslogd");
        List<String> tids = p.list("/" + rs.pid() + "/task");
        assertEquals(4, tids.size());
        assertEquals(String.valueOf(rs.pid()), tids.get(0));
        for (String tid : tids) {
            List<String> f = statFields(p.read("/" + rs.pid() + "/task/" + tid + "/stat"));
            long expected = tid.equals(String.valueOf(rs.pid())) ? Task.SIGCHLD : -1;
            assertEquals(expected, statField(f, 38), "exit_signal of " + tid);
            assertEquals(Long.parseLong(tid), statField(f, 1));
            assertEquals(rs.signal().session(), statField(f, 6));
        }
    }

    @Test
    void memoryFieldsAgreeWithStatmAndStatus() {
        for (String comm : List.of("bash", "rsyslogd", "systemd", "weird) (name", "md5sum")) {
            Task t = p.byComm(comm);
            String dir = "/" + t.pid();
            List<String> f = statFields(p.read(dir + "/stat"));
            String[] statm = p.read(dir + "/statm").strip().split(" ");
            assertEquals(7, statm.length);
            assertEquals(Long.parseLong(statm[0]) * 4096, statField(f, 23), comm + ": vsize = statm size * 4096");
            assertEquals(Long.parseLong(statm[1]), statField(f, 24), comm + ": rss = statm resident");
            long vmRss = Proc.kb(p.field(dir + "/status", "VmRSS"));
            assertEquals(vmRss / 4, statField(f, 24), comm + ": rss = VmRSS / 4");
            long parts = Proc.kb(p.field(dir + "/status", "RssAnon")) + Proc.kb(p.field(dir + "/status", "RssFile"))
                    + Proc.kb(p.field(dir + "/status", "RssShmem"));
            assertEquals(vmRss, parts, comm + ": VmRSS = RssAnon + RssFile + RssShmem");
            assertEquals(Proc.kb(p.field(dir + "/status", "VmSize")), statField(f, 23) / 1024, comm + ": VmSize");
            assertTrue(statField(f, 24) > 0);
            assertEquals(Long.toUnsignedString(-1L), f.get(24), "rsslim RLIM_INFINITY");
            assertTrue(statField(f, 26) < statField(f, 27), "startcode < endcode");
            assertTrue(statField(f, 48) < statField(f, 49), "arg_start < arg_end");
            assertEquals(statField(f, 49), statField(f, 50), "env_start = arg_end");
        }
    }

    @Test
    void ttyAndForegroundGroup() {
        Task bash = p.byComm("bash");
        Task md5 = p.byComm("md5sum");
        List<String> b = statFields(p.read("/" + bash.pid() + "/stat"));
        assertEquals(136 << 8, statField(b, 7), "tty_nr of pts/0");
        assertEquals(md5.pid(), statField(b, 8), "tpgid: md5sum is in the foreground");
        assertEquals(bash.pid(), statField(b, 5));
        assertEquals(bash.pid(), statField(b, 6));
        List<String> m = statFields(p.read("/" + md5.pid() + "/stat"));
        assertEquals(md5.pid(), statField(m, 5), "pgrp");
        assertEquals(bash.pid(), statField(m, 6), "session");
        List<String> cron = statFields(p.read("/" + p.byComm("cron").pid() + "/stat"));
        assertEquals(0, statField(cron, 7));
        assertEquals(-1, statField(cron, 8), "no tty: tpgid -1");
    }

    @Test
    void kernelThreadFields() {
        Task ks = p.byComm("kswapd0");
        List<String> f = statFields(p.read("/" + ks.pid() + "/stat"));
        assertEquals(2, statField(f, 4), "ppid kthreadd");
        assertEquals(0, statField(f, 23), "no vsize");
        assertEquals(0, statField(f, 24), "no rss");
        assertTrue((statField(f, 9) & Task.PF_KTHREAD) != 0, "flags");
        assertEquals(0x7fffffffL, statField(f, 33), "ignores every signal");
        for (int i = 45; i <= 51; i++) assertEquals(0, statField(f, i), "field " + i);
        List<String> mig = statFields(p.read("/" + p.byComm("migration/0").pid() + "/stat"));
        assertEquals(-100, statField(mig, 18), "priority of FIFO 99");
        assertEquals(99, statField(mig, 40));
        assertEquals(Task.SCHED_FIFO, statField(mig, 41));
        List<String> init = statFields(p.read("/1/stat"));
        assertEquals(0, statField(init, 4), "init has ppid 0");
        assertEquals(0, statField(init, 38), "init's exit_signal");
        assertEquals(0, statField(statFields(p.read("/2/stat")), 4), "kthreadd has ppid 0");
    }

    @Test
    void kernelThreadNamesAreNotTruncated() {
        List<String> names = p.list("/").stream().filter(n -> n.matches("[0-9]+"))
                .map(pid -> statFields(p.read("/" + pid + "/stat")).get(1)).toList();
        assertTrue(names.contains("kworker/0:0H-events_highpri"), names.toString());
        assertTrue(names.contains("rcu_exp_gp_kthread_worker"), names.toString());
        assertTrue(names.contains("pool_workqueue_release"), names.toString());
    }
}
