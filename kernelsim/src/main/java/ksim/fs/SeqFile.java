package ksim.fs;

import java.util.function.Supplier;

/**
 * fs/seq_file.c: a read-only file whose content is rendered by a show function. The whole
 * text is rendered by the read at offset 0 (or the first read, wherever it lands) and later
 * reads are served from that buffer, so one read sequence never tears; a reader that seeks
 * back to 0 gets a fresh rendering, which is how top and vmstat sample /proc/stat.
 */
public class SeqFile implements File {
    private final Supplier<byte[]> show;
    private byte[] buf;

    public SeqFile(Supplier<byte[]> show) {
        this.show = show;
    }

    @Override
    public synchronized int read(long offset, byte[] dst, int dstOff, int len) {
        if (offset < 0) throw ksim.kernel.Errno.EINVAL.error("negative offset");
        if (buf == null || offset == 0) buf = show.get();
        if (offset >= buf.length) return 0;
        int n = (int) Math.min(len, buf.length - offset);
        System.arraycopy(buf, (int) offset, dst, dstOff, n);
        return n;
    }
}
