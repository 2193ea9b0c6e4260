package ksim.mm.slub;

/**
 * struct slab (mm/slab.h), which overlays the head struct page of the 2^order pages a cache
 * took from the page allocator. Objects are named by their index; the free pointer stored in a
 * free object (at s->offset) is next[index]. An allocated object holds the ALLOCATED marker
 * there instead, which is how double frees are caught.
 *
 * Fields are guarded as in SLUB: freelist, inuse and frozen by the node's list_lock (the
 * kernel's cmpxchg on freelist+counters), the list links by list_lock, the objects on a CPU's
 * lockless freelist by that CPU's lock.
 */
final class Slab {
    /** Free pointer values: end of a list, an object handed out, an object held in a sheaf. */
    static final int END = -1;
    static final int ALLOCATED = -2;
    static final int IN_SHEAF = -3;

    /** slab->slab_cache. */
    final KmemCache cache;
    /** The pfn of the head page. */
    final long pfn;
    final int order;
    /** slab->objects: how many objects this slab has (depends on the order it was given). */
    final int objects;
    final int node;
    /** slab->freelist: the first free object not held by a CPU, or END. */
    int freelist = END;
    /** slab->inuse: objects not on slab->freelist (a frozen slab counts its CPU freelist as in use). */
    int inuse;
    /** slab->frozen: this slab is some CPU's c->slab. */
    boolean frozen;
    /** The free pointer of each object. */
    final int[] next;

    /** slab_list on the node partial list (or the full list of a debug cache). */
    Slab prev;
    Slab nextOnList;
    /** SL_partial: on n->partial. */
    boolean onPartial;
    /** On n->full (debug caches with SLAB_STORE_USER). */
    boolean onFull;
    /** slab->next and slab->slabs while on a CPU partial chain: slabs counts this one and those after it. */
    Slab chainNext;
    int chainSlabs;

    Slab(KmemCache cache, long pfn, int order, int objects, int node) {
        this.cache = cache;
        this.pfn = pfn;
        this.order = order;
        this.objects = objects;
        this.node = node;
        this.next = new int[objects];
    }

    /**
     * shuffle_freelist(): links the objects into slab->freelist in the order of the cache's
     * random sequence, starting at a random position and wrapping around; a slab of a fallback
     * order skips the indexes it does not have.
     */
    void buildFreelist(int[] seq, int start) {
        int head = END;
        int tail = END;
        int n = seq.length;
        for (int i = 0; i < n; i++) {
            int x = seq[(start + i) % n];
            if (x >= objects) continue;
            next[x] = END;
            if (tail == END) head = x;
            else next[tail] = x;
            tail = x;
        }
        // A fallback slab larger than the sequence (never the case with order >= min order) keeps the rest in order.
        for (int x = n; x < objects; x++) {
            next[x] = END;
            if (tail == END) head = x;
            else next[tail] = x;
            tail = x;
        }
        freelist = head;
        inuse = 0;
    }

    /** Length of an object list starting at head. */
    int listLength(int head) {
        int n = 0;
        for (int x = head; x >= 0; x = next[x]) n++;
        return n;
    }

    @Override
    public String toString() {
        return "slab[" + cache.name() + " pfn " + pfn + " inuse " + inuse + "/" + objects + (frozen ? " frozen" : "") + "]";
    }
}
