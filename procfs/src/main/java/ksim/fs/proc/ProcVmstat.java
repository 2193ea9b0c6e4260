package ksim.fs.proc;

import ksim.kernel.Kernel;
import ksim.mm.NodeStatItem;
import ksim.mm.NumaStatItem;
import ksim.mm.PglistData;
import ksim.mm.VmEventItem;
import ksim.mm.VmEvents;
import ksim.mm.VmStat;
import ksim.mm.ZoneStatItem;

/**
 * /proc/vmstat: vmstat_start()/vmstat_show() in mm/vmstat.c, one "name value" line per counter
 * in vmstat_text order: zone counters, NUMA events, node counters, the dirty thresholds and
 * memmap sizes, the event counters, and the deprecated nr_unstable, always 0.
 */
final class ProcVmstat {
    private ProcVmstat() {}

    static byte[] show(Kernel k) {
        VmStat vm = k.vmstat();
        PglistData node = vm.node();
        Text s = new Text();
        for (ZoneStatItem i : ZoneStatItem.values()) line(s, i.text, node.zoneStat(i));
        for (NumaStatItem i : NumaStatItem.values()) line(s, i.text, node.numaEvent(i));
        for (NodeStatItem i : NodeStatItem.values()) line(s, i.text, vm.nodePageState(i));
        long[] dirty = vm.dirtyLimits();
        line(s, "nr_dirty_threshold", dirty[1]);
        line(s, "nr_dirty_background_threshold", dirty[0]);
        line(s, "nr_memmap_pages", 0);
        line(s, "nr_memmap_boot_pages", vm.memmapBootPages());
        VmEvents events = vm.events();
        for (VmEventItem i : VmEventItem.values()) line(s, i.text, events.shown(i));
        line(s, "nr_unstable", 0);
        return s.bytes();
    }

    private static void line(Text s, String name, long v) {
        s.put(name).put(' ').put(v).put('\n');
    }
}
