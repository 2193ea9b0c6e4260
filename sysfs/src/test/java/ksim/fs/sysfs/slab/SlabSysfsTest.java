package ksim.fs.sysfs.slab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.Namei;
import ksim.fs.OpenFlags;
import ksim.fs.sysfs.SysFs;
import ksim.kernel.Clock;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.KernelError;
import ksim.mm.slub.CacheStats;
import ksim.mm.slub.KmemCache;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /sys/kernel/slab as spec 2 describes it, read and written through the VFS interfaces. */
class SlabSysfsTest {
    private Kernel k;
    private SysFs fs;

    @BeforeEach
    void boot() {
        k = Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL).withBootEpochMs(1_700_000_000_000L).withSeed(3));
        fs = new SysFs(k);
    }

    private Inode walk(String path) {
        return Namei.walk(fs.root(), path, Caller.KERNEL);
    }

    private String read(String path) {
        File f = walk(path).open(OpenFlags.O_RDONLY, Caller.KERNEL);
        byte[] buf = new byte[8192];
        int n = f.read(0, buf, 0, buf.length);
        return new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    private int write(String path, String data) {
        File f = walk(path).open(OpenFlags.O_WRONLY, Caller.KERNEL);
        byte[] b = data.getBytes(StandardCharsets.ISO_8859_1);
        return f.write(0, b, b.length);
    }

    private Errno writeErrno(String path, String data) {
        return assertThrows(KernelError.class, () -> write(path, data)).errno();
    }

    private Map<String, Integer> list(String path) {
        Map<String, Integer> m = new LinkedHashMap<>();
        walk(path).readdir(Caller.KERNEL, (name, ino, mode) -> {
            m.put(name, mode);
            return true;
        });
        return m;
    }

    @Test
    void theTreeHasADirectoryPerCacheAndALinkPerMergedName() {
        Map<String, Integer> entries = list("/kernel/slab");
        int dirs = 0;
        int links = 0;
        for (var e : entries.entrySet()) {
            if (e.getKey().startsWith(".")) continue;
            if (Mode.isDir(e.getValue())) dirs++;
            else if (Mode.isLnk(e.getValue())) links++;
            else throw new AssertionError("neither directory nor link: " + e.getKey());
        }
        int caches = k.slub().caches().size();
        assertEquals(caches, dirs, "one directory per kmem_cache");
        assertEquals(k.slub().sysfsLinks().size(), links);
        InodeAttr root = walk("/kernel/slab").getattr();
        assertEquals(Mode.S_IFDIR | 0755, root.mode());
        assertEquals(2 + dirs, root.nlink());
        assertEquals(":A-0000192", walk("/kernel/slab/pid").readlink(Caller.KERNEL));
        assertEquals(":A-0000192", walk("/kernel/slab/cred").readlink(Caller.KERNEL));
        assertTrue(Mode.isLnk(walk("/kernel/slab/pid").getattr().mode()));
        assertEquals("2\n", read("/kernel/slab/:A-0000192/aliases"), "cred and pid_2 merged into pid's cache");
        // For every id directory, the links pointing at it number aliases + 1.
        Map<String, Integer> linksTo = new LinkedHashMap<>();
        for (String target : k.slub().sysfsLinks().values()) linksTo.merge(target, 1, Integer::sum);
        for (String d : entries.keySet()) {
            if (!d.startsWith(":")) continue;
            int aliases = Integer.parseInt(read("/kernel/slab/" + d + "/aliases").strip());
            assertEquals(aliases + 1, linksTo.getOrDefault(d, 0), d);
        }
    }

    @Test
    void everyCacheDirectoryHasTheThirtyFilesWithTheirModes() {
        List<String> rw = List.of("cpu_partial", "min_partial", "remote_node_defrag_ratio", "shrink", "validate");
        Map<String, Integer> files = list("/kernel/slab/kmalloc-64");
        files.remove(".");
        files.remove("..");
        assertEquals(30, files.size());
        assertEquals(List.of("aliases", "align", "cache_dma", "cpu_partial", "cpu_slabs", "ctor", "destroy_by_rcu",
                "hwcache_align", "min_partial", "object_size", "objects", "objects_partial", "objs_per_slab", "order",
                "partial", "poison", "reclaim_account", "red_zone", "remote_node_defrag_ratio", "sanity_checks",
                "sheaf_capacity", "shrink", "slab_size", "slabs", "slabs_cpu_partial", "store_user", "total_objects",
                "trace", "usersize", "validate"), new ArrayList<>(files.keySet()));
        for (String f : files.keySet()) {
            InodeAttr a = walk("/kernel/slab/kmalloc-64/" + f).getattr();
            assertEquals(Mode.S_IFREG | (rw.contains(f) ? 0600 : 0400), a.mode(), f);
            assertEquals(4096, a.size(), f + " st_size");
            assertEquals(0, a.uid());
        }
        InodeAttr dir = walk("/kernel/slab/kmalloc-64").getattr();
        assertEquals(Mode.S_IFDIR | 0755, dir.mode());
        assertEquals(2, dir.nlink());
    }

    @Test
    void filesShowTheModel() {
        KmemCache s = k.slub().find("kmalloc-64");
        CacheStats st = k.slub().stats(s);
        long objects = CacheStats.sum(st.objects());
        assertEquals(objects + " N0=" + objects + "\n", read("/kernel/slab/kmalloc-64/objects"));
        assertEquals(CacheStats.sum(st.slabs()) + " N0=" + CacheStats.sum(st.slabs()) + "\n", read("/kernel/slab/kmalloc-64/slabs"));
        assertEquals("64\n", read("/kernel/slab/kmalloc-64/usersize"));
        assertEquals("120\n", read("/kernel/slab/kmalloc-64/cpu_partial"));
        assertEquals("100\n", read("/kernel/slab/kmalloc-64/remote_node_defrag_ratio"));
        assertEquals("", read("/kernel/slab/kmalloc-64/ctor"), "no ctor: zero bytes");
        assertEquals("", read("/kernel/slab/kmalloc-64/shrink"));
        assertEquals("", read("/kernel/slab/kmalloc-64/validate"));
        assertEquals("anon_vma_ctor+0x0/0x50\n", read("/kernel/slab/anon_vma/ctor"));
        assertEquals("init_once+0x0/0x10\n", read("/kernel/slab/inode_cache/ctor"));
        assertEquals("1\n", read("/kernel/slab/dentry/reclaim_account"));
        assertEquals("1\n", read("/kernel/slab/filp/destroy_by_rcu"));
        assertEquals("1\n", read("/kernel/slab/dma-kmalloc-64/cache_dma"));
        assertEquals("0\n", read("/kernel/slab/dma-kmalloc-64/total_objects"), "a zero total prints no N part");
        assertEquals("0(0)\n", read("/kernel/slab/dma-kmalloc-64/slabs_cpu_partial"));
        assertEquals("32\n", read("/kernel/slab/vm_area_struct/sheaf_capacity"));
        assertEquals("4288\n", read("/kernel/slab/task_struct/slab_size"));
        assertEquals("4240\n", read("/kernel/slab/task_struct/object_size"));
        assertEquals("848\n", read("/kernel/slab/task_struct/usersize"));
        assertEquals("6\n", read("/kernel/slab/task_struct/min_partial"));
        assertEquals("0\n", read("/kernel/slab/:A-0000064/hwcache_align"), "fs_cache's HWCACHE_ALIGN is not recorded");
        assertEquals("0\n", read("/kernel/slab/kmem_cache/aliases"), "refcount -1 shows as 0");
        // slabs_cpu_partial: half-full estimate per chain, and its slab count.
        int[] chains = st.chainSlabs();
        String scp = read("/kernel/slab/kmalloc-64/slabs_cpu_partial");
        int sum = chains[0] + chains[1];
        StringBuilder want = new StringBuilder().append(sum * 64 / 2).append('(').append(sum).append(')');
        for (int c = 0; c < 2; c++) if (chains[c] > 0) want.append(" C").append(c).append('=').append(chains[c] * 32).append('(').append(chains[c]).append(')');
        assertEquals(want + "\n", scp);
        // pread at an offset returns the tail.
        File f = walk("/kernel/slab/kmalloc-64/objects").open(OpenFlags.O_RDONLY, Caller.KERNEL);
        byte[] buf = new byte[100];
        String whole = read("/kernel/slab/kmalloc-64/objects");
        int n = f.read(3, buf, 0, buf.length);
        assertEquals(whole.substring(3), new String(buf, 0, n, StandardCharsets.US_ASCII));
    }

    @Test
    void writesParseLikeTheKernelAndAnswerItsErrnos() {
        String mp = "/kernel/slab/kmalloc-64/min_partial";
        for (String bad : new String[] {"abc", "-1", " 7", "0x7", "7\n\n", "\n", "", "7 "}) {
            if (bad.isEmpty()) continue;
            assertEquals(Errno.EINVAL, writeErrno(mp, bad), "min_partial <- [" + bad + "]");
        }
        assertEquals(Errno.ERANGE, writeErrno(mp, "99999999999999999999999"));
        assertEquals(2, write(mp, "7\n"));
        assertEquals("7\n", read(mp));
        assertEquals(2, write(mp, "+8"));
        assertEquals("8\n", read(mp));
        assertEquals(20, write(mp, "18446744073709551615"), "the whole unsigned long range");
        assertEquals("18446744073709551615\n", read(mp));
        write(mp, "5");
        assertEquals(0, write(mp, ""), "a zero-byte write stores nothing");
        assertEquals("5\n", read(mp));

        String cp = "/kernel/slab/kmalloc-8k/cpu_partial";
        assertEquals(Errno.EINVAL, writeErrno(cp, "-1"));
        assertEquals(Errno.ERANGE, writeErrno(cp, "4294967296"));
        k.locked(() -> {
            KmemCache s = k.slub().find("kmalloc-8k");
            k.slub().alloc(s, 0);
            k.slub().alloc(s, 1);
        });
        assertTrue(read("/kernel/slab/kmalloc-8k/cpu_slabs").startsWith("2 "), "both CPUs hold a slab");
        String partialBefore = read("/kernel/slab/kmalloc-8k/partial");
        assertEquals(1, write(cp, "6"));
        assertEquals("0\n", read("/kernel/slab/kmalloc-8k/cpu_slabs"), "a cpu_partial write flushes every CPU");
        assertTrue(Long.parseLong(read("/kernel/slab/kmalloc-8k/partial").split("[ \n]")[0])
                >= Long.parseLong(partialBefore.split("[ \n]")[0]) + 2);

        String rn = "/kernel/slab/kmalloc-64/remote_node_defrag_ratio";
        assertEquals(Errno.ERANGE, writeErrno(rn, "101"));
        assertEquals(Errno.EINVAL, writeErrno(rn, "-5"));
        write(rn, "30");
        assertEquals("30\n", read(rn));

        String sh = "/kernel/slab/kmalloc-2k/shrink";
        assertEquals(Errno.EINVAL, writeErrno(sh, "2"));
        assertEquals(2, write(sh, "1x"), "only the first byte counts");
        assertEquals("0\n", read("/kernel/slab/kmalloc-2k/cpu_slabs"), "shrink flushed every CPU");

        String va = "/kernel/slab/kmalloc-64/validate";
        assertEquals(Errno.EINVAL, writeErrno(va, "1"), "a normal cache cannot be validated");
        assertEquals(Errno.EINVAL, writeErrno(va, "0"));
        k.slabOps().create("debug_me", 64, 0, "SLAB_RED_ZONE|SLAB_STORE_USER", null);
        k.slabOps().alloc("debug_me", 10, 0);
        assertEquals(2, write("/kernel/slab/debug_me/validate", "1\n"));
        assertEquals("0\n", read("/kernel/slab/debug_me/cpu_partial"));
        assertEquals(Errno.EINVAL, writeErrno("/kernel/slab/debug_me/cpu_partial", "1"), "no CPU partial on a debug cache");
        assertEquals(1, write("/kernel/slab/debug_me/cpu_partial", "0"));
        assertEquals("1\n", read("/kernel/slab/debug_me/red_zone"));
        assertEquals("1\n", read("/kernel/slab/debug_me/store_user"));

        for (String ro : new String[] {"objects", "aliases", "ctor", "slab_size", "order"}) {
            Inode file = walk("/kernel/slab/kmalloc-64/" + ro);
            assertEquals(Errno.EACCES, assertThrows(KernelError.class, () -> file.open(OpenFlags.O_WRONLY, Caller.KERNEL)).errno(), ro);
            assertEquals(Errno.EACCES, assertThrows(KernelError.class, () -> file.open(OpenFlags.O_RDWR, Caller.KERNEL)).errno(), ro);
        }
    }

    @Test
    void createdAndDestroyedCachesComeAndGo() {
        k.slabOps().create("learner_one", 1000, 0, "", null);
        assertEquals(":0001000", walk("/kernel/slab/learner_one").readlink(Caller.KERNEL));
        assertEquals("0\n", read("/kernel/slab/:0001000/slabs"), "a new cache starts at 0 slabs");
        long[] objs = k.slabOps().alloc("learner_one", 20, 1);
        assertEquals("16\n", read("/kernel/slab/:0001000/objs_per_slab"));
        assertEquals("2\n", read("/kernel/slab/:0001000/order"));
        assertEquals("32 N0=32\n", read("/kernel/slab/:0001000/total_objects"), "two slabs of 16");
        assertEquals("32 N0=32\n", read("/kernel/slab/:0001000/objects"), "the CPU slab's free objects count as in use");
        assertEquals("1 N0=1\n", read("/kernel/slab/:0001000/cpu_slabs"));
        for (long h : objs) k.slabOps().free(h, 0);
        k.slabOps().destroy("learner_one", 0);
        assertThrows(KernelError.class, () -> walk("/kernel/slab/:0001000"));
        assertEquals(":0001000", walk("/kernel/slab/learner_one").readlink(Caller.KERNEL), "the link is left dangling");
    }
}
