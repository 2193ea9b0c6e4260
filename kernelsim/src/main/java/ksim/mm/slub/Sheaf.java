package ksim.mm.slub;

/**
 * struct slab_sheaf (mm/slub.c): an array of free objects a CPU keeps in front of its slabs.
 * The objects are allocated from the slab layer's point of view; they are named by handle.
 */
final class Sheaf {
    final long[] objects;
    int size;

    Sheaf(int capacity) {
        this.objects = new long[capacity];
    }

    boolean full() {
        return size == objects.length;
    }
}
