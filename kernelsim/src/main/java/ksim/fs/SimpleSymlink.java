package ksim.fs;

import java.util.function.Supplier;

/**
 * A symlink of a synthetic filesystem whose target the kernel computes (kernfs_iop_get_link
 * for sysfs links; proc has its own per-reader links). lstat says link; the host kernel
 * follows the target, which is resolved relative to the link's directory.
 */
public final class SimpleSymlink implements Inode {
    private final InodeAttr attr;
    private final Supplier<String> target;

    public SimpleSymlink(long ino, long mtimeNs, Supplier<String> target) {
        this.attr = new InodeAttr(ino, Mode.S_IFLNK | 0777, 1, 0, 0, 0, mtimeNs);
        this.target = target;
    }

    @Override
    public InodeAttr getattr() {
        return attr;
    }

    @Override
    public String readlink(Caller caller) {
        return target.get();
    }
}
