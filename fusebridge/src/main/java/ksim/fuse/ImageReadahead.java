package ksim.fuse;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import ksim.fs.BlockDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readahead of an image's blocks into the host's page cache: the ranges the filesystem expects
 * to read next (BlockDevice.readahead) are passed to posix_fadvise(POSIX_FADV_WILLNEED) on a
 * thread of its own, which starts reading them from disk without anyone waiting. A cold
 * sequential read then finds its next blocks in memory instead of waiting for the disk at every
 * FUSE request. Only a hint: without libc the reads simply go to the disk when they come.
 */
final class ImageReadahead implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImageReadahead.class);
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int POSIX_FADV_WILLNEED = 3;

    /** The libc calls used, bound with jnr-ffi. */
    public interface LibC {
        int open(String path, int flags);

        int close(int fd);

        int posix_fadvise(int fd, long offset, long len, int advice);
    }

    private final LibC libc;
    private final int fd;
    private final AtomicInteger hints = new AtomicInteger();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "image-readahead");
        t.setDaemon(true);
        return t;
    });

    private ImageReadahead(LibC libc, int fd) {
        this.libc = libc;
        this.fd = fd;
    }

    /** Routes dev's readahead hints to the host; null if the host offers no way to. */
    static ImageReadahead attach(BlockDevice dev, Path image) {
        try {
            LibC l = LibraryLoader.create(LibC.class).load("c");
            int fd = l.open(image.toString(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) return null;
            ImageReadahead r = new ImageReadahead(l, fd);
            dev.setReadahead(r::hint);
            return r;
        } catch (RuntimeException | LinkageError e) {
            log.debug("readahead unavailable: {}", e.toString());
            return null;
        }
    }

    private void hint(long pos, long len) {
        try {
            worker.execute(() -> {
                if (libc.posix_fadvise(fd, pos, len, POSIX_FADV_WILLNEED) == 0) hints.incrementAndGet();
            });
        } catch (RejectedExecutionException e) {
            // closing: the hint is not needed any more
        }
    }

    /** Hints the host accepted so far: for tests. */
    int accepted() {
        return hints.get();
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        libc.close(fd);
    }
}
