package ksim.mm.slub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Recounts a quiescent cache from its raw structures (CPU slabs and freelists, chains, node
 * lists, the slabs of the objects a test holds) and checks that every slab is in exactly one
 * state, that each state's counters agree with its objects, and that CacheStats gives the
 * numbers spec 5.5 demands. Lives in the package to see the structures.
 */
final class SlubAudit {
    private SlubAudit() {}

    /** @param live the handles of s that the test holds allocated */
    static void check(Slub slub, KmemCache s, Set<Long> live) {
        Map<Slab, String> state = new IdentityHashMap<>();
        Map<Slab, Integer> cpuFree = new IdentityHashMap<>();
        long chainSum = 0;
        for (KmemCacheCpu c : s.cpus) {
            if (c.slab != null) {
                assertTrue(c.slab.frozen, "a CPU slab is frozen");
                assertEquals(null, state.put(c.slab, "cpu" + c.cpu), "slab in two states");
                cpuFree.put(c.slab, c.slab.listLength(c.freelist));
            } else {
                assertEquals(Slab.END, c.freelist, "no freelist without a CPU slab");
            }
            int expect = c.partialSlabs();
            chainSum += expect;
            for (Slab p = c.partial; p != null; p = p.chainNext) {
                assertEquals(expect--, p.chainSlabs, "slabs counts the rest of the chain");
                assertFalse(p.frozen, "chain slabs are not frozen");
                assertFalse(p.onPartial);
                assertTrue(p.freelist != Slab.END, "a chain slab has free objects");
                assertEquals(null, state.put(p, "chain" + c.cpu), "slab in two states");
            }
            assertEquals(0, expect);
        }
        long[] freeOnPartial = new long[s.nodes.length];
        for (KmemCacheNode n : s.nodes) {
            long count = 0;
            Slab prev = null;
            for (Slab p = n.partialHead; p != null; p = p.nextOnList) {
                assertTrue(p.prev == prev, "partial list links");
                prev = p;
                count++;
                assertTrue(p.onPartial && !p.frozen);
                assertTrue(p.inuse < p.objects, "a node-partial slab has a free object");
                assertEquals(null, state.put(p, "partial"), "slab in two states");
                freeOnPartial[n.node] += p.objects - p.inuse;
            }
            assertTrue(n.partialTail == prev);
            assertEquals(n.nrPartial, count, "nr_partial");
            for (Slab p = n.fullHead; p != null; p = p.nextOnList) {
                assertEquals(p.objects, p.inuse);
                assertEquals(null, state.put(p, "full-list"), "slab in two states");
            }
        }
        // Slabs reachable only through held objects or sheaves are full slabs on no list.
        Map<Slab, Integer> held = new IdentityHashMap<>();
        for (long h : live) {
            Slab slab = (Slab) slub.memmap.ofAddress(h);
            assertTrue(slab != null && slab.cache == s, "a held object lies in a slab of its cache");
            assertEquals(Slab.ALLOCATED, slab.next[s.objectIndex(slab, h)], "a held object is marked allocated");
            held.merge(slab, 1, Integer::sum);
            state.putIfAbsent(slab, "full");
        }
        Map<Slab, Integer> inSheaves = new IdentityHashMap<>();
        for (KmemCacheCpu c : s.cpus) {
            for (Sheaf sh : new Sheaf[] {c.main, c.spare}) countSheaf(slub, s, sh, inSheaves, state);
        }
        for (KmemCacheNode n : s.nodes) {
            if (n.barn == null) continue;
            assertTrue(n.barn.full.size() <= Barn.MAX_FULL);
            for (Sheaf sh : n.barn.full) {
                assertTrue(sh.full(), "the barn's full sheaves are full");
                countSheaf(slub, s, sh, inSheaves, state);
            }
            for (Sheaf sh : n.barn.empty) assertEquals(0, sh.size);
        }
        long slabs = 0;
        long total = 0;
        for (var e : state.entrySet()) {
            Slab slab = e.getKey();
            slabs++;
            total += slab.objects;
            int onSlabList = slab.listLength(slab.freelist);
            int cpu = cpuFree.getOrDefault(slab, 0);
            int objectsHeld = held.getOrDefault(slab, 0) + inSheaves.getOrDefault(slab, 0);
            assertEquals(slab.objects, onSlabList + cpu + objectsHeld,
                    e.getValue() + " slab: free + held objects = objects (no object lost or counted twice)");
            // inuse counts everything not on slab->freelist: for a frozen slab, its CPU freelist too.
            assertEquals(slab.objects - onSlabList, slab.inuse, e.getValue() + " slab: inuse");
            if (e.getValue().equals("full")) assertEquals(Slab.END, slab.freelist, "a slab on no list is full");
            assertTrue(slub.memmap.get(slab.pfn) == slab, "the memory map knows the slab");
        }
        CacheStats st = slub.stats(s);
        assertEquals(slabs, CacheStats.sum(st.slabs()), s.name + ": nr_slabs counts every slab");
        assertEquals(total, CacheStats.sum(st.totalObjects()), s.name + ": total_objects = sum of slab->objects");
        long objects = CacheStats.sum(st.objects());
        assertEquals(total - CacheStats.sum(freeOnPartial), objects, "objects = total - free on node partial");
        assertEquals(CacheStats.sum(st.partial()) * s.objsPerSlab - CacheStats.sum(st.objectsPartial()), total - objects,
                "total_objects - objects = partial * objs_per_slab - objects_partial");
        long chains = 0;
        for (int v : st.chainSlabs()) chains += v;
        assertEquals(chainSum, chains, "slabs_cpu_partial counts the chains");
        long cpuSlabs = 0;
        for (KmemCacheCpu c : s.cpus) if (c.slab != null) cpuSlabs += 1 + c.partialSlabs();
        assertEquals(cpuSlabs, CacheStats.sum(st.cpuSlabs()), "cpu_slabs");
        assertTrue(objects >= live.size(), "every held object counts as in use");
    }

    private static void countSheaf(Slub slub, KmemCache s, Sheaf sh, Map<Slab, Integer> inSheaves, Map<Slab, String> state) {
        if (sh == null) return;
        for (int i = 0; i < sh.size; i++) {
            Slab slab = (Slab) slub.memmap.ofAddress(sh.objects[i]);
            assertEquals(Slab.IN_SHEAF, slab.next[s.objectIndex(slab, sh.objects[i])], "a sheaf object is marked");
            inSheaves.merge(slab, 1, Integer::sum);
            state.putIfAbsent(slab, "full");
        }
    }

    /** The pages every cache's slabs take, which must be what the allocator accounted. */
    static long slabPages(Slub slub) {
        long pages = 0;
        for (KmemCache s : slub.caches()) {
            CacheStats st = slub.stats(s);
            // Without order fallbacks every slab has the cache's order.
            pages += CacheStats.sum(st.slabs()) << s.order;
        }
        return pages;
    }
}
