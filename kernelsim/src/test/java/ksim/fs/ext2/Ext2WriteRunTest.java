package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import ksim.fs.Inode;
import ksim.fs.Mode;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes that start and end inside fresh blocks: one device write per contiguous run, zeros around the data. */
class Ext2WriteRunTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    @Test
    void aWriteInsideFreshBlocksPadsThemWithZerosInOneDeviceWrite() throws Exception {
        Path img = Images.mke2fs(tmp, "w.img", 64);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        Inode f = VfsOps.mknod(m, "/f", Mode.S_IFREG | 0644, 0, Images.ROOT);
        int bs = fs.blockSize();
        Ext2Inode ei = (Ext2Inode) f;
        byte[] data = new byte[2 * bs];
        new Random(5).nextBytes(data);
        int at = 1000;
        int[] writes = new int[1];
        fs.device().setBackgroundWriteback(1, () -> writes[0]++);   // runs once per device write
        long before = fs.device().bytesWritten();
        Images.write(f, at, data);
        long spanned = ((at + data.length + bs - 1) / bs) * (long) bs;
        assertEquals(spanned, fs.device().bytesWritten() - before, "the three fresh blocks are written whole");
        assertEquals(1, writes[0], "in one device write");
        byte[] whole = Images.read(f, 0, at + data.length);
        byte[] expect = new byte[at + data.length];
        System.arraycopy(data, 0, expect, at, data.length);
        assertArrayEquals(expect, whole);
        // on the device, past the end of the data in its last block: zeros
        long last = Ext2BlockMap.bmap(ei, (at + data.length) / bs);
        byte[] blk = new byte[bs];
        fs.device().read(last * bs, blk, 0, bs);
        int end = (at + data.length) % bs;
        assertArrayEquals(new byte[bs - end], Arrays.copyOfRange(blk, end, bs));
        // writing into the middle of existing blocks writes only the bytes given
        before = fs.device().bytesWritten();
        writes[0] = 0;
        Images.write(f, 10, new byte[] {1, 2, 3});
        assertEquals(3, fs.device().bytesWritten() - before);
        assertEquals(1, writes[0]);
        fs.putSuper();
        Images.assertClean(img);
    }
}
