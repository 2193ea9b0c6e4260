package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.kernel.Errno;
import ksim.kernel.PreforkPool;
import ksim.kernel.Task;
import ksim.mm.MigrateType;
import ksim.mm.Zone;
import ksim.mm.ZoneType;
import org.junit.jupiter.api.Test;

/**
 * /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo, /proc/vmstat and /proc/meminfo: each in
 * the kernel's layout, and all five telling the same story about free and used memory, after
 * boot and as processes come and go.
 */
class MemoryViewsTest {
    private static final Pattern BUDDY = Pattern.compile("^Node (\\d), zone ([ A-Za-z0-9]{8}) ((?: {0,5}\\d+ ){11})$");
    private static final Pattern TYPE_LINE = Pattern.compile("^Node    0, zone ([ A-Za-z0-9]{8}), type ([ A-Za-z]{12}) ((?:>? {0,5}\\d+ ){11})$");
    private final Proc p = Proc.boot();

    /** buddyinfo: zone name -> nr_free per order. */
    private Map<String, long[]> buddyinfo() {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String line : p.lines("/buddyinfo")) {
            Matcher x = BUDDY.matcher(line);
            assertTrue(x.matches(), "[" + line + "]");
            assertEquals("Node 0, zone ".length() + 8 + 1 + 11 * 7, line.length(), "%6lu columns: [" + line + "]");
            m.put(x.group(2).strip(), numbers(x.group(3)));
        }
        return m;
    }

    private static long[] numbers(String s) {
        String[] f = s.strip().split("\\s+");
        long[] v = new long[f.length];
        for (int i = 0; i < f.length; i++) v[i] = Long.parseLong(f[i].replace(">", ""));
        return v;
    }

    /** zoneinfo: zone name -> key -> value (first number after the key). */
    private Map<String, Map<String, String>> zoneinfo() {
        Map<String, Map<String, String>> zones = new LinkedHashMap<>();
        Map<String, String> cur = null;
        for (String line : p.lines("/zoneinfo")) {
            if (line.startsWith("Node 0, zone ")) {
                cur = new LinkedHashMap<>();
                zones.put(line.substring("Node 0, zone ".length()).strip(), cur);
                continue;
            }
            String s = line.strip();
            if (s.startsWith("protection:")) {
                cur.put("protection", s.substring("protection:".length()).strip());
            } else if (s.startsWith("pages free")) {
                cur.put("pages free", s.substring("pages free".length()).strip());
            } else if (!s.isEmpty() && s.contains(" ") && !s.startsWith("cpu:")) {
                String key = s.substring(0, s.lastIndexOf(' ')).strip().replaceAll(":$", "");
                cur.putIfAbsent(key, s.substring(s.lastIndexOf(' ') + 1));
            }
        }
        return zones;
    }

    private Map<String, Long> keyValues(String path) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : p.lines(path)) {
            String[] f = line.split(":?\\s+");
            m.put(f[0].replace(":", ""), Long.parseLong(f[1]));
        }
        return m;
    }

    /** Everything the five files say that must agree. */
    private void assertAgree(String when) {
        Map<String, long[]> buddy = buddyinfo();
        Map<String, Map<String, String>> zi = zoneinfo();
        Map<String, Long> vmstat = keyValues("/vmstat");
        Map<String, Long> meminfo = keyValues("/meminfo");
        long freeSum = 0;
        long managedSum = 0;
        for (var e : zi.entrySet()) {
            Map<String, String> z = e.getValue();
            managedSum += Long.parseLong(z.get("managed"));
            if (!z.containsKey("nr_free_pages")) {
                assertEquals("0", z.get("present"), when + ": only unpopulated zones stop after protection");
                continue;
            }
            long free = Long.parseLong(z.get("nr_free_pages"));
            assertEquals(free, Long.parseLong(z.get("pages free")), when);
            long[] orders = buddy.get(e.getKey());
            long fromOrders = 0;
            for (int o = 0; o < orders.length; o++) fromOrders += orders[o] << o;
            assertEquals(free, fromOrders, when + ": " + e.getKey() + " sum of count << order");
            freeSum += free;
        }
        assertEquals(List.copyOf(buddy.keySet()), List.of("DMA", "DMA32", "Normal"), "buddyinfo lists the populated zones");
        assertEquals(freeSum, vmstat.get("nr_free_pages"), when);
        assertEquals(freeSum * 4, meminfo.get("MemFree"), when + ": MemFree");
        assertEquals(managedSum * 4, meminfo.get("MemTotal"), when + ": MemTotal = managed");
        assertEquals(vmstat.get("nr_anon_pages") * 4, meminfo.get("AnonPages"), when);
        assertEquals(vmstat.get("nr_file_pages") * 4, meminfo.get("Buffers") + meminfo.get("Cached"), when);
        assertEquals(vmstat.get("nr_shmem") * 4, meminfo.get("Shmem"), when);
        assertEquals(vmstat.get("nr_mapped") * 4, meminfo.get("Mapped"), when);
        assertEquals(vmstat.get("nr_slab_reclaimable") * 4, meminfo.get("SReclaimable"), when);
        assertEquals(vmstat.get("nr_slab_unreclaimable") * 4, meminfo.get("SUnreclaim"), when);
        assertEquals(vmstat.get("nr_kernel_stack"), meminfo.get("KernelStack"), when);
        assertEquals(vmstat.get("nr_page_table_pages") * 4, meminfo.get("PageTables"), when);
        assertEquals(vmstat.get("nr_active_file") * 4, meminfo.get("Active(file)"), when);
        assertEquals(vmstat.get("nr_inactive_anon") * 4, meminfo.get("Inactive(anon)"), when);
        long zoneInactiveAnon = 0;
        for (Map<String, String> z : zi.values()) zoneInactiveAnon += Long.parseLong(z.getOrDefault("nr_zone_inactive_anon", "0"));
        assertEquals(vmstat.get("nr_inactive_anon"), zoneInactiveAnon, when + ": zone LRU sizes add up to the node's");
        assertEquals(vmstat.get("nr_inactive_anon"), Long.parseLong(zi.get("DMA").get("nr_inactive_anon")), "per-node stats under DMA");
        long used = meminfo.get("Buffers") + meminfo.get("Cached") + meminfo.get("AnonPages") + meminfo.get("Slab")
                + meminfo.get("KernelStack") + meminfo.get("PageTables") + meminfo.get("VmallocUsed");
        assertEquals(meminfo.get("MemTotal"), meminfo.get("MemFree") + used, when + ": every used page is accounted");
        // si_mem_available() from zoneinfo's figures.
        long lowSum = 0;
        for (Map<String, String> z : zi.values()) lowSum += Long.parseLong(z.get("low"));
        long reserve = p.k.vmstat().node().totalreservePages();
        long pagecache = vmstat.get("nr_active_file") + vmstat.get("nr_inactive_file");
        long reclaimable = vmstat.get("nr_slab_reclaimable");
        long available = freeSum - reserve + pagecache - Math.min(pagecache / 2, lowSum) + reclaimable - Math.min(reclaimable / 2, lowSum);
        assertEquals(Math.max(0, available) * 4, meminfo.get("MemAvailable"), when + ": MemAvailable");
        // pagetypeinfo: per order, the migratetypes add up to buddyinfo.
        Map<String, long[]> perZone = new LinkedHashMap<>();
        List<String> types = new ArrayList<>();
        for (String line : p.lines("/pagetypeinfo")) {
            Matcher x = TYPE_LINE.matcher(line);
            if (!x.matches()) continue;
            String zone = x.group(1).strip();
            if (zone.equals("DMA")) types.add(x.group(2).strip());
            long[] v = numbers(x.group(3));
            long[] acc = perZone.computeIfAbsent(zone, z -> new long[Zone.NR_PAGE_ORDERS]);
            for (int o = 0; o < v.length; o++) acc[o] += v[o];
        }
        assertEquals(List.of("Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"), types, "no CMA: CONFIG_CMA is off");
        for (var e : buddy.entrySet()) assertEquals(java.util.Arrays.toString(e.getValue()), java.util.Arrays.toString(perZone.get(e.getKey())), when + ": " + e.getKey());
    }

    @Test
    void theFiveFilesAgreeAfterBootAndAsProcessesComeAndGo() {
        assertAgree("after boot");
        Task master = PreforkPool.start(p.k, 200);
        assertAgree("after 200 workers");
        p.k.locked(() -> {
            List<Task> workers = new ArrayList<>(master.children());
            for (int i = 0; i < workers.size(); i += 3) p.k.exitAndRelease(workers.get(i), 0);
        });
        assertAgree("after a third exited");
    }

    @Test
    void pagetypeinfoHeaderAndBlockCounts() {
        List<String> lines = p.lines("/pagetypeinfo");
        assertEquals("Page block order: 9", lines.get(0));
        assertEquals("Pages per block:  512", lines.get(1));
        assertEquals("", lines.get(2));
        assertEquals("Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 ", lines.get(3));
        int header = lines.indexOf("Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate ");
        assertEquals("", lines.get(header - 1));
        var node = p.k.vmstat().node();
        for (int i = 0; i < 3; i++) {
            String[] f = lines.get(header + 1 + i).strip().split("\\s+");
            Zone z = node.zones().get(i);
            assertEquals(z.type.text, f[3]);
            long blocks = 0;
            for (int t = 4; t < f.length; t++) blocks += Long.parseLong(f[t]);
            long online = 0;
            for (long pfn = z.startPfn(); pfn < z.endPfn(); pfn += Zone.PAGEBLOCK_NR_PAGES) if (node.memblock().sectionOnline(pfn)) online++;
            assertEquals(online, blocks, z + ": every pageblock of an online section has a type");
            assertEquals(p.k.locked(() -> {
                long n = 0;
                for (long pfn = z.startPfn(); pfn < z.endPfn(); pfn += Zone.PAGEBLOCK_NR_PAGES) {
                    if (node.memblock().sectionOnline(pfn) && z.pageblockType(pfn) == MigrateType.UNMOVABLE) n++;
                }
                return n;
            }), Long.parseLong(f[4]), z + ": unmovable blocks");
        }
        assertEquals(header + 4, lines.size());
        assertTrue(Long.parseLong(lines.get(header + 3).strip().split("\\s+")[4]) > 0, "kernel allocations claimed Normal pageblocks");
        // Modes as on Linux: pagetypeinfo is for root only.
        assertEquals(Mode.S_IFREG | 0400, p.walk("/pagetypeinfo").getattr().mode());
        for (String f : List.of("/buddyinfo", "/zoneinfo", "/vmstat")) assertEquals(Mode.S_IFREG | 0444, p.walk(f).getattr().mode(), f);
    }

    @Test
    void zoneinfoShowsAllFiveZonesWithTheirReserves() {
        Map<String, Map<String, String>> zi = zoneinfo();
        assertEquals(List.of("DMA", "DMA32", "Normal", "Movable", "Device"), List.copyOf(zi.keySet()));
        var node = p.k.vmstat().node();
        for (ZoneType t : ZoneType.values()) {
            Map<String, String> z = zi.get(t.text);
            Zone zone = node.zone(t);
            assertEquals(zone.watermark(Zone.WMARK_MIN), Long.parseLong(z.get("min")), t.text);
            assertEquals(zone.watermark(Zone.WMARK_HIGH), Long.parseLong(z.get("high")), t.text);
            assertEquals(5, z.get("protection").split(",").length);
            assertTrue(z.get("protection").matches("\\(\\d+(, \\d+){4}\\)"), z.get("protection"));
        }
        assertEquals("1", zi.get("DMA").get("start_pfn"));
        assertEquals("4096", zi.get("DMA32").get("start_pfn"));
        assertEquals("1048576", zi.get("Normal").get("start_pfn"));
        assertEquals("32", zi.get("Movable").get("min"), "an empty movable zone still gets SWAP_CLUSTER_MAX");
        String text = p.read("/zoneinfo");
        assertEquals(1, text.split("per-node stats", -1).length - 1);
        assertEquals(3 * p.k.config().cpus(), text.split("    cpu: ", -1).length - 1, "a pageset per CPU per populated zone");
        assertTrue(text.contains("\n  pages free     "), "zoneinfo's own spacing");
        assertTrue(text.contains("\n      nr_mapped    "), "%-12s names");
        assertTrue(text.endsWith("protection: (0, 0, 0, 0, 0)\n"), "Device is last and empty");
    }

    /** The reference machine's own files, when the host runs the kernel ksim models. */
    private static List<String> hostLines(String file) throws IOException {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        if (!release.startsWith("6.18")) return null;
        return Files.readAllLines(Path.of("/proc", file), StandardCharsets.US_ASCII);
    }

    @Test
    void vmstatHasEveryLineOfTheReference() throws IOException {
        List<String> lines = p.lines("/vmstat");
        assertEquals("nr_free_pages", lines.get(0).split(" ")[0]);
        assertEquals("nr_unstable 0", lines.get(lines.size() - 1));
        for (String line : lines) assertTrue(line.matches("[a-z0-9_]+ \\d+"), line);
        List<String> host = hostLines("vmstat");
        if (host != null) {
            List<String> names = lines.stream().map(l -> l.split(" ")[0]).toList();
            assertEquals(host.stream().map(l -> l.split(" ")[0]).toList(), names, "field for field as Linux 6.18's");
        }
        Map<String, Long> v = keyValues("/vmstat");
        long pgalloc = v.get("pgalloc_dma") + v.get("pgalloc_dma32") + v.get("pgalloc_normal") + v.get("pgalloc_movable");
        assertEquals(v.get("pgfree"), v.get("nr_free_pages") + pgalloc, "boot freed every managed page once; since then pages came and went");
        assertTrue(v.get("pgpgin") > 0, "the boot page cache was read");
        assertEquals(p.k.vmstat().node().memblock().memmapPages(), v.get("nr_memmap_boot_pages"));
        assertTrue(v.get("nr_dirty_background_threshold") < v.get("nr_dirty_threshold"));
    }

    @Test
    void zoneinfoHasTheReferenceShape() throws IOException {
        List<String> host = hostLines("zoneinfo");
        int hostCpus = Runtime.getRuntime().availableProcessors();
        if (host == null || hostCpus != p.k.config().cpus()) return;
        List<String> mine = p.lines("/zoneinfo");
        assertEquals(host.stream().map(l -> l.replaceAll("\\d+", "N")).toList(), mine.stream().map(l -> l.replaceAll("\\d+", "N")).toList());
    }

    @Test
    void minFreeKbytesWritesMoveTheWatermarks() {
        File f = p.walk("/sys/vm/min_free_kbytes").open(OpenFlags.O_WRONLY, Caller.KERNEL);
        byte[] b = "2048\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(b.length, f.write(0, b, b.length));
        assertEquals("2048\n", p.read("/sys/vm/min_free_kbytes"));
        Map<String, Map<String, String>> zi = zoneinfo();
        long minSum = 0;
        for (String z : List.of("DMA", "DMA32", "Normal")) minSum += Long.parseLong(zi.get(z).get("min"));
        assertTrue(minSum <= 512 && minSum >= 510, "2048 KiB = 512 pages shared out, rounded down: " + minSum);
        for (String bad : List.of("abc", "-1", "99999999999", "")) {
            byte[] x = bad.getBytes(StandardCharsets.US_ASCII);
            assertEquals(Errno.EINVAL, Proc.errnoOf(() -> f.write(0, x, x.length)), "[" + bad + "]");
        }
        assertEquals("2048\n", p.read("/sys/vm/min_free_kbytes"), "refused writes change nothing");
    }
}
