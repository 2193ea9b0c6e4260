package ksim.mm.slub;

/**
 * struct kmem_cache_node (mm/slub.c): a cache's slabs on one NUMA node. The object is the
 * node's list_lock; it guards the lists, the counters, and the freelist/inuse/frozen of every
 * slab on this node (what the kernel does with cmpxchg on the slab).
 */
final class KmemCacheNode {
    final int node;
    /** n->partial, a doubly linked list through Slab.prev/nextOnList. */
    Slab partialHead;
    Slab partialTail;
    long nrPartial;
    /** n->full: full slabs of a debug cache with SLAB_STORE_USER. */
    Slab fullHead;
    /** n->nr_slabs and n->total_objects. */
    long nrSlabs;
    long totalObjects;
    /** n->barn: spare sheaves (caches with sheaf_capacity only). */
    final Barn barn;

    KmemCacheNode(int node, boolean sheaves) {
        this.node = node;
        this.barn = sheaves ? new Barn() : null;
    }

    /** add_partial(): at the head, or at the tail (DEACTIVATE_TO_TAIL). */
    void addPartial(Slab s, boolean tail) {
        nrPartial++;
        s.onPartial = true;
        if (partialHead == null) {
            s.prev = s.nextOnList = null;
            partialHead = partialTail = s;
        } else if (tail) {
            s.prev = partialTail;
            s.nextOnList = null;
            partialTail.nextOnList = s;
            partialTail = s;
        } else {
            s.prev = null;
            s.nextOnList = partialHead;
            partialHead.prev = s;
            partialHead = s;
        }
    }

    /** remove_partial(). */
    void removePartial(Slab s) {
        if (s.prev != null) s.prev.nextOnList = s.nextOnList;
        else partialHead = s.nextOnList;
        if (s.nextOnList != null) s.nextOnList.prev = s.prev;
        else partialTail = s.prev;
        s.prev = s.nextOnList = null;
        s.onPartial = false;
        nrPartial--;
    }

    /** add_full() of a debug cache: full slabs are tracked only with SLAB_STORE_USER. */
    void addFull(Slab s) {
        s.onFull = true;
        s.prev = null;
        s.nextOnList = fullHead;
        if (fullHead != null) fullHead.prev = s;
        fullHead = s;
    }

    void removeFull(Slab s) {
        if (!s.onFull) return;
        if (s.prev != null) s.prev.nextOnList = s.nextOnList;
        else fullHead = s.nextOnList;
        if (s.nextOnList != null) s.nextOnList.prev = s.prev;
        s.prev = s.nextOnList = null;
        s.onFull = false;
    }
}
