package ksim.mm.slub;

import ksim.kernel.Errno;
import ksim.kernel.KernelError;

/**
 * The free paths of mm/slub.c: do_slab_free() with its fast path onto the CPU freelist,
 * __slab_free() onto the slab's own freelist with the list moves that follow, and the CPU
 * partial chain (put_cpu_partial, __put_partials). Every free first checks that the object is
 * allocated, so a double free is reported and changes nothing.
 */
final class SlabFree {
    private SlabFree() {}

    /** A free of an object that is already free ("Object already free" of free_consistency_checks). */
    static KernelError doubleFree(KmemCache s, Slab slab, int x) {
        return Errno.EINVAL.error(String.format("%s: double free of object 0x%x (Object already free)", s.name, s.address(slab, x)));
    }

    /** slab_free(): object x of slab, freed on cpu. */
    static void free(KmemCache s, Slab slab, int x, int cpu) {
        if (s.debug) {
            DebugSlab.free(s, slab, x);
            return;
        }
        if (s.sheafCapacity > 0 && Sheaves.free(s, slab, x, cpu)) return;
        freeToSlabs(s, slab, x, cpu);
    }

    /** do_slab_free(): the fast path if the slab is this CPU's slab, else __slab_free(). */
    static void freeToSlabs(KmemCache s, Slab slab, int x, int cpu) {
        KmemCacheCpu c = s.cpus[cpu];
        synchronized (c) {
            if (slab == c.slab) {
                if (slab.next[x] != Slab.ALLOCATED) throw doubleFree(s, slab, x);
                slab.next[x] = c.freelist;
                c.freelist = x;
                return;
            }
        }
        slowFree(s, slab, x, cpu);
    }

    /**
     * __slab_free(): push onto slab->freelist; then a full slab goes onto this CPU's partial
     * chain, and an empty slab on the node partial list is given back when the node already
     * keeps min_partial slabs.
     */
    private static void slowFree(KmemCache s, Slab slab, int x, int cpu) {
        KmemCacheNode n = s.nodes[slab.node];
        boolean toCpuPartial = false;
        boolean discard = false;
        synchronized (n) {
            if (slab.next[x] != Slab.ALLOCATED) throw doubleFree(s, slab, x);
            int prior = slab.freelist;
            slab.next[x] = prior;
            slab.freelist = x;
            slab.inuse--;
            if (slab.frozen) return;
            if (prior == Slab.END) {
                toCpuPartial = true;
            } else if (slab.onPartial && slab.inuse == 0 && s.nodeHasMinPartial(n)) {
                n.removePartial(slab);
                n.nrSlabs--;
                n.totalObjects -= slab.objects;
                discard = true;
            }
            // Otherwise the slab is partly free on some CPU's partial chain: nothing to do.
        }
        if (discard) s.slub.freeSlab(slab);
        if (toCpuPartial) {
            KmemCacheCpu c = s.cpus[cpu];
            synchronized (c) {
                putCpuPartial(s, c, slab, true);
            }
        }
    }

    /**
     * put_cpu_partial(): push a slab onto the CPU partial chain. With drain, a chain that
     * already holds cpu_partial_slabs slabs is first moved to the node lists whole and the
     * slab starts a new chain. The caller holds the CPU's lock.
     */
    static void putCpuPartial(KmemCache s, KmemCacheCpu c, Slab slab, boolean drain) {
        Slab old = c.partial;
        Slab toPut = null;
        int slabs = 0;
        if (old != null) {
            if (drain && old.chainSlabs >= s.cpuPartialSlabs) {
                toPut = old;
                old = null;
            } else {
                slabs = old.chainSlabs;
            }
        }
        slab.chainSlabs = slabs + 1;
        slab.chainNext = old;
        c.partial = slab;
        if (toPut != null) putPartials(s, toPut);
    }

    /**
     * __put_partials(): a chain goes back to the node lists, each slab at the tail, except an
     * empty one when its node already keeps min_partial slabs, which is given back.
     */
    static void putPartials(KmemCache s, Slab chain) {
        Slab discard = null;
        while (chain != null) {
            Slab slab = chain;
            chain = slab.chainNext;
            slab.chainNext = null;
            slab.chainSlabs = 0;
            KmemCacheNode n = s.nodes[slab.node];
            synchronized (n) {
                if (slab.inuse == 0 && s.nodeHasMinPartial(n)) {
                    n.nrSlabs--;
                    n.totalObjects -= slab.objects;
                    slab.chainNext = discard;
                    discard = slab;
                } else {
                    n.addPartial(slab, true);
                }
            }
        }
        while (discard != null) {
            Slab slab = discard;
            discard = slab.chainNext;
            slab.chainNext = null;
            s.slub.freeSlab(slab);
        }
    }
}
