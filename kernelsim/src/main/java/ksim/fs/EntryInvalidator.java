package ksim.fs;

/**
 * Drops a cached directory entry in whoever caches this filesystem's entries (the host kernel's
 * dcache behind FUSE). A filesystem that can tell when its entries go stale may then let them
 * be cached; one that cannot must be served with zero timeouts.
 */
@FunctionalInterface
public interface EntryInvalidator {
    /** Forget the entry name in the directory at parentPath ("/" for the root). */
    void invalidate(String parentPath, String name);
}
