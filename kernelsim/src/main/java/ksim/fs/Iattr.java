package ksim.fs;

/**
 * struct iattr: the attribute changes of one setattr call. A field is changed only if its
 * ATTR_* bit is in valid. Times are ns since the epoch; ATTR_ATIME without ATTR_ATIME_SET
 * means "now", as utimensat(UTIME_NOW) asks.
 */
public record Iattr(int valid, int mode, int uid, int gid, long size, long atimeNs, long mtimeNs) {
    public static final int ATTR_MODE = 1;
    public static final int ATTR_UID = 1 << 1;
    public static final int ATTR_GID = 1 << 2;
    public static final int ATTR_SIZE = 1 << 3;
    public static final int ATTR_ATIME = 1 << 4;
    public static final int ATTR_MTIME = 1 << 5;
    public static final int ATTR_CTIME = 1 << 6;
    public static final int ATTR_ATIME_SET = 1 << 7;
    public static final int ATTR_MTIME_SET = 1 << 8;

    public boolean has(int bit) {
        return (valid & bit) != 0;
    }

    public static Iattr size(long size) {
        return new Iattr(ATTR_SIZE, 0, 0, 0, size, 0, 0);
    }

    public static Iattr mode(int mode) {
        return new Iattr(ATTR_MODE, mode, 0, 0, 0, 0, 0);
    }

    /** chown: a negative id leaves that id unchanged. */
    public static Iattr owner(int uid, int gid) {
        int v = (uid >= 0 ? ATTR_UID : 0) | (gid >= 0 ? ATTR_GID : 0);
        return new Iattr(v, 0, uid, gid, 0, 0, 0);
    }

    /** utimensat: null means now, a time is set as given; omit one with the has* flags. */
    public static Iattr times(boolean setAtime, Long atimeNs, boolean setMtime, Long mtimeNs) {
        int v = 0;
        if (setAtime) v |= ATTR_ATIME | (atimeNs != null ? ATTR_ATIME_SET : 0);
        if (setMtime) v |= ATTR_MTIME | (mtimeNs != null ? ATTR_MTIME_SET : 0);
        return new Iattr(v, 0, 0, 0, 0, atimeNs == null ? 0 : atimeNs, mtimeNs == null ? 0 : mtimeNs);
    }
}
