package ksim.fs.sysfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Namei;
import ksim.fs.OpenFlags;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.PreforkPool;
import ksim.mm.VmStat;
import ksim.mm.VmStat.Item;
import org.junit.jupiter.api.Test;

/** /sys/devices/system/node/node0/{meminfo,vmstat}: the node's view of the same counters. */
class NodeMeminfoTest {
    private final Kernel k = Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL).withBootEpochMs(1_700_000_000_000L));
    private final SysFs fs = new SysFs(k);

    private String read(String path) {
        File f = Namei.walk(fs.root(), path, Caller.KERNEL).open(OpenFlags.O_RDONLY, Caller.KERNEL);
        byte[] buf = new byte[65536];
        int n = f.read(0, buf, 0, buf.length);
        return new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    private Map<String, Long> meminfo() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : read("/devices/system/node/node0/meminfo").split("\n")) {
            assertTrue(line.matches("Node 0 [A-Za-z_()]+: +\\d+( kB)?"), line);
            String[] f = line.substring("Node 0 ".length()).split(":\\s+");
            m.put(f[0], Long.parseLong(f[1].replace(" kB", "")));
        }
        return m;
    }

    private void assertMatchesTheModel(String when) {
        Map<String, Long> m = meminfo();
        VmStat vm = k.vmstat();
        k.locked(() -> {
            assertEquals(vm.totalRamPages() * 4, m.get("MemTotal"), when);
            assertEquals(vm.freePages() * 4, m.get("MemFree"), when);
            assertEquals(m.get("MemTotal") - m.get("MemFree"), m.get("MemUsed"), when);
            assertEquals(vm.get(Item.NR_FILE_PAGES) * 4, m.get("FilePages"), when);
            assertEquals(vm.get(Item.NR_ANON_MAPPED) * 4, m.get("AnonPages"), when);
            assertEquals(vm.get(Item.NR_KERNEL_STACK_KB), m.get("KernelStack"), when);
            assertEquals(vm.get(Item.NR_PAGETABLE) * 4, m.get("PageTables"), when);
            assertEquals(vm.mappedPages() * 4, m.get("Mapped"), when);
            assertEquals(m.get("SReclaimable") + m.get("SUnreclaim"), m.get("Slab"), when);
            assertEquals(m.get("Active(anon)") + m.get("Active(file)"), m.get("Active"), when);
            assertEquals(m.get("Inactive(anon)") + m.get("Inactive(file)"), m.get("Inactive"), when);
        });
        long used = m.get("FilePages") + m.get("AnonPages") + m.get("Slab") + m.get("KernelStack") + m.get("PageTables")
                + k.vmstat().vmallocPages() * 4;
        assertEquals(m.get("MemUsed"), used, when + ": MemUsed is what the allocator handed out");
    }

    @Test
    void meminfoIsTheNodesShareOfTheModel() {
        assertMatchesTheModel("after boot");
        PreforkPool.start(k, 20);
        assertMatchesTheModel("after 20 workers");
    }

    @Test
    void vmstatCarriesZoneNumaAndNodeCounters() {
        Map<String, Long> v = new LinkedHashMap<>();
        for (String line : read("/devices/system/node/node0/vmstat").split("\n")) {
            String[] f = line.split(" ");
            v.put(f[0], Long.parseLong(f[1]));
        }
        assertEquals(11 + 6 + 51, v.size());
        assertEquals(k.vmstat().freePages(), v.get("nr_free_pages"));
        assertEquals(k.vmstat().get(Item.NR_ANON_MAPPED), v.get("nr_anon_pages"));
        assertTrue(v.get("numa_hit") > 0 && v.get("numa_hit").equals(v.get("numa_local")), "one node: every hit is local");
    }

    @Test
    void layoutIsTheReferenceMachines() throws IOException {
        if (!Files.readString(Path.of("/proc/sys/kernel/osrelease")).startsWith("6.18")) return;
        Path host = Path.of("/sys/devices/system/node/node0");
        for (String file : List.of("meminfo", "vmstat")) {
            List<String> hostLines = Files.readAllLines(host.resolve(file)).stream().map(l -> l.replaceAll(" +\\d+", " N")).toList();
            List<String> mine = List.of(read("/devices/system/node/node0/" + file).split("\n")).stream().map(l -> l.replaceAll(" +\\d+", " N")).toList();
            assertEquals(hostLines, mine, file);
        }
        // "Node %d %-15s %8lu kB": values right-aligned, so " kB" always starts at the same column.
        for (String line : read("/devices/system/node/node0/meminfo").split("\n")) {
            if (line.endsWith(" kB")) assertEquals("Node 0 ".length() + 16 + 8, line.indexOf(" kB"), line);
            else assertEquals("Node 0 ".length() + 17 + 5, line.length(), line);
        }
    }
}
