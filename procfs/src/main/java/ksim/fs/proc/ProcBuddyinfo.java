package ksim.fs.proc;

import ksim.kernel.Kernel;
import ksim.mm.Zone;

/** /proc/buddyinfo: frag_show() in mm/vmstat.c, the free blocks of each order per populated zone. */
final class ProcBuddyinfo {
    private ProcBuddyinfo() {}

    static byte[] show(Kernel k) {
        var node = k.vmstat().node();
        Text s = new Text();
        for (Zone z : node.zones()) {
            if (!z.populated()) continue;
            s.printf("Node %d, zone %8s ", node.nodeId, z.type.text);
            for (int order = 0; order < Zone.NR_PAGE_ORDERS; order++) s.printf("%6d ", z.nrFree(order));
            s.put('\n');
        }
        return s.bytes();
    }
}
