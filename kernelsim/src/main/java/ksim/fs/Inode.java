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

    /**
     * ->create, ->mkdir, ->mknod, ->symlink, ->link: a new entry called name in this directory.
     * Synthetic directories hold only what the kernel puts there; like proc's, their lookup of
     * a new name fails, so creating one answers ENOENT.
     */
    default void create(String name, int mode, Caller caller) {
        if (!Mode.isDir(getattr().mode())) throw Errno.ENOTDIR.error("not a directory");
        throw Errno.ENOENT.error("cannot create " + name + " here");
    }

    /** ->unlink, ->rmdir, ->rename of an entry of this directory: refused (EPERM) by default. */
    default void remove(String name, Caller caller) {
        throw Errno.EPERM.error("cannot remove " + name);
    }

    /** ->setattr other than size (mode, owner, times): refused by default. */
    default void setattr(Caller caller) {
        throw Errno.EPERM.error("attributes cannot be changed");
    }

    /** ->setattr(ATTR_SIZE): truncation, which writable proc files accept and ignore. */
    default void truncate(long size) {
        throw Errno.EACCES.error("read-only file");
    }
}
