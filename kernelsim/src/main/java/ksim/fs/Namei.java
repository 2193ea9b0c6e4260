package ksim.fs;

import ksim.kernel.Errno;

/**
 * Path walk (fs/namei.c link_path_walk), reduced to what a FUSE server needs: the host kernel
 * has already followed symlinks, so a path is looked up component by component from the
 * root, without following links itself. On a mount with a dentry cache each component is
 * first looked for there (d_lookup) and only a miss asks the filesystem (->lookup), whose
 * answer, found or not, is cached (d_add).
 */
public final class Namei {
    /** PATH_MAX and NAME_MAX (include/uapi/linux/limits.h). */
    public static final int PATH_MAX = 4096;
    public static final int NAME_MAX = 255;

    private Namei() {}

    public static Inode walk(Inode root, String path, Caller caller) {
        if (path.length() >= PATH_MAX) throw Errno.ENAMETOOLONG.error("path too long");
        Inode at = root;
        int i = 0;
        int n = path.length();
        while (i < n) {
            while (i < n && path.charAt(i) == '/') i++;
            if (i >= n) break;
            int j = path.indexOf('/', i);
            if (j < 0) j = n;
            String name = path.substring(i, j);
            if (name.length() > NAME_MAX) throw Errno.ENAMETOOLONG.error("name too long");
            if (!name.equals(".")) {
                if (!Mode.isDir(at.getattr().mode())) throw Errno.ENOTDIR.error(name + ": parent is not a directory");
                at = at.lookup(name, caller);
            }
            i = j;
        }
        return at;
    }

    /**
     * The positive dentry of path on mnt; ENOENT, ENOTDIR or ENAMETOOLONG otherwise. With a
     * dentry cache, the directory part of the last path walked is remembered (as the nameidata
     * of consecutive calls in one directory would be), so a request in the same directory
     * resolves only its last component; any change to a directory's dentry forgets it.
     */
    public static Dentry walk(Vfsmount mnt, String path, Caller caller) {
        if (path.length() >= PATH_MAX) throw Errno.ENAMETOOLONG.error("path too long");
        Dcache dc = mnt.dcache();
        if (dc != null) {
            Vfsmount.LastDir last = mnt.lastDir;
            int slash = path.lastIndexOf('/');
            if (last != null && slash > 0 && slash == last.path().length() && last.generation() == dc.generation()
                    && path.startsWith(last.path()) && slash + 1 < path.length()) {
                String name = path.substring(slash + 1);
                if (name.length() > NAME_MAX) throw Errno.ENAMETOOLONG.error("name too long");
                return name.equals(".") ? last.dir() : child(mnt, last.dir(), name, caller);
            }
        }
        Dentry at = mnt.root();
        int i = 0;
        int n = path.length();
        int lastSlash = dc != null ? path.lastIndexOf('/') : -1;
        long gen = dc != null ? dc.generation() : 0;
        while (i < n) {
            while (i < n && path.charAt(i) == '/') i++;
            if (i >= n) break;
            int j = path.indexOf('/', i);
            if (j < 0) j = n;
            String name = path.substring(i, j);
            if (name.length() > NAME_MAX) throw Errno.ENAMETOOLONG.error("name too long");
            if (!name.equals(".")) at = child(mnt, at, name, caller);
            i = j;
            // Only a directory is remembered: a file's dentry can go without moving the generation,
            // and a walk through a remembered file would then answer ENOTDIR where Linux says ENOENT.
            if (j == lastSlash && lastSlash > 0 && path.indexOf("/.", 0) < 0 && path.indexOf("//") < 0
                    && Mode.isDir(at.inode().getattr().mode())) {
                mnt.lastDir = new Vfsmount.LastDir(path.substring(0, lastSlash), at, gen);
            }
        }
        return at;
    }

    /** lookup_one: the positive dentry of name in the directory dir. */
    public static Dentry child(Vfsmount mnt, Dentry dir, String name, Caller caller) {
        Dcache dc = mnt.dcache();
        if (dc != null) {
            Dentry d = dc.lookup(dir, name);
            if (d != null) {
                if (d.negative()) throw Errno.ENOENT.error(name);
                return d;
            }
        }
        Inode parent = dir.inode();
        if (!Mode.isDir(parent.getattr().mode())) throw Errno.ENOTDIR.error(name + ": parent is not a directory");
        Inode found;
        try {
            found = parent.lookup(name, caller);
        } catch (ksim.kernel.KernelError e) {
            if (dc != null && e.errno() == Errno.ENOENT) dc.add(dir, name, null);
            throw e;
        }
        return dc != null ? dc.add(dir, name, found) : new Dentry(dir, name, found);
    }
}
