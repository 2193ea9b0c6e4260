package ksim.fs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The buffer cache of one device (fs/buffer.c): block-sized buffers looked up by block number
 * (__find_get_block), read on demand (__bread), created without a read for freshly allocated
 * blocks (__getblk), marked dirty (mark_buffer_dirty), dropped when their block is freed
 * (bforget), and written back in block order, contiguous runs in one write (sync_dirty_buffers).
 * Clean buffers are evicted least recently used first once the cache holds more than its
 * limit; dirty ones stay until written. Not thread-safe: the filesystem's lock covers it.
 */
public final class BufferCache {
    /** No operation holds more buffers than this at once, so eviction never takes one in use. */
    private static final int MIN_BUFFERS = 1024;

    private final BlockDevice dev;
    private final int blockSize;
    private final int maxBuffers;
    private final LinkedHashMap<Long, BufferHead> buffers = new LinkedHashMap<>(1024, 0.75f, true);
    private final LinkedHashSet<BufferHead> dirty = new LinkedHashSet<>();
    private long reads;
    private long writes;
    /** Where buffer heads are allocated from (alloc_buffer_head: the buffer_head cache). */
    private VfsSlab slab = VfsSlab.NONE;

    public BufferCache(BlockDevice dev, int blockSize, long maxBytes) {
        this.dev = dev;
        this.blockSize = blockSize;
        this.maxBuffers = (int) Math.max(MIN_BUFFERS, Math.min(Integer.MAX_VALUE, maxBytes / blockSize));
    }

    /** Charges the buffers held now and every later one to slab. */
    public void setSlab(VfsSlab slab) {
        this.slab = slab;
        for (BufferHead b : buffers.values()) slab.charge(VfsSlab.Kind.BUFFER_HEAD, b);
    }

    public int blockSize() {
        return blockSize;
    }

    public BlockDevice device() {
        return dev;
    }

    /** __bread: the block's buffer, read from the device if it is not cached. */
    public BufferHead bread(long block) {
        BufferHead bh = buffers.get(block);
        if (bh != null) return bh;
        bh = new BufferHead(block, blockSize);
        dev.read(block * blockSize, bh.data, 0, blockSize);
        reads++;
        insert(bh);
        return bh;
    }

    /** __getblk for a block whose old contents do not matter: a zeroed buffer, not read. */
    public BufferHead getblkZeroed(long block) {
        BufferHead bh = buffers.get(block);
        if (bh == null) {
            bh = new BufferHead(block, blockSize);
            insert(bh);
        } else {
            java.util.Arrays.fill(bh.data, (byte) 0);
        }
        bh.setChecked(false);
        return bh;
    }

    /** The cached buffer of block, or null. */
    public BufferHead find(long block) {
        return buffers.get(block);
    }

    private void insert(BufferHead bh) {
        buffers.put(bh.blocknr, bh);
        slab.charge(VfsSlab.Kind.BUFFER_HEAD, bh);
        if (buffers.size() > maxBuffers) evictClean();
    }

    private void evictClean() {
        int excess = buffers.size() - maxBuffers;
        Iterator<BufferHead> it = buffers.values().iterator();
        while (excess > 0 && it.hasNext()) {
            BufferHead b = it.next();
            if (!b.dirty) {
                it.remove();
                slab.uncharge(VfsSlab.Kind.BUFFER_HEAD, b);
                excess--;
            }
        }
    }

    /** mark_buffer_dirty. */
    public void markDirty(BufferHead bh) {
        if (!bh.dirty) {
            bh.dirty = true;
            bh.dirtiedAt = System.nanoTime();
            dirty.add(bh);
        }
    }

    /** bforget: the block was freed; its buffer is dropped and never written. */
    public void forget(long block) {
        BufferHead bh = buffers.remove(block);
        if (bh != null) slab.uncharge(VfsSlab.Kind.BUFFER_HEAD, bh);
        if (bh != null && bh.dirty) {
            bh.dirty = false;
            dirty.remove(bh);
        }
    }

    /** Drops every buffer, dirty or not (a filesystem that must not write any more). */
    public void discardAll() {
        for (BufferHead b : dirty) b.dirty = false;
        dirty.clear();
        for (BufferHead b : buffers.values()) slab.uncharge(VfsSlab.Kind.BUFFER_HEAD, b);
        buffers.clear();
    }

    public int dirtyCount() {
        return dirty.size();
    }

    public int size() {
        return buffers.size();
    }

    /** Nanotime at which the oldest dirty buffer became dirty, or -1 if none is. */
    public long oldestDirty() {
        for (BufferHead b : dirty) return b.dirtiedAt;
        return -1;
    }

    /** sync_dirty_buffers: writes every dirty buffer, sorted by block, runs coalesced. */
    public void syncDirty() {
        if (dirty.isEmpty()) return;
        List<BufferHead> list = new ArrayList<>(dirty);
        list.sort((a, b) -> Long.compare(a.blocknr, b.blocknr));
        int i = 0;
        while (i < list.size()) {
            int j = i + 1;
            while (j < list.size() && list.get(j).blocknr == list.get(j - 1).blocknr + 1 && j - i < 256) j++;
            if (j - i == 1) {
                BufferHead b = list.get(i);
                dev.write(b.blocknr * blockSize, b.data, 0, blockSize);
            } else {
                ByteBuffer[] run = new ByteBuffer[j - i];
                for (int k = i; k < j; k++) run[k - i] = ByteBuffer.wrap(list.get(k).data);
                dev.writev(list.get(i).blocknr * blockSize, run);
            }
            writes += j - i;
            for (int k = i; k < j; k++) list.get(k).dirty = false;
            i = j;
        }
        dirty.clear();
        if (buffers.size() > maxBuffers) evictClean();
    }

    /** Counters for tests and statistics: blocks read from and written to the device. */
    public Map<String, Long> stats() {
        return Map.of("reads", reads, "writes", writes, "cached", (long) buffers.size(), "dirty", (long) dirty.size());
    }
}
