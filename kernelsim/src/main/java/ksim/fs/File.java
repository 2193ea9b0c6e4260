package ksim.fs;

import ksim.kernel.Errno;

/** struct file with its read/write file_operations: one open of an inode. */
public interface File {
    /** Reads up to len bytes at offset into dst[dstOff...]; returns the count, 0 at end of file. */
    int read(long offset, byte[] dst, int dstOff, int len);

    /** Writes len bytes at offset; returns the count accepted. */
    default int write(long offset, byte[] src, int len) {
        throw Errno.EBADF.error("not open for writing");
    }

    /** ->fsync(): what was written through this file is on stable storage when it returns. */
    default void fsync(boolean datasync) {}

    /** ->release(): the last close. */
    default void release() {}
}
