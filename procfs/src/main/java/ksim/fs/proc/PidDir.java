package ksim.fs.proc;

import java.util.List;
import ksim.fs.Caller;
import ksim.fs.DirEmitter;
import ksim.fs.Inode;
import ksim.fs.ShowFile;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.Task;

/**
 * /proc/<pid> and /proc/<pid>/task/<tid> (fs/proc/base.c): a directory per task whose entries
 * come from a fixed table, tgid_base_stuff[] or tid_base_stuff[]. The directory and its files
 * belong to the task's effective uid and gid, as clients read the owner from stat().
 * Once the task is gone, lookups fail with ENOENT and reads of files opened before with ESRCH.
 */
final class PidDir implements Inode {
    /** One row of the entry table: a name, its mode and how to make its inode. */
    private record Entry(String name, int mode, Factory make) {}

    private interface Factory {
        Inode make(PidDir dir, long ino);
    }

    private static final List<Entry> TGID_ENTRIES = List.of(
            new Entry("task", Mode.S_IFDIR | 0555, (d, ino) -> new TaskDir(d.kernel, d.task, ino, d.attr)),
            new Entry("cmdline", Mode.S_IFREG | 0444, (d, ino) -> d.file(ino, 0444, () -> PidViews.cmdline(d.task))),
            new Entry("comm", Mode.S_IFREG | 0644, PidDir::comm),
            new Entry("cwd", Mode.S_IFLNK | 0777, (d, ino) -> d.link(ino, c -> PidViews.cwd(d.task))),
            new Entry("environ", Mode.S_IFREG | 0400, PidDir::environ),
            new Entry("exe", Mode.S_IFLNK | 0777, (d, ino) -> d.link(ino, c -> PidViews.exe(d.task))),
            new Entry("maps", Mode.S_IFREG | 0444, (d, ino) -> MmFile.maps(d.kernel, d.task, d.attr, ino)),
            new Entry("mountinfo", Mode.S_IFREG | 0444, (d, ino) -> d.file(ino, 0444, () -> ProcMounts.mountinfo(d.kernel))),
            new Entry("mounts", Mode.S_IFREG | 0444, (d, ino) -> d.file(ino, 0444, () -> ProcMounts.mounts(d.kernel))),
            new Entry("ns", Mode.S_IFDIR | 0511, (d, ino) -> new NsDir(d.kernel, d.task, d.tgidView, ino, d.attr)),
            new Entry("root", Mode.S_IFLNK | 0777, (d, ino) -> d.link(ino, c -> PidViews.root(d.task))),
            new Entry("sched", Mode.S_IFREG | 0644, PidDir::sched),
            new Entry("schedstat", Mode.S_IFREG | 0444, (d, ino) -> d.file(ino, 0444, () -> PidSched.schedstat(d.task))),
            new Entry("smaps", Mode.S_IFREG | 0444, (d, ino) -> MmFile.smaps(d.kernel, d.task, d.attr, ino)),
            new Entry("smaps_rollup", Mode.S_IFREG | 0444, (d, ino) -> MmFile.smapsRollup(d.kernel, d.task, d.attr, ino)),
            new Entry("stat", Mode.S_IFREG | 0444, (d, ino) -> d.file(ino, 0444, () -> TaskStat.show(d.kernel, d.task, d.whole()))),
            new Entry("statm", Mode.S_IFREG | 0444, (d, ino) -> d.file(ino, 0444, () -> PidViews.statm(d.task))),
            new Entry("status", Mode.S_IFREG | 0444, (d, ino) -> d.file(ino, 0444, () -> TaskStatus.show(d.kernel, d.task))),
            new Entry("wchan", Mode.S_IFREG | 0444, (d, ino) -> d.file(ino, 0444, () -> PidViews.wchan(d.task))));

    /** tid_base_stuff[] has the same files but no task/ directory. */
    private static final List<Entry> TID_ENTRIES = TGID_ENTRIES.subList(1, TGID_ENTRIES.size());

    private final Kernel kernel;
    private final Task task;
    /** 0 for /proc/<pid>; the owning tgid for /proc/<pid>/task/<tid>. */
    private final int tgidView;
    private final long parentIno;
    private final InodeAttr attr;

    PidDir(Kernel kernel, Task task, int tgidView, long parentIno) {
        this.kernel = kernel;
        this.task = task;
        this.tgidView = tgidView;
        this.parentIno = parentIno;
        this.attr = kernel.locked(() -> new InodeAttr(ProcInodes.pidEntry(tgidView, task.pid(), 0), Mode.S_IFDIR | 0555,
                3 + (tgidView == 0 ? 1 : 0), task.cred().euid(), task.cred().egid(), 0, PidViews.startRealtimeNs(kernel, task)));
    }

    private List<Entry> entries() {
        return tgidView == 0 ? TGID_ENTRIES : TID_ENTRIES;
    }

    /** The /proc/<pid> view shows the whole thread group; task/<tid> shows one thread. */
    private boolean whole() {
        return tgidView == 0;
    }

    @Override
    public InodeAttr getattr() {
        checkAlive();
        return attr;
    }

    private void checkAlive() {
        if (!kernel.locked(task::isAlive)) throw Errno.ENOENT.error("task " + task.pid() + " has exited");
    }

    @Override
    public Inode lookup(String name, Caller caller) {
        checkAlive();
        List<Entry> table = entries();
        for (int i = 0; i < table.size(); i++) {
            Entry e = table.get(i);
            if (e.name.equals(name)) return e.make.make(this, ProcInodes.pidEntry(tgidView, task.pid(), i + 1));
        }
        throw Errno.ENOENT.error(name);
    }

    @Override
    public void readdir(Caller caller, DirEmitter out) {
        checkAlive();
        if (!out.emit(".", attr.ino(), attr.mode())) return;
        if (!out.emit("..", parentIno, Mode.S_IFDIR)) return;
        List<Entry> table = entries();
        for (int i = 0; i < table.size(); i++) {
            Entry e = table.get(i);
            if (!out.emit(e.name, ProcInodes.pidEntry(tgidView, task.pid(), i + 1), e.mode)) return;
        }
    }

    private Inode file(long ino, int perm, java.util.function.Supplier<byte[]> show) {
        return new ShowFile(new InodeAttr(ino, Mode.S_IFREG | perm, 1, attr.uid(), attr.gid(), 0, attr.mtimeNs()),
                () -> kernel.locked(() -> {
                    if (!task.isAlive()) throw Errno.ESRCH.error("task " + task.pid() + " has exited");
                    return show.get();
                }), null, this::checkAlive);
    }

    private Inode link(long ino, java.util.function.Function<Caller, String> target) {
        return new ProcSymlink(ino, attr.uid(), attr.gid(), attr.mtimeNs(), c -> kernel.locked(() -> {
            if (!task.isAlive()) throw Errno.ENOENT.error("task " + task.pid() + " has exited");
            return target.apply(c);
        }));
    }

    /** comm is writable: a write renames the thread (proc_pid_set_comm / comm_write). */
    private Inode comm(long ino) {
        InodeAttr a = new InodeAttr(ino, Mode.S_IFREG | 0644, 1, attr.uid(), attr.gid(), 0, attr.mtimeNs());
        return new ShowFile(a, () -> kernel.locked(() -> {
            if (!task.isAlive()) throw Errno.ESRCH.error("task has exited");
            return PidViews.comm(task);
        }), data -> kernel.locked(() -> {
            if (!task.isAlive()) throw Errno.ESRCH.error("task has exited");
            int n = data.length;
            if (n > 0 && data[n - 1] == '\n') n--;
            kernel.setComm(task, java.util.Arrays.copyOf(data, n));
        }), this::checkAlive);
    }

    /** sched is writable; a write resets the schedstats, of which this kernel keeps none (sched_write). */
    private Inode sched(long ino) {
        InodeAttr a = new InodeAttr(ino, Mode.S_IFREG | 0644, 1, attr.uid(), attr.gid(), 0, attr.mtimeNs());
        return new ShowFile(a, () -> kernel.locked(() -> {
            if (!task.isAlive()) throw Errno.ESRCH.error("task has exited");
            return PidSched.sched(kernel, task);
        }), data -> kernel.locked(() -> {
            if (!task.isAlive()) throw Errno.ESRCH.error("task has exited");
        }), this::checkAlive);
    }

    /** environ of a kernel thread cannot be opened: it has no mm (ESRCH, as Linux answers). */
    private Inode environ(long ino) {
        InodeAttr a = new InodeAttr(ino, Mode.S_IFREG | 0400, 1, attr.uid(), attr.gid(), 0, attr.mtimeNs());
        return new ShowFile(a, () -> kernel.locked(() -> {
            if (!task.isAlive()) throw Errno.ESRCH.error("task has exited");
            return PidViews.environ(task);
        }), null, () -> {
            checkAlive();
            if (kernel.locked(() -> task.mm() == null)) throw Errno.ESRCH.error("kernel thread has no environment");
        });
    }
}
