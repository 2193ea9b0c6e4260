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
    /** The directory of the last path walked (Namei), valid while the dcache generation is the same. */
    record LastDir(String path, Dentry dir, long generation) {}

    volatile LastDir lastDir;

    public Vfsmount(SuperBlock sb, boolean readOnly) {
        this.sb = sb;
        this.root = new Dentry(null, "/", sb.root());
        this.dcache = sb.cachesDentries() ? new Dcache(DCACHE_LIMIT) : null;
        this.readOnly = readOnly;
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
