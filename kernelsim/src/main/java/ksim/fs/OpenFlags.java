package ksim.fs;

/** open(2) flags the VFS looks at (include/uapi/asm-generic/fcntl.h). */
public final class OpenFlags {
    private OpenFlags() {}

    public static final int O_ACCMODE = 3;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_TRUNC = 01000;

    public static boolean wantsWrite(int flags) {
        int acc = flags & O_ACCMODE;
        return acc == O_WRONLY || acc == O_RDWR;
    }
}
