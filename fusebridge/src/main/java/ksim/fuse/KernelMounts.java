package ksim.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import ksim.fs.MntNamespace;
import ksim.fs.Mount;
import ksim.fs.ext2.Ext2Fs;
import ksim.kernel.Errno;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's side of mounts made inside the kernel (ksim ctl mount): each one is served by
 * this daemon as a FUSE mount at base + its mountpoint (the instance's root/mnt/data for
 * /mnt/data; directories are created as needed), with periodic writeback of what has been
 * dirty for 30 s, as mount-ext2 does. Unmounting refuses (EBUSY) while a file is open or a
 * host process works inside. A mount unmounted from the host side (fusermount -u on its
 * directory) is let go by the kernel too, so the table never lists what nothing serves.
 */
public final class KernelMounts implements MntNamespace.Exposer {
    private static final Logger log = LoggerFactory.getLogger(KernelMounts.class);
    private static final long MOUNT_TIMEOUT_MS = 10_000;
    private static final long UNMOUNT_TIMEOUT_MS = 30_000;

    private final MntNamespace namespace;
    private final Path base;
    private final MountOptions options;
    private final Map<Mount, FuseMount> served = new ConcurrentHashMap<>();

    public KernelMounts(MntNamespace namespace, Path base, MountOptions options) {
        this.namespace = namespace;
        this.base = base;
        this.options = options;
    }

    /** Where mountpoint dir of the kernel is shown on the host. */
    public Path hostPath(String dir) {
        return base.resolve(dir.substring(1));
    }

    @Override
    public void mounted(Mount m) {
        Path dir = hostPath(m.mountpoint());
        try {
            if (HostMounts.isDead(dir)) HostMounts.unmount(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw Errno.EIO.error("cannot create " + dir + ": " + e.getMessage());
        }
        FuseMount fm = new FuseMount(m.vfsmount());
        try {
            fm.mountAndWait(dir, options, MOUNT_TIMEOUT_MS);
        } catch (RuntimeException e) {
            throw Errno.EIO.error("FUSE mount at " + dir + " failed: " + e.getMessage());
        }
        served.put(m, fm);
        m.setHostPath(dir.toString());
        if (m.sb() instanceof Ext2Fs fs) {
            Ext2Flusher.attachImage(fm, fs, Path.of(m.source())); // after the mount: closed when its session ends
            Ext2Flusher.start(fm, fs, m.mountpoint());
        }
        watch(m, fm);
        log.debug("{} {} mounted at {}", m.fstype(), m.source(), dir);
    }

    /** When the session of m ends without ctl umount (unmounted on the host), the kernel lets m go. */
    private void watch(Mount m, FuseMount fm) {
        Thread t = new Thread(() -> {
            try {
                fm.awaitExit();
            } catch (InterruptedException e) {
                return;
            }
            if (!served.remove(m, fm)) return; // ctl umount or shutdown took it
            log.warn("{} was unmounted on the host; the kernel unmounts {} too", m.hostPath(), m.mountpoint());
            try {
                namespace.umount(m.mountpoint());
            } catch (RuntimeException e) {
                log.warn("dropping {} failed: {}", m.mountpoint(), e.getMessage());
            }
        }, "mount-watch " + m.mountpoint());
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void unmount(Mount m) {
        FuseMount fm = served.get(m);
        if (fm == null) return;
        if (fm.openFiles() > 0) throw Errno.EBUSY.error(m.mountpoint() + " is busy (" + fm.openFiles() + " open files)");
        Path dir = fm.mountedAt();
        served.remove(m); // first, so that the watcher does not take the session's end for an outside unmount
        // Not lazily: a detached session would go on serving a filesystem the kernel has let go.
        if (dir != null && !HostMounts.unmountNow(dir)) {
            served.put(m, fm);
            throw Errno.EBUSY.error(m.mountpoint() + " is busy (a host process has a file or its working directory there)");
        }
        try {
            if (dir == null) fm.umount();
            if (!fm.awaitExit(UNMOUNT_TIMEOUT_MS)) log.warn("the FUSE session of {} did not end in time", dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("unmounting {} failed: {}", dir, e.getMessage());
        }
        if (dir != null && HostMounts.isMounted(dir)) HostMounts.unmount(dir);
        m.setHostPath(null);
    }
}
