package ksim.fs.sysfs;

import java.nio.charset.StandardCharsets;
import ksim.kernel.Kernel;
import ksim.mm.NodeStatItem;
import ksim.mm.NumaStatItem;
import ksim.mm.PglistData;
import ksim.mm.VmStat;
import ksim.mm.VmStat.Item;
import ksim.mm.ZoneStatItem;

/**
 * The node's memory files in /sys/devices/system/node/node0: meminfo (node_read_meminfo() in
 * drivers/base/node.c, "Node 0 Key: value kB") and vmstat (node_read_vmstat(): the zone
 * counters summed over the node's zones, its NUMA events and node counters). With one node
 * they equal /proc/meminfo's and /proc/vmstat's figures.
 */
final class NodeMeminfo {
    private NodeMeminfo() {}

    static byte[] meminfo(Kernel k) {
        VmStat vm = k.vmstat();
        PglistData node = vm.node();
        int nid = node.nodeId;
        long total = node.managedPages();
        long free = node.freePages();
        long sRecl = vm.get(Item.NR_SLAB_RECLAIMABLE);
        long sUnrecl = vm.get(Item.NR_SLAB_UNRECLAIMABLE);
        long activeAnon = vm.get(Item.NR_ACTIVE_ANON);
        long inactiveAnon = vm.get(Item.NR_INACTIVE_ANON);
        long activeFile = vm.get(Item.NR_ACTIVE_FILE);
        long inactiveFile = vm.get(Item.NR_INACTIVE_FILE);
        StringBuilder sb = new StringBuilder();
        kb(sb, nid, "MemTotal", pages(total));
        kb(sb, nid, "MemFree", pages(free));
        kb(sb, nid, "MemUsed", pages(total - free));
        kb(sb, nid, "SwapCached", 0);
        kb(sb, nid, "Active", pages(activeAnon + activeFile));
        kb(sb, nid, "Inactive", pages(inactiveAnon + inactiveFile));
        kb(sb, nid, "Active(anon)", pages(activeAnon));
        kb(sb, nid, "Inactive(anon)", pages(inactiveAnon));
        kb(sb, nid, "Active(file)", pages(activeFile));
        kb(sb, nid, "Inactive(file)", pages(inactiveFile));
        kb(sb, nid, "Unevictable", pages(vm.get(Item.NR_UNEVICTABLE)));
        kb(sb, nid, "Mlocked", pages(vm.get(Item.NR_MLOCK)));
        kb(sb, nid, "Dirty", pages(vm.get(Item.NR_DIRTY)));
        kb(sb, nid, "Writeback", pages(vm.get(Item.NR_WRITEBACK)));
        kb(sb, nid, "FilePages", pages(vm.get(Item.NR_FILE_PAGES)));
        kb(sb, nid, "Mapped", pages(vm.mappedPages()));
        kb(sb, nid, "AnonPages", pages(vm.get(Item.NR_ANON_MAPPED)));
        kb(sb, nid, "Shmem", pages(vm.get(Item.NR_SHMEM)));
        kb(sb, nid, "KernelStack", vm.get(Item.NR_KERNEL_STACK_KB));
        kb(sb, nid, "PageTables", pages(vm.get(Item.NR_PAGETABLE)));
        kb(sb, nid, "SecPageTables", 0);
        kb(sb, nid, "NFS_Unstable", 0);
        kb(sb, nid, "Bounce", 0);
        kb(sb, nid, "WritebackTmp", 0);
        kb(sb, nid, "KReclaimable", pages(sRecl + node.stat(NodeStatItem.NR_KERNEL_MISC_RECLAIMABLE)));
        kb(sb, nid, "Slab", pages(sRecl + sUnrecl));
        kb(sb, nid, "SReclaimable", pages(sRecl));
        kb(sb, nid, "SUnreclaim", pages(sUnrecl));
        for (String thp : new String[] {"AnonHugePages", "ShmemHugePages", "ShmemPmdMapped", "FileHugePages", "FilePmdMapped"}) {
            kb(sb, nid, thp, 0);
        }
        // hugetlb_report_node_meminfo(): no huge pages are configured.
        sb.append(String.format("Node %d HugePages_Total: %5d\n", nid, 0));
        sb.append(String.format("Node %d HugePages_Free:  %5d\n", nid, 0));
        sb.append(String.format("Node %d HugePages_Surp:  %5d\n", nid, 0));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] vmstat(Kernel k) {
        VmStat vm = k.vmstat();
        PglistData node = vm.node();
        StringBuilder sb = new StringBuilder();
        for (ZoneStatItem i : ZoneStatItem.values()) sb.append(i.text).append(' ').append(node.zoneStat(i)).append('\n');
        for (NumaStatItem i : NumaStatItem.values()) sb.append(i.text).append(' ').append(node.numaEvent(i)).append('\n');
        for (NodeStatItem i : NodeStatItem.values()) sb.append(i.text).append(' ').append(vm.nodePageState(i)).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long pages(long p) {
        return VmStat.pagesToKb(p);
    }

    /** "Node %d Key:   %8lu kB": the key and colon padded to 16 columns. */
    private static void kb(StringBuilder sb, int nid, String key, long kb) {
        sb.append(String.format("Node %d %-15s %8d kB\n", nid, key + ":", kb));
    }
}
