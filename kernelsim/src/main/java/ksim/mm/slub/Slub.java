package ksim.mm.slub;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import ksim.kernel.Errno;
import ksim.mm.PageSource;

/**
 * The SLUB allocator (mm/slub.c, mm/slab_common.c): the list of caches (slab_caches, under
 * slab_mutex), cache creation with merging, destruction, kmalloc, and the slab pages it takes
 * from a PageSource, accounted as reclaimable or unreclaimable slab. It is safe to call from
 * several threads: per-CPU paths lock their kmem_cache_cpu, list work its node's list_lock,
 * cache creation slab_mutex, page allocation a page lock (the zone lock of the PageSource).
 */
public final class Slub {
    /** KMALLOC_MAX_SIZE: the largest kmalloc (and kmem_cache_create) size, 2^(MAX_PAGE_ORDER + PAGE_SHIFT). */
    public static final int KMALLOC_MAX_SIZE = 1 << (CacheGeometry.MAX_PAGE_ORDER + CacheGeometry.PAGE_SHIFT);
    /** ZERO_SIZE_PTR: what kmalloc(0) returns. */
    public static final long ZERO_SIZE_PTR = 16;

    /**
     * How the allocator is set up.
     *
     * @param cpus   nr_cpu_ids (possible = present = online)
     * @param nodes  nr_node_ids
     * @param limits the orders calculate_order() may choose from
     * @param merge  CONFIG_SLAB_MERGE_DEFAULT without slab_nomerge
     * @param seed   seed of the freelist shuffling
     */
    public record Config(int cpus, int nodes, CacheGeometry.Limits limits, boolean merge, long seed) {
        public Config {
            if (cpus < 1) throw new IllegalArgumentException("at least one CPU");
            if (nodes < 1) throw new IllegalArgumentException("at least one node");
        }

        public static Config defaults(int cpus, long seed) {
            return new Config(cpus, 1, CacheGeometry.Limits.defaults(cpus), true, seed);
        }
    }

    /**
     * struct kmem_cache_args: what kmem_cache_create() takes besides name, size and flags.
     *
     * @param align         required alignment (0 = none)
     * @param useroffset    hardened-usercopy whitelist start
     * @param usersize      hardened-usercopy whitelist size (0 = none)
     * @param freeptrOffset where an RCU cache keeps its free pointer inside the object, or -1
     * @param sheafCapacity objects per per-CPU sheaf (0 = no sheaves)
     * @param ctor          constructor, or null
     */
    public record Args(int align, int useroffset, int usersize, int freeptrOffset, int sheafCapacity, Ctor ctor) {
        public static final Args NONE = new Args(0, 0, 0, -1, 0, null);

        public static Args of(int align, Ctor ctor) {
            return new Args(align, 0, 0, -1, 0, ctor);
        }
    }

    /** Where slab pages are counted (NR_SLAB_RECLAIMABLE_B / NR_SLAB_UNRECLAIMABLE_B of mod_node_page_state). */
    @FunctionalInterface
    public interface PageCounter {
        void add(boolean reclaimable, long pages);
    }

    private final Config config;
    private final PageSource pages;
    private volatile PageCounter counter = (r, p) -> {};
    final Object slabMutex = new Object();
    private final Object pageLock = new Object();
    final MemMap memmap = new MemMap();
    /** slab_caches, oldest first. */
    private final List<KmemCache> caches = new ArrayList<>();
    /** /sys/kernel/slab: directories by name, and alias symlinks name -> target directory. */
    private final TreeMap<String, KmemCache> dirs = new TreeMap<>();
    private final TreeMap<String, String> links = new TreeMap<>();
    private final List<Runnable> layoutListeners = new CopyOnWriteArrayList<>();
    private final long[] slabPages = new long[2];
    private int nextSerial = 1;
    private final KmemCache kmemCache;
    private final KmemCache kmemCacheNode;
    private final Kmalloc kmalloc;

    /** kmem_cache_init(): the two bootstrap caches, then the kmalloc caches. */
    public Slub(Config config, PageSource pages) {
        this.config = config;
        this.pages = pages;
        synchronized (slabMutex) {
            // struct kmem_cache_node is 72 bytes; struct kmem_cache ends in node[nr_node_ids].
            KmemCache node = bootCache("kmem_cache_node", 72, SlabFlags.HWCACHE_ALIGN, 0, false);
            KmemCache cache = bootCache("kmem_cache", 224 + 8 * config.nodes(), SlabFlags.HWCACHE_ALIGN, 0, false);
            node.refcount = -1;
            cache.refcount = -1;
            // bootstrap(): the oldest cache is kmem_cache, then kmem_cache_node.
            caches.add(cache);
            caches.add(node);
            this.kmemCache = cache;
            this.kmemCacheNode = node;
            for (KmemCache s : List.of(cache, node)) {
                allocStructs(s);
                sysfsAdd(s);
            }
        }
        this.kmalloc = new Kmalloc(this);
    }

    public Config config() {
        return config;
    }

    /** Where slab pages are counted from now on (the kernel's vmstat); it is first told of the pages held already. */
    public void setPageCounter(PageCounter c) {
        synchronized (pageLock) {
            c.add(false, slabPages[0]);
            c.add(true, slabPages[1]);
            this.counter = c;
        }
    }

    /** Called (under slab_mutex) whenever /sys/kernel/slab gains or loses an entry. */
    public void addLayoutListener(Runnable r) {
        layoutListeners.add(r);
    }

    public Kmalloc kmalloc() {
        return kmalloc;
    }

    // ---- creating and destroying caches -----------------------------------------------

    /**
     * create_boot_cache() / create_kmalloc_cache(): no merging, alignment from the kmalloc rule;
     * the caller puts it on slab_caches.
     */
    KmemCache bootCache(String name, int size, int flags, int usersize, boolean add) {
        int align = 8;
        if ((flags & SlabFlags.KMALLOC) != 0) align = Math.max(align, Integer.lowestOneBit(size));
        align = CacheGeometry.calculateAlignment(flags, align, size);
        CacheGeometry.Layout l = CacheGeometry.calculateSizes(size, align, flags, false, -1, config.limits());
        KmemCache s = new KmemCache(this, name, nextSerial++, size, l, align, 0, usersize, null, 0, config.seed());
        if (add) {
            s.refcount = 1;
            allocStructs(s);
            caches.add(s);
            sysfsAdd(s);
        }
        return s;
    }

    /**
     * kmem_cache_create(): a new cache, or an existing one it merges into (which then counts
     * one more alias). EINVAL for a bad name, size 0, a size above KMALLOC_MAX_SIZE, an
     * alignment that is not a power of two or too large for any slab, or internal flags;
     * EEXIST when an unmergeable cache's directory name is taken.
     */
    public KmemCache create(String name, int size, Args args, int flags) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.indexOf('/') >= 0 || !name.chars().allMatch(ch -> ch > ' ' && ch < 127)) {
            throw Errno.EINVAL.error("a cache name is 1..255 printable characters without spaces or '/'");
        }
        if (size <= 0 || size > KMALLOC_MAX_SIZE) throw Errno.EINVAL.error("object size must be 1.." + KMALLOC_MAX_SIZE);
        if (args.align() < 0 || (args.align() & (args.align() - 1)) != 0) throw Errno.EINVAL.error("alignment must be 0 or a power of two");
        if (args.align() > KMALLOC_MAX_SIZE) throw Errno.EINVAL.error("alignment " + args.align() + " exceeds the largest slab");
        if ((flags & ~SlabFlags.PERMITTED) != 0) throw Errno.EINVAL.error("internal slab flags");
        if (args.sheafCapacity() < 0 || args.sheafCapacity() > 1024) throw Errno.EINVAL.error("sheaf capacity must be 0..1024");
        int useroffset = args.useroffset();
        int usersize = args.usersize();
        if ((usersize == 0 && useroffset != 0) || size < usersize || size - usersize < useroffset) useroffset = usersize = 0;
        synchronized (slabMutex) {
            if (usersize == 0 && args.sheafCapacity() == 0) {
                KmemCache s = Merge.findMergeable(caches, size, args.align(), flags, args.ctor(), config.merge());
                if (s != null) {
                    // __kmem_cache_alias()
                    s.refcount++;
                    s.objectSize = Math.max(s.objectSize, size);
                    s.inuse = Math.max(s.inuse, CacheGeometry.align(size, CacheGeometry.MIN_ALIGN));
                    alias(s, name);
                    return s;
                }
            }
            int align = CacheGeometry.calculateAlignment(flags, args.align(), size);
            CacheGeometry.Layout l = CacheGeometry.calculateSizes(size, align, flags, args.ctor() != null,
                    (flags & SlabFlags.TYPESAFE_BY_RCU) != 0 ? args.freeptrOffset() : -1, config.limits());
            KmemCache s = new KmemCache(this, name, nextSerial, size, l, align, useroffset, usersize, args.ctor(),
                    args.sheafCapacity(), config.seed());
            s.refcount = 1;
            String dir = sysfsDirName(s);
            if (dirs.containsKey(dir)) throw Errno.EEXIST.error("/sys/kernel/slab/" + dir + " already exists");
            nextSerial++;
            allocStructs(s);
            caches.add(s);
            sysfsAdd(s);
            return s;
        }
    }

    /** Allocates the cache's own struct kmem_cache and one struct kmem_cache_node per node. */
    private void allocStructs(KmemCache s) {
        s.selfObject = SlabAlloc.alloc(kmemCache, 0);
        s.nodeObjects = new long[config.nodes()];
        for (int i = 0; i < config.nodes(); i++) s.nodeObjects[i] = SlabAlloc.alloc(kmemCacheNode, 0);
    }

    private String sysfsDirName(KmemCache s) {
        return Merge.unmergeable(s, config.merge()) ? s.name : Merge.uniqueId(s.flags, s.size);
    }

    /** sysfs_slab_add(): a directory under the name or the unique id, and for the latter a link from the name. */
    private void sysfsAdd(KmemCache s) {
        String dir = sysfsDirName(s);
        boolean unmergeable = dir.equals(s.name);
        if (unmergeable) links.remove(dir);
        dirs.put(dir, s);
        s.sysfsName = dir;
        if (!unmergeable) alias(s, s.name);
        fireLayout();
    }

    /** sysfs_slab_alias(): replaces a link of that name; fails quietly when a directory has it. */
    private void alias(KmemCache s, String name) {
        if (dirs.containsKey(name)) return;
        links.put(name, s.sysfsName);
        fireLayout();
    }

    private void fireLayout() {
        for (Runnable r : layoutListeners) r.run();
    }

    /**
     * kmem_cache_destroy(): drops one reference; the last one shuts the cache down, which
     * fails with EBUSY while objects are still allocated (the kernel warns and leaks the cache;
     * here it is left intact and usable). The alias links stay, as in sysfs.
     */
    public void destroy(KmemCache s, int cpu) {
        checkCpu(cpu);
        synchronized (slabMutex) {
            if (s.destroyed) throw Errno.EINVAL.error(s.name + " has already been destroyed");
            s.refcount--;
            if (s.refcount != 0) return;
            if (!Deactivate.shutdown(s, cpu)) {
                s.refcount++;
                throw Errno.EBUSY.error("Slab cache " + s.name + " still has objects");
            }
            caches.remove(s);
            s.destroyed = true;
            dirs.remove(s.sysfsName);
            SlabFree.free(kmemCache, slabOf(s.selfObject), kmemCache.objectIndex(slabOf(s.selfObject), s.selfObject), cpu);
            for (long h : s.nodeObjects) SlabFree.free(kmemCacheNode, slabOf(h), kmemCacheNode.objectIndex(slabOf(h), h), cpu);
            fireLayout();
        }
    }

    // ---- objects -------------------------------------------------------------------------

    private void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= config.cpus()) throw Errno.EINVAL.error("no CPU " + cpu + " (the machine has " + config.cpus() + ")");
    }

    /** kmem_cache_alloc(s) on cpu: the object's address. ENOMEM when no slab can be had. */
    public long alloc(KmemCache s, int cpu) {
        checkCpu(cpu);
        return SlabAlloc.alloc(s, cpu);
    }

    private Slab slabOf(long handle) {
        Object o = memmap.ofAddress(handle);
        return o instanceof Slab slab ? slab : null;
    }

    /**
     * kmem_cache_free(s, handle) on cpu. EFAULT if the address is in no slab, EINVAL if it is
     * not the start of an object, if it belongs to another cache (cache_from_obj's "Wrong slab
     * cache") or if it is already free; in every case nothing changes.
     */
    public void free(KmemCache s, long handle, int cpu) {
        checkCpu(cpu);
        Slab slab = slabOf(handle);
        if (slab == null) throw Errno.EFAULT.error(String.format("kmem_cache_free(%s): 0x%x is not a slab object", s.name, handle));
        if (slab.cache != s) {
            throw Errno.EINVAL.error(String.format("kmem_cache_free: Wrong slab cache. %s but object 0x%x is from %s",
                    s.name, handle, slab.cache.name));
        }
        SlabFree.free(s, slab, s.objectIndex(slab, handle), cpu);
    }

    /** The cache a handle's slab belongs to (virt_to_cache()), or null if it is in no slab. */
    public KmemCache cacheOf(long handle) {
        Slab slab = slabOf(handle);
        return slab == null ? null : slab.cache;
    }

    /** Whether the object at handle is allocated (false if free, in a sheaf, or not an object). */
    public boolean isAllocated(long handle) {
        Slab slab = slabOf(handle);
        if (slab == null) return false;
        try {
            return slab.next[slab.cache.objectIndex(slab, handle)] == Slab.ALLOCATED;
        } catch (ksim.kernel.KernelError e) {
            return false;
        }
    }

    /** kmalloc(size) of the given type on cpu. */
    public long kmalloc(int size, Kmalloc.Type type, int cpu) {
        checkCpu(cpu);
        if (size < 0) throw Errno.EINVAL.error("negative size");
        if (size == 0) return ZERO_SIZE_PTR;
        if (size > Kmalloc.MAX_CACHE_SIZE) {
            int order = CacheGeometry.getOrder(size);
            if (order > CacheGeometry.MAX_PAGE_ORDER) throw Errno.ENOMEM.error("kmalloc of " + size + " bytes is above KMALLOC_MAX_SIZE");
            synchronized (pageLock) {
                long pfn = pages.allocPages(PageSource.Gfp.KERNEL, order);
                memmap.set(pfn, order, new MemMap.LargeKmalloc(pfn, order));
                account(false, 1L << order);
                return KmemCache.PAGE_OFFSET + (pfn << CacheGeometry.PAGE_SHIFT);
            }
        }
        return SlabAlloc.alloc(kmalloc.cache(type, size), cpu);
    }

    /** kfree(): any slab object or large kmalloc block; NULL and ZERO_SIZE_PTR are ignored. */
    public void kfree(long handle, int cpu) {
        checkCpu(cpu);
        if (handle == 0 || handle == ZERO_SIZE_PTR) return;
        Object o = memmap.ofAddress(handle);
        if (o instanceof Slab slab) {
            SlabFree.free(slab.cache, slab, slab.cache.objectIndex(slab, handle), cpu);
        } else if (o instanceof MemMap.LargeKmalloc big) {
            if (handle != KmemCache.PAGE_OFFSET + (big.pfn() << CacheGeometry.PAGE_SHIFT)) {
                throw Errno.EINVAL.error(String.format("kfree(0x%x): not the start of a large kmalloc", handle));
            }
            synchronized (pageLock) {
                memmap.set(big.pfn(), big.order(), null);
                pages.freePages(big.pfn(), big.order());
                account(false, -(1L << big.order()));
            }
        } else {
            throw Errno.EFAULT.error(String.format("kfree(0x%x): not a slab object", handle));
        }
    }

    // ---- maintenance ---------------------------------------------------------------------

    /** kmem_cache_shrink(): 0 if every slab could be given back. */
    public int shrink(KmemCache s, int cpu) {
        checkCpu(cpu);
        return Deactivate.shrink(s, cpu);
    }

    /** flush_all(). */
    public void flushAll(KmemCache s, int cpu) {
        checkCpu(cpu);
        Deactivate.flushAll(s, cpu);
    }

    /** validate_slab_cache() for a debug cache: the slabs checked; EINVAL on a normal cache. */
    public long validate(KmemCache s, int cpu) {
        checkCpu(cpu);
        if (!s.debug) throw Errno.EINVAL.error(s.name + " has no debug flags to validate with");
        DebugSlab.Validation v = DebugSlab.validate(s, cpu);
        if (!v.errors().isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(Slub.class).error("validate {}: {}", s.name, v.errors());
        }
        return v.slabs();
    }

    /** One consistent reading of a cache's counters. */
    public CacheStats stats(KmemCache s) {
        return CacheStats.of(s);
    }

    // ---- pages ----------------------------------------------------------------------------

    /**
     * allocate_slab(): pages of the cache's order, or of its minimum order when those cannot
     * be had; accounted as slab (account_slab()) and entered in the memory map.
     */
    Slab allocSlab(KmemCache s, int node) {
        PageSource.Gfp gfp = s.hasFlag(SlabFlags.RECLAIM_ACCOUNT) ? PageSource.Gfp.KERNEL_RECLAIMABLE
                : s.hasFlag(SlabFlags.CACHE_DMA) || s.hasFlag(SlabFlags.CACHE_DMA32) ? PageSource.Gfp.DMA32 : PageSource.Gfp.KERNEL;
        synchronized (pageLock) {
            int order = s.order;
            int objects = s.objsPerSlab;
            long pfn;
            try {
                pfn = pages.allocPages(gfp, order);
            } catch (ksim.kernel.KernelError e) {
                if (s.minOrder == s.order || e.errno() != Errno.ENOMEM) throw e;
                order = s.minOrder;
                objects = s.minObjects;
                pfn = pages.allocPages(gfp, order);
            }
            Slab slab = new Slab(s, pfn, order, objects, node);
            memmap.set(pfn, order, slab);
            account(s.hasFlag(SlabFlags.RECLAIM_ACCOUNT), 1L << order);
            return slab;
        }
    }

    /** free_slab() / __free_slab(): the pages go back and stop counting as slab. */
    void freeSlab(Slab slab) {
        synchronized (pageLock) {
            memmap.set(slab.pfn, slab.order, null);
            pages.freePages(slab.pfn, slab.order);
            account(slab.cache.hasFlag(SlabFlags.RECLAIM_ACCOUNT), -(1L << slab.order));
        }
    }

    private void account(boolean reclaimable, long delta) {
        slabPages[reclaimable ? 1 : 0] += delta;
        counter.add(reclaimable, delta);
    }

    /** Pages held as slab: the SReclaimable (true) and SUnreclaim (false) of meminfo, in pages. */
    public long slabPages(boolean reclaimable) {
        synchronized (pageLock) {
            return slabPages[reclaimable ? 1 : 0];
        }
    }

    // ---- what the views list -----------------------------------------------------------------

    /** slab_caches, oldest first (/proc/slabinfo prints it newest first). */
    public List<KmemCache> caches() {
        synchronized (slabMutex) {
            return List.copyOf(caches);
        }
    }

    /** The directories of /sys/kernel/slab. */
    public SortedMap<String, KmemCache> sysfsDirs() {
        synchronized (slabMutex) {
            return Collections.unmodifiableSortedMap(new TreeMap<>(dirs));
        }
    }

    /** The alias links of /sys/kernel/slab: name to target directory (which may be gone). */
    public SortedMap<String, String> sysfsLinks() {
        synchronized (slabMutex) {
            return Collections.unmodifiableSortedMap(new TreeMap<>(links));
        }
    }

    /** The cache whose /sys/kernel/slab directory is name, or null. */
    public KmemCache sysfsDir(String name) {
        synchronized (slabMutex) {
            return dirs.get(name);
        }
    }

    /** The target of the alias link name, or null. */
    public String sysfsLink(String name) {
        synchronized (slabMutex) {
            return links.get(name);
        }
    }

    /** How many directories /sys/kernel/slab has (one per cache). */
    public int sysfsDirCount() {
        synchronized (slabMutex) {
            return dirs.size();
        }
    }

    /** A cache by its directory, an alias link, or its creator's name; null if none. */
    public KmemCache find(String name) {
        synchronized (slabMutex) {
            KmemCache s = dirs.get(name);
            if (s != null) return s;
            String target = links.get(name);
            if (target != null) return dirs.get(target);
            for (KmemCache c : caches) if (c.name.equals(name)) return c;
            return null;
        }
    }

    /** Whether s is still on slab_caches. */
    public boolean alive(KmemCache s) {
        return !s.destroyed;
    }
}
