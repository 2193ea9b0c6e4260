package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import ksim.fs.Caller;
import ksim.fs.Inode;
import ksim.fs.Mode;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Placement as fs/ext2 does it: Orlov for directories, files near their directory, blocks near the goal. */
class Ext2AllocTest {
    static final Caller ROOT = Images.ROOT;

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    @Test
    void orlovSpreadsTopLevelDirectoriesAndKeepsFilesWithTheirDirectory() throws Exception {
        Path img = Images.mke2fs(tmp, "o.img", 1024);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        // On a fresh 1 GiB image only groups 2, 4 and 6 have at least the average of free blocks
        // (the others hold superblock backups): Orlov puts one new top-level directory in each.
        Set<Integer> groups = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Ext2Inode d = (Ext2Inode) VfsOps.mkdir(m, "/top" + i, 0755, ROOT);
            groups.add(d.group);
            assertTrue(!fs.bgHasSuper(d.group), "group " + d.group + " has more free blocks than average");
        }
        assertEquals(Set.of(2, 4, 6), groups, "three top-level directories land in three groups");
        VfsOps.mkdir(m, "/top3", 0755, ROOT);
        Ext2Inode top = (Ext2Inode) VfsOps.resolve(m, "/top0", ROOT);
        Ext2Inode file = (Ext2Inode) VfsOps.mknod(m, "/top0/f", Mode.S_IFREG | 0644, 0, ROOT);
        assertEquals(top.group, file.group, "a file goes to its directory's group");
        Ext2Inode sub = (Ext2Inode) VfsOps.mkdir(m, "/top0/sub", 0755, ROOT);
        assertEquals(top.group, sub.group, "a subdirectory stays near its parent while the group has room");
        Ext2Inode rootFile = (Ext2Inode) VfsOps.mknod(m, "/rf", Mode.S_IFREG | 0644, 0, ROOT);
        assertEquals(12, rootFile.ino, "the first file in / takes the first free inode");

        // same seed, same choices: a second image gets the same groups
        fs.putSuper();
        Path img2 = Images.mke2fs(tmp, "o2.img", 1024);
        Ext2Fs fs2 = Images.mount(img2);
        Vfsmount m2 = Images.vfs(fs2);
        for (int i = 0; i < 4; i++) {
            Ext2Inode a = (Ext2Inode) VfsOps.mkdir(m2, "/top" + i, 0755, ROOT);
            fs = Images.mount(img);
            Ext2Inode b = (Ext2Inode) VfsOps.resolve(Images.vfs(fs), "/top" + i, ROOT);
            assertEquals(b.ino, a.ino, "seeded Orlov is reproducible");
            fs.putSuper();
        }
        fs2.putSuper();
        Images.assertClean(img);
    }

    @Test
    void sequentialWritesAreContiguousAndIndirectBlocksPrecedeTheirData() throws Exception {
        Path img = Images.mke2fs(tmp, "c.img", 256);
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        Ext2Inode f = (Ext2Inode) VfsOps.mknod(m, "/seq", Mode.S_IFREG | 0644, 0, ROOT);
        int blocks = 2000;
        byte[] chunk = new byte[fs.blockSize * 16];
        for (int i = 0; i < blocks / 16; i++) Images.write(f, (long) i * chunk.length, chunk);
        long first = Ext2BlockMap.bmap(f, 0);
        for (int i = 1; i < 12; i++) assertEquals(first + i, Ext2BlockMap.bmap(f, i), "direct block " + i);
        long ind = f.block[12] & 0xffffffffL;
        assertEquals(first + 12, ind, "the indirect block comes right after block 11");
        assertEquals(ind + 1, Ext2BlockMap.bmap(f, 12), "and its first data block right after it");
        assertEquals(fs.groupOfBlock(first), f.group, "data starts in the inode's group");
        // i_blocks counts data and the indirect block in 512-byte units
        int apb = fs.addrPerBlock;
        long meta = 1 + (blocks > 12 + apb ? 1 + (blocks - 12 - apb + apb - 1) / apb : 0);
        long expected = (blocks + meta) * (long) fs.sectorsPerBlock;
        assertEquals(expected, f.blocks);
        // a second file in another directory starts elsewhere
        Ext2Inode d = (Ext2Inode) VfsOps.mkdir(m, "/d", 0755, ROOT);
        Ext2Inode g = (Ext2Inode) VfsOps.mknod(m, "/d/g", Mode.S_IFREG | 0644, 0, ROOT);
        Images.write(g, 0, new byte[fs.blockSize]);
        assertEquals(d.group, fs.groupOfBlock(Ext2BlockMap.bmap(g, 0)), "a file's first block is in its inode's group");
        assertNotEquals(fs.groupOfBlock(first), fs.groupOfBlock(Ext2BlockMap.bmap(g, 0)));
        fs.putSuper();
        Images.assertClean(img);
        String st = E2fsprogs.debugfs(img, "stat /seq");
        assertTrue(st.contains("Blockcount: " + expected), st);
    }

    @Test
    void truncateFreesIndirectTreesAndRegrowthReadsZeros() throws Exception {
        Path img = Images.mke2fs(tmp, "t.img", 64, "-b", "1024");
        Ext2Fs fs = Images.mount(img);
        Vfsmount m = Images.vfs(fs);
        long free0 = fs.freeBlocks();
        Inode f = VfsOps.mknod(m, "/f", Mode.S_IFREG | 0644, 0, ROOT);
        byte[] ones = new byte[70 * 1024 * 5];
        java.util.Arrays.fill(ones, (byte) 1);
        Images.write(f, 0, ones);
        Images.write(f, 40L << 20, ones); // reaches the double indirect tree
        VfsOps.setattr(m, "/f", ksim.fs.Iattr.size(1000), ROOT);
        assertEquals(free0 - 1, fs.freeBlocks(), "only the first block is left");
        VfsOps.setattr(m, "/f", ksim.fs.Iattr.size(5000), ROOT);
        byte[] back = Images.read(f, 0, 5000);
        for (int i = 0; i < 5000; i++) assertEquals(i < 1000 ? 1 : 0, back[i], "byte " + i);
        fs.putSuper();
        Images.assertClean(img);
    }
}
