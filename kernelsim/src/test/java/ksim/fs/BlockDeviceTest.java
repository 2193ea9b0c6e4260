package ksim.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockDeviceTest {
    @TempDir
    Path tmp;

    private BlockDevice device(long size) throws Exception {
        Path img = tmp.resolve("dev.img");
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.write(ByteBuffer.allocate(1), size - 1);
        }
        return BlockDevice.open(img, false);
    }

    @Test
    void backgroundWritebackStartsOncePerThresholdOfBytesWritten() throws Exception {
        try (BlockDevice dev = device(1 << 20)) {
            List<Long> startedAt = new ArrayList<>();
            dev.setBackgroundWriteback(10_000, () -> startedAt.add(dev.bytesWritten()));
            byte[] chunk = new byte[4096];
            dev.write(0, chunk, 0, chunk.length);                 // 4096
            dev.write(4096, ByteBuffer.wrap(chunk));             // 8192
            assertEquals(List.of(), startedAt, "below the threshold nothing starts");
            dev.writev(8192, new ByteBuffer[] {ByteBuffer.wrap(chunk), ByteBuffer.wrap(chunk)}); // 16384
            assertEquals(List.of(16384L), startedAt, "the write that crosses the threshold starts writeback");
            dev.write(16384, chunk, 0, 2048);                    // 18432: 2048 since the start
            assertEquals(1, startedAt.size());
            dev.write(18432, chunk, 0, chunk.length);            // 22528
            dev.write(22528, chunk, 0, chunk.length);            // 26624: 10240 since the start
            assertEquals(List.of(16384L, 26624L), startedAt, "counted again from the last start");
            assertEquals(26624L, dev.bytesWritten());
        }
    }

    @Test
    void withoutAThresholdWritesOnlyCount() throws Exception {
        try (BlockDevice dev = device(1 << 16)) {
            dev.write(0, new byte[30_000], 0, 30_000);
            assertEquals(30_000L, dev.bytesWritten());
            byte[] back = new byte[10];
            dev.read(100, back, 0, back.length);
            assertEquals(0, back[0]);
            assertEquals(1 << 16, Files.size(dev.path()));
        }
    }
}
