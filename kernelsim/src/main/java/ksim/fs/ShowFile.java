package ksim.fs;

import java.util.function.Supplier;
import ksim.kernel.Errno;

/**
 * A regular file of a synthetic filesystem whose content a show function renders (proc's
 * proc_create_single and ONE() entries, sysfs attributes' show). Writable files pass each write
 * to a store function that parses it and calls the kernel; the others refuse to be opened for
 * writing.
 */
public final class ShowFile implements Inode {
    /** Parses one write and applies it to the kernel (a proc_handler's write half). */
    public interface Store {
        void write(byte[] data);
    }

    private final InodeAttr attr;
    private final Supplier<byte[]> show;
    private final Store store;
    private final Runnable openCheck;

    public ShowFile(InodeAttr attr, Supplier<byte[]> show, Store store, Runnable openCheck) {
        this.attr = attr;
        this.show = show;
        this.store = store;
        this.openCheck = openCheck;
    }

    public static ShowFile readOnly(long ino, int perm, int uid, int gid, long mtimeNs, Supplier<byte[]> show) {
        return new ShowFile(new InodeAttr(ino, Mode.S_IFREG | perm, 1, uid, gid, 0, mtimeNs), show, null, null);
    }

    @Override
    public InodeAttr getattr() {
        return attr;
    }

    @Override
    public File open(int flags, Caller caller) {
        if (OpenFlags.wantsWrite(flags) && store == null) throw Errno.EACCES.error("read-only file");
        if (openCheck != null) openCheck.run();
        if (store == null) return new SeqFile(show);
        return new SeqFile(show) {
            @Override
            public int write(long offset, byte[] src, int len) {
                if (offset != 0) throw Errno.EINVAL.error("writes must start at offset 0");
                byte[] data = java.util.Arrays.copyOf(src, len);
                store.write(data);
                return len;
            }
        };
    }

    @Override
    public void truncate(long size) {
        if (store == null) throw Errno.EACCES.error("read-only file");
    }
}
