package ksim.fs;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.KernelError;

/**
 * The mount namespace (fs/namespace.c): the mounts in the order they were made, mount ids
 * (mnt_id_ida), peer group ids (mnt_group_ida) and anonymous device numbers (get_anon_bdev)
 * handed out lowest-free and given back at umount. The initial namespace holds rootfs at "/"
 * (init_mount_tree; ksim has no root device to switch to), then what init mounts first:
 * proc on /proc and sysfs on /sys, with systemd's nosuid,nodev,noexec. Every mount is shared,
 * as systemd makes "/" rshared at boot, so each gets a peer group of its own.
 *
 * Readers take no lock: they see an immutable list replaced on every change. Mount and umount
 * are serialised (namespace_sem) and never run under the kernel lock, because bringing a
 * filesystem up or down through the bridge waits for FUSE threads that may need it.
 */
public final class MntNamespace {
    /** The major of loop devices (LOOP_MAJOR): block filesystems are mounted from image files through them. */
    public static final int LOOP_MAJOR = 7;
    static final int PATH_MAX = 4096;

    /** A filesystem type that can be mounted by name (its file_system_type ->mount / fill_super). */
    public interface FsType {
        /** The name of the filesystem's inode cache (its s_op->alloc_inode). */
        String inodeCache();

        /** Opens source; options as given after -o (ro/rw already taken out); objects charged to slab. */
        Filled fill(String source, boolean readOnly, List<String> options, VfsSlab slab);
    }

    /** A filled superblock and what its ->show_options prints (",opt,opt" or ""). */
    public record Filled(SuperBlock sb, String showOptions) {}

    /** What makes a mount visible on the host (the FUSE bridge): mounted after the kernel made it, unmounted before. */
    public interface Exposer {
        void mounted(Mount m);

        /** Takes the mount off the host; EBUSY (and nothing changed) while it is in use. */
        void unmount(Mount m);
    }

    private final Kernel kernel;
    private final Object namespaceSem = new Object();
    private final BitSet mntIds = new BitSet();
    private final BitSet groupIds = new BitSet();
    private final BitSet anonDevs = new BitSet();
    private final BitSet loops = new BitSet();
    private final Map<String, FsType> types = new HashMap<>();
    private volatile List<Mount> mounts = List.of();
    private volatile Exposer exposer;

    public MntNamespace(Kernel kernel) {
        this.kernel = kernel;
        long memKb = kernel.config().memoryKb();
        // rootfs is a tmpfs: half of memory, and as many inodes as half of memory has pages
        Mount root = add(null, 0, alloc(anonDevs), "/", false, List.of(), "rootfs", "rootfs",
                ",size=" + memKb / 2 + "k,nr_inodes=" + memKb / 2 / 4, null, null, null);
        List<String> sysFlags = List.of("nosuid", "nodev", "noexec", "relatime");
        add(root, 0, alloc(anonDevs), "/proc", false, sysFlags, "proc", "proc", "", null, null, null);
        add(root, 0, alloc(anonDevs), "/sys", false, sysFlags, "sysfs", "sysfs", "", null, null, null);
    }

    private static int alloc(BitSet ida) {
        int i = ida.nextClearBit(1);
        ida.set(i);
        return i;
    }

    private Mount add(Mount parent, int major, int minor, String dir, boolean ro, List<String> flags, String type,
                      String source, String fsOptions, SuperBlock sb, Vfsmount vfs, KmemVfsSlab slab) {
        Mount m = new Mount(alloc(mntIds), parent, major, minor, dir, ro, flags, alloc(groupIds), type, source, fsOptions,
                sb, vfs, slab);
        List<Mount> next = new ArrayList<>(mounts);
        next.add(m);
        mounts = List.copyOf(next);
        return m;
    }

    /** register_filesystem of a type that mount() may name. */
    public synchronized void registerType(String name, FsType type) {
        types.put(name, type);
    }

    public void setExposer(Exposer e) {
        exposer = e;
    }

    /** The mounts, oldest first (what mountinfo walks). */
    public List<Mount> list() {
        return mounts;
    }

    /** The mount at dir, or null. */
    public Mount find(String dir) {
        for (Mount m : mounts) if (m.mountpoint().equals(dir)) return m;
        return null;
    }

    /**
     * mount -t type [-o options] source dir (do_new_mount): ENODEV for a type that cannot be
     * mounted, EINVAL for a relative or unclean path, EBUSY if dir is a mountpoint already or
     * the source is mounted; the filesystem's own refusals as it gives them (EINVAL, ENOENT, EIO).
     * On any error nothing is mounted and nothing is held.
     */
    public Mount mount(String type, String source, String dir, List<String> options) {
        synchronized (namespaceSem) {
            FsType t;
            synchronized (this) {
                t = types.get(type);
            }
            if (t == null) throw Errno.ENODEV.error("unknown filesystem type '" + type + "'");
            checkPath(dir);
            if (!source.startsWith("/")) throw Errno.EINVAL.error("the source must be an absolute path: " + source);
            if (find(dir) != null) throw Errno.EBUSY.error(dir + " is already a mountpoint");
            if (dir.equals("/proc") || dir.startsWith("/proc/") || dir.equals("/sys") || dir.startsWith("/sys/")) {
                throw Errno.EINVAL.error("cannot mount inside " + (dir.startsWith("/proc") ? "/proc" : "/sys"));
            }
            Mount parent = mounts.get(0);
            for (Mount m : mounts) {
                if (dir.startsWith(m.mountpoint() + "/") && m != mounts.get(0)) {
                    throw Errno.EINVAL.error(dir + " lies inside the mount at " + m.mountpoint() + "; only mounts on rootfs are supported");
                }
                if (m != mounts.get(0) && m.mountpoint().startsWith(dir + "/")) {
                    // a mount over it would hide it from the host and misdirect its umount
                    throw Errno.EBUSY.error(m.mountpoint() + " is mounted below " + dir);
                }
                if (m.source().equals(source) && m.sb() != null) throw Errno.EBUSY.error(source + " is already mounted on " + m.mountpoint());
            }
            boolean ro = false;
            List<String> rest = new ArrayList<>();
            for (String o : options) {
                if (o.equals("ro")) ro = true;
                else if (o.equals("rw")) ro = false;
                else if (!o.isEmpty()) rest.add(o);
            }
            KmemVfsSlab slab = new KmemVfsSlab(kernel, t.inodeCache());
            Filled f;
            try {
                f = t.fill(source, ro, rest, slab);
            } catch (KernelError e) {
                slab.releaseAll();
                throw e;
            }
            Mount m;
            try {
                Vfsmount vfs = new Vfsmount(f.sb(), ro, slab);
                int loop = alloc(loops);
                m = add(parent, LOOP_MAJOR, loop - 1, dir, ro || f.sb().readOnly(), List.of("relatime"), type, source,
                        f.showOptions(), f.sb(), vfs, slab);
            } catch (RuntimeException e) {
                kill(f.sb(), slab);
                throw e;
            }
            Exposer ex = exposer;
            if (ex != null) {
                try {
                    ex.mounted(m);
                } catch (RuntimeException e) {
                    remove(m);
                    kill(f.sb(), slab);
                    throw e instanceof KernelError ke ? ke : Errno.EIO.error("cannot expose " + dir + ": " + e.getMessage());
                }
            }
            return m;
        }
    }

    /**
     * umount dir (do_umount): EINVAL if dir is not a mountpoint, EBUSY for the mounts the
     * kernel itself keeps (rootfs, proc, sysfs) and for a mount still in use. The superblock is
     * written back and put, and its objects go back to their slab caches.
     */
    public Mount umount(String dir) {
        synchronized (namespaceSem) {
            checkPath(dir);
            Mount m = find(dir);
            if (m == null) throw Errno.EINVAL.error(dir + " is not a mountpoint");
            if (m.sb() == null) throw Errno.EBUSY.error(dir + " is in use by the kernel (" + m.fstype() + ")");
            Exposer ex = exposer;
            if (ex != null) ex.unmount(m);
            remove(m);
            kill(m.sb(), m.slab());
            return m;
        }
    }

    /** At shutdown: every mount the kernel holds is unmounted, newest first; failures are logged by the caller's exposer. */
    public int umountAll() {
        int n = 0;
        synchronized (namespaceSem) {
            List<Mount> all = new ArrayList<>(mounts);
            for (int i = all.size() - 1; i >= 0; i--) {
                Mount m = all.get(i);
                if (m.sb() == null) continue;
                Exposer ex = exposer;
                try {
                    if (ex != null) ex.unmount(m);
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(MntNamespace.class).warn("unmounting {}: {}", m.mountpoint(), e.getMessage());
                }
                remove(m);
                kill(m.sb(), m.slab());
                n++;
            }
        }
        return n;
    }

    /** deactivate_super -> kill_block_super: write back, put, give the objects back. */
    private static void kill(SuperBlock sb, KmemVfsSlab slab) {
        try {
            sb.putSuper();
        } finally {
            slab.releaseAll();
        }
    }

    private void remove(Mount m) {
        List<Mount> next = new ArrayList<>(mounts);
        next.remove(m);
        mounts = List.copyOf(next);
        mntIds.clear(m.id());
        groupIds.clear(m.peerGroup());
        if (m.major() == LOOP_MAJOR) loops.clear(m.minor() + 1);
        else anonDevs.clear(m.minor());
    }

    /** An absolute path without empty, "." or ".." components, no trailing slash, at most PATH_MAX bytes. */
    static void checkPath(String dir) {
        if (!dir.startsWith("/")) throw Errno.EINVAL.error("the mountpoint must be an absolute path: " + dir);
        if (dir.length() >= PATH_MAX) throw Errno.ENAMETOOLONG.error("mountpoint too long");
        if (dir.equals("/")) return;
        for (String c : dir.substring(1).split("/", -1)) {
            if (c.isEmpty() || c.equals(".") || c.equals("..") || c.indexOf('\0') >= 0) {
                throw Errno.EINVAL.error("the mountpoint must be a clean absolute path: " + dir);
            }
        }
    }
}
