package ksim.fuse;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
import ksim.fs.Dcache;
import ksim.fs.Dentry;
import ksim.fs.File;
import ksim.fs.Iattr;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Kstatfs;
import ksim.fs.Mode;
import ksim.fs.SuperBlock;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
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
import ru.serce.jnrfuse.struct.Timespec;

/**
 * Serves one superblock at a host directory through jnr-fuse. It knows nothing of what a file
 * means: each request resolves its path on the mount (through the dentry cache where the
 * filesystem allows one) and makes one VFS call (ksim.fs.VfsOps) or inode/file operation.
 * Kernel errors become negative errnos; any other exception is logged and becomes EIO, so
 * nothing escapes into libfuse.
 *
 * Synthetic filesystems (proc, sys) bypass the host's page cache (direct_io); the others keep
 * it across opens (keep_cache), report real sizes, and may be served with NULL paths for files
 * that are open but unlinked (flag_nullpath_ok with hard_remove).
 */
public final class FuseMount extends FuseStubFS {
    private static final Logger log = LoggerFactory.getLogger(FuseMount.class);
    /** In libfuse 2.9's struct fuse_file_info the bit flags word sits at offset 20 (see jnr-fuse.md). */
    private static final int FI_FLAGS_OFFSET = 20;
    private static final int FOPEN_DIRECT_IO = 1;
    private static final int FOPEN_KEEP_CACHE = 2;
    /** Largest read the kernel sends (FUSE_MAX_PAGES_PER_REQ * 4 KiB in libfuse 2), and largest write with big_writes. */
    static final int MAX_READ = 128 * 1024;
    /** UTIME_NOW and UTIME_OMIT (include/uapi/linux/stat.h). */
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    /** How long a change to a hard-linked inode waits for the host to drop its other names. */
    private static final long ALIAS_WAIT_MS = 50;
    /** Bits of the first byte of struct fuse_operations' flag word (libfuse 2.9). */
    private static final int FLAG_NULLPATH_OK = 1;
    private static final int FLAG_UTIME_OMIT_OK = 4;

    /** An open file and the inode it was opened on. */
    private record Handle(File file, Inode inode) {}

    private final SuperBlock sb;
    private final Vfsmount mnt;
    private final ConcurrentHashMap<Long, Handle> files = new ConcurrentHashMap<>();
    private final AtomicLong nextFh = new AtomicLong(1);
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch exited = new CountDownLatch(1);
    private final ThreadLocal<byte[]> ioBuf = ThreadLocal.withInitial(() -> new byte[MAX_READ]);
    /** The struct stat readdir hands to the filler with each entry's number and type (the filler copies it). */
    private final ThreadLocal<FileStat> direntStat = ThreadLocal.withInitial(() -> {
        Runtime rt = Runtime.getSystemRuntime();
        return FileStat.of(Memory.allocateDirect(rt, Struct.size(new FileStat(rt))));
    });
    private volatile Path mountedAt;
    private final AtomicLong unexpected = new AtomicLong();

    private final FuseNotify notify = new FuseNotify();
    private final OpStats stats = OpStats.fromProperty();
    private volatile ImageWriteback writeback;
    private volatile ImageReadahead readahead;

    public FuseMount(SuperBlock sb) {
        this(new Vfsmount(sb, false));
    }

    /** Serves a mount the kernel made (its dentries and open files charged to the kernel's slab). */
    public FuseMount(Vfsmount mnt) {
        this.sb = mnt.sb();
        this.mnt = mnt;
        sb.setInvalidator(notify);
        if (!sb.synthetic()) {
            allowNullPaths();
            rawCallbacks();
        }
    }

    /**
     * The busiest callbacks of a disk filesystem, registered with raw pointers instead of
     * jnr-fuse's per-call struct wrappers: stat and fuse_file_info are read and written in
     * place, and file data moves between the image and the request's own buffer directly.
     */
    private void rawCallbacks() {
        if (RawStructs.STAT_OK) {
            fuseOperations.getattr.set((path, stbuf) -> guard("getattr", path, () -> {
                RawStructs.fillStat(stbuf, walk(path, reader()).getattr());
                return 0;
            }));
        }
        // struct timespec[2] read in place (tv_sec, tv_nsec: two longs each on x86_64)
        if (RawStructs.STAT_OK) {
            fuseOperations.utimens.set((path, ts) -> guard("utimens", path,
                    () -> setTimes(path, ts.getLong(0), ts.getLong(8), ts.getLong(16), ts.getLong(24))));
        }
        if (!RawStructs.fileInfoOk()) return;
        if (RawStructs.STAT_OK) {
            fuseOperations.fgetattr.set((path, stbuf, fi) -> guard("fgetattr", path, () -> {
                Handle h = files.get(RawStructs.fh(fi));
                Inode inode = h != null ? h.inode() : walk(path, reader());
                RawStructs.fillStat(stbuf, inode.getattr());
                return 0;
            }));
        }
        fuseOperations.read.set((path, buf, size, offset, fi) -> guard("read", path, () -> {
            Handle h = files.get(RawStructs.fh(fi));
            if (h == null) throw Errno.EBADF.error("no such open file");
            java.nio.ByteBuffer dst = RawStructs.buffer(buf, (int) Math.min(size, MAX_READ));
            while (dst.hasRemaining()) {
                if (h.file().read(offset + dst.position(), dst) <= 0) break;
            }
            return dst.position();
        }));
        fuseOperations.write.set((path, buf, size, offset, fi) -> guard("write", path, () -> {
            Handle h = files.get(RawStructs.fh(fi));
            if (h == null) throw Errno.EBADF.error("no such open file");
            if (size > MAX_READ) throw Errno.EINVAL.error("write too large");
            int n = h.file().write(offset, RawStructs.buffer(buf, (int) size));
            refreshAliases(h.inode(), path);
            return n;
        }));
        fuseOperations.release.set((path, fi) -> guard("release", path, () -> {
            Handle h = files.remove(RawStructs.fh(fi));
            if (h != null) mnt.release(h.file());
            return 0;
        }));
        fuseOperations.open.set((path, fi) -> guard("open", path, () -> {
            Caller c = caller();
            Inode inode = walk(path, c);
            rawOpened(inode, mnt.open(inode, RawStructs.flags(fi), c), fi);
            return 0;
        }));
        fuseOperations.create.set((path, mode, fi) -> guard("create", path, () -> {
            Caller c = caller();
            int m = (int) mode;
            if ((m & Mode.S_IFMT) == 0) m |= Mode.S_IFREG;
            Inode inode = VfsOps.mknod(mnt, path, m, 0, c);
            rawOpened(inode, mnt.open(inode, RawStructs.flags(fi), c), fi);
            return 0;
        }));
    }

    private void rawOpened(Inode inode, File f, Pointer fi) {
        long fh = nextFh.getAndIncrement();
        files.put(fh, new Handle(f, inode));
        RawStructs.setFh(fi, fh);
        fi.putInt(FI_FLAGS_OFFSET, fi.getInt(FI_FLAGS_OFFSET) | FOPEN_KEEP_CACHE);
    }

    /**
     * Sets two bits of struct fuse_operations' flag word. flag_nullpath_ok: with hard_remove, an
     * unlinked file that is still open has no path, and its reads and writes must still reach us
     * (by file handle). flag_utime_omit_ok: utimens() understands UTIME_OMIT and UTIME_NOW;
     * without it libfuse 2 silently drops a SETATTR that changes only one of atime and mtime
     * (tar restoring mtimes, touch -m). jnr-fuse declares the bitfield's bytes as padding; the
     * first one holds the low bits (bit 0 nullpath_ok, bit 1 nopath, bit 2 utime_omit_ok).
     */
    private void allowNullPaths() {
        try {
            Method offset = Class.forName("jnr.ffi.Struct$Member").getDeclaredMethod("offset");
            offset.setAccessible(true);
            long off = (Long) offset.invoke(fuseOperations.flag_nullpath_ok);
            Pointer p = Struct.getMemory(fuseOperations);
            p.putByte(off, (byte) (p.getByte(off) | FLAG_NULLPATH_OK | FLAG_UTIME_OMIT_OK));
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot set flag_nullpath_ok ({}); open unlinked files will fail with ENOENT", e.toString());
        }
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
                exited.countDown();
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

    /**
     * Starts background writeback of the image the filesystem lives on and readahead from it
     * (see ImageWriteback, ImageReadahead); both stop when the filesystem has been written back
     * at the end of the session.
     */
    public void startImageWriteback(ksim.fs.BlockDevice dev, Path image) {
        writeback = ImageWriteback.attach(dev, image);
        readahead = ImageReadahead.attach(dev, image);
    }

    /** Blocks until the FUSE session has ended (unmounted here or from outside) and destroy() ran. */
    public void awaitExit() throws InterruptedException {
        exited.await();
    }

    public boolean awaitExit(long ms) throws InterruptedException {
        return exited.await(ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void umount() {
        notify.close();
        super.umount();
    }

    public Path mountedAt() {
        return mountedAt;
    }

    public Vfsmount vfsmount() {
        return mnt;
    }

    @Override
    public Pointer init(Pointer conn) {
        notify.attach(getContext().fuse.get());
        mountedAt = mountPoint;
        ready.countDown();
        return null;
    }

    /** FUSE destroy: the session is over; a disk filesystem writes back and marks itself clean. */
    @Override
    public void destroy(Pointer initResult) {
        if (stats != null) stats.write();
        try {
            sb.putSuper();
        } catch (RuntimeException e) {
            unexpected.incrementAndGet();
            log.error("writing back {} at unmount failed", sb.type(), e);
        } finally {
            ImageWriteback w = writeback;
            writeback = null;
            if (w != null) w.close();
            ImageReadahead r = readahead;
            readahead = null;
            if (r != null) r.close();
        }
    }

    private Caller caller() {
        if (RawStructs.contextOk()) {
            Pointer ctx = RawStructs.context();
            return new Caller(ctx.getInt(RawStructs.CTX_PID), ctx.getInt(RawStructs.CTX_UID), ctx.getInt(RawStructs.CTX_GID));
        }
        var ctx = getContext();
        return new Caller(ctx.pid.intValue(), (int) ctx.uid.get(), (int) ctx.gid.get());
    }

    /**
     * The caller for operations that only read: a disk filesystem needs no credentials to
     * look up or read (the host kernel checked permissions), so fuse_get_context is skipped.
     */
    private Caller reader() {
        return sb.synthetic() ? caller() : Caller.KERNEL;
    }

    private Inode walk(String path, Caller c) {
        return VfsOps.resolve(mnt, path, c);
    }

    /** The inode behind an open file handle, or the path's. */
    private Inode inodeOf(String path, FuseFileInfo fi, Caller c) {
        if (fi != null) {
            Handle h = files.get(fi.fh.get());
            if (h != null) return h.inode();
        }
        if (path == null) throw Errno.EBADF.error("no such open file");
        return walk(path, c);
    }

    /**
     * libfuse's path API gives each name of a hard-linked inode a kernel inode of its own, whose
     * cached size, times and link count do not follow a change made through another name. After
     * such a change the other names the dentry cache knows are invalidated in the host kernel;
     * the reply waits (briefly: a directory lock held by a request queued behind this one must
     * not deadlock it) until that is done, so the caller's next system call sees the change.
     */
    private void refreshAliases(Inode inode, String usedPath) {
        Dcache dc = mnt.dcache();
        if (inode == null || dc == null || !dc.hasAliases(inode)) return;
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        Set<String> tops = new HashSet<>();
        for (Dentry d : dc.otherAliases(inode, null)) {
            if (d.path().equals(usedPath)) continue;
            String parent = d.parent().path();
            if (tops.add(FuseNotify.topLevel(parent, d.name()))) pending.add(notify.invalidateAsync(parent, d.name()));
        }
        try {
            CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(ALIAS_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            log.debug("invalidating other names of {} still pending", usedPath);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs one operation, turning every failure into a negative errno. */
    private int guard(String op, String path, Op body) {
        long t0 = stats != null ? System.nanoTime() : 0;
        try {
            return body.run();
        } catch (KernelError e) {
            if (log.isDebugEnabled()) log.debug("{} {}: {}", op, path, e.getMessage());
            return -e.errno().value;
        } catch (Throwable e) {
            unexpected.incrementAndGet();
            log.error("{} {} failed unexpectedly; answering EIO", op, path, e);
            return -Errno.EIO.value;
        } finally {
            if (stats != null) stats.add(op, System.nanoTime() - t0);
        }
    }

    @FunctionalInterface
    private interface Op {
        int run();
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return guard("getattr", path, () -> {
            fill(stat, walk(path, reader()).getattr());
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return guard("fgetattr", path, () -> {
            fill(stat, inodeOf(path, fi, reader()).getattr());
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
        stat.st_blksize.set(a.blksize());
        stat.st_blocks.set(a.blocks());
        stat.st_rdev.set(a.rdev());
        setTime(stat.st_mtim, a.mtimeNs());
        setTime(stat.st_atim, a.atimeNs());
        setTime(stat.st_ctim, a.ctimeNs());
    }

    private static void setTime(Timespec t, long ns) {
        t.tv_sec.set(Math.floorDiv(ns, 1_000_000_000L));
        t.tv_nsec.set(Math.floorMod(ns, 1_000_000_000L));
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return guard("readdir", path, () -> {
            FileStat st = direntStat.get();
            Caller c = reader();
            walk(path, c).readdir(c, (name, ino, mode) -> {
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
            Caller c = reader();
            byte[] target = walk(path, c).readlink(c).getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    private void opened(Inode inode, File f, FuseFileInfo fi) {
        long fh = nextFh.getAndIncrement();
        files.put(fh, new Handle(f, inode));
        fi.fh.set(fh);
        Pointer p = Struct.getMemory(fi);
        int bits = p.getInt(FI_FLAGS_OFFSET);
        if (sb.synthetic()) {
            // Size 0 files: bypass the page cache so every read reaches us.
            bits = (bits | FOPEN_DIRECT_IO) & ~FOPEN_KEEP_CACHE;
        } else {
            // Every change goes through this mount: what the page cache holds stays valid.
            bits |= FOPEN_KEEP_CACHE;
        }
        p.putInt(FI_FLAGS_OFFSET, bits);
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return guard("open", path, () -> {
            Caller c = caller();
            Inode inode = walk(path, c);
            opened(inode, mnt.open(inode, fi.flags.get(), c), fi);
            return 0;
        });
    }

    @Override
    public int create(String path, @jnr.ffi.types.mode_t long mode, FuseFileInfo fi) {
        return guard("create", path, () -> {
            Caller c = caller();
            int m = (int) mode;
            if ((m & Mode.S_IFMT) == 0) m |= Mode.S_IFREG;
            Inode inode = VfsOps.mknod(mnt, path, m, 0, c);
            opened(inode, mnt.open(inode, fi.flags.get(), c), fi);
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("read", path, () -> {
            Handle h = files.get(fi.fh.get());
            if (h == null) throw Errno.EBADF.error("no such open file");
            byte[] tmp = ioBuf.get();
            int want = (int) Math.min(size, tmp.length);
            int total = 0;
            // Never answer short: clients parse what one read() returns.
            while (total < want) {
                int n = h.file().read(offset + total, tmp, total, want - total);
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
            Handle h = files.get(fi.fh.get());
            if (h == null) throw Errno.EBADF.error("no such open file");
            if (size > MAX_READ) throw Errno.EINVAL.error("write too large");
            byte[] data = ioBuf.get();
            buf.get(0, data, 0, (int) size);
            int n = h.file().write(offset, data, (int) size);
            refreshAliases(h.inode(), path);
            return n;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return guard("fsync", path, () -> {
            Handle h = files.get(fi.fh.get());
            if (h != null) h.file().fsync(isdatasync != 0);
            else sb.syncFs(true);
            return 0;
        });
    }

    @Override
    public int fsyncdir(String path, FuseFileInfo fi) {
        return guard("fsyncdir", path, () -> {
            sb.syncFs(true);
            return 0;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return guard("release", path, () -> {
            Handle h = files.remove(fi.fh.get());
            if (h != null) mnt.release(h.file());
            return 0;
        });
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return guard("truncate", path, () -> {
            refreshAliases(VfsOps.setattr(mnt, path, Iattr.size(size), caller()), path);
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return guard("ftruncate", path, () -> {
            Caller c = caller();
            if (mnt.readOnly()) throw Errno.EROFS.error("read-only file system");
            Inode inode = inodeOf(path, fi, c);
            inode.setattr(Iattr.size(size), c);
            refreshAliases(inode, path);
            return 0;
        });
    }

    @Override
    public int mknod(String path, @jnr.ffi.types.mode_t long mode, @jnr.ffi.types.dev_t long rdev) {
        return guard("mknod", path, () -> {
            VfsOps.mknod(mnt, path, (int) mode, rdev, caller());
            return 0;
        });
    }

    @Override
    public int mkdir(String path, @jnr.ffi.types.mode_t long mode) {
        return guard("mkdir", path, () -> {
            VfsOps.mkdir(mnt, path, (int) mode & 07777, caller());
            return 0;
        });
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return guard("symlink", newpath, () -> {
            VfsOps.symlink(mnt, oldpath, newpath, caller());
            return 0;
        });
    }

    @Override
    public int link(String oldpath, String newpath) {
        return guard("link", newpath, () -> {
            refreshAliases(VfsOps.link(mnt, oldpath, newpath, caller()), newpath);
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return guard("unlink", path, () -> {
            refreshAliases(VfsOps.unlink(mnt, path, reader()), path);
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return guard("rmdir", path, () -> {
            VfsOps.rmdir(mnt, path, reader());
            return 0;
        });
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return guard("rename", oldpath, () -> {
            refreshAliases(VfsOps.rename(mnt, oldpath, newpath, reader()), newpath);
            return 0;
        });
    }

    @Override
    public int chmod(String path, @jnr.ffi.types.mode_t long mode) {
        return guard("chmod", path, () -> {
            refreshAliases(VfsOps.setattr(mnt, path, Iattr.mode((int) mode), caller()), path);
            return 0;
        });
    }

    @Override
    public int chown(String path, @jnr.ffi.types.uid_t long uid, @jnr.ffi.types.gid_t long gid) {
        return guard("chown", path, () -> {
            refreshAliases(VfsOps.setattr(mnt, path, Iattr.owner((int) uid, (int) gid), caller()), path);
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return guard("utimens", path, () -> setTimes(path, timespec[0].tv_sec.get(), timespec[0].tv_nsec.longValue(),
                timespec[1].tv_sec.get(), timespec[1].tv_nsec.longValue()));
    }

    /** utimensat's two times (UTIME_NOW and UTIME_OMIT in the nanoseconds) as one setattr. */
    private int setTimes(String path, long aSec, long aNsec, long mSec, long mNsec) {
        Long[] t = new Long[2];
        boolean[] set = new boolean[2];
        long[] sec = {aSec, mSec};
        long[] nsec = {aNsec, mNsec};
        for (int i = 0; i < 2; i++) {
            if (nsec[i] == UTIME_OMIT) continue;
            set[i] = true;
            if (nsec[i] != UTIME_NOW) t[i] = sec[i] * 1_000_000_000L + nsec[i];
        }
        refreshAliases(VfsOps.setattr(mnt, path, Iattr.times(set[0], t[0], set[1], t[1]), caller()), path);
        return 0;
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return guard("statfs", path, () -> {
            Kstatfs s = sb.statfs();
            stbuf.f_bsize.set(s.bsize());
            stbuf.f_frsize.set(s.bsize());
            stbuf.f_blocks.set(s.blocks());
            stbuf.f_bfree.set(s.bfree());
            stbuf.f_bavail.set(s.bavail());
            stbuf.f_files.set(s.files());
            stbuf.f_ffree.set(s.ffree());
            stbuf.f_favail.set(s.ffree());
            stbuf.f_namemax.set(s.namelen());
            return 0;
        });
    }

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        return guard("getxattr", path, () -> {
            Caller c = reader();
            byte[] v = walk(path, c).getxattr(name, c);
            if (size == 0) return v.length;
            if (size < v.length) throw Errno.ERANGE.error("buffer too small");
            value.put(0, v, 0, v.length);
            return v.length;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return guard("listxattr", path, () -> {
            Caller c = reader();
            List<String> names = walk(path, c).listxattr(c);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (String n : names) {
                out.writeBytes(n.getBytes(StandardCharsets.UTF_8));
                out.write(0);
            }
            byte[] b = out.toByteArray();
            if (size == 0) return b.length;
            if (size < b.length) throw Errno.ERANGE.error("buffer too small");
            list.put(0, b, 0, b.length);
            return b.length;
        });
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return guard("setxattr", path, () -> {
            byte[] v = new byte[(int) size];
            value.get(0, v, 0, v.length);
            walk(path, caller()).setxattr(name, v, flags, caller());
            return 0;
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return guard("removexattr", path, () -> {
            walk(path, caller()).removexattr(name, caller());
            return 0;
        });
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
