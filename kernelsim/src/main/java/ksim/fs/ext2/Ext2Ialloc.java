package ksim.fs.ext2;

import ksim.fs.BufferHead;
import ksim.fs.Caller;
import ksim.fs.Mode;
import ksim.kernel.Errno;

/**
 * Inode allocation (fs/ext2/ialloc.c): Orlov's spreading of directories (find_group_orlov),
 * files next to their directory (find_group_other), the first free bit of the chosen group's
 * inode bitmap, and the per-group directory debt Orlov consults. newInode() also initialises
 * the new inode as ext2_new_inode does (owner, inherited flags, times, generation).
 */
final class Ext2Ialloc {
    private static final int INODE_COST = 64;
    private static final int BLOCK_COST = 256;

    private Ext2Ialloc() {}

    static Ext2Inode newInode(Ext2Inode dir, int mode, Caller caller) {
        Ext2Fs fs = dir.fs;
        fs.checkWritable();
        boolean isDir = Mode.isDir(mode);
        int group = isDir ? findGroupOrlov(fs, dir) : findGroupOther(fs, dir);
        if (group < 0) throw Errno.ENOSPC.error("no free inodes");
        for (int tries = 0; tries < fs.groups; tries++, group = (group + 1) % fs.groups) {
            if (fs.gd[group].freeInodesCount() == 0) continue;
            BufferHead bh = fs.inodeBitmap(group);
            int bit = Bitmap.nextZero(bh.data, 0, fs.inodesPerGroup);
            if (bit < 0) continue;
            long ino = (long) group * fs.inodesPerGroup + bit + 1;
            if (ino < fs.firstIno || ino > fs.inodesCount) {
                throw fs.error("ext2_new_inode", "reserved inode or inode > inodes count - block_group = " + group + ",inode=" + ino);
            }
            Bitmap.set(bh.data, bit);
            fs.bc.markDirty(bh);
            Ext2GroupDesc d = fs.gd[group];
            d.setFreeInodesCount(d.freeInodesCount() - 1);
            fs.freeInodes--;
            if (isDir) {
                d.setUsedDirsCount(d.usedDirsCount() + 1);
                fs.dirsCount++;
                if (fs.debts[group] < 255) fs.debts[group]++;
            } else if (fs.debts[group] > 0) {
                fs.debts[group]--;
            }
            return init(fs, dir, ino, mode, caller);
        }
        throw Errno.ENOSPC.error("no free inodes");
    }

    private static Ext2Inode init(Ext2Fs fs, Ext2Inode dir, long ino, int mode, Caller caller) {
        // the whole on-disk slot starts zeroed, so no stale extra field or xattr survives
        BufferHead bh = fs.bc.bread(fs.inodeBlock(ino));
        java.util.Arrays.fill(bh.data, fs.inodeOffset(ino), fs.inodeOffset(ino) + fs.inodeSize, (byte) 0);
        fs.bc.markDirty(bh);
        Ext2Inode i = new Ext2Inode(fs, ino);
        // inode_init_owner
        i.uid = caller.uid();
        if ((dir.mode & Mode.S_ISGID) != 0) {
            i.gid = dir.gid;
            if (Mode.isDir(mode)) mode |= Mode.S_ISGID;
            else if ((mode & (Mode.S_ISGID | 0010)) == (Mode.S_ISGID | 0010) && caller.uid() != 0 && caller.gid() != dir.gid) {
                mode &= ~Mode.S_ISGID;
            }
        } else {
            i.gid = caller.gid();
        }
        i.mode = mode;
        int fl = dir.flags & Ext2Inode.FL_INHERITED;
        if (!Mode.isDir(mode)) fl &= ~(0x10000 | Ext2Inode.TOPDIR_FL); // EXT2_REG_FLMASK / OTHER_FLMASK
        if (!Mode.isDir(mode) && !Mode.isReg(mode)) fl &= 0x80 | 0x4000 | 0x8; // EXT2_OTHER_FLMASK
        i.flags = fl;
        i.extraIsize = fs.newExtraIsize;
        long now = fs.nowNs();
        i.setAtime(now);
        i.setMtime(now);
        i.setCtime(now);
        i.setCrtime(now);
        i.generation = fs.rng.nextInt();
        if (Mode.isDir(mode)) i.parentIno = dir.ino;
        fs.icacheAdd(i);
        fs.markDirty(i);
        return i;
    }

    /** find_group_orlov. */
    static int findGroupOrlov(Ext2Fs fs, Ext2Inode parent) {
        int ngroups = fs.groups;
        int ipg = fs.inodesPerGroup;
        long avefreei = fs.freeInodes / ngroups;
        long avefreeb = fs.freeBlocks / ngroups;
        long ndirs = fs.dirsCount;
        int parentGroup = parent.group;

        if (parent.ino == Ext2Fs.ROOT_INO || (parent.flags & Ext2Inode.TOPDIR_FL) != 0) {
            int bestNdir = ipg;
            int best = -1;
            int startGroup = fs.rng.nextInt(ngroups);
            for (int i = 0; i < ngroups; i++) {
                int g = (startGroup + i) % ngroups;
                Ext2GroupDesc d = fs.gd[g];
                if (d.freeInodesCount() == 0) continue;
                if (d.usedDirsCount() >= bestNdir) continue;
                if (d.freeInodesCount() < avefreei) continue;
                if (d.freeBlocksCount() < avefreeb) continue;
                best = g;
                bestNdir = d.usedDirsCount();
            }
            if (best >= 0) return best;
            return fallback(fs, parentGroup, avefreei);
        }

        if (ndirs == 0) ndirs = 1;
        long blocksPerDir = (fs.blocksCount - fs.freeBlocks) / ndirs;
        long maxDirs = ndirs / ngroups + ipg / 16;
        long minInodes = avefreei - ipg / 4;
        long minBlocks = avefreeb - fs.blocksPerGroup / 4;
        long maxDebt = fs.blocksPerGroup / Math.max(blocksPerDir, BLOCK_COST);
        if (maxDebt * INODE_COST > ipg) maxDebt = ipg / INODE_COST;
        if (maxDebt > 255) maxDebt = 255;
        if (maxDebt == 0) maxDebt = 1;

        for (int i = 0; i < ngroups; i++) {
            int g = (parentGroup + i) % ngroups;
            Ext2GroupDesc d = fs.gd[g];
            if (d.freeInodesCount() == 0) continue;
            if (fs.debts[g] >= maxDebt) continue;
            if (d.usedDirsCount() >= maxDirs) continue;
            if (d.freeInodesCount() < minInodes) continue;
            if (d.freeBlocksCount() < minBlocks) continue;
            return g;
        }
        return fallback(fs, parentGroup, avefreei);
    }

    private static int fallback(Ext2Fs fs, int parentGroup, long avefreei) {
        for (long ave = avefreei; ; ave = 0) {
            for (int i = 0; i < fs.groups; i++) {
                int g = (parentGroup + i) % fs.groups;
                Ext2GroupDesc d = fs.gd[g];
                if (d.freeInodesCount() != 0 && d.freeInodesCount() >= ave) return g;
            }
            if (ave == 0) return -1;
        }
    }

    /** find_group_other. */
    static int findGroupOther(Ext2Fs fs, Ext2Inode parent) {
        int ngroups = fs.groups;
        int g = parent.group;
        Ext2GroupDesc d = fs.gd[g];
        if (d.freeInodesCount() != 0 && d.freeBlocksCount() != 0) return g;
        g = (int) ((g + parent.ino) % ngroups);
        for (int i = 1; i < ngroups; i <<= 1) {
            g += i;
            if (g >= ngroups) g -= ngroups;
            d = fs.gd[g];
            if (d.freeInodesCount() != 0 && d.freeBlocksCount() != 0) return g;
        }
        g = parent.group;
        for (int i = 0; i < ngroups; i++) {
            if (++g >= ngroups) g = 0;
            if (fs.gd[g].freeInodesCount() != 0) return g;
        }
        return -1;
    }

    /** ext2_free_inode: the inode's bit goes back; i_dtime was set by the caller. */
    static void freeInode(Ext2Inode inode) {
        Ext2Fs fs = inode.fs;
        long ino = inode.ino;
        if (ino < fs.firstIno || ino > fs.inodesCount) throw fs.error("ext2_free_inode", "reserved or nonexistent inode " + ino);
        int g = inode.group;
        int bit = (int) ((ino - 1) % fs.inodesPerGroup);
        BufferHead bh = fs.inodeBitmap(g);
        if (!Bitmap.test(bh.data, bit)) throw fs.error("ext2_free_inode", "bit already cleared for inode " + ino);
        Bitmap.clear(bh.data, bit);
        fs.bc.markDirty(bh);
        Ext2GroupDesc d = fs.gd[g];
        d.setFreeInodesCount(d.freeInodesCount() + 1);
        fs.freeInodes++;
        if (inode.isDir()) {
            d.setUsedDirsCount(d.usedDirsCount() - 1);
            fs.dirsCount--;
        }
    }
}
