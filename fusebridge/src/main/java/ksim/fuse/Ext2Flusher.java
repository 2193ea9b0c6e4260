package ksim.fuse;

import java.nio.file.Path;
import ksim.fs.ext2.Ext2Fs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flusher thread of an ext2 image served over FUSE (the kernel's writeback of dirty
 * buffers older than dirty_expire_centisecs, checked every dirty_writeback_centisecs), plus
 * the image's background writeback and readahead; it ends with the FUSE session.
 */
public final class Ext2Flusher {
    /** dirty_expire_centisecs: 30 s. */
    static final long EXPIRE_NS = 30_000_000_000L;
    /** dirty_writeback_centisecs: 5 s. */
    static final long PERIOD_MS = 5_000;
    private static final Logger log = LoggerFactory.getLogger(Ext2Flusher.class);

    private Ext2Flusher() {}

    /** Attaches the image's writeback and readahead to fm; call before mounting. */
    public static void attachImage(FuseMount fm, Ext2Fs fs, Path image) {
        fm.startImageWriteback(fs.device(), image);
    }

    /** Starts the flusher of fs, named after where it is mounted; call once mounted. */
    public static void start(FuseMount fm, Ext2Fs fs, String name) {
        Thread t = new Thread(() -> {
            try {
                while (!fm.awaitExit(PERIOD_MS)) {
                    try {
                        fs.writebackExpired(EXPIRE_NS);
                    } catch (RuntimeException e) {
                        log.warn("writeback of {} failed: {}", name, e.getMessage());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ext2-writeback " + name);
        t.setDaemon(true);
        t.start();
    }
}
