package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ksim.cli.slabcheck.SlabChecker;
import ksim.cli.slabcheck.SlabTree;
import ksim.kernel.Kernel;
import ksim.kernel.PreforkPool;
import ksim.mm.slub.CacheStats;
import ksim.mm.slub.KmemCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real slab clients read the mounted /proc/slabinfo and /sys/kernel/slab inside private
 * namespaces (slabtop, vmstat -m, cat, grep -r, python's os.write for errnos), and the
 * checker walks the mount; every number is compared with the model read right after.
 */
class SlabClientsTest {
    static MountedKernel mk;

    @BeforeAll
    static void up() throws Exception {
        // Room for the 10,000 nginx workers of tenThousandTasksShowInTaskStruct (about 70 GiB).
        mk = MountedKernel.start(96L << 20);
    }

    @AfterAll
    static void down() throws Exception {
        if (mk != null) {
            assertEquals(0, mk.server.procMount().unexpectedErrors(), "no exception may reach the FUSE layer");
            assertEquals(0, mk.server.sysMount().unexpectedErrors(), "none from sysfs either");
            mk.close();
        }
    }

    /** What /proc/slabinfo says of one cache, from the model. */
    record Line(String name, long active, long total, int objsize, int perSlab, int pages, long slabs) {}

    static Map<String, Line> model() {
        Kernel k = mk.kernel;
        return k.locked(() -> {
            Map<String, Line> m = new LinkedHashMap<>();
            List<KmemCache> caches = k.slub().caches();
            for (int i = caches.size() - 1; i >= 0; i--) {
                KmemCache s = caches.get(i);
                CacheStats st = k.slub().stats(s);
                m.put(s.name(), new Line(s.name(), CacheStats.sum(st.objects()), CacheStats.sum(st.totalObjects()), s.slabSize(),
                        s.objsPerSlab(), 1 << s.order(), CacheStats.sum(st.slabs())));
            }
            return m;
        });
    }

    /** %.Nf as glibc prints it: the exact binary value, rounded half to even. */
    static String fixed(double v, int places) {
        return new BigDecimal(v).setScale(places, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static MountedKernel.Result clean(String... cmd) throws Exception {
        MountedKernel.Result r = mk.run(cmd);
        assertEquals(0, r.rc(), String.join(" ", cmd) + ": " + r.err());
        assertEquals("", r.err(), String.join(" ", cmd) + " printed an error");
        return r;
    }

    /** slabtop's summary lines from the model (procps 4.0.2 slabtop.c print_summary). */
    static List<String> summary(Map<String, Line> m) {
        long active = 0, total = 0, slabs = 0, activeSize = 0, totalSize = 0, caches = 0, activeCaches = 0;
        long min = Long.MAX_VALUE, max = 0;
        for (Line l : m.values()) {
            active += l.active();
            total += l.total();
            slabs += l.slabs();
            activeSize += l.active() * l.objsize();
            totalSize += l.total() * l.objsize();
            caches++;
            if (l.total() > 0) activeCaches++;
            min = Math.min(min, l.objsize());
            max = Math.max(max, l.objsize());
        }
        long avg = totalSize / total;
        return List.of(
                String.format(" Active / Total Objects (%% used)    : %d / %d (%s%%)", active, total, fixed(100.0 * active / total, 1)),
                String.format(" Active / Total Slabs (%% used)      : %d / %d (%s%%)", slabs, slabs, fixed(100.0, 1)),
                String.format(" Active / Total Caches (%% used)     : %d / %d (%s%%)", activeCaches, caches,
                        fixed(100.0 * activeCaches / caches, 1)),
                String.format(" Active / Total Size (%% used)       : %sK / %sK (%s%%)", fixed(activeSize / 1024.0, 2),
                        fixed(totalSize / 1024.0, 2), fixed(100.0 * activeSize / totalSize, 1)),
                String.format(" Minimum / Average / Maximum Object : %sK / %sK / %sK", fixed(min / 1024.0, 2),
                        fixed(avg / 1024.0, 2), fixed(max / 1024.0, 2)));
    }

    /** One slabtop row from the model: OBJS ACTIVE USE OBJ-SIZE SLABS OBJ/SLAB CACHE-SIZE NAME. */
    static List<String> row(Line l) {
        int use = l.total() == 0 ? 0 : (int) (100 * ((float) l.active() / l.total()));
        return List.of(Long.toString(l.total()), Long.toString(l.active()), use + "%", fixed(l.objsize() / 1024.0, 2) + "K",
                Long.toString(l.slabs()), Integer.toString(l.perSlab()), (l.slabs() * l.pages() * 4) + "K", l.name());
    }

    private static void assertSlabtop(MountedKernel.Result r, Map<String, Line> m, String what) {
        List<String> lines = r.lines();
        assertEquals(summary(m), lines.subList(0, 5), what + " summary");
        assertEquals(List.of("OBJS", "ACTIVE", "USE", "OBJ", "SIZE", "SLABS", "OBJ/SLAB", "CACHE", "SIZE", "NAME"),
                List.of(lines.get(5).strip().split("\\s+")));
        Map<String, List<String>> rows = new HashMap<>();
        for (String line : lines.subList(6, lines.size())) {
            List<String> f = List.of(line.strip().split("\\s+"));
            rows.put(f.get(7), f);
        }
        assertEquals(m.size(), rows.size(), what + " lists every cache");
        for (Line l : m.values()) assertEquals(row(l), rows.get(l.name()), what + " row of " + l.name());
    }

    @Test
    void slabtopShowsTheModel() throws Exception {
        var r = clean("slabtop", "-o");
        Map<String, Line> m = model();
        assertSlabtop(r, m, "slabtop -o");
        // Default sort: by objects, most first.
        long prev = Long.MAX_VALUE;
        for (String line : r.lines().subList(6, r.lines().size())) {
            long objs = Long.parseLong(line.strip().split("\\s+")[0]);
            assertTrue(objs <= prev, "sorted by OBJS: " + line);
            prev = objs;
        }
        var c = clean("slabtop", "-o", "-s", "c");
        assertSlabtop(c, model(), "slabtop -o -s c");
        prev = Long.MAX_VALUE;
        for (String line : c.lines().subList(6, c.lines().size())) {
            String[] f = line.strip().split("\\s+");
            long size = Long.parseLong(f[6].replace("K", ""));
            assertTrue(size <= prev, "sorted by cache size: " + line);
            prev = size;
        }
        assertTrue(c.lines().get(6).contains("ext4_inode_cache") || c.lines().get(6).contains("dentry"), "the biggest cache first");
    }

    @Test
    void tenThousandTasksShowInTaskStruct() throws Exception {
        var before = model().get("task_struct");
        ksim.kernel.Task master = PreforkPool.start(mk.kernel, 10_000);
        try {
            var r = clean("sh", "-c", "grep -E '^task_struct ' /proc/slabinfo; cat /sys/kernel/slab/task_struct/objects "
                    + "/sys/kernel/slab/task_struct/slabs");
            Line after = model().get("task_struct");
            assertTrue(after.active() >= before.active() + 10_000 - 14, "the model grew: " + after);
            String[] info = r.lines().get(0).split("\\s+");
            assertEquals(after.active(), Long.parseLong(info[1]));
            assertEquals(after.total(), Long.parseLong(info[2]));
            assertEquals(after.active() + " N0=" + after.active(), r.lines().get(1));
            assertEquals(after.slabs() + " N0=" + after.slabs(), r.lines().get(2));
            var top = clean("slabtop", "-o");
            assertSlabtop(top, model(), "slabtop with 10,000 more tasks");
        } finally {
            mk.kernel.locked(() -> {
                for (ksim.kernel.Task w : List.copyOf(master.children())) mk.kernel.exitAndRelease(w, 0);
                mk.kernel.exitAndRelease(master, 0);
            });
        }
    }

    @Test
    void vmstatMListsEveryCache() throws Exception {
        var r = clean("vmstat", "-m");
        Map<String, Line> m = model();
        assertEquals(List.of("Cache", "Num", "Total", "Size", "Pages"), List.of(r.lines().get(0).strip().split("\\s+")));
        Map<String, String[]> rows = new HashMap<>();
        for (String line : r.lines()) {
            String[] f = line.strip().split("\\s+");
            if (f[0].equals("Cache")) continue; // the header comes back every screenful
            rows.put(f[0], f);
        }
        assertEquals(m.size(), rows.size());
        for (Line l : m.values()) {
            String[] f = rows.get(l.name());
            assertEquals(List.of(l.name(), Long.toString(l.active()), Long.toString(l.total()), Integer.toString(l.objsize()),
                    Integer.toString(l.perSlab())), List.of(f), "vmstat -m row of " + l.name());
        }
    }

    @Test
    void catAndGrepReadTheAttributes() throws Exception {
        var r = clean("grep", "-r", ".", "/sys/kernel/slab/kmalloc-64/");
        Map<String, String> seen = new LinkedHashMap<>();
        for (String line : r.lines()) {
            String rest = line.substring("/sys/kernel/slab/kmalloc-64/".length());
            int colon = rest.indexOf(':');
            seen.put(rest.substring(0, colon), rest.substring(colon + 1));
        }
        Kernel k = mk.kernel;
        Map<String, String> want = k.locked(() -> {
            KmemCache s = k.slub().find("kmalloc-64");
            CacheStats st = k.slub().stats(s);
            Map<String, String> w = new HashMap<>();
            w.put("aliases", "0");
            w.put("align", "64");
            w.put("object_size", "64");
            w.put("slab_size", "64");
            w.put("objs_per_slab", "64");
            w.put("order", "0");
            w.put("usersize", "64");
            w.put("cpu_partial", Long.toString(s.cpuPartial()));
            w.put("min_partial", Long.toString(s.minPartial()));
            w.put("remote_node_defrag_ratio", "100");
            w.put("sheaf_capacity", "0");
            for (String b : List.of("cache_dma", "destroy_by_rcu", "hwcache_align", "poison", "reclaim_account", "red_zone",
                    "sanity_checks", "store_user", "trace")) {
                w.put(b, "0");
            }
            w.put("objects", n(st.objects()));
            w.put("objects_partial", n(st.objectsPartial()));
            w.put("partial", n(st.partial()));
            w.put("slabs", n(st.slabs()));
            w.put("total_objects", n(st.totalObjects()));
            w.put("cpu_slabs", n(st.cpuSlabs()));
            int c0 = st.chainSlabs()[0];
            int c1 = st.chainSlabs()[1];
            String scp = (c0 + c1) * 32 + "(" + (c0 + c1) + ")" + (c0 > 0 ? " C0=" + c0 * 32 + "(" + c0 + ")" : "")
                    + (c1 > 0 ? " C1=" + c1 * 32 + "(" + c1 + ")" : "");
            w.put("slabs_cpu_partial", scp);
            return w;
        });
        assertEquals(want, seen, "grep -r shows every non-empty attribute (ctor, shrink, validate are empty)");
        var cat = clean("cat", "/sys/kernel/slab/kmalloc-64/objects", "/sys/kernel/slab/pid/aliases",
                "/sys/kernel/slab/anon_vma/ctor", "/sys/kernel/slab/kmalloc-64/ctor");
        assertEquals(List.of(want.get("objects"), "2", "anon_vma_ctor+0x0/0x50"), cat.lines());
        var ls = clean("ls", "-l", "/sys/kernel/slab/pid");
        assertTrue(ls.out().strip().startsWith("lrwxrwxrwx"), ls.out());
        assertTrue(ls.out().strip().endsWith("pid -> :A-0000192"), ls.out());
        var stat = clean("stat", "-L", "-c", "%F %a", "/sys/kernel/slab/pid");
        assertEquals("directory 755", stat.out().strip(), "stat through the link reaches the directory");
    }

    private static String n(long[] perNode) {
        long t = CacheStats.sum(perNode);
        return t == 0 ? "0" : t + " N0=" + t;
    }

    /** Opens and writes as os.open/os.write do, printing the errno name or the count. */
    private static final String PY = String.join("\n",
            "import os, sys",
            "def attempt(path, data, flags):",
            "    try:",
            "        fd = os.open(path, flags)",
            "    except OSError as e:",
            "        return 'open:' + __import__('errno').errorcode[e.errno]",
            "    try:",
            "        return str(os.write(fd, data))",
            "    except OSError as e:",
            "        return 'write:' + __import__('errno').errorcode[e.errno]",
            "    finally:",
            "        os.close(fd)",
            "cases = [l.split('\\t') for l in sys.stdin.read().split('\\n') if l]",
            "for path, data in cases:",
            "    print(attempt(path, data.encode().decode('unicode_escape').encode('latin-1'), os.O_WRONLY))",
            "kinds = {}",
            "for e in os.scandir('/sys/kernel/slab'):",
            "    k = 'lnk' if e.is_symlink() else 'dir' if e.is_dir(follow_symlinks=False) else 'other'",
            "    kinds[k] = kinds.get(k, 0) + 1",
            "print(sorted(kinds.items()))");

    @Test
    void writesAndOpensAnswerTheKernelsErrnosThroughFuse() throws Exception {
        String k64 = "/sys/kernel/slab/kmalloc-64/";
        String[][] cases = {
            {k64 + "min_partial", "abc", "write:EINVAL"},
            {k64 + "min_partial", "-1", "write:EINVAL"},
            {k64 + "min_partial", " 7", "write:EINVAL"},
            {k64 + "min_partial", "0x7", "write:EINVAL"},
            {k64 + "min_partial", "7\\n\\n", "write:EINVAL"},
            {k64 + "min_partial", "\\n", "write:EINVAL"},
            {k64 + "min_partial", "99999999999999999999999", "write:ERANGE"},
            {k64 + "min_partial", "5\\n", "2"},
            {k64 + "min_partial", "", "0"},
            {k64 + "cpu_partial", "-1", "write:EINVAL"},
            {k64 + "cpu_partial", "4294967296", "write:ERANGE"},
            {k64 + "cpu_partial", "120", "3"},
            {k64 + "remote_node_defrag_ratio", "101", "write:ERANGE"},
            {k64 + "remote_node_defrag_ratio", "-5", "write:EINVAL"},
            {k64 + "remote_node_defrag_ratio", "100", "3"},
            {k64 + "shrink", "2", "write:EINVAL"},
            {k64 + "shrink", "1x", "2"},
            {k64 + "validate", "1", "write:EINVAL"},
            {k64 + "validate", "0", "write:EINVAL"},
            {k64 + "objects", "1", "open:EACCES"},
            {k64 + "slab_size", "1", "open:EACCES"},
            {"/proc/slabinfo", "1", "write:EIO"},
        };
        StringBuilder in = new StringBuilder();
        for (String[] c : cases) in.append(c[0]).append('\t').append(c[1]).append('\n');
        java.nio.file.Path script = java.nio.file.Files.createTempFile(mk.dir, "errnos", ".py");
        java.nio.file.Path input = java.nio.file.Files.createTempFile(mk.dir, "cases", ".txt");
        try {
            java.nio.file.Files.writeString(script, PY);
            java.nio.file.Files.writeString(input, in);
            var r = clean("sh", "-c", "/usr/bin/python3 \"$0\" < \"$1\"", script.toString(), input.toString());
            List<String> got = r.lines();
            List<String> want = new ArrayList<>();
            for (String[] c : cases) want.add(c[2]);
            assertEquals(want, got.subList(0, cases.length));
            long dirs = mk.kernel.slub().sysfsDirCount();
            long links = mk.kernel.slub().sysfsLinks().size();
            assertEquals("[('dir', " + dirs + "), ('lnk', " + links + ")]", got.get(cases.length), "readdir reports d_type");
            // A shell's echo opens with O_TRUNC, which a writable attribute accepts.
            var sh = clean("sh", "-c", "echo 1 > /sys/kernel/slab/kmalloc-2k/shrink && cat /sys/kernel/slab/kmalloc-2k/cpu_slabs");
            assertEquals("0", sh.out().strip(), "shrink flushed every CPU slab");
            var denied = mk.run("sh", "-c", "echo 1 > /sys/kernel/slab/kmalloc-2k/objects");
            assertEquals(2, denied.rc());
            assertTrue(denied.err().contains("Permission denied"), denied.err());
        } finally {
            java.nio.file.Files.deleteIfExists(script);
            java.nio.file.Files.deleteIfExists(input);
        }
    }

    @Test
    void theCheckerFindsNothingWrongOnTheMountAndNoticesWhatIs() throws Exception {
        SlabChecker.Report r = new SlabChecker(SlabTree.at(mk.dir), 0, true).run();
        assertEquals(List.of(), r.problems());
        assertEquals(mk.kernel.slub().sysfsDirCount(), r.caches());
        assertTrue(r.checks() > 30_000, "checks made: " + r.checks());
        // After activity through the control plane, still consistent.
        var ops = mk.kernel.slabOps();
        ops.create("checker_cache", 700, 0, "SLAB_HWCACHE_ALIGN", null);
        ops.create("checker_debug", 100, 0, "SLAB_RED_ZONE|SLAB_POISON|SLAB_STORE_USER", null);
        long[] a = ops.alloc("checker_cache", 500, 0);
        long[] b = ops.alloc("checker_debug", 50, 1);
        for (int i = 0; i < a.length; i += 3) ops.free(a[i], 1);
        for (int i = 0; i < b.length; i += 2) ops.free(b[i], 0);
        int rc = new picocli.CommandLine(new ksim.cli.Main()).execute("slab-check", mk.dir.toString());
        assertEquals(0, rc, "ksim slab-check exits 0 on a consistent mount");
        // The checker notices a counter that does not add up, a wrong mode, and slabinfo disagreeing with sysfs.
        SlabTree real = SlabTree.at(mk.dir);
        SlabTree broken = new SlabTree() {
            @Override
            public List<String> list(String dir) {
                return real.list(dir);
            }

            @Override
            public Stat lstat(String path) {
                Stat s = real.lstat(path);
                if (path.endsWith("kmalloc-64/order")) return new Stat(false, false, true, 0600, 4096, 1, 0);
                return s;
            }

            @Override
            public String read(String path) {
                String v = real.read(path);
                if (path.endsWith("kmalloc-96/objects_partial")) {
                    long x = Long.parseLong(v.split(" ")[0].strip()) + 1;
                    return x + " N0=" + x + "\n";
                }
                if (path.equals("proc/slabinfo")) return v.replaceFirst("\ndentry +(\\d+)", "\ndentry 999999");
                return v;
            }

            @Override
            public String readlink(String path) {
                return real.readlink(path);
            }
        };
        SlabChecker.Report bad = new SlabChecker(broken, 0, true).run();
        String all = String.join("\n", bad.problems());
        assertTrue(all.contains("kmalloc-64/order: a regular file of mode 400"), all);
        assertTrue(all.contains("kmalloc-96 (node 0): total_objects - objects = partial"), all);
        assertTrue(all.contains("objects_partial") || all.contains("kmalloc-96"), all);
        assertTrue(all.contains("proc/slabinfo"), all);
        for (long h : ops.owned("checker_cache")) ops.free(h, 0);
        assertEquals(List.of(), new SlabChecker(SlabTree.at(mk.dir), 0, true).run().problems());
    }
}
