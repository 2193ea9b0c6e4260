package ksim.fs;

import ksim.kernel.Errno;

/**
 * The path-based operations of the system calls (fs/namei.c do_mknodat, do_mkdirat,
 * do_symlinkat, do_linkat, do_unlinkat, do_rmdir, do_renameat2; fs/attr.c notify_change):
 * resolve the parent, call the directory's inode operation, and keep the dentry cache in step
 * (d_instantiate, d_delete, d_move). Modifying calls on a read-only mount fail with EROFS.
 */
public final class VfsOps {
    private VfsOps() {}

    /** A path split into its directory and last component. */
    public record Split(String parent, String name) {
        public static Split of(String path) {
            int end = path.length();
            while (end > 1 && path.charAt(end - 1) == '/') end--;
            int i = path.lastIndexOf('/', end - 1);
            return new Split(i <= 0 ? "/" : path.substring(0, i), path.substring(i + 1, end));
        }
    }

    public static Inode resolve(Vfsmount mnt, String path, Caller c) {
        return Namei.walk(mnt, path, c).inode();
    }

    /** filename_parentat: the directory a new or removed name lives in; ENOTDIR if it is not one. */
    private static Dentry parentDir(Vfsmount mnt, String path, Caller c) {
        Dentry d = Namei.walk(mnt, path, c);
        if (!Mode.isDir(d.inode().getattr().mode())) throw Errno.ENOTDIR.error(path + " is not a directory");
        return d;
    }

    private static void writable(Vfsmount mnt) {
        if (mnt.readOnly()) throw Errno.EROFS.error("read-only file system");
    }

    private static void instantiate(Vfsmount mnt, Dentry dir, String name, Inode inode) {
        Dcache dc = mnt.dcache();
        if (dc != null) dc.add(dir, name, inode);
    }

    private static void forget(Vfsmount mnt, Dentry dir, String name) {
        Dcache dc = mnt.dcache();
        if (dc != null) dc.drop(dir, name);
    }

    public static Inode mknod(Vfsmount mnt, String path, int mode, long rdev, Caller c) {
        Split sp = Split.of(path);
        Dentry dir = parentDir(mnt, sp.parent(), c);
        writable(mnt);
        Inode made = dir.inode().mknod(sp.name(), mode, rdev, c);
        instantiate(mnt, dir, sp.name(), made);
        return made;
    }

    public static Inode mkdir(Vfsmount mnt, String path, int mode, Caller c) {
        Split sp = Split.of(path);
        Dentry dir = parentDir(mnt, sp.parent(), c);
        writable(mnt);
        Inode made = dir.inode().mkdir(sp.name(), mode, c);
        instantiate(mnt, dir, sp.name(), made);
        return made;
    }

    public static Inode symlink(Vfsmount mnt, String target, String path, Caller c) {
        Split sp = Split.of(path);
        Dentry dir = parentDir(mnt, sp.parent(), c);
        writable(mnt);
        Inode made = dir.inode().symlink(sp.name(), target, c);
        instantiate(mnt, dir, sp.name(), made);
        return made;
    }

    public static Inode link(Vfsmount mnt, String oldPath, String newPath, Caller c) {
        Inode target = resolve(mnt, oldPath, c);
        Split sp = Split.of(newPath);
        Dentry dir = parentDir(mnt, sp.parent(), c);
        writable(mnt);
        Inode made = dir.inode().link(sp.name(), target, c);
        instantiate(mnt, dir, sp.name(), made);
        return made;
    }

    /** The inode that was unlinked, looked up first so a missing name is ENOENT. */
    public static Inode unlink(Vfsmount mnt, String path, Caller c) {
        Split sp = Split.of(path);
        Dentry dir = parentDir(mnt, sp.parent(), c);
        Dentry victim = Namei.child(mnt, dir, sp.name(), c);
        writable(mnt);
        dir.inode().unlink(sp.name(), c);
        forget(mnt, dir, sp.name());
        return victim.inode();
    }

    public static void rmdir(Vfsmount mnt, String path, Caller c) {
        Split sp = Split.of(path);
        Dentry dir = parentDir(mnt, sp.parent(), c);
        Namei.child(mnt, dir, sp.name(), c);
        writable(mnt);
        dir.inode().rmdir(sp.name(), c);
        forget(mnt, dir, sp.name());
    }

    /**
     * rename(2) without flags, in do_renameat2's order: both parents, then the source; then
     * lock_rename's traps: EINVAL if the source is the target's directory or above it,
     * ENOTEMPTY if the target is above the source. Returns the inode whose name was replaced,
     * if the dentry cache knew one.
     */
    public static Inode rename(Vfsmount mnt, String oldPath, String newPath, Caller c) {
        Split from = Split.of(oldPath);
        Split to = Split.of(newPath);
        Dentry oldDir = parentDir(mnt, from.parent(), c);
        Dentry newDir = parentDir(mnt, to.parent(), c);
        Dentry src = Namei.child(mnt, oldDir, from.name(), c);
        writable(mnt);
        Inode replaced = null;
        if (mnt.dcache() != null) {
            if (isAncestorOrSelf(src, newDir)) throw Errno.EINVAL.error("cannot move a directory below itself");
            Dentry target;
            try {
                target = Namei.child(mnt, newDir, to.name(), c);
            } catch (ksim.kernel.KernelError e) {
                target = null;
            }
            if (target != null && target.inode() != src.inode() && isAncestorOrSelf(target, oldDir)) {
                throw Errno.ENOTEMPTY.error("the target is a directory above the source");
            }
            replaced = target == null || target.inode() == src.inode() ? null : target.inode();
        }
        oldDir.inode().rename(from.name(), newDir.inode(), to.name(), c);
        Dcache dc = mnt.dcache();
        if (dc != null) dc.move(oldDir, from.name(), newDir, to.name());
        return replaced;
    }

    /** True if a names d or one of d's ancestors (compared by inode, as dentries may be pruned). */
    private static boolean isAncestorOrSelf(Dentry a, Dentry d) {
        for (Dentry x = d; ; x = x.parent()) {
            if (x.inode() == a.inode()) return true;
            if (x.parent() == x) return false;
        }
    }

    /** notify_change; returns the inode changed. */
    public static Inode setattr(Vfsmount mnt, String path, Iattr attr, Caller c) {
        Inode inode = resolve(mnt, path, c);
        if (mnt.readOnly()) throw Errno.EROFS.error("read-only file system");
        inode.setattr(attr, c);
        return inode;
    }
}
