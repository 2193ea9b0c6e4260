package ksim.fs.proc;

import ksim.fs.FileSystems;
import ksim.fs.Inode;
import ksim.fs.SuperBlock;
import ksim.kernel.Kernel;

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

    public Kernel kernel() {
        return kernel;
    }
}
