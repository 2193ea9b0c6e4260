package ksim.mm.slub;

/**
 * Taking slabs away from CPUs (mm/slub.c deactivate_slab, flush_cpu_slab, flush_all) and
 * giving empty slabs back to the page allocator (__kmem_cache_shrink,
 * __kmem_cache_shutdown).
 */
final class Deactivate {
    /** SHRINK_PROMOTE_MAX: slabs with up to this many free objects are sorted by kmem_cache_shrink. */
    static final int SHRINK_PROMOTE_MAX = 32;

    private Deactivate() {}

    /**
     * deactivate_slab(): the CPU freelist is spliced back into the slab, which is unfrozen and
     * then freed (empty, and the node keeps min_partial slabs), put on the node partial list
     * (at the tail if other CPUs had freed into it, else the head), or left on no list (full).
     */
    static void deactivateSlab(KmemCache s, Slab slab, int cpuFreelist) {
        KmemCacheNode n = s.nodes[slab.node];
        boolean discard = false;
        synchronized (n) {
            boolean tail = slab.freelist != Slab.END;
            if (cpuFreelist != Slab.END) {
                int count = 0;
                int last = Slab.END;
                for (int x = cpuFreelist; x >= 0; x = slab.next[x]) {
                    count++;
                    last = x;
                }
                slab.next[last] = slab.freelist;
                slab.freelist = cpuFreelist;
                slab.inuse -= count;
            }
            slab.frozen = false;
            if (slab.inuse == 0 && s.nodeHasMinPartial(n)) {
                n.nrSlabs--;
                n.totalObjects -= slab.objects;
                discard = true;
            } else if (slab.freelist != Slab.END) {
                n.addPartial(slab, tail);
            }
        }
        if (discard) s.slub.freeSlab(slab);
    }

    /** flush_cpu_slab(): sheaves back to their slabs, then the CPU slab and the partial chain. */
    static void flushCpuSlab(KmemCache s, int cpu) {
        if (s.sheafCapacity > 0) Sheaves.flushCpu(s, cpu);
        KmemCacheCpu c = s.cpus[cpu];
        synchronized (c) {
            Slab slab = c.slab;
            if (slab != null) {
                int fl = c.freelist;
                c.slab = null;
                c.freelist = Slab.END;
                c.tid++;
                deactivateSlab(s, slab, fl);
            }
            Slab chain = c.partial;
            c.partial = null;
            if (chain != null) SlabFree.putPartials(s, chain);
        }
    }

    /** has_cpu_slab() || has_pcs_used(): whether flush_all() has work on a CPU. */
    private static boolean hasCpuState(KmemCache s, KmemCacheCpu c) {
        synchronized (c) {
            if (c.slab != null || c.partial != null) return true;
            return s.sheafCapacity > 0 && ((c.main != null && c.main.size > 0) || (c.spare != null && c.spare.size > 0));
        }
    }

    /**
     * flush_all(): every CPU gives up its slabs and sheaves. The kernel runs the flush on each
     * CPU; here `cpu` is the CPU the caller runs on, which only matters for where the objects
     * of the barn go (see Sheaves.shrinkBarn).
     */
    static void flushAll(KmemCache s, int cpu) {
        for (KmemCacheCpu c : s.cpus) {
            if (hasCpuState(s, c)) flushCpuSlab(s, c.cpu);
        }
    }

    /**
     * __kmem_cache_shrink(): flush every CPU, empty the barns, give back every empty slab on
     * the node partial lists whatever min_partial says, and move the slabs with 1..32 free
     * objects to the head of the list, fewest free first. Returns 1 if slabs remain.
     */
    static int shrink(KmemCache s, int cpu) {
        flushAll(s, cpu);
        int ret = 0;
        for (KmemCacheNode n : s.nodes) {
            if (n.barn != null) Sheaves.shrinkBarn(s, n.barn, cpu);
            Slab discard = null;
            synchronized (n) {
                Slab[] promoteHead = new Slab[SHRINK_PROMOTE_MAX];
                Slab rest = null;
                Slab restTail = null;
                for (Slab slab = n.partialHead; slab != null; ) {
                    Slab after = slab.nextOnList;
                    int free = slab.objects - slab.inuse;
                    if (free <= 0) throw new IllegalStateException("a full slab on the partial list of " + s.name);
                    slab.prev = slab.nextOnList = null;
                    if (free == slab.objects) {
                        slab.onPartial = false;
                        n.nrPartial--;
                        n.nrSlabs--;
                        n.totalObjects -= slab.objects;
                        slab.chainNext = discard;
                        discard = slab;
                    } else if (free <= SHRINK_PROMOTE_MAX) {
                        // list_move() to the head of its bucket.
                        slab.nextOnList = promoteHead[free - 1];
                        promoteHead[free - 1] = slab;
                    } else {
                        if (restTail == null) rest = slab;
                        else restTail.nextOnList = slab;
                        restTail = slab;
                    }
                    slab = after;
                }
                // Rebuild n->partial: the buckets, fewest free objects first, then the rest in order.
                n.partialHead = n.partialTail = null;
                Slab prev = null;
                for (int i = 0; i <= SHRINK_PROMOTE_MAX; i++) {
                    Slab slab = i < SHRINK_PROMOTE_MAX ? promoteHead[i] : rest;
                    while (slab != null) {
                        Slab after = slab.nextOnList;
                        slab.prev = prev;
                        slab.nextOnList = null;
                        if (prev == null) n.partialHead = slab;
                        else prev.nextOnList = slab;
                        prev = slab;
                        slab = after;
                    }
                }
                n.partialTail = prev;
                if (n.nrSlabs != 0) ret = 1;
            }
            while (discard != null) {
                Slab slab = discard;
                discard = slab.chainNext;
                slab.chainNext = null;
                s.slub.freeSlab(slab);
            }
        }
        return ret;
    }

    /**
     * __kmem_cache_shutdown(): flush, empty the barns, free the empty slabs of the partial
     * lists; true if the cache is now without slabs (kmem_cache_destroy may proceed).
     */
    static boolean shutdown(KmemCache s, int cpu) {
        flushAll(s, cpu);
        boolean empty = true;
        for (KmemCacheNode n : s.nodes) {
            if (n.barn != null) Sheaves.shrinkBarn(s, n.barn, cpu);
            Slab discard = null;
            synchronized (n) {
                for (Slab slab = n.partialHead; slab != null; ) {
                    Slab after = slab.nextOnList;
                    if (slab.inuse == 0) {
                        n.removePartial(slab);
                        n.nrSlabs--;
                        n.totalObjects -= slab.objects;
                        slab.chainNext = discard;
                        discard = slab;
                    }
                    slab = after;
                }
                if (n.nrPartial != 0 || n.nrSlabs != 0) empty = false;
            }
            while (discard != null) {
                Slab slab = discard;
                discard = slab.chainNext;
                slab.chainNext = null;
                s.slub.freeSlab(slab);
            }
        }
        return empty;
    }
}
