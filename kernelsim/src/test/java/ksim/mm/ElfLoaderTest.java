package ksim.mm;

import static ksim.mm.VmFlags.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The address space execve() and the dynamic loader leave behind: an x86-64 PIE process. */
class ElfLoaderTest {

    private static List<Vma> of(MmStruct mm, String path) {
        List<Vma> out = new ArrayList<>();
        for (Vma v : mm.vmas()) if (v.file() != null && v.file().path().equals(path)) out.add(v);
        return out;
    }

    private static String perms(Vma v) {
        return (v.has(VM_READ) ? "r" : "-") + (v.has(VM_WRITE) ? "w" : "-") + (v.has(VM_EXEC) ? "x" : "-")
                + (v.has(VM_MAYSHARE) ? "s" : "p");
    }

    @Test
    void executableSegmentsAreContiguousWithFileOffsetsFollowingAddresses() {
        Program p = Program.small("/usr/bin/bash", 3_100, 4_200, 8);
        MmStruct mm = MmTesting.load(p, 7);
        List<Vma> exe = of(mm, "/usr/bin/bash");
        assertEquals(List.of("r--p", "r-xp", "r--p", "r--p", "rw-p"), exe.stream().map(ElfLoaderTest::perms).toList());
        for (int i = 1; i < exe.size(); i++) {
            assertEquals(exe.get(i - 1).end(), exe.get(i).start(), "segments back to back");
            assertEquals((exe.get(i).start() - exe.get(0).start()) >>> 12, exe.get(i).pgoff(), "pgoff follows the address");
        }
        long base = exe.get(0).start();
        assertTrue(base >= MmLayout.ELF_ET_DYN_BASE && base < MmLayout.ELF_ET_DYN_BASE + (1L << 40), Long.toHexString(base));
        Vma bss = mm.vmaAt(exe.get(4).end());
        assertNotNull(bss, "the bss follows the data");
        assertTrue(bss.isAnonymous());
        assertEquals(p.exe().bssKb() * 1024L, bss.end() - bss.start());
        assertEquals(exe.get(1).start(), mm.startCode());
        assertEquals(p.textKb() / 4, mm.textPages(), "end_code stops inside the last text page");
        assertTrue(mm.endCode() < exe.get(1).end() && mm.endCode() > exe.get(1).end() - 4096);
        assertTrue(mm.startData() > exe.get(3).start() && mm.endData() <= exe.get(4).end() && mm.startData() <= mm.endData());
        assertTrue(exe.get(3).has(VM_ACCOUNT) && !exe.get(2).has(VM_ACCOUNT), "RELRO was writable once, rodata never");
    }

    @Test
    void heapSitsAboveTheImageWithinAGigabyte() {
        MmStruct mm = MmTesting.small(11);
        Vma heap = mm.vmaAt(mm.startBrk());
        assertNotNull(heap);
        assertTrue(mm.isHeap(heap));
        assertEquals(Mmap.BRK_FLAGS, heap.flags());
        long imageEnd = mm.findVma(mm.endData()).end();
        assertTrue(mm.startBrk() >= imageEnd && mm.startBrk() - imageEnd < (1L << 30) + 0x10000);
        assertEquals(mm.brk(), heap.end(), "the heap ends at the break");
    }

    @Test
    void mmapAreaHoldsLoaderVdsoAndLibrariesTopDown() {
        Program p = Program.small("/usr/sbin/sshd", 1_100, 6_500, 5);
        MmStruct mm = MmTesting.load(p, 3);
        List<Vma> ld = of(mm, Libraries.LD_LINUX.path());
        List<Vma> libc = of(mm, Libraries.LIBC.path());
        assertEquals(5, ld.size());
        assertEquals(5, libc.size());
        assertTrue(ld.get(4).end() <= mm.mmapBase(), "nothing above mmap_base but the stack");
        Vma vdso = mm.vmaAt(ld.get(0).start() - 1);
        assertEquals(Specials.VDSO, vdso.special(), "the vDSO right below the loader");
        Vma vclock = mm.vmaAt(vdso.start() - 1);
        Vma vvar = mm.vmaAt(vclock.start() - 1);
        assertEquals(Specials.VVAR_VCLOCK, vclock.special());
        assertEquals(Specials.VVAR, vvar.special());
        assertTrue(vvar.has(VM_PFNMAP) && vvar.has(VM_IO));
        // The libraries follow in load order, each below the one before; libc last and lowest.
        long prevStart = vvar.start();
        for (ElfObject lib : p.libs().subList(1, p.libs().size())) {
            List<Vma> segs = of(mm, lib.path());
            assertEquals(lib.totalKb() - lib.bssKb(), segs.stream().mapToLong(v -> (v.end() - v.start()) / 1024).sum(), lib.path());
            long end = lib.bssKb() > 0 ? mm.vmaAt(segs.get(segs.size() - 1).end()).end() : segs.get(segs.size() - 1).end();
            assertEquals(prevStart, end, lib.path() + " directly below the previous mapping");
            prevStart = segs.get(0).start();
        }
        assertTrue(of(mm, Libraries.byName("libcrypto.so.3").path()).size() >= 5, "sshd loads libcrypto");
    }

    @Test
    void stackIsAtTheTopWithTheArgumentsInside() {
        MmStruct mm = MmTesting.small(5);
        Vma stack = mm.vmaAt(mm.startStack());
        assertNotNull(stack);
        assertTrue(mm.isStack(stack));
        assertTrue(stack.has(VM_GROWSDOWN) && stack.has(VM_ACCOUNT));
        assertEquals(132 * 1024, stack.end() - stack.start());
        assertTrue(stack.end() <= MmLayout.TASK_SIZE && stack.end() > MmLayout.TASK_SIZE - (16L << 30));
        assertTrue(mm.argStart() > mm.startStack() && mm.envEnd() < stack.end());
        assertEquals(mm.argEnd(), mm.envStart());
        assertEquals(stack.end() - 8 - "/usr/bin/prog".length() - 1, mm.envEnd(), "execfn and a null word above the strings");
        assertEquals(0, mm.startStack() % 16);
        assertTrue(stack.rssPages() > 0, "the argument pages are resident");
        assertNull(mm.vmaAt(stack.start() - 1), "nothing directly below the stack");
    }

    @Test
    void residentSizesAreExactlyTheProgramsAndCountersFollowTheVmas() {
        Program p = Program.small("/usr/sbin/rsyslogd", 1_900, 3_600, 4);
        MmStruct mm = MmTesting.load(p, 9);
        assertEquals(1_900 / 4, mm.rssAnon());
        assertEquals(3_600 / 4, mm.rssFile());
        assertEquals(0, mm.rssShmem());
        long data = 0, exec = 0, stack = 0;
        for (Vma v : mm.vmas()) {
            boolean w = v.has(VM_WRITE), x = v.has(VM_EXEC), gd = v.has(VM_GROWSDOWN), sh = v.has(VM_SHARED);
            if (w && !sh && !gd) data += v.pages();
            if (x && !w && !gd) exec += v.pages();
            if (gd) stack += v.pages();
        }
        assertEquals(data, mm.dataVm());
        assertEquals(exec, mm.execVm());
        assertEquals(stack, mm.stackVm());
        assertEquals(MmTesting.vmaPages(mm), mm.totalVm());
        mm.verifyCounters();
        assertEquals(mm.totalVm(), mm.hiwaterVm());
        assertEquals(mm.rss(), mm.hiwaterRss());
        assertTrue(mm.pgtablesBytes() >= 3 * 4096 * 3, "PTE, PMD and PUD tables for image, mmap area and stack");
    }

    @Test
    void sharedMemoryIsAFullyResidentSharedMapping() {
        Program pg = new Program("/usr/lib/postgresql/postgres", 40, 16, 2048, 132, 132, 1024, 400, 800, 40 * 1024, 3);
        MmStruct mm = MmTesting.load(pg, 1);
        assertEquals(10 * 1024, mm.rssShmem());
        Vma shm = mm.vmas().stream().filter(v -> v.file() != null && v.file().shmem()).findFirst().orElseThrow();
        assertEquals("/dev/zero (deleted)", shm.file().displayName());
        assertTrue(shm.has(VM_SHARED) && shm.has(VM_MAYSHARE) && !shm.has(VM_ACCOUNT));
        assertEquals(400 / 4, mm.rssAnon());
        assertEquals(800 / 4, mm.rssFile());
    }

    @Test
    void aLargeAnonymousTargetGrowsTheHeap() {
        Program big = new Program("/usr/bin/big", 40, 16, 0, 0, 132, 0, 64 * 1024, 0, 0, 0);
        MmStruct mm = MmTesting.load(big, 2);
        assertEquals(16 * 1024, mm.rssAnon());
        Vma heap = mm.vmaAt(mm.startBrk());
        assertNotNull(heap, "the remainder went to a heap");
        assertTrue(mm.isHeap(heap));
    }

    @Test
    void staticImagesHaveNoLibrariesButTheVdso() {
        Program stat = new Program("/usr/bin/static", 40, 16, 0, 0, 132, 0, 100, 0, 0, 0);
        MmStruct mm = MmTesting.load(stat, 2);
        assertTrue(mm.vmas().stream().noneMatch(v -> v.file() != null && v.file().path().contains(".so")));
        assertTrue(mm.vmas().stream().anyMatch(v -> Specials.VDSO.equals(v.special())));
    }

    @Test
    void randomisationFollowsTheSeed() {
        MmStruct a = MmTesting.small(1), b = MmTesting.small(1), c = MmTesting.small(2);
        assertEquals(a.startCode(), b.startCode());
        assertEquals(a.mmapBase(), b.mmapBase());
        assertNotEquals(a.startCode(), c.startCode());
        assertNotEquals(a.mmapBase(), c.mmapBase());
        assertNotEquals(a.startStack(), c.startStack());
    }

    @Test
    void forkCopiesVmasAndPagesIndependently() {
        MmStruct mm = MmTesting.small(4);
        MmStruct child = mm.duplicate();
        assertEquals(mm.totalVm(), child.totalVm());
        assertEquals(mm.rss(), child.rss());
        long a = MmTesting.anon(child, 1 << 20);
        Fault.touch(child, a, 1 << 20, true);
        assertEquals(mm.rss() + 256, child.rss());
        assertEquals(mm.totalVm() + 256, child.totalVm());
        assertNull(mm.vmaAt(a), "the parent does not see the child's mapping");
        mm.verifyCounters();
        child.verifyCounters();
    }
}
