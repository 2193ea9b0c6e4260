package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ksim.kernel.Cred;
import ksim.kernel.Errno;
import ksim.kernel.SighandStruct;
import ksim.kernel.Signum;
import ksim.kernel.Syscalls;
import ksim.kernel.Task;
import ksim.kernel.TaskState;
import ksim.mm.Program;
import org.junit.jupiter.api.Test;

/**
 * What /proc shows of signals, stops, traces and zombies: task_sig() in status, the signal
 * fields and exit code of stat, wchan per state, and the end of /proc/<pid> at release.
 */
class PidLifecycleViewsTest {
    private final Proc p = Proc.boot();
    private final Syscalls sys = new Syscalls(p.k);

    private Task spawn(Task parent, String name) {
        return p.k.locked(() -> sys.spawn(parent, Program.small("/usr/bin/" + name, 80, 400, 3), List.of(name, "--x"), List.of(), Cred.of(1000, 1000)));
    }

    @Test
    void statusShowsPendingBlockedIgnoredAndCaughtSets() {
        Task parent = spawn(p.k.initTask(), "parent");
        Task c = spawn(parent, "c");
        Task th = p.k.locked(() -> sys.cloneThread(c, "th"));
        p.k.locked(() -> {
            sys.sigaction(c, Signum.SIGUSR1, SighandStruct.Action.CATCH, false, false);
            sys.sigaction(c, Signum.SIGPIPE, SighandStruct.Action.IGNORE, false, false);
            sys.sigprocmask(c, Syscalls.SIG_BLOCK, Signum.mask(Signum.SIGTERM) | Signum.mask(Signum.SIGHUP));
            sys.sigprocmask(th, Syscalls.SIG_BLOCK, Signum.mask(Signum.SIGTERM) | Signum.mask(Signum.SIGHUP));
            sys.kill(c, Signum.SIGTERM);
            sys.tgkill(c, Signum.SIGHUP);
        });
        String path = "/" + c.pid() + "/status";
        assertEquals("0000000000000001", p.field(path, "SigPnd"), "SIGHUP on the thread");
        assertEquals("0000000000004000", p.field(path, "ShdPnd"), "SIGTERM on the process");
        assertEquals("0000000000004001", p.field(path, "SigBlk"));
        assertEquals("0000000000001000", p.field(path, "SigIgn"));
        assertEquals("0000000000000200", p.field(path, "SigCgt"));
        assertEquals("2/" + p.k.locked(() -> p.k.sigpendingLimit()), p.field(path, "SigQ"));
        String thPath = "/" + c.pid() + "/task/" + th.pid() + "/status";
        assertEquals("0000000000000000", p.field(thPath, "SigPnd"), "pending is per thread");
        assertEquals("0000000000004000", p.field(thPath, "ShdPnd"), "shared pending is the process's");
        assertEquals("0000000000000200", p.field(thPath, "SigCgt"), "actions are shared");
        List<String> stat = Proc.statFields(p.read("/" + c.pid() + "/stat"));
        assertEquals(List.of(1L, 0x4001L, 0x1000L, 0x200L), List.of(Proc.statField(stat, 31), Proc.statField(stat, 32),
                Proc.statField(stat, 33), Proc.statField(stat, 34)), "signal blocked sigignore sigcatch");
    }

    @Test
    void kernelThreadsIgnoreEverythingInBothFiles() {
        Task kswapd = p.byComm("kswapd0");
        assertEquals("ffffffffffffffff", p.field("/" + kswapd.pid() + "/status", "SigIgn"));
        assertEquals(0x7fffffffL, Proc.statField(Proc.statFields(p.read("/" + kswapd.pid() + "/stat")), 33));
        assertEquals("0000000000001000", p.field("/1/status", "SigIgn"), "systemd ignores SIGPIPE");
    }

    @Test
    void stoppedTracedAndSleepingStatesWithTheirWchan() {
        Task parent = spawn(p.k.initTask(), "parent");
        Task c = spawn(parent, "c");
        String dir = "/" + c.pid();
        p.k.locked(() -> sys.kill(c, Signum.SIGSTOP));
        assertEquals("T (stopped)", p.field(dir + "/status", "State"));
        assertEquals("do_signal_stop", p.read(dir + "/wchan"));
        assertEquals("T", Proc.statFields(p.read(dir + "/stat")).get(2));
        p.k.locked(() -> sys.kill(c, Signum.SIGCONT));
        p.k.locked(() -> sys.ptraceAttach(c, parent));
        assertEquals("t (tracing stop)", p.field(dir + "/status", "State"));
        assertEquals("ptrace_stop", p.read(dir + "/wchan"));
        assertEquals(String.valueOf(parent.pid()), p.field(dir + "/status", "TracerPid"));
        p.k.locked(() -> sys.ptraceDetach(c));
        assertEquals("0", p.field(dir + "/status", "TracerPid"));
        p.k.locked(() -> sys.setState(c, TaskState.UNINTERRUPTIBLE, "folio_wait_bit_common"));
        assertEquals("D (disk sleep)", p.field(dir + "/status", "State"));
        assertEquals("folio_wait_bit_common", p.read(dir + "/wchan"));
        assertTrue(p.read("/stat").contains("\nprocs_blocked " + p.k.locked(() -> p.k.scheduler().nrUninterruptible()) + "\n"));
    }

    @Test
    void aZombieKeepsItsDirectoryWithoutMemoryOrCmdlineUntilReaped() {
        Task parent = spawn(p.k.initTask(), "parent");
        Task c = spawn(parent, "c");
        String dir = "/" + c.pid();
        assertFalse(p.read(dir + "/cmdline").isEmpty());
        p.k.locked(() -> sys.exitGroup(c, 3));
        assertEquals("Z (zombie)", p.field(dir + "/status", "State"));
        assertFalse(p.read(dir + "/status").contains("VmRSS"), "no mm, no Vm lines");
        assertEquals("", p.read(dir + "/cmdline"), "ps shows [c] <defunct>");
        assertEquals("0", p.read(dir + "/wchan"));
        List<String> f = Proc.statFields(p.read(dir + "/stat"));
        assertEquals("Z", f.get(2));
        assertEquals(0, Proc.statField(f, 23), "vsize");
        assertEquals(0, Proc.statField(f, 24), "rss");
        assertEquals(3 << 8, Proc.statField(f, 52), "exit_code");
        assertTrue((Proc.statField(f, 9) & Task.PF_EXITING) != 0, "PF_EXITING in flags");
        assertTrue(p.list("/").contains(String.valueOf(c.pid())), "still listed");
        p.k.locked(() -> sys.reap(c, true));
        assertEquals("X (dead)", p.field(dir + "/status", "State"), "caught between wait_task_zombie and release_task");
        p.k.locked(() -> sys.reap(c, false));
        assertFalse(p.list("/").contains(String.valueOf(c.pid())));
        assertEquals(Errno.ENOENT, Proc.errnoOf(() -> p.walk(dir)));
    }

    @Test
    void threadsMaxIsWritableAndEnforced() {
        String v = p.read("/sys/kernel/threads-max").strip();
        assertEquals(String.valueOf(p.k.locked(() -> p.k.maxThreads())), v);
        var f = p.walk("/sys/kernel/threads-max").open(ksim.fs.OpenFlags.O_WRONLY, ksim.fs.Caller.KERNEL);
        int now = p.k.locked(() -> p.k.pids().nrThreads());
        byte[] data = (now + "\n").getBytes();
        f.write(0, data, data.length);
        f.release();
        assertEquals(String.valueOf(now), p.read("/sys/kernel/threads-max").strip());
        assertEquals(Errno.EAGAIN, Proc.errnoOf(() -> spawn(p.k.initTask(), "one-too-many")));
        var g = p.walk("/sys/kernel/threads-max").open(ksim.fs.OpenFlags.O_WRONLY, ksim.fs.Caller.KERNEL);
        assertEquals(Errno.EINVAL, Proc.errnoOf(() -> g.write(0, "0\n".getBytes(), 2)));
    }
}
