package ksim.fs;

/**
 * struct super_block: one mounted instance of a filesystem, seen from outside as its type
 * and its root inode.
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
}
