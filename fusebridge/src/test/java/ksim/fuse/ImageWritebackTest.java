package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import ksim.fs.BlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageWritebackTest {
    @TempDir
    Path tmp;

    private Path image(long size) throws Exception {
        Path img = tmp.resolve("w.img");
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.write(ByteBuffer.allocate(1), size - 1);
        }
        return img;
    }

    @Test
    void writingPastTheThresholdStartsOneSuccessfulWriteback() throws Exception {
        Path img = image(ImageWriteback.EVERY_BYTES * 2);
        try (BlockDevice dev = BlockDevice.open(img, false)) {
            ImageWriteback w = ImageWriteback.attach(dev, img);
            assertNotNull(w, "libc's sync_file_range is reachable on Linux");
            byte[] mib = new byte[1 << 20];
            long n = ImageWriteback.EVERY_BYTES / mib.length - 1;
            for (long i = 0; i < n; i++) dev.write(i * mib.length, mib, 0, mib.length);
            w.close();
            assertEquals(0, w.started(), "below the threshold nothing is started");
        }
        try (BlockDevice dev = BlockDevice.open(img, false)) {
            ImageWriteback w = ImageWriteback.attach(dev, img);
            byte[] mib = new byte[1 << 20];
            for (long i = 0; i * mib.length < ImageWriteback.EVERY_BYTES; i++) dev.write(i * mib.length, mib, 0, mib.length);
            w.close();
            assertEquals(1, w.started());
            assertTrue(w.failures() == 0, "sync_file_range succeeded");
        }
    }

    @Test
    void readaheadHintsReachTheHost() throws Exception {
        Path img = image(8L << 20);
        try (BlockDevice dev = BlockDevice.open(img, true)) {
            ImageReadahead r = ImageReadahead.attach(dev, img);
            assertNotNull(r, "libc's posix_fadvise is reachable on Linux");
            assertTrue(dev.wantsReadahead());
            dev.readahead(0, 1 << 20);
            dev.readahead(4L << 20, 1 << 20);
            r.close();
            assertEquals(2, r.accepted());
        }
    }

    @Test
    void aReadOnlyDeviceGetsNone() throws Exception {
        Path img = image(1 << 20);
        try (BlockDevice dev = BlockDevice.open(img, true)) {
            assertNull(ImageWriteback.attach(dev, img));
        }
    }
}
