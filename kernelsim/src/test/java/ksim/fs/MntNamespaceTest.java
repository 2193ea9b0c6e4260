package ksim.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ksim.fs.ext2.Ext2Mkfs;
import ksim.kernel.Clock;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.KernelError;
import ksim.mm.slub.KmemCache;
import ksim.mm.slub.Slub;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MntNamespaceTest {
    @TempDir
    Path tmp;
    Kernel k;
    Path image;

    @BeforeEach
    void boot() {
        k = Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL).withBootEpochMs(1_700_000_000_000L).withSeed(7));
        image = tmp.resolve("a.img");
        Ext2Mkfs.make(image, Ext2Mkfs.Params.of(8L << 20));
    }

    private List<String> table() {
        List<String> out = new ArrayList<>();
        for (Mount m : k.mounts().list()) {
            out.add(m.id() + " " + m.parent().id() + " " + m.major() + ":" + m.minor() + " " + m.mountpoint() + " " + m.fstype()
                    + " " + m.peerGroup() + " " + m.source());
        }
        return out;
    }

    @Test
    void bootHasRootfsThenProcAndSysfsEachSharedWithItsOwnIds() {
        List<Mount> l = k.mounts().list();
        assertEquals(List.of("/", "/proc", "/sys"), l.stream().map(Mount::mountpoint).toList());
        assertEquals(List.of("rootfs", "proc", "sysfs"), l.stream().map(Mount::fstype).toList());
        Mount root = l.get(0);
        assertEquals(root, root.parent(), "the namespace's root is its own parent");
        for (Mount m : l) {
            assertEquals(root, m.parent());
            assertEquals(0, m.major(), "anonymous devices");
            assertTrue(m.peerGroup() > 0);
            assertNull(m.sb());
        }
        assertEquals(3, l.stream().map(Mount::id).distinct().count());
        assertEquals(3, l.stream().map(Mount::minor).distinct().count());
        assertEquals(3, l.stream().map(Mount::peerGroup).distinct().count());
        assertTrue(k.filesystems().list().contains(new FileSystems.Type("ext2", true)));
        KmemCache c = k.slub().find("ext2_inode_cache");
        assertNotNull(c, "init_ext2_fs made its inode cache at boot");
        assertNotNull(c.ctor(), "with init_once, so it never merges");
        assertEquals("ext2_inode_cache", c.sysfsName());
    }

    @Test
    void mountAddsALoopDeviceMountAndUmountGivesItsIdsBack() {
        List<String> before = table();
        Mount m = k.mounts().mount("ext2", image.toString(), "/mnt/data", List.of());
        assertEquals(MntNamespace.LOOP_MAJOR, m.major());
        assertEquals(0, m.minor(), "the first loop device");
        assertEquals(k.mounts().list().get(0), m.parent());
        assertEquals(m, k.mounts().find("/mnt/data"));
        assertEquals(before.size() + 1, k.mounts().list().size());
        assertFalse(m.readOnly());
        Mount ro = k.mounts().mount("ext2", copy("b.img").toString(), "/mnt/ro", List.of("ro"));
        assertTrue(ro.readOnly() && ro.sbReadOnly());
        assertEquals(1, ro.minor(), "the next loop device");
        assertTrue(ro.id() > m.id() && ro.peerGroup() > m.peerGroup());
        int freedId = m.id();
        k.mounts().umount("/mnt/data");
        assertNull(k.mounts().find("/mnt/data"));
        Mount again = k.mounts().mount("ext2", image.toString(), "/mnt/again", List.of());
        assertEquals(freedId, again.id(), "mnt_id_ida hands out the lowest free id");
        assertEquals(0, again.minor());
        k.mounts().umount("/mnt/again");
        k.mounts().umount("/mnt/ro");
        assertEquals(before, table());
    }

    private Path copy(String name) {
        try {
            return Files.copy(image, tmp.resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void refusalsCarryTheirErrnoAndChangeNothing() {
        k.mounts().mount("ext2", image.toString(), "/mnt/data", List.of());
        List<String> before = table();
        long objs = inUse("ext2_inode_cache");
        assertErr(Errno.ENODEV, () -> k.mounts().mount("ext4", image.toString(), "/mnt/x", List.of()));
        assertErr(Errno.EINVAL, () -> k.mounts().mount("ext2", image.toString(), "mnt/x", List.of()));
        assertErr(Errno.EINVAL, () -> k.mounts().mount("ext2", image.toString(), "/mnt/../x", List.of()));
        assertErr(Errno.EINVAL, () -> k.mounts().mount("ext2", "a.img", "/mnt/x", List.of()));
        assertErr(Errno.EBUSY, () -> k.mounts().mount("ext2", copy("c.img").toString(), "/mnt/data", List.of()));
        assertErr(Errno.EBUSY, () -> k.mounts().mount("ext2", image.toString(), "/mnt/x", List.of()));
        assertErr(Errno.ENOENT, () -> k.mounts().mount("ext2", tmp.resolve("missing.img").toString(), "/mnt/x", List.of()));
        assertErr(Errno.EINVAL, () -> k.mounts().mount("ext2", copy("d.img").toString(), "/mnt/x", List.of("bogus")));
        assertErr(Errno.EINVAL, () -> k.mounts().mount("ext2", copy("e.img").toString(), "/proc/x", List.of()));
        assertErr(Errno.EINVAL, () -> k.mounts().mount("ext2", copy("f.img").toString(), "/mnt/data/sub", List.of()));
        assertErr(Errno.EBUSY, () -> k.mounts().mount("ext2", copy("g.img").toString(), "/mnt", List.of()));
        assertErr(Errno.EINVAL, () -> k.mounts().umount("/mnt/none"));
        assertErr(Errno.EBUSY, () -> k.mounts().umount("/proc"));
        assertErr(Errno.EBUSY, () -> k.mounts().umount("/"));
        assertEquals(before, table());
        assertEquals(objs, inUse("ext2_inode_cache"), "a refused mount holds no inode");
    }

    private static void assertErr(Errno e, Runnable r) {
        KernelError x = assertThrows(KernelError.class, r::run);
        assertEquals(e, x.errno(), x.getMessage());
    }

    /** Objects allocated from a cache, exactly: per-CPU slabs flushed first, as shrink does. */
    private long inUse(String cache) {
        return k.locked(() -> {
            Slub s = k.slub();
            KmemCache c = s.find(cache);
            for (int cpu = 0; cpu < s.config().cpus(); cpu++) s.flushAll(c, cpu);
            long n = 0;
            for (long v : s.stats(c).objects()) n += v;
            return n;
        });
    }

    @Test
    void inodesDentriesBuffersAndFilesComeFromTheirCachesAndGoBackAtUmount() {
        String[] caches = {"ext2_inode_cache", "dentry", "buffer_head", "filp"};
        long[] base = new long[caches.length];
        for (int i = 0; i < caches.length; i++) base[i] = inUse(caches[i]);
        Mount m = k.mounts().mount("ext2", image.toString(), "/mnt/data", List.of());
        KmemVfsSlab slab = m.slab();
        assertEquals(1, slab.held(VfsSlab.Kind.INODE), "the root inode");
        assertEquals(base[0] + 1, inUse("ext2_inode_cache"));
        int n = 50;
        Vfsmount v = m.vfsmount();
        for (int i = 0; i < n; i++) VfsOps.mknod(v, "/f" + i, Mode.S_IFREG | 0644, 0, Caller.KERNEL);
        VfsOps.mkdir(v, "/d", 0755, Caller.KERNEL);
        assertEquals(1 + n + 1, slab.held(VfsSlab.Kind.INODE));
        assertEquals(base[0] + slab.held(VfsSlab.Kind.INODE), inUse("ext2_inode_cache"));
        assertEquals(1 + n + 1, slab.held(VfsSlab.Kind.DENTRY), "the root's and one per name");
        assertEquals(base[1] + slab.held(VfsSlab.Kind.DENTRY), inUse("dentry"));
        assertTrue(slab.held(VfsSlab.Kind.BUFFER_HEAD) > 0);
        assertEquals(base[2] + slab.held(VfsSlab.Kind.BUFFER_HEAD), inUse("buffer_head"));
        // open files hold a filp until their last close
        Inode f0 = VfsOps.resolve(v, "/f0", Caller.KERNEL);
        File a = v.open(f0, OpenFlags.O_RDWR, Caller.KERNEL);
        File b = v.open(f0, OpenFlags.O_RDWR, Caller.KERNEL);
        assertEquals(base[3] + 2, inUse("filp"));
        v.release(a);
        assertEquals(base[3] + 1, inUse("filp"));
        // an unlinked name drops its dentry; its inode goes once freed
        VfsOps.unlink(v, "/f1", Caller.KERNEL);
        assertEquals(1 + n, slab.held(VfsSlab.Kind.DENTRY));
        k.mounts().umount("/mnt/data");
        for (VfsSlab.Kind kind : VfsSlab.Kind.values()) assertEquals(0, slab.held(kind), kind.name());
        for (int i = 0; i < caches.length; i++) assertEquals(base[i], inUse(caches[i]), caches[i] + " back where it was");
        v.release(b); // a close after the umount frees nothing twice
        assertEquals(base[3], inUse("filp"));
    }

    /**
     * Lock order: a FUSE thread holds its filesystem's lock and waits for the kernel lock to
     * charge a slab object, so a /proc reader under the kernel lock must never wait for that
     * filesystem's lock (mountinfo asks whether the superblock is read-only).
     */
    @Test
    void mountinfoUnderTheKernelLockNeverWaitsForTheFilesystemsLock() throws Exception {
        Mount m = k.mounts().mount("ext2", image.toString(), "/mnt/data", List.of());
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            synchronized (m.sb()) {
                var answer = reader.submit(() -> k.locked(m::readOnly));
                assertEquals(false, answer.get(10, java.util.concurrent.TimeUnit.SECONDS),
                        "the reader finished while the filesystem's lock was held");
            }
        } finally {
            reader.shutdownNow();
            k.mounts().umount("/mnt/data");
        }
    }
}
