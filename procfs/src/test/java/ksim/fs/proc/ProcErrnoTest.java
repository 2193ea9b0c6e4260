package ksim.fs.proc;

import static ksim.fs.proc.Proc.errnoOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.kernel.Errno;
import ksim.kernel.PreforkPool;
import ksim.kernel.Task;
import org.junit.jupiter.api.Test;

/** The errnos /proc answers with, as Linux does. */
class ProcErrnoTest {
    private final Proc p = Proc.boot();

    private static int write(File f, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return f.write(0, b, b.length);
    }

    @Test
    void absentPidAndNonCanonicalNamesAreEnoent() {
        int absent = p.k.pids().lastPid() + 1000;
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/" + absent)));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/" + absent + "/stat")));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/01")), "a leading zero is not a pid");
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/01/stat")));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/0")));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/-1")));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/99999999999")));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/1/nonexistent")));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/nonexistent")));
        p.walk("/1/stat"); // the canonical name works
        p.walk("/./1/./stat");
    }

    @Test
    void pathErrors() {
        assertEquals(Errno.ENOTDIR, errnoOf(() -> p.walk("/1/stat/x")));
        assertEquals(Errno.EISDIR, errnoOf(() -> p.walk("/1").open(OpenFlags.O_RDONLY, Caller.KERNEL)));
        assertEquals(Errno.EINVAL, errnoOf(() -> p.walk("/1/stat").readlink(Caller.KERNEL)), "not a symlink");
        assertEquals(Errno.ENOTDIR, errnoOf(() -> p.walk("/uptime").readdir(Caller.KERNEL, (n, i, m) -> true)));
        assertEquals(Errno.ENAMETOOLONG, errnoOf(() -> p.walk("/" + "x".repeat(256))));
    }

    @Test
    void readOnlyFilesRefuseWriteOpens() {
        for (String path : List.of("/1/stat", "/1/status", "/stat", "/meminfo", "/1/cmdline")) {
            Inode i = p.walk(path);
            assertEquals(Errno.EACCES, errnoOf(() -> i.open(OpenFlags.O_WRONLY, Caller.KERNEL)), path);
            assertEquals(Errno.EACCES, errnoOf(() -> i.open(OpenFlags.O_RDWR, Caller.KERNEL)), path);
            assertEquals(Errno.EACCES, errnoOf(() -> i.truncate(0)), path);
        }
        File f = p.open("/1/stat");
        assertEquals(Errno.EBADF, errnoOf(() -> write(f, "x")), "a read-only open cannot write");
    }

    @Test
    void pidMaxSysctl() {
        assertEquals("32768\n", p.read("/sys/kernel/pid_max"));
        Inode pm = p.walk("/sys/kernel/pid_max");
        assertEquals(Mode.S_IFREG | 0644, pm.getattr().mode());
        File f = pm.open(OpenFlags.O_WRONLY, Caller.KERNEL);
        assertEquals(Errno.EINVAL, errnoOf(() -> write(f, "abc")));
        assertEquals(32768, p.k.pids().pidMax(), "unchanged after a bad write");
        assertEquals(Errno.EINVAL, errnoOf(() -> write(f, "300\n")), "below RESERVED_PIDS + 1");
        assertEquals(Errno.EINVAL, errnoOf(() -> write(f, "99999999999")));
        assertEquals(Errno.EINVAL, errnoOf(() -> write(f, "")));
        assertEquals(32768, p.k.pids().pidMax());
        assertEquals(4, write(f, "4096"));
        assertEquals(4096, p.k.pids().pidMax());
        assertEquals("4096\n", p.read("/sys/kernel/pid_max"));
        assertEquals(5, write(p.walk("/sys/kernel/pid_max").open(OpenFlags.O_WRONLY, Caller.KERNEL), " 500\n"));
        assertEquals(500, p.k.pids().pidMax());
        assertEquals(Errno.EINVAL, errnoOf(() -> f.write(3, "1".getBytes(StandardCharsets.US_ASCII), 1)), "offset must be 0");
        pm.truncate(0); // O_TRUNC on a writable sysctl is accepted and ignored
    }

    @Test
    void hostnameSysctl() {
        File f = p.walk("/sys/kernel/hostname").open(OpenFlags.O_WRONLY, Caller.KERNEL);
        write(f, "box\n");
        assertEquals("box\n", p.read("/sys/kernel/hostname"));
        assertEquals(Errno.EINVAL, errnoOf(() -> write(p.walk("/sys/kernel/hostname").open(OpenFlags.O_WRONLY, Caller.KERNEL),
                "x".repeat(65))));
        assertEquals("box", p.k.utsname().nodename());
    }

    @Test
    void filesOfAnExitedTask() {
        Task master = PreforkPool.start(p.k, 2);
        Task w = master.children().get(0);
        String dir = "/" + w.pid();
        Inode dirInode = p.walk(dir);
        Inode statInode = p.walk(dir + "/stat");
        File stat = statInode.open(OpenFlags.O_RDONLY, Caller.KERNEL);
        File status = p.open(dir + "/status");
        File read = p.open(dir + "/statm");
        assertTrue(Proc.readAll(read, 4096).length > 0);
        Inode cwd = p.walk(dir + "/cwd");
        Inode taskDir = p.walk(dir + "/task");

        p.k.locked(() -> p.k.exitAndRelease(w, 0));

        byte[] buf = new byte[4096];
        assertEquals(Errno.ESRCH, errnoOf(() -> stat.read(0, buf, 0, buf.length)), "opened before the exit");
        assertEquals(Errno.ESRCH, errnoOf(() -> status.read(0, buf, 0, buf.length)));
        assertEquals(Errno.ESRCH, errnoOf(() -> read.read(0, buf, 0, buf.length)), "re-reading from 0 renders anew");
        assertEquals(Errno.ENOENT, errnoOf(() -> statInode.open(OpenFlags.O_RDONLY, Caller.KERNEL)), "no new opens");
        assertEquals(Errno.ENOENT, errnoOf(() -> dirInode.lookup("stat", Caller.KERNEL)), "lookups under it");
        assertEquals(Errno.ENOENT, errnoOf(() -> dirInode.lookup("task", Caller.KERNEL)));
        assertEquals(Errno.ENOENT, errnoOf(dirInode::getattr));
        assertEquals(Errno.ENOENT, errnoOf(() -> dirInode.readdir(Caller.KERNEL, (n, i, m) -> true)));
        assertEquals(Errno.ENOENT, errnoOf(() -> cwd.readlink(Caller.KERNEL)));
        assertEquals(Errno.ENOENT, errnoOf(() -> taskDir.lookup(String.valueOf(w.pid()), Caller.KERNEL)));
        assertEquals(Errno.ENOENT, errnoOf(() -> taskDir.readdir(Caller.KERNEL, (n, i, m) -> true)));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk(dir)));
        assertFalse(p.list("/").contains(String.valueOf(w.pid())));
        // the sibling is unaffected
        Task other = master.children().get(0);
        assertTrue(p.read("/" + other.pid() + "/stat").startsWith(other.pid() + " (nginx) S "));
    }

    @Test
    void kernelThreadFiles() {
        Task ks = p.byComm("kswapd0");
        String dir = "/" + ks.pid();
        assertEquals(Errno.ESRCH, errnoOf(() -> p.walk(dir + "/environ").open(OpenFlags.O_RDONLY, Caller.KERNEL)));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.readlink(dir + "/exe", Caller.KERNEL)));
        assertEquals("/", p.readlink(dir + "/cwd", Caller.KERNEL));
        assertEquals("/", p.readlink(dir + "/root", Caller.KERNEL));
        assertEquals("", p.read(dir + "/cmdline"));
        assertEquals("0 0 0 0 0 0 0\n", p.read(dir + "/statm"));
        assertEquals("kswapd", p.read(dir + "/wchan"));
        assertEquals("kswapd0\n", p.read(dir + "/comm"));
    }

    @Test
    void userProcessLinksAndFiles() {
        Task bash = p.byComm("bash");
        String dir = "/" + bash.pid();
        assertEquals("/usr/bin/bash", p.readlink(dir + "/exe", Caller.KERNEL));
        assertEquals("/home/alice", p.readlink(dir + "/cwd", Caller.KERNEL));
        assertEquals("-bash\0", p.read(dir + "/cmdline"));
        assertTrue(p.read(dir + "/environ").contains("USER=alice\0"));
        assertEquals("do_wait", p.read(dir + "/wchan"));
        assertEquals("0", p.read("/" + p.byComm("md5sum").pid() + "/wchan"), "running: 0");
        assertEquals(1000, p.walk(dir).getattr().uid(), "owned by the euid");
        assertEquals(1000, p.walk(dir + "/stat").getattr().uid());
        assertEquals(Mode.S_IFLNK | 0777, p.walk(dir + "/exe").getattr().mode());
        assertEquals(Mode.S_IFREG | 0400, p.walk(dir + "/environ").getattr().mode());
    }

    @Test
    void commWriteRenamesTheTask() {
        Task cron = p.byComm("cron");
        File f = p.walk("/" + cron.pid() + "/comm").open(OpenFlags.O_WRONLY, Caller.KERNEL);
        write(f, "crond-with-a-long-name\n");
        assertEquals("crond-with-a-lo", cron.commString());
        assertEquals("crond-with-a-lo\n", p.read("/" + cron.pid() + "/comm"));
    }

    @Test
    void rootListsProcessesNotThreadsButThreadsResolve() {
        Task rs = p.byComm("rsyslogd");
        Task th = rs.signal().threads().get(1);
        List<String> names = p.list("/");
        assertTrue(names.contains(String.valueOf(rs.pid())));
        assertFalse(names.contains(String.valueOf(th.pid())), "threads are hidden from readdir");
        assertTrue(names.containsAll(List.of("self", "thread-self", "stat", "meminfo", "loadavg", "uptime", "sys")));
        assertTrue(p.read("/" + th.pid() + "/status").contains("Pid:\t" + th.pid() + "\n"), "but reachable by lookup");
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/" + rs.pid() + "/task/" + p.byComm("cron").pid())),
                "task/ holds only the group's threads");
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/" + rs.pid() + "/task/" + th.pid() + "/task")),
                "a thread directory has no task/");
        List<String> sorted = names.stream().filter(n -> n.matches("[0-9]+")).toList();
        for (int i = 1; i < sorted.size(); i++) {
            assertTrue(Integer.parseInt(sorted.get(i - 1)) < Integer.parseInt(sorted.get(i)), "pid order");
        }
    }

    @Test
    void readdirStopsWhenTheBufferIsFull() {
        int[] count = {0};
        p.walk("/").readdir(Caller.KERNEL, (n, i, m) -> ++count[0] < 5);
        assertEquals(5, count[0]);
        PreforkPool.start(p.k, 600); // more than one internal batch of 256
        List<String> names = p.list("/");
        long procs = names.stream().filter(n -> n.matches("[0-9]+")).count();
        assertEquals(p.k.pids().leaders().size(), procs);
        assertEquals(names.size(), names.stream().distinct().count(), "no duplicates across batches");
    }
}
