package ksim.fs.proc;

import ksim.fs.Caller;
import ksim.fs.DirEmitter;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.Task;

/** /proc/<pid>/task (proc_task_lookup, proc_task_readdir): one directory per thread. */
final class TaskDir implements Inode {
    private final Kernel kernel;
    private final Task leader;
    private final InodeAttr attr;
    private final long parentIno;

    TaskDir(Kernel kernel, Task task, long ino, InodeAttr pidDirAttr) {
        this.kernel = kernel;
        this.leader = task;
        this.parentIno = pidDirAttr.ino();
        this.attr = new InodeAttr(ino, Mode.S_IFDIR | 0555, 3, pidDirAttr.uid(), pidDirAttr.gid(), 0, pidDirAttr.mtimeNs());
    }

    @Override
    public InodeAttr getattr() {
        return attr;
    }

    @Override
    public Inode lookup(String name, Caller caller) {
        int tid = ProcRoot.parsePid(name);
        Task t = kernel.locked(() -> {
            if (!leader.isAlive()) return null;
            Task x = kernel.pids().find(tid);
            return x != null && x.tgid() == leader.tgid() ? x : null;
        });
        if (t == null) throw Errno.ENOENT.error("no thread " + name + " in " + leader.tgid());
        return new PidDir(kernel, t, leader.tgid(), attr.ino());
    }

    @Override
    public void readdir(Caller caller, DirEmitter out) {
        var threads = kernel.locked(() -> {
            if (!leader.isAlive()) throw Errno.ENOENT.error("task has exited");
            return leader.signal().threads().stream().mapToInt(Task::pid).toArray();
        });
        if (!out.emit(".", attr.ino(), attr.mode())) return;
        if (!out.emit("..", parentIno, Mode.S_IFDIR)) return;
        for (int tid : threads) {
            if (!out.emit(Integer.toString(tid), ProcInodes.pidEntry(leader.tgid(), tid, 0), Mode.S_IFDIR | 0555)) return;
        }
    }
}
