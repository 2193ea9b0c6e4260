package ksim.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;

/**
 * struct block_device over an image file: byte-addressed reads and writes, a flush that reaches
 * the disk (blkdev_issue_flush), and an exclusive claim so that two writers never share one
 * image (bd_prepare_to_claim). I/O failures become EIO.
 */
public final class BlockDevice implements AutoCloseable {
    private final Path path;
    private final FileChannel ch;
    private final FileLock claim;
    private final boolean readOnly;
    private final long size;
    private volatile boolean closed;
    /** Bytes written so far, and where the last background writeback was started (see setBackgroundWriteback). */
    private volatile long written;
    private long startedAt;
    private long backgroundBytes = Long.MAX_VALUE;
    private Runnable backgroundStart;
    /** Where readahead hints go (see setReadahead), or null. */
    private volatile java.util.function.BiConsumer<Long, Long> readahead;

    private BlockDevice(Path path, FileChannel ch, FileLock claim, boolean readOnly, long size) {
        this.path = path;
        this.ch = ch;
        this.claim = claim;
        this.readOnly = readOnly;
        this.size = size;
    }

    /** Opens the image; a read-write open fails with EBUSY if another process holds it. */
    public static BlockDevice open(Path image, boolean readOnly) {
        FileChannel ch = null;
        try {
            ch = readOnly ? FileChannel.open(image, StandardOpenOption.READ)
                    : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = null;
            if (!readOnly) {
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    ch.close();
                    throw Errno.EBUSY.error(image + " is in use by another writer");
                }
            }
            return new BlockDevice(image, ch, lock, readOnly, ch.size());
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw Errno.ENOENT.error("cannot open " + image + ": " + e.getMessage());
        }
    }

    public Path path() {
        return path;
    }

    public long size() {
        return size;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /**
     * The flusher's background threshold (dirty_background_bytes): each time another
     * everyBytes have been written, start is run to begin writing them to the disk without
     * waiting, so that a later flush() finds little left to do. start must not block.
     */
    public synchronized void setBackgroundWriteback(long everyBytes, Runnable start) {
        this.backgroundBytes = everyBytes;
        this.backgroundStart = start;
        this.startedAt = written;
    }

    /**
     * A way to have byte ranges the filesystem expects to read soon brought into memory ahead
     * of time (the block layer's readahead); hint must not block.
     */
    public void setReadahead(java.util.function.BiConsumer<Long, Long> hint) {
        this.readahead = hint;
    }

    public boolean wantsReadahead() {
        return readahead != null;
    }

    /** Asks for len bytes at pos to be read ahead; does nothing without a readahead hook. */
    public void readahead(long pos, long len) {
        var r = readahead;
        if (r != null && len > 0) r.accept(pos, len);
    }

    /** Bytes written through this device since it was opened. */
    public long bytesWritten() {
        return written;
    }

    private void account(long n) {
        Runnable start;
        synchronized (this) {
            written += n;
            if (backgroundStart == null || written - startedAt < backgroundBytes) return;
            startedAt = written;
            start = backgroundStart;
        }
        start.run();
    }

    /** Reads exactly len bytes at pos; bytes past the end of the image read as zeros. */
    public void read(long pos, byte[] dst, int off, int len) {
        ByteBuffer b = ByteBuffer.wrap(dst, off, len);
        try {
            while (b.hasRemaining()) {
                int n = ch.read(b, pos + (b.position() - off));
                if (n < 0) {
                    while (b.hasRemaining()) b.put((byte) 0);
                }
            }
        } catch (IOException e) {
            throw ioError("read", pos, e);
        }
    }

    /** Reads dst.remaining() bytes at pos into dst (direct buffers avoid a copy); past the end reads zeros. */
    public void read(long pos, ByteBuffer dst) {
        long at = pos;
        try {
            while (dst.hasRemaining()) {
                int n = ch.read(dst, at);
                if (n < 0) {
                    while (dst.hasRemaining()) dst.put((byte) 0);
                    break;
                }
                at += n;
            }
        } catch (IOException e) {
            throw ioError("read", pos, e);
        }
    }

    /** Writes src.remaining() bytes at pos from src. */
    public void write(long pos, ByteBuffer src) {
        if (readOnly) throw Errno.EROFS.error("device is read-only");
        long at = pos;
        try {
            while (src.hasRemaining()) at += ch.write(src, at);
        } catch (IOException e) {
            throw ioError("write", pos, e);
        } finally {
            account(at - pos);
        }
    }

    /** Writes exactly len bytes at pos. */
    public void write(long pos, byte[] src, int off, int len) {
        if (readOnly) throw Errno.EROFS.error("device is read-only");
        ByteBuffer b = ByteBuffer.wrap(src, off, len);
        try {
            while (b.hasRemaining()) ch.write(b, pos + (b.position() - off));
        } catch (IOException e) {
            throw ioError("write", pos, e);
        } finally {
            account(b.position() - off);
        }
    }

    /** Writes several buffers back to back starting at pos (one gathering write where possible). */
    public synchronized void writev(long pos, ByteBuffer[] bufs) {
        if (readOnly) throw Errno.EROFS.error("device is read-only");
        try {
            ch.position(pos);
            long want = 0;
            for (ByteBuffer b : bufs) want += b.remaining();
            long done = 0;
            while (done < want) done += ch.write(bufs);
            account(done);
        } catch (IOException e) {
            throw ioError("write", pos, e);
        }
    }

    /** blkdev_issue_flush: everything written so far is on stable storage. */
    public void flush() {
        if (readOnly || closed) return;
        try {
            ch.force(false);
        } catch (IOException e) {
            throw ioError("flush", 0, e);
        }
    }

    private KernelError ioError(String what, long pos, IOException e) {
        return Errno.EIO.error(what + " of " + path + " at byte " + pos + " failed: " + e.getMessage());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (claim != null && claim.isValid()) claim.release();
            ch.close();
        } catch (IOException e) {
            throw Errno.EIO.error("closing " + path + " failed: " + e.getMessage());
        }
    }
}
