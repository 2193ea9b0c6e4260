package ksim.mm;

/**
 * The file behind a mapping (vma->vm_file reduced to what /proc shows of it): its path, the
 * device and inode number, whether its pages are shmem (tmpfs, /dev/shm, shared anonymous
 * memory) and whether the name carries " (deleted)" (d_path() of an unlinked file).
 */
public record VmFile(String path, int major, int minor, long ino, boolean shmem, boolean deleted) {
    /** The root filesystem of the simulated machine: /dev/vda1 (virtio_blk, major 254). */
    public static final int ROOT_MAJOR = 254;
    public static final int ROOT_MINOR = 1;
    /** The internal shmem mount behind shared anonymous mappings (shm_mnt: 00:01). */
    public static final int SHM_MNT_MINOR = 1;
    /** The tmpfs mounted on /dev/shm. */
    public static final int DEV_SHM_MINOR = 25;

    /**
     * A file of the simulated filesystems: files under /dev/shm are tmpfs (shmem), the rest
     * lives on the root filesystem. The inode number is derived from the path, so every
     * process that maps the same path maps the same inode.
     */
    public static VmFile of(String path) {
        if (path == null || !path.startsWith("/")) throw ksim.kernel.Errno.EINVAL.error("a mapped file needs an absolute path");
        if (path.startsWith("/dev/shm/")) return new VmFile(path, 0, DEV_SHM_MINOR, inodeOf(path, 2, 1 << 16), true, false);
        return new VmFile(path, ROOT_MAJOR, ROOT_MINOR, inodeOf(path, 131_073, 1 << 20), false, false);
    }

    /** shmem_zero_setup(): the unlinked "dev/zero" shmem file behind a shared anonymous mapping. */
    public static VmFile sharedAnon(long ino) {
        return new VmFile("/dev/zero", 0, SHM_MNT_MINOR, ino, true, true);
    }

    /** The name /proc/<pid>/maps prints. */
    public String displayName() {
        return deleted ? path + " (deleted)" : path;
    }

    /** One number per (device, inode): the identity of the page cache this file owns. */
    public long key() {
        return ((long) major << 52) ^ ((long) minor << 40) ^ ino;
    }

    private static long inodeOf(String path, long base, int range) {
        long h = 1125899906842597L;
        for (int i = 0; i < path.length(); i++) h = 31 * h + path.charAt(i);
        return base + Math.floorMod(h, (long) range);
    }
}
