package ksim.fs;

import java.nio.ByteBuffer;
import ksim.kernel.Errno;

/** struct file with its read/write file_operations: one open of an inode. */
public interface File {
    /** Reads up to len bytes at offset into dst[dstOff...]; returns the count, 0 at end of file. */
    int read(long offset, byte[] dst, int dstOff, int len);

    /** Writes len bytes at offset; returns the count accepted. */
    default int write(long offset, byte[] src, int len) {
        throw Errno.EBADF.error("not open for writing");
    }

    /**
     * read_iter into a buffer (which may be direct, e.g. the FUSE request's own memory): reads
     * up to dst.remaining() bytes at offset, advancing dst's position; returns the count.
     */
    default int read(long offset, ByteBuffer dst) {
        byte[] tmp = new byte[dst.remaining()];
        int n = read(offset, tmp, 0, tmp.length);
        if (n > 0) dst.put(tmp, 0, n);
        return n;
    }

    /** write_iter from a buffer: writes src.remaining() bytes at offset; returns the count accepted. */
    default int write(long offset, ByteBuffer src) {
        byte[] tmp = new byte[src.remaining()];
        src.get(tmp);
        return write(offset, tmp, tmp.length);
    }

    /** ->fsync(): what was written through this file is on stable storage when it returns. */
    default void fsync(boolean datasync) {}

    /** ->release(): the last close. */
    default void release() {}
}
