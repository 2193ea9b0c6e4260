package ksim.fs.sysfs;

import java.util.Arrays;
import java.util.function.Supplier;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.fs.SeqFile;
import ksim.kernel.Errno;

/**
 * A sysfs attribute as kernfs serves it (fs/kernfs/file.c, fs/sysfs/file.c): st_size is
 * PAGE_SIZE, a read renders the show function, a write passes at most PAGE_SIZE bytes to the
 * store function whatever the offset, and a zero-byte write stores nothing. Opening for
 * writing an attribute without a store fails with EACCES even for root, since kernfs checks
 * for the method, not the mode.
 */
public final class KernfsAttr implements Inode {
    /** PAGE_SIZE: what stat() says of every attribute, and the most one write passes on. */
    public static final int PAGE_SIZE = 4096;

    /** An attribute's ->store(): parses the bytes written and acts; errors are errnos. */
    @FunctionalInterface
    public interface Store {
        void store(byte[] buf);
    }

    private final InodeAttr attr;
    private final Supplier<byte[]> show;
    private final Store store;

    /** @param mode permission bits (0400, 0444, 0600, 0644...); a store needs one */
    public KernfsAttr(long ino, int mode, long mtimeNs, Supplier<byte[]> show, Store store) {
        this.attr = new InodeAttr(ino, Mode.S_IFREG | mode, 1, 0, 0, PAGE_SIZE, mtimeNs);
        this.show = show;
        this.store = store;
    }

    @Override
    public InodeAttr getattr() {
        return attr;
    }

    @Override
    public File open(int flags, Caller caller) {
        if (OpenFlags.wantsWrite(flags) && store == null) throw Errno.EACCES.error("attribute has no store method");
        if (store == null) return new SeqFile(show);
        return new SeqFile(show) {
            @Override
            public int write(long offset, byte[] src, int len) {
                if (len == 0) return 0;
                int n = Math.min(len, PAGE_SIZE);
                store.store(Arrays.copyOf(src, n));
                return n;
            }
        };
    }

    /** O_TRUNC on a writable attribute is accepted and ignored, as kernfs does. */
    @Override
    public void truncate(long size) {
        if (store == null) throw Errno.EACCES.error("read-only attribute");
    }
}
