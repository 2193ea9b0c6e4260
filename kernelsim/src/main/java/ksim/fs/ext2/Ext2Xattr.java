package ksim.fs.ext2;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import ksim.fs.BufferHead;
import ksim.kernel.Errno;

/**
 * Extended attributes (fs/ext2/xattr.c, and the in-inode area of large inodes that ext4 and
 * e2fsprogs write): read from the inode body after i_extra_isize and from the block named by
 * i_file_acl, never rewritten; when an inode is deleted its attribute block loses a reference
 * and is freed at zero (ext2_xattr_delete_inode). POSIX ACLs are stored in a binary form of
 * their own and are not offered here.
 */
final class Ext2Xattr {
    static final int MAGIC = 0xEA020000;
    private static final String[] PREFIX = {null, "user.", null, null, "trusted.", null, "security.", "system.", null};

    private Ext2Xattr() {}

    private record Entry(String name, byte[] value) {}

    private static List<Entry> entries(Ext2Inode i) {
        List<Entry> out = new ArrayList<>();
        Ext2Fs fs = i.fs;
        // in-inode: magic right after the extra fields, values relative to the first entry
        if (fs.inodeSize > 128 + i.extraIsize + 4) {
            BufferHead bh = fs.bc.bread(fs.inodeBlock(i.ino));
            int base = fs.inodeOffset(i.ino);
            int start = base + 128 + i.extraIsize;
            int end = base + fs.inodeSize;
            if (Le.i32(bh.data, start) == MAGIC) parse(fs, i, bh.data, start + 4, end, start + 4, out);
        }
        if (i.fileAcl != 0) {
            if (!fs.validDataBlock(i.fileAcl) || fs.isSystemBlock(i.fileAcl)) {
                throw fs.error("ext2_xattr_get", "inode " + i.ino + ": bad extended attribute block " + i.fileAcl);
            }
            byte[] b = fs.bc.bread(i.fileAcl).data;
            if (Le.i32(b, 0) != MAGIC || Le.i32(b, 8) != 1) {
                throw fs.error("ext2_xattr_get", "inode " + i.ino + ": bad block " + i.fileAcl);
            }
            parse(fs, i, b, 32, fs.blockSize, 0, out);
        }
        return out;
    }

    private static void parse(Ext2Fs fs, Ext2Inode i, byte[] b, int pos, int end, int valueBase, List<Entry> out) {
        while (pos + 4 <= end && Le.i32(b, pos) != 0) {
            if (pos + 16 > end) throw fs.error("ext2_xattr_get", "inode " + i.ino + ": attribute entry past its area");
            int nlen = Le.u8(b, pos);
            int index = Le.u8(b, pos + 1);
            int voff = Le.u16(b, pos + 2);
            long vsize = Le.u32(b, pos + 8);
            if (pos + 16 + nlen > end || valueBase + voff + vsize > end && Le.i32(b, pos + 4) == 0) {
                throw fs.error("ext2_xattr_get", "inode " + i.ino + ": attribute entry out of bounds");
            }
            String name = new String(b, pos + 16, nlen, StandardCharsets.UTF_8);
            String prefix = index < PREFIX.length ? PREFIX[index] : null;
            if (prefix != null && Le.i32(b, pos + 4) == 0) {
                int v = valueBase + voff;
                out.add(new Entry(prefix + name, Arrays.copyOfRange(b, v, (int) (v + vsize))));
            }
            pos += (16 + nlen + 3) & ~3;
        }
    }

    static byte[] get(Ext2Inode i, String name) {
        for (Entry e : entries(i)) if (e.name().equals(name)) return e.value();
        throw Errno.ENODATA.error(name);
    }

    static List<String> list(Ext2Inode i) {
        List<String> names = new ArrayList<>();
        for (Entry e : entries(i)) names.add(e.name());
        return names;
    }

    /** ext2_xattr_delete_inode: drop the block reference; free the block when it was the last. */
    static void deleteInode(Ext2Inode i) {
        if (i.fileAcl == 0) return;
        Ext2Fs fs = i.fs;
        long blk = i.fileAcl;
        if (!fs.validDataBlock(blk) || fs.isSystemBlock(blk)) {
            throw fs.error("ext2_xattr_delete_inode", "inode " + i.ino + ": bad extended attribute block " + blk);
        }
        BufferHead bh = fs.bc.bread(blk);
        if (Le.i32(bh.data, 0) != MAGIC || Le.i32(bh.data, 8) != 1) {
            throw fs.error("ext2_xattr_delete_inode", "inode " + i.ino + ": bad block " + blk);
        }
        long refs = Le.u32(bh.data, 4);
        if (refs <= 1) {
            Ext2Balloc.freeBlocks(fs, blk, 1);
        } else {
            Le.put32(bh.data, 4, refs - 1);
            fs.bc.markDirty(bh);
        }
        i.blocks -= fs.sectorsPerBlock;
        i.fileAcl = 0;
        fs.markDirty(i);
    }
}
