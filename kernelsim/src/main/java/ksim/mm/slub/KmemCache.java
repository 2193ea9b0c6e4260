package ksim.mm.slub;

import java.util.SplittableRandom;
import ksim.kernel.Errno;

/**
 * struct kmem_cache (mm/slab.h): one slab cache, its geometry, its tunables, and its per-CPU
 * and per-node state. Created by Slub.create() (do_kmem_cache_create); the allocation paths
 * live in SlabAlloc, SlabFree, Sheaves and DebugSlab, as they do in mm/slub.c.
 */
public final class KmemCache {
    /** Start of the direct map (PAGE_OFFSET on x86-64 without KASLR): object handles are addresses there. */
    public static final long PAGE_OFFSET = 0xffff888000000000L;

    final Slub slub;
    /** s->name: the first creator's name. */
    final String name;
    /** Creation serial, which also numbers the cache's sysfs inodes. */
    final int serial;
    /** s->object_size: grows when a merger asks for more. */
    volatile int objectSize;
    /** s->size (slab_size), s->align, s->offset, s->inuse, s->red_left_pad. */
    final int size;
    final int align;
    final int offset;
    volatile int inuse;
    final int redLeftPad;
    final int flags;
    /** s->oo and s->min, unpacked. */
    final int order;
    final int objsPerSlab;
    final int minOrder;
    final int minObjects;
    final int useroffset;
    final int usersize;
    final Ctor ctor;
    final int sheafCapacity;
    final boolean debug;
    /** Tunables (sysfs writes change them). */
    volatile long minPartial;
    volatile long cpuPartial;
    volatile long cpuPartialSlabs;
    /** s->remote_node_defrag_ratio, stored x10. */
    volatile int remoteNodeDefragRatio = 1000;
    /** s->refcount: creators merged into this cache; -1 for the bootstrap caches. */
    int refcount;
    final KmemCacheCpu[] cpus;
    final KmemCacheNode[] nodes;
    /** s->random_seq: the freelist order of SLAB_FREELIST_RANDOM. */
    final int[] randomSeq;
    /** Picks where in randomSeq a new slab's freelist starts. */
    final SplittableRandom rng;
    /** This cache's own struct kmem_cache and struct kmem_cache_node objects. */
    long selfObject;
    long[] nodeObjects;
    /** Off slab_caches: kmem_cache_destroy() shut it down. */
    volatile boolean destroyed;
    /** The directory it has under /sys/kernel/slab: its name, or its unique id when mergeable. */
    String sysfsName;

    KmemCache(Slub slub, String name, int serial, int objectSize, CacheGeometry.Layout l, int align,
              int useroffset, int usersize, Ctor ctor, int sheafCapacity, long seed) {
        this.slub = slub;
        this.name = name;
        this.serial = serial;
        this.objectSize = objectSize;
        this.size = l.size();
        this.align = align;
        this.offset = l.offset();
        this.inuse = l.inuse();
        this.redLeftPad = l.redLeftPad();
        this.flags = l.flags();
        this.order = l.order();
        this.objsPerSlab = l.objects();
        this.minOrder = l.minOrder();
        this.minObjects = l.minObjects();
        this.useroffset = useroffset;
        this.usersize = usersize;
        this.ctor = ctor;
        this.debug = (flags & SlabFlags.DEBUG_FLAGS) != 0;
        this.sheafCapacity = debug ? 0 : sheafCapacity;
        this.minPartial = CacheGeometry.minPartial(size);
        this.cpuPartial = CacheGeometry.cpuPartial(size, flags);
        this.cpuPartialSlabs = CacheGeometry.cpuPartialSlabs(cpuPartial, objsPerSlab);
        int ncpu = slub.config().cpus();
        this.cpus = new KmemCacheCpu[ncpu];
        SplittableRandom seeder = new SplittableRandom(seed ^ ((long) name.hashCode() << 17) ^ serial);
        for (int i = 0; i < ncpu; i++) {
            cpus[i] = new KmemCacheCpu(i);
            if (this.sheafCapacity > 0) cpus[i].main = new Sheaf(this.sheafCapacity);
        }
        this.nodes = new KmemCacheNode[slub.config().nodes()];
        for (int i = 0; i < nodes.length; i++) nodes[i] = new KmemCacheNode(i, this.sheafCapacity > 0);
        this.rng = seeder.split();
        this.randomSeq = new int[objsPerSlab];
        for (int i = 0; i < objsPerSlab; i++) randomSeq[i] = i;
        for (int i = objsPerSlab - 1; i > 0; i--) {
            int j = seeder.nextInt(i + 1);
            int t = randomSeq[i];
            randomSeq[i] = randomSeq[j];
            randomSeq[j] = t;
        }
    }

    // ---- what the views show ----------------------------------------------------------

    public String name() { return name; }
    public int serial() { return serial; }
    public int objectSize() { return objectSize; }
    /** s->size, which sysfs calls slab_size and /proc/slabinfo objsize. */
    public int slabSize() { return size; }
    public int align() { return align; }
    public int order() { return order; }
    public int objsPerSlab() { return objsPerSlab; }
    public int flags() { return flags; }
    public boolean hasFlag(int flag) { return (flags & flag) != 0; }
    public Ctor ctor() { return ctor; }
    public int usersize() { return usersize; }
    public int sheafCapacity() { return sheafCapacity; }
    public long minPartial() { return minPartial; }
    public long cpuPartial() { return cpuPartial; }
    public long cpuPartialSlabs() { return cpuPartialSlabs; }
    public int remoteNodeDefragRatio() { return remoteNodeDefragRatio / 10; }
    public boolean isDebug() { return debug; }
    /** The free pointer offset and the end of the object (not shown anywhere, kept for tests). */
    public int freePointerOffset() { return offset; }
    public int inuse() { return inuse; }

    /** The aliases file: refcount - 1, and 0 for the bootstrap caches whose refcount is -1. */
    public int aliases() {
        synchronized (slub.slabMutex) {
            return refcount < 0 ? 0 : refcount - 1;
        }
    }

    public int refcount() {
        synchronized (slub.slabMutex) {
            return refcount;
        }
    }

    /** The directory under /sys/kernel/slab. */
    public String sysfsName() {
        synchronized (slub.slabMutex) {
            return sysfsName;
        }
    }

    // ---- tunables (the writable sysfs files) --------------------------------------------

    /** min_partial_store(): any unsigned long (held in a long; compared unsigned). */
    public void setMinPartial(long v) {
        minPartial = v;
    }

    /** n->nr_partial >= s->min_partial: the node keeps enough partial slabs to give an empty one back. */
    boolean nodeHasMinPartial(KmemCacheNode n) {
        return Long.compareUnsigned(n.nrPartial, minPartial) >= 0;
    }

    /** cpu_partial_store(): any non-zero value on a debug cache is EINVAL; a change flushes every CPU. */
    public void setCpuPartial(long objects, int cpu) {
        if (objects < 0 || objects > 0xffffffffL) throw Errno.ERANGE.error("cpu_partial is an unsigned int");
        if (objects != 0 && debug) throw Errno.EINVAL.error(name + " is a debug cache: it keeps no per-CPU partial slabs");
        cpuPartial = objects;
        cpuPartialSlabs = CacheGeometry.cpuPartialSlabs(objects, objsPerSlab);
        Deactivate.flushAll(this, cpu);
    }

    /** remote_node_defrag_ratio_store(): 0..100, stored times ten. */
    public void setRemoteNodeDefragRatio(long ratio) {
        if (ratio < 0 || ratio > 0xffffffffL) throw Errno.ERANGE.error("ratio is an unsigned int");
        if (ratio > 100) throw Errno.ERANGE.error("remote_node_defrag_ratio is at most 100");
        remoteNodeDefragRatio = (int) ratio * 10;
    }

    // ---- objects ----------------------------------------------------------------------

    /** The address of object x of a slab: its handle. */
    long address(Slab slab, int x) {
        return PAGE_OFFSET + (slab.pfn << CacheGeometry.PAGE_SHIFT) + redLeftPad + (long) x * size;
    }

    /**
     * The object index of a handle within its slab; EINVAL if the address is not the start of
     * one of its objects (check_valid_pointer()).
     */
    int objectIndex(Slab slab, long handle) {
        long off = handle - (PAGE_OFFSET + (slab.pfn << CacheGeometry.PAGE_SHIFT)) - redLeftPad;
        if (off < 0 || off % size != 0 || off / size >= slab.objects) {
            throw Errno.EINVAL.error(String.format("%s: invalid object pointer 0x%x", name, handle));
        }
        return (int) (off / size);
    }

    @Override
    public String toString() {
        return "kmem_cache[" + name + " size " + size + " order " + order + "/" + objsPerSlab + "]";
    }
}
