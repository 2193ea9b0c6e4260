package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.OpenFlags;
import ksim.fs.Vfsmount;

/** Making, mounting and checking test images. */
final class Images {
    static final Caller ROOT = new Caller(4242, 0, 0);

    private Images() {}

    /** An image made by mke2fs with the given extra options (e.g. "-b", "1024"). */
    static Path mke2fs(Path dir, String name, int mib, String... opts) throws IOException, InterruptedException {
        Path img = dir.resolve(name);
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), ((long) mib << 20) - 1);
        }
        List<String> cmd = new ArrayList<>(List.of("mkfs.ext2", "-q", "-F"));
        cmd.addAll(List.of(opts));
        cmd.add(img.toString());
        var r = E2fsprogs.run(cmd.toArray(new String[0]));
        assertEquals(0, r.rc(), r.out());
        return img;
    }

    /** An image made by ksim's own mkfs. */
    static Path ksimMkfs(Path dir, String name, int mib) {
        Path img = dir.resolve(name);
        Ext2Mkfs.make(img, Ext2Mkfs.Params.of((long) mib << 20).withIds(UUID.randomUUID(), UUID.randomUUID()));
        return img;
    }

    static Ext2Fs mount(Path img) {
        return Ext2Fs.mount(img, Ext2Fs.Options.defaults());
    }

    static Vfsmount vfs(Ext2Fs fs) {
        return new Vfsmount(fs, false);
    }

    static void write(Inode file, long off, byte[] data) {
        File f = file.open(OpenFlags.O_RDWR, ROOT);
        try {
            int n = f.write(off, data, data.length);
            assertEquals(data.length, n);
        } finally {
            f.release();
        }
    }

    static byte[] read(Inode file, long off, int len) {
        File f = file.open(OpenFlags.O_RDONLY, ROOT);
        try {
            byte[] b = new byte[len];
            int got = 0;
            while (got < len) {
                int n = f.read(off + got, b, got, len - got);
                if (n <= 0) break;
                got += n;
            }
            return java.util.Arrays.copyOf(b, got);
        } finally {
            f.release();
        }
    }

    /** e2fsck -fn must find nothing to fix. */
    static void assertClean(Path img) throws IOException, InterruptedException {
        var r = E2fsprogs.fsck(img);
        assertEquals(0, r.rc(), "e2fsck -fn " + img + ":\n" + r.out());
    }
}
