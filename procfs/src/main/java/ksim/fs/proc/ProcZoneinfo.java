package ksim.fs.proc;

import ksim.kernel.Kernel;
import ksim.mm.NodeStatItem;
import ksim.mm.NumaStatItem;
import ksim.mm.PglistData;
import ksim.mm.VmStat;
import ksim.mm.Watermarks;
import ksim.mm.Zone;
import ksim.mm.ZoneStatItem;
import ksim.mm.ZoneType;

/**
 * /proc/zoneinfo: zoneinfo_show_print() in mm/vmstat.c for every zone of the node, populated or
 * not: the node counters under the first populated zone, then each zone's free pages,
 * watermarks, sizes and lowmem_reserve ("protection"), and for populated zones their counters,
 * NUMA events, per-CPU pagesets (never holding pages here) and start pfn.
 */
final class ProcZoneinfo {
    private ProcZoneinfo() {}

    static byte[] show(Kernel k) {
        VmStat vm = k.vmstat();
        PglistData node = vm.node();
        Text s = new Text();
        boolean firstPopulated = true;
        for (Zone z : node.zones()) {
            s.printf("Node %d, zone %8s", node.nodeId, z.type.text);
            if (z.populated() && firstPopulated) {
                firstPopulated = false;
                s.put("\n  per-node stats");
                for (NodeStatItem i : NodeStatItem.values()) stat(s, i.text, vm.nodePageState(i));
            }
            s.printf("\n  pages free     %d", z.freePages());
            s.printf("\n        boost    %d", 0);
            s.printf("\n        min      %d", z.watermark(Zone.WMARK_MIN));
            s.printf("\n        low      %d", z.watermark(Zone.WMARK_LOW));
            s.printf("\n        high     %d", z.watermark(Zone.WMARK_HIGH));
            s.printf("\n        promo    %d", z.watermark(Zone.WMARK_PROMO));
            s.printf("\n        spanned  %d", z.spannedPages());
            s.printf("\n        present  %d", z.presentPages());
            s.printf("\n        managed  %d", z.managedPages());
            s.printf("\n        cma      %d", 0);
            s.printf("\n        protection: (%d", z.lowmemReserve(0));
            for (int i = 1; i < ZoneType.MAX_NR_ZONES; i++) s.printf(", %d", z.lowmemReserve(i));
            s.put(')');
            if (!z.populated()) {
                s.put('\n');
                continue;
            }
            for (ZoneStatItem i : ZoneStatItem.values()) stat(s, i.text, z.stat(i));
            for (NumaStatItem i : NumaStatItem.values()) stat(s, i.text, z.numaEvent(i));
            s.put("\n  pagesets");
            int cpus = node.cpus();
            for (int cpu = 0; cpu < cpus; cpu++) {
                int highMin = Watermarks.highMin(z, cpus);
                s.printf("\n    cpu: %d", cpu);
                s.printf("\n              count:    %d", 0);
                s.printf("\n              high:     %d", highMin);
                s.printf("\n              batch:    %d", Watermarks.batch(z));
                s.printf("\n              high_min: %d", highMin);
                s.printf("\n              high_max: %d", Watermarks.highMax(z, cpus));
                s.printf("\n  vm stats threshold: %d", Watermarks.statThreshold(z, cpus));
            }
            s.printf("\n  node_unreclaimable:  %d", 0);
            s.printf("\n  start_pfn:           %d", z.startPfn());
            s.put('\n');
        }
        return s.bytes();
    }

    private static void stat(Text s, String name, long v) {
        s.printf("\n      %-12s %d", name, v);
    }
}
