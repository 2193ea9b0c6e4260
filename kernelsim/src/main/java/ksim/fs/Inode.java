package ksim.fs;

import java.util.List;
import ksim.kernel.Errno;

/**
 * struct inode with its inode_operations and the open() of its file_operations
 * (include/linux/fs.h). Filesystems implement what applies; the rest fails as Linux does.
 * Every method may throw KernelError, the errno the caller will see.
 *
 * The directory operations that make entries (mknod, mkdir, symlink, link) and remove them
 * (unlink, rmdir, rename) fall back to create() and remove(), which synthetic filesystems
 * refuse; a disk filesystem overrides them all.
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
     * The entry-making operations' common fallback. Synthetic directories hold only what the
     * kernel puts there; like proc's, their lookup of a new name fails, so creating one
     * answers ENOENT.
     */
    default void create(String name, int mode, Caller caller) {
        if (!Mode.isDir(getattr().mode())) throw Errno.ENOTDIR.error("not a directory");
        throw Errno.ENOENT.error("cannot create " + name + " here");
    }

    /** ->create / ->mknod: a regular file, device node, fifo or socket called name. */
    default Inode mknod(String name, int mode, long rdev, Caller caller) {
        create(name, mode, caller);
        return lookup(name, caller);
    }

    /** ->mkdir. mode holds the permission bits. */
    default Inode mkdir(String name, int mode, Caller caller) {
        create(name, Mode.S_IFDIR | (mode & 07777), caller);
        return lookup(name, caller);
    }

    /** ->symlink: name pointing at target. */
    default Inode symlink(String name, String target, Caller caller) {
        create(name, Mode.S_IFLNK | 0777, caller);
        return lookup(name, caller);
    }

    /** ->link: a new name for an existing inode of the same filesystem. */
    default Inode link(String name, Inode target, Caller caller) {
        create(name, target.getattr().mode(), caller);
        return lookup(name, caller);
    }

    /** The entry-removing operations' common fallback: refused (EPERM) by default. */
    default void remove(String name, Caller caller) {
        throw Errno.EPERM.error("cannot remove " + name);
    }

    /** ->unlink. */
    default void unlink(String name, Caller caller) {
        remove(name, caller);
    }

    /** ->rmdir. */
    default void rmdir(String name, Caller caller) {
        remove(name, caller);
    }

    /** ->rename: moves this directory's entry oldName to newDir/newName, replacing what is there. */
    default void rename(String oldName, Inode newDir, String newName, Caller caller) {
        remove(oldName, caller);
    }

    /** ->setattr other than size (mode, owner, times): refused by default. */
    default void setattr(Caller caller) {
        throw Errno.EPERM.error("attributes cannot be changed");
    }

    /** ->setattr(ATTR_SIZE): truncation, which writable proc files accept and ignore. */
    default void truncate(long size) {
        throw Errno.EACCES.error("read-only file");
    }

    /** ->setattr with a struct iattr: size through truncate(), the rest through setattr(caller). */
    default void setattr(Iattr attr, Caller caller) {
        if (attr.has(Iattr.ATTR_SIZE)) truncate(attr.size());
        if ((attr.valid() & ~Iattr.ATTR_SIZE) != 0) setattr(caller);
    }

    /** ->get of an xattr handler: the value of name, ENODATA if absent; ENOSYS if unsupported. */
    default byte[] getxattr(String name, Caller caller) {
        throw Errno.ENOSYS.error("no extended attributes");
    }

    /** ->listxattr: every attribute name visible to the caller. */
    default List<String> listxattr(Caller caller) {
        throw Errno.ENOSYS.error("no extended attributes");
    }

    /** ->set of an xattr handler (flags XATTR_CREATE 1, XATTR_REPLACE 2). */
    default void setxattr(String name, byte[] value, int flags, Caller caller) {
        throw Errno.ENOSYS.error("no extended attributes");
    }

    /** removexattr. */
    default void removexattr(String name, Caller caller) {
        throw Errno.ENOSYS.error("no extended attributes");
    }
}
