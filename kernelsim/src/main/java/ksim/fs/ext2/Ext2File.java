package ksim.fs.ext2;

import java.nio.ByteBuffer;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.OpenFlags;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;

/**
 * An open regular file (fs/ext2/file.c with the generic read/write paths). Data goes between
 * the caller's buffer and the image directly, in runs of physically contiguous blocks: the
 * host's page cache above FUSE caches file data, so it is not cached a second time here. A
 * block is allocated when first written; a partly written new block gets zeros around the data,
 * in an old one only the bytes written change. Metadata (block map, bitmaps, inode) stays in
 * the buffer cache until writeback or fsync.
 */
final class Ext2File implements File {
    private final Ext2Inode inode;
    private final Ext2Fs fs;
    private final int flags;
    /** f_cred: whose quota of reserved blocks the allocations for this file draw on. */
    private final Caller cred;
    private boolean released;
    /** file_ra_state: where the last read ended, and how far ahead the device was asked to read. */
    private long lastEnd = -1;
    private long raEnd;
    /** How far ahead of a sequential reader data is requested (a readahead window of 4 MiB). */
    static final long RA_WINDOW = 4L << 20;

    Ext2File(Ext2Inode inode, int flags, Caller cred) {
        this.inode = inode;
        this.fs = inode.fs;
        this.flags = flags;
        this.cred = cred;
    }

    Ext2Inode inode() {
        return inode;
    }

    @Override
    public int read(long offset, byte[] dst, int dstOff, int len) {
        return read(offset, ByteBuffer.wrap(dst, dstOff, len));
    }

    @Override
    public int write(long offset, byte[] src, int len) {
        return write(offset, ByteBuffer.wrap(src, 0, len));
    }

    /** A view of buf's bytes [from, from + len) relative to its position 'base'. */
    private static ByteBuffer slice(ByteBuffer buf, int base, int from, int len) {
        ByteBuffer v = buf.duplicate();
        v.limit(base + from + len);
        v.position(base + from);
        return v;
    }

    @Override
    public int read(long offset, ByteBuffer dst) {
        synchronized (fs) {
            if (offset < 0) throw Errno.EINVAL.error("negative offset");
            long size = inode.size;
            if (offset >= size || !dst.hasRemaining()) return 0;
            int n = (int) Math.min(dst.remaining(), size - offset);
            if ((offset == lastEnd || offset == 0) && offset + n < size) readahead(offset + n, size);
            lastEnd = offset + n;
            int bs = fs.blockSize;
            int base = dst.position();
            int done = 0;
            long runAt = -1;
            int runDst = 0;
            int runLen = 0;
            while (done < n) {
                long pos = offset + done;
                int in = (int) (pos % bs);
                int chunk = Math.min(bs - in, n - done);
                long phys = Ext2BlockMap.bmap(inode, pos / bs);
                if (phys == 0) {
                    if (runLen > 0) fs.dev.read(runAt, slice(dst, base, runDst, runLen));
                    runLen = 0;
                    for (int k = 0; k < chunk; k++) dst.put(base + done + k, (byte) 0);
                } else {
                    long at = phys * bs + in;
                    if (runLen > 0 && runAt + runLen == at) {
                        runLen += chunk;
                    } else {
                        if (runLen > 0) fs.dev.read(runAt, slice(dst, base, runDst, runLen));
                        runAt = at;
                        runDst = done;
                        runLen = chunk;
                    }
                }
                done += chunk;
            }
            if (runLen > 0) fs.dev.read(runAt, slice(dst, base, runDst, runLen));
            dst.position(base + n);
            inode.touchAtime();
            return n;
        }
    }

    /**
     * page_cache_sync_readahead for a sequential reader: once the window ahead of the reader is
     * half used, the next blocks up to RA_WINDOW past it are mapped and their physically
     * contiguous runs handed to the device's readahead, so reading the file does not wait for
     * the disk request by request. Damage met while mapping ahead is reported as a read would
     * report it (ext2_error, as Linux's readahead meets it too) and ends the readahead; the
     * read itself goes on with what it asked for.
     */
    private void readahead(long from, long size) {
        if (!fs.dev.wantsReadahead() || raEnd - from > RA_WINDOW / 2) return;
        int bs = fs.blockSize;
        long start = Math.max(raEnd, from) / bs;
        long end = (Math.min(size, from + RA_WINDOW) + bs - 1) / bs;
        long runAt = -1;
        long runLen = 0;
        try {
            for (long lblk = start; lblk < end; lblk++) {
                long phys = Ext2BlockMap.bmap(inode, lblk);
                if (phys != 0 && runLen > 0 && runAt + runLen == phys * bs) {
                    runLen += bs;
                    continue;
                }
                if (runLen > 0) fs.dev.readahead(runAt, runLen);
                runAt = phys * bs;
                runLen = phys == 0 ? 0 : bs;
            }
        } catch (KernelError e) {
            runLen = 0;
        }
        if (runLen > 0) fs.dev.readahead(runAt, runLen);
        raEnd = end * bs;
    }

    @Override
    public int write(long offset, ByteBuffer src) {
        synchronized (fs) {
            if (!OpenFlags.wantsWrite(flags)) throw Errno.EBADF.error("not open for writing");
            fs.checkWritable();
            if (offset < 0) throw Errno.EINVAL.error("negative offset");
            if (!src.hasRemaining()) return 0;
            if (offset >= fs.maxFileSize) throw Errno.EFBIG.error("file too large");
            int n = (int) Math.min(src.remaining(), fs.maxFileSize - offset);
            int bs = fs.blockSize;
            int base = src.position();
            boolean[] isNew = new boolean[1];
            int done = 0;
            // One device write per physically contiguous run: [zeros][data][zeros], where the
            // zeros pad a freshly allocated block around the data (a new block holds garbage and
            // must read as zeros), which only the first and the last block written can need.
            long runAt = -1;
            int runSrc = 0;
            int runLen = 0;
            int headZeros = 0;
            int tailZeros = 0;
            KernelError failure = null;
            try {
                while (done < n) {
                    long pos = offset + done;
                    long lblk = pos / bs;
                    int in = (int) (pos % bs);
                    int chunk = Math.min(bs - in, n - done);
                    long phys = Ext2BlockMap.getBlock(inode, lblk, cred, isNew);
                    int head = isNew[0] ? in : 0;
                    int tail = isNew[0] ? bs - in - chunk : 0;
                    long at = phys * bs + in - head;
                    if (runLen > 0 && tailZeros == 0 && head == 0 && runAt + headZeros + runLen == at) {
                        runLen += chunk;
                    } else {
                        if (runLen > 0) writeRun(src, base, runAt, headZeros, runSrc, runLen, tailZeros);
                        runAt = at;
                        headZeros = head;
                        runSrc = done;
                        runLen = chunk;
                    }
                    tailZeros = tail;
                    done += chunk;
                }
            } catch (KernelError e) {
                if (e.errno() == Errno.EIO || done == 0) failure = e;
            }
            if (runLen > 0) writeRun(src, base, runAt, headZeros, runSrc, runLen, tailZeros);
            src.position(base + done);
            if (done > 0) {
                if (offset + done > inode.size) {
                    inode.size = offset + done;
                    noteLargeFile(inode);
                }
                inode.touchMC();
            }
            if (failure != null) throw failure;
            return done;
        }
    }

    /**
     * Writes head zero bytes, src's bytes [from, from + len) relative to base, and tail zero
     * bytes at device position at: straight from src when there is no padding, else gathered
     * into one buffer so that the run still takes one write.
     */
    private void writeRun(ByteBuffer src, int base, long at, int head, int from, int len, int tail) {
        if (head == 0 && tail == 0) {
            fs.dev.write(at, slice(src, base, from, len));
            return;
        }
        byte[] buf = new byte[head + len + tail];
        src.get(base + from, buf, head, len);
        fs.dev.write(at, buf, 0, buf.length);
    }

    /** A file past 2 GiB needs RO_COMPAT_LARGE_FILE (ext2_write_inode sets it if missing). */
    static void noteLargeFile(Ext2Inode inode) {
        Ext2Fs fs = inode.fs;
        if (inode.size > 0x7fffffffL && (fs.es.featureRoCompat() & Ext2Features.RO_COMPAT_LARGE_FILE) == 0) {
            fs.es.setFeatureRoCompat(fs.es.featureRoCompat() | Ext2Features.RO_COMPAT_LARGE_FILE);
            fs.markSuperDirty();
        }
    }

    /** ext2_fsync: metadata and data of the whole filesystem reach the disk. */
    @Override
    public void fsync(boolean datasync) {
        fs.syncFs(true);
    }

    @Override
    public void release() {
        synchronized (fs) {
            if (released) return;
            released = true;
            inode.openCount--;
            // ext2_release_file: a writer that closes gives back what its window still holds
            if (OpenFlags.wantsWrite(flags)) fs.rsv.discard(inode.rsv);
            if (inode.linksCount == 0 && inode.openCount == 0 && !fs.readOnly()) Ext2Namei.evictIfUnused(inode);
        }
    }
}
