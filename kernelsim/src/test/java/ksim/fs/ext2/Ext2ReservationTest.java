package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import ksim.fs.File;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reservation windows: files written side by side stay in runs instead of interleaving. */
class Ext2ReservationTest {
    static final int BLOCKS = 64;

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    /** Two files open together, written one block each in turn; the runs of each file's blocks. */
    private int[] interleave(boolean reservations, String name) throws Exception {
        Path img = Images.mke2fs(tmp, name, 64);
        Ext2Fs fs = Images.mount(img);
        fs.setReservations(reservations);
        Vfsmount m = Images.vfs(fs);
        Ext2Inode a = (Ext2Inode) VfsOps.mknod(m, "/a", Mode.S_IFREG | 0644, 0, Images.ROOT);
        Ext2Inode b = (Ext2Inode) VfsOps.mknod(m, "/b", Mode.S_IFREG | 0644, 0, Images.ROOT);
        File fa = a.open(OpenFlags.O_RDWR, Images.ROOT);
        File fb = b.open(OpenFlags.O_RDWR, Images.ROOT);
        byte[] block = new byte[fs.blockSize];
        for (int i = 0; i < BLOCKS; i++) {
            block[0] = (byte) i;
            fa.write((long) i * fs.blockSize, block, block.length);
            fb.write((long) i * fs.blockSize, block, block.length);
        }
        if (reservations) assertEquals(2, fs.rsv.count(), "each writer holds a window");
        fa.release();
        fb.release();
        assertEquals(0, fs.rsv.count(), "closing a writer gives its window back");
        int[] runs = {runs(a), runs(b)};
        fs.putSuper();
        Images.assertClean(img);
        return runs;
    }

    private static int runs(Ext2Inode f) {
        int runs = 1;
        for (int i = 1; i < 12; i++) { // the direct blocks: no indirect block in between
            if (Ext2BlockMap.bmap(f, i) != Ext2BlockMap.bmap(f, i - 1) + 1) runs++;
        }
        return runs;
    }

    @Test
    void filesWrittenSideBySideStayInRuns() throws Exception {
        int[] without = interleave(false, "plain.img");
        int[] with = interleave(true, "rsv.img");
        assertEquals(11, without[1] - 1, "without windows the two files alternate block by block");
        // with windows of 8 (then 16) blocks, 12 direct blocks fall into at most two runs
        assertTrue(with[0] <= 2 && with[1] <= 2, "runs with windows: " + with[0] + ", " + with[1]);
    }

    @Test
    void aWellUsedWindowDoublesAndTruncateDropsIt() throws Exception {
        Path img = Images.mke2fs(tmp, "grow.img", 64);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        Ext2Inode a = (Ext2Inode) VfsOps.mknod(m, "/a", Mode.S_IFREG | 0644, 0, Images.ROOT);
        File f = a.open(OpenFlags.O_RDWR, Images.ROOT);
        byte[] block = new byte[fs.blockSize];
        for (int i = 0; i < BLOCKS; i++) f.write((long) i * fs.blockSize, block, block.length);
        assertTrue(a.rsv.goalSize > Ext2Reservations.DEFAULT_RESERVE_BLOCKS, "goal size grew to " + a.rsv.goalSize);
        assertTrue(a.rsv.goalSize <= Ext2Reservations.MAX_RESERVE_BLOCKS);
        Ext2BlockMap.setSize(a, 0);
        assertEquals(0, fs.rsv.count(), "truncate discards the window");
        f.release();
        fs.putSuper();
        Images.assertClean(img);
    }
}
