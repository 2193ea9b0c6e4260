package ksim.fs.ext2;

import java.nio.charset.StandardCharsets;
import ksim.fs.BufferHead;
import ksim.fs.Caller;
import ksim.fs.Iattr;
import ksim.fs.Mode;
import ksim.kernel.Errno;

/**
 * The directory inode operations of fs/ext2/namei.c (lookup, create, mknod, mkdir, symlink,
 * link, unlink, rmdir, rename), ext2_setattr, symlink bodies, and the end of an inode's life
 * (ext2_evict_inode). Callers hold the filesystem's lock.
 */
final class Ext2Namei {
    private Ext2Namei() {}

    /** A name as it goes on disk: 1 to 255 bytes, no '/' or NUL. */
    static byte[] checkName(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > 255) throw Errno.ENAMETOOLONG.error("name longer than 255 bytes");
        if (b.length == 0 || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) throw Errno.EINVAL.error("invalid name");
        if (name.equals(".") || name.equals("..")) throw Errno.EEXIST.error(name);
        return b;
    }

    /**
     * ext2_lookup. A directory found here must name this directory as its "..": anything else
     * is a directory reachable from two places, a loop in the tree, and is refused with EIO.
     */
    static Ext2Inode lookup(Ext2Inode dir, String name) {
        Ext2Fs fs = dir.fs;
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) throw Errno.ENAMETOOLONG.error("name too long");
        Ext2DirIndex.Slot s = Ext2Dir.find(fs, dir, name);
        if (s == null) throw Errno.ENOENT.error(name);
        if (s.ino == dir.ino) throw fs.error("ext2_lookup", "directory #" + dir.ino + " contains itself as '" + name + "': directory loop");
        Ext2Inode child = fs.iget(s.ino);
        if (child.isDir()) {
            long dd = Ext2Dir.dotdot(fs, child);
            if (dd != dir.ino) {
                throw fs.error("ext2_lookup", "directory #" + child.ino + " ('" + name + "' in #" + dir.ino + ") has '..' = #" + dd
                        + ": directory loop or multiply linked directory");
            }
        }
        return child;
    }

    private static void mustBeAbsent(Ext2Inode dir, String name) {
        if (Ext2Dir.find(dir.fs, dir, name) != null) throw Errno.EEXIST.error(name);
    }

    private static void writableDir(Ext2Inode dir) {
        dir.fs.checkWritable();
        if ((dir.flags & Ext2Inode.IMMUTABLE_FL) != 0) throw Errno.EPERM.error("immutable directory");
        if (dir.linksCount == 0) throw Errno.ENOENT.error("directory was removed");
    }

    /** ext2_create / ext2_mknod. */
    static Ext2Inode mknod(Ext2Inode dir, String name, int mode, long rdev, Caller caller) {
        byte[] nb = checkName(name);
        writableDir(dir);
        mustBeAbsent(dir, name);
        if ((mode & Mode.S_IFMT) == 0) mode |= Mode.S_IFREG;
        if (Mode.isDir(mode) || Mode.isLnk(mode)) throw Errno.EINVAL.error("mknod cannot make directories or symlinks");
        Ext2Inode i = Ext2Ialloc.newInode(dir, mode, caller);
        i.linksCount = 1;
        if (i.special() && ((mode & Mode.S_IFMT) == Mode.S_IFCHR || (mode & Mode.S_IFMT) == Mode.S_IFBLK)) i.setRdev(rdev);
        addOrUndo(dir, name, nb, i, caller);
        return i;
    }

    /** ext2_add_nondir: link the new inode, or drop it again if the directory is full. */
    private static void addOrUndo(Ext2Inode dir, String name, byte[] nb, Ext2Inode i, Caller caller) {
        try {
            Ext2Dir.addLink(dir.fs, dir, name, nb, i.ino, Ext2Dir.ftype(i.mode), caller);
        } catch (ksim.kernel.KernelError e) {
            if (e.errno() != Errno.EIO) {
                i.linksCount = 0;
                evictIfUnused(i);
            }
            throw e;
        }
    }

    static Ext2Inode mkdir(Ext2Inode dir, String name, int mode, Caller caller) {
        byte[] nb = checkName(name);
        writableDir(dir);
        mustBeAbsent(dir, name);
        if (dir.linksCount >= Ext2Fs.LINK_MAX) throw Errno.EMLINK.error("too many links");
        Ext2Inode i = Ext2Ialloc.newInode(dir, Mode.S_IFDIR | (mode & 07777), caller);
        i.linksCount = 2;
        try {
            Ext2Dir.makeEmpty(dir.fs, i, dir.ino, caller);
        } catch (ksim.kernel.KernelError e) {
            if (e.errno() != Errno.EIO) {
                i.linksCount = 0;
                evictIfUnused(i);
            }
            throw e;
        }
        addOrUndo(dir, name, nb, i, caller);
        dir.linksCount++;
        dir.fs.markDirty(dir);
        return i;
    }

    static Ext2Inode symlink(Ext2Inode dir, String name, String target, Caller caller) {
        byte[] nb = checkName(name);
        Ext2Fs fs = dir.fs;
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        if (t.length + 1 > fs.blockSize) throw Errno.ENAMETOOLONG.error("symlink target too long");
        if (t.length == 0) throw Errno.ENOENT.error("empty symlink target");
        writableDir(dir);
        mustBeAbsent(dir, name);
        Ext2Inode i = Ext2Ialloc.newInode(dir, Mode.S_IFLNK | 0777, caller);
        i.linksCount = 1;
        try {
            if (t.length <= Ext2Inode.FAST_SYMLINK_MAX) {
                byte[] raw = new byte[60];
                System.arraycopy(t, 0, raw, 0, t.length);
                for (int k = 0; k < 15; k++) i.block[k] = Le.i32(raw, 4 * k);
            } else {
                boolean[] isNew = new boolean[1];
                long phys = Ext2BlockMap.getBlock(i, 0, caller, isNew);
                BufferHead bh = fs.bc.getblkZeroed(phys);
                System.arraycopy(t, 0, bh.data, 0, t.length);
                fs.bc.markDirty(bh);
            }
            i.size = t.length;
            fs.markDirty(i);
        } catch (ksim.kernel.KernelError e) {
            if (e.errno() != Errno.EIO) {
                i.linksCount = 0;
                evictIfUnused(i);
            }
            throw e;
        }
        addOrUndo(dir, name, nb, i, caller);
        return i;
    }

    /** The target of a symlink, from i_block (fast) or its data block (slow). */
    static String readSymlink(Ext2Inode i) {
        Ext2Fs fs = i.fs;
        int len = (int) i.size;
        if (i.fastSymlink()) {
            byte[] raw = new byte[60];
            for (int k = 0; k < 15; k++) Le.put32(raw, 4 * k, i.block[k]);
            return new String(raw, 0, Math.min(len, 60), StandardCharsets.UTF_8);
        }
        long phys = Ext2BlockMap.bmap(i, 0);
        if (phys == 0) throw fs.error("ext2_get_link", "symlink inode " + i.ino + " has no data block");
        byte[] b = fs.bc.bread(phys).data;
        return new String(b, 0, Math.min(len, fs.blockSize), StandardCharsets.UTF_8);
    }

    static Ext2Inode link(Ext2Inode dir, String name, Ext2Inode target, Caller caller) {
        byte[] nb = checkName(name);
        writableDir(dir);
        mustBeAbsent(dir, name);
        if (target.isDir()) throw Errno.EPERM.error("hard link to a directory");
        if ((target.flags & (Ext2Inode.IMMUTABLE_FL | Ext2Inode.APPEND_FL)) != 0) throw Errno.EPERM.error("immutable or append-only");
        if (target.linksCount == 0) throw Errno.ENOENT.error("target was removed");
        if (target.linksCount >= Ext2Fs.LINK_MAX) throw Errno.EMLINK.error("too many links");
        Ext2Dir.addLink(dir.fs, dir, name, nb, target.ino, Ext2Dir.ftype(target.mode), caller);
        target.linksCount++;
        target.touchC();
        return target;
    }

    private static Ext2DirIndex.Slot existing(Ext2Inode dir, String name) {
        Ext2DirIndex.Slot s = Ext2Dir.find(dir.fs, dir, name);
        if (s == null) throw Errno.ENOENT.error(name);
        return s;
    }

    private static void deletable(Ext2Inode dir, Ext2Inode victim) {
        if ((victim.flags & (Ext2Inode.IMMUTABLE_FL | Ext2Inode.APPEND_FL)) != 0) throw Errno.EPERM.error("immutable or append-only");
        if ((dir.flags & Ext2Inode.APPEND_FL) != 0) throw Errno.EPERM.error("append-only directory");
    }

    static void unlink(Ext2Inode dir, String name) {
        writableDir(dir);
        Ext2DirIndex.Slot s = existing(dir, name);
        Ext2Inode i = dir.fs.iget(s.ino);
        if (i.isDir()) throw Errno.EISDIR.error(name + " is a directory");
        deletable(dir, i);
        Ext2Dir.deleteEntry(dir.fs, dir, name, s);
        i.setCtime(dir.ctimeNs());
        dropLink(i);
    }

    static void rmdir(Ext2Inode dir, String name) {
        writableDir(dir);
        Ext2DirIndex.Slot s = existing(dir, name);
        Ext2Inode i = dir.fs.iget(s.ino);
        if (!i.isDir()) throw Errno.ENOTDIR.error(name + " is not a directory");
        deletable(dir, i);
        if (!Ext2Dir.isEmpty(dir.fs, i)) throw Errno.ENOTEMPTY.error(name + " is not empty");
        Ext2Dir.deleteEntry(dir.fs, dir, name, s);
        i.setCtime(dir.ctimeNs());
        i.linksCount = 0;
        dir.linksCount--;
        dir.fs.markDirty(dir);
        evictIfUnused(i);
    }

    private static void dropLink(Ext2Inode i) {
        if (i.linksCount > 0) i.linksCount--;
        i.fs.markDirty(i);
        evictIfUnused(i);
    }

    /** True if dir is ancestor or the same as the directory at ino (following ".." to the root). */
    private static boolean isAncestorOrSelf(Ext2Fs fs, Ext2Inode dir, long ino) {
        long at = ino;
        for (int depth = 0; depth < 1 << 16; depth++) {
            if (at == dir.ino) return true;
            if (at == Ext2Fs.ROOT_INO) return false;
            at = Ext2Dir.dotdot(fs, fs.iget(at));
        }
        throw fs.error("ext2_rename", "directory loop above inode " + ino);
    }

    /** ext2_rename without flags. */
    static void rename(Ext2Inode oldDir, String oldName, Ext2Inode newDir, String newName) {
        Ext2Fs fs = oldDir.fs;
        byte[] nb = checkName(newName);
        writableDir(oldDir);
        writableDir(newDir);
        Ext2DirIndex.Slot os = existing(oldDir, oldName);
        Ext2Inode old = fs.iget(os.ino);
        deletable(oldDir, old);
        Ext2DirIndex.Slot ns = Ext2Dir.find(fs, newDir, newName);
        if (ns != null && ns.ino == os.ino) return;
        boolean isDir = old.isDir();
        if (isDir && isAncestorOrSelf(fs, old, newDir.ino)) throw Errno.EINVAL.error("cannot move a directory below itself");
        Ext2Inode target = null;
        if (ns != null) {
            target = fs.iget(ns.ino);
            if (target.isDir() && isAncestorOrSelf(fs, target, oldDir.ino)) {
                throw Errno.ENOTEMPTY.error("the target is a directory above the source");
            }
            if (isDir && !target.isDir()) throw Errno.ENOTDIR.error(newName + " is not a directory");
            if (!isDir && target.isDir()) throw Errno.EISDIR.error(newName + " is a directory");
            if (target.isDir() && !Ext2Dir.isEmpty(fs, target)) throw Errno.ENOTEMPTY.error(newName + " is not empty");
            deletable(newDir, target);
            Ext2Dir.setLink(fs, newDir, ns, old.ino, Ext2Dir.ftype(old.mode), true);
            target.touchC();
            if (isDir) target.linksCount = 0;
            else if (target.linksCount > 0) target.linksCount--;
            fs.markDirty(target);
        } else {
            if (isDir && newDir != oldDir && newDir.linksCount >= Ext2Fs.LINK_MAX) throw Errno.EMLINK.error("too many links");
            Ext2Dir.addLink(fs, newDir, newName, nb, old.ino, Ext2Dir.ftype(old.mode), ksim.fs.Caller.KERNEL);
            if (isDir) {
                newDir.linksCount++;
                fs.markDirty(newDir);
            }
        }
        old.touchC();
        Ext2Dir.deleteEntry(fs, oldDir, oldName, existing(oldDir, oldName));
        if (isDir) {
            if (oldDir != newDir) Ext2Dir.setDotdot(fs, old, newDir.ino);
            oldDir.linksCount--;
            fs.markDirty(oldDir);
        }
        if (target != null) evictIfUnused(target);
    }

    /** ext2_setattr: size through ext2_setsize, then owner, mode and times; ctime moves with any change. */
    static void setattr(Ext2Inode i, Iattr a) {
        Ext2Fs fs = i.fs;
        fs.checkWritable();
        if ((i.flags & Ext2Inode.IMMUTABLE_FL) != 0) throw Errno.EPERM.error("immutable file");
        if (a.has(Iattr.ATTR_SIZE)) {
            if (i.isDir()) throw Errno.EISDIR.error("is a directory");
            if (!i.isReg()) throw Errno.EINVAL.error("not a regular file");
            if ((i.flags & Ext2Inode.APPEND_FL) != 0 && a.size() < i.size) throw Errno.EPERM.error("append-only file");
            Ext2BlockMap.setSize(i, a.size());
        }
        long now = fs.nowNs();
        boolean changed = a.has(Iattr.ATTR_SIZE);
        if (a.has(Iattr.ATTR_UID)) {
            i.uid = a.uid();
            changed = true;
        }
        if (a.has(Iattr.ATTR_GID)) {
            i.gid = a.gid();
            changed = true;
        }
        if (a.has(Iattr.ATTR_MODE)) {
            i.mode = (i.mode & Mode.S_IFMT) | (a.mode() & 07777);
            changed = true;
        }
        if (a.has(Iattr.ATTR_ATIME)) {
            i.setAtime(a.has(Iattr.ATTR_ATIME_SET) ? a.atimeNs() : now);
            changed = true;
        }
        if (a.has(Iattr.ATTR_MTIME)) {
            i.setMtime(a.has(Iattr.ATTR_MTIME_SET) ? a.mtimeNs() : now);
            changed = true;
        }
        if (changed) i.setCtime(now);
        fs.markDirty(i);
    }

    /**
     * ext2_evict_inode for an inode with no names left and no open file: dtime set, blocks
     * freed (not a fast symlink's or a device's i_block), extended attribute block released,
     * inode bit cleared.
     */
    static void evictIfUnused(Ext2Inode i) {
        if (i.linksCount > 0 || i.openCount > 0) return;
        Ext2Fs fs = i.fs;
        i.dtime = (int) fs.nowSec();
        if (i.hasBlockMap() && i.blocks > 0) Ext2BlockMap.truncateBlocks(i, 0);
        i.size = 0;
        Ext2Xattr.deleteInode(i);
        fs.writeInode(i);
        Ext2Ialloc.freeInode(i);
        fs.icacheRemove(i);
    }
}
