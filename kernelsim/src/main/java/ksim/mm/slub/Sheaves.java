package ksim.mm.slub;

/**
 * Per-CPU sheaves in front of the slabs (mm/slub.c alloc_from_pcs, free_to_pcs,
 * __pcs_replace_empty_main, __pcs_replace_full_main, pcs_flush_all, barn_shrink), for caches
 * created with a sheaf_capacity (vm_area_struct and maple_node). Objects in a sheaf are
 * allocated as far as the slabs are concerned; their free pointer holds IN_SHEAF.
 * The CPU's KmemCacheCpu lock also guards its sheaves.
 */
final class Sheaves {
    private Sheaves() {}

    /** alloc_from_pcs(): pop from the main sheaf, replacing an empty one first; 0 if that fails. */
    static long alloc(KmemCache s, int cpu) {
        KmemCacheCpu c = s.cpus[cpu];
        synchronized (c) {
            if (c.main.size == 0 && !replaceEmptyMain(s, c)) return 0;
            Sheaf m = c.main;
            long h = m.objects[--m.size];
            Slab slab = (Slab) s.slub.memmap.ofAddress(h);
            slab.next[s.objectIndex(slab, h)] = Slab.ALLOCATED;
            return h;
        }
    }

    /**
     * __pcs_replace_empty_main(): the spare if it has objects, else a full sheaf from the
     * barn, else an empty sheaf (the spare, one from the barn, or a new one) refilled to
     * capacity through the CPU-slab paths.
     */
    private static boolean replaceEmptyMain(KmemCache s, KmemCacheCpu c) {
        if (c.spare != null && c.spare.size > 0) {
            Sheaf t = c.main;
            c.main = c.spare;
            c.spare = t;
            return true;
        }
        Barn barn = s.nodes[0].barn;
        Sheaf full = barn.replaceEmpty(c.main);
        if (full != null) {
            c.main = full;
            return true;
        }
        Sheaf empty;
        if (c.spare != null) {
            empty = c.spare;
            c.spare = null;
        } else {
            empty = barn.getEmpty();
        }
        if (empty == null) empty = new Sheaf(s.sheafCapacity);
        if (!refill(s, empty, c.cpu)) return false;
        // main is empty here (the lock was never dropped): it goes to the barn.
        barn.putEmpty(c.main);
        c.main = empty;
        return true;
    }

    /** refill_sheaf(): a bulk allocation of the missing objects; all or nothing. */
    private static boolean refill(KmemCache s, Sheaf sheaf, int cpu) {
        int start = sheaf.size;
        try {
            while (sheaf.size < sheaf.objects.length) {
                long h = SlabAlloc.allocFromSlabs(s, cpu);
                Slab slab = (Slab) s.slub.memmap.ofAddress(h);
                slab.next[s.objectIndex(slab, h)] = Slab.IN_SHEAF;
                sheaf.objects[sheaf.size++] = h;
            }
            return true;
        } catch (ksim.kernel.KernelError e) {
            while (sheaf.size > start) releaseObject(s, sheaf.objects[--sheaf.size], cpu);
            return false;
        }
    }

    /** free_to_pcs(): push onto the main sheaf, replacing a full one first. */
    static boolean free(KmemCache s, Slab slab, int x, int cpu) {
        KmemCacheCpu c = s.cpus[cpu];
        synchronized (c) {
            if (slab.next[x] != Slab.ALLOCATED) throw SlabFree.doubleFree(s, slab, x);
            if (c.main.full()) replaceFullMain(s, c);
            slab.next[x] = Slab.IN_SHEAF;
            c.main.objects[c.main.size++] = s.address(slab, x);
            return true;
        }
    }

    /**
     * __pcs_replace_full_main(): an empty sheaf from the barn (the full main becomes the
     * spare), or the spare if it has room, or the barn takes the full main for an empty one;
     * if the barn already holds MAX_FULL sheaves the full spare is flushed to the slabs and
     * reused; if it has no empty sheaf a new one is allocated.
     */
    private static void replaceFullMain(KmemCache s, KmemCacheCpu c) {
        Barn barn = s.nodes[0].barn;
        if (c.spare == null) {
            Sheaf empty = barn.getEmpty();
            if (empty == null) empty = new Sheaf(s.sheafCapacity);
            c.spare = c.main;
            c.main = empty;
            return;
        }
        if (c.spare.size < s.sheafCapacity) {
            Sheaf t = c.main;
            c.main = c.spare;
            c.spare = t;
            return;
        }
        Barn.Refusal[] why = new Barn.Refusal[1];
        Sheaf empty = barn.replaceFull(c.main, why);
        if (empty != null) {
            c.main = empty;
            return;
        }
        if (why[0] == Barn.Refusal.TOO_MANY_FULL) {
            Sheaf toFlush = c.spare;
            c.spare = null;
            flushUnused(s, toFlush, c.cpu);
            // __pcs_install_empty_sheaf() with no spare: the full main becomes the spare.
            c.spare = c.main;
            c.main = toFlush;
            return;
        }
        // No empty sheaf in the barn: a new one; main and spare are both full, so main goes to the barn.
        barn.putFull(c.main);
        c.main = new Sheaf(s.sheafCapacity);
    }

    /** sheaf_flush_unused(): every object of the sheaf back to its slab. */
    static void flushUnused(KmemCache s, Sheaf sheaf, int cpu) {
        while (sheaf.size > 0) releaseObject(s, sheaf.objects[--sheaf.size], cpu);
    }

    /** An object leaves a sheaf for its slab, freed as the CPU frees. */
    private static void releaseObject(KmemCache s, long h, int cpu) {
        Slab slab = (Slab) s.slub.memmap.ofAddress(h);
        int x = s.objectIndex(slab, h);
        slab.next[x] = Slab.ALLOCATED;
        SlabFree.freeToSlabs(s, slab, x, cpu);
    }

    /** pcs_flush_all(): the spare is flushed and dropped, the main sheaf flushed and kept. */
    static void flushCpu(KmemCache s, int cpu) {
        KmemCacheCpu c = s.cpus[cpu];
        synchronized (c) {
            Sheaf spare = c.spare;
            c.spare = null;
            if (spare != null) flushUnused(s, spare, cpu);
            flushUnused(s, c.main, cpu);
        }
    }

    /** barn_shrink(): the barn's full sheaves are flushed, and all its sheaves freed. */
    static void shrinkBarn(KmemCache s, Barn barn, int cpu) {
        java.util.List<Sheaf> full;
        synchronized (barn) {
            full = new java.util.ArrayList<>(barn.full);
            barn.full.clear();
            barn.empty.clear();
        }
        for (Sheaf sh : full) flushUnused(s, sh, cpu);
    }

    /** Objects held in this cache's sheaves (CPU main and spare, and the barn), for statistics. */
    static long objectsInSheaves(KmemCache s) {
        long n = 0;
        for (KmemCacheCpu c : s.cpus) {
            if (c.main != null) n += c.main.size;
            if (c.spare != null) n += c.spare.size;
        }
        for (KmemCacheNode node : s.nodes) {
            if (node.barn == null) continue;
            synchronized (node.barn) {
                for (Sheaf sh : node.barn.full) n += sh.size;
            }
        }
        return n;
    }
}
