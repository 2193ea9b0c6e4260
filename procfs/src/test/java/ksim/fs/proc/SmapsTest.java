package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import ksim.kernel.Task;
import ksim.mm.Mman;
import org.junit.jupiter.api.Test;

/** smaps and smaps_rollup: show_smap() and show_smaps_rollup() field by field. */
class SmapsTest {
    /** The fields of one smaps block on Linux 6.18 (x86-64 with protection keys), in order. */
    static final List<String> SMAPS_KEYS = List.of("Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss", "Pss_Dirty",
            "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced", "Anonymous", "KSM", "LazyFree",
            "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss",
            "Locked", "THPeligible", "ProtectionKey", "VmFlags");
    /** The fields of smaps_rollup on Linux 6.18, in order. */
    static final List<String> ROLLUP_KEYS = List.of("Rss", "Pss", "Pss_Dirty", "Pss_Anon", "Pss_File", "Pss_Shmem",
            "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced", "Anonymous", "KSM", "LazyFree",
            "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss",
            "Locked");
    private final Proc p = Proc.boot();

    @Test
    void everyBlockHasTheFieldsInOrderAlignedOnKb() {
        Task bash = p.byComm("bash");
        String text = p.read("/" + bash.pid() + "/smaps");
        List<String> maps = List.of(p.read("/" + bash.pid() + "/maps").split("\n"));
        List<Smaps.Block> blocks = Smaps.parse(text);
        assertEquals(maps.size(), blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            Smaps.Block b = blocks.get(i);
            assertEquals(maps.get(i), b.header(), "smaps headers are the maps lines");
            assertEquals(SMAPS_KEYS, b.keys(), b.header());
            assertEquals((b.end() - b.start()) / 1024, b.kb("Size"));
            assertEquals(4, b.kb("KernelPageSize"));
            assertTrue(b.kb("Pss") <= b.kb("Rss"));
            assertEquals(b.kb("Rss"), b.kb("Shared_Clean") + b.kb("Shared_Dirty") + b.kb("Private_Clean") + b.kb("Private_Dirty"));
            assertEquals(b.kb("Rss"), b.kb("Referenced"));
        }
        for (String line : text.split("\n")) {
            if (Smaps.isHeader(line)) continue;
            if (line.startsWith("VmFlags:")) {
                assertTrue(line.matches("^VmFlags:( [a-z]{2})+ $"), "[" + line + "]");
            } else if (line.startsWith("THPeligible:") || line.startsWith("ProtectionKey:")) {
                assertEquals(24, line.length(), "[" + line + "]");
            } else {
                assertTrue(line.matches("^[A-Za-z_]+: +[0-9]+ kB$"), "[" + line + "]");
                assertEquals(27, line.length(), "values right-aligned so kB ends in column 27: [" + line + "]");
            }
        }
    }

    @Test
    void vmFlagsNameTheMappingsAsLinuxDoes() {
        Task bash = p.byComm("bash");
        List<Smaps.Block> blocks = Smaps.parse(p.read("/" + bash.pid() + "/smaps"));
        Map<String, String> expected = Map.of(
                "[heap]", "rd wr mr mw me ac",
                "[stack]", "rd wr mr mw me gd ac",
                "[vvar]", "rd mr pf io de dd",
                "[vvar_vclock]", "rd mr pf io de dd",
                "[vdso]", "rd ex mr mw me de",
                "[vsyscall]", "ex");
        for (var e : expected.entrySet()) {
            Smaps.Block b = blocks.stream().filter(x -> x.name().equals(e.getKey())).findFirst().orElseThrow();
            assertEquals(e.getValue(), b.flags(), e.getKey());
        }
        List<String> libc = blocks.stream().filter(b -> b.name().endsWith("/libc.so.6")).map(Smaps.Block::flags).toList();
        assertEquals(List.of("rd mr mw me", "rd ex mr mw me", "rd mr mw me", "rd mr mw me ac", "rd wr mr mw me ac"), libc,
                "headers, text, rodata, RELRO, data");
        Smaps.Block vsyscall = blocks.get(blocks.size() - 1);
        assertEquals(4, vsyscall.kb("Size"));
        assertEquals(0, vsyscall.kb("Rss"));
    }

    @Test
    void sharedMappingsAreFlaggedAndShared() {
        Task bash = p.byComm("bash");
        p.k.mmSyscalls().mmap(bash, 0, 8192, Mman.PROT_READ, Mman.MAP_SHARED, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache", 0);
        long shm = p.k.mmSyscalls().mmap(bash, 0, 8192, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS, null, 0);
        p.k.mmSyscalls().touch(bash, shm, 8192, true);
        List<Smaps.Block> blocks = Smaps.parse(p.read("/" + bash.pid() + "/smaps"));
        Smaps.Block gconv = blocks.stream().filter(b -> b.name().endsWith("gconv-modules.cache")).findFirst().orElseThrow();
        assertEquals("rd mr me ms", gconv.flags());
        assertTrue(gconv.header().contains(" r--s "));
        Smaps.Block zero = blocks.stream().filter(b -> b.name().equals("/dev/zero (deleted)")).findFirst().orElseThrow();
        assertEquals("rd wr sh mr mw me ms", zero.flags());
        assertTrue(zero.header().contains(" rw-s 00000000 00:01 "), zero.header());
        assertEquals(8, zero.kb("Private_Dirty"), "shmem pages written by one process");
        // libc is mapped by every process: its pages are shared and its Pss a fraction.
        Smaps.Block libcText = blocks.stream().filter(b -> b.name().endsWith("/libc.so.6") && b.header().contains(" r-xp ")).findFirst().orElseThrow();
        assertTrue(libcText.kb("Shared_Clean") > 0 && libcText.kb("Private_Clean") == 0);
        assertTrue(libcText.kb("Pss") < libcText.kb("Rss") / 5, "Pss " + libcText.kb("Pss") + " of Rss " + libcText.kb("Rss"));
    }

    @Test
    void rollupSumsTheBlocks() {
        Task bash = p.byComm("bash");
        String rollupText = p.read("/" + bash.pid() + "/smaps_rollup");
        List<Smaps.Block> rollup = Smaps.parse(rollupText);
        assertEquals(1, rollup.size());
        Smaps.Block r = rollup.get(0);
        assertEquals(ROLLUP_KEYS, r.keys());
        List<Smaps.Block> blocks = Smaps.parse(p.read("/" + bash.pid() + "/smaps"));
        List<Smaps.Block> vmas = blocks.subList(0, blocks.size() - 1);
        String expectedHeader = String.format("%08x-%08x ---p 00000000 00:00 0", vmas.get(0).start(), vmas.get(vmas.size() - 1).end());
        assertEquals(expectedHeader + " ".repeat(73 - expectedHeader.length()) + "[rollup]", r.header());
        for (String key : List.of("Rss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced", "Anonymous", "Swap", "Locked")) {
            assertEquals(Smaps.sum(vmas, key), r.kb(key), key);
        }
        long pssSum = Smaps.sum(vmas, "Pss");
        assertTrue(r.kb("Pss") >= pssSum && r.kb("Pss") <= pssSum + vmas.size(), "rollup Pss " + r.kb("Pss") + " vs blocks " + pssSum);
        assertTrue(Math.abs(r.kb("Pss") - r.kb("Pss_Anon") - r.kb("Pss_File") - r.kb("Pss_Shmem")) <= 2);
        assertEquals(r.kb("Anonymous"), r.kb("Pss_Anon"), "anonymous pages are private");
    }

    /** The reference machine's smaps has the same fields in the same order (checked when it runs the reference kernel). */
    @Test
    void fieldsMatchTheHostKernel() throws IOException {
        Path self = Path.of("/proc/self/smaps");
        assumeTrue(Files.isReadable(self) && System.getProperty("os.version").startsWith("6.18"), "needs a 6.18 host");
        List<Smaps.Block> host = Smaps.parse(Files.readString(self));
        assertEquals(SMAPS_KEYS, host.get(0).keys());
        assertEquals(ROLLUP_KEYS, Smaps.parse(Files.readString(Path.of("/proc/self/smaps_rollup"))).get(0).keys());
        String vsyscall = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.endsWith("[vsyscall]")).findFirst().orElseThrow();
        assertEquals(MapsTest.VSYSCALL_LINE, vsyscall);
    }
}
