package ksim.kernel;

import static ksim.kernel.TestKernels.errnoOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ksim.mm.VmStat;
import ksim.mm.slub.CacheStats;
import ksim.mm.slub.KmemCache;
import ksim.mm.slub.Slub;
import org.junit.jupiter.api.Test;

/** The kernel's tasks and mms live in SLUB caches, and meminfo's slab is SLUB's pages. */
class KernelSlabTest {
    private static long objects(Kernel k, String cache) {
        return k.locked(() -> CacheStats.sum(k.slub().stats(k.slub().find(cache)).objects()));
    }

    /** Free objects CPUs hold (their slabs and chains), which count as in use: the slack of "objects". */
    private static long cpuHeld(Kernel k, String cache) {
        return k.locked(() -> {
            KmemCache s = k.slub().find(cache);
            CacheStats st = k.slub().stats(s);
            long chains = 0;
            for (int c : st.chainSlabs()) chains += c;
            return (CacheStats.sum(st.cpuSlabs()) + chains) * s.objsPerSlab();
        });
    }

    private static long slabs(Kernel k, String cache) {
        return k.locked(() -> CacheStats.sum(k.slub().stats(k.slub().find(cache)).slabs()));
    }

    private static void assertSlabCountersFollowSlub(Kernel k) {
        k.locked(() -> {
            assertEquals(k.slub().slabPages(true), k.vmstat().get(VmStat.Item.NR_SLAB_RECLAIMABLE));
            assertEquals(k.slub().slabPages(false), k.vmstat().get(VmStat.Item.NR_SLAB_UNRECLAIMABLE));
        });
    }

    /** Spec 5.5 on every cache, from the public counters. */
    static void assertInvariants(Kernel k) {
        k.locked(() -> {
            for (KmemCache s : k.slub().caches()) {
                CacheStats st = k.slub().stats(s);
                long total = CacheStats.sum(st.totalObjects());
                long objects = CacheStats.sum(st.objects());
                assertEquals(CacheStats.sum(st.slabs()) * s.objsPerSlab(), total, s.name() + ": every slab has the full count");
                assertEquals(CacheStats.sum(st.partial()) * s.objsPerSlab() - CacheStats.sum(st.objectsPartial()), total - objects, s.name());
                assertTrue(CacheStats.sum(st.cpuSlabs()) <= CacheStats.sum(st.slabs()), s.name());
                assertTrue(CacheStats.sum(st.partial()) <= CacheStats.sum(st.slabs()), s.name());
            }
        });
    }

    @Test
    void aBootedKernelHasTheBootSetAndMeminfoSlabIsSlubsPages() {
        Kernel k = TestKernels.boot();
        Slub slub = k.slub();
        assertTrue(slub.caches().size() > 200, "a realistic boot set");
        assertSlabCountersFollowSlub(k);
        long mb = (slub.slabPages(true) + slub.slabPages(false)) / 256;
        assertTrue(mb > 40 && mb < 200, "tens of MiB of slab on a 4 GiB server: " + mb);
        assertTrue(objects(k, "dentry") > 20_000);
        assertTrue(objects(k, "kernfs_node_cache") > 10_000);
        long tasks = k.pids().allTasks().size();
        assertTrue(objects(k, "task_struct") >= tasks, "one task_struct per task");
        assertEquals(tasks, k.kobjs.tasksHeld());
        assertInvariants(k);
        // The same seed boots the same slab state.
        Kernel again = TestKernels.boot();
        assertEquals(slub.slabPages(true), again.slub().slabPages(true));
        assertEquals(objects(k, "dentry"), objects(again, "dentry"));
    }

    @Test
    void otherMachinesBootToo() {
        for (int cpus : new int[] {1, 8}) {
            Kernel k = TestKernels.boot(TestKernels.config().withCpus(cpus).withMemoryKb(256 * 1024));
            assertSlabCountersFollowSlub(k);
            assertInvariants(k);
            // calculate_order() wants more objects per slab with more CPUs: 20 on 8 CPUs, 8 on one.
            int objs = k.slub().find("kmalloc-512").objsPerSlab();
            assertEquals(cpus == 1 ? 8 : 32, objs, cpus + " CPUs");
            long mb = (k.slub().slabPages(true) + k.slub().slabPages(false)) / 256;
            assertTrue(mb < 16, "a 256 MiB machine holds a smaller boot population: " + mb + " MiB");
        }
    }

    @Test
    void tenThousandWorkersGrowTheTaskCachesAndGiveThemBack() {
        // 10,000 nginx workers hold about 70 GiB of simulated RAM: boot a machine that has it.
        Kernel k = Kernel.boot(TestKernels.config().withMemoryKb(96L << 20));
        String[] caches = {"task_struct", "signal_cache", "sighand_cache", "files_cache", "fs_cache", "cred", "pid",
            "mm_struct", "vm_area_struct", "anon_vma", "anon_vma_chain"};
        long[] before = new long[caches.length];
        long[] slack = new long[caches.length];
        for (int i = 0; i < caches.length; i++) {
            before[i] = objects(k, caches[i]);
            slack[i] = cpuHeld(k, caches[i]);
        }
        long taskSlabs0 = slabs(k, "task_struct");
        Task master = PreforkPool.start(k, 10_000);
        for (int i = 0; i < caches.length; i++) {
            long grown = objects(k, caches[i]) - before[i];
            assertTrue(grown >= 10_000 - slack[i], caches[i] + " grew by " + grown);
        }
        // fs_cache and anon_vma_chain share :A-0000064, cred and pid share :A-0000192.
        assertTrue(objects(k, "pid") - before[6] >= 2 * 10_000 - slack[6], "pid and cred objects");
        assertTrue(objects(k, "vm_area_struct") - before[8] >= KernelObjects.VMAS_PER_MM * 10_000L - slack[8]);
        assertTrue(slabs(k, "task_struct") - taskSlabs0 >= 10_000 / 7, "7 task_structs per order-3 slab");
        assertSlabCountersFollowSlub(k);
        assertInvariants(k);
        List<Task> workers = new ArrayList<>(master.children());
        k.locked(() -> {
            for (Task w : workers) k.exitAndRelease(w, 0);
            k.exitAndRelease(master, 0);
        });
        assertTrue(objects(k, "task_struct") < before[0] + 100, "task_structs went back");
        assertTrue(slabs(k, "task_struct") < taskSlabs0 + 100, "and so did their slabs, but for a few kept ones");
        assertSlabCountersFollowSlub(k);
        assertInvariants(k);
    }

    @Test
    void kernelThreadsShareFilesAndFsThreadsShareEverythingButTaskAndPid() {
        Kernel k = TestKernels.boot();
        int held = k.kobjs.tasksHeld();
        k.locked(() -> k.kernelThread("kworker/0:9", 0, 0, TaskState.IDLE, "worker_thread"));
        Task p = k.locked(() -> TestKernels.spawnSmall(k, "demo"));
        k.locked(() -> k.cloneThread(p, "demo-th"));
        assertEquals(held + 3, k.kobjs.tasksHeld());
        k.locked(() -> k.exitAndRelease(p, 0));
        assertEquals(held + 1, k.kobjs.tasksHeld(), "the process and its thread are gone");
    }

    @Test
    void controlPlaneOperationsAndTheirErrnos() {
        Kernel k = TestKernels.boot();
        SlabOps ops = k.slabOps();
        int uidAliases = k.slub().find("uid_cache").aliases();
        SlabOps.Created c = ops.create("learner_cache", 100, 0, "SLAB_HWCACHE_ALIGN", null);
        assertEquals(":0000128", c.sysfsName(), "100 bytes, cache-line aligned, lands in uid_cache's 128-byte cache");
        assertTrue(c.merged());
        assertEquals(uidAliases + 1, k.slub().find("uid_cache").aliases());
        SlabOps.Created lonely = ops.create("lonely_cache", 1000, 0, "", null);
        assertFalse(lonely.merged());
        assertEquals(":0001000", lonely.sysfsName());
        assertEquals(Errno.EEXIST, errnoOf(() -> ops.create("learner_cache", 100, 0, "", null)));
        assertEquals(Errno.EEXIST, errnoOf(() -> ops.create("dentry", 64, 0, "SLAB_NO_MERGE", null)),
                "an unmergeable cache's directory name is taken");
        assertEquals(":0000064", ops.create("dentry", 64, 0, "", null).sysfsName(),
                "a mergeable one of the same name just merges (its link fails quietly, as in Linux)");
        assertEquals("dentry", k.slub().sysfsDirs().get("dentry").name());
        assertEquals(Errno.EINVAL, errnoOf(() -> ops.create("zero", 0, 0, "", null)));
        assertEquals(Errno.EINVAL, errnoOf(() -> ops.create("odd", 64, 3, "", null)));
        assertEquals(Errno.EINVAL, errnoOf(() -> ops.create("absurd", 64, 1 << 30, "", null)));
        assertEquals(Errno.EINVAL, errnoOf(() -> ops.create("flags", 64, 0, "SLAB_BOGUS", null)));
        SlabOps.Created ctor = ops.create("with_ctor", 64, 0, "reclaim", "my_init_once/0x20");
        assertEquals("with_ctor", ctor.sysfsName(), "a ctor makes it unmergeable");
        assertEquals("my_init_once+0x0/0x20", k.slub().find("with_ctor").ctor().toString());

        long[] objs = ops.alloc("lonely_cache", 40, 1);
        assertEquals(40, objs.length);
        assertEquals(40, ops.owned(":0001000").size(), "a cache by any of its names");
        assertEquals(Errno.EINVAL, errnoOf(() -> ops.alloc("lonely_cache", 1, 7)), "no CPU 7");
        assertEquals(Errno.EINVAL, errnoOf(() -> ops.alloc("lonely_cache", 0, 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> ops.alloc("no_such_cache", 1, 0)));
        assertEquals(Errno.EINVAL, errnoOf(() -> ops.free("kmalloc-64", objs[0], 0)), "wrong cache");
        ops.free(objs[0], 0);
        assertEquals(Errno.EINVAL, errnoOf(() -> ops.free(objs[0], 0)), "double free");
        assertEquals(Errno.EINVAL, errnoOf(() -> ops.free("lonely_cache", objs[0], 1)), "double free through the cache");
        assertEquals(Errno.EBUSY, errnoOf(() -> ops.destroy("lonely_cache", 0)), "39 objects remain");
        assertEquals(Errno.EPERM, errnoOf(() -> ops.destroy("task_struct", 0)), "the kernel's caches are the kernel's");
        assertEquals(Errno.ENOENT, errnoOf(() -> ops.destroy("nothing_here", 0)));
        long kernels = k.locked(() -> k.slub().alloc(k.slub().find("kmalloc-32"), 0));
        assertEquals(Errno.EPERM, errnoOf(() -> ops.free(kernels, 0)), "a kernel object may not be freed from here");
        for (int i = 1; i < objs.length; i++) ops.free("lonely_cache", objs[i], i % 2);
        assertEquals(0, ops.owned("lonely_cache").size());
        assertEquals(0, ops.shrink("lonely_cache", 0), "nothing left: every slab goes back");
        ops.destroy("lonely_cache", 0);
        assertEquals(null, k.slub().sysfsDirs().get(":0001000"));
        ops.destroy("learner_cache", 0);
        assertEquals(uidAliases, k.slub().find("uid_cache").aliases());
        assertSlabCountersFollowSlub(k);
        assertInvariants(k);
    }
}
