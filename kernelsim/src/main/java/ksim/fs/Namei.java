package ksim.fs;

import ksim.kernel.Errno;

/**
 * Path walk (fs/namei.c link_path_walk), reduced to what a FUSE server needs: the host kernel
 * has already followed symlinks, so a path is looked up component by component from the
 * root, without following links itself.
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
}
