package ksim.fs.ext2;

import java.nio.charset.StandardCharsets;
import ksim.fs.BufferHead;
import ksim.fs.Caller;
import ksim.fs.DirEmitter;
import ksim.fs.Mode;

/**
 * Linear directories (fs/ext2/dir.c): blocks of struct ext2_dir_entry_2 (inode, rec_len,
 * name_len, file_type, name), every block validated once when read (ext2_check_page), entries
 * added into the first block with room (ext2_add_link), removed by merging into the previous
 * entry (ext2_delete_entry), repointed (ext2_set_link). Any change clears EXT2_INDEX_FL, as
 * fs/ext2 does, so an htree index left by another driver is never stale; reading ignores it
 * since every entry is also in the linear chain.
 */
final class Ext2Dir {
    static final int FT_UNKNOWN = 0;
    static final int FT_REG = 1;
    static final int FT_DIR = 2;

    private Ext2Dir() {}

    /** The EXT2_FT_* of a mode. */
    static int ftype(int mode) {
        switch (mode & Mode.S_IFMT) {
            case Mode.S_IFREG: return 1;
            case Mode.S_IFDIR: return 2;
            case Mode.S_IFCHR: return 3;
            case Mode.S_IFBLK: return 4;
            case Mode.S_IFIFO: return 5;
            case Mode.S_IFSOCK: return 6;
            case Mode.S_IFLNK: return 7;
            default: return 0;
        }
    }

    /** The mode type bits of an EXT2_FT_*, 0 when unknown. */
    static int modeOf(int ftype) {
        switch (ftype) {
            case 1: return Mode.S_IFREG;
            case 2: return Mode.S_IFDIR;
            case 3: return Mode.S_IFCHR;
            case 4: return Mode.S_IFBLK;
            case 5: return Mode.S_IFIFO;
            case 6: return Mode.S_IFSOCK;
            case 7: return Mode.S_IFLNK;
            default: return 0;
        }
    }

    static int recLen(byte[] b, int off, int bs) {
        int v = Le.u16(b, off + 4);
        if (bs == 65536 && (v == 65535 || v == 0)) return 65536;
        return v;
    }

    private static void setRecLen(byte[] b, int off, int len) {
        Le.put16(b, off + 4, len == 65536 ? 65535 : len);
    }

    private static void writeEntry(Ext2Fs fs, byte[] b, int off, long ino, int recLen, byte[] name, int ftype) {
        Le.put32(b, off, ino);
        setRecLen(b, off, recLen);
        Le.put8(b, off + 6, name.length);
        Le.put8(b, off + 7, fs.filetype ? ftype : 0);
        System.arraycopy(name, 0, b, off + 8, name.length);
    }

    // ------------------------------------------------------------------ reading blocks

    /** ext2_get_page: a directory block, validated the first time it is read. */
    static BufferHead block(Ext2Fs fs, Ext2Inode dir, int lblk) {
        long phys = Ext2BlockMap.bmap(dir, lblk);
        if (phys == 0) throw fs.error("ext2_get_page", "directory #" + dir.ino + " has a hole at block " + lblk);
        BufferHead bh = fs.bc.bread(phys);
        if (!bh.checked()) {
            check(fs, dir, lblk, bh);
            bh.setChecked(true);
        }
        return bh;
    }

    /** ext2_check_page. */
    private static void check(Ext2Fs fs, Ext2Inode dir, int lblk, BufferHead bh) {
        int bs = fs.blockSize;
        byte[] b = bh.data;
        int off = 0;
        while (off < bs) {
            String bad = null;
            int rec = 0;
            int nlen = 0;
            long ino = 0;
            if (off + 8 > bs) {
                bad = "directory entry across blocks";
            } else {
                rec = recLen(b, off, bs);
                nlen = Le.u8(b, off + 6);
                ino = Le.u32(b, off);
                if (rec < Ext2Layout.dirRecLen(1)) bad = "rec_len is smaller than minimal";
                else if ((rec & 3) != 0) bad = "unaligned directory entry";
                else if (rec < Ext2Layout.dirRecLen(nlen)) bad = "rec_len is too small for name_len";
                else if (off + rec > bs) bad = "directory entry across blocks";
                else if (ino > fs.inodesCount) bad = "inode out of bounds";
            }
            if (bad != null) {
                throw fs.error("ext2_check_page", "bad entry in directory #" + dir.ino + ": " + bad + " - offset="
                        + ((long) lblk * bs + off) + ", inode=" + ino + ", rec_len=" + rec + ", name_len=" + nlen);
            }
            off += rec;
        }
    }

    private static int room(byte[] b, int bs) {
        int best = 0;
        for (int off = 0; off < bs; ) {
            int rec = recLen(b, off, bs);
            int free = Le.u32(b, off) == 0 ? rec : rec - Ext2Layout.dirRecLen(Le.u8(b, off + 6));
            if (free > best) best = free;
            off += rec;
        }
        return best;
    }

    private static boolean isDot(byte[] b, int off, int nlen) {
        return (nlen == 1 && b[off + 8] == '.') || (nlen == 2 && b[off + 8] == '.' && b[off + 9] == '.');
    }

    static String name(byte[] b, int off, int nlen) {
        return new String(b, off + 8, nlen, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ the index

    /** The directory's hash index, built by one scan of its blocks if it is not in memory. */
    static Ext2DirIndex index(Ext2Fs fs, Ext2Inode dir) {
        if (dir.index != null) {
            fs.indexTouched(dir, 0);
            return dir.index;
        }
        int bs = fs.blockSize;
        int nblocks = (int) (dir.size / bs);
        Ext2DirIndex idx = new Ext2DirIndex(nblocks, nblocks * 16);
        for (int lblk = 0; lblk < nblocks; lblk++) {
            byte[] b = block(fs, dir, lblk).data;
            for (int off = 0; off < bs; ) {
                int rec = recLen(b, off, bs);
                long ino = Le.u32(b, off);
                int nlen = Le.u8(b, off + 6);
                if (ino != 0 && !isDot(b, off, nlen)) {
                    int ft = fs.filetype ? Le.u8(b, off + 7) : FT_UNKNOWN;
                    idx.names.putIfAbsent(name(b, off, nlen), new Ext2DirIndex.Slot(lblk, off, ino, ft));
                }
                off += rec;
            }
            idx.room[lblk] = room(b, bs);
        }
        dir.index = idx;
        fs.indexBuilt(dir, idx.size());
        return idx;
    }

    static Ext2DirIndex.Slot find(Ext2Fs fs, Ext2Inode dir, String name) {
        return index(fs, dir).names.get(name);
    }

    // ------------------------------------------------------------------ readdir

    /** ext2_readdir: every live entry in disk order, typed when the filesystem records types. */
    static void readdir(Ext2Fs fs, Ext2Inode dir, DirEmitter out) {
        int bs = fs.blockSize;
        int nblocks = (int) (dir.size / bs);
        for (int lblk = 0; lblk < nblocks; lblk++) {
            byte[] b = block(fs, dir, lblk).data;
            for (int off = 0; off < bs; ) {
                int rec = recLen(b, off, bs);
                long ino = Le.u32(b, off);
                if (ino != 0) {
                    int nlen = Le.u8(b, off + 6);
                    int mode = fs.filetype ? modeOf(Le.u8(b, off + 7)) : 0;
                    if (!out.emit(name(b, off, nlen), ino, mode)) return;
                }
                off += rec;
            }
        }
    }

    // ------------------------------------------------------------------ changes

    private static void changed(Ext2Inode dir, boolean times) {
        dir.flags &= ~Ext2Inode.INDEX_FL;
        if (times) dir.touchMC();
        else dir.fs.markDirty(dir);
    }

    /** ext2_add_link: name -> ino in the first block with room, or in a new block at the end. */
    static void addLink(Ext2Fs fs, Ext2Inode dir, String name, byte[] nameBytes, long ino, int ftype, Caller caller) {
        int bs = fs.blockSize;
        int need = Ext2Layout.dirRecLen(nameBytes.length);
        Ext2DirIndex idx = index(fs, dir);
        for (int lblk = 0; lblk < idx.nblocks; lblk++) {
            if (idx.room[lblk] < need) continue;
            BufferHead bh = block(fs, dir, lblk);
            int at = insert(fs, bh.data, need, ino, nameBytes, ftype);
            idx.room[lblk] = room(bh.data, bs);
            if (at < 0) continue;
            fs.bc.markDirty(bh);
            idx.names.put(name, new Ext2DirIndex.Slot(lblk, at, ino, ftype));
            fs.indexTouched(dir, 1);
            changed(dir, true);
            return;
        }
        int lblk = idx.nblocks;
        boolean[] isNew = new boolean[1];
        long phys = Ext2BlockMap.getBlock(dir, lblk, caller, isNew);
        BufferHead bh = fs.bc.getblkZeroed(phys);
        setRecLen(bh.data, 0, bs);
        bh.setChecked(true);
        dir.size += bs;
        int at = insert(fs, bh.data, need, ino, nameBytes, ftype);
        fs.bc.markDirty(bh);
        idx.addBlock(room(bh.data, bs));
        idx.names.put(name, new Ext2DirIndex.Slot(lblk, at, ino, ftype));
        fs.indexTouched(dir, 1);
        changed(dir, true);
    }

    /** Puts the entry into the first fitting gap of the block; its offset, or -1. */
    private static int insert(Ext2Fs fs, byte[] b, int need, long ino, byte[] name, int ftype) {
        int bs = fs.blockSize;
        for (int off = 0; off < bs; ) {
            int rec = recLen(b, off, bs);
            if (Le.u32(b, off) == 0 && rec >= need) {
                writeEntry(fs, b, off, ino, rec, name, ftype);
                return off;
            }
            int used = Ext2Layout.dirRecLen(Le.u8(b, off + 6));
            if (Le.u32(b, off) != 0 && rec - used >= need) {
                setRecLen(b, off, used);
                writeEntry(fs, b, off + used, ino, rec - used, name, ftype);
                return off + used;
            }
            off += rec;
        }
        return -1;
    }

    /** ext2_delete_entry: the entry merges into the one before it, or is emptied if first in its block. */
    static void deleteEntry(Ext2Fs fs, Ext2Inode dir, String name, Ext2DirIndex.Slot slot) {
        int bs = fs.blockSize;
        BufferHead bh = block(fs, dir, slot.lblk);
        byte[] b = bh.data;
        int prev = -1;
        int off = 0;
        while (off < slot.off) {
            prev = off;
            off += recLen(b, off, bs);
        }
        if (off != slot.off || Le.u32(b, off) != slot.ino) {
            throw fs.error("ext2_delete_entry", "directory #" + dir.ino + " changed under its index at " + name);
        }
        if (prev >= 0) setRecLen(b, prev, recLen(b, prev, bs) + recLen(b, off, bs));
        Le.put32(b, off, 0);
        fs.bc.markDirty(bh);
        Ext2DirIndex idx = index(fs, dir);
        idx.room[slot.lblk] = room(b, bs);
        idx.names.remove(name);
        fs.indexTouched(dir, -1);
        changed(dir, true);
    }

    /** ext2_set_link: the entry at slot now names ino. */
    static void setLink(Ext2Fs fs, Ext2Inode dir, Ext2DirIndex.Slot slot, long ino, int ftype, boolean times) {
        BufferHead bh = block(fs, dir, slot.lblk);
        Le.put32(bh.data, slot.off, ino);
        Le.put8(bh.data, slot.off + 7, fs.filetype ? ftype : 0);
        fs.bc.markDirty(bh);
        slot.ino = ino;
        slot.ftype = ftype;
        changed(dir, times);
    }

    /** ext2_make_empty: the first block of a new directory, "." and "..". */
    static void makeEmpty(Ext2Fs fs, Ext2Inode dir, long parentIno, Caller caller) {
        int bs = fs.blockSize;
        boolean[] isNew = new boolean[1];
        long phys = Ext2BlockMap.getBlock(dir, 0, caller, isNew);
        BufferHead bh = fs.bc.getblkZeroed(phys);
        writeEntry(fs, bh.data, 0, dir.ino, 12, new byte[] {'.'}, FT_DIR);
        writeEntry(fs, bh.data, 12, parentIno, bs - 12, new byte[] {'.', '.'}, FT_DIR);
        bh.setChecked(true);
        fs.bc.markDirty(bh);
        dir.size = bs;
        dir.parentIno = parentIno;
        Ext2DirIndex idx = new Ext2DirIndex(0, 0);
        idx.addBlock(bs - 24);
        dir.index = idx;
        fs.indexBuilt(dir, 0);
        fs.markDirty(dir);
    }

    /** The offset of ".." in block 0 after checking "." (ext2_dotdot). */
    private static int dotdotOffset(Ext2Fs fs, Ext2Inode dir, byte[] b) {
        int rec0 = recLen(b, 0, fs.blockSize);
        boolean ok = Le.u8(b, 6) == 1 && b[8] == '.' && Le.u32(b, 0) == dir.ino && rec0 + 12 <= fs.blockSize
                && Le.u8(b, rec0 + 6) == 2 && b[rec0 + 8] == '.' && b[rec0 + 9] == '.';
        if (!ok) throw fs.error("ext2_dotdot", "directory #" + dir.ino + " does not start with '.' and '..'");
        return rec0;
    }

    /** The inode number in the directory's ".." entry. */
    static long dotdot(Ext2Fs fs, Ext2Inode dir) {
        if (dir.parentIno >= 0) return dir.parentIno;
        byte[] b = block(fs, dir, 0).data;
        long p = Le.u32(b, dotdotOffset(fs, dir, b));
        dir.parentIno = p;
        return p;
    }

    static void setDotdot(Ext2Fs fs, Ext2Inode dir, long parentIno) {
        BufferHead bh = block(fs, dir, 0);
        int off = dotdotOffset(fs, dir, bh.data);
        Le.put32(bh.data, off, parentIno);
        Le.put8(bh.data, off + 7, fs.filetype ? FT_DIR : 0);
        fs.bc.markDirty(bh);
        dir.parentIno = parentIno;
        changed(dir, false);
    }

    /** ext2_empty_dir: nothing but "." and "..". */
    static boolean isEmpty(Ext2Fs fs, Ext2Inode dir) {
        return index(fs, dir).size() == 0;
    }
}
