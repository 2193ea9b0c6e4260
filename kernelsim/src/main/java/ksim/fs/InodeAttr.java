package ksim.fs;

/**
 * What getattr() reports of an inode (struct kstat). Times in ns since the epoch; blocks in
 * 512-byte units; rdev as the kernel's dev_t (major << 8 | minor for small numbers, new_encode_dev).
 */
public record InodeAttr(long ino, int mode, int nlink, int uid, int gid, long size, long mtimeNs,
                        long atimeNs, long ctimeNs, long blocks, long rdev, int blksize) {
    /** A synthetic file's attributes: all three times equal, no blocks, no device. */
    public InodeAttr(long ino, int mode, int nlink, int uid, int gid, long size, long mtimeNs) {
        this(ino, mode, nlink, uid, gid, size, mtimeNs, mtimeNs, mtimeNs, 0, 0, 4096);
    }
}
