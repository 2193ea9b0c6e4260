package ksim.fs;

import ksim.kernel.Errno;

/**
 * struct inode with its inode_operations and the open() of its file_operations
 * (include/linux/fs.h). Filesystems implement what applies; the rest fails as Linux does.
 * Every method may throw KernelError, the errno the caller will see.
 */
public interface Inode {
    InodeAttr getattr();

    /** ->lookup(): the child called name, or ENOENT. */
    default Inode lookup(String name, Caller caller) {
        throw Errno.ENOTDIR.error("not a directory");
    }

    /** ->iterate_shared(): every entry, "." and ".." included. */
    default void readdir(Caller caller, DirEmitter out) {
        throw Errno.ENOTDIR.error("not a directory");
    }

    /** ->get_link(): the symlink's target text. */
    default String readlink(Caller caller) {
        throw Errno.EINVAL.error("not a symlink");
    }

    /** ->open(): an open file. flags are the open(2) flags. */
    default File open(int flags, Caller caller) {
        throw Errno.EISDIR.error("not a regular file");
    }

    /** ->setattr(ATTR_SIZE): truncation, which writable proc files accept and ignore. */
    default void truncate(long size) {
        throw Errno.EACCES.error("read-only file");
    }
}
