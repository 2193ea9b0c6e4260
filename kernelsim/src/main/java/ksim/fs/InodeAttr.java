package ksim.fs;

/** What getattr() reports of an inode (struct kstat). Times in ns since the epoch. */
public record InodeAttr(long ino, int mode, int nlink, int uid, int gid, long size, long mtimeNs) {}
