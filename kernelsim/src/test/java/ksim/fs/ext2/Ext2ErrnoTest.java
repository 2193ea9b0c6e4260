package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Iattr;
import ksim.fs.Inode;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every failure answers the errno Linux's ext2 answers, and leaves the image clean. */
class Ext2ErrnoTest {
    static final Caller ROOT = Images.ROOT;
    static final Caller USER = new Caller(4343, 1000, 1000);

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    static void errno(Errno e, Executable op) {
        KernelError k = assertThrows(KernelError.class, op);
        assertEquals(e, k.errno(), k.getMessage());
    }

    @Test
    void aPathThroughARemovedFileIsEnoentNotEnotdir() throws Exception {
        Path img = Images.ksimMkfs(tmp, "w.img", 16);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        VfsOps.mknod(m, "/f", Mode.S_IFREG | 0644, 0, ROOT);
        errno(Errno.ENOTDIR, () -> VfsOps.mkdir(m, "/f/s/c", 0755, ROOT));
        VfsOps.unlink(m, "/f", ROOT);
        errno(Errno.ENOENT, () -> VfsOps.mkdir(m, "/f/s/c", 0755, ROOT));
        VfsOps.mkdir(m, "/f", 0755, ROOT);
        VfsOps.mkdir(m, "/f/s", 0755, ROOT);
        VfsOps.mkdir(m, "/f/s/c", 0755, ROOT);
        fs.putSuper();
        Images.assertClean(img);
    }

    @Test
    void namespaceErrors() throws Exception {
        Path img = Images.ksimMkfs(tmp, "e.img", 16);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        VfsOps.mkdir(m, "/d", 0755, ROOT);
        VfsOps.mknod(m, "/d/f", Mode.S_IFREG | 0644, 0, ROOT);
        VfsOps.mkdir(m, "/d/sub", 0755, ROOT);
        VfsOps.mknod(m, "/file", Mode.S_IFREG | 0644, 0, ROOT);

        errno(Errno.ENAMETOOLONG, () -> VfsOps.mknod(m, "/" + "n".repeat(256), Mode.S_IFREG | 0644, 0, ROOT));
        errno(Errno.ENAMETOOLONG, () -> VfsOps.mknod(m, "/" + "é".repeat(128), Mode.S_IFREG | 0644, 0, ROOT));
        VfsOps.mknod(m, "/" + "n".repeat(255), Mode.S_IFREG | 0644, 0, ROOT);
        errno(Errno.EEXIST, () -> VfsOps.mknod(m, "/d/f", Mode.S_IFREG | 0644, 0, ROOT));
        errno(Errno.EEXIST, () -> VfsOps.mkdir(m, "/d", 0755, ROOT));
        errno(Errno.EEXIST, () -> VfsOps.symlink(m, "x", "/file", ROOT));
        errno(Errno.EEXIST, () -> VfsOps.link(m, "/file", "/d/f", ROOT));
        errno(Errno.ENOTEMPTY, () -> VfsOps.rmdir(m, "/d", ROOT));
        errno(Errno.ENOTDIR, () -> VfsOps.rmdir(m, "/file", ROOT));
        errno(Errno.ENOTDIR, () -> VfsOps.mknod(m, "/file/x", Mode.S_IFREG | 0644, 0, ROOT));
        errno(Errno.ENOTDIR, () -> VfsOps.resolve(m, "/file/x", ROOT));
        errno(Errno.EISDIR, () -> VfsOps.unlink(m, "/d", ROOT));
        errno(Errno.EISDIR, () -> VfsOps.resolve(m, "/d", ROOT).open(OpenFlags.O_RDONLY, ROOT));
        errno(Errno.EISDIR, () -> VfsOps.rename(m, "/file", "/d/sub", ROOT));
        errno(Errno.ENOTDIR, () -> VfsOps.rename(m, "/d/sub", "/file", ROOT));
        errno(Errno.ENOTEMPTY, () -> {
            VfsOps.mkdir(m, "/full", 0755, ROOT);
            VfsOps.mknod(m, "/full/x", Mode.S_IFREG | 0644, 0, ROOT);
            VfsOps.rename(m, "/d/sub", "/full", ROOT);
        });
        errno(Errno.EINVAL, () -> VfsOps.rename(m, "/d", "/d/sub/below", ROOT));
        errno(Errno.ENOENT, () -> VfsOps.unlink(m, "/nothing", ROOT));
        errno(Errno.ENOENT, () -> VfsOps.rename(m, "/nothing", "/x", ROOT));
        errno(Errno.ENOENT, () -> VfsOps.mknod(m, "/nothing/x", Mode.S_IFREG | 0644, 0, ROOT));
        errno(Errno.EPERM, () -> VfsOps.link(m, "/d", "/dlink", ROOT));
        errno(Errno.EISDIR, () -> VfsOps.setattr(m, "/d", Iattr.size(0), ROOT));
        errno(Errno.EINVAL, () -> VfsOps.resolve(m, "/file", ROOT).readlink(ROOT));

        // link across two filesystems
        Path img2 = Images.ksimMkfs(tmp, "other.img", 8);
        Ext2Fs fs2 = Images.mount(img2);
        Inode there = fs2.root();
        errno(Errno.EXDEV, () -> there.link("x", VfsOps.resolve(m, "/file", ROOT), ROOT));
        errno(Errno.EXDEV, () -> VfsOps.resolve(m, "/d", ROOT).rename("f", there, "f", ROOT));
        fs2.putSuper();

        // renaming onto itself, onto a hard link of itself, and over an empty directory work
        VfsOps.rename(m, "/file", "/file", ROOT);
        VfsOps.link(m, "/file", "/file2", ROOT);
        VfsOps.rename(m, "/file", "/file2", ROOT);
        assertEquals(2, VfsOps.resolve(m, "/file", ROOT).getattr().nlink());
        VfsOps.mkdir(m, "/empty", 0755, ROOT);
        VfsOps.rename(m, "/d/sub", "/empty", ROOT);
        assertEquals(2, VfsOps.resolve(m, "/d", ROOT).getattr().nlink(), "the moved directory's parent lost a link");
        fs.putSuper();
        Images.assertClean(img);
        Images.assertClean(img2);
    }

    @Test
    void readOnlyMountRefusesChangesWithErofs() throws Exception {
        Path img = Images.ksimMkfs(tmp, "ro.img", 8);
        Ext2Fs fs = Ext2Fs.mount(img, Ext2Fs.Options.defaults().withReadOnly(true));
        Vfsmount m = Images.vfs(fs);
        errno(Errno.EROFS, () -> VfsOps.mkdir(m, "/x", 0755, ROOT));
        errno(Errno.EROFS, () -> VfsOps.mknod(m, "/x", Mode.S_IFREG, 0, ROOT));
        errno(Errno.EROFS, () -> VfsOps.resolve(m, "/lost+found", ROOT).mkdir("y", 0700, ROOT));
        assertEquals(2, VfsOps.resolve(m, "/lost+found", ROOT).getattr().nlink());
        fs.putSuper();
    }

    @Test
    void fullFilesystemAnswersEnospcForBlocksAndInodes() throws Exception {
        Path img = Images.mke2fs(tmp, "small.img", 4, "-N", "64", "-m", "5");
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        // inodes first: the 64-inode filesystem runs out
        KernelError noInode = null;
        int made = 0;
        try {
            for (; made < 100; made++) VfsOps.mknod(m, "/i" + made, Mode.S_IFREG | 0644, 0, ROOT);
        } catch (KernelError e) {
            noInode = e;
        }
        assertTrue(noInode != null && noInode.errno() == Errno.ENOSPC, "inodes ran out with ENOSPC after " + made);
        for (int i = 0; i < made; i++) VfsOps.unlink(m, "/i" + i, ROOT);

        // then blocks: a user stops at the reserved blocks, root may go on to the last block
        Inode f = VfsOps.mknod(m, "/fill", Mode.S_IFREG | 0666, 0, USER);
        File uf = f.open(OpenFlags.O_WRONLY, USER);
        byte[] chunk = new byte[64 * 1024];
        long off = 0;
        KernelError full = null;
        try {
            while (true) {
                int n = uf.write(off, chunk, chunk.length);
                off += n;
                if (n < chunk.length) {
                    uf.write(off, chunk, chunk.length);
                }
            }
        } catch (KernelError e) {
            full = e;
        }
        uf.release();
        assertEquals(Errno.ENOSPC, full.errno());
        long reserved = fs.es.rBlocksCount();
        assertTrue(fs.freeBlocks() <= reserved && fs.freeBlocks() > 0, "user stops at the reserve: free=" + fs.freeBlocks());
        File rf = f.open(OpenFlags.O_WRONLY, ROOT);
        try {
            while (true) {
                int n = rf.write(off, chunk, chunk.length);
                off += n;
            }
        } catch (KernelError e) {
            assertEquals(Errno.ENOSPC, e.errno());
        }
        rf.release();
        assertEquals(0, fs.freeBlocks(), "root may use the reserve");
        assertEquals(off, f.getattr().size(), "short writes are counted in the size");
        errno(Errno.ENOSPC, () -> VfsOps.mkdir(m, "/nodir", 0755, ROOT));
        fs.putSuper();
        Images.assertClean(img);
        fs = Images.mount(img);
        VfsOps.unlink(Images.vfs(fs), "/fill", ROOT);
        fs.putSuper();
        Images.assertClean(img);
    }

    @Test
    void tooLargeFilesFailWithEfbig() throws Exception {
        Path img = Images.mke2fs(tmp, "big.img", 8, "-b", "1024");
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        Inode f = VfsOps.mknod(m, "/f", Mode.S_IFREG | 0644, 0, ROOT);
        File w = f.open(OpenFlags.O_WRONLY, ROOT);
        errno(Errno.EFBIG, () -> w.write(fs.maxFileSize, new byte[1], 1));
        w.release();
        errno(Errno.EFBIG, () -> VfsOps.setattr(m, "/f", Iattr.size(fs.maxFileSize + 1), ROOT));
        VfsOps.setattr(m, "/f", Iattr.size(3L << 30), ROOT);
        assertEquals(3L << 30, f.getattr().size());
        fs.putSuper();
        Images.assertClean(img);
    }

    @Test
    void unlinkedOpenFileLivesUntilLastClose() throws Exception {
        Path img = Images.ksimMkfs(tmp, "orphan.img", 16);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        Inode f = VfsOps.mknod(m, "/f", Mode.S_IFREG | 0644, 0, ROOT);
        File open = f.open(OpenFlags.O_RDWR, ROOT);
        byte[] data = "still here".getBytes();
        open.write(0, data, data.length);
        long freeInodes = fs.freeInodes();
        VfsOps.unlink(m, "/f", ROOT);
        errno(Errno.ENOENT, () -> VfsOps.resolve(m, "/f", ROOT));
        assertEquals(0, f.getattr().nlink());
        assertEquals(freeInodes, fs.freeInodes(), "the inode is not freed while open");
        byte[] back = new byte[data.length];
        open.read(0, back, 0, back.length);
        assertArrayEquals(data, back);
        open.write(data.length, data, data.length);
        open.release();
        assertEquals(freeInodes + 1, fs.freeInodes(), "freed at the last close");
        fs.putSuper();
        Images.assertClean(img);
    }
}
