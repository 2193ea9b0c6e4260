package ksim.mm.slub;

/**
 * The allocation paths of mm/slub.c: slab_alloc_node() with its lockless fast path from the
 * CPU freelist, and ___slab_alloc(), which refills the CPU slab from the slab's own freelist,
 * the CPU partial chain, the node partial list, or a new slab. The caller names the CPU.
 */
final class SlabAlloc {
    private SlabAlloc() {}

    /** slab_alloc_node(): one object of s, allocated on cpu. */
    static long alloc(KmemCache s, int cpu) {
        if (s.debug) return DebugSlab.alloc(s);
        if (s.sheafCapacity > 0) {
            long h = Sheaves.alloc(s, cpu);
            if (h != 0) return h;
        }
        return allocFromSlabs(s, cpu);
    }

    /** The CPU-slab paths without sheaves (also what refills a sheaf). */
    static long allocFromSlabs(KmemCache s, int cpu) {
        KmemCacheCpu c = s.cpus[cpu];
        synchronized (c) {
            int x = c.freelist;
            if (x >= 0) {
                Slab slab = c.slab;
                c.freelist = slab.next[x];
                slab.next[x] = Slab.ALLOCATED;
                return s.address(slab, x);
            }
            return slowAlloc(s, c);
        }
    }

    /** ___slab_alloc(); the caller holds the CPU's lock. */
    private static long slowAlloc(KmemCache s, KmemCacheCpu c) {
        Slab slab = c.slab;
        if (slab != null) {
            // get_freelist(): objects other CPUs freed into the CPU slab.
            int fl = takeFreelist(s, slab);
            if (fl != Slab.END) {
                c.freelist = fl;
                return loadFreelist(s, c);
            }
            // deactivate_bypass: the slab is full and now on no list.
            c.slab = null;
            c.freelist = Slab.END;
            c.tid++;
        }
        while (c.partial != null) {
            slab = c.partial;
            c.partial = slab.chainNext;
            slab.chainNext = null;
            // One node: every slab matches the (NUMA_NO_NODE) request, so it becomes the CPU slab.
            int fl = takeFreelist(s, slab);
            c.slab = slab;
            c.tid++;
            if (fl == Slab.END) throw new IllegalStateException("a CPU partial slab of " + s.name + " had no free object");
            c.freelist = fl;
            return loadFreelist(s, c);
        }
        slab = getPartial(s, c, 0);
        if (slab == null) {
            slab = newSlab(s, 0);
            KmemCacheNode n = s.nodes[slab.node];
            synchronized (n) {
                n.nrSlabs++;
                n.totalObjects += slab.objects;
            }
        }
        int fl = takeFreelist(s, slab);
        c.slab = slab;
        c.freelist = fl;
        c.tid++;
        return loadFreelist(s, c);
    }

    /**
     * get_freelist() / freeze_slab(): takes the slab's whole freelist for a CPU and freezes it
     * (inuse = objects); a slab left with nothing to take is not frozen.
     */
    private static int takeFreelist(KmemCache s, Slab slab) {
        synchronized (s.nodes[slab.node]) {
            int fl = slab.freelist;
            slab.freelist = Slab.END;
            slab.inuse = slab.objects;
            slab.frozen = fl != Slab.END;
            return fl;
        }
    }

    /** load_freelist: pop the first object of the CPU freelist. */
    private static long loadFreelist(KmemCache s, KmemCacheCpu c) {
        Slab slab = c.slab;
        int x = c.freelist;
        c.freelist = slab.next[x];
        slab.next[x] = Slab.ALLOCATED;
        return s.address(slab, x);
    }

    /**
     * get_partial_node(): the first slab of the node partial list becomes the CPU slab; the
     * ones after it go onto this CPU's partial chain until more than half of cpu_partial_slabs
     * have moved. (Other nodes would be tried next; the simulated machine has one.)
     */
    private static Slab getPartial(KmemCache s, KmemCacheCpu c, int node) {
        KmemCacheNode n = s.nodes[node];
        if (n.nrPartial == 0) return null;
        Slab first = null;
        long moved = 0;
        synchronized (n) {
            Slab slab = n.partialHead;
            long budget = s.cpuPartialSlabs;
            while (slab != null) {
                Slab after = slab.nextOnList;
                n.removePartial(slab);
                if (first == null) {
                    first = slab;
                    if (budget == 0) break;
                } else {
                    SlabFree.putCpuPartial(s, c, slab, false);
                    if (++moved > budget / 2) break;
                }
                slab = after;
            }
        }
        return first;
    }

    /**
     * new_slab() / allocate_slab(): 2^order pages for a slab, or the fallback order s->min when
     * those cannot be had; the objects are linked in the shuffled order (SLAB_FREELIST_RANDOM).
     */
    static Slab newSlab(KmemCache s, int node) {
        Slab slab = s.slub.allocSlab(s, node);
        int start;
        synchronized (s.rng) {
            start = s.rng.nextInt(s.randomSeq.length);
        }
        slab.buildFreelist(s.randomSeq, start);
        return slab;
    }
}
