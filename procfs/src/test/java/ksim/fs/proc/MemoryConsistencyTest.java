package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import ksim.kernel.Cred;
import ksim.kernel.KernelError;
import ksim.kernel.MmSyscalls;
import ksim.kernel.Task;
import ksim.mm.Mman;
import ksim.mm.Program;
import ksim.mm.Vma;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of mmap, munmap, brk and touch (fixed seeds) on several processes: after
 * every step, maps, smaps, smaps_rollup, status, statm, stat and meminfo tell the same story
 * (proc-clients.md §11: three clients, three sources, one number).
 */
class MemoryConsistencyTest {
    private static final String[] FILES = {"/srv/app/data.db", "/usr/share/dict/words", "/dev/shm/ring", "/var/cache/index"};
    private final Proc p = Proc.boot();
    private final MmSyscalls sys = p.k.mmSyscalls();

    @Test
    void everyViewAgreesAfterEveryStep() {
        for (long seed : new long[] {1, 2, 3}) run(seed, 100);
    }

    private void run(long seed, int steps) {
        Random r = new Random(seed);
        List<Task> tasks = new ArrayList<>(List.of(p.byComm("bash"), p.byComm("rsyslogd")));
        tasks.add(p.k.locked(() -> p.k.spawn(p.k.initTask(), Program.small("/usr/bin/prop-" + seed, 200, 800, seed),
                List.of("prop"), List.of(), Cred.ROOT)));
        for (int i = 0; i < steps; i++) {
            Task t = tasks.get(r.nextInt(tasks.size()));
            String op = step(t, r);
            for (Task x : tasks) p.k.locked(() -> x.mm().verifyCounters());
            for (Task x : tasks) check(x, "seed " + seed + " step " + i + " (" + op + " on " + t.pid() + ")");
            if (i % 10 == 0) checkGlobal("seed " + seed + " step " + i);
        }
    }

    /** One random system call; refusals (errnos) are part of the test too. */
    private String step(Task t, Random r) {
        List<Vma> vmas = p.k.locked(() -> List.copyOf(t.mm().vmas()));
        Vma some = vmas.get(r.nextInt(vmas.size()));
        long pages = 1 + r.nextInt(r.nextBoolean() ? 8 : 300);
        int kind = r.nextInt(10);
        try {
            switch (kind) {
                case 0, 1 -> {
                    int flags = (r.nextInt(4) == 0 ? Mman.MAP_SHARED : Mman.MAP_PRIVATE) | Mman.MAP_ANONYMOUS
                            | (r.nextInt(8) == 0 ? Mman.MAP_LOCKED : 0) | (r.nextInt(8) == 0 ? Mman.MAP_POPULATE : 0);
                    sys.mmap(t, 0, pages * 4096, r.nextInt(5) == 0 ? Mman.PROT_READ : Mman.PROT_READ | Mman.PROT_WRITE, flags, null, 0);
                    return "mmap anon";
                }
                case 2 -> {
                    int flags = r.nextBoolean() ? Mman.MAP_SHARED : Mman.MAP_PRIVATE;
                    sys.mmap(t, 0, pages * 4096, Mman.PROT_READ | Mman.PROT_WRITE, flags, FILES[r.nextInt(FILES.length)], 4096L * r.nextInt(4));
                    return "mmap file";
                }
                case 3 -> {
                    // MAP_FIXED over part of an existing mapping.
                    long at = some.start() + 4096L * r.nextInt((int) Math.min(some.pages(), 64));
                    if (at >= 0x7fff00000000L && some.has(ksim.mm.VmFlags.VM_GROWSDOWN)) return "skip";
                    sys.mmap(t, at, pages * 4096, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0);
                    return "mmap fixed";
                }
                case 4, 5 -> {
                    long at = some.start() + 4096L * r.nextInt((int) Math.min(some.pages(), 64));
                    sys.munmap(t, at, pages * 4096);
                    return "munmap";
                }
                case 6 -> {
                    long brk = sys.brk(t, 0);
                    sys.brk(t, brk + (r.nextBoolean() ? 1 : -1) * pages * 4096 + r.nextInt(4096));
                    return "brk";
                }
                default -> {
                    long off = 4096L * r.nextInt((int) Math.min(some.pages(), 512));
                    long len = Math.min(pages * 4096, some.end() - some.start() - off);
                    sys.touch(t, some.start() + off, len, r.nextBoolean());
                    return "touch";
                }
            }
        } catch (KernelError e) {
            return "refused " + e.errno();
        }
    }

    private void check(Task t, String when) {
        String pid = "/" + t.pid();
        List<Smaps.Block> smaps = Smaps.parse(p.read(pid + "/smaps"));
        List<Smaps.Block> vmas = smaps.subList(0, smaps.size() - 1);
        Smaps.Block rollup = Smaps.parse(p.read(pid + "/smaps_rollup")).get(0);
        List<String> maps = List.of(p.read(pid + "/maps").split("\n"));
        String[] statm = p.read(pid + "/statm").strip().split(" ");
        List<String> stat = Proc.statFields(p.read(pid + "/stat"));
        java.util.Map<String, Long> status = statusKb(p.read(pid + "/status"));
        long vmRss = status.get("VmRSS");
        long vmSize = status.get("VmSize");
        long rssAnon = status.get("RssAnon");
        long rssFile = status.get("RssFile");
        long rssShmem = status.get("RssShmem");

        assertEquals(maps.size(), smaps.size(), when);
        for (int i = 0; i < maps.size(); i++) assertEquals(maps.get(i), smaps.get(i).header(), when);

        long rss = Smaps.sum(vmas, "Rss");
        assertEquals(rss, vmRss, when + ": smaps Rss = VmRSS");
        assertEquals(vmRss, Long.parseLong(statm[1]) * 4, when + ": VmRSS = statm resident");
        assertEquals(vmRss, Proc.statField(stat, 24) * 4, when + ": VmRSS = stat rss");
        assertEquals(vmRss, rssAnon + rssFile + rssShmem, when + ": VmRSS = RssAnon + RssFile + RssShmem");
        assertEquals(rss, rollup.kb("Rss"), when + ": rollup Rss");

        long size = Smaps.sum(vmas, "Size");
        assertEquals(size, vmSize, when + ": smaps Size = VmSize");
        assertEquals(vmSize, Long.parseLong(statm[0]) * 4, when + ": VmSize = statm size");
        assertEquals(vmSize * 1024, Proc.statField(stat, 23), when + ": VmSize = stat vsize");

        assertEquals(Smaps.sum(vmas, "Anonymous"), rssAnon, when + ": Anonymous = RssAnon");
        assertEquals(rollup.kb("Anonymous"), rssAnon, when);
        assertEquals(rssFile + rssShmem, Long.parseLong(statm[2]) * 4, when + ": statm shared = RssFile + RssShmem");

        long data = 0, stack = 0, exec = 0, locked = 0;
        for (Smaps.Block b : vmas) {
            boolean wr = b.hasFlag("wr"), gd = b.hasFlag("gd"), sh = b.hasFlag("sh"), ex = b.hasFlag("ex");
            if (wr && !sh && !gd) data += b.kb("Size");
            if (gd) stack += b.kb("Size");
            if (ex && !wr && !gd) exec += b.kb("Size");
            if (b.hasFlag("lo")) locked += b.kb("Size");
            assertTrue(b.kb("Pss") <= b.kb("Rss"), when + " " + b.header());
            assertEquals(b.kb("Rss"), b.kb("Shared_Clean") + b.kb("Shared_Dirty") + b.kb("Private_Clean") + b.kb("Private_Dirty"), when);
        }
        assertEquals(data, status.get("VmData"), when + ": VmData");
        assertEquals(stack, status.get("VmStk"), when + ": VmStk");
        assertEquals(exec, status.get("VmExe") + status.get("VmLib"), when + ": VmExe + VmLib");
        assertEquals(locked, status.get("VmLck"), when + ": VmLck");
        assertEquals(data + stack, Long.parseLong(statm[5]) * 4, when + ": statm data");
        // statm's text is start_code..end_code; VmExe the same, unless less of it is still executable.
        assertEquals(Math.min(Long.parseLong(statm[3]) * 4, exec), status.get("VmExe"), when + ": statm text");

        for (String key : List.of("Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Locked")) {
            long sum = Smaps.sum(vmas, key);
            // Locked is a Pss: per block rounded down, in the rollup summed first.
            long slack = key.equals("Locked") ? vmas.size() : 0;
            assertTrue(rollup.kb(key) >= sum && rollup.kb(key) <= sum + slack, when + ": rollup " + key);
        }
        long pss = Smaps.sum(vmas, "Pss");
        assertTrue(rollup.kb("Pss") >= pss && rollup.kb("Pss") <= pss + vmas.size(), when + ": rollup Pss");
        assertTrue(status.get("VmHWM") >= vmRss, when);
        assertTrue(status.get("VmPeak") >= vmSize, when);
        assertEquals(String.format("%08x", vmas.get(0).start()), rollup.header().substring(0, rollup.header().indexOf('-')), when);
    }

    /** The kB lines of a status file by key. */
    private static java.util.Map<String, Long> statusKb(String text) {
        java.util.Map<String, Long> m = new java.util.HashMap<>();
        for (String line : text.split("\n")) if (line.endsWith(" kB")) m.put(line.substring(0, line.indexOf(':')), Proc.kb(line.substring(line.indexOf(':') + 1)));
        return m;
    }

    /** meminfo's AnonPages, PageTables, Mlocked and Unevictable are the sums over every process, and the LRU lists leave locked pages out. */
    private void checkGlobal(String when) {
        long anon = 0, pte = 0, lck = 0;
        for (String pid : p.list("/").stream().filter(n -> n.matches("[0-9]+")).toList()) {
            java.util.Map<String, Long> s = statusKb(p.read("/" + pid + "/status"));
            if (!s.containsKey("VmRSS")) continue;
            anon += s.get("RssAnon");
            pte += s.get("VmPTE");
        }
        for (Task t : p.k.locked(() -> List.copyOf(p.k.pids().leaders()))) if (t.mm() != null) lck += t.mm().lockedRss() * 4;
        assertEquals(anon, Proc.kb(p.field("/meminfo", "AnonPages")), when + ": AnonPages");
        assertEquals(pte, Proc.kb(p.field("/meminfo", "PageTables")), when + ": PageTables");
        assertEquals(lck, Proc.kb(p.field("/meminfo", "Mlocked")), when + ": Mlocked");
        assertEquals(lck, Proc.kb(p.field("/meminfo", "Unevictable")), when + ": Unevictable");
        // Locked pages here are anonymous or shmem: they leave the anon LRU lists for the unevictable one.
        assertEquals(anon + Proc.kb(p.field("/meminfo", "Shmem")) - lck,
                Proc.kb(p.field("/meminfo", "Active(anon)")) + Proc.kb(p.field("/meminfo", "Inactive(anon)")), when + ": anon LRU");
    }
}
