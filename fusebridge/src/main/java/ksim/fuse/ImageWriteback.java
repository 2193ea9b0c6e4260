package ksim.fuse;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import jnr.ffi.LibraryLoader;
import ksim.fs.BlockDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background writeback of an image's data (the flusher threads past dirty_background_bytes,
 * mm/page-writeback.c): every few MiB written to the image, the host is asked to start writing
 * the image's dirty pages to disk without waiting (sync_file_range SYNC_FILE_RANGE_WRITE), on a
 * thread of its own. A later fsync or unmount then finds most of the data already on disk
 * instead of writing it all at once. Nothing here is needed for correctness: without libc (or
 * if the call fails) the image is simply written back at fsync and unmount as before.
 */
final class ImageWriteback implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImageWriteback.class);
    /** Start writeback after this many bytes (the kernel's default background ratio would be far more; small keeps fsync short). */
    static final long EVERY_BYTES = 16L << 20;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int SYNC_FILE_RANGE_WRITE = 2;

    /** The libc calls used, bound with jnr-ffi. */
    public interface LibC {
        int open(String path, int flags);

        int close(int fd);

        int sync_file_range(int fd, long offset, long nbytes, int flags);
    }

    private final LibC libc;
    private final int fd;
    private final AtomicBoolean running = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "image-writeback");
        t.setDaemon(true);
        return t;
    });

    private ImageWriteback(LibC libc, int fd) {
        this.libc = libc;
        this.fd = fd;
    }

    /** Starts background writeback of dev's image; null if the host offers no way to. */
    static ImageWriteback attach(BlockDevice dev, Path image) {
        if (dev.readOnly()) return null;
        try {
            LibC l = LibraryLoader.create(LibC.class).load("c");
            int fd = l.open(image.toString(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) return null;
            ImageWriteback w = new ImageWriteback(l, fd);
            dev.setBackgroundWriteback(EVERY_BYTES, w::start);
            return w;
        } catch (RuntimeException | LinkageError e) {
            log.debug("background writeback unavailable: {}", e.toString());
            return null;
        }
    }

    /** Queues one sync_file_range over the whole image unless one is still under way; never blocks. */
    private void start() {
        if (!running.compareAndSet(false, true)) return;
        try {
            worker.execute(() -> {
                try {
                    started.incrementAndGet();
                    if (libc.sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) != 0) failures.incrementAndGet();
                } finally {
                    running.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            running.set(false);
        }
    }

    /** Writebacks started so far, and how many of them the host refused: for tests. */
    int started() {
        return started.get();
    }

    int failures() {
        return failures.get();
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        libc.close(fd);
    }
}
