package ksim.fs.proc;

import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.Task;
import ksim.mm.MmStruct;

/** The small per-task files of fs/proc/base.c and fs/proc/array.c. Called under the kernel lock. */
final class PidViews {
    private PidViews() {}

    /** proc_pid_cmdline_read(): the argument area; empty for kernel threads and zombies. */
    static byte[] cmdline(Task t) {
        MmStruct mm = t.mm();
        return mm == null ? new byte[0] : mm.argv();
    }

    /** environ_read(). */
    static byte[] environ(Task t) {
        MmStruct mm = t.mm();
        return mm == null ? new byte[0] : mm.envp();
    }

    /** comm_show(): the raw name and a newline. */
    static byte[] comm(Task t) {
        return new Text().put(t.procName()).put('\n').bytes();
    }

    /** proc_pid_wchan(): the symbol a sleeping task waits in, "0" when running; no newline. */
    static byte[] wchan(Task t) {
        String w = t.wchan();
        return new Text().put(w == null || w.isEmpty() ? "0" : w).bytes();
    }

    /** proc_pid_statm(): size resident shared text lib data dt, in pages. */
    static byte[] statm(Task t) {
        MmStruct mm = t.mm();
        if (mm == null) return new Text().put("0 0 0 0 0 0 0\n").bytes();
        return new Text().put(mm.totalVm()).sp(mm.rss()).sp(mm.rssFile() + mm.rssShmem())
                .sp(mm.textPages()).sp(0).sp(mm.dataVm() + mm.stackVm()).sp(0).put('\n').bytes();
    }

    /** proc_cwd_link(). */
    static String cwd(Task t) {
        return t.cwd();
    }

    static String root(Task t) {
        return t.root();
    }

    /** proc_exe_link(): kernel threads have no executable (ENOENT). */
    static String exe(Task t) {
        MmStruct mm = t.mm();
        if (mm == null || mm.exeFile() == null) throw Errno.ENOENT.error("no executable");
        return mm.exeFile();
    }

    /** The wall-clock time a task started, the mtime of its directory. */
    static long startRealtimeNs(Kernel k, Task t) {
        return k.clock().bootEpochNanos() + t.startTime();
    }
}
