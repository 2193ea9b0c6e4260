package ksim.mm.slub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** calculate_alignment / calculate_sizes / calculate_order against the values the spec observed on 6.18. */
class CacheGeometryTest {
    private static final CacheGeometry.Limits TWO_CPUS = CacheGeometry.Limits.defaults(2);

    /** The kmalloc rule: align = max(8, largest power of two dividing size); usersize = size. */
    @ParameterizedTest
    @CsvSource({
        // size, align, order, objs, cpu_partial, min_partial (spec 8.1)
        "8,8,0,512,120,5", "16,16,0,256,120,5", "32,32,0,128,120,5", "64,64,0,64,120,5", "96,32,0,42,120,5",
        "128,128,0,32,120,5", "192,64,0,21,120,5", "256,256,0,16,52,5", "512,512,1,16,52,5", "1024,1024,2,16,24,5",
        "2048,2048,3,16,24,5", "4096,4096,3,8,6,6", "8192,8192,3,4,6,6"
    })
    void kmallocGeometry(int size, int align, int order, int objs, int cpuPartial, int minPartial) {
        int a = CacheGeometry.calculateAlignment(SlabFlags.KMALLOC, Math.max(8, Integer.lowestOneBit(size)), size);
        assertEquals(align, a);
        CacheGeometry.Layout l = CacheGeometry.calculateSizes(size, a, SlabFlags.KMALLOC, false, -1, TWO_CPUS);
        assertEquals(size, l.size(), "slab_size");
        assertEquals(order, l.order());
        assertEquals(objs, l.objects());
        assertEquals(cpuPartial, CacheGeometry.cpuPartial(l.size(), SlabFlags.KMALLOC));
        assertEquals(minPartial, CacheGeometry.minPartial(l.size()));
    }

    /** Spec 8.2 and 4.5: object size, the creator's align and flags, ctor/RCU -> slab_size, order, objs. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "task_struct,4240,64,0,-,-1,4288,64,3,7",
        "mm_struct,1568,0,H,-,-1,1600,64,3,20",
        "vm_area_struct,192,0,HR,-,0,192,64,0,21",
        "maple_node,256,256,0,-,-1,256,256,0,16",
        "dentry,192,0,a,-,-1,192,8,0,21",
        "inode_cache,616,0,a,c,-1,624,8,1,13",
        "ext4_inode_cache,1120,0,a,c,-1,1128,8,2,14",
        "proc_inode_cache,688,0,a,c,-1,696,8,2,23",
        "shmem_inode_cache,744,0,0,c,-1,752,8,2,21",
        "sock_inode_cache,768,0,Ha,c,-1,832,64,2,19",
        "filp,184,0,HR,-,0,192,64,0,21",
        "names_cache,4096,0,H,-,-1,4096,64,3,8",
        "kmem_cache,232,0,H,-,-1,256,64,0,16",
        "kmem_cache_node,72,0,H,-,-1,128,64,0,32",
        "anon_vma,96,0,R,c,-1,104,8,0,39",
        "anon_vma_chain,64,0,0,-,-1,64,8,0,64",
        "sighand_cache,2080,0,HR,c,-1,2112,64,3,15",
        "signal_cache,1152,0,H,-,-1,1152,64,2,14",
        "files_cache,704,0,H,-,-1,704,64,2,23",
        "pid,184,0,H,-,-1,192,64,0,21",
        "nsproxy,72,0,0,-,-1,72,8,0,56",
        "uts_namespace,488,0,0,-,-1,488,8,1,16",
        "pid_namespace,344,0,0,-,-1,344,8,1,23",
        "mnt_cache,384,0,H,-,-1,384,64,1,21",
        "kernfs_node_cache,136,0,0,-,-1,136,8,0,30",
        "radix_tree_node,576,0,a,c,-1,584,8,1,14",
        "buffer_head,104,0,a,-,-1,104,8,0,39",
        "uid_cache,128,0,H,-,-1,128,64,0,32",
        "TCP,2304,0,HR,-,-1,2368,64,3,13",
        "UDP,1344,0,H,-,-1,1344,64,2,12",
        "skbuff_head_cache,224,0,H,-,-1,256,64,0,16",
        "kvm_vcpu,51456,16,0,-,-1,51456,16,4,1"
    })
    void wellKnownCaches(String name, int objectSize, int alignArg, String f, String ctor, int freeptr,
                         int slabSize, int align, int order, int objs) {
        int flags = 0;
        if (f.contains("H")) flags |= SlabFlags.HWCACHE_ALIGN;
        if (f.contains("R")) flags |= SlabFlags.TYPESAFE_BY_RCU;
        if (f.contains("a")) flags |= SlabFlags.RECLAIM_ACCOUNT;
        int a = CacheGeometry.calculateAlignment(flags, alignArg, objectSize);
        assertEquals(align, a, name + " align");
        CacheGeometry.Layout l = CacheGeometry.calculateSizes(objectSize, a, flags, ctor.equals("c"), freeptr, TWO_CPUS);
        assertEquals(slabSize, l.size(), name + " slab_size");
        assertEquals(order, l.order(), name + " order");
        assertEquals(objs, l.objects(), name + " objs_per_slab");
    }

    @Test
    void tunablesOfTheWorkedExamples() {
        // task_struct: min_partial 6 (ilog2 12 / 2), cpu_partial 6 in 2 slabs.
        assertEquals(6, CacheGeometry.minPartial(4288));
        assertEquals(6, CacheGeometry.cpuPartial(4288, 0));
        assertEquals(2, CacheGeometry.cpuPartialSlabs(6, 7));
        // kmalloc-64: 4 slabs; dentry: 12 slabs; kvm_vcpu: min_partial 7, 12 slabs.
        assertEquals(4, CacheGeometry.cpuPartialSlabs(120, 64));
        assertEquals(12, CacheGeometry.cpuPartialSlabs(120, 21));
        assertEquals(7, CacheGeometry.minPartial(51456));
        assertEquals(12, CacheGeometry.cpuPartialSlabs(6, 1));
        assertEquals(52, CacheGeometry.cpuPartial(256, 0));
        assertEquals(0, CacheGeometry.cpuPartial(256, SlabFlags.RED_ZONE), "debug caches keep no CPU partial slabs");
        assertEquals(10, CacheGeometry.minPartial(1 << 22));
        assertEquals(5, CacheGeometry.minPartial(8));
    }

    @Test
    void minObjectsFollowTheCpuCount() {
        assertEquals(12, CacheGeometry.autoMinObjects(2));
        assertEquals(12, CacheGeometry.autoMinObjects(3));
        assertEquals(16, CacheGeometry.autoMinObjects(4));
        assertEquals(16, CacheGeometry.autoMinObjects(7));
        assertEquals(20, CacheGeometry.autoMinObjects(8));
        assertEquals(24, CacheGeometry.autoMinObjects(16));
        assertEquals(28, CacheGeometry.autoMinObjects(32));
        // With more CPUs the order can rise: 344-byte objects need order 1 on 2 CPUs (12 objects)
        // and stay there at 16 objects; 192-byte objects need order 1 once 24 objects are wanted.
        assertEquals(0, CacheGeometry.calculateOrder(192, CacheGeometry.Limits.defaults(2)));
        assertEquals(1, CacheGeometry.calculateOrder(192, CacheGeometry.Limits.defaults(16)));
    }

    @Test
    void debugMetadataMakesObjectsBigger() {
        int fzpu = SlabFlags.CONSISTENCY_CHECKS | SlabFlags.RED_ZONE | SlabFlags.POISON | SlabFlags.STORE_USER;
        CacheGeometry.Layout plain = CacheGeometry.calculateSizes(64, 8, fzpu, false, -1, TWO_CPUS);
        assertEquals(160, plain.size());
        assertEquals(72, plain.inuse());
        assertEquals(72, plain.offset(), "the free pointer moves outside a poisoned object");
        assertEquals(8, plain.redLeftPad());
        assertEquals(25, plain.objects());
        CacheGeometry.Layout kmalloc64 = CacheGeometry.calculateSizes(64, 64, fzpu | SlabFlags.KMALLOC, false, -1, TWO_CPUS);
        assertEquals(256, kmalloc64.size());
        assertEquals(64, kmalloc64.redLeftPad());
        assertEquals(16, kmalloc64.objects());
        assertEquals(SlabFlags.OBJECT_POISON, plain.flags() & SlabFlags.OBJECT_POISON);
    }

    @Test
    void freePointerSitsInTheMiddleByDefault() {
        assertEquals(32, CacheGeometry.calculateSizes(64, 64, 0, false, -1, TWO_CPUS).offset());
        assertEquals(96, CacheGeometry.calculateSizes(192, 8, 0, false, -1, TWO_CPUS).offset());
        assertEquals(96, CacheGeometry.calculateSizes(96, 8, SlabFlags.TYPESAFE_BY_RCU, true, -1, TWO_CPUS).offset());
    }

    @Test
    void impossibleGeometriesAreEinval() {
        KernelError e = assertThrows(KernelError.class,
                () -> CacheGeometry.calculateSizes(100, 1 << 30, 0, false, -1, TWO_CPUS));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(10, CacheGeometry.calculateOrder(4 << 20, TWO_CPUS), "4 MiB objects take a whole MAX_PAGE_ORDER block");
        assertEquals(-1, CacheGeometry.calculateOrder((4 << 20) + 8, TWO_CPUS));
    }

    @Test
    void hwcacheAlignmentHalvesForSmallObjects() {
        assertEquals(16, CacheGeometry.calculateAlignment(SlabFlags.HWCACHE_ALIGN, 0, 16));
        assertEquals(32, CacheGeometry.calculateAlignment(SlabFlags.HWCACHE_ALIGN, 0, 32));
        assertEquals(64, CacheGeometry.calculateAlignment(SlabFlags.HWCACHE_ALIGN, 0, 33));
        assertEquals(8, CacheGeometry.calculateAlignment(SlabFlags.HWCACHE_ALIGN, 0, 8));
        assertEquals(8, CacheGeometry.calculateAlignment(0, 3, 100), "rounded up to a multiple of 8");
        assertEquals(256, CacheGeometry.calculateAlignment(SlabFlags.HWCACHE_ALIGN, 256, 100));
    }
}
