package ksim.fs.proc;

import java.util.function.Supplier;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.ShowFile;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.Task;

/**
 * maps, smaps and smaps_rollup of a pid or tid directory. Mode 0444, but opening goes
 * through proc_maps_open()/proc_mem_open(): a reader other than the owner (or root, which
 * holds CAP_SYS_PTRACE) gets EACCES, unless the task has no mm to protect.
 */
final class MmFile implements Inode {
    private final Kernel kernel;
    private final Task task;
    private final ShowFile file;

    private MmFile(Kernel kernel, Task task, InodeAttr dir, long ino, Supplier<byte[]> show) {
        this.kernel = kernel;
        this.task = task;
        this.file = new ShowFile(new InodeAttr(ino, Mode.S_IFREG | 0444, 1, dir.uid(), dir.gid(), 0, dir.mtimeNs()),
                () -> kernel.locked(() -> {
                    if (!task.isAlive()) throw Errno.ESRCH.error("task " + task.pid() + " has exited");
                    return show.get();
                }), null, () -> {
                    if (!kernel.locked(task::isAlive)) throw Errno.ENOENT.error("task " + task.pid() + " has exited");
                });
    }

    static Inode maps(Kernel k, Task t, InodeAttr dir, long ino) {
        return new MmFile(k, t, dir, ino, () -> TaskMmu.maps(t));
    }

    static Inode smaps(Kernel k, Task t, InodeAttr dir, long ino) {
        return new MmFile(k, t, dir, ino, () -> TaskMmu.smaps(k, t));
    }

    static Inode smapsRollup(Kernel k, Task t, InodeAttr dir, long ino) {
        return new MmFile(k, t, dir, ino, () -> TaskMmu.smapsRollup(k, t));
    }

    @Override
    public InodeAttr getattr() {
        return file.getattr();
    }

    @Override
    public File open(int flags, Caller caller) {
        boolean allowed = kernel.locked(() -> task.mm() == null || caller.uid() == 0
                || (caller.uid() == task.cred().uid() && caller.uid() == task.cred().euid() && caller.uid() == task.cred().suid()));
        if (!allowed) throw Errno.EACCES.error("not allowed to read the memory map of " + task.pid());
        return file.open(flags, caller);
    }
}
