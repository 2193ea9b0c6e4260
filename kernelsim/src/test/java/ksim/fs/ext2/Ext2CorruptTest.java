package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import ksim.fs.Caller;
import ksim.fs.Mode;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Damaged or unsupported images: refused at mount with a message that says why, the image left
 * exactly as it was; damage met later answers EIO and from then on nothing is written.
 */
class Ext2CorruptTest {
    static final Caller ROOT = Images.ROOT;

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    static byte[] digest(Path p) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
    }

    static void patch(Path img, long pos, byte... bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(pos);
            f.write(bytes);
        }
    }

    static void patch32(Path img, long pos, long v) throws Exception {
        patch(img, pos, (byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24));
    }

    static void debugfsW(Path img, String req) throws Exception {
        var r = E2fsprogs.run("debugfs", "-w", "-R", req, img.toString());
        assertEquals(0, r.rc(), r.out());
    }

    /** A small populated image: /a/b/c directories, a file with data, a symlink. */
    Path populated(String name) throws Exception {
        Path img = Images.mke2fs(tmp, name, 16, "-b", "1024");
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        VfsOps.mkdir(m, "/a", 0755, ROOT);
        VfsOps.mkdir(m, "/a/b", 0755, ROOT);
        VfsOps.mkdir(m, "/a/b/c", 0755, ROOT);
        Images.write(VfsOps.mknod(m, "/a/f", Mode.S_IFREG | 0644, 0, ROOT), 0, new byte[5000]);
        for (int i = 0; i < 20; i++) VfsOps.mknod(m, "/a/b/x" + i, Mode.S_IFREG | 0644, 0, ROOT);
        fs.putSuper();
        Images.assertClean(img);
        return img;
    }

    static String refused(Path img) {
        KernelError e = assertThrows(KernelError.class, () -> Images.mount(img));
        assertEquals(Errno.EINVAL, e.errno());
        return e.getMessage();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "magic         | can't find an ext2 filesystem",
        "blocksize     | bad geometry: first data block",
        "hugeblocksize | unsupported blocksize",
        "recover       | journal needs recovery",
        "extents       | unsupported optional features (40: extents)",
        "64bit         | unsupported optional features (80: 64bit)",
        "metabg        | unsupported optional features (10: meta_bg)",
        "bitmapoutside | Block bitmap for group 1 not in group",
        "tableoutside  | Inode table for group 0 not in group",
        "shortdevice   | exceeds size of device",
        "inodecount    | inodes count",
    })
    void refusedAtMountAndLeftUntouched(String fault, String message) throws Exception {
        Path img = populated(fault + ".img");
        long sb = 1024;
        switch (fault) {
            case "magic" -> patch(img, sb + 0x38, (byte) 0x52, (byte) 0xef);
            case "blocksize" -> {
                patch32(img, sb + 0x18, 2);
                patch32(img, sb + 0x1C, 2);
            }
            case "hugeblocksize" -> patch32(img, sb + 0x18, 9);
            case "recover" -> patch32(img, sb + 0x60, 0x2 | 0x4);
            case "extents" -> patch32(img, sb + 0x60, 0x2 | 0x40);
            case "64bit" -> patch32(img, sb + 0x60, 0x2 | 0x80);
            case "metabg" -> patch32(img, sb + 0x60, 0x2 | 0x10);
            case "bitmapoutside" -> debugfsW(img, "set_bg 1 block_bitmap 3");
            case "tableoutside" -> debugfsW(img, "set_bg 0 inode_table 16383");
            case "shortdevice" -> {
                try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                    f.setLength(f.length() / 2);
                }
            }
            case "inodecount" -> patch32(img, sb + 0x00, 4000);
            default -> throw new IllegalArgumentException(fault);
        }
        byte[] before = digest(img);
        String why = refused(img);
        assertTrue(why.contains(message), why);
        assertTrue(why.startsWith("EINVAL: EXT2-fs (" + img.getFileName() + "): "), why);
        assertArrayEquals(before, digest(img), "a refused image is not written");
    }

    @Test
    void unknownReadOnlyFeaturesAndJournalsMountReadOnly() throws Exception {
        Path img = populated("ro.img");
        patch32(img, 1024 + 0x64, 0x3 | 0x400); // metadata_csum
        byte[] before = digest(img);
        Ext2Fs fs = Images.mount(img);
        assertTrue(fs.readOnly());
        Vfsmount m = Images.vfs(fs);
        assertEquals(20 + 3, countEntries(m, "/a/b"), "x0..x19, c, . and ..");
        KernelError e = assertThrows(KernelError.class, () -> VfsOps.mkdir(m, "/new", 0755, ROOT));
        assertEquals(Errno.EROFS, e.errno());
        fs.putSuper();
        assertArrayEquals(before, digest(img), "a read-only mount writes nothing");

        Path j = populated("journal.img");
        patch32(j, 1024 + 0x5C, 0x38 | 0x4); // has_journal
        fs = Images.mount(j);
        assertTrue(fs.readOnly());
        fs.putSuper();
    }

    static int countEntries(Vfsmount m, String path) {
        int[] n = {0};
        VfsOps.resolve(m, path, ROOT).readdir(ROOT, (name, ino, mode) -> {
            n[0]++;
            return true;
        });
        return n[0];
    }

    /** An operation on a mount that may throw. */
    interface MountOp {
        void run(Vfsmount m) throws Exception;
    }

    /** Mounts, expects op to fail with EIO, checks that writing is over, unmounts; nothing but the superblock changed. */
    void damagedObject(Path img, MountOp op) throws Exception {
        byte[] pre = Files.readAllBytes(img);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        KernelError e = assertThrows(KernelError.class, () -> op.run(m));
        assertEquals(Errno.EIO, e.errno(), e.getMessage());
        assertTrue(fs.errorsSeen());
        KernelError ro = assertThrows(KernelError.class, () -> VfsOps.mkdir(m, "/after", 0755, ROOT));
        assertEquals(Errno.EROFS, ro.errno());
        fs.putSuper();
        byte[] post = Files.readAllBytes(img);
        assertEquals(pre.length, post.length);
        for (int i = 0; i < pre.length; i++) {
            if (i >= 1024 && i < 2048) continue; // mount count, mount time, "not clean"
            if (pre[i] != post[i]) throw new AssertionError("byte " + i + " was written after the damage was found");
        }
        assertEquals(0, post[1024 + 0x3A] & 1, "the filesystem is left marked not clean");
    }

    @Test
    void directoryLoopIsEio() throws Exception {
        Path img = populated("loop.img");
        debugfsW(img, "link /a /a/b/c/up");
        damagedObject(img, m -> VfsOps.resolve(m, "/a/b/c/up", ROOT));
    }

    @Test
    void selfReferenceIsEio() throws Exception {
        Path img = populated("self.img");
        debugfsW(img, "link /a/b /a/b/me");
        damagedObject(img, m -> VfsOps.resolve(m, "/a/b/me", ROOT));
    }

    @Test
    void badRecLenIsEio() throws Exception {
        Path img = populated("reclen.img");
        long blk = firstBlock(img, "/a/b");
        patch(img, blk * 1024 + 12 + 4, (byte) 7, (byte) 0); // rec_len of ".." = 7: unaligned
        damagedObject(img, m -> VfsOps.resolve(m, "/a/b/x1", ROOT));
    }

    @Test
    void inodeNumberOutOfRangeIsEio() throws Exception {
        Path img = populated("ino.img");
        long blk = firstBlock(img, "/a/b");
        patch32(img, blk * 1024 + 24, 99_999_999); // the first entry after "." and ".."
        damagedObject(img, m -> countEntries(m, "/a/b"));
    }

    @Test
    void reservedInodeInADirectoryIsEio() throws Exception {
        Path img = populated("reserved.img");
        debugfsW(img, "link <5> /a/boot");
        damagedObject(img, m -> VfsOps.resolve(m, "/a/boot", ROOT));
    }

    @Test
    void hugeSizeIsEio() throws Exception {
        Path img = populated("size.img");
        debugfsW(img, "sif /a/f size 0x7fffffffffffff00");
        damagedObject(img, m -> VfsOps.resolve(m, "/a/f", ROOT).getattr());
    }

    @Test
    void blockPointerOutsideTheFilesystemIsEio() throws Exception {
        Path img = populated("ptr.img");
        debugfsW(img, "sif /a/f block[1] 99999999");
        damagedObject(img, m -> Images.read(VfsOps.resolve(m, "/a/f", ROOT), 0, 5000));
    }

    @Test
    void freeingAFreeBlockIsEio() throws Exception {
        Path img = populated("freeb.img");
        long blk = firstBlock(img, "/a/f");
        debugfsW(img, "freeb " + blk);
        damagedObject(img, m -> VfsOps.unlink(m, "/a/f", ROOT));
    }

    long firstBlock(Path img, String path) throws Exception {
        for (String line : E2fsprogs.debugfs(img, "blocks " + path).split("\n")) {
            if (!line.isBlank() && !line.startsWith("debugfs")) return Long.parseLong(line.trim().split("\\s+")[0]);
        }
        throw new AssertionError("no blocks for " + path);
    }
}
