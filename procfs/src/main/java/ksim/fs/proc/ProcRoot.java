package ksim.fs.proc;

import java.util.function.Function;
import java.util.function.Supplier;
import ksim.fs.Caller;
import ksim.fs.SimpleDir;
import ksim.fs.DirEmitter;
import ksim.fs.Inode;
import ksim.fs.ShowFile;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.Task;

/**
 * The root of /proc (fs/proc/root.c proc_root_lookup, proc_root_readdir): the fixed entries,
 * then one directory per process. Thread ids are reachable by lookup but not listed, as in
 * Linux. /proc/self and /proc/thread-self name the caller's own task.
 */
final class ProcRoot implements Inode {
    private final Kernel kernel;
    private final SimpleDir fixed;
    private long nextIno = 2;

    ProcRoot(Kernel kernel) {
        this.kernel = kernel;
        long boot = kernel.clock().bootEpochNanos();
        this.fixed = new SimpleDir(ProcInodes.ROOT, ProcInodes.ROOT, boot);
        fixed.add("self", new ProcSymlink(nextIno++, 0, 0, boot, this::self));
        fixed.add("thread-self", new ProcSymlink(nextIno++, 0, 0, boot, this::threadSelf));
        fixed.add("buddyinfo", global(() -> ProcBuddyinfo.show(kernel)));
        fixed.add("cmdline", global(() -> SystemViews.cmdline(kernel)));
        fixed.add("cpuinfo", global(() -> SystemViews.cpuinfo(kernel)));
        fixed.add("filesystems", global(() -> SystemViews.filesystems(kernel)));
        fixed.add("loadavg", global(() -> SystemViews.loadavg(kernel)));
        fixed.add("meminfo", global(() -> SystemViews.meminfo(kernel)));
        fixed.add("mounts", new ProcSymlink(nextIno++, 0, 0, boot, c -> "self/mounts"));
        fixed.add("pagetypeinfo", ShowFile.readOnly(nextIno++, 0400, 0, 0, boot, () -> kernel.locked(() -> ProcPagetypeinfo.show(kernel))));
        fixed.add("slabinfo", new SlabInfo(kernel, nextIno++));
        fixed.add("stat", global(() -> SystemViews.stat(kernel)));
        fixed.add("uptime", global(() -> SystemViews.uptime(kernel)));
        fixed.add("version", global(() -> SystemViews.version(kernel)));
        fixed.add("vmstat", global(() -> ProcVmstat.show(kernel)));
        fixed.add("zoneinfo", global(() -> ProcZoneinfo.show(kernel)));

        SimpleDir sys = new SimpleDir(nextIno++, ProcInodes.ROOT, boot);
        SimpleDir sysKernel = new SimpleDir(nextIno++, sys.getattr().ino(), boot);
        sysKernel.add("hostname", writable(() -> Sysctl.line(kernel.utsname().nodename()), d -> Sysctl.writeHostname(kernel, d)));
        sysKernel.add("osrelease", global(() -> Sysctl.line(kernel.utsname().release())));
        sysKernel.add("ostype", global(() -> Sysctl.line(kernel.utsname().sysname())));
        sysKernel.add("pid_max", writable(() -> Sysctl.line(kernel.pids().pidMax()), d -> Sysctl.writePidMax(kernel, d)));
        sysKernel.add("threads-max", writable(() -> Sysctl.line(Sysctl.threadsMax(kernel)), d -> Sysctl.writeThreadsMax(kernel, d)));
        SimpleDir sysVm = new SimpleDir(nextIno++, sys.getattr().ino(), boot);
        sysVm.add("min_free_kbytes", writable(() -> Sysctl.line(kernel.vmstat().minFreeKbytes()), d -> Sysctl.writeMinFreeKbytes(kernel, d)));
        sys.add("kernel", sysKernel).add("vm", sysVm);
        fixed.add("sys", sys);

        SimpleDir tty = new SimpleDir(nextIno++, ProcInodes.ROOT, boot);
        tty.add("drivers", global(() -> SystemViews.ttyDrivers(kernel)));
        fixed.add("tty", tty);
    }

    private Inode global(Supplier<byte[]> show) {
        return ShowFile.readOnly(nextIno++, 0444, 0, 0, kernel.clock().bootEpochNanos(), () -> kernel.locked(show));
    }

    private Inode writable(Supplier<byte[]> show, ShowFile.Store store) {
        InodeAttr a = new InodeAttr(nextIno++, Mode.S_IFREG | 0644, 1, 0, 0, 0, kernel.clock().bootEpochNanos());
        return new ShowFile(a, () -> kernel.locked(show), store, null);
    }

    @Override
    public InodeAttr getattr() {
        return new InodeAttr(ProcInodes.ROOT, Mode.S_IFDIR | 0555, fixed.getattr().nlink() + kernel.locked(() -> kernel.pids().leaders().size()),
                0, 0, 0, kernel.clock().bootEpochNanos());
    }

    /** name_to_int(): a decimal pid without a leading zero, or -1. */
    static int parsePid(String name) {
        int n = name.length();
        if (n == 0 || n > 10 || (n > 1 && name.charAt(0) == '0')) return -1;
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    @Override
    public Inode lookup(String name, Caller caller) {
        int pid = parsePid(name);
        if (pid < 0) return fixed.lookup(name, caller);
        Task t = kernel.locked(() -> kernel.pids().find(pid));
        if (t == null && caller.hostTid() != 0) {
            // A newcomer may look itself up by number before it ever asks who it is (procps
            // and killall stat /proc/<getpid()>): give it its task first, then look again.
            t = kernel.locked(() -> {
                kernel.visitors().current(caller.hostTid());
                return kernel.pids().find(pid);
            });
        }
        if (t == null) throw Errno.ENOENT.error("no process " + pid);
        return new PidDir(kernel, t, 0, ProcInodes.ROOT);
    }

    @Override
    public void readdir(Caller caller, DirEmitter out) {
        kernel.locked(() -> kernel.visitors().sweep());
        if (!out.emit(".", ProcInodes.ROOT, Mode.S_IFDIR)) return;
        if (!out.emit("..", ProcInodes.ROOT, Mode.S_IFDIR)) return;
        if (!fixed.emitChildren(out)) return;
        // next_tgid(): walk the leaders in pid order, a batch at a time, without holding the lock
        // while the emitter copies names out.
        int from = 1;
        int[] batch = new int[256];
        while (true) {
            final int start = from;
            int count = kernel.locked(() -> {
                int c = 0;
                Task t = kernel.pids().nextLeader(start);
                while (t != null && c < batch.length) {
                    batch[c++] = t.pid();
                    t = kernel.pids().nextLeader(t.pid() + 1);
                }
                return c;
            });
            for (int i = 0; i < count; i++) {
                if (!out.emit(Integer.toString(batch[i]), ProcInodes.pidEntry(0, batch[i], 0), Mode.S_IFDIR | 0555)) return;
            }
            if (count < batch.length) return;
            from = batch[count - 1] + 1;
        }
    }

    /** proc_self_get_link(): the caller's tgid. */
    private String self(Caller caller) {
        return Integer.toString(current(caller).tgid());
    }

    /** proc_thread_self_get_link(): "<tgid>/task/<tid>". */
    private String threadSelf(Caller caller) {
        Task t = current(caller);
        return t.tgid() + "/task/" + t.pid();
    }

    private Task current(Caller caller) {
        Task t = kernel.locked(() -> kernel.visitors().current(caller.hostTid()));
        if (t == null) throw Errno.ENOENT.error("caller " + caller.hostTid() + " has no task");
        return t;
    }

    /** Names a fixed entry resolves to, for tests and tools that walk the tree. */
    Function<String, Inode> fixedLookup() {
        return n -> fixed.lookup(n, Caller.KERNEL);
    }
}
