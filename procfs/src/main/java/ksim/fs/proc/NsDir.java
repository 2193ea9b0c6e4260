package ksim.fs.proc;

import ksim.fs.Caller;
import ksim.fs.DirEmitter;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.ShowFile;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.ProcNsOperations;
import ksim.kernel.Task;

/**
 * /proc/<pid>/ns (fs/proc/namespaces.c): a link per namespace type whose text is
 * "type:[inum]". Linux's links are magic: following one lands on the nsfs inode, whose st_ino
 * is inum, which is how pstree and lsns tell namespaces apart. A FUSE symlink resolves its
 * text relative to this directory instead, so the directory also answers a lookup of that
 * text with the namespace's inode (a regular file, st_ino inum, as nsfs shows it). Those names
 * are not listed by readdir.
 */
final class NsDir implements Inode {
    /** ns entries sit after the pid directory's own entries in its inode numbering. */
    private static final int FIRST_INDEX = 64;

    private final Kernel kernel;
    private final Task task;
    private final int tgidView;
    private final InodeAttr attr;
    private final long parentIno;

    NsDir(Kernel kernel, Task task, int tgidView, long ino, InodeAttr pidDirAttr) {
        this.kernel = kernel;
        this.task = task;
        this.tgidView = tgidView;
        this.parentIno = pidDirAttr.ino();
        this.attr = new InodeAttr(ino, Mode.S_IFDIR | 0511, 2, pidDirAttr.uid(), pidDirAttr.gid(), 0, pidDirAttr.mtimeNs());
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
        for (ProcNsOperations ns : ProcNsOperations.values()) {
            if (ns.name.equals(name)) {
                return new ProcSymlink(ProcInodes.pidEntry(tgidView, task.pid(), FIRST_INDEX + ns.ordinal()), attr.uid(), attr.gid(),
                        attr.mtimeNs(), c -> kernel.locked(() -> {
                            if (!ns.reachable(task)) throw Errno.ENOENT.error(task.pid() + " has no " + ns.name + " namespace");
                            return ns.linkText();
                        }));
            }
        }
        for (ProcNsOperations ns : ProcNsOperations.values()) {
            if (ns.linkText().equals(name) && kernel.locked(() -> ns.reachable(task))) {
                // nsfs reads as empty; lsns opens it for its ioctls.
                return ShowFile.readOnly(ns.inum, 0444, 0, 0, attr.mtimeNs(), () -> new byte[0]);
            }
        }
        throw Errno.ENOENT.error(name);
    }

    @Override
    public void readdir(Caller caller, DirEmitter out) {
        checkAlive();
        if (!out.emit(".", attr.ino(), attr.mode())) return;
        if (!out.emit("..", parentIno, Mode.S_IFDIR)) return;
        for (ProcNsOperations ns : ProcNsOperations.values()) {
            if (!out.emit(ns.name, ProcInodes.pidEntry(tgidView, task.pid(), FIRST_INDEX + ns.ordinal()), Mode.S_IFLNK | 0777)) return;
        }
    }
}
