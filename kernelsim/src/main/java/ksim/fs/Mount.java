package ksim.fs;

import java.util.List;

/**
 * struct mount (fs/mount.h) with its vfsmount: one mount in the namespace, as mountinfo shows
 * it — the mount id, the parent, the superblock's device, the root within the filesystem, the
 * mountpoint, the per-mount flags (MNT_READONLY, MNT_NOSUID, ...), the peer group of a shared
 * mount, the filesystem type, the source and the superblock's own options.
 * sb and vfsmount are null for the mounts whose superblocks the kernel does not hold here
 * (rootfs, and proc and sysfs, which the FUSE bridge serves).
 */
public final class Mount {
    private final int id;
    private final Mount parent;
    private final int major;
    private final int minor;
    private final String mountpoint;
    private final boolean mntReadOnly;
    private final List<String> mntFlags;
    private final int peerGroup;
    private final String fstype;
    private final String source;
    private final String fsOptions;
    private final SuperBlock sb;
    private final Vfsmount vfsmount;
    private final KmemVfsSlab slab;
    private volatile String hostPath;

    Mount(int id, Mount parent, int major, int minor, String mountpoint, boolean mntReadOnly, List<String> mntFlags,
          int peerGroup, String fstype, String source, String fsOptions, SuperBlock sb, Vfsmount vfsmount, KmemVfsSlab slab) {
        this.id = id;
        this.parent = parent == null ? this : parent;
        this.major = major;
        this.minor = minor;
        this.mountpoint = mountpoint;
        this.mntReadOnly = mntReadOnly;
        this.mntFlags = List.copyOf(mntFlags);
        this.peerGroup = peerGroup;
        this.fstype = fstype;
        this.source = source;
        this.fsOptions = fsOptions;
        this.sb = sb;
        this.vfsmount = vfsmount;
        this.slab = slab;
    }

    /** mnt_id. */
    public int id() { return id; }
    /** The mount this one is mounted on (itself for the namespace's root). */
    public Mount parent() { return parent; }
    public int major() { return major; }
    public int minor() { return minor; }
    /** The root of the mount within its filesystem (d_path of mnt_root). */
    public String root() { return "/"; }
    public String mountpoint() { return mountpoint; }
    /** mnt_group_id of a shared mount, 0 for a private one. */
    public int peerGroup() { return peerGroup; }
    public String fstype() { return fstype; }
    public String source() { return source; }
    public SuperBlock sb() { return sb; }
    /** The vfsmount to serve, or null if the kernel does not hold this superblock. */
    public Vfsmount vfsmount() { return vfsmount; }
    /** The slab objects of this superblock, or null. */
    public KmemVfsSlab slab() { return slab; }

    /** Where the bridge shows this mount on the host, or null. */
    public String hostPath() { return hostPath; }

    public void setHostPath(String p) { hostPath = p; }

    /** MNT_READONLY, or a superblock that turned read-only. */
    public boolean readOnly() {
        return mntReadOnly || sbReadOnly();
    }

    /** sb_rdonly(). */
    public boolean sbReadOnly() {
        return sb != null ? sb.readOnly() : mntReadOnly;
    }

    /** show_mnt_opts after "rw"/"ro": nosuid, nodev, noexec, relatime... in that order. */
    public List<String> mntFlags() { return mntFlags; }

    /** ->show_options: what the filesystem adds, each option preceded by a comma ("" for none). */
    public String fsOptions() { return fsOptions; }
}
