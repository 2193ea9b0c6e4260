package ksim.fuse;

import java.nio.file.Path;
import ksim.fs.proc.ProcFs;
import ksim.fs.sysfs.SysFs;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.WallClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A booted kernel with its proc and sys mounted on the host: what `ksim up` runs. */
public final class KsimServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KsimServer.class);
    private static final long MOUNT_TIMEOUT_MS = 10_000;
    private final Kernel kernel;
    private final WallClock wallClock;
    private final FuseMount proc;
    private final FuseMount sys;
    private boolean closed;

    private KsimServer(Kernel kernel, WallClock wallClock, FuseMount proc, FuseMount sys) {
        this.kernel = kernel;
        this.wallClock = wallClock;
        this.proc = proc;
        this.sys = sys;
    }

    public static KsimServer start(KernelConfig config, Path procDir, Path sysDir, MountOptions options) {
        return start(config, procDir, sysDir, options, 0);
    }

    /** Boots, starts a prefork pool of the given size if positive, then mounts. */
    public static KsimServer start(KernelConfig config, Path procDir, Path sysDir, MountOptions options, int workers) {
        return start(config, procDir, sysDir, options, workers, k -> { });
    }

    /**
     * Boots, starts a prefork pool of the given size if positive, runs setup on the kernel
     * (a boot scenario), then mounts: nothing sees the kernel before setup is done. If setup
     * throws, nothing is mounted.
     */
    public static KsimServer start(KernelConfig config, Path procDir, Path sysDir, MountOptions options, int workers,
                                   java.util.function.Consumer<Kernel> setup) {
        // Loading libfuse and generating jnr-fuse's callback stubs takes as long as booting:
        // do it on another thread meanwhile, so the mount is ready sooner.
        Thread warm = new Thread(KsimServer::warmUpFuse, "fuse-warmup");
        warm.setDaemon(true);
        warm.start();
        Kernel kernel = Kernel.boot(config);
        if (workers > 0) ksim.kernel.PreforkPool.start(kernel, workers);
        // Mounts a scenario makes inside the kernel are served at <instance>/root/<mountpoint>.
        kernel.mounts().setExposer(new KernelMounts(kernel.mounts(), procDir.resolveSibling("root"), options));
        try {
            setup.accept(kernel);
        } catch (RuntimeException e) {
            kernel.mounts().umountAll();
            throw e;
        }
        kernel.visitors().setProbe(new HostProc(Path.of("/proc")));
        WallClock wall = null;
        if (config.clockMode() == Clock.Mode.WALL) {
            wall = new WallClock(kernel, System::nanoTime);
            wall.start();
        }
        FuseMount proc = new FuseMount(new ProcFs(kernel));
        FuseMount sys = new FuseMount(new SysFs(kernel));
        KsimServer server = new KsimServer(kernel, wall, proc, sys);
        try {
            proc.mountAndWait(procDir, options, MOUNT_TIMEOUT_MS);
            sys.mountAndWait(sysDir, options, MOUNT_TIMEOUT_MS);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.debug("mounted proc at {} and sys at {}", procDir, sysDir);
        return server;
    }

    /** Builds (and drops) one unmounted FuseMount, which loads the native side of jnr-fuse. */
    private static void warmUpFuse() {
        try {
            new FuseMount(new ksim.fs.SuperBlock() {
                private final ksim.fs.Inode root = new ksim.fs.SimpleDir(1, 1, 0);

                @Override
                public String type() {
                    return "warmup";
                }

                @Override
                public ksim.fs.Inode root() {
                    return root;
                }
            });
        } catch (RuntimeException | LinkageError e) {
            log.debug("FUSE warm-up failed: {}", e.toString());
        }
    }

    public Kernel kernel() {
        return kernel;
    }

    public FuseMount procMount() {
        return proc;
    }

    public FuseMount sysMount() {
        return sys;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (wallClock != null) wallClock.close();
        kernel.mounts().umountAll();
        for (FuseMount m : new FuseMount[] {sys, proc}) {
            Path at = m.mountedAt();
            try {
                m.umount();
            } catch (RuntimeException e) {
                log.warn("unmounting {} failed: {}", at, e.getMessage());
            }
            if (at != null && HostMounts.isMounted(at)) HostMounts.unmount(at);
        }
    }
}
