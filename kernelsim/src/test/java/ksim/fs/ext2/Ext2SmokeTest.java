package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import ksim.fs.Inode;
import ksim.fs.Mode;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ext2SmokeTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    @Test
    void basicOperationsLeaveACleanImage() throws Exception {
        Path img = Images.mke2fs(tmp, "a.img", 64);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        var c = Images.ROOT;
        VfsOps.mkdir(m, "/dir", 0755, c);
        Inode f = VfsOps.mknod(m, "/dir/file", Mode.S_IFREG | 0644, 0, c);
        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        Images.write(f, 0, data);
        assertArrayEquals(data, Images.read(f, 0, data.length));
        VfsOps.symlink(m, "file", "/dir/fast", c);
        VfsOps.symlink(m, "x".repeat(100), "/dir/slow", c);
        VfsOps.link(m, "/dir/file", "/hard", c);
        VfsOps.mknod(m, "/chr", Mode.S_IFCHR | 0600, (4 << 8) | 64, c);
        VfsOps.mknod(m, "/fifo", Mode.S_IFIFO | 0600, 0, c);
        for (int i = 0; i < 300; i++) VfsOps.mknod(m, "/dir/f" + i, Mode.S_IFREG | 0644, 0, c);
        for (int i = 0; i < 300; i += 3) VfsOps.unlink(m, "/dir/f" + i, c);
        VfsOps.mkdir(m, "/dir/sub", 0755, c);
        VfsOps.rename(m, "/dir/sub", "/moved", c);
        VfsOps.rename(m, "/dir/f1", "/moved/g1", c);
        Inode sparse = VfsOps.mknod(m, "/sparse", Mode.S_IFREG | 0644, 0, c);
        Images.write(sparse, 5L << 30, "end".getBytes());
        assertEquals((5L << 30) + 3, sparse.getattr().size());
        fs.putSuper();
        Images.assertClean(img);
        String st = E2fsprogs.debugfs(img, "stat /dir/file");
        assertTrue(st.contains("Size: 300000"), st);
        assertTrue(st.contains("Links: 2"), st);

        fs = Images.mount(img);
        m = Images.vfs(fs);
        Inode again = VfsOps.resolve(m, "/hard", c);
        assertArrayEquals(data, Images.read(again, 0, data.length));
        assertEquals("file", VfsOps.resolve(m, "/dir/fast", c).readlink(c));
        assertEquals("x".repeat(100), VfsOps.resolve(m, "/dir/slow", c).readlink(c));
        VfsOps.setattr(m, "/dir/file", ksim.fs.Iattr.size(1000), c);
        VfsOps.unlink(m, "/sparse", c);
        VfsOps.unlink(m, "/hard", c);
        VfsOps.unlink(m, "/dir/file", c);
        fs.putSuper();
        Images.assertClean(img);
    }

    @Test
    void periodicWritebackPutsExpiredMetadataOnDiskWhileMounted() throws Exception {
        Path img = Images.ksimMkfs(tmp, "wb.img", 32);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        VfsOps.mkdir(m, "/d", 0755, Images.ROOT);
        Images.write(VfsOps.mknod(m, "/d/f", Mode.S_IFREG | 0644, 0, Images.ROOT), 0, "written back".getBytes());
        assertTrue(fs.dirty());
        fs.writebackExpired(Long.MAX_VALUE);
        assertTrue(fs.dirty(), "nothing is old enough yet");
        String before = E2fsprogs.debugfs(img, "stat /d");
        assertTrue(before.contains("File not found"), "not on disk before writeback: " + before);
        fs.writebackExpired(0);
        assertTrue(!fs.dirty(), "everything was written");
        assertTrue(E2fsprogs.debugfs(img, "cat /d/f").contains("written back"));
        Images.assertClean(img); // consistent on disk although still mounted (and marked not clean)
        fs.putSuper();
    }
}
