package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ksim.fs.Caller;
import ksim.fs.Iattr;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A workload like the anchor benchmark's (small files, a large sequential file, a tree,
 * symlinks, devices, hard links, renames, truncation, a sparse 5 GiB file) on every kind of
 * image; afterwards e2fsck -fn finds nothing and debugfs reports what was written.
 */
class Ext2WorkloadTest {
    static final Caller ROOT = Images.ROOT;
    static final Caller USER = new Caller(4343, 1000, 1000);

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    private static long field(String stat, String name) {
        Matcher m = Pattern.compile(name + ":\\s+(\\d+)").matcher(stat);
        assertTrue(m.find(), name + " in " + stat);
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest
    @EnumSource(ImageKind.class)
    void workloadThenFsckAndDebugfsAgree(ImageKind kind) throws Exception {
        Path img = kind.make(tmp, 96);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        Random rnd = new Random(7);

        VfsOps.mkdir(m, "/many", 0755, ROOT);
        for (int i = 0; i < 1500; i++) VfsOps.mknod(m, String.format("/many/f%05d", i), Mode.S_IFREG | 0644, 0, ROOT);
        byte[] big = new byte[3 << 20];
        rnd.nextBytes(big);
        Inode seq = VfsOps.mknod(m, "/seq.bin", Mode.S_IFREG | 0644, 0, ROOT);
        for (int off = 0; off < big.length; off += 128 * 1024) {
            byte[] chunk = java.util.Arrays.copyOfRange(big, off, off + 128 * 1024);
            Images.write(seq, off, chunk);
        }
        VfsOps.mkdir(m, "/tree", 0755, ROOT);
        for (int d = 0; d < 5; d++) {
            VfsOps.mkdir(m, "/tree/d" + d, 0750, ROOT);
            for (int f = 0; f < 40; f++) {
                Inode x = VfsOps.mknod(m, "/tree/d" + d + "/file" + f, Mode.S_IFREG | 0600, 0, USER);
                byte[] b = new byte[rnd.nextInt(20000)];
                rnd.nextBytes(b);
                Images.write(x, 0, b);
            }
        }
        VfsOps.symlink(m, "seq.bin", "/fast", ROOT);
        String longTarget = "../".repeat(30) + "target";
        VfsOps.symlink(m, longTarget, "/slow", ROOT);
        VfsOps.mknod(m, "/chr", Mode.S_IFCHR | 0620, (4 << 8) | 64, ROOT);
        long bigDev = (70000L & 0xff) | (300L << 8) | ((70000L & ~0xffL) << 12);
        VfsOps.mknod(m, "/blk", Mode.S_IFBLK | 0660, bigDev, ROOT);
        VfsOps.mknod(m, "/fifo", Mode.S_IFIFO | 0644, 0, ROOT);
        VfsOps.mknod(m, "/sock", Mode.S_IFSOCK | 0755, 0, ROOT);
        VfsOps.link(m, "/seq.bin", "/tree/seq-link", ROOT);
        VfsOps.rename(m, "/tree/d4", "/many/moved", ROOT);
        VfsOps.rename(m, "/tree/d3/file1", "/tree/d2/file1", ROOT);
        for (int i = 0; i < 1500; i += 2) VfsOps.unlink(m, String.format("/many/f%05d", i), ROOT);
        VfsOps.setattr(m, "/tree/d0/file0", Iattr.size(100_000), ROOT);
        VfsOps.setattr(m, "/tree/d0/file1", Iattr.size(3), ROOT);
        VfsOps.setattr(m, "/tree/d0/file2", Iattr.mode(0641), ROOT);
        VfsOps.setattr(m, "/tree/d0/file3", Iattr.owner(70000, 70001), ROOT);
        VfsOps.setattr(m, "/tree/d0/file4", Iattr.times(true, 1_000_000_123_456_789L, true, 1_234_567_890_987_654_321L), ROOT);
        Inode sparse = VfsOps.mknod(m, "/sparse", Mode.S_IFREG | 0644, 0, ROOT);
        Images.write(sparse, 5L << 30, "tail".getBytes());
        for (int f = 0; f < 40; f++) VfsOps.unlink(m, "/tree/d1/file" + f, ROOT);
        VfsOps.rmdir(m, "/tree/d1", ROOT);
        fs.putSuper();
        Images.assertClean(img);

        String st = E2fsprogs.debugfs(img, "stat /seq.bin");
        assertEquals(big.length, field(st, "Size"));
        assertEquals(2, field(st, "Links"));
        Path out = tmp.resolve("seq.out");
        E2fsprogs.debugfs(img, "dump /seq.bin " + out);
        assertArrayEquals(big, Files.readAllBytes(out));
        st = E2fsprogs.debugfs(img, "stat /sparse");
        assertEquals((5L << 30) + 4, field(st, "Size"));
        String ls = E2fsprogs.debugfs(img, "ls -l /");
        assertTrue(ls.contains("20620 (3)") || ls.contains("20620"), ls);
        assertTrue(E2fsprogs.debugfs(img, "stat /fast").contains("Fast link dest: \"seq.bin\""));
        st = E2fsprogs.debugfs(img, "stat /chr");
        assertTrue(st.contains("Device major/minor number: 04:64"), st);
        st = E2fsprogs.debugfs(img, "stat /blk");
        assertTrue(st.contains("Device major/minor number: 300:70000"), st);
        st = E2fsprogs.debugfs(img, "stat /tree/d0/file3");
        assertEquals(70000, field(st, "User"));
        assertEquals(70001, field(st, "Group"));
        st = E2fsprogs.debugfs(img, "stat /tree/d0/file0");
        assertEquals(100_000, field(st, "Size"));
        assertTrue(E2fsprogs.debugfs(img, "ls /tree").indexOf("d1") < 0, "removed directory is gone");

        // everything reads back after a remount, and can be deleted again
        fs = Images.mount(img);
        m = Images.vfs(fs);
        assertArrayEquals(big, Images.read(VfsOps.resolve(m, "/tree/seq-link", ROOT), 0, big.length));
        assertEquals(longTarget, VfsOps.resolve(m, "/slow", ROOT).readlink(ROOT));
        InodeAttr chr = VfsOps.resolve(m, "/chr", ROOT).getattr();
        assertEquals((4 << 8) | 64, chr.rdev());
        assertEquals(bigDev, VfsOps.resolve(m, "/blk", ROOT).getattr().rdev());
        InodeAttr t4 = VfsOps.resolve(m, "/tree/d0/file4", ROOT).getattr();
        if (fs.inodeSize > 128) assertEquals(1_234_567_890_987_654_321L, t4.mtimeNs());
        else assertEquals(1_234_567_890_000_000_000L, t4.mtimeNs());
        byte[] tail = Images.read(VfsOps.resolve(m, "/sparse", ROOT), (5L << 30) - 2, 10);
        assertArrayEquals(new byte[] {0, 0, 't', 'a', 'i', 'l'}, tail);
        byte[] z = Images.read(VfsOps.resolve(m, "/tree/d0/file0", ROOT), 0, 100_000);
        assertEquals(100_000, z.length);
        long before = fs.freeBlocks();
        VfsOps.unlink(m, "/sparse", ROOT);
        VfsOps.unlink(m, "/seq.bin", ROOT);
        VfsOps.unlink(m, "/tree/seq-link", ROOT);
        assertTrue(fs.freeBlocks() > before + big.length / fs.blockSize, "blocks of deleted files are free again");
        for (String d : new String[] {"/tree/d0", "/tree/d2", "/tree/d3", "/many/moved"}) {
            Inode dir = VfsOps.resolve(m, d, ROOT);
            java.util.List<String> names = new java.util.ArrayList<>();
            dir.readdir(ROOT, (n, ino, mode) -> names.add(n));
            for (String n : names) if (!n.equals(".") && !n.equals("..")) VfsOps.unlink(m, d + "/" + n, ROOT);
            VfsOps.rmdir(m, d, ROOT);
        }
        assertFalse(fs.errorsSeen());
        fs.putSuper();
        Images.assertClean(img);
    }
}
