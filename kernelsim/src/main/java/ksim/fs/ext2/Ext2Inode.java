package ksim.fs.ext2;

import java.util.List;
import ksim.fs.Caller;
import ksim.fs.DirEmitter;
import ksim.fs.File;
import ksim.fs.Iattr;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.kernel.Errno;

/**
 * An ext2 inode in memory (struct ext2_inode_info around struct inode, fs/ext2/ext2.h) with its
 * inode_operations. The on-disk inode (struct ext2_inode) is parsed by read() and written back
 * by write(), which touches only the fields modelled here and keeps the rest of the slot
 * (osd fields, in-inode extended attributes) as it was. The operations themselves live in
 * Ext2Namei (directories), Ext2File (data) and Ext2BlockMap (block map); every entry point
 * takes the filesystem's lock.
 */
final class Ext2Inode implements Inode {
    /** Longest target kept in i_block (fast symlink): 60 bytes with the terminating NUL. */
    static final int FAST_SYMLINK_MAX = 59;
    /** i_flags bits (EXT2_*_FL). */
    static final int IMMUTABLE_FL = 0x10;
    static final int APPEND_FL = 0x20;
    static final int NOATIME_FL = 0x80;
    static final int INDEX_FL = 0x1000;
    static final int TOPDIR_FL = 0x20000;
    /** EXT2_FL_INHERITED: the flags a new inode takes over from its directory. */
    static final int FL_INHERITED = 0x1 | 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x200 | 0x400 | 0x4000 | 0x8000 | 0x10000;

    final Ext2Fs fs;
    final long ino;
    final int group;
    int mode;
    int uid;
    int gid;
    long size;
    int atime, ctime, mtime, dtime, crtime;
    int atimeExtra, ctimeExtra, mtimeExtra, crtimeExtra;
    int linksCount;
    long blocks;
    int flags;
    final int[] block = new int[15];
    int generation;
    long fileAcl;
    int sizeHighRaw;
    int extraIsize;

    /** In-memory only: block allocation hint (ext2_block_alloc_info), open count, directory index. */
    /** The reservation window of a regular file that allocates (ext2_block_alloc_info), or null. */
    Ext2Reservations.Window rsv;
    long lastAllocLogical = -1;
    long lastAllocPhysical;
    int openCount;
    Ext2DirIndex index;
    /** Parent directory as its ".." entry says, -1 until read. */
    long parentIno = -1;

    Ext2Inode(Ext2Fs fs, long ino) {
        this.fs = fs;
        this.ino = ino;
        this.group = (int) ((ino - 1) / fs.inodesPerGroup);
    }

    boolean isDir() {
        return Mode.isDir(mode);
    }

    boolean isReg() {
        return Mode.isReg(mode);
    }

    boolean isLnk() {
        return Mode.isLnk(mode);
    }

    /** ext2_inode_is_fast_symlink: the target lives in i_block (no data blocks besides an EA block). */
    boolean fastSymlink() {
        long ea = fileAcl != 0 ? fs.sectorsPerBlock : 0;
        return isLnk() && blocks - ea == 0;
    }

    /** A device, fifo or socket: i_block holds the device number or nothing, never blocks. */
    boolean special() {
        int t = mode & Mode.S_IFMT;
        return t == Mode.S_IFCHR || t == Mode.S_IFBLK || t == Mode.S_IFIFO || t == Mode.S_IFSOCK;
    }

    /** The inode owns data blocks through i_block. */
    boolean hasBlockMap() {
        return isReg() || isDir() || (isLnk() && !fastSymlink());
    }

    private boolean hasExtra(int fieldEnd) {
        return fs.inodeSize > 128 && extraIsize >= fieldEnd - 128;
    }

    // ------------------------------------------------------------------ on-disk form

    void read(byte[] b, int o) {
        mode = Le.u16(b, o);
        uid = Le.u16(b, o + 0x02) | (Le.u16(b, o + 0x78) << 16);
        gid = Le.u16(b, o + 0x18) | (Le.u16(b, o + 0x7A) << 16);
        long lo = Le.u32(b, o + 0x04);
        sizeHighRaw = Le.i32(b, o + 0x6C);
        size = Mode.isReg(mode) ? lo | ((long) sizeHighRaw << 32) : lo;
        atime = Le.i32(b, o + 0x08);
        ctime = Le.i32(b, o + 0x0C);
        mtime = Le.i32(b, o + 0x10);
        dtime = Le.i32(b, o + 0x14);
        linksCount = Le.u16(b, o + 0x1A);
        blocks = Le.u32(b, o + 0x1C);
        flags = Le.i32(b, o + 0x20);
        for (int i = 0; i < 15; i++) block[i] = Le.i32(b, o + 0x28 + 4 * i);
        generation = Le.i32(b, o + 0x64);
        fileAcl = Le.u32(b, o + 0x68);
        extraIsize = fs.inodeSize > 128 ? Le.u16(b, o + 0x80) : 0;
        if (extraIsize > fs.inodeSize - 128 || (extraIsize & 3) != 0) extraIsize = 0;
        ctimeExtra = hasExtra(0x88) ? Le.i32(b, o + 0x84) : 0;
        mtimeExtra = hasExtra(0x8C) ? Le.i32(b, o + 0x88) : 0;
        atimeExtra = hasExtra(0x90) ? Le.i32(b, o + 0x8C) : 0;
        crtime = hasExtra(0x94) ? Le.i32(b, o + 0x90) : 0;
        crtimeExtra = hasExtra(0x98) ? Le.i32(b, o + 0x94) : 0;
    }

    void write(byte[] b, int o) {
        Le.put16(b, o, mode);
        Le.put16(b, o + 0x02, uid & 0xffff);
        Le.put16(b, o + 0x78, uid >>> 16);
        Le.put16(b, o + 0x18, gid & 0xffff);
        Le.put16(b, o + 0x7A, gid >>> 16);
        Le.put32(b, o + 0x04, size);
        if (Mode.isReg(mode)) Le.put32(b, o + 0x6C, size >>> 32);
        else Le.put32(b, o + 0x6C, sizeHighRaw);
        Le.put32(b, o + 0x08, atime);
        Le.put32(b, o + 0x0C, ctime);
        Le.put32(b, o + 0x10, mtime);
        Le.put32(b, o + 0x14, dtime);
        Le.put16(b, o + 0x1A, linksCount);
        Le.put32(b, o + 0x1C, blocks);
        Le.put32(b, o + 0x20, flags);
        for (int i = 0; i < 15; i++) Le.put32(b, o + 0x28 + 4 * i, block[i]);
        Le.put32(b, o + 0x64, generation);
        Le.put32(b, o + 0x68, fileAcl);
        if (fs.inodeSize > 128) {
            Le.put16(b, o + 0x80, extraIsize);
            if (hasExtra(0x88)) Le.put32(b, o + 0x84, ctimeExtra);
            if (hasExtra(0x8C)) Le.put32(b, o + 0x88, mtimeExtra);
            if (hasExtra(0x90)) Le.put32(b, o + 0x8C, atimeExtra);
            if (hasExtra(0x94)) Le.put32(b, o + 0x90, crtime);
            if (hasExtra(0x98)) Le.put32(b, o + 0x94, crtimeExtra);
        }
    }

    // ------------------------------------------------------------------ times

    long mtimeNs() { return Ext2Time.decode(mtime, mtimeExtra, hasExtra(0x8C)); }
    long atimeNs() { return Ext2Time.decode(atime, atimeExtra, hasExtra(0x90)); }
    long ctimeNs() { return Ext2Time.decode(ctime, ctimeExtra, hasExtra(0x88)); }

    void setMtime(long ns) { mtime = Ext2Time.seconds(ns); mtimeExtra = Ext2Time.extra(ns); }
    void setAtime(long ns) { atime = Ext2Time.seconds(ns); atimeExtra = Ext2Time.extra(ns); }
    void setCtime(long ns) { ctime = Ext2Time.seconds(ns); ctimeExtra = Ext2Time.extra(ns); }
    void setCrtime(long ns) { crtime = Ext2Time.seconds(ns); crtimeExtra = Ext2Time.extra(ns); }

    /** mtime and ctime to now (inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode))). */
    void touchMC() {
        long now = fs.nowNs();
        setMtime(now);
        setCtime(now);
        fs.markDirty(this);
    }

    void touchC() {
        setCtime(fs.nowNs());
        fs.markDirty(this);
    }

    /** relatime (touch_atime): update atime only if it is older than mtime/ctime or a day old. */
    void touchAtime() {
        if ((flags & NOATIME_FL) != 0 || fs.readOnly()) return;
        long now = fs.nowNs();
        long a = atimeNs();
        if (a <= mtimeNs() || a <= ctimeNs() || now - a >= 86_400L * 1_000_000_000L) {
            setAtime(now);
            fs.markDirty(this);
        }
    }

    /** The device number in the kernel's dev_t encoding (new_encode_dev), from i_block[0] or [1]. */
    long rdev() {
        int major;
        int minor;
        if (block[0] != 0) {
            major = (block[0] >>> 8) & 0xff;
            minor = block[0] & 0xff;
        } else {
            int b = block[1];
            major = (b >>> 8) & 0xfff;
            minor = (b & 0xff) | ((b >>> 12) & 0xfff00);
        }
        return (minor & 0xff) | ((long) major << 8) | ((long) (minor & ~0xff) << 12);
    }

    /** ext2's old_valid_dev/new_encode_dev choice when storing a device number. */
    void setRdev(long dev) {
        int major = (int) ((dev & 0xfff00) >>> 8);
        int minor = (int) ((dev & 0xff) | ((dev >>> 12) & 0xfff00));
        if (major < 256 && minor < 256) {
            block[0] = (major << 8) | minor;
            block[1] = 0;
        } else {
            block[0] = 0;
            block[1] = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
            block[2] = 0;
        }
    }

    // ------------------------------------------------------------------ Inode

    @Override
    public InodeAttr getattr() {
        synchronized (fs) {
            return attr();
        }
    }

    InodeAttr attr() {
        return new InodeAttr(ino, mode, linksCount, uid, gid, size, mtimeNs(), atimeNs(), ctimeNs(),
                blocks, special() ? rdev() : 0, fs.blockSize);
    }

    private Ext2Inode dirOnly() {
        if (!isDir()) throw Errno.ENOTDIR.error("not a directory");
        return this;
    }

    @Override
    public Inode lookup(String name, Caller caller) {
        synchronized (fs) {
            return Ext2Namei.lookup(dirOnly(), name);
        }
    }

    @Override
    public void readdir(Caller caller, DirEmitter out) {
        synchronized (fs) {
            Ext2Dir.readdir(fs, dirOnly(), out);
            touchAtime();
        }
    }

    @Override
    public String readlink(Caller caller) {
        synchronized (fs) {
            if (!isLnk()) throw Errno.EINVAL.error("not a symlink");
            touchAtime();
            return Ext2Namei.readSymlink(this);
        }
    }

    @Override
    public File open(int flags, Caller caller) {
        synchronized (fs) {
            if (isDir()) throw Errno.EISDIR.error("is a directory");
            if (!isReg()) throw Errno.ENXIO.error("not a regular file");
            if (OpenFlags.wantsWrite(flags)) {
                fs.checkWritable();
                if ((this.flags & IMMUTABLE_FL) != 0) throw Errno.EPERM.error("immutable file");
            }
            if ((flags & OpenFlags.O_TRUNC) != 0 && OpenFlags.wantsWrite(flags) && size != 0) {
                Ext2BlockMap.setSize(this, 0);
            }
            openCount++;
            return new Ext2File(this, flags, caller);
        }
    }

    @Override
    public Inode mknod(String name, int mode, long rdev, Caller caller) {
        synchronized (fs) {
            return Ext2Namei.mknod(dirOnly(), name, mode, rdev, caller);
        }
    }

    @Override
    public void create(String name, int mode, Caller caller) {
        mknod(name, mode, 0, caller);
    }

    @Override
    public Inode mkdir(String name, int mode, Caller caller) {
        synchronized (fs) {
            return Ext2Namei.mkdir(dirOnly(), name, mode, caller);
        }
    }

    @Override
    public Inode symlink(String name, String target, Caller caller) {
        synchronized (fs) {
            return Ext2Namei.symlink(dirOnly(), name, target, caller);
        }
    }

    @Override
    public Inode link(String name, Inode target, Caller caller) {
        synchronized (fs) {
            if (!(target instanceof Ext2Inode t) || t.fs != fs) throw Errno.EXDEV.error("link across filesystems");
            return Ext2Namei.link(dirOnly(), name, t, caller);
        }
    }

    @Override
    public void unlink(String name, Caller caller) {
        synchronized (fs) {
            Ext2Namei.unlink(dirOnly(), name);
        }
    }

    @Override
    public void remove(String name, Caller caller) {
        unlink(name, caller);
    }

    @Override
    public void rmdir(String name, Caller caller) {
        synchronized (fs) {
            Ext2Namei.rmdir(dirOnly(), name);
        }
    }

    @Override
    public void rename(String oldName, Inode newDir, String newName, Caller caller) {
        synchronized (fs) {
            if (!(newDir instanceof Ext2Inode nd) || nd.fs != fs) throw Errno.EXDEV.error("rename across filesystems");
            Ext2Namei.rename(dirOnly(), oldName, nd.dirOnly(), newName);
        }
    }

    @Override
    public void setattr(Iattr attr, Caller caller) {
        synchronized (fs) {
            Ext2Namei.setattr(this, attr);
        }
    }

    @Override
    public void setattr(Caller caller) {
        throw Errno.EINVAL.error("setattr needs an iattr");
    }

    @Override
    public void truncate(long size) {
        setattr(Iattr.size(size), Caller.KERNEL);
    }

    @Override
    public byte[] getxattr(String name, Caller caller) {
        if (!fs.xattr) throw Errno.ENOSYS.error("extended attributes not enabled (mount with -o user_xattr)");
        synchronized (fs) {
            return Ext2Xattr.get(this, name);
        }
    }

    @Override
    public List<String> listxattr(Caller caller) {
        if (!fs.xattr) throw Errno.ENOSYS.error("extended attributes not enabled (mount with -o user_xattr)");
        synchronized (fs) {
            return Ext2Xattr.list(this);
        }
    }

    @Override
    public void setxattr(String name, byte[] value, int flags, Caller caller) {
        if (!fs.xattr) throw Errno.ENOSYS.error("extended attributes not enabled (mount with -o user_xattr)");
        throw Errno.EOPNOTSUPP.error("setting extended attributes is not supported");
    }

    @Override
    public void removexattr(String name, Caller caller) {
        if (!fs.xattr) throw Errno.ENOSYS.error("extended attributes not enabled (mount with -o user_xattr)");
        throw Errno.EOPNOTSUPP.error("removing extended attributes is not supported");
    }

    @Override
    public String toString() {
        return "ext2 inode " + ino;
    }
}
