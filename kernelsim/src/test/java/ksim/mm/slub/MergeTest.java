package ksim.mm.slub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.junit.jupiter.api.Test;

/** Cache creation, merging and aliases (spec 3), and the errnos of kmem_cache_create. */
class MergeTest {
    private static Errno errno(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(KernelError.class, e).errno();
    }

    @Test
    void bootCachesComeFirstAndKmallocCachesInTheirOrder() {
        Slub slub = SlubPathsTest.newSlub(2);
        List<KmemCache> caches = slub.caches();
        assertEquals(2 + 52, caches.size());
        assertEquals("kmem_cache", caches.get(0).name());
        assertEquals("kmem_cache_node", caches.get(1).name());
        assertEquals(List.of("kmalloc-96", "kmalloc-192", "kmalloc-8", "kmalloc-16"),
                caches.subList(2, 6).stream().map(KmemCache::name).toList());
        assertEquals("kmalloc-rcl-96", caches.get(15).name());
        assertEquals("dma-kmalloc-96", caches.get(28).name());
        assertEquals("kmalloc-cg-8k", caches.get(53).name());
        for (KmemCache s : caches) {
            assertEquals(s.name(), s.sysfsName(), "boot and kmalloc caches are unmergeable: named directories");
            assertEquals(0, s.aliases());
        }
        assertEquals(-1, caches.get(0).refcount());
        assertEquals(1, slub.find("kmalloc-64").refcount());
        assertEquals(64, slub.find("kmalloc-64").usersize());
        assertTrue(slub.find("dma-kmalloc-64").hasFlag(SlabFlags.CACHE_DMA));
        assertTrue(slub.find("kmalloc-rcl-64").hasFlag(SlabFlags.RECLAIM_ACCOUNT));
        assertTrue(slub.find("kmalloc-cg-64").hasFlag(SlabFlags.ACCOUNT));
        assertTrue(slub.find("kmalloc-64").hasFlag(SlabFlags.NO_MERGE));
        // Every cache owns a struct kmem_cache and a struct kmem_cache_node.
        assertEquals(54, CacheStats.sum(slub.stats(slub.find("kmem_cache")).totalObjects()) - freeOnCpu(slub, "kmem_cache"));
    }

    private static long freeOnCpu(Slub slub, String name) {
        KmemCache s = slub.find(name);
        long free = 0;
        for (KmemCacheCpu c : s.cpus) if (c.slab != null) free += c.slab.listLength(c.freelist);
        return free;
    }

    @Test
    void mergeableCachesGetAnIdAndALinkFromTheirName() {
        Slub slub = SlubPathsTest.newSlub(2);
        KmemCache avc = slub.create("anon_vma_chain", 64, Slub.Args.NONE, SlabFlags.PANIC | SlabFlags.ACCOUNT);
        assertEquals(":A-0000064", avc.sysfsName());
        assertEquals(":A-0000064", slub.sysfsLinks().get("anon_vma_chain"));
        // fs_cache asks for HWCACHE_ALIGN and still merges; the directory keeps hwcache_align 0.
        KmemCache fs = slub.create("fs_cache", 64, Slub.Args.NONE, SlabFlags.HWCACHE_ALIGN | SlabFlags.PANIC | SlabFlags.ACCOUNT);
        assertSame(avc, fs);
        assertFalse(avc.hasFlag(SlabFlags.HWCACHE_ALIGN));
        assertEquals(1, avc.aliases());
        assertEquals(":A-0000064", slub.sysfsLinks().get("fs_cache"));
        assertEquals("anon_vma_chain", avc.name(), "the creator names the slabinfo line");
        // Without ACCOUNT the flags differ in MERGE_SAME: a new cache.
        KmemCache plain = slub.create("dmaengine-unmap-2", 64, Slub.Args.NONE, SlabFlags.HWCACHE_ALIGN);
        assertEquals(":0000064", plain.sysfsName());
        // A merger may be a little smaller: up to 7 bytes; object_size becomes the largest asked for.
        KmemCache pid = slub.create("pid", 184, Slub.Args.NONE, SlabFlags.HWCACHE_ALIGN | SlabFlags.ACCOUNT);
        assertEquals(":A-0000192", pid.sysfsName());
        assertEquals(184, pid.objectSize());
        assertSame(pid, slub.create("cred", 184, Slub.Args.NONE, SlabFlags.HWCACHE_ALIGN | SlabFlags.ACCOUNT));
        assertSame(pid, slub.create("bigger", 190, Slub.Args.NONE, SlabFlags.ACCOUNT));
        assertEquals(190, pid.objectSize());
        assertEquals(2, pid.aliases());
        KmemCache notPid = slub.create("much_smaller", 176, Slub.Args.NONE, SlabFlags.ACCOUNT);
        assertEquals(":A-0000176", notPid.sysfsName(), "192 - 176 >= 8: no merge");
        // Letters in the fixed order d D a F A.
        assertEquals(":aA-0000016", slub.create("pidfs_xattr_cache", 16, Slub.Args.NONE,
                SlabFlags.HWCACHE_ALIGN | SlabFlags.RECLAIM_ACCOUNT | SlabFlags.ACCOUNT).sysfsName());
        assertEquals(":dDaFA-0000104", Merge.uniqueId(SlabFlags.CACHE_DMA | SlabFlags.CACHE_DMA32 | SlabFlags.RECLAIM_ACCOUNT
                | SlabFlags.CONSISTENCY_CHECKS | SlabFlags.ACCOUNT, 104));
    }

    @Test
    void whatCannotMerge() {
        Slub slub = SlubPathsTest.newSlub(2);
        KmemCache base = slub.create("base", 128, Slub.Args.NONE, 0);
        assertEquals(":0000128", base.sysfsName());
        assertEquals("ctor", slub.create("ctor", 128, Slub.Args.of(0, new Ctor("init_once", 0x10, null)), 0).sysfsName());
        assertEquals("rcu", slub.create("rcu", 128, Slub.Args.NONE, SlabFlags.TYPESAFE_BY_RCU).sysfsName());
        assertEquals("nomerge", slub.create("nomerge", 128, Slub.Args.NONE, SlabFlags.NO_MERGE).sysfsName());
        assertEquals("usercopy", slub.create("usercopy", 128, new Slub.Args(0, 0, 40, -1, 0, null), 0).sysfsName());
        assertEquals("sheaves", slub.create("sheaves", 128, new Slub.Args(0, 0, 0, -1, 32, null), 0).sysfsName());
        assertEquals("redzone", slub.create("redzone", 128, Slub.Args.NONE, SlabFlags.RED_ZONE).sysfsName());
        assertEquals(":0000256", slub.create("aligned", 128, Slub.Args.of(256, null), 0).sysfsName(),
                "an alignment base's size is not a multiple of cannot merge");
        assertEquals(0, base.aliases());
        assertEquals(":F-0000136", slub.create("checked", 136, Slub.Args.NONE, SlabFlags.CONSISTENCY_CHECKS).sysfsName(),
                "F alone does not prevent merging but is part of the id");
        assertSame(base, slub.create("checked_too", 128, Slub.Args.NONE, SlabFlags.CONSISTENCY_CHECKS),
                "F is not in SLAB_MERGE_SAME: it merges into a cache without it");
        assertEquals(1, base.aliases());
    }

    @Test
    void theErrnosOfKmemCacheCreate() {
        Slub slub = SlubPathsTest.newSlub(2);
        assertEquals(Errno.EINVAL, errno(() -> slub.create("zero", 0, Slub.Args.NONE, 0)));
        assertEquals(Errno.EINVAL, errno(() -> slub.create("huge", Slub.KMALLOC_MAX_SIZE + 1, Slub.Args.NONE, 0)));
        assertEquals(Errno.EINVAL, errno(() -> slub.create("odd_align", 64, Slub.Args.of(24, null), 0)));
        assertEquals(Errno.EINVAL, errno(() -> slub.create("absurd_align", 64, Slub.Args.of(1 << 30, null), 0)));
        assertEquals(Errno.EINVAL, errno(() -> slub.create("too_aligned", 64, Slub.Args.of(1 << 23, null), 0)),
                "a 8 MiB alignment needs a slab above MAX_PAGE_ORDER");
        assertEquals(Errno.EINVAL, errno(() -> slub.create("", 64, Slub.Args.NONE, 0)));
        assertEquals(Errno.EINVAL, errno(() -> slub.create("a/b", 64, Slub.Args.NONE, 0)));
        assertEquals(Errno.EINVAL, errno(() -> slub.create("a b", 64, Slub.Args.NONE, 0)));
        assertEquals(Errno.EINVAL, errno(() -> slub.create("internal", 64, Slub.Args.NONE, SlabFlags.KMALLOC)));
        assertEquals(Errno.EINVAL, errno(() -> SlabFlags.parse("SLAB_NONSENSE")));
        int before = slub.caches().size();
        // A second unmergeable cache of the same name: its sysfs directory exists.
        slub.create("unique_thing", 100, Slub.Args.NONE, SlabFlags.NO_MERGE);
        assertEquals(Errno.EEXIST, errno(() -> slub.create("unique_thing", 300, Slub.Args.NONE, SlabFlags.NO_MERGE)));
        assertEquals(Errno.EEXIST, errno(() -> slub.create("kmalloc-64", 64, Slub.Args.NONE, SlabFlags.NO_MERGE)));
        assertEquals(before + 1, slub.caches().size(), "failed creations leave nothing behind");
        // The same mergeable name again merges into the first, as in Linux.
        KmemCache a = slub.create("twice", 100, Slub.Args.NONE, 0);
        assertSame(a, slub.create("twice", 100, Slub.Args.NONE, 0));
        assertEquals(1, a.aliases());
        assertEquals(SlabFlags.HWCACHE_ALIGN | SlabFlags.ACCOUNT, SlabFlags.parse("SLAB_HWCACHE_ALIGN|account"));
        assertEquals(SlabFlags.RECLAIM_ACCOUNT | SlabFlags.TYPESAFE_BY_RCU, SlabFlags.parse("reclaim,rcu"));
        assertEquals(0, SlabFlags.parse("0"));
    }

    @Test
    void destroyDropsOneReferenceAndTheLastShutsTheCacheDown() {
        Slub slub = SlubPathsTest.newSlub(2);
        List<Runnable> seen = new java.util.ArrayList<>();
        slub.addLayoutListener(() -> seen.add(null));
        KmemCache s = slub.create("mine", 200, Slub.Args.NONE, 0);
        KmemCache again = slub.create("alias_of_mine", 200, Slub.Args.NONE, 0);
        assertSame(s, again);
        assertEquals(":0000200", s.sysfsName());
        long h = slub.alloc(s, 0);
        slub.destroy(again, 0);
        assertEquals(0, s.aliases());
        assertEquals(":0000200", slub.sysfsLinks().get("alias_of_mine"), "an alias's link stays");
        assertEquals(Errno.EBUSY, errno(() -> slub.destroy(s, 0)), "objects remain");
        assertTrue(slub.alive(s));
        assertEquals(1, s.refcount(), "left intact and usable");
        slub.free(s, h, 1);
        int events = seen.size();
        slub.destroy(s, 0);
        assertFalse(slub.alive(s));
        assertNull(slub.sysfsDirs().get(":0000200"));
        assertTrue(seen.size() > events, "sysfs layout listeners hear of the removal");
        assertEquals(":0000200", slub.sysfsLinks().get("mine"), "links are left dangling");
        assertNull(slub.find("mine"));
        assertEquals(Errno.EINVAL, errno(() -> slub.destroy(s, 0)));
        // A new unmergeable cache of a linked name replaces the stale link with its directory.
        KmemCache named = slub.create("mine", 200, Slub.Args.NONE, SlabFlags.NO_MERGE);
        assertEquals("mine", named.sysfsName());
        assertNull(slub.sysfsLinks().get("mine"));
    }
}
