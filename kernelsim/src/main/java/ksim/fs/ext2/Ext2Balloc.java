package ksim.fs.ext2;

import ksim.fs.BufferHead;
import ksim.fs.Caller;
import ksim.kernel.Errno;

/**
 * Block allocation (fs/ext2/balloc.c). newBlock() is ext2_new_blocks for one block: the goal
 * group first, from the goal (the goal itself, else a free bit up to the next 64-bit boundary,
 * else the start of a free byte, else any free bit after the goal), then each following group
 * from its start, the goal group last. A regular file allocates inside its reservation window
 * (Ext2Reservations), and only if no group has room for a window does it fall back to that
 * plain search. Bitmap, descriptor and summary counts change together. freeBlocks() is
 * ext2_free_blocks.
 */
final class Ext2Balloc {
    private Ext2Balloc() {}

    /** ext2_has_free_blocks: the last s_r_blocks_count blocks are for root (or s_def_resuid/gid). */
    static boolean hasFreeBlocks(Ext2Fs fs, Caller c) {
        long root = fs.es.rBlocksCount();
        if (fs.freeBlocks > root) return true;
        if (fs.freeBlocks == 0) return false;
        return c.uid() == 0 || c.uid() == fs.es.defResuid() || (fs.es.defResgid() != 0 && c.gid() == fs.es.defResgid());
    }

    /** ext2_new_blocks for a block of inode: through its reservation window if it is a regular file. */
    static long newBlock(Ext2Fs fs, Ext2Inode inode, long goal, Caller c) {
        if (!inode.isReg() || !fs.reservations()) return newBlock(fs, goal, c);
        fs.checkWritable();
        if (!hasFreeBlocks(fs, c)) throw Errno.ENOSPC.error("no space left on device");
        if (inode.rsv == null) inode.rsv = new Ext2Reservations.Window();
        if (goal < fs.firstDataBlock || goal >= fs.blocksCount) goal = fs.firstDataBlock;
        int g = fs.groupOfBlock(goal);
        int grpGoal = (int) (goal - fs.groupFirstBlock(g));
        for (int tries = 0; tries <= fs.groups; tries++) {
            if (fs.gd[g].freeBlocksCount() > 0) {
                long b = tryWithReservation(fs, g, grpGoal, inode.rsv);
                if (b >= 0) return b;
            }
            g = (g + 1) % fs.groups;
            grpGoal = -1;
        }
        return newBlock(fs, goal, c); // no group has room for a window: any free block will do
    }

    /** ext2_try_to_allocate_with_rsv: a block of group g inside w, moving w first if need be. */
    private static long tryWithReservation(Ext2Fs fs, int g, int grpGoal, Ext2Reservations.Window w) {
        long first = fs.groupFirstBlock(g);
        int n = fs.groupBlocks(g);
        BufferHead bh = fs.blockBitmap(g);
        boolean missed = false;
        for (int attempt = 0; attempt < 4; attempt++) {
            boolean outside = w.empty() || w.start >= first + n || w.end < first;
            if (missed || outside || (grpGoal >= 0 && !w.contains(first + grpGoal))) {
                long startBlock = grpGoal < 0 ? first : first + grpGoal;
                if (!fs.rsv.allocNew(w, startBlock, first, n, bh.data)) return -1;
                if (grpGoal >= 0 && !w.contains(first + grpGoal)) grpGoal = -1;
            }
            int from = (int) Math.max(grpGoal >= 0 ? grpGoal : 0, w.start - first);
            int to = (int) Math.min(w.end - first + 1, n);
            int bit = findUsable(bh.data, from, to);
            if (bit >= 0) {
                w.allocHit++;
                return claim(fs, g, bh, bit);
            }
            missed = true;
        }
        return -1;
    }

    static long newBlock(Ext2Fs fs, long goal, Caller c) {
        fs.checkWritable();
        if (!hasFreeBlocks(fs, c)) throw Errno.ENOSPC.error("no space left on device");
        if (goal < fs.firstDataBlock || goal >= fs.blocksCount) goal = fs.firstDataBlock;
        int g = fs.groupOfBlock(goal);
        int start = (int) (goal - fs.groupFirstBlock(g));
        for (int tries = 0; tries <= fs.groups; tries++) {
            if (fs.gd[g].freeBlocksCount() > 0) {
                long b = tryGroup(fs, g, start);
                if (b >= 0) return b;
            }
            g = (g + 1) % fs.groups;
            start = 0;
        }
        throw Errno.ENOSPC.error("no free block found");
    }

    private static long tryGroup(Ext2Fs fs, int g, int start) {
        BufferHead bh = fs.blockBitmap(g);
        int limit = fs.groupBlocks(g);
        int bit = findUsable(bh.data, start, limit);
        if (bit < 0) return -1;
        return claim(fs, g, bh, bit);
    }

    /** Takes bit of group g's bitmap: the block is in use, and the counts say so. */
    private static long claim(Ext2Fs fs, int g, BufferHead bh, int bit) {
        long block = fs.groupFirstBlock(g) + bit;
        if (fs.isSystemBlock(block)) {
            throw fs.error("ext2_new_blocks", "Allocating block in system zone - block = " + block);
        }
        Bitmap.set(bh.data, bit);
        fs.bc.markDirty(bh);
        Ext2GroupDesc d = fs.gd[g];
        d.setFreeBlocksCount(d.freeBlocksCount() - 1);
        fs.freeBlocks--;
        return block;
    }

    /** find_next_usable_block. */
    static int findUsable(byte[] map, int start, int limit) {
        if (start > 0) {
            int end = Math.min((start + 63) & ~63, limit);
            int here = Bitmap.nextZero(map, start, end);
            if (here >= 0) return here;
        }
        int here = Bitmap.nextZeroByte(map, start, limit);
        if (here >= 0) {
            for (int k = 0; k < 7 && here > start && !Bitmap.test(map, here - 1); k++) here--;
            return here;
        }
        return Bitmap.nextZero(map, start, limit);
    }

    /** ext2_free_blocks: count blocks from block go back to the free pool. */
    static void freeBlocks(Ext2Fs fs, long block, long count) {
        fs.checkWritable();
        if (block < fs.firstDataBlock || block + count > fs.blocksCount) {
            throw fs.error("ext2_free_blocks", "Freeing blocks not in datazone - block = " + block + ", count = " + count);
        }
        for (long b = block; b < block + count; b++) {
            if (fs.isSystemBlock(b)) throw fs.error("ext2_free_blocks", "Freeing blocks in system zones - Block = " + b);
            int g = fs.groupOfBlock(b);
            BufferHead bh = fs.blockBitmap(g);
            int bit = (int) (b - fs.groupFirstBlock(g));
            if (!Bitmap.test(bh.data, bit)) throw fs.error("ext2_free_blocks", "bit already cleared for block " + b);
            Bitmap.clear(bh.data, bit);
            fs.bc.markDirty(bh);
            Ext2GroupDesc d = fs.gd[g];
            d.setFreeBlocksCount(d.freeBlocksCount() + 1);
            fs.freeBlocks++;
            fs.bc.forget(b);
        }
    }
}
