package ksim.fs.ext2;

import ksim.fs.BufferHead;
import ksim.fs.Caller;
import ksim.kernel.Errno;

/**
 * The block map of fs/ext2/inode.c: i_block[0..11] direct, [12] indirect, [13] double, [14]
 * triple indirect. bmap() follows it (ext2_get_branch), getBlock() also allocates what is
 * missing, indirect blocks first and right before the data block, from a goal near the
 * previous allocation (ext2_find_goal, ext2_find_near, ext2_alloc_branch), and setSize()
 * frees everything past a new end (ext2_truncate_blocks, ext2_free_branches).
 */
final class Ext2BlockMap {
    private static final int IND = 12;
    private static final int DIND = 13;
    private static final int TIND = 14;

    private Ext2BlockMap() {}

    /** ext2_block_to_path: the slot indexes from i_block down to the data pointer; returns the depth. */
    static int toPath(Ext2Fs fs, long lblk, int[] offsets) {
        long apb = fs.addrPerBlock;
        if (lblk < 0) throw Errno.EINVAL.error("negative block");
        if (lblk < 12) {
            offsets[0] = (int) lblk;
            return 1;
        }
        lblk -= 12;
        if (lblk < apb) {
            offsets[0] = IND;
            offsets[1] = (int) lblk;
            return 2;
        }
        lblk -= apb;
        if (lblk < apb * apb) {
            offsets[0] = DIND;
            offsets[1] = (int) (lblk / apb);
            offsets[2] = (int) (lblk % apb);
            return 3;
        }
        lblk -= apb * apb;
        if (lblk < apb * apb * apb) {
            offsets[0] = TIND;
            offsets[1] = (int) (lblk / (apb * apb));
            offsets[2] = (int) ((lblk / apb) % apb);
            offsets[3] = (int) (lblk % apb);
            return 4;
        }
        throw Errno.EFBIG.error("block " + lblk + " beyond the triple indirect map");
    }

    private static long checked(Ext2Fs fs, Ext2Inode inode, long p) {
        if (p != 0 && !fs.validDataBlock(p)) {
            throw fs.error("ext2_get_branch", "inode " + inode.ino + " refers to block " + p + " outside the filesystem");
        }
        return p;
    }

    /** The physical block of logical block lblk, 0 for a hole. */
    static long bmap(Ext2Inode inode, long lblk) {
        Ext2Fs fs = inode.fs;
        int[] off = new int[4];
        int depth = toPath(fs, lblk, off);
        long p = checked(fs, inode, inode.block[off[0]] & 0xffffffffL);
        for (int level = 1; level < depth && p != 0; level++) {
            BufferHead bh = fs.bc.bread(p);
            p = checked(fs, inode, Le.u32(bh.data, off[level] * 4));
        }
        return p;
    }

    /**
     * ext2_get_block with create: the physical block of lblk, allocating it and the missing
     * indirect blocks. isNew[0] tells whether the data block was just allocated (its old
     * contents are garbage and must not be read).
     */
    static long getBlock(Ext2Inode inode, long lblk, Caller caller, boolean[] isNew) {
        Ext2Fs fs = inode.fs;
        isNew[0] = false;
        int[] off = new int[4];
        int depth = toPath(fs, lblk, off);
        long p = checked(fs, inode, inode.block[off[0]] & 0xffffffffL);
        BufferHead parent = null;
        int level = 0;
        while (p != 0 && level + 1 < depth) {
            parent = fs.bc.bread(p);
            level++;
            p = checked(fs, inode, Le.u32(parent.data, off[level] * 4));
        }
        if (p != 0) return p;
        // the chain breaks at `level`: allocate the rest, indirect blocks first, contiguously
        long goal = findGoal(inode, lblk, parent, off[level], caller);
        for (;;) {
            boolean data = level + 1 == depth;
            long nb = Ext2Balloc.newBlock(fs, inode, goal, caller);
            inode.blocks += fs.sectorsPerBlock;
            if (!data) {
                BufferHead ind = fs.bc.getblkZeroed(nb);
                fs.bc.markDirty(ind);
            }
            if (parent == null) {
                inode.block[off[level]] = (int) nb;
            } else {
                Le.put32(parent.data, off[level] * 4, nb);
                fs.bc.markDirty(parent);
            }
            fs.markDirty(inode);
            goal = nb + 1;
            if (data) {
                inode.lastAllocLogical = lblk;
                inode.lastAllocPhysical = nb;
                isNew[0] = true;
                return nb;
            }
            parent = fs.bc.bread(nb);
            level++;
        }
    }

    /** ext2_find_goal / ext2_find_near. */
    private static long findGoal(Ext2Inode inode, long lblk, BufferHead parent, int slot, Caller caller) {
        Ext2Fs fs = inode.fs;
        if (lblk == inode.lastAllocLogical + 1 && inode.lastAllocPhysical != 0) return inode.lastAllocPhysical + 1;
        if (parent == null) {
            for (int i = slot - 1; i >= 0; i--) if (inode.block[i] != 0) return inode.block[i] & 0xffffffffL;
        } else {
            for (int i = slot - 1; i >= 0; i--) {
                long q = Le.u32(parent.data, i * 4);
                if (q != 0) return q;
            }
            return parent.blocknr;
        }
        long colour = (Math.abs((long) caller.hostTid()) % 16) * (fs.blocksPerGroup / 16);
        return fs.groupFirstBlock(inode.group) + colour;
    }

    /**
     * ext2_setsize: the new i_size; shrinking frees the blocks past it and zeroes the tail of
     * the last partial block on disk, so that a later extension reads zeros.
     */
    static void setSize(Ext2Inode inode, long newSize) {
        Ext2Fs fs = inode.fs;
        if (newSize < 0) throw Errno.EINVAL.error("negative size");
        if (newSize > fs.maxFileSize) throw Errno.EFBIG.error("file too large");
        long old = inode.size;
        if (newSize < old) {
            int tail = (int) (newSize % fs.blockSize);
            if (tail != 0) {
                long phys = bmap(inode, newSize / fs.blockSize);
                if (phys != 0) {
                    byte[] zeros = new byte[fs.blockSize - tail];
                    fs.dev.write(phys * fs.blockSize + tail, zeros, 0, zeros.length);
                }
            }
            truncateBlocks(inode, (newSize + fs.blockSize - 1) / fs.blockSize);
        }
        inode.size = newSize;
        Ext2File.noteLargeFile(inode);
        inode.touchMC();
    }

    /** ext2_truncate_blocks: frees every block at logical index >= from, indirect blocks included. */
    static void truncateBlocks(Ext2Inode inode, long from) {
        if (!inode.hasBlockMap()) return;
        Ext2Fs fs = inode.fs;
        fs.rsv.discard(inode.rsv);
        Freer freer = new Freer(inode);
        for (int i = (int) Math.min(from, 12); i < 12; i++) {
            long p = checked(fs, inode, inode.block[i] & 0xffffffffL);
            if (p != 0) {
                freer.free(p);
                inode.block[i] = 0;
            }
        }
        long apb = fs.addrPerBlock;
        long start = 12;
        long[] spans = {apb, apb * apb, apb * apb * apb};
        for (int k = 0; k < 3; k++) {
            int slot = IND + k;
            long p = checked(fs, inode, inode.block[slot] & 0xffffffffL);
            if (p != 0 && from < start + spans[k]) {
                if (freeTree(inode, p, k + 1, start, from, freer)) {
                    freer.free(p);
                    inode.block[slot] = 0;
                }
            }
            start += spans[k];
        }
        freer.flush();
        if (from <= inode.lastAllocLogical) {
            inode.lastAllocLogical = -1;
            inode.lastAllocPhysical = 0;
        }
        fs.markDirty(inode);
    }

    /**
     * Frees the part of the tree under indirect block blk (depth 1 points at data) that maps
     * logical blocks >= from; returns true if nothing is left in it.
     */
    private static boolean freeTree(Ext2Inode inode, long blk, int depth, long first, long from, Freer freer) {
        Ext2Fs fs = inode.fs;
        long span = 1;
        for (int i = 1; i < depth; i++) span *= fs.addrPerBlock;
        BufferHead bh = fs.bc.bread(blk);
        boolean empty = true;
        boolean changed = false;
        for (int i = 0; i < fs.addrPerBlock; i++) {
            long entryFirst = first + i * span;
            long q = Le.u32(bh.data, i * 4);
            if (q == 0) continue;
            if (entryFirst + span <= from) {
                empty = false;
                continue;
            }
            checked(fs, inode, q);
            boolean freeIt = depth == 1 || freeTree(inode, q, depth - 1, entryFirst, from, freer);
            if (freeIt) {
                freer.free(q);
                Le.put32(bh.data, i * 4, 0);
                changed = true;
            } else {
                empty = false;
            }
        }
        if (changed && !empty) fs.bc.markDirty(bh);
        return empty;
    }

    /** Frees blocks in contiguous runs and keeps i_blocks in step. */
    private static final class Freer {
        private final Ext2Inode inode;
        private long runStart = -1;
        private long runLen;

        Freer(Ext2Inode inode) {
            this.inode = inode;
        }

        void free(long b) {
            inode.blocks -= inode.fs.sectorsPerBlock;
            if (runStart >= 0 && b == runStart + runLen) {
                runLen++;
                return;
            }
            flush();
            runStart = b;
            runLen = 1;
        }

        void flush() {
            if (runStart >= 0) Ext2Balloc.freeBlocks(inode.fs, runStart, runLen);
            runStart = -1;
            runLen = 0;
        }
    }
}
