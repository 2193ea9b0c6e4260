package ksim.mm.slub;

import java.util.ArrayList;
import java.util.List;

/**
 * The paths of caches with debug flags (F, Z, P, U, T), which never use CPU freelists
 * (mm/slub.c alloc_single_from_partial, alloc_single_from_new_slab, free_to_partial_list,
 * validate_slab_cache): every allocation and free takes the node's list_lock, full slabs are
 * tracked on n->full when SLAB_STORE_USER is set, and the lists can be validated.
 */
final class DebugSlab {
    private DebugSlab() {}

    /** One object from the first node-partial slab, or from a new slab. */
    static long alloc(KmemCache s) {
        KmemCacheNode n = s.nodes[0];
        synchronized (n) {
            Slab slab = n.partialHead;
            if (slab != null) {
                int x = slab.freelist;
                slab.freelist = slab.next[x];
                slab.next[x] = Slab.ALLOCATED;
                slab.inuse++;
                if (slab.inuse == slab.objects) {
                    n.removePartial(slab);
                    if (s.hasFlag(SlabFlags.STORE_USER)) n.addFull(slab);
                }
                return s.address(slab, x);
            }
        }
        Slab slab = SlabAlloc.newSlab(s, 0);
        synchronized (n) {
            int x = slab.freelist;
            slab.freelist = slab.next[x];
            slab.next[x] = Slab.ALLOCATED;
            slab.inuse = 1;
            if (slab.inuse == slab.objects) {
                if (s.hasFlag(SlabFlags.STORE_USER)) n.addFull(slab);
            } else {
                n.addPartial(slab, false);
            }
            n.nrSlabs++;
            n.totalObjects += slab.objects;
            return s.address(slab, x);
        }
    }

    /** free_to_partial_list(): a full slab moves to the partial tail; an empty one may be given back. */
    static void free(KmemCache s, Slab slab, int x) {
        KmemCacheNode n = s.nodes[slab.node];
        boolean discard;
        synchronized (n) {
            if (slab.next[x] != Slab.ALLOCATED) throw SlabFree.doubleFree(s, slab, x);
            int prior = slab.freelist;
            slab.inuse--;
            slab.next[x] = prior;
            slab.freelist = x;
            discard = slab.inuse == 0 && s.nodeHasMinPartial(n);
            if (prior == Slab.END) {
                n.removeFull(slab);
                if (!discard) n.addPartial(slab, true);
            } else if (discard) {
                n.removePartial(slab);
            }
            if (discard) {
                n.nrSlabs--;
                n.totalObjects -= slab.objects;
            }
        }
        if (discard) s.slub.freeSlab(slab);
    }

    /** What validate_slab_cache() found: the slabs it looked at and the problems it reported. */
    record Validation(long slabs, List<String> errors) {}

    /**
     * validate_slab_cache(): after flush_all, every node-partial slab (and, with
     * SLAB_STORE_USER, every full slab) is checked: its free objects are in range, listed once,
     * and number objects - inuse; the list lengths must match the node's counters.
     */
    static Validation validate(KmemCache s, int cpu) {
        Deactivate.flushAll(s, cpu);
        List<String> errors = new ArrayList<>();
        long count = 0;
        for (KmemCacheNode n : s.nodes) {
            synchronized (n) {
                long partial = 0;
                for (Slab slab = n.partialHead; slab != null; slab = slab.nextOnList) {
                    partial++;
                    validateSlab(s, slab, errors);
                }
                if (partial != n.nrPartial) errors.add(s.name + ": " + partial + " partial slabs counted but counter=" + n.nrPartial);
                count += partial;
                if (!s.hasFlag(SlabFlags.STORE_USER)) continue;
                long full = 0;
                for (Slab slab = n.fullHead; slab != null; slab = slab.nextOnList) {
                    full++;
                    validateSlab(s, slab, errors);
                    if (slab.inuse != slab.objects) errors.add(s.name + ": slab on the full list has free objects");
                }
                count += full;
                if (partial + full != n.nrSlabs) {
                    errors.add(s.name + ": " + (partial + full) + " slabs counted but counter=" + n.nrSlabs);
                }
            }
        }
        return new Validation(count, errors);
    }

    private static void validateSlab(KmemCache s, Slab slab, List<String> errors) {
        boolean[] seen = new boolean[slab.objects];
        int free = 0;
        for (int x = slab.freelist; x != Slab.END; x = slab.next[x]) {
            if (x < 0 || x >= slab.objects || seen[x]) {
                errors.add(s.name + ": freelist of " + slab + " is corrupt at " + x);
                return;
            }
            seen[x] = true;
            free++;
        }
        if (free != slab.objects - slab.inuse) {
            errors.add(s.name + ": " + slab + " has " + free + " free objects but inuse says " + (slab.objects - slab.inuse));
        }
    }
}
