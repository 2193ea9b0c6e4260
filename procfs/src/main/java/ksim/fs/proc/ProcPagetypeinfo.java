package ksim.fs.proc;

import ksim.kernel.Kernel;
import ksim.mm.MigrateType;
import ksim.mm.PglistData;
import ksim.mm.Zone;

/**
 * /proc/pagetypeinfo: pagetypeinfo_show() in mm/vmstat.c, the free blocks of each order per
 * zone and migratetype (each list walked, at most 100000 entries, as the kernel caps it), then
 * how many pageblocks of each type each zone has.
 */
final class ProcPagetypeinfo {
    /** The cap of pagetypeinfo_showfree_print()'s list walk. */
    private static final long WALK_CAP = 100000;

    private ProcPagetypeinfo() {}

    static byte[] show(Kernel k) {
        PglistData node = k.vmstat().node();
        Text s = new Text();
        s.printf("Page block order: %d\n", Zone.PAGEBLOCK_ORDER);
        s.printf("Pages per block:  %d\n", Zone.PAGEBLOCK_NR_PAGES);
        s.put('\n');
        s.printf("%-43s ", "Free pages count per migrate type at order");
        for (int order = 0; order < Zone.NR_PAGE_ORDERS; order++) s.printf("%6d ", order);
        s.put('\n');
        for (Zone z : node.zones()) {
            if (!z.populated()) continue;
            for (MigrateType mt : MigrateType.TYPES) {
                s.printf("Node %4d, zone %8s, type %12s ", node.nodeId, z.type.text, mt.text);
                for (int order = 0; order < Zone.NR_PAGE_ORDERS; order++) {
                    long n = z.countFreeList(order, mt, WALK_CAP);
                    s.printf("%s%6d ", n >= WALK_CAP ? ">" : "", n);
                }
                s.put('\n');
            }
        }
        s.printf("\n%-23s", "Number of blocks type ");
        for (MigrateType mt : MigrateType.TYPES) s.printf("%12s ", mt.text);
        s.put('\n');
        for (Zone z : node.zones()) {
            if (!z.populated()) continue;
            long[] count = new long[MigrateType.values().length];
            for (long pfn = z.startPfn(); pfn < z.endPfn(); pfn += Zone.PAGEBLOCK_NR_PAGES) {
                if (!node.memblock().sectionOnline(pfn)) continue;
                count[z.pageblockType(pfn).ordinal()]++;
            }
            s.printf("Node %d, zone %8s ", node.nodeId, z.type.text);
            for (MigrateType mt : MigrateType.TYPES) s.printf("%12d ", count[mt.ordinal()]);
            s.put('\n');
        }
        return s.bytes();
    }
}
