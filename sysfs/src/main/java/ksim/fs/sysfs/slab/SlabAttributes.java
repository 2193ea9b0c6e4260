package ksim.fs.sysfs.slab;

import java.util.List;
import java.util.function.Function;
import ksim.fs.sysfs.Kstrtox;
import ksim.kernel.Errno;
import ksim.mm.slub.CacheStats;
import ksim.mm.slub.KmemCache;
import ksim.mm.slub.SlabFlags;
import ksim.mm.slub.Slub;

/**
 * The 30 files of /sys/kernel/slab/<cache>/ on this configuration (mm/slub.c slab_attrs[]
 * with SLUB_DEBUG, CPU_PARTIAL, NUMA, ZONE_DMA and HARDENED_USERCOPY, without SLUB_STATS,
 * FAILSLAB and KFENCE): each one's mode, show and store. Shows render text from the model;
 * stores parse as the kernel does and call the model, which answers errors as errnos.
 */
final class SlabAttributes {
    private SlabAttributes() {}

    /** What a store may touch: the allocator and the cache. */
    @FunctionalInterface
    interface Store {
        void store(Slub slub, KmemCache s, byte[] buf);
    }

    /** One attribute: name, permission bits, show (text) and, for 0600 files, store. */
    record Attr(String name, int mode, Function<Ctx, String> show, Store store) {}

    /** What a show reads: the allocator, the cache, and (computed on demand) one reading of its counters. */
    static final class Ctx {
        final Slub slub;
        final KmemCache s;
        private CacheStats stats;

        Ctx(Slub slub, KmemCache s) {
            this.slub = slub;
            this.s = s;
        }

        CacheStats stats() {
            if (stats == null) stats = slub.stats(s);
            return stats;
        }
    }

    /** The CPU a sysfs write is treated as running on (flushes and shrinks start there). */
    private static final int WRITER_CPU = 0;

    static final List<Attr> ALL = List.of(
            ro("aliases", c -> c.s.aliases() + "\n"),
            ro("align", c -> c.s.align() + "\n"),
            ro("cache_dma", c -> bool(c.s, SlabFlags.CACHE_DMA)),
            rw("cpu_partial", c -> c.s.cpuPartial() + "\n",
                    (slub, s, b) -> s.setCpuPartial(Kstrtox.kstrtouint(b), WRITER_CPU)),
            ro("cpu_slabs", c -> nodes(c.stats().cpuSlabs())),
            ro("ctor", c -> c.s.ctor() == null ? "" : c.s.ctor() + "\n"),
            ro("destroy_by_rcu", c -> bool(c.s, SlabFlags.TYPESAFE_BY_RCU)),
            ro("hwcache_align", c -> bool(c.s, SlabFlags.HWCACHE_ALIGN)),
            rw("min_partial", c -> Long.toUnsignedString(c.s.minPartial()) + "\n",
                    (slub, s, b) -> s.setMinPartial(Kstrtox.kstrtoul(b))),
            ro("object_size", c -> c.s.objectSize() + "\n"),
            ro("objects", c -> nodes(c.stats().objects())),
            ro("objects_partial", c -> nodes(c.stats().objectsPartial())),
            ro("objs_per_slab", c -> c.s.objsPerSlab() + "\n"),
            ro("order", c -> c.s.order() + "\n"),
            ro("partial", c -> nodes(c.stats().partial())),
            ro("poison", c -> bool(c.s, SlabFlags.POISON)),
            ro("reclaim_account", c -> bool(c.s, SlabFlags.RECLAIM_ACCOUNT)),
            ro("red_zone", c -> bool(c.s, SlabFlags.RED_ZONE)),
            rw("remote_node_defrag_ratio", c -> c.s.remoteNodeDefragRatio() + "\n",
                    (slub, s, b) -> s.setRemoteNodeDefragRatio(Kstrtox.kstrtouint(b))),
            ro("sanity_checks", c -> bool(c.s, SlabFlags.CONSISTENCY_CHECKS)),
            ro("sheaf_capacity", c -> c.s.sheafCapacity() + "\n"),
            rw("shrink", c -> "", SlabAttributes::shrink),
            ro("slab_size", c -> c.s.slabSize() + "\n"),
            ro("slabs", c -> nodes(c.stats().slabs())),
            ro("slabs_cpu_partial", SlabAttributes::slabsCpuPartial),
            ro("store_user", c -> bool(c.s, SlabFlags.STORE_USER)),
            ro("total_objects", c -> nodes(c.stats().totalObjects())),
            ro("trace", c -> bool(c.s, SlabFlags.TRACE)),
            ro("usersize", c -> c.s.usersize() + "\n"),
            rw("validate", c -> "", SlabAttributes::validate));

    private static Attr ro(String name, Function<Ctx, String> show) {
        return new Attr(name, 0400, show, null);
    }

    private static Attr rw(String name, Function<Ctx, String> show, Store store) {
        return new Attr(name, 0600, show, store);
    }

    static Attr find(String name) {
        for (Attr a : ALL) if (a.name().equals(name)) return a;
        return null;
    }

    private static String bool(KmemCache s, int flag) {
        return s.hasFlag(flag) ? "1\n" : "0\n";
    }

    /** show_slab_objects()'s N-format: the total, then " N<node>=<count>" for each node with a count. */
    static String nodes(long[] perNode) {
        StringBuilder b = new StringBuilder().append(CacheStats.sum(perNode));
        for (int n = 0; n < perNode.length; n++) if (perNode[n] != 0) b.append(" N").append(n).append('=').append(perNode[n]);
        return b.append('\n').toString();
    }

    /**
     * slabs_cpu_partial_show(): the chain lengths of the online CPUs, each as an estimate of
     * its objects (slabs * objs_per_slab / 2, the half-full assumption) and its slab count.
     */
    static String slabsCpuPartial(Ctx c) {
        int[] chains = c.stats().chainSlabs();
        int objs = c.s.objsPerSlab();
        int slabs = 0;
        for (int v : chains) slabs += v;
        StringBuilder b = new StringBuilder().append(slabs * objs / 2).append('(').append(slabs).append(')');
        for (int cpu = 0; cpu < chains.length; cpu++) {
            if (chains[cpu] == 0) continue;
            b.append(" C").append(cpu).append('=').append(chains[cpu] * objs / 2).append('(').append(chains[cpu]).append(')');
        }
        return b.append('\n').toString();
    }

    /** shrink_store(): a first byte of '1' shrinks; anything else is EINVAL. */
    private static void shrink(Slub slub, KmemCache s, byte[] buf) {
        if (buf.length == 0 || buf[0] != '1') throw Errno.EINVAL.error("write 1 to shrink");
        slub.shrink(s, WRITER_CPU);
    }

    /** validate_store(): '1' on a cache with debug flags; EINVAL otherwise. */
    private static void validate(Slub slub, KmemCache s, byte[] buf) {
        if (buf.length == 0 || buf[0] != '1' || !s.isDebug()) throw Errno.EINVAL.error("validate needs '1' and a debug cache");
        slub.validate(s, WRITER_CPU);
    }
}
