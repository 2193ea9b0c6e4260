package ksim.fs.ext2;

import java.util.Map;
import java.util.TreeMap;

/**
 * Block reservation windows (fs/ext2/balloc.c: the per-superblock s_rsv_window_root tree of
 * ext2_reserve_window_node). A regular file that allocates gets a window of free-looking blocks
 * ahead of its goal; its next blocks come from that window, so files written side by side
 * stay contiguous instead of interleaving block by block. Windows live only in memory, never
 * overlap each other, and are soft: allocations without a window (directories, indirect blocks
 * of nothing, the fallback when no window fits) ignore them. A window that was more than half
 * used doubles its goal size for the next one (up to EXT2_MAX_RESERVE_BLOCKS). A file drops its
 * window when it is truncated, when a writer closes it, and when its inode goes.
 */
final class Ext2Reservations {
    /** EXT2_DEFAULT_RESERVE_BLOCKS. */
    static final int DEFAULT_RESERVE_BLOCKS = 8;
    /** EXT2_MAX_RESERVE_BLOCKS. */
    static final int MAX_RESERVE_BLOCKS = 1027;

    /** ext2_reserve_window_node: one file's window [start, end] (empty: start < 0). */
    static final class Window {
        long start = -1;
        long end = -1;
        int goalSize = DEFAULT_RESERVE_BLOCKS;
        int allocHit;

        boolean empty() {
            return start < 0;
        }

        boolean contains(long block) {
            return !empty() && block >= start && block <= end;
        }
    }

    private final TreeMap<Long, Window> windows = new TreeMap<>();

    int count() {
        return windows.size();
    }

    /** rsv_window_remove / ext2_discard_reservation. */
    void discard(Window w) {
        if (w == null || w.empty()) return;
        windows.remove(w.start);
        w.start = -1;
        w.end = -1;
    }

    /**
     * alloc_new_reservation: moves w to the first gap of its goal size at or after startBlock
     * that holds a free block of the group; false (and w emptied) if the group has none.
     */
    boolean allocNew(Window w, long startBlock, long groupFirst, int groupBlocks, byte[] bitmap) {
        long groupLast = groupFirst + groupBlocks - 1;
        int size = w.goalSize;
        if (!w.empty()) {
            // a window reaching into the next group is kept for that group
            if (w.start <= groupLast && w.end > groupLast && startBlock >= w.start) return false;
            if (w.allocHit > (w.end - w.start + 1) / 2) {
                size = Math.min(size * 2, MAX_RESERVE_BLOCKS);
                w.goalSize = size;
            }
        }
        long from = startBlock;
        while (true) {
            long cur = findGap(w, from, size);
            if (cur > groupLast) {
                discard(w);
                return false;
            }
            place(w, cur, cur + size - 1);
            int free = Ext2Balloc.findUsable(bitmap, (int) (cur - groupFirst), groupBlocks);
            if (free < 0) {
                discard(w);
                return false;
            }
            long firstFree = groupFirst + free;
            if (firstFree <= w.end) return true;
            from = firstFree; // the gap held no free block: look again past it
        }
    }

    /** find_next_reservable_window: the first start >= from where size blocks overlap no other window. */
    private long findGap(Window me, long from, int size) {
        long cur = from;
        Map.Entry<Long, Window> before = windows.floorEntry(cur);
        if (before != null && before.getValue() != me && before.getValue().end >= cur) cur = before.getValue().end + 1;
        for (Window next : windows.tailMap(cur, true).values()) {
            if (next == me) continue;
            if (next.start > cur + size - 1) break;
            cur = Math.max(cur, next.end + 1);
        }
        return cur;
    }

    private void place(Window w, long start, long end) {
        if (!w.empty()) windows.remove(w.start);
        w.start = start;
        w.end = end;
        w.allocHit = 0;
        windows.put(start, w);
    }
}
