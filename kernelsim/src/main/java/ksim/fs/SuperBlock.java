package ksim.fs;

/**
 * struct super_block: one mounted instance of a filesystem, seen from outside as its type
 * and its root inode, with the super_operations the VFS calls (statfs, sync_fs, put_super).
 */
public interface SuperBlock {
    /** The filesystem type name, as /proc/filesystems and /proc/mounts list it. */
    String type();

    Inode root();

    /** True for filesystems whose files report size 0 and must bypass the page cache (proc, sys). */
    default boolean synthetic() {
        return true;
    }

    /**
     * How long entries and attributes may be cached, in seconds. Zero unless the filesystem
     * invalidates what goes stale itself (see setInvalidator) or never changes shape.
     */
    default int cacheSeconds() {
        return 0;
    }

    /** Gives the filesystem a way to drop cached entries; called before it is mounted. */
    default void setInvalidator(EntryInvalidator invalidator) {}

    /**
     * True if names change only through this VFS's own operations (create, unlink, rename...),
     * so the dentry cache may keep them until those operations update it. Views of kernel
     * state (proc) change names behind the VFS's back and are looked up every time.
     */
    default boolean cachesDentries() {
        return false;
    }

    /** ->statfs. */
    default Kstatfs statfs() {
        return Kstatfs.EMPTY;
    }

    /** ->sync_fs: everything written so far reaches the device (and the disk if wait). */
    default void syncFs(boolean wait) {}

    /** ->put_super: the last unmount; a disk filesystem writes back and marks itself clean. */
    default void putSuper() {}

    /** sb_rdonly(). */
    default boolean readOnly() {
        return false;
    }
}
