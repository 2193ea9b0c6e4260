package ksim.mm.slub;

/**
 * struct kmem_cache_cpu (mm/slub.c): one CPU's view of a cache. The CPU slab's free objects
 * sit on this CPU's lockless freelist; the partial chain holds slabs with free objects that
 * this CPU took over. The object itself is the local_lock that guards these fields.
 */
final class KmemCacheCpu {
    final int cpu;
    /** c->freelist: index of the next free object of c->slab, or Slab.END. */
    int freelist = Slab.END;
    /** c->slab: the CPU slab, frozen, or null. */
    Slab slab;
    /** c->partial: head of the CPU partial chain (its chainSlabs is the chain's length). */
    Slab partial;
    /** c->tid: bumped on every change of c->slab, as the kernel's transaction id. */
    long tid;
    /** struct slub_percpu_sheaves: main and spare (caches with sheaf_capacity only). */
    Sheaf main;
    Sheaf spare;

    KmemCacheCpu(int cpu) {
        this.cpu = cpu;
        this.tid = cpu;
    }

    /** Length of the partial chain. */
    int partialSlabs() {
        return partial == null ? 0 : partial.chainSlabs;
    }
}
