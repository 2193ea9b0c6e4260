package ksim.fs;

/** File type and permission bits (include/uapi/linux/stat.h) and dirent types (DT_*). */
public final class Mode {
    private Mode() {}

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;
    public static final int S_ISUID = 0004000;
    public static final int S_ISGID = 0002000;
    public static final int S_ISVTX = 0001000;

    public static boolean isDir(int mode) { return (mode & S_IFMT) == S_IFDIR; }
    public static boolean isReg(int mode) { return (mode & S_IFMT) == S_IFREG; }
    public static boolean isLnk(int mode) { return (mode & S_IFMT) == S_IFLNK; }

    /** The mode bits of a DT_* directory entry type (the inverse of dtype()). */
    public static int fromDtype(int dtype) {
        return (dtype & 017) << 12;
    }

    /** The d_type readdir reports for a mode (S_DT() in include/linux/fs_types.h). */
    public static int dtype(int mode) {
        return (mode & S_IFMT) >>> 12;
    }
}
