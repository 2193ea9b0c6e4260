package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readahead of a sequential reader's next blocks: what the device is asked for, compared with the block map. */
class Ext2ReadaheadTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    private record Hint(long pos, long len) {}

    /** Every byte of the image the file's logical range [from, to) maps to, block by block. */
    private static List<Long> physical(Ext2Inode i, long from, long to) {
        List<Long> out = new ArrayList<>();
        int bs = i.fs.blockSize;
        for (long b = from / bs; b < (to + bs - 1) / bs; b++) out.add(Ext2BlockMap.bmap(i, b) * bs);
        return out;
    }

    private static List<Long> hinted(List<Hint> hints, int bs) {
        List<Long> out = new ArrayList<>();
        for (Hint h : hints) for (long p = h.pos(); p < h.pos() + h.len(); p += bs) out.add(p);
        return out;
    }

    @Test
    void aSequentialReaderHasTheNextWindowReadAheadAndItsDataIsUnchanged() throws Exception {
        Path img = Images.mke2fs(tmp, "ra.img", 64);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        Inode f = VfsOps.mknod(m, "/big", Mode.S_IFREG | 0644, 0, Images.ROOT);
        byte[] data = new byte[(int) (Ext2File.RA_WINDOW * 2 + 12345)];
        new Random(3).nextBytes(data);
        Images.write(f, 0, data);
        List<Hint> hints = new ArrayList<>();
        fs.device().setReadahead((pos, len) -> hints.add(new Hint(pos, len)));
        Ext2Inode ei = (Ext2Inode) f;
        int bs = fs.blockSize();

        File file = f.open(OpenFlags.O_RDONLY, Images.ROOT);
        ByteBuffer chunk = ByteBuffer.allocate(128 * 1024);
        byte[] back = new byte[data.length];
        long off = 0;
        int n = file.read(off, chunk);
        assertEquals(chunk.capacity(), n);
        assertEquals(physical(ei, n, Ext2File.RA_WINDOW + n), hinted(hints, bs),
                "the first read asks for the window after it, in the file's block order");
        chunk.flip().get(back, 0, n);
        off += n;
        while (off < data.length) {
            chunk.clear();
            n = file.read(off, chunk);
            chunk.flip().get(back, (int) off, n);
            off += n;
        }
        assertArrayEquals(data, back, "readahead changes nothing read");
        assertEquals(physical(ei, chunk.capacity(), data.length), hinted(hints, bs),
                "every block after the first read was read ahead exactly once, up to the end of the file");
        file.release();
        fs.putSuper();
        Images.assertClean(img);
    }

    @Test
    void randomReadsAskForNothing() throws Exception {
        Path img = Images.mke2fs(tmp, "rr.img", 64);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        Inode f = VfsOps.mknod(m, "/big", Mode.S_IFREG | 0644, 0, Images.ROOT);
        Images.write(f, 0, new byte[3 << 20]);
        List<Hint> hints = new ArrayList<>();
        fs.device().setReadahead((pos, len) -> hints.add(new Hint(pos, len)));
        File file = f.open(OpenFlags.O_RDONLY, Images.ROOT);
        for (long at : new long[] {2 << 20, 1 << 20, 100_000, 2_500_000}) file.read(at, ByteBuffer.allocate(4096));
        assertTrue(hints.isEmpty(), "no sequential reader, no readahead: " + hints);
        file.release();
        fs.putSuper();
    }
}
