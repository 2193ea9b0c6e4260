package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import ksim.kernel.Kernel;
import ksim.kernel.MmSyscalls;
import ksim.kernel.Task;
import ksim.mm.Mman;
import ksim.mm.MmStruct;
import ksim.mm.PageKind;
import ksim.mm.Vma;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Memory clients read the mounted /proc: procps pmap (plain, -x, -X) and ps in private
 * namespaces, psutil through PROCFS_PATH. Their totals are compared with the model's
 * address spaces, after a process has mapped shared, file-backed and locked memory.
 */
class AddressSpaceClientsTest {
    static MountedKernel mk;
    static Task bash;

    @BeforeAll
    static void up() throws Exception {
        mk = MountedKernel.start();
        Kernel k = mk.kernel;
        MmSyscalls sys = k.mmSyscalls();
        bash = k.locked(() -> k.pids().leaders().stream().filter(t -> t.commString().equals("bash")).findFirst().orElseThrow());
        long shm = sys.mmap(bash, 0, 2 << 20, "rw", "shared,anonymous", null, 0);
        sys.touch(bash, shm, 1 << 20, true);
        long db = sys.mmap(bash, 0, 1 << 20, "rw", "shared", "/var/lib/app/data.db", 0);
        sys.touch(bash, db, 256 << 10, true);
        sys.touch(bash, db + (256 << 10), 256 << 10, false);
        long locked = sys.mmap(bash, 0, 64 << 10, "rw", "private,anonymous,locked", null, 0);
        sys.munmap(bash, locked + (16 << 10), 16 << 10);
        long heap = sys.sbrk(bash, 512 << 10);
        sys.touch(bash, heap, 300 << 10, true);
    }

    @AfterAll
    static void down() throws Exception {
        if (mk != null) {
            assertEquals(0, mk.server.procMount().unexpectedErrors(), "no exception may reach the FUSE layer");
            mk.close();
        }
    }

    /** The model's numbers for one process, in kB: what every client must print. */
    record Model(long sizeKb, long rssKb, long dirtyKb, long anonKb, long sharedKb, long textKb, long dataKb, int vmas) {}

    static Model model(Task t) {
        return mk.kernel.locked(() -> {
            MmStruct mm = t.mm();
            long dirty = 0;
            for (Vma v : mm.vmas()) {
                dirty += v.residentPages().count(PageKind.ANON) + v.residentPages().count(PageKind.SHMEM)
                        + v.residentPages().count(PageKind.FILE_DIRTY);
            }
            // The [vsyscall] gate page is listed by maps and smaps but is not in total_vm.
            return new Model(mm.totalVm() * 4 + 4, mm.rss() * 4, dirty * 4, mm.rssAnon() * 4,
                    (mm.rssFile() + mm.rssShmem()) * 4, mm.textPages() * 4, (mm.dataVm() + mm.stackVm()) * 4, mm.mapCount());
        });
    }

    private static List<Task> userProcesses() {
        return mk.kernel.locked(() -> {
            List<Task> l = new ArrayList<>();
            for (Task t : mk.kernel.pids().leaders()) {
                if (t.mm() != null && !mk.kernel.visitors().isVisitor(t)) l.add(t);
            }
            return l;
        });
    }

    @Test
    void pmapTotalsAreTheModels() throws Exception {
        Model m = model(bash);
        var r = mk.run("pmap", Integer.toString(bash.pid()));
        ClientsTest.assertClean(r, "pmap");
        List<String> lines = r.lines();
        assertTrue(lines.get(0).startsWith(bash.pid() + ":   -bash"), lines.get(0));
        assertEquals(m.vmas() + 1, lines.size() - 2, "a line per mapping and the gate page");
        String total = lines.get(lines.size() - 1);
        assertTrue(total.matches("^ total +[0-9]+K$"), total);
        assertEquals(m.sizeKb(), Long.parseLong(total.replaceAll("[^0-9]", "")));
        assertTrue(r.out().contains("[ stack ]"));
        assertTrue(r.out().contains("/dev/zero (deleted)") || r.out().contains("zero (deleted)"), r.out());
    }

    @Test
    void pmapExtendedTotalsAreTheModels() throws Exception {
        for (Task t : userProcesses()) {
            Model m = model(t);
            var r = mk.run("pmap", "-x", Integer.toString(t.pid()));
            ClientsTest.assertClean(r, "pmap -x " + t.pid());
            String[] total = r.lines().get(r.lines().size() - 1).strip().split("\\s+");
            assertEquals("total", total[0]);
            assertEquals(List.of(m.sizeKb(), m.rssKb(), m.dirtyKb()),
                    List.of(Long.parseLong(total[2]), Long.parseLong(total[3]), Long.parseLong(total[4])), "pmap -x " + t.pid());
            assertEquals(m.vmas() + 1, r.lines().size() - 4, "pmap -x " + t.pid() + " rows");
        }
    }

    @Test
    void pmapXXTotalsAreTheModelsAndTheFilesPss() throws Exception {
        Model m = model(bash);
        var r = mk.run("pmap", "-X", Integer.toString(bash.pid()));
        ClientsTest.assertClean(r, "pmap -X");
        List<String> lines = r.lines();
        List<String> header = List.of(lines.get(1).strip().split("\\s+"));
        List<String> totals = List.of(lines.get(lines.size() - 1).strip().split("\\s+"));
        // The header starts with Address Perm Offset Device Inode; the totals line has the numeric columns only.
        Map<String, Long> sum = new HashMap<>();
        for (int i = 0; i + 5 < header.size() && i < totals.size(); i++) {
            if (totals.get(i).matches("[0-9]+")) sum.put(header.get(i + 5), Long.parseLong(totals.get(i)));
        }
        assertEquals(m.sizeKb(), sum.get("Size"));
        assertEquals(m.rssKb(), sum.get("Rss"));
        assertEquals(m.rssKb(), sum.get("Referenced"));
        assertEquals(m.anonKb(), sum.get("Anonymous"));
        assertEquals(48, sum.get("Locked"), "the 48 KiB left of the locked mapping, all private");
        long pss = 0;
        for (String line : Files.readAllLines(mk.proc().resolve(bash.pid() + "/smaps"))) {
            if (line.startsWith("Pss:")) pss += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        assertEquals(pss, sum.get("Pss"), "pmap sums the Pss smaps shows");
        assertTrue(pss < m.rssKb(), "libraries are shared with the other processes");
    }

    @Test
    void pmapOfManyPidsAndOfItself() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("pmap", "-x"));
        List<Task> procs = userProcesses();
        for (Task t : procs) cmd.add(Integer.toString(t.pid()));
        cmd.add(Integer.toString(mk.kernel.kthreadd().pid()));
        var r = mk.run(cmd.toArray(new String[0]));
        ClientsTest.assertClean(r, "pmap -x of every process");
        List<String> totals = r.lines().stream().filter(l -> l.startsWith("total kB")).toList();
        assertEquals(procs.size() + 1, totals.size());
        for (int i = 0; i < procs.size(); i++) {
            assertEquals(model(procs.get(i)).sizeKb(), Long.parseLong(totals.get(i).split("\\s+")[2]), "pid " + procs.get(i).pid());
        }
        assertEquals("total kB               0       0       0", totals.get(procs.size()), "a kernel thread maps nothing");
        var self = mk.run("sh", "-c", "pmap -x $$ && pmap -X $$ >/dev/null");
        ClientsTest.assertClean(self, "pmap of its own (visitor) process");
    }

    @Test
    void psAgreesWithTheModel() throws Exception {
        Model m = model(bash);
        var r = mk.run("ps", "-o", "vsz=,rss=", "-p", Integer.toString(bash.pid()));
        ClientsTest.assertClean(r, "ps -o vsz,rss");
        String[] f = r.out().strip().split("\\s+");
        assertEquals(m.sizeKb() - 4, Long.parseLong(f[0]), "VSZ = VmSize");
        assertEquals(m.rssKb(), Long.parseLong(f[1]), "RSS = VmRSS");
    }

    /** Runs /usr/bin/python3 with psutil on the host, PROCFS_PATH at the mount; returns "key value" lines. */
    private static Map<String, Long> psutil(int pid) throws IOException, InterruptedException {
        boolean have = new ProcessBuilder("/usr/bin/python3", "-c", "import psutil").start().waitFor() == 0;
        if (Boolean.getBoolean("ksim.requireFuse") && !have) throw new IllegalStateException("python3-psutil is missing (.ci/run installs it)");
        assumeTrue(have, "needs python3-psutil");
        String script = String.join("\n",
                "import sys, psutil",
                "psutil.PROCFS_PATH = sys.argv[1]",
                "p = psutil.Process(int(sys.argv[2]))",
                "mi = p.memory_info()",
                "fi = p.memory_full_info()",
                "maps = p.memory_maps(grouped=False)",
                "for k in ('rss', 'vms', 'shared', 'text', 'data'): print(k, getattr(mi, k))",
                "for k in ('uss', 'pss', 'swap'): print(k, getattr(fi, k))",
                "print('maps', len(maps))",
                "print('maps_rss', sum(m.rss for m in maps))",
                "print('maps_size', sum(m.size for m in maps))",
                "print('maps_anon', sum(m.anonymous for m in maps))",
                "print('heap', sum(1 for m in maps if m.path == '[heap]'))",
                "print('zero', sum(1 for m in maps if m.path.startswith('/dev/zero')))");
        Process proc = new ProcessBuilder("/usr/bin/python3", "-c", script, mk.proc().toString(), Integer.toString(pid)).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, proc.exitValue(), "psutil: " + err);
        Map<String, Long> m = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] kv = line.split(" ");
            m.put(kv[0], Long.parseLong(kv[1]));
        }
        return m;
    }

    @Test
    void psutilMemoryInfoAndMapsAreTheModels() throws Exception {
        Map<String, Long> ps = psutil(bash.pid());
        Model m = model(bash);
        assertEquals(m.rssKb() * 1024, ps.get("rss"));
        assertEquals((m.sizeKb() - 4) * 1024, ps.get("vms"));
        assertEquals(m.sharedKb() * 1024, ps.get("shared"));
        assertEquals(m.textKb() * 1024, ps.get("text"));
        assertEquals(m.dataKb() * 1024, ps.get("data"));
        Map<String, Long> rollup = new HashMap<>();
        for (String line : Files.readAllLines(mk.proc().resolve(bash.pid() + "/smaps_rollup"))) {
            if (line.endsWith(" kB")) rollup.put(line.substring(0, line.indexOf(':')), Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
        assertEquals((rollup.get("Private_Clean") + rollup.get("Private_Dirty")) * 1024, ps.get("uss"));
        assertEquals(rollup.get("Pss") * 1024, ps.get("pss"));
        assertEquals(0, ps.get("swap"));
        assertEquals(m.vmas() + 1, ps.get("maps"), "memory_maps lists every smaps block");
        assertEquals(m.rssKb() * 1024, ps.get("maps_rss"));
        assertEquals(m.sizeKb() * 1024, ps.get("maps_size"));
        assertEquals(m.anonKb() * 1024, ps.get("maps_anon"));
        assertEquals(1, ps.get("heap"));
        assertEquals(1, ps.get("zero"));
    }
}
