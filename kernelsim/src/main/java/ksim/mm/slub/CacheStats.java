package ksim.mm.slub;

/**
 * One consistent reading of a cache's counters, what show_slab_objects() and get_slabinfo()
 * add up, taken with every CPU's lock and every node's list_lock held so that all the files
 * rendered from it agree (per node: index = node id; per CPU: index = cpu).
 *
 * @param slabs            n->nr_slabs
 * @param totalObjects     n->total_objects
 * @param partial          n->nr_partial
 * @param objectsPartial   sum of inuse over the node-partial slabs
 * @param freePartial      sum of objects - inuse over the node-partial slabs (count_partial(count_free))
 * @param freePartialApprox count_partial_free_approx(): exact up to 10000 partial slabs, then estimated
 * @param cpuSlabs         per node: a CPU slab counts 1, plus its CPU's chain length when it has one
 * @param cpuHasSlab       per CPU: c->slab != NULL
 * @param chainSlabs       per CPU: the partial chain's length (its head's slabs)
 */
public record CacheStats(long[] slabs, long[] totalObjects, long[] partial, long[] objectsPartial, long[] freePartial,
                         long[] freePartialApprox, long[] cpuSlabs, boolean[] cpuHasSlab, int[] chainSlabs) {
    /** MAX_PARTIAL_TO_SCAN (mm/slub.c). */
    static final int MAX_PARTIAL_TO_SCAN = 10000;

    /** The objects file, per node: total_objects minus the free objects on node-partial slabs. */
    public long[] objects() {
        long[] o = new long[slabs.length];
        for (int i = 0; i < o.length; i++) o[i] = totalObjects[i] - freePartial[i];
        return o;
    }

    public static long sum(long[] a) {
        long s = 0;
        for (long v : a) s += v;
        return s;
    }

    /** Reads s under all its locks: CPUs in order, then nodes. */
    static CacheStats of(KmemCache s) {
        return lockCpus(s, 0);
    }

    private static CacheStats lockCpus(KmemCache s, int i) {
        if (i < s.cpus.length) {
            synchronized (s.cpus[i]) {
                return lockCpus(s, i + 1);
            }
        }
        return lockNodes(s, 0);
    }

    private static CacheStats lockNodes(KmemCache s, int i) {
        if (i < s.nodes.length) {
            synchronized (s.nodes[i]) {
                return lockNodes(s, i + 1);
            }
        }
        return read(s);
    }

    private static CacheStats read(KmemCache s) {
        int nn = s.nodes.length;
        long[] slabs = new long[nn];
        long[] total = new long[nn];
        long[] partial = new long[nn];
        long[] inusePartial = new long[nn];
        long[] freePartial = new long[nn];
        long[] approx = new long[nn];
        long[] cpuSlabs = new long[nn];
        for (KmemCacheNode n : s.nodes) {
            slabs[n.node] = n.nrSlabs;
            total[n.node] = n.totalObjects;
            partial[n.node] = n.nrPartial;
            for (Slab slab = n.partialHead; slab != null; slab = slab.nextOnList) {
                inusePartial[n.node] += slab.inuse;
                freePartial[n.node] += slab.objects - slab.inuse;
            }
            approx[n.node] = freeApprox(n);
        }
        boolean[] has = new boolean[s.cpus.length];
        int[] chains = new int[s.cpus.length];
        for (KmemCacheCpu c : s.cpus) {
            chains[c.cpu] = c.partialSlabs();
            if (c.slab == null) continue;
            // show_slab_objects(SO_CPU) skips a CPU without a CPU slab, chain included.
            has[c.cpu] = true;
            cpuSlabs[c.slab.node]++;
            if (c.partial != null) cpuSlabs[c.partial.node] += c.partial.chainSlabs;
        }
        return new CacheStats(slabs, total, partial, inusePartial, freePartial, approx, cpuSlabs, has, chains);
    }

    /** count_partial_free_approx(): past 10000 slabs, the first and last 5000 scaled to the list. */
    private static long freeApprox(KmemCacheNode n) {
        if (n.nrPartial <= MAX_PARTIAL_TO_SCAN) {
            long x = 0;
            for (Slab slab = n.partialHead; slab != null; slab = slab.nextOnList) x += slab.objects - slab.inuse;
            return x;
        }
        long x = 0;
        long scanned = 0;
        for (Slab slab = n.partialHead; slab != null; slab = slab.nextOnList) {
            x += slab.objects - slab.inuse;
            if (++scanned == MAX_PARTIAL_TO_SCAN / 2) break;
        }
        for (Slab slab = n.partialTail; slab != null; slab = slab.prev) {
            x += slab.objects - slab.inuse;
            if (++scanned == MAX_PARTIAL_TO_SCAN) break;
        }
        x = x * n.nrPartial / scanned;
        return Math.min(x, n.totalObjects);
    }
}
