package ksim.fuse;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import ksim.fs.EntryInvalidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry invalidation through libfuse 2's low-level notify call, reached from the high-level
 * API jnr-fuse uses: fuse_get_session() of the struct fuse, its first channel, then
 * fuse_lowlevel_notify_inval_entry(). Only entries of the root directory can be addressed (its
 * node id is always 1; the path API hides the others), so an entry deeper down is invalidated
 * through its top-level ancestor, whose whole subtree goes; procfs only ever needs root entries.
 * Notifications run on a thread of their own: the host kernel takes the directory's lock to
 * handle one, and that lock may be held by a request waiting for this daemon.
 */
final class FuseNotify implements EntryInvalidator {
    private static final Logger log = LoggerFactory.getLogger(FuseNotify.class);
    private static final long FUSE_ROOT_ID = 1;

    /** The three libfuse 2.9 functions, bound with jnr-ffi. */
    public interface LibFuseNotify {
        Pointer fuse_get_session(Pointer fuse);

        Pointer fuse_session_next_chan(Pointer session, Pointer previous);

        int fuse_lowlevel_notify_inval_entry(Pointer channel, long parent, byte[] name, long namelen);
    }

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuse-notify");
        t.setDaemon(true);
        return t;
    });
    private volatile LibFuseNotify lib;
    private volatile Pointer channel;

    /** Called from init(), where the struct fuse of this mount is known. */
    void attach(Pointer fuse) {
        try {
            LibFuseNotify l = LibraryLoader.create(LibFuseNotify.class).load("fuse");
            Pointer session = l.fuse_get_session(fuse);
            channel = session == null ? null : l.fuse_session_next_chan(session, null);
            lib = l;
        } catch (RuntimeException | LinkageError e) {
            log.warn("entry invalidation unavailable: {}", e.toString());
        }
    }

    boolean ready() {
        return lib != null && channel != null;
    }

    @Override
    public void invalidate(String parentPath, String name) {
        invalidateAsync(parentPath, name);
    }

    /** The root entry to invalidate for name in parentPath: itself, or its top-level ancestor. */
    static String topLevel(String parentPath, String name) {
        if ("/".equals(parentPath)) return name;
        int start = parentPath.startsWith("/") ? 1 : 0;
        int end = parentPath.indexOf('/', start);
        return end < 0 ? parentPath.substring(start) : parentPath.substring(start, end);
    }

    /** Queues the invalidation; the future completes once the host kernel has handled it. */
    CompletableFuture<Void> invalidateAsync(String parentPath, String name) {
        String top = topLevel(parentPath, name);
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            worker.execute(() -> {
                try {
                    LibFuseNotify l = lib;
                    Pointer ch = channel;
                    if (l == null || ch == null) return;
                    byte[] b = top.getBytes(StandardCharsets.UTF_8);
                    // -ENOENT just means the kernel had no such entry cached.
                    l.fuse_lowlevel_notify_inval_entry(ch, FUSE_ROOT_ID, b, b.length);
                } finally {
                    done.complete(null);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.complete(null);
        }
        return done;
    }

    void close() {
        channel = null;
        worker.shutdownNow();
    }
}
