package ksim.fs;

/**
 * struct vfsmount (include/linux/mount.h): a superblock mounted somewhere, with its root
 * dentry and mount flags (MNT_READONLY). Filesystems that change names only through the VFS
 * get a dentry cache; the others are walked from the root inode each time.
 */
public final class Vfsmount {
    private static final int DCACHE_LIMIT = 1 << 20;

    private final SuperBlock sb;
    private final Dentry root;
    private final Dcache dcache;
    private final boolean readOnly;
    /** Where this mount's dentries and open files are allocated from. */
    private final VfsSlab slab;
    /** The directory of the last path walked (Namei), valid while the dcache generation is the same. */
    record LastDir(String path, Dentry dir, long generation) {}

    volatile LastDir lastDir;

    public Vfsmount(SuperBlock sb, boolean readOnly) {
        this(sb, readOnly, VfsSlab.NONE);
    }

    public Vfsmount(SuperBlock sb, boolean readOnly, VfsSlab slab) {
        this.sb = sb;
        this.slab = slab;
        this.root = new Dentry(null, "/", sb.root());
        slab.charge(VfsSlab.Kind.DENTRY, root);
        this.dcache = sb.cachesDentries() ? new Dcache(DCACHE_LIMIT, slab) : null;
        this.readOnly = readOnly;
    }

    /** do_dentry_open after alloc_empty_file: an open file of inode, with its struct file charged. */
    public File open(Inode inode, int flags, Caller c) {
        File f = inode.open(flags, c);
        slab.charge(VfsSlab.Kind.FILP, f);
        return f;
    }

    /** __fput: the last close; the struct file goes back. */
    public void release(File f) {
        try {
            f.release();
        } finally {
            slab.uncharge(VfsSlab.Kind.FILP, f);
        }
    }

    public SuperBlock sb() {
        return sb;
    }

    public Dentry root() {
        return root;
    }

    /** The dentry cache, or null if this filesystem is walked uncached. */
    public Dcache dcache() {
        return dcache;
    }

    /** MNT_READONLY or a read-only superblock. */
    public boolean readOnly() {
        return readOnly || sb.readOnly();
    }
}
