package ksim.mm.slub;

/**
 * struct kmem_cache_cpu (mm/slub.c): one CPU's view of a cache. The CPU slab's free objects
 * sit on this CPU's lockless freelist; the partial chain holds slabs with free objects that
 * this CPU took over. The object itself is the local_lock that guards these fields. Like the
 * kernel's per-CPU areas it is kept off the cache lines of the other CPUs' (CpuPadding).
 */
final class KmemCacheCpu extends KmemCacheCpuFields {
    /** Padding after the fields, so that the next CPU's object starts on another cache line. */
    long q0, q1, q2, q3, q4, q5, q6, q7;

    KmemCacheCpu(int cpu) {
        super(cpu);
    }

    /** Length of the partial chain. */
    int partialSlabs() {
        return partial == null ? 0 : partial.chainSlabs;
    }
}

/** Padding before the fields: the previous CPU's object ends a cache line away. */
abstract class CpuPadding {
    long p0, p1, p2, p3, p4, p5, p6, p7;
}

/** The fields of struct kmem_cache_cpu, between two paddings. */
abstract class KmemCacheCpuFields extends CpuPadding {
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

    KmemCacheCpuFields(int cpu) {
        this.cpu = cpu;
        this.tid = cpu;
    }
}
