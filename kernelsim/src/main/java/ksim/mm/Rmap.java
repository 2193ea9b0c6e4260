package ksim.mm;

import java.util.HashMap;
import java.util.Map;

/**
 * How many address spaces map the pages of each file (the i_mmap tree of an address_space,
 * and page_mapcount() counted per file rather than per page): smaps divides a shared page's
 * size among its mappers for Pss and calls it Shared_* when more than one mm maps it. Every
 * mm with present pages of a file counts once; Kernel.accountMm keeps this up to date.
 */
public final class Rmap {
    private final Map<Long, Integer> mappers = new HashMap<>();

    /** Adds (sign +1) or removes (-1) an mm's files. */
    public void account(MmStruct mm, int sign) {
        for (long key : mm.residentShareKeys()) {
            int n = mappers.getOrDefault(key, 0) + sign;
            if (n < 0) throw new IllegalStateException("file mapped by fewer than no mm");
            if (n == 0) mappers.remove(key);
            else mappers.put(key, n);
        }
    }

    /** The mms that map v's pages: at least 1 (the mm that asks), 1 for private anonymous memory. */
    public int mappers(Vma v) {
        long key = v.shareKey();
        if (key == 0) return 1;
        return Math.max(1, mappers.getOrDefault(key, 0));
    }
}
