package ksim.fuse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Namei;
import ksim.fs.SuperBlock;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/**
 * Serves one superblock at a host directory through jnr-fuse. It knows nothing of what a file
 * means: each request is a path walk to an inode and one inode or file operation. Kernel
 * errors become negative errnos; any other exception is logged and becomes EIO, so nothing
 * escapes into libfuse.
 */
public final class FuseMount extends FuseStubFS {
    private static final Logger log = LoggerFactory.getLogger(FuseMount.class);
    /** In libfuse 2.9's struct fuse_file_info the bit flags word sits at offset 20 (see jnr-fuse.md). */
    private static final int FI_FLAGS_OFFSET = 20;
    private static final int FOPEN_DIRECT_IO = 1;
    private static final int FOPEN_KEEP_CACHE = 2;
    /** Largest read the kernel sends (FUSE_MAX_PAGES_PER_REQ * 4 KiB in libfuse 2). */
    private static final int MAX_READ = 128 * 1024;

    private final SuperBlock sb;
    private final ConcurrentHashMap<Long, File> files = new ConcurrentHashMap<>();
    private final AtomicLong nextFh = new AtomicLong(1);
    private final CountDownLatch ready = new CountDownLatch(1);
    private final ThreadLocal<byte[]> readBuf = ThreadLocal.withInitial(() -> new byte[MAX_READ]);
    private volatile Path mountedAt;
    private final AtomicLong unexpected = new AtomicLong();

    private final FuseNotify notify = new FuseNotify();

    public FuseMount(SuperBlock sb) {
        this.sb = sb;
        sb.setInvalidator(notify);
    }

    /** Mounts on a thread of its own and returns once the kernel has sent FUSE_INIT. */
    public void mountAndWait(Path dir, MountOptions options, long timeoutMs) {
        String[] args = options.toArgs(sb);
        Thread t = new Thread(() -> {
            try {
                mount(dir, true, false, args);
            } catch (RuntimeException e) {
                log.error("mount of {} at {} failed: {}", sb.type(), dir, e.getMessage());
            } finally {
                ready.countDown();
            }
        }, "fuse-" + sb.type());
        t.setDaemon(true);
        t.start();
        try {
            if (!ready.await(timeoutMs, TimeUnit.MILLISECONDS) || mountedAt == null) {
                throw new IllegalStateException("mounting " + sb.type() + " at " + dir + " did not complete");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while mounting", e);
        }
    }

    @Override
    public void umount() {
        notify.close();
        super.umount();
    }

    public Path mountedAt() {
        return mountedAt;
    }

    @Override
    public Pointer init(Pointer conn) {
        notify.attach(getContext().fuse.get());
        mountedAt = mountPoint;
        ready.countDown();
        return null;
    }

    private Caller caller() {
        var ctx = getContext();
        return new Caller(ctx.pid.intValue(), (int) ctx.uid.get(), (int) ctx.gid.get());
    }

    private Inode walk(String path, Caller c) {
        return Namei.walk(sb.root(), path, c);
    }

    /** Runs one operation, turning every failure into a negative errno. */
    private int guard(String op, String path, Op body) {
        try {
            return body.run();
        } catch (KernelError e) {
            if (log.isDebugEnabled()) log.debug("{} {}: {}", op, path, e.getMessage());
            return -e.errno().value;
        } catch (Throwable e) {
            unexpected.incrementAndGet();
            log.error("{} {} failed unexpectedly; answering EIO", op, path, e);
            return -Errno.EIO.value;
        }
    }

    @FunctionalInterface
    private interface Op {
        int run();
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return guard("getattr", path, () -> {
            fill(stat, walk(path, caller()).getattr());
            return 0;
        });
    }

    private static void fill(FileStat stat, InodeAttr a) {
        stat.st_ino.set(a.ino());
        stat.st_mode.set(a.mode());
        stat.st_nlink.set(a.nlink());
        stat.st_uid.set(a.uid());
        stat.st_gid.set(a.gid());
        stat.st_size.set(a.size());
        stat.st_blksize.set(4096);
        long sec = Math.floorDiv(a.mtimeNs(), 1_000_000_000L);
        long nsec = Math.floorMod(a.mtimeNs(), 1_000_000_000L);
        stat.st_mtim.tv_sec.set(sec);
        stat.st_mtim.tv_nsec.set(nsec);
        stat.st_atim.tv_sec.set(sec);
        stat.st_atim.tv_nsec.set(nsec);
        stat.st_ctim.tv_sec.set(sec);
        stat.st_ctim.tv_nsec.set(nsec);
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return guard("readdir", path, () -> {
            Runtime rt = Runtime.getSystemRuntime();
            Pointer mem = Memory.allocateDirect(rt, Struct.size(new FileStat(rt)));
            FileStat st = FileStat.of(mem);
            walk(path, caller()).readdir(caller(), (name, ino, mode) -> {
                st.st_ino.set(ino);
                st.st_mode.set(mode);
                return filler.apply(buf, name, st, 0) == 0;
            });
            return 0;
        });
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        return guard("readlink", path, () -> {
            Caller c = caller();
            byte[] target = walk(path, c).readlink(c).getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return guard("open", path, () -> {
            Caller c = caller();
            File f = walk(path, c).open(fi.flags.get(), c);
            long fh = nextFh.getAndIncrement();
            files.put(fh, f);
            fi.fh.set(fh);
            if (sb.synthetic()) {
                // Size 0 files: bypass the page cache so every read reaches us.
                Pointer p = Struct.getMemory(fi);
                p.putInt(FI_FLAGS_OFFSET, (p.getInt(FI_FLAGS_OFFSET) | FOPEN_DIRECT_IO) & ~FOPEN_KEEP_CACHE);
            }
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("read", path, () -> {
            File f = files.get(fi.fh.get());
            if (f == null) throw Errno.EBADF.error("no such open file");
            byte[] tmp = readBuf.get();
            int want = (int) Math.min(size, tmp.length);
            int total = 0;
            // Never answer short: clients parse what one read() returns.
            while (total < want) {
                int n = f.read(offset + total, tmp, total, want - total);
                if (n <= 0) break;
                total += n;
            }
            buf.put(0, tmp, 0, total);
            return total;
        });
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("write", path, () -> {
            File f = files.get(fi.fh.get());
            if (f == null) throw Errno.EBADF.error("no such open file");
            if (size > MAX_READ) throw Errno.EINVAL.error("write too large");
            byte[] data = new byte[(int) size];
            buf.get(0, data, 0, data.length);
            return f.write(offset, data, data.length);
        });
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return guard("truncate", path, () -> {
            walk(path, caller()).truncate(size);
            return 0;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return guard("release", path, () -> {
            File f = files.remove(fi.fh.get());
            if (f != null) f.release();
            return 0;
        });
    }

    /** The directory part and the last name of a path. */
    private record Split(String parent, String name) {
        static Split of(String path) {
            int i = path.lastIndexOf('/');
            return new Split(i <= 0 ? "/" : path.substring(0, i), path.substring(i + 1));
        }
    }

    private int createIn(String op, String path) {
        return guard(op, path, () -> {
            Caller c = caller();
            Split sp = Split.of(path);
            walk(sp.parent(), c).create(sp.name(), 0, c);
            return 0;
        });
    }

    private int removeIn(String op, String path) {
        return guard(op, path, () -> {
            Caller c = caller();
            Split sp = Split.of(path);
            Inode parent = walk(sp.parent(), c);
            parent.lookup(sp.name(), c);
            parent.remove(sp.name(), c);
            return 0;
        });
    }

    private int changeAttr(String op, String path) {
        return guard(op, path, () -> {
            walk(path, caller()).setattr(caller());
            return 0;
        });
    }

    @Override
    public int mknod(String path, @jnr.ffi.types.mode_t long mode, @jnr.ffi.types.dev_t long rdev) {
        return createIn("mknod", path);
    }

    @Override
    public int create(String path, @jnr.ffi.types.mode_t long mode, FuseFileInfo fi) {
        return createIn("create", path);
    }

    @Override
    public int mkdir(String path, @jnr.ffi.types.mode_t long mode) {
        return createIn("mkdir", path);
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return createIn("symlink", newpath);
    }

    @Override
    public int link(String oldpath, String newpath) {
        return createIn("link", newpath);
    }

    @Override
    public int unlink(String path) {
        return removeIn("unlink", path);
    }

    @Override
    public int rmdir(String path) {
        return removeIn("rmdir", path);
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return removeIn("rename", oldpath);
    }

    @Override
    public int chmod(String path, @jnr.ffi.types.mode_t long mode) {
        return changeAttr("chmod", path);
    }

    @Override
    public int chown(String path, @jnr.ffi.types.uid_t long uid, @jnr.ffi.types.gid_t long gid) {
        return changeAttr("chown", path);
    }

    @Override
    public int utimens(String path, ru.serce.jnrfuse.struct.Timespec[] timespec) {
        return changeAttr("utimens", path);
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        stbuf.f_bsize.set(4096);
        stbuf.f_frsize.set(4096);
        stbuf.f_namemax.set(Namei.NAME_MAX);
        return 0;
    }

    @Override
    public int ioctl(String path, int cmd, Pointer arg, FuseFileInfo fi, long flags, Pointer data) {
        return -ErrorCodes.ENOTTY();
    }

    /** Operations that failed with something other than a kernel errno (bugs). */
    public long unexpectedErrors() {
        return unexpected.get();
    }

    /** Open files right now: a leak check for tests. */
    public int openFiles() {
        return files.size();
    }
}
