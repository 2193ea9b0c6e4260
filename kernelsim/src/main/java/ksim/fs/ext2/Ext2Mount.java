package ksim.fs.ext2;

import ksim.fs.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of ext2_fill_super and ext2_check_descriptors, and those of ext2_iget on each
 * inode read: what makes an image unusable (refused at mount, nothing written) or an inode
 * damaged (EIO, and the filesystem stops writing).
 */
final class Ext2Mount {
    private static final Logger log = LoggerFactory.getLogger(Ext2Mount.class);

    private Ext2Mount() {}

    static void checkSuper(String dev, Ext2SuperBlock es, long devSize, boolean readOnly) {
        if (es.magic() != Ext2SuperBlock.MAGIC) {
            throw Ext2Fs.refuse(dev, String.format("can't find an ext2 filesystem (bad magic 0x%04x, expected 0xef53)", es.magic()));
        }
        if (es.logBlockSize() > 6) throw Ext2Fs.refuse(dev, "unsupported blocksize (s_log_block_size " + es.logBlockSize() + ")");
        int bs = 1024 << es.logBlockSize();
        if (es.logFragSize() != es.logBlockSize()) throw Ext2Fs.refuse(dev, "fragsize != blocksize (not supported)");
        long incompat = es.featureIncompat();
        if ((incompat & Ext2Features.INCOMPAT_RECOVER) != 0) {
            throw Ext2Fs.refuse(dev, "couldn't mount because the journal needs recovery (incompat feature needs_recovery); run e2fsck");
        }
        long unsupported = incompat & ~Ext2Features.INCOMPAT_SUPP;
        if (unsupported != 0) {
            throw Ext2Fs.refuse(dev, String.format("couldn't mount because of unsupported optional features (%x: %s)",
                    unsupported, Ext2Features.incompatNames(unsupported)));
        }
        long rev = es.revLevel();
        if (rev >= 1) {
            int isz = es.inodeSize();
            if (isz < 128 || isz > bs || (isz & (isz - 1)) != 0) throw Ext2Fs.refuse(dev, "unsupported inode size: " + isz);
            if (es.firstIno() < 11) throw Ext2Fs.refuse(dev, "bad first inode number: " + es.firstIno());
        }
        long expectedFirst = bs == 1024 ? 1 : 0;
        if (es.firstDataBlock() != expectedFirst) {
            throw Ext2Fs.refuse(dev, "bad geometry: first data block " + es.firstDataBlock() + " does not match block size " + bs);
        }
        long bpg = es.blocksPerGroup();
        long ipg = es.inodesPerGroup();
        if (bpg == 0 || bpg > 8L * bs) throw Ext2Fs.refuse(dev, "#blocks per group is " + bpg + ", must be 1.." + 8L * bs);
        if (es.fragsPerGroup() != bpg) throw Ext2Fs.refuse(dev, "#fragments per group differs from #blocks per group");
        int inodesPerBlock = bs / es.inodeSize();
        if (ipg == 0 || ipg > 8L * bs || ipg % inodesPerBlock != 0) throw Ext2Fs.refuse(dev, "bad #inodes per group: " + ipg);
        long blocks = es.blocksCount();
        if (blocks <= es.firstDataBlock()) throw Ext2Fs.refuse(dev, "bad geometry: block count " + blocks);
        if (blocks > devSize / bs) {
            throw Ext2Fs.refuse(dev, "bad geometry: block count " + blocks + " exceeds size of device (" + devSize / bs + " blocks)");
        }
        long groups = (blocks - es.firstDataBlock() + bpg - 1) / bpg;
        if (es.inodesCount() != groups * ipg) {
            throw Ext2Fs.refuse(dev, "inodes count " + es.inodesCount() + " is not " + groups + " groups x " + ipg);
        }
        if (es.reservedGdtBlocks() > bs / 4) throw Ext2Fs.refuse(dev, "bad s_reserved_gdt_blocks " + es.reservedGdtBlocks());
        if (es.rBlocksCount() > blocks) throw Ext2Fs.refuse(dev, "reserved block count exceeds block count");
        long descPerBlock = bs / Ext2GroupDesc.SIZE;
        long gdt = (groups + descPerBlock - 1) / descPerBlock;
        if (es.firstDataBlock() + 1 + gdt > blocks) throw Ext2Fs.refuse(dev, "group descriptors lie beyond the last block");
    }

    /** Features this driver may read but not write, or a revision it does not know: mount read-only. */
    static boolean mustBeReadOnly(String dev, Ext2SuperBlock es) {
        long roUnsupported = es.featureRoCompat() & ~Ext2Features.RO_COMPAT_SUPP;
        String why = null;
        if (es.revLevel() > 1) why = "revision level " + es.revLevel() + " is newer than this driver";
        else if (roUnsupported != 0) why = String.format("unsupported read-only-compatible features (%x)", roUnsupported);
        else if ((es.featureCompat() & Ext2Features.COMPAT_HAS_JOURNAL) != 0) why = "it has a journal, which this driver does not write";
        if (why == null) return false;
        log.warn("EXT2-fs ({}): couldn't mount RDWR because {}; mounting read-only", dev, why);
        return true;
    }

    static void checkDescriptors(Ext2Fs fs) {
        for (int g = 0; g < fs.groups; g++) {
            Ext2GroupDesc d = fs.gd[g];
            long first = fs.groupFirstBlock(g);
            long last = first + fs.groupBlocks(g) - 1;
            String what = null;
            long at = 0;
            if (d.blockBitmap() < first || d.blockBitmap() > last) { what = "Block bitmap"; at = d.blockBitmap(); }
            else if (d.inodeBitmap() < first || d.inodeBitmap() > last) { what = "Inode bitmap"; at = d.inodeBitmap(); }
            else if (d.inodeTable() < first || d.inodeTable() + fs.itbPerGroup - 1 > last) { what = "Inode table"; at = d.inodeTable(); }
            if (what != null) {
                throw Ext2Fs.refuse(fs.devName, "ext2_check_descriptors: " + what + " for group " + g + " not in group (block " + at + ")!");
            }
            if (d.freeBlocksCount() > fs.groupBlocks(g) || d.freeInodesCount() > fs.inodesPerGroup
                    || d.usedDirsCount() > fs.inodesPerGroup) {
                throw Ext2Fs.refuse(fs.devName, "ext2_check_descriptors: counts of group " + g + " exceed its size");
            }
        }
    }

    /** ext2_iget's checks, stricter where a bad value would make this driver write garbage. */
    static void checkInode(Ext2Fs fs, Ext2Inode i) {
        boolean special = i.ino < fs.firstIno && i.ino != Ext2Fs.ROOT_INO;
        if (i.linksCount == 0 && (i.mode == 0 || i.dtime != 0) && !special) {
            throw fs.error("ext2_iget", "deleted inode referenced: " + i.ino);
        }
        int type = i.mode & Mode.S_IFMT;
        boolean known = type == Mode.S_IFREG || type == Mode.S_IFDIR || type == Mode.S_IFLNK || type == Mode.S_IFCHR
                || type == Mode.S_IFBLK || type == Mode.S_IFIFO || type == Mode.S_IFSOCK;
        if (!known && !special) throw fs.error("ext2_iget", "bad file type " + Integer.toOctalString(i.mode) + " in inode " + i.ino);
        if (type == Mode.S_IFREG && (i.size < 0 || i.size > fs.maxFileSize)) {
            throw fs.error("ext2_iget", "inode " + i.ino + " has a huge i_size " + Long.toUnsignedString(i.size));
        }
        if (type == Mode.S_IFDIR && (i.size <= 0 || i.size % fs.blockSize != 0 || i.size > (1L << 32))) {
            throw fs.error("ext2_iget", "directory inode " + i.ino + " has a bad i_size " + i.size);
        }
        if (type == Mode.S_IFLNK && (i.size <= 0 || i.size >= fs.blockSize
                || (i.fastSymlink() && i.size >= Ext2Inode.FAST_SYMLINK_MAX + 1))) {
            throw fs.error("ext2_iget", "symlink inode " + i.ino + " has a bad i_size " + i.size);
        }
    }
}
