package ksim.fuse;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import ksim.fs.InodeAttr;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * struct stat, struct fuse_file_info and struct fuse_context written and read in place, without building jnr-fuse's
 * Struct wrapper objects (a dozen member objects per call). The offsets are those of jnr-fuse's
 * own layouts, read once; struct stat is written this way only where that layout is the one
 * assumed here (x86_64 glibc), otherwise callers keep using the wrappers.
 */
final class RawStructs {
    /** x86_64 glibc struct stat, checked against jnr-fuse's FileStat at class initialisation. */
    static final int ST_INO = 8, ST_NLINK = 16, ST_MODE = 24, ST_UID = 28, ST_GID = 32, ST_RDEV = 40,
            ST_SIZE = 48, ST_BLKSIZE = 56, ST_BLOCKS = 64, ST_ATIM = 72, ST_MTIM = 88, ST_CTIM = 104;

    static final boolean STAT_OK;
    static final long FI_FLAGS;
    static final long FI_FH;
    /** Offsets of uid, gid and pid in struct fuse_context, or -1. */
    static final long CTX_UID;
    static final long CTX_GID;
    static final long CTX_PID;
    private static final com.kenai.jffi.MemoryIO IO = com.kenai.jffi.MemoryIO.getInstance();

    /** libfuse's fuse_get_context, bound to return the bare pointer. */
    public interface LibFuseContext {
        Pointer fuse_get_context();
    }

    private static final LibFuseContext CTX;

    static {
        long flags = -1;
        long fh = -1;
        long uid = -1;
        long gid = -1;
        long pid = -1;
        boolean stat = false;
        try {
            Method offset = Class.forName("jnr.ffi.Struct$Member").getDeclaredMethod("offset");
            offset.setAccessible(true);
            Runtime rt = Runtime.getSystemRuntime();
            FuseContext ctx = FuseContext.of(Memory.allocateDirect(rt, 256));
            uid = (Long) offset.invoke(ctx.uid);
            gid = (Long) offset.invoke(ctx.gid);
            pid = (Long) offset.invoke(ctx.pid);
            FuseFileInfo fi = FuseFileInfo.of(Memory.allocateDirect(rt, 256));
            flags = (Long) offset.invoke(fi.flags);
            fh = (Long) offset.invoke(fi.fh);
            // write distinct values through jnr-fuse's FileStat and look for them where assumed
            Pointer mem = Memory.allocateDirect(rt, Struct.size(new FileStat(rt)));
            FileStat st = FileStat.of(mem);
            st.st_ino.set(0x0101010101L);
            st.st_nlink.set(0x0202L);
            st.st_mode.set(0x0303);
            st.st_uid.set(0x0404);
            st.st_gid.set(0x0505);
            st.st_rdev.set(0x0606L);
            st.st_size.set(0x0707070707L);
            st.st_blksize.set(0x0808);
            st.st_blocks.set(0x0909L);
            st.st_atim.tv_sec.set(0x0a0aL);
            st.st_atim.tv_nsec.set(0x0b0bL);
            st.st_mtim.tv_sec.set(0x0c0cL);
            st.st_mtim.tv_nsec.set(0x0d0dL);
            st.st_ctim.tv_sec.set(0x0e0eL);
            st.st_ctim.tv_nsec.set(0x0f0fL);
            String arch = System.getProperty("os.arch");
            stat = ("amd64".equals(arch) || "x86_64".equals(arch))
                    && mem.getLong(ST_INO) == 0x0101010101L && mem.getLong(ST_NLINK) == 0x0202L
                    && mem.getInt(ST_MODE) == 0x0303 && mem.getInt(ST_UID) == 0x0404 && mem.getInt(ST_GID) == 0x0505
                    && mem.getLong(ST_RDEV) == 0x0606L && mem.getLong(ST_SIZE) == 0x0707070707L
                    && mem.getLong(ST_BLKSIZE) == 0x0808 && mem.getLong(ST_BLOCKS) == 0x0909L
                    && mem.getLong(ST_ATIM) == 0x0a0aL && mem.getLong(ST_ATIM + 8) == 0x0b0bL
                    && mem.getLong(ST_MTIM) == 0x0c0cL && mem.getLong(ST_MTIM + 8) == 0x0d0dL
                    && mem.getLong(ST_CTIM) == 0x0e0eL && mem.getLong(ST_CTIM + 8) == 0x0f0fL;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            stat = false;
        }
        FI_FLAGS = flags;
        FI_FH = fh;
        LibFuseContext lib = null;
        try {
            lib = jnr.ffi.LibraryLoader.create(LibFuseContext.class).load("fuse");
        } catch (RuntimeException | LinkageError e) {
            uid = -1;
        }
        CTX = lib;
        CTX_UID = uid;
        CTX_GID = gid;
        CTX_PID = pid;
        STAT_OK = stat;
    }

    private RawStructs() {}

    static boolean contextOk() {
        return CTX != null && CTX_UID >= 0 && CTX_GID >= 0 && CTX_PID >= 0;
    }

    /** The calling thread's struct fuse_context (valid inside a request callback). */
    static Pointer context() {
        return CTX.fuse_get_context();
    }

    static boolean fileInfoOk() {
        return FI_FLAGS >= 0 && FI_FH >= 0;
    }

    static void fillStat(Pointer p, InodeAttr a) {
        p.putLong(ST_INO, a.ino());
        p.putLong(ST_NLINK, a.nlink());
        p.putInt(ST_MODE, a.mode());
        p.putInt(ST_UID, a.uid());
        p.putInt(ST_GID, a.gid());
        p.putLong(ST_RDEV, a.rdev());
        p.putLong(ST_SIZE, a.size());
        p.putLong(ST_BLKSIZE, a.blksize());
        p.putLong(ST_BLOCKS, a.blocks());
        putTime(p, ST_ATIM, a.atimeNs());
        putTime(p, ST_MTIM, a.mtimeNs());
        putTime(p, ST_CTIM, a.ctimeNs());
    }

    private static void putTime(Pointer p, int off, long ns) {
        p.putLong(off, Math.floorDiv(ns, 1_000_000_000L));
        p.putLong(off + 8, Math.floorMod(ns, 1_000_000_000L));
    }

    static long fh(Pointer fi) {
        return fi.getLong(FI_FH);
    }

    static void setFh(Pointer fi, long fh) {
        fi.putLong(FI_FH, fh);
    }

    static int flags(Pointer fi) {
        return fi.getInt(FI_FLAGS);
    }

    /** The native memory behind p as a direct ByteBuffer of len bytes (no copy). */
    static ByteBuffer buffer(Pointer p, int len) {
        return IO.newDirectByteBuffer(p.address(), len);
    }
}
