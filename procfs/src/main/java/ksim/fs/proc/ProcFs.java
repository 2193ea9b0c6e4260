package ksim.fs.proc;

import ksim.fs.FileSystems;
import ksim.fs.Inode;
import ksim.fs.SuperBlock;
import ksim.fs.EntryInvalidator;
import ksim.kernel.Kernel;
import ksim.kernel.Task;
import ksim.kernel.TaskObserver;

/**
 * The proc filesystem (fs/proc/root.c): one superblock over a kernel. Every file in it is a
 * view rendered from the kernel's state when read; nothing is stored here.
 */
public final class ProcFs implements SuperBlock {
    private final Kernel kernel;
    private final ProcRoot root;

    public ProcFs(Kernel kernel) {
        this.kernel = kernel;
        kernel.filesystems().register(new FileSystems.Type("proc", false));
        this.root = new ProcRoot(kernel);
    }

    @Override
    public String type() {
        return "proc";
    }

    @Override
    public Inode root() {
        return root;
    }

    /**
     * Entries may be cached for this long once the mount can invalidate them: the only entries
     * whose existence or owner changes are the pid directories, and those are invalidated when
     * their task is released (proc_flush_pid). Long enough that a `ps aux` over 100,000 tasks,
     * which takes most of a minute, still finds the entries of the previous one.
     */
    private static final int CACHE_SECONDS = 600;
    private volatile EntryInvalidator invalidator;

    @Override
    public void setInvalidator(EntryInvalidator inv) {
        this.invalidator = inv;
        kernel.addObserver(new TaskObserver() {
            @Override
            public void released(Task t) {
                inv.invalidate("/", Integer.toString(t.pid()));
                if (t.tgid() != t.pid()) inv.invalidate("/", Integer.toString(t.tgid()));
            }

            @Override
            public void credentialsChanged(Task t) {
                released(t);
            }
        });
    }

    @Override
    public int cacheSeconds() {
        return invalidator == null ? 0 : CACHE_SECONDS;
    }

    public Kernel kernel() {
        return kernel;
    }
}
