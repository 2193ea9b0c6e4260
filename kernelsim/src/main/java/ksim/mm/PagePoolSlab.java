package ksim.mm;

/**
 * A stand-in for SLUB: objects are only a byte count per kind, kept in as many order-0 slab
 * pages as they fill. A page is taken when the count outgrows the pages held and the last
 * page taken is given back as soon as the rest suffice, so slab memory follows the objects.
 */
public final class PagePoolSlab implements SlabPages {
    private final Folios folios;
    private final long[] bytes = new long[2];
    private final LongList[] pages = {new LongList(64), new LongList(64)};

    PagePoolSlab(Folios folios) {
        this.folios = folios;
    }

    private static int kind(boolean reclaimable) {
        return reclaimable ? 1 : 0;
    }

    private static PageUse use(boolean reclaimable) {
        return reclaimable ? PageUse.SLAB_RECLAIMABLE : PageUse.SLAB_UNRECLAIMABLE;
    }

    @Override
    public void alloc(boolean reclaimable, long n) {
        if (n < 0) throw new IllegalArgumentException("negative size");
        int k = kind(reclaimable);
        LongList held = pages[k];
        long need = Folios.pagesFor(bytes[k] + n);
        int before = held.size();
        try {
            while (held.size() < need) held.add(folios.alloc(use(reclaimable), 0));
        } catch (RuntimeException e) {
            while (held.size() > before) folios.free(use(reclaimable), held.removeLast());
            throw e;
        }
        bytes[k] += n;
    }

    @Override
    public void free(boolean reclaimable, long n) {
        int k = kind(reclaimable);
        if (n < 0 || n > bytes[k]) throw new IllegalStateException("freeing " + n + " of " + bytes[k] + " slab bytes");
        bytes[k] -= n;
        LongList held = pages[k];
        long need = Folios.pagesFor(bytes[k]);
        while (held.size() > need) folios.free(use(reclaimable), held.removeLast());
    }

    @Override
    public long bytes(boolean reclaimable) {
        return bytes[kind(reclaimable)];
    }
}
