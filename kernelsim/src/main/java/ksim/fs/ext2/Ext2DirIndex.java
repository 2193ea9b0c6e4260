package ksim.fs.ext2;

import java.util.Arrays;
import java.util.HashMap;

/**
 * The in-memory hash index of one linear directory: each name's block and offset, and the
 * largest room for a new entry in each block. It makes lookup, create and unlink O(1) instead
 * of a scan of every block (the job htree does on disk); it is built by one scan on first use,
 * kept in step by every change, and dropped under memory pressure.
 */
final class Ext2DirIndex {
    /** Where one entry lives. */
    static final class Slot {
        int lblk;
        int off;
        long ino;
        int ftype;

        Slot(int lblk, int off, long ino, int ftype) {
            this.lblk = lblk;
            this.off = off;
            this.ino = ino;
            this.ftype = ftype;
        }
    }

    final HashMap<String, Slot> names;
    int[] room;
    int nblocks;

    Ext2DirIndex(int nblocks, int expected) {
        this.names = new HashMap<>(Math.max(16, expected * 4 / 3 + 1));
        this.nblocks = nblocks;
        this.room = new int[Math.max(4, nblocks)];
    }

    int size() {
        return names.size();
    }

    void addBlock(int room0) {
        if (nblocks == room.length) room = Arrays.copyOf(room, room.length * 2);
        room[nblocks++] = room0;
    }
}
