package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ksim.mm.NumaStatItem;
import ksim.mm.PglistData;
import ksim.mm.VmEventItem;
import ksim.mm.VmStat;
import ksim.mm.Zone;
import ksim.mm.ZoneType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Memory clients on the mount: procps free, vmstat -s, vmstat 1 2 and busybox free inside
 * namespaces, and prometheus-node-exporter's buddyinfo, meminfo, vmstat and zoneinfo collectors
 * reading the mounted trees. Every figure they print is compared with the model's, taken right
 * after the client ran (the clock is manual, so only the clients themselves change the model:
 * the visitor task a client gets is created before it reads any memory file).
 */
class MemoryClientsTest {
    private static final String NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";
    static MountedKernel mk;

    @BeforeAll
    static void up() throws Exception {
        mk = MountedKernel.start();
    }

    @AfterAll
    static void down() throws Exception {
        if (mk != null) {
            assertEquals(0, mk.server.procMount().unexpectedErrors(), "no exception may reach the FUSE layer");
            mk.close();
        }
    }

    /** The meminfo fields clients derive their columns from, in KiB, from the model. */
    private record Mem(long total, long free, long available, long buffers, long cached, long sReclaimable, long shmem,
                       long active, long inactive, long pgpgin, long pgpgout) {
        long buffCache() {
            return buffers + cached + sReclaimable;
        }
    }

    private static Mem model() {
        return mk.kernel.locked(() -> {
            VmStat vm = mk.kernel.vmstat();
            long file = vm.get(VmStat.Item.NR_FILE_PAGES);
            long buffers = vm.get(VmStat.Item.NR_BUFFERS);
            long active = vm.get(VmStat.Item.NR_ACTIVE_ANON) + vm.get(VmStat.Item.NR_ACTIVE_FILE);
            long inactive = vm.get(VmStat.Item.NR_INACTIVE_ANON) + vm.get(VmStat.Item.NR_INACTIVE_FILE);
            return new Mem(vm.totalRamPages() * 4, vm.freePages() * 4, vm.availablePages() * 4, buffers * 4, (file - buffers) * 4,
                    vm.get(VmStat.Item.NR_SLAB_RECLAIMABLE) * 4, vm.get(VmStat.Item.NR_SHMEM) * 4, active * 4, inactive * 4,
                    vm.events().shown(VmEventItem.PGPGIN), vm.events().shown(VmEventItem.PGPGOUT));
        });
    }

    private static long[] memLine(MountedKernel.Result r) {
        String line = r.lines().stream().filter(l -> l.startsWith("Mem:")).findFirst().orElseThrow();
        String[] f = line.split("\\s+");
        long[] v = new long[f.length - 1];
        for (int i = 1; i < f.length; i++) v[i - 1] = Long.parseLong(f[i]);
        return v;
    }

    @Test
    void procpsFree() throws Exception {
        var r = mk.run("free");
        ClientsTest.assertClean(r, "free");
        Mem m = model();
        long[] v = memLine(r);
        // total used free shared buff/cache available; procps 4 counts used as total - available.
        assertEquals(List.of(m.total(), m.total() - m.available(), m.free(), m.shmem(), m.buffCache(), m.available()),
                List.of(v[0], v[1], v[2], v[3], v[4], v[5]), r.out());
        var wide = mk.run("free", "-w", "-b");
        ClientsTest.assertClean(wide, "free -w -b");
        long[] w = memLine(wide);
        assertEquals(m.buffers() * 1024, w[4], "free -w: buffers");
        assertEquals((m.cached() + m.sReclaimable()) * 1024, w[5], "free -w: cache = Cached + SReclaimable");
    }

    @Test
    void busyboxFree() throws Exception {
        var r = mk.run("busybox", "free");
        ClientsTest.assertClean(r, "busybox free");
        Mem m = model();
        long[] v = memLine(r);
        // busybox takes total, free, shared and buffers from sysinfo(2), i.e. from the host kernel;
        // only Cached, SReclaimable and MemAvailable come from /proc/meminfo (buff/cache adds the
        // host's buffers to them).
        assertEquals(m.available(), v[5], "available = MemAvailable\n" + r.out());
        assertTrue(v[4] >= m.cached() + m.sReclaimable(), "buff/cache includes Cached + SReclaimable\n" + r.out());
    }

    @Test
    void vmstatSummary() throws Exception {
        var r = mk.run("vmstat", "-s");
        ClientsTest.assertClean(r, "vmstat -s");
        Mem m = model();
        Map<String, Long> s = new HashMap<>();
        for (String line : r.lines()) {
            Matcher x = Pattern.compile("^\\s*(\\d+) (?:K )?(.+)$").matcher(line);
            assertTrue(x.matches(), line);
            s.put(x.group(2), Long.parseLong(x.group(1)));
        }
        assertEquals(m.total(), s.get("total memory"));
        assertEquals(m.total() - m.available(), s.get("used memory"));
        assertEquals(m.active(), s.get("active memory"));
        assertEquals(m.inactive(), s.get("inactive memory"));
        assertEquals(m.free(), s.get("free memory"));
        assertEquals(m.buffers(), s.get("buffer memory"));
        assertEquals(m.cached() + m.sReclaimable(), s.get("swap cache"));
        assertEquals(m.pgpgin(), s.get("paged in"));
        assertTrue(s.get("paged in") > 0, "boot read its page cache");
        assertEquals(m.pgpgout(), s.get("paged out"));
        assertEquals(0, s.get("pages swapped in"));
        assertEquals(0, s.get("pages swapped out"));
        assertEquals(0, s.get("total swap"));
    }

    @Test
    void vmstatSamplesTwice() throws Exception {
        var r = mk.run("vmstat", "1", "2");
        ClientsTest.assertClean(r, "vmstat 1 2");
        Mem m = model();
        List<String> lines = r.lines();
        assertEquals(4, lines.size(), r.out());
        List<String> header = List.of(lines.get(1).strip().split("\\s+"));
        for (int i = 2; i < 4; i++) {
            String[] f = lines.get(i).strip().split("\\s+");
            assertEquals(m.free(), Long.parseLong(f[header.indexOf("free")]), "free, sample " + (i - 1));
            assertEquals(m.buffers(), Long.parseLong(f[header.indexOf("buff")]), "buff, sample " + (i - 1));
            assertEquals(m.cached() + m.sReclaimable(), Long.parseLong(f[header.indexOf("cache")]), "cache, sample " + (i - 1));
            assertEquals(0, Long.parseLong(f[header.indexOf("swpd")]));
        }
        // The clock stands still and nothing reads from disk: the second sample's deltas are zero.
        String[] second = lines.get(3).strip().split("\\s+");
        assertEquals("0", second[header.indexOf("bi")]);
        assertEquals("0", second[header.indexOf("bo")]);
    }

    // ---- node_exporter -------------------------------------------------------------------------

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** metric{labels} -> value, from the text exposition format. */
    private static Map<String, Double> parseMetrics(String text) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int sp = line.lastIndexOf(' ');
            m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return m;
    }

    private static String scrape() throws Exception {
        boolean required = Boolean.getBoolean("ksim.requireFuse");
        if (required) assertTrue(Files.isExecutable(Path.of(NODE_EXPORTER)), "install prometheus-node-exporter (.ci/run does)");
        assumeTrue(Files.isExecutable(Path.of(NODE_EXPORTER)), "needs prometheus-node-exporter");
        int port = freePort();
        Process ne = new ProcessBuilder(NODE_EXPORTER, "--path.procfs=" + mk.proc(), "--path.sysfs=" + mk.dir.resolve("sys"),
                "--collector.disable-defaults", "--collector.buddyinfo", "--collector.meminfo", "--collector.vmstat",
                "--collector.zoneinfo", "--collector.vmstat.fields=^(nr_.*|pg.*|pswp.*|allocstall.*|oom_kill|numa_.*)$",
                "--web.listen-address=127.0.0.1:" + port)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // It logs "Listening on" once its socket is bound: that line, not a sleep, is the signal.
            List<String> log = new ArrayList<>();
            try (BufferedReader err = new BufferedReader(new InputStreamReader(ne.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null && !line.contains("msg=\"Listening on\"")) log.add(line);
                assertTrue(line != null, "node_exporter exited before listening: " + log);
                Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "20", "http://127.0.0.1:" + port + "/metrics").start();
                byte[] out = curl.getInputStream().readAllBytes();
                String curlErr = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(curl.waitFor(30, TimeUnit.SECONDS), "curl hung");
                assertEquals(0, curl.exitValue(), curlErr);
                return new String(out, StandardCharsets.UTF_8);
            }
        } finally {
            ne.destroy();
            if (!ne.waitFor(10, TimeUnit.SECONDS)) ne.destroyForcibly().waitFor();
        }
    }

    /** /proc/meminfo as node_exporter names it: node_memory_<Key>_bytes for kB lines, "(x)" -> "_x". */
    private static Map<String, Long> meminfoMetrics(List<String> meminfo) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : meminfo) {
            String[] f = line.split(":?\\s+");
            String key = f[0].replace(":", "").replace("(", "_").replace(")", "");
            long v = Long.parseLong(f[1]);
            if (f.length == 3) m.put("node_memory_" + key + "_bytes", v * 1024);
            else m.put("node_memory_" + key, v);
        }
        return m;
    }

    @Test
    void nodeExporterReportsTheModel() throws Exception {
        Map<String, Double> metrics = parseMetrics(scrape());
        for (String c : List.of("buddyinfo", "meminfo", "vmstat", "zoneinfo")) {
            assertEquals(1.0, metrics.get("node_scrape_collector_success{collector=\"" + c + "\"}"), c);
        }
        VmStat vm = mk.kernel.vmstat();
        PglistData node = vm.node();
        mk.kernel.locked(() -> {
            assertEquals(vm.totalRamPages() * 4096.0, metrics.get("node_memory_MemTotal_bytes"));
            assertEquals(vm.freePages() * 4096.0, metrics.get("node_memory_MemFree_bytes"));
            assertEquals(vm.availablePages() * 4096.0, metrics.get("node_memory_MemAvailable_bytes"));
            assertEquals(vm.get(VmStat.Item.NR_ANON_MAPPED) * 4096.0, metrics.get("node_memory_AnonPages_bytes"));
            assertEquals(vm.get(VmStat.Item.NR_KERNEL_STACK_KB) * 1024.0, metrics.get("node_memory_KernelStack_bytes"));
            int buddy = 0;
            int zoneinfo = 0;
            for (Zone z : node.zones()) {
                String zl = "node=\"0\",zone=\"" + z.type.text + "\"";
                if (z.populated()) {
                    for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
                        assertEquals((double) z.nrFree(o), metrics.get("node_buddyinfo_blocks{node=\"0\",size=\"" + o + "\",zone=\"" + z.type.text + "\"}"), z + " order " + o);
                        buddy++;
                    }
                    assertEquals((double) z.freePages(), metrics.get("node_zoneinfo_nr_free_pages{" + zl + "}"), z.toString());
                    assertEquals((double) z.numaEvent(NumaStatItem.NUMA_HIT), metrics.get("node_zoneinfo_numa_hit_total{" + zl + "}"), z.toString());
                }
                assertEquals((double) z.watermark(Zone.WMARK_MIN), metrics.get("node_zoneinfo_min_pages{" + zl + "}"), z.toString());
                assertEquals((double) z.watermark(Zone.WMARK_LOW), metrics.get("node_zoneinfo_low_pages{" + zl + "}"), z.toString());
                assertEquals((double) z.watermark(Zone.WMARK_HIGH), metrics.get("node_zoneinfo_high_pages{" + zl + "}"), z.toString());
                assertEquals((double) z.managedPages(), metrics.get("node_zoneinfo_managed_pages{" + zl + "}"), z.toString());
                assertEquals((double) z.presentPages(), metrics.get("node_zoneinfo_present_pages{" + zl + "}"), z.toString());
                assertEquals((double) z.spannedPages(), metrics.get("node_zoneinfo_spanned_pages{" + zl + "}"), z.toString());
                for (int i = 0; i < ZoneType.MAX_NR_ZONES; i++) {
                    assertEquals((double) z.lowmemReserve(i), metrics.get("node_zoneinfo_protection_" + i + "{" + zl + "}"), z + " protection " + i);
                }
                zoneinfo++;
            }
            assertEquals(33, buddy, "three populated zones, eleven orders");
            assertEquals(5, zoneinfo);
            String dma = "{node=\"0\",zone=\"DMA\"}";
            assertEquals((double) vm.get(VmStat.Item.NR_ANON_MAPPED), metrics.get("node_zoneinfo_nr_anon_pages" + dma), "per-node stats sit under DMA");
            assertEquals((double) vm.get(VmStat.Item.NR_FILE_PAGES), metrics.get("node_zoneinfo_nr_file_pages" + dma));
            assertEquals((double) vm.get(VmStat.Item.NR_SLAB_RECLAIMABLE), metrics.get("node_zoneinfo_nr_slab_reclaimable_pages" + dma));
            assertEquals((double) vm.get(VmStat.Item.NR_INACTIVE_ANON), metrics.get("node_zoneinfo_nr_inactive_anon_pages" + dma));
            assertEquals((double) vm.freePages(), metrics.get("node_vmstat_nr_free_pages"));
            assertEquals((double) vm.get(VmStat.Item.NR_KERNEL_STACK_KB), metrics.get("node_vmstat_nr_kernel_stack"));
            for (VmEventItem e : List.of(VmEventItem.PGALLOC_DMA, VmEventItem.PGALLOC_DMA32, VmEventItem.PGALLOC_NORMAL, VmEventItem.PGFREE,
                    VmEventItem.PGPGIN, VmEventItem.PGPGOUT, VmEventItem.PSWPIN, VmEventItem.PSWPOUT, VmEventItem.PGFAULT,
                    VmEventItem.PGMAJFAULT, VmEventItem.ALLOCSTALL_NORMAL, VmEventItem.OOM_KILL)) {
                assertEquals((double) vm.events().shown(e), metrics.get("node_vmstat_" + e.text), e.text);
            }
            assertTrue(metrics.get("node_vmstat_pgalloc_normal") > 0);
        });
        // Every meminfo line the exporter turned into a metric carries the value the mount serves.
        Map<String, Long> served = meminfoMetrics(Files.readAllLines(mk.proc().resolve("meminfo")));
        int compared = 0;
        for (var e : metrics.entrySet()) {
            if (!e.getKey().startsWith("node_memory_")) continue;
            assertEquals((double) served.get(e.getKey()), e.getValue(), e.getKey());
            compared++;
        }
        assertEquals(served.size(), compared, "one metric per meminfo line");
    }
}
