package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ksim's mkfs against mke2fs: with the same UUID, hash seed and time, the images must be
 * identical byte for byte, for each size class and the options the tests use; e2fsck finds
 * them clean.
 */
class Ext2MkfsTest {
    static final UUID UUID_ = UUID.fromString("6b8f6f0e-2c1a-4d7e-9a55-0e2a1c3b4d5e");
    static final UUID SEED = UUID.fromString("0d1c2b3a-4f5e-4a7b-8c9d-0e1f2a3b4c5d");
    static final long TIME = 1700000000L;

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    @ParameterizedTest
    @CsvSource({
        "2, 0, 0, true",
        "64, 0, 0, true",
        "64, 4096, 0, true",
        "64, 0, 128, true",
        "64, 0, 0, false",
        "65, 1024, 0, true",
        "300, 2048, 0, true",
        "1024, 0, 0, true",
        "1024, 1024, 128, false",
        "2100, 0, 0, true",
    })
    void sameImageAsMke2fs(int mib, int bs, int isize, boolean dirIndex) throws Exception {
        Path theirs = tmp.resolve("mke2fs.img");
        Path ours = tmp.resolve("ksim.img");
        long size = (long) mib << 20;
        try (var ch = java.nio.channels.FileChannel.open(theirs, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1);
        }
        List<String> cmd = new ArrayList<>(List.of("mkfs.ext2", "-q", "-F", "-U", UUID_.toString(), "-E", "hash_seed=" + SEED));
        if (bs != 0) cmd.addAll(List.of("-b", Integer.toString(bs)));
        if (isize != 0) cmd.addAll(List.of("-I", Integer.toString(isize)));
        if (!dirIndex) cmd.addAll(List.of("-O", "^dir_index"));
        cmd.add(theirs.toString());
        var r = E2fsprogs.run(Map.of("E2FSPROGS_FAKE_TIME", Long.toString(TIME)), cmd.toArray(new String[0]));
        assertEquals(0, r.rc(), r.out());

        Ext2Mkfs.Params p = Ext2Mkfs.Params.of(size).withBlockSize(bs).withInodeSize(isize).withDirIndex(dirIndex)
                .withIds(UUID_, SEED).withTime(TIME);
        Ext2Mkfs.make(ours, p);
        var fsck = E2fsprogs.fsck(ours);
        assertEquals(0, fsck.rc(), fsck.out());

        assertEquals(Files.size(theirs), Files.size(ours), "image size");
        StringBuilder diffs = new StringBuilder();
        int n = 0;
        try (var ia = Files.newInputStream(theirs); var ib = Files.newInputStream(ours)) {
            byte[] a = new byte[1 << 20];
            byte[] b = new byte[1 << 20];
            long base = 0;
            for (;;) {
                int ra = ia.readNBytes(a, 0, a.length);
                int rb = ib.readNBytes(b, 0, b.length);
                if (ra <= 0) break;
                for (int i = 0; i < ra && n < 20; i++) {
                    if (a[i] != b[i]) {
                        long at = base + i;
                        diffs.append(String.format("byte %d (1K block %d + %d): mke2fs %02x ksim %02x%n", at, at / 1024, at % 1024, a[i] & 0xff, b[i] & 0xff));
                        n++;
                    }
                }
                base += ra;
            }
        }
        assertTrue(n == 0, "images differ:\n" + diffs);
    }
}
