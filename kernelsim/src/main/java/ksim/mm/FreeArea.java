package ksim.mm;

import java.util.Arrays;

/**
 * struct free_area (include/linux/mmzone.h): the free blocks of one order in one zone, one
 * list per migratetype, and their count (nr_free, what /proc/buddyinfo prints). The lists are
 * circular and doubly linked through the zone's mem_map (page->buddy_list), so a block
 * leaves its list in constant time when its buddy merges with it.
 */
final class FreeArea {
    /** First block of each list, as an index into the zone's mem_map; -1 when empty. */
    final int[] head = new int[MigrateType.values().length];
    /** nr_free: blocks on all the lists. */
    long nrFree;

    FreeArea() {
        Arrays.fill(head, -1);
    }

    /** free_area_empty(). */
    boolean empty(MigrateType mt) {
        return head[mt.ordinal()] < 0;
    }
}
